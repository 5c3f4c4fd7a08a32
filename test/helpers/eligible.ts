// SPDX-License-Identifier: GPL-2.0-only
/** One region's eligible-bytes walk seen from one node, for tests that check it region by region. */
import type { DamonCtx } from '../../src/damon/ctx.js';
import type { DamonRegion } from '../../src/damon/region.js';
import type { EligibleSums } from '../../src/ops/operations.js';
import type { PaddrOps } from '../../src/ops/paddr.js';

export interface RegionEligible {
  onNode: number;
  total: number;
  /** Folio lookups the walk made. */
  lookups: number;
  /** Simulated time the walk took (ns). */
  costNs: number;
}

/** PaddrOps.addEligibleBytes() over r alone, read for node nid. */
export function eligibleOf(ops: PaddrOps, ctx: DamonCtx, r: DamonRegion, nid: number): RegionEligible {
  const sums: EligibleSums = { byNode: [], total: 0, lookups: 0, costNs: 0 };
  ops.addEligibleBytes(ctx, r, sums);
  return { onNode: sums.byNode[nid] ?? 0, total: sums.total, lookups: sums.lookups, costNs: sums.costNs };
}
