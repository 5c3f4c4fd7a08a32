// SPDX-License-Identifier: GPL-2.0-only
/**
 * The memory-management services DAMON's core calls outside its operations set: si_meminfo_node()
 * for node metrics, memcg and LRU counters, PSI, the free-memory rate for watermarks. The machine
 * provides them (run/ wires it in); the core never sees extents.
 */

export interface KernelMm {
  /** node_state(nid, N_MEMORY) / node_online(nid) for a valid nid. */
  nodeOnline(nid: number): boolean;
  /** MAX_NUMNODES: nids at or above are invalid. */
  readonly maxNumNodes: number;
  /** si_meminfo_node(): total and free RAM of a node in bytes. */
  nodeMem(nid: number): { total: number; free: number };
  /** LRU pages (active + inactive, anon + file) of a memcg on a node, in pages. */
  memcgNodeLruPages(memcgId: number, nid: number): number;
  /** memcg id of a cgroup path, or undefined when there is no such memcg. */
  memcgId(path: string): number | undefined;
  /** System-wide LRU active and inactive pages. */
  lruPages(): { active: number; inactive: number };
  /** Free memory per mille of total RAM (DAMOS_WMARK_FREE_MEM_RATE). */
  freeMemRatePermil(): number;
  /** Total "some" memory pressure stall time (µs) since boot. */
  psiSomeMemTotalUs(nowNs: number): number;
}

/** A nid DAMOS may use: in [0, MAX_NUMNODES) and online (goal metrics, migration targets). */
export function nodeValid(mm: KernelMm, nid: number): boolean {
  return nid >= 0 && nid < mm.maxNumNodes && mm.nodeOnline(nid);
}
