// SPDX-License-Identifier: GPL-2.0-only
/**
 * The threads of a comparison or a sweep (src/cli/run-pool.ts): whichever thread computes a run,
 * the command shows and writes the same bytes; a worker that fails leaves its run to the main
 * thread; the region limit a worker meets is the run's error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulationLimitError } from '../src/damon/region.js';
import { RunPool, computeRun, type RunJob } from '../src/cli/run-pool.js';
import { loadOne, type RunCommandOptions } from '../src/cli/run-load.js';
import type { Tuner } from '../src/scenario/presets.js';

const root = join(__dirname, '..');
const distWorker = join(root, 'dist', 'cli', 'run-worker.js');
const fixture = (name: string) => join(__dirname, 'fixtures', 'pool', `${name}.mjs`);
const dir = mkdtempSync(join(tmpdir(), 'damon-sim-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both tuners of the preset for each seed, as `run --compare-tuners --seeds` lists them. */
function jobsOf(seeds: number[], duration: string): { jobs: RunJob[] } {
  const o: RunCommandOptions = { preset: 'tiering-6040', duration };
  const jobs: RunJob[] = [];
  for (const tuner of ['temporal', 'consist'] as Tuner[])
    for (const seed of seeds) {
      const l = loadOne(undefined, o, tuner);
      l.scenario.seed = seed;
      jobs.push({ scenario: l.scenario, timeline: true, tolerance: undefined });
    }
  return { jobs };
}

/** Every run taken in order, with the progress take() passed on for each. */
async function takeAll(pool: RunPool, n: number) {
  const progress: number[][] = [];
  const runs = [];
  for (let i = 0; i < n; i++) {
    const seen: number[] = [];
    progress.push(seen);
    runs.push(await pool.take(i, (simNs) => seen.push(simNs)));
  }
  return { runs, progress };
}

/** A pool of this thread and one worker of `script` over `jobs`, once the worker has started; closed after `fn`. */
async function withPool<T>(jobs: RunJob[], script: string | URL, fn: (pool: RunPool) => Promise<T>): Promise<T> {
  const pool = new RunPool(jobs, 2, new AbortController().signal, script);
  try {
    await pool.started();
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

describe('RunPool', () => {
  it('a Scenario crosses threads as it is: plain data, for every example and the preset', () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(4);
    const scenarios = [
      ...files.map((f) => loadOne(join(root, 'examples', f), {}, 'temporal').scenario),
      ...(['temporal', 'consist'] as Tuner[]).map((t) => loadOne(undefined, { preset: 'tiering-6040' }, t).scenario),
    ];
    // toStrictEqual tells a class instance from a plain object with the same fields.
    for (const sc of scenarios) expect(structuredClone(sc), sc.name).toStrictEqual(sc);
  });

  it('a worker thread computes the same facts and timeline lines as this thread', async () => {
    const { jobs } = jobsOf([1, 2], '12');
    const { got, on } = await withPool(jobs, distWorker, async (pool) => ({ got: await takeAll(pool, jobs.length), on: pool.computedOn }));
    // Both threads took part (the worker, started first, the first run; this one the next meanwhile).
    expect(on[0]).toBe('worker');
    expect(on).toContain('main');
    const alone = jobsOf([1, 2], '12');
    for (let i = 0; i < jobs.length; i++) {
      const here = await computeRun(alone.jobs[i], () => undefined);
      expect(got.runs[i].lines.length).toBeGreaterThan(100);
      expect(got.runs[i].lines).toEqual(here.lines);
      expect(got.runs[i].facts).toEqual(here.facts);
      // Progress came for every run that was computed while it was waited for or here: one per simulated second.
      expect(got.progress[i].every((t, k, a) => k === 0 || t > a[k - 1])).toBe(true);
    }
  });

  it('a worker that ends its thread leaves its run to this thread, which computes it', async () => {
    const { jobs } = jobsOf([7], '5');
    await withPool(jobs, fixture('dies'), async (pool) => {
      const { runs } = await takeAll(pool, jobs.length);
      expect(pool.computedOn).toEqual(['main', 'main']);
      expect(pool.threads).toBe(1); // the dead worker is gone
      const here = await computeRun(jobsOf([7], '5').jobs[1], () => undefined);
      expect(runs[1].lines).toEqual(here.lines);
    });
  });

  it('a worker script that cannot start (missing, or not a URL the loader takes) leaves every run to this thread', async () => {
    for (const script of [join(dir, 'no-such-worker.mjs'), new URL('data:text/javascript,throw new Error("no")')]) {
      const { jobs } = jobsOf([7], '3');
      await withPool(jobs, script, async (pool) => {
        await takeAll(pool, jobs.length);
        expect([pool.threads, pool.computedOn]).toEqual([1, ['main', 'main']]);
      });
    }
  });

  it('a run a worker reports failed is computed again on this thread', async () => {
    const { jobs } = jobsOf([7], '5');
    await withPool(jobs, fixture('fails'), async (pool) => {
      const { runs } = await takeAll(pool, jobs.length);
      expect(pool.computedOn).toEqual(['main', 'main']);
      expect(pool.threads).toBe(2); // the worker lives on
      expect(runs[1].facts.summary[0].label).toBe('s0 migrate_hot→0');
    });
  });

  it("the region limit a worker meets is its run's error, in its turn", async () => {
    const { jobs } = jobsOf([7], '5');
    await withPool(jobs, fixture('limit'), async (pool) => {
      // The worker, started, has the first run; this thread computes the second meanwhile.
      const err = await pool.take(0, () => undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SimulationLimitError);
      expect((err as Error).message).toBe('run 0: past the region limit');
      const second = await pool.take(1, () => undefined);
      expect(second.facts.summary.length).toBe(2);
      expect(pool.computedOn).toEqual(['worker', 'main']);
    });
  });

  it('without a worker script this thread computes every run; start() makes no pool that would have no worker', async () => {
    const { jobs } = jobsOf([7], '3');
    const pool = new RunPool(jobs, 4, new AbortController().signal, undefined);
    await takeAll(pool, jobs.length);
    expect([pool.threads, pool.computedOn]).toEqual([1, ['main', 'main']]);
    const signal = new AbortController().signal;
    expect(RunPool.start(jobs, 4, signal, undefined)).toBeUndefined();
    expect(RunPool.start(jobs, 1, signal, distWorker)).toBeUndefined();
    expect(RunPool.start(jobs.slice(0, 1), 4, signal, distWorker)).toBeUndefined();
    const two = RunPool.start(jobs, 4, signal, distWorker);
    expect(two?.threads).toBe(2); // one worker: one run for each thread
    await two?.close();
  });

  it('an abort stops take() with RunInterrupted and drops what the workers compute', async () => {
    const { jobs } = jobsOf([1, 2], '30');
    const ac = new AbortController();
    const pool = new RunPool(jobs, 2, ac.signal, distWorker);
    try {
      // Aborted from the run's first progress report, so while it is computed (a timer of 50 ms
      // lost the race to a 30-second run on a quick moment of a CI host, and the run came back whole).
      const err = await pool
        .take(0, () => {
          if (!ac.signal.aborted) ac.abort('SIGINT');
        })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'RunInterrupted', reason: 'SIGINT' });
    } finally {
      await pool.close();
    }
    expect(pool.threads).toBe(1);
  });
});

