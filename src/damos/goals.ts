// SPDX-License-Identifier: GPL-2.0-only
/**
 * Quota goals: refreshing each goal's current_value from its metric, and the score the tuners
 * feed on (damos.md §4.5, §5.1, §5.2).
 */
import { multFrac, multFracU64, maxBig, u64 } from '../lib/kint.js';
import type { DamonCtx } from '../damon/ctx.js';
import type { DamonRegion } from '../damon/region.js';
import { nodeValid } from '../damon/mm.js';
import type { DamonOperations, EligibleSums } from '../ops/operations.js';
import type { Damos, DamosAccessPattern, DamosQuotaGoal } from './scheme.js';
import { patternMatches } from './pattern.js';

/** node_mem_used_bp / node_mem_free_bp; invalid nodes read 0 used, 10000 free. */
function nodeMemBp(ctx: DamonCtx, goal: DamosQuotaGoal, used: boolean): bigint {
  if (!nodeValid(ctx.mm, goal.nid)) return used ? 0n : 10000n;
  const { total, free } = ctx.mm.nodeMem(goal.nid);
  if (total === 0) return used ? 0n : 10000n;
  const numerator = used ? total - free : free;
  return BigInt(multFrac(numerator / 4096, 10000, total / 4096));
}

/** node_memcg_used_bp / node_memcg_free_bp; unknown memcg or node reads 0 used, 10000 free. */
function nodeMemcgBp(ctx: DamonCtx, goal: DamosQuotaGoal, used: boolean): bigint {
  if (!nodeValid(ctx.mm, goal.nid) || goal.memcgId === undefined) return used ? 0n : 10000n;
  const totalPages = ctx.mm.nodeMem(goal.nid).total / 4096;
  if (totalPages === 0) return used ? 0n : 10000n;
  const usedPages = ctx.mm.memcgNodeLruPages(goal.memcgId, goal.nid);
  return BigInt(multFrac(used ? usedPages : totalPages - usedPages, 10000, totalPages));
}

/** active_mem_bp / inactive_mem_bp over system-wide LRU pages. */
function inActiveMemBp(ctx: DamonCtx, active: boolean): bigint {
  const { active: a, inactive: i } = ctx.mm.lruPages();
  const total = a + i;
  if (!total) return 0n;
  return BigInt(multFrac(active ? a : i, 10000, total));
}

/**
 * The eligible-bytes walks of one kdamond_apply_schemes() quota-adjustment loop, by access pattern.
 * Within that loop regions change only by splits at core addr filter boundaries (damos.md §4.2),
 * and memory not at all, so a scheme whose pattern equals an earlier one's walks exactly the same
 * bytes while the region count is unchanged: the PULL/PUSH pair of the seed's setup walks once per
 * window. The kernel walks twice, so each goal is still charged its walk's simulated time.
 */
export class EligibleMemo {
  private readonly entries: Array<{ pattern: DamosAccessPattern; nrRegions: number; sums: EligibleSums }> = [];

  get(pattern: DamosAccessPattern, nrRegions: number): EligibleSums | undefined {
    return this.entries.find((e) => e.nrRegions === nrRegions && samePattern(e.pattern, pattern))?.sums;
  }

  set(pattern: DamosAccessPattern, nrRegions: number, sums: EligibleSums): void {
    this.entries.push({ pattern: { ...pattern }, nrRegions, sums });
  }
}

function samePattern(a: DamosAccessPattern, b: DamosAccessPattern): boolean {
  return (
    a.minSzRegion === b.minSzRegion &&
    a.maxSzRegion === b.maxSzRegion &&
    a.minNrAccesses === b.minNrAccesses &&
    a.maxNrAccesses === b.maxNrAccesses &&
    a.minAgeRegion === b.minAgeRegion &&
    a.maxAgeRegion === b.maxAgeRegion
  );
}

