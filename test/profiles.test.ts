// SPDX-License-Identifier: GPL-2.0-only
/**
 * Every kernel-profile switch of src/profiles.ts (SWITCHES), one test each: the same input under
 * withOverrides(b0, {switch: a}) and withOverrides(b0, {switch: b}) — profiles that differ in that
 * switch only — gives the two behaviours the spec section the switch cites describes, with the
 * concrete numbers for both. Each test drives the smallest piece of code that shows the
 * difference (a predicate, one merge pass, one apply pass, one ops call, a commit, the scenario
 * validator); every expected number is worked out by hand from the spec in a comment.
 *
 * The last block checks the registry itself: SWITCHES lists every switch of KernelProfile, and
 * docs/profiles.md is the generated text it claims to be.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx as makeCtx, schemeLoggingOps } from './helpers/ctx.js';
import { paddrDamon } from './helpers/doc.js';
import { nrAccessesMvsum, updateRegionAccessRate } from '../src/damon/access.js';
import { defaultAttrs, type DamonAttrs } from '../src/damon/attrs.js';
import { DamonCtx } from '../src/damon/ctx.js';
import { Kdamond } from '../src/damon/kdamond.js';
import { mergeRegionsOf } from '../src/damon/merge.js';
import type { KernelMm } from '../src/damon/mm.js';
import type { DamonTracer } from '../src/damon/trace.js';
import { DamonRegion, DamonTarget, setRegions } from '../src/damon/region.js';
import { regionSzLimit } from '../src/damon/split.js';
import { kdamondApplySchemes } from '../src/damos/apply.js';
import { damosCommitQuotaGoals } from '../src/damos/commit.js';
import { nodeEligibleMemBp, quotaScore } from '../src/damos/goals.js';
import { patternMatches } from '../src/damos/pattern.js';
import { chargeQuota, quotaIsFull, quotaIsSet, setEffectiveQuota } from '../src/damos/quota.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject, type DamosAction, type DamosQuotaGoal, type QuotaGoalMetric } from '../src/damos/scheme.js';
import type { Collector } from '../src/formats/damo/kdamonds.js';
import { Prng } from '../src/lib/prng.js';
import { MachineMm } from '../src/machine/kernel-mm.js';
import type { Machine } from '../src/machine/machine.js';
import { dramCxlMachine } from './helpers/machine.js';
import { eligibleOf } from './helpers/eligible.js';
import { YoungModel, type AccessRates } from '../src/machine/young.js';
import type { DamonOperations } from '../src/ops/operations.js';
import { PaddrCheckCache, PaddrOps } from '../src/ops/paddr.js';
import { coldScore, hotScore } from '../src/ops/scores.js';
import { PROFILES, SWITCHES, findProfile, profilesMarkdown, useProfile, withOverrides, type KernelProfile, type ProfileSwitch } from '../src/profiles.js';
import { ConfigError, type ConfigIssue } from '../src/scenario/issues.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import type { ScenarioDoc } from '../src/scenario/schema.js';
import { validateScenario } from '../src/scenario/validate.js';
import { SysfsTree } from '../src/formats/sysfs/tree.js';
import { runScenario } from '../src/run/run.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

// ---------------------------------------------------------------------------------------------
// Helpers

function profile(name: string): KernelProfile {
  const p = findProfile(name);
  if (!p) throw new Error(`no profile ${name}`);
  return p;
}

const B0 = profile('b0');

type SwitchValue<K extends ProfileSwitch> = KernelProfile[K];

/**
 * The two profiles of a test: b0 with `key` set to `a`, and to `b`. Checks that they differ in that
 * switch and in nothing else, so whatever differs below is that switch's doing.
 */
function pair<K extends ProfileSwitch>(key: K, a: SwitchValue<K>, b: SwitchValue<K>): [KernelProfile, KernelProfile] {
  const pa = withOverrides(B0, { [key]: a } as Partial<Omit<KernelProfile, 'name' | 'description'>>);
  const pb = withOverrides(B0, { [key]: b } as Partial<Omit<KernelProfile, 'name' | 'description'>>);
  expect(pa[key]).toBe(a);
  expect(pb[key]).toBe(b);
  expect(a).not.toBe(b);
  for (const sw of SWITCHES) if (sw.key !== key) expect(pa[sw.key], sw.key).toBe(pb[sw.key]);
  return [pa, pb];
}


/** An operations set that samples nothing and "applies" every region it is given, logging it. */
interface LoggingOps extends DamonOperations {
  readonly log: Array<[number, number]>;
}

function loggingOps(): LoggingOps {
  const log: Array<[number, number]> = [];
  return {
    id: 'paddr',
    log,
    prepareAccessChecks: () => undefined,
    checkAccesses: () => 0,
    applyScheme: (_c, _t, r) => {
      log.push([r.start, r.end]);
      return { applied: r.end - r.start, szOpsFilterPassed: 0, costNs: 0 };
    },
  };
}

function newCtx(p: KernelProfile, opts: { attrs?: Partial<DamonAttrs>; ops?: DamonOperations; mm?: KernelMm; hz?: number; tracer?: DamonTracer } = {}): DamonCtx {
  return makeCtx({ ops: opts.ops ?? loggingOps(), mm: opts.mm, profile: p, attrs: opts.attrs, seed: 7, label: 'profiles', hz: opts.hz, tracer: opts.tracer });
}


function newScheme(action: DamosAction, quota: Partial<Pick<DamosQuota, 'sz' | 'ms' | 'resetInterval' | 'goals' | 'goalTuner' | 'weightNrAccesses' | 'weightAge' | 'failChargeNum' | 'failChargeDenom'>> = {}, targetNid = -1): Damos {
  const q = new DamosQuota();
  q.resetInterval = 1000;
  Object.assign(q, quota);
  return new Damos({ ...MATCH_ALL }, action, 0, q, { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true }, targetNid);
}

function goal(metric: QuotaGoalMetric, target: number, current: number, nid = 0): DamosQuotaGoal {
  return { metric, targetValue: BigInt(target), currentValue: BigInt(current), nid, memcgPath: null, memcgId: undefined, lastPsiTotal: 0 };
}

function target(...ranges: Array<[number, number]>): DamonTarget {
  const t = new DamonTarget();
  for (const [s, e] of ranges) t.regions.push(new DamonRegion(s, e));
  return t;
}

function ranges(t: DamonTarget): Array<[number, number]> {
  return t.regions.map((r) => [r.start, r.end]);
}

function sizes(t: DamonTarget): number[] {
  return t.regions.map((r) => r.end - r.start);
}

/** `n` copies of `v`. */
function rep(v: number, n: number): number[] {
  return Array.from({ length: n }, () => v);
}

/** The kdamond's merge size limit (private; read for the test only). */
function szLimitOf(kd: Kdamond): number {
  return (kd as unknown as { szLimit: number }).szLimit;
}

/** No accesses anywhere: the ops calls below never sample. */
const noAccesses: AccessRates = { ratesEpoch: () => 0, rateRuns: () => undefined };

/** A 2 × 64 MiB machine (node 0 DRAM at 4 GiB, node 1 CXL right after it), with paddr ops on it. */
function tinyMachine(reserved0 = 0): { machine: Machine; mm: MachineMm; ops: PaddrOps } {
  const machine = dramCxlMachine({ dram: 64 * MiB, cxl: 64 * MiB, base: 4 * GiB, reserved0 });
  const mm = new MachineMm(machine, [{ id: 0, path: '/' }]);
  const ops = new PaddrOps({ machine, young: new YoungModel(machine, noAccesses), rng: new Prng(1, 'sample'), mode: 'region', cache: new PaddrCheckCache() });
  return { machine, mm, ops };
}

function alloc(m: Machine, owner: number, bytes: number, nodes: number[]): void {
  const left = m.allocate({ owner, vstart: 0, bytes, anon: true, mapped: true, memcg: 0, thp: false, nodes, now: 0 });
  expect(left).toBe(0);
}

/** A small scenario document (2 × 64 MiB) with one paddr context and the given schemes. */
function smallDoc(schemes: unknown[], profileName = 'b0'): ScenarioDoc {
  return {
    name: 'profiles-small',
    seed: 1,
    duration: '2 s',
    kernel: { profile: profileName, hz: 1000 },
    machine: { base: '4 GiB', nodes: [{ capacity: '64 MiB', kind: 'dram' }, { capacity: '64 MiB', kind: 'cxl' }] },
    workload: { type: 'hotset', rss: '32 MiB', hot_set: '8 MiB', access_rate: 1e6, nodes: [1, 0] },
    damon: paddrDamon(schemes),
  } as ScenarioDoc;
}

