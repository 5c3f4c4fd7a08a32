// SPDX-License-Identifier: GPL-2.0-only
/**
 * Scheduled online changes: the scenario's `events` list, each a write of a sysfs
 * `kdamonds/<K>/state` command at a simulated time (damos.md §7): `commit` (a full new damo
 * kdamond object), `commit_schemes_quota_goals` (patches to goal files), the `update_*` snapshot
 * commands, `off` and `on` (a stopped kdamond starts again from its files). The
 * `{at, kdamond, scheme, goal, current_value}` form is sugar for a user_input feed
 * (`commit_schemes_quota_goals` after writing `current_value`).
 *
 * Normalising keeps a mirror of each kdamond's sysfs files in time order: a `commit` replaces it
 * (whether or not the kernel then accepts the commit, the files hold what was written), goal
 * patches edit it. Every event carries the complete parameter set it commits, so the run needs no
 * mirror of its own.
 */
import { z } from 'zod';
import { damoToParams, kdamondsSchema, parseGoalValue, warnDamoKeys, type DamoReadOptions } from '../formats/damo/kdamonds.js';
import { UnitError } from '../formats/damo/units.js';
import { intV, signedIntV, timeBareV } from '../formats/damo/values.js';
import { attrsError, type DamonAttrs } from '../damon/attrs.js';
import { sysfsTargetsRefusal } from '../damon/commit.js';
import { isPow2 } from '../lib/kint.js';
import { namesMemcg } from '../lib/kstring.js';
import { measuresMemcg } from '../damos/scheme.js';
import { toJson } from '../lib/json.js';
import { minRegionSzFor } from '../run/build.js';
import { addError, addWarning, formatPath, type Collector, type ConfigIssue, type PathSeg } from './issues.js';
import { MAX_SIM_TIME_NS, SIM_TIME_EXPECTED, simTimeFound, type ContextParams, type KdamondParams, type Scenario } from './model.js';
import { damonCheckEnv, missingNodeOfGoal, schemeKeyOf, unreachableBpTarget, unreachableNodeTarget, unmonitoredGoalNode, validateKdamonds, type DamonCheckEnv } from './validate.js';

export const EVENT_COMMANDS = [
  'commit',
  'commit_schemes_quota_goals',
  'update_schemes_tried_regions',
  'update_schemes_tried_bytes',
  'update_schemes_stats',
  'update_schemes_effective_quotas',
  'update_tuned_intervals',
  'clear_schemes_tried_regions',
  'off',
  'on',
] as const;
export type EventCommand = (typeof EVENT_COMMANDS)[number];

/** One damo kdamond object: an element of `damon.kdamonds`. */
const kdamondObjectSchema = kdamondsSchema.options[1].element;

const scalar = z.union([z.string(), z.number()]);

/**
 * A point in simulated time, in ns: a bare number (or numeric string) is seconds, fractions allowed;
 * else a damo time string. Every `at` (events, hot-set moves) is read by this one rule, so "1.5"
 * names the same nanosecond whichever key it is in; `expected` is the key's own range.
 */
export const simTimeV = (expected = SIM_TIME_EXPECTED) =>
  timeBareV('s', 'ns', expected)
    .refine((ns) => ns <= BigInt(MAX_SIM_TIME_NS), { error: (iss) => `expected ${expected}; found ${simTimeFound(iss.input as bigint)}` })
    .transform(Number);

const goalPatchSchema = z.strictObject({
  scheme: intV().describe('scheme index in the kdamond\'s context'),
  goal: intV().describe('goal index in the scheme\'s quotas.goals'),
  target_value: scalar.optional(),
  current_value: scalar.optional().describe('user_input goals: the value fed to the kernel'),
  nid: signedIntV().optional(),
});

