// SPDX-License-Identifier: GPL-2.0-only
/**
 * Monitoring intervals auto-tuning (damon-monitoring.md §7): score the last aggregation's observed
 * access events against intervals_goal.access_bp and scale the sampling interval.
 */
import { multFracU64, u64 } from '../lib/kint.js';
import { feedLoopNextInput } from './feedloop.js';
import { cloneAttrs, type DamonAttrs } from './attrs.js';
import type { DamonTarget } from './region.js';

/** `damon_get_intervals_score(ctx)` in 64-bit unsigned arithmetic (§7.1). */
export function intervalsScore(targets: readonly DamonTarget[], attrs: DamonAttrs): bigint {
  let maxEvents = 0n;
  let events = 0n;
  const aggrSamples = BigInt(attrs.aggrSamples);
  for (const t of targets) {
    for (const r of t.regions) {
      const sz = BigInt(r.end - r.start);
      maxEvents = u64(maxEvents + u64(sz * aggrSamples));
      events = u64(events + u64(sz * BigInt(r.nrAccesses)));
    }
  }
  let target = u64(maxEvents * BigInt(attrs.intervalsGoal.accessBp)) / 10000n;
  if (target === 0n) target = 1n;
  return multFracU64(events, 10000n, target);
}

/** `damon_get_intervals_adaptation_bp` (§7.3). */
export function intervalsAdaptationBp(score: bigint): number {
  // last_input 10^8 never takes the overflow branch, where the B0 and B1 compensations differ.
  let a = Number(feedLoopNextInput(100_000_000n, score) / 10000n);
  if (a <= 10000) a = 5000 + Math.floor(a / 2);
  return a;
}

/** The attrs kdamond_tune_intervals would install, or null when no change is needed (§7.4). */
export function tunedAttrs(targets: readonly DamonTarget[], attrs: DamonAttrs): DamonAttrs | null {
  const a = intervalsAdaptationBp(intervalsScore(targets, attrs));
  if (a === 10000) return null;
  const g = attrs.intervalsGoal;
  const next = cloneAttrs(attrs);
  let s = Math.min(g.maxSampleUs, Math.floor((attrs.sampleInterval * a) / 10000));
  s = Math.max(g.minSampleUs, s);
  next.sampleInterval = s;
  next.aggrInterval = s * attrs.aggrSamples;
  return next;
}
