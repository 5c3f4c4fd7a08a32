// SPDX-License-Identifier: GPL-2.0-only
/**
 * damo's command-line options for building kdamonds (damo-formats.md §2): `--ops`, `--regions`,
 * `--monitoring_*`, `--damos_*`, `--nr_*`, ... → damo's object model, exactly as `damo args damon`
 * builds it (the i-th occurrence of a per-scheme option belongs to the i-th `--damos_action`,
 * goals and filters are distributed by `--damos_nr_quota_goals` / `--damos_nr_filters`, targets,
 * schemes and contexts by `--nr_targets`, `--nr_schemes`, `--nr_ctxs`). The model is printed as a
 * damo kdamonds tree and read by the one kdamonds parser, so a scheme given on the command line and
 * the same scheme given as a JSON file produce the same parameters.
 *
 * Every problem is a ConfigError whose path is the option, saying what was expected (units,
 * names) and what was found. Where damo silently drops something, this refuses it (documented in
 * docs/format-damo-args.md): goals of a scheme without quotas, words after a non-migrate action.
 */
import { isMapping } from '../../lib/json.js';
import { existsSync, statSync } from 'node:fs';
import { isInputFile, readInput } from '../../lib/inputs.js';
import { DAMOS_ACTIONS, GOAL_TUNERS, QUOTA_GOAL_METRICS, WMARK_METRICS, measuresMemcg, measuresNode, type DamosAction, type FilterType, type QuotaGoalMetric } from '../../damos/scheme.js';
import { DAMON_OPS_IDS } from '../../ops/operations.js';
import { ConfigError, type ConfigIssue } from '../../scenario/issues.js';
import type { KdamondParams } from '../../scenario/model.js';
import { readKdamonds, readKdamondsAsGiven, wrapKdamonds, type DamoCompat } from './emit.js';
import { compatDropsNid, parseGoalValue, warnDamoKeys, warnDecimalLookingSizes, type Collector } from './kdamonds.js';
import {
  defaultIntervals,
  defaultQuotas,
  defaultWatermarks,
  isMigrateAction,
  kdamondsTree,
  type DamoContext,
  type DamoFilter,
  type DamoGoal,
  type DamoKdamond,
  type DamoNrAccesses,
  type DamoQuotas,
  type DamoScheme,
  type DamoTarget,
} from './tree.js';
import { ULONG_MAX, UnitError, decimalLookingSizeWarning, isDamoInt, parseBytes, type PastUlongMax, parseNumber, parsePercentFloat, parseRatio, parseTime } from './units.js';
import { jsonParseFailure, syntaxFound } from '../../lib/json-error.js';
import { parseText } from '../document.js';

// ---------------------------------------------------------------------------------------------
// The option table

type Nargs = 0 | 1 | 2 | 3 | 4 | 5 | '+';

export interface OptSpec {
  /** Canonical long name (the key of the parsed occurrences). */
  name: string;
  aliases?: string[];
  nargs: Nargs;
  metavar: string;
  help: string;
}

/** Every damo option damon-sim understands, in the order `damon-sim args --help` lists them. */
export const DAMO_OPTIONS: readonly OptSpec[] = [
  { name: '--ops', nargs: 1, metavar: '<vaddr|fvaddr|paddr>', help: 'operations set of the i-th context (default paddr, or vaddr with --target_pid); damon-sim simulates paddr only' },
  { name: '--target_pid', nargs: 1, metavar: '<pid>', help: 'pid of the i-th target (vaddr/fvaddr, which damon-sim refuses; ignored with --ops paddr)' },
  { name: '--regions', aliases: ['-r'], nargs: 1, metavar: '"<start>-<end> ..."', help: 'monitoring regions of the i-th target (core addresses: bytes with addr_unit 1, e.g. "4G-68G 68G-132G")' },
  { name: '--numa_node', nargs: '+', metavar: '<nid>...', help: "paddr: the i-th target covers these nodes' physical ranges" },
  { name: '--monitoring_intervals', nargs: 3, metavar: '<sample> <aggr> <update>', help: 'intervals of the i-th context (bare = us)' },
  { name: '--sample', aliases: ['-s'], nargs: 1, metavar: '<us>', help: 'sampling interval of the i-th context' },
  { name: '--aggr', aliases: ['-a'], nargs: 1, metavar: '<us>', help: 'aggregation interval of the i-th context' },
  { name: '--updr', aliases: ['-u'], nargs: 1, metavar: '<us>', help: 'ops update interval of the i-th context' },
  { name: '--monitoring_intervals_goal', nargs: 4, metavar: '<access_bp> <aggrs> <min_sample> <max_sample>', help: 'intervals auto-tuning goal of the i-th context' },
  { name: '--monitoring_intervals_autotune', nargs: 0, metavar: '', help: 'intervals goal "4% 3 5ms 10s" for contexts without --monitoring_intervals_goal' },
  { name: '--monitoring_nr_regions_range', nargs: 2, metavar: '<min> <max>', help: 'min/max number of regions of the i-th context' },
  { name: '--minr', aliases: ['-n'], nargs: 1, metavar: '<n>', help: 'min number of regions of the i-th context' },
  { name: '--maxr', aliases: ['-m'], nargs: 1, metavar: '<n>', help: 'max number of regions of the i-th context' },
  { name: '--damon_addr_unit', aliases: ['--ops_addr_unit'], nargs: 1, metavar: '<bytes>', help: 'addr_unit (paddr): once for every context, or once per context' },
  { name: '--refresh_stat', nargs: 1, metavar: '<ms>', help: 'refresh_ms: once for every kdamond, or once per kdamond (bare = ms)' },
  { name: '--pause_ctx', nargs: '+', metavar: '<idx>...', help: 'pause these contexts (sysfs pause: no monitoring, no DAMOS, results kept)' },
  { name: '--nr_targets', nargs: '+', metavar: '<n>...', help: 'number of targets of each context' },
  { name: '--nr_schemes', nargs: '+', metavar: '<n>...', help: 'number of schemes of each context' },
  { name: '--nr_ctxs', nargs: '+', metavar: '<n>...', help: 'number of contexts of each kdamond' },
  { name: '--damos_action', nargs: '+', metavar: '<action> [<nid> | <id> <weight>...]', help: 'starts a scheme; migrate actions take a node id or destination id/weight pairs' },
  { name: '--damos_sz_region', nargs: 2, metavar: '<min> <max>', help: 'region size range (bytes: 4K, 2M, min, max)' },
  { name: '--damos_access_rate', nargs: 2, metavar: '<min> <max>', help: 'access rate range in percent of the maximum (5%, 5, min, max)' },
  { name: '--damos_age', nargs: 2, metavar: '<min> <max>', help: 'age range (5s, 100ms, bare = us, max)' },
  { name: '--damos_apply_interval', nargs: 1, metavar: '<time>', help: 'apply interval (bare = us; 0 = every aggregation)' },
  { name: '--damos_quotas', nargs: '+', metavar: '<time> [<bytes> [<reset> [<w_sz> [<w_acc> [<w_age>]]]]]', help: 'quotas, positional (times bare = ms, weights bare = permil, default 0)' },
  { name: '--damos_quota_interval', nargs: 1, metavar: '<ms>', help: 'quota reset interval (component style)' },
  { name: '--damos_quota_time', nargs: 1, metavar: '<ms>', help: 'time quota (component style)' },
  { name: '--damos_quota_space', nargs: 1, metavar: '<bytes>', help: 'size quota (component style)' },
  { name: '--damos_quota_weights', nargs: 3, metavar: '<sz> <acc> <age>', help: 'prioritisation weights (component style; default 1 1 1 permil)' },
  { name: '--damos_quota_goal', nargs: '+', metavar: '<metric> <target> [<nid>|<current>] [<memcg>]', help: 'a quota goal' },
  { name: '--damos_nr_quota_goals', nargs: '+', metavar: '<n>...', help: 'number of goals of each scheme' },
  { name: '--damos_quota_goal_tuner', nargs: 1, metavar: '<consist|temporal>', help: 'goal tuner of the i-th scheme' },
  { name: '--damos_quota_fail_charge_ratio', nargs: 2, metavar: '<num> <denom>', help: 'failed-region charge ratio of the i-th scheme' },
  { name: '--damos_filter', nargs: '+', metavar: '<allow|reject> [none] <type> [<args>]', help: 'filters (several in sequence); old form <type> <matching|nomatching> [<args>] [allow|reject]' },
  { name: '--damos_nr_filters', nargs: '+', metavar: '<n>...', help: 'number of filters of each scheme' },
  { name: '--damos_wmarks', nargs: 5, metavar: '<none|free_mem_rate> <interval> <high> <mid> <low>', help: 'watermarks (interval bare = us, marks bare = permil)' },
  { name: '--damos_max_nr_snapshots', nargs: 1, metavar: '<n>', help: 'max_nr_snapshots of the i-th scheme' },
  { name: '--schemes', aliases: ['-c'], nargs: 1, metavar: '<json string or file>', help: "the schemes as damo's JSON list of scheme objects, when no --damos_action is given (one context)" },
  { name: '--kdamonds', nargs: 1, metavar: '<json string or file>', help: 'the whole config, {"kdamonds": [...]} as JSON (damo reads it as JSON only); the other options are then ignored' },
];

