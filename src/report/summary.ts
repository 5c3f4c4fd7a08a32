// SPDX-License-Identifier: GPL-2.0-only
/**
 * Run summaries from the timeline (docs/timeline.md): per quota goal, how fast the tuner reached
 * the target and how well it held it over the second half of the run, plus cumulative DAMOS stats
 * and migration totals, rendered as a plain-text table that puts several runs side by side.
 *
 * Pure functions of the records: no clock, no randomness, so the same timeline always gives the
 * same summary and the same table bytes.
 */
import { measuresNode, type DamosStat } from '../damos/scheme.js';
import type { GoalParams } from '../run/events.js';
import type { AggrRecord, GoalRecord, TruthSample } from '../run/recorder.js';
import type { ReturnTracker } from '../machine/returns.js';
import { MAX_SETUP_DIFFERENCES, type SetupDifference } from './setup-diff.js';
import { spread } from '../lib/stats.js';

export interface SchemeSummary {
  /**
   * node_eligible_mem_bp goals: the mean over the second half of the ground-truth share (bp) of
   * the workload's hot set on the goal's node — what the metric tries to measure.
   */
  truthMeanSecondHalf?: number | null;
  /**
   * With truthMeanSecondHalf: the ground truth's population standard deviation, min and max over
   * the same aggregations: how much the hot memory's placement really ripples, which the metric's
   * own spread (an estimate, and a noisy one) overstates.
   */
  truthStddevSecondHalf?: number | null;
  truthMinSecondHalf?: number | null;
  truthMaxSecondHalf?: number | null;
  /**
   * With truthMeanSecondHalf: the truth's mean over the second half's time, each aggregation's
   * share held until the next one (timeMean()). The per-aggregation mean weighs each aggregation
   * alike, so aggregations that the kdamond's own work stretched (CONSIST's region explosion: ~3 s
   * against 0.1 s) count for less than the time they lasted.
   */
  truthMeanOverTimeSecondHalf?: number | null;
  /**
   * Present only for a goal whose metric, nid or target changed during the run (a commit), or that
   * a write removed and gave back: the entry covers one phase, index `phase`, from `phaseStartS`
   * (for the first phase 0, or the write that added the goal; else when the write that changed the
   * goal took effect) to the next phase's start or the end of the run, `phaseEndS`. Its time to
   * target counts from `phaseStartS`, and its "second half" is that of the phase. The two times
   * are also set on a single entry that does not cover the whole run (a goal added or removed by a
   * write). A change after the goal's last evaluation gives a last phase without evaluations.
   */
  phase?: number;
  phaseStartS?: number;
  phaseEndS?: number;
  /** Present (true) when the phase began where the workload's hot set moved (SummaryRunInfo.hotSetMoves). */
  hotSetMoved?: boolean;
  /**
   * With hotSetMoved, where the run knew its kdamond's aggregations: when the first aggregation
   * that ended at or after the move ended. Evaluations up to then read access counts gathered
   * (at least partly) before the move, so timeToTargetS and settledS count only evaluations after
   * it; null when no aggregation ended after the move within the run.
   */
  moveSeenS?: number | null;
  /**
   * Present only for a goal an accepted write removed (the scheme has fewer goals after a
   * `commit`, `commit_schemes_quota_goals` or `on`, or is gone; the kernel drops a goal committed
   * with target 0): when the write took effect. The entry ends here (`phaseStartS` and `phaseEndS`
   * are then set even for a single phase): its "second half" is that of the time the goal lived,
   * and its applied totals stop at its last evaluation. A goal written again later starts a new
   * phase at that write.
   */
  removedAtS?: number;
  /**
   * The band around the target that timeToTargetS, settledS and inBandSecondHalf judge by, in the
   * metric's unit, present only when it is not the default 100 (`run --tolerance`).
   */
  tolerance?: number;
  /**
   * The context's addr_unit, present only when it is not 1: the kernel's sizes (szApplied here,
   * every sz_* stat) then count core address units, and the text table shows them × addr_unit.
   */
  addrUnit?: number;
  kdamond: number;
  ctx: number;
  scheme: number;
  goal: number;
  label: string;
  metric: string;
  nid: number;
  /** The goal's target_value: a number, or past 2^53 a bigint (exact, as the goal records carry it: `max` is 2^64 − 1). */
  target: number | bigint;
  timeToTargetS: number | null;
  /**
   * From when (s, counted as timeToTargetS) every evaluation stayed within the tolerance to the
   * end of the run (of the phase), if that stretch, from its first evaluation to its last, covers
   * a tenth of the phase at least (SETTLED_MIN_SHARE): the time the goal settled, as far as the
   * run shows; null otherwise. Timelines written before 2026-11-28 recorded it by the end alone.
   * Absent in timelines written before it was recorded.
   */
  settledS?: number | null;
  meanSecondHalf: number | null;
  stddevSecondHalf: number | null;
  minSecondHalf: number | null;
  maxSecondHalf: number | null;
  /** Share (0..1) of the second half's evaluations within the tolerance of the target. */
  inBandSecondHalf: number | null;
  /**
   * The same two over the second half's time, each evaluation's value held until the next
   * (timeMean()): evaluations come at irregular times where the kdamond's own work stretches its
   * windows, and then the per-evaluation figures underweight those stretches. Absent in timelines
   * written before they were recorded.
   */
  meanOverTimeSecondHalf?: number | null;
  inBandOverTimeSecondHalf?: number | null;
  evaluations: number;
  szApplied: number;
  nrApplied: number;
  qtExceeds: number;
  /**
   * What the scheme applied per hour over the second half of the entry's span (in the kernel's
   * size unit, as szApplied): from its first evaluation in the second half to the end of the span,
   * so the tuner's ramp does not count. The steady state's migration cost; null without two
   * readings there (evaluations, and the run's final stats at its end) or for a phase never
   * evaluated. Absent in timelines written before it was recorded.
   */
  szAppliedPerHourSecondHalf?: number | null;
}

export interface Migration {
  from: number;
  to: number;
  bytes: number;
  /**
   * Of `bytes`, those that went back to a node the same workload memory had been migrated away
   * from: their previous migration had taken them off `to` (machine/returns.ts; absent in
   * timelines written before it was recorded).
   */
  returned?: number;
  /** The mean time, in s, the returned bytes had been away from `to` (weighted by bytes); null when none returned. */
  returnedAwayS?: number | null;
}

/** Identity of one quota goal across records, summaries and runs. */
export interface GoalId {
  kdamond: number;
  ctx: number;
  scheme: number;
  goal: number;
}

/** Key of one scheme: the `labels` map's fallback for a goal it has no entry for (one a write added). */
export function schemeKey(s: { kdamond: number; ctx: number; scheme: number }): string {
  return `${s.kdamond}/${s.ctx}/${s.scheme}`;
}

/** Key of one quota goal; also the key of the optional `labels` map given to summarize(). */
export function goalKey(r: GoalId): string {
  return `${r.kdamond}/${r.ctx}/${r.scheme}/${r.goal}`;
}

/** The label of a goal the scenario does not name (the table) and of every goal in the plot legend. */
export function goalLabel(r: { scheme: number; metric: string; nid: number }): string {
  return `s${r.scheme} ${r.metric}${measuresNode(r.metric) ? ` nid ${r.nid}` : ''}`;
}

/**
 * Records read back from NDJSON carry plain numbers where the recorder had bigints (toJson writes
 * bare digits); accept both so summaries work on live and on re-parsed timelines alike.
 */
function big(v: bigint | number): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
}

