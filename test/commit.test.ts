// SPDX-License-Identifier: GPL-2.0-only
/**
 * Online commits: the commit cases of mm/damon/tests/core-kunit.h (damos.md §8.1) — quota goal(s),
 * quota, dests, filter, pageout, migrate_hot, commit_ctx — the damon tree's "eligible_mem_bp
 * commitment" under both profiles (damos.md §5.2), and the commit semantics of damos.md §7
 * (matching by index, runtime state kept, trap 16) and damon-monitoring.md §2.3 (attrs only when
 * they differ; maybe_corrupted). The last block runs scheduled `commit` events end to end: the
 * sysfs path refuses a bad commit and the kdamond goes on; a module's direct damon_commit_ctx()
 * leaves the context corrupted and the kdamond stops.
 */
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx as makeCtx, stubOps } from './helpers/ctx.js';
import { type DamonAttrs } from '../src/damon/attrs.js';
import { damonCommitCtx, damonCommitCtxTest } from '../src/damon/commit.js';
import { DamonCtx } from '../src/damon/ctx.js';
import { DamonRegion, DamonTarget } from '../src/damon/region.js';
import {
  commitSchemesQuotaGoals,
  damonCommitSchemes,
  damosCommit,
  damosCommitDests,
  damosCommitFilter,
  damosCommitQuota,
  damosCommitQuotaGoal,
  damosCommitQuotaGoals,
} from '../src/damos/commit.js';
import { Damos, DamosQuota, addFilter, newFilter, type DamosAccessPattern, type DamosAction, type DamosDest, type DamosQuotaGoal, type DamosWatermarks, type QuotaGoalMetric } from '../src/damos/scheme.js';
import type { OpsId } from '../src/ops/operations.js';
import { DEFAULT_PROFILE, findProfile, withOverrides, type KernelProfile } from '../src/profiles.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';

// ---------------------------------------------------------------------------------------------
// Helpers


function profile(name: string): KernelProfile {
  const p = findProfile(name);
  if (!p) throw new Error(`no profile ${name}`);
  return p;
}

function newCtx(opts: { attrs?: DamonAttrs; profile?: KernelProfile; ops?: OpsId } = {}): DamonCtx {
  const c = makeCtx({ ops: stubOps(opts.ops), profile: opts.profile, attrs: opts.attrs, label: 'commit' });
  const err = c.setAttrs(c.attrs);
  if (err) throw new Error(err);
  return c;
}

function goal(metric: QuotaGoalMetric, targetValue: number, currentValue = 0, extra: Partial<DamosQuotaGoal> = {}): DamosQuotaGoal {
  return { metric, targetValue: BigInt(targetValue), currentValue: BigInt(currentValue), nid: 0, memcgPath: null, memcgId: undefined, lastPsiTotal: 0, ...extra };
}

function pattern(v: [number, number, number, number, number, number]): DamosAccessPattern {
  return { minSzRegion: BigInt(v[0]), maxSzRegion: BigInt(v[1]), minNrAccesses: v[2], maxNrAccesses: v[3], minAgeRegion: v[4], maxAgeRegion: v[5] };
}

const NO_WMARKS: DamosWatermarks = { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true };

function scheme(action: DamosAction = 'stat', opts: { pattern?: DamosAccessPattern; applyIntervalUs?: number; wmarks?: DamosWatermarks; targetNid?: number; quota?: DamosQuota } = {}): Damos {
  return new Damos(
    opts.pattern ?? { ...MATCH_ALL },
    action,
    opts.applyIntervalUs ?? 0,
    opts.quota ?? new DamosQuota(),
    opts.wmarks ?? NO_WMARKS,
    opts.targetNid ?? -1,
  );
}

function quotaWithGoals(goals: DamosQuotaGoal[]): DamosQuota {
  const q = new DamosQuota();
  q.goals = goals;
  return q;
}

// ---------------------------------------------------------------------------------------------