const BY_NAME = new Map<string, OptSpec>();
for (const o of DAMO_OPTIONS) {
  BY_NAME.set(o.name, o);
  for (const a of o.aliases ?? []) BY_NAME.set(a, o);
}

/** Is `token` one of damo's options (or `--opt=value` of one)? */
export function isDamoOption(token: string): boolean {
  return BY_NAME.has(token.split('=')[0]);
}

/** One line per option, for `--help` texts. */
export function damoOptionsHelp(): string {
  const rows = DAMO_OPTIONS.map((o) => [[o.name, ...(o.aliases ?? [])].join(', ') + (o.metavar ? ` ${o.metavar}` : ''), o.help]);
  const w = 36;
  return rows.map(([a, h]) => (a.length > w ? `  ${a}\n  ${' '.repeat(w)}  ${h}` : `  ${a.padEnd(w)}  ${h}`)).join('\n');
}

/** argparse's test for "an option, not a value": a dash followed by a non-digit. */
function looksLikeOption(t: string): boolean {
  return t.length > 1 && t[0] === '-' && !/^-\d/.test(t) && !/^-\.\d/.test(t);
}

/** Occurrences of each damo option (by canonical name), each a list of its words. */
export type DamoOccurrences = Map<string, string[][]>;

function fail(opt: string, message: string): never {
  throw new ConfigError([{ path: opt, message }]);
}

/** Problems of independent options, gathered so that one run reports them all (one line each). */
let gathered: ConfigIssue[] | null = null;

/** Parse one option's part; on a problem, note it (when gathering) and go on with `fallback`. */
function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (e) {
    if (gathered === null || !(e instanceof ConfigError)) throw e;
    gathered.push(...e.issues);
    return fallback;
  }
}

/** Partition tokens into damo options with their words, and the rest (in order). */
export function partitionDamoTokens(tokens: readonly string[]): { damo: string[]; rest: string[] } {
  const { rest, spans } = scan(tokens);
  return { damo: spans.flat(), rest };
}

/**
 * The option whose words end right before each of the rest's tokens (or undefined): a stray
 * word after an option's fixed count of them, where an operand was not meant.
 */
export function optionsBeforeRest(tokens: readonly string[]): Array<{ token: string; after: OptSpec | undefined }> {
  return scan(tokens).restAfter;
}

/**
 * Split a token list into damo options (with their words, argparse-style: fixed nargs take that
 * many words, '+' takes words up to the next option) and everything else, in order.
 */
export function splitDamoTokens(tokens: readonly string[]): { occurrences: DamoOccurrences; rest: string[]; count: number } {
  const { occurrences, rest, spans } = scan(tokens);
  return { occurrences, rest, count: spans.length };
}

function scan(tokens: readonly string[]): {
  occurrences: DamoOccurrences;
  rest: string[];
  spans: string[][];
  restAfter: Array<{ token: string; after: OptSpec | undefined }>;
} {
  const occurrences: DamoOccurrences = new Map();
  const rest: string[] = [];
  const spans: string[][] = [];
  const restAfter: Array<{ token: string; after: OptSpec | undefined }> = [];
  let lastSpan: { end: number; spec: OptSpec } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    const name = eq > 0 ? tok.slice(0, eq) : tok;
    const spec = BY_NAME.get(name);
    if (!spec) {
      rest.push(tok);
      restAfter.push({ token: tok, after: lastSpan !== undefined && lastSpan.end === i - 1 ? lastSpan.spec : undefined });
      continue;
    }
    const from = i;
    const words: string[] = [];
    if (eq > 0) {
      if (spec.nargs !== 1 && spec.nargs !== '+') fail(spec.name, `expected ${spec.nargs} values after the option (${spec.metavar}); found ${JSON.stringify(tok)}`);
      words.push(tok.slice(eq + 1));
    } else if (spec.nargs === '+') {
      // Unlike argparse, stop before a scenario file name, so `run --damos_action stat s.yaml` works.
      while (i + 1 < tokens.length && !looksLikeOption(tokens[i + 1]) && !/\.(ya?ml|json)$/.test(tokens[i + 1])) words.push(tokens[++i]);
      if (words.length === 0) fail(spec.name, `expected at least one value (${spec.metavar}); found none`);
    } else {
      for (let k = 0; k < spec.nargs; k++) {
        const next = tokens[i + 1];
        if (next === undefined || looksLikeOption(next))
          fail(spec.name, `expected ${spec.nargs} value${spec.nargs > 1 ? 's' : ''} (${spec.metavar}); found ${k}${next === undefined ? '' : ` before "${next}"`}`);
        words.push(tokens[++i]);
      }
    }
    spans.push(tokens.slice(from, i + 1));
    lastSpan = { end: i, spec };
    const list = occurrences.get(spec.name) ?? [];
    list.push(words);
    occurrences.set(spec.name, list);
  }
  return { occurrences, rest, spans, restAfter };
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * parse(), its UnitError as the option's error; `what` names the value among the option's several.
 * A value that is a unit alone ("GB" of `--damos_quotas 0 64 GB 1s`) was split off its number:
 * damo splits an option's values at spaces, and the message says so.
 */
function unit<T>(opt: string, parse: () => T, what?: string, v?: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UnitError) {
      // A value that is a unit alone ("" never is one).
      const u = v?.trim() ?? '';
      const split = UNIT_ALONE.test(u) ? (splitHint((_n, w) => w === u) ?? ` (damo splits an option's values at spaces: write a number and its unit as one value, as "1${binaryUnit(u)}" or quoted "1 ${binaryUnit(u)}")`) : '';
      fail(opt, `${what === undefined ? '' : `${what}: `}${e.message}${split}`);
    }
    throw e;
  }
}

/** A size, time or ratio unit with no number, in any case (a value split off its number). */
const UNIT_ALONE = /^(?:[kmgtpe]i?b|[kmgtpe]|b|ns|us|ms|s|m|h|d|%|samples|aggr_intervals)$/i;
/** The command line being read (damoArgsToKdamonds() sets it): where a number and its unit may have come as two values. */
let readTokens: readonly string[] = [];

/**
 * What an error adds when the command line gave a number and its unit as two values ("64" "GB"):
 * damo splits an option's values at spaces, so the values after them are one place off. The pair
 * is the last one whose unit comes before token index `before` and that `which` accepts; none, no
 * hint.
 */
function splitHint(which: (n: string, u: string) => boolean, before = readTokens.length): string | undefined {
  for (let j = Math.min(before, readTokens.length) - 1; j >= 1; j--) {
    const n = readTokens[j - 1];
    const u = readTokens[j];
    if (UNIT_ALONE.test(u) && /^\+?[\d.,_]+$/.test(n) && which(n, u)) return ` (damo splits an option's values at spaces: "${n} ${u}" is two values, "${n}" and "${u}"; write "${n}${binaryUnit(u)}" or quote "${n} ${binaryUnit(u)}")`;
  }
  return undefined;
}

/** The unit a hint suggests for `u`: a decimal-looking size unit ("GB") in the binary spelling damo reads it as ("GiB"), which draws no warning. */
function binaryUnit(u: string): string {
  return /^[kmgtpe]b$/i.test(u) ? `${u[0].toUpperCase()}iB` : u;
}

function pBytes(opt: string, v: string, past: PastUlongMax = 'refuse', what?: string): bigint {
  const bytes = unit(opt, () => parseBytes(v, past), what, v);
  warnDecimalLooking(opt, v, what);
  return bytes;
}

/**
 * Sizes in KB, MB, GB, ... on the command line being read (damoArgsToKdamonds() collects them):
 * damo reads every size unit as binary (damo-formats.md §1.2), so "64GB" is 64 GiB, where the
 * writer may have meant 10^9 bytes, as a scenario file's sizes are warned about
 * (warnDecimalLookingSizes()).
 */
let sizeWarnings: ConfigIssue[] | null = null;

function warnDecimalLooking(opt: string, v: string, what: string | undefined): void {
  const warning = decimalLookingSizeWarning(v, false);
  if (warning === undefined || sizeWarnings === null) return;
  const message = `${what === undefined ? '' : `${what}: `}${warning}`;
  if (!sizeWarnings.some((w) => w.path === opt && w.message === message)) sizeWarnings.push({ path: opt, message });
}

