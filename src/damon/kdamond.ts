// SPDX-License-Identifier: GPL-2.0-only
/**
 * The kdamond: `kdamond_fn`'s start-up and main loop (damon-monitoring.md §2), one loop iteration
 * (one sampling interval) per `step()`. The simulated clock advances by the sampling interval's
 * sleep and by the time DAMOS actions take, as the kernel thread's wall clock would.
 */
import { kdamondApplySchemes, schemeDue } from '../damos/apply.js';
import type { DamosWalk } from '../damos/walk.js';
import { setFiltersDefaultReject, type Damos } from '../damos/scheme.js';
import { si } from './attrs.js';
import type { DamonCtx } from './ctx.js';
import type { DamonTarget } from './region.js';
import { tunedAttrs } from './intervals.js';
import { kdamondMergeRegions } from './merge.js';
import { applyMinNrRegions, kdamondSplitRegions, regionSzLimit } from './split.js';
import { accessWindowNs, kdamondUsleepEnd } from './usleep.js';

export class Kdamond {
  readonly ctx: DamonCtx;
  /** damon_call() requests, run at the kdamond_call() point of the next iteration. */
  readonly calls: Array<(ctx: DamonCtx) => void> = [];
  /** Installed damos_walk() request (tried-regions dumps), if any (damos.md §2.4). */
  walk: DamosWalk | undefined = undefined;
  private szLimit = 0;
  stopped = false;
  /**
   * Step 1's snapshot (§2.2). kdamond_wait_activation() loops inside one iteration, so while
   * watermarks keep monitoring paused the snapshot taken before the wait is the one used after it.
   */
  private snapped = false;
  private snapAggrSis = 0;
  private snapOpsSis = 0;
  private snapSint = 0;

  constructor(ctx: DamonCtx) {
    this.ctx = ctx;
  }

  /** kdamond_init_ctx(), ops.init(), the initial merge size limit (§2.1). */
  start(): void {
    const ctx = this.ctx;
    const sint = si(ctx.attrs);
    ctx.passedSampleIntervals = 0;
    this.snapped = false;
    ctx.nextAggregationSis = Math.floor(ctx.attrs.aggrInterval / sint);
    ctx.nextOpsUpdateSis = Math.floor(ctx.attrs.opsUpdateInterval / sint);
    ctx.nextIntervalsTuneSis = ctx.nextAggregationSis * ctx.attrs.intervalsGoal.aggrs;
    for (const s of ctx.schemes) {
      ctx.setNextApplySis(s);
      setFiltersDefaultReject(s);
    }
    ctx.ops.init?.(ctx);
    this.refreshSzLimit();
  }

  /**
   * The merge size limit: at start, then after every merge (profiles applying min_nr_regions, which
   * also splits to honour it) or after every ops update (the others).
   */
  private refreshSzLimit(): void {
    const ctx = this.ctx;
    this.szLimit = ctx.profile.applyMinNrRegions
      ? applyMinNrRegions(ctx.targets, ctx.attrs, ctx.minRegionSz)
      : regionSzLimit(ctx.targets, ctx.attrs, ctx.minRegionSz);
  }

  /** `damos_wmark_wait_us` for one scheme (damos.md §3.6); `peek`: change nothing. */
  private wmarkWaitUs(s: Damos, peek = false): number {
    const w = s.wmarks;
    if (w.metric === 'none') return 0;
    const m = this.ctx.mm.freeMemRatePermil();
    if (m > w.high || w.low > m) {
      if (!peek) w.activated = false;
      return w.interval;
    }
    if (w.high >= m && m >= w.mid && !w.activated) return w.interval;
    if (!peek) w.activated = true;
    return 0;
  }

  /**
   * kdamond_wait_activation's minimum wait over all schemes (0: go on sampling). Its minimum and
   * "initialised" flag live across the rounds of one wait, as the kernel declares them before its
   * loop: a later round can only lower the wait, so schemes removed by a call during the wait
   * leave the last minimum in force (no schemes at the first round: 0, go on). `peek`: what it
   * would return if the next step began now, changing nothing (nextSleepEnd()).
   */
  private activationWaitUs(peek = false): number {
    // Outside an iteration (peek: before step() began one) a new wait would start.
    let init = this.snapped && this.waitInit;
    let min = this.snapped ? this.waitMinUs : 0;
    for (const s of this.ctx.schemes) {
      const w = this.wmarkWaitUs(s, peek);
      if (!init || w < min) {
        init = true;
        min = w;
      }
    }
    if (!peek) {
      this.waitInit = init;
      this.waitMinUs = min;
    }
    return min;
  }

