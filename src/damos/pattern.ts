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
  const p = s.pattern;
  if (s.szBoundsOf !== p) {
    s.szMin = Number(p.minSzRegion);
    s.szMax = Number(p.maxSzRegion);
    s.szBoundsOf = p;
  }
  const sz = r.end - r.start;
  const n = ctx.patternNrAccesses(r);
  return (
    s.szMin <= sz &&
    sz <= s.szMax &&
    p.minNrAccesses <= n &&
    n <= p.maxNrAccesses &&
    p.minAgeRegion <= r.age &&
    r.age <= p.maxAgeRegion
  );
}

export function damosValidTarget(ctx: DamonCtx, r: DamonRegion, s: Damos): boolean {
  const ret = patternMatches(ctx, r, s);
  if (!ret || !quotaIsSet(s.quota, ctx.profile) || !ctx.ops.getSchemeScore) return ret;
  return ctx.ops.getSchemeScore(ctx, r, s) >= s.quota.minScore;
}
