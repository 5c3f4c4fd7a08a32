// SPDX-License-Identifier: GPL-2.0-only
/**
 * The DAMOS apply pass (damos.md §3): per due scheme adjust the quota, then walk every region of
 * every target and let each scheme in turn act on it, splitting regions at the remaining quota,
 * at charge-resume points and at addr-filter boundaries. Splits insert right after the region, and
 * the walk visits them next (the damon tree's non-safe region iterator), or, with profile switch
 * safeApplyWalk (mainline up to 6.19), passes over them.
 */
import { alignDown } from '../lib/kint.js';
import { coarseNs, type DamonCtx } from '../damon/ctx.js';
import { PieceRun, RegionWalk, SimulationLimitError, boundsMoved, newRegionLike, regionLimits, type DamonRegion, type DamonTarget } from '../damon/region.js';
import { addrFilterBounds, coreFilterOut } from './filters.js';
import { damosValidTarget, validForNoSize } from './pattern.js';
import { EligibleMemo } from './goals.js';
import { adjustQuota, chargeQuota, quotaIsSet, quotaSkips, quotaWindowFull, skipChargedRegion } from './quota.js';
import type { Damos } from './scheme.js';

/** Observes every region a scheme was applied to (damos_walk(): tried-regions dumps). */
export type DamosWalkFn = (ctx: DamonCtx, t: DamonTarget, r: DamonRegion, s: Damos, szFilterPassed: number) => void;

/** An installed damos_walk() request (damos.md §2.4; src/damos/walk.ts). */
export interface DamosWalkControl {
  /** damos_walk_call_walk(): right after ops.apply_scheme() on r. */
  call: DamosWalkFn;
  /** damos_walk_complete(): s finished an apply pass while the walk was installed. */
  complete(ctx: DamonCtx, s: Damos): void;
}

/**
 * Switches of the apply pass's shortcuts, which change no output (tests turn them off to prove
 * it), and how many times each was taken.
 */
export const applyShortcuts = {
  foldRejectedSplits: true,
  foldsTaken: 0,
  pieceRuns: true,
  runsTaken: 0,
  /** Fewer pieces than this stay regions: as a run they cost more than they save. */
  minRunPieces: 256,
  /**
   * The first run of a process needs this many. The code that meets runs is compiled before any
   * exists, and the first run makes V8 compile it again; a run that only ever splits a few
   * hundred pieces at a time loses more on that than the runs save it.
   */
  minFirstRunPieces: 4096,
};

/** The last quota split of this region visit whose left part a core filter then rejected. */
let rejectedSplit: RejectedSplit | null = null;

/** `damos_apply_scheme(c, t, r, s)` (damos.md §3.3). The kdamond's clock advances by the action's time. */
function damosApplyScheme(ctx: DamonCtx, w: RegionWalk, s: Damos, walk?: DamosWalkControl): void {
  const q = s.quota;
  const r = w.cur!;
  let sz = r.end - r.start;
  let applied = 0;
  let passedOps = 0;
  let skipAgeReset = false;
  let rest: DamonRegion | undefined;
  {
    if (quotaIsSet(q, ctx.profile) && q.chargedSz + sz > q.eszNum) {
      // Exact: both sides stay below 2^53 whenever the test can be true.
      sz = alignDown(q.eszNum - q.chargedSz, ctx.minRegionSz);
      if (sz === 0) skipAgeReset = true;
      else rest = w.splitCur(sz);
    }
    if (!skipAgeReset) {
      if (coreFilterOut(ctx, w, s)) {
        // Not tried, not charged, age kept: the rest is split again at the same size next.
        if (rest) {
          rejectedSplit = { s, sz, rest };
          ctx.rejectedQuotaSplits++;
        }
        return;
      }
      // The kernel finds the indices only when the tracepoint is enabled.
      const tr = ctx.tracer;
      if (tr?.beforeApply) tr.beforeApply(ctx, ctx.schemes.indexOf(s), ctx.targets.indexOf(w.t), r, w.nrRegions());
      // The kernel times the action with ktime_get_coarse_ts64(), which moves in whole ticks.
      const begin = coarseNs(ctx.clock);
      const res = ctx.ops.applyScheme(ctx, w.t, r, s);
      applied = res.applied;
      passedOps = res.szOpsFilterPassed;
      ctx.clock.now += res.costNs;
      walk?.call(ctx, w.t, r, s, passedOps);
      q.totalChargedNs += coarseNs(ctx.clock) - begin;
      chargeQuota(q, sz, applied, ctx.profile.failChargeRatio);
      if (quotaWindowFull(q, ctx.minRegionSz, ctx.profile)) {
        q.chargeTargetFrom = w.t;
        q.chargeAddrFrom = ctx.profile.chargeAddrFromExclusive ? r.end : r.end + 1;
      }
    }
  }
  if (!skipAgeReset && s.action !== 'stat') r.age = 0;
  s.stat.nrTried++;
  s.stat.szTried += sz;
  if (applied) s.stat.nrApplied++;
  s.stat.szApplied += applied;
  s.stat.szOpsFilterPassed += passedOps;
}

