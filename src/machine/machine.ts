// SPDX-License-Identifier: GPL-2.0-only
/**
 * The simulated machine: NUMA nodes laid out one after another in one physical address space (as
 * firmware does), physical memory as extents, first-touch allocation with fallback, migration
 * (which fails when the target node has no free memory), and the meminfo the kernel's goal metrics
 * read. Memory is extents and runs, never one object per 4 KiB page.
 */
import { doubleZeros } from '../lib/v8-fields.js';
import { HPAGE_PMD_SIZE, PAGE_SIZE, alignDown, alignUp } from '../lib/kint.js';
import { DEFAULT_COSTS, type CostModel } from './cost.js';
import { ExtKind, Extent, ExtentList } from './extents.js';
import { ReturnTracker } from './returns.js';
import { EvictedStore } from './swap.js';

export type MemKind = 'dram' | 'cxl';

export interface NodeSpec {
  capacity: number; // bytes, multiple of 2 MiB
  kind: MemKind;
  /** Idle load latency in ns (reported; DAMON itself does not see it). */
  latencyNs: number;
  /** Bytes of non-LRU kernel memory allocated at boot at the start of the node. */
  reserved: number;
  /** Free memory the allocator keeps back (zone watermark): allocations never go below it. */
  watermark: number;
}

/** Physical [start, end) of each node: node 0 at base, the next after a hole, in nid order. */
export function nodeRanges(spec: Pick<MachineSpec, 'nodes' | 'base' | 'holeBetweenNodes'>): Array<{ start: number; end: number }> {
  let addr = spec.base;
  return spec.nodes.map((n, nid) => {
    if (nid > 0) addr += spec.holeBetweenNodes;
    const r = { start: addr, end: addr + n.capacity };
    addr += n.capacity;
    return r;
  });
}

/**
 * The biggest node's range, the first on ties: the "System RAM" block damo and the DAMON modules
 * monitor by default (damon-monitoring.md §3.4). null without nodes.
 */
export function biggestNodeRange(spec: Pick<MachineSpec, 'nodes' | 'base' | 'holeBetweenNodes'>): { start: number; end: number } | null {
  let best: { start: number; end: number } | null = null;
  for (const r of nodeRanges(spec)) if (best === null || r.end - r.start > best.end - best.start) best = r;
  return best;
}

export interface MachineSpec {
  nodes: NodeSpec[];
  /** Physical address of node 0's first byte. */
  base: number;
  /** Unpopulated physical address space between consecutive nodes. */
  holeBetweenNodes: number;
  costs?: Partial<CostModel>;
  /** Swap device capacity in bytes (0: no swap, anon memory cannot be paged out). */
  swap?: number;
  /** Stall of one refault (swap-in or page-cache read), µs. */
  swapInUs?: number;
}

export interface NodeInfo extends NodeSpec {
  nid: number;
  start: number;
  end: number;
}

/** Attributes of memory being allocated. */
export interface AllocRequest {
  owner: number;
  vstart: number;
  bytes: number;
  anon: boolean;
  mapped: boolean;
  memcg: number;
  /** Try 2 MiB folios where an aligned 2 MiB free block exists (THP), else 4 KiB. */
  thp: boolean;
  /** Node preference order; allocation falls back through it when a node is full. */
  nodes: readonly number[];
  now: number;
}

export interface MigrationResult {
  /** Bytes that moved to another frame. */
  migrated: number;
  /** Folios that moved. */
  folios: number;
  costNs: number;
}

/** NR_MAX_BATCHED_MIGRATION: migrate_pages() batches folios until they reach this many base pages. */
const MIGRATE_BATCH_PAGES = 512;

/** Layout-log ranges kept: a consumer further behind rebuilds from the extents. */
const LAYOUT_LOG_KEEP = 1 << 16;

/** Whether `order` is `target` followed by `fallback` without it. */
function isTryOrder(order: readonly number[], target: number, fallback: readonly number[]): boolean {
  if (order[0] !== target) return false;
  let k = 1;
  for (const f of fallback) if (f !== target && order[k++] !== f) return false;
  return k === order.length;
}

