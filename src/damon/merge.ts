// SPDX-License-Identifier: GPL-2.0-only
/**
 * Adaptive region merging at aggregation boundaries (damon-monitoring.md §5) and the age update
 * that runs inside every merge pass (§4.4).
 */
import { si, type DamonAttrs } from './attrs.js';
import { boundsMoved, destroyRegion, mergeInto, weightedAverage, type DamonRegion, type DamonTarget, type PieceRun } from './region.js';
import type { KernelProfile } from '../profiles.js';

/** Age update of one region for a merge pass with threshold `thres` (§4.4). */
function updateAge(nr: number, last: number, age: number, thres: number, zeroTransitionReset: boolean): number {
  if (Math.abs(nr - last) > thres) return 0;
  if (zeroTransitionReset && (nr === 0) !== (last === 0)) return 0;
  return (age + 1) >>> 0;
}

/**
 * `damon_merge_regions_of(t, thres, sz_limit)`: one greedy left-to-right pass (§5.2). Survivors are
 * compacted in place, so a pass is O(regions) however many merges it makes.
 */
export function mergeRegionsOf(t: DamonTarget, thres: number, szLimit: number, profile: Pick<KernelProfile, 'ageResetOnZeroTransition'>): void {
  if (t.nrRegions !== t.rawRegions.length) {
    new MergeColumns(t, thres, szLimit, profile.ageResetOnZeroTransition).writeBack();
    return;
  }
  const regs = t.regions;
  let w = 0; // regs[w - 1] is prev
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i];
    r.age = updateAge(r.nrAccesses, r.lastNrAccesses, r.age, thres, profile.ageResetOnZeroTransition);
    if (w > 0) {
      const p = regs[w - 1];
      if (p.end === r.start && Math.abs(p.nrAccesses - r.nrAccesses) <= thres && p.end - p.start + (r.end - r.start) <= szLimit) {
        mergeInto(p, r);
        destroyRegion(r);
        continue;
      }
    }
    regs[w++] = r;
  }
  regs.length = w;
}

/**
 * The merge passes over targets that hold piece runs (damon/region.ts PieceRun), on columns: the
 * pieces go through every pass as the regions they stand for, and only the regions left at the
 * end are objects. A survivor is its leftmost part: that region's object, or a piece's, with the
 * sizes, nr_accesses, nr_accesses_bp and age the passes gave it, and its bounds moved if it took
 * anything in (the arithmetic of mergeInto()).
 */
class MergeColumns {
  /** Entries left. */
  n: number;
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly nr: Uint32Array;
  private readonly last: Uint32Array;
  private readonly age: Uint32Array;
  private readonly merged: Uint8Array;
  /** The entry's leftmost region, as its index in the list the columns were loaded from. */
  private readonly origin: Int32Array;
  /** objs[j] was loaded at index first[j], its run's pieces right after it. */
  private readonly first: Int32Array;
  private readonly objs: DamonRegion[];

  /**
   * Load t's regions, runs included, through a first damon_merge_regions_of() pass with `thres`
   * (the same steps as pass()): a piece that joins the entry before it is never written.
   */
  constructor(
    readonly t: DamonTarget,
    thres: number,
    private readonly szLimit: number,
    private readonly zeroTransitionReset: boolean,
  ) {
    const n = t.nrRegions;
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.nr = new Uint32Array(n);
    this.last = new Uint32Array(n);
    this.age = new Uint32Array(n);
    this.merged = new Uint8Array(n);
    this.origin = new Int32Array(n);
    this.objs = t.rawRegions;
    this.first = new Int32Array(this.objs.length);
    const { objs, first } = this;
    let w = 0;
    let e = 0;
    // The region before (prev), kept in locals until the next one does not join it.
    let pStart = 0;
    let pEnd = -1; // joins nothing
    let pNr = 0;
    let pLast = 0;
    let pAge = 0;
    let pMerged = 0;
    let pOrigin = -1;
    for (let j = 0; j < objs.length; j++) {
      const r = objs[j];
      first[j] = e;
      const run = r.run;
      const count = run ? run.n + 1 : 1;
      for (let i = 0; i < count; i++, e++) {
        let eStart: number;
        let eEnd: number;
        let eNr: number;
        let eLast: number;
        if (i === 0 || !run) {
          eStart = r.start;
          eEnd = r.end;
          eNr = r.nrAccesses;
          eLast = r.lastNrAccesses;
        } else {
          eStart = r.end + (i - 1) * run.sz;
          eEnd = eStart + run.sz;
          eNr = run.nrAccesses[i - 1];
          eLast = run.lastNrAccesses[i - 1];
        }
        const eAge = updateAge(eNr, eLast, r.age, thres, zeroTransitionReset);
        const sl = pEnd - pStart;
        const sr = eEnd - eStart;
        if (pEnd === eStart && Math.abs(pNr - eNr) <= thres && sl + sr <= szLimit) {
          pNr = weightedAverage(pNr, sl, eNr, sr);
          pAge = weightedAverage(pAge, sl, eAge, sr);
          pEnd = eEnd;
          pMerged = 1;
          continue;
        }
        if (pOrigin >= 0) this.put(w++, pStart, pEnd, pNr, pLast, pAge, pMerged, pOrigin);
        pStart = eStart;
        pEnd = eEnd;
        pNr = eNr;
        pLast = eLast;
        pAge = eAge;
        pMerged = 0;
        pOrigin = e;
      }
    }
    if (pOrigin >= 0) this.put(w++, pStart, pEnd, pNr, pLast, pAge, pMerged, pOrigin);
    this.n = w;
  }

