// SPDX-License-Identifier: GPL-2.0-only
/**
 * Whole-run invariants of the simulator, checked after every kdamond step of small tiering runs
 * (the 60:40 PUSH/PULL pair of damos.md §5.3 on a 2 × 256 MiB machine; both goal tuners, base pages
 * and THP, plus folio sampling, the b1 profile and addr_unit 4), and run determinism.
 *
 * Unit tests pin single functions; these catch what only shows up when merge, split, the apply pass,
 * quota windows and migration interleave for thousands of iterations: a region list that loses
 * order or coverage, a migration that creates or loses memory or breaks a 2 MiB folio, a charge
 * window that lets more through than its effective quota. What is asserted where:
 *
 *  - After every step (damon-monitoring.md §1.3, §3.3; damos.md §3.3, §4): regions sorted,
 *    non-empty, non-overlapping, aligned to min_region_sz, covering exactly the monitored ranges
 *    (paddr has no init/update, so coverage never changes); every region at most the min-nr size
 *    limit ALIGN(total / min_nr_regions, min_region_sz) — [SJ-tree] damon_apply_min_nr_regions
 *    enforces it after every merge and nothing else grows a region (B1's post-apply merge-back
 *    is capped by total / min_nr_regions, which is smaller) — hence at least
 *    min_nr_regions regions; machine extents sorted and tiling every node exactly; whole 2 MiB
 *    folios; LRU (allocated) bytes constant and free + LRU + reserved = all memory; per charge
 *    window, esz fixed and charged_sz <= esz (the quota split trims a region to the remaining
 *    quota, aligned down), charged bytes == sz_tried.
 *  - max_nr_regions is NOT guaranteed after an apply pass: B0 quota splits and addr-filter splits
 *    (before the core filter rejects the piece) add regions without limit. It is asserted only
 *    (a) at the damon_call point of aggregation steps, i.e. right after kdamond_merge_regions and
 *    damon_apply_min_nr_regions (§2.2 step 8): the merge loop (§5.1) repeats with a doubling
 *    threshold while the count exceeds max_nr_regions; once the threshold reaches the largest
 *    possible nr_accesses every adjacent pair is mergeable up to the size limit, and greedy merging
 *    of one contiguous range then leaves fewer than 2 · total / limit + 1 (= 21 here) regions, so
 *    the loop always ends at or below max_nr_regions (the min-nr split after it cuts nothing,
 *    merges being capped at the same limit); and
 *    (b) across kdamond_split_regions (§6.1): it returns early above max_nr_regions / 2 (count
 *    unchanged), otherwise its 2- or 3-way split stays <= max_nr_regions.
 */
import { describe, expect, it } from 'vitest';
import type { DamonCtx } from '../src/damon/ctx.js';
import type { DamonTracer } from '../src/damon/trace.js';
import { quotaIsFull } from '../src/damos/quota.js';
import { HPAGE_PMD_SIZE } from '../src/lib/kint.js';
import { resolveProfile, type KernelProfile } from '../src/profiles.js';
import { ExtKind } from '../src/machine/extents.js';
import type { PaddrOps } from '../src/ops/paddr.js';
import type { Machine } from '../src/machine/machine.js';
import { runScenario } from '../src/run/run.js';
import { Simulation } from '../src/run/simulation.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/model.js';
import type { ScenarioDoc } from '../src/scenario/schema.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const BASE = 4 * GiB;
const NODE = 256 * MiB;
const RSS = 192 * MiB;

interface Small {
  tuner: 'temporal' | 'consist';
  thp?: boolean;
  seconds: number;
  seed?: number;
  sampling?: 'region' | 'folio';
  profile?: 'b0' | 'b1';
  /** Switches of the profile flipped (kernel.overrides): a case for a switch of your own. */
  overrides?: NonNullable<NonNullable<ScenarioDoc['kernel']>['overrides']>;
  addrUnit?: number;
  /** The schemes' apply interval (0: every aggregation). */
  applyUs?: number;
}