export const eventSchema = z.strictObject({
  at: simTimeV(),
  kdamond: intV().optional().describe('kdamond index (default 0)'),
  command: z.enum(EVENT_COMMANDS).optional().describe('the state command written; omitted: a user_input feed (scheme, goal, current_value)'),
  via: z
    .enum(['sysfs', 'module'])
    .optional()
    .describe('commit only. sysfs (default): validated on a test context first, a refused commit leaves the kdamond running; module: damon_commit_ctx() straight on the running context as DAMON_RECLAIM/LRU_SORT commit_inputs do, so a refused commit stops the kdamond'),
  damon: kdamondObjectSchema.optional().describe('commit: the complete new kdamond object (damo format, one context)'),
  goals: z.array(goalPatchSchema).optional().describe('commit_schemes_quota_goals: goal files to write before the command'),
  scheme: intV().optional(),
  goal: intV().optional(),
  current_value: scalar.optional(),
});

export const eventsSchema = z.array(eventSchema).describe('scheduled online changes (sysfs state commands at simulated times)');

export type EventDoc = z.output<typeof eventSchema>;

export interface ScheduledEvent {
  /** Position in the scenario's `events` list. */
  index: number;
  /** JSON path of the event, for messages. */
  path: string;
  /** Simulated time, ns. */
  at: number;
  kdamond: number;
  command: EventCommand;
  /** commit: how the commit reaches damon_commit_ctx(). */
  via: 'sysfs' | 'module';
  /** commit / commit_schemes_quota_goals / on: the kdamond's complete parameters (sysfs files) at that point. */
  params?: KdamondParams;
}

const err = addError;
const warn = addWarning;

/** A copy deep enough for goal patches (contexts, schemes, quotas and goals are fresh objects). */
function cloneForGoals(k: KdamondParams): KdamondParams {
  return {
    ...k,
    contexts: k.contexts.map((ctx) => ({
      ...ctx,
      schemes: ctx.schemes.map((s) => ({ ...s, quota: { ...s.quota, goals: s.quota.goals.map((g) => ({ ...g })) } })),
    })),
  };
}

/** Rewrite issue paths of a sub-collector from one prefix to another. */
function moveIssues(from: Collector, to: Collector, oldPrefix: string, newPrefix: string): void {
  const mv = (p: string) => (p.startsWith(oldPrefix) ? newPrefix + p.slice(oldPrefix.length) : p);
  for (const i of from.errors) to.errors.push({ path: mv(i.path), message: i.message });
  for (const i of from.warnings) to.warnings.push({ path: mv(i.path), message: i.message });
}

/** What the kernel refuses (-EINVAL) when a commit brings this context: the key each concerns, and why. */
function commitRefusals(ctx: ContextParams, via: ScheduledEvent['via']): Array<{ key: 'addr_unit' | 'ops' | 'intervals' | 'targets'; why: string }> {
  const out: Array<{ key: 'addr_unit' | 'ops' | 'intervals' | 'targets'; why: string }> = [];
  // A module's own commit builds its context without the sysfs interface's target check.
  if (via === 'sysfs' && sysfsTargetsRefusal(ctx.ops, ctx.targets.length)) out.push({ key: 'targets', why: `a paddr context takes one target (damon_sysfs_add_targets()); found ${ctx.targets.length} (-EINVAL)` });
  const msz = minRegionSzFor(ctx.addrUnit || 1, ctx.ops);
  if (!isPow2(msz)) out.push({ key: 'addr_unit', why: `min_region_sz ${msz} (4096 / addr_unit ${ctx.addrUnit}) is not a power of two (-EINVAL)` });
  const eligible = ctx.schemes.some((s) => s.quota.goals.some((g) => g.metric === 'node_eligible_mem_bp'));
  if (ctx.ops !== 'paddr' && eligible) out.push({ key: 'ops', why: `node_eligible_mem_bp goals need ops "paddr"; found ${JSON.stringify(ctx.ops)} (-EINVAL)` });
  const ae = attrsError({ ...ctx.attrs, aggrSamples: 0 } as DamonAttrs);
  if (ae) out.push({ key: 'intervals', why: `damon_set_attrs refuses the attributes: ${ae} (-EINVAL)` });
  return out;
}

/**
 * What the kernel refuses at commit time becomes a warning here (the run shows the refusal);
 * everything else the scenario's own validation would refuse is an error, at the event's path.
 */
