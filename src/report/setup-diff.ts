// SPDX-License-Identifier: GPL-2.0-only
/**
 * How runs printed side by side differ in setup: the leaves of their timeline headers' setups
 * (seed, length, kernel profile, sampling, machine, workload and the DAMON configuration in damo's
 * format; TimelineSummary.config) whose values are not the same in every run. A researcher who
 * compares a variant with its base reads here what the variant changed, instead of diffing the
 * headers by hand.
 */
import { isMapping, toJson } from '../lib/json.js';
import { formatBytes, formatTimeExact } from '../formats/damo/units.js';
import { ULONG_MAX } from '../lib/kint.js';

/** One leaf (or part) whose value differs between runs: its path, and each run's value (undefined: the run has no such leaf or part). */
export interface SetupDifference {
  path: string;
  values: Array<string | undefined>;
}

/** Leaves shown at most; the rest are counted (two unrelated scenarios differ in hundreds). */
export const MAX_SETUP_DIFFERENCES = 20;

/** A part shown whole is cut to this many characters (a whole scheme is a few hundred). */
const CELL_MAX = 160;

/** A value as a table cell: strings bare, everything else as its JSON text (bigints exact). */
function textOf(v: unknown): string {
  return typeof v === 'string' ? v : toJson(v);
}

/** A value's text as a cell: cut to CELL_MAX (values are compared whole, before it is cut). */
function cellOf(text: string): string {
  return text.length > CELL_MAX ? `${text.slice(0, CELL_MAX - 1)}…` : text;
}

/** Keys of the header's `model` (the machine and workload) that hold bytes, and times in ns. */
const MODEL_BYTES = new Set(['base', 'hole_between_nodes', 'capacity', 'reserved', 'watermark', 'swap', 'bytes', 'offset']);
const MODEL_NS = new Set(['at']);

/**
 * `value` with each leaf as `leaf` shows it, given the leaf's key and its parent's (an array's
 * items take the array's key): the walk readableModel() and readableDamon() share.
 */
function readableLeaves(value: unknown, leaf: (v: unknown, key: string, parent: string) => unknown, key = '', parent = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => readableLeaves(v, leaf, key, parent));
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readableLeaves(v, leaf, k, key)]));
  return leaf(value, key, parent);
}

/**
 * The header's `model` as a reader takes it in: its byte counts in units ("64.000 GiB", exact, or
 * the integer where three decimals would round) and its times as "5 m", where the header keeps raw
 * bytes and ns. The damo part has readableDamon().
 */
function readableModel(value: unknown): unknown {
  return readableLeaves(value, (v, key) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return v;
    if (MODEL_BYTES.has(key)) return formatBytes(v, { exact: true });
    if (MODEL_NS.has(key)) return formatTimeExact(v, 'ns');
    return v;
  });
}

/** An integer as the header holds it: a number, or past 2^53 a bigint (as readTimeline() reads it) or its digits. */
function headerInteger(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : undefined;
}

/** The aggregation intervals an age bound of `max` stages at aggr_us: ULONG_MAX µs / aggr_us, kept to the kernel's 32 bits (format-sysfs.md). */
export function ageMaxAggrs(aggrUs: bigint): bigint {
  return BigInt.asUintN(32, ULONG_MAX / aggrUs);
}

/**
 * The DAMON part with each access pattern's age bound that is what `max` stages at its context's
 * aggr_us written as "max": the header keeps only the count, which follows aggr_us, so two runs
 * that both say `max` but differ in aggr_us would list the bound as a difference of their own.
 */
function withAgeMax(damon: unknown): unknown {
  if (!isMapping(damon) || !Array.isArray(damon.kdamonds)) return damon;
  const kdamonds = damon.kdamonds.map((kd) => {
    if (!isMapping(kd) || !Array.isArray(kd.contexts)) return kd;
    const contexts = kd.contexts.map((ctx) => {
      const aggrUs = isMapping(ctx) && isMapping(ctx.intervals) ? headerInteger(ctx.intervals.aggr_us) : undefined;
      if (!isMapping(ctx) || !Array.isArray(ctx.schemes) || aggrUs === undefined || aggrUs === 0n) return ctx;
      const max = `${ageMaxAggrs(aggrUs)} aggr_intervals`;
      const schemes = ctx.schemes.map((s) => {
        if (!isMapping(s) || !isMapping(s.access_pattern)) return s;
        const age = s.access_pattern.age;
        if (!isMapping(age) || age.max !== max) return s;
        return { ...s, access_pattern: { ...s.access_pattern, age: { ...age, max: 'max' } } };
      });
      return { ...ctx, schemes };
    });
    return { ...kd, contexts };
  });
  return { ...damon, kdamonds };
}

