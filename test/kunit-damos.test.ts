// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel-vector conformance for DAMOS: the DAMOS cases of mm/damon/tests/core-kunit.h
 * (damos.md §8.1, damon-monitoring.md §10.18), the prioritisation-score example of damos.md §4.8,
 * the quota helpers of damos.md §4.1/§4.3 and msecs_to_jiffies. Every number is the spec's, or
 * "derived" by hand from the spec's formulas (said so in a comment).
 */
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx as makeCtx } from './helpers/ctx.js';
import { defaultAttrs, type DamonAttrs } from '../src/damon/attrs.js';
import { DamonCtx, MAX_JIFFY_OFFSET, msecsToJiffies } from '../src/damon/ctx.js';
import { DamonRegion, DamonTarget, RegionWalk } from '../src/damon/region.js';
import { coreFilterMatch } from '../src/damos/filters.js';
import { chargeQuota, quotaIsFull } from '../src/damos/quota.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject, type DamosQuotaGoal } from '../src/damos/scheme.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import { coldScore, hotScore } from '../src/ops/scores.js';
import { DEFAULT_PROFILE, findProfile, type KernelProfile } from '../src/profiles.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function newCtx(attrs: DamonAttrs = defaultAttrs(), profile: KernelProfile = DEFAULT_PROFILE): DamonCtx {
  return makeCtx({ attrs, profile, label: 'kunit' });
}

function profile(name: string): KernelProfile {
  const p = findProfile(name);
  if (!p) throw new Error(`no profile ${name}`);
  return p;
}

function newScheme(weightNrAccesses = 0, weightAge = 0): Damos {
  const q = new DamosQuota();
  q.weightNrAccesses = weightNrAccesses;
  q.weightAge = weightAge;
  return new Damos(
    { ...MATCH_ALL },
    'stat',
    0,
    q,
    { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true },
  );
}

function userInputGoal(): DamosQuotaGoal {
  return { metric: 'user_input', targetValue: 10000n, currentValue: 0n, nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 };
}

const KiB = 1024;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------

describe('mm/damon/tests/core-kunit.h', () => {
  it('damos_test_new_filter', () => {
    const f = newFilter('anon', true, false);
    expect(f.type).toBe('anon');
    expect(f.matching).toBe(true);
    expect(f.allow).toBe(false);
  });

  it('damos_test_filter_out', () => {
    const c = newCtx();
    c.minRegionSz = 1;
    const f = newFilter('addr', true, false);
    f.addrStart = 2;
    f.addrEnd = 6;
    // region before -> (result, regions after)
    const rows: Array<[[number, number], boolean, Array<[number, number]>]> = [
      [[3, 5], true, [[3, 5]]],
      [[1, 2], false, [[1, 2]]],
      [[6, 8], false, [[6, 8]]],
      [
        [1, 4],
        false,
        [
          [1, 2],
          [2, 4],
        ],
      ],
      [
        [2, 8],
        true,
        [
          [2, 6],
          [6, 8],
        ],
      ],
    ];
    for (const [[s, e], result, after] of rows) {
      const t = new DamonTarget();
      c.targets = [t];
      const r = new DamonRegion(s, e);
      r.nrAccesses = 3;
      r.age = 4;
      t.regions.push(r);
      const w = new RegionWalk(t);
      w.next();
      expect(coreFilterMatch(c, w, f, 1), `[${s}, ${e})`).toBe(result);
      w.finish();
      expect(
        t.regions.map((x) => [x.start, x.end]),
        `[${s}, ${e})`,
      ).toEqual(after);
      expect(t.regions[0]).toBe(r); // r keeps the left part
      // derived (§6.3 via damon_split_region_at): the extra region carries r's counters.
      for (const x of t.regions) expect([x.nrAccesses, x.age]).toEqual([3, 4]);
    }
  });

  it('damon_test_set_filters_default_reject', () => {
    const s = newScheme();
    // (core default reject, ops default reject)
    const state = (): [boolean, boolean] => [s.coreFiltersDefaultReject, s.opsFiltersDefaultReject];

    setFiltersDefaultReject(s);
    expect(state(), 'no filters').toEqual([false, false]);

    const target = newFilter('target', true, true);
    addFilter(s, target);
    expect(s.coreFilters).toEqual([target]);
    setFiltersDefaultReject(s);
    expect(state(), 'core target allow=true').toEqual([true, false]);

    target.allow = false;
    setFiltersDefaultReject(s);
    expect(state(), 'core target allow=false').toEqual([false, false]);

    const anon = newFilter('anon', true, true);
    addFilter(s, anon);
    expect(s.opsFilters).toEqual([anon]);
    setFiltersDefaultReject(s);
    expect(state(), '+ ops anon allow=true').toEqual([false, true]);

    target.allow = true;
    setFiltersDefaultReject(s);
    expect(state(), 'core target allow=true again').toEqual([false, true]);
  });
});