function validateCommitParams(k: KdamondParams, sc: Scenario, path: readonly PathSeg[], c: Collector, via: ScheduledEvent['via']): void {
  const p = formatPath(path);
  const ctx = k.contexts[0];
  const cp = [...path, 'contexts', 0];
  // Checked as the kernel would once it took the commit: each refused part as a neutral one.
  const neutral = { ...ctx };
  for (const { key, why } of commitRefusals(ctx, via)) {
    warn(c, [...cp, key], `the kernel refuses this commit: ${why}`);
    if (key === 'targets') neutral.targets = ctx.targets.slice(0, 1);
    else if (key === 'addr_unit') neutral.addrUnit = 1;
    else if (key === 'ops') neutral.ops = 'paddr';
    else neutral.attrs = { ...ctx.attrs, sampleInterval: 5000, aggrInterval: 100000, minNrRegions: 10, maxNrRegions: 1000, intervalsGoal: { accessBp: 0, aggrs: 0, minSampleUs: 0, maxSampleUs: 0 } };
  }
  const sub: Collector = { errors: [], warnings: [] };
  validateKdamonds([{ ...k, contexts: [neutral] }], sub, { ...damonCheckEnv(sc), viaModule: via === 'module' });
  moveIssues(sub, c, 'damon.kdamonds[0]', p);
}

/** The warning for an event the run never reaches (`--duration` may shorten the file's run). */
export const LATE_EVENT = 'at or after the end of the run';

/**
 * Events the run never delivers: one warning each, at the event's `at`. One due exactly at the end
 * is not delivered either: the kdamond would take it in at the end of a later sampling sleep.
 */
export function lateEventWarnings(sc: Pick<Scenario, 'events' | 'duration'>): ConfigIssue[] {
  return (sc.events ?? []).filter((e) => e.at >= sc.duration).map((e) => lateEventWarning(e.path, sc.duration));
}

function lateEventWarning(path: string, durationNs: number): ConfigIssue {
  return { path: `${path}.at`, message: `${LATE_EVENT} (${durationNs / 1e9} s): never delivered` };
}

/**
 * The schemes of `sc`'s kdamonds (keys schemeKeyOf()) whose memory to act on a commit event the run
 * delivers (before `endNs`) and the kernel takes changes: their context's ops or regions, or their
 * action, node or filters, differ in the committed kdamond (sizes compared in bytes, whatever
 * addr_unit counts them in), or it has no scheme at their place. What such a scheme cannot do yet,
 * a warning says it cannot do until that commit; of the other schemes, it holds for the whole run.
 * A commit that does not read as one changes nothing here (normaliseEvents() reports it).
 */
export function schemesCommitsMove(docs: readonly EventDoc[], sc: Scenario, endNs: number, opts: DamoReadOptions = {}, fillRegions?: (k: KdamondParams) => void): Set<string> {
  const moved = new Set<string>();
  const memoryOf = (k: KdamondParams, ci: number, si: number): string | undefined => {
    const ctx = k.contexts[ci];
    const s = ctx?.schemes[si];
    if (!s) return undefined;
    const au = ctx.addrUnit;
    const bytes = (r: { start: number; end: number }) => [r.start * au, r.end * au];
    return toJson({
      ops: ctx.ops,
      regions: ctx.targets.map((t) => t.regions.map(bytes)),
      action: s.action,
      nid: s.targetNid,
      // Which list a filter was written in (filters, core_filters) is no part of what it does.
      filters: s.filters.map(({ source: _source, ...f }) => ({ ...f, addrRange: f.addrRange && bytes(f.addrRange) })),
    });
  };
  for (const d of docs) {
    const ki = d.kdamond ?? 0;
    const before = sc.kdamonds[ki];
    if (d.command !== 'commit' || d.damon === undefined || before === undefined || d.at >= endNs) continue;
    const sub: Collector = { errors: [], warnings: [] };
    const [after] = damoToParams([d.damon], [], sub, opts);
    if (sub.errors.length > 0 || after === undefined || after.contexts.some((c) => commitRefusals(c, d.via ?? 'sysfs').length > 0)) continue;
    fillRegions?.(after);
    before.contexts.forEach((ctx, ci) =>
      ctx.schemes.forEach((_s, si) => {
        if (memoryOf(before, ci, si) !== memoryOf(after, ci, si)) moved.add(schemeKeyOf(ki, ci, si));
      }),
    );
  }
  return moved;
}

