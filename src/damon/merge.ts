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
    new MergeChain([t], thres, szLimit, profile.ageResetOnZeroTransition, 0, 0).writeBack(); // maxThres 0: one pass
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
 * Survivors of a merge pass, in order, as columns: what a pass keeps while it may turn out to be
 * the last one (MergePass).
 */
class Survivors {
  /** Survivors kept between merges (at most a few: a chain holds one per pass at a time), with the capacity they grew to. */
  private static readonly pool: Survivors[] = [];

  /** An empty one, reused if one waits. */
  static take(): Survivors {
    const s = Survivors.pool.pop();
    if (s === undefined) return new Survivors();
    s.n = 0;
    return s;
  }

  /** Done with s. */
  static give(s: Survivors): void {
    if (Survivors.pool.length < 8) Survivors.pool.push(s);
  }

  n = 0;
  start = new Float64Array(64);
  end = new Float64Array(64);
  nr = new Uint32Array(64);
  last = new Uint32Array(64);
  age = new Uint32Array(64);
  merged = new Uint8Array(64);
  origin = new Int32Array(64);
  target = new Int32Array(64);

  push(start: number, end: number, nr: number, last: number, age: number, merged: number, origin: number, target: number): void {
    if (this.n === this.start.length) this.grow();
    const i = this.n++;
    this.start[i] = start;
    this.end[i] = end;
    this.nr[i] = nr;
    this.last[i] = last;
    this.age[i] = age;
    this.merged[i] = merged;
    this.origin[i] = origin;
    this.target[i] = target;
  }

  private grow(): void {
    const cap = 2 * this.start.length;
    const more = <T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.start = more(this.start, new Float64Array(cap));
    this.end = more(this.end, new Float64Array(cap));
    this.nr = more(this.nr, new Uint32Array(cap));
    this.last = more(this.last, new Uint32Array(cap));
    this.age = more(this.age, new Uint32Array(cap));
    this.merged = more(this.merged, new Uint8Array(cap));
    this.origin = more(this.origin, new Int32Array(cap));
    this.target = more(this.target, new Int32Array(cap));
  }
}

/**
 * kdamond_merge_regions()' passes over targets that hold piece runs (damon/region.ts PieceRun),
 * streamed: each damon_merge_regions_of() pass is a MergePass that takes the regions one by one,
 * runs included, and hands each survivor, once the next region does not join it, on to the pass
 * after it. A pass reads its input in order and its survivors come out in order, so a chain of
 * passes gives what passes over whole lists one after another give; no list of a million pieces
 * is ever written, which cost a run's explosion more than the merging itself (page faults on the
 * columns). Whether a next pass runs is known only once a pass has made more than max_nr_regions
 * survivors (§5.1): until then it keeps them, and hands them on when it starts the next pass.
 * A survivor is its leftmost part: an origin index in the regions as loaded (carriers and their
 * pieces in order, all targets one after another), with the sizes, nr_accesses, nr_accesses_bp
 * and age the passes gave it, and its bounds moved if it took anything in (mergeInto()).
 */
class MergePass {
  /** Survivors made so far, in all targets. */
  count = 0;
  /** The pass after this one, once it is known to run. */
  next: MergePass | null = null;
  /** This pass's survivors, while it may be the last pass (null once it is not). */
  kept: Survivors | null = Survivors.take();
  // The entry before (prev) waits in these fields until the next one does not join it (feed()).
  pStart = 0;
  pEnd = -1;
  pNr = 0;
  pLast = 0;
  pAge = 0;
  pMerged = 0;
  /** -1: nothing waits. */
  pOrigin = -1;
  pTarget = -1;

  constructor(
    readonly chain: MergeChain,
    readonly thres: number,
    readonly depth: number,
    /** Whether a pass may follow this one (it does once this one has made too many regions). */
    readonly mayPassOn: boolean,
  ) {}