const pUs = (opt: string, v: string) => unit(opt, () => parseTime(v, 'us', true), undefined, v);
const pMs = (opt: string, v: string, what?: string) => unit(opt, () => parseTime(v, 'ms', true), what, v);
const pPermil = (opt: string, v: string, what?: string) => unit(opt, () => parseRatio(v, 'permil', true), what, v);
const pBp = (opt: string, v: string) => unit(opt, () => parseRatio(v, 'bp', true), undefined, v);
const pNr = (opt: string, v: string) => unit(opt, () => parseNumber(v), undefined, v);
const pPercent = (opt: string, v: string) => unit(opt, () => parsePercentFloat(v), undefined, v);

function pInt(opt: string, v: string, what = 'a non-negative integer'): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(opt, `expected ${what}; found ${JSON.stringify(v)}`);
  return Number(v);
}

function pSignedInt(opt: string, v: string, what: string): number {
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(opt, `expected ${what}; found ${JSON.stringify(v)}`);
  return Number(v);
}


// ---------------------------------------------------------------------------------------------
// Building the model

export interface DamoArgsOptions {
  /** upstream: reproduce upstream damo v3.3, which ignores the nid word of node_eligible_mem_bp goals. */
  compat?: DamoCompat;
  /** Physical [start, end) byte ranges of a NUMA node (for --numa_node); null when there is no such node. */
  nodeRanges?: (nid: number) => Array<{ start: bigint; end: bigint }> | null;
  /** damo's paddr default without --regions/--numa_node: the biggest System RAM range; null to leave regions empty. */
  defaultPaddrRegion?: () => { start: bigint; end: bigint } | null;
}

export interface DamoArgsResult {
  kdamonds: DamoKdamond[];
  warnings: ConfigIssue[];
}

/** The i-th occurrence's words of an option, or undefined. */
function nth(occ: DamoOccurrences, name: string, i: number): string[] | undefined {
  return occ.get(name)?.[i];
}

function all(occ: DamoOccurrences, name: string): string[][] {
  return occ.get(name) ?? [];
}

/** An int list option (nargs '+', not repeatable: the last occurrence wins, as argparse). */
function intList(occ: DamoOccurrences, name: string): number[] | undefined {
  const list = occ.get(name);
  if (!list) return undefined;
  return list[list.length - 1].map((w) => pInt(name, w));
}

function parseRegions(opt: string, text: string): Array<{ start: bigint; end: bigint }> {
  const out: Array<{ start: bigint; end: bigint }> = [];
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const parts = word.split('-');
    if (parts.length !== 2) fail(opt, `expected "<start>-<end>" ranges separated by spaces (e.g. "4G-68G 68G-132G"); found ${JSON.stringify(word)}`);
    const start = pBytes(opt, parts[0]);
    const end = pBytes(opt, parts[1]);
    if (start >= end) fail(opt, `expected start < end; found ${JSON.stringify(word)} (${start} >= ${end})`);
    const prev = out[out.length - 1];
    if (prev && prev.end > start) fail(opt, `expected sorted, non-overlapping ranges; found ${JSON.stringify(word)} starting below the previous end ${prev.end}`);
    out.push({ start, end });
  }
  return out;
}

function mergeRanges(ranges: Array<{ start: bigint; end: bigint }>): Array<{ start: bigint; end: bigint }> {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Array<{ start: bigint; end: bigint }> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = last.end > r.end ? last.end : r.end;
    else out.push({ ...r });
  }
  return out;
}

const FILTER_NOARG: readonly FilterType[] = ['anon', 'active', 'young', 'unmapped'];
const FILTER_FORMS = 'anon, active, young, unmapped, memcg <path>, addr <start> <end>, target <idx>, hugepage_size <min> <max>';

/** damo's v2 filter words, several filters in sequence. Returns null (and why) when they do not parse. */
function filtersV2(words: string[]): { filters: DamoFilter[] } | { error: string } {
  const filters: DamoFilter[] = [];
  let i = 0;
  while (i < words.length) {
    const verdict = words[i];
    if (!['allow', 'reject', 'deny', 'block'].includes(verdict)) return { error: `expected allow or reject; found ${JSON.stringify(verdict)}` };
    i++;
    let matching = true;
    if (words[i] === 'none') {
      matching = false;
      i++;
    }
    const type = words[i++];
    if (type === undefined) return { error: `expected a filter type (${FILTER_FORMS}) after "${verdict}"; found nothing` };
    const f: DamoFilter = { type: 'anon', matching, allow: verdict === 'allow', memcgPath: null, addressRange: null, damonTargetIdx: null, hugepageSize: null };
    const need = (n: number, what: string) => {
      if (i + n > words.length) throw new FilterWordsError(`expected ${what} after ${JSON.stringify(type)}; found ${words.length - i === 0 ? 'nothing' : JSON.stringify(words.slice(i).join(' '))}`);
    };
    try {
      if ((FILTER_NOARG as readonly string[]).includes(type)) f.type = type as FilterType;
      else if (type === 'memcg') {
        need(1, 'a cgroup path');
        f.type = 'memcg';
        f.memcgPath = words[i++];
      } else if (type === 'addr') {
        need(2, '<start> <end> (bytes)');
        f.type = 'addr';
        const start = pBytes('--damos_filter', words[i++]);
        const end = pBytes('--damos_filter', words[i++]);
        f.addressRange = { start, end };
      } else if (type === 'target') {
        need(1, 'a target index');
        f.type = 'target';
        f.damonTargetIdx = pNr('--damos_filter', words[i++]);
      } else if (type === 'hugepage_size') {
        need(2, '<min> <max> folio sizes (bytes)');
        f.type = 'hugepage_size';
        f.hugepageSize = [pBytes('--damos_filter', words[i++]), pBytes('--damos_filter', words[i++])];
      } else return { error: `expected a filter type (${FILTER_FORMS}); found ${JSON.stringify(type)}` };
    } catch (e) {
      if (e instanceof FilterWordsError) return { error: e.message };
      throw e;
    }
    filters.push(f);
  }
  return { filters };
}

class FilterWordsError extends Error {}

/** damo's old filter form, one filter per option: <type> <matching|nomatching> [args] [allow|pass|reject|deny|block]. */
function filterV1ToV2(words: string[]): string[] | null {
  if (words.length < 2) return null;
  const [type, m, ...rest] = words;
  let verdict = 'reject';
  const last = rest[rest.length - 1];
  if (last !== undefined && ['allow', 'pass', 'reject', 'deny', 'block'].includes(last)) {
    verdict = last === 'allow' || last === 'pass' ? 'allow' : 'reject';
    rest.pop();
  }
  return [verdict, ...(m === 'matching' ? [] : ['none']), type, ...rest];
}

function parseFilters(occurrences: string[][]): DamoFilter[] {
  const v2 = filtersV2(occurrences.flat());
  if ('filters' in v2) return v2.filters;
  const converted: string[] = [];
  for (const words of occurrences) {
    const c = filterV1ToV2(words);
    if (c === null) break;
    converted.push(...c);
  }
  const v1 = filtersV2(converted);
  if ('filters' in v1 && converted.length > 0) return v1.filters;
  fail('--damos_filter', `${v2.error} (form: <allow|reject> [none] <type> [<args>] with type one of ${FILTER_FORMS}; old form <type> <matching|nomatching> [<args>] [allow|reject]); the words were ${JSON.stringify(occurrences.flat().join(' '))}`);
}

function parseGoal(words: string[], schemeIdx: number, opts: DamoArgsOptions, warnings: ConfigIssue[]): DamoGoal {
  const opt = '--damos_quota_goal';
  const [metric, target, ...optionals] = words;
  if (!(QUOTA_GOAL_METRICS as readonly string[]).includes(metric)) fail(opt, `expected a metric (${QUOTA_GOAL_METRICS.join(', ')}); found ${JSON.stringify(metric)}`);
  const m = metric as QuotaGoalMetric;
  if (target === undefined) fail(opt, `expected <metric> <target value>; found only "${metric}"`);
  // damo's own wording for the one metric it refuses percentages for; the rest as in a file.
  if (m === 'node_eligible_mem_bp' && target.includes('%')) fail(opt, `expected a plain bp integer such as 6000 for node_eligible_mem_bp (damo refuses percentages for it); found ${JSON.stringify(target)}`);
  const targetValue = unit(opt, () => parseGoalValue(m, target));
  const goal: DamoGoal = { metric: m, nid: null, memcgPath: null, targetValue, currentValue: 0n };
  const upstreamDrop = compatDropsNid(m, opts.compat);
  if (m === 'user_input') {
    if (optionals.length !== 1) fail(opt, `expected user_input <target> <current value>; found ${optionals.length === 0 ? 'no current value' : `"${words.join(' ')}"`}`);
    goal.currentValue = pNr(opt, optionals[0]);
  } else if (upstreamDrop) {
    if (optionals.length > 1) fail(opt, `expected node_eligible_mem_bp <target> [<nid>]; found ${JSON.stringify(words.join(' '))}`);
    if (optionals.length === 1)
      warnings.push({ path: opt, message: `upstream damo v3.3 ignores the nid word of node_eligible_mem_bp (scheme ${schemeIdx}: nid ${optionals[0]} dropped; the kernel then measures node 0) (--damo-compat upstream)` });
  } else if (measuresNode(m)) {
    const memcg = measuresMemcg(m);
    const want = memcg ? 2 : 1;
    // Upstream damo takes node_eligible_mem_bp with its target only (damo-formats.md §2.1): the
    // goal then has no nid, as in a file without one, and the kernel measures node 0.
    if (m === 'node_eligible_mem_bp' && optionals.length === 0) return goal;
    if (optionals.length !== want) fail(opt, `expected ${m} <target> <nid>${memcg ? ' <memcg path>' : ''}; found ${JSON.stringify(words.join(' '))}`);
    goal.nid = pSignedInt(opt, optionals[0], 'a node id');
    if (memcg) goal.memcgPath = optionals[1];
  } else if (optionals.length > 0) fail(opt, `expected ${m} <target> only; found extra words "${optionals.join(' ')}"`);
  return goal;
}

