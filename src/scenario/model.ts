// SPDX-License-Identifier: GPL-2.0-only
/**
 * The normalised scenario: one internal model that every input format (scenario files with damo's
 * kdamonds format, damo command lines, sysfs trees) produces and every emitter reads. DAMON
 * parameters are in kernel units here (samples, aggregation intervals, µs, bytes, bp).
 *
 * Plain data only (no classes, functions or symbols): a run of a comparison or a sweep is sent to
 * a worker thread as its Scenario, which crosses threads by structured clone (cli/run-pool.ts).
 */
import type { DamonAttrs } from '../damon/attrs.js';
import type { AddrRange } from '../damon/region.js';
import type { DamosAccessPattern, DamosAction, DamosDest, FilterType, GoalTuner, QuotaGoalMetric, WmarkMetric } from '../damos/scheme.js';
import type { MachineSpec } from '../machine/machine.js';
import type { OpsId } from '../ops/operations.js';
import type { SamplingMode } from '../ops/paddr.js';
import type { ProfileOverrides } from '../profiles.js';
import type { ScheduledEvent } from './events.js';
import { PAGE_SIZE, ULONG_MAX } from '../lib/kint.js';

/** The latest simulated time an event (`at`) or `--duration` can name: 2^53 − 1 ns (times are ns in exact doubles). */
export const MAX_SIM_TIME_NS = Number.MAX_SAFE_INTEGER;
/** MAX_SIM_TIME_NS in whole days (104), for messages. */
export const MAX_SIM_TIME_DAYS = Math.floor(MAX_SIM_TIME_NS / 86_400e9);
/** A point in simulated time (an event's or a hot-set move's `at`), in every message about one. */
export const SIM_TIME_EXPECTED = `a time from 0 to ${MAX_SIM_TIME_DAYS} days, such as "90 s" or "1 m 30 s" (a bare number is seconds)`;
/**
 * A run's length, in every message about one (the file's `duration`, `--duration`): at least a
 * millisecond, as shorter is not one sampling interval; "max" would never end.
 */
export const DURATION_EXPECTED = `a time from 1 ms to ${MAX_SIM_TIME_DAYS} days, such as "90 s" or "10 m" (a bare number is seconds)`;
/** When a hot set moves: after the start, as a move at 0 would be the initial placement. */
export const HOT_MOVE_TIME_EXPECTED = `a time after 0, up to ${MAX_SIM_TIME_DAYS} days, such as "90 s" or "1 m 30 s" (a bare number is seconds)`;

/** A time past MAX_SIM_TIME_NS as a message shows it: in days, or damo's "max". */
export function simTimeFound(ns: bigint): string {
  return ns === ULONG_MAX ? '"max" (ULONG_MAX ns)' : `${(Number(ns) / 86_400e9).toFixed(1)} days (${ns} ns)`;
}

export interface GoalParams {
  metric: QuotaGoalMetric;
  targetValue: bigint;
  currentValue: bigint;
  nid: number | null;
  memcgPath: string | null;
}

export interface FilterParams {
  type: FilterType;
  matching: boolean;
  allow: boolean;
  memcgPath: string | null;
  addrRange: AddrRange | null;
  targetIdx: number | null;
  hugepageSize: [number, number] | null;
  /**
   * Where a damo config gave it, if the config used core_filters or ops_filters: they are
   * installed before filters (damos.md §6.5), so a filter's index in the list is not its index in
   * the document, which a check's message names. Unset: filters[i] at its own index.
   */
  source?: { key: 'core_filters' | 'ops_filters' | 'filters'; index: number };
}

export interface QuotaParams {
  ms: number;
  sz: bigint;
  resetIntervalMs: number;
  failChargeNum: number;
  failChargeDenom: number;
  goals: GoalParams[];
  goalTuner: GoalTuner;
  weightSz: number;
  weightNrAccesses: number;
  weightAge: number;
}

export interface WatermarkParams {
  metric: WmarkMetric;
  intervalUs: number;
  high: number;
  mid: number;
  low: number;
}

export interface SchemeParams {
  action: DamosAction;
  targetNid: number;
  dests: DamosDest[];
  pattern: DamosAccessPattern;
  applyIntervalUs: number;
  quota: QuotaParams;
  wmarks: WatermarkParams;
  filters: FilterParams[];
  maxNrSnapshots: number;
}

export interface TargetParams {
  pid: number | null;
  obsolete: boolean;
  regions: AddrRange[];
}

export interface ContextParams {
  ops: OpsId;
  addrUnit: number;
  attrs: Omit<DamonAttrs, 'aggrSamples'>;
  targets: TargetParams[];
  schemes: SchemeParams[];
  pause: boolean;
}

export interface KdamondParams {
  refreshMs: number;
  contexts: ContextParams[];
}

/** A hot subset of an area: `share` of the area's accesses go to `bytes` at `offset`. */
export interface HotParams {
  bytes: number;
  /** In [0, 1]. */
  share: number;
  offset: number;
  /** Later offsets of the hot subset (at: ns). */
  moves: Array<{ at: number; offset: number }>;
}

/** A virtual memory area of a process, resident from the start (first touch). */
export interface AreaParams {
  name: string;
  bytes: number;
  /** Anonymous memory; otherwise page cache. */
  anon: boolean;
  /** Mapped into page tables (unmapped page cache is reached through read()/write()). */
  mapped: boolean;
  thp: boolean;
  /** Node preference order for first-touch allocation. */
  nodes: number[];
  /** Page access events per second over the whole area. */
  accessRate: number;
  hot: HotParams | null;
}

/**
 * The access rate of one 4 KiB page of the area's hot set and of one of its other pages, per
 * second (docs/model.md, "Workloads"): access_rate is the area's whole rate, and a hot set that is
 * the whole area takes all of it. An area without a hot set has one rate for both.
 */
export function areaPageRates(a: Pick<AreaParams, 'bytes' | 'accessRate' | 'hot'>): { hot: number; cold: number } {
  const pages = a.bytes / PAGE_SIZE;
  if (!a.hot || a.hot.bytes === 0) {
    const r = pages > 0 ? a.accessRate / pages : 0;
    return { hot: r, cold: r };
  }
  const hotPages = a.hot.bytes / PAGE_SIZE;
  const coldPages = pages - hotPages;
  return {
    hot: ((coldPages > 0 ? a.hot.share : 1) * a.accessRate) / hotPages,
    cold: coldPages > 0 ? ((1 - a.hot.share) * a.accessRate) / coldPages : 0,
  };
}

/** The workload's hot set: every area's hot bytes. */
export function hotSetBytes(w: WorkloadParams): number {
  return w.processes.reduce((s, p) => s + p.areas.reduce((x, a) => x + (a.hot?.bytes ?? 0), 0), 0);
}

export interface ProcessParams {
  name: string;
  memcg: string;
  areas: AreaParams[];
}

export interface WorkloadParams {
  processes: ProcessParams[];
  /** Written as `type: hotset` (one process, one area, its keys on `workload` itself): where issue paths point. */
  hotsetForm?: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  /** Simulated run length, ns. */
  duration: number;
  kernel: { profile: string; hz: number; overrides?: ProfileOverrides };
  sampling: SamplingMode;
  machine: MachineSpec;
  workload: WorkloadParams;
  kdamonds: KdamondParams[];
  record: { aggrStride: number };
  /** Scheduled online changes (sysfs state commands), in time order. */
  events?: ScheduledEvent[];
}
