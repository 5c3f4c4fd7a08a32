// SPDX-License-Identifier: GPL-2.0-only
/**
 * damo's kdamonds configuration format (damo-formats.md §1): the zod schema of the JSON/YAML tree
 * (human strings or raw numbers at every leaf) and its conversion to the normalised scenario model
 * in kernel units. Percent access rates become samples with damo's truncation using the
 * context's configured intervals (§1.3).
 */
import { isMapping } from '../../lib/json.js';
import { z } from 'zod';
import { INT_MAX, UINT_MAX, ULONG_MAX } from '../../lib/kint.js';
import { DAMOS_ACTIONS, FILTER_TYPES, GOAL_TUNERS, QUOTA_GOAL_METRICS, WMARK_METRICS, isCoreFilter, measuresNode, type QuotaGoalMetric } from '../../damos/scheme.js';
import { closest } from '../../lib/spelling.js';
import { addError, addWarning, expectedOneOf, formatPath, type Collector, type ConfigIssue, type PathSeg } from '../../scenario/issues.js';
import type { ContextParams, FilterParams, GoalParams, KdamondParams, SchemeParams } from '../../scenario/model.js';
import { UnitError, decimalLookingSizeWarning, parseNumber, parseRatio, parseTime, showParsed } from './units.js';
import { accessRateV, ageV, boolV, bytesV, patternBytesV, intV, numberV, ratioV, signedIntV, timeV, percentAsRead, uintRatioV, uintTimeV, uintV, type AccessValue, type AgeValue } from './values.js';

const nullableNid = z.union([signedIntV(), z.null()], { error: 'expected a node id or null' }).optional();

const rangeOf = <T extends z.ZodType>(v: T) => z.looseObject({ min: v, max: v });

const goalSchema = z.looseObject({
  // Required, except in the old spelling (target_value_bp), which means a user_input goal.
  metric: z.enum(QUOTA_GOAL_METRICS).optional(),
  nid: nullableNid,
  memcg_path: z.union([z.string(), z.null()], { error: 'expected a cgroup path or null' }).optional(),
  target_value: z.union([z.string(), z.number()], { error: 'expected a number' }).optional(),
  current_value: z.union([z.string(), z.number()], { error: 'expected a number' }).optional(),
  // Older damo spelling, read as a user_input goal.
  target_value_bp: z.union([z.string(), z.number()], { error: 'expected a number' }).optional(),
  current_value_bp: z.union([z.string(), z.number()], { error: 'expected a number' }).optional(),
}).superRefine((g, ctx) => {
  // The values' units are the metric's: read here too (goalToParams() reads them again), so that a
  // bad value is told with the file's other shape problems, not only once those are fixed.
  const old = g.target_value === undefined && g.target_value_bp !== undefined;
  const metric = old ? 'user_input' : (g.metric ?? 'user_input');
  const keys = old ? (['target_value_bp', 'current_value_bp'] as const) : (['target_value', 'current_value'] as const);
  for (const key of keys) {
    const v = g[key];
    if (v === undefined) continue;
    try {
      parseGoalValue(metric, v);
    } catch (e) {
      if (e instanceof UnitError) ctx.addIssue({ code: 'custom', path: [key], message: e.message, input: v });
      else throw e;
    }
  }
});

const filterSchema = z.looseObject({
  filter_type: z.enum(FILTER_TYPES),
  matching: boolV().optional(),
  allow: boolV().optional(),
  /** Older files say filter_pass for allow. */
  filter_pass: boolV().optional(),
  memcg_path: z.union([z.string(), z.null()], { error: 'expected a cgroup path or null' }).optional(),
  address_range: z.union([z.looseObject({ start: bytesV(), end: bytesV() }), z.null()], { error: 'expected {start, end} or null' }).optional(),
  // The kernel file takes an int (kstrtoint: above 2^31 − 1 is -ERANGE).
  damon_target_idx: z
    .union([intV().refine((n) => n <= INT_MAX, { error: (iss) => `expected at most ${INT_MAX}; found ${String(iss.input)} (the kernel file takes an int: -ERANGE)` }), z.null()])
    .optional(),
  hugepage_size: z.union([z.tuple([bytesV(), bytesV()]), z.looseObject({ min: bytesV(), max: bytesV() }), z.null()], { error: 'expected [min, max] sizes, {min, max} or null' }).optional(),
  // The probe_hits_wsum filter's range (damon/next), which damo's newer dumps write in every
  // filter, null but for that type: known, so that reading them back warns of nothing.
  probe_hits_wsum_range: z.unknown().optional(),
});

const accessPatternSchema = z.looseObject({
  sz_bytes: rangeOf(patternBytesV()).optional(),
  nr_accesses: rangeOf(accessRateV()).optional(),
  age: rangeOf(ageV()).optional(),
});

/** A weight. */
const weightV = () => uintRatioV('permil');

const weightsSchema = z.looseObject({
  sz_permil: weightV().optional(),
  nr_accesses_permil: weightV().optional(),
  age_permil: weightV().optional(),
});

const quotasSchema = z.looseObject({
  time_ms: timeV('ms').optional(),
  sz_bytes: bytesV().optional(),
  reset_interval_ms: timeV('ms').optional(),
  fail_charge_num: uintV().optional(),
  fail_charge_denom: uintV().optional(),
  goals: z.array(goalSchema).optional(),
  goal_tuner: z.enum(GOAL_TUNERS).optional(),
  effective_sz_bytes: z.unknown().optional(),
  weights: weightsSchema.optional(),
});

