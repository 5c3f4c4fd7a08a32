// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damo report damon` text (damo-formats.md §1.6 notes, §3.4): kdamond / context / targets /
 * intervals / nr_regions / schemes with action, access pattern, destinations, quotas, goals,
 * goal tuner, priority weights, watermarks and filters; after a run, the state line, each
 * scheme's statistics and tried regions, and each goal's measured current value, which a real
 * kernel does not report (damo shows the sysfs file, 0 for kernel-measured metrics) — the output
 * says so where it prints one.
 *
 * Layout and number formatting follow damo's to_str() methods, including two of its quirks: the
 * statistics repeat the "passed filters" size on a line of its own, and the fail-charge line ends
 * with a slash. Percentages keep their fraction ("5.5 %"; damo truncates them).
 */
import { si } from '../damon/attrs.js';
import type { DamonCtx } from '../damon/ctx.js';
import { DamosWalk } from '../damos/walk.js';
import { measuresMemcg, measuresNode } from '../damos/scheme.js';
import { formatDamoPrinted, type DamoCompat } from '../formats/damo/emit.js';
import { compatDropsNid } from '../formats/damo/kdamonds.js';
import { formatBytesAccurate, formatPercent, isMigrateAction, type DamoAge, type DamoContext, type DamoFilter, type DamoGoal, type DamoKdamond, type DamoNrAccesses, type DamoScheme } from '../formats/damo/tree.js';
import { ULONG_MAX, formatBytes, formatNumber, formatRatio, formatTimeExact, formatTimeShort } from '../formats/damo/units.js';
import type { Simulation } from '../run/simulation.js';
import type { KdamondParams, Scenario } from '../scenario/model.js';

export interface TriedRegion {
  start: bigint;
  end: bigint;
  nrAccesses: number;
  age: number;
  szFilterPassed: bigint;
}

export interface SchemeRuntime {
  /** nrSnapshots and maxNrSnapshots are null on a kernel without their files (switch maxNrSnapshotsFile). */
  stats: { nrTried: bigint; szTried: bigint; nrApplied: bigint; szApplied: bigint; szOpsFilterPassed: bigint; qtExceeds: bigint; nrSnapshots: bigint | null; maxNrSnapshots: bigint | null };
  effectiveSzBytes: bigint;
  /**
   * Per configured goal: the kernel-side current value, null when the kernel dropped the goal
   * (target 0), or 'unmeasured' while the scheme has not started a charge window (nothing
   * evaluated the goal yet).
   */
  goalCurrent: Array<bigint | null | 'unmeasured'>;
  /** Regions the scheme tried in one apply pass (update_schemes_tried_regions), or null if not collected. */
  triedRegions: TriedRegion[] | null;
}

export interface ContextRuntime {
  /** The intervals now (auto-tuned ones included), as update_tuned_intervals shows them. */
  sampleUs: bigint;
  aggrUs: bigint;
  schemes: SchemeRuntime[];
}

export interface KdamondRuntime {
  state: 'on' | 'off';
  contexts: ContextRuntime[];
}

export interface DamonReportOptions {
  /** Live state after a run; without it only the parameters are printed (damo's params-only view). */
  runtime?: KdamondRuntime[];
  /** upstream: like upstream damo v3.3, show no nid for node_eligible_mem_bp goals. */
  compat?: DamoCompat;
  /** Raw numbers (damo --raw). */
  raw?: boolean;
  /**
   * damo report damon --damon_params: the quota line without the effective size (damo's
   * DamosQuotas.to_str(params_only)), which `damo args damon --format report` does show.
   */
  paramsOnly?: boolean;
}

/** What the text shows besides the parameters: the goal spelling, and whether it is the params-only view. */
type View = Pick<DamonReportOptions, 'compat' | 'paramsOnly'>;

const ind = (text: string, n = 4): string =>
  text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

interface Fmt {
  nr: (x: bigint | number) => string;
  sz: (x: bigint | number) => string;
  us: (x: bigint) => string;
  usExact: (x: bigint) => string;
  ms: (x: bigint) => string;
  permil: (x: bigint) => string;
  bp: (x: bigint) => string;
  /** A percent access-rate bound (raw: without thousands separators, as the raw tree prints it). */
  percent: (x: number) => string;
}

