// SPDX-License-Identifier: GPL-2.0-only
/**
 * Adaptive region merging at aggregation boundaries (damon-monitoring.md §5) and the age update
 * that runs inside every merge pass (§4.4).
 */
import { si, type DamonAttrs } from './attrs.js';
import { boundsMoved, destroyRegion, mergeInto, weightedAverage, type DamonRegion, type DamonTarget, type PieceRun } from './region.js';
import type { KernelProfile } from '../profiles.js';
import { lastAtMost } from '../lib/search.js';

/** Age update of one region for a merge pass with threshold `thres` (§4.4). */
function updateAge(nr: number, last: number, age: number, thres: number, zeroTransitionReset: boolean): number {
  if (Math.abs(nr - last) > thres) return 0;
  if (zeroTransitionReset && (nr === 0) !== (last === 0)) return 0;
  return (age + 1) >>> 0;
}

/** Whether damon_merge_regions_of() merges r into prev: adjacent, similar and within the size limit (§5.2). */
function mergeable(pStart: number, pEnd: number, pNr: number, rStart: number, rEnd: number, rNr: number, thres: number, szLimit: number): boolean {
  return pEnd === rStart && Math.abs(pNr - rNr) <= thres && pEnd - pStart + (rEnd - rStart) <= szLimit;
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
      if (mergeable(p.start, p.end, p.nrAccesses, r.start, r.end, r.nrAccesses, thres, szLimit)) {
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
  n = 0;
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
    // The loops are methods of their own with nothing after them (ops/sampler.ts lookRun() says why).
    this.begin(thres);
    this.load();
    this.end_();
  }

  private load(): void {
    const { objs, first } = this;
    for (let j = 0, e = 0; j < objs.length; j++) {
      const r = objs[j];
      first[j] = e;
      this.feed(r.start, r.end, r.nrAccesses, r.lastNrAccesses, r.age, 0, e++);
      const run = r.run;
      if (!run) continue;
      for (let i = 0, st = r.end; i < run.n; i++, st += run.sz) this.feed(st, st + run.sz, run.nrAccesses[i], run.lastNrAccesses[i], r.age, 0, e++);
    }
  }

  /** damon_merge_regions_of() on the entries. */
  pass(thres: number): void {
    this.begin(thres);
    this.feedAll();
    this.end_();
  }

  private feedAll(): void {
    const { start, end, nr, last, age, merged, origin } = this;
    const n = this.n;
    for (let e = 0; e < n; e++) this.feed(start[e], end[e], nr[e], last[e], age[e], merged[e], origin[e]);
  }

  // A pass: the entries go through feed() in order; the one before (prev) waits in these fields
  // until the next does not join it, and survivors are written from index 0 (never ahead of what
  // the pass has read, so a pass may read the columns it writes).
  private thres = 0;
  private w = 0;
  private pStart = 0;
  private pEnd = -1;
  private pNr = 0;
  private pLast = 0;
  private pAge = 0;
  private pMerged = 0;
  private pOrigin = -1;

  private begin(thres: number): void {
    this.thres = thres;
    this.w = 0;
    this.pEnd = -1; // joins nothing
    this.pOrigin = -1;
  }

  private feed(start: number, end: number, nr: number, last: number, age: number, merged: number, origin: number): void {
    const thres = this.thres;
    age = updateAge(nr, last, age, thres, this.zeroTransitionReset);
    if (mergeable(this.pStart, this.pEnd, this.pNr, start, end, nr, thres, this.szLimit)) {
      // mergeInto() on the columns.
      const sl = this.pEnd - this.pStart;
      this.pNr = weightedAverage(this.pNr, sl, nr, end - start);
      this.pAge = weightedAverage(this.pAge, sl, age, end - start);
      this.pEnd = end;
      this.pMerged = 1;
      return;
    }
    this.flush();
    this.pStart = start;
    this.pEnd = end;
    this.pNr = nr;
    this.pLast = last;
    this.pAge = age;
    this.pMerged = merged;
    this.pOrigin = origin;
  }

  private flush(): void {
    if (this.pOrigin < 0) return;
    const w = this.w++;
    this.start[w] = this.pStart;
    this.end[w] = this.pEnd;
    this.nr[w] = this.pNr;
    this.last[w] = this.pLast;
    this.age[w] = this.pAge;
    this.merged[w] = this.pMerged;
    this.origin[w] = this.pOrigin;
  }

  private end_(): void {
    this.flush();
    this.n = this.w;
  }

  /** Index in objs of the region an origin index belongs to (itself or its run's carrier). */
  private carrierOf(o: number): number {
    return lastAtMost(this.first, o, 0, this.first.length - 1);
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
  // Targets holding piece runs go through the passes on columns, each target's first pass as it is loaded.
  const onColumns = targets.some((t) => t.nrRegions !== t.rawRegions.length);
  let cols: MergeColumns[] | null = null;
  let nrRegions: number;
  do {
    nrRegions = 0;
    if (!onColumns) {
      for (const t of targets) {
        mergeRegionsOf(t, threshold, szLimit, profile);
        nrRegions += t.nrRegions;
      }
    } else {
      if (cols) for (const c of cols) c.pass(threshold);
      else cols = targets.map((t) => new MergeColumns(t, threshold, szLimit, profile.ageResetOnZeroTransition));
      for (const c of cols) nrRegions += c.n;
    }
    threshold = Math.max(1, (threshold * 2) >>> 0);
  } while (nrRegions > attrs.maxNrRegions && Math.floor(threshold / 2) < maxThres);
  if (cols) for (const c of cols) c.writeBack();
}
