// SPDX-License-Identifier: GPL-2.0-only
/**
 * ops-common prioritisation scores: damon_hot_score / damon_cold_score (damos.md §4.8).
 */
import type { DamonCtx } from '../damon/ctx.js';
import type { DamonRegion } from '../damon/region.js';
import type { Damos } from '../damos/scheme.js';
import { maxNrAccesses } from '../damon/attrs.js';
import { mulDivU64ToU32, mulU32 } from '../lib/kint.js';

export const DAMOS_MAX_SCORE = 99;
const DAMON_MAX_SUBSCORE = 100;
const DAMON_MAX_AGE_IN_LOG = 32;

export function hotScore(ctx: DamonCtx, r: DamonRegion, s: Damos): number {
  // With both weights zero the weighted sum is 0 whatever the subscores are.
  if (s.quota.weightNrAccesses === 0 && s.quota.weightAge === 0) return 0;
  const a = ctx.attrs;
  // unsigned int arithmetic, stored in an int (damos.md §0: C widths throughout).
  const freq = Math.floor(mulU32(ctx.scoreNrAccesses(r), DAMON_MAX_SUBSCORE) / maxNrAccesses(a)) | 0;
  // age_in_sec is an unsigned int: (unsigned long)age * aggr_interval / 1000000.
  const ageInSec = mulDivU64ToU32(r.age, a.aggrInterval, 1_000_000);
  // The kernel counts right shifts until zero (at most 32 for an unsigned int): floor(log2(x)) + 1.
  let ageInLog = ageInSec > 0 ? 32 - Math.clz32(ageInSec) : 0;
  if (freq === 0) ageInLog = -ageInLog;
  // Two truncating divisions, in this order (trap 1).
  const ageSubscore = Math.trunc(Math.trunc(((ageInLog + DAMON_MAX_AGE_IN_LOG) * DAMON_MAX_SUBSCORE) / DAMON_MAX_AGE_IN_LOG) / 2);
  const q = s.quota;
  // The weights are unsigned int: the weighted sum and the weight sum wrap at 2^32, the sum lands
  // in an int, the division is unsigned and its result an int again; then int arithmetic.
  let hotness = ((Math.imul(q.weightNrAccesses, freq) >>> 0) + (Math.imul(q.weightAge, ageSubscore) >>> 0)) | 0;
  const weights = (q.weightNrAccesses + q.weightAge) >>> 0;
  if (weights) hotness = Math.floor((hotness >>> 0) / weights) | 0;
  hotness = Math.trunc(Math.imul(hotness, DAMOS_MAX_SCORE) / DAMON_MAX_SUBSCORE);
  if (ctx.profile.hotScoreClamp) hotness = Math.min(Math.max(hotness, 0), DAMOS_MAX_SCORE);
  return hotness;
}

export function coldScore(ctx: DamonCtx, r: DamonRegion, s: Damos): number {
  return DAMOS_MAX_SCORE - hotScore(ctx, r, s);
}

/** The paddr/vaddr get_scheme_score dispatch by action. */
export function schemeScore(ctx: DamonCtx, r: DamonRegion, s: Damos): number {
  switch (s.action) {
    case 'pageout':
    case 'lru_deprio':
    case 'migrate_cold':
      return coldScore(ctx, r, s);
    case 'lru_prio':
    case 'migrate_hot':
      return hotScore(ctx, r, s);
    default:
      return DAMOS_MAX_SCORE;
  }
}
