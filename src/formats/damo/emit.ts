// SPDX-License-Identifier: GPL-2.0-only
/**
 * Emitting damo's kdamonds format from the normalised parameters (damo-formats.md §1), and reading
 * it back. Access patterns are emitted in kernel units ("N samples", "N aggr_intervals"), as damo
 * prints a running kdamond, so that parse(emit(x)) is x for every parameter set, human or raw,
 * JSON or YAML.
 */
import { stringify } from 'yaml';
import { ConfigError, formatPath, fromZod, type ConfigIssue, type PathSeg } from '../../scenario/issues.js';
import type { ContextParams, FilterParams, GoalParams, KdamondParams, SchemeParams } from '../../scenario/model.js';
import { compatDropsNid, damoToParams, numToUlong, kdamondsSchema, percentOf, type Collector, type DamoCompat, type DamoKdamonds, type DamoReadOptions } from './kdamonds.js';
import { kdamondsTree, type DamoContext, type DamoFilter, type DamoGoal, type DamoJson, type DamoKdamond, type DamoScheme, type PrintOptions } from './tree.js';

export type { DamoCompat };
export type TextFormat = 'json' | 'yaml';

export interface EmitOptions extends PrintOptions {
  /** Print the bare list (as `damo report damon --format json`) instead of `{"kdamonds": [...]}`. */
  bare?: boolean;
  /** upstream: print `"nid": null` for node_eligible_mem_bp goals, as upstream damo v3.3 does. */
  compat?: DamoCompat;
  /** Receives what the emission changes or drops (the upstream nid drop). */
  warnings?: ConfigIssue[];
}

function goalToDamo(g: GoalParams, path: PathSeg[], opts: EmitOptions): DamoGoal {
  let nid = g.nid;
  if (compatDropsNid(g.metric, opts.compat) && nid !== null) {
    opts.warnings?.push({
      path: formatPath(path),
      message: `upstream damo v3.3 prints "nid": null for node_eligible_mem_bp (nid ${nid} dropped; the kernel then measures node 0) (--damo-compat upstream)`,
    });
    nid = null;
  }
  return { metric: g.metric, nid, memcgPath: g.memcgPath, targetValue: g.targetValue, currentValue: g.currentValue };
}

function filterToDamo(f: FilterParams): DamoFilter {
  return {
    type: f.type,
    matching: f.matching,
    allow: f.allow,
    memcgPath: f.memcgPath,
    addressRange: f.addrRange === null ? null : { start: BigInt(f.addrRange.start), end: BigInt(f.addrRange.end) },
    damonTargetIdx: f.targetIdx === null ? null : BigInt(f.targetIdx),
    hugepageSize: f.hugepageSize === null ? null : [BigInt(f.hugepageSize[0]), BigInt(f.hugepageSize[1])],
  };
}

function schemeToDamo(s: SchemeParams, path: PathSeg[], opts: EmitOptions): DamoScheme {
  const q = s.quota;
  const w = s.wmarks;
  return {
    action: s.action,
    dests: s.dests.map((d) => ({ id: d.id, weight: d.weight })),
    targetNid: s.targetNid === -1 ? null : s.targetNid,
    pattern: {
      sz: [s.pattern.minSzRegion, s.pattern.maxSzRegion],
      nrAccesses: { unit: 'samples', min: BigInt(s.pattern.minNrAccesses), max: BigInt(s.pattern.maxNrAccesses) },
      age: { unit: 'aggr_intervals', min: BigInt(s.pattern.minAgeRegion), max: BigInt(s.pattern.maxAgeRegion) },
    },
    applyIntervalUs: BigInt(s.applyIntervalUs),
    quotas: {
      timeMs: numToUlong(q.ms),
      szBytes: q.sz,
      resetIntervalMs: numToUlong(q.resetIntervalMs),
      failChargeNum: BigInt(q.failChargeNum),
      failChargeDenom: BigInt(q.failChargeDenom),
      goals: q.goals.map((g, gi) => goalToDamo(g, [...path, 'quotas', 'goals', gi], opts)),
      goalTuner: q.goalTuner,
      effectiveSzBytes: 0n,
      weights: { sz: BigInt(q.weightSz), nrAccesses: BigInt(q.weightNrAccesses), age: BigInt(q.weightAge) },
    },
    wmarks: { metric: w.metric, intervalUs: numToUlong(w.intervalUs), high: BigInt(w.high), mid: BigInt(w.mid), low: BigInt(w.low) },
    filters: s.filters.map((f) => filterToDamo(f)),
    maxNrSnapshots: BigInt(s.maxNrSnapshots),
  };
}

