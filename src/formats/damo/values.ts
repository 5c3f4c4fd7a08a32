// SPDX-License-Identifier: GPL-2.0-only
/**
 * zod value types for damo's encodings: each accepts a raw number or a damo human string and
 * yields the kernel value (bigint where it may pass 2^53). Unit errors become validation issues
 * that say which units are accepted.
 */
import { z } from 'zod';
import { INT_MAX, UINT_MAX } from '../../lib/kint.js';
import {
  UnitError,
  hasFraction,
  isDamoInt,
  parseBool,
  parseBytes,
  parseCountWithUnit,
  parseNumber,
  parsePercentFloat,
  parseRatio,
  parseReal,
  parseTime,
  parseTimeBare,
  type RatioUnit,
  type TimeUnit,
} from './units.js';

const scalar = z.union([z.string(), z.number()]);

function unit<T>(parse: (v: string | number) => T, description: string) {
  // A value of the wrong type gets the same teaching message as a wrong unit would.
  return z
    .union([z.string(), z.number()], { error: () => `expected ${description}` })
    .transform((v, ctx): T => {
      try {
        return parse(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof UnitError ? e.message : String(e), input: v });
        return z.NEVER;
      }
    })
    .describe(description);
}

const BYTES_DESCRIPTION = 'bytes: a number, or a string such as "4 KiB", "1.5 GiB", "max"';
/** A size in bytes: 4096, "4 KiB", "1.5 GiB", "max". */
export const bytesV = () => unit(parseBytes, BYTES_DESCRIPTION);

/** An access-pattern size bound: bytesV(), but past ULONG_MAX it is ULONG_MAX, as damo writes it (units.ts PastUlongMax). */
export const patternBytesV = () => unit((v) => parseBytes(v, 'write_ulong'), BYTES_DESCRIPTION);

const timeDescription = (u: TimeUnit) => `time: a number of ${u === 'us' ? 'µs' : u}, or a string such as "5 ms", "1 s", "max"`;
/** A time in the key's own unit when bare: "5 ms", "1 s", "2 h 1 m", "max". */
export const timeV = (u: TimeUnit) => unit((v) => parseTime(v, u, true), timeDescription(u));

/** A time counted in `out`, where a bare number means `bare`: damon-sim's own durations (bare = seconds). */
export const timeBareV = (bare: TimeUnit, out: TimeUnit, expected?: string) =>
  expected === undefined
    ? unit((v) => parseTimeBare(v, bare, out), `time: a number of ${bare === 'us' ? 'µs' : bare} (fractions allowed), or a string such as "5 ms", "1 s", "10 m"`)
    : unit((v) => {
        try {
          return parseTimeBare(v, bare, out);
        } catch (e) {
          // The key's own range, not damo's units and words (min, max), which it does not take.
          throw e instanceof UnitError ? new UnitError(expected, e.found, e.reason) : e;
        }
      }, expected);

const ratioDescription = (u: RatioUnit) => `${u}: a number of ${u}, or a percentage such as "5 %"`;
/** A ratio in the key's own unit when bare, or a percentage string: "5 %". */
/** `damo`: a percentage as damo stages it (parseRatio()); false for damon-sim's own keys, read exactly. */
export const ratioV = (u: RatioUnit, damo = true) => unit((v) => parseRatio(v, u, damo), ratioDescription(u));

/** An unsigned integer, with thousands separators allowed: 1000, "1,000", "max". */
export const numberV = () => unit(parseNumber, 'an unsigned integer such as 1000 or "1,000"');

/** A non-negative real number of damon-sim's own: 1.5e8, "150,000,000", "1.5e8". */
export const realV = () => unit(parseReal, 'a non-negative number such as 150000000, "150,000,000" or "1.5e8"');

/** A non-negative integer that fits a double exactly. */
export const intV = () => unit(safeInteger, 'a non-negative integer');

/** parseNumber() as a number, refused at 2^53 and above. */
function safeInteger(v: string | number): number {
  const b = parseNumber(v);
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new UnitError('an integer below 2^53', String(v));
  return Number(b);
}

/**
 * intV() for damon-sim's own counts, which no kernel file truncates: a fraction is refused
 * ("1.5"), where intV() truncates it as damo and the kernel would.
 */
export const wholeV = () =>
  unit((v) => {
    if (hasFraction(v)) throw new UnitError('a whole number', String(v));
    return safeInteger(v);
  }, 'a non-negative whole number');

/**
 * `parse`, refusing values above 2^32 − 1 as a kernel file that takes an unsigned int does
 * (kstrtouint: -ERANGE), naming what was written: the one check of that bound, for plain integers
 * and unit values alike. `unitName`: the value's unit in the message, or '' for a plain integer.
 */
