// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim run`'s options and the scenario one run of it loads from them (a comparison loads one
 * per tuner, a sweep one per seed), apart from run.ts's running and writing.
 */
import { isMapping } from '../lib/json.js';
import { scenarioFromDoc, type LoadedScenario } from '../scenario/load.js';
import type { Tuner } from '../scenario/presets.js';
import { UsageError } from './io.js';
import { loadFileUnderTuner, parseCompat, parseOverrides, parseProfile, presetDoc, refuseProfileWithoutTemporal, withProfile } from './damo-common.js';
import { applyDamoOptions } from './run-damo.js';

export interface RunCommandOptions {
  preset?: string;
  tuner?: string;
  compareTuners?: boolean;
  duration?: string;
  seed?: string;
  seeds?: string;
  profile?: string;
  sampling?: string;
  out?: string;
  plot?: string;
  trace?: string;
  traceEvents?: string;
  tolerance?: string;
  outDir?: string;
  /** Threads for a comparison's or a sweep's runs (run-pool.ts). */
  jobs?: string;
  damoCompat?: string;
  progress?: boolean;
  /** What commander left unparsed: the scenario file and damo's scheme options (run-damo.ts). */
  damoArgs?: string[];
}

/** The option that sets every goal-tuned scheme's tuner to TEMPORAL, if one does. */
function temporalOption(o: RunCommandOptions): '--compare-tuners' | '--tuner' | undefined {
  return o.compareTuners ? '--compare-tuners' : o.tuner === 'temporal' ? '--tuner' : undefined;
}

export function loadOne(file: string | undefined, o: RunCommandOptions, tuner: Tuner): LoadedScenario {
  const compat = parseCompat(o.damoCompat);
  const profile = parseProfile(o.profile)?.name;
  const damoArgs = o.damoArgs !== undefined && o.damoArgs.length > 0 ? o.damoArgs : undefined;
  // damo's scheme options replace the damon part (run-damo.ts): the part they replace is not
  // checked (against --profile, say), only what they build is.
  const forRun = (doc: unknown): unknown => {
    if (damoArgs === undefined || !isMapping(doc)) return doc;
    const events = (doc as { events?: unknown }).events;
    // Events name schemes and goals of the scenario's own damon part, which the options replace.
    if (Array.isArray(events) && events.length > 0)
      throw new UsageError(`${damoArgs[0]}: expected no damo options with a scenario that has events (they refer to its own damon part, which the options would replace); found ${events.length} events`);
    return { ...doc, damon: { kdamonds: [] } };
  };
  const ov = parseOverrides(o);
  const setter = temporalOption(o);
  let loaded: LoadedScenario;
  if (o.preset !== undefined) {
    const doc = withProfile(forRun(presetDoc(o.preset, tuner)), profile);
    if (setter !== undefined) refuseProfileWithoutTemporal(doc, setter);
    loaded = scenarioFromDoc(doc, { source: `preset ${o.preset}`, compat, durationNs: ov.durationNs });
  } else if (file !== undefined) {
    // --compare-tuners runs the file's goal-tuned schemes under each tuner in turn; --tuner under one.
    const fileTuner = o.compareTuners ? tuner : (o.tuner as Tuner | undefined);
    loaded = loadFileUnderTuner(file, fileTuner, o.compareTuners ? '--compare-tuners' : '--tuner', { compat, durationNs: ov.durationNs }, (doc) => {
      if (setter !== undefined) refuseProfileWithoutTemporal(withProfile(doc, profile), setter);
      return withProfile(forRun(doc), profile);
    }).loaded;
  } else {
    throw new UsageError('run: expected a scenario file or --preset NAME; found neither');
  }
  if (damoArgs !== undefined) {
    applyDamoOptions(loaded, damoArgs, compat);
    // The options replaced the schemes: a preset's name would still name its tuner.
    loaded.scenario.name = `${o.preset ?? loaded.scenario.name}+damo-options`;
  }
  if (ov.seed !== undefined) loaded.scenario.seed = ov.seed;
  if (o.sampling !== undefined) {
    if (o.sampling !== 'region' && o.sampling !== 'folio') throw new UsageError(`--sampling: expected region or folio; found ${JSON.stringify(o.sampling)}`);
    loaded.scenario.sampling = o.sampling;
  }
  return loaded;
}
