// SPDX-License-Identifier: GPL-2.0-only
/**
 * Run a scenario end to end: header, timeline records, final summary. The library entry point
 * the CLI and the tests share.
 */
import { median } from '../lib/stats.js';
import { ctxIdxInKdamond, type DamonCtx } from '../damon/ctx.js';
import { keptGoals } from './build.js';
import type { GoalParams, Scenario, SchemeParams } from '../scenario/model.js';
import { toJson } from '../lib/json.js';
import { emitKdamonds } from '../formats/damo/emit.js';
import { DEFAULT_TOLERANCE, UNEVALUATED, addGroundTruth, cmpGoal, exactNumber, goalKey, goalLabel, hotSetMoveTimes, schemeKey, stoppedSpans, summarize, migrationSummary, type GoalId, type Migration, type SchemeStats, type SchemeSummary } from '../report/summary.js';
import { Recorder, TIMELINE_VERSION, secs, type AggrRecord, type GoalRecord, type TruthSample } from './recorder.js';
import { Simulation } from './simulation.js';
import { EventEngine, SCHEME_WRITES, writesOf } from './events.js';
import { TRACEPOINTS, TraceWriter, fanOutTracer, parseTracepoints, type Tracepoint } from './trace.js';
import { validateScenario } from '../scenario/validate.js';
import { ConfigError, type Collector } from '../scenario/issues.js';

export interface RunOptions {
  /** Receives every NDJSON line (header, records, summary), in order. */
  write?: (line: string) => void;
  /** Called about once per simulated second (with the simulation, for callers that measure it). */
  onProgress?: (simNs: number, totalNs: number, sim: Simulation) => void;
  /** Receives the trace stream's lines (kernel tracepoint shapes; src/run/trace.ts). */
  trace?: (line: string) => void;
  /** The band around a goal's target the summary judges by, in the metric's unit (DEFAULT_TOLERANCE, 100, when unset). */
  tolerance?: number;
  /** Only these tracepoints in the trace stream (all when unset); `damon:` before a name is taken, an unknown name is a TypeError. */
  traceEvents?: Iterable<Tracepoint | `damon:${Tracepoint}`>;
}

export interface RunResult {
  goals: GoalRecord[];
  aggrs: AggrRecord[];
  summary: SchemeSummary[];
  /** Every scheme's final statistics. */
  stats: SchemeStats[];
  migrations: Migration[];
  simulation: Simulation;
  /** Records of the scenario's scheduled events (event, stats, tried_regions, ...), in order. */
  events: Array<Record<string, unknown>>;
  /** Each context's region count at its peak, the quota splits its filters rejected, and how long its aggregation intervals lasted. */
  regions: ContextRegions[];
}

/**
 * What damon-sim sees of a context's regions over the run and the kernel shows nowhere: the
 * largest count at an aggregation (apply-pass splits can leave far more than max_nr_regions until
 * the next merge, and every sample walks them all) and ctx.rejectedQuotaSplits.
 */
export interface ContextRegions {
  kdamond: number;
  ctx: number;
  /** null: the context never aggregated (its watermarks kept it waiting). */
  peakNrRegions: number | null;
  peakT: number | null;
  maxNrRegions: number;
  rejectedQuotaSplits: number;
  /** How long its aggregation intervals lasted; null with fewer than two aggregations. Absent in older timelines. */
  aggregation?: AggregationFacts | null;
}

/**
 * A context's aggregation intervals as they lasted in simulated time against the one configured:
 * the kdamond's own work is charged to its clock (docs/model.md "Time"), so a busy kdamond
 * aggregates, tunes and applies less often than its intervals say, and a quota sized per second
 * moves less.
 */
export interface AggregationFacts {
  /** The median interval between aggregations, s. */
  medianS: number;
  /** The median of each interval over the aggr_us in force when it began (a commit may change aggr_us). */
  medianRatio: number;
  /** The mean interval between aggregations, s. */
  meanS: number;
  /**
   * The time the intervals took over the time their aggr_us in force add up to: how many times
   * fewer aggregations the run had than configured (a run of mostly short intervals and some
   * very long ones has a small median and a large mean).
   */
  meanRatio: number;
  /** aggr_us at the end of the run, and whether it was the same throughout. */
  aggrUs: number;
  aggrUsChanged: boolean;
  autoTuned: boolean;
}