const watermarksSchema = z.looseObject({
  metric: z.enum(WMARK_METRICS).optional(),
  interval_us: timeV('us').optional(),
  high_permil: ratioV('permil').optional(),
  mid_permil: ratioV('permil').optional(),
  low_permil: ratioV('permil').optional(),
});

const schemeSchema = z.looseObject({
  action: z.enum(DAMOS_ACTIONS).optional(),
  dests: z.array(z.looseObject({ id: uintV(), weight: uintV() })).optional(),
  target_nid: nullableNid,
  access_pattern: accessPatternSchema.optional(),
  apply_interval_us: timeV('us').optional(),
  quotas: quotasSchema.optional(),
  watermarks: watermarksSchema.optional(),
  filters: z.array(filterSchema).optional(),
  core_filters: z.array(filterSchema).optional(),
  ops_filters: z.array(filterSchema).optional(),
  stats: z.unknown().optional(),
  max_nr_snapshots: intV().optional(),
});

const targetSchema = z.looseObject({
  pid: z.union([intV(), z.null()], { error: 'expected a pid or null' }).optional(),
  obsolete: boolV().optional(),
  regions: z.array(z.looseObject({ start: bytesV(), end: bytesV() })).optional(),
});

const intervalsGoalSchema = z.looseObject({
  access_bp: ratioV('bp').optional(),
  aggrs: numberV().optional(),
  min_sample_us: timeV('us').optional(),
  max_sample_us: timeV('us').optional(),
});

const intervalsSchema = z.looseObject({
  sample_us: timeV('us').optional(),
  aggr_us: timeV('us').optional(),
  ops_update_us: timeV('us').optional(),
  intervals_goal: intervalsGoalSchema.optional(),
});

const nrRegionsSchema = z.looseObject({ min: numberV().optional(), max: numberV().optional() });

const contextSchema = z.looseObject({
  ops: z.enum(['paddr', 'vaddr', 'fvaddr']),
  addr_unit: bytesV().optional(),
  targets: z.array(targetSchema),
  intervals: intervalsSchema.optional(),
  nr_regions: nrRegionsSchema.optional(),
  probes: z.array(z.unknown()).optional(),
  sample_control: z.unknown().optional(),
  pause: boolV().optional(),
  schemes: z.array(schemeSchema).optional(),
});

const kdamondSchema = z.looseObject({
  state: z.unknown().optional(),
  pid: z.unknown().optional(),
  refresh_ms: uintTimeV('ms').optional(),
  contexts: z.array(contextSchema),
});

/** Both of damo's wrappers: `{"kdamonds": [...]}` and the bare list. */
export const kdamondsSchema = z.union([z.looseObject({ kdamonds: z.array(kdamondSchema) }), z.array(kdamondSchema)]);

export type DamoKdamonds = z.output<typeof kdamondsSchema>;
/** A kdamond and its parts as a document writes them (the schemas' input side: human strings allowed, keys optional). */
export type DamoKdamondDoc = z.input<typeof kdamondSchema>;
export type DamoContextDoc = z.input<typeof contextSchema>;
export type DamoSchemeDoc = z.input<typeof schemeSchema>;
export type DamoQuotasDoc = z.input<typeof quotasSchema>;
type DamoContext = z.output<typeof contextSchema>;
type DamoScheme = z.output<typeof schemeSchema>;
type DamoFilter = z.output<typeof filterSchema>;
type DamoGoal = z.output<typeof goalSchema>;

/** Keys the schema knows, per object kind, for unknown-key warnings (damo ignores unknown keys). */
const KNOWN_KEYS = {
  kdamond: Object.keys(kdamondSchema.shape),
  context: Object.keys(contextSchema.shape),
  target: Object.keys(targetSchema.shape),
  intervals: Object.keys(intervalsSchema.shape),
  intervalsGoal: Object.keys(intervalsGoalSchema.shape),
  nrRegions: Object.keys(nrRegionsSchema.shape),
  scheme: Object.keys(schemeSchema.shape),
  accessPattern: Object.keys(accessPatternSchema.shape),
  quotas: Object.keys(quotasSchema.shape),
  weights: Object.keys(weightsSchema.shape),
  watermarks: Object.keys(watermarksSchema.shape),
  goal: Object.keys(goalSchema.shape),
  filter: Object.keys(filterSchema.shape),
};

export type { Collector };

/** How goals are read and written: as the kernel's sysfs has them, or as upstream damo v3.3 does. */
export type DamoCompat = 'kernel' | 'upstream';
const err = addError;
const warn = addWarning;

/**
 * Keys damo requires once their object is present (damo-formats.md §1.3): its loader indexes them
 * directly, so a file without one fails in damo. damon-sim fills in the default and warns, so that
 * a file that runs here also runs there.
 */
