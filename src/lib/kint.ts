// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel integer arithmetic (include/linux/math.h, align.h analogues).
 *
 * The kernel computes in unsigned 32/64-bit with truncating division. Values that stay below 2^53
 * are plain `number`s (addresses, sizes, counters); products that can leave that range use
 * `bigint` (spec damos.md §0, damon-monitoring.md §11 trap 1).
 */

export const UINT_MAX = 0xffff_ffff;
/** INT_MAX: the largest C int. */
export const INT_MAX = 0x7fff_ffff;
export const ULONG_MAX = (1n << 64n) - 1n;

export const PAGE_SIZE = 4096;
/** Size of a PMD-mapped transparent huge page. */
export const HPAGE_PMD_SIZE = 2 * 1024 * 1024;

/** Truncate to a C `unsigned long`. */
export function u64(x: bigint): bigint {
  return BigInt.asUintN(64, x);
}

/** C `unsigned int` multiplication (wraps modulo 2^32). */
export function mulU32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

/**
 * `(unsigned int)((unsigned long)a * b / d)`: the product wraps at 2^64 and the quotient is
 * truncated to 32 bits (trap 1). Exact in doubles while the product stays below 2^53.
 */
export function mulDivU64ToU32(a: number, b: number, d: number): number {
  const p = a * b;
  if (p < Number.MAX_SAFE_INTEGER) return Math.floor(p / d) >>> 0;
  return Number(BigInt.asUintN(32, BigInt.asUintN(64, BigInt(a) * BigInt(b)) / BigInt(d)));
}

/**
 * `mult_frac(x, n, d)` = (x / d) * n + ((x % d) * n) / d, for values whose intermediate products
 * stay below 2^53. Use {@link multFracU64} where they may not.
 */
export function multFrac(x: number, n: number, d: number): number {
  const q = Math.floor(x / d);
  const r = x - q * d;
  return q * n + Math.floor((r * n) / d);
}

/** `mult_frac` in C `unsigned long` arithmetic (every step wraps modulo 2^64). */
export function multFracU64(x: bigint, n: bigint, d: bigint): bigint {
  const q = x / d;
  const r = x % d;
  return u64(u64(q * n) + u64(r * n) / d);
}

/** `mult_frac` in C `unsigned int` arithmetic (every step wraps modulo 2^32). */
export function multFracU32(x: number, n: number, d: number): number {
  const q = Math.floor(x / d) >>> 0;
  const r = (x - q * d) >>> 0;
  return (mulU32(q, n) + Math.floor(mulU32(r, n) / d)) >>> 0;
}

/** `ALIGN_DOWN(x, a)` as the kernel's bit-mask macro (only arithmetic for power-of-two a). */
export function alignDown(x: number, a: number): number {
  // For a power of two a <= 2^30, x mod a is in x's low 32 bits, which ToUint32 extracts exactly
  // for any integer below 2^53 — much cheaper than a floating-point remainder.
  if (a > 0 && a <= 0x4000_0000 && (a & (a - 1)) === 0) return x - ((x >>> 0) & (a - 1));
  if (isPow2(a)) return x - (x % a);
  // Bit-mask semantics for non-power-of-two alignments (damon-monitoring.md §11 trap 3).
  return Number(BigInt(x) & ~BigInt(a - 1));
}

/** `ALIGN(x, a)` as the kernel's bit-mask macro. */
export function alignUp(x: number, a: number): number {
  return alignDown(x + a - 1, a);
}

export function isPow2(x: number): boolean {
  if (!Number.isSafeInteger(x) || x <= 0) return false;
  if (x <= 0x4000_0000) return (x & (x - 1)) === 0;
  const b = BigInt(x);
  return (b & (b - 1n)) === 0n;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
