// SPDX-License-Identifier: GPL-2.0-only
/**
 * damon-sim as a library (`import { runScenario } from 'damon-sim'`): load or build a scenario,
 * run it, and read, write or plot what came out. The CLI is a thin layer over these.
 */

// Scenarios: files, documents, presets, the normalised model and its errors.
export { loadScenarioFile, scenarioFromDoc, setDuration, type LoadedScenario, type LoadOptions } from './scenario/load.js';
export { parseText } from './formats/document.js';
export { scenarioSchema, type HotsetWorkloadDoc, type ScenarioDoc } from './scenario/schema.js';
export type { Scenario, KdamondParams, ContextParams, SchemeParams, GoalParams, FilterParams, WorkloadParams } from './scenario/model.js';
export { PRESETS, tiering6040, type Tiering6040Doc, type Tuner } from './scenario/presets.js';
export { ConfigError, formatIssue, type ConfigIssue } from './scenario/issues.js';

// Kernel profiles.
export { PROFILES, DEFAULT_PROFILE, SWITCHES, findProfile, withOverrides, type KernelProfile, type ProfileSwitch } from './profiles.js';

// Running: one call for a whole run, or the simulation to step yourself.
export { runScenario, runScenarioAsync, RunInterrupted, type RunOptions, type RunResult, type ContextRegions } from './run/run.js';
export { TRACEPOINTS, type Tracepoint } from './run/trace.js';
export { Simulation } from './run/simulation.js';
export type { AggrRecord, GoalRecord, TruthSample } from './run/recorder.js';

// Reports.
export { summarize, formatSummaryTable, DEFAULT_TOLERANCE, SETTLED_MIN_SHARE, migrationSummary, type SchemeSummary, type SchemeStats, type Migration } from './report/summary.js';
export { comparePlotSvg, goalPlotSvg, type ComparedRun, type ConfiguredGoal, type PlotOptions, type PlotWrite } from './report/plot.js';
export { formatDamonReport, runtimeOf } from './report/damo-report.js';
export { parseTimelineLine, readTimeline, readTimelineSummary, type Timeline, type TimelineSummary } from './report/timeline.js';
export { setupDifferences, type SetupDifference } from './report/setup-diff.js';

// damo's formats and the sysfs tree.
// importSysfsTree() and damoArgsToParams() give damo's object model (`kdamonds`); kdamondsTree()
// turns it into damo's JSON tree, which wrapKdamonds() puts under "kdamonds" for formatDamoText()
// and readKdamonds() (as `damon-sim import --sysfs` does).
export { readKdamonds, emitKdamonds, formatDamoText, paramsToDamo, wrapKdamonds } from './formats/damo/emit.js';
export { kdamondsTree } from './formats/damo/tree.js';
export { damoArgsToParams } from './formats/damo/args.js';
export { sysfsFiles, exportSysfsTree } from './formats/sysfs/export.js';
export { importSysfsTree } from './formats/sysfs/import.js';
export { sysfsScript } from './formats/sysfs/script.js';
export { SysfsTree, kstrtobool, kstrtoint, kstrtoul, type SysfsTreeOptions } from './formats/sysfs/tree.js';
