// SPDX-License-Identifier: GPL-2.0-only
/**
 * DAMOS quotas: charge windows, the effective size quota (esz) with goal tuners, charging,
 * resuming after a full window, and the prioritisation histogram (damos.md §4, §3.4).
 */
import { PAGE_SIZE, ULONG_MAX, alignDown, minBig, multFracU64, u64 } from '../lib/kint.js';
import { jiffies, msecsToJiffies, type DamonCtx } from '../damon/ctx.js';
import { RegionWalk } from '../damon/region.js';
import type { KernelProfile } from '../profiles.js';
import { feedLoopNextInput } from '../damon/feedloop.js';
import { addrFilterBounds, coreFilterOut } from './filters.js';
import { quotaScore } from './goals.js';
import { patternMatches } from './pattern.js';
import type { Damos, DamosQuota } from './scheme.js';

/** Whether the quota limits anything (damos.md §4.1; before the goal-tuner series: esz != 0). */
export function quotaIsSet(q: DamosQuota, profile: Pick<KernelProfile, 'zeroEszMeansNothing'>): boolean {
  if (!profile.zeroEszMeansNothing) return q.eszNum !== 0;
  return q.eszNum !== 0 || q.sz !== 0n || q.ms !== 0 || q.goals.length > 0;
}

/**
 * damon_do_apply_schemes()'s "quota full" test, which passes the scheme by (damos.md §3.2; the
 * apply pass's shortcuts ask it too): damos_quota_is_full(), or, before it existed,
 * `esz && charged_sz >= esz`, for which a zero esz (with goals: "apply nothing") is never full.
 */
export function quotaSkips(q: DamosQuota, minRegionSz: number, profile: Pick<KernelProfile, 'zeroEszMeansNothing' | 'quotaFullBelowMinRegion' | 'damosQuotaIsFull'>): boolean {
  if (profile.damosQuotaIsFull) return quotaIsFull(q, minRegionSz, profile);
  return q.eszNum !== 0 && q.chargedSz >= q.eszNum;
}

/**
 * The "quota full" test of damos_apply_scheme() saving the resume point after a charge and of an
 * ending charge window counting a qt_exceeds (damos.md §3.3, §4.2): damos_quota_is_full(), or,
 * before it existed, `quota_is_set && charged_sz >= esz`, which the goal-tuner series made of the
 * older `esz && ...` (mm-new's damos_adjust_quota() of March 2026): a window a goal held at esz 0
 * ends full. Without that series (zeroEszMeansNothing off) the two tests are one.
 */
export function quotaWindowFull(q: DamosQuota, minRegionSz: number, profile: Pick<KernelProfile, 'zeroEszMeansNothing' | 'quotaFullBelowMinRegion' | 'damosQuotaIsFull'>): boolean {
  if (profile.damosQuotaIsFull) return quotaIsFull(q, minRegionSz, profile);
  return quotaIsSet(q, profile) && q.chargedSz >= q.eszNum;
}

/** `damos_quota_is_full(q, min_region_sz)` (damos.md §4.1). */
export function quotaIsFull(q: DamosQuota, minRegionSz: number, profile: Pick<KernelProfile, 'zeroEszMeansNothing' | 'quotaFullBelowMinRegion'>): boolean {
  if (!quotaIsSet(q, profile)) return false;
  // charged_sz stays far below 2^53; an esz at or above it can never be reached.
  const esz = q.eszNum;
  if (esz >= Number.MAX_SAFE_INTEGER) return false;
  if (q.chargedSz >= esz) return true;
  return profile.quotaFullBelowMinRegion && esz - q.chargedSz < minRegionSz;
}

