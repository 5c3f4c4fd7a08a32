// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim import --sysfs DIR`: read a DAMON sysfs tree (a copy of a real machine's
 * /sys/kernel/mm/damon/admin, or a tree `damon-sim export --sysfs` wrote) into damo's kdamonds
 * format. Files that older kernels lack are reported, one note each, and their defaults used;
 * `--profile` names the kernel the tree is from (files it lacks are expected, and its commit
 * checks apply).
 */
import type { Command } from 'commander';
import { formatDamoText, readKdamonds, wrapKdamonds, type TextFormat } from '../formats/damo/emit.js';
import { kdamondsTree } from '../formats/damo/tree.js';
import { importSysfsTree } from '../formats/sysfs/import.js';
import { parseFormat, parseProfile } from './damo-common.js';
import { OptionChecks, UsageError, printIssues, type Io } from './io.js';
import { DEFAULT_PROFILE, PROFILES } from '../profiles.js';
import type { Collector, ConfigIssue } from '../scenario/issues.js';
import { validateKdamonds } from '../scenario/validate.js';

export interface ImportOptions {
  sysfs?: string;
  format?: string;
  raw?: boolean;
  bare?: boolean;
  profile?: string;
}

export function importCommand(io: Io, o: ImportOptions): number {
  // Every bad option value at once, one line each.
  const checks = new OptionChecks();
  checks.check(() => {
    if (o.sysfs === undefined) throw new UsageError('import: expected --sysfs DIR; found nothing to import');
    if (o.sysfs === '') throw new UsageError('--sysfs: expected a directory; found ""');
  });
  const format = checks.check(() => parseFormat<TextFormat>(o.format, ['json', 'yaml'], 'json')) ?? 'json';
  const profile = checks.check(() => parseProfile(o.profile)) ?? DEFAULT_PROFILE;
  checks.report();
  const dir = o.sysfs as string;
  const r = importSysfsTree(dir, profile);
  printIssues(io, r.notes, 'note');
  const list = kdamondsTree(r.kdamonds, { raw: o.raw });
  // Read it back: what the kernel tree holds must also be a config damon-sim accepts, but for the
  // filters the kernel cannot build, which a tree holds until a commit refuses them (below).
  const unbuildable: ConfigIssue[] = [];
  const read = readKdamonds(wrapKdamonds(list), { source: dir, commitRefusals: unbuildable });
  // And what the kernel would refuse when the tree is committed (`on`, `commit`), as for a config
  // file; the tree itself holds it (sysfs files take what the commit refuses), so it still prints.
  const c: Collector = { errors: [], warnings: [] };
  const simLimits: ConfigIssue[] = [];
  validateKdamonds(read.params, c, { profile, simLimits }, ['kdamonds']);
  // Named as the tree's files are, as the import's errors name them (kdamonds/0/contexts/0/…).
  const inTree = (issues: readonly ConfigIssue[]) => issues.map((e) => ({ ...e, path: r.treePath(e.path.startsWith(`${dir}.`) ? e.path.slice(dir.length + 1) : e.path) }));
  const refused = inTree([...unbuildable, ...c.errors]).map((e) => ({ ...e, message: `the kernel refuses this tree at commit: ${e.message}` }));
  // A kernel runs these; only damon-sim cannot (a tree copied from a real machine often has them).
  const unrunnable = inTree(simLimits).map((e) => ({ ...e, message: `damon-sim cannot run this tree (a kernel takes it): ${e.message}` }));
  printIssues(io, [...inTree(read.warnings), ...refused, ...unrunnable, ...inTree(c.warnings)], 'warning');
  io.out(formatDamoText(wrapKdamonds(list, o.bare), format));
  return 0;
}

export function registerImport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('import')
    .description("read a DAMON sysfs tree (e.g. copied from a real machine) into damo's kdamonds format")
    .option('--sysfs <dir>', 'the admin dir (with kdamonds/) or its kdamonds dir')
    .option('--format <format>', 'json (default) or yaml')
    .option('--raw', "plain integers in each key's own unit")
    .option('--bare', 'the bare kdamonds list instead of {"kdamonds": [...]}')
    .option('--profile <name>', `kernel profile the tree is read as (files it lacks go without a note; what it refuses at commit is a warning): ${PROFILES.map((p) => p.name).join(', ')} (default ${DEFAULT_PROFILE.name})`)
    .allowExcessArguments()
    .action((opts: ImportOptions, cmd: Command) => {
      // A directory given as an argument is the likeliest slip: say which option takes it.
      if (cmd.args.length > 0)
        throw new UsageError(`import: expected the tree as --sysfs DIR, and no arguments; found ${cmd.args.map((a) => JSON.stringify(a)).join(', ')}${opts.sysfs === undefined ? ` (use --sysfs ${cmd.args[0]})` : ''}`);
      setExit(importCommand(io, opts));
    });
}
