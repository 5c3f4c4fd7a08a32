// SPDX-License-Identifier: GPL-2.0-only
/**
 * Core-layer DAMOS filters (addr, target), evaluated per region before the ops call; the addr
 * filter splits regions at its boundaries (damos.md §6.2; damon-monitoring.md §10.18).
 */
import { alignDown } from '../lib/kint.js';
import type { DamonCtx } from '../damon/ctx.js';
import type { RegionWalk } from '../damon/region.js';
import { coreFiltersDefaultRejectOf, type Damos, type DamosFilter } from './scheme.js';

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

/** A byte range [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Which bytes of `memory` (physical byte ranges) a scheme's core filters let through, as
 * coreFilterOut() decides region by region: the first filter that matches decides (allow: passes),
 * and what none matches is rejected iff coreFiltersDefaultRejectOf(). An addr filter's range is in
 * core addresses, aligned down to min_region_sz as damos_filter_match() aligns it; byte p is core
 * address floor(p / addrUnit), so the answer is exact to the byte. Sorted, merged ranges.
 *
 * A target filter matches by target, not by address: `targetIdx` is the index of the one target
 * whose memory this is (a context of one target), and the filter matches every byte or none of
 * it. Without it (several targets), undefined when there is a target filter.
 */
export function coreFilterPassing(
  coreFilters: ReadonlyArray<Pick<DamosFilter, 'type' | 'matching' | 'allow' | 'addrStart' | 'addrEnd'> & Partial<Pick<DamosFilter, 'targetIdx'>>>,
  hasOpsFilters: boolean,
  minRegionSz: number,
  addrUnit: number,
  memory: readonly ByteRange[],
  targetIdx?: number,
): ByteRange[] | undefined {
  if (coreFilters.some((f) => f.type !== 'addr' && !(f.type === 'target' && targetIdx !== undefined))) return undefined;
  // A target filter as the range it matches: all of memory for the target, nothing for another.
  const all = memory.length > 0 ? { start: memory[0].start, end: memory[memory.length - 1].end } : { start: 0, end: 0 };
  const ranges = coreFilters.map((f) =>
    f.type === 'target'
      ? { f, ...(f.targetIdx === targetIdx ? all : { start: 0, end: 0 }) }
      : { f, start: alignDown(f.addrStart, minRegionSz) * addrUnit, end: alignDown(f.addrEnd, minRegionSz) * addrUnit },
  );
  const defaultReject = coreFiltersDefaultRejectOf(coreFilters, hasOpsFilters);
  // Between two consecutive bounds of the filters or of the memory every byte fares alike.
  const cuts = [...new Set([...ranges.flatMap((r) => [r.start, r.end]), ...memory.flatMap((m) => [m.start, m.end])])].sort((a, b) => a - b);
  const passes = (p: number): boolean => {
    for (const r of ranges) if ((r.start <= p && p < r.end) === r.f.matching) return r.f.allow;
    return !defaultReject;
  };
  const parts: ByteRange[] = [];
  for (const m of memory)
    for (let i = 0; i + 1 < cuts.length; i++) {
      const a = Math.max(cuts[i], m.start);
      const b = Math.min(cuts[i + 1], m.end);
      if (a < b && passes(a)) parts.push({ start: a, end: b });
    }
  return unionRanges(parts);
}

/** The bytes any of `ranges` holds, as ascending, non-overlapping ranges (touching ones joined). */
export function unionRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of [...ranges].sort((x, y) => x.start - y.start)) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** The parts of `from` that none of `minus` (ascending, non-overlapping) holds. */
export function subtractRanges(from: ByteRange, minus: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  let at = from.start;
  for (const r of minus) {
    if (r.end <= at) continue;
    if (r.start >= from.end) break;
    if (r.start > at) out.push({ start: at, end: r.start });
    at = Math.max(at, r.end);
  }
  if (at < from.end) out.push({ start: at, end: from.end });
  return out;
}

/** The bytes both range lists hold: each list ascending and non-overlapping; so is the answer. */
export function intersectRanges(a: readonly ByteRange[], b: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (start < end) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}
