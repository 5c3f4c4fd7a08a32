// SPDX-License-Identifier: GPL-2.0-only
/**
 * The per-sample path of paddr's "region" sampling mode.
 *
 * Each sample finds a region accessed with probability p, the mean young probability over the
 * addresses damon_rand can pick in it (ops/paddr.ts), independently of every other sample. Between
 * two points where DAMON's core reads or changes regions (aggregation boundaries, apply passes,
 * damon_call requests) nothing but sampling touches them, so the samples need not be drawn one by
 * one:
 *
 * - When a region starts a block of K samples (up to the next aggregation boundary), it draws how
 *   many of them will find an access, Binomial(K, p), and a seed that fixes which ones: a uniformly
 *   random subset of that size, the positions of K independent Bernoulli(p) outcomes' successes.
 * - When the core needs the counters (sync), each region settles the samples taken so far: the whole
 *   count at the block's end, the hits among the first n positions of its subset before it.
 *
 * So a sample costs O(1), a block O(regions), and where the core looks in between changes nothing:
 * a sync that changes no region (a report, a no-op commit) leaves the run byte-identical, since the
 * draws are made only when regions start blocks. A region the core changed (split, merged, moved)
 * or whose memory changed (the young map) drops the rest of its block and draws a new one.
 *
 * nr_accesses_bp is not stepped per sample either: the moving sum over k samples with an unchanged
 * window and last_nr_accesses is bp0 − k·dec + 10000·(accesses in those samples) modulo 2^32,
 * exactly what the kernel's per-sample u32 updates add up to (damon-monitoring.md §4.2), because
 * the decrement does not depend on the outcomes.
 */
import { mulU32 } from '../lib/kint.js';
import { SPLITMIX32_GAMMA, damonRandSpan, splitmix32Mix, type Prng } from '../lib/prng.js';
import { movingSumDecrement } from '../damon/access.js';
import type { DamonRegion, DamonTarget, PieceRun } from '../damon/region.js';
import { YoungMap } from '../machine/young.js';

/** p is used at the resolution of one 31-bit uniform draw, as a per-sample threshold test would. */
const P_ONE = 0x8000_0000;
/** Trials per distribution table: q^n stays far above the smallest double for any q >= 1/2. */
const CHUNK = 512;
const TWO32 = 0x1_0000_0000;

/** Buckets of a table's guide: where the scan for a uniform in [g/GUIDE, (g+1)/GUIDE) starts. */
const GUIDE = 32;

/** The distribution function of Binomial(k, min(p, 1 − p)) with its guide (indexed search). */
interface CdfTable {
  cdf: Float64Array;
  guide: Uint16Array;
  /**
   * A guide of FINE_GUIDE buckets, made the first time a row of pieces draws from the table: few
   * of its buckets hold a step of the distribution function, so a draw's scan almost never moves,
   * where the coarse guide's scan stops at a data-dependent step the processor mispredicts.
   */
  fine: Uint16Array | null;
  /** Draws through the coarse guide so far (draw() makes the fine one after FINE_AFTER). */
  uses: number;
}

/** Draws of one table after which draw() makes its fine guide: most tables serve a handful of regions, some thousands. */
const FINE_AFTER = 64;

/** Buckets of a table's fine guide (CdfTable.fine). */
const FINE_GUIDE = 1024;

/** guide[g]: the first j whose cdf[j] exceeds g / buckets (a uniform at or above g / buckets cannot be answered below it). */
function guideOf(cdf: Float64Array, buckets: number): Uint16Array {
  const guide = new Uint16Array(buckets);
  for (let g = 0, j = 0; g < buckets; g++) {
    while (cdf[j] <= g / buckets) j++;
    guide[g] = j;
  }
  return guide;
}

/** The distribution function of Binomial(k, min(p, 1 − p)) for p = thresh / 2^31, with its guide. */
function buildTable(thresh: number, k: number): CdfTable {
  const p = thresh / P_ONE;
  const pp = p > 0.5 ? 1 - p : p;
  const q = 1 - pp;
  const ratio = pp / q;
  const cdf = new Float64Array(k + 1);
  let f = Math.pow(q, k);
  let cum = 0;
  for (let j = 0; j <= k; j++) {
    cum += f;
    cdf[j] = cum;
    f *= (ratio * (k - j)) / (j + 1);
  }
  cdf[k] = 1;
  return { cdf, guide: guideOf(cdf, GUIDE), fine: null, uses: 0 };
}