/** Whether s takes part in this apply pass: its apply interval has come and its watermarks let it act. */
export function schemeDue(ctx: DamonCtx, s: Damos): boolean {
  return ctx.passedSampleIntervals >= s.nextApplySis && s.wmarks.activated;
}

/** `damon_do_apply_schemes(c, t, r)` (damos.md §3.2). */
function damonDoApplySchemes(ctx: DamonCtx, w: RegionWalk, walk?: DamosWalkControl): void {
  for (const s of ctx.schemes) {
    if (!schemeDue(ctx, s)) continue;
    if (quotaSkips(s.quota, ctx.minRegionSz, ctx.profile)) continue;
    if (skipChargedRegion(w, s, ctx.minRegionSz)) continue;
    if (s.maxNrSnapshots && s.maxNrSnapshots <= s.stat.nrSnapshots) continue;
    // The region as it is now: a charge-resume split may have moved the walk into its right part.
    if (damosValidTarget(ctx, w.cur!, s)) damosApplyScheme(ctx, w, s, walk);
    // Added on every region, 0 but on the last: a store only the last region reached was first
    // made minutes into a run, after V8 had compiled this loop without it (a deopt each run).
    s.stat.nrSnapshots += w.isLast() ? 1 : 0;
  }
}

/** B1 post-apply merge-back (damos.md §3.5): fold r into its predecessor when the quota split lost nothing. */
function mergeBack(w: RegionWalk, maxRegionSz: number): void {
  const p = w.prev();
  const r = w.cur!;
  if (
    p &&
    p.end === r.start &&
    p.age === r.age &&
    p.lastNrAccesses === r.lastNrAccesses &&
    p.nrAccesses === r.nrAccesses &&
    r.end - p.start <= maxRegionSz
  ) {
    p.end = r.end;
    boundsMoved(p);
    w.foldCurIntoPrev();
  }
}

/**
 * `kdamond_apply_schemes(c)` (damos.md §3.1). The kdamond's clock advances as the work is done: a
 * scheme's quota adjustment reads the clock after the previous scheme's goal walks took their
 * time, each action starts when the one before it ended, and the per-scheme epilogue (walk
 * completion, the damos_stat_after_apply_interval tracepoint) comes after the actions.
 */
