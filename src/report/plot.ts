// SPDX-License-Identifier: GPL-2.0-only
/**
 * SVG chart of quota-goal feedback: each goal's current_value over simulated time against its
 * target, and optionally the ground-truth hot share per node, so a reader sees how far the metric
 * the tuner steers by lags what the workload actually does.
 *
 * Rendered headless with vega-lite -> vega and the 'none' renderer. Output is byte-deterministic:
 * text widths always come from vega's estimator (never from an optional `canvas` package whose font
 * metrics vary by machine), SVG def ids are reset per render, data are sorted, and colors are bound
 * to an explicit, sorted domain.
 */
// Types only: vega and vega-lite take ~0.4 s to load, which every command would pay at start
// (`--version` included); goalPlotSvg() loads them when a plot is drawn.
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { writesOf } from '../run/events.js';
import type { AggrRecord, GoalRecord } from '../run/recorder.js';
import { GoalLife, cmpGoal, goalKey, goalLabel, groupByGoal, hotSetMoveTimes, unitOf, type GoalId, type GoalParamsLike } from './summary.js';

type Logger = NonNullable<Vega.ViewOptions['logger']>;

/**
 * Vega and vega-lite warn on console for benign things (e.g. an empty data set gives an infinite
 * extent); a report must not spray the terminal nondeterministically, so warnings are dropped and
 * errors collected to be thrown after rendering.
 */
function quietLogger(errors: string[]): Logger {
  let lvl = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      errors.push(args.map(String).join(' '));
      return logger;
    },
    warn() {
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger as unknown as Logger;
}

/** Runtime exports of vega-scenegraph that vega-typings does not declare. */
interface ScenegraphExtras {
  textMetrics?: { width?: unknown; canvas?: (use: boolean) => void };
  resetSVGDefIds?: () => void;
}

/** Renders under way (goalPlotSvg() awaits vega): the first saves the program's text-width measure, the last puts it back. */
let rendering = 0;
let savedWidth: unknown;

/**
 * Put vega's module-global render state where the same goals give the same bytes; returns what
 * puts back the text-width measure a program that imports this library may have chosen (once the
 * last of several concurrent renders is done, so that none restores another's setting).
 */
function prepareDeterministicRender(vega: typeof Vega): () => void {
  const sg = vega as unknown as ScenegraphExtras;
  const metrics = sg.textMetrics;
  if (rendering++ === 0) savedWidth = metrics?.width;
  // Without `canvas` installed vega already estimates widths (no warning is printed); force the
  // estimator anyway so installing `canvas` later cannot change the bytes.
  metrics?.canvas?.(false);
  // Clip/gradient ids are module-global counters; reset so two renders give the same ids. (A
  // counter cannot be read back: a caller's own SVGs count on from ours.)
  sg.resetSVGDefIds?.();
  return () => {
    if (--rendering === 0 && metrics && savedWidth !== undefined) metrics.width = savedWidth;
  };
}

function num(v: bigint | number): number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/**
 * A quota goal the run's configuration has (the timeline header's `schemes[].goals`), numbered as
 * its goal records would be: a goal with no record is still drawn, its target over the run.
 */
export interface ConfiguredGoal extends GoalId {
  metric: string;
  /** As goal records carry it: 0 where the configuration gives none. */
  nid: number;
  target_value: bigint | number;
}

/** What a goal's legend entry adds when the run configures it but never evaluated it. */
export const NEVER_EVALUATED = ' (never evaluated)';

/** What a comparison panel's legend entry adds for a run that has goals, but not the panel's. */
export const NOT_CONFIGURED = ' (not configured)';

interface GoalSeries {
  /** The goal's label (a comparison's panel title). */
  label: string;
  /** Its legend entry: the label, marked when the goal was never evaluated. */
  name: string;
  /** Its first evaluation, or, never evaluated, its configuration. */
  head: ConfiguredGoal;
  /** Its evaluations in time order; none for a configured goal the run never evaluated. */
  recs: GoalRecord[];
}

/**
 * Groups evaluations by goal, beside the `configured` goals that have none (labelled alike, so a
 * goal never evaluated is named as it would be once evaluated). The legend names a goal by scheme,
 * metric and node ("s<scheme> <metric> nid <nid>", the nid only for a node metric: goalLabel()):
 * the summary table heads the same goal by its
 * scheme's action and shows the metric in a row, which a legend has no room for;
 * with several kdamonds the same scheme index recurs, so the summary's "kd<kd> " prefix is added
 * only then (a kdamond has one context at most), keeping the common single-kdamond label short.
 * `manyKdamonds`: the run has several, whether or not each evaluated a goal (the summary's rows
 * name them by the configuration).
 */
function seriesOf(goals: GoalRecord[], manyKdamonds: boolean, configured: readonly ConfiguredGoal[] = []): GoalSeries[] {
  const byGoal = groupByGoal(goals);
  // Configured goals without a record are labelled among the others, as if they had been evaluated.
  const groups = [
    ...[...byGoal.values()].map((recs) => ({ head: recs[0] as ConfiguredGoal, recs })),
    ...configured.filter((c) => !byGoal.has(goalKey(c))).map((head) => ({ head, recs: [] })),
  ].sort((a, b) => cmpGoal(a.head, b.head));
  const seen = new Map<string, number>();
  return groups.map(({ head: r, recs }) => {
    let label = (manyKdamonds ? `kd${r.kdamond} ` : '') + goalLabel(r);
    // Two goals of one scheme on the same metric and node would share a legend entry otherwise.
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    if (n > 0) label += ` g${r.goal}`;
    return { label, name: recs.length > 0 ? label : label + NEVER_EVALUATED, head: r, recs: [...recs].sort((a, b) => a.t - b.t) };
  });
}

