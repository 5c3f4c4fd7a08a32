// SPDX-License-Identifier: GPL-2.0-only
/** Small statistics the reports share. */

/** The median of xs (the mean of the middle two for an even count), or null for none; xs is not changed. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Mean, population standard deviation, min and max of `xs`, or undefined when it is empty. */
export function spread(xs: readonly number[]): { mean: number; sd: number; min: number; max: number } | undefined {
  if (xs.length === 0) return undefined;
  // Two passes: the textbook E[x^2] - E[x]^2 cancels badly for values near 10^4 with small spread.
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) * (x - mean), 0) / xs.length);
  return { mean, sd, min: xs.reduce((a, x) => Math.min(a, x), Infinity), max: xs.reduce((a, x) => Math.max(a, x), -Infinity) };
}