const REQUIRED_KEYS: Record<string, Readonly<Record<string, string>>> = {
  // Each with the default damon-sim uses, as the warning says it (the readers below apply them).
  target: { pid: 'null', regions: "none (a paddr target then monitors the biggest node's range)" },
  nrRegions: { min: '10', max: '1000' },
  filter: { matching: 'true' },
  intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
  intervalsGoal: { access_bp: '0', aggrs: '0 (no interval auto-tuning)', min_sample_us: '0', max_sample_us: '0' },
  accessPattern: { sz_bytes: 'min 0, max max (any size)', nr_accesses: 'min 0, max max (any access rate)', age: 'min 0, max max (any age)' },
  quotas: { time_ms: '0 (no time quota)', sz_bytes: '0 (no size quota: no limit on the bytes applied)', reset_interval_ms: 'none (the charge window never ends)', weights: '0 for each (every region scores alike)' },
  weights: { sz_permil: '0', nr_accesses_permil: '0', age_permil: '0' },
  // (A goal without its metric or its target_value is an error of its own, unless it is in the
  // old spelling: goalToParams().)
  goal: { current_value: '0' },
  watermarks: { metric: 'none (always active)', interval_us: '0', high_permil: '0', mid_permil: '0', low_permil: '0' },
};

/**
 * A warning for each size under `value` written as "64 GB" or "200 MB": damo reads those units as
 * binary (damo-formats.md §1.2), so "64 GB" is 64 GiB, where the writer may have meant 10^9 bytes.
 */
export function warnDecimalLookingSizes(value: unknown, path: readonly PathSeg[], c: Collector): void {
  if (Array.isArray(value)) value.forEach((v, i) => warnDecimalLookingSizes(v, [...path, i], c));
  else if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) if (!FREE_TEXT_KEYS.test(k)) warnDecimalLookingSizes(v, [...path, k], c);
  } else {
    const message = decimalLookingSizeWarning(value, true);
    if (message !== undefined) warn(c, path, message);
  }
}

/** Keys whose values are names or paths, never sizes: a process named "512 MB" is no size. */
const FREE_TEXT_KEYS = /^(?:name|description|comm)$|memcg|path/;

/**
 * The checks damo's own loader makes that the schema leaves lenient, as warnings on the raw
 * kdamond object at `base`: unknown keys (damo ignores them, so a typo silently does nothing),
 * missing keys damo requires (damon-sim uses the default), and settings damon-sim does not model.
 */
export function warnDamoKeys(kdamond: unknown, base: readonly PathSeg[], c: Collector): void {
  const obj = (o: unknown): Record<string, unknown> | undefined => (isMapping(o) ? o : undefined);
  const list = (o: unknown): unknown[] => (Array.isArray(o) ? o : []);
  const unknownKeys = (o: unknown, known: string[], path: readonly PathSeg[]) => {
    const keys = Object.keys(obj(o) ?? {});
    const free = known.filter((k) => !keys.includes(k));
    for (const k of keys) {
      if (known.includes(k)) continue;
      const meant = closest(k, free);
      warn(c, [...path, k], `unknown key, ignored (as damo does); ${meant === undefined ? 'check its spelling' : `did you mean ${JSON.stringify(meant)}?`}`);
    }
  };
  const required = (o: unknown, keys: Readonly<Record<string, string>>, path: readonly PathSeg[]) => {
    const m = obj(o);
    if (!m) return;
    for (const [k, dflt] of Object.entries(keys)) if (!(k in m)) warn(c, [...path, k], `expected this key (damo refuses the object without it); found nothing, so damon-sim uses its default, ${dflt}`);
  };
  unknownKeys(kdamond, KNOWN_KEYS.kdamond, base);
  list(obj(kdamond)?.contexts).forEach((ctx, ci) => {
    const cp = [...base, 'contexts', ci];
    const cm = obj(ctx);
    unknownKeys(ctx, KNOWN_KEYS.context, cp);
    list(cm?.targets).forEach((t, ti) => {
      unknownKeys(t, KNOWN_KEYS.target, [...cp, 'targets', ti]);
      required(t, REQUIRED_KEYS.target, [...cp, 'targets', ti]);
    });
    unknownKeys(cm?.nr_regions, KNOWN_KEYS.nrRegions, [...cp, 'nr_regions']);
    required(cm?.nr_regions, REQUIRED_KEYS.nrRegions, [...cp, 'nr_regions']);
    const iv = obj(cm?.intervals);
    unknownKeys(iv, KNOWN_KEYS.intervals, [...cp, 'intervals']);
    required(iv, REQUIRED_KEYS.intervals, [...cp, 'intervals']);
    unknownKeys(iv?.intervals_goal, KNOWN_KEYS.intervalsGoal, [...cp, 'intervals', 'intervals_goal']);
    required(iv?.intervals_goal, REQUIRED_KEYS.intervalsGoal, [...cp, 'intervals', 'intervals_goal']);
    // Probes and sampling primitives (damon/next) are not modelled: the page-table accessed bit is
    // the only sampling damon-sim has.
    if (list(cm?.probes).length > 0) warn(c, [...cp, 'probes'], 'expected no probes (damon-sim does not model them); found some, ignored');
    const prim = obj(obj(cm?.sample_control)?.primitives_enabled);
    if (prim && (prim.page_table === false || prim.page_fault === true))
      warn(c, [...cp, 'sample_control'], 'expected page-table sampling (the only primitive damon-sim models); found other primitives enabled, ignored');
    list(cm?.schemes).forEach((s, si) => {
      const sp = [...cp, 'schemes', si];
      const sm = obj(s);
      unknownKeys(s, KNOWN_KEYS.scheme, sp);
      // damo takes a scheme without an action as `stat`, silently; here a scheme meant to act
      // (the action line lost to an edit) would only count, so say so.
      if (sm && !('action' in sm)) warn(c, [...sp, 'action'], 'expected an action; found nothing, so the scheme is `stat` (damo\'s default: it only counts, and acts on no memory)');
      unknownKeys(sm?.access_pattern, KNOWN_KEYS.accessPattern, [...sp, 'access_pattern']);
      required(sm?.access_pattern, REQUIRED_KEYS.accessPattern, [...sp, 'access_pattern']);
      unknownKeys(sm?.quotas, KNOWN_KEYS.quotas, [...sp, 'quotas']);
      unknownKeys(obj(sm?.quotas)?.weights, KNOWN_KEYS.weights, [...sp, 'quotas', 'weights']);
      required(sm?.quotas, REQUIRED_KEYS.quotas, [...sp, 'quotas']);
      required(obj(sm?.quotas)?.weights, REQUIRED_KEYS.weights, [...sp, 'quotas', 'weights']);
      unknownKeys(sm?.watermarks, KNOWN_KEYS.watermarks, [...sp, 'watermarks']);
      required(sm?.watermarks, REQUIRED_KEYS.watermarks, [...sp, 'watermarks']);
      list(obj(sm?.quotas)?.goals).forEach((g, gi) => {
        const gp = [...sp, 'quotas', 'goals', gi];
        unknownKeys(g, KNOWN_KEYS.goal, gp);
        // The old spelling target_value_bp / current_value_bp stands for a user_input goal.
        if (!('target_value_bp' in (obj(g) ?? {}))) required(g, REQUIRED_KEYS.goal, gp);
      });
      for (const key of ['filters', 'core_filters', 'ops_filters'] as const)
        list(sm?.[key]).forEach((f, fi) => {
          unknownKeys(f, KNOWN_KEYS.filter, [...sp, key, fi]);
          required(f, REQUIRED_KEYS.filter, [...sp, key, fi]);
          const wsum = obj(f)?.probe_hits_wsum_range;
          if (wsum !== undefined && wsum !== null) warn(c, [...sp, key, fi, 'probe_hits_wsum_range'], 'expected null (damon-sim does not model probes); found a range, ignored');
        });
    });
  });
}