export class Machine {
  readonly nodes: NodeInfo[];
  readonly mem = new ExtentList();
  readonly costs: CostModel;
  /** Bumped whenever the placement of memory changes (allocation, migration, free, LRU moves). */
  layoutEpoch = 0;
  /** Per target node, the last node order migrateRange() tried (tryOrder()). */
  private readonly tryOrders = new Map<number, readonly number[]>();
  private readonly others = new Map<number, readonly number[]>();
  /**
   * The physical ranges placement changes touched, in order: consumers that derive something from
   * the extents (the young map) patch those ranges instead of walking every extent again, which
   * long runs fragment into ~10^4. A ring of the last LAYOUT_LOG_KEEP ranges: position p (of
   * logEnd ever logged) sits at slot p % LAYOUT_LOG_KEEP while p >= logEnd - LAYOUT_LOG_KEEP.
   * Typed, so logging a range allocates nothing (a long run logs ~300 per simulated second).
   */
  private readonly logStarts = new Float64Array(LAYOUT_LOG_KEEP);
  private readonly logEnds = new Float64Array(LAYOUT_LOG_KEEP);
  private logEnd = 0;
  /** Log positions below this were handed out (layoutLogEnd): their ranges no longer change. */
  private logSealed = 0;
  /** Bytes migrated from node i to node j. */
  readonly migratedBytes: number[][];
  /** Of those, the bytes that went back to a node the same workload memory had been migrated away from (returns.ts). */
  readonly returns: ReturnTracker;
  /** Paged-out anon memory and dropped page cache. */
  readonly evicted: EvictedStore;
  /** Free bytes per node, kept current by every change of an extent to or from Free. */
  private readonly freeBytes: number[];
  /**
   * Per node and folio size (index 0: 4 KiB, 1: 2 MiB), an address below which no free extent
   * holds an aligned free folio of that size: free-frame searches start there instead of at the
   * node's start, which keeps them short however fragmented memory gets.
   */
  private readonly freeScanFrom: Array<[number, number]>;

  constructor(spec: MachineSpec) {
    // Costs not given (absent or undefined) keep their defaults: a spread would copy an undefined over one.
    const costs: CostModel = { ...DEFAULT_COSTS };
    for (const [k, v] of Object.entries(spec.costs ?? {}) as Array<[keyof CostModel, number | undefined]>) if (v !== undefined) costs[k] = v;
    this.costs = costs;
    this.nodes = [];
    nodeRanges(spec).forEach(({ start, end }, nid) => {
      this.nodes.push({ ...spec.nodes[nid], nid, start, end });
      this.mem.push(new Extent(start, end, nid, ExtKind.Free));
    });
    this.migratedBytes = this.nodes.map(() => doubleZeros(this.nodes.length));
    this.returns = new ReturnTracker(this.nodes.length);
    this.evicted = new EvictedStore(spec.swap ?? 0);
    this.freeBytes = this.nodes.map((n) => n.capacity);
    this.freeScanFrom = this.nodes.map((n) => [n.start, n.start]);
    for (const n of this.nodes) {
      if (n.reserved > 0) {
        const [i, j] = this.mem.isolate(n.start, n.start + n.reserved);
        for (let k = i; k < j; k++) this.mem.at(k).kind = ExtKind.NonLru;
        this.freeBytes[n.nid] -= n.reserved;
      }
    }
  }

  /**
   * The log position after the last range logged so far (see layoutChangesSince()). Whoever reads
   * it may patch up to it later: the ranges before it are final from now on (touched()).
   */
  get layoutLogEnd(): number {
    this.logSealed = this.logEnd;
    return this.logEnd;
  }

  /** Whether `pos` is a position this log handed out whose ranges from there on are all still kept. */
  layoutLogHas(pos: number): boolean {
    return pos >= this.logEnd - LAYOUT_LOG_KEEP && pos <= this.logEnd;
  }

  /**
   * Visit the ranges logged from position `pos` on (in logging order, possibly overlapping);
   * false, visiting nothing, when they are no longer kept (or `pos` is past the end).
   */
  layoutChangesSince(pos: number, visit: (start: number, end: number) => void): boolean {
    if (!this.layoutLogHas(pos)) return false;
    for (let p = pos; p < this.logEnd; p++) visit(this.logStarts[p % LAYOUT_LOG_KEEP], this.logEnds[p % LAYOUT_LOG_KEEP]);
    return true;
  }

  /** [start, end) may have changed placement (kind, owner, mapping, folio size, node). */
  private touched(start: number, end: number): void {
    // A migration's moves fill a free run piece by piece: a range that meets the last one, which
    // no reader has seen yet, widens it. Patching joins touching ranges anyway (layout-map.ts), so
    // only the log gets shorter (~1,000 ranges a patch in a fragmented hour-long run).
    if (this.logEnd > this.logSealed) {
      const last = (this.logEnd - 1) % LAYOUT_LOG_KEEP;
      if (start <= this.logEnds[last] && end >= this.logStarts[last]) {
        if (start < this.logStarts[last]) this.logStarts[last] = start;
        if (end > this.logEnds[last]) this.logEnds[last] = end;
        return;
      }
    }
    const i = this.logEnd % LAYOUT_LOG_KEEP;
    this.logStarts[i] = start;
    this.logEnds[i] = end;
    this.logEnd++;
  }

