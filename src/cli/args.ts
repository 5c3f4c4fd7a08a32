// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim args [damo options...]`: the kdamonds configuration damo's command-line options
 * build, printed like `damo args damon` (JSON, YAML or the report text). The options are damo's
 * own (underscores: --damos_action, --monitoring_intervals, ...); damon-sim's own options use
 * dashes. `--numa_node` and damo's default paddr region need a machine: give --preset or
 * --machine FILE (a scenario file).
 */
import type { Command } from 'commander';
import { damoArgsToParams, damoOptionsHelp, type DamoArgsOptions } from '../formats/damo/args.js';
import { formatDamoPrinted, wrapKdamonds } from '../formats/damo/emit.js';
import { kdamondsTree } from '../formats/damo/tree.js';
import { formatDamonReport } from '../report/damo-report.js';
import { loadScenarioSource, machineRanges, parseCompat, parseFormat, parseProfile } from './damo-common.js';
import { printIssues, type Io } from './io.js';
import { DEFAULT_PROFILE, PROFILES } from '../profiles.js';
import { nodeRanges } from '../machine/machine.js';
import { ConfigError, formatPath, type Collector, type ConfigIssue } from '../scenario/issues.js';
import { damonCheckEnv, validateKdamonds, type DamonCheckEnv } from '../scenario/validate.js';
import { readScenarioDoc } from '../formats/document.js';
import { machineFromDoc } from '../scenario/load.js';

export interface ArgsOptions {
  format?: string;
  raw?: boolean;
  bare?: boolean;
  damoCompat?: string;
  preset?: string;
  machine?: string;
  profile?: string;
}

/** The machine of a scenario file (or of a file holding only `machine:`); problems name the option and the file. */
function machineOf(file: string): ReturnType<typeof machineFromDoc> {
  try {
    return machineFromDoc(readScenarioDoc(file));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(e.issues.map((i) => ({ ...i, path: i.path === file ? `--machine ${file}` : `--machine ${file}: ${i.path}` })));
  }
}

export function argsCommand(io: Io, tokens: readonly string[], o: ArgsOptions): number {
  const compat = parseCompat(o.damoCompat);
  const format = parseFormat(o.format, ['json', 'yaml', 'report'] as const, 'json');
  let machine: Pick<DamoArgsOptions, 'nodeRanges' | 'defaultPaddrRegion'> = {};
  let nrNodes: number | undefined;
  let memory: DamonCheckEnv['memory'];
  let memcgs: DamonCheckEnv['memcgs'];
  if (o.preset !== undefined || o.machine !== undefined) {
    // --machine reads only the file's machine part: a file holding nothing else will do.
    const scenario = o.machine !== undefined && o.preset === undefined ? undefined : loadScenarioSource(o.machine, o.preset, { what: 'args --machine/--preset' }).loaded.scenario;
    const spec = scenario?.machine ?? machineOf(o.machine as string);
    // A preset's workload says which cgroups exist, as `run` checks memcg filters and goals against.
    if (scenario) memcgs = damonCheckEnv(scenario).memcgs;
    machine = machineRanges(spec);
    nrNodes = spec.nodes.length;
    // Regions and addr filters that miss every node of that machine draw the warning a scenario would.
    memory = nodeRanges(spec);
  }
  // The printed config read back as a file with the same content would be: same checks, same warnings.
  const r = damoArgsToParams(tokens, { compat, ...machine });
  // And what the kernel would refuse at commit, as for a scenario (damon-sim run).
  const c: Collector = { errors: [], warnings: [] };
  const profile = parseProfile(o.profile) ?? DEFAULT_PROFILE;
  validateKdamonds(r.params, c, { profile, nrNodes, memory, memcgs }, ['damo options', 'kdamonds']);
  c.errors = r.named(c.errors);
  c.warnings = r.named(c.warnings);
  if (c.errors.length > 0) throw new ConfigError(c.errors, [...r.warnings, ...c.warnings]);
  // A config that prints: say what its empty paddr regions mean, at each target's path (the options
  // that make it, or the file it came from).
  const empty: ConfigIssue[] = [];
  if (memory === undefined)
    r.params.forEach((k, ki) =>
      k.contexts.forEach((x, ci) =>
        x.targets.forEach((t, ti) => {
          if (x.ops !== 'paddr' || t.regions.length > 0) return;
          empty.push({
            path: formatPath(['damo options', 'kdamonds', ki, 'contexts', ci, 'targets', ti, 'regions']),
            message: "no regions, and no machine to take damo's default from (its biggest System RAM range; give --preset NAME or --machine FILE): the regions are left empty, which a scenario running this config fills with that default",
          });
        }),
      ),
    );
  printIssues(io, [...r.warnings, ...c.warnings, ...r.named(empty)], 'warning');
  if (format === 'report') io.out(formatDamonReport(r.kdamonds, { compat, raw: o.raw }));
  else io.out(formatDamoPrinted(wrapKdamonds(kdamondsTree(r.kdamonds, { raw: o.raw }), o.bare), format));
  return 0;
}

export function registerArgs(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('args')
    .description("print the kdamonds config damo's command-line options build (like damo args damon)")
    .argument('[damo-options...]', "damo's options, e.g. --damos_action migrate_hot 0 --damos_access_rate 5% max; or a kdamonds file (cfg.yaml, cfg.json) to read as damo reads it")
    .option('--format <format>', 'json (default), yaml, or report (the damo report damon text)')
    .option('--raw', "plain integers in each key's own unit")
    .option('--bare', 'the bare kdamonds list instead of {"kdamonds": [...]}')
    .option('--damo-compat <mode>', 'kernel (default) or upstream: ignore the nid of node_eligible_mem_bp goals, as upstream damo v3.3')
    .option('--preset <name>', 'take the machine (for --numa_node and the default paddr region) from a built-in scenario')
    .option('--machine <scenario>', 'take the machine from this scenario file')
    .option('--profile <name>', `kernel profile whose checks apply: ${PROFILES.map((p) => p.name).join(', ')} (default ${DEFAULT_PROFILE.name})`)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', `\ndamo options (i-th occurrence of a per-scheme option belongs to the i-th --damos_action):\n${damoOptionsHelp()}\n`)
    .action((_words: string[], opts: ArgsOptions, cmd: Command) => {
      setExit(argsCommand(io, cmd.args, opts));
    });
}
