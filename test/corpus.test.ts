// SPDX-License-Identifier: GPL-2.0-only
/**
 * The bad-input corpus (test/corpus/bad/): every entry goes through the real command line,
 * in-process, and must be refused the way the CLI promises (README, docs/scenario.md): exit code 2,
 * an error line `damon-sim: error: <path or option>: <message>` naming the exact JSON path, option
 * or sysfs file with the expected phrases, no stack trace, nothing on stdout, and no output file
 * (not even a temporary one) left behind.
 *
 * An entry is a file (or a directory) and its sidecar `<name>.expect`:
 *
 * - `<name>.yaml` / `.yml` / `.json`: a scenario, run as
 *   `damon-sim run --out OUT --plot SVG --no-progress <file>`;
 * - `<name>.args`: one damon-sim command line, one argument per line (lines starting with `#` are
 *   comments). `{root}` stands for the repository root, `{corpus}` for this directory, `{inputs}`
 *   for test/corpus/inputs (valid files that bad command lines use) and `{tmp}` for the test's
 *   temporary directory (which holds a regular file `a-file`, for unusable output paths). `run`
 *   command lines get `--out OUT --plot SVG --no-progress` right after `run`;
 * - `<name>.sysfs/`: a DAMON sysfs tree (as `damon-sim export --sysfs` writes it, read-only files
 *   left out), run as `damon-sim import --sysfs <dir>`.
 *
 * `<name>.expect` holds `path: <exact path or option>` and one or more `phrase: <text>` lines, each
 * of which must occur in the message of an error line with that path. In the path, `{file}` is the
 * entry's absolute path (for parse errors naming the file); `path: {file}` alone also matches
 * `{file}:<line>:<col>`.
 *
 * Some entries document bugs found while writing them: their .expect comment says what happens
 * today.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '..');
const CORPUS = join(HERE, 'corpus', 'bad');
const INPUTS = join(HERE, 'corpus', 'inputs');
const INPUT_EXTS = ['.yaml', '.yml', '.json', '.args', '.sysfs'] as const;

const tmp = mkdtempSync(join(tmpdir(), 'damon-sim-corpus-'));
writeFileSync(join(tmp, 'a-file'), 'not a directory\n');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Expectation {
  path: string;
  phrases: string[];
}

interface Entry {
  name: string;
  input: string;
  kind: 'scenario' | 'args' | 'sysfs';
  expect: Expectation;
}

function parseExpect(file: string): Expectation {
  let path: string | undefined;
  const phrases: string[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(path|phrase): (.+)$/.exec(line);
    if (!m) throw new Error(`${file}: expected "path: ..." or "phrase: ..." lines; found ${JSON.stringify(line)}`);
    if (m[1] === 'path') {
      if (path !== undefined) throw new Error(`${file}: more than one path line`);
      path = m[2];
    } else phrases.push(m[2]);
  }
  if (path === undefined || phrases.length === 0) throw new Error(`${file}: expected one path line and at least one phrase line`);
  return { path, phrases };
}

function loadCorpus(): Entry[] {
  const files = readdirSync(CORPUS).sort();
  const entries: Entry[] = [];
  for (const f of files.filter((x) => x.endsWith('.expect'))) {
    const name = f.slice(0, -'.expect'.length);
    const inputs = INPUT_EXTS.map((ext) => `${name}${ext}`).filter((x) => files.includes(x));
    if (inputs.length !== 1) throw new Error(`${f}: expected exactly one input (${INPUT_EXTS.map((e) => name + e).join(', ')}); found ${inputs.length}`);
    const input = join(CORPUS, inputs[0]);
    const kind = inputs[0].endsWith('.args') ? 'args' : inputs[0].endsWith('.sysfs') ? 'sysfs' : 'scenario';
    if (kind === 'sysfs' && !statSync(input).isDirectory()) throw new Error(`${inputs[0]}: expected a directory`);
    entries.push({ name, input, kind, expect: parseExpect(join(CORPUS, f)) });
  }
  return entries;
}

const entries = loadCorpus();


/** The entry's command line and the output files it would write. */
function commandOf(e: Entry): { argv: string[]; outputs: string[] } {
  const out = join(tmp, `${e.name}.ndjson`);
  const plot = join(tmp, `${e.name}.svg`);
  const runOpts = ['--out', out, '--plot', plot, '--no-progress'];
  if (e.kind === 'scenario') return { argv: ['run', ...runOpts, e.input], outputs: [out, plot] };
  if (e.kind === 'sysfs') return { argv: ['import', '--sysfs', e.input], outputs: [] };
  const words = readFileSync(e.input, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((w) => w.replaceAll('{root}', ROOT).replaceAll('{corpus}', CORPUS).replaceAll('{inputs}', INPUTS).replaceAll('{tmp}', tmp));
  if (words[0] === 'run') return { argv: ['run', ...runOpts, ...words.slice(1)], outputs: [out, plot] };
  return { argv: words, outputs: [] };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the bad-input corpus', () => {
  it('has at least 30 entries, every input has its .expect and every .expect its input', () => {
    expect(entries.length).toBeGreaterThanOrEqual(30);
    const named = new Set(entries.map((e) => e.input));
    const orphans = readdirSync(CORPUS)
      .filter((f) => !f.endsWith('.expect'))
      .map((f) => join(CORPUS, f))
      .filter((f) => !named.has(f));
    expect(orphans, 'corpus inputs without a <name>.expect').toEqual([]);
    // Every kind is represented.
    for (const k of ['scenario', 'args', 'sysfs'] as const) expect(entries.some((e) => e.kind === k), k).toBe(true);
  });

  for (const e of entries) {
    it(`${e.name} (${e.kind}): exit 2 at ${e.expect.path}`, async () => {
      const { argv, outputs } = commandOf(e);
      const r = await cli(argv);
      const show = `damon-sim ${argv.join(' ')}\nexit ${r.code}\nstderr:\n${r.err}`;
      expect(r.code, show).toBe(2);
      expect(r.err, show).not.toMatch(/^ {4}at /m); // no stack trace
      expect(r.err, show).not.toMatch(/internal error/);
      expect(r.out, 'nothing on stdout').toBe('');
      const lines = r.err.split('\n').filter((l) => l !== '');
      for (const l of lines) expect(l, show).toMatch(/^damon-sim: (error|warning|note): \S.*: \S/);
      const path = e.expect.path.replaceAll('{file}', e.input);
      // A parse error naming the file may add its position: `{file}` also matches `{file}:4:11`.
      const head = new RegExp(`^damon-sim: error: ${escapeRe(path)}${e.expect.path === '{file}' ? '(?::\\d+)*' : ''}: `);
      const hits: string[] = [];
      for (const l of lines) {
        const m = head.exec(l);
        if (m) hits.push(l.slice(m[0].length));
      }
      expect(hits.length, `an error line for ${path}\n${show}`).toBeGreaterThan(0);
      for (const p of e.expect.phrases) expect(hits.some((h) => h.includes(p)), `"${p}" in the error for ${path}\n${show}`).toBe(true);
      for (const o of outputs) expect(existsSync(o), `${o} must not exist`).toBe(false);
      expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp')), 'temporary files left behind').toEqual([]);
    });
  }

  it('the same plumbing writes the outputs for good input (so "no output file" means something)', async () => {
    const out = join(tmp, 'good.ndjson');
    const plot = join(tmp, 'good.svg');
    const r = await cli(['run', '--out', out, '--plot', plot, '--no-progress', '--preset', 'tiering-6040', '--duration', '1s', '--damos_action', 'stat']);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(plot)).toBe(true);
    rmSync(out);
    rmSync(plot);
  });
});