  /** [start, end) on node nid became free frames: count them and let searches see them. */
  private freed(nid: number, start: number, end: number): void {
    this.freeBytes[nid] += end - start;
    const h = this.freeScanFrom[nid];
    // The free extent holding `start` (after coalescing) ends above it, so a scan from here finds it.
    if (start < h[0]) h[0] = start;
    if (start < h[1]) h[1] = start;
  }

  get totalBytes(): number {
    return this.nodes.reduce((s, n) => s + n.capacity, 0);
  }

  nodeFree(nid: number): number {
    return this.freeBytes[nid];
  }

  /** nodeFree() recounted from the extents: the cross-check for the running counters. */
  nodeFreeScan(nid: number): number {
    const n = this.nodes[nid];
    let free = 0;
    const a = this.mem;
    for (let i = a.lowerBound(n.start); i < a.length && a.at(i).start < n.end; i++) {
      const e = a.at(i);
      if (e.kind === ExtKind.Free) free += e.end - e.start;
    }
    return free;
  }

  /**
   * Allocate `req.bytes` for the virtual range [vstart, vstart + bytes) following the node
   * preference with fallback (first touch). Returns the bytes that could not be placed.
   */
  allocate(req: AllocRequest): number {
    let v = req.vstart;
    let left = req.bytes;
    for (const nid of req.nodes) {
      if (left <= 0) break;
      const placed = this.allocOnNode(nid, req, v, left);
      v += placed;
      left -= placed;
    }
    if (req.bytes !== left) this.layoutEpoch++;
    return left;
  }

  /** Free bytes on a node that the allocator may hand out (above the watermark). */
  private freeBudget(nid: number): number {
    return Math.max(0, this.nodeFree(nid) - this.nodes[nid].watermark);
  }

  /** The lowest free, `fsz`-aligned range on node nid, at most maxLen bytes long. */
  private findFree(nid: number, fsz: number, maxLen: number): { start: number; end: number } | null {
    const n = this.nodes[nid];
    const a = this.mem;
    const h = this.freeScanFrom[nid];
    const hi = fsz === HPAGE_PMD_SIZE ? 1 : 0;
    for (let i = a.lowerBound(Math.max(n.start, h[hi])); i < a.length && a.at(i).start < n.end; i++) {
      const e = a.at(i);
      if (e.kind !== ExtKind.Free) continue;
      const s = alignUp(e.start, fsz);
      const t = alignDown(e.end, fsz);
      if (t <= s) continue;
      // Nothing before e has an aligned free fsz block; e itself may keep one after this allocation.
      h[hi] = e.start;
      return { start: s, end: s + Math.min(t - s, maxLen) };
    }
    h[hi] = n.end;
    return null;
  }

  private allocOnNode(nid: number, req: AllocRequest, vstart: number, bytes: number): number {
    let placed = 0;
    let budget = alignDown(Math.min(bytes, this.freeBudget(nid)), PAGE_SIZE);
    // THPs map 2 MiB-aligned virtual ranges; what cannot get a free aligned 2 MiB block falls back
    // to base pages, as a page fault does. A share that starts inside a 2 MiB virtual range (the
    // rest of an area another node's share began) gets base pages up to the next boundary, then
    // THPs again.
    const head = req.thp ? (HPAGE_PMD_SIZE - (vstart % HPAGE_PMD_SIZE)) % HPAGE_PMD_SIZE : 0;
    // Objects, not [fsz, upTo] pairs: a pair holding Infinity is an array of doubles, and the
    // folio size read from it, stored below, would make V8 box the field in every extent.
    const phases: Array<{ fsz: number; upTo: number }> = req.thp
      ? [
          { fsz: PAGE_SIZE, upTo: head },
          { fsz: HPAGE_PMD_SIZE, upTo: Infinity },
          { fsz: PAGE_SIZE, upTo: Infinity },
        ]
      : [{ fsz: PAGE_SIZE, upTo: Infinity }];
    for (const { fsz, upTo } of phases) {
      while (budget >= fsz && placed < upTo) {
        const r = this.findFree(nid, fsz, alignDown(Math.min(budget, upTo - placed), fsz));
        if (!r) break;
        const v = vstart + placed;
        const [p, q] = this.mem.isolate(r.start, r.end);
        for (let k = p; k < q; k++) {
          const x = this.mem.at(k);
          x.kind = ExtKind.Lru;
          x.folioSize = fsz;
          x.owner = req.owner;
          x.vstart = v + (x.start - r.start);
          x.anon = req.anon;
          x.mapped = req.mapped;
          x.memcg = req.memcg;
          x.active = false;
          x.oldSince = req.now;
        }
        this.mem.coalesce(p, q);
        this.touched(r.start, r.end);
        this.freeBytes[nid] -= r.end - r.start;
        placed += r.end - r.start;
        budget -= r.end - r.start;
      }
    }
    return placed;
  }

