// SPDX-License-Identifier: GPL-2.0-only
/**
 * The hardware "accessed" bit, modelled lazily.
 *
 * Workloads give each virtual 4 KiB page a Poisson access rate λ (accesses per second). DAMON only
 * asks "was the folio at this physical address accessed since it was marked old?"; over a window of
 * Δt seconds the answer is yes with probability 1 − e^(−Λ·Δt), where Λ sums the rates of the pages
 * of the folio (an access anywhere in a large folio makes the whole folio young; damon-monitoring.md
 * §11 trap 12).
 *
 * The young map is that probability as a piecewise-constant function of the physical address,
 * with a running integral, so the mean probability over any physical range costs two binary
 * searches. It is built from every extent when the workload's rates or Δt change, and patched where
 * memory moved when the layout changes (machine/layout-map.ts).
 */
import { HPAGE_PMD_SIZE, alignDown, alignUp } from '../lib/kint.js';
import { ExtKind, type Extent } from './extents.js';
import { binomial, type Prng } from '../lib/prng.js';
import { lastAtMostFrom } from '../lib/search.js';
import { PatchedSegments, emitExtents, type SegmentList, type Segments } from './layout-map.js';
import type { Machine } from './machine.js';

/** Sorted, non-overlapping virtual [start, end) runs with a rate (accesses/s per 4 KiB page); gaps have rate 0. */
export interface RateRuns {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly rates: readonly number[];
}

/** Access rates of the pages of every address space, provided by the workload. */
export interface AccessRates {
  /** Changes whenever any rate changes; compared, never interpreted. */
  ratesEpoch(nowNs: number): number;
  /** The rate runs of `owner`'s space at nowNs; undefined if it makes no accesses. */
  rateRuns(owner: number, nowNs: number): RateRuns | undefined;
}

/**
 * The consecutive constant-rate segments covering [vstart, vend) in order, gaps (and a space
 * without runs) at rate 0, written into `out` as flat (start, end, rate) triples; returns how
 * many numbers were written. `out` is a scratch array the caller reuses: walks over thousands of
 * extents call this once per extent.
 */
export function rateTriples(runs: RateRuns | undefined, vstart: number, vend: number, out: number[]): number {
  let n = 0;
  if (!runs) {
    out[n++] = vstart;
    out[n++] = vend;
    out[n++] = 0;
    return n;
  }
  const { starts, ends, rates } = runs;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] <= vstart) lo = mid + 1;
    else hi = mid;
  }
  let pos = vstart;
  for (let i = lo; i < starts.length && pos < vend; i++) {
    const st = starts[i];
    if (st >= vend) break;
    if (st > pos) {
      out[n++] = pos;
      out[n++] = st;
      out[n++] = 0;
      pos = st;
    }
    const en = Math.min(ends[i], vend);
    if (en > pos) {
      out[n++] = pos;
      out[n++] = en;
      out[n++] = rates[i];
      pos = en;
    }
  }
  if (pos < vend) {
    out[n++] = pos;
    out[n++] = vend;
    out[n++] = 0;
  }
  return n;
}

let nextVersion = 1;

export class YoungMap {
  readonly version = nextVersion++;
  private readonly starts: Float64Array;
  private readonly probs: Float64Array;
  private readonly cum: Float64Array;
  private readonly n: number;
  readonly end: number;

  constructor(starts: ArrayLike<number>, probs: ArrayLike<number>, end: number) {
    this.n = starts.length;
    this.starts = Float64Array.from(starts);
    this.probs = Float64Array.from(probs);
    this.cum = new Float64Array(this.n + 1);
    for (let i = 0; i < this.n; i++) {
      const segEnd = i + 1 < this.n ? starts[i + 1] : end;
      this.cum[i + 1] = this.cum[i] + probs[i] * (segEnd - starts[i]);
    }
    this.end = end;
  }

