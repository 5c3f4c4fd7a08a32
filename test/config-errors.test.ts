// SPDX-License-Identifier: GPL-2.0-only
/**
 * Bad input through the real command line, in-process: `damon-sim run FILE --out OUT` with a
 * scenario document that is wrong in one way per case, plus bad command-line options.
 *
 * The CLI's contract for bad input: exit code 2; one stderr line per problem of the form
 * `damon-sim: error: <where>: <what was expected; what was found>`, where <where> is the JSON path
 * of the offending value (or file:line for unparsable text, or the option's name); no stack trace;
 * and no output file — not even a partial one — because nothing runs. The semantic cases are the
 * refusals the kernel itself makes (damon_set_attrs / damon_commit_ctx -EINVAL: min_nr_regions < 3,
 * sample > aggr, non-power-of-two min_region_sz, node_eligible_mem_bp without paddr; sysfs: a
 * non-core filter type in core_filters, unknown action/metric names) and what the simulated
 * machine cannot hold. One good case shows the same plumbing succeeds and writes the timeline.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cli, type CliResult } from './helpers/cli.js';
import { parseText } from '../src/formats/document.js';
import { scenarioFromDoc, setDuration } from '../src/scenario/load.js';
import { ConfigError, QUOTE_MAX, oneLine } from '../src/scenario/issues.js';
import { formatBytesHuman, formatSummaryTable, migrationSummary } from '../src/report/summary.js';
import { tiering6040 } from '../src/scenario/presets.js';
import { runScenario } from '../src/run/run.js';
import { Simulation } from '../src/run/simulation.js';
import { TRACEPOINTS } from '../src/run/trace.js';
import { regionLimits } from '../src/damon/region.js';

const dir = mkdtempSync(join(tmpdir(), 'damon-sim-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CTX = 'damon.kdamonds[0].contexts[0]';
const SCHEME = `${CTX}.schemes[0]`;
const GOAL = `${SCHEME}.quotas.goals[0]`;

/** A valid, tiny scenario: 2 × 32 MiB, 16 MiB RSS first-touched on CXL, one PULL scheme, 2 s. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
/** What parseText() refuses in `text`, one "path: message" line per issue (it must refuse). */
function parseIssues(text: string, source: string, format: 'json' | 'yaml'): string[] {
  try {
    parseText(text, source, format);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error('parsed');
}

function goodDoc(): Doc {
  return {
    name: 'tiny',
    seed: 7,
    duration: '2 s',
    machine: {
      base: '4 GiB',
      nodes: [
        { capacity: '32 MiB', kind: 'dram' },
        { capacity: '32 MiB', kind: 'cxl' },
      ],
    },
    workload: { type: 'hotset', rss: '16 MiB', hot_set: '4 MiB', hot_share: '99 %', access_rate: 400000, nodes: [1, 0] },
    damon: {
      kdamonds: [
        {
          contexts: [
            {
              ops: 'paddr',
              targets: [
                {
                  pid: null,
                  regions: [
                    { start: '4 GiB', end: '4128 MiB' },
                    { start: '4128 MiB', end: '4160 MiB' },
                  ],
                },
              ],
              intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
              nr_regions: { min: 10, max: 1000 },
              schemes: [
                {
                  action: 'migrate_hot',
                  target_nid: 0,
                  access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '1 samples', max: '4,294,967,295 samples' }, age: { min: 0, max: 'max' } },
                  quotas: {
                    time_ms: 0,
                    sz_bytes: '8 MiB',
                    reset_interval_ms: '1 s',
                    weights: { sz_permil: 0, nr_accesses_permil: 0, age_permil: 0 },
                    goal_tuner: 'temporal',
                    goals: [{ metric: 'node_eligible_mem_bp', nid: 0, target_value: 6000, current_value: 0 }],
                  },
                  filters: [{ filter_type: 'addr', matching: true, allow: true, address_range: { start: '4128 MiB', end: '4160 MiB' } }],
                },
              ],
            },
          ],
        },
      ],
    },
  };
}


let seq = 0;
/** Write a document (YAML or JSON text) and run it; returns the CLI result and the --out path. */
async function runDoc(text: string, ext: 'yaml' | 'json', extra: string[] = []): Promise<CliResult & { outFile: string; file: string }> {
  const n = seq++;
  const file = join(dir, `case${n}.${ext}`);
  const outFile = join(dir, `case${n}.ndjson`);
  writeFileSync(file, text);
  const r = await cli(['run', file, '--out', outFile, '--no-progress', ...extra]);
  return { ...r, outFile, file };
}

/** The CLI's bad-input contract; returns the error lines. */
function expectRejected(r: CliResult & { outFile?: string }): string[] {
  expect(r.code, r.err).toBe(2);
  expect(r.err).not.toMatch(/ {4}at /); // no stack trace
  expect(r.err).not.toMatch(/internal error/);
  expect(r.out).toBe('');
  const lines = r.err.split('\n').filter((l) => l !== '');
  const errors = lines.filter((l) => l.startsWith('damon-sim: error: '));
  expect(errors.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).toMatch(/^damon-sim: (error|warning): \S.*: \S/);
  if (r.outFile !== undefined) expect(existsSync(r.outFile)).toBe(false);
  // Nothing half-written either (the timeline writer's temporary file).
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return errors;
}

/** An error line naming exactly `path` with a message containing every phrase. */
function expectError(errors: string[], path: string, ...phrases: Array<string | RegExp>): void {
  const prefix = `damon-sim: error: ${path}: `;
  const hits = errors.filter((l) => l.startsWith(prefix));
  expect(hits.length, `expected an error at ${path}; got:\n${errors.join('\n')}`).toBeGreaterThan(0);
  for (const p of phrases) expect(hits.some((l) => (typeof p === 'string' ? l.slice(prefix.length).includes(p) : p.test(l.slice(prefix.length)))), `${path}: ${String(p)}; got:\n${hits.join('\n')}`).toBe(true);
}

interface BadCase {
  name: string;
  mutate: (d: Doc) => void;
  path: string;
  phrases: Array<string | RegExp>;
  ext?: 'yaml' | 'json';
  /** The one line of the run's stderr: a bad value draws no knock-on errors or warnings elsewhere. */
  alone?: boolean;
}

const cases: BadCase[] = [
  {
    name: 'profile switches no kernel had together (the safe apply walk with the B1 merge-back)',
    mutate: (d) => (d.kernel = { profile: 'b1', overrides: { safeApplyWalk: true } }),
    path: 'kernel.overrides',
    phrases: ['safeApplyWalk', 'postApplyMerge', 'found both on in "b1+safeApplyWalk"'],
  },
  {
    name: 'profile switches no kernel had together (the <min_region_sz clause without damos_quota_is_full())',
    mutate: (d) => (d.kernel = { profile: 'b0', overrides: { damosQuotaIsFull: false } }),
    path: 'kernel.overrides',
    phrases: ['quotaFullBelowMinRegion', 'damos_quota_is_full()', 'found quotaFullBelowMinRegion on and damosQuotaIsFull off in "b0+damosQuotaIsFull"'],
  },
  {
    name: 'unknown action',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].action = 'migrate_warm'),
    path: `${SCHEME}.action`,
    phrases: ['migrate_warm', 'migrate_hot'],
  },
  {
    name: 'unknown goal metric',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].metric = 'node_hot_mem_bp'),
    path: `${GOAL}.metric`,
    phrases: ['node_hot_mem_bp', 'node_eligible_mem_bp'],
    ext: 'json',
  },
  {
    name: 'a time in an unknown unit',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].intervals.sample_us = '5 parsecs'),
    path: `${CTX}.intervals.sample_us`,
    phrases: ['5 parsecs', /expected .*time/],
  },
  {
    name: 'node_eligible_mem_bp under vaddr',
    mutate: (d) => {
      d.damon.kdamonds[0].contexts[0].ops = 'vaddr';
      d.damon.kdamonds[0].contexts[0].targets[0].pid = 1234;
    },
    path: `${GOAL}.metric`,
    phrases: ['-EINVAL', 'paddr'],
  },
  {
    name: 'min_nr_regions 1',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].nr_regions.min = 1),
    path: `${CTX}.nr_regions`,
    phrases: ['min_nr_regions', '>= 3', 'got 1'],
  },
  {
    name: 'sampling interval above the aggregation interval',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].intervals.sample_us = '200 ms'),
    path: `${CTX}.intervals`,
    phrases: ['sample interval (200000 us) > aggregation interval (100000 us)'],
  },
  {
    name: 'overlapping, unsorted regions',
    mutate: (d) => {
      d.damon.kdamonds[0].contexts[0].targets[0].regions = [
        { start: '4128 MiB', end: '4160 MiB' },
        { start: '4100 MiB', end: '4130 MiB' },
      ];
    },
    path: `${CTX}.targets[0].regions[1]`,
    phrases: ['sorted', 'overlapping'],
  },
  {
    name: 'region start >= end',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions[0] = { start: '4128 MiB', end: '4 GiB' }),
    path: `${CTX}.targets[0].regions[0]`,
    phrases: ['start < end', '[4328521728, 4294967296)'],
  },
  {
    name: 'a goal nid that is not a number',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].nid = 'zero'),
    path: `${GOAL}.nid`,
    phrases: ['zero'], // the found value (issues.ts: every message says what was found)
  },
  {
    name: 'addr_unit 3 (min_region_sz 1365, not a power of two)',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].addr_unit = 3),
    path: `${CTX}.addr_unit`,
    phrases: ['power-of-two', '1365', '-EINVAL'],
  },
  {
    name: 'two targets in a paddr context (damon_sysfs_add_targets)',
    mutate: (d) => d.damon.kdamonds[0].contexts[0].targets.push({ ...d.damon.kdamonds[0].contexts[0].targets[0] }),
    path: `${CTX}.targets`,
    phrases: ['one target for ops "paddr"', '-EINVAL', 'found 2'],
  },
  {
    name: 'an ops filter type in core_filters',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].core_filters = [{ filter_type: 'anon', matching: true, allow: false }]),
    path: `${SCHEME}.core_filters[0].filter_type`,
    phrases: ['"anon"', 'core filter type'],
  },
  {
    // Costs advance the kdamond's clock and total_charged_ns, whole ns in the kernel (a fraction
    // used to reach BigInt() in the time-quota throughput and crash the run).
    name: 'a fractional cost in ns',
    mutate: (d) => (d.machine.costs = { pageout_ns_per_4k: 1500.5 }),
    path: 'machine.costs.pageout_ns_per_4k',
    phrases: ['expected a whole number of ns below 2^53 (a plain integer: no unit string); found 1500.5'],
  },
  {
    // zod's own "expected number to be >=0" used to show through.
    name: 'a negative cost in ns',
    mutate: (d) => (d.machine.costs = { migrate_ns_per_4k: -1 }),
    path: 'machine.costs.migrate_ns_per_4k',
    phrases: ['expected a whole number of ns below 2^53 (a plain integer: no unit string); found -1'],
  },
  {
    name: 'a fractional seed',
    mutate: (d) => (d.seed = 1.5),
    path: 'seed',
    phrases: ['expected a non-negative integer below 2^53; found 1.5'],
  },
  {
    name: 'a seed past 2^53',
    mutate: (d) => (d.seed = 2 ** 53),
    path: 'seed',
    phrases: ['expected a non-negative integer below 2^53; found 9007199254740992'],
  },
  {
    name: 'a seed as a string: one "found", with the type error in the same words',
    mutate: (d) => (d.seed = '7'),
    path: 'seed',
    phrases: ['expected a non-negative integer below 2^53; found "7"'],
  },
  {
    name: 'a hot set that starts too late to fit: the offset is named, not the hot set',
    mutate: (d) => (d.workload.hot_offset = '14 MiB'),
    path: 'workload.hot_offset',
    phrases: ['hot_offset + hot_set <= the rss, 16.000 MiB (16777216 bytes)', '14680064 + 4194304 = 18.000 MiB'],
  },
  {
    name: 'a hot set larger than the rss',
    mutate: (d) => (d.workload.hot_set = '20 MiB'),
    path: 'workload.hot_set',
    phrases: ['at most the rss, 16.000 MiB (16777216 bytes)', '20.000 MiB (20971520 bytes)'],
  },
  {
    name: 'a negative duration: a time of damon-sim\'s, not a kernel value',
    mutate: (d) => (d.duration = -5),
    path: 'duration',
    phrases: ['found -5 (a time cannot be negative)'],
    alone: true,
  },
  {
    name: 'a duration past 2^53 ns, said as a time (as --duration says it), not a bare ns count',
    mutate: (d) => (d.duration = '105 d'),
    path: 'duration',
    phrases: ['expected a time from 1 ms to 104 days, such as "90 s" or "10 m" (a bare number is seconds); found 105.0 days (9072000000000000 ns)'],
    alone: true,
  },
  {
    name: 'duration max',
    mutate: (d) => (d.duration = 'max'),
    path: 'duration',
    phrases: ['found "max" (ULONG_MAX ns)'],
    alone: true,
  },
  {
    name: 'a hot-set offset inside a page',
    mutate: (d) => (d.workload.hot_offset = 123),
    path: 'workload.hot_offset',
    phrases: ['multiple of 4 KiB', '123'],
  },
  {
    name: 'hot-set moves out of time order',
    mutate: (d) => (d.workload.moves = [{ at: '2 s', hot_offset: 0 }, { at: '1 s', hot_offset: '4 MiB' }]),
    path: 'workload.moves[1].at',
    phrases: ['time order', 'previous one at 2 s', 'found 1 s'],
  },
  {
    name: 'a hot-set move at 0: said in the one wording of a move\'s time',
    mutate: (d) => (d.workload.moves = [{ at: 0, hot_offset: '4 MiB' }]),
    path: 'workload.moves[0].at',
    phrases: ['expected a time after 0, up to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found 0 s'],
  },
  {
    name: 'a hot-set move past 2^53 ns: in days, not as a bare ns count',
    mutate: (d) => (d.workload.moves = [{ at: '200 d', hot_offset: '4 MiB' }]),
    path: 'workload.moves[0].at',
    phrases: ['expected a time after 0, up to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found 200.0 days (17280000000000000 ns)'],
  },
  {
    name: "an event past 2^53 ns: in days, as a hot-set move's time says it (one reading of every `at`)",
    mutate: (d) => (d.events = [{ at: 200 * 86400, command: 'commit_schemes_quota_goals' }]),
    path: 'events[0].at',
    phrases: ['expected a time from 0 to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found 200.0 days (17280000000000000 ns)'],
  },
  {
    name: 'unknown top-level key',
    mutate: (d) => (d.duraton = '10 s'),
    path: 'duraton',
    phrases: ['unknown key'],
  },
  {
    name: 'a misspelt key whose meant key is missing is named',
    mutate: (d) => {
      d.workload.hotset = d.workload.hot_set;
      delete d.workload.hot_set;
    },
    path: 'workload.hotset',
    phrases: ['expected a key this object takes; found unknown key "hotset" (did you mean "hot_set"?)'],
  },
  {
    name: "an event's goal given a list: the list goes in goals",
    mutate: (d) => (d.events = [{ at: 1, command: 'commit_schemes_quota_goals', goal: [{ scheme: 0, goal: 0, current_value: 5 }] }]),
    path: 'events[0].goal',
    phrases: ['expected a non-negative integer; found a list of 1 (did you mean "goals"?)'],
  },
  {
    name: 'workload larger than the machine',
    mutate: (d) => (d.workload.rss = '96 MiB'),
    path: 'workload.rss',
    phrases: ['67108864', '100663296'],
  },
  {
    name: 'a percentage as node_eligible_mem_bp target',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = '60%'),
    path: `${GOAL}.target_value`,
    phrases: ['plain bp integer', '60%'],
  },
  {
    name: 'missing machine',
    mutate: (d) => delete d.machine,
    path: 'machine',
    phrases: ['expected an object', 'found nothing'],
  },
  {
    name: 'a hot share above 100 %',
    mutate: (d) => (d.workload.hot_share = '150 %'),
    path: 'workload.hot_share',
    phrases: ['at most 100 %', '150 %'],
  },
  {
    name: 'no workload type',
    mutate: (d) => delete d.workload.type,
    path: 'workload.type',
    phrases: ['expected one of "hotset", "processes"', 'found nothing'],
  },
  {
    name: 'an RSS of 0 (and nothing else said about the hot set that no longer fits it)',
    mutate: (d) => (d.workload.rss = 0),
    path: 'workload.rss',
    phrases: ['expected a positive multiple of 4 KiB; found 0'],
    alone: true,
  },
  {
    name: 'an RSS that is not whole pages (and nothing else said)',
    mutate: (d) => (d.workload.rss = 4097),
    path: 'workload.rss',
    phrases: ['expected a positive multiple of 4 KiB; found 4097'],
    alone: true,
  },
  {
    name: 'an empty first-touch node list, named where it is',
    mutate: (d) => (d.workload.nodes = []),
    path: 'workload.nodes',
    phrases: ['expected at least one node id', 'found an empty list'],
    alone: true,
  },
  {
    name: 'a target_nid that is not a number (YAML .nan)',
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].target_nid = NaN),
    path: `${SCHEME}.target_nid`,
    phrases: ['expected a node id or null; found NaN'],
    alone: true,
  },
  {
    name: "a goal's nid of YAML .inf",
    mutate: (d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].nid = Infinity),
    path: `${GOAL}.nid`,
    phrases: ['expected a node id or null; found Infinity'],
    alone: true,
  },
  {
    name: 'a fractional record stride',
    mutate: (d) => (d.record = { aggr_stride: 1.5 }),
    path: 'record.aggr_stride',
    phrases: ['expected a whole number; found 1.5'],
    alone: true,
  },
  {
    name: 'a fractional record stride in exponent form (found in review: "15e-1" ran as 1)',
    mutate: (d) => (d.record = { aggr_stride: '15e-1' }),
    path: 'record.aggr_stride',
    phrases: ['expected a whole number; found 15e-1'],
    alone: true,
  },
  {
    name: 'a misplaced hot set and a workload too big for the machine: both said (found in review: the fit was held back)',
    mutate: (d) => {
      d.workload.rss = '128 MiB';
      d.workload.hot_offset = 100;
    },
    path: 'workload.rss',
    phrases: ["expected at most the machine's free memory"],
  },
  {
    name: 'an event without its time',
    mutate: (d) => (d.events = [{ scheme: 0, goal: 0, current_value: 5 }]),
    path: 'events[0].at',
    phrases: [/^expected a time from 0 to \d+ days/, 'found nothing'],
    alone: true,
  },
  {
    name: "a goal feed's keys beside a state command point to the command that writes goal files",
    mutate: (d) => (d.events = [{ at: 1, command: 'update_schemes_tried_regions', scheme: 0, goal: 0, current_value: 5 }]),
    path: 'events[0].scheme',
    phrases: ['found command "update_schemes_tried_regions"', 'with command "commit_schemes_quota_goals"'],
  },
  {
    name: 'negative reserved memory is not a size',
    mutate: (d) => (d.machine.nodes[1].reserved = '-4 KiB'),
    path: 'machine.nodes[1].reserved',
    phrases: ['-4 KiB'],
  },
];

