// SPDX-License-Identifier: GPL-2.0-only
/**
 * The bench's account of a region explosion (B0's quota split before a rejecting core filter,
 * docs/findings.md §3): which simulated seconds held far more regions than max_nr_regions, what
 * they cost in wall time, and what the rest of the run went at. CONSIST's 10-minute preset run has
 * ~20 such seconds; TEMPORAL's has one.
 */

/** How far past max_nr_regions a second's regions must go to count as part of an explosion. */
export const BURST_FACTOR = 10;

export interface Burst {
  simSeconds: number;
  wallSeconds: number;
}

/**
 * The seconds s (secondWall[s]: the wall time of simulating [s, s + 1)) whose regions went past
 * BURST_FACTOR × maxNrRegions, held when the second began (regionsAtStart[s]: every sample of the
 * second walks them) or counted at an aggregation stamped within it.
 */
export function burstOf(secondWall: readonly number[], regionsAtStart: readonly number[], aggrs: ReadonlyArray<{ t: number; nr_regions: number }>, maxNrRegions: number): Burst {
  const peak = secondWall.map((_, s) => regionsAtStart[s] ?? 0);
  for (const a of aggrs) {
    const s = Math.min(secondWall.length - 1, Math.floor(a.t));
    if (s >= 0 && a.nr_regions > peak[s]) peak[s] = a.nr_regions;
  }
  const burst: Burst = { simSeconds: 0, wallSeconds: 0 };
  peak.forEach((n, s) => {
    if (n <= BURST_FACTOR * maxNrRegions) return;
    burst.simSeconds++;
    burst.wallSeconds += secondWall[s];
  });
  return burst;
}

/** The bench's line for a run of `simSeconds` that took `wallSeconds` and had `burst` in it. */
export function burstLine(label: string, simSeconds: number, wallSeconds: number, burst: Burst): string {
  const restSim = simSeconds - burst.simSeconds;
  const rest = restSim / (wallSeconds - burst.wallSeconds);
  return `${label}: ${burst.simSeconds} simulated s of that run held more than ${BURST_FACTOR}x max_nr_regions and took ${burst.wallSeconds.toFixed(2)} of its ${wallSeconds.toFixed(2)} wall s; the other ${restSim} s ran at ${rest.toFixed(0)} simulated s per wall s`;
}
