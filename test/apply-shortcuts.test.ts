// SPDX-License-Identifier: GPL-2.0-only
/**
 * The apply pass's shortcut (src/damos/apply.ts foldRejectedSplits): under B1 a quota split
 * before a rejecting core filter cuts the rest of the region into quota-sized pieces, one per
 * visit, and the merge-back folds them together again; the shortcut does all but the last piece
 * at once. It must change nothing: every apply pass here runs twice, with and without it, and
 * leaves the same regions, schemes, quotas and applied ranges.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { newCtx, schemeLoggingOps } from './helpers/ctx.js';
import { DamonRegion, DamonTarget } from '../src/damon/region.js';
import { applyShortcuts, kdamondApplySchemes } from '../src/damos/apply.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject } from '../src/damos/scheme.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import { findProfile } from '../src/profiles.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';

const KiB = 1024;
const B1 = findProfile('b1')!;

afterEach(() => {
  applyShortcuts.foldRejectedSplits = true;
});

interface RegionSpec {
  pages: number;
  gap: boolean;
  age: number;
  nr: number;
  last: number;
}
interface FilterSpec {
  startPage: number;
  pages: number;
  allow: boolean;
  matching: boolean;
}
interface SchemeSpec {
  action: 'stat' | 'migrate_hot';
  quotaPages: number;
  chargedPages: number;
  due: boolean;
  minSzPages: number;
  maxSzPages: number | null;
  filters: FilterSpec[];
  resumeAtPage: number | null;
}
interface PassSpec {
  regions: RegionSpec[];
  schemes: SchemeSpec[];
  mergeLimitPages: number;
}

/** One B1 apply pass of `spec`, with the shortcut on or off: everything it leaves behind. */
function pass(spec: PassSpec, shortcut: boolean) {
  applyShortcuts.foldRejectedSplits = shortcut;
  const { ops, log } = schemeLoggingOps();
  const ctx = newCtx({ profile: B1, ops });
  const t = new DamonTarget();
  let at = 0;
  for (const r of spec.regions) {
    if (r.gap) at += 4 * KiB;
    const reg = new DamonRegion(at, at + r.pages * 4 * KiB);
    Object.assign(reg, { age: r.age, nrAccesses: r.nr, nrAccessesBp: r.nr * 10000, lastNrAccesses: r.last });
    t.regions.push(reg);
    at = reg.end;
  }
  ctx.targets = [t];
  ctx.schemes = spec.schemes.map((ss) => {
    const q = new DamosQuota();
    q.resetInterval = 1000;
    q.sz = BigInt(ss.quotaPages * 4 * KiB);
    q.chargedSz = Math.min(ss.chargedPages, ss.quotaPages) * 4 * KiB;
    if (ss.resumeAtPage !== null) {
      q.chargeTargetFrom = t;
      q.chargeAddrFrom = ss.resumeAtPage * 4 * KiB;
    }
    const pattern = { minSzRegion: BigInt(ss.minSzPages * 4 * KiB), maxSzRegion: ss.maxSzPages === null ? ULONG_MAX : BigInt(ss.maxSzPages * 4 * KiB), minNrAccesses: 0, maxNrAccesses: 0xffff_ffff, minAgeRegion: 0, maxAgeRegion: 0xffff_ffff };
    const s = new Damos(pattern, ss.action, 0, q, { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: true }, ss.action === 'stat' ? -1 : 0);
    for (const fs of ss.filters) {
      const f = newFilter('addr', fs.matching, fs.allow);
      f.addrStart = fs.startPage * 4 * KiB;
      f.addrEnd = (fs.startPage + fs.pages) * 4 * KiB;
      addFilter(s, f);
    }
    setFiltersDefaultReject(s);
    if (!ss.due) s.nextApplySis = 1;
    return s;
  });
  const before = applyShortcuts.foldsTaken;
  kdamondApplySchemes(ctx, () => spec.mergeLimitPages * 4 * KiB);
  return {
    folds: applyShortcuts.foldsTaken - before,
    state: {
      regions: t.regions.map((r) => [r.start, r.end, r.age, r.nrAccesses, r.nrAccessesBp, r.lastNrAccesses]),
      applied: log,
      schemes: ctx.schemes.map((s) => ({ ...s.stat, charged: s.quota.chargedSz, resume: s.quota.chargeTargetFrom === null ? null : s.quota.chargeAddrFrom, allowed: s.coreFiltersAllowed })),
    },
  };
}

