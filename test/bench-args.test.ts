// SPDX-License-Identifier: GPL-2.0-only
/**
 * `npm run bench -- [duration]` takes its one argument as `run --duration` does, and a bad command
 * line ends as every damon-sim command line does: exit code 2 and one line naming what was wrong,
 * before any run starts (the bench itself, ~13 s of work, is not run here).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bench = join(__dirname, '..', 'dist', 'bench', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('bench command line', () => {
  it.each([
    [['ten'], /^damon-sim bench: error: duration: expected a time such as "10 m", "90 s" or a number of seconds; found "ten"\n$/],
    [['0'], /^damon-sim bench: error: duration: expected a time from 1 ms to \d+ days; found "0"\n$/],
    [['--fast'], /^damon-sim bench: error: --fast: expected an option the command knows \(see --help\); found an unknown option\n$/],
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
