// SPDX-License-Identifier: GPL-2.0-only
/**
 * What the long-running commands (run, report damon) share with the terminal: a progress bar of
 * simulated seconds, and SIGINT / SIGTERM / SIGHUP stopping the run at its next simulated second.
 */
import { SingleBar } from 'cli-progress';
import type { Io } from './io.js';

/** A progress bar of simulated seconds on a terminal's stderr (a no-op elsewhere or when disabled). */
export function progressFor(io: Io, enabled: boolean, label: string) {
  if (!enabled || !io.isTTY || io.quiet) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} simulated s | eta {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update: (simNs: number, totalNs: number) => {
      if (!started) {
        bar.start(Math.round(totalNs / 1e9), 0);
        started = true;
      }
      bar.update(Math.round(simNs / 1e9));
    },
    stop: () => started && bar.stop(),
  };
}

/** The signals that stop a run cleanly (stopOnSignals()). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * SIGINT, SIGTERM and SIGHUP (a closed terminal) while runs go on: the run stops at its next
 * simulated second (runs give the event loop a turn every 50 ms of wall time, before each run and
 * after its plot), its outputs' temporary files and made directories are removed, the progress
 * bar gives the terminal its cursor back, and main() returns 128 + the signal's number, on which
 * the entry point ends the process by that signal. A second signal ends the process at once, as it would without this.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const handlers = STOP_SIGNALS.map((sig) => {
    const h = () => ac.abort(sig);
    process.once(sig, h);
    return [sig, h] as const;
  });
  return { signal: ac.signal, dispose: () => handlers.forEach(([sig, h]) => process.off(sig, h)) };
}