export function kdamondApplySchemes(ctx: DamonCtx, maxRegionSz: () => number, walk?: DamosWalkControl): void {
  let has = false;
  ctx.eligibleMemo = new EligibleMemo();
  try {
    ctx.schemes.forEach((s, si) => {
      if (ctx.passedSampleIntervals >= s.nextApplySis) s.applyIntervalCame = true;
      if (!schemeDue(ctx, s)) return;
      has = true;
      ctx.clock.now += adjustQuota(ctx, s, si);
    });
  } finally {
    ctx.eligibleMemo = null; // valid for this loop only (damos/goals.ts)
  }
  if (!has) return;
  // With every due scheme's window already full, damon_do_apply_schemes() skips each of them on
  // every region before touching it (the quota check comes first, damos.md §3.2), and nothing in
  // the walk charges: the walk would change nothing. B1's merge-back still folds regions, though.
  if (!ctx.profile.postApplyMerge && allDueFull(ctx)) {
    finishPass(ctx, walk);
    return;
  }
  const mergeLimit = ctx.profile.postApplyMerge ? maxRegionSz() : 0;
  try {
    for (const t of ctx.targets) {
      if (ctx.ops.targetValid && !ctx.ops.targetValid(t)) continue;
      const w = new RegionWalk(t, !ctx.profile.safeApplyWalk);
      applyRegions(ctx, w, mergeLimit, walk);
      w.finish();
    }
  } catch (e) {
    throw e instanceof SimulationLimitError && e.splitSz !== undefined ? withCause(ctx, e, e.splitSz) : e;
  }
  finishPass(ctx, walk);
}

/**
 * A split cascade past the simulator's region limit, with when it happened and, where a scheme's
 * quota split it, what would avoid it: a larger quota, unless a time quota's floor set it
 * (damos.md §4.4: with `ms`, esz is at least min_region_sz, even when a TEMPORAL goal is met).
 */
function withCause(ctx: DamonCtx, e: SimulationLimitError, splitSz: number): SimulationLimitError {
  const i = ctx.schemes.findIndex(
    (s) => schemeDue(ctx, s) && quotaIsSet(s.quota, ctx.profile) && alignDown(s.quota.eszNum - s.quota.chargedSz, ctx.minRegionSz) === splitSz,
  );
  const q = ctx.schemes[i]?.quota;
  let hint = 'use a larger quota or profile b1';
  // The floor set it, not a size quota that small (a larger one would help then).
  const floored = q && q.ms > 0 && ctx.profile.timeQuotaEszFloor && q.eszNum <= ctx.minRegionSz && !(q.sz > 0n && q.sz <= BigInt(ctx.minRegionSz));
  if (floored)
    hint =
      `scheme ${i}'s effective quota is min_region_sz (${ctx.minRegionSz}), the floor of a time quota (damos.md §4.4: with time_ms, ` +
      `esz is at least min_region_sz, even when a TEMPORAL goal is met), so a larger quota does not help; drop time_ms, or use profile b1`;
  else if (q) hint = `scheme ${i} had ${splitSz} of its effective quota (${q.eszNum}) left; use a larger quota or profile b1`;
  if (q && ctx.addrUnit !== 1) hint += ` (sizes in core units: bytes / addr_unit ${ctx.addrUnit})`;
  return new SimulationLimitError(`at ${(ctx.clock.now / 1e9).toFixed(3)} s (simulated), ${e.message}; ${hint}`, splitSz);
}

/**
 * The regions of one target's walk, each through damon_do_apply_schemes(). One loop in a function
 * of its own with nothing after it (ops/sampler.ts BinomialTables.drawRow() says why): V8
 * compiled this loop on its own (OSR) inside kdamondApplySchemes() and threw the code after it
 * away, five or six compiles of the whole function in a fresh CONSIST run.
 */
function applyRegions(ctx: DamonCtx, w: RegionWalk, mergeLimit: number, walk: DamosWalkControl | undefined): void {
  for (let r = w.next(); r; r = w.next()) {
    rejectedSplit = null;
    damonDoApplySchemes(ctx, w, walk);
    if (ctx.profile.postApplyMerge) {
      mergeBack(w, mergeLimit);
      if (rejectedSplit && applyShortcuts.foldRejectedSplits) foldRejectedSplits(ctx, w, rejectedSplit, mergeLimit);
    } else if (rejectedSplit && applyShortcuts.pieceRuns) runRejectedSplits(ctx, w, rejectedSplit);
  }
}