  /** The end of the input: prev, if any, is a survivor too. */
  end_(): void {
    if (this.pOrigin >= 0) {
      const { pStart, pEnd, pNr, pLast, pAge, pMerged, pOrigin, pTarget } = this;
      this.pOrigin = -1;
      this.pTarget = -1;
      this.count++;
      if (this.next !== null) feed(this.next, bounds(pStart, pEnd), pNr, pLast, pAge, pMerged, pOrigin, pTarget);
      else this.keep(pStart, pEnd, pNr, pLast, pAge, pMerged, pOrigin, pTarget);
    }
  }

  /** A survivor of this pass while it is the last: kept, and the next pass started once there are too many. */
  keep(start: number, end: number, nr: number, last: number, age: number, merged: number, origin: number, target: number): void {
    (this.kept as Survivors).push(start, end, nr, last, age, merged, origin, target);
    if (this.mayPassOn && this.count > this.chain.maxNrRegions) this.chain.passAfter(this);
  }
}

/**
 * The bounds of the entry feed() takes next. Addresses past 2^31 are doubles, which V8 boxes in a
 * heap number of its own for each argument that carries one (feed() loops, so it is not inlined):
 * ~100 MB of garbage in the preset's largest merge. A typed array passes them unboxed; feed()
 * reads them before anything can write them again (its keep() may feed the next pass).
 */
const entryBounds = new Float64Array(2);
function bounds(start: number, end: number): Float64Array {
  entryBounds[0] = start;
  entryBounds[1] = end;
  return entryBounds;
}

/**
 * An entry into pass `p`, its bounds in `at` (bounds()): it joins p's prev, or p's prev goes on as
 * a survivor to the pass after p (and so on down the chain) and the entry waits in its place. One
 * loop, nothing after it (ops/sampler.ts BinomialTables.drawRow() says why), instead of passes
 * calling each other.
 */
function feed(p: MergePass, at: Float64Array, nr: number, last: number, age: number, merged: number, origin: number, target: number): void {
  let start = at[0];
  let end = at[1];
  const { zeroTransitionReset, szLimit } = p.chain;
  for (;;) {
    const thres = p.thres;
    age = updateAge(nr, last, age, thres, zeroTransitionReset);
    if (target === p.pTarget && mergeable(p.pStart, p.pEnd, p.pNr, start, end, nr, thres, szLimit)) {
      // mergeInto() on the columns.
      const sl = p.pEnd - p.pStart;
      p.pNr = weightedAverage(p.pNr, sl, nr, end - start);
      p.pAge = weightedAverage(p.pAge, sl, age, end - start);
      p.pEnd = end;
      p.pMerged = 1;
      return;
    }
    // The entry takes prev's place; prev goes on.
    const oStart = p.pStart;
    const oEnd = p.pEnd;
    const oNr = p.pNr;
    const oLast = p.pLast;
    const oAge = p.pAge;
    const oMerged = p.pMerged;
    const oOrigin = p.pOrigin;
    const oTarget = p.pTarget;
    p.pStart = start;
    p.pEnd = end;
    p.pNr = nr;
    p.pLast = last;
    p.pAge = age;
    p.pMerged = merged;
    p.pOrigin = origin;
    p.pTarget = target;
    if (oOrigin < 0) return; // nothing waited
    p.count++;
    const next = p.next;
    if (next === null) {
      p.keep(oStart, oEnd, oNr, oLast, oAge, oMerged, oOrigin, oTarget);
      return;
    }
    p = next;
    start = oStart;
    end = oEnd;
    nr = oNr;
    last = oLast;
    age = oAge;
    merged = oMerged;
    origin = oOrigin;
    target = oTarget;
  }
}

/** The passes of one kdamond_merge_regions() over targets with piece runs (MergePass). */
class MergeChain {
  readonly first: MergePass;
  /** The regions as the targets held them, all targets one after another. */
  private readonly objs: DamonRegion[];
  /** objs[j] was loaded at entry index loadedAt[j], its run's pieces right after it. */
  private readonly loadedAt: Float64Array;

