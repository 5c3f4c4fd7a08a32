// SPDX-License-Identifier: GPL-2.0-only
/**
 * Memory that was resident and no longer is: anon pages paged out to the swap device and page
 * cache dropped by reclaim. Kept per owner as sorted virtual ranges (never per page); a later
 * access faults them back in (workload/refault.ts).
 */

export interface EvictedRange {
  owner: number;
  vstart: number;
  vend: number;
  anon: boolean;
  mapped: boolean;
  memcg: number;
}

export class EvictedStore {
  /** Per owner: ranges sorted by vstart, non-overlapping. */
  private readonly byOwner = new Map<number, EvictedRange[]>();
  /** Bytes of anon memory on the swap device. */
  swapUsed = 0;

  constructor(readonly swapCapacity: number) {}

  swapFree(): number {
    return this.swapCapacity - this.swapUsed;
  }

  add(r: EvictedRange): void {
    let list = this.byOwner.get(r.owner);
    if (!list) this.byOwner.set(r.owner, (list = []));
    let i = 0;
    while (i < list.length && list[i].vstart < r.vstart) i++;
    list.splice(i, 0, { ...r });
    // Join neighbours with equal attributes.
    for (let j = Math.max(0, i - 1); j + 1 < list.length && j <= i; ) {
      const a = list[j];
      const b = list[j + 1];
      if (a.vend === b.vstart && a.anon === b.anon && a.mapped === b.mapped && a.memcg === b.memcg) {
        a.vend = b.vend;
        list.splice(j + 1, 1);
      } else j++;
    }
    if (r.anon) this.swapUsed += r.vend - r.vstart;
  }

  /** Take [vstart, vend) of owner out of the store (it was faulted in). */
  remove(owner: number, vstart: number, vend: number): void {
    const list = this.byOwner.get(owner);
    if (!list) return;
    const out: EvictedRange[] = [];
    for (const r of list) {
      if (r.vend <= vstart || r.vstart >= vend) {
        out.push(r);
        continue;
      }
      const cut = Math.min(r.vend, vend) - Math.max(r.vstart, vstart);
      if (r.anon) this.swapUsed -= cut;
      if (r.vstart < vstart) out.push({ ...r, vend: vstart });
      if (r.vend > vend) out.push({ ...r, vstart: vend });
    }
    this.byOwner.set(owner, out);
  }

  ranges(): EvictedRange[] {
    const all: EvictedRange[] = [];
    for (const list of this.byOwner.values()) all.push(...list);
    return all.sort((a, b) => a.owner - b.owner || a.vstart - b.vstart);
  }

  get totalBytes(): number {
    let s = 0;
    for (const list of this.byOwner.values()) for (const r of list) s += r.vend - r.vstart;
    return s;
  }
}
