// SPDX-License-Identifier: GPL-2.0-only
/**
 * The fast per-sample path of paddr's "region" sampling mode.
 *
 * Between two points where DAMON's core reads or changes regions (aggregation boundaries, apply
 * passes, damon_call requests) nothing but sampling touches them, so the sampler copies the
 * counters into typed arrays, runs the samples there, and writes them back when the core needs
 * them (sync). Each region waits a geometric number of samples between accesses, which has the same
 * distribution as one Bernoulli draw per sample, so a sample is a compare per region.
 *
 * nr_accesses_bp is not stepped per sample: the moving sum over k samples with an unchanged
 * window and last_nr_accesses is bp0 − k·dec + 10000·(accesses in those samples) modulo 2^32,
 * exactly what the kernel's per-sample u32 updates add up to (damon-monitoring.md §4.2).
 */
import { mulU32 } from '../lib/kint.js';
import { damonRandSpan, type Prng } from '../lib/prng.js';
import type { DamonRegion, DamonTarget } from '../damon/region.js';
import { YoungMap } from '../machine/young.js';

const TWO32 = 0x1_0000_0000;
/** Regions at least this likely to be found accessed draw once per sample instead of waiting. */
const BERNOULLI_MIN_P = 0.1;

export class RegionSampler {
  private regs: DamonRegion[] = [];
  private n = 0;
  private next = new Float64Array(0);
  /** log(1 − p) per region: the geometric wait's denominator (0 for p = 0). */
  private logq = new Float64Array(0);
  /** round(p · 2^31) for regions sampled by one Bernoulli draw per sample. */
  private thresh = new Uint32Array(0);
  /** Indices of regions drawn per sample, and of regions waiting geometrically (p = 0 regions are in neither). */
  private bern = new Int32Array(0);
  private geo = new Int32Array(0);
  private nBern = 0;
  private nGeo = 0;
  private nr = new Uint32Array(0);
  private nr0 = new Uint32Array(0);
  private bp0 = new Float64Array(0);
  private dec = new Float64Array(0);
  /** passed_sample_intervals whose sample is the first not yet in bp0. */
  private baseSis = 0;
  loaded = false;
  /** The young map the probabilities came from. */
  mapVersion = -1;

  constructor(private readonly rng: Prng) {}

  /** Geometric wait given logq = log(1 − p): 0 means p = 0 (never), −Infinity means p = 1. */
  private geometricLog(logq: number): number {
    if (logq === 0) return Infinity;
    const u = (this.rng.nextU32() + 1) / TWO32; // (0, 1]
    const k = Math.ceil(Math.log(u) / logq);
    return k < 1 ? 1 : k;
  }

  private ensureCapacity(n: number): void {
    if (this.next.length >= n) return;
    const cap = Math.max(n, this.next.length * 2, 64);
    this.next = new Float64Array(cap);
    this.logq = new Float64Array(cap);
    this.thresh = new Uint32Array(cap);
    this.bern = new Int32Array(cap);
    this.geo = new Int32Array(cap);
    this.nr = new Uint32Array(cap);
    this.nr0 = new Uint32Array(cap);
    this.bp0 = new Float64Array(cap);
    this.dec = new Float64Array(cap);
  }