function eligibleScheme(tuner: 'consist' | 'temporal', metric: string = 'node_eligible_mem_bp'): unknown {
  return {
    action: 'migrate_hot',
    target_nid: 0,
    access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '1 samples', max: 'max' }, age: { min: '0 ns', max: 'max' } },
    quotas: { sz_bytes: '8 MiB', reset_interval_ms: '1 s', goals: [{ metric, nid: 0, target_value: 6000 }], goal_tuner: tuner },
  };
}

/** The errors of update_schemes_stats and update_schemes_tried_regions sent after an `off`, under b0 with `overrides`. */
function stoppedErrors(overrides: Record<string, boolean>): unknown[] {
  const doc = {
    ...smallDoc([eligibleScheme('temporal')]),
    kernel: { profile: 'b0', hz: 1000, overrides },
    events: [
      { at: 0.5, command: 'off' },
      { at: 1, command: 'update_schemes_stats' },
      { at: 1.2, command: 'update_schemes_tried_regions' },
    ],
  } as ScenarioDoc;
  return runScenario(scenarioFromDoc(doc).scenario)
    .events.filter((e) => e.type === 'event' && e.command !== 'off')
    .map((e) => (e as { error?: string }).error);
}

/** The in-memory tree's answers to update_schemes_stats and update_schemes_tried_regions, before any `on` and after an `off`. */
function stoppedTreeErrnos(overrides: Record<string, boolean>): { never: unknown[]; stopped: unknown[] } {
  const t = new SysfsTree(withOverrides(B0, overrides));
  t.write('kdamonds/nr_kdamonds', '1');
  t.write('kdamonds/0/contexts/nr_contexts', '1');
  const st = 'kdamonds/0/state';
  const both = () => ['update_schemes_stats', 'update_schemes_tried_regions'].map((c) => t.write(st, c));
  const never = both();
  expect([t.write(st, 'on'), t.write(st, 'off')]).toEqual([null, null]);
  return { never, stopped: both() };
}

