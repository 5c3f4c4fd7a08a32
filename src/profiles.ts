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
  /**
   * damon_do_apply_schemes() passes a scheme by, and a charge window that ends counts a qt_exceeds,
   * when damos_quota_is_full() (the failed-region-charge series, April 2026); off: when
   * `esz && charged_sz >= esz`, as before it, for which a zero esz is never full (damos.md §3.2).
   */
  readonly damosQuotaIsFull: boolean;
  /**
   * The score histogram leaves out regions damos_core_filter_out() rejects, splitting regions at
   * core addr filter bounds as it tests them (damon tree, "set score histogram without
   * filters-excluding regions"; damos.md §4.2); off: only the access pattern decides (mainline up
   * to 7.0), and the histogram walk splits nothing.
   */
  readonly histogramCoreFilter: boolean;
  /**
   * damos_quota_score() takes mult_frac(current_value, 10000, target_value) (damon tree; damos.md
   * §4.5); off: current_value * 10000 / target_value in unsigned long, which wraps for a
   * current_value past ULONG_MAX / 10000 (mainline up to 7.0).
   */
  readonly goalScoreMultFrac: boolean;
  /**
   * damon_nr_accesses_to_accesses_bp(), which rescales nr_accesses when the intervals change, takes
   * mult_frac(nr_accesses, 10000, max_nr_accesses) (damon tree; damon-monitoring.md §4.5); off:
   * nr_accesses * 10000 / max_nr_accesses in unsigned int, which wraps for an nr_accesses past
   * 429,496 (mainline).
   */
  readonly accessesBpMultFrac: boolean;
  /**
   * damos_esz is also traced when the first charge window sets esz ("trace esz at first setup",
   * 2026-05-20); off: only when a new window changes esz.
   */
  readonly eszTraceAtFirstSetup: boolean;
  /** "disallow time-quota setting zero esz" (2026-04-05): esz floored at min_region_sz when ms is set (damos.md §4.4). */
  readonly timeQuotaEszFloor: boolean;
  /** "make charge_addr_from aware of end-address exclusivity" (2026-04-28): r.end instead of r.end + 1 (damos.md §3.3, trap 8). */
  readonly chargeAddrFromExclusive: boolean;
  /** "handle extreme intervals in damon_hot_score" (2026): clamp the hot score to [0, 99] (damos.md §4.8, trap 15). */
  readonly hotScoreClamp: boolean;
  /** 2026 damon tree: migration allocations carry __GFP_THISNODE, so a full target node fails instead of falling back (damos.md §2.2). */
  readonly migrateThisNode: boolean;
  /** An invalid migration target puts isolated folios back on the LRU (B1); B0 leaves them isolated for good (damos.md §2.2). */
  readonly migrateInvalidTargetPutback: boolean;
  /** The feed loop's compensation is mult_frac(last, diff, GOAL) (B1), not (last / GOAL) · diff, when last · diff would overflow (damos.md §4.6). */
  readonly feedLoopMultFrac: boolean;
  /** The `collapse` action exists (B1, 2026; damos.md §2.1): other kernels refuse the name with -EINVAL. */
  readonly collapseAction: boolean;
  /** The context `pause` file exists (B1; damos.md §7): elsewhere `pause: true` is refused. */
  readonly ctxPause: boolean;
  /** Failed-region charge ratio (fail_charge_num/denom) honoured (B1; damos.md §4.3). */
  readonly failChargeRatio: boolean;
  /** Post-apply merge-back of quota-split regions (B1; damos.md §3.5). */
  readonly postApplyMerge: boolean;
  /** Online goal commits copy node_eligible_mem_bp's nid (damon tree after v9.2; damos.md §5.2). v9.2 does not. */
  readonly commitEligibleNid: boolean;
  /** node_eligible_mem_bp goal metric exists (the seed patch). */
  readonly nodeEligibleMetric: boolean;
  /** The active_mem_bp and inactive_mem_bp goal metrics exist ("advance DAMOS-based LRU sorting", 7.0-rc1; damos.md §5.1). */
  readonly lruMemBpMetrics: boolean;
  /** The scheme's max_nr_snapshots file exists ("{,max_}nr_snapshots", 7.0-rc1; damos.md §1.2, §3.2). */
  readonly maxNrSnapshotsFile: boolean;
  /** The damos_stat_after_apply_interval tracepoint exists (804c26b961da, 7.0; damo-formats.md §3.3). */
  readonly statTracepoint: boolean;
  /** v8+: node_eligible walk steps PAGE_ALIGN_DOWN(addr + PAGE_SIZE) past a missing folio (v7: addr + PAGE_SIZE). */
  readonly eligibleWalkAligned: boolean;
  /**
   * Mainline up to 6.19: the apply pass walks regions with the safe iterator (a split-off right part
   * is not visited in that pass) and damos_skip_charged_region(t, &r, ...) goes on with the right
   * part of its split; the damon tree walks non-safe and visits split-off parts next (damos.md §3.1).
   */
  readonly safeApplyWalk: boolean;
  /**
   * kdamond_usleep(): sleeps of at least four ticks are timer-wheel timeouts that end on a tick
   * boundary (v6.13+, damon/usleep.ts); off: every sleep lasts exactly as long as asked
   * (damon-monitoring.md §2.2 step 4).
   */
  readonly tickSleeps: boolean;
  /**
   * damon_call() on a context whose kdamond stopped fails with -ECANCELED (call_controls_obsolete,
   * the March 2026 exit-race fix); off: -EINVAL (damon_call_handle_inactive_ctx()). Every sysfs
   * command but the tried-regions updates goes through it.
   */
  readonly callObsoleteCanceled: boolean;
  /** damos_walk() likewise (walk_control_obsolete): -ECANCELED; off: -EINVAL (damos.md §2.4). */
  readonly walkObsoleteCanceled: boolean;
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
  damosQuotaIsFull: true,
  histogramCoreFilter: true,
  goalScoreMultFrac: true,
  accessesBpMultFrac: true,
  eszTraceAtFirstSetup: false,
  timeQuotaEszFloor: true,
  chargeAddrFromExclusive: false,
  hotScoreClamp: true,
  migrateThisNode: false,
  migrateInvalidTargetPutback: false,
  feedLoopMultFrac: false,
  collapseAction: false,
  ctxPause: false,
  failChargeRatio: false,
  postApplyMerge: false,
  // v9.2 as posted copies no nid on online commits; damos.md §5.2 asks for the intended behaviour
  // (copy it). `overrides: { commitEligibleNid: false }` reproduces the posted patch.
  commitEligibleNid: true,
  nodeEligibleMetric: true,
  lruMemBpMetrics: true,
  maxNrSnapshotsFile: true,
  statTracepoint: true,
  eligibleWalkAligned: true,
  safeApplyWalk: false,
  tickSleeps: true,
  callObsoleteCanceled: true,
  walkObsoleteCanceled: false,
};

