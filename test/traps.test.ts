// SPDX-License-Identifier: GPL-2.0-only
/**
 * Traps of damon-monitoring.md §11 and damos.md §10 that no kernel vector covers, each with the
 * numbers derived by hand from the spec's rules.
 */
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx, schemeLoggingOps } from './helpers/ctx.js';
import { accessRateWindow, updateRegionAccessRate } from '../src/damon/access.js';
import { defaultAttrs } from '../src/damon/attrs.js';
import type { DamonCtx } from '../src/damon/ctx.js';
import { Kdamond } from '../src/damon/kdamond.js';
import { kdamondMergeRegions } from '../src/damon/merge.js';
import { SplitState, applyMinNrRegions, kdamondSplitRegions } from '../src/damon/split.js';
import { DamonRegion, DamonTarget, SimulationLimitError, mergeInto, regionLimits } from '../src/damon/region.js';
import { kdamondApplySchemes } from '../src/damos/apply.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject, type DamosAction, type DamosFilter } from '../src/damos/scheme.js';
import { Prng, damonRandSpan } from '../src/lib/prng.js';
import { MachineMm } from '../src/machine/kernel-mm.js';
import { Machine } from '../src/machine/machine.js';
import { YoungModel } from '../src/machine/young.js';
import type { DamonOperations } from '../src/ops/operations.js';
import { PaddrCheckCache, PaddrOps } from '../src/ops/paddr.js';
import { DEFAULT_PROFILE, findProfile, type KernelProfile } from '../src/profiles.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { ANY_PATTERN, paddrDamon } from './helpers/doc.js';
import { dramCxlMachine } from './helpers/machine.js';

const KiB = 1024;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** Where the hand-built machines' memory starts (as the presets lay it out). */
const BASE = 4 * GiB;

function scheme(action: DamosAction, quota = new DamosQuota()): Damos {
  return new Damos({ ...MATCH_ALL }, action, 0, quota, { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true });
}

/** A 64 KiB piece of memory with an owner of its own: anonymous or page cache, on a node, every page accessed 1000 times a second or never. */
interface Piece {
  anon: boolean;
  hot: boolean;
  node?: number;
}

/** The pieces the filter traps use: anonymous or page cache, young (hot) or old. */
const ANON_YOUNG: Piece = { anon: true, hot: true };
const ANON_OLD: Piece = { anon: true, hot: false };
const FILE_YOUNG: Piece = { anon: false, hot: true };
const FILE_OLD: Piece = { anon: false, hot: false };

/** One 64 MiB node with 64 MiB of swap, so that anonymous memory can be paged out. */
function swapMachine(): Machine {
  return new Machine({ nodes: [{ capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 }], base: BASE, holeBetweenNodes: 0, swap: 64 * MiB });
}

/**
 * A paddr context over `machine` holding the pieces (allocated in order), one region each. The
 * clock stands 10 s after the allocation, so a hot page is young with probability 1 − e^−10000 (1
 * as a double) and a cold one with 0: every young check is certain. `pass(s)` runs one apply pass
 * of s alone; the ops log each region they are given as [start KiB from BASE, applied KiB,
 * sz_ops_filter_passed KiB].
 */
