// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon-sim run`: one scenario (a file or a preset), or a preset with both tuners side by side.
 */
import { join } from 'node:path';
import { availableParallelism as processors } from 'node:os';
import { comparePlotSvg, comparisonTitle, goalPlotSvg, plotMarks, type ComparedRun, type ConfiguredGoal } from '../report/plot.js';
import { formatTimeShort } from '../formats/damo/units.js';
import { formatSummaryTable, type SchemeStats } from '../report/summary.js';
import { formatPairedSweeps, formatSweepTable, parseSeedList, type NamedSweep, type SweepRun } from '../report/sweep.js';
import { keptGoals } from '../run/build.js';
import { secs } from '../run/recorder.js';
import { RunInterrupted, runScenarioAsync, stopIfAborted, yieldToEventLoop, type ContextRegions } from '../run/run.js';
import { TRACEPOINTS, parseTracepoints, type Tracepoint } from '../run/trace.js';
import { ConfigError, type ConfigIssue } from '../scenario/issues.js';
import { SimulationLimitError } from '../damon/region.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/model.js';
import { progressFor, stopOnSignals } from './interactive.js';
import type { Tuner } from '../scenario/presets.js';
import { AtomicLineWriter, OptionChecks, OutputClosed, OutputError, UsageError, checkDistinctOutputs, checkOutputPath, checkSvgName, isStdout, printInfo, printIssues, stageFile, tableWidth, type Io, type StagedOutput } from './io.js';
import { checkPreset, checkTuner, parseCompat, parseOverrides, parseProfile } from './damo-common.js';
import { damoInputs, splitRunArgs } from './run-damo.js';
import { loadOne, type RunCommandOptions } from './run-load.js';
import { holdInputs, releaseInputs } from '../lib/inputs.js';
import { RunPool, factsOf, type ComputedRun, type RunFacts, type RunJob } from './run-pool.js';

export type { RunCommandOptions } from './run-load.js';

/**
 * Kdamonds whose watermarks kept them waiting the whole run (kdamond_wait_activation): not one
 * sample taken, every scheme gated by watermarks (a scheme without them never lets its kdamond
 * wait) and no `off` written to it. The summary's zeros and an empty timeline do not say why.
 */
function watermarkIdleNotes(sc: Scenario, res: RunFacts): ConfigIssue[] {
  const notes: ConfigIssue[] = [];
  sc.kdamonds.forEach((k, ki) => {
    const schemes = k.contexts.flatMap((c) => c.schemes);
    if (schemes.length === 0 || schemes.some((s) => s.wmarks.metric === 'none')) return;
    if (!res.unsampledKdamonds.includes(ki) || res.events.some((e) => e.type === 'event' && e.kdamond === ki && e.command === 'off')) return;
    const rules = [...new Set(schemes.map((s) => `${s.wmarks.metric} falls below mid ${s.wmarks.mid}, and off above high ${s.wmarks.high} or below low ${s.wmarks.low}`))];
    const systemWide = schemes.some((s) => s.wmarks.metric === 'free_mem_rate') ? "; free_mem_rate is the whole system's free memory in permil, not one node's" : '';
    notes.push({
      path: `kdamond ${ki}`,
      message: `not one sample in the whole run: its schemes' watermarks kept it waiting (a scheme turns on once ${rules.join('; another once ')}${systemWide})`,
    });
  });
  return notes;
}

/**
 * pageout schemes that tried memory and paged out none of it on a machine without swap: anonymous
 * memory has nowhere to go (damon-sim's machine has no swap unless machine.swap gives one), which
 * the summary's "applied 0" does not say. A damo command line brought to a preset meets this first.
 */
function pageoutWithoutSwapNotes(sc: Scenario, res: RunFacts): ConfigIssue[] {
  if ((sc.machine.swap ?? 0) > 0) return [];
  // A scheme's stats add up over every action it had: its first, and those of the accepted writes
  // that set the schemes (commit, on).
  const setters = res.events.filter((e) => e.type === 'event' && e.status === 'ok' && (e.command === 'commit' || e.command === 'on'));
  const actionsOf = (st: SchemeStats) => [
    sc.kdamonds[st.kdamond]?.contexts[st.ctx]?.schemes[st.scheme]?.action,
    ...setters.filter((e) => e.kdamond === st.kdamond).map((e) => sc.events?.find((ev) => ev.index === e.event)?.params?.contexts[st.ctx]?.schemes[st.scheme]?.action),
  ].filter((a) => a !== undefined);
  return res.stats.flatMap((st) => {
    if (st.szOpsFilterPassed === 0 || st.szApplied > 0) return [];
    const actions = actionsOf(st);
    if (!actions.includes('pageout')) return [];
    return [
      {
        path: `kdamond ${st.kdamond}, ${st.label}`,
        // No figures in it: a sweep's seeds say it once (the notes are told apart by their text).
        message: `${actions.every((a) => a === 'pageout') ? '' : 'a pageout scheme for part of the run (a write changed its action), it '}paged out none of the memory that passed its filters: the machine has no swap (machine.swap), so anonymous memory cannot be paged out (only page cache is dropped)`,
      },
    ];
  });
}

