// SPDX-License-Identifier: GPL-2.0-only
/**
 * damo's "human string" value encoding (damo-formats.md §1.2): the sizes, times, ratios, counts
 * and booleans that damo accepts in its JSON/YAML/CLI input and prints in its output, such as
 * "1.5 GiB", "2 h 1 m 59 s 123 ms", "99.7 %" or "1,234".
 *
 * Written from damo's observable behaviour, with two deliberate differences:
 * - arithmetic is exact (decimal digit strings scaled with bigint, never floats), so "1.5 GiB"
 *   and values up to ULONG_MAX come out exactly; except that the damo readers of percentages and
 *   fractional times follow damo's floating point (parseRatio()/parseTime() with `damo`), which
 *   changes what is staged ("57 %" of bp is 5699);
 * - every rejection is a UnitError saying what was expected and what was found, and negative or
 *   out-of-range values are rejected (the kernel parameters are unsigned 64-bit).
 */

import { ULONG_MAX } from '../../lib/kint.js';

export { ULONG_MAX };

export type TimeUnit = 'ns' | 'us' | 'ms' | 's';
export type RatioUnit = 'percent' | 'permil' | 'bp';
export type CountUnit = 'samples' | 'aggr_intervals';

/** Thrown by every parser (and formatter) here for any invalid input. */
export class UnitError extends Error {
  readonly expected: string;
  readonly found: string;
  readonly reason: string | undefined;

  constructor(expected: string, found: string, reason?: string) {
    super(`expected ${expected}; found ${found}${reason === undefined ? '' : ` (${reason})`}`);
    this.name = 'UnitError';
    this.expected = expected;
    this.found = found;
    this.reason = reason;
  }

