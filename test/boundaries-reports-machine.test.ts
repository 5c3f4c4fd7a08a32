// SPDX-License-Identifier: GPL-2.0-only
/**
 * Boundaries of the numbers users read (summary, ground truth, sweep, setup rows) and of the
 * machine beneath, that a hand-mutation review found no test pinned: each case names the mutant it
 * kills.
 */
import { describe, expect, it } from 'vitest';
import { goal } from './helpers/records.js';
import type { TruthSample } from '../src/run/recorder.js';
import { TABLE_WIDTH, addGroundTruth, formatSummaryTable, hotSetMoveTimes, sharedTitleStart, summarize, type SchemeSummary } from '../src/report/summary.js';
import { MAX_SETUP_DIFFERENCES, setupDifferences } from '../src/report/setup-diff.js';
import { parseSeedList, sweepGoals } from '../src/report/sweep.js';
import { PAGE_SIZE } from '../src/lib/kint.js';
import { ExtKind } from '../src/machine/extents.js';
import { Machine, nodeRanges } from '../src/machine/machine.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';
import { RateSegments, Workload } from '../src/workload/model.js';
import { HotBytesTracker, hotBytesPerNode } from '../src/workload/truth.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

const stats = (sz: number) => ({ sz_applied: sz, nr_applied: 0, qt_exceeds: 0 });

