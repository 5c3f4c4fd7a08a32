// SPDX-License-Identifier: GPL-2.0-only
/**
 * Run a scenario end to end: header, timeline records, final summary. The library entry point
 * the CLI and the tests share.
 */
import type { Scenario } from '../scenario/model.js';
import { toJson } from '../lib/json.js';
import { addGroundTruth, summarize, migrationSummary, type SchemeStats, type SchemeSummary } from '../report/summary.js';
import { Recorder, TIMELINE_VERSION, secs, type AggrRecord, type GoalRecord } from './recorder.js';
import { Simulation } from './simulation.js';
import { EventEngine } from './events.js';
import { TraceWriter, fanOutTracer } from './trace.js';

export interface RunOptions {
  /** Receives every NDJSON line (header, records, summary), in order. */
  write?: (line: string) => void;
  /** Called about once per simulated second. */
  onProgress?: (simNs: number, totalNs: number) => void;
  /** Receives the trace stream's lines (kernel tracepoint shapes; src/run/trace.ts). */
  trace?: (line: string) => void;
}

export interface RunResult {
  scenario: Scenario;
  goals: GoalRecord[];
  aggrs: AggrRecord[];
  summary: SchemeSummary[];
  /** Every scheme's final statistics. */
  stats: SchemeStats[];
  migrations: Array<{ from: number; to: number; bytes: number }>;
  simulation: Simulation;
  /** Records of the scenario's scheduled events (event, stats, tried_regions, ...), in order. */
  events: Array<Record<string, unknown>>;
}

/** Labels such as "s0 migrate_hot→0" for the summary. */
export function schemeLabels(sc: Scenario): Map<string, string> {
  const m = new Map<string, string>();
  let ctxIdx = 0;
  sc.kdamonds.forEach((k, ki) =>
    k.contexts.forEach((ctx) => {
      ctx.schemes.forEach((s, si) => {
        const dest = s.action.startsWith('migrate') ? `→${s.targetNid}` : '';
        s.quota.goals.forEach((_g, gi) => m.set(`${ki}/${ctxIdx}/${si}/${gi}`, `s${si} ${s.action}${dest}`));
      });
      ctxIdx++;
    }),
  );
  return m;
}

export function runScenario(sc: Scenario, opts: RunOptions = {}): RunResult {
  const write = opts.write;
  const ctxKdamond: number[] = [];
  sc.kdamonds.forEach((k, ki) => k.contexts.forEach(() => ctxKdamond.push(ki)));
  const rec = new Recorder(
    write,
    sc.record.aggrStride,
    (ci) => ctxKdamond[ci] ?? 0,
  );
  const sim = new Simulation(sc, opts.trace ? fanOutTracer(rec, new TraceWriter(opts.trace, (ci) => ctxKdamond[ci] ?? 0)) : rec);
  rec.attach(sim);
  const events = new EventEngine(sim, sc.events ?? [], (r) => rec.emit(r)).attach();
  write?.(toJson(header(sc, sim)));
  sim.start();
  const step = 1e9;
  for (let t = Math.min(step, sc.duration); ; t = Math.min(t + step, sc.duration)) {
    sim.runUntil(t);
    opts.onProgress?.(t, sc.duration);
    if (t >= sc.duration) break;
  }
  events.finish(sc.duration);
  for (const k of sim.kdamonds) k.kdamond.syncRegions();
  const aggrs = rec.aggrs;
  const summary = summarize(rec.goals, sc.duration / 1e9, schemeLabels(sc));
  addGroundTruth(summary, aggrs, sc.duration / 1e9);
  const migrations = migrationSummary(aggrs[aggrs.length - 1] ?? finalAggr(sim));
  const stats: SchemeStats[] = [];
  const labels = schemeLabels(sc);
  for (const k of sim.kdamonds) {
    k.kdamond.ctx.schemes.forEach((s, si) =>
      stats.push({
        kdamond: k.idx,
        ctx: k.kdamond.ctx.idx,
        scheme: si,
        label: labels.get(`${k.idx}/${k.kdamond.ctx.idx}/${si}/0`) ?? `s${si} ${s.action}`,
        nrTried: s.stat.nrTried,
        szTried: s.stat.szTried,
        nrApplied: s.stat.nrApplied,
        szApplied: s.stat.szApplied,
        szOpsFilterPassed: s.stat.szOpsFilterPassed,
        qtExceeds: s.stat.qtExceeds,
      }),
    );
  }
  write?.(toJson({ type: 'summary', t: secs(sc.duration), schemes: summary, stats, migrated: migrations }));
  return { scenario: sc, goals: rec.goals, aggrs, summary, stats, migrations, simulation: sim, events: events.records };
}

function finalAggr(sim: Simulation): AggrRecord {
  return {
    type: 'aggr',
    t: secs(sim.now),
    kdamond: 0,
    ctx: 0,
    nr_regions: 0,
    sample_us: 0,
    aggr_us: 0,
    node_used: [],
    hot_bytes: [],
    migrated: sim.machine.migratedBytes.map((r) => [...r]),
  };
}

function header(sc: Scenario, sim: Simulation): object {
  const schemes: object[] = [];
  let ctxIdx = 0;
  sc.kdamonds.forEach((k, ki) =>
    k.contexts.forEach((ctx) => {
      ctx.schemes.forEach((s, si) =>
        schemes.push({
          kdamond: ki,
          ctx: ctxIdx,
          scheme: si,
          action: s.action,
          target_nid: s.targetNid,
          goal_tuner: s.quota.goalTuner,
          goals: s.quota.goals.map((g) => ({ metric: g.metric, nid: g.nid, target_value: g.targetValue })),
        }),
      );
      ctxIdx++;
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
  };
}