function atMostUint(parse: (v: string | number) => bigint, unitName: string): (v: string | number) => bigint {
  return (v) => {
    const b = parse(v);
    if (b > BigInt(UINT_MAX)) {
      // What was written, and the value it reads as where that differs ("max", "1,000", "5 %").
      const reads = `${b}${unitName ? ` ${unitName}` : ''}`;
      const written = String(v).trim();
      const found = written === String(b) || written === reads ? written : `${written} (= ${reads})`;
      throw new UnitError(unitName ? `at most ${UINT_MAX} ${unitName}` : `an integer of at most ${UINT_MAX}`, found, 'the kernel file takes an unsigned int: -ERANGE');
    }
    return b;
  };
}

/** A non-negative integer a sysfs file takes as an unsigned int. */
export const uintV = () => unit((v) => Number(atMostUint(parseNumber, '')(v)), `a non-negative integer of at most ${UINT_MAX}`);

/** ratioV(u) for a sysfs file that takes an unsigned int (a scheme's quota weights). */
export const uintRatioV = (u: RatioUnit) => unit(atMostUint((v) => parseRatio(v, u, true), u), ratioDescription(u));

/** timeV(u) for a sysfs file that takes an unsigned int (a kdamond's refresh_ms). */
export const uintTimeV = (u: TimeUnit) => unit(atMostUint((v) => parseTime(v, u, true), u), timeDescription(u));

/**
 * A signed integer a sysfs file takes as an int (node ids, where -1 means none; kstrtoint: outside
 * [-2^31, 2^31 − 1] is -ERANGE).
 */
export const signedIntV = () =>
  scalar
    .transform((v, ctx): number => {
      const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `expected an integer such as 0, or -1 for none; found ${JSON.stringify(v)}`, input: v });
        return z.NEVER;
      }
      if (n < -INT_MAX - 1 || n > INT_MAX) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${-INT_MAX - 1} to ${INT_MAX}; found ${JSON.stringify(v)} (the kernel file takes an int: -ERANGE)`, input: v });
        return z.NEVER;
      }
      return n;
    })
    .describe('an integer (node ids: -1 means none)');

export const boolV = () =>
  z
    .union([z.boolean(), z.string(), z.number()])
    .transform((v, ctx) => {
      try {
        return parseBool(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof UnitError ? e.message : String(e), input: v });
        return z.NEVER;
      }
    })
    .describe('a boolean: true/false, "Y"/"N", "yes"/"no"');

/** `bare`: the percent was a plain integer (damo's text_to_percent() keeps it one, and prints it so). */
export type AccessValue = { kind: 'percent'; percent: number; bare: boolean } | { kind: 'samples'; value: bigint } | { kind: 'max' };

/**
 * "N %" as damo reads it: a ratio, N / 100, times 100 (text_to_ratio): "29 %" is
 * 28.999999999999996, which its int(% × aggr / sample / 100) then truncates one lower at some
 * intervals. A bare N is N (text_to_nr).
 */
export function percentAsRead(n: number): number {
  return (n / 100) * 100;
}
export type AgeValue = { kind: 'us'; value: bigint } | { kind: 'aggr_intervals'; value: bigint };

/** An access-pattern nr_accesses bound: percent of the max ("5 %", 5, "max") or "N samples". */
export const accessRateV = () =>
  unit((v): AccessValue => {
    // "max" fits either unit here; damo itself takes it only beside a percent bound (the reader
    // warns where damo would refuse it: src/formats/damo/kdamonds.ts).
    if (typeof v === 'string' && v.trim() === 'max') return { kind: 'max' };
    if (typeof v === 'string' && /samples\s*$/.test(v.trim())) {
      const c = parseCountWithUnit(v, 'write_ulong');
      if (c.unit !== 'samples') throw new UnitError('"N samples" or a percentage', v);
      return { kind: 'samples', value: c.value };
    }
    let percent: number;
    try {
      percent = parsePercentFloat(v);
    } catch (e) {
      throw e instanceof UnitError ? e.expecting('a percentage such as "5 %" or a number of percent, or kernel samples such as "3 samples" (units: %, samples; or the words min, max)') : e;
    }
    const bare = typeof v === 'number' ? Number.isInteger(v) : isDamoInt(v);
    return { kind: 'percent', percent: typeof v === 'string' && v.trim().endsWith('%') ? percentAsRead(percent) : percent, bare };
  }, 'access rate: a percentage of the maximum ("5 %", 5, "max") or kernel samples ("3 samples")');

/** An access-pattern age bound: a time (bare = µs) or "N aggr_intervals". */
export const ageV = () =>
  unit((v): AgeValue => {
    if (typeof v === 'string' && /aggr_intervals\s*$/.test(v.trim())) {
      const c = parseCountWithUnit(v, 'write_ulong');
      return { kind: 'aggr_intervals', value: c.value };
    }
    try {
      return { kind: 'us', value: parseTime(v, 'us', true) };
    } catch (e) {
      throw e instanceof UnitError ? e.expecting('a time such as "5 ms" or a number of us, or aggregation intervals such as "3 aggr_intervals" (units: ns us ms s m h d, aggr_intervals; or the words min, max)') : e;
    }
  }, 'age: a time (bare number = µs, or "5 s", "max") or "N aggr_intervals"');
