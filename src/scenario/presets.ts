// SPDX-License-Identifier: GPL-2.0-only
/**
 * Built-in scenarios, written as scenario documents (the file format), so that they go through the
 * same validation as user files and can be exported as a starting point.
 */
import type { DamoContextDoc, DamoKdamondDoc, DamoQuotasDoc, DamoSchemeDoc } from '../formats/damo/kdamonds.js';
import type { HotsetWorkloadDoc, ScenarioDoc } from './schema.js';

export type Tuner = 'temporal' | 'consist';

/**
 * The preset's document: a ScenarioDoc with the union members it uses (a hotset workload, damo's
 * `{kdamonds: [...]}` form), so a caller varying it (the bench, tests) indexes its kdamonds,
 * schemes and workload without narrowing.
 */
export type Tiering6040Doc = ScenarioDoc & { workload: HotsetWorkloadDoc; damon: { kdamonds: Kdamond[] } };

/** T with the keys K, optional in damo's format, present (as the preset writes them). */
type Spelled<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };
type Scheme = Spelled<DamoSchemeDoc, 'access_pattern' | 'filters'> & { quotas: Spelled<DamoQuotasDoc, 'goals' | 'sz_bytes'> };
type Context = Spelled<DamoContextDoc, 'targets' | 'intervals' | 'nr_regions'> & { schemes: Scheme[] };
type Kdamond = DamoKdamondDoc & { contexts: Context[] };

/**
 * The seed's setup (damos.md §5.3): one paddr context over DRAM node 0 and CXL node 1; PULL
 * migrate_hot to node 0 with goal node_eligible_mem_bp nid 0 = 6000 and an addr filter allowing
 * node 1's range; PUSH migrate_hot to node 1 with goal nid 1 = 4000 and a filter on node 0's
 * range. The workload first-touches everything on the CXL node, so the hot set starts at 0:100.
 * The 128 MiB per 1 s quota and the 99.9 % hot share are damon-sim's choices, not the spec's (the
 * author's closed-loop tests used 512 MiB per 1 s; GUPS-like workloads use p = 0.9): findings.md
 * §1a shows what each changes.
 */
export function tiering6040(tuner: Tuner = 'temporal'): Tiering6040Doc {
  const dram = { start: '4 GiB', end: '36 GiB' };
  const cxl = { start: '36 GiB', end: '68 GiB' };
  const scheme = (nid: number, target: number, source: { start: string; end: string }) => ({
    action: 'migrate_hot' as const,
    target_nid: nid,
    access_pattern: {
      sz_bytes: { min: '4 KiB', max: 'max' },
      nr_accesses: { min: '1 samples', max: '4,294,967,295 samples' },
      age: { min: '0 ns', max: 'max' },
    },
    apply_interval_us: 0,
    quotas: {
      time_ms: 0,
      sz_bytes: '128 MiB',
      reset_interval_ms: '1 s',
      goals: [{ metric: 'node_eligible_mem_bp' as const, nid, target_value: target, current_value: 0 }],
      goal_tuner: tuner,
      weights: { sz_permil: 0, nr_accesses_permil: 0, age_permil: 0 },
    },
    filters: [{ filter_type: 'addr' as const, matching: true, allow: true, address_range: source }],
  });
  return {
    name: `tiering-6040-${tuner}`,
    description: `PUSH/PULL migrate_hot pair holding hot memory at 60:40 DRAM:CXL with node_eligible_mem_bp (${tuner} tuner)`,
    seed: 42,
    duration: '10 m',
    kernel: { profile: 'b0', hz: 1000 },
    sampling: 'region',
    machine: {
      base: '4 GiB',
      nodes: [
        { capacity: '32 GiB', kind: 'dram', latency_ns: 100 },
        { capacity: '32 GiB', kind: 'cxl', latency_ns: 250 },
      ],
    },
    workload: {
      type: 'hotset',
      rss: '24 GiB',
      hot_set: '6 GiB',
      hot_share: '99.9 %',
      access_rate: 1.5e8,
      thp: false,
      nodes: [1, 0],
    },
    record: { aggr_stride: 1 },
    damon: {
      kdamonds: [
        {
          refresh_ms: 1000,
          contexts: [
            {
              ops: 'paddr',
              targets: [{ pid: null, regions: [dram, cxl] }],
              intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
              nr_regions: { min: 10, max: 1000 },
              schemes: [scheme(0, 6000, cxl), scheme(1, 4000, dram)],
            },
          ],
        },
      ],
    },
  };
}

export const PRESETS: Record<string, { description: string; build: (tuner: Tuner) => ScenarioDoc }> = {
  'tiering-6040': { description: "the seed's 60:40 DRAM/CXL PUSH/PULL tiering loop", build: tiering6040 },
};