/** --damos_quotas' positional values, as its errors name them. */
const QUOTA_VALUES = ['value 1 (<time>)', 'value 2 (<bytes>)', 'value 3 (<reset interval>)', 'value 4 (<w_sz>)', 'value 5 (<w_acc>)', 'value 6 (<w_age>)'];

/** The option each of parseQuotas()' words came from: all --damos_quotas, or the component options. */
const POSITIONAL_QUOTA_OPTS = Array<string>(6).fill('--damos_quotas');
const COMPONENT_QUOTA_OPTS = ['--damos_quota_time', '--damos_quota_space', '--damos_quota_interval', '--damos_quota_weights', '--damos_quota_weights', '--damos_quota_weights'];

function parseQuotas(words: string[], goals: DamoGoal[], opts: readonly string[]): DamoQuotas {
  if (words.length > 6) fail(opts[0], `expected at most 6 values (<time> <bytes> <reset interval> <w_sz> <w_acc> <w_age>); found ${words.length}`);
  const q = defaultQuotas();
  // Which of --damos_quotas' positional values is wrong (a component option has one).
  const what = (i: number) => (opts[i] === '--damos_quotas' ? QUOTA_VALUES[i] : undefined);
  if (words[0] !== undefined) q.timeMs = pMs(opts[0], words[0], what(0));
  if (words[1] !== undefined) q.szBytes = pBytes(opts[1], words[1], 'refuse', what(1));
  if (words[2] !== undefined) q.resetIntervalMs = pMs(opts[2], words[2], what(2));
  if (words[3] !== undefined) q.weights.sz = pPermil(opts[3], words[3], what(3));
  if (words[4] !== undefined) q.weights.nrAccesses = pPermil(opts[4], words[4], what(4));
  if (words[5] !== undefined) q.weights.age = pPermil(opts[5], words[5], what(5));
  q.goals = goals;
  return q;
}

function checkAtMost(occ: DamoOccurrences, name: string, nrSchemes: number): void {
  const n = all(occ, name).length;
  if (n > nrSchemes) fail(name, `expected at most one per --damos_action (${nrSchemes}); found ${n}`);
}

/** Distribute `items` over schemes by `counts` (damo's --damos_nr_* options). */
function distribute<T>(items: T[], countsOpt: string, counts: number[] | undefined, nrSchemes: number, itemOpt: string): T[][] {
  let c = counts;
  if (c === undefined) {
    if (items.length > 0 && nrSchemes > 1) fail(countsOpt, `expected ${countsOpt} (one count per scheme) with ${nrSchemes} schemes and ${itemOpt}; found none`);
    c = [items.length, ...new Array<number>(Math.max(0, nrSchemes - 1)).fill(0)];
  }
  const sum = c.reduce((a, b) => a + b, 0);
  if (sum !== items.length) fail(countsOpt, `expected counts adding up to the number of ${itemOpt} options (${items.length}); found ${c.join(' ')} (sum ${sum})`);
  if (c.length > nrSchemes) fail(countsOpt, `expected at most one count per scheme (${nrSchemes}); found ${c.length}`);
  const out: T[][] = [];
  let k = 0;
  for (let i = 0; i < nrSchemes; i++) {
    const n = c[i] ?? 0;
    out.push(items.slice(k, k + n));
    k += n;
  }
  return out;
}

function buildSchemes(occ: DamoOccurrences, opts: DamoArgsOptions, warnings: ConfigIssue[]): DamoScheme[] {
  const actions = all(occ, '--damos_action');
  const nrSchemes = actions.length;
  if (nrSchemes === 0) {
    const stray = [...occ.keys()].filter((k) => k.startsWith('--damos_'));
    if (stray.length > 0) fail(stray[0], `expected --damos_action before any --damos_* option (each --damos_action starts a scheme); found ${stray.join(', ')} without one`);
    return [];
  }
  const component = ['--damos_quota_interval', '--damos_quota_time', '--damos_quota_space', '--damos_quota_weights'].filter((n) => occ.has(n));
  // damo refuses --damos_quotas beside --damos_quota_interval; the other component options it
  // reads only with --damos_quota_interval and otherwise ignores, which damon-sim refuses instead.
  if (occ.has('--damos_quotas') && component.length > 0)
    fail(
      '--damos_quotas',
      `expected either --damos_quotas or the component options (--damos_quota_interval/_time/_space/_weights), not both; found --damos_quotas and ${component.join(', ')}${occ.has('--damos_quota_interval') ? '' : ' (damo would ignore the latter)'}`,
    );
  // Component style: the i-th --damos_quota_interval makes the i-th scheme's quotas; weights default 1 permil each.
  let quotaWords = all(occ, '--damos_quotas');
  if (component.length > 0) {
    if (!occ.has('--damos_quota_interval')) fail(component[0], `expected --damos_quota_interval (the component style needs the reset interval: damo ignores the other component options without it); found only ${component.join(', ')}`);
    const times = all(occ, '--damos_quota_time');
    const spaces = all(occ, '--damos_quota_space');
    const weights = all(occ, '--damos_quota_weights');
    quotaWords = all(occ, '--damos_quota_interval').map((iv, i) => [times[i]?.[0] ?? '0', spaces[i]?.[0] ?? '0', iv[0], ...(weights[i] ?? ['1', '1', '1'])]);
  }
  if (occ.has('--damos_quota_goal')) {
    for (const q of all(occ, '--damos_quotas'))
      if (q.length < 3) fail('--damos_quotas', `expected a reset interval (third value) when quota goals are set (damo refuses goals without one: they never act); found ${JSON.stringify(q.join(' '))}`);
  }
  for (const n of ['--damos_sz_region', '--damos_access_rate', '--damos_age', '--damos_apply_interval', '--damos_wmarks', '--damos_quota_goal_tuner', '--damos_quota_fail_charge_ratio', '--damos_max_nr_snapshots'])
    checkAtMost(occ, n, nrSchemes);
  if (quotaWords.length > nrSchemes) fail(component.length > 0 ? '--damos_quota_interval' : '--damos_quotas', `expected at most one per --damos_action (${nrSchemes}); found ${quotaWords.length}`);
  const goalsPer = distribute(all(occ, '--damos_quota_goal'), '--damos_nr_quota_goals', intList(occ, '--damos_nr_quota_goals'), nrSchemes, '--damos_quota_goal');
  const filtersPer = distribute(all(occ, '--damos_filter'), '--damos_nr_filters', intList(occ, '--damos_nr_filters'), nrSchemes, '--damos_filter');

  return actions.map((words, i): DamoScheme => {
    const { a, targetNid, dests } = attempt(() => parseAction(words), { a: 'stat' as DamosAction, targetNid: null, dests: [] });

    const szW = nth(occ, '--damos_sz_region', i) ?? ['min', 'max'];
    const accW = nth(occ, '--damos_access_rate', i) ?? ['min', 'max'];
    const ageW = nth(occ, '--damos_age', i) ?? ['min', 'max'];
    const goals = attempt(() => goalsPer[i].map((g) => parseGoal(g, i, opts, warnings)), []);
    const qw = quotaWords[i];
    if (qw === undefined && goals.length > 0)
      attempt(
        () => fail('--damos_quota_goal', `expected quotas with a reset interval (--damos_quotas <time> <bytes> <reset interval> or --damos_quota_interval) for scheme ${i}, which has goals; found none (damo would drop the goals)`),
        undefined,
      );
    const quotas = qw === undefined ? defaultQuotas() : attempt(() => parseQuotas(qw, goals, component.length > 0 ? COMPONENT_QUOTA_OPTS : POSITIONAL_QUOTA_OPTS), defaultQuotas());
    const tuner = nth(occ, '--damos_quota_goal_tuner', i)?.[0];
    // Given for fewer schemes than have goals: damo gives the rest its default, which a user who
    // wrote the option once for a PULL/PUSH pair most likely did not mean.
    const tuners = all(occ, '--damos_quota_goal_tuner').length;
    if (tuner === undefined && tuners > 0 && goals.length > 0)
      warnings.push({
        path: '--damos_quota_goal_tuner',
        message: `given ${tuners} time${tuners === 1 ? '' : 's'}, for the first ${tuners === 1 ? 'scheme' : `${tuners} schemes`} (the i-th goes to the i-th --damos_action, as damo takes it); scheme ${i} has quota goals and gets damo's default tuner, consist (give the option once per scheme)`,
      });
    if (tuner !== undefined) {
      if (!(GOAL_TUNERS as readonly string[]).includes(tuner)) attempt(() => fail('--damos_quota_goal_tuner', `expected one of ${GOAL_TUNERS.join(', ')}; found ${JSON.stringify(tuner)}`), undefined);
      else quotas.goalTuner = tuner as DamoQuotas['goalTuner'];
    }
    const fc = nth(occ, '--damos_quota_fail_charge_ratio', i);
    if (fc) {
      quotas.failChargeNum = attempt(() => BigInt(pInt('--damos_quota_fail_charge_ratio', fc[0], 'an integer numerator')), 0n);
      quotas.failChargeDenom = attempt(() => BigInt(pInt('--damos_quota_fail_charge_ratio', fc[1], 'an integer denominator')), 0n);
    }
    const wm = nth(occ, '--damos_wmarks', i);
    const wmarks = defaultWatermarks();
    if (wm) {
      attempt(() => {
        if (!(WMARK_METRICS as readonly string[]).includes(wm[0])) fail('--damos_wmarks', `expected a metric (${WMARK_METRICS.join(', ')}); found ${JSON.stringify(wm[0])}`);
        wmarks.metric = wm[0] as DamoScheme['wmarks']['metric'];
        wmarks.intervalUs = pUs('--damos_wmarks', wm[1]);
        wmarks.high = pPermil('--damos_wmarks', wm[2]);
        wmarks.mid = pPermil('--damos_wmarks', wm[3]);
        wmarks.low = pPermil('--damos_wmarks', wm[4]);
      }, undefined);
    }
    const snaps = nth(occ, '--damos_max_nr_snapshots', i)?.[0];
    return {
      action: a,
      dests,
      targetNid,
      pattern: {
        // Written through damo's write_ulong(): past ULONG_MAX is ULONG_MAX (units.ts PastUlongMax).
        sz: attempt(() => [pBytes('--damos_sz_region', szW[0], 'write_ulong'), pBytes('--damos_sz_region', szW[1], 'write_ulong')], [0n, ULONG_MAX]),
        nrAccesses: attempt(
          (): DamoNrAccesses => ({ unit: 'percent', min: pPercent('--damos_access_rate', accW[0]), max: pPercent('--damos_access_rate', accW[1]), bare: [isDamoInt(accW[0]), isDamoInt(accW[1])] }),
          { unit: 'percent', min: 0, max: 100 },
        ),
        age: attempt(() => ({ unit: 'usec' as const, min: pUs('--damos_age', ageW[0]), max: pUs('--damos_age', ageW[1]) }), { unit: 'usec' as const, min: 0n, max: ULONG_MAX }),
      },
      applyIntervalUs: attempt(() => pUs('--damos_apply_interval', nth(occ, '--damos_apply_interval', i)?.[0] ?? '0'), 0n),
      quotas,
      wmarks,
      filters: attempt(() => (filtersPer[i].length > 0 ? parseFilters(filtersPer[i]) : []), []),
      maxNrSnapshots: snaps === undefined ? 0n : attempt(() => pNr('--damos_max_nr_snapshots', snaps), 0n),
    };
  });
}

