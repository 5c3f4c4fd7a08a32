// SPDX-License-Identifier: GPL-2.0-only
/**
 * The headline behaviour of the seed setup (damos.md §5.3, §4.4), on the real preset: the
 * tiering-6040 PUSH/PULL pair holding hot memory at 60:40 DRAM:CXL with node_eligible_mem_bp goals,
 * 10 simulated minutes, the preset's own seed.
 *
 *  - TEMPORAL: while under goal the quota is the full size quota, so the PULL goal (scheme 0,
 *    node_eligible_mem_bp nid 0, target 6000) reaches 6000 ± 100 at some evaluation. The seed
 *    also claims a second-half mean within ± 100 bp of 6000; at the preset's seed the mean is
 *    5804.4, 196 bp below (findings.md §1: PULL's goal walk takes time, PUSH's charge window
 *    starts that much later, the two windows drift out of phase and TEMPORAL's pair then spends
 *    windows pulling and pushing at once). The test pins that outcome rather than the claim
 *    (issue #2: a faithful implementation that disagrees reports the numbers).
 *  - CONSIST: it starts from a 1-byte quota that doubles at most once per charge window, so it
 *    reaches 6000 ± 100 too, but later than TEMPORAL ("CONSIST is slower").
 *
 * Numbers come from runScenario's summary (the same code the CLI table prints) and are cross-checked
 * against the raw goal records it was computed from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemeSummary } from '../src/report/summary.js';
import { runScenario, type RunResult } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040, type Tuner } from '../src/scenario/presets.js';

const TARGET = 6000;
const TOLERANCE = 100;

interface Outcome {
  res: RunResult;
  pull: SchemeSummary;
  push: SchemeSummary;
  wallMs: number;
}

function run(tuner: Tuner): Outcome {
  const t0 = Date.now();
  const { scenario } = scenarioFromDoc(tiering6040(tuner));
  expect(scenario.duration).toBe(600e9);
  expect(scenario.seed).toBe(42);
  const res = runScenario(scenario);
  const pull = res.summary.find((s) => s.scheme === 0 && s.goal === 0);
  const push = res.summary.find((s) => s.scheme === 1 && s.goal === 0);
  if (!pull || !push) throw new Error(`no summary for the PUSH/PULL goals: ${JSON.stringify(res.summary)}`);
  return { res, pull, push, wallMs: Date.now() - t0 };
}

/** The PULL goal's records: (t, current_value). */
function pullSeries(o: Outcome): Array<{ t: number; v: number }> {
  return o.res.goals.filter((g) => g.scheme === 0 && g.goal === 0).map((g) => ({ t: g.t, v: Number(g.current_value) }));
}

function describeOutcome(name: string, o: Outcome): string {
  const p = o.pull;
  return `${name}: time to ${TARGET}±${TOLERANCE} = ${p.timeToTargetS} s, second-half mean ${p.meanSecondHalf?.toFixed(1)} (sd ${p.stddevSecondHalf?.toFixed(1)}, min ${p.minSecondHalf}, max ${p.maxSecondHalf}), ${p.evaluations} evaluations, ${o.wallMs} ms wall`;
}

