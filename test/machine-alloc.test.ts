// SPDX-License-Identifier: GPL-2.0-only
/**
 * First-touch allocation with transparent huge pages (machines-and-workloads.md, docs/model.md
 * "2 MiB folios are used where a 2 MiB-aligned free block exists"): every 2 MiB-aligned virtual
 * range of a THP area gets a 2 MiB folio when its node has an aligned free block, also when the
 * area spills over from one node to the next in the middle of a 2 MiB range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dramCxlMachine } from './helpers/machine.js';
import { ExtKind } from '../src/machine/extents.js';
import { DEFAULT_COSTS } from '../src/machine/cost.js';
import { Simulation } from '../src/run/simulation.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';
import { Machine } from '../src/machine/machine.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** MiB of `owner`'s memory per node and folio size, e.g. { 'n0/2048K': 512 }. */
function layout(m: Machine, owner: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of m.mem.toArray()) {
    if (e.kind !== ExtKind.Lru || e.owner !== owner) continue;
    const k = `n${e.node}/${e.folioSize / 1024}K`;
    out[k] = (out[k] ?? 0) + (e.end - e.start) / MiB;
  }
  return out;
}

describe('THP areas', () => {
  const area = (owner: number, vstart: number, bytes: number, thp: boolean) => ({ owner, vstart, bytes, anon: true, mapped: true, memcg: 0, thp, nodes: [1, 0], now: 0 });

  it('an area spilling over to the next node mid-2 MiB gets base pages up to the boundary, then THPs', () => {
    const m = dramCxlMachine({ dram: 1 * GiB, cxl: 1 * GiB });
    // 3 MiB of base pages first: node 1 then has 1021 MiB free, so the THP area's share there ends
    // 1 MiB into a 2 MiB virtual range.
    expect(m.allocate(area(1, 0, 3 * MiB, false))).toBe(0);
    expect(m.allocate(area(2, 0x7f00_0000_0000, 1536 * MiB, true))).toBe(0);
    // Node 1: 510 THPs (1020 MiB) and 1 MiB of base pages; node 0: 1 MiB of base pages to the
    // boundary, then THPs for the remaining 514 MiB.
    expect(layout(m, 2)).toEqual({ 'n1/2048K': 1020, 'n1/4K': 1, 'n0/4K': 1, 'n0/2048K': 514 });
  });

  it('an aligned area that fits one node is all THPs', () => {
    const m = dramCxlMachine({ dram: 1 * GiB, cxl: 1 * GiB });
    expect(m.allocate(area(2, 0x7f00_0000_0000, 512 * MiB, true))).toBe(0);
    expect(layout(m, 2)).toEqual({ 'n1/2048K': 512 });
  });
});

describe('allocatedBytes()', () => {
  it('counts the LRU folios only: a node\'s reserved kernel memory is no owner\'s', () => {
    // The conservation checks (test/invariants.test.ts) compare it with the workload's RSS and
    // count the boot reservation (scenario `nodes[].reserved`, non-LRU) on their own.
    const m = dramCxlMachine({ dram: 8 * MiB, cxl: 8 * MiB, base: GiB, reserved0: 2 * MiB });
    const alloc = (owner: number, bytes: number, node: number) => expect(m.allocate({ owner, vstart: 64 * MiB * owner, bytes, anon: true, mapped: true, memcg: 0, thp: false, nodes: [node], now: 0 })).toBe(0);
    alloc(1, 3 * MiB, 0);
    alloc(2, 1 * MiB, 1);
    expect(m.allocatedBytes()).toBe(4 * MiB);
    expect(m.nodeFree(0)).toBe(3 * MiB); // 8 - 2 reserved - 3
  });
});

describe('machine.costs', () => {
  it('keys not given keep their defaults (a partial costs object used to leave them undefined, and runs never ended)', () => {
    const doc = tiering6040('temporal');
    (doc.machine as { costs?: object }).costs = { walk_ns_per_folio: 80 };
    const sim = new Simulation(scenarioFromDoc(doc).scenario);
    expect(sim.machine.costs).toEqual({ ...DEFAULT_COSTS, walkNsPerFolio: 80 });
  });
});

