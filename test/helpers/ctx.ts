// SPDX-License-Identifier: GPL-2.0-only
/**
 * A bare DAMON context for unit tests that drive core, DAMOS or commit functions directly
 * (`damon_new_ctx()` with operations and mm services that do nothing unless given).
 */
import { defaultAttrs, type DamonAttrs } from '../../src/damon/attrs.js';
import { DamonCtx } from '../../src/damon/ctx.js';
import type { KernelMm } from '../../src/damon/mm.js';
import type { DamonTracer } from '../../src/damon/trace.js';
import { SplitState } from '../../src/damon/split.js';
import { Prng } from '../../src/lib/prng.js';
import type { DamonOperations, OpsId } from '../../src/ops/operations.js';
import { DEFAULT_PROFILE, type KernelProfile } from '../../src/profiles.js';
import type { DamosAccessPattern } from '../../src/damos/scheme.js';
import { ULONG_MAX } from '../../src/lib/kint.js';

/** An access pattern every region matches: any size, nr_accesses and age. */
export const MATCH_ALL: DamosAccessPattern = { minSzRegion: 0n, maxSzRegion: ULONG_MAX, minNrAccesses: 0, maxNrAccesses: 0xffff_ffff, minAgeRegion: 0, maxAgeRegion: 0xffff_ffff };

/** An operations set that samples nothing and applies nothing. */
export function stubOps(id: OpsId = 'paddr'): DamonOperations {
  return { id, prepareAccessChecks: () => undefined, checkAccesses: () => 0, applyScheme: () => ({ applied: 0, szOpsFilterPassed: 0, costNs: 0 }) };
}

/**
 * An operations set that applies nothing and logs every region a scheme is applied to, as
 * [scheme index, start KiB, end KiB].
 */
export function schemeLoggingOps(): { ops: DamonOperations; log: Array<[number, number, number]> } {
  const log: Array<[number, number, number]> = [];
  const ops: DamonOperations = {
    id: 'paddr',
    prepareAccessChecks: () => undefined,
    checkAccesses: () => 0,
    applyScheme: (c, _t, r, s) => {
      log.push([c.schemes.indexOf(s), r.start / 1024, r.end / 1024]);
      return { applied: 0, szOpsFilterPassed: 0, costNs: 0 };
    },
  };
  return { ops, log };
}

/** mm services of a machine with no nodes and all memory free. */
export const stubMm: KernelMm = {
  nodeOnline: () => false,
  maxNumNodes: 1,
  nodeMem: () => ({ total: 0, free: 0 }),
  memcgNodeLruPages: () => 0,
  memcgId: () => undefined,
  lruPages: () => ({ active: 0, inactive: 0 }),
  freeMemRatePermil: () => 1000,
  psiSomeMemTotalUs: () => 0,
};

export interface CtxOptions {
  attrs?: Partial<DamonAttrs>;
  profile?: KernelProfile;
  ops?: DamonOperations;
  mm?: KernelMm;
  seed?: number;
  label?: string;
  /** CONFIG_HZ of the context's clock (default 1000). */
  hz?: number;
  tracer?: DamonTracer;
}

/** A context with the given pieces (defaults: attrs of damon_new_ctx, b0, stubs). */
export function newCtx(opts: CtxOptions = {}): DamonCtx {
  return new DamonCtx(
    {
      ops: opts.ops ?? stubOps(),
      mm: opts.mm ?? stubMm,
      profile: opts.profile ?? DEFAULT_PROFILE,
      rng: new Prng(opts.seed ?? 1, opts.label ?? 'test'),
      splitState: new SplitState(),
      clock: { now: 0, hz: opts.hz ?? 1000 },
      tracer: opts.tracer,
    },
    { ...defaultAttrs(), ...opts.attrs },
  );
}