describe('bad scenario documents: exit 2, the exact JSON path, no output', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const d = goodDoc();
      c.mutate(d);
      const ext = c.ext ?? 'yaml';
      const r = await runDoc(ext === 'json' ? JSON.stringify(d, null, 2) : stringify(d), ext);
      expectError(expectRejected(r), c.path, ...c.phrases);
      if (c.alone) expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
    });
  }

  it("an output of damon-sim's or other NDJSON given as the scenario is named in one line, however it was cut", () => {
    const header = '{"type":"header","format":"damon-sim-timeline","version":1,"scenario":"x","seed":42}';
    const summary = '{"type":"summary","t":1,"schemes":[]}';
    const timeline = 'found a damon-sim timeline (an --out file: one JSON record per line)';
    const ndjson = 'found one JSON value per line (NDJSON)';
    const cases: Array<[string, string]> = [
      [`${header}\n`, timeline], // the first line alone (head -1)
      [`${summary}\n`, timeline], // the last line alone (tail -1)
      [`${header}\n{"type":"aggr","t":0.1}\n`, timeline],
      ['{"a":1} \n{"b":2}\n', ndjson], // a line ending in a space
      ['[1]\n[2]\n', ndjson], // a list per line
    ];
    for (const [text, phrase] of cases) {
      let issues: ConfigError['issues'] = [];
      try {
        parseText(text, 'f.ndjson');
      } catch (e) {
        if (e instanceof ConfigError) issues = e.issues;
      }
      expect(issues, text).toEqual([{ path: 'f.ndjson', message: `expected a scenario (one JSON or YAML document); ${phrase}` }]);
    }
    // One JSON document on one line is a scenario to validate, not NDJSON.
    expect(parseText('{"name":"x"}\n', 'f.json')).toEqual({ name: 'x' });
  });

  it('a YAML alias inside the node it names is refused as such, not by a stack overflow', async () => {
    for (const text of ['a: &a [*a]\n', 'x: &x { b: *x }\n']) {
      const r = await runDoc(text, 'yaml');
      expect(expectRejected(r)).toEqual([`damon-sim: error: ${r.file}: expected YAML or JSON whose aliases resolve; found an alias inside the node its anchor names (a cycle, which no JSON value holds)`]);
    }
  });

  it('malformed YAML names file:line', async () => {
    // Line 3 holds a nested mapping inside a compact one.
    const r = await runDoc('name: broken\nseed: 7\nduration: 2 s: 3\nmachine:\n  base: 4 GiB\n', 'yaml');
    const errors = expectRejected(r);
    expect(errors.some((l) => l.startsWith(`damon-sim: error: ${r.file}:3`)), errors.join('\n')).toBe(true);
    expect(r.err).toMatch(/YAML/);
  });

  it('YAML cut short names the end of its last line with text, not the line after it', async () => {
    // Three lines; the parser's own position is line 4, column 1 (past the final newline). CRLF
    // line ends and blank lines after the text change nothing.
    for (const text of ['seed: 7\nmachine:\n  nodes: [1, 2\n', 'seed: 7\r\nmachine:\r\n  nodes: [1, 2\r\n', 'seed: 7\nmachine:\n  nodes: [1, 2\n\n  \n', 'seed: 7\nmachine:\n  nodes: [1, 2']) {
      const r = await runDoc(text, 'yaml');
      expect(expectRejected(r)).toEqual([
        `damon-sim: error: ${r.file}:3:15: expected YAML or JSON; found a syntax error at the end of the file: flow sequence in block collection must be sufficiently indented and end with a ]`,
      ]);
    }
  });

  it('an empty file (white space and comments only) says so, naming the file', async () => {
    for (const text of ['', '\n\n# nothing here\n']) {
      const r = await runDoc(text, 'yaml');
      expect(expectRejected(r)).toEqual([`damon-sim: error: ${r.file}: expected YAML or JSON; found an empty file`]);
    }
  });

  it('a second YAML document says where it starts, in words for a user (not the library\'s advice to programmers)', async () => {
    const r = await runDoc('seed: 7\n---\nseed: 8\n', 'yaml');
    expect(expectRejected(r)).toEqual([`damon-sim: error: ${r.file}:2:1: expected one YAML document; found a second one here (a "---" line starts a new document; a scenario is one)`]);
  });

  it('malformed JSON names file:line:col, or the end of its text', async () => {
    const mid = await runDoc('{"name": "broken",\n "seed": 7,,}', 'json');
    expect(expectRejected(mid)).toEqual([`damon-sim: error: ${mid.file}:2:12: expected JSON; found a syntax error: expected double-quoted property name`]);
    const cut = await runDoc('{"name": "broken",\n "seed": 7,\n\n', 'json');
    expect(expectRejected(cut)).toEqual([`damon-sim: error: ${cut.file}:2:12: expected JSON; found a syntax error at the end of the file: expected double-quoted property name`]);
  });

  it('a YAML key written twice in one mapping is named by its path, as in JSON, including keys that differ only as number and string', () => {
    expect(parseIssues('a:\n  - {x: 1, "x": 2}\n  - 1: a\n    "1": b\nb: 1\nb: 2\n', 'f.yaml', 'yaml')).toEqual([
      'a[0].x: expected each key once in an object; found "x" again at f.yaml:2:12',
      'a[1].1: expected each key once in an object; found "1" again at f.yaml:4:5',
      'b: expected each key once in an object; found "b" again at f.yaml:6:1',
    ]);
    // A repeated key's own value is checked too; a null key is the object's "" key.
    expect(parseIssues('a: 1\na: {b: 1, b: 2}\n~: 3\n"": 4\n', 'f.yaml', 'yaml')).toEqual([
      'a: expected each key once in an object; found "a" again at f.yaml:2:1',
      'a.b: expected each key once in an object; found "b" again at f.yaml:2:11',
      '(top level): expected each key once in an object; found "" again at f.yaml:4:1',
    ]);
    // YAML 1.1 merge keys may repeat: they are not keys of the object.
    expect(parseText('%YAML 1.1\n---\na: &a {x: 1}\nc: &c {z: 1}\nb:\n  <<: *a\n  <<: *c\n', 'f.yaml', 'yaml')).toEqual({ a: { x: 1 }, c: { z: 1 }, b: { x: 1, z: 1 } });
    expect(parseText('~: 1\n"null": 2\n', 'f.yaml', 'yaml')).toEqual({ '': 1, null: 2 });
    // An alias used as a key is the key it names.
    expect(parseIssues('name: &k seed\nseed: 1\n*k : 2\n', 'f.yaml', 'yaml')).toEqual(['seed: expected each key once in an object; found "seed" again at f.yaml:3:1']);
    expect(parseText('name: &k seed\n*k : 2\n', 'f.yaml', 'yaml')).toEqual({ name: 'seed', seed: 2 });
    // The first few, as for parse errors.
    const many = parseIssues(Array.from({ length: 8 }, () => 'k: 1\n').join(''), 'f.yaml', 'yaml');
    expect(many).toHaveLength(6);
    expect(many[5]).toBe('f.yaml: expected each key once in an object; found 2 more repeated keys after these');
    // A file that does not parse says why first; its repeated keys come once it parses.
    expect(parseIssues('a: 1\na: 2\nb: [\n', 'f.yaml', 'yaml').every((l) => l.includes('expected YAML or JSON'))).toBe(true);
  });

  it('a collection used as a YAML key becomes its text, which the schema names as an unknown key, with no Node warning on stderr', async () => {
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(w.message);
    process.on('warning', listen);
    try {
      expect(parseText('? [a, b]\n: 1\n', 'f.yaml', 'yaml')).toEqual({ '[ a, b ]': 1 });
      await new Promise((resolve) => setTimeout(resolve, 10)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', listen);
    }
    expect(warnings).toEqual([]);
  });

  it("JSON whose parser message has no position (V8's 'Unexpected token') is located by a second parser", () => {
    const issue = (text: string) => parseIssues(text, 'f.json', 'json');
    const notAValue = ', which is not a JSON value (strings take double quotes; the literals are true, false and null)';
    expect(issue('{"machine": {"nodes": [}\n}')).toEqual(['f.json:1:24: expected JSON; found a syntax error: a value is missing before "}"']);
    expect(issue('{\n  "seed": tru\n}')).toEqual([`f.json:2:11: expected JSON; found "tru"${notAValue}`]);
    expect(issue("{\r\n  \"name\": 'x'}")).toEqual([`f.json:2:11: expected JSON; found "'x'"${notAValue}`]);
    expect(issue('{"seed": NaN}')).toEqual([`f.json:1:10: expected JSON; found "NaN"${notAValue}`]);
    // Messages that carry a position keep V8's wording.
    expect(issue('{"seed": 1 "name": "x"}')).toEqual(["f.json:1:12: expected JSON; found a syntax error: expected ',' or '}' after property value"]);
    // What was found is quoted short and visibly; a byte-order mark is named.
    expect(issue(`{"name": ${'x'.repeat(100_000)}}`)).toEqual([`f.json:1:10: expected JSON; found "${'x'.repeat(40)}…"${notAValue}`]);
    expect(issue('{\n  "name":\u00a0"a"}')).toEqual([`f.json:2:10: expected JSON; found "\\u00a0"${notAValue}`]);
    expect(issue('\ufeff{"name": "a"}')).toEqual(['f.json:1:1: expected JSON; found a byte-order mark (U+FEFF), which JSON does not allow; save the file without it']);
    // Only JSON's white space ends the text: a no-break space after the value is text after it.
    expect(issue('{"name": "a"}\u00a0\n')).toEqual(['f.json:1:14: expected JSON; found a syntax error: unexpected non-whitespace character after JSON']);
    // Nesting too deep for the parsers' recursion is refused before either runs, where it passes 100.
    expect(issue(`${'['.repeat(20_000)}tru${']'.repeat(20_000)}`)).toEqual(['f.json:1:101: expected brackets nested at most 100 deep (a scenario needs about 8); found deeper nesting']);
    expect(issue(`${'['.repeat(100)}tru${']'.repeat(100)}`)).toEqual([`f.json:1:101: expected JSON; found "tru"${notAValue}`]);
    // Brackets in strings and YAML comments do not count: "[a, b)" ranges in comments never close.
    expect(issue(`{"name": "${'['.repeat(200)}", "seed": tru}`)).toEqual([`f.json:1:222: expected JSON; found "tru"${notAValue}`]);
  });

  it('reports every problem of a document, not just the first', async () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].nr_regions.min = 1;
    d.damon.kdamonds[0].contexts[0].addr_unit = 3;
    d.workload.rss = '96 MiB';
    const errors = expectRejected(await runDoc(stringify(d), 'yaml'));
    expectError(errors, `${CTX}.addr_unit`, '-EINVAL');
    expectError(errors, 'workload.rss', '100663296');
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });

  it("a goal's bad value is told with the DAMON part's other shape problems, not only once they are fixed", async () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = -1;
    d.damon.kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes = 'lots';
    const errors = expectRejected(await runDoc(stringify(d), 'yaml'));
    expect(errors.map((l) => l.split(": ")[2])).toEqual([`${SCHEME}.quotas.sz_bytes`, `${GOAL}.target_value`]);
    expectError(errors, `${GOAL}.target_value`, 'found -1');
  });

  // The machine part (machine, workload, duration) and the DAMON part (damon, kernel) are checked
  // each on its own when the other has problems: one run, not one per kind of problem.
  it('a shape error outside the DAMON part does not hold back the DAMON checks', async () => {
    const d = goodDoc();
    d.seed = -3;
    d.damon.kdamonds[0].contexts[0].ops = 'vaddr';
    const errors = expectRejected(await runDoc(stringify(d), 'yaml'));
    expect(errors.map((l) => l.split(': ')[2])).toEqual(['seed', `${GOAL}.metric`, `${CTX}.ops`]);
    expectError(errors, `${GOAL}.metric`, 'needs ops "paddr"', '-EINVAL');
  });

  it('a shape error in the DAMON part does not hold back the machine checks, nor they it', async () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].ops = 7;
    d.workload.rss = '96 MiB';
    const errors = expectRejected(await runDoc(stringify(d), 'yaml'));
    expect(errors.map((l) => l.split(': ')[2])).toEqual([`${CTX}.ops`, 'workload.rss']);
    expectError(errors, 'workload.rss', 'free memory, 64.000 MiB (67108864 bytes)', '100663296');
  });

  it("a shape error in a scheme does not hold back the checks of its context and the other schemes; the scheme's own wait for its fix", async () => {
    const d = goodDoc();
    const ctx = d.damon.kdamonds[0].contexts[0];
    ctx.schemes.push(structuredClone(ctx.schemes[0]));
    ctx.schemes[0].action = 'migrate_hott';
    ctx.nr_regions.min = 1;
    d.kernel = { profile: 'mainline-6.19' };
    const errors = expectRejected(await runDoc(stringify(d), 'yaml'));
    // Both schemes have the goal metric and tuner mainline-6.19 lacks: only the scheme without a shape error says so now.
    expect(errors.map((l) => l.split(': ')[2])).toEqual([`${SCHEME}.action`, `${CTX}.schemes[1].quotas.goals[0].metric`, `${CTX}.nr_regions`, `${CTX}.schemes[1].quotas.goal_tuner`]);
    expectError(errors, `${CTX}.nr_regions`, 'min_nr_regions must be >= 3, got 1');
    // A shape error outside every scheme leaves the part unread, as before.
    ctx.intervals.sample_us = 'often';
    const held = expectRejected(await runDoc(stringify(d), 'yaml'));
    expect(held.map((l) => l.split(': ')[2])).toEqual([`${CTX}.intervals.sample_us`, `${SCHEME}.action`]);
  });

  it('a value error in the machine: the DAMON part is still checked, without knock-on errors from the replaced value', async () => {
    const d = goodDoc();
    d.machine.nodes[0].capacity = 2 ** 53 + 2;
    d.damon.kdamonds[0].contexts[0].nr_regions.min = 1;
    // No region of the context: a default one would come from the replaced capacity.
    d.damon.kdamonds[0].contexts[0].targets[0].regions = [];
    const errors = expectRejected(await runDoc(stringify(d), 'yaml'));
    expect(errors.map((l) => l.split(': ')[2])).toEqual(['machine.nodes[0].capacity', `${CTX}.nr_regions`]);
    expectError(errors, `${CTX}.nr_regions`, 'min_nr_regions must be >= 3, got 1');
  });
});

