// SPDX-License-Identifier: GPL-2.0-only
/**
 * Piece runs (src/damon/region.ts PieceRun): B0's apply pass keeps the quota-sized pieces a
 * rejecting core filter leaves as columns behind one carrier region, and the code that meets them
 * before anything else looks (the region sampler, the merge passes, kdamond_reset_aggregated, the
 * region counts) works on the columns. All of it must do exactly what it does to the region
 * objects the pieces stand for: every case here runs the same steps on a list with runs and on its
 * expanded copy and compares every field of every region (the apply pass that makes runs, and the
 * preset with and without them, are in apply-shortcuts.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultAttrs } from '../src/damon/attrs.js';
import { kdamondResetAggregated } from '../src/damon/kdamond.js';
import { MAX_MERGE_PASSES, kdamondMergeRegions, mergeRegionsOf } from '../src/damon/merge.js';
import { DamonRegion, DamonTarget, PieceRun } from '../src/damon/region.js';
import { regionSzLimit } from '../src/damon/split.js';
import { Prng } from '../src/lib/prng.js';
import { YoungMap } from '../src/machine/young.js';
import { RegionSampler, threshOf } from '../src/ops/sampler.js';
import { mapOfLengths } from './helpers/young.js';

const PAGE = 4096;


interface EntrySpec {
  gap: boolean;
  pages: number;
  /** Pieces after the carrier; 0: a plain region. */
  pieces: number;
  age: number;
  nr: number;
  last: number;
  bpExtra: number;
  /** Per-piece nr_accesses offsets (a run's pieces need not have one nr_accesses; the carrier's last_nr_accesses moves by half of its own). */
  jitter: readonly number[];
}

/** Two lists of the same regions: `runs` keeps pieces in runs, `plain` has them as objects. */
function build(targets: EntrySpec[][]): { runs: DamonTarget[]; plain: DamonTarget[] } {
  const runs: DamonTarget[] = [];
  const plain: DamonTarget[] = [];
  targets.forEach((entries, ti) => {
    const rt = new DamonTarget();
    const pt = new DamonTarget();
    const raw: DamonRegion[] = [];
    let hidden = 0;
    let at = ti * 1_000_000 * PAGE;
    for (const e of entries) {
      if (e.gap) at += PAGE;
      const sz = e.pages * PAGE;
      const make = (start: number, k: number): DamonRegion => {
        const r = new DamonRegion(start, start + sz);
        const j = e.jitter.length ? e.jitter[k % e.jitter.length] : 0;
        r.age = e.age;
        r.nrAccesses = e.nr + j;
        r.lastNrAccesses = e.last + (j >> 1);
        r.nrAccessesBp = r.nrAccesses * 10000 + e.bpExtra;
        return r;
      };
      const carrier = make(at, 0);
      raw.push(carrier);
      pt.regions.push(make(at, 0));
      if (e.pieces > 0) {
        // A run's pieces share last_nr_accesses, and each one's nr_accesses_bp is the run's
        // plus 10000 per access its nr_accesses has above the run's (the states a run can be in).
        const base = new DamonRegion(0, sz);
        Object.assign(base, { nrAccesses: e.nr, lastNrAccesses: e.last, nrAccessesBp: e.nr * 10000 + e.bpExtra });
        const run = new PieceRun(e.pieces, sz, base);
        if (e.jitter.length > 0) run.nrAccesses = new Uint32Array(e.pieces);
        for (let i = 0; i < e.pieces; i++) {
          const j = e.jitter.length ? e.jitter[(i + 1) % e.jitter.length] : 0;
          const p = new DamonRegion(at + (i + 1) * sz, at + (i + 2) * sz);
          Object.assign(p, { age: e.age, nrAccesses: e.nr + j, lastNrAccesses: e.last, nrAccessesBp: e.nr * 10000 + e.bpExtra + 10000 * j });
          if (run.nrAccesses) run.nrAccesses[i] = p.nrAccesses;
          pt.regions.push(p);
        }
        carrier.run = run;
        hidden += e.pieces;
      }
      at += (e.pieces + 1) * sz;
    }
    rt.setRawRegions(raw, hidden);
    runs.push(rt);
    plain.push(pt);
  });
  return { runs, plain };
}