/** Order by (kdamond, ctx, scheme, goal), then phase. */
export function cmpGoal(a: GoalId & { phase?: number }, b: GoalId & { phase?: number }): number {
  return a.kdamond - b.kdamond || a.ctx - b.ctx || a.scheme - b.scheme || a.goal - b.goal || (a.phase ?? 0) - (b.phase ?? 0);
}

/** Key of one summary entry: its goal, and its phase when the goal changed during the run. */
export function entryKey(s: SchemeSummary): string {
  return s.phase === undefined ? goalKey(s) : `${goalKey(s)}#${s.phase}`;
}

/**
 * Split a goal's evaluations (in time order) where its metric, nid or target changes, or where
 * `gone(prev, next)` says a write removed the goal between two of them (it came back later).
 */
function phasesOf(recs: readonly GoalRecord[], gone: (prev: GoalRecord, next: GoalRecord) => boolean): GoalRecord[][] {
  const out: GoalRecord[][] = [];
  let prev: GoalRecord | undefined;
  for (const r of recs) {
    if (!prev || !sameGoal(r, prev) || gone(prev, r)) out.push([]);
    out[out.length - 1].push(r);
    prev = r;
  }
  return out;
}

/** Evaluations grouped by goal (keyed by goalKey), each group in emission order. */
export function groupByGoal(goals: readonly GoalRecord[]): Map<string, GoalRecord[]> {
  const groups = new Map<string, GoalRecord[]>();
  for (const r of goals) {
    const k = goalKey(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  return groups;
}

/** The band around a goal's target the summary judges by unless told otherwise (issue #2: ±100 bp). */
export const DEFAULT_TOLERANCE = 100;

/**
 * One summary per (kdamond, ctx, scheme, goal), ordered by that tuple; a goal a commit changed
 * (metric, nid or target), or whose run moved its hot set (run.hotSetMoves), gets one per phase,
 * so a step of the target or of the workload is judged as a step.
 *
 * timeToTargetS is the time of the first evaluation whose current value is within toleranceBp of
 * the target (the unit is the metric's own; "bp" because the tiering metrics are basis points),
 * counted from the phase's start. The second-half statistics cover evaluations in the second half
 * of the run (of the phase), after the tuner's ramp, and use the population standard deviation:
 * they describe this run, not an estimate of some larger population.
 */
export function summarize(
  goals: GoalRecord[],
  durationS: number,
  labels?: Map<string, string>,
  toleranceBp = DEFAULT_TOLERANCE,
  run: SummaryRunInfo = {},
): SchemeSummary[] {
  // An iteration that began before the end may finish past it (Simulation.runUntil()): what it
  // records is not the run's, which ends at durationS (as the plot's time axis does).
  const groups = groupByGoal(goals.filter((g) => g.t <= durationS));
  const out: SchemeSummary[] = [];
  for (const [k, all] of groups) {
    // Stable sort: records at the same t keep their emission order, so "last" is well defined.
    all.sort((a, b) => a.t - b.t);
    const last = all[all.length - 1];
    const fin = run.finalStats?.find((x) => x.kdamond === last.kdamond && x.ctx === last.ctx && x.scheme === last.scheme);
    const initial = run.initialGoals?.find((x) => x.kdamond === last.kdamond && x.ctx === last.ctx);
    const ctxWrites = (run.goalWrites ?? []).filter((w) => w.kdamond === last.kdamond && (w.ctx ?? 0) === last.ctx);
    const restarts = ctxWrites.flatMap((w) => {
      const totals = w.stats_before?.[last.scheme];
      return totals === undefined ? [] : [{ t: w.t, totals }];
    });
    const life = new GoalLife(
      ctxWrites,
      last.scheme,
      last.goal,
      initial === undefined ? undefined : (initial.goals[last.scheme] ?? 0) > last.goal,
    );
    // A new phase where the metric, nid or target changed, or where the goal was removed and given
    // back (the kdamond may evaluate a goal in the step that applied the write that brought it
    // back, its record stamped a goal walk later), or where the hot set moved.
    const moves = run.hotSetMoves ?? [];
    const moveIn = (a: number, b: number): number | undefined => {
      let m: number | undefined;
      for (const t of moves) if (a < t && t <= b) m = t;
      return m;
    };
    const phases = phasesOf(all, (prev, next) => life.cameBack(prev.t, next.t) || moveIn(prev.t, next.t) !== undefined);
    // The same goal, split by a move alone: the phase is the workload's, from the move.
    const movedAt = phases.map((recs, i) => {
      if (i === 0) return undefined;
      const prev = phases[i - 1][phases[i - 1].length - 1];
      return sameGoal(prev, recs[0]) && !life.cameBack(prev.t, recs[0].t) ? moveIn(prev.t, recs[0].t) : undefined;
    });
    const starts = phases.map(
      (recs, i) => movedAt[i] ?? life.startOf(i === 0 ? -Infinity : phases[i - 1][phases[i - 1].length - 1].t, recs[0].t, recs[0]) ?? recs[0].t,
    );
    const aggrs = run.aggregations?.(last.kdamond, last.ctx);
    phases.forEach((recs, i) => {
      const start = starts[i];
      // After a move, an evaluation before the next aggregation ended read counts from before it:
      // within the band, it says nothing of a recovery (the metric can read the old placement).
      const moved = movedAt[i];
      const seen = moved === undefined || aggrs === undefined ? undefined : (aggrs.find((t) => t >= moved) ?? null);
      const lastRec = recs[recs.length - 1];
      const next = i + 1 < phases.length ? phases[i + 1][0] : undefined;
      // Removed after its last evaluation: until the write that starts the next phase, or for good.
      const removedAt = next ? life.removalIn(lastRec.t, starts[i + 1]) : life.removedAfter(lastRec.t);
      // Changed by a write after its last evaluation, with none under the new setting by the end.
      const changed = next || removedAt !== undefined ? undefined : life.changedAfter(lastRec.t, durationS, lastRec);
      const end = removedAt ?? (next ? starts[i + 1] : (changed?.t ?? durationS));
      const s = summarizePhase(recs, start, end, labels?.get(k) ?? labels?.get(schemeKey(last)), toleranceBp, seen === null ? Infinity : seen, run.stopped?.get(last.kdamond));
      if (toleranceBp !== DEFAULT_TOLERANCE) s.tolerance = toleranceBp;
      // The scheme's applied totals through the phase: from 0 (or the phase's first evaluation) over
      // its evaluations to the next phase's first one, or to the run's final stats where known; a
      // removed goal's up to its last evaluation (what the scheme did later was not under it).
      // A goal the run started with counts from 0; one a write added, from its first evaluation.
      // A goal changed after its last evaluation: up to that evaluation, as a removed one.
      const points: AppliedTotals[] = i === 0 && start === 0 ? [ZERO_TOTALS, ...recs] : [...recs];
      const ts = points.map((p) => ('t' in p ? (p as GoalRecord).t : 0));
      if (removedAt === undefined && changed === undefined) {
        points.push(next ?? fin ?? last);
        ts.push(next ? next.t : fin ? durationS : last.t);
      }
      Object.assign(s, appliedOver(withRestarts(points, ts, restarts)));
      s.szAppliedPerHourSecondHalf = perHourFrom(points, ts, restarts, start + (end - start) / 2);
      if (phases.length > 1 || changed) Object.assign(s, { phase: i, phaseStartS: start, phaseEndS: end });
      else if (start !== 0 || removedAt !== undefined) Object.assign(s, { phaseStartS: start, phaseEndS: end });
      if (moved !== undefined) s.hotSetMoved = true;
      if (seen !== undefined) s.moveSeenS = seen;
      if (removedAt !== undefined) s.removedAtS = removedAt;
      out.push(s);
      // The new setting's phase, never evaluated: what the scheme did after the last evaluation.
      if (changed)
        out.push({
          kdamond: s.kdamond,
          ctx: s.ctx,
          scheme: s.scheme,
          goal: s.goal,
          label: s.label,
          metric: changed.params.metric,
          nid: changed.params.nid,
          target: exactNumber(big(changed.params.target_value)),
          ...UNEVALUATED,
          ...appliedOver(withRestarts([lastRec, fin ?? lastRec], [lastRec.t, fin ? durationS : lastRec.t], restarts)),
          szAppliedPerHourSecondHalf: null,
          phase: i + 1,
          phaseStartS: changed.t,
          phaseEndS: durationS,
          ...(toleranceBp !== DEFAULT_TOLERANCE ? { tolerance: toleranceBp } : {}),
        });
    });
  }
  return out.sort(cmpGoal);
}

/**
 * One goal's view of its kdamond's accepted writes, in time order: which removed it (its scheme has
 * no goal at its index after the write) and which kept or gave it back. Writes without goal counts
 * (older timelines) are neither. Lookups are binary searches over precomputed indices, so a run
 * with a write every second for hours costs O((evaluations + writes) log writes).
 */
export class GoalLife {
  private readonly t: number[];
  private readonly n: number;
  /** [j]: the last removal before index j, or -1. */
  private readonly lastRemovalBefore: Int32Array;
  /** [j]: the first write at or after index j that has the goal, or n. */
  private readonly nextKeep: Int32Array;
  /** [j]: the goal as write j left it, where the write recorded it. */
  private readonly params: Array<GoalParamsLike | undefined>;
  /** [j]: the first removal at or after index j, or n. */
  private readonly nextRemoval: Int32Array;

  constructor(
    writes: ReadonlyArray<{ t: number; goals?: readonly number[]; goal_params?: ReadonlyArray<ReadonlyArray<GoalParamsLike>> }>,
    scheme: number,
    goal: number,
    /** Whether the goal existed when the run started (undefined: not known). */
    private readonly initiallyPresent: boolean | undefined,
  ) {
    const sorted = [...writes].sort((a, b) => a.t - b.t);
    const n = sorted.length;
    this.n = n;
    this.t = sorted.map((w) => w.t);
    const has = sorted.map((w) => (w.goals === undefined ? undefined : (w.goals[scheme] ?? 0) > goal));
    this.params = sorted.map((w) => w.goal_params?.[scheme]?.[goal]);
    this.lastRemovalBefore = new Int32Array(n + 1);
    this.lastRemovalBefore[0] = -1;
    for (let j = 0; j < n; j++) this.lastRemovalBefore[j + 1] = has[j] === false ? j : this.lastRemovalBefore[j];
    this.nextKeep = new Int32Array(n + 1).fill(n);
    this.nextRemoval = new Int32Array(n + 1).fill(n);
    for (let j = n - 1; j >= 0; j--) {
      this.nextKeep[j] = has[j] === true ? j : this.nextKeep[j + 1];
      this.nextRemoval[j] = has[j] === false ? j : this.nextRemoval[j + 1];
    }
  }

  /** Index of the first write at or after time x (strictly after with `after`). */
  private index(x: number, after = false): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid] < x || (after && this.t[mid] === x)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Removed, then given back, by writes in [a, b]. */
  cameBack(a: number, b: number): boolean {
    const lo = this.index(a);
    const hi = this.index(b, true);
    const r = this.lastRemovalBefore[hi];
    return r >= lo && this.nextKeep[r + 1] < hi;
  }

  /** The time of the first removal in [a, b]. */
  removalIn(a: number, b: number): number | undefined {
    const k = this.nextRemoval[this.index(a)];
    return k < this.n && this.t[k] <= b ? this.t[k] : undefined;
  }

  /**
   * A change of the goal by writes after its last evaluation at `a` (up to `end`), which left it
   * other than `had` at the end: when the last run of writes that left it so began, and how.
   */
  changedAfter(a: number, end: number, had: GoalParamsLike): { t: number; params: GoalParamsLike } | undefined {
    const lo = this.index(a, true);
    let j = this.index(end, true) - 1;
    while (j >= lo && this.params[j] === undefined) j--;
    const p = j >= lo ? this.params[j] : undefined;
    if (p === undefined || sameGoal(p, had)) return undefined;
    while (j > lo && this.params[j - 1] !== undefined && sameGoal(this.params[j - 1]!, p)) j--;
    return { t: this.t[j], params: p };
  }

  /** The first removal at or after a, if the goal is gone at the end (no later write gives it back). */
  removedAfter(a: number): number | undefined {
    const r = this.lastRemovalBefore[this.n];
    if (r < 0 || this.t[r] < a || this.nextKeep[r + 1] < this.n) return undefined;
    return this.removalIn(a, Infinity);
  }

  /**
   * When a phase whose first evaluation is at `first` began, the previous phase's last evaluation
   * being at `after` (-Infinity for the first phase), or undefined when the writes do not say:
   * - after a removal, at the write that gave the goal back;
   * - a goal the run started with, at 0; one it did not, at the write that added it;
   * - otherwise at the write that set the goal as the phase has it (`want`: the first of the last
   *   run of writes after the previous phase that left it so), or, where the writes do not record
   *   goals, the first write after the previous phase.
   */
  startOf(after: number, first: number, want?: GoalParamsLike): number | undefined {
    const lo = after === -Infinity ? 0 : this.index(after, true);
    const hi = this.index(first, true);
    const r = this.lastRemovalBefore[hi];
    if (r >= lo || (after === -Infinity && this.initiallyPresent === false)) {
      const k = this.nextKeep[r >= lo ? r + 1 : 0];
      return k < hi ? this.t[k] : undefined;
    }
    if (after === -Infinity) return 0;
    if (want !== undefined) {
      // The last run of writes that left the goal so (a write that set it back and forth before
      // the kdamond evaluated it ended an earlier run); its first write set it.
      const same = (j: number): boolean => {
        const p = this.params[j];
        return p !== undefined && sameGoal(p, want);
      };
      let j = hi - 1;
      while (j >= lo && !same(j)) j--;
      if (j >= lo) {
        while (j > lo && same(j - 1)) j--;
        return this.t[j];
      }
    }
    return lo < hi ? this.t[lo] : undefined;
  }
}

/**
 * A goal's metric, nid and target, as goal records and write records (goal_params) carry them;
 * read back from NDJSON the target is a plain number.
 */
export type GoalParamsLike = Omit<GoalParams, 'target_value'> & { target_value: bigint | number };

/** Whether two records name the same goal: a new summary phase begins where this changes. */
function sameGoal(a: GoalParamsLike, b: GoalParamsLike): boolean {
  return a.metric === b.metric && a.nid === b.nid && big(a.target_value) === big(b.target_value);
}

/**
 * The times (s, ascending, each once) a workload's hot sets move within the first `durationS`
 * seconds. `workload` is a scenario's (WorkloadParams) or a timeline header's `model.workload`;
 * both hold each area's `hot.moves[].at` in ns.
 */
export function hotSetMoveTimes(workload: unknown, durationS: number): number[] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const field = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);
  const ats = new Set<number>();
  for (const p of list(field(workload, 'processes')))
    for (const a of list(field(p, 'areas')))
      for (const m of list(field(field(a, 'hot'), 'moves'))) {
        const at = field(m, 'at');
        if (typeof at === 'number' && at / 1e9 < durationS) ats.add(at);
      }
  return [...ats].sort((x, y) => x - y).map((at) => at / 1e9);
}

