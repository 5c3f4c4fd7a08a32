// SPDX-License-Identifier: GPL-2.0-only
/**
 * The hotset workload's rates (docs/model.md "Workloads"): `access_rate` accesses per second over
 * the whole RSS, `hot_share` of them to the hot set and the rest spread over the other pages; a hot
 * set that is the whole area takes all of it.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { buildWorkload } from '../src/workload/build.js';

const MiB = 2 ** 20;

/** Accesses per second summed over every page of the workload, and over the hot set's pages. */
function rates(rss: number, hotSet: number, share: string, accessRate: number): { total: number; hot: number } {
  const doc = {
    duration: '1 s',
    machine: { nodes: [{ capacity: '128 MiB', kind: 'dram' }, { capacity: '128 MiB', kind: 'cxl' }] },
    workload: { type: 'hotset', rss: `${rss / MiB} MiB`, hot_set: `${hotSet / MiB} MiB`, hot_share: share, access_rate: accessRate },
    damon: { kdamonds: [] },
  };
  const w = buildWorkload(scenarioFromDoc(doc).scenario.workload, () => 0);
  const runs = w.rateRuns(0, 0);
  const hot = w.phase(0).hot.get(0) ?? [];
  let total = 0;
  let hotSum = 0;
  for (let i = 0; i < (runs?.starts.length ?? 0); i++) {
    const r = runs!;
    const pages = (r.ends[i] - r.starts[i]) / 4096;
    total += r.rates[i] * pages;
    for (const [a, b] of hot) hotSum += r.rates[i] * Math.max(0, Math.min(b, r.ends[i]) - Math.max(a, r.starts[i])) / 4096;
  }
  return { total, hot: hotSum };
}

describe('hotset workload rates', () => {
  it('spreads access_rate over the whole RSS, hot_share of it on the hot set', () => {
    const r = rates(64 * MiB, 16 * MiB, '99 %', 1e6);
    expect(r.total).toBeCloseTo(1e6, 3);
    expect(r.hot).toBeCloseTo(0.99e6, 3);
  });

  it('gives a hot set that is the whole area all of access_rate (no other pages to take the rest)', () => {
    const r = rates(64 * MiB, 64 * MiB, '99 %', 1e6);
    expect(r.total).toBeCloseTo(1e6, 3);
    expect(r.hot).toBeCloseTo(1e6, 3);
  });

  it('spreads access_rate uniformly without a hot set', () => {
    const r = rates(64 * MiB, 0, '99 %', 1e6);
    expect(r.total).toBeCloseTo(1e6, 3);
    expect(r.hot).toBe(0);
  });
});

describe('refaults', () => {
  // Pageout swaps the cold part out; the kdamond is turned off at 2 s. The workload keeps
  // touching its swapped-out pages, so refaults (and the PSI stall they add) go on while no
  // kdamond runs (docs/model.md: every 100 ms of simulated time).
  const doc = (duration: number) => ({
    seed: 1,
    duration,
    machine: { swap: '64 MiB', nodes: [{ capacity: '64 MiB' }] },
    workload: { type: 'hotset', rss: '32 MiB', hot_set: '4 MiB', hot_share: '90 %', access_rate: 2e3 },
    damon: {
      kdamonds: [
        {
          contexts: [
            {
              ops: 'paddr',
              targets: [{ regions: [{ start: '4 GiB', end: '4160 MiB' }] }],
              intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
              nr_regions: { min: 10, max: 100 },
              schemes: [{ action: 'pageout', access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '0 samples', max: '0 samples' }, age: { min: '1 s', max: 'max' } } }],
            },
          ],
        },
      ],
    },
    events: [{ at: 2, command: 'off' }],
  });

  it('go on while every kdamond is off', () => {
    const at = (d: number) => {
      const sim = runScenario(scenarioFromDoc(doc(d)).scenario).simulation;
      return { refaults: sim.refaulter.refaults, psi: sim.mm.psiSomeMemTotalUs(d * 1e9), evicted: sim.machine.evicted.totalBytes };
    };
    const off = at(2.05);
    const later = at(6);
    expect(off.refaults).toBeGreaterThan(0);
    // Four more seconds of refaults of what was swapped out by 2 s: more faults, more stall, fewer
    // pages left in swap (nothing swaps out while the kdamond is off).
    expect(later.refaults).toBeGreaterThan(off.refaults + 100);
    expect(later.psi).toBeGreaterThan(off.psi);
    expect(later.evicted).toBeLessThan(off.evicted);
  });
});
