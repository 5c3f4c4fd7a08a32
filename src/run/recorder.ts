// SPDX-License-Identifier: GPL-2.0-only
/**
 * The timeline recorder: NDJSON records at every quota-goal evaluation and every aggregation (or
 * every Nth), plus the ground truth only a simulator has (hot bytes per node). docs/timeline.md
 * documents the format.
 */
import { ctxIdxInKdamond, type DamonCtx } from '../damon/ctx.js';
import type { DamonTracer } from '../damon/trace.js';
import type { Damos } from '../damos/scheme.js';
import { toJson } from '../lib/json.js';
import { PAGE_SIZE } from '../lib/kint.js';
import { HotBytesTracker, usedBytesPerNode } from '../workload/truth.js';
import type { Simulation } from './simulation.js';
import { TimeOrderedLines } from './time-order.js';

export const TIMELINE_VERSION = 1;

/** Simulated seconds with microsecond resolution, rendered deterministically. */
export function secs(ns: number): number {
  return Number((ns / 1e9).toFixed(6));
}

export interface GoalRecord {
  type: 'goal';
  t: number;
  kdamond: number;
  ctx: number;
  scheme: number;
  goal: number;
  metric: string;
  nid: number;
  target_value: bigint;
  current_value: bigint;
  esz: bigint;
  nr_tried: number;
  sz_tried: number;
  nr_applied: number;
  sz_applied: number;
  qt_exceeds: number;
  /**
   * node_eligible_mem_bp goals: the bytes the evaluation's walk found eligible (the scheme's
   * pattern matched) on the goal's node and in all, whose ratio current_value is: what reconciles
   * the metric with the ground truth (damon-sim's own; no kernel output has them).
   */
  eligible_node_bytes?: number;
  eligible_bytes?: number;
}

export interface AggrRecord {
  type: 'aggr';
  t: number;
  kdamond: number;
  ctx: number;
  nr_regions: number;
  sample_us: number;
  aggr_us: number;
  node_used: number[];
  hot_bytes: number[];
  migrated: number[][];
  /**
   * In runs with a pageout scheme (the scenario's or an event's), what reclaim did to the workload
   * so far: `evicted` bytes out of memory now (anon on swap, page cache dropped), `swapped` the
   * anon part, `refaulted` bytes faulted back in, `psi_some_us` the memory "some" stall time the
   * refaults caused (the model's upper bound, docs/model.md; as accumulated, before the averaging
   * work folds it for DAMOS' some_mem_psi_us).
   */
  evicted?: number;
  swapped?: number;
  refaulted?: number;
  psi_some_us?: number;
}

/**
 * The ground truth at one aggregation: the hot set's bytes per node. Kept at every aggregation,
 * whatever record.aggr_stride writes, so the summary's truth does not depend on the stride.
 */
export type TruthSample = Pick<AggrRecord, 't' | 'kdamond' | 'ctx' | 'hot_bytes' | 'aggr_us'> & {
  /**
   * The run's own samples only: the context's DamonCtx.idleNs then, and whether this is the first
   * aggregation of a context an `on` started again. An interval over idle rounds or a stop is not
   * one of the kdamond's work (run.ts aggregationFacts()).
   */
  idleNs?: number;
  restarted?: boolean;
};

/** A context's largest region count at an aggregation, and when (damon-sim's own: no kernel file shows it). */
export interface RegionPeak {
  kdamond: number;
  ctx: number;
  nrRegions: number;
  /** Simulated seconds. */
  t: number;
  /** max_nr_regions then. */
  maxNrRegions: number;
}

export class Recorder implements DamonTracer {
  private sim: Simulation | undefined = undefined;
  /** The context object each context index last aggregated with (an `on` builds a new one). */
  private readonly lastCtx = new Map<number, DamonCtx>();
  /** Aggregations so far, per context (DamonCtx.idx). */
  private readonly aggrCount = new Map<number, number>();
  readonly goals: GoalRecord[] = [];
  readonly aggrs: AggrRecord[] = [];
  readonly truths: TruthSample[] = [];
  /** Per context (DamonCtx.idx), at every aggregation whatever the stride writes. */
  readonly regionPeaks = new Map<number, RegionPeak>();
  private readonly stride: number;
  /**
   * Ground truth and the migration matrix only change when memory moves (a new layout epoch) or
   * the workload changes phase; records share one snapshot until then.
   */
  private truthKey = '';
  private truth: { used: number[]; hot: number[]; migrated: number[][] } = { used: [], hot: [], migrated: [] };
  private hotBytes: HotBytesTracker | undefined = undefined;

  /** The timeline's records in time order across kdamonds (run.ts sets its clock when there are several). */
  readonly out: TimeOrderedLines | undefined;

