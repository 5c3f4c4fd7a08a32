// SPDX-License-Identifier: GPL-2.0-only
/**
 * Loading a scenario: text (JSON or YAML) → zod validation → the normalised model → semantic
 * checks (what the kernel's commit would refuse, what the machine cannot hold). Every problem is
 * collected with its path; nothing throws but ConfigError.
 */
import { isMapping } from '../lib/json.js';
import { damoToParams, warnDamoKeys, warnDecimalLookingSizes, type Collector, type DamoReadOptions } from '../formats/damo/kdamonds.js';
import { UINT_MAX } from '../lib/kint.js';
import { readScenarioDoc } from '../formats/document.js';
import { showParsed } from '../formats/damo/units.js';
import { biggestNodeRange } from '../machine/machine.js';
import { DEFAULT_PROFILE, resolveProfile, type ProfileOverrides } from '../profiles.js';
import { ConfigError, addError, formatPath, fromZod, type ConfigIssue, type PathSeg } from './issues.js';
import { DURATION_EXPECTED, MAX_SIM_TIME_NS, simTimeFound, type KdamondParams, type Scenario, type WorkloadParams } from './model.js';
import { scenarioKeysAt } from './jsonschema.js';
import { machineSchema, scenarioSchema, type ScenarioParsed } from './schema.js';
import { z } from 'zod';
import { DAMON_PART, MACHINE_PART, damonCheckEnv, hotMovePath, partIsWhole, validateKdamonds, validateMachineWorkload, validateScenario } from './validate.js';
import { LATE_EVENT, lateEventWarnings, normaliseEvents, schemesCommitsMove } from './events.js';

const GiB = 2 ** 30;

export interface LoadedScenario {
  scenario: Scenario;
  warnings: ConfigIssue[];
}

/**
 * Give a loaded scenario another duration (`--duration`): which of its events the run never
 * reaches is judged anew against it.
 */
export function setDuration(loaded: LoadedScenario, durationNs: number): void {
  loaded.scenario.duration = durationNs;
  loaded.warnings = [...loaded.warnings.filter((w) => !w.message.startsWith(LATE_EVENT)), ...lateWarnings(loaded.scenario)];
}

/** Events and hot-set moves at or after the end of the run: they never happen (judged again by setDuration()). */
function lateWarnings(sc: Scenario): ConfigIssue[] {
  const moves: ConfigIssue[] = [];
  sc.workload.processes.forEach((p, pi) =>
    p.areas.forEach((a, ai) =>
      a.hot?.moves.forEach((m, i) => {
        if (m.at < sc.duration) return;
        moves.push({ path: formatPath([...hotMovePath(sc.workload, pi, ai, i), 'at']), message: `${LATE_EVENT} (${sc.duration / 1e9} s): the hot set never moves there` });
      }),
    ),
  );
  return [...lateEventWarnings(sc), ...moves];
}

export interface LoadOptions extends DamoReadOptions {
  /** Where the text came from, for parse-error messages. */
  source?: string;
  /**
   * The run's length if not the file's (`--duration`): the scenario gets it (setDuration()), and
   * what the run never reaches is judged against it, in the warnings that come with errors too.
   * The file's own duration is still validated.
   */
  durationNs?: number;
}

export function loadScenarioFile(path: string, opts: LoadOptions = {}): LoadedScenario {
  return scenarioFromDoc(readScenarioDoc(path), { ...opts, source: path });
}

