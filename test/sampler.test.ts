// SPDX-License-Identifier: GPL-2.0-only
/**
 * The "region" sampling mode's block sampler (ops/sampler.ts, docs/model.md "Sampling modes"):
 * per-window access counts are Binomial(K, p), partial reads see Binomial(n, p) prefixes of the same
 * outcomes, reads that change nothing change nothing, a young-map change splits a block exactly at
 * the sample it happened, and nr_accesses_bp equals the kernel's per-sample moving sum.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { updateRegionAccessRate } from '../src/damon/access.js';
import { DamonRegion, DamonTarget } from '../src/damon/region.js';
import { Prng } from '../src/lib/prng.js';
import { YoungMap } from '../src/machine/young.js';
import { BinomialTables, RegionSampler, hitsBetween, invertBinomial, threshOf } from '../src/ops/sampler.js';
import { mapOfLengths } from './helpers/young.js';

/** Successes on a block's first n samples. */
const prefixHits = (seed: number, k: number, hits: number, n: number): number => hitsBetween(seed, k, hits, 0, n);

const MiB = 2 ** 20;
const WINDOW = 20; // samples per aggregation at 5 ms / 100 ms
const LEN_WINDOW = 20;

function target(): DamonTarget {
  const t = new DamonTarget();
  t.regions.push(new DamonRegion(0, 64 * MiB));
  return t;
}

/** A young map with probability p over [0, 64 MiB). */
function uniformMap(p: number): YoungMap {
  return new YoungMap([0], [p], 64 * MiB);
}

/** kdamond_reset_aggregated for one region. */
function resetAggregated(r: DamonRegion): void {
  r.nrAccessesBp = Math.imul(r.nrAccesses, 10000) >>> 0;
  r.lastNrAccesses = r.nrAccesses;
  r.nrAccesses = 0;
}

/**
 * `windows` aggregation windows over one region with p; `reads` lists, per window, the samples
 * (1..WINDOW-1) after which the core reads the counters mid-window. Returns per-window counts and
 * the counts those reads saw.
 */
function run(p: number, windows: number, seed: number, reads: (w: number) => number[] = () => []) {
  const t = target();
  const s = new RegionSampler(new Prng(seed, 'sampler-test'));
  const map = uniformMap(p);
  const counts: number[] = [];
  const partial: Array<[n: number, seen: number]> = [];
  let sis = 0;
  for (let w = 0; w < windows; w++) {
    const end = sis + WINDOW;
    const at = new Set(reads(w));
    for (let k = 1; k <= WINDOW; k++) {
      sis++;
      s.sample([t], map, 1, LEN_WINDOW, sis, end);
      if (at.has(k)) {
        s.sync([t], LEN_WINDOW, sis);
        partial.push([k, t.regions[0].nrAccesses]);
      }
    }
    s.sync([t], LEN_WINDOW, sis);
    counts.push(t.regions[0].nrAccesses);
    resetAggregated(t.regions[0]);
  }
  return { counts, partial, region: t.regions[0] };
}

function meanVar(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)];
}

describe('prefixHits: which samples of a block found the accesses', () => {
  it('is 0 before the block, all hits at its end, and never decreases', () => {
    for (let seed = 0; seed < 200; seed++) {
      let prev = 0;
      expect(prefixHits(seed, 20, 7, 0)).toBe(0);
      for (let n = 1; n <= 20; n++) {
        const h = prefixHits(seed, 20, 7, n);
        expect(h).toBeGreaterThanOrEqual(prev);
        expect(h - prev).toBeLessThanOrEqual(1);
        prev = h;
      }
      expect(prev).toBe(7);
    }
  });

  it('places the hits uniformly: the first 10 of 20 samples hold 7 · 10/20 = 3.5 of 7 on average', () => {
    const xs: number[] = [];
    const rng = new Prng(5, 'seeds');
    for (let i = 0; i < 20000; i++) xs.push(prefixHits(rng.nextU32(), 20, 7, 10));
    const [m, v] = meanVar(xs);
    // Hypergeometric(20, 7, 10): mean 3.5, variance 10·0.35·0.65·10/19 = 1.197.
    expect(Math.abs(m - 3.5)).toBeLessThan(0.04);
    expect(Math.abs(v - 1.197)).toBeLessThan(0.06);
  });
});