/**
 * A probability as the draws use it: an integer in [0, 2^31]. Kept per region instead of the
 * double, which V8 would box in the region and again for every call that passes it.
 */
export function threshOf(p: number): number {
  return Math.round(p * P_ONE);
}

/** Slots of the table cache: a power of two, above the (p, k) pairs a run keeps using. */
const TABLE_SLOTS = 4096;

/**
 * The first j with u < cdf[j] in buildTable(thresh, k)'s table, by the same arithmetic in the same
 * order (so the same doubles), walking the distribution function without keeping it.
 */
export function invertBinomial(thresh: number, k: number, u: number): number {
  const p = thresh / P_ONE;
  const pp = p > 0.5 ? 1 - p : p;
  const q = 1 - pp;
  const ratio = pp / q;
  let f = Math.pow(q, k);
  let cum = 0;
  for (let j = 0; j < k; j++) {
    cum += f;
    if (u < cum) return j;
    f *= (ratio * (k - j)) / (j + 1);
  }
  return k; // the table's cdf[k] is 1
}

/**
 * Binomial(k, p) by inversion of its distribution function. Regions of uniformly hot or cold
 * memory share p (at 2^-31 resolution), so the tables are kept per (p, k); a guide table starts
 * the scan near the answer, so a draw is one uniform and a step or two.
 *
 * A pair gets its table the second time it is drawn; the first draw walks the distribution
 * function instead (invertBinomial(), the same numbers). In memory that migrations have cut into
 * tens of thousands of extents, almost every region has its own p after each split and merge, and
 * building a table for a pair drawn once cost more than the draw (an hour into the preset, a tenth
 * of the run).
 *
 * The cache is direct-mapped (a pair's slot is a hash of it; a miss overwrites the slot): a lookup
 * takes the same path whatever was cached before. A cache of maps per k, emptied when full, had
 * branches a run first takes minutes in (a new k, the first emptying); V8 had compiled draw()
 * into look() without them, and threw that code away each time one was taken.
 */
export class BinomialTables {
  private readonly slotK = new Int32Array(TABLE_SLOTS).fill(-1);
  private readonly slotThresh = new Int32Array(TABLE_SLOTS);
  /** A slot's table, or null for a pair drawn once so far. */
  private readonly slotTable: Array<CdfTable | null> = [];

  constructor() {
    for (let i = 0; i < TABLE_SLOTS; i++) this.slotTable.push(null);
    this.lastTable = { cdf: new Float64Array(1), guide: new Uint16Array(GUIDE), fine: null, uses: 0 };
  }

  /**
   * The table of Binomial(k, min(p, 1 − p)) for p = thresh / 2^31 (0 < thresh < 2^31), k <= CHUNK,
   * or null the first time the pair comes.
   */
  private table(thresh: number, k: number): CdfTable | null {
    // Runs of equal regions ask for the same table again and again.
    if (thresh === this.lastThresh && k === this.lastK) return this.lastTable;
    const h = (Math.imul(thresh ^ Math.imul(k, 0x2545_f491), 0x9e37_79b1) >>> 20) & (TABLE_SLOTS - 1);
    if (this.slotK[h] !== k || this.slotThresh[h] !== thresh) {
      this.slotK[h] = k;
      this.slotThresh[h] = thresh;
      this.slotTable[h] = null;
      return null;
    }
    let t = this.slotTable[h];
    if (t === null) {
      t = buildTable(thresh, k);
      this.slotTable[h] = t;
    }
    this.lastThresh = thresh;
    this.lastK = k;
    this.lastTable = t;
    return t;
  }

  /** The last pair a table was returned for (lastTable), kept apart from the slots. */
  private lastThresh = -1;
  private lastK = -1;
  private lastTable: CdfTable;

  /** The table of a pair, built now if the cache does not hold it (a row of pieces draws it many times). */
  private tableNow(thresh: number, k: number): CdfTable {
    const t = this.table(thresh, k);
    if (t !== null) return t;
    return this.table(thresh, k) as CdfTable; // the second ask builds it
  }

