// SPDX-License-Identifier: GPL-2.0-only
/**
 * A `damos_walk()` request (damos.md §2.4): while installed, the callback sees every region a
 * scheme was applied to, until that scheme finishes one apply pass. When every scheme of the
 * context has finished one, the walk_completed flags are cleared and the request completes. The
 * kdamond cancels it when all schemes are deactivated by watermarks, when the context has no
 * schemes, and when it stops. (As in the kernel, a cancel leaves the walk_completed flags of the
 * schemes that had finished as they are.)
 */
import type { DamonCtx } from '../damon/ctx.js';
import type { DamonRegion, DamonTarget } from '../damon/region.js';
import type { DamosWalkControl, DamosWalkFn } from './apply.js';
import type { Damos } from './scheme.js';

export class DamosWalk implements DamosWalkControl {
  /** Completed or canceled: the kdamond drops it. */
  finished = false;
  canceled = false;

  constructor(
    private readonly fn: DamosWalkFn,
    private readonly onComplete: (ctx: DamonCtx) => void,
    private readonly onCancel: () => void,
  ) {}

  /** `damos_walk_call_walk()`: schemes that already completed are not reported again. */
  readonly call = (ctx: DamonCtx, t: DamonTarget, r: DamonRegion, s: Damos, szFilterPassed: number): void => {
    if (this.finished || s.walkCompleted) return;
    this.fn(ctx, t, r, s, szFilterPassed);
  };

  /** `damos_walk_complete(ctx, s)`. */
  complete(ctx: DamonCtx, s: Damos): void {
    if (this.finished) return;
    s.walkCompleted = true;
    for (const x of ctx.schemes) if (!x.walkCompleted) return;
    for (const x of ctx.schemes) x.walkCompleted = false;
    this.finished = true;
    this.onComplete(ctx);
  }

  /** `damos_walk_cancel()`. */
  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.canceled = true;
    this.onCancel();
  }
}
