// SPDX-License-Identifier: GPL-2.0-only
/**
 * Shared plumbing of the damo-format commands (export, import, args, report, and run's damo
 * options): option values they have in common, loading a scenario file or preset together with
 * its document, and the machine's node ranges for `--numa_node`.
 */
import { isMapping } from '../lib/json.js';
import type { DamoArgsOptions } from '../formats/damo/args.js';
import type { DamoCompat } from '../formats/damo/emit.js';
import { biggestNodeRange, nodeRanges, type MachineSpec } from '../machine/machine.js';
import { TOO_LARGE, UnitError, parseTimeBare } from '../formats/damo/units.js';
import { ConfigError } from '../scenario/issues.js';
import { DURATION_EXPECTED, MAX_SIM_TIME_NS } from '../scenario/model.js';
import { readScenarioDoc } from '../formats/document.js';
import { scenarioFromDoc, type LoadOptions, type LoadedScenario } from '../scenario/load.js';
import { PRESETS, type Tuner } from '../scenario/presets.js';
import { UsageError } from './io.js';
import { DEFAULT_PROFILE, PROFILES, findProfile, useProfile, type KernelProfile } from '../profiles.js';

export function parseCompat(v: string | undefined): DamoCompat | undefined {
  if (v === undefined) return undefined;
  if (v !== 'kernel' && v !== 'upstream') throw new UsageError(`--damo-compat: expected kernel or upstream; found ${JSON.stringify(v)}`);
  return v;
}

/** `--profile NAME`: a kernel profile's name (undefined: the command's default). */
export function parseProfile(v: string | undefined): KernelProfile | undefined {
  if (v === undefined) return undefined;
  const p = findProfile(v);
  if (!p) throw new UsageError(`--profile: expected one of ${PROFILES.map((x) => x.name).join(', ')}; found ${JSON.stringify(v)}`);
  return p;
}