/**
 * The header's DAMON part (damo's format, written raw) as readableModel() shows the model: its
 * sizes (a quota's `sz_bytes`, `effective_sz_bytes`, an access pattern's `sz_bytes` bounds) in
 * units and its `*_us` / `*_ms` times as times, so that a row of a damon size reads like one of a
 * machine's. Addresses (regions, address ranges) stay numbers, as damo prints them.
 */
function readableDamon(value: unknown): unknown {
  return readableLeaves(withAgeMax(value), (v, key, parent) => {
    const n = headerInteger(v);
    if (n === undefined) return v;
    if (key === 'sz_bytes' || key === 'effective_sz_bytes' || (parent === 'sz_bytes' && (key === 'min' || key === 'max'))) return formatBytes(n, { exact: true });
    if (key.endsWith('_us')) return formatTimeExact(n, 'us');
    if (key.endsWith('_ms')) return formatTimeExact(n, 'ms');
    return v;
  });
}

/** A node of a header's tree: a leaf's value, or a list or mapping (whose leaves are compared instead, where every run has it). */
interface Node {
  value: unknown;
  container: boolean;
}

/**
 * `value`'s nodes in document order into `out`, keyed by path: lists and mappings too, so that a
 * part only some runs have (a scheme added, a filter list left out) is one difference, not one per
 * leaf under it.
 */
function nodes(value: unknown, path: string, out: Map<string, Node>): void {
  const container = isMapping(value) || Array.isArray(value);
  out.set(path, { value, container });
  if (isMapping(value)) for (const k of Object.keys(value)) nodes(value[k], `${path}.${k}`, out);
  else if (Array.isArray(value)) value.forEach((v, i) => nodes(v, `${path}[${i}]`, out));
}

/** Whether `path` lies under `top` (a descendant, not top itself). */
function under(path: string, top: string): boolean {
  return path.length > top.length && path.startsWith(top) && (path[top.length] === '.' || path[top.length] === '[');
}

function shortPath(path: string): string {
  return path
    .replace(/^damon\.kdamonds\[(\d+)\]/, 'kd$1')
    .replace(/^(kd\d+)\.contexts\[(\d+)\]/, '$1.ctx$2')
    .replace(/^(kd\d+\.ctx\d+)\.schemes\[(\d+)\]/, '$1.s$2');
}

/**
 * The leaves of `configs` whose values differ between them, in the order they first come (the
 * first run's document order, then what only later runs have). A list or mapping that some runs
 * lack, or that is a plain value in another, is one difference, shown whole (its JSON text), and
 * nothing under it is listed. Headers holding the DAMON part (`damon`) in every run leave out
 * its `schemes` digest, those holding the machine and workload (`model`) their `nodes` and
 * `workload` digests, and those holding the kernel part (`kernel`) the `profile` digest: each
 * says less of the same.
 */
export function setupDifferences(configs: ReadonlyArray<Record<string, unknown>>): SetupDifference[] {
  if (configs.length < 2) return [];
  // Digests the header keeps for people, where every run has what they digest.
  const every = (k: string) => configs.every((c) => c[k] !== undefined);
  const digests = new Set([...(every('damon') ? ['schemes'] : []), ...(every('model') ? ['nodes', 'workload'] : []), ...(every('kernel') ? ['profile'] : [])]);
  const flat = configs.map((c) => {
    const out = new Map<string, Node>();
    for (const [k, v] of Object.entries(c)) if (!digests.has(k)) nodes(k === 'model' ? readableModel(v) : k === 'damon' ? readableDamon(v) : v, k, out);
    return out;
  });
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat)
    for (const p of f.keys())
      if (!seen.has(p)) {
        seen.add(p);
        paths.push(p);
      }
  const diffs: SetupDifference[] = [];
  const wholes: string[] = []; // parts shown whole: nothing under them is listed
  for (const p of paths) {
    if (wholes.some((w) => under(p, w))) continue;
    const here = flat.map((f) => f.get(p));
    // Lists and mappings every run has: their leaves say what differs.
    if (here.every((n) => n?.container)) continue;
    // A part's text only where it is shown or compared: not for every list and mapping met.
    const texts = here.map((n) => (n === undefined ? undefined : textOf(n.value)));
    if (texts.every((v) => v === texts[0])) continue;
    if (here.some((n) => n?.container)) wholes.push(p);
    diffs.push({ path: shortPath(p), values: texts.map((v) => (v === undefined ? undefined : cellOf(v))) });
  }
  return diffs;
}
