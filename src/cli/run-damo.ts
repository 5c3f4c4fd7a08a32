// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim run` with damo's scheme options (`--ops`, `--regions`, `--damos_action`, ...): the
 * options build a kdamonds configuration as `damo start` would, which replaces the scenario's or
 * preset's `damon` part; the machine and the workload still come from the scenario or preset.
 *
 * commander cannot know damo's options, so `run` allows unknown options and hands everything it
 * did not parse (operands and damo options with their values) here, where they are told apart.
 */
import { existsSync } from 'node:fs';
import { damoArgsToParams, damoCommandHead, damoCommandHeadMessage, damoInputFiles, isDamoOption, optionsBeforeRest, partitionDamoTokens } from '../formats/damo/args.js';
import type { DamoCompat } from '../formats/damo/emit.js';
import type { Collector } from '../formats/damo/kdamonds.js';
import { ConfigError } from '../scenario/issues.js';
import type { LoadedScenario } from '../scenario/load.js';
import { validateScenario } from '../scenario/validate.js';
import { machineRanges } from './damo-common.js';
import { UsageError } from './io.js';

export const RUN_DAMO_HELP = `
damo scheme options (as damo start takes them: --ops, --regions, --monitoring_intervals,
--damos_action, --damos_access_rate, --damos_quotas, --damos_quota_goal, --damos_filter, ...)
replace the scenario's damon part; the machine and workload still come from the scenario file or
--preset. Put the scenario file first. See "damon-sim args --help" for every damo option.`;

/**
 * Tell the scenario file apart from damo's options among the arguments commander left over.
 * Returns the scenario file (or undefined) and the damo tokens (empty when there are none).
 */
export function splitRunArgs(leftover: readonly string[]): { file: string | undefined; damo: string[] } {
  const { damo, rest } = partitionDamoTokens(leftover);
  // A damo command line pasted whole: its head would be taken for scenario files (a scenario file
  // before it is passed over; `damo` itself may be a file, in a damo checkout).
  const at = rest.findIndex((t) => /^(sudo|damo|\.\/damo)$/.test(t));
  const head = at < 0 ? undefined : damoCommandHead(rest.slice(at));
  if (head !== undefined) throw new UsageError(`run: ${damoCommandHeadMessage(head)}`);
  const unknown = rest.find((t) => t.startsWith('-') && t.length > 1 && !/^-\d/.test(t));
  if (unknown !== undefined)
    throw new UsageError(`${unknown}: expected one of damon-sim run's or damo's options${isDamoOption(unknown) ? '' : ' (see damon-sim run --help and damon-sim args --help)'}; found unknown option ${JSON.stringify(unknown)}`);
  // A word past a damo option's fixed count of them would be taken for the scenario file: when it
  // names no file and does not look like one, it was meant as one more value of that option.
  for (const { token, after } of optionsBeforeRest(leftover)) {
    if (after === undefined || after.nargs === '+' || after.nargs === 0 || existsSync(token) || /\.(ya?ml|json)$/i.test(token) || token.includes('/')) continue;
    throw new UsageError(`${after.name}: expected ${after.nargs} value${after.nargs === 1 ? '' : 's'} (${after.metavar}); found one more, ${JSON.stringify(token)}`);
  }
  if (rest.length > 1) throw new UsageError(`run: expected at most one scenario file; found ${rest.map((r) => JSON.stringify(r)).join(', ')}`);
  return { file: rest[0], damo };
}

/** Replace the loaded scenario's kdamonds with those damo's options build, and re-validate. */
export function applyDamoOptions(loaded: LoadedScenario, tokens: readonly string[], compat: DamoCompat | undefined): void {
  const sc = loaded.scenario;
  const r = damoArgsToParams(tokens, { compat, ...machineRanges(sc.machine) });
  sc.kdamonds = r.params;
  const c: Collector = { errors: [], warnings: [] };
  validateScenario(sc, c, ['damo options', 'kdamonds']);
  c.errors = r.named(c.errors);
  c.warnings = r.named(c.warnings);
  // The damon part's issues: the replaced part's in the scenario (`damon.…`), the options' own
  // (`damo options.…`, or `--kdamonds.…` for a whole --kdamonds tree, named by optionNamer()).
  const damonOnly = (p: string) => p.startsWith('damon') || p.startsWith('damo options') || p.startsWith('--kdamonds');
  const warnings = [...loaded.warnings.filter((w) => !damonOnly(w.path)), ...r.warnings, ...c.warnings.filter((w) => damonOnly(w.path))];
  if (c.errors.length > 0) throw new ConfigError(c.errors, warnings);
  loaded.warnings = warnings;
}

/**
 * The files damo's options read (`--kdamonds FILE`, `--schemes FILE`), named as checkDistinctOutputs()
 * names an input; none if the options do not parse, which applyDamoOptions() reports in its turn.
 */
export function damoInputs(damoArgs: readonly string[] | undefined): Array<[string, string]> {
  if (damoArgs === undefined) return [];
  try {
    return damoInputFiles(damoArgs).map(([opt, path]): [string, string] => [`the ${opt} file`, path]);
  } catch (e) {
    if (e instanceof ConfigError) return [];
    throw e;
  }
}