/** `--damos_action <action> [<nid> | <id> <weight>...]`. */
function parseAction(words: readonly string[]): { a: DamosAction; targetNid: number | null; dests: Array<{ id: number; weight: number }> } {
  const opt = '--damos_action';
  const action = words[0];
  if (!(DAMOS_ACTIONS as readonly string[]).includes(action)) fail(opt, `expected an action (${DAMOS_ACTIONS.join(', ')}); found ${JSON.stringify(action)}`);
  const a = action as DamosAction;
  const extra = words.slice(1);
  let targetNid: number | null = null;
  const dests: Array<{ id: number; weight: number }> = [];
  if (isMigrateAction(a)) {
    if (extra.length === 1) targetNid = pSignedInt(opt, extra[0], `a numeric target node id after ${a}`);
    else if (extra.length >= 2 && extra.length % 2 === 0) {
      for (let k = 0; k < extra.length; k += 2) dests.push({ id: pInt(opt, extra[k], 'a destination node id'), weight: pInt(opt, extra[k + 1], 'a destination weight') });
    } else fail(opt, `expected ${a} <nid> or ${a} <id> <weight> [<id> <weight>...]; found ${JSON.stringify(words.join(' '))}`);
  } else if (extra.length > 0) fail(opt, `expected no values after ${a} (only migrate_hot/migrate_cold take node ids); found ${JSON.stringify(extra.join(' '))}`);
  return { a, targetNid, dests };
}

/** damo options damon-sim knows but does not take, and what to do instead. */
const UNSUPPORTED_OPTIONS: Record<string, string> = {
  '--obsolete_targets': 'set `obsolete: true` on the targets in a kdamonds file',
  '--sample_primitives': 'damon-sim samples page-table accessed bits only',
  '--probe_filter': 'damon-sim does not model probes',
  // damo args damon's output and editing options (damo_args_damon.py).
  '--out': 'redirect the output instead (damon-sim args ... > FILE)',
  '--omit_defaults': 'damon-sim prints every key, as damo does without it',
  '--add': 'damon-sim does not edit kdamonds files: edit the file, then read it back (damon-sim args FILE)',
  '--remove': 'damon-sim does not edit kdamonds files: edit the file, then read it back (damon-sim args FILE)',
  '--replace': 'damon-sim does not edit kdamonds files: edit the file, then read it back (damon-sim args FILE)',
};

const CTX_OPTS = ['--ops', '--sample', '--aggr', '--updr', '--minr', '--maxr', '--monitoring_intervals', '--monitoring_intervals_goal', '--monitoring_nr_regions_range'];

/** damo's command line → its kdamonds object model (what `damo args damon` prints). */
export function damoArgsToKdamonds(tokens: readonly string[], opts: DamoArgsOptions = {}): DamoArgsResult {
  const found: ConfigIssue[] = [];
  const sizes: ConfigIssue[] = [];
  gathered = found;
  readTokens = tokens;
  sizeWarnings = sizes;
  let r: DamoArgsResult;
  try {
    r = buildKdamonds(tokens, opts);
  } catch (e) {
    // A problem no option part could go on from: report it after those gathered so far.
    if (e instanceof ConfigError) throw new ConfigError([...found, ...e.issues], [...sizes, ...e.warnings]);
    throw e;
  } finally {
    gathered = null;
    readTokens = [];
    sizeWarnings = null;
  }
  if (found.length > 0) throw new ConfigError(found, sizes);
  return { ...r, warnings: [...sizes, ...r.warnings] };
}

/** damo's commands that take the kdamond options (damo-formats.md §2), as a pasted line begins. */
const DAMO_COMMANDS = ['start', 'tune', 'record', 'args', 'report', 'damon', 'fmt_json', 'show', 'monitor', 'schemes', 'status'];

/**
 * A pasted damo command line's head (`damo start`, `sudo damo args damon`) at the front of `words`,
 * or undefined: damon-sim takes only the options after it.
 */
export function damoCommandHead(words: readonly string[]): string | undefined {
  let i = 0;
  // sudo and its own options (sudo -E damo …).
  if (words[0] === 'sudo') for (i = 1; i < words.length && words[i].startsWith('-'); ) i++;
  if (words[i] !== 'damo' && words[i] !== './damo') return undefined;
  i++;
  while (i < words.length && DAMO_COMMANDS.includes(words[i])) i++;
  return words.slice(0, i).join(' ');
}

/** The message for a pasted damo command line's head. */
export function damoCommandHeadMessage(head: string): string {
  return `expected damo's options only; found the damo command "${head}" before them (leave it out: damon-sim reads the options that follow it)`;
}