  /** The nodes to try for a migration to `target`: it, then `fallback` (without it), memoised per target. */
  private tryOrder(target: number, fallback: readonly number[]): readonly number[] {
    // One array per target while its fallback list reads the same, instead of one per call: V8
    // compiles migrateRange() for the arrays it saw, and a freshly built one of another elements
    // kind sent it back to the interpreter (docs/architecture.md, "A fresh process against a warm one").
    let order = this.tryOrders.get(target);
    if (!order || !isTryOrder(order, target, fallback)) this.tryOrders.set(target, (order = Object.freeze([target, ...fallback.filter((f) => f !== target)])));
    return order;
  }

  /** The other nodes than `nid`, in node order: migrateRange()'s fallback list (the same array each call). */
  otherNodes(nid: number): readonly number[] {
    let others = this.others.get(nid);
    // Frozen: every caller shares it, so a library user who changed it would change later migrations.
    if (!others) this.others.set(nid, (others = Object.freeze(this.nodes.map((n) => n.nid).filter((x) => x !== nid))));
    return others;
  }

  /**
   * Migrate the LRU folios in [start, end) (whole folios; the caller passes folio-aligned ranges)
   * to node `target`, as one folio list: migrateFolios([[start, end]], ...).
   */
  migrateRange(start: number, end: number, target: number, fallback: readonly number[] = [], nowNs = 0): MigrationResult {
    return this.migrateFolios([[start, end]], target, fallback, nowNs);
  }

  /**
   * damon_migrate_pages() for one region's accepted folios (`ranges`: ascending, folio-aligned,
   * every folio in them accepted). Each folio needs free memory on the target (no reclaim); when
   * there is none it stays where it is. `fallback` lists further nodes the allocator may use when
   * the target is full (kernels without __GFP_THISNODE).
   *
   * Which folios move when memory runs short follows the kernel's lists (damos.md §2.2 gives only
   * the visit order; the rest is read from paddr.c / ops-common.c and migrate.c): the list is cut
   * into runs of consecutive folios of one node, lowest run first, and migrate_pages() gets each
   * run highest address first. A base page that finds no memory ends its run (-ENOMEM); a 2 MiB
   * folio that finds no block is split and its base pages are tried once, highest first, right
   * after it (it closes its batch of 512 pages), a failure there ending only that retry.
   *
   * Where nothing can fail (only base pages, and the target has room for all) the order decides
   * nothing but where on the target each folio lands, which the simulated allocator decides anyway
   * (the lowest free block): those move in address order, piece by piece (moveAll()), which keeps
   * the extents of a run that fills one free block joined.
   *
   * `nowNs`, the simulated time, stamps the moves for the returned bytes (`returns`).
   */
  migrateFolios(ranges: ReadonlyArray<readonly [number, number]>, target: number, fallback: readonly number[] = [], nowNs = 0): MigrationResult {
    this.returns.begin(nowNs);
    const res = this.migrateFoliosAt(ranges, target, fallback);
    this.returns.flush();
    return res;
  }

  private migrateFoliosAt(ranges: ReadonlyArray<readonly [number, number]>, target: number, fallback: readonly number[]): MigrationResult {
    if (this.fitsOnTarget(ranges, target)) {
      const res: MigrationResult = { migrated: 0, folios: 0, costNs: 0 };
      for (const [a, b] of ranges) {
        const r = this.moveAll(a, b, target);
        res.migrated += r.migrated;
        res.folios += r.folios;
        res.costNs += r.costNs;
      }
      return res;
    }
    return this.migrateRuns(ranges, target, fallback);
  }

  /** Whether every folio of `ranges` off `target` is a base page and the target has room for them all. */
  private fitsOnTarget(ranges: ReadonlyArray<readonly [number, number]>, target: number): boolean {
    let bytes = 0;
    for (const [a, b] of ranges) {
      for (let i = this.mem.lowerBound(a); i < this.mem.length; i++) {
        const e = this.mem.at(i);
        if (e.start >= b) break;
        if (e.kind !== ExtKind.Lru || e.node === target) continue;
        if (e.folioSize !== PAGE_SIZE) return false;
        bytes += Math.min(e.end, b) - Math.max(e.start, a);
      }
    }
    return bytes <= this.freeBudget(target);
  }

