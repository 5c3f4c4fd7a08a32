// SPDX-License-Identifier: GPL-2.0-only
/**
 * Scheduled online changes at run time: each scenario event is a write of a sysfs state command
 * (damos.md §7). Commands the kernel runs through damon_call() are handed to the kdamond
 * (Kdamond.calls) so they run at the kdamond_call() point of the first iteration whose sampling
 * sleep ends at or after the event time (damon-monitoring.md §2.2 step 8); the tried-regions
 * commands install a damos_walk() (damos.md §2.4) that completes once every scheme finished an
 * apply pass. A kdamond's events are issued one after another, as a script writing its state
 * file does: an event waits while the previous one has not returned.
 *
 * Records (docs/timeline.md): `event` (the command's outcome), `stats`, `effective_quota`,
 * `tuned_intervals`, `tried_regions`.
 */
import { stoppedCommandErrno, type KernelProfile } from '../profiles.js';
import { damonCommitCtx, damonCommitCtxTest, sysfsTargetsRefusal } from '../damon/commit.js';
import { ctxIdxInKdamond, jiffies, msecsToJiffies, type DamonCtx } from '../damon/ctx.js';
import type { Kdamond } from '../damon/kdamond.js';
import { SplitState } from '../damon/split.js';
import { commitSchemesQuotaGoals, goalsTakenBefore } from '../damos/commit.js';
import type { Damos } from '../damos/scheme.js';
import { DamosWalk } from '../damos/walk.js';
import { Prng } from '../lib/prng.js';
import type { DamonOperations, OpsId } from '../ops/operations.js';
import type { EventCommand, ScheduledEvent } from '../scenario/events.js';
import type { ContextParams, KdamondParams } from '../scenario/model.js';
import { buildContext, buildScheme, goalsBuildRefusal } from './build.js';
import { secs } from './recorder.js';
import type { SimKdamond, Simulation } from './simulation.js';

export interface EventRecord {
  type: 'event';
  t: number;
  kdamond: number;
  ctx: number;
  /** Index in the scenario's events list. */
  event: number;
  command: EventCommand;
  /** ok; error: the write failed (error says why); pending: still waiting when the run ended. */
  status: 'ok' | 'error' | 'pending';
  error?: string;
  /** The kdamond left its loop because of this event (off, or a commit that corrupted the context). */
  stopped?: boolean;
  /** An accepted `on`: each scheme's cumulative applied totals when the kdamond had stopped, before the new context's start from 0. */
  stats_before?: Array<{ sz_applied: number; nr_applied: number; qt_exceeds: number }>;
  /**
   * After an accepted write that sets the schemes (`commit`, `commit_schemes_quota_goals`, `on`),
   * or a `commit_schemes_quota_goals` refused after earlier schemes took their goals: how many quota
   * goals each of the context's schemes has now, so a reader can tell a goal the write removed from
   * one that was merely not evaluated.
   */
  goals?: number[];
  /**
   * With `goals`: each scheme's goals after the write, as the goal records name them, so a reader
   * can tell which write set a goal's current target (summary phases).
   */
  goal_params?: GoalParams[][];
}

/** A quota goal's identity in the timeline: what a `goal` record's metric, nid and target say. */
export interface GoalParams {
  metric: string;
  nid: number;
  target_value: bigint;
}

/** The writes that set a context's schemes and goals. */
export const SCHEME_WRITES: ReadonlySet<string> = new Set(['commit', 'commit_schemes_quota_goals', 'on']);

/**
 * The state-file writes of `records` with these commands that the kernel took (status ok), or that
 * it refused after changing goals (a commit_schemes_quota_goals whose record carries `goals`).
 */
export function writesOf(records: ReadonlyArray<{ readonly type?: unknown; readonly status?: unknown; readonly command?: unknown; readonly goals?: unknown }>, commands: ReadonlySet<string>): EventRecord[] {
  return records.filter((e): e is EventRecord => e.type === 'event' && (e.status === 'ok' || e.goals !== undefined) && commands.has(e.command as string));
}

export interface TriedRegion {
  start: number;
  end: number;
  nr_accesses: number;
  age: number;
  sz_filter_passed: number;
}

interface WalkAcc {
  totalBytes: number;
  regions: TriedRegion[];
}