describe("what damo's loader checks that damon-sim only warns about (damo-formats.md §1.3)", () => {
  const warnings = (mutate: (d: Doc) => void) => {
    const d = goodDoc();
    mutate(d);
    return scenarioFromDoc(d).warnings.map((w) => `${w.path}: ${w.message}`);
  };
  const MISSING = 'expected this key (damo refuses the object without it); found nothing, so damon-sim uses its default';

  it('the good document draws none', () => {
    expect(warnings(() => undefined)).toEqual([]);
  });

  it('a scheme without an action is damo\'s default stat, and said so (it acts on no memory)', () => {
    expect(warnings((d) => delete (d.damon.kdamonds[0].contexts[0].schemes[0] as Record<string, unknown>).action)).toEqual([
      `${SCHEME}.action: expected an action; found nothing, so the scheme is \`stat\` (damo's default: it only counts, and acts on no memory)`,
    ]);
  });

  it('unaligned neighbouring regions that min_region_sz widens into one another are taken, with a warning', () => {
    const base = 4 * 2 ** 30;
    expect(
      warnings((d) => {
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [
          { start: base + 10, end: base + 20 },
          { start: base + 20, end: base + 30 },
          { start: base + 8192, end: base + 12288 },
        ];
      }).filter((w) => w.includes('widens')),
    ).toEqual([
      `${CTX}.targets[0].regions[1]: region [${base + 20}, ${base + 30}) widens to [${base}, ${base + 4096}) at min_region_sz 4096, overlapping the region before it, which widens to [${base}, ${base + 4096}): the kernel keeps both, and samples that memory in each (page-aligned regions avoid it)`,
    ]);
  });

  it('a region reaching past the machine\'s memory is taken, with a warning; one across the hole between nodes is not worth one', () => {
    const G = 2 ** 30;
    const M = 2 ** 20;
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions[1].end = '4200 MiB'))).toEqual([
      `${CTX}.targets[0].regions[1]: this region is [${4128 * M} (4128 MiB), ${4200 * M} (4200 MiB)), which reaches past the machine's memory [${4 * G} (4 GiB), ${4160 * M} (4160 MiB)): the part outside holds no memory, so DAMON finds no access there (the kernel takes such a region)`,
    ]);
    // Past both ends, in core addresses of 4 KiB (the machine is [1 Mi, 1040 Ki) pages of 4 KiB).
    expect(
      warnings((d) => {
        const ctx = d.damon.kdamonds[0].contexts[0] as Record<string, unknown> & { targets: Array<{ regions: unknown[] }> };
        ctx.addr_unit = 4096;
        ctx.targets[0].regions = [{ start: 1000 * 1024, end: 1100 * 1024 }];
      }).filter((w) => w.includes('reaches past')),
    ).toEqual([
      `${CTX}.targets[0].regions[0]: this region is core addresses [${1000 * 1024}, ${1100 * 1024}) × addr_unit 4096 = physical [${1000 * 4 * M} (4000 MiB), ${1100 * 4 * M} (4400 MiB)), which reaches past the machine's memory [${4 * G} (4 GiB), ${4160 * M} (4160 MiB)): the parts outside hold no memory, so DAMON finds no access there (the kernel takes such a region)`,
    ]);
    expect(
      warnings((d) => {
        (d.machine as Record<string, unknown>).hole = '1 GiB'; // node 1 at [5152 MiB, 5184 MiB)
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [{ start: '4 GiB', end: '5184 MiB' }];
      }).filter((w) => w.includes('reaches past')),
    ).toEqual([]);
  });

  it('a goal without target_value is an error alone, not also a warning that a default is used', async () => {
    const d = goodDoc();
    delete (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0] as Record<string, unknown>).target_value;
    let issues: unknown;
    try {
      scenarioFromDoc(d);
    } catch (e) {
      issues = (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    expect(issues).toEqual([`${GOAL}.target_value: expected a target value for metric node_eligible_mem_bp; found nothing`]);
    // And on the command line, warnings included: that one line.
    const r = await runDoc(stringify(d), 'yaml');
    expectRejected(r);
    expect(r.err.split('\n').filter((l) => l !== '')).toEqual([`damon-sim: error: ${GOAL}.target_value: expected a target value for metric node_eligible_mem_bp; found nothing`]);
    // The warning for a missing current_value stays: damo refuses the goal without it.
    expect(warnings((x) => delete (x.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0] as Record<string, unknown>).current_value)).toEqual([`${GOAL}.current_value: ${MISSING}, 0`]);
  });

  it('a kdamond without a context: the kernel refuses to turn it on', () => {
    expect(warnings((d) => (d.damon.kdamonds[0].contexts = []))).toEqual([
      'damon.kdamonds[0].contexts: this kdamond has no context: the kernel refuses to turn it on (-EINVAL), so it does not run',
    ]);
  });

  it('a pageout scheme that paged out nothing on a machine without swap: a note says why', async () => {
    const d = goodDoc();
    const s = d.damon.kdamonds[0].contexts[0].schemes[0];
    s.action = 'pageout';
    delete s.target_nid;
    s.access_pattern.nr_accesses = { min: '0 samples', max: '0 samples' };
    s.quotas.goals = [];
    s.filters = [];
    d.workload.hot_share = '100 %';
    // 10 s: the first tries are node 0's free memory, which passes no filter and says nothing.
    const r = await runDoc(stringify(d), 'yaml', ['--duration', '10']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(
      'damon-sim: note: kdamond 0, s0 pageout: paged out none of the memory that passed its filters: the machine has no swap (machine.swap), so anonymous memory cannot be paged out (only page cache is dropped)\n' +
        `damon-sim: wrote ${r.outFile}\n`,
    );
    expect((await runDoc(stringify(d), 'yaml', ['--duration', '2'])).err).not.toContain('note:');
    // A scheme's stats add up over every action a write gave it: stat until 1 s, then pageout, says
    // it; so does pageout until 9.5 s, then stat (its pageout passed filters by 9.4 s).
    const part = 'a pageout scheme for part of the run (a write changed its action), it paged out none of the memory that passed its filters';
    const committed = structuredClone(d);
    committed.damon.kdamonds[0].contexts[0].schemes[0].action = 'stat';
    const later = { ...committed, events: [{ at: 1, command: 'commit', damon: d.damon.kdamonds[0] }] };
    expect((await runDoc(stringify(later), 'yaml', ['--duration', '10'])).err).toContain(`s0 stat: ${part}`);
    const undone = { ...d, events: [{ at: 9.5, command: 'commit', damon: committed.damon.kdamonds[0] }] };
    expect((await runDoc(stringify(undone), 'yaml', ['--duration', '10'])).err).toContain(`s0 pageout: ${part}`);
    // Never pageout: nothing to say.
    const never = await runDoc(stringify(committed), 'yaml', ['--duration', '10']);
    expect([never.code, never.err]).toEqual([0, `damon-sim: wrote ${never.outFile}\n`]);
    // A sweep says it once, whatever each seed paged out... or passed.
    const sweep = await cli(['run', r.file, '--duration', '10', '--seeds', '1-3', '--no-progress']);
    expect(sweep.code, sweep.err).toBe(0);
    expect(sweep.err.split('\n').filter((l) => l.includes('note:'))).toHaveLength(1);
    // The sweep of a scenario without goals compares the stats per seed.
    expect(sweep.out).toMatch(/^tiny: s0 pageout \(no quota goals: DAMOS stats at the end\)\n/);
    expect(sweep.out).toContain('all 3 seeds: applied 0.000 MiB on average (0.000 MiB–0.000 MiB), something applied in 0/3');
    // With swap it pages out, and says nothing.
    d.machine.swap = '64 MiB';
    const withSwap = await runDoc(stringify(d), 'yaml', ['--duration', '10']);
    expect(withSwap.err).toBe(`damon-sim: wrote ${withSwap.outFile}\n`);
    expect(withSwap.out).toMatch(/applied +\d+ \((?!0\.000)/);
  });

  it('a scheme interval auto-tuning postponed all run: a note says why it never applied (findings §4)', async () => {
    // samples/damon/mtier's setup: the promotion context re-tunes every ~0.44 s, its scheme is due every 1 s.
    const r = await cli(['run', 'examples/mtier.yaml', '--duration', '10s', '--no-progress', '--out', join(dir, 'mtier.ndjson')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.split('\n').filter((l) => l.includes('note:'))).toEqual([
      'damon-sim: note: kdamond 0, s0 migrate_hot→0: never applied: its apply interval (1 s) never passed: interval auto-tuning (intervals_goal) sets the monitoring intervals again every few aggregations, and damon_set_attrs() restarts every apply interval each time (docs/findings.md §4)',
    ]);
    expect(r.out).toMatch(/s0 migrate_hot→0 stats\n\s+tried\s+0 \(0\.000 MiB\)/);
    // A sweep's seeds share the configuration that causes it: one note.
    const sweep = await cli(['run', 'examples/mtier.yaml', '--duration', '3s', '--seeds', '1-2', '--no-progress', '--out-dir', join(dir, 'mtier-sweep')]);
    expect(sweep.err.split('\n').filter((l) => l.includes('note:'))).toHaveLength(1);
    // Shorter than two intervals, a scheme may not have been due yet: no note.
    const short = await cli(['run', 'examples/mtier.yaml', '--duration', '1500ms', '--no-progress', '--out', join(dir, 'mtier-short.ndjson')]);
    expect(short.err).not.toContain('note:');
    // The same scheme without auto-tuning applies: no note.
    const untuned = await cli(['run', '--preset', 'tiering-6040', '--duration', '10s', '--no-progress', '--numa_node', '1', '--damos_action', 'stat', '--damos_apply_interval', '1s', '--out', join(dir, 'untuned.ndjson')]);
    expect([untuned.code, untuned.err.includes('note:')]).toEqual([0, false]);
  });

  it('a kdamond its watermarks kept waiting all run: a note says why the summary is all zeros', async () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].schemes[0].watermarks = { metric: 'free_mem_rate', interval_us: '100 ms', high_permil: 700, mid_permil: 600, low_permil: 50 };
    const r = await runDoc(stringify(d), 'yaml');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(
      "damon-sim: note: kdamond 0: not one sample in the whole run: its schemes' watermarks kept it waiting (a scheme turns on once free_mem_rate falls below mid 600, and off above high 700 or below low 50; free_mem_rate is the whole system's free memory in permil, not one node's)\n" +
        `damon-sim: wrote ${r.outFile}\n`,
    );
    // Monitoring on (free memory ~750 permil is below a high of 800), even with an aggregation
    // interval longer than the run (no aggregation record): no note.
    const ctx = d.damon.kdamonds[0].contexts[0];
    ctx.schemes[0].watermarks.high_permil = 800;
    ctx.schemes[0].watermarks.mid_permil = 790;
    const noNote = async () => {
      const r = await runDoc(stringify(d), 'yaml');
      expect(r.err).toBe(`damon-sim: wrote ${r.outFile}\n`);
    };
    await noNote();
    ctx.intervals.aggr_us = '5 s';
    await noNote();
    // Still waiting, but a second scheme without watermarks keeps the kdamond sampling: no note.
    ctx.schemes[0].watermarks.high_permil = 700;
    ctx.schemes[0].watermarks.mid_permil = 600;
    ctx.schemes.push({ ...ctx.schemes[0], watermarks: undefined, quotas: { ...ctx.schemes[0].quotas, goals: [] } });
    delete ctx.schemes[1].watermarks;
    await noNote();
  });

  it('the watermark note comes once per command, not once per run of a sweep', async () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].schemes[0].watermarks = { metric: 'free_mem_rate', interval_us: '100 ms', high_permil: 700, mid_permil: 600, low_permil: 50 };
    const file = join(dir, 'wmark-sweep.yaml');
    writeFileSync(file, stringify(d));
    const r = await cli(['run', file, '--seeds', '1-3', '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.err.split('\n').filter((l) => l.includes('note: kdamond 0'))).toHaveLength(1);
  });

  it('fail_charge_num/denom under a profile without the failed-charge ratio: ignored, and said so', () => {
    const set = (d: Doc) => Object.assign(d.damon.kdamonds[0].contexts[0].schemes[0].quotas, { fail_charge_num: 1, fail_charge_denom: 1024 });
    expect(warnings(set)).toEqual([
      `${SCHEME}.quotas.fail_charge_num: kernel profile "b0" has no failed-charge ratio (switch failChargeRatio; use profile b1): fail_charge_num 1 / fail_charge_denom 1024 are ignored`,
    ]);
    expect(
      warnings((d) => {
        set(d);
        d.kernel = { profile: 'b1' };
      }),
    ).toEqual([]);
  });

  it('a percent nr_accesses bound that truncates to 0 samples says so, "max" as damo holds it rather than as a double', () => {
    const w = warnings((d) => {
      const ctx = d.damon.kdamonds[0].contexts[0];
      ctx.intervals.sample_us = 0; // the kernel takes it: no samples per aggregation
      ctx.schemes[0].access_pattern.nr_accesses = { min: '5 %', max: 'max' };
    }).filter((x) => x.includes('truncates'));
    expect(w).toEqual([
      `${SCHEME}.access_pattern.nr_accesses.min: 5 % of 0 samples per aggregation truncates to 0 samples (for at least one access: "1 samples" in a config file)`,
      `${SCHEME}.access_pattern.nr_accesses.max: "max" % (ULONG_MAX % for damo) of 0 samples per aggregation truncates to 0 samples (for at least one access: "1 samples" in a config file)`,
    ]);
  });

  it.each([
    // 20 samples: 5 % is one. 33.33… samples (3 ms / 100 ms): 3 % is 1.0000000000000002 in damo's floats.
    [5000, '1 %', '5 %'],
    [3000, '2 %', '3 %'],
    // 6.67 samples (15 ms): 15 % is 1, 14 % (14.000000000000002 as damo reads it) is 0.93.
    [15000, '14 %', '15 %'],
    // 3.45 samples (29 ms): "29 %" is 28.999999999999996 as read, 0.99999… samples; "30 %" is one.
    [29000, '29 %', '30 %'],
    // 3.23 samples (31 ms): "31 %" is one (100 / 3.23 is 31.000000000000004: rounding up would say 32).
    [31000, '30 %', '31 %'],
  ])('sample_us %i: %s truncates to 0 samples and the hint names %s, the least whole percent damo stages as one (which --damos_access_rate takes too)', (sampleUs, given, least) => {
    const w = warnings((d) => {
      const ctx = d.damon.kdamonds[0].contexts[0];
      ctx.intervals.sample_us = sampleUs;
      ctx.schemes[0].access_pattern.nr_accesses = { min: given, max: 'max' };
    }).filter((x) => x.includes('truncates'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(new RegExp(`^${SCHEME.replace(/[.[\]]/g, '\\$&')}\\.access_pattern\\.nr_accesses\\.min: [0-9.]+ % of [0-9.]+ samples per aggregation truncates to 0 samples \\(for at least one access: "${least}", or "1 samples" in a config file\\)$`));
  });

  it('a migrate target node the machine lacks draws a warning naming the ids it has (and dests only when there are any)', () => {
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].target_nid = 5))).toEqual([
      `${SCHEME}.target_nid: expected a node id from 0 to 1 for migrate_hot; found 5: nothing is migrated`,
    ]);
    expect(
      warnings((d) => {
        d.damon.kdamonds[0].contexts[0].schemes[0].target_nid = -5;
        d.damon.kdamonds[0].contexts[0].schemes[0].dests = [{ id: 1, weight: 1 }];
      }),
    ).toEqual([`${SCHEME}.target_nid: expected a node id from 0 to 1 for migrate_hot; found -5: nothing is migrated (paddr migrates to target_nid only, not to dests)`]);
  });

  it('a size quota below min_region_sz (a number without a unit is bytes) applies nothing, and says so', () => {
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes = 1280))).toEqual([
      `${SCHEME}.quotas.sz_bytes: a size quota of 1280 B is below min_region_sz (4096 B), the smallest region: the scheme applies nothing (a number without a unit is bytes; 0 is no limit)`,
    ]);
    for (const sz of [0, 4096, '1280 MiB']) expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes = sz))).toEqual([]);
    // In core units where addr_unit is not 1 (min_region_sz 4096 / 1024 = 4 of them).
    const au = warnings((d) => {
      const ctx = d.damon.kdamonds[0].contexts[0] as Record<string, unknown> & { schemes: Array<{ quotas: Record<string, unknown> }> };
      ctx.addr_unit = 1024;
      ctx.schemes[0].quotas.sz_bytes = 2;
    }).filter((w) => w.includes('size quota'));
    expect(au).toEqual([`${SCHEME}.quotas.sz_bytes: a size quota of 2 core units (2048 B at addr_unit 1024) is below min_region_sz (4 core units), the smallest region: the scheme applies nothing (a number without a unit is bytes of the core address space; 0 is no limit)`]);
  });

  it('a hot set drawing a smaller share of the accesses than of the memory (a fraction where bp go) is said to be colder than the rest', () => {
    expect(warnings((d) => ((d.workload as Record<string, unknown>).hot_share = 0.999))).toEqual([
      'workload.hot_share: the hot set gets 0 % of the accesses but holds 25 % of the memory, so it is colder than the rest (a number without "%" is bp: 10000 is all of them; "99.9 %" is written so)',
    ]);
    expect(warnings((d) => ((d.workload as Record<string, unknown>).hot_share = 2000))[0]).toMatch(/^workload\.hot_share: the hot set gets 20 % of the accesses but holds 25 % of the memory/);
    // As much as its share of the memory, or more: a hot set.
    for (const share of [2500, '25 %', 9990]) expect(warnings((d) => ((d.workload as Record<string, unknown>).hot_share = share))).toEqual([]);
  });

  it('a workload with no accesses, no hot set, or a first-touch node listed twice runs, with a warning each', () => {
    const w = (mutate: (wl: Record<string, unknown>) => void) => warnings((d) => mutate(d.workload as Record<string, unknown>));
    expect(w((wl) => (wl.access_rate = 0))).toEqual([
      'workload.access_rate: no accesses at all: DAMON finds every region idle (nr_accesses 0), so no scheme for hot memory applies and every age only grows',
    ]);
    expect(w((wl) => (wl.hot_set = 0))).toEqual(['workload.hot_set: a hot set of 0 bytes: the accesses spread evenly over the rss, so there is no hot memory to tier (hot_share has nothing to go to)']);
    expect(w((wl) => (wl.nodes = [1, 1]))).toEqual(['workload.nodes[1]: node 1 is listed before: first touch tries each node once, so this changes nothing (another node meant?)']);
    // With no accesses a hot set of 0 bytes adds nothing to say.
    expect(w((wl) => ((wl.access_rate = 0), (wl.hot_set = 0)))).toHaveLength(1);
  });

  it('bounds in order as written that the kernel cuts to 32 bits out of order run, with a warning: the scheme never matches (a sysfs tree read back holds them so)', () => {
    const pattern = (nr: object, age: object) => (d: Doc) => Object.assign(d.damon.kdamonds[0].contexts[0].schemes[0].access_pattern, { nr_accesses: nr, age });
    expect(warnings(pattern({ min: '1 samples', max: '4294967296 samples' }, { min: '5 aggr_intervals', max: '4294967297 aggr_intervals' }))).toEqual([
      `${SCHEME}.access_pattern.nr_accesses.max: 4294967296 samples: the kernel's 32-bit field keeps 0`,
      `${SCHEME}.access_pattern.age.max: 4294967297 aggregation intervals: the kernel's 32-bit field keeps 1`,
      `${SCHEME}.access_pattern.nr_accesses: min 1 > max 0 samples: the scheme never matches a region`,
      `${SCHEME}.access_pattern.age: min 5 > max 1 aggregation intervals: the scheme never matches a region`,
    ]);
    // Out of order as written: the error it always was.
    expect(() => warnings(pattern({ min: '5 samples', max: '4 samples' }, { min: '0 aggr_intervals', max: '1 aggr_intervals' }))).toThrow(/nr_accesses: expected min <= max; found min 5 samples > max 4 samples/);
    expect(() => warnings(pattern({ min: '0 samples', max: '4 samples' }, { min: '7 aggr_intervals', max: '6 aggr_intervals' }))).toThrow(/age: expected min <= max; found 7 > 6 aggregation intervals/);
  });

  it("a memcg path written with echo (a trailing newline) names the cgroup, as the kernel's sysfs_streq() compares; two do not", () => {
    const memcg = (path: string) => (d: Doc) => (d.damon.kdamonds[0].contexts[0].schemes[0].filters = [{ filter_type: 'memcg', memcg_path: path, matching: true, allow: true }]);
    expect(warnings(memcg('/\n'))).toEqual([]);
    expect(() => warnings(memcg('/\n\n'))).toThrow(/memcg_path: expected an existing cgroup \("\/"\); found "\/\\n\\n"/);
  });

  it('a node_memcg goal with target_value 0, which the kernel leaves out before looking its path up, takes a missing or unknown path (with a warning), and the built scheme lacks it', () => {
    const goals = (g: object[]) => (d: Doc) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals = g);
    const eligible = { metric: 'node_eligible_mem_bp', nid: 0, target_value: 6000, current_value: 0 };
    const zero = [{ metric: 'node_memcg_used_bp', nid: 0, target_value: 0, current_value: 0 }, { metric: 'node_memcg_free_bp', nid: 0, memcg_path: '/nope', target_value: 0, current_value: 0 }, eligible];
    const DROPPED = 'a goal with target_value 0 is dropped by the kernel (sysfs ignores it): this goal does nothing';
    const TAKEN = 'which the kernel takes here: it leaves a goal with target_value 0 out before looking its path up (damos_sysfs_add_quota_score())';
    expect(warnings(goals(zero))).toEqual([
      `${GOAL}.target_value: ${DROPPED}`,
      `${SCHEME}.quotas.goals[1].target_value: ${DROPPED}`,
      `${GOAL}.memcg_path: no cgroup path, ${TAKEN}`,
      `${SCHEME}.quotas.goals[1].memcg_path: "/nope" names no cgroup ("/"), ${TAKEN}`,
    ]);
    const d = goodDoc();
    goals(zero)(d);
    expect(new Simulation(scenarioFromDoc(d).scenario).kdamonds[0].kdamond.ctx.schemes[0].quota.goals.map((g) => g.metric)).toEqual(['node_eligible_mem_bp']);
    // With a target_value the kernel looks the path up, and refuses the scheme (-ENOMEM): an error, as it was.
    expect(() => warnings(goals([{ ...zero[0], target_value: 3000 }]))).toThrow(/goals\[0\]\.memcg_path: expected a cgroup path for node_memcg_used_bp; found nothing/);
    expect(() => warnings(goals([{ ...zero[1], target_value: 3000 }]))).toThrow(/goals\[0\]\.memcg_path: expected an existing cgroup \("\/"\); found "\/nope"/);
  });

  it('an access_rate at which a sample finds hot and other pages accessed alike (always, or hardly ever) is said to hide the hot set', () => {
    const w = (mutate: (wl: Record<string, unknown>) => void) => warnings((d) => mutate(d.workload as Record<string, unknown>));
    // goodDoc(): 16 MiB with 4 MiB hot at 99 %. At 10^12 per second every page is young in every 5 ms sample.
    expect(w((wl) => (wl.access_rate = 1e12))).toEqual([
      'workload.access_rate: a sample every 5 ms finds a hot page accessed with probability 100.0 % and another one with 100.0 %: their nr_accesses differ by 0.00 of 20 samples per aggregation on average, so DAMON cannot tell the hot set from the rest (a lower access_rate, a shorter sample_us, or intervals_goal)',
    ]);
    // At 1000 per second a hot page has 0.967 accesses a second: 1 − e^(−0.967 · 0.005) = 0.48 % a sample, 0.10 of 20 samples.
    expect(w((wl) => (wl.access_rate = 1000))).toEqual([
      'workload.access_rate: a sample every 5 ms finds a hot page accessed with probability 0.5 % and another one with 0.0 %: their nr_accesses differ by 0.10 of 20 samples per aggregation on average, and 90.8 % of aggregations find a hot region idle (nr_accesses 0), as the rest mostly is (a higher access_rate, longer sample_us and aggr_us, or intervals_goal)',
    ]);
    // 10,000 per second: 1 − e^(−9.67 · 0.005) = 4.7 %, 0.94 samples: still under one; 20,000: 1.85, over.
    // (1 − 0.047)^20 = 38 % of aggregations: not most of them, and the message says how many.
    expect(w((wl) => (wl.access_rate = 10000))[0]).toMatch(/differ by 0\.94 of 20 samples per aggregation on average, and 38\.\d % of aggregations find a hot region idle/);
    expect(w((wl) => (wl.access_rate = 20000))).toEqual([]);
    // A THP is young when any of its 512 pages was: 10,000 per second is plenty for 2 MiB folios.
    expect(w((wl) => ((wl.access_rate = 10000), (wl.thp = true)))).toEqual([]);
    // A longer sampling interval sees the sparse hot set; auto-tuned intervals are the remedy, so no word.
    const slower = (sampleUs: string, aggrUs: string) =>
      warnings((d) => {
        (d.workload as Record<string, unknown>).access_rate = 10000;
        Object.assign((d.damon as Doc).kdamonds[0].contexts[0].intervals, { sample_us: sampleUs, aggr_us: aggrUs });
      });
    expect(slower('10 ms', '200 ms')).toEqual([]);
    // A hot set barely hotter than the rest: 26 % of the accesses on 25 % of the memory.
    expect(warnings((d) => ((d.workload as Record<string, unknown>).hot_share = 2600))).toEqual([
      'workload.access_rate: a sample every 5 ms finds a hot page accessed with probability 39.8 % and another one with 38.2 %: their nr_accesses differ by 0.32 of 20 samples per aggregation on average, so DAMON cannot tell the hot set from the rest (a larger hot_share)',
    ]);
    // Fewer samples per aggregation weigh against it: 9.2 % of 10 samples.
    expect(slower('10 ms', '100 ms')[0]).toMatch(/every 10 ms finds a hot page accessed with probability 9\.2 % and another one with 0\.0 %: their nr_accesses differ by 0\.92 of 10 samples/);
    expect(
      warnings((d) => {
        (d.workload as Record<string, unknown>).access_rate = 1e12;
        (d.damon as Doc).kdamonds[0].contexts[0].intervals.intervals_goal = { access_bp: 400, aggrs: 3, min_sample_us: '5 ms', max_sample_us: '10 s' };
      }),
    ).toEqual([]);
    // A processes workload names the area, and its key as the file spells it.
    const area = { bytes: '16 MiB', access_rate: 0, hot: { bytes: '4 MiB', share: '99 %' }, nodes: [1, 0] };
    const procs = (rate: number) => warnings((d) => (d.workload = { type: 'processes', processes: [{ areas: [{ ...area, bytes: '8 MiB', access_rate: 400000 }, { ...area, access_rate: rate }] }] }));
    expect(procs(1e12)[0]).toMatch(/^workload\.processes\[0\]\.areas\[1\]\.access_rate: a sample every 5 ms finds a hot page accessed with probability 100\.0 %/);
    expect(procs(0)).toEqual(['workload.processes[0].areas[1].access_rate: no accesses at all: DAMON finds every region idle (nr_accesses 0), so no scheme for hot memory applies and every age only grows']);
  });

  // goodDoc()'s PULL scheme migrates to node 0 [4 GiB, 4128 MiB); node 1 is [4128 MiB, 4160 MiB).
  // Its filters must let through some memory off node 0, or it has nothing to move.
  describe("a migrate scheme whose core filters let through no memory, or only what is on its target node already, or whose context's regions monitor none of what they let through off it, is said to move nothing", () => {
    const M = 2 ** 20;
    const G = 2 ** 30;
    const N0 = { start: '4 GiB', end: '4128 MiB' };
    const N1 = { start: '4128 MiB', end: '4160 MiB' };
    const ALL = { start: '4 GiB', end: '4160 MiB' };
    const r0 = `[${4 * G} (4 GiB), ${4128 * M} (4128 MiB))`;
    const r1 = `[${4128 * M} (4128 MiB), ${4160 * M} (4160 MiB))`;
    const rAll = `[${4 * G} (4 GiB), ${4160 * M} (4160 MiB))`;
    const ONE = `${SCHEME}.filters[0].address_range`;
    const LIST = `${SCHEME}.filters`;
    const OFF0 = 'expected filters that let through memory off node 0, where migrate_hot migrates to; found';
    const SOME = `expected filters that let through some of the machine's memory (its nodes span ${r0}, ${r1}); found`;
    const NONE = 'nothing is migrated (a PULL/PUSH pair filters each scheme to the other node\'s range)';
    const MON = "expected the context's regions to monitor memory off node 0 that this migrate_hot scheme's filters let through";
    const BIGGEST = "(the biggest node: what a paddr target given no regions monitors, as damo does; give every node's range: regions, or damo's --regions / --numa_node)";
    const addr = (range: unknown, matching: boolean, allow: boolean) => ({ filter_type: 'addr', matching, allow, address_range: range });
    const target = (idx: number, matching: boolean, allow: boolean) => ({ filter_type: 'target', matching, allow, damon_target_idx: idx });
    const filters = (...fs: unknown[]) => (d: Doc) => (d.damon.kdamonds[0].contexts[0].schemes[0].filters = fs);
    const rows: Array<[string, (d: Doc) => void, string[]]> = [
      ["node 1's range allowed (the pair as written)", filters(addr(N1, true, true)), []],
      ["node 0's range allowed (the pair's filters swapped)", filters(addr(N0, true, true)), [
        `${ONE}: ${OFF0} the addr filter ${r0} (matching: true, allow: true): it lets through what lies inside the range and rejects the rest (the last core filter allows), so all it lets through is on node 0 already: ${NONE}`,
      ]],
      [
        'migrate_cold the same',
        (d) => {
          d.damon.kdamonds[0].contexts[0].schemes[0].action = 'migrate_cold';
          filters(addr(N0, true, true))(d);
        },
        [
          `${ONE}: expected filters that let through memory off node 0, where migrate_cold migrates to; found the addr filter ${r0} (matching: true, allow: true): it lets through what lies inside the range and rejects the rest (the last core filter allows), so all it lets through is on node 0 already: nothing is migrated`,
        ],
      ],
      ["node 1's range rejected: the rest, node 0, passes", filters(addr(N1, true, false)), [
        `${ONE}: ${OFF0} the addr filter ${r1} (matching: true, allow: false): it rejects what lies inside the range and lets through the rest (the last core filter rejects), so all it lets through, ${r0}, is on node 0 already: ${NONE}`,
      ]],
      ["node 0's range rejected: node 1 passes", filters(addr(N0, true, false)), []],
      ["matching: false, allow: false on node 1's range rejects what lies outside node 1: node 1 passes", filters(addr(N1, false, false)), []],
      ["matching: false, allow: false on node 0's range: node 0 alone passes", filters(addr(N0, false, false)), [
        `${ONE}: ${OFF0} the addr filter ${r0} (matching: false, allow: false): it rejects what lies outside the range and lets through the rest (the last core filter rejects), so all it lets through is on node 0 already: ${NONE}`,
      ]],
      ['all memory rejected', filters(addr(ALL, true, false)), [
        `${ONE}: ${SOME} the addr filter ${rAll} (matching: true, allow: false): it rejects what lies inside the range and lets through the rest (the last core filter rejects), so it lets none of it through: migrate_hot migrates nothing`,
      ]],
      ['matching: false, allow: true over all memory: nothing matches, and the default rejects', filters(addr(ALL, false, true)), [
        `${ONE}: ${SOME} the addr filter ${rAll} (matching: false, allow: true): it lets through what lies outside the range and rejects the rest (the last core filter allows), so it lets none of it through: migrate_hot migrates nothing`,
      ]],
      ['the same with an ops filter: the core layer lets what it does not match through', filters(addr(ALL, false, true), { filter_type: 'anon', matching: true, allow: true }), []],
      ["node 1's range rejected before an ops filter: node 0 goes on to the ops layer", filters(addr(N1, true, false), { filter_type: 'young', matching: true, allow: true }), [
        `${ONE}: ${OFF0} the addr filter ${r1} (matching: true, allow: false): it rejects what lies inside the range and leaves the rest to the ops filters, so all it lets through, ${r0}, is on node 0 already: ${NONE}`,
      ]],
      ['two filters: node 1 rejected, then all memory allowed', filters(addr(N1, true, false), addr(ALL, true, true)), [
        `${LIST}: ${OFF0} 2 addr filters that let through only ${r0} (the first that matches decides; what none matches is rejected, as the last one allows), all on node 0 already: ${NONE}`,
      ]],
      ['two filters rejecting both nodes', filters(addr(N1, true, false), addr(N0, true, false)), [
        `${LIST}: ${SOME} 2 addr filters that let none of it through (the first that matches decides; what none matches is let through, as the last one rejects): migrate_hot migrates nothing`,
      ]],
      ['two filters: node 0 rejected, then all memory allowed', filters(addr(N0, true, false), addr(ALL, true, true)), []],
      ['a target filter (it matches by target): not judged', filters(addr(N0, true, true), { filter_type: 'target', matching: true, allow: true, damon_target_idx: 0 }), []],
      // Aligned down to min_region_sz (4096), as damos_filter_match() aligns it: 100 bytes into node 0 up to 4095 past its end is node 0,
      // which cuts no node either.
      ['a range not aligned to min_region_sz', filters(addr({ start: 4 * G + 100, end: 4128 * M + 4095 }, true, true)), [
        `${ONE}: ${OFF0} the addr filter [${4 * G + 100}, ${4128 * M + 4095}) (matching: true, allow: true): it lets through what lies inside the range and rejects the rest (the last core filter allows), so all it lets through, ${r0}, is on node 0 already: ${NONE}`,
      ]],
      ['a range whose aligned end is still inside node 1', filters(addr({ start: 4 * G, end: 4128 * M + 8192 }, true, true)), [
        `${ONE}: this addr filter is [${4 * G} (4 GiB), ${4128 * M + 8192} (4227080 KiB)), which covers only part of node 1 ${r1}: a bound inside a node leaves the rest of it to the filter's other side (addr filters are absolute addresses: one naming a node's range must change with the capacities)`,
      ]],
      [
        "addr_unit 4: node 0's range in core addresses",
        (d) => {
          const ctx = d.damon.kdamonds[0].contexts[0];
          ctx.addr_unit = 4;
          ctx.targets[0].regions = [{ start: 2 ** 30, end: 2 ** 30 + 16 * M }];
          ctx.schemes[0].filters = [addr({ start: 2 ** 30, end: 2 ** 30 + 8 * M }, true, true)];
        },
        [
          `${ONE}: ${OFF0} the addr filter core addresses [${2 ** 30}, ${2 ** 30 + 8 * M}) × addr_unit 4 = physical ${r0} (matching: true, allow: true): it lets through what lies inside the range and rejects the rest (the last core filter allows), so all it lets through is on node 0 already: ${NONE}`,
        ],
      ],
      // What the filters let through off node 0 must also be monitored.
      ['no regions given: a paddr target monitors the biggest node, the first of two equal ones, node 0', (d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions = []), [
        `${SCHEME}: ${MON} (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing`,
      ]],
      ["regions over node 0 only, given so: the same", (d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions = [N0]), [`${SCHEME}: ${MON} (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing`]],
      ['regions over part of node 0', (d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions = [{ start: '4 GiB', end: '4112 MiB' }]), [
        `${CTX}.targets[0].regions: the regions cover only part of node 0 ${r0}: [${4112 * M} (4112 MiB), ${4128 * M} (4128 MiB)) of it is not monitored (regions are absolute addresses: ones naming a node's range must change with the capacities and the hole)`,
        `${SCHEME}: ${MON} (${r1}); found regions over [${4 * G} (4 GiB), ${4112 * M} (4112 MiB)) only: it migrates nothing`,
      ]],
      // It migrates, but its node_eligible_mem_bp goal on node 0 reads 0 all run (an operator review).
      ["regions over node 1 only", (d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions = [N1]), [
        `${SCHEME}.quotas.goals[0].nid: the context's regions cover none of node 0 ${r0}: the metric counts monitored memory only, so it reads 0 whatever the node holds (regions are absolute addresses: ones naming a node's range must change with the capacities and the hole)`,
      ]],
      ['no filters, regions over node 0 only: what passes off node 0 is node 1', (d) => {
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [N0];
        filters()(d);
      }, [`${SCHEME}: expected the context's regions to monitor memory off node 0, where this migrate_hot scheme (no filters) could migrate from (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing`]],
      ['no filters, regions over both nodes', filters(), []],
      // A target filter in a context of one target (index 0) matches all of its memory or none.
      ['a target filter allowing another target (index 1)', filters(target(1, true, true)), [
        `${LIST}: ${SOME} 1 target filter that lets none of it through (the first that matches decides; what none matches is rejected, as the last one allows): migrate_hot migrates nothing`,
      ]],
      ['a target filter allowing the target, after the swapped addr filter rejecting node 1', filters(addr(N1, true, false), target(0, true, true)), [
        `${LIST}: ${OFF0} 2 addr and target filters that let through only ${r0} (the first that matches decides; what none matches is rejected, as the last one allows), all on node 0 already: ${NONE}`,
      ]],
      ["a target filter rejecting another target before node 1's range allowed: the pair as written", filters(target(1, true, false), addr(N1, true, true)), []],
      // One filter over no memory at all: its own warning says so, at the same path; one line.
      ['a sole filter over no memory', filters(addr({ start: '8 GiB', end: '9 GiB' }, true, true)), [
        `${ONE}: this addr filter is [${8 * G} (8 GiB), ${9 * G} (9 GiB)), which holds no memory of the machine (its nodes span ${r0}, ${r1}): the filter matches no region`,
      ]],
    ];
    it.each(rows)('%s', (_, mutate, expected) => {
      expect(warnings(mutate)).toEqual(expected);
    });

    // Among several targets a target filter lets a target's regions through, not another's. The
    // kernel refuses a paddr context of two targets (damon_sysfs_add_targets(), the error), and
    // the warnings printed beside it still say what each target's filters leave.
    const twoTargets = (mutate: (d: Doc) => void) => {
      const d = goodDoc();
      d.damon.kdamonds[0].contexts[0].targets = [{ pid: null, regions: [N0] }, { pid: null, regions: [N1] }];
      mutate(d);
      try {
        scenarioFromDoc(d);
      } catch (e) {
        const ce = e as ConfigError;
        return { errors: ce.issues.map((i) => `${i.path}: ${i.message}`), warnings: ce.warnings.map((w) => `${w.path}: ${w.message}`).filter((w) => !w.includes('damo refuses the object')) };
      }
      return { errors: [], warnings: [] };
    };
    const TWO = `${CTX}.targets: expected one target for ops "paddr" (damon_sysfs_add_targets() refuses more with -EINVAL: there is one physical address space; give its ranges as one target's regions); found 2`;
    const ELSEWHERE = `${SCHEME}: expected a target's regions to monitor memory off node 0 that this migrate_hot scheme's filters let through for that target; found none (the target filters let through memory off the node only for targets whose regions lie elsewhere): it migrates nothing`;
    it.each([
      ['a target filter allowing target 0, whose regions are on node 0 already', filters(target(0, true, true)), [ELSEWHERE]],
      ['a target filter allowing target 1, whose regions are on node 1', filters(target(1, true, true)), []],
      ['node 0 rejected by addr for all, target 0 allowed: what passes off node 0 is in no region of target 0', filters(addr(N0, true, false), target(0, true, true)), [ELSEWHERE]],
    ] as Array<[string, (d: Doc) => void, string[]]>)('two targets (refused), %s', (_, mutate, expected) => {
      expect(twoTargets(mutate)).toEqual({ errors: [TWO], warnings: expected });
    });

    it('a scheme a commit event gives other memory later moves nothing only until then: the warning says so', () => {
      const w = warnings((d) => {
        const k = structuredClone(d.damon.kdamonds[0]);
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [N0];
        d.events = [{ at: 1, command: 'commit', damon: k }];
      });
      expect(w).toEqual([`${SCHEME}: ${MON} (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing until a commit event changes it`]);
    });

    it("a commit event that leaves the scheme's regions, action, node and filters as they were does not soften the warning", () => {
      const w = warnings((d) => {
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [N0];
        // The same memory to act on, another quota: the scheme still migrates nothing, all run long.
        const k = structuredClone(d.damon.kdamonds[0]);
        k.contexts[0].schemes[0].quotas = { ...k.contexts[0].schemes[0].quotas, sz_bytes: '1 MiB' };
        d.events = [{ at: 1, command: 'commit', damon: k }];
      });
      // The committed kdamond's own check says the same of it.
      const line = `: ${MON} (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing`;
      expect(w).toEqual([`${SCHEME}${line}`, `events[0].damon.contexts[0].schemes[0]${line}`]);
    });

    it('a commit the run never delivers or the kernel refuses, or that writes the same memory another way, does not soften the warning', () => {
      const line = `: ${MON} (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing`;
      const commitOf = (edit: (k: Doc['damon']['kdamonds'][number]) => void, at = 1) => (d: Doc) => {
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [N0];
        const k = structuredClone(d.damon.kdamonds[0]);
        edit(k);
        d.events = [{ at, command: 'commit', damon: k }];
      };
      const mine = (w: string[]) => w.filter((x) => x.startsWith(`${SCHEME}:`));
      // At or after the end of the (2 s) run: never delivered.
      expect(mine(warnings(commitOf((k) => (k.contexts[0].targets[0].regions = [ALL]), 2)))).toEqual([`${SCHEME}${line}`]);
      // Refused by the kernel (min_region_sz 4096 / 3 is no power of two): nothing changes.
      expect(mine(warnings(commitOf((k) => ((k.contexts[0] as Record<string, unknown>).addr_unit = 3, (k.contexts[0].targets[0].regions = [ALL])))))).toEqual([`${SCHEME}${line}`]);
      // The same filters written as core_filters: the same memory.
      expect(mine(warnings(commitOf((k) => {
        const s0 = k.contexts[0].schemes[0] as Record<string, unknown>;
        s0.core_filters = s0.filters;
        delete s0.filters;
      })))).toEqual([`${SCHEME}${line}`]);
      // The same bytes in units of 4: the same memory.
      expect(mine(warnings(commitOf((k) => {
        const ctx = k.contexts[0] as Record<string, unknown> & { targets: Array<{ regions: unknown[] }>; schemes: Array<{ filters: Array<{ address_range?: unknown }> }> };
        ctx.addr_unit = 4;
        ctx.targets[0].regions = [{ start: (4 * G) / 4, end: (4128 * M) / 4 }];
        for (const f of ctx.schemes[0].filters) if (f.address_range) f.address_range = { start: (4128 * M) / 4, end: (4160 * M) / 4 };
      })))).toEqual([`${SCHEME}${line}`]);
      // Other regions, delivered and taken: softened.
      expect(mine(warnings(commitOf((k) => (k.contexts[0].targets[0].regions = [ALL]))))).toEqual([`${SCHEME}${line} until a commit event changes it`]);
    });

    it('a commit that changes only another scheme does not soften the warning of this one', () => {
      const w = warnings((d) => {
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [N0];
        const s0 = d.damon.kdamonds[0].contexts[0].schemes[0];
        d.damon.kdamonds[0].contexts[0].schemes.push({ ...structuredClone(s0), action: 'stat' });
        const k = structuredClone(d.damon.kdamonds[0]);
        k.contexts[0].schemes[1].action = 'pageout';
        d.events = [{ at: 1, command: 'commit', damon: k }];
      });
      const line = `: ${MON} (${r1}); found regions over ${r0} only ${BIGGEST}: it migrates nothing`;
      expect(w.filter((x) => x.includes('migrates nothing'))).toEqual([`${SCHEME}${line}`, `events[0].damon.contexts[0].schemes[0]${line}`]);
    });

    it('a stat scheme with the same filters moves nothing by design: no warning', () => {
      expect(warnings((d) => ((d.damon.kdamonds[0].contexts[0].schemes[0].action = 'stat'), filters(addr(N0, true, true))(d)))).toEqual([]);
    });

    it('the run prints the warning and goes on', async () => {
      const d = goodDoc();
      filters(addr(N1, true, false), addr(ALL, true, true))(d);
      const r = await runDoc(stringify(d), 'yaml', ['--duration', '1']);
      expect(r.code, r.err).toBe(0);
      expect(r.err.split('\n').filter((l) => l.startsWith('damon-sim: warning: '))).toEqual([
        `damon-sim: warning: ${LIST}: ${OFF0} 2 addr filters that let through only ${r0} (the first that matches decides; what none matches is rejected, as the last one allows), all on node 0 already: ${NONE}`,
      ]);
      expect(existsSync(r.outFile)).toBe(true);
    });
  });

  it('a bp target above 10000 written by an event (a goal patch) draws the same warning', () => {
    const w = warnings((d) => (d.events = [{ at: '1 s', command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 15000 }] }]));
    expect(w).toEqual(['events[0].goals[0].target_value: node_eligible_mem_bp is a share of at most 10000 bp (100 %); found a target of 15000: the goal can never be met and the tuner never eases off']);
  });

  it('issue paths follow how the workload is written, not what its process is called', () => {
    const d = goodDoc();
    d.workload = { type: 'processes', processes: [{ name: 'hotset', areas: [{ bytes: '16 MiB', access_rate: 400000, nodes: [1, 0], hot: { bytes: '4 MiB', offset: 100 } }] }] };
    expect(() => scenarioFromDoc(d)).toThrow(/workload\.processes\[0\]\.areas\[0\]\.hot\.offset: expected a multiple of 4 KiB; found 100/);
  });

  it('a bp goal target above 10000 (100 %): the kernel takes it, the goal can never be met', () => {
    const w = warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = 12000));
    expect(w).toEqual([`${GOAL}.target_value: node_eligible_mem_bp is a share of at most 10000 bp (100 %); found a target of 12000: the goal can never be met and the tuner never eases off`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = 10000))).toEqual([]);
  });

  // goodDoc(): two 32 MiB nodes, 16 MiB of workload. Node 1 holds at most all of it (5000 bp
  // used); node 0 can be left with none of it (10000 bp free), but not when the workload is 48 MiB
  // and node 1 holds at most 32 MiB of it (16 MiB stay: at most 5000 bp free).
  const nodeGoal = (metric: string, nid: number, target: number, rss = '16 MiB') => (d: Doc) => {
    d.workload.rss = rss;
    d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0] = { metric, nid, target_value: target, current_value: 0 };
  };
  it('a node_mem_used_bp / node_mem_free_bp target the node can never read, given the machine and the workload', () => {
    expect(warnings(nodeGoal('node_mem_used_bp', 1, 6000))).toEqual([
      `${GOAL}.target_value: node 1 can read at most 5000 bp used (its reserved memory plus, at most, all of the workload it can hold); found a target of 6000: the goal can never be met and the tuner never eases off`,
    ]);
    expect(warnings(nodeGoal('node_mem_used_bp', 1, 5000))).toEqual([]);
    expect(warnings(nodeGoal('node_mem_free_bp', 0, 10000))).toEqual([]);
    expect(warnings(nodeGoal('node_mem_free_bp', 0, 5001, '48 MiB'))).toEqual([
      `${GOAL}.target_value: node 0 can read at most 5000 bp free (it always holds its reserved memory and what the other nodes cannot hold of the workload's anonymous memory, which cannot leave the machine without swap); found a target of 5001: the goal can never be met and the tuner never eases off`,
    ]);
    // Memory that can leave the machine (anonymous memory with swap, page cache always) bounds nothing.
    expect(warnings((d) => (nodeGoal('node_mem_free_bp', 0, 5001, '48 MiB')(d), (d.machine.swap = '64 MiB')))).toEqual([]);
    expect(warnings((d) => (nodeGoal('node_mem_free_bp', 0, 5001, '48 MiB')(d), (d.workload.anon = false)))).toEqual([]);
    // Reserved memory counts as used.
    expect(
      warnings((d) => {
        nodeGoal('node_mem_used_bp', 1, 7500)(d);
        d.machine.nodes[1].reserved = '8 MiB';
      }),
    ).toEqual([]);
    // A goal patch that names another node is judged for that node.
    const w = warnings((d) => {
      nodeGoal('node_mem_used_bp', 0, 5000, '32 MiB')(d);
      d.events = [{ at: '1 s', command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 9000, nid: 0 }] }];
    });
    expect(w).toEqual([]);
    const w2 = warnings((d) => {
      nodeGoal('node_mem_used_bp', 0, 5000)(d);
      d.events = [{ at: '1 s', command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, nid: 1, target_value: 9000 }] }];
    });
    expect(w2).toEqual([
      'events[0].goals[0].target_value: node 1 can read at most 5000 bp used (its reserved memory plus, at most, all of the workload it can hold); found a target of 9000: the goal can never be met and the tuner never eases off',
    ]);
  });

  it('the bounds are what the metrics read where the workload sits at its extreme', () => {
    // First touch on node 1, then node 0; a stat scheme moves nothing.
    const read = (metric: string, nid: number, rss: string) => {
      const d = goodDoc();
      nodeGoal(metric, nid, 5000, rss)(d);
      d.damon.kdamonds[0].contexts[0].schemes[0].action = 'stat';
      d.duration = '1500 ms';
      const res = runScenario(scenarioFromDoc(d).scenario);
      expect(res.goals.length).toBeGreaterThan(0);
      const seen = new Set(res.goals.map((g) => g.current_value));
      // The bound the warning uses is exactly that reading: a target one above it is warned about.
      const v = Number([...seen][0]);
      expect(warnings(nodeGoal(metric, nid, v, rss))).toEqual([]);
      expect(warnings(nodeGoal(metric, nid, v + 1, rss))).toHaveLength(1);
      return seen;
    };
    // All 16 MiB on node 1: the most it can hold of the workload.
    expect(read('node_mem_used_bp', 1, '16 MiB')).toEqual(new Set([5000n]));
    // 48 MiB: node 1 full, the 16 MiB it cannot hold on node 0, the least node 0 can have.
    expect(read('node_mem_free_bp', 0, '48 MiB')).toEqual(new Set([5000n]));
  });

  it('a bare-list damon: every path starts at damon[i], the loader\'s and the kernel checks\' alike', () => {
    const w = warnings((d) => {
      const list = d.damon.kdamonds;
      delete list[0].contexts[0].intervals.ops_update_us;
      list[0].contexts[0].schemes[0].action = 'hugepage';
      d.damon = list;
    });
    expect(w).toEqual([
      `damon[0].contexts[0].intervals.ops_update_us: ${MISSING}, 1 s`,
      'damon[0].contexts[0].schemes[0].action: paddr does not support hugepage: it applies nothing (regions are still tried and aged)',
    ]);
  });

  it('a key damo requires once its object is present', () => {
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].targets[0].regions)).toContain(`${CTX}.targets[0].regions: ${MISSING}, none (a paddr target then monitors the biggest node's range)`);
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].intervals.ops_update_us)).toEqual([`${CTX}.intervals.ops_update_us: ${MISSING}, 1 s`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].intervals.intervals_goal = { access_bp: '4 %' }))).toEqual(
      [
        ['aggrs', '0 (no interval auto-tuning)'],
        ['min_sample_us', '0'],
        ['max_sample_us', '0'],
      ].map(([k, v]) => `${CTX}.intervals.intervals_goal.${k}: ${MISSING}, ${v}`),
    );
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].schemes[0].access_pattern.age)).toEqual([`${SCHEME}.access_pattern.age: ${MISSING}, min 0, max max (any age)`]);
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].schemes[0].quotas.weights)).toEqual([`${SCHEME}.quotas.weights: ${MISSING}, 0 for each (every region scores alike)`]);
    // damo's DamosQuotas.from_kvpairs indexes each weight: a weights object without one fails there.
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.weights = { sz_permil: 5 } as never))).toEqual(
      ['nr_accesses_permil', 'age_permil'].map((k) => `${SCHEME}.quotas.weights.${k}: ${MISSING}, 0`),
    );
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].current_value)).toEqual([`${GOAL}.current_value: ${MISSING}, 0`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].watermarks = { metric: 'free_mem_rate' }))).toEqual(
      ['interval_us', 'high_permil', 'mid_permil', 'low_permil'].map((k) => `${SCHEME}.watermarks.${k}: ${MISSING}, 0`),
    );
    // damo's from_kvpairs index these too: a target's pid (null for paddr), a filter's matching,
    // both nr_regions bounds.
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].targets[0].pid)).toEqual([`${CTX}.targets[0].pid: ${MISSING}, null`]);
    expect(warnings((d) => delete d.damon.kdamonds[0].contexts[0].schemes[0].filters[0].matching)).toEqual([`${SCHEME}.filters[0].matching: ${MISSING}, true`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].nr_regions = { max: '2,000' }))).toEqual([`${CTX}.nr_regions.min: ${MISSING}, 10`]);
    // A misspelt quota key leaves the quota at its default: no limit on the bytes applied, said so.
    expect(
      warnings((d) => {
        const q = d.damon.kdamonds[0].contexts[0].schemes[0].quotas;
        q.sz_byte = q.sz_bytes;
        delete q.sz_bytes;
      }),
    ).toEqual([`${SCHEME}.quotas.sz_byte: unknown key, ignored (as damo does); did you mean "sz_bytes"?`, `${SCHEME}.quotas.sz_bytes: ${MISSING}, 0 (no size quota: no limit on the bytes applied)`]);
  });

  it('bounds damo reads as "N unit" texts: a bare "max" beside "N samples", a time beside "N aggr_intervals"', () => {
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].access_pattern.nr_accesses = { min: '1 samples', max: 'max' }))).toEqual([
      `${SCHEME}.access_pattern.nr_accesses.max: expected "N samples" beside a samples bound (damo refuses a bare "max" there); found "max", read as 4,294,967,295 samples`,
    ]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].access_pattern.age = { min: '5 aggr_intervals', max: '10 s' }))).toEqual([
      `${SCHEME}.access_pattern.age: expected both bounds in the same unit (damo refuses a time beside "N aggr_intervals"); found aggr_intervals and a time`,
    ]);
    // Percent bounds take "max" (text_to_percent).
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].access_pattern.nr_accesses = { min: '5 %', max: 'max' }))).toEqual([]);
  });

  it('a node_eligible_mem_bp goal that asks a node for more of the hot set than it can hold, or names a node no region covers, is named (an operator review)', () => {
    const M = 2 ** 20;
    // 60 % of a 64 MiB hot set is 38.4 MiB; node 0 holds 32 MiB.
    expect(
      warnings((d) => {
        d.workload.rss = '64 MiB';
        d.workload.hot_set = '64 MiB';
        d.machine.nodes[1].capacity = '64 MiB';
        d.damon.kdamonds[0].contexts[0].targets[0].regions[1].end = '4192 MiB';
      }).filter((w) => w.includes('goals[0]')),
    ).toEqual([
      `${SCHEME}.quotas.goals[0].target_value: node 0 can hold at most 32.000 MiB of the workload (its capacity less its reserved memory), less than 6000 bp of the workload's hot set of 64.000 MiB (38.400 MiB): the goal is most likely never met (the metric's share is of the memory DAMON finds hot, about the hot set), and its tuner never eases off`,
    ]);
    // 5000 bp of it fits.
    expect(warnings((d) => ((d.workload.hot_set = '60 MiB'), (d.workload.rss = '60 MiB'), (d.machine.nodes[1].capacity = '64 MiB'), (d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = 5000))).filter((w) => w.includes('goals[0]'))).toEqual([]);
    // Regions over node 1 only: the goal's node 0 is never monitored, so the metric reads 0.
    const unmonitored = `the context's regions cover none of node 0 [${4096 * M} (4 GiB), ${4128 * M} (4128 MiB)): the metric counts monitored memory only, so it reads 0 whatever the node holds (regions are absolute addresses: ones naming a node's range must change with the capacities and the hole)`;
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].targets[0].regions = [{ start: '4128 MiB', end: '4160 MiB' }])).filter((w) => w.includes('goals[0]'))).toEqual([`${SCHEME}.quotas.goals[0].nid: ${unmonitored}`]);
    // A goal patch that moves the goal there is judged too, as its target is (a diff review).
    expect(
      warnings((d) => {
        d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].nid = 1;
        d.damon.kdamonds[0].contexts[0].targets[0].regions = [{ start: '4128 MiB', end: '4160 MiB' }];
        d.events = [{ at: '1 s', command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, nid: 0 }] }];
      }).filter((w) => w.includes('goals[0]')),
    ).toEqual([`events[0].goals[0].nid: ${unmonitored}`]);
    // The hot-set bound judges schemes whose pattern wants accessed memory only: a cold scheme's
    // share is of idle memory (a diff review: 90 % of 8 GiB of cold memory fits, 90 % of the hot set would not).
    const cold = (d: Doc) => {
      d.workload.rss = '64 MiB';
      d.workload.hot_set = '56 MiB';
      d.machine.nodes[1].capacity = '64 MiB';
      d.damon.kdamonds[0].contexts[0].targets[0].regions[1].end = '4192 MiB';
      d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = 9000;
    };
    expect(warnings(cold).filter((w) => w.includes('goals[0].target_value'))).toHaveLength(1);
    expect(
      warnings((d) => {
        cold(d);
        d.damon.kdamonds[0].contexts[0].schemes[0].access_pattern.nr_accesses = { min: '0 samples', max: '0 samples' };
      }).filter((w) => w.includes('goals[0].target_value')),
    ).toEqual([]);
    // A goal patch's new target is judged by the same bound.
    expect(
      warnings((d) => {
        cold(d);
        d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].target_value = 5000;
        d.events = [{ at: '1 s', command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 9000 }] }];
      }).filter((w) => w.includes('target_value')),
    ).toEqual([expect.stringMatching(/^events\[0\]\.goals\[0\]\.target_value: node 0 can hold at most 32\.000 MiB of the workload/)]);
  });

  it('an addr filter whose bound falls inside a node (capacities changed, filters not) is named', () => {
    const M = 2 ** 20;
    const G = 2 ** 30;
    // Node 0 grows to 48 MiB: the filter meant as node 1's range [4128 MiB, 4160 MiB) now starts inside node 0 and ends inside node 1 (both named).
    expect(warnings((d) => (d.machine.nodes[0].capacity = '48 MiB'))).toEqual([
      // The regions, written for the old capacities too, now miss the end of node 1.
      `${CTX}.targets[0].regions: the regions cover only part of node 1 [${4144 * M} (4144 MiB), ${4176 * M} (4176 MiB)): [${4160 * M} (4160 MiB), ${4176 * M} (4176 MiB)) of it is not monitored (regions are absolute addresses: ones naming a node's range must change with the capacities and the hole)`,
      `${SCHEME}.filters[0].address_range: this addr filter is [${4128 * M} (4128 MiB), ${4160 * M} (4160 MiB)), which covers only part of node 0 [${4 * G} (4 GiB), ${4144 * M} (4144 MiB)) and of node 1 [${4144 * M} (4144 MiB), ${4176 * M} (4176 MiB)): a bound inside a node leaves the rest of it to the filter's other side (addr filters are absolute addresses: one naming a node's range must change with the capacities)`,
    ]);
    // A filter over whole nodes, or over both, says nothing.
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].schemes[0].filters[0].address_range = { start: '4 GiB', end: '4160 MiB' }))).toEqual([]);
  });

  it('a filter given in core_filters (installed before filters) is named where it was given', () => {
    const M = 2 ** 20;
    // An anon ops filter in filters, the node-cutting addr filter in core_filters: installed as [addr, anon], so
    // the addr filter is the list's first but the document's core_filters[0].
    const moved = warnings((d) => {
      const s = d.damon.kdamonds[0].contexts[0].schemes[0];
      s.core_filters = [{ ...s.filters[0], address_range: { start: '4130 MiB', end: '4160 MiB' } }];
      s.filters = [{ filter_type: 'anon', matching: true, allow: true }];
    });
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(new RegExp(`^${SCHEME.replace(/[[\].]/g, '\\$&')}\\.core_filters\\[0\\]\\.address_range: this addr filter is \\[${4130 * M} \\(4130 MiB\\), ${4160 * M} \\(4160 MiB\\)\\), which covers only part of node 1 `));
  });

  it('misspelt keys at every level of the damon part are named (damo ignores them, so the setting silently does nothing)', () => {
    const UNKNOWN = 'unknown key, ignored (as damo does); check its spelling';
    const s = (d: Doc) => d.damon.kdamonds[0].contexts[0].schemes[0];
    expect(warnings((d) => (s(d).quotas.goal_tunner = 'temporal'))).toEqual([`${SCHEME}.quotas.goal_tunner: ${UNKNOWN}`]);
    expect(warnings((d) => (s(d).quotas.weights.sz_permill = 1))).toEqual([`${SCHEME}.quotas.weights.sz_permill: ${UNKNOWN}`]);
    expect(warnings((d) => (s(d).access_pattern.nr_acceses = s(d).access_pattern.nr_accesses))).toEqual([`${SCHEME}.access_pattern.nr_acceses: ${UNKNOWN}`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].intervals.sample = '5 ms'))).toEqual([`${CTX}.intervals.sample: ${UNKNOWN}`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].nr_regions.maximum = 5))).toEqual([`${CTX}.nr_regions.maximum: ${UNKNOWN}`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].targets[0].regoins = []))).toEqual([`${CTX}.targets[0].regoins: ${UNKNOWN}`]);
    // Where the key it most likely meant is missing, that key is named.
    const t = (d: Doc) => d.damon.kdamonds[0].contexts[0].targets[0];
    expect(
      warnings((d) => {
        t(d).regoins = t(d).regions;
        delete t(d).regions;
      }),
    ).toContain(`${CTX}.targets[0].regoins: unknown key, ignored (as damo does); did you mean "regions"?`);
  });

  it('regions and addr filters are core addresses: bytes given with addr_unit 4 land beyond the machine, and that is said', () => {
    const au4 = (d: Doc) => (d.damon.kdamonds[0].contexts[0].addr_unit = 4);
    expect(warnings(au4)).toEqual([
      `${CTX}.targets[0].regions[0]: this region is core addresses [4294967296, 4328521728) × addr_unit 4 = physical [17179869184 (16 GiB), 17314086912 (16512 MiB)), which holds no memory of the machine (its nodes span [4294967296 (4 GiB), 4328521728 (4128 MiB)), [4328521728 (4128 MiB), 4362076160 (4160 MiB))): nothing there is monitored (regions and addr filters are core addresses: bytes / addr_unit)`,
      `${CTX}.targets[0].regions[1]: this region is core addresses [4328521728, 4362076160) × addr_unit 4 = physical [17314086912 (16512 MiB), 17448304640 (16640 MiB)), which holds no memory of the machine (its nodes span [4294967296 (4 GiB), 4328521728 (4128 MiB)), [4328521728 (4128 MiB), 4362076160 (4160 MiB))): nothing there is monitored (regions and addr filters are core addresses: bytes / addr_unit)`,
      `${SCHEME}.filters[0].address_range: this addr filter is core addresses [4328521728, 4362076160) × addr_unit 4 = physical [17314086912 (16512 MiB), 17448304640 (16640 MiB)), which holds no memory of the machine (its nodes span [4294967296 (4 GiB), 4328521728 (4128 MiB)), [4328521728 (4128 MiB), 4362076160 (4160 MiB))): the filter matches no region (regions and addr filters are core addresses: bytes / addr_unit)`,
    ]);
    // The same ranges in core units (bytes / 4) are read as they are and draw nothing.
    const { scenario, warnings: w } = scenarioFromDoc(
      (() => {
        const d = goodDoc();
        au4(d);
        const c = d.damon.kdamonds[0].contexts[0];
        c.targets[0].regions = [
          { start: 2 ** 30, end: 2 ** 30 + 8 * 2 ** 20 },
          { start: 2 ** 30 + 8 * 2 ** 20, end: 2 ** 30 + 16 * 2 ** 20 },
        ];
        c.schemes[0].filters[0].address_range = { start: 2 ** 30 + 8 * 2 ** 20, end: 2 ** 30 + 16 * 2 ** 20 };
        return d;
      })(),
    );
    expect(w).toEqual([]);
    expect(scenario.kdamonds[0].contexts[0].targets[0].regions[1]).toEqual({ start: 2 ** 30 + 8 * 2 ** 20, end: 2 ** 30 + 16 * 2 ** 20 });
    expect(scenario.kdamonds[0].contexts[0].schemes[0].filters[0].addrRange).toEqual({ start: 2 ** 30 + 8 * 2 ** 20, end: 2 ** 30 + 16 * 2 ** 20 });
     // The kernel's sizes then count core units; the summary says so and its table shows bytes.
    const res = runScenario({ ...scenario, duration: 20e9 });
    const s0 = res.stats.find((x) => x.scheme === 0)!;
    expect([res.summary[0].addrUnit, s0.addrUnit]).toEqual([4, 4]);
    const moved = res.migrations.reduce((n, m) => n + m.bytes, 0);
    expect(s0.szApplied, JSON.stringify(res.migrations)).toBeGreaterThan(0);
    expect(s0.szApplied * 4).toBe(moved); // the only scheme that migrates here
    const table = formatSummaryTable([{ title: 'x', rows: res.summary }], [res.migrations], [res.stats]);
    expect(table).toContain('(addr_unit 4: sizes × 4)');
    expect(table).toMatch(new RegExp(`bytes applied\\s+${formatBytesHuman(moved).replace('.', '\\.')}`));
  });

  it('refresh_ms is a time, as damo reads it', () => {
    const d = goodDoc();
    d.damon.kdamonds[0].refresh_ms = '1 s';
    expect(scenarioFromDoc(d).scenario.kdamonds[0].refreshMs).toBe(1000);
  });

  it('the old goal spelling (target_value_bp, no metric) is a user_input goal', () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals = [{ target_value_bp: 100, current_value_bp: 20 }];
    const { scenario, warnings: w } = scenarioFromDoc(d);
    expect(w).toEqual([]);
    const g = scenario.kdamonds[0].contexts[0].schemes[0].quota.goals[0];
    expect([g.metric, g.targetValue, g.currentValue]).toEqual(['user_input', 100n, 20n]);
  });

  it('probes and sampling primitives damon-sim does not model', () => {
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].probes = [{ filters: [] }]))).toEqual([`${CTX}.probes: expected no probes (damon-sim does not model them); found some, ignored`]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].sample_control = { primitives_enabled: { page_table: false, page_fault: true } }))).toEqual([
      `${CTX}.sample_control: expected page-table sampling (the only primitive damon-sim models); found other primitives enabled, ignored`,
    ]);
    expect(warnings((d) => (d.damon.kdamonds[0].contexts[0].sample_control = { primitives_enabled: { page_table: true, page_fault: false } }))).toEqual([]);
  });
});

