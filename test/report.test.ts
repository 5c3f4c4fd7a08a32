// SPDX-License-Identifier: GPL-2.0-only
/**
 * Run reports from hand-built timeline records: summary numbers (time to target, second-half
 * mean/stddev/min/max, cumulative stats), migration totals, the side-by-side text table, and the
 * headless, deterministic SVG chart.
 */

import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { goal } from './helpers/records.js';
import type { AggrRecord, GoalRecord } from '../src/run/recorder.js';
import { chartData, comparePlotSvg, comparisonTitle, goalPlotSvg, thinSteps, type ConfiguredGoal } from '../src/report/plot.js';
import { toJson } from '../src/lib/json.js';
import { tableWidth } from '../src/cli/io.js';
import { TABLE_WIDTH, addGroundTruth, formatBytesHuman, formatSummaryTable, sharedTitleStart, goalKey, goalLabel, migrationSummary, phaseNote, stoppedSpans, summarize, timeMean, type SchemeSummary } from '../src/report/summary.js';
import { formatPairedSweeps, formatSweepTable, parseSeedList, sweepGoals } from '../src/report/sweep.js';
import { parseTimelineLine, readTimeline } from '../src/report/timeline.js';
import { MAX_SETUP_DIFFERENCES, setupDifferences } from '../src/report/setup-diff.js';
import { runScenario, runScenarioAsync } from '../src/run/run.js';
import { cli } from './helpers/cli.js';
import { parseText } from '../src/formats/document.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Goal values at t = 1..n; the last record carries the cumulative stats. */
function series(values: number[], o: Partial<GoalRecord>, last: Partial<GoalRecord>): GoalRecord[] {
  return values.map((v, i) => goal(i + 1, v, i === values.length - 1 ? { ...o, ...last } : o));
}

const DURATION = 10;

// Scheme 0: reaches 6000 ± 100 at t=4 (|5900 - 6000| = 100, the boundary is inclusive); the second
// half (t >= 5) is 5900, 6100, 5900, 6100: mean 6000, population sd exactly 100.
const tempA = series([3000, 5000, 5850, 5900, 5900, 6100, 5900, 6100], {}, {
  nr_applied: 42,
  sz_applied: 3.5 * GiB,
  qt_exceeds: 7,
});
// Scheme 1: stuck at 500 against a 2000 bp target: never reached, sd 0.
const tempB = series(
  [500, 500, 500, 500, 500, 500, 500, 500],
  { scheme: 1, metric: 'node_mem_free_bp', nid: 1, target_value: 2000n },
  { nr_applied: 3, sz_applied: 12 * MiB, qt_exceeds: 0 },
);
// The same scenario under another tuner: reaches at t=2; second half 6000, 6020, 6040, 6060.
const consA = series([4000, 6050, 6000, 6000, 6000, 6020, 6040, 6060], {}, {
  nr_applied: 17,
  sz_applied: 768 * MiB,
  qt_exceeds: 1,
});
/** tempA's and tempB's goals as their configuration has them (a timeline header's `schemes[].goals`): a bigint target as a run has it, a number as a header read back does. */
const CONFIGURED: ConfiguredGoal[] = [
  { kdamond: 0, ctx: 0, scheme: 0, goal: 0, metric: 'node_mem_used_bp', nid: 0, target_value: 6000n },
  { kdamond: 0, ctx: 0, scheme: 1, goal: 0, metric: 'node_mem_free_bp', nid: 1, target_value: 2000 },
];

function aggr(t: number, hot: number[], migrated: number[][] = [[0, 0], [0, 0]]): AggrRecord {
  return {
    type: 'aggr',
    t,
    kdamond: 0,
    ctx: 0,
    nr_regions: 10,
    sample_us: 5000,
    aggr_us: 100000,
    node_used: [4 * GiB, 2 * GiB],
    hot_bytes: hot,
    migrated,
  };
}

