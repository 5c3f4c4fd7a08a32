// SPDX-License-Identifier: GPL-2.0-only
/**
 * damo's own object model of a kdamonds configuration (kdamond → context → targets / schemes),
 * with values in the units damo keeps them in, and its printer: the JSON/YAML key tree in damo's
 * exact key order (damo-formats.md §1.3; damo's `to_kvpairs()`), human strings or raw numbers.
 *
 * Two producers fill this model: the normalised parameters (kernel units: access patterns in
 * samples and aggregation intervals, as damo shows a running kdamond) and damo's command line
 * (patterns in percent and µs, as `damo args damon` prints them). Either way the printed tree goes
 * back through the one kdamonds parser (kdamonds.ts), so what is printed is what is read.
 *
 * Deliberate differences from damo's printer, all so that every printed value reads back exactly:
 * - sizes whose three-decimal form would lose bytes are printed as plain (comma-grouped) integers;
 * - "short" times that would lose digits fall back to damo's exact time form;
 * - percentages keep their fraction ("5.5 %"; damo truncates to "5 %");
 * - raw output: times are in the key's own unit (the damo fork's fix, §1.2), ratios are integers
 *   in the key's own unit (damo prints "%f"), and integers above 2^53 are decimal strings so that
 *   JSON readers that use doubles keep them exact;
 * - a scheme's `target_nid` is printed for every action when set (damo prints it for migrate
 *   actions only), and `max_nr_snapshots` is printed after `filters` when non-zero (damo keeps it
 *   in the read-only stats, which params-only dumps omit).
 */
import type { DamosAction, FilterType, GoalTuner, QuotaGoalMetric, WmarkMetric } from '../../damos/scheme.js';
import type { OpsId } from '../../ops/operations.js';
import { ULONG_MAX, UnitError, formatBytes, formatNumber, formatRatio, formatTimeExact, formatTimeShort, parseRatio, parseTime, type TimeUnit } from './units.js';

export interface DamoGoal {
  metric: QuotaGoalMetric;
  nid: number | null;
  memcgPath: string | null;
  targetValue: bigint;
  currentValue: bigint;
}

export interface DamoFilter {
  type: FilterType;
  matching: boolean;
  allow: boolean;
  memcgPath: string | null;
  /** Bytes. */
  addressRange: { start: bigint; end: bigint } | null;
  damonTargetIdx: bigint | null;
  hugepageSize: [bigint, bigint] | null;
}

export interface DamoQuotas {
  timeMs: bigint;
  szBytes: bigint;
  resetIntervalMs: bigint;
  failChargeNum: bigint;
  failChargeDenom: bigint;
  goals: DamoGoal[];
  goalTuner: GoalTuner;
  effectiveSzBytes: bigint;
  /** Permil. */
  weights: { sz: bigint; nrAccesses: bigint; age: bigint };
}

export interface DamoWatermarks {
  metric: WmarkMetric;
  intervalUs: bigint;
  /** Permil. */
  high: bigint;
  mid: bigint;
  low: bigint;
}

/**
 * nr_accesses bounds: percent of the maximum (damo's CLI unit) or kernel samples. `bare`: a percent
 * bound was a bare number (damo's text_to_percent() reads "29" as the integer 29 but
 * "29 %" as 29 / 100 × 100 = 28.999999999999996): it is written back as a number, so that it
 * stages what `damo start --damos_access_rate 29 ...` stages (29 samples of 100, not 28).
 */
export type DamoNrAccesses = { unit: 'percent'; min: number; max: number; bare?: readonly [boolean, boolean] } | { unit: 'samples'; min: bigint; max: bigint };
/** age bounds: µs (damo's CLI unit) or kernel aggregation intervals. */
export interface DamoAge {
  unit: 'usec' | 'aggr_intervals';
  min: bigint;
  max: bigint;
}

export interface DamoScheme {
  action: DamosAction;
  dests: Array<{ id: number; weight: number }>;
  targetNid: number | null;
  pattern: { sz: [bigint, bigint]; nrAccesses: DamoNrAccesses; age: DamoAge };
  applyIntervalUs: bigint;
  quotas: DamoQuotas;
  wmarks: DamoWatermarks;
  filters: DamoFilter[];
  maxNrSnapshots: bigint;
}

export interface DamoTarget {
  pid: number | null;
  obsolete: boolean;
  /** Bytes. */
  regions: Array<{ start: bigint; end: bigint }>;
}

export interface DamoContext {
  ops: OpsId;
  addrUnit: bigint;
  targets: DamoTarget[];
  intervals: {
    sampleUs: bigint;
    aggrUs: bigint;
    opsUpdateUs: bigint;
    goal: { accessBp: bigint; aggrs: bigint; minSampleUs: bigint; maxSampleUs: bigint };
  };
  nrRegions: { min: bigint; max: bigint };
  pause: boolean;
  schemes: DamoScheme[];
}

