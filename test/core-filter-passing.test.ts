// SPDX-License-Identifier: GPL-2.0-only
/**
 * coreFilterPassing(): which of the machine's bytes a scheme's core addr filters let through, the
 * ranges the config check for migrate schemes that move nothing is computed from. Hand cases on
 * the tiering setup (node 0 DRAM, node 1 CXL; a PULL scheme migrates to node 0 and should let
 * through node 1's memory), then a cross-check against coreFilterOut() itself, page by page.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx } from './helpers/ctx.js';
import { DamonRegion, DamonTarget, RegionWalk } from '../src/damon/region.js';
import { coreFilterOut, coreFilterPassing, intersectRanges, subtractRanges, unionRanges, type ByteRange } from '../src/damos/filters.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject, type DamosFilter } from '../src/damos/scheme.js';
import { minRegionSzFor } from '../src/run/build.js';

const M = 2 ** 20;
const G = 2 ** 30;
/** goodDoc()'s machine in config-errors.test.ts: two 32 MiB nodes from 4 GiB. */
const N0 = { start: 4 * G, end: 4128 * M };
const N1 = { start: 4128 * M, end: 4160 * M };
const MEM = [N0, N1];
const ALL = { start: N0.start, end: N1.end };

type F = Pick<DamosFilter, 'type' | 'matching' | 'allow' | 'addrStart' | 'addrEnd'>;
/** An addr filter over physical range r, in core addresses at addr_unit au (r divided by it). */
const addr = (r: ByteRange, matching: boolean, allow: boolean, au = 1): F => ({ type: 'addr', matching, allow, addrStart: r.start / au, addrEnd: r.end / au });
const passing = (filters: F[], opts: { ops?: boolean; au?: number; mem?: ByteRange[] } = {}) => {
  const au = opts.au ?? 1;
  return coreFilterPassing(filters, opts.ops ?? false, minRegionSzFor(au), au, opts.mem ?? MEM);
};