/** What a run adds to its goal records for the summary. */
export interface SummaryRunInfo {
  /** Every scheme's DAMOS stats at the end of the run. */
  finalStats?: readonly FinalSchemeStats[];
  /**
   * When writes that can change goals (commits, `on`) took effect, per kdamond (seconds), with
   * the goal count of each scheme of the context after the write where the run recorded it.
   */
  goalWrites?: ReadonlyArray<{ t: number; kdamond: number; ctx?: number; goals?: readonly number[]; goal_params?: ReadonlyArray<ReadonlyArray<GoalParamsLike>>; stats_before?: ReadonlyArray<AppliedReading> }>;
  /** Each context's per-scheme goal counts when the run started (a goal added later starts there). */
  initialGoals?: ReadonlyArray<{ kdamond: number; ctx: number; goals: readonly number[] }>;
  /**
   * When the workload's hot sets move (seconds, ascending): each goal gets a phase from each move,
   * so how fast the schemes bring the hot memory back to the target is judged as a step's response.
   */
  hotSetMoves?: readonly number[];
  /**
   * When each context's aggregations ended (seconds, ascending; every one, whatever the timeline's
   * stride): a moved hot set's phase judges its time to target from evaluations of counts gathered
   * after the move.
   */
  aggregations?: (kdamond: number, ctx: number) => readonly number[];
  /** When each kdamond did not run (stoppedSpans()): the over-time figures leave that time out. */
  stopped?: ReadonlyMap<number, readonly Span[]>;
}

