// SPDX-License-Identifier: GPL-2.0-only
/**
 * Regions and targets: struct damon_region / damon_target and the primitives that create, split,
 * merge and re-cover them (damon-monitoring.md §1.2, §1.3, §3.1, §5.3, §6.3).
 *
 * Addresses are core address units (× addr_unit = physical bytes). Regions of a target are kept in
 * an array sorted by address. Passes that rebuild the list (merge, split) write a new array in one
 * go; walks during which the kernel splits the current region (DAMOS) go through RegionWalk.
 */
import { alignDown, alignUp } from '../lib/kint.js';

export class DamonRegion {
  start: number;
  end: number;
  /** Set by ops.prepare_access_checks; not copied on split (§6.3). */
  samplingAddr = 0;
  nrAccesses = 0;
  nrAccessesBp = 0;
  age = 0;
  lastNrAccesses = 0;

  // --- operations-set private state (no kernel counterpart; see ops/paddr.ts) ---
  /**
   * Young map version for which opsThresh was computed; -1 once the region's bounds change
   * (boundsMoved() at each place that moves them), which voids it as much as a new map does.
   */
  opsProbKey = -1;
  /** Probability that one sample of this region finds an access, in units of 2^-31 (ops/sampler.ts threshOf). */
  opsThresh = 0;
  /**
   * The region's current block of samples (ops/sampler.ts): its first and last sample, how many
   * of them find an access and the seed of which ones, and how far it is settled into the counters.
   */
  opsBlockBase = -1;
  opsBlockEnd = -1;
  opsBlockHits = 0;
  opsBlockSeed = 0;
  opsSettledHits = 0;
  opsSettledUpTo = -1;
  /** The regions that follow this one as a piece run (PieceRun), or null. */
  run: PieceRun | null = null;

  constructor(start: number, end: number) {
    this.start = start;
    this.end = end;
  }

  /** Back to damon_new_region(start, end)'s state (for reuse of a destroyed region). */
  reset(start: number, end: number): void {
    this.start = start;
    this.end = end;
    this.samplingAddr = 0;
    this.nrAccesses = 0;
    this.nrAccessesBp = 0;
    this.age = 0;
    this.lastNrAccesses = 0;
    this.opsProbKey = -1;
    this.opsThresh = 0;
    this.opsBlockBase = -1;
    this.opsBlockEnd = -1;
    this.opsBlockHits = 0;
    this.opsBlockSeed = 0;
    this.opsSettledHits = 0;
    this.opsSettledUpTo = -1;
    this.run = null;
  }

  get size(): number {
    return this.end - this.start;
  }
}

/**
 * Regions merged away, kept for the next splits: every aggregation destroys and creates hundreds,
 * and reusing them spares the garbage collector. Callers release a region only once nothing
 * refers to it any more.
 */
const regionPool: DamonRegion[] = [];
const REGION_POOL_MAX = 4096;

/** `damon_destroy_region` for a region no longer referenced anywhere. */
export function destroyRegion(r: DamonRegion): void {
  if (regionPool.length < REGION_POOL_MAX) regionPool.push(r);
}

/** `damon_new_region(start, end)`. */
export function newRegion(start: number, end: number): DamonRegion {
  const r = regionPool.pop();
  if (!r) return new DamonRegion(start, end);
  r.reset(start, end);
  return r;
}

/**
 * r's bounds moved: what the operations set derived from them is void. Only bounds kept two more
 * numbers per region (the bounds the probability was computed for), which V8 boxes as doubles:
 * one more heap object each to allocate and copy, a cost that counts when a quota split makes
 * a million regions.
 */
export function boundsMoved(r: DamonRegion): void {
  r.opsProbKey = -1;
}

/** `damon_sz_region`. */
export function szRegion(r: DamonRegion): number {
  return r.end - r.start;
}

