// SPDX-License-Identifier: GPL-2.0-only
/** Timeline records for the summary's tests, with the fields a case does not care about filled in. */
import type { GoalRecord } from '../../src/run/recorder.js';

/** A node_mem_used_bp goal evaluation of kdamond 0's scheme 0 at `t` s reading `current` (target 6000), overridden by `o`. */
export function goal(t: number, current: number, o: Partial<Omit<GoalRecord, 'type' | 't' | 'current_value'>> = {}): GoalRecord {
  return {
    type: 'goal',
    t,
    kdamond: 0,
    ctx: 0,
    scheme: 0,
    goal: 0,
    metric: 'node_mem_used_bp',
    nid: 0,
    target_value: 6000n,
    current_value: BigInt(current),
    esz: 1n << 30n,
    nr_tried: 0,
    sz_tried: 0,
    nr_applied: 0,
    sz_applied: 0,
    qt_exceeds: 0,
    ...o,
  };
}