export interface DamoKdamond {
  refreshMs: bigint;
  contexts: DamoContext[];
}

// ---------------------------------------------------------------------------------------------
// Defaults (damo's constructors)

export function defaultQuotas(): DamoQuotas {
  return {
    timeMs: 0n,
    szBytes: 0n,
    resetIntervalMs: ULONG_MAX,
    failChargeNum: 0n,
    failChargeDenom: 0n,
    goals: [],
    goalTuner: 'consist',
    effectiveSzBytes: 0n,
    weights: { sz: 0n, nrAccesses: 0n, age: 0n },
  };
}

export function defaultWatermarks(): DamoWatermarks {
  return { metric: 'none', intervalUs: 0n, high: 0n, mid: 0n, low: 0n };
}

export function defaultIntervals(): DamoContext['intervals'] {
  return { sampleUs: 5000n, aggrUs: 100_000n, opsUpdateUs: 1_000_000n, goal: { accessBp: 0n, aggrs: 0n, minSampleUs: 0n, maxSampleUs: 0n } };
}

export const isMigrateAction = (a: DamosAction): boolean => a === 'migrate_hot' || a === 'migrate_cold';

// ---------------------------------------------------------------------------------------------
// Value printers

export interface PrintOptions {
  /** `--raw`: plain integers in each key's own unit. */
  raw?: boolean;
}

type Leaf = string | number | boolean | null;
export type DamoJson = Leaf | DamoJson[] | { [key: string]: DamoJson };

/** A raw integer: a JSON number when a double holds it exactly, else its decimal string. */
export function rawInt(x: bigint): number | string {
  return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString();
}

const nr = (x: bigint, raw: boolean): DamoJson => (raw ? rawInt(x) : formatNumber(x));

/** damo's format_sz, exact. */
const sz = (x: bigint, raw: boolean): DamoJson => (raw ? rawInt(x) : formatBytes(x, { exact: true }));

/** damo's format_sz_accurate (six decimals), exact: "1 B", "4.000000 KiB". */
export function formatBytesAccurate(x: bigint): string {
  return formatBytes(x, { exact: true, decimals: 6 });
}

/** damo's "short" time (format_time_us/_ms), or the exact form when the short one loses digits. */
function formatTimeShortExact(x: bigint, unit: TimeUnit): string {
  const s = formatTimeShort(x, unit);
  return s === 'max' || readsBackAs(x, () => parseTime(s, unit, true)) ? s : formatTimeExact(x, unit);
}

/**
 * Whether damo reads a printed form back as x (`read`). Near ULONG_MAX its floating point reads
 * some forms back past it, which the reader refuses: those do not read back either.
 */
function readsBackAs(x: bigint, read: () => bigint): boolean {
  try {
    return read() === x;
  } catch (e) {
    if (!(e instanceof UnitError)) throw e;
    return false;
  }
}

const timeShort = (x: bigint, unit: TimeUnit, raw: boolean): DamoJson => (raw ? rawInt(x) : formatTimeShortExact(x, unit));
const timeExact = (x: bigint, unit: TimeUnit, raw: boolean): DamoJson => (raw ? rawInt(x) : formatTimeExact(x, unit));
const permil = (x: bigint, raw: boolean): DamoJson => (raw ? rawInt(x) : formatRatioExact(x, 'permil'));

/**
 * damo's percentage form of a permil or bp value, or the bare number (the key's own unit) where
 * damo would read the percentage back lower: it stages "4.1 %" of permil as 40 (parseRatio()).
 */
function formatRatioExact(x: bigint, unit: 'permil' | 'bp'): string {
  const s = formatRatio(x, unit);
  return readsBackAs(x, () => parseRatio(s, unit, true)) ? s : formatNumber(x);
}

/** A percentage of the maximum access rate: "5 %", "5.5 %", "18,446,744,073,709,551,615 %". */
export function formatPercent(p: number, raw = false): string {
  const s = formatRatio(p, 'percent');
  return raw ? s.replaceAll(',', '') : s; // raw trees print no thousands separators
}

// ---------------------------------------------------------------------------------------------
// The key tree, in damo's to_kvpairs() order

function goalTree(g: DamoGoal, raw: boolean): DamoJson {
  return {
    metric: g.metric,
    // damo prints the nid as a plain decimal string ("0"); node ids take no thousands separators.
    nid: g.nid === null ? null : raw ? g.nid : String(g.nid),
    memcg_path: g.memcgPath,
    target_value: nr(g.targetValue, raw),
    current_value: nr(g.currentValue, raw),
  };
}

function filterTree(f: DamoFilter, raw: boolean): DamoJson {
  return {
    filter_type: f.type,
    matching: f.matching,
    allow: f.allow,
    memcg_path: f.memcgPath,
    address_range: f.addressRange === null ? null : { start: nr(f.addressRange.start, raw), end: nr(f.addressRange.end, raw) },
    damon_target_idx: f.damonTargetIdx === null ? null : nr(f.damonTargetIdx, raw),
    hugepage_size: f.hugepageSize === null ? null : [sz(f.hugepageSize[0], raw), sz(f.hugepageSize[1], raw)],
  };
}