const B1: KernelProfile = {
  ...B0,
  name: 'b1',
  description: 'damon tree, May-July 2026: pseudo moving sum, fail-charge ratio, post-apply merge, __GFP_THISNODE, charge_addr_from fix, mult_frac feed loop, collapse action, context pause, esz traced at first setup',
  accessRate: 'pseudo_mvsum',
  eszTraceAtFirstSetup: true,
  chargeAddrFromExclusive: true,
  migrateThisNode: true,
  migrateInvalidTargetPutback: true,
  feedLoopMultFrac: true,
  collapseAction: true,
  ctxPause: true,
  failChargeRatio: true,
  postApplyMerge: true,
  walkObsoleteCanceled: true,
};

const MAINLINE_6_19: KernelProfile = {
  ...B0,
  name: 'mainline-6.19',
  description: 'released mainline v6.19 (v6.18 also lacks the obsolete_target and goal path files and the node_memcg metrics): no min_nr_regions enforcement, zero esz = unlimited, no TEMPORAL tuner, no node_eligible_mem_bp, active_mem_bp, max_nr_snapshots or damos_stat tracepoint, no core filters in the score histogram',
  applyMinNrRegions: false,
  zeroEszMeansNothing: false,
  temporalTuner: false,
  quotaFullBelowMinRegion: false,
  damosQuotaIsFull: false,
  histogramCoreFilter: false,
  goalScoreMultFrac: false,
  accessesBpMultFrac: false,
  timeQuotaEszFloor: false,
  hotScoreClamp: false,
  nodeEligibleMetric: false,
  lruMemBpMetrics: false,
  maxNrSnapshotsFile: false,
  statTracepoint: false,
  safeApplyWalk: true,
  callObsoleteCanceled: false,
};

