// SPDX-License-Identifier: GPL-2.0-only
/**
 * Fuzzing the input side: whatever a user writes, damon-sim either accepts it or refuses it with
 * its validation error, never with anything else (which the CLI reports as "internal error", exit
 * 1). The entry points and what each may throw:
 *
 * | entry point | throws |
 * | --- | --- |
 * | `parseText` (src/scenario/load.ts) | ConfigError |
 * | `scenarioFromDoc` (src/scenario/load.ts) | ConfigError |
 * | `readKdamonds` (src/formats/damo/emit.ts, the damo kdamonds reader) | ConfigError |
 * | `damoArgsToParams` (src/formats/damo/args.ts) | ConfigError (UnitErrors are wrapped with the option's name) |
 * | `splitRunArgs` (src/cli/run-damo.ts) | UsageError, ConfigError |
 * | `importSysfsTree` (src/formats/sysfs/import.ts) | ConfigError |
 *
 * UnitError (src/formats/damo/units.ts) is internal to the readers: one escaping an entry point
 * would reach the CLI as an internal error, so it counts as a failure here. Every ConfigError must
 * carry at least one issue, each one line with a path and a message.
 *
 * Inputs: random JSON values; mutations of valid scenario documents (keys deleted, leaves and
 * subtrees replaced by values of other types, unit-like strings, unknown keys added), also through
 * YAML/JSON text; random text that looks like YAML; random damo command lines drawn from the real
 * option names; mutations of exported sysfs trees; and random damon-sim command lines through
 * main(), which must return 0 or 2 (never 1, "internal error").
 *
 * Runs are seeded (FUZZ_SEED, default fixed) so a failure reproduces; FUZZ_RUNS scales every
 * property's number of runs (default 1).
 */
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { machineRanges } from '../src/cli/damo-common.js';
import { UsageError } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { splitRunArgs } from '../src/cli/run-damo.js';
import { DAMOS_ACTIONS, FILTER_TYPES, GOAL_TUNERS, QUOTA_GOAL_METRICS, WMARK_METRICS } from '../src/damos/scheme.js';
import { DAMO_OPTIONS, damoArgsToParams } from '../src/formats/damo/args.js';
import { readKdamonds, wrapKdamonds } from '../src/formats/damo/emit.js';
import { kdamondsTree } from '../src/formats/damo/tree.js';
import { UnitError } from '../src/formats/damo/units.js';
import { sysfsFiles, writeSysfsFiles, type SysfsFile } from '../src/formats/sysfs/export.js';
import { importSysfsTree } from '../src/formats/sysfs/import.js';
import { PROFILES, findProfile } from '../src/profiles.js';
import { ConfigError } from '../src/scenario/issues.js';
import { parseText } from '../src/formats/document.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '..');
const EXAMPLES = join(ROOT, 'examples');
const CORPUS = join(HERE, 'corpus', 'bad');

const SEED = process.env.FUZZ_SEED === undefined ? 20251125 : Number(process.env.FUZZ_SEED);
const SCALE = process.env.FUZZ_RUNS === undefined ? 1 : Number(process.env.FUZZ_RUNS);
const runs = (n: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)), endOnFailure: false });

const tmp = mkdtempSync(join(tmpdir(), 'damon-sim-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;
const fresh = (what: string): string => join(tmp, `${what}${seq++}`);

// Process warnings (a library's console hints) reach the user's stderr outside the one-line-per-
// problem contract: every input above must run without one (checked by the last test).
const processWarnings: string[] = [];
const onWarning = (w: Error): void => void processWarnings.push(w.message.slice(0, 200));
process.on('warning', onWarning);
afterAll(() => void process.off('warning', onWarning));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// ---------------------------------------------------------------------------------------------
// The contract

type ErrorClass = typeof ConfigError | typeof UsageError | typeof UnitError;

/**
 * Run `f`; it may return or throw one of `allowed` (a ConfigError with at least one issue, each
 * with a path and a message); anything else fails with the input shown. With `oneLine`, every
 * issue must also fit on one line (checked by its own properties below, so that this minor
 * problem does not hide the others).
 */
function onlyValidationErrors(f: () => unknown, allowed: readonly ErrorClass[], input: () => string, opts: { oneLine?: boolean } = {}): void {
  try {
    f();
  } catch (e) {
    const ok = allowed.some((cls) => e instanceof cls);
    if (!ok) {
      const err = e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      throw new Error(`threw something other than ${allowed.map((c) => c.name).join('/')}:\n${err}\ninput: ${input()}`);
    }
    if (e instanceof ConfigError) {
      expect(e.issues.length, `a ConfigError without issues; input: ${input()}`).toBeGreaterThan(0);
      for (const i of [...e.issues, ...e.warnings]) {
        expect(typeof i.path === 'string' && i.path.length > 0, `issue without a path: ${JSON.stringify(i)}; input: ${input()}`).toBe(true);
        expect(typeof i.message === 'string' && i.message.length > 0, `issue without a message: ${JSON.stringify(i)}`).toBe(true);
        if (opts.oneLine) expect(i.path.includes('\n') || i.message.includes('\n'), `an issue spanning lines (one line per problem): ${JSON.stringify(i)}; input: ${input()}`).toBe(false);
      }
    }
    if (e instanceof UsageError && opts.oneLine) expect(e.message.includes('\n'), `UsageError spanning lines: ${JSON.stringify(e.message)}; input: ${input()}`).toBe(false);
  }
}

/** JSON.stringify that survives what fast-check and YAML produce (bigint, NaN, -0, Map, Set, ...). */
function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return `${x}n`;
      if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
      if (x instanceof Map) return { Map: [...x.entries()] };
      if (x instanceof Set) return { Set: [...x] };
      if (x instanceof Uint8Array) return { Uint8Array: [...x] };
      return x;
    });
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Valid documents to mutate