export function parseFormat<T extends string>(v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--format: expected ${allowed.join(', ')}; found ${JSON.stringify(v)}`);
  return v as T;
}

/**
 * `doc` with --profile in place of its kernel profile, before anything is checked: what a profile
 * refuses (a metric, a tuner, a pause file) is checked against the profile the run will use.
 */
export function withProfile(doc: unknown, profile: string | undefined): unknown {
  if (profile === undefined || !isMapping(doc)) return doc;
  const kernel = (doc as { kernel?: unknown }).kernel;
  // A kernel part that is not a mapping stays as it is, for validation to report.
  if (kernel !== undefined && !isMapping(kernel)) return doc;
  return { ...doc, kernel: { ...kernel, profile } };
}

/**
 * The document with `quotas.goal_tuner: tuner` in every scheme that has quota goals, in the damon
 * part and in the kdamonds that `commit` events bring (a copy; `run --compare-tuners` with a
 * scenario file), and how many schemes that is. What is not a mapping or list where one belongs
 * is left for validation to report.
 */
export function withGoalTuner(doc: unknown, tuner: Tuner): { doc: unknown; tuned: number } {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  if (!isMapping(doc)) return { doc, tuned: 0 };
  const copy = structuredClone(doc);
  let tuned = 0;
  const tune = (kdamond: unknown): void => {
    if (!isMapping(kdamond)) return;
    for (const ctx of list(kdamond.contexts))
      for (const scheme of isMapping(ctx) ? list(ctx.schemes) : []) {
        const quotas = isMapping(scheme) ? scheme.quotas : undefined;
        if (!isMapping(quotas) || !Array.isArray(quotas.goals) || quotas.goals.length === 0) continue;
        quotas.goal_tuner = tuner;
        tuned++;
      }
  };
  if (isMapping(copy.damon)) for (const k of list(copy.damon.kdamonds)) tune(k);
  for (const e of list(copy.events)) if (isMapping(e)) tune(e.damon);
  return { doc: copy, tuned };
}

export interface ScenarioSource {
  loaded: LoadedScenario;
  /** The scenario document as written (for printing it back with a new damon part). */
  doc: Record<string, unknown>;
  label: string;
}

/** The document of a built-in scenario (`--preset NAME`) with the given tuner. */
export function presetDoc(name: string, tuner: Tuner): Record<string, unknown> {
  checkPreset(name);
  return PRESETS[name].build(tuner) as unknown as Record<string, unknown>;
}

/** `--preset`'s value, when given: a built-in scenario's name. */
export function checkPreset(name: string | undefined): void {
  if (name !== undefined && !PRESETS[name]) throw new UsageError(`--preset: expected one of ${Object.keys(PRESETS).join(', ')}; found ${JSON.stringify(name)}`);
}

/** `--tuner`'s value, when given. */
export function checkTuner(tuner: string | undefined): void {
  if (tuner !== undefined && tuner !== 'temporal' && tuner !== 'consist') throw new UsageError(`--tuner: expected temporal or consist; found ${JSON.stringify(tuner)}`);
}

/**
 * A scenario file's document with every scheme that has quota goals (its events' too) under
 * `tuner`: `--tuner` for a file, as the presets take it. A file without goals has nothing to tune.
 */
export function withFileTuner(doc: unknown, tuner: Tuner, file: string, option = '--tuner'): unknown {
  const t = withGoalTuner(doc, tuner);
  if (t.tuned === 0) throw new UsageError(`${option}: expected a scenario with quota goals (the tuners tune them); found none in ${JSON.stringify(file)}`);
  return t.doc;
}

/** A scenario's name for a run of its file under `tuner`: a name that says the file's own tuner (the tiering-6040 example's "-temporal") drops it. */
export function tunedName(name: string, tuner: Tuner): string {
  return `${name.replace(/-(?:temporal|consist)$/, '')}+${tuner}`;
}

/**
 * A scenario file's document and scenario under `tuner`, if given (--tuner, or --compare-tuners'
 * turn; `option` names it in errors): `prepare` makes the document the command runs (a profile, damo
 * options) before the scenario is made from it, and the scenario's name then says the tuner.
 */
export function loadFileUnderTuner(
  file: string,
  tuner: Tuner | undefined,
  option: string,
  load: Omit<LoadOptions, 'source'>,
  prepare: (doc: unknown) => unknown,
): { loaded: LoadedScenario; doc: unknown } {
  const read = readScenarioDoc(file);
  const doc = prepare(tuner === undefined ? read : withFileTuner(read, tuner, file, option));
  const loaded = scenarioFromDoc(doc, { ...load, source: file });
  if (tuner !== undefined) loaded.scenario.name = tunedName(loaded.scenario.name, tuner);
  return { loaded, doc };
}

/**
 * --compare-tuners, or --tuner temporal, under a kernel profile without the TEMPORAL tuner
 * (mainline-6.19, or an override that turns it off): one line for the option, not one refusal per
 * scheme of a tuner the command itself set, at a file's key the file may not have. A profile that
 * does not resolve is left for validation to name.
 */
export function refuseProfileWithoutTemporal(doc: unknown, option: '--compare-tuners' | '--tuner'): void {
  const kernel = isMapping(doc) && isMapping(doc.kernel) ? doc.kernel : {};
  const name = typeof kernel.profile === 'string' ? kernel.profile : DEFAULT_PROFILE.name;
  const overrides = isMapping(kernel.overrides) ? kernel.overrides : {};
  const temporal = typeof overrides.temporalTuner === 'boolean' ? overrides.temporalTuner : findProfile(name)?.temporalTuner;
  if (temporal !== false) return;
  const overridden = typeof overrides.temporalTuner === 'boolean';
  const found = `found ${JSON.stringify(name)}${overridden ? ' with temporalTuner overridden off' : ''}, which has CONSIST only`;
  const fix = overridden ? 'drop the override' : useProfile((p) => p.temporalTuner);
  if (option === '--tuner') throw new UsageError(`--tuner: expected a kernel profile with the TEMPORAL tuner for --tuner temporal; ${found} (${fix}, or --tuner consist)`);
  throw new UsageError(`--compare-tuners: expected a kernel profile with the TEMPORAL tuner to compare CONSIST with; ${found} (${fix})`);
}

/** Load a scenario file or a preset, keeping its document. */
export function loadScenarioSource(
  file: string | undefined,
  preset: string | undefined,
  opts: { tuner?: string; compat?: DamoCompat; what: string; profile?: string; durationNs?: number },
): ScenarioSource {
  checkTuner(opts.tuner);
  if (file !== undefined && preset !== undefined) throw new UsageError(`${opts.what}: expected a scenario file or --preset NAME; found both`);
  if (preset !== undefined) {
    const doc = withProfile(presetDoc(preset, (opts.tuner as Tuner | undefined) ?? 'temporal'), opts.profile) as Record<string, unknown>;
    if (opts.tuner === 'temporal') refuseProfileWithoutTemporal(doc, '--tuner');
    return { loaded: scenarioFromDoc(doc, { source: `preset ${preset}`, compat: opts.compat, durationNs: opts.durationNs }), doc, label: `preset ${preset}` };
  }
  if (file === undefined) throw new UsageError(`${opts.what}: expected a scenario file or --preset NAME; found neither`);
  const { loaded, doc } = loadFileUnderTuner(file, opts.tuner as Tuner | undefined, '--tuner', { compat: opts.compat, durationNs: opts.durationNs }, (d) => {
    const p = withProfile(d, opts.profile);
    if (opts.tuner === 'temporal') refuseProfileWithoutTemporal(p, '--tuner');
    if (!isMapping(p)) throw new ConfigError([{ path: file, message: 'expected a scenario document (a mapping); found something else' }]);
    return p;
  });
  // The document is the tuner's own copy (withFileTuner()): `export --scenario` prints this name.
  if (opts.tuner !== undefined) (doc as Record<string, unknown>).name = loaded.scenario.name;
  return { loaded, doc: doc as Record<string, unknown>, label: file };
}

/** A run's simulated duration in ns from the command line; `option` names it in errors. */
export function parseDuration(text: string, option = '--duration'): number {
  // Shorter than a millisecond is not one sampling interval; "max" would never end.
  const range = new UsageError(`${option}: expected ${DURATION_EXPECTED}; found ${JSON.stringify(text)}`);
  let s: bigint;
  try {
    s = parseTimeBare(text, 's', 'ns');
  } catch (e) {
    // A malformed time and one too long even for the kernel's ns counter alike; a reason (negative) is kept.
    const why = e instanceof UnitError && e.reason !== undefined && e.reason !== TOO_LARGE ? ` (${e.reason})` : '';
    throw new UsageError(`${range.message}${why}`);
  }
  if (s < 1_000_000n || s > BigInt(MAX_SIM_TIME_NS)) throw range;
  return Number(s);
}

/** `--duration` and `--seed`, the run overrides `run` and `report damon` share. */
export function parseOverrides(o: { duration?: string; seed?: string }): { durationNs?: number; seed?: number } {
  const r: { durationNs?: number; seed?: number } = {};
  if (o.duration !== undefined) r.durationNs = parseDuration(o.duration);
  if (o.seed !== undefined) {
    if (!/^\d+$/.test(o.seed) || !Number.isSafeInteger(Number(o.seed))) throw new UsageError(`--seed: expected a non-negative integer below 2^53; found ${JSON.stringify(o.seed)}`);
    r.seed = Number(o.seed);
  }
  return r;
}

/** Node ranges of a machine (for --numa_node) and damo's paddr default (the biggest node). */
export function machineRanges(m: MachineSpec): Pick<DamoArgsOptions, 'nodeRanges' | 'defaultPaddrRegion'> {
  const big = (r: { start: number; end: number }) => ({ start: BigInt(r.start), end: BigInt(r.end) });
  const ranges = nodeRanges(m).map(big);
  const biggest = biggestNodeRange(m);
  return {
    nodeRanges: (nid) => (nid >= 0 && nid < ranges.length ? [ranges[nid]] : null),
    defaultPaddrRegion: () => (biggest === null ? null : big(biggest)),
  };
}
