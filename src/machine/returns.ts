// SPDX-License-Identifier: GPL-2.0-only
/**
 * Returned bytes (ping-pong): how much of what migrations moved went back to a node the same
 * memory had been migrated away from, and how long it had been away. The memory is the workload's
 * (owner, virtual address), not the physical frame: a migration gives a page a new frame, and a
 * later one may put it back on its old node in any frame.
 *
 * Definition (docs/model.md, "Returned bytes"): a migration of [v, v + len) of an owner from node
 * a to node b, a != b, returns the bytes whose previous migration between nodes (their last one)
 * took them off node b; the time away is the simulated time between the two. A page's first
 * migration returns nothing. A move within one node (the target was full and the allocator fell
 * back to the folio's own node) is neither a return nor a departure: the page stayed where it was.
 *
 * Kept per owner as sorted, disjoint virtual ranges of (node last left, time of leaving), beside
 * the extents rather than in them: a time per extent would stop migrated runs from joining their
 * neighbours. A migration costs a binary search and a splice per virtually contiguous run it
 * moved; consecutive moves of one migration call that continue each other in the virtual space
 * (moveAll() fills free blocks piece by piece, migrateRunDown() goes highest folio first) are
 * joined before they reach the ranges.
 */
import { firstAbove } from '../lib/search.js';
import { doubleZeros, startAsDoubles } from '../lib/v8-fields.js';

/** The node an evicted range last left: none (ReturnTracker.forget()). */
const FORGOTTEN = -1;

/** Ranges per block at most: an edit moves up to this many, a search crosses total / this blocks. */
const BLOCK_MAX = 128;

/**
 * Consecutive ranges of one owner's history, interleaved in one array (a shift is one copyWithin):
 * range i is [d[4i], d[4i + 1]), last migrated off node d[4i + 2] at time d[4i + 3] (ns).
 */
class Block {
  n = 0;
  readonly d: Float64Array;

  constructor(cap: number) {
    this.d = new Float64Array(4 * cap);
  }

  /** Replace ranges [i, k) by c places (the block has room for them), to be written by the caller. */
  replace(i: number, k: number, c: number): void {
    const delta = c - (k - i);
    if (delta !== 0) this.d.copyWithin(4 * (k + delta), 4 * k, 4 * this.n);
    this.n += delta;
  }

  /** Join range i with range i + 1 if that continues it with the same node and time. */
  joinNext(i: number): void {
    const d = this.d;
    const p = 4 * i;
    if (d[p + 1] !== d[p + 4] || d[p + 2] !== d[p + 6] || d[p + 3] !== d[p + 7]) return;
    d[p + 1] = d[p + 5];
    this.replace(i + 1, i + 2, 0);
  }

  /** Move ranges [from, n) into a new block of capacity `cap`. */
  splitOff(from: number, cap: number): Block {
    const b = new Block(cap);
    b.n = this.n - from;
    b.d.set(this.d.subarray(4 * from, 4 * this.n));
    this.n = from;
    return b;
  }

  /** The first index whose range ends after `addr` (n if none). */
  firstEndingAfter(addr: number): number {
    return firstAbove(this.d, addr, 0, this.n, 4, 1);
  }
}

/**
 * One owner's history: ranges ascending and disjoint, in blocks of at most blockMax (none empty
 * but the first before the first move), so that an edit moves one block's ranges, not every range after it (an hour
 * of the preset under TEMPORAL leaves ~10^4 ranges and edits them ~10^6 times, nearly each time
 * one range it overlaps). Neighbours that continue each other with the same node and time are
 * joined within a block.
 */
class OwnerHistory {
  private readonly blocks: Block[];
  /** Each block's last end, in one array: a search touches no block but the one it finds. */
  private readonly ends: number[];
  /** The ranges a move writes: what is left of the first and last range it overlaps, and its own. */
  private readonly put = new Float64Array(12);

  constructor(private readonly blockMax: number) {
    this.blocks = [new Block(blockMax + 3)];
    this.ends = doubleZeros(1); // addresses: doubles from the start (lib/v8-fields.ts)
  }

  get size(): number {
    let n = 0;
    for (const b of this.blocks) n += b.n;
    return n;
  }

  /** The index of the first block whose last range ends after addr (blocks.length if none). */
  private blockAfter(addr: number): number {
    return firstAbove(this.ends, addr, 0, this.ends.length);
  }

  /** Count the returns in ranges [i, k) of blk overlapping [a, b) and keep what lies outside it in `put` (head at 0, tail at 8). */
  private scan(blk: Block, i: number, k: number, a: number, b: number, to: number, now: number, out: Float64Array): void {
    const d = blk.d;
    const put = this.put;
    for (let p = 4 * i; p < 4 * k; p += 4) {
      const rs = d[p];
      const re = d[p + 1];
      if (d[p + 2] === to) {
        const ov = Math.min(re, b) - Math.max(rs, a);
        out[0] += ov;
        // Kdamonds interleave whole iterations (docs/model.md, "Time"): another's clock may be behind.
        out[1] += ov * Math.max(0, now - d[p + 3]);
      }
      // Element by element: a subarray() per cut would be an object to collect.
      if (rs < a) {
        put[0] = rs;
        put[1] = a;
        put[2] = d[p + 2];
        put[3] = d[p + 3];
      }
      if (re > b) {
        put[8] = b;
        put[9] = re;
        put[10] = d[p + 2];
        put[11] = d[p + 3];
      }
    }
  }

