// SPDX-License-Identifier: GPL-2.0-only
/**
 * struct damon_ctx: attributes, targets, schemes, the operations set, and the sample-interval
 * clock fields of the kdamond loop (damon-monitoring.md §1.6, §2.3).
 */
import type { Prng } from '../lib/prng.js';
import type { DamonOperations } from '../ops/operations.js';
import type { KernelProfile } from '../profiles.js';
import type { Damos } from '../damos/scheme.js';
import type { EligibleMemo } from '../damos/goals.js';
import { attrsError, cloneAttrs, si, updateMonitoringResult, type DamonAttrs } from './attrs.js';
import { nrAccessesMvsum } from './access.js';
import { startAsDoubles } from '../lib/v8-fields.js';
import type { KernelMm } from './mm.js';
import type { DamonRegion, DamonTarget } from './region.js';
import type { SplitState } from './split.js';
import type { DamonTracer } from './trace.js';

/** The kdamond's simulated time. */
export interface SimClock {
  /** Nanoseconds since boot. */
  now: number;
  /** Timer frequency for jiffies (CONFIG_HZ). */
  readonly hz: number;
}

/** INITIAL_JIFFIES on 64-bit: (unsigned long)(unsigned int)(-300 * HZ), so charged_from is never 0. */
export function jiffies(c: SimClock): number {
  return 0x1_0000_0000 - 300 * c.hz + Math.floor((c.now * c.hz) / 1e9);
}

/** ktime_get_coarse_ts64() in ns: the time of the last tick (one every 10^9 / HZ ns since boot). */
export function coarseNs(c: SimClock): number {
  const tick = 1e9 / c.hz;
  return Math.floor(c.now / tick) * tick;
}

/** MAX_JIFFY_OFFSET = ((LONG_MAX >> 1) - 1) = 2^62 − 2 (2^62 as a double). */
export const MAX_JIFFY_OFFSET = 2 ** 62 - 2;

/** msecs_to_jiffies(const unsigned int m): the argument is truncated to 32 bits; "negative" means forever. */
export function msecsToJiffies(ms: number, hz: number): number {
  const m = ms >= 2 ** 53 ? 0xffff_ffff : ms % 0x1_0000_0000;
  if (m >= 0x8000_0000) return MAX_JIFFY_OFFSET;
  if (1000 % hz === 0) {
    const per = 1000 / hz;
    return Math.floor((m + per - 1) / per);
  }
  return Math.ceil((m * hz) / 1000);
}

export interface DamonCtxInit {
  ops: DamonOperations;
  mm: KernelMm;
  profile: KernelProfile;
  rng: Prng;
  splitState: SplitState;
  clock: SimClock;
  tracer?: DamonTracer;
  /** Index of this context among all contexts of the run (see ctxIdxInKdamond for the kernel's ctx_idx). */
  idx?: number;
}

/**
 * The context's index within its kdamond, as sysfs and the tracepoints' ctx_idx count: damon-sim's
 * kdamonds have one context each (sysfs nr_contexts is 0 or 1), so it is always 0. (`idx` counts
 * contexts across all kdamonds of a run.)
 */
export function ctxIdxInKdamond(_ctx: DamonCtx): number {
  return 0;
}