  /**
   * draw(rng, k, thresh[i]) and then a seed (rng.nextI32()) for each i in [0, n), into hits and
   * seeds: a piece run's blocks, in address order. Pieces side by side mostly share a threshold,
   * so the table is looked up once per change; a table gives what draw() gives. Returns the most
   * hits.
   *
   * One loop per function and nothing after it but the return: V8 compiles a long loop on its own
   * (OSR) before the code after it has run once, and keeps that code for the loop's later calls,
   * so a read after the loop (or a second loop) that had no feedback yet deoptimised on every call
   * (docs/architecture.md, "One hot loop per function, nothing after it").
   */
  drawRow(rng: Prng, k: number, thresh: Uint32Array, hits: Uint32Array, seeds: Int32Array, n: number): number {
    let max = 0;
    let lastThresh = -1;
    // Whether the current threshold takes one uniform and a table (else draw() decides).
    let tabled = false;
    let flip = false;
    let cdf = this.lastTable.cdf;
    let guide = this.lastTable.guide;
    for (let i = 0; i < n; i++) {
      const t = thresh[i];
      if (t !== lastThresh) {
        lastThresh = t;
        tabled = t > 0 && t < P_ONE && k > 0 && k <= CHUNK;
        if (tabled) {
          const tab = this.tableNow(t, k);
          if (tab.fine === null) tab.fine = guideOf(tab.cdf, FINE_GUIDE);
          cdf = tab.cdf;
          guide = tab.fine;
          flip = t > P_ONE / 2;
        }
      }
      let x: number;
      if (tabled) {
        const u = (rng.nextI32() >>> 0) / TWO32;
        let j = guide[(u * FINE_GUIDE) | 0];
        while (u >= cdf[j]) j++;
        x = flip ? k - j : j;
      } else x = this.draw(rng, k, t);
      hits[i] = x;
      seeds[i] = rng.nextI32();
      if (x > max) max = x;
    }
    return max;
  }

  /** Accesses in k independent samples that each find one with probability thresh / 2^31 (threshOf()). */
  draw(rng: Prng, k: number, thresh: number): number {
    if (thresh <= 0 || k <= 0) return 0;
    if (thresh >= P_ONE) return k;
    let x = 0;
    for (let left = k; left > 0; ) {
      const m = left < CHUNK ? left : CHUNK;
      left -= m;
      const t = this.table(thresh, m);
      const u = (rng.nextI32() >>> 0) / TWO32;
      if (t === null) {
        x += invertBinomial(thresh, m, u);
        continue;
      }
      const cdf = t.cdf;
      let j: number;
      if (t.fine !== null) j = t.fine[(u * FINE_GUIDE) | 0];
      else {
        j = t.guide[(u * GUIDE) | 0];
        if (++t.uses === FINE_AFTER) t.fine = guideOf(cdf, FINE_GUIDE);
      }
      while (u >= cdf[j]) j++;
      x += j;
    }
    return thresh > P_ONE / 2 ? k - x : x;
  }
}

/**
 * How many of a block's successes fall on its samples [from, to) (positions within the block of
 * k), given that `need` of them fall on [from, k): selection sampling (each position is a success
 * with probability successes left / positions left) with a splitmix32 stream of the seed whose
 * state at position j is seed + (j + 1)·γ, so a block is walked once however often it is settled
 * and every split of it sees the same subset.
 */
export function hitsBetween(seed: number, k: number, need: number, from: number, to: number): number {
  if (to >= k) return need;
  let got = 0;
  for (let j = from; j < to && need > 0; j++) {
    const u = splitmix32Mix((seed + Math.imul(j + 1, SPLITMIX32_GAMMA)) | 0);
    // u / 2^32 < need / (k − j): exact in doubles while k − j < 2^21, in bigints beyond.
    const left = k - j;
    if (left < 0x20_0000 ? u * left < need * TWO32 : BigInt(u) * BigInt(left) < BigInt(need) * 0x1_0000_0000n) {
      got++;
      need--;
    }
  }
  return got;
}

/** The byte address where the span damon_rand(start, end) picks from ends: it is truncated to 32 bits (core addresses). */
function spanEndBytes(start: number, end: number, addrUnit: number): number {
  return (start + damonRandSpan(start, end)) * addrUnit;
}

/**
 * The draw threshold of a region [start, end) (core addresses) under `map`: threshOf() of the mean
 * probability over the span damon_rand picks from. look() gets the same for all of a target's
 * stale regions at once (staleBounds(), YoungMap.meanProbRanges()).
 */
