// SPDX-License-Identifier: GPL-2.0-only
/**
 * kdamond_fn's iteration around watermark pauses and damon_call (damon-monitoring.md §2.2):
 * step 1's snapshot is taken before kdamond_wait_activation(), which loops inside the iteration;
 * calls run during a pause see (and change) the current region counters; which schemes are due is
 * decided after step 8's calls (damos.md trap 16: a commit re-activates watermarks).
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/run/simulation.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import type { Damos } from '../src/damos/scheme.js';

/** examples/damon-reclaim.yaml (paddr, 5 ms / 100 ms, one pageout scheme with free_mem_rate watermarks). */
function reclaim() {
  const { scenario } = loadScenarioFile(new URL('../examples/damon-reclaim.yaml', import.meta.url).pathname);
  const sim = new Simulation(scenario);
  sim.start();
  const kd = sim.kdamonds[0].kdamond;
  return { kd, ctx: kd.ctx };
}

/** Keep the scheme's watermarks deactivating it at every check (free memory "above" high). */
function forceOff(s: Damos): void {
  s.wmarks.metric = 'free_mem_rate';
  s.wmarks.high = -1;
}

describe('kdamond iteration across a watermark pause', () => {
  it('uses the snapshot taken before the pause: a commit during it takes effect one iteration later', () => {
    const { kd, ctx } = reclaim();
    while (ctx.passedSampleIntervals < 39) kd.step();
    expect(ctx.nextAggregationSis).toBe(40);
    forceOff(ctx.schemes[0]);
    kd.calls.push((c) => {
      expect(c.setAttrs({ ...c.attrs, sampleInterval: 10_000, aggrInterval: 200_000, aggrSamples: 0 })).toBeNull();
      c.schemes[0].wmarks.metric = 'none';
    });
    kd.step(); // the pause: the call runs, monitoring resumes at the next check
    expect(ctx.passedSampleIntervals).toBe(39);
    kd.step();
    // Snapshot (nxt_aggr 40) from before the pause: aggregate at 40, and the next boundary is
    // nxt_aggr + 200 ms / 10 ms = 60 (a fresh snapshot would give no aggregation and 59).
    expect(ctx.passedSampleIntervals).toBe(40);
    expect(ctx.nextAggregationSis).toBe(60);
  });

  it('a call during the pause sees the sampled counters, and what it resets stays reset', () => {
    const { kd, ctx } = reclaim();
    while (ctx.passedSampleIntervals < 30) kd.step();
    forceOff(ctx.schemes[0]);
    let seenMax = -1;
    kd.calls.push((c) => {
      seenMax = Math.max(...c.targets[0].regions.map((r) => r.nrAccesses));
      // damon_set_attrs() mid-aggregation resets nr_accesses (§2.3: "aggregating").
      expect(c.setAttrs({ ...c.attrs, sampleInterval: 10_000, aggrInterval: 200_000, aggrSamples: 0 })).toBeNull();
      c.schemes[0].wmarks.metric = 'none';
    });
    kd.step();
    // Ten samples into the aggregation, something was seen accessed (the workload is busy).
    expect(seenMax).toBeGreaterThan(0);
    kd.step();
    kd.syncRegions();
    // One sample after the reset: at most 1 access per region.
    expect(Math.max(...ctx.targets[0].regions.map((r) => r.nrAccesses))).toBe(1);
  });

  // kdamond_wait_activation() declares min_wait_time and init_wait_time before its loop
  // (core.c): later rounds of one wait can lower the minimum, never reset it.
  it('keeps the wait of its first round: removing every scheme during the wait does not resume monitoring', () => {
    const { kd, ctx } = reclaim();
    while (ctx.passedSampleIntervals < 30) kd.step();
    forceOff(ctx.schemes[0]);
    const interval = ctx.schemes[0].wmarks.interval;
    expect(interval).toBeGreaterThan(0);
    kd.step(); // round 1: min_wait_time = the scheme's interval
    kd.calls.push((c) => {
      c.schemes = [];
    });
    const t0 = ctx.clock.now;
    for (let i = 0; i < 5; i++) kd.step();
    // No schemes left to lower it: the kdamond sleeps the old minimum round after round. A 5 s
    // wait is 5000 jiffies at HZ 1000, timer-wheel level 3 (granularity 512 jiffies); round 1 woke
    // on a multiple of 512, so each round ends 5000 rounded up to 10·512 jiffies later (usleep.ts).
    expect(interval).toBe(5_000_000);
    expect(ctx.passedSampleIntervals).toBe(30);
    expect(ctx.clock.now - t0).toBe(5 * 5_120_000_000);
  });

  it('keeps the shorter wait when a call swaps in a scheme with a longer watermark interval, and a new iteration starts afresh', () => {
    const { kd, ctx } = reclaim();
    while (ctx.passedSampleIntervals < 30) kd.step();
    const s = ctx.schemes[0];
    forceOff(s);
    const interval = s.wmarks.interval;
    kd.step();
    kd.calls.push(() => {
      s.wmarks.interval = 3 * interval;
    });
    const t0 = ctx.clock.now;
    kd.step(); // the call runs in this round, after its sleep
    kd.step();
    kd.step();
    // One 5 s round (5120 ms from a multiple of 512 jiffies, as above); the call's 15 s is not
    // taken (it would be 15000 jiffies rounded up to 30·512).
    expect(ctx.clock.now - t0).toBe(3 * 5_120_000_000);
    // An activated scheme ends the wait; the next wait starts from its own first round.
    s.wmarks.metric = 'none';
    kd.step(); // wait 0: this iteration samples
    expect(ctx.passedSampleIntervals).toBe(31);
    forceOff(s);
    const t1 = ctx.clock.now;
    kd.step();
    // 15000 jiffies from t1 (level 3): the wait ends at the first multiple of 512 jiffies past
    // jiffies(t1) + 15000 (INITIAL_JIFFIES ≡ 32 mod 512), on that tick's boundary.
    const j1 = 32 + Math.floor(t1 / 1e6);
    expect(ctx.clock.now).toBe((Math.floor(t1 / 1e6) + (Math.floor((j1 + 15000) / 512) + 1) * 512 - j1) * 1e6);
    expect(ctx.clock.now - t1).toBeGreaterThan(15e9);
  });
});

