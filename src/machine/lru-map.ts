// SPDX-License-Identifier: GPL-2.0-only
/**
 * Where the LRU folios are, as runs of the physical address space with running sums, so that the
 * bytes and folio lookups of a folio walk over any range cost two binary searches instead of a
 * visit to every extent in it (the node_eligible_mem_bp walk covers every eligible region at each
 * goal evaluation, and long runs fragment memory into ~10^4 extents). Kept current by patching the
 * ranges the machine logged as changed (machine/layout-map.ts).
 */
import { HPAGE_PMD_SIZE, PAGE_SIZE, alignDown } from '../lib/kint.js';
import { lastAtMostFrom } from '../lib/search.js';
import { ExtKind } from './extents.js';
import { PatchedSegments, emitExtents, type SegmentList, type Segments } from './layout-map.js';
import type { Machine } from './machine.js';

/** Run classes: no LRU folio (free, non-LRU, hole), LRU base pages, LRU 2 MiB folios. */
const NONE = 0;
const LRU_4K = 1;
const LRU_2M = 2;

/** What a folio walk over a range finds. */
export interface WalkCount {
  /** Bytes of LRU folios within the range (a folio's exact overlap). */
  bytes: number;
  /** Folio lookups: one per LRU folio overlapping the range, one per page elsewhere. */
  lookups: number;
}

export class LruMap {
  private readonly segs: PatchedSegments;
  private list: Segments | null = null;
  private starts = new Float64Array(0);
  private values = new Uint8Array(0);
  /** LRU bytes and lookups of the whole runs before run i. */
  private cumBytes = new Float64Array(1);
  private cumLookups = new Float64Array(1);
  private n = 0;
  private end = 0;

  constructor(private readonly machine: Machine) {
    this.segs = new PatchedSegments(machine, PAGE_SIZE, (a, b, out) => this.emit(a, b, out));
  }

  /**
   * The walk over [a, b) (page aligned) as damos_calc_eligible_bytes() makes it: an LRU folio
   * counts its exact overlap and one lookup (a 2 MiB folio cut by a range edge counts in both
   * ranges), anything else one lookup per page.
   */
  walk(a: number, b: number, out: WalkCount): void {
    this.refresh();
    out.bytes = 0;
    out.lookups = 0;
    if (b <= a) return;
    const first = this.n > 0 ? this.starts[0] : this.end;
    // Outside the extents: pages of nothing.
    if (a < first) {
      const to = Math.min(b, first);
      out.lookups += (to - a) / PAGE_SIZE;
      a = to;
    }
    if (b > this.end) {
      const from = Math.max(a, this.end);
      out.lookups += (b - from) / PAGE_SIZE;
      b = from;
    }
    if (b <= a) return;
    const i = this.runAt(a);
    const j = this.runAt(b - 1);
    if (i === j) {
      this.addPart(i, a, b, out);
      return;
    }
    this.addPart(i, a, this.runEnd(i), out);
    out.bytes += this.cumBytes[j] - this.cumBytes[i + 1];
    out.lookups += this.cumLookups[j] - this.cumLookups[i + 1];
    this.addPart(j, this.starts[j], b, out);
  }

  /** Whether any run holds 2 MiB LRU folios (current layout). */
  hasLargeFolios(): boolean {
    this.refresh();
    return this.large;
  }

  /** Whether a run of the current list holds 2 MiB LRU folios (refresh()). */
  private large = false;

  private runEnd(i: number): number {
    return i + 1 < this.n ? this.starts[i + 1] : this.end;
  }

  /** The run holding x (first <= x < end), searched from the last answer: walks come in address order. */
  private runAt(x: number): number {
    this.hint = lastAtMostFrom(this.starts, x, this.hint, this.n);
    return this.hint;
  }

  /** The run of the last runAt(). */
  private hint = 0;

  /** Add what the walk finds in [x, y) of run i. */
  private addPart(i: number, x: number, y: number, out: WalkCount): void {
    const v = this.values[i];
    if (v === NONE) {
      out.lookups += (y - x) / PAGE_SIZE;
      return;
    }
    out.bytes += y - x;
    out.lookups += v === LRU_4K ? (y - x) / PAGE_SIZE : (alignDown(y - 1, HPAGE_PMD_SIZE) + HPAGE_PMD_SIZE - alignDown(x, HPAGE_PMD_SIZE)) / HPAGE_PMD_SIZE;
  }

  private refresh(): void {
    const out = this.segs.current(0);
    if (out === this.list) return;
    this.list = out;
    const n = out.starts.length;
    this.starts = Float64Array.from(out.starts);
    this.values = Uint8Array.from(out.values);
    this.n = n;
    this.end = out.end;
    this.cumBytes = new Float64Array(n + 1);
    this.cumLookups = new Float64Array(n + 1);
    const part: WalkCount = { bytes: 0, lookups: 0 };
    this.large = this.values.includes(LRU_2M);
    for (let i = 0; i < n; i++) {
      part.bytes = 0;
      part.lookups = 0;
      this.addPart(i, this.starts[i], this.runEnd(i), part);
      this.cumBytes[i + 1] = this.cumBytes[i] + part.bytes;
      this.cumLookups[i + 1] = this.cumLookups[i] + part.lookups;
    }
  }

  /** Push the runs over [a, b) into out. */
  private emit(a: number, b: number, out: SegmentList): void {
    emitExtents(this.machine, a, b, out, NONE, (e, push) =>
      push(e.start, e.kind !== ExtKind.Lru ? NONE : e.folioSize === HPAGE_PMD_SIZE ? LRU_2M : LRU_4K),
    );
  }
}