/** A stand-in operations set for a parameter context that is only read (never run). */
function paramOps(id: OpsId, running: DamonOperations): DamonOperations {
  if (id === running.id) return running;
  return { id, prepareAccessChecks: () => undefined, checkAccesses: () => 0, applyScheme: () => ({ applied: 0, szOpsFilterPassed: 0, costNs: 0 }) };
}

/** Handled by the sysfs write itself, without damon_call(): it works whether the kdamond runs or not. */
const CLEAR = 'clear_schemes_tried_regions';

/** Why a kdamond whose last `on` failed has no context (the commands' errors say it). */
const NO_CTX = 'kdamond has no context (the failed on destroyed the stopped one first: damon_sysfs_turn_damon_on())';

/**
 * What a command to a kdamond that does not run fails with: -EINVAL where it has no context (no
 * damon_ctx for damon_sysfs_damon_call(): a failed `on` destroyed it); once it stopped, what
 * damon_call() (or damos_walk(), for the tried-regions updates) answers a stopped context under the
 * profile (callObsoleteCanceled, walkObsoleteCanceled).
 */
function stoppedError(command: string, profile: KernelProfile | undefined, hasCtx: boolean): string {
  if (!hasCtx) return `-EINVAL: ${NO_CTX}`;
  const { errno, via } = profile === undefined ? { errno: '-EINVAL', via: '' } : stoppedCommandErrno(profile, command, true);
  return errno === '-ECANCELED' ? `-ECANCELED: kdamond is not running (${via}() on a stopped context)` : '-EINVAL: kdamond is not running';
}

export class EventEngine {
  /** Every record the events produced, in emission order. */
  readonly records: Array<Record<string, unknown>> = [];
  private readonly queues = new Map<number, ScheduledEvent[]>();
  /** The command each kdamond has in flight (its writer waits for it). */
  private readonly inflight = new Map<number, ScheduledEvent>();
  /** Intervals update_tuned_intervals wrote into a kdamond's sample_us / aggr_us files since its last commit. */
  private readonly tunedFiles = new Map<number, { sampleUs: number; aggrUs: number }>();
  /** When each kdamond's writer got its last answer: the next write is made no earlier. */
  private readonly answeredAt = new Map<number, number>();
  /** Each kdamond's refresh_ms file: the scenario's, then what an `on` started it with. */
  private readonly refreshMs = new Map<number, number>();
  /** When each kdamond's refresh_ms work next updates the files (jiffies; per kdamond, see refresh()). */
  private readonly nextRefresh = new Map<number, number>();
  /**
   * The kdamonds whose last `on` failed: damon_sysfs_turn_damon_on() destroyed the stopped run's
   * context before building the one that failed, so they have none until an `on` succeeds.
   */
  private readonly noCtx = new Set<number>();

  /** The files `on` reads: the scenario's mirror, with intervals update_tuned_intervals wrote back. */
  private withTunedIntervals(idx: number, params: KdamondParams): KdamondParams {
    const t = this.tunedFiles.get(idx);
    if (!t) return params;
    return { ...params, contexts: params.contexts.map((c) => ({ ...c, attrs: { ...c.attrs, sampleInterval: t.sampleUs, aggrInterval: t.aggrUs } })) };
  }

  constructor(
    private readonly sim: Simulation,
    events: readonly ScheduledEvent[],
    /** Gets each record with its exact simulated time (`t` is rounded to µs), for the timeline's order. */
    private readonly emitFn: (rec: { t: number }, ns: number) => void = () => undefined,
    /** The run's end: an event at or after it is never written (its load-time warning says so). */
    endNs = Infinity,
  ) {
    for (const k of sim.kdamonds) this.refreshFrom(k, sim.scenario.kdamonds[k.idx]?.refreshMs ?? 0);
    const sorted = events.filter((ev) => ev.at < endNs).sort((a, b) => a.at - b.at || a.index - b.index);
    for (const ev of sorted) {
      const q = this.queues.get(ev.kdamond) ?? [];
      q.push(ev);
      this.queues.set(ev.kdamond, q);
    }
  }

  /** Hook into the simulation's scheduler (only when there is something to deliver). */
  attach(): this {
    if (this.queues.size === 0) return this;
    this.sim.beforeStep = (k) => this.beforeStep(k);
    for (const k of this.sim.kdamonds) this.hook(k);
    // A stopped kdamond takes no steps: its events (an `on` among them) are delivered at their times.
    this.sim.nextWakeNs = () => this.nextStoppedEventNs();
    this.sim.wake = (ns) => this.flushStopped(ns);
    return this;
  }