  /** The same problem for a key that takes more than this parser does (say so in `expected`). */
  expecting(expected: string): UnitError {
    return new UnitError(expected, this.found, this.reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  B: 1n,
  K: 1n << 10n, KB: 1n << 10n, KiB: 1n << 10n,
  M: 1n << 20n, MB: 1n << 20n, MiB: 1n << 20n,
  G: 1n << 30n, GB: 1n << 30n, GiB: 1n << 30n,
  T: 1n << 40n, TB: 1n << 40n, TiB: 1n << 40n,
  P: 1n << 50n, PB: 1n << 50n, PiB: 1n << 50n,
  E: 1n << 60n, EB: 1n << 60n, EiB: 1n << 60n,
};

const NS_PER: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** How many of the key's unit make one percent. */
const PER_PERCENT: Readonly<Record<RatioUnit, bigint>> = { percent: 1n, permil: 10n, bp: 100n };

const EXPECT_NUMBER = 'a non-negative number such as 4096, "1,234" or "1,234.5" (or min, max)';
const EXPECT_BYTES =
  'a size such as "4 KiB", "1.5 GiB" or a number of bytes ' +
  '(units: B K KB KiB M MB MiB G GB GiB T TB TiB P PB PiB E EB EiB; or the words min, max)';
const expectTime = (unit: TimeUnit): string =>
  `a time such as "5 ms", "1 m 2 s" or a number of ${unit} (units: ns us ms s m h d; or the words min, max)`;
const expectRatio = (unit: RatioUnit): string =>
  `a ratio such as "5 %", "0.1 %" or a number in ${unit} (units: %; or the words min, max)`;
const EXPECT_PERCENT = 'a percentage such as "5 %", "0.5 %" or a number of percent (units: %; or the words min, max)';
const EXPECT_COUNT = 'a count with a unit such as "3 samples" or "50 aggr_intervals" (units: samples aggr_intervals)';
const EXPECT_BOOL = 'a boolean: true/false, y/n, yes/no, on/off or 1/0 (any case)';

const NEGATIVE = 'negative values are invalid for unsigned kernel values';
export const TOO_LARGE = 'larger than ULONG_MAX (18,446,744,073,709,551,615)';

/** A printable rendering of any value; must never throw (objects may have hostile toString). */
function describe(v: unknown): string {
  switch (typeof v) {
    case 'string': {
      const s = v.length > 80 ? `${v.slice(0, 77)}...` : v;
      return JSON.stringify(s);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (v === null) return 'null';
      return Array.isArray(v) ? 'an array' : 'an object';
  }
}

/** value = mant × 10^exp, mant ≥ 0: a decimal number kept exact. */
interface Dec {
  mant: bigint;
  exp: number;
}

// What Python's int()/float() take once damo has stripped every comma (text_to_nr()): a sign,
// single underscores between digits ("1_000"), exponents (so that JS-printed numbers like
// "1e+21" parse too; bounded, so that 10^exp stays cheap). A minus sign is taken only on a zero
// ("-0", "-0.0" are 0 to damo as to Python); any other negative value is refused (parseDec()).
const DIGITS = String.raw`\d(?:_?\d)*`;
const DEC_RE = new RegExp(String.raw`^([+-])?(?:(${DIGITS})(?:\.(${DIGITS})?)?|\.(${DIGITS}))(?:[eE]([+-]?${DIGITS}))?$`);
const MAX_EXP = 1000;
/** An integer as Python's int() reads it: no point, no exponent. */
const INT_RE = new RegExp(String.raw`^\s*[+-]?${DIGITS}\s*$`);

/** Whether damo's text_to_nr() reads `text` as an int (not a float): "5", "+5", "-0", "1,000", "1_000". */
export function isDamoInt(text: string): boolean {
  return INT_RE.test(text.replaceAll(',', ''));
}

/**
 * Parse an unsigned decimal with optional commas anywhere (damo strips them all); null if bad or
 * negative. A negative zero is zero: damo's int("-0") is 0, which it writes as "0".
 */
function parseDec(text: string): Dec | null {
  const m = DEC_RE.exec(text.replaceAll(',', ''));
  if (m === null) return null;
  const intDigits = (m[2] ?? '').replaceAll('_', '');
  const fracDigits = (m[3] ?? m[4] ?? '').replaceAll('_', '');
  const e = m[5] === undefined ? 0 : Number(m[5].replaceAll('_', ''));
  if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_EXP) return null;
  const digits = intDigits + fracDigits;
  const mant = digits === '' ? 0n : BigInt(digits);
  if (m[1] === '-' && mant !== 0n) return null;
  return { mant, exp: e - fracDigits.length };
}

/**
 * Whether a number, or a decimal string as parseNumber() reads it ("1.5", "15e-1", "1,000.5"),
 * has a fractional part, exactly ("1.5e3" has none).
 */
export function hasFraction(v: string | number): boolean {
  if (typeof v === 'number') return !Number.isInteger(v);
  const d = parseDec(v.trim());
  return d !== null && hasFractionDec(d);
}

/** trunc(d × num / den), exact. */
function scaleDec(d: Dec, num: bigint, den: bigint): bigint {
  if (d.exp >= 0) return (d.mant * 10n ** BigInt(d.exp) * num) / den;
  return (d.mant * num) / (den * 10n ** BigInt(-d.exp));
}

function decToNumber(d: Dec): number {
  // JS number parsing of "<digits>e<exp>" is correctly rounded.
  return Number(`${d.mant}e${d.exp}`);
}

/**
 * Turn a JS number into an exact bigint (truncated), or an error reason. JSON.parse turns the
 * literal 18446744073709551615 into 2^64, so that one double is read back as ULONG_MAX.
 */
function numberToBig(n: number): bigint | string {
  if (!Number.isFinite(n)) return 'not a finite number';
  if (n < 0) return NEGATIVE;
  if (n === 2 ** 64) return ULONG_MAX;
  return BigInt(Math.trunc(n));
}

function checkRange(x: bigint, expected: string, v: unknown): bigint {
  if (x > ULONG_MAX) throw new UnitError(expected, describe(v), TOO_LARGE);
  return x;
}

/** Common handling for non-string inputs of integer parsers; returns null for strings. */
function nonStringToBig(v: unknown, expected: string): bigint | null {
  if (typeof v === 'string') return null;
  if (typeof v === 'number') {
    const r = numberToBig(v);
    if (typeof r === 'string') throw new UnitError(expected, describe(v), r);
    return r;
  }
  if (typeof v === 'bigint') {
    if (v < 0n) throw new UnitError(expected, describe(v), NEGATIVE);
    return v;
  }
  throw new UnitError(expected, describe(v));
}

/**
 * How a value past ULONG_MAX is taken: refused (`'refuse'`: damo writes it as it is and the
 * kernel's kstrtoul() refuses it), or written as ULONG_MAX (`'write_ulong'`: the access-pattern
 * files, which damo writes through _damon_sysfs.write_ulong(), min(val, ULONG_MAX)).
 */
export type PastUlongMax = 'refuse' | 'write_ulong';

/** A value that may pass ULONG_MAX, as `past` says to take it. */
function ulongOrCap(x: bigint, past: PastUlongMax, expected: string, v: unknown): bigint {
  if (past === 'write_ulong') return x > ULONG_MAX ? ULONG_MAX : x;
  return checkRange(x, expected, v);
}

/**
 * What the integer parsers share: a non-string value (past ULONG_MAX as `past` says), "min" and
 * "max" become the kernel value; any other string comes back trimmed for the caller's own syntax.
 */
function integerOrText(v: unknown, expected: string, past: PastUlongMax = 'refuse'): bigint | string {
  const direct = nonStringToBig(v, expected);
  if (direct !== null) return ulongOrCap(direct, past, expected, v);
  const text = (v as string).trim();
  if (text === 'min') return 0n;
  if (text === 'max') return ULONG_MAX;
  return text;
}

function badString(expected: string, v: string, text: string): UnitError {
  return new UnitError(expected, describe(v), text.startsWith('-') ? NEGATIVE : undefined);
}

/**
 * A parsed integer as a message shows it: ULONG_MAX is rarely what was typed but "max", or a size
 * with a unit past it, which parseBytes() caps there as damo does.
 */
export function showParsed(b: bigint): string {
  return b === ULONG_MAX ? `${b} (ULONG_MAX, what "max" and a size past it parse to)` : String(b);
}

// ---------------------------------------------------------------------------------------------
// Parsers

/** A plain unsigned integer key: 123, "1,234", "1,234.5" (truncated), "min", "max". */
export function parseNumber(v: unknown): bigint {
  const text = integerOrText(v, EXPECT_NUMBER);
  if (typeof text === 'bigint') return text;
  const d = parseDec(text);
  if (d === null) throw badString(EXPECT_NUMBER, v as string, text);
  return checkRange(scaleDec(d, 1n, 1n), EXPECT_NUMBER, v);
}

// Lazy number part so the longest unit suffix wins ("1E" is 1 EiB, "1E3" is 1000 bytes, as damo).
const BYTES_RE = /^(.*?)\s*(KiB|MiB|GiB|TiB|PiB|EiB|KB|MB|GB|TB|PB|EB|B|K|M|G|T|P|E)?$/s;

/**
 * A size in bytes: "4K", "4 KiB", "200MB", "1.5 GiB", a bare number of bytes, "min", "max".
 * All units are binary and case-sensitive, as in damo. Truncated. A size with a unit past
 * ULONG_MAX is capped there, as damo's text_to_bytes() does (min(ulong_max, ...)); a bare number
 * past it is taken as `past` says.
 */
export function parseBytes(v: unknown, past: PastUlongMax = 'refuse'): bigint {
  const text = integerOrText(v, EXPECT_BYTES, past);
  if (typeof text === 'bigint') return text;
  const m = BYTES_RE.exec(text);
  const d = m === null ? null : parseDec(m[1]);
  if (m === null || d === null) throw badString(EXPECT_BYTES, v as string, text);
  const bytes = scaleDec(d, BYTE_UNITS[m[2] ?? 'B'], 1n);
  // A size with a unit is capped whatever `past` says (text_to_bytes()).
  return ulongOrCap(bytes, m[2] === undefined ? past : 'write_ulong', EXPECT_BYTES, v);
}

/**
 * A size written with a decimal-looking unit ("64 GB", "200MB"), which parseBytes() reads as
 * binary (GB = GiB), as damo does, where a reader may have meant powers of 1000: the same size
 * with the binary unit ("64 GiB"), its bytes, and the bytes the decimal reading would give.
 * Undefined for anything else, a size in KiB, GiB, ..., K, G, ... or bytes included.
 */
export function decimalLookingSize(v: unknown): { binary: string; bytes: bigint; decimalBytes: bigint } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = BYTES_RE.exec(v.trim());
  const power = DECIMAL_LOOKING.indexOf(m?.[2] ?? '') + 1; // 1 for KB, 2 for MB, ...
  const d = m === null || power === 0 ? null : parseDec(m[1]);
  if (m === null || d === null) return undefined;
  const unit = m[2];
  return { binary: `${m[1]} ${unit[0]}iB`, bytes: scaleDec(d, BYTE_UNITS[unit], 1n), decimalBytes: scaleDec(d, 1000n ** BigInt(power), 1n) };
}

const DECIMAL_LOOKING = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/**
 * The warning for a size decimalLookingSize() finds, or undefined: what damo reads it as and how to
 * say that. `spaced`: the binary size as a file writes it ("64 GiB"); a command line's has no
 * space, which would split the value in two ("64GiB").
 */
export function decimalLookingSizeWarning(v: unknown, spaced: boolean): string | undefined {
  const size = decimalLookingSize(v);
  if (size === undefined) return undefined;
  const binary = spaced ? size.binary : size.binary.replace(' ', '');
  return `${JSON.stringify(v)} is read as ${binary} (${size.bytes} bytes), as damo reads it: every size unit is binary; write "${binary}" to say so (the decimal size would be ${size.decimalBytes} bytes)`;
}

const TIME_TOKEN_RE = /^(.*?)(ns|us|ms|s|m|h|d)$/s;

/**
 * A time, returned as an integer number of `unit` (truncated): "5ms", "5 ms", "1 m 2 s",
 * "2 h 1 m 59 s 123 ms", "min", "max", or a bare number that is already in `unit`.
 * Components are whitespace-separated (damo splits on whitespace) and are summed.
 *
 * `damo`: as damo stages it. Its text_to_ns() multiplies a fractional number by the unit's ns in
 * floating point, text_to_us()/text_to_ms() divide by 1000 (once, twice) in floating point, and the
 * sysfs write truncates ('%d'), so "4.1 ms" is 4099 µs, not 4100. Whole numbers come out the same
 * either way below 2^53 ns (104 days), and are kept exact; past it damo's float division can differ
 * from the exact quotient in the last digits (damo's "12345678901234567890123 ns" is
 * 12345678901234567168 µs, ours 12345678901234567890).
 */
export function parseTime(v: unknown, unit: TimeUnit, damo = false): bigint {
  const expected = expectTime(unit);
  const text = integerOrText(v, expected);
  if (typeof text === 'bigint') return text;
  const bare = parseDec(text);
  if (bare !== null) return checkRange(scaleDec(bare, 1n, 1n), expected, v);

  const tokens = text.split(/\s+/);
  if (damo) {
    const pairs = damoTimeParts(tokens);
    if (pairs === null) {
      // Say how damo would take it, when the field-by-field reading would have taken it.
      const parts = timeParts(tokens);
      const spelt = parts === null ? '' : JSON.stringify(parts.map((p) => `${p.num} ${p.unit}`).join(' '));
      const hint = parts === null ? undefined : tokens.length === 1 ? `damo takes one number and one unit per field; write ${spelt}` : `damo joins the fields in pairs (${damoPairs(tokens)}); write ${spelt}`;
      throw new UnitError(expected, describe(v), hint ?? (text.startsWith('-') ? NEGATIVE : undefined));
    }
    if (pairs.some((p) => hasFractionDec(p.d))) return checkRange(damoFloatTime(pairs, unit), expected, v);
    return checkRange(sumTime(pairs, unit), expected, v);
  }
  const parts = timeParts(tokens);
  if (parts === null) throw badString(expected, v as string, text);
  return checkRange(sumTime(parts, unit), expected, v);
}

/** A time's component: a number of a unit (ns per unit), with the number as written. */
interface TimePart {
  d: Dec;
  ns: bigint;
  num: string;
  unit: string;
}

/**
 * The components of a time of several whitespace-separated fields, each a number followed by its
 * unit, with or without a space ("5ms", "1 m 30s"), or several run together as Go and systemd
 * write them ("1m30s"); null if that is not what they are.
 */
function timeParts(tokens: readonly string[]): TimePart[] | null {
  const parts: TimePart[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const part = timePart(tokens[i], tokens[i + 1]);
    if (part === null) {
      const run = runTogether(tokens[i]);
      if (run === null) return null;
      parts.push(...run);
      continue;
    }
    if (part.num === tokens[i]) i++; // "5 ms": the unit was the next token
    parts.push(part);
  }
  return parts;
}

// A number and its unit inside a field of several ("1m" of "1m30s"): the unit ends the field or
// comes before the next number, so that "1ms5s" is 1 ms and 5 s, not 1 m and "s5s".
const RUN_PIECE_RE = /(.+?)(ns|us|ms|s|m|h|d)(?=[\d.+]|$)/sy;

/** The components of a field that runs several together ("1m30s", "2h1m"), or null. */
function runTogether(token: string): TimePart[] | null {
  const parts: TimePart[] = [];
  RUN_PIECE_RE.lastIndex = 0;
  while (RUN_PIECE_RE.lastIndex < token.length) {
    const m = RUN_PIECE_RE.exec(token);
    const d = m === null ? null : parseDec(m[1]);
    if (m === null || d === null) return null;
    parts.push({ d, ns: NS_PER[m[2]], num: m[1], unit: m[2] });
  }
  return parts.length > 1 ? parts : null;
}

/** `token` as a number with its unit, the unit in `next` if token is a bare number; null if neither. */
function timePart(token: string, next: string | undefined): TimePart | null {
  const bare = parseDec(token);
  if (bare === null) return unitPart(token);
  return next !== undefined && Object.hasOwn(NS_PER, next) ? { d: bare, ns: NS_PER[next], num: token, unit: next } : null;
}

/** A field that is a number and its unit together ("5ms"), or null. */
function unitPart(token: string): TimePart | null {
  const m = TIME_TOKEN_RE.exec(token);
  const d = m === null ? null : parseDec(m[1]);
  return m === null || d === null ? null : { d, ns: NS_PER[m[2]], num: m[1], unit: m[2] };
}

/**
 * The components of a time as damo's text_to_ns() takes them: it joins the whitespace-separated
 * fields in pairs ("1 m 30 s" is "1m" and "30s"), and a pair that is a bare number, "min" or
 * "max" is that many ns ("5 s 5" is 5 s and 5 ns, "1 m max" 1 m and ULONG_MAX ns); null for what
 * it refuses ("1m 30s" makes "1m30s").
 */
function damoTimeParts(tokens: readonly string[]): TimePart[] | null {
  const parts: TimePart[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const piece = tokens[i] + (tokens[i + 1] ?? '');
    const word = piece === 'min' ? 0n : piece === 'max' ? ULONG_MAX : null;
    const d = word !== null ? { mant: word, exp: 0 } : parseDec(piece);
    const part = d !== null ? { d, ns: 1n, num: piece, unit: 'ns' } : unitPart(piece);
    if (part === null) return null;
    parts.push(part);
  }
  return parts;
}

/** The pairs damoTimeParts() makes, as a message shows them: "1m" + "30s" = "1m30s". */
function damoPairs(tokens: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const pair = tokens.slice(i, i + 2);
    out.push(pair.length === 2 ? `${JSON.stringify(pair[0])} + ${JSON.stringify(pair[1])} = ${JSON.stringify(pair.join(''))}` : JSON.stringify(pair[0]));
  }
  return out.join(', ');
}