/** The writes the plot marks: those that changed what the kdamond does (parameter commits, off, on). */
export const PLOT_WRITES: ReadonlySet<string> = new Set(['commit', 'commit_schemes_quota_goals', 'on', 'off']);

/** A write as the plot takes it: its time and command, and the goal counts an accepted one records. */
export type PlotWrite = {
  t: number;
  command: string;
  kdamond?: number;
  ctx?: number;
  goals?: readonly number[];
  /** The goals each scheme of the context has after the write (docs/timeline.md), where recorded. */
  goal_params?: ReadonlyArray<ReadonlyArray<GoalParamsLike>>;
};

/**
 * What a run's plot marks, in the order both sides draw them (run --plot from the run, report plot
 * from its timeline, which must give the same bytes): the accepted writes that changed the run
 * (PLOT_WRITES), then the workload's hot-set moves within its `durationS`.
 */
export function plotMarks(records: Parameters<typeof writesOf>[0], workload: unknown, durationS: number): PlotWrite[] {
  return [...writesOf(records, PLOT_WRITES), ...hotSetMoves(workload, durationS)];
}

/** The label of a hot-set move's mark (hotSetMoves()). */
export const HOT_SET_MOVE = 'hot set moves';

/**
 * The times a workload's hot sets move within the first `durationS` seconds, as marks beside the
 * writes (a workload change, not a DAMON write: no goal is removed by it).
 */
export function hotSetMoves(workload: unknown, durationS: number): PlotWrite[] {
  return hotSetMoveTimes(workload, durationS).map((t) => ({ t, command: HOT_SET_MOVE }));
}

/**
 * Which stretch of time each evaluation of s belongs to: a new one after a write removed the goal
 * and another gave it back, so neither its line nor its target bridges the time it did not exist.
 */
function stretches(s: GoalSeries, writes: readonly PlotWrite[]): number[] {
  const life = lifeOf(s.head, writes, undefined);
  let k = 0;
  return s.recs.map((r, i) => (i > 0 && life.cameBack(s.recs[i - 1].t, r.t) ? ++k : k));
}

/** The writes to g's context (a write without kdamond or ctx is to the first). */
function contextWrites(g: GoalId, writes: readonly PlotWrite[]): PlotWrite[] {
  return writes.filter((w) => (w.kdamond ?? 0) === g.kdamond && (w.ctx ?? 0) === g.ctx);
}

/** The goal's view of its context's writes (GoalLife). */
function lifeOf(g: GoalId, writes: readonly PlotWrite[], initiallyPresent: boolean | undefined): GoalLife {
  return new GoalLife(
    contextWrites(g, writes),
    g.scheme,
    g.goal,
    initiallyPresent,
  );
}

/**
 * The targets of a goal never evaluated, from 0 to `end`: as the configuration set it, then as each
 * write to its context that recorded the goals (goal_params) left it. A write that removed it (or
 * gave its index another metric or node) ends a stretch, one that gave it back starts one. A write
 * that may have changed it without recording how (a commit in an older timeline) ends what is known.
 */
function configuredTargets(g: ConfiguredGoal, writes: readonly PlotWrite[], end: number): Array<{ t0: number; t1: number; target: number }> {
  const out: Array<{ t0: number; t1: number; target: number }> = [];
  let cur: { t0: number; target: number } | undefined = { t0: 0, target: num(g.target_value) };
  const close = (t: number) => {
    if (cur && t > cur.t0) out.push({ ...cur, t1: t });
    cur = undefined;
  };
  const mine = contextWrites(g, writes).filter((w) => w.t > 0 && w.t < end && w.command !== 'off');
  for (const w of mine.sort((a, b) => a.t - b.t)) {
    if (w.goal_params === undefined) {
      const kept = w.goals === undefined ? undefined : (w.goals[g.scheme] ?? 0) > g.goal;
      // A restart keeps what it does not record; a commit may have set anything.
      if (kept === false || w.command !== 'on') close(w.t);
      if (kept !== false && w.command !== 'on') return out;
      continue;
    }
    const target = recordedTarget(w, g);
    if (target === undefined) close(w.t);
    else if (cur === undefined || cur.target !== target) {
      close(w.t);
      cur = { t0: w.t, target };
    }
  }
  close(end);
  return out;
}

/**
 * Constant-target stretches per goal, drawn as dashed horizontal segments spanning their time. A
 * target a write changed steps at that write (the summary's phases start there too), where the
 * write recorded it (goal_params); else at the first evaluation under the new target.
 */
function targetSegments(s: GoalSeries, part: readonly number[], writes: readonly PlotWrite[]): Array<{ goal: string; t0: number; t1: number; target: number }> {
  const out: Array<{ goal: string; t0: number; t1: number; target: number }> = [];
  const mine = contextWrites(s.head, writes);
  s.recs.forEach((r, i) => {
    const target = num(r.target_value);
    const prev = out[out.length - 1];
    const same = i > 0 && part[i] === part[i - 1];
    if (prev && same && prev.target === target) {
      prev.t1 = r.t;
    } else {
      const at = same ? (targetWrite(mine, s.head, s.recs[i - 1].t, r.t, target) ?? r.t) : r.t;
      if (prev && same) prev.t1 = at;
      out.push({ goal: s.name, t0: at, t1: r.t, target });
    }
  });
  return out;
}

