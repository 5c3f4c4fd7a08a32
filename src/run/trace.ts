// SPDX-License-Identifier: GPL-2.0-only
/**
 * The trace stream (`damon-sim run --trace FILE`): the kernel's DAMON tracepoints in the line
 * shape `perf script` prints and damo parses (damo-formats.md §3.3):
 *
 *   kdamond.<K> <pid> [000] <secs>.<usecs>: damon:<event>: <fields>
 *
 * Events and fields follow include/trace/events/damon.h: damon_aggregated (one line per region
 * per aggregation, before the counters reset), damos_before_apply (each region a scheme is about
 * to act on), damos_esz (when a new charge window changed esz, and under switch
 * eszTraceAtFirstSetup, on in b1, when the first window set it), damos_stat_after_apply_interval
 * (every due scheme after each apply pass),
 * damon_monitor_intervals_tune (after each interval auto-tuning), and the node_eligible
 * RFC tracepoint damos_node_eligible_mem_bp (every evaluation of such a goal; beyond upstream,
 * damo-formats.md §3.5). ctx_idx is the context's index in its kdamond (always 0: one context per
 * kdamond), target_id the target's index. The pid is 1000 + the kdamond index; the clock is the
 * simulated time since boot. Deterministic: same scenario and seed, same bytes.
 */
import { ctxIdxInKdamond, type DamonCtx } from '../damon/ctx.js';
import type { DamonTracer } from '../damon/trace.js';
import type { DamonRegion } from '../damon/region.js';
import type { Damos, DamosQuotaGoal } from '../damos/scheme.js';
import { TimeOrderedLines } from './time-order.js';

/** The tracepoints the stream has, as `perf record -e damon:<name>` names them. */
export const TRACEPOINTS = ['damon_aggregated', 'damos_before_apply', 'damos_esz', 'damos_node_eligible_mem_bp', 'damos_stat_after_apply_interval', 'damon_monitor_intervals_tune'] as const;
export type Tracepoint = (typeof TRACEPOINTS)[number];

/**
 * Tracepoint names as `perf record -e` takes them (`damon:` in front or not), as Tracepoints, and
 * those that name none (trimmed, without the prefix).
 */
export function parseTracepoints(names: Iterable<string>): { points: Set<Tracepoint>; unknown: string[] } {
  const known = new Set<string>(TRACEPOINTS);
  const points = new Set<Tracepoint>();
  const unknown: string[] = [];
  for (const raw of names) {
    const n = String(raw).trim().replace(/^damon:/, '');
    if (known.has(n)) points.add(n as Tracepoint);
    else unknown.push(n);
  }
  return { points, unknown };
}

/** `<secs>.<usecs>` of a simulated ns time. */
export function traceTimestamp(ns: number): string {
  const us = Math.floor(ns / 1000);
  const s = Math.floor(us / 1e6);
  return `${s}.${String(us - s * 1e6).padStart(6, '0')}`;
}

export class TraceWriter implements DamonTracer {
  /** Lines in time order across kdamonds (run.ts sets its clock when there are several). */
  readonly out: TimeOrderedLines;

  /** Whether each tracepoint is recorded (all, unless a selection was given, as `perf record -e` selects). */
  private readonly on: Record<Tracepoint, boolean>;

  constructor(
    write: (line: string) => void,
    private readonly kdamondOfCtx: (ctxIdx: number) => number = () => 0,
    events?: ReadonlySet<Tracepoint>,
  ) {
    this.out = new TimeOrderedLines(write);
    this.on = Object.fromEntries(TRACEPOINTS.map((e) => [e, events === undefined || events.has(e)])) as Record<Tracepoint, boolean>;
  }

  /** A line stamped `atNs`: the kdamond's clock, or a time in the step it is taking. */
  private line(ctx: DamonCtx, event: string, fields: string, atNs = ctx.clock.now): void {
    const k = this.kdamondOfCtx(ctx.idx);
    this.out.add(atNs, `kdamond.${k} ${1000 + k} [000] ${traceTimestamp(atNs)}: damon:${event}: ${fields}`);
  }