describe('mm/damon/ops-common.c (damon_hot_score / damon_cold_score, damos.md §4.8)', () => {
  function scores(attrs: DamonAttrs, nr: number, age: number, wNr: number, wAge: number, prof: KernelProfile = DEFAULT_PROFILE): [number, number] {
    const c = newCtx(attrs, prof);
    const r = new DamonRegion(0, 4096);
    r.nrAccesses = nr;
    r.nrAccessesBp = nr * 10000;
    r.age = age;
    const s = newScheme(wNr, wAge);
    return [hotScore(c, r, s), coldScore(c, r, s)];
  }
  const a5ms100ms: DamonAttrs = { ...defaultAttrs(), sampleInterval: 5000, aggrInterval: 100000 };

  it('hot score example (sample 5 ms, aggr 100 ms, nr 10, age 30, weights 100/100 -> 50)', () => {
    // freq 50, age_sec 3, age_log 2, age_sub 34*100/32/2 = 53, h (5000+5300)/200 = 51, 51*99/100 = 50
    expect(scores(a5ms100ms, 10, 30, 100, 100)).toEqual([50, 49]);
  });

  it('hot/cold scores, more derived values', () => {
    // derived: both weights 0 -> h = 0 (no division) -> hot 0, cold 99, whatever the region.
    expect(scores(a5ms100ms, 10, 30, 0, 0)).toEqual([0, 99]);
    expect(scores(a5ms100ms, 20, 100000, 0, 0)).toEqual([0, 99]);
    // derived: nr 0, age 30: freq 0, age_log -2, age_sub (30*100/32)/2 = 93/2 = 46,
    // h = 100*46/200 = 23, 23*99/100 = 22 -> hot 22, cold 77.
    expect(scores(a5ms100ms, 0, 30, 100, 100)).toEqual([22, 77]);
    // derived: nr 20 (= max), age 0, weights 1/1 (lru_sort): freq 100, age_log 0, age_sub 50,
    // h = 150/2 = 75, 75*99/100 = 74 -> hot 74, cold 25.
    expect(scores(a5ms100ms, 20, 0, 1, 1)).toEqual([74, 25]);
    // derived: reclaim weights nr 0 / age 1, nr 0, age 1200 (120 s): age_log = floor(log2 120)+1 = 7,
    // negated; age_sub = (25*100/32)/2 = 78/2 = 39; h = 39; 39*99/100 = 38 -> hot 38, cold 61.
    expect(scores(a5ms100ms, 0, 1200, 0, 1)).toEqual([38, 61]);
    // derived: age_sec 1 -> age_log 1 (nr 10, age 10 at 100 ms): age_sub (33*100/32)/2 = 103/2 = 51,
    // weights 0/100: h = 51, 51*99/100 = 50.
    expect(scores(a5ms100ms, 10, 10, 0, 100)).toEqual([50, 49]);
    // derived clamp (trap 15): nr 40 > max 20 -> freq 200; weights 100/0 -> h 200, 200*99/100 = 198;
    // B0 clamps to 99 (cold 0); mainline-6.19 has no clamp (198, cold 99 - 198 = -99).
    expect(scores(a5ms100ms, 40, 0, 100, 0)).toEqual([99, 0]);
    expect(scores(a5ms100ms, 40, 0, 100, 0, profile('mainline-6.19'))).toEqual([198, -99]);
  });

  it('weights are unsigned int: products and their sum wrap at 2^32 (damos.md §0)', () => {
    // nr 20 of 20 (freq 100), age 0 (age_sub 50) throughout.
    // weights 2^31+1 / 2^31-1: the weight sum wraps to 0, so there is no division; the weighted
    // sum is 100 + (2^32 - 50) = 50 mod 2^32; 50*99/100 = 49 (exact arithmetic: 74).
    expect(scores(a5ms100ms, 20, 0, 0x8000_0001, 0x7fff_ffff)).toEqual([49, 50]);
    // weights 2^31-1 / 1: the weighted sum is 2^32 - 100 + 50, an int -50; divided as unsigned by
    // 2^31: 1; 1*99/100 = 0 (exact arithmetic: 98).
    expect(scores(a5ms100ms, 20, 0, 0x7fff_ffff, 1)).toEqual([0, 99]);
  });

  it('age_in_sec is an unsigned int: (unsigned long)age * aggr / 10^6 truncated to 32 bits', () => {
    // aggr 2 s (max 400 samples: nr 1 is freq 0), weights 0/1. age 2^31: 2^32 s wraps to 0 ->
    // age_log 0 -> age_sub 50 -> 50*99/100 = 49. age 2^31 - 1: 2^32 - 2 s -> age_log 32, negated
    // (freq 0) -> age_sub 0 -> 0.
    const a2s: DamonAttrs = { ...defaultAttrs(), sampleInterval: 5000, aggrInterval: 2_000_000 };
    expect(scores(a2s, 1, 2 ** 31, 0, 1)).toEqual([49, 50]);
    expect(scores(a2s, 1, 2 ** 31 - 1, 0, 1)).toEqual([0, 99]);
  });

  it('zero intervals: damon_max_nr_accesses() takes sample_interval 0 as 1 and a 0 result as 1 (2026 fix)', () => {
    // sample 0, aggr 100 ms: max = 100000 samples, so nr 20 is freq 0 (20*100/100000) -> age only.
    // weights 1/0: h = 0 -> hot 0. aggr 0 too: max 1, nr 1 -> freq 100 -> h 100 -> 99.
    expect(scores({ ...defaultAttrs(), sampleInterval: 0, aggrInterval: 100000 }, 20, 0, 1, 0)).toEqual([0, 99]);
    expect(scores({ ...defaultAttrs(), sampleInterval: 0, aggrInterval: 0 }, 1, 0, 1, 0)).toEqual([99, 0]);
  });
});

