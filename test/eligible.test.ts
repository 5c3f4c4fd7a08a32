// SPDX-License-Identifier: GPL-2.0-only
/**
 * node_eligible_mem_bp against ground truth (damos.md §5.2).
 *
 * The paddr operations set computes the metric's folio walk from extents (runs of frames), not page
 * by page, so an off-by-one at an extent, folio, hole or region edge would silently skew the quota
 * goal that drives the whole tiering loop. These tests build random tiered machines (2-3 nodes,
 * optional holes between them, reserved non-LRU memory, several owners with 4 KiB and 2 MiB folios,
 * memory freed again by migration) and random DAMON regions whose edges fall anywhere on a 4 KiB
 * grid — inside 2 MiB folios, inside holes, past the end of memory — and compare:
 *
 *  - PaddrOps.addEligibleBytes() per region and node with a brute force that asks
 *    Machine.lruExtentAt() about every 4 KiB page of the region (damon_get_folio() per page);
 *  - the same with a reference of the kernel's folio walk as the spec writes it (null folio ⇒
 *    PAGE_ALIGN_DOWN(addr + PAGE_SIZE); folio ⇒ exact overlap, addr = folio end; a 2 MiB folio is the
 *    2 MiB-aligned block around the page), including the number of folio lookups it makes (the walk's
 *    simulated cost);
 *  - the whole metric nodeEligibleMemBp() with mult_frac(on_node, 10000, total) over the regions
 *    that match the scheme's access pattern (size, nr_accesses_bp / 10000, age), and its zero cases:
 *    empty eligible set, invalid nid, non-paddr operations.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { defaultAttrs } from '../src/damon/attrs.js';
import { DamonCtx } from '../src/damon/ctx.js';
import { DamonRegion, DamonTarget, splitRegionAt } from '../src/damon/region.js';
import { SplitState } from '../src/damon/split.js';
import { EligibleMemo, nodeEligibleMemBp } from '../src/damos/goals.js';
import { Damos, DamosQuota, type DamosAccessPattern } from '../src/damos/scheme.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';
import { HPAGE_PMD_SIZE, PAGE_SIZE, ULONG_MAX } from '../src/lib/kint.js';
import { Prng } from '../src/lib/prng.js';
import { ExtKind } from '../src/machine/extents.js';
import { MachineMm } from '../src/machine/kernel-mm.js';
import { Machine } from '../src/machine/machine.js';
import { dramCxlMachine } from './helpers/machine.js';
import { eligibleOf } from './helpers/eligible.js';
import { YoungModel, type AccessRates } from '../src/machine/young.js';
import type { DamonOperations, EligibleSums } from '../src/ops/operations.js';
import { PaddrCheckCache, PaddrOps } from '../src/ops/paddr.js';
import { findProfile } from '../src/profiles.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const G = 4 * GiB; // physical base of node 0 in the hand-built machine

// ---------------------------------------------------------------------------------------------
// Wiring, as src/run/simulation.ts does it

/** The eligible-bytes walk never asks the young model; it gets a workload without accesses. */
const noAccesses: AccessRates = { ratesEpoch: () => 0, rateRuns: () => undefined };

function paddrOps(machine: Machine): PaddrOps {
  return new PaddrOps({ machine, young: new YoungModel(machine, noAccesses), rng: new Prng(1, 'sample'), mode: 'region', cache: new PaddrCheckCache() });
}

function newCtx(machine: Machine, ops: DamonOperations): DamonCtx {
  const profile = findProfile('b0');
  if (!profile) throw new Error('no b0 profile');
  return new DamonCtx(
    {
      ops,
      mm: new MachineMm(machine, [{ id: 0, path: '/' }]),
      profile,
      rng: new Prng(1, 'split'),
      splitState: new SplitState(),
      clock: { now: 0, hz: 1000 },
    },
    defaultAttrs(),
  );
}

/** An operations set that is not paddr but would answer the eligible-bytes walk like paddr does. */
function vaddrLike(paddr: PaddrOps): DamonOperations {
  return {
    id: 'vaddr',
    prepareAccessChecks: () => undefined,
    checkAccesses: () => 0,
    applyScheme: () => ({ applied: 0, szOpsFilterPassed: 0, costNs: 0 }),
    addEligibleBytes: (c, r, sums) => paddr.addEligibleBytes(c, r, sums),
  };
}

function region(start: number, end: number, nr = 0, age = 0, residualBp = 0): DamonRegion {
  const r = new DamonRegion(start, end);
  r.nrAccesses = nr;
  r.nrAccessesBp = nr * 10000 + residualBp;
  r.age = age;
  return r;
}

