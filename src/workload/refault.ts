// SPDX-License-Identifier: GPL-2.0-only
/**
 * Refaults: evicted pages (paged-out anon, dropped page cache) that the workload touches again are
 * faulted back in, allocated by the area's node preference, and the fault's stall feeds the
 * memory-pressure (PSI "some") counter.
 *
 * Model (docs/model.md): every tick, a run of n evicted pages with per-page rate λ gets
 * k ~ Binomial(n, 1 − e^(−λΔt)) first accesses; the k pages at the start of the run come back
 * (which pages exactly is not tracked: runs stay contiguous). Each refault stalls the task for
 * `swapInUs`.
 */
import { binomialLogq, type Prng } from '../lib/prng.js';
import { PAGE_SIZE } from '../lib/kint.js';
import type { Machine } from '../machine/machine.js';
import { rateTriples } from '../machine/young.js';
import type { MachineMm } from '../machine/kernel-mm.js';
import type { Workload } from './model.js';

export class Refaulter {
  private last = 0;
  /** Pages faulted back in so far. */
  refaults = 0;

  constructor(
    private readonly machine: Machine,
    private readonly workload: Workload,
    private readonly mm: MachineMm,
    private readonly rng: Prng,
    private readonly swapInUs: number,
  ) {}

  /** Fault in what was touched during (last tick, nowNs]. */
  tick(nowNs: number): void {
    const dt = (nowNs - this.last) / 1e9;
    this.last = nowNs;
    const store = this.machine.evicted;
    if (dt <= 0 || store.totalBytes === 0) return;
    const segs: number[] = [];
    // The evicted ranges share a handful of rates: each rate's p and log(1 − p) once per tick.
    let lastRate = -1;
    let p = 0;
    let logq = 0;
    for (const r of store.ranges()) {
      const proc = this.workload.processes[r.owner];
      const ns = rateTriples(this.workload.rateRuns(r.owner, nowNs), r.vstart, r.vend, segs);
      for (let j = 0; j < ns; j += 3) {
        const s = segs[j];
        const e = segs[j + 1];
        const rate = segs[j + 2];
        if (rate <= 0) continue;
        const n = (e - s) / PAGE_SIZE;
        if (rate !== lastRate) {
          lastRate = rate;
          p = 1 - Math.exp(-rate * dt);
          logq = Math.log1p(-p);
        }
        // binomial(rng, n, p), its early exits included.
        const k = p <= 0 ? 0 : p >= 1 ? n : binomialLogq(this.rng, n, p, logq);
        if (k === 0) continue;
        const vma = proc?.vmas.find((v) => s >= v.start && s < v.start + v.bytes);
        const left = this.machine.allocate({
          owner: r.owner,
          vstart: s,
          bytes: k * PAGE_SIZE,
          anon: r.anon,
          mapped: r.mapped,
          memcg: r.memcg,
          thp: false,
          nodes: vma?.nodes ?? this.machine.nodes.map((x) => x.nid),
          now: nowNs,
        });
        const placed = k * PAGE_SIZE - left;
        if (placed > 0) {
          store.remove(r.owner, s, s + placed);
          this.refaults += placed / PAGE_SIZE;
          this.mm.psiSomeUs += (placed / PAGE_SIZE) * this.swapInUs;
        }
      }
    }
  }
}
