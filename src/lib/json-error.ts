// SPDX-License-Identifier: GPL-2.0-only
/**
 * Where a JSON text stops being JSON, for error messages that name a line and column.
 *
 * V8's JSON.parse() says "at position N" for most errors, nothing for the end of the input, and
 * for "Unexpected token" only a snippet of the text around it; jsonc-parser, which reports
 * offsets, locates those.
 */
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** `line:col` of character offset `pos` in `text`. */
export function lineColAt(text: string, pos: number): string {
  const lines = text.slice(0, pos).split(/\r?\n|\r/);
  return `${lines.length}:${lines[lines.length - 1].length + 1}`;
}

/** `line:col` just past the last character of `text` that is not white space (1:1 if none). */
export function endOfText(text: string): string {
  const t = text.trimEnd();
  return lineColAt(t, t.length);
}

/** Why JSON.parse(text) threw `e`: `pos` (line:col, null if unknown), whether that is the end of the text, and what. */
export interface JsonParseFailure {
  pos: string | null;
  atEnd: boolean;
  what: string;
}

export function jsonParseFailure(text: string, e: Error): JsonParseFailure {
  // V8 quotes the text around the error, newlines included: keep its first line.
  const first = e.message.split('\n')[0];
  const at = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(first);
  const end = text.trimEnd().length;
  if (at) {
    const what = first.slice(0, at.index);
    return Number(at[1]) < end ? { pos: lineColAt(text, Number(at[1])), atEnd: false, what } : { pos: endOfText(text), atEnd: true, what };
  }
  if (/end of JSON input/.test(first)) return { pos: endOfText(text), atEnd: true, what: first };
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const j = errors[0];
  if (!j) return { pos: null, atEnd: false, what: first };
  if (j.offset >= end) return { pos: endOfText(text), atEnd: true, what: first };
  const found = JSON.stringify(text.slice(j.offset, j.offset + Math.max(j.length, 1)));
  const code = printParseErrorCode(j.error);
  const pos = lineColAt(text, j.offset);
  if (code === 'InvalidSymbol') return { pos, atEnd: false, what: `found ${found}, which is not a JSON value (strings take double quotes; the literals are true, false and null)` };
  if (code === 'ValueExpected') return { pos, atEnd: false, what: `a value is missing before ${found}` };
  // Anything else: the parser's code in words ("CommaExpected" is "comma expected").
  return { pos, atEnd: false, what: `${code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}, found ${found}` };
}
