// SPDX-License-Identifier: GPL-2.0-only
/**
 * The kernel's DAMON sysfs tree, /sys/kernel/mm/damon/admin (damos.md §7, damo-formats.md §1.5):
 * file names and the way the kernel prints each value, shared by the exporter, the importer and
 * the staging script.
 *
 * Values are kernel values: addresses, region bounds and filter ranges in core address units
 * (× addr_unit = physical bytes), access patterns in samples and aggregation intervals, times in
 * the file's own unit, booleans as Y/N. A time the model keeps saturated at 2^53 − 1 ("max") is
 * the kernel's ULONG_MAX.
 */
import type { QuotaGoalMetric } from '../../damos/scheme.js';
import { ULONG_MAX } from '../../lib/kint.js';

/** What `avail_operations` lists, one per line (the kernel's enum order). */
export const AVAIL_OPERATIONS = ['vaddr', 'fvaddr', 'paddr'] as const;

/** Metrics whose goal dir's `nid` matters (kernel: node_* metrics and node_eligible_mem_bp). */
export const NID_METRICS: readonly QuotaGoalMetric[] = ['node_mem_used_bp', 'node_mem_free_bp', 'node_memcg_used_bp', 'node_memcg_free_bp', 'node_eligible_mem_bp'];
export const MEMCG_METRICS: readonly QuotaGoalMetric[] = ['node_memcg_used_bp', 'node_memcg_free_bp'];

export const yn = (b: boolean): string => (b ? 'Y' : 'N');

/** A model time (saturated at 2^53 − 1 for "max") as the kernel's unsigned long. */
export function ulongTime(x: number): string {
  return x >= Number.MAX_SAFE_INTEGER ? ULONG_MAX.toString() : String(x);
}

/** The per-filter files, in the kernel's dir. */
export const FILTER_FILES = ['type', 'matching', 'allow', 'memcg_path', 'addr_start', 'addr_end', 'min', 'max', 'damon_target_idx'] as const;

/** The per-scheme stats files. */
export const STATS_FILES = ['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'sz_ops_filter_passed', 'qt_exceeds', 'nr_snapshots', 'max_nr_snapshots'] as const;