  /** migrateFolios() where memory may run short: node run by node run, each highest folio first. */
  private migrateRuns(ranges: ReadonlyArray<readonly [number, number]>, target: number, fallback: readonly number[]): MigrationResult {
    const res: MigrationResult = { migrated: 0, folios: 0, costNs: 0 };
    const cut: number[] = [];
    for (const [a, b] of ranges) {
      for (const [at, edge] of [
        [a, a],
        [b - 1, b],
      ]) {
        const e = this.lruExtentAt(at);
        if (e && edge % e.folioSize !== 0) throw new RangeError(`migration: [${a}, ${b}) cuts the ${e.folioSize / 1024} KiB folio at ${alignDown(at, e.folioSize)}; pass whole folios`);
      }
      // A 2 MiB folio in several extents (state set on part of it, which paddr never does: it
      // acts on whole folios) moves as base pages, as the old address-order path split it.
      for (let i = this.mem.lowerBound(a); i < this.mem.length && this.mem.at(i).start < b; i++) {
        const e = this.mem.at(i);
        if (e.kind !== ExtKind.Lru || e.folioSize === PAGE_SIZE) continue;
        if (e.start % e.folioSize !== 0) cut.push(alignDown(e.start, e.folioSize), alignUp(e.start, e.folioSize));
        if (e.end % e.folioSize !== 0) cut.push(alignDown(e.end, e.folioSize), alignUp(e.end, e.folioSize));
      }
    }
    for (let i = 0; i < cut.length; i += 2) this.setFolioSize(cut[i], cut[i + 1], PAGE_SIZE);
    // The folio list as pieces [start, end, node, folio size], ascending: the moves below change
    // the extents, never the pieces not yet moved (they are in use; destinations are free frames).
    const pieces: number[] = [];
    for (const [a, b] of ranges) {
      for (let i = this.mem.lowerBound(a); i < this.mem.length; i++) {
        const e = this.mem.at(i);
        if (e.start >= b) break;
        if (e.kind === ExtKind.Lru) pieces.push(Math.max(e.start, a), Math.min(e.end, b), e.node, e.folioSize);
      }
    }
    const nodes = this.tryOrder(target, fallback);
    for (let r0 = 0; r0 < pieces.length; ) {
      const node = pieces[r0 + 2];
      let r1 = r0 + 4;
      while (r1 < pieces.length && pieces[r1 + 2] === node) r1 += 4;
      // A run on the target itself migrates nothing (damon_migrate_folio_list() puts it back).
      if (node !== target) this.migrateRunDown(pieces, r0, r1, nodes, res);
      r0 = r1;
    }
    this.mem.recycle();
    if (res.migrated > 0) this.layoutEpoch++;
    return res;
  }

  /**
   * The pieces [r0, r1) of one node run, highest folio first, until a base page finds no memory.
   * migrate_pages() hands them to migrate_pages_batch() a batch at a time (up to 512 pages, the
   * folio that reaches it included, so a 2 MiB folio ends its batch), which allocates every
   * destination before it frees any source: a fallback to the source node reuses the frames a
   * batch leaves only in later batches.
   */
  private migrateRunDown(pieces: readonly number[], r0: number, r1: number, nodes: readonly number[], res: MigrationResult): void {
    let batch = 0; // pages in the current batch
    for (let p = r1 - 4; p >= r0; p -= 4) {
      const lo = pieces[p];
      let top = pieces[p + 1];
      const folioSize = pieces[p + 3];
      while (top > lo) {
        if (folioSize !== HPAGE_PMD_SIZE) {
          const len = this.moveTop(Math.max(lo, top - (MIGRATE_BATCH_PAGES - batch) * PAGE_SIZE), top, PAGE_SIZE, nodes, res);
          if (len === 0) {
            this.endBatch(); // -ENOMEM: the batch's moves complete, the rest of the list is not tried
            return;
          }
          top -= len;
          batch += len / PAGE_SIZE;
          if (batch >= MIGRATE_BATCH_PAGES) {
            this.endBatch();
            batch = 0;
          }
          continue;
        }
        const moved = this.moveTop(top - HPAGE_PMD_SIZE, top, HPAGE_PMD_SIZE, nodes, res);
        this.endBatch();
        batch = 0;
        if (moved > 0) {
          top -= moved;
          continue;
        }
        // No 2 MiB block anywhere allowed: the folio is split and its pages are retried once,
        // as a batch of their own, after its batch.
        const thp = top - HPAGE_PMD_SIZE;
        this.setFolioSize(thp, top, PAGE_SIZE);
        for (let sub = top; sub > thp; ) {
          const len = this.moveTop(thp, sub, PAGE_SIZE, nodes, res);
          if (len === 0) break;
          sub -= len;
        }
        this.endBatch();
        top = thp;
      }
    }
    this.endBatch();
  }

  /** Source ranges [start, end, node] moved in the current batch: isolated, freed when it ends. */
  private readonly batchSources: number[] = [];

