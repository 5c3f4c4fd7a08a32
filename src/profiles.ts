// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel profiles: which kernel tree's DAMON/DAMOS behaviour a run reproduces.
 *
 * Where the spec marks two versions (B0/B1 in damos.md, [SJ-tree]/[mainline≤6.19] in
 * damon-monitoring.md) the behaviour is a named switch here, and every switch says which kernel
 * change it follows. The default is `b0`, the tree the node_eligible_mem_bp patch targets
 * (mm-new / damon-next, Linux 7.1 cycle, late April 2026).
 */

export interface KernelProfile {
  readonly name: string;
  readonly description: string;
  /** [SJ-tree] damon_apply_min_nr_regions() splits to min_nr_regions at start and after every merge (damon-monitoring.md §3.3); off: [mainline≤6.19] sz_limit refreshed only at ops-update time. */
  readonly applyMinNrRegions: boolean;
  /** "reset age if nr_accesses changes between non-zero and zero" (Sep 2025, v6.18+; damon-monitoring.md §4.4). */
  readonly ageResetOnZeroTransition: boolean;
  /** B0: per-sample nr_accesses_bp moving sum; B1: on-demand pseudo moving sum (damos.md §1.1). */
  readonly accessRate: 'nr_accesses_bp' | 'pseudo_mvsum';
  /** Goal-tuner series (7.1): a zero esz with goals means "apply nothing"; before it, zero esz meant "no quota" (damos.md §4.1, trap 2). */
  readonly zeroEszMeansNothing: boolean;
  /** TEMPORAL tuner available (af738a6a00c1, 7.1-rc1). */
  readonly temporalTuner: boolean;
  /** "handle <min_region_sz remaining quota as empty" (mid-April 2026; damos.md §4.1). */
  readonly quotaFullBelowMinRegion: boolean;
  /** "disallow time-quota setting zero esz" (2026-04-05): esz floored at min_region_sz when ms is set (damos.md §4.4). */
  readonly timeQuotaEszFloor: boolean;
  /** "make charge_addr_from aware of end-address exclusivity" (2026-04-28): r.end instead of r.end + 1 (damos.md §3.3, trap 8). */
  readonly chargeAddrFromExclusive: boolean;
  /** "handle extreme intervals in damon_hot_score" (2026): clamp the hot score to [0, 99] (damos.md §4.8, trap 15). */
  readonly hotScoreClamp: boolean;
  /** 2026 damon tree: migration allocations carry __GFP_THISNODE, so a full target node fails instead of falling back (damos.md §2.2). */
  readonly migrateThisNode: boolean;
  /** Failed-region charge ratio (fail_charge_num/denom) honoured (B1; damos.md §4.3). */
  readonly failChargeRatio: boolean;
  /** Post-apply merge-back of quota-split regions (B1; damos.md §3.5). */
  readonly postApplyMerge: boolean;
  /** Online goal commits copy node_eligible_mem_bp's nid (damon tree after v9.2; damos.md §5.2). v9.2 does not. */
  readonly commitEligibleNid: boolean;
  /** node_eligible_mem_bp goal metric exists (the seed patch). */
  readonly nodeEligibleMetric: boolean;
  /** v8+: node_eligible walk steps PAGE_ALIGN_DOWN(addr + PAGE_SIZE) past a missing folio (v7: addr + PAGE_SIZE). */
  readonly eligibleWalkAligned: boolean;
}

const B0: KernelProfile = {
  name: 'b0',
  description: 'mm-new/damon-next, Linux 7.1 cycle, late April 2026: the tree the node_eligible_mem_bp patch (v7-v9.2) targets',
  applyMinNrRegions: true,
  ageResetOnZeroTransition: true,
  accessRate: 'nr_accesses_bp',
  zeroEszMeansNothing: true,
  temporalTuner: true,
  quotaFullBelowMinRegion: true,
  timeQuotaEszFloor: true,
  chargeAddrFromExclusive: false,
  hotScoreClamp: true,
  migrateThisNode: false,
  failChargeRatio: false,
  postApplyMerge: false,
  commitEligibleNid: false,
  nodeEligibleMetric: true,
  eligibleWalkAligned: true,
};

const B1: KernelProfile = {
  ...B0,
  name: 'b1',
  description: 'damon tree, May-July 2026: pseudo moving sum, fail-charge ratio, post-apply merge, __GFP_THISNODE, charge_addr_from fix, eligible nid commit',
  accessRate: 'pseudo_mvsum',
  chargeAddrFromExclusive: true,
  migrateThisNode: true,
  failChargeRatio: true,
  postApplyMerge: true,
  commitEligibleNid: true,
};

const MAINLINE_6_19: KernelProfile = {
  ...B0,
  name: 'mainline-6.19',
  description: 'released mainline v6.18/v6.19: no min_nr_regions enforcement, zero esz = unlimited, no TEMPORAL tuner, no node_eligible_mem_bp',
  applyMinNrRegions: false,
  zeroEszMeansNothing: false,
  temporalTuner: false,
  quotaFullBelowMinRegion: false,
  timeQuotaEszFloor: false,
  hotScoreClamp: false,
  nodeEligibleMetric: false,
};

export const PROFILES: readonly KernelProfile[] = [B0, B1, MAINLINE_6_19];
export const DEFAULT_PROFILE = B0;

export function findProfile(name: string): KernelProfile | undefined {
  return PROFILES.find((p) => p.name === name);
}

/** A profile with some switches overridden (tests and the scenario's `kernel.overrides`). */
export function withOverrides(base: KernelProfile, overrides: Partial<Omit<KernelProfile, 'name' | 'description'>>): KernelProfile {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return base;
  return { ...base, ...overrides, name: `${base.name}+${keys.join(',')}` };
}
