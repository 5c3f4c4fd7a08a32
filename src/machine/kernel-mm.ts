// SPDX-License-Identifier: GPL-2.0-only
/**
 * The machine seen through the mm interfaces DAMON's core calls (si_meminfo_node, memcg lruvec
 * counters, global LRU counters, the free-memory rate, PSI). Structurally implements
 * damon/mm.ts's KernelMm without importing it: the machine sits beneath DAMON.
 */
import type { Machine } from './machine.js';
import { ExtKind } from './extents.js';
import { sysfsStreq } from '../lib/kstring.js';

/** x86_64 defconfig NODES_SHIFT = 10. */
const MAX_NUMNODES = 1024;

export interface Memcg {
  id: number;
  path: string;
}

export class MachineMm {
  readonly maxNumNodes = MAX_NUMNODES;
  /** Memory-stall "some" time (µs) accrued by the workload model (some_mem_psi_us): at most the wall time it spans. */
  psiSomeUs = 0;
  /** psi_system.total[PSI_AVGS]: psiSomeUs as the averaging work last folded it (foldPsi()). */
  private psiFolded = 0;
  private psiFoldedPeriod = 0;
  /** PSI_FREQ, the averaging work's period: 2 * HZ + 1 jiffies. */
  private readonly psiFreqNs: number;

  constructor(
    private readonly machine: Machine,
    private readonly memcgs: readonly Memcg[],
    hz = 1000,
  ) {
    this.psiFreqNs = ((2 * hz + 1) * 1e9) / hz;
  }

  /**
   * Stalls of `stallUs` in all during a stretch of `spanUs` ending at `atNs`. "some" counts the
   * time at least one task stalled, so overlapping stalls count once: no more than the stretch.
   */
  addPsiSomeStall(atNs: number, stallUs: number, spanUs: number): void {
    this.foldPsi(atNs);
    this.psiSomeUs += Math.min(stallUs, spanUs);
  }

  /**
   * The kernel's PSI totals that DAMOS reads move only when psi_avgs_work folds the per-CPU
   * times, every PSI_FREQ (damos_get_some_mem_psi_total() reads them as they stand, without
   * collecting): the total as of the last fold before `nowNs` (the stalls of a tick that crosses
   * one come after it).
   */
  private foldPsi(nowNs: number): void {
    const p = Math.floor(nowNs / this.psiFreqNs);
    if (p > this.psiFoldedPeriod) {
      this.psiFolded = this.psiSomeUs;
      this.psiFoldedPeriod = p;
    }
  }

  nodeOnline(nid: number): boolean {
    return nid >= 0 && nid < this.machine.nodes.length && this.machine.nodes[nid].capacity > 0;
  }

  nodeMem(nid: number): { total: number; free: number } {
    const n = this.machine.nodes[nid];
    return { total: n.capacity, free: this.machine.nodeFree(nid) };
  }

  /**
   * LRU pages of a memcg on a node. lruvec_page_state() reads the memcg's hierarchical counters,
   * so a cgroup counts its descendants' pages too (the root counts everything).
   */
  memcgNodeLruPages(memcgId: number, nid: number): number {
    const n = this.machine.nodes[nid];
    const a = this.machine.mem;
    const self = this.memcgs.find((m) => m.id === memcgId);
    if (!self) return 0;
    const inTree = new Set(this.memcgs.filter((m) => isWithin(m.path, self.path)).map((m) => m.id));
    let bytes = 0;
    for (let i = this.machine.mem.lowerBound(n.start); i < a.length && a.at(i).start < n.end; i++) {
      const e = a.at(i);
      if (e.kind === ExtKind.Lru && inTree.has(e.memcg)) bytes += e.end - e.start;
    }
    return bytes / 4096;
  }

  memcgId(path: string): number | undefined {
    // As damon_sysfs_memcg_path_eq() compares: a path written with echo keeps its newline.
    return this.memcgs.find((m) => sysfsStreq(m.path, path))?.id;
  }

  lruPages(): { active: number; inactive: number } {
    let active = 0;
    let inactive = 0;
    const mem = this.machine.mem;
    for (let i = 0; i < mem.length; i++) {
      const e = mem.at(i);
      if (e.kind !== ExtKind.Lru) continue;
      if (e.active) active += e.end - e.start;
      else inactive += e.end - e.start;
    }
    return { active: active / 4096, inactive: inactive / 4096 };
  }

  freeMemRatePermil(): number {
    let free = 0;
    for (const n of this.machine.nodes) free += this.machine.nodeFree(n.nid);
    return Math.floor((free / 4096) * 1000 / (this.machine.totalBytes / 4096));
  }

  psiSomeMemTotalUs(nowNs: number): number {
    this.foldPsi(nowNs);
    return this.psiFolded;
  }
}

/** Whether cgroup `path` is `root` or below it. */
function isWithin(path: string, root: string): boolean {
  if (root === '/') return true;
  return path === root || path.startsWith(`${root}/`);
}
