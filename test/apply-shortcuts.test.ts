// SPDX-License-Identifier: GPL-2.0-only
/**
 * The apply pass's shortcuts (src/damos/apply.ts): a quota split before a rejecting core filter
 * cuts the rest of the region into quota-sized pieces, one per visit. Under B1 the merge-back folds
 * them together again, and foldRejectedSplits does all but the last piece at once; under B0 they
 * stay, and runRejectedSplits makes them at once as a piece run. Neither may change anything:
 * every apply pass here runs twice, with and without the shortcut, and leaves the same regions,
 * schemes, quotas and applied ranges.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { newCtx } from './helpers/ctx.js';
import { DamonRegion, DamonTarget, regionLimits } from '../src/damon/region.js';
import type { DamonTracer } from '../src/damon/trace.js';
import { applyShortcuts, kdamondApplySchemes, type DamosWalkControl } from '../src/damos/apply.js';
import { Damos, DamosQuota, addFilter, newFilter, setFiltersDefaultReject } from '../src/damos/scheme.js';
import { ULONG_MAX } from '../src/lib/kint.js';
import type { DamonOperations } from '../src/ops/operations.js';
import { schemeScore } from '../src/ops/scores.js';
import { findProfile } from '../src/profiles.js';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';

const KiB = 1024;
const B1 = findProfile('b1')!;
const B0 = findProfile('b0')!;

afterEach(() => {
  applyShortcuts.foldRejectedSplits = true;
  applyShortcuts.pieceRuns = true;
  applyShortcuts.minRunPieces = 256;
  applyShortcuts.minFirstRunPieces = 4096;
});

interface RegionSpec {
  pages: number;
  /** Bytes past the pages: bounds off the min_region_sz grid, as after a commit that lowers addr_unit. */
  extra: number;
  gap: boolean;
  age: number;
  nr: number;
  /** nr_accesses_bp beyond nr × 10000 (the moving sum between aggregations). */
  bpExtra: number;
  last: number;
}
interface FilterSpec {
  type: 'addr' | 'target';
  startPage: number;
  pages: number;
  /** Bytes past the page: addr filters need not be aligned. */
  offset: number;
  targetIdx: number;
  allow: boolean;
  matching: boolean;
}
interface SchemeSpec {
  action: 'stat' | 'migrate_hot' | 'pageout';
  quotaPages: number;
  /** Bytes past the pages: a quota that is no multiple of min_region_sz. */
  quotaExtra: number;
  chargedPages: number;
  weightNr: number;
  weightAge: number;
  /** next_apply_sis: 0 is due at the first pass. */
  nextApplySis: number;
  active: boolean;
  minSzPages: number;
  maxSzPages: number | null;
  minNr: number;
  minAge: number;
  filters: FilterSpec[];
  resume: { target: number; page: number; offset: number } | null;
  maxSnapshots: number;
  snapshots: number;
}
interface PassSpec {
  targets: RegionSpec[][];
  schemes: SchemeSpec[];
  mergeLimitPages: number;
  /** What the action applies: nothing, everything, or every third page's regions. */
  applyMode: 0 | 1 | 2;
  costNs: number;
  scores: boolean;
  trace: boolean;
  walk: boolean;
  passes: number;
  /** The simulator's region limit (regionLimits.maxSimulated); low ones stop the walk mid-pass. */
  limit: number;
}

const PAGE = 4 * KiB;
/** Targets sit far apart: target i starts at page i × 10000. */
const TARGET_PAGES = 10_000;

/**
 * `passes` apply passes of `spec` under B1 (or B0), with the shortcut (B1's fold, B0's piece runs)
 * on or off: everything they leave behind.
 */
