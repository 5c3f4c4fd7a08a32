// SPDX-License-Identifier: GPL-2.0-only
/**
 * Configuration problems: one line each, naming the JSON path (or option), what was expected and
 * what was found. Errors stop the run with exit code 2; warnings are printed and the run goes on.
 */
import { isMapping } from '../lib/json.js';
import { closest } from '../lib/spelling.js';
import type { z } from 'zod';

export type PathSeg = string | number;

export interface ConfigIssue {
  path: string;
  message: string;
}

/** Problems found while reading a configuration, errors and warnings apart. */
export interface Collector {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

export function addError(c: Collector, path: readonly PathSeg[], message: string): void {
  c.errors.push({ path: formatPath(path), message });
}

export function addWarning(c: Collector, path: readonly PathSeg[], message: string): void {
  c.warnings.push({ path: formatPath(path), message });
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  readonly warnings: ConfigIssue[];

  constructor(issues: ConfigIssue[], warnings: ConfigIssue[] = []) {
    // One line per problem: newlines that came with the input are kept escaped.
    const flat = (l: ConfigIssue[]) => l.map((i) => ({ path: oneLine(i.path), message: oneLine(i.message) }));
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = flat(issues);
    this.warnings = flat(warnings);
  }
}

/** `a.b[0].c` from path segments. */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(top level)';
}

/** One line per problem: newlines that came with the input are shown escaped. */
export function formatIssue(i: ConfigIssue): string {
  return `${oneLine(i.path)}: ${oneLine(i.message)}`;
}

/**
 * A message as printed: on one line (newlines that came with the input shown escaped), and a quoted
 * value longer than QUOTE_MAX characters cut short, with its length, so that one bad 5,000-character
 * option value does not fill the terminal (the option or JSON path already says where it is).
 */