  /** The time of the earliest event waiting for a stopped kdamond (Infinity: none). */
  nextStoppedEventNs(): number {
    let min = Infinity;
    for (const [idx, q] of this.queues) {
      if (q.length === 0 || q[0].at >= min) continue;
      const k = this.simKdamond(idx);
      if (!k || k.kdamond.stopped) min = q[0].at;
    }
    return min;
  }

  private emit(rec: Record<string, unknown>, ns: number): void {
    this.records.push(rec);
    this.emitFn(rec as Record<string, unknown> & { t: number }, ns);
  }

  private simKdamond(idx: number): SimKdamond | undefined {
    return this.sim.kdamonds.find((k) => k.idx === idx);
  }

  private outcome(ev: ScheduledEvent, t: number, ctx: DamonCtx | undefined, status: EventRecord['status'], error?: string, stopped?: boolean, statsBefore?: EventRecord['stats_before'], changedGoals = false): void {
    const rec: EventRecord = { type: 'event', t: secs(t), kdamond: ev.kdamond, ctx: ctx ? ctxIdxInKdamond(ctx) : 0, event: ev.index, command: ev.command, status };
    if (error !== undefined) rec.error = error;
    if (stopped) rec.stopped = true;
    if (statsBefore) rec.stats_before = statsBefore;
    this.answeredAt.set(ev.kdamond, Math.max(t, this.answeredAt.get(ev.kdamond) ?? t));
    if ((status === 'ok' || changedGoals) && ctx && SCHEME_WRITES.has(ev.command)) {
      rec.goals = ctx.schemes.map((s) => s.quota.goals.length);
      rec.goal_params = ctx.schemes.map((s) => s.quota.goals.map((g) => ({ metric: g.metric, nid: g.nid, target_value: g.targetValue })));
    }
    this.emit(rec as unknown as Record<string, unknown>, t);
  }

  /**
   * Events of kdamonds that do not run, when their time comes: `on` starts the kdamond again from
   * its files (later events then wait for its iterations); the others fail, as the state file
   * refuses them.
   */
  private flushStopped(untilNs: number): void {
    for (const [idx, q] of this.queues) {
      const k = this.simKdamond(idx);
      if (k && !k.kdamond.stopped) continue;
      while (q.length > 0 && q[0].at <= untilNs && !(k && !k.kdamond.stopped)) {
        const ev = q.shift()!;
        // Written once the write before it returned: an `off` returns when kthread_stop() does,
        // once the kdamond finished the iteration it was served in (its clock, which the apply
        // pass after the off's kdamond_call() may have moved on).
        const at = Math.max(ev.at, this.answeredAt.get(idx) ?? ev.at, k?.clock.now ?? ev.at);
        // A commit that fails still wrote the files, intervals included.
        if (ev.command === 'commit') this.wroteFiles(ev);
        if (ev.command === CLEAR) this.outcome(ev, at, k?.kdamond.ctx, 'ok');
        else if (ev.command === 'on' && k) {
          // What each scheme applied until the kdamond stopped: the fresh context starts its stats
          // from 0, and what came after the last goal evaluation would be lost to the summary.
          const before = k.kdamond.ctx.schemes.map((s) => ({ sz_applied: s.stat.szApplied, nr_applied: s.stat.nrApplied, qt_exceeds: s.stat.qtExceeds }));
          const e = this.sim.restart(idx, this.withTunedIntervals(idx, ev.params!), at);
          if (e === null) {
            this.hook(k);
            this.refreshFrom(k, ev.params!.refreshMs);
            this.noCtx.delete(idx);
          } else this.noCtx.add(idx);
          this.outcome(ev, at, k.kdamond.ctx, e === null ? 'ok' : 'error', e ?? undefined, undefined, e === null ? before : undefined);
        } else if (ev.command === 'off')
          // damon_sysfs_turn_damon_off(): no context is -EINVAL; __damon_stop() of a stopped one -EPERM.
          this.outcome(ev, at, k?.kdamond.ctx, 'error', this.noCtx.has(idx) ? `-EINVAL: ${NO_CTX}` : '-EPERM: kdamond is not running');
        else this.outcome(ev, at, k?.kdamond.ctx, 'error', stoppedError(ev.command, k?.kdamond.ctx.profile, !this.noCtx.has(idx)));
      }
    }
  }