/** The components' sum in `unit`, exact over a common power-of-ten denominator, truncated. */
function sumTime(parts: readonly TimePart[], unit: TimeUnit): bigint {
  const fracDigits = Math.max(0, ...parts.map((p) => -p.d.exp));
  let total = 0n;
  for (const p of parts) total += p.d.mant * p.ns * 10n ** BigInt(p.d.exp + fracDigits);
  return total / (NS_PER[unit] * 10n ** BigInt(fracDigits));
}

/** Whether d has a fractional part (damo's text_to_nr() then gives a float, not an int). */
function hasFractionDec(d: Dec): boolean {
  return d.exp < 0 && d.mant % 10n ** BigInt(-d.exp) !== 0n;
}

/** parseTime(_, unit, true) where some component is fractional: damo's float arithmetic, truncated. */
function damoFloatTime(parts: ReadonlyArray<{ d: Dec; ns: bigint }>, unit: TimeUnit): bigint {
  // text_to_ns() sums the components left to right: ints exactly until a float joins the sum.
  let exact = 0n;
  let sum: number | null = null;
  for (const p of parts) {
    if (hasFractionDec(p.d)) {
      const x = decToNumber(p.d) * Number(p.ns);
      sum = sum === null ? Number(exact) + x : sum + x;
    } else {
      const whole = scaleDec(p.d, p.ns, 1n);
      if (sum === null) exact += whole;
      else sum += Number(whole);
    }
  }
  let t = sum as number;
  // text_to_us() = ns / 1000, text_to_ms() = text_to_us() / 1000, text_to_sec() = text_to_ms() / 1000.
  const divisions = { ns: 0, us: 1, ms: 2, s: 3 }[unit];
  for (let i = 0; i < divisions; i++) t /= 1000;
  return truncated(t);
}

