// SPDX-License-Identifier: GPL-2.0-only
/**
 * struct damon_operations: what an address space gives the monitoring core and DAMOS
 * (architecture sketch; damon-monitoring.md §8). The core knows no address space; everything it
 * learns about memory comes through here.
 */
import type { DamonCtx } from '../damon/ctx.js';
import type { DamonRegion, DamonTarget } from '../damon/region.js';
import type { Damos } from '../damos/scheme.js';

export type OpsId = 'paddr' | 'vaddr' | 'fvaddr';

export interface ApplyResult {
  /** Bytes (core units) the action applied to. */
  applied: number;
  /** Bytes (core units) of folios that passed the ops filters. */
  szOpsFilterPassed: number;
  /** Simulated time the call took (ns): added to quota.total_charged_ns and the kdamond's clock. */
  costNs: number;
}

/** What eligible-bytes walks over regions add up: bytes per node and in total, folio lookups, simulated ns. */
export interface EligibleSums {
  /** Indexed by node id. */
  byNode: number[];
  total: number;
  lookups: number;
  costNs: number;
  /** Ops-private: where the previous region's walk stopped, for walks in address order. */
  hint?: number;
}

export interface DamonOperations {
  readonly id: OpsId;
  init?(ctx: DamonCtx): void;
  update?(ctx: DamonCtx): void;
  prepareAccessChecks(ctx: DamonCtx): void;
  /**
   * Updates every region's access counters for one sample; returns the max nr_accesses. An ops set
   * with a deferred fast path may return 0 and keep the counters private until syncRegions().
   */
  checkAccesses(ctx: DamonCtx): number;
  /**
   * damon-sim: make the region objects current before the core reads or changes them; returns the
   * max nr_accesses. The next checkAccesses() then re-reads the regions.
   */
  syncRegions?(ctx: DamonCtx): number;
  targetValid?(t: DamonTarget): boolean;
  applyScheme(ctx: DamonCtx, t: DamonTarget, r: DamonRegion, s: Damos): ApplyResult;
  getSchemeScore?(ctx: DamonCtx, r: DamonRegion, s: Damos): number;
  /**
   * The folio walk of the node_eligible_mem_bp patch (damos_calc_eligible_bytes() in core.c calls
   * ops-common's damon_get_folio()): bytes of LRU folios overlapping the region, exactly clipped,
   * per node and in total (damos.md §5.2), added into `sums` with the walk's folio lookups and
   * simulated time: one walk serves every node's metric. paddr only.
   */
  addEligibleBytes?(ctx: DamonCtx, r: DamonRegion, sums: EligibleSums): void;
  /**
   * damon-sim: addEligibleBytes() for each of `regions` (in address order) that `matches` takes,
   * with the same sums; an ops set may walk neighbouring regions as one.
   */
  addEligibleRegions?(ctx: DamonCtx, regions: readonly DamonRegion[], matches: (r: DamonRegion) => boolean, sums: EligibleSums): void;
}

/** The operations sets damon-sim implements, by `enum damon_ops_id` order. */
export const DAMON_OPS_IDS: readonly OpsId[] = ['vaddr', 'fvaddr', 'paddr'];

/**
 * damon_register_ops() / damon_select_ops(): a registry of operations sets by id. Registering an
 * id twice, or an id outside the enum, is -EINVAL; selecting an unregistered id is -EINVAL.
 */
export class OpsRegistry<D> {
  private readonly registered = new Map<string, (deps: D) => DamonOperations>();

  register(id: string, factory: (deps: D) => DamonOperations): 0 | -22 {
    if (!(DAMON_OPS_IDS as readonly string[]).includes(id) || this.registered.has(id)) return -22;
    this.registered.set(id, factory);
    return 0;
  }

  isRegistered(id: string): boolean {
    return this.registered.has(id);
  }

  select(id: string): 0 | -22 {
    return this.registered.has(id) ? 0 : -22;
  }

  /** An instance of a registered operations set (damon_select_ops() then the ops' use). */
  create(id: string, deps: D): DamonOperations {
    const f = this.registered.get(id);
    if (!f) throw new Error(`damon_select_ops: no operations set "${id}" (-EINVAL)`);
    return f(deps);
  }
}
