// SPDX-License-Identifier: GPL-2.0-only
/**
 * Where a JSON text stops being JSON, for error messages that name a line and column.
 *
 * V8's JSON.parse() says "at position N" for most errors, nothing for the end of the input, and
 * for "Unexpected token" only a snippet of the text around it; jsonc-parser, which reports
 * offsets, locates those.
 */
import { parse as parseJsonc, printParseErrorCode, visit, type JSONPath, type ParseError } from 'jsonc-parser';

/** `line:col` of character offset `pos` in `text`. */
export function lineColAt(text: string, pos: number): string {
  const lines = text.slice(0, pos).split(/\r?\n|\r/);
  return `${lines.length}:${lines[lines.length - 1].length + 1}`;
}

/** `line:col` just past the last character of `text` that is not white space (1:1 if none). */
export function endOfText(text: string): string {
  return lineColAt(text, text.trimEnd().length);
}

/**
 * A parser's complaint (JSON's, as jsonParseFailure() words it, or YAML's) as what was found, the
 * words after "found ": its own where it says so ('found "tru"'), else a syntax error in the
 * parser's words ("Tabs are not allowed as indentation"); `end` names where the text ended, when
 * the parser stopped there ("the end of the file").
 */
export function syntaxFound(what: string, end?: string): string {
  if (what.startsWith('found ')) return end === undefined ? what.slice(6) : `${what.slice(6)}, at ${end}`;
  const words = what.charAt(0).toLowerCase() + what.slice(1);
  return `a syntax error${end === undefined ? '' : ` at ${end}`}: ${words}`;
}

/** Why JSON.parse(text) threw `e`: `pos` (line:col, null if unknown), whether that is the end of the text, and what. */
export interface JsonParseFailure {
  pos: string | null;
  atEnd: boolean;
  what: string;
}

/** How far the text runs before trailing JSON white space (space, tab, CR, LF; String.trimEnd() strips more). */
function jsonEnd(text: string): number {
  let end = text.length;
  while (end > 0 && ' \t\r\n'.includes(text[end - 1])) end--;
  return end;
}

/**
 * The text found at an error, quoted for a one-line message: at most 40 characters, and white
 * space or control characters JSON.stringify() leaves as they are (a byte-order mark, a no-break
 * space) written as \uXXXX, so that the message shows them.
 */
function quoteFound(found: string): string {
  const cut = found.length > 40 ? `${found.slice(0, 40)}…` : found;
  return JSON.stringify(cut).replace(/[\u007f-\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function jsonParseFailure(text: string, e: Error): JsonParseFailure {
  // V8 quotes the text around the error, newlines included: keep its first line.
  const first = e.message.split('\n')[0];
  const at = / JSON at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(first);
  const end = jsonEnd(text);
  if (at) {
    // "… in JSON at position N" becomes "…"; "… after JSON at position N", "… after JSON".
    const what = first.slice(0, at.index).replace(/ in$/, '').replace(/ after$/, ' after JSON');
    return Number(at[1]) < end ? { pos: lineColAt(text, Number(at[1])), atEnd: false, what } : { pos: lineColAt(text, end), atEnd: true, what };
  }
  if (/end of JSON input/.test(first)) return { pos: lineColAt(text, end), atEnd: true, what: first };
  const errors: ParseError[] = [];
  try {
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    // jsonc-parser recurses per nesting level: thousands of levels exhaust the stack.
    return { pos: null, atEnd: false, what: first };
  }
  const j = errors[0];
  if (!j) return { pos: null, atEnd: false, what: first };
  if (j.offset >= end) return { pos: lineColAt(text, end), atEnd: true, what: first };
  const pos = lineColAt(text, j.offset);
  const raw = text.slice(j.offset, j.offset + Math.max(j.length, 1));
  if (raw.startsWith('\ufeff')) return { pos, atEnd: false, what: 'found a byte-order mark (U+FEFF), which JSON does not allow; save the file without it' };
  const found = quoteFound(raw);
  const code = printParseErrorCode(j.error);
  if (code === 'InvalidSymbol') return { pos, atEnd: false, what: `found ${found}, which is not a JSON value (strings take double quotes; the literals are true, false and null)` };
  if (code === 'ValueExpected') return { pos, atEnd: false, what: `a value is missing before ${found}` };
  // Anything else: the parser's code in words ("CommaExpected" is "comma expected").
  return { pos, atEnd: false, what: `${code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}, found ${found}` };
}

/** A key written twice in one object of a JSON text: the object's path, the key, and line:col of its second (or later) occurrence. */
export interface DuplicateKey {
  path: JSONPath;
  key: string;
  pos: string;
}

/**
 * The keys a valid JSON text repeats within one object. JSON.parse() keeps the last silently,
 * where the YAML parser refuses the same mistake; a scenario should read the same either way.
 */
export function duplicateJsonKeys(text: string): DuplicateKey[] {
  const dups: DuplicateKey[] = [];
  const open: Array<Set<string>> = [];
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (key, _offset, _length, line, col, pathSupplier) => {
      const seen = open[open.length - 1];
      if (seen.has(key)) dups.push({ path: pathSupplier(), key, pos: `${line + 1}:${col + 1}` });
      else seen.add(key);
    },
  });
  return dups;
}
