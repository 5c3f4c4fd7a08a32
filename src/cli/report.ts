// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim report damon <scenario|--preset NAME>`: the `damo report damon` text of a scenario's
 * kdamonds after a simulated run (state, statistics, tried regions, and each goal's measured
 * current value, which a real kernel does not report), or of its parameters only.
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { paramsToDamo } from '../formats/damo/emit.js';
import { DAMOS_STAT_FIELD_CHOICES, collectTriedRegions, fillTriedRegions, filesAt, formatDamonReport, formatDamosStats, runtimeOf, type DamosStatField } from '../report/damo-report.js';
import { formatSummaryTable, rejudge, stoppedSpans } from '../report/summary.js';
import { setupDifferences } from '../report/setup-diff.js';
import { toJson } from '../lib/json.js';
import { comparePlotSvg, comparisonTitle, goalPlotSvg, plotMarks } from '../report/plot.js';
import { formatPairedSweeps, formatSweepTable } from '../report/sweep.js';
import { readTimeline, readTimelineSummary, type Timeline, type TimelineSummary } from '../report/timeline.js';
import { ConfigError, expectedOneOf, type ConfigIssue } from '../scenario/issues.js';
import type { KdamondParams } from '../scenario/model.js';
import { runScenarioAsync, type RunResult } from '../run/run.js';
import { checkPreset, checkTuner, loadScenarioSource, parseCompat, parseOverrides, parseProfile } from './damo-common.js';
import { PROFILES } from '../profiles.js';
import { statOrUndefined } from '../lib/dirs.js';
import { OptionChecks, UsageError, checkDistinctOutputs, checkOutputPath, checkSvgName, commanderOutputError, fileKey, isStdout, printInfo, printIssues, tableWidth, writeFileAtomic, type Io } from './io.js';
import { progressFor, stopOnSignals } from './interactive.js';
import { busyKdamondNotes, parseTolerance, regionPeakNotes } from './run.js';

export interface ReportDamonOptions {
  preset?: string;
  tuner?: string;
  duration?: string;
  seed?: string;
  paramsOnly?: boolean;
  raw?: boolean;
  damoCompat?: string;
  profile?: string;
  /** false with --no-progress. */
  progress?: boolean;
  damosStats?: boolean;
  damosStatFields?: string[];
  format?: string;
  json?: boolean;
}

/** --format, --json, --damos-stats and --damos-stat-fields together (damo_report_damon.py's main()). */
function statsView(o: ReportDamonOptions): { format: 'report' | 'json' | 'yaml'; fields: DamosStatField[] | undefined } {
  const formats = ['report', 'json', 'yaml'] as const;
  // damo: --json is --format json unless --format says otherwise.
  const format = o.format ?? (o.json ? 'json' : 'report');
  if (!(formats as readonly string[]).includes(format)) throw new UsageError(`--format: ${expectedOneOf(formats, format)}`);
  const given = o.format === undefined ? ['--json', '--json'] : ['--format', `--format ${format}`];
  if (format !== 'report' && !o.damosStats)
    throw new UsageError(`${given[0]}: expected --damos-stats with ${given[1]} (damon-sim prints the kdamonds themselves as damo's report text only; their parameters as JSON or YAML: damon-sim export); found none`);
  if (o.damosStatFields !== undefined && !o.damosStats) throw new UsageError('--damos-stat-fields: expected --damos-stats with it; found none');
  if (o.damosStats && o.paramsOnly) throw new UsageError('--damos-stats: expected no --damos-stats with --params-only (the statistics come from a run); found both');
  const fields = o.damosStatFields?.map((x) => {
    if (!(DAMOS_STAT_FIELD_CHOICES as readonly string[]).includes(x)) throw new UsageError(`--damos-stat-fields: ${expectedOneOf(DAMOS_STAT_FIELD_CHOICES, x)}`);
    return x as DamosStatField;
  });
  return { format: format as 'report' | 'json' | 'yaml', fields };
}

