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
  // Index loops: this runs over every extent whenever memory moved (each aggregation that
  // migrated something), and destructuring iterators per extent showed in profiles.
  const mem = machine.mem;
  let owner = -1;
  let ranges: ReadonlyArray<readonly [number, number]> | undefined;
  for (let i = 0; i < mem.length; i++) {
    const e = mem.at(i);
    if (e.kind !== ExtKind.Lru) continue;
    if (e.owner !== owner) {
      owner = e.owner;
      ranges = hot.get(owner);
    }
    if (!ranges) continue;
    const vs = e.vstart;
    const ve = e.vstart + (e.end - e.start);
    for (let j = 0; j < ranges.length; j++) {
      const h = ranges[j];
      const ov = Math.min(ve, h[1]) - Math.max(vs, h[0]);
      if (ov > 0) out[e.node] += ov;
    }
  }
  return out;
}

/** Bytes in use (not free) on each node. */
export function usedBytesPerNode(machine: Machine): number[] {
  return machine.nodes.map((n) => n.capacity - machine.nodeFree(n.nid));
}
