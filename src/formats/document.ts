// SPDX-License-Identifier: GPL-2.0-only
/**
 * The text of a scenario or a kdamonds file (JSON or YAML) as one plain value, before any schema
 * sees it: what is not such a text (a binary file, a timeline, a plot, bracket nesting that would
 * overflow the parsers' stack, a repeated key, a second YAML document) is refused here with the
 * line and column, and integers past 2^53 in damo's parts stay exact. The scenario loader and
 * damo's positional kdamonds YAML file (`args cfg.yaml`) both read through it.
 */

import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { readFailure, readInput } from '../lib/inputs.js';
import { isMapping } from '../lib/json.js';
import { duplicateJsonKeys, endOfText, jsonParseFailure, lineColAt, syntaxFound, type DuplicateKey } from '../lib/json-error.js';
import { duplicateYamlKeys } from '../lib/yaml-keys.js';
import { ConfigError, formatPath } from '../scenario/issues.js';

/** A number token of 16 digits or more (outside strings): it may not survive a round trip through a double. */
const LONG_INTEGER = /\d{16,}/;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * Plain integers come out of the YAML parser as bigints: those a double holds exactly become
 * numbers. Longer ones stay exact as digit strings in damo's part of a document (`damon`, the
 * `events`' kdamonds and goal values), where every integer-valued key takes them (ULONG_MAX goal
 * values, sizes); the scenario's own keys (`machine`, `workload`, ...) take plain numbers, so
 * there they become the nearest double, as JSON.parse would make them.
 */
function exactIntegers(v: unknown, exact: boolean, within: Set<object> = new Set()): unknown {
  if (typeof v === 'bigint') return !exact || (v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) ? Number(v) : v.toString();
  if (v === null || typeof v !== 'object') return v;
  // A YAML alias inside the node its anchor names (`a: &a [*a]`) makes a cycle, which has no JSON.
  if (within.has(v)) throw new AliasCycle();
  within.add(v);
  const out = Array.isArray(v) ? v.map((x) => exactIntegers(x, exact, within)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exactIntegers(x, exact, within)]));
  within.delete(v);
  return out;
}

/** exactIntegers() met an alias inside the node it names. */
class AliasCycle extends Error {
  constructor() {
    super('found an alias inside the node its anchor names (a cycle, which no JSON value holds)');
  }
}

/** exactIntegers() over a whole document: a scenario keeps damo's parts exact, any other document (a kdamonds file) all of it. */
function exactDocument(doc: unknown): unknown {
  const isScenario = isMapping(doc) && !('kdamonds' in doc);
  if (!isScenario) return exactIntegers(doc, true);
  return Object.fromEntries(Object.entries(doc).map(([k, x]) => [k, exactIntegers(x, k === 'damon' || k === 'events')]));
}

/** A JSON.parse error as a path and a message. */
function jsonIssue(text: string, source: string, e: Error): { path: string; message: string } {
  const f = jsonParseFailure(text, e);
  return { path: f.pos ? `${source}:${f.pos}` : source, message: `expected JSON; found ${syntaxFound(f.what, f.atEnd ? END_OF_FILE : undefined)}` };
}

const END_OF_FILE = 'the end of the file';

/** YAML parse errors shown before the rest are counted. */
const MAX_PARSE_ERRORS = 5;

/** Bracket nesting refused before parsing: the parsers recurse, and 10^5 levels overflow their stack. */
const MAX_FLOW_DEPTH = 100;

/**
 * Where `[` / `{` nesting first passes MAX_FLOW_DEPTH, or -1. Quoted strings ("…" with escapes,
 * '…') and YAML comments are skipped; a quote or a "#" inside a YAML plain scalar may hide brackets
 * from the count, which only lets such a file through to the parser, as before.
 */
function tooDeep(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      // A YAML comment, to the end of its line: "[a, b)" ranges in comments open without closing.
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return -1;
}

/**
 * What a file is when it is one of damon-sim's own outputs (or another format) rather than a
 * scenario, or undefined: such files parse as thousands of YAML errors, or as something the schema
 * then takes apart key by key.
 */
