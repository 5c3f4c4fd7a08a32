// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damon_feed_loop_next_input()`: the proportional feedback step shared by DAMOS quota goals
 * (CONSIST) and monitoring-interval auto-tuning (damos.md §4.6, damon-monitoring.md §7.2).
 * 64-bit unsigned arithmetic, truncating division, saturation at ULONG_MAX.
 */
import { ULONG_MAX, multFracU64 } from '../lib/kint.js';

const GOAL = 10000n;
const MIN_INPUT = 10000n;

/**
 * `multFrac`: B1's compensation mult_frac(last, diff, GOAL), which keeps the remainder term where
 * the older code, to avoid the overflow of last · diff, computes (last / GOAL) · diff (§4.6). The
 * two agree whenever last · diff fits in 64 bits.
 */
export function feedLoopNextInput(lastInput: bigint, score: bigint, multFrac = false): bigint {
  if (score === GOAL) return lastInput;
  if (score >= 2n * GOAL) return MIN_INPUT;
  const diff = score > GOAL ? score - GOAL : GOAL - score;
  const comp = lastInput < ULONG_MAX / diff ? (lastInput * diff) / GOAL : multFrac ? multFracU64(lastInput, diff, GOAL) : (lastInput / GOAL) * diff;
  if (score > GOAL) {
    const next = lastInput - comp;
    return next > MIN_INPUT ? next : MIN_INPUT;
  }
  return lastInput < ULONG_MAX - comp ? lastInput + comp : ULONG_MAX;
}