/** presets.ts's tiering6040 scaled down: 2 × 256 MiB, rss 192 MiB on CXL first, 48 MiB hot, 8 MiB per 1 s window. */
function smallDoc(o: Small): ScenarioDoc {
  // Regions and addr filters are core addresses (bytes / addr_unit), as damo stages them.
  const au = o.addrUnit ?? 1;
  const dram = { start: BASE / au, end: (BASE + NODE) / au };
  const cxl = { start: (BASE + NODE) / au, end: (BASE + 2 * NODE) / au };
  const scheme = (nid: number, target: number, source: { start: number; end: number }) => ({
    action: 'migrate_hot' as const,
    target_nid: nid,
    access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '1 samples', max: 'max' }, age: { min: '0 ns', max: 'max' } },
    apply_interval_us: o.applyUs ?? 0,
    quotas: {
      time_ms: 0,
      sz_bytes: '8 MiB',
      reset_interval_ms: '1 s',
      goals: [{ metric: 'node_eligible_mem_bp' as const, nid, target_value: target, current_value: 0 }],
      goal_tuner: o.tuner,
      weights: { sz_permil: 0, nr_accesses_permil: 0, age_permil: 0 },
    },
    filters: [{ filter_type: 'addr' as const, matching: true, allow: true, address_range: source }],
  });
  return {
    name: `small-${o.tuner}${o.thp ? '-thp' : ''}`,
    seed: o.seed ?? 42,
    duration: `${o.seconds} s`,
    kernel: { profile: o.profile ?? 'b0', ...(o.overrides ? { overrides: o.overrides } : {}), hz: 1000 },
    sampling: o.sampling ?? 'region',
    machine: {
      base: BASE,
      nodes: [
        { capacity: NODE, kind: 'dram', latency_ns: 100 },
        { capacity: NODE, kind: 'cxl', latency_ns: 250 },
      ],
    },
    // ~95 accesses/s per hot page, as in the preset (1.5e8 × 99.9 % over 6 GiB).
    workload: { type: 'hotset', rss: RSS, hot_set: '48 MiB', hot_share: '99.9 %', access_rate: 1.2e6, thp: o.thp ?? false, nodes: [1, 0] },
    damon: {
      kdamonds: [
        {
          contexts: [
            {
              ops: 'paddr',
              ...(o.addrUnit ? { addr_unit: o.addrUnit } : {}),
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

function small(o: Small): Scenario {
  return scenarioFromDoc(smallDoc(o)).scenario;
}

// ---------------------------------------------------------------------------------------------
// Checks

function checkRegions(ctx: DamonCtx, coverage: Array<[number, number]>, maxSz: number, where: string): number {
  let n = 0;
  const runs: Array<[number, number]> = [];
  for (const t of ctx.targets) {
    let prevEnd = -Infinity;
    for (const r of t.regions) {
      if (!(r.start < r.end)) throw new Error(`${where}: empty region [${r.start}, ${r.end})`);
      if (r.start < prevEnd) throw new Error(`${where}: region [${r.start}, ${r.end}) starts below the previous end ${prevEnd}`);
      if (r.start % ctx.minRegionSz !== 0 || r.end % ctx.minRegionSz !== 0) throw new Error(`${where}: region [${r.start}, ${r.end}) not aligned to ${ctx.minRegionSz}`);
      if (r.end - r.start > maxSz) throw new Error(`${where}: region [${r.start}, ${r.end}) of ${r.end - r.start} B exceeds the min-nr size limit ${maxSz}`);
      const last = runs[runs.length - 1];
      if (last && last[1] === r.start) last[1] = r.end;
      else runs.push([r.start, r.end]);
      prevEnd = r.end;
      n++;
    }
  }
  expect(runs, `${where}: monitored coverage`).toEqual(coverage);
  return n;
}

function checkMachine(m: Machine, allocated: number, where: string): void {
  const items = m.mem.toArray();
  let i = 0;
  let nonLru = 0;
  let free = 0;
  for (const n of m.nodes) {
    let at = n.start;
    for (; i < items.length && items[i].start < n.end; i++) {
      const e = items[i];
      if (e.start !== at || !(e.end > e.start) || e.end > n.end || e.node !== n.nid) {
        throw new Error(`${where}: extent [${e.start}, ${e.end}) node ${e.node} does not continue node ${n.nid} at ${at}`);
      }
      if (e.kind === ExtKind.Lru && e.folioSize === HPAGE_PMD_SIZE) {
        // A 2 MiB folio is never cut: an extent edge off the 2 MiB grid must continue the same folio.
        const prev = items[i - 1];
        const next = items[i + 1];
        const sameFolio = (a: typeof e, b: typeof e) =>
          a.end === b.start && a.kind === ExtKind.Lru && b.kind === ExtKind.Lru && a.folioSize === HPAGE_PMD_SIZE && b.folioSize === HPAGE_PMD_SIZE && a.node === b.node && a.owner === b.owner && a.vstart + (a.end - a.start) === b.vstart;
        if (e.start % HPAGE_PMD_SIZE !== 0 && !(prev && sameFolio(prev, e))) throw new Error(`${where}: 2 MiB folio cut at ${e.start}`);
        if (e.end % HPAGE_PMD_SIZE !== 0 && !(next && sameFolio(e, next))) throw new Error(`${where}: 2 MiB folio cut at ${e.end}`);
      }
      // Free frames are always joined into one extent per run (migration frees in place and joins after).
      if (e.kind === ExtKind.Free && i > 0 && items[i - 1].kind === ExtKind.Free && items[i - 1].node === e.node) {
        throw new Error(`${where}: free extents [${items[i - 1].start}, ${items[i - 1].end}) and [${e.start}, ${e.end}) not joined`);
      }
      if (e.kind === ExtKind.NonLru) nonLru += e.end - e.start;
      else if (e.kind === ExtKind.Free) free += e.end - e.start;
      at = e.end;
    }
    if (at !== n.end) throw new Error(`${where}: node ${n.nid} covered up to ${at}, not ${n.end}`);
    // The running free counter (what meminfo and the allocator read) matches the extents.
    if (m.nodeFree(n.nid) !== m.nodeFreeScan(n.nid)) throw new Error(`${where}: node ${n.nid} free counter ${m.nodeFree(n.nid)} B, extents hold ${m.nodeFreeScan(n.nid)} B`);
  }
  if (i !== items.length) throw new Error(`${where}: ${items.length - i} extents outside every node`);
  const got = m.allocatedBytes();
  if (got !== allocated) throw new Error(`${where}: allocated bytes ${got}, expected ${allocated}`);
  // Migration frees what it moves: LRU + free + non-LRU (the boot reservation) is all the memory.
  const reserved = m.nodes.reduce((a, n) => a + n.reserved, 0);
  if (nonLru !== reserved) throw new Error(`${where}: ${nonLru} B non-LRU memory, expected the ${reserved} B reserved at boot`);
  if (free !== m.totalBytes - allocated - reserved) throw new Error(`${where}: ${free} B free, expected ${m.totalBytes - allocated - reserved}`);
}

interface WindowLog {
  from: number;
  esz: bigint;
  maxCharged: number;
  full: boolean;
}

/** Per-scheme quota window bookkeeping from the state the kdamond leaves after each step. */
class QuotaWatch {
  readonly windows: WindowLog[] = [];
  private lastTotal = 0;
  private lastCharged = 0;

  observe(ctx: DamonCtx, si: number, where: string): void {
    const s = ctx.schemes[si];
    const q = s.quota;
    if (q.chargedFrom === 0) {
      // No charge window yet: the first starts at the scheme's first apply pass (damos.md §4.2).
      if (q.chargedSz !== 0 || s.stat.szTried !== 0) throw new Error(`${where}: scheme ${si} charged before its first window`);
      return;
    }
    let w = this.windows[this.windows.length - 1];
    if (!w || w.from !== q.chargedFrom) {
      if (w) {
        // damos_adjust_quota folds the ended window's charge into total_charged_sz.
        expect(q.totalChargedSz, `${where}: total_charged_sz after a window`).toBe(this.lastTotal + this.lastCharged);
      }
      w = { from: q.chargedFrom, esz: q.esz, maxCharged: 0, full: false };
      this.windows.push(w);
    }
    if (q.esz !== w.esz) throw new Error(`${where}: scheme ${si} esz changed inside a charge window: ${w.esz} -> ${q.esz}`);
    if (q.chargedSz < w.maxCharged) throw new Error(`${where}: scheme ${si} charged_sz went down inside a window`);
    w.maxCharged = q.chargedSz;
    w.full = quotaIsFull(q, ctx.minRegionSz, ctx.profile);
    if (BigInt(q.chargedSz) > q.esz) throw new Error(`${where}: scheme ${si} charged ${q.chargedSz} B in a window with esz ${q.esz}`);
    if (q.chargedSz % ctx.minRegionSz !== 0) throw new Error(`${where}: scheme ${si} charged ${q.chargedSz} B, not whole regions`);
    // b0 charges every tried byte (no fail-charge ratio): the charges add up to sz_tried.
    if (q.totalChargedSz + q.chargedSz !== s.stat.szTried) throw new Error(`${where}: scheme ${si} charged ${q.totalChargedSz + q.chargedSz} B but tried ${s.stat.szTried} B`);
    this.lastTotal = q.totalChargedSz;
    this.lastCharged = q.chargedSz;
  }
}

interface RunStats {
  steps: number;
  aggregations: number;
  splitsObserved: number;
  maxRegions: number;
  maxAfterMerge: number;
  windows: WindowLog[][];
  migrated: number;
}

/** Drive the kdamond step by step and check everything above after each step. */
function runChecked(sc: Scenario): RunStats {
  let beforeSplit = -1;
  const tracer: DamonTracer = {
    // kdamond_reset_aggregated(): after merge and the apply pass, right before the split.
    aggregated: (ctx) => {
      beforeSplit = ctx.nrRegions;
    },
  };
  const sim = new Simulation(sc, tracer);
  sim.start();
  const { kdamond: kd, clock } = sim.kdamonds[0];
  const ctx = kd.ctx;
  const attrs = ctx.attrs;
  // Core address units: physical bytes / addr_unit.
  const au = ctx.addrUnit;
  const coverage: Array<[number, number]> = [[BASE / au, (BASE + 2 * NODE) / au]];
  const total = (2 * NODE) / au;
  // damon_apply_min_nr_regions' max_sz = ALIGN(damon_region_sz_limit, min_region_sz).
  const limit = Math.max(Math.floor(total / attrs.minNrRegions), ctx.minRegionSz);
  const maxSz = Math.ceil(limit / ctx.minRegionSz) * ctx.minRegionSz;
  const minCount = Math.ceil(total / maxSz);
  expect(minCount).toBe(attrs.minNrRegions); // e.g. 512 MiB / ALIGN(53687091, 4096) = 9.9994 → 10
  const allocated = sim.machine.allocatedBytes();
  expect(allocated).toBe(RSS);
  const watches = ctx.schemes.map(() => new QuotaWatch());
  const stats: RunStats = { steps: 0, aggregations: 0, splitsObserved: 0, maxRegions: 0, maxAfterMerge: 0, windows: [], migrated: 0 };

  const n0 = checkRegions(ctx, coverage, maxSz, 'after start');
  expect(n0).toBeGreaterThanOrEqual(attrs.minNrRegions);
  checkMachine(sim.machine, allocated, 'after start');

  while (clock.now < sc.duration) {
    const where = `step ${stats.steps + 1} (t=${(clock.now / 1e9).toFixed(3)} s)`;
    // The step aggregates iff passed_sample_intervals (after its increment) reaches next_aggregation_sis.
    const aggregates = ctx.passedSampleIntervals + 1 >= ctx.nextAggregationSis;
    if (aggregates) {
      // damon_call(): runs after kdamond_merge_regions + damon_apply_min_nr_regions, before DAMOS.
      kd.calls.push((c) => {
        const n = checkRegions(c, coverage, maxSz, `${where}, after merge`);
        if (n > c.attrs.maxNrRegions) throw new Error(`${where}: ${n} regions after merge, above max_nr_regions ${c.attrs.maxNrRegions}`);
        if (n < c.attrs.minNrRegions) throw new Error(`${where}: ${n} regions after merge, below min_nr_regions`);
        stats.maxAfterMerge = Math.max(stats.maxAfterMerge, n);
      });
    }
    beforeSplit = -1;
    kd.step();
    stats.steps++;
    expect(kd.calls.length, `${where}: damon_call requests served`).toBe(0);
    const n = checkRegions(ctx, coverage, maxSz, where);
    if (n < attrs.minNrRegions) throw new Error(`${where}: ${n} regions, below min_nr_regions ${attrs.minNrRegions}`);
    stats.maxRegions = Math.max(stats.maxRegions, n);
    if (aggregates) {
      stats.aggregations++;
      if (beforeSplit < 0) throw new Error(`${where}: the aggregation tracepoint did not fire`);
      if (beforeSplit > Math.floor(attrs.maxNrRegions / 2)) {
        if (n !== beforeSplit) throw new Error(`${where}: split ran above max_nr_regions / 2 (${beforeSplit} -> ${n})`);
      } else {
        if (n > attrs.maxNrRegions || n > 3 * beforeSplit) throw new Error(`${where}: split made ${n} regions from ${beforeSplit}`);
        if (n > beforeSplit) stats.splitsObserved++;
      }
    } else if (beforeSplit >= 0) {
      throw new Error(`${where}: aggregation tracepoint outside an aggregation step`);
    }
    checkMachine(sim.machine, allocated, where);
    // Every place that moves a region's bounds voids its sample probability (boundsMoved()).
    const stale = (ctx.ops as PaddrOps).staleProbabilities(ctx);
    if (stale.length > 0) throw new Error(`${where}: region [${stale[0].start}, ${stale[0].end}) samples with a probability its bounds do not give (${stale.length} such)`);
    watches.forEach((w, si) => w.observe(ctx, si, where));
  }
  stats.windows = watches.map((w) => w.windows);
  stats.migrated = sim.machine.migratedBytes.flat().reduce((a, b) => a + b, 0);
  return stats;
}

// ---------------------------------------------------------------------------------------------

describe('invariants after every kdamond step', () => {
  const cases: Array<{ name: string; o: Small }> = [
    { name: 'TEMPORAL, base pages, 60 s', o: { tuner: 'temporal', seconds: 60 } },
    { name: 'CONSIST, base pages, 60 s', o: { tuner: 'consist', seconds: 60 } },
    { name: 'TEMPORAL, THP, 30 s', o: { tuner: 'temporal', thp: true, seconds: 30 } },
    { name: 'TEMPORAL, folio sampling (per-address lookups, shared last-folio cache), 20 s', o: { tuner: 'temporal', sampling: 'folio', seconds: 20 } },
    { name: 'CONSIST, profile b1 (post-apply merge-back, pseudo moving sum), 40 s', o: { tuner: 'consist', profile: 'b1', seconds: 40 } },
    // Apply passes between aggregations: merge-backs then grow regions whose blocks are live.
    { name: 'TEMPORAL, profile b1, schemes applied every 20 ms, 20 s', o: { tuner: 'temporal', profile: 'b1', applyUs: 20_000, seconds: 20 } },
    { name: 'TEMPORAL, addr_unit 4 (min_region_sz 1024 core units), THP, 20 s', o: { tuner: 'temporal', addrUnit: 4, thp: true, seconds: 20 } },
    // A profile's switches flipped, as a switch of one's own is tried (docs/trying-a-change.md):
    // b0 before the failed-charge series (profiles.md, "Caveats").
    { name: 'TEMPORAL, b0 without quotaFullBelowMinRegion and damosQuotaIsFull, 20 s', o: { tuner: 'temporal', overrides: { quotaFullBelowMinRegion: false, damosQuotaIsFull: false }, seconds: 20 } },
  ];
  for (const c of cases) {
    it(c.name, { timeout: 120_000 }, () => {
      const sc = small(c.o);
      const profile = resolveProfile(sc.kernel);
      for (const [k, v] of Object.entries(c.o.overrides ?? {})) expect(profile?.[k as keyof KernelProfile], k).toBe(v);
      const st = runChecked(sc);
      // 5 ms samples, 100 ms aggregations: every 20th sample aggregates. A 5 ms sleep at HZ 1000
      // ends at the sixth tick boundary after it began (damon/usleep.ts), so a sample takes at
      // least 6 ms: at most 1000/6 per second; the kdamond's own work (sampling cost, migrations)
      // stretches some.
      expect(st.steps).toBeGreaterThan(c.o.seconds * 150);
      expect(st.steps).toBeLessThanOrEqual(Math.ceil((c.o.seconds * 1000) / 6));
      expect(st.aggregations).toBe(Math.floor(st.steps / 20));
      expect(st.splitsObserved).toBeGreaterThan(0);
      expect(st.maxAfterMerge).toBeLessThanOrEqual(1000);
      // The runs did what the checks are about: memory moved, and windows filled to their quota.
      expect(st.migrated).toBeGreaterThanOrEqual(16 * MiB);
      expect(st.migrated % 4096).toBe(0);
      for (const ws of st.windows) {
        // A window ends at the first apply pass (every aggregation, ~120 ms plus the kdamond's own
        // time) at or after charged_from + 1000 jiffies (HZ 1000; damos.md §4.2).
        const lengths = ws.slice(1).map((w, i) => w.from - ws[i].from);
        expect(Math.min(...lengths)).toBeGreaterThanOrEqual(1000);
        expect(Math.max(...lengths)).toBeLessThan(1200);
        expect(ws.length).toBeGreaterThanOrEqual(Math.floor(c.o.seconds / 1.2));
        expect(ws.length).toBeLessThanOrEqual(c.o.seconds);
        for (const w of ws) expect(w.esz).toBeLessThanOrEqual(8n * BigInt(MiB));
      }
      const full = st.windows[0].filter((w) => w.full && w.esz === 8n * BigInt(MiB));
      expect(full.length, 'PULL windows that used the whole 8 MiB quota').toBeGreaterThan(0);
      for (const w of full) expect(w.maxCharged).toBeGreaterThan(8 * MiB - 4096);
    });
  }
});

describe('determinism', () => {
  function lines(sc: Scenario): string[] {
    const out: string[] = [];
    runScenario(sc, { write: (l) => out.push(l) });
    return out;
  }

  it('the same scenario and seed give byte-identical NDJSON; another seed does not', { timeout: 120_000 }, () => {
    const a = lines(small({ tuner: 'temporal', seconds: 20 }));
    const b = lines(small({ tuner: 'temporal', seconds: 20 }));
    expect(a.length).toBeGreaterThan(200); // header, 200 aggregations, 2 × 20 goal evaluations, summary
    expect(JSON.parse(a[0])).toMatchObject({ type: 'header', seed: 42 });
    expect(JSON.parse(a[a.length - 1])).toMatchObject({ type: 'summary' });
    expect(b).toEqual(a);
    const c = lines(small({ tuner: 'temporal', seconds: 20, seed: 43 }));
    expect(JSON.parse(c[0])).toMatchObject({ type: 'header', seed: 43 });
    // Everything after the header depends on the seed's draws.
    const differing = c.slice(1).filter((l, i) => l !== a[i + 1]).length;
    expect(differing).toBeGreaterThan(10);
  });

  it('is deterministic with THP and the CONSIST tuner too', { timeout: 120_000 }, () => {
    const a = lines(small({ tuner: 'consist', thp: true, seconds: 20, seed: 7 }));
    const b = lines(small({ tuner: 'consist', thp: true, seconds: 20, seed: 7 }));
    expect(b).toEqual(a);
  });
});
