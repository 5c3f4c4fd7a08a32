// SPDX-License-Identifier: GPL-2.0-only
/**
 * Ground truth the kernel cannot show: where the workload's hot set physically lives, per node.
 * Walks extents, not pages.
 */
import { ExtKind } from '../machine/extents.js';
import type { Machine } from '../machine/machine.js';
import type { Workload } from './model.js';

/** Bytes of the current hot set resident on each node. */
export function hotBytesPerNode(machine: Machine, workload: Workload, nowNs: number): number[] {
  const out = machine.nodes.map(() => 0);
  const hot = workload.phase(nowNs).hot;
  for (const e of machine.mem.items) {
    if (e.kind !== ExtKind.Lru) continue;
    const ranges = hot.get(e.owner);
    if (!ranges) continue;
    const vs = e.vstart;
    const ve = e.vstart + (e.end - e.start);
    for (const [hs, he] of ranges) {
      const ov = Math.min(ve, he) - Math.max(vs, hs);
      if (ov > 0) out[e.node] += ov;
    }
  }
  return out;
}

/** Bytes in use (not free) on each node. */
export function usedBytesPerNode(machine: Machine): number[] {
  return machine.nodes.map((n) => n.capacity - machine.nodeFree(n.nid));
}
