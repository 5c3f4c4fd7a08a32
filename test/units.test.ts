// SPDX-License-Identifier: GPL-2.0-only
/**
 * damo "human string" units (damo-formats.md §1.2): parse tables, formatter strings, round trips
 * and a fuzz property that parsers only ever throw UnitError.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ULONG_MAX,
  UnitError,
  decimalLookingSize,
  formatBytes,
  formatNumber,
  formatRatio,
  formatTimeExact,
  formatTimeShort,
  isDamoInt,
  parseBool,
  parseBytes,
  parseReal,
  parseCountWithUnit,
  parseNumber,
  parsePercentFloat,
  parseRatio,
  parseTime,
  parseTimeBare,
  toSafeNumber,
  type RatioUnit,
  type TimeUnit,
} from '../src/formats/damo/units.js';
import { readKdamonds } from '../src/formats/damo/emit.js';
import { uintRatioV, uintTimeV, uintV } from '../src/formats/damo/values.js';
import { tiering6040 } from '../src/scenario/presets.js';
import type { ConfigError } from '../src/scenario/issues.js';
import { parseText } from '../src/formats/document.js';
import { scenarioFromDoc } from '../src/scenario/load.js';

const KiB = 1n << 10n;
const MiB = 1n << 20n;
const GiB = 1n << 30n;
const NS = { us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n };

type Case = [label: string, run: () => unknown, expected: unknown];

const parseCases: Case[] = [
  // plain numbers
  ['number 123', () => parseNumber(123), 123n],
  ['number "1,234"', () => parseNumber('1,234'), 1234n],
  ['number "1,234.5"', () => parseNumber('1,234.5'), 1234n],
  ['number 123.9', () => parseNumber(123.9), 123n],
  ['number "max"', () => parseNumber('max'), ULONG_MAX],
  ['number "min"', () => parseNumber('min'), 0n],
  ['number ULONG_MAX digits', () => parseNumber('18,446,744,073,709,551,615'), ULONG_MAX],
  ['number 2^64 double (JSON.parse of ULONG_MAX)', () => parseNumber(JSON.parse('18446744073709551615')), ULONG_MAX],
  ['number "1e3"', () => parseNumber('1e3'), 1000n],
  ['number bigint', () => parseNumber(42n), 42n],
  // bytes
  ['bytes "4K"', () => parseBytes('4K'), 4096n],
  ['bytes "4 KiB"', () => parseBytes('4 KiB'), 4n * KiB],
  ['bytes "2 KB"', () => parseBytes('2 KB'), 2048n],
  ['bytes "2 MB"', () => parseBytes('2 MB'), 2n * MiB],
  ['bytes "200MB"', () => parseBytes('200MB'), 200n * MiB],
  ['bytes "2 MiB"', () => parseBytes('2 MiB'), 2n * MiB],
  ['bytes "1.5 GiB"', () => parseBytes('1.5 GiB'), 1610612736n],
  ['bytes "2 G"', () => parseBytes('2 G'), 2n * GiB],
  ['bytes "2 TB"', () => parseBytes('2 TB'), 2n << 40n],
  ['bytes "2 PiB"', () => parseBytes('2 PiB'), 2n << 50n],
  ['bytes "2.0 EB"', () => parseBytes('2.0 EB'), 2n << 60n],
  ['bytes "1E" (exa)', () => parseBytes('1E'), 1n << 60n],
  ['bytes "1E3" (exponent)', () => parseBytes('1E3'), 1000n],
  ['bytes "123 B"', () => parseBytes('123 B'), 123n],
  ['bytes "1,234.5"', () => parseBytes('1,234.5'), 1234n],
  ['bytes "1,234.457 GiB"', () => parseBytes('1,234.457 GiB'), 1325488110829n],
  ['bytes "16384.000 PiB" clamps', () => parseBytes('16384.000 PiB'), ULONG_MAX],
  ['bytes "max"', () => parseBytes('max'), ULONG_MAX],
  ['bytes "min"', () => parseBytes('min'), 0n],
  ['bytes bare 4096', () => parseBytes(4096), 4096n],
  // damon-sim's own real-valued keys (rates, latencies) take damo-style number strings too.
  ['real "150,000,000"', () => parseReal('150,000,000'), 150_000_000],
  ['real "1.5e8" (PyYAML reads 1.5e8 as a string)', () => parseReal('1.5e8'), 150_000_000],
  ['real 0.25', () => parseReal(0.25), 0.25],
  // damo's text_to_bytes() caps a size with a unit at ULONG_MAX; a bare number it passes on (below).
  ['bytes "20 EiB" clamps', () => parseBytes('20 EiB'), ULONG_MAX],
  ['bytes "18446744073709551616B" clamps', () => parseBytes('18446744073709551616B'), ULONG_MAX],
  ['bytes 2^64 as a double is ULONG_MAX (JSON.parse rounds 18446744073709551615 to it)', () => parseBytes(2 ** 64), ULONG_MAX],
  // time
  ['time "5ms" as us', () => parseTime('5ms', 'us'), 5000n],
  ['time "5 ms" as ms', () => parseTime('5 ms', 'ms'), 5n],
  ['time "5 ms" as ns', () => parseTime('5 ms', 'ns'), 5_000_000n],
  ['time "1 m 2 s" as us', () => parseTime('1 m 2 s', 'us'), 62_000_000n],
  ['time "2 h 1 m 59 s 123 ms" as ms', () => parseTime('2 h 1 m 59 s 123 ms', 'ms'), 7_319_123n],
  ['time "2 h 1 m 59 s 123 ms" as us', () => parseTime('2 h 1 m 59 s 123 ms', 'us'), 7_319_123_000n],
  ['time "3 d 2 h 1 m 2 s" as us', () => parseTime('3 d 2 h 1 m 2 s', 'us'), 266_462_000_000n],
  ['time "1,234 us"', () => parseTime('1,234 us', 'us'), 1234n],
  ['time "1234us"', () => parseTime('1234us', 'us'), 1234n],
  ['time "1.5 s" as ms', () => parseTime('1.5 s', 'ms'), 1500n],
  ['time "1.5 s" as s (truncated)', () => parseTime('1.5 s', 's'), 1n],
  ['time "999 ns" as us (truncated)', () => parseTime('999 ns', 'us'), 0n],
  ['time bare "134" as us', () => parseTime('134', 'us'), 134n],
  ['time bare "123.456" as ms', () => parseTime('123.456', 'ms'), 123n],
  ['time bare 100 as ns', () => parseTime(100, 'ns'), 100n],
  ['time "max"', () => parseTime('max', 'us'), ULONG_MAX],
  ['time "min"', () => parseTime('min', 'ms'), 0n],
  // ratios
  ['ratio "5%" as percent', () => parseRatio('5%', 'percent'), 5n],
  ['ratio "5 %" as permil', () => parseRatio('5 %', 'permil'), 50n],
  ['ratio "0.5%" as permil', () => parseRatio('0.5%', 'permil'), 5n],
  ['ratio "99.7%" as bp', () => parseRatio('99.7%', 'bp'), 9970n],
  ['ratio "99.7%" as percent (truncated)', () => parseRatio('99.7%', 'percent'), 99n],
  ['ratio "0.1 %" as bp', () => parseRatio('0.1 %', 'bp'), 10n],
  ['ratio "1,234.567 %" as bp', () => parseRatio('1,234.567 %', 'bp'), 123456n],
  ['ratio bare "123" as permil', () => parseRatio('123', 'permil'), 123n],
  ['ratio bare 12.34 as bp (truncated)', () => parseRatio(12.34, 'bp'), 12n],
  ['ratio "max"', () => parseRatio('max', 'bp'), ULONG_MAX],
  ['ratio "min"', () => parseRatio('min', 'permil'), 0n],
  ['percent float "0.5%"', () => parsePercentFloat('0.5%'), 0.5],
  ['percent float "12.34 %"', () => parsePercentFloat('12.34 %'), 12.34],
  ['percent float "1,234.567,89 %"', () => parsePercentFloat('1,234.567,89 %'), 1234.56789],
  ['percent float bare 12.34', () => parsePercentFloat(12.34), 12.34],
  ['percent float "min"', () => parsePercentFloat('min'), 0],
  ['percent float "max"', () => parsePercentFloat('max'), 2 ** 64],
  // counts with kernel units
  ['count "3 samples"', () => parseCountWithUnit('3 samples'), { value: 3n, unit: 'samples' }],
  ['count "50 aggr_intervals"', () => parseCountWithUnit('50 aggr_intervals'), { value: 50n, unit: 'aggr_intervals' }],
  ['count "1,000  samples"', () => parseCountWithUnit('1,000  samples'), { value: 1000n, unit: 'samples' }],
  // booleans
  ['bool true', () => parseBool(true), true],
  ['bool false', () => parseBool(false), false],
  ['bool "Y"', () => parseBool('Y'), true],
  ['bool "y"', () => parseBool('y'), true],
  ['bool "Yes"', () => parseBool('Yes'), true],
  ['bool "TRUE"', () => parseBool('TRUE'), true],
  ['bool "1"', () => parseBool('1'), true],
  ['bool "on"', () => parseBool('on'), true],
  ['bool "N"', () => parseBool('N'), false],
  ['bool "no"', () => parseBool('no'), false],
  ['bool "False"', () => parseBool('False'), false],
  ['bool "0"', () => parseBool('0'), false],
  ['bool "OFF"', () => parseBool('OFF'), false],
];

describe('parsers', () => {
  it.each(parseCases)('%s', (_label, run, expected) => {
    expect(run()).toEqual(expected);
  });

  it('has a table of at least 45 cases', () => {
    expect(parseCases.length).toBeGreaterThanOrEqual(45);
  });

  const rejects: [string, () => unknown][] = [
    ['bytes "5 parsecs"', () => parseBytes('5 parsecs')],
    ['bytes "4 kib" (units are case-sensitive, as damo)', () => parseBytes('4 kib')],
    ['bytes "B"', () => parseBytes('B')],
    ['bytes -5', () => parseBytes(-5)],
    // A bare number past ULONG_MAX goes to the kernel as it is, whose kstrtoul() refuses it.
    ['bytes 1e30', () => parseBytes(1e30)],
    ['real "max" (no kernel limit to mean)', () => parseReal('max')],
    ['real -1', () => parseReal(-1)],
    ['real "-1"', () => parseReal('-1')],
    ['real Infinity', () => parseReal(Infinity)],
    ['bytes "18446744073709551616"', () => parseBytes('18446744073709551616')],
    ['bytes 18446744073709551616n', () => parseBytes(18446744073709551616n)],
    ['bytes "-5 KiB"', () => parseBytes('-5 KiB')],
    ['number NaN', () => parseNumber(NaN)],
    ['number Infinity', () => parseNumber(Infinity)],
    ['number null', () => parseNumber(null)],
    ['number {}', () => parseNumber({})],
    ['number "18,446,744,073,709,551,616"', () => parseNumber('18,446,744,073,709,551,616')],
    ['number ""', () => parseNumber('')],
    ['number true', () => parseNumber(true)],
    ['number "1e99999"', () => parseNumber('1e99999')],
    ['time "5 parsecs"', () => parseTime('5 parsecs', 'us')],
    ['time "1 m 2"', () => parseTime('1 m 2', 'us')],
    ['time "1000000 d" in ns is too large', () => parseTime('1000000 d', 'ns')],
    ['ratio "%"', () => parseRatio('%', 'bp')],
    ['ratio "-1 %"', () => parseRatio('-1 %', 'bp')],
    ['percent float "abc"', () => parsePercentFloat('abc')],
    ['count "3"', () => parseCountWithUnit('3')],
    ['count "3 apples"', () => parseCountWithUnit('3 apples')],
    ['bool "maybe"', () => parseBool('maybe')],
    ['bool 2', () => parseBool(2)],
    ['toSafeNumber(ULONG_MAX)', () => toSafeNumber(ULONG_MAX)],
  ];
  it.each(rejects)('rejects %s with UnitError', (_label, run) => {
    expect(run).toThrow(UnitError);
  });

  it('explains what was expected and what was found', () => {
    expect(() => parseBytes('5 parsecs')).toThrow(
      'expected a size such as "4 KiB", "1.5 GiB" or a number of bytes ' +
        '(units: B K KB KiB M MB MiB G GB GiB T TB TiB P PB PiB E EB EiB; or the words min, max); found "5 parsecs"',
    );
    expect(() => parseTime('-5 ms', 'us')).toThrow(/units: ns us ms s m h d.*found "-5 ms" \(negative values/);
    expect(() => parseNumber({ toString: () => { throw new Error('hostile'); } })).toThrow(/found an object$/);
  });

  it("takes numbers as Python's int()/float() do once damo has stripped the commas: a plus, underscores between digits", () => {
    expect([parseNumber('+5'), parseNumber('1_000'), parseNumber(',5'), parseNumber('1_000.5e1_0')]).toEqual([5n, 1000n, 5n, 10_005_000_000_000n]);
    expect([parseBytes('1_024 KiB'), parseBytes('+4K'), parseRatio('+5 %', 'bp', true), parseTime('1_000 us', 'us', true)]).toEqual([1_048_576n, 4096n, 500n, 1000n]);
    for (const bad of ['1__000', '_1', '1_', '1_.5', '++5', '+-5', ',']) expect(() => parseNumber(bad), bad).toThrow(UnitError);
  });

  it('takes a negative zero as zero, as damo does (int("-0") is 0, written "0"), and refuses any other negative value', () => {
    expect([parseNumber('-0'), parseNumber('-0.0'), parseNumber('-0e5'), parseBytes('-0 KiB'), parseBytes('-0.0G'), parseRatio('-0 %', 'bp', true), parseRatio('-0', 'permil')]).toEqual([0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect([parseTime('-0 ms', 'us', true), parseTime('1 s -0 ms', 'us', true), parseTime('-0s', 'ms'), parsePercentFloat('-0 %'), parseReal('-0'), parseTimeBare('-0', 's', 'ns')]).toEqual([0n, 1_000_000n, 0n, 0, 0, 0n]);
    expect(isDamoInt('-0')).toBe(true);
    // damo would truncate "-0.4" bytes to 0 (int(-0.4)); a negative that is not zero is a slip, refused.
    for (const [bad, run] of [['-0.4', () => parseBytes('-0.4')], ['-1e-3 %', () => parseRatio('-1e-3 %', 'bp', true)], ['-0.5 ms', () => parseTime('-0.5 ms', 'us', true)], ['--0', () => parseNumber('--0')], ['-+0', () => parseNumber('-+0')]] as const) {
      expect(run, bad).toThrow(UnitError);
    }
    expect(() => parseBytes('-0.4')).toThrow(/found "-0\.4" \(negative values/);
  });

  it("reads a damo time's fields in pairs, as damo's text_to_ns() does, and says how to write what it refuses", () => {
    // "5 s 5" is "5s" and "5": a bare pair is that many ns. "1 m 30" likewise.
    expect([parseTime('5 s 5', 'ns', true), parseTime('1 m 30', 'ns', true), parseTime('2 h 1 m 59 s 123 ms', 'us', true)]).toEqual([5_000_000_005n, 60_000_000_030n, 7_319_123_000n]);
    // A pair that is "min" or "max" is 0 or ULONG_MAX ns (try_common_input): (5·10^9 + 2^64 − 1) ns in µs.
    expect([parseTime('1 m min', 'us', true), parseTime('5 s max', 'us', true)]).toEqual([60_000_000n, 18_446_744_078_709_551n]);
    // damon-sim's own keys (damo = false) read each number with its unit, however spaced.
    expect([parseTime('1m 30s', 'ms'), parseTime('1m 2 s', 'ms')]).toEqual([90_000n, 62_000n]);
    expect(() => parseTime('1m 30s', 'ms', true)).toThrow('found "1m 30s" (damo joins the fields in pairs ("1m" + "30s" = "1m30s"); write "1 m 30 s")');
    expect(() => parseTime('1m 2 s', 'us', true)).toThrow('found "1m 2 s" (damo joins the fields in pairs ("1m" + "2" = "1m2", "s"); write "1 m 2 s")');
    // damon-sim's own times also take fields run together, as Go and systemd write them; damo does not.
    expect([parseTime('1m30s', 'ms'), parseTime('2h1m', 's'), parseTime('1ms5s', 'us'), parseTime('1.5m30s', 's'), parseTimeBare('1m30s', 's', 'ns')]).toEqual([90_000n, 7260n, 5_001_000n, 120n, 90_000_000_000n]);
    for (const bad of ['1m30', 'm30s', '1m30x', '1m-30s']) expect(() => parseTime(bad, 'ms'), bad).toThrow(UnitError);
    expect(() => parseTime('1m30s', 'us', true)).toThrow('found "1m30s" (damo takes one number and one unit per field; write "1 m 30 s")');
    // What neither reading takes keeps the plain message.
    expect(() => parseTime('5 parsecs 2', 'us', true)).toThrow(/found "5 parsecs 2"$/);
    expect(() => parseTime('-5 ms', 'us', true)).toThrow(/found "-5 ms" \(negative values/);
  });

  it('wants the number and the unit of a count as two fields, as damo does', () => {
    expect(() => parseCountWithUnit('3samples')).toThrow('found "3samples" (damo splits it at whitespace into a number and a unit; write "3 samples")');
    expect(() => parseCountWithUnit('1,000aggr_intervals')).toThrow(/write "1,000 aggr_intervals"/);
  });

  it('converts small values to numbers', () => {
    expect(toSafeNumber(parseBytes('4 KiB'))).toBe(4096);
    expect(toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('sizes in decimal-looking units (GB), which damo reads as binary', () => {
  it('gives the binary spelling, the bytes parseBytes() reads, and the decimal reading, for KB to EB only', () => {
    expect(decimalLookingSize('64 GB')).toEqual({ binary: '64 GiB', bytes: 64n << 30n, decimalBytes: 64_000_000_000n });
    expect(decimalLookingSize('1.5MB')).toEqual({ binary: '1.5 MiB', bytes: 1_572_864n, decimalBytes: 1_500_000n });
    expect(decimalLookingSize(' 2 KB ')).toEqual({ binary: '2 KiB', bytes: 2048n, decimalBytes: 2000n });
    expect(decimalLookingSize('1 EB')?.decimalBytes).toBe(10n ** 18n);
    for (const text of ['3 KB', '3 TB', '3 PB']) expect(decimalLookingSize(text)?.bytes).toBe(parseBytes(text));
    for (const v of ['64 GiB', '64 G', '64 B', '64', 64, 'GB', 'x GB', '64 gb', '1 s', null]) expect(decimalLookingSize(v)).toBeUndefined();
  });

  it('a scenario with one draws a warning at its path, and still reads it as damo does', () => {
    const doc = tiering6040('temporal');
    doc.machine.nodes[0].capacity = '32 GB';
    doc.damon.kdamonds[0].contexts[0].schemes[1].quotas.sz_bytes = '128MB';
    // Names and paths are no sizes, at any depth.
    doc.description = '64 GB';
    doc.name = '1 TB';
    const wl = doc.workload as unknown as Record<string, unknown>;
    wl.memcg = '/64GB';
    const { scenario, warnings } = scenarioFromDoc(doc);
    expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'machine.nodes[0].capacity: "32 GB" is read as 32 GiB (34359738368 bytes), as damo reads it: every size unit is binary; write "32 GiB" to say so (the decimal size would be 32000000000 bytes)',
      'damon.kdamonds[0].contexts[0].schemes[1].quotas.sz_bytes: "128MB" is read as 128 MiB (134217728 bytes), as damo reads it: every size unit is binary; write "128 MiB" to say so (the decimal size would be 128000000 bytes)',
    ]);
    expect(scenario.machine.nodes[0].capacity).toBe(32 * 2 ** 30);
  });
});

describe('integers past 2^53 in scenario text stay exact', () => {
  it("YAML and JSON plain integers: safe ones are numbers, longer ones exact digit strings in damo's parts", () => {
    const yaml = 'damon: { a: 9007199254740993, b: 18446744073709551615, c: 4096, d: -9007199254740993, e: 1.5 }\nworkload: { access_rate: 12345678901234567 }\n';
    expect(parseText(yaml, 'y', 'yaml')).toEqual({
      damon: { a: '9007199254740993', b: '18446744073709551615', c: 4096, d: '-9007199254740993', e: 1.5 },
      // The scenario's own keys take plain numbers: the nearest double, as JSON.parse gives.
      workload: { access_rate: 12345678901234568 },
    });
    const json = '{"events": [{"current_value": 9007199254740993}], "damon": {"b": [18446744073709551615, 7], "c": {"d": 4096}}}';
    expect(parseText(json, 'j', 'json')).toEqual({ events: [{ current_value: '9007199254740993' }], damon: { b: ['18446744073709551615', 7], c: { d: 4096 } } });
    // A kdamonds file is damo's throughout.
    expect(parseText('{"kdamonds": [], "x": 9007199254740993}', 'j', 'json')).toEqual({ kdamonds: [], x: '9007199254740993' });
    // Without long number tokens (digits inside strings do not count) JSON.parse reads it.
    expect(parseText('{"a": 9007199254740991, "s": "id 12345678901234567"}', 'j', 'json')).toEqual({ a: 9007199254740991, s: 'id 12345678901234567' });
    // A key repeated in one object is refused, as the YAML parser refuses it, where JSON.parse
    // would keep the last: one line per repetition, at the repeated key, in any object.
    const refused = (text: string) => {
      try {
        parseText(text, 'j', 'json');
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(refused('{"a": 9007199254740991, "s": "id 12345678901234567", "a": 2}')).toEqual(['a: expected each key once in an object; found "a" again at j:1:54']);
    expect(refused('{"a": 1, "a": 9007199254740993}')).toEqual(['a: expected each key once in an object; found "a" again at j:1:10']);
    expect(refused('{"d": {"k": [{"x": 1, "y": 2, "x": 3, "x": 4}], "a": {"a": 1}}}')).toEqual([
      'd.k[0].x: expected each key once in an object; found "x" again at j:1:31',
      'd.k[0].x: expected each key once in an object; found "x" again at j:1:39',
    ]);
    // DEL is text in a JSON string (only C0 controls are refused before parsing).
    expect(parseText('{"a": "x\u007f"}', 'j', 'json')).toEqual({ a: 'x\u007f' });
    // The same key in sibling objects is no repetition.
    expect(parseText('[{"a": 1}, {"a": 2}]', 'j', 'json')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('a goal value past 2^53 reaches the goal exactly', () => {
    const doc = parseText('{"kdamonds": [{"contexts": [{"ops": "paddr", "targets": [{"pid": null, "regions": []}], "schemes": [{"quotas": {"goals": [{"metric": "user_input", "target_value": 9007199254740993, "current_value": 18446744073709551614}]}}]}]}]}', 'j', 'json');
    const g = readKdamonds(doc).params[0].contexts[0].schemes[0].quota.goals[0];
    expect([g.targetValue, g.currentValue]).toEqual([9007199254740993n, 18446744073709551614n]);
  });
});

describe('formatters', () => {
  const formatCases: Case[] = [
    ['number 0', () => formatNumber(0n), '0'],
    ['number 123', () => formatNumber(123), '123'],
    ['number 1000', () => formatNumber(1000n), '1,000'],
    ['number 1234567', () => formatNumber(1234567n), '1,234,567'],
    ['number -123456789', () => formatNumber(-123456789), '-123,456,789'],
    ['number ULONG_MAX', () => formatNumber(ULONG_MAX), '18,446,744,073,709,551,615'],
    ['bytes 0', () => formatBytes(0n), '0 B'],
    ['bytes 1000', () => formatBytes(1000n), '1000 B'],
    ['bytes 1024 (not strictly above 1 KiB)', () => formatBytes(1024n), '1024 B'],
    ['bytes 1025', () => formatBytes(1025n), '1.001 KiB'],
    ['bytes 1088 (half to even)', () => formatBytes(1088n), '1.062 KiB'],
    ['bytes 1 MiB', () => formatBytes(MiB), '1024.000 KiB'],
    ['bytes 200 MiB', () => formatBytes(200n * MiB), '200.000 MiB'],
    ['bytes 64 GiB', () => formatBytes(64n * GiB), '64.000 GiB'],
    ['bytes 1.5 GiB', () => formatBytes(1610612736), '1.500 GiB'],
    ['bytes ULONG_MAX', () => formatBytes(ULONG_MAX), 'max'],
    ['bytes ULONG_MAX - 1', () => formatBytes(ULONG_MAX - 1n), '16.000 EiB'],
    ['bytes exact 200 MiB', () => formatBytes(200n * MiB, { exact: true }), '200.000 MiB'],
    ['bytes exact 1025', () => formatBytes(1025n, { exact: true }), '1.001 KiB'],
    ['bytes exact 1234567', () => formatBytes(1234567n, { exact: true }), '1,234,567'],
    ['bytes exact ULONG_MAX', () => formatBytes(ULONG_MAX, { exact: true }), 'max'],
    ['time exact 1500 ms', () => formatTimeExact(1500n, 'ms'), '1 s 500 ms'],
    ['time exact ns', () => formatTimeExact(123456789123n, 'ns'), '2 m 3 s 456 ms 789 us 123 ns'],
    ['time exact 0', () => formatTimeExact(0n, 'us'), '0 ns'],
    ['time exact 123000 ns', () => formatTimeExact(123000n, 'ns'), '123 us'],
    ['time exact 2 h 1 m 59 s 123 ms', () => formatTimeExact(7_319_123n, 'ms'), '2 h 1 m 59 s 123 ms'],
    ['time exact 1,234 d 2 h', () => formatTimeExact(1234n * NS.d + 2n * NS.h, 'ns'), '1,234 d 2 h'],
    ['time exact ULONG_MAX', () => formatTimeExact(ULONG_MAX, 'us'), 'max'],
    ['time exact ULONG_MAX - 1 us (no overflow to max)', () => formatTimeExact(ULONG_MAX - 1n, 'us'), '213,503,982 d 8 h 1 m 49 s 551 ms 614 us'],
    ['time short 1500 ms', () => formatTimeShort(1500n, 'ms'), '1.500 s'],
    ['time short ns', () => formatTimeShort(123456789123n, 'ns'), '2 m 3.457 s'],
    ['time short 5 ms', () => formatTimeShort(5n, 'ms'), '5 ms'],
    ['time short 100 ms in us', () => formatTimeShort(100_000n, 'us'), '100 ms'],
    ['time short 123456 ns', () => formatTimeShort(123456n, 'ns'), '123.456 us'],
    ['time short 123 ns', () => formatTimeShort(123n, 'ns'), '123 ns'],
    ['time short 0', () => formatTimeShort(0n, 'ms'), '0 ns'],
    ['time short 2 m 3 s', () => formatTimeShort(123n, 's'), '2 m 3 s'],
    ['time short 3 d 2 h 1 m 59.123 s', () => formatTimeShort(3n * NS.d + 2n * NS.h + NS.m + 59_123n * NS.ms, 'ns'), '74 h 1 m 59.123 s'],
    ['time short ULONG_MAX', () => formatTimeShort(ULONG_MAX, 'ns'), 'max'],
    ['ratio 4 %', () => formatRatio(4n, 'percent'), '4 %'],
    ['ratio 1 permil', () => formatRatio(1n, 'permil'), '0.1 %'],
    ['ratio 9970 bp', () => formatRatio(9970n, 'bp'), '99.7 %'],
    ['ratio 123000 bp', () => formatRatio(123000n, 'bp'), '1,230 %'],
    ['ratio 1 bp', () => formatRatio(1, 'bp'), '0.01 %'],
    ['ratio 123123.0001 bp', () => formatRatio(123123.0001, 'bp'), '1,231.230001 %'],
    ['ratio 0.001 bp', () => formatRatio(0.001, 'bp'), '0.00001 %'],
    ['ratio 0.000001 bp', () => formatRatio(0.000001, 'bp'), '0 %'],
    ['ratio 12312.30001 percent', () => formatRatio(12312.30001), '12,312.30001 %'],
    ['ratio 0.0000001 percent', () => formatRatio(0.0000001), '0.0000001 %'],
    ['ratio 0.00000001 percent', () => formatRatio(0.00000001), '0 %'],
    ['ratio 4.99999999 percent carries', () => formatRatio(4.99999999), '5 %'],
  ];
  it.each(formatCases)('%s', (_label, run, expected) => {
    expect(run()).toBe(expected);
  });

  it('rejects values outside [0, ULONG_MAX] with UnitError', () => {
    expect(() => formatBytes(-1)).toThrow(UnitError);
    expect(() => formatTimeExact(ULONG_MAX + 1n, 'ns')).toThrow(UnitError);
    expect(() => formatRatio(NaN)).toThrow(UnitError);
  });
});

describe('round trips', () => {
  // Full range plus values on binary and decimal unit boundaries, where formatting is trickiest.
  const u64 = fc.oneof(
    fc.bigInt({ min: 0n, max: ULONG_MAX }),
    fc.bigInt({ min: 0n, max: 1n << 40n }),
    fc.tuple(fc.bigInt({ min: 0n, max: 1n << 20n }), fc.integer({ min: 0, max: 63 })).map(([k, s]) => {
      const v = k << BigInt(s);
      return v > ULONG_MAX ? ULONG_MAX : v;
    }),
    fc.tuple(fc.bigInt({ min: 0n, max: 100_000n }), fc.constantFrom(1n, NS.us, NS.ms, NS.s, NS.m, NS.h, NS.d)).map(([k, u]) => k * u),
    fc.constantFrom(0n, 1n, 1023n, 1024n, 1025n, ULONG_MAX, ULONG_MAX - 1n),
  );
  const runs = { numRuns: 2000 };

  it('bytes: parseBytes(formatBytes(x, {exact: true})) === x', () => {
    fc.assert(fc.property(u64, (x) => parseBytes(formatBytes(x, { exact: true })) === x), runs);
  });

  it('times: parseTime(formatTimeExact(x, u), u) === x', () => {
    const unit = fc.constantFrom<TimeUnit>('ns', 'us', 'ms', 's');
    fc.assert(fc.property(u64, unit, (x, u) => parseTime(formatTimeExact(x, u), u) === x), runs);
  });

  it('integers: parseNumber(formatNumber(x)) === x', () => {
    fc.assert(fc.property(u64, (x) => parseNumber(formatNumber(x)) === x), runs);
  });

  it('ratios: parseRatio(formatRatio(x, u), u) === x', () => {
    const unit = fc.constantFrom<RatioUnit>('percent', 'permil', 'bp');
    fc.assert(fc.property(u64, unit, (x, u) => parseRatio(formatRatio(x, u), u) === x), runs);
  });
});

describe('fuzz: parsers return a valid value or throw UnitError, nothing else', () => {
  const parsers: [string, (v: unknown) => unknown][] = [
    ['parseNumber', parseNumber],
    ['parseBytes', parseBytes],
    ['parseTime(us)', (v) => parseTime(v, 'us')],
    ['parseTime(ns)', (v) => parseTime(v, 'ns')],
    ['parseRatio(bp)', (v) => parseRatio(v, 'bp')],
    ['parsePercentFloat', parsePercentFloat],
    ['parseCountWithUnit', parseCountWithUnit],
    ['parseBool', parseBool],
  ];
  // Strings built from the grammar's own pieces reach far deeper than random text.
  const unitish = fc
    .array(
      fc.constantFrom(
        '0', '1', '5', '9', ',', '.', ' ', '-', '+', 'e', 'E', '%', 'K', 'KiB', 'MB', 'B', 'ns', 'us', 'ms',
        's', 'm', 'h', 'd', 'max', 'min', 'samples', 'aggr_intervals', 'yes', 'n', '\t', '999999999999',
      ),
      { maxLength: 12 },
    )
    .map((a) => a.join(''));
  const input = fc.oneof(fc.anything(), fc.string(), unitish, fc.double(), fc.bigInt());

  function validResult(r: unknown): boolean {
    if (typeof r === 'bigint') return r >= 0n && r <= ULONG_MAX;
    if (typeof r === 'number') return Number.isFinite(r) && r >= 0;
    if (typeof r === 'boolean') return true;
    const c = r as { value: unknown; unit: unknown };
    return typeof c.value === 'bigint' && c.value >= 0n && (c.unit === 'samples' || c.unit === 'aggr_intervals');
  }

  it.each(parsers)('%s', (_name, parse) => {
    fc.assert(
      fc.property(input, (v) => {
        try {
          return validResult(parse(v));
        } catch (e) {
          return e instanceof UnitError && e.message.startsWith('expected ') && e.message.includes('; found ');
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("damon-sim's own times: a bare number is seconds (durations, event times)", () => {
  it('reads every bare number form as seconds, and unit strings as they say', () => {
    const ns = (v: string | number) => parseTimeBare(v, 's', 'ns');
    expect([ns(90), ns('90'), ns('1e2'), ns('1,000'), ns('0.5'), ns(0.25), ns('1500 ms'), ns('2 m')]).toEqual([
      90_000_000_000n, 90_000_000_000n, 100_000_000_000n, 1_000_000_000_000n, 500_000_000n, 250_000_000n, 1_500_000_000n, 120_000_000_000n,
    ]);
    expect(() => ns('5 parsecs')).toThrow(/expected a time such as "5 ms", "1 m 2 s" or a number of s /);
    expect(() => ns(-1)).toThrow(UnitError);
  });

  it('in a scenario file: duration 0.5 is half a second, an event at "1e1" is at 10 s', () => {
    const doc = {
      machine: { nodes: [{ capacity: '256 MiB' }] },
      workload: { type: 'hotset', rss: '10 MiB', hot_set: '1 MiB', access_rate: 1000 },
      damon: { kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null }], schemes: [] }] }] },
      duration: 0.5,
      events: [{ at: '1e1', command: 'update_schemes_stats' }],
    };
    const { scenario } = scenarioFromDoc(doc);
    expect(scenario.duration).toBe(500_000_000);
    expect(scenario.events?.[0].at).toBe(10_000_000_000);
    // Below a nanosecond every `at` truncates, as duration does (events rounded up to 2026-11-28).
    const subNs = scenarioFromDoc({ ...doc, duration: 1.9999999999, events: [{ at: 1.9999999999, command: 'update_schemes_stats' }] }).scenario;
    expect([subNs.duration, subNs.events?.[0].at]).toEqual([1_999_999_999, 1_999_999_999]);
    expect(() => scenarioFromDoc({ ...doc, duration: '1 ns' })).toThrow('duration: expected a time from 1 ms to 104 days, such as "90 s" or "10 m" (a bare number is seconds); found 1e-9 s');
    expect(() => scenarioFromDoc({ ...doc, events: [{ at: 1e300, command: 'update_schemes_stats' }] })).toThrow('events[0].at: expected a time from 0 to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found 1e+300 (larger than ULONG_MAX (18,446,744,073,709,551,615))');
    expect(() => scenarioFromDoc({ ...doc, events: [{ at: -1, command: 'update_schemes_stats' }] })).toThrow('events[0].at: expected a time from 0 to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found -1 (a time cannot be negative)');
    expect(() => scenarioFromDoc({ ...doc, events: [{ at: '200 d', command: 'update_schemes_stats' }] })).toThrow('events[0].at: expected a time from 0 to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found 200.0 days (17280000000000000 ns)');
    // damo's words are not this key's: the message does not offer them.
    expect(() => scenarioFromDoc({ ...doc, events: [{ at: 'soon', command: 'update_schemes_stats' }] })).toThrow('events[0].at: expected a time from 0 to 104 days, such as "90 s" or "1 m 30 s" (a bare number is seconds); found "soon"');
    expect(() => scenarioFromDoc({ ...doc, duration: 'abc' })).toThrow('duration: expected a time from 1 ms to 104 days, such as "90 s" or "10 m" (a bare number is seconds); found "abc"');
    expect(() => scenarioFromDoc({ ...doc, duration: 'max' })).toThrow('duration: expected a time from 1 ms to 104 days, such as "90 s" or "10 m" (a bare number is seconds); found "max" (ULONG_MAX ns)');
  });
});

describe('values a kernel file takes as an unsigned int (kstrtouint: -ERANGE above 2^32 − 1)', () => {
  it('plain integers (uintV) and unit values (uintRatioV, uintTimeV) take 2^32 − 1 and refuse 2^32, naming what was written, with the same hint', () => {
    const messages = (r: { error?: { issues: Array<{ message: string }> } }) => r.error?.issues.map((i) => i.message);
    const uint = uintV();
    expect(uint.parse(4294967295)).toBe(4294967295);
    expect(uint.parse('4,294,967,295')).toBe(4294967295);
    expect(messages(uint.safeParse('4,294,967,296'))).toEqual(['expected an integer of at most 4294967295; found 4,294,967,296 (= 4294967296) (the kernel file takes an unsigned int: -ERANGE)']);
    expect(messages(uint.safeParse('max'))).toEqual(['expected an integer of at most 4294967295; found max (= 18446744073709551615) (the kernel file takes an unsigned int: -ERANGE)']);
    expect(messages(uint.safeParse(true))).toEqual(['expected a non-negative integer of at most 4294967295']);
    const permil = uintRatioV('permil');
    expect(permil.parse(4294967295)).toBe(4294967295n);
    expect(messages(permil.safeParse(4294967296))).toEqual(['expected at most 4294967295 permil; found 4294967296 (the kernel file takes an unsigned int: -ERANGE)']);
    const ms = uintTimeV('ms');
    expect(ms.parse('1 s')).toBe(1000n);
    expect(messages(ms.safeParse('50 d'))).toEqual(['expected at most 4294967295 ms; found 50 d (= 4320000000 ms) (the kernel file takes an unsigned int: -ERANGE)']);
    expect(messages(ms.safeParse('4294967296 ms'))).toEqual(['expected at most 4294967295 ms; found 4294967296 ms (the kernel file takes an unsigned int: -ERANGE)']);
    expect(messages(permil.safeParse('500,000,000 %'))).toEqual(['expected at most 4294967295 permil; found 500,000,000 % (= 5000000000 permil) (the kernel file takes an unsigned int: -ERANGE)']);
  });

  it('a scenario with fail_charge_num 2^32 is refused at its JSON path', () => {
    const doc = tiering6040('consist');
    doc.damon.kdamonds[0].contexts[0].schemes[1].quotas.fail_charge_num = 4294967296;
    let issues: unknown;
    try {
      scenarioFromDoc(doc);
    } catch (e) {
      issues = (e as ConfigError).issues;
    }
    expect(issues).toEqual([{ path: 'damon.kdamonds[0].contexts[0].schemes[1].quotas.fail_charge_num', message: 'expected an integer of at most 4294967295; found 4294967296 (the kernel file takes an unsigned int: -ERANGE)' }]);
  });
});

describe("values past ULONG_MAX in an access pattern: damo writes them through write_ulong(), min(val, ULONG_MAX)", () => {
  const past = '99999999999999999999'; // > 2^64 − 1
  it('the parsers cap them when told to and refuse them otherwise', () => {
    expect(parseBytes(past, 'write_ulong')).toBe(ULONG_MAX);
    expect(parseBytes(1e20, 'write_ulong')).toBe(ULONG_MAX);
    expect(parseBytes('4096', 'write_ulong')).toBe(4096n);
    expect(() => parseBytes(past)).toThrow(/larger than ULONG_MAX/);
    expect(parseCountWithUnit(`${past} samples`, 'write_ulong')).toEqual({ value: ULONG_MAX, unit: 'samples' });
    expect(parseCountWithUnit('7 aggr_intervals', 'write_ulong')).toEqual({ value: 7n, unit: 'aggr_intervals' });
    expect(() => parseCountWithUnit(`${past} aggr_intervals`)).toThrow(/larger than ULONG_MAX/);
    expect(() => parseTime(`${past} s`, 'us')).toThrow(/larger than ULONG_MAX/);
    expect(() => parsePercentFloat('1e30 %')).toThrow(/larger than ULONG_MAX/);
  });

  it("a scenario's access pattern takes a bare sz_bytes past it as ULONG_MAX; a quota's sz_bytes past it is refused (damo writes it as it is)", () => {
    type Scheme = { access_pattern: Record<string, unknown>; quotas: Record<string, unknown> };
    type Doc = { damon: { kdamonds: Array<{ contexts: Array<{ schemes: Scheme[] }> }> } };
    /** The preset with its first scheme changed by `edit`. */
    const preset = (edit: (s: Scheme) => void): Doc => {
      const d = tiering6040('temporal') as unknown as Doc;
      edit(d.damon.kdamonds[0].contexts[0].schemes[0]);
      return d;
    };
    const pattern = (d: Doc) => scenarioFromDoc(d).scenario.kdamonds[0].contexts[0].schemes[0].pattern;
    const s = pattern(
      preset((x) => {
        x.access_pattern.sz_bytes = { min: 4096, max: past };
        x.access_pattern.age = { min: '0 aggr_intervals', max: `${past} aggr_intervals` };
      }),
    );
    expect([s.minSzRegion, s.maxSzRegion]).toEqual([4096n, ULONG_MAX]);
    // ULONG_MAX aggregation intervals, cut to the kernel's 32-bit field (with a warning).
    expect(s.maxAgeRegion).toBe(4294967295);
    // "N samples" past it is capped as it is.
    expect(pattern(preset((x) => (x.access_pattern.nr_accesses = { min: '0 samples', max: `${past} samples` }))).maxNrAccesses).toBe(4294967295);
    // A time or a percent past it is refused, where damo would convert it first (int(usec / aggr),
    // int(% x max / 100)) and cap the result: damon-sim's limit (docs/format-damo-json.md).
    expect(() => pattern(preset((x) => (x.access_pattern.age = { min: 0, max: `${past} us` })))).toThrow(/access_pattern\.age\.max.*larger than ULONG_MAX/);
    expect(() => pattern(preset((x) => (x.quotas.sz_bytes = past)))).toThrow(/schemes\[0\]\.quotas\.sz_bytes.*larger than ULONG_MAX/);
  });
});

