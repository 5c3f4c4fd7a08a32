// SPDX-License-Identifier: GPL-2.0-only
/**
 * Quota prioritisation (damos.md §4.2, §4.8): damos_adjust_quota() builds the score histogram over
 * the regions a scheme could act on and picks min_score, the lowest score whose "at least this hot"
 * memory still fits esz; damos_valid_target() then lets only regions at or above it through.
 * A hand-worked example, a brute-force cross-check on random regions, and the full-window skip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx, stubMm, stubOps } from './helpers/ctx.js';
import { jiffies, type DamonCtx } from '../src/damon/ctx.js';
import { DamonRegion, DamonTarget, RegionWalk } from '../src/damon/region.js';
import { coreFilterOut } from '../src/damos/filters.js';
import { damosValidTarget, patternMatches } from '../src/damos/pattern.js';
import { adjustQuota } from '../src/damos/quota.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject } from '../src/damos/scheme.js';
import { hotScore, schemeScore } from '../src/ops/scores.js';
import { DEFAULT_PROFILE, findProfile } from '../src/profiles.js';

const MiB = 2 ** 20;

function ctxWith(regions: Array<{ sz: number; nr: number; age: number }>): DamonCtx {
  const ops = { ...stubOps(), getSchemeScore: schemeScore };
  const ctx = newCtx({ ops, attrs: { sampleInterval: 5000, aggrInterval: 100_000 } });
  const t = new DamonTarget();
  let a = 0;
  for (const { sz, nr, age } of regions) {
    const r = new DamonRegion(a, a + sz);
    r.nrAccesses = nr;
    r.nrAccessesBp = nr * 10000;
    r.age = age;
    t.regions.push(r);
    a += sz;
  }
  ctx.targets.push(t);
  return ctx;
}

/** migrate_hot with a size quota and the given weights (every region matches the pattern). */
function hotScheme(szQuota: number, wNr: number, wAge: number): Damos {
  const q = new DamosQuota();
  q.resetInterval = 1000;
  q.sz = BigInt(szQuota);
  q.weightNrAccesses = wNr;
  q.weightAge = wAge;
  const pattern = { ...MATCH_ALL };
  return new Damos(pattern, 'migrate_hot', 0, q, { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true }, 0);
}

/**
 * 4, 8 and 16 MiB scoring 99, 49 and 9 with weights nr 100 / age 0: score = (nr·100/20)·99/100 at
 * 5 ms / 100 ms, max_nr_accesses 20 (derived from §4.8's formula).
 */
const SCORES_99_49_9 = [
  { sz: 4 * MiB, nr: 20, age: 0 },
  { sz: 8 * MiB, nr: 10, age: 0 },
  { sz: 16 * MiB, nr: 2, age: 0 },
];

