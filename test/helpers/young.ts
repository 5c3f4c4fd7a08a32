// SPDX-License-Identifier: GPL-2.0-only
/** Young maps for property tests of the young map's walks. */
import { YoungMap } from '../../src/machine/young.js';

/** A young map of segments of the given lengths from `start` on, with probabilities taken from `probs` in turn. */
export function mapOfLengths(start: number, lens: readonly number[], probs: readonly number[]): YoungMap {
  const starts: number[] = [];
  let at = start;
  for (const l of lens) {
    starts.push(at);
    at += l;
  }
  return new YoungMap(starts, starts.map((_, i) => probs[i % probs.length]), at);
}
