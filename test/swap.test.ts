// SPDX-License-Identifier: GPL-2.0-only
/**
 * The evicted-memory store (machine/swap.ts) against a page-by-page model: after any sequence of
 * pageouts (adds of ranges not held) and refaults (removes of any range), its ranges are the
 * model's pages as maximal runs of equal attributes, owner by owner and in address order, and its
 * byte counts are the model's. Blocks of two to five ranges make every edit cross block edges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvictedStore, type EvictedRange } from '../src/machine/swap.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';

const PAGE = 4096;
const PAGES = 96;

type Op =
  | { kind: 'add'; owner: number; at: number; len: number; anon: boolean; mapped: boolean; memcg: number }
  | { kind: 'remove'; owner: number; at: number; len: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({
      kind: fc.constant('add' as const),
      owner: fc.integer({ min: 0, max: 2 }),
      at: fc.integer({ min: 0, max: PAGES - 1 }),
      len: fc.integer({ min: 1, max: 12 }),
      // Mostly one kind, so that adds often join a neighbour or both.
      anon: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      mapped: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      memcg: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
    }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), owner: fc.integer({ min: 0, max: 2 }), at: fc.integer({ min: 0, max: PAGES - 1 }), len: fc.integer({ min: 1, max: 30 }) }) },
);

/** Per owner, per page: its attributes while evicted. */
type Model = Map<number, Array<{ anon: boolean; mapped: boolean; memcg: number } | undefined>>;

function modelRanges(model: Model): EvictedRange[] {
  const out: EvictedRange[] = [];
  for (const owner of [...model.keys()].sort((a, b) => a - b)) {
    const pages = model.get(owner)!;
    for (let p = 0; p < PAGES; p++) {
      const a = pages[p];
      if (!a) continue;
      const last = out[out.length - 1];
      if (last && last.owner === owner && last.vend === p * PAGE && last.anon === a.anon && last.mapped === a.mapped && last.memcg === a.memcg) last.vend += PAGE;
      else out.push({ owner, vstart: p * PAGE, vend: (p + 1) * PAGE, ...a });
    }
  }
  return out;
}

describe('EvictedStore', () => {
  it('holds what a page-by-page model holds, as maximal runs, after random pageouts and refaults', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.array(opArb, { minLength: 40, maxLength: 160 }), (blockMax, ops) => {
        const store = new EvictedStore(1 << 30, blockMax);
        const model: Model = new Map();
        for (const op of ops) {
          if (!model.has(op.owner)) model.set(op.owner, new Array(PAGES).fill(undefined));
          const pages = model.get(op.owner)!;
          if (op.kind === 'add') {
            // A pageout adds memory that is resident: cut the range at the first page already held.
            let end = op.at;
            while (end < Math.min(PAGES, op.at + op.len) && pages[end] === undefined) end++;
            if (end === op.at) continue;
            const attrs = { anon: op.anon, mapped: op.mapped, memcg: op.memcg };
            for (let p = op.at; p < end; p++) pages[p] = attrs;
            store.add({ owner: op.owner, vstart: op.at * PAGE, vend: end * PAGE, ...attrs });
          } else {
            const end = Math.min(PAGES, op.at + op.len);
            for (let p = op.at; p < end; p++) pages[p] = undefined;
            store.remove(op.owner, op.at * PAGE, end * PAGE);
          }
          const want = modelRanges(model);
          expect(store.ranges()).toEqual(want);
          expect(store.nrRanges).toBe(want.length);
          expect(store.totalBytes).toBe(want.reduce((s, r) => s + r.vend - r.vstart, 0));
          expect(store.swapUsed).toBe(want.reduce((s, r) => s + (r.anon ? r.vend - r.vstart : 0), 0));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('joins a range with both neighbours and cuts one range into two', () => {
    const store = new EvictedStore(1 << 30, 2);
    const r = (vstart: number, vend: number): EvictedRange => ({ owner: 7, vstart, vend, anon: true, mapped: false, memcg: 0 });
    store.add(r(0, 4096));
    store.add(r(8192, 12288));
    store.add(r(20480, 24576));
    expect(store.nrRanges).toBe(3);
    store.add(r(4096, 8192));
    expect(store.ranges().map((x) => [x.vstart, x.vend])).toEqual([[0, 12288], [20480, 24576]]);
    store.remove(7, 4096, 8192);
    expect(store.ranges().map((x) => [x.vstart, x.vend])).toEqual([[0, 4096], [8192, 12288], [20480, 24576]]);
    expect(store.totalBytes).toBe(3 * 4096);
    expect(store.swapUsed).toBe(3 * 4096);
    // A refault's cut: the start of a range (that range only begins later).
    store.add(r(12288, 16384));
    store.remove(7, 8192, 12288);
    expect(store.ranges().map((x) => [x.vstart, x.vend])).toEqual([[0, 4096], [12288, 16384], [20480, 24576]]);
    expect(store.totalBytes).toBe(3 * 4096);
    expect(store.swapUsed).toBe(3 * 4096);
    store.remove(7, 0, 1 << 20);
    expect(store.ranges()).toEqual([]);
    expect(store.totalBytes).toBe(0);
    expect(store.swapUsed).toBe(0);
  });
});

describe('what reclaim did, in the aggr records of a run with a pageout scheme', () => {
  it('evicted, swapped, refaulted and psi_some_us: memory conserved, counters growing (a researcher review)', () => {
    const doc = parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'damon-reclaim.yaml'), 'utf8')) as { duration: string };
    doc.duration = '4 m';
    const { aggrs } = runScenario(scenarioFromDoc(doc).scenario);
    const last = aggrs[aggrs.length - 1];
    // DAMON_RECLAIM pages out anon memory idle for 2 minutes: some is on swap, some came back.
    expect(last.evicted!).toBeGreaterThan(256 * 2 ** 20);
    expect(last.swapped).toBe(last.evicted);
    expect(last.refaulted!).toBeGreaterThan(0);
    expect(last.psi_some_us!).toBeGreaterThan(0);
    // What left memory is what is evicted now: used + evicted stays the workload's first footprint.
    const base = aggrs[0].node_used[0] + aggrs[0].evicted!;
    expect(aggrs.filter((a) => a.node_used[0] + a.evicted! !== base)).toEqual([]);
    expect(aggrs.every((a, i) => i === 0 || (a.refaulted! >= aggrs[i - 1].refaulted! && a.psi_some_us! >= aggrs[i - 1].psi_some_us!))).toBe(true);
    // A run without a pageout scheme leaves the fields out.
    const tiering = tiering6040('temporal');
    tiering.duration = 2;
    expect(Object.keys(runScenario(scenarioFromDoc(tiering).scenario).aggrs[0])).not.toContain('evicted');
  });
});