/**
 * Regions that B0's apply pass cut, in a row, off one region at the remaining quota of a scheme
 * whose core filter then rejected each (damos/apply.ts runRejectedSplits): all of one size, all
 * with the state of the region they were cut from. A million of them as objects cost the garbage
 * collector more than everything else in a run (docs/findings.md §3), so until something other
 * than sampling and the next merge looks at them they are columns here. The region carrying the
 * run is the first piece; the run holds the `n` after it, piece i at [start + i·sz, start + (i+1)·sz)
 * of the carrier's start. Age, the sampling block's bounds and the probability's map version are
 * the carrier's for every piece: only run-aware code (the sampler, kdamond_reset_aggregated, the
 * merge) touches a run, and it moves all pieces together.
 */
export class PieceRun {
  /**
   * Every piece's last_nr_accesses. Pieces are made alike and only sampling sets them apart, which
   * changes nr_accesses and nr_accesses_bp; kdamond_reset_aggregated() on a run whose pieces
   * differ makes them regions first (DamonTarget.materializeRuns()), so this stays one number.
   */
  lastNrAccesses: number;
  /** nr_accesses of every piece while `nrAccesses` is null; what a piece's own counts from. */
  nrBase: number;
  /**
   * nr_accesses_bp of a piece at nrBase. A sample moves every piece's moving sum by the same
   * decrement (last_nr_accesses is shared) plus 10000 for an access, so a piece's own is this
   * plus 10000 × (its nr_accesses − nrBase), modulo 2^32 (bpOf()).
   */
  bpBase: number;
  /** Per-piece nr_accesses once sampling set them apart (null: all are nrBase). */
  nrAccesses: Uint32Array | null = null;
  readonly opsThresh: Uint32Array;
  /** The current block's hits per piece; also `nrAccesses` after a whole block settled from nrBase 0 (the same array). */
  opsBlockHits: Uint32Array;
  readonly opsBlockSeed: Int32Array;
  /**
   * Hits settled per piece from the current block, once a settle took part of it; null while
   * none or all of the block is settled (the carrier's opsSettledUpTo says which).
   */
  opsSettledHits: Uint32Array | null = null;
  /** The largest opsBlockHits of the current block. */
  opsMaxBlockHits = 0;

  /** n pieces of size sz, each with `like`'s nr_accesses, nr_accesses_bp and last_nr_accesses. */
  constructor(
    readonly n: number,
    readonly sz: number,
    like: DamonRegion,
  ) {
    this.lastNrAccesses = like.lastNrAccesses;
    this.nrBase = like.nrAccesses;
    this.bpBase = like.nrAccessesBp;
    this.opsThresh = new Uint32Array(n);
    this.opsBlockHits = new Uint32Array(n);
    this.opsBlockSeed = new Int32Array(n);
  }

  /** Piece i's nr_accesses. */
  nrOf(i: number): number {
    return this.nrAccesses === null ? this.nrBase : this.nrAccesses[i];
  }

  /** Piece i's nr_accesses_bp (bpBase). */
  bpOf(i: number): number {
    // (nr − nrBase) mod 2^32 is the accesses added, mod 2^32, and 10000 × it is below 2^53.
    return (this.bpBase + 10000 * ((this.nrOf(i) - this.nrBase) >>> 0)) >>> 0;
  }

  /** Piece i's hits settled from the current block, whose state `carrier` holds. */
  settledHitsOf(carrier: DamonRegion, i: number): number {
    if (this.opsSettledHits !== null) return this.opsSettledHits[i];
    return carrier.opsSettledUpTo >= carrier.opsBlockEnd ? this.opsBlockHits[i] : 0;
  }

  /** Whether sampling gave the pieces nr_accesses of their own (a reset then needs regions: one last_nr_accesses cannot hold them). */
  get sampled(): boolean {
    return this.nrAccesses !== null;
  }