describe('summarize', () => {
  // Interleave the goals as the recorder does (all goals at each charge window).
  const goals = tempA.flatMap((r, i) => [r, tempB[i]]);
  const [a, b] = summarize(goals, DURATION);

  it('a target past 2^53 (max) stays exact in the summary, its JSON and its text table', () => {
    const max = 2n ** 64n - 1n;
    const [s] = summarize([goal(1, 5000, { target_value: max }), goal(2, 6000, { target_value: max })], DURATION);
    expect(s.target).toBe(max);
    expect(toJson({ target: s.target })).toBe('{"target":18446744073709551615}');
    expect(formatSummaryTable([{ title: 'a', rows: [s] }])).toMatch(/target +18446744073709551615 bp\n/);
    expect(summarize([goal(1, 5000, { target_value: 6000n })], DURATION)[0].target).toBe(6000);
  });

  it('groups per goal, in (kdamond, ctx, scheme, goal) order, with default labels', () => {
    expect(summarize([...goals].reverse(), DURATION).map((s) => s.scheme)).toEqual([0, 1]);
    expect(a.label).toBe('s0 node_mem_used_bp nid 0');
    expect(b.label).toBe('s1 node_mem_free_bp nid 1');
    expect(a.evaluations).toBe(8);
  });

  it('finds the first evaluation within ±100 bp, inclusive', () => {
    expect(a.timeToTargetS).toBe(4);
    expect(b.timeToTargetS).toBeNull();
    // Every later value is exactly 100 away, so a 99 bp tolerance is never met; 150 admits 5850.
    expect(summarize(tempA, DURATION, undefined, 99)[0].timeToTargetS).toBeNull();
    expect(summarize(tempA, DURATION, undefined, 150)[0].timeToTargetS).toBe(3);
    expect(summarize(tempA, DURATION, undefined, 5000)[0].timeToTargetS).toBe(1);
  });

  it('finds when the goal settled: the start of the in-band stretch the run ends in, if it ends in one that holds for a tenth of the run', () => {
    // tempA is within ±100 from t=4 on (5900, 5900, 6100, 5900, 6100): settled at 4.
    expect(a.settledS).toBe(4);
    expect(b.settledS).toBeNull();
    // Out at t=7 (6150), in again from t=8 to t=10: settled at 8. In again at t=8 only, the last
    // evaluation of a 10 s run: not seen to hold. A run that ends outside the band has not settled.
    const late = series([4000, 6050, 6000, 6000, 6000, 6020, 6150, 6060, 5990, 6000], {}, {});
    expect(summarize(late, DURATION)[0].settledS).toBe(8);
    expect(summarize(late.slice(0, 8), DURATION)[0].settledS).toBeNull();
    const out = series([6000, 6000, 6000, 6000, 6000, 6000, 6000, 6200], {}, {});
    expect(summarize(out, DURATION)[0].settledS).toBeNull();
    // A stretch must hold for a tenth of the phase up to its end: of 100 evaluations a second over
    // 100 s, the last 10 in band (t=91..100, 9 s to the end) have not settled; the last 11 (10 s) have.
    const tail = (n: number) => series(Array.from({ length: 100 }, (_, i) => (i >= 100 - n ? 6000 : 5000)), {}, {});
    expect(summarize(tail(10), 100)[0].settledS).toBeNull();
    expect(summarize(tail(11), 100)[0].settledS).toBe(90);
    expect(summarize(tail(11), 100)[0].timeToTargetS).toBe(90);
    // Measured to the last evaluation, not to the end: evaluations that stop (a kdamond turned off)
    // soon after the goal came in band have not shown it to hold.
    const stopped = series([5000, 5000, 5000, 6000, 6000], {}, {});
    expect(summarize(stopped, 50)[0].settledS).toBeNull();
    expect(summarize(stopped, 10)[0].settledS).toBe(4);
    // The table's row: the time, "never", and "-" for a summary read from a timeline that predates it.
    const rows = (x: SchemeSummary) => formatSummaryTable([{ title: 'r', rows: [x] }]).split('\n').find((l) => l.startsWith('  time to settle'));
    expect(rows(a)).toMatch(/^ {2}time to settle ±100 bp +4\.000 s$/);
    expect(rows(b)).toMatch(/ never$/);
    const { settledS: _drop, ...older } = a;
    expect(rows(older)).toMatch(/ -$/);
  });

  it('judges by another band when told (run --tolerance): the entries say which, the table heads its rows by it, by run where runs differ', () => {
    const [wide] = summarize(tempA, DURATION, undefined, 1000);
    // tempA: 5000 at t=2 is within ±1000 of 6000 (3000 at t=1 is not), and every second-half value is.
    expect(wide).toMatchObject({ tolerance: 1000, timeToTargetS: 2, settledS: 2, inBandSecondHalf: 1 });
    expect(a.tolerance).toBeUndefined();
    const table = formatSummaryTable([{ title: 'wide', rows: [wide] }]);
    expect(table).toMatch(/\n {2}time to target ±1000 bp +2\.000 s\n/);
    expect(table).toContain('  within ±1000 bp, 2nd half');
    const both = formatSummaryTable([
      { title: 'wide', rows: [wide] },
      { title: 'default', rows: [a] },
    ]);
    expect(both).toContain('  time to settle ±1000 / ±100 bp (by run)');
    // A sweep of such runs says it in its head and its line.
    const sweep = formatSweepTable('t', [{ seed: 1, summary: [wide], stats: [] }]);
    expect(sweep).toContain('time to ±1000');
    expect(sweep).toContain('within ±1000 of 6000');
  });

  it('a hot-set move starts a phase of every goal at the move: its time to target is the recovery time', () => {
    // In band by t=3, the hot set moves at 4.5 (the value drops), back in band at t=8.
    const st = (t: number, sz: number) => ({ sz_applied: sz, nr_applied: t, qt_exceeds: 0 });
    const recs = [6500, 6050, 6000, 6000, 3000, 4000, 5500, 5950].map((v, i) => goal(i + 1, v, st(i + 1, (i + 1) * MiB)));
    const fin = [{ kdamond: 0, ctx: 0, scheme: 0, label: 's0', nrTried: 0, szTried: 0, nrApplied: 9, szApplied: 9 * MiB, szOpsFilterPassed: 0, qtExceeds: 0 }];
    const [before, after] = summarize(recs, DURATION, undefined, 100, { hotSetMoves: [4.5], finalStats: fin });
    expect(before).toMatchObject({ phase: 0, phaseStartS: 0, phaseEndS: 4.5, timeToTargetS: 2, evaluations: 4, szApplied: 5 * MiB });
    expect(before.hotSetMoved).toBeUndefined();
    // Counted from the move: in band at t=8, 3.5 s after it; the applied bytes from the phase's first evaluation on.
    expect(after).toMatchObject({ phase: 1, phaseStartS: 4.5, phaseEndS: DURATION, hotSetMoved: true, timeToTargetS: 3.5, evaluations: 4, szApplied: 4 * MiB });
    expect(formatSummaryTable([{ title: 'r', rows: [before, after] }])).toContain('s0 node_mem_used_bp nid 0, from 4.500 s (the hot set moved), until 10.000 s');
    // The steady state's rate (an operator review): from the first reading in the phase's second
    // half to its end. Before: 3 MiB at t=3 to the next phase's 5 MiB at t=5, 1 MiB/s; after: 8 MiB
    // at t=8 to the final 9 MiB at 10 s, 0.5 MiB/s.
    expect(before.szAppliedPerHourSecondHalf).toBe(3600 * MiB);
    expect(after.szAppliedPerHourSecondHalf).toBe(1800 * MiB);
    expect(formatSummaryTable([{ title: 'r', rows: [before, after] }])).toMatch(/\n {2}applied per hour, 2nd half +3\.516 GiB\/h\n[^]*\n {2}applied per hour, 2nd half +1\.758 GiB\/h\n/);
    // A move past the last evaluation splits nothing; no move, one entry as before.
    expect(summarize(recs, DURATION, undefined, 100, { hotSetMoves: [9] })).toHaveLength(1);
    expect(summarize(recs, DURATION, undefined, 100, {})[0].phase).toBeUndefined();
  });

  it('after a move, an evaluation of counts gathered before it is no recovery (an operator review: 0.2 s reported, ~650 s taken)', () => {
    // An evaluation comes in the apply pass just before its aggregation ends (t + 0.5 ms). The
    // hot set moves at 4.5: the evaluation at t=5 still reads counts mostly from before the move,
    // in band; the aggregation that ends at 5.0005 is the last such, so from t=6 on the counts
    // are the moved hot set's: 3000 at t=6, back in band at t=8.
    const recs = [6500, 6050, 6000, 6000, 6010, 3000, 4000, 5950].map((v, i) => goal(i + 1, v));
    const aggrs = Array.from({ length: 10 }, (_, i) => i + 0.0005);
    const [, after] = summarize(recs, DURATION, undefined, 100, { hotSetMoves: [4.5], aggregations: () => aggrs });
    expect(after).toMatchObject({ hotSetMoved: true, moveSeenS: 5.0005, timeToTargetS: 3.5, evaluations: 4 });
    // An aggregation that ends at the move gathered its counts before it: the next one is the first after.
    const [, atEnd] = summarize(recs, DURATION, undefined, 100, { hotSetMoves: [4.0005], aggregations: () => aggrs });
    expect(atEnd).toMatchObject({ moveSeenS: 4.0005, timeToTargetS: 0.9995 });
    // Without the aggregation times (a caller that has none), every evaluation counts, as before.
    const [, blind] = summarize(recs, DURATION, undefined, 100, { hotSetMoves: [4.5] });
    expect(blind.timeToTargetS).toBe(0.5);
    expect(blind.moveSeenS).toBeUndefined();
    // No aggregation ended after the move: nothing it evaluated can count.
    const [, unseen] = summarize(recs, DURATION, undefined, 100, { hotSetMoves: [4.5], aggregations: () => aggrs.slice(0, 5) });
    expect(unseen).toMatchObject({ moveSeenS: null, timeToTargetS: null, settledS: null });
    // Nor can such evaluations start the settled stretch (a diff review: settled at 0.5 s, before
    // the time to target, 1.5 s): in band from the stale t=5 on, it starts at t=6.
    const steady = [6500, 6050, 6000, 6000, 6010, 6000, 6000, 5950, 6000, 6000].map((v, i) => goal(i + 1, v));
    const [, held] = summarize(steady, DURATION, undefined, 100, { hotSetMoves: [4.5], aggregations: () => aggrs });
    expect(held).toMatchObject({ moveSeenS: 5.0005, timeToTargetS: 1.5, settledS: 1.5 });
  });

  it('computes population mean/stddev/min/max over t >= duration/2', () => {
    expect(a.meanSecondHalf).toBe(6000);
    expect(a.stddevSecondHalf).toBe(100);
    expect(a.minSecondHalf).toBe(5900);
    expect(a.maxSecondHalf).toBe(6100);
    const [c] = summarize(consA, DURATION);
    expect(c.meanSecondHalf).toBe(6030);
    // Deviations -30, -10, 10, 30: variance (900 + 100 + 100 + 900) / 4 = 500.
    expect(c.stddevSecondHalf).toBeCloseTo(Math.sqrt(500), 12);
    expect(b.stddevSecondHalf).toBe(0);
  });

  it('measures how much of the second half was within the tolerance, boundary included', () => {
    // tempA's second half is 5900, 6100, 5900, 6100: all exactly 100 away; tempB never near 2000.
    expect([a.inBandSecondHalf, b.inBandSecondHalf]).toEqual([1, 0]);
    expect(summarize(tempA, DURATION, undefined, 99)[0].inBandSecondHalf).toBe(0);
    // consA's is 6000, 6020, 6040, 6060: within 30 are the first two.
    expect(summarize(consA, DURATION, undefined, 30)[0].inBandSecondHalf).toBe(0.5);
    expect(summarize(tempA, 100)[0].inBandSecondHalf).toBeNull();
  });

  it('takes the cumulative stats and target from the last record', () => {
    expect(a).toMatchObject({ target: 6000, nrApplied: 42, szApplied: 3.5 * GiB, qtExceeds: 7 });
    expect(b).toMatchObject({ target: 2000, nrApplied: 3, szApplied: 12 * MiB, qtExceeds: 0 });
  });

  it('gives nulls when no evaluation falls in the second half', () => {
    const [s] = summarize(tempA, 100);
    expect(s.meanSecondHalf).toBeNull();
    expect(s.stddevSecondHalf).toBeNull();
    expect(s.minSecondHalf).toBeNull();
    expect(s.maxSecondHalf).toBeNull();
    expect(s.timeToTargetS).toBe(4);
  });

  it('uses caller labels keyed by goalKey', () => {
    const labels = new Map([[goalKey({ kdamond: 0, ctx: 0, scheme: 1, goal: 0 }), 'demote cold']]);
    expect(summarize(goals, DURATION, labels).map((s) => s.label)).toEqual(['s0 node_mem_used_bp nid 0', 'demote cold']);
  });

  it('accepts re-parsed NDJSON records whose bigints became numbers', () => {
    const parsed = JSON.parse(
      JSON.stringify(tempA, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
    ) as GoalRecord[];
    expect(summarize(parsed, DURATION)).toEqual(summarize(tempA, DURATION));
  });
});

describe('summarize: a goal a commit changed is judged per phase', () => {
  // t = 1..4 against 6000 (reached at t=2); a commit moves the target to 7000 from t = 5 (the first
  // evaluation under it); 7000 ± 100 is first met at t = 7.5, 2.5 s into the phase. Duration 12:
  // phase 0 spans [0, 5) (second half t >= 2.5), phase 1 [5, 12) (second half t >= 8.5).
  const st = (sz: number, nr: number, qt: number) => ({ sz_applied: sz, nr_applied: nr, qt_exceeds: qt });
  const recs = [
    goal(1, 3000, st(0, 0, 0)),
    goal(2, 6050, st(1 * GiB, 10, 1)),
    goal(3, 5950, st(2 * GiB, 20, 2)),
    goal(4, 6000, st(3 * GiB, 30, 3)),
    goal(5, 6000, { target_value: 7000n, ...st(4 * GiB, 40, 4) }),
    goal(6.5, 6500, { target_value: 7000n, ...st(5 * GiB, 50, 5) }),
    goal(7.5, 6950, { target_value: 7000n, ...st(6 * GiB, 60, 6) }),
    goal(9, 7000, { target_value: 7000n, ...st(7 * GiB, 70, 7) }),
    goal(11, 7100, { target_value: 7000n, ...st(8 * GiB, 80, 8) }),
  ];
  const fin = [{ kdamond: 0, ctx: 0, scheme: 0, szApplied: 9 * GiB, nrApplied: 90, qtExceeds: 9 }];
  const [p0, p1] = summarize(recs, 12, undefined, 100, { finalStats: fin });

  it('splits at the target change, timing each phase from its start', () => {
    expect(summarize(recs, 12).length).toBe(2);
    expect(p0).toMatchObject({ phase: 0, phaseStartS: 0, phaseEndS: 5, target: 6000, timeToTargetS: 2, evaluations: 4 });
    expect(p1).toMatchObject({ phase: 1, phaseStartS: 5, phaseEndS: 12, target: 7000, timeToTargetS: 2.5, evaluations: 5 });
  });

  it("takes each phase's own second half", () => {
    // Phase 0: t = 3, 4 (5950, 6000); phase 1: t = 9, 11 (7000, 7100).
    expect([p0.meanSecondHalf, p0.minSecondHalf, p0.maxSecondHalf]).toEqual([5975, 5950, 6000]);
    expect([p1.meanSecondHalf, p1.stddevSecondHalf]).toEqual([7050, 50]);
  });

  it("counts each phase's own applied bytes, the last one up to the run's final stats", () => {
    expect([p0.szApplied, p0.nrApplied, p0.qtExceeds]).toEqual([4 * GiB, 40, 4]);
    expect([p1.szApplied, p1.nrApplied, p1.qtExceeds]).toEqual([5 * GiB, 50, 5]);
  });

  it('a phase starts when the write took effect, where the run says so', () => {
    // The commit served at 4.4 s (after the last 6000 evaluation at 4, before the first 7000 one at 5).
    const w = (t: number, kdamond = 0) => ({ t, kdamond });
    const [q0, q1] = summarize(recs, 12, undefined, 100, { goalWrites: [w(3.5), w(4.2, 1), w(4.4), w(6)] });
    expect([q0.phaseEndS, q1.phaseStartS, q1.timeToTargetS]).toEqual([4.4, 4.4, 3.1]);
    // Writes of another kdamond, before the old goal's last evaluation or after the new one's first do not count.
    expect(summarize(recs, 12, undefined, 100, { goalWrites: [w(3.5), w(4.2, 1), w(6)] })[1].phaseStartS).toBe(5);
  });

  it('a phase starts at the write that set its target, where the writes record the goals', () => {
    // Two writes between the last 6000 evaluation (4 s) and the first 7000 one (5 s): a commit
    // at 4.2 s that left the target at 6000 (another scheme's change, say), the target change at
    // 4.6 s. Without goal_params the first write after 4 s is all the summary can take.
    const params = (target: bigint) => [[{ metric: 'node_mem_used_bp', nid: 0, target_value: target }]];
    const w = (t: number, target: bigint) => ({ t, kdamond: 0, goals: [1], goal_params: params(target) });
    const [q0, q1] = summarize(recs, 12, undefined, 100, { goalWrites: [w(4.2, 6000n), w(4.6, 7000n)] });
    expect([q0.phaseEndS, q1.phaseStartS]).toEqual([4.6, 4.6]);
    const bare = summarize(recs, 12, undefined, 100, { goalWrites: [4.2, 4.6].map((t) => ({ t, kdamond: 0, goals: [1] })) });
    expect(bare[1].phaseStartS).toBe(4.2);
    // Set to 7000, back to 6000, then to 7000 again before the first 7000 evaluation: the phase
    // starts at the last setting; an unrelated write after it (target unchanged) does not move it.
    const aba = summarize(recs, 12, undefined, 100, { goalWrites: [w(4.2, 7000n), w(4.4, 6000n), w(4.6, 7000n), w(4.8, 7000n)] });
    expect(aba[1].phaseStartS).toBe(4.6);
    // Read back from NDJSON the targets are plain numbers.
    const parsed = summarize(recs, 12, undefined, 100, { goalWrites: [w(4.2, 6000n), { ...w(4.6, 7000n), goal_params: [[{ metric: 'node_mem_used_bp', nid: 0, target_value: 7000 }]] }] });
    expect(parsed[1].phaseStartS).toBe(4.6);
  });

  it('a change after the last evaluation ends the phase there: the new setting gets a phase without evaluations', () => {
    // The last evaluation (7000) is at 11 s; a write at 11.5 s sets 8000, and the run ends at 12 s
    // before any evaluation under it. A later write back to 7000 would undo it; one to 8000 again
    // would not move its start.
    const params = (target: bigint) => [[{ metric: 'node_mem_used_bp', nid: 0, target_value: target }]];
    const w = (t: number, target: bigint) => ({ t, kdamond: 0, goals: [1], goal_params: params(target) });
    const rows = summarize(recs, 12, undefined, 100, { finalStats: fin, goalWrites: [w(4.6, 7000n), w(11.5, 8000n), w(11.8, 8000n)] });
    expect(rows.map((r) => [r.phase, r.phaseStartS, r.phaseEndS, r.target, r.evaluations])).toEqual([
      [0, 0, 4.6, 6000, 4],
      [1, 4.6, 11.5, 7000, 5],
      [2, 11.5, 12, 8000, 0],
    ]);
    // Phase 1 stops at its last evaluation (8 GiB at 11 s); phase 2 has the rest, to the final 9 GiB.
    expect(rows.map((r) => [r.szApplied, r.nrApplied, r.qtExceeds])).toEqual([
      [4 * GiB, 40, 4],
      [4 * GiB, 40, 4],
      [1 * GiB, 10, 1],
    ]);
    expect(rows[2].meanSecondHalf).toBeNull();
    expect(rows[2].timeToTargetS).toBeNull();
    // Phase 1's second half is that of [4.6, 11.5]: from 8.05 s, the 9 s and 11 s evaluations.
    expect(rows[1].meanSecondHalf).toBe(7050);
    const undone = summarize(recs, 12, undefined, 100, { finalStats: fin, goalWrites: [w(4.6, 7000n), w(11.5, 8000n), w(11.8, 7000n)] });
    expect(undone.map((r) => [r.phase, r.phaseEndS])).toEqual([
      [0, 4.6],
      [1, 12],
    ]);
  });

  it('applied totals survive a restart (on after off zeroes the stats)', () => {
    // Phase 1's stats fall from 6 GiB (t = 7.5) to 0 (t = 9): a restart. 4 → 5 → 6 GiB, then 0 → 1 → 3 (final): 2 + 1 + 2 GiB.
    const restarted = recs.map((r) => (r.t >= 9 ? { ...r, sz_applied: r.sz_applied - 7 * GiB, nr_applied: r.nr_applied - 70, qt_exceeds: r.qt_exceeds - 7 } : r));
    const [r0, r1] = summarize(restarted, 12, undefined, 100, { finalStats: [{ ...fin[0], szApplied: 3 * GiB, nrApplied: 30, qtExceeds: 3 }] });
    expect([r0.szApplied, r0.nrApplied]).toEqual([4 * GiB, 40]);
    expect([r1.szApplied, r1.nrApplied, r1.qtExceeds]).toEqual([5 * GiB, 50, 5]);
    // An unchanged goal adds across a restart the same way: 6 GiB up to t = 7.5, then 3 (it used to report the final 3 alone).
    const single = restarted.map((r) => ({ ...r, target_value: 6000n }));
    expect(summarize(single, 12, undefined, 100, { finalStats: [{ ...fin[0], szApplied: 3 * GiB, nrApplied: 30, qtExceeds: 3 }] })[0].szApplied).toBe(9 * GiB);
    // What the scheme applied after its last evaluation before the kdamond stopped (6.5 GiB at the
    // `on` at t = 8.5, against 6 at t = 7.5) counts too: the `on` record says what the stats were.
    const on = { t: 8.5, kdamond: 0, ctx: 0, stats_before: [{ sz_applied: 6.5 * GiB, nr_applied: 65, qt_exceeds: 6 }] };
    expect(summarize(single, 12, undefined, 100, { finalStats: [{ ...fin[0], szApplied: 3 * GiB, nrApplied: 30, qtExceeds: 3 }], goalWrites: [on] })[0].szApplied).toBe(9.5 * GiB);
  });

  it('a run stopped and started again counts what each scheme applied up to the stop: the summary agrees with the bytes migrated', () => {
    const doc = tiering6040('temporal');
    doc.duration = 60;
    (doc as Record<string, unknown>).events = [{ at: 40, command: 'off' }, { at: 45, command: 'on' }];
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const moved = (from: number, to: number) => res.migrations.find((m) => m.from === from && m.to === to)?.bytes ?? 0;
    const applied = (scheme: number) => res.summary.filter((x) => x.scheme === scheme).reduce((a, x) => a + x.szApplied, 0);
    expect(moved(1, 0)).toBeGreaterThan(0);
    expect([applied(0), applied(1)]).toEqual([moved(1, 0), moved(0, 1)]);
    // The on record holds the stats the restart zeroed.
    const onRec = res.events.find((e) => e.command === 'on') as { stats_before?: Array<{ sz_applied: number }> } | undefined;
    expect(onRec?.stats_before?.map((x) => x.sz_applied)).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('averages the ground truth over each phase\'s second half', () => {
    const s = summarize(recs.map((r) => ({ ...r, metric: 'node_eligible_mem_bp' })), 12);
    // node 0's share: 1/4 at t = 1 (ignored), 1/2 at t = 3 and 4, 3/4 at t = 6 (before 8.5: ignored), 1 at t = 10.
    addGroundTruth(s, [aggr(1, [GiB, 3 * GiB]), aggr(3, [GiB, GiB]), aggr(4, [GiB, GiB]), aggr(6, [3 * GiB, GiB]), aggr(10, [GiB, 0])], 12);
    expect(s.map((x) => x.truthMeanSecondHalf)).toEqual([5000, 10000]);
  });

  it('labels the phases in the table and lines them up across runs', () => {
    const table = formatSummaryTable([{ title: 'a', rows: [p0, p1] }, { title: 'b', rows: [p0, p1] }]);
    const heads = table.split('\n').filter((l) => l.startsWith('s0 '));
    expect(heads).toEqual(['s0 node_mem_used_bp nid 0, until 5.000 s', 's0 node_mem_used_bp nid 0, from 5.000 s, until 12.000 s']);
    expect(table.split('\n').filter((l) => l.includes('time to target')).map((l) => l.trim().split(/\s{2,}/).slice(1))).toEqual([
      ['2.000 s', '2.000 s'],
      ['2.500 s', '2.500 s'],
    ]);
    // A run whose write took effect at another time (another tuner's kdamond, another variant): the
    // heading gives both columns' times, not the first's alone.
    const later = formatSummaryTable([{ title: 'a', rows: [p0, p1] }, { title: 'b', rows: [{ ...p0, phaseEndS: 5.25 }, { ...p1, phaseStartS: 5.25 }] }]);
    expect(later.split('\n').filter((l) => l.startsWith('s0 '))).toEqual(['s0 node_mem_used_bp nid 0, until 5.000–5.250 s', 's0 node_mem_used_bp nid 0, from 5.000–5.250 s, until 12.000 s']);
  });

  it('a goal a write removed ends there: its second half is that of the time it lived', () => {
    // Writes leave scheme 0 with 0 goals at 4.4 s (after the last 6000 evaluation at t = 4).
    const w = (t: number, goals: number[] | undefined, kdamond = 0) => ({ t, kdamond, ctx: 0, goals });
    const lived = recs.slice(0, 4);
    const [r] = summarize(lived, 12, undefined, 100, { goalWrites: [w(2.5, [1]), w(4.2, [0], 1), w(4.4, [0])] });
    // Second half of [0, 4.4): t >= 2.2, so t = 3, 4 (5950, 6000), not the run's (t >= 6: none).
    expect(r).toMatchObject({ removedAtS: 4.4, phaseStartS: 0, phaseEndS: 4.4, meanSecondHalf: 5975, evaluations: 4 });
    expect(r.phase).toBeUndefined();
    expect(formatSummaryTable([{ title: 'a', rows: [r] }]).split('\n').filter((l) => l.startsWith('s0 '))).toEqual(['s0 node_mem_used_bp nid 0, removed at 4.400 s']);
    // Not removed: a write that keeps the goal, one of another kdamond, one without goal counts
    // (older timelines), one before the last evaluation.
    for (const writes of [[w(4.4, [1])], [w(4.4, [0], 1)], [w(4.4, undefined)], [w(3.9, [0])]]) {
      const [k] = summarize(lived, 12, undefined, 100, { goalWrites: writes });
      expect(k.removedAtS).toBeUndefined();
      expect(k.meanSecondHalf).toBe(null); // the run's second half (t >= 6) has no evaluation
    }
    // A changed goal's last phase is the one removed: phase 1 ends at 11.5 s.
    const [q0, q1] = summarize(recs, 12, undefined, 100, { goalWrites: [w(4.4, [1]), w(11.5, [0])] });
    expect([q0.phaseEndS, q0.removedAtS, q1.phaseStartS, q1.phaseEndS, q1.removedAtS]).toEqual([4.4, undefined, 4.4, 11.5, 11.5]);
    expect(formatSummaryTable([{ title: 'a', rows: [q0, q1] }]).split('\n').filter((l) => l.startsWith('s0 '))).toEqual([
      's0 node_mem_used_bp nid 0, until 4.400 s',
      's0 node_mem_used_bp nid 0, from 4.400 s, removed at 11.500 s',
    ]);
    // Side by side with a run whose goal lived the whole run: each column's own note, not one's for all.
    const [whole] = summarize(lived, 12);
    const heads = (cols: SchemeSummary[][]) => formatSummaryTable(cols.map((rows, i) => ({ title: `r${i}`, rows }))).split('\n').filter((l) => l.startsWith('s0 '));
    expect(heads([[whole], [r]])).toEqual(['s0 node_mem_used_bp nid 0; phases differ by run: the whole run | removed at 4.400 s']);
    expect(heads([[r], [whole]])).toEqual(['s0 node_mem_used_bp nid 0; phases differ by run: removed at 4.400 s | the whole run']);
  });

  it("a removed goal's applied totals stop at its last evaluation; a goal written again starts a phase at that write", () => {
    const w = (t: number, goals: number[]) => ({ t, kdamond: 0, ctx: 0, goals });
    // Removed at 4.4 s for good: 3 GiB applied by its last evaluation (t = 4), not the run's 9.
    const [r] = summarize(recs.slice(0, 4), 12, undefined, 100, { finalStats: fin, goalWrites: [w(4.4, [0])] });
    expect([r.szApplied, r.nrApplied, r.qtExceeds]).toEqual([3 * GiB, 30, 3]);
    // Removed at 4.4 s, written again with target 7000 at 4.8 s: the new phase starts at 4.8 s.
    const [a0, a1] = summarize(recs, 12, undefined, 100, { finalStats: fin, goalWrites: [w(4.4, [0]), w(4.8, [1])] });
    expect([a0.removedAtS, a0.phaseEndS, a1.phaseStartS, a1.phaseEndS, a1.removedAtS, a1.timeToTargetS]).toEqual([4.4, 4.4, 4.8, 12, undefined, 2.7]);
    expect([a0.szApplied, a1.szApplied]).toEqual([3 * GiB, 5 * GiB]);
    // Written again with the same target: still two phases, not one hiding the gap.
    const same = recs.map((x) => ({ ...x, target_value: 6000n }));
    const [b0, b1] = summarize(same, 12, undefined, 100, { goalWrites: [w(4.4, [0]), w(4.8, [1])] });
    expect([b0.phase, b0.removedAtS, b1.phase, b1.phaseStartS, b1.evaluations]).toEqual([0, 4.4, 1, 4.8, 5]);
    expect(formatSummaryTable([{ title: 'a', rows: [b0, b1] }]).split('\n').filter((l) => l.startsWith('s0 '))).toEqual([
      's0 node_mem_used_bp nid 0, removed at 4.400 s',
      's0 node_mem_used_bp nid 0, from 4.800 s, until 12.000 s',
    ]);
    // Without the goal counts (older timelines) the same target stays one phase.
    expect(summarize(same, 12, undefined, 100, { goalWrites: [{ t: 4.4, kdamond: 0 }, { t: 4.8, kdamond: 0 }] }).length).toBe(1);
  });

  it('a goal a write added starts at that write; one given back after its last evaluation is not removed', () => {
    const w = (t: number, goals: number[]) => ({ t, kdamond: 0, ctx: 0, goals });
    // Evaluated from 101 s on, added by a write at 100.5 s (the run started without it).
    const late = recs.slice(0, 4).map((x) => ({ ...x, t: x.t + 100 }));
    const [a] = summarize(late, 120, undefined, 100, { goalWrites: [w(100.5, [1])], initialGoals: [{ kdamond: 0, ctx: 0, goals: [0] }] });
    expect([a.phase, a.phaseStartS, a.phaseEndS, a.timeToTargetS, a.removedAtS]).toEqual([undefined, 100.5, 120, 1.5, undefined]);
    expect(formatSummaryTable([{ title: 'a', rows: [a] }]).split('\n').filter((l) => l.startsWith('s0 '))).toEqual(['s0 node_mem_used_bp nid 0, from 100.500 s, until 120.000 s']);
    // Applied from its first evaluation (t = 101: 0 GiB) to the end: the run's final 9 GiB.
    const [af] = summarize(late, 120, undefined, 100, { finalStats: fin, goalWrites: [w(100.5, [1])], initialGoals: [{ kdamond: 0, ctx: 0, goals: [0] }] });
    expect(af.szApplied).toBe(9 * GiB);
    const [af2] = summarize(late.slice(1), 120, undefined, 100, { finalStats: fin, goalWrites: [w(100.5, [1])], initialGoals: [{ kdamond: 0, ctx: 0, goals: [0] }] });
    expect(af2.szApplied).toBe(8 * GiB); // from 1 GiB at its first evaluation (t = 102), not from 0
    // A goal the run started with, or no initial counts (older timelines): from 0, as before.
    for (const initialGoals of [[{ kdamond: 0, ctx: 0, goals: [1] }], undefined]) {
      const [b] = summarize(late, 120, undefined, 100, { goalWrites: [w(100.5, [1])], initialGoals });
      expect([b.phaseStartS, b.timeToTargetS]).toEqual([undefined, 102]);
    }
    // Removed at 4.4 s and given back at 6 s, with no evaluation after: it exists at the end.
    const [c] = summarize(recs.slice(0, 4), 12, undefined, 100, { goalWrites: [w(4.4, [0]), w(6, [1])] });
    expect(c.removedAtS).toBeUndefined();
  });

  it('holds together under any sequence of evaluations and goal writes', () => {
    // Evaluations at increasing times with targets from a small set; writes between them that
    // keep or remove the goal. Whatever the mix: every evaluation lands in exactly one entry, the
    // entries cover ordered, non-overlapping spans of the run, each span holds its own
    // evaluations, and a removal comes after the entry's last evaluation.
    const arb = fc.record({
      evals: fc.array(fc.record({ dt: fc.integer({ min: 1, max: 20 }), target: fc.constantFrom(6000n, 7000n) }), { minLength: 1, maxLength: 30 }),
      writes: fc.array(fc.record({ t: fc.integer({ min: 0, max: 700 }), keeps: fc.boolean() }), { maxLength: 8 }),
      initial: fc.option(fc.boolean(), { nil: undefined }),
    });
    fc.assert(
      fc.property(arb, ({ evals, writes, initial }) => {
        let t = 0;
        const recs = evals.map((e) => goal((t += e.dt) / 10, 6000, { target_value: e.target }));
        const duration = t / 10 + 1;
        const goalWrites = writes.map((w) => ({ t: w.t / 10 + 0.05, kdamond: 0, ctx: 0, goals: [w.keeps ? 1 : 0] }));
        const initialGoals = initial === undefined ? undefined : [{ kdamond: 0, ctx: 0, goals: [initial ? 1 : 0] }];
        const out = summarize(recs, duration, undefined, 100, { goalWrites, initialGoals });
        expect(out.reduce((n, s) => n + s.evaluations, 0)).toBe(recs.length);
        let prevEnd = 0;
        let seen = 0;
        for (const s of out) {
          const mine = recs.slice(seen, seen + s.evaluations);
          seen += s.evaluations;
          const start = s.phaseStartS ?? 0;
          const end = s.phaseEndS ?? duration;
          expect(start).toBeGreaterThanOrEqual(prevEnd);
          expect(end).toBeGreaterThanOrEqual(start);
          for (const r of mine) {
            expect(r.t).toBeGreaterThanOrEqual(start);
            expect(r.t).toBeLessThanOrEqual(end);
          }
          if (s.removedAtS !== undefined) {
            expect(s.removedAtS).toBe(end);
            expect(s.removedAtS).toBeGreaterThanOrEqual(mine[mine.length - 1].t);
          }
          prevEnd = end;
        }
      }),
      { numRuns: 3000, seed: 0x9a5e },
    );
  });

  it('heads each part of a goal by the time it covers', () => {
    const base = summarize(tempA, DURATION)[0];
    expect(phaseNote(base)).toBe('');
    expect(phaseNote({ ...base, phase: 0, phaseStartS: 0, phaseEndS: 5 })).toBe(', until 5.000 s');
    expect(phaseNote({ ...base, phase: 1, phaseStartS: 5, phaseEndS: 8 })).toBe(', from 5.000 s, until 8.000 s');
    expect(phaseNote({ ...base, phase: 0, phaseStartS: 2, phaseEndS: 4, removedAtS: 4 })).toBe(', from 2.000 s, removed at 4.000 s');
    expect(phaseNote({ ...base, phaseStartS: 0, phaseEndS: 4, removedAtS: 4 })).toBe(', removed at 4.000 s');
  });

  it('an unchanged goal has no phase fields (the summary record is as before)', () => {
    expect(Object.keys(summarize(tempA, DURATION)[0])).not.toContain('phase');
  });
});

describe('seed sweeps', () => {
  // Three seeds' summaries of one goal: means 6050, 5850, 6000 (two within ±100), reached at 4, never, 2, settled a second later.
  const one = (mean: number, ttt: number | null, szGiB: number, inBand: number) => ({ ...summarize(tempA, DURATION)[0], meanSecondHalf: mean, timeToTargetS: ttt, settledS: ttt === null ? null : ttt + 1, szApplied: szGiB * GiB, inBandSecondHalf: inBand, inBandOverTimeSecondHalf: inBand });
  const runs = [
    { seed: 1, summary: [one(6050, 4, 1, 0.5)] },
    { seed: 2, summary: [one(5850, null, 2, 0.25)] },
    { seed: 42, summary: [one(6000, 2, 3, 1)] },
  ];

  it('adds the seeds up per goal', () => {
    const [g] = sweepGoals(runs);
    expect([g.runs, g.meanWithin, g.reached, g.medianTimeToTargetS]).toEqual([3, 2, 2, 3]);
    expect([g.meanOfMeans, g.minMean, g.maxMean]).toEqual([5966.666666666667, 5850, 6050]);
    expect(sweepGoals(runs, 30)[0].meanWithin).toBe(1);
  });

  it('prints one row per seed and a line over all of them', () => {
    const lines = formatSweepTable('x', runs).trimEnd().split('\n');
    expect(lines[0]).toBe('x: s0 node_mem_used_bp nid 0 (node_mem_used_bp nid 0, target 6000)');
    expect(lines.slice(3, 6).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['1', '4.000 s', '5.000 s', '6050.0 ± 100.0', '5900 / 6100', '50.0 %', '-', '-', '1.000 GiB'],
      ['2', 'never', 'never', '5850.0 ± 100.0', '5900 / 6100', '25.0 %', '-', '-', '2.000 GiB'],
      ['42', '2.000 s', '3.000 s', '6000.0 ± 100.0', '5900 / 6100', '100.0 %', '-', '-', '3.000 GiB'],
    ]);
    // The ground truth's sd stands beside its mean; a summary from before the sd was recorded has the mean alone.
    const truthRuns = [
      { seed: 1, summary: [{ ...one(6050, 4, 1, 0.5), truthMeanSecondHalf: 5950, truthStddevSecondHalf: 99.66, truthMeanOverTimeSecondHalf: 5943.04 }] },
      { seed: 2, summary: [{ ...one(5850, null, 2, 0.25), truthMeanSecondHalf: 5856.4 }] },
    ];
    // The line over the seeds takes the share of the second half's time in band where recorded.
    const timed = [{ seed: 1, summary: [{ ...one(6050, 4, 1, 0.5), inBandOverTimeSecondHalf: 0.2 }] }, { seed: 2, summary: [one(5850, null, 2, 0.25)] }];
    expect(sweepGoals(timed)[0].meanInBand).toBe((0.2 + 0.25) / 2);
    expect(formatSweepTable('x', truthRuns).split('\n').slice(1, 5).map((l) => l.trim().split(/\s{2,}/).slice(6, 8))).toEqual([['true share ± sd', 'over time'], [], ['5950.0 ± 99.7', '5943.0'], ['5856.4', '-']]);
    expect(lines[6]).toBe(
      'all 3 seeds: within ±100 of 6000 for 58.3 % of the second half on average (sd within a run 100.0 on average); second-half mean within ±100 in 2/3 (means 5966.7 on average, 5850.0–6050.0); target reached in 2/3, median after 3.000 s; settled in 2/3, median after 4.000 s',
    );
  });

  it('two sweeps side by side, seed by seed: the truth over time, the time in band, the cost, and which came closer', () => {
    const row = (seed: number, truth: number, inBand: number, perHour: number) => ({
      seed,
      summary: [{ ...one(6000, 2, 1, inBand), truthMeanSecondHalf: truth + 50, truthMeanOverTimeSecondHalf: truth, inBandOverTimeSecondHalf: inBand, szAppliedPerHourSecondHalf: perHour * GiB }],
    });
    const base = { title: 'tiering-6040-base', runs: [row(1, 5800, 0.2, 400), row(2, 6100, 0.5, 400), row(3, 5900, 0.1, 400)] };
    // Seed 3 only the base has: two seeds pair.
    const variant = { title: 'tiering-6040-mine', runs: [row(1, 5950, 0.4, 100), row(2, 6300, 0.3, 50)] };
    const lines = formatPairedSweeps(base, variant).trimEnd().split('\n');
    expect(lines[0]).toBe('tiering-6040-mine against tiering-6040-base, paired by seed: s0 node_mem_used_bp nid 0 (node_mem_used_bp nid 0, target 6000)');
    expect(lines.slice(1).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['seed', 'true share, over time', 'Δ', 'time in ±100', 'applied per hour, 2nd half', 'closer'],
      [expect.stringMatching(/^-+$/)],
      ['1', '5800.0 → 5950.0', '+150.0', '20.0 % → 40.0 %', '400.000 GiB/h → 100.000 GiB/h', 'mine'],
      ['2', '6100.0 → 6300.0', '+200.0', '50.0 % → 30.0 %', '400.000 GiB/h → 50.000 GiB/h', 'base'],
      ['the 2 seeds: mine came closer to 6000 in the true share on 1, base on 1; from base to mine the true share moved by +175.0 on average (sd 25.0 over the seeds), the time in band by +0.0 points'],
    ]);
    // No seed in common: nothing to pair.
    expect(formatPairedSweeps(base, { title: 'x', runs: [row(9, 6000, 1, 1)] })).toBe('');
  });

  it('a goal no seed evaluated in its second half says so instead of dashes', () => {
    const none = { ...one(6000, null, 0, 0), meanSecondHalf: null, stddevSecondHalf: null, minSecondHalf: null, maxSecondHalf: null };
    const lines = formatSweepTable('x', [{ seed: 1, summary: [none] }, { seed: 2, summary: [none] }]).trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('all 2 seeds: second-half mean within ±100 of 6000 in 0/2; no second-half evaluations to average; target reached in 0/2; settled in 0/2');
    // Summaries from timelines written before the settle time was recorded: nothing said of it.
    const { settledS: _s, ...older } = none;
    expect(formatSweepTable('x', [{ seed: 1, summary: [older] }]).trimEnd().split('\n').pop()).toBe('the 1 seed: second-half mean within ±100 of 6000 in 0/1; no second-half evaluations to average; target reached in 0/1');
  });

  it("a scenario without quota goals compares its schemes' DAMOS stats over the seeds", () => {
    const st = (nrApplied: number, szApplied: number) => ({ kdamond: 0, ctx: 0, scheme: 0, label: 's0 pageout', nrTried: 52, szTried: 2 * GiB, nrApplied, szApplied, szOpsFilterPassed: szApplied, qtExceeds: 51 });
    const text = formatSweepTable('reclaim', [
      { seed: 1, summary: [], stats: [st(42, 800 * 2 ** 20)] },
      { seed: 2, summary: [], stats: [st(0, 0)] },
    ]);
    expect(text).toBe(
      [
        'reclaim: s0 pageout (no quota goals: DAMOS stats at the end)',
        'seed           tried           applied  qt_exceeds',
        '--------------------------------------------------',
        '   1  52 (2.000 GiB)  42 (800.000 MiB)          51',
        '   2  52 (2.000 GiB)     0 (0.000 MiB)          51',
        'all 2 seeds: applied 400.000 MiB on average (0.000 MiB–800.000 MiB), something applied in 1/2',
        '',
      ].join('\n'),
    );
    expect(formatSweepTable('none', [{ seed: 1, summary: [] }])).toBe('none: (no schemes)\n');
  });

  it('heads a phase with the range of its times over the seeds, each seed\'s write taking effect at its own time', () => {
    const phased = (start: number) => ({ ...one(6000, 2, 1, 1), phase: 1, phaseStartS: start, phaseEndS: 10 });
    const head = (starts: number[]) => formatSweepTable('x', starts.map((t, i) => ({ seed: i + 1, summary: [phased(t)] }))).split('\n')[0];
    expect(head([5.012, 5.004, 5.02])).toBe('x: s0 node_mem_used_bp nid 0, from 5.004–5.020 s, until 10.000 s (node_mem_used_bp nid 0, target 6000)');
    expect(head([5.012, 5.012])).toBe('x: s0 node_mem_used_bp nid 0, from 5.012 s, until 10.000 s (node_mem_used_bp nid 0, target 6000)');
  });

  it('reads seed lists as damo-style ranges', () => {
    expect(parseSeedList('1-4,42')).toEqual([1, 2, 3, 4, 42]);
    expect(parseSeedList(' 3 , 1-2 ')).toEqual([3, 1, 2]);
    expect(parseSeedList('1-3,2')).toBe('expected each seed once; found 2 again in "1-3,2"');
    expect(parseSeedList('5-2')).toBe('expected a range low-high; found "5-2"');
    expect(parseSeedList('1-2000')).toBe('expected at most 1000 seeds; found more in "1-2000"');
    expect(parseSeedList('')).toMatch(/^expected seeds and ranges/);
  });

  it('damon-sim run --seeds runs the preset once per seed, same seed same numbers', async () => {
    const r = await cli(['run', '--preset', 'tiering-6040', '--seeds', '1,42', '--duration', '40s', '--no-progress']);
    expect(r.code, r.err).toBe(0);
    const rows = r.out.split('\n').filter((l) => /^\s+(1|42)\s/.test(l));
    expect(rows.length).toBe(4); // two goals × two seeds
    expect(r.out).toMatch(/all 2 seeds: within ±100 of 6000 for [\d.]+ % of the second half on average \(sd within a run [\d.]+ on average\); second-half mean within ±100 in \d\/2/);
    // The seed-42 row is the plain run's summary.
    const single = await cli(['run', '--preset', 'tiering-6040', '--seed', '42', '--duration', '40s', '--no-progress']);
    const ttt = /time to target ±100 bp\s+(\S+ s|never)/.exec(single.out)?.[1];
    expect(rows.find((l) => l.trim().startsWith('42 '))?.trim().split(/\s{2,}/)[1]).toBe(ttt);
  });
});

describe('the second half over time', () => {
  it('holds each evaluation until the next: a stretched window counts for its length, where the per-evaluation mean counts it once', () => {
    // Evaluations at 1, 2, 6 and 9 s of a 10 s run: the second half [5, 10] holds 5000 (from 2 s) to 6 s,
    // 9000 to 9 s, 6000 to the end: (5000 + 3 · 9000 + 6000) / 5 = 7600, against (9000 + 6000) / 2 per evaluation.
    const recs = [goal(1, 3000), goal(2, 5000), goal(6, 9000), goal(9, 6000)];
    const [s] = summarize(recs, DURATION);
    expect([s.meanSecondHalf, s.meanOverTimeSecondHalf]).toEqual([7500, 7600]);
    // The timeline's summary line keeps the key order its fields were first written in.
    const order = ['timeToTargetS', 'settledS', 'meanSecondHalf', 'stddevSecondHalf', 'minSecondHalf', 'maxSecondHalf', 'inBandSecondHalf', 'meanOverTimeSecondHalf', 'inBandOverTimeSecondHalf', 'evaluations'];
    expect(Object.keys(s).filter((k) => order.includes(k))).toEqual(order);
    // Within 6000 ± 100: one of the two evaluations, 1 s of the 5.
    expect([s.inBandSecondHalf, s.inBandOverTimeSecondHalf]).toEqual([0.5, 0.2]);
    const table = formatSummaryTable([{ title: 'run', rows: [s] }]);
    expect(table).toMatch(/\n {2}mean ± sd, 2nd half +7500\.0 ± 1500\.0\n {2}mean over time, 2nd half +7600\.0\n/);
    expect(table).toMatch(/\n {2}within ±100 bp, 2nd half +50\.0 %\n {2}within ±100 bp, time share +20\.0 %\n/);
    // A summary read from a timeline written before the figures: no rows for them.
    const older = formatSummaryTable([{ title: 'run', rows: [{ ...s, meanOverTimeSecondHalf: undefined, inBandOverTimeSecondHalf: undefined }] }]);
    expect(older).not.toMatch(/over time|time share/);
    // A half without any evaluation: no over-time figure either (the last value held is no measure of it).
    const [quiet] = summarize([goal(1, 3000), goal(2, 5000)], DURATION);
    expect([quiet.meanSecondHalf, quiet.meanOverTimeSecondHalf, quiet.inBandOverTimeSecondHalf]).toEqual([null, null, null]);
    // No evaluation before the half: the window starts at the first one in it.
    expect(timeMean([{ t: 7 }, { t: 8 }], (p) => p.t, 5, 10)).toBe((7 * 1 + 8 * 2) / 3);
    expect(timeMean([{ t: 11 }], (p) => p.t, 5, 10)).toBeUndefined();
    expect(timeMean([], () => 1, 5, 10)).toBeUndefined();
    // Time a kdamond did not run holds nothing: off at 7 s, on again at 9 s leaves 5–7 and 9–10.
    const events = [
      { type: 'event', t: 7, kdamond: 0, command: 'off', status: 'ok', stopped: true },
      { type: 'goal' },
      { type: 'event', t: 9, kdamond: 0, command: 'on', status: 'ok' },
      // Another kdamond's commit corrupted its context at 8 s; it stays stopped to the end.
      { type: 'event', t: 8, kdamond: 1, command: 'commit', status: 'error', stopped: true },
    ];
    const stopped = stoppedSpans(events, DURATION);
    expect([...stopped]).toEqual([
      [0, [[7, 9]]],
      [1, [[8, 10]]],
    ]);
    // 5000 holds 5–6, 9000 6–7 (then the stop), 6000 from 9 to 10: (5000 + 9000 + 6000) / 3.
    const [off] = summarize(recs, DURATION, undefined, 100, { stopped });
    expect([off.meanOverTimeSecondHalf, off.inBandOverTimeSecondHalf]).toEqual([20000 / 3, 1 / 3]);
    expect(timeMean([{ t: 5 }], () => 1, 5, 10, [[6, 20]])).toBe(1);
    expect(timeMean([{ t: 5 }], () => 1, 5, 10, [[4, 11]])).toBeUndefined();
  });
});

describe('addGroundTruth', () => {
  it('averages the hot set share of the goal node over the second half, for node_eligible_mem_bp goals only', () => {
    const eligible = series([6000, 6000], { metric: 'node_eligible_mem_bp', nid: 1 }, {});
    const other = series([500, 500], { scheme: 1, metric: 'node_mem_free_bp', nid: 1, target_value: 2000n }, {});
    const s = summarize([...eligible, ...other], DURATION);
    // t < 5 is ignored; then node 1 holds 1/4, then 3/4 of the hot bytes: mean (2500 + 7500) / 2.
    addGroundTruth(s, [aggr(1, [GiB, 0]), aggr(6, [3 * GiB, GiB]), aggr(8, [GiB, 3 * GiB])], DURATION);
    expect(s.find((x) => x.metric === 'node_eligible_mem_bp')).toMatchObject({
      truthMeanSecondHalf: 5000,
      // Its ripple, which the metric's own spread overstates (an operator review): population sd.
      truthStddevSecondHalf: 2500,
      truthMinSecondHalf: 2500,
      truthMaxSecondHalf: 7500,
    });
    expect(s.find((x) => x.metric === 'node_mem_free_bp')?.truthMeanSecondHalf).toBeUndefined();
    // Over time, each share held until the next aggregation: 0 from t = 1 covers 5 to 6, 2500 covers 6 to 8, 7500 8 to 10.
    expect(s.find((x) => x.metric === 'node_eligible_mem_bp')?.truthMeanOverTimeSecondHalf).toBe((0 * 1 + 2500 * 2 + 7500 * 2) / 5);
    const table = formatSummaryTable([{ title: 'run', rows: s }]);
    expect(table).toMatch(/\n {2}true hot share, 2nd half +5000\.0 ± 2500\.0 bp\n {2}true share over time, 2nd half +4000\.0 bp\n {2}true min \/ max, 2nd half +2500\.0 \/ 7500\.0\n/);
    // An older timeline's entry, with the mean alone, shows the mean alone.
    const older = s.map((x) => ({ ...x, truthStddevSecondHalf: undefined, truthMinSecondHalf: undefined, truthMaxSecondHalf: undefined, truthMeanOverTimeSecondHalf: undefined }));
    const olderTable = formatSummaryTable([{ title: 'run', rows: older }]);
    expect(olderTable).toMatch(/true hot share, 2nd half +5000\.0 bp\n/);
    expect(olderTable).not.toContain('true min / max');
    // Aggregations without any hot bytes (a workload with no hot set) have no share: left out,
    // and with none left the truth is unknown, not 0 bp.
    addGroundTruth(s, [aggr(6, [0, 0]), aggr(8, [GiB, 3 * GiB])], DURATION);
    expect(s.find((x) => x.metric === 'node_eligible_mem_bp')?.truthMeanSecondHalf).toBe(7500);
    addGroundTruth(s, [aggr(6, [0, 0]), aggr(8, [0, 0])], DURATION);
    expect(s.find((x) => x.metric === 'node_eligible_mem_bp')?.truthMeanSecondHalf).toBeNull();
  });

  it('takes every aggregation, whatever record.aggr_stride writes', () => {
    const runWith = (stride: number) => {
      const doc = tiering6040('temporal');
      doc.duration = 40;
      doc.record = { aggr_stride: stride };
      return runScenario(scenarioFromDoc(doc).scenario);
    };
    const every = runWith(1);
    const sparse = runWith(7);
    // The stride thins the timeline (and nothing else: the same aggregations, every 7th written).
    expect(every.aggrs.length).toBeGreaterThan(250);
    expect(sparse.aggrs.length).toBe(Math.ceil(every.aggrs.length / 7));
    expect(sparse.aggrs.map((a) => a.t)).toEqual(every.aggrs.filter((_, i) => i % 7 === 0).map((a) => a.t));
    // The truth of the stride-1 run, by hand from its records: node 0's share over t >= 20 s.
    const shares = every.aggrs.filter((a) => a.t >= 20).map((a) => (a.hot_bytes[0] * 10000) / (a.hot_bytes[0] + a.hot_bytes[1]));
    const byHand = shares.reduce((x, y) => x + y, 0) / shares.length;
    const pull = (r: typeof every) => r.summary.find((x) => x.scheme === 0 && x.goal === 0)?.truthMeanSecondHalf;
    expect(pull(every)).toBeCloseTo(byHand, 9);
    expect(pull(sparse)).toBe(pull(every));
    // Over the written records alone it would differ (the hot set moves between them).
    const writtenShares = sparse.aggrs.filter((a) => a.t >= 20).map((a) => (a.hot_bytes[0] * 10000) / (a.hot_bytes[0] + a.hot_bytes[1]));
    expect(writtenShares.reduce((x, y) => x + y, 0) / writtenShares.length).not.toBe(pull(every));
  });
});

describe("what lies past the run's end, and goals never evaluated", () => {
  it('records of an iteration that ended past the run do not count: not in the goal statistics, not in the ground truth', () => {
    // Goal records at t 1..8 and one at 10.5, past a 10-second run; aggregations likewise.
    const recs = [...series([6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000], { metric: 'node_eligible_mem_bp', nid: 0 }, {}), goal(10.5, 0, { metric: 'node_eligible_mem_bp', nid: 0 })];
    const s = summarize(recs, DURATION);
    expect(s[0].evaluations).toBe(8);
    expect(s[0].meanSecondHalf).toBe(6000);
    addGroundTruth(s, [aggr(6, [3 * GiB, GiB]), aggr(10, [3 * GiB, GiB]), aggr(10.2, [0, GiB])], DURATION);
    expect(s[0].truthMeanSecondHalf).toBe(7500); // the aggregation at t = 10 counts, the one at 10.2 does not
  });

  it("a run shorter than an iteration: the evaluation that ends past it is not the run's", () => {
    const doc = tiering6040('temporal');
    doc.duration = 0.2;
    const r = runScenario(scenarioFromDoc(doc).scenario);
    // PULL's refresh begins at 0.120003 s and its walk takes ~67 ms; PUSH's begins when it ends.
    // Each record carries the time its walk ended: PULL's 0.187112 s, PUSH's 0.254221 s, past the
    // end, written to the timeline at its time.
    expect(r.goals.map((g) => [g.scheme, g.t])).toEqual([
      [0, 0.187112],
      [1, 0.254221],
    ]);
    expect(r.summary.map((x) => [x.scheme, x.evaluations, x.timeToTargetS])).toEqual([
      [0, 1, null],
      [1, 0, null],
    ]);
    // The one aggregation, at 0.29 s, is past the end too: no ground truth, no region peak.
    expect(r.summary.map((x) => x.truthMeanSecondHalf)).toEqual([null, null]);
    expect(r.regions.map((x) => [x.peakNrRegions, x.peakT])).toEqual([[null, null]]);
  });

  it('a goal never evaluated keeps its exact target and gets its ground truth', () => {
    // mtier's first kdamond never evaluates its goal (docs/findings.md §4); as node_eligible_mem_bp
    // with the largest target: all the hot set sits on node 1 the whole run, 0 bp on node 0.
    const text = readFileSync(join(__dirname, '..', 'examples', 'mtier.yaml'), 'utf8').replace(
      'goals: [{ metric: node_mem_used_bp, nid: 0, target_value: 9970, current_value: 0 }]',
      'goals: [{ metric: node_eligible_mem_bp, nid: 0, target_value: 18446744073709551615, current_value: 0 }]',
    );
    const sc = scenarioFromDoc(parseText(text)).scenario;
    sc.duration = 20e9;
    const row = runScenario(sc).summary.find((x) => x.kdamond === 0);
    expect(row?.evaluations).toBe(0);
    expect(row?.target).toBe(18446744073709551615n);
    expect(row?.truthMeanSecondHalf).toBe(0);
  });
});

describe('migrationSummary', () => {
  it('lists every non-zero pair, a same-node fallback too, and the table marks that one', () => {
    expect(migrationSummary(undefined)).toEqual([]);
    const m = migrationSummary(aggr(1, [1, 1], [[5, GiB], [512 * MiB, 0]]));
    expect(m).toEqual([
      { from: 0, to: 0, bytes: 5 },
      { from: 0, to: 1, bytes: GiB },
      { from: 1, to: 0, bytes: 512 * MiB },
    ]);
    const table = formatSummaryTable([{ title: 'a', rows: [] }], [m]);
    expect(table).toMatch(/\n {2}node 0 -> node 0 \(target full\) +0\.000 MiB\n {2}node 0 -> node 1 +1\.000 GiB\n/);
  });

  it('with the returned bytes: each pair says how much went back and how long it had been away, a timeline without them "-"', () => {
    const returns = { returned: [[0, 768 * MiB], [0, 0]], awayByteNs: [[0, 768 * MiB * 30e9], [0, 0]] };
    const m = migrationSummary(aggr(1, [1, 1], [[5, GiB], [512 * MiB, 0]]), returns);
    expect(m).toEqual([
      { from: 0, to: 0, bytes: 5, returned: 0, returnedAwayS: null },
      { from: 0, to: 1, bytes: GiB, returned: 768 * MiB, returnedAwayS: 30 },
      { from: 1, to: 0, bytes: 512 * MiB, returned: 0, returnedAwayS: null },
    ]);
    // Side by side with a run read from an older timeline (no `returned`) and one that moved nothing 1 -> 0.
    const old = migrationSummary(aggr(1, [1, 1], [[0, GiB], [GiB, 0]]));
    const none = migrationSummary(aggr(1, [1, 1], [[0, GiB], [0, 0]]), { returned: [[0, 0], [0, 0]], awayByteNs: [[0, 0], [0, 0]] });
    const table = formatSummaryTable([{ title: 'new', rows: [] }, { title: 'old', rows: [] }, { title: 'none', rows: [] }], [m, old, none]);
    const rows = table.split('\n').filter((l) => /^ {4}(returned|mean)/.test(l)).map((l) => l.trim().split(/\s{2,}/));
    expect(rows).toEqual([
      ['returned to node 1', '768.000 MiB (75.0 %)', '-', '0.000 MiB (0.0 %)'],
      ['mean time away', '30.0 s', '-', '-'],
      ['returned to node 0', '0.000 MiB (0.0 %)', '-', '0.000 MiB'],
      ['mean time away', '-', '-', '-'],
    ]);
    // None of the runs recorded it: no such rows (the table of older timelines is unchanged).
    expect(formatSummaryTable([{ title: 'a', rows: [] }], [old])).not.toContain('returned');
  });
});

describe('setupDifferences', () => {
  const scheme = (sz: bigint | number) => ({ action: 'stat', quotas: { sz_bytes: sz, goals: [] as unknown[] } });
  const damon = (...schemes: unknown[]) => ({ kdamonds: [{ contexts: [{ schemes }] }] });

  it('lists the leaves whose values differ, exact past 2^53; a part only some runs have is one row, whole', () => {
    const a = { seed: 1, duration_s: 60, workload: 'w', schemes: [{ goal_tuner: 'x' }], damon: damon(scheme(2n ** 64n - 1n)) };
    const b = { seed: 1, duration_s: 90, workload: 'w', schemes: [{ goal_tuner: 'y' }], damon: damon(scheme(2n ** 64n - 2n), scheme(4096)) };
    expect(setupDifferences([a, b])).toEqual([
      { path: 'duration_s', values: ['60', '90'] },
      // The damon part's sizes read in units, as the model's (ULONG_MAX is damo's "max"; exact where three decimals would round).
      { path: 'kd0.ctx0.s0.quotas.sz_bytes', values: ['max', '18,446,744,073,709,551,614'] },
      // The header's schemes digest is left out where every run has its damon part.
      { path: 'kd0.ctx0.s1', values: [undefined, '{"action":"stat","quotas":{"sz_bytes":"4.000 KiB","goals":[]}}'] },
    ]);
    // An empty list against a full one: the items the other lacks, not "[]" against nothing.
    const goal = { metric: 'node_mem_used_bp', target_value: 5000 };
    const withGoal = { damon: damon({ ...scheme(1), quotas: { sz_bytes: 1, goals: [goal] } }) };
    expect(setupDifferences([{ damon: damon(scheme(1)) }, withGoal])).toEqual([{ path: 'kd0.ctx0.s0.quotas.goals[0]', values: [undefined, '{"metric":"node_mem_used_bp","target_value":5000}'] }]);
    // A value in one run, a list in another.
    expect(setupDifferences([{ damon: 'x' }, { damon: [1] }])).toEqual([{ path: 'damon', values: ['x', '[1]'] }]);
    // With the model in every header, its digests (nodes, the workload's line) are left out too.
    const model = (share: number) => ({ nodes: [{ capacity: 1 }], workload: `hot ${share}`, model: { workload: { processes: [{ areas: [{ hot: { share } }] }] } } });
    expect(setupDifferences([model(0.999), model(0.9)])).toEqual([{ path: 'model.workload.processes[0].areas[0].hot.share', values: ['0.999', '0.9'] }]);
    // The model's bytes and ns read in units (exact: a size three decimals would round stays an integer), in parts shown whole too.
    const machine = (capacity: number, moves: unknown[]) => ({ model: { machine: { nodes: [{ capacity, kind: 'dram' }] }, workload: { processes: [{ areas: [{ hot: { moves } }] }] } } });
    expect(setupDifferences([machine(64 * GiB, []), machine(64 * GiB + 4096, [{ at: 300e9, offset: 24 * GiB }])])).toEqual([
      { path: 'model.machine.nodes[0].capacity', values: ['64.000 GiB', '68,719,480,832'] },
      { path: 'model.workload.processes[0].areas[0].hot.moves[0]', values: [undefined, '{"at":"5 m","offset":"24.000 GiB"}'] },
    ]);
    // Its times too (*_us, *_ms), and an access pattern's size bounds; addresses stay numbers, as damo prints them.
    const ctx = (sampleUs: number, szMin: number, start: number) => ({ damon: { kdamonds: [{ contexts: [{ intervals: { sample_us: sampleUs }, targets: [{ regions: [{ start, end: 2 ** 40 }] }], schemes: [{ access_pattern: { sz_bytes: { min: szMin, max: '18446744073709551615' } }, quotas: { reset_interval_ms: 1000 } }] }] }] } });
    expect(setupDifferences([ctx(5000, 4096, 4 * GiB), ctx(7500, 2 * MiB, 8 * GiB)])).toEqual([
      { path: 'kd0.ctx0.intervals.sample_us', values: ['5 ms', '7 ms 500 us'] },
      { path: 'kd0.ctx0.targets[0].regions[0].start', values: [String(4 * GiB), String(8 * GiB)] },
      { path: 'kd0.ctx0.s0.access_pattern.sz_bytes.min', values: ['4.000 KiB', '2.000 MiB'] },
    ]);
    // An age bound of `max` stages ULONG_MAX us / aggr_us (cut to 32 bits): where aggr_us differs, the interval is the difference, not the bound.
    const aged = (aggrUs: number, ageMax: string) => ({ damon: { kdamonds: [{ contexts: [{ intervals: { aggr_us: aggrUs }, schemes: [{ access_pattern: { age: { min: '0 aggr_intervals', max: ageMax } } }] }] }] } });
    expect(setupDifferences([aged(100000, '2890341191 aggr_intervals'), aged(200000, '3592654243 aggr_intervals')])).toEqual([{ path: 'kd0.ctx0.intervals.aggr_us', values: ['100 ms', '200 ms'] }]);
    // A bound written out stays a count, and one run's `max` shows as such beside it.
    expect(setupDifferences([aged(100000, '2890341191 aggr_intervals'), aged(100000, '50 aggr_intervals')])).toEqual([{ path: 'kd0.ctx0.s0.access_pattern.age.max', values: ['max', '50 aggr_intervals'] }]);
    // Without a damon part (a timeline from before it), the digest is what there is to compare.
    expect(setupDifferences([{ schemes: [{ goal_tuner: 'x' }] }, { schemes: [{ goal_tuner: 'y' }], damon: damon() }])[0]).toEqual({ path: 'schemes[0].goal_tuner', values: ['x', 'y'] });
    expect(setupDifferences([a, a])).toEqual([]);
    expect(setupDifferences([a])).toEqual([]);
    // Values are compared whole: two descriptions alike in their first 160 characters still differ (the cell is cut).
    const long = (end: string) => ({ workload: `${'w'.repeat(200)}${end}` });
    expect(setupDifferences([long('a'), long('b')])).toEqual([{ path: 'workload', values: [`${'w'.repeat(159)}…`, `${'w'.repeat(159)}…`] }]);
  });

  it('heads the table with them: long values listed per run in its own panel, at most MAX_SETUP_DIFFERENCES paths', () => {
    const many = (v: number) => Object.fromEntries(Array.from({ length: MAX_SETUP_DIFFERENCES + 3 }, (_x, i) => [`k${i}`, v]));
    const table = formatSummaryTable(
      [
        { title: 'base', rows: [] },
        { title: 'variant', rows: [] },
      ],
      undefined,
      undefined,
      setupDifferences([
        { workload: '1 process(es), 25769803776 B resident', ...many(1) },
        { workload: '1 process(es), 12884901888 B resident', ...many(2) },
      ]),
    ).split('\n');
    expect(table.slice(0, 8)).toEqual([
      '            base  variant',
      '-------------------------',
      'setup, where the runs differ (timeline headers)',
      '  workload',
      '    base: 1 process(es), 25769803776 B resident',
      '    variant: 1 process(es), 12884901888 B resident',
      '  k0           1        2',
      '  k1           1        2',
    ]);
    expect(table.filter((l) => /^ {2}k\d+ /.test(l))).toHaveLength(MAX_SETUP_DIFFERENCES - 1);
    // Runs without goals or stats still say so after it.
    expect(table.slice(-4)).toEqual(['  … and 4 more (compare the headers\' "damon" parts)', '', '(no quota goals)', '']);
    // Columns in panels: a run's own long value only in its panel.
    const wide = formatSummaryTable(
      ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)].map((title) => ({ title, rows: [] })),
      undefined,
      undefined,
      setupDifferences(['x', 'y', 'z'].map((v) => ({ workload: v.repeat(40) }))),
    );
    expect(wide.split('\n').filter((l) => l.includes(': '))).toEqual([`    ${'a'.repeat(30)}: ${'x'.repeat(40)}`, `    ${'b'.repeat(30)}: ${'y'.repeat(40)}`, `    ${'c'.repeat(30)}: ${'z'.repeat(40)}`]);
    expect(wide.split('\n').filter((l) => l === '  workload')).toHaveLength(2); // two panels, each with its runs
  });
});