describe('summarize: boundaries where two times are equal', () => {
  it('a hot-set move at an evaluation\'s own time starts one phase, with that evaluation', () => {
    // Mutants: moveIn's (a, b] taken as [a, b] (a third phase of one evaluation) or (a, b) (the move lost).
    const recs = [1, 2, 3, 4, 5, 6, 7, 8].map((t) => goal(t, 6000));
    const s = summarize(recs, 10, undefined, 100, { hotSetMoves: [5] });
    expect(s.map((x) => [x.phase, x.phaseStartS, x.phaseEndS, x.evaluations, x.hotSetMoved])).toEqual([
      [0, 0, 5, 4, undefined],
      [1, 5, 10, 4, true],
    ]);
  });

  it('a write that gives a removed goal back at the time of its next evaluation starts a phase there', () => {
    // Mutant: GoalLife.index() ignoring `after` (writes at b left out of [a, b]).
    const w = (t: number, goals: number[]) => ({ t, kdamond: 0, ctx: 0, goals });
    const recs = [1, 2, 4, 5, 6].map((t) => goal(t, 6000));
    const s = summarize(recs, 10, undefined, 100, { goalWrites: [w(2.5, [0]), w(4, [1])] });
    expect(s.map((x) => [x.phase, x.phaseStartS, x.phaseEndS, x.removedAtS, x.evaluations])).toEqual([
      [0, 0, 2.5, 2.5, 2],
      [1, 4, 10, undefined, 3],
    ]);
  });

  it('a write that removes the goal at the time of its last evaluation removes it (the write came after it)', () => {
    // Mutant: removedAfter()'s t[r] < a taken as <=.
    const recs = [1, 2, 3, 4].map((t) => goal(t, 6000, { sz_applied: t * 10 }));
    const [r] = summarize(recs, 10, undefined, 100, {
      goalWrites: [{ t: 4, kdamond: 0, ctx: 0, goals: [0] }],
      finalStats: [{ kdamond: 0, ctx: 0, scheme: 0, szApplied: 999, nrApplied: 0, qtExceeds: 0 }],
    });
    expect(r).toMatchObject({ removedAtS: 4, phaseStartS: 0, phaseEndS: 4, szApplied: 40 });
  });

  it('an `on` at a reading\'s own time came first: the restart counts before that reading, not after the phase\'s first', () => {
    // Mutants: withRestarts()'s restarts[k].t <= ts[i] taken as <, and restarts[k].t > ts[0] as >=.
    // Scheme 0 applied 100 by t = 1, 150 by t = 2, 180 when an `off` stopped it; the `on` at 3
    // starts it from 0, read at 3 (0) and 4 (10). The hot set moved at 3 too: two phases.
    const recs = [goal(1, 6000, { sz_applied: 100 }), goal(2, 6000, { sz_applied: 150 }), goal(3, 6000), goal(4, 6000, { sz_applied: 10 })];
    const s = summarize(recs, 4, undefined, 100, { hotSetMoves: [3], goalWrites: [{ t: 3, kdamond: 0, ctx: 0, stats_before: [stats(180)] }] });
    expect(s.map((x) => x.szApplied)).toEqual([180, 10]);
    // One phase: 180 before the restart, 10 after.
    const [whole] = summarize(recs, 4, undefined, 100, { goalWrites: [{ t: 3, kdamond: 0, ctx: 0, stats_before: [stats(180)] }] });
    expect(whole.szApplied).toBe(190);
  });

  it('a reading below the previous one (a restart a timeline did not record) counts whole', () => {
    // Mutant: appliedOver() counting such a reading as 0. Older timelines have no stats_before.
    const recs = [100, 150, 30, 50].map((sz, i) => goal(i + 1, 6000, { sz_applied: sz }));
    const [r] = summarize(recs, 4);
    expect(r.szApplied).toBe(100 + 50 + 30 + 20);
  });

  it('applied per hour over the second half starts at a reading at the half itself', () => {
    // Mutant: perHourFrom()'s t >= fromS taken as >. Half of 12 s is 6; 3600 bytes applied between 6 and 7.
    const recs = Array.from({ length: 12 }, (_, i) => goal(i + 1, 6000, { sz_applied: i + 1 >= 7 ? 3600 : 0 }));
    const [r] = summarize(recs, 12);
    expect(r.szAppliedPerHourSecondHalf).toBe((3600 / 6) * 3600);
  });

  it('after a move, an evaluation at the end of the first aggregation after it still read stale counts', () => {
    // Mutant: r.t > reachedAfterS taken as >=. Aggregations end on whole seconds; the hot set
    // moves at 4.5; the one ending at 5 gathered partly before it, so the evaluation at 5 is no recovery.
    const recs = [6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000].map((v, i) => goal(i + 1, v));
    const aggrs = Array.from({ length: 11 }, (_, i) => i);
    const [, after] = summarize(recs, 10, undefined, 100, { hotSetMoves: [4.5], aggregations: () => aggrs });
    expect(after).toMatchObject({ moveSeenS: 5, timeToTargetS: 1.5 });
  });

  it('a move while the goal was removed is not its phase start: the write that gave it back is', () => {
    // Mutant: movedAt ignoring cameBack().
    const w = (t: number, goals: number[]) => ({ t, kdamond: 0, ctx: 0, goals });
    const recs = [1, 2, 5, 6].map((t) => goal(t, 6000));
    const s = summarize(recs, 10, undefined, 100, { hotSetMoves: [3.5], goalWrites: [w(2.5, [0]), w(4, [1])] });
    expect(s[1]).toMatchObject({ phaseStartS: 4 });
    expect(s[1].hotSetMoved).toBeUndefined();
  });

  it('another context\'s writes and final stats are not this goal\'s', () => {
    // Mutants: the goalWrites and finalStats lookups without their ctx test.
    const recs = [1, 2, 3, 4].map((t) => goal(t, 6000, { ctx: 1, sz_applied: t * 10 }));
    const finalStats = [
      { kdamond: 0, ctx: 0, scheme: 0, szApplied: 999, nrApplied: 0, qtExceeds: 0 },
      { kdamond: 0, ctx: 1, scheme: 0, szApplied: 50, nrApplied: 0, qtExceeds: 0 },
    ];
    const [r] = summarize(recs, 10, undefined, 100, { finalStats, goalWrites: [{ t: 4.4, kdamond: 0, ctx: 0, goals: [0] }] });
    expect(r.removedAtS).toBeUndefined();
    expect(r.szApplied).toBe(50);
  });

  it('a hot-set move at the run\'s very end is not within it', () => {
    // Mutant: hotSetMoveTimes()'s at / 1e9 < durationS taken as <=.
    const workload = { processes: [{ areas: [{ hot: { moves: [{ at: 5e9 }, { at: 60e9 }] } }] }] };
    expect(hotSetMoveTimes(workload, 60)).toEqual([5]);
  });
});