describe('tiering-6040 preset, 10 simulated minutes', () => {
  let temporal: Outcome;
  let consist: Outcome;

  beforeAll(() => {
    temporal = run('temporal');
    consist = run('consist');
  }, 300_000);

  it('runs the goals it is about, once per 1 s charge window', () => {
    for (const o of [temporal, consist]) {
      expect(o.pull).toMatchObject({ metric: 'node_eligible_mem_bp', nid: 0, target: 6000 });
      expect(o.push).toMatchObject({ metric: 'node_eligible_mem_bp', nid: 1, target: 4000 });
      // A window ends at the first apply pass at least 1 s after it began (apply passes every 20
      // samples, ~120 ms at HZ 1000, plus the kdamond's own time), so 10 minutes hold 500-600
      // evaluations.
      expect(o.pull.evaluations).toBeGreaterThan(500);
      expect(o.pull.evaluations).toBeLessThanOrEqual(600);
      expect(o.pull.szApplied).toBeGreaterThan(0);
    }
  });

  it('TEMPORAL: the PULL goal reaches 6000 ± 100; its second-half mean misses the claimed ± 100 bp (5804.4 at seed 42)', () => {
    const p = temporal.pull;
    const msg = describeOutcome('TEMPORAL', temporal);
    expect(p.timeToTargetS, msg).not.toBeNull();
    expect(p.timeToTargetS as number, msg).toBeLessThan(40);
    expect(p.meanSecondHalf, msg).not.toBeNull();
    // Within ± 200 bp, outside ± 100 (findings.md §1 has the seed sweep: 0 of 9 seeds within).
    expect(Math.abs((p.meanSecondHalf as number) - TARGET), msg).toBeLessThanOrEqual(2 * TOLERANCE);
    expect(Math.abs((p.meanSecondHalf as number) - TARGET), msg).toBeGreaterThan(TOLERANCE);

    // Cross-check the summary against the records it summarises.
    const s = pullSeries(temporal);
    const first = s.find((r) => Math.abs(r.v - TARGET) <= TOLERANCE);
    expect(first?.t, msg).toBe(p.timeToTargetS);
    const tail = s.filter((r) => r.t >= 300).map((r) => r.v);
    expect(tail.reduce((a, b) => a + b, 0) / tail.length).toBeCloseTo(p.meanSecondHalf as number, 6);
    // When both windows end in the same apply pass, PUSH's quota adjustment runs after PULL's goal
    // walk, so its record is stamped that walk's time later (under one aggregation interval), and
    // it measures the same eligible set (no action runs in between): the currents sum to 10000
    // (± 1 for truncation).
    const push = temporal.res.goals.filter((g) => g.scheme === 1);
    const pull = temporal.res.goals.filter((g) => g.scheme === 0);
    let samePass = 0;
    for (const a of pull) {
      const b = push.find((g) => g.t >= a.t && g.t - a.t < 0.1);
      if (!b) continue;
      samePass++;
      expect(b.t).toBeGreaterThan(a.t);
      expect(Number(a.current_value + b.current_value)).toBeGreaterThanOrEqual(9999);
      expect(Number(a.current_value + b.current_value)).toBeLessThanOrEqual(10000);
    }
    expect(samePass).toBeGreaterThan(20);
    // Out of phase, the pair spends windows pulling and pushing at once: in the second half some
    // PULL window with a full quota overlaps a PUSH window with one.
    const on = (g: (typeof pull)[number]) => g.esz > 0n;
    const both = pull.filter((a) => a.t >= 300 && on(a) && push.some((b) => on(b) && Math.abs(b.t - a.t) < 0.5));
    expect(both.length, msg).toBeGreaterThan(10);
  });

  it('most of what both tuners migrate is the same memory going back (returned bytes, seed 42)', () => {
    const pair = (o: Outcome, from: number) => {
      const m = o.res.migrations.find((x) => x.from === from && x.to === 1 - from);
      if (!m) throw new Error(`no migration ${from} -> ${1 - from}: ${JSON.stringify(o.res.migrations)}`);
      return [m.bytes, m.returned, m.returnedAwayS === null || m.returnedAwayS === undefined ? m.returnedAwayS : Number(m.returnedAwayS.toFixed(3))];
    };
    // [bytes, returned, mean time away in s] of PULL (1 -> 0), then PUSH (0 -> 1).
    expect([pair(temporal, 1), pair(temporal, 0)]).toEqual([
      [63462187008, 57019830272, 24.702],
      [59726888960, 59726888960, 36.427],
    ]);
    expect([pair(consist, 1), pair(consist, 0)]).toEqual([
      [14377402368, 7939919872, 122.03],
      [11466035200, 11466035200, 151.076],
    ]);
    for (const o of [temporal, consist]) {
      // The workload is placed on CXL (nodes [1, 0]), so all that is on DRAM was pulled there: every
      // push takes memory back where it came from. What PULL moves for the first time is memory
      // never on DRAM before: about the hot set (6 GiB), all else it moves is coming back.
      const [pulled, pulledBack] = pair(o, 1) as number[];
      expect(pulled - pulledBack).toBeGreaterThanOrEqual(6 * 2 ** 30 - 64 * 2 ** 20);
      expect(pulled - pulledBack).toBeLessThanOrEqual(24 * 2 ** 30);
    }
  });

  it('CONSIST reaches 6000 ± 100 too, later than TEMPORAL', () => {
    const msg = `${describeOutcome('TEMPORAL', temporal)}\n${describeOutcome('CONSIST', consist)}`;
    expect(consist.pull.timeToTargetS, msg).not.toBeNull();
    expect(temporal.pull.timeToTargetS, msg).not.toBeNull();
    expect(consist.pull.timeToTargetS as number, msg).toBeGreaterThan(temporal.pull.timeToTargetS as number);
    // CONSIST's quota starts at 1 byte and needs ~12 windows at score 0 to reach one 4 KiB region
    // (damos.md §4.4): nothing is applied during the first 10 s.
    const early = consist.res.goals.filter((g) => g.scheme === 0 && g.t < 10);
    expect(early.length).toBeGreaterThan(5);
    for (const g of early) expect(g.sz_applied).toBe(0);
    const s = pullSeries(consist);
    expect(s.find((r) => Math.abs(r.v - TARGET) <= TOLERANCE)?.t).toBe(consist.pull.timeToTargetS);
  });
});