function notAScenario(text: string): string | undefined {
  const head = text.replace(/^\ufeff/, '').trimStart();
  if (head.startsWith('<')) return 'XML or SVG (a --plot file?)';
  const first = head.slice(0, head.search(/\r?\n|$/)).trimEnd();
  if (/^\S+ +\d+ +\[\d+\] +[\d.]+: +damon:/.test(first)) return 'a trace of DAMON tracepoint lines (a --trace file)';
  // A timeline's records, whole or cut to any one line (docs/timeline.md): no scenario has a `type`
  // key, so a line-long object led by one of these is a record, not a scenario in JSON.
  if (/^\{"type":"(?:header|aggr|goal|event|stats|effective_quota|tuned_intervals|tried_regions|summary)",.*\}$/.test(first))
    return 'a damon-sim timeline (an --out file: one JSON record per line)';
  if (/^(?:\{.*\}|\[.*\])$/.test(first) && /\r?\n\s*[{[]/.test(head)) return 'one JSON value per line (NDJSON)';
  return undefined;
}

/** One line per key written twice in one object, at the path it would have had (the first few, as for parse errors). */
function refuseDuplicateKeys(dups: readonly DuplicateKey[], source: string): void {
  if (dups.length === 0) return;
  const more = dups.length - MAX_PARSE_ERRORS;
  throw new ConfigError([
    ...dups.slice(0, MAX_PARSE_ERRORS).map((d) => ({ path: formatPath([...d.path, d.key]), message: `expected each key once in an object; found ${JSON.stringify(d.key)} again at ${source}:${d.pos}` })),
    ...(more > 0 ? [{ path: source, message: `expected each key once in an object; found ${more} more repeated key${more === 1 ? '' : 's'} after these` }] : []),
  ]);
}

/** Parse JSON or YAML text (YAML is a superset; JSON errors read better from the JSON parser). */
export function parseText(text: string, source = 'scenario', format: 'json' | 'yaml' | 'auto' = 'auto'): unknown {
  // Neither format takes a C0 control character but tab and line breaks, anywhere: a binary file
  // (or one in another encoding) stops here, not as a value echoed back in a later message.
  // eslint-disable-next-line no-control-regex -- finding them is the point
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.exec(text);
  if (control) throw new ConfigError([{ path: `${source}:${lineColAt(text, control.index)}`, message: `expected YAML or JSON text; found the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (a binary file?)` }]);
  const other = notAScenario(text);
  if (other) throw new ConfigError([{ path: source, message: `expected a scenario (one JSON or YAML document); found ${other}` }]);
  const deep = tooDeep(text);
  if (deep >= 0) throw new ConfigError([{ path: `${source}:${lineColAt(text, deep)}`, message: `expected brackets nested at most ${MAX_FLOW_DEPTH} deep (a scenario needs about 8); found deeper nesting` }]);
  const looksJson = format === 'json' || (format === 'auto' && /^\s*[{[]/.test(text));
  let jsonText = false;
  if (looksJson) {
    let v: unknown;
    try {
      v = JSON.parse(text);
      jsonText = true;
    } catch (e) {
      if (format === 'json') throw new ConfigError([jsonIssue(text, source, e as Error)]);
    }
    if (jsonText) {
      // JSON.parse keeps the last of a repeated key; the YAML parser refuses it, and so do we.
      refuseDuplicateKeys(duplicateJsonKeys(text), source);
      // JSON.parse rounds integers past 2^53; the YAML parser below keeps them exact.
      if (!LONG_INTEGER.test(text.replace(JSON_STRING, '""'))) return v;
    }
  }
  // Repeated keys are found by path below, as in JSON, rather than by the parser's uniqueKeys.
  // logLevel 'error': the library's warnings (a collection as a key becomes its text) went to
  // stderr as Node process warnings, beside the schema's own line about the unknown key.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, intAsBigInt: true, uniqueKeys: false, lineCounter: lines, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const errors = oneErrorPerSlip(doc.errors);
    // One mistake can derail the parser for the rest of the file: the first few errors say where
    // it went wrong, thousands more would only bury them.
    const more = errors.length - MAX_PARSE_ERRORS;
    throw new ConfigError([
      ...errors.slice(0, MAX_PARSE_ERRORS).map((e) => {
        // The parser's own "at line L, column C" repeats the path's position.
        const what = e.message.split('\n')[0].replace(/:$/, '').replace(/ at line \d+, column \d+$/, '');
        const at = e.linePos ? `${source}:${e.linePos[0].line}:${e.linePos[0].col}` : source;
        // The library's text for this one is advice to its programmers (use parseAllDocuments()).
        if (e.code === 'MULTIPLE_DOCS') return { path: at, message: 'expected one YAML document; found a second one here (a "---" line starts a new document; a scenario is one)' };
        const runOn = e.code === 'MULTILINE_IMPLICIT_KEY' ? runOnMessage(text, e) : undefined;
        if (runOn !== undefined) return { path: at, message: runOn };
        // At the end of the input the parser counts the line after the final newline, which no
        // editor shows: name the end of the last line with text instead (endOfText()).
        if (e.pos[0] >= text.length) return { path: `${source}:${endOfText(text)}`, message: `expected YAML or JSON; found ${syntaxFound(what, END_OF_FILE)}` };
        return { path: at, message: `expected YAML or JSON; found ${syntaxFound(what)}` };
      }),
      ...(more > 0 ? [{ path: source, message: `expected YAML or JSON; found ${more} more parse error${more === 1 ? '' : 's'} after these (most follow from the first)` }] : []),
    ]);
  }
  refuseDuplicateKeys(duplicateYamlKeys(doc, lines), source);
  // Nothing but white space and comments: say so, where the schema would only see a null.
  if (doc.contents === null) throw new ConfigError([{ path: source, message: 'expected YAML or JSON; found an empty file' }]);
  try {
    // A small alias budget: a scenario has no use for an alias bomb.
    return exactDocument(doc.toJS({ maxAliasCount: 100 }));
  } catch (e) {
    throw new ConfigError([{ path: source, message: `expected YAML or JSON whose aliases resolve; ${(e as Error).message.split('\n')[0]}` }]);
  }
}

/**
 * The parser's errors, one per slip. A plain value that runs on into a line with a colon gets two
 * at its start ("nested mappings are not allowed in compact mappings" and "implicit keys need to
 * be on a single line"): the second is kept, as runOnMessage() explains it. And the keys after a
 * line at the wrong indentation each swallow the next line in turn: a run-on that starts on a line
 * an earlier error already covers follows from that one, and is dropped.
 */
function oneErrorPerSlip(errors: readonly YAMLError[]): YAMLError[] {
  const out: YAMLError[] = [];
  let covered = 0; // the last line an error kept so far spans
  errors.forEach((e, i) => {
    if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && errors[i + 1]?.code === 'MULTILINE_IMPLICIT_KEY' && errors[i + 1].pos[0] === e.pos[0]) return;
    const from = e.linePos?.[0].line ?? 0;
    const to = e.code === 'MULTILINE_IMPLICIT_KEY' ? (e.linePos?.[1]?.line ?? from) : from;
    const followOn = e.code === 'MULTILINE_IMPLICIT_KEY' && from <= covered;
    covered = Math.max(covered, to);
    if (!followOn) out.push(e);
  });
  return out;
}

/**
 * What a MULTILINE_IMPLICIT_KEY error means in a scenario: the text from its start runs on over
 * the next lines to a colon, which makes all of it one key. That takes a line indented deeper than
 * its key (or one too shallow before it), or a colon with no space after it ("hot_share:99.9 %").
 */
function runOnMessage(text: string, e: YAMLError): string | undefined {
  const [from, to] = e.linePos ?? [];
  if (from === undefined || to === undefined || to.line <= from.line) return undefined;
  const shown = (text.split(/\r?\n/)[to.line - 1] ?? '').trim();
  const quoted = JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40)}…` : shown);
  return `expected YAML or JSON; found text that runs on from here to line ${to.line} (${quoted}), where a colon makes it all one key (check the indentation of lines ${from.line}–${to.line}, and that a space follows each colon)`;
}

/**
 * Where, in `lenient` (bytes decoded with replacement characters), the first character stands
 * for bytes that were not UTF-8: the first U+FFFD that the bytes do not spell as EF BF BD
 * themselves (everything before it decoded as written, so its byte offset is its encoding's length).
 */
function firstReplaced(lenient: string, bytes: Buffer): number {
  for (let i = lenient.indexOf('\ufffd'); i >= 0; i = lenient.indexOf('\ufffd', i + 1)) {
    const at = Buffer.byteLength(lenient.slice(0, i));
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) return i;
  }
  return 0;
}

/** Read and parse a scenario file (JSON or YAML by its extension, else either). */
export function readScenarioDoc(path: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readInput(path);
  } catch (e) {
    throw new ConfigError([{ path, message: `expected a readable scenario file; found ${readFailure(e)}` }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lenient = bytes.toString('utf8');
    throw new ConfigError([{ path: `${path}:${lineColAt(lenient, firstReplaced(lenient, bytes))}`, message: 'expected YAML or JSON text in UTF-8; found bytes that are not UTF-8 (a binary file, or another encoding?)' }]);
  }
  const fmt = path.endsWith('.json') ? 'json' : path.endsWith('.yaml') || path.endsWith('.yml') ? 'yaml' : 'auto';
  return parseText(text, path, fmt);
}