/** Every field of every region (the getter turns runs into regions first). */
const fields = (ts: DamonTarget[]) => ts.map((t) => t.regions.map((r) => ({ ...r })));

/** A young map over [0, end) with a few segments of different probabilities. */
function youngMap(end: number, cuts: number[], probs: number[]): YoungMap {
  const starts = [0, ...cuts.map((c) => Math.floor(c * end) - (Math.floor(c * end) % PAGE))].filter((v, i, a) => i === 0 || v > a[i - 1]);
  return new YoungMap(
    starts,
    starts.map((_, i) => probs[i % probs.length]),
    end,
  );
}

type Step =
  | { kind: 'sample'; n: number }
  | { kind: 'map' }
  | { kind: 'sync' }
  | { kind: 'reset' }
  | { kind: 'peek' }
  | { kind: 'unit' }
  | { kind: 'rawreset' }
  | { kind: 'syncTo'; back: number }
  | { kind: 'long'; n: number }
  | { kind: 'aggregate'; thres: number; szLimitPages: number; maxNr: number; single: boolean };

const entryArb: fc.Arbitrary<EntrySpec> = fc.record({
  gap: fc.boolean(),
  // 2^20 pages: pieces of 4 GiB, past damon_rand's 32-bit span (look()'s piece-by-piece path).
  pages: fc.constantFrom(1, 1, 2, 3, 16, 1 << 20),
  pieces: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 20, max: 300 })),
  age: fc.constantFrom(0, 1, 7),
  nr: fc.constantFrom(0, 1, 5, 20),
  last: fc.constantFrom(0, 1, 4),
  bpExtra: fc.constantFrom(0, 0, 777),
  jitter: fc.oneof(fc.constant([]), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 })),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('sample' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('map' as const) }),
  fc.record({ kind: fc.constant('sync' as const) }),
  // kdamond_reset_aggregated() alone: the apply pass that makes runs comes between the merge and it.
  fc.record({ kind: fc.constant('reset' as const) }),
  // The regions as objects at any point of a block (the getter turns runs into regions).
  fc.record({ kind: fc.constant('peek' as const) }),
  // addr_unit between 1 and 2 (a commit: every probability is void).
  fc.record({ kind: fc.constant('unit' as const) }),
  // kdamond_reset_aggregated() with no sync before it, on runs sampling may have set apart.
  fc.record({ kind: fc.constant('rawreset' as const) }),
  // A sync up to a sample already settled (nothing to add).
  fc.record({ kind: fc.constant('syncTo' as const), back: fc.integer({ min: 0, max: 3 }) }),
  // Blocks that end before later samples, so they run out without a sync and new ones are drawn
  // (a whole block settled into a run, then its next block).
  fc.record({ kind: fc.constant('long' as const), n: fc.integer({ min: 9, max: 40 }) }),
  fc.record({
    kind: fc.constant('aggregate' as const),
    thres: fc.constantFrom(0, 1, 2, 5),
    szLimitPages: fc.constantFrom(1, 4, 64, 100_000),
    maxNr: fc.constantFrom(1, 10, 1000),
    single: fc.boolean(),
  }),
);