function toNum(b: bigint, c: Collector, path: readonly PathSeg[], what: string): number {
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) {
    err(c, path, `expected ${what} below 2^53; found ${showParsed(b)}`);
    return 0;
  }
  return Number(b);
}

function clampU32(b: bigint): number {
  return b > BigInt(UINT_MAX) ? UINT_MAX : Number(b);
}

/** Options for reading damo configs. */
export interface DamoReadOptions {
  /** upstream damo v3.3 drops node_eligible_mem_bp's nid (the kernel then measures node 0). */
  compat?: DamoCompat;
  /**
   * Where the filters the kernel cannot build go, instead of the errors: an addr filter whose end
   * is below its start, a hugepage_size filter whose min is above its max, a memcg filter without a
   * path (damon_sysfs_add_scheme_filters() fails them, so `on` and `commit` fail with -ENOMEM).
   * For a sysfs tree read back, whose files hold such a filter until a commit refuses it.
   */
  commitRefusals?: ConfigIssue[];
}

/** Convert a parsed damo kdamonds tree to kernel-unit parameters, collecting problems with their paths. */
export function damoToParams(doc: DamoKdamonds, base: readonly PathSeg[], c: Collector, opts: DamoReadOptions = {}): KdamondParams[] {
  const list = Array.isArray(doc) ? doc : doc.kdamonds;
  const listPath = Array.isArray(doc) ? base : [...base, 'kdamonds'];
  return list.map((k, ki) => ({
    // damo reads refresh_ms as a time (text_to_ms): "1 s" is 1000.
    refreshMs: k.refresh_ms === undefined ? 0 : toNum(k.refresh_ms, c, [...listPath, ki, 'refresh_ms'], 'a refresh interval'),
    contexts: k.contexts.map((ctx, ci) => contextToParams(ctx, [...listPath, ki, 'contexts', ci], c, opts)),
  }));
}

function contextToParams(d: DamoContext, path: readonly PathSeg[], c: Collector, opts: DamoReadOptions): ContextParams {
  const sample = d.intervals?.sample_us ?? 5000n;
  const aggr = d.intervals?.aggr_us ?? 100000n;
  const update = d.intervals?.ops_update_us ?? 1_000_000n;
  const g = d.intervals?.intervals_goal;
  const addrUnit = d.addr_unit === undefined ? 1 : toNum(d.addr_unit, c, [...path, 'addr_unit'], 'an address unit');
  if (addrUnit === 0) err(c, [...path, 'addr_unit'], 'expected a non-zero address unit (bytes per core address); found 0');
  const attrs = {
    sampleInterval: toNum(sample, c, [...path, 'intervals', 'sample_us'], 'a sampling interval'),
    aggrInterval: toNum(aggr, c, [...path, 'intervals', 'aggr_us'], 'an aggregation interval'),
    opsUpdateInterval: toNum(update, c, [...path, 'intervals', 'ops_update_us'], 'an update interval'),
    intervalsGoal: {
      accessBp: g?.access_bp === undefined ? 0 : clampU32(g.access_bp),
      aggrs: g?.aggrs === undefined ? 0 : clampU32(g.aggrs),
      minSampleUs: g?.min_sample_us === undefined ? 0 : toNum(g.min_sample_us, c, [...path, 'intervals', 'intervals_goal', 'min_sample_us'], 'a time'),
      maxSampleUs: g?.max_sample_us === undefined ? 0 : toNum(g.max_sample_us, c, [...path, 'intervals', 'intervals_goal', 'max_sample_us'], 'a time'),
    },
    minNrRegions: d.nr_regions?.min === undefined ? 10 : clampU32(d.nr_regions.min),
    maxNrRegions: d.nr_regions?.max === undefined ? 1000 : clampU32(d.nr_regions.max),
  };
  // damo's add_unset_unit(): max_val = aggr / sample in Python's float division.
  const maxNrAccesses = attrs.sampleInterval ? attrs.aggrInterval / attrs.sampleInterval : 0;
  return {
    ops: d.ops,
    addrUnit,
    pause: d.pause ?? false,
    attrs,
    targets: d.targets.map((t, ti) => ({
      pid: t.pid ?? null,
      obsolete: t.obsolete ?? false,
      regions: (t.regions ?? []).map((r, ri) => ({
        // Core address units, as damo writes them to sysfs unconverted (bytes only with addr_unit 1).
        start: toNum(r.start, c, [...path, 'targets', ti, 'regions', ri, 'start'], 'an address'),
        end: toNum(r.end, c, [...path, 'targets', ti, 'regions', ri, 'end'], 'an address'),
      })),
    })),
    schemes: (d.schemes ?? []).map((s, si) => schemeToParams(s, [...path, 'schemes', si], c, { maxNrAccesses, aggrUs: attrs.aggrInterval, opts })),
  };
}

