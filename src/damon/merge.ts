// SPDX-License-Identifier: GPL-2.0-only
/**
 * Adaptive region merging at aggregation boundaries (damon-monitoring.md §5) and the age update
 * that runs inside every merge pass (§4.4).
 */
import { si, type DamonAttrs } from './attrs.js';
import { destroyRegion, mergeInto, type DamonTarget } from './region.js';
import type { KernelProfile } from '../profiles.js';

/** Age update of one region for a merge pass with threshold `thres` (§4.4). */
function updateAge(nr: number, last: number, age: number, thres: number, zeroTransitionReset: boolean): number {
  if (Math.abs(nr - last) > thres) return 0;
  if (zeroTransitionReset && (nr === 0) !== (last === 0)) return 0;
  return (age + 1) >>> 0;
}

/**
 * `damon_merge_regions_of(t, thres, sz_limit)`: one greedy left-to-right pass (§5.2). Survivors are
 * compacted in place, so a pass is O(regions) however many merges it makes.
 */
export function mergeRegionsOf(t: DamonTarget, thres: number, szLimit: number, profile: Pick<KernelProfile, 'ageResetOnZeroTransition'>): void {
  const regs = t.regions;
  let w = 0; // regs[w - 1] is prev
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i];
    r.age = updateAge(r.nrAccesses, r.lastNrAccesses, r.age, thres, profile.ageResetOnZeroTransition);
    if (w > 0) {
      const p = regs[w - 1];
      if (p.end === r.start && Math.abs(p.nrAccesses - r.nrAccesses) <= thres && p.end - p.start + (r.end - r.start) <= szLimit) {
        mergeInto(p, r);
        destroyRegion(r);
        continue;
      }
    }
    regs[w++] = r;
  }
  regs.length = w;
}

/**
 * `kdamond_merge_regions(ctx, threshold, sz_limit)`: repeat passes with a doubling threshold while
 * the total region count exceeds max_nr_regions (§5.1).
 */
export function kdamondMergeRegions(
  targets: readonly DamonTarget[],
  attrs: DamonAttrs,
  threshold: number,
  szLimit: number,
  profile: Pick<KernelProfile, 'ageResetOnZeroTransition'>,
): void {
  const maxThres = Math.floor(attrs.aggrInterval / si(attrs)) >>> 0;
  let nrRegions: number;
  do {
    nrRegions = 0;
    for (const t of targets) {
      mergeRegionsOf(t, threshold, szLimit, profile);
      nrRegions += t.regions.length;
    }
    threshold = Math.max(1, (threshold * 2) >>> 0);
  } while (nrRegions > attrs.maxNrRegions && Math.floor(threshold / 2) < maxThres);
}