describe('addGroundTruth: which aggregations a phase takes', () => {
  const entry = (phaseStartS: number, phaseEndS: number, ctx = 0) =>
    ({ kdamond: 0, ctx, scheme: 0, goal: 0, metric: 'node_eligible_mem_bp', nid: 0, phase: phaseStartS === 0 ? 0 : 1, phaseStartS, phaseEndS }) as unknown as SchemeSummary;
  const truth = (t: number, hot: number[], ctx = 0): TruthSample => ({ t, kdamond: 0, ctx, hot_bytes: hot, aggr_us: 100_000 }) as TruthSample;

  it('from the half on, to the next phase\'s start exclusive, to the run\'s end inclusive; its own context\'s only', () => {
    // Mutants: a.t >= from taken as >, a.t < to as <=, phaseEndS >= durationS as >, and no ctx test.
    const s = [entry(0, 6), entry(6, 12)];
    const truths = [
      truth(3, [GiB, 0]), // p0's half: 10000
      truth(4.5, [GiB, GiB]), // 5000
      truth(6, [0, GiB]), // p1's start: p0 does not take it (0), nor p1 (before its half)
      truth(9, [GiB, GiB]), // p1's half: 5000
      truth(12, [GiB, 0]), // the run's end: 10000
      truth(10, [0, GiB], 1), // another context's: 0
    ];
    addGroundTruth(s, truths, 12);
    expect(s.map((x) => x.truthMeanSecondHalf)).toEqual([7500, 7500]);
    expect(s.map((x) => [x.truthMinSecondHalf, x.truthMaxSecondHalf])).toEqual([
      [5000, 10000],
      [5000, 10000],
    ]);
  });
});

describe('summary table', () => {
  it('sharedTitleStart keeps a shared start of exactly three characters', () => {
    // Mutant: start.trim().length >= 3 taken as > 3.
    expect(sharedTitleStart(['ab-x', 'ab-y'])).toBe('ab-');
    expect(sharedTitleStart(['a-x', 'a-y'])).toBe('');
  });

  it('exactly MAX_SETUP_DIFFERENCES setup rows: all shown, no "… and 0 more"', () => {
    // Mutant: setupRows()'s more > 0 taken as >= 0.
    const cfg = (v: number) => Object.fromEntries(Array.from({ length: MAX_SETUP_DIFFERENCES }, (_x, i) => [`k${i}`, v]));
    const table = formatSummaryTable([{ title: 'base', rows: [] }, { title: 'variant', rows: [] }], undefined, undefined, setupDifferences([cfg(1), cfg(2)]));
    expect(table.split('\n').filter((l) => /^ {2}k\d+ /.test(l))).toHaveLength(MAX_SETUP_DIFFERENCES);
    expect(table).not.toContain('more (compare');
  });

  it('a table exactly as wide as the width is one panel', () => {
    // Mutant: the panel test used + GAP + w > width taken as >=.
    const [row] = summarize([1, 2, 3, 4].map((t) => goal(t, 6000)), 4);
    const cols = Array.from({ length: 6 }, (_, i) => ({ title: `run-number-${i}`, rows: [row] }));
    const wide = formatSummaryTable(cols, undefined, undefined, [], 10_000);
    const width = Math.max(...wide.split('\n').map((l) => l.length));
    expect(width).toBeLessThan(TABLE_WIDTH * 10);
    expect(formatSummaryTable(cols, undefined, undefined, [], width)).toBe(wide);
    expect(formatSummaryTable(cols, undefined, undefined, [], width - 1)).not.toBe(wide);
  });
});

describe('ground truth of hot bytes: absolute values', () => {
  const machine = () =>
    new Machine({
      base: 4 * GiB,
      holeBetweenNodes: 0,
      swap: 0,
      nodes: [
        { capacity: 8 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 },
        { capacity: 8 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
      ],
    });
  const workloadOf = (ranges: Array<[number, number]>) => new Workload([], [{ at: 0, rates: new Map<number, RateSegments>(), hot: new Map([[0, ranges]]) }], 'test');

  it('a hot range inside another counts once, as the outer one', () => {
    // Mutant: sortedHotRanges() joining with last[1] = e instead of max(last[1], e) (both the walk and the tracker use it).
    const m = machine();
    m.allocate({ owner: 0, vstart: 0, bytes: 8 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0, 1], now: 0 });
    const w = workloadOf([
      [0, 6 * MiB],
      [2 * MiB, 4 * MiB],
    ]);
    expect(hotBytesPerNode(m, w, 0)).toEqual([6 * MiB, 0]);
    expect(new HotBytesTracker(m, w).perNode(0)).toEqual([6 * MiB, 0]);
  });

  it('hot memory up to the last byte of the machine counts whole', () => {
    // Mutant: the tracker's last segment ending before the end of physical memory.
    const m = machine();
    m.allocate({ owner: 0, vstart: 0, bytes: 16 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0, 1], now: 0 });
    const w = workloadOf([[0, 16 * MiB]]);
    expect(hotBytesPerNode(m, w, 0)).toEqual([8 * MiB, 8 * MiB]);
    expect(new HotBytesTracker(m, w).perNode(0)).toEqual([8 * MiB, 8 * MiB]);
  });
});

