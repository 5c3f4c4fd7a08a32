// SPDX-License-Identifier: GPL-2.0-only
/**
 * Worked values of the spec that no other test asserted exactly (found by a coverage audit of
 * ../shared/spec against test/): the split rules (damon-monitoring.md §6), the region size limit
 * (§3.2, §3.3), the loop's start values and the intervals tuning grid (§2, §7.4, trap 18), the
 * effective quota's paths and the goal score (damos.md §4.4, §4.5, trap 6), the charge-resume
 * branches (§3.4) and damo's conversions (damo-formats.md §1).
 */
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx, stubOps } from './helpers/ctx.js';
import { defaultAttrs, type DamonAttrs } from '../src/damon/attrs.js';
import { tunedAttrs } from '../src/damon/intervals.js';
import { Kdamond } from '../src/damon/kdamond.js';
import { DamonRegion, DamonTarget, RegionWalk } from '../src/damon/region.js';
import { SplitState, applyMinNrRegions, kdamondSplitRegions, regionSzLimit, splitRegionsOf } from '../src/damon/split.js';
import { quotaScore } from '../src/damos/goals.js';
import { adjustQuota, setEffectiveQuota, skipChargedRegion } from '../src/damos/quota.js';
import { Damos, DamosQuota, type DamosQuotaGoal } from '../src/damos/scheme.js';
import { damoArgsToParams } from '../src/formats/damo/args.js';
import { formatBytesAccurate } from '../src/formats/damo/tree.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import { Prng } from '../src/lib/prng.js';

const A = defaultAttrs();
const W = { metric: 'none' as const, interval: 0, high: 0, mid: 0, low: 0, activated: true };

function target(ranges: Array<[number, number]>): DamonTarget {
  const t = new DamonTarget();
  for (const [s, e] of ranges) t.regions.push(new DamonRegion(s, e));
  return t;
}

/** `n` regions of `size` bytes, back to back from 0. */
function row(n: number, size: number): DamonTarget {
  return target(Array.from({ length: n }, (_, i): [number, number] => [i * size, (i + 1) * size]));
}

function goal(target: number, current: number): DamosQuotaGoal {
  return { metric: 'user_input', targetValue: BigInt(target), currentValue: BigInt(current), nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 };
}

function scheme(q: Partial<DamosQuota>): Damos {
  const quota = Object.assign(new DamosQuota(), q);
  return new Damos(MATCH_ALL, 'migrate_hot', 0, quota, W, 0);
}

describe('split (damon-monitoring.md §6)', () => {
  it('§6.1: above max_nr_regions / 2 nothing splits and last_nr_regions stays; at it, regions split and it is recorded', () => {
    const st = new SplitState();
    st.lastNrRegions = 77;
    const above = row(501, 40960);
    kdamondSplitRegions([above], A, 4096, st, new Prng(1, 'x'));
    expect(above.regions.length).toBe(501);
    expect(st.lastNrRegions).toBe(77);
    const at = row(500, 40960);
    kdamondSplitRegions([at], A, 4096, st, new Prng(1, 'x'));
    expect(at.regions.length).toBeGreaterThan(500);
    expect(st.lastNrRegions).toBe(500);
  });

  it('§6.1: three pieces a region only when the count is unchanged since the last split and below max_nr_regions / 3', () => {
    const maxPieces = (last: number, n: number, max: number): number => {
      let most = 0;
      for (let seed = 1; seed <= 300; seed++) {
        const st = new SplitState();
        st.lastNrRegions = last;
        const t = row(n, 1000);
        kdamondSplitRegions([t], { ...A, maxNrRegions: max }, 1, st, new Prng(seed, 'y'));
        for (let i = 0; i < n; i++) most = Math.max(most, t.regions.filter((r) => r.start >= i * 1000 && r.end <= (i + 1) * 1000).length);
      }
      return most;
    };
    expect(maxPieces(3, 3, 1000)).toBe(3);
    expect(maxPieces(0, 3, 1000)).toBe(2); // the count changed
    expect(maxPieces(3, 3, 9)).toBe(2); // 3 is not below floor(9 / 3)
    expect(maxPieces(2, 2, 8)).toBe(2); // 2 is not below floor(8 / 3)
    expect(maxPieces(2, 2, 9)).toBe(3);
  });

  it('§6.2: a 3-page region splits with probability 6/9, only at its page boundaries', () => {
    let splits = 0;
    const cuts = new Set<number>();
    const n = 9000;
    for (let seed = 1; seed <= n; seed++) {
      const t = target([[0, 12288]]);
      splitRegionsOf(t, 2, 4096, new Prng(seed, 'p'));
      if (t.regions.length > 1) {
        splits++;
        cuts.add(t.regions[0].end);
      }
    }
    expect(Math.abs(splits / n - 6 / 9)).toBeLessThan(0.02);
    expect([...cuts].sort((a, b) => a - b)).toEqual([4096, 8192]);
  });

  it('§3.2 / §3.3: the size limit is the total over min_nr_regions, not aligned, at least min_region_sz; apply_min_nr_regions aligns it up', () => {
    expect(regionSzLimit([target([[0, 1_000_000]])], A, 4096)).toBe(100_000);
    expect(regionSzLimit([target([[0, 8192]])], A, 4096)).toBe(4096);
    expect(regionSzLimit([target([[0, 500_000]]), target([[1e6, 1.5e6]])], A, 4096)).toBe(100_000);
    expect(applyMinNrRegions([target([[0, 1_000_000]])], A, 4096)).toBe(102_400);
  });
});