  constructor(
    write: ((line: string) => void) | undefined,
    stride: number,
    private readonly kdamondOfCtx: (ctxIdx: number) => number = () => 0,
    /** The run's end (simulated ns): region peaks are the run's up to it. */
    private readonly endNs = Infinity,
  ) {
    this.stride = Math.max(1, stride);
    this.out = write ? new TimeOrderedLines(write) : undefined;
  }

  attach(sim: Simulation): void {
    this.sim = sim;
    this.hotBytes = new HotBytesTracker(sim.machine, sim.workload);
    const pageout = (k: { contexts: ReadonlyArray<{ schemes: ReadonlyArray<{ action: string }> }> }) => k.contexts.some((c) => c.schemes.some((x) => x.action === 'pageout'));
    this.reclaim = sim.scenario.kdamonds.some(pageout) || (sim.scenario.events ?? []).some((e) => e.params !== undefined && pageout(e.params));
  }

  /** Whether the aggr records carry what reclaim did (a pageout scheme in the run). */
  private reclaim = false;

  /** Write a record stamped `ns`, its exact simulated time (its `t` is rounded to µs): records of one µs keep their order. */
  emit(rec: { t: number }, ns: number): void {
    this.out?.add(ns, toJson(rec));
  }

  quotaSet(ctx: DamonCtx, schemeIdx: number, s: Damos, atNs: number): void {
    const q = s.quota;
    q.goals.forEach((g, gi) => {
      const rec: GoalRecord = {
        type: 'goal',
        t: secs(atNs),
        kdamond: this.kdamondOfCtx(ctx.idx),
        ctx: ctxIdxInKdamond(ctx),
        scheme: schemeIdx,
        goal: gi,
        metric: g.metric,
        nid: g.nid,
        target_value: g.targetValue,
        current_value: g.currentValue,
        esz: q.esz,
        nr_tried: s.stat.nrTried,
        sz_tried: s.stat.szTried,
        nr_applied: s.stat.nrApplied,
        sz_applied: s.stat.szApplied,
        qt_exceeds: s.stat.qtExceeds,
      };
      if (g.metric === 'node_eligible_mem_bp' && g.eligible) {
        rec.eligible_node_bytes = g.eligible.onNode;
        rec.eligible_bytes = g.eligible.total;
      }
      this.goals.push(rec);
      this.emit(rec, atNs);
    });
  }

  aggregated(ctx: DamonCtx): void {
    const sim = this.sim;
    if (!sim) return;
    const key = `${sim.machine.layoutEpoch}/${sim.workload.phaseIndex(ctx.clock.now)}`;
    if (key !== this.truthKey) {
      this.truthKey = key;
      this.truth = {
        used: usedBytesPerNode(sim.machine),
        hot: this.hotBytes?.perNode(ctx.clock.now) ?? [],
        migrated: sim.machine.migratedBytes.map((row) => [...row]),
      };
    }
    const t = secs(ctx.clock.now);
    const kdamond = this.kdamondOfCtx(ctx.idx);
    const ctxIdx = ctxIdxInKdamond(ctx);
    const restarted = this.lastCtx.has(ctx.idx) && this.lastCtx.get(ctx.idx) !== ctx;
    this.lastCtx.set(ctx.idx, ctx);
    this.truths.push({ t, kdamond, ctx: ctxIdx, hot_bytes: this.truth.hot, aggr_us: ctx.attrs.aggrInterval, idleNs: ctx.idleNs, restarted });
    const nrRegions = ctx.nrRegions;
    const peak = this.regionPeaks.get(ctx.idx);
    // The run's peak: not one an iteration that finished past the end made (as the summary's figures).
    if (ctx.clock.now <= this.endNs && (!peak || nrRegions > peak.nrRegions))
      this.regionPeaks.set(ctx.idx, { kdamond, ctx: ctxIdx, nrRegions, t, maxNrRegions: ctx.attrs.maxNrRegions });
    // Every stride-th aggregation of each context (a count over all of them would favour whichever
    // kdamond aggregates more often).
    const nth = this.aggrCount.get(ctx.idx) ?? 0;
    this.aggrCount.set(ctx.idx, nth + 1);
    if (nth % this.stride !== 0) return;
    const rec: AggrRecord = {
      type: 'aggr',
      t,
      kdamond,
      ctx: ctxIdx,
      nr_regions: nrRegions,
      sample_us: ctx.attrs.sampleInterval,
      aggr_us: ctx.attrs.aggrInterval,
      node_used: this.truth.used,
      hot_bytes: this.truth.hot,
      migrated: this.truth.migrated,
    };
    if (this.reclaim) {
      rec.evicted = sim.machine.evicted.totalBytes;
      rec.swapped = sim.machine.evicted.swapUsed;
      rec.refaulted = sim.refaulter.refaults * PAGE_SIZE;
      rec.psi_some_us = sim.mm.psiSomeUs;
    }
    this.aggrs.push(rec);
    this.emit(rec, ctx.clock.now);
  }
}
