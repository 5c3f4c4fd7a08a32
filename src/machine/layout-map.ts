// SPDX-License-Identifier: GPL-2.0-only
/**
 * Piecewise-constant functions of the physical address derived from the extents (the young map's
 * access probability, the ground truth's hot bytes), kept current by patching the ranges the
 * machine logged as changed instead of walking every extent again: long runs fragment memory into
 * ~10^4 extents, and migrations change a few hundred of them at a time.
 *
 * Patching is exact: such a function's value at an address depends only on the extent holding it
 * (and inputs the caller checks, like rates or the workload phase), and SegmentList keeps the one
 * minimal list of segments of a function, so a patched list equals the list built from scratch.
 */
import { alignDown, alignUp } from '../lib/kint.js';
import type { Extent } from './extents.js';
import type { Machine } from './machine.js';

/**
 * The minimal segment list of a piecewise-constant function, built left to right: push(s, v)
 * makes the value v from s on (a push at the last segment's start replaces it), and neighbouring
 * segments never share a value. Any push order that describes the same function gives the same
 * arrays.
 */
export class SegmentList {
  readonly starts: number[] = [];
  readonly values: number[] = [];

  push(s: number, v: number): void {
    const { starts, values } = this;
    const n = starts.length;
    if (n > 0 && values[n - 1] === v) return;
    if (n > 0 && starts[n - 1] === s) {
      values[n - 1] = v;
      if (n > 1 && values[n - 2] === v) {
        starts.pop();
        values.pop();
      }
      return;
    }
    starts.push(s);
    values.push(v);
  }
}

/** Pushes a function's segments over [a, b) into out. */
export type SegmentEmitter = (a: number, b: number, out: SegmentList) => void;

/** A segment list as arrays: n segments, the last ending at `end`. */
export interface Segments {
  readonly starts: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly n: number;
  readonly end: number;
}

/**
 * `old` with the ranges the machine logged from `logPos` on recomputed by `emit` (widened to
 * `align`, merged, clipped to old's span); null when the log no longer reaches back that far.
 */
export function patchSegments(machine: Machine, logPos: number, align: number, old: Segments, emit: SegmentEmitter): SegmentList | null {
  if (!machine.layoutLogHas(logPos)) return null;
  const count = machine.layoutLogEnd - logPos;
  const as = new Float64Array(count);
  const bs = new Float64Array(count);
  let c = 0;
  machine.layoutChangesSince(logPos, (a, b) => {
    as[c] = alignDown(a, align);
    bs[c] = alignUp(b, align);
    c++;
  });
  // Starts and ends sorted apart (typed sorts, no comparator): the runs the ranges join into are the
  // same. A run that began at as[k0] goes on past bs[k] exactly when as[k + 1] <= bs[k], since the
  // k + 1 smallest ends then belong to the ranges starting before as[k + 1] (a <= b for every range).
  as.sort();
  bs.sort();
  const { starts: os, values: ov, n, end } = old;
  const first = n > 0 ? os[0] : end;
  const out = new SegmentList();
  let si = 0;
  for (let k = 0; k < count; k++) {
    // The next run of overlapping or adjacent ranges.
    let a = as[k];
    while (k + 1 < count && as[k + 1] <= bs[k]) k++;
    let b = bs[k];
    a = Math.max(a, first);
    b = Math.min(b, end);
    if (b <= a) continue;
    while (si < n && os[si] < a) {
      out.push(os[si], ov[si]);
      si++;
    }
    emit(a, b, out);
    while (si < n && os[si] <= b) si++;
    if (b < end) out.push(b, ov[si - 1]);
  }
  for (; si < n; si++) out.push(os[si], ov[si]);
  return out;
}

/** Sets the function's value from s on (called in increasing s; see SegmentList.push()). */
export type SegmentPush = (s: number, v: number) => void;

/**
 * Push into out the segments over [a, b) of a function that `valueOf` describes extent by extent:
 * it pushes an extent's values in order from the extent's start, unclipped; the pieces are clipped
 * to [a, b) here (one starting before a starts at a, where a later piece replaces it; none starts
 * at or past b). Holes between extents, and before b past the last one, take the value `hole`.
 */
export function emitExtents(machine: Machine, a: number, b: number, out: SegmentList, hole: number, valueOf: (e: Extent, push: SegmentPush) => void): void {
  const push: SegmentPush = (s, v) => {
    if (s < b) out.push(s < a ? a : s, v);
  };
  const mem = machine.mem;
  let pos = a;
  for (let i = mem.lowerBound(a); i < mem.length; i++) {
    const e = mem.at(i);
    if (e.start >= b) break;
    if (e.start > pos) push(pos, hole);
    pos = e.end;
    valueOf(e, push);
  }
  if (pos < b) push(pos, hole);
}

/**
 * One such function kept current: built from every extent at first and whenever `key` (the
 * inputs besides the layout, such as rates or the workload phase) changes, patched where memory
 * moved when only the layout did. A new list object means the function may have changed.
 */
export class PatchedSegments {
  private list: Segments | null = null;
  private key = 0;
  private layout = -1;
  private logPos = 0;

  /**
   * `align`: how far patched ranges are widened (whole folios, for functions of a folio); `emit`
   * computes the function over a range.
   */
  constructor(
    private readonly machine: Machine,
    private readonly align: number,
    private readonly emit: SegmentEmitter,
  ) {}

  /** The segments for the current layout and `key`. */
  current(key: number): Segments {
    const m = this.machine;
    const old = this.list;
    if (old && key === this.key && m.layoutEpoch === this.layout) return old;
    const out = (old && key === this.key ? patchSegments(m, this.logPos, this.align, old, this.emit) : null) ?? this.build();
    this.list = { starts: out.starts, values: out.values, n: out.starts.length, end: extentSpan(m).end };
    this.key = key;
    this.layout = m.layoutEpoch;
    this.logPos = m.layoutLogEnd;
    return this.list;
  }

  /** The function over every extent. */
  private build(): SegmentList {
    const { start, end } = extentSpan(this.machine);
    const out = new SegmentList();
    if (end > start) this.emit(start, end, out);
    return out;
  }
}

/** The span the extents cover: [first extent's start, last extent's end) (holes between nodes included). */
export function extentSpan(machine: Machine): { start: number; end: number } {
  const mem = machine.mem;
  if (mem.length === 0) return { start: 0, end: 0 };
  return { start: mem.at(0).start, end: mem.at(mem.length - 1).end };
}
