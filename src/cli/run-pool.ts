// SPDX-License-Identifier: GPL-2.0-only
/**
 * The runs of a comparison or a sweep (`run --compare-tuners`, `run --seeds`) on several threads.
 *
 * Each run is independent of the others (its own scenario, PRNG and simulation), so they can be
 * computed at once: the main thread and --jobs − 1 worker threads (run-worker.ts) each take the
 * first run nobody has taken yet. What the command shows and writes still comes in the runs'
 * order, from the main thread: take(i) hands over run i's result once it is there, and the command
 * writes its files, notes and table as it always did. So the output is byte-identical to one
 * thread's, whatever finished first, and a run that fails stops the command at that run, with the
 * runs before it kept, as before; the results of runs after it are dropped.
 *
 * While a worker computes run i, this thread computes a later one rather than wait idle: run i is
 * then shown once that one is done, up to a run's time late (its progress bar waits with it), and
 * its timeline waits in memory (at most --jobs + 1 results wait). Without workers (--jobs 1, one
 * run) the command does not make a pool, and each run writes its timeline as it goes.
 *
 * A worker is sent the run's scenario as the main thread loaded it (a Scenario is plain data, which
 * crosses a thread as it is: scenario/model.ts), so it computes exactly the run the command
 * validated, and loads no scenario code of its own. If a worker fails for any reason but the
 * simulator's region limit (which it reports), the main thread computes the run again itself, and
 * the error (if it is one) is the one a single thread would have raised.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ctxIdxInKdamond } from '../damon/ctx.js';
import { SimulationLimitError } from '../damon/region.js';
import { runScenarioAsync, stopIfAborted, type RunResult } from '../run/run.js';
import type { Scenario } from '../scenario/model.js';

/** A run's result without its simulation, which stays in the thread that ran it: what the command's outputs and notes are made from. */
export type RunFacts = Omit<RunResult, 'simulation'> & {
  /** The kdamonds (by index) the run built that never took a sample. */
  unsampledKdamonds: number[];
  /** The schemes, of kdamonds that sampled, whose apply interval never came in the whole run. */
  neverDueSchemes: Array<{ kdamond: number; ctx: number; scheme: number }>;
};

export function factsOf(res: RunResult): RunFacts {
  const { simulation, ...rest } = res;
  const sampled = simulation.kdamonds.filter((k) => k.kdamond.ctx.passedSampleIntervals > 0);
  return {
    ...rest,
    unsampledKdamonds: simulation.kdamonds.filter((k) => k.kdamond.ctx.passedSampleIntervals === 0).map((k) => k.idx),
    neverDueSchemes: sampled.flatMap((k) => k.kdamond.ctx.schemes.flatMap((s, scheme) => (s.applyIntervalCame ? [] : [{ kdamond: k.idx, ctx: ctxIdxInKdamond(k.kdamond.ctx), scheme }]))),
  };
}

/** One run of the command: its scenario, whether its timeline is kept, the summary's band. */
export interface RunJob {
  scenario: Scenario;
  /** Keep the timeline's lines (the run writes a timeline file). */
  timeline: boolean;
  tolerance: number | undefined;
}

/** A computed run: its facts and, if its job keeps it, its timeline's NDJSON lines. */
export interface ComputedRun {
  facts: RunFacts;
  lines: string[];
}

/** main → worker. */
export type ToWorker = { type: 'job'; index: number; job: RunJob };
/** worker → main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; index: number; simNs: number; totalNs: number }
  | { type: 'done'; index: number; run: ComputedRun }
  | { type: 'limit'; index: number; message: string }
  | { type: 'failed'; index: number };

/** Compute a run on this thread, keeping its lines if the job says so. */
export async function computeRun(job: RunJob, onProgress: (simNs: number, totalNs: number) => void, signal?: AbortSignal): Promise<ComputedRun> {
  const lines: string[] = [];
  const res = await runScenarioAsync(job.scenario, { write: job.timeline ? (l) => lines.push(l) : undefined, onProgress, tolerance: job.tolerance, signal });
  return { facts: factsOf(res), lines };
}

type Outcome = { ok: true; run: ComputedRun } | { ok: false; error: unknown };

interface Slot {
  /** free: nobody has it; main or worker: being computed; done: `outcome` waits for take(). */
  state: 'free' | 'main' | 'worker' | 'done';
  outcome?: Outcome;
  /** A worker failed it: this thread computes it (another worker would most likely fail it too). */
  here?: boolean;
}

interface PoolWorker {
  worker: Worker;
  /** The run it computes, or -1. */
  index: number;
  ready: boolean;
}

/** The worker script, or undefined where there is none (the sources run by the tests: no built worker beside them). */
function workerScript(): string | undefined {
  const url = new URL('./run-worker.js', import.meta.url);
  const path = fileURLToPath(url);
  return existsSync(path) ? path : undefined;
}

export class RunPool {
  private readonly slots: Slot[];
  private readonly workers: PoolWorker[] = [];
  /** Runs taken so far: no thread computes a run more than `lookahead` past it (results wait in memory until taken). */
  private taken = 0;
  private readonly lookahead: number;
  private wake: (() => void) | null = null;
  /** The run take() waits for, and where its progress goes. */
  private watched = -1;
  private onWatched: (simNs: number, totalNs: number) => void = () => undefined;
  private closed = false;
  /** Which thread computed each run that has a result (tests; a rerun after a worker failed counts as this thread's). */
  readonly computedOn: Array<'main' | 'worker' | undefined> = [];

