// SPDX-License-Identifier: GPL-2.0-only
/**
 * A timeline read back (docs/timeline.md): its header and its last line, the summary, which hold
 * everything the run printed at its end. `damon-sim report summary` prints runs made earlier, or
 * elsewhere, side by side without running them again.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { specialKind } from '../lib/dirs.js';
import { isMapping } from '../lib/json.js';
import { TIMELINE_VERSION } from '../run/recorder.js';
import { ConfigError } from '../scenario/issues.js';
import type { Migration, SchemeStats, SchemeSummary } from './summary.js';

/** What a timeline's header and summary line say of its run. */
export interface TimelineSummary {
  scenario: string;
  seed: number;
  /** The summary line's records, as the run's result held them. */
  schemes: SchemeSummary[];
  stats: SchemeStats[];
  migrated: Migration[];
}

/** The record keys that hold kernel u64 values a run writes as bigints (docs/timeline.md). */
const BIG_KEYS = new Set(['target_value', 'current_value', 'esz', 'target']);

/**
 * JSON text as toJson() (lib/json.ts) writes it, with the u64 values past 2^53 (`target_value`,
 * `current_value`, `esz`, a summary's `target`) read back exactly, as bigints. Every other number
 * is a number, as the run held it (a byte counter past 2^53 was a double there too).
 */
export function parseTimelineLine(text: string): unknown {
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
    if (!BIG_KEYS.has(key)) return Number(digits);
    const b = BigInt(digits);
    return b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER) ? b : Number(b);
  });
}

/** A file's first line, its last line with text and that line's number (1-based). */
interface LineEnds {
  first: string;
  last: string;
  lastNo: number;
}

/** Whether a line holds only ASCII white space (or nothing). */
function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && (b < 0x09 || b > 0x0d)) return false;
  return true;
}

/**
 * The first and the last non-blank line of a file, read in chunks: a timeline of days runs to
 * gigabytes, which one string could not hold, and only these two lines are wanted (the others are
 * only counted, never decoded).
 */
function firstAndLastLines(path: string): LineEnds {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let first: string | null = null;
    let last = Buffer.alloc(0);
    let lastNo = 1;
    let lineNo = 1;
    // The parts of the line being read.
    let cur: Buffer[] = [];
    const endLine = (): void => {
      const line = Buffer.concat(cur);
      cur = [];
      first ??= line.toString('utf8');
      if (!isBlank(line)) {
        last = line;
        lastNo = lineNo;
      }
      lineNo++;
    };
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) {
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl >= 0 && nl < n; nl = chunk.indexOf(10, from)) {
        cur.push(Buffer.from(chunk.subarray(from, nl)));
        endLine();
        from = nl + 1;
      }
      if (from < n) cur.push(Buffer.from(chunk.subarray(from, n)));
    }
    if (cur.length > 0 || first === null) endLine();
    return { first: first ?? '', last: last.toString('utf8'), lastNo };
  } finally {
    closeSync(fd);
  }
}

/** Read `path`'s header and summary line; a file that is not a whole timeline is refused naming its line. */
export function readTimelineSummary(path: string): TimelineSummary {
  const bad = (where: string, message: string): never => {
    throw new ConfigError([{ path: where, message }]);
  };
  let ends: LineEnds;
  try {
    // Not a FIFO or a device: a read that never ends, or never stops.
    const st = statSync(path);
    if (!st.isFile()) return bad(path, `expected a timeline file (a run's --out); found ${specialKind(st)}`);
    ends = firstAndLastLines(path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return bad(path, `expected a readable timeline file (a run's --out); ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { first, last: lastText, lastNo } = ends;
  if (first.trim() === '' && lastText === '') bad(path, 'expected a damon-sim timeline; found an empty file');
  const parse = (line: string, no: number): unknown => {
    try {
      return parseTimelineLine(line);
    } catch {
      return bad(`${path}:${no}`, `expected one JSON record per line (a damon-sim timeline); found a line that is not JSON`);
    }
  };
  const header = parse(first, 1);
  if (!isMapping(header) || header.type !== 'header' || header.format !== 'damon-sim-timeline')
    bad(`${path}:1`, 'expected a damon-sim timeline, which begins with its header line ({"type":"header","format":"damon-sim-timeline",…}); found another first line');
  const h = header as Record<string, unknown>;
  if (h.version !== TIMELINE_VERSION) bad(`${path}:1`, `expected timeline format version ${TIMELINE_VERSION}; found ${JSON.stringify(h.version)}`);
  const summary = lastNo > 1 ? parse(lastText, lastNo) : undefined;
  if (!isMapping(summary) || summary.type !== 'summary') {
    const found = isMapping(summary) && typeof summary.type === 'string' ? `a "${summary.type}" record` : 'no record after the header';
    bad(`${path}:${lastNo}`, `expected the timeline's last line to be its summary (a run writes its file only once it is complete: this one was cut or edited); found ${found}`);
  }
  const s = summary as Record<string, unknown>;
  for (const key of ['schemes', 'stats', 'migrated'])
    if (!Array.isArray(s[key])) bad(`${path}:${lastNo}`, `expected the summary's "${key}" list; found ${s[key] === undefined ? 'none' : 'something else'}`);
  return {
    scenario: typeof h.scenario === 'string' ? h.scenario : path,
    seed: typeof h.seed === 'number' ? h.seed : 0,
    schemes: s.schemes as SchemeSummary[],
    stats: s.stats as SchemeStats[],
    migrated: s.migrated as Migration[],
  };
}