  /**
   * [a, b) left node `from` for node `to` at `now`: adds to out[0] the bytes of it that had last
   * left `to`, to out[1] those bytes times the ns they were away, and records the move.
   */
  move(a: number, b: number, from: number, to: number, now: number, out: Float64Array): void {
    const blocks = this.blocks;
    const ends = this.ends;
    // The block to write in: the first that holds a range ending after a, else the last.
    let bi = this.blockAfter(a);
    if (bi === blocks.length) bi--;
    const blk = blocks[bi];
    const put = this.put;
    put[0] = a; // no head unless scan() finds one
    put[9] = b; // no tail unless scan() finds one
    const i = blk.firstEndingAfter(a);
    let k = i;
    while (k < blk.n && blk.d[4 * k] < b) k++;
    this.scan(blk, i, k, a, b, to, now, out);
    // A move past the block's last range may overlap the next blocks' first ranges: those go.
    while (k === blk.n && bi + 1 < blocks.length && blocks[bi + 1].d[0] < b) {
      const next = blocks[bi + 1];
      let j = 0;
      while (j < next.n && next.d[4 * j] < b) j++;
      this.scan(next, 0, j, a, b, to, now, out);
      next.replace(0, j, 0);
      if (next.n > 0) break;
      blocks.splice(bi + 1, 1);
      ends.splice(bi + 1, 1);
    }
    const head = put[0] < a;
    const tail = put[9] > b;
    const c = 1 + (head ? 1 : 0) + (tail ? 1 : 0);
    blk.replace(i, k, c);
    const d = blk.d;
    let p = 4 * i;
    if (head) {
      for (let q = 0; q < 4; q++) d[p + q] = put[q];
      p += 4;
    }
    d[p] = a;
    d[p + 1] = b;
    d[p + 2] = from;
    d[p + 3] = now;
    if (tail) for (let q = 0; q < 4; q++) d[p + 4 + q] = put[8 + q];
    if (i + c < blk.n) blk.joinNext(i + c - 1);
    if (i > 0) blk.joinNext(i - 1);
    if (blk.n > this.blockMax) {
      const right = blk.splitOff(blk.n >>> 1, this.blockMax + 3);
      blocks.splice(bi + 1, 0, right);
      ends.splice(bi + 1, 0, right.d[4 * right.n - 3]);
    }
    ends[bi] = d[4 * blk.n - 3];
  }
}

/** Returned bytes per node pair over a machine's migrations (see the file comment). */
export class ReturnTracker {
  /** returned[i][j]: bytes migrated from node i to node j whose previous migration had taken them off j. */
  readonly returned: number[][];
  /** returned[i][j]'s bytes times the ns each was away (between that previous migration and the return). */
  readonly awayByteNs: number[][];
  private readonly owners = new Map<number, OwnerHistory>();
  /** Ranges per block of an owner's history (tests make blocks small to exercise their edges). */
  private readonly blockMax: number;
  private readonly sums = new Float64Array(2);
  /** The pending run: [start, end) of `owner` moving from → to, joined from consecutive moves. */
  private owner = -1;
  private start = 0;
  private end = 0;
  private from = -1;
  private to = -1;
  private now = 0;

  constructor(nrNodes: number, blockMax = BLOCK_MAX) {
    this.blockMax = blockMax;
    this.returned = Array.from({ length: nrNodes }, () => doubleZeros(nrNodes));
    this.awayByteNs = Array.from({ length: nrNodes }, () => doubleZeros(nrNodes));
    // Virtual addresses and times pass 2^31: the double layout from the start (lib/v8-fields.ts).
    startAsDoubles(this as unknown as { start: number; end: number; now: number }, 'start', 'end', 'now');
  }

  /** A migration call begins at simulated time `now` (ns): its moves are stamped with it. */
  begin(now: number): void {
    this.flush();
    this.now = now;
  }

  /** `len` bytes of owner's [vstart, vstart + len) moved from node `from` to node `to`. */
  moved(owner: number, vstart: number, len: number, from: number, to: number): void {
    if (from === to || owner < 0) return; // not a departure (see the file comment); no workload memory
    if (owner === this.owner && from === this.from && to === this.to) {
      if (vstart === this.end) {
        this.end += len;
        return;
      }
      if (vstart + len === this.start) {
        this.start = vstart;
        return;
      }
    }
    this.flush();
    this.owner = owner;
    this.start = vstart;
    this.end = vstart + len;
    this.from = from;
    this.to = to;
  }

  /**
   * owner's [vstart, vstart + len) left memory (paged out or dropped): its history goes, so that a
   * refault, which places the page afresh wherever it lands, is a first placement and its next
   * migration no return. Without this a page refaulted onto the node it had last left counted its
   * next migration off that node as a return, away since before the eviction.
   */
  forget(owner: number, vstart: number, len: number): void {
    const h = this.owners.get(owner);
    if (!h || len <= 0) return;
    this.flush();
    // A departure from no node (FORGOTTEN) never matches a migration's target.
    h.move(vstart, vstart + len, FORGOTTEN, FORGOTTEN, 0, this.sums);
  }

  /** Apply the pending run to the history: call before reading the totals (a migration call's end). */
  flush(): void {
    if (this.owner < 0) return;
    let h = this.owners.get(this.owner);
    if (!h) this.owners.set(this.owner, (h = new OwnerHistory(this.blockMax)));
    const s = this.sums;
    s[0] = 0;
    s[1] = 0;
    h.move(this.start, this.end, this.from, this.to, this.now, s);
    this.returned[this.from][this.to] += s[0];
    this.awayByteNs[this.from][this.to] += s[1];
    this.owner = -1;
  }

  /** Ranges held over all owners (tests, and the cost's measure). */
  get size(): number {
    let n = 0;
    for (const h of this.owners.values()) n += h.size;
    return n;
  }
}