interface SchemeEnv {
  /** aggr_us / sample_us as damo computes it (a float). */
  maxNrAccesses: number;
  aggrUs: number;
  opts: DamoReadOptions;
}

/**
 * What the kernel keeps of a value written to an access-pattern sysfs file: the file takes an
 * unsigned long, struct damos_access_pattern an unsigned int (the low 32 bits).
 */
function u32OfUlong(b: bigint): number {
  return Number(BigInt.asUintN(32, b));
}

/** "max" in percent, as damo's text_to_percent() reads it (try_common_input: ULONG_MAX). */
const MAX_PERCENT = Number(ULONG_MAX);

/**
 * A nr_accesses bound in kernel samples. Percent as damo stages it, int(percent × aggr / sample
 * / 100) in floating point, then cut to 32 bits by the kernel: "max" % is ULONG_MAX %, which
 * leaves 858,993,664 samples with 5 ms / 100 ms intervals but 0 with 4 ms / 100 ms (aggr / sample
 * 25 makes it exactly 2^62). A bare "max" beside "N samples" (which damo refuses) is the u32 max.
 */
function accessToSamples(v: AccessValue, samplesPair: boolean, env: SchemeEnv, c: Collector, path: readonly PathSeg[]): number {
  if (v.kind === 'samples') {
    if (v.value > BigInt(UINT_MAX)) warn(c, path, `${v.value} samples: the kernel's 32-bit field keeps ${u32OfUlong(v.value)}`);
    return u32OfUlong(v.value);
  }
  if (v.kind === 'max' && samplesPair) return UINT_MAX;
  const percent = percentOf(v);
  // damo writes min(samples, ULONG_MAX) (_damon_sysfs.write_ulong()), which the kernel's 32-bit
  // field then cuts to UINT_MAX: no bound.
  const samples = stagedSamples(v, env);
  if (samples >= 2 ** 64) return UINT_MAX;
  const shown = isMaxPercent(v) ? '"max" % (ULONG_MAX % for damo)' : `${percent} %`;
  if (percent > 0 && samples === 0) {
    // Percent is all damo's --damos_access_rate takes: name the least whole percent that stages a
    // sample before the samples form, which only a config file takes.
    const least = leastPercentForOneSample(env);
    const hint = least === undefined ? '"1 samples" in a config file' : `"${least} %", or "1 samples" in a config file`;
    warn(c, path, `${shown} of ${+env.maxNrAccesses.toFixed(6)} samples per aggregation truncates to 0 samples (for at least one access: ${hint})`);
  }
  const kept = u32OfUlong(BigInt(samples));
  if (kept < samples && kept < env.maxNrAccesses)
    warn(c, path, `${shown} stages ${BigInt(samples)} samples, of which the kernel's 32-bit field keeps ${kept}: fewer than the ${+env.maxNrAccesses.toFixed(6)} samples an aggregation can hold`);
  return kept;
}

/** An nr_accesses bound as written, with the samples it stages where it was a percentage: `min 50 % (10 samples)`. */
function accessBound(key: 'min' | 'max', v: AccessValue | undefined, samples: number): string {
  if (v === undefined || v.kind === 'samples') return `${key} ${samples} samples`;
  const percent = percentOf(v);
  // As typed: damo's reading of "29 %" is 28.999999999999996, which the samples in brackets show.
  const written = isMaxPercent(v) ? '"max"' : `${+percent.toPrecision(12)} %`;
  return `${key} ${written} (${samples} samples)`;
}

/**
 * The least whole percent whose "P %" damo stages as at least one sample, if one up to 100 does:
 * "P %" as read (percentAsRead()), so with 29 ms / 100 ms "29 %" stages 0 samples and "30 %" one.
 */
function leastPercentForOneSample(env: SchemeEnv): number | undefined {
  if (!(env.maxNrAccesses > 0)) return undefined;
  for (let p = Math.max(1, Math.floor(100 / env.maxNrAccesses)); p <= 100; p++) if (stagedSamples({ kind: 'percent', percent: percentAsRead(p), bare: false }, env) >= 1) return p;
  return undefined;
}