  /** The current batch's source frames become free (migrate_pages_batch()'s move phase). */
  private endBatch(): void {
    const b = this.batchSources;
    for (let i = 0; i < b.length; i += 3) {
      this.mem.replaceRange(b[i], b[i + 1], [this.mem.make(b[i], b[i + 1], b[i + 2], ExtKind.Free)]);
      this.freed(b[i + 2], b[i], b[i + 1]);
      this.touched(b[i], b[i + 1]);
    }
    b.length = 0;
  }

  /**
   * Move the highest folios of [lo, top) (one source extent's, of size `folioSize`) to the first
   * node of `nodes` with a free block for at least one: as many as that block holds. Their frames
   * stay taken until endBatch(). Returns the bytes moved (0: no node had room for one).
   */
  private moveTop(lo: number, top: number, folioSize: number, nodes: readonly number[], res: MigrationResult): number {
    for (const nid of nodes) {
      const budget = alignDown(Math.min(top - lo, this.freeBudget(nid)), folioSize);
      const dst = budget > 0 ? this.findFree(nid, folioSize, budget) : null;
      if (!dst) continue;
      const len = dst.end - dst.start;
      const from = top - len;
      const e = this.mem.at(this.mem.find(from));
      const d = this.mem.make(dst.start, dst.end, nid, e.kind);
      d.takeContent(e, e.vstart + (from - e.start));
      const srcNode = e.node;
      this.returns.moved(e.owner, d.vstart, len, srcNode, nid);
      // Isolated until its batch ends: neither an LRU folio nor a free frame.
      this.mem.replaceRange(from, top, [this.mem.make(from, top, srcNode, ExtKind.NonLru)]);
      this.batchSources.push(from, top, srcNode);
      this.touched(from, top);
      this.mem.replaceRange(dst.start, dst.end, [d]);
      this.touched(dst.start, dst.end);
      this.freeBytes[nid] -= len;
      this.counted(res, len, folioSize, srcNode, nid);
      return len;
    }
    return 0;
  }

  /** `len` bytes of `folioSize` folios moved from srcNode to dstNode: into the call's result, its cost and the node-pair totals. */
  private counted(res: MigrationResult, len: number, folioSize: number, srcNode: number, dstNode: number): void {
    const nf = len / folioSize;
    res.folios += nf;
    res.migrated += len;
    res.costNs += folioSize === HPAGE_PMD_SIZE ? nf * this.costs.migrateNsPer2m : nf * this.costs.migrateNsPer4k;
    this.migratedBytes[srcNode][dstNode] += len;
  }

  /**
   * Move every LRU folio of [start, end) off `target` to it, in address order: migrateFolios()
   * where nothing can fail. The moves are batched on both sides (SourceMoves, DestinationFills).
   */
  private moveAll(start: number, end: number, target: number): MigrationResult {
    const res: MigrationResult = { migrated: 0, folios: 0, costNs: 0 };
    this.touched(start, end);
    const [i0, j0] = this.mem.isolate(start, end);
    // Plain snapshots: the moves below re-split and re-join the extent list. Four numbers per
    // piece in one array, not an object each: a fragmented machine migrates thousands of pieces per
    // simulated second, and each object (with its addresses boxed) was garbage to collect.
    const pieces: number[] = [];
    for (let k = i0; k < j0; k++) {
      const e = this.mem.at(k);
      if (e.kind === ExtKind.Lru && e.node !== target) pieces.push(e.start, e.end, e.node, e.folioSize);
    }
    // isolate() cut the extents at start and end for the snapshot: join what continues across the
    // cuts again, or a free run cut there would hand out shorter blocks than the same free memory
    // uncut (and hide a 2 MiB block spanning a cut from THP allocation).
    this.joinAcross(start);
    this.joinAcross(end);
    // Source extents are freed in place and joined with their free neighbours once at the end:
    // joining them one by one would splice the extent list twice per moved piece.
    const freedHere = new Set<Extent>();
    const fills = new DestinationFills(this.mem);
    for (let p = 0; p < pieces.length; p += 4) {
      const srcEnd = pieces[p + 1];
      const srcNode = pieces[p + 2];
      let off = pieces[p];
      const moves = new SourceMoves(this.mem, off, freedHere);
      while (off < srcEnd) {
        const dst = this.findFree(target, PAGE_SIZE, alignDown(Math.min(srcEnd - off, this.freeBudget(target)), PAGE_SIZE));
        if (!dst) throw new Error(`migration: node ${target} has no free page for [${off}, ${srcEnd}) though it had room for the list`);
        const len = dst.end - dst.start;
        this.moveContent(moves.take(len), off, dst.start, len, target, fills);
        this.counted(res, len, PAGE_SIZE, srcNode, target);
        off += len;
      }
      moves.flush();
    }
    fills.flush();
    if (freedHere.size > 0) this.joinFreed(start, end, freedHere);
    // Nothing of this call holds an extent now (and callers hold none across a migration).
    this.mem.recycle();
    if (res.migrated > 0) this.layoutEpoch++;
    return res;
  }