function paddrPieces(machine: Machine, pieces: Piece[], profile: KernelProfile = DEFAULT_PROFILE) {
  pieces.forEach((p, i) => expect(machine.allocate({ owner: i + 1, vstart: 0, bytes: 64 * KiB, anon: p.anon, mapped: true, memcg: 0, thp: false, nodes: [p.node ?? 0], now: 0 })).toBe(0));
  const hot = { starts: [0], ends: [64 * KiB], rates: [1000] };
  const young = new YoungModel(machine, { ratesEpoch: () => 0, rateRuns: (owner) => (pieces[owner - 1]?.hot ? hot : undefined) });
  const paddr = new PaddrOps({ machine, young, rng: new Prng(1, 'traps'), mode: 'region', cache: new PaddrCheckCache() });
  const log: number[][] = [];
  const ops: DamonOperations = {
    id: 'paddr',
    prepareAccessChecks: () => undefined,
    checkAccesses: () => 0,
    getSchemeScore: (c, r, s) => paddr.getSchemeScore(c, r, s),
    applyScheme: (c, t, r, s) => {
      const res = paddr.applyScheme(c, t, r, s);
      log.push([(r.start - BASE) / KiB, res.applied / KiB, res.szOpsFilterPassed / KiB]);
      return res;
    },
  };
  const ctx = newCtx({ ops, profile, mm: new MachineMm(machine, [{ id: 0, path: '/' }]) });
  ctx.clock.now = 10e9;
  const extents = machine.mem.toArray();
  const t = new DamonTarget();
  pieces.forEach((_, i) => {
    const own = extents.filter((e) => e.owner === i + 1);
    t.regions.push(new DamonRegion(own[0].start, own[own.length - 1].end));
  });
  ctx.targets = [t];
  const pass = (s: Damos) => {
    ctx.schemes = [s];
    setFiltersDefaultReject(s);
    kdamondApplySchemes(ctx, () => 64 * KiB);
  };
  return { log, pass };
}

/** An addr filter over [start, end) KiB from BASE. */
function addrFilter(start: number, end: number, allow: boolean): DamosFilter {
  const f = newFilter('addr', true, allow);
  f.addrStart = BASE + start * KiB;
  f.addrEnd = BASE + end * KiB;
  return f;
}

/** One apply pass of an `action` scheme with `filters` (added by type, as sysfs does) over the pieces on a fresh swap machine: the scheme and the ops' log. */
function passOver(pieces: Piece[], action: DamosAction, filters: DamosFilter[]): { s: Damos; log: number[][] } {
  const { log, pass } = paddrPieces(swapMachine(), pieces);
  const s = scheme(action);
  for (const f of filters) addFilter(s, f);
  pass(s);
  return { s, log };
}