  aggregated(ctx: DamonCtx): void {
    // A tracepoint not selected costs no formatting (one line per region per aggregation).
    if (!this.on.damon_aggregated) return;
    ctx.targets.forEach((t, ti) => {
      const n = t.regions.length;
      for (const r of t.regions) this.line(ctx, 'damon_aggregated', `target_id=${ti} nr_regions=${n} ${r.start}-${r.end}: ${r.nrAccesses} ${r.age}`);
    });
  }

  beforeApply(ctx: DamonCtx, schemeIdx: number, targetIdx: number, r: DamonRegion, nrRegions: number): void {
    if (!this.on.damos_before_apply) return;
    // The rate the access pattern was matched with: nr_accesses_bp / 10000 (since 6.7), or the
    // pseudo moving sum where the profile computes one (the tracepoint takes it as an argument).
    this.line(
      ctx,
      'damos_before_apply',
      `ctx_idx=${ctxIdxInKdamond(ctx)} scheme_idx=${schemeIdx} target_idx=${targetIdx} nr_regions=${nrRegions} ${r.start}-${r.end}: ${ctx.patternNrAccesses(r)} ${r.age}`,
    );
  }

  eszTraced(ctx: DamonCtx, schemeIdx: number, s: Damos, atNs: number): void {
    if (!this.on.damos_esz) return;
    this.line(ctx, 'damos_esz', `ctx_idx=${ctxIdxInKdamond(ctx)} scheme_idx=${schemeIdx} esz=${s.quota.esz}`, atNs);
  }

  goalEvaluated(ctx: DamonCtx, schemeIdx: number, _goalIdx: number, _s: Damos, g: DamosQuotaGoal, atNs: number): void {
    if (g.metric !== 'node_eligible_mem_bp' || !this.on.damos_node_eligible_mem_bp) return;
    this.line(ctx, 'damos_node_eligible_mem_bp', `ctx_idx=${ctxIdxInKdamond(ctx)} scheme_idx=${schemeIdx} nid=${g.nid} target_value=${g.targetValue} current_value=${g.currentValue}`, atNs);
  }

  applied(ctx: DamonCtx, schemeIdx: number, s: Damos): void {
    if (!this.on.damos_stat_after_apply_interval) return;
    const st = s.stat;
    this.line(
      ctx,
      'damos_stat_after_apply_interval',
      `ctx_idx=${ctxIdxInKdamond(ctx)} scheme_idx=${schemeIdx} nr_tried=${st.nrTried} sz_tried=${st.szTried} nr_applied=${st.nrApplied} sz_applied=${st.szApplied} ` +
        `sz_ops_filter_passed=${st.szOpsFilterPassed} qt_exceeds=${st.qtExceeds} nr_snapshots=${st.nrSnapshots}`,
    );
  }

  intervalsTuned(ctx: DamonCtx, sampleUs: number): void {
    if (!this.on.damon_monitor_intervals_tune) return;
    this.line(ctx, 'damon_monitor_intervals_tune', `sample_us=${sampleUs}`);
  }
}

/** Several tracers behind one (the recorder and the trace stream). */
export function fanOutTracer(...tracers: Array<DamonTracer | undefined>): DamonTracer {
  const ts = tracers.filter((t): t is DamonTracer => t !== undefined);
  if (ts.length === 1) return ts[0];
  const out: DamonTracer = {};
  const keys = ['aggregated', 'beforeApply', 'goalEvaluated', 'quotaSet', 'eszTraced', 'applied', 'intervalsTuned'] as const;
  for (const key of keys) {
    const fns = ts.filter((t) => typeof t[key] === 'function');
    if (fns.length === 0) continue;
    (out as Record<string, unknown>)[key] = (...args: unknown[]) => {
      for (const t of fns) (t[key] as (...a: unknown[]) => void).apply(t, args);
    };
  }
  return out;
}