function fmtFor(raw: boolean): Fmt {
  if (raw) {
    const s = (x: bigint | number) => String(x);
    return { nr: s, sz: s, us: s, usExact: s, ms: s, permil: s, bp: s, percent: (x) => formatPercent(x, true) };
  }
  return {
    nr: (x) => formatNumber(x),
    sz: (x) => formatBytes(x),
    us: (x) => formatTimeShort(x, 'us'),
    usExact: (x) => formatTimeExact(x, 'us'),
    ms: (x) => formatTimeShort(x, 'ms'),
    permil: (x) => formatRatio(x, 'permil'),
    bp: (x) => formatRatio(x, 'bp'),
    percent: (x) => formatPercent(x),
  };
}

const addrRange = (f: Fmt, s: bigint, e: bigint): string => `[${f.nr(s)}, ${f.nr(e)}) (${f.sz(e - s)})`;

function nrAccessesText(f: Fmt, v: DamoNrAccesses, which: 'min' | 'max'): string {
  return v.unit === 'percent' ? f.percent(v[which]) : `${f.nr(v[which])} samples`;
}

function ageText(f: Fmt, v: DamoAge, which: 'min' | 'max'): string {
  return v.unit === 'usec' ? f.usExact(v[which]) : `${f.nr(v[which])} aggr_intervals`;
}

function goalLine(f: Fmt, g: DamoGoal, idx: number, compat: DamoCompat | undefined, measured: bigint | null | 'unmeasured' | undefined): string {
  const words: string[] = [];
  const showsNid = measuresNode(g.metric) && !compatDropsNid(g.metric, compat);
  if (showsNid) words.push(g.nid === null ? 'nid unset: node 0' : `nid ${f.nr(g.nid)}`);
  if (measuresMemcg(g.metric)) words.push(`memcg ${g.memcgPath ?? ''}`);
  const metric = words.length > 0 ? `${g.metric} (${words.join(', ')})` : g.metric;
  let current = f.nr(g.currentValue);
  if (measured === null) current += ' (goal dropped by the kernel: target_value 0)';
  else if (measured === 'unmeasured' && g.metric !== 'user_input') current += ' (not measured yet: the scheme has not been applied)';
  else if (measured !== undefined && measured !== 'unmeasured' && g.metric !== 'user_input') current = `${f.nr(measured)} (measured by damon-sim; a real kernel does not report it)`;
  return `goal ${idx}: metric ${metric} target ${f.nr(g.targetValue)} current ${current}`;
}

function filterLine(f: Fmt, x: DamoFilter): string {
  const words = [x.allow ? 'allow' : 'reject'];
  if (!x.matching) words.push('none');
  words.push(x.type);
  if (x.type === 'memcg') words.push(x.memcgPath ?? '');
  if (x.type === 'addr' && x.addressRange) words.push(addrRange(f, x.addressRange.start, x.addressRange.end));
  if (x.type === 'target' && x.damonTargetIdx !== null) words.push(f.nr(x.damonTargetIdx));
  if (x.type === 'hugepage_size' && x.hugepageSize) words.push(`[${f.sz(x.hugepageSize[0])}, ${f.sz(x.hugepageSize[1])}]`);
  return words.join(' ');
}