function tinyDoc(): Json {
  return {
    name: 'tiny',
    seed: 7,
    duration: '2 s',
    kernel: { profile: 'b0', hz: 1000 },
    sampling: 'region',
    machine: { base: '4 GiB', hole: 0, swap: '16 MiB', nodes: [{ capacity: '32 MiB', kind: 'dram', reserved: '1 MiB' }, { capacity: '32 MiB', kind: 'cxl', latency_ns: 250 }] },
    workload: { type: 'hotset', rss: '16 MiB', hot_set: '4 MiB', hot_share: '99 %', access_rate: 400000, nodes: [1, 0], memcg: '/app', moves: [{ at: '1 s', hot_offset: '4 MiB' }] },
    record: { aggr_stride: 2 },
    damon: {
      kdamonds: [
        {
          refresh_ms: 1000,
          contexts: [
            {
              ops: 'paddr',
              addr_unit: 1,
              targets: [{ pid: null, obsolete: false, regions: [{ start: '4 GiB', end: '4128 MiB' }, { start: '4128 MiB', end: '4160 MiB' }] }],
              intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: { access_bp: '4 %', aggrs: 3, min_sample_us: '5 ms', max_sample_us: '10 s' } },
              nr_regions: { min: 10, max: 1000 },
              pause: false,
              schemes: [
                {
                  action: 'migrate_hot',
                  target_nid: 0,
                  dests: [{ id: 0, weight: 1 }],
                  access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '5 %', max: 'max' }, age: { min: '1 s', max: 'max' } },
                  apply_interval_us: '1 s',
                  quotas: {
                    time_ms: '10 ms',
                    sz_bytes: '8 MiB',
                    reset_interval_ms: '1 s',
                    fail_charge_num: 1,
                    fail_charge_denom: 2,
                    goal_tuner: 'temporal',
                    goals: [
                      { metric: 'node_eligible_mem_bp', nid: 0, target_value: 6000, current_value: 0 },
                      { metric: 'node_memcg_used_bp', nid: 1, memcg_path: '/app', target_value: '50 %' },
                      { metric: 'some_mem_psi_us', target_value: '1 ms' },
                      { metric: 'user_input', target_value: 10000, current_value: 5000 },
                    ],
                    weights: { sz_permil: 1, nr_accesses_permil: '1 %', age_permil: 0 },
                  },
                  watermarks: { metric: 'free_mem_rate', interval_us: '5 s', high_permil: 500, mid_permil: 400, low_permil: '20 %' },
                  core_filters: [{ filter_type: 'addr', matching: true, allow: true, address_range: { start: '4128 MiB', end: '4160 MiB' } }],
                  ops_filters: [
                    { filter_type: 'anon', matching: 'Y', allow: 'N' },
                    { filter_type: 'memcg', matching: true, allow: false, memcg_path: '/app' },
                    { filter_type: 'hugepage_size', matching: true, allow: false, hugepage_size: ['2 MiB', '2 MiB'] },
                  ],
                  filters: [{ filter_type: 'target', matching: true, allow: true, damon_target_idx: 0 }],
                  max_nr_snapshots: 3,
                },
                { action: 'stat' },
              ],
            },
          ],
        },
      ],
    },
    // Early, so that runs cut to a few tens of ms still deliver them.
    events: [
      { at: '10 ms', command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 5000 }] },
      { at: '15 ms', scheme: 0, goal: 3, current_value: 7000 },
      { at: 0.02, command: 'update_schemes_tried_regions' },
      {
        at: '25 ms',
        command: 'commit',
        via: 'sysfs',
        damon: { contexts: [{ ops: 'paddr', targets: [{ regions: [{ start: '4 GiB', end: '4160 MiB' }] }], schemes: [{ action: 'pageout', quotas: { sz_bytes: '1 MiB', reset_interval_ms: 100 } }] }] },
      },
      { at: '30 ms', command: 'update_schemes_stats' },
      { at: '35 ms', command: 'off' },
    ],
  };
}

function exampleDocs(): Json[] {
  return readdirSync(EXAMPLES)
    .filter((f) => /\.ya?ml$|\.json$/.test(f))
    .sort()
    .map((f) => parseText(readFileSync(join(EXAMPLES, f), 'utf8'), f));
}

const BASES: Json[] = [tinyDoc(), tiering6040('consist') as Json, ...exampleDocs()];

it('the base documents are valid (so mutations start from accepted input)', () => {
  for (const d of BASES) expect(() => scenarioFromDoc(structuredClone(d))).not.toThrow();
});

// ---------------------------------------------------------------------------------------------
// Arbitraries

const NUM_PARTS = ['0', '1', '-1', '7', '1.5', '.5', '5.', '1,000', '1,,0', '1e3', '1E3', '1e-3', '1e999', '-0', '0x10', '1_000', '18446744073709551615', '18446744073709551616', '9007199254740993', '99999999999999999999999', 'NaN', 'Infinity', 'abc', '', ' '];
const SUFFIXES = ['', 'B', 'K', 'k', 'KB', 'KiB', 'MiB', 'mib', 'GiB', 'G', 'TiB', 'EiB', 'E', 'ns', 'us', 'ms', 's', 'm', 'h', 'd', 'sec', 'min', '%', ' %', 'samples', 'aggr_intervals', 'permil', 'bp', 'max', 'min', 'x', ' samples %', ' ms 5'];

/** Strings shaped like damo's human values, valid or almost. */
const unitString: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.oneof(fc.constantFrom(...NUM_PARTS), fc.integer().map(String), fc.double().map(String)), fc.constantFrom('', ' ', '  ', '\t'), fc.constantFrom(...SUFFIXES)).map(([n, s, u]) => `${n}${s}${u}`),
  fc.constantFrom('max', 'min', 'MAX', ' max ', '1 h 2 m 3 s', '2 h 1 m 59 s 123 ms', '1 s 1', 's 1', '5 ms ms', '1.5 GiB', '200MB', '99.7 %', '0.1%', '3 samples', '50 aggr_intervals', 'Y', 'N', 'yes', 'on', 'off', 'null', '~'),
);

/** Strings that may break line-oriented output or lookups. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', ' ', '\n', 'a\nb', '\r', '\u0000', '\u001b[31m', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '💥', 'x'.repeat(300)),
);

/** Any value a JSON/YAML reader could hand over (and then some). */
const wildValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: unitString },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -0, 1, -1, 0.5, -0.5, 3, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, -(2 ** 64), 1e300, Infinity, -Infinity, NaN, [], {}, [[]], [{}]) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n })) },
  { weight: 1, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(new Date(0), new Uint8Array([1, 2]), new Set([1]), new Map([['a', 1]])) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.array(unitString, { maxLength: 3 }) },
);

type PathSeg = string | number;

