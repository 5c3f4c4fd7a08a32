// SPDX-License-Identifier: GPL-2.0-only
/**
 * Boundaries a hand mutation review (2026-11-28) found no test sitting on: each case pins one
 * comparison, wrap or default of a kernel rule at the value where it decides, with the numbers
 * derived from the spec section cited. The whole-run tests (region-peaks, damo-report) catch some
 * of these only through their end figures, which would not survive being regenerated.
 */
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx, schemeLoggingOps, stubOps } from './helpers/ctx.js';
import { nrAccessesMvsum } from '../src/damon/access.js';
import { defaultAttrs } from '../src/damon/attrs.js';
import { kdamondMergeRegions, mergeRegionsOf } from '../src/damon/merge.js';
import { DamonRegion, DamonTarget } from '../src/damon/region.js';
import { kdamondApplySchemes } from '../src/damos/apply.js';
import { damosCommit } from '../src/damos/commit.js';
import { EligibleMemo } from '../src/damos/goals.js';
import { damosValidTarget, sizeMatches } from '../src/damos/pattern.js';
import { quotaSkips, setEffectiveQuota } from '../src/damos/quota.js';
import { Damos, DamosQuota, type DamosAccessPattern, type DamosAction } from '../src/damos/scheme.js';
import { formatTimeShort, hasFraction, parseBool, parseTime } from '../src/formats/damo/units.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import { DEFAULT_PROFILE, findProfile } from '../src/profiles.js';

const KiB = 1024;
const ON = { metric: 'none' as const, interval: 0, high: 0, mid: 0, low: 0, activated: true };

function scheme(action: DamosAction, quota = new DamosQuota(), pattern: DamosAccessPattern = MATCH_ALL): Damos {
  return new Damos({ ...pattern }, action, 0, quota, { ...ON });
}

function target(regions: Array<{ start: number; end: number; nr?: number; last?: number; age?: number }>): DamonTarget {
  const t = new DamonTarget();
  for (const x of regions) {
    const r = new DamonRegion(x.start, x.end);
    r.nrAccesses = x.nr ?? 0;
    r.lastNrAccesses = x.last ?? 0;
    r.age = x.age ?? 0;
    t.regions.push(r);
  }
  return t;
}

const shape = (t: DamonTarget) => t.regions.map((r) => [r.start / KiB, r.end / KiB, r.nrAccesses, r.age]);

describe('quota (damos.md §3.2, §4.4)', () => {
  it('before damos_quota_is_full(), a window charged to exactly esz is full: esz && charged_sz >= esz', () => {
    const mainline = findProfile('mainline-6.19');
    expect(mainline?.damosQuotaIsFull).toBe(false);
    const q = new DamosQuota();
    q.esz = 8192n;
    q.chargedSz = 8192;
    expect([quotaSkips(q, 4096, mainline!), quotaSkips(q, 4096, DEFAULT_PROFILE)]).toEqual([true, true]);
    q.chargedSz = 8191;
    expect(quotaSkips(q, 4096, mainline!)).toBe(false);
    q.esz = 0n; // no esz: never full there, whatever was charged
    q.chargedSz = 8192;
    expect(quotaSkips(q, 4096, mainline!)).toBe(false);
  });

  it("TEMPORAL's sz * 10000 wraps at 2^64 as the kernel's unsigned long does", () => {
    // A goal not met (score 5000 < 10000): esz_bp = sz * 10000 (mod 2^64), esz = esz_bp / 10000.
    const cases: Array<[bigint, bigint, bigint]> = [
      [1n << 62n, 0n, 0n], // 2^62 · 10000 = 625 · 2^66: 0 mod 2^64
      [ULONG_MAX, 18446744073709541616n, 1844674407370954n], // −10000 mod 2^64
      [128n * 1024n * 1024n, 1342177280000n, 134217728n],
    ];
    for (const [sz, eszBp, esz] of cases) {
      const ctx = newCtx({});
      const q = new DamosQuota();
      q.sz = sz;
      q.goalTuner = 'temporal';
      q.goals = [{ metric: 'user_input', targetValue: 10000n, currentValue: 5000n, nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 }];
      const s = scheme('stat', q);
      ctx.schemes = [s];
      setEffectiveQuota(ctx, s, 0);
      expect([q.eszBp, q.esz], String(sz)).toEqual([eszBp, esz]);
    }
  });
});

