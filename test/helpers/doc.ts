// SPDX-License-Identifier: GPL-2.0-only
/** Pieces of scenario documents that many tests write the same way. */
import type { ScenarioDoc } from '../../src/scenario/schema.js';

/** An access pattern every region matches. */
export const ANY_PATTERN = { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: 0, max: 'max' }, age: { min: 0, max: 'max' } };

export interface PaddrDamonOptions {
  /** End of the single monitoring region starting at 4 GiB (default '4224 MiB': 128 MiB). */
  end?: string;
  /** Set nr_regions to {10, 1000} (the default); false leaves the scenario default. */
  nrRegions?: boolean;
}

/** The `damon` section with one kdamond running one paddr context over [4 GiB, end). */
export function paddrDamon(schemes: unknown[], o: PaddrDamonOptions = {}): ScenarioDoc['damon'] {
  // The schemes are the caller's to get right; the scenario validator checks them at load.
  return {
    kdamonds: [
      {
        contexts: [
          {
            ops: 'paddr',
            targets: [{ pid: null, regions: [{ start: '4 GiB', end: o.end ?? '4224 MiB' }] }],
            intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
            ...(o.nrRegions === false ? {} : { nr_regions: { min: 10, max: 1000 } }),
            schemes,
          },
        ],
      },
    ],
  } as ScenarioDoc['damon'];
}