  /**
   * A pass after the first runs while the one before left more than `maxNrRegions` regions and the
   * threshold allows it (kdamondMergeRegions(); `maxThres` 0 allows none).
   */
  constructor(
    private readonly ts: readonly DamonTarget[],
    thres: number,
    readonly szLimit: number,
    readonly zeroTransitionReset: boolean,
    readonly maxNrRegions: number,
    private readonly maxThres: number,
  ) {
    this.objs = loadedRegions(ts);
    this.loadedAt = new Float64Array(this.objs.length);
    this.first = this.newPass(thres, 0);
    // The loop is a method of its own with nothing after it (ops/sampler.ts
    // BinomialTables.drawRow() says why).
    this.load();
    for (let p: MergePass | null = this.first; p !== null; p = p.next) p.end_();
  }

  private load(): void {
    const { objs, loadedAt, first } = this;
    let ti = 0;
    let tEnd = this.ts.length > 0 ? this.ts[0].rawRegions.length : 0;
    for (let j = 0, e = 0; j < objs.length; j++) {
      while (j >= tEnd) tEnd += this.ts[++ti].rawRegions.length;
      const r = objs[j];
      loadedAt[j] = e;
      feed(first, bounds(r.start, r.end), r.nrAccesses, r.lastNrAccesses, r.age, 0, e++, ti);
      const run = r.run;
      if (!run) continue;
      feedRun(first, r, run, e, ti);
      e += run.n;
    }
  }

  private newPass(thres: number, depth: number): MergePass {
    // kdamond_merge_regions()' loop condition, and damon-sim's pass limit.
    return new MergePass(this, thres, depth, depth + 1 < MAX_MERGE_PASSES && Math.floor(nextThreshold(thres) / 2) < this.maxThres);
  }

  /** `from`, which may be followed by another pass, made more than max_nr_regions regions: that pass runs. */
  passAfter(from: MergePass): void {
    const next = this.newPass(nextThreshold(from.thres), from.depth + 1);
    const kept = from.kept as Survivors;
    from.kept = null;
    from.next = next;
    feedKept(next, kept);
    Survivors.give(kept);
  }

  /** The last pass's survivors as the targets' regions; the objects of the others are destroyed. */
  writeBack(): void {
    let p = this.first; // the last pass that ran
    while (p.next !== null) p = p.next;
    const survivors = p.kept as Survivors;
    const { objs, loadedAt } = this;
    // Holey arrays, as splitRegionsOf() leaves every list before the first run's merge: a packed
    // one is another map to V8, and code that walks t.regions was recompiled at its first sight.
    const outs = this.ts.map((): DamonRegion[] => new Array<DamonRegion>(0));
    const kept = new Uint8Array(objs.length);
    // Each loop a function of its own (ops/sampler.ts BinomialTables.drawRow() says why).
    survivorRegions(survivors, objs, loadedAt, outs, kept);
    survivorFields(survivors, outs);
    releaseLoaded(objs, kept);
    this.ts.forEach((t, ti) => (t.regions = outs[ti]));
    p.kept = null;
    Survivors.give(survivors);
  }
}

/**
 * The region object of each survivor into outs (by target): a loaded region's own, or a piece's
 * made from its run; kept[j] marks loaded regions that survive. Pieces read their carrier's shared
 * fields, so they become objects before any object changes. The survivors come in order, so their
 * origins rise: the region each starts in is found by walking forward (a search per survivor cost
 * more than the rest of a plain list's merge).
 */
function survivorRegions(survivors: Survivors, objs: readonly DamonRegion[], loadedAt: Float64Array, outs: DamonRegion[][], kept: Uint8Array): void {
  const { origin, target, n } = survivors;
  for (let e = 0, j = 0; e < n; e++) {
    while (j + 1 < loadedAt.length && loadedAt[j + 1] <= origin[e]) j++;
    const c = objs[j];
    const piece = origin[e] - loadedAt[j] - 1;
    if (piece >= 0) outs[target[e]].push((c.run as PieceRun).region(c, piece));
    else {
      outs[target[e]].push(c);
      kept[j] = 1;
    }
  }
}