describe('monitoring traps (damon-monitoring.md §11)', () => {
  it('trap 4: every merge pass ages each region, so extra passes age it more', () => {
    // Six 4 KiB regions alternating nr 0 / 3 (last = nr, age 5), max_nr_regions 3: passes at
    // threshold 0, 1, 2 merge nothing; the one at 4 merges everything. Four passes: age 5 + 4 = 9.
    // Greedy left-to-right averages: (0+3)/2 = 1, then 8/12, 12/16, 8/20, 12/24 KiB-weighted: 0.
    const t = new DamonTarget();
    [0, 3, 0, 3, 0, 3].forEach((n, i) => {
      const r = new DamonRegion(i * 4096, (i + 1) * 4096);
      r.nrAccesses = n;
      r.lastNrAccesses = n;
      r.age = 5;
      t.regions.push(r);
    });
    kdamondMergeRegions([t], { ...defaultAttrs(), maxNrRegions: 3 }, 0, 1 << 30, { ageResetOnZeroTransition: true });
    expect(t.regions.map((r) => [r.start, r.end, r.nrAccesses, r.age])).toEqual([[0, 24576, 0, 9]]);
  });

  it("trap 7: a merge keeps the left region's last_nr_accesses", () => {
    const l = new DamonRegion(0, 100);
    l.lastNrAccesses = 7;
    l.nrAccesses = 10;
    const r = new DamonRegion(100, 300);
    r.lastNrAccesses = 99;
    r.nrAccesses = 20;
    mergeInto(l, r);
    // nr: (10·100 + 20·200) / 300 = 16.67 -> 16.
    expect([l.lastNrAccesses, l.nrAccesses]).toEqual([7, 16]);
  });

  it('trap 13: damon_rand spans are truncated to 32 bits', () => {
    expect(damonRandSpan(0, 6 * GiB)).toBe(2 * GiB); // 6 GiB mod 2^32
    expect(damonRandSpan(0, 4 * GiB)).toBe(4 * GiB); // 0 mod 2^32 means every u32
    expect(damonRandSpan(10, 15)).toBe(5);
    const rng = new Prng(1, 'trap13');
    let max = 0;
    for (let i = 0; i < 100_000; i++) max = Math.max(max, rng.damonRand(0, 6 * GiB));
    // A 6 GiB region is sampled in its first 2 GiB only.
    expect(max).toBeLessThan(2 * GiB);
    expect(max).toBeGreaterThan(2 * GiB - 2 ** 20);
  });

  it('trap 19: at the first aggregation an accessed region is age 0 and an idle one age 1', () => {
    // Three 40 KiB regions; the first is found accessed at every sample, the others never. The
    // snapshot a damon_call sees at the first boundary is merged but not yet reset or split.
    const ops: DamonOperations = {
      id: 'paddr',
      prepareAccessChecks: () => undefined,
      checkAccesses: (c: DamonCtx) => {
        let max = 0;
        const len = accessRateWindow(c.attrs);
        for (const t of c.targets)
          for (const r of t.regions) {
            updateRegionAccessRate(r, r.start < 40 * 4096, len);
            max = Math.max(max, r.nrAccesses);
          }
        return max;
      },
      applyScheme: () => ({ applied: 0, szOpsFilterPassed: 0, costNs: 0 }),
    };
    const ctx = newCtx({ ops, attrs: { minNrRegions: 3, maxNrRegions: 6 } });
    expect(ctx.setAttrs({ ...ctx.attrs, aggrSamples: 0 })).toBeNull();
    const t = new DamonTarget();
    t.regions.push(new DamonRegion(0, 40 * 4096), new DamonRegion(40 * 4096, 80 * 4096), new DamonRegion(80 * 4096, 120 * 4096));
    ctx.targets = [t];
    const kd = new Kdamond(ctx);
    kd.start();
    for (let i = 0; i < 19; i++) kd.step();
    let seen: number[][] = [];
    kd.calls.push((c) => {
      seen = c.targets[0].regions.map((r) => [r.start / 4096, r.end / 4096, r.nrAccesses, r.age]);
    });
    kd.step();
    // Merge threshold 20/10 = 2: the hot region stays apart, the two idle ones (nr 0, same age
    // rule) would merge but for sz_limit (120 pages / min_nr_regions 3 = 40 pages).
    expect(seen).toEqual([
      [0, 40, 20, 0],
      [40, 80, 0, 1],
      [80, 120, 0, 1],
    ]);
  });
});

/**
 * A pageout scheme over four 64 KiB regions, TEMPORAL with a user_input goal met (score 10000),
 * 1 s charge windows and a time quota of `ms`; passes(n) runs n apply passes 1.5 s apart.
 */
function temporalPageout(ms: number) {
  const { ops, log } = schemeLoggingOps();
  const ctx = newCtx({ ops });
  const t = new DamonTarget();
  for (let i = 0; i < 4; i++) t.regions.push(new DamonRegion(i * 64 * KiB, (i + 1) * 64 * KiB));
  ctx.targets = [t];
  const q = new DamosQuota();
  q.resetInterval = 1000;
  q.ms = ms;
  q.goalTuner = 'temporal';
  const goal = { metric: 'user_input' as const, targetValue: 10000n, currentValue: 10000n, nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 };
  q.goals = [goal];
  const s = scheme('pageout', q);
  ctx.schemes = [s];
  const passes = (n: number) => {
    for (let i = 0; i < n; i++) {
      kdamondApplySchemes(ctx, () => 64 * KiB);
      ctx.clock.now += 1.5e9;
      ctx.passedSampleIntervals = s.nextApplySis;
    }
  };
  return { s, goal, log, passes };
}

