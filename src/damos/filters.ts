// SPDX-License-Identifier: GPL-2.0-only
/**
 * Core-layer DAMOS filters (addr, target), evaluated per region before the ops call; the addr
 * filter splits regions at its boundaries (damos.md §6.2; damon-monitoring.md §10.18).
 */
import { alignDown } from '../lib/kint.js';
import type { DamonCtx } from '../damon/ctx.js';
import type { RegionWalk } from '../damon/region.js';
import type { Damos, DamosFilter } from './scheme.js';

/** `damos_filter_match` for core filters on the walk's current region; it may be split (it keeps the left part). */
export function coreFilterMatch(ctx: DamonCtx, w: RegionWalk, f: DamosFilter, minRegionSz: number): boolean {
  const r = w.cur!;
  let matched: boolean;
  switch (f.type) {
    case 'target':
      matched = ctx.targetIndex(w.t) === f.targetIdx;
      break;
    case 'addr': {
      const start = alignDown(f.addrStart, minRegionSz);
      const end = alignDown(f.addrEnd, minRegionSz);
      if (start <= r.start && r.end <= end) matched = true;
      else if (r.end <= start || end <= r.start) matched = false;
      else if (r.start < start) {
        w.splitCur(start - r.start);
        matched = false;
      } else {
        w.splitCur(end - r.start);
        matched = true;
      }
      break;
    }
    default:
      return false; // ops-layer types never reach here
  }
  return matched === f.matching;
}

/** Where s's core addr filters cut regions: each range's ends, aligned down as damos_filter_match() aligns them. */
export function addrFilterBounds(s: Damos, minRegionSz: number): number[] {
  const bounds: number[] = [];
  for (const f of s.coreFilters) if (f.type === 'addr') bounds.push(alignDown(f.addrStart, minRegionSz), alignDown(f.addrEnd, minRegionSz));
  return bounds;
}

/** `damos_core_filter_out(ctx, t, r, s)`: true = reject the region (damos.md §6.2). */
export function coreFilterOut(ctx: DamonCtx, w: RegionWalk, s: Damos): boolean {
  s.coreFiltersAllowed = false;
  for (const f of s.coreFilters) {
    if (coreFilterMatch(ctx, w, f, ctx.minRegionSz)) {
      if (f.allow) s.coreFiltersAllowed = true;
      return !f.allow;
    }
  }
  return s.coreFiltersDefaultReject;
}
