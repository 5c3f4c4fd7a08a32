// SPDX-License-Identifier: GPL-2.0-only
/**
 * Seed sweeps (`damon-sim run --seeds 1-8`): one scenario run once per seed, summarised per quota
 * goal with one row per seed and a line over all of them, so a convergence claim can be judged on
 * more than one draw of the randomness (sampling addresses, splits, the workload).
 *
 * Pure functions of the per-run summaries: the same runs always give the same table bytes.
 */
import { median, spread } from '../lib/stats.js';
import { DEFAULT_TOLERANCE, cmpGoal, entryKey, fmtNum, fmtPct, fmtTime, formatBytesHuman, phaseNote, physBytes, schemeKey, sharedTitleStart, type SchemeStats, type SchemeSummary } from './summary.js';

/** One run of the sweep: its seed, its summary entries and its schemes' stats (run.ts's RunResult). */
export interface SweepRun {
  seed: number;
  summary: readonly SchemeSummary[];
  /** The schemes' DAMOS stats at the end: what a sweep without quota goals compares. */
  stats?: readonly SchemeStats[];
}

/** The sweep over all seeds for one summary entry (a goal, or a goal's phase). */
export interface SweepGoal {
  /** The entry as the first run that has it describes it (label, metric, nid, target, phase). */
  entry: SchemeSummary;
  /** Per seed, in sweep order; null where that run has no such entry. */
  perSeed: Array<{ seed: number; s: SchemeSummary | null }>;
  /** Runs whose second-half mean is within the tolerance of the target. */
  meanWithin: number;
  /** Runs that reached the target at all. */
  reached: number;
  /** Median of the times to target over the runs that reached it (null: none did). */
  medianTimeToTargetS: number | null;
  /** Runs that ended settled within the tolerance (SchemeSummary.settledS), and their median time to settle; null where no run's summary records it (older timelines). */
  settled: number | null;
  medianSettledS: number | null;
  /** Mean, min and max of the second-half means (null: no run had a second half). */
  meanOfMeans: number | null;
  minMean: number | null;
  maxMean: number | null;
  /** Mean of the second-half standard deviations: a mean near the target can hide a wide swing. */
  meanSd: number | null;
  /** Mean share of the second half's time spent within the tolerance of the target (of its evaluations, for timelines without the time share). */
  meanInBand: number | null;
  /** Runs that have this entry. */
  runs: number;
}

/** The band the runs' summaries judged by (run --tolerance; the same in every run of a sweep). */
function toleranceOf(runs: readonly SweepRun[]): number {
  return runs.find((r) => r.summary.length > 0)?.summary[0].tolerance ?? DEFAULT_TOLERANCE;
}

/** Per summary entry, the runs side by side and what they add up to. */
export function sweepGoals(runs: readonly SweepRun[], toleranceBp = toleranceOf(runs)): SweepGoal[] {
  const first = new Map<string, SchemeSummary>();
  for (const r of runs) for (const s of r.summary) if (!first.has(entryKey(s))) first.set(entryKey(s), s);
  return [...first.values()].sort(cmpGoal).map((entry) => {
    const k = entryKey(entry);
    const perSeed = runs.map((r) => ({ seed: r.seed, s: r.summary.find((x) => entryKey(x) === k) ?? null }));
    const have = perSeed.flatMap((p) => (p.s ? [p.s] : []));
    const means = have.flatMap((s) => (s.meanSecondHalf === null ? [] : [s.meanSecondHalf]));
    const sds = have.flatMap((s) => (s.stddevSecondHalf === null ? [] : [s.stddevSecondHalf]));
    // == null: summaries read back from timelines written before the field existed lack it. The
    // line says how much of the second half the goal held: its time share, where recorded.
    const bands = have.flatMap((s) => {
      const b = s.inBandOverTimeSecondHalf ?? s.inBandSecondHalf;
      return b == null ? [] : [b];
    });
    const times = have.flatMap((s) => (s.timeToTargetS === null ? [] : [s.timeToTargetS]));
    const settles = have.flatMap((s) => (s.settledS == null ? [] : [s.settledS]));
    const ofMeans = spread(means);
    return {
      entry,
      perSeed,
      meanWithin: have.filter((s) => s.meanSecondHalf !== null && Math.abs(s.meanSecondHalf - Number(s.target)) <= toleranceBp).length,
      reached: times.length,
      medianTimeToTargetS: median(times),
      settled: have.some((s) => s.settledS !== undefined) ? settles.length : null,
      medianSettledS: median(settles),
      meanOfMeans: ofMeans?.mean ?? null,
      minMean: ofMeans?.min ?? null,
      maxMean: ofMeans?.max ?? null,
      meanSd: spread(sds)?.mean ?? null,
      meanInBand: spread(bands)?.mean ?? null,
      runs: have.length,
    };
  });
}