/** Every path into a document (objects and arrays), the root excluded. */
function pathsOf(v: unknown, at: PathSeg[] = [], out: PathSeg[][] = []): PathSeg[][] {
  const children: PathSeg[] = Array.isArray(v) ? v.map((_, i) => i) : v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? Object.keys(v) : [];
  for (const k of children) {
    out.push([...at, k]);
    pathsOf((v as Record<PathSeg, unknown>)[k], [...at, k], out);
  }
  return out;
}

function containersOf(doc: unknown): PathSeg[][] {
  return [[], ...pathsOf(doc)].filter((p) => {
    const v = getAt(doc, p);
    return v !== null && typeof v === 'object';
  });
}

function getAt(doc: unknown, p: readonly PathSeg[]): unknown {
  let v = doc;
  for (const s of p) v = (v as Record<PathSeg, unknown>)[s];
  return v;
}

/** Set an own property even for "__proto__". */
function setOwn(o: Record<PathSeg, unknown>, k: PathSeg, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const KEYS = [...new Set(pathsOf(tinyDoc()).map((p) => p[p.length - 1]).filter((k): k is string => typeof k === 'string'))];

interface Mutation {
  op: 'delete' | 'replace' | 'insert' | 'duplicate';
  pick: number;
  value: unknown;
  key: string;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<Mutation['op']>('delete', 'replace', 'replace', 'replace', 'insert', 'duplicate'),
  pick: fc.nat(),
  value: wildValue,
  key: fc.oneof(fc.constantFrom(...KEYS), nastyString),
});

function mutate(doc: Json, muts: readonly Mutation[]): Json {
  let d = doc;
  for (const mut of muts) {
    // fast-check hands out the same constant objects ([], {}, ...) to every run: never edit those.
    const m = { ...mut, value: structuredClone(mut.value) };
    if (m.op === 'insert') {
      const cs = containersOf(d);
      if (cs.length === 0) {
        d = m.value;
        continue;
      }
      const p = cs[m.pick % cs.length];
      const c = getAt(d, p) as Record<PathSeg, unknown>;
      if (Array.isArray(c)) c.push(m.value);
      else setOwn(c, m.key, m.value);
      continue;
    }
    const ps = pathsOf(d);
    if (ps.length === 0) {
      d = m.value;
      continue;
    }
    const p = ps[m.pick % ps.length];
    const parent = getAt(d, p.slice(0, -1)) as Record<PathSeg, unknown> & unknown[];
    const last = p[p.length - 1];
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (m.op === 'duplicate') {
      if (Array.isArray(parent)) parent.splice(last as number, 0, structuredClone(parent[last as number]));
      else setOwn(parent, m.key, structuredClone(parent[last]));
    } else setOwn(parent, last, m.value);
  }
  return d;
}

const mutatedDoc: fc.Arbitrary<{ base: number; muts: Mutation[] }> = fc.record({
  base: fc.nat({ max: BASES.length - 1 }),
  muts: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
});

const build = ({ base, muts }: { base: number; muts: Mutation[] }): Json => mutate(structuredClone(BASES[base]), muts);

// ---------------------------------------------------------------------------------------------
// The scenario loader and the damo kdamonds reader

describe('the scenario loader throws only ConfigError', () => {
  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), wildValue), (v) => {
        onlyValidationErrors(() => scenarioFromDoc(v), [ConfigError], () => show(v));
      }),
      runs(300),
    );
  });

  it('on random documents with the scenario keys', () => {
    const top = fc.dictionary(fc.constantFrom('name', 'seed', 'duration', 'kernel', 'sampling', 'machine', 'workload', 'record', 'damon', 'events', 'x'), wildValue);
    fc.assert(
      fc.property(top, (v) => onlyValidationErrors(() => scenarioFromDoc(v), [ConfigError], () => show(v))),
      runs(300),
    );
  });

  it('on mutations of valid scenario documents', () => {
    fc.assert(
      fc.property(mutatedDoc, (m) => {
        const d = build(m);
        onlyValidationErrors(() => scenarioFromDoc(d), [ConfigError], () => show(d));
      }),
      runs(1500),
    );
  });

  it('on mutated documents written as YAML or JSON text and parsed back (parseText + scenarioFromDoc)', () => {
    fc.assert(
      fc.property(mutatedDoc, fc.constantFrom('yaml', 'json', 'auto') as fc.Arbitrary<'yaml' | 'json' | 'auto'>, (m, fmt) => {
        const d = build(m);
        let text: string;
        try {
          text = fmt === 'json' ? JSON.stringify(d) : stringify(d);
        } catch {
          return; // not representable (bigint in JSON, ...)
        }
        if (text === undefined) return;
        onlyValidationErrors(() => scenarioFromDoc(parseText(text, 'fuzz.txt', fmt)), [ConfigError], () => JSON.stringify(text));
      }),
      runs(500),
    );
  });
});