  /** The segments (start and probability of each, n of them), for tests. */
  segments(): { starts: Float64Array; probs: Float64Array; n: number } {
    return { starts: this.starts, probs: this.probs, n: this.n };
  }

  /** Segment index of the last lookup: callers walking regions in address order search forward from it. */
  private hint = 0;

  /** ∫ p over [−∞, x): see meanProb(). */
  mass(x: number): number {
    if (this.n === 0 || x <= this.starts[0]) return 0;
    if (x >= this.end) return this.cum[this.n];
    const i = this.segIndex(x);
    return this.cum[i] + this.probs[i] * (x - this.starts[i]);
  }

  /** The segment holding x, for starts[0] <= x < end. */
  private segIndex(x: number): number {
    this.hint = lastAtMostFrom(this.starts, x, this.hint, this.n);
    return this.hint;
  }

  /**
   * meanProb() of [x0 + k·step, x0 + (k+1)·step) for k in [0, count), into out: a row of equal
   * regions (a piece run's) with one forward walk over the segments instead of a search per
   * boundary. Each value is Math.round(scale × meanProb(a, mass(a), b, mass(b))): the caller's
   * resolution, with no row of doubles between (a million pieces' worth is 8 MB of fresh memory).
   */
  meanProbRow(x0: number, step: number, count: number, scale: number, out: Uint32Array): void {
    const { starts, probs, cum, n, end } = this;
    let i = n > 0 && x0 > starts[0] && x0 < end ? this.segIndex(x0) : 0;
    // mass(x0), spelled out: a double returned by a call V8 did not inline reaches the loop
    // tagged, and the loop then boxed every piece's mass in a heap number (16 bytes a piece).
    let ma: number;
    if (n === 0 || x0 <= starts[0]) ma = 0;
    else if (x0 >= end) ma = cum[n];
    else ma = cum[i] + probs[i] * (x0 - starts[i]);
    for (let k = 0; k < count; k++) {
      const a = x0 + k * step;
      const b = a + step;
      let mb: number;
      if (n === 0 || b <= starts[0]) mb = 0;
      else if (b >= end) mb = cum[n];
      else {
        while (i + 1 < n && starts[i + 1] <= b) i++;
        mb = cum[i] + probs[i] * (b - starts[i]);
      }
      out[k] = Math.round(YoungMap.meanProb(a, ma, b, mb) * scale);
      ma = mb;
    }
  }

  /**
   * meanProb() of each of `count` ranges [bounds[2k], bounds[2k + 1]), ascending and
   * non-overlapping, into out: Math.round(scale × meanProb(a, mass(a), b, mass(b))), the same
   * doubles as one mass() per bound. A sampler's regions ask for theirs in one call per target:
   * a call per region boxed both its bound and the mass it returned, which V8 would not inline
   * into the sampler's loop (~3 M calls in a preset run).
   */
  meanProbRanges(bounds: Float64Array, count: number, scale: number, out: Uint32Array): void {
    const { starts, probs, cum, n, end } = this;
    // The segment holding the last bound: bounds only move forward, so each is found from there.
    let i = 0;
    // A range starting where the last ended (neighbouring regions) takes its mass from there.
    let lastB = -1;
    let lastMass = 0;
    for (let k = 0; k < count; k++) {
      const a = bounds[2 * k];
      const b = bounds[2 * k + 1];
      let ma: number;
      if (a === lastB) ma = lastMass;
      else if (n === 0 || a <= starts[0]) ma = 0;
      else if (a >= end) ma = cum[n];
      else {
        if (i + 1 < n && starts[i + 1] <= a) i = lastAtMostFrom(starts, a, i + 1, n);
        ma = cum[i] + probs[i] * (a - starts[i]);
      }
      let mb: number;
      if (n === 0 || b <= starts[0]) mb = 0;
      else if (b >= end) mb = cum[n];
      else {
        if (i + 1 < n && starts[i + 1] <= b) i = lastAtMostFrom(starts, b, i + 1, n);
        mb = cum[i] + probs[i] * (b - starts[i]);
      }
      out[k] = Math.round(YoungMap.meanProb(a, ma, b, mb) * scale);
      lastB = b;
      lastMass = mb;
    }
  }

