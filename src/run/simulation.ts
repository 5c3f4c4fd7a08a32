// SPDX-License-Identifier: GPL-2.0-only
/**
 * One run: build the machine, the workload, the kdamonds from a scenario, then advance every
 * kdamond in simulated-time order until the run's duration. Deterministic: one seed, streams
 * forked per consumer, kdamonds stepped in (time, index) order.
 */
import { Prng } from '../lib/prng.js';
import { damonCommitCtxPrecheck, sysfsTargetsRefusal } from '../damon/commit.js';
import { DamonCtx, type SimClock } from '../damon/ctx.js';
import { Kdamond } from '../damon/kdamond.js';
import { SimulationLimitError } from '../damon/region.js';
import { SplitState } from '../damon/split.js';
import type { DamonTracer } from '../damon/trace.js';
import { Machine } from '../machine/machine.js';
import { MachineMm } from '../machine/kernel-mm.js';
import { YoungModel } from '../machine/young.js';
import { OpsRegistry } from '../ops/operations.js';
import { PaddrCheckCache, PaddrOps, type PaddrDeps } from '../ops/paddr.js';
import { resolveProfile, type KernelProfile } from '../profiles.js';
import type { ContextParams, KdamondParams, Scenario } from '../scenario/model.js';
import { buildWorkload } from '../workload/build.js';
import { Refaulter } from '../workload/refault.js';
import type { Workload } from '../workload/model.js';
import { buildContext, goalsBuildRefusal } from './build.js';

/** The memcgs of a scenario: the root, then each process's cgroup path in order of appearance. */
export function memcgsOf(sc: Scenario): Array<{ id: number; path: string }> {
  const memcgs = [{ id: 0, path: '/' }];
  for (const p of sc.workload.processes) if (!memcgs.some((m) => m.path === p.memcg)) memcgs.push({ id: memcgs.length, path: p.memcg });
  return memcgs;
}

/** The operations sets this build has (damon_register_ops at init): paddr. */
const OPS = new OpsRegistry<PaddrDeps>();
OPS.register('paddr', (deps) => new PaddrOps(deps));

export interface SimKdamond {
  idx: number;
  kdamond: Kdamond;
  clock: SimClock;
}

export class Simulation {
  readonly scenario: Scenario;
  readonly profile: KernelProfile;
  readonly machine: Machine;
  readonly workload: Workload;
  readonly mm: MachineMm;
  readonly young: YoungModel;
  readonly kdamonds: SimKdamond[] = [];
  readonly rng: Prng;
  readonly refaulter: Refaulter;
  /** Time of the furthest-behind kdamond: everything before it has been simulated. */
  now = 0;
  /** Called before each kdamond iteration (scheduled user events hand their damon_call()s in here). */
  beforeStep: ((k: SimKdamond) => void) | undefined = undefined;
  /**
   * Wake-ups of stopped kdamonds (a scheduled `on`): the earliest time something is due for one,
   * and the callback that delivers it. The scheduler serves them in time order with the steps.
   */
  nextWakeNs: (() => number) | undefined = undefined;
  wake: ((ns: number) => void) | undefined = undefined;
  /** Refaults are processed on this period of simulated time. */
  static readonly TICK_NS = 100_000_000;
  private nextTick = Simulation.TICK_NS;
  private readonly tracer: DamonTracer | undefined;
  /** `last_nr_regions` of kdamond_split_regions, one static for every context, kept across restarts (trap 9). */
  private readonly splitState = new SplitState();
  /** paddr's one last-folio cache, shared by every context. */
  private readonly checkCache = new PaddrCheckCache();
  /** How many times each kdamond was turned on again (names the restarted contexts' PRNG streams). */
  private readonly restarts = new Map<number, number>();
  /** rejectedQuotaSplits of the contexts a restart replaced, per kdamond. */
  private readonly rejectedBefore = new Map<number, number>();

  constructor(scenario: Scenario, tracer?: DamonTracer) {
    this.scenario = scenario;
    const profile = resolveProfile(scenario.kernel);
    if (!profile) throw new Error(`unknown kernel profile ${scenario.kernel.profile}`);
    this.profile = profile;
    this.rng = new Prng(scenario.seed);
    this.machine = new Machine(scenario.machine);
    const memcgs = memcgsOf(scenario);
    this.workload = buildWorkload(scenario.workload, (path) => memcgs.find((m) => m.path === path)?.id ?? 0);
    this.mm = new MachineMm(this.machine, memcgs, scenario.kernel.hz);
    this.refaulter = new Refaulter(this.machine, this.workload, this.mm, this.rng.fork('refault'), scenario.machine.swapInUs ?? 20);
    this.allocateWorkload();
    this.young = new YoungModel(this.machine, this.workload);
    this.tracer = tracer;
    let ctxIdx = 0;
    scenario.kdamonds.forEach((kp, ki) => {
      for (const cp of kp.contexts) {
        const clock: SimClock = { now: 0, hz: scenario.kernel.hz };
        this.kdamonds.push({ idx: ki, kdamond: new Kdamond(this.buildCtx(cp, ki, ctxIdx, clock, `kdamond${ki}/ctx${ctxIdx}`)), clock });
        ctxIdx++;
      }
    });
  }

  /** A context as the sysfs `on` command builds it from the files, with its operations set. */
  private buildCtx(cp: ContextParams, ki: number, ctxIdx: number, clock: SimClock, stream: string): DamonCtx {
    const ops = OPS.create(cp.ops, {
      machine: this.machine,
      young: this.young,
      rng: this.rng.fork(`${stream}/sample`),
      mode: this.scenario.sampling,
      cache: this.checkCache,
    });
    return buildContext(cp, {
      ops,
      mm: this.mm,
      profile: this.profile,
      rng: this.rng.fork(`${stream}/split`),
      splitState: this.splitState,
      clock,
      tracer: this.tracer,
      idx: ctxIdx,
    });
  }

