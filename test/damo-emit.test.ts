// SPDX-License-Identifier: GPL-2.0-only
/**
 * Emitting damo's kdamonds format (src/formats/damo/emit.ts, tree.ts): damo's key order at every
 * level, damo's value formatting, and exact round trips parse(emit(x)) == x for human and raw
 * values, JSON and YAML, both wrappers, on the examples and on property-generated parameters.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitKdamonds, formatDamoText, readKdamonds } from '../src/formats/damo/emit.js';
import type { ConfigIssue } from '../src/scenario/issues.js';
import { parseText } from '../src/formats/document.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import type { KdamondParams } from '../src/scenario/model.js';
import { cli } from './helpers/cli.js';
import { kdamondsArb } from './helpers/damo-arb.js';

/** The emitted trees are checked key by key. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const EXAMPLES = join(__dirname, '..', 'examples');
const examples = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));

function roundTrip(params: KdamondParams[], raw: boolean, format: 'json' | 'yaml', bare: boolean): KdamondParams[] {
  const text = formatDamoText(emitKdamonds(params, { raw, bare }), format);
  return readKdamonds(parseText(text, 'emitted', format)).params;
}

const VARIANTS = [false, true].flatMap((raw) => (['json', 'yaml'] as const).flatMap((format) => [false, true].map((bare) => ({ raw, format, bare }))));

/** Run the CLI, capturing stdout/stderr. */
describe('damo kdamonds emission: key order', () => {
  const params = loadScenarioFile(join(EXAMPLES, 'tiering-6040.yaml')).scenario.kdamonds;
  const tree = emitKdamonds(params) as { kdamonds: Array<Loose> };
  const k = tree.kdamonds[0];
  const ctx = k.contexts[0];
  const scheme = ctx.schemes[0];

  it("follows damo's to_kvpairs order at every level (damo-formats.md §1.3, §1.6)", () => {
    expect(Object.keys(tree)).toEqual(['kdamonds']);
    expect(Object.keys(k)).toEqual(['refresh_ms', 'contexts']);
    expect(Object.keys(ctx)).toEqual(['ops', 'addr_unit', 'targets', 'intervals', 'nr_regions', 'probes', 'sample_control', 'pause', 'schemes']);
    expect(Object.keys(ctx.targets[0])).toEqual(['pid', 'obsolete', 'regions']);
    expect(Object.keys(ctx.targets[0].regions[0])).toEqual(['start', 'end']);
    expect(Object.keys(ctx.intervals)).toEqual(['sample_us', 'aggr_us', 'ops_update_us', 'intervals_goal']);
    expect(Object.keys(ctx.intervals.intervals_goal)).toEqual(['access_bp', 'aggrs', 'min_sample_us', 'max_sample_us']);
    expect(Object.keys(ctx.nr_regions)).toEqual(['min', 'max']);
    expect(Object.keys(scheme)).toEqual(['action', 'dests', 'target_nid', 'access_pattern', 'apply_interval_us', 'quotas', 'watermarks', 'filters']);
    expect(Object.keys(scheme.access_pattern)).toEqual(['sz_bytes', 'nr_accesses', 'age']);
    expect(Object.keys(scheme.quotas)).toEqual(['time_ms', 'sz_bytes', 'reset_interval_ms', 'fail_charge_num', 'fail_charge_denom', 'goals', 'goal_tuner', 'effective_sz_bytes', 'weights']);
    expect(Object.keys(scheme.quotas.goals[0])).toEqual(['metric', 'nid', 'memcg_path', 'target_value', 'current_value']);
    expect(Object.keys(scheme.quotas.weights)).toEqual(['sz_permil', 'nr_accesses_permil', 'age_permil']);
    expect(Object.keys(scheme.watermarks)).toEqual(['metric', 'interval_us', 'high_permil', 'mid_permil', 'low_permil']);
    expect(Object.keys(scheme.filters[0])).toEqual(['filter_type', 'matching', 'allow', 'memcg_path', 'address_range', 'damon_target_idx', 'hugepage_size']);
  });

  it("formats values as damo does (kernel units for access patterns)", () => {
    expect(k.refresh_ms).toBe(1000);
    expect(ctx.addr_unit).toBe('1 B');
    expect(ctx.targets[0]).toEqual({ pid: null, obsolete: false, regions: [{ start: '4,294,967,296', end: '38,654,705,664' }, { start: '38,654,705,664', end: '73,014,444,032' }] });
    expect(ctx.intervals).toEqual({ sample_us: '5 ms', aggr_us: '100 ms', ops_update_us: '1 s', intervals_goal: { access_bp: '0 %', aggrs: '0', min_sample_us: '0 ns', max_sample_us: '0 ns' } });
    expect(ctx.nr_regions).toEqual({ min: '10', max: '1,000' });
    expect(scheme.access_pattern).toEqual({
      sz_bytes: { min: '4.000 KiB', max: 'max' },
      nr_accesses: { min: '1 samples', max: '4,294,967,295 samples' },
      // "max" µs is ULONG_MAX µs: damo stages int(ULONG_MAX / 100 ms) = 184,467,440,737,095
      // aggregation intervals, of which the kernel's unsigned int keeps the low 32 bits.
      age: { min: '0 aggr_intervals', max: '2,890,341,191 aggr_intervals' },
    });
    expect(scheme.quotas.time_ms).toBe('0 ns');
    expect(scheme.quotas.sz_bytes).toBe('128.000 MiB');
    expect(scheme.quotas.reset_interval_ms).toBe('1 s');
    expect(scheme.quotas.goals[0]).toEqual({ metric: 'node_eligible_mem_bp', nid: '0', memcg_path: null, target_value: '6,000', current_value: '0' });
    expect(scheme.quotas.effective_sz_bytes).toBe('0 B');
    expect(scheme.watermarks).toEqual({ metric: 'none', interval_us: '0 ns', high_permil: '0 %', mid_permil: '0 %', low_permil: '0 %' });
    expect(scheme.filters[0].address_range).toEqual({ start: '38,654,705,664', end: '73,014,444,032' });
  });

  it('falls back to exact forms where damo\'s three decimals would lose information', () => {
    const p = structuredClone(params);
    p[0].contexts[0].schemes[0].quota.sz = 209_715_201n; // 200 MiB + 1
    p[0].contexts[0].attrs.sampleInterval = 1_234_567; // "1.235 s" would round
    p[0].contexts[0].schemes[0].pattern.maxSzRegion = 5000n;
    const t = emitKdamonds(p) as { kdamonds: Array<Loose> };
    const c = t.kdamonds[0].contexts[0];
    expect(c.schemes[0].quotas.sz_bytes).toBe('209,715,201');
    expect(c.intervals.sample_us).toBe('1 s 234 ms 567 us');
    // 4.883 KiB reads back as 5000 (damo truncates), so damo's form is kept there.
    expect(c.schemes[0].access_pattern.sz_bytes.max).toBe('4.883 KiB');
    expect(roundTrip(p, false, 'json', false)).toEqual(p);
  });

  it('raw: plain integers in the key\'s own unit (big ones as digit strings)', () => {
    const t = emitKdamonds(params, { raw: true }) as { kdamonds: Array<Loose> };
    const s = t.kdamonds[0].contexts[0].schemes[0];
    expect(t.kdamonds[0].contexts[0].intervals.sample_us).toBe(5000);
    expect(s.quotas.reset_interval_ms).toBe(1000);
    expect(s.quotas.sz_bytes).toBe(134217728);
    expect(s.access_pattern.sz_bytes.max).toBe('18446744073709551615');
    expect(s.access_pattern.nr_accesses.max).toBe('4294967295 samples');
    expect(s.quotas.goals[0].nid).toBe(0);
  });

  it('JSON with a 4-space indent; YAML in damo\'s block style with quoted digit strings', () => {
    const json = formatDamoText(emitKdamonds(params), 'json');
    expect(json.split('\n')[1]).toBe('    "kdamonds": [');
    const yaml = formatDamoText(emitKdamonds(params), 'yaml');
    expect(yaml).toContain("- refresh_ms: 1000\n  contexts:\n  - ops: paddr\n");
    expect(yaml).toContain("      min: '10'\n      max: 1,000\n");
    expect(yaml).toContain('probes: []');
  });

  it('bare list wrapper', () => {
    expect(Array.isArray(emitKdamonds(params, { bare: true }))).toBe(true);
  });

  it('--damo-compat upstream prints "nid": null for node_eligible_mem_bp, with a warning', () => {
    const warnings: ConfigIssue[] = [];
    const t = emitKdamonds(params, { compat: 'upstream', warnings }) as { kdamonds: Array<Loose> };
    expect(t.kdamonds[0].contexts[0].schemes[0].quotas.goals[0].nid).toBeNull();
    expect(warnings).toHaveLength(2);
    expect(warnings[0].path).toBe('kdamonds[0].contexts[0].schemes[0].quotas.goals[0]');
    expect(warnings[0].message).toMatch(/upstream damo v3\.3 prints "nid": null/);
  });
});