/** Whether a percent bound is damo's "max" %, typed as "max" or as a percentage that reaches it. */
function isMaxPercent(v: Exclude<AccessValue, { kind: 'samples' }>): boolean {
  return percentOf(v) >= MAX_PERCENT;
}

/** A percent (or "max" %) bound's percentage as damo holds it. */
export function percentOf(v: Exclude<AccessValue, { kind: 'samples' }>): number {
  return v.kind === 'max' ? MAX_PERCENT : v.percent;
}

/** The samples damo writes for a bound: int(percent × aggr / sample / 100) for a percent one. */
function stagedSamples(v: AccessValue, env: SchemeEnv): number {
  if (v.kind === 'samples') return Number(v.value);
  return Math.trunc((percentOf(v) * env.maxNrAccesses) / 100);
}

/** An age bound in aggregation intervals as damo stages it (int(usec / aggr_us)), before the kernel's 32-bit field. */
function stagedAggrs(v: AgeValue, env: SchemeEnv): bigint {
  return v.kind === 'aggr_intervals' ? v.value : env.aggrUs ? v.value / BigInt(env.aggrUs) : 0n;
}

/** An age bound in aggregation intervals: damo's int(usec / aggr_us), cut to 32 bits by the kernel. */
function ageToAggrs(v: AgeValue, env: SchemeEnv, c: Collector, path: readonly PathSeg[]): number {
  const staged = stagedAggrs(v, env);
  // "max" µs lands on a large value anyway; a count someone wrote out is worth a word.
  if (staged > BigInt(UINT_MAX) && !(v.kind === 'us' && v.value === ULONG_MAX))
    warn(c, path, `${staged} aggregation intervals: the kernel's 32-bit field keeps ${u32OfUlong(staged)}`);
  return u32OfUlong(staged);
}