/** '%d' of a float damo computed: truncated toward zero; past any u64 when not finite (checkRange() refuses it). */
function truncated(x: number): bigint {
  return Number.isFinite(x) ? BigInt(Math.trunc(x)) : ULONG_MAX + 1n;
}

/**
 * A time in `unit` where a bare number means `bare` (damon-sim's durations and event times: bare
 * = seconds): 90, "90", "1e2", "1,000", "0.5" are seconds, "1500 ms" is 1500 ms; fractions of
 * `unit` are truncated.
 */
export function parseTimeBare(v: unknown, bare: TimeUnit, unit: TimeUnit): bigint {
  const d = typeof v === 'number' ? (Number.isFinite(v) && v >= 0 ? parseDec(String(v)) : null) : typeof v === 'string' ? parseDec(v.trim()) : null;
  if (d !== null) return checkRange(scaleDec(d, NS_PER[bare], NS_PER[unit]), expectTime(bare), v);
  try {
    return parseTime(v, unit);
  } catch (e) {
    // Say what a bare number means here, not the unit the result is counted in; a negative one is
    // no kernel value here (these are damon-sim's own times: a run's length, when a hot set moves).
    if (e instanceof UnitError) throw new UnitError(expectTime(bare), e.found, e.reason === NEGATIVE ? 'a time cannot be negative' : e.reason);
    throw e;
  }
}

