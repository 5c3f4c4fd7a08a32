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
import { firstAbove } from '../lib/search.js';

export interface EvictedRange {
  owner: number;
  vstart: number;
  vend: number;
  anon: boolean;
  mapped: boolean;
  memcg: number;
}

/** What evicted memory is, besides where: a range joins its neighbour only if this is equal. */
export interface EvictedAttrs {
  anon: boolean;
  mapped: boolean;
  memcg: number;
}

/** Ranges per block at most: an edit moves up to this many elements, a search crosses total / this blocks. */
const BLOCK_MAX = 512;

/**
 * Consecutive ranges of one owner as columns: bounds and the index of their attributes
 * (EvictedStore interns them). A refault tick reads every range of the store, and ranges kept
 * as objects, made at scattered times, cost it a cache miss each.
 */
class Block {
  n = 0;
  vstart: Float64Array;
  vend: Float64Array;
  attr: Int32Array;

  constructor(cap: number) {
    this.vstart = new Float64Array(cap);
    this.vend = new Float64Array(cap);
    this.attr = new Int32Array(cap);
  }

  /** Make room at i (the block has space for one more). */
  open(i: number): void {
    this.vstart.copyWithin(i + 1, i, this.n);
    this.vend.copyWithin(i + 1, i, this.n);
    this.attr.copyWithin(i + 1, i, this.n);
    this.n++;
  }

  /** Close the gap at i. */
  close(i: number): void {
    this.vstart.copyWithin(i, i + 1, this.n);
    this.vend.copyWithin(i, i + 1, this.n);
    this.attr.copyWithin(i, i + 1, this.n);
    this.n--;
  }

  /** Move ranges [from, n) into a new block of capacity `cap`. */
  splitOff(from: number, cap: number): Block {
    const b = new Block(cap);
    b.n = this.n - from;
    b.vstart.set(this.vstart.subarray(from, this.n));
    b.vend.set(this.vend.subarray(from, this.n));
    b.attr.set(this.attr.subarray(from, this.n));
    this.n = from;
    return b;
  }

  /** The first index whose range ends after `addr` (n if none). */
  firstEndingAfter(addr: number): number {
    return firstAbove(this.vend, addr, 0, this.n);
  }
}

/**
 * One owner's ranges, sorted by vstart and non-overlapping, with no two adjacent ones of equal
 * attributes: blocks of consecutive ranges, none empty. A position is (block, index); the end is
 * (last block, its length).
 */
class RangeList {
  private readonly blocks: Block[] = [];
  private b = 0;
  private i = 0;

  constructor(private readonly blockMax: number) {}

  get length(): number {
    let n = 0;
    for (const blk of this.blocks) n += blk.n;
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
      if (blk.vend[blk.n - 1] <= addr) lo = mid + 1;
      else hi = mid;
    }
    if (lo === blocks.length) {
      this.b = Math.max(0, lo - 1);
      this.i = lo === 0 ? 0 : blocks[lo - 1].n;
    } else {
      this.b = lo;
      this.i = blocks[lo].firstEndingAfter(addr);
    }
  }

  /** Whether a range is at the position (not the end). */
  private atRange(): boolean {
    const blk = this.blocks[this.b];
    return blk !== undefined && this.i < blk.n;
  }

  /** The block and index of the range before the position, or undefined at the start. */
  private before(): [Block, number] | undefined {
    if (this.i > 0) return [this.blocks[this.b], this.i - 1];
    if (this.b === 0) return undefined;
    const blk = this.blocks[this.b - 1];
    return [blk, blk.n - 1];
  }

  /** Insert [vstart, vend) of `attr` before the position; the position stays on it. */
  private insertHere(vstart: number, vend: number, attr: number): void {
    const blocks = this.blocks;
    if (blocks.length === 0) {
      blocks.push(new Block(this.blockMax + 1));
      this.b = 0;
      this.i = 0;
    }
    const blk = blocks[this.b];
    blk.open(this.i);
    blk.vstart[this.i] = vstart;
    blk.vend[this.i] = vend;
    blk.attr[this.i] = attr;
    if (blk.n > this.blockMax) {
      const half = blk.n >>> 1;
      blocks.splice(this.b + 1, 0, blk.splitOff(half, this.blockMax + 1));
      if (this.i >= half) {
        this.b++;
        this.i -= half;
      }
    }
  }

  /** Delete the range at the position; the position moves to the range after it. */
  private deleteHere(): void {
    const blk = this.blocks[this.b];
    blk.close(this.i);
    if (blk.n === 0) {
      this.blocks.splice(this.b, 1);
      this.i = 0;
      if (this.b === this.blocks.length && this.b > 0) {
        this.b--;
        this.i = this.blocks[this.b].n;
      }
    } else if (this.i === blk.n && this.b + 1 < this.blocks.length) {
      this.b++;
      this.i = 0;
    }
  }

  /** Add [vstart, vend) of `attr` (disjoint from every range held), joined with the neighbours it continues. */
  add(vstart: number, vend: number, attr: number): void {
    this.seek(vstart);
    const prev = this.before();
    const next = this.atRange() ? this.blocks[this.b] : undefined;
    const ni = this.i;
    if (prev !== undefined && prev[0].vend[prev[1]] === vstart && prev[0].attr[prev[1]] === attr) {
      if (next !== undefined && next.vstart[ni] === vend && next.attr[ni] === attr) {
        prev[0].vend[prev[1]] = next.vend[ni];
        this.deleteHere();
      } else prev[0].vend[prev[1]] = vend;
      return;
    }
    if (next !== undefined && next.vstart[ni] === vend && next.attr[ni] === attr) {
      next.vstart[ni] = vstart;
      return;
    }
    this.insertHere(vstart, vend, attr);
  }

  /**
   * Take [vstart, vend) out; calls `cut(attr, bytes)` for each range it takes bytes of, in
   * address order.
   */
  remove(vstart: number, vend: number, cut: (attr: number, bytes: number) => void): void {
    this.seek(vstart);
    if (!this.atRange()) return;
    // A refault takes the pages at a range's start back (workload/refault.ts): that range only
    // begins later, in place, where taking it out and putting the rest back moved its block twice.
    const first = this.blocks[this.b];
    if (first.vstart[this.i] === vstart && vend < first.vend[this.i]) {
      cut(first.attr[this.i], vend - vstart);
      first.vstart[this.i] = vend;
      return;
    }
    // What is left of the ranges cut at either end: [vstart, vend, attr] triples.
    const keep: number[] = [];
    while (this.atRange()) {
      const blk = this.blocks[this.b];
      const rs = blk.vstart[this.i];
      if (rs >= vend) break;
      const re = blk.vend[this.i];
      const attr = blk.attr[this.i];
      cut(attr, Math.min(re, vend) - Math.max(rs, vstart));
      if (rs < vstart) keep.push(rs, vstart, attr);
      if (re > vend) keep.push(vend, re, attr);
      this.deleteHere();
    }
    if (keep.length === 0) return;
    this.seek(vstart);
    for (let k = 0; k < keep.length; k += 3) {
      this.insertHere(keep[k], keep[k + 1], keep[k + 2]);
      this.i++;
    }
  }

  /** Every range in order, as objects of `owner` with `attrs` looked up, into `out`. */
  pushAll(owner: number, attrs: readonly EvictedAttrs[], out: EvictedRange[]): void {
    for (const blk of this.blocks) for (let i = 0; i < blk.n; i++) out.push({ owner, vstart: blk.vstart[i], vend: blk.vend[i], ...attrs[blk.attr[i]] });
  }

  /** Every range in order into the snapshot's columns, owned by `owner`. */
  snapshotInto(owner: number, snap: EvictedSnapshot): void {
    for (const blk of this.blocks) {
      const at = snap.n;
      snap.reserve(at + blk.n);
      snap.vstart.set(blk.vstart.subarray(0, blk.n), at);
      snap.vend.set(blk.vend.subarray(0, blk.n), at);
      snap.attr.set(blk.attr.subarray(0, blk.n), at);
      snap.owner.fill(owner, at, at + blk.n);
      snap.n = at + blk.n;
    }
  }
}