  private put(w: number, start: number, end: number, nr: number, last: number, age: number, merged: number, origin: number): void {
    this.start[w] = start;
    this.end[w] = end;
    this.nr[w] = nr;
    this.last[w] = last;
    this.age[w] = age;
    this.merged[w] = merged;
    this.origin[w] = origin;
  }

  /** damon_merge_regions_of() on the entries. */
  pass(thres: number): void {
    const { start, end, nr, last, age, merged, origin, szLimit, zeroTransitionReset } = this;
    let w = 0;
    let pStart = 0;
    let pEnd = -1; // joins nothing
    let pNr = 0;
    let pLast = 0;
    let pAge = 0;
    let pMerged = 0;
    let pOrigin = -1;
    for (let e = 0; e < this.n; e++) {
      const eStart = start[e];
      const eEnd = end[e];
      const eNr = nr[e];
      const eAge = updateAge(eNr, last[e], age[e], thres, zeroTransitionReset);
      const sl = pEnd - pStart;
      const sr = eEnd - eStart;
      if (pEnd === eStart && Math.abs(pNr - eNr) <= thres && sl + sr <= szLimit) {
        pNr = weightedAverage(pNr, sl, eNr, sr);
        pAge = weightedAverage(pAge, sl, eAge, sr);
        pEnd = eEnd;
        pMerged = 1;
        continue;
      }
      if (pOrigin >= 0) this.put(w++, pStart, pEnd, pNr, pLast, pAge, pMerged, pOrigin);
      pStart = eStart;
      pEnd = eEnd;
      pNr = eNr;
      pLast = last[e];
      pAge = eAge;
      pMerged = merged[e];
      pOrigin = origin[e];
    }
    if (pOrigin >= 0) this.put(w++, pStart, pEnd, pNr, pLast, pAge, pMerged, pOrigin);
    this.n = w;
  }

  /** Index in objs of the region an origin index belongs to (itself or its run's carrier). */
  private carrierOf(o: number): number {
    const first = this.first;
    let lo = 0;
    let hi = first.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (first[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The survivors as the target's regions; the objects of the others are destroyed. */
  writeBack(): void {
    const { end, nr, age, merged, origin, objs } = this;
    const out = new Array<DamonRegion>(this.n);
    const kept = new Uint8Array(objs.length);
    // Pieces read their carrier's shared fields: they become objects before any object changes.
    for (let e = 0; e < this.n; e++) {
      const j = this.carrierOf(origin[e]);
      const c = objs[j];
      const piece = origin[e] - this.first[j] - 1;
      if (piece >= 0) out[e] = (c.run as PieceRun).region(c, piece);
      else {
        out[e] = c;
        kept[j] = 1;
      }
    }
    for (let e = 0; e < this.n; e++) {
      const r = out[e];
      r.end = end[e];
      r.nrAccesses = nr[e];
      r.age = age[e];
      if (merged[e]) {
        r.nrAccessesBp = (nr[e] * 10000) >>> 0;
        boundsMoved(r);
      }
    }
    objs.forEach((r, j) => {
      r.run = null;
      if (!kept[j]) destroyRegion(r);
    });
    this.t.regions = out;
  }
}

/**
 * `kdamond_merge_regions(ctx, threshold, sz_limit)`: repeat passes with a doubling threshold while
 * the total region count exceeds max_nr_regions (§5.1).
 */
export function kdamondMergeRegions(
  targets: readonly DamonTarget[],
  attrs: DamonAttrs,
  threshold: number,
  szLimit: number,
  profile: Pick<KernelProfile, 'ageResetOnZeroTransition'>,
): void {
  const maxThres = Math.floor(attrs.aggrInterval / si(attrs)) >>> 0;
  let nrRegions: number;
  if (targets.some((t) => t.nrRegions !== t.rawRegions.length)) {
    let cols: MergeColumns[] | null = null;
    do {
      nrRegions = 0;
      if (cols) for (const c of cols) c.pass(threshold);
      else cols = targets.map((t) => new MergeColumns(t, threshold, szLimit, profile.ageResetOnZeroTransition));
      for (const c of cols) nrRegions += c.n;
      threshold = Math.max(1, (threshold * 2) >>> 0);
    } while (nrRegions > attrs.maxNrRegions && Math.floor(threshold / 2) < maxThres);
    for (const c of cols) c.writeBack();
    return;
  }
  do {
    nrRegions = 0;
    for (const t of targets) {
      mergeRegionsOf(t, threshold, szLimit, profile);
      nrRegions += t.nrRegions;
    }
    threshold = Math.max(1, (threshold * 2) >>> 0);
  } while (nrRegions > attrs.maxNrRegions && Math.floor(threshold / 2) < maxThres);
}
