// SPDX-License-Identifier: GPL-2.0-only
/** lib/search.ts: the searches the young map and the LRU runs read their sorted columns with. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstAbove, lastAtMost, lastAtMostFrom } from '../src/lib/search.js';

/** The last i with a[i] <= x, by looking at every entry. */
function bruteLastAtMost(a: readonly number[], x: number): number {
  let last = 0;
  a.forEach((v, i) => {
    if (v <= x) last = i;
  });
  return last;
}

describe('search', () => {
  it('lastAtMost and lastAtMostFrom (from any hint, forward or back) find the last entry at or below x', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1100 }), fc.nat()), { minLength: 1, maxLength: 20 }),
        (raw, asks) => {
          // Strictly ascending starts, as segment and run starts are.
          const a = [...new Set(raw)].sort((x, y) => x - y);
          const col = Float64Array.from(a);
          for (const [x0, h] of asks) {
            const x = Math.max(x0, a[0]);
            const want = bruteLastAtMost(a, x);
            expect(lastAtMost(col, x, 0, a.length - 1)).toBe(want);
            expect(lastAtMostFrom(col, x, h % (a.length + 3), a.length)).toBe(want);
          }
        },
      ),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('lastAtMostFrom walks forward from its hint as a region walk asks (pinned answers)', () => {
    const a = Float64Array.of(0, 10, 20, 30, 40, 50, 60, 70);
    let h = 0;
    const seen: number[] = [];
    for (const x of [0, 5, 10, 35, 36, 69, 70, 1000, 15]) {
      h = lastAtMostFrom(a, x, h, a.length);
      seen.push(h);
    }
    expect(seen).toEqual([0, 0, 1, 3, 3, 6, 7, 7, 1]);
  });

  it('firstAbove finds the first entry above x in a column and in a field of interleaved records', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 100 }), fc.integer({ min: -5, max: 505 }), (raw, x) => {
        // Ascending, ties allowed (range ends are strictly ascending; the search needs only order).
        const a = [...raw].sort((p, q) => p - q);
        const want = a.findIndex((v) => v > x);
        const expected = want < 0 ? a.length : want;
        expect(firstAbove(Float64Array.from(a), x, 0, a.length)).toBe(expected);
        // The same ends as field 1 of 4-number records, as ReturnTracker's blocks hold them.
        const rec = new Float64Array(4 * a.length).fill(-1);
        a.forEach((v, i) => (rec[4 * i + 1] = v));
        expect(firstAbove(rec, x, 0, a.length, 4, 1)).toBe(expected);
      }),
      { numRuns: 2000, seed: 12 },
    );
    expect(firstAbove(Float64Array.of(10, 20, 30), 20, 0, 3)).toBe(2);
    expect(firstAbove(Float64Array.of(10, 20, 30), 5, 1, 3)).toBe(1); // within [lo, hi)
  });
});
