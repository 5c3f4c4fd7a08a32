// SPDX-License-Identifier: GPL-2.0-only
/**
 * RegionWalk (src/damon/region.ts), the apply pass's region iterator, against a plain array model:
 * random walks of next / split-and-visit / split-and-pass-over / split-and-enter-right / fold over
 * random region lists, in both iterator modes. After every operation the walk's damon_nr_regions()
 * (what damos_before_apply prints) equals the model's length, and finish() leaves the model's list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DamonRegion, DamonTarget, RegionWalk } from '../src/damon/region.js';

const UNIT = 4096;

type Op = { kind: 'next' } | { kind: 'split'; at: number } | { kind: 'enterRight'; at: number } | { kind: 'fold' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Op>({ kind: 'next' }) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map<Op>((at) => ({ kind: 'split', at })) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map<Op>((at) => ({ kind: 'enterRight', at })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'fold' }) },
);

describe('RegionWalk', () => {
  it('counts its regions (damon_nr_regions) through splits and folds, and finishes with the same list as a plain array', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 8 }), fc.array(opArb, { maxLength: 40 }), fc.boolean(), (sizes, ops, splitsVisited) => {
        const t = new DamonTarget();
        let a = 0;
        for (const n of sizes) {
          t.regions.push(new DamonRegion(a, a + n * UNIT));
          a += n * UNIT;
        }
        // The model: the list as the kernel holds it, and the index of the current region.
        const model = [...t.regions];
        let cur = -1;
        // The region the walk visits next (split-off parts the safe walk passes over are skipped).
        let next: DamonRegion | undefined = model[0];
        const w = new RegionWalk(t, splitsVisited);
        const advance = () => {
          const r = w.next();
          cur = next ? model.indexOf(next) : -1;
          next = cur >= 0 ? model[cur + 1] : undefined;
          expect(r).toBe(cur >= 0 ? model[cur] : undefined);
        };
        advance();
        for (const op of ops) {
          if (cur < 0) break;
          const r = model[cur];
          const units = (r.end - r.start) / UNIT;
          if (op.kind === 'next') advance();
          else if (op.kind === 'fold') {
            if (cur === 0 || model[cur - 1].end !== r.start) continue;
            model[cur - 1].end = r.end;
            model.splice(cur, 1);
            w.foldCurIntoPrev();
            cur--;
          } else {
            if (units < 2) continue;
            const sz = Math.min(units - 1, 1 + Math.floor(op.at * (units - 1))) * UNIT;
            if (op.kind === 'enterRight') {
              if (splitsVisited) continue; // only the safe (mainline) walk enters the right part
              const n = w.splitCurEnterRight(sz);
              model.splice(cur + 1, 0, n);
              cur++;
              expect(w.cur).toBe(n);
            } else {
              const n = w.splitCur(sz);
              model.splice(cur + 1, 0, n);
              // The non-safe walk visits the right part next; the safe one passes over it.
              if (splitsVisited) next = n;
            }
          }
          expect(w.nrRegions()).toBe(model.length);
        }
        w.finish();
        expect(t.regions).toEqual(model);
        for (let i = 1; i < t.regions.length; i++) expect(t.regions[i].start).toBe(t.regions[i - 1].end);
      }),
      { numRuns: 300 },
    );
  });
});
