// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel-vector conformance for the DAMON monitoring core: one test per case of
 * mm/damon/tests/core-kunit.h (damon-monitoring.md §10, damos.md §8.2), plus the derived vectors
 * of damon-monitoring.md §4.2, §7.3/§7.4 and §10.20. Every number is the spec's, or "derived" by
 * hand from the spec's formulas (said so in a comment).
 */
import { describe, expect, it } from 'vitest';
import { newCtx as makeCtx, stubOps } from './helpers/ctx.js';
import { OpsRegistry } from '../src/ops/operations.js';
import {
  accessRateWindow,
  movingSum,
  mvsum,
  nrAccessesMvsum,
  updateRegionAccessRate,
} from '../src/damon/access.js';
import {
  attrsError,
  bpToNrAccesses,
  defaultAttrs,
  maxNrAccesses,
  nrAccessesToBp,
  updateMonitoringResult,
  type DamonAttrs,
} from '../src/damon/attrs.js';
import { DamonCtx } from '../src/damon/ctx.js';
import { feedLoopNextInput } from '../src/damon/feedloop.js';
import { intervalsAdaptationBp, intervalsScore, tunedAttrs } from '../src/damon/intervals.js';
import { mergeRegionsOf } from '../src/damon/merge.js';
import { DamonRegion, DamonTarget, commitTargetRegions, mergeInto, mergeTwoRegions, setRegions, splitRegionAt, type AddrRange } from '../src/damon/region.js';
import { kdamondResetAggregated } from '../src/damon/kdamond.js';
import { applyMinNrRegions, splitRegionsOf } from '../src/damon/split.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import { Prng } from '../src/lib/prng.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** `damon_new_ctx()`: default attrs, no targets, no schemes. */
function newCtx(attrs: DamonAttrs = defaultAttrs()): DamonCtx {
  return makeCtx({ attrs, label: 'kunit' });
}

function attrsOf(sampleInterval: number, aggrInterval: number): DamonAttrs {
  return { ...defaultAttrs(), sampleInterval, aggrInterval };
}

function region(start: number, end: number, nrAccesses = 0, age = 0, lastNrAccesses = 0): DamonRegion {
  const r = new DamonRegion(start, end);
  r.nrAccesses = nrAccesses;
  r.nrAccessesBp = nrAccesses * 10000;
  r.age = age;
  r.lastNrAccesses = lastNrAccesses;
  return r;
}

function targetOf(ranges: ReadonlyArray<readonly [number, number]>): DamonTarget {
  const t = new DamonTarget();
  for (const [s, e] of ranges) t.regions.push(new DamonRegion(s, e));
  return t;
}

function ranges(t: DamonTarget): Array<[number, number]> {
  return t.regions.map((r) => [r.start, r.end]);
}

/** The kernel's bit-mask ALIGN_DOWN(x, a) = x & ~(a - 1) (damon-monitoring.md §11 trap 3); x < 2^31 here. */
function maskAlignDown(x: number, a: number): number {
  return x & ~(a - 1);
}

/** The left-cut sizes §6.2 allows for a region of `size`: ALIGN_DOWN(floor(k*size/10), msz), k in 1..9. */
function cutSet(size: number, msz: number): Set<number> {
  const s = new Set<number>();
  for (let k = 1; k <= 9; k++) {
    const c = maskAlignDown(Math.floor((k * size) / 10), msz);
    if (c !== 0 && c < size) s.add(c);
  }
  return s;
}

/**
 * The spec's split algorithm (§6.2) replayed with a twin PRNG: the expected pieces of [start, end).
 * Used as an oracle only; the code under test is splitRegionsOf.
 */
function expectedSplit(start: number, end: number, nrSubs: number, msz: number, rng: Prng): Array<[number, number]> {
  let szRegion = end - start;
  const cuts: number[] = [];
  for (let i = 0; i < nrSubs - 1 && szRegion > 2 * msz; i++) {
    const k = rng.damonRand(1, 10);
    const szSub = maskAlignDown(Math.floor((k * szRegion) / 10), msz);
    if (szSub === 0 || szSub >= szRegion) continue;
    cuts.push(szSub);
    szRegion = szSub;
  }
  const bounds = [start, ...cuts.slice().reverse().map((c) => start + c), end];
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push([bounds[i], bounds[i + 1]]);
  return out;
}

