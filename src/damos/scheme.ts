// SPDX-License-Identifier: GPL-2.0-only
/**
 * struct damos and its parts: access pattern, action, quota, goals, watermarks, filters, stats
 * (damos.md §1.2, §4.1, §5.1, §6.1, §3.6, §3.7).
 */
import { startAsDoubles } from '../lib/v8-fields.js';
import type { DamonTarget } from '../damon/region.js';

export const DAMOS_ACTIONS = [
  'willneed',
  'cold',
  'pageout',
  'hugepage',
  'nohugepage',
  'collapse',
  'lru_prio',
  'lru_deprio',
  'migrate_hot',
  'migrate_cold',
  'stat',
] as const;
export type DamosAction = (typeof DAMOS_ACTIONS)[number];

export const QUOTA_GOAL_METRICS = [
  'user_input',
  'some_mem_psi_us',
  'node_mem_used_bp',
  'node_mem_free_bp',
  'node_memcg_used_bp',
  'node_memcg_free_bp',
  'active_mem_bp',
  'inactive_mem_bp',
  'node_eligible_mem_bp',
] as const;
export type QuotaGoalMetric = (typeof QUOTA_GOAL_METRICS)[number];
/** Metrics that measure a node: the goal's `nid` matters (damos.md §5.1). */
export const NID_METRICS: readonly QuotaGoalMetric[] = ['node_mem_used_bp', 'node_mem_free_bp', 'node_memcg_used_bp', 'node_memcg_free_bp', 'node_eligible_mem_bp'];
/** Whether a goal's nid means anything: a metric of one node (NID_METRICS); the others' nid is the kernel's unused 0. */
export function measuresNode(metric: string): boolean {
  return (NID_METRICS as readonly string[]).includes(metric);
}
/** Metrics that measure a memcg: the goal's memcg `path` matters. */
export const MEMCG_METRICS: readonly QuotaGoalMetric[] = ['node_memcg_used_bp', 'node_memcg_free_bp'];
/** Whether a goal's memcg path means anything: a metric of one memcg on a node (MEMCG_METRICS). */
export function measuresMemcg(metric: string): boolean {
  return (MEMCG_METRICS as readonly string[]).includes(metric);
}

export const GOAL_TUNERS = ['consist', 'temporal'] as const;
export type GoalTuner = (typeof GOAL_TUNERS)[number];

export const FILTER_TYPES = ['anon', 'active', 'memcg', 'young', 'hugepage_size', 'unmapped', 'addr', 'target'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];
export const CORE_FILTER_TYPES: readonly FilterType[] = ['addr', 'target'];

export const WMARK_METRICS = ['none', 'free_mem_rate'] as const;
export type WmarkMetric = (typeof WMARK_METRICS)[number];

/** Kernel units: bytes (core units), samples per aggregation, aggregation intervals. */
export interface DamosAccessPattern {
  minSzRegion: bigint;
  maxSzRegion: bigint;
  minNrAccesses: number;
  maxNrAccesses: number;
  minAgeRegion: number;
  maxAgeRegion: number;
}

export interface DamosQuotaGoal {
  metric: QuotaGoalMetric;
  targetValue: bigint;
  currentValue: bigint;
  nid: number;
  memcgPath: string | null;
  /** Resolved memcg id (node_memcg_* metrics); undefined when the path names no memcg. */
  memcgId: number | undefined;
  /** some_mem_psi_us: the PSI total at the previous refresh. */
  lastPsiTotal: number;
  /**
   * node_eligible_mem_bp, damon-sim's own (no kernel file or tracepoint has it): the bytes of the
   * last refresh's walk, on the goal's node and in all, which current_value is the ratio of.
   */
  eligible?: { onNode: number; total: number };
}

export interface DamosFilter {
  type: FilterType;
  matching: boolean;
  allow: boolean;
  memcgPath: string | null;
  memcgId: number | undefined;
  /** addr: [start, end) in core units. */
  addrStart: number;
  addrEnd: number;
  /** target: index in the context's target list. */
  targetIdx: number;
  /** hugepage_size: [min, max] folio bytes (closed). */
  szMin: number;
  szMax: number;
}

export interface DamosWatermarks {
  metric: WmarkMetric;
  interval: number; // µs
  high: number;
  mid: number;
  low: number;
  /** Private. */
  activated: boolean;
}

export interface DamosStat {
  nrTried: number;
  szTried: number;
  nrApplied: number;
  szApplied: number;
  szOpsFilterPassed: number;
  qtExceeds: number;
  nrSnapshots: number;
}

export function newStat(): DamosStat {
  // Byte totals pass 2^31 within seconds of a tiering run (lib/v8-fields.ts).
  return startAsDoubles({ nrTried: 0, szTried: 0, nrApplied: 0, szApplied: 0, szOpsFilterPassed: 0, qtExceeds: 0, nrSnapshots: 0 }, 'szTried', 'szApplied', 'szOpsFilterPassed');
}

export class DamosQuota {
  /** Charge window length in ms. */
  resetInterval = 0;
  /** Time quota in ms per window. */
  ms = 0;
  /** Size quota in bytes per window; 0 = none. */
  sz = 0n;
  goals: DamosQuotaGoal[] = [];
  goalTuner: GoalTuner = 'consist';
  failChargeNum = 0;
  failChargeDenom = 0;
  weightSz = 0;
  weightNrAccesses = 0;
  weightAge = 0;

