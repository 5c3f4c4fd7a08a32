// SPDX-License-Identifier: GPL-2.0-only
/**
 * How runs printed side by side differ in setup: the leaves of their timeline headers' setups
 * (seed, length, kernel profile, sampling, machine, workload and the DAMON configuration in damo's
 * format; TimelineSummary.config) whose values are not the same in every run. A researcher who
 * compares a variant with its base reads here what the variant changed, instead of diffing the
 * headers by hand.
 */
import { isMapping, toJson } from '../lib/json.js';

/** One leaf whose value differs between runs: its path, and each run's value (undefined: the run has no such leaf). */
export interface SetupDifference {
  path: string;
  values: Array<string | undefined>;
}

/** Leaves shown at most; the rest are counted (two unrelated scenarios differ in hundreds). */
export const MAX_SETUP_DIFFERENCES = 20;

/** A value as a table cell: strings bare, everything else as its JSON text (bigints exact). */
function cellOf(v: unknown): string {
  return typeof v === 'string' ? v : toJson(v);
}

/**
 * `value`'s leaves in document order into `out`, keyed by path. A damo tree's path is long; its
 * kdamond, context and scheme are shortened to `kdK`, `ctxC` and `sN` (the summary's own names
 * for them): `damon.kdamonds[0].contexts[0].schemes[1].quotas.sz_bytes` is
 * `kd0.ctx0.s1.quotas.sz_bytes`.
 */
function leaves(value: unknown, path: string, out: Map<string, string>): void {
  if (isMapping(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(path, '{}');
    for (const k of keys) leaves(value[k], path === '' ? k : `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, '[]');
    value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
    return;
  }
  out.set(path, cellOf(value));
}

function shortPath(path: string): string {
  return path
    .replace(/^damon\.kdamonds\[(\d+)\]/, 'kd$1')
    .replace(/^(kd\d+)\.contexts\[(\d+)\]/, '$1.ctx$2')
    .replace(/^(kd\d+\.ctx\d+)\.schemes\[(\d+)\]/, '$1.s$2');
}

/**
 * The leaves of `configs` whose values differ between them, in the order they first come (the
 * first run's document order, then leaves only later runs have). A header holding the DAMON part
 * (`damon`) in every run leaves out its `schemes` digest, which says less of the same.
 */
export function setupDifferences(configs: ReadonlyArray<Record<string, unknown>>): SetupDifference[] {
  if (configs.length < 2) return [];
  const withDamon = configs.every((c) => c.damon !== undefined);
  const flat = configs.map((c) => {
    const out = new Map<string, string>();
    for (const [k, v] of Object.entries(c)) if (!(withDamon && k === 'schemes')) leaves(v, k, out);
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
  for (const p of paths) {
    const values = flat.map((f) => f.get(p));
    if (values.every((v) => v === values[0])) continue;
    diffs.push({ path: shortPath(p), values });
  }
  return diffs;
}