  /** Before kdamond k's next step: hand over what is due by the end of its sleep. */
  beforeStep(k: SimKdamond): void {
    this.flushStopped(k.clock.now);
    const callAt = k.kdamond.nextSleepEnd();
    this.refresh(k, callAt);
    this.deliver(k, callAt);
  }

  /**
   * A `commit` event rewrote every file of its kdamond (damo writes the whole tree), the intervals
   * and refresh_ms among them, whether or not the kernel then took the commit. The refresh_ms work
   * reads its file at every call: a new value counts from the next one, the deadline kept.
   */
  private wroteFiles(ev: ScheduledEvent): void {
    this.tunedFiles.delete(ev.kdamond);
    if (ev.params) this.refreshMs.set(ev.kdamond, ev.params.refreshMs);
  }

  /** damon_sysfs_turn_damon_on(): the refresh_ms work first runs refresh_ms after the start. */
  private refreshFrom(k: SimKdamond, ms: number): void {
    this.refreshMs.set(k.idx, ms);
    this.nextRefresh.set(k.idx, jiffies(k.clock) + msecsToJiffies(ms, k.clock.hz));
  }

  /**
   * damon_sysfs_repeat_call_fn() at the kdamond_call() of k's coming step (`callAt`): once every
   * refresh_ms it writes the intervals the kdamond runs with back into the sample_us and aggr_us
   * files (as update_tuned_intervals does), so an `on` after an `off` starts from the tuned ones.
   * It updates the stats and effective-quota files too, which no scheduled write reads. The
   * kernel keeps one next-update time for every kdamond (a 6.17-stable fix made it a global that
   * each `on` resets), so with several kdamonds whichever calls first can delay the others'
   * updates; damon-sim keeps one per kdamond.
   */
  private refresh(k: SimKdamond, callAt: number): void {
    const ms = this.refreshMs.get(k.idx) ?? 0;
    if (ms === 0 || k.kdamond.stopped) return;
    const now = jiffies({ now: callAt, hz: k.clock.hz });
    if (now < (this.nextRefresh.get(k.idx) ?? 0)) return; // time_before()
    this.nextRefresh.set(k.idx, now + msecsToJiffies(ms, k.clock.hz));
    // It takes damon_sysfs_lock by trylock after moving the deadline: a state write in flight
    // (a commit waiting for its damon_call(), an `off` waiting for the kdamond to exit) holds it.
    if (this.inflight.has(k.idx)) return;
    const a = k.kdamond.ctx.attrs;
    this.tunedFiles.set(k.idx, { sampleUs: a.sampleInterval, aggrUs: a.aggrInterval });
  }

  /**
   * Let kdamond k's sleeps that are not sampling intervals (watermark waits, pauses) see the
   * writes made during them: kdamond_wait_activation() serves damon_call()s after each sleep,
   * and kthread_stop() (an `off`) wakes the kdamond at once.
   */
  private hook(k: SimKdamond): void {
    k.kdamond.sysfs = {
      stopDuringSleep: (fromNs, toNs) => {
        // The `off` handed over before this sleep, or the next write if it is one.
        let ev = this.inflight.get(k.idx);
        if (ev === undefined) {
          const q = this.queues.get(k.idx);
          if (!q) return undefined;
          // Writes the sysfs file handles itself come back at once; an `off` behind them follows.
          while (q.length > 0 && q[0].at <= toNs && this.answerInPlace(q[0], Math.max(fromNs, q[0].at), k.kdamond.ctx)) q.shift();
          if (q.length === 0 || q[0].command !== 'off' || q[0].at > toNs) return undefined;
          ev = q.shift()!;
        } else if (ev.command !== 'off') return undefined;
        else this.inflight.delete(k.idx); // the kdamond drops its pending damon_call()
        const at = Math.max(fromNs, ev.at);
        this.outcome(ev, at, k.kdamond.ctx, 'ok', undefined, true);
        return at;
      },
      callPoint: () => this.deliver(k, k.clock.now),
    };
  }

