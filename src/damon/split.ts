// SPDX-License-Identifier: GPL-2.0-only
/**
 * Random region splitting at aggregation boundaries (damon-monitoring.md §6), the size limit that
 * caps merges (§3.2) and the [SJ-tree] min_nr_regions enforcement (§3.3).
 */
import { alignDown, alignUp } from '../lib/kint.js';
import type { Prng } from '../lib/prng.js';
import { SimulationLimitError, cutRegion, regionLimits, type DamonRegion, type DamonTarget } from './region.js';
import type { DamonAttrs } from './attrs.js';

/**
 * The kernel's `static unsigned int last_nr_regions` in kdamond_split_regions is one variable shared
 * by every context and kept across restarts (trap 9). A simulation shares one instance among all
 * its kdamonds.
 */
export class SplitState {
  lastNrRegions = 0;
}

/**
 * `damon_split_regions_of(t, nr_subs, min_region_sz)` (§6.2). One PRNG draw per attempt; a second
 * attempt cuts the left piece again. The list is rebuilt in one pass (O(regions)).
 */
export function splitRegionsOf(t: DamonTarget, nrSubs: number, minRegionSz: number, rng: Prng): void {
  // Sized for the most pieces there can be (capped: a longer preallocated array is a slow sparse
  // one; writing at its end still appends), then cut to what was made. Growing by push copied the
  // list over and over: a fifth of all the bytes the preset allocated.
  const out = new Array<DamonRegion>(Math.min(t.regions.length * nrSubs, 0x8000));
  let w = 0;
  // Cut-off right parts of the current region, latest (leftmost) last; a stack reused across
  // regions (resetting an array's length per region would reallocate it every time).
  const pieces = splitPieces;
  const limit = regionLimits.maxSimulated;
  for (const r of t.regions) {
    // At most nrSubs pieces per region; past the limit the run stops before holding them all.
    if (w >= limit) throw tooManyRegions('kdamond_split_regions()', `${nrSubs} pieces each`);
    let szRegion = r.end - r.start;
    let np = 0;
    for (let k = 0; k < nrSubs - 1 && szRegion > 2 * minRegionSz; k++) {
      const ratio = rng.damonRand(1, 10);
      const szSub = alignDown(Math.floor((ratio * szRegion) / 10), minRegionSz);
      if (szSub === 0 || szSub >= szRegion) continue;
      pieces[np++] = cutRegion(r, szSub); // r keeps the left part
      szRegion = szSub;
    }
    out[w++] = r;
    while (np > 0) out[w++] = pieces[--np] as DamonRegion;
  }
  pieces.fill(undefined); // hold no region past the split
  out.length = w;
  t.regions = out;
}

const splitPieces: Array<DamonRegion | undefined> = [];

/** A split would take a target past the regions damon-sim can hold (regionLimits; the kernel would go on). */
function tooManyRegions(who: string, how: string): SimulationLimitError {
  const max = regionLimits.maxSimulated;
  return new SimulationLimitError(`${who} would split a target's regions past ${max} (${how}): the kernel would go on, but damon-sim cannot hold that many regions; use a smaller min_nr_regions or max_nr_regions`);
}

/** `kdamond_split_regions(ctx)` (§6.1). */
export function kdamondSplitRegions(targets: readonly DamonTarget[], attrs: DamonAttrs, minRegionSz: number, state: SplitState, rng: Prng): void {
  let nrRegions = 0;
  for (const t of targets) nrRegions += t.nrRegions;
  if (nrRegions > Math.floor(attrs.maxNrRegions / 2)) return;
  let nrSubregions = 2;
  if (state.lastNrRegions === nrRegions && nrRegions < Math.floor(attrs.maxNrRegions / 3)) nrSubregions = 3;
  for (const t of targets) splitRegionsOf(t, nrSubregions, minRegionSz, rng);
  state.lastNrRegions = nrRegions;
}

/** The bytes the targets' regions (piece runs included) cover, and the largest region among them. */
function regionSizes(targets: readonly DamonTarget[]): { total: number; largest: number } {
  let total = 0;
  let largest = 0;
  for (const t of targets) {
    for (const r of t.rawRegions) {
      const sz = r.end - r.start;
      if (sz > largest) largest = sz;
      const run = r.run;
      if (run) {
        total += run.n * run.sz;
        if (run.sz > largest) largest = run.sz;
      }
      total += sz;
    }
  }
  return { total, largest };
}

/** damon_region_sz_limit() for regions covering `total` bytes. */
function szLimitOf(total: number, attrs: DamonAttrs, minRegionSz: number): number {
  let sz = total;
  if (attrs.minNrRegions) sz = Math.floor(sz / attrs.minNrRegions);
  if (sz < minRegionSz) sz = minRegionSz;
  return sz;
}

/** `damon_region_sz_limit(ctx)` (§3.2). */
export function regionSzLimit(targets: readonly DamonTarget[], attrs: DamonAttrs, minRegionSz: number): number {
  return szLimitOf(regionSizes(targets).total, attrs, minRegionSz);
}

/** `damon_apply_min_nr_regions(ctx)` [SJ-tree] (§3.3): cut regions larger than the size limit. */
export function applyMinNrRegions(targets: readonly DamonTarget[], attrs: DamonAttrs, minRegionSz: number): number {
  const { total, largest } = regionSizes(targets);
  const maxSz = alignUp(szLimitOf(total, attrs, minRegionSz), minRegionSz);
  // After a merge, which keeps to the limit, there is nothing to cut: the size limit's walk also
  // finds the largest region, and a walk per target to find that out cost as much again.
  if (largest <= maxSz) return maxSz;
  for (const t of targets) {
    if (!t.regions.some((r) => r.end - r.start > maxSz)) continue;
    let pieces = 0;
    for (const r of t.regions) pieces += Math.ceil((r.end - r.start) / maxSz);
    if (pieces > regionLimits.maxSimulated) throw tooManyRegions('damon_apply_min_nr_regions()', `${pieces} regions of at most ${maxSz} for min_nr_regions ${attrs.minNrRegions}`);
    const out: DamonRegion[] = [];
    for (let r of t.regions) {
      while (r.end - r.start > maxSz) {
        const right = cutRegion(r, maxSz);
        out.push(r);
        r = right;
      }
      out.push(r);
    }
    t.regions = out;
  }
  return maxSz;
}