  /** Piece i (0-based, after the carrier) as the region object it stands for. */
  region(carrier: DamonRegion, i: number): DamonRegion {
    const start = carrier.start + (i + 1) * this.sz;
    const r = newRegion(start, start + this.sz);
    r.samplingAddr = carrier.samplingAddr;
    r.nrAccesses = this.nrOf(i);
    r.nrAccessesBp = this.bpOf(i);
    r.age = carrier.age;
    r.lastNrAccesses = this.lastNrAccesses;
    r.opsProbKey = carrier.opsProbKey;
    r.opsThresh = this.opsThresh[i];
    r.opsBlockBase = carrier.opsBlockBase;
    r.opsBlockEnd = carrier.opsBlockEnd;
    r.opsBlockHits = this.opsBlockHits[i];
    r.opsBlockSeed = this.opsBlockSeed[i];
    r.opsSettledHits = this.settledHitsOf(carrier, i);
    r.opsSettledUpTo = carrier.opsSettledUpTo;
    return r;
  }
}

// A region's `run` field holds a PieceRun only once a run is made, minutes into some runs. V8
// compiles code for the field as it has seen it, always null, and throws that code away everywhere
// regions are read the first time it holds a run (lib/v8-fields.ts, the same for numbers): show it
// a run at load, before anything is compiled.
{
  const r = new DamonRegion(0, 1);
  r.run = new PieceRun(0, 1, r);
  r.run = null;
}

export class DamonTarget {
  /** vaddr targets only; paddr targets have none. */
  pid: number | null;
  obsolete = false;
  private regs: DamonRegion[] = [];
  /** Regions held in piece runs, beyond their carriers. */
  private hidden = 0;

  constructor(pid: number | null = null) {
    this.pid = pid;
  }

  /**
   * The regions, sorted by address, every one an object: piece runs are turned into regions
   * first (the code that knows runs reads rawRegions instead).
   */
  get regions(): DamonRegion[] {
    if (this.hidden > 0) this.expandRuns();
    return this.regs;
  }

  set regions(regs: DamonRegion[]) {
    this.setRawRegions(regs, 0);
  }

  /** The region list as kept: a region whose `run` is set stands for itself and the run's pieces. */
  get rawRegions(): DamonRegion[] {
    return this.regs;
  }

  /** Install a list with `hidden` regions held in the runs of its regions. */
  setRawRegions(regs: DamonRegion[], hidden: number): void {
    this.regs = regs;
    this.hidden = hidden;
  }

  /** damon_nr_regions(t), runs included, without turning them into regions. */
  get nrRegions(): number {
    return this.regs.length + this.hidden;
  }

  /** Turn the piece runs into regions (the `regions` getter does so for every reader that knows no runs). */
  materializeRuns(): void {
    if (this.hidden > 0) this.expandRuns();
  }

  private expandRuns(): void {
    const out: DamonRegion[] = [];
    for (const r of this.regs) {
      out.push(r);
      const run = r.run;
      if (!run) continue;
      r.run = null;
      for (let i = 0; i < run.n; i++) out.push(run.region(r, i));
    }
    this.regs = out;
    this.hidden = 0;
  }
}

/**
 * `damon_split_region_at(t, r, sz_r)`: r keeps [start, start + sz_r); a new region [start + sz_r, end)
 * with the same nr_accesses, nr_accesses_bp, last_nr_accesses and age is inserted right after r.
 * `idx` is r's index in t.regions. Returns the new region.
 */
export function splitRegionAt(t: DamonTarget, idx: number, szR: number): DamonRegion {
  const r = t.regions[idx];
  if (!(szR > 0 && szR < r.end - r.start)) {
    throw new Error(`damon_split_region_at: bad split size ${szR} for [${r.start}, ${r.end})`);
  }
  const n = cutRegion(r, szR);
  t.regions.splice(idx + 1, 0, n);
  return n;
}

/** The arithmetic of damon_split_region_at: r keeps the left part; returns the right part (not linked). */
export function cutRegion(r: DamonRegion, szR: number): DamonRegion {
  const n = newRegionLike(r.start + szR, r.end, r);
  r.end = n.start;
  boundsMoved(r);
  return n;
}

/**
 * A new region [start, end) with what damon_split_region_at() copies from the region it cuts:
 * age, last_nr_accesses, nr_accesses_bp and nr_accesses.
 */
