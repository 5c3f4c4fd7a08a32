// SPDX-License-Identifier: GPL-2.0-only
/**
 * damo's command-line scheme options (src/formats/damo/args.ts, damo-formats.md §2): the same
 * configuration given as a damo command line and as a damo JSON file gives equal parameters;
 * errors name the option, what was expected and what was found; `--damo-compat upstream` drops
 * node_eligible_mem_bp's nid as upstream damo v3.3 does; `damon-sim args` and `run` take them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { damoArgsToParams, damoArgsToTree, splitDamoTokens } from '../src/formats/damo/args.js';
import { formatDamoText, readKdamonds, wrapKdamonds } from '../src/formats/damo/emit.js';
import { kdamondsTree } from '../src/formats/damo/tree.js';
import { ConfigError } from '../src/scenario/issues.js';

const G = 2n ** 30n;
const FIXTURE = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'damo-formats-1.6.json'), 'utf8'));
const machine = {
  nodeRanges: (nid: number) => (nid === 0 ? [{ start: 4n * G, end: 68n * G }] : nid === 1 ? [{ start: 68n * G, end: 132n * G }] : null),
  defaultPaddrRegion: () => ({ start: 4n * G, end: 68n * G }),
};

/** Split a command line the way a shell would (double quotes group words). */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

// damo-formats.md §1.6's command line, with `--damos_age min max` added to the first scheme: damo
// gives the i-th --damos_age to the i-th scheme, so without it the second scheme's "5s max" would
// belong to the first one (see the next test).
const CMD_16 = `--ops paddr --regions "4G-68G 68G-132G"
  --monitoring_intervals_goal 4% 3 5ms 10s
  --damos_action migrate_hot 0 --damos_access_rate 5% max --damos_age min max
    --damos_apply_interval 1s --damos_quotas 0 200MB 1s
    --damos_quota_goal node_eligible_mem_bp 9000 0
    --damos_filter allow addr 68G 132G
  --damos_action migrate_cold 1 --damos_access_rate 0% 0% --damos_age 5s max
    --damos_apply_interval 1s --damos_quotas 0 200MB 1s
    --damos_quota_goal node_mem_free_bp 0.5% 0
    --damos_filter reject young --damos_filter allow addr 4G 68G
  --damos_nr_quota_goals 1 1 --damos_nr_filters 1 2`;

