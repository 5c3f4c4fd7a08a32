// SPDX-License-Identifier: GPL-2.0-only
/**
 * Quota-goal metrics through refreshGoal() (damos_set_quota_goal_current_value; damos.md §5.1) on a
 * small machine whose layout is known page for page, and the free_mem_rate watermarks
 * (damos.md §3.6, trap 16; damon-monitoring.md §2.2 step 2).
 *
 * The machine: node 0 (DRAM, 64 MiB = 16384 pages at 4 GiB) with 4 MiB of reserved non-LRU memory
 * at its start, node 1 (CXL, 64 MiB) right after it. Two processes in two memcgs, first touch in
 * order:
 *   a (/a): 7 MiB + 4 KiB anon on node 0           1793 pages at [G + 4M, G + 11M + 4K)
 *   b (/b): 3 MiB anon on node 0                     768 pages at [G + 11M + 4K, G + 14M + 4K)
 *           10 MiB page cache on node 1             2560 pages at [N1, N1 + 10M)
 * Node 0 uses 1024 (reserved) + 1793 + 768 = 3585 pages, node 1 2560. Every expected bp value is
 * mult_frac(x, 10000, y) worked out by hand: floor(x · 10000 / y) for these sizes.
 */
import { describe, expect, it } from 'vitest';
import { defaultAttrs } from '../src/damon/attrs.js';
import { DamonCtx } from '../src/damon/ctx.js';
import { Kdamond } from '../src/damon/kdamond.js';
import { DamonRegion, DamonTarget } from '../src/damon/region.js';
import { SplitState } from '../src/damon/split.js';
import { refreshGoal } from '../src/damos/goals.js';
import { Damos, DamosQuota, type DamosAccessPattern, type DamosAction, type DamosQuotaGoal, type DamosWatermarks, type QuotaGoalMetric } from '../src/damos/scheme.js';
import { Prng } from '../src/lib/prng.js';
import { MachineMm } from '../src/machine/kernel-mm.js';
import { MATCH_ALL } from './helpers/ctx.js';
import { dramCxlMachine } from './helpers/machine.js';
import type { DamonOperations } from '../src/ops/operations.js';
import { DEFAULT_PROFILE } from '../src/profiles.js';
import { runScenario } from '../src/run/run.js';
import { Simulation } from '../src/run/simulation.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import type { ScenarioDoc } from '../src/scenario/schema.js';
import { ANY_PATTERN, paddrDamon } from './helpers/doc.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const G = 4 * GiB;
const N1 = G + 64 * MiB;

const NO_WMARKS: DamosWatermarks = { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true };

function scheme(action: DamosAction = 'stat', pattern: Partial<DamosAccessPattern> = {}, wmarks: DamosWatermarks = NO_WMARKS): Damos {
  const q = new DamosQuota();
  q.resetInterval = 1000;
  return new Damos({ ...MATCH_ALL, ...pattern }, action, 0, q, wmarks, 0);
}

function goal(metric: QuotaGoalMetric, extra: Partial<DamosQuotaGoal> = {}): DamosQuotaGoal {
  return { metric, targetValue: 10000n, currentValue: 0n, nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0, ...extra };
}

const layoutDoc: ScenarioDoc = {
  name: 'metrics-layout',
  seed: 1,
  duration: '1 s',
  machine: {
    base: '4 GiB',
    nodes: [
      { capacity: '64 MiB', kind: 'dram', reserved: '4 MiB' },
      { capacity: '64 MiB', kind: 'cxl' },
    ],
  },
  workload: {
    type: 'processes',
    processes: [
      { name: 'a', memcg: '/a', areas: [{ name: 'heap', bytes: 7 * MiB + 4 * KiB, kind: 'anon', nodes: [0], access_rate: 1e5 }] },
      {
        name: 'b',
        memcg: '/b',
        areas: [
          { name: 'heap', bytes: '3 MiB', kind: 'anon', nodes: [0], access_rate: 1e5 },
          { name: 'cache', bytes: '10 MiB', kind: 'file', nodes: [1], access_rate: 1e4 },
        ],
      },
    ],
  },
  damon: paddrDamon([]),
};

function layout(): { sim: Simulation; ctx: DamonCtx } {
  const sim = new Simulation(scenarioFromDoc(layoutDoc).scenario);
  const ctx = sim.kdamonds[0].kdamond.ctx;
  return { sim, ctx };
}