/** Split "5 %" / "5%" into its number; null if there is no trailing percent sign. */
function percentPart(text: string): string | null {
  return text.endsWith('%') ? text.slice(0, -1).trimEnd() : null;
}

/**
 * A ratio key whose kernel unit is `unit`: "5%", "0.5 %", "1,234.567 %" are percent and are
 * converted ("99.7%" as bp is 9970); a bare number is already in `unit`. Truncated toward zero.
 */
export function parseRatio(v: unknown, unit: RatioUnit, damo = false): bigint {
  const expected = expectRatio(unit);
  const text = integerOrText(v, expected);
  if (typeof text === 'bigint') return text;
  const pct = percentPart(text);
  const d = parseDec(pct ?? text);
  if (d === null) throw badString(expected, v as string, text);
  if (pct === null || !damo) return checkRange(scaleDec(d, pct === null ? 1n : PER_PERCENT[unit], 1n), expected, v);
  // `damo`: as damo stages a percentage: text_to_ratio() divides by 100.0, text_to_bp()/_permil()
  // multiply the float by 10000/1000, and the sysfs write truncates ('%d'): "57 %" is 5699 bp.
  return checkRange(truncated((decToNumber(d) / 100) * Number(PER_PERCENT[unit] * 100n)), expected, v);
}

