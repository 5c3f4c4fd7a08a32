// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim export`: a scenario's (or preset's) DAMON part in damo's kdamonds format (JSON or
 * YAML, human or raw, wrapped or bare), the whole scenario with its damon part in that format, the
 * kernel's sysfs tree, or a sh script that stages the config on a real kernel.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Command } from 'commander';
import { emitKdamonds, formatDamoPrinted, formatDamoText, type TextFormat } from '../formats/damo/emit.js';
import { exportSysfsTree, holdsCurrentDir } from '../formats/sysfs/export.js';
import { sysfsScript } from '../formats/sysfs/script.js';
import { ConfigError, type ConfigIssue } from '../scenario/issues.js';
import { checkPreset, checkTuner, loadScenarioSource, parseCompat, parseFormat, parseProfile } from './damo-common.js';
import { PROFILES, resolveProfile } from '../profiles.js';
import { OptionChecks, OutputError, UsageError, asOutputError, checkDistinctOutputs, checkOutputPath, printInfo, printIssues, writeFileAtomic, type Io } from './io.js';

export interface ExportOptions {
  preset?: string;
  tuner?: string;
  format?: string;
  raw?: boolean;
  bare?: boolean;
  scenario?: boolean;
  sysfs?: string;
  script?: string;
  damoCompat?: string;
  profile?: string;
}

export function exportCommand(io: Io, file: string | undefined, o: ExportOptions): number {
  // Option values first, before any output path is checked: every bad one, one line each.
  const checks = new OptionChecks();
  const compat = checks.check(() => parseCompat(o.damoCompat));
  const format = checks.check(() => parseFormat<TextFormat>(o.format, ['json', 'yaml'], 'json')) ?? 'json';
  const profileName = checks.check(() => parseProfile(o.profile))?.name;
  checks.check(() => checkPreset(o.preset));
  checks.check(() => checkTuner(o.tuner));
  checks.check(() => {
    const shaping = [o.format !== undefined && '--format', o.raw && '--raw', o.bare && '--bare', o.scenario && '--scenario'].filter((x) => typeof x === 'string');
    if ((o.sysfs !== undefined || o.script !== undefined) && shaping.length > 0)
      throw new UsageError(`${o.sysfs !== undefined ? '--sysfs' : '--script'}: expected no --format, --raw, --bare or --scenario with it (they shape the JSON/YAML output); found ${shaping.join(', ')}`);
  });
  checks.report();
  if (o.sysfs !== undefined) {
    // The tree is built under a temporary name and renamed into place (formats/sysfs/export.ts).
    checkOutputPath('--sysfs', o.sysfs, 'dir', true);
    if (holdsCurrentDir(o.sysfs))
      throw new UsageError(`--sysfs: expected a new directory or an empty one other than the current directory (or one holding it); found ${JSON.stringify(o.sysfs)}`);
  }
  if (o.script !== undefined) {
    checkDistinctOutputs([['--script', o.script]], [['the scenario file', file]]);
    checkOutputPath('--script', o.script);
  }
  if (o.sysfs !== undefined && existsSync(o.sysfs) && readdirSync(o.sysfs).length > 0)
    throw new UsageError(`--sysfs: expected a new or empty directory; found ${JSON.stringify(o.sysfs)} non-empty (refusing to overwrite)`);
  // Load with the kernel reading (keeping nids); the compat switch shapes the output only.
  const src = loadScenarioSource(file, o.preset, { tuner: o.tuner, what: 'export', profile: profileName });
  printIssues(io, src.loaded.warnings, 'warning');
  const kdamonds = src.loaded.scenario.kdamonds;
  // The scenario's kernel (kernel.profile with its overrides, or --profile): its tree's files.
  const profile = resolveProfile(src.loaded.scenario.kernel);
  if (profile === undefined) throw new Error(`export: the loaded scenario names an unknown profile "${src.loaded.scenario.kernel.profile}"`);
  const warnings: ConfigIssue[] = [];
  // Scheduled events change the config during a run: every output but --scenario holds only its start.
  const nrEvents = src.loaded.scenario.events?.length ?? 0;
  const eventsLeftOut = (path: string, what: string, hint = ''): void => {
    if (nrEvents > 0) warnings.push({ path, message: `${what} the initial configuration only: the scenario's ${nrEvents} scheduled event(s) are not in it${hint}` });
  };
  // kernel.overrides are damon-sim's switches (a change tried before posting it): no kernel file
  // holds them, so a kernel staged with the output behaves as its own tree does.
  const overrides = Object.keys(src.loaded.scenario.kernel.overrides ?? {});
  const overridesLeftOut = (path: string): void => {
    if (overrides.length > 0)
      warnings.push({ path, message: `kernel.overrides (${overrides.join(', ')}) are damon-sim's profile switches, which no kernel file holds: a kernel staged with this runs its own behaviour unless it carries that change` });
  };
  if (o.sysfs !== undefined || o.script !== undefined) {
    overridesLeftOut(o.script !== undefined ? '--script' : '--sysfs');
    if (o.sysfs !== undefined) {
      const dir = o.sysfs;
      // A full disk or a refusing file system: one line naming the option (the tree is written
      // under a temporary name, which a failure removes with any parent directory it made).
      try {
        asOutputError('--sysfs', dir, () => exportSysfsTree(dir, kdamonds, profile));
      } catch (e) {
        // A setting the profile's tree cannot hold, named where the scenario's checks name it.
        if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => ({ ...i, path: `damon.${i.path}` })));
        throw e;
      }
      printInfo(io, `wrote the sysfs tree of ${src.label} (kernel profile ${profile.name}) to ${o.sysfs}/kdamonds`);
      eventsLeftOut('--sysfs', 'the tree holds');
    }
    if (o.script !== undefined) {
      if (compat === 'upstream') warnings.push({ path: '--script', message: 'upstream damo v3.3 does not write the nid of node_eligible_mem_bp goals: the script leaves it at the kernel default 0 (--damo-compat upstream)' });
      eventsLeftOut('--script', 'the script stages');
      try {
        writeFileAtomic(o.script, sysfsScript(kdamonds, { compat, source: src.label }), '--script');
      } catch (e) {
        if (e instanceof OutputError && o.sysfs !== undefined) e.outcome = `the sysfs tree in ${o.sysfs} was written, the script was not`;
        throw e;
      }
      printInfo(io, `wrote the staging script of ${src.label} to ${o.script} (sh ${o.script}, as root)`);
    }
    printIssues(io, warnings, 'warning');
    return 0;
  }
  const damon = emitKdamonds(kdamonds, { raw: o.raw, bare: o.bare, compat, warnings });
  if (!o.scenario) {
    eventsLeftOut('export', "damo's kdamonds config holds", ' (--scenario keeps them)');
    overridesLeftOut('export');
  }
  printIssues(io, warnings, 'warning');
  if (o.scenario) {
    const doc: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(src.doc)) doc[k] = k === 'damon' ? damon : v;
    if (!('damon' in doc)) doc.damon = damon;
    io.out(formatDamoText(doc, format));
  } else io.out(formatDamoPrinted(damon, format)); // as damo prints it (the scenario above is damon-sim's own file)
  return 0;
}

