// SPDX-License-Identifier: GPL-2.0-only
/**
 * Functions of the physical address derived from the extents and patched where memory moved
 * (machine/layout-map.ts) equal the ones built from every extent: the young map (machine/young.ts)
 * segment for segment, and the ground truth's hot bytes per node (workload/truth.ts) byte for byte.
 *
 * When memory moves under unchanged rates, YoungModel recomputes only the physical ranges the
 * machine logged (allocations, migrations with their destinations, THP splits, reclaim, pages
 * taken off the LRU) and copies the rest of the previous map. A range the log missed, a clip at a
 * range edge inside a 2 MiB folio or a hole, or a merge of equal neighbours done differently would
 * leave a map that differs from the built one: these tests drive random machines through random
 * sequences of those changes and compare both maps exactly after each, and check that the patch
 * path was the one taken.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HPAGE_PMD_SIZE, PAGE_SIZE } from '../src/lib/kint.js';
import { PatchedSegments, patchSegments } from '../src/machine/layout-map.js';
import { LruMap, type WalkCount } from '../src/machine/lru-map.js';
import { Machine } from '../src/machine/machine.js';
import { YoungModel, type AccessRates, type RateRuns } from '../src/machine/young.js';
import { RateSegments, Workload } from '../src/workload/model.js';
import { HotBytesTracker, hotBytesPerNode } from '../src/workload/truth.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

type Op =
  | { kind: 'alloc'; owner: number; mib: number; thp: boolean; node: number }
  | { kind: 'migrate'; at: number; mib: number; target: number }
  | { kind: 'evict'; at: number; mib: number }
  | { kind: 'isolate'; at: number; pages: number }
  | { kind: 'old' | 'active'; at: number; pages: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('alloc' as const), owner: fc.integer({ min: 0, max: 2 }), mib: fc.integer({ min: 1, max: 24 }), thp: fc.boolean(), node: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('migrate' as const), at: fc.integer({ min: 0, max: 63 }), mib: fc.integer({ min: 2, max: 16 }), target: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('evict' as const), at: fc.integer({ min: 0, max: 63 }), mib: fc.integer({ min: 2, max: 8 }) }),
  fc.record({ kind: fc.constant('isolate' as const), at: fc.integer({ min: 0, max: 63 }), pages: fc.integer({ min: 1, max: 600 }) }),
  // No map reads what these change, but they cut extents anywhere, inside 2 MiB folios too.
  fc.record({ kind: fc.constantFrom('old' as const, 'active' as const), at: fc.integer({ min: 0, max: 63 }), pages: fc.integer({ min: 1, max: 600 }) }),
);

/** Rate runs per owner: [start, end) virtual ranges (4 KiB grid) with accesses/s per page. */
const runsArb: fc.Arbitrary<RateRuns> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 1, max: 4000 }), fc.constantFrom(0.5, 3, 80, 900)), { maxLength: 6 })
  .map((xs) => {
    const starts: number[] = [];
    const ends: number[] = [];
    const rates: number[] = [];
    let pos = 0;
    for (const [gap, len, rate] of xs.sort((a, b) => a[0] - b[0])) {
      const s = Math.max(pos, gap * PAGE_SIZE);
      starts.push(s);
      ends.push(s + len * PAGE_SIZE);
      rates.push(rate);
      pos = s + len * PAGE_SIZE;
    }
    return { starts, ends, rates };
  });

function segmentsOf(m: ReturnType<YoungModel['get']>): { starts: number[]; probs: number[]; end: number } {
  const s = m.segments();
  return { starts: Array.from(s.starts.subarray(0, s.n)), probs: Array.from(s.probs.subarray(0, s.n)), end: m.end };
}