function schemeToParams(d: DamoScheme, path: readonly PathSeg[], c: Collector, env: SchemeEnv): SchemeParams {
  const ap = d.access_pattern;
  const nrMin = ap?.nr_accesses?.min;
  const nrMax = ap?.nr_accesses?.max;
  if (nrMin && nrMax && nrMin.kind !== 'max' && nrMax.kind !== 'max' && nrMin.kind !== nrMax.kind)
    err(c, [...path, 'access_pattern', 'nr_accesses'], `expected both bounds in the same unit (percent or samples); found ${nrMin.kind} and ${nrMax.kind}`);
  // damo reads a pair that is not all percent as "N unit" texts (text_to_nr_unit), which a bare
  // "max" is not: damon-sim takes it as the largest sample count, damo refuses the file.
  for (const [key, v, other] of [['min', nrMin, nrMax], ['max', nrMax, nrMin]] as const)
    if (v?.kind === 'max' && other?.kind === 'samples')
      warn(c, [...path, 'access_pattern', 'nr_accesses', key], 'expected "N samples" beside a samples bound (damo refuses a bare "max" there); found "max", read as 4,294,967,295 samples');
  const ageMin = ap?.age?.min;
  const ageMax = ap?.age?.max;
  if (ageMin && ageMax && ageMin.kind !== ageMax.kind)
    warn(c, [...path, 'access_pattern', 'age'], `expected both bounds in the same unit (damo refuses a time beside "N aggr_intervals"); found ${ageMin.kind === 'us' ? 'a time' : 'aggr_intervals'} and ${ageMax.kind === 'us' ? 'a time' : 'aggr_intervals'}`);
  const pattern = {
    minSzRegion: ap?.sz_bytes?.min ?? 0n,
    maxSzRegion: ap?.sz_bytes?.max ?? ULONG_MAX,
    minNrAccesses: nrMin ? accessToSamples(nrMin, nrMax?.kind === 'samples', env, c, [...path, 'access_pattern', 'nr_accesses', 'min']) : 0,
    maxNrAccesses: nrMax ? accessToSamples(nrMax, nrMin?.kind === 'samples', env, c, [...path, 'access_pattern', 'nr_accesses', 'max']) : UINT_MAX,
    minAgeRegion: ap?.age?.min ? ageToAggrs(ap.age.min, env, c, [...path, 'access_pattern', 'age', 'min']) : 0,
    maxAgeRegion: ap?.age?.max ? ageToAggrs(ap.age.max, env, c, [...path, 'access_pattern', 'age', 'max']) : UINT_MAX,
  };
  if (pattern.minSzRegion > pattern.maxSzRegion) err(c, [...path, 'access_pattern', 'sz_bytes'], `expected min <= max; found min ${pattern.minSzRegion} > max ${pattern.maxSzRegion}`);
  // Bounds in order as written, which the kernel's 32-bit fields cut out of order, are what a
  // kernel would run (neither damo nor the kernel compares them): a scheme that never matches
  // (the cut is warned above). Written out of order, they are a mistake.
  const staged = (v: AccessValue | undefined, none: number) => (v === undefined ? none : v.kind === 'max' ? Infinity : stagedSamples(v, env));
  if (pattern.minNrAccesses > pattern.maxNrAccesses) {
    if (staged(nrMin, 0) > staged(nrMax, Infinity))
      err(c, [...path, 'access_pattern', 'nr_accesses'], `expected min <= max; found ${accessBound('min', nrMin, pattern.minNrAccesses)} > ${accessBound('max', nrMax, pattern.maxNrAccesses)}${nrMin?.kind === 'samples' && nrMax?.kind === 'samples' ? '' : ` at ${+env.maxNrAccesses.toFixed(6)} samples per aggregation`}`);
    else warn(c, [...path, 'access_pattern', 'nr_accesses'], `min ${pattern.minNrAccesses} > max ${pattern.maxNrAccesses} samples: the scheme never matches a region`);
  }
  if (pattern.minAgeRegion > pattern.maxAgeRegion) {
    if (!ageMax || (ageMin ? stagedAggrs(ageMin, env) : 0n) > stagedAggrs(ageMax, env))
      err(c, [...path, 'access_pattern', 'age'], `expected min <= max; found ${pattern.minAgeRegion} > ${pattern.maxAgeRegion} aggregation intervals`);
    else warn(c, [...path, 'access_pattern', 'age'], `min ${pattern.minAgeRegion} > max ${pattern.maxAgeRegion} aggregation intervals: the scheme never matches a region`);
  }

  const q = d.quotas;
  const resetIntervalMs = q?.reset_interval_ms === undefined ? Number.MAX_SAFE_INTEGER : bigToNum(q.reset_interval_ms);
  const goals = (q?.goals ?? []).map((g, gi) => goalToParams(g, [...path, 'quotas', 'goals', gi], c, env));
  if (goals.length > 0 && q?.reset_interval_ms === undefined)
    warn(c, [...path, 'quotas', 'reset_interval_ms'], 'goals without a reset interval never act (the charge window never ends); damo refuses this');
  const w = d.watermarks;
  const filters: FilterParams[] = [];
  const layered = d.core_filters !== undefined || d.ops_filters !== undefined;
  const addFilters = (list: DamoFilter[] | undefined, key: 'filters' | 'core_filters' | 'ops_filters') => {
    (list ?? []).forEach((f, fi) => {
      const fp = filterToParams(f, [...path, key, fi], c, env.opts.commitRefusals);
      if (key === 'core_filters' && !isCoreFilter(fp.type))
        err(c, [...path, key, fi, 'filter_type'], `expected a core filter type (addr, target) in core_filters; found ${JSON.stringify(fp.type)} (an ops filter: put it in ops_filters or filters)`);
      if (key === 'ops_filters' && isCoreFilter(fp.type))
        err(c, [...path, key, fi, 'filter_type'], `expected an ops filter type (anon, active, memcg, young, hugepage_size, unmapped) in ops_filters; found ${JSON.stringify(fp.type)}`);
      filters.push(layered ? { ...fp, source: { key, index: fi } } : fp);
    });
  };
  // sysfs install order: core_filters, ops_filters, then the legacy filters dir (damos.md §6.5).
  addFilters(d.core_filters, 'core_filters');
  addFilters(d.ops_filters, 'ops_filters');
  addFilters(d.filters, 'filters');
  const action = d.action ?? 'stat';
  return {
    action,
    targetNid: d.target_nid ?? -1,
    dests: (d.dests ?? []).map((x) => ({ id: x.id, weight: x.weight })),
    pattern,
    applyIntervalUs: d.apply_interval_us === undefined ? 0 : toNum(d.apply_interval_us, c, [...path, 'apply_interval_us'], 'an apply interval'),
    quota: {
      ms: q?.time_ms === undefined ? 0 : bigToNum(q.time_ms),
      sz: q?.sz_bytes ?? 0n,
      resetIntervalMs,
      failChargeNum: q?.fail_charge_num ?? 0,
      failChargeDenom: q?.fail_charge_denom ?? 0,
      goals,
      goalTuner: q?.goal_tuner ?? 'consist',
      weightSz: Number(q?.weights?.sz_permil ?? 0n),
      weightNrAccesses: Number(q?.weights?.nr_accesses_permil ?? 0n),
      weightAge: Number(q?.weights?.age_permil ?? 0n),
    },
    wmarks: {
      metric: w?.metric ?? 'none',
      intervalUs: w?.interval_us === undefined ? 0 : bigToNum(w.interval_us),
      high: clampU32(w?.high_permil ?? 0n),
      mid: clampU32(w?.mid_permil ?? 0n),
      low: clampU32(w?.low_permil ?? 0n),
    },
    filters,
    maxNrSnapshots: d.max_nr_snapshots ?? 0,
  };
}

/** ulong time fields as numbers: "max" saturates at 2^53 - 1, which no simulated clock reaches. */
function bigToNum(b: bigint): number {
  return b >= BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(b);
}

/** The way back for writers: a time saturated at 2^53 - 1 is the kernel's ULONG_MAX ("max"). */
export function numToUlong(x: number): bigint {
  return x >= Number.MAX_SAFE_INTEGER ? ULONG_MAX : BigInt(x);
}

/** A goal value in its metric's unit, as damo reads goal targets (damo-formats.md §1.3). */
export function parseGoalValue(metric: QuotaGoalMetric, v: string | number): bigint {
  switch (metric) {
    case 'some_mem_psi_us':
      return parseTime(v, 'us', true);
    case 'node_mem_used_bp':
    case 'node_mem_free_bp':
    case 'node_memcg_used_bp':
    case 'node_memcg_free_bp':
    case 'active_mem_bp':
    case 'inactive_mem_bp':
      return parseRatio(v, 'bp', true);
    case 'node_eligible_mem_bp':
      // damo accepts only a plain bp integer here ("60%" is rejected).
      if (typeof v === 'string' && v.includes('%')) throw new UnitError('a plain bp integer such as 6000 (node_eligible_mem_bp does not take percentages)', v);
      return parseNumber(v);
    default:
      return parseNumber(v);
  }
}