function buildKdamonds(tokens: readonly string[], opts: DamoArgsOptions): DamoArgsResult {
  const { occurrences: occ, rest: restAll } = splitDamoTokens(tokens);
  // The positional "deducible target" `paddr` is what damon-sim monitors anyway.
  const rest = restAll.filter((t) => t !== 'paddr');
  if (rest.length > 0) {
    const t = rest[0];
    const head = damoCommandHead(rest);
    if (head !== undefined) fail('damo options', damoCommandHeadMessage(head));
    const why = UNSUPPORTED_OPTIONS[t.split('=')[0]];
    if (why !== undefined) fail(t.split('=')[0], `expected an option damon-sim supports; found ${t.split('=')[0]}, which it does not: ${why}`);
    // A number and its unit given as two values, up to this word, shifted it out of its option.
    const shifted = splitHint(() => true, tokens.lastIndexOf(t) + 1) ?? '';
    if (/^\d+$/.test(t)) fail('damo options', `expected the deducible target "paddr" (damon-sim simulates the physical address space); found the pid "${t}"${shifted}`);
    fail(t.startsWith('-') ? t : 'damo options', looksLikeOption(t) ? `expected one of damo's options (see damon-sim args --help); found unknown option "${t}"` : `expected an option; found the stray value "${t}"${shifted}`);
  }
  const warnings: ConfigIssue[] = [];

  // Contexts: as many as the longest per-context option list, --nr_targets or --nr_schemes.
  const nrTargetsOpt = intList(occ, '--nr_targets');
  const nrSchemesOpt = intList(occ, '--nr_schemes');
  const nrCtxs = Math.max(1, ...CTX_OPTS.map((n) => all(occ, n).length), nrTargetsOpt?.length ?? 0, nrSchemesOpt?.length ?? 0);
  let addrUnits = all(occ, '--damon_addr_unit');
  if (addrUnits.length > 1 && addrUnits.length !== nrCtxs) {
    const n = addrUnits.length;
    attempt(() => fail('--damon_addr_unit', `expected one value for every context or one per context (${nrCtxs}); found ${n}`), undefined);
    addrUnits = addrUnits.slice(0, 1); // go on with the first for every context
  }
  const autotune = occ.has('--monitoring_intervals_autotune');

  const ctxs: DamoContext[] = [];
  for (let i = 0; i < nrCtxs; i++) {
    // The context is built as paddr whatever --ops says: a bad or other name is refused here, and
    // no later check blames an ops the user did not write (or asks for what a vaddr one needs).
    const opsW = nth(occ, '--ops', i)?.[0];
    if (opsW !== undefined && !(DAMON_OPS_IDS as readonly string[]).includes(opsW)) attempt(() => fail('--ops', `expected one of ${DAMON_OPS_IDS.join(', ')}; found ${JSON.stringify(opsW)}`), undefined);
    else {
      // damo's default: vaddr with --target_pid, else paddr.
      const ops = opsW ?? (nth(occ, '--target_pid', i) ? 'vaddr' : 'paddr');
      const opt = opsW !== undefined ? '--ops' : '--target_pid';
      if (ops !== 'paddr') attempt(() => fail(opt, `expected a "paddr" context (damon-sim simulates the physical address space operations set only); found ${opt === '--ops' ? `"${ops}"` : `a pid, which makes context ${i} "${ops}"`}`), undefined);
    }
    const intervals = defaultIntervals();
    const mi = nth(occ, '--monitoring_intervals', i);
    if (mi) {
      intervals.sampleUs = attempt(() => pUs('--monitoring_intervals', mi[0]), intervals.sampleUs);
      intervals.aggrUs = attempt(() => pUs('--monitoring_intervals', mi[1]), intervals.aggrUs);
      intervals.opsUpdateUs = attempt(() => pUs('--monitoring_intervals', mi[2]), intervals.opsUpdateUs);
    }
    const s = nth(occ, '--sample', i)?.[0];
    const a = nth(occ, '--aggr', i)?.[0];
    const u = nth(occ, '--updr', i)?.[0];
    if (s !== undefined) intervals.sampleUs = attempt(() => pUs('--sample', s), intervals.sampleUs);
    if (a !== undefined) intervals.aggrUs = attempt(() => pUs('--aggr', a), intervals.aggrUs);
    if (u !== undefined) intervals.opsUpdateUs = attempt(() => pUs('--updr', u), intervals.opsUpdateUs);
    const g = nth(occ, '--monitoring_intervals_goal', i) ?? (autotune ? ['4%', '3', '5ms', '10s'] : undefined);
    if (g) {
      const o = occ.has('--monitoring_intervals_goal') ? '--monitoring_intervals_goal' : '--monitoring_intervals_autotune';
      intervals.goal = attempt(() => ({ accessBp: pBp(o, g[0]), aggrs: pNr(o, g[1]), minSampleUs: pUs(o, g[2]), maxSampleUs: pUs(o, g[3]) }), intervals.goal);
    }
    const nrRegions = { min: 10n, max: 1000n };
    const rr = nth(occ, '--monitoring_nr_regions_range', i);
    if (rr) {
      nrRegions.min = attempt(() => pNr('--monitoring_nr_regions_range', rr[0]), nrRegions.min);
      nrRegions.max = attempt(() => pNr('--monitoring_nr_regions_range', rr[1]), nrRegions.max);
    }
    const mn = nth(occ, '--minr', i)?.[0];
    const mx = nth(occ, '--maxr', i)?.[0];
    if (mn !== undefined) nrRegions.min = attempt(() => pNr('--minr', mn), nrRegions.min);
    if (mx !== undefined) nrRegions.max = attempt(() => pNr('--maxr', mx), nrRegions.max);
    const auWords = addrUnits.length === 1 ? addrUnits[0] : addrUnits[i];
    const addrUnit = attempt(() => {
      const au = auWords ? pBytes('--damon_addr_unit', auWords[0]) : 1n;
      if (au === 0n) fail('--damon_addr_unit', 'expected a non-zero number of bytes per core address; found 0');
      return au;
    }, 1n);
    ctxs.push({ ops: 'paddr', addrUnit, targets: [], intervals, nrRegions, pause: false, schemes: [] });
  }
  for (const w of all(occ, '--pause_ctx').flat()) {
    const idx = attempt(() => {
      const k = pInt('--pause_ctx', w, 'a context index');
      if (k >= nrCtxs) fail('--pause_ctx', `expected a context index below ${nrCtxs}; found ${k}`);
      return k;
    }, -1);
    if (idx >= 0) ctxs[idx].pause = true;
  }

  // Targets: as many as the longest per-target option list, at least one per context.
  const nrTargets = Math.max(nrCtxs, all(occ, '--target_pid').length, all(occ, '--regions').length, all(occ, '--numa_node').length);
  let perCtx = nrTargetsOpt;
  if (perCtx === undefined) {
    if (nrCtxs > 1) fail('--nr_targets', `expected --nr_targets (one count per context) with ${nrCtxs} contexts; found none`);
    perCtx = [nrTargets];
  }
  if (perCtx.length !== nrCtxs) fail('--nr_targets', `expected one count per context (${nrCtxs}); found ${perCtx.length}`);
  const sumT = perCtx.reduce((x, y) => x + y, 0);
  if (sumT !== nrTargets) fail('--nr_targets', `expected counts adding up to the number of targets (${nrTargets}, from --target_pid/--regions/--numa_node); found ${perCtx.join(' ')} (sum ${sumT})`);
  let ti = 0;
  perCtx.forEach((n, ci) => {
    for (let k = 0; k < n; k++, ti++) ctxs[ci].targets.push(buildTarget(occ, ti, ctxs[ci], opts, warnings));
  });

  // Schemes.
  const schemes = buildSchemes(occ, opts, warnings);
  let perCtxS = nrSchemesOpt;
  if (perCtxS === undefined) {
    if (nrCtxs > 1 && schemes.length > 0) fail('--nr_schemes', `expected --nr_schemes (one count per context) with ${nrCtxs} contexts; found none`);
    perCtxS = [schemes.length, ...new Array<number>(nrCtxs - 1).fill(0)];
  }
  if (perCtxS.length !== nrCtxs) fail('--nr_schemes', `expected one count per context (${nrCtxs}); found ${perCtxS.length}`);
  const sumS = perCtxS.reduce((x, y) => x + y, 0);
  if (sumS !== schemes.length) fail('--nr_schemes', `expected counts adding up to the number of --damos_action options (${schemes.length}); found ${perCtxS.join(' ')} (sum ${sumS})`);
  let si = 0;
  perCtxS.forEach((n, ci) => {
    ctxs[ci].schemes = schemes.slice(si, si + n);
    si += n;
  });

  // Kdamonds.
  const nrCtxsOpt = intList(occ, '--nr_ctxs') ?? [nrCtxs];
  const sumC = nrCtxsOpt.reduce((x, y) => x + y, 0);
  if (sumC !== nrCtxs) fail('--nr_ctxs', `expected counts adding up to the number of contexts (${nrCtxs}); found ${nrCtxsOpt.join(' ')} (sum ${sumC})`);
  const refresh = all(occ, '--refresh_stat');
  if (refresh.length > 1 && refresh.length !== nrCtxsOpt.length) fail('--refresh_stat', `expected one value for every kdamond or one per kdamond (${nrCtxsOpt.length}); found ${refresh.length}`);
  const kdamonds: DamoKdamond[] = [];
  let ci = 0;
  nrCtxsOpt.forEach((n, ki) => {
    const r = refresh.length === 1 ? refresh[0] : refresh[ki];
    kdamonds.push({ refreshMs: r ? pMs('--refresh_stat', r[0]) : 0n, contexts: ctxs.slice(ci, ci + n) });
    ci += n;
  });
  return { kdamonds, warnings };
}