describe('the text parser throws only ConfigError', () => {
  const TOKENS = ['a', 'b', 'damon', ':', ': ', ' ', '  ', '\n', '\n  ', '- ', '&a ', '&b ', '*a', '*b', '[', ']', '{', '}', ',', '"', "'", '!!', '!!binary ', '!!set ', '!!map ', '!!omap ', '!!str ', '!!int ', '!!float ', '!!timestamp ', '!x ', '? ', '|', '>', '#', '%YAML 1.1\n', '%TAG ! tag:x:\n', '---\n', '...\n', '<<: ', '\t', '1', '1e999', '.inf', '.nan', '~', 'null', 'true', 'y', '0x1F', '0o17', '2001-12-14', '\\', '\u0000', '\uFEFF', '@', '`', '4 GiB', '5 %'];
  const yamlish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join(''));
  const jsonish = fc.jsonValue({ maxDepth: 3 }).chain((v) => {
    const s = JSON.stringify(v) ?? 'null';
    return fc.tuple(fc.nat({ max: s.length }), fc.nat({ max: 3 }), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', '\n', '{', '[')).map(([at, del, ins]) => s.slice(0, at) + ins + s.slice(at + del));
  });
  for (const [name, arb] of [
    ['YAML-like token soup', yamlish],
    ['damaged JSON', jsonish],
    ['random strings', fc.string({ unit: 'binary', maxLength: 60 })],
  ] as const) {
    it(`on ${name}`, () => {
      fc.assert(
        fc.property(arb, fc.constantFrom('yaml', 'json', 'auto') as fc.Arbitrary<'yaml' | 'json' | 'auto'>, (text, fmt) => {
          onlyValidationErrors(
            () => {
              const doc = parseText(text, 'fuzz.txt', fmt);
              scenarioFromDoc(doc);
            },
            [ConfigError],
            () => `${fmt} ${JSON.stringify(text)}`,
          );
        }),
        runs(400),
      );
    });
  }
});

describe('the damo kdamonds reader throws only ConfigError', () => {
  const damonParts = BASES.map((b) => b.damon);
  it('on random JSON values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), wildValue), (v) => onlyValidationErrors(() => readKdamonds(v), [ConfigError], () => show(v))),
      runs(300),
    );
  });
  it('on mutations of valid kdamonds documents (both wrappers)', () => {
    fc.assert(
      fc.property(fc.nat({ max: damonParts.length - 1 }), fc.boolean(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.constantFrom('kernel', 'upstream') as fc.Arbitrary<'kernel' | 'upstream'>, (i, bare, muts, compat) => {
        const base = structuredClone(damonParts[i]);
        const d = mutate(bare ? base.kdamonds : base, muts);
        onlyValidationErrors(() => readKdamonds(d, { compat }), [ConfigError], () => show(d));
      }),
      runs(1000),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// damo's command-line options

const OPTION_NAMES = DAMO_OPTIONS.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
const VALUE_WORDS = [
  ...DAMOS_ACTIONS,
  ...QUOTA_GOAL_METRICS,
  ...FILTER_TYPES,
  ...GOAL_TUNERS,
  ...WMARK_METRICS,
  'paddr', 'vaddr', 'fvaddr', 'allow', 'reject', 'deny', 'block', 'pass', 'none', 'matching', 'nomatching',
  '0', '1', '2', '3', '-1', '-5', '10', '1000', '6000', '60%', '5%', '0.5%', '99.7 %', '100%', '200%', 'max', 'min',
  '4K', '4 KiB', '2M', '128M', '200MB', '1G', '4G', '68G', '132G', '1e30', '18446744073709551616', '99999999999999999999',
  '5ms', '100ms', '1s', '10s', '5 ms', '1 m', 'max', '-1s', '1x', 'abc', '', ' ', '%', '-', '--', '-x', '=',
  '4G-68G', '4G-68G 68G-132G', '68G-4G', '4G-8G 6G-10G', '4G-', '-4G', 'a-b', '1-2-3', '0-0',
  '/', '/app', '/nope', 'x.yaml', 'x.json', 'samples', '5 samples', '1 aggr_intervals',
];
const valueWord = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUE_WORDS) }, { weight: 1, arbitrary: unitString }, { weight: 1, arbitrary: nastyString });
const damoGroup = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...OPTION_NAMES), fc.array(valueWord, { maxLength: 5 })).map(([o, vs]) => [o, ...vs]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OPTION_NAMES), valueWord).map(([o, v]) => [`${o}=${v}`]) },
  { weight: 1, arbitrary: fc.constantFrom(['--bogus'], ['-x'], ['stray'], ['--'], ['-']) },
);
/** A damo command line: groups of an option and some words, mostly well-formed. */
const damoTokens = fc.array(damoGroup, { maxLength: 8 }).map((gs) => gs.flat());
/** A damo command line that builds something (starts with schemes or contexts), for deeper paths. */
const damoSchemeTokens = fc
  .tuple(fc.constantFrom(['--damos_action', 'migrate_hot', '0'], ['--damos_action', 'pageout'], ['--damos_action', 'stat'], ['--ops', 'paddr', '--regions', '4G-68G 68G-132G']), damoTokens)
  .map(([a, b]) => [...a, ...b]);

// Plausible words per option, so that generated command lines get past the word-level checks and
// reach the distribution of options over schemes and contexts, the reader and the validation.
const w = (...xs: string[]) => fc.constantFrom(...xs);
const rare = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: unitString });
const wTime = rare(w('0', '1', '5000', '5ms', '100ms', '1s', '10s', 'max', 'min', '1 m'));
const wSize = rare(w('0', '4K', '4096', '2M', '128M', '200MB', '1G', 'max', 'min'));
const wPct = rare(w('0', '5', '5%', '0.5 %', '50%', '100%', 'max', 'min'));
const wCount = rare(w('0', '1', '2', '3', '10', '1000', 'max'));
const wSmall = w('0', '1', '2', '3');
const wNid = w('0', '1', '2', '-1', '7');
const wordsOf = (...parts: fc.Arbitrary<string>[]) => fc.tuple(...parts).map((xs) => xs as string[]);
const upTo = (arb: fc.Arbitrary<string>, min: number, max: number) => fc.array(arb, { minLength: min, maxLength: max });
const GOAL_WORDS: fc.Arbitrary<string[]> = fc.oneof(
  wordsOf(w('user_input'), wCount, wCount),
  wordsOf(w('node_mem_used_bp', 'node_mem_free_bp', 'node_eligible_mem_bp'), fc.oneof(w('6000', '4000', '60%', '0'), wPct), wNid),
  wordsOf(w('node_memcg_used_bp', 'node_memcg_free_bp'), wPct, wNid, w('/', '/app', '/nope')),
  wordsOf(w('some_mem_psi_us'), wTime),
  wordsOf(w('active_mem_bp', 'inactive_mem_bp'), wPct),
);
const FILTER_WORDS: fc.Arbitrary<string[]> = fc
  .tuple(
    w('allow', 'reject'),
    fc.boolean(),
    fc.oneof(
      fc.constantFrom(['anon'], ['active'], ['young'], ['unmapped']),
      wordsOf(w('memcg'), w('/', '/app', '/nope')),
      wordsOf(w('addr'), wSize, wSize),
      wordsOf(w('target'), wSmall),
      wordsOf(w('hugepage_size'), wSize, wSize),
    ),
  )
  .map(([v, none, rest]) => [v, ...(none ? ['none'] : []), ...rest]);