function run(spec: PassSpec, shortcut: boolean, profile = B1) {
  applyShortcuts.foldRejectedSplits = shortcut;
  applyShortcuts.pieceRuns = shortcut;
  // Runs of any length, so that the small passes here make them.
  applyShortcuts.minRunPieces = 2;
  applyShortcuts.minFirstRunPieces = 2;
  const log: unknown[] = [];
  const ops: DamonOperations = {
    id: 'paddr',
    prepareAccessChecks: () => undefined,
    checkAccesses: () => 0,
    applyScheme: (c, t, r, s) => {
      const whole = r.end - r.start;
      const applied = spec.applyMode === 0 ? 0 : spec.applyMode === 1 ? whole : (r.start / PAGE) % 3 === 0 ? whole : 0;
      log.push(['apply', c.schemes.indexOf(s), c.targets.indexOf(t), r.start, r.end, r.age]);
      return { applied, szOpsFilterPassed: applied, costNs: spec.costNs };
    },
    ...(spec.scores ? { getSchemeScore: schemeScore } : {}),
  };
  const tracer: DamonTracer = {
    beforeApply: (_c, si, ti, r, n) => log.push(['trace', si, ti, r.start, r.end, n]),
    applied: (_c, si, s) => log.push(['applied', si, s.stat.nrTried]),
    quotaSet: (_c, si, s) => log.push(['quota', si, String(s.quota.esz)]),
  };
  const ctx = newCtx({ profile, ops, tracer: spec.trace ? tracer : undefined });
  const walk: DamosWalkControl | undefined = spec.walk
    ? { call: (_c, _t, r, s, passed) => log.push(['walk', ctx.schemes.indexOf(s), r.start, r.end, passed]), complete: (_c, s) => log.push(['walked', ctx.schemes.indexOf(s)]) }
    : undefined;
  ctx.targets = spec.targets.map((regions, ti) => {
    const t = new DamonTarget();
    let at = ti * TARGET_PAGES * PAGE;
    for (const r of regions) {
      if (r.gap) at += PAGE;
      const reg = new DamonRegion(at, at + r.pages * PAGE + r.extra);
      Object.assign(reg, { age: r.age, nrAccesses: r.nr, nrAccessesBp: r.nr * 10000 + r.bpExtra, lastNrAccesses: r.last });
      t.regions.push(reg);
      at = reg.end;
    }
    return t;
  });
  ctx.schemes = spec.schemes.map((ss) => {
    const q = new DamosQuota();
    q.resetInterval = 1_000_000;
    q.sz = BigInt(ss.quotaPages * PAGE + ss.quotaExtra);
    q.weightNrAccesses = ss.weightNr;
    q.weightAge = ss.weightAge;
    q.chargedSz = Math.min(ss.chargedPages, ss.quotaPages) * PAGE;
    if (ss.resume) {
      const ti = ss.resume.target % ctx.targets.length;
      q.chargeTargetFrom = ctx.targets[ti];
      q.chargeAddrFrom = (ti * TARGET_PAGES + ss.resume.page) * PAGE + ss.resume.offset;
    }
    const pattern = { minSzRegion: BigInt(ss.minSzPages * PAGE), maxSzRegion: ss.maxSzPages === null ? ULONG_MAX : BigInt(ss.maxSzPages * PAGE), minNrAccesses: ss.minNr, maxNrAccesses: 0xffff_ffff, minAgeRegion: ss.minAge, maxAgeRegion: 0xffff_ffff };
    const s = new Damos(pattern, ss.action, 0, q, { metric: 'none', interval: 0, high: 0, mid: 0, low: 0, activated: ss.active }, -1);
    for (const fs of ss.filters) {
      const f = newFilter(fs.type, fs.matching, fs.allow);
      if (fs.type === 'addr') {
        f.addrStart = fs.startPage * PAGE + fs.offset;
        f.addrEnd = (fs.startPage + fs.pages) * PAGE + fs.offset;
      } else f.targetIdx = fs.targetIdx;
      addFilter(s, f);
    }
    setFiltersDefaultReject(s);
    s.maxNrSnapshots = ss.maxSnapshots;
    s.stat.nrSnapshots = ss.snapshots;
    s.nextApplySis = ss.nextApplySis;
    return s;
  });
  const before = applyShortcuts.foldsTaken + applyShortcuts.runsTaken;
  let error = '';
  const limit = regionLimits.maxSimulated;
  if (spec.limit !== 2 ** 24) regionLimits.maxSimulated = spec.limit;
  try {
    for (let p = 0; p < spec.passes; p++) {
      ctx.passedSampleIntervals = p;
      ctx.clock.now += 1_000_000;
      kdamondApplySchemes(ctx, () => spec.mergeLimitPages * PAGE, walk);
    }
  } catch (e) {
    error = String(e);
  } finally {
    regionLimits.maxSimulated = limit;
  }
  return {
    folds: applyShortcuts.foldsTaken + applyShortcuts.runsTaken - before,
    state: {
      error,
      log,
      clock: ctx.clock.now,
      rejectedQuotaSplits: ctx.rejectedQuotaSplits,
      // Every field, the operations set's sampling state included.
      regions: ctx.targets.map((t) => t.regions.map((r) => ({ ...r }))),
      schemes: ctx.schemes.map((s) => ({
        stat: { ...s.stat },
        charged: s.quota.chargedSz,
        totalCharged: s.quota.totalChargedSz,
        chargedNs: s.quota.totalChargedNs,
        minScore: s.quota.minScore,
        resumeTarget: s.quota.chargeTargetFrom ? ctx.targets.indexOf(s.quota.chargeTargetFrom) : null,
        resumeAddr: s.quota.chargeAddrFrom,
        allowed: s.coreFiltersAllowed,
        nextApplySis: s.nextApplySis,
      })),
    },
  };
}