/**
 * Turn the parsed `events` list into scheduled events in time order, checking indices against the
 * sysfs mirror of each kdamond at that time. Problems go to the collector with their JSON paths.
 */
export function normaliseEvents(docs: readonly EventDoc[], sc: Scenario, c: Collector, opts: DamoReadOptions = {}, fillRegions?: (k: KdamondParams) => void): ScheduledEvent[] {
  const validate = c.errors.length === 0;
  const order = docs.map((d, i) => ({ d, i })).sort((a, b) => a.d.at - b.d.at || a.i - b.i);
  const mirror: KdamondParams[] = sc.kdamonds.slice();
  const out: ScheduledEvent[] = [];
  /** What the machine lets each node's memory metrics read, once a goal patch asks. */
  let checkEnv: DamonCheckEnv | undefined;
  for (const { d, i } of order) {
    const path: PathSeg[] = ['events', i];
    const k = d.kdamond ?? 0;
    const command: EventCommand = d.command ?? 'commit_schemes_quota_goals';
    const sugar = d.command === undefined;
    let ok = true;
    const bad = (p: PathSeg[], m: string) => {
      err(c, p, m);
      ok = false;
    };
    if (k >= sc.kdamonds.length) bad([...path, 'kdamond'], `expected a kdamond index below ${sc.kdamonds.length}; found ${k}`);
    else if (sc.kdamonds[k].contexts.length !== 1) bad([...path, 'kdamond'], `expected a kdamond with one context (state commands act on it); found kdamond ${k} with ${sc.kdamonds[k].contexts.length}`);
    const found = sugar ? 'no command (a user_input feed)' : `command "${command}"`;
    if (d.via !== undefined && command !== 'commit') bad([...path, 'via'], `expected via only with command "commit"; found ${found}`);
    if (d.damon !== undefined && command !== 'commit') bad([...path, 'damon'], `expected damon only with command "commit"; found ${found}`);
    if (d.goals !== undefined && (sugar || command !== 'commit_schemes_quota_goals')) bad([...path, 'goals'], `expected goals only with command "commit_schemes_quota_goals"; found ${found}`);
    if (command === 'commit' && d.damon === undefined) bad([...path, 'damon'], 'expected the complete new kdamond object (damo format) for a commit; found nothing');
    if (sugar) {
      for (const key of ['scheme', 'goal', 'current_value'] as const)
        if (d[key] === undefined) bad([...path, key], `expected ${key} for a user_input feed (or a command); found nothing`);
    } else {
      for (const key of ['scheme', 'goal', 'current_value'] as const)
        if (d[key] !== undefined) bad([...path, key], `expected ${key} only in the user_input feed form (without command); found ${found} (goal files go in goals: [{scheme, goal, current_value}] with command "commit_schemes_quota_goals")`);
    }
    if (!ok) {
      // Refused events never reach lateEventWarnings(): judge them against the file's duration here.
      if (d.at >= sc.duration) c.warnings.push(lateEventWarning(formatPath(path), sc.duration));
      continue;
    }

    const ev: ScheduledEvent = { index: i, path: formatPath(path), at: d.at, kdamond: k, command, via: d.via ?? 'sysfs' };
    if (command === 'commit') {
      const sub: Collector = { errors: [], warnings: [] };
      warnDamoKeys(d.damon, [...path, 'damon'], sub);
      const [params] = damoToParams([d.damon!], [...path, 'damon'], sub, opts);
      moveIssues(sub, c, `${formatPath(path)}.damon[0]`, `${formatPath(path)}.damon`);
      if (sub.errors.length > 0) continue;
      if (params.contexts.length !== 1) {
        err(c, [...path, 'damon', 'contexts'], `expected exactly one context (the sysfs commit refuses other counts with -EINVAL); found ${params.contexts.length}`);
        continue;
      }
      fillRegions?.(params);
      if (validate) validateCommitParams(params, sc, [...path, 'damon'], c, ev.via);
      mirror[k] = params;
      ev.params = params;
    } else if (command === 'commit_schemes_quota_goals') {
      const patches = sugar ? [{ scheme: d.scheme!, goal: d.goal!, current_value: d.current_value, target_value: undefined, nid: undefined }] : (d.goals ?? []);
      const next = cloneForGoals(mirror[k]);
      const schemes = next.contexts[0].schemes;
      patches.forEach((g, gi) => {
        const pp: PathSeg[] = sugar ? path : [...path, 'goals', gi];
        if (g.scheme >= schemes.length) return bad([...pp, 'scheme'], `expected a scheme index below ${schemes.length} (the kdamond's schemes at ${d.at / 1e9} s); found ${g.scheme}`);
        const goals = schemes[g.scheme].quota.goals;
        if (g.goal >= goals.length) return bad([...pp, 'goal'], `expected a goal index below ${goals.length} (scheme ${g.scheme}'s goals at ${d.at / 1e9} s); found ${g.goal}`);
        const goal = goals[g.goal];
        const value = (v: string | number, key: string): bigint | undefined => {
          try {
            return parseGoalValue(goal.metric, v);
          } catch (e) {
            bad([...pp, key], e instanceof UnitError ? e.message : String(e));
            return undefined;
          }
        };
        if (g.current_value !== undefined) {
          if (goal.metric !== 'user_input')
            warn(c, [...pp, 'current_value'], `goal ${g.goal} of scheme ${g.scheme} measures ${goal.metric}: the kernel ignores a written current_value (only user_input goals take it)`);
          const v = value(g.current_value, 'current_value');
          if (v !== undefined) goal.currentValue = v;
        }
        if (g.target_value !== undefined) {
          const v = value(g.target_value, 'target_value');
          if (v !== undefined) goal.targetValue = v;
          if (v === 0n) warn(c, [...pp, 'target_value'], 'a goal with target_value 0 is dropped by the kernel (sysfs ignores it)');
          // A node_memcg goal the config had without a target_value may name no cgroup (the kernel
          // took it unlooked-at); with one, damos_sysfs_add_quota_score() looks the path up.
          else if (v !== undefined && measuresMemcg(goal.metric)) {
            checkEnv ??= damonCheckEnv(sc);
            const memcgs = checkEnv.memcgs;
            if (goal.memcgPath === null || (memcgs !== undefined && !namesMemcg(memcgs, goal.memcgPath)))
              warn(
                c,
                [...pp, 'target_value'],
                `the kernel refuses this write (-EINVAL): goal ${g.goal} of scheme ${g.scheme} measures ${goal.metric} of ${goal.memcgPath === null ? 'no cgroup path' : `${JSON.stringify(goal.memcgPath)}, which names no cgroup`}, and with a target_value damos_sysfs_add_quota_score() looks it up (damon_sysfs_memcg_path_to_id()); the schemes before ${g.scheme} take their goals, and an on with these files fails (-ENOMEM)`,
              );
          }
          const bpIssue = v === undefined ? undefined : unreachableBpTarget(goal.metric, v);
          if (bpIssue) warn(c, [...pp, 'target_value'], bpIssue);
        }
        if (g.nid !== undefined) {
          goal.nid = g.nid;
          checkEnv ??= damonCheckEnv(sc);
          const nidIssue = missingNodeOfGoal(goal.metric, g.nid, sc.machine.nodes.length) ?? unmonitoredGoalNode(goal.metric, g.nid, next.contexts[0], checkEnv.memory);
          if (nidIssue) warn(c, [...pp, 'nid'], nidIssue);
        }
        if (g.target_value !== undefined || g.nid !== undefined) {
          checkEnv ??= damonCheckEnv(sc);
          const nodeIssue = unreachableNodeTarget(goal.metric, goal.targetValue, goal.nid ?? 0, checkEnv, schemes[g.scheme].pattern);
          if (nodeIssue) warn(c, [...pp, g.target_value !== undefined ? 'target_value' : 'nid'], nodeIssue);
        }
      });
      if (!ok) continue;
      mirror[k] = next;
      ev.params = next;
    } else if (command === 'on') {
      ev.params = mirror[k];
    }
    out.push(ev);
  }
  return out;
}