describe('the kdamond loop and the intervals goal (§2, §7.4)', () => {
  it('§2.1 / §2.2: start values, aggregation boundaries at 20, 40 and 60 samples, the first tuning at the third, the grid kept', () => {
    const ctx = newCtx({ ops: stubOps(), attrs: { intervalsGoal: { accessBp: 400, aggrs: 3, minSampleUs: 5000, maxSampleUs: 10_000_000 } } });
    ctx.targets = [target([[0, 40 * 4096]])];
    ctx.setAttrs({ ...ctx.attrs, aggrSamples: 0 });
    const k = new Kdamond(ctx);
    k.start();
    expect([ctx.nextAggregationSis, ctx.nextOpsUpdateSis, ctx.nextIntervalsTuneSis]).toEqual([20, 12000, 60]);
    const boundaries: number[] = [];
    for (let i = 0; i < 61; i++) {
      const before = ctx.nextAggregationSis;
      k.step();
      if (ctx.nextAggregationSis !== before) boundaries.push(ctx.passedSampleIntervals);
    }
    expect(boundaries).toEqual([20, 40, 60]);
    // No access seen (score 0): the intervals double, their ratio kept.
    expect([ctx.attrs.sampleInterval, ctx.attrs.aggrInterval, ctx.attrs.aggrSamples]).toEqual([10_000, 200_000, 20]);
    expect(ctx.nextIntervalsTuneSis).toBe(120);
    expect(ctx.nextAggregationSis).toBe(80);
  });

  it('§2.3: what damon_set_attrs() refuses, and aggr_samples from the intervals', () => {
    const ctx = newCtx();
    const goal = { accessBp: 400, aggrs: 3, minSampleUs: 5000, maxSampleUs: 10_000_000 };
    const base: DamonAttrs = { ...defaultAttrs(), intervalsGoal: goal };
    expect(ctx.setAttrs(base)).toBeNull();
    expect(ctx.setAttrs({ ...base, intervalsGoal: { ...goal, minSampleUs: 20_000_000 } })).not.toBeNull(); // min > max
    expect(ctx.setAttrs({ ...base, intervalsGoal: { ...goal, minSampleUs: 6000 } })).not.toBeNull(); // sample outside [min, max]
    expect(ctx.setAttrs({ ...base, intervalsGoal: { accessBp: 0, aggrs: 0, minSampleUs: 9, maxSampleUs: 1 } })).toBeNull(); // no goal: not checked
    expect(ctx.setAttrs({ ...defaultAttrs(), minNrRegions: 2 })).not.toBeNull();
    expect(ctx.setAttrs({ ...defaultAttrs(), minNrRegions: 3 })).toBeNull();
    ctx.setAttrs({ ...defaultAttrs(), aggrSamples: 0 });
    expect(ctx.attrs.aggrSamples).toBe(20);
  });

  it('trap 18: with aggr_samples 0 the tuning makes an aggregation interval of 0, which damon_set_attrs() refuses', () => {
    const a: DamonAttrs = { ...defaultAttrs(), aggrSamples: 0, intervalsGoal: { accessBp: 400, aggrs: 3, minSampleUs: 1000, maxSampleUs: 10_000_000 } };
    const next = tunedAttrs([target([[0, 409_600]])], a);
    expect(next?.aggrInterval).toBe(0);
    expect(newCtx().setAttrs(next as DamonAttrs)).not.toBeNull();
  });
});