describe('coreFilterPassing: what the core filters let through, by the kernel rules', () => {
  it('one filter: the tiering pair right, swapped, and its negations', () => {
    // PULL as written: allow node 1's range; the last filter allows, so what it misses is rejected.
    expect(passing([addr(N1, true, true)])).toEqual([N1]);
    // The pair swapped: node 0's range only (a PULL to node 0 then moves nothing).
    expect(passing([addr(N0, true, true)])).toEqual([N0]);
    // Rejecting the other node: the last filter rejects, so the rest passes — node 0 alone.
    expect(passing([addr(N1, true, false)])).toEqual([N0]);
    // Rejecting the own node: node 1 passes by the same default.
    expect(passing([addr(N0, true, false)])).toEqual([N1]);
    // Double negation on node 1's range: it matches (and rejects) what lies outside node 1; node 1
    // matches nothing and passes by default (the last filter rejects): the same as allowing node 1.
    expect(passing([addr(N1, false, false)])).toEqual([N1]);
    // On node 0's range it leaves node 0 alone.
    expect(passing([addr(N0, false, false)])).toEqual([N0]);
    // matching: false, allow: true over all memory matches nothing; the default (last allows) rejects all.
    expect(passing([addr(ALL, false, true)])).toEqual([]);
    // Rejecting all of it.
    expect(passing([addr(ALL, true, false)])).toEqual([]);
  });

  it('no core filter lets everything through; a target filter is judged only given the one target the memory is', () => {
    expect(passing([])).toEqual([ALL]);
    const target = (idx: number, matching: boolean, allow: boolean): F & { targetIdx: number } => ({ type: 'target', matching, allow, addrStart: 0, addrEnd: 0, targetIdx: idx });
    expect(passing([target(0, true, true)])).toBeUndefined();
    expect(passing([addr(N1, true, true), target(0, true, false)])).toBeUndefined();
    const one = (filters: F[]) => coreFilterPassing(filters, false, minRegionSzFor(1), 1, MEM, 0);
    // Allowing the target is all of it; allowing another is none (the last filter allows).
    expect(one([target(0, true, true)])).toEqual([ALL]);
    expect(one([target(1, true, true)])).toEqual([]);
    // Rejecting the target after an addr filter that allows node 1: node 1 only.
    expect(one([addr(N1, true, true), target(0, true, false)])).toEqual([N1]);
    // Rejecting another target first decides nothing; the addr filter then lets node 1 through.
    expect(one([target(1, true, false), addr(N1, true, true)])).toEqual([N1]);
  });

  it('several filters: the first that matches decides, and the last one sets the default', () => {
    // Node 1 rejected first, so the allow-all behind it lets through node 0 only.
    expect(passing([addr(N1, true, false), addr(ALL, true, true)])).toEqual([N0]);
    // Node 1 allowed first: the reject-all behind it does not take it back.
    expect(passing([addr(N1, true, true), addr(ALL, true, false)])).toEqual([N1]);
    // Both nodes named, node 0 rejected, node 1 allowed: node 1.
    expect(passing([addr(N0, true, false), addr(N1, true, true)])).toEqual([N1]);
    // Order matters where ranges overlap: the first half of node 1 rejected, the rest allowed.
    const half = { start: N1.start, end: N1.start + 16 * M };
    expect(passing([addr(half, true, false), addr(N1, true, true)])).toEqual([{ start: half.end, end: N1.end }]);
    // The other way round node 1 passes whole, and node 0 by the new default (the last filter rejects).
    expect(passing([addr(N1, true, true), addr(half, true, false)])).toEqual([ALL]);
  });

  it('an ops filter turns the core default to pass (the ops layer judges what no core filter matched)', () => {
    expect(passing([addr(N1, true, true)], { ops: true })).toEqual([ALL]);
    expect(passing([addr(ALL, false, true)], { ops: true })).toEqual([ALL]);
    // A match still decides.
    expect(passing([addr(N0, true, false)], { ops: true })).toEqual([N1]);
  });

  it('addr_unit: ranges are core addresses, and memory is bytes (core × addr_unit)', () => {
    // addr_unit 4: node 1's range divided by 4 is node 1.
    expect(passing([addr(N1, true, true, 4)], { au: 4 })).toEqual([N1]);
    // The bytes themselves at addr_unit 4 name memory four times as high: none of it, then.
    expect(passing([addr(N1, true, true)], { au: 4 })).toEqual([]);
    // addr_unit 8192: min_region_sz is 1 core address (8 KiB).
    expect(passing([addr(N0, true, false, 8192)], { au: 8192 })).toEqual([N1]);
    // One core address past node 0's end at addr_unit 8192 takes 8 KiB of node 1 along.
    expect(passing([{ type: 'addr', matching: true, allow: true, addrStart: N0.start / 8192, addrEnd: N0.end / 8192 + 1 }], { au: 8192 })).toEqual([{ start: N0.start, end: N0.end + 8192 }]);
  });

  it('a bound not aligned to min_region_sz is aligned down, as damos_filter_match() does', () => {
    // 100 bytes past node 1's start and 4095 past its end: node 1 exactly.
    expect(passing([{ type: 'addr', matching: true, allow: true, addrStart: N1.start + 100, addrEnd: N1.end + 4095 }])).toEqual([N1]);
    // 6000 bytes in: the range starts at the page boundary below, 4096 bytes in.
    expect(passing([{ type: 'addr', matching: true, allow: true, addrStart: N1.start + 6000, addrEnd: N1.end }])).toEqual([{ start: N1.start + 4096, end: N1.end }]);
    // In core units at addr_unit 4 (min_region_sz 1024 of them): 1000 units in aligns back to the start.
    expect(passing([{ type: 'addr', matching: true, allow: true, addrStart: N1.start / 4 + 1000, addrEnd: N1.end / 4 }], { au: 4 })).toEqual([N1]);
    // A range inside one min_region_sz unit aligns to nothing: it matches no memory.
    expect(passing([{ type: 'addr', matching: true, allow: true, addrStart: N1.start + 10, addrEnd: N1.start + 4000 }])).toEqual([]);
    // A reversed range matches nothing either (the kernel tests it as given).
    expect(passing([{ type: 'addr', matching: true, allow: false, addrStart: N1.end, addrEnd: N1.start }])).toEqual([ALL]);
  });

  it('memory with a hole between nodes: the hole is no memory, whatever the filters say', () => {
    const a = { start: 4 * G, end: 4 * G + 32 * M };
    const b = { start: 5 * G, end: 5 * G + 32 * M };
    expect(passing([], { mem: [a, b] })).toEqual([a, b]);
    expect(passing([addr({ start: 4 * G + 16 * M, end: 5 * G + 16 * M }, true, true)], { mem: [a, b] })).toEqual([
      { start: 4 * G + 16 * M, end: a.end },
      { start: b.start, end: 5 * G + 16 * M },
    ]);
  });
});