/** Apply a random layout change; vnext holds each owner's next free virtual address. */
function applyOp(machine: Machine, op: Op, vnext: number[]): void {
  const phys = (at: number) => machine.nodes[0].start + (at % 64) * 2 * MiB;
  switch (op.kind) {
    case 'alloc': {
      const bytes = op.mib * MiB - (op.thp ? 0 : 5 * PAGE_SIZE);
      const v = vnext[op.owner];
      machine.allocate({ owner: op.owner, vstart: v, bytes, anon: true, mapped: true, memcg: 0, thp: op.thp, nodes: [op.node, 1 - op.node], now: 0 });
      vnext[op.owner] = Math.ceil((v + bytes) / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE + (op.mib % 3) * PAGE_SIZE;
      break;
    }
    case 'migrate': {
      const a = op.at < 32 ? phys(op.at) : machine.nodes[1].start + (op.at - 32) * 2 * MiB;
      // Whole folios, as paddr hands them over (migrateRange() refuses a range that cuts a THP).
      const b = Math.min(a + op.mib * MiB, machine.nodes[1].end);
      const head = machine.lruExtentAt(a);
      const tail = machine.lruExtentAt(b - 1);
      machine.migrateRange(head ? Math.floor(a / head.folioSize) * head.folioSize : a, tail ? Math.ceil(b / tail.folioSize) * tail.folioSize : b, op.target);
      break;
    }
    case 'evict': {
      const a = phys(op.at);
      machine.evict(a, a + op.mib * MiB);
      break;
    }
    case 'isolate': {
      const a = phys(op.at) + PAGE_SIZE * 7;
      machine.isolateForever(a, a + op.pages * PAGE_SIZE);
      break;
    }
    case 'old':
    case 'active': {
      const a = (op.at % 2 ? machine.nodes[1].start : machine.nodes[0].start) + (op.at >> 1) * 2 * MiB + PAGE_SIZE * 3;
      if (op.kind === 'old') machine.markOld(a, a + op.pages * PAGE_SIZE, 1e6 * op.pages);
      else machine.setActive(a, a + op.pages * PAGE_SIZE, op.pages % 2 === 0);
      break;
    }
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('young map patching', () => {
  it('equals a fresh build after every layout change, without rebuilding', () => {
    fc.assert(
      fc.property(fc.array(runsArb, { minLength: 3, maxLength: 3 }), fc.boolean(), fc.boolean(), fc.array(opArb, { minLength: 1, maxLength: 40 }), (runs, hole, unaligned, ops) => {
        // Node edges off the 2 MiB grid put the ends of the (2 MiB-aligned) patched ranges in holes.
        const machine = new Machine({
          base: 4 * GiB + (unaligned ? 3 * PAGE_SIZE : 0),
          holeBetweenNodes: hole ? 6 * MiB + (unaligned ? 5 * PAGE_SIZE : 0) : 0,
          swap: 16 * MiB,
          nodes: [
            { capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: 2 * MiB + 3 * PAGE_SIZE, watermark: 0 },
            { capacity: 64 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
          ],
        });
        const rates: AccessRates = { ratesEpoch: () => 0, rateRuns: (owner) => runs[owner] };
        const model = new YoungModel(machine, rates);
        const dtNs = 6e6;
        model.get(dtNs, 0);
        const build = vi.spyOn(PatchedSegments.prototype as unknown as { build: () => unknown }, 'build');
        const vnext = [0, 0, 0];
        for (const op of ops) {
          applyOp(machine, op, vnext);
          const patched = segmentsOf(model.get(dtNs, 0));
          const built = segmentsOf(new YoungModel(machine, rates).get(dtNs, 0));
          expect(patched).toEqual(built);
        }
        // One build per fresh model above, none for the patched one.
        expect(build).toHaveBeenCalledTimes(ops.length);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('keeps the hole between nodes at probability 0 when a patched range reaches into it', () => {
    // Node edges off the 2 MiB grid: the patched ranges, widened to 2 MiB, run into the hole on
    // both sides of it, and the memory next to it is hot.
    const machine = new Machine({
      base: 4 * GiB + 3 * PAGE_SIZE,
      holeBetweenNodes: 6 * MiB + 5 * PAGE_SIZE,
      nodes: [
        { capacity: 16 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 },
        { capacity: 16 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
      ],
    });
    const runs: RateRuns = { starts: [0], ends: [GiB], rates: [100] };
    const rates: AccessRates = { ratesEpoch: () => 0, rateRuns: () => runs };
    const model = new YoungModel(machine, rates);
    const [n0, n1] = machine.nodes;
    machine.allocate({ owner: 0, vstart: 0, bytes: 16 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 });
    machine.allocate({ owner: 0, vstart: 16 * MiB, bytes: 8 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [1], now: 0 });
    const p = 1 - Math.exp(-100 * 0.006);
    const before = model.get(6e6, 0);
    expect([before.probAt(n0.end - 1), before.probAt(n0.end), before.probAt(n1.start - 1), before.probAt(n1.start)]).toEqual([p, 0, 0, p]);
    // Hot pages leave the end of node 0 (for node 1's free memory) and the start of node 1 (for
    // the frames just freed at node 0's end), then node 1's freed start fills again.
    machine.migrateRange(n0.end - 2 * MiB, n0.end, 1);
    machine.migrateRange(n1.start, n1.start + 2 * MiB, 0);
    machine.migrateRange(n0.start, n0.start + MiB, 1);
    expect([machine.lruExtentAt(n0.end - 1) !== null, machine.lruExtentAt(n1.start) !== null]).toEqual([true, true]);
    const patched = model.get(6e6, 0);
    expect(patched).not.toBe(before);
    expect(segmentsOf(patched)).toEqual(segmentsOf(new YoungModel(machine, rates).get(6e6, 0)));
    expect([patched.probAt(n0.end - 1), patched.probAt(n0.end), patched.probAt(n1.start - 1), patched.probAt(n1.start)]).toEqual([p, 0, 0, p]);
  });

  it('rebuilds when the rates change or the log no longer reaches back', () => {
    const machine = new Machine({
      base: 4 * GiB,
      holeBetweenNodes: 0,
      nodes: [
        { capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 },
        { capacity: 64 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
      ],
    });
    let epoch = 0;
    const runs: RateRuns = { starts: [0], ends: [64 * MiB], rates: [50] };
    const model = new YoungModel(machine, { ratesEpoch: () => epoch, rateRuns: () => runs });
    machine.allocate({ owner: 0, vstart: 0, bytes: 32 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 });
    model.get(6e6, 0);
    const build = vi.spyOn(PatchedSegments.prototype as unknown as { build: () => unknown }, 'build');
    machine.migrateRange(machine.nodes[0].start, machine.nodes[0].start + 4 * MiB, 1);
    model.get(6e6, 0);
    expect(build).toHaveBeenCalledTimes(0);
    epoch = 1;
    model.get(6e6, 0);
    expect(build).toHaveBeenCalledTimes(1);
    // 2^16 ranges are kept (a migration that moves nothing logs its range too): a model further
    // behind rebuilds.
    // Two pages that do not touch, in turn: a range that meets the last one unread widens it instead of taking a slot.
    const page = (i: number) => machine.nodes[1].start + (i % 2) * 2 * PAGE_SIZE;
    for (let i = 0; i < 2 ** 16 + 1; i++) machine.migrateRange(page(i), page(i) + PAGE_SIZE, 1);
    expect(machine.migrateRange(machine.nodes[0].start + 8 * MiB, machine.nodes[0].start + 9 * MiB, 1).migrated).toBe(MiB);
    model.get(6e6, 0);
    expect(build).toHaveBeenCalledTimes(2);
    // The log is a ring: past the wrap, a model up to date patches from the slots the positions
    // wrap to, and one exactly 2^16 ranges behind still patches.
    const segs = (m: YoungModel) => segmentsOf(m.get(6e6, 0));
    machine.migrateRange(machine.nodes[0].start + 12 * MiB, machine.nodes[0].start + 14 * MiB, 1);
    expect(segs(model)).toEqual(segs(new YoungModel(machine, { ratesEpoch: () => epoch, rateRuns: () => runs })));
    expect(build).toHaveBeenCalledTimes(3); // the fresh model's
    const pos = machine.layoutLogEnd;
    expect(machine.migrateRange(machine.nodes[0].start + 16 * MiB, machine.nodes[0].start + 17 * MiB, 1).migrated).toBe(MiB);
    while (machine.layoutLogEnd - pos < 2 ** 16) machine.migrateRange(machine.nodes[1].start, machine.nodes[1].start + PAGE_SIZE, 1);
    expect(segs(model)).toEqual(segs(new YoungModel(machine, { ratesEpoch: () => epoch, rateRuns: () => runs })));
    expect(build).toHaveBeenCalledTimes(4);
    // A position past the log's end (not one this machine handed out) asks for a rebuild.
    const old = { starts: [machine.nodes[0].start], values: [0], n: 1, end: machine.nodes[1].end };
    expect(patchSegments(machine, machine.layoutLogEnd + 5, PAGE_SIZE, old, () => {})).toBeNull();
    expect(patchSegments(machine, machine.layoutLogEnd, PAGE_SIZE, old, () => {})?.starts).toEqual(old.starts);
  });
});

describe('the layout log', () => {
  it('widens the last range with one that meets it until someone reads the log end, never after', () => {
    const G = 4 * GiB;
    const machine = new Machine({ base: G, holeBetweenNodes: 0, swap: 16 * MiB, nodes: [{ capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 }] });
    machine.allocate({ owner: 0, vstart: 0, bytes: 32 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 });
    const ranges = (pos: number) => {
      const out: Array<[number, number]> = [];
      machine.layoutChangesSince(pos, (a, b) => out.push([a, b]));
      return out;
    };
    const pos = machine.layoutLogEnd;
    // Two reclaims of touching ranges, unread in between: one widened range.
    machine.evict(G, G + MiB);
    machine.evict(G + MiB, G + 2 * MiB);
    expect(ranges(pos)).toEqual([[G, G + 2 * MiB]]);
    // Read, then a touching range: what was read stays as it was, the new range comes after it.
    const mid = machine.layoutLogEnd;
    machine.evict(G + 2 * MiB, G + 3 * MiB);
    expect(ranges(mid)).toEqual([[G + 2 * MiB, G + 3 * MiB]]);
    expect(ranges(pos)).toEqual([[G, G + 2 * MiB], [G + 2 * MiB, G + 3 * MiB]]);
    // A range that does not touch the last one takes a slot of its own.
    machine.evict(G + 5 * MiB, G + 6 * MiB);
    expect(ranges(mid)).toEqual([[G + 2 * MiB, G + 3 * MiB], [G + 5 * MiB, G + 6 * MiB]]);
  });
});

describe('hot bytes per node', () => {
  it('equals the walk over every extent after every layout change and phase change', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 1, max: 3000 })), { maxLength: 3 }), { minLength: 2, maxLength: 2 }),
        fc.array(fc.tuple(opArb, fc.boolean()), { minLength: 1, maxLength: 40 }),
        (hotSets, ops) => {
          const machine = new Machine({
            base: 4 * GiB + 3 * PAGE_SIZE,
            holeBetweenNodes: 6 * MiB,
            swap: 16 * MiB,
            nodes: [
              { capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: MiB, watermark: 0 },
              { capacity: 64 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
            ],
          });
          // Two phases (the second from t = 1 s) with each its own disjoint hot ranges per owner.
          const phase = (k: number) => {
            const hot = new Map<number, Array<[number, number]>>();
            for (let owner = 0; owner < 3; owner++) {
              // Unsorted, and they may overlap.
              const rs = hotSets[k].map(([at, len]): [number, number] => [(at + owner * 97) * PAGE_SIZE, (at + owner * 97 + len) * PAGE_SIZE]);
              hot.set(owner, rs);
            }
            return { at: k * 1e9, rates: new Map<number, RateSegments>(), hot };
          };
          const workload = new Workload([], [phase(0), phase(1)], 'test');
          const tracker = new HotBytesTracker(machine, workload);
          const vnext = [0, 0, 0];
          let now = 0;
          for (const [op, later] of ops) {
            if (later) now = 1e9;
            applyOp(machine, op, vnext);
            expect(tracker.perNode(now)).toEqual(hotBytesPerNode(machine, workload, now));
          }
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it('counts folios isolated for good (B0, invalid migration target): off the LRU, still resident', () => {
    const machine = new Machine({
      base: 4 * GiB,
      holeBetweenNodes: 0,
      swap: 0,
      nodes: [
        { capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: MiB, watermark: 0 },
        { capacity: 64 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
      ],
    });
    machine.allocate({ owner: 0, vstart: 0, bytes: 32 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0, 1], now: 0 });
    const hot = new Map([[0, [[0, 8 * MiB] as [number, number]]]]);
    const workload = new Workload([], [{ at: 0, rates: new Map<number, RateSegments>(), hot }], 'test');
    const tracker = new HotBytesTracker(machine, workload);
    expect(hotBytesPerNode(machine, workload, 0)).toEqual([8 * MiB, 0]);
    expect(tracker.perNode(0)).toEqual([8 * MiB, 0]);
    // The reserved MiB (kernel memory, no owner) stays out; the isolated hot 4 MiB stay in.
    const start = machine.nodes[0].start + MiB;
    machine.isolateForever(start, start + 4 * MiB);
    expect(hotBytesPerNode(machine, workload, 0)).toEqual([8 * MiB, 0]);
    expect(tracker.perNode(0)).toEqual([8 * MiB, 0]);
  });
});

describe('LRU runs', () => {
  it('walk any page-aligned range as a fresh map does, after every layout change', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.nat(40_000), fc.nat(40_000)), { minLength: 1, maxLength: 8 }), (ops, ranges) => {
        const machine = new Machine({
          base: 4 * GiB + 3 * PAGE_SIZE,
          holeBetweenNodes: 6 * MiB + PAGE_SIZE,
          swap: 16 * MiB,
          nodes: [
            { capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: MiB, watermark: 0 },
            { capacity: 64 * MiB, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
          ],
        });
        const lru = new LruMap(machine);
        const vnext = [0, 0, 0];
        const walk = (m: LruMap, a: number, b: number): WalkCount => {
          const w = { bytes: 0, lookups: 0 };
          m.walk(a, b, w);
          return w;
        };
        for (const op of ops) {
          applyOp(machine, op, vnext);
          const fresh = new LruMap(machine);
          // Ranges from below node 0 to past node 1's end.
          for (const [x, y] of ranges) {
            const a = 4 * GiB - 8 * MiB + Math.min(x, y) * PAGE_SIZE;
            const b = 4 * GiB - 8 * MiB + Math.max(x, y) * PAGE_SIZE;
            expect(walk(lru, a, b)).toEqual(walk(fresh, a, b));
          }
        }
      }),
      { numRuns: 100, seed: 5 },
    );
  });
});

describe('edge cases', () => {
  const G = 4 * GiB;
  const oneNode = () =>
    new Machine({ base: G, holeBetweenNodes: 0, nodes: [{ capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 }] });

  it('counts a byte in two overlapping hot ranges once', () => {
    const machine = oneNode();
    machine.allocate({ owner: 0, vstart: 0, bytes: 16 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 });
    const hot = new Map<number, Array<[number, number]>>([[0, [[0, 2 * MiB], [MiB, 3 * MiB]]]]);
    const workload = new Workload([], [{ at: 0, rates: new Map(), hot }], 'test');
    expect(new HotBytesTracker(machine, workload).perNode(0)).toEqual([3 * MiB]);
    expect(hotBytesPerNode(machine, workload, 0)).toEqual([3 * MiB]);
  });

  it('looks a 2 MiB folio cut into two extents up once, as the kernel walk does', () => {
    const machine = oneNode();
    machine.allocate({ owner: 0, vstart: 0, bytes: 4 * MiB, anon: true, mapped: true, memcg: 0, thp: true, nodes: [0], now: 0 });
    machine.markOld(G, G + MiB, 5); // the first folio's extent ends at its middle
    expect(machine.mem.length).toBeGreaterThan(2);
    const w = { bytes: 0, lookups: 0 };
    new LruMap(machine).walk(G, G + 4 * MiB, w);
    expect(w).toEqual({ bytes: 4 * MiB, lookups: 2 });
    new LruMap(machine).walk(G + MiB, G + 3 * MiB, w);
    expect(w).toEqual({ bytes: 2 * MiB, lookups: 2 });
  });

  it('rebuild the LRU runs and the hot bytes when the log no longer reaches back', () => {
    const machine = new Machine({ base: G, holeBetweenNodes: 0, swap: 16 * MiB, nodes: [{ capacity: 64 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 }] });
    machine.allocate({ owner: 0, vstart: 0, bytes: 32 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 });
    const hot = new Map<number, Array<[number, number]>>([[0, [[0, 8 * MiB]]]]);
    const workload = new Workload([], [{ at: 0, rates: new Map(), hot }], 'test');
    const lru = new LruMap(machine);
    const tracker = new HotBytesTracker(machine, workload);
    const w = { bytes: 0, lookups: 0 };
    lru.walk(G, G + 64 * MiB, w);
    expect([w.bytes, tracker.perNode(0)]).toEqual([32 * MiB, [8 * MiB]]);
    // Past the 2^16 kept ranges (each eviction logs one; the first swaps the hot page at G + 4 MiB
    // out, which nothing later touches again, so only a rebuild sees it; the rest are free pages
    // that do not touch, in turn, since a range meeting the last one unread widens it), then 1 MiB
    // of the hot set isolated for good (off the LRU, still hot and resident) and another swapped out.
    for (let i = 0; i < 2 ** 16 + 1; i++) {
      const at = i === 0 ? G + 4 * MiB : G + 40 * MiB + (i % 2) * 2 * PAGE_SIZE;
      machine.evict(at, at + PAGE_SIZE);
    }
    machine.isolateForever(G, G + MiB);
    machine.evict(G + 2 * MiB, G + 3 * MiB);
    lru.walk(G, G + 64 * MiB, w);
    expect([w.bytes, tracker.perNode(0)]).toEqual([30 * MiB - PAGE_SIZE, [7 * MiB - PAGE_SIZE]]);
  });
});