  /**
   * A pool for `jobs` on up to `threads` threads, or undefined where it
   * would have no worker (one thread or one run, or no worker script): then the command computes
   * each run as it comes, writing its timeline as it goes.
   */
  static start(jobs: readonly RunJob[], threads: number, signal: AbortSignal, script: string | URL | undefined = workerScript()): RunPool | undefined {
    if (script === undefined || threads < 2 || jobs.length < 2) return undefined;
    return new RunPool(jobs, threads, signal, script);
  }

  constructor(
    private readonly jobs: readonly RunJob[],
    threads: number,
    private readonly signal: AbortSignal,
    /** The worker script (tests give their own); none: this thread computes every run. */
    script: string | URL | undefined = workerScript(),
  ) {
    this.slots = jobs.map(() => ({ state: 'free' }));
    const extra = script === undefined ? 0 : Math.min(threads, jobs.length) - 1;
    this.lookahead = extra + 2;
    for (let k = 0; k < extra; k++) this.spawn(script!);
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  /** Threads computing runs: this one and the workers still alive. */
  get threads(): number {
    return 1 + this.workers.length;
  }

  /**
   * Run i's result, once computed (here, or by a worker while this thread computes a later run),
   * with its progress to `onProgress` while it is computed; throws the run's error.
   */
  async take(i: number, onProgress: (simNs: number, totalNs: number) => void): Promise<ComputedRun> {
    this.watched = i;
    this.onWatched = onProgress;
    try {
      for (;;) {
        stopIfAborted(this.signal);
        const s = this.slots[i];
        if (s.state === 'done') {
          const out = s.outcome!;
          s.outcome = undefined;
          this.taken = i + 1;
          this.feedIdle();
          if (!out.ok) throw out.error;
          return out.run;
        }
        if (s.state === 'free') {
          await this.computeHere(i);
          continue;
        }
        // A worker has it: compute a later run meanwhile, or wait.
        const j = this.nextFree();
        if (j !== -1) await this.computeHere(j);
        else await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.watched = -1;
    }
  }

  /** Settles once every worker has started (or died): for tests, which need a worker to take a run. */
  async started(): Promise<void> {
    while (this.workers.some((w) => !w.ready)) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** Stop the workers (a run they compute is dropped); the command must, or they keep the process alive. */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }

  /** The first run within the lookahead that nobody has (and, for a worker, that no worker failed), or -1. */
  private nextFree(forWorker = false): number {
    const end = Math.min(this.slots.length, this.taken + this.lookahead);
    for (let j = this.taken; j < end; j++) if (this.slots[j].state === 'free' && !(forWorker && this.slots[j].here)) return j;
    return -1;
  }

  private async computeHere(j: number): Promise<void> {
    const s = this.slots[j];
    s.state = 'main';
    try {
      const run = await computeRun(this.jobs[j], (simNs, totalNs) => this.progress(j, simNs, totalNs), this.signal);
      s.outcome = { ok: true, run };
    } catch (error) {
      s.outcome = { ok: false, error };
    }
    s.state = 'done';
    this.computedOn[j] = 'main';
  }

  private progress(j: number, simNs: number, totalNs: number): void {
    if (j === this.watched) this.onWatched(simNs, totalNs);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private spawn(script: string | URL): void {
    let worker: Worker;
    try {
      worker = new Worker(script);
    } catch {
      return; // no thread to be had (a resource limit): this thread computes the runs
    }
    const pw: PoolWorker = { worker, index: -1, ready: false };
    this.workers.push(pw);
    pw.worker.on('message', (m: FromWorker) => this.onMessage(pw, m));
    // A worker that dies leaves its run to this thread.
    const lost = () => {
      const k = this.workers.indexOf(pw);
      if (k < 0) return;
      this.workers.splice(k, 1);
      this.release(pw);
      this.notify();
    };
    pw.worker.on('error', lost);
    pw.worker.on('exit', lost);
  }

  private onMessage(pw: PoolWorker, m: FromWorker): void {
    if (this.closed) return;
    switch (m.type) {
      case 'ready':
        pw.ready = true;
        this.feed(pw);
        this.notify(); // started()
        return;
      case 'progress':
        this.progress(m.index, m.simNs, m.totalNs);
        return;
      case 'done':
        this.finish(pw, m.index, { ok: true, run: m.run });
        return;
      case 'limit':
        this.finish(pw, m.index, { ok: false, error: new SimulationLimitError(m.message) });
        return;
      case 'failed':
        this.release(pw);
        this.feed(pw);
        this.notify();
        return;
    }
  }

  private finish(pw: PoolWorker, index: number, outcome: Outcome): void {
    const s = this.slots[index];
    s.outcome = outcome;
    s.state = 'done';
    this.computedOn[index] = 'worker';
    pw.index = -1;
    this.feed(pw);
    this.notify();
  }

  /** The run a worker had goes back to whoever takes it next (this thread computes it again). */
  private release(pw: PoolWorker): void {
    const s = pw.index >= 0 ? this.slots[pw.index] : undefined;
    if (s?.state === 'worker') {
      s.state = 'free';
      s.here = true;
    }
    pw.index = -1;
  }

  /** Give an idle worker the first run nobody has, if there is one within the lookahead. */
  private feed(pw: PoolWorker): void {
    if (!pw.ready || pw.index >= 0 || this.closed || this.signal.aborted) return;
    const j = this.nextFree(true);
    if (j === -1) return;
    this.slots[j].state = 'worker';
    pw.index = j;
    const msg: ToWorker = { type: 'job', index: j, job: this.jobs[j] };
    pw.worker.postMessage(msg);
  }

  private feedIdle(): void {
    for (const pw of this.workers) this.feed(pw);
  }
}