/** A note's path: what it is about, after whose run it is where a command runs several (a comparison's or a sweep's runs each get one). */
function ofRun(run: string | undefined, what: string): string {
  return run === undefined ? what : `${run}, ${what}`;
}

/**
 * Contexts whose regions went past twice max_nr_regions at an aggregation. max_nr_regions bounds
 * only what the merge leaves; the apply pass's splits can leave far more until the next merge, and
 * every sample walks them all, which a run's summary does not show. A kernel developer reviewing
 * a scheme setup wants to know (docs/findings.md §3).
 */
export function regionPeakNotes(regions: readonly ContextRegions[], run: string | undefined): ConfigIssue[] {
  const notes: ConfigIssue[] = [];
  for (const c of regions) {
    if (c.peakNrRegions === null || c.peakNrRegions <= 2 * c.maxNrRegions) continue;
    const times = c.peakNrRegions / c.maxNrRegions;
    const cause =
      c.rejectedQuotaSplits > 0
        ? `; ${c.rejectedQuotaSplits} times in the run a scheme's quota split cut off a part that a core filter then rejected (the rest goes to the next visit, which splits it again while it exceeds the quota left: docs/findings.md §3)`
        : '';
    notes.push({
      path: ofRun(run, `kdamond ${c.kdamond}`),
      message: `regions peaked at ${c.peakNrRegions} at ${(c.peakT ?? 0).toFixed(1)} s, ${times.toFixed(times < 10 ? 1 : 0)}× max_nr_regions ${c.maxNrRegions}, which bounds only what each merge leaves (every sample until the next merge walks them all)${cause}`,
    });
  }
  return notes;
}

/**
 * Contexts whose aggregation intervals lasted more than twice as long as configured (median, in
 * simulated time): the kdamond's own work (sampling many regions, migrations, goal walks) is
 * charged to its clock, so it aggregates, applies and tunes quotas less often than its intervals
 * say, and a quota sized per second moves less. The summary record's `regions` entries hold the
 * figures (`aggregation`); `report summary` gives the note again. Not for auto-tuned intervals,
 * whose length is the tuner's.
 */
export function busyKdamondNotes(regions: readonly ContextRegions[], run: string | undefined): ConfigIssue[] {
  return regions
    .flatMap((c) => (c.aggregation ? [{ ...c.aggregation, kdamond: c.kdamond }] : []))
    // By the mean: a few very long intervals among many short ones slow the run as much.
    .filter((a) => !a.autoTuned && a.meanRatio > 2)
    .map((a) => ({
      path: ofRun(run, `kdamond ${a.kdamond}`),
      message: `${a.aggrUsChanged ? `aggregation intervals lasted ${a.meanRatio.toFixed(1)}× the aggr_us in force on the whole (the median one ${a.medianRatio.toFixed(1)}×)` : `aggregation intervals lasted ${a.meanS.toFixed(3)} s of simulated time on average (median ${a.medianS.toFixed(3)} s) against aggr_us ${a.aggrUs / 1000} ms`}: the kdamond's own work (sampling its regions, DAMOS actions, goal walks) is charged to its clock, so it aggregates and applies schemes ${a.meanRatio.toFixed(1)}× less often than configured (docs/model.md "Time")`,
    }));
}

/**
 * Schemes whose apply interval never came in a run that lasted at least twice that interval: no
 * pass, no goal evaluation, "tried 0". damon_set_attrs() restarts every scheme's apply interval
 * whenever the monitoring intervals are set, which interval auto-tuning does every few
 * aggregations: a scheme due less often is postponed for ever (docs/findings.md §4; samples/damon
 * mtier's and mem_tier.sh's setup). The summary's zeros do not say why. Not named by run: a sweep's
 * or comparison's runs share the configuration that causes it, and say it once.
 */