function scheme(p: Partial<DamosAccessPattern>): Damos {
  const pattern: DamosAccessPattern = {
    minSzRegion: 0n,
    maxSzRegion: ULONG_MAX,
    minNrAccesses: 0,
    maxNrAccesses: 0xffff_ffff,
    minAgeRegion: 0,
    maxAgeRegion: 0xffff_ffff,
    ...p,
  };
  return new Damos(pattern, 'migrate_hot', 0, new DamosQuota(), { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true }, 0);
}

// ---------------------------------------------------------------------------------------------
// References

interface Count {
  total: number;
  perNode: number[];
}

/** Brute force: every 4 KiB page of [a, b) that damon_get_folio() finds (an LRU frame) counts 4 KiB. */
function bruteForce(m: Machine, a: number, b: number): Count {
  const c: Count = { total: 0, perNode: m.nodes.map(() => 0) };
  for (let p = a; p < b; p += PAGE_SIZE) {
    const e = m.lruExtentAt(p);
    if (!e) continue;
    c.total += PAGE_SIZE;
    c.perNode[e.node] += PAGE_SIZE;
  }
  return c;
}

/** The folio holding addr as the kernel sees it: a 2 MiB folio is the aligned 2 MiB block around the page. */
function folioAt(m: Machine, addr: number): { start: number; end: number; nid: number } | null {
  const e = m.lruExtentAt(addr);
  if (!e) return null;
  const start = addr - (addr % e.folioSize);
  return { start, end: start + e.folioSize, nid: e.node };
}

/** damos.md §5.2, the walk of one region (v8+ page-aligned stepping, v9.2 wrap guard). */
function kernelWalk(m: Machine, a: number, e: number, nid: number): { onNode: number; total: number; lookups: number } {
  let onNode = 0;
  let total = 0;
  let lookups = 0;
  let addr = a;
  while (addr < e) {
    lookups++;
    const f = folioAt(m, addr);
    if (!f) {
      addr = addr + PAGE_SIZE - ((addr + PAGE_SIZE) % PAGE_SIZE);
      if (addr === 0) break;
      continue;
    }
    const ov = Math.min(e, f.end) - Math.max(addr, f.start);
    if (ov > 0) {
      total += ov;
      if (f.nid === nid) onNode += ov;
    }
    addr = f.end;
  }
  return { onNode, total, lookups };
}

/** __damos_valid_target's access-pattern test (damos.md §1.3) with B0's nr_accesses_bp / 10000. */
function matches(r: DamonRegion, s: Damos): boolean {
  const p = s.pattern;
  const sz = BigInt(r.end - r.start);
  const n = Math.floor(r.nrAccessesBp / 10000);
  return p.minSzRegion <= sz && sz <= p.maxSzRegion && p.minNrAccesses <= n && n <= p.maxNrAccesses && p.minAgeRegion <= r.age && r.age <= p.maxAgeRegion;
}

/** mult_frac(on, 10000, total), exact (no intermediate overflow at these sizes); 0 for an empty set. */
function expectedBp(onNode: number, total: number): bigint {
  return total === 0 ? 0n : (BigInt(onNode) * 10000n) / BigInt(total);
}

/**
 * Machine sanity the references rely on: every LRU frame of a 2 MiB folio sits in a 2 MiB-aligned
 * block whose every page is an LRU 2 MiB-folio frame of the same node and owner.
 */
