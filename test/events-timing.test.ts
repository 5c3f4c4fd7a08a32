// SPDX-License-Identifier: GPL-2.0-only
/**
 * When scheduled events take effect and what time their records carry (docs/timeline.md: records
 * in time order, a write served at the kdamond_call() after it was made, a write made only once
 * the one before it returned). The scenarios in fixtures/events/ come from a review that fuzzed
 * event lists; each broke one of these rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/run.js';
import { scenarioFromDoc } from '../src/scenario/load.js';

interface Rec {
  type: string;
  t: number;
  event?: number;
  command?: string;
  status?: string;
  error?: string;
  stopped?: boolean;
}

/** The fixture's timeline records and load-time warnings; `edit` may change its document first. */
function timeline(name: string, edit: (doc: { events: Array<Record<string, unknown>> }) => void = () => undefined): { recs: Rec[]; events: Rec[]; warnings: string[] } {
  const doc = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'events', `${name}.json`), 'utf8')) as { events: Array<Record<string, unknown>> };
  edit(doc);
  return timelineOf(doc);
}

/** timeline() of a scenario document. */
function timelineOf(doc: object): { recs: Rec[]; events: Rec[]; warnings: string[] } {
  const loaded = scenarioFromDoc(doc);
  const lines: string[] = [];
  runScenario(loaded.scenario, { write: (l) => lines.push(l) });
  const recs = lines.map((l) => JSON.parse(l) as Rec);
  return { recs, events: recs.filter((r) => r.type === 'event'), warnings: loaded.warnings.map((w) => `${w.path}: ${w.message}`) };
}

/** Records with a time, in the order written, never go back in time (the summary closes the run at its duration). */
function expectTimeOrder(recs: Rec[]): void {
  const ts = recs.filter((r) => typeof r.t === 'number' && r.type !== 'summary').map((r) => r.t);
  for (let i = 1; i < ts.length; i++) expect(ts[i], `record ${i}`).toBeGreaterThanOrEqual(ts[i - 1]);
}

/** The fixture's event records as [command, status, t], its records checked to come in time order. */
function eventsInOrder(name: string): { events: Rec[]; seen: Array<[unknown, unknown, unknown]> } {
  const { recs, events } = timeline(name);
  expectTimeOrder(recs);
  return { events, seen: events.map((e) => [e.command, e.status, e.t]) };
}

describe('scheduled events: when they act and when their records say they did', () => {
  it('writes queued behind an off fail when the off has returned (the kdamond stopped), not at their own earlier time', () => {
    const { events, seen } = eventsInOrder('after-off');
    expect(seen).toEqual([
      ['off', 'ok', 1.005014],
      ['update_schemes_stats', 'error', 1.005014],
      ['commit_schemes_quota_goals', 'error', 1.005014],
    ]);
    expect(events[1].error).toBe('-ECANCELED: kdamond is not running (damon_call() on a stopped context)');
  });

  it('during a watermark wait shorter than the sampling interval a write is served at the first wait end after it, never before', () => {
    // Written at 0.3, 0.5003 and 0.7 s; the 1 ms waits end on the tick after each.
    expect(eventsInOrder('short-wmark-wait').seen).toEqual([
      ['update_schemes_stats', 'ok', 0.3],
      ['update_schemes_effective_quotas', 'ok', 0.501],
      ['commit', 'ok', 0.7],
    ]);
  });

  it("an event still waiting at the end is pending as of the run's last look at the kdamond, after the records before it", () => {
    expect(eventsInOrder('pending-late').seen).toEqual([
      ['update_schemes_tried_bytes', 'ok', 1.748442],
      ['update_schemes_stats', 'pending', 1.748442],
    ]);
  });

  it('an event at or after the end of the run is never written, as its load-time warning says', () => {
    // At the end itself, and an off just past it (both were delivered).
    const edits = [() => undefined, (doc: { events: Array<Record<string, unknown>> }) => (doc.events[0] = { at: '2001 ms', command: 'off' })];
    for (const edit of edits) {
      const { events, warnings } = timeline('at-end', edit);
      expect(warnings).toEqual(['events[0].at: at or after the end of the run (2 s): never delivered']);
      expect(events).toEqual([]);
    }
  });
});