/** `damos_set_effective_quota(c, s)` (damos.md §4.4). Returns the simulated time goal refreshes took. */
export function setEffectiveQuota(ctx: DamonCtx, s: Damos, schemeIdx: number): number {
  const q = s.quota;
  let costNs = 0;
  if (!q.ms && q.goals.length === 0) {
    q.esz = q.sz;
    ctx.tracer?.quotaSet?.(ctx, schemeIdx, s, ctx.clock.now);
    return 0;
  }
  let esz = ULONG_MAX;
  if (q.goals.length > 0) {
    if (q.goalTuner === 'consist') {
      const r = quotaScore(ctx, s, schemeIdx);
      costNs += r.costNs;
      q.eszBp = feedLoopNextInput(q.eszBp > 10000n ? q.eszBp : 10000n, r.score, ctx.profile.feedLoopMultFrac);
    } else if (q.goalTuner === 'temporal') {
      const r = quotaScore(ctx, s, schemeIdx);
      costNs += r.costNs;
      q.eszBp = r.score >= 10000n ? 0n : q.sz !== 0n ? u64(q.sz * 10000n) : ULONG_MAX;
    }
    esz = q.eszBp / 10000n;
  }
  if (q.ms) {
    const throughput = q.totalChargedNs
      ? multFracU64(BigInt(q.totalChargedSz), 1_000_000n, BigInt(q.totalChargedNs))
      : BigInt(PAGE_SIZE * 1024);
    esz = minBig(u64(throughput * BigInt(q.ms)), esz);
    if (ctx.profile.timeQuotaEszFloor && esz < BigInt(ctx.minRegionSz)) esz = BigInt(ctx.minRegionSz);
  }
  if (q.sz !== 0n && q.sz < esz) esz = q.sz;
  q.esz = esz;
  ctx.tracer?.quotaSet?.(ctx, schemeIdx, s, ctx.clock.now + costNs);
  return costNs;
}

/** ctx->regions_score_histogram: reused across calls (DAMOS_MAX_SCORE + 1 entries, more if unclamped). */
let scoreHistogram = new Float64Array(100);

function growHistogram(score: number): void {
  const h = new Float64Array(score + 1);
  h.set(scoreHistogram);
  scoreHistogram = h;
}

/**
 * `damos_adjust_quota(c, s)`: start a new charge window when the old one ended (refreshing esz),
 * then rebuild the score histogram and min_score (damos.md §4.2). Returns simulated ns spent.
 */
export function adjustQuota(ctx: DamonCtx, s: Damos, schemeIdx: number): number {
  const q = s.quota;
  let costNs = 0;
  if (!q.ms && q.sz === 0n && q.goals.length === 0) return 0;
  const at = ctx.clock.now;
  if (!q.totalChargedSz && !q.chargedFrom) {
    q.chargedFrom = jiffies(ctx.clock);
    costNs = setEffectiveQuota(ctx, s, schemeIdx);
    if (ctx.profile.eszTraceAtFirstSetup) ctx.tracer?.eszTraced?.(ctx, schemeIdx, s, ctx.clock.now + costNs);
    // The kernel reads jiffies again after the walk (§4.2): a first window whose walk took
    // reset_interval or more has ended already, and the next refresh begins after it. The clock
    // is put back below and moves by all walks together after the call, as it always has: adding
    // the same costs in another order changes the doubles, and with them the whole run.
    ctx.clock.now = at + costNs;
  }
  const now = jiffies(ctx.clock);
  // time_in_range_open(jiffies, charged_from, charged_from + reset): [from, from + reset).
  const windowEnd = q.chargedFrom + msecsToJiffies(q.resetInterval, ctx.clock.hz);
  if (!(now >= q.chargedFrom && now < windowEnd)) {
    if (quotaWindowFull(q, ctx.minRegionSz, ctx.profile)) s.stat.qtExceeds++;
    q.totalChargedSz += q.chargedSz;
    q.chargedFrom = now;
    q.chargedSz = 0;
    const cachedEsz = q.esz;
    const c = setEffectiveQuota(ctx, s, schemeIdx);
    costNs += c;
    // trace_damos_esz fires when a new window changes esz, stamped as the call's goal records are.
    if (q.esz !== cachedEsz) ctx.tracer?.eszTraced?.(ctx, schemeIdx, s, ctx.clock.now + c);
  }
  ctx.clock.now = at;
  if (!ctx.ops.getSchemeScore) return costNs;
  // A window already full stays full through this apply pass, which skips the scheme before
  // damos_valid_target() reads min_score: the scores are not needed. What the walk still does is
  // split the regions its core addr filters cut.
  if (quotaSkips(q, ctx.minRegionSz, ctx.profile)) {
    if (ctx.profile.histogramCoreFilter) splitAtCoreFilters(ctx, s);
    return costNs;
  }
  const coreFilters = ctx.profile.histogramCoreFilter;
  scoreHistogram.fill(0);
  let maxScore = 0;
  for (const t of ctx.targets) {
    const w = new RegionWalk(t);
    for (let r = w.next(); r; r = w.next()) {
      if (!patternMatches(ctx, r, s)) continue;
      if (coreFilters && coreFilterOut(ctx, w, s)) continue;
      const score = ctx.ops.getSchemeScore(ctx, r, s);
      // Without the 2026 clamp a score above 99 indexes past the kernel's array (trap 15), and a
      // cold score below 0 before it; the simulator gives high scores room and, as a typed array
      // write at a negative index does nothing, drops negative ones, instead of corrupting memory.
      if (score >= scoreHistogram.length) growHistogram(score);
      scoreHistogram[score] += r.end - r.start;
      if (score > maxScore) maxScore = score;
    }
    w.finish();
  }
  let cumulated = 0;
  let score = maxScore;
  const esz = q.eszNum; // exact below 2^53; above it no sum of region sizes reaches it
  for (;;) {
    cumulated += scoreHistogram[score] ?? 0;
    if (cumulated >= esz || !score) break;
    score--;
  }
  q.minScore = score;
  return costNs;
}