function checkFolioIntegrity(m: Machine): void {
  for (const e of m.mem.toArray()) {
    if (e.kind !== ExtKind.Lru || e.folioSize !== HPAGE_PMD_SIZE) continue;
    for (let f = e.start - (e.start % HPAGE_PMD_SIZE); f < e.end; f += HPAGE_PMD_SIZE) {
      for (let p = f; p < f + HPAGE_PMD_SIZE; p += PAGE_SIZE) {
        const x = m.lruExtentAt(p);
        if (!x || x.folioSize !== HPAGE_PMD_SIZE || x.node !== e.node || x.owner !== e.owner) {
          throw new Error(`2 MiB folio at ${f.toString(16)} is broken at page ${p.toString(16)}`);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A hand-built machine with every number derived by hand

/**
 * node 0 [G, G+8M): [G, G+64K) reserved (non-LRU); [G+64K, G+1M+64K) owner 2, 4 KiB folios;
 *                   free to G+2M; [G+2M, G+4M) owner 1, one 2 MiB folio; free [G+4M, G+8M)
 *                   (owner 1's second THP [G+4M, G+6M) was migrated to node 1).
 * hole [G+8M, G+10M).
 * node 1 [G+10M, G+18M): [G+10M, G+12M) owner 3, a 2 MiB folio; [G+12M, G+13M) owner 3, 4 KiB
 *                   folios; free to G+14M; [G+14M, G+16M) owner 1's migrated 2 MiB folio; free to G+18M.
 */
function handMachine(): Machine {
  const m = dramCxlMachine({ dram: 8 * MiB, cxl: 8 * MiB, base: G, hole: 2 * MiB, reserved0: 64 * KiB });
  const alloc = (owner: number, vstart: number, bytes: number, thp: boolean, nodes: number[]) =>
    expect(m.allocate({ owner, vstart, bytes, anon: true, mapped: true, memcg: 0, thp, nodes, now: 0 })).toBe(0);
  alloc(1, 1 * GiB, 4 * MiB, true, [0]);
  alloc(2, 3 * GiB + 12 * KiB, 1 * MiB, false, [0]);
  alloc(3, 2 * GiB, 3 * MiB, true, [1]);
  const res = m.migrateRange(G + 4 * MiB, G + 6 * MiB, 1);
  expect(res).toMatchObject({ migrated: 2 * MiB, folios: 1 });
  return m;
}

describe('node_eligible_mem_bp on a hand-built machine', () => {
  const m = handMachine();
  const ops = paddrOps(m);
  const ctx = newCtx(m, ops);

  it('has the layout the expected numbers were derived from', () => {
    const lay = m.mem.toArray().map((e) => [e.start - G, e.end - G, e.node, e.kind, e.kind === ExtKind.Lru ? e.folioSize : 0, e.owner]);
    expect(lay).toEqual([
      [0, 64 * KiB, 0, ExtKind.NonLru, 0, -1],
      [64 * KiB, 1 * MiB + 64 * KiB, 0, ExtKind.Lru, 4 * KiB, 2],
      [1 * MiB + 64 * KiB, 2 * MiB, 0, ExtKind.Free, 0, -1],
      [2 * MiB, 4 * MiB, 0, ExtKind.Lru, 2 * MiB, 1],
      [4 * MiB, 8 * MiB, 0, ExtKind.Free, 0, -1],
      [10 * MiB, 12 * MiB, 1, ExtKind.Lru, 2 * MiB, 3],
      [12 * MiB, 13 * MiB, 1, ExtKind.Lru, 4 * KiB, 3],
      [13 * MiB, 14 * MiB, 1, ExtKind.Free, 0, -1],
      [14 * MiB, 16 * MiB, 1, ExtKind.Lru, 2 * MiB, 1],
      [16 * MiB, 18 * MiB, 1, ExtKind.Free, 0, -1],
    ]);
    checkFolioIntegrity(m);
  });

  // [start, end) relative to G, eligible bytes on node 0 / node 1, folio lookups of the kernel walk.
  const cases: Array<{ name: string; a: number; b: number; n0: number; n1: number; lookups: number }> = [
    // 64 KiB of owner 2's base pages + the first half of the 2 MiB folio; 16 + 240 + 1 lookups.
    { name: '4 KiB folios, free pages, into a 2 MiB folio', a: 1 * MiB, b: 3 * MiB, n0: 64 * KiB + 1 * MiB, n1: 0, lookups: 257 },
    // Second half of node 0's folio, 4 MiB free, 2 MiB hole, first half of node 1's folio.
    { name: 'from inside a 2 MiB folio across free memory and the hole into node 1', a: 3 * MiB, b: 11 * MiB, n0: 1 * MiB, n1: 1 * MiB, lookups: 1 + 1024 + 512 + 1 },
    // The migrated folio's second half; free to the end of node 1; 2 MiB beyond memory.
    { name: 'past the end of physical memory', a: 15 * MiB, b: 20 * MiB, n0: 0, n1: 1 * MiB, lookups: 1 + 512 + 512 },
    { name: 'three base pages', a: 12 * MiB + 8 * KiB, b: 12 * MiB + 20 * KiB, n0: 0, n1: 12 * KiB, lookups: 3 },
    { name: 'only reserved and free memory', a: 0, b: 64 * KiB, n0: 0, n1: 0, lookups: 16 },
    { name: 'one page inside a 2 MiB folio', a: 2 * MiB + 404 * KiB, b: 2 * MiB + 408 * KiB, n0: 4 * KiB, n1: 0, lookups: 1 },
  ];

  for (const c of cases) {
    it(`addEligibleBytes: ${c.name}`, () => {
      const r = region(G + c.a, G + c.b);
      for (const [nid, on] of [
        [0, c.n0],
        [1, c.n1],
      ]) {
        const got = eligibleOf(ops, ctx, r, nid);
        expect({ onNode: got.onNode, total: got.total }).toEqual({ onNode: on, total: c.n0 + c.n1 });
        expect(got.lookups).toBe(c.lookups);
        expect(got.costNs).toBe(c.lookups * m.costs.walkNsPerFolio);
        expect(kernelWalk(m, G + c.a, G + c.b, nid)).toEqual({ onNode: on, total: c.n0 + c.n1, lookups: c.lookups });
      }
      const bf = bruteForce(m, G + c.a, G + c.b);
      expect(bf).toEqual({ total: c.n0 + c.n1, perNode: [c.n0, c.n1] });
    });
  }

  it('the metric: share of pattern-matching memory on the node, mult_frac-truncated', () => {
    const t = new DamonTarget(null);
    t.regions = [
      region(G + 1 * MiB, G + 3 * MiB, 5),
      region(G + 3 * MiB, G + 11 * MiB, 3, 2, 9999), // bp 39999: nr 3 for matching
      region(G + 12 * MiB + 8 * KiB, G + 12 * MiB + 20 * KiB, 0, 0, 9999), // bp 9999: nr 0, no match
      region(G + 15 * MiB, G + 20 * MiB, 1),
    ];
    ctx.targets = [t];
    const s = scheme({ minNrAccesses: 1 });
    // Matching: 1M+64K (n0) + 1M (n0) + 1M (n1) + 1M (n1); the 12 KiB on node 1 does not match.
    const total = 64 * KiB + 4 * MiB;
    const n0 = nodeEligibleMemBp(ctx, s, 0);
    expect({ onNode: n0.onNode, total: n0.total, bp: n0.bp }).toEqual({ onNode: 2 * MiB + 64 * KiB, total, bp: 5076n });
    const n1 = nodeEligibleMemBp(ctx, s, 1);
    expect({ onNode: n1.onNode, total: n1.total, bp: n1.bp }).toEqual({ onNode: 2 * MiB, total, bp: 4923n });
    // (2 MiB + 64 KiB) * 10000 / (4 MiB + 64 KiB) = 5076.9..., 2 MiB * 10000 / (4 MiB + 64 KiB) = 4923.0...
    expect(n0.costNs).toBe((257 + 1538 + 1025) * m.costs.walkNsPerFolio);

    // Age bound: only the age-2 region matches (1M on each node) ⇒ 5000.
    expect(nodeEligibleMemBp(ctx, scheme({ minNrAccesses: 1, minAgeRegion: 1 }), 0).bp).toBe(5000n);
    // Size bound: only regions of at most 2 MiB match ⇒ the first one, all on node 0 ⇒ 10000.
    expect(nodeEligibleMemBp(ctx, scheme({ minNrAccesses: 1, maxSzRegion: BigInt(2 * MiB) }), 0).bp).toBe(10000n);
    // nr_accesses upper bound 2: regions with bp/10000 = 1 only ⇒ [G+15M, G+20M), all on node 1.
    expect(nodeEligibleMemBp(ctx, scheme({ minNrAccesses: 1, maxNrAccesses: 2 }), 1).bp).toBe(10000n);
    expect(nodeEligibleMemBp(ctx, scheme({ minNrAccesses: 1, maxNrAccesses: 2 }), 0).bp).toBe(0n);
  });

  it('one walk serves equal patterns within a quota-adjustment loop, until a split changes the regions', () => {
    const t = new DamonTarget(null);
    // 12 KiB on node 0 and 2 MiB on node 1; a 8 KiB minimum size lets the 12 KiB region match
    // whole but not as the 4 KiB + 8 KiB pieces a split leaves.
    t.regions = [region(G + 512 * KiB, G + 524 * KiB, 1), region(G + 14 * MiB, G + 16 * MiB, 1)];
    ctx.targets = [t];
    const pull = scheme({ minNrAccesses: 1, minSzRegion: BigInt(8 * KiB) });
    const push = scheme({ minNrAccesses: 1, minSzRegion: BigInt(8 * KiB) });
    const other = scheme({ minNrAccesses: 1 });
    const fresh = [nodeEligibleMemBp(ctx, pull, 0), nodeEligibleMemBp(ctx, push, 1), nodeEligibleMemBp(ctx, other, 0)];
    const add = vi.spyOn(ops, 'addEligibleBytes');
    ctx.eligibleMemo = new EligibleMemo();
    try {
      const memo = [nodeEligibleMemBp(ctx, pull, 0), nodeEligibleMemBp(ctx, push, 1), nodeEligibleMemBp(ctx, other, 0)];
      expect(memo).toEqual(fresh);
      expect(fresh[0]).toMatchObject({ onNode: 12 * KiB, total: 12 * KiB + 2 * MiB });
      expect(fresh[1]).toMatchObject({ onNode: 2 * MiB, total: 12 * KiB + 2 * MiB });
      // pull walked both regions; push reused it (same pattern, other object); other walked again.
      expect(add).toHaveBeenCalledTimes(4);
      // Each goal is still charged its own walk's simulated time, as the kernel walks twice.
      expect(memo[1].costNs).toBe(memo[0].costNs);
      expect(memo[0].costNs).toBeGreaterThan(0);
      // A split (a core addr filter's boundary inside a region) invalidates: the 4 KiB piece no
      // longer matches, so node 0 holds 8 KiB of the eligible memory instead of 12 KiB.
      splitRegionAt(t, 0, 4 * KiB);
      const after = nodeEligibleMemBp(ctx, push, 0);
      expect(add).toHaveBeenCalledTimes(6); // the two pieces that still match
      expect(after.onNode).toBe(8 * KiB);
      expect(after.total).toBe(8 * KiB + 2 * MiB);
    } finally {
      ctx.eligibleMemo = null;
      add.mockRestore();
    }
  });

  it('is 0 for an empty eligible set, an invalid nid, and non-paddr operations', () => {
    const t = new DamonTarget(null);
    t.regions = [region(G + 1 * MiB, G + 3 * MiB, 5), region(G + 15 * MiB, G + 20 * MiB, 1)];
    ctx.targets = [t];
    const s = scheme({ minNrAccesses: 1 });
    expect(nodeEligibleMemBp(ctx, s, 0).bp).toBe(5151n); // (1M+64K) * 10000 / (2M+64K): the baseline is non-zero
    // Nothing matches the pattern.
    expect(nodeEligibleMemBp(ctx, scheme({ minNrAccesses: 6 }), 0)).toMatchObject({ bp: 0n, total: 0 });
    // Matching regions that hold no LRU memory (reserved, free, hole, beyond the end).
    const t2 = new DamonTarget(null);
    t2.regions = [region(G, G + 64 * KiB, 5), region(G + 5 * MiB, G + 10 * MiB, 5), region(G + 18 * MiB, G + 30 * MiB, 5)];
    ctx.targets = [t2];
    expect(nodeEligibleMemBp(ctx, s, 0)).toMatchObject({ bp: 0n, total: 0 });
    expect(nodeEligibleMemBp(ctx, s, 1)).toMatchObject({ bp: 0n, total: 0 });
    // Invalid nids: negative, a node the machine lacks, MAX_NUMNODES.
    ctx.targets = [t];
    for (const nid of [-1, 2, 1023, 1024]) expect(nodeEligibleMemBp(ctx, s, nid).bp).toBe(0n);
    // Non-paddr operations read 0 even though their walk would find memory.
    const v = newCtx(m, vaddrLike(ops));
    v.targets = [t];
    const sums = { byNode: [] as number[], total: 0, lookups: 0, costNs: 0 };
    v.ops.addEligibleBytes?.(v, t.regions[0], sums);
    expect(sums.byNode[0]).toBe(64 * KiB + 1 * MiB);
    expect(nodeEligibleMemBp(v, s, 0)).toMatchObject({ bp: 0n, onNode: 0, total: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// Random machines

type Op =
  | { kind: 'alloc'; pages: number; thp: boolean; vOffPages: number; nodeOrder: number[] }
  | { kind: 'migrate'; at: number; pages: number; target: number };

interface Recipe {
  baseMiB: number;
  holeMiB: number;
  nodes: Array<{ capMiB: number; reservedPages: number }>;
  ops: Op[];
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('alloc' as const),
      pages: fc.integer({ min: 1, max: 6000 }),
      thp: fc.boolean(),
      vOffPages: fc.nat({ max: 511 }),
      nodeOrder: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 3 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('migrate' as const),
      at: fc.nat({ max: 1_000_000 }),
      pages: fc.integer({ min: 1, max: 3000 }),
      target: fc.nat({ max: 2 }),
    }),
    weight: 2,
  },
);

const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  baseMiB: fc.constantFrom(2, 4096),
  holeMiB: fc.constantFrom(0, 0, 2, 6),
  nodes: fc.array(fc.record({ capMiB: fc.integer({ min: 4, max: 32 }).map((x) => 2 * x), reservedPages: fc.nat({ max: 100 }) }), { minLength: 2, maxLength: 3 }),
  ops: fc.array(opArb, { minLength: 1, maxLength: 12 }),
});

/** The start of the 2 MiB folio holding x, if x is inside one, else x: migration takes whole folios. */
function snapToFolio(m: Machine, x: number): number {
  const e = m.lruExtentAt(x);
  return e && e.folioSize === HPAGE_PMD_SIZE ? x - (x % HPAGE_PMD_SIZE) : x;
}

function buildMachine(r: Recipe): Machine {
  const m = new Machine({
    base: r.baseMiB * MiB,
    holeBetweenNodes: r.holeMiB * MiB,
    nodes: r.nodes.map((n, i) => ({ capacity: n.capMiB * MiB, kind: i === 0 ? 'dram' : 'cxl', latencyNs: 100, reserved: n.reservedPages * PAGE_SIZE, watermark: 0 })),
  });
  const lo = m.nodes[0].start;
  const span = m.nodes[m.nodes.length - 1].end - lo;
  r.ops.forEach((op, owner) => {
    if (op.kind === 'alloc') {
      const nodes = [...new Set(op.nodeOrder.map((n) => n % m.nodes.length))];
      // THP needs a 2 MiB-aligned virtual start; base-page owners start anywhere on the 4 KiB grid.
      const vstart = (owner + 1) * GiB + (op.thp ? 0 : op.vOffPages * PAGE_SIZE);
      m.allocate({ owner, vstart, bytes: op.pages * PAGE_SIZE, anon: owner % 2 === 0, mapped: true, memcg: 0, thp: op.thp, nodes, now: owner });
    } else {
      const s = snapToFolio(m, lo + (op.at % (span / PAGE_SIZE)) * PAGE_SIZE);
      const e = snapToFolio(m, Math.min(lo + span, s + op.pages * PAGE_SIZE));
      if (e > s) m.migrateRange(s, e, op.target % m.nodes.length);
    }
  });
  return m;
}

type PointKind = 'any' | 'folio' | 'hole';
interface RegionRecipe {
  points: Array<{ kind: PointKind; a: number; b: number; gapAfter: boolean; nr: number; residual: number; age: number }>;
  targetCut: number;
  pattern: { minNr: number; widthNr: number; minAge: number; widthAge: number; maxSzPages: number | null };
}

const regionRecipeArb: fc.Arbitrary<RegionRecipe> = fc.record({
  points: fc.array(
    fc.record({
      kind: fc.constantFrom<PointKind>('any', 'folio', 'folio', 'hole'),
      a: fc.nat(),
      b: fc.nat({ max: 511 }),
      gapAfter: fc.nat({ max: 3 }).map((x) => x === 0),
      nr: fc.nat({ max: 6 }),
      residual: fc.constantFrom(0, 1, 9999),
      age: fc.nat({ max: 4 }),
    }),
    { minLength: 8, maxLength: 40 },
  ),
  targetCut: fc.nat(),
  pattern: fc.record({
    minNr: fc.nat({ max: 3 }),
    widthNr: fc.nat({ max: 4 }),
    minAge: fc.nat({ max: 2 }),
    widthAge: fc.constantFrom(0, 2, 100),
    maxSzPages: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: null }),
  }),
});

/** Page-aligned addresses of interest: 2 MiB folio interiors, and memory that has no LRU folio. */
function landmarks(m: Machine): { folios: number[]; holes: Array<[number, number]> } {
  const folios: number[] = [];
  const holes: Array<[number, number]> = [];
  for (const e of m.mem.toArray()) {
    if (e.kind === ExtKind.Lru && e.folioSize === HPAGE_PMD_SIZE) {
      for (let f = e.start - (e.start % HPAGE_PMD_SIZE); f < e.end; f += HPAGE_PMD_SIZE) if (folios[folios.length - 1] !== f) folios.push(f);
    } else if (e.kind !== ExtKind.Lru) {
      holes.push([e.start, e.end]);
    }
  }
  for (let i = 1; i < m.nodes.length; i++) if (m.nodes[i].start > m.nodes[i - 1].end) holes.push([m.nodes[i - 1].end, m.nodes[i].start]);
  return { folios, holes };
}

function buildTargets(m: Machine, rr: RegionRecipe): DamonTarget[] {
  const lm = landmarks(m);
  const lo = Math.max(0, m.nodes[0].start - 4 * MiB);
  const hi = m.nodes[m.nodes.length - 1].end + 4 * MiB;
  const addr = (p: RegionRecipe['points'][number]): number => {
    if (p.kind === 'folio' && lm.folios.length > 0) return lm.folios[p.a % lm.folios.length] + p.b * PAGE_SIZE;
    if (p.kind === 'hole' && lm.holes.length > 0) {
      const [s, e] = lm.holes[p.a % lm.holes.length];
      return s + (p.b % ((e - s) / PAGE_SIZE)) * PAGE_SIZE;
    }
    return lo + (p.a % ((hi - lo) / PAGE_SIZE)) * PAGE_SIZE;
  };
  const pts = rr.points.map((p) => ({ ...p, x: addr(p) })).sort((p, q) => p.x - q.x);
  const regions: DamonRegion[] = [];
  for (let i = 0; i + 1 < pts.length; i++) {
    if (pts[i].x === pts[i + 1].x || pts[i].gapAfter) continue;
    regions.push(region(pts[i].x, pts[i + 1].x, pts[i].nr, pts[i].age, pts[i].residual));
  }
  if (regions.length === 0) regions.push(region(pts[0].x, pts[0].x + PAGE_SIZE));
  const cut = rr.targetCut % (regions.length + 1);
  const t0 = new DamonTarget(null);
  const t1 = new DamonTarget(null);
  t0.regions = regions.slice(0, cut);
  t1.regions = regions.slice(cut);
  return [t0, t1];
}

function schemeOf(rr: RegionRecipe): Damos {
  const p = rr.pattern;
  return scheme({
    minNrAccesses: p.minNr,
    maxNrAccesses: p.minNr + p.widthNr,
    minAgeRegion: p.minAge,
    maxAgeRegion: p.minAge + p.widthAge,
    minSzRegion: BigInt(PAGE_SIZE),
    maxSzRegion: p.maxSzPages === null ? ULONG_MAX : BigInt(p.maxSzPages * PAGE_SIZE),
  });
}

describe('node_eligible_mem_bp on random machines and regions', () => {
  it('addEligibleBytes equals the per-page brute force and the kernel folio walk for every region and node', () => {
    let regionsChecked = 0;
    let folioEdges = 0;
    fc.assert(
      fc.property(recipeArb, regionRecipeArb, (recipe, rr) => {
        const m = buildMachine(recipe);
        checkFolioIntegrity(m);
        const ops = paddrOps(m);
        const ctx = newCtx(m, ops);
        for (const t of buildTargets(m, rr)) {
          for (const r of t.regions) {
            const bf = bruteForce(m, r.start, r.end);
            regionsChecked++;
            const f = m.lruExtentAt(r.start);
            if (f && f.folioSize === HPAGE_PMD_SIZE && r.start % HPAGE_PMD_SIZE !== 0) folioEdges++;
            for (let nid = -1; nid <= m.nodes.length; nid++) {
              const got = eligibleOf(ops, ctx, r, nid);
              const on = nid >= 0 && nid < m.nodes.length ? bf.perNode[nid] : 0;
              expect({ onNode: got.onNode, total: got.total }).toEqual({ onNode: on, total: bf.total });
              const k = kernelWalk(m, r.start, r.end, nid);
              expect(k).toMatchObject({ onNode: on, total: bf.total });
              expect(got.lookups).toBe(k.lookups);
            }
          }
        }
      }),
      { numRuns: 300, seed: 0x5eed },
    );
    // The generator really exercised the interesting edges.
    expect(regionsChecked).toBeGreaterThan(2500);
    expect(folioEdges).toBeGreaterThan(800);
  });

  it('addEligibleRegions gives the sums of addEligibleBytes region by region, neighbours walked as one where that adds up', () => {
    let joined = 0;
    fc.assert(
      fc.property(recipeArb, regionRecipeArb, fc.nat({ max: 4 }), fc.nat({ max: 4095 }), fc.boolean(), fc.boolean(), fc.boolean(), (recipe, rr, every, jitter, wholeNs, thp, all) => {
        // Base pages only in half the runs: a 2 MiB folio anywhere makes every region walk alone.
        const m = buildMachine(thp ? recipe : { ...recipe, ops: recipe.ops.map((op) => (op.kind === 'alloc' ? { ...op, thp: false } : op)) });
        // A cost per lookup that is not a whole ns: the sums must come region by region.
        if (!wholeNs) m.costs.walkNsPerFolio = 37.3;
        const ops = paddrOps(m);
        const ctx = newCtx(m, ops);
        const targets = buildTargets(m, rr);
        // Some bounds off the page grid (a neighbour that ended there moves with it).
        targets.forEach((t) =>
          t.regions.forEach((r, i) => {
            if (every === 0 || i % (every + 1) !== 0 || r.start + jitter >= r.end) return;
            const p = t.regions[i - 1];
            if (p && p.end === r.start) p.end += jitter;
            r.start += jitter;
          }),
        );
        // Every region in some runs: long stretches of neighbours.
        const s = all ? scheme({}) : schemeOf(rr);
        const accepts = (r: DamonRegion) => matches(r, s);
        const one: EligibleSums = { byNode: [], total: 0, lookups: 0, costNs: 0, hint: 0 };
        const joint: EligibleSums = { byNode: [], total: 0, lookups: 0, costNs: 0, hint: 0 };
        for (const t of targets) {
          for (const r of t.regions) if (accepts(r)) ops.addEligibleBytes(ctx, r, one);
          ops.addEligibleRegions(ctx, t.regions, accepts, joint);
          const large = m.mem.toArray().some((e) => e.kind === ExtKind.Lru && e.folioSize === HPAGE_PMD_SIZE);
          t.regions.forEach((r, i) => {
            const p = t.regions[i - 1];
            if (wholeNs && !large && p && p.end === r.start && r.start % PAGE_SIZE === 0 && accepts(p) && accepts(r)) joined++;
          });
        }
        const nodes = (x: EligibleSums) => m.nodes.map((n) => x.byNode[n.nid] ?? 0);
        expect({ byNode: nodes(joint), total: joint.total, lookups: joint.lookups, costNs: joint.costNs }).toEqual({ byNode: nodes(one), total: one.total, lookups: one.lookups, costNs: one.costNs });
      }),
      { numRuns: 300, seed: 0x10e5 },
    );
    // Neighbours were walked as one often enough to matter.
    expect(joined).toBeGreaterThan(150);
  });

  it('nodeEligibleMemBp equals mult_frac(on_node, 10000, total) over the pattern-matching regions', () => {
    let nonTrivial = 0;
    fc.assert(
      fc.property(recipeArb, regionRecipeArb, (recipe, rr) => {
        const m = buildMachine(recipe);
        const ctx = newCtx(m, paddrOps(m));
        ctx.targets = buildTargets(m, rr);
        const s = schemeOf(rr);
        const sum: Count = { total: 0, perNode: m.nodes.map(() => 0) };
        let matched = 0;
        let unmatched = 0;
        for (const t of ctx.targets) {
          for (const r of t.regions) {
            if (!matches(r, s)) {
              unmatched++;
              continue;
            }
            matched++;
            const bf = bruteForce(m, r.start, r.end);
            sum.total += bf.total;
            bf.perNode.forEach((b, i) => (sum.perNode[i] += b));
          }
        }
        if (matched > 0 && unmatched > 0 && sum.total > 0) nonTrivial++;
        for (let nid = 0; nid < m.nodes.length; nid++) {
          const got = nodeEligibleMemBp(ctx, s, nid);
          expect({ bp: got.bp, onNode: got.onNode, total: got.total }).toEqual({
            bp: expectedBp(sum.perNode[nid], sum.total),
            onNode: sum.total === 0 ? 0 : sum.perNode[nid],
            total: sum.total,
          });
        }
        for (const nid of [-1, m.nodes.length, 1024]) expect(nodeEligibleMemBp(ctx, s, nid).bp).toBe(0n);
        const v = newCtx(m, vaddrLike(paddrOps(m)));
        v.targets = ctx.targets;
        expect(nodeEligibleMemBp(v, s, 0).bp).toBe(0n);
      }),
      { numRuns: 300, seed: 0xe11 },
    );
    // Many runs had both matching and non-matching regions and some eligible memory.
    expect(nonTrivial).toBeGreaterThan(100);
  });
});

describe('a THP split by a migration that then moves nothing', () => {
  it('changes the layout epoch, so folio walks and the young map are not served stale', () => {
    // Node 1 is full: the 2 MiB folio cannot move, is split to base pages, and still cannot move.
    const m = dramCxlMachine({ dram: 4 * MiB, cxl: 2 * MiB, base: G });
    expect(m.allocate({ owner: 1, vstart: 2 * GiB, bytes: 2 * MiB, anon: true, mapped: true, memcg: 0, thp: true, nodes: [0], now: 0 })).toBe(0);
    expect(m.allocate({ owner: 2, vstart: 4 * GiB, bytes: 2 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [1], now: 0 })).toBe(0);
    const ops = paddrOps(m);
    const ctx = newCtx(m, ops);
    const r = new DamonRegion(G, G + 2 * MiB);
    expect(eligibleOf(ops, ctx, r, 0).lookups).toBe(1);
    const epoch = m.layoutEpoch;
    expect(m.migrateRange(G, G + 2 * MiB, 1)).toEqual({ migrated: 0, folios: 0, costNs: 0 });
    expect(m.lruExtentAt(G)?.folioSize).toBe(PAGE_SIZE);
    expect(m.layoutEpoch).toBeGreaterThan(epoch);
    expect(eligibleOf(ops, ctx, r, 0)).toMatchObject({ onNode: 2 * MiB, total: 2 * MiB, lookups: 512 });
  });
});

describe('the goal records carry the eligible bytes behind each node_eligible_mem_bp value', () => {
  it('current_value is mult_frac(eligible_node_bytes, 10000, eligible_bytes) at every evaluation (a researcher review)', () => {
    const doc = tiering6040('temporal');
    doc.duration = 40;
    const { goals } = runScenario(scenarioFromDoc(doc).scenario);
    expect(goals.length).toBeGreaterThan(70);
    for (const g of goals) {
      const node = g.eligible_node_bytes!;
      const all = g.eligible_bytes!;
      expect(node).toBeLessThanOrEqual(all);
      expect(g.current_value).toBe(all === 0 ? 0n : (BigInt(node) * 10000n) / BigInt(all));
    }
    // PULL and PUSH read the same walk (one pattern): their eligible totals agree window by window.
    // (PUSH's record follows PULL's by its walk's time, ~67 ms, in the same apply pass.)
    const pairs = goals.flatMap((g, i) => (g.scheme === 0 && goals[i + 1]?.scheme === 1 && goals[i + 1].t - g.t < 0.1 ? [[g.eligible_bytes, goals[i + 1].eligible_bytes]] : []));
    expect(pairs.length).toBeGreaterThanOrEqual(25);
    expect(pairs.filter(([a, b]) => a !== b)).toEqual([]);
    // The hot set is 6 GiB: what the walk finds eligible is about that (cold memory with an access counts too).
    const last = goals[goals.length - 1].eligible_bytes!;
    expect(last).toBeGreaterThan(5 * 2 ** 30);
    expect(last).toBeLessThan(9 * 2 ** 30);
  });
});
