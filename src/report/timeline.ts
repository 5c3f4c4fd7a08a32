// SPDX-License-Identifier: GPL-2.0-only
/**
 * A timeline read back (docs/timeline.md): its header and its last line, the summary, which hold
 * everything the run printed at its end. `damon-sim report summary` prints runs made earlier, or
 * elsewhere, side by side without running them again.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { specialKind } from '../lib/dirs.js';
import { isMapping } from '../lib/json.js';
import { readFailure } from '../lib/inputs.js';
import type { EventRecord } from '../run/events.js';
import { TIMELINE_VERSION, type AggrRecord, type GoalRecord } from '../run/recorder.js';
import type { ContextRegions } from '../run/run.js';
import { ConfigError } from '../scenario/issues.js';
import type { ConfiguredGoal } from './plot.js';
import type { Migration, SchemeStats, SchemeSummary } from './summary.js';

/** What a timeline's header and summary line say of its run. */
export interface TimelineSummary {
  scenario: string;
  seed: number;
  /**
   * The header apart from the record's own fields and the scenario's name: seed, length, profile,
   * sampling, machine, workload and DAMON configuration, its integers past 2^53 exact (bigints),
   * to show how runs side by side differ (report/setup-diff.ts).
   */
  config: Record<string, unknown>;
  /** The summary line's records, as the run's result held them. */
  schemes: SchemeSummary[];
  stats: SchemeStats[];
  migrated: Migration[];
  /** Each context's region peak and aggregation intervals (the summary's `regions`), where the timeline has them. */
  regions?: ContextRegions[];
}

/** The record keys that hold kernel u64 values a run writes as bigints (docs/timeline.md). */
const BIG_KEYS = new Set(['target_value', 'current_value', 'esz', 'target']);

/**
 * JSON text as toJson() (lib/json.ts) writes it, with the u64 values past 2^53 (`target_value`,
 * `current_value`, `esz`, a summary's `target`) read back exactly, as bigints. Every other number
 * is a number, as the run held it (a byte counter past 2^53 was a double there too); `exact`
 * reads every integer past 2^53 as a bigint (a header's configuration: ULONG_MAX limits).
 */
export function parseTimelineLine(text: string, exact = false): unknown {
  // A marker that no string of this text holds, so only the numbers marked here turn back.
  let tag = 'big';
  while (text.includes(`\\u0000${tag}:`)) tag += '_';
  const marker = `\u0000${tag}:`;
  // Only whole integers outside strings, of 16 digits or more, without a leading zero (JSON has
  // none): a string is matched whole first and left as it is, and digits after a decimal point or
  // in an exponent are not an integer of their own.
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?[1-9]\d{15,})(?![.eE\d])/g, (m: string, digits: string | undefined) =>
    digits === undefined ? m : `"\\u0000${tag}:${digits}"`,
  );
  return JSON.parse(marked, (key, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith(marker)) return v;
    const digits = v.slice(marker.length);
    if (!exact && !BIG_KEYS.has(key)) return Number(digits);
    const b = BigInt(digits);
    return b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER) ? b : Number(b);
  });
}

/** Whether a line holds only ASCII white space (or nothing). */
function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && (b < 0x09 || b > 0x0d)) return false;
  return true;
}

/**
 * Every line of a file in order, each with its 1-based number, read in 1 MiB chunks: a timeline
 * of days runs to gigabytes, which one string could not hold. An empty file is one empty line.
 */
function eachLine(fd: number, onLine: (line: Buffer, no: number) => void): void {
  const chunk = Buffer.alloc(1 << 20);
  let no = 1;
  // The parts of the line being read (a line may span chunks).
  let cur: Buffer[] = [];
  for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0 && nl < n; nl = chunk.indexOf(10, from)) {
      cur.push(Buffer.from(chunk.subarray(from, nl)));
      onLine(cur.length === 1 ? cur[0] : Buffer.concat(cur), no++);
      cur = [];
      from = nl + 1;
    }
    if (from < n) cur.push(Buffer.from(chunk.subarray(from, n)));
  }
  if (cur.length > 0 || no === 1) onLine(Buffer.concat(cur), no);
}