  /**
   * Mean young probability of a uniformly random byte address in [a, b), given ma = mass(a) and
   * mb = mass(b): region walks pass the mass of a shared boundary on instead of looking it up twice.
   */
  static meanProb(a: number, ma: number, b: number, mb: number): number {
    if (b <= a) return 0;
    const p = (mb - ma) / (b - a);
    return p < 0 ? 0 : p > 1 ? 1 : p;
  }

  /** Young probability of the folio holding byte address x. */
  probAt(x: number): number {
    if (this.n === 0 || x < this.starts[0] || x >= this.end) return 0;
    return this.probs[this.segIndex(x)];
  }
}

/** A piece of a folio run with its young-check outcome. */
export interface YoungPiece {
  start: number;
  end: number;
  young: boolean;
}

/** Builds and caches young maps per window length. */
export class YoungModel {
  /** Per window length: the map's segments, kept current, and the map made of them. */
  private cache = new Map<number, { segs: PatchedSegments; list: Segments | null; map: YoungMap | null }>();
  /** rateTriples() output of the extent being built (reused: one build visits every extent). */
  private readonly scratch: number[] = [];
  /** The time the map being built is for (the rates at it hold for the whole rates epoch). */
  private nowNs = 0;

  constructor(
    private readonly machine: Machine,
    private readonly rates: AccessRates,
  ) {}

  /**
   * The young map for windows of dtNs nanoseconds at time nowNs: built from every extent when the
   * rates change, patched where memory moved when only the layout did (widened to whole 2 MiB
   * folios, so a large folio's pieces are recomputed together, though each piece's value comes
   * from its own extent; machine/layout-map.ts).
   */
  get(dtNs: number, nowNs: number): YoungMap {
    let c = this.cache.get(dtNs);
    if (!c) {
      c = { segs: new PatchedSegments(this.machine, HPAGE_PMD_SIZE, (a, b, out) => this.emit(a, b, dtNs / 1e9, this.nowNs, out)), list: null, map: null };
      this.cache.set(dtNs, c);
    }
    this.nowNs = nowNs;
    const list = c.segs.current(this.rates.ratesEpoch(nowNs));
    if (!c.map || list !== c.list) {
      c.list = list;
      c.map = new YoungMap(list.starts, list.values, list.end);
    }
    return c.map;
  }

  /**
   * The young check of a DAMOS `young` filter over the folios [start, end) of extent e (folio
   * aligned): each folio was accessed since its young state was last cleared (e.oldSince) with
   * probability 1 − e^(−Λ·(now − oldSince)). Folios of equal rate form groups; of a group of m,
   * k ~ Binomial(m, p) are young and they are taken from the group's start (which ones exactly is
   * not tracked, to keep memory in runs; docs/model.md).
   */
  youngRuns(e: Extent, start: number, end: number, nowNs: number, rng: Prng): YoungPiece[] {
    const dt = Math.max(0, nowNs - e.oldSince) / 1e9;
    const fsz = e.folioSize;
    const out: YoungPiece[] = [];
    const push = (a: number, b: number, young: boolean) => {
      if (b <= a) return;
      const last = out[out.length - 1];
      if (last && last.end === a && last.young === young) last.end = b;
      else out.push({ start: a, end: b, young });
    };
    // Λ per folio from the rate segments over the folios' virtual range.
    const v0 = e.vstart + (start - e.start);
    const segs: number[] = [];
    const ns = rateTriples(this.rates.rateRuns(e.owner, nowNs), v0, v0 + (end - start), segs);
    let f = start;
    let k = 0;
    while (f < end) {
      const vf = v0 + (f - start);
      while (k < ns && segs[k + 1] <= vf) k += 3;
      let m: number;
      let lambda: number;
      if (k < ns && segs[k] <= vf && segs[k + 1] >= vf + fsz) {
        m = Math.min(Math.floor((segs[k + 1] - vf) / fsz), (end - f) / fsz);
        lambda = segs[k + 2] * (fsz / 4096);
      } else {
        m = 1;
        lambda = straddleLambda(segs, ns, k, vf, fsz);
      }
      const young = binomial(rng, m, 1 - Math.exp(-lambda * dt));
      push(f, f + young * fsz, true);
      push(f + young * fsz, f + m * fsz, false);
      f += m * fsz;
    }
    return out;
  }