describe('mm/damon/core.c (DAMOS quota helpers, damos.md §4.1, §4.3)', () => {
  it('damos_quota_is_full truth table (b0 and mainline-6.19)', () => {
    const minSz = 4096;
    type Row = { what: string; esz: bigint; charged: number; sz?: bigint; ms?: number; goals?: boolean; b0: boolean; ml: boolean };
    // derived from §4.1: b0 full = set && (charged >= esz || esz - charged < min_region_sz), set =
    // esz || sz || ms || goals; before the goal-tuner series (mainline-6.19): esz && charged >= esz.
    const rows: Row[] = [
      { what: 'no quota at all', esz: 0n, charged: 0, b0: false, ml: false },
      { what: 'sz set, esz 0 (goal-driven zero)', esz: 0n, charged: 0, sz: 1n * BigInt(MiB), b0: true, ml: false },
      { what: 'goals, esz 0', esz: 0n, charged: 0, goals: true, b0: true, ml: false },
      { what: 'ms set, esz 0', esz: 0n, charged: 0, ms: 10, b0: true, ml: false },
      { what: 'esz 8192, nothing charged', esz: 8192n, charged: 0, sz: 8192n, b0: false, ml: false },
      { what: 'esz 8192, charged 4096 (exactly one min region left)', esz: 8192n, charged: 4096, sz: 8192n, b0: false, ml: false },
      { what: 'esz 8192, charged 4097 (< one min region left)', esz: 8192n, charged: 4097, sz: 8192n, b0: true, ml: false },
      { what: 'esz 8192, charged 8192', esz: 8192n, charged: 8192, sz: 8192n, b0: true, ml: true },
      { what: 'esz 8192, charged 9000 (overshoot)', esz: 8192n, charged: 9000, sz: 8192n, b0: true, ml: true },
      { what: 'esz 4095, nothing charged', esz: 4095n, charged: 0, goals: true, b0: true, ml: false },
      { what: 'esz 4096 (TEMPORAL+ms goal met), nothing charged', esz: 4096n, charged: 0, ms: 10, goals: true, b0: false, ml: false },
      { what: 'esz 1, charged 1', esz: 1n, charged: 1, goals: true, b0: true, ml: true },
      { what: 'esz ULONG_MAX/10000 (TEMPORAL, no sz)', esz: ULONG_MAX / 10000n, charged: 0, goals: true, b0: false, ml: false },
      { what: 'esz ULONG_MAX', esz: ULONG_MAX, charged: 123 * MiB, ms: 10, b0: false, ml: false },
    ];
    const b0 = profile('b0');
    const ml = profile('mainline-6.19');
    for (const row of rows) {
      const q = new DamosQuota();
      q.esz = row.esz;
      q.chargedSz = row.charged;
      q.sz = row.sz ?? 0n;
      q.ms = row.ms ?? 0;
      if (row.goals) q.goals = [userInputGoal()];
      expect(quotaIsFull(q, minSz, b0), `b0: ${row.what}`).toBe(row.b0);
      expect(quotaIsFull(q, minSz, ml), `mainline-6.19: ${row.what}`).toBe(row.ml);
    }
  });

  it('damos_charge_quota with fail charge ratio', () => {
    // docs example: region 1000 MiB, applied 700 MiB, ratio 1/1024 -> 700 MiB + 300 KiB.
    const q = new DamosQuota();
    q.failChargeNum = 1;
    q.failChargeDenom = 1024;
    chargeQuota(q, 1000 * MiB, 700 * MiB, profile('b1').failChargeRatio);
    expect(q.chargedSz).toBe(700 * MiB + 300 * KiB);
    // derived: charging accumulates.
    chargeQuota(q, 1000 * MiB, 700 * MiB, profile('b1').failChargeRatio);
    expect(q.chargedSz).toBe(2 * (700 * MiB + 300 * KiB));

    // derived (§4.3): denominator 0 -> the whole region is charged.
    const q0 = new DamosQuota();
    chargeQuota(q0, 1000 * MiB, 700 * MiB, true);
    expect(q0.chargedSz).toBe(1000 * MiB);
    // derived: applied > region -> the region size.
    const q1 = new DamosQuota();
    q1.failChargeNum = 1;
    q1.failChargeDenom = 1024;
    chargeQuota(q1, 4096, 8192, true);
    expect(q1.chargedSz).toBe(4096);
    // derived: mult_frac(4097 - 1, 3, 7) = 585*3 + (1*3)/7 = 1755 -> 1 + 1755.
    const q2 = new DamosQuota();
    q2.failChargeNum = 3;
    q2.failChargeDenom = 7;
    chargeQuota(q2, 4097, 1, true);
    expect(q2.chargedSz).toBe(1756);
    // derived: profiles without the ratio (b0) charge every tried byte.
    const qb0 = new DamosQuota();
    qb0.failChargeNum = 1;
    qb0.failChargeDenom = 1024;
    chargeQuota(qb0, 1000 * MiB, 700 * MiB, profile('b0').failChargeRatio);
    expect(qb0.chargedSz).toBe(1000 * MiB);
  });
});