describe('comparisonTitle', () => {
  it("names the runs and their seed once where they share it, each run's where they do not", () => {
    expect(comparisonTitle([{ name: 'a', seed: 42 }, { name: 'b', seed: 42 }])).toBe('a vs b, seed 42');
    expect(comparisonTitle([{ name: 'a', seed: 1 }, { name: 'b', seed: 2 }])).toBe('a (seed 1) vs b (seed 2)');
    expect(comparisonTitle([{ name: 'a seed 1', seed: 1 }, { name: 'a seed 2', seed: 2 }])).toBe('a seed 1 vs a seed 2');
    expect(comparisonTitle([{ name: 'a' }, { name: 'b' }])).toBe('a vs b');
  });

  it("names a sweep's first and last run after what their names share, where listing them all would pass 90 characters", () => {
    const sweep = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `tiering-6040-temporal seed ${i + 1}`, seed: i + 1 }));
    // Three names of 28 characters and two " vs " make 92.
    expect(comparisonTitle(sweep(2))).toBe('tiering-6040-temporal seed 1 vs tiering-6040-temporal seed 2');
    expect(comparisonTitle(sweep(3))).toBe('tiering-6040-temporal, 3 runs: seed 1 … seed 3');
    expect(comparisonTitle(sweep(32))).toBe('tiering-6040-temporal, 32 runs: seed 1 … seed 32');
    const named = Array.from({ length: 4 }, (_, i) => ({ name: `my scenario variant-${'abcd'[i]} with a long name`, seed: 7 }));
    expect(comparisonTitle(named)).toBe('my scenario, 4 runs: variant-a with a long name … variant-d with a long name, seed 7');
  });
});