/** A scheme's cumulative applied totals as a goal record, or an `on` event's `stats_before`, gives them. */
type AppliedReading = { sz_applied: number; nr_applied: number; qt_exceeds: number };

/** A scheme's cumulative applied totals, as a goal record or the final stats give them. */
type AppliedTotals = AppliedReading | FinalSchemeStats;

/**
 * `points` (cumulative readings at times `ts`, ascending) with the readings `on` writes took
 * between the first and the last (each scheme's totals when its kdamond had stopped), in time
 * order: what a scheme applied after its last evaluation before an `off` is counted, though the
 * restart then sets its stats back to 0.
 */
function withRestarts(points: readonly AppliedTotals[], ts: readonly number[], restarts: ReadonlyArray<{ t: number; totals: AppliedReading }>): AppliedTotals[] {
  const out: AppliedTotals[] = [];
  let k = 0;
  points.forEach((p, i) => {
    // A restart at a reading's own time came first: that reading is of the new context.
    while (i > 0 && k < restarts.length && restarts[k].t <= ts[i]) {
      if (restarts[k].t > ts[0]) out.push(restarts[k].totals);
      k++;
    }
    out.push(p);
  });
  return out;
}

/** The final DAMOS stats of a scheme, which the summary's applied rows report. */
export interface FinalSchemeStats {
  kdamond: number;
  ctx: number;
  scheme: number;
  szApplied: number;
  nrApplied: number;
  qtExceeds: number;
}

const ZERO_TOTALS: AppliedTotals = { sz_applied: 0, nr_applied: 0, qt_exceeds: 0 };

/** The statistics of an entry without evaluations. */
export const UNEVALUATED = {
  timeToTargetS: null,
  settledS: null,
  meanSecondHalf: null,
  stddevSecondHalf: null,
  minSecondHalf: null,
  maxSecondHalf: null,
  inBandSecondHalf: null,
  evaluations: 0,
} as const;

/**
 * Applied bytes, regions and quota exceeds added over successive cumulative readings: a reading
 * below the previous one means the stats restarted from 0 (`on` after `off`), so it counts whole.
 * Without restarts this is the last reading less the first.
 */
function appliedOver(points: readonly AppliedTotals[]): Pick<SchemeSummary, 'szApplied' | 'nrApplied' | 'qtExceeds'> {
  const v = (t: AppliedTotals) => ('szApplied' in t ? [t.szApplied, t.nrApplied, t.qtExceeds] : [t.sz_applied, t.nr_applied, t.qt_exceeds]);
  const sum = [0, 0, 0];
  let prev = v(points[0]);
  for (const p of points.slice(1)) {
    const cur = v(p);
    for (let j = 0; j < 3; j++) sum[j] += cur[j] >= prev[j] ? cur[j] - prev[j] : cur[j];
    prev = cur;
  }
  return { szApplied: sum[0], nrApplied: sum[1], qtExceeds: sum[2] };
}

/**
 * Applied bytes per hour from the first reading at or after `fromS` to the last (appliedOver()
 * between them), or null without two readings a positive time apart there.
 */
function perHourFrom(points: readonly AppliedTotals[], ts: readonly number[], restarts: ReadonlyArray<{ t: number; totals: AppliedReading }>, fromS: number): number | null {
  const j = ts.findIndex((t) => t >= fromS);
  const span = j < 0 ? 0 : ts[ts.length - 1] - ts[j];
  if (!(span > 0)) return null;
  return (appliedOver(withRestarts(points.slice(j), ts.slice(j), restarts)).szApplied / span) * 3600;
}

/**
 * The least share of a phase that the in-band stretch it ends in must cover, from its first
 * evaluation to its last, for the goal to count as settled (SchemeSummary.settledS).
 */
export const SETTLED_MIN_SHARE = 0.1;

/** A stretch of time [start, end] in seconds. */
export type Span = readonly [number, number];

/**
 * The stretches each kdamond did not run, per kdamond: from an event that stopped it (an `off`, a
 * commit that corrupted its context: `stopped`) to the accepted `on` that started it again, or to
 * the end of the run. `records` are the run's event records in time order.
 */
export function stoppedSpans(records: ReadonlyArray<{ readonly type?: unknown }>, durationS: number): Map<number, Span[]> {
  const out = new Map<number, Span[]>();
  const since = new Map<number, number>();
  for (const x of records) {
    if (x.type !== 'event') continue;
    const r = x as { t: number; kdamond: number; command: string; status: string; stopped?: boolean };
    if (r.stopped && !since.has(r.kdamond)) since.set(r.kdamond, r.t);
    else if (r.command === 'on' && r.status === 'ok' && since.has(r.kdamond)) {
      out.set(r.kdamond, [...(out.get(r.kdamond) ?? []), [since.get(r.kdamond)!, r.t]]);
      since.delete(r.kdamond);
    }
  }
  for (const [k, t] of since) if (t < durationS) out.set(k, [...(out.get(k) ?? []), [t, durationS]]);
  return out;
}

/**
 * The mean over [from, to] of the step function that takes value `v(p)` at each point's time `t`
 * and holds it until the next point's (the last until `to`): the value in force at `from` is the
 * last point's before it; without one, the window starts at the first point in it. Time within
 * `gaps` (a kdamond stopped: stoppedSpans()) does not count. Undefined when no point's value
 * covers any of the window. `points` are in time order.
 */
export function timeMean<P extends { t: number }>(points: readonly P[], v: (p: P) => number, from: number, to: number, gaps: readonly Span[] = []): number | undefined {
  let sum = 0;
  let span = 0;
  for (let i = 0; i < points.length; i++) {
    const a = Math.max(points[i].t, from);
    const b = Math.min(i + 1 < points.length ? points[i + 1].t : to, to);
    if (b <= a) continue;
    // Time the kdamond did not run holds no value of its own (a stopped kdamond evaluates nothing).
    const len = gaps.reduce((l, [g0, g1]) => l - Math.max(0, Math.min(b, g1) - Math.max(a, g0)), b - a);
    sum += v(points[i]) * len;
    span += len;
  }
  return span > 0 ? sum / span : undefined;
}