describe('the effective quota and the goal score (damos.md §4.4, §4.5, trap 6)', () => {
  it('§4.4 TEMPORAL: under its goal without sz, esz is ULONG_MAX / 10000 (esz_bp ULONG_MAX); with sz, sz; met without ms, 0', () => {
    const free = scheme({ goals: [goal(10000, 0)], goalTuner: 'temporal', resetInterval: 1000 });
    setEffectiveQuota(newCtx(), free, 0);
    expect([free.quota.esz, free.quota.eszBp]).toEqual([1_844_674_407_370_955n, ULONG_MAX]);
    const capped = scheme({ goals: [goal(10000, 0)], goalTuner: 'temporal', sz: 200n * 1024n * 1024n });
    setEffectiveQuota(newCtx(), capped, 0);
    expect(capped.quota.esz).toBe(209_715_200n);
    const met = scheme({ goals: [goal(10000, 10000)], goalTuner: 'temporal', sz: 200n * 1024n * 1024n });
    setEffectiveQuota(newCtx(), met, 0);
    expect(met.quota.esz).toBe(0n);
  });

  it('§4.4: sz alone; the time quota from the charged throughput, capped by sz, at least min_region_sz', () => {
    const sz = scheme({ sz: 12345n });
    setEffectiveQuota(newCtx(), sz, 0);
    expect(sz.quota.esz).toBe(12345n);
    // 3 MiB in 2 ms: 1,572,864 bytes a ms, 10 ms of it.
    const ms = scheme({ ms: 10, totalChargedSz: 3 * 1048576, totalChargedNs: 2_000_000 });
    setEffectiveQuota(newCtx(), ms, 0);
    expect(ms.quota.esz).toBe(15_728_640n);
    const both = scheme({ ms: 10, sz: 1_000_000n, totalChargedSz: 3 * 1048576, totalChargedNs: 2_000_000 });
    setEffectiveQuota(newCtx(), both, 0);
    expect(both.quota.esz).toBe(1_000_000n);
    // 333 bytes a ms for 7 ms is 2,331 bytes: raised to one min_region_sz.
    const slow = scheme({ ms: 7, totalChargedSz: 1000, totalChargedNs: 3_000_000 });
    setEffectiveQuota(newCtx(), slow, 0);
    expect(slow.quota.esz).toBe(4096n);
  });

  it('§4.4 CONSIST: from score 0 esz_bp doubles, 12 windows to 40,960,000 (esz 4 KiB); over-achieving at 20000 drops it to 10000', () => {
    const s = scheme({ goals: [goal(10000, 0)], goalTuner: 'consist', resetInterval: 1000 });
    const ctx = newCtx();
    const seq: bigint[] = [];
    while (seq.length < 100 && (seq.at(-1) ?? 0n) < 40_960_000n) {
      setEffectiveQuota(ctx, s, 0);
      seq.push(s.quota.eszBp);
    }
    // From its start of 10000, each window's adjustment doubles it.
    expect(seq).toEqual(Array.from({ length: 12 }, (_, i) => 10000n << BigInt(i + 1)));
    const over = scheme({ goals: [goal(10000, 20000)], goalTuner: 'consist' });
    over.quota.eszBp = 10n ** 12n;
    setEffectiveQuota(newCtx(), over, 0);
    expect([over.quota.eszBp, over.quota.esz]).toEqual([10000n, 1n]);
  });

  it('§4.5: the score is the highest goal score, mult_frac(current, 10000, target); 0 without goals', () => {
    const s = scheme({ goals: [goal(6000, 3000), goal(4000, 7000), goal(3, 1)], goalTuner: 'consist' });
    expect(quotaScore(newCtx(), s, 0).score).toBe(17500n);
    expect(quotaScore(newCtx(), scheme({}), 0).score).toBe(0n);
  });

  it('trap 6: with reset_interval 0 the first adjustment steps CONSIST twice, then once a call', () => {
    const s = scheme({ goals: [goal(10000, 0)], goalTuner: 'consist', resetInterval: 0 });
    const ctx = newCtx();
    ctx.clock.now = 5e9;
    adjustQuota(ctx, s, 0);
    expect(s.quota.eszBp).toBe(40000n);
    ctx.clock.now += 1e6;
    adjustQuota(ctx, s, 0);
    expect(s.quota.eszBp).toBe(80000n);
  });
});