describe('formatSummaryTable', () => {
  const temporal = summarize([...tempA, ...tempB], DURATION);
  const consist = summarize(consA, DURATION);
  const table = formatSummaryTable(
    [
      { title: 'temporal', rows: temporal },
      { title: 'consist', rows: consist },
    ],
    [
      migrationSummary(aggr(10, [1, 1], [[0, GiB], [512 * MiB, 0]])),
      migrationSummary(aggr(10, [1, 1], [[0, 256 * MiB], [0, 0]])),
    ],
  );
  const line = (label: string): string => {
    const l = table.split('\n').find((x) => x.trimStart().startsWith(label));
    if (l === undefined) throw new Error(`no row ${label} in\n${table}`);
    return l;
  };

  it('puts the runs side by side with the expected numbers', () => {
    expect(line('').trim().split(/\s+/)).toEqual(['temporal', 'consist']);
    expect(line('target').trim().split(/\s{2,}/)).toEqual(['target', '6000 bp', '6000 bp']);
    expect(line('time to target').trim().split(/\s{2,}/)).toEqual(['time to target ±100 bp', '4.000 s', '2.000 s']);
    expect(line('mean ± sd').trim().split(/\s{2,}/)).toEqual(['mean ± sd, 2nd half', '6000.0 ± 100.0', '6030.0 ± 22.4']);
    expect(line('min / max').trim().split(/\s{2,}/)).toEqual(['min / max, 2nd half', '5900 / 6100', '6000 / 6060']);
    expect(line('bytes applied').trim().split(/\s{2,}/)).toEqual(['bytes applied', '3.500 GiB', '768.000 MiB']);
    expect(line('qt_exceeds').trim().split(/\s{2,}/)).toEqual(['qt_exceeds', '7', '1']);
    expect(line('node 0 -> node 1').trim().split(/\s{2,}/)).toEqual(['node 0 -> node 1', '1.000 GiB', '256.000 MiB']);
    expect(line('node 1 -> node 0').trim().split(/\s{2,}/)).toEqual(['node 1 -> node 0', '512.000 MiB', '0.000 MiB']);
  });

  it('marks a never-reached target and a goal missing from a run', () => {
    const block = table.slice(table.indexOf('s1 node_mem_free_bp nid 1'));
    const ttt = block.split('\n').find((l) => l.includes('time to target'));
    expect(ttt?.trim().split(/\s{2,}/)).toEqual(['time to target ±100 bp', 'never', '-']);
  });

  it('fits in 100 columns, splitting many runs into panels', () => {
    const many = formatSummaryTable(
      ['one', 'two', 'three', 'four', 'five', 'six'].map((title) => ({ title, rows: temporal })),
    );
    for (const l of many.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
    for (const title of ['one', 'six']) expect(many).toContain(title);
    expect(many.split('\n').filter((l) => l.trimStart().startsWith('qt_exceeds')).length).toBeGreaterThan(1);
    for (const l of table.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
  });

  it("heads the columns with what their titles do not share, the shared start once, in the label column or above it", () => {
    expect(sharedTitleStart(['tiering-6040-temporal', 'tiering-6040-consist'])).toBe('tiering-6040-');
    expect(sharedTitleStart(['tiny+temporal', 'tiny+consist'])).toBe('tiny+');
    expect(sharedTitleStart(['out/run1.ndjson', 'out/run2.ndjson'])).toBe('out/');
    // Nothing shared to a separator, too short, one title, titles alike, or a title that is all shared start.
    for (const ts of [['temporal', 'consist'], ['a-x', 'a-y'], ['one-x'], ['same-a', 'same-a'], ['pre-', 'pre-x']]) expect(sharedTitleStart(ts)).toBe('');
    const long = 'tiering-6040-cxl-32g-dram-32g-hotset-6g-experiment-a+';
    const t = formatSummaryTable([{ title: `${long}temporal`, rows: temporal }, { title: `${long}consist`, rows: temporal }]);
    // Wider than the label column: a line of its own above the (one) panel's header.
    expect(t.split('\n').slice(0, 3).map((l) => l.trim().split(/ +/))).toEqual([[long], ['temporal', 'consist'], [expect.stringMatching(/^-+$/)]]);
  });

  it("fits a terminal's own width: more runs side by side on a wide one, fewer on a narrow one", () => {
    const six = ['one', 'two', 'three', 'four', 'five', 'six'].map((title) => ({ title, rows: temporal }));
    // A panel's header is the line above its rule.
    const headers = (t: string) => t.split('\n').filter((_l, i, ls) => /^-+$/.test(ls[i + 1] ?? ''));
    const panelsAt = (w: number) => headers(formatSummaryTable(six, undefined, undefined, [], w)).map((l) => l.trim().split(/\s+/));
    expect(panelsAt(100)).toEqual([['one', 'two', 'three'], ['four', 'five', 'six']]);
    expect(panelsAt(200)).toEqual([['one', 'two', 'three', 'four', 'five', 'six']]);
    expect(panelsAt(60)).toEqual([['one'], ['two'], ['three'], ['four'], ['five'], ['six']]);
    for (const w of [60, 200]) for (const l of formatSummaryTable(six, undefined, undefined, [], w).split('\n')) expect(l.length).toBeLessThanOrEqual(w);
    // A terminal sets the width (40 at the least); files and pipes get TABLE_WIDTH.
    const io = (outColumns?: number) => ({ out: () => undefined, err: () => undefined, isTTY: false, outColumns });
    expect([tableWidth(io(150)), tableWidth(io(39)), tableWidth(io(undefined))]).toEqual([150, 40, TABLE_WIDTH]);
    expect(TABLE_WIDTH).toBe(100);
  });

  it("gives the tolerance in the goal's own unit", () => {
    const psi = summarize(series([500, 500], { metric: 'some_mem_psi_us', target_value: 1000n }, {}), DURATION);
    const t = formatSummaryTable([{ title: 'x', rows: [...temporal, ...psi.map((p) => ({ ...p, scheme: 1 }))] }]);
    expect(t).toContain('time to target ±100 bp');
    expect(t).toContain('time to target ±100 us');
    expect(t).toContain('within ±100 us, 2nd half');
  });

  it('a long heading (a label, an addr_unit note) does not widen the columns: two runs stay side by side', () => {
    const long = temporal.map((x) => ({ ...x, label: 'x'.repeat(90), addrUnit: 4096 }));
    const t = formatSummaryTable([{ title: 'temporal', rows: long }, { title: 'consist', rows: long }]);
    expect(t.split('\n')[0].trim().split(/\s+/)).toEqual(['temporal', 'consist']);
    expect(t).toContain(`${'x'.repeat(90)} (addr_unit 4096: sizes × 4096)`);
    const plain = formatSummaryTable([{ title: 'temporal', rows: temporal }, { title: 'consist', rows: temporal }]);
    expect(t.split('\n')[0]).toBe(plain.split('\n')[0]);
    // Runs of different addr_unit side by side: each column's, not one run's for all.
    const au = (addrUnit?: number) => temporal.map((x) => ({ ...x, ...(addrUnit === undefined ? {} : { addrUnit }) }));
    const mixed = formatSummaryTable([{ title: 'bytes', rows: au() }, { title: 'pages', rows: au(4096) }, { title: 'bytes2', rows: au() }]);
    expect(mixed).toContain(`${temporal[0].label}; addr_unit differs by run, sizes × 1 | 4096 | 1\n`);
    expect(mixed).not.toContain('(addr_unit 4096: sizes × 4096)');
    expect(formatSummaryTable([{ title: 'a', rows: au() }, { title: 'b', rows: au() }])).not.toContain('addr_unit');
  });

  it('formats bytes as MiB/GiB with 3 decimals', () => {
    expect(formatBytesHuman(0)).toBe('0.000 MiB');
    expect(formatBytesHuman(1536 * 1024)).toBe('1.500 MiB');
    expect(formatBytesHuman(GiB + GiB / 4)).toBe('1.250 GiB');
  });
});

describe('thinSteps (M4): the points a chart can show', () => {
  /** Per column: [first, lowest, highest, last] value, as a chart of `columns` columns over [0, t1] draws it. */
  const columnsOf = (pts: Array<{ t: number; v: number }>, t1: number, columns: number) => {
    const m = new Map<number, number[]>();
    for (const p of pts) {
      const c = Math.min(columns - 1, Math.max(0, Math.floor((p.t / t1) * columns)));
      const x = m.get(c);
      if (!x) m.set(c, [p.v, p.v, p.v, p.v]);
      else {
        x[1] = Math.min(x[1], p.v);
        x[2] = Math.max(x[2], p.v);
        x[3] = p.v;
      }
    }
    return m;
  };

  it('keeps, per column, the first, lowest, highest and last value, in time order, and at most four points a column', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 100000 }), fc.integer({ min: -50, max: 10050 })), { maxLength: 3000 }), fc.integer({ min: 1, max: 200 }), (raw, columns) => {
        const pts = raw.map(([t, v]) => ({ t: t / 10, v })).sort((a, b) => a.t - b.t);
        const t1 = 10000;
        const thin = thinSteps(pts, (p) => p.v, 0, t1, columns);
        // A subsequence of the series, in its order.
        let k = 0;
        for (const p of thin) {
          while (k < pts.length && pts[k] !== p) k++;
          expect(k).toBeLessThan(pts.length);
          k++;
        }
        if (pts.length <= 4 * columns) expect(thin).toBe(pts);
        else expect(thin.length).toBeLessThanOrEqual(4 * columns);
        expect(columnsOf(thin, t1, columns)).toEqual(columnsOf(pts, t1, columns));
      }),
      { numRuns: 500, seed: 0x34 },
    );
  });

  it("thins each line on its own (every node, every stretch of a goal) to the pixel columns of the run's time axis, and nothing without one", () => {
    // An hour of records on a 4000-s axis, three nodes, and a goal removed and given back within
    // one pixel column (6.25 s): each line must keep its own columns' extremes.
    const durationS = 4000;
    const hot = Array.from({ length: 36000 }, (_, i) => aggr(i / 10, [((i * 7) % 11) * GiB, ((i * 5) % 13) * GiB, ((i * 3) % 7) * GiB]));
    const goals = Array.from({ length: 36000 }, (_, i) => goal(i / 10, 5000 + ((i * 37) % 2000)));
    const events = [
      { t: 1800.02, command: 'commit', goals: [0] },
      { t: 1800.04, command: 'commit', goals: [1] },
    ];
    const full = chartData(goals, { aggr: hot, events, durationS, allPoints: true });
    const thin = chartData(goals, { aggr: hot, events, durationS });
    const lines = <T,>(pts: T[], key: (p: T) => string) => {
      const m = new Map<string, T[]>();
      for (const p of pts) {
        const line = m.get(key(p));
        if (line) line.push(p);
        else m.set(key(p), [p]);
      }
      return m;
    };
    const shareLines = (d: typeof full) => lines(d.share ?? [], (p) => p.node);
    const goalLines = (d: typeof full) => lines(d.values, (p) => `${p.goal}/${p.part}`);
    for (const [all, kept, value] of [
      [shareLines(full), shareLines(thin), (p: { bp: number }) => p.bp],
      [goalLines(full), goalLines(thin), (p: { value: number }) => p.value],
    ] as const) {
      expect([...kept.keys()]).toEqual([...all.keys()]);
      for (const [k, pts] of all) {
        const got = kept.get(k) ?? [];
        const cols = (xs: typeof pts) => columnsOf(xs.map((p) => ({ t: p.t, v: value(p as never) })), durationS, 640);
        expect(pts.length, k).toBeGreaterThan(4 * 640);
        expect(got.length, k).toBeLessThanOrEqual(4 * 640);
        expect(cols(got), k).toEqual(cols(pts));
      }
    }
    expect([...goalLines(full).keys()]).toEqual(['s0 node_mem_used_bp nid 0/0', 's0 node_mem_used_bp nid 0/1']);
    expect(shareLines(full).size).toBe(3);
    // Without the run's time vega rounds the axis, whose columns the thinning cannot know: nothing is thinned.
    const unfixed = chartData(goals, { aggr: hot, events });
    expect(unfixed.values).toEqual(full.values);
    expect(unfixed.share).toEqual(full.share);
  });

  it("a long run's plot keeps at most four points a pixel column per line: an hour of aggregations and evaluations", async () => {
    // 36,000 aggregations and 3,600 evaluations per goal, over a 640-px-wide chart.
    const hot = Array.from({ length: 36000 }, (_, i) => aggr(i / 10, [(2 + (i % 7)) * GiB, (3 + (i % 5)) * GiB]));
    const goals = Array.from({ length: 3600 }, (_, i) => goal(i + 1, 5000 + ((i * 37) % 2000)));
    const svg = await goalPlotSvg(goals, { title: 'an hour', aggr: hot, durationS: 3600 });
    // Each line is one SVG path: its points are its M/L commands (step-after: two per point).
    const paths = [...svg.matchAll(/<path[^>]*d="(M[^"]*)"/g)].map((m) => m[1].split(/[ML]/).length - 1);
    const longest = Math.max(...paths);
    expect(longest).toBeGreaterThan(2 * 640);
    expect(longest).toBeLessThanOrEqual(2 * 4 * 640 + 2);
    expect(svg.length).toBeLessThan(600_000);
  });
});