function neverDueNotes(sc: Scenario, res: RunFacts): ConfigIssue[] {
  return res.neverDueSchemes.flatMap(({ kdamond, ctx, scheme }) => {
    const c = sc.kdamonds[kdamond]?.contexts[ctx];
    const s = c?.schemes[scheme];
    if (c === undefined || s === undefined) return []; // a commit added it: no configured interval to judge by
    const intervalUs = s.applyIntervalUs || c.attrs.aggrInterval;
    if (sc.duration < 2 * intervalUs * 1000) return [];
    const label = res.stats.find((st) => st.kdamond === kdamond && st.ctx === ctx && st.scheme === scheme)?.label ?? `s${scheme} ${s.action}`;
    const tuned = res.regions.find((a) => a.kdamond === kdamond && a.ctx === ctx)?.aggregation?.autoTuned ?? false;
    const committed = res.events.some((e) => e.type === 'event' && e.kdamond === kdamond && e.status === 'ok' && e.command === 'commit');
    const why = tuned
      ? 'interval auto-tuning (intervals_goal) sets the monitoring intervals again every few aggregations, and damon_set_attrs() restarts every apply interval each time (docs/findings.md §4)'
      : committed
        ? 'commits set the monitoring intervals again before it passed, and damon_set_attrs() restarts every apply interval each time'
        : 'the kdamond took fewer samples than the interval counts (its own work is charged to its clock: docs/model.md "Time")';
    return [{ path: `kdamond ${kdamond}, ${label}`, message: `never applied: its apply interval (${s.applyIntervalUs === 0 ? 'aggr_us, ' : ''}${formatTimeShort(intervalUs, 'us')}) never passed: ${why}` }];
  });
}

/**
 * Scheduled writes the kdamond's state file refused (a command to a kdamond that is off, `on` to
 * one that runs, a commit damon_commit_ctx() refused): the run goes on as the kernel's would, and
 * only the timeline's event records (`--out`) said so.
 */
function failedWriteNotes(res: RunFacts, run: string | undefined): ConfigIssue[] {
  return res.events
    .filter((e) => e.type === 'event' && e.status === 'error')
    .map((e) => ({
      path: ofRun(run, `events[${String(e.event)}]`),
      message: `${String(e.command)} to kdamond ${String(e.kdamond)} at ${String(e.t)} s failed: ${String(e.error)} (the run went on without it)`,
    }));
}

/** The kdamonds whose initial configuration has schemes, as the timeline's header lists them. */
function kdamondsWithSchemes(sc: Scenario): number {
  return sc.kdamonds.filter((k) => k.contexts.some((c) => c.schemes.length > 0)).length;
}

/**
 * The quota goals a scenario's initial configuration has, less those the kernel drops (target_value
 * 0), as the timeline's header lists them and report plot reads them back (readTimeline()): the
 * plot draws those never evaluated too.
 */
function configuredGoalsOf(sc: Scenario): ConfiguredGoal[] {
  return sc.kdamonds.flatMap((k, kdamond) =>
    k.contexts.flatMap((c, ctx) =>
      c.schemes.flatMap((s, scheme) => keptGoals(s).map((g, goal) => ({ kdamond, ctx, scheme, goal, metric: g.metric, nid: g.nid ?? 0, target_value: g.targetValue }))),
    ),
  );
}

/**
 * What a run's plot, or a comparison's line of it, is drawn from: what its timeline holds too, so
 * that `report plot` draws the same bytes from the timeline (report.ts).
 */
function plotInputs(sc: Scenario, res: RunFacts) {
  const durationS = secs(sc.duration);
  return { goals: res.goals, events: plotMarks(res.events, sc.workload, durationS), configuredGoals: configuredGoalsOf(sc), kdamonds: kdamondsWithSchemes(sc), durationS };
}

/** A scenario's name as one file name in the output directory (a name is free text: no path in it). */
function fileNameOf(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^\.+/, '_') || 'scenario';
}

/** What a failed or stopped run left of its outputs, for the error line. */
function outcomeOf(outputs: readonly StagedOutput[], published: readonly StagedOutput[]): string {
  if (published.length > 0) return `${published.map((f) => f.option).join(', ')} already in place, the other outputs not written`;
  const devices = outputs.filter((f) => f.direct && f.wrote).map((f) => f.option);
  if (devices.length > 0) return `no file written; ${devices.join(', ')} (a device or pipe) may hold part of the output`;
  return 'no output written';
}

/** Say on stderr which files a run wrote ("a", "a and b", "a, b and c"); nothing for none. */
function sayWrote(io: Io, files: readonly string[]): void {
  if (files.length === 0) return;
  const list = files.length === 1 ? files[0] : `${files.slice(0, -1).join(', ')} and ${files[files.length - 1]}`;
  printInfo(io, `wrote ${list}`);
}

/**
 * `--trace-events a,b`: the tracepoints --trace keeps (perf's `damon:` prefix taken too), or
 * undefined for all of them.
 */
function parseTraceEvents(o: Pick<RunCommandOptions, 'trace' | 'traceEvents'>): ReadonlySet<Tracepoint> | undefined {
  if (o.traceEvents === undefined) return undefined;
  if (o.trace === undefined) throw new UsageError(`--trace-events: expected --trace FILE beside it (it picks the tracepoints of that file); found --trace-events ${o.traceEvents} alone`);
  const names = o.traceEvents.split(',');
  const { points, unknown } = parseTracepoints(names);
  if (unknown.length > 0 || points.size === 0) throw new UsageError(`--trace-events: expected tracepoint names from ${TRACEPOINTS.join(', ')}, comma-separated; found ${unknown.map((b) => JSON.stringify(b)).join(', ') || 'none'}`);
  return points;
}