export async function reportDamonCommand(io: Io, file: string | undefined, o: ReportDamonOptions): Promise<number> {
  // Every bad option value at once, one line each, before the scenario is read.
  const checks = new OptionChecks();
  const compat = checks.check(() => parseCompat(o.damoCompat));
  const profile = checks.check(() => parseProfile(o.profile))?.name;
  checks.check(() => checkPreset(o.preset));
  checks.check(() => checkTuner(o.tuner));
  const view = checks.check(() => statsView(o));
  // Nothing runs with --params-only: a run's length or seed would be dropped without a word (and
  // is not read, so a bad one is one problem, not two).
  for (const [opt, v] of [['--duration', o.duration], ['--seed', o.seed]] as const)
    if (o.paramsOnly && v !== undefined) checks.check(() => {
      throw new UsageError(`${opt}: expected no ${opt} with --params-only (it prints the parameters without a run); found ${JSON.stringify(v)}`);
    });
  const ov = o.paramsOnly ? {} : { ...checks.check(() => parseOverrides({ duration: o.duration })), ...checks.check(() => parseOverrides({ seed: o.seed })) };
  checks.report();
  const src = loadScenarioSource(file, o.preset, { tuner: o.tuner, compat, what: 'report damon', profile, durationNs: ov.durationNs });
  printIssues(io, src.loaded.warnings, 'warning');
  const sc = src.loaded.scenario;
  if (ov.seed !== undefined) sc.seed = ov.seed;
  if (o.paramsOnly) {
    io.out(formatDamonReport(paramsToDamo(sc.kdamonds, { compat }), { compat, raw: o.raw, paramsOnly: true }));
    return 0;
  }
  // A long run shows its progress, and SIGINT / SIGTERM / SIGHUP stop it as they stop `run` (the bar gives
  // the terminal its cursor back; nothing has been printed yet).
  const bar = progressFor(io, o.progress !== false, src.label);
  const stop = stopOnSignals();
  let res: RunResult;
  try {
    res = await runScenarioAsync(sc, { onProgress: (t, total) => bar.update(t, total), signal: stop.signal });
  } finally {
    bar.stop();
    stop.dispose();
  }
  // What damo reads at the end: the files as the scenario's writes left them, the state now.
  const files = filesAt(sc, sc.duration);
  const model = paramsToDamo(files, { compat });
  const runtime = runtimeOf(res.simulation, files);
  if (o.damosStats && view !== undefined) {
    // The statistics as of the run's end: damo updates them and reads no tried regions for this.
    printInfo(io, `${src.label} after ${sc.duration / 1e9} simulated s (seed ${sc.seed}); statistics are simulated${coreUnitsNote(files)}`);
    io.out(formatDamosStats(runtime, { raw: o.raw, fields: view.fields, format: view.format }));
    return 0;
  }
  const walked: Array<[number, number]> = [];
  const tried = collectTriedRegions(
    res.simulation,
    (ki, waitedNs, why) => {
      const cause =
        why === 'time'
          ? 'an apply interval that long'
          : 'none within its longest apply interval plus two aggregation intervals, as with a scheme that is never applied';
      printIssues(io, [{ path: `kdamond ${ki}`, message: `its tried-regions walk was given up after ${waitedNs / 1e9} simulated s past the run, before every scheme finished an apply pass (${cause}; the kernel's update_schemes_tried_regions would still be waiting); its schemes show the regions tried so far` }], 'warning');
    },
    (ki, atNs) => walked.push([ki, atNs]),
  );
  fillTriedRegions(runtime, res.simulation, tried);
  const kdamonds = new Set(res.simulation.kdamonds.map((k) => k.idx)).size;
  printInfo(io, `${src.label} after ${sc.duration / 1e9} simulated s (seed ${sc.seed}); state, statistics and tried regions are simulated${walkedWhen(sc.duration, walked, kdamonds)}${coreUnitsNote(files)}`);
  io.out(formatDamonReport(model, { compat, raw: o.raw, runtime }));
  return 0;
}

