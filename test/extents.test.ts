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
const view = (l: ExtentList) => l.toArray().map((e) => [e.start, e.end, e.kind, e.owner, e.vstart]);

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
            mine.push(clone(e));
            ref.push(clone(e));
          }
          // Pieces without holes: they cover [start, end) exactly.
          const pieces = build(pieceSpecs.map((p) => ({ ...p, hole: 0 })), base + startPage * PAGE);
          const start = pieces[0].start;
          const end = pieces[pieces.length - 1].end;
          mine.replaceRange(start, end, pieces.map(clone));
          const [i, j] = ref.isolate(start, end);
          ref.splice(i, j - i, pieces.map(clone));
          const stepwise = ref.toArray();
          coalesceStepwise(stepwise, i, i + pieces.length);
          expect(view(mine)).toEqual(stepwise.map((e) => [e.start, e.end, e.kind, e.owner, e.vstart]));
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
          mine.push(clone(e));
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
        for (const e of build(specs, 16 * PAGE)) l.push(e);
        for (const p of pages) {
          const addr = 16 * PAGE + p * (PAGE / 2);
          expect(l.findNear(addr), `addr ${addr}`).toBe(l.find(addr));
        }
      }),
      { numRuns: 2000, seed: 0xf1d },
    );
  });
  it('lowerBoundFrom answers as lowerBound does, from any starting index', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 0, maxLength: 40 }), fc.integer({ min: -2, max: 300 }), fc.integer({ min: -1, max: 45 }), (specs, page, from) => {
        const l = new ExtentList();
        for (const e of build(specs, 16 * PAGE)) l.push(e);
        const addr = 16 * PAGE + page * (PAGE / 2);
        expect(l.lowerBoundFrom(addr, from), `addr ${addr} from ${from}`).toBe(l.lowerBound(addr));
      }),
      { numRuns: 3000, seed: 0x1b0 },
    );
  });

  it('keeps the same extents, in order, as a plain array under splices, inserts and joins (slot reuse)', () => {
    // Operations on positions only: the list's slot storage must hold exactly what a plain array
    // would, however slots are released and reused (and past its first growth). The two sides get
    // twin objects (a join grows one in place); memcg tags the twins (free frames join regardless).
    const op = fc.oneof(
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(200), del: fc.nat(4), add: fc.nat(5) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(200) }),
      fc.record({ kind: fc.constant('coalesce' as const), at: fc.nat(200), len: fc.nat(8) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        const l = new ExtentList();
        const ref: Extent[] = [];
        let made = 0;
        const twins = (): [Extent, Extent] => {
          const e = new Extent(made * PAGE, (made + 1) * PAGE, 0, ExtKind.Free);
          e.memcg = made++;
          return [e, clone(e)];
        };
        const put = (at: number, del: number, n: number): void => {
          const pairs = Array.from({ length: n }, twins);
          l.splice(at, del, pairs.map((p) => p[0]));
          ref.splice(at, del, ...pairs.map((p) => p[1]));
        };
        put(0, 0, 70);
        for (const o of ops) {
          const at = ref.length === 0 ? 0 : o.at % (ref.length + 1);
          if (o.kind === 'splice') put(at, o.del, o.add);
          else if (o.kind === 'insert') {
            const [e, f] = twins();
            l.insert(at, e);
            ref.splice(at, 0, f);
          } else {
            // Lay the extents around the range end to end on both sides, so that they join.
            const from = Math.max(0, at - 1);
            const to = Math.min(ref.length - 1, at + o.len);
            const mine = l.toArray();
            for (let k = from + 1; k <= to; k++) {
              for (const side of [ref, mine]) {
                side[k].end = side[k - 1].end + (side[k].end - side[k].start);
                side[k].start = side[k - 1].end;
              }
            }
            l.coalesce(at, to);
            coalesceStepwise(ref, at, to);
          }
          expect(l.length).toBe(ref.length);
          expect(l.toArray().map((e) => [e.start, e.end, e.memcg])).toEqual(ref.map((e) => [e.start, e.end, e.memcg]));
        }
      }),
      { numRuns: 500, seed: 0x5107 },
    );
  });
});
