// SPDX-License-Identifier: GPL-2.0-only
/** Binary search over sorted columns: run starts, young-map segment starts, range ends. */

/**
 * The last index i in [lo, hi] with a[i] <= x, for `a` ascending on [lo, hi]; lo when no later
 * entry qualifies (callers know a[lo] <= x, or take lo as the answer for x below it).
 */
export function lastAtMost(a: ArrayLike<number>, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * lastAtMost(a, x, 0, n - 1) for a[0] <= x, searched from `hint` (an earlier answer): galloping
 * forward when x lies at or past a[hint], as walks over regions in address order ask, else over
 * [0, hint].
 */
export function lastAtMostFrom(a: ArrayLike<number>, x: number, hint: number, n: number): number {
  if (hint >= n) hint = n - 1;
  if (a[hint] > x) return lastAtMost(a, x, 0, hint);
  let lo = hint;
  let hi = hint + 1;
  for (let step = 1; hi < n && a[hi] <= x; ) {
    lo = hi;
    step *= 2;
    hi = Math.min(n, lo + step);
  }
  return lastAtMost(a, x, lo, Math.min(hi, n) - 1);
}

/**
 * The first index i in [lo, hi) whose entry a[stride * i + offset] is above x, for entries
 * ascending there (hi if none): the first of sorted ranges that ends after an address, with the
 * ends a column of their own (stride 1) or a field of interleaved records.
 */
export function firstAbove(a: ArrayLike<number>, x: number, lo: number, hi: number, stride = 1, offset = 0): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[stride * mid + offset] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
