// SPDX-License-Identifier: GPL-2.0-only
/**
 * fast-check arbitraries for valid normalised DAMON parameters (KdamondParams[]): every value in
 * the range the damo kdamonds reader produces, with the consistency it guarantees (filters carry
 * the fields of their type, min <= max in access patterns, times saturated at 2^53 - 1 for "max").
 */
import fc from 'fast-check';
import { DAMOS_ACTIONS, FILTER_TYPES, GOAL_TUNERS, QUOTA_GOAL_METRICS, WMARK_METRICS, type FilterType, type QuotaGoalMetric } from '../../src/damos/scheme.js';
import { UINT_MAX, ULONG_MAX } from '../../src/lib/kint.js';
import type { ContextParams, FilterParams, GoalParams, KdamondParams, SchemeParams } from '../../src/scenario/model.js';

const MAX = Number.MAX_SAFE_INTEGER;
const u32 = fc.oneof(fc.constantFrom(0, 1, 20, UINT_MAX), fc.integer({ min: 0, max: UINT_MAX }));
const smallNat = (max: number) => fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max }));
/** A ulong time kept as a number: up to 2^50, or the saturated "max". */
const ulongTime = fc.oneof(fc.constantFrom(0, 1, 1000, 5000, 100_000, 1_000_000, MAX), fc.integer({ min: 0, max: 2 ** 50 }));
const u64 = fc.oneof(fc.constantFrom(0n, 1n, 4096n, 4097n, 209_715_200n, ULONG_MAX, ULONG_MAX - 1n, 2n ** 53n + 1n), fc.bigInt({ min: 0n, max: ULONG_MAX }));
const path = fc.stringMatching(/^\/[a-z0-9_-]{1,8}(\/[a-z0-9_-]{1,8}){0,2}$/);
const range = <T>(arb: fc.Arbitrary<T>, lt: (a: T, b: T) => boolean) => fc.tuple(arb, arb).map(([a, b]) => (lt(b, a) ? ([b, a] as [T, T]) : ([a, b] as [T, T])));

const NODE: readonly QuotaGoalMetric[] = ['node_mem_used_bp', 'node_mem_free_bp', 'node_memcg_used_bp', 'node_memcg_free_bp', 'node_eligible_mem_bp'];
const MEMCG: readonly QuotaGoalMetric[] = ['node_memcg_used_bp', 'node_memcg_free_bp'];

export const goalArb: fc.Arbitrary<GoalParams> = fc
  .record({ metric: fc.constantFrom(...QUOTA_GOAL_METRICS), targetValue: u64, currentValue: u64, nid: fc.integer({ min: -1, max: 7 }), path })
  .map(({ metric, targetValue, currentValue, nid, path: p }) => ({
    metric,
    targetValue,
    currentValue,
    // Node metrics carry a nid; the others none (the sysfs tree has no way to say "none" for a node metric).
    nid: NODE.includes(metric) ? nid : null,
    memcgPath: MEMCG.includes(metric) ? p : null,
  }));

export const filterArb: fc.Arbitrary<FilterParams> = fc
  .record({
    type: fc.constantFrom<FilterType>(...FILTER_TYPES),
    matching: fc.boolean(),
    allow: fc.boolean(),
    memcg: path,
    addr: range(fc.integer({ min: 0, max: 2 ** 40 }), (a, b) => a < b),
    idx: smallNat(16),
    hp: range(fc.integer({ min: 0, max: 2 ** 40 }), (a, b) => a < b),
  })
  .map((r) => ({
    type: r.type,
    matching: r.matching,
    allow: r.allow,
    memcgPath: r.type === 'memcg' ? r.memcg : null,
    addrRange: r.type === 'addr' ? { start: r.addr[0], end: r.addr[1] } : null,
    targetIdx: r.type === 'target' ? r.idx : null,
    hugepageSize: r.type === 'hugepage_size' ? r.hp : null,
  }));

