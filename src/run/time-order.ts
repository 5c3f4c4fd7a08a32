// SPDX-License-Identifier: GPL-2.0-only
/**
 * Output lines in time order. The simulation steps one kdamond iteration at a time, and a step may
 * run past another kdamond's clock; the timeline and the trace are read in time order, so a line
 * waits until no kdamond can still produce an earlier one: none running is behind it, and none
 * stopped will be started before it (docs/timeline.md).
 */
export class TimeOrderedLines {
  private pending: Array<{ ns: number; line: string }> = [];
  private pendingMinNs = Infinity;
  /** The earliest time a later line can carry; unset (one kdamond): lines go out at once. */
  earliestClock: (() => number) | undefined = undefined;

  constructor(private readonly write: (line: string) => void) {}

  /** A line stamped `ns`. */
  add(ns: number, line: string): void {
    if (!this.earliestClock) {
      this.write(line);
      return;
    }
    this.pending.push({ ns, line });
    if (ns < this.pendingMinNs) this.pendingMinNs = ns;
    const upTo = this.earliestClock();
    if (this.pendingMinNs <= upTo) this.flush(upTo);
  }

  /** Write, in time order (stable: lines of one time keep their order), the lines stamped at or before `upToNs`. */
  flush(upToNs = Infinity): void {
    if (this.pending.length === 0) return;
    const ready = this.pending.filter((p) => p.ns <= upToNs);
    if (ready.length === 0) return;
    this.pending = this.pending.filter((p) => p.ns > upToNs);
    this.pendingMinNs = this.pending.reduce((m, p) => Math.min(m, p.ns), Infinity);
    ready.sort((a, b) => a.ns - b.ns);
    for (const p of ready) this.write(p.line);
  }
}