/** The figures of one phase's evaluations that the band around the target decides. */
type BandFigures = Pick<SchemeSummary, 'timeToTargetS' | 'settledS' | 'inBandSecondHalf' | 'inBandOverTimeSecondHalf'>;

/**
 * The band-dependent figures of one goal's evaluations `recs` (one phase, from `startS` to `endS`,
 * in time order) at ±toleranceBp: what summarizePhase() gives and rejudge() gives again.
 */
function bandFigures(recs: readonly GoalRecord[], startS: number, endS: number, toleranceBp: number, reachedAfterS: number, gaps: readonly Span[]): BandFigures {
  const halfS = startS + (endS - startS) / 2;
  const tol = big(toleranceBp);
  const within = (r: GoalRecord): boolean => {
    const d = big(r.current_value) - big(r.target_value);
    return (d < 0n ? -d : d) <= tol;
  };
  const reached = recs.find((r) => r.t > reachedAfterS && within(r));
  // Times are whole µs: keep the difference one too, not a float residue of it.
  const sinceStart = (t: number) => (startS === 0 ? t : Math.round((t - startS) * 1e6) / 1e6);
  // The last stretch of evaluations within the tolerance, if the run ends in one, and only if it
  // was seen to hold, from its first evaluation to its last, for a tenth of the phase at least: a
  // goal that came in band at its last evaluations, or whose evaluations stopped (a kdamond turned
  // off) soon after, has not been seen to settle (a sweep's "settled in N" counted such runs).
  // Like the time to target, it starts at an evaluation after reachedAfterS at the earliest.
  let first = recs.findIndex((r) => r.t > reachedAfterS);
  if (first < 0) first = recs.length;
  let from = recs.length;
  while (from > first && within(recs[from - 1])) from--;
  const held = from < recs.length && recs[recs.length - 1].t - recs[from].t >= (endS - startS) * SETTLED_MIN_SHARE;
  const tail = recs.filter((r) => r.t >= halfS);
  return {
    timeToTargetS: reached === undefined ? null : sinceStart(reached.t),
    settledS: held ? sinceStart(recs[from].t) : null,
    inBandSecondHalf: tail.length > 0 ? tail.filter(within).length / tail.length : null,
    inBandOverTimeSecondHalf: tail.length > 0 ? (timeMean(recs, (r) => (within(r) ? 1 : 0), halfS, endS, gaps) ?? null) : null,
  };
}

/**
 * The summary entries of a run judged again at ±toleranceBp from its goal records (`report summary
 * --tolerance`): each entry's time to target, time to settle and shares within the band, from the
 * evaluations of its phase (a record belongs to the last entry of its goal that starts at or before
 * it). Everything else is the run's. Returns the problem instead where an entry's evaluations are
 * not all among the records (a timeline cut or edited): a band judged on part of them would
 * mislead.
 */
export function rejudge(entries: readonly SchemeSummary[], goals: readonly GoalRecord[], durationS: number, toleranceBp: number, stopped: ReadonlyMap<number, readonly Span[]> = new Map()): SchemeSummary[] | string {
  const byGoal = groupByGoal(goals.filter((g) => g.t <= durationS));
  const out: SchemeSummary[] = [];
  for (const e of entries) {
    const mine = [...(byGoal.get(goalKey(e)) ?? [])].sort((a, b) => a.t - b.t);
    // Phases of this goal that start later than this entry: their records are not this entry's.
    const starts = entries.filter((x) => goalKey(x) === goalKey(e)).map((x) => x.phaseStartS ?? 0);
    const start = e.phaseStartS ?? 0;
    const nextStart = starts.filter((t) => t > start).reduce((a, t) => Math.min(a, t), Infinity);
    const recs = mine.filter((r) => r.t >= start && r.t < nextStart);
    if (recs.length !== e.evaluations)
      return `expected the ${e.evaluations} evaluations of ${e.label}${e.phase === undefined ? '' : ` (phase ${e.phase})`} among the goal records to judge them again; found ${recs.length}`;
    const { tolerance: _old, ...rest } = e;
    const again: SchemeSummary = { ...rest, ...(toleranceBp !== DEFAULT_TOLERANCE ? { tolerance: toleranceBp } : {}) };
    // After a hot-set move only evaluations after moveSeenS count for the time to target (none where no aggregation followed: null).
    const after = e.moveSeenS === undefined ? -Infinity : (e.moveSeenS ?? Infinity);
    if (recs.length > 0) Object.assign(again, bandFigures(recs, start, e.phaseEndS ?? durationS, toleranceBp, after, stopped.get(e.kdamond) ?? []));
    out.push(again);
  }
  return out;
}

/** The summary of one goal's evaluations `recs` (one phase), which runs from `startS` to `endS`. */
function summarizePhase(
  recs: readonly GoalRecord[],
  startS: number,
  endS: number,
  label: string | undefined,
  toleranceBp: number,
  /** Only evaluations after this time count for the time to target (SchemeSummary.moveSeenS). */
  reachedAfterS = -Infinity,
  /** When the kdamond did not run: left out of the over-time figures. */
  gaps: readonly Span[] = [],
): SchemeSummary {
  const halfS = startS + (endS - startS) / 2;
  const last = recs[recs.length - 1];
  const tail = recs.filter((r) => r.t >= halfS).map((r) => Number(big(r.current_value)));
  const st = spread(tail);
  const band = bandFigures(recs, startS, endS, toleranceBp, reachedAfterS, gaps);
  return {
    kdamond: last.kdamond,
    ctx: last.ctx,
    scheme: last.scheme,
    goal: last.goal,
    label: label ?? goalLabel(last),
    metric: last.metric,
    nid: last.nid,
    target: exactNumber(big(last.target_value)),
    // The timeline's key order is the one these fields were first written in.
    timeToTargetS: band.timeToTargetS,
    settledS: band.settledS,
    meanSecondHalf: st?.mean ?? null,
    stddevSecondHalf: st?.sd ?? null,
    minSecondHalf: st?.min ?? null,
    maxSecondHalf: st?.max ?? null,
    inBandSecondHalf: band.inBandSecondHalf,
    // Only beside the per-evaluation figures: a last value held through a half with no evaluation
    // at all (a kdamond turned off) is no measure of it.
    meanOverTimeSecondHalf: tail.length > 0 ? (timeMean(recs, (r) => Number(big(r.current_value)), halfS, endS, gaps) ?? null) : null,
    inBandOverTimeSecondHalf: band.inBandOverTimeSecondHalf,
    evaluations: recs.length,
    szApplied: 0,
    nrApplied: 0,
    qtExceeds: 0,
  };
}

/**
 * Every pair of nodes between which bytes were migrated, ordered by (from, to), from a
 * `migrated[from][to]` matrix (the machine's counters at the end of a run, or an `aggr` record's).
 * Pairs that never moved anything are left out: on a multi-node machine most are zero and would
 * only bury the interesting ones. A pair with from = to is a fallback: the target node was full
 * and the allocator gave the folio a new frame on its own node, which the kernel counts as
 * migrated (docs/model.md, "Migration"). With `returns` (the machine's ReturnTracker) each pair
 * also says how much went back to a node it had left, and after how long on average.
 */