describe('mm/damon/tests/core-kunit.h commit cases (damos.md §8.1)', () => {
  it('damos_test_commit_quota_goal', () => {
    const dst = goal('some_mem_psi_us', 1000, 123, { lastPsiTotal: 456 });
    const cases: DamosQuotaGoal[] = [
      goal('user_input', 789, 12),
      goal('node_mem_free_bp', 345, 678, { nid: 9 }),
      goal('node_mem_used_bp', 12, 345, { nid: 6 }),
      goal('node_memcg_used_bp', 456, 567, { nid: 6, memcgId: 7 }),
      goal('node_memcg_free_bp', 890, 901, { nid: 10, memcgId: 1 }),
      goal('some_mem_psi_us', 234, 345, { lastPsiTotal: 567 }),
    ];
    for (const src of cases) {
      const dstLastPsi = dst.metric === 'some_mem_psi_us' ? dst.lastPsiTotal : 0;
      const before = dst.currentValue;
      damosCommitQuotaGoal(dst, src, DEFAULT_PROFILE);
      const what = `${src.metric}`;
      expect(dst.metric, what).toBe(src.metric);
      expect(dst.targetValue, what).toBe(src.targetValue);
      if (src.metric === 'user_input') expect(dst.currentValue, what).toBe(src.currentValue);
      else expect(dst.currentValue, `${what}: measured metrics keep the kernel's value`).toBe(before);
      if (dstLastPsi && src.metric === 'some_mem_psi_us') expect(dst.lastPsiTotal).toBe(dstLastPsi);
      if (dst.metric.startsWith('node_mem_')) expect(dst.nid, what).toBe(src.nid);
      if (dst.metric.startsWith('node_memcg_')) expect([dst.nid, dst.memcgId], what).toEqual([src.nid, src.memcgId]);
    }
    // The kunit sequence reaches PSI from a memcg goal, so its last_psi_total check is skipped;
    // the rule itself (a PSI dst keeps its own last_psi_total) on a PSI -> PSI commit:
    const psi = goal('some_mem_psi_us', 1000, 123, { lastPsiTotal: 456 });
    damosCommitQuotaGoal(psi, goal('some_mem_psi_us', 234, 345, { lastPsiTotal: 567 }), DEFAULT_PROFILE);
    expect([psi.targetValue, psi.currentValue, psi.lastPsiTotal]).toEqual([234n, 123n, 456]);
  });

  it('damos_test_commit_quota_goals', () => {
    const rows: Array<[number[], number[]]> = [
      [[], [123]],
      [[234], [345]],
      [[456], []],
    ];
    for (const [d, s] of rows) {
      const dst = quotaWithGoals(d.map((v) => goal('user_input', v)));
      const src = quotaWithGoals(s.map((v) => goal('user_input', v)));
      damosCommitQuotaGoals(dst, src, DEFAULT_PROFILE);
      expect(dst.goals.map((g) => [g.metric, g.targetValue])).toEqual(s.map((v) => ['user_input', BigInt(v)]));
      // created goals are new objects, not the source's
      for (const g of dst.goals) expect(src.goals.includes(g)).toBe(false);
    }
  });

  it('damos_test_commit_quota', () => {
    const dst = new DamosQuota();
    Object.assign(dst, { resetInterval: 1, ms: 2, sz: 3n, goalTuner: 'consist', failChargeNum: 2, failChargeDenom: 3, weightSz: 4, weightNrAccesses: 5, weightAge: 6 });
    const src = new DamosQuota();
    Object.assign(src, { resetInterval: 7, ms: 8, sz: 9n, goalTuner: 'temporal', failChargeNum: 1, failChargeDenom: 1024, weightSz: 10, weightNrAccesses: 11, weightAge: 12 });
    // runtime state of dst that a commit keeps
    Object.assign(dst, { esz: 4096n, eszBp: 40960000n, chargedSz: 100, chargedFrom: 77, totalChargedSz: 5, totalChargedNs: 6, minScore: 42, chargeAddrFrom: 8192 });
    damosCommitQuota(dst, src, DEFAULT_PROFILE);
    const user = (q: DamosQuota) => [q.resetInterval, q.ms, q.sz, q.goalTuner, q.failChargeNum, q.failChargeDenom, q.weightSz, q.weightNrAccesses, q.weightAge];
    expect(user(dst)).toEqual(user(src));
    expect([dst.esz, dst.eszBp, dst.chargedSz, dst.chargedFrom, dst.totalChargedSz, dst.totalChargedNs, dst.minScore, dst.chargeAddrFrom]).toEqual([
      4096n, 40960000n, 100, 77, 5, 6, 42, 8192,
    ]);
  });

  it('damos_test_commit_dests', () => {
    const d = (ids: number[], weights: number[]): DamosDest[] => ids.map((id, i) => ({ id, weight: weights[i] }));
    const rows: Array<[DamosDest[], DamosDest[]]> = [
      [d([1, 2, 3], [2, 3, 4]), d([4, 5, 6], [5, 6, 7])],
      [d([1, 2], [2, 3]), d([4, 5, 6], [5, 6, 7])],
      [[], d([4, 5, 6], [5, 6, 7])],
      [d([1, 2, 3], [2, 3, 4]), d([4, 5], [5, 6])],
      [d([1, 2, 3], [2, 3, 4]), []],
    ];
    for (const [dst, src] of rows) {
      damosCommitDests(dst, src);
      expect(dst).toEqual(src);
      for (const x of dst) expect(src.includes(x)).toBe(false);
    }
  });

  it('damos_test_commit_filter', () => {
    const dst = newFilter('active', false, false);
    const memcg = Object.assign(newFilter('memcg', false, false), { memcgId: 123, memcgPath: '/a' });
    const huge = Object.assign(newFilter('hugepage_size', false, false), { szMin: 234, szMax: 345 });
    const addr = Object.assign(newFilter('addr', false, false), { addrStart: 456, addrEnd: 567 });
    const target = Object.assign(newFilter('target', true, true), { targetIdx: 6 });
    const srcs = [newFilter('anon', true, true), memcg, newFilter('young', true, true), huge, newFilter('unmapped', true, true), addr, target];
    for (const src of srcs) {
      damosCommitFilter(dst, src);
      expect([dst.type, dst.matching, dst.allow], src.type).toEqual([src.type, src.matching, src.allow]);
      switch (src.type) {
        case 'memcg':
          expect(dst.memcgId).toBe(123);
          break;
        case 'hugepage_size':
          expect([dst.szMin, dst.szMax]).toEqual([234, 345]);
          break;
        case 'addr':
          expect([dst.addrStart, dst.addrEnd]).toEqual([456, 567]);
          break;
        case 'target':
          expect(dst.targetIdx).toBe(6);
          break;
        default:
          break;
      }
    }
  });

  const dstPageout = () =>
    scheme('pageout', {
      pattern: pattern([1, 2, 3, 4, 5, 6]),
      applyIntervalUs: 1_000_000,
      wmarks: { metric: 'free_mem_rate', interval: 900, high: 100, mid: 50, low: 0, activated: false },
    });

  it('damos_test_commit_pageout', () => {
    const dst = dstPageout();
    const src = scheme('pageout', { pattern: pattern([2, 3, 4, 5, 6, 7]), applyIntervalUs: 2_000_000, wmarks: { metric: 'free_mem_rate', interval: 800, high: 50, mid: 30, low: 0, activated: true } });
    damosCommit(dst, src, DEFAULT_PROFILE);
    expect(dst.pattern).toEqual(src.pattern);
    expect(dst.action).toBe('pageout');
    expect(dst.applyIntervalUs).toBe(2_000_000);
    expect(dst.wmarks).toEqual(src.wmarks);
  });

  it('damos_test_commit_migrate_hot', () => {
    const dst = dstPageout();
    const src = scheme('migrate_hot', { pattern: pattern([2, 3, 4, 5, 6, 7]), applyIntervalUs: 2_000_000, targetNid: 5 });
    damosCommit(dst, src, DEFAULT_PROFILE);
    expect(dst.pattern).toEqual(src.pattern);
    expect([dst.action, dst.applyIntervalUs, dst.targetNid]).toEqual(['migrate_hot', 2_000_000, 5]);
    expect(dst.wmarks).toEqual(src.wmarks);
  });

  it('damon_test_commit_ctx', () => {
    const dst = newCtx();
    const src = newCtx();
    src.minRegionSz = 4096;
    expect(damonCommitCtx(dst, src)).toBeNull();
    expect(dst.maybeCorrupted).toBe(false);
    src.minRegionSz = 4095;
    expect(damonCommitCtx(dst, src)).toMatch(/^-EINVAL/);
    // damon_commit_ctx marks the destination before validating and only clears it on success.
    expect(dst.maybeCorrupted).toBe(true);
    expect(dst.minRegionSz).toBe(4096);
    src.minRegionSz = 4096;
    src.pause = true;
    expect(damonCommitCtx(dst, src)).toBeNull();
    expect(dst.maybeCorrupted).toBe(false);
    expect(dst.pause).toBe(true);
  });
});

describe('eligible_mem_bp commitment (damos.md §5.2)', () => {
  // b0 and b1 copy the nid, as damos.md §5.2 asks; v9.2 as posted copies nothing (b0 with the
  // commitEligibleNid override).
  for (const [name, p, copies] of [
    ['b0', profile('b0'), true],
    ['b1', profile('b1'), true],
    ['v9.2 as posted', withOverrides(profile('b0'), { commitEligibleNid: false }), false],
  ] as const) {
    it(`${name}: ${copies ? 'copies' : 'does not copy'} the nid of node_eligible_mem_bp goals`, () => {
      // existing goal
      const dst = goal('node_eligible_mem_bp', 6000, 0, { nid: 0 });
      damosCommitQuotaGoal(dst, goal('node_eligible_mem_bp', 4000, 0, { nid: 1 }), p);
      expect(dst.targetValue).toBe(4000n);
      expect(dst.nid).toBe(copies ? 1 : 0);
      // a goal the commit creates: the v9.2 union copy leaves nid unset (damon-sim: 0)
      const q = quotaWithGoals([]);
      damosCommitQuotaGoals(q, quotaWithGoals([goal('node_eligible_mem_bp', 6000, 0, { nid: 1 })]), p);
      expect(q.goals[0].nid).toBe(copies ? 1 : 0);
      // the other node metrics copy nid under both
      const nm = goal('node_mem_used_bp', 1, 0, { nid: 0 });
      damosCommitQuotaGoal(nm, goal('node_mem_used_bp', 1, 0, { nid: 1 }), p);
      expect(nm.nid).toBe(1);
    });
  }
});

