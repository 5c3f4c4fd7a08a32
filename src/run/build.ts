// SPDX-License-Identifier: GPL-2.0-only
/**
 * Building the in-kernel objects from parameters, as the sysfs interface does when a kdamond is
 * turned on (damon_sysfs_build_ctx): contexts, targets with their initial regions, schemes with
 * quotas, goals, filters and watermarks.
 */
import { defaultAttrs } from '../damon/attrs.js';
import { DamonCtx, type DamonCtxInit } from '../damon/ctx.js';
import { DamonTarget, setRegions } from '../damon/region.js';
import { Damos, DamosQuota, addFilter, copyQuotaUserFields, measuresMemcg, newFilter, type DamosQuotaGoal } from '../damos/scheme.js';
import type { KernelMm } from '../damon/mm.js';
import type { ContextParams, GoalParams, SchemeParams } from '../scenario/model.js';

/**
 * `max(DAMON_MIN_REGION_SZ / addr_unit, 1)`, as the sysfs interface and modules set it for paddr;
 * other operations keep DAMON_MIN_REGION_SZ (damon_sysfs_apply_inputs() respects addr_unit for
 * paddr only).
 */
export function minRegionSzFor(addrUnit: number, ops: string = 'paddr'): number {
  return ops === 'paddr' ? Math.max(Math.floor(4096 / addrUnit), 1) : 4096;
}

/** The goals a scheme really has: sysfs drops those whose target_value is 0 (damos.md §7). Records number goals in this list. */
export function keptGoals(p: SchemeParams): GoalParams[] {
  return p.quota.goals.filter((g) => g.targetValue !== 0n);
}

/**
 * Why damos_sysfs_add_quota_score() cannot build scheme `p`'s goals, or null: the first goal with a
 * target_value (those without are left out unlooked-at) measuring a memcg whose path names none of
 * `mm`'s cgroups, which damon_sysfs_memcg_path_to_id() fails with -EINVAL. The scenario's checks
 * refuse such goals in what a config or commit brings; a goal patch can set the target_value of
 * one that had none.
 */
export function goalsBuildRefusal(p: SchemeParams, mm: KernelMm): string | null {
  for (const [gi, g] of p.quota.goals.entries()) {
    if (g.targetValue === 0n || !measuresMemcg(g.metric)) continue;
    if (g.memcgPath === null || mm.memcgId(g.memcgPath) === undefined)
      return `goal ${gi} (${g.metric}): ${g.memcgPath === null ? 'no cgroup path' : `${JSON.stringify(g.memcgPath)} names no cgroup`}`;
  }
  return null;
}

export function buildScheme(p: SchemeParams, mm: KernelMm): Damos {
  const q = new DamosQuota();
  copyQuotaUserFields(q, { ...p.quota, resetInterval: p.quota.resetIntervalMs });
  q.goalTuner = p.quota.goalTuner;
  q.goals = keptGoals(p)
    .map(
      (g): DamosQuotaGoal => ({
        metric: g.metric,
        targetValue: g.targetValue,
        currentValue: g.currentValue,
        nid: g.nid ?? 0,
        memcgPath: g.memcgPath,
        memcgId: g.memcgPath === null ? undefined : mm.memcgId(g.memcgPath),
        lastPsiTotal: 0,
      }),
    );
  const s = new Damos(
    { ...p.pattern },
    p.action,
    p.applyIntervalUs,
    q,
    { metric: p.wmarks.metric, interval: p.wmarks.intervalUs, high: p.wmarks.high, mid: p.wmarks.mid, low: p.wmarks.low, activated: true },
    p.targetNid,
  );
  s.dests = p.dests.map((d) => ({ ...d }));
  s.maxNrSnapshots = p.maxNrSnapshots;
  for (const fp of p.filters) {
    const f = newFilter(fp.type, fp.matching, fp.allow);
    f.memcgPath = fp.memcgPath;
    f.memcgId = fp.memcgPath === null ? undefined : mm.memcgId(fp.memcgPath);
    if (fp.addrRange) {
      f.addrStart = fp.addrRange.start;
      f.addrEnd = fp.addrRange.end;
    }
    if (fp.targetIdx !== null) f.targetIdx = fp.targetIdx;
    if (fp.hugepageSize) [f.szMin, f.szMax] = fp.hugepageSize;
    addFilter(s, f);
  }
  return s;
}

/** A context ready for kdamond start: attrs set through damon_set_attrs, regions installed. */
export function buildContext(p: ContextParams, init: DamonCtxInit): DamonCtx {
  const ctx = new DamonCtx(init, defaultAttrs());
  ctx.addrUnit = p.addrUnit;
  ctx.minRegionSz = minRegionSzFor(p.addrUnit, p.ops);
  ctx.pause = p.pause;
  const err = ctx.setAttrs({ ...p.attrs, aggrSamples: 0 });
  if (err) throw new Error(`damon_set_attrs: ${err}`);
  for (const tp of p.targets) {
    const t = new DamonTarget(tp.pid);
    t.obsolete = tp.obsolete;
    setRegions(t, tp.regions, ctx.minRegionSz);
    ctx.targets.push(t);
  }
  for (const sp of p.schemes) {
    const s = buildScheme(sp, init.mm);
    ctx.schemes.push(s);
  }
  return ctx;
}