/** The last of `writes` in (from, to] that recorded goal g with this target, or undefined. */
function targetWrite(writes: readonly PlotWrite[], g: ConfiguredGoal, from: number, to: number, target: number): number | undefined {
  let at: number | undefined;
  for (const w of writes) if (w.t > from && w.t <= to && recordedTarget(w, g) === target) at = w.t;
  return at;
}

/** The target a write recorded for goal g (its goal_params), or undefined: none recorded, or its index holds another metric or node. */
function recordedTarget(w: PlotWrite, g: ConfiguredGoal): number | undefined {
  const p = w.goal_params?.[g.scheme]?.[g.goal];
  return p !== undefined && p.metric === g.metric && p.nid === g.nid ? num(p.target_value) : undefined;
}

/**
 * Ground-truth hot share per node in bp of the whole hot set. Only one context's aggregation
 * records are used (the lowest kdamond/ctx): the truth is machine-wide, and interleaving several
 * contexts' samples at slightly different times would draw zigzags that are not in the data.
 */
function hotShare(aggr: AggrRecord[]): SharePoint[] {
  if (aggr.length === 0) return [];
  const first = aggr.reduce((a, b) => (b.kdamond < a.kdamond || (b.kdamond === a.kdamond && b.ctx < a.ctx) ? b : a));
  const recs = aggr.filter((r) => r.kdamond === first.kdamond && r.ctx === first.ctx).sort((a, b) => a.t - b.t);
  const out: SharePoint[] = [];
  for (const r of recs) {
    const sum = r.hot_bytes.reduce((s, x) => s + x, 0);
    // No hot set (e.g. warm-up): the share is undefined, not zero; leave a gap.
    if (sum <= 0) continue;
    r.hot_bytes.forEach((b, n) => out.push({ t: r.t, node: `node ${n}`, bp: Math.round((b * 10000) / sum) }));
  }
  return out;
}

/**
 * The goals' common unit for the value axis, unitOf() of their metrics, as the summary's target row
 * takes it (`_bp`: bp, `_us`: us; user_input has none): " (bp)", or nothing when they differ.
 */
function valueUnit(metrics: readonly string[]): string {
  const units = new Set(metrics.map((m) => unitOf(m).trim()));
  if (units.size === 0) return ' (bp)'; // an empty panel's 0–10000 scale
  const [u] = units;
  return units.size === 1 && u !== '' ? ` (${u})` : '';
}

const WIDTH = 640;
/** Columns of the time axis a series is thinned to (thinSteps()): one per pixel of the plot width. */
const THIN_COLUMNS = WIDTH;

/**
 * The points of a step series (sorted by t) that a chart with `columns` columns over the time axis
 * [t0, t1] can show: in each column the first, the lowest, the highest and the last point, in
 * time order (M4 aggregation). Drawn as a step line, they give every column the vertical extent
 * and the values entering and leaving it that the whole series gives it, so at the chart's
 * resolution the line is the same; a series of at most 4 points per column is returned whole. An
 * hour of aggregations is 36,000 points a node, which made an hour's SVG ~1.7 MB and a day's ~40.
 */
export function thinSteps<T extends { t: number }>(pts: T[], value: (p: T) => number, t0: number, t1: number, columns: number): T[] {
  const n = pts.length;
  if (n <= 4 * columns || !(t1 > t0)) return pts;
  const colOf = (t: number) => Math.min(columns - 1, Math.max(0, Math.floor(((t - t0) / (t1 - t0)) * columns)));
  const out: T[] = [];
  for (let i = 0; i < n; ) {
    const c = colOf(pts[i].t);
    let last = i;
    let lo = i;
    let hi = i;
    while (last + 1 < n && colOf(pts[last + 1].t) === c) {
      last++;
      const v = value(pts[last]);
      if (v < value(pts[lo])) lo = last;
      if (v > value(pts[hi])) hi = last;
    }
    const keep = [i, lo, hi, last].sort((a, b) => a - b);
    keep.forEach((k, j) => {
      if (j === 0 || k !== keep[j - 1]) out.push(pts[k]);
    });
    i = last + 1;
  }
  return out;
}

/** The colour of a chart's lines and targets, one per value of `field` (`names`, in legend order), with the legend below. */
function lineColor(field: 'goal' | 'run', names: readonly string[]) {
  return {
    field,
    type: 'nominal',
    title: `${field} (solid: current, dashed: target)`,
    scale: { domain: names },
    legend: { orient: 'bottom', columns: 1, labelLimit: 0, titleLimit: WIDTH },
  } as const;
}