describe('which schemes are due is decided after damon_call', () => {
  it('a scheme re-activated by a call is applied in the same iteration', () => {
    const { kd, ctx } = reclaim();
    const s0 = ctx.schemes[0];
    forceOff(s0);
    // A second scheme keeps monitoring on (metric none) and is never due.
    const s1: Damos = Object.assign(Object.create(Object.getPrototypeOf(s0) as object) as Damos, s0, {
      wmarks: { ...s0.wmarks, metric: 'none', activated: true },
    });
    s1.nextApplySis = Number.MAX_SAFE_INTEGER;
    ctx.schemes.push(s1);
    while (ctx.passedSampleIntervals < 19) kd.step();
    expect(s0.nextApplySis).toBe(20);
    expect(s0.wmarks.activated).toBe(false);
    // An online commit copies the watermarks struct whole: activated is true again (trap 16).
    kd.calls.push((c) => {
      c.schemes[0].wmarks = { ...c.schemes[0].wmarks, activated: true };
    });
    kd.step();
    expect(ctx.passedSampleIntervals).toBe(20);
    // Applied: damos_set_next_apply_sis() moved it one apply interval on (not applied: still 20).
    expect(s0.nextApplySis).toBe(40);
  });
});

describe('a paused context (sysfs pause)', () => {
  it('samples and applies nothing, keeps its results, and resumes when a commit unpauses it', () => {
    const { kd, ctx } = reclaim();
    while (ctx.passedSampleIntervals < 40) kd.step();
    kd.syncRegions();
    const s = ctx.schemes[0];
    const before = { passed: ctx.passedSampleIntervals, tried: s.stat.nrTried, nr: ctx.targets[0].regions.map((r) => [r.start, r.end, r.nrAccesses, r.age]) };
    ctx.pause = true;
    const t0 = ctx.clock.now;
    for (let i = 0; i < 100; i++) kd.step();
    // One sampling interval per iteration, nothing else: kdamond_usleep(5 ms) at HZ 1000 ends at
    // the sixth tick boundary after it began (usleep.ts), so 100 rounds end 600 ticks after the
    // tick t0 fell in.
    expect(ctx.attrs.sampleInterval).toBe(5000);
    expect(ctx.clock.now).toBe((Math.floor(t0 / 1e6) + 600) * 1e6);
    expect(ctx.passedSampleIntervals).toBe(before.passed);
    expect(s.stat.nrTried).toBe(before.tried);
    expect(ctx.targets[0].regions.map((r) => [r.start, r.end, r.nrAccesses, r.age])).toEqual(before.nr);
    // damon_call is still served: an online commit of pause = N resumes monitoring.
    kd.calls.push((c) => {
      c.pause = false;
    });
    kd.step();
    kd.step();
    expect(ctx.passedSampleIntervals).toBe(before.passed + 1);
  });
});