  /** Push the map's segments over [a, b) (a within or at the start of the mapped space) into out. */
  private emit(a: number, b: number, dt: number, nowNs: number, out: SegmentList): void {
    // A workload has a handful of distinct rates over thousands of extents: remember the last
    // rate's probability instead of calling exp() per extent.
    let lastRate = -1;
    let lastP = 0;
    const probOf = (rate: number): number => {
      if (rate !== lastRate) {
        lastRate = rate;
        lastP = 1 - Math.exp(-rate * dt);
      }
      return lastP;
    };
    const segs = this.scratch;
    // Extents of one owner come in long stretches: its rate runs are looked up once per stretch.
    let owner = -1;
    let runs: RateRuns | undefined;
    emitExtents(this.machine, a, b, out, 0, (e, push) => {
      if (e.kind !== ExtKind.Lru) {
        push(e.start, 0);
        return;
      }
      if (e.owner !== owner) {
        owner = e.owner;
        runs = this.rates.rateRuns(owner, nowNs);
      }
      if (e.folioSize !== HPAGE_PMD_SIZE) {
        const ns = rateTriples(runs, e.vstart, e.vstart + (e.end - e.start), segs);
        for (let k = 0; k < ns; k += 3) push(e.start + (segs[k] - e.vstart), probOf(segs[k + 2]));
        return;
      }
      // 2 MiB folios: Λ sums the whole folio, which may extend past this extent piece.
      const f0 = alignDown(e.start, HPAGE_PMD_SIZE);
      const v0 = e.vstart - (e.start - f0);
      const fEnd = alignUp(e.end, HPAGE_PMD_SIZE);
      const vEnd = v0 + (fEnd - f0);
      const ns = rateTriples(runs, v0, vEnd, segs);
      let k = 0;
      let fv = v0;
      while (fv < vEnd) {
        while (k < ns && segs[k + 1] <= fv) k += 3;
        if (k >= ns) break;
        const physF = f0 + (fv - v0);
        if (segs[k] <= fv && segs[k + 1] >= fv + HPAGE_PMD_SIZE) {
          const m = Math.floor((segs[k + 1] - fv) / HPAGE_PMD_SIZE);
          push(Math.max(physF, e.start), 1 - Math.exp(-segs[k + 2] * (HPAGE_PMD_SIZE / 4096) * dt));
          fv += m * HPAGE_PMD_SIZE;
          continue;
        }
        push(Math.max(physF, e.start), 1 - Math.exp(-straddleLambda(segs, ns, k, fv, HPAGE_PMD_SIZE) * dt));
        fv += HPAGE_PMD_SIZE;
      }
    });
  }
}

/**
 * Λ of a folio [vf, vf + fsz) whose accesses come from several rate segments (the first ns
 * numbers of segs, flat triples start, end, rate per 4 KiB; k the first that may overlap): each
 * contributes over its overlap.
 */
function straddleLambda(segs: readonly number[], ns: number, k: number, vf: number, fsz: number): number {
  let lambda = 0;
  for (let j = k; j < ns && segs[j] < vf + fsz; j += 3) {
    const ov = Math.min(segs[j + 1], vf + fsz) - Math.max(segs[j], vf);
    if (ov > 0) lambda += segs[j + 2] * (ov / 4096);
  }
  return lambda;
}