/** The same steps on a list: what the sampler and the merges return, in order. */
function drive(targets: DamonTarget[], steps: Step[], seed: number, maps: [YoungMap, YoungMap], ageResetOnZeroTransition: boolean): unknown[] {
  const rng = new Prng(seed, 'runs');
  const sampler = new RegionSampler(rng);
  let map = maps[0];
  const lenWindow = 20;
  let sis = 0;
  let nextAggr = 10;
  const out: unknown[] = [];
  let unit = 1;
  for (const st of steps) {
    if (st.kind === 'peek') {
      out.push(['peek', fields(targets)]);
    } else if (st.kind === 'unit') {
      unit = unit === 1 ? 2 : 1;
    } else if (st.kind === 'rawreset') {
      kdamondResetAggregated(targets);
    } else if (st.kind === 'syncTo') {
      out.push(['syncTo', sampler.sync(targets, lenWindow, sis - st.back)]);
    } else if (st.kind === 'long') {
      const end = sis + 3;
      for (let k = 0; k < st.n; k++) {
        sis++;
        sampler.sample(targets, map, unit, lenWindow, sis, Math.max(sis, end + 5 * Math.floor(k / 5)));
      }
      if (sis > nextAggr) nextAggr = sis + 10;
    } else if (st.kind === 'sample') {
      for (let k = 0; k < st.n; k++) {
        sis++;
        if (sis > nextAggr) nextAggr += 10;
        sampler.sample(targets, map, unit, lenWindow, sis, Math.max(sis, nextAggr));
      }
    } else if (st.kind === 'map') {
      map = map === maps[0] ? maps[1] : maps[0];
    } else if (st.kind === 'sync') {
      out.push(['sync', sampler.sync(targets, lenWindow, sis)]);
    } else if (st.kind === 'reset') {
      sampler.sync(targets, lenWindow, sis);
      kdamondResetAggregated(targets);
      nextAggr = sis + 10;
    } else {
      out.push(['max', sampler.sync(targets, lenWindow, sis)]);
      const attrs = { ...defaultAttrs(), maxNrRegions: st.maxNr };
      if (st.single) for (const t of targets) mergeRegionsOf(t, st.thres, st.szLimitPages * PAGE, { ageResetOnZeroTransition });
      else kdamondMergeRegions(targets, attrs, st.thres, st.szLimitPages * PAGE, { ageResetOnZeroTransition });
      out.push(['nr', targets.map((t) => t.nrRegions)]);
      // What the apply pass reads before the reset rewrites nr_accesses_bp (from the review).
      out.push(['merged', fields(targets)]);
      kdamondResetAggregated(targets);
      nextAggr = sis + 10;
    }
    out.push(['count', targets.map((t) => t.nrRegions)]);
  }
  return out;
}