/** A panel's layers that mark writes (labelRows()'s rows) on the time axis `x`. */
function eventLayers(events: ReadonlyArray<{ t: number; command: string; y: number }>, x: object): object[] {
  return [
    {
      data: { values: events },
      mark: { type: 'rule', color: 'gray', strokeDash: [2, 3] },
      encoding: { x },
    },
    // Names only while they can be told apart (a user_input feed every second cannot). Each is
    // drawn twice: first thick in white, a halo that keeps the name readable where a goal line
    // runs through it (a hot-set move sends the lines to the panel's top, where the names sit).
    ...(events.length <= MAX_EVENT_LABELS
      ? [
          { ...eventLabel(events, x), mark: { ...EVENT_LABEL_MARK, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' } },
          { ...eventLabel(events, x), mark: { ...EVENT_LABEL_MARK, color: 'gray' } },
        ]
      : []),
  ];
}

const EVENT_LABEL_MARK = { type: 'text', align: 'left', baseline: 'top', dx: 3, fontSize: 9 } as const;

/** The data and encoding of eventLayers()'s labels. */
function eventLabel(events: ReadonlyArray<{ t: number; command: string; y: number }>, x: object): object {
  // y in pixels from the top (no scale): labels of writes close in time are stacked.
  return { data: { values: events }, encoding: { x, y: { field: 'y', type: 'quantitative', scale: null }, text: { field: 'command' } } };
}

/** More writes than this are drawn as rules without their command names. */
const MAX_EVENT_LABELS = 8;
const HEIGHT = 260;
const X_TITLE = 'simulated time (s)';

/** Pixel height of one row of write labels (9 px font). */
const LABEL_ROW_PX = 11;

/**
 * Gives each write label (in time order) the first row, from the top, where it does not run into
 * the previous label of that row: writes a few seconds apart would otherwise print over each
 * other. Widths are estimated (5 px per character at 9 px) against the x axis as wide as `tMax`.
 */
function labelRows(events: Array<{ t: number; command: string }>, tMax: number): Array<{ t: number; command: string; y: number }> {
  const secPerPx = tMax > 0 ? tMax / WIDTH : 0;
  const rowEnds: number[] = [];
  return [...events]
    .sort((a, b) => a.t - b.t)
    .map((e) => {
      let row = rowEnds.findIndex((end) => end <= e.t);
      if (row < 0) row = rowEnds.length;
      rowEnds[row] = e.t + (e.command.length * 5 + 8) * secPerPx;
      return { ...e, y: 3 + row * LABEL_ROW_PX };
    });
}

/** What goalPlotSvg() draws from. */
export interface PlotOptions {
  title: string;
  aggr?: AggrRecord[];
  events?: readonly PlotWrite[];
  /** The kdamonds with schemes the scenario configures: with several, goals are labelled by kdamond ("kd1 s0 …", as the summary's rows), evaluated or not. */
  kdamonds?: number;
  /**
   * The goals the scenario configures (its timeline header's `schemes[].goals`): one the run never
   * evaluated (a scheme whose apply interval outlasts the run, a kdamond that never ran) is drawn
   * too, labelled as if it had been and marked NEVER_EVALUATED, with its configured target over the
   * run; and an empty panel says none was evaluated, not that there are none. A bare count (the
   * older form) says only the latter.
   */
  configuredGoals?: number | readonly ConfiguredGoal[];
  /**
   * The run's simulated seconds: the time axis spans them (records of an iteration begun before
   * the end can carry later times). Long lines are thinned only on such an axis: without it vega
   * picks a rounded one, whose pixel columns the thinning could not know.
   */
  durationS?: number;
  /** Draw every point, however many (an SVG to zoom into; an hour's is ~1.7 MB). */
  allPoints?: boolean;
}

/** A goal line's point, and a ground-truth line's. */
export interface GoalPoint {
  goal: string;
  /** The goal's stretch, only when a goal was removed and given back (one line per stretch). */
  part?: number;
  t: number;
  value: number;
}
export interface SharePoint {
  t: number;
  node: string;
  bp: number;
}

/** The configured goals a PlotOptions.configuredGoals lists (none for a bare count). */
function listed(configured: PlotOptions['configuredGoals']): readonly ConfiguredGoal[] {
  return typeof configured === 'object' ? configured : [];
}

/** Whether a PlotOptions.configuredGoals has any goal. */
function anyConfigured(configured: PlotOptions['configuredGoals']): boolean {
  return (typeof configured === 'object' ? configured.length : (configured ?? 0)) > 0;
}

/** Whether goals' labels name their kdamond: the configuration has several with schemes, or the goals (evaluated or configured) come from several. */
function manyKdamondsIn(goals: readonly GoalRecord[], kdamonds: number | undefined, configured: readonly ConfiguredGoal[]): boolean {
  return (kdamonds ?? 0) > 1 || new Set([...goals, ...configured].map((g) => g.kdamond)).size > 1;
}

/** The lines of the plot, each thinned to its pixel columns when the time axis is fixed (thinSteps()). */
export function chartData(goals: GoalRecord[], opts: Omit<PlotOptions, 'title'>) {
  const configured = listed(opts.configuredGoals);
  const series = seriesOf(goals, manyKdamondsIn(goals, opts.kdamonds, configured), configured);
  const labels = series.map((s) => s.name);
  const parts = series.map((s) => stretches(s, opts.events ?? []));
  // Only a goal that was removed and given back has several stretches (other charts stay as they were).
  const split = parts.some((p) => p.length > 0 && p[p.length - 1] > 0);
  const allValues = series.map((s, j) => s.recs.map((r, i): GoalPoint => ({ goal: s.name, ...(split ? { part: parts[j][i] } : {}), t: r.t, value: num(r.current_value) })));
  // The x axis' extent (a loop: spreading hours of records into Math.max overflows the stack).
  let tMax = 0;
  for (const vs of allValues) for (const v of vs) if (v.t > tMax) tMax = v.t;
  for (const a of opts.aggr ?? []) if (a.t > tMax) tMax = a.t;
  // The run's time, where it is known; else the records' (with nothing to plot, vega's scales have
  // no extent and its axes describe themselves as "values from Infinity to −Infinity").
  const fixed = opts.durationS !== undefined && opts.durationS > 0;
  const xDomain = fixed ? [0, opts.durationS as number] : tMax > 0 ? undefined : [0, 1];
  // A goal never evaluated has its configured target over the axis, then those later writes gave it.
  const targets = series.flatMap((s, j) =>
    s.recs.length > 0 ? targetSegments(s, parts[j], opts.events ?? []) : configuredTargets(s.head, opts.events ?? [], xDomain ? xDomain[1] : tMax).map((seg) => ({ goal: s.name, ...seg })),
  );
  const thin = <T extends { t: number }>(line: T[], value: (p: T) => number): T[] =>
    fixed && !opts.allPoints ? thinSteps(line, value, 0, opts.durationS as number, THIN_COLUMNS) : line;
  // Each line (a goal's stretch, a node) thinned on its own, so no column joins two lines.
  const values = allValues.flatMap((vs, j) => {
    const lines = split ? [...new Set(parts[j])].map((p) => vs.filter((v) => v.part === p)) : [vs];
    return lines.flatMap((line) => thin(line, (v) => v.value));
  });
  let share: SharePoint[] | undefined;
  if (opts.aggr) {
    const all = hotShare(opts.aggr);
    share = [...new Set(all.map((d) => d.node))].flatMap((node) => thin(all.filter((d) => d.node === node), (d) => d.bp));
  }
  return { series, labels, split, values, targets, share, tMax, xDomain };
}

/**
 * Renders the goal chart (and, with `aggr`, the hot-share chart below it, sharing the time axis)
 * to an SVG string. Throws if vega reports an error.
 */
export async function goalPlotSvg(goals: GoalRecord[], opts: PlotOptions): Promise<string> {
  const { series, labels, split, values, targets, share, tMax, xDomain } = chartData(goals, opts);
  // Labels are laid out against the axis as drawn.
  const axisEnd = xDomain ? xDomain[1] : tMax;
  const events = labelRows(
    (opts.events ?? []).map((e) => ({ t: e.t, command: e.command })),
    axisEnd,
  );
  const x = { field: 't', type: 'quantitative', title: X_TITLE, ...(xDomain ? { scale: { domain: xDomain, clamp: true } } : {}) } as const;
  // Goals in different units (bp, µs, user_input's plain numbers) get a panel each: on one value
  // axis a bp goal would be a flat line under a µs goal's millions.
  const evaluated = series.some((sr) => sr.recs.length > 0);
  // A goal's unit is its first evaluation's, or its configuration's.
  const unitOfSeries = (sr: GoalSeries) => unitOf((sr.recs[0] ?? sr.head).metric);
  const units = [...new Set(series.map(unitOfSeries))];
  // The metrics a panel's value axis is named by: its goals' records', and a goal never evaluated its configured one.
  const metrics = [...goals.map((g) => g.metric), ...series.filter((sr) => sr.recs.length === 0).map((sr) => sr.head.metric)];
  const goalCharts = (units.length > 1 ? units : [undefined]).map((unit) => {
    const mine = unit === undefined ? undefined : new Set(series.filter((sr) => unitOfSeries(sr) === unit).map((sr) => sr.name));
    const pick = <T extends { goal: string }>(rows: T[]): T[] => (mine ? rows.filter((r) => mine.has(r.goal)) : rows);
    return goalChart(pick(values), pick(targets), mine ? labels.filter((l) => mine.has(l)) : labels, mine ? metrics.filter((m) => unitOf(m) === unit) : metrics, unit);
  });

  /** A goal panel: these goals' lines and target segments; `unit` names the panel when goals of several units are drawn. */
  function goalChart(lines: GoalPoint[], segments: typeof targets, names: string[], panelMetrics: string[], unit: string | undefined) {
    const goalColor = lineColor('goal', names);
    const ofUnit = unit === undefined ? '' : unit === '' ? ' (plain values)' : ` (${unit.trim()})`;
    return {
      width: WIDTH,
      height: HEIGHT,
      // An empty panel says why it is empty (a scenario without goals still plots the ground truth);
      // goals never evaluated have their targets drawn in it.
      title: evaluated
        ? `quota goal: current vs target${ofUnit}`
        : anyConfigured(opts.configuredGoals)
          ? `quota goal: none evaluated in this run${ofUnit}`
          : 'quota goal: none in this run',
      layer: [
        {
          data: { values: lines },
          // The metric holds its value until the next evaluation, so steps, not slopes.
          mark: { type: 'line', interpolate: 'step-after' },
          // One line per stretch the goal existed (detail), in its goal's color.
          encoding: {
            x,
            // Nothing to draw: a bp scale's extent, not none.
            y: { field: 'value', type: 'quantitative', title: `current / target value${valueUnit(panelMetrics)}`, ...(lines.length > 0 || segments.length > 0 ? {} : { scale: { domain: [0, 10000] } }) },
            color: goalColor,
            ...(split ? { detail: { field: 'part', type: 'nominal' } } : {}),
          },
        },
        {
          data: { values: segments },
          mark: { type: 'rule', strokeDash: [6, 4] },
          encoding: {
            x: { ...x, field: 't0' },
            x2: { field: 't1' },
            y: { field: 'target', type: 'quantitative' },
            color: goalColor,
          },
        },
        // Where the run's writes took effect (a target step, a commit, off/on), so a step response
        // can be read from its cause.
        ...(events.length > 0 ? eventLayers(events, x) : []),
      ],
    };
  }

  // The ground truth steps where the hot set moves: those marks go here too (the writes do not).
  const shareChart = share && shareChartOf(share, labelRows(events.filter((e) => e.command === HOT_SET_MOVE), axisEnd), x);
  const panels = [...goalCharts, ...(shareChart ? [shareChart] : [])];
  const spec = (
    panels.length > 1
      ? {
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          title: opts.title,
          background: 'white',
          vconcat: panels,
          // Shared time axis lines the views up; colors mean different things in each (value
          // axes are each panel's own, vega-lite's default for concatenated views).
          resolve: { scale: { x: 'shared', color: 'independent' }, legend: { color: 'independent' } },
        }
      : {
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          background: 'white',
          ...goalCharts[0],
          title: opts.title,
        }
  ) as VegaLite.TopLevelSpec;

  return renderSvg(spec);
}

/** The ground-truth panel: each node's share of the hot set over time, with the hot set's moves marked. */
function shareChartOf(share: ReadonlyArray<{ node: string }>, moves: ReadonlyArray<{ t: number; command: string; y: number }>, x: object): object {
  const line = {
    data: { values: share },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
    encoding: {
      x,
      y: { field: 'bp', type: 'quantitative', title: 'hot share (bp)', scale: { domain: [0, 10000] } },
      color: {
        field: 'node',
        type: 'nominal',
        title: 'node (ground truth)',
        // A different scheme from the goals so a node line is never mistaken for a goal.
        scale: { domain: [...new Set(share.map((d) => d.node))].sort(), scheme: 'dark2' },
        legend: { orient: 'bottom' },
      },
    },
  };
  return {
    width: WIDTH,
    height: HEIGHT,
    title: 'ground truth: hot set share per node',
    ...(moves.length > 0 ? { layer: [line, ...eventLayers(moves, x)] } : line),
  };
}

/** A vega-lite spec as SVG, byte-deterministic (prepareDeterministicRender()); throws what vega reports as an error. */
async function renderSvg(spec: VegaLite.TopLevelSpec): Promise<string> {
  const errors: string[] = [];
  const logger = quietLogger(errors);
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const vgSpec = vegaLite.compile(spec, { logger }).spec;
  const restore = prepareDeterministicRender(vega);
  try {
    const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger });
    try {
      const svg = await view.toSVG();
      if (errors.length > 0) throw new Error(`vega: ${errors.join('; ')}`);
      return svg;
    } finally {
      view.finalize();
    }
  } finally {
    restore();
  }
}