/** The idx-th target of a context built from the options, which is paddr (buildKdamonds() refuses the others). */
function buildTarget(occ: DamoOccurrences, idx: number, ctx: DamoContext, opts: DamoArgsOptions, warnings: ConfigIssue[]): DamoTarget {
  // A paddr target's pid means nothing (the kernel ignores it), but the value is still read as damo reads it.
  const pidW = nth(occ, '--target_pid', idx)?.[0];
  if (pidW !== undefined) pInt('--target_pid', pidW, 'a process id');
  const regionsW = nth(occ, '--regions', idx)?.[0];
  let regions = regionsW === undefined ? [] : parseRegions('--regions', regionsW);
  const nodes = nth(occ, '--numa_node', idx);
  if (regions.length === 0) {
    if (nodes) {
      if (!opts.nodeRanges) fail('--numa_node', 'expected a machine to map node ids to physical ranges (give --preset NAME or --machine FILE); found none');
      const ranges: Array<{ start: bigint; end: bigint }> = [];
      for (const w of nodes) {
        const nid = pInt('--numa_node', w, 'a node id');
        const r = opts.nodeRanges(nid);
        if (r === null) fail('--numa_node', `expected a node of the machine; found node ${nid}`);
        ranges.push(...r);
      }
      regions = mergeRanges(ranges);
    } else {
      const d = opts.defaultPaddrRegion?.() ?? null;
      if (d) regions = [d];
    }
    // damo derives these ranges in bytes (/proc/iomem) and stages them as they are, although the
    // region files hold core addresses (bytes / addr_unit): the kernel then monitors other memory.
    if (ctx.addrUnit !== 1n && regions.length > 0)
      warnings.push({
        path: nodes ? '--numa_node' : '--damon_addr_unit',
        message: `damo writes the ${nodes ? "nodes'" : 'default System RAM'} byte range${regions.length > 1 ? 's' : ''} unconverted into core-address region files; with addr_unit ${ctx.addrUnit} the kernel reads ${regions.map((r) => `${r.start}-${r.end}`).join(' ')} as bytes × ${ctx.addrUnit}`,
      });
  }
  return { pid: null, obsolete: false, regions };
}

/** damo's command line → damo's printed kdamonds tree (`{"kdamonds": [...]}`, human strings). */
export function damoArgsToTree(tokens: readonly string[], opts: DamoArgsOptions = {}) {
  const r = damoArgsToKdamonds(tokens, opts);
  return { tree: wrapKdamonds(kdamondsTree(r.kdamonds)), kdamonds: r.kdamonds, warnings: r.warnings };
}

/**
 * damo's command line → normalised parameters: the printed tree goes through the kdamonds parser,
 * exactly as a JSON file with the same content would. `--kdamonds` gives that tree whole (damo
 * then ignores every other option); `-c/--schemes` gives the schemes of the context the other
 * options build, when no --damos_action does (damo-formats.md §2.1, damo's kdamonds_for()).
 */
export function damoArgsToParams(tokens: readonly string[], opts: DamoArgsOptions = {}): DamoArgsParams {
  let r: Omit<DamoArgsParams, 'named'>;
  const named = optionNamer(tokens);
  try {
    r = damoArgsToParamsAt(tokens, opts);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(named(e.issues), named(e.warnings));
    throw e;
  }
  return { ...r, warnings: named(r.warnings), named };
}

/** What damo's options build, with their problems' paths naming the options that made them. */
export interface DamoArgsParams {
  params: KdamondParams[];
  kdamonds: DamoKdamond[];
  warnings: ConfigIssue[];
  /** Name the option behind each later problem at a `damo options.…` path too (the kernel checks'). */
  named: (issues: readonly ConfigIssue[]) => ConfigIssue[];
}

/**
 * Which damo options make each part of the tree they build (paths below a context or a scheme),
 * most specific first. The kernel checks file interval and interval-goal problems alike under
 * `intervals`.
 */
const TREE_OPTIONS: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/\.schemes\[\d+\]\.access_pattern\.sz_bytes/, ['--damos_sz_region']],
  [/\.schemes\[\d+\]\.access_pattern\.nr_accesses/, ['--damos_access_rate']],
  [/\.schemes\[\d+\]\.access_pattern\.age/, ['--damos_age']],
  [/\.schemes\[\d+\]\.quotas\.goals/, ['--damos_quota_goal']],
  [/\.schemes\[\d+\]\.quotas\.goal_tuner/, ['--damos_quota_goal_tuner']],
  [/\.schemes\[\d+\]\.quotas\.fail_charge/, ['--damos_quota_fail_charge_ratio']],
  [/\.schemes\[\d+\]\.quotas\.weights/, ['--damos_quotas', '--damos_quota_weights']],
  [/\.schemes\[\d+\]\.quotas\.reset_interval_ms/, ['--damos_quotas', '--damos_quota_interval']],
  [/\.schemes\[\d+\]\.quotas\.sz_bytes/, ['--damos_quotas', '--damos_quota_space']],
  [/\.schemes\[\d+\]\.quotas\.time_ms/, ['--damos_quotas', '--damos_quota_time']],
  [/\.schemes\[\d+\]\.quotas/, ['--damos_quotas', '--damos_quota_interval', '--damos_quota_space', '--damos_quota_time', '--damos_quota_weights']],
  [/\.schemes\[\d+\]\.watermarks/, ['--damos_wmarks']],
  [/\.schemes\[\d+\]\.(?:core_|ops_)?filters/, ['--damos_filter']],
  [/\.schemes\[\d+\]\.apply_interval_us/, ['--damos_apply_interval']],
  [/\.schemes\[\d+\]\.max_nr_snapshots/, ['--damos_max_nr_snapshots']],
  [/\.schemes\[\d+\]/, ['--damos_action']],
  [/\.contexts\[\d+\]\.nr_regions/, ['--monitoring_nr_regions_range', '--minr', '--maxr']],
  [/\.contexts\[\d+\]\.intervals\.intervals_goal/, ['--monitoring_intervals_goal', '--monitoring_intervals_autotune']],
  [/\.contexts\[\d+\]\.intervals/, ['--monitoring_intervals', '--sample', '--aggr', '--updr', '--monitoring_intervals_goal', '--monitoring_intervals_autotune']],
  [/\.contexts\[\d+\]\.targets\[\d+\]\.regions/, ['--regions', '--numa_node']],
  [/\.contexts\[\d+\]\.targets/, ['--target_pid']],
  [/\.contexts\[\d+\]\.addr_unit/, ['--damon_addr_unit']],
  [/\.contexts\[\d+\]\.pause/, ['--pause_ctx']],
  [/\.contexts\[\d+\]\.ops/, ['--ops']],
  [/\.kdamonds\[\d+\]\.refresh_ms/, ['--refresh_stat']],
];

/**
 * A problem's path in the tree damo's options build (`damo options.kdamonds[0].…`) names, beside
 * it, the options among those that make that part which the user typed (or the first, for a
 * default); schemes given as JSON (`--schemes`) name that option. A whole `--kdamonds` tree is the
 * user's own file: its paths are that option's (`--kdamonds.kdamonds[0].…`), as its unit errors are.
 */
function optionNamer(tokens: readonly string[]): (issues: readonly ConfigIssue[]) => ConfigIssue[] {
  const { occurrences: occ, rest } = splitDamoTokens(tokens);
  const whole = occ.has('--kdamonds') ? '--kdamonds' : positionalConfig(rest)?.label;
  if (whole !== undefined) return (issues) => issues.map((i) => ({ ...i, path: i.path.replace(/^damo options\./, `${whole}.`) }));
  const schemesJson = occ.has('--schemes') && !occ.has('--damos_action');
  const named = (path: string): string | undefined => {
    if (schemesJson && /\.schemes\[\d+\]/.test(path)) return '--schemes';
    const opts = TREE_OPTIONS.find(([re]) => re.test(path))?.[1];
    if (opts === undefined) return undefined;
    const typed = opts.filter((o) => occ.has(o));
    return (typed.length > 0 ? typed : opts.slice(0, 1)).join(', ');
  };
  return (issues) =>
    issues.map((i) => {
      if (!i.path.startsWith('damo options.kdamonds')) return i;
      const opt = named(i.path);
      return opt === undefined ? i : { ...i, path: `${i.path} (${opt})` };
    });
}