describe('hitsBetween: settling a block piece by piece', () => {
  it('adds up to prefixHits() however the block is cut', () => {
    const rng = new Prng(8, 'cuts');
    for (let trial = 0; trial < 300; trial++) {
      const seed = rng.nextU32() | 0;
      const k = 1 + rng.belowU32(60);
      const hits = rng.belowU32(k + 1);
      let at = 0;
      let got = 0;
      while (at < k) {
        const to = Math.min(k, at + 1 + rng.belowU32(10));
        got += hitsBetween(seed, k, hits - got, at, to);
        expect(got).toBe(prefixHits(seed, k, hits, to));
        at = to;
      }
      expect(got).toBe(hits);
    }
  });

  it('handles blocks longer than 2^21 samples (products past 2^53 compare as bigints)', () => {
    const k = 2 ** 21 + 1000;
    // The first 2000 positions straddle the switch to bigint comparisons; about 2000/k of the hits.
    const seen = [1, 2, 3].map((seed) => prefixHits(seed, k, k - 1, 2000));
    for (const h of seen) expect(h).toBeGreaterThanOrEqual(1990);
    expect(prefixHits(4, k, 0, 2000)).toBe(0);
    expect(hitsBetween(5, k, 7, 0, 1000) + hitsBetween(5, k, 7 - hitsBetween(5, k, 7, 0, 1000), 1000, 2000)).toBe(prefixHits(5, k, 7, 2000));
  });
});

describe('BinomialTables: the distribution tables are cached per (p, k)', () => {
  it("a pair's first draw walks the distribution function to what its table gives, for every uniform", () => {
    // A scripted stream of uniforms across [0, 2^32) meets every step of each distribution
    // function; the instance's table exists from the pair's second draw on.
    const steps = 4000;
    const uniform = (i: number) => Math.floor((i + 0.5) * (0x1_0000_0000 / steps)) | 0;
    const P = 0x8000_0000;
    let checked = 0;
    for (const thresh of [1, 3000, threshOf(0.05), threshOf(0.38), P / 2 - 1, P / 2, P / 2 + 1, threshOf(0.9), P - 1]) {
      for (const k of [1, 2, 20, 511, 512]) {
        let i = 0;
        const rng = { nextI32: () => uniform(i++ % steps) } as unknown as Prng;
        const tables = new BinomialTables();
        tables.draw(rng, k, thresh);
        tables.draw(rng, k, thresh);
        for (i = 0; i < steps; ) {
          const u = (uniform(i) >>> 0) / 0x1_0000_0000;
          const walked = invertBinomial(thresh, k, u);
          expect(tables.draw(rng, k, thresh)).toBe(thresh > P / 2 ? k - walked : walked);
          checked++;
        }
      }
    }
    expect(checked).toBe(9 * 5 * steps);
  });

  it('draws what an empty cache draws, through hits, misses and slot collisions', () => {
    // 4096 slots for 6,000 pairs drawn in a random order: most draws evict another pair's table, and
    // pairs that differ in p only or in k only meet in one slot. A table returned for the wrong pair
    // changes draws. An empty cache draws every pair without a table (k up to 600: two chunks).
    const pairs: Array<[number, number]> = [];
    const pick = new Prng(3);
    for (let i = 0; i < 6000; i++) pairs.push([threshOf((1 + pick.belowU32(999)) / 1000), 1 + pick.belowU32(600)]);
    const cached = new BinomialTables();
    const a = new Prng(11);
    const b = new Prng(11);
    let sum = 0;
    for (let i = 0; i < 40_000; i++) {
      const [thresh, k] = pairs[pick.belowU32(i < 20_000 ? 50 : pairs.length)];
      const x = cached.draw(a, k, thresh);
      expect(x).toBe(new BinomialTables().draw(b, k, thresh));
      sum += x;
    }
    expect(sum).toBeGreaterThan(0);
  });

  it("drawRow() draws what draw() then a seed draw, piece by piece, at every kind of threshold and block length", () => {
    // p exactly 1/2 (the flip's edge), 0 and 1 (no uniform drawn), the smallest and largest
    // thresholds inside, repeats (one table per change) and blocks past one 512-trial chunk.
    const edge = [2 ** 30, 2 ** 30, 0, 2 ** 31, 1, 2 ** 31 - 1, 2 ** 30 - 1, 2 ** 30 + 1, threshOf(0.3), threshOf(0.3), threshOf(0.7)];
    const pick = new Prng(5);
    const thresh = Uint32Array.from({ length: 600 }, (_, i) => (i < edge.length ? edge[i] : edge[pick.belowU32(edge.length)]));
    let total = 0;
    for (const k of [0, 1, 20, 512, 513, 1100]) {
      const a = new Prng(17);
      const b = new Prng(17);
      const hits = new Uint32Array(thresh.length);
      const seeds = new Int32Array(thresh.length);
      const max = new BinomialTables().drawRow(a, k, thresh, hits, seeds, thresh.length);
      const one = new BinomialTables();
      const want = Array.from(thresh, (t) => [one.draw(b, k, t), b.nextI32()]);
      expect(Array.from(hits, (h, i) => [h, seeds[i]])).toEqual(want);
      expect(max).toBe(Math.max(0, ...hits));
      // Both streams end at the same place.
      expect(a.nextI32()).toBe(b.nextI32());
      total += hits.reduce((x, y) => x + y, 0);
    }
    expect(total).toBeGreaterThan(0);
  });
});