  /**
   * The sysfs writer's view of the sleeps that are not sampling intervals (watermark waits,
   * pauses): what was written during one is served at its end, an `off` ends it at once.
   */
  sysfs: { stopDuringSleep(fromNs: number, toNs: number): number | undefined; callPoint(): void } | undefined = undefined;

  /** kdamond_wait_activation's min_wait_time and init_wait_time for the wait in progress. */
  private waitMinUs = 0;
  private waitInit = false;

  /** kdamond_call(ctx, false). Returns false when the context got corrupted by a failed commit. */
  private runCalls(): boolean {
    if (this.calls.length === 0) return !this.ctx.maybeCorrupted;
    const calls = this.calls.splice(0);
    for (const c of calls) {
      c(this.ctx);
      if (this.ctx.maybeCorrupted) break; // the rest is canceled when the kdamond exits
    }
    return !this.ctx.maybeCorrupted;
  }

  /** `damos_walk_cancel()`. */
  cancelWalk(): void {
    const w = this.walk;
    this.walk = undefined;
    w?.cancel();
  }

  /** Leave the main loop: pending walks are canceled (kdamond_fn's exit path). */
  private stop(): void {
    this.stopped = true;
    this.calls.length = 0;
    this.cancelWalk();
  }

  /** Whether any scheme's apply interval has come (kdamond_apply_schemes would do something). */
  private anySchemeDue(): boolean {
    const ctx = this.ctx;
    for (const s of ctx.schemes) if (schemeDue(ctx, s)) return true;
    return false;
  }

  /**
   * A round without monitoring (watermark wait, pause): sleep `us`, serve damon_call requests and
   * cancel walks, or leave the loop if a call corrupted the context.
   */
  private idle(us: number): void {
    const ctx = this.ctx;
    const end = kdamondUsleepEnd(ctx.clock, us, ctx.profile.tickSleeps);
    // kthread_stop() wakes the sleeping kdamond: an `off` written during the sleep ends it then.
    const stopAt = this.sysfs?.stopDuringSleep(ctx.clock.now, end);
    if (stopAt !== undefined) {
      ctx.idleNs += stopAt - ctx.clock.now;
      ctx.clock.now = stopAt;
      this.stop();
      return;
    }
    ctx.idleNs += end - ctx.clock.now;
    ctx.clock.now = end;
    // A damon_call() made during the sleep is served at this round's kdamond_call().
    this.sysfs?.callPoint();
    // The calls may read or change regions: the sampler's counters must be in them first.
    if (this.calls.length > 0) ctx.ops.syncRegions?.(ctx);
    if (!this.runCalls()) this.stop();
    else this.cancelWalk();
  }