  /**
   * sysfs `on` for a stopped kdamond (damon_sysfs_turn_damon_on): a fresh context from the files
   * `params` (new regions, schemes with zeroed stats and charge windows), started at `atNs`.
   * What damon_set_attrs(), damon_sysfs_add_targets() or damon_start() (min_region_sz) would refuse
   * fails the write; the kdamond stays off, and the kernel has destroyed its old context (the
   * caller's EventEngine then answers its commands as without one). Returns the error, or null.
   */
  restart(idx: number, params: KdamondParams, atNs: number): string | null {
    const k = this.kdamonds.find((x) => x.idx === idx);
    if (!k || !k.kdamond.stopped) return '-EBUSY: kdamond is running';
    const n = (this.restarts.get(idx) ?? 0) + 1;
    const old = k.kdamond.ctx;
    let ctx: DamonCtx;
    try {
      // damon_sysfs_add_targets() refuses before anything is built.
      const targets = sysfsTargetsRefusal(params.contexts[0].ops, params.contexts[0].targets.length);
      if (targets) return targets;
      ctx = this.buildCtx(params.contexts[0], idx, old.idx, k.clock, `kdamond${idx}/ctx${old.idx}/on${n}`);
    } catch (e) {
      return `-EINVAL: ${e instanceof Error ? e.message : String(e)}`;
    }
    // damon_sysfs_add_schemes(), after the attributes and targets: a scheme damon_sysfs_mk_scheme()
    // cannot build fails the write with -ENOMEM, whatever the cause (SysfsTree's schemesRefusal()).
    for (const [si, sp] of params.contexts[0].schemes.entries()) {
      const why = goalsBuildRefusal(sp, this.mm);
      if (why) return `-ENOMEM: scheme ${si} ${why}: damon_sysfs_mk_scheme() cannot build it, and damon_sysfs_add_schemes() fails any scheme it cannot build with -ENOMEM`;
    }
    // damon_start()'s min_region_sz check. The precheck's other one, node_eligible_mem_bp off
    // paddr, is damon_commit_ctx()'s, not damon_start()'s; scenario validation refuses such a
    // config before any on, so it cannot answer here.
    const refused = damonCommitCtxPrecheck(ctx);
    if (refused) return refused;
    this.restarts.set(idx, n);
    this.rejectedBefore.set(idx, this.rejectedQuotaSplits(idx));
    if (atNs > k.clock.now) k.clock.now = atNs;
    k.kdamond = new Kdamond(ctx);
    k.kdamond.start();
    return null;
  }

  /** ctx.rejectedQuotaSplits of kdamond idx over the run, its contexts before restarts included. */
  rejectedQuotaSplits(idx: number): number {
    const k = this.kdamonds.find((x) => x.idx === idx);
    return (this.rejectedBefore.get(idx) ?? 0) + (k?.kdamond.ctx.rejectedQuotaSplits ?? 0);
  }

  private allocateWorkload(): void {
    for (const p of this.workload.processes) {
      for (const v of p.vmas) {
        const left = this.machine.allocate({
          owner: p.id,
          vstart: v.start,
          bytes: v.bytes,
          anon: v.anon,
          mapped: v.mapped,
          memcg: p.memcg,
          thp: v.thp,
          nodes: v.nodes,
          now: 0,
        });
        if (left > 0) throw new Error(`workload ${p.name}: ${left} bytes do not fit in the machine's free memory`);
      }
    }
  }

  start(): void {
    for (const k of this.kdamonds) k.kdamond.start();
  }

  /** Advance until every kdamond has reached `untilNs`. */
  runUntil(untilNs: number): void {
    const ks = this.kdamonds;
    if (ks.length === 0) {
      this.now = untilNs;
      return;
    }
    try {
      this.stepAll(untilNs);
    } catch (e) {
      // With several kdamonds each has a scheme 0: say whose step went past the limit.
      if (e instanceof SimulationLimitError && ks.length > 1 && this.stepping) throw new SimulationLimitError(`kdamond ${this.stepping.idx}: ${e.message}`, e.splitSz);
      throw e;
    }
    this.now = untilNs;
  }

  /** The kdamond whose step runs (runUntil() names it in a limit error). */
  private stepping: SimKdamond | undefined = undefined;

  /** runUntil()'s loop: steps, refault ticks and wakes in time order. */
  private stepAll(untilNs: number): void {
    const ks = this.kdamonds;
    for (;;) {
      let next: SimKdamond | undefined;
      for (const k of ks) {
        if (k.kdamond.stopped) continue;
        if (!next || k.clock.now < next.clock.now) next = k;
      }
      const wakeNs = this.nextWakeNs?.() ?? Infinity;
      if (!next && this.nextTick < untilNs && this.nextTick < wakeNs) {
        // No kdamond runs, but the workload's refaults go on, in time order with the wakes.
        this.refaulter.tick(this.nextTick);
        this.nextTick += Simulation.TICK_NS;
        continue;
      }
      if (wakeNs < untilNs && (!next || wakeNs <= next.clock.now)) {
        this.wake?.(wakeNs);
        continue;
      }
      if (!next || next.clock.now >= untilNs) break;
      if (this.nextTick <= next.clock.now) {
        // The workload's own memory events (refaults) happen in time order with the kdamonds.
        this.refaulter.tick(this.nextTick);
        this.nextTick += Simulation.TICK_NS;
        continue;
      }
      this.beforeStep?.(next);
      this.stepping = next;
      next.kdamond.step();
      this.now = next.clock.now;
    }
  }
}