const PLAUSIBLE: Record<string, fc.Arbitrary<string[]>> = {
  '--ops': wordsOf(w('paddr', 'paddr', 'vaddr', 'fvaddr')),
  '--target_pid': wordsOf(w('1', '42')),
  '--regions': wordsOf(w('4G-36G', '4G-36G 36G-68G', '36G-68G', '4G-5G 6G-7G', '68G-4G')),
  '--numa_node': upTo(wNid, 1, 2),
  '--monitoring_intervals': wordsOf(wTime, wTime, wTime),
  '--sample': wordsOf(wTime),
  '--aggr': wordsOf(wTime),
  '--updr': wordsOf(wTime),
  '--monitoring_intervals_goal': wordsOf(wPct, wCount, wTime, wTime),
  '--monitoring_intervals_autotune': fc.constant([]),
  '--monitoring_nr_regions_range': wordsOf(wCount, wCount),
  '--minr': wordsOf(wCount),
  '--maxr': wordsOf(wCount),
  '--damon_addr_unit': wordsOf(w('1', '4', '4096', '3', '0')),
  '--refresh_stat': wordsOf(wTime),
  '--nr_targets': upTo(wSmall, 1, 3),
  '--nr_schemes': upTo(wSmall, 1, 3),
  '--nr_ctxs': upTo(wSmall, 1, 3),
  '--damos_action': fc.oneof(wordsOf(w(...DAMOS_ACTIONS)), wordsOf(w('migrate_hot', 'migrate_cold'), wNid), wordsOf(w('migrate_hot', 'migrate_cold'), w('0', '1'), w('1', '100'), w('0', '1'), w('1', '9000'))),
  '--damos_sz_region': wordsOf(wSize, wSize),
  '--damos_access_rate': wordsOf(wPct, wPct),
  '--damos_age': wordsOf(wTime, wTime),
  '--damos_apply_interval': wordsOf(wTime),
  '--damos_quotas': fc.tuple(wTime, wSize, wTime, wCount, wCount, wCount, fc.integer({ min: 1, max: 6 })).map((xs) => xs.slice(0, xs[6] as number) as string[]),
  '--damos_quota_interval': wordsOf(wTime),
  '--damos_quota_time': wordsOf(wTime),
  '--damos_quota_space': wordsOf(wSize),
  '--damos_quota_weights': wordsOf(wCount, wCount, wCount),
  '--damos_quota_goal': GOAL_WORDS,
  '--damos_nr_quota_goals': upTo(wSmall, 1, 3),
  '--damos_quota_goal_tuner': wordsOf(w(...GOAL_TUNERS, ...GOAL_TUNERS, 'pid')),
  '--damos_quota_fail_charge_ratio': wordsOf(w('0', '1', '2', '10', 'max'), w('0', '1', '10')),
  '--damos_filter': fc.array(FILTER_WORDS, { minLength: 1, maxLength: 2 }).map((fs) => fs.flat()),
  '--damos_nr_filters': upTo(wSmall, 1, 3),
  '--damos_wmarks': wordsOf(w(...WMARK_METRICS), wTime, wCount, wCount, wCount),
  '--damos_max_nr_snapshots': wordsOf(wCount),
};
const COMPONENT_QUOTA_OPTS = ['--damos_quota_interval', '--damos_quota_time', '--damos_quota_space', '--damos_quota_weights'];
const COUNT_OPTS = ['--damos_nr_quota_goals', '--damos_nr_filters', '--nr_targets', '--nr_schemes', '--nr_ctxs'];
const SCHEME_OPTS = Object.keys(PLAUSIBLE).filter((o) => o.startsWith('--damos_') && !['--damos_action', '--damos_quotas', '--damos_quota_goal', '--damos_filter', ...COMPONENT_QUOTA_OPTS, ...COUNT_OPTS].includes(o));
const CONTEXT_OPTS = Object.keys(PLAUSIBLE).filter((o) => !o.startsWith('--damos_') && !COUNT_OPTS.includes(o));
const plausibleOpt = (names: string[]) => fc.constantFrom(...names).chain((o) => PLAUSIBLE[o].map((ws) => [o, ...ws]));
const plausibleScheme = fc.record({
  action: PLAUSIBLE['--damos_action'],
  opts: fc.array(plausibleOpt(SCHEME_OPTS), { maxLength: 3 }),
  quotas: fc.option(fc.tuple(wTime, wSize, wTime, wCount, wCount, wCount, fc.integer({ min: 3, max: 6 })).map((xs) => xs.slice(0, xs[6] as number) as string[])),
  goals: fc.array(GOAL_WORDS, { maxLength: 2 }),
  filters: fc.array(FILTER_WORDS, { maxLength: 2 }),
});
/**
 * A mostly well-formed damo command line: a few context options, then 1-3 schemes, each with some
 * per-scheme options, quotas (positional or component style, one style for all), goals and
 * filters, and the --damos_nr_* counts that hand goals and filters out (as damo requires with more
 * than one scheme).
 */