/** `--tolerance N`: the summary's band around each goal's target, in the goal's unit (bp for the node metrics). */
export function parseTolerance(o: Pick<RunCommandOptions, 'tolerance'>): number | undefined {
  if (o.tolerance === undefined) return undefined;
  const t = o.tolerance.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new UsageError(`--tolerance: expected a whole number >= 0 in the goals' unit (bp for the node metrics), such as 50; found ${JSON.stringify(o.tolerance)}`);
  return Number(t);
}

/** Stop a pool's workers; with DAMON_SIM_DEBUG set, say on stderr which thread computed each run. */
async function closePool(io: Io, pool: RunPool | undefined): Promise<void> {
  if (pool === undefined) return;
  await pool.close();
  if (process.env.DAMON_SIM_DEBUG) io.err(`damon-sim: debug: runs computed by ${pool.computedOn.map((t, i) => `${i + 1}: ${t ?? 'none'}`).join(', ')}\n`);
}

/**
 * `--jobs N`: how many threads compute a comparison's or a sweep's runs at once (this one and N − 1
 * workers, run-pool.ts), at most one per processor, and that many when unset. The output is the
 * same for any N.
 */
function parseJobs(o: Pick<RunCommandOptions, 'jobs'>): number {
  if (o.jobs === undefined) return processors();
  const t = o.jobs.trim();
  if (!/^\d+$/.test(t) || !(Number(t) >= 1) || !Number.isSafeInteger(Number(t))) throw new UsageError(`--jobs: expected a whole number >= 1 of threads to run the runs on, such as 2; found ${JSON.stringify(o.jobs)}`);
  // More threads than processors only share them, each with its own V8 heap (~100 MB).
  return Math.min(Number(t), processors());
}

/** Where one run writes, and how it is driven. */
interface RunOutputs {
  out?: string;
  plot?: string;
  trace?: string;
  /** The tracepoints `trace` keeps (all when unset). */
  traceEvents?: ReadonlySet<Tracepoint>;
  /** The summary's band around each goal's target (--tolerance; 100 when unset). */
  tolerance?: number;
  /** The files are --out-dir's (a comparison's or a sweep's), which is the option an error names; otherwise --out, --plot and --trace. */
  inOutDir?: boolean;
  progress: boolean;
  barLabel?: string;
  signal: AbortSignal;
  /** Notes already printed by this command's earlier runs. */
  notesSeen?: Set<string>;
}

/**
 * Put staged outputs in place, each appended to `published` once it is: every output is complete
 * before any is renamed into place, files under their temporary names first, then devices and
 * pipes (which cannot take back what they got). The caller aborts those not published on a throw.
 */
async function publishAll(outputs: readonly StagedOutput[], published: StagedOutput[], signal: AbortSignal): Promise<void> {
  for (const f of outputs) if (!f.direct) f.finish();
  for (const f of outputs) {
    if (!f.direct) continue;
    f.finish();
    // A pipe's or socket's reader may still be taking it: wait, and let a signal stop the wait.
    await f.drain?.(signal);
    stopIfAborted(signal);
  }
  for (const f of outputs) {
    f.publish();
    published.push(f);
  }
}

/** One run and its outputs. */
async function runAndWrite(io: Io, loaded: LoadedScenario, w: RunOutputs, computed?: (onProgress: (simNs: number, totalNs: number) => void) => Promise<ComputedRun>): Promise<RunFacts> {
  const sc = loaded.scenario;
  const { out, plot, trace, progress, barLabel, signal } = w;
  const option = (o: string) => (w.inOutDir ? '--out-dir' : o);
  const outputs: StagedOutput[] = [];
  const published: StagedOutput[] = [];
  const bar = progressFor(io, progress, barLabel ?? sc.name);
  let res: RunFacts;
  try {
    const writer = out !== undefined ? new AtomicLineWriter(out, option('--out')) : undefined;
    if (writer) outputs.push(writer);
    const tracer = trace !== undefined ? new AtomicLineWriter(trace, option('--trace')) : undefined;
    if (tracer) outputs.push(tracer);
    const onProgress = (t: number, total: number) => bar.update(t, total);
    if (computed !== undefined) {
      // A run of several, computed on whichever thread took it (run-pool.ts): its lines as they came.
      const run = await computed(onProgress);
      if (writer) for (const l of run.lines) writer.line(l);
      res = run.facts;
    } else {
      res = factsOf(await runScenarioAsync(sc, { write: writer ? (l) => writer.line(l) : undefined, onProgress, trace: tracer ? (l) => tracer.line(l) : undefined, traceEvents: w.traceEvents, tolerance: w.tolerance, signal }));
    }
    bar.stop();
    // Once per command (a sweep's runs would repeat it); a run of several says whose.
    const whose = w.notesSeen && `${sc.name} seed ${sc.seed}`;
    printNewIssues(io, [...failedWriteNotes(res, whose), ...watermarkIdleNotes(sc, res), ...pageoutWithoutSwapNotes(sc, res), ...regionPeakNotes(res.regions, whose), ...busyKdamondNotes(res.regions, whose), ...neverDueNotes(sc, res)], 'note', w.notesSeen);
    if (plot !== undefined) outputs.push(stageFile(plot, await goalPlotSvg(res.goals, { title: sc.name, aggr: res.aggrs, ...plotInputs(sc, res) }), option('--plot')));
    // A signal while the plot was drawn (which never yields) still stops the command before
    // anything appears: give its handler a turn first.
    await yieldToEventLoop();
    stopIfAborted(signal);
    await publishAll(outputs, published, signal);
  } catch (e) {
    bar.stop();
    // Last made, first undone: a directory two outputs share is empty only once both are gone.
    for (const f of [...outputs].reverse()) if (!published.includes(f)) f.abort();
    if (e instanceof OutputClosed) {
      // Only what the others lost is worth a word: the closed output's reader asked for no more.
      const others = (
        [
          ['--out', out],
          ['--plot', plot],
          ['--trace', trace],
        ] as const
      )
        .filter(([o, v]) => v !== undefined && option(o) !== e.option)
        .map(([o]) => option(o));
      if (others.length > 0) e.outcome = `${others.join(', ')} not written`;
    } else if (reportsOutcome(e) && e.outcome === undefined) e.outcome = outcomeOf(outputs, published);
    throw e;
  }
  return res;
}