/** What the passes gave each survivor, into its region object (mergeInto()'s fields). */
function survivorFields(survivors: Survivors, outs: DamonRegion[][]): void {
  const { end, nr, age, merged, target, n } = survivors;
  const at = new Int32Array(outs.length);
  for (let e = 0; e < n; e++) {
    const r = outs[target[e]][at[target[e]]++];
    r.end = end[e];
    r.nrAccesses = nr[e];
    r.age = age[e];
    if (merged[e]) {
      r.nrAccessesBp = (nr[e] * 10000) >>> 0;
      boundsMoved(r);
    }
  }
}

/** The loaded regions lose their runs; those that did not survive are destroyed. */
function releaseLoaded(objs: readonly DamonRegion[], kept: Uint8Array): void {
  for (let j = 0; j < objs.length; j++) {
    const r = objs[j];
    r.run = null;
    if (!kept[j]) destroyRegion(r);
  }
}

/** The survivors a pass kept into the pass after it, in order (a loop of its own: drawRow() in ops/sampler.ts says why). */
function feedKept(next: MergePass, kept: Survivors): void {
  for (let i = 0; i < kept.n; i++) feed(next, bounds(kept.start[i], kept.end[i]), kept.nr[i], kept.last[i], kept.age[i], kept.merged[i], kept.origin[i], kept.target[i]);
}

/** The targets' regions as kept, one list (holey, as every region list is: writeBack() says why). */
function loadedRegions(ts: readonly DamonTarget[]): DamonRegion[] {
  let n = 0;
  for (const t of ts) n += t.rawRegions.length;
  const objs = new Array<DamonRegion>(n);
  let j = 0;
  for (const t of ts) for (const r of t.rawRegions) objs[j++] = r;
  return objs;
}

/** The pieces of r's run into the first pass, entry indices from `e` on. */
function feedRun(first: MergePass, r: DamonRegion, run: PieceRun, e: number, ti: number): void {
  const { sz, nrAccesses, nrBase, lastNrAccesses } = run;
  const age = r.age;
  for (let i = 0, st = r.end; i < run.n; i++, st += sz) feed(first, bounds(st, st + sz), nrAccesses === null ? nrBase : nrAccesses[i], lastNrAccesses, age, 0, e + i, ti);
}

/** The threshold of the pass after one with `thres`: `max(threshold * 2, 1)` in the kernel's unsigned int (§5.1). */
function nextThreshold(thres: number): number {
  return Math.max(1, (thres * 2) >>> 0);
}

/**
 * The most passes one kdamond_merge_regions() makes. The kernel's loop has no such limit, but
 * only a threshold wrapping at 2^32 (aggr / sample past 2^30) with regions that cannot merge
 * below max_nr_regions (gaps between them) would reach it, and the kernel would never leave it.
 */
export const MAX_MERGE_PASSES = 64;

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
  if (targets.some((t) => t.nrRegions !== t.rawRegions.length)) {
    // Targets holding piece runs go through the passes streamed (MergeChain).
    new MergeChain(targets, threshold, szLimit, profile.ageResetOnZeroTransition, attrs.maxNrRegions, maxThres).writeBack();
    return;
  }
  let nrRegions: number;
  let passes = 0;
  do {
    nrRegions = 0;
    for (const t of targets) {
      mergeRegionsOf(t, threshold, szLimit, profile);
      nrRegions += t.nrRegions;
    }
    threshold = nextThreshold(threshold);
  } while (nrRegions > attrs.maxNrRegions && Math.floor(threshold / 2) < maxThres && ++passes < MAX_MERGE_PASSES);
}