/** refreshGoal() on a fresh goal; returns current_value as a number. */
function read(ctx: DamonCtx, metric: QuotaGoalMetric, extra: Partial<DamosQuotaGoal> = {}, s: Damos = scheme()): number {
  const g = goal(metric, extra);
  const cost = refreshGoal(ctx, s, g);
  expect(cost).toBeGreaterThanOrEqual(0);
  return Number(g.currentValue);
}

describe('the layout the metrics read', () => {
  it('is what the header says, extent by extent', () => {
    const { sim } = layout();
    const m = sim.machine;
    expect(m.nodes.map((n) => [n.start, n.end])).toEqual([
      [G, G + 64 * MiB],
      [N1, N1 + 64 * MiB],
    ]);
    expect(m.lruExtentAt(G + 4 * MiB - 4 * KiB)).toBeNull(); // reserved, non-LRU
    const ids = { a: sim.mm.memcgId('/a'), b: sim.mm.memcgId('/b') };
    expect(ids).toEqual({ a: 1, b: 2 });
    expect(m.lruExtentAt(G + 4 * MiB)).toMatchObject({ owner: 0, memcg: 1, anon: true, active: false });
    expect(m.lruExtentAt(G + 11 * MiB)).toMatchObject({ owner: 0, memcg: 1 });
    expect(m.lruExtentAt(G + 11 * MiB + 4 * KiB)).toMatchObject({ owner: 1, memcg: 2, anon: true });
    expect(m.lruExtentAt(G + 14 * MiB)).toMatchObject({ owner: 1, memcg: 2 });
    expect(m.lruExtentAt(G + 14 * MiB + 4 * KiB)).toBeNull(); // free
    expect(m.lruExtentAt(N1)).toMatchObject({ owner: 1, memcg: 2, anon: false });
    expect(m.lruExtentAt(N1 + 10 * MiB)).toBeNull();
    expect([m.nodeFree(0), m.nodeFree(1)]).toEqual([(16384 - 3585) * 4096, (16384 - 2560) * 4096]);
  });
});