/** Validate a parsed document and normalise it. Throws ConfigError listing every problem. */
export function scenarioFromDoc(doc: unknown, opts: LoadOptions = {}): LoadedScenario {
  // damo's own config (`damo args damon`, `damon-sim export`) is a scenario's damon part, not a
  // scenario: one line saying where it goes, not one per missing part and the unknown key.
  if (isMapping(doc) && 'kdamonds' in doc && !('damon' in doc) && !('machine' in doc))
    throw new ConfigError([{ path: 'kdamonds', message: `expected a scenario (machine, workload, damon, ...); found damo's kdamonds config, which goes under the scenario's "damon" key (see examples/tiering-6040.yaml; \`run\` and \`args\` also take it as JSON: --preset NAME --kdamonds FILE.json)` }]);
  const r = scenarioSchema.safeParse(doc, { reportInput: true });
  if (!r.success) {
    const shape = fromZod(r.error.issues, [], scenarioKeysAt);
    throw new ConfigError([...shape, ...wholePartsAlone(doc, shape, opts)]);
  }
  const c: Collector = { errors: [], warnings: [] };
  warnUnknownDamoKeys(doc, c);
  // Every size the file gives (machine, workload, damon, events), not its names and paths.
  warnDecimalLookingSizes(doc, [], c);
  const scenario = normalise(r.data, c, opts);
  // The default regions come from the machine: not from one whose values were replaced.
  if (partIsWhole(c.errors, MACHINE_PART)) defaultPaddrRegions(scenario);
  // A commit event replaces a kdamond's parameters: checks of what a scheme it changes can do say "until then".
  const fillRegions = (k: KdamondParams) => defaultPaddrRegions({ ...scenario, kdamonds: [k] });
  validateScenario(scenario, c, kdamondsPathOf(doc), schemesCommitsMove(r.data.events ?? [], scenario, opts.durationNs ?? scenario.duration, opts, fillRegions));
  if (r.data.events) scenario.events = normaliseEvents(r.data.events, scenario, c, opts, fillRegions);
  c.warnings.push(...lateWarnings(opts.durationNs === undefined ? scenario : { ...scenario, duration: opts.durationNs }));
  if (c.errors.length > 0) throw new ConfigError(c.errors, c.warnings);
  const loaded = { scenario, warnings: c.warnings };
  if (opts.durationNs !== undefined) setDuration(loaded, opts.durationNs);
  return loaded;
}

/**
 * After shape errors: each part zod found nothing wrong in, read and checked alone, as the whole
 * file would be once the shape errors are fixed. Returns the errors found.
 */
function wholePartsAlone(doc: unknown, shape: readonly ConfigIssue[], opts: LoadOptions): ConfigIssue[] {
  if (!isMapping(doc)) return [];
  const c: Collector = { errors: [], warnings: [] };
  const num = numberIn(c);
  let machinePart: Pick<Scenario, 'machine' | 'workload' | 'duration'> | undefined;
  if (partIsWhole(shape, MACHINE_PART)) {
    const p = scenarioSchema.pick({ machine: true, workload: true, duration: true }).strip().safeParse(doc);
    if (p.success) {
      const machine = normaliseMachine(p.data.machine, num);
      const part = { machine, workload: normaliseWorkload(p.data.workload, machine.nodes.length, num, c), duration: normaliseDuration(p.data.duration, c) };
      if (c.errors.length === 0) {
        validateMachineWorkload(part, c);
        machinePart = part;
      }
    }
  }
  const damon = partIsWhole(shape, DAMON_PART) ? { doc, standIns: [] } : schemesStoodIn(doc, shape);
  if (damon) {
    const p = scenarioSchema.pick({ damon: true, kernel: true }).strip().safeParse(damon.doc);
    if (p.success) {
      const before = c.errors.length;
      const kdamonds = damoToParams(p.data.damon, ['damon'], c, opts);
      const kernel = normaliseKernel(p.data.kernel);
      const env = machinePart ? damonCheckEnv({ ...machinePart, kernel }) : { profile: resolveProfile(kernel) };
      if (c.errors.length === before) validateKdamonds(kdamonds, c, env, kdamondsPathOf(doc));
      // What a stand-in drew is not the file's (it has its shape errors).
      const own = c.errors.splice(before).filter((e) => !damon.standIns.some((at) => within(e.path, at)));
      c.errors.push(...own);
    }
  }
  return c.errors;
}

/** Where a scheme's shape error lies: the scheme's own path, as formatPath() writes it. */
const SCHEME_PATH = /^damon(?:\.kdamonds)?\[\d+\]\.contexts\[\d+\]\.schemes\[\d+\]/;

/** Whether `path` is `at` or lies under it. */
function within(path: string, at: string): boolean {
  return path === at || (path.startsWith(at) && (path[at.length] === '.' || path[at.length] === '['));
}

/**
 * The document with every scheme that holds a DAMON-part shape error replaced by a stand-in (an
 * empty `stat` scheme, which every check takes), so that the rest of that part, its contexts'
 * attributes and its other schemes, is checked now rather than once those schemes are fixed.
 * Undefined when a shape error lies outside every scheme (a context or kdamond is then not read).
 */