function regionThresh(map: YoungMap, start: number, end: number, addrUnit: number): number {
  const a = start * addrUnit;
  const b = spanEndBytes(start, end, addrUnit);
  return threshOf(YoungMap.meanProb(a, map.mass(a), b, map.mass(b)));
}

/** The draw thresholds of the pieces of r's run under `map` (threshOf() of each piece's mean probability). */
function runThresholds(r: DamonRegion, run: PieceRun, map: YoungMap, addrUnit: number): void {
  const { sz, opsThresh } = run;
  if (sz < 0x1_0000_0000) {
    // damon_rand's span is the whole piece: one walk along the row, at threshOf()'s resolution.
    map.meanProbRow(r.end * addrUnit, sz * addrUnit, run.n, P_ONE, opsThresh);
  } else {
    for (let i = 0; i < run.n; i++) {
      const start = r.start + (i + 1) * sz;
      opsThresh[i] = regionThresh(map, start, start + sz, addrUnit);
    }
  }
}

export class RegionSampler {
  private readonly binomial = new BinomialTables();
  /** The young map the pending blocks were drawn under (null before the first sample). */
  private map: YoungMap | null = null;
  /** The core may have changed regions since the last look (it syncs first). */
  private stale = true;
  /** The earliest block end over the regions: a sample past it starts new blocks. */
  private minEnd = -1;
  /** The address unit the regions' probabilities were computed with. */
  private addrUnit = 0;
  /** The sampled spans (staleBounds()) of a target's regions whose probability is not current, as byte bounds. */
  private bounds: Float64Array = new Float64Array(512);
  /** Their draw thresholds, from the young map (YoungMap.meanProbRanges()). */
  private threshes: Uint32Array = new Uint32Array(256);

  constructor(private readonly rng: Prng) {}

  /**
   * Sample `sis` under `map`; `blockEnd` (>= sis) is the last sample before the core next reads the
   * regions at the latest (the next aggregation boundary).
   */
  sample(targets: readonly DamonTarget[], map: YoungMap, addrUnit: number, lenWindow: number, sis: number, blockEnd: number): void {
    if (this.map !== null && (this.map.version !== map.version || this.addrUnit !== addrUnit)) {
      // Memory moved or rates changed (a refault, a workload phase), or a commit changed the
      // address unit (the same region bounds now cover other memory): what was sampled before
      // settles as it was drawn; the rest of every block is drawn anew.
      this.settle(targets, lenWindow, sis - 1);
      this.stale = true;
      if (this.addrUnit !== addrUnit) for (const t of targets) for (const r of t.regions) r.opsProbKey = -1;
    }
    if (this.stale || sis > this.minEnd) this.look(targets, map, addrUnit, lenWindow, sis, blockEnd);
  }

  /** Settle every sample up to and including `sis` into the regions; returns max nr_accesses. */
  sync(targets: readonly DamonTarget[], lenWindow: number, sis: number): number {
    const max = this.settle(targets, lenWindow, sis);
    this.stale = true;
    return max;
  }

  /** Give regions without a live block under `map` a new one from `sis` to `blockEnd`. */
  private look(targets: readonly DamonTarget[], map: YoungMap, addrUnit: number, lenWindow: number, sis: number, blockEnd: number): void {
    const key = map.version;
    const rng = this.rng;
    let minEnd = Infinity;
    for (const t of targets) {
      const regions = t.rawRegions;
      // The probabilities of the regions whose bounds or memory changed, in one walk of the map.
      const stale = this.staleBounds(regions, key, addrUnit);
      if (stale > 0) map.meanProbRanges(this.bounds, stale, P_ONE, this.threshes);
      const threshes = this.threshes;
      let j = 0;
      for (const r of regions) {
        const same = r.opsProbKey === key;
        if (same && r.opsBlockEnd >= sis) {
          if (r.opsBlockEnd < minEnd) minEnd = r.opsBlockEnd;
          continue;
        }
        const run = r.run;
        // A block that ran out without a sync settles whole; one of a changed region is void
        // past what was settled.
        if (same) {
          if (run) this.settleRun(r, run, lenWindow, r.opsBlockEnd);
          this.settleRegion(r, lenWindow, r.opsBlockEnd);
        } else {
          r.opsThresh = threshes[j++];
          r.opsProbKey = key;
        }
        r.opsBlockBase = sis;
        r.opsBlockEnd = blockEnd;
        r.opsBlockHits = this.binomial.draw(rng, blockEnd - sis + 1, r.opsThresh);
        r.opsBlockSeed = rng.nextI32(); // an int32 (a small integer in V8, not a boxed double): hitsBetween() reads it so
        r.opsSettledHits = 0;
        r.opsSettledUpTo = sis - 1;
        if (blockEnd < minEnd) minEnd = blockEnd;
        if (!run) continue;
        this.lookRun(r, run, same, map, addrUnit, blockEnd - sis + 1);
      }
    }
    this.minEnd = minEnd;
    this.map = map;
    this.addrUnit = addrUnit;
    this.stale = false;
  }