describe('access pattern (damos.md §1.3)', () => {
  it("a committed pattern's size bounds apply at once (the cached bounds follow the new pattern)", () => {
    const dst = scheme('stat');
    expect(sizeMatches(dst, 8 * KiB)).toBe(true);
    damosCommit(dst, scheme('stat', new DamosQuota(), { ...MATCH_ALL, minSzRegion: 16n * 1024n }), DEFAULT_PROFILE);
    expect([sizeMatches(dst, 8 * KiB), sizeMatches(dst, 16 * KiB)]).toEqual([false, true]);
  });

  it('min_score counts only where a quota is set: a stale min_score without a quota lets every region through', () => {
    const ops = { ...stubOps(), getSchemeScore: () => 10 };
    const ctx = newCtx({ ops });
    const t = target([{ start: 0, end: 8 * KiB }]);
    ctx.targets = [t];
    const s = scheme('stat');
    s.quota.minScore = 50;
    ctx.schemes = [s];
    expect(damosValidTarget(ctx, t.regions[0], s)).toBe(true);
    s.quota.sz = 4096n;
    s.quota.esz = 4096n;
    expect(damosValidTarget(ctx, t.regions[0], s)).toBe(false); // 10 < 50
  });

  it('the eligible-bytes memo tells every pattern field apart', () => {
    const sums = { byNode: [1], total: 1, lookups: 0, costNs: 0, hint: 0 };
    const memo = new EligibleMemo();
    memo.set(MATCH_ALL, 7, sums);
    expect(memo.get({ ...MATCH_ALL }, 7)).toBe(sums);
    expect(memo.get(MATCH_ALL, 8)).toBeUndefined(); // another region count
    const other: Array<Partial<DamosAccessPattern>> = [
      { minSzRegion: 1n },
      { maxSzRegion: 1n },
      { minNrAccesses: 1 },
      { maxNrAccesses: 1 },
      { minAgeRegion: 1 },
      { maxAgeRegion: 1 },
    ];
    for (const diff of other) expect(memo.get({ ...MATCH_ALL, ...diff }, 7), JSON.stringify(diff, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toBeUndefined();
  });
});

describe('merge (damon-monitoring.md §5.1, §5.2)', () => {
  const profile = DEFAULT_PROFILE;

  it('nr_accesses within the threshold merge, one more does not', () => {
    const at = (d: number) => {
      const t = target([
        { start: 0, end: 4 * KiB, nr: 0 },
        { start: 4 * KiB, end: 8 * KiB, nr: d },
      ]);
      mergeRegionsOf(t, 9, 1 << 30, profile);
      return t.regions.length;
    };
    expect([at(9), at(10)]).toEqual([1, 2]);
  });

  it('regions exactly sz_limit together merge; with a limit a byte lower they do not', () => {
    const at = (limit: number) => {
      const t = target([
        { start: 0, end: 4 * KiB },
        { start: 4 * KiB, end: 12 * KiB },
      ]);
      mergeRegionsOf(t, 0, limit, profile);
      return t.regions.length;
    };
    expect([at(12 * KiB), at(12 * KiB - 1)]).toEqual([1, 2]);
  });

  it('kdamond_merge_regions stops at exactly max_nr_regions (the loop runs while the count exceeds it)', () => {
    const twelve = () =>
      target(Array.from({ length: 12 }, (_, i) => ({ start: i * 4 * KiB, end: (i + 1) * 4 * KiB, nr: i % 2 ? 10 : 0, last: i % 2 ? 10 : 0 })));
    const attrs = { ...defaultAttrs(), maxNrRegions: 12 };
    const t = twelve();
    kdamondMergeRegions([t], attrs, 5, 1 << 30, profile);
    // One pass at threshold 5: |0 − 10| > 5, nothing merges; 12 is not above 12, so no second pass.
    expect(t.regions.length).toBe(12);
    expect(t.regions.every((r) => r.age === 1)).toBe(true);
    // One fewer allowed: the second pass, at threshold 10, merges them all, left to right, each
    // merge the size-weighted mean truncated (§5.2): 5, 3, 4, 3, 4, 3, 3, 2, 2, 1, and 21 / 12 = 1.
    const u = twelve();
    kdamondMergeRegions([u], { ...attrs, maxNrRegions: 11 }, 5, 1 << 30, profile);
    expect(shape(u)).toEqual([[0, 48, 1, 2]]);
  });
});

describe('access rate (damon-monitoring.md §4.3)', () => {
  it("B1's pseudo moving sum with zero intervals takes a one-sample window, not a division by zero", () => {
    const r = new DamonRegion(0, 4 * KiB);
    r.nrAccesses = 3;
    r.lastNrAccesses = 7;
    const zero = { ...defaultAttrs(), sampleInterval: 0, aggrInterval: 0 };
    expect(nrAccessesMvsum(r, zero, 5, 5)).toBe(3);
    // 5 ms / 100 ms, half the window left: 3 + 7 · 5000 / 10000 = 6.
    expect(nrAccessesMvsum(r, defaultAttrs(), 10, 20)).toBe(6);
  });
});

describe('apply pass (damos.md §3.1, §3.4)', () => {
  it('stat leaves a region its age; every other action resets it', () => {
    const ageAfter = (action: DamosAction) => {
      const { ops } = schemeLoggingOps();
      const ctx = newCtx({ ops });
      const t = target([{ start: 0, end: 64 * KiB, age: 5 }]);
      ctx.targets = [t];
      const s = scheme(action);
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => 64 * KiB);
      return [t.regions[0].age, s.stat.nrTried];
    };
    expect(ageAfter('stat')).toEqual([5, 1]);
    expect(ageAfter('pageout')).toEqual([0, 1]);
    expect(ageAfter('migrate_hot')).toEqual([0, 1]);
  });

  it("the pass's epilogue sets next_apply_sis of a due scheme its watermarks keep off, too", () => {
    const { ops, log } = schemeLoggingOps();
    const ctx = newCtx({ ops });
    ctx.targets = [target([{ start: 0, end: 64 * KiB }])];
    const on = scheme('stat');
    const off = scheme('pageout');
    off.wmarks.activated = false;
    ctx.schemes = [on, off];
    on.nextApplySis = 0;
    off.nextApplySis = 0;
    kdamondApplySchemes(ctx, () => 64 * KiB);
    // 5 ms / 100 ms: 20 samples to the next apply; the off scheme was never applied.
    expect([on.nextApplySis, off.nextApplySis]).toEqual([20, 20]);
    expect(log.map(([si]) => si)).toEqual([0]);
    expect(off.stat.nrTried).toBe(0);
  });
});

describe("damo's values (damo-formats.md §1.3)", () => {
  it("a fractional time is damo's float arithmetic: ns / 1000 / 1000 to ms, not ns / 1e6", () => {
    // 621368.987065 h is ~2.2e18 ns, past 2^53: the two divisions round differently from one.
    expect(parseTime('621368.987065 h', 'ms', true)).toBe(2236928353433n);
  });

  it('an hour exactly is "1 h"', () => {
    expect([formatTimeShort(3599, 's'), formatTimeShort(3600, 's'), formatTimeShort(3601, 's')]).toEqual(['59 m 59 s', '1 h', '1 h 1 s']);
  });

  it('"2.0" has no fraction, "1.50" has one', () => {
    expect([hasFraction('2.0'), hasFraction('1.50'), hasFraction('1.5e1'), hasFraction(2)]).toEqual([false, true, false, false]);
  });

  it('a boolean may be the number 1 or 0 (YAML `enabled: 1`)', () => {
    expect([parseBool(1), parseBool(0)]).toEqual([true, false]);
    expect(() => parseBool(2)).toThrow();
  });
});