describe('migration falling back to the source node', () => {
  it('sees the frames it freed earlier in the same call joined: a THP finds the 2 MiB block two freed base-page runs make', () => {
    const m = dramCxlMachine({ dram: 8 * MiB, cxl: 6 * MiB, base: GiB });
    const alloc = (owner: number, bytes: number, thp: boolean, node: number) =>
      expect(m.allocate({ owner, vstart: 64 * MiB * owner, bytes, anon: true, mapped: true, memcg: 0, thp, nodes: [node], now: 0 })).toBe(0);
    alloc(3, 2 * MiB, true, 0); // [0, 2) MiB of node 0: one THP
    alloc(1, 1 * MiB, false, 0); // [2, 3)
    alloc(2, 1 * MiB, false, 0); // [3, 4)
    alloc(4, 2 * MiB, false, 0); // [4, 6); [6, 8) stays free
    alloc(5, 4 * MiB, false, 1); // node 1 keeps 2 MiB free
    // Highest folio first: owners 2 and 1 fill node 1; the THP then falls back to node 0 (a
    // kernel without __GFP_THISNODE), where [2, 4) is free again: the lowest aligned 2 MiB block.
    const res = m.migrateRange(GiB, GiB + 4 * MiB, 1, [0]);
    expect(res.migrated).toBe(4 * MiB);
    expect([layout(m, 1), layout(m, 2), layout(m, 3)]).toEqual([{ 'n1/4K': 1 }, { 'n1/4K': 1 }, { 'n0/2048K': 2 }]);
    const thp = m.mem.toArray().find((e) => e.owner === 3)!;
    expect([thp.start - GiB, thp.end - GiB]).toEqual([2 * MiB, 4 * MiB]);
  });
});

describe('migrateRange() fallback lists', () => {
  it('reads the list as it is at each call, though it keeps one node order per list it is given', () => {
    // Node 1 has room for 1 MiB of owner 1's 2 MiB on node 0.
    const m = dramCxlMachine({ dram: 8 * MiB, cxl: 4 * MiB, base: GiB });
    expect(m.allocate({ owner: 1, vstart: 0, bytes: 2 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 })).toBe(0);
    expect(m.allocate({ owner: 2, vstart: 64 * MiB, bytes: 3 * MiB, anon: true, mapped: true, memcg: 0, thp: false, nodes: [1], now: 0 })).toBe(0);
    const list: number[] = [];
    expect(m.migrateRange(GiB, GiB + 2 * MiB, 1, list).migrated).toBe(MiB);
    // Node 1 is full: with the same, still empty list nothing moves.
    expect(m.migrateRange(GiB, GiB + 2 * MiB, 1, list).migrated).toBe(0);
    // The same array now allows node 0: the MiB left there moves to node 0's lowest free frames.
    list.push(0);
    expect(m.migrateRange(GiB, GiB + 2 * MiB, 1, list).migrated).toBe(MiB);
    // And back to empty: nothing moves again.
    list.pop();
    expect(m.migrateRange(GiB, GiB + 2 * MiB, 1, list).migrated).toBe(0);
  });
});