  /** Join the extents on either side of addr if the right one continues the left one. */
  private joinAcross(addr: number): void {
    const k = this.mem.find(addr);
    if (k > 0 && this.mem.at(k).start === addr) this.mem.coalesce(k, k);
  }

  /**
   * Join the extents freed in place within [start, end) (`freed`, emptied here) with the free
   * extents they continue, as replacing each by a free extent would have.
   */
  private joinFreed(start: number, end: number, freed: Set<Extent>): void {
    this.mem.coalesce(this.mem.lowerBound(start), this.mem.lowerBound(end), freed);
    freed.clear();
  }

  private setFolioSize(start: number, end: number, fsz: number): void {
    const [i, j] = this.mem.isolate(start, end);
    for (let k = i; k < j; k++) this.mem.at(k).folioSize = fsz;
    this.mem.coalesce(i, j);
    this.touched(start, end);
    // Folio sizes shape the young map (a 2 MiB folio's rate sums its pages) and folio walks, even
    // when the migration that split the folio then moves nothing.
    this.layoutEpoch++;
  }

  /**
   * Move the content of [from, from + len) of extent `e` (whose source frames SourceMoves frees
   * later) to the free frames [to, to + len) on node `node` (placed through `fills`).
   */
  private moveContent(e: Extent, from: number, to: number, len: number, node: number, fills: DestinationFills): void {
    const d = this.mem.make(to, to + len, node, e.kind);
    d.takeContent(e, e.vstart + (from - e.start));
    this.returns.moved(e.owner, d.vstart, len, e.node, node);
    this.touched(to, to + len);
    this.freed(e.node, from, from + len);
    fills.place(d);
    this.freeBytes[node] -= len;
  }

  /**
   * Reclaim the LRU folios in [start, end) (whole folios), folio by folio in address order: anon
   * memory goes to the swap device while it has room for the folio (the rest stays, activated),
   * page cache is dropped. Returns the bytes reclaimed.
   */
  evict(start: number, end: number): number {
    this.touched(start, end);
    const [i, end0] = this.mem.isolate(start, end);
    let j = end0;
    let done = 0;
    let activated = false;
    for (let k = i; k < j; k++) {
      const e = this.mem.at(k);
      if (e.kind !== ExtKind.Lru) continue;
      let len = e.end - e.start;
      if (e.anon && this.evicted.swapFree() < len) {
        // The folios that still fit go out; the rest of the run stays (swap is full for them). A
        // THP needs room for all of it (the kernel would split it and swap what fits: not modelled).
        // What stays is activated: shrink_folio_list() sends a folio add_to_swap() fails for to
        // activate_locked, and reclaim_pages() had cleared its active flag (mm/vmscan.c).
        const fit = Math.floor(this.evicted.swapFree() / e.folioSize) * e.folioSize;
        activated = true;
        if (fit === 0) {
          e.active = true;
          continue;
        }
        this.mem.splitAt(e.start + fit);
        j++;
        this.mem.at(k + 1).active = true;
        len = fit;
      }
      this.evicted.add({ owner: e.owner, vstart: e.vstart, vend: e.vstart + len, anon: e.anon, mapped: e.mapped, memcg: e.memcg });
      this.returns.forget(e.owner, e.vstart, len);
      e.makeFree();
      this.freed(e.node, e.start, e.end);
      done += len;
    }
    this.mem.coalesce(i, j);
    if (done > 0 || activated) this.layoutEpoch++;
    return done;
  }

  /** Take the LRU folios in [start, end) off the LRU for good (isolated and never put back). */
  isolateForever(start: number, end: number): void {
    this.touched(start, end);
    const [i, j] = this.mem.isolate(start, end);
    for (let k = i; k < j; k++) {
      const e = this.mem.at(k);
      if (e.kind === ExtKind.Lru) e.kind = ExtKind.NonLru;
    }
    this.mem.coalesce(i, j);
    this.layoutEpoch++;
  }

  /** folio_activate / folio_deactivate over [start, end) (whole folios). Returns LRU bytes touched. */
  setActive(start: number, end: number, active: boolean): number {
    const [i, j] = this.mem.isolate(start, end);
    let done = 0;
    for (let k = i; k < j; k++) {
      const e = this.mem.at(k);
      if (e.kind !== ExtKind.Lru) continue;
      e.active = active;
      done += e.end - e.start;
    }
    this.mem.coalesce(i, j);
    return done;
  }

  /** Mark [start, end) as checked for youngness at `now` (the check clears the accessed state). */
  markOld(start: number, end: number, now: number): void {
    const [i, j] = this.mem.isolate(start, end);
    for (let k = i; k < j; k++) this.mem.at(k).oldSince = now;
    this.mem.coalesce(i, j);
  }