export function newRegionLike(start: number, end: number, like: DamonRegion): DamonRegion {
  const n = newRegion(start, end);
  n.age = like.age;
  n.lastNrAccesses = like.lastNrAccesses;
  n.nrAccessesBp = like.nrAccessesBp;
  n.nrAccesses = like.nrAccesses;
  return n;
}

/**
 * `damon_merge_two_regions(t, l, r)`: size-weighted floor averages of nr_accesses and age into l;
 * l keeps its own last_nr_accesses and sampling address; r (at idx + 1) is destroyed (§5.3).
 */
export function mergeTwoRegions(t: DamonTarget, idx: number): void {
  const r = t.regions[idx + 1];
  mergeInto(t.regions[idx], r);
  t.regions.splice(idx + 1, 1);
  destroyRegion(r);
}

/** The arithmetic of damon_merge_two_regions: fold r into l (the caller unlinks r). */
export function mergeInto(l: DamonRegion, r: DamonRegion): void {
  const sl = l.end - l.start;
  const sr = r.end - r.start;
  l.nrAccesses = weightedAverage(l.nrAccesses, sl, r.nrAccesses, sr);
  l.nrAccessesBp = (l.nrAccesses * 10000) >>> 0;
  l.age = weightedAverage(l.age, sl, r.age, sr);
  l.end = r.end;
  boundsMoved(l);
}

/** (a·sa + b·sb) / (sa + sb) in C unsigned long: the sum can pass 2^53 and wraps at 2^64 (trap 1). */
export function weightedAverage(a: number, sa: number, b: number, sb: number): number {
  const p = a * sa + b * sb;
  if (p < Number.MAX_SAFE_INTEGER) return Math.floor(p / (sa + sb));
  return Number(BigInt.asUintN(64, BigInt(a) * BigInt(sa) + BigInt(b) * BigInt(sb)) / BigInt(sa + sb)) >>> 0;
}

/**
 * Regions one target may reach during an apply pass before the run stops (B0's quota split before
 * a rejecting filter can ask for 2^29 on a 4 TiB machine). As objects of ~200 bytes, 2^24 of them
 * took ~3 GiB; in piece runs they take ~0.5 GiB, but the limit stays where runs stopped before.
 */
export const regionLimits = { maxSimulated: 2 ** 24 };

/** The run asks for more than the simulator can hold; not a configuration error of the user's. */
export class SimulationLimitError extends Error {
  constructor(
    message: string,
    /** The size of the apply-pass split that went past the limit (kdamondApplySchemes() says whose). */
    readonly splitSz?: number,
  ) {
    super(message);
  }
}

/**
 * A left-to-right walk over a target's regions during which the current region may be split, its
 * right part becoming the next region visited (the kernel walks its region list with the non-safe
 * iterator; damos.md §3.1, trap 7). Split-off parts wait on a stack and the walked list is only
 * rebuilt once something changed, so a walk without splits allocates nothing and a split is O(1)
 * however many there are (a quota split before a rejecting core filter can cut a region into
 * thousands of pieces in one pass). `t.regions` is only current after finish().
 *
 * With `splitsVisited` false the walk is the kernel's safe iterator instead (the next region is
 * fetched before the current one is worked on, as mainline up to 6.19 walks its apply pass): a
 * split-off right part goes into the list right after the current region but is not visited.
 */
export class RegionWalk {
  private readonly src: DamonRegion[];
  private i = 0;
  /** Split-off regions not yet visited, the next one last. */
  private readonly pending: DamonRegion[] = [];
  /** Split-off regions the walk passes over (safe iterator), the first after the current region last. */
  private readonly unvisited: DamonRegion[] = [];
  /** The walked list, once it differs from src; null while it is a prefix of src. */
  private out: DamonRegion[] | null = null;
  /** Regions the walked list holds in piece runs, beyond their carriers. */
  private hidden = 0;
  cur: DamonRegion | undefined = undefined;

  constructor(
    readonly t: DamonTarget,
    readonly splitsVisited = true,
  ) {
    this.src = t.regions;
  }