/** A pass of one region [0, pages) and the given schemes, everything else plain. */
function plainPass(pages: number, mergeLimitPages: number, schemes: Array<Partial<SchemeSpec>>, extra = 0): PassSpec {
  const scheme = (o: Partial<SchemeSpec>): SchemeSpec => ({
    action: 'stat', quotaPages: 1, quotaExtra: 0, chargedPages: 0, weightNr: 0, weightAge: 0, nextApplySis: 0, active: true, minSzPages: 0, maxSzPages: null,
    minNr: 0, minAge: 0, filters: [], resume: null, maxSnapshots: 0, snapshots: 0, ...o,
  });
  return {
    targets: [[{ pages, extra, gap: false, age: 3, nr: 2, bpExtra: 0, last: 1 }]],
    schemes: schemes.map(scheme),
    mergeLimitPages,
    applyMode: 0,
    costNs: 0,
    scores: false,
    trace: false,
    walk: false,
    passes: 1,
    limit: 2 ** 24,
  };
}
const REJECT_ALL: FilterSpec = { type: 'addr', startPage: 0, pages: 100_000, offset: 0, targetIdx: 0, allow: false, matching: true };

const regionArb: fc.Arbitrary<RegionSpec> = fc.record({
  pages: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 700 })),
  extra: fc.constantFrom(0, 0, 0, 2048),
  gap: fc.boolean(),
  age: fc.constantFrom(0, 3, 40),
  nr: fc.constantFrom(0, 2, 5),
  bpExtra: fc.constantFrom(0, 0, 1234),
  last: fc.constantFrom(0, 1, 4),
});
const filterArb: fc.Arbitrary<FilterSpec> = fc.record({
  type: fc.constantFrom('addr' as const, 'addr' as const, 'target' as const),
  startPage: fc.integer({ min: 0, max: 1500 }),
  pages: fc.integer({ min: 1, max: 1500 }),
  offset: fc.constantFrom(0, 0, 100),
  targetIdx: fc.integer({ min: 0, max: 1 }),
  allow: fc.boolean(),
  matching: fc.boolean(),
});
const schemeArb: fc.Arbitrary<SchemeSpec> = fc.record({
  action: fc.constantFrom('stat' as const, 'migrate_hot' as const, 'pageout' as const),
  quotaPages: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 400 })),
  quotaExtra: fc.constantFrom(0, 0, 2048, 100),
  chargedPages: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 400 })),
  weightNr: fc.constantFrom(0, 1, 7),
  weightAge: fc.constantFrom(0, 1, 3),
  nextApplySis: fc.constantFrom(0, 0, 0, 1, 2),
  active: fc.oneof(fc.constant(true), fc.boolean()),
  minSzPages: fc.constantFrom(0, 1, 2, 8),
  maxSzPages: fc.constantFrom(null, null, 64, 300),
  minNr: fc.constantFrom(0, 0, 1),
  minAge: fc.constantFrom(0, 0, 2),
  // Often one filter that rejects everything, which is what makes the pieces.
  filters: fc.tuple(fc.array(filterArb, { maxLength: 2 }), fc.constantFrom(true, true, false)).map(([fs, rejectAll]) => (rejectAll ? [...fs, REJECT_ALL] : fs)),
  resume: fc.option(fc.record({ target: fc.integer({ min: 0, max: 1 }), page: fc.integer({ min: 0, max: 2000 }), offset: fc.constantFrom(0, 1) })),
  maxSnapshots: fc.constantFrom(0, 0, 1, 2),
  snapshots: fc.constantFrom(0, 1, 2),
});
const passArb: fc.Arbitrary<PassSpec> = fc.record({
  targets: fc.array(fc.array(regionArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 2 }),
  schemes: fc.oneof(fc.array(schemeArb, { minLength: 1, maxLength: 1 }), fc.array(schemeArb, { minLength: 1, maxLength: 3 })),
  mergeLimitPages: fc.constantFrom(1, 2, 4, 16, 64, 256, 4096),
  applyMode: fc.constantFrom(0 as const, 1 as const, 2 as const),
  costNs: fc.constantFrom(0, 1500, 2_000_000),
  scores: fc.boolean(),
  trace: fc.boolean(),
  walk: fc.boolean(),
  passes: fc.integer({ min: 1, max: 3 }),
  limit: fc.constantFrom(2 ** 24, 2 ** 24, 2 ** 24, 40, 300),
});