  /** The LRU extent piece holding addr, or null (hole, free or non-LRU): damon_get_folio(). */
  lruExtentAt(addr: number): Extent | null {
    const i = this.mem.findNear(addr);
    if (i < 0) return null;
    const e = this.mem.at(i);
    return e.kind === ExtKind.Lru ? e : null;
  }

  /** Bytes of every node's memory per owner, for conservation checks. */
  allocatedBytes(): number {
    let s = 0;
    for (let i = 0; i < this.mem.length; i++) {
      const e = this.mem.at(i);
      if (e.kind === ExtKind.Lru) s += e.end - e.start;
    }
    return s;
  }
}

/**
 * The source side of a migration's moves out of one extent, left to right: the moved frames become
 * free, but the extent list learns it only at flush(), in one splice, rather than with a split per
 * move (migration into fragmented free memory makes thousands of small moves, and a splice moves
 * the list's whole tail). Nothing reads the source frames in between: the allocator only looks at
 * the target node, and the caller flushes before it looks at any other node or re-splits the
 * source. The freed extent goes into `freed` for joining, as the per-move split's pieces did.
 */
class SourceMoves {
  /** [from, to): moved, not yet freed in the list. */
  private from: number;
  private to: number;

  constructor(
    private readonly mem: ExtentList,
    at: number,
    private readonly freed: Set<Extent>,
  ) {
    this.from = at;
    this.to = at;
  }

  /** The extent holding the next `len` bytes to move (from the end of the last move on); records the move. */
  take(len: number): Extent {
    const e = this.extentAt(this.from);
    if (e.end < this.to + len) throw new Error(`migration: [${this.to}, ${this.to + len}) is not within one extent`);
    this.to += len;
    return e;
  }

  /** The extent starting at addr (cut there), index i if known: a source piece is never a hole. */
  private extentAt(addr: number, i = this.mem.splitAt(addr)): Extent {
    const e = i < this.mem.length ? this.mem.at(i) : undefined;
    if (!e || e.start !== addr) throw new Error(`migration: no extent starts at ${addr}`);
    return e;
  }

  /** Free the moved frames in the extent list: [from, to) becomes one free extent. */
  flush(): void {
    if (this.to === this.from) return;
    const i = this.mem.splitAt(this.from);
    const e = this.extentAt(this.from, i);
    if (e.end === this.to) {
      e.makeFree();
      this.freed.add(e);
    } else {
      const f = this.mem.make(this.from, this.to, e.node, ExtKind.Free);
      e.vstart += this.to - e.start;
      e.start = this.to;
      this.mem.insert(i, f);
      this.freed.add(f);
    }
    this.from = this.to;
  }
}

/**
 * The destination side of a migration's moves. The allocator hands out the lowest free block, so
 * consecutive moves (of different source pieces) mostly fill one free extent from its start, a
 * piece at a time; inserting each piece would splice the extent list once per move. Instead the
 * free extent's start advances in place (the list keeps a gap where the pieces go, which the
 * allocator and address lookups pass over like any hole) and flush() inserts the pieces in one
 * replaceRange, which joins them with each other and their left neighbour exactly as one call per
 * piece would. A move elsewhere, or one that fills the rest of the free extent, flushes first;
 * the caller flushes before anything else reads the list.
 */
class DestinationFills {
  private gapStart = 0;
  /** The free extent being filled (its start is the gap's end), or null. */
  private hole: Extent | null = null;
  private pieces: Extent[] = [];

  constructor(private readonly mem: ExtentList) {}

  /** Put d (new, over free frames) into the list, now or at the next flush. */
  place(d: Extent): void {
    const h = this.hole;
    if (h && h.start === d.start && h.end > d.end) {
      this.fill(h, d);
      return;
    }
    this.flush();
    const i = this.mem.find(d.start);
    const e = i >= 0 ? this.mem.at(i) : undefined;
    if (e && e.kind === ExtKind.Free && e.start === d.start && e.end > d.end) {
      this.gapStart = d.start;
      this.hole = e;
      this.fill(e, d);
      return;
    }
    this.mem.replaceRange(d.start, d.end, [d]);
  }

  /** What replaceRange's cut leaves of the free extent: the part after d, its offset carried along. */
  private fill(h: Extent, d: Extent): void {
    this.pieces.push(d);
    h.vstart += d.end - h.start;
    h.start = d.end;
  }

  flush(): void {
    const h = this.hole;
    if (!h) return;
    this.hole = null;
    const pieces = this.pieces;
    this.pieces = [];
    this.mem.replaceRange(this.gapStart, h.start, pieces);
  }
}

