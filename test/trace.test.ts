// SPDX-License-Identifier: GPL-2.0-only
/**
 * The trace stream (`--trace`, src/run/trace.ts) and the damos_walk() behind the tried-regions
 * commands (damos.md §2.4): line shapes of include/trace/events/damon.h as perf script prints them
 * (damo-formats.md §3.3), damos_esz only when a new charge window changed esz (b0), the RFC
 * damos_node_eligible_mem_bp line at every evaluation, byte-identical output for the same seed;
 * walks that complete once every scheme finished an apply pass, and walks canceled when there is
 * nothing to walk.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type RunResult } from '../src/run/run.js';
import { TRACEPOINTS, traceTimestamp } from '../src/run/trace.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { loadScenarioFile, scenarioFromDoc } from '../src/scenario/load.js';
import { ANY_PATTERN as ANY, paddrDamon } from './helpers/doc.js';
import { tiering6040 } from '../src/scenario/presets.js';


function doc(schemes: object[], events: object[] = [], duration = 3): object {
  return {
    seed: 11,
    duration,
    machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
    workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 2e6, nodes: [0, 1] },
    damon: paddrDamon(schemes, { end: '4608 MiB', nrRegions: false }),
    events,
  };
}

function run(d: object): { res: RunResult; trace: string[] } {
  const trace: string[] = [];
  const res = runScenario(scenarioFromDoc(d).scenario, { trace: (l) => trace.push(l) });
  return { res, trace };
}

const LINE = /^kdamond\.0 1000 \[000\] \d+\.\d{6}: damon:(\w+): (.*)$/;

describe('trace stream', () => {
  it('keeps only the tracepoints asked for (--trace-events), the same lines the whole stream has of them', async () => {
    const doc = tiering6040('consist');
    doc.duration = 20;
    const all = run(doc).trace;
    const picked: string[] = [];
    runScenario(scenarioFromDoc(doc).scenario, { trace: (l) => picked.push(l), traceEvents: new Set(['damos_esz', 'damos_stat_after_apply_interval'] as const) });
    const of = (lines: string[]) => [...new Set(lines.map((l) => LINE.exec(l)?.[1]))].sort();
    expect(of(all)).toEqual(['damon_aggregated', 'damos_before_apply', 'damos_esz', 'damos_node_eligible_mem_bp', 'damos_stat_after_apply_interval']);
    expect(of(picked)).toEqual(['damos_esz', 'damos_stat_after_apply_interval']);
    expect(picked).toEqual(all.filter((l) => / damon:(damos_esz|damos_stat_after_apply_interval): /.test(l)));
    // The command line: names with or without perf's damon: prefix; an unknown one, or no --trace, is refused.
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-trace-events-'));
    try {
      const f = join(dir, 't.trace');
      const ok = await cli(['run', '--preset', 'tiering-6040', '--tuner', 'consist', '--duration', '20', '--no-progress', '--trace', f, '--trace-events', 'damon:damos_esz,damos_stat_after_apply_interval']);
      expect(ok.code, ok.err).toBe(0);
      expect(readFileSync(f, 'utf8')).toBe(picked.map((l) => `${l}\n`).join(''));
      const bad = await cli(['run', '--preset', 'tiering-6040', '--no-progress', '--trace', join(dir, 'u.trace'), '--trace-events', 'damos_esz,damon_esz']);
      expect([bad.code, bad.err]).toEqual([2, `damon-sim: error: --trace-events: expected tracepoint names from ${TRACEPOINTS.join(', ')}, comma-separated; found "damon_esz"\n`]);
      expect(existsSync(join(dir, 'u.trace'))).toBe(false);
      const alone = await cli(['run', '--preset', 'tiering-6040', '--no-progress', '--trace-events', 'damos_esz']);
      expect(alone.code).toBe(2);
      expect(alone.err).toMatch(/^damon-sim: error: --trace-events: expected --trace FILE beside it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the kernel tracepoints in perf-script shape, deterministically', () => {
    const d = doc([{ action: 'stat', access_pattern: ANY, quotas: { reset_interval_ms: '200 ms', goals: [{ metric: 'user_input', target_value: 10000, current_value: 0 }] } }]);
    const a = run(d).trace;
    const b = run(d).trace;
    expect(b).toEqual(a);
    const events = new Set<string>();
    for (const l of a) {
      const m = LINE.exec(l);
      expect(m, l).not.toBeNull();
      events.add(m![1]);
      if (m![1] === 'damon_aggregated') expect(m![2]).toMatch(/^target_id=0 nr_regions=\d+ \d+-\d+: \d+ \d+$/);
      if (m![1] === 'damos_esz') expect(m![2]).toMatch(/^ctx_idx=0 scheme_idx=0 esz=\d+$/);
      if (m![1] === 'damos_before_apply') expect(m![2]).toMatch(/^ctx_idx=0 scheme_idx=0 target_idx=0 nr_regions=\d+ \d+-\d+: \d+ \d+$/);
      if (m![1] === 'damos_stat_after_apply_interval')
        expect(m![2]).toMatch(/^ctx_idx=0 scheme_idx=0 nr_tried=\d+ sz_tried=\d+ nr_applied=\d+ sz_applied=\d+ sz_ops_filter_passed=\d+ qt_exceeds=\d+ nr_snapshots=\d+$/);
    }
    expect([...events].sort()).toEqual(['damon_aggregated', 'damos_before_apply', 'damos_esz', 'damos_stat_after_apply_interval']);
    // one damon_aggregated line per region per aggregation: nr_regions lines in a row
    const first = a.findIndex((l) => l.includes('damon_aggregated'));
    const n = Number(/nr_regions=(\d+)/.exec(a[first])![1]);
    for (let i = first; i < first + n; i++) expect(a[i]).toContain('damon_aggregated');
    expect(traceTimestamp(82877315633123)).toBe('82877.315633');
  });

  it('damos_esz: only when a new charge window changed esz, and for the first window only under b1', () => {
    // A plain size quota: esz = sz in every window, so no line at all.
    const fixed = run(doc([{ action: 'stat', access_pattern: ANY, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms' } }])).trace;
    expect(fixed.filter((l) => l.includes('damos_esz'))).toEqual([]);
    // CONSIST from 0 with score 0 doubles every window: 2 bytes in the first (untraced) window, then 4, 8, ...
    const consist = run(doc([{ action: 'stat', access_pattern: ANY, quotas: { reset_interval_ms: '100 ms', goals: [{ metric: 'user_input', target_value: 10000, current_value: 0 }] } }])).trace;
    const esz = consist.filter((l) => l.includes('damos_esz')).map((l) => Number(/esz=(\d+)/.exec(l)![1]));
    expect(esz.slice(0, 4)).toEqual([4, 8, 16, 32]);
    // Under b1 ("trace esz at first setup") the first window's esz is traced too: 1 MiB once, and
    // CONSIST's 2 bytes before the 4.
    const b1 = (d: object) => run({ ...d, kernel: { profile: 'b1' } }).trace.filter((l) => l.includes('damos_esz')).map((l) => Number(/esz=(\d+)/.exec(l)![1]));
    expect(b1(doc([{ action: 'stat', access_pattern: ANY, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms' } }]))).toEqual([1048576]);
    expect(b1(doc([{ action: 'stat', access_pattern: ANY, quotas: { reset_interval_ms: '100 ms', goals: [{ metric: 'user_input', target_value: 10000, current_value: 0 }] } }])).slice(0, 4)).toEqual([2, 4, 8, 16]);
  });

  it('damos_before_apply: one line per region handed to the action, after the quota split and the core filters', () => {
    const aged = { ...ANY, age: { min: '2 aggr_intervals', max: 'max' } };
    const { trace } = run(
      doc([
        // a 1 MiB quota per 100 ms window: regions are cut at the remaining quota
        { action: 'stat', access_pattern: ANY, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '100 ms' } },
        // a core addr filter allowing node 1's half only (default reject for the rest)
        { action: 'stat', access_pattern: aged, filters: [{ filter_type: 'addr', matching: true, allow: true, address_range: { start: '4352 MiB', end: '4608 MiB' } }] },
      ]),
    );
    const applied = new Map<number, { bytes: number; lines: number }>();
    const lastStat = new Map<number, { nrTried: number; szTried: number }>();
    let passRegions = 0;
    for (const l of trace) {
      const m = LINE.exec(l)!;
      if (m[1] === 'damon_aggregated') passRegions = 0;
      if (m[1] === 'damos_stat_after_apply_interval') {
        const f = /scheme_idx=(\d+) nr_tried=(\d+) sz_tried=(\d+)/.exec(m[2])!;
        lastStat.set(Number(f[1]), { nrTried: Number(f[2]), szTried: Number(f[3]) });
      }
      if (m[1] !== 'damos_before_apply') continue;
      const f = /^ctx_idx=0 scheme_idx=(\d+) target_idx=0 nr_regions=(\d+) (\d+)-(\d+): (\d+) (\d+)$/.exec(m[2])!;
      const [si, nr, start, end, age] = [1, 2, 3, 4, 6].map((i) => Number(f[i]));
      expect(end - start).toBeGreaterThan(0);
      if (si === 0) expect(end - start).toBeLessThanOrEqual(2 ** 20); // cut at the quota
      if (si === 1) {
        expect(start).toBeGreaterThanOrEqual(4352 * 2 ** 20); // cut at the filter's start, the rest rejected
        expect(age).toBeGreaterThanOrEqual(2);
      }
      // a pass only splits: the region count never drops within it
      expect(nr).toBeGreaterThanOrEqual(passRegions);
      passRegions = nr;
      const a = applied.get(si) ?? { bytes: 0, lines: 0 };
      a.bytes += end - start;
      a.lines++;
      applied.set(si, a);
    }
    for (const si of [0, 1]) {
      const a = applied.get(si)!;
      const st = lastStat.get(si)!;
      expect(a.lines).toBeGreaterThan(10);
      // Every traced region is tried with its whole size; a region found when the quota has less
      // than min_region_sz left is tried with size 0 and not traced; filtered ones neither.
      expect(a.bytes).toBe(st.szTried);
      expect(a.lines).toBeLessThanOrEqual(st.nrTried);
    }
  });

  it('damos_node_eligible_mem_bp: one line per evaluation of such a goal', () => {
    const { res, trace } = run(
      doc([{ action: 'stat', access_pattern: { ...ANY, nr_accesses: { min: '1 samples', max: 'max' } }, quotas: { reset_interval_ms: '500 ms', goals: [{ metric: 'node_eligible_mem_bp', nid: 1, target_value: 4000 }] } }]),
    );
    const lines = trace.filter((l) => l.includes('damos_node_eligible_mem_bp'));
    expect(lines.length).toBe(res.goals.length);
    lines.forEach((l, i) => expect(l).toContain(`ctx_idx=0 scheme_idx=0 nid=1 target_value=4000 current_value=${res.goals[i].current_value}`));
  });
});

describe('trace timestamps', () => {
  it('damos_stat_after_apply_interval comes after the actions: its time includes what they took', () => {
    // The preset's first PULL window migrates 128 MiB (32768 base pages at 1.1 µs, plus the
    // folio walks and the node_eligible_mem_bp walks): the stat line is stamped with the
    // iteration's damon_aggregated lines, 171.573 ms after the apply pass began at 120.003 ms
    // (20 samples: a 5 ms sleep at HZ 1000 ends at the sixth tick boundary, and the last one's
    // checks of 11 regions take 3.3 µs).
    const trace: string[] = [];
    const sc = scenarioFromDoc(tiering6040('temporal')).scenario;
    runScenario({ ...sc, duration: 0.3e9 }, { trace: (l) => trace.push(l) });
    const stamp = (l: string) => /\s(\d+\.\d{6}): /.exec(l)![1];
    const stat = trace.find((l) => l.includes('damos_stat_after_apply_interval') && !l.includes(' sz_applied=0 '))!;
    expect(stat).toContain('scheme_idx=0 nr_tried=1 sz_tried=134217728 nr_applied=1 sz_applied=134217728');
    const aggregated = trace.find((l) => l.includes('damon_aggregated'))!;
    expect(stamp(stat)).toBe('0.291576');
    expect(stamp(aggregated)).toBe('0.291576');
  });
});

describe('trace order', () => {
  it('lines of several kdamonds come out in time order, as perf script prints them', () => {
    // mtier's two kdamonds step one at a time; a step can run past the other kdamond's clock.
    const trace: string[] = [];
    const { scenario } = loadScenarioFile(new URL('../examples/mtier.yaml', import.meta.url).pathname);
    runScenario({ ...scenario, duration: 20e9 }, { trace: (l) => trace.push(l) });
    const times = trace.map((l) => Number(/\s(\d+\.\d{6}): /.exec(l)![1]));
    expect(new Set(trace.map((l) => l.split(' ')[0]))).toEqual(new Set(['kdamond.0', 'kdamond.1']));
    let disorder = 0;
    for (let i = 1; i < times.length; i++) if (times[i] < times[i - 1]) disorder++;
    expect(disorder).toBe(0);
  });

  /** Steps back in time between consecutive entries. */
  const stepsBack = (times: number[]) => times.filter((t, i) => i > 0 && t < times[i - 1]).length;

  it("the timeline's records too, and both stay in order when an `on` restarts a kdamond behind the other", () => {
    const { scenario } = loadScenarioFile(new URL('../examples/mtier.yaml', import.meta.url).pathname);
    // kdamond 0 is off from 5 s to 19.5848 s while kdamond 1 runs on (a time a reviewer found
    // kdamond 1's lines flushed past, before the `on` put kdamond 0's earlier ones behind them).
    const events = [
      { at: 5e9, kdamond: 0, command: 'off' },
      { at: 19.5848e9, kdamond: 0, command: 'on' },
    ];
    for (const evs of [[], events]) {
      const trace: string[] = [];
      const lines: string[] = [];
      runScenario({ ...scenario, duration: 25e9, events: evs as typeof scenario.events }, { trace: (l) => trace.push(l), write: (l) => lines.push(l) });
      const records = lines.map((l) => JSON.parse(l) as { type: string; t: number; kdamond?: number }).filter((r) => r.type !== 'header' && r.type !== 'summary');
      expect(new Set(records.map((r) => r.kdamond))).toEqual(new Set([0, 1]));
      expect(stepsBack(records.map((r) => r.t))).toBe(0);
      expect(stepsBack(trace.map((l) => Number(/\s(\d+\.\d{6}): /.exec(l)![1])))).toBe(0);
    }
  });

  it('damon_monitor_intervals_tune: every `aggrs` aggregations, before the reset, with the sampling interval the next aggregations use', () => {
    const d = doc([], [], 6) as { damon: { kdamonds: Array<{ contexts: Array<{ intervals: object }> }> } };
    d.damon.kdamonds[0].contexts[0].intervals = {
      sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s',
      intervals_goal: { access_bp: '4 %', aggrs: 3, min_sample_us: '1 ms', max_sample_us: '50 ms' },
    };
    // One entry per aggregation (its damon_aggregated lines share a timestamp) or tuning.
    const steps: Array<{ t: number; tune?: number }> = [];
    for (const l of run(d).trace) {
      const m = /\s(\d+\.\d{6}): damon:(\w+): (.*)$/.exec(l)!;
      const t = Math.round(Number(m[1]) * 1e6);
      if (m[2] === 'damon_monitor_intervals_tune') steps.push({ t, tune: Number(/^sample_us=(\d+)$/.exec(m[3])![1]) });
      else if (m[2] === 'damon_aggregated') {
        const last = steps.at(-1);
        if (last?.t !== t || last.tune !== undefined) steps.push({ t });
      }
    }
    const tunes = steps.flatMap((s, i) => (s.tune === undefined ? [] : [i]));
    expect(tunes.length).toBeGreaterThanOrEqual(4);
    // Fired at the third aggregation and every third after it, just before that aggregation's
    // damon_aggregated lines (kdamond_tune_intervals runs before kdamond_reset_aggregated).
    tunes.forEach((i, k) => {
      expect(i).toBe(2 + 4 * k);
      expect(steps[i + 1].t).toBe(steps[i].t);
    });
    let sample = 5000;
    for (const i of tunes) {
      const next = steps[i].tune!;
      expect(next).not.toBe(sample); // an adaptation of exactly 100 % is not traced
      expect(next).toBeGreaterThanOrEqual(1000);
      expect(next).toBeLessThanOrEqual(50000);
      // The next aggregation takes its 20 samples at the new interval: each a sleep of at least
      // sample_us that ends on the next tick (HZ 1000) plus the sample's own cost.
      const perSample = (steps[i + 2].t - steps[i + 1].t) / 20;
      expect(perSample).toBeGreaterThanOrEqual(next);
      expect(perSample).toBeLessThan(next + 2000);
      sample = next;
    }
  });

  it('record.aggr_stride thins each context\'s aggregations alike, whichever kdamond aggregates more often', () => {
    const { scenario } = loadScenarioFile(new URL('../examples/mtier.yaml', import.meta.url).pathname);
    const aggrsPerKdamond = (stride: number) => {
      const r = runScenario({ ...scenario, duration: 10e9, record: { aggrStride: stride } });
      return [0, 1].map((k) => r.aggrs.filter((a) => a.kdamond === k).length);
    };
    const every = aggrsPerKdamond(1);
    expect(aggrsPerKdamond(2)).toEqual(every.map((n) => Math.ceil(n / 2)));
  });
});