describe('goal metrics through refreshGoal (damos.md §5.1)', () => {
  it('user_input keeps the committed current_value', () => {
    const { ctx } = layout();
    const g = goal('user_input', { currentValue: 1234n, targetValue: 5000n });
    expect(refreshGoal(ctx, scheme(), g)).toBe(0);
    expect(g.currentValue).toBe(1234n);
    expect(g.targetValue).toBe(5000n);
  });

  it('some_mem_psi_us is the PSI total since the previous refresh', () => {
    const { sim, ctx } = layout();
    const g = goal('some_mem_psi_us', { targetValue: 1000n });
    // [PSI total in µs at the refresh, current_value, last_psi_total]. The last two readings: each
    // reading is truncated to whole µs before the difference (damos_get_some_mem_psi_total
    // divides the ns total): 4010.6 → 4010, 4011.4 → 4011; the fractions do not cancel out.
    const steps: Array<[number, bigint, number]> = [
      [1500, 1500n, 1500],
      [4000, 2500n, 4000],
      [4000, 0n, 4000], // no stall since
      [4010.6, 10n, 4010],
      [4011.4, 1n, 4011],
    ];
    // Each reading one PSI_FREQ (2 * HZ + 1 jiffies = 2.001 s at HZ 1000) after the last, so that
    // the averaging work has folded the total in between.
    steps.forEach(([total, current, last], i) => {
      sim.mm.psiSomeUs = total;
      ctx.clock.now = (i + 1) * 2.001e9;
      refreshGoal(ctx, scheme(), g);
      expect([g.currentValue, g.lastPsiTotal]).toEqual([current, last]);
    });
  });

  it('some_mem_psi_us reads the total as psi_avgs_work last folded it (every 2.001 s at HZ 1000), stalls capped at the wall time', () => {
    const { sim, ctx } = layout();
    const g = goal('some_mem_psi_us', { targetValue: 1000n });
    const readAt = (ns: number) => {
      ctx.clock.now = ns;
      refreshGoal(ctx, scheme(), g);
      return g.currentValue;
    };
    // 0.5 s of stalls in a 0.1 s tick counts 0.1 s: "some" is time with at least one task stalled.
    sim.mm.addPsiSomeStall(0.1e9, 500_000, 100_000);
    sim.mm.addPsiSomeStall(1.9e9, 20_000, 100_000);
    expect(readAt(1.95e9)).toBe(0n); // not folded yet
    expect(readAt(2.0e9)).toBe(0n);
    expect(readAt(2.001e9)).toBe(120_000n); // the first fold
    sim.mm.addPsiSomeStall(2.1e9, 30_000, 100_000);
    expect(readAt(3e9)).toBe(0n); // after the fold: seen at the next one
    expect(readAt(4.002e9)).toBe(30_000n);
  });

  it('node_mem_used_bp / node_mem_free_bp: exact mult_frac values; invalid nid ⇒ 0 / 10000', () => {
    const { ctx } = layout();
    // node 0: used 3585 pages: 35850000 / 16384 = 2188.1 ⇒ 2188; free 12799: 7811.9 ⇒ 7811.
    expect(read(ctx, 'node_mem_used_bp', { nid: 0 })).toBe(2188);
    expect(read(ctx, 'node_mem_free_bp', { nid: 0 })).toBe(7811);
    // node 1: used 2560 pages: 1562.5 ⇒ 1562; free 13824: 8437.5 ⇒ 8437.
    expect(read(ctx, 'node_mem_used_bp', { nid: 1 })).toBe(1562);
    expect(read(ctx, 'node_mem_free_bp', { nid: 1 })).toBe(8437);
    // Invalid: negative, no such node (offline), >= MAX_NUMNODES.
    for (const nid of [-1, 2, 1023, 1024, 5000]) {
      expect(read(ctx, 'node_mem_used_bp', { nid }), `nid ${nid}`).toBe(0);
      expect(read(ctx, 'node_mem_free_bp', { nid }), `nid ${nid}`).toBe(10000);
    }
  });

  it('node_memcg_used_bp / node_memcg_free_bp: per memcg and node; unknown memcg ⇒ 0 / 10000', () => {
    const { sim, ctx } = layout();
    const a = sim.mm.memcgId('/a');
    const b = sim.mm.memcgId('/b');
    const used = (memcgId: number | undefined, nid: number) => read(ctx, 'node_memcg_used_bp', { nid, memcgId, memcgPath: 'x' });
    const free = (memcgId: number | undefined, nid: number) => read(ctx, 'node_memcg_free_bp', { nid, memcgId, memcgPath: 'x' });
    // /a on node 0: 1793 pages ⇒ 17930000 / 16384 = 1094.4 ⇒ 1094; free 14591 ⇒ 8905.6 ⇒ 8905.
    expect([used(a, 0), free(a, 0)]).toEqual([1094, 8905]);
    // /a on node 1: nothing there.
    expect([used(a, 1), free(a, 1)]).toEqual([0, 10000]);
    // /b on node 0: 768 pages ⇒ 468.75 ⇒ 468; free 15616 ⇒ 9531.25 ⇒ 9531.
    expect([used(b, 0), free(b, 0)]).toEqual([468, 9531]);
    // /b on node 1: 2560 pages of page cache ⇒ 1562 / 8437.
    expect([used(b, 1), free(b, 1)]).toEqual([1562, 8437]);
    // Unknown memcg (the path resolved to nothing), and invalid nodes.
    expect(sim.mm.memcgId('/nope')).toBeUndefined();
    // A path written with echo keeps its newline; the kernel compares with sysfs_streq().
    expect([sim.mm.memcgId('/a\n'), sim.mm.memcgId('/a\n\n'), sim.mm.memcgId('/a ')]).toEqual([a, undefined, undefined]);
    expect([used(undefined, 0), free(undefined, 0)]).toEqual([0, 10000]);
    expect([used(a, 2), free(a, 2), used(a, -1), free(a, -1)]).toEqual([0, 10000, 0, 10000]);
    // The root memcg's counters are hierarchical (lruvec_page_state): node 0 holds /a's 1793 and
    // /b's 768 pages ⇒ 2561 × 10000 / 16384 = 1563.1 ⇒ 1563; node 1 holds /b's 2560 ⇒ 1562.
    const root = sim.mm.memcgId('/');
    expect([used(root, 0), used(root, 1)]).toEqual([1563, 1562]);
  });

  it('active_mem_bp / inactive_mem_bp follow Machine.setActive and an lru_prio action', () => {
    const { sim, ctx } = layout();
    // 5121 LRU pages (1793 + 768 + 2560), all inactive after first touch.
    expect([read(ctx, 'active_mem_bp'), read(ctx, 'inactive_mem_bp')]).toEqual([0, 10000]);
    // Activate a's 1793 pages: 17930000 / 5121 = 3501.3 ⇒ 3501; inactive 3328 ⇒ 6498.7 ⇒ 6498.
    expect(sim.machine.setActive(G + 4 * MiB, G + 11 * MiB + 4 * KiB, true)).toBe(1793 * 4096);
    expect([read(ctx, 'active_mem_bp'), read(ctx, 'inactive_mem_bp')]).toEqual([3501, 6498]);
    // lru_prio through the paddr ops on b's node-0 heap: 768 pages more ⇒ active 2561 ⇒ 5000.98
    // ⇒ 5000; inactive 2560 ⇒ 4999.02 ⇒ 4999.
    const t = new DamonTarget();
    const r = new DamonRegion(G + 11 * MiB + 4 * KiB, G + 14 * MiB + 4 * KiB);
    t.regions = [r];
    const res = ctx.ops.applyScheme(ctx, t, r, scheme('lru_prio'));
    expect(res.applied).toBe(3 * MiB);
    expect([read(ctx, 'active_mem_bp'), read(ctx, 'inactive_mem_bp')]).toEqual([5000, 4999]);
    // lru_deprio over everything: back to 0 / 10000.
    const all = new DamonRegion(G, N1 + 64 * MiB);
    t.regions = [all];
    expect(ctx.ops.applyScheme(ctx, t, all, scheme('lru_deprio')).applied).toBe(5121 * 4096);
    expect([read(ctx, 'active_mem_bp'), read(ctx, 'inactive_mem_bp')]).toEqual([0, 10000]);
  });

  it('node_eligible_mem_bp: empty eligible set ⇒ 0, invalid nid ⇒ 0', () => {
    const { ctx } = layout();
    const t = new DamonTarget();
    t.regions = [new DamonRegion(G, G + 64 * MiB), new DamonRegion(N1, N1 + 64 * MiB)];
    ctx.targets = [t];
    // Everything matches: node 0 holds 2561 of the 5121 LRU pages ⇒ mult_frac(2561, 10000, 5121)
    // = 5000 (5000.98); node 1 2560 ⇒ 4999 (4999.02).
    expect(read(ctx, 'node_eligible_mem_bp', { nid: 0 })).toBe(5000);
    expect(read(ctx, 'node_eligible_mem_bp', { nid: 1 })).toBe(4999);
    // No region matches (all have nr_accesses 0): nothing eligible ⇒ 0.
    const hot = scheme('migrate_hot', { minNrAccesses: 1 });
    expect(read(ctx, 'node_eligible_mem_bp', { nid: 0 }, hot)).toBe(0);
    expect(read(ctx, 'node_eligible_mem_bp', { nid: 1 }, hot)).toBe(0);
    // Regions that match but hold no LRU folio (free memory past b's heap): total 0 ⇒ 0.
    t.regions = [new DamonRegion(G + 16 * MiB, G + 64 * MiB)];
    expect(read(ctx, 'node_eligible_mem_bp', { nid: 0 })).toBe(0);
    // Invalid nid, with a non-empty eligible set.
    t.regions = [new DamonRegion(G, G + 64 * MiB)];
    expect(read(ctx, 'node_eligible_mem_bp', { nid: 0 })).toBe(10000);
    for (const nid of [-1, 2, 1024]) expect(read(ctx, 'node_eligible_mem_bp', { nid }), `nid ${nid}`).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Watermarks

/** Samples nothing, applies nothing: only the loop's bookkeeping runs. */
const quietOps: DamonOperations = {
  id: 'paddr',
  prepareAccessChecks: () => undefined,
  checkAccesses: () => 0,
  applyScheme: (_c, _t, r) => ({ applied: r.end - r.start, szOpsFilterPassed: 0, costNs: 0 }),
};

/**
 * A 2 × 64 MiB machine (32768 pages) whose free memory the test sets with page-cache allocations
 * (allocate) and drops (evict), and a kdamond on it with the given schemes.
 */
function wmarkRig(schemes: Damos[]) {
  const machine = dramCxlMachine({ dram: 64 * MiB, cxl: 64 * MiB, base: G });
  const mm = new MachineMm(machine, [{ id: 0, path: '/' }]);
  const ctx = new DamonCtx({ ops: quietOps, mm, profile: DEFAULT_PROFILE, rng: new Prng(3, 'wmarks'), splitState: new SplitState(), clock: { now: 0, hz: 1000 } }, defaultAttrs());
  const t = new DamonTarget();
  t.regions = [new DamonRegion(G, G + 128 * MiB)];
  ctx.targets = [t];
  ctx.schemes = schemes;
  const kd = new Kdamond(ctx);
  kd.start();
  let owner = 0;
  let vnext = 0;
  /** Take `bytes` of free memory (page cache, lowest address first). */
  const take = (bytes: number) => {
    expect(machine.allocate({ owner: ++owner, vstart: vnext, bytes, anon: false, mapped: false, memcg: 0, thp: false, nodes: [0, 1], now: 0 })).toBe(0);
    vnext += bytes;
  };
  /** Give [start, end) back (page cache is dropped). */
  const give = (start: number, end: number) => machine.evict(start, end);
  return { machine, mm, ctx, kd, take, give };
}

function freeRateScheme(action: DamosAction = 'stat'): Damos {
  // DAMON_RECLAIM's watermarks (damos.md §9.3): high 500, mid 400, low 200 permil, 5 s interval.
  return scheme(action, {}, { metric: 'free_mem_rate', interval: 5_000_000, high: 500, mid: 400, low: 200, activated: true });
}

describe('watermarks (damos.md §3.6)', () => {
  it('free_mem_rate hysteresis: above high off; mid..high stays off; low..mid on; mid..high stays on; below low off', () => {
    const s = freeRateScheme();
    const rig = wmarkRig([s]);
    const { ctx, kd, mm, take, give } = rig;
    const log: Array<{ permil: number; activated: boolean; passed: number; now: number }> = [];
    const step = () => {
      kd.step();
      log.push({ permil: mm.freeMemRatePermil(), activated: s.wmarks.activated, passed: ctx.passedSampleIntervals, now: ctx.clock.now });
    };
    // 1. Nothing allocated: free 1000 ‰ > high 500 ⇒ off; the kdamond sleeps the 5 s interval.
    step();
    // 2. Take 72 MiB: free 56 MiB = 14336 pages ⇒ 437 ‰, between mid and high while off ⇒ off.
    take(72 * MiB);
    step();
    // 3. Take 16 MiB more: free 40 MiB = 10240 pages ⇒ 312 ‰, between low and mid ⇒ on; one sample.
    take(16 * MiB);
    step();
    // 4. Give the 16 MiB back: 437 ‰ again, now while on ⇒ stays on.
    give(G + 72 * MiB, G + 88 * MiB);
    step();
    // 5. Take 40 MiB: free 16 MiB = 4096 pages ⇒ 125 ‰ < low 200 ⇒ off.
    take(40 * MiB);
    step();
    // 6. Back between low and mid (give 24 MiB: free 40 MiB ⇒ 312 ‰) ⇒ on again.
    give(G + 88 * MiB, G + 112 * MiB);
    step();
    // The sleeps are timer-wheel timeouts at HZ 1000 (damon/usleep.ts; the ops take no time):
    // - 5 s = 5000 jiffies, level 3 (granularity 512), on absolute jiffies: INITIAL_JIFFIES ≡ 32
    //   (mod 512), so from t = 0 the wait ends 5088 jiffies on (32 + 5000 rounded up to 10·512);
    //   from there, a multiple of 512, the next one 5120 jiffies on;
    // - a 5 ms sample (level 0) ends at the sixth tick boundary: 6 ms;
    // - the wait of step 5 begins at 10220 ms, ≡ 12 (mod 512): 12 + 5000 rounds up to 10·512, 5108.
    const ms = 1e6;
    expect(log).toEqual([
      { permil: 1000, activated: false, passed: 0, now: 5088 * ms },
      { permil: 437, activated: false, passed: 0, now: 10208 * ms },
      { permil: 312, activated: true, passed: 1, now: 10214 * ms },
      { permil: 437, activated: true, passed: 2, now: 10220 * ms },
      { permil: 125, activated: false, passed: 2, now: 15328 * ms },
      { permil: 312, activated: true, passed: 3, now: 15334 * ms },
    ]);
  });

  it('the watermark bounds themselves: m == high and m == mid keep the state, m == low is on', () => {
    // free_mem_rate = floor(free pages · 1000 / 32768). Free page counts for the boundaries:
    // 16384 ⇒ 500 (high), 16417 ⇒ 501, 13108 ⇒ 400 (mid), 13075 ⇒ 399, 6554 ⇒ 200 (low),
    // 6553 ⇒ 199.
    const s = freeRateScheme();
    const { kd, mm, machine, take, give } = wmarkRig([s]);
    let allocated = 0; // [G, G + allocated) is taken, lowest addresses first
    const setFree = (pages: number) => {
      const want = 128 * MiB - pages * 4096;
      if (want > allocated) take(want - allocated);
      else if (want < allocated) give(G + want, G + allocated);
      allocated = want;
      expect(machine.nodeFree(0) + machine.nodeFree(1)).toBe(pages * 4096);
    };
    const seq: Array<[number, boolean]> = [];
    for (const pages of [16384, 16417, 16384, 13108, 13075, 16384, 6554, 6553, 13108]) {
      setFree(pages);
      kd.step();
      seq.push([mm.freeMemRatePermil(), s.wmarks.activated]);
    }
    expect(seq).toEqual([
      [500, true], // = high while on (the initial state): stays on
      [501, false], // > high: off
      [500, false], // = high while off: stays off
      [400, false], // = mid while off: stays off
      [399, true], // between low and mid: on
      [500, true], // = high while on: stays on
      [200, true], // = low: still on (only m < low turns it off)
      [199, false], // < low: off
      [400, false], // = mid while off: stays off
    ]);
  });

  it('monitoring pauses while all schemes are off: no samples, no aggregation, no charge window', () => {
    const s = freeRateScheme();
    const { ctx, kd } = wmarkRig([s]); // free 1000 ‰: off
    const aggr = ctx.nextAggregationSis;
    for (let i = 0; i < 100; i++) kd.step();
    expect(s.wmarks.activated).toBe(false);
    expect(ctx.passedSampleIntervals).toBe(0);
    expect(ctx.nextAggregationSis).toBe(aggr);
    // 100 sleeps of the 5 s interval, in timer-wheel time: 5088 ms, then 99 × 5120 ms (see above).
    expect(ctx.clock.now).toBe(5088e6 + 99 * 5120e6);
    expect(ctx.targets[0].regions.length).toBe(10); // as damon_apply_min_nr_regions left it at start
    expect(s.quota.chargedFrom).toBe(0);
    expect(s.stat.nrTried).toBe(0);
  });

  it('one scheme without watermarks keeps monitoring going; the deactivated one is not applied', () => {
    const off = freeRateScheme();
    const always = scheme('stat');
    const { ctx, kd } = wmarkRig([off, always]);
    for (let i = 0; i < 20; i++) kd.step(); // to the first aggregation boundary (100 ms / 5 ms)
    expect(ctx.passedSampleIntervals).toBe(20);
    expect(off.wmarks.activated).toBe(false);
    expect(always.wmarks.activated).toBe(true);
    expect(off.stat.nrTried).toBe(0);
    expect(always.stat.nrTried).toBe(10);
  });

  it('a scenario whose free memory stays above high never samples; one between low and mid does', () => {
    const doc = (rss: string): ScenarioDoc => ({
      name: 'wmarks',
      seed: 1,
      duration: '3 s',
      machine: { base: '4 GiB', nodes: [{ capacity: '64 MiB', kind: 'dram' }, { capacity: '64 MiB', kind: 'cxl' }] },
      workload: { type: 'hotset', rss, hot_set: '4 MiB', access_rate: 1e6 },
      damon: paddrDamon([
        {
          action: 'stat',
          access_pattern: { ...ANY_PATTERN, nr_accesses: { min: '0 samples', max: 'max' } },
          watermarks: { metric: 'free_mem_rate', interval_us: '1 s', high_permil: 500, mid_permil: 400, low_permil: 200 },
        },
      ]),
    });
    // 16 MiB resident of 128: free 875 ‰ > high.
    const idle = runScenario(scenarioFromDoc(doc('16 MiB')).scenario);
    expect(idle.simulation.kdamonds[0].kdamond.ctx.passedSampleIntervals).toBe(0);
    expect(idle.aggrs).toEqual([]);
    expect(idle.stats[0].nrTried).toBe(0);
    // 88 MiB resident: free 40 MiB = 312 ‰, between low and mid: monitoring runs the whole 3 s
    // (a 5 ms sample lasts 6 ms at HZ 1000: 500 samples, 25 aggregations) and the scheme is
    // tried at every aggregation.
    const busy = runScenario(scenarioFromDoc(doc('88 MiB')).scenario);
    expect(busy.simulation.kdamonds[0].kdamond.ctx.passedSampleIntervals).toBeGreaterThan(450);
    expect(busy.aggrs.length).toBeGreaterThanOrEqual(22);
    expect(busy.stats[0].nrTried).toBeGreaterThan(0);
  });
});
