// SPDX-License-Identifier: GPL-2.0-only
/**
 * paddr action accounting in core address units (damos.md §2.2, damon-monitoring.md §8.5): each
 * folio that passes the ops filters adds folio_size / addr_unit to sz_ops_filter_passed, truncated
 * folio by folio, so folios smaller than addr_unit add nothing.
 */
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, newCtx } from './helpers/ctx.js';
import { dramCxlMachine } from './helpers/machine.js';
import { DamonRegion, DamonTarget } from '../src/damon/region.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject } from '../src/damos/scheme.js';
import { Prng } from '../src/lib/prng.js';
import { MachineMm } from '../src/machine/kernel-mm.js';
import { Machine } from '../src/machine/machine.js';
import { YoungModel } from '../src/machine/young.js';
import { PaddrCheckCache, PaddrOps } from '../src/ops/paddr.js';
import { findProfile } from '../src/profiles.js';

const MiB = 2 ** 20;
const BASE = 4 * 2 ** 30;

/** The result of applying `action` with an anon allow filter over `bytes` of anon memory. */
function apply(addrUnit: number, bytes: number, thp: boolean, action: 'stat' | 'lru_prio' = 'stat') {
  const machine = dramCxlMachine({ dram: 64 * MiB, cxl: 64 * MiB, base: BASE });
  expect(machine.allocate({ owner: 1, vstart: 0, bytes, anon: true, mapped: true, memcg: 0, thp, nodes: [0], now: 0 })).toBe(0);
  const ops = new PaddrOps({
    machine,
    young: new YoungModel(machine, { ratesEpoch: () => 0, rateRuns: () => undefined }),
    rng: new Prng(1, 'sample'),
    mode: 'region',
    cache: new PaddrCheckCache(),
  });
  const ctx = newCtx({ ops, mm: new MachineMm(machine, [{ id: 0, path: '/' }]) });
  ctx.addrUnit = addrUnit;
  ctx.minRegionSz = Math.max(4096 / addrUnit, 1);
  const pattern = { ...MATCH_ALL };
  const s = new Damos(pattern, action, 0, new DamosQuota(), { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true });
  addFilter(s, newFilter('anon', true, true));
  setFiltersDefaultReject(s);
  const r = new DamonRegion(BASE / addrUnit, (BASE + bytes) / addrUnit);
  return ops.applyScheme(ctx, new DamonTarget(), r, s);
}

function passed(addrUnit: number, bytes: number, thp: boolean): number {
  return apply(addrUnit, bytes, thp).szOpsFilterPassed;
}

describe('sz_ops_filter_passed is summed folio by folio in core units', () => {
  it('4 KiB folios', () => {
    expect(passed(1, 4 * 4096, false)).toBe(4 * 4096);
    expect(passed(2, 4 * 4096, false)).toBe(4 * 2048);
    // 4096 / 8192 = 0 per folio: nothing, however many folios (not 4 · 4096 / 8192 = 2).
    expect(passed(8192, 4 * 4096, false)).toBe(0);
  });

  it('2 MiB folios', () => {
    expect(passed(8192, 4 * MiB, true)).toBe(2 * 256);
  });
});

describe('LRU (de)activation is charged per folio', () => {
  it('lru_prio over 4 MiB: 2 THPs or 1024 base pages (40 ns per folio lookup, 50 ns per folio moved)', () => {
    expect(apply(1, 4 * MiB, true, 'lru_prio').costNs).toBe(2 * 40 + 2 * 50);
    expect(apply(1, 4 * MiB, false, 'lru_prio').costNs).toBe(1024 * 40 + 1024 * 50);
  });
});

/**
 * damon_pa_pageout installs a young filter when the scheme has none (damos.md §2.2): a folio
 * accessed since it was last checked is kept, and checking it makes it old. A 2 MiB folio is young
 * when any of its 512 pages was accessed, so memory that 4 KiB pages leave cold enough to page out
 * stays in as THPs: examples/damon-reclaim.yaml with `thp: true` pages out nothing, faithfully.
 */