type RejectedSplit = { s: Damos; sz: number; rest: DamonRegion };

/**
 * A quota split before a core filter's rejection leaves the rest of the region to the next visit,
 * which cuts it at the same size again, and so on (damos.md §3.3): with a few KiB of quota left
 * that is a million visits for one region (docs/findings.md §3). Nothing else happens on the way
 * when every other scheme skips every piece (not due, its window full, or, with no resume point in
 * this target, its snapshots done or its pattern refusing each region it sees), the splitting
 * scheme matches every piece's size, and no
 * boundary of its addr filters lies in the rest, so that it rejects every piece: a rejected piece
 * is neither tried, charged, timed, traced nor aged. Returns how many pieces of `sz` the visits
 * would cut off before the last (which is visited as usual), or 0 where the shortcut does not hold.
 */
function passivePieces(ctx: DamonCtx, w: RegionWalk, split: RejectedSplit, minPieces: number): number {
  const { s, sz, rest } = split;
  const x = w.cur!;
  if (!w.splitsVisited || w.pendingTop() !== rest || x.end !== rest.start) return 0;
  // A visit splits while the rest is larger than the quota left (left >= sz, sz its
  // min_region_sz-aligned part): bounds off that grid (a commit that lowered addr_unit) can end
  // the splits at a rest between sz and left.
  const left = s.quota.eszNum - s.quota.chargedSz;
  const restSz = rest.end - rest.start;
  // The pattern sees each rest before its split, the smallest one last: once a rest is below the
  // scheme's min size it is not tried, and splits no more (it is visited as usual).
  const pieces = Math.min(Math.ceil((restSz - left) / sz), Math.floor((restSz - s.szMin) / sz) + 1);
  // Checked first: the walk makes this call on every piece it visits one by one.
  if (pieces <= 0 || pieces < minPieces) return 0;
  let before = true; // o comes before s in the schemes: it sees each rest, else each cut-off piece
  for (const o of ctx.schemes) {
    if (o === s) {
      before = false;
      continue;
    }
    if (!schemeDue(ctx, o) || quotaSkips(o.quota, ctx.minRegionSz, ctx.profile)) continue;
    // Done snapshots and a pattern that refuses skip a region only after
    // damos_skip_charged_region(), which may split it at a resume point in this target.
    if (o.quota.chargeTargetFrom === w.t) return 0;
    if (o.maxNrSnapshots && o.maxNrSnapshots <= o.stat.nrSnapshots) continue;
    // A scheme whose pattern refuses every region it would see does nothing on them, but count a
    // snapshot at the target's last region, which each rest may be.
    if (before ? w.pendingIsLast() || !validForNoSize(ctx, rest, o, restSz - (pieces - 1) * sz, restSz) : !validForNoSize(ctx, rest, o, sz, sz)) return 0;
  }
  // s itself has no resume point left and its snapshots are not done: it reached the piece. Its
  // pattern's other bounds (the largest size, nr_accesses, age) see the same in every rest.
  if (!damosValidTarget(ctx, rest, s)) return 0;
  if (addrFilterBounds(s, ctx.minRegionSz).some((b) => rest.start <= b && b < rest.end)) return 0;
  return pieces;
}

/**
 * B0 keeps the pieces passivePieces() finds: they are made at once, as one region carrying a
 * piece run for the others (damon/region.ts PieceRun), instead of as a million region objects.
 */