/** The errors scenarioFromDoc reports for a document (none: []). */
function loadErrors(doc: ScenarioDoc): ConfigIssue[] {
  try {
    scenarioFromDoc(doc);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

/**
 * validateScenario() under a profile that is not one of the named ones (a withOverrides result):
 * the document is loaded under b0, then validated again with the override profile registered for
 * the duration of the call (the validator looks profiles up by name).
 */
function validateUnder(doc: ScenarioDoc, p: KernelProfile): ConfigIssue[] {
  const { scenario } = scenarioFromDoc(doc);
  const list = PROFILES as KernelProfile[];
  list.push(p);
  try {
    const c: Collector = { errors: [], warnings: [] };
    validateScenario({ ...scenario, kernel: { ...scenario.kernel, profile: p.name } }, c);
    return c.errors;
  } finally {
    list.pop();
  }
}

// ---------------------------------------------------------------------------------------------
// One test per switch

const CASES: Record<ProfileSwitch, () => void> = {
  applyMinNrRegions: () => {
    // damon-monitoring.md §2.1 step 8, §3.3: [SJ-tree] damon_apply_min_nr_regions() at kdamond
    // start; [mainline≤6.19] nothing splits, sz_limit = damon_region_sz_limit().
    // One region of 10 MiB + 12 KiB = 2563 pages, min_nr_regions 10: sz_limit = floor(10498048/10)
    // = 1049804, ALIGN to 4096 = 1052672 (257 pages); 2563 = 9·257 + 250 ⇒ 9 pieces of 1052672
    // and a remainder of 250 pages = 1024000.
    const [on, off] = pair('applyMinNrRegions', true, false);
    const total = 10 * MiB + 12 * KiB;
    const started = (p: KernelProfile) => {
      const ctx = newCtx(p);
      ctx.targets = [target([0, total])];
      const kd = new Kdamond(ctx);
      kd.start();
      return { t: ctx.targets[0], szLimit: szLimitOf(kd) };
    };
    const a = started(on);
    expect(sizes(a.t)).toEqual([...rep(1052672, 9), 1024000]);
    expect(a.szLimit).toBe(1052672);
    const b = started(off);
    expect(sizes(b.t)).toEqual([total]);
    expect(b.szLimit).toBe(1049804); // damon_region_sz_limit: not aligned

    // §2.2 steps 7 and 12: sz_limit is refreshed after every merge (SJ) or only at ops-update
    // time (mainline). Start on [0, 40 MiB) (sz_limit 4 MiB either way), then grow the target to
    // [0, 80 MiB) (total / 10 = 8 MiB). Sampling 5 ms, aggregation 100 ms (20 samples), ops
    // update 1 s (200 samples). A damon_call at the first aggregation boundary sees the regions
    // merged and min-split but not yet randomly split (§2.2 "Consequences").
    const grown = (p: KernelProfile) => {
      const ctx = newCtx(p, { attrs: { opsUpdateInterval: 1_000_000 } });
      ctx.targets = [target([0, 40 * MiB])];
      const kd = new Kdamond(ctx);
      kd.start();
      const atStart = szLimitOf(kd);
      setRegions(ctx.targets[0], [{ start: 0, end: 80 * MiB }], ctx.minRegionSz);
      for (let i = 1; i < 20; i++) kd.step();
      let seen: number[] = [];
      let limitAtBoundary = 0;
      kd.calls.push((c) => {
        seen = sizes(c.targets[0]);
        limitAtBoundary = szLimitOf(kd);
      });
      kd.step();
      expect(ctx.passedSampleIntervals).toBe(20);
      while (ctx.passedSampleIntervals < 199) kd.step();
      const before = szLimitOf(kd);
      kd.step(); // passed 200: the ops-update boundary
      return { atStart, seen, limitAtBoundary, beforeOpsUpdate: before, afterOpsUpdate: szLimitOf(kd) };
    };
    // SJ: the 10 × 4 MiB regions with the last stretched to [36 MiB, 80 MiB); nr_accesses all 0,
    // the merge (limit 4 MiB) joins nothing; damon_apply_min_nr_regions then cuts the 44 MiB
    // region at 8 MiB: 5 × 8 MiB + 4 MiB. sz_limit = 8 MiB from this boundary on.
    expect(grown(on)).toEqual({
      atStart: 4 * MiB,
      seen: [...rep(4 * MiB, 9), ...rep(8 * MiB, 5), 4 * MiB],
      limitAtBoundary: 8 * MiB,
      beforeOpsUpdate: 8 * MiB,
      afterOpsUpdate: 8 * MiB,
    });
    // mainline: one 80 MiB region (nothing splits it before the boundary's random split), and the
    // limit stays 4 MiB until the ops update at 1 s.
    expect(grown(off)).toEqual({
      atStart: 4 * MiB,
      seen: [80 * MiB],
      limitAtBoundary: 4 * MiB,
      beforeOpsUpdate: 4 * MiB,
      afterOpsUpdate: 8 * MiB,
    });
  },

  ageResetOnZeroTransition: () => {
    // damon-monitoring.md §4.4: with |nr - last| within the threshold the age grows, unless
    // exactly one of nr, last is 0 (v6.18+): then it resets.
    const [on, off] = pair('ageResetOnZeroTransition', true, false);
    const ages = (p: KernelProfile) => {
      const cases: Array<[number, number]> = [
        [0, 5], // nr 0, last 5: |d| = 5 <= 10
        [5, 0], // nr 5, last 0
        [3, 5], // both non-zero: +1 either way
        [0, 0], // both zero: +1 either way
        [0, 20], // |d| = 20 > 10: reset either way
      ];
      return cases.map(([nr, last]) => {
        const t = target([0, 4096]);
        const r = t.regions[0];
        r.nrAccesses = nr;
        r.lastNrAccesses = last;
        r.age = 7;
        mergeRegionsOf(t, 10, 4096, p);
        return r.age;
      });
    };
    expect(ages(on)).toEqual([0, 0, 8, 8, 0]);
    expect(ages(off)).toEqual([8, 8, 8, 8, 0]);
  },

  accessRate: () => {
    // damos.md §1.1, §1.3, trap 14. Sampling 5 ms, aggregation 30 ms: len_window = 6. The region's
    // previous aggregation counted last = 3 (bp reset to 30000); two samples into the new one
    // (hit, miss): nr = 1.
    //  B0 bp = 30000 - 2·floor(30000/6) + 10000 = 30000 ⇒ n = 3.
    //  B1 left = 6 - 2 = 4, left_bp = mult_frac(4, 10000, 6) = 6666,
    //     n = 1 + mult_frac(3, 6666, 10000) = 1 + 1 = 2.
    // Scores: B0 takes raw nr_accesses (1), B1 the pseudo moving sum (2).
    // At the boundary (four more misses) both give nr = 1.
    const [b0, b1] = pair('accessRate', 'nr_accesses_bp', 'pseudo_mvsum');
    const run = (p: KernelProfile) => {
      const ctx = newCtx(p, { attrs: { aggrInterval: 30_000 } });
      ctx.nextAggregationSis = 6;
      const r = new DamonRegion(0, 4096);
      r.lastNrAccesses = 3;
      r.nrAccessesBp = 30000;
      const s = newScheme('stat');
      s.pattern = { ...MATCH_ALL, minNrAccesses: 3 };
      const sample = (accessed: boolean) => {
        updateRegionAccessRate(r, accessed, 6);
        ctx.passedSampleIntervals++;
      };
      sample(true);
      sample(false);
      const mid = { bp: r.nrAccessesBp, nr: r.nrAccesses, pattern: ctx.patternNrAccesses(r), score: ctx.scoreNrAccesses(r), matchesMin3: patternMatches(ctx, r, s) };
      for (let i = 0; i < 4; i++) sample(false);
      return { mid, boundary: { pattern: ctx.patternNrAccesses(r), score: ctx.scoreNrAccesses(r) } };
    };
    expect(run(b0)).toEqual({ mid: { bp: 30000, nr: 1, pattern: 3, score: 1, matchesMin3: true }, boundary: { pattern: 1, score: 1 } });
    expect(run(b1)).toEqual({ mid: { bp: 30000, nr: 1, pattern: 2, score: 2, matchesMin3: false }, boundary: { pattern: 1, score: 1 } });
    // The helper itself, for the record: the same numbers.
    expect(nrAccessesMvsum(Object.assign(new DamonRegion(0, 1), { nrAccesses: 1, lastNrAccesses: 3 }), { ...defaultAttrs(), aggrInterval: 30_000 }, 2, 6)).toBe(2);
  },

  zeroEszMeansNothing: () => {
    // damos.md §4.1, trap 2: a goals-driven esz of 0 means "apply nothing" (7.1 goal-tuner
    // series); before it, esz 0 meant "no quota". TEMPORAL with its goal met gives esz 0 (§4.4).
    const [on, off] = pair('zeroEszMeansNothing', true, false);
    const q = new DamosQuota();
    q.goals = [goal('user_input', 10000, 10000)];
    q.esz = 0n;
    expect([quotaIsSet(q, on), quotaIsFull(q, 4096, on)]).toEqual([true, true]);
    expect([quotaIsSet(q, off), quotaIsFull(q, 4096, off)]).toEqual([false, false]);

    const pass = (p: KernelProfile) => {
      const ops = loggingOps();
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, MiB], [MiB, 2 * MiB])];
      const s = newScheme('stat', { goals: [goal('user_input', 10000, 10000)], goalTuner: 'temporal' });
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => MiB);
      return { esz: s.quota.esz, applied: ops.log, nrTried: s.stat.nrTried, szTried: s.stat.szTried };
    };
    expect(pass(on)).toEqual({ esz: 0n, applied: [], nrTried: 0, szTried: 0 });
    expect(pass(off)).toEqual({
      esz: 0n,
      applied: [
        [0, MiB],
        [MiB, 2 * MiB],
      ],
      nrTried: 2,
      szTried: 2 * MiB,
    });
  },

  temporalTuner: () => {
    // damos.md §4.7: TEMPORAL exists from 7.1-rc1 (af738a6a00c1); a kernel without it has no
    // goal_tuner to set, so the scenario validator refuses "temporal".
    const [on, off] = pair('temporalTuner', true, false);
    const temporal = smallDoc([eligibleScheme('temporal', 'node_mem_used_bp')]);
    const consist = smallDoc([eligibleScheme('consist', 'node_mem_used_bp')]);
    const path = 'damon.kdamonds[0].contexts[0].schemes[0].quotas.goal_tuner';
    expect(validateUnder(temporal, on)).toEqual([]);
    expect(validateUnder(temporal, off)).toEqual([{ path, message: `expected "consist": kernel profile "${off.name}" has no TEMPORAL tuner (use profile b0 or b1); found "temporal"` }]);
    expect(validateUnder(consist, off)).toEqual([]);
    // The named profile without it, through the whole loader.
    expect(loadErrors(smallDoc([eligibleScheme('temporal', 'node_mem_used_bp')], 'mainline-6.19'))).toEqual([
      { path, message: 'expected "consist": kernel profile "mainline-6.19" has no TEMPORAL tuner (use profile b0 or b1); found "temporal"' },
    ]);
    expect(loadErrors(smallDoc([eligibleScheme('consist', 'node_mem_used_bp')], 'mainline-6.19'))).toEqual([]);
  },

  quotaFullBelowMinRegion: () => {
    // damos.md §4.1, trap 3: esz 5000, charged 1000: 4000 left < min_region_sz 4096 ⇒ full
    // (mid-April 2026); before, only charged >= esz was full. Then damos_apply_scheme cuts the
    // region at ALIGN_DOWN(4000, 4096) = 0 and goes straight to update_stat: tried once with
    // sz 0, nothing applied, age kept (§3.3, the path the fix made unreachable).
    const [on, off] = pair('quotaFullBelowMinRegion', true, false);
    const q = new DamosQuota();
    q.sz = 5000n;
    q.esz = 5000n;
    q.chargedSz = 1000;
    expect(quotaIsFull(q, 4096, on)).toBe(true);
    expect(quotaIsFull(q, 4096, off)).toBe(false);
    q.chargedSz = 5000;
    expect([quotaIsFull(q, 4096, on), quotaIsFull(q, 4096, off)]).toEqual([true, true]);

    const pass = (p: KernelProfile) => {
      const ops = loggingOps();
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, MiB])];
      ctx.targets[0].regions[0].age = 5;
      const s = newScheme('pageout', { sz: 5000n });
      s.quota.chargedSz = 1000; // charged earlier in this (first) window
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => MiB);
      const r = ctx.targets[0].regions[0];
      return { esz: s.quota.esz, applied: ops.log, nrTried: s.stat.nrTried, szTried: s.stat.szTried, charged: s.quota.chargedSz, age: r.age, regions: ranges(ctx.targets[0]) };
    };
    expect(pass(on)).toEqual({ esz: 5000n, applied: [], nrTried: 0, szTried: 0, charged: 1000, age: 5, regions: [[0, MiB]] });
    expect(pass(off)).toEqual({ esz: 5000n, applied: [], nrTried: 1, szTried: 0, charged: 1000, age: 5, regions: [[0, MiB]] });
  },

  damosQuotaIsFull: () => {
    // damos.md §3.2 ("B0 pre-April"), §3.3, §4.2. TEMPORAL with its goal met: esz_bp 0, esz 0, a
    // quota that is set (goals). damos_quota_is_full() calls that full: the scheme is passed by on
    // every region and the window counts a qt_exceeds when it ends. Before the helper,
    // damon_do_apply_schemes()'s `esz && charged_sz >= esz` is false for esz 0: both regions reach
    // damos_apply_scheme(), are cut at ALIGN_DOWN(0 - 0, 4096) = 0 and go to update_stat: tried
    // with 0 bytes, nothing applied, age kept; the last region counts a snapshot. The ending
    // window's `quota_is_set && charged_sz >= esz` is true: a qt_exceeds all the same.
    const [helper, before] = pair('damosQuotaIsFull', true, false);
    const run = (p: KernelProfile) => {
      const ops = loggingOps();
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, MiB], [MiB, 2 * MiB])];
      for (const r of ctx.targets[0].regions) r.age = 5;
      const s = newScheme('pageout', { goals: [goal('user_input', 10000, 10000)], goalTuner: 'temporal' });
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => MiB);
      const first = { esz: s.quota.esz, nrTried: s.stat.nrTried, szTried: s.stat.szTried, snapshots: s.stat.nrSnapshots, ages: ctx.targets[0].regions.map((r) => r.age) };
      ctx.clock.now += 1.5e9; // past the 1 s charge window
      ctx.passedSampleIntervals = s.nextApplySis;
      kdamondApplySchemes(ctx, () => MiB);
      return { first, applied: ops.log, nrTried: s.stat.nrTried, qtExceeds: s.stat.qtExceeds, regions: ranges(ctx.targets[0]) };
    };
    // Neither applies anything or cuts a region.
    const untouched = { applied: [], regions: ranges(target([0, MiB], [MiB, 2 * MiB])) };
    expect(run(helper)).toEqual({ first: { esz: 0n, nrTried: 0, szTried: 0, snapshots: 0, ages: [5, 5] }, nrTried: 0, qtExceeds: 1, ...untouched });
    expect(run(before)).toEqual({ first: { esz: 0n, nrTried: 2, szTried: 0, snapshots: 1, ages: [5, 5] }, nrTried: 4, qtExceeds: 1, ...untouched });
  },

  histogramCoreFilter: () => {
    // damos.md §4.2: the damon tree leaves regions its core filters reject out of the score
    // histogram; mainline up to 7.0 builds it from the access pattern alone. [0, 1M) scores 90,
    // [1M, 2M) 50; the addr filter allows only [1M, 2M); esz 1 MiB. With the filter in the
    // histogram only 1 MiB of score 50 is counted, min_score is 50 and [1M, 2M) is paged out.
    // Without it the 1 MiB at score 90 fills esz, min_score is 90, and the one region the filter
    // lets through scores below it: nothing is applied.
    const [filtered, plain] = pair('histogramCoreFilter', true, false);
    const run = (p: KernelProfile) => {
      const ops: LoggingOps = { ...loggingOps(), getSchemeScore: (_c, r) => (r.start < MiB ? 90 : 50) };
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, MiB], [MiB, 2 * MiB])];
      const s = newScheme('pageout', { sz: BigInt(MiB) });
      const f = newFilter('addr', true, true);
      f.addrStart = MiB;
      f.addrEnd = 2 * MiB;
      addFilter(s, f);
      setFiltersDefaultReject(s);
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => MiB);
      return { minScore: s.quota.minScore, applied: ops.log, regions: ranges(ctx.targets[0]) };
    };
    expect(run(filtered)).toEqual({ minScore: 50, applied: [[MiB, 2 * MiB]], regions: [[0, MiB], [MiB, 2 * MiB]] });
    expect(run(plain)).toEqual({ minScore: 90, applied: [], regions: [[0, MiB], [MiB, 2 * MiB]] });
    // A full window skips the scheme, but the damon tree's histogram walk still splits a region at
    // a filter bound inside it (§6.2); mainline's histogram walk tests no filter and splits nothing.
    const split = (p: KernelProfile) => {
      const ops: LoggingOps = { ...loggingOps(), getSchemeScore: () => 50 };
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, 2 * MiB])];
      const s = newScheme('pageout', { sz: BigInt(MiB) });
      s.quota.chargedSz = MiB;
      const f = newFilter('addr', true, true);
      f.addrStart = MiB + 512 * KiB;
      f.addrEnd = 2 * MiB;
      addFilter(s, f);
      setFiltersDefaultReject(s);
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => MiB);
      return { applied: ops.log, tried: s.stat.nrTried, regions: ranges(ctx.targets[0]) };
    };
    expect(split(filtered)).toEqual({ applied: [], tried: 0, regions: [[0, MiB + 512 * KiB], [MiB + 512 * KiB, 2 * MiB]] });
    expect(split(plain)).toEqual({ applied: [], tried: 0, regions: [[0, 2 * MiB]] });
  },

  accessesBpMultFrac: () => {
    // damon-monitoring.md §4.5: damon_set_attrs() rescales nr_accesses through basis points. The
    // damon tree takes mult_frac(nr, 10000, max); mainline multiplies first in unsigned int. From
    // sample 1 us / aggr 0.5 s (max 500000) to 2 us / 1 s (max 500000), an nr_accesses of 500000
    // (a region found accessed in every sample; not aggregating): mult_frac gives 10000 bp, and
    // u32(10000 · 500000) / 10000 = 705032704 / 10000 = 70503; the plain product wraps to
    // 705032704, / 500000 = 1410 bp, and u32(1410 · 500000) / 10000 = 70500.
    const [frac, plain] = pair('accessesBpMultFrac', true, false);
    const rescaled = (p: KernelProfile, nr: number) => {
      const ctx = newCtx(p, { attrs: { sampleInterval: 1, aggrInterval: 500_000 } });
      const t = new DamonTarget();
      const r = new DamonRegion(0, 4096);
      r.nrAccesses = nr;
      t.regions = [r];
      ctx.targets = [t];
      ctx.passedSampleIntervals = ctx.nextAggregationSis; // at the boundary: not aggregating
      expect(ctx.setAttrs({ ...ctx.attrs, sampleInterval: 2, aggrInterval: 1_000_000 })).toBeNull();
      return t.regions[0].nrAccesses;
    };
    expect([rescaled(frac, 500_000), rescaled(plain, 500_000)]).toEqual([70503, 70500]);
    // Below the wrap (nr ≤ 429,496) the two agree.
    expect([rescaled(frac, 400_000), rescaled(plain, 400_000)]).toEqual([rescaled(frac, 400_000), rescaled(frac, 400_000)]);
  },

  goalScoreMultFrac: () => {
    // damos.md §4.5: the damon tree scores a goal mult_frac(current, 10000, target); mainline up to
    // 7.0 computes current * 10000 / target in unsigned long. They agree until the product wraps:
    // current 2^62 + 3, target 2^40: mult_frac gives 2^22 · 10000 + 3 · 10000 / 2^40 = 41943040000;
    // the plain product wraps to 30000 (2^62 · 10000 is a multiple of 2^64), and 30000 / 2^40 = 0.
    const [frac, plain] = pair('goalScoreMultFrac', true, false);
    const score = (p: KernelProfile, current: bigint, targetValue: bigint) => {
      const ctx = newCtx(p);
      const s = newScheme('stat', { goals: [goal('user_input', 1, 0)], goalTuner: 'temporal' });
      s.quota.goals[0].currentValue = current;
      s.quota.goals[0].targetValue = targetValue;
      return quotaScore(ctx, s, 0).score;
    };
    expect(score(frac, 2n ** 62n + 3n, 2n ** 40n)).toBe(41943040000n);
    expect(score(plain, 2n ** 62n + 3n, 2n ** 40n)).toBe(0n);
    // Below the wrap the two agree: 7000 of 6000 is 11666 either way.
    expect([score(frac, 7000n, 6000n), score(plain, 7000n, 6000n)]).toEqual([11666n, 11666n]);
  },

  eszTraceAtFirstSetup: () => {
    // "trace esz at first setup" (2026-05-20): damos_esz fires when the first charge window sets
    // esz; before it only a new window that changes esz fires it. A 1 MiB size quota, then the
    // window ends after the quota was raised to 2 MiB: one line before the fix, two after.
    const [first, changesOnly] = pair('eszTraceAtFirstSetup', true, false);
    const run = (p: KernelProfile) => {
      const traced: Array<[bigint, number]> = [];
      const ctx = newCtx(p, { tracer: { eszTraced: (_c, _si, s, atNs) => traced.push([s.quota.esz, atNs]) } });
      ctx.clock.now = 5e9;
      ctx.targets = [target([0, MiB])];
      const s = newScheme('stat', { sz: BigInt(MiB) });
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => MiB);
      ctx.clock.now += 1.5e9; // past the 1 s charge window
      ctx.passedSampleIntervals = s.nextApplySis;
      kdamondApplySchemes(ctx, () => MiB); // a new window, esz unchanged: no line
      s.quota.sz = BigInt(2 * MiB);
      ctx.clock.now += 1.5e9;
      ctx.passedSampleIntervals = s.nextApplySis;
      kdamondApplySchemes(ctx, () => MiB);
      return traced;
    };
    expect(run(first)).toEqual([[BigInt(MiB), 5e9], [BigInt(2 * MiB), 8e9]]);
    expect(run(changesOnly)).toEqual([[BigInt(2 * MiB), 8e9]]);
  },

  timeQuotaEszFloor: () => {
    // damos.md §4.4, trap 4: ms 10 with a TEMPORAL goal met: esz_bp = 0 ⇒ esz = min(4 MiB/ms · 10,
    // 0) = 0; the 2026-04-05 fix floors it at min_region_sz = 4096 — which is not full (4096 - 0
    // is not < 4096), so one min region per window still goes through. Without the floor esz 0
    // with goals is full.
    const [on, off] = pair('timeQuotaEszFloor', true, false);
    const run = (p: KernelProfile) => {
      const ctx = newCtx(p);
      const s = newScheme('migrate_hot', { ms: 10, goals: [goal('user_input', 10000, 10000)], goalTuner: 'temporal' });
      setEffectiveQuota(ctx, s, 0);
      return { eszBp: s.quota.eszBp, esz: s.quota.esz, full: quotaIsFull(s.quota, ctx.minRegionSz, p) };
    };
    expect(run(on)).toEqual({ eszBp: 0n, esz: 4096n, full: false });
    expect(run(off)).toEqual({ eszBp: 0n, esz: 0n, full: true });
    // Goal not met: the time quota decides, 4 MiB/ms (no throughput yet) · 10 ms, either way.
    const under = (p: KernelProfile) => {
      const s = newScheme('migrate_hot', { ms: 10, goals: [goal('user_input', 10000, 0)], goalTuner: 'temporal' });
      setEffectiveQuota(newCtx(p), s, 0);
      return s.quota.esz;
    };
    expect([under(on), under(off)]).toEqual([10n * 4096n * 1024n, 10n * 4096n * 1024n]);
  },

  chargeAddrFromExclusive: () => {
    // damos.md §3.3, §3.4, trap 8. Size quota 8 KiB, regions [0,64K) [64K,128K) [128K,192K).
    // Window 1: [0,64K) is cut at 8 KiB, [0,8K) applied, the quota is full:
    //   charge_addr_from = r.end = 8192 (fixed) or r.end + 1 = 8193 (before 2026-04-28).
    // Window 2 resumes: [0,8K) is skipped (end <= charge_addr_from) in both; then [8K,64K):
    //   8192: start 8192 is not below it ⇒ resume here: [8K,16K) applied.
    //   8193: start 8192 < 8193 ⇒ k = ALIGN_DOWN(1, 4096) = 0 ⇒ k = 4096: [8K,12K) split off and
    //         skipped; [12K,64K) resumes: [12K,20K) applied — one page lost per window.
    const [fixed, old] = pair('chargeAddrFromExclusive', true, false);
    const run = (p: KernelProfile) => {
      const ops = loggingOps();
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, 64 * KiB], [64 * KiB, 128 * KiB], [128 * KiB, 192 * KiB])];
      const s = newScheme('stat', { sz: 8192n });
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => 64 * KiB);
      const first = s.quota.chargeAddrFrom;
      ctx.clock.now += 1.5e9; // past the 1 s charge window
      ctx.passedSampleIntervals = s.nextApplySis;
      kdamondApplySchemes(ctx, () => 64 * KiB);
      return { first, second: s.quota.chargeAddrFrom, applied: ops.log, qtExceeds: s.stat.qtExceeds, regions: ranges(ctx.targets[0]) };
    };
    expect(run(fixed)).toEqual({
      first: 8192,
      second: 16384,
      applied: [
        [0, 8192],
        [8192, 16384],
      ],
      qtExceeds: 1,
      regions: [
        [0, 8192],
        [8192, 16384],
        [16384, 65536],
        [65536, 131072],
        [131072, 196608],
      ],
    });
    expect(run(old)).toEqual({
      first: 8193,
      second: 20481,
      applied: [
        [0, 8192],
        [12288, 20480],
      ],
      qtExceeds: 1,
      regions: [
        [0, 8192],
        [8192, 12288],
        [12288, 20480],
        [20480, 65536],
        [65536, 131072],
        [131072, 196608],
      ],
    });
  },

  hotScoreClamp: () => {
    // damos.md §4.8, trap 15: sampling 5 ms, aggregation 100 ms ⇒ damon_max_nr_accesses 20. A
    // region whose nr_accesses is 40 (more samples than the current attrs allow, as after an
    // interval change): freq = 40·100/20 = 200; weights nr 1, age 0 ⇒ h = 200, h·99/100 = 198;
    // clamped to 99 by the 2026 fix. Cold score = 99 - hot.
    const [on, off] = pair('hotScoreClamp', true, false);
    const scores = (p: KernelProfile) => {
      const ctx = newCtx(p);
      const r = new DamonRegion(0, 4096);
      r.nrAccesses = 40;
      r.nrAccessesBp = 400000;
      const s = newScheme('migrate_hot', { weightNrAccesses: 1, weightAge: 0 });
      // A region within range scores the same under both: nr 10 ⇒ freq 50 ⇒ 50·99/100 = 49.
      const normal = new DamonRegion(0, 4096);
      normal.nrAccesses = 10;
      return { hot: hotScore(ctx, r, s), cold: coldScore(ctx, r, s), normal: hotScore(ctx, normal, s) };
    };
    expect(scores(on)).toEqual({ hot: 99, cold: 0, normal: 49 });
    expect(scores(off)).toEqual({ hot: 198, cold: -99, normal: 49 });
  },

  migrateThisNode: () => {
    // damos.md §2.2 ("Target node full"), trap 12; docs/model.md "Migration". Node 0 (the target)
    // is full; 4 MiB of node 1 are migrated to node 0 through PaddrOps.applyScheme (migrate_hot):
    //  __GFP_THISNODE: the allocation fails, nothing moves, 0 applied;
    //  without it: the allocator falls back to node 1, the folios get new frames there (the lowest
    //  free ones, right after the 4 MiB) and the kernel counts them as migrated: 4 MiB applied.
    const [thisNode, fallback] = pair('migrateThisNode', true, false);
    const run = (p: KernelProfile) => {
      const { machine, mm, ops } = tinyMachine();
      alloc(machine, 0, 64 * MiB, [0]); // fills node 0
      alloc(machine, 1, 4 * MiB, [1]);
      const n1 = machine.nodes[1].start;
      const ctx = newCtx(p, { ops, mm });
      const t = target([n1, n1 + 4 * MiB]);
      ctx.targets = [t];
      const res = ops.applyScheme(ctx, t, t.regions[0], newScheme('migrate_hot', {}, 0));
      const at = (a: number) => machine.lruExtentAt(a)?.owner ?? null;
      return {
        applied: res.applied,
        passed: res.szOpsFilterPassed,
        free: [machine.nodeFree(0), machine.nodeFree(1)],
        ownerAt: [at(n1), at(n1 + 4 * MiB)],
        migrated: machine.migratedBytes,
      };
    };
    expect(run(thisNode)).toEqual({
      applied: 0,
      passed: 4 * MiB,
      free: [0, 60 * MiB],
      ownerAt: [1, null],
      migrated: [
        [0, 0],
        [0, 0],
      ],
    });
    expect(run(fallback)).toEqual({
      applied: 4 * MiB,
      passed: 4 * MiB,
      free: [0, 60 * MiB],
      ownerAt: [null, 1],
      migrated: [
        [0, 0],
        [0, 4 * MiB],
      ],
    });
  },

  migrateInvalidTargetPutback: () => {
    // damos.md §2.2: an invalid target (node 2 of a 2-node machine: not online) migrates nothing.
    // B1 puts the isolated folios back on the LRU; B0's damon_migrate_pages() returns early and
    // they stay isolated (non-LRU: invisible to DAMON and not free) for good.
    const [putback, leak] = pair('migrateInvalidTargetPutback', true, false);
    const run = (p: KernelProfile) => {
      const { machine, mm, ops } = tinyMachine();
      alloc(machine, 1, 4 * MiB, [1]);
      const n1 = machine.nodes[1].start;
      const ctx = newCtx(p, { ops, mm });
      const t = target([n1, n1 + 4 * MiB]);
      ctx.targets = [t];
      const res = ops.applyScheme(ctx, t, t.regions[0], newScheme('migrate_hot', {}, 2));
      return { applied: res.applied, passed: res.szOpsFilterPassed, lru: machine.allocatedBytes(), folioAtStart: machine.lruExtentAt(n1) !== null, free1: machine.nodeFree(1) };
    };
    expect(run(putback)).toEqual({ applied: 0, passed: 4 * MiB, lru: 4 * MiB, folioAtStart: true, free1: 60 * MiB });
    expect(run(leak)).toEqual({ applied: 0, passed: 4 * MiB, lru: 0, folioAtStart: false, free1: 60 * MiB });
  },

  failChargeRatio: () => {
    // damos.md §4.3, the docs' example: region 1000 MiB, applied 700 MiB, ratio 1/1024 ⇒ charge
    // 700 MiB + mult_frac(300 MiB, 1, 1024) = 700 MiB + 300 KiB; without the series the whole
    // 1000 MiB is charged.
    const [ratio, whole] = pair('failChargeRatio', true, false);
    const charge = (p: KernelProfile, applied: number) => {
      const q = new DamosQuota();
      q.failChargeNum = 1;
      q.failChargeDenom = 1024;
      chargeQuota(q, 1000 * MiB, applied, p.failChargeRatio);
      return q.chargedSz;
    };
    expect(charge(ratio, 700 * MiB)).toBe(700 * MiB + 300 * KiB);
    expect(charge(whole, 700 * MiB)).toBe(1000 * MiB);
    // Nothing applied (a full target node): 1000 MiB / 1024 = 1000 KiB vs everything.
    expect(charge(ratio, 0)).toBe(1000 * KiB);
    expect(charge(whole, 0)).toBe(1000 * MiB);
  },

  postApplyMerge: () => {
    // damos.md §3.5: ten 64 KiB regions (min_nr_regions 10 ⇒ max_region_sz = 640 KiB / 10 =
    // 64 KiB), a stat scheme (no age reset) with an 16 KiB size quota: the first region is cut at
    // 16 KiB, [0,16K) tried, the quota is full. B1 merges [16K,64K) back into [0,16K) (same age,
    // nr_accesses, last_nr_accesses; 64 KiB <= 64 KiB); [64K,128K) would make 128 KiB: no.
    const [merge, keep] = pair('postApplyMerge', true, false);
    const run = (p: KernelProfile) => {
      const ops = loggingOps();
      const ctx = newCtx(p, { ops });
      ctx.targets = [target(...Array.from({ length: 10 }, (_, i): [number, number] => [i * 64 * KiB, (i + 1) * 64 * KiB]))];
      const s = newScheme('stat', { sz: 16n * 1024n });
      ctx.schemes = [s];
      kdamondApplySchemes(ctx, () => regionSzLimit(ctx.targets, ctx.attrs, ctx.minRegionSz));
      return { applied: ops.log, nrTried: s.stat.nrTried, regions: ranges(ctx.targets[0]).slice(0, 3), nrRegions: ctx.targets[0].regions.length };
    };
    expect(run(merge)).toEqual({
      applied: [[0, 16 * KiB]],
      nrTried: 1,
      regions: [
        [0, 64 * KiB],
        [64 * KiB, 128 * KiB],
        [128 * KiB, 192 * KiB],
      ],
      nrRegions: 10,
    });
    expect(run(keep)).toEqual({
      applied: [[0, 16 * KiB]],
      nrTried: 1,
      regions: [
        [0, 16 * KiB],
        [16 * KiB, 64 * KiB],
        [64 * KiB, 128 * KiB],
      ],
      nrRegions: 11,
    });
  },

  safeApplyWalk: () => {
    // damos.md §3.1/§3.4 describe the damon tree's non-safe walk; mainline up to 6.19 walks safe.
    const [safe, nonSafe] = pair('safeApplyWalk', true, false);
    /** One apply pass of `schemes` over [0, 64K) and [64K, 128K); `setup` sees the target first. */
    const run = (p: KernelProfile, schemes: Damos[], setup: (t: DamonTarget) => void = () => undefined) => {
      const { ops, log } = schemeLoggingOps();
      const ctx = newCtx(p, { ops });
      ctx.targets = [target([0, 64 * KiB], [64 * KiB, 128 * KiB])];
      setup(ctx.targets[0]);
      ctx.schemes = schemes;
      for (const sc of schemes) setFiltersDefaultReject(sc);
      kdamondApplySchemes(ctx, () => 64 * KiB);
      return { log, regions: ranges(ctx.targets[0]).map(([x, y]) => [x / KiB, y / KiB]), snapshots: schemes[0].stat.nrSnapshots };
    };
    // 1. A 16 KiB quota before a core filter that rejects everything: nothing is charged, so each
    // region is cut at 16 KiB. Non-safe: the right part is visited next and cut again, down to
    // 16 KiB pieces (findings.md §3's explosion). Safe: it is not visited; one cut per region.
    const rejecting = () => {
      const sc = newScheme('stat', { sz: 16n * 1024n });
      const f = newFilter('addr', true, false);
      f.addrStart = 0;
      f.addrEnd = 128 * KiB;
      addFilter(sc, f);
      return [sc];
    };
    // The last region visited is the target's last one only when the walk reaches the end: the
    // safe walk ends on [64K, 80K), with [80K, 128K) after it, so no snapshot is counted.
    expect([run(nonSafe, rejecting()).snapshots, run(safe, rejecting()).snapshots]).toEqual([1, 0]);
    expect(run(nonSafe, rejecting()).regions).toEqual([
      [0, 16],
      [16, 32],
      [32, 48],
      [48, 64],
      [64, 80],
      [80, 96],
      [96, 112],
      [112, 128],
    ]);
    expect(run(safe, rejecting()).regions).toEqual([
      [0, 16],
      [16, 64],
      [64, 80],
      [80, 128],
    ]);
    // 2. Resuming at 40 KiB (the last window ended full there) for scheme 1, after a scheme 0 with
    // no quota. Non-safe: scheme 1 cuts [0, 64K) at 40 KiB and skips; the right part is visited
    // next, so scheme 0 applies to [40K, 64K) a second time. Safe (damos_skip_charged_region(t,
    // &r, ...)): scheme 1 goes on with [40K, 64K) itself, and the walk does not come back to it.
    const resumeRun = (p: KernelProfile) => {
      const s1 = newScheme('stat', { sz: 1024n * 1024n });
      const { log, regions } = run(p, [newScheme('stat'), s1], (t) => {
        s1.quota.chargeTargetFrom = t;
        s1.quota.chargeAddrFrom = 40 * KiB;
      });
      return { log, cleared: s1.quota.chargeTargetFrom === null, regions };
    };
    expect(resumeRun(nonSafe)).toEqual({
      log: [
        [0, 0, 64],
        [0, 40, 64],
        [1, 40, 64],
        [0, 64, 128],
        [1, 64, 128],
      ],
      cleared: true,
      regions: [
        [0, 40],
        [40, 64],
        [64, 128],
      ],
    });
    expect(resumeRun(safe)).toEqual({
      log: [
        [0, 0, 64],
        [1, 40, 64],
        [0, 64, 128],
        [1, 64, 128],
      ],
      cleared: true,
      regions: [
        [0, 40],
        [40, 64],
        [64, 128],
      ],
    });
  },

  feedLoopMultFrac: () => {
    // damos.md §4.6: once last · diff overflows 64 bits the older loop compensates with
    // (last / 10000) · diff, dropping the remainder; B1's mult_frac keeps it. CONSIST with esz_bp
    // 2000000000001234 and a user_input goal at 0 (score 0, diff 10000): comp is last itself
    // with mult_frac, 2000000000000000 without.
    const [frac, trunc] = pair('feedLoopMultFrac', true, false);
    const next = (p: KernelProfile, last: bigint, current: number) => {
      const ctx = newCtx(p);
      const s = newScheme('stat', { goals: [goal('user_input', 10000, current)], goalTuner: 'consist' });
      s.quota.eszBp = last;
      setEffectiveQuota(ctx, s, 0);
      return s.quota.eszBp;
    };
    expect(next(frac, 2000000000001234n, 0)).toBe(4000000000002468n);
    expect(next(trunc, 2000000000001234n, 0)).toBe(4000000000001234n);
    // Over the goal (score 15000, diff 5000): 4000000000005678 − 2000000000002839 vs − 2000000000000000.
    expect(next(frac, 4000000000005678n, 15000)).toBe(2000000000002839n);
    expect(next(trunc, 4000000000005678n, 15000)).toBe(2000000000005678n);
    // Below the overflow the two agree (the §4.6 vectors).
    expect(next(frac, 900000n, 200)).toBe(1782000n);
    expect(next(trunc, 900000n, 200)).toBe(1782000n);
  },

  collapseAction: () => {
    // damos.md §2.1, §7: collapse is a B1 action; other kernels refuse the name (-EINVAL).
    const [has, lacks] = pair('collapseAction', true, false);
    const doc = smallDoc([{ ...(eligibleScheme('consist') as object), action: 'collapse', quotas: {} }], 'b1');
    const path = 'damon.kdamonds[0].contexts[0].schemes[0].action';
    expect(validateUnder(doc, has)).toEqual([]);
    expect(validateUnder(doc, lacks)).toEqual([
      { path, message: `expected an action kernel profile "${lacks.name}" has (collapse: use profile b1); found "collapse" (the kernel refuses the name: -EINVAL)` },
    ]);
    expect(loadErrors({ ...doc, kernel: { profile: 'b0', hz: 1000 } })).toEqual([
      { path, message: 'expected an action kernel profile "b0" has (collapse: use profile b1); found "collapse" (the kernel refuses the name: -EINVAL)' },
    ]);
  },

  ctxPause: () => {
    // damos.md §7: the context pause file is B1's; a kernel without it refuses pause: true.
    const [has, lacks] = pair('ctxPause', true, false);
    const doc = smallDoc([eligibleScheme('consist')], 'b1');
    (doc.damon as { kdamonds: Array<{ contexts: Array<{ pause?: boolean }> }> }).kdamonds[0].contexts[0].pause = true;
    const path = 'damon.kdamonds[0].contexts[0].pause';
    expect(validateUnder(doc, has)).toEqual([]);
    expect(validateUnder(doc, lacks)).toEqual([{ path, message: `expected pause false: kernel profile "${lacks.name}" has no pause file (use profile b1); found true` }]);
    expect(loadErrors({ ...doc, kernel: { profile: 'b0', hz: 1000 } })).toEqual([{ path, message: 'expected pause false: kernel profile "b0" has no pause file (use profile b1); found true' }]);
  },

  commitEligibleNid: () => {
    // damos.md §5.2, §8.1: v9.2's damos_commit_quota_goal_union() copies nothing for
    // node_eligible_mem_bp, so the nid is lost (a new goal reads node 0 in damon-sim); the damon
    // tree after v9.2 copies it.
    const [copies, loses] = pair('commitEligibleNid', true, false);
    const commit = (p: KernelProfile, dstGoals: DamosQuotaGoal[]) => {
      const dst = new DamosQuota();
      dst.goals = dstGoals;
      const src = new DamosQuota();
      src.goals = [goal('node_eligible_mem_bp', 4000, 0, 1)];
      damosCommitQuotaGoals(dst, src, p);
      return dst.goals.map((g) => ({ metric: g.metric, target: g.targetValue, nid: g.nid }));
    };
    // A new goal (the online commit creates it) ...
    expect(commit(copies, [])).toEqual([{ metric: 'node_eligible_mem_bp', target: 4000n, nid: 1 }]);
    expect(commit(loses, [])).toEqual([{ metric: 'node_eligible_mem_bp', target: 4000n, nid: 0 }]);
    // ... and an existing one of another metric turned into node_eligible_mem_bp.
    expect(commit(copies, [goal('node_mem_used_bp', 9000, 0, 0)])).toEqual([{ metric: 'node_eligible_mem_bp', target: 4000n, nid: 1 }]);
    expect(commit(loses, [goal('node_mem_used_bp', 9000, 0, 0)])).toEqual([{ metric: 'node_eligible_mem_bp', target: 4000n, nid: 0 }]);
    // node_mem_* copies its nid under both (the union rule for those metrics did not change).
    const nodeMem = (p: KernelProfile) => {
      const dst = new DamosQuota();
      const src = new DamosQuota();
      src.goals = [goal('node_mem_free_bp', 50, 0, 1)];
      damosCommitQuotaGoals(dst, src, p);
      return dst.goals[0].nid;
    };
    expect([nodeMem(copies), nodeMem(loses)]).toEqual([1, 1]);
  },

  nodeEligibleMetric: () => {
    // damos.md §5.2: the metric exists only with the node_eligible_mem_bp patch (v7-v9.2); the
    // validator refuses it on a kernel without it, as sysfs would refuse the metric name.
    const [has, lacks] = pair('nodeEligibleMetric', true, false);
    const doc = smallDoc([eligibleScheme('consist')]);
    const path = 'damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].metric';
    expect(validateUnder(doc, has)).toEqual([]);
    expect(validateUnder(doc, lacks)).toEqual([{ path, message: `expected a metric kernel profile "${lacks.name}" has; found node_eligible_mem_bp (use profile b0 or b1)` }]);
    expect(loadErrors(smallDoc([eligibleScheme('consist')], 'mainline-6.19'))).toEqual([
      { path, message: 'expected a metric kernel profile "mainline-6.19" has; found node_eligible_mem_bp (use profile b0 or b1)' },
    ]);
    expect(loadErrors(smallDoc([eligibleScheme('consist', 'node_mem_used_bp')], 'mainline-6.19'))).toEqual([]);
  },

  lruMemBpMetrics: () => {
    // damos.md §5.1: active_mem_bp and inactive_mem_bp came with "advance DAMOS-based LRU
    // sorting" (7.0-rc1); a kernel before it has no such metric name.
    const [has, lacks] = pair('lruMemBpMetrics', true, false);
    const path = 'damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].metric';
    for (const metric of ['active_mem_bp', 'inactive_mem_bp']) {
      const doc = smallDoc([eligibleScheme('consist', metric)]);
      expect(validateUnder(doc, has)).toEqual([]);
      expect(validateUnder(doc, lacks)).toEqual([{ path, message: `expected a metric kernel profile "${lacks.name}" has; found ${metric} (use profile b0 or b1)` }]);
      expect(loadErrors(smallDoc([eligibleScheme('consist', metric)], 'mainline-6.19'))).toEqual([{ path, message: `expected a metric kernel profile "mainline-6.19" has; found ${metric} (use profile b0 or b1)` }]);
    }
    // The other metrics are not affected.
    expect(validateUnder(smallDoc([eligibleScheme('consist', 'node_mem_used_bp')]), lacks)).toEqual([]);
  },

  maxNrSnapshotsFile: () => {
    // damos.md §1.2, §3.2: max_nr_snapshots came with "{,max_}nr_snapshots" (7.0-rc1); before it a
    // scheme has no such file, so a limit cannot be set. 0 (no limit) is what such a kernel does.
    const [has, lacks] = pair('maxNrSnapshotsFile', true, false);
    const withMax = (n: number) => smallDoc([{ ...(eligibleScheme('consist', 'node_mem_used_bp') as object), max_nr_snapshots: n }]);
    const path = 'damon.kdamonds[0].contexts[0].schemes[0].max_nr_snapshots';
    expect(validateUnder(withMax(3), has)).toEqual([]);
    expect(validateUnder(withMax(3), lacks)).toEqual([{ path, message: `expected 0: kernel profile "${lacks.name}" has no max_nr_snapshots file (use profile b0 or b1); found 3` }]);
    expect(validateUnder(withMax(0), lacks)).toEqual([]);
    expect(loadErrors({ ...withMax(3), kernel: { profile: 'mainline-6.19', hz: 1000 } })).toEqual([{ path, message: 'expected 0: kernel profile "mainline-6.19" has no max_nr_snapshots file (use profile b0 or b1); found 3' }]);
  },

  statTracepoint: () => {
    // damos_stat_after_apply_interval came in 7.0: a kernel before it prints no such line. One
    // apply pass of one scheme: one line with the tracepoint, none without.
    const [has, lacks] = pair('statTracepoint', true, false);
    const run = (p: KernelProfile) => {
      const applied: number[] = [];
      const ctx = newCtx(p, { tracer: { applied: (_c, si) => applied.push(si) } });
      ctx.targets = [target([0, MiB])];
      ctx.schemes = [newScheme('stat')];
      kdamondApplySchemes(ctx, () => MiB);
      return { applied, tried: ctx.schemes[0].stat.nrTried };
    };
    expect(run(has)).toEqual({ applied: [0], tried: 1 });
    expect(run(lacks)).toEqual({ applied: [], tried: 1 });
  },

  tickSleeps: () => {
    // damon/usleep.ts: a sleep of at least USLEEP_RANGE_UPPER_BOUND (4 ticks) is
    // schedule_timeout_idle(usecs_to_jiffies(us)); armed at jiffy j for n jiffies it fires at the
    // wheel's bucket j + n + 1 (level 0 rounds up by one jiffy). Off: exactly us, as the spec's
    // §2.2 step 4 says. The stub ops take no time, so each sleep begins where the last one ended.
    const [on, off] = pair('tickSleeps', true, false);
    const run = (p: KernelProfile, hz: number, sampleUs: number, steps: number, startNs = 0) => {
      const ctx = newCtx(p, { hz, attrs: { sampleInterval: sampleUs, aggrInterval: 100 * sampleUs } });
      ctx.targets = [target([0, 64 * KiB])];
      const kd = new Kdamond(ctx);
      kd.start();
      ctx.clock.now = startNs;
      for (let i = 0; i < steps; i++) kd.step();
      return { ms: ctx.clock.now / 1e6, windowMs: ctx.accessWindowNs / 1e6 };
    };
    // HZ 1000, 5 ms (5 jiffies): 6 ms per sample from a tick boundary; three samples, 18 ms.
    expect(run(on, 1000, 5000, 1)).toEqual({ ms: 6, windowMs: 6 });
    expect(run(on, 1000, 5000, 3)).toEqual({ ms: 18, windowMs: 6 });
    expect(run(off, 1000, 5000, 3)).toEqual({ ms: 15, windowMs: 5 });
    // Begun 0.3 ms into a tick, the sleep still ends at the sixth tick boundary (5.7 ms; the young
    // map's window rounds to 6 ms); begun 0.7 ms in, 5.3 ms (window 5 ms).
    expect(run(on, 1000, 5000, 1, 300_000)).toEqual({ ms: 6, windowMs: 6 });
    expect(run(on, 1000, 5000, 1, 700_000)).toEqual({ ms: 6, windowMs: 5 });
    // HZ 250: 5 ms is below 4 ticks (16 ms), an exact hrtimer sleep either way.
    expect(run(on, 250, 5000, 2)).toEqual({ ms: 10, windowMs: 5 });
    // HZ 1000, 100 ms: 100 jiffies go to wheel level 1 (granularity 8). INITIAL_JIFFIES
    // (2^32 − 300·HZ) is a multiple of 8, so j + 100 rounds up to j + 104: 104 ms.
    expect(run(on, 1000, 100_000, 1)).toEqual({ ms: 104, windowMs: 104 });
    expect(run(off, 1000, 100_000, 1)).toEqual({ ms: 100, windowMs: 100 });
  },

  callObsoleteCanceled: () => {
    // A command to a kdamond that an `off` stopped: damon_call() on the obsolete context answers
    // -ECANCELED after the exit-race fix, damon_call_handle_inactive_ctx()'s -EINVAL before it;
    // the tried-regions update (damos_walk()) follows walkObsoleteCanceled, off in b0.
    pair('callObsoleteCanceled', true, false);
    expect(stoppedErrors({ callObsoleteCanceled: true })).toEqual(['-ECANCELED: kdamond is not running (damon_call() on a stopped context)', '-EINVAL: kdamond is not running']);
    expect(stoppedErrors({ callObsoleteCanceled: false })).toEqual(['-EINVAL: kdamond is not running', '-EINVAL: kdamond is not running']);
    // The in-memory tree answers so too; a kdamond never turned on has no context to call (-EINVAL).
    expect(stoppedTreeErrnos({ callObsoleteCanceled: true })).toEqual({ never: ['-EINVAL', '-EINVAL'], stopped: ['-ECANCELED', '-EINVAL'] });
    expect(stoppedTreeErrnos({ callObsoleteCanceled: false })).toEqual({ never: ['-EINVAL', '-EINVAL'], stopped: ['-EINVAL', '-EINVAL'] });
  },

  walkObsoleteCanceled: () => {
    pair('walkObsoleteCanceled', true, false);
    expect(stoppedErrors({ walkObsoleteCanceled: true })).toEqual(['-ECANCELED: kdamond is not running (damon_call() on a stopped context)', '-ECANCELED: kdamond is not running (damos_walk() on a stopped context)']);
    expect(stoppedErrors({ walkObsoleteCanceled: false })[1]).toBe('-EINVAL: kdamond is not running');
    expect(stoppedTreeErrnos({ walkObsoleteCanceled: true }).stopped).toEqual(['-ECANCELED', '-ECANCELED']);
  },

  eligibleWalkAligned: () => {
    // damos.md §5.2 (v7 → v8): past a missing folio the walk steps to PAGE_ALIGN_DOWN(a + 4096)
    // (v8+) or to a + 4096 (v7). Machine: node 0 has 64 KiB of reserved (non-LRU) memory at its
    // start G = 4 GiB, then owner 0's 1 MiB of LRU base pages [G + 64K, G + 64K + 1M); node 1
    // (at N1 = G + 64 MiB) has owner 1's 1 MiB at [N1, N1 + 1M). addr_unit 1024 (min_region_sz 4):
    // region A = [G + 63K, G + 64K + 1M) in bytes, i.e. core units [4194367, 4195392), starts
    // 3 KiB into the last reserved page; region B = [N1, N1 + 1M).
    //  v8: a = G + 63K has no folio ⇒ a = PAGE_ALIGN_DOWN(G + 67K) = G + 64K ⇒ all 1 MiB counted.
    //  v7: a = G + 63K + 4K = G + 67K, inside the folio [G + 64K, G + 68K): overlap 1 KiB, then
    //      whole folios ⇒ 1 MiB - 3 KiB = 1045504 counted.
    // node_eligible_mem_bp(nid 0) = mult_frac(onNode, 10000, total):
    //  v8: mult_frac(1048576, 10000, 2097152) = 5000; nid 1 likewise 5000.
    //  v7: mult_frac(1045504, 10000, 2094080) = 4992 (4992.66); nid 1: mult_frac(1048576, 10000,
    //      2094080) = 5007 (5007.33).
    const [v8, v7] = pair('eligibleWalkAligned', true, false);
    const G = 4 * GiB;
    const run = (p: KernelProfile) => {
      const { machine, mm, ops } = tinyMachine(64 * KiB);
      alloc(machine, 0, MiB, [0]);
      alloc(machine, 1, MiB, [1]);
      const n1 = machine.nodes[1].start;
      expect(n1).toBe(G + 64 * MiB);
      expect(machine.lruExtentAt(G + 64 * KiB)?.owner).toBe(0);
      expect(machine.lruExtentAt(G + 60 * KiB)).toBeNull();
      const ctx = newCtx(p, { ops, mm });
      ctx.addrUnit = 1024;
      ctx.minRegionSz = 4;
      const a = new DamonRegion((G + 63 * KiB) / 1024, (G + 64 * KiB + MiB) / 1024);
      expect([a.start, a.end]).toEqual([4194367, 4195392]);
      const b = new DamonRegion(n1 / 1024, (n1 + MiB) / 1024);
      const t = new DamonTarget();
      t.regions = [a, b];
      ctx.targets = [t];
      const ea = eligibleOf(ops, ctx, a, 0);
      const eb = eligibleOf(ops, ctx, b, 0);
      const s = newScheme('migrate_hot');
      return {
        a: [ea.onNode, ea.total],
        b: [eb.onNode, eb.total],
        bp0: nodeEligibleMemBp(ctx, s, 0).bp,
        bp1: nodeEligibleMemBp(ctx, s, 1).bp,
      };
    };
    expect(run(v8)).toEqual({ a: [MiB, MiB], b: [0, MiB], bp0: 5000n, bp1: 5000n });
    expect(run(v7)).toEqual({ a: [MiB - 3 * KiB, MiB - 3 * KiB], b: [0, MiB], bp0: 4992n, bp1: 5007n });
  },
};

