// SPDX-License-Identifier: GPL-2.0-only
/**
 * Physical memory as sorted extents: runs of frames in the same state (node, free / LRU / non-LRU,
 * folio size, owner and virtual offset, LRU list, memcg). Nothing is per 4 KiB page: allocation and
 * migration split and join extents, and walks visit extents (architecture sketch, "Where the speed
 * comes from").
 */

export const enum ExtKind {
  /** Free frames: not LRU folios, never "accessed" for DAMON (damon_get_folio() fails). */
  Free = 0,
  /** LRU folios owned by a process (anon) or a file (page cache). */
  Lru = 1,
  /** Used but not on an LRU list: kernel allocations, hugetlbfs, ... invisible to DAMON paddr. */
  NonLru = 2,
  /** Swap-cache-free placeholder is not needed: swapped pages live in the swap device, not here. */
}

export class Extent {
  start: number;
  end: number;
  node: number;
  kind: ExtKind;
  /** Folio size in bytes (4 KiB or 2 MiB); folios are aligned to it within the extent. */
  folioSize: number;
  /** Owner address space (process index) for anon pages, or file id for page cache; -1 if none. */
  owner: number;
  /** Virtual byte address in the owner's space (or file offset) that `start` maps. */
  vstart: number;
  anon: boolean;
  active: boolean;
  mapped: boolean;
  memcg: number;
  /** Simulated time (ns) at which this memory's young state was last cleared (mkold / young check). */
  oldSince: number;

  constructor(start: number, end: number, node: number, kind: ExtKind) {
    this.start = start;
    this.end = end;
    this.node = node;
    this.kind = kind;
    this.folioSize = 4096;
    this.owner = -1;
    this.vstart = 0;
    this.anon = false;
    this.active = false;
    this.mapped = false;
    this.memcg = 0;
    this.oldSince = 0;
  }

  /** A copy covering [start, end) of this extent (end within this one). */
  slice(start: number, end: number): Extent {
    const e = new Extent(start, end, this.node, this.kind);
    e.takeContent(this, this.vstart + (start - this.start));
    return e;
  }

  /** Become free frames (the folio was freed, migrated away or reclaimed). */
  makeFree(): void {
    this.kind = ExtKind.Free;
    this.owner = -1;
    this.folioSize = 4096;
    this.active = false;
    this.anon = false;
    this.mapped = false;
    this.memcg = 0;
    this.vstart = 0;
    this.oldSince = 0;
  }

  /** Take over src's content (kind, folio, owner, LRU state); `vstart` maps this extent's start. */
  takeContent(src: Extent, vstart: number): void {
    this.kind = src.kind;
    this.folioSize = src.folioSize;
    this.owner = src.owner;
    this.vstart = vstart;
    this.anon = src.anon;
    this.mapped = src.mapped;
    this.memcg = src.memcg;
    this.active = src.active;
    this.oldSince = src.oldSince;
  }

  /** Whether `next` (starting at this.end) continues this extent exactly. */
  continuedBy(next: Extent): boolean {
    if (next.start !== this.end || next.node !== this.node || next.kind !== this.kind) return false;
    if (this.kind === ExtKind.Free) return true;
    return (
      next.folioSize === this.folioSize &&
      next.owner === this.owner &&
      next.vstart === this.vstart + (this.end - this.start) &&
      next.anon === this.anon &&
      next.active === this.active &&
      next.mapped === this.mapped &&
      next.memcg === this.memcg &&
      next.oldSince === this.oldSince
    );
  }
}

/** A sorted, non-overlapping list of extents with split/coalesce helpers. */
export class ExtentList {
  readonly items: Extent[] = [];

