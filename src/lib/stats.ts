// SPDX-License-Identifier: GPL-2.0-only
/** Small statistics the reports share. */

/** The median of xs (the mean of the middle two for an even count), or null for none; xs is not changed. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}