  /**
   * The sampled span of every region of `regions` whose probability is not for map version `key`,
   * in address order into `bounds`, as regionThresh() takes it; returns how many.
   */
  private staleBounds(regions: readonly DamonRegion[], key: number, addrUnit: number): number {
    let bounds = this.bounds;
    let m = 0;
    for (const r of regions) {
      if (r.opsProbKey === key) continue;
      if (2 * m + 2 > bounds.length) bounds = this.grow(m + 1);
      bounds[2 * m] = r.start * addrUnit;
      bounds[2 * m + 1] = spanEndBytes(r.start, r.end, addrUnit);
      m++;
    }
    return m;
  }

  /** Room for twice `ranges` ranges' bounds and thresholds, keeping the bounds written so far. */
  private grow(ranges: number): Float64Array {
    const bounds = new Float64Array(4 * ranges);
    bounds.set(this.bounds);
    this.bounds = bounds;
    this.threshes = new Uint32Array(2 * ranges);
    return bounds;
  }

  /**
   * Regions whose probability counts as current for the map the blocks were drawn under, yet
   * differs from one computed afresh from their bounds: a bounds change that missed
   * boundsMoved() (damon/region.ts). For the invariant tests; empty before the first sample.
   */
  staleProbabilities(targets: readonly DamonTarget[]): DamonRegion[] {
    const map = this.map;
    if (map === null) return [];
    const stale: DamonRegion[] = [];
    for (const t of targets) {
      for (const r of t.regions) {
        if (r.opsProbKey !== map.version) continue;
        if (regionThresh(map, r.start, r.end, this.addrUnit) !== r.opsThresh) stale.push(r);
      }
    }
    return stale;
  }

  /**
   * look() for the pieces of r's run, right after r's own turn: in address order, as their regions
   * would come, with the same draws. Apart from look() so that the loop over plain regions stays
   * small (V8 compiles it with less inlined).
   */
  private lookRun(r: DamonRegion, run: PieceRun, same: boolean, map: YoungMap, addrUnit: number, k: number): void {
    run.opsSettledHits = null;
    // After a whole block settled from nrBase 0 the hits are the pieces' nr_accesses too (settleRun()).
    if (run.opsBlockHits === run.nrAccesses) run.opsBlockHits = new Uint32Array(run.n);
    if (!same) runThresholds(r, run, map, addrUnit);
    // Each piece's block, in address order, as their regions would draw it.
    run.opsMaxBlockHits = this.binomial.drawRow(this.rng, k, run.opsThresh, run.opsBlockHits, run.opsBlockSeed, run.n);
  }

  private settle(targets: readonly DamonTarget[], lenWindow: number, upTo: number): number {
    let max = 0;
    for (const t of targets) {
      for (const r of t.rawRegions) {
        if (r.run) {
          const m = this.settleRun(r, r.run, lenWindow, upTo);
          if (m > max) max = m;
        }
        this.settleRegion(r, lenWindow, upTo);
        if (r.nrAccesses > max) max = r.nrAccesses;
      }
    }
    return max;
  }