function nrAccessesText(v: DamoNrAccesses, which: 'min' | 'max', raw: boolean): DamoJson {
  if (v.unit === 'percent') {
    if (v.bare?.[which === 'min' ? 0 : 1] && Number.isSafeInteger(v[which])) return v[which];
    return formatPercent(v[which], raw);
  }
  return `${raw ? v[which].toString() : formatNumber(v[which])} samples`;
}

function ageValue(v: DamoAge, which: 'min' | 'max', raw: boolean): DamoJson {
  if (v.unit === 'usec') return timeExact(v[which], 'us', raw);
  return `${raw ? v[which].toString() : formatNumber(v[which])} aggr_intervals`;
}

function schemeTree(s: DamoScheme, raw: boolean): DamoJson {
  const out: { [key: string]: DamoJson } = {};
  out.action = s.action;
  out.dests = s.dests.map((d) => ({ id: d.id, weight: d.weight }));
  if (isMigrateAction(s.action) || s.targetNid !== null) out.target_nid = s.targetNid;
  out.access_pattern = {
    sz_bytes: { min: sz(s.pattern.sz[0], raw), max: sz(s.pattern.sz[1], raw) },
    nr_accesses: { min: nrAccessesText(s.pattern.nrAccesses, 'min', raw), max: nrAccessesText(s.pattern.nrAccesses, 'max', raw) },
    age: { min: ageValue(s.pattern.age, 'min', raw), max: ageValue(s.pattern.age, 'max', raw) },
  };
  out.apply_interval_us = timeShort(s.applyIntervalUs, 'us', raw);
  const q = s.quotas;
  out.quotas = {
    time_ms: timeExact(q.timeMs, 'ms', raw),
    sz_bytes: sz(q.szBytes, raw),
    reset_interval_ms: timeExact(q.resetIntervalMs, 'ms', raw),
    fail_charge_num: nr(q.failChargeNum, raw),
    fail_charge_denom: nr(q.failChargeDenom, raw),
    goals: q.goals.map((g) => goalTree(g, raw)),
    goal_tuner: q.goalTuner,
    effective_sz_bytes: sz(q.effectiveSzBytes, raw),
    weights: { sz_permil: permil(q.weights.sz, raw), nr_accesses_permil: permil(q.weights.nrAccesses, raw), age_permil: permil(q.weights.age, raw) },
  };
  const w = s.wmarks;
  out.watermarks = {
    metric: w.metric,
    interval_us: timeExact(w.intervalUs, 'us', raw),
    high_permil: permil(w.high, raw),
    mid_permil: permil(w.mid, raw),
    low_permil: permil(w.low, raw),
  };
  out.filters = s.filters.map((f) => filterTree(f, raw));
  if (s.maxNrSnapshots !== 0n) out.max_nr_snapshots = nr(s.maxNrSnapshots, raw);
  return out;
}

function contextTree(c: DamoContext, raw: boolean): DamoJson {
  const i = c.intervals;
  return {
    ops: c.ops,
    addr_unit: raw ? rawInt(c.addrUnit) : formatBytesAccurate(c.addrUnit),
    targets: c.targets.map((t) => ({
      pid: t.pid,
      obsolete: t.obsolete,
      regions: t.regions.map((r) => ({ start: nr(r.start, raw), end: nr(r.end, raw) })),
    })),
    intervals: {
      sample_us: timeShort(i.sampleUs, 'us', raw),
      aggr_us: timeShort(i.aggrUs, 'us', raw),
      ops_update_us: timeShort(i.opsUpdateUs, 'us', raw),
      intervals_goal: {
        access_bp: raw ? rawInt(i.goal.accessBp) : formatRatioExact(i.goal.accessBp, 'bp'),
        aggrs: nr(i.goal.aggrs, raw),
        min_sample_us: timeShort(i.goal.minSampleUs, 'us', raw),
        max_sample_us: timeShort(i.goal.maxSampleUs, 'us', raw),
      },
    },
    nr_regions: { min: nr(c.nrRegions.min, raw), max: nr(c.nrRegions.max, raw) },
    probes: [],
    sample_control: { primitives_enabled: { page_table: true, page_fault: false }, sample_filters: [] },
    pause: c.pause,
    schemes: c.schemes.map((s) => schemeTree(s, raw)),
  };
}

/** The kdamonds list as damo prints it (params only: no state, pid or stats). */
export function kdamondsTree(kdamonds: readonly DamoKdamond[], opts: PrintOptions = {}): DamoJson[] {
  const raw = opts.raw === true;
  return kdamonds.map((k) => ({
    refresh_ms: rawInt(k.refreshMs),
    contexts: k.contexts.map((c) => contextTree(c, raw)),
  }));
}