/** The folio walk of damos_calc_eligible_bytes() over the regions matching s's pattern. */
function eligibleSums(ctx: DamonCtx, s: Damos, addEligibleBytes: NonNullable<DamonOperations['addEligibleBytes']>): EligibleSums {
  const memo = ctx.eligibleMemo;
  const nrRegions = memo ? ctx.nrRegions : 0;
  const known = memo?.get(s.pattern, nrRegions);
  if (known) return known;
  const sums: EligibleSums = { byNode: [], total: 0, lookups: 0, costNs: 0, hint: 0 };
  const ops = ctx.ops;
  if (ops.addEligibleRegions) {
    const matches = (r: DamonRegion) => patternMatches(ctx, r, s);
    for (const t of ctx.targets) ops.addEligibleRegions(ctx, t.regions, matches, sums);
  } else {
    for (const t of ctx.targets) {
      for (const r of t.regions) {
        if (!patternMatches(ctx, r, s)) continue;
        addEligibleBytes.call(ops, ctx, r, sums);
      }
    }
  }
  memo?.set(s.pattern, nrRegions, sums);
  return sums;
}

/**
 * `damos_get_node_eligible_mem_bp(c, s, nid)`: of the memory in regions matching the scheme's access
 * pattern (filters, quota and min_score ignored), the share on node nid, in bp (damos.md §5.2).
 * Returns the value and the simulated time its folio walk took.
 */
export function nodeEligibleMemBp(ctx: DamonCtx, s: Damos, nid: number): { bp: bigint; costNs: number; onNode: number; total: number } {
  const zero = { bp: 0n, costNs: 0, onNode: 0, total: 0 };
  if (ctx.ops.id !== 'paddr' || !ctx.ops.addEligibleBytes) return zero;
  if (!nodeValid(ctx.mm, nid)) return zero;
  const sums = eligibleSums(ctx, s, ctx.ops.addEligibleBytes);
  const onNode = sums.byNode[nid] ?? 0;
  const { total, costNs } = sums;
  if (!total) return { ...zero, costNs };
  return { bp: multFracU64(BigInt(onNode), 10000n, BigInt(total)), costNs, onNode, total };
}

/** `damos_set_quota_goal_current_value(c, s, goal)`; returns the simulated time the refresh took. */
export function refreshGoal(ctx: DamonCtx, s: Damos, goal: DamosQuotaGoal): number {
  switch (goal.metric) {
    case 'user_input':
      return 0; // whatever the user committed
    case 'some_mem_psi_us': {
      // damos_get_some_mem_psi_total() truncates the ns total to whole µs before the difference.
      const now = Math.floor(ctx.mm.psiSomeMemTotalUs(ctx.clock.now));
      goal.currentValue = BigInt(Math.max(0, now - goal.lastPsiTotal));
      goal.lastPsiTotal = now;
      return 0;
    }
    case 'node_mem_used_bp':
    case 'node_mem_free_bp':
      goal.currentValue = nodeMemBp(ctx, goal, goal.metric === 'node_mem_used_bp');
      return 0;
    case 'node_memcg_used_bp':
    case 'node_memcg_free_bp':
      goal.currentValue = nodeMemcgBp(ctx, goal, goal.metric === 'node_memcg_used_bp');
      return 0;
    case 'active_mem_bp':
    case 'inactive_mem_bp':
      goal.currentValue = inActiveMemBp(ctx, goal.metric === 'active_mem_bp');
      return 0;
    case 'node_eligible_mem_bp': {
      const r = nodeEligibleMemBp(ctx, s, goal.nid);
      goal.currentValue = r.bp;
      goal.eligible = { onNode: r.onNode, total: r.total };
      return r.costNs;
    }
  }
}

/**
 * `damos_quota_score(c, s)`: refresh every goal and return the highest
 * mult_frac(current, 10000, target) — the least aggressive wins (§4.5); current · 10000 / target
 * where the profile has no mult_frac there (goalScoreMultFrac).
 */
export function quotaScore(ctx: DamonCtx, s: Damos, schemeIdx: number): { score: bigint; costNs: number } {
  let highest = 0n;
  let costNs = 0;
  s.quota.goals.forEach((goal, gi) => {
    costNs += refreshGoal(ctx, s, goal);
    ctx.tracer?.goalEvaluated?.(ctx, schemeIdx, gi, s, goal, ctx.clock.now + costNs);
    // target_value 0 goals are dropped at commit time (sysfs); never divide by it here.
    if (goal.targetValue === 0n) return;
    const score = ctx.profile.goalScoreMultFrac
      ? multFracU64(goal.currentValue, 10000n, goal.targetValue)
      : u64(goal.currentValue * 10000n) / goal.targetValue; // unsigned long: the product wraps
    highest = maxBig(highest, score);
  });
  return { score: highest, costNs };
}