function runRejectedSplits(ctx: DamonCtx, w: RegionWalk, split: RejectedSplit): void {
  // A few pieces are cheaper as regions than as a run, whose columns and columnar merge cost more
  // than the objects would.
  const min = Math.max(2, applyShortcuts.runsTaken > 0 ? applyShortcuts.minRunPieces : applyShortcuts.minFirstRunPieces);
  const found = passivePieces(ctx, w, split, min);
  // Near the simulator's region limit the run stops a few pieces short of it and the visits go on
  // one by one, so that the walk stops where it would (RegionWalk.cut()), with no more than a few
  // region objects made on the way.
  const pieces = Math.min(found, regionLimits.maxSimulated - w.nrRegions() - 8);
  if (found === 0 || pieces < min) return;
  const { sz, rest } = split;
  // The first piece as damon_split_region_at() makes it; the run holds the others.
  const y = newRegionLike(rest.start, rest.start + sz, rest);
  y.run = new PieceRun(pieces - 1, sz, rest);
  rest.start += pieces * sz;
  boundsMoved(rest);
  w.passCurAndRun(y);
  ctx.rejectedQuotaSplits += pieces; // the visits' splits, each rejected
  applyShortcuts.runsTaken++;
}

/**
 * B1's merge-back folds each of the pieces passivePieces() finds into the one before it
 * (damos.md §3.5): do all but the last at once, leaving the runs the merge-back builds, each up to
 * the size limit.
 */
function foldRejectedSplits(ctx: DamonCtx, w: RegionWalk, split: RejectedSplit, maxRegionSz: number): void {
  const { sz, rest } = split;
  if (sz > maxRegionSz) return;
  const pieces = passivePieces(ctx, w, split, 1);
  if (pieces <= 0) return;
  const x = w.cur!;
  // The runs: the pieces join the region before them while the same state and the size limit
  // allow; one that does not starts a run, which takes perRun pieces.
  const joins = x.age === rest.age && x.lastNrAccesses === rest.lastNrAccesses && x.nrAccesses === rest.nrAccesses;
  const intoX = joins ? Math.min(pieces, Math.max(0, Math.floor((maxRegionSz - (x.end - x.start)) / sz))) : 0;
  const perRun = Math.floor(maxRegionSz / sz);
  const newRuns = Math.ceil((pieces - intoX) / perRun);
  // Where the walk could come near the simulator's region limit, the visits go one by one and
  // stop it where they would (RegionWalk.cut()).
  if (w.nrRegions() + newRuns + 2 >= regionLimits.maxSimulated) return;
  if (intoX > 0) {
    x.end += intoX * sz;
    boundsMoved(x);
  }
  const made: DamonRegion[] = [];
  let pos = rest.start + intoX * sz;
  for (let left = pieces - intoX; left > 0; left -= perRun) {
    // A run's first piece as damon_split_region_at() makes it, with the rest merged into it.
    const y = newRegionLike(pos, pos + Math.min(left, perRun) * sz, rest);
    made.push(y);
    pos = y.end;
  }
  rest.start = pos;
  boundsMoved(rest);
  w.passCurAndVisited(made);
  ctx.rejectedQuotaSplits += pieces; // the visits' splits, each rejected
  applyShortcuts.foldsTaken++;
}

/** Whether every scheme the pass applies has a full charge window (and would skip every region). */
function allDueFull(ctx: DamonCtx): boolean {
  for (const s of ctx.schemes) {
    if (!schemeDue(ctx, s)) continue;
    if (!quotaSkips(s.quota, ctx.minRegionSz, ctx.profile)) return false;
  }
  return true;
}

/** The per-scheme epilogue of kdamond_apply_schemes(): walk completion, next apply, tracepoint. */
function finishPass(ctx: DamonCtx, walk?: DamosWalkControl): void {
  ctx.schemes.forEach((s, si) => {
    if (ctx.passedSampleIntervals < s.nextApplySis) return;
    walk?.complete(ctx, s);
    ctx.setNextApplySis(s);
    s.lastApplied = null;
    // damos_trace_stat(): the tracepoint came in 7.0 (profile switch statTracepoint).
    if (ctx.profile.statTracepoint) ctx.tracer?.applied?.(ctx, si, s);
  });
}