export const schemeArb: fc.Arbitrary<SchemeParams> = fc
  .record({
    action: fc.constantFrom(...DAMOS_ACTIONS),
    targetNid: fc.integer({ min: -1, max: 7 }),
    dests: fc.array(fc.record({ id: smallNat(7), weight: smallNat(2 ** 32) }), { maxLength: 3 }),
    sz: range(u64, (a, b) => a < b),
    nr: range(u32, (a, b) => a < b),
    age: range(u32, (a, b) => a < b),
    applyIntervalUs: smallNat(2 ** 50),
    ms: ulongTime,
    qsz: u64,
    reset: ulongTime,
    fcn: smallNat(2 ** 32),
    fcd: smallNat(2 ** 32),
    goals: fc.array(goalArb, { maxLength: 3 }),
    tuner: fc.constantFrom(...GOAL_TUNERS),
    w: fc.tuple(u32, u32, u32),
    wm: fc.record({ metric: fc.constantFrom(...WMARK_METRICS), intervalUs: ulongTime, high: u32, mid: u32, low: u32 }),
    filters: fc.array(filterArb, { maxLength: 4 }),
    snaps: smallNat(2 ** 32),
  })
  .map((r) => ({
    action: r.action,
    targetNid: r.targetNid,
    dests: r.dests,
    pattern: { minSzRegion: r.sz[0], maxSzRegion: r.sz[1], minNrAccesses: r.nr[0], maxNrAccesses: r.nr[1], minAgeRegion: r.age[0], maxAgeRegion: r.age[1] },
    applyIntervalUs: r.applyIntervalUs,
    quota: {
      ms: r.ms,
      sz: r.qsz,
      resetIntervalMs: r.reset,
      failChargeNum: r.fcn,
      failChargeDenom: r.fcd,
      goals: r.goals,
      goalTuner: r.tuner,
      weightSz: r.w[0],
      weightNrAccesses: r.w[1],
      weightAge: r.w[2],
    },
    wmarks: r.wm,
    filters: r.filters,
    maxNrSnapshots: r.snaps,
  }));

export const contextArb: fc.Arbitrary<ContextParams> = fc
  .record({
    ops: fc.constantFrom('paddr' as const, 'vaddr' as const, 'fvaddr' as const),
    addrUnit: fc.oneof(fc.constantFrom(1, 4, 4096), fc.integer({ min: 1, max: 4096 })),
    pause: fc.boolean(),
    sample: smallNat(2 ** 40),
    aggr: smallNat(2 ** 40),
    update: smallNat(2 ** 40),
    goal: fc.record({ accessBp: u32, aggrs: u32, minSampleUs: smallNat(2 ** 50), maxSampleUs: smallNat(2 ** 50) }),
    nrr: fc.tuple(u32, u32),
    targets: fc.array(
      fc.record({ pid: smallNat(4_000_000), obsolete: fc.boolean(), regions: fc.array(range(fc.integer({ min: 0, max: 2 ** 40 }), (a, b) => a < b), { maxLength: 3 }) }),
      { maxLength: 2 },
    ),
    schemes: fc.array(schemeArb, { maxLength: 3 }),
  })
  .map((r) => ({
    ops: r.ops,
    addrUnit: r.addrUnit,
    pause: r.pause,
    attrs: { sampleInterval: r.sample, aggrInterval: r.aggr, opsUpdateInterval: r.update, intervalsGoal: r.goal, minNrRegions: r.nrr[0], maxNrRegions: r.nrr[1] },
    targets: r.targets.map((t) => ({
      // paddr targets have no pid (damo and the sysfs reader drop it)
      pid: r.ops === 'paddr' ? null : t.pid,
      obsolete: t.obsolete,
      regions: t.regions.map(([start, end]) => ({ start, end })),
    })),
    schemes: r.schemes,
  }));

export const kdamondsArb: fc.Arbitrary<KdamondParams[]> = fc.array(
  fc.record({ refreshMs: smallNat(2 ** 31), contexts: fc.array(contextArb, { maxLength: 2 }) }),
  { minLength: 1, maxLength: 2 },
);