/**
 * A mode that runs several (`mode`: --compare-tuners, --seeds) refuses the options of one run, each
 * on its own line after `before`'s: --out-dir holds `outDirHolds` instead.
 */
function refuseOneRunOptions(o: RunCommandOptions, mode: string, outDirHolds: string, before: ConfigIssue[] = []): void {
  const one = [...before];
  if (o.trace !== undefined) one.push({ path: '--trace', message: `expected no --trace with ${mode} (a trace is of one run); found --trace ${o.trace}` });
  for (const [opt, v] of [['--out', o.out], ['--plot', o.plot]] as const)
    if (v !== undefined) one.push({ path: opt, message: `expected --out-dir DIR with ${mode}, which writes ${outDirHolds} (${opt} is one run's file); found ${opt} ${v}` });
  if (one.length > 0) throw new ConfigError(one);
}

/** The errors whose report says what became of the run's outputs (`outcome`). */
function reportsOutcome(e: unknown): e is RunInterrupted | OutputError {
  return e instanceof RunInterrupted || e instanceof OutputError;
}

/** A run of several (a comparison, a sweep): its error also says the files of the runs before it stay. */
async function oneOfMany<T>(kept: number, run: () => Promise<T>, what = 'this run'): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const keptFiles = `the files of the ${kept} run${kept === 1 ? '' : 's'} before it are kept`;
    if (kept > 0 && reportsOutcome(e)) e.outcome = `${e.outcome ?? 'no output written'} for ${what}; ${keptFiles}`;
    // A run past the simulator's region limit has no outcome field (it is the core's error): the message says it.
    if (kept > 0 && e instanceof SimulationLimitError) throw new SimulationLimitError(`${e.message}; nothing written for ${what}; ${keptFiles}`);
    throw e;
  }
}

