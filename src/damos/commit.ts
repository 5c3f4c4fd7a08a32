// SPDX-License-Identifier: GPL-2.0-only
/**
 * Online parameter commits of the DAMOS half of damon_commit_ctx(): quota goals, quotas, migration
 * destinations, filters and whole schemes, each list matched by index (extra source entries are
 * created, missing ones destroyed), user parameters copied and runtime state (stats, charge window,
 * esz_bp, esz, min_score, next_apply_sis) of matched objects kept (damos.md §7 `commit`, §8.1).
 */
import type { DamonCtx } from '../damon/ctx.js';
import type { KernelProfile } from '../profiles.js';
import { Damos, DamosQuota, addFilter, copyQuotaUserFields, newFilter, setFiltersDefaultReject, type DamosDest, type DamosFilter, type DamosQuotaGoal } from './scheme.js';

type CommitProfile = Pick<KernelProfile, 'commitEligibleNid'>;

/**
 * `damos_commit_quota_goal_union()`: the metric-dependent union (keyed by the metric just
 * committed). node_eligible_mem_bp's nid is copied only by trees after the v9.2 patch (B1).
 */
function commitGoalUnion(dst: DamosQuotaGoal, src: DamosQuotaGoal, profile: CommitProfile): void {
  switch (dst.metric) {
    case 'node_mem_used_bp':
    case 'node_mem_free_bp':
      dst.nid = src.nid;
      break;
    case 'node_memcg_used_bp':
    case 'node_memcg_free_bp':
      dst.nid = src.nid;
      dst.memcgId = src.memcgId;
      dst.memcgPath = src.memcgPath;
      break;
    case 'node_eligible_mem_bp':
      if (profile.commitEligibleNid) dst.nid = src.nid;
      break;
    default:
      break;
  }
}

/**
 * `damos_commit_quota_goal(dst, src)`: metric and target always; current_value only for
 * user_input (every other metric is measured by the kernel); a PSI goal keeps its last_psi_total.
 */
export function damosCommitQuotaGoal(dst: DamosQuotaGoal, src: DamosQuotaGoal, profile: CommitProfile): void {
  dst.metric = src.metric;
  dst.targetValue = src.targetValue;
  if (dst.metric === 'user_input') dst.currentValue = src.currentValue;
  commitGoalUnion(dst, src, profile);
}

/**
 * `damos_new_quota_goal(metric, target)`: only metric and target are set. The kernel's kmalloc
 * leaves the rest unset; damon-sim zeroes it (a new node_eligible_mem_bp goal under B0 thus
 * measures node 0).
 */
export function damosNewQuotaGoal(src: DamosQuotaGoal): DamosQuotaGoal {
  return { metric: src.metric, targetValue: src.targetValue, currentValue: 0n, nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 };
}

/** `damos_commit_quota_goals(dst, src)`: by index; extra source goals are created (then committed), missing ones destroyed. */
export function damosCommitQuotaGoals(dst: DamosQuota, src: DamosQuota, profile: CommitProfile): void {
  const n = Math.min(dst.goals.length, src.goals.length);
  for (let i = 0; i < n; i++) damosCommitQuotaGoal(dst.goals[i], src.goals[i], profile);
  dst.goals.length = n;
  for (let i = n; i < src.goals.length; i++) {
    const g = damosNewQuotaGoal(src.goals[i]);
    damosCommitQuotaGoal(g, src.goals[i], profile);
    dst.goals.push(g);
  }
}

/**
 * `damos_commit_quota(dst, src)`: every user field (reset interval, time and size quotas, goals,
 * tuner, fail-charge ratio, weights). The charge window, esz, esz_bp, min_score and the charge
 * resume point are runtime state and stay.
 */
export function damosCommitQuota(dst: DamosQuota, src: DamosQuota, profile: CommitProfile): void {
  copyQuotaUserFields(dst, src);
  damosCommitQuotaGoals(dst, src, profile);
  dst.goalTuner = src.goalTuner;
}

/** `damos_commit_dests(dst, src)`: the destination arrays become a copy of the source's. */
export function damosCommitDests(dst: DamosDest[], src: readonly DamosDest[]): void {
  dst.length = 0;
  for (const d of src) dst.push({ id: d.id, weight: d.weight });
}

/** `damos_commit_filter_arg()`: the argument of the (newly committed) type. */
function commitFilterArg(dst: DamosFilter, src: DamosFilter): void {
  switch (dst.type) {
    case 'memcg':
      dst.memcgId = src.memcgId;
      dst.memcgPath = src.memcgPath;
      break;
    case 'addr':
      dst.addrStart = src.addrStart;
      dst.addrEnd = src.addrEnd;
      break;
    case 'target':
      dst.targetIdx = src.targetIdx;
      break;
    case 'hugepage_size':
      dst.szMin = src.szMin;
      dst.szMax = src.szMax;
      break;
    default:
      break;
  }
}