const plausibleDamo: fc.Arbitrary<string[]> = fc
  .tuple(fc.array(plausibleOpt(CONTEXT_OPTS), { maxLength: 2 }), fc.array(plausibleScheme, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
  .map(([ctx, schemes, component, counts]) => {
    const out = ctx.flat();
    for (const sc of schemes) {
      out.push('--damos_action', ...sc.action, ...sc.opts.flat());
      const q = sc.quotas ?? (sc.goals.length > 0 ? ['0', '128M', '1s'] : null);
      if (q && component) {
        out.push('--damos_quota_interval', q[2], '--damos_quota_time', q[0], '--damos_quota_space', q[1]);
        if (q.length === 6) out.push('--damos_quota_weights', q[3], q[4], q[5]);
      } else if (q) out.push('--damos_quotas', ...q);
      for (const g of sc.goals) out.push('--damos_quota_goal', ...g);
      for (const f of sc.filters) out.push('--damos_filter', ...f);
    }
    if (counts || schemes.length > 1) {
      if (schemes.some((x) => x.goals.length > 0)) out.push('--damos_nr_quota_goals', ...schemes.map((x) => `${x.goals.length}`));
      if (schemes.some((x) => x.filters.length > 0)) out.push('--damos_nr_filters', ...schemes.map((x) => `${x.filters.length}`));
    }
    return out;
  });

describe('the damo args parser throws only ConfigError', () => {
  const presetMachine = machineRanges(scenarioFromDoc(tiering6040() as Json).scenario.machine);
  it('on random command lines from the real option names, with and without a machine', () => {
    fc.assert(
      fc.property(fc.oneof(damoTokens, damoSchemeTokens, plausibleDamo, plausibleDamo), fc.boolean(), fc.constantFrom(undefined, 'kernel', 'upstream') as fc.Arbitrary<'kernel' | 'upstream' | undefined>, (tokens, withMachine, compat) => {
        onlyValidationErrors(() => damoArgsToParams(tokens, { compat, ...(withMachine ? presetMachine : {}) }), [ConfigError], () => JSON.stringify(tokens));
      }),
      runs(2000),
    );
  });

  it("run's split of the scenario file and damo's options throws only UsageError or ConfigError", () => {
    fc.assert(
      fc.property(damoTokens, fc.array(valueWord, { maxLength: 2 }), (tokens, extra) => {
        onlyValidationErrors(() => splitRunArgs([...extra, ...tokens]), [UsageError, ConfigError], () => JSON.stringify([...extra, ...tokens]));
      }),
      runs(500),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The sysfs importer

describe('the sysfs importer throws only ConfigError', () => {
  // b1's trees: every file and name there is (a base may set what b0's tree has no file for).
  const validFiles: SysfsFile[][] = BASES.map((b) => sysfsFiles(scenarioFromDoc(structuredClone(b)).scenario.kdamonds, findProfile('b1')!));
  const fileContent = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('0', '1', '2', '3', '-1', 'Y', 'N', 'y', 'n', '', ' ', '\n', 'paddr', 'vaddr', ...DAMOS_ACTIONS, ...QUOTA_GOAL_METRICS, ...FILTER_TYPES, ...GOAL_TUNERS, ...WMARK_METRICS, '4294967295', '4294967296', '2147483648', '9007199254740991', '9007199254740992', '18446744073709551615', '18446744073709551616', '99999999999999999999999', '1e3', '0x10', ' 1 ', '1\n2') },
    { weight: 1, arbitrary: unitString },
    { weight: 1, arbitrary: nastyString },
  );
  const treeMutation = fc.record({
    op: fc.constantFrom('content', 'content', 'content', 'count', 'delete', 'directory', 'extra-dir'),
    // Each try writes a tree: shrinking the picks (hundreds of tries) costs more than it tells.
    pick: fc.noShrink(fc.nat()),
    content: fileContent,
    count: fc.constantFrom('0', '2', '3', '1000000', '2147483647', '2147483648', '4294967296', '9007199254740991', '-1', '1,000'),
  });

  // Async, with a turn of the event loop per tree: the test takes 13-30 s of file writes, and a
  // worker that never yields that long misses vitest's 60-s RPC deadline on a starved machine
  // ("Timeout calling onTaskUpdate", vitest-dev/vitest#8164), failing a run whose tests all pass.
  it('on mutations of exported trees (bad values, odd nr_* counts, missing files, directories for files)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: validFiles.length - 1 }), fc.array(treeMutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (i, muts, kdamondsDir) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        let files = validFiles[i].map(([p, c]): SysfsFile => [p, c]);
        const dirs: string[] = [];
        for (const m of muts) {
          const k = m.pick % files.length;
          const counts = files.map((f, j) => (/\/nr_[a-z]+$/.test(f[0]) ? j : -1)).filter((j) => j >= 0);
          if (m.op === 'count' && counts.length > 0) {
            const j = counts[m.pick % counts.length];
            files[j] = [files[j][0], m.count];
          } else if (m.op === 'content') files[k] = [files[k][0], m.content];
          else if (m.op === 'delete') files = files.filter((_, j) => j !== k);
          else if (m.op === 'directory') {
            dirs.push(files[k][0]);
            files = files.filter((_, j) => j !== k);
          } else dirs.push(files[k][0].replace(/\/[^/]+$/, '/7'));
          if (files.length === 0) break;
        }
        const root = fresh('tree');
        mkdirSync(root, { recursive: true });
        writeSysfsFiles(root, files);
        for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
        const at = kdamondsDir ? join(root, 'kdamonds') : root;
        onlyValidationErrors(() => readKdamondsOfTree(at), [ConfigError], () => show({ base: i, muts }));
        rmSync(root, { recursive: true, force: true });
      }),
      runs(150),
    );
  }, 120_000 * SCALE);
});

/** What `damon-sim import` does: read the tree, print it as damo's config and read that back. */
function readKdamondsOfTree(dir: string): void {
  const list = kdamondsTree(importSysfsTree(dir).kdamonds);
  readKdamonds(wrapKdamonds(list));
}

// ---------------------------------------------------------------------------------------------
// One line per problem: values, keys and words holding a newline must not break the error line

describe('every problem is one line (a newline in the input stays escaped in the message)', () => {
  const withNewline = fc.constantFrom('a\nb', '\n', 'x\r\ny', '5\nms');
  const nlMutation: fc.Arbitrary<Mutation> = fc.record({
    op: fc.constantFrom<Mutation['op']>('replace', 'insert'),
    pick: fc.nat(),
    value: fc.oneof(withNewline, wildValue),
    key: fc.oneof(withNewline, fc.constantFrom(...KEYS)),
  });
  it('scenario documents', () => {
    fc.assert(
      fc.property(fc.nat({ max: BASES.length - 1 }), fc.array(nlMutation, { minLength: 1, maxLength: 3 }), (base, muts) => {
        const d = build({ base, muts });
        onlyValidationErrors(() => scenarioFromDoc(d), [ConfigError], () => show(d), { oneLine: true });
      }),
      runs(300),
    );
  });
  it('malformed JSON text spanning lines', () => {
    const jsonText = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 2) ?? 'null');
    const damaged = fc
      .tuple(jsonText, fc.nat(), fc.constantFrom('x', ',', '}', '"', ':', 'tru'))
      .map(([t, at, ins]) => t.slice(0, at % (t.length + 1)) + ins + t.slice(at % (t.length + 1)));
    fc.assert(
      fc.property(damaged, fc.constantFrom('json', 'auto') as fc.Arbitrary<'json' | 'auto'>, (text, fmt) => {
        onlyValidationErrors(() => parseText(text, 'fuzz.json', fmt), [ConfigError], () => JSON.stringify(text), { oneLine: true });
      }),
      runs(300),
    );
  });
  it('damo command-line words', () => {
    const nlTokens = fc.tuple(damoSchemeTokens, fc.constantFrom(...OPTION_NAMES), withNewline).map(([t, o, w]) => [...t, o, w]);
    fc.assert(
      fc.property(nlTokens, (tokens) => {
        onlyValidationErrors(() => damoArgsToParams(tokens), [ConfigError], () => JSON.stringify(tokens), { oneLine: true });
        onlyValidationErrors(() => splitRunArgs(['a.yaml', ...tokens]), [UsageError, ConfigError], () => JSON.stringify(tokens), { oneLine: true });
      }),
      runs(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The command line, end to end

interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Exit codes seen per property (printed with FUZZ_STATS=1, to see how deep the inputs reach). */
const stats = new Map<string, Map<number, number>>();
const slowest = new Map<string, { ms: number; argv: string[] }>();
let statsKey = '';
afterAll(() => {
  if (!process.env.FUZZ_STATS) return;
  for (const [k, m] of stats) console.log(`${k}: ${[...m].map(([c, n]) => `exit ${c} × ${n}`).join(', ')}; slowest ${Math.round(slowest.get(k)?.ms ?? 0)} ms: ${JSON.stringify(slowest.get(k)?.argv)}`);
});

async function cli(argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  let code: number;
  const t0 = performance.now();
  try {
    code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  } catch (e) {
    code = -1;
    err += `main() threw: ${e instanceof Error ? e.stack : String(e)}`;
  }
  const ms = performance.now() - t0;
  if (ms > (slowest.get(statsKey)?.ms ?? -1)) slowest.set(statsKey, { ms, argv });
  const m = stats.get(statsKey) ?? new Map<number, number>();
  m.set(code, (m.get(code) ?? 0) + 1);
  stats.set(statsKey, m);
  return { code, out, err };
}

function expectCliContract(r: CliResult, argv: string[]): void {
  const where = `damon-sim ${argv.map((a) => JSON.stringify(a)).join(' ')}\nexit ${r.code}\nstderr:\n${r.err.slice(0, 2000)}`;
  expect([0, 2], where).toContain(r.code);
  expect(r.err, where).not.toMatch(/internal error/);
  expect(r.err, where).not.toMatch(/^ {4}at /m);
  if (r.code === 2) expect(r.err.trim().length, where).toBeGreaterThan(0);
}

describe('main() returns 0 or 2 and never reports an internal error', () => {
  const scenarioFiles = [...readdirSync(EXAMPLES).map((f) => join(EXAMPLES, f)), join(CORPUS, 'unknown-action.yaml'), join(CORPUS, 'malformed-json.json'), join(tmp, 'missing.yaml')];
  const goodTree = join(tmp, 'good-tree');
  writeSysfsFiles(goodTree, sysfsFiles(scenarioFromDoc(tinyDoc()).scenario.kdamonds, findProfile('b1')!));
  const trees = [goodTree, join(goodTree, 'kdamonds'), join(CORPUS, 'sysfs-unknown-action.sysfs'), join(tmp, 'no-tree')];

  /** An output path under the temp dir (never anything that exists or sits outside it). */
  const outPath = (ext: string) => fc.constant(null).map(() => `${fresh('o')}.${ext}`);
  // Simulations run on the tiny machine only: on the 16-64 GiB ones, some valid configurations are
  // slow by design (a scheme whose core filters reject every region while a goal keeps its quota at
  // 4 KiB splits all of memory into 4 KiB regions in one apply pass, as the kernel's
  // damos_apply_scheme() splits before it filters; 64 GiB makes 16 M regions and ~20 s).
  const tinyFile = join(tmp, 'tiny.yaml');
  writeFileSync(tinyFile, stringify(tinyDoc()));
  const source: fc.Arbitrary<string[]> = fc.oneof(fc.constantFrom(...scenarioFiles).map((f) => [f]), fc.constantFrom<string[]>(['--preset', 'tiering-6040'], ['--preset', 'nope'], []));
  const simSource: fc.Arbitrary<string[]> = fc.constantFrom<string[]>([tinyFile], [tinyFile], [join(CORPUS, 'unknown-action.yaml')], [join(tmp, 'missing.yaml')], ['--preset', 'nope'], []);
  const pair = (names: string[], values: fc.Arbitrary<string>): fc.Arbitrary<string[]> => fc.tuple(fc.constantFrom(...names), values).map(([o, v]) => [o, v]);
  const hostOpt: fc.Arbitrary<string[]> = fc.oneof(
    pair(['--duration'], fc.oneof(fc.constantFrom('abc', '0', '-5', '10 m', 'max', '1e999', ''), unitString)),
    pair(['--seed'], fc.oneof(fc.constantFrom('-1', '1.5', '7', '99999999999999999999'), unitString)),
    pair(['--profile'], fc.constantFrom(...PROFILES.map((p) => p.name), 'nope', '')),
    pair(['--sampling'], fc.constantFrom('region', 'folio', 'page')),
    pair(['--tuner'], fc.constantFrom('temporal', 'consist', 'foo')),
    pair(['--damo-compat'], fc.constantFrom('kernel', 'upstream', 'x')),
    pair(['--format'], fc.constantFrom('json', 'yaml', 'report', 'xml')),
    fc.constantFrom<string[]>(['--raw'], ['--bare'], ['--scenario'], ['--params-only'], ['--compare-tuners'], ['--no-progress'], ['--markdown'], ['--help'], ['-h'], ['--version'], ['--bogus']),
    pair(['--out', '--trace', '--script'], outPath('out')),
    pair(['--plot'], outPath('svg')),
    pair(['--sysfs'], fc.oneof(outPath('d'), fc.constantFrom(...trees))),
    pair(['--machine'], fc.constantFrom(...scenarioFiles)),
  );
  const command = fc.constantFrom<string[]>(['run'], ['args'], ['export'], ['import'], ['report', 'damon'], ['report'], ['schema'], ['profiles'], ['nope'], []);
  const argvArb = fc
    .tuple(command, fc.tuple(source, simSource), fc.oneof(fc.array(fc.oneof(hostOpt, damoGroup), { maxLength: 6 }), fc.tuple(fc.array(hostOpt, { maxLength: 3 }), plausibleDamo).map(([h, d]) => [...h, d])), fc.boolean())
    .map(([cmd, [anySrc, simSrc], groups, srcFirst]) => {
      const src = cmd[0] === 'run' || cmd[0] === 'report' ? simSrc : anySrc;
      const rest = groups.flat();
      const argv = [...cmd, ...(srcFirst ? [...src, ...rest] : [...rest, ...src])];
      // Bound the work and keep every write inside the temp dir: these win over random ones.
      if (cmd[0] === 'run' || cmd[0] === 'report') argv.push('--duration', '20ms');
      if (cmd[0] === 'run') argv.push('--out-dir', fresh('outdir'), '--no-progress');
      return argv;
    });

  it('on random command lines', async () => {
    statsKey = 'random command lines';
    // run's --compare-tuners writes to ./out unless --out-dir says otherwise (every run gets one here).
    const outBefore = existsSync(join(process.cwd(), 'out'));
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        expectCliContract(await cli(argv), argv);
      }),
      runs(300),
    );
    expect(existsSync(join(process.cwd(), 'out')), 'nothing written to ./out').toBe(outBefore);
  });

  it('on mutated scenario files (export, report --params-only, run for 50 ms, export --sysfs then import)', async () => {
    statsKey = 'mutated scenario files';
    await fc.assert(
      fc.asyncProperty(mutatedDoc, fc.boolean(), async (m, asJson) => {
        const d = build(m);
        let text: string;
        try {
          text = asJson ? JSON.stringify(d) : stringify(d);
        } catch {
          return;
        }
        if (text === undefined) return;
        const file = `${fresh('doc')}.${asJson ? 'json' : 'yaml'}`;
        writeFileSync(file, text);
        const runArgs = ['run', file, '--duration', '50ms', '--no-progress', '--out', `${fresh('run')}.ndjson`, '--trace', `${fresh('trace')}.txt`];
        for (const argv of [['export', file], ['report', 'damon', file, '--params-only'], ...(m.base === 0 ? [runArgs] : [])]) expectCliContract(await cli(argv), argv);
        const tree = fresh('sysfs');
        const ex = ['export', file, '--sysfs', tree];
        const r = await cli(ex);
        expectCliContract(r, ex);
        if (r.code === 0) {
          // An accepted scenario's tree must import cleanly (import(export(x)) works).
          const im = ['import', '--sysfs', tree];
          const ri = await cli(im);
          expectCliContract(ri, im);
          expect(ri.code, `import of an exported tree\n${ri.err}`).toBe(0);
        }
      }),
      runs(200),
    );
  });

  it('on random damo command lines through args and run', async () => {
    statsKey = 'damo command lines';
    await fc.assert(
      fc.asyncProperty(fc.oneof(damoTokens, damoSchemeTokens, plausibleDamo, plausibleDamo, plausibleDamo), fc.constantFrom('args', 'run'), fc.constantFrom('json', 'yaml', 'report'), async (tokens, cmd, format) => {
        const argv =
          cmd === 'args'
            ? ['args', ...tokens, '--format', format, '--preset', 'tiering-6040']
            : ['run', tinyFile, ...tokens, '--duration', '20ms', '--no-progress', '--out', `${fresh('run')}.ndjson`];
        expectCliContract(await cli(argv), argv);
      }),
      runs(400),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The smallest failing inputs the properties above found, as plain regression tests (all fail today)

describe('minimal counterexamples', () => {
  it('a YAML alias to an undefined anchor is a ConfigError naming the file (today: ReferenceError, reported as an internal error)', () => {
    onlyValidationErrors(() => parseText('*a', 'fuzz.yaml', 'yaml'), [ConfigError], () => '*a');
    onlyValidationErrors(() => parseText('machine: *m\n', 'fuzz.yaml', 'auto'), [ConfigError], () => 'machine: *m');
  });

  it('a YAML alias bomb is a ConfigError (today: ReferenceError "Excessive alias count", an internal error)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const [p, c] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      lines.push(`${c}: &${c} [${new Array(10).fill(`*${p}`).join(', ')}]`);
    }
    onlyValidationErrors(() => parseText(lines.join('\n'), 'bomb.yaml', 'yaml'), [ConfigError], () => 'alias bomb');
  });

  it('a sysfs count of 2^32 is a ConfigError (today: RangeError "Invalid array length", an internal error)', () => {
    const root = fresh('tree');
    const files = sysfsFiles(scenarioFromDoc(tinyDoc()).scenario.kdamonds, findProfile('b1')!).map(([p, c]): SysfsFile => [p, p.endsWith('/regions/nr_regions') ? '4294967296' : c]);
    writeSysfsFiles(root, files);
    onlyValidationErrors(() => readKdamondsOfTree(root), [ConfigError], () => 'nr_regions 4294967296');
  });

  it('a sysfs value above ULONG_MAX is a ConfigError (today: a UnitError from the printer, an internal error)', () => {
    const root = fresh('tree');
    const files = sysfsFiles(scenarioFromDoc(tinyDoc()).scenario.kdamonds, findProfile('b1')!).map(([p, c]): SysfsFile => [p, p.endsWith('/watermarks/interval_us') ? '99999999999999999999999' : c]);
    writeSysfsFiles(root, files);
    onlyValidationErrors(() => readKdamondsOfTree(root), [ConfigError], () => 'interval_us 99999999999999999999999');
  });

  it('a goal nid of 1000 (or -1000) survives export and import (today it is printed "1,000", which the reader refuses)', async () => {
    for (const nid of [1000, -1000]) {
      const d = tinyDoc();
      d.damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[1].nid = nid;
      const file = `${fresh('nid')}.yaml`;
      writeFileSync(file, stringify(d));
      const exported = await cli(['export', file, '--scenario', '--format', 'yaml']);
      expect(exported.code, exported.err).toBe(0);
      const again = `${fresh('nid')}.yaml`;
      writeFileSync(again, exported.out);
      const r = await cli(['export', again]);
      expect(r.code, `export of an exported scenario (nid ${nid})\n${r.err}`).toBe(0);
    }
  });

  it('a memory-hungry workload the validation accepts does not fail the run (today: "internal error: ... do not fit")', async () => {
    const d = tinyDoc();
    d.workload.rss = '48 MiB';
    d.workload.hot_offset = 0;
    d.workload.moves = [];
    d.workload.nodes = [1];
    const file = `${fresh('nofit')}.yaml`;
    writeFileSync(file, stringify(d));
    const argv = ['run', file, '--duration', '20ms', '--no-progress'];
    expectCliContract(await cli(argv), argv);
  });
});

it('no input above made a Node process warning (a YAML collection key did, through the yaml library)', async () => {
  await new Promise((resolve) => setTimeout(resolve, 10)); // warnings are emitted on a later tick
  expect(processWarnings).toEqual([]);
});