describe('include/linux/jiffies.h (msecs_to_jiffies)', () => {
  it('msecs_to_jiffies for HZ 1000/250/100', () => {
    // MAX_JIFFY_OFFSET = ((LONG_MAX >> 1) - 1) = 2^62 - 2 on 64-bit; as a double that is 2^62.
    expect(MAX_JIFFY_OFFSET).toBe(Number(((2n ** 63n - 1n) >> 1n) - 1n));
    // derived: HZ dividing 1000 -> (m + 1000/HZ - 1) / (1000/HZ), i.e. rounded up to whole jiffies.
    const rows: Array<[number, number, number]> = [
      // [ms, HZ, jiffies]
      [0, 1000, 0],
      [1, 1000, 1],
      [1000, 1000, 1000],
      [2 ** 31 - 1, 1000, 2147483647],
      [0, 250, 0],
      [1, 250, 1],
      [4, 250, 1],
      [5, 250, 2],
      [999, 250, 250],
      [1000, 250, 250],
      [2 ** 31 - 1, 250, 536870912], // (2147483647 + 3) / 4
      [0, 100, 0],
      [1, 100, 1],
      [10, 100, 1],
      [11, 100, 2],
      [1000, 100, 100],
      [2 ** 31 - 1, 100, 214748365], // (2147483647 + 9) / 10
      // the argument is an unsigned int: 2^32 + 5 -> 5, 2^32 -> 0
      [2 ** 32 + 5, 1000, 5],
      [2 ** 32 + 5, 250, 2],
      [2 ** 32 + 5, 100, 1],
      [2 ** 32, 1000, 0],
    ];
    for (const [ms, hz, j] of rows) expect(msecsToJiffies(ms, hz), `msecs_to_jiffies(${ms}) @ HZ ${hz}`).toBe(j);
    // (int)m < 0, i.e. m >= 2^31 after truncation -> MAX_JIFFY_OFFSET
    for (const hz of [1000, 250, 100]) {
      for (const ms of [2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32 + 2 ** 31]) {
        expect(msecsToJiffies(ms, hz), `msecs_to_jiffies(${ms}) @ HZ ${hz}`).toBe(MAX_JIFFY_OFFSET);
      }
    }
  });
});
