// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { closest } from '../src/lib/spelling.js';

describe('closest', () => {
  const keys = ['sz_bytes', 'time_ms', 'reset_interval_ms', 'goals', 'goal_tuner', 'weights', 'hot_set', 'hot_share', 'seed', 'name'];

  it('names the key one or two edits away, an adjacent swap being one', () => {
    expect([closest('sz_byte', keys), closest('sz_bytse', keys), closest('reset_intreval_ms', keys), closest('goal_tunr', keys), closest('sed', keys)]).toEqual(['sz_bytes', 'sz_bytes', 'reset_interval_ms', 'goal_tuner', 'seed']);
  });

  it('takes case and "-" for "_" as the same key', () => {
    expect([closest('SZ_BYTES', keys), closest('time-ms', keys), closest('Hot-Set', keys)]).toEqual(['sz_bytes', 'time_ms', 'hot_set']);
  });

  it('names none where two are as near, or none is near enough for the word\'s length', () => {
    // "hot_sha" is two from hot_set and two from hot_share.
    expect(closest('hot_sha', keys)).toBeUndefined();
    // Three letters allow one edit: "nme" is name, "abc" nothing.
    expect([closest('nme', keys), closest('abc', keys), closest('xy', ['x', 'y'])]).toEqual(['name', undefined, undefined]);
    expect(closest('completely_different', keys)).toBeUndefined();
    expect(closest('anything', [])).toBeUndefined();
  });
});