/** Every goal a scheme kept, with its id as the goal records number it. */
function forEachKeptGoal(sc: Scenario, fn: (id: GoalId, s: SchemeParams, g: GoalParams) => void): void {
  sc.kdamonds.forEach((k, ki) =>
    k.contexts.forEach((ctx, ci) => ctx.schemes.forEach((s, si) => keptGoals(s).forEach((g, gi) => fn({ kdamond: ki, ctx: ci, scheme: si, goal: gi }, s, g)))),
  );
}

/** Labels such as "s0 migrate_hot→0" for the summary. */
export function schemeLabels(sc: Scenario): Map<string, string> {
  const m = new Map<string, string>();
  // By scheme: summarize() falls back to the scheme's label for each of its goals.
  sc.kdamonds.forEach((k, ki) =>
    k.contexts.forEach((c, ci) => c.schemes.forEach((s, si) => m.set(schemeKey({ kdamond: ki, ctx: ci, scheme: si }), `s${si} ${s.action}${s.action.startsWith('migrate') ? `→${s.targetNid}` : ''}`))),
  );
  return m;
}

export function runScenario(sc: Scenario, opts: RunOptions = {}): RunResult {
  const run = runSteps(sc, opts);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/** The run was stopped from outside (the CLI's SIGINT / SIGTERM / SIGHUP) before its end. */
export class RunInterrupted extends Error {
  /** What the caller's outputs are left as, for the report (the CLI fills it in). */
  outcome?: string;
  /** `reason`: the abort reason as text (the CLI's: the signal's name); `cause`: the reason itself. */
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`interrupted (${reason})`, options);
    this.name = 'RunInterrupted';
  }
}

/** Throw RunInterrupted once `signal` has been aborted (its reason, the signal's name, says why). */
export function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RunInterrupted(String(signal.reason ?? 'aborted'), { cause: signal.reason });
}

/** One turn of the event loop: signal handlers and other callbacks run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * runScenario() that gives the event loop a turn every `yieldMs` of wall time (between simulated
 * seconds), so a signal handler can run, and stops with RunInterrupted once `signal` is aborted.
 * The same steps in the same order: the output is byte-identical to runScenario()'s.
 */
export async function runScenarioAsync(sc: Scenario, opts: RunOptions & { signal?: AbortSignal; yieldMs?: number } = {}): Promise<RunResult> {
  const yieldMs = opts.yieldMs ?? 50;
  // A turn before the first step as well: a signal that came between two runs stops the next.
  await yieldToEventLoop();
  stopIfAborted(opts.signal);
  const run = runSteps(sc, opts);
  let last = performance.now();
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    if (performance.now() - last >= yieldMs) {
      await yieldToEventLoop();
      last = performance.now();
    }
    stopIfAborted(opts.signal);
  }
}

/** The parts a Scenario must have, and what each is (scenario/model.ts). */
const SCENARIO_PARTS: ReadonlyArray<[keyof Scenario, 'an object' | 'a list' | 'a number' | 'a string']> = [
  ['name', 'a string'],
  ['seed', 'a number'],
  ['kernel', 'an object'],
  ['sampling', 'a string'],
  ['machine', 'an object'],
  ['workload', 'an object'],
  ['kdamonds', 'a list'],
  ['record', 'an object'],
];

/**
 * A library caller's scenario has not been through the loader: a missing part would fail deep in
 * the run with a bare TypeError, and a duration of NaN or "30 s" would never end. The first wrong
 * part is named instead (the loader checks everything below them).
 */
function checkScenarioShape(sc: Scenario): void {
  const fix = 'scenarioFromDoc() builds a Scenario from a scenario document';
  if (sc === null || typeof sc !== 'object') throw new TypeError(`runScenario: expected a Scenario object (${fix}); found ${sc === null ? 'null' : typeof sc}`);
  if (typeof sc.duration !== 'number' || !(sc.duration > 0) || !Number.isFinite(sc.duration))
    throw new TypeError(`runScenario: expected scenario.duration in ns, a positive finite number (scenarioFromDoc() makes one from "30 s"); found ${JSON.stringify(sc.duration) ?? String(sc.duration)}`);
  for (const [key, kind] of SCENARIO_PARTS) {
    const v: unknown = sc[key];
    const is = Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : typeof v === 'number' ? 'a number' : typeof v === 'string' ? 'a string' : String(v);
    if (is !== kind) throw new TypeError(`runScenario: expected scenario.${key}, ${kind} (${fix}); found ${is}`);
  }
}

