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
  n: number;
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly nr: Uint32Array;
  private readonly last: Uint32Array;
  private readonly age: Uint32Array;
  private readonly bp: Uint32Array;
  private readonly merged: Uint8Array;
  /** Where an entry comes from: objs[carrier], or piece `piece` of its run (-1: the object itself). */
  private readonly carrier: Int32Array;
  private readonly piece: Int32Array;
  private readonly objs: DamonRegion[];

  /** The columns of t's regions after a first pass with `thres` (made as they are read). */
  constructor(
    readonly t: DamonTarget,
    thres: number,
    private readonly szLimit: number,
    private readonly zeroTransitionReset: boolean,
  ) {
    const n = t.nrRegions;
    this.n = 0;
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.nr = new Uint32Array(n);
    this.last = new Uint32Array(n);
    this.age = new Uint32Array(n);
    this.bp = new Uint32Array(n);
    this.merged = new Uint8Array(n);
    this.carrier = new Int32Array(n);
    this.piece = new Int32Array(n);
    this.objs = t.rawRegions;
    const objs = this.objs;
    for (let j = 0; j < objs.length; j++) {
      const r = objs[j];
      const age0 = r.age;
      this.feed(thres, r.start, r.end, r.nrAccesses, r.lastNrAccesses, age0, r.nrAccessesBp, j, -1);
      const run = r.run;
      if (!run) continue;
      const sz = run.sz;
      for (let i = 0, st = r.start + sz; i < run.n; i++, st += sz) {
        this.feed(thres, st, st + sz, run.nrAccesses[i], run.lastNrAccesses[i], age0, run.nrAccessesBp[i], j, i);
      }
    }
  }

  /** One region's turn in the first pass: merged into the last entry, or a new entry. */
  private feed(thres: number, start: number, end: number, nr: number, last: number, age: number, bp: number, carrier: number, piece: number): void {
    age = updateAge(nr, last, age, thres, this.zeroTransitionReset);
    const p = this.n - 1;
    if (p >= 0) {
      const pEnd = this.end[p];
      const sl = pEnd - this.start[p];
      const sr = end - start;
      const pNr = this.nr[p];
      if (pEnd === start && Math.abs(pNr - nr) <= thres && sl + sr <= this.szLimit) {
        const m = weightedAverage(pNr, sl, nr, sr);
        this.nr[p] = m;
        this.bp[p] = Math.imul(m, 10000);
        this.age[p] = weightedAverage(this.age[p], sl, age, sr);
        this.end[p] = end;
        this.merged[p] = 1;
        return;
      }
    }
    const w = this.n++;
    this.start[w] = start;
    this.end[w] = end;
    this.nr[w] = nr;
    this.last[w] = last;
    this.age[w] = age;
    this.bp[w] = bp;
    this.carrier[w] = carrier;
    this.piece[w] = piece;
  }

  /** damon_merge_regions_of() on the columns. */
  pass(thres: number): void {
    const { szLimit, zeroTransitionReset } = this;
    const { start, end, nr, last, age, bp, merged, carrier, piece } = this;
    let w = 0; // w - 1 is prev
    for (let e = 0; e < this.n; e++) {
      age[e] = updateAge(nr[e], last[e], age[e], thres, zeroTransitionReset);
      if (w > 0) {
        const p = w - 1;
        const sl = end[p] - start[p];
        const sr = end[e] - start[e];
        if (end[p] === start[e] && Math.abs(nr[p] - nr[e]) <= thres && sl + sr <= szLimit) {
          nr[p] = weightedAverage(nr[p], sl, nr[e], sr);
          bp[p] = Math.imul(nr[p], 10000);
          age[p] = weightedAverage(age[p], sl, age[e], sr);
          end[p] = end[e];
          merged[p] = 1;
          continue;
        }
      }
      if (w !== e) {
        start[w] = start[e];
        end[w] = end[e];
        nr[w] = nr[e];
        last[w] = last[e];
        age[w] = age[e];
        bp[w] = bp[e];
        merged[w] = merged[e];
        carrier[w] = carrier[e];
        piece[w] = piece[e];
      }
      w++;
    }
    this.n = w;
  }

  /** The survivors as the target's regions; the objects of the others are destroyed. */
  writeBack(): void {
    const { end, nr, age, bp, merged, carrier, piece, objs } = this;
    const out = new Array<DamonRegion>(this.n);
    // Pieces read their carrier's shared fields: they become objects before any object changes.
    for (let e = 0; e < this.n; e++) {
      if (piece[e] < 0) continue;
      const c = objs[carrier[e]];
      out[e] = (c.run as PieceRun).region(c, piece[e]);
    }
    const kept = new Uint8Array(objs.length);
    for (let e = 0; e < this.n; e++) {
      if (piece[e] < 0) {
        out[e] = objs[carrier[e]];
        kept[carrier[e]] = 1;
      }
      const r = out[e];
      r.end = end[e];
      r.nrAccesses = nr[e];
      r.nrAccessesBp = bp[e];
      r.age = age[e];
      if (merged[e]) boundsMoved(r);
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
      if (!cols) cols = targets.map((t) => new MergeColumns(t, threshold, szLimit, profile.ageResetOnZeroTransition));
      else for (const c of cols) c.pass(threshold);
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