describe('damos_adjust_quota: score histogram and min_score (damos.md §4.2)', () => {
  it('picks the lowest score whose hotter memory reaches esz, and damos_valid_target follows it', () => {
    const ctx = ctxWith(SCORES_99_49_9);
    const s = hotScheme(10 * MiB, 100, 0);
    ctx.schemes.push(s);
    expect(ctx.targets[0].regions.map((r) => hotScore(ctx, r, s))).toEqual([99, 49, 9]);
    adjustQuota(ctx, s, 0);
    expect(s.quota.esz).toBe(BigInt(10 * MiB));
    // 99: 4 MiB < 10 MiB; 99..49: 12 MiB >= 10 MiB → min_score 49.
    expect(s.quota.minScore).toBe(49);
    expect(ctx.targets[0].regions.map((r) => damosValidTarget(ctx, r, s))).toEqual([true, true, false]);
  });

  it('esz within the hottest bucket keeps only it; esz above all memory lets everything in', () => {
    const hot = ctxWith(SCORES_99_49_9);
    const s1 = hotScheme(4 * MiB, 100, 0);
    hot.schemes.push(s1);
    adjustQuota(hot, s1, 0);
    expect(s1.quota.minScore).toBe(99);
    const all = ctxWith(SCORES_99_49_9);
    const s2 = hotScheme(64 * MiB, 100, 0);
    all.schemes.push(s2);
    adjustQuota(all, s2, 0);
    // The walk down stops at score 0 without reaching esz.
    expect(s2.quota.minScore).toBe(0);
  });

  it('equals a brute-force search over random regions and weights', () => {
    const region = fc.record({ sz: fc.integer({ min: 1, max: 64 }).map((k) => k * 4096), nr: fc.integer({ min: 0, max: 20 }), age: fc.integer({ min: 0, max: 3000 }) });
    fc.assert(
      fc.property(fc.array(region, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.nat(), (regions, quotaPages, wNr, wAge, pick) => {
        const ctx = ctxWith(regions);
        const s = hotScheme(quotaPages * 4096, wNr, wAge);
        ctx.schemes.push(s);
        const scored = ctx.targets[0].regions.map((r) => ({ score: hotScore(ctx, r, s), sz: r.end - r.start }));
        // Half the cases: esz exactly the bytes at or above one region's score (the >= boundary).
        if (pick % 2) {
          const at = scored[pick % scored.length].score;
          s.quota.sz = BigInt(scored.filter((x) => x.score >= at).reduce((a, x) => a + x.sz, 0));
        }
        adjustQuota(ctx, s, 0);
        const esz = Number(s.quota.esz);
        const maxScore = Math.max(0, ...scored.map((x) => x.score));
        // The highest score at or below the hottest region's whose "at least this score" bytes reach esz.
        let want = 0;
        for (let sc = maxScore; sc > 0; sc--) {
          const bytes = scored.filter((x) => x.score >= sc).reduce((a, x) => a + x.sz, 0);
          if (bytes >= esz) {
            want = sc;
            break;
          }
        }
        expect(s.quota.minScore).toBe(want);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('leaves regions the core filters reject out of the histogram', () => {
    const ctx = ctxWith(SCORES_99_49_9);
    const s = hotScheme(10 * MiB, 100, 0);
    // Allow only [4 MiB, 28 MiB): the score-99 region is filtered out, so 49 (8 MiB) is not
    // enough and min_score drops to 9.
    const f = newFilter('addr', true, true);
    f.addrStart = 4 * MiB;
    f.addrEnd = 28 * MiB;
    addFilter(s, f);
    setFiltersDefaultReject(s);
    ctx.schemes.push(s);
    adjustQuota(ctx, s, 0);
    expect(s.quota.minScore).toBe(9);
  });

  it('leaves min_score alone while the charge window is already full (the pass skips the scheme)', () => {
    const ctx = ctxWith([
      { sz: 4 * MiB, nr: 20, age: 0 },
      { sz: 8 * MiB, nr: 10, age: 0 },
    ]);
    const s = hotScheme(4 * MiB, 100, 0);
    ctx.schemes.push(s);
    adjustQuota(ctx, s, 0);
    expect(s.quota.minScore).toBe(99);
    // Still inside the 1 s window, with the whole esz charged: full.
    s.quota.chargedSz = 4 * MiB;
    s.quota.minScore = 12345;
    ctx.clock.now += 10e6;
    adjustQuota(ctx, s, 0);
    expect(s.quota.minScore).toBe(12345);
    // The next window refreshes esz, empties the charge, and recomputes it.
    ctx.clock.now += 1e9;
    adjustQuota(ctx, s, 0);
    expect(s.quota.chargedSz).toBe(0);
    expect(s.quota.minScore).toBe(99);
  });
});

describe('damos_adjust_quota in a full window: only the core filters split regions', () => {
  it('splits exactly as the whole walk with pattern checks and damos_core_filter_out would', () => {
    const region = fc.record({ pages: fc.integer({ min: 1, max: 16 }), nr: fc.integer({ min: 0, max: 20 }) });
    const filter = fc.record({ a: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 0, max: 120 }), matching: fc.boolean(), allow: fc.boolean(), target: fc.boolean() });
    fc.assert(
      fc.property(fc.array(region, { minLength: 1, maxLength: 30 }), fc.array(filter, { minLength: 0, maxLength: 3 }), fc.integer({ min: 0, max: 10 }), (regions, filters, minNr) => {
        const build = () => {
          const ctx = ctxWith(regions.map((r) => ({ sz: r.pages * 4096, nr: r.nr, age: 0 })));
          const s = hotScheme(4096, 0, 0);
          s.pattern = { ...s.pattern, minNrAccesses: minNr };
          for (const f of filters) {
            const nf = newFilter(f.target ? 'target' : 'addr', f.matching, f.allow);
            nf.addrStart = f.a * 4096 + (f.a % 3) * 512; // some boundaries not page aligned
            nf.addrEnd = nf.addrStart + f.len * 4096;
            addFilter(s, nf);
          }
          setFiltersDefaultReject(s);
          ctx.schemes.push(s);
          return { ctx, s };
        };
        // The reference: the whole walk.
        const ref = build();
        const w = new RegionWalk(ref.ctx.targets[0]);
        for (let r = w.next(); r; r = w.next()) if (patternMatches(ref.ctx, r, ref.s)) coreFilterOut(ref.ctx, w, ref.s);
        w.finish();
        // adjust_quota with the window's 4 KiB quota already charged.
        const got = build();
        const q = got.s.quota;
        got.ctx.clock.now = 5e6; // 4 jiffies into a window
        const from = jiffies(got.ctx.clock) - 4;
        Object.assign(q, { chargedFrom: from, totalChargedSz: 4096, esz: 4096n, chargedSz: 4096 });
        adjustQuota(got.ctx, got.s, 0);
        expect(q.chargedFrom).toBe(from); // still the same, full, window
        const bounds = (c: DamonCtx) => c.targets[0].regions.map((r) => [r.start, r.end, r.nrAccesses]);
        expect(bounds(got.ctx)).toEqual(bounds(ref.ctx));
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});

describe('damos_adjust_quota reads jiffies at each use (damos.md §4.2)', () => {
  /**
   * CONSIST, node_eligible_mem_bp nid 0 target 6000 with every eligible byte on node 1 (score
   * 10000·6000/1 saturates, so each step doubles esz_bp from 10000), reset_interval 100 ms, HZ
   * 1000. Each goal walk costs `walkMs` of kdamond time.
   */
  function consistAfterFirstCall(walkMs: number, profile = DEFAULT_PROFILE, startNs = 0): { s: Damos; costNs: number; chargedFrom: number; j0: number; setTimes: number[]; eszTimes: number[] } {
    const ops = {
      ...stubOps(),
      addEligibleBytes: (_c: DamonCtx, r: DamonRegion, sums: { byNode: number[]; total: number; costNs: number }) => {
        sums.total += r.end - r.start;
        sums.byNode[1] = (sums.byNode[1] ?? 0) + (r.end - r.start);
        sums.costNs += walkMs * 1e6;
      },
    };
    const setTimes: number[] = [];
    const eszTimes: number[] = [];
    const tracer = { quotaSet: (_c: DamonCtx, _si: number, _s: Damos, atNs: number) => setTimes.push(atNs), eszTraced: (_c: DamonCtx, _si: number, _s: Damos, atNs: number) => eszTimes.push(atNs) };
    const ctx = newCtx({ ops, profile, mm: { ...stubMm, nodeOnline: (nid) => nid === 0 || nid === 1, maxNumNodes: 2 }, tracer });
    ctx.clock.now = startNs;
    const t = new DamonTarget();
    t.regions.push(new DamonRegion(0, 4096));
    ctx.targets.push(t);
    const s = hotScheme(0, 0, 0);
    s.quota.resetInterval = 100;
    s.quota.goalTuner = 'consist';
    s.quota.goals = [{ metric: 'node_eligible_mem_bp', targetValue: 6000n, currentValue: 0n, nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 }];
    ctx.schemes.push(s);
    const j0 = jiffies(ctx.clock);
    const t0 = ctx.clock.now;
    const returned = adjustQuota(ctx, s, 0); // the part of the walks not yet on the clock
    const costNs = ctx.clock.now - t0 + returned;
    return { s, costNs, chargedFrom: s.quota.chargedFrom, j0, setTimes, eszTimes };
  }

  it('a first window whose goal walk outlasts reset_interval ends at once: a second window, a second step', () => {
    const { s, costNs, chargedFrom, j0, setTimes } = consistAfterFirstCall(150);
    // Each refresh is traced when its walk ended (trace_damos_esz follows the walk): the second
    // one's walk began when the first one's ended.
    expect(setTimes).toEqual([150e6, 300e6]);
    // Two walks; the first window was full (esz 2 bytes < min_region_sz) when the second opened.
    expect(costNs).toBe(300e6);
    expect(s.quota.eszBp).toBe(40000n);
    expect(s.quota.esz).toBe(4n);
    expect(s.stat.qtExceeds).toBe(1);
    expect(chargedFrom - j0).toBe(150);
  });

  it('damos_esz is stamped as the goal records of the same damos_set_effective_quota() call', () => {
    // The second window changes esz (2 → 4 bytes): b0 traces it once, b1 (trace esz at first
    // setup) the first window's esz too, each at the end of its call's walks. A clock off the whole
    // ns and fractional walk costs make the doubles depend on the order of the additions.
    const walkMs = 123.4567893; // 123456789.3 ns: (0.3 + w) + w is not 0.3 + (w + w) in doubles
    const b0 = consistAfterFirstCall(walkMs, DEFAULT_PROFILE, 0.3);
    expect(b0.eszTimes).toEqual([b0.setTimes[1]]);
    const b1 = consistAfterFirstCall(walkMs, findProfile('b1') ?? DEFAULT_PROFILE, 0.3);
    expect(b1.eszTimes).toEqual(b1.setTimes);
    const w = walkMs * 1e6;
    expect(b1.setTimes).toEqual([0.3 + w, 0.3 + w + w]);
    expect(b0.s.quota.esz).toBe(4n);
  });

  it('a walk shorter than reset_interval leaves the first window open', () => {
    const { s, costNs, chargedFrom, j0 } = consistAfterFirstCall(99);
    expect(costNs).toBe(99e6);
    expect(s.quota.eszBp).toBe(20000n);
    expect(s.stat.qtExceeds).toBe(0);
    expect(chargedFrom - j0).toBe(0);
  });
});