describe('seed sweeps: what the "all seeds" line adds up', () => {
  const entry = (mean: number | null, inBand: number | null) =>
    ({
      kdamond: 0,
      ctx: 0,
      scheme: 0,
      goal: 0,
      label: 's0',
      metric: 'node_mem_used_bp',
      nid: 0,
      target: 6000,
      timeToTargetS: null,
      settledS: null,
      meanSecondHalf: mean,
      stddevSecondHalf: mean === null ? null : 10,
      minSecondHalf: mean,
      maxSecondHalf: mean,
      inBandSecondHalf: inBand,
      evaluations: 4,
      szApplied: 0,
      nrApplied: 0,
      qtExceeds: 0,
    }) as SchemeSummary;

  it('a mean exactly a tolerance away is within; a seed without a second half does not pull the averages down', () => {
    // Mutants: meanWithin's <= taken as <; meanOfMeans and meanInBand divided by the runs, not by the runs that have one.
    const [g] = sweepGoals([
      { seed: 1, summary: [entry(6100, 0.5)] },
      { seed: 2, summary: [entry(null, null)] },
    ]);
    expect([g.runs, g.meanWithin, g.meanOfMeans, g.meanInBand, g.meanSd]).toEqual([2, 1, 6100, 0.5, 10]);
  });

  it('takes exactly as many seeds as allowed', () => {
    // Mutant: b - a + 1 + out.length > max taken as >=.
    expect(parseSeedList('1-3', 3)).toEqual([1, 2, 3]);
    expect(parseSeedList('1-1000')).toHaveLength(1000);
    expect(typeof parseSeedList('1-4', 3)).toBe('string');
  });
});

describe('setup differences: units', () => {
  it('a model size of 0 reads in bytes like the others', () => {
    // Mutant: readableModel() leaving 0 a bare number (v <= 0).
    const m = (watermark: number) => ({ model: { machine: { nodes: [{ watermark }] } } });
    expect(setupDifferences([m(0), m(2 * MiB)])).toEqual([{ path: 'model.machine.nodes[0].watermark', values: ['0 B', '2.000 MiB'] }]);
  });

  it('only sz_bytes bounds are sizes: nr_accesses and age bounds stay counts; sizes given as digit strings read in units', () => {
    // Mutants: readableDamon() taking every min/max as bytes; headerInteger() ignoring digit strings.
    const ctx = (nrMax: number, sz: string) => ({ damon: { kdamonds: [{ contexts: [{ schemes: [{ access_pattern: { nr_accesses: { min: 0, max: nrMax } }, quotas: { sz_bytes: sz } }] }] }] } });
    expect(setupDifferences([ctx(5, '4096'), ctx(10, '8192')])).toEqual([
      { path: 'kd0.ctx0.s0.access_pattern.nr_accesses.max', values: ['5', '10'] },
      { path: 'kd0.ctx0.s0.quotas.sz_bytes', values: ['4.000 KiB', '8.000 KiB'] },
    ]);
  });
});