describe('bad command-line options: exit 2, the option named, no output', () => {
  const optionCases: Array<{ name: string; args: string[]; option: string; phrase: string }> = [
    { name: '--duration abc', args: ['--duration', 'abc'], option: '--duration', phrase: '"abc"' },
    { name: '--duration 0', args: ['--duration', '0'], option: '--duration', phrase: 'from 1 ms to 104 days' },
    { name: '--duration max', args: ['--duration', 'max'], option: '--duration', phrase: 'from 1 ms to 104 days' },
    { name: '--duration past ULONG_MAX ns', args: ['--duration', '99999999999d'], option: '--duration', phrase: 'from 1 ms to 104 days' },
    { name: '--seed -1', args: ['--seed', '-1'], option: '--seed', phrase: '"-1"' },
    { name: '--seed 1.5', args: ['--seed', '1.5'], option: '--seed', phrase: 'non-negative integer' },
    { name: '--profile', args: ['--profile', 'b9'], option: '--profile', phrase: '"b9"' },
    { name: '--profile with a quote in it (shown JSON-escaped: the quotes still pair)', args: ['--profile', 'b"9'], option: '--profile', phrase: 'found "b\\"9"' },
    { name: '--sampling', args: ['--sampling', 'page'], option: '--sampling', phrase: '"page"' },
    { name: 'a scenario file and --preset', args: ['--preset', 'tiering-6040'], option: '--preset', phrase: 'either a scenario file or --preset; found both' },
    { name: '--out-dir for one run', args: ['--out-dir', 'x'], option: '--out-dir', phrase: 'expected --compare-tuners or --seeds with it' },
    { name: '--seeds 8-1', args: ['--seeds', '8-1'], option: '--seeds', phrase: 'expected a range low-high; found "8-1"' },
    { name: '--seeds x', args: ['--seeds', '1,x'], option: '--seeds', phrase: 'such as "1-8" or "1,2,42"; found "1,x"' },
    { name: '--seeds and --seed', args: ['--seeds', '1-2', '--seed', '3'], option: '--seeds', phrase: 'either --seed or --seeds' },
    { name: '--plot - (a file named "-", not standard output)', args: ['--plot', '-'], option: '--plot', phrase: 'found "-"' },
    { name: '--plot x.png (the plot is SVG)', args: ['--plot', 'x.png'], option: '--plot', phrase: 'ending in .svg (the plot is SVG); found "x.png"' },
    { name: '--plot .png (a name that is all extension)', args: ['--plot', '.png'], option: '--plot', phrase: 'ending in .svg (the plot is SVG); found ".png"' },
    { name: '--seed past 2^53', args: ['--seed', '99999999999999999999'], option: '--seed', phrase: 'below 2^53' },
  ];
  for (const c of optionCases) {
    it(`${c.name} (with a valid scenario file)`, async () => {
      const r = await runDoc(stringify(goodDoc()), 'yaml', c.args);
      expectError(expectRejected(r), c.option, c.phrase);
    });
  }

  it('a long bad value is shown cut short with its length: one line of a readable size', async () => {
    const long = 'x'.repeat(5000);
    const r = await cli(['run', '--preset', 'tiering-6040', '--damos_action', long, '--damos_access_rate', '0', '100']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`damon-sim: error: --damos_action: expected an action (willneed, cold, pageout, hugepage, nohugepage, collapse, lru_prio, lru_deprio, migrate_hot, migrate_cold, stat); found "${'x'.repeat(60)}...${'x'.repeat(40)}" (5000 characters)\n`);
    // A long path keeps its end, which the message is about.
    const plot = `/tmp/${'d'.repeat(150)}/bad.png`;
    const p = await cli(['run', '--preset', 'tiering-6040', '--plot', plot]);
    expect(p.err).toBe(`damon-sim: error: --plot: expected a file name ending in .svg (the plot is SVG); found "/tmp/${'d'.repeat(55)}...${'d'.repeat(32)}/bad.png" (${plot.length} characters)\n`);
  });

  it('oneLine() cuts only quoted values past QUOTE_MAX, pairing quotes left to right, and never inside an escape', () => {
    const prose = 'p'.repeat(200);
    // Prose between two short quoted values is not a quoted value.
    expect(oneLine(`found "a" ${prose} "b"`)).toBe(`found "a" ${prose} "b"`);
    expect(oneLine(`"${'y'.repeat(QUOTE_MAX)}"`)).toBe(`"${'y'.repeat(QUOTE_MAX)}"`);
    expect(oneLine(`"${'y'.repeat(QUOTE_MAX + 1)}" and "z"`)).toBe(`"${'y'.repeat(60)}...${'y'.repeat(40)}" (${QUOTE_MAX + 1} characters) and "z"`);
    // A JSON escape across the 60th character stays whole on the side it starts: \u00e9 (6), \\ (2).
    expect(oneLine(`"${'y'.repeat(57)}\\u00e9${'y'.repeat(200)}"`)).toBe(`"${'y'.repeat(57)}...${'y'.repeat(40)}" (263 characters)`);
    expect(oneLine(`"${'y'.repeat(59)}\\\\${'y'.repeat(200)}"`)).toBe(`"${'y'.repeat(59)}...${'y'.repeat(40)}" (261 characters)`);
    // So does a surrogate pair (an emoji is two UTF-16 units).
    expect(oneLine(`"${'y'.repeat(59)}\u{1F600}${'y'.repeat(200)}"`)).toBe(`"${'y'.repeat(59)}...${'y'.repeat(40)}" (261 characters)`);
    // A quote left open ends the pairing: the rest is printed as it is.
    expect(oneLine(`"${'y'.repeat(200)}`)).toBe(`"${'y'.repeat(200)}`);
    expect(oneLine('a\nb')).toBe('a\\nb');
  });

  it('an unknown command, or an unknown report, is named as what it is', async () => {
    const top = await cli(['frob']);
    expect([top.code, top.err]).toEqual([2, 'damon-sim: error: frob: expected a damon-sim command (see --help); found an unknown command\n']);
    const report = await cli(['report', 'foo']);
    expect([report.code, report.err]).toEqual([2, 'damon-sim: error: report foo: expected a report subcommand (see report --help); found an unknown command\n']);
  });

  it('a scenario with many "[a, b)" ranges in its comments runs: comment brackets are not nesting', async () => {
    const comments = Array.from({ length: 150 }, (_, i) => `# region ${i}: [${4 * i} MiB, ${4 * i + 4} MiB)\n`).join('');
    const r = await runDoc(stringify(goodDoc()) + comments, 'yaml', ['--duration', '1s']);
    expect([r.code, r.err]).toEqual([0, `damon-sim: wrote ${r.outFile}\n`]);
  });

  it('a broken YAML file shows its first five parse errors and counts the rest', async () => {
    const r = await runDoc(Array.from({ length: 40 }, (_, i) => `k${i}: a: b: ${i}\n`).join(''), 'yaml');
    const lines = r.err.trimEnd().split('\n');
    expect(r.code).toBe(2);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^damon-sim: error: \S+:1:5: expected YAML or JSON; found a syntax error: nested mappings are not allowed in compact mappings$/);
    expect(lines[5]).toMatch(/^damon-sim: error: \S+: expected YAML or JSON; found 75 more parse errors after these \(most follow from the first\)$/);
  });

  it('a line at the wrong indentation is one error line, at the slip, not a cascade', async () => {
    const base = readFileSync(new URL('../examples/tiering-6040.yaml', import.meta.url), 'utf8');
    const lineOf = (t: string, s: string) => t.split('\n').indexOf(s) + 1;
    const hotSet = lineOf(base, '  hot_set: 6 GiB');
    expect(lineOf(base, '  hot_share: 99.9 %')).toBe(hotSet + 1);
    // One space too deep: the value before runs on into it (the parser's two errors there are one).
    const deep = await runDoc(base.replace('\n  hot_share: 99.9 %', '\n   hot_share: 99.9 %'), 'yaml');
    expect(deep.code).toBe(2);
    expect(deep.err.trimEnd().split('\n')).toEqual([
      `damon-sim: error: ${deep.file}:${hotSet}:12: expected YAML or JSON; found text that runs on from here to line ${hotSet + 1} ("hot_share: 99.9 %"), where a colon makes it all one key (check the indentation of lines ${hotSet}–${hotSet + 1}, and that a space follows each colon)`,
    ]);
    // One space too shallow: every key after it would swallow the next line; only the first error is the slip.
    const shallow = await runDoc(base.replace('\n  hot_share: 99.9 %', '\n hot_share: 99.9 %'), 'yaml');
    expect(shallow.err.trimEnd().split('\n')).toEqual([`damon-sim: error: ${shallow.file}:${hotSet + 1}:1: expected YAML or JSON; found a syntax error: all mapping items must start at the same column`]);
  });

  it("an option's value that is another option's name is refused, not taken as a file name", async () => {
    const outDir = await cli(['run', '--preset', 'tiering-6040', '--seeds', '1-2', '--out-dir', '--no-progress']);
    expect([outDir.code, outDir.err]).toEqual([2, 'damon-sim: error: --out-dir: expected a value after the option; found the option --no-progress\n']);
    expect(existsSync('--no-progress')).toBe(false);
    const out = await cli(['run', '--preset', 'tiering-6040', '--out', '--plot', 'x.svg']);
    expect([out.code, out.err]).toEqual([2, 'damon-sim: error: --out: expected a value after the option; found the option --plot\n']);
    const help = await cli(['run', '--preset', 'tiering-6040', '--out', '--help']);
    expect([help.code, help.err]).toEqual([2, 'damon-sim: error: --out: expected a value after the option; found the option --help\n']);
    const sub = await cli(['report', 'damon', '--preset', 'tiering-6040', '--duration', '--params-only']);
    expect([sub.code, sub.err]).toEqual([2, 'damon-sim: error: --duration: expected a value after the option; found the option --params-only\n']);
  });

  it('export --sysfs or --script with an option that shapes the JSON/YAML output names that option', async () => {
    const r = await cli(['export', '--preset', 'tiering-6040', '--raw', '--bare', '--script', join(dir, 'never.sh')]);
    expect([r.code, r.err]).toEqual([2, 'damon-sim: error: --script: expected no --format, --raw, --bare or --scenario with it (they shape the JSON/YAML output); found --raw, --bare\n']);
    expect(existsSync(join(dir, 'never.sh'))).toBe(false);
  });

  it('import with the tree as an argument says to give it with --sysfs', async () => {
    const r = await cli(['import', 'sys-mtier']);
    expect([r.code, r.err]).toEqual([2, 'damon-sim: error: import: expected the tree as --sysfs DIR, and no arguments; found "sys-mtier" (use --sysfs sys-mtier)\n']);
    // With --sysfs given, the argument is only extra: no advice to use it as the tree.
    const extra = await cli(['import', '--sysfs', dir, 'extra']);
    expect([extra.code, extra.err]).toEqual([2, 'damon-sim: error: import: expected the tree as --sysfs DIR, and no arguments; found "extra"\n']);
  });

  it("commander's suggestion for a typo stays on the problem's one line", async () => {
    const cmd = await cli(['reprot']);
    expect([cmd.code, cmd.err]).toEqual([2, 'damon-sim: error: reprot: expected a damon-sim command (see --help); found an unknown command (did you mean report?)\n']);
    const opt = await cli(['export', '--presett', 'x']);
    expect([opt.code, opt.err]).toEqual([2, 'damon-sim: error: --presett: expected an option the command knows (see --help); found unknown option "--presett" (did you mean --preset?)\n']);
    // Every command names an unknown option the same way: the option, then what was found.
    for (const [argv, expected] of [
      [['run', '--preset', 'tiering-6040', '--foo'], "one of damon-sim run's or damo's options (see damon-sim run --help and damon-sim args --help)"],
      [['args', '--foo'], "one of damo's options (see damon-sim args --help)"],
      [['report', 'summary', 'x.ndjson', '--foo'], 'an option the command knows (see --help)'],
    ] as const) {
      const r = await cli([...argv]);
      expect([r.code, r.err], argv.join(' ')).toEqual([2, `damon-sim: error: --foo: expected ${expected}; found unknown option "--foo"\n`]);
    }
  });

  it('a node of capacity 0 is one error: no knock-on about the workload not fitting or ranges outside the machine', async () => {
    const d = goodDoc();
    d.machine.nodes[0].capacity = 0;
    const r = await runDoc(stringify(d), 'yaml');
    expect(expectRejected(r)).toEqual(['damon-sim: error: machine.nodes[0].capacity: expected a positive multiple of 4 KiB; found 0']);
    expect(r.err).not.toMatch(/warning/);
  });

  it('a first-touch node the machine lacks is one error, not also one about the memory not fitting', async () => {
    const d = goodDoc();
    d.workload.nodes = [3];
    const r = await runDoc(stringify(d), 'yaml');
    expect(expectRejected(r)).toEqual(['damon-sim: error: workload.nodes[0]: expected a node id below 2; found 3']);
  });

  it('every bad option value at once, one line each', async () => {
    const outFile = join(dir, 'many.ndjson');
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '5parsecs', '--seed', 'abc', '--tuner', 'x', '--tolerance', '-5', '--out', outFile, '--no-progress']);
    const errors = expectRejected({ ...r, outFile });
    expect(errors.map((l) => l.split(': ')[2])).toEqual(['--tuner', '--tolerance', '--duration', '--seed']);
    expectError(errors, '--tolerance', 'expected a whole number >= 0', 'found "-5"');
  });

  it('--tolerance judges the summary by another band, and report summary reads it back from the timeline', async () => {
    const outFile = join(dir, 'tol.ndjson');
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '30', '--tolerance', '200', '--out', outFile, '-q']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\n {2}time to target ±200 bp +29\.103 s\n/);
    expect((await cli(['report', 'summary', outFile])).out).toBe(r.out);
  });

  /** goodDoc() of `duration` with a stats update at 50 s, written to `name` in the test directory. */
  const withEventAt50 = (name: string, duration: string) => {
    const d = goodDoc();
    d.duration = duration;
    d.events = [{ at: 50, command: 'update_schemes_stats' }];
    const file = join(dir, name);
    writeFileSync(file, stringify(d));
    return { d, file };
  };

  it('--duration decides which events are too late: a shorter run warns, a longer one does not', async () => {
    const { d, file } = withEventAt50('late.yaml', '100 s');
    const short = await cli(['run', file, '--duration', '20s', '--no-progress']);
    expect(short.code, short.err).toBe(0);
    expect(short.err).toBe('damon-sim: warning: events[0].at: at or after the end of the run (20 s): never delivered\n');
    // Exactly at the end is never delivered either (the run stops before the kdamond takes it in).
    const atEnd = await cli(['run', file, '--duration', '50s', '--no-progress']);
    expect(atEnd.err).toBe('damon-sim: warning: events[0].at: at or after the end of the run (50 s): never delivered\n');
    // report damon judges them against its --duration as well.
    const rep = await cli(['report', 'damon', file, '--duration', '20s']);
    expect(rep.code, rep.err).toBe(0);
    expect(rep.err).toContain('damon-sim: warning: events[0].at: at or after the end of the run (20 s): never delivered\n');
    d.events = [{ at: 150, command: 'update_schemes_stats' }];
    writeFileSync(file, stringify(d));
    const long = await cli(['run', file, '--duration', '200s', '--no-progress']);
    expect(long.code, long.err).toBe(0);
    expect(long.err).toBe('');
    // The warnings that come with an error are judged against --duration too, not the file's 100 s.
    d.events = [{ at: 150, command: 'update_schemes_stats' }, { at: 1, command: 'commit_schemes_quota_goals', goals: [{ scheme: 5, goal: 0, target_value: 5000 }] }];
    writeFileSync(file, stringify(d));
    for (const cmd of [['run'], ['report', 'damon']]) {
      const bad = await cli([...cmd, file, '--duration', '200s']);
      expect(bad.code).toBe(2);
      expect(bad.err).not.toContain('never delivered');
      expect(bad.err).toMatch(/^damon-sim: error: events\[1\]\.goals\[0\]\.scheme: /);
      const short20 = await cli([...cmd, file, '--duration', '20s']);
      expect(short20.err.split('\n')[0]).toBe('damon-sim: warning: events[0].at: at or after the end of the run (20 s): never delivered');
    }
  });

  it('--quiet (before or after the command) leaves errors alone on stderr: no warnings, notes or "wrote" lines, the output unchanged', async () => {
    const { d, file } = withEventAt50('quiet.yaml', '20 s');
    const outFile = join(dir, 'quiet.ndjson');
    const loud = await cli(['run', file, '--out', outFile, '--no-progress']);
    expect(loud.code, loud.err).toBe(0);
    expect(loud.err).toBe(`damon-sim: warning: events[0].at: at or after the end of the run (20 s): never delivered\ndamon-sim: wrote ${outFile}\n`);
    const timeline = readFileSync(outFile, 'utf8');
    for (const argv of [['-q', 'run', file, '--out', outFile], ['run', file, '--quiet', '--out', outFile]]) {
      const quiet = await cli(argv);
      expect(quiet.code, quiet.err).toBe(0);
      expect(quiet.err).toBe('');
      expect(quiet.out).toBe(loud.out);
      expect(readFileSync(outFile, 'utf8')).toBe(timeline);
    }
    const rep = await cli(['report', 'damon', file, '-q']);
    expect(rep.code).toBe(0);
    expect(rep.err).toBe('');
    // Errors still print, and the exit code is still 2.
    d.duration = 'soon';
    writeFileSync(file, stringify(d));
    const bad = await cli(['-q', 'run', file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^damon-sim: error: duration: /);
  });

  it('--quiet holds when a file has warnings and errors both: the errors alone (a failure is reported through the command\'s io)', async () => {
    const file = join(dir, 'quiet-warn-error.yaml');
    // A target without pid/regions warns (damo refuses it); hot_share past 100 % is an error.
    writeFileSync(
      file,
      stringify({
        name: 'g',
        duration: '10 s',
        machine: { nodes: [{ capacity: '8 GiB' }, { capacity: '8 GiB' }] },
        workload: { type: 'hotset', rss: '2 GiB', hot_set: '1 GiB', access_rate: 1e6, hot_share: '200 %' },
        damon: { kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{}], schemes: [{ action: 'stat' }] }] }] },
      }),
    );
    const hotShare = 'damon-sim: error: workload.hot_share: expected a share of accesses of at most 100 % (10000 bp); found 200 % (20000 bp)\n';
    const loud = await cli(['run', file]);
    expect(loud.code).toBe(2);
    expect(loud.err.match(/^damon-sim: warning: damon\.kdamonds\[0\]\.contexts\[0\]\.targets\[0\]\./gm)).toHaveLength(2);
    expect(loud.err.endsWith(hotShare)).toBe(true);
    for (const argv of [['-q', 'run', file], ['run', file, '-q'], ['-q', 'export', file]]) {
      const quiet = await cli(argv);
      expect(quiet.code, argv.join(' ')).toBe(2);
      expect(quiet.err, argv.join(' ')).toBe(hotShare);
    }
  });

  it('an option that takes one value, given twice, is refused (commander would keep the second and drop the first without a word)', async () => {
    const outA = join(dir, 'twice-a.ndjson');
    const outB = join(dir, 'twice-b.ndjson');
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', outA, '--out', outB, '--no-progress']);
    expect([r.code, r.out, r.err]).toEqual([2, '', `damon-sim: error: --out: expected the option once (a second value would replace the first); found ${JSON.stringify(outB)} after ${JSON.stringify(outA)}\n`]);
    expect(existsSync(outA) || existsSync(outB)).toBe(false);
    const d = await cli(['report', 'damon', '--preset', 'tiering-6040', '--duration=1s', '--duration', '2s']);
    expect([d.code, d.err]).toEqual([2, 'damon-sim: error: --duration: expected the option once (a second value would replace the first); found "2s" after "1s"\n']);
    // Options that take several values, and damo's repeatable options, are not affected.
    const many = await cli(['args', '--damos_action', 'stat', '--damos_action', 'pageout', '--regions', '4G-8G', '--format', 'yaml']);
    expect(many.code, many.err).toBe(0);
    expect(many.out.match(/action: /g)).toHaveLength(2);
  });

  it('--seeds with --out: --out-dir instead', async () => {
    const outFile = join(dir, 'seeds.ndjson');
    const r = await cli(['run', '--preset', 'tiering-6040', '--seeds', '1-2', '--out', outFile, '--no-progress']);
    expectError(expectRejected({ ...r, outFile }), '--out', 'expected --out-dir DIR', 'found --out');
    const both = await cli(['run', '--preset', 'tiering-6040', '--seeds', '1-2', '--out', outFile, '--plot', join(dir, 'seeds.svg'), '--trace', join(dir, 'seeds.txt'), '--no-progress']);
    expect(expectRejected({ ...both, outFile }).map((l) => l.split(': ')[2])).toEqual(['--trace', '--out', '--plot']);
  });

  it('--compare-tuners with one run\'s options: each refused, not dropped', async () => {
    const outFile = join(dir, 'compare.ndjson');
    const od = join(dir, 'compare-out');
    const r = await cli(['run', '--preset', 'tiering-6040', '--compare-tuners', '--out-dir', od, '--tuner', 'consist', '--out', outFile, '--plot', join(dir, 'compare.svg'), '--trace', join(dir, 'compare.txt'), '--duration', '2s', '--no-progress']);
    const lines = expectRejected({ ...r, outFile });
    expect(lines.map((l) => l.split(': ')[2])).toEqual(['--tuner', '--trace', '--out', '--plot']);
    expectError(lines, '--out', 'expected --out-dir DIR', 'found --out');
    expect(existsSync(od)).toBe(false);
  });

  /** The good document with a commit at 1 s that moves the goal's target to 7000: a tuner must be set on the event's schemes too. */
  function docWithCommit(): Doc {
    const d = goodDoc();
    const committed = structuredClone(d.damon.kdamonds[0]);
    committed.contexts[0].schemes[0].quotas.goals[0].target_value = 7000;
    return Object.assign(d, { events: [{ at: 1, command: 'commit', damon: committed }] });
  }

  it('--compare-tuners runs a scenario file under each tuner, its goal-tuned schemes (and committed ones) set to each', async () => {
    // A commit event's schemes are set too, or the comparison would end at the event.
    const d = docWithCommit();
    const file = join(dir, 'own.yaml');
    writeFileSync(file, stringify(d));
    const od = join(dir, 'own-out');
    const r = await cli(['run', file, '--compare-tuners', '--out-dir', od, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(od).sort()).toEqual(['tiny+compare.svg', 'tiny+consist.ndjson', 'tiny+consist.svg', 'tiny+temporal.ndjson', 'tiny+temporal.svg']);
    // Columns headed by run name, as `report summary` heads the timelines.
    expect(r.out.split('\n')[0].trim().split(/ +/)).toEqual(['tiny+', 'temporal', 'consist']);
    // The two runs' goals on one chart: the bytes report plot draws from their timelines.
    const chart = readFileSync(join(od, 'tiny+compare.svg'), 'utf8');
    expect(chart).toContain('>tiny+temporal vs tiny+consist, seed 7<');
    // A goal line per run, and below them the ground truth: a line per run on each of the two nodes.
    expect([...chart.matchAll(/aria-roledescription="line mark"/g)]).toHaveLength(2 + 2 * 2);
    expect(r.err).toContain(`damon-sim: wrote ${join(od, 'tiny+compare.svg')}\n`);
    const again = join(dir, 'again.svg');
    expect((await cli(['report', 'plot', join(od, 'tiny+temporal.ndjson'), join(od, 'tiny+consist.ndjson'), '--out', again])).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(chart);
    // Nor may the chart replace the scenario file (whatever it is called).
    const own = join(od, 'tiny+compare.svg');
    writeFileSync(own, stringify(d));
    const replaced = await cli(['run', own, '--compare-tuners', '--out-dir', od, '--no-progress']);
    expect([replaced.code, replaced.err]).toEqual([2, `damon-sim: error: --out-dir: expected a file other than the scenario file's; found the same file ${JSON.stringify(own)}\n`]);
    // Each run is the file with every goal_tuner set to its tuner: byte for byte the same timeline.
    for (const tuner of ['temporal', 'consist']) {
      const one = structuredClone(d);
      one.name = `tiny+${tuner}`;
      one.damon.kdamonds[0].contexts[0].schemes[0].quotas.goal_tuner = tuner;
      one.events[0].damon.contexts[0].schemes[0].quotas.goal_tuner = tuner;
      const single = await runDoc(stringify(one), 'yaml');
      expect(single.code, single.err).toBe(0);
      expect(readFileSync(join(od, `tiny+${tuner}.ndjson`), 'utf8')).toBe(readFileSync(single.outFile, 'utf8'));
    }
    // A name that says a tuner (as the tiering-6040 example's does) loses it: the runs say theirs.
    const named = join(dir, 'named-consist.yaml');
    writeFileSync(named, stringify({ ...d, name: 'tiny-consist' }));
    const od2 = join(dir, 'named-out');
    const n2 = await cli(['run', named, '--compare-tuners', '--duration', '1', '--out-dir', od2, '--no-progress']);
    expect(n2.code, n2.err).toBe(0);
    expect(readdirSync(od2).sort()).toEqual(['tiny+compare.svg', 'tiny+consist.ndjson', 'tiny+consist.svg', 'tiny+temporal.ndjson', 'tiny+temporal.svg']);
    // Nothing to compare without goals.
    const none = goodDoc();
    none.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals = [];
    const noGoals = join(dir, 'no-goals.yaml');
    writeFileSync(noGoals, stringify(none));
    const n = await cli(['run', noGoals, '--compare-tuners', '--out-dir', join(dir, 'none-out'), '--no-progress']);
    expect([n.code, n.err]).toEqual([2, `damon-sim: error: --compare-tuners: expected a scenario with quota goals (the tuners tune them); found none in ${JSON.stringify(noGoals)}\n`]);
    expect(existsSync(join(dir, 'none-out'))).toBe(false);
  });

  it('--compare-tuners with --tuner on a scenario file: refused for the comparison, not for the file', async () => {
    const file = join(dir, 'cmp-tuner.yaml');
    writeFileSync(file, stringify(goodDoc()));
    const r = await cli(['run', file, '--compare-tuners', '--tuner', 'consist', '--out-dir', join(dir, 'cmp-tuner'), '--no-progress']);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'damon-sim: error: --tuner: expected no --tuner with --compare-tuners (it runs both tuners); found "consist"\n']);
  });

  it("--tuner runs a scenario file's goal-tuned schemes under one tuner, as the preset's option and --compare-tuners do", async () => {
    const d = docWithCommit();
    const file = join(dir, 'tuned.yaml');
    writeFileSync(file, stringify(d));
    const out = join(dir, 'tuned.ndjson');
    const r = await cli(['run', file, '--tuner', 'consist', '--out', out, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0].trim()).toBe('tiny+consist');
    // The file with every goal_tuner (the event's too) set by hand: byte for byte the same timeline.
    const one = structuredClone(d);
    one.name = 'tiny+consist';
    one.damon.kdamonds[0].contexts[0].schemes[0].quotas.goal_tuner = 'consist';
    one.events[0].damon.contexts[0].schemes[0].quotas.goal_tuner = 'consist';
    const single = await runDoc(stringify(one), 'yaml');
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(single.outFile, 'utf8'));
    // export and report damon take it too; export --scenario names the scenario as the run does.
    const ex = await cli(['export', file, '--tuner', 'consist', '--format', 'json']);
    expect(ex.code, ex.err).toBe(0);
    expect([...ex.out.matchAll(/"goal_tuner": "(\w+)"/g)].map((m) => m[1])).toEqual(['consist']);
    const whole = await cli(['export', file, '--tuner', 'consist', '--format', 'json', '--scenario']);
    expect(JSON.parse(whole.out)).toMatchObject({ name: 'tiny+consist' });
    // Nothing to tune without goals; damo's scheme options replace what it would tune.
    const none = goodDoc();
    none.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals = [];
    const noGoals = join(dir, 'tuned-none.yaml');
    writeFileSync(noGoals, stringify(none));
    const n = await cli(['run', noGoals, '--tuner', 'consist', '--no-progress']);
    expect([n.code, n.out, n.err]).toEqual([2, '', `damon-sim: error: --tuner: expected a scenario with quota goals (the tuners tune them); found none in ${JSON.stringify(noGoals)}\n`]);
    const damo = await cli(['run', file, '--tuner', 'consist', '--damos_action', 'stat', '--no-progress']);
    expect([damo.code, damo.out, damo.err]).toEqual([2, '', 'damon-sim: error: --tuner: expected no --tuner with damo scheme options, which replace the scenario\'s schemes (set a goal\'s tuner with --damos_quota_goal_tuner); found "consist" with --damos_action\n']);
  });

  it("--compare-tuners: a file's warnings once, and the first run's summary kept when the second fails", async () => {
    const d = goodDoc();
    d.damon.kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes = 1280;
    const file = join(dir, 'warned.yaml');
    writeFileSync(file, stringify(d));
    const r = await cli(['run', file, '--compare-tuners', '--duration', '1', '--out-dir', join(dir, 'warned-out'), '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.err.split('\n').filter((l) => l.includes('warning:'))).toHaveLength(1);
    // The preset's CONSIST run passes 100,000 regions at ~90 s (docs/findings.md §3), TEMPORAL's peaks at ~18,000.
    const limit = regionLimits.maxSimulated;
    regionLimits.maxSimulated = 100_000;
    try {
      const od = join(dir, 'limit-out');
      const f = await cli(['run', '--preset', 'tiering-6040', '--compare-tuners', '--duration', '100', '--out-dir', od, '--no-progress']);
      expect(f.code).toBe(1);
      expect(f.err).toMatch(/damon-sim: wrote .*tiering-6040-temporal.svg\ndamon-sim: error: at \d+\.\d{3} s \(simulated\), a DAMOS apply pass split target regions past 100000 .*; nothing written for this run; the files of the 1 run before it are kept\n$/);
      expect(f.out.split('\n')[0].trim()).toBe('tiering-6040-temporal');
      expect(f.out).toMatch(/time to target ±100 bp +30\.111 s/);
      expect(readdirSync(od).sort()).toEqual(['tiering-6040-temporal.ndjson', 'tiering-6040-temporal.svg']);
    } finally {
      regionLimits.maxSimulated = limit;
    }
  });

  it('--compare-tuners under a profile without TEMPORAL: one line for the comparison, not one per scheme', async () => {
    const line = (found: string) =>
      `damon-sim: error: --compare-tuners: expected a kernel profile with the TEMPORAL tuner to compare CONSIST with; found ${found}, which has CONSIST only (use profile b0 or b1)\n`;
    const preset = await cli(['run', '--preset', 'tiering-6040', '--compare-tuners', '--profile', 'mainline-6.19', '--out-dir', join(dir, 'ml-out'), '--no-progress']);
    expect([preset.code, preset.out, preset.err]).toEqual([2, '', line('"mainline-6.19"')]);
    // A file's own kernel part, an override of b0 too.
    const d = goodDoc();
    const file = join(dir, 'mainline.yaml');
    writeFileSync(file, stringify({ ...d, kernel: { profile: 'b0', overrides: { temporalTuner: false } } }));
    const own = await cli(['run', file, '--compare-tuners', '--out-dir', join(dir, 'ml-out'), '--no-progress']);
    expect([own.code, own.out, own.err]).toEqual([2, '', line('"b0" with temporalTuner overridden off').replace('(use profile b0 or b1)', '(drop the override)')]);
    expect(existsSync(join(dir, 'ml-out'))).toBe(false);
    // An override that gives mainline-6.19 the tuner (and the metric) compares.
    writeFileSync(file, stringify({ ...d, kernel: { profile: 'mainline-6.19', overrides: { temporalTuner: true, nodeEligibleMetric: true } } }));
    const on = await cli(['run', file, '--compare-tuners', '--duration', '2', '--out-dir', join(dir, 'ml-on'), '--no-progress']);
    expect(on.code, on.err).toBe(0);
    expect(readdirSync(join(dir, 'ml-on')).sort()).toEqual(['tiny+compare.svg', 'tiny+consist.ndjson', 'tiny+consist.svg', 'tiny+temporal.ndjson', 'tiny+temporal.svg']);
  });

  it('--tuner temporal under a profile without TEMPORAL: one line naming --tuner, not a key the file may not have', async () => {
    const d = goodDoc();
    const file = join(dir, 'consist-only.yaml');
    writeFileSync(file, stringify({ ...d, kernel: { profile: 'b0', overrides: { temporalTuner: false } } }));
    const line = '--tuner: expected a kernel profile with the TEMPORAL tuner for --tuner temporal; found "b0" with temporalTuner overridden off, which has CONSIST only (drop the override, or --tuner consist)';
    for (const argv of [['run', file, '--out', join(dir, 'ct.ndjson')], ['export', file, '--scenario'], ['report', 'damon', file]]) {
      const r = await cli([...argv, '--tuner', 'temporal', '--no-progress'].filter((a) => argv[0] === 'run' || a !== '--no-progress'));
      expect([r.code, r.out, r.err], argv.join(' ')).toEqual([2, '', `damon-sim: error: ${line}\n`]);
    }
    expect(existsSync(join(dir, 'ct.ndjson'))).toBe(false);
    const preset = await cli(['run', '--preset', 'tiering-6040', '--tuner', 'temporal', '--profile', 'mainline-6.19', '--out', join(dir, 'ct.ndjson'), '--no-progress']);
    expect(preset.err).toBe('damon-sim: error: --tuner: expected a kernel profile with the TEMPORAL tuner for --tuner temporal; found "mainline-6.19", which has CONSIST only (use profile b0 or b1, or --tuner consist)\n');
    // --tuner consist there runs.
    const consist = await cli(['run', file, '--tuner', 'consist', '--duration', '1', '--out', join(dir, 'ct.ndjson'), '--no-progress']);
    expect(consist.code, consist.err).toBe(0);
  });

  it('--seeds --out-dir: one file name per run, whatever the scenario is called', async () => {
    const d = goodDoc();
    d.name = '../escaped run';
    const file = join(dir, 'named.yaml');
    writeFileSync(file, stringify(d));
    const od = join(dir, 'sweep-out');
    const r = await cli(['run', file, '--seeds', '3', '--duration', '2s', '--out-dir', od, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(od).sort()).toEqual(['__escaped_run-seed3.ndjson', '__escaped_run-seed3.svg']);
    expect(r.out).toContain('the 1 seed: within ±100 of 6000 for 0.0 % of the second half');
  });

  it('--tuner foo with a preset', async () => {
    const outFile = join(dir, 'tuner.ndjson');
    const r = await cli(['run', '--preset', 'tiering-6040', '--tuner', 'foo', '--out', outFile, '--no-progress']);
    expectError(expectRejected({ ...r, outFile }), '--tuner', '"foo"', 'temporal or consist');
  });

  it('an unknown preset', async () => {
    const outFile = join(dir, 'preset.ndjson');
    const r = await cli(['run', '--preset', 'tiering-5050', '--out', outFile, '--no-progress']);
    expectError(expectRejected({ ...r, outFile }), '--preset', '"tiering-5050"', 'tiering-6040');
  });

  it('output paths that cannot be written are refused before the run, and nothing is written', async () => {
    const outFile = join(dir, 'paths.ndjson');
    const long = join(dir, 'sub', `${'x'.repeat(250)}.svg`);
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', outFile, '--plot', long, '--no-progress']);
    expectError(expectRejected({ ...r, outFile }), '--plot', 'at most 242 bytes', '254 bytes');
    expect(existsSync(join(dir, 'sub'))).toBe(false);
    const empty = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', outFile, '--trace', '', '--no-progress']);
    expectError(expectRejected({ ...empty, outFile }), '--trace', 'expected a file name; found ""');
    const longDir = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', outFile, '--plot', join(dir, 'd'.repeat(300), 'p.svg'), '--no-progress']);
    expectError(expectRejected({ ...longDir, outFile }), '--plot', 'path parts of at most 255 bytes', '300 bytes');
    // Two outputs on one file would overwrite each other.
    const same = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', outFile, '--plot', outFile, '--no-progress']);
    expectError(expectRejected({ ...same, outFile }), '--plot', "expected a file other than --out's");
  });

  it('a directory that cannot be created (under /proc) is refused before the run', async () => {
    const outFile = join(dir, 'proc.ndjson');
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', outFile, '--trace', '/proc/damon-sim-nope/t.txt', '--no-progress']);
    expectError(expectRejected({ ...r, outFile }), '--trace', /expected a directory (this user may write in|that can be created)/);
  });

  it('an output directory that cannot be created (--out-dir under /proc) is refused before the run, naming the option', async () => {
    for (const extra of [['--compare-tuners'], ['--seeds', '1-2']]) {
      const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', ...extra, '--out-dir', '/proc/damon-sim-nope', '--no-progress']);
      expect(r.code, r.err).toBe(2);
      // As root /proc passes the write check and refuses the mkdir (what the fix is about: that
      // message named no option); as another user the write check refuses it first.
      const why = process.getuid?.() === 0 ? 'that can be created' : 'this user may write in';
      expect(r.err).toMatch(new RegExp(`^damon-sim: error: --out-dir: expected a directory ${why}; found "/proc[^\\n]*\\n$`));
      expect(r.out).toBe('');
    }
  });

  it('an output path ending in / names a directory: a usage error before the run, as an existing directory is', async () => {
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', join(dir, 'nope', 'newdir') + '/', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^damon-sim: error: --out: expected a file name; found "[^"]*\/newdir\/", a directory name \(it ends in \/\)\n$/);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('damo options replace the preset\'s damon part, which is then not checked against --profile', async () => {
    const r = await cli(['run', '--preset', 'tiering-6040', '--profile', 'mainline-6.19', '--duration', '1s', '--no-progress', '--damos_action', 'stat', '--damos_quotas', '0', '1G', '1s']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/s0 stat stats/);
    // The run is named for what it runs: the preset's name alone would still say "-temporal".
    expect(r.out.split('\n')[0].trim()).toBe('tiering-6040+damo-options');
  });

  it('--out-dir through a missing name and ".." is the directory it resolves to, as before', async () => {
    const od = mkdtempSync(join(dir, 'od-'));
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '0.5', '--compare-tuners', '--out-dir', `${od}/nope/..`, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(od).sort()).toEqual(['tiering-6040-compare.svg', 'tiering-6040-consist.ndjson', 'tiering-6040-consist.svg', 'tiering-6040-temporal.ndjson', 'tiering-6040-temporal.svg']);
  });

  it('--compare-tuners: a file of --out-dir that cannot be written is refused before anything runs', async () => {
    const od = mkdtempSync(join(dir, 'od-'));
    mkdirSync(join(od, 'tiering-6040-compare.svg'));
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '0.5', '--compare-tuners', '--out-dir', od, '--no-progress']);
    expect([r.code, r.out, r.err]).toEqual([2, '', `damon-sim: error: --out-dir: expected a file name; found ${JSON.stringify(join(od, 'tiering-6040-compare.svg'))}, a directory\n`]);
    expect(readdirSync(od)).toEqual(['tiering-6040-compare.svg']);
  });

  it('a sweep of both tuners without --out-dir writes nothing, so an out/ it cannot use is no reason to refuse it', () => {
    const cwd = mkdtempSync(join(dir, 'sweep-'));
    writeFileSync(join(cwd, 'out'), 'a file where out/ would be\n');
    const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli', 'main.js'), 'run', '--preset', 'tiering-6040', '--duration', '0.5', '--compare-tuners', '--seeds', '1-2', '--no-progress'], { cwd, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual(['out']);
  });

  it('a file directly under /proc is refused before the run', async () => {
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--out', '/proc/damon-sim-nope.ndjson', '--no-progress']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^damon-sim: error: --out: expected a (directory this user may write in|place a file can be written)/);
  });

  it('an already open file named through /proc/self/fd (as /dev/stdout is) is appended to, not replaced', async () => {
    const file = join(dir, 'fd-target.txt');
    writeFileSync(file, 'before\n');
    const fd = openSync(file, 'a');
    try {
      const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '0.2', '--out', `/proc/self/fd/${fd}`, '--no-progress']);
      expect(r.code, r.err).toBe(0);
    } finally {
      closeSync(fd);
    }
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('before\n{"type":"header"')).toBe(true);
    expect(text.trimEnd().split('\n').pop()).toMatch(/^{"type":"summary"/);
  });

  it('a link is written through to its file; a pipe is written in place, not replaced by a file', async () => {
    const target = join(dir, 'target.svg');
    writeFileSync(target, 'old');
    const link = join(dir, 'link.svg');
    symlinkSync(target, link);
    const fifo = join(dir, 'trace.fifo');
    execFileSync('mkfifo', [fifo]);
    const copy = join(dir, 'trace-copy.txt');
    const reader = spawn('sh', ['-c', `cat "${fifo}" > "${copy}"`]);
    const done = new Promise((ok) => reader.on('exit', ok));
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '0.3', '--plot', link, '--trace', fifo, '--no-progress']);
    await done;
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toMatch(/^<svg/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readFileSync(copy, 'utf8')).toMatch(/^kdamond\.0 1000 \[000\] \d+\.\d{6}: damon:/);
    rmSync(fifo);
  });

  it('an output the system refuses (a full device): exit 1, the option named, no other output in place', async () => {
    if (!existsSync('/dev/full')) return;
    const outFile = join(dir, 'full.ndjson');
    const traceFile = join(dir, 'full.trace');
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '2s', '--out', outFile, '--plot', '/dev/full', '--trace', traceFile, '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('damon-sim: error: --plot: could not write "/dev/full" (ENOSPC: no space left on device); no output written\n');
    expect(existsSync(outFile)).toBe(false);
    expect(existsSync(traceFile)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a file-size limit that cuts a timeline short (RLIMIT_FSIZE takes part of a write): exit 1, EFBIG, no cut file in place', () => {
    const od = join(dir, 'fsize-out');
    // 117 blocks of 1024 bytes: a 60 s timeline (~150 KB) does not fit; its first flush is cut short.
    const r = spawnSync('bash', ['-c', `ulimit -f 117; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(__dirname, '..', 'dist', 'cli', 'main.js'))} run --preset tiering-6040 --duration 60 --out ${JSON.stringify(join(od, 't.ndjson'))} --no-progress`], { encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(/^damon-sim: error: --out: could not write ".*t\.ndjson" \(EFBIG: file too large\); no output written\n$/);
    expect(existsSync(join(od, 't.ndjson'))).toBe(false);
    expect(existsSync(od) ? readdirSync(od) : []).toEqual([]);
  });

  it('--out /dev/stdout on a socket (a parent process\'s stdout) carries the timeline alone, as a file would; the summary goes to stderr', async () => {
    const file = join(dir, 'via-file.ndjson');
    const viaFile = await cli(['run', '--preset', 'tiering-6040', '--duration', '20', '--out', file, '--no-progress']);
    const viaSocket = spawnCli(dir, ['run', '--preset', 'tiering-6040', '--duration', '20', '--out', '/dev/stdout', '--no-progress']);
    let out = '';
    viaSocket.child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await viaSocket.ended).toEqual({ code: 0, signal: null });
    // Clean NDJSON for `| jq`: the summary a run to a file prints on stdout is on stderr instead.
    expect(out).toBe(readFileSync(file, 'utf8'));
    expect(viaSocket.err()).toBe(viaFile.out);
  }, 60_000);

  it('any name of standard output (/proc/self/fd/1 for the trace here) sends the summary to stderr', async () => {
    const run = spawnCli(dir, ['run', '--preset', 'tiering-6040', '--duration', '2', '--trace', '/proc/self/fd/1', '--no-progress']);
    let out = '';
    run.child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await run.ended).toEqual({ code: 0, signal: null });
    expect(out.length).toBeGreaterThan(0);
    for (const line of out.trimEnd().split('\n')) expect(line).toMatch(/^kdamond\.0 1000 \[000\] \d+\.\d{6}: damon:/);
    expect(run.err()).toMatch(/^ +tiering-6040-temporal\n/);
  }, 60_000);

  /** Run the CLI with `--out /dev/stdout` read by a reader that takes the first chunk and closes, as `head -1` does. */
  async function closedEarly(extra: string[]) {
    const run = spawnCli(dir, ['run', '--preset', 'tiering-6040', '--duration', '1h', '--out', '/dev/stdout', ...extra, '--no-progress']);
    let got = 0;
    run.child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      run.child.stdout.destroy();
    });
    return { ended: await run.ended, got, err: run.err() };
  }

  it('a pipe output its reader closes (| head) stops the run quietly, exit 0', async () => {
    const r = await closedEarly([]);
    expect(r.ended).toEqual({ code: 0, signal: null });
    expect(r.got).toBeGreaterThan(0);
    expect(r.err).toBe('');
  }, 60_000);

  it('a closed pipe that leaves another output unwritten: exit 1, naming it, nothing left behind', async () => {
    const plotFile = join(dir, 'closed.svg');
    const r = await closedEarly(['--plot', plotFile]);
    expect(r.ended).toEqual({ code: 1, signal: null });
    expect(r.err).toBe(`damon-sim: error: --out: the reader of "/dev/stdout" closed it; stopped, --plot not written\n`);
    expect(existsSync(plotFile)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('a reader that stops reading does not stop SIGINT', async () => {
    const run = spawnCli(dir, ['run', '--preset', 'tiering-6040', '--duration', '10h', '--out', '/dev/stdout', '--no-progress']);
    run.child.stdout.pause();
    // Once the run is writing (a paused stream still buffers what arrives), and then well past
    // the first 1 MiB the timeline hands to the paused reader. A fixed wait alone could signal a
    // process still loading its modules on a loaded machine, before its handler is in place.
    await run.until(() => run.child.stdout.readableLength > 0);
    await new Promise((ok) => setTimeout(ok, 2000));
    run.child.kill('SIGINT');
    expect(await run.ended).toEqual({ code: null, signal: 'SIGINT' });
    expect(run.err()).toMatch(/^damon-sim: interrupted \(SIGINT\): stopped, /);
  }, 60_000);

  it('a descriptor that is no output the command was given: exit 2 before the run', async () => {
    // fd 40 is not open; fd 0 is open for reading (the test's stdin is /dev/null); Node's event
    // loop holds its epoll instance at a low fd of its own.
    for (const [fd, why] of [
      ['40', 'a descriptor the command was not given'],
      ['0', 'open for reading only'],
    ]) {
      const r = await cliProcess(['run', '--preset', 'tiering-6040', '--duration', '5', '--out', `/dev/fd/${fd}`, '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`damon-sim: error: --out: expected a descriptor the command was given for writing; found "/dev/fd/${fd}", ${why}\n`);
    }
    const own = await cliProcess(['run', '--preset', 'tiering-6040', '--duration', '5', '--out', '/dev/fd/3', '--no-progress']);
    expect(own.code).toBe(2);
    expect(own.err).toMatch(/^damon-sim: error: --out: expected a descriptor the command was given for writing; found "\/dev\/fd\/3", one of Node's own descriptors \((anon_inode|pipe):/);
  }, 60_000);

  it('one output named two ways (/dev/stdout and /dev/fd/1) is refused', async () => {
    const r = await cliProcess(['run', '--preset', 'tiering-6040', '--duration', '5', '--out', '/dev/stdout', '--trace', '/dev/fd/1', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`damon-sim: error: --trace: expected a file other than --out's; found the same file "/dev/fd/1"\n`);
  }, 60_000);

  /** The built CLI as its own process, its stdin /dev/null (the in-process cli() shares the test runner's descriptors). */
  async function cliProcess(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'cli', 'main.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    return { code, out, err };
  }

  /** The built CLI in `cwd`, with its stderr, its end (code or signal) and a way to wait for a condition. */
  /**
   * The names in dir, none while it does not exist. Not existsSync() then readdirSync(): the CLI's
   * start-up check makes and removes a missing output directory once (can one be created
   * there?), and a poll between the two calls failed with ENOENT.
   */
  function filesIn(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  function spawnCli(cwd: string, args: string[]) {
    const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'cli', 'main.js'), ...args], { cwd });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': stderr is read to its end by then.
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('close', (code, signal) => ok({ code, signal })));
    const until = async (cond: () => boolean) => {
      // Generous: the whole suite shares two cores.
      for (let i = 0; i < 1200 && !cond(); i++) await new Promise((ok) => setTimeout(ok, 25));
      expect(cond()).toBe(true);
    };
    return { child, ended, until, err: () => err };
  }

  it('SIGINT stops a run: it ends by the signal, leaving no output, temporary file or made directory', async () => {
    const sub = mkdtempSync(join(dir, 'sigint-'));
    // The trace shares the directory the timeline's made: it is empty only once both are gone.
    const run = spawnCli(sub, ['run', '--preset', 'tiering-6040', '--duration', '1h', '--out', 'new/deep/a.ndjson', '--plot', 'a.svg', '--trace', 'new/a.trace', '--no-progress']);
    // Signal once the run is writing (its temporary timeline exists).
    await run.until(() => filesIn(join(sub, 'new', 'deep')).some((f) => f.endsWith('.tmp')));
    run.child.kill('SIGINT');
    // Ended by SIGINT itself (after cleaning up), so a calling shell loop stops too.
    expect(await run.ended).toEqual({ code: null, signal: 'SIGINT' });
    expect(run.err()).toBe('damon-sim: interrupted (SIGINT): stopped, no output written\n');
    expect(readdirSync(sub)).toEqual([]);
  }, 60_000);

  it('SIGHUP (a closed terminal) stops a run as SIGINT does, leaving nothing behind', async () => {
    const sub = mkdtempSync(join(dir, 'sighup-'));
    const run = spawnCli(sub, ['run', '--preset', 'tiering-6040', '--duration', '1h', '--out', 'sub/o.ndjson', '--trace', 't.txt', '--no-progress']);
    await run.until(() => filesIn(join(sub, 'sub')).some((f) => f.endsWith('.tmp')));
    run.child.kill('SIGHUP');
    expect(await run.ended).toEqual({ code: null, signal: 'SIGHUP' });
    expect(run.err()).toBe('damon-sim: interrupted (SIGHUP): stopped, no output written\n');
    expect(readdirSync(sub)).toEqual([]);
  }, 60_000);

  it('SIGTERM in a sweep keeps the finished runs\' files and says so', async () => {
    const sub = mkdtempSync(join(dir, 'sigterm-'));
    const run = spawnCli(sub, ['run', '--preset', 'tiering-6040', '--duration', '1s', '--seeds', '1-60', '--out-dir', 'od', '--no-progress']);
    await run.until(() => filesIn(join(sub, 'od')).filter((f) => f.endsWith('.svg')).length >= 2);
    run.child.kill('SIGTERM');
    expect(await run.ended).toEqual({ code: null, signal: 'SIGTERM' });
    const files = readdirSync(join(sub, 'od'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const done = files.filter((f) => f.endsWith('.svg')).length;
    expect(files.filter((f) => f.endsWith('.ndjson')).length).toBe(done);
    const last = run.err().trimEnd().split('\n').pop();
    expect(last).toBe(`damon-sim: interrupted (SIGTERM): stopped, no output written for this run; the files of the ${done} run${done === 1 ? '' : 's'} before it are kept`);
    expect(done).toBeLessThan(60);
  }, 60_000);

  it('an output on the scenario file itself', async () => {
    const file = join(dir, 'clobber.yaml');
    const text = stringify(goodDoc());
    writeFileSync(file, text);
    const r = await cli(['run', file, '--out', file, '--no-progress']);
    expectError(expectRejected(r), '--out', "expected a file other than the scenario file's");
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it("an output on the file of damo's --kdamonds or --schemes", async () => {
    const kd = join(dir, 'kd.json');
    const r0 = await cli(['export', '--preset', 'tiering-6040', '--tuner', 'temporal']);
    expect(r0.code, r0.err).toBe(0);
    writeFileSync(kd, r0.out);
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1', '--kdamonds', kd, '--out', kd, '--no-progress']);
    expectError(expectRejected(r), '--out', "expected a file other than the --kdamonds file's");
    expect(readFileSync(kd, 'utf8')).toBe(r0.out);
    const sch = join(dir, 'sch.json');
    const schemes = JSON.stringify((JSON.parse(r0.out) as { kdamonds: Array<{ contexts: Array<{ schemes: unknown[] }> }> }).kdamonds[0].contexts[0].schemes);
    writeFileSync(sch, schemes);
    const r2 = await cli(['run', '--preset', 'tiering-6040', '--duration', '1', '--schemes', sch, '--trace', sch, '--no-progress']);
    expectError(expectRejected(r2), '--trace', "expected a file other than the --schemes file's");
    expect(readFileSync(sch, 'utf8')).toBe(schemes);
    // One file for both inputs is no clash.
    const r3 = await cli(['run', '--preset', 'tiering-6040', '--duration', '1', '--kdamonds', kd, '--schemes', kd, '--no-progress']);
    expect(r3.code, r3.err).toBe(0);
  });

  it("--out-dir's files of a sweep or a comparison on an input", async () => {
    // A sweep's file is NAME-seedN.ndjson: a scenario file of that name in --out-dir was overwritten.
    const od = mkdtempSync(join(dir, 'od-input-'));
    const file = join(od, 'cc-seed1.ndjson');
    const text = stringify({ ...goodDoc(), name: 'cc' });
    writeFileSync(file, text);
    const r = await cli(['run', file, '--duration', '1', '--seeds', '1', '--out-dir', od, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`damon-sim: error: --out-dir: expected a file other than the scenario file's; found the same file "${file}"\n`);
    expect(readFileSync(file, 'utf8')).toBe(text);
    // The preset with damo options names its runs NAME+damo-options.
    const kd = join(od, 'tiering-6040+damo-options-seed1.svg');
    const r0 = await cli(['export', '--preset', 'tiering-6040']);
    writeFileSync(kd, r0.out);
    const r2 = await cli(['run', '--preset', 'tiering-6040', '--kdamonds', kd, '--seeds', '1', '--out-dir', od, '--duration', '1', '--no-progress']);
    expect(r2.code).toBe(2);
    expect(r2.err).toBe(`damon-sim: error: --out-dir: expected a file other than the --kdamonds file's; found the same file "${kd}"\n`);
    expect(readFileSync(kd, 'utf8')).toBe(r0.out);
    expect(readdirSync(od).sort()).toEqual(['cc-seed1.ndjson', 'tiering-6040+damo-options-seed1.svg']);
    // A comparison's file is NAME+TUNER.ndjson.
    const cmp = join(od, 'cc+consist.ndjson');
    writeFileSync(cmp, text);
    const r3 = await cli(['run', cmp, '--duration', '1', '--compare-tuners', '--out-dir', od, '--no-progress']);
    expect([r3.code, r3.err]).toEqual([2, `damon-sim: error: --out-dir: expected a file other than the scenario file's; found the same file "${cmp}"\n`]);
    expect(readFileSync(cmp, 'utf8')).toBe(text);
  });

  it("export's --script on the scenario file itself", async () => {
    const file = join(dir, 'clobber-export.yaml');
    const text = stringify(goodDoc());
    writeFileSync(file, text);
    const r = await cli(['export', file, '--script', file]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`damon-sim: error: --script: expected a file other than the scenario file's; found the same file "${file}"\n`);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a scenario file that does not exist', async () => {
    const file = join(dir, 'nope.yaml');
    const outFile = join(dir, 'nope.ndjson');
    const r = await cli(['run', file, '--out', outFile, '--no-progress']);
    expectError(expectRejected({ ...r, outFile }), file, 'ENOENT');
  });
});

describe("runScenario given a hand-built Scenario (the library's loader was skipped)", () => {
  const good = () => scenarioFromDoc(goodDoc()).scenario as unknown as Record<string, unknown>;
  const cases: Array<[string, (sc: Record<string, unknown>) => void, string]> = [
    ['no machine', (sc) => delete sc.machine, 'expected scenario.machine, an object (scenarioFromDoc() builds a Scenario from a scenario document); found undefined'],
    ['kdamonds not a list', (sc) => (sc.kdamonds = {}), 'expected scenario.kdamonds, a list (scenarioFromDoc() builds a Scenario from a scenario document); found an object'],
    ['record null', (sc) => (sc.record = null), 'expected scenario.record, an object (scenarioFromDoc() builds a Scenario from a scenario document); found null'],
    ['duration "30 s"', (sc) => (sc.duration = '30 s'), 'expected scenario.duration in ns, a positive finite number (scenarioFromDoc() makes one from "30 s"); found "30 s"'],
  ];
  for (const [name, spoil, message] of cases) {
    it(`${name}: a TypeError naming the part, before any step`, () => {
      const sc = good();
      spoil(sc);
      expect(() => runScenario(sc as never)).toThrow(new TypeError(`runScenario: ${message}`));
    });
  }

  it('a Scenario changed after loading gets the checks a document gets: another kernel profile that lacks its goal metric and tuner is refused, as the CLI refuses it', () => {
    const sc = scenarioFromDoc(goodDoc()).scenario;
    const other = { ...sc, kernel: { ...sc.kernel, profile: 'mainline-6.19' } };
    let caught: unknown;
    try {
      runScenario(other);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.path)).toEqual([`${GOAL}.metric`, `${SCHEME}.quotas.goal_tuner`]);
  });

  it('traceEvents takes the names --trace-events takes ("damon:" or not); an unknown one is a TypeError', () => {
    const sc = scenarioFromDoc({ ...goodDoc(), duration: '3 s' }).scenario;
    const lines = (events: Iterable<string>) => {
      const out: string[] = [];
      runScenario(sc, { trace: (l) => out.push(l), traceEvents: events as never });
      return out;
    };
    const plain = lines(['damos_esz']);
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((l) => l.includes(' damon:damos_esz: '))).toBe(true);
    expect(lines(new Set(['damon:damos_esz']))).toEqual(plain);
    expect(() => lines(['bogus'])).toThrow(new TypeError(`runScenario: expected opts.traceEvents from ${TRACEPOINTS.join(', ')} (a "damon:" prefix is taken); found "bogus"`));
  });
});

describe('a good scenario', () => {
  it('exits 0 and writes the whole timeline', async () => {
    const r = await runDoc(stringify(goodDoc()), 'yaml');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(`damon-sim: wrote ${r.outFile}\n`);
    expect(r.out).toMatch(/node_eligible_mem_bp/);
    const lines = readFileSync(r.outFile, 'utf8').trimEnd().split('\n');
    const recs = lines.map((l) => JSON.parse(l) as { type: string; t?: number; seed?: number; duration_s?: number });
    expect(recs[0]).toMatchObject({ type: 'header', seed: 7, duration_s: 2 });
    expect(recs[recs.length - 1]).toMatchObject({ type: 'summary', t: 2 });
    // 2 s of 20-sample aggregations, ~120 ms each at HZ 1000 (a 5 ms sleep ends at the sixth tick
    // boundary; the kdamond's own time shaves off a few), and one goal record per 1 s window.
    const aggrs = recs.filter((x) => x.type === 'aggr').length;
    expect(aggrs).toBeGreaterThanOrEqual(15);
    expect(aggrs).toBeLessThanOrEqual(16);
    expect(recs.filter((x) => x.type === 'goal').length).toBe(2);
  });

  it('the summary\'s migrated bytes are the whole run\'s, however sparsely the timeline records aggregations', () => {
    // The preset for 40 s: its first aggregation has seen 128 MiB of the ~5 GiB the run moves.
    const d = tiering6040('temporal');
    d.duration = 40;
    const dense = runScenario(scenarioFromDoc(d).scenario);
    d.record = { aggr_stride: 1000 };
    const sparse = runScenario(scenarioFromDoc(d).scenario);
    expect(sparse.aggrs.length).toBe(1);
    const total = (m: ReadonlyArray<{ bytes: number }>) => m.reduce((a, x) => a + x.bytes, 0);
    expect(total(dense.migrations)).toBeGreaterThan(10 * total(migrationSummary(sparse.aggrs[0])));
    expect(sparse.migrations).toEqual(dense.migrations);
    const m = dense.simulation.machine.migratedBytes;
    const r = dense.simulation.machine.returns.returned;
    expect(dense.migrations.map(({ from, to, bytes, returned }) => ({ from, to, bytes, returned }))).toEqual(
      m.flatMap((row, from) => row.map((bytes, to) => ({ from, to, bytes, returned: r[from][to] })).filter((x) => x.bytes > 0)),
    );
  });

  it('a hot-set move at or after the end of the run draws the warning a late event does, judged again by --duration', () => {
    const d = goodDoc();
    d.workload.moves = [{ at: '1 s', hot_offset: 0 }, { at: '5 s', hot_offset: '4 MiB' }];
    const loaded = scenarioFromDoc(d);
    expect(loaded.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['workload.moves[1].at: at or after the end of the run (2 s): the hot set never moves there']);
    setDuration(loaded, 10e9);
    expect(loaded.warnings).toEqual([]);
  });

  it('hot-set moves at fractions of a second, as any time value (they were cut to whole seconds)', () => {
    const d = goodDoc();
    d.workload.moves = [{ at: '500 ms', hot_offset: 0 }, { at: 1.5, hot_offset: '4 MiB' }, { at: '2500 ms', hot_offset: 0 }];
    const { scenario } = scenarioFromDoc(d);
    const moves = scenario.workload.processes[0].areas[0].hot?.moves;
    expect(moves).toEqual([
      { at: 500e6, offset: 0 },
      { at: 1.5e9, offset: 4 * 2 ** 20 },
      { at: 2.5e9, offset: 0 },
    ]);
  });
});