export async function runCommand(io: Io, file: string | undefined, o: RunCommandOptions): Promise<number> {
  if (o.damoArgs !== undefined) {
    // commander binds the first leftover token to [scenario]; tell the file and damo's options apart.
    const split = splitRunArgs(o.damoArgs);
    file = split.file;
    o = { ...o, damoArgs: split.damo };
  }
  // Option values first, before any output path is checked: every bad one, one line each.
  const checks = new OptionChecks();
  const check = (fn: () => unknown) => checks.check(fn);
  check(() => checkPreset(o.preset));
  check(() => checkTuner(o.tuner));
  check(() => parseCompat(o.damoCompat));
  if (o.damoArgs !== undefined && o.damoArgs.length > 0) {
    // The options replace the preset's schemes, goals and tuners with their own.
    const first = o.damoArgs[0];
    // A bad --tuner value has its own message.
    check(() => {
      if (o.tuner === 'temporal' || o.tuner === 'consist')
        throw new UsageError(`--tuner: expected no --tuner with damo scheme options, which replace the ${o.preset !== undefined ? "preset's" : "scenario's"} schemes (set a goal's tuner with --damos_quota_goal_tuner); found ${JSON.stringify(o.tuner)} with ${first}`);
    });
    check(() => {
      if (o.compareTuners) throw new UsageError(`--compare-tuners: expected no damo scheme options, which replace both tuners' schemes (both runs would be the same); found ${first}`);
    });
  }
  check(() => parseTraceEvents(o));
  check(() => parseTolerance(o));
  check(() => parseJobs(o));
  check(() => parseOverrides({ duration: o.duration }));
  check(() => parseOverrides({ seed: o.seed }));
  check(() => parseProfile(o.profile));
  let seeds: number[] | undefined;
  check(() => {
    if (o.seeds === undefined) return;
    const r = parseSeedList(o.seeds);
    if (typeof r === 'string') throw new UsageError(`--seeds: ${r}`);
    // Ascending, as `report summary --sweep` tables them from the files (which hold no order).
    seeds = r.sort((a, b) => a - b);
  });
  checks.report();
  if (o.preset !== undefined && file !== undefined) throw new UsageError(`--preset: expected either a scenario file or --preset; found both ("${file}" and --preset ${o.preset})`);
  if (o.outDir !== undefined && !o.compareTuners && seeds === undefined) throw new UsageError('--out-dir: expected --compare-tuners or --seeds with it (use --out, --plot for one run); found neither');
  if (o.jobs !== undefined && !o.compareTuners && seeds === undefined) throw new UsageError(`--jobs: expected --compare-tuners or --seeds with it (one run is computed on one thread); found neither`);
  if (o.compareTuners) {
    // Both tuners run, each into --out-dir: options of one run would be dropped without a word.
    const tuner: ConfigIssue[] = o.tuner === undefined ? [] : [{ path: '--tuner', message: `expected no --tuner with --compare-tuners (it runs both tuners); found ${JSON.stringify(o.tuner)}` }];
    refuseOneRunOptions(o, '--compare-tuners', "each tuner's timeline and plot", tuner);
  }
  if (seeds !== undefined) {
    if (o.seed !== undefined) throw new UsageError(`--seeds: expected either --seed or --seeds; found both (--seed ${o.seed})`);
    refuseOneRunOptions(o, '--seeds', "every run's timeline and plot");
  }
  const progress = o.progress !== false;
  checkDistinctOutputs(
    [
      ['--out', o.out],
      ['--plot', o.plot],
      ['--trace', o.trace],
    ],
    [['the scenario file', file], ...damoInputs(o.damoArgs)],
  );
  if (o.out !== undefined) checkOutputPath('--out', o.out);
  if (o.plot !== undefined) {
    checkOutputPath('--plot', o.plot);
    checkSvgName('--plot', o.plot);
  }
  if (o.trace !== undefined) checkOutputPath('--trace', o.trace);
  // Only where something goes: --compare-tuners alone writes to out/ by default, a sweep (with or
  // without --compare-tuners) only to an --out-dir it was given.
  if (o.outDir !== undefined || (o.compareTuners && seeds === undefined)) checkOutputPath(outDirOption(o), o.outDir ?? 'out', 'dir');
  const stop = stopOnSignals();
  // A comparison loads its inputs once per tuner: each time from the bytes first read (lib/inputs.ts).
  holdInputs();
  try {
    return await runAll(io, file, o, seeds, progress, stop.signal);
  } finally {
    releaseInputs();
    stop.dispose();
  }
}

/** How a problem names --out-dir: as typed, or as the default when it was not (a user who typed no --out-dir is told why it is there). */
function outDirOption(o: RunCommandOptions): string {
  return o.outDir === undefined ? '--out-dir (default "out")' : '--out-dir';
}

/**
 * --out-dir's files (each base's .ndjson and .svg, and `more`), once the scenarios name them,
 * checked before anything runs: each where it can be written (not a directory, say), and none an
 * input (the scenario file, --kdamonds, --schemes), as --out, --plot and --trace may not be.
 */
function checkOutDirFiles(file: string | undefined, o: RunCommandOptions, bases: readonly string[], more: readonly string[] = []): void {
  const files = [...bases.flatMap((b) => [`${b}.ndjson`, `${b}.svg`]), ...more];
  for (const f of files) checkOutputPath(outDirOption(o), f);
  checkDistinctOutputs(
    files.map((f): [string, string] => [outDirOption(o), f]),
    [['the scenario file', file], ...damoInputs(o.damoArgs)],
  );
}

