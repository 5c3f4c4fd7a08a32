// SPDX-License-Identifier: GPL-2.0-only
/**
 * The extent list's one-splice operations against the step-by-step ones they replace: cutting at
 * the range's edges (isolate), writing the range, then joining neighbour by neighbour.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExtKind, Extent, ExtentList } from '../src/machine/extents.js';

const PAGE = 4096;

interface Spec {
  pages: number;
  kind: ExtKind;
  owner: number;
  /** Whether the extent maps the virtual pages right after its predecessor's (so they may join). */
  contiguous: boolean;
  hole: number;
}

const specArb = fc.record({
  pages: fc.integer({ min: 1, max: 6 }),
  kind: fc.constantFrom(ExtKind.Free, ExtKind.Lru, ExtKind.NonLru),
  owner: fc.integer({ min: 1, max: 2 }),
  contiguous: fc.boolean(),
  hole: fc.constantFrom(0, 0, 0, 1),
});

function build(specs: Spec[], at: number): Extent[] {
  const out: Extent[] = [];
  let addr = at;
  let v = 1 << 30;
  for (const s of specs) {
    addr += s.hole * PAGE;
    const e = new Extent(addr, addr + s.pages * PAGE, 0, s.kind);
    if (s.kind !== ExtKind.Free) {
      e.owner = s.owner;
      if (!s.contiguous) v += 64 * PAGE;
      e.vstart = v;
      v += s.pages * PAGE;
    }
    out.push(e);
    addr = e.end;
  }
  return out;
}

const clone = (e: Extent): Extent => e.slice(e.start, e.end);
const view = (l: ExtentList) => l.items.map((e) => [e.start, e.end, e.kind, e.owner, e.vstart]);

/** The join the list did before: one neighbour pair at a time, one splice per join. */
function coalesceStepwise(a: Extent[], from: number, to: number): void {
  let i = Math.max(0, from - 1);
  let end = Math.min(a.length - 1, to);
  while (i < end) {
    if (a[i].continuedBy(a[i + 1])) {
      a[i].end = a[i + 1].end;
      a.splice(i + 1, 1);
      end--;
    } else i++;
  }
}

describe('ExtentList', () => {
  it('replaceRange = isolate, write, join neighbour by neighbour', () => {
    fc.assert(
      fc.property(
        fc.array(specArb, { minLength: 0, maxLength: 8 }),
        fc.array(specArb, { minLength: 1, maxLength: 3 }),
        fc.nat(60),
        (listSpecs, pieceSpecs, startPage) => {
          const base = 1 << 20;
          const mine = new ExtentList();
          const ref = new ExtentList();
          for (const e of build(listSpecs, base)) {
            mine.items.push(clone(e));
            ref.items.push(clone(e));
          }
          // Pieces without holes: they cover [start, end) exactly.
          const pieces = build(pieceSpecs.map((p) => ({ ...p, hole: 0 })), base + startPage * PAGE);
          const start = pieces[0].start;
          const end = pieces[pieces.length - 1].end;
          mine.replaceRange(start, end, pieces.map(clone));
          const [i, j] = ref.isolate(start, end);
          ref.items.splice(i, j - i, ...pieces.map(clone));
          coalesceStepwise(ref.items, i, i + pieces.length);
          expect(view(mine)).toEqual(view(ref));
        },
      ),
      { numRuns: 2000, seed: 0xe87 },
    );
  });

  it('coalesce joins exactly what the stepwise join does', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 1, maxLength: 10 }), fc.nat(10), fc.nat(10), (specs, x, y) => {
        const mine = new ExtentList();
        const ref: Extent[] = [];
        for (const e of build(specs, 1 << 20)) {
          mine.items.push(clone(e));
          ref.push(clone(e));
        }
        const from = Math.min(x, y);
        const to = Math.max(x, y);
        mine.coalesce(from, to);
        coalesceStepwise(ref, from, to);
        expect(view(mine)).toEqual(ref.map((e) => [e.start, e.end, e.kind, e.owner, e.vstart]));
      }),
      { numRuns: 2000, seed: 0xc0a },
    );
  });

  it('findNear answers as find does, whatever order the addresses come in (holes included)', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 0, maxLength: 40 }), fc.array(fc.integer({ min: -2, max: 300 }), { maxLength: 60 }), (specs, pages) => {
        const l = new ExtentList();
        l.items.push(...build(specs, 16 * PAGE));
        for (const p of pages) {
          const addr = 16 * PAGE + p * (PAGE / 2);
          expect(l.findNear(addr), `addr ${addr}`).toBe(l.find(addr));
        }
      }),
      { numRuns: 2000, seed: 0xf1d },
    );
  });
});