/**
 * Structural checks of §6.2 for the pieces of one original region: contiguous, exact cover, at most
 * nrSubs pieces, every cut of the (left) remainder in the allowed cut set, counters copied.
 */
function checkPieces(pieces: DamonRegion[], start: number, end: number, nrSubs: number, msz: number): void {
  expect(pieces.length).toBeGreaterThanOrEqual(1);
  expect(pieces.length).toBeLessThanOrEqual(nrSubs);
  expect(pieces[0].start).toBe(start);
  expect(pieces[pieces.length - 1].end).toBe(end);
  for (let i = 0; i + 1 < pieces.length; i++) expect(pieces[i].end).toBe(pieces[i + 1].start);
  if (end - start <= 2 * msz) expect(pieces.length).toBe(1);
  // The first cut leaves [start, start + L1) and the last piece; further cuts split the left part.
  let remainder = end - start;
  for (let i = pieces.length - 1; i >= 1; i--) {
    const left = remainder - (pieces[i].end - pieces[i].start);
    expect(cutSet(remainder, msz).has(left)).toBe(true);
    remainder = left;
  }
  expect(pieces[0].end - pieces[0].start).toBe(remainder);
}

// ---------------------------------------------------------------------------------------------


/** The damon tree's rescaling of nr_accesses (mult_frac), which the kernel's kunit vectors here give either way. */
const B0_BP = { accessesBpMultFrac: true };
describe('mm/damon/tests/core-kunit.h', () => {
  it('damon_test_regions', () => {
    const r = new DamonRegion(1, 2);
    expect(r.start).toBe(1);
    expect(r.end).toBe(2);
    expect(r.nrAccesses).toBe(0);
    // derived (§1.2): every counter of damon_new_region is 0.
    expect(r.nrAccessesBp).toBe(0);
    expect(r.age).toBe(0);
    expect(r.lastNrAccesses).toBe(0);

    const t = new DamonTarget();
    expect(t.nrRegions).toBe(0);
    t.regions.push(r); // damon_add_region
    expect(t.nrRegions).toBe(1);
    t.regions.splice(t.regions.indexOf(r), 1); // damon_destroy_region
    expect(t.nrRegions).toBe(0);
  });

  it('damon_test_target', () => {
    const c = newCtx();
    expect(c.targets.length).toBe(0);
    const t = new DamonTarget();
    c.targets.push(t); // damon_add_target
    expect(c.targets.length).toBe(1);
    c.targets.splice(c.targets.indexOf(t), 1); // damon_destroy_target
    expect(c.targets.length).toBe(0);
  });

  it('damon_test_is_last_region', () => {
    const t = new DamonTarget();
    for (let i = 0; i < 4; i++) {
      const r = new DamonRegion(i * 2, (i + 1) * 2);
      t.regions.push(r);
      // damon_is_last_region(r, t) == (r is the tail of the list)
      expect(t.regions[t.regions.length - 1]).toBe(r);
    }
    expect(ranges(t)).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
      [6, 8],
    ]);
  });

  it('damon_test_aggregate', () => {
    const table: Array<Array<[number, number, number]>> = [
      [
        [10, 15, 42],
        [20, 27, 95],
        [30, 40, 84],
      ],
      [
        [5, 31, 10],
        [42, 45, 20],
        [49, 55, 30],
      ],
      [
        [13, 23, 0],
        [33, 44, 1],
        [55, 66, 2],
      ],
    ];
    const c = newCtx();
    for (const rows of table) {
      const t = new DamonTarget();
      for (const [s, e, nr] of rows) t.regions.push(region(s, e, nr, 7)); // Variant A: bp = nr * 10000
      c.targets.push(t);
    }
    kdamondResetAggregated(c.targets);
    expect(c.targets.length).toBe(3);
    c.targets.forEach((t, ti) => {
      expect(t.nrRegions).toBe(3);
      t.regions.forEach((r, ri) => {
        const [s, e, nr] = table[ti][ri];
        expect([r.start, r.end]).toEqual([s, e]);
        expect(r.nrAccesses).toBe(0);
        // derived (§4.3): last = the table value, bp = table x 10000, age untouched.
        expect(r.lastNrAccesses).toBe(nr);
        expect(r.nrAccessesBp).toBe(nr * 10000);
        expect(r.age).toBe(7);
      });
    });
  });

  it('damon_test_split_at', () => {
    const t = new DamonTarget();
    const r = region(0, 100, 42, 10, 15);
    expect(r.nrAccessesBp).toBe(420000);
    t.regions.push(r);
    splitRegionAt(t, 0, 25);
    expect(t.nrRegions).toBe(2);
    expect(ranges(t)).toEqual([
      [0, 25],
      [25, 100],
    ]);
    expect(t.regions[0]).toBe(r); // r keeps the left part
    const n = t.regions[1];
    expect(n.nrAccesses).toBe(r.nrAccesses);
    expect(n.nrAccessesBp).toBe(r.nrAccessesBp);
    expect(n.lastNrAccesses).toBe(r.lastNrAccesses);
    expect(n.age).toBe(r.age);
    // derived: the values themselves are unchanged.
    expect([n.nrAccesses, n.nrAccessesBp, n.lastNrAccesses, n.age]).toEqual([42, 420000, 15, 10]);
  });

  it('damon_test_merge_two', () => {
    const t = new DamonTarget();
    const l = region(0, 100, 10, 9);
    const r = region(100, 300, 20, 21);
    t.regions.push(l, r);
    mergeTwoRegions(t, 0);
    expect(t.nrRegions).toBe(1);
    expect(t.regions[0]).toBe(l); // the survivor is the left region object
    expect([l.start, l.end]).toEqual([0, 300]);
    expect(l.nrAccesses).toBe(16);
    expect(l.nrAccessesBp).toBe(160000);
    expect(l.age).toBe(17);
  });

  it('damon_test_merge_regions_of', () => {
    const starts = [0, 100, 114, 122, 130, 156, 170, 184, 230];
    const ends = [100, 112, 122, 130, 156, 170, 184, 230, 10170];
    const nrs = [0, 0, 10, 10, 20, 30, 1, 2, 5];
    const expected: Array<[number, number]> = [
      [0, 112],
      [114, 130],
      [130, 156],
      [156, 170],
      [170, 230],
      [230, 10170],
    ];
    // derived (§10.5): merged ages with / without the zero<->non-zero reset (v6.18+ / <= v6.17).
    const agesByProfile: Array<[boolean, number[]]> = [
      [true, [1, 0, 0, 0, 0, 0]],
      [false, [1, 0, 0, 0, 1, 1]],
    ];
    for (const [ageResetOnZeroTransition, ages] of agesByProfile) {
      const t = new DamonTarget();
      for (let i = 0; i < starts.length; i++) t.regions.push(region(starts[i], ends[i], nrs[i], 0, 0));
      mergeRegionsOf(t, 9, 9999, { ageResetOnZeroTransition });
      expect(t.nrRegions).toBe(6);
      expect(ranges(t)).toEqual(expected);
      // derived: merged nr_accesses.
      expect(t.regions.map((r) => r.nrAccesses)).toEqual([0, 10, 20, 30, 1, 5]);
      expect(t.regions.map((r) => r.age), `ageResetOnZeroTransition=${ageResetOnZeroTransition}`).toEqual(ages);
    }
  });

  it('damon_test_split_regions_of', () => {
    // Kernel upper bounds, checked for many seeds, plus the derived checks of §10.6: contiguity,
    // exact coverage, every cut in ALIGN_DOWN(floor(k*size/10), msz) for k in 1..9, counters
    // copied, and one PRNG draw per attempt (replayed with a twin generator).
    const cases: Array<{ regions: Array<[number, number]>; nrSubs: number; msz: number; max: number }> = [
      { regions: [[0, 22]], nrSubs: 2, msz: 1, max: 2 },
      { regions: [[0, 220]], nrSubs: 4, msz: 1, max: 4 },
      {
        regions: [
          [0, 220],
          [300, 400],
          [500, 700],
        ],
        nrSubs: 4,
        msz: 5,
        max: 12,
      },
    ];
    for (const c of cases) {
      for (let seed = 1; seed <= 200; seed++) {
        const t = targetOf(c.regions);
        for (const r of t.regions) {
          r.nrAccesses = 3;
          r.nrAccessesBp = 30000;
          r.lastNrAccesses = 4;
          r.age = 5;
        }
        const rng = new Prng(seed, 'split');
        const twin = new Prng(seed, 'split');
        splitRegionsOf(t, c.nrSubs, c.msz, rng);
        expect(t.nrRegions).toBeLessThanOrEqual(c.max);
        const expected: Array<[number, number]> = [];
        for (const [s, e] of c.regions) {
          const pieces = t.regions.filter((r) => r.start >= s && r.end <= e);
          checkPieces(pieces, s, e, c.nrSubs, c.msz);
          expected.push(...expectedSplit(s, e, c.nrSubs, c.msz, twin));
          for (const p of pieces) expect([p.nrAccesses, p.nrAccessesBp, p.lastNrAccesses, p.age]).toEqual([3, 30000, 4, 5]);
        }
        expect(ranges(t), `seed ${seed}`).toEqual(expected);
        expect(rng.nextU32(), 'same number of PRNG draws').toBe(twin.nextU32());
      }
    }
    // derived: over 200 seeds every ratio k = 1..9 shows up as the first cut of [0, 220) (msz 1).
    const seen = new Set<number>();
    for (let seed = 1; seed <= 200; seed++) {
      const t = targetOf([[0, 220]]);
      splitRegionsOf(t, 2, 1, new Prng(seed, 'ratios'));
      seen.add(t.regions[0].end);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([22, 44, 66, 88, 110, 132, 154, 176, 198]);
    // derived: regions of size <= 2 * msz are never split; a 3-unit region can be.
    for (let seed = 1; seed <= 50; seed++) {
      const t = targetOf([[0, 8192]]);
      splitRegionsOf(t, 3, 4096, new Prng(seed, 'small'));
      expect(ranges(t)).toEqual([[0, 8192]]);
    }
  });

  it('damon_test_set_regions', () => {
    const rows: Array<{ old: Array<[number, number]>; neu: AddrRange[]; expected: Array<[number, number]> }> = [
      {
        old: [],
        neu: [
          { start: 5, end: 15 },
          { start: 15, end: 25 },
        ],
        expected: [
          [5, 15],
          [15, 25],
        ],
      },
      {
        old: [
          [4, 16],
          [24, 32],
        ],
        neu: [{ start: 18, end: 23 }],
        expected: [[18, 23]],
      },
      {
        old: [
          [4, 16],
          [24, 32],
        ],
        neu: [{ start: 8, end: 28 }],
        expected: [
          [8, 16],
          [16, 24],
          [24, 28],
        ],
      },
      {
        old: [
          [0, 4],
          [4, 17],
        ],
        neu: [
          { start: 0, end: 15 },
          { start: 25, end: 40 },
        ],
        expected: [
          [0, 4],
          [4, 15],
          [25, 40],
        ],
      },
      {
        old: [
          [0, 4],
          [42, 52],
        ],
        neu: [
          { start: 0, end: 15 },
          { start: 25, end: 40 },
          { start: 44, end: 50 },
        ],
        expected: [
          [0, 15],
          [25, 40],
          [44, 50],
        ],
      },
    ];
    rows.forEach((row, i) => {
      const t = targetOf(row.old);
      setRegions(t, row.neu, 1);
      expect(t.nrRegions, `row ${i + 1}`).toBe(row.expected.length);
      expect(ranges(t), `row ${i + 1}`).toEqual(row.expected);
    });
  });

  it('damon_set_regions voids the sample probability of a region whose bounds it moves, and only then', () => {
    const keyed = () => {
      const t = targetOf([
        [0, 10],
        [10, 20],
        [20, 30],
      ]);
      for (const r of t.regions) r.opsProbKey = 7;
      return t;
    };
    // The same range: a no-op commit keeps every region as it was (byte-identical runs).
    const same = keyed();
    setRegions(same, [{ start: 0, end: 30 }], 1);
    expect(same.regions.map((r) => r.opsProbKey)).toEqual([7, 7, 7]);
    // A range that starts later and ends later: the first and last region moved, the middle did not.
    const moved = keyed();
    setRegions(moved, [{ start: 4, end: 33 }], 1);
    expect(ranges(moved)).toEqual([
      [4, 10],
      [10, 20],
      [20, 33],
    ]);
    expect(moved.regions.map((r) => r.opsProbKey)).toEqual([-1, 7, -1]);
  });

  it('damon_test_commit_target_regions', () => {
    // dst {[3,8), [8,10)} <- src {[4,6)} => {[4,6)}: damon_commit_target_regions calls
    // damon_set_regions with the source's ranges.
    const dst = targetOf([
      [3, 8],
      [8, 10],
    ]);
    setRegions(dst, [{ start: 4, end: 6 }], 1);
    expect(dst.nrRegions).toBe(1);
    expect(ranges(dst)).toEqual([[4, 6]]);

    // dst {[3,8), [8,10)} <- src {} => unchanged. The "source without regions leaves dst alone"
    // rule lives in damon_commit_target_regions, not in damon_set_regions (damon_set_regions with
    // zero ranges drops every region, §3.1 step 1).
    const dst2 = targetOf([
      [3, 8],
      [8, 10],
    ]);
    commitTargetRegions(dst2, new DamonTarget(), 1);
    expect(dst2.nrRegions).toBe(2);
    expect(ranges(dst2)).toEqual([
      [3, 8],
      [8, 10],
    ]);
  });

  it('damon_test_apply_min_nr_regions', () => {
    // (sz, min_region_sz, min_nr_regions) -> (returned max size, nr_regions)
    const rows: Array<[number, number, number, number, number]> = [
      [10, 1, 10, 1, 10],
      [10, 1, 15, 1, 10],
      [10, 2, 2, 6, 2],
      [10, 2, 10, 2, 5],
    ];
    for (const [sz, msz, minNr, maxSz, nr] of rows) {
      const t = targetOf([[0, sz]]);
      const attrs = { ...defaultAttrs(), minNrRegions: minNr };
      expect(applyMinNrRegions([t], attrs, msz), `sz ${sz} msz ${msz} min ${minNr}`).toBe(maxSz);
      expect(t.nrRegions, `sz ${sz} msz ${msz} min ${minNr}`).toBe(nr);
      // derived (§3.3): floor(sz/max) pieces of max, then the remainder, contiguous from 0.
      expect(t.regions[0].start).toBe(0);
      expect(t.regions[t.nrRegions - 1].end).toBe(sz);
      for (let i = 0; i + 1 < t.nrRegions; i++) {
        expect(t.regions[i].end - t.regions[i].start).toBe(maxSz);
        expect(t.regions[i].end).toBe(t.regions[i + 1].start);
      }
    }
  });

  it('apply_min_nr_regions over several targets: one size limit for all, each target cut (derived, §3.3)', () => {
    // 100 units in all, min_nr_regions 10: pieces of at most 10. Only the second target has a
    // region above that; the first is left alone, the second cut.
    const small = targetOf([
      [0, 10],
      [10, 20],
    ]);
    const big = targetOf([
      [100, 110],
      [110, 180],
    ]);
    const attrs = { ...defaultAttrs(), minNrRegions: 10 };
    expect(applyMinNrRegions([small, big], attrs, 1)).toBe(10);
    expect(ranges(small)).toEqual([
      [0, 10],
      [10, 20],
    ]);
    expect(ranges(big)).toEqual([[100, 110], ...Array.from({ length: 7 }, (_, i) => [110 + 10 * i, 120 + 10 * i])]);
    // The largest region may sit in the first target as well.
    const first = targetOf([[0, 90]]);
    const second = targetOf([[100, 110]]);
    expect(applyMinNrRegions([first, second], attrs, 1)).toBe(10);
    expect([first.nrRegions, second.nrRegions]).toEqual([9, 1]);
  });

  it('damon_test_nr_accesses_to_accesses_bp', () => {
    const attrs = attrsOf(10, 42949672960); // aggr = (UINT_MAX + 1) * 10
    expect(maxNrAccesses(attrs)).toBe(4294967295); // derived: clamped to UINT_MAX
    expect(nrAccessesToBp(123, attrs, true)).toBe(0);
    expect(nrAccessesToBp(123, attrs, false)).toBe(0);
  });

  it('damon_test_update_monitoring_result', () => {
    const oldAttrs = attrsOf(10, 1000);
    const r = region(3, 7, 15, 20);
    expect(r.nrAccessesBp).toBe(150000);
    const rows: Array<[number, number, number, number]> = [
      [100, 10000, 15, 2],
      [1, 1000, 150, 2],
      [1, 100, 150, 20],
    ];
    for (const [sample, aggr, nr, age] of rows) {
      updateMonitoringResult(r, oldAttrs, attrsOf(sample, aggr), false, B0_BP);
      expect(r.nrAccesses, `{${sample}, ${aggr}}`).toBe(nr);
      expect(r.age, `{${sample}, ${aggr}}`).toBe(age);
      expect(r.nrAccessesBp, `{${sample}, ${aggr}} (derived)`).toBe(nr * 10000);
    }
  });

  it('damon_test_set_attrs', () => {
    const valid: DamonAttrs = { ...defaultAttrs(), minNrRegions: 10, maxNrRegions: 1000, sampleInterval: 5000, aggrInterval: 100000 };
    expect(attrsError(valid)).toBeNull();
    const c = newCtx();
    expect(c.setAttrs(valid)).toBeNull();

    const invalid: DamonAttrs[] = [
      { ...valid, minNrRegions: 1 },
      { ...valid, maxNrRegions: 9 },
      { ...valid, aggrInterval: 4999 },
    ];
    for (const a of invalid) {
      expect(attrsError(a)).not.toBeNull();
      const before = JSON.stringify(c.attrs);
      expect(c.setAttrs(a)).not.toBeNull();
      // derived (§2.3): -EINVAL is returned before anything changes.
      expect(JSON.stringify(c.attrs)).toBe(before);
    }
  });

  it('damon_test_moving_sum', () => {
    const inputs = [10000, 0, 10000, 0, 0, 0, 10000, 0, 0, 0];
    const expected = [55000, 50000, 55000, 50000, 45000, 40000, 45000, 40000, 35000, 30000];
    let mv = 50000;
    inputs.forEach((v, i) => {
      mv = movingSum(mv, 50000, 10, v);
      expect(mv, `step ${i + 1}`).toBe(expected[i]);
    });

    // derived edge vectors (§10.14, §4.2):
    // len 33, last 1, 33 samples not accessed: 10000 - 33 * floor(10000/33) = 10000 - 33*303 = 1.
    const r = region(0, 4096, 0, 0, 1);
    r.nrAccessesBp = 10000;
    for (let i = 0; i < 33; i++) updateRegionAccessRate(r, false, 33);
    expect(r.nrAccessesBp).toBe(1);
    expect(r.nrAccesses).toBe(0);
    // len 100000 (sample 1 us, aggr 100 ms), last 1: floor(10000/100000) = 0 is subtracted.
    expect(accessRateWindow(attrsOf(1, 100000))).toBe(100000);
    const r2 = region(0, 4096, 0, 0, 1);
    r2.nrAccessesBp = 10000;
    for (let i = 0; i < 5; i++) updateRegionAccessRate(r2, false, 100000);
    expect(r2.nrAccessesBp).toBe(10000);
    updateRegionAccessRate(r2, true, 100000);
    expect(r2.nrAccessesBp).toBe(20000);
    expect(r2.nrAccesses).toBe(1);
    // sample_interval 0: window 1; last 1 subtracts 10000 per sample, the second sample wraps the
    // u32: 0 - 10000 = 2^32 - 10000 = 4294957296.
    expect(accessRateWindow(attrsOf(0, 100000))).toBe(1);
    const r3 = region(0, 4096, 0, 0, 1);
    r3.nrAccessesBp = 10000;
    updateRegionAccessRate(r3, false, 1);
    expect(r3.nrAccessesBp).toBe(0);
    updateRegionAccessRate(r3, false, 1);
    expect(r3.nrAccessesBp).toBe(4294957296);
  });

  it('damon_test_mvsum', () => {
    const rows: Array<[number, number, number, number]> = [
      [0, 49, 10000, 49],
      [3, 10, 7000, 10],
      [3, 10, 5000, 8],
      [32, 100, 1000, 42],
      [42, 49, 0, 42],
    ];
    for (const [cur, last, bp, want] of rows) expect(mvsum(cur, last, bp), `(${cur}, ${last}, ${bp})`).toBe(want);
  });

  it('damon_test_nr_accesses_mvsum', () => {
    const attrs = attrsOf(1, 10);
    // (passed_sample_intervals, next_aggregation_sis, nr_accesses, last_nr_accesses) -> expect
    const rows: Array<[number, number, number, number, number]> = [
      [0, 10, 5, 3, 3], // full window left, unreset
      [0, 10, 0, 7, 7], // full window left, reset
      [5, 10, 3, 10, 8],
      [8, 10, 3, 10, 5],
      [10, 10, 42, 49, 42],
    ];
    for (const [passed, next, nr, last, want] of rows) {
      const r = region(0, 4096, nr, 0, last);
      expect(nrAccessesMvsum(r, attrs, passed, next), `(${passed}, ${next}, ${nr}, ${last})`).toBe(want);
    }
  });

  it('damon_test_feed_loop_next_input', () => {
    const f = feedLoopNextInput;
    // kernel assertions
    expect(f(900000n, 200n)).toBeGreaterThan(900000n);
    expect(f(900000n, 250000000n)).toBeLessThan(900000n);
    expect(f(900000n, 200n)).toBeGreaterThan(f(900000n, 2000n));
    // derived exact values (§10.16) and damos.md §4.6's worked-vector table
    const rows: Array<[bigint, bigint, bigint]> = [
      [10000n, 0n, 20000n],
      [10000n, 5000n, 15000n],
      [10000n, 10000n, 10000n],
      [10000n, 15000n, 10000n],
      [100000n, 15000n, 50000n],
      [100000n, 19999n, 10000n],
      [900000n, 200n, 1782000n],
      [900000n, 2000n, 1620000n],
      [900000n, 250000000n, 10000n],
    ];
    for (const [last, score, next] of rows) expect(f(last, score), `f(${last}, ${score})`).toBe(next);
    // "any | >= 20000 | 10000"
    for (const last of [0n, 1n, 10000n, 123456789n, ULONG_MAX]) {
      for (const score of [20000n, 20001n, 1000000n, ULONG_MAX]) expect(f(last, score), `f(${last}, ${score})`).toBe(10000n);
    }
    // f(x, 10000) = x
    for (const x of [0n, 1n, 900000n, ULONG_MAX]) expect(f(x, 10000n)).toBe(x);
    // derived: saturation at ULONG_MAX (score 0 doubles; ULONG_MAX >= ULONG_MAX/10000 takes the
    // (last/GOAL)*diff branch, then last + comp would pass ULONG_MAX).
    expect(f(ULONG_MAX, 0n)).toBe(ULONG_MAX);
    expect(f(ULONG_MAX - 1n, 5000n)).toBe(ULONG_MAX);
  });

  it('damon_test_rand', () => {
    const rng = new Prng(2026, 'damon_test_rand');
    const seen = new Set<number>();
    for (let i = 0; i < 10000; i++) {
      const x = rng.damonRand(0, 10);
      expect(Number.isInteger(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(9);
      seen.add(x);
    }
    // derived: 10000 uniform draws over 10 values hit every value.
    expect(seen.size).toBe(10);
  });
});

describe('mm/damon/core.c (derived vectors, damon-monitoring.md §10.20, §7)', () => {
  it('bp_to_nr / nr_to_bp (§10.20)', () => {
    const max1e6 = attrsOf(1, 1000000);
    expect(maxNrAccesses(max1e6)).toBe(1000000);
    // floor(u32(10000 * 10^6) / 10000) = floor(1410065408 / 10000) = 141006 (u32 wrap)
    expect(bpToNrAccesses(10000, max1e6)).toBe(141006);
    const max3 = attrsOf(1, 3);
    expect(nrAccessesToBp(1, max3, true)).toBe(3333);
    expect(bpToNrAccesses(3333, max3)).toBe(0);
  });

  it('64-bit products wrap: merged age (§5.3) and age for new attrs (§4.5)', () => {
    // Two 1 TiB regions aged 2^24: 2^24 * 2^40 * 2 = 2^65 wraps to 0 -> age 0. Ages 2^24 and
    // 2^24 - 1: (2^65 - 2^40) mod 2^64 = 2^64 - 2^40, / 2^41 = 2^23 - 0.5 -> 8388607.
    const T = 2 ** 40;
    const merged = (la: number, ra: number) => {
      const l = new DamonRegion(0, T);
      const r = new DamonRegion(T, 2 * T);
      l.age = la;
      r.age = ra;
      mergeInto(l, r);
      return l.age;
    };
    expect(merged(2 ** 24, 2 ** 24)).toBe(0);
    expect(merged(2 ** 24, 2 ** 24 - 1)).toBe(8388607);
    expect(merged(2 ** 10, 2 ** 10)).toBe(2 ** 10); // no overflow: the plain average
    // age 2^31 at aggr 2^34 us: 2^65 wraps to 0 -> 0 at any new aggr (2^31 without the wrap).
    const r = new DamonRegion(0, 4096);
    r.age = 2 ** 31;
    const big = { ...defaultAttrs(), sampleInterval: 2 ** 30, aggrInterval: 2 ** 34 };
    updateMonitoringResult(r, big, { ...big }, true, B0_BP);
    expect(r.age).toBe(0);
    // The quotient itself can pass 2^53: age 2^32 - 1 at aggr 2^21 + 1 us, rescaled to aggr 1 us:
    // (2^53 + 2^32 - 2^21 - 1) mod 2^32 = 4292870143 (2^40 + 1 us: the u64 product wraps too).
    const rescaled = (oldAggr: number) => {
      const x = new DamonRegion(0, 4096);
      x.age = 2 ** 32 - 1;
      updateMonitoringResult(x, { ...defaultAttrs(), sampleInterval: 1, aggrInterval: oldAggr }, { ...defaultAttrs(), sampleInterval: 1, aggrInterval: 1 }, true, B0_BP);
      return x.age;
    };
    expect(rescaled(2 ** 21 + 1)).toBe(4292870143);
    expect(rescaled(2 ** 40 + 1)).toBe(4294967295);
  });

  it('intervals auto-tuning table (§7.4)', () => {
    const attrs: DamonAttrs = {
      ...defaultAttrs(),
      sampleInterval: 5000,
      aggrInterval: 100000,
      aggrSamples: 20,
      intervalsGoal: { accessBp: 400, aggrs: 3, minSampleUs: 1000, maxSampleUs: 10_000_000 },
    };
    // nr_accesses | score | adaptation_bp | new sample | new aggr
    const rows: Array<[number, bigint, number, number, number]> = [
      [0, 0n, 20000, 10000, 200000],
      [1, 12500n, 8750, 4375, 87500],
      [2, 25000n, 5000, 2500, 50000],
    ];
    for (const [nr, score, a, sample, aggr] of rows) {
      const t = targetOf([[0, 409600]]);
      t.regions[0].nrAccesses = nr;
      expect(intervalsScore([t], attrs), `nr ${nr}`).toBe(score);
      expect(intervalsAdaptationBp(score), `nr ${nr}`).toBe(a);
      const next = tunedAttrs([t], attrs);
      expect(next, `nr ${nr}`).not.toBeNull();
      expect(next?.sampleInterval, `nr ${nr}`).toBe(sample);
      expect(next?.aggrInterval, `nr ${nr}`).toBe(aggr);
      expect(next?.aggrSamples, `nr ${nr}`).toBe(20); // never changed by tuning
    }
    // derived closed form of §7.3
    expect(intervalsAdaptationBp(10000n)).toBe(10000);
    expect(intervalsAdaptationBp(5000n)).toBe(15000); // 20000 - score
    expect(intervalsAdaptationBp(15000n)).toBe(7500); // 5000 + (20000 - 15000) / 2
    expect(intervalsAdaptationBp(20000n)).toBe(5000);
    expect(intervalsAdaptationBp(ULONG_MAX)).toBe(5000);
  });

  it('damon_test_ops_registration', () => {
    // damon-sim implements only paddr; the kernel test's rules on a registry holding it:
    // a registered id selects, registering it again or an id outside enum damon_ops_id is -EINVAL,
    // selecting one nobody registered is -EINVAL.
    const reg = new OpsRegistry<void>();
    expect(reg.select('paddr')).toBe(-22);
    expect(reg.register('paddr', () => stubOps())).toBe(0);
    expect(reg.isRegistered('paddr')).toBe(true);
    expect(reg.select('paddr')).toBe(0);
    expect(reg.register('paddr', () => stubOps())).toBe(-22);
    expect(reg.register('NR_DAMON_OPS', () => stubOps())).toBe(-22);
    expect(reg.select('vaddr')).toBe(-22);
  });
});

// Not a kunit case: read from damon_merge_regions_of() and include/linux/math.h.
describe('damon_merge_regions_of() beyond the kunit cases', () => {
  it('merge and age compare u32 counters as the kernel\'s abs() does: a difference past 2^31 wraps (2^32 minus it)', () => {
    // nr_accesses 3.9e9 against 1: the kernel's abs() reads the wrapped u32 difference as an int,
    // 394967297, under a threshold of UINT_MAX / 10 = 429496729 (the spec says "true absolute
    // difference", which would be 3899999999, over it).
    const thres = Math.floor(0xffff_ffff / 10);
    const aged = new DamonTarget();
    aged.regions.push(region(0, 4096, 3_900_000_000, 7, 1));
    mergeRegionsOf(aged, thres, 1 << 30, { ageResetOnZeroTransition: true });
    expect(aged.regions[0].age).toBe(8);
    const merged = new DamonTarget();
    merged.regions.push(region(0, 4096, 1, 0, 1), region(4096, 8192, 3_900_000_000, 0, 3_900_000_000));
    mergeRegionsOf(merged, thres, 1 << 30, { ageResetOnZeroTransition: true });
    expect(merged.nrRegions).toBe(1);
  });
});
