// SPDX-License-Identifier: GPL-2.0-only
/**
 * Field layouts that do not change mid-run (docs/architecture.md, "A fresh process against a warm
 * one").
 *
 * V8 keeps a field that has only ever held small integers (below 2^31) untagged. The first time
 * one holds anything else (a byte count past 2 GiB, a time in ns past 2.1 s), it moves every
 * object of that shape to a new layout and throws away the optimised code compiled for the old
 * one: seconds to minutes into a run, with that code hot and TurboFan's single worker busy. A field
 * that has held a double keeps the double layout whatever it holds later, so storing one once, at
 * module load, before anything is compiled, spends that change where it costs nothing.
 */

/**
 * Put `keys` of `o` (and of every object of its shape made after) in the double layout, values
 * unchanged. For objects whose numbers grow past 2^31 in any real run.
 */
export function startAsDoubles<T extends object>(o: T, ...keys: Array<keyof T>): T {
  const w = o as Record<keyof T, unknown>;
  for (const k of keys) {
    const v = w[k];
    w[k] = 0.5;
    w[k] = v;
  }
  return o;
}

/** An array of n zeros in the double elements layout (an array of small integers changes kind once a value passes 2^31). */
export function doubleZeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  return a.fill(0);
}