describe('damon-sim run --jobs', () => {
  const cliPath = join(root, 'dist', 'cli', 'main.js');
  const run = (args: string[]) => spawnSync(process.execPath, [cliPath, 'run', ...args, '--no-progress'], { encoding: 'utf8', cwd: dir });

  it('a sweep of both tuners writes and prints the same bytes on one thread and on two', () => {
    const out = (j: string, env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [cliPath, 'run', '--preset', 'tiering-6040', '--compare-tuners', '--seeds', '1-2', '--duration', '60', '--tolerance', '50', '--jobs', j, '--out-dir', join(dir, `jobs${j}`), '--no-progress'], { encoding: 'utf8', cwd: dir, env: { ...process.env, ...env } });
    const one = out('1');
    // DAMON_SIM_DEBUG says which thread computed each run: a worker computed some.
    const two = out('2', { DAMON_SIM_DEBUG: '1' });
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    // --tolerance reaches every run, on whichever thread (a reviewer found one thread dropping it).
    expect(one.stdout).toMatch(/time to ±50/);
    expect(one.stdout).not.toMatch(/±100/);
    const debug = /damon-sim: debug: runs computed by (.*)\n/.exec(two.stderr);
    expect(debug?.[1]).toMatch(/^1: (main|worker), 2: (main|worker), 3: (main|worker), 4: (main|worker)$/);
    expect(debug?.[1]).toContain('worker');
    expect(two.stderr.replace(debug![0], '').replaceAll('jobs2', 'jobsN')).toBe(one.stderr.replaceAll('jobs1', 'jobsN'));
    const files = readdirSync(join(dir, 'jobs1')).sort();
    expect(files).toHaveLength(10); // 4 timelines, 4 plots, 2 comparison charts
    expect(readdirSync(join(dir, 'jobs2')).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(dir, 'jobs2', f), 'utf8'), f).toBe(readFileSync(join(dir, 'jobs1', f), 'utf8'));
  });

  it('a sweep over a scenario file uses the file as the command read it, on every thread, however it changes meanwhile', () => {
    const file = join(dir, 'changing.yaml');
    writeFileSync(file, readFileSync(join(root, 'examples', 'tiering-6040.yaml'), 'utf8'));
    const od = join(dir, 'changing-out');
    // The file is cut to nothing once the command has read it (a FIFO gives its text once too).
    const r = spawnSync(process.execPath, ['-e', `
      const { spawn } = require('node:child_process');
      const { writeFileSync } = require('node:fs');
      const c = spawn(process.execPath, [${JSON.stringify(cliPath)}, 'run', ${JSON.stringify(file)}, '--seeds', '1-4', '--duration', '60', '--jobs', '2', '--out-dir', ${JSON.stringify(od)}, '--no-progress'], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, DAMON_SIM_DEBUG: '1' } });
      let err = '';
      c.stderr.on('data', (d) => { err += d; if (err.includes('wrote')) writeFileSync(${JSON.stringify(file)}, ''); });
      c.on('exit', (code) => { process.stderr.write(err); process.exit(code); });
    `], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('worker');
    const hot = readdirSync(od).filter((f) => f.endsWith('.ndjson')).map((f) => JSON.parse(readFileSync(join(od, f), 'utf8').split('\n')[0]).workload);
    expect(hot).toEqual(Array(4).fill('1 process(es), 25769803776 B resident, 6442450944 B hot'));
  });

  it('bad --jobs values and --jobs for one run: exit 2, the option named', () => {
    for (const [args, phrase] of [
      [['--jobs', '0'], '--jobs: expected a whole number >= 1 of threads to run the runs on, such as 2; found "0"'],
      [['--jobs', 'two'], '--jobs: expected a whole number >= 1 of threads to run the runs on, such as 2; found "two"'],
      [['--jobs', '2'], '--jobs: expected --compare-tuners or --seeds with it (one run is computed on one thread); found neither'],
    ] as const) {
      const r = run(['--preset', 'tiering-6040', '--duration', '1', ...args]);
      expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `damon-sim: error: ${phrase}\n`]);
    }
  });
});