  /** Hand kdamond k the writes made by `callAt` (one at a time: the writer waits for each). */
  private deliver(k: SimKdamond, callAt: number): void {
    const q = this.queues.get(k.idx);
    if (!q || q.length === 0 || this.inflight.has(k.idx)) return;
    const kd = k.kdamond;
    while (q.length > 0 && q[0].at <= callAt) {
      const ev = q.shift()!;
      if (!this.answerInPlace(ev, Math.max(ev.at, k.clock.now), kd.ctx)) {
        this.issue(ev, kd);
        return;
      }
    }
  }

  /**
   * Answer at `t` a write to a running kdamond's state file that needs no damon_call(), or
   * return false. clear_schemes_tried_regions: the write itself removes the tried_regions
   * directories (damon-sim's dumps are records already written: nothing else changes). on: the
   * write itself refuses it while the kdamond runs.
   */
  private answerInPlace(ev: ScheduledEvent, t: number, ctx: DamonCtx): boolean {
    if (ev.command === CLEAR) this.outcome(ev, t, ctx, 'ok');
    else if (ev.command === 'on') this.outcome(ev, t, ctx, 'error', '-EBUSY: kdamond is running');
    else return false;
    return true;
  }

  /**
   * End of the run: report what never completed or never could be delivered, at the time the run
   * stopped looking at its kdamond (its last iteration may end past endNs), so records stay in
   * time order.
   */
  finish(endNs: number): void {
    this.flushStopped(endNs);
    const lastLook = (idx: number) => Math.max(endNs, this.simKdamond(idx)?.clock.now ?? endNs, this.answeredAt.get(idx) ?? endNs);
    for (const [idx, ev] of this.inflight) this.outcome(ev, lastLook(idx), this.simKdamond(idx)?.kdamond.ctx, 'pending');
    // Written before the end, but the kdamond had not reached its next kdamond_call() yet.
    for (const [idx, q] of this.queues) for (const ev of q) if (ev.at <= endNs) this.outcome(ev, lastLook(idx), this.simKdamond(idx)?.kdamond.ctx, 'pending');
  }

  private issue(ev: ScheduledEvent, kd: Kdamond): void {
    this.inflight.set(ev.kdamond, ev);
    const done = () => this.inflight.delete(ev.kdamond);
    switch (ev.command) {
      case 'update_schemes_tried_regions':
      case 'update_schemes_tried_bytes':
        this.installWalk(ev, kd, done);
        return;
      default:
        kd.calls.push((ctx) => {
          done();
          this.run(ev, kd, ctx);
        });
    }
  }

  /** A damon_call()-delivered command, at the kdamond_call() point. */
  private run(ev: ScheduledEvent, kd: Kdamond, ctx: DamonCtx): void {
    const now = ctx.clock.now;
    const t = secs(now);
    const base = { t, kdamond: ev.kdamond, ctx: ctxIdxInKdamond(ctx) };
    switch (ev.command) {
      case 'commit': {
        this.wroteFiles(ev);
        const r = this.commit(ev, ctx);
        this.outcome(ev, now, ctx, r === null ? 'ok' : 'error', r ?? undefined, ctx.maybeCorrupted);
        return;
      }
      case 'commit_schemes_quota_goals': {
        const cp = ev.params!.contexts[0];
        const { error, committed } = commitSchemesQuotaGoals(
          ctx,
          cp.schemes.map((sp) => buildScheme(sp, ctx.mm)),
          (i) => {
            const why = goalsBuildRefusal(cp.schemes[i], ctx.mm);
            return why === null ? null : `-EINVAL: scheme ${i} ${why} (damon_sysfs_memcg_path_to_id()); ${goalsTakenBefore(i)}`;
          },
        );
        // Refused after some schemes took their goals: the record carries them, as an accepted write's does.
        this.outcome(ev, now, ctx, error === null ? 'ok' : 'error', error ?? undefined, undefined, undefined, committed > 0);
        return;
      }
      case 'update_schemes_stats':
        ctx.schemes.forEach((s, si) => {
          const st = s.stat;
          this.emit({
            type: 'stats',
            ...base,
            scheme: si,
            nr_tried: st.nrTried,
            sz_tried: st.szTried,
            nr_applied: st.nrApplied,
            sz_applied: st.szApplied,
            sz_ops_filter_passed: st.szOpsFilterPassed,
            qt_exceeds: st.qtExceeds,
            // A kernel without the file (switch maxNrSnapshotsFile) has no such stat to read.
            ...(ctx.profile.maxNrSnapshotsFile ? { nr_snapshots: st.nrSnapshots } : {}),
          }, now);
        });
        this.outcome(ev, now, ctx, 'ok');
        return;
      case 'update_schemes_effective_quotas':
        ctx.schemes.forEach((s, si) => this.emit({ type: 'effective_quota', ...base, scheme: si, esz: s.quota.esz }, now));
        this.outcome(ev, now, ctx, 'ok');
        return;
      case 'update_tuned_intervals':
        // The kernel writes them back into the intervals files, which a later `on` reads.
        this.tunedFiles.set(ev.kdamond, { sampleUs: ctx.attrs.sampleInterval, aggrUs: ctx.attrs.aggrInterval });
        this.emit({ type: 'tuned_intervals', ...base, sample_us: ctx.attrs.sampleInterval, aggr_us: ctx.attrs.aggrInterval }, now);
        this.outcome(ev, now, ctx, 'ok');
        return;
      case 'off':
        // kthread_stop(): the iteration in progress finishes, then the loop ends.
        kd.stopped = true;
        kd.cancelWalk();
        this.outcome(ev, now, ctx, 'ok', undefined, true);
        return;
      default:
        return;
    }
  }

