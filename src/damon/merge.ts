// SPDX-License-Identifier: GPL-2.0-only
/**
 * Adaptive region merging at aggregation boundaries (damon-monitoring.md §5) and the age update
 * that runs inside every merge pass (§4.4).
 */
import { si, type DamonAttrs } from './attrs.js';
import { boundsMoved, destroyRegion, mergeInto, weightedAverage, type DamonRegion, type DamonTarget, type PieceRun } from './region.js';
import type { KernelProfile } from '../profiles.js';
import { startAsDoubles } from '../lib/v8-fields.js';

/**
 * The kernel's abs() of the difference of two u32 counters: the wrapped u32 difference read as an
 * int (include/linux/math.h), so a difference past 2^31 counts as 2^32 minus it. damon-monitoring.md
 * §4.4 and §5.2 say "true absolute difference"; the two differ only with nr_accesses past 2^31,
 * which takes more than 2^31 samples per aggregation interval.
 */
function absDiffU32(a: number, b: number): number {
  return Math.abs((a - b) | 0);
}

/** Age update of one region for a merge pass with threshold `thres` (§4.4). */
function updateAge(nr: number, last: number, age: number, thres: number, zeroTransitionReset: boolean): number {
  if (absDiffU32(nr, last) > thres) return 0;
  if (zeroTransitionReset && (nr === 0) !== (last === 0)) return 0;
  return (age + 1) >>> 0;
}

/** Whether damon_merge_regions_of() merges r into prev: adjacent, similar and within the size limit (§5.2). */
function mergeable(pStart: number, pEnd: number, pNr: number, rStart: number, rEnd: number, rNr: number, thres: number, szLimit: number): boolean {
  return pEnd === rStart && absDiffU32(pNr, rNr) <= thres && pEnd - pStart + (rEnd - rStart) <= szLimit;
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

  push(e: Entry): void {
    if (this.n === this.start.length) this.grow();
    const i = this.n++;
    this.start[i] = e.start;
    this.end[i] = e.end;
    this.nr[i] = e.nr;
    this.last[i] = e.last;
    this.age[i] = e.age;
    this.merged[i] = e.merged;
    this.origin[i] = e.origin;
    this.target[i] = e.target;
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
 * A region as the merge passes see it: bounds, nr_accesses, last_nr_accesses and age, whether it
 * took anything in, and where it came from (MergePass). A pass's waiting entry hands itself on to
 * the next pass as an object: one pointer moves where eight numbers were copied, and an entry
 * that a pass let go (feed() returns it) carries the next region in, so a merge uses as many
 * entries as it has passes, whatever the number of pieces.
 */
class Entry {
  start = 0;
  end = 0;
  nr = 0;
  last = 0;
  age = 0;
  merged = 0;
  /** -1: nothing (a pass's entry before its first region). */
  origin = -1;
  target = -1;

  constructor() {
    // Addresses pass 2^31: the double layout from the start (lib/v8-fields.ts).
    startAsDoubles(this, 'start', 'end');
  }

  /** This entry as region [start, end) of target `target`, entry index `origin`; `merged`: it took others in. */
  set(start: number, end: number, nr: number, last: number, age: number, merged: number, origin: number, target: number): this {
    this.start = start;
    this.end = end;
    this.nr = nr;
    this.last = last;
    this.age = age;
    this.merged = merged;
    this.origin = origin;
    this.target = target;
    return this;
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
  /** The entry before (prev): it waits until the next one does not join it (feed()). */
  prev = new Entry();

  constructor(
    readonly chain: MergeChain,
    readonly thres: number,
    readonly depth: number,
    /** Whether a pass may follow this one (it does once this one has made too many regions). */
    readonly mayPassOn: boolean,
  ) {}

  /** The end of the input: prev, if any, is a survivor too. */
  end_(): void {
    const q = this.prev;
    if (q.origin < 0) return;
    this.count++;
    // Nothing reads this pass's prev after its end: q can go on as it is.
    if (this.next !== null) feed(this.next, q);
    else this.keep(q);
  }

  /** A survivor of this pass while it is the last: kept, and the next pass started once there are too many. */
  keep(e: Entry): void {
    (this.kept as Survivors).push(e);
    if (this.mayPassOn && this.count > this.chain.maxNrRegions) this.chain.passAfter(this);
  }
}

/**
 * Entry `e` into pass `p`: it joins p's prev, or p's prev goes on as a survivor to the pass after
 * p (and so on down the chain) and `e` waits in its place. Returns the entry that is free now
 * (`e` if it was merged, else the one that left the last pass it reached), for the caller's next
 * region. One loop, nothing after it (ops/sampler.ts BinomialTables.drawRow() says why), instead
 * of passes calling each other.
 */
function feed(p: MergePass, e: Entry): Entry {
  const { zeroTransitionReset, szLimit } = p.chain;
  for (;;) {
    const thres = p.thres;
    e.age = updateAge(e.nr, e.last, e.age, thres, zeroTransitionReset);
    const q = p.prev;
    if (e.target === q.target && mergeable(q.start, q.end, q.nr, e.start, e.end, e.nr, thres, szLimit)) {
      // mergeInto() on the entry.
      const sl = q.end - q.start;
      q.nr = weightedAverage(q.nr, sl, e.nr, e.end - e.start);
      q.age = weightedAverage(q.age, sl, e.age, e.end - e.start);
      q.end = e.end;
      q.merged = 1;
      return e;
    }
    // The entry takes prev's place; prev goes on.
    p.prev = e;
    if (q.origin < 0) return q; // nothing waited
    p.count++;
    const next = p.next;
    if (next === null) {
      p.keep(q);
      return q;
    }
    p = next;
    e = q;
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
    let f = new Entry();
    for (let j = 0, e = 0; j < objs.length; j++) {
      while (j >= tEnd) tEnd += this.ts[++ti].rawRegions.length;
      const r = objs[j];
      loadedAt[j] = e;
      f = feed(first, f.set(r.start, r.end, r.nrAccesses, r.lastNrAccesses, r.age, 0, e++, ti));
      const run = r.run;
      if (!run) continue;
      f = feedRun(first, f, r, run, e, ti);
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
  let f = new Entry();
  for (let i = 0; i < kept.n; i++) f = feed(next, f.set(kept.start[i], kept.end[i], kept.nr[i], kept.last[i], kept.age[i], kept.merged[i], kept.origin[i], kept.target[i]));
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

/** The pieces of r's run into the first pass, entry indices from `e` on, through the free entry `f`; returns the one free after. */
function feedRun(first: MergePass, f: Entry, r: DamonRegion, run: PieceRun, e: number, ti: number): Entry {
  const { sz, lastNrAccesses } = run;
  const age = r.age;
  for (let i = 0, st = r.end; i < run.n; i++, st += sz) f = feed(first, f.set(st, st + sz, run.nrOf(i), lastNrAccesses, age, 0, e + i, ti));
  return f;
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