describe('kernel profile switches: each flipped alone on b0', () => {
  for (const sw of SWITCHES) {
    it(`${sw.key} (${sw.spec})`, () => CASES[sw.key]());
  }
});

describe('the switch registry', () => {
  it('SWITCHES lists every switch of KernelProfile once, and every switch has a test here', () => {
    const keys = Object.keys(B0).filter((k) => k !== 'name' && k !== 'description');
    expect(SWITCHES.map((s) => s.key).sort()).toEqual([...keys].sort());
    expect(new Set(SWITCHES.map((s) => s.key)).size).toBe(SWITCHES.length);
    expect(Object.keys(CASES).sort()).toEqual([...keys].sort());
    for (const p of PROFILES) expect(Object.keys(p).sort(), p.name).toEqual(Object.keys(B0).sort());
  });

  it('withOverrides changes only what it is given and names the result', () => {
    const p = withOverrides(B0, { postApplyMerge: true });
    expect(p.name).toBe('b0+postApplyMerge');
    expect({ ...p, name: B0.name, postApplyMerge: false }).toEqual(B0);
    expect(withOverrides(B0, {})).toBe(B0);
  });

  it('useProfile names the built-in profiles a setting needs, in registry order', () => {
    expect(useProfile((p) => p.ctxPause)).toBe('use profile b1');
    expect(useProfile((p) => p.temporalTuner)).toBe('use profile b0 or b1');
    expect(useProfile((p) => p.safeApplyWalk)).toBe('use profile mainline-6.19');
    expect(useProfile(() => true)).toBe('use profile b0, b1 or mainline-6.19');
    expect(useProfile(() => false)).toBe('no built-in profile has it');
  });

  it('docs/profiles.md is the text profilesMarkdown() generates', () => {
    // src/profiles.ts: "docs/profiles.md, generated (a test keeps the committed file current)".
    const committed = readFileSync(new URL('../docs/profiles.md', import.meta.url), 'utf8');
    expect(committed).toBe(profilesMarkdown());
  });
});