describe('migration over several source nodes with fallback', () => {
  const node = { capacity: 8 * MiB, kind: 'dram' as const, latencyNs: 100, reserved: 0, watermark: 0 };
  const req = (owner: number, bytes: number, thp: boolean, nodes: number[]) => ({ owner, vstart: owner * 2 ** 32, bytes, anon: false, mapped: true, memcg: 0, thp, nodes, now: 0 });

  /** node 0 full; node 1: [8M,9M) free, [9M,10M) owner 2, [10M,11M) owner 2, [11M,12M) free, [12M,16M) non-LRU; node 2: [16M, 16M + cBytes) owner 3, the rest used. */
  function build(cThp: boolean, cBytes: number): Machine {
    const m = new Machine({ nodes: [node, node, node], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 8 * MiB, false, [0]))).toBe(0);
    expect(m.allocate(req(2, 8 * MiB, false, [1]))).toBe(0);
    m.evict(8 * MiB, 9 * MiB);
    m.evict(11 * MiB, 12 * MiB);
    m.isolateForever(12 * MiB, 16 * MiB);
    expect(m.allocate(req(3, cBytes, cThp, [2]))).toBe(0);
    expect(m.allocate(req(4, 8 * MiB - cBytes, false, [2]))).toBe(0);
    m.isolateForever(16 * MiB + cBytes, 24 * MiB);
    return m;
  }

  it('a THP from the second source node finds the 2 MiB block the first source node freed', () => {
    const m = build(true, 2 * MiB);
    // [10M, 18M): owner 2's last MiB on node 1, then owner 3's THP on node 2; node 0 is full.
    const res = m.migrateRange(10 * MiB, 18 * MiB, 0, [1, 2]);
    // Owner 2's MiB falls back to [8M, 9M); the THP moves whole into [10M, 12M).
    expect(res).toEqual({ migrated: 3 * MiB, folios: 256 + 1, costNs: 256 * DEFAULT_COSTS.migrateNsPer4k + DEFAULT_COSTS.migrateNsPer2m });
    const c = m.mem.toArray().filter((e) => e.owner === 3);
    expect(c.map((e) => [e.start / MiB, e.end / MiB, e.node, e.folioSize])).toEqual([[10, 12, 1, 2 * MiB]]);
  });

  it('free runs stay one extent when the second source node moves into frames the first freed', () => {
    const m = build(false, MiB / 2);
    m.migrateRange(10 * MiB, 16 * MiB + MiB / 2, 0, [1, 2]);
    const a = m.mem.toArray();
    const unjoined: string[] = [];
    for (let i = 1; i < a.length; i++) {
      if (a[i].kind === ExtKind.Free && a[i - 1].kind === ExtKind.Free && a[i - 1].node === a[i].node && a[i - 1].end === a[i].start) {
        unjoined.push(`[${a[i - 1].start / MiB}M,${a[i - 1].end / MiB}M)+[${a[i].start / MiB}M,${a[i].end / MiB}M)`);
      }
    }
    expect(unjoined).toEqual([]);
  });
});