/**
 * A percentage kept fractional (access-pattern nr_accesses): "5%", "0.5 %", or a bare number of
 * percent. "min" is 0 and "max" is ULONG_MAX (as a double), as damo's text_to_percent.
 */
export function parsePercentFloat(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new UnitError(EXPECT_PERCENT, describe(v), 'not a finite number');
    if (v < 0) throw new UnitError(EXPECT_PERCENT, describe(v), NEGATIVE);
    return v;
  }
  if (typeof v === 'bigint') {
    if (v < 0n) throw new UnitError(EXPECT_PERCENT, describe(v), NEGATIVE);
    return Number(checkRange(v, EXPECT_PERCENT, v));
  }
  if (typeof v !== 'string') throw new UnitError(EXPECT_PERCENT, describe(v));
  const text = v.trim();
  if (text === 'min') return 0;
  if (text === 'max') return Number(ULONG_MAX);
  const d = parseDec(percentPart(text) ?? text);
  if (d === null) throw badString(EXPECT_PERCENT, v, text);
  const n = decToNumber(d);
  if (!Number.isFinite(n) || n > Number(ULONG_MAX)) throw new UnitError(EXPECT_PERCENT, describe(v), TOO_LARGE);
  return n;
}

const EXPECT_REAL = 'a non-negative number such as 150000000, "150,000,000" or "1.5e8"';

/**
 * A non-negative real number of damon-sim's own (rates, latencies): a number, or a decimal string
 * with thousands separators or an exponent ("150,000,000", "1.5e8", which YAML 1.1 parsers such
 * as PyYAML read as a string). No "min" or "max": they mean kernel limits, which these are not.
 */
export function parseReal(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new UnitError(EXPECT_REAL, describe(v), 'not a finite number');
    if (v < 0) throw new UnitError(EXPECT_REAL, describe(v), 'negative');
    return v;
  }
  if (typeof v !== 'string') throw new UnitError(EXPECT_REAL, describe(v));
  const text = v.trim();
  const d = parseDec(text);
  if (d === null) throw new UnitError(EXPECT_REAL, describe(v), text.startsWith('-') ? 'negative' : undefined);
  const n = decToNumber(d);
  if (!Number.isFinite(n)) throw new UnitError(EXPECT_REAL, describe(v), 'not a finite number');
  return n;
}