/**
 * Every evicted range at one moment, as columns in the store's order (owner, then address): what a
 * refault tick walks while its refaults edit the store.
 */
export class EvictedSnapshot {
  n = 0;
  /** Doubles, as owner ids are numbers anywhere else (an id past 2^31 stays whole). */
  owner = new Float64Array(256);
  vstart = new Float64Array(256);
  vend = new Float64Array(256);
  /** Index of the range's attributes (EvictedStore.attrsOf()). */
  attr = new Int32Array(256);

  /** Room for `n` ranges, keeping those written. */
  reserve(n: number): void {
    if (n <= this.vstart.length) return;
    const cap = Math.max(n, 2 * this.vstart.length);
    const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => {
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.owner = grow(this.owner, new Float64Array(cap));
    this.vstart = grow(this.vstart, new Float64Array(cap));
    this.vend = grow(this.vend, new Float64Array(cap));
    this.attr = grow(this.attr, new Int32Array(cap));
  }
}

export class EvictedStore {
  private readonly byOwner = new Map<number, RangeList>();
  /** The owners with a list, ascending (ranges() goes owner by owner). */
  private owners: number[] = [];
  /** The distinct attributes of evicted memory, by index (a handful: anon or not, mapped, memcg). */
  private readonly attrs: EvictedAttrs[] = [];
  private readonly attrIndex = new Map<string, number>();
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
    list.add(r.vstart, r.vend, this.intern(r));
    const bytes = r.vend - r.vstart;
    this.total += bytes;
    if (r.anon) this.swapUsed += bytes;
  }

  /** The index of r's attributes, added on first sight. */
  private intern(r: EvictedAttrs): number {
    const key = `${r.anon ? 1 : 0}/${r.mapped ? 1 : 0}/${r.memcg}`;
    let i = this.attrIndex.get(key);
    if (i === undefined) {
      i = this.attrs.length;
      this.attrs.push({ anon: r.anon, mapped: r.mapped, memcg: r.memcg });
      this.attrIndex.set(key, i);
    }
    return i;
  }

  /** The attributes of index `i` (EvictedSnapshot.attr). */
  attrsOf(i: number): EvictedAttrs {
    return this.attrs[i];
  }

  /** Take [vstart, vend) of owner out of the store (it was faulted in). */
  remove(owner: number, vstart: number, vend: number): void {
    this.byOwner.get(owner)?.remove(vstart, vend, (attr, bytes) => {
      this.total -= bytes;
      if (this.attrs[attr].anon) this.swapUsed -= bytes;
    });
  }

  /** Every range, by owner and then address, as objects (tests, cold paths). */
  ranges(): EvictedRange[] {
    const all: EvictedRange[] = [];
    for (const o of this.owners) this.byOwner.get(o)?.pushAll(o, this.attrs, all);
    return all;
  }

  /** Every range, by owner and then address, into `snap`'s columns (emptied first). */
  snapshot(snap: EvictedSnapshot): EvictedSnapshot {
    snap.n = 0;
    for (const o of this.owners) this.byOwner.get(o)?.snapshotInto(o, snap);
    return snap;
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