export function oneLine(s: string): string {
  return shortQuotes(s.replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}

/** Longest quoted value a message shows whole: file paths and damo words fit; a pasted blob does not. */
export const QUOTE_MAX = 120;

/** How much of a cut value is kept: its start, and its end, where a file name's extension is. */
const KEEP_HEAD = 60;
const KEEP_TAIL = 40;

/**
 * Quoted values (plain or JSON-escaped) longer than QUOTE_MAX characters, cut to their first and
 * last characters. One scan from the left: quotes pair in order, so prose between two short values
 * is never taken for a long one, and a quote left open ends the scan (the rest stays as it is).
 */
function shortQuotes(s: string): string {
  if (s.length <= QUOTE_MAX) return s;
  let out = '';
  let i = 0;
  for (;;) {
    const open = s.indexOf('"', i);
    if (open < 0) break;
    let close = open + 1;
    while (close < s.length && s[close] !== '"') close += s[close] === '\\' ? 2 : 1;
    if (close >= s.length) break;
    const body = s.slice(open + 1, close);
    out += s.slice(i, open) + (body.length > QUOTE_MAX ? `${cutQuoted(body)} (${body.length} characters)` : s.slice(open, close + 1));
    i = close + 1;
  }
  return out + s.slice(i);
}

/**
 * `"head...tail"` of a long quoted body, cut only between whole characters: never inside an escape
 * (`\\u00e9`, `\\\\`) or a surrogate pair.
 */
function cutQuoted(body: string): string {
  // Where each whole character (an escape, a pair, or one code unit) starts, up to the tail.
  const next = (k: number): number => {
    if (body[k] === '\\') return k + (body[k + 1] === 'u' ? 6 : 2);
    const c = body.charCodeAt(k);
    return c >= 0xd800 && c < 0xdc00 ? k + 2 : k + 1;
  };
  let head = 0;
  while (next(head) <= KEEP_HEAD) head = next(head);
  let tail = head;
  while (tail < body.length - KEEP_TAIL) tail = next(tail);
  return `"${body.slice(0, head)}...${body.slice(tail)}"`;
}

/** How a found value is shown: short and unambiguous. */
export function showFound(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/** "expected one of "a", "b"; found …", the message of a value outside a fixed set. */
export function expectedOneOf(values: readonly unknown[], found: unknown): string {
  return `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}; found ${showFound(found)}`;
}

/**
 * Whether a union branch's issues say the value has that branch's shape: none at the value itself
 * of the wrong type or value, nor a union there (a nested one, as a nullable number-or-string is)
 * none of whose own branches fits.
 */
function branchFits(issues: readonly z.core.$ZodIssue[]): boolean {
  return !issues.some((x) => {
    if (x.path.length !== 0) return false;
    if (x.code === 'invalid_type' || x.code === 'invalid_value') return true;
    return x.code === 'invalid_union' && !((x as { errors?: z.core.$ZodIssue[][] }).errors ?? []).some(branchFits);
  });
}

/** The keys a schema lets the object at a path have, for "did you mean" hints (scenarioKeysAt()). */
export type KeysAt = (path: readonly PathSeg[]) => readonly string[] | undefined;

/**
 * A singular key given a list where its object also takes the plural (an event's `goal: [...]`
 * for `goals`): the hint for that mistake, or ''.
 */
function pluralHint(at: readonly PathSeg[], input: unknown, keysAt: KeysAt | undefined): string {
  const key = at[at.length - 1];
  if (!Array.isArray(input) || typeof key !== 'string' || keysAt === undefined) return '';
  return keysAt(at.slice(0, -1))?.includes(`${key}s`) ? ` (did you mean ${JSON.stringify(`${key}s`)}?)` : '';
}

/** Turn zod issues into our one-line form; `keysAt` lets unknown keys name the likely meant one. */
export function fromZod(issues: readonly z.core.$ZodIssue[], prefix: readonly PathSeg[] = [], keysAt?: KeysAt): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const i of issues) {
    const at = [...prefix, ...(i.path as PathSeg[])];
    const path = formatPath(at);
    const input = (i as { input?: unknown }).input;
    switch (i.code) {
      case 'invalid_type':
        // Schemas with a teaching message of their own ("expected bytes: …") keep it.
        if (i.message.startsWith('expected ')) out.push({ path, message: `${i.message}; found ${showFound(input)}${pluralHint(at, input, keysAt)}` });
        else out.push({ path, message: `expected ${describeType(i.expected)}; found ${showFound(input)}${pluralHint(at, input, keysAt)}` });
        break;
      case 'invalid_value':
        out.push({ path, message: expectedOneOf(i.values, input) });
        break;
      case 'unrecognized_keys': {
        // The keys the object does not have yet are what a misspelt one may have meant.
        const free = (keysAt?.(at) ?? []).filter((k) => !(isMapping(input) && k in input));
        for (const k of i.keys) {
          const meant = closest(k, free);
          const message = meant === undefined ? `expected a key this object takes (check its spelling; see docs/scenario.md); found unknown key ${JSON.stringify(k)}` : `expected a key this object takes; found unknown key ${JSON.stringify(k)} (did you mean ${JSON.stringify(meant)}?)`;
          out.push({ path: formatPath([...at, k]), message });
        }
        break;
      }
      case 'invalid_union': {
        // A discriminated union (workload.type): name the allowed values and what the key held.
        const disc = i as { discriminator?: string; options?: unknown[] };
        if (disc.discriminator !== undefined && disc.options !== undefined) {
          const held = isMapping(input) ? input[disc.discriminator] : undefined;
          out.push({ path, message: expectedOneOf(disc.options, held) });
          break;
        }
        // A union of shapes (e.g. damo's {"kdamonds": [...]} and bare-list wrappers): report the
        // problems of the branch that fits the input's shape, not "invalid input" at the union.
        const branches = (i as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
        const fitting = branches.filter(branchFits);
        if (fitting.length === 0 && i.message.startsWith('expected ')) {
          // No branch fits the value's type, and the schema says what it expects.
          out.push({ path, message: `${i.message}; found ${showFound(input)}${pluralHint(at, input, keysAt)}` });
          break;
        }
        const best = (fitting.length > 0 ? fitting : branches).reduce<z.core.$ZodIssue[] | undefined>(
          (a, b) => (a === undefined || depth(b) > depth(a) ? b : a),
          undefined,
        );
        if (best && best.length > 0) out.push(...fromZod(best, at, keysAt));
        else out.push({ path, message: `${i.message}; found ${showFound(input)}` });
        break;
      }
      case 'too_small':
      case 'too_big': {
        // Lists: zod's own text ("expected array to have >=1 items") in our words.
        const lim = i as { origin?: string; minimum?: number | bigint; maximum?: number | bigint };
        if (lim.origin === 'array' && i.code === 'too_small') out.push({ path, message: `expected at least ${lim.minimum} item${lim.minimum === 1 ? '' : 's'}; found ${showFound(input)}` });
        else if (lim.origin === 'array') out.push({ path, message: `expected at most ${lim.maximum} item${lim.maximum === 1 ? '' : 's'}; found ${showFound(input)}` });
        else if (i.message.startsWith('expected ')) out.push({ path, message: `${i.message}; found ${showFound(input)}` });
        else if (lim.origin === 'number') {
          // zod's "expected number to be >=0" in our words.
          const { inclusive } = i as { inclusive?: boolean };
          const bound = i.code === 'too_small' ? `${inclusive ? '>=' : '>'} ${lim.minimum}` : `${inclusive ? '<=' : '<'} ${lim.maximum}`;
          out.push({ path, message: `expected a number ${bound}; found ${showFound(input)}` });
        } else out.push({ path, message: `${i.message.replace(/^Too (small|big): /, '')}; found ${showFound(input)}` });
        break;
      }
      default:
        out.push({ path, message: i.message });
    }
  }
  return out;
}

/** How deep into the input a branch's problems reach (the deepest branch explains best). */
function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((x) => x.path.length));
}

function describeType(t: string): string {
  switch (t) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'a whole number';
    default:
      return t;
  }
}