  // --- outputs and private state ---
  private eszValue = 0n;
  /** esz as a double (exact below 2^53; charged bytes never reach it above), read on every region. */
  eszNum = 0;

  /** Effective size quota (bytes). */
  get esz(): bigint {
    return this.eszValue;
  }

  set esz(v: bigint) {
    this.eszValue = v;
    this.eszNum = Number(v);
  }

  totalChargedSz = 0;
  totalChargedNs = 0;
  chargedSz = 0;
  /** Jiffies at which the current charge window started (0: none yet). */
  chargedFrom = 0;
  chargeTargetFrom: DamonTarget | null = null;
  chargeAddrFrom = 0;
  minScore = 0;
  eszBp = 0n;
}
// Charged bytes and ns, window starts and resume addresses pass 2^31 early in a run (lib/v8-fields.ts).
startAsDoubles(new DamosQuota(), 'eszNum', 'totalChargedSz', 'totalChargedNs', 'chargedSz', 'chargedFrom', 'chargeAddrFrom');

/** The quota fields a user sets (the rest is runtime state). */
export type QuotaUserFields = Pick<DamosQuota, 'resetInterval' | 'ms' | 'sz' | 'failChargeNum' | 'failChargeDenom' | 'weightSz' | 'weightNrAccesses' | 'weightAge'>;

/** Copy the user-set quota fields (goals and tuner are the caller's business). */
export function copyQuotaUserFields(dst: DamosQuota, src: QuotaUserFields): void {
  dst.resetInterval = src.resetInterval;
  dst.ms = src.ms;
  dst.sz = src.sz;
  dst.failChargeNum = src.failChargeNum;
  dst.failChargeDenom = src.failChargeDenom;
  dst.weightSz = src.weightSz;
  dst.weightNrAccesses = src.weightNrAccesses;
  dst.weightAge = src.weightAge;
}

export interface DamosDest {
  id: number;
  weight: number;
}

export class Damos {
  pattern: DamosAccessPattern;
  action: DamosAction;
  applyIntervalUs: number;
  quota: DamosQuota;
  wmarks: DamosWatermarks;
  targetNid: number;
  dests: DamosDest[] = [];
  coreFilters: DamosFilter[] = [];
  opsFilters: DamosFilter[] = [];
  coreFiltersAllowed = false;
  coreFiltersDefaultReject = false;
  opsFiltersDefaultReject = false;
  stat: DamosStat = newStat();
  maxNrSnapshots = 0;
  nextApplySis = 0;
  /**
   * damon-sim's own: whether the scheme's apply interval ever came (next_apply_sis reached at an
   * apply pass), so that a run can say when it never did (cli/run.ts, docs/findings.md §4).
   */
  applyIntervalCame = false;
  walkCompleted = false;
  /** ops private: the last folio (its start address) an apply walk saw, for large-folio dedupe. */
  lastApplied: number | null = null;
  /**
   * The pattern's size bounds as doubles, for the pattern object they were computed from: region
   * sizes stay below 2^53, so the comparison is exact, and converting bigints on every match costs
   * more than the rest of the match. The pattern is replaced, never mutated, by commits.
   */
  szBoundsOf: DamosAccessPattern | null = null;
  szMin = 0;
  szMax = 0;

  constructor(pattern: DamosAccessPattern, action: DamosAction, applyIntervalUs: number, quota: DamosQuota, wmarks: DamosWatermarks, targetNid = -1) {
    this.pattern = pattern;
    this.action = action;
    this.applyIntervalUs = applyIntervalUs;
    this.quota = quota;
    this.wmarks = { ...wmarks, activated: true };
    this.targetNid = targetNid;
  }
}

export function newFilter(type: FilterType, matching: boolean, allow: boolean): DamosFilter {
  return { type, matching, allow, memcgPath: null, memcgId: undefined, addrStart: 0, addrEnd: 0, targetIdx: 0, szMin: 0, szMax: 0 };
}

export function isCoreFilter(type: FilterType): boolean {
  return CORE_FILTER_TYPES.includes(type);
}

/** A filter list's default: reject what no filter matches iff the last filter allows (none: pass). */
function lastAllow(l: ReadonlyArray<Pick<DamosFilter, 'allow'>>): boolean {
  return l.length === 0 ? false : l[l.length - 1].allow;
}

/**
 * The core layer's half of damos_set_filters_default_reject: with ops filters, what no core filter
 * matches goes on for them to judge. Shared with the config check that reads filters without a Damos.
 */
export function coreFiltersDefaultRejectOf(coreFilters: ReadonlyArray<Pick<DamosFilter, 'allow'>>, hasOpsFilters: boolean): boolean {
  return hasOpsFilters ? false : lastAllow(coreFilters);
}

/** `damos_set_filters_default_reject` (damos.md §6.4). */
export function setFiltersDefaultReject(s: Damos): void {
  s.coreFiltersDefaultReject = coreFiltersDefaultRejectOf(s.coreFilters, s.opsFilters.length > 0);
  s.opsFiltersDefaultReject = lastAllow(s.opsFilters);
}

/** Add a filter to the core or ops list by its type, as sysfs and damon_add_filter do. */
export function addFilter(s: Damos, f: DamosFilter): void {
  if (isCoreFilter(f.type)) s.coreFilters.push(f);
  else s.opsFilters.push(f);
}