export const PROFILES: readonly KernelProfile[] = [B0, B1, MAINLINE_6_19];

/**
 * The errno of a sysfs state command sent to a kdamond that is not running: -EINVAL where it has no
 * damon_ctx (never started, or the last `on` failed: damon_sysfs_turn_damon_on() destroys the old
 * context before building the new one), as damon_sysfs_damon_call() and the tried-regions update
 * check; with the context of a stopped run, what damon_call() answers it, or damos_walk() for the
 * tried-regions updates (callObsoleteCanceled, walkObsoleteCanceled).
 */
export function stoppedCommandErrno(profile: KernelProfile, command: string, hasCtx: boolean): { errno: '-ECANCELED' | '-EINVAL'; via: 'damon_call' | 'damos_walk' } {
  const via = command === 'update_schemes_tried_regions' || command === 'update_schemes_tried_bytes' ? 'damos_walk' : 'damon_call';
  const canceled = hasCtx && (via === 'damos_walk' ? profile.walkObsoleteCanceled : profile.callObsoleteCanceled);
  return { errno: canceled ? '-ECANCELED' : '-EINVAL', via };
}

/**
 * A hint naming the built-in profiles for which `has` holds ("use profile b0 or b1"), for the
 * messages that refuse a setting under a profile without it: the commit checks, the sysfs export
 * and import all name them from here, so they agree when a profile changes.
 */
