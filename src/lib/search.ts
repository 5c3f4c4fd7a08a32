// SPDX-License-Identifier: GPL-2.0-only
/** Binary search over sorted columns: run starts, young-map segment starts, a merge's load offsets. */

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