  /** Index of the extent containing addr, or -1 (a hole). */
  find(addr: number): number {
    const a = this.items;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = a[mid];
      if (addr < e.start) hi = mid - 1;
      else if (addr >= e.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Where the last findNear() ended: walks in address order search forward from it. */
  private hint = 0;

  /**
   * find(addr), galloping forward from the previous call's answer: folio-mode sampling looks up
   * one address per region, in address order, so the answer is usually a few extents on.
   */
  findNear(addr: number): number {
    const a = this.items;
    const n = a.length;
    if (n === 0) return -1;
    const h = this.hint < n ? this.hint : n - 1;
    // The last index whose extent starts at or below addr lies in [lo, hi) (or there is none).
    let lo: number;
    let hi: number;
    if (a[h].start <= addr) {
      lo = h;
      hi = h + 1;
      for (let step = 1; hi < n && a[hi].start <= addr; step *= 2) {
        lo = hi;
        hi = Math.min(n, lo + step * 2);
      }
    } else {
      if (a[0].start > addr) return -1;
      lo = 0;
      hi = h;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (a[mid].start <= addr) lo = mid;
      else hi = mid;
    }
    this.hint = lo;
    return addr < a[lo].end ? lo : -1;
  }

  /** Index of the first extent whose end is above addr (the first that overlaps [addr, ...)). */
  lowerBound(addr: number): number {
    const a = this.items;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Make `addr` an extent boundary (if it falls inside one). Returns the index of the extent starting at addr, or where it would be. */
  splitAt(addr: number): number {
    const i = this.find(addr);
    if (i < 0) return this.lowerBound(addr);
    const e = this.items[i];
    if (e.start === addr) return i;
    const right = e.slice(addr, e.end);
    e.end = addr;
    this.items.splice(i + 1, 0, right);
    return i + 1;
  }

  /** Isolate [start, end) as whole extents; returns [first index, index after last]. */
  isolate(start: number, end: number): [number, number] {
    const i = this.splitAt(start);
    const j = this.splitAt(end);
    return [i, j];
  }

  /**
   * Join neighbours that continue each other, within indices [from - 1, to]: the left one grows,
   * the right one goes. One compaction and one splice, however many joins (a splice moves the
   * whole tail of the list, and long runs fragment memory into thousands of extents). With
   * `touched`, only pairs with a touched side join (an extent that grew by a touched one counts
   * as touched), so the rest of the list keeps its boundaries.
   */
  coalesce(from: number, to: number, touched?: Set<Extent>): void {
    const a = this.items;
    const i = Math.max(0, from - 1);
    const end = Math.min(a.length - 1, to);
    if (i >= end) return;
    let w = i;
    for (let k = i + 1; k <= end; k++) {
      if ((!touched || touched.has(a[w]) || touched.has(a[k])) && a[w].continuedBy(a[k])) {
        a[w].end = a[k].end;
        touched?.add(a[w]);
      } else a[++w] = a[k];
    }
    if (end > w) a.splice(w + 1, end - w);
  }

  /**
   * Make [start, end) hold exactly `pieces` (sorted, covering it without gaps, new objects), cutting
   * extents that straddle its edges, and join what continues each other across the edges and
   * between pieces: isolate(), writing the range, then coalesce(), in a single splice.
   */
  replaceRange(start: number, end: number, pieces: Extent[]): void {
    const a = this.items;
    let i = this.lowerBound(start); // first extent ending above start
    let j = i;
    while (j < a.length && a[j].start < end) j++; // [i, j) overlap [start, end)
    const run: Extent[] = [];
    // The part of the last overlapping extent beyond end survives as a new right neighbour.
    const right = j > i && a[j - 1].end > end ? a[j - 1].slice(end, a[j - 1].end) : undefined;
    if (i < j && a[i].start < start) {
      a[i].end = start; // the first overlapping extent keeps its part before start
      i++;
    }
    let lo = i;
    if (lo > 0 && a[lo - 1].end === start) {
      lo--;
      run.push(a[lo]); // the left neighbour, which the first piece may continue
    }
    const add = (e: Extent): void => {
      const last = run[run.length - 1];
      if (last && last.continuedBy(e)) last.end = e.end;
      else run.push(e);
    };
    for (const p of pieces) add(p);
    let hi = j;
    if (right) add(right);
    else if (hi < a.length) {
      const last = run[run.length - 1];
      if (last && last.continuedBy(a[hi])) {
        last.end = a[hi].end;
        hi++;
      }
    }
    a.splice(lo, hi - lo, ...run);
  }
}