describe('damo kdamonds emission: round trips', () => {
  for (const f of examples) {
    it(`examples/${f}: parse(emit(x)) == x in all ${VARIANTS.length} variants`, () => {
      const params = loadScenarioFile(join(EXAMPLES, f)).scenario.kdamonds;
      for (const v of VARIANTS) expect(roundTrip(params, v.raw, v.format, v.bare), JSON.stringify(v)).toEqual(params);
    });
  }

  it('the §1.6 example (damo-formats.md) reads back from its own emission', () => {
    const doc = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'damo-formats-1.6.json'), 'utf8'));
    const params = readKdamonds(doc).params;
    for (const v of VARIANTS) expect(roundTrip(params, v.raw, v.format, v.bare)).toEqual(params);
  });

  for (const v of VARIANTS) {
    it(`property: parse(emit(x)) == x (${v.raw ? 'raw' : 'human'}, ${v.format}, ${v.bare ? 'bare' : 'wrapped'})`, () => {
      fc.assert(
        fc.property(kdamondsArb, (params) => {
          expect(roundTrip(params, v.raw, v.format, v.bare)).toEqual(params);
        }),
        { numRuns: 60, seed: 4242 },
      );
    });
  }
});

describe('damon-sim export', () => {
  it('prints the damon part (JSON default) and reads back', async () => {
    const r = await cli(['export', join(EXAMPLES, 'tiering-6040.yaml')]);
    expect(r.code).toBe(0);
    const params = loadScenarioFile(join(EXAMPLES, 'tiering-6040.yaml')).scenario.kdamonds;
    expect(readKdamonds(JSON.parse(r.out)).params).toEqual(params);
    expect(r.out.startsWith('{\n    "kdamonds": [\n')).toBe(true);
  });

  it('--preset, --format yaml --raw --bare', async () => {
    const r = await cli(['export', '--preset', 'tiering-6040', '--format', 'yaml', '--raw', '--bare']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('- refresh_ms: 1000\n')).toBe(true);
    expect(r.out).toContain('sample_us: 5000');
    // As damo print()s yaml.dump()'s text: two newlines at the end; the scenario file (below), one.
    expect(r.out.endsWith('\n\n')).toBe(true);
  });

  it('--scenario prints the whole scenario with the damon part in damo\'s format', async () => {
    const r = await cli(['export', join(EXAMPLES, 'tiering-6040.yaml'), '--scenario', '--format', 'yaml']);
    expect(r.code).toBe(0);
    const doc = parseText(r.out, 'out', 'yaml') as Loose;
    expect(Object.keys(doc).slice(0, 3)).toEqual(['name', 'description', 'seed']);
    expect(doc.damon.kdamonds[0].contexts[0].addr_unit).toBe('1 B');
    expect(doc.machine.nodes).toHaveLength(2);
    expect(r.out.endsWith('\n\n')).toBe(false);
  });

  it('--damo-compat upstream warns and prints null nids', async () => {
    const r = await cli(['export', '--preset', 'tiering-6040', '--damo-compat', 'upstream']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: kdamonds\[0\]\.contexts\[0\]\.schemes\[0\]\.quotas\.goals\[0\]: upstream damo v3\.3/);
    expect(JSON.parse(r.out).kdamonds[0].contexts[0].schemes[1].quotas.goals[0].nid).toBeNull();
  });

  it("says that every output but --scenario leaves a scenario's scheduled events out", async () => {
    const file = join(EXAMPLES, 'tiering-6040-step.yaml');
    const left = (path: string, what: string, hint = '') => `damon-sim: warning: ${path}: ${what} the initial configuration only: the scenario's 1 scheduled event(s) are not in it${hint}\n`;
    const json = await cli(['export', file]);
    expect([json.code, json.err]).toEqual([0, left('export', "damo's kdamonds config holds", ' (--scenario keeps them)')]);
    expect((await cli(['export', file, '--format', 'yaml'])).err).toBe(json.err);
    const whole = await cli(['export', file, '--scenario']);
    expect([whole.code, whole.err]).toEqual([0, '']);
    expect(whole.out).toContain('"events": [');
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-emit-'));
    try {
      const sysfs = await cli(['export', file, '--sysfs', join(dir, 'tree')]);
      expect(sysfs.code).toBe(0);
      expect(sysfs.err.split('\n')[1] + '\n').toBe(left('--sysfs', 'the tree holds'));
      const script = await cli(['export', file, '--script', join(dir, 's.sh')]);
      expect(script.code).toBe(0);
      expect(script.err.split('\n')[1] + '\n').toBe(left('--script', 'the script stages'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Nothing to say for a scenario without events.
    expect((await cli(['export', join(EXAMPLES, 'tiering-6040.yaml')])).err).toBe('');
  });

  it("says that a scenario's kernel.overrides, damon-sim's switches, are in no output but --scenario", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damon-sim-emit-'));
    try {
      const file = join(dir, 'variant.yaml');
      const text = readFileSync(join(EXAMPLES, 'tiering-6040.yaml'), 'utf8');
      writeFileSync(file, text.replace(/^kernel:\n {2}profile: b0\n/m, 'kernel:\n  profile: b0\n  overrides: { feedLoopMultFrac: true, postApplyMerge: true }\n'));
      const note = (path: string) => `damon-sim: warning: ${path}: kernel.overrides (feedLoopMultFrac, postApplyMerge) are damon-sim's profile switches, which no kernel file holds: a kernel staged with this runs its own behaviour unless it carries that change\n`;
      expect((await cli(['export', file])).err).toBe(note('export'));
      expect((await cli(['export', file, '--scenario'])).err).toBe('');
      const script = await cli(['export', file, '--script', join(dir, 's.sh')]);
      expect(script.err).toContain(note('--script'));
      const tree = await cli(['export', file, '--sysfs', join(dir, 'tree')]);
      expect(tree.err).toContain(note('--sysfs'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad options exit 2 naming the option', async () => {
    expect((await cli(['export', '--preset', 'tiering-6040', '--format', 'toml'])).err).toMatch(/--format: expected json, yaml; found "toml"/);
    expect((await cli(['export', '--preset', 'tiering-6040', '--damo-compat', 'old'])).code).toBe(2);
    expect((await cli(['export'])).err).toMatch(/expected a scenario file or --preset NAME; found neither/);
  });
});

describe('damo kdamonds reading: values the kernel files refuse', () => {
  it('are errors naming the key, not clamped or passed on: -ERANGE for ints and unsigned ints out of range', () => {
    const doc = {
      kdamonds: [
        {
          refresh_ms: 5_000_000_000,
          contexts: [
            {
              ops: 'paddr',
              targets: [{ pid: null, regions: [{ start: '4 GiB', end: '8 GiB' }] }],
              schemes: [
                {
                  action: 'migrate_hot',
                  target_nid: 2 ** 31,
                  dests: [{ id: 2 ** 32, weight: 1 }],
                  quotas: {
                    time_ms: 0,
                    sz_bytes: '1 GiB',
                    reset_interval_ms: '1 s',
                    fail_charge_num: 2 ** 32,
                    weights: { sz_permil: 2 ** 32, nr_accesses_permil: 0, age_permil: 0 },
                    goals: [{ metric: 'node_eligible_mem_bp', nid: -(2 ** 31) - 1, target_value: 6000 }],
                  },
                  filters: [{ filter_type: 'target', matching: true, allow: true, damon_target_idx: 2 ** 31 }],
                },
              ],
            },
          ],
        },
      ],
    };
    let issues: ConfigIssue[] = [];
    try {
      readKdamonds(doc);
    } catch (e) {
      issues = (e as { issues: ConfigIssue[] }).issues;
    }
    const s = 'kdamonds[0].contexts[0].schemes[0]';
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'kdamonds[0].refresh_ms',
        `${s}.target_nid`,
        `${s}.dests[0].id`,
        `${s}.quotas.fail_charge_num`,
        `${s}.quotas.weights.sz_permil`,
        `${s}.quotas.goals[0].nid`,
        `${s}.filters[0].damon_target_idx`,
      ].sort(),
    );
    for (const i of issues) expect(i.message).toMatch(/-ERANGE/);
  });

  it('take the bounds themselves', () => {
    const doc = {
      kdamonds: [
        {
          refresh_ms: 2 ** 32 - 1,
          contexts: [
            {
              ops: 'paddr',
              targets: [{ pid: null, regions: [{ start: '4 GiB', end: '8 GiB' }] }],
              schemes: [
                {
                  action: 'migrate_hot',
                  target_nid: 2 ** 31 - 1,
                  quotas: { time_ms: 0, sz_bytes: '1 GiB', reset_interval_ms: '1 s', fail_charge_num: 2 ** 32 - 1, weights: { sz_permil: 2 ** 32 - 1, nr_accesses_permil: 0, age_permil: 0 } },
                },
              ],
            },
          ],
        },
      ],
    };
    const p = readKdamonds(doc).params[0];
    expect(p.refreshMs).toBe(2 ** 32 - 1);
    expect(p.contexts[0].schemes[0].targetNid).toBe(2 ** 31 - 1);
    expect(p.contexts[0].schemes[0].quota.weightSz).toBe(2 ** 32 - 1);
    expect(p.contexts[0].schemes[0].quota.failChargeNum).toBe(2 ** 32 - 1);
  });
});