describe('goalPlotSvg', () => {
  afterEach(() => vi.restoreAllMocks());
  const goals = [...tempA, ...tempB];
  const hot = [aggr(0, [0, 0]), aggr(1, [3 * GiB, GiB]), aggr(5, [GiB, GiB]), aggr(9, [4 * GiB, 0])];

  it('renders an SVG with axis titles and goal labels, silently', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const svg = await goalPlotSvg(goals, { title: 'tiering-6040 temporal', aggr: hot });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('simulated time (s)');
    expect(svg).toContain('current / target value (bp)');
    expect(svg).toContain('hot share (bp)');
    expect(svg).toContain('s0 node_mem_used_bp nid 0');
    expect(svg).toContain('s1 node_mem_free_bp nid 1');
    expect(svg).toContain('node 1');
    expect(svg).toContain('tiering-6040 temporal');
    // Dashed target rules.
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it("puts back vega's text-width measure that the program had set (the plot itself always estimates)", async () => {
    const vega = (await import('vega')) as unknown as { textMetrics: { width: unknown } };
    const before = vega.textMetrics.width;
    const mine = (): number => 1;
    vega.textMetrics.width = mine;
    try {
      const a = await goalPlotSvg(goals, { title: 't', aggr: hot });
      expect(vega.textMetrics.width).toBe(mine);
      // Two at once: the measure is put back once both are done.
      const both = await Promise.all([goalPlotSvg(goals, { title: 't', aggr: hot }), goalPlotSvg(goals, { title: 't', aggr: hot })]);
      expect(vega.textMetrics.width).toBe(mine);
      expect(both[0]).toBe(both[1]);
      vega.textMetrics.width = before;
      // The same bytes whatever measure the program had set.
      expect(await goalPlotSvg(goals, { title: 't', aggr: hot })).toBe(a);
    } finally {
      vega.textMetrics.width = before;
    }
  });

  it("titles the value axis with the goals' unit (bp, µs, or none for user_input), and gives goals of different units a panel each", async () => {
    const psi = tempA.map((r) => ({ ...r, metric: 'some_mem_psi_us' }));
    const one = await goalPlotSvg(psi, { title: 'psi' });
    expect(one).toContain('current / target value (us)');
    expect(one).not.toContain('quota goal: current vs target ('); // one panel, named by the plot's title
    const user = tempA.map((r) => ({ ...r, metric: 'user_input' }));
    expect(await goalPlotSvg([...user], { title: 'u' })).toMatch(/current \/ target value</);
    // A µs goal and a bp goal: two panels, each with its own value axis (one axis would flatten the bp goal).
    const mixed = await goalPlotSvg([...psi, ...tempB], { title: 'mixed' });
    expect(mixed).toContain('>quota goal: current vs target (us)<');
    expect(mixed).toContain('>quota goal: current vs target (bp)<');
    expect(mixed).toContain('current / target value (us)');
    expect(mixed).toContain('current / target value (bp)');
    expect(mixed).not.toMatch(/>quota goal: current vs target</);
    // Each panel draws its own goals' lines and legend, and every write.
    expect(mixed).not.toMatch(/current \/ target value \(bp\)[^"]*some_mem_psi_us/);
    expect(mixed).not.toMatch(/current \/ target value \(us\)[^"]*node_/);
    const legendOf = (svg: string, label: string) => svg.split(`>${label}<`).length - 1;
    for (const label of [...new Set([...psi, ...tempB].map((r) => goalLabel(r)))]) expect(legendOf(mixed, label)).toBe(1);
    const write = [{ t: 2, command: 'commit-one' }];
    const named = (svg: string) => svg.split('commit-one').length - 1;
    const once = named(await goalPlotSvg(psi, { title: 'w', events: write }));
    expect(once).toBeGreaterThan(0);
    expect(named(await goalPlotSvg([...psi, ...tempB], { title: 'w', events: write }))).toBe(2 * once);
    // user_input's plain numbers are a unit of their own.
    expect(await goalPlotSvg([...user, ...tempB], { title: 'u+bp' })).toContain('>quota goal: current vs target (plain values)<');
  });

  it('says so when the run had no quota goals, and still plots the ground truth', async () => {
    const svg = await goalPlotSvg([], { title: 'no goals', aggr: hot });
    expect(svg).toContain('quota goal: none in this run');
    expect(svg).not.toContain('quota goal: current vs target');
    expect(svg).toContain('hot share (bp)');
    expect(await goalPlotSvg(goals, { title: 't', aggr: hot })).toContain('quota goal: current vs target');
  });

  it('a run too short for any goal evaluation or aggregation: says the goals were not evaluated, and its axes have an extent', async () => {
    const svg = await goalPlotSvg([], { title: 'short', aggr: [], configuredGoals: 2 });
    expect(svg).toContain('quota goal: none evaluated in this run');
    expect(svg).not.toMatch(/Infinity/);
    expect(svg).toContain('values from 0 to 10,000');
    // With the run's length (a scheme watermarks kept off all run: no record at all), the time
    // axis spans the run, not 0–1 s.
    const off = await goalPlotSvg([], { title: 'off', aggr: [], configuredGoals: 1, durationS: 20 });
    expect(off).toMatch(/values from 0 to 20"/);
  });

  it('draws a configured goal the run never evaluated: labelled as an evaluated one, marked so, its configured target over the run', async () => {
    const lines = (svg: string) => [...svg.matchAll(/aria-roledescription="line mark"/g)].length;
    const svg = await goalPlotSvg(tempA, { title: 't', aggr: hot, configuredGoals: CONFIGURED, durationS: DURATION });
    expect(svg).toContain('>quota goal: current vs target<');
    expect(svg).toContain('>s0 node_mem_used_bp nid 0<');
    expect(svg).toContain('>s1 node_mem_free_bp nid 1 (never evaluated)<');
    expect(svg).not.toContain('>s0 node_mem_used_bp nid 0 (never evaluated)<');
    // Its target from 0 to the run's end, in its legend colour; no current line of its own (s0's and two nodes').
    expect(svg).toContain('aria-label="simulated time (s): 0; target: 2000; t1: 10; goal (solid: current, dashed: target): s1 node_mem_free_bp nid 1 (never evaluated)"');
    expect(lines(svg)).toBe(3);
    // Once evaluated it is labelled the same, unmarked, and a list of goals all evaluated draws what a count drew.
    const evaluated = await goalPlotSvg(goals, { title: 't', configuredGoals: CONFIGURED, durationS: DURATION });
    expect(evaluated).toContain('>s1 node_mem_free_bp nid 1<');
    expect(evaluated).not.toContain('never evaluated');
    expect(evaluated).toBe(await goalPlotSvg(goals, { title: 't', configuredGoals: 2, durationS: DURATION }));
    // A write that removed it ends its target there.
    const removed = await goalPlotSvg(tempA, { title: 't', configuredGoals: CONFIGURED, durationS: DURATION, events: [{ t: 4, command: 'commit', kdamond: 0, ctx: 0, goals: [1, 0] }] });
    expect(removed).toContain('aria-label="simulated time (s): 0; target: 2000; t1: 4; goal');
    // So does a goal commit to its context, which may write another target; one to another kdamond does not.
    const patched = await goalPlotSvg(tempA, { title: 't', configuredGoals: CONFIGURED, durationS: DURATION, events: [{ t: 6, command: 'commit_schemes_quota_goals', kdamond: 0, ctx: 0 }] });
    expect(patched).toContain('aria-label="simulated time (s): 0; target: 2000; t1: 6; goal');
    const elsewhere = await goalPlotSvg(tempA, { title: 't', configuredGoals: CONFIGURED, durationS: DURATION, events: [{ t: 6, command: 'commit_schemes_quota_goals', kdamond: 1, ctx: 0 }] });
    expect(elsewhere).toContain('aria-label="simulated time (s): 0; target: 2000; t1: 10; goal');
    // Writes that recorded the goals (goal_params, as a run's do) are followed: the target a goal
    // commit wrote from its time, one kept through a commit, none while a commit had removed it
    // and the one it came back with after.
    const params = (t1: number) => [[{ metric: 'node_mem_used_bp', nid: 0, target_value: 6000 }], [{ metric: 'node_mem_free_bp', nid: 1, target_value: t1 }]];
    const followed = await goalPlotSvg(tempA, {
      title: 't',
      configuredGoals: CONFIGURED,
      durationS: DURATION,
      events: [
        { t: 2, command: 'commit', kdamond: 0, ctx: 0, goals: [1, 1], goal_params: params(2000) },
        { t: 3, command: 'commit_schemes_quota_goals', kdamond: 0, ctx: 0, goals: [1, 1], goal_params: params(3000) },
        { t: 5, command: 'commit', kdamond: 0, ctx: 0, goals: [1, 0], goal_params: [params(0)[0], []] },
        { t: 7, command: 'commit', kdamond: 0, ctx: 0, goals: [1, 1], goal_params: params(1500) },
      ],
    });
    const targetsOf = (svg: string) => [...svg.matchAll(/aria-label="simulated time \(s\): ([\d.]+); target: (\d+); t1: ([\d.]+); goal[^"]*never evaluated\)"/g)].map((m) => m.slice(1).map(Number));
    expect(targetsOf(followed)).toEqual([
      [0, 2000, 3],
      [3, 3000, 5],
      [7, 1500, 10],
    ]);
    // A write that gave the index another node ends the goal as labelled.
    const moved = await goalPlotSvg(tempA, {
      title: 't',
      configuredGoals: CONFIGURED,
      durationS: DURATION,
      events: [{ t: 4, command: 'commit', kdamond: 0, ctx: 0, goals: [1, 1], goal_params: [params(0)[0], [{ metric: 'node_mem_free_bp', nid: 0, target_value: 2000 }]] }],
    });
    expect(targetsOf(moved)).toEqual([[0, 2000, 4]]);
  });

  it("steps an evaluated goal's target at the write that set it, as the summary's phases start there", () => {
    // Evaluations at t = 1..6, the target 6000 until t = 3 and 7000 from t = 4; the write came at 3.25.
    const goals = [1, 2, 3, 4, 5, 6].map((t) => goal(t, 6000, { target_value: t <= 3 ? 6000n : 7000n }));
    const write = { t: 3.25, command: 'commit_schemes_quota_goals', kdamond: 0, ctx: 0, goals: [1], goal_params: [[{ metric: 'node_mem_used_bp', nid: 0, target_value: 7000 }]] };
    const spans = (events: Parameters<typeof chartData>[1]['events']) => chartData(goals, { events, durationS: 10 }).targets.map((x) => [x.t0, x.t1, x.target]);
    expect(spans([write])).toEqual([
      [1, 3.25, 6000],
      [3.25, 6, 7000],
    ]);
    // A write that did not record the goals, one that recorded another target, or one to another
    // context: the step stays at the first evaluation under the new target.
    for (const other of [{ ...write, goal_params: undefined }, { ...write, goal_params: [[{ metric: 'node_mem_used_bp', nid: 0, target_value: 6500 }]] }, { ...write, kdamond: 1 }]) {
      expect(spans([other])).toEqual([
        [1, 4, 6000],
        [4, 6, 7000],
      ]);
    }
  });

  it('labels a goal never evaluated by its kdamond as the others, puts one of another unit in a panel of its own, and with none evaluated keeps the title saying so', async () => {
    const kd1: ConfiguredGoal = { kdamond: 1, ctx: 0, scheme: 0, goal: 0, metric: 'node_mem_free_bp', nid: 1, target_value: 2000n };
    const many = await goalPlotSvg(tempA, { title: 't', configuredGoals: [CONFIGURED[0], kd1], kdamonds: 2, durationS: DURATION });
    for (const label of ['kd0 s0 node_mem_used_bp nid 0', 'kd1 s0 node_mem_free_bp nid 1 (never evaluated)']) expect(many).toContain(`>${label}<`);
    // Several kdamonds are told from the configured goals alone too.
    expect(await goalPlotSvg(tempA, { title: 't', configuredGoals: [CONFIGURED[0], kd1], durationS: DURATION })).toBe(many);
    const psi: ConfiguredGoal = { kdamond: 0, ctx: 0, scheme: 1, goal: 0, metric: 'some_mem_psi_us', nid: 0, target_value: 1000 };
    const units = await goalPlotSvg(tempA, { title: 't', configuredGoals: [CONFIGURED[0], psi], durationS: DURATION });
    for (const text of ['quota goal: current vs target (bp)', 'quota goal: current vs target (us)', 's1 some_mem_psi_us (never evaluated)', 'current / target value (us)']) expect(units).toContain(`>${text}<`);
    // No goal evaluated: the title says so as it did, and each configured goal is drawn, its target on the value axis.
    const none = await goalPlotSvg([], { title: 't', aggr: [], configuredGoals: CONFIGURED, durationS: DURATION });
    expect(none).toContain('>quota goal: none evaluated in this run<');
    for (const label of ['s0 node_mem_used_bp nid 0 (never evaluated)', 's1 node_mem_free_bp nid 1 (never evaluated)']) expect(none).toContain(`>${label}<`);
    expect(none).toContain('aria-label="simulated time (s): 0; target: 6000; t1: 10; goal');
    expect(none).toMatch(/Y-axis titled 'current \/ target value \(bp\)' for a linear scale with values from 0 to 6,000/);
  });

  it('is byte-identical across renders', async () => {
    const a = await goalPlotSvg(goals, { title: 't', aggr: hot });
    const b = await goalPlotSvg(goals, { title: 't', aggr: hot });
    expect(b).toBe(a);
    const c = await goalPlotSvg(goals, { title: 't' });
    const d = await goalPlotSvg([...goals].reverse(), { title: 't' });
    expect(d).toBe(c);
    expect(c).not.toContain('hot share');
  });

  it('marks the writes that changed the run, and only when there are some', async () => {
    const plain = await goalPlotSvg(goals, { title: 't', aggr: hot });
    expect(await goalPlotSvg(goals, { title: 't', aggr: hot, events: [] })).toBe(plain);
    const marked = await goalPlotSvg(goals, { title: 't', aggr: hot, events: [{ t: 5, command: 'commit_schemes_quota_goals' }] });
    expect(marked).toContain('commit_schemes_quota_goals');
    expect(marked).toContain('stroke-dasharray="2,3"');
    expect(plain).not.toContain('stroke-dasharray="2,3"');
  });

  it('stacks the labels of writes close in time instead of printing them over each other', async () => {
    // goals span 0..10 s over 640 px: writes 0.2 s apart are ~13 px apart, less than a label's width.
    const labelYs = (svg: string) =>
      [...svg.matchAll(/<text[^>]*transform="translate\(([\d.]+),([\d.]+)\)"[^>]*>(commit|off|on)<\/text>/g)].map((m) => [m[3], Number(m[2])] as const);
    const close = await goalPlotSvg(goals, { title: 't', events: [{ t: 5, command: 'commit' }, { t: 5.2, command: 'off' }, { t: 9, command: 'on' }] });
    const ys = new Map(labelYs(close));
    expect(ys.size).toBe(3);
    expect((ys.get('off') as number) - (ys.get('commit') as number)).toBe(11);
    // A label clear of the others goes back to the top row.
    expect(ys.get('on')).toBe(ys.get('commit'));
  });

  it('does not bridge the time a goal was removed with its line', async () => {
    // tempA's goal (s0 goal 0) removed at 4.2 s and given back at 4.8 s, between its evaluations
    // at 4 and 5. The legend entry stays one; its line splits in two.
    const writes = [
      { t: 4.2, command: 'commit_schemes_quota_goals', kdamond: 0, ctx: 0, goals: [0, 1] },
      { t: 4.8, command: 'commit_schemes_quota_goals', kdamond: 0, ctx: 0, goals: [1, 1] },
    ];
    const lines = (svg: string, label: string) => (svg.match(new RegExp(`aria-label="[^"]*${label}[^"]*" role="graphics-symbol" aria-roledescription="line mark"`, 'g')) ?? []).length;
    const split = await goalPlotSvg(goals, { title: 't', events: writes });
    expect(lines(split, 's0 node_mem_used_bp nid 0')).toBe(2);
    expect(lines(split, 's1 node_mem_free_bp nid 1')).toBe(1);
    // Without the goal counts (older timelines) nothing splits.
    const whole = await goalPlotSvg(goals, { title: 't', events: writes.map(({ t, command }) => ({ t, command })) });
    expect(lines(whole, 's0 node_mem_used_bp nid 0')).toBe(1);
  });

  it('renders empty input without throwing', async () => {
    const svg = await goalPlotSvg([], { title: 'empty', aggr: [] });
    expect(svg.startsWith('<svg')).toBe(true);
  });
});

describe('comparePlotSvg: several runs\' goals, a panel per goal, a colour per run', () => {
  const lineMarks = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark"/g)].map((m) => m[1]);

  it("draws each goal's panel with every run that has it, in the runs' order, the same bytes each time", async () => {
    const runs = [
      { name: 'temporal', goals: [...tempA, ...tempB], durationS: DURATION },
      { name: 'consist', goals: consA, durationS: DURATION },
    ];
    const svg = await comparePlotSvg(runs, { title: 'temporal vs consist' });
    for (const text of ['temporal vs consist', 's0 node_mem_used_bp nid 0', 's1 node_mem_free_bp nid 1', 'run (solid: current, dashed: target)'])
      expect(svg).toContain(`>${text}<`);
    // s0 in both runs, s1 in temporal's only: three lines, each starting at its first evaluation.
    const lines = lineMarks(svg);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => /current \/ target value \(bp\): ([\d,]+); run \(solid: current, dashed: target\): (\w+);/.exec(l)?.slice(1))).toEqual([
      ['3000', 'temporal'],
      ['4000', 'consist'],
      ['500', 'temporal'],
    ]);
    expect(await comparePlotSvg(runs, { title: 'temporal vs consist' })).toBe(svg);
    // The legend follows the runs' order.
    const swapped = await comparePlotSvg([...runs].reverse(), { title: 't' });
    expect(swapped.indexOf('>consist<')).toBeLessThan(swapped.indexOf('>temporal<'));
    expect(svg.indexOf('>temporal<')).toBeLessThan(svg.indexOf('>consist<'));
  });

  it('runs given their aggregation records get the ground truth below the goals: a panel per node, a line per run', async () => {
    const runs = [
      { name: 'base', goals: tempA, durationS: DURATION, aggr: [aggr(1, [GiB, 3 * GiB]), aggr(5, [3 * GiB, GiB])] },
      { name: 'mine', goals: tempA, durationS: DURATION, aggr: [aggr(1, [GiB, 3 * GiB]), aggr(5, [2 * GiB, 2 * GiB])] },
      // A run without them draws no truth line.
      { name: 'bare', goals: tempA, durationS: DURATION },
    ];
    const svg = await comparePlotSvg(runs, { title: 't' });
    for (const node of [0, 1]) expect(svg).toContain(`>ground truth: node ${node}'s share of the hot set<`);
    const truthLines = lineMarks(svg).filter((l) => l.startsWith('simulated time (s): ') && l.includes('hot share (bp)'));
    // Node 0 then node 1, each with base's and mine's line, starting at 1/4 and 3/4 of the hot set.
    expect(truthLines.map((l) => /hot share \(bp\): ([\d,]+); run \(solid: current, dashed: target\): (\w+)/.exec(l)?.slice(1))).toEqual([
      ['2500', 'base'],
      ['2500', 'mine'],
      ['7500', 'base'],
      ['7500', 'mine'],
    ]);
    expect(await comparePlotSvg(runs.map(({ aggr: _a, ...r }) => r), { title: 't' })).not.toContain('ground truth');
  });

  it("draws a run thinner than the one before it, so runs with the same values all show; marks a write the runs share once", async () => {
    const writes = (dt: number) => [{ t: 5 + dt, command: 'commit' }, ...Array.from({ length: 6 }, (_, i) => ({ t: 6 + i / 2 + dt, command: 'commit_schemes_quota_goals' }))];
    const runs = [
      { name: 'a', goals: tempA, durationS: DURATION, events: writes(0) },
      { name: 'b', goals: tempA, durationS: DURATION, events: writes(1e-6) },
    ];
    const svg = await comparePlotSvg(runs, { title: 't' });
    const widths = [...svg.matchAll(/aria-roledescription="line mark"[^>]*?stroke-width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([3, 1.5]);
    // Seven writes, not fourteen: each labelled (eight at most are), its name drawn twice: a white
    // halo under it, so a line through the name does not hide it, then the name.
    expect([...svg.matchAll(/>commit_schemes_quota_goals</g)]).toHaveLength(12);
    expect([...svg.matchAll(/fill="white" stroke="white" stroke-width="3"[^>]*>commit</g)]).toHaveLength(1);
    expect([...svg.matchAll(/fill="gray">commit</g)]).toHaveLength(1);
  });

  it('says in the legend which run ended earlier, and which had no goal to draw', async () => {
    const svg = await comparePlotSvg(
      [
        { name: 'long', goals: tempA, durationS: DURATION },
        { name: 'short', goals: tempA.filter((g) => g.t <= 4), durationS: 4 },
        { name: 'none', goals: [], durationS: DURATION, configuredGoals: 0 },
        { name: 'early', goals: [], durationS: DURATION, configuredGoals: 2 },
      ],
      { title: 't' },
    );
    for (const name of ['long (10 s)', 'short (4 s)', 'none (10 s) (no goal configured)', 'early (10 s) (no goal evaluated)']) expect(svg).toContain(`>${name}<`);
    const none = await comparePlotSvg([{ name: 'a', goals: [], durationS: 5, configuredGoals: 1 }, { name: 'b', goals: [], durationS: 5 }], { title: 't' });
    expect(none).toContain('>quota goal: none evaluated in these runs<');
  });

  it("a run that configures a goal but never evaluated it: its target in that goal's panel, and that panel's legend says so", async () => {
    const runs = [
      { name: 'both', goals: [...tempA, ...tempB], durationS: DURATION, configuredGoals: CONFIGURED },
      { name: 'slow', goals: tempA, durationS: DURATION, configuredGoals: CONFIGURED },
    ];
    const svg = await comparePlotSvg(runs, { title: 't' });
    const count = (text: string) => svg.split(`>${text}<`).length - 1;
    // A legend under each panel, in the same colours: slow is marked in s1's only.
    expect([count('both'), count('slow'), count('slow (never evaluated)')]).toEqual([2, 1, 1]);
    // (A panel's group draws its legend, then its title.)
    const at = (text: string) => svg.indexOf(`>${text}<`);
    expect(at('slow')).toBeLessThan(at('s0 node_mem_used_bp nid 0'));
    expect(at('s0 node_mem_used_bp nid 0')).toBeLessThan(at('slow (never evaluated)'));
    expect(at('slow (never evaluated)')).toBeLessThan(at('s1 node_mem_free_bp nid 1'));
    // slow's configured target over its run, beside both's evaluated one; only both's current line.
    expect(svg).toContain('aria-label="simulated time (s): 0; target: 2000; t1: 10; run (solid: current, dashed: target): slow; run: slow"');
    expect(lineMarks(svg).map((l) => /run \(solid: current, dashed: target\): (\w+);/.exec(l)?.[1])).toEqual(['both', 'slow', 'both']);
    // Every goal evaluated in every run: one legend, as without the lists.
    const all = runs.map((r) => ({ ...r, goals: [...tempA, ...tempB] }));
    expect(await comparePlotSvg(all, { title: 't' })).toBe(await comparePlotSvg(all.map((r) => ({ ...r, configuredGoals: 2 })), { title: 't' }));
    // A run that evaluated no goal says so in its name, once; its targets are drawn in each goal's panel.
    const idle = await comparePlotSvg([runs[1], { name: 'idle', goals: [], durationS: DURATION, configuredGoals: CONFIGURED }], { title: 't' });
    expect(idle).toContain('>idle (no goal evaluated)<');
    expect(idle).not.toContain('>idle (no goal evaluated) (never evaluated)<');
    for (const target of [6000, 2000]) expect(idle).toContain(`aria-label="simulated time (s): 0; target: ${target}; t1: 10; run (solid: current, dashed: target): idle (no goal evaluated);`);
  });

  it("a run whose configuration lacks a panel's goal is named so in that panel's legend; a count of goals cannot tell which, so says nothing", async () => {
    const runs = [
      { name: 'both', goals: [...tempA, ...tempB], durationS: DURATION, configuredGoals: CONFIGURED },
      { name: 'one', goals: tempA, durationS: DURATION, configuredGoals: CONFIGURED.slice(0, 1) },
    ];
    const svg = await comparePlotSvg(runs, { title: 't' });
    const count = (text: string) => svg.split(`>${text}<`).length - 1;
    expect([count('both'), count('one'), count('one (not configured)'), count('one (never evaluated)')]).toEqual([2, 1, 1, 0]);
    const at = (text: string) => svg.indexOf(`>${text}<`);
    expect(at('s0 node_mem_used_bp nid 0')).toBeLessThan(at('one (not configured)'));
    expect(at('one (not configured)')).toBeLessThan(at('s1 node_mem_free_bp nid 1'));
    // No target of one's in s1's panel: it has none.
    expect(lineMarks(svg).map((l) => /run \(solid: current, dashed: target\): (\w+);/.exec(l)?.[1])).toEqual(['both', 'one', 'both']);
    const counted = await comparePlotSvg(runs.map((r, i) => ({ ...r, configuredGoals: i + 1 })), { title: 't' });
    expect(counted).not.toContain('(not configured)');
  });

  it("thins each run's line to the pixel columns unless every point is asked for; no goal in any run says so", async () => {
    // 3,000 evaluations in 10 s: more than four per pixel column of 640.
    const many = Array.from({ length: 3000 }, (_, i) => goal(i / 300, 5000 + (i % 7) * 100));
    const runs = [
      { name: 'a', goals: many, durationS: DURATION },
      { name: 'b', goals: many.map((g) => ({ ...g, current_value: g.current_value + 1n })), durationS: DURATION },
    ];
    const points = (svg: string) => [...svg.matchAll(/aria-roledescription="line mark"[^>]*d="([^"]*)"/g)].map((m) => (m[1].match(/L/g) ?? []).length);
    const thin = points(await comparePlotSvg(runs, { title: 't' }));
    const all = points(await comparePlotSvg(runs, { title: 't', allPoints: true }));
    expect(thin).toHaveLength(2);
    for (const n of thin) expect(n).toBeLessThanOrEqual(2 * 4 * 640);
    // A step line draws two segments a point.
    expect(all).toEqual([2 * 2999, 2 * 2999]);
    const none = await comparePlotSvg([{ name: 'a', goals: [], durationS: 5 }, { name: 'b', goals: [] }], { title: 't' });
    expect(none).toContain('>quota goal: none in these runs<');
    expect(lineMarks(none)).toEqual([]);
  });
});

describe('goals the kernel drops (target_value 0)', () => {
  it('are in no record, header or summary row, and the kept goals keep consistent indices', () => {
    const doc = tiering6040('temporal');
    const kd = doc.damon.kdamonds;
    const goals = kd[0].contexts[0].schemes[0].quotas.goals;
    goals.unshift({ metric: 'node_eligible_mem_bp', nid: 1, target_value: 0, current_value: 0 });
    const lines: string[] = [];
    const res = runScenario({ ...scenarioFromDoc(doc).scenario, duration: 3e9 }, { write: (l) => lines.push(l) });
    const header = JSON.parse(lines[0]) as { schemes: Array<{ scheme: number; goals: Array<{ target_value: number }> }> };
    expect(header.schemes[0].goals.map((g) => g.target_value)).toEqual([6000]);
    expect(new Set(res.goals.filter((g) => g.scheme === 0).map((g) => g.goal))).toEqual(new Set([0]));
    const rows = res.summary.filter((r) => r.scheme === 0);
    expect(rows.map((r) => [r.goal, r.target, r.evaluations > 0])).toEqual([[0, 6000, true]]);
  });
});

describe('runScenario as a library call', () => {
  it('refuses a duration that is not a positive number of ns (it would never end) and runs a good one', async () => {
    const { scenario } = scenarioFromDoc(tiering6040('temporal'));
    for (const duration of [NaN, Infinity, 0, -1, '30 s' as unknown as number]) {
      expect(() => runScenario({ ...scenario, duration })).toThrow(/expected scenario\.duration in ns, a positive finite number/);
      await expect(runScenarioAsync({ ...scenario, duration })).rejects.toThrow(/scenario\.duration/);
    }
    expect(runScenario({ ...scenario, duration: 1e9 }).aggrs.length).toBeGreaterThan(0);
  });
});

describe('goal labels', () => {
  it("the summary table's metric / nid row shows - for a metric that measures no node", () => {
    const [psi] = summarize([goal(1, 5000, { metric: 'some_mem_psi_us' }), goal(2, 6000, { metric: 'some_mem_psi_us' })], DURATION);
    const [node] = summarize([goal(1, 5000), goal(2, 6000)], DURATION);
    const row = (s: typeof psi) => formatSummaryTable([{ title: 'a', rows: [s] }]).split('\n').find((l) => l.includes('metric / nid'));
    expect(row(psi)).toMatch(/some_mem_psi_us \/ -$/);
    expect(row(node)).toMatch(new RegExp(`${node.metric} / 0$`));
  });

  it('name the node only for a metric that measures one (the kernel keeps nid 0 for the others)', () => {
    expect(goalLabel({ scheme: 1, metric: 'node_eligible_mem_bp', nid: 0 })).toBe('s1 node_eligible_mem_bp nid 0');
    expect(goalLabel({ scheme: 0, metric: 'some_mem_psi_us', nid: 0 })).toBe('s0 some_mem_psi_us');
    expect(goalLabel({ scheme: 0, metric: 'active_mem_bp', nid: 0 })).toBe('s0 active_mem_bp');
  });
});

/** fn in a temporary directory, removed after it whatever happens. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'damon-sim-report-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('report summary: a run\'s table read back from its timeline', () => {
  it("reads the u64 values past 2^53 back exactly as bigints, every other number as the run held it", () => {
    const line =
      '{"target":18446744073709551615,"current_value":9007199254740993,"esz":1234567890123456,"sz_applied":18014398509481985,"b":1.2345678901234567,"c":"12345678901234567890","d":-9007199254740993,"g":1e300,"h":[5.0000000000000000001],"n":"\\u0000big:123"}';
    expect(parseTimelineLine(line)).toEqual({
      target: 18446744073709551615n,
      current_value: 9007199254740993n,
      esz: 1234567890123456,
      // A byte counter was a double in the run: it comes back as one (rounded as the run rounded it).
      sz_applied: 18014398509481984,
      b: 1.2345678901234567,
      c: '12345678901234567890',
      d: -9007199254740992,
      g: 1e300,
      h: [5],
      // A string that looks like the marker stays a string.
      n: '\u0000big:123',
    });
    // What toJson() writes, parseTimelineLine() reads: a goal record with ULONG_MAX.
    const rec = { type: 'goal', target_value: 2n ** 64n - 1n, current_value: 0n, esz: 4096n, t: 0.1 };
    expect(parseTimelineLine(toJson(rec))).toEqual({ ...rec, current_value: 0, esz: 4096 });
    // JSON has no leading zeros: refused as JSON.parse refuses them.
    expect(() => parseTimelineLine('{"a":00000000000000000001}')).toThrow(SyntaxError);
  });

  it('--tolerance judges saved runs again at another band: what run --tolerance printed, phases and a never-evaluated goal included', async () => {
    await inTempDir(async (dir) => {
      // The step example's target steps make phases; a second goal that never reaches its first
      // evaluation (apply interval past the run) is judged by the band too.
      const doc = parseText(readFileSync(new URL('../examples/tiering-6040-step.yaml', import.meta.url), 'utf8'), 'yaml') as { damon: { kdamonds: Array<{ contexts: Array<{ schemes: Array<Record<string, unknown>> }> }> } };
      const schemes = doc.damon.kdamonds[0].contexts[0].schemes;
      schemes.push({ ...schemes[1], apply_interval_us: '10 m' });
      const sc = join(dir, 'step.json');
      writeFileSync(sc, JSON.stringify(doc));
      const at = (tol: string) => join(dir, `t${tol}.ndjson`);
      for (const tol of ['100', '250']) expect((await cli(['run', sc, '--duration', '70', '--tolerance', tol, '--out', at(tol), '--no-progress', '-q'])).code).toBe(0);
      const judged = await cli(['report', 'summary', '--tolerance', '250', at('100')]);
      expect(judged.code).toBe(0);
      expect(judged.out).toBe((await cli(['report', 'summary', at('250')])).out);
      expect(judged.out).toContain('time to target ±250 bp');
      expect((await cli(['report', 'summary', '--tolerance', '100', at('250')])).out).toBe((await cli(['report', 'summary', at('100')])).out);
      // A timeline missing goal records cannot be judged again: exit 2, saying whose.
      const cut = join(dir, 'cut.ndjson');
      writeFileSync(cut, readFileSync(at('100'), 'utf8').split('\n').filter((l) => !l.startsWith('{"type":"goal","t":6')).join('\n'));
      const r = await cli(['report', 'summary', '--tolerance', '250', cut]);
      expect([r.code, r.out]).toEqual([2, '']);
      expect(r.err).toMatch(/^damon-sim: error: .*cut\.ndjson: expected the \d+ evaluations of s0 migrate_hot→0 among the goal records to judge them again; found \d+\n$/);
      expect((await cli(['report', 'summary', '--tolerance', '-5', at('100')])).err).toMatch(/^damon-sim: error: --tolerance: expected a whole number >= 0/);
    });
  });

  it('prints the summary of a run whose byte counters pass 2^53 (they stay numbers)', async () => {
    await inTempDir(async (dir) => {
      const f = join(dir, 'big.ndjson');
      const lines = [
        JSON.stringify({ type: 'header', format: 'damon-sim-timeline', version: 1, scenario: 'big', seed: 1 }),
        `{"type":"summary","t":1,"schemes":[],"stats":[{"kdamond":0,"ctx":0,"scheme":0,"label":"s0 stat","nrTried":1,"szTried":18014398509481984,"nrApplied":0,"szApplied":0,"szOpsFilterPassed":0,"qtExceeds":0}],"migrated":[{"from":0,"to":1,"bytes":18014398509481984}],"regions":[]}`,
      ];
      // 3 MiB of records between them: the file is read in 1 MiB chunks, lines cross their edges.
      const filler = Array.from({ length: 30_000 }, (_, i) => `{"type":"aggr","t":${i},"pad":"${'x'.repeat(90 + (i % 7))}"}`);
      writeFileSync(f, [lines[0], ...filler, lines[1]].join('\n') + '\n\n');
      const r = await cli(['report', 'summary', f]);
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.out).toContain('node 0 -> node 1');
      expect(r.out).toContain('16777216.000 GiB');
      // A regions list the notes cannot read is refused, not printed as "undefined" (a diff review).
      writeFileSync(f, [lines[0], lines[1].replace('"regions":[]', '"regions":[{"kdamond":0,"aggregation":{"meanS":"x"}}]')].join('\n') + '\n');
      const bad = await cli(['report', 'summary', f]);
      expect([bad.code, bad.out]).toEqual([2, '']);
      expect(bad.err).toBe(`damon-sim: error: ${f}:2: expected the summary's "regions" list of contexts (kdamond, peakNrRegions, maxNrRegions, rejectedQuotaSplits, aggregation); found something else\n`);
    });
  });

  it('prints what the run printed, byte for byte, and runs side by side', async () => {
    await inTempDir(async (dir) => {
      const a = join(dir, 'a.ndjson');
      const b = join(dir, 'b.ndjson');
      const ra = await cli(['run', '--preset', 'tiering-6040', '--duration', '40', '--out', a, '--no-progress']);
      const rb = await cli(['run', '--preset', 'tiering-6040', '--tuner', 'consist', '--duration', '40', '--out', b, '--no-progress']);
      expect([ra.code, rb.code]).toEqual([0, 0]);
      const one = await cli(['report', 'summary', a]);
      expect([one.code, one.err, one.out]).toEqual([0, '', ra.out]);
      const both = await cli(['report', 'summary', a, b]);
      expect(both.err).toBe('');
      // The names' shared start heads the label column; the columns, what differs.
      expect(both.out.split('\n')[0].trim().split(/ +/)).toEqual(['tiering-6040-', 'temporal', 'consist']);
      expect(both.out).toMatch(/time to target ±100 bp +30\.111 s/);
      // One run twice: named by path (its file name is the same too).
      // (long titles: the table may print its columns in panels, one under the other)
      expect((await cli(['report', 'summary', a, a])).out.split(a)).toHaveLength(3);
    });
  });

  it('says where runs side by side differ in setup, from their headers; a run beside itself differs in nothing', async () => {
    await inTempDir(async (dir) => {
      const base = join(dir, 'base.ndjson');
      const variant = join(dir, 'variant.ndjson');
      const doc = { ...tiering6040('consist'), duration: '20 s' };
      const file = join(dir, 'variant.json');
      const kd = doc.damon.kdamonds;
      kd[0].contexts[0].schemes[1].quotas.sz_bytes = '96 MiB';
      writeFileSync(file, JSON.stringify(doc));
      expect((await cli(['run', '--preset', 'tiering-6040', '--tuner', 'consist', '--duration', '20', '--seed', '7', '--out', base, '--no-progress'])).code).toBe(0);
      expect((await cli(['run', file, '--out', variant, '--no-progress'])).code).toBe(0);
      const r = await cli(['report', 'summary', base, variant]);
      expect([r.code, r.err]).toEqual([0, '']);
      const lines = r.out.split('\n');
      const at = lines.indexOf('setup, where the runs differ (timeline headers)');
      // Right under the titles, before the first goal; the seed and the one quota, nothing else.
      expect(at).toBe(2);
      // (a path longer than the label column stands on its own line, its values on the next)
      const block = lines.slice(at + 1, lines.indexOf('', at));
      expect(block.join(' ').trim().split(/\s+/)).toEqual(['seed', '7', '42', 'kd0.ctx0.s1.quotas.sz_bytes', '128.000', 'MiB', '96.000', 'MiB']);
      const same = await cli(['report', 'summary', base, base]);
      expect(same.out).not.toContain('setup, where');
      // One timeline alone has nothing to differ from: its table is what its run printed.
      expect((await cli(['report', 'summary', base])).out).not.toContain('setup, where');
    });
  });

  it("a timeline's header holds the run's DAMON configuration in damo's format: run --kdamonds runs it again, record for record", async () => {
    await inTempDir(async (dir) => {
      const first = join(dir, 'first.ndjson');
      const doc = { ...tiering6040('consist'), duration: '20 s' };
      const kd = doc.damon.kdamonds;
      kd[0].contexts[0].schemes[1].quotas.sz_bytes = '96 MiB';
      const file = join(dir, 'variant.json');
      writeFileSync(file, JSON.stringify(doc));
      expect((await cli(['run', file, '--out', first, '--no-progress'])).code).toBe(0);
      const lines = readFileSync(first, 'utf8').trimEnd().split('\n');
      const header = JSON.parse(lines[0]) as { damon: { kdamonds: Array<{ contexts: Array<{ schemes: Array<{ quotas: { sz_bytes: number } }> }> }> } };
      // What the header's own schemes list leaves out, such as a quota.
      expect(header.damon.kdamonds[0].contexts[0].schemes.map((x) => x.quotas.sz_bytes)).toEqual([128 * MiB, 96 * MiB]);
      const k = join(dir, 'kdamonds.json');
      writeFileSync(k, JSON.stringify(header.damon));
      const again = join(dir, 'again.ndjson');
      const r = await cli(['run', file, '--kdamonds', k, '--out', again, '--no-progress']);
      expect(r.code, r.err).toBe(0);
      // The same records; only the names differ (the second run says damo options replaced the schemes).
      const body = (f: string) => readFileSync(f, 'utf8').trimEnd().split('\n').slice(1).filter((l) => !l.startsWith('{"type":"summary"'));
      expect(body(again)).toEqual(body(first));
    });
  });

  it('--sweep reads a seed sweep\'s timelines back as the sweep printed them, one table per scenario', async () => {
    await inTempDir(async (dir) => {
      const od = join(dir, 'sweep');
      const ran = await cli(['run', '--preset', 'tiering-6040', '--compare-tuners', '--seeds', '2,1', '--duration', '40', '--out-dir', od, '--no-progress']);
      expect(ran.code, ran.err).toBe(0);
      const f = (tuner: string, seed: number) => join(od, `tiering-6040-${tuner}-seed${seed}.ndjson`);
      // Each seed's two runs on one chart too, once every run is done (seeds ascending, whatever
      // order they were given in), titled with the seed: what report plot draws from them.
      expect(readdirSync(od).filter((x) => x.includes('compare')).sort()).toEqual(['tiering-6040-compare-seed1.svg', 'tiering-6040-compare-seed2.svg']);
      expect(ran.err.split('\n').filter((l) => l.includes('wrote')).slice(4)).toEqual([1, 2].map((seed) => `damon-sim: wrote ${join(od, `tiering-6040-compare-seed${seed}.svg`)}`));
      expect(readFileSync(join(od, 'tiering-6040-compare-seed2.svg'), 'utf8')).toContain('>tiering-6040-temporal vs tiering-6040-consist, seed 2<');
      const drawn = join(dir, 'drawn.svg');
      expect((await cli(['report', 'plot', f('temporal', 1), f('consist', 1), '--out', drawn])).code).toBe(0);
      expect(readFileSync(join(od, 'tiering-6040-compare-seed1.svg'), 'utf8')).toBe(readFileSync(drawn, 'utf8'));
      // Seeds come in ascending order, in the sweep's table as in the one read back: the sweep's own bytes.
      const back = await cli(['report', 'summary', '--sweep', f('temporal', 2), f('temporal', 1), f('consist', 1), f('consist', 2)]);
      expect([back.code, back.err]).toEqual([0, '']);
      expect(back.out).toBe(ran.out);
      expect(back.out).toMatch(/^tiering-6040-temporal: s0 migrate_hot→0 /);
      // A seed's timeline written before the header held the machine, workload and kernel parts
      // (model, kernel) joins the others: a key only one header has is not a difference.
      const older = join(dir, 'older.ndjson');
      const lines1 = readFileSync(f('temporal', 1), 'utf8').split('\n');
      const h1 = JSON.parse(lines1[0]) as Record<string, unknown>;
      delete h1.model;
      delete h1.kernel;
      writeFileSync(older, [JSON.stringify(h1), ...lines1.slice(1)].join('\n'));
      const joined = await cli(['report', 'summary', '--sweep', older, f('temporal', 2)]);
      expect([joined.code, joined.err]).toEqual([0, '']);
      // A run of another setup under the same name is not one more seed.
      const other = join(dir, 'other.ndjson');
      expect((await cli(['run', '--preset', 'tiering-6040', '--seed', '3', '--duration', '30', '--out', other, '--no-progress'])).code).toBe(0);
      const mixed = await cli(['report', 'summary', '--sweep', f('temporal', 1), other]);
      expect([mixed.code, mixed.out, mixed.err]).toEqual([
        2,
        '',
        `damon-sim: error: ${other}: expected a run of "tiering-6040-temporal" that differs from ${JSON.stringify(f('temporal', 1))} only by its seed, as a sweep's do; found another setup (its header's length, profile, machine, workload or DAMON configuration differ)\n`,
      ]);
      // Timelines from before the summary recorded the time within the band: the line leads with what it has.
      const old = join(dir, 'old.ndjson');
      writeFileSync(old, readFileSync(f('temporal', 1), 'utf8').replace(/"inBand(OverTime)?SecondHalf":[^,]*,/g, ''));
      const oldLine = (await cli(['report', 'summary', '--sweep', old])).out.split('\n').find((l) => l.startsWith('the 1 seed: '));
      expect(oldLine).toMatch(/^the 1 seed: second-half mean within ±100 of 6000 in [01]\/1 \(means [\d.]+ on average, /);
      // One seed twice would count one draw twice.
      const twice = await cli(['report', 'summary', '--sweep', f('temporal', 1), f('temporal', 2), f('temporal', 1)]);
      expect([twice.code, twice.out, twice.err]).toEqual([
        2,
        '',
        `damon-sim: error: ${f('temporal', 1)}: expected one timeline per seed of "tiering-6040-temporal" with --sweep; found seed 1 again (${JSON.stringify(f('temporal', 1))} has it)\n`,
      ]);
    });
  });

  it('refuses what is not a whole timeline, every file in one go, one line each', async () => {
    await inTempDir(async (dir) => {
      const whole = join(dir, 'w.ndjson');
      expect((await cli(['run', '--preset', 'tiering-6040', '--duration', '1', '--out', whole, '--no-progress'])).code).toBe(0);
      const lines = readFileSync(whole, 'utf8').trimEnd().split('\n');
      const cut = join(dir, 'cut.ndjson');
      writeFileSync(cut, lines.slice(0, 3).join('\n') + '\n');
      const scenario = join(dir, 's.yaml');
      writeFileSync(scenario, 'name: x\n');
      const old = join(dir, 'old.ndjson');
      writeFileSync(old, [lines[0].replace('"version":1', '"version":0'), ...lines.slice(1)].join('\n'));
      const empty = join(dir, 'empty.ndjson');
      writeFileSync(empty, '');
      const r = await cli(['report', 'summary', cut, scenario, join(dir, 'nope.ndjson'), dir, old, empty, '/proc/self/mem']);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n')).toEqual([
        `damon-sim: error: ${cut}:3: expected the timeline's last line to be its summary (a run writes its file only once it is complete: this one was cut or edited); found a "${JSON.parse(lines[2]).type}" record`,
        `damon-sim: error: ${scenario}:1: expected one JSON record per line (a damon-sim timeline); found a line that is not JSON`,
        `damon-sim: error: ${join(dir, 'nope.ndjson')}: expected a readable timeline file (a run's --out); found no such file (ENOENT)`,
        `damon-sim: error: ${dir}: expected a timeline file (a run's --out); found a directory`,
        `damon-sim: error: ${old}:1: expected timeline format version 1; found 0`,
        `damon-sim: error: ${empty}: expected a damon-sim timeline; found an empty file`,
        // A regular file whose read the system refuses.
        "damon-sim: error: /proc/self/mem: expected a readable timeline file (a run's --out); found a read error (EIO)",
      ]);
    });
  });
});

describe("report plot: a run's plot drawn again from its timeline", () => {
  /** Run `args` with --out and --plot into dir; then draw the plot from the timeline: both SVGs. */
  async function runAndReplot(dir: string, name: string, args: string[], replot: string[] = []): Promise<{ ran: string; drawn: string; timeline: string }> {
    const timeline = join(dir, `${name}.ndjson`);
    const ran = join(dir, `${name}.svg`);
    const drawn = join(dir, `${name}.re.svg`);
    const r = await cli(['run', ...args, '--out', timeline, '--plot', ran, '--no-progress']);
    expect(r.code).toBe(0);
    const p = await cli(['report', 'plot', timeline, '--out', drawn, ...replot]);
    expect([p.code, p.out, p.err]).toEqual([0, '', `damon-sim: wrote ${drawn}\n`]);
    return { ran: readFileSync(ran, 'utf8'), drawn: readFileSync(drawn, 'utf8'), timeline };
  }

  it('draws the bytes run --plot drew: the preset, a goal write marked and split by phase, several kdamonds', async () => {
    await inTempDir(async (dir) => {
      const preset = await runAndReplot(dir, 'preset', ['--preset', 'tiering-6040', '--duration', '40']);
      expect(preset.drawn).toBe(preset.ran);
      expect(preset.ran).toContain('s0 node_eligible_mem_bp nid 0');
      // The step example's commit_schemes_quota_goals at 300 s is marked on the plot.
      const step = await runAndReplot(dir, 'step', ['examples/tiering-6040-step.yaml', '--duration', '302']);
      expect(step.ran).toContain('commit_schemes_quota_goals');
      expect(step.drawn).toBe(step.ran);
      const mtier = await runAndReplot(dir, 'mtier', ['examples/mtier.yaml', '--duration', '20']);
      expect(mtier.drawn).toBe(mtier.ran);
      // Only kdamond 1's goal is evaluated in 20 s; it is named by its kdamond as the summary's row is ("kd1 s0 migrate_cold→1"),
      // and so is kdamond 0's, which is drawn unevaluated.
      expect(mtier.ran).toContain('>kd1 s0 node_mem_free_bp nid 0<');
      expect(mtier.ran).toContain('>kd0 s0 node_mem_used_bp nid 0 (never evaluated)<');
      // A run's length past the timeline's µs resolution: both take the header's (the axis is the same).
      const odd = await runAndReplot(dir, 'odd', ['--preset', 'tiering-6040', '--duration', '2.0000005']);
      expect(odd.drawn).toBe(odd.ran);
      // A hot-set move is marked (from the scenario, and from the header's model), one past the end is not.
      const doc = { ...tiering6040('temporal'), duration: '30 s' };
      doc.workload.moves = [{ at: '20 s', hot_offset: '12 GiB' }, { at: '40 s', hot_offset: 0 }];
      const f = join(dir, 'moves.json');
      writeFileSync(f, JSON.stringify(doc));
      const moved = await runAndReplot(dir, 'moved', [f]);
      expect(moved.drawn).toBe(moved.ran);
      // In the goal panel and in the ground truth's, where the share steps (each name with its halo).
      expect([...moved.ran.matchAll(/fill="gray">hot set moves</g)]).toHaveLength(2);
      expect([...moved.ran.matchAll(/>hot set moves</g)]).toHaveLength(4);
      expect(moved.ran).toContain('aria-label="simulated time (s): 20; y: 3; command: hot set moves"');
      expect(preset.ran).not.toContain('hot set moves');
    });
  });

  it('readTimeline() gives the records as the run held them; a stride that thins the aggregations thins both plots alike', async () => {
    await inTempDir(async (dir) => {
      const doc = { ...tiering6040('consist'), duration: '20 s', record: { aggr_stride: 7 } };
      const f = join(dir, 'stride.json');
      writeFileSync(f, JSON.stringify(doc));
      const { ran, drawn, timeline } = await runAndReplot(dir, 'stride', [f]);
      expect(drawn).toBe(ran);
      const res = runScenario(scenarioFromDoc(doc).scenario);
      const tl = readTimeline(timeline);
      // 146 aggregations in 20 s (each ~120 ms: 20 samples of a 5 ms tick sleep plus the walks), every 7th written; the goals' records whole.
      expect(tl.aggrs).toHaveLength(21);
      expect(tl.goals).toHaveLength(38);
      expect(tl.aggrs.map((a) => [a.t, a.hot_bytes])).toEqual(res.aggrs.map((a) => [a.t, a.hot_bytes]));
      // The u64 fields as the run holds them, bigints (as GoalRecord types them), whatever their size.
      expect(tl.goals.map((g) => [g.t, g.scheme, g.target_value, g.current_value, g.esz])).toEqual(res.goals.map((g) => [g.t, g.scheme, g.target_value, g.current_value, g.esz]));
      expect(tl.goals.every((g) => typeof g.target_value === 'bigint' && typeof g.current_value === 'bigint' && typeof g.esz === 'bigint')).toBe(true);
      expect([tl.scenario, tl.durationS, tl.kdamonds, tl.events]).toEqual(['tiering-6040-consist', 20, 1, []]);
      // The header's goals, numbered and with the nid as the goal records have them.
      expect(tl.configuredGoals).toEqual([
        { kdamond: 0, ctx: 0, scheme: 0, goal: 0, metric: 'node_eligible_mem_bp', nid: 0, target_value: 6000 },
        { kdamond: 0, ctx: 0, scheme: 1, goal: 0, metric: 'node_eligible_mem_bp', nid: 1, target_value: 4000 },
      ]);
    });
  });

  it('a scheme whose apply interval outlasts the run: its goal drawn unevaluated with its target, by run --plot and report plot alike, and in a comparison', async () => {
    await inTempDir(async (dir) => {
      const doc = { ...tiering6040('temporal'), name: 'slow-push', duration: '20 s' };
      const kd = doc.damon.kdamonds;
      kd[0].contexts[0].schemes[1].apply_interval_us = '1 h';
      const f = join(dir, 'slow.json');
      writeFileSync(f, JSON.stringify(doc));
      const slow = await runAndReplot(dir, 'slow', [f]);
      expect(slow.drawn).toBe(slow.ran);
      expect(readTimeline(slow.timeline).goals.map((g) => g.scheme)).not.toContain(1);
      expect(slow.ran).toContain('>quota goal: current vs target<');
      expect(slow.ran).toContain('>s0 node_eligible_mem_bp nid 0<');
      expect(slow.ran).toContain('>s1 node_eligible_mem_bp nid 1 (never evaluated)<');
      expect(slow.ran).toContain('aria-label="simulated time (s): 0; target: 4000; t1: 20; goal (solid: current, dashed: target): s1 node_eligible_mem_bp nid 1 (never evaluated)"');
      // Beside the preset, which evaluates both goals: s1's panel names slow-push so in its legend.
      const preset = join(dir, 'preset.ndjson');
      expect((await cli(['run', '--preset', 'tiering-6040', '--duration', '20', '--out', preset, '--no-progress'])).code).toBe(0);
      const out = join(dir, 'cmp.svg');
      expect((await cli(['report', 'plot', preset, slow.timeline, '--out', out])).code).toBe(0);
      const cmp = readFileSync(out, 'utf8');
      for (const text of ['s1 node_eligible_mem_bp nid 1', 'slow-push (never evaluated)', 'slow-push', 'tiering-6040-temporal']) expect(cmp).toContain(`>${text}<`);
      expect(cmp).toContain('aria-label="simulated time (s): 0; target: 4000; t1: 20; run (solid: current, dashed: target): slow-push; run: slow-push"');
    });
  });

  it("several timelines: their goals compared, named as report summary names them; every file's problem at once", async () => {
    await inTempDir(async (dir) => {
      const a = join(dir, 'a.ndjson');
      const b = join(dir, 'b.ndjson');
      for (const [f, tuner] of [[a, 'temporal'], [b, 'consist']]) expect((await cli(['run', '--preset', 'tiering-6040', '--tuner', tuner, '--duration', '40', '--out', f, '--no-progress'])).code).toBe(0);
      const out = join(dir, 'cmp.svg');
      const r = await cli(['report', 'plot', a, b, '--out', out]);
      expect([r.code, r.out, r.err]).toEqual([0, '', `damon-sim: wrote ${out}\n`]);
      const svg = readFileSync(out, 'utf8');
      for (const text of ['tiering-6040-temporal vs tiering-6040-consist, seed 42', 's0 node_eligible_mem_bp nid 0', 's1 node_eligible_mem_bp nid 1', "ground truth: node 0's share of the hot set", "ground truth: node 1's share of the hot set"])
        expect(svg).toContain(`>${text}<`);
      // Two goals and two nodes' truth, a line per run in each.
      expect([...svg.matchAll(/aria-roledescription="line mark"/g)]).toHaveLength(8);
      // One run twice would draw one line over the other.
      const twice = await cli(['report', 'plot', a, b, a, '--out', join(dir, 'twice.svg')]);
      expect([twice.code, twice.err]).toEqual([2, `damon-sim: error: ${a}: expected timelines of different runs to compare; found the same file as ${JSON.stringify(a)}\n`]);
      expect(existsSync(join(dir, 'twice.svg'))).toBe(false);
      const missing = join(dir, 'nope.ndjson');
      const bad = await cli(['report', 'plot', missing, a, 'examples/tiering-6040.yaml', '--out', join(dir, 'no.svg')]);
      expect([bad.code, bad.out, bad.err.trimEnd().split('\n')]).toEqual([
        2,
        '',
        [
          `damon-sim: error: ${missing}: expected a readable timeline file (a run's --out); found no such file (ENOENT)`,
          'damon-sim: error: examples/tiering-6040.yaml:1: expected one JSON record per line (a damon-sim timeline); found a line that is not JSON',
        ],
      ]);
      expect(existsSync(join(dir, 'no.svg'))).toBe(false);
    });
  });

  it('a goal the kernel drops (target_value 0) is none in the run, as the header says, whichever draws it', async () => {
    await inTempDir(async (dir) => {
      const doc = tiering6040('temporal');
      const kd = doc.damon.kdamonds;
      for (const sch of kd[0].contexts[0].schemes) for (const g of sch.quotas.goals) g.target_value = 0;
      const f = join(dir, 'zero.json');
      writeFileSync(f, JSON.stringify({ ...doc, duration: '2 s' }));
      const zero = await runAndReplot(dir, 'zero', [f]);
      expect(zero.ran).toContain('quota goal: none in this run');
      expect(zero.drawn).toBe(zero.ran);
    });
  });

  it('--all-points draws every evaluation; the default keeps at most four points a pixel column', async () => {
    await inTempDir(async (dir) => {
      // 20 minutes: ~2,400 evaluations a goal against the chart's 640 columns.
      const { ran, drawn } = await runAndReplot(dir, 'long', ['--preset', 'tiering-6040', '--duration', '20 m'], ['--all-points']);
      const points = (svg: string) => [...svg.matchAll(/aria-roledescription="line mark"[^>]*d="([^"]*)"/g)].reduce((n, m) => n + (m[1].match(/L/g) ?? []).length, 0);
      expect(points(drawn)).toBeGreaterThan(1.5 * points(ran));
    });
  });

  it('refuses a bad output or a timeline that is not whole, one line each, and leaves no file', async () => {
    await inTempDir(async (dir) => {
      const whole = join(dir, 'w.ndjson');
      expect((await cli(['run', '--preset', 'tiering-6040', '--duration', '2', '--out', whole, '--no-progress'])).code).toBe(0);
      const lines = readFileSync(whole, 'utf8').trimEnd().split('\n');
      const no = lines.findIndex((l) => l.startsWith('{"type":"goal"'));
      const broken = join(dir, 'broken.ndjson');
      writeFileSync(broken, lines.map((l, i) => (i === no ? l.replace(/"t":[\d.]+/, '"t":"soon"') : l)).join('\n') + '\n');
      const cut = join(dir, 'cut.ndjson');
      writeFileSync(cut, lines.slice(0, -1).join('\n') + '\n');
      const svg = join(dir, 'p.svg');
      /** The timeline with the first record `which` picks edited by `edit` (or, with `insert`, a line put before the summary): the file and the line's number. */
      const edited = (name: string, which: (l: string) => boolean, edit: (rec: Record<string, unknown>) => void): [string, number] => {
        const recs = lines.slice();
        const at = recs.findIndex(which);
        const rec = JSON.parse(recs[at]) as Record<string, unknown>;
        edit(rec);
        recs[at] = JSON.stringify(rec);
        const f = join(dir, name);
        writeFileSync(f, recs.join('\n') + '\n');
        return [f, at + 1];
      };
      const aggrAt = (l: string) => l.startsWith('{"type":"aggr"');
      const [strHot, strHotNo] = edited('hot.ndjson', aggrAt, (r) => ((r.hot_bytes as unknown[])[0] = '134217728'));
      const [negGoal, negGoalNo] = edited('neg.ndjson', (l) => l.startsWith('{"type":"goal"'), (r) => (r.current_value = -7));
      const [noDur] = edited('dur.ndjson', (l) => l.startsWith('{"type":"header"'), (r) => (r.duration_s = 'x'));
      // The plot draws each configured goal by its header entry, evaluated or not.
      const [noTarget] = edited('target.ndjson', (l) => l.startsWith('{"type":"header"'), (r) => delete (r.schemes as Array<{ goals: Array<Record<string, unknown>> }>)[1].goals[0].target_value);
      // An accepted write's goal counts split a goal's line: they must be a list.
      const nullGoals = join(dir, 'event.ndjson');
      const write = { type: 'event', t: 1, kdamond: 0, ctx: 0, event: 0, command: 'commit_schemes_quota_goals', status: 'ok', goals: null };
      writeFileSync(nullGoals, [...lines.slice(0, -1), JSON.stringify(write), lines[lines.length - 1]].join('\n') + '\n');
      const cases: Array<[string[], string]> = [
        [[broken, '--out', svg], `${broken}:${no + 1}: expected a "goal" record's "t" as a number; found "soon"`],
        [[strHot, '--out', svg], `${strHot}:${strHotNo}: expected an "aggr" record's "hot_bytes" as a list of numbers; found a list holding "134217728"`],
        [[negGoal, '--out', svg], `${negGoal}:${negGoalNo}: expected a "goal" record's "current_value" as an unsigned integer; found -7`],
        [[noDur, '--out', svg], `${noDur}:1: expected the header's "duration_s" as a positive number; found "x"`],
        [
          [noTarget, '--out', svg],
          `${noTarget}:1: expected each of the header's "schemes" with its "kdamond", "ctx" and "scheme" indices, and each of its "goals" with "metric", "nid" and "target_value"; found schemes[1].goals[0] without them`,
        ],
        [[nullGoals, '--out', svg], `${nullGoals}:${lines.length}: expected an "event" record's "goals" as a list of numbers; found null`],
        [['/proc/self/mem', '--out', svg], "/proc/self/mem: expected a readable timeline file (a run's --out); found a read error (EIO)"],
        [[cut, '--out', svg], `${cut}:${lines.length - 1}: expected the timeline's last line to be its summary (a run writes its file only once it is complete: this one was cut or edited); found ${lines[lines.length - 2].startsWith('{"type":"aggr"') ? 'an "aggr"' : 'a "goal"'} record`],
        [['examples/tiering-6040.yaml', '--out', svg], 'examples/tiering-6040.yaml:1: expected one JSON record per line (a damon-sim timeline); found a line that is not JSON'],
        [[whole, '--out', join(dir, 'p.png')], `--out: expected a file name ending in .svg (the plot is SVG); found "${join(dir, 'p.png')}"`],
        [[whole, '--out', whole], `--out: expected a file other than the timeline's; found the same file "${whole}"`],
        [[whole], '--out: expected this option; found nothing'],
      ];
      for (const [args, message] of cases) {
        const r = await cli(['report', 'plot', ...args]);
        expect([r.code, r.out, r.err]).toEqual([2, '', `damon-sim: error: ${message}\n`]);
      }
      expect(readFileSync(whole, 'utf8').trimEnd().split('\n')).toEqual(lines);
      expect(() => readFileSync(svg)).toThrow(/ENOENT/);
    });
  });
});