/** The runs runCommand() asked for, once every option and path has been checked. */
async function runAll(io: Io, file: string | undefined, o: RunCommandOptions, seeds: number[] | undefined, progress: boolean, signal: AbortSignal): Promise<number> {
  if (seeds !== undefined) return runSweep(io, file, o, seeds, progress, signal);
  if (o.compareTuners) {
    const outDir = o.outDir ?? 'out';
    const tuners: Tuner[] = ['temporal', 'consist'];
    // Validate both before running either, so bad input writes nothing.
    const loaded = tuners.map((t) => loadOne(file, o, t));
    const compared = comparisonFile(outDir, loaded[0].scenario.name);
    const bases = loaded.map((l) => join(outDir, fileNameOf(l.scenario.name)));
    checkOutDirFiles(file, o, bases, [compared]);
    const notesSeen = new Set<string>();
    const columns: Array<{ title: string; rows: RunFacts['summary'] }> = [];
    const migrations: Array<RunFacts['migrations']> = [];
    const stats: Array<RunFacts['stats']> = [];
    const charted: ComparedRun[] = [];
    const warned = new Set<string>();
    // If a run or the chart fails, the runs before it are complete: their table is still printed.
    const table = () => (columns.length > 0 ? formatSummaryTable(columns, migrations, stats, [], tableWidth(io)) : '');
    // The band each run is judged by: the same for a run computed here or in a worker.
    const tolerance = parseTolerance(o);
    const pool = RunPool.start(
      loaded.map((l): RunJob => ({ scenario: l.scenario, timeline: true, tolerance })),
      parseJobs(o),
      signal,
    );
    try {
      for (let i = 0; i < tuners.length; i++) {
        printNewIssues(io, loaded[i].warnings, 'warning', warned);
        const base = bases[i];
        const res = await keepingDone(io, table, () => oneOfMany(i, () => runAndWrite(io, loaded[i], { out: `${base}.ndjson`, plot: `${base}.svg`, inOutDir: true, progress, signal, notesSeen, tolerance }, pool && ((p) => pool.take(i, p)))));
        // Titled by run name, as `report summary` titles the timelines written here.
        columns.push({ title: loaded[i].scenario.name, rows: res.summary });
        migrations.push(res.migrations);
        stats.push(res.stats);
        const sc = loaded[i].scenario;
        charted.push({ name: sc.name, seed: sc.seed, aggr: res.aggrs, ...plotInputs(sc, res) });
        sayWrote(io, [`${base}.ndjson`, `${base}.svg`]);
      }
    } finally {
      await closePool(io, pool);
    }
    await keepingDone(io, table, () => oneOfMany(tuners.length, () => writeComparison(charted, compared, signal), 'the comparison plot'));
    sayWrote(io, [compared]);
    io.out(table());
    return 0;
  }
  const loaded = loadOne(file, o, (o.tuner as Tuner | undefined) ?? 'temporal');
  printIssues(io, loaded.warnings, 'warning');
  const res = await runAndWrite(io, loaded, { out: o.out, plot: o.plot, trace: o.trace, traceEvents: parseTraceEvents(o), tolerance: parseTolerance(o), progress, signal });
  // As the comparison and the sweep say where their files went (files only: standard output is seen).
  const given = [o.out, o.plot, o.trace].filter((f): f is string => f !== undefined);
  const toStdout = given.filter(isStdout);
  sayWrote(io, given.filter((f) => !toStdout.includes(f)));
  const table = formatSummaryTable([{ title: loaded.scenario.name, rows: res.summary }], [res.migrations], [res.stats], [], tableWidth(io));
  // An output on standard output (`--out /dev/stdout | jq …`) keeps it to itself: the summary goes to stderr.
  if (toStdout.length > 0) io.err(table);
  else io.out(table);
  return 0;
}

/**
 * Print the issues this command has not printed yet (`seen`; without it, all): both tuners' runs
 * of one file share its warnings, a sweep's seeds most of their notes.
 */
function printNewIssues(io: Io, issues: readonly ConfigIssue[], kind: 'warning' | 'note', seen: Set<string> | undefined): void {
  const fresh = issues.filter((i) => !seen?.has(`${i.path}: ${i.message}`));
  for (const i of fresh) seen?.add(`${i.path}: ${i.message}`);
  printIssues(io, fresh, kind);
}

/**
 * `step` of a command of several runs; if it fails, what the runs before it finished (`done()`:
 * their table, '' for none) is printed before the error, so it is not lost with the step.
 */
async function keepingDone<T>(io: Io, done: () => string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    const text = done();
    if (text !== '') io.out(text);
    throw e;
  }
}

/**
 * The runs' goals on one chart into `file`: the bytes `report plot` draws from their timelines.
 * Nothing is left of the file if drawing or writing it fails.
 */
async function writeComparison(charted: readonly ComparedRun[], file: string, signal: AbortSignal): Promise<void> {
  const chart: StagedOutput[] = [];
  const published: StagedOutput[] = [];
  try {
    const svg = await comparePlotSvg(charted, { title: comparisonTitle(charted) });
    // A signal while it was drawn (which never yields) stops the command before it is written.
    await yieldToEventLoop();
    stopIfAborted(signal);
    chart.push(stageFile(file, svg, '--out-dir'));
    await publishAll(chart, published, signal);
  } catch (e) {
    for (const f of chart) if (!published.includes(f)) f.abort();
    throw e;
  }
}

/** The chart comparing the tuners' runs of a scenario named NAME-temporal (a preset's) or NAME+temporal: NAME-compare or NAME+compare, `suffix` appended. */
function comparisonFile(outDir: string, temporalName: string, suffix = ''): string {
  return join(outDir, `${fileNameOf(`${temporalName.slice(0, -'temporal'.length)}compare${suffix}`)}.svg`);
}

