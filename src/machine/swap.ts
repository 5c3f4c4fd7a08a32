// SPDX-License-Identifier: GPL-2.0-only
/**
 * Memory that was resident and no longer is: anon pages paged out to the swap device and page
 * cache dropped by reclaim. Kept per owner as sorted virtual ranges (never per page); a later
 * access faults them back in (workload/refault.ts).
 *
 * Pageout and refaults cut an owner's evicted memory into thousands of ranges (a refault takes the
 * pages at the start of a range back, and they rejoin it only if paged out again before the range
 * loses more), and every pageout adds ranges and every refault takes one apart. As one array the
 * list cost an array copy per edit: DAMON_RECLAIM's example spent 45 % of a 15-minute run
 * inserting. So an owner's list is blocks of at most BLOCK_MAX ranges, found by binary search, and
 * an edit moves one block's elements.
 */

export interface EvictedRange {
  owner: number;
  vstart: number;
  vend: number;
  anon: boolean;
  mapped: boolean;
  memcg: number;
}

/** Ranges per block at most: an edit moves up to this many elements, a search crosses total / this blocks. */
const BLOCK_MAX = 512;

/** Whether b continues a as one range (adjacent, equal attributes). */
function joins(a: EvictedRange, b: EvictedRange): boolean {
  return a.vend === b.vstart && a.anon === b.anon && a.mapped === b.mapped && a.memcg === b.memcg;
}

/** The first index of `list` (sorted, non-overlapping) whose range ends after `addr`. */
function firstEndingAfter(list: readonly EvictedRange[], addr: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].vend <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One owner's ranges, sorted by vstart and non-overlapping, with no two that join(): blocks of
 * consecutive ranges, none empty. A position is (block, index); the end is (last block, its length).
 */
class RangeList {
  private readonly blocks: EvictedRange[][] = [];
  private b = 0;
  private i = 0;

  constructor(private readonly blockMax: number) {}

  get length(): number {
    let n = 0;
    for (const blk of this.blocks) n += blk.length;
    return n;
  }

