// SPDX-License-Identifier: GPL-2.0-only
/**
 * Traps of damon-monitoring.md §11 and damos.md §10 that no kernel vector covers, each with the
 * numbers derived by hand from the spec's rules.
 */
import { describe, expect, it } from 'vitest';
import { newCtx, schemeLoggingOps } from './helpers/ctx.js';
import { accessRateWindow, updateRegionAccessRate } from '../src/damon/access.js';
import { defaultAttrs } from '../src/damon/attrs.js';
import type { DamonCtx } from '../src/damon/ctx.js';
import { Kdamond } from '../src/damon/kdamond.js';
import { kdamondMergeRegions } from '../src/damon/merge.js';
import { SplitState, applyMinNrRegions, kdamondSplitRegions } from '../src/damon/split.js';
import { DamonRegion, DamonTarget, SimulationLimitError, mergeInto, regionLimits } from '../src/damon/region.js';
import { kdamondApplySchemes } from '../src/damos/apply.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject, type DamosAction } from '../src/damos/scheme.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import { Prng, damonRandSpan } from '../src/lib/prng.js';
import type { DamonOperations } from '../src/ops/operations.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { ANY_PATTERN, paddrDamon } from './helpers/doc.js';

const KiB = 1024;
const GiB = 2 ** 30;

function scheme(action: DamosAction, quota = new DamosQuota()): Damos {
  const any = { minSzRegion: 0n, maxSzRegion: ULONG_MAX, minNrAccesses: 0, maxNrAccesses: 0xffff_ffff, minAgeRegion: 0, maxAgeRegion: 0xffff_ffff };
  return new Damos(any, action, 0, quota, { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true });
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
      expect(() => runScenario(scenario)).toThrow(/split target regions past 10000 .* at 4096\): the kernel would go on/);
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
