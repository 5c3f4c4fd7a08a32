// SPDX-License-Identifier: GPL-2.0-only
/**
 * One run: build the machine, the workload, the kdamonds from a scenario, then advance every
 * kdamond in simulated-time order until the run's duration. Deterministic: one seed, streams
 * forked per consumer, kdamonds stepped in (time, index) order.
 */
import { Prng } from '../lib/prng.js';
import { DamonCtx, type SimClock } from '../damon/ctx.js';
import { Kdamond } from '../damon/kdamond.js';
import { SplitState } from '../damon/split.js';
import type { DamonTracer } from '../damon/trace.js';
import { Machine } from '../machine/machine.js';
import { MachineMm } from '../machine/kernel-mm.js';
import { YoungModel } from '../machine/young.js';
import { OpsRegistry } from '../ops/operations.js';
import { PaddrCheckCache, PaddrOps, type PaddrDeps } from '../ops/paddr.js';
import { resolveProfile, type KernelProfile } from '../profiles.js';
import type { Scenario } from '../scenario/model.js';
import { buildWorkload } from '../workload/build.js';
import { Refaulter } from '../workload/refault.js';
import type { Workload } from '../workload/model.js';
import { buildContext } from './build.js';

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
  beforeStep: ((k: SimKdamond) => void) | undefined;
  /** Refaults are processed on this period of simulated time. */
  static readonly TICK_NS = 100_000_000;
  private nextTick = Simulation.TICK_NS;

  constructor(scenario: Scenario, tracer?: DamonTracer) {
    this.scenario = scenario;
    const profile = resolveProfile(scenario.kernel);
    if (!profile) throw new Error(`unknown kernel profile ${scenario.kernel.profile}`);
    this.profile = profile;
    this.rng = new Prng(scenario.seed);
    this.machine = new Machine(scenario.machine);
    const memcgs = memcgsOf(scenario);
    this.workload = buildWorkload(scenario.workload, (path) => memcgs.find((m) => m.path === path)?.id ?? 0);
    this.mm = new MachineMm(this.machine, memcgs);
    this.refaulter = new Refaulter(this.machine, this.workload, this.mm, this.rng.fork('refault'), scenario.machine.swapInUs ?? 20);
    this.allocateWorkload();
    this.young = new YoungModel(this.machine, this.workload);
    const splitState = new SplitState();
    const checkCache = new PaddrCheckCache();
    let ctxIdx = 0;
    scenario.kdamonds.forEach((kp, ki) => {
      for (const cp of kp.contexts) {
        const clock: SimClock = { now: 0, hz: scenario.kernel.hz };
        const ops = OPS.create(cp.ops, {
          machine: this.machine,
          young: this.young,
          rng: this.rng.fork(`kdamond${ki}/ctx${ctxIdx}/sample`),
          mode: scenario.sampling,
          cache: checkCache,
        });
        const ctx: DamonCtx = buildContext(cp, {
          ops,
          mm: this.mm,
          profile,
          rng: this.rng.fork(`kdamond${ki}/ctx${ctxIdx}/split`),
          splitState,
          clock,
          tracer,
          idx: ctxIdx,
        });
        const kd = new Kdamond(ctx);
        this.kdamonds.push({ idx: ki, kdamond: kd, clock });
        ctxIdx++;
      }
    });
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
    for (;;) {
      let next: SimKdamond | undefined;
      for (const k of ks) {
        if (k.kdamond.stopped) continue;
        if (!next || k.clock.now < next.clock.now) next = k;
      }
      if (!next || next.clock.now >= untilNs) break;
      if (this.nextTick <= next.clock.now) {
        // The workload's own memory events (refaults) happen in time order with the kdamonds.
        this.refaulter.tick(this.nextTick);
        this.nextTick += Simulation.TICK_NS;
        continue;
      }
      this.beforeStep?.(next);
      next.kdamond.step();
      this.now = next.clock.now;
    }
    this.now = untilNs;
  }
}