function schemesStoodIn(doc: Record<string, unknown>, shape: readonly ConfigIssue[]): { doc: Record<string, unknown>; standIns: string[] } | undefined {
  const standIns = new Set<string>();
  for (const i of shape) {
    if (partIsWhole([i], DAMON_PART)) continue;
    const m = SCHEME_PATH.exec(i.path);
    if (!m) return undefined;
    standIns.add(m[0]);
  }
  const copy = structuredClone(doc);
  const base = kdamondsPathOf(doc);
  for (const at of standIns) {
    const [k, ctx, scheme] = (at.match(/\d+/g) ?? []).map(Number);
    const root = copy.damon as unknown[] | { kdamonds: unknown[] };
    const list = (base.length === 1 ? root : (root as { kdamonds: unknown[] }).kdamonds) as Array<{ contexts: Array<{ schemes: unknown[] }> }>;
    list[k].contexts[ctx].schemes[scheme] = { action: 'stat' };
  }
  return { doc: copy, standIns: [...standIns] };
}

/**
 * Only the `machine` part of a document (other keys are not read): for commands that need a
 * machine and nothing else (`args --machine`). Throws ConfigError listing every problem.
 */
export function machineFromDoc(doc: unknown): Scenario['machine'] {
  const r = z.object({ machine: machineSchema }).safeParse(doc, { reportInput: true });
  if (!r.success) throw new ConfigError(fromZod(r.error.issues, [], scenarioKeysAt));
  const c: Collector = { errors: [], warnings: [] };
  const machine = normaliseMachine(r.data.machine, numberIn(c));
  if (c.errors.length > 0) throw new ConfigError(c.errors);
  return machine;
}

type NumberIn = (b: bigint | undefined, dflt: number, path: PathSeg[]) => number;

/** A parsed integer as a number, or an error where it does not fit one exactly. */
function numberIn(c: Collector): NumberIn {
  return (b, dflt, path) => {
    if (b === undefined) return dflt;
    if (b > BigInt(Number.MAX_SAFE_INTEGER)) {
      addError(c, path, `expected a value below 2^53; found ${showParsed(b)}`);
      return dflt;
    }
    return Number(b);
  };
}

function normaliseMachine(m: ScenarioParsed['machine'], num: NumberIn): Scenario['machine'] {
  const nodes = m.nodes.map((n, i) => {
    const kind = n.kind ?? (i === 0 ? 'dram' : 'cxl');
    return {
      capacity: num(n.capacity, 0, ['machine', 'nodes', i, 'capacity']),
      kind,
      latencyNs: n.latency_ns ?? (kind === 'dram' ? 100 : 250),
      reserved: num(n.reserved, 0, ['machine', 'nodes', i, 'reserved']),
      watermark: num(n.watermark, 0, ['machine', 'nodes', i, 'watermark']),
    };
  });
  const costs = m.costs;
  return {
    base: num(m.base, 4 * GiB, ['machine', 'base']),
    holeBetweenNodes: num(m.hole, 0, ['machine', 'hole']),
    nodes,
    swap: num(m.swap, 0, ['machine', 'swap']),
    swapInUs: m.swap_in_us ?? 20,
    costs: costs && {
      migrateNsPer4k: costs.migrate_ns_per_4k,
      migrateNsPer2m: costs.migrate_ns_per_2m,
      walkNsPerFolio: costs.walk_ns_per_folio,
      pageoutNsPer4k: costs.pageout_ns_per_4k,
      lruMoveNsPerFolio: costs.lru_move_ns_per_folio,
      sampleNsPerRegion: costs.sample_ns_per_region,
    },
  };
}

function normalise(d: ScenarioParsed, c: Collector, opts: LoadOptions): Scenario {
  const num = numberIn(c);
  const machine = normaliseMachine(d.machine, num);
  const nodes = machine.nodes;
  const kdamonds = damoToParams(d.damon, ['damon'], c, opts);
  return {
    name: d.name ?? 'scenario',
    description: d.description ?? '',
    seed: d.seed ?? 1,
    duration: normaliseDuration(d.duration, c),
    kernel: normaliseKernel(d.kernel),
    sampling: d.sampling ?? 'region',
    machine,
    workload: normaliseWorkload(d.workload, nodes.length, num, c),
    kdamonds,
    record: { aggrStride: Math.max(1, Math.min(UINT_MAX, d.record?.aggr_stride ?? 1)) },
  };
}

function normaliseDuration(d: ScenarioParsed['duration'], c: Collector): number {
  if (d === undefined) return 60e9;
  if (d > BigInt(MAX_SIM_TIME_NS)) {
    // In the time's own terms, as --duration says it: the ns count alone means little.
    addError(c, ['duration'], `expected ${DURATION_EXPECTED}; found ${simTimeFound(d)}`);
    return 60e9;
  }
  return Number(d);
}