/** A refusal of `where` (a file, or file:line) as a usage problem. */
function bad(where: string, message: string): never {
  throw new ConfigError([{ path: where, message }]);
}

/**
 * `path`'s lines (eachLine()), once it is known to be a readable regular file. A read the system
 * refuses (EIO), or a line too long for one string (ERR_STRING_TOO_LONG, where onLine decodes it),
 * is a problem with the file, named as such; onLine's own refusals pass through.
 */
function readLines(path: string, onLine: (line: Buffer, no: number) => void): void {
  let fd: number | undefined;
  try {
    // Not a FIFO or a device: a read that never ends, or never stops.
    const st = statSync(path);
    if (!st.isFile()) return bad(path, `expected a timeline file (a run's --out); found ${specialKind(st)}`);
    fd = openSync(path, 'r');
    eachLine(fd, onLine);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return bad(path, `expected a readable timeline file (a run's --out); found ${readFailure(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Line `no` of `path` as a record (parseTimelineLine()); a line that is not JSON is refused naming it. */
function parseAt(path: string, line: string, no: number, exact = false): unknown {
  try {
    return parseTimelineLine(line, exact);
  } catch {
    return bad(`${path}:${no}`, `expected one JSON record per line (a damon-sim timeline); found a line that is not JSON`);
  }
}

/** The header of `path` from its first line; `empty`: no line of the file has text. */
function headerOf(path: string, first: string, empty: boolean): Record<string, unknown> {
  if (empty) bad(path, 'expected a damon-sim timeline; found an empty file');
  const header = parseAt(path, first, 1, true);
  if (!isMapping(header) || header.type !== 'header' || header.format !== 'damon-sim-timeline')
    bad(`${path}:1`, 'expected a damon-sim timeline, which begins with its header line ({"type":"header","format":"damon-sim-timeline",…}); found another first line');
  const h = header as Record<string, unknown>;
  if (h.version !== TIMELINE_VERSION) bad(`${path}:1`, `expected timeline format version ${TIMELINE_VERSION}; found ${JSON.stringify(h.version)}`);
  return h;
}

/** `a "goal" record`, `an "aggr" record`. */
function recordNamed(type: string): string {
  return `${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${JSON.stringify(type)} record`;
}

/** What the header and the summary (`summary`, the record on line `lastNo`, the last with text; undefined: none after the header) say. */
function summaryOf(path: string, h: Record<string, unknown>, summary: unknown, lastNo: number): TimelineSummary {
  if (!isMapping(summary) || summary.type !== 'summary') {
    const found = isMapping(summary) && typeof summary.type === 'string' ? recordNamed(summary.type) : 'no record after the header';
    bad(`${path}:${lastNo}`, `expected the timeline's last line to be its summary (a run writes its file only once it is complete: this one was cut or edited); found ${found}`);
  }
  const s = summary as Record<string, unknown>;
  for (const key of ['schemes', 'stats', 'migrated'])
    if (!Array.isArray(s[key])) bad(`${path}:${lastNo}`, `expected the summary's "${key}" list; found ${s[key] === undefined ? 'none' : 'something else'}`);
  // `regions` (newer timelines): the notes report summary prints again read these fields.
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const agg = (a: unknown) => a === undefined || a === null || (isMapping(a) && num(a.meanS) && num(a.medianS) && num(a.meanRatio) && num(a.aggrUs) && typeof a.autoTuned === 'boolean' && typeof a.aggrUsChanged === 'boolean');
  const region = (r: unknown) =>
    isMapping(r) && num(r.kdamond) && (r.peakNrRegions === null || num(r.peakNrRegions)) && (r.peakT === null || num(r.peakT)) && num(r.maxNrRegions) && num(r.rejectedQuotaSplits) && agg(r.aggregation);
  if (s.regions !== undefined && !(Array.isArray(s.regions) && s.regions.every(region)))
    bad(`${path}:${lastNo}`, `expected the summary's "regions" list of contexts (kdamond, peakNrRegions, maxNrRegions, rejectedQuotaSplits, aggregation); found something else`);
  const { type: _type, format: _format, version: _version, scenario: _scenario, ...config } = h;
  return {
    scenario: typeof h.scenario === 'string' ? h.scenario : path,
    seed: typeof h.seed === 'number' ? h.seed : 0,
    config,
    schemes: s.schemes as SchemeSummary[],
    stats: s.stats as SchemeStats[],
    migrated: s.migrated as Migration[],
    ...(Array.isArray(s.regions) ? { regions: s.regions as ContextRegions[] } : {}),
  };
}

/** Read `path`'s header and summary line; a file that is not a whole timeline is refused naming its line. */
export function readTimelineSummary(path: string): TimelineSummary {
  let first = '';
  // The last line with text and its number: only it and the first are decoded (the others are only counted).
  let last: Buffer | undefined;
  let lastNo = 1;
  readLines(path, (line, no) => {
    if (no === 1) first = line.toString('utf8');
    if (isBlank(line)) return;
    last = line;
    lastNo = no;
  });
  const h = headerOf(path, first, last === undefined);
  return summaryOf(path, h, lastNo > 1 ? parseAt(path, (last as Buffer).toString('utf8'), lastNo) : undefined, lastNo);
}

/** A timeline read whole: its summary and the records `damon-sim report plot` draws from. */
export interface Timeline extends TimelineSummary {
  /** The run's simulated seconds (the header's `duration_s`). */
  durationS: number;
  /**
   * The quota goals the header lists: those the run's initial configuration kept (the kernel drops
   * target_value 0), numbered as their goal records are (by place in their scheme's list), the nid
   * as the records carry it (0 where the configuration gives none).
   */
  configuredGoals: ConfiguredGoal[];
  /** The kdamonds the header lists schemes of. */
  kdamonds: number;
  goals: GoalRecord[];
  aggrs: AggrRecord[];
  events: EventRecord[];
}

/** What a field the plot reads must be; `?`: it may be left out. */
type FieldKind = 'number' | 'string' | 'u64' | 'numbers' | 'numbers?';

const RECORD_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  goal: { t: 'number', kdamond: 'number', ctx: 'number', scheme: 'number', goal: 'number', metric: 'string', nid: 'number', target_value: 'u64', current_value: 'u64' },
  aggr: { t: 'number', kdamond: 'number', ctx: 'number', hot_bytes: 'numbers' },
  // `goals`: the goal counts an accepted write left, which split a goal's line where it was removed.
  event: { t: 'number', kdamond: 'number', ctx: 'number', command: 'string', status: 'string', goals: 'numbers?' },
};

const KIND_NAMES: Readonly<Record<FieldKind, string>> = {
  number: 'a number',
  string: 'a string',
  u64: 'an unsigned integer',
  numbers: 'a list of numbers',
  'numbers?': 'a list of numbers',
};

function fieldFits(v: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'u64':
      return typeof v === 'bigint' ? v >= 0n : Number.isInteger(v) && (v as number) >= 0;
    case 'numbers?':
      return v === undefined || fieldFits(v, 'numbers');
    case 'numbers':
      return Array.isArray(v) && v.every((x) => typeof x === 'number');
    default:
      return typeof v === kind;
  }
}

