// SPDX-License-Identifier: GPL-2.0-only
/**
 * `damo report damon` text (src/report/damo-report.ts): damo's layout for the parameters, and
 * after a simulated run the state line, statistics, tried regions and each goal's measured
 * current value (flagged as something a real kernel does not report).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { damoArgsToParams } from '../src/formats/damo/args.js';
import { paramsToDamo } from '../src/formats/damo/emit.js';
import { TRIED_REGIONS_WAIT_NS, collectTriedRegions, filesAt, fillTriedRegions, formatDamonReport, runtimeOf } from '../src/report/damo-report.js';
import { runScenario } from '../src/run/run.js';
import { loadScenarioFile, scenarioFromDoc } from '../src/scenario/load.js';
import { PRESETS } from '../src/scenario/presets.js';

/** The emitted trees are checked key by key. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const example = loadScenarioFile(join(__dirname, '..', 'examples', 'tiering-6040.yaml')).scenario;

describe('damo report damon: parameters', () => {
  const text = formatDamonReport(paramsToDamo(example.kdamonds));

  it("prints damo's layout", () => {
    expect(text.split('\n').slice(0, 12)).toEqual([
      'kdamond 0',
      '    stats refresh per: 1 s',
      '    context 0',
      '        ops: paddr',
      '        target 0',
      '            region [4,294,967,296, 38,654,705,664) (32.000 GiB)',
      '            region [38,654,705,664, 73,014,444,032) (32.000 GiB)',
      '        intervals: sample 5 ms, aggr 100 ms, update 1 s',
      '        nr_regions: [10, 1,000]',
      '        scheme 0',
      '            action: migrate_hot to node 0 per aggr interval',
      '            target access pattern',
    ]);
    expect(text).toContain(
      [
        '                sz: [4.000 KiB, max]',
        '                nr_accesses: [1 samples, 4,294,967,295 samples]',
        '                age: [0 aggr_intervals, 2,890,341,191 aggr_intervals]',
        '            quotas',
        '                0 ns / 128.000 MiB / 0 B per 1 s',
        '                goal 0: metric node_eligible_mem_bp (nid 0) target 6,000 current 0',
        '                goal tuner: temporal',
        '                priority: sz 0 %, nr_accesses 0 %, age 0 %',
        '            watermarks',
        '                metric none, interval 0 ns',
        '                0 %, 0 %, 0 %',
        '            filter 0',
        '                allow addr [38,654,705,664, 73,014,444,032) (32.000 GiB)',
      ].join('\n'),
    );
    expect(text).not.toContain('statistics');
  });

  it('upstream compat shows no nid for node_eligible_mem_bp (damo v3.3), node metrics keep theirs', () => {
    const t = formatDamonReport(paramsToDamo(example.kdamonds), { compat: 'upstream' });
    expect(t).toContain('goal 0: metric node_eligible_mem_bp target 6,000 current 0\n');
  });

  it('dests, fail charge ratio, memcg goals and filters, raw numbers', () => {
    const p = structuredClone(example.kdamonds);
    const s = p[0].contexts[0].schemes[0];
    s.dests = [{ id: 0, weight: 3 }];
    s.quota.failChargeNum = 1;
    s.quota.failChargeDenom = 4;
    s.quota.goals.push({ metric: 'node_memcg_used_bp', targetValue: 3000n, currentValue: 0n, nid: 1, memcgPath: '/app' });
    s.filters.push({ type: 'memcg', matching: false, allow: false, memcgPath: '/app', addrRange: null, targetIdx: null, hugepageSize: null });
    const t = formatDamonReport(paramsToDamo(p));
    expect(t).toContain('            dest 0 weight 3\n');
    expect(t).toContain('                fail charge ratio: 1/4/\n');
    expect(t).toContain('goal 1: metric node_memcg_used_bp (nid 1, memcg /app) target 3,000 current 0\n');
    expect(t).toContain('            filter 1\n                reject none memcg /app\n');
    const raw = formatDamonReport(paramsToDamo(p), { raw: true });
    expect(raw).toContain('region [4294967296, 38654705664) (34359738368)');
    // Percent bounds (damo's command-line unit) take no thousands separators in raw either.
    const pct = damoArgsToParams(['--damos_action', 'stat']).kdamonds;
    expect(formatDamonReport(pct, { raw: true })).toContain('nr_accesses: [0 %, 18446744073709551615 %]\n');
    expect(formatDamonReport(pct)).toContain('nr_accesses: [0 %, 18,446,744,073,709,551,615 %]\n');
  });
});

describe('damo report damon: after a run', () => {
  it('statistics, tried regions and measured goal values', () => {
    const doc = PRESETS['tiering-6040'].build('temporal') as unknown as Loose;
    const ctx = doc.damon.kdamonds[0].contexts[0];
    // a third scheme without quota or filters: it tries every matching region
    ctx.schemes.push({ action: 'stat', access_pattern: { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: '0 samples', max: 'max' }, age: { min: 0, max: 'max' } } });
    doc.duration = '3 s';
    const sc = scenarioFromDoc(doc).scenario;
    const res = runScenario(sc);
    const runtime = runtimeOf(res.simulation, sc.kdamonds);
    const before = runtime[0].contexts[0].schemes[2].stats.nrTried;
    fillTriedRegions(runtime, res.simulation, collectTriedRegions(res.simulation));
    expect(runtime[0].contexts[0].schemes[2].stats.nrTried).toBe(before); // stats as of the end of the run
    const tried = runtime[0].contexts[0].schemes[2].triedRegions!;
    expect(tried.length).toBeGreaterThan(0);
    const total = tried.reduce((a, r) => a + (r.end - r.start), 0n);
    expect(total).toBe(64n * 2n ** 30n); // the stat scheme tries the whole monitored range once
    const text = formatDamonReport(paramsToDamo(sc.kdamonds), { runtime });
    expect(text).toContain('    state: on, pid: none (simulated), stats refresh per: 1 s\n');
    expect(text).toMatch(/goal 0: metric node_eligible_mem_bp \(nid 0\) target 6,000 current [\d,]+ \(measured by damon-sim; a real kernel does not report it\)\n/);
    expect(text).toMatch(/ {12}statistics\n {16}tried [\d,]+ times \([^)]+\)\n {16}applied [\d,]+ times \([^)]+\)\n {16}.+ passed filters\n {16}quota exceeded \d+ times\n {16}.+\n {16}tried [\d,]+ snapshots \(max 0\)\n/);
    expect(text).toContain('            tried regions (64.000 GiB)\n');
    // damo prints the count with '%d': no thousands separators, unlike the other counts.
    runtime[0].contexts[0].schemes[2].stats.qtExceeds = 1249n;
    expect(formatDamonReport(paramsToDamo(sc.kdamonds), { runtime })).toContain('\n                quota exceeded 1249 times\n');
    expect(text).toMatch(/\n {16}\[[\d,]+, [\d,]+\) \([^)]+\): nr_accesses: \d+ samples, age: \d+ aggr_intervals, filter_passed: [^\n]+\n/);
  });

  it('waits for a long apply interval in samples, not in nominal time', () => {
    // A second stat scheme due every 5 s (1000 samples of 5 ms, ~6 s of simulated time at HZ
    // 1000: a 5 ms sleep lasts to the sixth tick boundary). Reported at 6.1 s, just after its first
    // pass, its next one is at sample 2000, ~12 s: past the 5.2 s a nominal-time wait allowed.
    const any = { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: '0 samples', max: 'max' }, age: { min: 0, max: 'max' } };
    const doc = {
      seed: 11,
      duration: 6.1,
      machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
      workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 2e6, nodes: [0, 1] },
      damon: { kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [{ start: '4 GiB', end: '4608 MiB' }] }], intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' }, schemes: [{ action: 'stat', access_pattern: any }, { action: 'stat', access_pattern: any, apply_interval_us: '5 s' }] }] }] },
    };
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const completed: Array<[number, number]> = [];
    const [perScheme] = [...collectTriedRegions(res.simulation, undefined, (k, ns) => completed.push([k, ns])).values()];
    expect([...perScheme.keys()].sort()).toEqual([0, 1]);
    expect(perScheme.get(1)!.reduce((a, r) => a + (r.end - r.start), 0n)).toBe(512n * 2n ** 20n);
    expect(res.simulation.now).toBeGreaterThan(11.5e9);
    // Completed once, by the 5 s scheme's second pass: its kdamond's time then.
    expect(completed.map(([k]) => k)).toEqual([0]);
    expect(completed[0][1]).toBeGreaterThan(11.5e9);
    expect(completed[0][1]).toBeLessThanOrEqual(res.simulation.now);
  });

  it('gives a walk up after TRIED_REGIONS_WAIT_NS past the run, and says so, when an apply interval is longer', () => {
    // apply_interval_us 10^15 (~32 years): the kernel's walk would wait that long; the simulator
    // stops one simulated hour past the run, cancels the walk and reports which kdamond it gave up.
    const any = { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: '0 samples', max: 'max' }, age: { min: 0, max: 'max' } };
    const doc = {
      seed: 11,
      duration: 2,
      machine: { nodes: [{ capacity: '256 MiB' }] },
      workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', access_rate: 2e6 },
      damon: { kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [] }], schemes: [{ action: 'stat', access_pattern: any, apply_interval_us: 1e15 }] }] }] },
    };
    const res = runScenario(scenarioFromDoc(doc).scenario);
    const from = res.simulation.now;
    const gaveUp: Array<[number, number, string]> = [];
    const [perScheme] = [...collectTriedRegions(res.simulation, (k, ns, why) => gaveUp.push([k, ns, why])).values()];
    expect(gaveUp).toEqual([[0, TRIED_REGIONS_WAIT_NS, 'time']]);
    expect(res.simulation.now - from).toBe(TRIED_REGIONS_WAIT_NS);
    expect(perScheme.get(0) ?? []).toEqual([]); // its first pass never came
    expect(res.simulation.kdamonds[0].kdamond.walk).toBeUndefined();
  });

  it('gives a walk up, and says so, when a kdamond uses up its samples without applying every scheme (examples/mtier.yaml kdamond 0)', () => {
    // Its migrate_hot scheme is postponed at every interval re-tuning and never applied
    // (docs/findings.md §4): the kernel's walk would wait forever. Kdamond 1's walk completes.
    const { scenario } = loadScenarioFile('examples/mtier.yaml', { durationNs: 60e9 });
    const res = runScenario(scenario);
    const gaveUp: Array<[number, string]> = [];
    const completed: number[] = [];
    collectTriedRegions(
      res.simulation,
      (k, _ns, why) => gaveUp.push([k, why]),
      (k) => completed.push(k),
    );
    expect(gaveUp).toEqual([[0, 'samples']]);
    expect(completed).toEqual([1]);
  });

  it("shows the files as the scenario's writes left them and the state at the end (a commit, then off)", async () => {
    const doc = PRESETS['tiering-6040'].build('temporal') as unknown as Loose;
    doc.duration = '4 s';
    const committed = structuredClone(doc.damon.kdamonds[0]);
    committed.contexts[0].schemes[0].quotas.sz_bytes = '64 MiB';
    committed.contexts[0].schemes.pop();
    doc.events = [
      { at: 1, command: 'commit', damon: committed },
      { at: 2, command: 'off' },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-report-'));
    const file = join(dir, 'ev.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await cli(['report', 'damon', file]).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('    state: off,');
    expect(r.out).toContain('64.000 MiB');
    expect(r.out).not.toContain('scheme 1');
  });

  it('a goal nothing has evaluated yet is not reported as measured', async () => {
    // mtier: the promotion scheme never applies in 10 s (findings.md §4), the demotion one does.
    const r = await cli(['report', 'damon', join(__dirname, '..', 'examples', 'mtier.yaml'), '--duration', '10s']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('goal 0: metric node_mem_used_bp (nid 0) target 9,970 current 0 (not measured yet: the scheme has not been applied)\n');
    expect(r.out).toMatch(/goal 0: metric node_mem_free_bp \(nid 0\) target 50 current [\d,]+ \(measured by damon-sim; a real kernel does not report it\)\n/);
  });

  it('damon-sim report damon --preset --duration; --params-only', async () => {
    const r = await cli(['report', 'damon', '--preset', 'tiering-6040', '--duration', '2s']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('kdamond 0\n    state: on')).toBe(true);
    expect(r.out).toContain('(measured by damon-sim; a real kernel does not report it)');
    // The statistics are read at the end of the run, the tried regions in the apply pass after it.
    expect(r.err).toBe(
      'damon-sim: preset tiering-6040 after 2 simulated s (seed 42); state, statistics and tried regions are simulated; statistics and goal values are as of 2.000 s, tried regions from the apply pass after it (at 2.015 s), as update_schemes_tried_regions waits for one\n',
    );
    const p = await cli(['report', 'damon', join(__dirname, '..', 'examples', 'tiering-6040.yaml'), '--params-only']);
    expect(p.out).toBe(formatDamonReport(paramsToDamo(example.kdamonds), { paramsOnly: true }));
    // damo's --damon_params view drops the effective size from the quota line (DamosQuotas.to_str());
    // args' report view (damo args damon --format report) keeps it, 0 B before any run.
    expect(p.out).toContain('\n                0 ns / 128.000 MiB per 1 s\n');
    expect((await cli(['args', '--damos_action', 'stat', '--damos_quotas', '10ms', '128M', '1s', '--format', 'report'])).out).toContain('\n                10 ms / 128.000 MiB / 0 B per 1 s\n');
    // Nothing runs with --params-only: a run's length or seed is refused, not dropped.
    const both = await cli(['report', 'damon', '--preset', 'tiering-6040', '--params-only', '--duration', '5s', '--seed', '3']);
    expect([both.code, both.out]).toEqual([2, '']);
    expect(both.err).toBe(
      'damon-sim: error: --duration: expected no --duration with --params-only (it prints the parameters without a run); found "5s"\n' +
        'damon-sim: error: --seed: expected no --seed with --params-only (it prints the parameters without a run); found "3"\n',
    );
    // A bad value is the same one problem: it is not read.
    const bad = await cli(['report', 'damon', '--preset', 'tiering-6040', '--params-only', '--duration', 'abc']);
    expect([bad.code, bad.err]).toEqual([2, 'damon-sim: error: --duration: expected no --duration with --params-only (it prints the parameters without a run); found "abc"\n']);
    expect((await cli(['report', 'damon', '--preset', 'tiering-6040', '--duration', 'soon'])).code).toBe(2);
    // --no-progress is taken (as by run) and changes nothing off a terminal.
    const q = await cli(['report', 'damon', '--preset', 'tiering-6040', '--duration', '2s', '--no-progress']);
    expect(q).toEqual(r);
  });

  it('says on stderr that sizes count core units where a context has an addr_unit, as damo prints them', async () => {
    const doc = {
      seed: 5,
      duration: 1,
      machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
      workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 1e6 },
      damon: { kdamonds: [{ contexts: [{ ops: 'paddr', addr_unit: 4, targets: [{ pid: null }], schemes: [{ action: 'stat' }] }] }] },
    };
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-report-'));
    const file = join(dir, 'au.json');
    writeFileSync(file, JSON.stringify(doc));
    const full = await cli(['report', 'damon', file]);
    const stats = await cli(['report', 'damon', file, '--damos-stats']).finally(() => rmSync(dir, { recursive: true, force: true }));
    const note = "; with addr_unit 4, sizes count core units, printed as bytes as damo prints them (bytes are addr_unit times as many; `run`'s summary gives bytes)\n";
    expect([full.code, stats.code]).toEqual([0, 0]);
    expect(full.err.endsWith(note), full.err).toBe(true);
    expect(stats.err.split('\n').filter((l) => !l.includes('warning:')).join('\n')).toBe(`damon-sim: ${file} after 1 simulated s (seed 5); statistics are simulated${note}`);
  });

  it('--damos-stats prints the statistics alone, as damo report damon --damos_stats: the same numbers as the full report, in its three formats', async () => {
    const base = ['report', 'damon', '--preset', 'tiering-6040', '--duration', '20s'];
    const full = await cli(base);
    const stats = await cli([...base, '--damos-stats']);
    expect(stats.code, stats.err).toBe(0);
    expect(stats.err).toBe('damon-sim: preset tiering-6040 after 20 simulated s (seed 42); statistics are simulated\n');
    // Two schemes: a block each, headed by its indices, key: value lines, a blank line after.
    const blocks = stats.out.split('\n\n');
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(['kdamond 0 / context 0 / scheme 0', 'kdamond 0 / context 0 / scheme 1', '']);
    expect(blocks[0].split('\n').slice(1).map((l) => l.split(': ')[0])).toEqual(['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'sz_ops_filter_passed', 'qt_exceeds']);
    // The same values the full report's statistics show for scheme 0.
    const kv = Object.fromEntries(blocks[0].split('\n').slice(1).map((l) => l.split(': ')));
    expect(full.out).toContain(`tried ${kv.nr_tried} times (${kv.sz_tried})\n`);
    expect(full.out).toContain(`applied ${kv.nr_applied} times (${kv.sz_applied})\n`);
    expect(full.out).toContain(`quota exceeded ${kv.qt_exceeds} times\n`);
    expect(Number(kv.nr_applied)).toBeGreaterThan(0);
    // One field: the bare value. JSON and YAML: damo's list of [indices, stats] pairs.
    expect((await cli([...base, '--damos-stats', '--damos-stat-fields', 'sz_applied'])).out).toBe(`kdamond 0 / context 0 / scheme 0\n${kv.sz_applied}\n\nkdamond 0 / context 0 / scheme 1\n0 B\n\n`);
    const json = JSON.parse((await cli([...base, '--damos-stats', '--json', '--raw', '--damos-stat-fields', 'qt_exceeds', 'nr_applied'])).out) as unknown;
    expect(json).toEqual([
      [{ kdamond: 0, context: 0, scheme: 0 }, { qt_exceeds: Number(kv.qt_exceeds), nr_applied: Number(kv.nr_applied) }],
      [{ kdamond: 0, context: 0, scheme: 1 }, { qt_exceeds: expect.any(Number), nr_applied: 0 }],
    ]);
    const yaml = await cli([...base, '--damos-stats', '--format', 'yaml', '--damos-stat-fields', 'nr_tried']);
    expect(yaml.out).toBe(`- - kdamond: 0\n    context: 0\n    scheme: 0\n  - nr_tried: '${kv.nr_tried}'\n- - kdamond: 0\n    context: 0\n    scheme: 1\n  - nr_tried: '0'\n\n`);
    // What only goes with it is refused without it; so is a field damo does not offer.
    for (const [argv, message] of [
      [['--format', 'json'], '--format: expected --damos-stats with --format json'],
      [['--json'], '--json: expected --damos-stats with --json'],
      [['--damos-stat-fields', 'sz_tried'], '--damos-stat-fields: expected --damos-stats with it; found none'],
      [['--damos-stats', '--damos-stat-fields', 'sz_ops_filter_passed'], '--damos-stat-fields: expected one of "nr_tried", "sz_tried", "nr_applied", "sz_applied", "qt_exceeds"; found "sz_ops_filter_passed"'],
      [['--damos-stats', '--format', 'csv'], '--format: expected one of "report", "json", "yaml"; found "csv"'],
      // commander would concatenate a repeat, damo keep the last: refused, as a repeated --out is.
      [['--damos-stats', '--damos-stat-fields', 'sz_tried', '--damos-stat-fields=nr_tried'], '--damos-stat-fields: expected the option once, with all its values after it; found it 2 times'],
    ] as const) {
      const bad = await cli(['report', 'damon', '--preset', 'tiering-6040', ...argv]);
      expect([bad.code, bad.out], argv.join(' ')).toEqual([2, '']);
      expect(bad.err.startsWith(`damon-sim: error: ${message}`), bad.err).toBe(true);
    }
    const paramsOnly = await cli(['report', 'damon', '--preset', 'tiering-6040', '--params-only', '--damos-stats']);
    expect([paramsOnly.code, paramsOnly.err]).toEqual([2, 'damon-sim: error: --damos-stats: expected no --damos-stats with --params-only (the statistics come from a run); found both\n']);
  });

  it('--profile runs another kernel in place of the scenario\'s, checked against it first', async () => {
    const args = ['report', 'damon', '--preset', 'tiering-6040', '--tuner', 'consist', '--duration', '100s'];
    const b0 = await cli(args);
    const b1 = await cli([...args, '--profile', 'b1']);
    expect([b0.code, b1.code]).toEqual([0, 0]);
    // The two trees' CONSIST runs part within 100 s (b1's post-apply merge, among others).
    expect(b0.out).toContain('goal 0: metric node_eligible_mem_bp (nid 0) target 6,000 current 10,000');
    expect(b1.out).toContain('goal 0: metric node_eligible_mem_bp (nid 0) target 6,000 current 4,936');
    const ml = await cli([...args, '--profile', 'mainline-6.19']);
    expect(ml.code).toBe(2);
    expect(ml.err).toMatch(/^damon-sim: error: damon\.kdamonds\[0\]\.contexts\[0\]\.schemes\[0\]\.quotas\.goals\[0\]\.metric: expected a metric kernel profile "mainline-6\.19" has; found node_eligible_mem_bp/);
    expect(ml.out).toBe('');
    // A kernel without the snapshot files shows no snapshot line.
    const reclaim = ['report', 'damon', join(__dirname, '..', 'examples', 'damon-reclaim.yaml'), '--duration', '5s'];
    const withLine = await cli(reclaim);
    const without = await cli([...reclaim, '--profile', 'mainline-6.19']);
    expect(withLine.out).toMatch(/\n {16}tried \d+ snapshots \(max 0\)\n/);
    expect(without.code).toBe(0);
    expect(without.out).not.toMatch(/snapshots/);
    expect(without.out).toMatch(/\n {16}quota exceeded \d+ times\n {16}[^\n]*B\n {12}tried regions/);
  });
});

describe('damo report damon: a scheme only in the files', () => {
  // A commit the kernel refuses (addr_unit 3 gives a min_region_sz that is no power of two) still
  // wrote its files: damo reads the second scheme there, while the running context has one.
  const run = (profile: string, maxNrSnapshots: number) => {
    const scheme = (extra: object = {}) => ({ action: 'stat', access_pattern: { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: 0, max: 'max' }, age: { min: 0, max: 'max' } }, ...extra });
    const ctx = (schemes: object[], addrUnit?: number) => ({
      ops: 'paddr',
      ...(addrUnit === undefined ? {} : { addr_unit: addrUnit }),
      targets: [{ pid: null }],
      intervals: { sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s' },
      nr_regions: { min: 10, max: 1000 },
      schemes,
    });
    const second = scheme({ max_nr_snapshots: maxNrSnapshots, quotas: { sz_bytes: '1 MiB', reset_interval_ms: '1 s', goals: [{ metric: 'node_mem_used_bp', nid: 0, target_value: 5000 }, { metric: 'node_mem_free_bp', nid: 0, target_value: 0 }] } });
    const doc = {
      seed: 5,
      duration: 2,
      kernel: { profile, hz: 1000 },
      machine: { nodes: [{ capacity: '256 MiB' }, { capacity: '256 MiB' }] },
      workload: { type: 'hotset', rss: '64 MiB', hot_set: '8 MiB', hot_share: '95 %', access_rate: 1e6 },
      damon: { kdamonds: [{ contexts: [ctx([scheme()])] }] },
      events: [{ at: 1, command: 'commit', damon: { contexts: [ctx([scheme(), second], 3)] } }],
    };
    const sc = scenarioFromDoc(doc).scenario;
    const res = runScenario(sc);
    expect(res.events.find((e) => e.type === 'event')).toMatchObject({ command: 'commit', status: 'error' });
    const files = filesAt(sc, res.simulation.now);
    const [rt] = runtimeOf(res.simulation, files);
    return { files, rt, text: formatDamonReport(paramsToDamo(files), { runtime: [rt] }) };
  };

  it('b0: zero statistics, the files\' max_nr_snapshots, and its goal not measured', () => {
    const { rt, text } = run('b0', 5);
    expect(rt.contexts[0].schemes[1]).toEqual({
      stats: { nrTried: 0n, szTried: 0n, nrApplied: 0n, szApplied: 0n, szOpsFilterPassed: 0n, qtExceeds: 0n, nrSnapshots: 0n, maxNrSnapshots: 5n },
      effectiveSzBytes: 0n,
      // sysfs drops a goal of target 0 (damos.md §7): no current value to show, measured or not.
      goalCurrent: ['unmeasured', null],
      triedRegions: null,
    });
    expect(rt.contexts[0].schemes[0].stats.nrTried).toBeGreaterThan(0n);
    expect(text).toContain('tried 0 snapshots (max 5)');
  });

  it('mainline-6.19: the same, without the snapshot files it lacks', () => {
    const { rt, text } = run('mainline-6.19', 0);
    expect(rt.contexts[0].schemes[1].stats).toEqual({ nrTried: 0n, szTried: 0n, nrApplied: 0n, szApplied: 0n, szOpsFilterPassed: 0n, qtExceeds: 0n, nrSnapshots: null, maxNrSnapshots: null });
    expect(rt.contexts[0].schemes[0].stats.nrSnapshots).toBeNull();
    expect(text).toContain('scheme 1');
    expect(text).not.toContain('snapshots');
  });
});