describe('piece runs: the region code that reads them does what it does to the regions they stand for', () => {
  it('a run stands for its regions: counts, size limit, and the regions it turns into', () => {
    const { runs, plain } = build([[{ gap: false, pages: 2, pieces: 9, age: 3, nr: 4, last: 2, bpExtra: 5, jitter: [0, 1] }, { gap: true, pages: 1, pieces: 0, age: 1, nr: 0, last: 0, bpExtra: 0, jitter: [] }]]);
    expect(runs[0].rawRegions.length).toBe(2);
    expect(runs[0].nrRegions).toBe(11);
    const attrs = { ...defaultAttrs(), minNrRegions: 3 };
    // 10 pieces of 2 pages and 1 page: 21 pages over min_nr_regions 3.
    expect(regionSzLimit(runs, attrs, PAGE)).toBe(7 * PAGE);
    expect(regionSzLimit(plain, attrs, PAGE)).toBe(7 * PAGE);
    expect(fields(runs)).toEqual(fields(plain));
    expect(runs[0].rawRegions.length).toBe(11);
    expect(runs[0].regions[10].start).toBe(21 * PAGE);
  });

  it('the merge passes keep targets apart where one ends at the next one\'s start', () => {
    const spec = (pieces: number): EntrySpec => ({ gap: false, pages: 1, pieces, age: 2, nr: 3, last: 3, bpExtra: 0, jitter: [] });
    const { runs, plain } = build([[spec(40)], [spec(40)]]);
    // Move the second target to start where the first ends.
    const shift = (ts: DamonTarget[]) => {
      const by = ts[1].rawRegions[0].start - 41 * PAGE;
      for (const r of ts[1].rawRegions) {
        r.start -= by;
        r.end -= by;
      }
    };
    shift(runs);
    shift(plain);
    expect(runs[0].nrRegions + runs[1].nrRegions).toBe(82);
    const attrs = { ...defaultAttrs(), maxNrRegions: 1 };
    for (const ts of [runs, plain]) kdamondMergeRegions(ts, attrs, 0, 1000 * PAGE, { ageResetOnZeroTransition: true });
    expect(runs.map((t) => t.nrRegions)).toEqual([1, 1]);
    expect(fields(runs)).toEqual(fields(plain));
    expect(runs[1].regions[0].start).toBe(41 * PAGE);
  });

  it("a sync's largest nr_accesses counts a run whose whole block settled from 0 (the hits array becomes its nr_accesses)", () => {
    // A carrier on memory never accessed and 300 pieces on memory accessed half the time: the
    // largest count is a piece's, from the settle that makes the run's hits its nr_accesses.
    const { runs, plain } = build([[{ gap: false, pages: 1, pieces: 300, age: 0, nr: 0, last: 0, bpExtra: 0, jitter: [] }]]);
    const carrierEnd = runs[0].rawRegions[0].end;
    const map = new YoungMap([0, carrierEnd], [0, 0.5], 1 << 30);
    const maxes = [runs, plain].map((ts) => {
      const sampler = new RegionSampler(new Prng(9, 'runs'));
      for (let sis = 1; sis <= 20; sis++) sampler.sample(ts, map, 1, 20, sis, 20);
      return sampler.sync(ts, 20, 20);
    });
    expect(maxes[0]).toBe(maxes[1]);
    expect(maxes[0]).toBeGreaterThan(10);
    expect(runs[0].rawRegions[0].nrAccesses).toBe(0);
    expect(fields(runs)).toEqual(fields(plain));
  });

  it('a threshold that wraps at 2^32 (aggr / sample past 2^30) stops after MAX_MERGE_PASSES passes, with runs and without', () => {
    const spec = (pieces: number): EntrySpec => ({ gap: true, pages: 1, pieces, age: 0, nr: 0, last: 0, bpExtra: 0, jitter: [] });
    // Four groups with gaps between them can never merge below max_nr_regions 3.
    const { runs, plain } = build([[spec(30), spec(0), spec(0), spec(0)]]);
    const attrs = { ...defaultAttrs(), sampleInterval: 1, aggrInterval: 2 ** 31, maxNrRegions: 3 };
    for (const ts of [runs, plain]) kdamondMergeRegions(ts, attrs, 0, 1000 * PAGE, { ageResetOnZeroTransition: true });
    expect(fields(runs)).toEqual(fields(plain));
    expect(runs[0].nrRegions).toBe(4);
    // Every pass ages every region by one (nr_accesses 0 stays within each threshold).
    expect(runs[0].regions.map((r) => r.age)).toEqual([MAX_MERGE_PASSES, MAX_MERGE_PASSES, MAX_MERGE_PASSES, MAX_MERGE_PASSES]);
  });

  it("YoungMap.meanProbRow gives each piece of a row the draw threshold look() gives its region, threshOf(meanProb(a, mass(a), b, mass(b)))", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 0, maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 120 }),
        (lens, probs, x0, step, count) => {
          const map = mapOfLengths(7, lens, probs);
          const out = new Uint32Array(count);
          map.meanProbRow(x0, step, count, 2 ** 31, out);
          for (let k = 0; k < count; k++) {
            const a = x0 + k * step;
            expect(out[k]).toBe(threshOf(YoungMap.meanProb(a, map.mass(a), a + step, map.mass(a + step))));
          }
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('random lists, samples, young-map changes, syncs, merges and resets: the same as on the regions', () => {
    let withRuns = 0;
    fc.assert(
      fc.property(
        // Targets may be empty (the merge numbers regions across all targets in one stream).
        fc.array(fc.array(entryArb, { minLength: 0, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
        fc.array(stepArb, { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { maxLength: 3 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (targets, steps, seed, cuts, probs, zeroReset) => {
          const { runs, plain } = build(targets);
          withRuns += runs.some((t) => t.nrRegions > t.rawRegions.length) ? 1 : 0;
          // One pair of maps for both: a region's probability is keyed by its map's version.
          const end = 3_000_000 * PAGE;
          const sorted = [...cuts].sort();
          const maps: [YoungMap, YoungMap] = [youngMap(end, sorted, probs), youngMap(end, sorted.map((c) => c / 2), [...probs].reverse())];
          const a = drive(runs, steps, seed, maps, zeroReset);
          const b = drive(plain, steps, seed, maps, zeroReset);
          expect(a).toEqual(b);
          expect(fields(runs)).toEqual(fields(plain));
        },
      ),
      { numRuns: 1500, seed: 20261127 },
    );
    expect(withRuns).toBeGreaterThan(500);
  });
});
