// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon_commit_ctx(dst, src)`: commit a freshly built parameter context into a running one
 * (damon-monitoring.md §2.3; damos.md §5.2, §7). Order as the kernel's: validate, schemes, targets,
 * damon_set_attrs only when the attributes differ, then ops, addr_unit and min_region_sz. The
 * kernel marks the destination `maybe_corrupted` on entry and clears it only on success, so any
 * failure (even a validation failure before anything changed) makes the kdamond stop at its next
 * kdamond_call().
 */
import { isPow2 } from '../lib/kint.js';
import { damonCommitSchemes } from '../damos/commit.js';
import { attrsEqual, cloneAttrs } from './attrs.js';
import type { DamonCtx } from './ctx.js';
import { DamonTarget, commitTargetRegions } from './region.js';

/**
 * Why the sysfs interface refuses a context's targets before building it (damon_sysfs_add_targets(),
 * on both `on` and `commit`; damos.md §7), or null: one physical address space is one target.
 */
export function sysfsTargetsRefusal(ops: string, nrTargets: number): string | null {
  return ops === 'paddr' && nrTargets > 1 ? `-EINVAL: a paddr context takes one target (the physical address space); found ${nrTargets}` : null;
}

/** Why damon_commit_ctx(dst, src) would fail before changing anything, or null. */
export function damonCommitCtxPrecheck(src: DamonCtx): string | null {
  if (!isPow2(src.minRegionSz)) return `-EINVAL: min_region_sz ${src.minRegionSz} is not a power of two`;
  if (src.ops.id !== 'paddr') {
    for (const s of src.schemes)
      for (const g of s.quota.goals)
        if (g.metric === 'node_eligible_mem_bp') return `-EINVAL: node_eligible_mem_bp goal needs paddr operations (ops is ${src.ops.id})`;
  }
  return null;
}

/**
 * What a commit into a test copy of `dst` would report (the sysfs interface commits into such a
 * copy first and refuses the write on failure, leaving the running context alone): the prechecks,
 * an obsolete source target without a destination, and attributes damon_set_attrs refuses.
 */
export function damonCommitCtxTest(dst: DamonCtx, src: DamonCtx): string | null {
  const pre = damonCommitCtxPrecheck(src);
  if (pre) return pre;
  for (let i = dst.targets.length; i < src.targets.length; i++)
    if (src.targets[i].obsolete) return `-EINVAL: obsolete target ${i} has no running counterpart`;
  return null;
}

/** `damon_commit_targets(dst, src)`: by index; obsolete or missing sources destroy the destination target. */
function damonCommitTargets(dst: DamonCtx, src: DamonCtx): string | null {
  const kept: DamonTarget[] = [];
  dst.targets.forEach((dt, i) => {
    const st = src.targets[i];
    if (st && !st.obsolete) {
      commitTargetRegions(dt, st, src.minRegionSz);
      dt.pid = st.pid;
      kept.push(dt);
      return;
    }
    // damon_destroy_target(), and no scheme may resume charging in it.
    for (const s of dst.schemes) {
      if (s.quota.chargeTargetFrom === dt) {
        s.quota.chargeTargetFrom = null;
        s.quota.chargeAddrFrom = 0;
      }
    }
  });
  const nrDst = dst.targets.length;
  dst.targets = kept;
  for (let i = nrDst; i < src.targets.length; i++) {
    const st = src.targets[i];
    if (st.obsolete) return `-EINVAL: obsolete target ${i} has no running counterpart`;
    const t = new DamonTarget(st.pid);
    commitTargetRegions(t, st, src.minRegionSz);
    dst.targets.push(t);
  }
  return null;
}

/**
 * `damon_commit_ctx(dst, src)`. Returns null on success or the kernel's error; on error
 * `dst.maybeCorrupted` stays set (the kdamond then leaves its loop). The operations set is not
 * swapped: damon-sim runs paddr only, and a non-paddr source is refused before reaching here
 * (or fails the node_eligible_mem_bp precheck).
 */
export function damonCommitCtx(dst: DamonCtx, src: DamonCtx): string | null {
  dst.maybeCorrupted = true;
  const pre = damonCommitCtxPrecheck(src);
  if (pre) return pre;
  damonCommitSchemes(dst, src);
  const terr = damonCommitTargets(dst, src);
  if (terr) return terr;
  // Schemes and targets first: damon_set_attrs() rescales region results and next_apply_sis.
  if (!attrsEqual(dst.attrs, src.attrs)) {
    const err = dst.setAttrs(cloneAttrs(src.attrs)); // src's aggr_samples, set when it was built
    if (err) return `-EINVAL: damon_set_attrs: ${err}`;
  }
  dst.addrUnit = src.addrUnit;
  dst.minRegionSz = src.minRegionSz;
  dst.pause = src.pause; // damon_test_commit_ctx (damos.md §8.1)
  dst.maybeCorrupted = false;
  return null;
}
