// SPDX-License-Identifier: GPL-2.0-only
/**
 * lib/v8-fields.ts: objects whose numbers grow past 2^31 mid-run start in the layout they end in,
 * so V8 does not change their shape (and throw away the code compiled for it) minutes into a run.
 * The layout is checked in a child process with V8's natives syntax, on the build (`npm test`
 * builds first): two objects keep one map after one of them takes values past 2^31.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { doubleZeros, startAsDoubles } from '../src/lib/v8-fields.js';

const dist = (p: string): string => pathToFileURL(join(__dirname, '..', 'dist', p)).href;

/** Run an ES module with %-natives enabled; its stdout. */
function natives(code: string): string {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('v8-fields', () => {
  it('leaves the values as they were', () => {
    const o = { a: 0, b: 7, c: -3.5, d: 2 ** 40 };
    expect(startAsDoubles(o, 'a', 'b', 'c', 'd')).toBe(o);
    expect(o).toEqual({ a: 0, b: 7, c: -3.5, d: 2 ** 40 });
    expect(Object.is(o.a, 0)).toBe(true);
    const z = doubleZeros(3);
    expect(z).toEqual([0, 0, 0]);
    expect(z.every((x) => Object.is(x, 0))).toBe(true);
  });

  it('keeps one shape for extents, quotas and scheme stats as their numbers pass 2^31, and the migration counters double from the start', () => {
    const out = natives(`
      const { Extent } = await import(${JSON.stringify(dist('machine/extents.js'))});
      const { DamosQuota, newStat } = await import(${JSON.stringify(dist('damos/scheme.js'))});
      const { doubleZeros } = await import(${JSON.stringify(dist('lib/v8-fields.js'))});
      const { Machine } = await import(${JSON.stringify(dist('machine/machine.js'))});
      const machine = new Machine({ base: 0, holeBetweenNodes: 0, nodes: [0, 1].map(() => ({ capacity: 2 ** 30, kind: 'dram', latencyNs: 100, reserved: 0, watermark: 0 })) });
      const big = 2 ** 40;
      const e = [new Extent(0, 4096, 0, 1), new Extent(0, 4096, 0, 1)];
      Object.assign(e[1], { start: big, end: big + 4096, vstart: big, oldSince: big, folioSize: 2 ** 21 });
      const q = [new DamosQuota(), new DamosQuota()];
      Object.assign(q[1], { eszNum: big, totalChargedSz: big, totalChargedNs: big, chargedSz: big, chargedFrom: big, chargeAddrFrom: big });
      const s = [newStat(), newStat()];
      Object.assign(s[1], { szTried: big, szApplied: big, szOpsFilterPassed: big });
      // Asked before anything is stored: storing a double would turn any array into a double one.
      const a = [doubleZeros(2), machine.migratedBytes[0], machine.migratedBytes[1]];
      // A plain object for contrast: its field starts as a small integer and changes shape.
      const p = [{ x: 0 }, { x: 0 }];
      p[1].x = big;
      console.log(JSON.stringify([%HaveSameMap(e[0], e[1]), %HaveSameMap(q[0], q[1]), %HaveSameMap(s[0], s[1]), ...a.map((x) => %HasDoubleElements(x)), %HasDoubleElements([0, 0]), %HaveSameMap(p[0], p[1])]));
    `);
    expect(JSON.parse(out)).toEqual([true, true, true, true, true, true, false, false]);
  });

  it("keeps a target's region list one kind of array after a piece run's merge as after a split", () => {
    const out = natives(`
      const { DamonRegion, DamonTarget, PieceRun } = await import(${JSON.stringify(dist('damon/region.js'))});
      const { kdamondMergeRegions } = await import(${JSON.stringify(dist('damon/merge.js'))});
      const { splitRegionsOf } = await import(${JSON.stringify(dist('damon/split.js'))});
      const { defaultAttrs } = await import(${JSON.stringify(dist('damon/attrs.js'))});
      const { Prng } = await import(${JSON.stringify(dist('lib/prng.js'))});
      const t = new DamonTarget();
      t.regions = [new DamonRegion(0, 2 ** 24)];
      splitRegionsOf(t, 3, 4096, new Prng(1));
      const split = t.rawRegions;
      const c = new DamonRegion(0, 4096);
      c.run = new PieceRun(100, 4096, c);
      c.run.nrAccesses = Uint32Array.from({ length: 100 }, (_, i) => (i * 7) % 20);
      t.setRawRegions([c], 100);
      kdamondMergeRegions([t], defaultAttrs(), 1, 2 ** 30, { ageResetOnZeroTransition: true });
      console.log(JSON.stringify([split.length > 1, t.nrRegions > 1, t.nrRegions < 101, %HaveSameMap(split, t.rawRegions), %HaveSameMap(split, [c])]));
    `);
    // The last: a packed list (an array literal) is another map, which the merge must not leave.
    expect(JSON.parse(out)).toEqual([true, true, true, true, false]);
  });
});