function normaliseKernel(k: ScenarioParsed['kernel']): Scenario['kernel'] {
  return { profile: k?.profile ?? DEFAULT_PROFILE.name, hz: k?.hz ?? 1000, overrides: k?.overrides as ProfileOverrides | undefined };
}

/** Both workload forms become processes with areas; `hotset` is one process with one anon area. */
function normaliseWorkload(w: ScenarioParsed['workload'], nrNodes: number, num: NumberIn, c: Collector): WorkloadParams {
  const allNodes = Array.from({ length: nrNodes }, (_, i) => i);
  const share = (b: bigint | undefined, path: PathSeg[]): number => {
    const v = num(b, 9900, path);
    if (v > 10000) addError(c, path, `expected a share of accesses of at most 100 % (10000 bp); found ${v / 100} % (${v} bp)`);
    return Math.min(v, 10000) / 10000;
  };
  if (w.type === 'hotset') {
    return {
      hotsetForm: true,
      processes: [
        {
          name: 'hotset',
          memcg: w.memcg ?? '/',
          areas: [
            {
              name: 'rss',
              bytes: num(w.rss, 0, ['workload', 'rss']),
              anon: w.anon ?? true,
              mapped: true,
              thp: w.thp ?? false,
              nodes: w.nodes ?? allNodes,
              accessRate: w.access_rate,
              hot: {
                bytes: num(w.hot_set, 0, ['workload', 'hot_set']),
                share: share(w.hot_share, ['workload', 'hot_share']),
                offset: num(w.hot_offset, 0, ['workload', 'hot_offset']),
                moves: (w.moves ?? []).map((m, i) => ({ at: m.at, offset: num(m.hot_offset, 0, ['workload', 'moves', i, 'hot_offset']) })),
              },
            },
          ],
        },
      ],
    };
  }
  return {
    processes: w.processes.map((p, pi) => ({
      name: p.name ?? `process${pi}`,
      memcg: p.memcg ?? '/',
      areas: p.areas.map((a, ai) => {
        const ap: PathSeg[] = ['workload', 'processes', pi, 'areas', ai];
        return {
          name: a.name ?? `area${ai}`,
          bytes: num(a.bytes, 0, [...ap, 'bytes']),
          anon: (a.kind ?? 'anon') === 'anon',
          mapped: a.mapped ?? true,
          thp: a.thp ?? false,
          nodes: a.nodes ?? allNodes,
          accessRate: a.access_rate,
          hot: a.hot
            ? {
                bytes: num(a.hot.bytes, 0, [...ap, 'hot', 'bytes']),
                share: share(a.hot.share, [...ap, 'hot', 'share']),
                offset: num(a.hot.offset, 0, [...ap, 'hot', 'offset']),
                moves: (a.hot.moves ?? []).map((m, i) => ({ at: m.at, offset: num(m.offset, 0, [...ap, 'hot', 'moves', i, 'offset']) })),
              }
            : null,
        };
      }),
    })),
  };
}

/**
 * A paddr target without regions monitors the biggest "System RAM" block, as damo and the DAMON
 * modules default (damon-monitoring.md §3.4): here the largest node, the first on ties.
 */
function defaultPaddrRegions(s: Scenario): void {
  const best = biggestNodeRange(s.machine) ?? { start: 0, end: 0 };
  for (const k of s.kdamonds)
    for (const ctx of k.contexts)
      if (ctx.ops === 'paddr')
        for (const t of ctx.targets)
          if (t.regions.length === 0) t.regions.push({ start: Math.floor(best.start / ctx.addrUnit), end: Math.floor(best.end / ctx.addrUnit) });
}

/** Where a scenario file keeps its list of kdamonds: `damon.kdamonds`, or `damon` as a bare list. */
function kdamondsPathOf(doc: unknown): PathSeg[] {
  return Array.isArray((doc as { damon?: unknown }).damon) ? ['damon'] : ['damon', 'kdamonds'];
}

/** damo ignores unknown keys; a typo there silently does nothing, so say so. */
function warnUnknownDamoKeys(doc: unknown, c: Collector): void {
  const root = (doc as { damon?: unknown }).damon;
  const list = Array.isArray(root) ? root : (root as { kdamonds?: unknown[] } | undefined)?.kdamonds;
  if (!Array.isArray(list)) return;
  const base = kdamondsPathOf(doc);
  list.forEach((k, ki) => warnDamoKeys(k, [...base, ki], c));
}