/**
 * `--seeds`: the scenario (both tuners with --compare-tuners) once per seed, every scenario
 * validated before the first run, then one sweep table per tuner (report/sweep.ts).
 */
async function runSweep(io: Io, file: string | undefined, o: RunCommandOptions, seeds: readonly number[], progress: boolean, signal: AbortSignal): Promise<number> {
  const tuners: Tuner[] = o.compareTuners ? ['temporal', 'consist'] : [(o.tuner as Tuner | undefined) ?? 'temporal'];
  // Loaded and validated once per tuner; each seed's run is a copy with its seed (a Scenario is plain data).
  const loaded = tuners.map((t) => {
    const l = loadOne(file, o, t);
    return seeds.map((seed) => ({ ...l, scenario: { ...structuredClone(l.scenario), seed } }));
  });
  // Every run's files, checked before the first run: a sweep must not stop halfway on a bad path.
  const baseOf = (sc: { name: string; seed: number }) => (o.outDir === undefined ? undefined : join(o.outDir, `${fileNameOf(sc.name)}-seed${sc.seed}`));
  // Comparing the tuners, each seed's two runs also get the chart `run --compare-tuners` draws.
  const comparedOf = (seed: number) => (o.outDir === undefined || !o.compareTuners ? undefined : comparisonFile(o.outDir, loaded[0][0].scenario.name, `-seed${seed}`));
  const charts = seeds.flatMap((seed) => comparedOf(seed) ?? []);
  checkOutDirFiles(file, o, loaded.flat().flatMap((l) => baseOf(l.scenario) ?? []), charts);
  const tables: string[] = [];
  const swept: NamedSweep[] = [];
  const notesSeen = new Set<string>();
  let written = 0;
  // Per seed, its runs' goals for the chart comparing them, drawn once every run is done.
  const charted = new Map<number, ComparedRun[]>();
  const warned = new Set<string>();
  // The runs in the order they are shown.
  // The band each run is judged by: the same for a run computed here or in a worker.
  const tolerance = parseTolerance(o);
  const jobs = loaded.flat().map((l): RunJob => ({ scenario: l.scenario, timeline: baseOf(l.scenario) !== undefined, tolerance }));
  const pool = RunPool.start(jobs, parseJobs(o), signal);
  try {
    let k = 0;
    for (const perSeed of loaded) {
      // The seed does not change what the file says, nor the tuner most of it: its warnings once.
      printNewIssues(io, perSeed[0].warnings, 'warning', warned);
      const runs: SweepRun[] = [];
      for (const l of perSeed) {
        const sc = l.scenario;
        const base = baseOf(sc);
        const index = k++;
        // If it fails, the runs before it are complete: their tables are still printed.
        const done = () => [...tables, ...(runs.length > 0 ? [formatSweepTable(perSeed[0].scenario.name, runs)] : [])].join('\n');
        const res = await keepingDone(io, done, () => oneOfMany(written, () => runAndWrite(io, l, { out: base && `${base}.ndjson`, plot: base && `${base}.svg`, inOutDir: true, progress, barLabel: `${sc.name} seed ${sc.seed}`, signal, notesSeen, tolerance }, pool && ((p) => pool.take(index, p)))));
        if (base) written++;
        if (base) sayWrote(io, [`${base}.ndjson`, `${base}.svg`]);
        runs.push({ seed: sc.seed, summary: res.summary, stats: res.stats });
        if (comparedOf(sc.seed) !== undefined) charted.set(sc.seed, [...(charted.get(sc.seed) ?? []), { name: sc.name, seed: sc.seed, aggr: res.aggrs, ...plotInputs(sc, res) }]);
      }
      tables.push(formatSweepTable(perSeed[0].scenario.name, runs));
      swept.push({ title: perSeed[0].scenario.name, runs });
    }
    // The two tuners, seed by seed (what report summary --sweep prints of two sweeps).
    if (swept.length === 2) {
      const paired = formatPairedSweeps(swept[0], swept[1]);
      if (paired !== '') tables.push(paired);
    }
  } finally {
    await closePool(io, pool);
  }
  let drawn = 0;
  // Every run is done: the tables are not lost with a chart.
  const all = () => tables.join('\n');
  for (const seed of seeds) {
    const compared = comparedOf(seed);
    if (compared === undefined) continue;
    const what = `the comparison plot of seed ${seed}${drawn > 0 ? ` (the ${drawn} drawn before it are kept)` : ''}`;
    await keepingDone(io, all, () => oneOfMany(written, () => writeComparison(charted.get(seed) ?? [], compared, signal), what));
    sayWrote(io, [compared]);
    drawn++;
  }
  io.out(all());
  return 0;
}
