// SPDX-License-Identifier: GPL-2.0-only
/**
 * Returned bytes (machine/returns.ts, docs/model.md "Returned bytes") against a per-page history
 * kept by brute force: each workload page's last node left by migration and when. First the
 * tracker alone, fed moves as the machine feeds them (runs split into pieces, in either order,
 * several per migration call, times that may step back), with blocks small enough that moves
 * cross them; then the machine, whose migrations the test sees only as pages whose node changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HPAGE_PMD_SIZE, PAGE_SIZE } from '../src/lib/kint.js';
import { ExtKind } from '../src/machine/extents.js';
import { Machine } from '../src/machine/machine.js';
import { ReturnTracker } from '../src/machine/returns.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Per owner and page: the node the page last left by migration (-1: never migrated) and when. */
class PageHistory {
  readonly left = new Map<string, { node: number; at: number }>();
  readonly returned: number[][];
  readonly away: number[][];
  moved = 0;

  constructor(nrNodes: number) {
    this.returned = Array.from({ length: nrNodes }, () => new Array<number>(nrNodes).fill(0));
    this.away = Array.from({ length: nrNodes }, () => new Array<number>(nrNodes).fill(0));
  }

  /** Page `vpage` of `owner` went from node `from` to node `to` at `now`. */
  move(owner: number, vpage: number, from: number, to: number, now: number): void {
    if (from === to) return;
    this.moved += PAGE_SIZE;
    const k = `${owner}/${vpage}`;
    const h = this.left.get(k);
    if (h && h.node === to) {
      this.returned[from][to] += PAGE_SIZE;
      this.away[from][to] += PAGE_SIZE * Math.max(0, now - h.at);
    }
    this.left.set(k, { node: from, at: now });
  }

  /** Page `vpage` of `owner` left memory (evicted): a refault places it afresh. */
  forget(owner: number, vpage: number): void {
    this.left.delete(`${owner}/${vpage}`);
  }
}

interface Piece {
  owner: number;
  page: number;
  pages: number;
  from: number;
  to: number;
}