/** `damos_commit_filter(dst, src)`: type, matching, allow and the type's argument. */
export function damosCommitFilter(dst: DamosFilter, src: DamosFilter): void {
  dst.type = src.type;
  dst.matching = src.matching;
  dst.allow = src.allow;
  commitFilterArg(dst, src);
}

/** One filter list (core or ops) by index. */
function commitFilterList(dst: DamosFilter[], src: readonly DamosFilter[], add: (f: DamosFilter) => void): void {
  const n = Math.min(dst.length, src.length);
  for (let i = 0; i < n; i++) damosCommitFilter(dst[i], src[i]);
  dst.length = n;
  for (let i = n; i < src.length; i++) {
    const f = newFilter(src[i].type, src[i].matching, src[i].allow);
    commitFilterArg(f, src[i]);
    add(f);
  }
}

/** `damos_commit_filters(dst, src)`: core list, then ops list, then the default-reject flags (damos.md §6.4). */
export function damosCommitFilters(dst: Damos, src: Damos): void {
  commitFilterList(dst.coreFilters, src.coreFilters, (f) => addFilter(dst, f));
  commitFilterList(dst.opsFilters, src.opsFilters, (f) => addFilter(dst, f));
  setFiltersDefaultReject(dst);
}

/**
 * `damos_commit(dst, src)`: pattern, action, apply interval, quota, the whole watermarks struct
 * (so `activated` becomes the source's, true for a freshly built scheme — damos.md trap 16),
 * target_nid, dests, filters, max_nr_snapshots. Stats, next_apply_sis, walk state and the quota's
 * runtime state stay. next_apply_sis is not recomputed for a changed apply interval: only
 * damon_set_attrs() and damon_add_scheme() do that.
 */
export function damosCommit(dst: Damos, src: Damos, profile: CommitProfile): void {
  dst.pattern = { ...src.pattern };
  dst.action = src.action;
  dst.applyIntervalUs = src.applyIntervalUs;
  damosCommitQuota(dst.quota, src.quota, profile);
  dst.wmarks = { ...src.wmarks };
  dst.targetNid = src.targetNid;
  damosCommitDests(dst.dests, src.dests);
  damosCommitFilters(dst, src);
  dst.maxNrSnapshots = src.maxNrSnapshots;
}

/**
 * `damon_new_scheme(&src->pattern, src->action, src->apply_interval_us, &src->quota, &src->wmarks,
 * NUMA_NO_NODE)`: user quota fields copied, runtime fields zeroed, no goals, CONSIST tuner,
 * activated watermarks, fresh stats.
 */
export function damonNewSchemeFrom(src: Damos): Damos {
  const q = new DamosQuota();
  copyQuotaUserFields(q, src.quota);
  return new Damos({ ...src.pattern }, src.action, src.applyIntervalUs, q, { ...src.wmarks }, -1);
}

/**
 * `damon_commit_schemes(dst, src)`: matched by index; dst schemes without a source are destroyed;
 * extra source schemes are created, committed and added (damon_add_scheme sets next_apply_sis).
 */
export function damonCommitSchemes(dst: DamonCtx, src: DamonCtx): void {
  const n = Math.min(dst.schemes.length, src.schemes.length);
  for (let i = 0; i < n; i++) damosCommit(dst.schemes[i], src.schemes[i], dst.profile);
  dst.schemes.length = n;
  for (let i = n; i < src.schemes.length; i++) {
    const s = damonNewSchemeFrom(src.schemes[i]);
    damosCommit(s, src.schemes[i], dst.profile);
    dst.schemes.push(s);
    dst.setNextApplySis(s);
  }
}

/** What a commit_schemes_quota_goals refused at scheme `s` left committed, for its message (commitSchemesQuotaGoals()). */
export function goalsTakenBefore(s: number): string {
  return s === 0 ? 'no scheme took new goals' : s === 1 ? 'scheme 0 took its new ones' : `schemes 0 to ${s - 1} took theirs`;
}

/**
 * sysfs `commit_schemes_quota_goals`: for each running scheme with a counterpart (by index), commit
 * only the goal list (metric, target, user_input current_value, nid/memcg per the union rule).
 * damos_sysfs_set_quota_scores() builds and commits scheme by scheme: the first scheme whose goals
 * `refusal` says cannot be built ends the write with that error, the schemes before it committed.
 * Returns the error (null: none) and how many schemes took their goals.
 */
export function commitSchemesQuotaGoals(dst: DamonCtx, srcSchemes: readonly Damos[], refusal: (i: number) => string | null = () => null): { error: string | null; committed: number } {
  const n = Math.min(dst.schemes.length, srcSchemes.length);
  for (let i = 0; i < n; i++) {
    const error = refusal(i);
    if (error !== null) return { error, committed: i };
    damosCommitQuotaGoals(dst.schemes[i].quota, srcSchemes[i].quota, dst.profile);
  }
  return { error: null, committed: n };
}