function schemeText(f: Fmt, s: DamoScheme, rt: SchemeRuntime | undefined, view: View): string {
  const lines: string[] = [];
  let action = `action: ${s.action}`;
  if (isMigrateAction(s.action)) action += ` to node ${s.targetNid ?? 'none'}`;
  action += s.applyIntervalUs !== 0n ? ` per ${f.us(s.applyIntervalUs)}` : ' per aggr interval';
  lines.push(action);
  lines.push('target access pattern');
  const p = s.pattern;
  lines.push(
    ind(
      [
        `sz: [${f.sz(p.sz[0])}, ${f.sz(p.sz[1])}]`,
        `nr_accesses: [${nrAccessesText(f, p.nrAccesses, 'min')}, ${nrAccessesText(f, p.nrAccesses, 'max')}]`,
        `age: [${ageText(f, p.age, 'min')}, ${ageText(f, p.age, 'max')}]`,
      ].join('\n'),
    ),
  );
  for (const d of s.dests) lines.push(`dest ${d.id} weight ${d.weight}`);
  const q = s.quotas;
  // damo prints the time quota through its ns formatter: "max" once it reaches ULONG_MAX ns.
  const timeNs = q.timeMs * 1_000_000n;
  const time = f === FMT_RAW ? String(q.timeMs) : timeNs >= ULONG_MAX ? 'max' : formatTimeShort(timeNs, 'ns');
  // The effective size quota is the kernel's (0 until a kdamond runs), as in damo's §1.6 report.
  const effective = view.paramsOnly ? '' : ` / ${f.sz(rt?.effectiveSzBytes ?? q.effectiveSzBytes)}`;
  const ql: string[] = [`${time} / ${f.sz(q.szBytes)}${effective} per ${f.ms(q.resetIntervalMs)}`];
  if (q.failChargeDenom !== 0n) ql.push(`fail charge ratio: ${q.failChargeNum}/${q.failChargeDenom}/`);
  q.goals.forEach((g, gi) => ql.push(goalLine(f, g, gi, view.compat, rt ? rt.goalCurrent[gi] : undefined)));
  if (q.goals.length > 0) ql.push(`goal tuner: ${q.goalTuner}`);
  ql.push(`priority: sz ${f.permil(q.weights.sz)}, nr_accesses ${f.permil(q.weights.nrAccesses)}, age ${f.permil(q.weights.age)}`);
  lines.push('quotas', ind(ql.join('\n')));
  const w = s.wmarks;
  lines.push('watermarks', ind(`metric ${w.metric}, interval ${f.us(w.intervalUs)}\n${f.permil(w.high)}, ${f.permil(w.mid)}, ${f.permil(w.low)}`));
  s.filters.forEach((x, i) => lines.push(`filter ${i}`, ind(filterLine(f, x))));
  if (rt) {
    const st = rt.stats;
    lines.push(
      'statistics',
      ind(
        [
          `tried ${f.nr(st.nrTried)} times (${f.sz(st.szTried)})`,
          `applied ${f.nr(st.nrApplied)} times (${f.sz(st.szApplied)})`,
          `${f.sz(st.szOpsFilterPassed)} passed filters`,
          `quota exceeded ${st.qtExceeds} times`, // damo's '%d', no separators, raw or not
          f.sz(st.szOpsFilterPassed), // damo prints the passed size again on a line of its own (damo-formats.md: an upstream quirk)
          // A kernel without the snapshot files has no such line to show.
          ...(st.nrSnapshots === null || st.maxNrSnapshots === null ? [] : [`tried ${f.nr(st.nrSnapshots)} snapshots (max ${f.nr(st.maxNrSnapshots)})`]),
        ].join('\n'),
      ),
    );
    if (rt.triedRegions !== null) {
      const total = rt.triedRegions.reduce((a, r) => a + (r.end - r.start), 0n);
      lines.push(`tried regions (${f.sz(total)})`);
      for (const r of rt.triedRegions)
        lines.push(ind(`${addrRange(f, r.start, r.end)}: nr_accesses: ${f.nr(r.nrAccesses)} samples, age: ${f.nr(r.age)} aggr_intervals, filter_passed: ${f.sz(r.szFilterPassed)}`));
    }
  }
  return lines.join('\n');
}

const FMT_RAW = fmtFor(true);
const FMT_HUMAN = fmtFor(false);

function contextText(f: Fmt, c: DamoContext, rt: ContextRuntime | undefined, view: View): string {
  const lines: string[] = [];
  lines.push(`ops: ${c.ops}${c.addrUnit !== 1n ? ` addr_unit ${f === FMT_RAW ? String(c.addrUnit) : formatBytesAccurate(c.addrUnit)}` : ''}`);
  if (c.pause) lines.push('pause: True');
  c.targets.forEach((t, i) => {
    const tl: string[] = [];
    if (t.pid !== null) tl.push(`pid: ${t.pid}`);
    if (t.obsolete) tl.push('(obsolete)');
    for (const r of t.regions) tl.push(`region ${addrRange(f, r.start, r.end)}`);
    lines.push(`target ${i}`);
    if (tl.length > 0) lines.push(ind(tl.join('\n')));
  });
  const iv = c.intervals;
  const first = `sample ${f.us(rt?.sampleUs ?? iv.sampleUs)}, aggr ${f.us(rt?.aggrUs ?? iv.aggrUs)}, update ${f.us(iv.opsUpdateUs)}`;
  if (iv.goal.aggrs === 0n) lines.push(`intervals: ${first}`);
  else
    lines.push(
      'intervals',
      ind(`${first}\ntarget ${f.bp(iv.goal.accessBp)} accesses per ${f.nr(iv.goal.aggrs)} aggrs, [${f.us(iv.goal.minSampleUs)}, ${f.us(iv.goal.maxSampleUs)}] sampling interval`),
    );
  lines.push(`nr_regions: [${f.nr(c.nrRegions.min)}, ${f.nr(c.nrRegions.max)}]`);
  c.schemes.forEach((s, i) => lines.push(`scheme ${i}`, ind(schemeText(f, s, rt?.schemes[i], view))));
  return lines.join('\n');
}

