// SPDX-License-Identifier: GPL-2.0-only
/**
 * Refaults: evicted pages (paged-out anon, dropped page cache) that the workload touches again are
 * faulted back in, allocated by the area's node preference, and the fault's stall feeds the
 * memory-pressure (PSI "some") counter.
 *
 * Model (docs/model.md): every tick, a run of n evicted pages with per-page rate λ gets
 * k ~ Binomial(n, 1 − e^(−λΔt)) first accesses; the k pages at the start of the run come back
 * (which pages exactly is not tracked: runs stay contiguous). Each refault stalls the task for
 * `swapInUs`; the PSI "some" total takes at most the tick's length of them (MachineMm.addPsiSomeStall()).
 */
import { binomialLogq, type Prng } from '../lib/prng.js';
import { PAGE_SIZE } from '../lib/kint.js';
import type { Machine } from '../machine/machine.js';
import { EvictedSnapshot } from '../machine/swap.js';
import type { RateRuns } from '../machine/young.js';
import type { MachineMm } from '../machine/kernel-mm.js';
import type { Process, Workload } from './model.js';

export class Refaulter {
  private last = 0;
  /** The store's ranges at a tick (scratch kept between ticks: a tick visits thousands). */
  private readonly snap = new EvictedSnapshot();
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
    // The evicted ranges share a handful of rates: each rate's p and log(1 − p) once per tick.
    let lastRate = -1;
    let p = 0;
    let logq = 0;
    // Ranges come owner by owner and in address order: each owner's rate runs are looked up once
    // and walked with a cursor, not searched per range.
    let owner = -1;
    let runs: RateRuns | undefined;
    let proc: Process | undefined;
    let run = 0;
    // The ranges as they are now, as columns: the refaults below edit the store.
    const snap = store.snapshot(this.snap);
    let stallUs = 0;
    for (let ri = 0; ri < snap.n; ri++) {
      if (snap.owner[ri] !== owner) {
        owner = snap.owner[ri];
        runs = this.workload.rateRuns(owner, nowNs);
        proc = this.workload.processes[owner];
        run = 0;
      }
      if (runs === undefined) continue; // a space without runs: no page of it is accessed
      const { starts, ends, rates } = runs;
      const vstart = snap.vstart[ri];
      const vend = snap.vend[ri];
      while (run < starts.length && ends[run] <= vstart) run++;
      // The range's constant-rate segments in address order, as rateTriples() gives them (gaps
      // between runs have rate 0, and draw nothing).
      for (let i = run; i < starts.length && starts[i] < vend; i++) {
        const rate = rates[i];
        if (rate <= 0) continue;
        const s = Math.max(starts[i], vstart);
        const e = Math.min(ends[i], vend);
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
        const { anon, mapped, memcg } = store.attrsOf(snap.attr[ri]);
        const left = this.machine.allocate({
          owner,
          vstart: s,
          bytes: k * PAGE_SIZE,
          anon,
          mapped,
          memcg,
          thp: false,
          nodes: vma?.nodes ?? this.machine.nodes.map((x) => x.nid),
          now: nowNs,
        });
        const placed = k * PAGE_SIZE - left;
        if (placed > 0) {
          store.remove(owner, s, s + placed);
          this.refaults += placed / PAGE_SIZE;
          stallUs += (placed / PAGE_SIZE) * this.swapInUs;
        }
      }
    }
    // Each refault stalls its task for swapInUs; "some" time counts overlapping stalls once.
    if (stallUs > 0) this.mm.addPsiSomeStall(nowNs, stallUs, dt * 1e6);
  }
}