export function registerExport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('export')
    .description("print a scenario's DAMON part in damo's kdamonds format, or write it as a sysfs tree or a staging script")
    .argument('[scenario]', 'scenario file (.json, .yaml)')
    .option('--preset <name>', 'export a built-in scenario (tiering-6040)')
    .option('--tuner <tuner>', "goal tuner of every scheme with quota goals, the preset's or the file's: temporal or consist")
    .option('--format <format>', 'json (default, as damo: 4-space indent) or yaml')
    .option('--raw', 'plain integers in each key\'s own unit (damo --raw, with the fork\'s time units)')
    .option('--bare', 'the bare kdamonds list (as damo report damon --format json) instead of {"kdamonds": [...]}')
    .option('--scenario', 'the whole scenario, its damon part in damo\'s format')
    .option('--sysfs <dir>', 'write the kernel\'s /sys/kernel/mm/damon/admin tree for the config to DIR')
    .option('--script <file>', 'write a POSIX sh script that stages the config on a real kernel in damo\'s write order and turns it on')
    .option('--profile <name>', `kernel profile in place of the scenario's kernel.profile: the config is checked against it, and --sysfs writes its tree (its files only): ${PROFILES.map((p) => p.name).join(', ')}`)
    .option('--damo-compat <mode>', 'kernel (default) or upstream: print "nid": null for node_eligible_mem_bp goals, as upstream damo v3.3')
    .action((file: string | undefined, opts: ExportOptions) => {
      setExit(exportCommand(io, file, opts));
    });
}
