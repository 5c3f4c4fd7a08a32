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

  it('--help describes the argument and runs nothing', () => {
    const r = run('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run bench -- \[options\] \[duration\]/);
    expect(r.stdout).toMatch(/simulated time of each run/);
    expect(r.stderr).toBe('');
  });
});