function damoArgsToParamsAt(tokens: readonly string[], opts: DamoArgsOptions): Omit<DamoArgsParams, 'named'> {
  const { occurrences: occ, rest } = splitDamoTokens(tokens);
  const whole = occ.get('--kdamonds');
  if (whole && whole.length > 1) fail('--kdamonds', `expected the option once; found it ${whole.length} times`);
  // damo reads --kdamonds first, then a positional config (kdamonds_for()).
  const positional = whole ? undefined : positionalConfig(rest);
  if (whole || positional !== undefined) {
    const source = positional?.label ?? '--kdamonds';
    // damo checks the --damos_* options before it looks at either.
    if (!occ.has('--damos_action')) for (const n of occ.keys()) if (n.startsWith('--damos_')) fail(n, 'expected --damos_action with --damos_* options (damo refuses them without it); found none');
    const doc = whole ? jsonOption('--kdamonds', whole[0][0]) : positional && readPositionalConfig(positional);
    if (!isMapping(doc) || !('kdamonds' in doc))
      fail(source, `expected ${whole || !source.endsWith('.yaml') ? 'a JSON' : 'a YAML'} object {"kdamonds": [...]} (damo reads its "kdamonds" key); found ${Array.isArray(doc) ? 'a list' : JSON.stringify(doc)?.slice(0, 40)}`);
    const warnings: ConfigIssue[] = [];
    const ignored = [...occ.keys(), ...rest.filter((t) => t !== 'paddr')].filter((n) => n !== '--kdamonds' && n !== positional?.word);
    if (ignored.length > 0) warnings.push({ path: source, message: `the whole config comes from ${source}; ignored, as damo does: ${ignored.join(', ')}` });
    return readTree(doc, source, warnings, opts);
  }
  const schemesOpt = occ.get('--schemes');
  const r = damoArgsToTree(tokens, opts);
  if (schemesOpt) {
    if (schemesOpt.length > 1) fail('--schemes', `expected the option once; found it ${schemesOpt.length} times`);
    if (occ.has('--damos_action')) r.warnings.push({ path: '--schemes', message: 'ignored: --damos_action gives the schemes (damo takes those first)' });
    else {
      const list = jsonOption('--schemes', schemesOpt[0][0]);
      if (!Array.isArray(list)) fail('--schemes', `expected a JSON list of scheme objects; found ${JSON.stringify(list)?.slice(0, 40)}`);
      const kds = (r.tree as { kdamonds: Array<{ contexts: Array<{ schemes: unknown[] }> }> }).kdamonds;
      const ctxs = kds.flatMap((k) => k.contexts);
      if (ctxs.length !== 1) fail('--schemes', `expected one context for the schemes to go to; found ${ctxs.length}`);
      ctxs[0].schemes = list;
      return readTree(r.tree, 'damo options', r.warnings, opts);
    }
  }
  const read = readKdamonds(r.tree, { compat: opts.compat, source: 'damo options' });
  return { params: read.params, kdamonds: r.kdamonds, warnings: [...r.warnings, ...read.warnings] };
}

/**
 * A {"kdamonds": [...]} tree given in part or whole as JSON, read as a file with the same content
 * would be: damo's key checks, then the kdamonds parser; `warnings` go first.
 */
function readTree(tree: unknown, source: string, warnings: readonly ConfigIssue[], opts: DamoArgsOptions): { params: KdamondParams[]; kdamonds: DamoKdamond[]; warnings: ConfigIssue[] } {
  const c: Collector = { errors: [], warnings: [...warnings] };
  const list = (tree as { kdamonds: unknown }).kdamonds;
  if (Array.isArray(list)) list.forEach((k, ki) => warnDamoKeys(k, [source, 'kdamonds', ki], c));
  warnDecimalLookingSizes(list, [source, 'kdamonds'], c);
  // Printed back in the units the JSON gave, as damo prints it.
  let read: ReturnType<typeof readKdamondsAsGiven>;
  try {
    read = readKdamondsAsGiven(tree, { compat: opts.compat, source });
  } catch (e) {
    // A config with errors still shows what was warned about it (an unknown key may be the cause).
    if (e instanceof ConfigError) throw new ConfigError(e.issues, [...c.warnings, ...e.warnings]);
    throw e;
  }
  return { params: read.params, kdamonds: read.kdamonds, warnings: [...c.warnings, ...read.warnings] };
}

/** The options whose value damo reads as JSON text or as a JSON file (jsonOption()). */
const JSON_OPTIONS = ['--kdamonds', '--schemes'] as const;

/**
 * The files damo's options name as input (`--kdamonds FILE`, `--schemes FILE`): the values that
 * jsonOption() would read as a file, with the option that names each. An output of the same run
 * must not be one of them (the CLI checks).
 */
export function damoInputFiles(tokens: readonly string[]): Array<[option: string, path: string]> {
  const { occurrences: occ, rest } = splitDamoTokens(tokens);
  const files: Array<[string, string]> = [];
  for (const opt of JSON_OPTIONS) for (const [value] of occ.get(opt) ?? []) if (isInputFile(value)) files.push([opt, value]);
  const positional = occ.has('--kdamonds') ? undefined : positionalConfig(rest);
  if (positional?.file) files.push(['positional kdamonds', positional.word]);
  return files;
}

/**
 * The positional word damo reads as a whole config before it deduces a target from it
 * (kdamonds_for(): a name ending in ".yaml" is a YAML file, anything else JSON text or a JSON file),
 * so that `damo args damon cfg.yaml` converts damo's own output back; undefined for any other word
 * (`paddr`, a pid, a stray value), which the options' own checks then name.
 */
function positionalConfig(rest: readonly string[]): PositionalConfig | undefined {
  const t = rest.find((w) => w !== 'paddr');
  if (t === undefined || t.startsWith('-')) return undefined;
  const file = isInputFile(t);
  // Problems name the file, or "positional kdamonds" for JSON text given in its place.
  if (file || t.endsWith('.yaml')) return { word: t, label: t, file };
  return /^\s*[{[]/.test(t) ? { word: t, label: 'positional kdamonds', file } : undefined;
}

interface PositionalConfig {
  word: string;
  /** How problems name it. */
  label: string;
  /** Whether the word names a regular file (an input an output must not overwrite). */
  file: boolean;
}

/** A positional config's document (positionalConfig()): a YAML file's, or JSON text's or a JSON file's. */
function readPositionalConfig({ word: t, label, file }: PositionalConfig): unknown {
  if (t.endsWith('.yaml')) {
    if (!file) fail(t, `expected a kdamonds YAML file (damo reads a positional word ending in ".yaml" as one); found ${JSON.stringify(t)}, which is ${existsSync(t) ? 'not a regular file' : 'no file'}`);
    return parseText(readInput(t).toString('utf8'), t, 'yaml');
  }
  return jsonOption(label, t);
}

/** A JSON option value as damo reads it: the file's text if such a file exists, else the text itself. */
function jsonOption(opt: string, value: string): unknown {
  const t = value.trim();
  const file = isInputFile(value);
  if (!t.startsWith('{') && !t.startsWith('[') && !file) {
    // damo reads the text of a path only if it is a regular file (os.path.isfile()), and any
    // other value as JSON text: say which one this was instead of quoting a parse error of its name.
    if (!existsSync(value)) fail(opt, `expected JSON text or a JSON file; found ${JSON.stringify(value)}, which is neither (no such file (ENOENT))`);
    fail(opt, `expected JSON text or a JSON file; found ${JSON.stringify(value)}, ${statSync(value).isDirectory() ? 'a directory (EISDIR)' : 'which is not a regular file (damo reads JSON text from a regular file only)'}`);
  }
  let text = value;
  try {
    if (file) text = readInput(value).toString('utf8');
  } catch {
    // not a readable file: the value is the JSON text
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const f = jsonParseFailure(text, e as Error);
    // In the words a scenario file's JSON errors use: 'a syntax error at the end: expected ...'.
    const end = f.atEnd ? (text === value ? 'the end' : 'the end of the file') : undefined;
    const why = `${f.pos ? `${f.pos}: ` : ''}${syntaxFound(f.what, end)}`;
    return fail(opt, `expected JSON text or a JSON file (damo reads it as JSON only); found ${text === value ? `"${value.slice(0, 40)}"` : `the file ${value}`}, which does not parse (${why})`);
  }
}