  /** Set the position to the first range that ends after `addr` (or the end). */
  private seek(addr: number): void {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = blocks[mid];
      if (blk[blk.length - 1].vend <= addr) lo = mid + 1;
      else hi = mid;
    }
    if (lo === blocks.length) {
      this.b = Math.max(0, lo - 1);
      this.i = lo === 0 ? 0 : blocks[lo - 1].length;
    } else {
      this.b = lo;
      this.i = firstEndingAfter(blocks[lo], addr);
    }
  }

  /** The range at the position, or undefined at the end. */
  private here(): EvictedRange | undefined {
    const blk = this.blocks[this.b];
    return blk === undefined ? undefined : blk[this.i];
  }

  /** The range before the position, or undefined at the start. */
  private before(): EvictedRange | undefined {
    if (this.i > 0) return this.blocks[this.b][this.i - 1];
    if (this.b === 0) return undefined;
    const blk = this.blocks[this.b - 1];
    return blk[blk.length - 1];
  }

  /** Insert r before the position; the position stays on r. */
  private insertHere(r: EvictedRange): void {
    const blocks = this.blocks;
    if (blocks.length === 0) {
      blocks.push([r]);
      this.b = 0;
      this.i = 0;
      return;
    }
    const blk = blocks[this.b];
    blk.splice(this.i, 0, r);
    if (blk.length > this.blockMax) {
      const half = blk.length >>> 1;
      blocks.splice(this.b + 1, 0, blk.splice(half));
      if (this.i >= half) {
        this.b++;
        this.i -= half;
      }
    }
  }

  /** Delete the range at the position; the position moves to the range after it. */
  private deleteHere(): void {
    const blk = this.blocks[this.b];
    blk.splice(this.i, 1);
    if (blk.length === 0) {
      this.blocks.splice(this.b, 1);
      this.i = 0;
      if (this.b === this.blocks.length && this.b > 0) {
        this.b--;
        this.i = this.blocks[this.b].length;
      }
    } else if (this.i === blk.length && this.b + 1 < this.blocks.length) {
      this.b++;
      this.i = 0;
    }
  }

  /** Add r (disjoint from every range held), joined with the neighbours it continues. */
  add(r: EvictedRange): void {
    this.seek(r.vstart);
    const prev = this.before();
    const next = this.here();
    if (prev !== undefined && joins(prev, r)) {
      prev.vend = r.vend;
      if (next !== undefined && joins(prev, next)) {
        prev.vend = next.vend;
        this.deleteHere();
      }
      return;
    }
    if (next !== undefined && joins(r, next)) {
      next.vstart = r.vstart;
      return;
    }
    this.insertHere({ ...r });
  }

  /**
   * Take [vstart, vend) out; calls `cut(range, bytes)` for each range it takes bytes of, in
   * address order.
   */
  remove(vstart: number, vend: number, cut: (r: EvictedRange, bytes: number) => void): void {
    this.seek(vstart);
    // A refault takes the pages at a range's start back (workload/refault.ts): that range only
    // begins later, in place, where taking it out and putting the rest back moved its block twice.
    const first = this.here();
    if (first !== undefined && first.vstart === vstart && vend < first.vend) {
      cut(first, vend - vstart);
      first.vstart = vend;
      return;
    }
    const keep: EvictedRange[] = [];
    for (let r = this.here(); r !== undefined && r.vstart < vend; r = this.here()) {
      cut(r, Math.min(r.vend, vend) - Math.max(r.vstart, vstart));
      if (r.vstart < vstart) keep.push({ ...r, vend: vstart });
      if (r.vend > vend) keep.push({ ...r, vstart: vend });
      this.deleteHere();
    }
    if (keep.length === 0) return;
    this.seek(vstart);
    for (const k of keep) {
      this.insertHere(k);
      this.i++;
    }
  }

  /** Every range in order into `out`. */
  pushAll(out: EvictedRange[]): void {
    for (const blk of this.blocks) for (const r of blk) out.push(r);
  }
}

export class EvictedStore {
  private readonly byOwner = new Map<number, RangeList>();
  /** The owners with a list, ascending (ranges() goes owner by owner). */
  private owners: number[] = [];
  /** Bytes of anon memory on the swap device. */
  swapUsed = 0;
  private total = 0;

  /** `blockMax`: ranges per block at most (tests make blocks small to exercise their edges). */
  constructor(
    readonly swapCapacity: number,
    private readonly blockMax = BLOCK_MAX,
  ) {}

  swapFree(): number {
    return this.swapCapacity - this.swapUsed;
  }

  add(r: EvictedRange): void {
    let list = this.byOwner.get(r.owner);
    if (!list) {
      this.byOwner.set(r.owner, (list = new RangeList(this.blockMax)));
      this.owners = [...this.owners, r.owner].sort((a, b) => a - b);
    }
    list.add(r);
    const bytes = r.vend - r.vstart;
    this.total += bytes;
    if (r.anon) this.swapUsed += bytes;
  }

  /** Take [vstart, vend) of owner out of the store (it was faulted in). */
  remove(owner: number, vstart: number, vend: number): void {
    this.byOwner.get(owner)?.remove(vstart, vend, (r, bytes) => {
      this.total -= bytes;
      if (r.anon) this.swapUsed -= bytes;
    });
  }

  /** Every range, by owner and then address, into `out` (emptied first; a new array by default). */
  ranges(out: EvictedRange[] = []): EvictedRange[] {
    out.length = 0;
    for (const o of this.owners) this.byOwner.get(o)?.pushAll(out);
    return out;
  }

  /** How many ranges the store holds. */
  get nrRanges(): number {
    let n = 0;
    for (const list of this.byOwner.values()) n += list.length;
    return n;
  }

  get totalBytes(): number {
    return this.total;
  }
}