/**
 * When the report's parts are from: damo reads the statistics and goal values first, then asks for
 * the tried regions, which the kernel collects in the next apply pass (damos.md §2.4, §7), so
 * the two parts of one scheme are from different charge windows and nothing in damo's output says so.
 */
function walkedWhen(durationNs: number, walked: ReadonlyArray<[number, number]>, kdamonds: number): string {
  if (walked.length === 0) return '';
  const at = (ns: number) => `${(ns / 1e9).toFixed(3)} s`;
  // With several kdamonds, each time is named by its kdamond, even when only one walk completed.
  const when = kdamonds === 1 ? `at ${at(walked[0][1])}` : walked.map(([ki, ns]) => `kdamond ${ki}'s at ${at(ns)}`).join(', ');
  return `; statistics and goal values are as of ${at(durationNs)}, tried regions from the apply pass after it (${when}), as update_schemes_tried_regions waits for one`;
}

/**
 * Where a context's addr_unit is not 1, its statistics' and regions' sizes count core units, which
 * damo prints as if they were bytes, as this report does; `run`'s summary gives bytes.
 */
function coreUnitsNote(files: readonly KdamondParams[]): string {
  const units = [...new Set(files.flatMap((k) => k.contexts.map((c) => c.addrUnit)))].filter((u) => u !== 1);
  if (units.length === 0) return '';
  return `; with addr_unit ${units.join(', ')}, sizes count core units, printed as bytes as damo prints them (bytes are addr_unit times as many; \`run\`'s summary gives bytes)`;
}

/** Every file's timeline, read by `read`; every file's problem at once, one line each. */
function readAll<T>(files: readonly string[], read: (file: string) => T): T[] {
  const issues: ConfigIssue[] = [];
  const runs = files.flatMap((f) => {
    try {
      return [read(f)];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues);
      return [];
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return runs;
}

/** Runs read from `files`, named by scenario; by name and seed where names repeat; by file name, then path, where those repeat too. */
function runTitles(runs: ReadonlyArray<{ scenario: string; seed: number }>, files: readonly string[]): string[] {
  const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
  const names = runs.map((r) => r.scenario);
  const seeded = runs.map((r, i) => (count(names, names[i]) > 1 ? `${r.scenario} seed ${r.seed}` : names[i]));
  const named = seeded.map((t, i) => (count(seeded, t) > 1 ? basename(files[i]) : t));
  return named.map((t, i) => (count(named, t) > 1 ? files[i] : t));
}

/**
 * `damon-sim report summary TIMELINE...`: the summary table `run` printed, read back from the
 * timelines' summary lines, one column per file (runs made apart, side by side, not run again).
 */
export function reportSummaryCommand(io: Io, files: readonly string[], o: { sweep?: boolean; tolerance?: string } = {}): number {
  const tolerance = parseTolerance(o);
  // Judged again at another band: from the goal records, which only the whole timeline holds.
  const runs = tolerance === undefined ? readAll(files, readTimelineSummary) : readAll(files, (f) => rejudged(f, tolerance));
  const titles = runTitles(runs, files);
  // What `run` said of each run's regions and aggregation intervals, where the timeline holds it.
  const notes = () =>
    runs.forEach((r, i) => {
      const whose = runs.length > 1 ? titles[i] : undefined;
      printIssues(io, [...regionPeakNotes(r.regions ?? [], whose), ...busyKdamondNotes(r.regions ?? [], whose)], 'note');
    });
  if (o.sweep) {
    io.out(sweepTables(runs, files));
    notes();
    return 0;
  }
  io.out(
    formatSummaryTable(
      runs.map((r, i) => ({ title: titles[i], rows: r.schemes })),
      runs.map((r) => r.migrated),
      runs.map((r) => r.stats),
      setupDifferences(runs.map((r) => r.config)),
      tableWidth(io),
    ),
  );
  notes();
  return 0;
}

/** A timeline's summary with each goal judged again at ±tolerance from its goal records (rejudge()). */
function rejudged(file: string, tolerance: number): TimelineSummary {
  const t = readTimeline(file);
  const schemes = rejudge(t.schemes, t.goals, t.durationS, tolerance, stoppedSpans(t.events, t.durationS));
  if (typeof schemes === 'string') throw new ConfigError([{ path: file, message: schemes }]);
  return { ...t, schemes };
}

/**
 * Whether two runs' headers differ only by seed, as far as both say: a key only a newer timeline
 * writes (`damon`, `model`, `kernel`) is not a difference, so a sweep's older timelines still join
 * its newer ones.
 */
function sameSetup(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const shared = (x: Record<string, unknown>, y: Record<string, unknown>) => toJson(Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'seed' && k in y)));
  return shared(a, b) === shared(b, a);
}

