// SPDX-License-Identifier: GPL-2.0-only
/**
 * The run's PRNG: its draws are part of every output (same seed, same bytes), so they are pinned
 * here, and the int32 view hot paths use must be the same draw.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../src/lib/prng.js';

describe('Prng', () => {
  it('draws the pinned xoshiro128** values for seed 42, stream "x"', () => {
    const r = new Prng(42, 'x');
    expect([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([1993691856, 2708275663, 4033137467, 150589633]);
    // get_random_u32_below: the small-ceil (double product) and the large-ceil paths.
    expect([r.belowU32(10), r.belowU32(10), r.belowU32(10), r.belowU32(10)]).toEqual([3, 8, 0, 9]);
    expect([r.belowU32(3e9), r.belowU32(3e9), r.belowU32(3e9)]).toEqual([1641647871, 1207871764, 2190596206]);
  });

  it('nextI32 is the same draw as nextU32, as a signed int32', () => {
    const a = new Prng(7, 'y');
    const b = new Prng(7, 'y');
    let negative = 0;
    for (let i = 0; i < 1000; i++) {
      const u = a.nextU32();
      const s = b.nextI32();
      expect(s).toBe(u | 0);
      expect(s >>> 0).toBe(u);
      if (s < 0) negative++;
    }
    expect(negative).toBeGreaterThan(400); // about half the draws are at or above 2^31
  });
});
