// SPDX-License-Identifier: GPL-2.0-only
/**
 * The detection lag after migration (machines-and-workloads.md §6.2 item 4, docs/model.md): DAMON
 * in physical address mode keeps its regions' history per address, not per folio, so hot memory
 * moved to a new physical range is seen with that range's history (cold, it was free) and only
 * becomes hot in DAMON's view as the following samples find it accessed: half-way through the next
 * aggregation window at half the count, fully after one whole window, with its age restarted.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/run/simulation.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import type { ScenarioDoc } from '../src/scenario/schema.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const dram = { start: 4 * GiB, end: 4 * GiB + 256 * MiB };
const cxl = { start: dram.end, end: dram.end + 256 * MiB };

/** 128 MiB first-touched on CXL with a 64 MiB hot set that takes every access (every page accessed every 5 ms sample; the rest never), and one migrate_hot to DRAM. */
function doc(): ScenarioDoc {
  return {
    seed: 3,
    duration: '20 s',
    kernel: { profile: 'b0', hz: 1000 },
    sampling: 'region',
    machine: { base: '4 GiB', nodes: [{ capacity: '256 MiB', kind: 'dram', latency_ns: 100 }, { capacity: '256 MiB', kind: 'cxl', latency_ns: 250 }] },
    workload: { type: 'hotset', rss: '128 MiB', hot_set: '64 MiB', hot_share: '100 %', access_rate: 1.5e8, thp: false, nodes: [1, 0] },
    damon: {
      kdamonds: [
        {
          contexts: [
            {
              ops: 'paddr',
              targets: [{ pid: null, regions: [dram, cxl] }],
              intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
              nr_regions: { min: 10, max: 1000 },
              schemes: [
                {
                  action: 'migrate_hot',
                  target_nid: 0,
                  access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '1 samples', max: 'max' }, age: { min: '0 ns', max: 'max' } },
                  apply_interval_us: 0,
                  filters: [{ filter_type: 'addr', matching: true, allow: true, address_range: cxl }],
                },
              ],
            },
          ],
        },
      ],
    },
  } as ScenarioDoc;
}

describe('detection lag after migration (paddr)', () => {
  it('a migrated hot folio starts cold at its new address and reads hot one aggregation later', () => {
    const { scenario } = scenarioFromDoc(doc());
    const sim = new Simulation(scenario);
    sim.start();
    const kd = sim.kdamonds[0].kdamond;
    const ctx = kd.ctx;
    const s = ctx.schemes[0];
    while (s.stat.szApplied === 0) kd.step();
    // An apply pass, at the end of a window (20 samples), moved the hot CXL regions to the lowest
    // free DRAM addresses.
    const moved = ctx.passedSampleIntervals;
    expect(moved % 20).toBe(0);
    expect(s.stat.szApplied).toBeGreaterThanOrEqual(64 * MiB);
    const first = () => ctx.targets[0].regions[0];
    expect(first().start).toBe(dram.start);
    // Its first region lies within the moved hot memory.
    expect(first().end).toBeLessThanOrEqual(dram.start + 64 * MiB);
    kd.syncRegions();
    // Right after the move the destination's regions carry the free memory's history: cold.
    const dest = ctx.targets[0].regions.filter((r) => r.start < dram.start + s.stat.szApplied && r.end <= dram.end);
    expect(dest.length).toBeGreaterThan(0);
    for (const r of dest) expect([r.nrAccesses, r.lastNrAccesses]).toEqual([0, 0]);

    // Half a window later only the samples taken since the move count: 10 of 10 (every sample
    // finds the hot pages accessed), against 20 for memory that was hot all window.
    for (let i = 0; i < 10; i++) kd.step();
    kd.syncRegions();
    expect(first().start).toBe(dram.start);
    expect(first().nrAccesses).toBe(10);
    expect(first().lastNrAccesses).toBe(0);
    // nr_accesses_bp, the moving sum, has climbed from 0 by 10000 per sample.
    expect(first().nrAccessesBp).toBe(100_000);

    // After the whole window the region reads hot, and its age restarted with the new pattern.
    for (let i = 0; i < 10; i++) kd.step();
    expect(ctx.passedSampleIntervals).toBe(moved + 20);
    expect(first().lastNrAccesses).toBe(20);
    expect(first().age).toBe(0);
  });
});