/**
 * The histogram walk of a full window, reduced to what changes anything: damos_core_filter_out()
 * on the pattern-matching regions, which splits only a region with an addr filter's boundary
 * strictly inside it. Regions holding none are passed over; the rest are visited in the walk's
 * order, each split-off right part next, exactly as the full walk would (damos.md §4.2, §6.2).
 */
function splitAtCoreFilters(ctx: DamonCtx, s: Damos): void {
  const bounds = addrFilterBounds(s, ctx.minRegionSz);
  if (bounds.length === 0) return;
  bounds.sort((a, b) => a - b);
  for (const t of ctx.targets) {
    const w = new RegionWalk(t);
    let r = w.next();
    while (r) {
      // The lowest boundary above r's start: regions ending at or below it hold none inside.
      let b = -1;
      for (const x of bounds) {
        if (x > r.start) {
          b = x;
          break;
        }
      }
      if (b < 0) break;
      if (r.end <= b) {
        r = w.nextEndingAbove(b);
        continue;
      }
      if (patternMatches(ctx, r, s)) coreFilterOut(ctx, w, s);
      r = w.next();
    }
    w.finish();
  }
}

/** `damos_charge_quota(q, sz_region, sz_applied)` (damos.md §4.3). */
export function chargeQuota(q: DamosQuota, szRegion: number, szApplied: number, failChargeRatio: boolean): void {
  if (!failChargeRatio || q.failChargeDenom === 0 || szApplied > szRegion) {
    q.chargedSz += szRegion;
    return;
  }
  q.chargedSz += szApplied + Number(multFracU64(BigInt(szRegion - szApplied), BigInt(q.failChargeNum), BigInt(q.failChargeDenom)));
}

/**
 * `damos_skip_charged_region(t, r, s, min_region_sz)`: after a window ended full, skip regions up to
 * where charging stopped (damos.md §3.4). May split r (r keeps the skipped left part).
 */
export function skipChargedRegion(w: RegionWalk, s: Damos, minRegionSz: number): boolean {
  const q = s.quota;
  if (q.chargeTargetFrom === null) return false;
  const r = w.cur!;
  if (w.t !== q.chargeTargetFrom) return true;
  if (w.isLast()) {
    q.chargeTargetFrom = null;
    q.chargeAddrFrom = 0;
    return true;
  }
  if (q.chargeAddrFrom && r.end <= q.chargeAddrFrom) return true;
  if (q.chargeAddrFrom && r.start < q.chargeAddrFrom) {
    let k = alignDown(q.chargeAddrFrom - r.start, minRegionSz);
    if (k === 0) {
      if (r.end - r.start <= minRegionSz) return true;
      k = minRegionSz;
    }
    if (w.splitsVisited) {
      // r keeps the charged left part and is skipped; the right part is visited next.
      w.splitCur(k);
      return true;
    }
    // Mainline (damos_skip_charged_region(t, &r, ...)): the caller goes on with the right part.
    w.splitCurEnterRight(k);
  }
  q.chargeTargetFrom = null;
  q.chargeAddrFrom = 0;
  return false;
}