/** One run of a comparison plot (comparePlotSvg()): its name, goal evaluations, writes and length. */
export interface ComparedRun {
  name: string;
  /** Its seed, for the chart's title (comparisonTitle()). */
  seed?: number;
  goals: GoalRecord[];
  /** Its writes that changed the run (PLOT_WRITES): marked, and they split a goal's line where they removed it. */
  events?: readonly PlotWrite[];
  /** Its simulated seconds: the time axis spans the longest run. */
  durationS?: number;
  /** The goals its configuration has, as PlotOptions.configuredGoals: a panel's legend marks the run where it never evaluated the panel's goal. */
  configuredGoals?: number | readonly ConfiguredGoal[];
  /** As PlotOptions.kdamonds. */
  kdamonds?: number;
  /** Its aggregation records: a panel per node draws each run's ground truth (hot set share) there. */
  aggr?: AggrRecord[];
}

/**
 * A comparison chart's title: the runs' names, and their seed where they share one (a sweep's
 * charts, one per seed, are told apart once opened) or each run's where that is not in its name.
 */
export function comparisonTitle(runs: ReadonlyArray<Pick<ComparedRun, 'name' | 'seed'>>): string {
  const seeds = new Set(runs.map((r) => r.seed));
  const [only] = seeds;
  const shared = seeds.size === 1 && only !== undefined ? `, seed ${only}` : '';
  const labels = seeds.size === 1 ? runs.map((r) => r.name) : runs.map((r) => (r.seed === undefined || r.name.endsWith(`seed ${r.seed}`) ? r.name : `${r.name} (seed ${r.seed})`));
  const all = `${labels.join(' vs ')}${shared}`;
  if (all.length <= MAX_TITLE || labels.length < 3) return all;
  // A title does not wrap: a sweep's names, one after another, would widen the chart past reading.
  // The legend names every run; the title names the first and the last, after what they share.
  const common = commonWords(labels);
  const rest = (l: string) => l.slice(common.length).trim();
  const span = `${rest(labels[0])} … ${rest(labels[labels.length - 1])}`;
  return `${common === '' ? '' : `${common.trim()}, `}${labels.length} runs: ${span}${shared}`;
}

