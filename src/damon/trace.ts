// SPDX-License-Identifier: GPL-2.0-only
/**
 * Tracepoint hooks (include/trace/events/damon.h analogues). The recorder and the trace stream
 * subscribe; the core calls them where the kernel fires its tracepoints.
 */
import type { DamonCtx } from './ctx.js';
import type { DamonRegion } from './region.js';
import type { Damos, DamosQuotaGoal } from '../damos/scheme.js';

export interface DamonTracer {
  /** kdamond_reset_aggregated(): once per aggregation, before the counters are reset. */
  aggregated?(ctx: DamonCtx): void;
  /**
   * A quota goal's current_value was refreshed (damos_set_quota_goal_current_value), at simulated
   * time `atNs`: when the refresh's walk ended, where the kernel knows the value (and the RFC
   * fires its damos_node_eligible_mem_bp tracepoint). The clock itself moves by the walks only
   * after damos_adjust_quota() (damos/quota.ts).
   */
  goalEvaluated?(ctx: DamonCtx, schemeIdx: number, goalIdx: number, s: Damos, goal: DamosQuotaGoal, atNs: number): void;
  /**
   * damos_apply_scheme() is about to hand r to ops.apply_scheme (trace_damos_before_apply): after the
   * quota split and the core filters, with the target's region count at that moment.
   */
  beforeApply?(ctx: DamonCtx, schemeIdx: number, targetIdx: number, r: DamonRegion, nrRegions: number): void;
  /**
   * damos_set_effective_quota() ran (a charge window started): goals refreshed, esz set; `atNs` is
   * when it returned, after its goal walks.
   */
  quotaSet?(ctx: DamonCtx, schemeIdx: number, s: Damos, atNs: number): void;
  /**
   * damos_adjust_quota() fires trace_damos_esz (damos/quota.ts says when): s.quota.esz is the new
   * esz, `atNs` when damos_set_effective_quota() returned.
   */
  eszTraced?(ctx: DamonCtx, schemeIdx: number, s: Damos, atNs: number): void;
  /** The schemes' apply pass finished (damos_stat_after_apply_interval, per due scheme, where the profile has it). */
  applied?(ctx: DamonCtx, schemeIdx: number, s: Damos): void;
  /**
   * kdamond_tune_intervals() computed new intervals (damon_monitor_intervals_tune): fired before
   * damon_set_attrs() and whether or not it takes them, as the kernel's tracepoint is.
   */
  intervalsTuned?(ctx: DamonCtx, sampleUs: number): void;
}
