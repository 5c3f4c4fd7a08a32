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

  // The searches keep cursors (the previous answers) that edits make stale: each answer is checked
  // against a scan of the list, with splitAt() and removals between the questions.
  const scanFind = (l: ExtentList, addr: number) => l.toArray().findIndex((e) => e.start <= addr && addr < e.end);
  const scanLowerBound = (l: ExtentList, addr: number) => {
    const i = l.toArray().findIndex((e) => e.end > addr);
    return i < 0 ? l.length : i;
  };
  const opArb = fc.record({ kind: fc.constantFrom('find', 'near', 'lower', 'from', 'split', 'remove'), page: fc.integer({ min: -2, max: 300 }), from: fc.integer({ min: -1, max: 45 }) });

  it('find, findNear, lowerBound and lowerBoundFrom answer as a scan does, in any order and across edits (holes included)', () => {
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 0, maxLength: 40 }), fc.array(opArb, { maxLength: 80 }), (specs, ops) => {
        const l = new ExtentList();
        for (const e of build(specs, 16 * PAGE)) l.push(e);
        for (const op of ops) {
          const addr = 16 * PAGE + op.page * (PAGE / 2);
          if (op.kind === 'find') expect(l.find(addr), `find ${addr}`).toBe(scanFind(l, addr));
          else if (op.kind === 'near') expect(l.findNear(addr), `findNear ${addr}`).toBe(scanFind(l, addr));
          else if (op.kind === 'lower') expect(l.lowerBound(addr), `lowerBound ${addr}`).toBe(scanLowerBound(l, addr));
          else if (op.kind === 'from') expect(l.lowerBoundFrom(addr, op.from), `lowerBoundFrom ${addr} ${op.from}`).toBe(scanLowerBound(l, addr));
          else if (op.kind === 'split') {
            const i = scanFind(l, addr - (addr % PAGE));
            expect(l.splitAt(addr - (addr % PAGE))).toBe(i < 0 ? scanLowerBound(l, addr - (addr % PAGE)) : l.toArray()[i].start === addr - (addr % PAGE) ? i : i + 1);
          } else if (l.length > 0) l.splice(Math.abs(op.from) % l.length, 1, []);
        }
      }),
      { numRuns: 3000, seed: 0xf1d },
    );
  });

  it('reuses, after recycle(), only extent objects that left the list, reset as new ones', () => {
    const fresh = (e: Extent) => [e.folioSize, e.owner, e.vstart, e.anon, e.active, e.mapped, e.memcg, e.oldSince, e.listed];
    const blank = fresh(new Extent(0, PAGE, 0, ExtKind.Free));
    // replaceRange() takes its left neighbour out and puts it back: that one is not dead.
    const l = new ExtentList();
    const [a, b] = build([{ pages: 1, kind: ExtKind.Lru, owner: 1, contiguous: true, hole: 0 }, { pages: 1, kind: ExtKind.Free, owner: 1, contiguous: true, hole: 0 }], 0);
    l.push(a);
    l.push(b);
    const c = a.slice(PAGE, 2 * PAGE, new Extent(PAGE, 2 * PAGE, 0, ExtKind.Lru)); // continues a
    c.end = 2 * PAGE;
    c.vstart = a.vstart + PAGE;
    l.replaceRange(PAGE, 2 * PAGE, [c]);
    expect(l.toArray()).toEqual([a]);
    expect(a.end).toBe(2 * PAGE);
    expect(l.make(0, PAGE, 0, ExtKind.Free)).not.toBe(b); // dead, but not recycled yet
    l.recycle();
    const again = l.make(5 * PAGE, 6 * PAGE, 1, ExtKind.NonLru);
    expect(again).toBe(b);
    expect([again.start, again.end, again.node, again.kind, ...fresh(again).slice(0, -1)]).toEqual([5 * PAGE, 6 * PAGE, 1, ExtKind.NonLru, ...blank.slice(0, -1)]);
    expect(l.make(0, PAGE, 0, ExtKind.Free)).not.toBe(a);
    // Random splices and joins: whatever make() hands out after recycle() is in no slot of the list.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(100), del: fc.nat(4), add: fc.nat(4) }),
      fc.record({ kind: fc.constant('coalesce' as const), at: fc.nat(100), len: fc.nat(6) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const m = new ExtentList();
        let next = 0;
        const make = () => m.make(next * PAGE, ++next * PAGE, 0, ExtKind.Free);
        m.splice(0, 0, Array.from({ length: 40 }, make));
        for (const o of ops) {
          const at = o.at % (m.length + 1);
          if (o.kind === 'splice') m.splice(at, o.del, Array.from({ length: o.add }, make));
          else {
            const arr = m.toArray();
            for (let k = Math.max(1, at); k <= Math.min(arr.length - 1, at + o.len); k++) {
              arr[k].end = arr[k - 1].end + (arr[k].end - arr[k].start);
              arr[k].start = arr[k - 1].end;
            }
            m.coalesce(at, Math.min(arr.length - 1, at + o.len));
          }
          m.recycle();
          const listed = new Set(m.toArray());
          expect([...listed].every((e) => e.listed)).toBe(true);
          for (let k = 0; k < 8; k++) {
            const x = make();
            expect(listed.has(x)).toBe(false);
            expect(fresh(x)).toEqual(blank);
          }
        }
      }),
      { numRuns: 300, seed: 0x7ec1 },
    );
  });

  it('keeps at most 2^16 dead extents for reuse (only migrations recycle; the rest become garbage)', () => {
    const l = new ExtentList();
    const all = Array.from({ length: 70_000 }, (_, i) => new Extent(i * PAGE, (i + 1) * PAGE, 0, ExtKind.Free));
    l.splice(0, 0, all);
    l.coalesce(0, l.length - 1); // free frames join: 69,999 leave
    expect(l.length).toBe(1);
    l.recycle();
    const old = new Set(all);
    const reused = Array.from({ length: 70_000 }, () => l.make(0, PAGE, 0, ExtKind.Free)).filter((e) => old.has(e));
    expect(reused.length).toBe(2 ** 16);
  });

  it('keeps the same extents, in order, as a plain array under splices, inserts and joins (slot reuse)', () => {
    // Operations on positions only: the list's slot storage must hold exactly what a plain array
    // would, however slots are released and reused, wherever its gap was left by the last edit
    // (and past growths with the gap anywhere). The two sides get
    // twin objects (a join grows one in place); memcg tags the twins (free frames join regardless).
    const op = fc.oneof(
      fc.record({ kind: fc.constant('splice' as const), at: fc.nat(200), del: fc.nat(4), add: fc.nat(9) }),
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
        // Fewer than the first array's 64 places: the list grows (by 2×) with the gap wherever the
        // last edit left it, once or twice in a run.
        put(0, 0, 40);
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