/** Longest title comparisonTitle() writes out in full (the chart is WIDTH px wide). */
const MAX_TITLE = 90;

/**
 * The words all labels start with, up to and including the space after the last shared one; a
 * word that only names what follows it ("seed" of "seed 1", "seed 2") stays with the labels.
 */
function commonWords(labels: readonly string[]): string {
  let n = 0;
  while (labels.every((l) => n < l.length && l[n] === labels[0][n])) n++;
  const head = labels[0].slice(0, labels[0].lastIndexOf(' ', n - 1) + 1);
  if (!/^\d/.test(labels[0].slice(head.length))) return head;
  return head.slice(0, head.lastIndexOf(' ', head.length - 2) + 1);
}

/** A comparison panel's point: `part` tells one run's stretches of the goal apart (see stretches()), where any run has several. */
interface ComparedPoint {
  run: string;
  part?: string;
  t: number;
  value: number;
}

/**
 * Several runs' goals compared (the same scenario under two tuners, two profiles, two seeds): a
 * panel per goal, as goalPlotSvg() labels it, with each run's current_value and target in that
 * run's colour, over one time axis. Each panel has its own value axis, so goals of different units
 * sit apart. A run that configures a goal but never evaluated it draws that goal's configured
 * target, and the goal's panel names the run so in its legend; a run with goals, but not a panel's,
 * is named "(not configured)" in that panel's legend. Runs given their aggregation records
 * (`aggr`) get the ground truth below the goals: a panel per node, each run's share of the hot set
 * there.
 */