describe('an `on` after an `off`: stats_before', () => {
  it('holds each scheme\'s applied totals, not its tried ones (a stat scheme tries, and applies nothing)', () => {
    // Mutant: the `on` record's stats_before taking sz_tried for sz_applied. The tiering schemes
    // apply what they try (room on the target), so only a scheme that tries without applying tells.
    const doc = tiering6040('temporal');
    doc.duration = 6;
    doc.damon.kdamonds[0].contexts[0].schemes.push({ action: 'stat', access_pattern: {}, quotas: {} } as never);
    (doc as Record<string, unknown>).events = [{ at: 4, command: 'off' }, { at: 5, command: 'on' }];
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const onRec = res.events.find((e) => e.command === 'on') as { status: string; stats_before?: Array<{ sz_applied: number; nr_applied: number }> };
    expect(onRec.status).toBe('ok');
    expect(onRec.stats_before?.[2]).toEqual({ sz_applied: 0, nr_applied: 0, qt_exceeds: 0 });
    // The tiering schemes' totals at the stop: at least what their last evaluations read.
    const lastGoal = (scheme: number) => res.goals.filter((g) => g.scheme === scheme && g.t <= 4).at(-1)!;
    for (const s of [0, 1]) expect(onRec.stats_before![s].sz_applied).toBeGreaterThanOrEqual(lastGoal(s).sz_applied);
  });
});


describe("refresh_ms after an `on`", () => {
it('an `on` restarts the refresh_ms deadline: the first write-back comes refresh_ms after the start', () => {
  // Mutant: flushStopped() not calling refreshFrom() after an accepted `on` (the deadline of the stopped run kept).
  const goal = { access_bp: '4 %', aggrs: 3, min_sample_us: '1 ms', max_sample_us: '1 s' };
  const ctx = { ops: 'paddr', targets: [{ pid: null }], intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: goal }, nr_regions: { min: 10, max: 1000 }, schemes: [{ action: 'stat', access_pattern: {} }] };
  const doc = {
    name: 'refresh-on', seed: 5, duration: 13,
    machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
    workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 1e6 },
    damon: { kdamonds: [{ refresh_ms: '5 s', contexts: [ctx] }] },
    events: [{ at: 8.5, command: 'off' }, { at: 9, command: 'on' }, { at: 11, command: 'off' }, { at: 12, command: 'on' }],
  };
  const res = runScenario(scenarioFromDoc(doc).scenario);
  expect(res.events.filter((r) => r.type === 'event').map((e) => e.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  const firstAfter = (t: number) => res.aggrs.find((a) => a.t > t)!;
  // Both starts read the files the refresh at 5 s wrote: the one due at 14 s (9 + 5) never came.
  expect([firstAfter(12).sample_us, firstAfter(12).aggr_us]).toEqual([firstAfter(9).sample_us, firstAfter(9).aggr_us]);
});

it('a refused scheme write records no goal counts: only an accepted one says what the schemes have now', () => {
  // Mutant: outcome() recording goals and goal_params whatever the status.
  const ctx = { ops: 'paddr', targets: [{ pid: null }], intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' }, nr_regions: { min: 10, max: 1000 }, schemes: [{ action: 'stat', access_pattern: {} }] };
  const doc = {
    name: 'refused-on', seed: 5, duration: 2,
    machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
    workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 1e6 },
    damon: { kdamonds: [{ contexts: [ctx] }] },
    events: [{ at: 1, command: 'on' }],
  };
  const [ev] = runScenario(scenarioFromDoc(doc).scenario).events.filter((r) => r.type === 'event') as Array<Record<string, unknown>>;
  expect(ev.status).toBe('error');
  expect(ev.goals).toBeUndefined();
  expect(ev.goal_params).toBeUndefined();
});
});

describe('the physical layout', () => {
  it('node 0 starts at base; each later node after one hole', () => {
    // Mutant: nodeRanges() adding the hole before node 0 too (every address DAMON reports shifted).
    const node = { capacity: 64 * MiB, kind: 'dram' as const, latencyNs: 100, reserved: 0, watermark: 0 };
    expect(nodeRanges({ base: 4 * GiB, holeBetweenNodes: 6 * MiB, nodes: [node, node, node] })).toEqual([
      { start: 4 * GiB, end: 4 * GiB + 64 * MiB },
      { start: 4 * GiB + 70 * MiB, end: 4 * GiB + 134 * MiB },
      { start: 4 * GiB + 140 * MiB, end: 4 * GiB + 204 * MiB },
    ]);
    expect(new Machine({ base: 4 * GiB, holeBetweenNodes: 6 * MiB, nodes: [node, node] }).nodes.map((n) => n.start)).toEqual([4 * GiB, 4 * GiB + 70 * MiB]);
  });
});