/** The `damo report damon` text of these kdamonds. */
export function formatDamonReport(kdamonds: readonly DamoKdamond[], opts: DamonReportOptions = {}): string {
  const f = opts.raw ? FMT_RAW : FMT_HUMAN;
  const out: string[] = [];
  kdamonds.forEach((k, ki) => {
    // The params-only view shows no live state, whatever the caller holds (damo's params_only).
    const rt = opts.paramsOnly ? undefined : opts.runtime?.[ki];
    const lines: string[] = [];
    const summary: string[] = [];
    if (rt) summary.push(`state: ${rt.state}`, 'pid: none (simulated)');
    if (k.refreshMs !== 0n) summary.push(`stats refresh per: ${f.ms(k.refreshMs)}`);
    if (summary.length > 0) lines.push(summary.join(', '));
    k.contexts.forEach((c, ci) => lines.push(`context ${ci}`, ind(contextText(f, c, rt?.contexts[ci], opts))));
    out.push(`kdamond ${ki}`);
    if (lines.length > 0) out.push(ind(lines.join('\n')));
  });
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Runtime from a simulation

/** The sysfs-visible state of every scheme after (or during) a run. */
export function runtimeOf(sim: Simulation, params: readonly KdamondParams[]): KdamondRuntime[] {
  return params.map((kp, ki) => {
    const kds = sim.kdamonds.filter((k) => k.idx === ki).map((k) => k.kdamond);
    return {
      state: kds.every((k) => k.stopped) ? 'off' : 'on',
      contexts: kp.contexts.map((cp, ci): ContextRuntime => {
        const ctx = kds[ci].ctx;
        const snapshots = ctx.profile.maxNrSnapshotsFile;
        return {
          sampleUs: BigInt(ctx.attrs.sampleInterval),
          aggrUs: BigInt(ctx.attrs.aggrInterval),
          schemes: cp.schemes.map((sp, si): SchemeRuntime => {
            const s = ctx.schemes[si];
            // A scheme in the files the running context does not have (a refused commit wrote them).
            if (!s) {
              const zero = { nrTried: 0n, szTried: 0n, nrApplied: 0n, szApplied: 0n, szOpsFilterPassed: 0n, qtExceeds: 0n, nrSnapshots: snapshots ? 0n : null, maxNrSnapshots: snapshots ? BigInt(sp.maxNrSnapshots) : null };
              return { stats: zero, effectiveSzBytes: 0n, goalCurrent: sp.quota.goals.map((g) => (g.targetValue === 0n ? null : 'unmeasured')), triedRegions: null };
            }
            let k = 0;
            // adjustQuota() evaluates the goals when it opens the first charge window.
            const measured = s.quota.chargedFrom !== 0 || s.quota.totalChargedSz !== 0;
            const goalCurrent = sp.quota.goals.map((g) => (g.targetValue === 0n ? null : measured ? (s.quota.goals[k++]?.currentValue ?? null) : 'unmeasured'));
            return {
              stats: {
                nrTried: BigInt(s.stat.nrTried),
                szTried: BigInt(s.stat.szTried),
                nrApplied: BigInt(s.stat.nrApplied),
                szApplied: BigInt(s.stat.szApplied),
                szOpsFilterPassed: BigInt(s.stat.szOpsFilterPassed),
                qtExceeds: BigInt(s.stat.qtExceeds),
                nrSnapshots: snapshots ? BigInt(s.stat.nrSnapshots) : null,
                maxNrSnapshots: snapshots ? BigInt(s.maxNrSnapshots) : null,
              },
              effectiveSzBytes: s.quota.esz,
              goalCurrent,
              triedRegions: null,
            };
          }),
        };
      }),
    };
  });
}

/**
 * The kdamonds' sysfs files at `ns`: the scenario's, replaced by every scheduled write made by
 * then (a commit's files stay written even when the kernel refused the commit; damo report damon
 * reads the files).
 */
export function filesAt(sc: Scenario, ns: number): KdamondParams[] {
  const files = sc.kdamonds.slice();
  const events = [...(sc.events ?? [])].sort((a, b) => a.at - b.at || a.index - b.index);
  for (const ev of events) if (ev.at <= ns && ev.params) files[ev.kdamond] = ev.params;
  return files;
}

/** Put collected tried regions into a runtime taken before the collection (stats stay as they were). */
export function fillTriedRegions(runtime: KdamondRuntime[], sim: Simulation, tried: Map<DamonCtx, Map<number, TriedRegion[]>>): void {
  runtime.forEach((k, ki) => {
    const ctxs = sim.kdamonds.filter((x) => x.idx === ki).map((x) => x.kdamond.ctx);
    k.contexts.forEach((c, ci) => c.schemes.forEach((s, si) => (s.triedRegions = tried.get(ctxs[ci])?.get(si) ?? [])));
  });
}

/** How long past the run collectTriedRegions() simulates at most (a kernel's walk would wait on). */
export const TRIED_REGIONS_WAIT_NS = 3600e9;

/**
 * update_schemes_tried_regions: install a damos_walk() on every kdamond and run on until each
 * completes (every scheme of the context finished one apply pass) or is canceled, recording the
 * regions each scheme tried. A kdamond is given up on after its longest apply interval plus two
 * aggregation intervals, counted in samples as the kernel counts them (a sample lasts longer than
 * its interval: damon/usleep.ts), and every walk after TRIED_REGIONS_WAIT_NS: the kernel's
 * damos_walk() would wait as long as an apply interval takes (days, for a huge
 * apply_interval_us), where the simulator would have to simulate all of it. `onGiveUp` hears of
 * each kdamond whose walk was given up, and why: `time`, the cap; `samples`, its samples used up
 * without a pass of every scheme (one that is never applied, say: the kernel would wait forever).
 * `onComplete` hears of each whose walk completed, with that kdamond's simulated time then: what
 * its regions are as of, later than statistics read before.
 */
export function collectTriedRegions(
  sim: Simulation,
  onGiveUp?: (kdamondIdx: number, waitedNs: number, why: 'time' | 'samples') => void,
  onComplete?: (kdamondIdx: number, atNs: number) => void,
): Map<DamonCtx, Map<number, TriedRegion[]>> {
  const out = new Map<DamonCtx, Map<number, TriedRegion[]>>();
  let horizonUs = 0;
  /** Our walks, each with the sample count at which its kdamond is given up on. */
  const giveUp = new Map<DamosWalk, { ctx: DamonCtx; sis: number }>();
  for (const k of sim.kdamonds) {
    const ctx = k.kdamond.ctx;
    const perScheme = new Map<number, TriedRegion[]>();
    out.set(ctx, perScheme);
    let samples = 0;
    for (const s of ctx.schemes) {
      const us = (s.applyIntervalUs || ctx.attrs.aggrInterval) + 2 * ctx.attrs.aggrInterval;
      horizonUs = Math.max(horizonUs, us);
      samples = Math.max(samples, Math.ceil(us / si(ctx.attrs)));
    }
    if (k.kdamond.walk || k.kdamond.stopped || ctx.schemes.length === 0) continue;
    const w = new DamosWalk(
      (c, _t, r, s, szFilterPassed) => {
        const si = c.schemes.indexOf(s);
        const list = perScheme.get(si) ?? [];
        list.push({ start: BigInt(r.start), end: BigInt(r.end), nrAccesses: c.patternNrAccesses(r), age: r.age, szFilterPassed: BigInt(szFilterPassed) });
        perScheme.set(si, list);
      },
      // Completed or canceled, the walk says so itself (finished).
      (c) => onComplete?.(k.idx, c.clock.now),
      () => undefined,
    );
    giveUp.set(w, { ctx, sis: ctx.passedSampleIntervals + samples });
    k.kdamond.walk = w;
  }
  // Walks still waiting on a kdamond that has not used up its samples. A watermark wait or a stop
  // cancels a walk, so the time cap only guards against a kdamond that never samples.
  const waiting = () => [...giveUp].some(([w, g]) => !w.finished && g.ctx.passedSampleIntervals < g.sis);
  const from = sim.now;
  const until = from + Math.min(10 * horizonUs * 1000, TRIED_REGIONS_WAIT_NS);
  const step = Math.max(1, Math.floor(Math.min(horizonUs * 1000, TRIED_REGIONS_WAIT_NS) / 16));
  for (let t = sim.now + step; waiting() && sim.now < until; t = Math.min(until, t + step)) sim.runUntil(t);
  const cutShort = waiting();
  for (const k of sim.kdamonds) {
    const w = k.kdamond.walk;
    if (w && giveUp.has(w)) {
      if (!w.finished) {
        onGiveUp?.(k.idx, sim.now - from, cutShort && k.kdamond.ctx.passedSampleIntervals < giveUp.get(w)!.sis ? 'time' : 'samples');
        w.cancel();
      }
      k.kdamond.walk = undefined;
    }
  }
  return out;
}

/** The fields damo report damon --damos_stats prints per scheme (DamosStats.to_kvpairs()), in its order. */
export const DAMOS_STAT_FIELDS = ['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'sz_ops_filter_passed', 'qt_exceeds'] as const;
export type DamosStatField = (typeof DAMOS_STAT_FIELDS)[number];
/** Those --damos_stat_fields takes (damo_report_damon.py's choices: not sz_ops_filter_passed). */
export const DAMOS_STAT_FIELD_CHOICES: readonly DamosStatField[] = ['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'qt_exceeds'];

/**
 * `damo report damon --damos_stats [--damos_stat_fields F...]` (damo-formats.md §2, "Observation"):
 * per scheme its indices and statistics, as key/value pairs in damo's units (human: "1,234",
 * "1.000 GiB"; raw: numbers, as the raw tree prints them). `report`: a block per scheme headed
 * "kdamond K / context C / scheme S" when there are several, "key: value" lines (the bare value
 * when one field is asked for); `json` / `yaml`: the list of [indices, stats] pairs damo dumps.
 */
export function formatDamosStats(runtime: readonly KdamondRuntime[], opts: { raw?: boolean; fields?: readonly DamosStatField[]; format: 'report' | 'json' | 'yaml' }): string {
  const raw = opts.raw === true;
  const f = raw ? FMT_RAW : FMT_HUMAN;
  const value = (field: DamosStatField, st: SchemeRuntime['stats']): string | number => {
    const v = { nr_tried: st.nrTried, sz_tried: st.szTried, nr_applied: st.nrApplied, sz_applied: st.szApplied, sz_ops_filter_passed: st.szOpsFilterPassed, qt_exceeds: st.qtExceeds }[field];
    if (raw) return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
    return field.startsWith('sz_') ? f.sz(v) : f.nr(v);
  };
  const fields = opts.fields ?? DAMOS_STAT_FIELDS;
  const stats: Array<[{ kdamond: number; context: number; scheme: number }, Record<string, string | number>]> = [];
  runtime.forEach((k, ki) =>
    k.contexts.forEach((c, ci) =>
      c.schemes.forEach((s, si) => stats.push([{ kdamond: ki, context: ci, scheme: si }, Object.fromEntries(fields.map((x) => [x, value(x, s.stats)]))])),
    ),
  );
  if (opts.format === 'json' || opts.format === 'yaml') return formatDamoPrinted(stats, opts.format);
  const out: string[] = [];
  for (const [at, kv] of stats) {
    if (stats.length > 1) out.push(`kdamond ${at.kdamond} / context ${at.context} / scheme ${at.scheme}`);
    const keys = Object.keys(kv);
    for (const k of keys) out.push(keys.length > 1 ? `${k}: ${kv[k]}` : String(kv[k]));
    if (stats.length > 1) out.push('');
  }
  return out.map((l) => `${l}\n`).join('');
}