const regionArb: fc.Arbitrary<RegionSpec> = fc.record({
  pages: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 600 })),
  gap: fc.boolean(),
  age: fc.constantFrom(0, 3),
  nr: fc.constantFrom(0, 2),
  last: fc.constantFrom(0, 1),
});
const filterArb: fc.Arbitrary<FilterSpec> = fc.record({ startPage: fc.integer({ min: 0, max: 1500 }), pages: fc.integer({ min: 1, max: 1500 }), allow: fc.boolean(), matching: fc.boolean() });
const schemeArb: fc.Arbitrary<SchemeSpec> = fc.record({
  action: fc.constantFrom('stat' as const, 'migrate_hot' as const),
  quotaPages: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 400 })),
  chargedPages: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 400 })),
  due: fc.oneof(fc.constant(true), fc.boolean()),
  minSzPages: fc.constantFrom(0, 1, 2, 8),
  maxSzPages: fc.constantFrom(null, null, 64, 300),
  filters: fc.oneof(fc.array(filterArb, { minLength: 1, maxLength: 2 }), fc.array(filterArb, { maxLength: 2 })),
  resumeAtPage: fc.oneof(fc.constant(null), fc.constant(null), fc.integer({ min: 0, max: 2000 })),
});
const passArb: fc.Arbitrary<PassSpec> = fc.record({
  regions: fc.array(regionArb, { minLength: 1, maxLength: 6 }),
  schemes: fc.oneof(fc.array(schemeArb, { minLength: 1, maxLength: 1 }), fc.array(schemeArb, { minLength: 1, maxLength: 3 })),
  mergeLimitPages: fc.constantFrom(1, 4, 16, 64, 256, 4096),
});

describe('B1 apply pass: folding rejected quota splits at once changes nothing', () => {
  it('a 4 KiB quota before a filter rejecting a 1 MiB region: the pieces are folded into 256 KiB runs', () => {
    const spec: PassSpec = {
      regions: [{ pages: 256, gap: false, age: 3, nr: 2, last: 1 }],
      schemes: [{ action: 'stat', quotaPages: 1, chargedPages: 0, due: true, minSzPages: 0, maxSzPages: null, filters: [{ startPage: 0, pages: 256, allow: false, matching: true }], resumeAtPage: null }],
      mergeLimitPages: 64,
    };
    const on = pass(spec, true);
    const off = pass(spec, false);
    expect(on.state).toEqual(off.state);
    expect(on.folds).toBe(1);
    expect(on.state.regions.map(([a, b]) => [a / KiB, b / KiB])).toEqual([
      [0, 256],
      [256, 512],
      [512, 768],
      [768, 1024],
    ]);
    expect(on.state.schemes[0]).toMatchObject({ nrTried: 0, charged: 0 });
  });

  it('random passes: the same regions, stats, quotas and applied ranges with and without the shortcut', () => {
    let folds = 0;
    let runs = 0;
    fc.assert(
      fc.property(passArb, (spec) => {
        const on = pass(spec, true);
        const off = pass(spec, false);
        expect(off.folds).toBe(0);
        expect(on.state).toEqual(off.state);
        folds += on.folds > 0 ? 1 : 0;
        runs++;
      }),
      { numRuns: 2000, seed: 20261126 },
    );
    // The generator reaches the shortcut often enough for the comparison to mean something.
    expect(folds).toBeGreaterThan(runs / 20);
  });

  it('the preset under b1 with CONSIST (its quota splits cut millions of pieces): the same timeline', () => {
    const run = (shortcut: boolean) => {
      applyShortcuts.foldRejectedSplits = shortcut;
      const doc = tiering6040('consist');
      doc.kernel = { ...doc.kernel, profile: 'b1' };
      doc.duration = '100 s';
      const before = applyShortcuts.foldsTaken;
      const res = runScenario(scenarioFromDoc(doc).scenario);
      return { folds: applyShortcuts.foldsTaken - before, goals: res.goals, aggrs: res.aggrs };
    };
    const on = run(true);
    const off = run(false);
    expect(on.folds).toBeGreaterThan(1000);
    expect(on.goals).toEqual(off.goals);
    expect(on.aggrs).toEqual(off.aggrs);
  });
});