describe('coreFilterPassing agrees with coreFilterOut() page by page', () => {
  const PAGE = 4096;
  const match = { ...MATCH_ALL };

  /** What coreFilterOut() does with the page at physical byte p, as one region of its own. */
  function kernelPasses(s: Damos, au: number, p: number): boolean {
    const ctx = newCtx();
    ctx.addrUnit = au;
    ctx.minRegionSz = minRegionSzFor(au);
    const t = new DamonTarget();
    ctx.targets = [t];
    const r = new DamonRegion(p / au, (p + PAGE) / au);
    t.regions.push(r);
    const w = new RegionWalk(t);
    w.next();
    const out = coreFilterOut(ctx, w, s);
    // A page is one min_region_sz unit: no aligned filter bound falls inside it.
    expect(w.cur!.end).toBe((p + PAGE) / au);
    return !out;
  }

  it('on random machines, filter lists and addr_units', () => {
    // Now and then a target filter (the context's one target is index 0: index 1 matches nothing).
    const filterArb = fc.record({
      start: fc.nat({ max: 80 * PAGE }),
      len: fc.integer({ min: -2 * PAGE, max: 40 * PAGE }),
      matching: fc.boolean(),
      allow: fc.boolean(),
      target: fc.option(fc.nat({ max: 1 }), { freq: 4 }),
    });
    fc.assert(
      fc.property(
        fc.nat({ max: 16 }),
        fc.array(fc.tuple(fc.nat({ max: 3 }), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(1, 2, 1024, 4096),
        fc.array(filterArb, { maxLength: 4 }),
        fc.boolean(),
        (basePages, nodes, au, fs, ops) => {
          // Nodes as the machine lays them out: a hole (in pages) before each, then its pages.
          const mem: ByteRange[] = [];
          let at = basePages * PAGE;
          for (const [hole, pages] of nodes) {
            at += hole * PAGE;
            mem.push({ start: at, end: at + pages * PAGE });
            at += pages * PAGE;
          }
          // Filter bounds in core addresses, anywhere, aligned or not (byte-exact at addr_unit 1).
          const filters: Array<F & { targetIdx: number }> = fs.map((f) => {
            if (f.target !== null) return { type: 'target', matching: f.matching, allow: f.allow, addrStart: 0, addrEnd: 0, targetIdx: f.target };
            const start = Math.floor(f.start / au) + (f.start % 7);
            return { type: 'addr', matching: f.matching, allow: f.allow, addrStart: start, addrEnd: Math.max(0, start + Math.trunc(f.len / au)), targetIdx: 0 };
          });
          const s = new Damos(match, 'migrate_hot', 0, new DamosQuota(), { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true }, 0);
          for (const f of filters) addFilter(s, { ...newFilter(f.type, f.matching, f.allow), addrStart: f.addrStart, addrEnd: f.addrEnd, targetIdx: f.targetIdx });
          if (ops) addFilter(s, newFilter('anon', true, false));
          setFiltersDefaultReject(s);

          const got = coreFilterPassing(filters, ops, minRegionSzFor(au), au, mem, 0);
          expect(got).toBeDefined();
          const ranges = got!;
          // Sorted, apart, whole pages, inside the memory.
          ranges.forEach((r, i) => {
            expect(r.start).toBeLessThan(r.end);
            expect(r.start % PAGE).toBe(0);
            expect(r.end % PAGE).toBe(0);
            if (i > 0) expect(ranges[i - 1].end).toBeLessThan(r.start);
          });
          let passed = 0;
          for (const m of mem)
            for (let p = m.start; p < m.end; p += PAGE) {
              const want = kernelPasses(s, au, p);
              expect(ranges.some((r) => r.start <= p && p < r.end), `page ${p}`).toBe(want);
              if (want) passed += PAGE;
            }
          // Nothing outside the memory either: the ranges hold exactly the pages that pass.
          expect(ranges.reduce((n, r) => n + r.end - r.start, 0)).toBe(passed);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('range helpers: union, intersection and difference agree with a per-page count', () => {
  const PAGE = 4096;
  const rangesArb = fc.array(fc.tuple(fc.nat({ max: 64 }), fc.integer({ min: 1, max: 16 })), { maxLength: 6 }).map((xs) => xs.map(([s, n]) => ({ start: s * PAGE, end: (s + n) * PAGE })));
  it('subtractRanges(m, union) holds exactly the pages of m no range holds; intersectRanges the rest', () => {
    fc.assert(
      fc.property(rangesArb, fc.nat({ max: 64 }), fc.integer({ min: 1, max: 32 }), (rs, ms, mn) => {
        const m = { start: ms * PAGE, end: (ms + mn) * PAGE };
        const u = unionRanges(rs);
        const missed = subtractRanges(m, u);
        const hit = intersectRanges(u, [m]);
        const holds = (list: ByteRange[], p: number) => list.some((r) => r.start <= p && p < r.end);
        for (let p = m.start; p < m.end; p += PAGE) {
          const inAny = rs.some((r) => r.start <= p && p < r.end);
          expect(holds(missed, p)).toBe(!inAny);
          expect(holds(hit, p)).toBe(inAny);
        }
        // Both inside m, sorted and apart.
        for (const list of [missed, hit])
          list.forEach((r, i) => {
            expect(m.start <= r.start && r.end <= m.end && r.start < r.end).toBe(true);
            if (i > 0) expect(list[i - 1].end).toBeLessThan(r.start);
          });
      }),
      { numRuns: 300 },
    );
    expect(subtractRanges({ start: 0, end: 10 }, [{ start: 2, end: 4 }, { start: 6, end: 12 }])).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 6 },
    ]);
  });
});