describe('allocation: watermark and the THP search hint', () => {
  const node = (capacity: number, watermark = 0) => ({ capacity, kind: 'dram' as const, latencyNs: 100, reserved: 0, watermark });
  const req = (owner: number, vstart: number, bytes: number, thp: boolean, nodes: number[]) => ({ owner, vstart, bytes, anon: true, mapped: true, memcg: 0, thp, nodes, now: 0 });
  const perNode = (m: Machine) => m.nodes.map((n) => n.capacity - m.nodeFree(n.nid));

  it('never allocates below a node\'s watermark: the rest falls back to the next node', () => {
    // Mutant: freeBudget() ignoring the watermark.
    const m = new Machine({ base: 0, holeBetweenNodes: 0, nodes: [node(16 * MiB, 4 * MiB), node(16 * MiB)] });
    expect(m.allocate(req(0, 0, 16 * MiB, false, [0, 1]))).toBe(0);
    expect(perNode(m)).toEqual([12 * MiB, 4 * MiB]);
  });

  it('a 2 MiB block a migration freed below the last THP placed is found again', () => {
    // Mutant: freed() not lowering the 2 MiB search hint (a THP fault after it would take base pages or a higher block).
    const m = new Machine({ base: 0, holeBetweenNodes: 0, nodes: [node(32 * MiB), node(32 * MiB)] });
    m.allocate(req(0, 0, 8 * MiB, true, [0]));
    m.allocate(req(1, 0, 2 * MiB, true, [0])); // at 8 MiB: the hint moves there
    expect(m.migrateRange(0, 2 * MiB, 1).migrated).toBe(2 * MiB);
    m.allocate(req(2, 0, 2 * MiB, true, [0]));
    const e = m.lruExtentAt(0)!;
    expect([e.owner, e.folioSize, e.end]).toEqual([2, 2 * MiB, 2 * MiB]);
  });
});

describe('migration and pageout at exact fits', () => {
  const node = (capacity: number, watermark = 0) => ({ capacity, kind: 'dram' as const, latencyNs: 100, reserved: 0, watermark });
  const anon = (owner: number, vstart: number, bytes: number, thp: boolean, nodes: number[]) => ({ owner, vstart, bytes, anon: true, mapped: true, memcg: 0, thp, nodes, now: 0 });

  it('an anon folio that exactly fills the swap goes out, and nothing past the range is touched', () => {
    // Mutant: evict()'s swapFree() < len taken as <= (the next extent, outside the range, was then activated).
    const m = new Machine({ nodes: [node(16 * MiB)], base: 0, holeBetweenNodes: 0, swap: MiB });
    m.allocate(anon(1, 0, MiB, false, [0]));
    m.allocate(anon(2, 2 ** 32, MiB, false, [0]));
    expect(m.evict(0, MiB)).toBe(MiB);
    const lru = m.mem.toArray().filter((e) => e.kind === ExtKind.Lru);
    expect(lru.map((e) => [e.owner, e.start, e.end, e.active])).toEqual([[2, MiB, 2 * MiB, false]]);
  });

  it('a THP moves only where the target\'s budget (above its watermark) holds all of it; the rest is split', () => {
    // Mutant: moveTop()'s budget not aligned down to the folio size (half a THP moved as a 2 MiB folio).
    const m = new Machine({ nodes: [node(16 * MiB), node(16 * MiB, 3 * MiB)], base: 0, holeBetweenNodes: 0 });
    m.allocate(anon(1, 0, 4 * MiB, true, [0]));
    m.allocate(anon(2, 2 ** 32, 10 * MiB, false, [1])); // node 1: 6 MiB free, 3 MiB of it above the watermark
    const r = m.migrateRange(0, 4 * MiB, 1);
    expect([r.migrated, r.folios]).toEqual([3 * MiB, 1 + 256]);
    expect(m.nodeFree(1)).toBe(3 * MiB);
    const moved = m.mem.toArray().filter((e) => e.kind === ExtKind.Lru && e.owner === 1 && e.node === 1);
    expect(moved.every((e) => e.folioSize === PAGE_SIZE || (e.start % (2 * MiB) === 0 && e.end - e.start === 2 * MiB))).toBe(true);
  });
});