function contextToDamo(c: ContextParams, path: PathSeg[], opts: EmitOptions): DamoContext {
  const au = BigInt(c.addrUnit);
  const a = c.attrs;
  return {
    ops: c.ops,
    addrUnit: au,
    targets: c.targets.map((t) => ({
      pid: t.pid,
      obsolete: t.obsolete,
      regions: t.regions.map((r) => ({ start: BigInt(r.start), end: BigInt(r.end) })),
    })),
    intervals: {
      sampleUs: BigInt(a.sampleInterval),
      aggrUs: BigInt(a.aggrInterval),
      opsUpdateUs: BigInt(a.opsUpdateInterval),
      goal: {
        accessBp: BigInt(a.intervalsGoal.accessBp),
        aggrs: BigInt(a.intervalsGoal.aggrs),
        minSampleUs: BigInt(a.intervalsGoal.minSampleUs),
        maxSampleUs: BigInt(a.intervalsGoal.maxSampleUs),
      },
    },
    nrRegions: { min: BigInt(a.minNrRegions), max: BigInt(a.maxNrRegions) },
    pause: c.pause,
    schemes: c.schemes.map((s, si) => schemeToDamo(s, [...path, 'schemes', si], opts)),
  };
}

/** The normalised parameters as damo's object model (kernel units for access patterns). */
export function paramsToDamo(kdamonds: readonly KdamondParams[], opts: EmitOptions = {}): DamoKdamond[] {
  return kdamonds.map((k, ki) => ({
    refreshMs: BigInt(k.refreshMs),
    contexts: k.contexts.map((c, ci) => contextToDamo(c, ['kdamonds', ki, 'contexts', ci], opts)),
  }));
}

/** Wrap a printed kdamonds list as damo does: `{"kdamonds": [...]}`, or the bare list. */
export function wrapKdamonds(list: DamoJson[], bare = false): DamoJson {
  return bare ? list : { kdamonds: list };
}

/** damo's kdamonds tree for the parameters, ready for {@link formatDamoText}. */
export function emitKdamonds(kdamonds: readonly KdamondParams[], opts: EmitOptions = {}): DamoJson {
  return wrapKdamonds(kdamondsTree(paramsToDamo(kdamonds, opts), opts), opts.bare);
}

/**
 * JSON as damo writes it (json.dumps with indent 4) or YAML as damo's safe dumper writes it (block
 * style, key order kept, sequences not indented, single quotes for strings that look like numbers).
 */
export function formatDamoText(tree: unknown, format: TextFormat): string {
  if (format === 'json') return `${JSON.stringify(tree, null, 4)}\n`;
  return stringify(tree, { indentSeq: false, singleQuote: true, lineWidth: 0 });
}

/**
 * formatDamoText() as damo print()s its config (damo args damon, damo report damon --format): JSON
 * (json.dumps()) gets its one newline from print(), YAML (yaml.dump() ends with one) a second.
 */
export function formatDamoPrinted(tree: unknown, format: TextFormat): string {
  const text = formatDamoText(tree, format);
  return format === 'yaml' ? `${text}\n` : text;
}

/**
 * readKdamonds(), and damo's object model of the document with the access-pattern bounds in the
 * units it gave them (percent, µs), as damo keeps them and `damo args damon` prints them back;
 * paramsToDamo() alone gives kernel units (samples, aggregation intervals).
 */
export function readKdamondsAsGiven(doc: unknown, opts: DamoReadOptions & { source?: string } = {}): { params: KdamondParams[]; warnings: ConfigIssue[]; kdamonds: DamoKdamond[] } {
  const { parsed, ...read } = readParsed(doc, opts);
  const kdamonds = paramsToDamo(read.params, opts);
  (Array.isArray(parsed) ? parsed : parsed.kdamonds).forEach((k, ki) =>
    k.contexts.forEach((c, ci) =>
      (c.schemes ?? []).forEach((s, si) => {
        const pattern = kdamonds[ki].contexts[ci].schemes[si].pattern;
        const nr = s.access_pattern?.nr_accesses;
        if (nr && nr.min.kind !== 'samples' && nr.max.kind !== 'samples')
          pattern.nrAccesses = { unit: 'percent', min: percentOf(nr.min), max: percentOf(nr.max), bare: [nr.min.kind === 'percent' && nr.min.bare, nr.max.kind === 'percent' && nr.max.bare] };
        const age = s.access_pattern?.age;
        if (age && age.min.kind === 'us' && age.max.kind === 'us') pattern.age = { unit: 'usec', min: age.min.value, max: age.max.value };
      }),
    ),
  );
  return { ...read, kdamonds };
}

/** Read a parsed damo kdamonds document (either wrapper) into parameters; ConfigError on any error. */
export function readKdamonds(doc: unknown, opts: DamoReadOptions & { source?: string } = {}): { params: KdamondParams[]; warnings: ConfigIssue[] } {
  const { params, warnings } = readParsed(doc, opts);
  return { params, warnings };
}

/** readKdamonds(), with the schema's reading of the document it started from. */
function readParsed(doc: unknown, opts: DamoReadOptions & { source?: string }): { params: KdamondParams[]; warnings: ConfigIssue[]; parsed: DamoKdamonds } {
  const r = kdamondsSchema.safeParse(doc, { reportInput: true });
  const base: PathSeg[] = opts.source === undefined ? [] : [opts.source];
  if (!r.success) throw new ConfigError(fromZod(r.error.issues, base));
  const c: Collector = { errors: [], warnings: [] };
  const params = damoToParams(r.data, base, c, opts);
  if (c.errors.length > 0) throw new ConfigError(c.errors, c.warnings);
  return { params, warnings: c.warnings, parsed: r.data };
}