describe('YoungMap.meanProbRanges: the thresholds of a target\'s stale regions in one walk', () => {
  it('gives each range threshOf(meanProb(a, mass(a), b, mass(b))): neighbours, gaps, empty ranges, ranges outside the map, jumps over many segments', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 60 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 7 }),
        // Each range: the gap before it (0: it starts where the last ended) and its length.
        fc.array(fc.tuple(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 700 })), fc.integer({ min: 0, max: 90 })), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 0, max: 300 }),
        (lens, probs, ranges, from) => {
          const map = mapOfLengths(50, lens, probs);
          const bounds = new Float64Array(2 * ranges.length);
          let x = from;
          ranges.forEach(([gap, len], k) => {
            bounds[2 * k] = x + gap;
            bounds[2 * k + 1] = x + gap + len;
            x += gap + len;
          });
          const out = new Uint32Array(ranges.length);
          map.meanProbRanges(bounds, ranges.length, 2 ** 31, out);
          for (let k = 0; k < ranges.length; k++) {
            const a = bounds[2 * k];
            const b = bounds[2 * k + 1];
            expect(out[k]).toBe(threshOf(YoungMap.meanProb(a, map.mass(a), b, map.mass(b))));
          }
        },
      ),
      { numRuns: 3000, seed: 28 },
    );
  });
});

