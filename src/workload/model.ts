// SPDX-License-Identifier: GPL-2.0-only
/**
 * Workload model: processes with virtual memory areas, and per-page Poisson access rates that are
 * piecewise constant over virtual addresses and change in phases. Rates are evaluated lazily: the
 * machine's young model takes an owner's rate runs and finds a virtual range's in O(log segments).
 */
import type { AccessRates, RateRuns } from '../machine/young.js';

export interface Vma {
  /** Virtual start address (bytes, page aligned). */
  start: number;
  bytes: number;
  anon: boolean;
  mapped: boolean;
  thp: boolean;
  /** Node preference order for first-touch allocation (fallback when a node is full). */
  nodes: number[];
}

export interface Process {
  id: number;
  name: string;
  memcg: number;
  vmas: Vma[];
}

/** One phase: from `at` on, the piecewise-constant rates of each process's address space. */
export interface RatePhase {
  at: number; // ns
  /** Per process id: sorted, non-overlapping [start, end) virtual ranges with a rate (accesses/s per 4 KiB page); gaps have rate 0. */
  rates: Map<number, RateSegments>;
  /** Ground truth: the virtual ranges of the hot set, per process id. */
  hot: Map<number, Array<[number, number]>>;
}

/** Parallel arrays of segments, for binary search. */
export class RateSegments {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly rates: number[] = [];

  add(start: number, end: number, rate: number): this {
    if (end <= start) return this;
    const n = this.starts.length;
    if (n > 0 && start < this.ends[n - 1]) throw new Error('rate segments must be added in order');
    this.starts.push(start);
    this.ends.push(end);
    this.rates.push(rate);
    return this;
  }
}

export class Workload implements AccessRates {
  readonly processes: Process[];
  readonly phases: RatePhase[];
  readonly description: string;

  constructor(processes: Process[], phases: RatePhase[], description: string) {
    if (phases.length === 0 || phases[0].at !== 0) throw new Error('a workload needs a phase at time 0');
    this.processes = processes;
    this.phases = [...phases].sort((a, b) => a.at - b.at);
    this.description = description;
  }

  phaseIndex(nowNs: number): number {
    let i = 0;
    while (i + 1 < this.phases.length && this.phases[i + 1].at <= nowNs) i++;
    return i;
  }

  phase(nowNs: number): RatePhase {
    return this.phases[this.phaseIndex(nowNs)];
  }

  ratesEpoch(nowNs: number): number {
    return this.phaseIndex(nowNs);
  }

  rateRuns(owner: number, nowNs: number): RateRuns | undefined {
    return this.phase(nowNs).rates.get(owner);
  }
}