describe("pageout's implicit young filter sees a THP's 512 pages as one", () => {
  const RATE = 0.01; // accesses per second per 4 KiB page
  function pageoutTwice(thp: boolean): [number, number] {
    const machine = new Machine({ nodes: [{ capacity: 128 * MiB, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 }], base: BASE, holeBetweenNodes: 0, swap: 128 * MiB });
    const bytes = 64 * MiB;
    expect(machine.allocate({ owner: 1, vstart: 0, bytes, anon: true, mapped: true, memcg: 0, thp, nodes: [0], now: 0 })).toBe(0);
    const runs = { starts: [0], ends: [bytes], rates: [RATE] };
    const ops = new PaddrOps({
      machine,
      young: new YoungModel(machine, { ratesEpoch: () => 0, rateRuns: (owner) => (owner === 1 ? runs : undefined) }),
      rng: new Prng(1, 'sample'),
      mode: 'region',
      cache: new PaddrCheckCache(),
    });
    const ctx = newCtx({ ops, mm: new MachineMm(machine, [{ id: 0, path: '/' }]) });
    const pattern = { ...MATCH_ALL };
    const s = new Damos(pattern, 'pageout', 0, new DamosQuota(), { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true });
    const pass = () => ops.applyScheme(ctx, new DamonTarget(), new DamonRegion(BASE, BASE + bytes), s).applied;
    // 10 s after the pages were last old: a page was accessed with probability 1 − e^−0.1 ≈ 9.5 %,
    // a THP with 1 − e^−51.2 ≈ 1.
    ctx.clock.now = 10e9;
    const first = pass();
    // At once again: every folio the first pass kept was checked, so it is old now and goes out.
    const second = pass();
    return [first, second];
  }

  it('4 KiB pages: ~90 % go out at the first pass, the rest at the second', () => {
    const [first, second] = pageoutTwice(false);
    // Pages out: Binomial(16384, e^−0.1 = 0.905), mean 14,825, sd 38.
    expect(first % 4096).toBe(0);
    expect(first / 4096).toBeGreaterThan(14_650);
    expect(first / 4096).toBeLessThan(15_000);
    expect(first + second).toBe(64 * MiB);
  });

  it('2 MiB folios: none goes out at the first pass, all at the second', () => {
    const [first, second] = pageoutTwice(true);
    expect(first).toBe(0);
    expect(second).toBe(64 * MiB);
  });
});

describe('migrate_hot to a target with room for part of the region (damon_migrate_pages() list order)', () => {
  // Node 0 keeps two free pages; the region is four pages of node 1. The folio list reaches
  // migrate_pages() highest address first, so the top two pages are the ones that move.
  for (const profile of ['b0', 'b1'] as const) {
    it(`profile ${profile}: the two highest pages go to node 0${profile === 'b0' ? ', the two lowest fall back to node 1' : ', the two lowest stay'}`, () => {
      const machine = dramCxlMachine({ dram: 64 * MiB, cxl: 64 * MiB, base: BASE });
      expect(machine.allocate({ owner: 2, vstart: 0, bytes: 64 * MiB - 8192, anon: true, mapped: true, memcg: 0, thp: false, nodes: [0], now: 0 })).toBe(0);
      expect(machine.allocate({ owner: 1, vstart: 0, bytes: 4 * 4096, anon: true, mapped: true, memcg: 0, thp: false, nodes: [1], now: 0 })).toBe(0);
      const ops = new PaddrOps({ machine, young: new YoungModel(machine, { ratesEpoch: () => 0, rateRuns: () => undefined }), rng: new Prng(1, 'sample'), mode: 'region', cache: new PaddrCheckCache() });
      const ctx = newCtx({ ops, mm: new MachineMm(machine, [{ id: 0, path: '/' }]), profile: findProfile(profile) });
      const pattern = { ...MATCH_ALL };
      const s = new Damos(pattern, 'migrate_hot', 0, new DamosQuota(), { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true }, 0);
      const cxl = BASE + 64 * MiB;
      const res = ops.applyScheme(ctx, new DamonTarget(), new DamonRegion(cxl, cxl + 4 * 4096), s);
      // Which node holds virtual page i of owner 1 now.
      const nodeOfPage = (i: number) => machine.mem.toArray().find((e) => e.owner === 1 && e.vstart <= i * 4096 && i * 4096 < e.vstart + (e.end - e.start))!.node;
      expect([0, 1, 2, 3].map(nodeOfPage)).toEqual([1, 1, 0, 0]);
      // b0 falls back: the two lowest pages move too, to other frames of node 1 (its own node).
      expect(res.applied).toBe(profile === 'b0' ? 4 * 4096 : 2 * 4096);
      expect([0, 1].map((i) => machine.lruExtentAt(cxl + i * 4096)?.owner === 1)).toEqual(profile === 'b0' ? [false, false] : [true, true]);
    });
  }
});