/**
 * `report summary --sweep`: the timelines as the seed sweeps they came from (`run --seeds
 * --out-dir`), one table per scenario (in the order the scenarios first come), its seeds in
 * ascending order: what the sweep printed when its seeds were given in that order.
 */
function sweepTables(runs: readonly TimelineSummary[], files: readonly string[]): string {
  const groups = new Map<string, Array<{ run: TimelineSummary; file: string }>>();
  runs.forEach((run, i) => {
    const g = groups.get(run.scenario) ?? [];
    groups.set(run.scenario, g);
    // A seed twice would be one draw counted twice; another setup under the same name (a variant,
    // another length or profile) is not another draw of the same run.
    const twin = g.find((x) => x.run.seed === run.seed);
    if (twin) throw new UsageError(`${files[i]}: expected one timeline per seed of ${JSON.stringify(run.scenario)} with --sweep; found seed ${run.seed} again (${JSON.stringify(twin.file)} has it)`);
    if (g.length > 0 && !sameSetup(g[0].run.config, run.config))
      throw new UsageError(`${files[i]}: expected a run of ${JSON.stringify(run.scenario)} that differs from ${JSON.stringify(g[0].file)} only by its seed, as a sweep's do; found another setup (its header's length, profile, machine, workload or DAMON configuration differ)`);
    g.push({ run, file: files[i] });
  });
  const sweeps = [...groups].map(([title, g]) => ({ title, runs: g.map(({ run }) => ({ seed: run.seed, summary: run.schemes, stats: run.stats })).sort((a, b) => a.seed - b.seed) }));
  const tables = sweeps.map((sw) => formatSweepTable(sw.title, sw.runs));
  // Two sweeps (a base and a variant: docs/trying-a-change.md; or the tuners of --compare-tuners
  // --seeds) are compared seed by seed after their tables, as the run printed them.
  if (sweeps.length === 2) {
    const paired = formatPairedSweeps(sweeps[0], sweeps[1]);
    if (paired !== '') tables.push(paired);
  }
  return tables.join('\n');
}

export interface ReportPlotOptions {
  out: string;
  allPoints?: boolean;
}

/**
 * `damon-sim report plot TIMELINE... --out FILE.svg`: from one timeline written earlier, the plot
 * `run --plot` drew (the same bytes for the same run); from several, their goals compared, a panel
 * per goal with a colour per run. --all-points: every point.
 */
export async function reportPlotCommand(io: Io, files: readonly string[], o: ReportPlotOptions): Promise<number> {
  checkDistinctOutputs(
    [['--out', o.out]],
    files.map((f) => ['the timeline', f]),
  );
  checkOutputPath('--out', o.out);
  checkSvgName('--out', o.out);
  // A run compared with itself draws one line over the other.
  const seen = new Map<string, string>();
  for (const f of files) {
    const st = statOrUndefined(f);
    if (!st?.isFile()) continue;
    const key = fileKey(f, st);
    const before = seen.get(key);
    if (before !== undefined) throw new UsageError(`${f}: expected timelines of different runs to compare; found the same file as ${JSON.stringify(before)}`);
    seen.set(key, f);
  }
  const runs = readAll(files, readTimeline);
  // What the run's plot was drawn from, as run --plot has it (cli/run.ts plotInputs()).
  const inputs = (tl: Timeline) => ({
    goals: tl.goals,
    events: plotMarks(tl.events, (tl.config.model as { workload?: unknown } | undefined)?.workload, tl.durationS),
    configuredGoals: tl.configuredGoals,
    kdamonds: tl.kdamonds,
    durationS: tl.durationS,
  });
  let svg: string;
  if (runs.length === 1) {
    const [tl] = runs;
    svg = await goalPlotSvg(tl.goals, { title: tl.scenario, aggr: tl.aggrs, ...inputs(tl), allPoints: o.allPoints });
  } else {
    const names = runTitles(runs, files);
    const compared = runs.map((tl, i) => ({ name: names[i], seed: tl.seed, aggr: tl.aggrs, ...inputs(tl) }));
    svg = await comparePlotSvg(compared, { title: comparisonTitle(compared), allPoints: o.allPoints });
  }
  writeFileAtomic(o.out, svg, '--out');
  if (!isStdout(o.out)) printInfo(io, `wrote ${o.out}`);
  return 0;
}