  /**
   * Copy the regions in, refreshing each one's access probability if its bounds or the young map
   * changed. `sis` is the sample about to be taken.
   */
  load(targets: readonly DamonTarget[], map: YoungMap, addrUnit: number, lenWindow: number, sis: number): void {
    let n = 0;
    for (const t of targets) n += t.regions.length;
    this.ensureCapacity(n);
    const { regs, next, logq, thresh, bern, geo, nr, nr0, bp0, dec } = this;
    const key = map.version;
    let i = 0;
    let nBern = 0;
    let nGeo = 0;
    // Adjacent regions share a boundary: its young-map mass is looked up once.
    let lastX = -1;
    let lastMass = 0;
    for (const t of targets) {
      for (const r of t.regions) {
        if (r.opsProbKey !== key || r.opsProbStart !== r.start || r.opsProbEnd !== r.end) {
          // damon_rand(start, end) picks from a span truncated to 32 bits.
          const a = r.start * addrUnit;
          const b = (r.start + damonRandSpan(r.start, r.end)) * addrUnit;
          const ma = a === lastX ? lastMass : map.mass(a);
          const mb = map.mass(b);
          lastX = b;
          lastMass = mb;
          const p = YoungMap.meanProb(a, ma, b, mb);
          const fresh = r.opsProbKey === -1;
          r.opsProbKey = key;
          r.opsProbStart = r.start;
          r.opsProbEnd = r.end;
          if (fresh || p !== r.opsProb) {
            r.opsProb = p;
            // Only waiting regions need log(1 − p); most regions draw per sample (and log1p is slow).
            r.opsLogq = p <= 0 || p >= BERNOULLI_MIN_P ? 0 : Math.log1p(-p);
            // Memoryless: a fresh wait is exact whenever p changes (and unchanged p keeps its wait).
            r.opsNextAccess = p >= BERNOULLI_MIN_P ? 0 : sis - 1 + this.geometricLog(r.opsLogq);
          }
        }
        regs[i] = r;
        const p = r.opsProb;
        next[i] = r.opsNextAccess;
        // Frequently accessed regions are cheaper with a plain draw per sample than with waits.
        if (p >= BERNOULLI_MIN_P) {
          thresh[i] = Math.round(p * 0x8000_0000);
          bern[nBern++] = i;
        } else if (p > 0) {
          logq[i] = r.opsLogq;
          geo[nGeo++] = i;
        }
        const a = r.nrAccesses;
        nr[i] = a;
        nr0[i] = a;
        bp0[i] = r.nrAccessesBp;
        dec[i] = Math.floor(mulU32(r.lastNrAccesses, 10000) / lenWindow);
        i++;
      }
    }
    this.nBern = nBern;
    this.nGeo = nGeo;
    // Drop references to regions of earlier loads (they may be destroyed and reused).
    if (regs.length > n) regs.length = n;
    this.n = n;
    this.baseSis = sis;
    this.loaded = true;
    this.mapVersion = key;
  }

  /** One sample (passed_sample_intervals = sis) for every loaded region. */
  sample(sis: number): void {
    const nr = this.nr;
    const thresh = this.thresh;
    const bern = this.bern;
    const rng = this.rng;
    // xoshiro128** inlined with its state in locals: this loop is the simulator's hot path.
    let a = rng.a;
    let b = rng.b;
    let c = rng.c;
    let d = rng.d;
    for (let k = 0, n = this.nBern; k < n; k++) {
      const i = bern[k];
      const x = Math.imul(b, 5);
      const u = Math.imul((x << 7) | (x >>> 25), 9) >>> 1; // 31 random bits
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      // accessed ⇔ u < thresh, without a branch: an unpredictable branch costs more than the draw.
      nr[i] += (u - thresh[i]) >>> 31;
    }
    rng.a = a;
    rng.b = b;
    rng.c = c;
    rng.d = d;
    const next = this.next;
    const logq = this.logq;
    const geo = this.geo;
    for (let k = 0, n = this.nGeo; k < n; k++) {
      const i = geo[k];
      if (next[i] <= sis) {
        nr[i]++;
        next[i] = sis + this.geometricLog(logq[i]);
      }
    }
  }

  /** Write the counters back to the region objects, as of the sample `sis`; returns max nr_accesses. */
  sync(sis: number): number {
    const k = sis - this.baseSis + 1;
    let max = 0;
    for (let i = 0; i < this.n; i++) {
      const r = this.regs[i];
      const nr = this.nr[i];
      r.nrAccesses = nr;
      // ToUint32 reduces modulo 2^32 exactly while the operands stay below 2^53 (k < 2^21).
      const v = this.bp0[i] - k * this.dec[i] + (nr - this.nr0[i]) * 10000;
      r.nrAccessesBp = k < 0x20_0000 ? v >>> 0 : Number(BigInt.asUintN(32, BigInt(this.bp0[i]) - BigInt(k) * BigInt(this.dec[i]) + BigInt(nr - this.nr0[i]) * 10000n));
      r.opsNextAccess = this.next[i];
      if (nr > max) max = nr;
    }
    this.loaded = false;
    return max;
  }
}
