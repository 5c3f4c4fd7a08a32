// SPDX-License-Identifier: GPL-2.0-only
/**
 * Shared plumbing of the damo-format commands (export, import, args, report, and run's damo
 * options): taking damon-sim's own options out of a token list that also holds damo's options,
 * loading a scenario file or preset together with its document, and the machine's node ranges
 * for `--numa_node`.
 */
import { readFileSync } from 'node:fs';
import type { DamoArgsOptions } from '../formats/damo/args.js';
import type { DamoCompat } from '../formats/damo/emit.js';
import type { MachineSpec } from '../machine/machine.js';
import { ConfigError } from '../scenario/issues.js';
import { parseText, scenarioFromDoc, type LoadedScenario } from '../scenario/load.js';
import { PRESETS, type Tuner } from '../scenario/presets.js';
import { UsageError } from './io.js';

export function parseCompat(v: string | undefined): DamoCompat | undefined {
  if (v === undefined) return undefined;
  if (v !== 'kernel' && v !== 'upstream') throw new UsageError(`--damo-compat: expected kernel or upstream; found "${v}"`);
  return v;
}

export function parseFormat<T extends string>(v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--format: expected ${allowed.join(', ')}; found "${v}"`);
  return v as T;
}

/**
 * Pull damon-sim's own options (`--name value` or `--name=value`, or flags) out of tokens that
 * commander could not parse because damo's options came first; the rest is returned in order.
 */
export function takeHostOptions(tokens: readonly string[], valued: readonly string[], flags: readonly string[] = []): { found: Record<string, string | true>; rest: string[] } {
  const found: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const eq = t.indexOf('=');
    const name = t.startsWith('--') && eq > 0 ? t.slice(0, eq) : t;
    if (valued.includes(name)) {
      const v = eq > 0 && name !== t ? t.slice(eq + 1) : tokens[++i];
      if (v === undefined) throw new UsageError(`${name}: expected a value; found none`);
      found[name] = v;
    } else if (flags.includes(t)) found[t] = true;
    else rest.push(t);
  }
  return { found, rest };
}

/** camelCase key of a long option name, as commander names it. */
export const optKey = (name: string): string => name.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Merge host options found among the leftover tokens into commander's parsed options. */
export function mergeHostOptions<T extends object>(opts: T, found: Record<string, string | true>): T {
  const o = { ...opts } as Record<string, unknown>;
  for (const [k, v] of Object.entries(found)) o[optKey(k)] = v;
  return o as T;
}

export interface ScenarioSource {
  loaded: LoadedScenario;
  /** The scenario document as written (for printing it back with a new damon part). */
  doc: Record<string, unknown>;
  label: string;
}

/** Load a scenario file or a preset, keeping its document. */
export function loadScenarioSource(file: string | undefined, preset: string | undefined, opts: { tuner?: string; compat?: DamoCompat; what: string }): ScenarioSource {
  if (opts.tuner !== undefined && opts.tuner !== 'temporal' && opts.tuner !== 'consist') throw new UsageError(`--tuner: expected temporal or consist; found "${opts.tuner}"`);
  if (file !== undefined && preset !== undefined) throw new UsageError(`${opts.what}: expected a scenario file or --preset NAME; found both`);
  if (preset !== undefined) {
    const p = PRESETS[preset];
    if (!p) throw new UsageError(`--preset: expected one of ${Object.keys(PRESETS).join(', ')}; found "${preset}"`);
    const doc = p.build((opts.tuner as Tuner | undefined) ?? 'temporal') as unknown as Record<string, unknown>;
    return { loaded: scenarioFromDoc(doc, { source: `preset ${preset}`, compat: opts.compat }), doc, label: `preset ${preset}` };
  }
  if (file === undefined) throw new UsageError(`${opts.what}: expected a scenario file or --preset NAME; found neither`);
  if (opts.tuner !== undefined) throw new UsageError('--tuner: only applies to --preset (a scenario file sets goal_tuner per scheme)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ path: file, message: `expected a readable scenario file; ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const fmt = file.endsWith('.json') ? 'json' : file.endsWith('.yaml') || file.endsWith('.yml') ? 'yaml' : 'auto';
  const doc = parseText(text, file, fmt);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([{ path: file, message: 'expected a scenario document (a mapping); found something else' }]);
  return { loaded: scenarioFromDoc(doc, { source: file, compat: opts.compat }), doc: doc as Record<string, unknown>, label: file };
}

/** Node ranges of a machine (for --numa_node) and damo's paddr default (the biggest node). */
export function machineRanges(m: MachineSpec): Pick<DamoArgsOptions, 'nodeRanges' | 'defaultPaddrRegion'> {
  const ranges: Array<{ start: bigint; end: bigint }> = [];
  let addr = m.base;
  m.nodes.forEach((n, i) => {
    if (i > 0) addr += m.holeBetweenNodes;
    ranges.push({ start: BigInt(addr), end: BigInt(addr + n.capacity) });
    addr += n.capacity;
  });
  return {
    nodeRanges: (nid) => (nid >= 0 && nid < ranges.length ? [ranges[nid]] : null),
    defaultPaddrRegion: () => ranges.reduce<{ start: bigint; end: bigint } | null>((best, r) => (best === null || r.end - r.start > best.end - best.start ? r : best), null),
  };
}
