// SPDX-License-Identifier: GPL-2.0-only
/**
 * What kernel work costs in simulated time (machines-and-workloads.md §4.3, §4.5). The kdamond's
 * clock advances by these amounts, and DAMOS time quotas measure them (quota.total_charged_ns).
 */

export interface CostModel {
  /** Migration of one 4 KiB folio (unmap, copy, remap): ~1.1 µs single-threaded. */
  migrateNsPer4k: number;
  /** Migration of one 2 MiB folio: ~197 µs. */
  migrateNsPer2m: number;
  /** Kernel page walk per page frame visited (paddr apply walks, the node_eligible walk): ~40 ns. */
  walkNsPerFolio: number;
  /** Reclaim (pageout) of one 4 KiB page to swap. */
  pageoutNsPer4k: number;
  /** LRU (de)activation of one folio. */
  lruMoveNsPerFolio: number;
  /**
   * kdamond CPU time per region per sample (paddr mkold + young check: rmap walks). Not measured in
   * the literature (machines-and-workloads.md §4.5); 300 ns is an assumption (docs/model.md). It
   * matters when regions explode: the kdamond then runs long past its sampling interval.
   */
  sampleNsPerRegion: number;
}

export const DEFAULT_COSTS: CostModel = {
  migrateNsPer4k: 1100,
  migrateNsPer2m: 197_000,
  walkNsPerFolio: 40,
  pageoutNsPer4k: 2000,
  lruMoveNsPerFolio: 50,
  sampleNsPerRegion: 300,
};
