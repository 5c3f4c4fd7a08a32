// SPDX-License-Identifier: GPL-2.0-only
/**
 * Access-pattern matching: `__damos_valid_target` (size, access frequency, age only) and
 * `damos_valid_target` (plus the quota's min_score) (damos.md §1.3).
 */
import type { DamonCtx } from '../damon/ctx.js';
import type { DamonRegion } from '../damon/region.js';
import type { Damos } from './scheme.js';
import { quotaIsSet } from './quota.js';

export function patternMatches(ctx: DamonCtx, r: DamonRegion, s: Damos): boolean {
  return sizeMatches(s, r.end - r.start) && accessMatches(ctx, r, s);
}

/** The pattern's size bounds take a region of sz bytes. */
export function sizeMatches(s: Damos, sz: number): boolean {
  syncSzBounds(s);
  return s.szMin <= sz && sz <= s.szMax;
}

/** s.szMin and s.szMax: the pattern's size bounds as numbers, made again when the pattern changed. */
function syncSzBounds(s: Damos): void {
  const p = s.pattern;
  if (s.szBoundsOf === p) return;
  s.szMin = Number(p.minSzRegion);
  s.szMax = Number(p.maxSzRegion);
  s.szBoundsOf = p;
}

/** The rest of the pattern: nr_accesses and age, whatever the region's size. */
function accessMatches(ctx: DamonCtx, r: DamonRegion, s: Damos): boolean {
  const p = s.pattern;
  const n = ctx.patternNrAccesses(r);
  return p.minNrAccesses <= n && n <= p.maxNrAccesses && p.minAgeRegion <= r.age && r.age <= p.maxAgeRegion;
}

export function damosValidTarget(ctx: DamonCtx, r: DamonRegion, s: Damos): boolean {
  return patternMatches(ctx, r, s) && scoreSuffices(ctx, r, s);
}

/** The quota's min_score, where a quota is set: a size-independent part of damos_valid_target(). */
function scoreSuffices(ctx: DamonCtx, r: DamonRegion, s: Damos): boolean {
  if (!quotaIsSet(s.quota, ctx.profile) || !ctx.ops.getSchemeScore) return true;
  return ctx.ops.getSchemeScore(ctx, r, s) >= s.quota.minScore;
}

/**
 * Whether damos_valid_target() refuses every region with r's nr_accesses, age and score whose
 * size lies in [minSz, maxSz] (the scores look at no region's size).
 */
export function validForNoSize(ctx: DamonCtx, r: DamonRegion, s: Damos, minSz: number, maxSz: number): boolean {
  syncSzBounds(s);
  if (maxSz < s.szMin || minSz > s.szMax) return true;
  return !accessMatches(ctx, r, s) || !scoreSuffices(ctx, r, s);
}