const COUNT_RE = /^(.*?)(\s*)(samples|aggr_intervals)$/s;

/**
 * A count given in kernel units: "3 samples", "50 aggr_intervals" (value truncated). The number and
 * the unit are two whitespace-separated fields, as damo's text_to_nr_unit() requires ("3samples" is
 * refused there, and here).
 */
export function parseCountWithUnit(v: unknown, past: PastUlongMax = 'refuse'): { value: bigint; unit: CountUnit } {
  if (typeof v !== 'string') throw new UnitError(EXPECT_COUNT, describe(v));
  const text = v.trim();
  const m = COUNT_RE.exec(text);
  if (m === null) throw badString(EXPECT_COUNT, v, text);
  if (m[2] === '' && m[1] !== '') throw new UnitError(EXPECT_COUNT, describe(v), `damo splits it at whitespace into a number and a unit; write ${JSON.stringify(`${m[1]} ${m[3]}`)}`);
  let value: bigint;
  if (m[1] === 'min') value = 0n;
  else if (m[1] === 'max') value = ULONG_MAX;
  else {
    const d = parseDec(m[1]);
    if (d === null) throw badString(EXPECT_COUNT, v, text);
    value = ulongOrCap(scaleDec(d, 1n, 1n), past, EXPECT_COUNT, v);
  }
  return { value, unit: m[3] as CountUnit };
}

// damo takes y/yes/true and n/no/false in any case; the kernel's kstrtobool adds 1/0 and on/off.
const TRUE_WORDS = new Set(['y', 'yes', 'true', '1', 'on']);
const FALSE_WORDS = new Set(['n', 'no', 'false', '0', 'off']);

/** A boolean: true/false, or "y"/"n", "yes"/"no", "true"/"false", "on"/"off", "1"/"0" in any case. */
export function parseBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  throw new UnitError(EXPECT_BOOL, describe(v));
}

/** A parsed integer as a `number`, for values the caller knows to be small. */
export function toSafeNumber(x: bigint): number {
  if (x < 0n || x > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UnitError('an integer in [0, 9,007,199,254,740,991]', describe(x));
  }
  return Number(x);
}

// ---------------------------------------------------------------------------------------------
// Formatters

/** Non-negative integer in [0, ULONG_MAX] for the formatters (numbers are truncated). */
function formatInput(x: bigint | number, what: string): bigint {
  const expected = `${what} in [0, ULONG_MAX]`;
  if (typeof x === 'number') {
    const r = numberToBig(x);
    if (typeof r === 'string') throw new UnitError(expected, describe(x), r);
    x = r;
  }
  if (typeof x !== 'bigint') throw new UnitError(expected, describe(x));
  if (x < 0n) throw new UnitError(expected, describe(x), NEGATIVE);
  return checkRange(x, expected, x);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+$)/g, ',');
}

/** An integer with thousands separators: 1,000 and 18,446,744,073,709,551,615 (sign kept). */
export function formatNumber(x: bigint | number): string {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new UnitError('a finite number', describe(x));
    x = BigInt(Math.trunc(x));
  }
  if (typeof x !== 'bigint') throw new UnitError('an integer', describe(x));
  return x < 0n ? `-${groupThousands((-x).toString())}` : groupThousands(x.toString());
}

/** n / d with `places` decimals, rounded half to even (Python's "%.Nf" on an exact quotient). */
function fixedPlaces(n: bigint, d: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  const scaled = n * scale;
  let q = scaled / d;
  const r2 = (scaled % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) q++;
  return `${q / scale}.${(q % scale).toString().padStart(places, '0')}`;
}

const SIZE_UNITS: readonly [string, bigint][] = [
  ['EiB', 1n << 60n],
  ['PiB', 1n << 50n],
  ['TiB', 1n << 40n],
  ['GiB', 1n << 30n],
  ['MiB', 1n << 20n],
  ['KiB', 1n << 10n],
];

/**
 * A size as damo prints it: "N B" up to and including 1024 bytes, else three decimals in the
 * largest binary unit the size strictly exceeds ("1024.000 KiB" for 1 MiB), "max" for ULONG_MAX.
 * `decimals: 6` is damo's format_sz_accurate (addr_unit). With `exact`, the decimal form is used
 * only when it parses back to exactly `x`;
 * otherwise the thousands-separated integer is printed.
 */
