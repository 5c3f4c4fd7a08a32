// SPDX-License-Identifier: GPL-2.0-only
/**
 * Physical memory as sorted extents: runs of frames in the same state (node, free / LRU / non-LRU,
 * folio size, owner and virtual offset, LRU list, memcg). Nothing is per 4 KiB page: allocation and
 * migration split and join extents, and walks visit extents (architecture sketch, "Where the speed
 * comes from").
 */
import { startAsDoubles } from '../lib/v8-fields.js';

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
  /** In an ExtentList's order right now (ExtentList keeps it; an object that left may be reused). */
  listed: boolean;

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
    this.listed = false;
  }

  /** Become what `new Extent(start, end, node, kind)` is (a reused object; ExtentList.make()). */
  reset(start: number, end: number, node: number, kind: ExtKind): this {
    this.start = start;
    this.end = end;
    this.node = node;
    this.makeFree(); // every content field as the constructor sets it
    this.kind = kind;
    this.listed = false;
    return this;
  }

  /** A copy covering [start, end) of this extent (end within this one), in `into` if given (fresh, over [start, end)). */
  slice(start: number, end: number, into: Extent = new Extent(start, end, this.node, this.kind)): Extent {
    into.takeContent(this, this.vstart + (start - this.start));
    return into;
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

// Addresses past 2 GiB and times in ns past 2.1 s (lib/v8-fields.ts).
startAsDoubles(new Extent(0, 0, 0, ExtKind.Free), 'start', 'end', 'vstart', 'oldSince');

/**
 * A sorted, non-overlapping list of extents with split/coalesce helpers.
 *
 * The order lives in a typed array of slots into a pool of extent objects: inserting or removing
 * in the middle moves 4-byte slot numbers with a memmove, where a JavaScript array of objects
 * moves pointers one by one under the garbage collector's write barrier (~2 ns each). Migration
 * cuts and joins extents all the time and long runs fragment memory into ~10^4 extents, so that
 * difference was most of a long run's time (measured: 25 µs against 0.3 µs per splice at 13,000
 * extents).
 */
export class ExtentList {
  /** Extents by slot; a released slot keeps its last extent until it is reused. */
  private readonly pool: Extent[] = [];
  private readonly freeSlots: number[] = [];
  /**
   * Extent objects that left the list since the last recycle(), and those recycle() released for
   * make() to reuse. A migration in fragmented memory makes an extent per moved piece, and each
   * lived long enough for the young-generation collector to copy it (the largest share of a long
   * run's garbage collection); reused objects are not new garbage. Whoever may still hold a dead
   * one (a walk, a set of touched extents) must be done before recycle() is called.
   */
  private readonly dead: Extent[] = [];
  private readonly spare: Extent[] = [];
  /** How many objects dead and spare keep at most: only migrations recycle, so others' leavers pile up (beyond this, they are garbage). */
  private static readonly KEEP = 1 << 16;
  /** splice()'s deleted extents, checked after its insertions (scratch, reused). */
  private readonly deleted: Extent[] = [];
  /**
   * Slots in address order, as a gap buffer: the i-th is ids[i] below gapAt and ids[i + gapLen]
   * from it; the gap (every unused place) stays where the last edit was. An edit moves the slots
   * between the last edit and itself, where a flat array moved the whole tail behind it: edits
   * come near each other (a tick's refaults, an apply pass's regions, a migration's runs), and a
   * 20-minute damon-reclaim run, which fragments memory into ~2·10^5 extents, moved 1.2·10^11
   * slots that way (10 of its 26 s).
   */
  private ids = new Int32Array(64);
  private n = 0;
  private gapAt = 0;
  /** ids.length − n, kept as a field for at(), the hottest read of the machine. */
  private gapLen = 64;

  /** Number of extents. */
  get length(): number {
    return this.n;
  }

  /** The i-th extent in address order (0 <= i < length; unchecked: past the end it is garbage or undefined). */
  at(i: number): Extent {
    return this.pool[this.ids[i < this.gapAt ? i : i + this.gapLen]];
  }

  /** The extents in address order, as a new array (for tests and cold paths). */
  toArray(): Extent[] {
    const out: Extent[] = new Array<Extent>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.at(i);
    return out;
  }

  /** Append e (which must start at or after the last extent's end). */
  push(e: Extent): void {
    this.splice(this.n, 0, [e]);
  }

  /** Insert e before index i. */
  insert(i: number, e: Extent): void {
    this.splice(i, 0, [e]);
  }

  /** Replace the `del` extents from index i with `add` (Array.prototype.splice without its result). */
  splice(i: number, del: number, add: readonly Extent[]): void {
    if (i > this.n) i = this.n;
    if (del < 0) del = 0;
    if (del > this.n - i) del = this.n - i;
    // With the gap right after the deleted ones, indices below it are places in ids.
    this.moveGap(i + del);
    const ids = this.ids;
    const deleted = this.deleted;
    for (let k = i; k < i + del; k++) {
      const e = this.pool[ids[k]];
      e.listed = false;
      deleted.push(e);
      this.freeSlots.push(ids[k]);
    }
    this.shift(i + del, add.length - del);
    for (let k = 0; k < add.length; k++) this.ids[i + k] = this.slotFor(add[k]);
    // What went out and did not come back in (replaceRange() puts a left neighbour back) is dead.
    for (const e of deleted) if (!e.listed) this.died(e);
    deleted.length = 0;
  }

  /** A fresh extent, as `new Extent(...)`, from a recycled object when there is one. */
  make(start: number, end: number, node: number, kind: ExtKind): Extent {
    const e = this.spare.pop();
    return e === undefined ? new Extent(start, end, node, kind) : e.reset(start, end, node, kind);
  }

  /** e's content over [start, end) (within e) as a fresh extent (Extent.slice() through make()). */
  sliceOf(e: Extent, start: number, end: number): Extent {
    return e.slice(start, end, this.make(start, end, e.node, e.kind));
  }

  /** Let make() reuse the extents that left the list so far: call it where nothing holds one. */
  recycle(): void {
    for (const e of this.dead) if (this.spare.length < ExtentList.KEEP) this.spare.push(e);
    this.dead.length = 0;
  }

  /** e left the list for good: keep it for recycle(), up to KEEP of them. */
  private died(e: Extent): void {
    e.listed = false;
    if (this.dead.length < ExtentList.KEEP) this.dead.push(e);
  }

  /**
   * Move the slots from index `from` on by `by` places (negative: left, dropping the `-by` before
   * `from`), growing the array as needed. The places [from, from + by) that a move right opens
   * are below the gap then, so ids[from + k] writes them.
   */
  private shift(from: number, by: number): void {
    if (by === 0) return;
    this.moveGap(from);
    if (by > this.gapLen) this.grow(by);
    this.gapAt += by;
    this.gapLen -= by;
    this.n += by;
  }

  /** Put the gap before index `to` (0 <= to <= n): only the slots between the two places move. */
  private moveGap(to: number): void {
    const g = this.gapAt;
    const len = this.gapLen;
    if (to < g) this.ids.copyWithin(to + len, to, g);
    else if (to > g) this.ids.copyWithin(g, g + len, to + len);
    this.gapAt = to;
  }

  /** A gap of at least `need` places (a larger array, the slots after the gap moved to its end). */
  private grow(need: number): void {
    const cap = Math.max(this.ids.length * 2, this.n + need);
    const grown = new Int32Array(cap);
    const after = this.n - this.gapAt;
    grown.set(this.ids.subarray(0, this.gapAt));
    grown.set(this.ids.subarray(this.gapAt + this.gapLen, this.gapAt + this.gapLen + after), cap - after);
    this.ids = grown;
    this.gapLen = cap - this.n;
  }

  private slotFor(e: Extent): number {
    e.listed = true;
    const s = this.freeSlots.pop();
    if (s === undefined) {
      this.pool.push(e);
      return this.pool.length - 1;
    }
    this.pool[s] = e;
    return s;
  }

  /**
   * Index of the extent containing addr, or -1 (a hole). Edits (splitAt(), a migration's moves)
   * come in runs of nearby addresses: the search starts from the previous edit's answer, with its
   * own cursor, so that a walk's findNear() in between does not move it.
   */
  find(addr: number): number {
    return this.search(addr, 1);
  }

  /** Where the last search of each kind ended: [0] findNear() (walks), [1] find() (edits), [2] lowerBound(). */
  private readonly hints = new Int32Array(3);

  /**
   * find(addr), galloping forward from the previous call's answer: folio-mode sampling looks up
   * one address per region, in address order, so the answer is usually a few extents on.
   */
  findNear(addr: number): number {
    return this.search(addr, 0);
  }

  /**
   * The extent containing addr, or -1, searched from hints[slot]: any hint gives the right answer
   * (the list is sorted), a near one gives it sooner.
   */
  private search(addr: number, slot: number): number {
    const n = this.n;
    if (n === 0) return -1;
    const hint = this.hints[slot];
    const h = hint < n ? hint : n - 1;
    // The last index whose extent starts at or below addr lies in [lo, hi) (or there is none).
    let lo: number;
    let hi: number;
    const eh = this.at(h);
    if (eh.start <= addr) {
      // Walks mostly ask for the same extent or the next one: answer those touching no other
      // (each extent read is a likely cache miss once memory is fragmented into ten thousands).
      if (addr < eh.end) return h;
      if (h + 1 < n) {
        const next = this.at(h + 1);
        if (next.start <= addr && addr < next.end) {
          this.hints[slot] = h + 1;
          return h + 1;
        }
      }
      lo = h;
      hi = h + 1;
      for (let step = 1; hi < n && this.at(hi).start <= addr; step *= 2) {
        lo = hi;
        hi = Math.min(n, lo + step * 2);
      }
    } else {
      if (this.at(0).start > addr) return -1;
      lo = 0;
      hi = h;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).start <= addr) lo = mid;
      else hi = mid;
    }
    this.hints[slot] = lo;
    return addr < this.at(lo).end ? lo : -1;
  }

  /** Index of the first extent whose end is above addr (the first that overlaps [addr, ...)). */
  lowerBound(addr: number): number {
    // From the previous answer (hints[2]): the layout patches ask in rising address order, and a
    // node's free-block searches near where the last one ended.
    const n = this.n;
    const h = this.hints[2];
    let i: number;
    if (h >= n || this.at(h).end > addr) i = h > 0 && h <= n && this.at(h - 1).end <= addr ? h : this.lowerBoundIn(addr, 0, Math.min(h, n));
    else i = this.lowerBoundFrom(addr, h + 1);
    this.hints[2] = i;
    return i;
  }

  /** lowerBound(addr) knowing the answer lies in [lo, hi]. */
  private lowerBoundIn(addr: number, lo: number, hi: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * lowerBound(addr), galloping forward from index `from`: for walks in address order that know
   * every extent before `from` ends at or below addr (checked: otherwise a plain lowerBound).
   */
  lowerBoundFrom(addr: number, from: number): number {
    const n = this.n;
    if (from <= 0 || from > n || this.at(from - 1).end > addr) return this.lowerBound(addr);
    // Every extent before lo ends at or below addr; hi is n or ends above it.
    let lo = from;
    let hi = from;
    for (let step = 1; hi < n && this.at(hi).end <= addr; step *= 2) {
      lo = hi + 1;
      hi = Math.min(n, hi + step);
    }
    return this.lowerBoundIn(addr, lo, hi);
  }

  /** Make `addr` an extent boundary (if it falls inside one). Returns the index of the extent starting at addr, or where it would be. */
  splitAt(addr: number): number {
    const i = this.find(addr);
    if (i < 0) return this.lowerBound(addr);
    const e = this.at(i);
    if (e.start === addr) return i;
    const right = this.sliceOf(e, addr, e.end);
    e.end = addr;
    this.insert(i + 1, right);
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
    const i = Math.max(0, from - 1);
    const end = Math.min(this.n - 1, to);
    if (i >= end) return;
    // With the gap after the last index the walk may touch, indices are places in ids.
    this.moveGap(end + 1);
    const ids = this.ids;
    const pool = this.pool;
    let w = i;
    for (let k = i + 1; k <= end; k++) {
      const left = pool[ids[w]];
      const right = pool[ids[k]];
      if ((!touched || touched.has(left) || touched.has(right)) && left.continuedBy(right)) {
        left.end = right.end;
        touched?.add(left);
        this.died(right);
        this.freeSlots.push(ids[k]);
      } else ids[++w] = ids[k];
    }
    if (end > w) this.shift(end + 1, w - end);
  }

  /**
   * Make [start, end) hold exactly `pieces` (sorted, covering it without gaps, new objects), cutting
   * extents that straddle its edges, and join what continues each other across the edges and
   * between pieces: isolate(), writing the range, then coalesce(), in a single splice.
   */
  replaceRange(start: number, end: number, pieces: Extent[]): void {
    let i = this.lowerBound(start); // first extent ending above start
    let j = i;
    while (j < this.n && this.at(j).start < end) j++; // [i, j) overlap [start, end)
    const run: Extent[] = [];
    // The part of the last overlapping extent beyond end survives as a new right neighbour.
    const right = j > i && this.at(j - 1).end > end ? this.sliceOf(this.at(j - 1), end, this.at(j - 1).end) : undefined;
    if (i < j && this.at(i).start < start) {
      this.at(i).end = start; // the first overlapping extent keeps its part before start
      i++;
    }
    let lo = i;
    if (lo > 0 && this.at(lo - 1).end === start) {
      lo--;
      run.push(this.at(lo)); // the left neighbour, which the first piece may continue
    }
    const add = (e: Extent): void => {
      const last = run[run.length - 1];
      if (last && last.continuedBy(e)) last.end = e.end;
      else run.push(e);
    };
    for (const p of pieces) add(p);
    let hi = j;
    if (right) add(right);
    else if (hi < this.n) {
      const last = run[run.length - 1];
      if (last && last.continuedBy(this.at(hi))) {
        last.end = this.at(hi).end;
        hi++;
      }
    }
    this.splice(lo, hi - lo, run);
  }
}
