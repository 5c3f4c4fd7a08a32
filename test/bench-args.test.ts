// SPDX-License-Identifier: GPL-2.0-only
/**
 * `npm run bench -- [duration]` takes its one argument as `run --duration` does, and a bad command
 * line ends as every damon-sim command line does: exit code 2 and one line naming what was wrong,
 * before any run starts (the bench itself, ~13 s of work, is not run here).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { burstLine, burstOf } from '../src/bench/burst.js';

const bench = join(__dirname, '..', 'dist', 'bench', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('bench command line', () => {
  it.each([
    [['ten'], /^damon-sim bench: error: duration: expected a time from 1 ms to \d+ days, such as "90 s" or "10 m" \(a bare number is seconds\); found "ten"\n$/],
    [['0'], /^damon-sim bench: error: duration: expected a time from 1 ms to \d+ days, such as "90 s" or "10 m" \(a bare number is seconds\); found "0"\n$/],
    [['--fast'], /^damon-sim bench: error: --fast: expected an option the command knows \(see --help\); found unknown option "--fast"\n$/],
    [['10', 's'], /^damon-sim bench: error: command line: expected 1 arguments; found 2\n$/],
  ])('%j: exit 2, one line, nothing on stdout', (args, line) => {
    const r = run(...args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(line);
    expect(r.stdout).toBe('');
  });

  it("a child run counts the seconds of CONSIST's region explosion apart, and a monitoring run has none", () => {
    const one = (...args: string[]) => {
      const r = run('--one', ...args);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { wallSeconds: number; maxRegions: number; burst: { simSeconds: number; wallSeconds: number } };
    };
    // The first 100 s hold the explosion's climb from ~12,800 regions at 83.2 s to 1,566,546 at 89.8 s.
    const c = one('64', 'consist', '100');
    expect(c.maxRegions).toBe(1566546);
    expect(c.burst.simSeconds).toBe(16);
    expect(c.burst.wallSeconds).toBeGreaterThan(0);
    expect(c.burst.wallSeconds).toBeLessThan(c.wallSeconds);
    const m = one('64', 'monitor', '30');
    expect(m.burst).toEqual({ simSeconds: 0, wallSeconds: 0 });
  });

  it('--help describes the argument and runs nothing', () => {
    const r = run('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run bench -- \[options\] \[duration\]/);
    expect(r.stdout).toMatch(/simulated time of each run/);
    expect(r.stderr).toBe('');
  });
});

describe('the bench\'s region-explosion account', () => {
  it('counts a second by the regions it began with or by an aggregation within it, and sums those seconds\' wall time', () => {
    // Second 1 began with 50,000 regions; second 2 had an aggregation at 20,000; second 3's
    // aggregation at 3.99 s stays in it; 10,000 is not past 10 x 1000.
    const wall = [0.5, 1, 2, 4, 8];
    const atStart = [0, 50_000, 10, 10_000, 10];
    const aggrs = [
      { t: 2.5, nr_regions: 20_000 },
      { t: 3.99, nr_regions: 10_001 },
      { t: 4.2, nr_regions: 10_000 },
    ];
    expect(burstOf(wall, atStart, aggrs, 1000)).toEqual({ simSeconds: 3, wallSeconds: 7 });
    expect(burstOf(wall, atStart, [], 1000)).toEqual({ simSeconds: 1, wallSeconds: 1 });
    expect(burstOf(wall, atStart, aggrs, 4000)).toEqual({ simSeconds: 1, wallSeconds: 1 });
  });

  it('says what the rest of the run went at', () => {
    expect(burstLine('consist', 600, 0.75, { simSeconds: 20, wallSeconds: 0.35 })).toBe(
      'consist: 20 simulated s of that run held more than 10x max_nr_regions and took 0.35 of its 0.75 wall s; the other 580 s ran at 1450 simulated s per wall s',
    );
  });
});