  /** Put the current region, and the parts split off it that are not visited, into the walked list. */
  private leaveCur(): void {
    if (this.cur && this.out) this.out.push(this.cur);
    if (this.unvisited.length > 0) {
      const out = this.out as DamonRegion[]; // a split materialized it
      while (this.unvisited.length > 0) out.push(this.unvisited.pop() as DamonRegion);
    }
  }

  /** Move to the next region; undefined at the end. */
  next(): DamonRegion | undefined {
    this.leaveCur();
    this.cur = this.pending.length > 0 ? this.pending.pop() : this.src[this.i++];
    return this.cur;
  }

  /** Switch to an explicit walked list (src[0 .. i-1) so far, the current region excluded). */
  private materialize(): DamonRegion[] {
    if (!this.out) this.out = this.src.slice(0, this.i - 1);
    return this.out;
  }

  /**
   * damon_split_region_at() on the current region: it keeps [start, start + sz); the rest is visited
   * next, or (safe iterator) passed over.
   */
  splitCur(sz: number): DamonRegion {
    const n = this.cut(sz);
    (this.splitsVisited ? this.pending : this.unvisited).push(n);
    return n;
  }

  /**
   * Split the current region and go on with its right part, the left one passed over: what
   * mainline's damos_skip_charged_region(t, &r, ...) does to the region the caller holds.
   */
  splitCurEnterRight(sz: number): DamonRegion {
    const n = this.cut(sz);
    (this.out as DamonRegion[]).push(this.cur as DamonRegion); // cut() materialized it
    this.cur = n;
    return n;
  }

  private cut(sz: number): DamonRegion {
    const cur = this.cur as DamonRegion;
    if (!(sz > 0 && sz < cur.end - cur.start)) throw new Error(`damon_split_region_at: bad split size ${sz} for [${cur.start}, ${cur.end})`);
    const out = this.materialize();
    const max = regionLimits.maxSimulated;
    if (out.length + this.hidden + this.pending.length + this.unvisited.length + this.src.length - this.i >= max)
      throw new SimulationLimitError(
        `a DAMOS apply pass split target regions past ${max} (splitting [${cur.start}, ${cur.end}) at ${sz}): the kernel would go on (a quota split before a rejecting core filter, docs/findings.md §3), but damon-sim cannot hold that many regions`,
        sz,
      );
    return cutRegion(cur, sz);
  }