/** A value as a message shows what was found: strings quoted, so that "5" and 5 differ. */
function foundValue(v: unknown): string {
  if (v === undefined) return 'none';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) {
    const odd = v.find((x) => typeof x !== 'number');
    return odd === undefined ? 'a list' : `a list holding ${foundValue(odd)}`;
  }
  return 'an object';
}

/** A goal record's u64 fields (GoalRecord: bigint). */
const GOAL_U64 = ['target_value', 'current_value', 'esz'];

/** `v` with each of `keys` that holds a whole number turned into a bigint (parseTimelineLine() gives numbers below 2^53). */
function asBigints(v: unknown, keys: readonly string[]): unknown {
  if (!isMapping(v)) return v;
  for (const k of keys) if (typeof v[k] === 'number' && Number.isInteger(v[k])) v[k] = BigInt(v[k] as number);
  return v;
}

/**
 * Read `path` whole (each line decoded once, in chunks): the header, the goal, aggregation and
 * event records, and the summary. A file that is not a whole timeline, or a record without a
 * field the plot needs, is refused naming its line.
 */
export function readTimeline(path: string): Timeline {
  let first = '';
  let header: Record<string, unknown> | undefined;
  let last: unknown;
  let lastNo = 1;
  const goals: GoalRecord[] = [];
  const aggrs: AggrRecord[] = [];
  const events: EventRecord[] = [];
  readLines(path, (line, no) => {
    if (no === 1) first = line.toString('utf8');
    if (isBlank(line)) return;
    // The header first, so that a file that is not a timeline is refused before the rest is read.
    header ??= headerOf(path, first, false);
    if (no === 1) return;
    const rec = parseAt(path, line.toString('utf8'), no);
    last = rec;
    lastNo = no;
    if (!isMapping(rec) || typeof rec.type !== 'string') return;
    const fields = RECORD_FIELDS[rec.type];
    if (fields === undefined) return;
    for (const [key, kind] of Object.entries(fields))
      if (!fieldFits(rec[key], kind)) bad(`${path}:${no}`, `expected ${recordNamed(rec.type)}'s "${key}" as ${KIND_NAMES[kind]}; found ${foundValue(rec[key])}`);
    // The u64 values as the run's own records hold them (bigints), whatever size they read back as.
    if (rec.type === 'goal') goals.push(asBigints(rec, GOAL_U64) as unknown as GoalRecord);
    else if (rec.type === 'aggr') aggrs.push(rec as unknown as AggrRecord);
    else {
      if (Array.isArray(rec.goal_params)) rec.goal_params = rec.goal_params.map((gs: unknown) => (Array.isArray(gs) ? gs.map((g: unknown) => asBigints(g, ['target_value'])) : gs));
      events.push(rec as unknown as EventRecord);
    }
  });
  const h = header ?? headerOf(path, first, true);
  const summary = summaryOf(path, h, lastNo > 1 ? last : undefined, lastNo);
  // The plot's time axis spans the run, and an empty goal panel says whether goals were configured.
  if (typeof h.duration_s !== 'number' || !(h.duration_s > 0)) bad(`${path}:1`, `expected the header's "duration_s" as a positive number; found ${foundValue(h.duration_s)}`);
  const schemes = h.schemes;
  if (!Array.isArray(schemes) || !schemes.every((x) => isMapping(x) && Array.isArray(x.goals)))
    bad(`${path}:1`, `expected the header's "schemes" as a list of schemes, each with its "goals" list; found ${Array.isArray(schemes) ? 'a scheme without one' : foundValue(schemes)}`);
  const configuredGoals = (schemes as Array<Record<string, unknown> & { goals: unknown[] }>).flatMap((x, i) =>
    x.goals.map((g, goal): ConfiguredGoal => {
      // The plot labels and draws each goal, evaluated or not, by these fields.
      const ok =
        [x.kdamond, x.ctx, x.scheme].every((v) => Number.isInteger(v)) &&
        isMapping(g) &&
        typeof g.metric === 'string' &&
        (g.nid === null || Number.isInteger(g.nid)) &&
        fieldFits(g.target_value, 'u64');
      if (!ok)
        bad(`${path}:1`, `expected each of the header's "schemes" with its "kdamond", "ctx" and "scheme" indices, and each of its "goals" with "metric", "nid" and "target_value"; found schemes[${i}].goals[${goal}] without them`);
      const { metric, nid, target_value } = g as { metric: string; nid: number | null; target_value: bigint | number };
      return { kdamond: x.kdamond as number, ctx: x.ctx as number, scheme: x.scheme as number, goal, metric, nid: nid ?? 0, target_value };
    }),
  );
  const kdamonds = new Set((schemes as Array<{ kdamond?: unknown }>).map((x) => x.kdamond)).size;
  return { ...summary, durationS: h.duration_s as number, configuredGoals, kdamonds, goals, aggrs, events };
}