/** Whether a goal's nid is lost under this damo compatibility: upstream damo v3.3 has no nid for node_eligible_mem_bp. */
export function compatDropsNid(metric: QuotaGoalMetric, compat: DamoCompat | undefined): boolean {
  return metric === 'node_eligible_mem_bp' && compat === 'upstream';
}

function goalToParams(g: DamoGoal, path: readonly PathSeg[], c: Collector, env: SchemeEnv): GoalParams {
  let metric: QuotaGoalMetric = g.metric ?? 'user_input';
  let rawTarget = g.target_value;
  let rawCurrent = g.current_value;
  if (rawTarget === undefined && g.target_value_bp !== undefined) {
    metric = 'user_input';
    rawTarget = g.target_value_bp;
    rawCurrent = g.current_value_bp;
  } else if (g.metric === undefined) {
    err(c, [...path, 'metric'], expectedOneOf(QUOTA_GOAL_METRICS, undefined));
  }
  const parseTarget = (v: string | number | undefined, key: string): bigint => {
    if (v === undefined) {
      if (key === 'target_value') err(c, [...path, key], `expected a target value for metric ${metric}; found nothing`);
      return 0n;
    }
    try {
      return parseGoalValue(metric, v);
    } catch (e) {
      err(c, [...path, key], e instanceof UnitError ? e.message : String(e));
      return 0n;
    }
  };
  const targetValue = parseTarget(rawTarget, 'target_value');
  const currentValue = parseTarget(rawCurrent, 'current_value');
  if (rawTarget !== undefined && targetValue === 0n && !c.errors.some((e) => e.path === formatPath([...path, 'target_value'])))
    warn(c, [...path, 'target_value'], 'a goal with target_value 0 is dropped by the kernel (sysfs ignores it): this goal does nothing');
  let nid = g.nid ?? null;
  if (measuresNode(metric) && nid === null) warn(c, [...path, 'nid'], `metric ${metric} measures a node; no nid given, so the kernel uses node 0`);
  if (compatDropsNid(metric, env.opts.compat) && nid !== null) {
    warn(c, [...path, 'nid'], 'upstream damo v3.3 drops the nid of node_eligible_mem_bp goals: the kernel measures node 0 (--damo-compat upstream)');
    nid = null;
  }
  return { metric, targetValue, currentValue, nid, memcgPath: g.memcg_path ?? null };
}

function filterToParams(f: DamoFilter, path: readonly PathSeg[], c: Collector, commitRefusals?: ConfigIssue[]): FilterParams {
  // What the kernel cannot build: an error, or (reading a sysfs tree) a refusal at the bound's file.
  const unbuildable = (at: PathSeg[], bound: PathSeg | undefined, message: string) => {
    if (commitRefusals === undefined) err(c, at, message);
    else commitRefusals.push({ path: formatPath(bound === undefined ? at : [...at, bound]), message: `${message} (the kernel cannot build the filter: on and commit fail with -ENOMEM)` });
  };
  const allow = f.allow ?? f.filter_pass ?? false;
  let addrRange: FilterParams['addrRange'] = null;
  if (f.filter_type === 'addr') {
    if (!f.address_range) err(c, [...path, 'address_range'], 'expected {start, end} for an addr filter; found nothing');
    else {
      if (f.address_range.end < f.address_range.start)
        unbuildable([...path, 'address_range'], 'end', `expected start <= end; found start ${f.address_range.start} > end ${f.address_range.end}`);
      // Core address units, like the regions.
      addrRange = {
        start: toNum(f.address_range.start, c, [...path, 'address_range', 'start'], 'an address'),
        end: toNum(f.address_range.end, c, [...path, 'address_range', 'end'], 'an address'),
      };
    }
  }
  let hugepageSize: FilterParams['hugepageSize'] = null;
  if (f.filter_type === 'hugepage_size') {
    const h = f.hugepage_size;
    if (!h) err(c, [...path, 'hugepage_size'], 'expected [min, max] folio sizes for a hugepage_size filter; found nothing');
    else {
      const [lo, hi] = Array.isArray(h) ? h : [h.min, h.max];
      if (lo > hi) unbuildable([...path, 'hugepage_size'], 'max', `expected min <= max; found ${lo} > ${hi}`);
      hugepageSize = [toNum(lo, c, [...path, 'hugepage_size'], 'a size'), toNum(hi, c, [...path, 'hugepage_size'], 'a size')];
    }
  }
  if (f.filter_type === 'memcg' && !f.memcg_path) unbuildable([...path, 'memcg_path'], undefined, 'expected a cgroup path such as "/workload" for a memcg filter; found nothing');
  if (f.filter_type === 'target' && (f.damon_target_idx === undefined || f.damon_target_idx === null))
    err(c, [...path, 'damon_target_idx'], 'expected a target index for a target filter; found nothing');
  return {
    type: f.filter_type,
    matching: f.matching ?? true,
    allow,
    memcgPath: f.memcg_path ?? null,
    addrRange,
    targetIdx: f.damon_target_idx ?? null,
    hugepageSize,
  };
}
