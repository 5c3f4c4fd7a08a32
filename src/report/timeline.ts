// SPDX-License-Identifier: GPL-2.0-only
/**
 * A timeline read back (docs/timeline.md): its header and its last line, the summary, which hold
 * everything the run printed at its end. `damon-sim report summary` prints runs made earlier, or
 * elsewhere, side by side without running them again.
 */
import { readFileSync, statSync } from 'node:fs';
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

/**
 * JSON text as toJson() (lib/json.ts) writes it, with integers past 2^53 read back exactly as
 * bigints (the goal values and targets a run writes as bare digits); smaller ones stay numbers.
 */
export function parseTimelineLine(text: string): unknown {
  const marker = '\u0000big:';
  // Only whole integers outside strings: a string is matched whole first and left as it is, and
  // digits after a decimal point or in an exponent are not an integer of their own.
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?\d{16,})(?![.eE\d])/g, (m: string, digits: string | undefined) => (digits === undefined ? m : `"\\u0000big:${digits}"`));
  return JSON.parse(marked, (_k, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith(marker)) return v;
    const b = BigInt(v.slice(marker.length));
    return b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER) ? b : Number(b);
  });
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Read `path`'s header and summary line; a file that is not a whole timeline is refused naming its line. */
export function readTimelineSummary(path: string): TimelineSummary {
  const bad = (where: string, message: string): never => {
    throw new ConfigError([{ path: where, message }]);
  };
  let text = '';
  try {
    // Not a FIFO or a device: a read that never ends, or never stops.
    const st = statSync(path);
    if (!st.isFile()) bad(path, `expected a timeline file (a run's --out); found ${st.isDirectory() ? 'a directory' : 'a special file'}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    bad(path, `expected a readable timeline file (a run's --out); ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = text.split('\n');
  const parse = (i: number): unknown => {
    try {
      return parseTimelineLine(lines[i]);
    } catch {
      return bad(`${path}:${i + 1}`, `expected one JSON record per line (a damon-sim timeline); found a line that is not JSON`);
    }
  };
  const header = parse(0);
  if (!isMap(header) || header.type !== 'header' || header.format !== 'damon-sim-timeline')
    bad(`${path}:1`, 'expected a damon-sim timeline, which begins with its header line ({"type":"header","format":"damon-sim-timeline",…}); found another first line');
  const h = header as Record<string, unknown>;
  if (h.version !== TIMELINE_VERSION) bad(`${path}:1`, `expected timeline format version ${TIMELINE_VERSION}; found ${JSON.stringify(h.version)}`);
  let last = lines.length - 1;
  while (last > 0 && lines[last].trim() === '') last--;
  const summary = last > 0 ? parse(last) : undefined;
  if (!isMap(summary) || summary.type !== 'summary') {
    const found = isMap(summary) && typeof summary.type === 'string' ? `a "${summary.type}" record` : 'no record after the header';
    bad(`${path}:${last + 1}`, `expected the timeline's last line to be its summary (a run writes its file only once it is complete: this one was cut or edited); found ${found}`);
  }
  const s = summary as Record<string, unknown>;
  for (const key of ['schemes', 'stats', 'migrated'])
    if (!Array.isArray(s[key])) bad(`${path}:${last + 1}`, `expected the summary's "${key}" list; found ${s[key] === undefined ? 'none' : 'something else'}`);
  return {
    scenario: typeof h.scenario === 'string' ? h.scenario : path,
    seed: typeof h.seed === 'number' ? h.seed : 0,
    schemes: s.schemes as SchemeSummary[],
    stats: s.stats as SchemeStats[],
    migrated: s.migrated as Migration[],
  };
}