describe('damon_commit_ctx semantics (damos.md §7, damon-monitoring.md §2.3)', () => {
  it('matches schemes by index, keeps runtime state, creates and destroys', () => {
    const dst = newCtx();
    const a = scheme('stat');
    const b = scheme('pageout');
    dst.schemes.push(a, b);
    a.stat.nrTried = 5;
    a.quota.esz = 123n;
    a.quota.eszBp = 1230000n;
    a.quota.chargedSz = 17;
    a.quota.chargedFrom = 99;
    a.nextApplySis = 40;
    a.wmarks.activated = false; // deactivated by a watermark check
    dst.passedSampleIntervals = 33;
    const src = newCtx();
    const s0 = scheme('migrate_cold', { targetNid: 1 });
    s0.quota.sz = 4096n;
    addFilter(s0, newFilter('addr', true, true));
    src.schemes.push(s0);
    damonCommitSchemes(dst, src);
    expect(dst.schemes).toEqual([a]); // b destroyed
    expect([a.action, a.targetNid, a.quota.sz]).toEqual(['migrate_cold', 1, 4096n]);
    expect([a.stat.nrTried, a.quota.esz, a.quota.eszBp, a.quota.chargedSz, a.quota.chargedFrom, a.nextApplySis]).toEqual([5, 123n, 1230000n, 17, 99, 40]);
    expect(a.wmarks.activated, 'trap 16: the whole watermarks struct is copied').toBe(true);
    expect(a.coreFiltersDefaultReject, 'default reject recomputed').toBe(true);
    // more source schemes: the extra one is created and gets next_apply_sis (damon_add_scheme)
    const s1 = scheme('stat', { applyIntervalUs: 10_000 });
    s1.quota.goals.push(goal('user_input', 10000, 5000));
    src.schemes.push(s1);
    damonCommitSchemes(dst, src);
    expect(dst.schemes.length).toBe(2);
    const c = dst.schemes[1];
    expect(c).not.toBe(s1);
    expect([c.applyIntervalUs, c.nextApplySis, c.quota.goals.length, c.quota.goals[0].currentValue]).toEqual([10_000, 33 + 2, 1, 5000n]);
    expect(c.quota.goals[0]).not.toBe(s1.quota.goals[0]);
  });

  it('sets attrs only when they differ, then addr_unit and min_region_sz', () => {
    const dst = newCtx();
    dst.passedSampleIntervals = 7;
    dst.nextAggregationSis = 20;
    const src = newCtx();
    expect(damonCommitCtx(dst, src)).toBeNull();
    expect(dst.nextAggregationSis, 'equal attrs: damon_set_attrs not called').toBe(20);
    src.attrs = { ...src.attrs, maxNrRegions: 7, minNrRegions: 3 };
    src.addrUnit = 4;
    src.minRegionSz = 1024;
    expect(damonCommitCtx(dst, src)).toBeNull();
    expect([dst.attrs.maxNrRegions, dst.nextAggregationSis, dst.addrUnit, dst.minRegionSz]).toEqual([7, 7 + 20, 4, 1024]);
  });

  it('refuses node_eligible_mem_bp under non-paddr ops before changing anything', () => {
    const dst = newCtx();
    dst.schemes.push(scheme('stat'));
    const src = newCtx({ ops: 'vaddr' });
    const s = scheme('pageout');
    s.quota.goals.push(goal('node_eligible_mem_bp', 6000));
    src.schemes.push(s);
    expect(damonCommitCtxTest(dst, src)).toMatch(/node_eligible_mem_bp/);
    expect(damonCommitCtx(dst, src)).toMatch(/^-EINVAL/);
    expect(dst.maybeCorrupted).toBe(true);
    expect(dst.schemes[0].action).toBe('stat');
  });

  it('commits targets by index; obsolete sources destroy theirs and clear charge resume points', () => {
    const dst = newCtx();
    dst.minRegionSz = 1;
    const t0 = new DamonTarget();
    t0.regions.push(new DamonRegion(0, 10));
    const t1 = new DamonTarget();
    t1.regions.push(new DamonRegion(100, 110));
    dst.targets.push(t0, t1);
    const s = scheme('stat');
    s.quota.chargeTargetFrom = t1;
    s.quota.chargeAddrFrom = 105;
    dst.schemes.push(s);
    const src = newCtx();
    src.minRegionSz = 1;
    const u0 = new DamonTarget();
    u0.regions.push(new DamonRegion(2, 8));
    const u1 = new DamonTarget();
    u1.obsolete = true;
    src.targets.push(u0, u1);
    src.schemes.push(scheme('stat'));
    expect(damonCommitCtx(dst, src)).toBeNull();
    expect(dst.targets).toEqual([t0]);
    expect(t0.regions.map((r) => [r.start, r.end])).toEqual([[2, 8]]);
    expect([s.quota.chargeTargetFrom, s.quota.chargeAddrFrom]).toEqual([null, 0]);
    // an obsolete source target without a destination is refused
    const extra = new DamonTarget();
    extra.obsolete = true;
    src.targets = [u0, extra];
    expect(damonCommitCtxTest(dst, src)).toMatch(/obsolete/);
  });

  it('commit_schemes_quota_goals re-reads goals only', () => {
    const dst = newCtx();
    const a = scheme('stat');
    a.quota.goals.push(goal('user_input', 10000, 0), goal('node_mem_free_bp', 500, 0, { nid: 0 }));
    a.quota.sz = 1000n;
    dst.schemes.push(a);
    const src = scheme('pageout');
    src.quota.sz = 5n;
    src.quota.goals.push(goal('user_input', 10000, 15000), goal('node_mem_free_bp', 600, 42, { nid: 1 }));
    commitSchemesQuotaGoals(dst, [src, scheme('stat')]);
    expect([a.action, a.quota.sz]).toEqual(['stat', 1000n]);
    expect(a.quota.goals.map((g) => [g.metric, g.targetValue, g.currentValue, g.nid])).toEqual([
      ['user_input', 10000n, 15000n, 0],
      ['node_mem_free_bp', 600n, 0n, 1],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Scheduled commit events end to end

function smallDoc(events: object[], addrUnit?: number): object {
  const ctx = (au?: number) => ({
    ops: 'paddr',
    ...(au === undefined ? {} : { addr_unit: au }),
    targets: [{ pid: null }],
    intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
    nr_regions: { min: 10, max: 1000 },
    schemes: [{ action: 'stat', access_pattern: { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: 0, max: 'max' }, age: { min: 0, max: 'max' } } }],
  });
  return {
    name: 'commit-events',
    seed: 5,
    duration: 2,
    machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
    workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 1e6 },
    damon: { kdamonds: [{ contexts: [ctx()] }] },
    events: events.map((e) => ({ ...e, ...('damon' in e ? { damon: { contexts: [ctx(addrUnit)] } } : {}) })),
  };
}

describe('scheduled commit events', () => {
  it('sysfs: a commit bringing a paddr context a second target is refused (damon_sysfs_add_targets), and the kdamond keeps its one', () => {
    const doc = smallDoc([{ at: 1, command: 'commit', damon: {} }]) as { events: Array<{ damon: { contexts: Array<{ targets: object[] }> } }> };
    const c0 = doc.events[0].damon.contexts[0];
    c0.targets = [...c0.targets, { pid: null }];
    const { scenario, warnings } = scenarioFromDoc(doc);
    expect(warnings.filter((w) => /refuses this commit/.test(w.message)).map((w) => `${w.path}: ${w.message}`)).toEqual([
      'events[0].damon.contexts[0].targets: the kernel refuses this commit: a paddr context takes one target (damon_sysfs_add_targets()); found 2 (-EINVAL)',
    ]);
    const res = runScenario(scenario);
    const ev = res.events.find((r) => r.type === 'event');
    expect(ev).toMatchObject({ command: 'commit', status: 'error', error: '-EINVAL: a paddr context takes one target (the physical address space); found 2' });
    expect(res.simulation.kdamonds[0].kdamond.stopped).toBe(false);
    expect(res.simulation.kdamonds[0].kdamond.ctx.targets).toHaveLength(1);
    // Through a module's own commit (DAMON_RECLAIM and the like build their context themselves) no sysfs check runs.
    const mod = smallDoc([{ at: 1, command: 'commit', via: 'module', damon: {} }]) as typeof doc;
    mod.events[0].damon.contexts[0].targets.push({ pid: null });
    const loadedMod = scenarioFromDoc(mod);
    expect(loadedMod.warnings.filter((w) => /refuses this commit/.test(w.message))).toEqual([]);
    expect(runScenario(loadedMod.scenario).events.find((r) => r.type === 'event')).toMatchObject({ command: 'commit', status: 'ok' });
  });

  it('sysfs: a refused commit fails the write and the kdamond keeps running', () => {
    const { scenario, warnings } = scenarioFromDoc(smallDoc([{ at: 1, command: 'commit', damon: {} }], 3));
    expect(warnings.some((w) => w.path === 'events[0].damon.contexts[0].addr_unit' && /refuses/.test(w.message))).toBe(true);
    const res = runScenario(scenario);
    const ev = res.events.find((r) => r.type === 'event');
    expect(ev).toMatchObject({ command: 'commit', status: 'error' });
    expect(String(ev?.error)).toMatch(/-EINVAL: min_region_sz 1365/);
    expect(ev?.stopped).toBeUndefined();
    expect(res.simulation.kdamonds[0].kdamond.stopped).toBe(false);
    expect(res.aggrs[res.aggrs.length - 1].t).toBeGreaterThan(1.8);
  });

  it("a target change's phase starts at the write that made it, not at an earlier write between the goal's evaluations", () => {
    // Between two of scheme 0's evaluations (one per 1 s window) come a write that changes only
    // scheme 1's target and then the one that moves scheme 0's. The write records carry each
    // scheme's goals (goal_params), so each goal's new phase starts at its own write.
    const doc = smallDoc([]) as { duration: number; damon: { kdamonds: Array<{ contexts: Array<{ schemes: object[] }> }> }; events?: object[] };
    doc.duration = 8;
    const goalOf = (target: number) => ({ action: 'stat', access_pattern: { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: 0, max: 'max' }, age: { min: 0, max: 'max' } }, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '1 s', goals: [{ metric: 'node_mem_used_bp', nid: 0, target_value: target }] } });
    doc.damon.kdamonds[0].contexts[0].schemes = [goalOf(5000), goalOf(4000)];
    const quiet = runScenario(scenarioFromDoc(doc).scenario);
    const evals = quiet.goals.filter((g) => g.scheme === 0 && g.t > 4).map((g) => g.t);
    expect(evals[1] - evals[0]).toBeGreaterThan(1);
    doc.events = [
      { at: evals[0] + 0.2, command: 'commit_schemes_quota_goals', goals: [{ scheme: 1, goal: 0, target_value: 3000 }] },
      { at: evals[0] + 0.6, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 7000 }] },
    ];
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const [a, b] = res.events.filter((r) => r.type === 'event') as Array<{ t: number; goal_params: Array<Array<{ target_value: bigint }>> }>;
    expect(a.goal_params.map((g) => g[0].target_value)).toEqual([5000n, 3000n]);
    expect(b.goal_params.map((g) => g[0].target_value)).toEqual([7000n, 3000n]);
    const phase1 = (scheme: number) => res.summary.find((x) => x.scheme === scheme && x.phase === 1);
    expect(phase1(0)?.phaseStartS).toBe(b.t);
    expect(phase1(1)?.phaseStartS).toBe(a.t);
    // The first evaluation under the new target comes after both writes.
    expect(res.goals.find((g) => g.scheme === 0 && g.t > evals[0])!.t).toBeGreaterThan(b.t);
  });

  it('a goal a write drops (target 0) is marked removed at the write, and the write records the goal counts', () => {
    const doc = smallDoc([]) as { damon: { kdamonds: Array<{ contexts: Array<Record<string, unknown> & { schemes: object[] }> }> }; events?: object[] };
    const ctx = doc.damon.kdamonds[0].contexts[0];
    ctx.schemes = [{ ...ctx.schemes[0], quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms', goals: [{ metric: 'node_mem_used_bp', nid: 0, target_value: 5000 }] } }];
    doc.events = [{ at: 1, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 0 }] }];
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const ev = res.events.find((r) => r.type === 'event') as { t: number; status: string; goals?: number[] };
    expect(ev).toMatchObject({ command: 'commit_schemes_quota_goals', status: 'ok', goals: [0] });
    expect(ev.t).toBeGreaterThanOrEqual(1);
    expect(ev.t).toBeLessThan(1.1);
    const [s] = res.summary;
    expect(s).toMatchObject({ removedAtS: ev.t, phaseStartS: 0, phaseEndS: ev.t, target: 5000 });
    // Evaluated at every apply pass until the write (one per aggregation, ~120 ms apart at HZ
    // 1000, each finding its 100 ms window over), never after it.
    expect(res.goals.every((g) => g.t <= ev.t)).toBe(true);
    expect(s.evaluations).toBeGreaterThanOrEqual(8);
    // Written again at 1.5 s: a new phase from that write (served at the kdamond's next
    // kdamond_call()); the goal is evaluated again at the next apply pass, within an aggregation.
    doc.events = [
      { at: 1, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 0 }] },
      { at: 1.5, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 5000 }] },
    ];
    const back = runScenario(scenarioFromDoc(doc).scenario);
    const [drop, add] = back.events.filter((r) => r.type === 'event') as Array<{ t: number }>;
    const firstBack = back.goals.find((g) => g.t > drop.t)!;
    expect(firstBack.t).toBeGreaterThanOrEqual(add.t);
    expect(firstBack.t).toBeLessThan(add.t + 0.13);
    expect(back.summary.map((x) => [x.phase, x.phaseStartS, x.phaseEndS, x.removedAtS])).toEqual([
      [0, 0, drop.t, drop.t],
      [1, add.t, 2, undefined],
    ]);
    // A patch naming a node the machine lacks is warned about, as the file's own goals are.
    const { warnings } = scenarioFromDoc({ ...doc, events: [{ at: 1, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, nid: 7 }] }] });
    expect(warnings.find((w) => w.path === 'events[0].goals[0].nid')?.message).toBe('node 7 does not exist (the machine has 2): the metric reads 0');
    // A write that keeps the goal records it, and the goal lives on.
    doc.events = [{ at: 1, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, target_value: 6000 }] }];
    const kept = runScenario(scenarioFromDoc(doc).scenario);
    expect(kept.events.find((r) => r.type === 'event')).toMatchObject({ goals: [1] });
    expect(kept.summary.map((x) => x.removedAtS)).toEqual([undefined, undefined]);
  });

  it('a goal patch giving a target_value to a node_memcg goal that names no cgroup: the write fails (-EINVAL) after the schemes before it took their goals, and an on with those files fails (-ENOMEM)', () => {
    const doc = smallDoc([]) as { duration: number; damon: { kdamonds: Array<{ contexts: Array<Record<string, unknown> & { schemes: object[] }> }> }; events?: object[] };
    doc.duration = 3;
    const ctx = doc.damon.kdamonds[0].contexts[0];
    const user = { metric: 'user_input', target_value: 10000, current_value: 5000 };
    const withGoals = (goals: object[]) => ({ ...ctx.schemes[0], quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms', goals } });
    // The kernel takes the node_memcg goal without a path: it has no target_value (left out, unlooked-at).
    ctx.schemes = [withGoals([user]), withGoals([{ metric: 'node_memcg_used_bp', nid: 0, target_value: 0 }, user])];
    doc.events = [
      { at: 1, command: 'commit_schemes_quota_goals', goals: [{ scheme: 0, goal: 0, current_value: 9000 }, { scheme: 1, goal: 0, target_value: 3000 }, { scheme: 1, goal: 1, current_value: 7000 }] },
      { at: 1.5, command: 'off' },
      { at: 1.7, command: 'on' },
      { at: 1.8, command: 'off' },
    ];
    const { scenario, warnings } = scenarioFromDoc(doc);
    expect(warnings.filter((w) => w.path.startsWith('events')).map((w) => `${w.path}: ${w.message}`)).toEqual([
      'events[0].goals[1].target_value: the kernel refuses this write (-EINVAL): goal 0 of scheme 1 measures node_memcg_used_bp of no cgroup path, and with a target_value damos_sysfs_add_quota_score() looks it up (damon_sysfs_memcg_path_to_id()); the schemes before 1 take their goals, and an on with these files fails (-ENOMEM)',
    ]);
    const res = runScenario(scenario);
    const evs = res.events.filter((r) => r.type === 'event');
    expect(evs.map((e) => [e.command, e.error ?? e.status])).toEqual([
      ['commit_schemes_quota_goals', '-EINVAL: scheme 1 goal 0 (node_memcg_used_bp): no cgroup path (damon_sysfs_memcg_path_to_id()); scheme 0 took its new ones'],
      ['off', 'ok'],
      ['on', '-ENOMEM: scheme 1 goal 0 (node_memcg_used_bp): no cgroup path: damon_sysfs_mk_scheme() cannot build it, and damon_sysfs_add_schemes() fails any scheme it cannot build with -ENOMEM'],
      ['off', '-EINVAL: kdamond has no context (the failed on destroyed the stopped one first: damon_sysfs_turn_damon_on())'],
    ]);
    // Scheme 0 took its goal's new current_value; scheme 1 kept its old goals (the user_input one at 5000).
    expect(evs[0]).toMatchObject({ status: 'error', goals: [1, 1] });
    const schemes = res.simulation.kdamonds[0].kdamond.ctx.schemes;
    expect(schemes.map((x) => x.quota.goals.map((g) => [g.metric, g.currentValue]))).toEqual([[['user_input', 9000n]], [['user_input', 5000n]]]);
  });

  it('a goal a commit adds: its entry starts at the write, under its scheme\'s label, applied totals from its first evaluation', () => {
    const doc = smallDoc([]) as { damon: { kdamonds: Array<{ contexts: Array<Record<string, unknown> & { schemes: Array<Record<string, unknown>> }> }> }; events?: object[] };
    const ctx = doc.damon.kdamonds[0].contexts[0];
    const scheme = { ...ctx.schemes[0], action: 'migrate_cold', target_nid: 1, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms' } };
    ctx.schemes = [scheme];
    const withGoal = { ...ctx, schemes: [{ ...scheme, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms', goals: [{ metric: 'node_mem_used_bp', nid: 0, target_value: 5000 }] } }] };
    doc.events = [{ at: 1, command: 'commit', damon: { contexts: [withGoal] } }];
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const ev = res.events.find((r) => r.type === 'event') as { t: number; goals?: number[] };
    expect(ev.goals).toEqual([1]);
    const [s] = res.summary;
    const first = res.goals[0];
    expect(first.t).toBeGreaterThanOrEqual(ev.t);
    expect(s).toMatchObject({ label: 's0 migrate_cold→1', phaseStartS: ev.t, phaseEndS: 2 });
    expect(s.phase).toBeUndefined();
    expect(s.szApplied).toBe(res.stats[0].szApplied - first.sz_applied);
    expect(res.stats[0].label).toBe('s0 migrate_cold→1');
  });

  it('a commit that changes addr_unit: the summary gives the unit in force at the end', () => {
    const { scenario } = scenarioFromDoc(smallDoc([{ at: 1, command: 'commit', damon: {} }], 4));
    const res = runScenario(scenario);
    expect(res.events.find((r) => r.type === 'event')).toMatchObject({ command: 'commit', status: 'ok' });
    expect(res.simulation.kdamonds[0].kdamond.ctx.addrUnit).toBe(4);
    expect(res.stats.map((x) => x.addrUnit)).toEqual([4]);
    // Unchanged: no addrUnit key at all.
    expect(Object.keys(runScenario(scenarioFromDoc(smallDoc([])).scenario).stats[0])).not.toContain('addrUnit');
  });

  it('module: damon_commit_ctx() on the running context corrupts it and the kdamond stops', () => {
    const { scenario } = scenarioFromDoc(smallDoc([{ at: 1, command: 'commit', via: 'module', damon: {} }], 3));
    const res = runScenario(scenario);
    const ev = res.events.find((r) => r.type === 'event');
    expect(ev).toMatchObject({ command: 'commit', status: 'error', stopped: true });
    expect(res.simulation.kdamonds[0].kdamond.stopped).toBe(true);
    expect(res.simulation.kdamonds[0].kdamond.ctx.maybeCorrupted).toBe(true);
    const last = res.aggrs[res.aggrs.length - 1].t;
    expect(last).toBeLessThan(1.01);
  });

  it('a valid commit succeeds; events after off fail', () => {
    const { scenario } = scenarioFromDoc(
      smallDoc([
        { at: 0.5, command: 'commit', damon: {} },
        { at: 0.7, command: 'clear_schemes_tried_regions' },
        { at: 1, command: 'off' },
        { at: 1.5, command: 'update_schemes_stats' },
        { at: 1.6, command: 'clear_schemes_tried_regions' },
      ]),
    );
    const res = runScenario(scenario);
    const evs = res.events.filter((r) => r.type === 'event');
    // clear_schemes_tried_regions is the sysfs write's own work: it succeeds after off too.
    expect(evs.map((e) => [e.command, e.status, e.t])).toEqual([
      ['commit', 'ok', expect.any(Number)],
      ['clear_schemes_tried_regions', 'ok', 0.7],
      ['off', 'ok', expect.any(Number)],
      ['update_schemes_stats', 'error', 1.5],
      ['clear_schemes_tried_regions', 'ok', 1.6],
    ]);
  });
});

describe('update_schemes_stats', () => {
  it("gives the stats files the profile's kernel has: no nr_snapshots under mainline-6.19", () => {
    const stats = (profile: string) => {
      const d = { ...(smallDoc([{ at: 1, command: 'update_schemes_stats' }]) as Record<string, unknown>), kernel: { profile } };
      return runScenario(scenarioFromDoc(d).scenario).events.find((r) => r.type === 'stats') as Record<string, unknown>;
    };
    const b0 = stats('b0');
    const ml = stats('mainline-6.19');
    expect(b0.nr_snapshots).toBeGreaterThan(0);
    expect('nr_snapshots' in ml).toBe(false);
    expect(Object.keys(ml)).toEqual(Object.keys(b0).filter((k) => k !== 'nr_snapshots'));
  });
});

describe('state writes while every scheme waits on its watermarks', () => {
  // free_mem_rate is ~875 ‰ here: above high = 100 ‰ the scheme is deactivated, and
  // kdamond_wait_activation() sleeps 5 s rounds: timer-wheel timeouts at HZ 1000, the first from
  // t = 0 ending at 5.088 s (usleep.test.ts).
  const waiting = (events: object[]) => {
    const d = smallDoc(events) as { duration: number; damon: { kdamonds: Array<{ contexts: Array<{ schemes: Array<Record<string, unknown>> }> }> } };
    d.duration = 12;
    d.damon.kdamonds[0].contexts[0].schemes[0].watermarks = { metric: 'free_mem_rate', interval_us: '5 s', high_permil: 100, mid_permil: 50, low_permil: 0 };
    const res = runScenario(scenarioFromDoc(d).scenario);
    return res.events.filter((r) => r.type === 'event').map((e) => [e.command, e.status, e.t]);
  };

  it("a damon_call() is served at the end of the sleep it was made in, not after the next one", () => {
    expect(waiting([{ at: 1, command: 'update_schemes_stats' }])).toEqual([['update_schemes_stats', 'ok', 5.088]]);
  });

  it('writes the sysfs file handles itself come back at once during a wait, and an off behind them still wakes the kdamond', () => {
    expect(
      waiting([
        { at: 0.5, command: 'clear_schemes_tried_regions' },
        { at: 0.6, command: 'off' },
      ]),
    ).toEqual([
      ['clear_schemes_tried_regions', 'ok', 0.5],
      ['off', 'ok', 0.6],
    ]);
  });

  it('off wakes the kdamond (kthread_stop): it stops at the write, or once the write before it returned', () => {
    expect(waiting([{ at: 1, command: 'off' }])).toEqual([['off', 'ok', 1]]);
    expect(
      waiting([
        { at: 1, command: 'update_schemes_stats' },
        { at: 2, command: 'off' },
      ]),
    ).toEqual([
      ['update_schemes_stats', 'ok', 5.088],
      ['off', 'ok', 5.088],
    ]);
    // Off again on the stopped kdamond: __damon_stop() finds no thread.
    expect(waiting([{ at: 1, command: 'off' }, { at: 2, command: 'off' }])[1]).toEqual(['off', 'error', 2]);
  });
});

describe('on after off (damon_sysfs_turn_damon_on)', () => {
  const run = (events: object[], duration = 3) => {
    const d = smallDoc(events) as { duration: number };
    d.duration = duration;
    return runScenario(scenarioFromDoc(d).scenario);
  };

  it('starts the stopped kdamond again from its files at the event time: fresh regions, stats from zero, no aggregation while off', () => {
    const res = run([
      { at: 1, command: 'off' },
      { at: 1.5, command: 'update_schemes_stats' },
      { at: 2, command: 'on' },
      { at: 2.5, command: 'update_schemes_stats' },
    ]);
    const evs = res.events.filter((r) => r.type === 'event');
    expect(evs.map((e) => [e.command, e.status])).toEqual([
      ['off', 'ok'],
      ['update_schemes_stats', 'error'],
      ['on', 'ok'],
      ['update_schemes_stats', 'ok'],
    ]);
    expect(evs[2].t).toBe(2);
    const ts = res.aggrs.map((a) => a.t);
    expect(ts.filter((t) => t > 1.01 && t < 2.09)).toEqual([]);
    // The first aggregation 20 samples after the start (a 5 ms sample lasts 6 ms at HZ 1000: the
    // sleep ends at the sixth tick boundary), then every ~120 ms.
    const after = ts.filter((t) => t >= 2);
    expect(after[0]).toBeGreaterThanOrEqual(2.12);
    expect(after[0]).toBeLessThan(2.121);
    expect(after.length).toBeGreaterThanOrEqual(7);
    // Fresh regions: the first aggregation after the start has the min_nr_regions split of the
    // target, as at time 0, not the count the old context ended with.
    const firstAt0 = res.aggrs[0].nr_regions;
    expect(res.aggrs.find((a) => a.t === after[0])!.nr_regions).toBe(firstAt0);
    // A new scheme: its stats count only since 2 s (about 4 apply passes by 2.5 s).
    const stats = res.events.filter((r) => r.type === 'stats');
    expect(stats).toHaveLength(1);
    // The stat scheme (no quota) tries every region of every pass: exactly the regions of the
    // aggregations between the start and the report, none of the passes before off.
    const since = res.aggrs.filter((a) => a.t > 2 && a.t <= (stats[0].t as number));
    expect(since.length).toBe(4);
    expect(stats[0].nr_tried).toBe(since.reduce((n, a) => n + a.nr_regions, 0));
    expect(res.simulation.kdamonds[0].kdamond.stopped).toBe(false);
  });

  it('reads the intervals update_tuned_intervals wrote back into the files', () => {
    const d = smallDoc([
      { at: 8, command: 'update_tuned_intervals' },
      { at: 8.5, command: 'off' },
      { at: 9, command: 'on' },
    ]) as { duration: number; damon: { kdamonds: Array<{ contexts: Array<{ intervals: Record<string, unknown> }> }> } };
    d.duration = 10;
    d.damon.kdamonds[0].contexts[0].intervals = { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: { access_bp: '4 %', aggrs: 3, min_sample_us: '1 ms', max_sample_us: '1 s' } };
    const res = runScenario(scenarioFromDoc(d).scenario);
    const tuned = res.events.find((r) => r.type === 'tuned_intervals')!;
    expect(tuned.aggr_us).not.toBe(100_000);
    // The first aggregation after the restart comes one tuned aggregation (aggr_us / sample_us
    // samples) after 9 s. Each sample's sleep of ceil(sample_us / 1000) jiffies is a level-0
    // timer-wheel timeout at HZ 1000 that ends one tick past them (usleep.ts).
    const first = res.aggrs.find((a) => a.t > 9)!;
    expect(first.aggr_us).toBe(tuned.aggr_us);
    const samples = Math.floor((tuned.aggr_us as number) / (tuned.sample_us as number));
    const sampleMs = Math.ceil((tuned.sample_us as number) / 1000) + 1;
    expect(first.t).toBeCloseTo(9 + (samples * sampleMs) / 1000, 2);
  });

  it('with refresh_ms, the kernel writes the tuned intervals back itself (damon_sysfs_repeat_call_fn): on starts from them', () => {
    // A kernel reviewer: refresh_ms was read and exported but never run.
    const goal = { access_bp: '4 %', aggrs: 3, min_sample_us: '1 ms', max_sample_us: '1 s' };
    type Kdamond = { refresh_ms?: number | string; contexts: Array<{ intervals: Record<string, unknown> }> };
    const intervals = { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: goal };
    // `commitRefreshMs`: a commit at 1 s of the same files but refresh_ms.
    const restartIntervals = (refreshMs: number | string, commitRefreshMs?: number) => {
      const commit = commitRefreshMs === undefined ? [] : [{ at: 1, command: 'commit', damon: {} }];
      const d = smallDoc([...commit, { at: 8.5, command: 'off' }, { at: 9, command: 'on' }]) as { duration: number; damon: { kdamonds: Kdamond[] }; events: Array<{ damon?: Kdamond }> };
      d.duration = 10;
      d.damon.kdamonds[0].refresh_ms = refreshMs;
      d.damon.kdamonds[0].contexts[0].intervals = intervals;
      if (commitRefreshMs !== undefined) {
        d.events[0].damon!.refresh_ms = commitRefreshMs;
        d.events[0].damon!.contexts[0].intervals = intervals;
      }
      const res = runScenario(scenarioFromDoc(d).scenario);
      const stopped = res.aggrs.filter((a) => a.t < 8.5);
      const first = res.aggrs.find((a) => a.t > 9)!;
      return { tunedBefore: stopped[stopped.length - 1], first, events: res.events.filter((r) => r.type === 'event').map((e) => [e.command, e.status]) };
    };
    const off = restartIntervals(0);
    expect([off.first.sample_us, off.first.aggr_us]).toEqual([5_000, 100_000]);
    expect(off.tunedBefore.aggr_us).not.toBe(100_000); // the goal tuned them before the stop
    const on = restartIntervals(100);
    // Refreshed every 100 ms: the files held the intervals of the last aggregations before the stop.
    expect([on.first.sample_us, on.first.aggr_us]).toEqual([on.tunedBefore.sample_us, on.tunedBefore.aggr_us]);
    expect(on.first.aggr_us).not.toBe(100_000);
    // The first refresh comes refresh_ms after the start: with 100 s, none before the stop.
    expect(restartIntervals('100 s').first.aggr_us).toBe(100_000);
    // A commit's files carry refresh_ms (a diff review): one written at 1 s counts from then on.
    const commitOn = restartIntervals(0, 100);
    expect(commitOn.events[0]).toEqual(['commit', 'ok']);
    expect(commitOn.first.aggr_us).toBe(commitOn.tunedBefore.aggr_us);
    expect(commitOn.first.aggr_us).not.toBe(100_000);
    const commitOff = restartIntervals(100, 0);
    expect(commitOff.events[0]).toEqual(['commit', 'ok']);
    expect(commitOff.first.aggr_us).toBe(100_000);
  });

  it('a refresh_ms update due while a tried-regions walk holds the sysfs lock is skipped: on starts from the files as they were', () => {
    // damon_sysfs_repeat_call_fn() moves its deadline, then takes damon_sysfs_lock by trylock; the
    // state write of update_schemes_tried_bytes holds it until damos_walk() returns. With
    // refresh_ms 2 s the only update before the stop is due at 2 s: inside the walk (about 1.95 to
    // 2.14 s), so the files keep the scenario's intervals; the next is due at 4 s, after the run.
    const goal = { access_bp: '4 %', aggrs: 3, min_sample_us: '1 ms', max_sample_us: '1 s' };
    const restart = (events: object[]) => {
      const d = smallDoc([...events, { at: 3, command: 'on' }]) as { duration: number; damon: { kdamonds: Array<{ refresh_ms?: string; contexts: Array<{ intervals: Record<string, unknown> }> }> } };
      d.duration = 4;
      d.damon.kdamonds[0].refresh_ms = '2 s';
      d.damon.kdamonds[0].contexts[0].intervals = { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: goal };
      const res = runScenario(scenarioFromDoc(d).scenario);
      const first = res.aggrs.find((a) => a.t > 3)!;
      const before = res.aggrs.filter((a) => a.t < 2).at(-1)!;
      return { seen: res.events.map((e) => [e.type, e.command, e.status, e.t]), first: [first.sample_us, first.aggr_us], before: [before.sample_us, before.aggr_us] };
    };
    const walked = restart([
      { at: 1.95, command: 'update_schemes_tried_bytes' },
      { at: 1.951, command: 'off' },
    ]);
    expect(walked.seen).toEqual([
      ['tried_regions', undefined, undefined, 2.140007],
      ['event', 'update_schemes_tried_bytes', 'ok', 2.140007],
      ['event', 'off', 'ok', 2.150007],
      ['event', 'on', 'ok', 3],
    ]);
    expect(walked.first).toEqual([5_000, 100_000]);
    // Without the walk the update at 2 s goes through: on starts from the intervals tuned by then.
    const plain = restart([{ at: 2.05, command: 'off' }]);
    expect(plain.before).toEqual([8_423, 168_460]);
    expect(plain.first).toEqual([8_423, 168_460]);
  });

  it('a commit written while the kdamond is off replaces the tuned intervals in the files', () => {
    const goal = { access_bp: '4 %', aggrs: 3, min_sample_us: '1 ms', max_sample_us: '1 s' };
    const d = smallDoc([
      { at: 8, command: 'update_tuned_intervals' },
      { at: 8.5, command: 'off' },
      { at: 8.7, command: 'commit', damon: {} },
      { at: 9, command: 'on' },
    ]) as { duration: number; damon: { kdamonds: Array<{ contexts: Array<{ intervals: Record<string, unknown> }> }> }; events: Array<{ damon?: { contexts: Array<{ intervals: Record<string, unknown> }> } }> };
    d.duration = 10;
    d.damon.kdamonds[0].contexts[0].intervals = { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: goal };
    d.events[2].damon!.contexts[0].intervals = { sample_us: '20 ms', aggr_us: '400 ms', ops_update_us: '1 s' };
    const res = runScenario(scenarioFromDoc(d).scenario);
    const evs = res.events.filter((r) => r.type === 'event').map((e) => [e.command, e.status]);
    expect(evs).toEqual([
      ['update_tuned_intervals', 'ok'],
      ['off', 'ok'],
      ['commit', 'error'], // the kdamond is off, but the write replaced the files
      ['on', 'ok'],
    ]);
    const first = res.aggrs.find((a) => a.t > 9)!;
    expect([first.sample_us, first.aggr_us]).toEqual([20_000, 400_000]);
  });

  it('is refused while the kdamond runs (-EBUSY), changing nothing', () => {
    const base = run([], 2);
    const res = run([{ at: 1, command: 'on' }], 2);
    const ev = res.events.find((r) => r.type === 'event');
    expect(ev).toMatchObject({ command: 'on', status: 'error', error: '-EBUSY: kdamond is running' });
    expect(res.aggrs).toEqual(base.aggrs);
  });

  it('takes the files as last written: a refused commit stopped the kdamond, and on with those files fails too', () => {
    const d = smallDoc([{ at: 1, command: 'commit', via: 'module', damon: {} }, { at: 1.5, command: 'on' }], 3) as { duration: number };
    d.duration = 2;
    const res = runScenario(scenarioFromDoc(d).scenario);
    const evs = res.events.filter((r) => r.type === 'event');
    expect(evs.map((e) => [e.command, e.status])).toEqual([
      ['commit', 'error'],
      ['on', 'error'],
    ]);
    expect(String(evs[1].error)).toMatch(/-EINVAL: min_region_sz 1365/);
    expect(res.simulation.kdamonds[0].kdamond.stopped).toBe(true);
  });

  it('a failed on leaves no context (damon_sysfs_turn_damon_on() destroyed the stopped one): off and the commands fail with -EINVAL until an on succeeds', () => {
    const cmds = ['off', 'update_schemes_stats', 'update_schemes_tried_regions', 'commit_schemes_quota_goals', 'clear_schemes_tried_regions'];
    const d = smallDoc(
      [
        { at: 1, command: 'commit', via: 'module', damon: {} },
        ...cmds.map((command) => ({ at: 1.2, command })),
        { at: 1.5, command: 'on' },
        ...cmds.map((command) => ({ at: 1.7, command })),
      ],
      3,
    ) as { duration: number };
    d.duration = 2;
    const evs = runScenario(scenarioFromDoc(d).scenario).events.filter((r) => r.type === 'event');
    const NO_CTX = '-EINVAL: kdamond has no context (the failed on destroyed the stopped one first: damon_sysfs_turn_damon_on())';
    expect(evs.map((e) => [e.command, e.t, e.error ?? e.status])).toEqual([
      ['commit', 1.002008, '-EINVAL: min_region_sz 1365 is not a power of two'],
      // The stopped run's context (b0): damon_stop() finds no thread; damon_call() the obsolete context; damos_walk() -EINVAL.
      ['off', 1.2, '-EPERM: kdamond is not running'],
      ['update_schemes_stats', 1.2, '-ECANCELED: kdamond is not running (damon_call() on a stopped context)'],
      ['update_schemes_tried_regions', 1.2, '-EINVAL: kdamond is not running'],
      ['commit_schemes_quota_goals', 1.2, '-ECANCELED: kdamond is not running (damon_call() on a stopped context)'],
      ['clear_schemes_tried_regions', 1.2, 'ok'],
      ['on', 1.5, '-EINVAL: min_region_sz 1365 is not a power of two'],
      ['off', 1.7, NO_CTX],
      ['update_schemes_stats', 1.7, NO_CTX],
      ['update_schemes_tried_regions', 1.7, NO_CTX],
      ['commit_schemes_quota_goals', 1.7, NO_CTX],
      ['clear_schemes_tried_regions', 1.7, 'ok'],
    ]);
  });

  it('is deterministic, and keeps kdamond_split_regions\' shared last_nr_regions (trap 9)', () => {
    const evs = [
      { at: 1.2, command: 'off' },
      { at: 1.4, command: 'on' },
    ];
    const a = run(evs, 2);
    const b = run(evs, 2);
    expect(a.aggrs).toEqual(b.aggrs);
    const d = smallDoc(evs) as { duration: number };
    d.duration = 2;
    let before: DamonCtx | undefined;
    const res = runScenario(scenarioFromDoc(d).scenario, { onProgress: (t, _total, sim) => (t === 1e9 ? (before = sim.kdamonds[0].kdamond.ctx) : undefined) });
    const after = res.simulation.kdamonds[0].kdamond.ctx;
    expect(after).not.toBe(before);
    expect(after.splitState).toBe(before!.splitState);
  });
});

describe('the events list in scenario files', () => {
  const ANY = { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: 0, max: 'max' }, age: { min: 0, max: 'max' } };
  const ctx = { ops: 'paddr', targets: [{ pid: null }], schemes: [{ action: 'stat', access_pattern: ANY, quotas: { reset_interval_ms: 100, goals: [{ metric: 'user_input', target_value: 10000 }] } }] };
  const doc = (events: unknown) => ({
    machine: { nodes: [{ capacity: '256 MiB' }] },
    workload: { type: 'hotset', rss: '10 MiB', hot_set: '1 MiB', access_rate: 1000 },
    damon: { kdamonds: [{ contexts: [ctx] }] },
    events,
  });
  const issues = (events: unknown): string[] => {
    try {
      scenarioFromDoc(doc(events));
    } catch (e) {
      return (e as Error).message.split('\n');
    }
    return [];
  };

  it('normalises times, defaults and the user_input feed form, in time order', () => {
    const { scenario } = scenarioFromDoc(
      doc([
        { at: '1500 ms', command: 'update_schemes_stats' },
        { at: 0.25, kdamond: 0, scheme: 0, goal: 0, current_value: 5000 },
        { at: 1, command: 'commit', via: 'module', damon: { contexts: [ctx] } },
      ]),
    );
    const evs = scenario.events ?? [];
    expect(evs.map((e) => [e.index, e.at, e.kdamond, e.command, e.via])).toEqual([
      [1, 250e6, 0, 'commit_schemes_quota_goals', 'sysfs'],
      [2, 1e9, 0, 'commit', 'module'],
      [0, 1.5e9, 0, 'update_schemes_stats', 'sysfs'],
    ]);
    expect(evs[0].params?.contexts[0].schemes[0].quota.goals[0].currentValue).toBe(5000n);
    // the commit's default paddr region is filled in as for the scenario's own kdamonds
    expect(evs[1].params?.contexts[0].targets[0].regions).toEqual(scenario.kdamonds[0].contexts[0].targets[0].regions);
  });

  it('reports problems at their JSON paths', () => {
    expect(issues([{ at: 1, command: 'commit' }])).toEqual(['events[0].damon: expected the complete new kdamond object (damo format) for a commit; found nothing']);
    expect(issues([{ at: 1, command: 'update_schemes_stats', kdamond: 3 }])).toEqual(['events[0].kdamond: expected a kdamond index below 1; found 3']);
    expect(issues([{ at: 1, scheme: 0, goal: 2, current_value: 5 }])).toEqual(["events[0].goal: expected a goal index below 1 (scheme 0's goals at 1 s); found 2"]);
    expect(issues([{ at: 1, command: 'commit', damon: { contexts: [{ ...ctx, schemes: [{ action: 'bogus' }] }] } }])[0]).toMatch(/^events\[0\]\.damon\.contexts\[0\]\.schemes\[0\]\.action: expected one of/);
    expect(issues([{ at: 1, command: 'commit', damon: { contexts: [{ ...ctx, ops: 'vaddr' }] } }])[0]).toMatch(/^events\[0\]\.damon\.contexts\[0\]\.ops: expected "paddr"/);
    // the goal indices are checked against what the earlier commit left in the sysfs files
    expect(issues([{ at: 2, command: 'commit', damon: { contexts: [{ ...ctx, schemes: [] }] } }, { at: 3, scheme: 0, goal: 0, current_value: 1 }])).toEqual([
      "events[1].scheme: expected a scheme index below 0 (the kdamond's schemes at 3 s); found 0",
    ]);
    expect(issues([{ at: 1, command: 'update_schemes_stats', goals: [] }])[0]).toMatch(/^events\[0\]\.goals: expected goals only with command/);
  });

  it('what the kernel refuses at commit time is a warning (the run shows the refusal)', () => {
    const all = scenarioFromDoc(doc([{ at: 1, command: 'commit', damon: { contexts: [{ ...ctx, nr_regions: { min: 1, max: 2 } }] } }])).warnings;
    // (The terse test document also draws warnings for keys damo requires, and for its sparse accesses.)
    const warnings = all.filter((w) => w.path.startsWith('events') && !/damo refuses the object without it/.test(w.message));
    expect(warnings.map((w) => w.path)).toEqual(['events[0].damon.contexts[0].intervals']);
    expect(warnings[0].message).toMatch(/the kernel refuses this commit: damon_set_attrs/);
  });
});