describe('migration into fragmented memory, page by page', () => {
  const PAGE = 4096;
  /** Per 4 KiB frame: null (free), 'x' (used, not LRU) or the content "owner:vaddr". */
  function frames(m: Machine): Map<number, string | null> {
    const out = new Map<number, string | null>();
    for (const e of m.mem.toArray()) {
      for (let p = e.start; p < e.end; p += PAGE) {
        out.set(p, e.kind === ExtKind.Free ? null : e.kind === ExtKind.Lru ? `${e.owner}:${e.vstart + (p - e.start)}` : 'x');
      }
    }
    return out;
  }
  const nodeOf = (m: Machine, p: number) => m.nodes.findIndex((n) => p >= n.start && p < n.end);

  const opArb = fc.oneof(
    // Small allocations of many owners and small evictions fragment both the content and the free
    // space, so migrations move many small source pieces into many small holes.
    { arbitrary: fc.record({ kind: fc.constant('alloc' as const), pages: fc.integer({ min: 1, max: 16 }), node: fc.nat({ max: 2 }) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant('evict' as const), at: fc.nat(), pages: fc.integer({ min: 1, max: 6 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('migrate' as const), at: fc.nat(), pages: fc.integer({ min: 1, max: 600 }), target: fc.nat({ max: 2 }), fallback: fc.boolean() }), weight: 1 },
  );

  it('moves the pages of the range off the target into the lowest free frames, in the kernel\'s list order when memory runs short, and keeps every other page', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3 }), fc.constantFrom(0, 0, 8 * 4096), fc.nat({ max: 6 }), fc.array(opArb, { minLength: 20, maxLength: 150 }), (nNodes, hole, reservedPages, ops) => {
        // Reserved (non-LRU) frames at each node's start and a hole between nodes: neither is ever
        // a destination, and the hole is no frame at all.
        const node = { capacity: MiB / 2, kind: 'dram' as const, latencyNs: 100, reserved: reservedPages * 4096, watermark: 0 };
        const m = new Machine({ nodes: Array.from({ length: nNodes }, () => node), base: 4 * GiB, holeBetweenNodes: hole, swap: 64 * MiB });
        const lo = m.nodes[0].start;
        const span = m.nodes[nNodes - 1].end - lo;
        let owner = 0;
        for (const op of ops) {
          if (op.kind === 'alloc') {
            owner++;
            m.allocate({ owner, vstart: owner * GiB, bytes: op.pages * PAGE, anon: true, mapped: true, memcg: 0, thp: false, nodes: [op.node % nNodes], now: 0 });
            continue;
          }
          const s = lo + (op.at % (span / PAGE)) * PAGE;
          const e = Math.min(lo + span, s + op.pages * PAGE);
          if (op.kind === 'evict') {
            m.evict(s, e);
            continue;
          }
          const target = op.target % nNodes;
          const fallback = op.fallback ? m.nodes.map((n) => n.nid).filter((n) => n !== target) : [];
          const before = frames(m);
          const lruExtents = m.mem.toArray().filter((x) => x.kind === ExtKind.Lru).map((x) => ({ start: x.start, end: x.end, node: x.node }));
          const res = m.migrateRange(s, e, target, fallback);
          const after = frames(m);
          // Content is conserved: every page of content exists exactly once, before and after.
          const contents = (f: Map<number, string | null>) => [...f.values()].filter((c): c is string => c !== null && c !== 'x').sort();
          expect(contents(after)).toEqual(contents(before));
          // What moved: content whose frame changed, all of it from LRU pages of [s, e) off the
          // target; everything else keeps its frame.
          const where = (f: Map<number, string | null>) => {
            const w = new Map<string, number>();
            for (const [p, c] of f) if (c !== null && c !== 'x') w.set(c, p);
            return w;
          };
          const wb = where(before);
          const wa = where(after);
          const moved: number[] = [];
          for (const [c, p] of wb) {
            if (wa.get(c) === p) continue;
            expect(p >= s && p < e && nodeOf(m, p) !== target, `page ${p - lo} moved`).toBe(true);
            moved.push(p);
          }
          expect(res.migrated).toBe(moved.length * PAGE);
          // Where it went, replayed on the frames. The pieces (LRU extents cut to the range) make
          // node runs. If the target has a free frame for every page off it, each piece in address
          // order moves in chunks into the lowest free frames on the target, as many as are free
          // there in a row. Otherwise each run off the target goes highest page first: a chunk is
          // the top of what is left of a piece, into the lowest free frames of the target, else of
          // the first fallback node with any (where frames this call freed count as free); a page
          // with no free frame anywhere ends its run.
          const ref = new Map(before);
          const free = (p: number, nid: number) => ref.has(p) && ref.get(p) === null && nodeOf(m, p) === nid;
          const pieces = lruExtents.map((x) => ({ start: Math.max(x.start, s), end: Math.min(x.end, e), node: x.node })).filter((x) => x.end > x.start);
          const offTarget = pieces.filter((x) => x.node !== target);
          const frameOrder = [...ref.keys()].sort((x, y) => x - y);
          const freeOnTarget = frameOrder.filter((p) => free(p, target)).length;
          // In the kernel's order, a batch (512 pages) takes all its frames before it frees any:
          // the frames it leaves are "moving" until it ends, free only for later batches.
          const moving: number[] = [];
          const endBatch = () => {
            for (const p of moving) ref.set(p, null);
            moving.length = 0;
            batch = 0;
          };
          let batch = 0;
          const chunk = (lo: number, top: number, fromTop: boolean): boolean => {
            let q = -1;
            for (const nid of fromTop ? [target, ...fallback] : [target]) {
              q = frameOrder.find((p) => free(p, nid)) ?? -1;
              if (q >= 0) break;
            }
            if (q < 0) return false;
            const nq = nodeOf(m, q);
            const cap = fromTop ? 512 - batch : Infinity;
            let len = 0;
            while (lo + len * PAGE < top && len < cap && free(q + len * PAGE, nq)) len++;
            const from = fromTop ? top - len * PAGE : lo;
            for (let k = 0; k < len; k++) {
              ref.set(q + k * PAGE, ref.get(from + k * PAGE) as string);
              ref.set(from + k * PAGE, fromTop ? 'moving' : null);
              if (fromTop) moving.push(from + k * PAGE);
            }
            done = len * PAGE;
            if (fromTop && (batch += len) >= 512) endBatch();
            return true;
          };
          let done = 0;
          if (offTarget.reduce((t, x) => t + (x.end - x.start) / PAGE, 0) <= freeOnTarget) {
            for (const piece of offTarget) for (let off = piece.start; off < piece.end && chunk(off, piece.end, false); off += done);
          } else {
            for (let r0 = 0; r0 < pieces.length; ) {
              let r1 = r0 + 1;
              while (r1 < pieces.length && pieces[r1].node === pieces[r0].node) r1++;
              if (pieces[r0].node !== target) {
                run: for (let k = r1 - 1; k >= r0; k--) {
                  for (let top = pieces[k].end; top > pieces[k].start; top -= done) if (!chunk(pieces[k].start, top, true)) break run;
                }
                endBatch();
              }
              r0 = r1;
            }
          }
          expect([...after].filter(([p, c]) => ref.get(p) !== c)).toEqual([]);
          // The list stays sorted and gap-free within nodes, free runs are single extents, and the
          // free-byte counters match it.
          const a = m.mem.toArray();
          for (let i = 0; i < a.length; i++) {
            expect(a[i].end).toBeGreaterThan(a[i].start);
            if (i > 0) {
              expect(a[i].start).toBeGreaterThanOrEqual(a[i - 1].end);
              if (a[i].kind === ExtKind.Free && a[i - 1].kind === ExtKind.Free && a[i - 1].node === a[i].node) expect(a[i].start).not.toBe(a[i - 1].end);
            }
          }
          for (const n of m.nodes) {
            const free = a.filter((x) => x.node === n.nid && x.kind === ExtKind.Free).reduce((t, x) => t + x.end - x.start, 0);
            expect(m.nodeFree(n.nid)).toBe(free);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('pageout to a swap device that fills up', () => {
  const node = { capacity: 16 * MiB, kind: 'dram' as const, latencyNs: 100, reserved: 0, watermark: 0 };
  const anon = (owner: number, bytes: number, thp: boolean) => ({ owner, vstart: owner * 2 ** 32, bytes, anon: true, mapped: true, memcg: 0, thp, nodes: [0], now: 0 });

  it('reclaims folio by folio in address order until the swap space is used up; the rest stays', () => {
    const m = new Machine({ nodes: [node], base: 0, holeBetweenNodes: 0, swap: MiB + 8 * 1024 });
    expect(m.allocate(anon(1, 4 * MiB, false))).toBe(0);
    // 1 MiB + 8 KiB of swap: the first 258 base pages go out, the other 766 stay.
    expect(m.evict(0, 4 * MiB)).toBe(MiB + 8 * 1024);
    const lru = m.mem.toArray().filter((e) => e.kind === ExtKind.Lru);
    expect(lru.map((e) => [e.start, e.end])).toEqual([[MiB + 8 * 1024, 4 * MiB]]);
    expect(m.evict(0, 4 * MiB)).toBe(0); // swap full
  });

  it('anon folios that find no swap space are activated (shrink_folio_list()\'s activate_locked), page cache is dropped', () => {
    const m = new Machine({ nodes: [node], base: 0, holeBetweenNodes: 0, swap: MiB });
    expect(m.allocate(anon(1, 4 * MiB, false))).toBe(0);
    expect(m.allocate({ ...anon(2, MiB, false), anon: false })).toBe(0);
    expect(m.mem.toArray().filter((e) => e.kind === ExtKind.Lru).every((e) => !e.active)).toBe(true);
    // 1 MiB goes to swap; the other 3 MiB of anon stay, active; the page cache goes.
    expect(m.evict(0, 5 * MiB)).toBe(2 * MiB);
    const lru = m.mem.toArray().filter((e) => e.kind === ExtKind.Lru);
    expect(lru.map((e) => [e.start, e.end, e.active])).toEqual([[MiB, 4 * MiB, true]]);
    // With no swap at all, every anon folio of the range is activated.
    const none = new Machine({ nodes: [node], base: 0, holeBetweenNodes: 0 });
    expect(none.allocate(anon(1, MiB, false))).toBe(0);
    expect(none.evict(0, MiB)).toBe(0);
    expect(none.mem.toArray().filter((e) => e.kind === ExtKind.Lru).map((e) => e.active)).toEqual([true]);
  });

  it('a THP needs room for the whole folio', () => {
    const m = new Machine({ nodes: [node], base: 0, holeBetweenNodes: 0, swap: 3 * MiB });
    expect(m.allocate(anon(1, 4 * MiB, true))).toBe(0);
    // Room for one 2 MiB folio, not for the second.
    expect(m.evict(0, 4 * MiB)).toBe(2 * MiB);
    const lru = m.mem.toArray().filter((e) => e.kind === ExtKind.Lru);
    expect(lru.map((e) => [e.start, e.end, e.folioSize])).toEqual([[2 * MiB, 4 * MiB, 2 * MiB]]);
  });
});

describe('which folios migrate when memory runs short (the kernel\'s list order)', () => {
  const node = (capacity: number) => ({ capacity, kind: 'dram' as const, latencyNs: 100, reserved: 0, watermark: 0 });
  const req = (owner: number, bytes: number, thp: boolean, nodes: number[], vstart = owner * 2 ** 32) => ({ owner, vstart, bytes, anon: false, mapped: true, memcg: 0, thp, nodes, now: 0 });
  /** [start, end, node, folio size] of owner's extents, in address order. */
  const of = (m: Machine, owner: number) =>
    m.mem
      .toArray()
      .filter((e) => e.owner === owner)
      .sort((x, y) => x.vstart - y.vstart)
      .map((e) => [e.vstart - owner * 2 ** 32, e.end - e.start, e.node, e.folioSize]);

  it('a node run goes highest folio first: with room for two pages, the top two of four move', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 8 * MiB - 8192, false, [0]))).toBe(0);
    expect(m.allocate(req(2, 4 * 4096, false, [1]))).toBe(0);
    const res = m.migrateRange(8 * MiB, 8 * MiB + 4 * 4096, 0);
    expect(res).toEqual({ migrated: 8192, folios: 2, costNs: 2 * 1100 });
    // Pages 0 and 1 (virtual order as physical) stay on node 1; pages 2 and 3 are on node 0.
    expect(of(m, 2)).toEqual([
      [0, 8192, 1, 4096],
      [8192, 8192, 0, 4096],
    ]);
  });

  it('with a fallback, the highest pages get the target and the lower ones the next node', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 8 * MiB - 8192, false, [0]))).toBe(0);
    expect(m.allocate(req(2, 4 * 4096, false, [1]))).toBe(0);
    expect(m.migrateRange(8 * MiB, 8 * MiB + 4 * 4096, 0, [2]).migrated).toBe(4 * 4096);
    expect(of(m, 2).map((x) => x[2])).toEqual([2, 0]);
    expect(of(m, 2).map((x) => x[1])).toEqual([8192, 8192]);
  });

  it('a THP with no 2 MiB block is split and its pages tried at once, highest first; the lower THP is tried after', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    // Node 0 keeps 1 MiB free, in no aligned 2 MiB block.
    expect(m.allocate(req(1, 7 * MiB, false, [0]))).toBe(0);
    expect(m.allocate(req(2, 4 * MiB, true, [1]))).toBe(0);
    const res = m.migrateRange(8 * MiB, 12 * MiB, 0);
    expect(res.migrated).toBe(MiB);
    // The top THP's highest 1 MiB moved; both THPs were split (the lower one found no block and
    // no page either).
    expect(of(m, 2)).toEqual([
      [0, 3 * MiB, 1, 4096],
      [3 * MiB, MiB, 0, 4096],
    ]);
  });

  it('only the THP that finds no block is split: the top one takes the one 2 MiB block', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 6 * MiB, false, [0]))).toBe(0);
    expect(m.allocate(req(2, 4 * MiB, true, [1]))).toBe(0);
    expect(m.migrateRange(8 * MiB, 12 * MiB, 0).migrated).toBe(2 * MiB);
    expect(of(m, 2)).toEqual([
      [0, 2 * MiB, 1, 4096],
      [2 * MiB, 2 * MiB, 0, 2 * MiB],
    ]);
  });

  it('THPs move one at a time (each ends its batch), the top one into the lowest block; the one left over is split', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 4 * MiB, false, [0]))).toBe(0); // node 0 keeps [4, 8) MiB free
    expect(m.allocate(req(2, 6 * MiB, true, [1]))).toBe(0); // three THPs at 8..14 MiB
    const res = m.migrateRange(8 * MiB, 14 * MiB, 0);
    expect(res).toEqual({ migrated: 4 * MiB, folios: 2, costNs: 2 * 197_000 });
    expect(of(m, 2)).toEqual([
      [0, 2 * MiB, 1, 4096],
      [2 * MiB, 2 * MiB, 0, 2 * MiB],
      [4 * MiB, 2 * MiB, 0, 2 * MiB],
    ]);
    // The top THP (virtual 4..6 MiB) took the lowest free block.
    const top = m.mem.toArray().find((e) => e.owner === 2 && e.vstart === 2 * 2 ** 32 + 4 * MiB)!;
    expect([top.start, top.end]).toEqual([4 * MiB, 6 * MiB]);
  });

  it('a batch does not reuse the frames it leaves: falling back to the source node with one free frame there, one page moves', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 8 * MiB, false, [0]))).toBe(0); // the target is full
    expect(m.allocate(req(2, 100 * 4096, false, [1]))).toBe(0);
    expect(m.allocate(req(3, 8 * MiB - 101 * 4096, false, [1]))).toBe(0); // node 1 keeps one frame
    const res = m.migrateRange(8 * MiB, 8 * MiB + 100 * 4096, 0, [1]);
    // Page 99 takes the free frame; page 98 finds none (the frame page 99 left is not free until
    // the batch ends): -ENOMEM ends the run.
    expect(res.migrated).toBe(4096);
    expect(m.nodeFree(1)).toBe(4096);
  });


  it('a batch is 512 base pages also when the target fills in its middle: the next batch reuses the frames the first one freed', () => {
    // migrate_pages() cuts the list into batches of NR_MAX_BATCHED_MIGRATION (512) base pages and
    // migrate_pages_batch() allocates every destination of a batch before it frees any source
    // (damos.md §2.2; migrate.c). Node 0 (the target) has room for 300 pages, node 1 (the source)
    // none, node 2 all of it; the fallback order is [0, 1, 2], as a zonelist without
    // __GFP_THISNODE would try them. 1000 pages, highest first:
    //  batch 1 (pages 999..488): 300 to node 0, then 212 to node 2 (node 1's own sources are not
    //   free yet); its end frees node 1's frames of pages 488..999;
    //  batch 2 (pages 487..0): node 0 is full, node 1 now has 512 free frames: all 488 stay on
    //   node 1, in the lowest of them.
    // A batch that ran on past 512 pages after the target filled would have sent 512 to node 2.
    const PAGE = 4096;
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 8 * MiB - 300 * PAGE, false, [0]))).toBe(0); // node 0 keeps 300 frames
    expect(m.allocate(req(2, 1000 * PAGE, false, [1]))).toBe(0); // [8 MiB, 8 MiB + 1000 pages)
    expect(m.allocate(req(3, 8 * MiB - 1000 * PAGE, false, [1]))).toBe(0); // node 1 full
    const res = m.migrateRange(8 * MiB, 8 * MiB + 1000 * PAGE, 0, [1, 2]);
    expect(res).toEqual({ migrated: 1000 * PAGE, folios: 1000, costNs: 1000 * DEFAULT_COSTS.migrateNsPer4k });
    expect(of(m, 2)).toEqual([
      [0, 488 * PAGE, 1, PAGE],
      [488 * PAGE, 212 * PAGE, 2, PAGE],
      [700 * PAGE, 300 * PAGE, 0, PAGE],
    ]);
    // Pages 0..487 took the frames pages 488..975 left (the lowest free on node 1).
    const low = m.mem.toArray().find((e) => e.owner === 2 && e.node === 1)!;
    expect([low.start, low.end]).toEqual([8 * MiB + 488 * PAGE, 8 * MiB + 976 * PAGE]);
    expect(m.migratedBytes[1]).toEqual([300 * PAGE, 488 * PAGE, 212 * PAGE]);
    expect([0, 1, 2].map((n) => m.nodeFree(n) / PAGE)).toEqual([0, 512, 2048 - 212]);
  });
  it('ranges must hold whole folios: one that cuts a THP is refused', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 7 * MiB, false, [0]))).toBe(0);
    expect(m.allocate(req(2, 2 * MiB, true, [1]))).toBe(0);
    expect(() => m.migrateRange(9 * MiB, 10 * MiB, 0)).toThrow(/cuts the 2048 KiB folio at 8388608; pass whole folios/);
  });

  it('a base page that finds no memory ends its run: the lower folios of the run are not tried (no split)', () => {
    const m = new Machine({ nodes: [node(8 * MiB), node(8 * MiB)], base: 0, holeBetweenNodes: 0 });
    expect(m.allocate(req(1, 8 * MiB, false, [0]))).toBe(0); // the target is full
    expect(m.allocate(req(3, 4 * MiB, true, [1]))).toBe(0); // THPs at 8..12 MiB
    expect(m.allocate(req(2, MiB, false, [1]))).toBe(0); // base pages above them
    expect(m.migrateRange(8 * MiB, 13 * MiB, 0).migrated).toBe(0);
    expect(of(m, 3).map((x) => x[3])).toEqual([2 * MiB]);
  });
});