describe('damos_walk() (damos.md §2.4)', () => {
  it('completes once every scheme finished an apply pass; each scheme reports one pass', () => {
    const { res } = run(
      doc(
        [
          { action: 'stat', access_pattern: ANY },
          { action: 'stat', access_pattern: ANY, apply_interval_us: '1 s' },
        ],
        [{ at: 1.05, command: 'update_schemes_tried_regions' }],
      ),
    );
    const tried = res.events.filter((r) => r.type === 'tried_regions');
    expect(tried.map((r) => r.scheme)).toEqual([0, 1]);
    // both match everything: one pass each covers the whole monitored 512 MiB
    for (const r of tried) expect(r.total_bytes).toBe(512 * 1024 * 1024);
    const done = res.events.find((r) => r.type === 'event')!;
    expect(done.status).toBe('ok');
    // The 1 s scheme is due every 200 samples (1 s / 5 ms); a 5 ms sleep at HZ 1000 lasts to the
    // sixth tick boundary, so its pass after the write comes at sample 200, ~1.2 s.
    expect(done.t as number).toBeGreaterThan(1.15);
    expect(done.t as number).toBeLessThan(1.3);
  });

  it('is canceled when the context has no scheme, and when every scheme is deactivated by watermarks', () => {
    const none = run(doc([], [{ at: 1, command: 'update_schemes_tried_bytes' }])).res;
    expect(none.events.filter((r) => r.type === 'event').map((r) => [r.status, String(r.error).slice(0, 11)])).toEqual([['error', '-ECANCELED:']]);
    // free memory is above the high watermark: the scheme is deactivated, monitoring pauses
    const wm = { metric: 'free_mem_rate', interval_us: '100 ms', high_permil: 500, mid_permil: 400, low_permil: 100 };
    const off = run(doc([{ action: 'stat', access_pattern: ANY, watermarks: wm }], [{ at: 1, command: 'update_schemes_tried_regions' }])).res;
    expect(off.events.filter((r) => r.type === 'tried_regions')).toEqual([]);
    expect(off.events.find((r) => r.type === 'event')?.status).toBe('error');
  });

  it('the bytes-only form reports total_bytes without regions', () => {
    const { res } = run(doc([{ action: 'stat', access_pattern: ANY }], [{ at: 1, command: 'update_schemes_tried_bytes' }]));
    const r = res.events.find((x) => x.type === 'tried_regions')!;
    expect(r.total_bytes).toBe(512 * 1024 * 1024);
    expect('regions' in r).toBe(false);
  });
});