describe('DAMOS traps (damos.md §10)', () => {
  /** Four 64 KiB regions aged 9, the given schemes (default-reject rules set), one apply pass; the ops log what they are asked to apply. */
  function applyPass(schemes: Damos[]) {
    const { ops, log } = schemeLoggingOps();
    const ctx = newCtx({ ops });
    const t = new DamonTarget();
    for (let i = 0; i < 4; i++) {
      const r = new DamonRegion(i * 64 * KiB, (i + 1) * 64 * KiB);
      r.age = 9;
      t.regions.push(r);
    }
    ctx.targets = [t];
    ctx.schemes = schemes;
    for (const s of schemes) setFiltersDefaultReject(s);
    kdamondApplySchemes(ctx, () => 64 * KiB);
    return { ctx, log, regions: t.regions.map((r) => [r.start / KiB, r.end / KiB, r.age]) };
  }

  it('trap 9: a region a core filter rejects is neither tried nor charged, and keeps its age', () => {
    const s = scheme('pageout');
    const f = newFilter('addr', true, false); // reject [64 KiB, 128 KiB)
    f.addrStart = 64 * KiB;
    f.addrEnd = 128 * KiB;
    addFilter(s, f);
    const { log, regions } = applyPass([s]);
    expect([s.stat.nrTried, s.stat.szTried / KiB]).toEqual([3, 192]);
    expect(log).toEqual([
      [0, 0, 64],
      [0, 128, 192],
      [0, 192, 256],
    ]);
    expect(regions.map((r) => r[2])).toEqual([0, 9, 0, 0]);
  });

  it("trap 10: what no filter matches gets the opposite of its layer's last allow; the core layer defers to ops filters, and a core allow skips them", () => {
    // stat over R0 anon, R1..R3 page cache (64 KiB each): it walks folios only to count what passes
    // the ops filters, 0 without any (§2.2). The defaults per §6.4, the layers per §6.2, §6.3.
    const run = (filters: DamosFilter[]) => {
      const { s, log } = passOver([ANON_OLD, FILE_OLD, FILE_OLD, FILE_OLD], 'stat', filters);
      return { tried: s.stat.nrTried, passed: s.stat.szOpsFilterPassed / KiB, log };
    };
    const anon = (allow: boolean) => newFilter('anon', true, allow);
    // ops [anon allow]: ops default reject (last allow Y), only R0 passes; no core filter rejects.
    expect(run([anon(true)])).toEqual({ tried: 4, passed: 64, log: [[0, 0, 64], [64, 0, 0], [128, 0, 0], [192, 0, 0]] });
    // ops [anon reject]: ops default accept (last allow N), the three page-cache regions pass.
    expect(run([anon(false)])).toEqual({ tried: 4, passed: 192, log: [[0, 0, 0], [64, 0, 64], [128, 0, 64], [192, 0, 64]] });
    // core [R3 allow] alone: core default reject, R0..R2 are not even tried.
    expect(run([addrFilter(192, 256, true)])).toEqual({ tried: 1, passed: 0, log: [[192, 0, 0]] });
    // core [R3 reject] alone: core default accept.
    expect(run([addrFilter(192, 256, false)])).toEqual({ tried: 3, passed: 0, log: [[0, 0, 0], [64, 0, 0], [128, 0, 0]] });
    // core [R3 allow] + ops [anon allow]: with an ops filter the core layer defers what it does not
    // match (R0..R2 tried: R0 passes, R1, R2 meet the ops default reject), and its allow decides R3
    // alone: R3's page cache passes, which the ops layer would have rejected.
    expect(run([addrFilter(192, 256, true), anon(true)])).toEqual({ tried: 4, passed: 128, log: [[0, 0, 64], [64, 0, 0], [128, 0, 0], [192, 0, 64]] });
  });

  it("trap 10: a core allow short-circuits the ops layer: pageout's implicit young filter and the ops filters after it do not apply", () => {
    // R0, R1 young anon, R2 old anon, R3 old page cache; pageout with a core addr allow of R0.
    const run = (filters: DamosFilter[]) => {
      const { s, log } = passOver([ANON_YOUNG, ANON_YOUNG, ANON_OLD, FILE_OLD], 'pageout', filters);
      return { tried: s.stat.nrTried, applied: s.stat.szApplied / KiB, log };
    };
    // Core [R0 allow] alone: core default reject, only R0 is tried; the core allow lets its young
    // folios past the "reject young" ops filter pageout adds (§2.2): all 64 KiB go out.
    expect(run([addrFilter(0, 64, true)])).toEqual({ tried: 1, applied: 64, log: [[0, 64, 64]] });
    // + ops [anon reject]: the core layer now defers R1..R3 (tried). R0 still goes out whole, the
    // anon filter unconsulted; R1, R2 are anon: rejected; R3 (old page cache) matches neither the
    // anon nor the young filter and meets the ops default, accept (last allow N).
    expect(run([addrFilter(0, 64, true), newFilter('anon', true, false)])).toEqual({ tried: 4, applied: 128, log: [[0, 64, 64], [64, 0, 0], [128, 0, 0], [192, 64, 64]] });
  });

  it('traps 11, 18, 20: ages reset even when nothing is applied; a later scheme sees the earlier quota split; a full quota at the last region counts no snapshot', () => {
    // Scheme 0: stat with a 16 KiB size quota: it cuts [0, 64) at 16 KiB, tries [0, 16) and is
    // full. Scheme 1: lru_prio without quota, then tries every region, the split ones included.
    const q = new DamosQuota();
    q.sz = 16n * 1024n;
    q.resetInterval = 1000;
    const s0 = scheme('stat', q);
    const s1 = scheme('lru_prio');
    const { log, regions } = applyPass([s0, s1]);
    expect(log).toEqual([
      [0, 0, 16],
      [1, 0, 16],
      [1, 16, 64],
      [1, 64, 128],
      [1, 128, 192],
      [1, 192, 256],
    ]);
    // lru_prio applied 0 bytes (the ops say so) but every region it tried is aged 0.
    expect(regions).toEqual([
      [0, 16, 0],
      [16, 64, 0],
      [64, 128, 0],
      [128, 192, 0],
      [192, 256, 0],
    ]);
    // Scheme 0 skipped the last region (quota full), so its pass is no snapshot.
    expect([s0.stat.nrSnapshots, s1.stat.nrSnapshots]).toEqual([0, 1]);
  });

  it("trap 11: pageout on paddr adds a \"reject young\" filter after the scheme's ops filters unless it has a young filter; the defaults stay the scheme's", () => {
    // R0 young anon, R1 old anon, R2 young page cache, R3 old page cache.
    const run = (filters: DamosFilter[]) => {
      const { s, log } = passOver([ANON_YOUNG, ANON_OLD, FILE_YOUNG, FILE_OLD], 'pageout', filters);
      // Added for the call only: the scheme's list is as the user made it.
      expect(s.opsFilters).toEqual(filters);
      return log;
    };
    // No filters: the added filter keeps the young R0, R2; the old go out (the reference).
    expect(run([])).toEqual([[0, 0, 0], [64, 64, 64], [128, 0, 0], [192, 64, 64]]);
    // An own young filter, "reject old": the young match nothing and meet the default, accept (last
    // allow N), so exactly the reverse goes out. (An added filter after it could not change that:
    // the first young check makes the folio old, §6.1; what must not happen is one ahead of it.)
    expect(run([newFilter('young', false, false)])).toEqual([[0, 64, 64], [64, 0, 0], [128, 64, 64], [192, 0, 0]]);
    // An own anon allow, no young filter: the added filter comes after it, so the young anon R0 goes
    // out; it keeps the young page cache R2; the old R3 meets the scheme's default, reject (last
    // allow Y), which the added filter (allow N) does not turn into accept (§6.4: set at commit).
    expect(run([newFilter('anon', true, true)])).toEqual([[0, 64, 64], [64, 64, 64], [128, 0, 0], [192, 0, 0]]);
  });

  it('trap 12: migrate charges the tried size whatever moved; folios already on the target node are charged for 0 applied; paddr ignores dests', () => {
    // R0 on node 0, R1 on node 1 (64 KiB each); migrate_hot to node 0 with dests [node 1]; a 1 MiB
    // size quota (esz 1 MiB; all scores 0 with weights 0, so min_score 0 lets both through).
    const run = (profile: KernelProfile, failChargeNum: number, failChargeDenom: number) => {
      const machine = dramCxlMachine({ dram: 64 * MiB, cxl: 64 * MiB, base: BASE });
      const { log, pass } = paddrPieces(
        machine,
        [
          { anon: true, hot: false, node: 0 },
          { anon: true, hot: false, node: 1 },
        ],
        profile,
      );
      const q = new DamosQuota();
      q.sz = BigInt(MiB);
      q.resetInterval = 1000;
      q.failChargeNum = failChargeNum;
      q.failChargeDenom = failChargeDenom;
      const s = scheme('migrate_hot', q);
      s.targetNid = 0;
      s.dests = [{ id: 1, weight: 1 }];
      pass(s);
      const at = (a: number) => {
        const e = machine.lruExtentAt(a);
        return e ? [e.owner, e.node] : null;
      };
      return {
        log,
        stat: [s.stat.nrTried, s.stat.szTried / KiB, s.stat.nrApplied, s.stat.szApplied / KiB],
        charged: q.chargedSz,
        // Owner and node at R0, at the next frame of node 0, at R1.
        layout: [at(BASE), at(BASE + 64 * KiB), at(BASE + 64 * MiB)],
      };
    };
    // §2.2: R0's folios are on the target already (0 migrated), R1's move to node 0's lowest free
    // frames, not to the dests' node 1. §3.3, §4.3 without a fail-charge ratio: each region is
    // charged its size, 64 + 64 KiB, though only 64 KiB was applied.
    const moved = { log: [[0, 0, 64], [64 * 1024, 64, 64]], stat: [2, 128, 1, 64], layout: [[1, 0], [2, 0], null] };
    expect(run(DEFAULT_PROFILE, 0, 0)).toEqual({ ...moved, charged: 128 * KiB });
    // B1 with ratio 1/1024 (§4.3): R0 0 + mult_frac(65536, 1, 1024) = 64 bytes, R1 65536 + 0.
    expect(run(findProfile('b1') ?? DEFAULT_PROFILE, 1, 1024)).toEqual({ ...moved, charged: 64 * KiB + 64 });
  });

  it('trap 17: qt_exceeds counts each window TEMPORAL held at esz 0, with nothing applied, and no window it left unfilled', () => {
    // TEMPORAL, user_input goal met (score 10000), no sz, no ms: esz_bp = 0, esz 0, which
    // damos_quota_is_full() calls full (quota set by its goal, 0 >= 0; §4.1, §4.4). Passes 1.5 s
    // apart with 1 s windows: pass 0 opens window 0 (first-window branch), each later pass closes
    // the one before and opens another (§4.2). 11 passes close windows 0..9, each full: 10.
    const { s, goal, log, passes } = temporalPageout(0);
    passes(11);
    expect([s.stat.qtExceeds, s.stat.nrTried, log.length]).toEqual([10, 0, 0]);
    // Goal missed from now on (score 5000). The score is read at a window's start (trap 5): pass 11
    // closes window 10, still esz 0 and full (11), and opens window 11 with esz ULONG_MAX / 10000.
    // Passes 11..15 try all four regions each (20); windows 11..14 end with 256 KiB charged of
    // ~1.8e15 bytes: not full, no count.
    goal.currentValue = 5000n;
    passes(5);
    expect([s.stat.qtExceeds, s.stat.nrTried, s.stat.szTried / KiB]).toEqual([11, 20, 20 * 64]);
  });

  it('traps 4, 17: with a time quota, TEMPORAL with its goal met still applies 4 KiB per window, and each such window ends full', () => {
    // As above with ms 10: esz = max(min_region_sz, min(4 MiB/ms · 10, 0)) = 4096 (§4.4; no action
    // time, so the throughput stays the 4 MiB/ms default), not full at 0 charged. Each window cuts
    // 4 KiB off the next region and tries it, and is full: 11 passes, 10 windows closed full. Where:
    // charge_addr_from = r.end + 1 (b0, trap 8), so each resume skips the 4 KiB piece after the last
    // tried one: [8p, 8p + 4) KiB for pass p (at pass 8 the last 4 KiB of [0, 64) is skipped whole).
    const { s, log, passes } = temporalPageout(10);
    passes(11);
    expect(s.quota.esz).toBe(4096n);
    expect([s.stat.qtExceeds, s.stat.nrTried, s.stat.szTried / KiB]).toEqual([10, 11, 44]);
    expect(log).toEqual(Array.from({ length: 11 }, (_, p) => [0, 8 * p, 8 * p + 4]));
  });

  it('the apply pass runs on the clock: actions follow one another, and a time quota counts the tick boundaries each one crossed (ktime_get_coarse_ts64)', () => {
    // Each action takes 0.6 ms at HZ 1000 (1 ms ticks), starting 0.2 ms into a tick: the four
    // actions span [0.2, 2.6) ms and cross the boundaries at 1 and 2 ms, in the second and the
    // fourth action. Exact timing would charge 2.4 ms.
    const q = new DamosQuota();
    q.ms = 1000;
    q.resetInterval = 1000;
    const s = scheme('pageout', q);
    const starts: number[] = [];
    const ops: DamonOperations = {
      ...schemeLoggingOps().ops,
      applyScheme: (c) => {
        starts.push(c.clock.now);
        return { applied: 0, szOpsFilterPassed: 0, costNs: 600_000 };
      },
    };
    const ctx = newCtx({ ops });
    const t = new DamonTarget();
    for (let i = 0; i < 4; i++) t.regions.push(new DamonRegion(i * 64 * KiB, (i + 1) * 64 * KiB));
    ctx.targets = [t];
    ctx.schemes = [s];
    ctx.clock.now = 200_000;
    kdamondApplySchemes(ctx, () => 64 * KiB);
    expect(starts).toEqual([200_000, 800_000, 1_400_000, 2_000_000]);
    expect(ctx.clock.now).toBe(2_600_000);
    expect(q.totalChargedNs).toBe(2_000_000);
    // Again from 3.1 ms: [3.1, 3.7) charges nothing, [3.7, 4.3) one tick, [4.3, 4.9) nothing,
    // [4.9, 5.5) one tick.
    ctx.clock.now = 3_100_000;
    s.nextApplySis = 0; // due again
    kdamondApplySchemes(ctx, () => 64 * KiB);
    expect(q.totalChargedNs).toBe(2_000_000 + 2_000_000);
  });
});