describe('writes behind an off wait for the kdamond to leave its loop', () => {
  /**
   * A migrate_hot scheme that moves its 64 MiB quota every aggregation (16384 pages at 1.1 us
   * each: about 18 ms) and an off written at 0.395 s: it is served at the kdamond_call() of the
   * iteration ending the aggregation at 0.396009 s, whose apply pass then runs (kthread_stop()
   * ends the loop only after the iteration in progress) and ends at 0.414686 s, the kdamond's exit.
   */
  const migrating = (events: object[]) => ({
    name: 'off-mid-apply',
    seed: 5,
    duration: 0.6,
    record: { aggr_stride: 1 },
    machine: { nodes: [{ capacity: '512 MiB' }, { capacity: '512 MiB' }] },
    workload: { type: 'hotset', rss: '256 MiB', hot_set: '128 MiB', hot_share: '99 %', access_rate: 1e8, nodes: [1, 0] },
    damon: {
      kdamonds: [
        {
          contexts: [
            {
              ops: 'paddr',
              targets: [{ pid: null, regions: [{ start: '4 GiB', end: '5 GiB' }] }],
              intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
              nr_regions: { min: 10, max: 1000 },
              schemes: [
                {
                  action: 'migrate_hot',
                  target_nid: 0,
                  access_pattern: { sz_bytes: { min: '4 KiB', max: 'max' }, nr_accesses: { min: '1 samples', max: '20 samples' }, age: { min: 0, max: 'max' } },
                  quotas: { time_ms: 0, sz_bytes: '64 MiB', reset_interval_ms: '100 ms', weights: { sz_permil: 0, nr_accesses_permil: 0, age_permil: 0 } },
                },
              ],
            },
          ],
        },
      ],
    },
    events,
  });
  /** [type, command, status, t] of the records from 0.25 s to 0.45 s, checked to come in time order. */
  const around = (events: object[]) => {
    const { recs } = timelineOf(migrating(events));
    expectTimeOrder(recs);
    return recs.filter((r) => r.t >= 0.25 && r.t <= 0.45).map((r) => [r.type, r.command, r.status, r.t]);
  };

  it('an on written while the stopped kdamond was still finishing its iteration is answered at its exit, after that iteration\'s records', () => {
    expect(around([{ at: 0.395, command: 'off' }, { at: 0.3951, command: 'on' }])).toEqual([
      ['aggr', undefined, undefined, 0.276684],
      ['event', 'off', 'ok', 0.396009],
      ['aggr', undefined, undefined, 0.414686],
      ['event', 'on', 'ok', 0.414686],
    ]);
  });

  it('so is a write the stopped kdamond refuses: the time order holds for every command behind the off', () => {
    // The off's write returns when kthread_stop() does (docs/timeline.md: writes behind an off
    // wait for the kdamond to stop); the refusal was stamped at the off's kdamond_call() instead,
    // before the aggr record of the iteration the kdamond finished.
    expect(around([{ at: 0.395, command: 'off' }, { at: 0.3951, command: 'update_schemes_stats' }, { at: 0.3952, command: 'on' }])).toEqual([
      ['aggr', undefined, undefined, 0.276684],
      ['event', 'off', 'ok', 0.396009],
      ['aggr', undefined, undefined, 0.414686],
      ['event', 'update_schemes_stats', 'error', 0.414686],
      ['event', 'on', 'ok', 0.414686],
    ]);
    // A write made after the exit is answered at its own time.
    expect(around([{ at: 0.395, command: 'off' }, { at: 0.42, command: 'update_schemes_stats' }]).slice(-1)).toEqual([['event', 'update_schemes_stats', 'error', 0.42]]);
  });
});
