// SPDX-License-Identifier: GPL-2.0-only
/**
 * Ground truth the kernel cannot show: where the workload's hot set physically lives, per node.
 * Walks extents, not pages.
 */
import { PAGE_SIZE } from '../lib/kint.js';
import { ExtKind } from '../machine/extents.js';
import { PatchedSegments, emitExtents, type SegmentList, type Segments } from '../machine/layout-map.js';
import type { Machine } from '../machine/machine.js';
import type { Workload } from './model.js';

/**
 * Bytes of the current hot set resident on each node, on the LRU or isolated from it, by a walk
 * over every extent (a byte in two of a process's hot ranges counts once). The recorder keeps the
 * same numbers current with HotBytesTracker; this is its reference.
 */
export function hotBytesPerNode(machine: Machine, workload: Workload, nowNs: number): number[] {
  const out = machine.nodes.map(() => 0);
  const hot = sortedHotRanges(workload.phase(nowNs).hot);
  const mem = machine.mem;
  let owner = -1;
  let ranges: ReadonlyArray<readonly [number, number]> | undefined;
  for (let i = 0; i < mem.length; i++) {
    const e = mem.at(i);
    // Folios isolated for good (B0's invalid migration target) are off the LRU but still the
    // workload's, mapped and resident; kernel allocations own no hot range.
    if (e.kind === ExtKind.Free) continue;
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

/**
 * hotBytesPerNode() kept current as memory moves: the hot set as a function of the physical
 * address (the node of a hot LRU byte, −1 elsewhere), patched where the machine logged changes
 * (machine/layout-map.ts) instead of walked over every extent at each aggregation that follows a
 * migration. Rebuilt when the workload changes phase (the hot set moves).
 */
export class HotBytesTracker {
  private readonly segs: PatchedSegments;
  private list: Segments | null = null;
  private phase = -1;
  private hot: Map<number, Array<readonly [number, number]>> = new Map();
  /** Doubles from the start: an array of small integers would change kind once a total passed 2^31. */
  private totals = new Float64Array(0);

  constructor(
    private readonly machine: Machine,
    private readonly workload: Workload,
  ) {
    this.segs = new PatchedSegments(machine, PAGE_SIZE, (a, b, out) => this.emit(a, b, out));
  }

  /** Bytes of the current hot set resident on each node (a fresh array). */
  perNode(nowNs: number): number[] {
    const phase = this.workload.phaseIndex(nowNs);
    if (phase !== this.phase) {
      this.phase = phase;
      this.hot = sortedHotRanges(this.workload.phase(nowNs).hot);
    }
    const list = this.segs.current(phase);
    if (list !== this.list) {
      this.list = list;
      const { starts, values, n, end } = list;
      this.totals = new Float64Array(this.machine.nodes.length);
      for (let i = 0; i < n; i++) {
        const nid = values[i];
        if (nid >= 0) this.totals[nid] += (i + 1 < n ? starts[i + 1] : end) - starts[i];
      }
    }
    return Array.from(this.totals);
  }

  /** Push the function's segments over [a, b) into out. */
  private emit(a: number, b: number, out: SegmentList): void {
    let owner = -1;
    let ranges: ReadonlyArray<readonly [number, number]> | undefined;
    emitExtents(this.machine, a, b, out, -1, (e, push) => {
      push(e.start, -1);
      if (e.kind === ExtKind.Free) return; // as hotBytesPerNode()
      if (e.owner !== owner) {
        owner = e.owner;
        ranges = this.hot.get(owner);
      }
      if (!ranges) return;
      const vs = e.vstart;
      const ve = e.vstart + (e.end - e.start);
      for (let j = 0; j < ranges.length && ranges[j][0] < ve; j++) {
        const h = ranges[j];
        if (h[1] <= vs) continue;
        push(e.start + (Math.max(vs, h[0]) - vs), e.node);
        push(e.start + (Math.min(ve, h[1]) - vs), -1);
      }
    });
  }
}

/** Each process's hot ranges sorted by start, overlapping ones joined (a byte counts once). */
function sortedHotRanges(hot: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>): Map<number, Array<readonly [number, number]>> {
  const out = new Map<number, Array<readonly [number, number]>>();
  for (const [owner, rs] of hot) {
    const sorted = [...rs].filter((r) => r[1] > r[0]).sort((x, y) => x[0] - y[0]);
    const joined: Array<[number, number]> = [];
    for (const [s, e] of sorted) {
      const last = joined[joined.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else joined.push([s, e]);
    }
    out.set(owner, joined);
  }
  return out;
}