describe('a region explosion past what damon-sim can hold', () => {
  it('stops the run with a SimulationLimitError naming the cause, instead of exhausting memory', () => {
    // A stat scheme whose core filter rejects everything, with a 4 KiB quota: nothing is ever
    // charged, so B0 cuts every region at the remaining 4 KiB before the filter rejects it
    // (findings.md §3): 512 MiB of regions would become 131072 pieces in one pass.
    const doc = {
      seed: 1,
      duration: 1,
      machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
      workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', access_rate: 2e6 },
      damon: paddrDamon(
        [{ action: 'stat', access_pattern: ANY_PATTERN, quotas: { sz_bytes: '4 KiB', reset_interval_ms: '1 s' }, core_filters: [{ filter_type: 'addr', matching: true, allow: false, address_range: { start: '4 GiB', end: '4608 MiB' } }] }],
        { end: '4608 MiB', nrRegions: false },
      ),
    };
    const { scenario } = scenarioFromDoc(doc);
    const saved = regionLimits.maxSimulated;
    regionLimits.maxSimulated = 10_000;
    try {
      expect(() => runScenario(scenario)).toThrow(SimulationLimitError);
      expect(() => runScenario(scenario)).toThrow(/^at 0\.\d{3} s \(simulated\), a DAMOS apply pass split target regions past 10000 .* at 4096\): the kernel would go on/);
      expect(() => runScenario(scenario)).toThrow(/; scheme 0 had 4096 of its effective quota \(4096\) left; use a larger quota or profile b1$/);
      // A time quota floors esz at min_region_sz even when a TEMPORAL goal is met (damos.md §4.4,
      // an operator review): a larger quota cannot help, and the message says what does.
      const timed = structuredClone(doc);
      (timed.damon as unknown as { kdamonds: Array<{ contexts: Array<{ schemes: Array<{ quotas: unknown }> }> }> }).kdamonds[0].contexts[0].schemes[0].quotas = {
        time_ms: 10,
        reset_interval_ms: '1 s',
        goals: [{ metric: 'node_mem_used_bp', nid: 0, target_value: 1 }],
        goal_tuner: 'temporal',
      };
      expect(() => runScenario(scenarioFromDoc(timed).scenario)).toThrow(/; scheme 0's effective quota is min_region_sz \(4096\), the floor of a time quota .*; drop time_ms, or use profile b1$/);
      // A size quota that small is not the floor's doing: a larger one helps.
      const small = structuredClone(timed);
      (small.damon as unknown as { kdamonds: Array<{ contexts: Array<{ schemes: Array<{ quotas: Record<string, unknown> }> }> }> }).kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes = '4 KiB';
      expect(() => runScenario(scenarioFromDoc(small).scenario)).toThrow(/; scheme 0 had 4096 of its effective quota \(4096\) left; use a larger quota or profile b1$/);
      // With several kdamonds, each with a scheme 0, the error names the kdamond (a diff review).
      const two = structuredClone(doc);
      const kds = (two.damon as unknown as { kdamonds: unknown[] }).kdamonds;
      kds.push(structuredClone(kds[0]));
      expect(() => runScenario(scenarioFromDoc(two).scenario)).toThrow(/^kdamond [01]: at 0\.\d{3} s \(simulated\), a DAMOS apply pass split/);
    } finally {
      regionLimits.maxSimulated = saved;
    }
    // Under the real limit the same run completes (131072 regions fit).
    expect(runScenario(scenario).aggrs.length).toBeGreaterThan(0);
  });

  it('stops damon_apply_min_nr_regions() and kdamond_split_regions() at the same limit, before allocating past it', () => {
    const saved = regionLimits.maxSimulated;
    regionLimits.maxSimulated = 1000;
    try {
      // 4 MiB in 4 KiB steps: min_nr_regions 1024 asks for 1024 regions of 4 KiB, past 1000.
      const t = new DamonTarget();
      t.regions.push(new DamonRegion(0, 4 * 1024 * 1024));
      const attrs = { ...defaultAttrs(), minNrRegions: 1024, maxNrRegions: 2048 };
      expect(() => applyMinNrRegions([t], attrs, 4096)).toThrow(SimulationLimitError);
      expect(() => applyMinNrRegions([t], attrs, 4096)).toThrow(/damon_apply_min_nr_regions\(\) would split a target's regions past 1000 \(1024 regions of at most 4096 for min_nr_regions 1024\)/);
      expect(t.regions.length).toBe(1); // refused before a cut
      // min_nr_regions 512 fits: the size limit 8 KiB, 512 regions.
      applyMinNrRegions([t], { ...attrs, minNrRegions: 512 }, 4096);
      expect(t.regions.length).toBe(512);
      // 600 regions of 24 KiB, each cut in two (max_nr_regions 2000 lets it split): 1200 pass 1000.
      const u = new DamonTarget();
      for (let i = 0; i < 600; i++) u.regions.push(new DamonRegion(i * 24576, (i + 1) * 24576));
      expect(() => kdamondSplitRegions([u], { ...defaultAttrs(), maxNrRegions: 2000 }, 4096, new SplitState(), new Prng(1, 'split'))).toThrow(/kdamond_split_regions\(\) would split a target's regions past 1000 \(2 pieces each\)/);
    } finally {
      regionLimits.maxSimulated = saved;
    }
  });
});
