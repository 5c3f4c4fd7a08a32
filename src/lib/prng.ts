// SPDX-License-Identifier: GPL-2.0-only
/**
 * The run's seeded pseudo-random number generator.
 *
 * One seed per run; every consumer draws from a stream derived from that seed with {@link Prng.fork}
 * so that adding, say, a scheme does not perturb the workload's draws. xoshiro128** over 32-bit
 * words keeps every draw in integer arithmetic, so the same seed gives the same bytes on any
 * machine. Nothing here reads the clock or Math.random.
 */
import { mulU32 } from './kint.js';

/** The golden-ratio increment of splitmix32's counter. */
export const SPLITMIX32_GAMMA = 0x9e3779b9;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + SPLITMIX32_GAMMA) | 0;
  return splitmix32Mix(state.s);
}

/** splitmix32's output function of a counter state: a uniform u32 for every state. */
export function splitmix32Mix(s: number): number {
  let z = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string, to turn stream labels into seeds. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Prng {
  /**
   * xoshiro128** state words a, b, c, d. An Int32Array keeps them unboxed: as object fields, words
   * outside the small-integer range (|x| >= 2^30) would each live in a heap box, and every draw
   * would chase four pointers.
   */
  private readonly s = new Int32Array(4);
  readonly seed: number;
  readonly label: string;

  constructor(seed: number, label = '') {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    this.seed = seed;
    this.label = label;
    // Fold the 53-bit seed and the stream label into the 32-bit splitmix state.
    const hi = Math.floor(seed / 0x1_0000_0000);
    const st = { s: ((seed >>> 0) ^ Math.imul(hi, 0x9e3779b1) ^ hashLabel(label)) | 0 };
    const w = this.s;
    for (let i = 0; i < 4; i++) w[i] = splitmix32(st);
    if ((w[0] | w[1] | w[2] | w[3]) === 0) w[0] = 1;
  }

  /** An independent stream for one consumer, derived from this stream's seed and a label. */
  fork(label: string): Prng {
    return new Prng(this.seed, `${this.label}/${label}`);
  }

  /** A uniform 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    return this.nextI32() >>> 0;
  }

  /**
   * The same draw as a signed 32-bit integer (nextU32() is it `>>> 0`). Hot paths take this one:
   * a result at or above 2^31 would leave a call as a heap-allocated double, an int32 never does.
   */
  nextI32(): number {
    const w = this.s;
    let a = w[0];
    let b = w[1];
    let c = w[2];
    let d = w[3];
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    w[0] = a;
    w[1] = b;
    w[2] = c;
    w[3] = d;
    return r;
  }

  /** A uniform double in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /**
   * `get_random_u32_below(ceil)`: unbiased uniform integer in [0, ceil) by Lemire's
   * multiply-and-reject method, as the kernel helper does. ceil is a u32; 0 means "any u32"
   * (damon-monitoring.md §9).
   */
  belowU32(ceil: number): number {
    ceil >>>= 0;
    if (ceil === 0) return this.nextU32();
    if (ceil < 0x20_0000) {
      // x · ceil stays below 2^53: the 64-bit product is exact in a double (split ratios, small
      // spans), and so are its halves. A floating-point % here would cost a libm call per draw.
      let m = (this.nextI32() >>> 0) * ceil;
      let hi = Math.floor(m / 0x1_0000_0000);
      let lo = m - hi * 0x1_0000_0000;
      if (lo < ceil) {
        const thresh = (0x1_0000_0000 - ceil) % ceil;
        while (lo < thresh) {
          m = (this.nextI32() >>> 0) * ceil;
          hi = Math.floor(m / 0x1_0000_0000);
          lo = m - hi * 0x1_0000_0000;
        }
      }
      return hi;
    }
    let x = this.nextU32();
    let lo = mulU32(x, ceil);
    if (lo < ceil) {
      const thresh = (0x1_0000_0000 - ceil) % ceil;
      while (lo < thresh) {
        x = this.nextU32();
        lo = mulU32(x, ceil);
      }
    }
    return mulHi32(x, ceil);
  }

  /** `damon_rand(l, r)`: l + get_random_u32_below(r - l), the span truncated to 32 bits. */
  damonRand(l: number, r: number): number {
    return l + this.belowU32(damonRandSpan(l, r));
  }
}

/**
 * How many values damon_rand(l, r) can return: r - l truncated to a u32, where 0 means every u32
 * (damon-monitoring.md §9).
 */
export function damonRandSpan(l: number, r: number): number {
  const d = r - l;
  if (d > 0 && d < 0x1_0000_0000) return d;
  return d % 0x1_0000_0000 || 0x1_0000_0000;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** High 32 bits of the 64-bit product of two u32s (mulU32 is the low 32 bits). */
function mulHi32(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aHi * bHi + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 0x10000)) >>> 0;
}


/**
 * Binomial(n, p) from the given stream: exact (geometric jumps between successes) when few
 * successes are expected, a rounded normal approximation when the variance is large.
 */
export function binomial(rng: Prng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  return binomialLogq(rng, n, p, Math.log1p(-p));
}

/**
 * binomial(rng, n, p) for 0 < p < 1 given logq = Math.log1p(-p): the same draws, for callers that
 * draw many counts with one p (the refaulter, per rate and tick).
 */
export function binomialLogq(rng: Prng, n: number, p: number, logq: number): number {
  if (n <= 0) return 0;
  const mean = n * p;
  const v = mean * (1 - p);
  if (v > 25) {
    const u1 = (rng.nextU32() + 1) / 0x1_0000_0000;
    const u2 = rng.nextU32() / 0x1_0000_0000;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(v) * z)));
  }
  let k = 0;
  for (let i = 0; ; ) {
    const u = (rng.nextU32() + 1) / 0x1_0000_0000;
    i += Math.max(1, Math.ceil(Math.log(u) / logq));
    if (i > n) return k;
    k++;
  }
}