export function migrationSummary(lastAggr: Pick<AggrRecord, 'migrated'> | undefined, returns?: Pick<ReturnTracker, 'returned' | 'awayByteNs'>): Migration[] {
  const out: Migration[] = [];
  if (!lastAggr) return out;
  lastAggr.migrated.forEach((row, from) => {
    row.forEach((bytes, to) => {
      if (bytes <= 0) return;
      if (!returns) return void out.push({ from, to, bytes });
      const returned = returns.returned[from][to];
      out.push({ from, to, bytes, returned, returnedAwayS: returned > 0 ? returns.awayByteNs[from][to] / returned / 1e9 : null });
    });
  });
  return out;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A size the kernel reports in core address units, in bytes (× addr_unit). */
export function physBytes(sz: number, of: { addrUnit?: number }): number {
  return sz * (of.addrUnit ?? 1);
}

/** Bytes as MiB below 1 GiB and GiB above, three decimals, so columns of one table compare easily. */
export function formatBytesHuman(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(3)} GiB` : `${(bytes / MiB).toFixed(3)} MiB`;
}

/** A kernel integer as a number where that is exact, else as the bigint. */
export function exactNumber(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** The metric's unit from its kernel name suffix (" bp", " us", or "" for user_input), for the target row and the plot. */
export function unitOf(metric: string): string {
  if (metric.endsWith('_bp')) return ' bp';
  if (metric.endsWith('_us')) return ' us';
  return '';
}

/** A time from a start as a cell: `12.345 s`, `never` (null: not reached), `-` (undefined: not recorded). */
export function fmtTime(x: number | null | undefined): string {
  return x === undefined ? '-' : x === null ? 'never' : `${x.toFixed(3)} s`;
}

/** A number to `digits` decimals, '-' where there is none (null; undefined in older timelines). */
export function fmtNum(x: number | null | undefined, digits: number): string {
  return x == null ? '-' : x.toFixed(digits);
}

/** A share (0..1) as a percentage, one decimal. */
export function fmtPct(x: number | null | undefined): string {
  return x == null ? '-' : `${(x * 100).toFixed(1)} %`;
}

/** The width tables are fitted to where no terminal says its own: files, pipes (output that must not depend on where it ran). */
export const TABLE_WIDTH = 100;
const GAP = 2;

interface Row {
  /** Row label; a header row (goal label or section title) has no cells of its own. */
  label: string;
  cells: string[] | null;
  /**
   * A label that does not set the label column (a setup path can be long): one wider than the
   * column stands on a line of its own, its cells on the next.
   */
  wraps?: boolean;
  /** A line about one column's run (a setup value too long for its cell): printed in that column's panel only. */
  col?: number;
}

/**
 * The start all column titles share, up to and with its last separator ("tiering-6040-" of
 * "tiering-6040-temporal" and "tiering-6040-consist"), when there are several, not all alike,
 * and each keeps a part of its own; else ''. The table heads its columns with the rest, so that runs of one long
 * scenario name still stand side by side, and prints the shared start once.
 */
export function sharedTitleStart(titles: readonly string[]): string {
  if (titles.length < 2) return '';
  let n = 0;
  while (n < titles[0].length && titles.every((t) => t[n] === titles[0][n])) n++;
  const common = titles[0].slice(0, n);
  const cut = Math.max(...[...'-+_/ .:'].map((sep) => common.lastIndexOf(sep))) + 1;
  const start = common.slice(0, cut);
  // Titles all alike (one run twice) keep themselves whole.
  return start.trim().length >= 3 && titles.every((t) => t.length > start.length) && titles.some((t) => t !== titles[0]) ? start : '';
}

/**
 * A setup value longer than its column, and than this, is not set in the column (a workload's
 * description would widen the whole table): its row lists each run's value on a line instead.
 */
const SETUP_CELL_MIN = 24;

/** The rows of the setup section (setupDifferences()): what the runs side by side differ in. */
function setupRows(diffs: readonly SetupDifference[], nColumns: number): Row[] {
  if (diffs.length === 0) return [];
  const rows: Row[] = [{ label: 'setup, where the runs differ (timeline headers)', cells: null }];
  for (const d of diffs.slice(0, MAX_SETUP_DIFFERENCES)) rows.push({ label: `  ${d.path}`, cells: Array.from({ length: nColumns }, (_x, i) => d.values[i] ?? '-'), wraps: true });
  const more = diffs.length - MAX_SETUP_DIFFERENCES;
  if (more > 0) rows.push({ label: `  … and ${more} more (compare the headers' "damon" parts)`, cells: null });
  return rows;
}

/**
 * Say when sizes were scaled from core units (an addr_unit other than 1): one note where every
 * run's entry has the same addr_unit, else each column's, in column order, as the phases' note.
 */
function auNote(rows: ReadonlyArray<{ addrUnit?: number } | undefined>): string {
  const units = rows.map((r) => (r === undefined ? undefined : (r.addrUnit ?? 1)));
  const present = [...new Set(units.filter((u) => u !== undefined))];
  if (present.length === 1) return present[0] === 1 ? '' : ` (addr_unit ${present[0]}: sizes × ${present[0]})`;
  return present.length === 0 ? '' : `; addr_unit differs by run, sizes × ${units.map((u) => u ?? '-').join(' | ')}`;
}

/** Which part of the run an entry covers (a goal a write changed, added or removed), for headings. */
export function phaseNote(s: SchemeSummary | readonly SchemeSummary[]): string {
  // A seed sweep's entries of one goal: each seed's writes take effect at its own times, so the
  // note gives the range over the seeds where they differ.
  const all = Array.isArray(s) ? (s as readonly SchemeSummary[]) : [s as SchemeSummary];
  const at = (xs: ReadonlyArray<number | undefined>): string => {
    const v = xs.filter((x): x is number => x !== undefined);
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    return lo === hi ? `${fmtNum(lo, 3)} s` : `${fmtNum(lo, 3)}–${fmtNum(hi, 3)} s`;
  };
  const moved = all.some((e) => e.hotSetMoved) ? ' (the hot set moved)' : '';
  const from = all.some((e) => e.phaseStartS) ? `, from ${at(all.map((e) => e.phaseStartS ?? 0))}${moved}` : '';
  if (all.some((e) => e.removedAtS !== undefined)) return `${from}, removed at ${at(all.map((e) => e.removedAtS))}`;
  // The end of every part but a whole-run one (which has no phase times).
  return all.every((e) => e.phaseEndS === undefined) ? from : `${from}, until ${at(all.map((e) => e.phaseEndS))}`;
}

/**
 * The phase note of one entry across the table's columns. Each run's write takes effect at its own
 * time (two tuners' kdamonds reach it microseconds apart; two variants may write minutes apart), so
 * entries of one shape get the range of their times; where the columns' phases differ in shape (a
 * goal one run's write removed and another's did not), each column's own note, in column order.
 */
function columnsPhaseNote(perRun: ReadonlyArray<SchemeSummary | undefined>): string {
  const present = perRun.filter((s): s is SchemeSummary => s !== undefined);
  const shape = (e: SchemeSummary) => `${e.phaseStartS !== undefined}/${e.removedAtS !== undefined}/${e.phaseEndS !== undefined}`;
  if (present.every((e) => shape(e) === shape(present[0]))) return phaseNote(present);
  return `; phases differ by run: ${perRun.map((e) => (e === undefined ? '-' : phaseNote(e).replace(/^, /, '') || 'the whole run')).join(' | ')}`;
}

function goalRows(perRun: Array<SchemeSummary | undefined>, kdamondPrefix: boolean): Row[] {
  const first = perRun.find((s): s is SchemeSummary => s !== undefined);
  if (!first) return [];
  const cell = (f: (s: SchemeSummary) => string): string[] => perRun.map((s) => (s ? f(s) : '-'));
  // The band each run judged by: one, or each run's where they differ.
  const bands = [...new Set(perRun.flatMap((s) => (s ? [s.tolerance ?? DEFAULT_TOLERANCE] : [])))];
  const band = `±${bands.join(' / ±')}${unitOf(first.metric)}${bands.length > 1 ? ' (by run)' : ''}`;
  return [
    { label: `${kdamondPrefix ? `kd${first.kdamond} ` : ''}${first.label}${columnsPhaseNote(perRun)}${auNote(perRun)}`, cells: null },
    { label: '  metric / nid', cells: cell((s) => `${s.metric} / ${measuresNode(s.metric) ? s.nid : '-'}`) },
    { label: '  target', cells: cell((s) => `${s.target}${unitOf(s.metric)}`) },
    {
      // The tolerance is in the metric's own unit (bp for the tiering metrics).
      label: `  time to target ${band}`,
      cells: cell((s) => fmtTime(s.timeToTargetS)),
    },
    {
      // Settled, as far as the run shows: within the tolerance from then to its end (counted as
      // the time to target is, from the run's or the phase's start).
      label: `  time to settle ${band}`,
      cells: cell((s) => fmtTime(s.settledS)),
    },
    {
      label: '  mean ± sd, 2nd half',
      cells: cell((s) =>
        s.meanSecondHalf === null ? '-' : `${fmtNum(s.meanSecondHalf, 1)} ± ${fmtNum(s.stddevSecondHalf, 1)}`,
      ),
    },
    // Timelines written before the over-time figures were recorded lack these rows.
    ...(perRun.some((s) => s?.meanOverTimeSecondHalf != null)
      ? [{ label: '  mean over time, 2nd half', cells: cell((s) => (s.meanOverTimeSecondHalf == null ? '-' : fmtNum(s.meanOverTimeSecondHalf, 1))) }]
      : []),
    {
      label: '  min / max, 2nd half',
      cells: cell((s) => (s.minSecondHalf === null ? '-' : `${s.minSecondHalf} / ${s.maxSecondHalf}`)),
    },
    {
      label: `  within ${band}, 2nd half`,
      cells: cell((s) => fmtPct(s.inBandSecondHalf)),
    },
    ...(perRun.some((s) => s?.inBandOverTimeSecondHalf != null)
      ? [{ label: `  within ${band}, time share`, cells: cell((s) => fmtPct(s.inBandOverTimeSecondHalf)) }]
      : []),
    ...(perRun.some((s) => s?.truthMeanSecondHalf != null)
      ? [
          {
            // Timelines written before the spread was recorded have the mean alone.
            label: '  true hot share, 2nd half',
            cells: cell((s) =>
              s.truthMeanSecondHalf == null
                ? '-'
                : `${fmtNum(s.truthMeanSecondHalf, 1)}${s.truthStddevSecondHalf == null ? '' : ` ± ${fmtNum(s.truthStddevSecondHalf, 1)}`} bp`,
            ),
          },
          ...(perRun.some((s) => s?.truthMeanOverTimeSecondHalf != null)
            ? [{ label: '  true share over time, 2nd half', cells: cell((s) => (s.truthMeanOverTimeSecondHalf == null ? '-' : `${fmtNum(s.truthMeanOverTimeSecondHalf, 1)} bp`)) }]
            : []),
          ...(perRun.some((s) => s?.truthMinSecondHalf != null)
            ? [
                {
                  label: '  true min / max, 2nd half',
                  cells: cell((s) => (s.truthMinSecondHalf == null ? '-' : `${fmtNum(s.truthMinSecondHalf, 1)} / ${fmtNum(s.truthMaxSecondHalf!, 1)}`)),
                },
              ]
            : []),
        ]
      : []),
    { label: '  evaluations', cells: cell((s) => String(s.evaluations)) },
    { label: '  bytes applied', cells: cell((s) => formatBytesHuman(physBytes(s.szApplied, s))) },
    ...(perRun.some((s) => s?.szAppliedPerHourSecondHalf != null)
      ? [
          {
            label: '  applied per hour, 2nd half',
            cells: cell((s) => (s.szAppliedPerHourSecondHalf == null ? '-' : `${formatBytesHuman(physBytes(s.szAppliedPerHourSecondHalf, s))}/h`)),
          },
        ]
      : []),
    { label: '  regions applied', cells: cell((s) => String(s.nrApplied)) },
    { label: '  qt_exceeds', cells: cell((s) => String(s.qtExceeds)) },
  ];
}

/** Final statistics of one scheme (every scheme, with or without goals). */
export interface SchemeStats extends Omit<DamosStat, 'nrSnapshots'> {
  /** As SchemeSummary.addrUnit: present only when not 1. */
  addrUnit?: number;
  kdamond: number;
  ctx: number;
  scheme: number;
  label: string;
}

/**
 * A plain-text table with one column per run (e.g. the same scenario under two tuners) and, per
 * quota goal, a block of rows: metric, target, time to target, second-half mean ± sd and min/max,
 * bytes and regions applied, quota exceeds. `migrations`, if given, is one list per column (same
 * order as `columns`) and adds a "migrated" block; `stats` a block per scheme; `setup` the rows of
 * where the runs' setups differ, first.
 *
 * Runs are matched by (kdamond, ctx, scheme, goal); a goal missing from a run shows "-". Columns
 * are headed by what their titles do not share (sharedTitleStart()). When the runs do not all fit
 * in `width` columns (a terminal's own, or TABLE_WIDTH) the table is split into panels of as many
 * runs as fit, each repeating the row labels, rather than wrapping lines mid-row.
 */
export function formatSummaryTable(
  columns: Array<{ title: string; rows: SchemeSummary[] }>,
  migrations?: ReadonlyArray<readonly Migration[]>,
  stats?: ReadonlyArray<readonly SchemeStats[]>,
  setup: readonly SetupDifference[] = [],
  width = TABLE_WIDTH,
): string {
  const shared = sharedTitleStart(columns.map((c) => c.title));
  columns = columns.map((c) => ({ ...c, title: c.title.slice(shared.length) }));
  const byKey = columns.map((c) => new Map(c.rows.map((s) => [entryKey(s), s])));
  // Union of goals (and phases) across runs in (kdamond, ctx, scheme, goal, phase) order.
  const all = new Map<string, SchemeSummary>();
  for (const c of columns) for (const s of c.rows) if (!all.has(entryKey(s))) all.set(entryKey(s), s);
  const keys = [...all.values()].sort(cmpGoal).map(entryKey);
  // Several kdamonds each have a scheme 0: say whose, as the stats sections do.
  const manyKdamonds = new Set([...all.values()].map((s) => s.kdamond)).size > 1 || new Set((stats ?? []).flat().map((x) => x.kdamond)).size > 1;

  const rows: Row[] = [];
  for (const k of keys) {
    if (rows.length > 0) rows.push({ label: '', cells: null });
    rows.push(...goalRows(byKey.map((m) => m.get(k)), manyKdamonds));
  }
  if (migrations && migrations.some((m) => m.length > 0)) {
    const pairs = new Map<string, Migration>();
    for (const m of migrations) for (const p of m) pairs.set(`${p.from}/${p.to}`, p);
    const ordered = [...pairs.values()].sort((a, b) => a.from - b.from || a.to - b.to);
    if (rows.length > 0) rows.push({ label: '', cells: null });
    rows.push({ label: 'migrated (cumulative)', cells: null });
    for (const p of ordered) {
      // Each column's entry for the pair (undefined: that run moved nothing between them).
      const hits = columns.map((_c, i) => migrations[i]?.find((q) => q.from === p.from && q.to === p.to));
      rows.push({
        label: p.from === p.to ? `  node ${p.from} -> node ${p.to} (target full)` : `  node ${p.from} -> node ${p.to}`,
        cells: hits.map((hit) => formatBytesHuman(hit ? hit.bytes : 0)),
      });
      // Ping-pong: how much of it went back where it had been migrated from (timelines written
      // before it was recorded: '-'). A fallback within one node returns nothing by definition.
      if (p.from === p.to || !migrations.some((m) => m.some((q) => q.returned !== undefined))) continue;
      rows.push({
        label: `    returned to node ${p.to}`,
        cells: hits.map((q) => (q === undefined ? formatBytesHuman(0) : q.returned === undefined ? '-' : `${formatBytesHuman(q.returned)} (${fmtPct(q.returned / q.bytes)})`)),
      });
      rows.push({ label: '    mean time away', cells: hits.map((q) => (q?.returnedAwayS == null ? '-' : `${q.returnedAwayS.toFixed(1)} s`)) });
    }
  }
  if (stats && stats.some((st) => st.length > 0)) {
    const all = new Map<string, SchemeStats>();
    for (const st of stats) for (const x of st) if (!all.has(schemeKey(x))) all.set(schemeKey(x), x);
    const many = manyKdamonds;
    for (const x of [...all.values()].sort((a, b) => a.kdamond - b.kdamond || a.ctx - b.ctx || a.scheme - b.scheme)) {
      if (rows.length > 0) rows.push({ label: '', cells: null });
      rows.push({ label: `${many ? `kd${x.kdamond} ` : ''}${x.label} stats${auNote(stats.map((st) => st.find((z) => schemeKey(z) === schemeKey(x))))}`, cells: null });
      const cell = (f: (y: SchemeStats) => string) => columns.map((_c, i) => {
        const y = stats[i]?.find((z) => schemeKey(z) === schemeKey(x));
        return y ? f(y) : '-';
      });
      rows.push({ label: '  tried', cells: cell((y) => `${y.nrTried} (${formatBytesHuman(physBytes(y.szTried, y))})`) });
      rows.push({ label: '  applied', cells: cell((y) => `${y.nrApplied} (${formatBytesHuman(physBytes(y.szApplied, y))})`) });
      rows.push({ label: '  passed ops filters', cells: cell((y) => formatBytesHuman(physBytes(y.szOpsFilterPassed, y))) });
      rows.push({ label: '  qt_exceeds', cells: cell((y) => String(y.qtExceeds)) });
    }
  }
  const setupPart = setupRows(setup, columns.length);
  const none = rows.length === 0 ? '(no quota goals)\n' : '';
  if (setupPart.length === 0 && none) return none;
  rows.unshift(...setupPart, ...(setupPart.length > 0 && rows.length > 0 ? [{ label: '', cells: null }] : []));

  // Headings stand on lines of their own: only labels with cells set the column.
  // Setup paths set it only where nothing else does (runs without schemes).
  const labelOf = (wraps: boolean) => Math.max(0, ...rows.map((r) => (r.cells && (wraps || !r.wraps) ? r.label.length : 0)));
  const labelW = labelOf(false) || labelOf(true);
  const colW = columns.map((c, i) =>
    Math.max(c.title.length, ...rows.map((r) => (r.cells && !r.wraps ? r.cells[i].length : 0))),
  );
  // Setup values fit the columns the results made (SETUP_CELL_MIN at the least); a row with a
  // longer value (a workload's description) lists each run's value on a line of its own.
  for (let k = 0; k < rows.length; k++) {
    const cells = rows[k].cells;
    if (!cells || !rows[k].wraps) continue;
    if (cells.every((v, i) => v.length <= Math.max(colW[i], SETUP_CELL_MIN))) {
      cells.forEach((v, i) => (colW[i] = Math.max(colW[i], v.length)));
      continue;
    }
    const listed = cells.map((v, i): Row => ({ label: `    ${columns[i].title}: ${v}`, cells: null, col: i }));
    rows.splice(k, 1, { label: rows[k].label, cells: null }, ...listed);
    k += listed.length;
  }

  // Greedy panels: at least one run per panel even if it alone overflows the width.
  const panels: number[][] = [];
  let cur: number[] = [];
  let used = labelW;
  colW.forEach((w, i) => {
    if (cur.length > 0 && used + GAP + w > width) {
      panels.push(cur);
      cur = [];
      used = labelW;
    }
    cur.push(i);
    used += GAP + w;
  });
  if (cur.length > 0) panels.push(cur);

  const lines: string[] = [];
  for (const panel of panels) {
    if (lines.length > 0) lines.push('');
    // The titles' shared start heads the label column, or stands on a line above when it is wider.
    if (shared.length > labelW) lines.push(shared);
    const header = (shared.length > labelW ? '' : shared).padEnd(labelW) + panel.map((i) => ' '.repeat(GAP) + columns[i].title.padStart(colW[i])).join('');
    lines.push(header.trimEnd());
    lines.push('-'.repeat(header.trimEnd().length));
    for (const r of rows) {
      if (!r.cells) {
        if (r.col === undefined || panel.includes(r.col)) lines.push(r.label);
        continue;
      }
      const cells = r.cells;
      let label = r.label;
      if (label.length > labelW) {
        lines.push(label);
        label = '';
      }
      lines.push(label.padEnd(labelW) + panel.map((i) => ' '.repeat(GAP) + cells[i].padStart(colW[i])).join(''));
    }
  }
  return lines.join('\n') + '\n' + (none && `\n${none}`);
}

/**
 * Set each node_eligible_mem_bp goal's ground-truth mean: the hot set's share on the goal's node
 * (bp), averaged over the aggregations of the second half of the run (of the entry's phase).
 * `truths` has one entry per aggregation (Recorder.truths), or the aggr records themselves.
 */
export function addGroundTruth(summary: SchemeSummary[], truths: readonly TruthSample[], durationS: number, stopped: ReadonlyMap<number, readonly Span[]> = new Map()): void {
  const withHot = truths.filter((a) => a.hot_bytes.length > 0);
  for (const s of summary) {
    if (s.metric !== 'node_eligible_mem_bp') continue;
    // The second half of the entry's span, as summarize() takes it (the whole run without phase times).
    const start = s.phaseStartS ?? 0;
    const from = start + ((s.phaseEndS ?? durationS) - start) / 2;
    // To the end of the run inclusive (not past it, where an iteration that began before it ended),
    // or to the phase's end.
    const last = s.phaseEndS === undefined || s.phaseEndS >= durationS;
    const to = last ? durationS : s.phaseEndS!;
    // An aggregation with no hot bytes at all has no share (as the plot leaves it out).
    const share = (a: TruthSample): number[] => {
      const total = a.hot_bytes.reduce((x, y) => x + y, 0);
      return total > 0 ? [((a.hot_bytes[s.nid] ?? 0) * 10000) / total] : [];
    };
    // From the phase's start on: over time, an aggregation before `from` holds until the next.
    const steps = withHot
      .filter((a) => a.t >= start && (last ? a.t <= to : a.t < to) && a.kdamond === s.kdamond && a.ctx === s.ctx)
      .flatMap((a) => share(a).map((v) => ({ t: a.t, v })));
    const shares = steps.filter((p) => p.t >= from).map((p) => p.v);
    const st = spread(shares);
    s.truthMeanOverTimeSecondHalf = shares.length > 0 ? (timeMean(steps, (p) => p.v, from, to, stopped.get(s.kdamond)) ?? null) : null;
    s.truthMeanSecondHalf = st?.mean ?? null;
    s.truthStddevSecondHalf = st?.sd ?? null;
    s.truthMinSecondHalf = st?.min ?? null;
    s.truthMaxSecondHalf = st?.max ?? null;
  }
}