  /** One iteration of the main loop (§2.2). */
  step(): void {
    const ctx = this.ctx;
    if (this.stopped) return;
    if (ctx.pause) {
      // A paused context keeps its regions and their results and only serves damon_call requests
      // (a commit resumes it) and cancels walks, sleeping one sampling interval per round; no
      // monitoring, no DAMOS (the spec gives no loop detail; this follows the pause series' cover
      // letter, "mm/damon/core: introduce damon_ctx->paused", 2026).
      this.idle(si(ctx.attrs));
      return;
    }
    if (!this.snapped) {
      // A new iteration: a new kdamond_wait_activation() call.
      this.snapped = true;
      this.waitMinUs = 0;
      this.waitInit = false;
      this.snapAggrSis = ctx.nextAggregationSis;
      this.snapOpsSis = ctx.nextOpsUpdateSis;
      this.snapSint = ctx.attrs.sampleInterval;
    }

    const wait = this.activationWaitUs();
    if (wait) {
      // Monitoring pauses while every scheme is deactivated by its watermarks; the iteration (and
      // its snapshot) goes on once one is activated again.
      this.idle(wait);
      return;
    }
    this.snapped = false;
    const nxtAggr = this.snapAggrSis;
    const nxtOps = this.snapOpsSis;
    const sintRaw = this.snapSint;

    ctx.ops.prepareAccessChecks(ctx);
    const slept = kdamondUsleepEnd(ctx.clock, sintRaw, ctx.profile.tickSleeps) - ctx.clock.now;
    ctx.clock.now += slept;
    ctx.accessWindowNs = accessWindowNs(slept, sintRaw, ctx.clock.hz, ctx.profile.tickSleeps);
    ctx.passedSampleIntervals++;
    let maxNrAccesses = ctx.ops.checkAccesses(ctx);

    const aggregating = ctx.passedSampleIntervals >= nxtAggr;
    const hasCalls = this.calls.length > 0;
    let due = ctx.schemes.length > 0 && this.anySchemeDue();
    // The core reads or changes regions below only here; let the ops make them current first.
    if (ctx.ops.syncRegions && (aggregating || hasCalls || due)) maxNrAccesses = ctx.ops.syncRegions(ctx);
    if (aggregating) {
      kdamondMergeRegions(ctx.targets, ctx.attrs, Math.floor(maxNrAccesses / 10), this.szLimit, ctx.profile);
      if (ctx.profile.applyMinNrRegions) this.refreshSzLimit();
    }

    if (!this.runCalls()) {
      this.stop();
      return;
    }

    // Which schemes are due is kdamond_apply_schemes()' own test, after the calls: a commit may
    // have re-activated a scheme's watermarks (damos.md trap 16) or changed the schemes.
    if (hasCalls) due = ctx.schemes.length > 0 && this.anySchemeDue();
    if (due) {
      kdamondApplySchemes(ctx, () => regionSzLimit(ctx.targets, ctx.attrs, ctx.minRegionSz), this.walk);
      if (this.walk?.finished) this.walk = undefined;
    }
    if (ctx.schemes.length === 0) this.cancelWalk(); // nothing to walk for

    let sint = si(ctx.attrs);
    if (aggregating) {
      const goal = ctx.attrs.intervalsGoal;
      if (goal.aggrs && ctx.passedSampleIntervals >= ctx.nextIntervalsTuneSis) {
        ctx.nextAggregationSis = nxtAggr;
        ctx.nextIntervalsTuneSis += ctx.attrs.aggrSamples * goal.aggrs;
        const next = tunedAttrs(ctx.targets, ctx.attrs);
        if (next) {
          ctx.tracer?.intervalsTuned?.(ctx, next.sampleInterval);
          ctx.setAttrs(next); // a refusal keeps the old intervals, as damon_set_attrs()' does
        }
        sint = si(ctx.attrs);
      }
      ctx.nextAggregationSis = nxtAggr + Math.floor(ctx.attrs.aggrInterval / sint);
      this.resetAggregated();
      kdamondSplitRegions(ctx.targets, ctx.attrs, ctx.minRegionSz, ctx.splitState, ctx.rng);
    }

    if (ctx.passedSampleIntervals >= nxtOps) {
      ctx.nextOpsUpdateSis = nxtOps + Math.floor(ctx.attrs.opsUpdateInterval / sint);
      ctx.ops.update?.(ctx);
      if (!ctx.profile.applyMinNrRegions) this.refreshSzLimit();
    }
  }

  /**
   * When the next step's sleep would end if it began now (sysfs writes due by then are served at
   * its kdamond_call()): a paused round's `si()`, a watermark wait's, or the sampling interval
   * (the snapshot's inside an iteration that waited).
   */
  nextSleepEnd(): number {
    const ctx = this.ctx;
    const wait = ctx.pause ? 0 : this.activationWaitUs(true);
    const us = ctx.pause ? si(ctx.attrs) : wait ? wait : this.snapped ? this.snapSint : ctx.attrs.sampleInterval;
    return kdamondUsleepEnd(ctx.clock, us, ctx.profile.tickSleeps);
  }

  /** Make region counters current for readers outside the loop (reports, tests). */
  syncRegions(): void {
    this.ctx.ops.syncRegions?.(this.ctx);
  }

  private resetAggregated(): void {
    this.ctx.tracer?.aggregated?.(this.ctx);
    kdamondResetAggregated(this.ctx.targets);
  }
}

/** `kdamond_reset_aggregated(ctx)` after its tracepoint (§4.3). */
export function kdamondResetAggregated(targets: readonly DamonTarget[]): void {
  for (const t of targets) {
    // A run keeps one last_nr_accesses for all its pieces: one whose pieces sampling set apart
    // becomes regions first. The run only B0's apply pass made since the last merge is alike still.
    if (t.nrRegions !== t.rawRegions.length && t.rawRegions.some((r) => r.run !== null && r.run.sampled)) t.materializeRuns();
    for (const r of t.rawRegions) {
      const bp = Math.imul(r.nrAccesses, 10000) >>> 0;
      if (r.nrAccessesBp !== bp) r.nrAccessesBp = bp; // the kernel warns once, then fixes
      r.lastNrAccesses = r.nrAccesses;
      r.nrAccesses = 0;
      const run = r.run;
      if (run) {
        // Every piece has nrBase: the same three steps, once.
        run.bpBase = Math.imul(run.nrBase, 10000) >>> 0;
        run.lastNrAccesses = run.nrBase;
        run.nrBase = 0;
      }
    }
  }
}