  /**
   * settleRegion() for the pieces of carrier's run, which share its block (call it before the
   * carrier's own, which moves the block's settled mark); returns their largest nr_accesses.
   */
  private settleRun(carrier: DamonRegion, run: PieceRun, lenWindow: number, upTo: number): number {
    const to = upTo < carrier.opsBlockEnd ? upTo : carrier.opsBlockEnd;
    const k = to - carrier.opsSettledUpTo;
    if (k <= 0) return run.nrAccesses === null ? run.nrBase : maxOf(run.nrAccesses, run.n);
    const total = carrier.opsBlockEnd - carrier.opsBlockBase + 1;
    const settled = carrier.opsSettledUpTo - carrier.opsBlockBase + 1;
    const upToPos = to - carrier.opsBlockBase + 1;
    // Every piece's moving sum loses the same k decrements; its accesses come with its nr_accesses (PieceRun.bpOf()).
    run.bpBase = nextBp(run.bpBase, run.lastNrAccesses, lenWindow, k, 0);
    if (upToPos >= total && run.opsSettledHits === null) {
      // The whole block at once, none of it settled before: each piece adds its hits. From
      // nr_accesses 0 (a run made right before kdamond_reset_aggregated()) they are its hits.
      if (run.nrAccesses === null && run.nrBase === 0) {
        run.nrAccesses = run.opsBlockHits;
        return run.opsMaxBlockHits;
      }
      return addHits(run);
    }
    return settleRunPart(run, total, settled, upToPos);
  }

  /** Add the accesses of r's block samples up to `upTo` not yet in its counters. */
  private settleRegion(r: DamonRegion, lenWindow: number, upTo: number): void {
    const to = upTo < r.opsBlockEnd ? upTo : r.opsBlockEnd;
    const k = to - r.opsSettledUpTo;
    if (k <= 0) return;
    const total = r.opsBlockEnd - r.opsBlockBase + 1;
    const settled = r.opsSettledUpTo - r.opsBlockBase + 1;
    // Go on from where the last settle stopped: the block's subset is walked once in all.
    const hits = hitsBetween(r.opsBlockSeed, total, r.opsBlockHits - r.opsSettledHits, settled, to - r.opsBlockBase + 1);
    r.opsSettledHits += hits;
    r.opsSettledUpTo = to;
    r.nrAccesses += hits;
    r.nrAccessesBp = nextBp(r.nrAccessesBp, r.lastNrAccesses, lenWindow, k, hits);
  }
}

/** The largest of a[0 .. n). */
function maxOf(a: Uint32Array, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) if (a[i] > max) max = a[i];
  return max;
}

/** The pieces' nr_accesses, made per piece from nrBase if they were not yet. */
function runNrAccesses(run: PieceRun): Uint32Array {
  if (run.nrAccesses !== null) return run.nrAccesses;
  const nr = new Uint32Array(run.n);
  if (run.nrBase !== 0) nr.fill(run.nrBase);
  run.nrAccesses = nr;
  return nr;
}

/** A whole block's hits into every piece's nr_accesses; returns the largest nr_accesses. */
function addHits(run: PieceRun): number {
  const nr = runNrAccesses(run);
  const hits = run.opsBlockHits;
  let max = 0;
  for (let i = 0; i < run.n; i++) {
    const v = nr[i] + hits[i];
    nr[i] = v;
    if (v > max) max = v;
  }
  return max;
}

/**
 * The hits of block positions [settled, upToPos) of `total` into every piece's nr_accesses
 * (hitsBetween()), recording what each piece has settled; returns the largest nr_accesses.
 */
function settleRunPart(run: PieceRun, total: number, settled: number, upToPos: number): number {
  const nr = runNrAccesses(run);
  if (run.opsSettledHits === null) run.opsSettledHits = new Uint32Array(run.n);
  const { opsBlockSeed, opsBlockHits, opsSettledHits } = run;
  let max = 0;
  for (let i = 0; i < run.n; i++) {
    const hits = hitsBetween(opsBlockSeed[i], total, opsBlockHits[i] - opsSettledHits[i], settled, upToPos);
    opsSettledHits[i] += hits;
    const v = nr[i] + hits;
    nr[i] = v;
    if (v > max) max = v;
  }
  return max;
}

/** nr_accesses_bp after k samples of which `hits` found an access, the window and last_nr_accesses unchanged. */
function nextBp(bp: number, lastNrAccesses: number, lenWindow: number, k: number, hits: number): number {
  const dec = movingSumDecrement(mulU32(lastNrAccesses, 10000), lenWindow);
  // ToUint32 reduces modulo 2^32 exactly while the operands stay below 2^53 (k < 2^21).
  const v = bp - k * dec + hits * 10000;
  return k < 0x20_0000 ? v >>> 0 : Number(BigInt.asUintN(32, BigInt(bp) - BigInt(k) * BigInt(dec) + BigInt(hits) * 10000n));
}