export function registerReport(program: Command, io: Io, setExit: (code: number) => void): void {
  const report = program
    .command('report')
    .description("reports: damo's report damon of a simulated run, and the summary or plot of runs made earlier")
    // An unknown report is named as one, not as an unknown damon-sim command.
    .configureOutput({ outputError: commanderOutputError(io, 'report') });
  report
    .command('damon')
    .description('run a scenario and print its kdamonds like damo report damon (with statistics, tried regions and measured goal values)')
    .argument('[scenario]', 'scenario file (.json, .yaml)')
    .option('--preset <name>', 'a built-in scenario (tiering-6040)')
    .option('--tuner <tuner>', "goal tuner of every scheme with quota goals, the preset's or the file's: temporal or consist")
    .option('--duration <time>', "simulated duration before the report (default: the scenario's)")
    .option('--seed <n>', 'PRNG seed')
    .option('--params-only', 'print the parameters only (no run), like damo report damon --damon_params')
    .option('--raw', 'raw numbers')
    .option('--damos-stats', "print each scheme's statistics only, like damo report damon --damos_stats")
    .option('--damos-stat-fields <fields...>', `with --damos-stats: only these, in this order (${DAMOS_STAT_FIELD_CHOICES.join(', ')})`)
    .option('--format <format>', 'with --damos-stats: report (default), json or yaml')
    .option('--json', 'with --damos-stats: --format json')
    .option('--damo-compat <mode>', 'kernel (default) or upstream: run and show node_eligible_mem_bp goals without their nid, as upstream damo v3.3')
    .option('--profile <name>', `kernel profile to run, in place of the scenario's kernel.profile: ${PROFILES.map((p) => p.name).join(', ')}`)
    .option('--no-progress', 'no progress bar')
    .action(async (file: string | undefined, opts: ReportDamonOptions) => {
      setExit(await reportDamonCommand(io, file, opts));
    });
  report
    .command('summary')
    .description("print the summary table of runs from their timelines (--out files), side by side, without running them again")
    .argument('<timeline...>', 'timeline files (NDJSON, as run --out writes them)')
    .option('--sweep', 'read them as seed sweeps (run --seeds --out-dir): per scenario, one row per seed and a line over all, as the sweep printed')
    .option('--tolerance <n>', "judge each goal again at this band around its target, from the timeline's goal records (as run --tolerance would have): time to target and to settle, and the share of the second half within it")
    .action((files: string[], opts: { sweep?: boolean; tolerance?: string }) => {
      setExit(reportSummaryCommand(io, files, opts));
    });
  report
    .command('plot')
    .description("draw a run's plot (as run --plot draws it) from its timeline, without running it again; from several timelines, their quota goals compared: a panel per goal, a colour per run")
    .argument('<timeline...>', 'timeline files (NDJSON, as run --out writes them)')
    .requiredOption('--out <file>', 'write the SVG plot here (required)')
    .option('--all-points', 'draw every point, not only what each pixel column shows (an SVG to zoom into: ~1.7 MB for a simulated hour)')
    .action(async (files: string[], opts: ReportPlotOptions) => {
      setExit(await reportPlotCommand(io, files, opts));
    });
}