export async function comparePlotSvg(runs: readonly ComparedRun[], opts: { title: string; allPoints?: boolean }): Promise<string> {
  const durationS = runs.reduce((m, r) => Math.max(m, r.durationS ?? 0), 0);
  // The legend says what a run's missing line would not: that it ended earlier, or had no goal evaluated.
  const lengths = new Set(runs.map((r) => r.durationS ?? 0));
  const names = runs.map(
    (r) => `${r.name}${lengths.size > 1 && r.durationS ? ` (${r.durationS} s)` : ''}${r.goals.length === 0 ? ` (no goal ${anyConfigured(r.configuredGoals) ? 'evaluated' : 'configured'})` : ''}`,
  );
  // A goal is the same panel in every run: label by kdamond if any run has several.
  const manyKdamonds =
    runs.some((r) => manyKdamondsIn(r.goals, r.kdamonds, listed(r.configuredGoals))) ||
    new Set(runs.flatMap((r) => [...r.goals, ...listed(r.configuredGoals)].map((g) => g.kdamond))).size > 1;
  const thin = (line: ComparedPoint[]) => (durationS > 0 && !opts.allPoints ? thinSteps(line, (p) => p.value, 0, durationS, THIN_COLUMNS) : line);
  // The time axis' end: where a goal never evaluated has no run length to end its target at.
  const tMax = durationS > 0 ? durationS : runs.reduce((m, r) => r.goals.reduce((mt, g) => Math.max(mt, g.t), m), 0);
  const panels = new Map<
    string,
    { first: GoalId; metrics: string[]; values: ComparedPoint[]; targets: Array<{ run: string; t0: number; t1: number; target: number }>; neverEvaluated: string[]; runs: Set<string> }
  >();
  // Only where a write removed a goal and another gave it back does a run's line come in parts.
  const seriesRuns = runs.map((run, i) => ({ name: names[i], events: run.events ?? [], series: seriesOf(run.goals, manyKdamonds, listed(run.configuredGoals)) }));
  const parted = seriesRuns.map((r) => r.series.map((s) => stretches(s, r.events)));
  const split = parted.some((ps) => ps.some((parts) => parts.some((p) => p > 0)));
  seriesRuns.forEach(({ name, events, series }, ri) =>
    series.forEach((s, si) => {
      const parts = parted[ri][si];
      let panel = panels.get(s.label);
      if (!panel) panels.set(s.label, (panel = { first: s.head, metrics: [], values: [], targets: [], neverEvaluated: [], runs: new Set() }));
      panel.runs.add(name);
      if (s.recs.length === 0) {
        // Configured, never evaluated: its target over the run, and a word in the legend (unless
        // the run's name already says it evaluated no goal).
        panel.metrics.push(s.head.metric);
        panel.targets.push(...configuredTargets(s.head, events, runs[ri].durationS || (tMax > 0 ? tMax : 1)).map((seg) => ({ run: name, ...seg })));
        if (runs[ri].goals.length > 0) panel.neverEvaluated.push(name);
        return;
      }
      panel.metrics.push(...s.recs.map((r) => r.metric));
      const points = s.recs.map((r, i): ComparedPoint => ({ run: name, ...(split ? { part: `${name}/${parts[i]}` } : {}), t: r.t, value: num(r.current_value) }));
      // Each stretch thinned on its own, so no pixel column joins two.
      for (const part of new Set(parts)) panel.values.push(...thin(points.filter((_, i) => parts[i] === part)));
      panel.targets.push(...targetSegments(s, parts, events).map(({ t0, t1, target }) => ({ run: name, t0, t1, target })));
    }),
  );
  const events = labelRows(sameWritesOnce(runs.flatMap((r) => r.events ?? []), tMax), tMax);
  const x = { field: 't', type: 'quantitative', title: X_TITLE, ...(durationS > 0 ? { scale: { domain: [0, durationS], clamp: true } } : {}) } as const;
  const runColor = lineColor('run', names);
  // Where runs draw the same values (a shared target, a user_input feed, identical stretches) the
  // later one would hide the earlier: each is drawn thinner than the one before, so both show.
  const runWidth = { field: 'run', type: 'nominal', scale: { domain: names, range: names.map((_, i) => 1.5 + (1.5 * (names.length - 1 - i)) / Math.max(1, names.length - 1)) }, legend: null } as const;
  const marks = events.length > 0 ? eventLayers(events, x) : [];
  // A run whose configuration lists goals, not a panel's, and which never evaluated that one lists
  // in the panel's legend with no line there: it says so. (Only a list can tell: a count cannot say
  // which goals; a run with no goal at all says it in its name, above.)
  const withGoals = names.filter((_, i) => listed(runs[i].configuredGoals).length > 0);
  const marked = (p: { neverEvaluated: string[]; runs: Set<string> }) => [
    ...p.neverEvaluated.map((n) => [n, n + NEVER_EVALUATED]),
    ...withGoals.filter((n) => !p.runs.has(n)).map((n) => [n, n + NOT_CONFIGURED]),
  ];
  // Where a panel marks a run so, every panel has a legend of its own (the colours stay shared),
  // which names that run with NEVER_EVALUATED or NOT_CONFIGURED in that panel; else one legend serves all.
  const perPanelLegend = [...panels.values()].some((p) => marked(p).length > 0);
  const colorOf = (marks: readonly string[][]) =>
    marks.length === 0
      ? runColor
      : {
          ...runColor,
          legend: {
            ...runColor.legend,
            labelExpr: marks.reduce((e, [n, label]) => `datum.label === ${JSON.stringify(n)} ? ${JSON.stringify(label)} : ${e}`, 'datum.label'),
          },
        };
  const views = [...panels.entries()]
    .sort(([la, a], [lb, b]) => cmpGoal(a.first, b.first) || (la < lb ? -1 : la > lb ? 1 : 0))
    .map(([label, p]) => {
      const color = colorOf(marked(p));
      return {
        width: WIDTH,
        height: HEIGHT,
        title: label,
        layer: [
          {
            data: { values: p.values },
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: { x, y: { field: 'value', type: 'quantitative', title: `current / target value${valueUnit(p.metrics)}` }, color, strokeWidth: runWidth, ...(split ? { detail: { field: 'part', type: 'nominal' } } : {}) },
          },
          {
            data: { values: p.targets },
            mark: { type: 'rule', strokeDash: [6, 4] },
            encoding: { x: { ...x, field: 't0' }, x2: { field: 't1' }, y: { field: 'target', type: 'quantitative' }, color, strokeWidth: runWidth },
          },
          ...marks,
        ],
      };
    });
  // The ground truth, a panel per node with each run's line: where the runs placed the hot set,
  // the one thing a change of the goal metric leaves comparable (docs/trying-a-change.md).
  const truth = runs.flatMap((r, i) => (r.aggr ? hotShare(r.aggr).map((d) => ({ run: names[i], node: d.node, t: d.t, value: d.bp })) : []));
  const truthViews = [...new Set(truth.map((d) => d.node))].sort().map((node) => ({
    width: WIDTH,
    height: HEIGHT,
    title: `ground truth: ${node}'s share of the hot set`,
    layer: [
      {
        data: { values: names.flatMap((n) => thin(truth.filter((d) => d.node === node && d.run === n).map(({ run, t, value }) => ({ run, t, value })))) },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: 'hot share (bp)', scale: { domain: [0, 10000] } }, color: runColor, strokeWidth: runWidth },
      },
      ...marks,
    ],
  }));
  // Without a goal in any run, one empty panel says so (its axes still need an extent).
  const configured = runs.some((r) => anyConfigured(r.configuredGoals));
  const shown =
    views.length > 0
      ? views
      : [
          {
            width: WIDTH,
            height: HEIGHT,
            title: `quota goal: none ${configured ? 'evaluated ' : ''}in these runs`,
            data: { values: [{ t: 0, value: 0 }] },
            mark: { type: 'point', opacity: 0 },
            encoding: { x: { ...x, scale: { domain: durationS > 0 ? [0, durationS] : [0, 1] } }, y: { field: 'value', type: 'quantitative', title: 'current / target value', scale: { domain: [0, 10000] } } },
          },
        ];
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title,
    background: 'white',
    vconcat: [...shown, ...truthViews],
    resolve: { scale: { x: 'shared', color: 'shared' }, ...(perPanelLegend ? { legend: { color: 'independent' } } : {}) },
  } as VegaLite.TopLevelSpec);
}

/**
 * Writes of several runs as one set of marks: the same command within one pixel column of another
 * is one mark (the runs' copies of one scheduled write land microseconds apart), the earliest.
 */
function sameWritesOnce(writes: readonly PlotWrite[], tMax: number): Array<{ t: number; command: string }> {
  const px = tMax > 0 ? tMax / WIDTH : 0;
  const out: Array<{ t: number; command: string }> = [];
  // Each command's last mark kept: the writes come in time order.
  const last = new Map<string, number>();
  for (const w of [...writes].sort((a, b) => a.t - b.t || (a.command < b.command ? -1 : a.command > b.command ? 1 : 0))) {
    const t = last.get(w.command);
    if (t !== undefined && w.t - t < px) continue;
    last.set(w.command, w.t);
    out.push({ t: w.t, command: w.command });
  }
  return out;
}