export class DamonCtx {
  attrs: DamonAttrs;
  passedSampleIntervals = 0;
  nextAggregationSis = 0;
  nextOpsUpdateSis = 0;
  nextIntervalsTuneSis = 0;
  addrUnit = 1;
  minRegionSz = 4096;
  targets: DamonTarget[] = [];
  schemes: Damos[] = [];
  maybeCorrupted = false;
  /** sysfs `pause` (Linux 7.1 era): the kdamond keeps running but neither samples nor applies schemes. */
  pause = false;
  readonly ops: DamonOperations;
  readonly mm: KernelMm;
  readonly profile: KernelProfile;
  readonly rng: Prng;
  readonly splitState: SplitState;
  readonly clock: SimClock;
  readonly tracer: DamonTracer | undefined;
  readonly idx: number;
  /**
   * How long the accessed bits had to turn young in the current sample: the sampling sleep between
   * prepare_access_checks and check_accesses, as damon/usleep.ts accessWindowNs() takes it (0
   * before the first sample: the sampling interval).
   */
  accessWindowNs = 0;
  /** Set by kdamond_apply_schemes() for its quota-adjustment loop only (damos/goals.ts). */
  eligibleMemo: EligibleMemo | null = null;
  /**
   * damon-sim's own count, no kernel stat has it: quota splits whose left part a core filter then
   * rejected, which leaves the rest to the next visit to split again (damos.md §3.3; under B0 a
   * cascade, docs/findings.md §3).
   */
  rejectedQuotaSplits = 0;
  /**
   * damon-sim's own count, no kernel stat has it: simulated ns spent in rounds without monitoring
   * (a pause, a watermark wait), which an aggregation interval's length is not the kdamond's work.
   */
  idleNs = 0;

  constructor(init: DamonCtxInit, attrs: DamonAttrs) {
    this.ops = init.ops;
    this.mm = init.mm;
    this.profile = init.profile;
    this.rng = init.rng;
    this.splitState = init.splitState;
    this.clock = init.clock;
    this.tracer = init.tracer;
    this.idx = init.idx ?? 0;
    this.attrs = cloneAttrs(attrs);
    // A cascade adds a million at a time, and idle ns pass 2^31 in seconds (lib/v8-fields.ts).
    startAsDoubles(this, 'rejectedQuotaSplits', 'idleNs');
  }

  get nrRegions(): number {
    let n = 0;
    for (const t of this.targets) n += t.nrRegions;
    return n;
  }

  /** `damos_set_next_apply_sis(s, ctx)`. */
  setNextApplySis(s: Damos): void {
    const interval = s.applyIntervalUs ? s.applyIntervalUs : this.attrs.aggrInterval;
    s.nextApplySis = this.passedSampleIntervals + Math.floor(interval / si(this.attrs));
  }

  /** `damon_set_attrs(ctx, attrs)`: returns an error string where the kernel returns -EINVAL (§2.3). */
  setAttrs(attrs: DamonAttrs): string | null {
    const err = attrsError(attrs);
    if (err) return err;
    const next = cloneAttrs(attrs);
    const aggregating = this.passedSampleIntervals < this.nextAggregationSis;
    if (next.aggrSamples === 0) next.aggrSamples = Math.floor(next.aggrInterval / si(next));
    this.nextAggregationSis = this.passedSampleIntervals + Math.floor(next.aggrInterval / si(next));
    this.nextOpsUpdateSis = this.passedSampleIntervals + Math.floor(next.opsUpdateInterval / si(next));
    const old = this.attrs;
    if (old.sampleInterval && old.aggrInterval && next.sampleInterval && next.aggrInterval) {
      for (const t of this.targets) for (const r of t.regions) updateMonitoringResult(r, old, next, aggregating, this.profile);
    }
    this.attrs = next;
    for (const s of this.schemes) this.setNextApplySis(s);
    return null;
  }

  /** The access frequency DAMOS access patterns match against (damos.md §1.3; trap 14). */
  patternNrAccesses(r: DamonRegion): number {
    if (this.profile.accessRate === 'pseudo_mvsum') return nrAccessesMvsum(r, this.attrs, this.passedSampleIntervals, this.nextAggregationSis);
    return Math.floor(r.nrAccessesBp / 10000);
  }

  /** The access frequency the prioritisation scores use: raw nr_accesses (B0) or the pseudo moving sum (B1). */
  scoreNrAccesses(r: DamonRegion): number {
    if (this.profile.accessRate === 'pseudo_mvsum') return nrAccessesMvsum(r, this.attrs, this.passedSampleIntervals, this.nextAggregationSis);
    return r.nrAccesses;
  }

  /** Index of a target in the context's list (the target filter's target_idx). */
  targetIndex(t: DamonTarget): number {
    return this.targets.indexOf(t);
  }
}