const f1 = (x: number | null | undefined) => fmtNum(x, 1);
const f3 = (x: number | null | undefined) => fmtNum(x, 3);

/**
 * The sweep as text: per summary entry a header, one row per seed (time to target, time to settle,
 * second-half mean ± sd, min / max, ground truth's mean ± sd and mean over time, bytes applied) and an "all seeds" line.
 */
export function formatSweepTable(title: string, runs: readonly SweepRun[], toleranceBp = toleranceOf(runs)): string {
  const goals = sweepGoals(runs, toleranceBp);
  if (goals.length === 0) return formatSweepStats(title, runs);
  const head = ['seed', `time to ±${toleranceBp}`, 'to settle', 'mean ± sd, 2nd half', 'min / max', `time in ±${toleranceBp}`, 'true share ± sd', 'over time', 'applied'];
  const lines: string[] = [];
  for (const g of goals) {
    const e = g.entry;
    const rows = g.perSeed.map(({ seed, s }) =>
      s === null
        ? [String(seed), '-', '-', '-', '-', '-', '-', '-', '-']
        : [
            String(seed),
            fmtTime(s.timeToTargetS),
            // Timelines from before the settle time was recorded have none ('-').
            fmtTime(s.settledS),
            s.meanSecondHalf === null ? '-' : `${f1(s.meanSecondHalf)} ± ${f1(s.stddevSecondHalf)}`,
            s.minSecondHalf === null ? '-' : `${s.minSecondHalf} / ${s.maxSecondHalf}`,
            // The time share where recorded, as the line over the seeds averages it.
            fmtPct(s.inBandOverTimeSecondHalf ?? s.inBandSecondHalf),
            // The truth's sd beside its mean, as in a run's summary: under CONSIST the placement
            // itself swings (findings.md §1), which the mean alone hides.
            s.truthMeanSecondHalf == null ? '-' : `${f1(s.truthMeanSecondHalf)}${s.truthStddevSecondHalf == null ? '' : ` ± ${f1(s.truthStddevSecondHalf)}`}`,
            // Its mean over time (SchemeSummary.truthMeanOverTimeSecondHalf): the two part where
            // the kdamond's own work stretched aggregations (a developer's review: 5253 against 5747).
            s.truthMeanOverTimeSecondHalf == null ? '-' : f1(s.truthMeanOverTimeSecondHalf),
            formatBytesHuman(physBytes(s.szApplied, s)),
          ],
    );
    if (lines.length > 0) lines.push('');
    lines.push(`${title}: ${e.label}${phaseNote(g.perSeed.flatMap(({ s }) => (s === null ? [] : [s])))} (${e.metric} nid ${e.nid}, target ${e.target})`);
    lines.push(...tableLines(head, rows));
    // How long the goal stayed within the band leads: a mean within it may be an oscillation's
    // average (CONSIST's, findings.md §1), which only the time within and the sd tell apart.
    // (Timelines from before the in-band share was recorded have none to lead with.)
    const inBand = g.meanOfMeans === null || g.meanInBand === null ? null : `within ±${toleranceBp} of ${e.target} for ${fmtPct(g.meanInBand)} of the second half on average (sd within a run ${f1(g.meanSd)} on average); `;
    const means = `second-half mean within ±${toleranceBp}${inBand === null ? ` of ${e.target}` : ''} in ${g.meanWithin}/${g.runs}`;
    lines.push(
      `${g.runs === 1 ? 'the 1 seed' : `all ${g.runs} seeds`}: ${inBand ?? ''}` +
        (g.meanOfMeans === null ? `${means}; no second-half evaluations to average; ` : `${means} (means ${f1(g.meanOfMeans)} on average, ${f1(g.minMean)}–${f1(g.maxMean)}); `) +
        `target reached in ${g.reached}/${g.runs}${g.medianTimeToTargetS === null ? '' : `, median after ${f3(g.medianTimeToTargetS)} s`}` +
        (g.settled === null ? '' : `; settled in ${g.settled}/${g.runs}${g.medianSettledS === null ? '' : `, median after ${f3(g.medianSettledS)} s`}`),
    );
  }
  return lines.join('\n') + '\n';
}

