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