describe('damos_skip_charged_region() (damos.md §3.4)', () => {
  /** A visit of the first region with the charge resume point at `addrFrom` (in this target or another). */
  function skip(ranges: Array<[number, number]>, addrFrom: number, otherTarget = false): [boolean, Array<[number, number]>, boolean, number] {
    const t = target(ranges);
    const s = new Damos(MATCH_ALL, 'stat', 0, new DamosQuota(), W, 0);
    s.quota.chargeTargetFrom = otherTarget ? target([[0, 1]]) : t;
    s.quota.chargeAddrFrom = addrFrom;
    const w = new RegionWalk(t, true);
    w.next();
    const skipped = skipChargedRegion(w, s, 4096);
    w.finish();
    return [skipped, t.regions.map((x): [number, number] => [x.start, x.end]), s.quota.chargeTargetFrom === null, s.quota.chargeAddrFrom];
  }

  it('every branch', () => {
    expect(skip([[0, 8192], [8192, 16384]], 4096, true)[0]).toBe(true); // another target's
    expect(skip([[0, 8192]], 4096)).toEqual([true, [[0, 8192]], true, 0]); // the last region: cleared
    expect(skip([[0, 8192], [8192, 16384]], 8192)).toEqual([true, [[0, 8192], [8192, 16384]], false, 8192]); // ends at or before it
    expect(skip([[8192, 12288], [12288, 65536]], 8193)).toEqual([true, [[8192, 12288], [12288, 65536]], false, 8193]); // k 0, one page: no split
    expect(skip([[8192, 65536], [65536, 70000]], 8193)).toEqual([true, [[8192, 12288], [12288, 65536], [65536, 70000]], false, 8193]); // k 0: split at min_region_sz
    expect(skip([[8192, 65536], [65536, 70000]], 20000)).toEqual([true, [[8192, 16384], [16384, 65536], [65536, 70000]], false, 20000]); // k = ALIGN_DOWN(20000 − 8192)
    expect(skip([[8192, 65536], [65536, 70000]], 8192)).toEqual([false, [[8192, 65536], [65536, 70000]], true, 0]); // starts at it: cleared, applied
  });
});

describe("damo's conversions (damo-formats.md §1)", () => {
  it('addr_unit in six decimals; percent access rates and ages in intervals as damo truncates them', () => {
    expect(formatBytesAccurate(4096n)).toBe('4.000000 KiB');
    expect(formatBytesAccurate(1n)).toBe('1 B');
    const pattern = (rate: string[], age: string[]) =>
      damoArgsToParams(['--ops', 'paddr', '--damos_action', 'stat', '--damos_access_rate', ...rate, '--damos_age', ...age]).params[0].contexts[0].schemes[0].pattern;
    const p = pattern(['20%', '20%'], ['1.5s', '1.5s']);
    expect([p.minNrAccesses, p.maxNrAccesses, p.minAgeRegion, p.maxAgeRegion]).toEqual([4, 4, 15, 15]);
    const q = pattern(['1%', '1%'], ['0', 'max']);
    expect([q.minNrAccesses, q.maxNrAccesses]).toEqual([0, 0]);
    expect(pattern(['5%', 'max'], ['0', 'max']).minNrAccesses).toBe(1);
  });
});