/** A sweep to compare: its scenario's name and its runs. */
export interface NamedSweep {
  title: string;
  runs: readonly SweepRun[];
}

/** What a paired row compares of one entry: the truth over time where there is one, else the metric; the time in band; the steady state's cost. */
function pairedFigures(s: SchemeSummary): { placed: number | null; inBand: number | null; perHour: number | null } {
  return {
    placed: s.truthMeanOverTimeSecondHalf ?? s.truthMeanSecondHalf ?? s.meanOverTimeSecondHalf ?? s.meanSecondHalf,
    inBand: s.inBandOverTimeSecondHalf ?? s.inBandSecondHalf,
    perHour: s.szAppliedPerHourSecondHalf ?? null,
  };
}

/**
 * Two sweeps of the same seeds side by side, seed by seed (`report summary --sweep BASE VARIANT`):
 * a change is judged against the kernel's behaviour on the same draws of the randomness, where two
 * tables one after the other left it to the eye. Per goal both have: each shared seed's ground
 * truth over the second half's time (the metric's mean for goals without one: a variant of the
 * metric changes what the metric measures, not the truth), time share in the band and migration
 * cost per hour in both runs, and which came closer to the target; then the differences over the
 * seeds. Empty when the sweeps share no seed or goal.
 */
export function formatPairedSweeps(base: NamedSweep, variant: NamedSweep): string {
  const seeds = base.runs.map((r) => r.seed).filter((seed) => variant.runs.some((r) => r.seed === seed));
  if (seeds.length === 0) return '';
  const tol = toleranceOf(base.runs);
  const entries = sweepGoals(base.runs).map((g) => g.entry);
  // Each side by what sets it apart ("temporal", "consist"), as the comparison table heads its columns.
  const shared = sharedTitleStart([base.title, variant.title]).length;
  const [nameA, nameB] = [base.title.slice(shared), variant.title.slice(shared)];
  const lines: string[] = [];
  for (const e of entries) {
    const pairs = seeds.flatMap((seed) => {
      const a = base.runs.find((r) => r.seed === seed)?.summary.find((x) => entryKey(x) === entryKey(e));
      const b = variant.runs.find((r) => r.seed === seed)?.summary.find((x) => entryKey(x) === entryKey(e));
      return a && b ? [{ seed, a: pairedFigures(a), b: pairedFigures(b) }] : [];
    });
    if (pairs.length === 0) continue;
    const truth = e.truthMeanSecondHalf !== undefined;
    const target = Number(e.target);
    const off = (x: number | null) => (x === null ? null : Math.abs(x - target));
    const closer = (a: number | null, b: number | null) => (a === null || b === null ? '-' : off(b)! < off(a)! ? nameB : off(a)! < off(b)! ? nameA : 'same');
    const arrow = (a: string, b: string) => `${a} → ${b}`;
    const perHour = (x: number | null, s: SchemeSummary) => (x === null ? '-' : `${formatBytesHuman(physBytes(x, s))}/h`);
    const head = ['seed', truth ? 'true share, over time' : 'mean, over time', 'Δ', `time in ±${tol}`, 'applied per hour, 2nd half', 'closer'];
    const rows = pairs.map(({ seed, a, b }) => [
      String(seed),
      arrow(f1(a.placed), f1(b.placed)),
      a.placed === null || b.placed === null ? '-' : `${b.placed >= a.placed ? '+' : ''}${f1(b.placed - a.placed)}`,
      arrow(fmtPct(a.inBand), fmtPct(b.inBand)),
      arrow(perHour(a.perHour, e), perHour(b.perHour, e)),
      closer(a.placed, b.placed),
    ]);
    if (lines.length > 0) lines.push('');
    lines.push(`${variant.title} against ${base.title}, paired by seed: ${e.label}${phaseNote([e])} (${e.metric} nid ${e.nid}, target ${e.target})`);
    lines.push(...tableLines(head, rows));
    const deltas = pairs.flatMap(({ a, b }) => (a.placed === null || b.placed === null ? [] : [b.placed - a.placed]));
    const moved = spread(deltas);
    const band = spread(pairs.flatMap(({ a, b }) => (a.inBand === null || b.inBand === null ? [] : [b.inBand - a.inBand])))?.mean;
    const nearer = rows.filter((r) => r[5] === nameB).length;
    const farther = rows.filter((r) => r[5] === nameA).length;
    const n = pairs.length;
    lines.push(
      `${n === 1 ? 'the 1 seed' : `the ${n} seeds`}: ${nameB} came closer to ${e.target} ${truth ? 'in the true share' : 'in the mean'} on ${nearer}, ${nameA} on ${farther}` +
        (moved === undefined ? '' : `; from ${nameA} to ${nameB} the ${truth ? 'true share' : 'mean'} moved by ${moved.mean >= 0 ? '+' : ''}${f1(moved.mean)}${deltas.length > 1 ? ` on average (sd ${f1(moved.sd)} over the seeds)` : ''}`) +
        (band === undefined ? '' : `, the time in band by ${band >= 0 ? '+' : ''}${f1(band * 100)} points`),
    );
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/**
 * A sweep of a scenario without quota goals (DAMON_RECLAIM, a stat scheme): per scheme, one row per
 * seed with its DAMOS stats at the end, and the spread of the bytes applied over the seeds.
 */
function formatSweepStats(title: string, runs: readonly SweepRun[]): string {
  const schemes = new Map<string, SchemeStats>();
  for (const r of runs) for (const st of r.stats ?? []) if (!schemes.has(schemeKey(st))) schemes.set(schemeKey(st), st);
  if (schemes.size === 0) return `${title}: (no schemes)\n`;
  const head = ['seed', 'tried', 'applied', 'qt_exceeds'];
  const lines: string[] = [];
  for (const [key, first] of schemes) {
    const per = runs.map((r) => ({ seed: r.seed, st: r.stats?.find((x) => schemeKey(x) === key) ?? null }));
    const cell = (n: number, sz: number, of: SchemeStats) => `${n} (${formatBytesHuman(physBytes(sz, of))})`;
    const rows = per.map(({ seed, st }) => (st === null ? [String(seed), '-', '-', '-'] : [String(seed), cell(st.nrTried, st.szTried, st), cell(st.nrApplied, st.szApplied, st), String(st.qtExceeds)]));
    if (lines.length > 0) lines.push('');
    lines.push(`${title}: ${first.label} (no quota goals: DAMOS stats at the end)`);
    lines.push(...tableLines(head, rows));
    const applied = per.flatMap(({ st }) => (st === null ? [] : [physBytes(st.szApplied, st)]));
    const mean = applied.reduce((a, b) => a + b, 0) / applied.length;
    lines.push(
      `${applied.length === 1 ? 'the 1 seed' : `all ${applied.length} seeds`}: applied ${formatBytesHuman(mean)} on average (${formatBytesHuman(Math.min(...applied))}–${formatBytesHuman(Math.max(...applied))}), ` +
        `something applied in ${applied.filter((b) => b > 0).length}/${applied.length}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** A seed table: its head, a rule, and its rows, each column right-aligned (the seed column two spaces narrower). */
function tableLines(head: readonly string[], rows: readonly string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padStart(w[i]) : c.padStart(w[i] + 2))).join('');
  return [fmt(head), '-'.repeat(fmt(head).length), ...rows.map(fmt)];
}

/**
 * `--seeds` values: comma-separated seeds and inclusive ranges (`1-8`, `1,2,42`, `1-4,42`), in the
 * order given, each once. Returns the problem as a string instead of throwing.
 */
export function parseSeedList(text: string, max = 1000): number[] | string {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return `expected seeds and ranges such as "1-8" or "1,2,42"; found ${JSON.stringify(text)}`;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return `expected seeds below 2^53; found ${JSON.stringify(part.trim())}`;
    if (b < a) return `expected a range low-high; found ${JSON.stringify(part.trim())}`;
    if (b - a + 1 + out.length > max) return `expected at most ${max} seeds; found more in ${JSON.stringify(text)}`;
    for (let s = a; s <= b; s++) {
      if (out.includes(s)) return `expected each seed once; found ${s} again in ${JSON.stringify(text)}`;
      out.push(s);
    }
  }
  return out;
}