  /**
   * sysfs `commit`: build the parameter context from the files (damon_set_attrs refusing the
   * attributes fails the write before any commit), then (sysfs) a test commit into a copy of the
   * running context, then damon_commit_ctx() on the running one. Returns the error, or null.
   */
  private commit(ev: ScheduledEvent, ctx: DamonCtx): string | null {
    const cp: ContextParams = ev.params!.contexts[0];
    const targets = ev.via === 'sysfs' ? sysfsTargetsRefusal(cp.ops, cp.targets.length) : null;
    if (targets) return targets;
    let src: DamonCtx;
    try {
      src = buildContext(cp, {
        ops: paramOps(cp.ops, ctx.ops),
        mm: ctx.mm,
        profile: ctx.profile,
        rng: new Prng(0, 'commit-params'),
        splitState: new SplitState(),
        clock: ctx.clock,
        idx: ctx.idx,
      });
    } catch (e) {
      return `-EINVAL: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (ev.via === 'sysfs') {
      const e = damonCommitCtxTest(ctx, src);
      if (e) return e;
    }
    return damonCommitCtx(ctx, src);
  }

  /** `damos_walk()` for update_schemes_tried_regions / update_schemes_tried_bytes. */
  private installWalk(ev: ScheduledEvent, kd: Kdamond, done: () => void): void {
    const ctx = kd.ctx;
    if (kd.walk) {
      done();
      this.outcome(ev, ctx.clock.now, ctx, 'error', '-EBUSY: a damos_walk() is already installed');
      return;
    }
    const bytesOnly = ev.command === 'update_schemes_tried_bytes';
    const acc = new Map<Damos, WalkAcc>();
    kd.walk = new DamosWalk(
      (c, _t, r, s, szFilterPassed) => {
        let a = acc.get(s);
        if (!a) acc.set(s, (a = { totalBytes: 0, regions: [] }));
        a.totalBytes += r.end - r.start;
        if (!bytesOnly) a.regions.push({ start: r.start, end: r.end, nr_accesses: c.patternNrAccesses(r), age: r.age, sz_filter_passed: szFilterPassed });
      },
      (c) => {
        done();
        const t = secs(c.clock.now);
        c.schemes.forEach((s, si) => {
          const a = acc.get(s) ?? { totalBytes: 0, regions: [] };
          const rec: Record<string, unknown> = { type: 'tried_regions', t, kdamond: ev.kdamond, ctx: ctxIdxInKdamond(c), scheme: si, total_bytes: a.totalBytes };
          if (!bytesOnly) rec.regions = a.regions;
          this.emit(rec, c.clock.now);
        });
        this.outcome(ev, c.clock.now, c, 'ok');
      },
      () => {
        done();
        this.outcome(ev, ctx.clock.now, ctx, 'error', '-ECANCELED: the walk was canceled (no active scheme, or the kdamond stopped)');
      },
    );
  }
}
