// SPDX-License-Identifier: GPL-2.0-only
/**
 * Per-sample access accounting: nr_accesses and the nr_accesses_bp pseudo moving sum
 * (damon-monitoring.md §4.1, §4.2), and B1's on-demand pseudo moving sum (damos.md §1.1).
 */
import { multFrac, mulU32 } from '../lib/kint.js';
import { maxNrAccesses, type DamonAttrs } from './attrs.js';
import type { DamonRegion } from './region.js';

/** `damon_moving_sum(mvsum, nomvsum, len_window, new_value)`, all C unsigned int. */
export function movingSum(mvsum: number, nomvsum: number, lenWindow: number, newValue: number): number {
  return (mvsum - movingSumDecrement(nomvsum, lenWindow) + newValue) >>> 0;
}

/** What damon_moving_sum() takes off per step whatever the new value: nomvsum / len_window. */
export function movingSumDecrement(nomvsum: number, lenWindow: number): number {
  return Math.floor((nomvsum >>> 0) / lenWindow);
}

/** The moving-sum window: damon_max_nr_accesses, or 1 with a zero sample interval. */
export function accessRateWindow(a: DamonAttrs): number {
  return a.sampleInterval !== 0 ? maxNrAccesses(a) : 1;
}

/** `damon_update_region_access_rate(r, accessed, attrs)` with the window precomputed. */
export function updateRegionAccessRate(r: DamonRegion, accessed: boolean, lenWindow: number): void {
  r.nrAccessesBp = movingSum(r.nrAccessesBp, mulU32(r.lastNrAccesses, 10000), lenWindow, accessed ? 10000 : 0);
  if (accessed) r.nrAccesses++;
}

/**
 * B1 `damon_mvsum(current, last, left_window_bp)` = current + mult_frac(last, left_bp, 10000).
 */
export function mvsum(current: number, last: number, leftWindowBp: number): number {
  return current + multFrac(last, leftWindowBp, 10000);
}

/**
 * B1 pseudo moving sum of a region at the current sample position: the previous aggregation's
 * count weighted by the share of the window still left, plus the current count.
 */
export function nrAccessesMvsum(r: DamonRegion, a: DamonAttrs, passedSampleIntervals: number, nextAggregationSis: number): number {
  const windowLen = Math.floor(a.aggrInterval / (a.sampleInterval || 1)) || 1;
  const left = Math.max(0, nextAggregationSis - passedSampleIntervals);
  const leftBp = multFrac(left, 10000, windowLen);
  if (leftBp === 10000) return r.lastNrAccesses;
  return mvsum(r.nrAccesses, r.lastNrAccesses, leftBp);
}