  /**
   * Move on to the first region that ends above `addr`, passing over the ones before it unvisited
   * (for walks that only act on regions holding some address). Split-off parts waiting to be
   * visited are never passed over.
   */
  nextEndingAbove(addr: number): DamonRegion | undefined {
    if (this.pending.length > 0) return this.next();
    const src = this.src;
    let lo = this.i;
    let hi = src.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (src[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    this.leaveCur();
    if (this.out) for (let k = this.i; k < lo; k++) this.out.push(src[k]);
    this.i = lo + 1;
    this.cur = src[lo];
    return this.cur;
  }

  /** The split-off region visited next, if any. */
  pendingTop(): DamonRegion | undefined {
    return this.pending[this.pending.length - 1];
  }

  /**
   * The current region was followed by `visited`, regions the walk has just made and passed over
   * in order (a shortcut for visits that would each have left one of them): the last becomes the
   * current region. Only after a split (the walked list exists) and with the non-safe iterator.
   */
  passCurAndVisited(visited: readonly DamonRegion[]): void {
    if (visited.length === 0) return;
    const out = this.materialize();
    out.push(this.cur as DamonRegion);
    for (let k = 0; k < visited.length - 1; k++) out.push(visited[k]);
    this.cur = visited[visited.length - 1];
  }

  /**
   * The current region was followed by `carrier` and its piece run, regions the walk has just made
   * and passed over (a shortcut for visits that would each have left one of them): the carrier
   * becomes the current region. Only after a split, with the non-safe iterator.
   */
  passCurAndRun(carrier: DamonRegion): void {
    this.passCurAndVisited([carrier]);
    this.hidden += (carrier.run as PieceRun).n;
  }

  /** damon_nr_regions(t) in the middle of the walk: what it holds now, splits included. */
  nrRegions(): number {
    if (!this.out) return this.src.length;
    // Past the end, i is src.length + 1.
    return this.out.length + this.hidden + (this.cur ? 1 : 0) + this.pending.length + this.unvisited.length + Math.max(this.src.length - this.i, 0);
  }

  /** damon_is_last_region(): nothing follows the current region. */
  isLast(): boolean {
    return this.pending.length === 0 && this.unvisited.length === 0 && this.i >= this.src.length;
  }

  /** Whether the region on top of the pending ones (pendingTop()) is the walk's last. */
  pendingIsLast(): boolean {
    return this.pending.length === 1 && this.unvisited.length === 0 && this.i >= this.src.length;
  }

  /** The region before the current one, if any. */
  prev(): DamonRegion | undefined {
    if (this.out) return this.out[this.out.length - 1];
    return this.i >= 2 ? this.src[this.i - 2] : undefined;
  }

  /** Drop the current region after folding it into prev() (the caller merged the fields); prev becomes current. */
  foldCurIntoPrev(): void {
    this.cur = this.materialize().pop();
  }

  /** Write the walked list back to the target. */
  finish(): void {
    if (!this.out) return; // nothing changed
    this.leaveCur();
    this.cur = undefined;
    for (let k = this.pending.length - 1; k >= 0; k--) this.out.push(this.pending[k]);
    for (let k = this.i; k < this.src.length; k++) this.out.push(this.src[k]);
    this.t.setRawRegions(this.out, this.hidden);
  }
}

/**
 * `damon_commit_target_regions`: a source target with regions replaces the destination's ranges
 * through damon_set_regions; one with none leaves them alone (damon-monitoring.md §3.1).
 */
export function commitTargetRegions(dst: DamonTarget, src: DamonTarget, minRegionSz: number): void {
  if (src.regions.length === 0) return;
  setRegions(
    dst,
    src.regions.map((r) => ({ start: r.start, end: r.end })),
    minRegionSz,
  );
}

export interface AddrRange {
  start: number;
  end: number;
}

function intersects(r: DamonRegion, g: AddrRange): boolean {
  return !(r.end <= g.start || g.end <= r.start);
}

/**
 * `damon_set_regions(t, ranges, min_region_sz)`: make t cover exactly `ranges` (sorted,
 * non-overlapping), re-using existing regions and their statistics where they intersect (§3.1).
 */
export function setRegions(t: DamonTarget, ranges: readonly AddrRange[], minRegionSz: number): void {
  // 1. Drop regions that intersect none of the ranges.
  t.regions = t.regions.filter((r) => ranges.some((g) => intersects(r, g)));
  // 2. Walk the ranges with a cursor that only moves forward.
  let cur = 0;
  for (const g of ranges) {
    let first = -1;
    let last = -1;
    let i = cur;
    for (; i < t.regions.length; i++) {
      const r = t.regions[i];
      if (r.start >= g.end) break;
      if (intersects(r, g)) {
        if (first < 0) first = i;
        last = i;
      }
    }
    cur = i;
    if (first < 0) {
      const n = new DamonRegion(alignDown(g.start, minRegionSz), alignUp(g.end, minRegionSz));
      t.regions.splice(cur, 0, n);
      cur++;
      continue;
    }
    const fr = t.regions[first];
    const lr = t.regions[last];
    const start = alignDown(g.start, minRegionSz);
    const end = alignUp(g.end, minRegionSz);
    // A commit that keeps the ranges keeps the regions as they were (no-op commits change nothing).
    if (fr.start !== start) boundsMoved(fr);
    if (lr.end !== end) boundsMoved(lr);
    fr.start = start;
    lr.end = end;
    // Fill holes between first and last with fresh regions.
    for (let j = first; j < last; j++) {
      const a = t.regions[j];
      const b = t.regions[j + 1];
      if (a.end !== b.start) {
        t.regions.splice(j + 1, 0, new DamonRegion(a.end, b.start));
        j++;
        last++;
        cur++;
      }
    }
  }
}