/** A run as steps of one simulated second; the generator's return value is the result. */
function* runSteps(sc: Scenario, opts: RunOptions): Generator<void, RunResult, void> {
  checkScenarioShape(sc);
  // A Scenario changed after scenarioFromDoc() (another profile, another quota) gets the checks a
  // document would have had: a run of a configuration the kernel refuses is no answer.
  const checked: Collector = { errors: [], warnings: [] };
  validateScenario(sc, checked);
  if (checked.errors.length > 0) throw new ConfigError(checked.errors);
  const traceEvents = opts.traceEvents === undefined ? undefined : parseTracepoints(opts.traceEvents);
  if (opts.tolerance !== undefined && !(Number.isSafeInteger(opts.tolerance) && opts.tolerance >= 0))
    throw new TypeError(`runScenario: expected opts.tolerance, a whole number >= 0 in the goals' unit; found ${String(opts.tolerance)}`);
  if (traceEvents && traceEvents.unknown.length > 0)
    throw new TypeError(`runScenario: expected opts.traceEvents from ${TRACEPOINTS.join(', ')} (a "damon:" prefix is taken); found ${traceEvents.unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  const write = opts.write;
  const ctxKdamond: number[] = [];
  sc.kdamonds.forEach((k, ki) => k.contexts.forEach(() => ctxKdamond.push(ki)));
  const rec = new Recorder(write, sc.record.aggrStride, (ci) => ctxKdamond[ci] ?? 0, sc.duration);
  const traceWriter = opts.trace ? new TraceWriter(opts.trace, (ci) => ctxKdamond[ci] ?? 0, traceEvents?.points) : undefined;
  const sim = new Simulation(sc, traceWriter ? fanOutTracer(rec, traceWriter) : rec);
  rec.attach(sim);
  const events = new EventEngine(sim, sc.events ?? [], (r, ns) => rec.emit(r, ns), sc.duration).attach();
  if (sim.kdamonds.length > 1) {
    // No line can come earlier than a running kdamond's clock, or than an event that will start a
    // stopped one (`on`), whose lines begin at the event's time.
    const earliestClock = (): number => {
      let min = events.nextStoppedEventNs();
      for (const k of sim.kdamonds) if (!k.kdamond.stopped && k.clock.now < min) min = k.clock.now;
      return min;
    };
    if (traceWriter) traceWriter.out.earliestClock = earliestClock;
    if (rec.out) rec.out.earliestClock = earliestClock;
  }
  write?.(toJson(header(sc, sim)));
  sim.start();
  const step = 1e9;
  for (let t = Math.min(step, sc.duration); ; t = Math.min(t + step, sc.duration)) {
    sim.runUntil(t);
    opts.onProgress?.(t, sc.duration, sim);
    if (t >= sc.duration) break;
    yield;
  }
  events.finish(sc.duration);
  traceWriter?.out.flush();
  rec.out?.flush();
  for (const k of sim.kdamonds) k.kdamond.syncRegions();
  const aggrs = rec.aggrs;
  const labels = schemeLabels(sc);
  const stats = finalStats(sim, labels);
  const goalWrites = writesOf(events.records, SCHEME_WRITES);
  const initialGoals = sc.kdamonds.flatMap((k, ki) => k.contexts.map((c, ci) => ({ kdamond: ki, ctx: ci, goals: c.schemes.map((s) => keptGoals(s).length) })));
  const hotSetMoves = hotSetMoveTimes(sc.workload, sc.duration / 1e9);
  // Each context's aggregations within the run (an iteration begun before the end may end past it).
  const truthsOf = (kdamond: number, ctx: number) => rec.truths.filter((x) => x.kdamond === kdamond && x.ctx === ctx && x.t <= sc.duration / 1e9);
  const aggregations = (kdamond: number, ctx: number) => truthsOf(kdamond, ctx).map((x) => x.t);
  const stopped = stoppedSpans(events.records, sc.duration / 1e9);
  const summary = summarize(rec.goals, sc.duration / 1e9, labels, opts.tolerance ?? DEFAULT_TOLERANCE, { finalStats: stats, goalWrites, initialGoals, hotSetMoves, aggregations, stopped });
  // The machine's own counters at the end: not the last recorded aggregation, which record.aggr_stride
  // can make far older than the end (or which watermarks may have kept from being made at all).
  const migrations = migrationSummary({ migrated: sim.machine.migratedBytes }, sim.machine.returns);
  completeGoalRows(sc, summary, stats, labels, opts.tolerance ?? DEFAULT_TOLERANCE);
  // After the rows of goals never evaluated: the ground truth holds for them too.
  addGroundTruth(summary, rec.truths, sc.duration / 1e9, stopped);
  // Sizes the kernel reports count core address units; say which unit where it is not bytes (the
  // one in force at the end: a commit may have changed it, and then the counters mix units, as
  // the kernel's do).
  for (const row of [...summary, ...stats]) {
    const au = sim.kdamonds.find((k) => k.idx === row.kdamond)?.kdamond.ctx.addrUnit ?? 1;
    if (au !== 1) row.addrUnit = au;
  }
  const regions: ContextRegions[] = sim.kdamonds.map((k) => {
    const peak = rec.regionPeaks.get(k.kdamond.ctx.idx);
    return {
      kdamond: k.idx,
      ctx: ctxIdxInKdamond(k.kdamond.ctx),
      peakNrRegions: peak?.nrRegions ?? null,
      peakT: peak?.t ?? null,
      maxNrRegions: peak?.maxNrRegions ?? k.kdamond.ctx.attrs.maxNrRegions,
      rejectedQuotaSplits: sim.rejectedQuotaSplits(k.idx),
      aggregation: aggregationFacts(k.kdamond.ctx, truthsOf(k.idx, ctxIdxInKdamond(k.kdamond.ctx))),
    };
  });
  write?.(toJson({ type: 'summary', t: secs(sc.duration), schemes: summary, stats, migrated: migrations, regions }));
  return { goals: rec.goals, aggrs, summary, stats, migrations, simulation: sim, events: events.records, regions };
}

/**
 * How long a context's aggregation intervals lasted, from the times of its aggregations (`ts`,
 * every one): the intervals the kdamond monitored throughout, not one that spans idle rounds (a
 * pause, a watermark wait) or a stop and start again (a diff review found an off/on read as 3.2×
 * slower). null without two aggregations, or without such an interval.
 */
function aggregationFacts(ctx: DamonCtx, ts: readonly TruthSample[]): AggregationFacts | null {
  const spans = ts.slice(1).flatMap((x, i) => (x.restarted || x.idleNs !== ts[i].idleNs ? [] : [{ gap: x.t - ts[i].t, aggrUs: ts[i].aggr_us }]));
  if (spans.length === 0) return null;
  const gaps = spans.map((x) => x.gap);
  const ratios = spans.map((x) => (x.aggrUs > 0 ? (x.gap * 1e6) / x.aggrUs : 0));
  const took = gaps.reduce((a, g) => a + g, 0);
  const configured = spans.reduce((a, x) => a + x.aggrUs / 1e6, 0);
  // The times are whole µs; their differences carry float residues, which the record need not.
  const ns = (x: number) => Number(x.toFixed(9));
  return {
    medianS: ns(median(gaps) as number), // one gap at least
    medianRatio: ns(median(ratios) as number),
    meanS: ns(took / gaps.length),
    meanRatio: ns(configured > 0 ? took / configured : 0),
    aggrUs: ctx.attrs.aggrInterval,
    aggrUsChanged: ts.some((x) => x.aggr_us !== ctx.attrs.aggrInterval),
    autoTuned: ctx.attrs.intervalsGoal.aggrs !== 0,
  };
}

/** Every scheme's DAMOS stats at the end of the run. */
function finalStats(sim: Simulation, labels: ReadonlyMap<string, string>): SchemeStats[] {
  const stats: SchemeStats[] = [];
  for (const k of sim.kdamonds) {
    k.kdamond.ctx.schemes.forEach((s, si) =>
      stats.push({
        kdamond: k.idx,
        ctx: ctxIdxInKdamond(k.kdamond.ctx),
        scheme: si,
        label: labels.get(schemeKey({ kdamond: k.idx, ctx: ctxIdxInKdamond(k.kdamond.ctx), scheme: si })) ?? `s${si} ${s.action}`,
        nrTried: s.stat.nrTried,
        szTried: s.stat.szTried,
        nrApplied: s.stat.nrApplied,
        szApplied: s.stat.szApplied,
        szOpsFilterPassed: s.stat.szOpsFilterPassed,
        qtExceeds: s.stat.qtExceeds,
      }),
    );
  }
  return stats;
}

/**
 * Goals never evaluated (their scheme never applied) get a summary row too, with 0 evaluations and
 * their scheme's applied totals at the end of the run.
 */
function completeGoalRows(sc: Scenario, summary: SchemeSummary[], stats: readonly SchemeStats[], labels: ReadonlyMap<string, string>, toleranceBp: number): void {
  const have = new Set(summary.map(goalKey));
  forEachKeptGoal(sc, (id, _s, g) => {
    if (have.has(goalKey(id))) return;
    const st = stats.find((x) => x.kdamond === id.kdamond && x.ctx === id.ctx && x.scheme === id.scheme);
    summary.push({
      ...id,
      label: labels.get(schemeKey(id)) ?? goalLabel({ scheme: id.scheme, metric: g.metric, nid: g.nid ?? 0 }),
      metric: g.metric,
      nid: g.nid ?? 0,
      target: exactNumber(g.targetValue),
      ...UNEVALUATED,
      szApplied: st?.szApplied ?? 0,
      nrApplied: st?.nrApplied ?? 0,
      qtExceeds: st?.qtExceeds ?? 0,
      // Judged by the run's band like the evaluated rows (their table heads the rows by it).
      ...(toleranceBp !== DEFAULT_TOLERANCE ? { tolerance: toleranceBp } : {}),
    });
  });
  summary.sort(cmpGoal);
}

function header(sc: Scenario, sim: Simulation): object {
  const schemes: object[] = [];
  sc.kdamonds.forEach((k, ki) =>
    k.contexts.forEach((ctx, ci) => {
      ctx.schemes.forEach((s, si) =>
        schemes.push({
          kdamond: ki,
          ctx: ci,
          scheme: si,
          action: s.action,
          target_nid: s.targetNid,
          goal_tuner: s.quota.goalTuner,
          goals: keptGoals(s).map((g) => ({ metric: g.metric, nid: g.nid, target_value: g.targetValue })),
        }),
      );
    }),
  );
  return {
    type: 'header',
    format: 'damon-sim-timeline',
    version: TIMELINE_VERSION,
    scenario: sc.name,
    seed: sc.seed,
    duration_s: secs(sc.duration),
    profile: sim.profile.name,
    sampling: sc.sampling,
    nodes: sim.machine.nodes.map((n) => ({ nid: n.nid, kind: n.kind, start: n.start, end: n.end, capacity: n.capacity, latency_ns: n.latencyNs })),
    workload: sim.workload.description,
    schemes,
    // The whole DAMON configuration the run started with, as a scenario's `damon` part and as
    // `damon-sim export --raw` prints it (`run --kdamonds` takes it back for a scenario without
    // events): quotas, filters and intervals tell one variant's timeline from another's once the
    // files are renamed.
    damon: emitKdamonds(sc.kdamonds, { raw: true }),
    // The machine and workload as the run read them (`workload` above is for people): a hot share
    // or a hot-set move tells one variant from another too (report summary's setup section).
    // Costs as the machine resolved them (defaults filled in), so that leaving one out and giving
    // its default are the same setup.
    model: snakeKeys({ machine: { ...sc.machine, costs: sim.machine.costs }, workload: { processes: sc.workload.processes } }),
    // The scenario's kernel part: HZ, and the overrides with their values (`profile` above names them only).
    kernel: { profile: sc.kernel.profile, hz: sc.kernel.hz, ...(sc.kernel.overrides ? { overrides: sc.kernel.overrides } : {}) },
  };
}

/** A plain value with its mappings' keys in snake_case (the timeline's), `holeBetweenNodes` as `hole_between_nodes`. */
function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== 'object') return v;
  // migrateNsPer4k is the scenario's migrate_ns_per_4k: a digit run starts a word too.
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/([a-z])(\d)/g, '$1_$2'), snakeKeys(x)]));
}