export function formatBytes(x: bigint | number, opts: { exact?: boolean; decimals?: number } = {}): string {
  const b = formatInput(x, 'a size');
  if (b === ULONG_MAX) return 'max';
  let s = `${b} B`;
  for (const [name, size] of SIZE_UNITS) {
    if (b > size) {
      s = `${fixedPlaces(b, size, opts.decimals ?? 3)} ${name}`;
      break;
    }
  }
  if (opts.exact === true && parseBytes(s) !== b) return formatNumber(b);
  return s;
}

const EXACT_UNITS: readonly [string, bigint][] = (['d', 'h', 'm', 's', 'ms', 'us', 'ns'] as const).map((u) => [
  u,
  NS_PER[u],
]);

/**
 * A time with every unit spelled out, exact: "1 s 500 ms", "2 m 3 s 456 ms 789 us 123 ns",
 * "1,234 d 2 h"; 0 is "0 ns" and ULONG_MAX (in `unit`) is "max". Parses back to `x`.
 */
export function formatTimeExact(x: bigint | number, unit: TimeUnit): string {
  const t = formatInput(x, `a time in ${unit}`);
  if (t === ULONG_MAX) return 'max';
  let ns = t * NS_PER[unit];
  if (ns === 0n) return '0 ns';
  const parts: string[] = [];
  for (const [name, size] of EXACT_UNITS) {
    if (ns >= size) {
      parts.push(`${formatNumber(ns / size)} ${name}`);
      ns %= size;
    }
  }
  return parts.join(' ');
}

/** damo's short form below one hour: the largest unit, with three decimals if not whole. */
function shortBelowHour(ns: bigint): string {
  const [m, s, ms, us] = [NS_PER.m, NS_PER.s, NS_PER.ms, NS_PER.us];
  if (ns >= m) {
    if (ns % m === 0n) return `${ns / m} m`;
    if (ns % s === 0n) return `${ns / m} m ${(ns % m) / s} s`;
    return `${ns / m} m ${fixedPlaces(ns % m, s, 3)} s`;
  }
  for (const [name, size] of [['s', s], ['ms', ms], ['us', us]] as const) {
    if (ns >= size) return ns % size === 0n ? `${ns / size} ${name}` : `${fixedPlaces(ns, size, 3)} ${name}`;
  }
  return `${ns} ns`;
}

/**
 * A time for display, as damo prints it: "1.500 s", "2 m 3.457 s", "5 ms", "74 h 1 m 59.123 s"
 * (hours are the largest unit); ULONG_MAX (in `unit`) is "max". Not exact in general.
 */
export function formatTimeShort(x: bigint | number, unit: TimeUnit): string {
  const t = formatInput(x, `a time in ${unit}`);
  if (t === ULONG_MAX) return 'max';
  const ns = t * NS_PER[unit];
  const h = NS_PER.h;
  if (ns < h) return shortBelowHour(ns);
  const rest = ns % h;
  return rest === 0n ? `${ns / h} h` : `${ns / h} h ${shortBelowHour(rest)}`;
}

/** "<int>.<frac> %" with separators in the integer part and trailing zeros trimmed. */
function percentText(intPart: string, frac: string): string {
  const f = frac.replace(/0+$/, '');
  return `${groupThousands(intPart)}${f === '' ? '' : `.${f}`} %`;
}

/**
 * A ratio given in `unit` printed as percent: "4 %", "0.1 %", "99.7 %" (up to seven decimals,
 * trailing zeros trimmed). Integer inputs are exact and parse back with parseRatio(_, unit).
 */
export function formatRatio(x: bigint | number, unit: RatioUnit = 'percent'): string {
  const per = PER_PERCENT[unit];
  const shift = per.toString().length - 1; // decimal places of one unit in percent
  if (typeof x === 'number' && Number.isFinite(x) && x >= 0 && x < 1e21 && !Number.isInteger(x)) {
    // Round the double itself to 7 − shift places (exact decimal rounding of x), then move the
    // decimal point `shift` places left: seven places of percent, no float division.
    const [i, f] = x.toFixed(7 - shift).split('.');
    const digits = (i + f).padStart(8, '0');
    const cut = digits.length - 7;
    return percentText(BigInt(digits.slice(0, cut)).toString(), digits.slice(cut));
  }
  const r = formatInput(x, `a ratio in ${unit}`);
  return percentText((r / per).toString(), (r % per).toString().padStart(shift, '0').slice(0, shift));
}
