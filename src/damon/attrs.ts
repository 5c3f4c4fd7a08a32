// SPDX-License-Identifier: GPL-2.0-only
/**
 * Monitoring attributes (struct damon_attrs) and the unit conversions damon_set_attrs applies to
 * monitoring results when intervals change (damon-monitoring.md §1.4, §1.5, §2.3, §4.5).
 */
import { UINT_MAX, mulDivU64ToU32, multFracU32, mulU32 } from '../lib/kint.js';
import type { DamonRegion } from './region.js';
import type { KernelProfile } from '../profiles.js';

export interface IntervalsGoal {
  accessBp: number;
  /** 0 disables interval auto-tuning. */
  aggrs: number;
  minSampleUs: number;
  maxSampleUs: number;
}

export interface DamonAttrs {
  sampleInterval: number; // µs
  aggrInterval: number; // µs
  opsUpdateInterval: number; // µs
  intervalsGoal: IntervalsGoal;
  minNrRegions: number;
  maxNrRegions: number;
  /** Private: aggr/sample ratio frozen while auto-tuning; 0 until damon_set_attrs fills it. */
  aggrSamples: number;
}

export function defaultAttrs(): DamonAttrs {
  return {
    sampleInterval: 5000,
    aggrInterval: 100000,
    opsUpdateInterval: 60_000_000,
    intervalsGoal: { accessBp: 0, aggrs: 0, minSampleUs: 0, maxSampleUs: 0 },
    minNrRegions: 10,
    maxNrRegions: 1000,
    aggrSamples: 0,
  };
}

export function cloneAttrs(a: DamonAttrs): DamonAttrs {
  return { ...a, intervalsGoal: { ...a.intervalsGoal } };
}

/** The sample interval with 0 treated as 1 (the kernel's `sample_interval ? : 1`). */
export function si(a: DamonAttrs): number {
  return a.sampleInterval || 1;
}

/**
 * `damon_max_nr_accesses`: min(aggr / (sample ?: 1), UINT_MAX) ?: 1 (damos.md §0). The zero-interval
 * handling is the 2026 fix ("handle extreme intervals in damon_hot_score"); before it a zero
 * interval divided by zero (an oops), which no profile can reproduce, so every profile uses it.
 */
export function maxNrAccesses(a: DamonAttrs): number {
  return Math.min(Math.floor(a.aggrInterval / si(a)), UINT_MAX) || 1;
}

/** Why damon_set_attrs would return -EINVAL, or null when the attrs are valid. */
export function attrsError(a: DamonAttrs): string | null {
  const g = a.intervalsGoal;
  if (g.aggrs !== 0) {
    if (g.minSampleUs > g.maxSampleUs) return `intervals_goal min_sample_us (${g.minSampleUs}) > max_sample_us (${g.maxSampleUs})`;
    if (a.sampleInterval < g.minSampleUs || a.sampleInterval > g.maxSampleUs)
      return `sample interval ${a.sampleInterval} us is outside the intervals goal's [${g.minSampleUs}, ${g.maxSampleUs}] us`;
  }
  if (a.minNrRegions < 3) return `min_nr_regions must be >= 3, got ${a.minNrRegions}`;
  if (a.minNrRegions > a.maxNrRegions) return `min_nr_regions (${a.minNrRegions}) > max_nr_regions (${a.maxNrRegions})`;
  if (a.sampleInterval > a.aggrInterval) return `sample interval (${a.sampleInterval} us) > aggregation interval (${a.aggrInterval} us)`;
  return null;
}

/** Attrs equality as damon_commit_ctx compares them (aggr_samples excluded). */
export function attrsEqual(a: DamonAttrs, b: DamonAttrs): boolean {
  return (
    a.sampleInterval === b.sampleInterval &&
    a.aggrInterval === b.aggrInterval &&
    a.opsUpdateInterval === b.opsUpdateInterval &&
    a.minNrRegions === b.minNrRegions &&
    a.maxNrRegions === b.maxNrRegions &&
    a.intervalsGoal.accessBp === b.intervalsGoal.accessBp &&
    a.intervalsGoal.aggrs === b.intervalsGoal.aggrs &&
    a.intervalsGoal.minSampleUs === b.intervalsGoal.minSampleUs &&
    a.intervalsGoal.maxSampleUs === b.intervalsGoal.maxSampleUs
  );
}

/**
 * `damon_nr_accesses_to_accesses_bp`: mult_frac(nr, 10000, max) in u32, or, where the kernel
 * multiplies first (mainline), u32(nr × 10000) / max, which wraps past nr 429,496.
 */
export function nrAccessesToBp(nr: number, a: DamonAttrs, multFrac: boolean): number {
  return multFrac ? multFracU32(nr, 10000, maxNrAccesses(a)) : Math.floor(mulU32(nr, 10000) / maxNrAccesses(a));
}

/** `damon_accesses_bp_to_nr_accesses`: u32(bp × max) / 10000 — the product wraps (§10.20). */
export function bpToNrAccesses(bp: number, a: DamonAttrs): number {
  return Math.floor(mulU32(bp, maxNrAccesses(a)) / 10000);
}

function nrForNew(nr: number, oldA: DamonAttrs, newA: DamonAttrs, multFrac: boolean): number {
  return bpToNrAccesses(nrAccessesToBp(nr, oldA, multFrac), newA);
}

function ageForNew(age: number, oldA: DamonAttrs, newA: DamonAttrs): number {
  // age · aggr_interval is a C unsigned long product; the age an unsigned int.
  return mulDivU64ToU32(age, oldA.aggrInterval, newA.aggrInterval);
}

/** `damon_update_monitoring_result` for one region (§4.5). */
export function updateMonitoringResult(r: DamonRegion, oldA: DamonAttrs, newA: DamonAttrs, aggregating: boolean, profile: Pick<KernelProfile, 'accessesBpMultFrac'>): void {
  const multFrac = profile.accessesBpMultFrac;
  if (!aggregating) {
    r.nrAccesses = nrForNew(r.nrAccesses, oldA, newA, multFrac);
    r.nrAccessesBp = mulU32(r.nrAccesses, 10000);
  } else {
    r.lastNrAccesses = nrForNew(r.lastNrAccesses, oldA, newA, multFrac);
    r.nrAccessesBp = mulU32(r.lastNrAccesses, 10000);
    r.nrAccesses = 0;
  }
  r.age = ageForNew(r.age, oldA, newA);
}