function expectError(argv: string, path: string, message: RegExp | string, opts = {}): void {
  try {
    damoArgsToParams(words(argv), opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const issue = (e as ConfigError).issues[0];
    expect(issue.path).toBe(path);
    if (typeof message === 'string') expect(issue.message).toBe(message);
    else expect(issue.message).toMatch(message);
    return;
  }
  throw new Error(`no error for: ${argv}`);
}

describe('damo command line → kdamonds (damo-formats.md §1.6)', () => {
  it('with --damo-compat upstream, prints exactly the §1.6 JSON and gives the same params as that JSON', () => {
    const r = damoArgsToTree(words(CMD_16), { compat: 'upstream' });
    expect(JSON.parse(formatDamoText(r.tree, 'json'))).toEqual(FIXTURE);
    // "200MB" is 200 MiB to damo, as the JSON says: warned once for both schemes.
    expect(r.warnings.map((w) => w.path)).toEqual(['--damos_quotas', '--damos_quota_goal']);
    const fromArgs = damoArgsToParams(words(CMD_16), { compat: 'upstream' }).params;
    expect(fromArgs).toEqual(readKdamonds(FIXTURE, { compat: 'upstream' }).params);
  });

  it('--kdamonds with that JSON prints it back as given, units included (damo keeps the file\'s units)', () => {
    const r = damoArgsToParams(['--kdamonds', JSON.stringify(FIXTURE)], { compat: 'upstream' });
    expect(JSON.parse(formatDamoText(wrapKdamonds(kdamondsTree(r.kdamonds, {})), 'json'))).toEqual(FIXTURE);
  });

  it('names, for each error, the number and unit split behind it, not the first such pair on the line', () => {
    let lines: string[] = [];
    try {
      damoArgsToParams(words('--damos_action stat --damos_age 5 s --damos_quotas 0 64 GiB 1s'));
    } catch (e) {
      lines = (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    expect(lines.map((l) => /^(--\w+):.*"(\d+ \w+)" is two values/.exec(l)?.slice(1, 3))).toEqual([
      ['--damos_quotas', '64 GiB'],
      ['--damos_age', '5 s'],
    ]);
  });

  it("--kdamonds JSON with a size in GB draws the warning a scenario file's does, at the option's path", () => {
    const fixture = structuredClone(FIXTURE) as { kdamonds: Array<{ contexts: Array<{ schemes: Array<{ quotas: Record<string, unknown> }> }> }> };
    fixture.kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes = '1 GB';
    const r = damoArgsToParams(['--kdamonds', JSON.stringify(fixture)], { compat: 'upstream' });
    expect(r.warnings.filter((w) => w.message.includes('read as')).map((w) => `${w.path}: ${w.message}`)).toEqual([
      '--kdamonds.kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes: "1 GB" is read as 1 GiB (1073741824 bytes), as damo reads it: every size unit is binary; write "1 GiB" to say so (the decimal size would be 1000000000 bytes)',
    ]);
    expect(r.params[0].contexts[0].schemes[0].quota.sz).toBe(1n << 30n);
  });

  it('a size in KB/MB/GB on the command line draws the same warning, at the option, once per option and value', () => {
    const r = damoArgsToParams(words(CMD_16));
    expect(r.warnings.filter((w) => w.message.includes('read as')).map((w) => `${w.path}: ${w.message}`)).toEqual([
      // Both schemes' "200MB": one warning.
      '--damos_quotas: value 2 (<bytes>): "200MB" is read as 200MiB (209715200 bytes), as damo reads it: every size unit is binary; write "200MiB" to say so (the decimal size would be 200000000 bytes)',
    ]);
    expect(r.params[0].contexts[0].schemes[0].quota.sz).toBe(200n << 20n);
    const more = damoArgsToParams(words('--ops paddr --regions "4GB-68G" --damos_action stat --damos_sz_region 4KB 2TB --damos_filter allow addr 1GB 2G'));
    expect(more.warnings.filter((w) => w.message.includes('read as')).map((w) => `${w.path}: ${w.message.split(' is read as ')[0]} → ${w.message.split('(the decimal size would be ')[1]}`)).toEqual([
      '--regions: "4GB" → 4000000000 bytes)',
      '--damos_sz_region: "4KB" → 4000 bytes)',
      '--damos_sz_region: "2TB" → 2000000000000 bytes)',
      '--damos_filter: "1GB" → 1000000000 bytes)',
    ]);
    // Binary units, bare numbers and a single-letter unit are damo's own spelling: no warning.
    expect(damoArgsToParams(words('--ops paddr --regions "4G-68GiB" --damos_action stat --damos_sz_region 4096 2MiB')).warnings.filter((w) => w.message.includes('read as'))).toEqual([]);
    // An error elsewhere keeps the warning beside it.
    try {
      damoArgsToParams(words('--damos_action stat --damos_quotas 0 1GB 1s --damos_age x max'));
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).warnings.map((w) => w.path)).toEqual(['--damos_quotas']);
    }
  });

  it('with the kernel reading, the same params modulo the nid upstream damo drops', () => {
    const fromArgs = damoArgsToParams(words(CMD_16)).params;
    const fromJson = readKdamonds(FIXTURE).params;
    expect(fromArgs[0].contexts[0].schemes[0].quota.goals[0].nid).toBe(0);
    expect(fromJson[0].contexts[0].schemes[0].quota.goals[0].nid).toBeNull();
    fromJson[0].contexts[0].schemes[0].quota.goals[0].nid = 0;
    expect(fromArgs).toEqual(fromJson);
  });

  it('the i-th --damos_age belongs to the i-th scheme, wherever it is typed (damo\'s positional lists)', () => {
    const literal = CMD_16.replace(' --damos_age min max', '');
    const p = damoArgsToParams(words(literal)).params[0].contexts[0].schemes;
    expect(p[0].pattern.minAgeRegion).toBe(50); // 5 s / 100 ms
    expect(p[1].pattern.minAgeRegion).toBe(0);
  });

  it('a JSON file with the same scheme in raw numbers gives equal params', () => {
    const json = {
      kdamonds: [
        {
          contexts: [
            {
              ops: 'paddr',
              targets: [{ regions: [{ start: 4 * 2 ** 30, end: 68 * 2 ** 30 }] }],
              intervals: { sample_us: 5000, aggr_us: 100000, ops_update_us: 1000000 },
              schemes: [
                {
                  action: 'pageout',
                  access_pattern: { sz_bytes: { min: 4096, max: 'max' }, nr_accesses: { min: 0, max: 0 }, age: { min: 30000000, max: 'max' } },
                  quotas: { time_ms: 10, sz_bytes: 134217728, reset_interval_ms: 1000, weights: { sz_permil: 1, nr_accesses_permil: 1, age_permil: 1 }, goal_tuner: 'temporal',
                    goals: [{ metric: 'some_mem_psi_us', target_value: 1000, current_value: 0 }], fail_charge_num: 1, fail_charge_denom: 4 },
                  watermarks: { metric: 'free_mem_rate', interval_us: 5000000, high_permil: 500, mid_permil: 400, low_permil: 50 },
                  filters: [{ filter_type: 'anon', matching: false, allow: false }, { filter_type: 'memcg', matching: true, allow: true, memcg_path: '/workload' }],
                  max_nr_snapshots: 100,
                },
              ],
            },
          ],
          refresh_ms: 1000,
        },
      ],
    };
    const cmd = `--regions 4G-68G --damos_action pageout --damos_sz_region 4K max --damos_access_rate 0 0 --damos_age 30s max
      --damos_quota_interval 1s --damos_quota_time 10ms --damos_quota_space 128M
      --damos_quota_goal some_mem_psi_us 1ms --damos_quota_goal_tuner temporal --damos_quota_fail_charge_ratio 1 4
      --damos_wmarks free_mem_rate 5s 50% 40% 5% --damos_filter anon nomatching --damos_filter memcg matching /workload allow
      --damos_max_nr_snapshots 100 --refresh_stat 1s`;
    expect(damoArgsToParams(words(cmd)).params).toEqual(readKdamonds(json).params);
  });

  it('--damos_quota_goal_tuner given for fewer goal-tuned schemes than there are: the rest get consist, as in damo, with a warning', () => {
    const pair = (tuners: string) =>
      damoArgsToParams(
        words(
          `--regions 4G-68G --damos_action migrate_hot 0 --damos_quotas 0 1G 1s --damos_quota_goal node_eligible_mem_bp 6000 0 ${tuners}
           --damos_action migrate_hot 1 --damos_quotas 0 1G 1s --damos_quota_goal node_eligible_mem_bp 4000 1 --damos_nr_quota_goals 1 1`,
        ),
      );
    const once = pair('--damos_quota_goal_tuner temporal');
    expect(once.params[0].contexts[0].schemes.map((s) => s.quota.goalTuner)).toEqual(['temporal', 'consist']);
    expect(once.warnings).toEqual([
      {
        path: '--damos_quota_goal_tuner',
        message: "given 1 time, for the first scheme (the i-th goes to the i-th --damos_action, as damo takes it); scheme 1 has quota goals and gets damo's default tuner, consist (give the option once per scheme)",
      },
    ]);
    // Once per scheme, or not at all: nothing to say.
    expect(pair('--damos_quota_goal_tuner temporal --damos_quota_goal_tuner temporal').warnings).toEqual([]);
    expect(pair('').warnings).toEqual([]);
  });

  it('--damos_sz_region past ULONG_MAX is ULONG_MAX, as damo writes it (write_ulong); --damos_quota_space past it is refused', () => {
    const s = damoArgsToParams(words('--damos_action stat --damos_sz_region 4K 99999999999999999999')).params[0].contexts[0].schemes[0];
    expect([s.pattern.minSzRegion, s.pattern.maxSzRegion]).toEqual([4096n, 2n ** 64n - 1n]);
    const both = damoArgsToParams(words('--damos_action stat --damos_sz_region 99999999999999999999 max')).params[0].contexts[0].schemes[0];
    expect([both.pattern.minSzRegion, both.pattern.maxSzRegion]).toEqual([2n ** 64n - 1n, 2n ** 64n - 1n]);
    // Ages and percents past it are refused (damon-sim's limit; damo converts them, then caps).
    expect(() => damoArgsToParams(words('--damos_action stat --damos_age 0 1e30s'))).toThrow(/^--damos_age: .*larger than ULONG_MAX/);
    expect(() => damoArgsToParams(words('--damos_action stat --damos_access_rate 0 1e30'))).toThrow(/^--damos_access_rate: .*larger than ULONG_MAX/);
    expect(() => damoArgsToParams(words('--damos_action stat --damos_quota_interval 1s --damos_quota_space 99999999999999999999'))).toThrow(/^--damos_quota_space: .*larger than ULONG_MAX/);
    // Each component option's bad value is named as typed (they were all --damos_quotas once).
    expect(() => damoArgsToParams(words('--damos_action stat --damos_quota_interval 1s --damos_quota_time 5q'))).toThrow(/^--damos_quota_time: expected a time/);
    expect(() => damoArgsToParams(words('--damos_action stat --damos_quota_interval 1q'))).toThrow(/^--damos_quota_interval: expected a time/);
    expect(() => damoArgsToParams(words('--damos_action stat --damos_quota_interval 1s --damos_quota_weights 1 2 5q'))).toThrow(/^--damos_quota_weights: /);
    expect(() => damoArgsToParams(words('--damos_action stat --damos_quotas 10ms 5q 1s'))).toThrow(/^--damos_quotas: value 2 \(<bytes>\): expected a size/);
  });

  it('--damos_quotas (positional) weights default to 0; the component style to 1 permil each', () => {
    const pos = damoArgsToParams(words('--damos_action stat --damos_quotas 10ms 1G 1s')).params[0].contexts[0].schemes[0].quota;
    expect([pos.weightSz, pos.weightNrAccesses, pos.weightAge]).toEqual([0, 0, 0]);
    expect([pos.ms, pos.sz, pos.resetIntervalMs]).toEqual([10, G, 1000]);
    const comp = damoArgsToParams(words('--damos_action stat --damos_quota_interval 1s')).params[0].contexts[0].schemes[0].quota;
    expect([comp.weightSz, comp.weightNrAccesses, comp.weightAge]).toEqual([1, 1, 1]);
    const w = damoArgsToParams(words('--damos_action stat --damos_quotas 0 0 1s 5% 0.1% 7')).params[0].contexts[0].schemes[0].quota;
    expect([w.weightSz, w.weightNrAccesses, w.weightAge]).toEqual([50, 1, 7]);
  });

  it('migrate actions take a node id or destination id/weight pairs', () => {
    const s = damoArgsToParams(words('--damos_action migrate_hot 0 1 1 3')).params[0].contexts[0].schemes[0];
    expect(s.dests).toEqual([{ id: 0, weight: 1 }, { id: 1, weight: 3 }]);
    expect(s.targetNid).toBe(-1);
    expect(damoArgsToParams(words('--damos_action migrate_cold 1')).params[0].contexts[0].schemes[0].targetNid).toBe(1);
  });

  it('several filters in one option, "none" for non-matching; the old form still parses', () => {
    const f = damoArgsToParams(words('--damos_action stat --damos_filter reject none young allow addr 4G 8G allow target 1 reject hugepage_size 2M 2M')).params[0].contexts[0].schemes[0].filters;
    expect(f.map((x) => [x.type, x.matching, x.allow])).toEqual([
      ['young', false, false],
      ['addr', true, true],
      ['target', true, true],
      ['hugepage_size', true, false],
    ]);
    expect(f[1].addrRange).toEqual({ start: 4 * 2 ** 30, end: 8 * 2 ** 30 });
    expect(f[3].hugepageSize).toEqual([2 ** 21, 2 ** 21]);
    const old = damoArgsToParams(words('--damos_action stat --damos_filter young matching allow --damos_filter anon nomatching')).params[0].contexts[0].schemes[0].filters;
    expect(old.map((x) => [x.type, x.matching, x.allow])).toEqual([
      ['young', true, true],
      ['anon', false, false],
    ]);
  });

  it('intervals (-s -a -u, autotune), nr_regions (-n -m), addr_unit', () => {
    const c = damoArgsToParams(words('-s 10ms -a 200ms -u 2s -n 20 -m 2000 --monitoring_intervals_autotune --damon_addr_unit 4K --regions 4G-8G')).params[0].contexts[0];
    expect(c.attrs).toMatchObject({ sampleInterval: 10000, aggrInterval: 200000, opsUpdateInterval: 2000000, minNrRegions: 20, maxNrRegions: 2000 });
    expect(c.attrs.intervalsGoal).toEqual({ accessBp: 400, aggrs: 3, minSampleUs: 5000, maxSampleUs: 10000000 });
    expect(c.addrUnit).toBe(4096);
    // Core addresses, as damo stages them: --regions is not divided by addr_unit.
    expect(c.targets[0].regions).toEqual([{ start: 4 * 2 ** 30, end: 8 * 2 ** 30 }]);
  });

  it('--numa_node with addr_unit: damo stages the byte range unconverted, and damon-sim says so', () => {
    const r = damoArgsToParams(words('--numa_node 0 --damon_addr_unit 4K'), machine);
    expect(r.params[0].contexts[0].targets[0].regions).toEqual([{ start: 4 * 2 ** 30, end: 68 * 2 ** 30 }]);
    expect(r.warnings.map((w) => [w.path, w.message])).toEqual([
      ['--numa_node', "damo writes the nodes' byte range unconverted into core-address region files; with addr_unit 4096 the kernel reads 4294967296-73014444032 as bytes × 4096"],
    ]);
    expect(damoArgsToParams(words('--numa_node 0'), machine).warnings).toEqual([]);
  });

  it('--numa_node maps node ids to the machine\'s ranges; without --regions paddr takes the biggest node', () => {
    const p = damoArgsToParams(words('--numa_node 0 1'), machine).params[0].contexts[0].targets[0].regions;
    expect(p).toEqual([{ start: 4 * 2 ** 30, end: 132 * 2 ** 30 }]);
    const d = damoArgsToParams(words('--damos_action stat'), machine).params[0].contexts[0].targets[0].regions;
    expect(d).toEqual([{ start: 4 * 2 ** 30, end: 68 * 2 ** 30 }]);
  });

  it('several contexts and kdamonds (--nr_targets, --nr_schemes, --nr_ctxs), as scripts/mem_tier.sh', () => {
    const cmd = `--numa_node 0 --numa_node 1 --monitoring_intervals_goal 4% 3 5ms 10s --monitoring_intervals_goal 4% 3 5ms 10s
      --damos_action migrate_cold 1 --damos_access_rate 0% 0% --damos_apply_interval 1s --damos_quotas 0 200MB 1s
      --damos_quota_goal node_mem_free_bp 0.5% 0 --damos_filter reject young
      --damos_action migrate_hot 0 --damos_access_rate 5% max --damos_apply_interval 1s --damos_quotas 0 200MB 1s
      --damos_quota_goal node_mem_used_bp 99.7% 0 --damos_filter allow young
      --damos_nr_quota_goals 1 1 --damos_nr_filters 1 1 --nr_targets 1 1 --nr_schemes 1 1 --nr_ctxs 1 1`;
    const p = damoArgsToParams(words(cmd), machine).params;
    expect(p).toHaveLength(2);
    expect(p[1].contexts[0].targets[0].regions).toEqual([{ start: 68 * 2 ** 30, end: 132 * 2 ** 30 }]);
    expect(p[1].contexts[0].schemes[0].quota.goals[0]).toMatchObject({ metric: 'node_mem_used_bp', targetValue: 9970n, nid: 0 });
    expect(p[0].contexts[0].schemes[0].pattern.maxNrAccesses).toBe(0);
    expect(p[1].contexts[0].schemes[0].pattern.minNrAccesses).toBe(1); // 5 % of 20 samples
  });

  it('node_eligible_mem_bp keeps its nid; --damo-compat upstream drops it with a warning', () => {
    const kernel = damoArgsToParams(words('--damos_action migrate_hot 0 --damos_quotas 0 1G 1s --damos_quota_goal node_eligible_mem_bp 6000 1'));
    expect(kernel.params[0].contexts[0].schemes[0].quota.goals[0].nid).toBe(1);
    expect(kernel.warnings).toEqual([]);
    const up = damoArgsToParams(words('--damos_action migrate_hot 0 --damos_quotas 0 1G 1s --damos_quota_goal node_eligible_mem_bp 6000 1'), { compat: 'upstream' });
    expect(up.params[0].contexts[0].schemes[0].quota.goals[0].nid).toBeNull();
    expect(up.warnings[0]).toMatchObject({ path: '--damos_quota_goal' });
    expect(up.warnings[0].message).toMatch(/nid 1 dropped; the kernel then measures node 0/);
  });

  it("node_eligible_mem_bp with its target only (upstream damo's form) has no nid, as in a file without one", () => {
    const r = damoArgsToParams(words('--damos_action migrate_hot 0 --damos_quotas 0 1G 1s --damos_quota_goal node_eligible_mem_bp 6000'));
    expect(r.params[0].contexts[0].schemes[0].quota.goals[0]).toMatchObject({ metric: 'node_eligible_mem_bp', targetValue: 6000n, nid: null });
    expect(r.warnings.map((w) => w.message)).toContain('metric node_eligible_mem_bp measures a node; no nid given, so the kernel uses node 0');
    // The node metrics damo always gave a nid still need one.
    expect(() => damoArgsToParams(words('--damos_action stat --damos_quotas 0 1G 1s --damos_quota_goal node_mem_used_bp 6000'))).toThrow(/expected node_mem_used_bp <target> <nid>/);
  });

  it('argparse-like word splitting: fixed counts, "+" up to the next option, negative numbers are values', () => {
    const s = splitDamoTokens(words('--damos_action migrate_hot -1 --damos_sz_region 4K max --ops=paddr'));
    expect(s.occurrences.get('--damos_action')).toEqual([['migrate_hot', '-1']]);
    expect(s.occurrences.get('--damos_sz_region')).toEqual([['4K', 'max']]);
    expect(s.occurrences.get('--ops')).toEqual([['paddr']]);
  });
});

describe('damo command line errors: option, expected, found', () => {
  it.each([
    ['--damos_action reclaim', '--damos_action', /expected an action \(willneed, .*stat\); found "reclaim"/],
    ['--damos_action migrate_hot', '--damos_action', /expected migrate_hot <nid> or migrate_hot <id> <weight>/],
    ['--damos_action pageout 1', '--damos_action', /expected no values after pageout/],
    ['--damos_action stat --damos_access_rate 5x max', '--damos_access_rate', /expected a percentage .*; found "5x"/],
    ['--damos_action stat --damos_sz_region 4Q max', '--damos_sz_region', /expected a size such as .*units: B K KB KiB.*found "4Q"/],
    ['--damos_action stat --damos_age 5 parsecs', '--damos_age', /expected a time .*found "parsecs"/],
    ['--damos_action stat --damos_sz_region 4K', '--damos_sz_region', /expected 2 values \(<min> <max>\); found 1/],
    ['--damos_action stat --damos_sz_region 4K max --damos_sz_region 4K max', '--damos_sz_region', /expected at most one per --damos_action \(1\); found 2/],
    ['--damos_action stat --damos_quotas 0 1G 1s --damos_quota_interval 1s', '--damos_quotas', /either --damos_quotas or the component options.*not both/],
    ['--damos_action stat --damos_quotas 0 1G --damos_quota_goal user_input 100 10', '--damos_quotas', /expected a reset interval \(third value\) when quota goals are set/],
    ['--damos_action stat --damos_quota_goal user_input 100 10', '--damos_quota_goal', /expected quotas with a reset interval .* for scheme 0/],
    ['--damos_action stat --damos_quotas 0 1G 1s --damos_quota_goal node_eligible_mem_bp 60% 0', '--damos_quota_goal', /expected a plain bp integer such as 6000 for node_eligible_mem_bp .*; found "60%"/],
    ['--damos_action stat --damos_quotas 0 1G 1s --damos_quota_goal node_mem_free_bp 5%', '--damos_quota_goal', /expected node_mem_free_bp <target> <nid>; found "node_mem_free_bp 5%"/],
    ['--damos_action stat --damos_quotas 0 1G 1s --damos_quota_goal user_input 100', '--damos_quota_goal', /expected user_input <target> <current value>; found no current value/],
    ['--damos_action stat --damos_quotas 0 1G 1s --damos_quota_goal memory_pressure 1', '--damos_quota_goal', /expected a metric \(user_input, .*node_eligible_mem_bp\); found "memory_pressure"/],
    ['--damos_action stat --damos_action stat --damos_filter allow young', '--damos_nr_filters', /expected --damos_nr_filters \(one count per scheme\) with 2 schemes/],
    ['--damos_action stat --damos_filter allow young --damos_nr_filters 2', '--damos_nr_filters', /adding up to the number of --damos_filter options \(1\); found 2 \(sum 2\)/],
    ['--damos_action stat --damos_filter allow bogus', '--damos_filter', /expected a filter type \(anon, active, young, unmapped, memcg <path>.*found "bogus"/],
    ['--damos_action stat --damos_filter allow addr 4G', '--damos_filter', /expected <start> <end> \(bytes\) after "addr"/],
    ['--damos_action stat --damos_wmarks high 1s 1 1 1', '--damos_wmarks', /expected a metric \(none, free_mem_rate\); found "high"/],
    ['--damos_action stat --damos_quota_goal_tuner fast', '--damos_quota_goal_tuner', /expected one of consist, temporal; found "fast"/],
    // damo splits an option's values at spaces: a unit apart from its number is the next value,
    // and every value after it is one place off (the error names the pair in the user's words, and suggests a size unit in the binary spelling damo reads it as).
    ['--damos_action stat --damos_quotas 0 64 gb 1s', '--damos_quotas', /^value 3 \(<reset interval>\): expected a time .*; found "gb" \(damo splits an option's values at spaces: "64 gb" is two values, "64" and "gb"; write "64GiB" or quote "64 GiB"\)$/],
    ['--damos_action stat --damos_quotas 0 64GiB 1x', '--damos_quotas', /^value 3 \(<reset interval>\): expected a time .*; found "1x"$/],
    ['--damos_action stat --damos_quotas ms', '--damos_quotas', /^value 1 \(<time>\): expected a time .*; found "ms" \(damo splits an option's values at spaces: write a number and its unit as one value, as "1ms" or quoted "1 ms"\)$/],
    ['--damos_action stat --damos_quota_space 64 --damos_quota_interval 1 s', 'damo options', /^expected an option; found the stray value "s" \(damo splits an option's values at spaces: "1 s" is two values, "1" and "s"; write "1s" or quote "1 s"\)$/],
    ['--damos_action stat --damos_sz_region 4 KiB max', 'damo options', /^expected an option; found the stray value "max" \(damo splits an option's values at spaces: "4 KiB" is two values/],
    ['--damos_action stat --damos_wmarks free_mem_rate 5 s 500 400 200', 'damo options', /found the pid "200" \(damo splits an option's values at spaces: "5 s" is two values, "5" and "s"; write "5s" or quote "5 s"\)$/],
    // The pair named is the one behind the error, not the first on the line.
    ['--damos_action stat --damos_age 5 s --damos_quotas 0 64 GiB 1s', '--damos_quotas', /found "GiB" \(damo splits an option's values at spaces: "64 GiB" is two values/],
    // A pid before the pair was not shifted by it: no hint.
    ['1234 --damos_action stat --damos_age 5 s', 'damo options', /found the pid "1234"$/],
    ['--damos_access_rate 5% max', '--damos_access_rate', /expected --damos_action before any --damos_\* option/],
    ['--ops kvm', '--ops', /expected one of vaddr, fvaddr, paddr; found "kvm"/],
    // damon-sim simulates paddr only: said at the option that chose the context's ops, before
    // anything a vaddr context would need (its pid).
    ['--ops vaddr', '--ops', /expected a "paddr" context \(damon-sim simulates the physical address space operations set only\); found "vaddr"$/],
    ['--ops fvaddr --target_pid 12', '--ops', /found "fvaddr"$/],
    ['--target_pid 12', '--target_pid', /found a pid, which makes context 0 "vaddr"$/],
    ['--regions 8G-4G', '--regions', /expected start < end; found "8G-4G"/],
    ['--regions 4G-8G,8G-9G', '--regions', /expected "<start>-<end>" ranges separated by spaces/],
    ['--numa_node 0', '--numa_node', /expected a machine to map node ids to physical ranges/],
    ['--damos_action stat --frobnicate', '--frobnicate', /found unknown option "--frobnicate"/],
    ['--monitoring_intervals 5ms 100ms', '--monitoring_intervals', /expected 3 values \(<sample> <aggr> <update>\); found 2/],
    ['--monitoring_intervals_goal 4% 3 5ms 10s --monitoring_intervals_goal 4% 3 5ms 10s', '--nr_targets', /expected --nr_targets \(one count per context\) with 2 contexts/],
    ['--damon_addr_unit 0', '--damon_addr_unit', /expected a non-zero number of bytes/],
    ['--nr_ctxs 2', '--nr_ctxs', /adding up to the number of contexts \(1\); found 2/],
    ['--pause_ctx 1', '--pause_ctx', /expected a context index below 1; found 1/],
    ['--kdamonds {bad', '--kdamonds', /expected JSON text or a JSON file \(damo reads it as JSON only\); found "{bad", which does not parse/],
    ['--schemes [{"action":tru}]', '--schemes', /which does not parse \(1:12: "tru", which is not a JSON value/],
    ['--schemes [{"action":"stat"}', '--schemes', /which does not parse \(1:19: a syntax error at the end: expected ',' or ']' after array element\)$/],
    ['--kdamonds [1]', '--kdamonds', /expected a JSON object {"kdamonds": \[...\]}.*found a list/],
    // damo reads a path's text only if it is a regular file (os.path.isfile()): a directory is not JSON text either.
    ['--kdamonds /', '--kdamonds', /^expected JSON text or a JSON file; found "\/", a directory \(EISDIR\)$/],
    ['--kdamonds /dev/null', '--kdamonds', /^expected JSON text or a JSON file; found "\/dev\/null", which is not a regular file \(damo reads JSON text from a regular file only\)$/],
    ['--kdamonds {"kdamonds":[]} --damos_age 1s max', '--damos_age', /expected --damos_action with --damos_\* options/],
    ['-c {"action":"stat"}', '--schemes', /expected a JSON list of scheme objects/],
    ['--schemes [] --ops paddr --ops paddr --nr_targets 1 1', '--schemes', /expected one context for the schemes to go to; found 2/],
    ['--obsolete_targets', '--obsolete_targets', /set `obsolete: true` on the targets in a kdamonds file/],
    ['--out=x.json', '--out', /^expected an option damon-sim supports; found --out, which it does not: redirect the output instead/],
    ['1234 --damos_action stat', 'damo options', /expected the deducible target "paddr" .*; found the pid "1234"/],
  ])('%s', (argv, path, message) => expectError(argv, path, message));

  it('--kdamonds gives the whole config (JSON text or file, damo\'s {"kdamonds": [...]}), the other options ignored with a warning', () => {
    const tree = damoArgsToTree(words(CMD_16)).tree;
    const json = JSON.stringify(tree);
    const viaArgs = damoArgsToParams(words(CMD_16)).params;
    const inline = damoArgsToParams(['--kdamonds', json]);
    expect(inline.params).toEqual(viaArgs);
    expect(inline.warnings).toEqual([]);
    const tmp = mkdtempSync(join(tmpdir(), 'damon-sim-args-'));
    const file = join(tmp, 'k.json');
    writeFileSync(file, json);
    let fromFile: ReturnType<typeof damoArgsToParams>;
    try {
      fromFile = damoArgsToParams(['--kdamonds', file, '--minr', '20', 'paddr']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(fromFile.params).toEqual(viaArgs);
    expect(fromFile.warnings.map((w) => [w.path, w.message])).toEqual([['--kdamonds', 'the whole config comes from --kdamonds; ignored, as damo does: --minr']]);
    // Its errors name the path inside it.
    const bad = structuredClone(tree) as { kdamonds: Array<{ contexts: Array<{ schemes: Array<{ action: string }> }> }> };
    bad.kdamonds[0].contexts[0].schemes[1].action = 'reclaim';
    const err = (() => {
      try {
        damoArgsToParams(['--kdamonds', JSON.stringify(bad)]);
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(err?.issues[0].path).toBe('--kdamonds.kdamonds[0].contexts[0].schemes[1].action');
    expect(err?.issues[0].message).toMatch(/reclaim/);
  });

  it('a --kdamonds config with errors still shows its warnings (an unknown key may be why)', () => {
    const kd = JSON.stringify({ kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [] }], schemes: [{ actoin: 'stat', action: 'reclaim' }] }] }] });
    let err: ConfigError | undefined;
    try {
      damoArgsToParams(['--kdamonds', kd]);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.issues.map((i) => i.path)).toEqual(['--kdamonds.kdamonds[0].contexts[0].schemes[0].action']);
    expect(err?.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(['--kdamonds.kdamonds[0].contexts[0].schemes[0].actoin: unknown key, ignored (as damo does); check its spelling']);
  });

  it('a filter\'s probe_hits_wsum_range (damo\'s newer dumps write it in every filter) is known: null is quiet, a range is ignored with a warning', () => {
    const filter = (range: unknown) => ({ filter_type: 'anon', matching: true, allow: false, memcg_path: null, address_range: null, damon_target_idx: null, hugepage_size: null, probe_hits_wsum_range: range });
    const kd = (range: unknown) => JSON.stringify({ kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [] }], schemes: [{ action: 'stat', filters: [filter(range)] }] }] }] });
    expect(damoArgsToParams(['--kdamonds', kd(null)]).warnings).toEqual([]);
    expect(damoArgsToParams(['--kdamonds', kd([1, 2])]).warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      '--kdamonds.kdamonds[0].contexts[0].schemes[0].filters[0].probe_hits_wsum_range: expected null (damon-sim does not model probes); found a range, ignored',
    ]);
  });

  it('a positional config is read as damo reads its deducible target first: a ".yaml" file as YAML, else JSON text or a JSON file (`damo args damon cfg.yaml`)', async () => {
    const tree = damoArgsToTree(words(CMD_16)).tree;
    const viaArgs = damoArgsToParams(words(CMD_16)).params;
    const tmp = mkdtempSync(join(tmpdir(), 'damon-sim-args-'));
    try {
      const yamlFile = join(tmp, 'k.yaml');
      const jsonFile = join(tmp, 'k.json');
      const yamlText = (await cli(['args', ...words(CMD_16), '--format', 'yaml'])).out;
      writeFileSync(yamlFile, yamlText);
      writeFileSync(jsonFile, JSON.stringify(tree));
      for (const t of [yamlFile, jsonFile, JSON.stringify(tree)]) {
        const r = damoArgsToParams([t]);
        expect(r.params).toEqual(viaArgs);
        expect(r.warnings).toEqual([]);
      }
      // damo's own YAML output converts back to the same YAML, and to the JSON of the options.
      const back = await cli(['args', yamlFile, '--format', 'yaml']);
      expect(back.code, back.err).toBe(0);
      expect(back.out).toBe(yamlText);
      expect((await cli(['args', yamlFile])).out).toBe((await cli(['args', ...words(CMD_16)])).out);
      // The other options are ignored, as with --kdamonds; --kdamonds wins over it, as in damo.
      expect(damoArgsToParams([yamlFile, '--minr', '20']).warnings.map((w) => [w.path, w.message])).toEqual([[yamlFile, `the whole config comes from ${yamlFile}; ignored, as damo does: --minr`]]);
      expect(damoArgsToParams(['--kdamonds', jsonFile, yamlFile]).warnings.map((w) => w.message)).toEqual([`the whole config comes from --kdamonds; ignored, as damo does: ${yamlFile}`]);
      // Errors name the file and the path inside it.
      writeFileSync(yamlFile, yamlText.replace('action: migrate_hot', 'action: reclaim'));
      const bad = await cli(['args', yamlFile]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(new RegExp(`^damon-sim: error: ${yamlFile.replace(/[.]/g, '\\.')}\\.kdamonds\\[0\\]\\.contexts\\[0\\]\\.schemes\\[0\\]\\.action: .*reclaim`, 'm'));
      writeFileSync(yamlFile, 'a: [1,\n');
      expect((await cli(['args', yamlFile])).err).toMatch(/^damon-sim: error: .*k\.yaml:1:\d+: expected YAML/);
      mkdirSync(join(tmp, 'd.yaml'));
      expectError(join(tmp, 'd.yaml'), join(tmp, 'd.yaml'), `expected a kdamonds YAML file (damo reads a positional word ending in ".yaml" as one); found ${JSON.stringify(join(tmp, 'd.yaml'))}, which is not a regular file`);
      writeFileSync(yamlFile, 'contexts: []\n');
      expectError(yamlFile, yamlFile, 'expected a YAML object {"kdamonds": [...]} (damo reads its "kdamonds" key); found {"contexts":[]}');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    // JSON text in its place is named "positional kdamonds", not repeated in every message.
    const badText = JSON.stringify(tree).replace('"migrate_hot"', '"reclaim"');
    expect(() => damoArgsToParams([badText])).toThrow(ConfigError);
    try {
      damoArgsToParams([badText]);
    } catch (e) {
      expect((e as ConfigError).issues.map((i) => i.path)).toEqual(['positional kdamonds.kdamonds[0].contexts[0].schemes[0].action']);
    }
    expectError('nope.yaml', 'nope.yaml', 'expected a kdamonds YAML file (damo reads a positional word ending in ".yaml" as one); found "nope.yaml", which is no file');
    // Any other word is no config: paddr is the target; a stray word is named as before.
    expect(damoArgsToParams(['paddr', '--damos_action', 'stat']).params[0].contexts[0].schemes).toHaveLength(1);
    expectError('kd.yml', 'damo options', 'expected an option; found the stray value "kd.yml"');
  });

  it('-c/--schemes gives the schemes of the context the other options build, unless --damos_action does', () => {
    const tree = damoArgsToTree(words(CMD_16)).tree as { kdamonds: Array<{ contexts: Array<{ schemes: unknown[] }> }> };
    const schemes = JSON.stringify(tree.kdamonds[0].contexts[0].schemes);
    const ctxOpts = '--ops paddr --regions "4G-68G 68G-132G" --monitoring_intervals_goal 4% 3 5ms 10s';
    const viaArgs = damoArgsToParams(words(CMD_16)).params;
    expect(damoArgsToParams([...words(ctxOpts), '-c', schemes]).params).toEqual(viaArgs);
    expect(damoArgsToParams([...words(ctxOpts), '--schemes', schemes]).params).toEqual(viaArgs);
    const both = damoArgsToParams([...words(CMD_16), '--schemes', '[]']);
    expect(both.params).toEqual(viaArgs);
    expect(both.warnings.map((w) => w.path)).toEqual(['--damos_quotas', '--schemes']);
  });

  it('percent bounds stage as damo writes them and the kernel keeps them: int(% × aggr / sample / 100), cut to 32 bits', () => {
    const pattern = (cmd: string) => {
      const r = damoArgsToParams(words(cmd));
      return { p: r.params[0].contexts[0].schemes[0].pattern, w: r.warnings.map((x) => x.message) };
    };
    // "max" % is ULONG_MAX %: with 5 ms / 100 ms, int(2^64 × 20 / 100) = 3,689,348,814,741,910,528,
    // whose low 32 bits are 858,993,664: still above any count an aggregation holds.
    const dflt = pattern('--damos_action stat --damos_access_rate 5% max');
    expect([dflt.p.minNrAccesses, dflt.p.maxNrAccesses]).toEqual([1, 858_993_664]);
    expect(dflt.w).toEqual([]);
    // 4 ms: int(2^64 × 25 / 100) = 2^62, low 32 bits 0: the scheme matches nothing on a real kernel.
    const fast = pattern('--damos_action stat --damos_access_rate 5% max -s 4ms');
    expect([fast.p.minNrAccesses, fast.p.maxNrAccesses]).toEqual([1, 0]);
    expect(fast.w).toEqual([
      '"max" % (ULONG_MAX % for damo) stages 4611686018427387904 samples, of which the kernel\'s 32-bit field keeps 0: fewer than the 25 samples an aggregation can hold',
      'min 1 > max 0 samples: the scheme never matches a region',
    ]);
    // 1 ms / 100 ms: "max" % is 2^64 samples, which damo writes as ULONG_MAX (write_ulong():
    // min(val, ulong_max)) and the kernel's 32-bit field keeps as UINT_MAX: no bound.
    const slow = pattern('--damos_action stat --damos_access_rate 5% max -s 1ms');
    expect([slow.p.minNrAccesses, slow.p.maxNrAccesses]).toEqual([5, 0xffff_ffff]);
    expect(slow.w).toEqual([]);
    // Counts written out in kernel units are cut the same way, with a word.
    const big = damoArgsToParams(['--kdamonds', JSON.stringify({ kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [] }], schemes: [{ action: 'stat', access_pattern: { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min: '0 samples', max: '4294967296 samples' }, age: { min: '0 aggr_intervals', max: '4294967297 aggr_intervals' } } }] }] }] })]);
    const bp = big.params[0].contexts[0].schemes[0].pattern;
    expect([bp.maxNrAccesses, bp.maxAgeRegion]).toEqual([0, 1]);
    expect(big.warnings.map((w) => w.message)).toEqual([
      "4294967296 samples: the kernel's 32-bit field keeps 0",
      "4294967297 aggregation intervals: the kernel's 32-bit field keeps 1",
    ]);
    // "N %" is N / 100 × 100 for damo (text_to_ratio): "29 %" of 100 samples stages int(28.999999999999996) = 28;
    // a bare 29 is 29.
    const kd = (min: string | number) => ({ kdamonds: [{ contexts: [{ ops: 'paddr', intervals: { sample_us: '1 ms', aggr_us: '100 ms', ops_update_us: '1 s' }, targets: [{ pid: null, regions: [] }], schemes: [{ action: 'stat', access_pattern: { sz_bytes: { min: 0, max: 'max' }, nr_accesses: { min, max: '100 %' }, age: { min: 0, max: 'max' } } }] }] }] });
    expect(damoArgsToParams(['--kdamonds', JSON.stringify(kd('29 %'))]).params[0].contexts[0].schemes[0].pattern.minNrAccesses).toBe(28);
    expect(damoArgsToParams(['--kdamonds', JSON.stringify(kd(29))]).params[0].contexts[0].schemes[0].pattern.minNrAccesses).toBe(29);
    // The same on damo's command line: --damos_access_rate 29 is the integer 29 (try_common_input),
    // "29%" is 28.999999999999996.
    expect(pattern('--damos_action stat --damos_access_rate 29 29 -s 1ms').p.minNrAccesses).toBe(29);
    expect(pattern('--damos_action stat --damos_access_rate 29% 29% -s 1ms').p.minNrAccesses).toBe(28);
    // Python's int() takes "+29" and "2_9" too: integers, 29 (the file reader's kd('+29') the same).
    expect([pattern('--damos_action stat --damos_access_rate +29 29 -s 1ms').p.minNrAccesses, pattern('--damos_action stat --damos_access_rate 2_9 29 -s 1ms').p.minNrAccesses]).toEqual([29, 29]);
    expect(damoArgsToParams(['--kdamonds', JSON.stringify(kd('+29'))]).params[0].contexts[0].schemes[0].pattern.minNrAccesses).toBe(29);
    // aggr / sample in floating point, as damo divides: 90 % of 100 ms / 3 ms is int(30.000000000000004) = 30.
    expect(pattern('--damos_action stat --damos_access_rate 90% 90% -s 3ms').p.minNrAccesses).toBe(30);
  });

  it('every bad option value is reported, one line each', () => {
    try {
      damoArgsToParams(words('--damos_action migrat_hot 0 --damos_access_rate 5x max --damos_age 5parsecs max --damos_action stat --damos_sz_region 4Q max'));
      throw new Error('no error');
    } catch (e) {
      expect((e as ConfigError).issues.map((i) => [i.path, /found "[^"]+"/.exec(i.message)?.[0]])).toEqual([
        // (the first --damos_sz_region is the first scheme's, wherever it is typed)
        ['--damos_action', 'found "migrat_hot"'],
        ['--damos_sz_region', 'found "4Q"'],
        ['--damos_access_rate', 'found "5x"'],
        ['--damos_age', 'found "5parsecs"'],
      ]);
    }
  });

  it('so are bad tuners, watermarks, fail-charge ratios, snapshot limits and goals without quotas', () => {
    let issues: ConfigError['issues'] = [];
    try {
      damoArgsToParams(
        words(
          '--damos_action stat --damos_wmarks foo 1 2 3 4 --damos_age x y --damos_quota_goal_tuner bar --damos_quota_fail_charge_ratio a b --damos_max_nr_snapshots z ' +
            '--damos_action stat --damos_quota_goal user_input 1 0 --damos_nr_quota_goals 0 1',
        ),
      );
    } catch (e) {
      issues = (e as ConfigError).issues;
    }
    expect(issues.map((i) => i.path)).toEqual([
      '--damos_quota_goal_tuner',
      '--damos_quota_fail_charge_ratio',
      '--damos_quota_fail_charge_ratio',
      '--damos_wmarks',
      '--damos_age',
      '--damos_max_nr_snapshots',
      '--damos_quota_goal',
    ]);
  });

  it('bad context-level values are all reported too, one line each, before the schemes\'', () => {
    let issues: ConfigError['issues'] = [];
    try {
      damoArgsToParams(words('--ops foo --sample 5x --minr abc --monitoring_intervals_goal 4% x 5ms 10s --damon_addr_unit 0 --pause_ctx 9 --damos_action bogus'));
    } catch (e) {
      issues = (e as ConfigError).issues;
    }
    expect(issues.map((i) => i.path)).toEqual(['--ops', '--sample', '--monitoring_intervals_goal', '--minr', '--damon_addr_unit', '--pause_ctx', '--damos_action']);
    expect(issues[4].message).toBe('expected a non-zero number of bytes per core address; found 0');
     // A bad --ops goes on as paddr: no later check blames an ops the user did not write.
    const only = (line: string) => {
      try {
        damoArgsToParams(words(line), machine);
      } catch (e) {
        return (e as ConfigError).issues.map((i) => i.path);
      }
      return [];
    };
    expect(only('--ops foo --target_pid 1 --damon_addr_unit 4K')).toEqual(['--ops']);
    expect(only('--ops foo --target_pid 1 --numa_node 0')).toEqual(['--ops']);
    expect(only('--damon_addr_unit 4K --damon_addr_unit 8K --sample 5x')).toEqual(['--damon_addr_unit', '--sample']);
  });

  it('the deducible target paddr and --pause_ctx', () => {
    const r = damoArgsToParams('paddr --pause_ctx 0 --damos_action stat'.split(' '));
    expect(r.params[0].contexts[0].ops).toBe('paddr');
    expect(r.params[0].contexts[0].pause).toBe(true);
    expect(damoArgsToParams(['--damos_action', 'stat']).params[0].contexts[0].pause).toBe(false);
  });

  it('--numa_node with a node the machine lacks', () => expectError('--numa_node 3', '--numa_node', /expected a node of the machine; found node 3/, machine));

  it('semantic checks of the kdamonds reader apply too (min > max)', () => {
    expectError('--damos_action stat --damos_sz_region 8K 4K', 'damo options.kdamonds[0].contexts[0].schemes[0].access_pattern.sz_bytes (--damos_sz_region)', /expected min <= max/);
  });

  it('--damos_access_rate min > max is said in the percent typed, with the samples each stages (it said "10 > 2 samples" for "50 10")', () => {
    const where = 'damo options.kdamonds[0].contexts[0].schemes[0].access_pattern.nr_accesses (--damos_access_rate)';
    const found = 'expected min <= max; found min 50 % (10 samples) > max 10 % (2 samples) at 20 samples per aggregation';
    expectError('--damos_action stat --damos_access_rate 50 10', where, found);
    expectError('--damos_action stat --damos_access_rate 50% 10%', where, found);
    // As typed, though damo reads "29 %" as 28.999999999999996 (the samples show that reading).
    expectError('--damos_action stat --damos_access_rate 30% 29%', where, 'expected min <= max; found min 30 % (6 samples) > max 29 % (5 samples) at 20 samples per aggregation');
  });
});

describe('damon-sim args / run with damo options', () => {
  it('args prints the kdamonds config (JSON by default), damon-sim options anywhere', async () => {
    const r = await cli(['args', ...words(CMD_16), '--damo-compat', 'upstream']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(FIXTURE);
    expect(r.err).toMatch(/warning: --damos_quota_goal: upstream damo v3\.3 ignores the nid word/);
  });

  it('a goal on node -1: without a machine the warning says ids start at 0, with one how many nodes it has', async () => {
    const goal = ['--damos_action', 'stat', '--damos_quotas', '0', '200MiB', '1s', '--damos_quota_goal', 'node_eligible_mem_bp', '6000', '-1'];
    const path = 'damo options.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].nid (--damos_quota_goal)';
    expect((await cli(['args', ...goal])).err).toContain(`damon-sim: warning: ${path}: node -1 does not exist (node ids start at 0): the metric reads 0\n`);
    expect((await cli(['args', '--preset', 'tiering-6040', ...goal])).err).toBe(`damon-sim: warning: ${path}: node -1 does not exist (the machine has 2): the metric reads 0\n`);
  });

  it("a memcg the preset's workload lacks: args refuses it as run would (found by fuzzing: args printed a config run then refused); without a machine it cannot know", async () => {
    const filter = ['--damos_action', 'stat', '--damos_filter', 'reject', 'memcg', '/foo'];
    const r = await cli(['args', '--preset', 'tiering-6040', ...filter]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('damon-sim: error: damo options.kdamonds[0].contexts[0].schemes[0].filters[0].memcg_path (--damos_filter): expected an existing cgroup ("/"); found "/foo"\n');
    expect((await cli(['args', '--preset', 'tiering-6040', '--damos_action', 'stat', '--damos_filter', 'reject', 'memcg', '/'])).code).toBe(0);
    expect((await cli(['args', ...filter])).code).toBe(0);
  });

  it("run: a word past a damo option's count of them is named as that option's, not taken for the scenario file (found by fuzzing)", async () => {
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '1s', '--damos_action', 'stat', '--damos_access_rate', '1', '2', '3', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('damon-sim: error: --damos_access_rate: expected 2 values (<min> <max>); found one more, "3"\n');
    // A file name there is still the scenario file (here one too many beside --preset).
    const f = await cli(['run', '--preset', 'tiering-6040', '--ops', 'paddr', 'missing.yaml', '--no-progress']);
    expect(f.err).toBe('damon-sim: error: --preset: expected either a scenario file or --preset; found both ("missing.yaml" and --preset tiering-6040)\n');
    // After a flag (no values) a word is the scenario file, as before (found in review).
    const flag = await cli(['run', '--monitoring_intervals_autotune', 'nosuch', '--no-progress']);
    expect(flag.err).toMatch(/^damon-sim: error: nosuch: expected a readable scenario file; found no such file \(ENOENT\)/);
  });

  it('args --format report prints damo report damon text', async () => {
    const r = await cli(['args', '--format', 'report', ...words(CMD_16)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('        scheme 0\n            action: migrate_hot to node 0 per 1 s\n            target access pattern\n');
    expect(r.out).toContain('                nr_accesses: [5 %, 18,446,744,073,709,551,615 %]\n');
    expect(r.out).toContain('                0 ns / 200.000 MiB / 0 B per 1 s\n');
    expect(r.out).toContain('                goal 0: metric node_eligible_mem_bp (nid 0) target 9,000 current 0\n');
    expect(r.out).toContain('                goal 0: metric node_mem_free_bp (nid 0) target 50 current 0\n');
    expect(r.out).toContain('                allow addr [73,014,444,032, 141,733,920,768) (64.000 GiB)\n');
    expect(r.out).toContain('            target 4 % accesses per 3 aggrs, [5 ms, 10 s] sampling interval\n');
    const up = await cli(['args', '--format', 'report', '--damo-compat', 'upstream', ...words(CMD_16)]);
    expect(up.out).toContain('goal 0: metric node_eligible_mem_bp target 9,000 current 0\n');
  });

  it('args --format yaml --preset (machine for --numa_node)', async () => {
    const r = await cli(['args', '--numa_node', '1', '--damos_action', 'stat', '--format', 'yaml', '--preset', 'tiering-6040']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('      - start: 38,654,705,664\n        end: 73,014,444,032\n');
    // damo print()s yaml.dump()'s text, which ends with a newline of its own: two in all; JSON one.
    expect(r.out.endsWith('filters: []\n\n')).toBe(true);
    expect((await cli(['args', '--damos_action', 'stat'])).out.endsWith('}\n')).toBe(true);
  });

  it('args with a machine warns about regions and addr filters that miss all its memory, as a scenario would', async () => {
    const opts = ['--regions', '100G-200G', '--damos_action', 'stat', '--damos_filter', 'addr', 'matching', '4G', '36G', '--damos_filter', 'addr', 'matching', '100G', '200G'];
    const r = await cli(['args', ...opts, '--preset', 'tiering-6040']);
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter(Boolean).map((l) => l.replace(/: this .*/, ''))).toEqual([
      'damon-sim: warning: damo options.kdamonds[0].contexts[0].targets[0].regions[0] (--regions)',
      'damon-sim: warning: damo options.kdamonds[0].contexts[0].schemes[0].filters[1].address_range (--damos_filter)',
    ]);
    expect(r.err).toContain('which holds no memory of the machine (its nodes span [4294967296 (4 GiB), 38654705664 (36 GiB)), [38654705664 (36 GiB), 73014444032 (68 GiB))): nothing there is monitored');
    // Without a machine there is nothing to check against.
    expect((await cli(['args', ...opts])).err).toBe('');
  });

  it('a damo command line pasted whole is told to leave out its head (damo start, sudo damo args damon)', async () => {
    const msg = (head: string) => `expected damo's options only; found the damo command "${head}" before them (leave it out: damon-sim reads the options that follow it)`;
    const args = await cli(['args', 'damo', 'start', '--damos_action', 'stat']);
    expect([args.code, args.err]).toEqual([2, `damon-sim: error: damo options: ${msg('damo start')}\n`]);
    const sudo = await cli(['args', 'sudo', 'damo', 'args', 'damon', '--damos_action', 'stat']);
    expect(sudo.err).toBe(`damon-sim: error: damo options: ${msg('sudo damo args damon')}\n`);
    const run = await cli(['run', '--preset', 'tiering-6040', 'damo', 'tune', '--damos_action', 'stat']);
    expect([run.code, run.err]).toEqual([2, `damon-sim: error: run: ${msg('damo tune')}\n`]);
    // After a scenario file too, with sudo's own options, and damo's other commands.
    const file = join(__dirname, '..', 'examples', 'mtier.yaml');
    expect((await cli(['run', file, 'damo', 'start', '--damos_action', 'stat'])).err).toBe(`damon-sim: error: run: ${msg('damo start')}\n`);
    expect((await cli(['run', 'sudo', '-E', 'damo', 'fmt_json', '--damos_action', 'stat'])).err).toBe(`damon-sim: error: run: ${msg('sudo -E damo fmt_json')}\n`);
    // In a damo checkout, where ./damo is a file.
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-args-'));
    const cwd = process.cwd();
    try {
      writeFileSync(join(dir, 'damo'), '#!/usr/bin/env python3\n');
      process.chdir(dir);
      expect((await cli(['run', './damo', 'start', '--damos_action', 'stat'])).err).toBe(`damon-sim: error: run: ${msg('./damo start')}\n`);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run --kdamonds gives the machine-dependent warnings args --kdamonds gives (they were dropped)', async () => {
    const kd = JSON.stringify({ kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [{ start: '200G', end: '300G' }] }], schemes: [{ action: 'stat' }] }] }] });
    const args = await cli(['args', '--preset', 'tiering-6040', '--kdamonds', kd]);
    const warning = 'damon-sim: warning: --kdamonds.kdamonds[0].contexts[0].targets[0].regions[0]: this region is [214748364800 (200 GiB), 322122547200 (300 GiB)), which holds no memory of the machine (its nodes span [4294967296 (4 GiB), 38654705664 (36 GiB)), [38654705664 (36 GiB), 73014444032 (68 GiB))): nothing there is monitored\n';
    expect(args.err).toBe(warning);
    const run = await cli(['run', '--preset', 'tiering-6040', '--kdamonds', kd, '--duration', '0.2', '--no-progress']);
    expect(run.code).toBe(0);
    expect(run.err).toBe(warning);
  });

  it('args --machine takes a file holding only a machine, and names the option and the file in its errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-args-'));
    try {
      const ok = join(dir, 'm.yaml');
      writeFileSync(ok, 'machine:\n  nodes:\n    - { capacity: 8 GiB }\n    - { capacity: 8 GiB, kind: cxl }\n');
      const r = await cli(['args', '--machine', ok, '--numa_node', '1', '--damos_action', 'stat']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('"start": "12,884,901,888"');
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'machine:\n  nodes:\n    - { capacity: lots }\n');
      const e = await cli(['args', '--machine', bad, '--damos_action', 'stat']);
      expect(e.code).toBe(2);
      expect(e.err).toMatch(new RegExp(`^damon-sim: error: --machine ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: machine\\.nodes\\[0\\]\\.capacity: expected a size`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('args errors exit 2 with the option named', async () => {
    const r = await cli(['args', '--damos_action', 'stat', '--damos_age', '5', 'parsecs']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^damon-sim: error: --damos_age: expected a time/);
  });

  it('a problem in the built config names the option that made it: --damos_* by scheme part, --schemes for JSON schemes', async () => {
    const w = await cli(['args', '--damos_action', 'migrate_hot', '0', '--damos_quotas', '0', '1G', '1s', '0', '0', '5000000000']);
    expect(w.code).toBe(2);
    expect(w.err).toMatch(/^damon-sim: error: damo options\.kdamonds\[0\]\.contexts\[0\]\.schemes\[0\]\.quotas\.weights\.age_permil \(--damos_quotas\): expected at most 4294967295 permil; found 500,000,000 % \(= 5000000000 permil\)/);
    // The options the user typed among those that make a part: the component quota option, the
    // short forms, the interval goal (filed under intervals by the kernel's checks).
    const c = await cli(['args', '--damos_action', 'migrate_hot', '0', '--damos_quota_interval', '1s', '--damos_quota_weights', '0', '0', '5000000000']);
    expect(c.err).toMatch(/weights\.age_permil \(--damos_quota_weights\): /);
    expect((await cli(['args', '--minr', '10', '--maxr', '5', '--damos_action', 'stat'])).err).toMatch(/\.nr_regions \(--minr, --maxr\): /);
    expect((await cli(['args', '--monitoring_intervals_goal', '4%', '3', '10s', '5ms', '--damos_action', 'stat'])).err).toMatch(/\.intervals \(--monitoring_intervals_goal\): /);
    // A whole --kdamonds tree: the path is in that option's own file, no option made its parts.
    const tree = JSON.stringify({ kdamonds: [{ contexts: [{ ops: 'paddr', targets: [{ pid: null, regions: [] }], nr_regions: { min: 10, max: 5 }, schemes: [] }] }] });
    expect((await cli(['args', '--kdamonds', tree])).err).toMatch(/^damon-sim: error: --kdamonds\.kdamonds\[0\]\.contexts\[0\]\.nr_regions: /);
    const j = await cli(['args', '--schemes', '[{"action": "migrate_hot", "target_nid": 2147483648}]']);
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/^damon-sim: error: damo options\.kdamonds\[0\]\.contexts\[0\]\.schemes\[0\]\.target_nid \(--schemes\): expected an integer from -2147483648 to 2147483647/);
  });

  it('what the kernel would refuse names the built config under "damo options", not a file\'s damon part', async () => {
    const r = await cli(['args', '--monitoring_nr_regions_range', '1', '5']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('damon-sim: error: damo options.kdamonds[0].contexts[0].nr_regions (--monitoring_nr_regions_range): expected attributes damon_set_attrs accepts; found min_nr_regions must be >= 3, got 1\n');
    const w = await cli(['args', '--damos_action', 'migrate_hot', '0', '1', '1', '1']);
    expect(w.code).toBe(0);
    expect(w.err.split('\n')[0]).toBe('damon-sim: warning: damo options.kdamonds[0].contexts[0].schemes[0].target_nid (--damos_action): expected a node id (0 or more) for migrate_hot; found -1: nothing is migrated (paddr migrates to target_nid only, not to dests)');
    // Without a machine the empty paddr regions are explained too.
    expect(w.err.split('\n')[1]).toMatch(/^damon-sim: warning: damo options\.kdamonds\[0\]\.contexts\[0\]\.targets\[0\]\.regions \(--regions\): no regions, and no machine to take damo's default from/);
    // Read back from a file, the warning names the file's key, not an option nobody typed.
    const tmp = mkdtempSync(join(tmpdir(), 'damon-sim-args-'));
    const file = join(tmp, 'printed.json');
    writeFileSync(file, w.out);
    const back = await cli(['args', file]);
    rmSync(tmp, { recursive: true });
    expect([back.code, back.err.split('\n').filter((l) => l.includes('no regions'))]).toEqual([0, [expect.stringMatching(new RegExp(`^damon-sim: warning: ${file.replaceAll('.', '\\.')}\\.kdamonds\\[0\\]\\.contexts\\[0\\]\\.targets\\[0\\]\\.regions: no regions`))]]);
    const run = await cli(['run', '--preset', 'tiering-6040', '--no-progress', '--monitoring_nr_regions_range', '1', '5']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^damon-sim: error: damo options\.kdamonds\[0\]\.contexts\[0\]\.nr_regions \(--monitoring_nr_regions_range\): /);
  });

  it('args --profile: the pause file exists in b1 only', async () => {
    const b1 = await cli(['args', '--profile', 'b1', '--pause_ctx', '0', '--damos_action', 'stat', '--format', 'yaml']);
    expect(b1.code).toBe(0);
    expect(b1.out).toContain('    pause: true\n');
    const b0 = await cli(['args', '--pause_ctx', '0', '--damos_action', 'stat']);
    expect(b0.code).toBe(2);
    expect(b0.err).toBe('damon-sim: error: damo options.kdamonds[0].contexts[0].pause (--pause_ctx): expected pause false: kernel profile "b0" has no pause file (use profile b1); found true\n');
  });

  it('run --profile is the profile the scenario and damo options are checked against', async () => {
    // The pause file exists in b1 only: --profile b1 lets run take --pause_ctx, as args does.
    const b1 = await cli(['run', '--preset', 'tiering-6040', '--profile', 'b1', '--duration', '2s', '--no-progress', '--pause_ctx', '0', '--damos_action', 'stat']);
    expect(b1.err).toBe('');
    expect(b1.code).toBe(0);
    // mainline-6.19 has neither node_eligible_mem_bp nor TEMPORAL: the preset is refused under it,
    // not run with them.
    const m = await cli(['run', '--preset', 'tiering-6040', '--profile', 'mainline-6.19', '--duration', '2s', '--no-progress']);
    expect(m.code).toBe(2);
    expect(m.out).toBe('');
    expect(m.err.split('\n').filter(Boolean)).toEqual([
      'damon-sim: error: damon.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].metric: expected a metric kernel profile "mainline-6.19" has; found node_eligible_mem_bp (use profile b0 or b1)',
      'damon-sim: error: damon.kdamonds[0].contexts[0].schemes[1].quotas.goals[0].metric: expected a metric kernel profile "mainline-6.19" has; found node_eligible_mem_bp (use profile b0 or b1)',
      'damon-sim: error: damon.kdamonds[0].contexts[0].schemes[0].quotas.goal_tuner: expected "consist": kernel profile "mainline-6.19" has no TEMPORAL tuner (use profile b0 or b1); found "temporal"',
      'damon-sim: error: damon.kdamonds[0].contexts[0].schemes[1].quotas.goal_tuner: expected "consist": kernel profile "mainline-6.19" has no TEMPORAL tuner (use profile b0 or b1); found "temporal"',
    ]);
  });

  it('run: damo options replace the preset\'s damon part', async () => {
    const r = await cli(['run', '--preset', 'tiering-6040', '--duration', '2s', '--no-progress',
      '--damos_action', 'migrate_hot', '1', '--damos_quotas', '0', '64M', '1s', '--damos_quota_goal', 'node_eligible_mem_bp', '4000', '1',
      '--regions', '4G-36G 36G-68G']);
    // No warning (a note says its 64 MiB migrations stretch a 2 s run's aggregations ~3×).
    expect(r.err.split('\n').filter((l) => l !== '' && !l.startsWith('damon-sim: note: kdamond 0: aggregation intervals lasted'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('s0 migrate_hot→1');
    expect(r.out).not.toContain('s1 ');
  });

  it('run: the scenario file first, then damo options; unknown options refused', async () => {
    const file = join(__dirname, '..', 'examples', 'tiering-6040.yaml');
    const ok = await cli(['run', file, '--duration', '1s', '--no-progress', '--damos_action', 'stat', '--regions', '4G-36G']);
    expect(ok.code).toBe(0);
    const bad = await cli(['run', file, '--no-progress', '--damos_action', 'stat', '--frob']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/found unknown option "--frob"/);
    const err = await cli(['run', '--preset', 'tiering-6040', '--no-progress', '--damos_action', 'stat', '--damos_age', 'x', 'y']);
    expect(err.code).toBe(2);
    expect(err.err).toMatch(/--damos_age: expected a time/);
  });
});