export function useProfile(has: (p: KernelProfile) => boolean): string {
  const names = PROFILES.filter(has).map((p) => p.name);
  if (names.length === 0) return 'no built-in profile has it';
  return `use profile ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`}`;
}

export type ProfileSwitch = Exclude<keyof KernelProfile, 'name' | 'description'>;

/** Every switch: what it changes, the kernel change it follows, and where the spec describes it. */
export const SWITCHES: ReadonlyArray<{ key: ProfileSwitch; what: string; follows: string; spec: string }> = [
  { key: 'applyMinNrRegions', what: 'damon_apply_min_nr_regions() splits regions to min_nr_regions at start and after every merge; off: sz_limit refreshed only at ops-update time', follows: '"strictly respect min_nr_regions" (SJ tree, early 2026; core.c 03fc5163)', spec: 'damon-monitoring.md §3.3, §2.2' },
  { key: 'ageResetOnZeroTransition', what: 'age resets when nr_accesses changes between zero and non-zero', follows: '"mm/damon/core: reset age if nr_accesses changes between non-zero and zero" (v2, 2025-09-16; v6.18)', spec: 'damon-monitoring.md §4.4' },
  { key: 'accessRate', what: 'nr_accesses_bp per-sample moving sum (B0) or on-demand pseudo moving sum (B1) for pattern matching and scores', follows: 'damon tree mvsum rework (core-kunit 12989bab, 07912ff5; mid-2026)', spec: 'damos.md §1.1, trap 14' },
  { key: 'zeroEszMeansNothing', what: 'a quota is "set" with goals/sz/ms even at esz 0, so esz 0 applies nothing; off: esz 0 means no quota', follows: 'goal-tuner series "support multiple goal-based quota tuning algorithms" (2026-03-09, 7.1-rc1)', spec: 'damos.md §4.1, trap 2' },
  { key: 'temporalTuner', what: 'the TEMPORAL goal tuner exists', follows: 'af738a6a00c1 (7.1-rc1)', spec: 'damos.md §4.7' },
  { key: 'quotaFullBelowMinRegion', what: 'less than min_region_sz of quota left counts as full', follows: '"handle <min_region_sz remaining quota as empty" (mid-April 2026)', spec: 'damos.md §4.1, trap 3' },
  { key: 'damosQuotaIsFull', what: 'damon_do_apply_schemes() passes a scheme by, and a window that ends counts a qt_exceeds, when damos_quota_is_full(); off: the pass-by tests esz && charged_sz >= esz, so that with goals a zero esz (TEMPORAL with its goal met) is not full there: every region that reaches damos_apply_scheme() is tried with 0 bytes; the ending window tests quota_is_set && charged_sz >= esz (without zeroEszMeansNothing: esz && ...) and counts a qt_exceeds', follows: '"introduce failed region quota charge ratio" (April 2026), which added damos_quota_is_full(); mm-new before it tests esz && charged_sz >= esz in damon_do_apply_schemes() and quota_is_set && charged_sz >= esz in damos_adjust_quota() and damos_apply_scheme(), mainline esz && charged_sz >= esz in all three', spec: 'damos.md §3.2 ("B0 pre-April"), §3.3, §4.2' },
  { key: 'histogramCoreFilter', what: 'damos_adjust_quota() leaves regions that damos_core_filter_out() rejects out of the score histogram, and splits regions at core addr filter bounds while it tests them; off: the histogram takes every region of the access pattern and its walk splits nothing', follows: 'damon tree "mm/damon/core: set score histogram without filters-excluding regions" (after 7.0; mainline up to 7.0 tests only __damos_valid_target())', spec: 'damos.md §4.2, §6.2' },
  { key: 'accessesBpMultFrac', what: 'damon_nr_accesses_to_accesses_bp() (intervals changed by a commit or by auto-tuning) takes mult_frac(nr_accesses, 10000, max_nr_accesses); off: nr_accesses * 10000 / max_nr_accesses in unsigned int, which wraps once nr_accesses passes 429,496', follows: 'the damon tree\'s damon_nr_accesses_to_accesses_bp() (mainline multiplies first)', spec: 'damon-monitoring.md §4.5' },
  { key: 'goalScoreMultFrac', what: 'damos_quota_score() takes mult_frac(current_value, 10000, target_value); off: current_value * 10000 / target_value in unsigned long, which wraps once current_value passes ULONG_MAX / 10000', follows: 'the damon tree\'s damos_quota_score() (mainline up to 7.0 multiplies first)', spec: 'damos.md §4.5' },
  { key: 'eszTraceAtFirstSetup', what: 'the damos_esz tracepoint also fires when the first charge window sets esz; off: only when a new charge window changes esz', follows: '"mm/damon/core: trace esz at first setup" (2026-05-20, Cc stable 6.17.x)', spec: 'damo-formats.md §3.3 names the tracepoint; damos.md does not describe when it fires' },
  { key: 'timeQuotaEszFloor', what: 'with a time quota, esz is floored at min_region_sz after the tuner', follows: '"disallow time-quota setting zero esz" (2026-04-05)', spec: 'damos.md §4.4, trap 4' },
  { key: 'chargeAddrFromExclusive', what: 'charge_addr_from = r->ar.end (on) or r->ar.end + 1 (off) when a window ends full', follows: '"make charge_addr_from aware of end-address exclusivity" (2026-04-28)', spec: 'damos.md §3.3, trap 8' },
  { key: 'hotScoreClamp', what: 'damon_hot_score() clamps to [0, 99]; off: scores past 99 (after interval changes) exceed the histogram', follows: '"handle extreme intervals in damon_hot_score" (2026)', spec: 'damos.md §4.8, trap 15' },
  { key: 'migrateThisNode', what: 'migration allocations carry __GFP_THISNODE: a full target node fails; off: the allocator falls back to other nodes', follows: 'damon tree 2026 (mainline 6.16-7.1 copies have no __GFP_THISNODE)', spec: 'damos.md §2.2, trap 12' },
  { key: 'migrateInvalidTargetPutback', what: 'with an invalid target_nid, isolated folios go back on the LRU; off: damon_migrate_pages() returns early and they stay isolated (off the LRU) for good', follows: 'damon tree 2026 fix of damon_migrate_pages() early return', spec: 'damos.md §2.2' },
  { key: 'feedLoopMultFrac', what: 'the CONSIST feed loop compensates with mult_frac(last, diff, 10000) (on) or (last / 10000) · diff (off) once last · diff would overflow 64 bits', follows: 'damon tree mid-2026 rewrite of damon_feed_loop_next_input()', spec: 'damos.md §4.6' },
  { key: 'collapseAction', what: 'the collapse action exists; off: the action name is refused (-EINVAL)', follows: 'DAMOS_COLLAPSE (damon tree, 2026)', spec: 'damos.md §2.1, §7' },
  { key: 'ctxPause', what: 'contexts have a pause file: a paused kdamond neither monitors nor applies schemes, keeps its results and serves commits; off: pause: true is refused', follows: '"mm/damon/core: introduce damon_ctx->paused" series (SJ, 2026)', spec: 'damos.md §7, §8.1' },
  { key: 'failChargeRatio', what: 'fail_charge_num/denom charge failed bytes at a ratio', follows: '"failed region quota charge ratio" series (RFC v5 2026-04-10 → PATCH)', spec: 'damos.md §4.3' },
  { key: 'postApplyMerge', what: 'after all schemes looked at a region, merge it back into its predecessor when nothing differs', follows: 'part of the failed-region-charge series (B1, April 2026)', spec: 'damos.md §3.5' },
  { key: 'commitEligibleNid', what: 'online goal commits copy node_eligible_mem_bp\'s nid (v9.2 copies nothing: the nid is lost)', follows: 'damon tree "test eligible_mem_bp commitment" (after v9.2)', spec: 'damos.md §5.2, §8.1' },
  { key: 'nodeEligibleMetric', what: 'the node_eligible_mem_bp goal metric exists', follows: '"mm/damon: add node_eligible_mem_bp goal metric" v7-v9.2 (April 2026)', spec: 'damos.md §5.2' },
  { key: 'lruMemBpMetrics', what: 'the active_mem_bp and inactive_mem_bp goal metrics exist; off: the names are refused (sysfs has no such metric)', follows: '"mm/damon: advance DAMOS-based LRU sorting" (merged for 7.0-rc1, 4835e2871321f)', spec: 'damos.md §5.1' },
  { key: 'maxNrSnapshotsFile', what: 'schemes have a max_nr_snapshots file; off: a non-zero max_nr_snapshots is refused (the simulator still counts the nr_snapshots stat, which such a kernel does not show)', follows: '"mm/damon: introduce {,max_}nr_snapshots" (merged for 7.0-rc1, 4a6ceb7c9744c)', spec: 'damos.md §1.2, §3.2' },
  { key: 'statTracepoint', what: 'kdamond_apply_schemes() fires the damos_stat_after_apply_interval tracepoint for each scheme that finished an apply pass; off: there is no such tracepoint', follows: '"mm/damon/core: add trace point for damos stat per apply interval" (804c26b961da, 7.0); its format labelled sz_applied as sz_tried until "mm/damon: fix damos_stat tracepoint format for sz_applied" (2026-04-26, Cc stable 7.0.x), which damon-sim prints fixed in every profile', spec: 'damo-formats.md §3.3' },
  { key: 'safeApplyWalk', what: 'the apply pass walks regions with the safe iterator: a region split off the current one (quota, addr filter) is not visited in that pass, and a charge-resume split goes on with its right part for the remaining schemes; off: split-off parts are visited next', follows: 'mainline up to 6.19 (damon_for_each_region_safe in kdamond_apply_schemes, damos_skip_charged_region(t, &r, s, ...) in 6.19.y); the damon tree (core.c 03fc5163) walks non-safe', spec: 'damos.md §3.1, §3.4 (which describe the damon tree)' },
  { key: 'tickSleeps', what: 'kdamond_usleep() sleeps of at least USLEEP_RANGE_UPPER_BOUND (four ticks) are schedule_timeout_idle(usecs_to_jiffies(us)) timer-wheel timeouts, which end on a tick boundary after at least the asked whole ticks (5 ms at HZ 1000: 5 to 6 ms); shorter ones are exact hrtimer sleeps; off: every sleep lasts exactly as asked', follows: 'the timers sleep/delay cleanup series (A.-M. Behnsen, Oct 2024, merged for v6.13), whose mm/damon/core.c patch replaced the 20 ms threshold with USLEEP_RANGE_UPPER_BOUND', spec: 'damon-monitoring.md §2.2 step 4 says "sleep sint microseconds"' },
  { key: 'callObsoleteCanceled', what: 'a sysfs command that damon_call() serves (commit, the stats, quota-goal and tuned-interval updates) fails with -ECANCELED once the kdamond has stopped; off: -EINVAL', follows: '"mm/damon/core: fix damon_call() vs kdamond_fn() exit race deadlock" (March 2026, Cc stable): call_controls_obsolete replaced damon_call_handle_inactive_ctx()', spec: 'damos.md §2.4 (damos_walk; damon_call is its twin)' },
  { key: 'walkObsoleteCanceled', what: 'update_schemes_tried_regions / update_schemes_tried_bytes (damos_walk()) fail with -ECANCELED once the kdamond has stopped; off: -EINVAL', follows: 'the damos_walk() twin of the damon_call() exit-race fix (walk_control_obsolete)', spec: 'damos.md §2.4, kunit walk_control_obsolete (§8)' },
  { key: 'eligibleWalkAligned', what: 'the node_eligible walk steps PAGE_ALIGN_DOWN(addr + PAGE_SIZE) past a missing folio (v8+); off: addr + PAGE_SIZE (v7)', follows: 'node_eligible_mem_bp v8 (Sashiko review, 2026-04-24)', spec: 'damos.md §5.2' },
];

/** Where a profile is not exactly one kernel tree (docs/profiles.md). */
export const PROFILE_CAVEATS: readonly string[] = [
  '`b0` follows the spec, which puts `quotaFullBelowMinRegion` and `damosQuotaIsFull` in B0 and `postApplyMerge` and `failChargeRatio` in B1. In the -mm tree the three are consecutive patches of one series ("introduce failed region quota charge ratio", which also added damos_quota_is_full(), "merge regions after applying DAMOS schemes", "handle <min_region_sz remaining quota as empty"), queued after node_eligible_mem_bp, so no tree had exactly b0\'s combination. `overrides: { quotaFullBelowMinRegion: false, damosQuotaIsFull: false }` gives the tree before the series, `overrides: { postApplyMerge: true, failChargeRatio: true }` the tree with all of it (docs/findings.md §3a compares them). `quotaFullBelowMinRegion` on with `damosQuotaIsFull` off is refused: the clause is part of damos_quota_is_full().',
  'Overrides that turn on both `safeApplyWalk` and `postApplyMerge` are refused: the merge-back came with the damon tree\'s walk, which visits split-off parts next, and no kernel had it under mainline\'s safe walk.',
  '`b1` keeps the core\'s two-or-three-way split rule: the damon tree\'s rework of it (kunit `damon_test_split_above_half_progresses`; damon-monitoring.md §10.7) is not modelled, since that tree\'s core.c was not readable. Nor is a later damon-tree core.c that a reviewer read in a transliteration (2026-11-28, not checked against a named commit): it updates ages on the first merge pass only, where the spec (damon-monitoring.md §5.1) and b0 age on every pass, which matters only when a region explosion needs several passes (with an age-bounded pattern or `weight_age`). Its per-context seeded random numbers (§10.19) need no profile: no simulator reproduces the kernel\'s random values, and damon-sim draws every context\'s numbers from streams of the run\'s one seed (docs/architecture.md, Determinism).',
];

/** Whether a quota goal metric name exists under `p` (sysfs refuses the others' names). */
export function metricExists(metric: string, p: Pick<KernelProfile, 'nodeEligibleMetric' | 'lruMemBpMetrics'>): boolean {
  if (metric === 'node_eligible_mem_bp') return p.nodeEligibleMetric;
  if (metric === 'active_mem_bp' || metric === 'inactive_mem_bp') return p.lruMemBpMetrics;
  return true;
}

/** The profiles as text: each profile and every switch value (the `profiles` command, docs/profiles.md). */
export function describeProfiles(): string {
  const lines: string[] = [];
  for (const p of PROFILES) {
    lines.push(`${p.name}: ${p.description}`);
    for (const sw of SWITCHES) lines.push(`  ${sw.key} = ${String(p[sw.key])}`);
    lines.push('');
  }
  lines.push('switches:');
  for (const sw of SWITCHES) lines.push(`  ${sw.key}: ${sw.what}\n    follows ${sw.follows}; ${sw.spec}`);
  return lines.join('\n') + '\n';
}
export const DEFAULT_PROFILE = B0;

export function findProfile(name: string): KernelProfile | undefined {
  return PROFILES.find((p) => p.name === name);
}

export type ProfileOverrides = Partial<Omit<KernelProfile, 'name' | 'description'>>;

/** The profile a scenario's `kernel` section names, with its overrides applied. */
export function resolveProfile(kernel: { profile: string; overrides?: ProfileOverrides }): KernelProfile | undefined {
  const base = findProfile(kernel.profile);
  return base && withOverrides(base, kernel.overrides ?? {});
}

/** A profile with some switches overridden (tests and the scenario's `kernel.overrides`). */
export function withOverrides(base: KernelProfile, overrides: Partial<Omit<KernelProfile, 'name' | 'description'>>): KernelProfile {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return base;
  return { ...base, ...overrides, name: `${base.name}+${keys.join(',')}` };
}

/** docs/profiles.md, generated (a test keeps the committed file current). */
export function profilesMarkdown(): string {
  const out: string[] = [
    '# Kernel profiles',
    '',
    'Where the spec marks two kernel versions, damon-sim implements both behind a switch, and a',
    'profile sets every switch. The default profile is `b0`, the tree the node_eligible_mem_bp',
    'patch was written against. Choose one with `kernel.profile` in a scenario or `--profile`;',
    '`damon-sim profiles --markdown` prints this page (without `--markdown`, the same as a list). Generated from `src/profiles.ts`.',
    '',
    `| switch | ${PROFILES.map((p) => p.name).join(' | ')} |`,
    `| --- | ${PROFILES.map(() => '---').join(' | ')} |`,
  ];
  for (const sw of SWITCHES) out.push(`| \`${sw.key}\` | ${PROFILES.map((p) => String(p[sw.key])).join(' | ')} |`);
  out.push('', '## Profiles', '');
  for (const p of PROFILES) out.push(`- **${p.name}**: ${p.description}`);
  out.push('', '## Switches', '');
  for (const sw of SWITCHES) out.push(`- \`${sw.key}\`: ${sw.what}. Follows ${sw.follows}. Spec: ${sw.spec}.`);
  out.push('', '## Caveats', '');
  for (const c of PROFILE_CAVEATS) out.push(`- ${c}`);
  return out.join('\n') + '\n';
}