describe('RegionSampler', () => {
  it('redraws after a commit changes the address unit (the same bounds cover other memory)', () => {
    const t = target(); // [0, 64 Mi) units
    const s = new RegionSampler(new Prng(6, 'sampler-test'));
    // Accessed every sample in the first 64 MiB, never above: addr_unit 4 covers 256 MiB.
    const map = new YoungMap([0, 64 * MiB], [1, 0], 256 * MiB);
    for (let sis = 1; sis <= WINDOW; sis++) s.sample([t], map, 1, LEN_WINDOW, sis, WINDOW);
    s.sync([t], LEN_WINDOW, WINDOW);
    expect(t.regions[0].nrAccesses).toBe(WINDOW);
    resetAggregated(t.regions[0]);
    for (let sis = WINDOW + 1; sis <= 2 * WINDOW; sis++) s.sample([t], map, 4, LEN_WINDOW, sis, 2 * WINDOW);
    s.sync([t], LEN_WINDOW, 2 * WINDOW);
    // p is now 1/4: Binomial(20, 0.25) (20 accesses has probability 1e-12).
    expect(t.regions[0].opsThresh).toBe(0x2000_0000); // 1/4 of 2^31
    expect(t.regions[0].nrAccesses).toBeLessThan(WINDOW);
  });

  it('counts Binomial(20, p) accesses per window', () => {
    for (const p of [0.05, 0.38, 0.9]) {
      const [m, v] = meanVar(run(p, 6000, 3).counts);
      const se = Math.sqrt((WINDOW * p * (1 - p)) / 6000);
      expect(Math.abs(m - WINDOW * p), `p ${p}`).toBeLessThan(4 * se);
      expect(Math.abs(v / (WINDOW * p * (1 - p)) - 1), `p ${p}`).toBeLessThan(0.08);
    }
  });

  it('blocks that end before the core reads (its boundary moved) still count every sample once', () => {
    // Blocks of 6 samples, reads every 20: the sampler starts new blocks on its own.
    const t = target();
    const s = new RegionSampler(new Prng(4, 'sampler-test'));
    const always = uniformMap(1);
    const counts: number[] = [];
    let sis = 0;
    for (let w = 0; w < 400; w++) {
      for (let k = 1; k <= WINDOW; k++) {
        sis++;
        s.sample([t], always, 1, LEN_WINDOW, sis, sis + ((6 - (sis % 6)) % 6));
      }
      s.sync([t], LEN_WINDOW, sis);
      counts.push(t.regions[0].nrAccesses);
      resetAggregated(t.regions[0]);
    }
    expect(new Set(counts)).toEqual(new Set([WINDOW]));
  });

  it('never and always: p = 0 gives 0, p = 1 gives every sample', () => {
    expect(new Set(run(0, 50, 1).counts)).toEqual(new Set([0]));
    expect(new Set(run(1, 50, 1).counts)).toEqual(new Set([WINDOW]));
  });

  it('reads in the middle of a window see Binomial(n, p) prefixes and change nothing', () => {
    const p = 0.38;
    const readsAt = (w: number) => [1 + (w % 19), 1 + ((w * 7) % 19)];
    const plain = run(p, 3000, 9);
    const read = run(p, 3000, 9, readsAt);
    // Every window's count, and the final moving sum, as if nobody had looked.
    expect(read.counts).toEqual(plain.counts);
    expect(read.region.nrAccessesBp).toBe(plain.region.nrAccessesBp);
    // What the reads saw: about n·p after n samples.
    const ratio = read.partial.reduce((a, [n, seen]) => a + seen - n * p, 0) / read.partial.length;
    expect(Math.abs(ratio)).toBeLessThan(0.1);
    for (const [n, seen] of read.partial) expect(seen).toBeLessThanOrEqual(n);
  });

  it('settles a block at the sample where the young map changed, and draws the rest under the new map', () => {
    const t = target();
    const s = new RegionSampler(new Prng(1, 'sampler-test'));
    const cold = uniformMap(0);
    const hot = uniformMap(1);
    for (let sis = 1; sis <= WINDOW; sis++) s.sample([t], sis <= 12 ? hot : cold, 1, LEN_WINDOW, sis, WINDOW);
    s.sync([t], LEN_WINDOW, WINDOW);
    // 12 samples found an access every time, the 8 after the change never.
    expect(t.regions[0].nrAccesses).toBe(12);
    for (let sis = WINDOW + 1; sis <= 2 * WINDOW; sis++) s.sample([t], sis <= WINDOW + 5 ? cold : hot, 1, LEN_WINDOW, sis, 2 * WINDOW);
    s.sync([t], LEN_WINDOW, 2 * WINDOW);
    expect(t.regions[0].nrAccesses).toBe(12 + 15);
  });

  it('reconstructs nr_accesses_bp as the kernel\'s per-sample moving sum', () => {
    const t = target();
    const r = t.regions[0];
    const ref = new DamonRegion(0, 64 * MiB);
    const s = new RegionSampler(new Prng(2, 'sampler-test'));
    const map = uniformMap(0.5);
    let sis = 0;
    for (let w = 0; w < 40; w++) {
      const end = sis + WINDOW;
      for (let k = 1; k <= WINDOW; k++) s.sample([t], map, 1, LEN_WINDOW, ++sis, end);
      s.sync([t], LEN_WINDOW, sis);
      // The kernel's per-sample steps with the same number of accesses (their order does not
      // change the sum: the decrement per sample depends on last_nr_accesses only).
      for (let k = 0; k < WINDOW; k++) updateRegionAccessRate(ref, k < r.nrAccesses, LEN_WINDOW);
      expect([r.nrAccesses, r.nrAccessesBp]).toEqual([ref.nrAccesses, ref.nrAccessesBp]);
      resetAggregated(r);
      resetAggregated(ref);
    }
  });
});