/** A migration call: disjoint pieces of one owner's pages (cut from one span), fed in order or reversed. */
const callArb = fc.record({
  owner: fc.integer({ min: 0, max: 2 }),
  start: fc.integer({ min: 0, max: 200 }),
  cuts: fc.array(fc.record({ pages: fc.integer({ min: 1, max: 12 }), from: fc.integer({ min: 0, max: 2 }), to: fc.integer({ min: 0, max: 2 }), gap: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 5 }),
  reversed: fc.boolean(),
  // Mostly forward, sometimes back (another kdamond's clock behind): away times clamp at 0.
  dt: fc.integer({ min: -30, max: 1000 }),
});

describe('ReturnTracker', () => {
  it('counts what a per-page history counts, over random moves (blocks of 2 and 128 ranges)', () => {
    fc.assert(
      fc.property(fc.array(callArb, { minLength: 1, maxLength: 60 }), fc.constantFrom(2, 3, 128), (calls, blockMax) => {
        const t = new ReturnTracker(3, blockMax);
        const ref = new PageHistory(3);
        let now = 0;
        for (const c of calls) {
          now += c.dt;
          t.begin(now);
          const pieces: Piece[] = [];
          let page = c.start;
          for (const x of c.cuts) {
            pieces.push({ owner: c.owner, page, pages: x.pages, from: x.from, to: x.to });
            page += x.pages + x.gap;
          }
          if (c.reversed) pieces.reverse();
          for (const p of pieces) {
            // Split in two pieces fed highest first sometimes, as migrateRunDown() moves them.
            const half = Math.floor(p.pages / 2);
            if (half > 0 && c.reversed) {
              t.moved(p.owner, (p.page + half) * PAGE_SIZE, (p.pages - half) * PAGE_SIZE, p.from, p.to);
              t.moved(p.owner, p.page * PAGE_SIZE, half * PAGE_SIZE, p.from, p.to);
            } else t.moved(p.owner, p.page * PAGE_SIZE, p.pages * PAGE_SIZE, p.from, p.to);
            for (let k = 0; k < p.pages; k++) ref.move(p.owner, p.page + k, p.from, p.to, now);
          }
          t.flush();
          expect(t.returned).toEqual(ref.returned);
          expect(t.awayByteNs).toEqual(ref.away);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('a page that goes 0 -> 1 -> 0 -> 1 returns twice, away as long as it was gone; a same-node move changes nothing', () => {
    const t = new ReturnTracker(2);
    const move = (now: number, from: number, to: number) => {
      t.begin(now);
      t.moved(7, 0x1000, PAGE_SIZE, from, to);
      t.flush();
    };
    move(10, 0, 1);
    expect(t.returned).toEqual([[0, 0], [0, 0]]);
    move(25, 1, 1); // the target was full: a new frame on its own node
    move(40, 1, 0);
    expect(t.returned).toEqual([[0, 0], [PAGE_SIZE, 0]]);
    expect(t.awayByteNs[1][0]).toBe(PAGE_SIZE * 30);
    move(100, 0, 1);
    expect(t.returned).toEqual([[0, PAGE_SIZE], [PAGE_SIZE, 0]]);
    expect(t.awayByteNs[0][1]).toBe(PAGE_SIZE * 60);
    // Another owner's page at the same virtual address is other memory.
    t.begin(120);
    t.moved(8, 0x1000, PAGE_SIZE, 1, 0);
    t.flush();
    expect(t.returned[1][0]).toBe(PAGE_SIZE);
  });
});

const VBASE = 0x7f00_0000_0000;

/** Every workload page's node, per owner by page from VBASE (-1: none), from the extents. */
function placement(m: Machine, pages: readonly number[]): Int8Array[] {
  const out = pages.map((n) => new Int8Array(n).fill(-1));
  for (const e of m.mem.toArray()) {
    if (e.kind === ExtKind.Free || e.owner < 0) continue;
    const p0 = (e.vstart - VBASE) / PAGE_SIZE;
    out[e.owner].fill(e.node, p0, p0 + (e.end - e.start) / PAGE_SIZE);
  }
  return out;
}

/** A migration of part of one node's memory (large parts: memory goes back and forth). */
const opArb = fc.record({
  node: fc.integer({ min: 0, max: 2 }),
  at: fc.nat({ max: 3000 }),
  pages: fc.integer({ min: 1, max: 3000 }),
  /** The target is another node: 1 or 2 nodes on. */
  hop: fc.integer({ min: 1, max: 2 }),
  fallback: fc.boolean(),
  dt: fc.integer({ min: 0, max: 5000 }),
  /** With evictions: page the range out instead, or refault some of what is out first. */
  evict: fc.boolean(),
  refault: fc.nat({ max: 400 }),
});

/**
 * Random migrations (and, `withEvictions`, pageouts and refaults) on a small 3-node machine, each
 * checked against a per-page history of the pages whose node it changed.
 */
function checkAgainstPages(withEvictions: boolean): void {
  fc.assert(
    fc.property(
      fc.array(fc.record({ pages: fc.integer({ min: 1, max: 1800 }), thp: fc.boolean(), node: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 3 }),
      fc.array(opArb, { minLength: 8, maxLength: 40 }),
      (areas, ops) => {
        // Small nodes, so that targets fill up and migrations fall back or stop.
        const m = new Machine({
          base: 4 * GiB,
          holeBetweenNodes: 2 * MiB,
          nodes: [12, 8, 8].map((mib, i) => ({ capacity: mib * MiB, kind: i === 0 ? 'dram' : 'cxl', latencyNs: 100, reserved: i === 0 ? 3 * PAGE_SIZE : 0, watermark: 0 })),
          swap: withEvictions ? 64 * MiB : 0,
        });
        areas.forEach((a, owner) => {
          m.allocate({ owner, vstart: VBASE, bytes: a.pages * PAGE_SIZE, anon: true, mapped: true, memcg: 0, thp: a.thp, nodes: [a.node, (a.node + 1) % 3, (a.node + 2) % 3], now: 0 });
        });
        // Pages allocated per owner (what did not fit stays unallocated: -1 throughout).
        const pages = areas.map((a) => a.pages);
        const ref = new PageHistory(3);
        let now = 0;
        for (const op of ops) {
          now += op.dt;
          // Whole folios, as paddr hands them over.
          const snap = (x: number) => {
            const e = m.lruExtentAt(x);
            return e && e.folioSize === HPAGE_PMD_SIZE ? x - (x % HPAGE_PMD_SIZE) : x;
          };
          const n = m.nodes[op.node];
          const a = snap(n.start + (op.at % ((n.end - n.start) / PAGE_SIZE)) * PAGE_SIZE);
          const b = snap(Math.min(n.end, a + op.pages * PAGE_SIZE));
          if (b <= a) continue;
          if (withEvictions && op.evict) {
            // A refault (as workload/refault.ts makes one: an allocation where the page was),
            // then a pageout; neither is a migration, and what went out has no history left.
            const out = m.evicted.ranges()[0];
            if (out) {
              const bytes = Math.min(out.vend - out.vstart, (op.refault + 1) * PAGE_SIZE);
              const left = m.allocate({ owner: out.owner, vstart: out.vstart, bytes, anon: true, mapped: true, memcg: 0, thp: false, nodes: [op.hop, 0, 1, 2], now });
              if (bytes > left) m.evicted.remove(out.owner, out.vstart, out.vstart + bytes - left);
            }
            const before = placement(m, pages);
            m.evict(a, b);
            placement(m, pages).forEach((nodes, owner) => {
              for (let p = 0; p < nodes.length; p++) if (nodes[p] < 0 && before[owner][p] >= 0) ref.forget(owner, p);
            });
            continue;
          }
          const before = placement(m, pages);
          const target = (op.node + op.hop) % 3;
          m.migrateRange(a, b, target, op.fallback ? m.otherNodes(target) : [], now);
          placement(m, pages).forEach((nodes, owner) => {
            for (let p = 0; p < nodes.length; p++) if (nodes[p] !== before[owner][p]) ref.move(owner, p, before[owner][p], nodes[p], now);
          });
        }
        // The brute force saw every byte that changed node.
        const moved = m.migratedBytes.reduce((s, row, i) => s + row.reduce((x, v, j) => x + (i === j ? 0 : v), 0), 0);
        expect(ref.moved).toBe(moved);
        expect(m.returns.returned).toEqual(ref.returned);
        expect(m.returns.awayByteNs).toEqual(ref.away);
      },
    ),
    { numRuns: 120, seed: withEvictions ? 6 : 5 },
  );
}

describe('Machine.returns', () => {
  it('equals a per-page history of the pages whose node each migration changed (base pages and THPs, full targets, fallbacks)', () => {
    checkAgainstPages(false);
  });

  it('forgets what was paged out: a refault is a first placement, on whatever node it lands (pageouts and refaults between the migrations)', () => {
    checkAgainstPages(true);
  });

  it('a migration after a pageout and refault is a first departure, wherever the refault put the page', () => {
    const m = new Machine({
      base: 4 * GiB,
      holeBetweenNodes: 2 * MiB,
      nodes: [0, 1].map((i) => ({ capacity: 8 * MiB, kind: i === 0 ? 'dram' : 'cxl', latencyNs: 100, reserved: 0, watermark: 0 })),
      swap: 8 * MiB,
    });
    const [n0, n1] = m.nodes;
    const len = 16 * PAGE_SIZE;
    const refault = (nodes: number[], now: number) => {
      m.allocate({ owner: 0, vstart: VBASE, bytes: len, anon: true, mapped: true, memcg: 0, thp: false, nodes, now });
      m.evicted.remove(0, VBASE, VBASE + len);
    };
    m.allocate({ owner: 0, vstart: VBASE, bytes: len, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0, 1], now: 0 });
    m.migrateRange(n0.start, n0.start + len, 1, [], 1e9); // left node 0 at 1 s
    m.evict(n1.start, n1.start + len);
    refault([1, 0], 2e9); // on node 1 again, by a refault
    // Back to node 0, which it left at 1 s by migration: not a return, as the pageout came between
    // (without forgetting, a return 9 s away).
    m.migrateRange(n1.start, n1.start + len, 0, [], 10e9);
    expect(m.returns.returned[1][0]).toBe(0);
    expect(m.returns.awayByteNs[1][0]).toBe(0);
    m.migrateRange(n0.start, n0.start + len, 1, [], 25e9); // left node 1 at 10 s: a return, 15 s away
    expect(m.returns.returned[0][1]).toBe(len);
    expect(m.returns.awayByteNs[0][1]).toBe(len * 15e9);
    expect(m.migratedBytes[0][1]).toBe(2 * len);
  });
});