/** A pass run with the shortcut, once it left what the pass without it leaves. */
function sameWithShortcut(spec: PassSpec, profile = B1): ReturnType<typeof run> {
  const on = run(spec, true, profile);
  expect(on.state).toEqual(run(spec, false, profile).state);
  return on;
}

describe('apply pass shortcuts for rejected quota splits (B1 folds, B0 piece runs) change nothing', () => {
  it('a 4 KiB quota before a filter rejecting a 1 MiB region: the pieces are folded into 256 KiB runs', () => {
    const spec = plainPass(256, 64, [{ filters: [REJECT_ALL] }]);
    const on = sameWithShortcut(spec);
    expect(on.folds).toBe(1);
    expect(on.state.regions[0].map((r) => [r.start / KiB, r.end / KiB])).toEqual([
      [0, 256],
      [256, 512],
      [512, 768],
      [768, 1024],
    ]);
    expect(on.state.schemes[0]).toMatchObject({ stat: { nrTried: 0 }, charged: 0 });
  });

  it('a scheme whose snapshots are done still splits at its resume point: no shortcut past it', () => {
    // Found in review: damon_do_apply_schemes() checks the snapshots after damos_skip_charged_region().
    const spec = plainPass(100, 63, [{ quotaPages: 2, filters: [REJECT_ALL] }, { quotaPages: 2, resume: { target: 0, page: 63, offset: 0 }, maxSnapshots: 1, snapshots: 1 }]);
    const on = sameWithShortcut(spec);
    expect(on.state.regions[0].map((r) => [r.start / PAGE, r.end / PAGE])).toEqual([
      [0, 63],
      [63, 100],
    ]);
  });

  it('near the simulator\'s region limit the pieces go one by one, and the walk stops where it would', () => {
    const spec = plainPass(100, 1, [{ filters: [REJECT_ALL] }]);
    regionLimits.maxSimulated = 50;
    try {
      const on = sameWithShortcut(spec);
      expect(on.folds).toBe(0);
      expect(on.state.error).toMatch(/SimulationLimitError|split target regions past 50/);
    } finally {
      regionLimits.maxSimulated = 2 ** 24;
    }
  });

  it("a scheme's min size ends the splits early: the pieces up to it at once, the smaller rest visited as usual", () => {
    // Found by fuzzing: with sz_bytes.min above the last rest the shortcut was refused outright, and
    // B1 folded a million visits one by one. 256 pages, a 1-page quota, min 64 pages: the visits
    // split while the rest is 64 pages or more (the splits are rejected, each leaving the rest
    // 1 page smaller), and the rest of 63 pages is not tried. B1's merge-back folds the pieces
    // into runs of up to 50 pages, which the 63-page rest cannot join.
    const spec = plainPass(256, 50, [{ minSzPages: 64, filters: [REJECT_ALL] }]);
    const on = sameWithShortcut(spec);
    expect(on.folds).toBe(1);
    expect(on.state.regions[0].map((r) => [r.start / PAGE, r.end / PAGE])).toEqual([
      [0, 50],
      [50, 100],
      [100, 150],
      [150, 193],
      [193, 256],
    ]);
    applyShortcuts.minFirstRunPieces = 2;
    applyShortcuts.minRunPieces = 2;
    const b0 = sameWithShortcut(spec, B0);
    expect(b0.folds).toBe(1);
    expect(b0.state.regions[0].length).toBe(193 + 1);
    expect(b0.state.regions[0].at(-1)).toMatchObject({ start: 193 * PAGE, end: 256 * PAGE });
  });

  it('other due schemes whose patterns refuse what they see leave the shortcut on', () => {
    // Found by fuzzing: a second due scheme with room in its window made every piece a visit of
    // its own, though its pattern refused them all. Before the splitter: a min nr_accesses above
    // the regions' (it sees each rest); after it: a min size above the 1-page pieces it sees.
    const spec = plainPass(256, 64, [{ minNr: 3 }, { filters: [REJECT_ALL] }, { minSzPages: 2 }]);
    // A region after the split one: a rest that is the target's last would count the first
    // scheme's snapshots at each visit, which the shortcut leaves to the visits.
    const last = spec.targets[0][0];
    spec.targets[0].push({ ...last, pages: 8 });
    const on = sameWithShortcut(spec);
    expect(on.folds).toBe(1);
    spec.targets[0].pop();
    const lastRest = sameWithShortcut(spec);
    expect(lastRest.folds).toBe(0);
    // One that would take the cut-off pieces keeps the visits one by one.
    const takes = plainPass(256, 64, [{ filters: [REJECT_ALL] }, { minSzPages: 1, quotaPages: 400 }]);
    const one = sameWithShortcut(takes);
    expect(one.folds).toBe(0);
  });

  it('B0 keeps the pieces as a run: the same regions as the visits make, one by one', () => {
    const spec = plainPass(256, 64, [{ filters: [REJECT_ALL] }]);
    const on = sameWithShortcut(spec, B0);
    expect(on.folds).toBe(1);
    expect(on.state.regions[0].length).toBe(256);
    expect(on.state.regions[0][255]).toMatchObject({ start: 255 * PAGE, end: 256 * PAGE, age: 3, nrAccesses: 2, lastNrAccesses: 1, run: null });
  });


  it('bounds off the min_region_sz grid (a commit that lowered addr_unit): the splits end at a rest between sz and the quota left', () => {
    // Found in review: a 34 KiB region, 10 KiB of quota: the visits cut 8 KiB pieces while the rest
    // is above 10 KiB, so the last rest is 10 KiB, not 2 KiB.
    const spec = plainPass(8, 64, [{ quotaPages: 2, quotaExtra: 2048, filters: [REJECT_ALL] }], 2048);
    const b0 = sameWithShortcut(spec, B0);
    expect(b0.state.regions[0].map((r) => [r.start / KiB, r.end / KiB])).toEqual([
      [0, 8],
      [8, 16],
      [16, 24],
      [24, 34],
    ]);
    expect(run(spec, true).state).toEqual(run(spec, false).state);
  });

  it('B0 near the simulator\'s region limit: the run stops short of it, and the walk stops where it would', () => {
    const spec = plainPass(100, 1, [{ filters: [REJECT_ALL] }]);
    regionLimits.maxSimulated = 50;
    try {
      const on = sameWithShortcut(spec, B0);
      expect(on.folds).toBe(1);
      expect(on.state.error).toMatch(/split target regions past 50/);
    } finally {
      regionLimits.maxSimulated = 2 ** 24;
    }
  });

  for (const [name, profile, numRuns, seed] of [
    ['B1 (folds)', B1, 3000, 20261126],
    ['B0 (piece runs)', B0, 1500, 20261127],
  ] as const) {
    it(`${name}, random passes (several targets and schemes, filters, resume points, snapshots, scores, tracer, damos_walk, region limits): the same with and without the shortcut`, () => {
      let taken = 0;
      let runs = 0;
      fc.assert(
        fc.property(passArb, (spec) => {
          const on = run(spec, true, profile);
          const off = run(spec, false, profile);
          expect(off.folds).toBe(0);
          expect(on.state).toEqual(off.state);
          taken += on.folds > 0 ? 1 : 0;
          runs++;
        }),
        { numRuns, seed },
      );
      // The generator reaches the shortcut often enough for the comparison to mean something.
      expect(taken).toBeGreaterThan(runs / 25);
    });
  }

  for (const [profile, counter, least] of [
    ['b1', 'foldsTaken', 1000],
    ['b0', 'runsTaken', 100],
  ] as const) {
    it(`the preset under ${profile} with CONSIST (its quota splits cut millions of pieces): the same timeline`, () => {
      const presetRun = (shortcut: boolean) => {
        applyShortcuts.foldRejectedSplits = shortcut;
        applyShortcuts.pieceRuns = shortcut;
        const doc = tiering6040('consist');
        doc.kernel = { ...doc.kernel, profile };
        doc.duration = '100 s';
        const before = applyShortcuts[counter];
        const res = runScenario(scenarioFromDoc(doc).scenario);
        return { taken: applyShortcuts[counter] - before, goals: res.goals, aggrs: res.aggrs, regions: res.regions };
      };
      const on = presetRun(true);
      const off = presetRun(false);
      expect(on.taken).toBeGreaterThan(least);
      expect(off.taken).toBe(0);
      if (profile === 'b0') expect(Math.max(...on.aggrs.map((a) => a.nr_regions))).toBe(1_566_546);
      expect(on.goals).toEqual(off.goals);
      expect(on.aggrs).toEqual(off.aggrs);
      // The splits the shortcuts make at once count as the visits' one by one.
      expect(on.regions).toEqual(off.regions);
      expect(on.regions[0].rejectedQuotaSplits).toBeGreaterThan(profile === 'b0' ? 1_566_000 : 1000);
    });
  }
});