describe("damo's float staging of fractional times and percentages (parseTime/parseRatio with damo = true)", () => {
  // damo's text_to_ns() multiplies a fractional number in floating point, text_to_us()/_ms()
  // divide by 1000 in floating point, text_to_ratio() divides a percentage by 100.0 and
  // text_to_bp()/_permil() multiply; the sysfs writes truncate ('%d').
  it('57 % is 5699 bp and 0.7 % is 69 bp, 4.1 ms is 4099 µs, as damo stages them (5700, 70, 4100 exactly); whole numbers stay exact', () => {
    // [text, unit, damo, value]; a bare ratio is in the key's own unit either way.
    const cases: Array<[string, 'bp' | 'permil' | 'us' | 'ms', boolean, bigint]> = [
      ['57%', 'bp', true, 5699n],
      ['57%', 'bp', false, 5700n],
      ['0.7 %', 'bp', true, 69n],
      ['4.1%', 'permil', true, 40n],
      ['0.35%', 'permil', true, 3n],
      ['60 %', 'bp', true, 6000n],
      ['5699', 'bp', true, 5699n],
      ['4.1ms', 'us', true, 4099n],
      ['4.1ms', 'us', false, 4100n],
      ['1.001s', 'us', true, 1000999n],
      ['1 m 2.5 s', 'ms', true, 62500n],
      ['5 ms', 'us', true, 5000n],
      ['2 h 1 m 59 s 123 ms', 'us', true, 7319123000n],
    ];
    const parse = ([t, u, damo]: (typeof cases)[number]) => (u === 'us' || u === 'ms' ? parseTime(t, u, damo) : parseRatio(t, u, damo));
    expect(cases.map(parse)).toEqual(cases.map((c) => c[3]));
  });
});
