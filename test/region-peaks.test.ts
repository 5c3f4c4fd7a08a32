// SPDX-License-Identifier: GPL-2.0-only
/**
 * The run's region peaks and rejected quota splits (RunResult.regions, the summary record's
 * `regions`, and the CLI's note): what a kernel developer cannot read from any sysfs file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';
import { tiering6040 } from '../src/scenario/presets.js';
import { cli } from './helpers/cli.js';

function preset(seconds: number, patch: (doc: ReturnType<typeof tiering6040>) => void = () => {}) {
  const doc = tiering6040('temporal');
  doc.duration = seconds;
  patch(doc);
  const lines: string[] = [];
  const res = runScenario(scenarioFromDoc(doc).scenario, { write: (l) => lines.push(l) });
  return { res, summary: JSON.parse(lines[lines.length - 1]) as { type: string; regions: unknown } };
}

describe('region peaks and rejected quota splits', () => {
  it('b0: the peak of every aggregation (the aggr records at stride 1 hold the same), whatever the stride writes', () => {
    const every = preset(70);
    const peak = Math.max(...every.res.aggrs.map((a) => a.nr_regions));
    const at = every.res.aggrs.find((a) => a.nr_regions === peak)?.t;
    // B0's cascade at 67.4 s: far past max_nr_regions until the next merge.
    expect(every.res.regions).toEqual([
      {
        kdamond: 0,
        ctx: 0,
        peakNrRegions: 18281,
        peakT: 67.445318,
        maxNrRegions: 1000,
        rejectedQuotaSplits: every.res.regions[0].rejectedQuotaSplits,
        aggregation: expect.objectContaining({ aggrUs: 100000, aggrUsChanged: false, autoTuned: false, medianS: expect.closeTo(0.12, 2) as number }) as unknown,
      },
    ]);
    expect([peak, at]).toEqual([18281, 67.445318]);
    // Nearly every region past the limit was cut off by a split the filter then rejected.
    expect(every.res.regions[0].rejectedQuotaSplits).toBeGreaterThan(18281 - 1000);
    expect(every.summary).toMatchObject({ type: 'summary', regions: every.res.regions });
    const sparse = preset(70, (doc) => (doc.record = { aggr_stride: 9 }));
    expect(sparse.res.regions).toEqual(every.res.regions);
  });

  it('b1: the merge-back folds the pieces again (no peak past the limit), yet the rejected splits are counted', () => {
    const { res } = preset(70, (doc) => (doc.kernel = { ...doc.kernel, profile: 'b1' }));
    expect(res.regions[0].peakNrRegions).toBeLessThanOrEqual(1000);
    expect(res.regions[0].rejectedQuotaSplits).toBeGreaterThan(100);
  });

  it('an off and on (a fresh context) keeps the count of the context it replaced', () => {
    const whole = preset(70);
    const restarted = preset(100, (doc) => (doc.events = [{ at: 70, command: 'off' }, { at: 71, command: 'on' }]));
    const fresh = restarted.res.simulation.kdamonds[0].kdamond.ctx.rejectedQuotaSplits;
    // The first context's count up to the off, which the 70 s run ends at too, plus the new one's.
    expect(restarted.res.regions[0].rejectedQuotaSplits).toBe(whole.res.regions[0].rejectedQuotaSplits + fresh);
  });

  it('damon-sim run notes a peak past twice max_nr_regions, with its cause, and only then', async () => {
    const b0 = await cli(['run', '--preset', 'tiering-6040', '--duration', '70s', '--no-progress']);
    expect(b0.code, b0.err).toBe(0);
    expect(b0.err).toMatch(/^damon-sim: note: kdamond 0: regions peaked at 18281 at 67\.4 s, 18× max_nr_regions 1000, which bounds only what each merge leaves .*; \d+ times in the run a scheme's quota split cut off a part that a core filter then rejected/m);
    const b1 = await cli(['run', '--preset', 'tiering-6040', '--duration', '70s', '--profile', 'b1', '--no-progress']);
    expect(b1.code, b1.err).toBe(0);
    expect(b1.err).not.toContain('regions peaked');
    // Each run of a comparison gets its own, named.
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-peaks-'));
    const both = await cli(['run', '--preset', 'tiering-6040', '--duration', '95s', '--compare-tuners', '--out-dir', dir, '--no-progress']);
    // report summary says it again from the timelines (an operator review: saved runs did not), by run.
    const again = await cli(['report', 'summary', join(dir, 'tiering-6040-temporal.ndjson'), join(dir, 'tiering-6040-consist.ndjson')]);
    rmSync(dir, { recursive: true, force: true });
    expect(both.code, both.err).toBe(0);
    const notes = both.err.split('\n').filter((l) => l.includes('regions peaked'));
    expect(notes.map((l) => /^damon-sim: note: (\S+ seed 42), kdamond 0: regions peaked at (\d+) at [\d.]+ s, (\S+)× /.exec(l)?.slice(1))).toEqual([
      ['tiering-6040-temporal seed 42', '18281', '18'],
      ['tiering-6040-consist seed 42', '1566546', '1567'],
    ]);
    expect(again.code, again.err).toBe(0);
    expect(again.err.split('\n').filter((l) => l.includes('regions peaked')).map((l) => l.replace(/^(damon-sim: note: )\S+( seed 42)?, /, '$1'))).toEqual(
      notes.map((l) => l.replace(/^(damon-sim: note: )\S+ seed 42, /, '$1')),
    );
  });

  it("damon-sim run notes a kdamond whose own work stretched its aggregation intervals past twice aggr_us, and only then", async () => {
    // The patch author's 5 GiB quota per second: migrating it is charged to the kdamond's clock.
    const author = await cli(['run', join(import.meta.dirname, '..', 'examples', 'tiering-6040-author.yaml'), '--duration', '30s', '--no-progress']);
    expect(author.code, author.err).toBe(0);
    const note = /^damon-sim: note: kdamond 0: aggregation intervals lasted ([\d.]+) s of simulated time on average \(median ([\d.]+) s\) against aggr_us 100 ms: .* so it aggregates and applies schemes ([\d.]+)× less often than configured/m.exec(author.err);
    // The median of an even count is the mean of the middle two (lib/stats.ts); "less often" is the
    // mean's ratio: the count of aggregations the run had against the count configured.
    // Over the aggregations within the run's 30 s (one that ended past it, after a long apply pass, no longer counts).
    expect(note?.slice(1)).toEqual(['1.175', '1.378', '11.7']);
    // The preset's 128 MiB: a 5 ms sample lasts ~6 ms at HZ 1000, an aggregation ~0.14 s; no note.
    const { res } = preset(30);
    // In the summary record's regions entries, so that a timeline read back has them too.
    expect(res.regions.map((r) => r.aggregation)).toEqual([
      {
        medianS: expect.closeTo(0.12, 1) as number,
        medianRatio: expect.closeTo(1.2, 1) as number,
        // The migrations' longer intervals weigh more in the mean.
        meanS: expect.closeTo(0.145, 2) as number,
        meanRatio: expect.closeTo(1.45, 1) as number,
        aggrUs: 100000,
        aggrUsChanged: false,
        autoTuned: false,
      },
    ]);
    // The mean is the run's time between its first and last aggregation over their count.
    const ts = res.aggrs.filter((a) => a.kdamond === 0 && a.ctx === 0).map((a) => a.t);
    expect(res.regions[0].aggregation!.meanS).toBeCloseTo((ts[ts.length - 1] - ts[0]) / (ts.length - 1), 9);
    // aggr_us 1 s until a commit at 58 s sets 100 ms: each interval is measured against the one in
    // force when it began (against the last alone, the 1 s intervals would read as 10× stretched).
    const doc = tiering6040('temporal');
    doc.duration = 60;
    const kd = doc.damon.kdamonds;
    const slow = structuredClone(kd[0]);
    kd[0].contexts[0].intervals.aggr_us = '1 s';
    doc.events = [{ at: 58, command: 'commit', damon: slow }];
    const changed = runScenario(scenarioFromDoc(doc).scenario).regions[0].aggregation!;
    expect(changed).toMatchObject({ aggrUs: 100000, aggrUsChanged: true });
    expect(changed.medianRatio).toBeLessThan(2);
    expect(changed.medianS).toBeGreaterThan(1); // most intervals were the 1 s ones
    // A stop is not the kdamond's work: off at 2 s, on at 8 s leaves the ratio as without them
    // (a diff review found the gap over the stop read as 3.2× slower).
    const stopped = preset(10, (d) => (d.events = [{ at: 2, command: 'off' }, { at: 8, command: 'on' }])).res.regions[0].aggregation!;
    const through = preset(10).res.regions[0].aggregation!;
    expect(stopped.meanRatio).toBeLessThan(2);
    expect(Math.abs(stopped.meanRatio - through.meanRatio)).toBeLessThan(0.3);
    const plain = await cli(['run', '--preset', 'tiering-6040', '--duration', '30s', '--no-progress']);
    expect(plain.err).not.toContain('aggregation interval lasted');
  });

  it('damon-sim run notes the scheduled writes the state file refused, which only the timeline recorded before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-writes-'));
    try {
      const doc = tiering6040('temporal');
      doc.duration = 20;
      doc.events = [{ at: 5, command: 'off' }, { at: 8, command: 'update_schemes_stats' }, { at: 12, command: 'on' }, { at: 15, command: 'on' }];
      const file = join(dir, 'writes.json');
      writeFileSync(file, JSON.stringify(doc));
      const r = await cli(['run', file, '--no-progress']);
      expect(r.code, r.err).toBe(0);
      expect(r.err.split('\n').filter((l) => l.includes('failed:'))).toEqual([
        'damon-sim: note: events[1]: update_schemes_stats to kdamond 0 at 8 s failed: -ECANCELED: kdamond is not running (damon_call() on a stopped context) (the run went on without it)',
        expect.stringMatching(/^damon-sim: note: events\[3\]: on to kdamond 0 at 15(\.\d+)? s failed: -EBUSY: kdamond is running \(the run went on without it\)$/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
