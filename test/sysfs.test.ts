// SPDX-License-Identifier: GPL-2.0-only
/**
 * The kernel's DAMON sysfs tree (src/formats/sysfs): export writes every file as the kernel prints
 * it, import reads it back (import(export(x)) == x up to what the kernel itself normalises),
 * tolerating files older kernels lack, and the staging script writes the same values in damo's
 * write order, checked by running it with sh against plain directories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { isCoreFilter } from '../src/damos/scheme.js';
import { readKdamonds, wrapKdamonds } from '../src/formats/damo/emit.js';
import { kdamondsTree } from '../src/formats/damo/tree.js';
import { exportSysfsTree, sysfsFiles, writeSysfsFiles } from '../src/formats/sysfs/export.js';
import { importSysfsTree } from '../src/formats/sysfs/import.js';
import { sysfsScript } from '../src/formats/sysfs/script.js';
import { ConfigError } from '../src/scenario/issues.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import type { KdamondParams } from '../src/scenario/model.js';
import { kdamondsArb } from './helpers/damo-arb.js';
import { PROFILES, findProfile, resolveProfile, withOverrides, type KernelProfile } from '../src/profiles.js';
import { PROFILE_FILES, filesLacking, sysfsFeatures, sysfsPathOf } from '../src/formats/sysfs/layout.js';
import { SysfsTree } from '../src/formats/sysfs/tree.js';

/** The newest tree: every file damon-sim knows (layout.ts sysfsFeatures). */
const B1 = findProfile('b1')!;

const ROOT = mkdtempSync(join(tmpdir(), 'damon-sim-sysfs-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(ROOT, `t${n++}`);

const EXAMPLES = join(__dirname, '..', 'examples');
const example = loadScenarioFile(join(EXAMPLES, 'tiering-6040.yaml')).scenario.kdamonds;

/** The tree's parameters, read as b1's tree, which takes every name (layout.ts sysfsFeatures). */
/** The lines an import of the tree at dir refuses it with ([] if it reads it). */
function importIssues(dir: string): string[] {
  try {
    importSysfsTree(dir);
  } catch (e) {
    return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

function importParams(dir: string): KdamondParams[] {
  return readKdamonds(wrapKdamonds(kdamondsTree(importSysfsTree(dir, B1).kdamonds))).params;
}

/** What the kernel tree cannot tell apart: filters are installed core layer first; node metrics always have a nid. */
function normalise(params: KdamondParams[]): KdamondParams[] {
  const p = structuredClone(params);
  for (const k of p)
    for (const c of k.contexts)
      for (const s of c.schemes) {
        s.filters = [...s.filters.filter((f) => isCoreFilter(f.type)), ...s.filters.filter((f) => !isCoreFilter(f.type))];
        for (const g of s.quota.goals) if (g.nid === null && g.metric.startsWith('node_')) g.nid = 0;
      }
  return p;
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/**
 * Scheme `si` of kdamond 0's context 0 as a kernel before core/ops filters (6.3-6.13) has it: one
 * `filters` dir, holding one (empty) filter dir. Returns the filters dir.
 */
function legacyFilters(dir: string, si: number): string {
  const sd = join(dir, `kdamonds/0/contexts/0/schemes/${si}`);
  rmSync(join(sd, 'core_filters'), { recursive: true, force: true });
  rmSync(join(sd, 'ops_filters'), { recursive: true, force: true });
  mkdirSync(join(sd, 'filters/0'), { recursive: true });
  writeFileSync(join(sd, 'filters/nr_filters'), '1\n');
  return join(sd, 'filters');
}

function runScript(script: string, dir: string, env: Record<string, string> = {}, trace = false) {
  const file = join(ROOT, `script${n++}.sh`);
  writeFileSync(file, script);
  return spawnSync('sh', trace ? ['-x', file] : [file], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DAMON_SYSFS: dir, ...env }, encoding: 'utf8' });
}

describe('sysfs export: the files and values the kernel shows', () => {
  const dir = fresh();
  exportSysfsTree(dir, example, B1);
  const tree = readTree(dir);
  const s0 = 'kdamonds/0/contexts/0/schemes/0';

  it('has every file of the admin tree (damos.md §7, damo-formats.md §1.5), one value each with a newline', () => {
    const expected = [
      'kdamonds/nr_kdamonds',
      'kdamonds/0/state',
      'kdamonds/0/pid',
      'kdamonds/0/refresh_ms',
      'kdamonds/0/contexts/nr_contexts',
      'kdamonds/0/contexts/0/avail_operations',
      'kdamonds/0/contexts/0/operations',
      'kdamonds/0/contexts/0/addr_unit',
      'kdamonds/0/contexts/0/pause',
      ...['sample_us', 'aggr_us', 'update_us'].map((f) => `kdamonds/0/contexts/0/monitoring_attrs/intervals/${f}`),
      ...['access_bp', 'aggrs', 'min_sample_us', 'max_sample_us'].map((f) => `kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal/${f}`),
      'kdamonds/0/contexts/0/monitoring_attrs/nr_regions/min',
      'kdamonds/0/contexts/0/monitoring_attrs/nr_regions/max',
      'kdamonds/0/contexts/0/targets/nr_targets',
      'kdamonds/0/contexts/0/targets/0/pid_target',
      'kdamonds/0/contexts/0/targets/0/obsolete_target',
      'kdamonds/0/contexts/0/targets/0/regions/nr_regions',
      'kdamonds/0/contexts/0/targets/0/regions/1/start',
      'kdamonds/0/contexts/0/targets/0/regions/1/end',
      'kdamonds/0/contexts/0/schemes/nr_schemes',
      ...['action', 'target_nid', 'apply_interval_us'].map((f) => `${s0}/${f}`),
      ...['sz', 'nr_accesses', 'age'].flatMap((a) => [`${s0}/access_pattern/${a}/min`, `${s0}/access_pattern/${a}/max`]),
      ...['ms', 'bytes', 'reset_interval_ms', 'effective_bytes', 'goal_tuner', 'fail_charge_num', 'fail_charge_denom'].map((f) => `${s0}/quotas/${f}`),
      ...['sz_permil', 'nr_accesses_permil', 'age_permil'].map((f) => `${s0}/quotas/weights/${f}`),
      `${s0}/quotas/goals/nr_goals`,
      ...['target_metric', 'target_value', 'current_value', 'nid', 'path'].map((f) => `${s0}/quotas/goals/0/${f}`),
      ...['metric', 'interval_us', 'high', 'mid', 'low'].map((f) => `${s0}/watermarks/${f}`),
      `${s0}/core_filters/nr_filters`,
      `${s0}/ops_filters/nr_filters`,
      `${s0}/filters/nr_filters`,
      ...['type', 'matching', 'allow', 'memcg_path', 'addr_start', 'addr_end', 'min', 'max', 'damon_target_idx'].map((f) => `${s0}/core_filters/0/${f}`),
      `${s0}/dests/nr_dests`,
      ...['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'sz_ops_filter_passed', 'qt_exceeds', 'nr_snapshots', 'max_nr_snapshots'].map((f) => `${s0}/stats/${f}`),
      `${s0}/tried_regions/total_bytes`,
    ];
    for (const f of expected) expect(tree.has(f), f).toBe(true);
    for (const [f, v] of tree) expect(v.endsWith('\n'), f).toBe(true);
  });

  it('prints values as the kernel does', () => {
    const v = (f: string) => tree.get(f)!.replace(/\n$/, '');
    expect(v('kdamonds/nr_kdamonds')).toBe('1');
    expect(v('kdamonds/0/state')).toBe('off');
    expect(v('kdamonds/0/pid')).toBe('-1');
    expect(v('kdamonds/0/refresh_ms')).toBe('1000');
    expect(tree.get('kdamonds/0/contexts/0/avail_operations')).toBe('vaddr\nfvaddr\npaddr\n');
    expect(v('kdamonds/0/contexts/0/operations')).toBe('paddr');
    expect(v('kdamonds/0/contexts/0/pause')).toBe('N');
    expect(v('kdamonds/0/contexts/0/targets/0/obsolete_target')).toBe('N');
    expect(v('kdamonds/0/contexts/0/targets/0/regions/0/start')).toBe('4294967296');
    expect(v(`${s0}/action`)).toBe('migrate_hot');
    expect(v(`${s0}/target_nid`)).toBe('0');
    expect(v(`${s0}/access_pattern/sz/max`)).toBe('18446744073709551615');
    expect(v(`${s0}/access_pattern/nr_accesses/max`)).toBe('4294967295');
    expect(v(`${s0}/quotas/bytes`)).toBe('134217728');
    expect(v(`${s0}/quotas/reset_interval_ms`)).toBe('1000');
    expect(v(`${s0}/quotas/effective_bytes`)).toBe('0');
    expect(v(`${s0}/quotas/goal_tuner`)).toBe('temporal');
    expect(v(`${s0}/quotas/goals/0/target_metric`)).toBe('node_eligible_mem_bp');
    expect(v(`${s0}/quotas/goals/0/target_value`)).toBe('6000');
    expect(v(`${s0}/quotas/goals/0/nid`)).toBe('0');
    expect(v(`${s0}/quotas/goals/0/path`)).toBe('');
    expect(v(`${s0}/watermarks/metric`)).toBe('none');
    expect(v(`${s0}/core_filters/0/type`)).toBe('addr');
    expect(v(`${s0}/core_filters/0/matching`)).toBe('Y');
    expect(v(`${s0}/core_filters/0/allow`)).toBe('Y');
    expect(v(`${s0}/core_filters/0/addr_start`)).toBe('38654705664');
    expect(v(`${s0}/ops_filters/nr_filters`)).toBe('0');
    expect(v(`${s0}/stats/qt_exceeds`)).toBe('0');
  });

  it('gives files the kernel\'s modes: 0400 for what it reports, 0600 for the rest (sysfs.sh)', () => {
    const mode = (rel: string) => statSync(join(dir, rel)).mode & 0o777;
    const s0 = 'kdamonds/0/contexts/0/schemes/0';
    for (const ro of ['kdamonds/0/pid', 'kdamonds/0/contexts/0/avail_operations', `${s0}/quotas/effective_bytes`, `${s0}/stats/nr_tried`, `${s0}/stats/qt_exceeds`, `${s0}/tried_regions/total_bytes`])
      expect(mode(ro), ro).toBe(0o400);
    for (const rw of ['kdamonds/nr_kdamonds', 'kdamonds/0/state', 'kdamonds/0/contexts/0/operations', 'kdamonds/0/contexts/0/pause', `${s0}/action`, `${s0}/quotas/bytes`, `${s0}/quotas/goals/0/nid`, `${s0}/core_filters/0/addr_start`, `${s0}/access_pattern/sz/min`, `${s0}/stats/max_nr_snapshots`])
      expect(mode(rw), rw).toBe(0o600);
  });

  it('a "max" time is the kernel\'s ULONG_MAX', () => {
    const p = structuredClone(example);
    p[0].contexts[0].schemes[0].quota.resetIntervalMs = Number.MAX_SAFE_INTEGER;
    const f = new Map(sysfsFiles(p));
    expect(f.get(`${s0}/quotas/reset_interval_ms`)).toBe('18446744073709551615');
  });

  it("is the kernel profile's tree: b0 and mainline-6.19 lack the files their kernels lack", () => {
    // The preset's goals and tuner are not 6.19's: a copy that 6.19's tree can hold.
    const plain = structuredClone(example);
    for (const sc of plain[0].contexts[0].schemes) {
      sc.quota.goalTuner = 'consist';
      for (const g of sc.quota.goals) g.metric = 'node_mem_used_bp';
    }
    const files = (profile: string) => new Set(sysfsFiles(plain, findProfile(profile)!).map(([p]) => p));
    const c0 = 'kdamonds/0/contexts/0';
    const b1 = files('b1');
    const b0 = files('b0');
    const mainline = files('mainline-6.19');
    // b0 has no pause file (damos.md §7 marks it B1); 6.19 also has no goal tuners, no
    // failed-charge files and no snapshot counters.
    const b0Lacks = [`${c0}/pause`];
    const mainlineLacks = [`${c0}/pause`, `${s0}/quotas/goal_tuner`, `${s0}/quotas/fail_charge_num`, `${s0}/quotas/fail_charge_denom`, `${s0}/stats/nr_snapshots`, `${s0}/stats/max_nr_snapshots`];
    expect([...b1].filter((f) => !b0.has(f)).filter((f) => f.startsWith(`${c0}/pause`) || f.startsWith(s0))).toEqual(b0Lacks);
    expect([...b1].filter((f) => !mainline.has(f)).filter((f) => f.startsWith(`${c0}/pause`) || f.startsWith(s0))).toEqual(mainlineLacks);
    // Nothing else differs, and neither has a file b1 lacks.
    expect(b1.size - b0.size).toBe(1);
    expect(b1.size - mainline.size).toBe(1 + 5 * example[0].contexts[0].schemes.length);
    // Each file follows its own switch: a profile with one switch flipped loses that file alone.
    const flipped = (sw: Partial<Omit<KernelProfile, 'name' | 'description'>>) =>
      [...b1].filter((f) => !new Set(sysfsFiles(plain, withOverrides(B1, sw)).map(([p]) => p)).has(f)).filter((f) => f === `${c0}/pause` || f.startsWith(`${s0}/`));
    expect(flipped({ ctxPause: false })).toEqual([`${c0}/pause`]);
    expect(flipped({ temporalTuner: false })).toEqual([`${s0}/quotas/goal_tuner`]);
    expect(flipped({ maxNrSnapshotsFile: false })).toEqual([`${s0}/stats/nr_snapshots`, `${s0}/stats/max_nr_snapshots`]);
    expect(flipped({ failChargeRatio: false })).toEqual([]); // damos_quota_is_full() came with them
    expect(flipped({ failChargeRatio: false, damosQuotaIsFull: false, quotaFullBelowMinRegion: false })).toEqual([`${s0}/quotas/fail_charge_num`, `${s0}/quotas/fail_charge_denom`]);
    for (const f of [...b0, ...mainline]) expect(b1.has(f), f).toBe(true);
  });

  it('leaves out exactly the files layout.ts PROFILE_FILES says a profile lacks, as the in-memory tree does, with the same defaults', () => {
    const plain = structuredClone(example);
    for (const sc of plain[0].contexts[0].schemes) {
      sc.quota.goalTuner = 'consist';
      sc.maxNrSnapshots = 0;
      for (const g of sc.quota.goals) g.metric = 'node_mem_used_bp';
    }
    const profiles = [...PROFILES, withOverrides(B1, { failChargeRatio: false, damosQuotaIsFull: false, quotaFullBelowMinRegion: false }), withOverrides(B1, { maxNrSnapshotsFile: false })];
    const names = Object.keys(PROFILE_FILES);
    for (const p of profiles) {
      const lacking = [...filesLacking(sysfsFeatures(p))].sort();
      const exported = sysfsFiles(plain, p);
      const inTree = (files: Array<[string, string]>) => new Set(files.map(([f]) => f.split('/').pop()!).filter((f) => names.includes(f)));
      expect(names.filter((f) => !inTree(exported).has(f)).sort(), p.name).toEqual(lacking);
      // The kernel's tree, its dirs made by the nr_* writes alone: the same files, and each
      // holds the table's default.
      const t = new SysfsTree(p);
      for (const [f, v] of exported) if (/\/nr_[a-z]+$/.test(f) && !f.includes('/stats/')) expect(t.write(f, v), f).toBeNull();
      const fresh = t.list().map(([f, v]): [string, string] => [f, v.replace(/\n$/, '')]);
      expect(names.filter((f) => !inTree(fresh).has(f)).sort(), p.name).toEqual(lacking);
      for (const [f, v] of fresh) {
        const name = f.split('/').pop()!;
        if (Object.hasOwn(PROFILE_FILES, name)) expect(v, f).toBe(PROFILE_FILES[name as keyof typeof PROFILE_FILES].dflt);
      }
    }
  });
});

describe('sysfsPathOf: a model path as the tree names the file or directory', () => {
  it.each([
    ['kdamonds[0].contexts[1].intervals', 'kdamonds/0/contexts/1/monitoring_attrs/intervals'],
    ['kdamonds[0].contexts[0].intervals.intervals_goal.access_bp', 'kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal/access_bp'],
    ['kdamonds[0].contexts[0].nr_regions', 'kdamonds/0/contexts/0/monitoring_attrs/nr_regions'],
    ['kdamonds[2].contexts[0].ops', 'kdamonds/2/contexts/0/operations'],
    ['kdamonds[0].contexts[0].schemes[3].access_pattern.sz_bytes', 'kdamonds/0/contexts/0/schemes/3/access_pattern/sz'],
    ['kdamonds[0].contexts[0].schemes[0].quotas.sz_bytes', 'kdamonds/0/contexts/0/schemes/0/quotas/bytes'],
    ['kdamonds[0].contexts[0].schemes[0].quotas.time_ms', 'kdamonds/0/contexts/0/schemes/0/quotas/ms'],
    ['kdamonds[0].contexts[0].schemes[0].quotas.goals[1].metric', 'kdamonds/0/contexts/0/schemes/0/quotas/goals/1/target_metric'],
    ['kdamonds[0].contexts[0].schemes[0].watermarks.mid_permil', 'kdamonds/0/contexts/0/schemes/0/watermarks/mid'],
    ['kdamonds[0].contexts[0].targets[0].regions[5]', 'kdamonds/0/contexts/0/targets/0/regions/5'],
    ['kdamonds[0].contexts[0].intervals.ops_update_us', 'kdamonds/0/contexts/0/monitoring_attrs/intervals/update_us'],
    ['kdamonds[0].contexts[0].schemes[0].quotas.goals[0].memcg_path', 'kdamonds/0/contexts/0/schemes/0/quotas/goals/0/path'],
    ['kdamonds[0].contexts[0].schemes[0].filters[2].filter_type', 'kdamonds/0/contexts/0/schemes/0/filters/2/type'],
    ['kdamonds[0].contexts[0].schemes[0].core_filters[1].address_range.end', 'kdamonds/0/contexts/0/schemes/0/core_filters/1/addr_end'],
    ['kdamonds[0].contexts[0].schemes[0].filters[0].address_range', 'kdamonds/0/contexts/0/schemes/0/filters/0'],
    ['kdamonds[0].contexts[0].schemes[0].ops_filters[0].hugepage_size.max', 'kdamonds/0/contexts/0/schemes/0/ops_filters/0/max'],
  ])('%s -> %s', (model, tree) => expect(sysfsPathOf(model)).toBe(tree));
});

describe('sysfs import(export(x)) == x', () => {
  it('examples', () => {
    for (const f of readdirSync(EXAMPLES).filter((x) => /\.(ya?ml|json)$/.test(x))) {
      const { kdamonds: params, kernel } = loadScenarioFile(join(EXAMPLES, f)).scenario;
      const dir = fresh();
      // The example's own kernel: whatever it sets, that kernel's tree has a file for.
      exportSysfsTree(dir, params, resolveProfile(kernel));
      expect(importParams(dir)).toEqual(normalise(params));
      // the kdamonds dir itself is accepted too
      expect(importParams(join(dir, 'kdamonds'))).toEqual(normalise(params));
    }
  });

  it('property-generated parameters', () => {
    fc.assert(
      fc.property(kdamondsArb, (params) => {
        const dir = fresh();
        writeSysfsFiles(dir, sysfsFiles(params, B1));
        expect(importParams(dir)).toEqual(normalise(params));
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 30, seed: 77 },
    );
  });
});

describe('sysfs trees of the kernel profiles', () => {
  const reclaim = loadScenarioFile(join(EXAMPLES, 'damon-reclaim.yaml')).scenario.kdamonds;
  const mainline = findProfile('mainline-6.19')!;
  const b0 = findProfile('b0')!;

  it("refuses to export what the profile's tree has no file or name for, naming each setting", () => {
    const p = structuredClone(example);
    p[0].contexts[0].pause = true;
    p[0].contexts[0].schemes[0].quota.failChargeNum = 1;
    p[0].contexts[0].schemes[1].action = 'collapse';
    p[0].contexts[0].schemes[1].maxNrSnapshots = 3;
    const issues = (profile: KernelProfile) => {
      try {
        sysfsFiles(p, profile);
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    // b0's tree has the fail_charge files (its run ignores them, with a warning: damos.md §4.3).
    expect(issues(b0)).toEqual([
      'kdamonds[0].contexts[0].pause: expected false: kernel profile "b0"\'s tree has no pause file (use profile b1); found true',
      'kdamonds[0].contexts[0].schemes[1].action: expected an action it takes: kernel profile "b0"\'s tree has no action "collapse" (use profile b1); found "collapse"',
    ]);
    expect(issues(mainline)).toEqual([
      'kdamonds[0].contexts[0].pause: expected false: kernel profile "mainline-6.19"\'s tree has no pause file (use profile b1); found true',
      'kdamonds[0].contexts[0].schemes[0].quotas.goal_tuner: expected "consist": kernel profile "mainline-6.19"\'s tree has no goal_tuner file (use profile b0 or b1); found "temporal"',
      'kdamonds[0].contexts[0].schemes[0].quotas.fail_charge_num: expected 0: kernel profile "mainline-6.19"\'s tree has no fail_charge_num file (use profile b0 or b1); found 1',
      'kdamonds[0].contexts[0].schemes[0].quotas.goals[0].metric: expected a metric it takes: kernel profile "mainline-6.19"\'s tree has no goal metric "node_eligible_mem_bp" (use profile b0 or b1); found "node_eligible_mem_bp"',
      'kdamonds[0].contexts[0].schemes[1].action: expected an action it takes: kernel profile "mainline-6.19"\'s tree has no action "collapse" (use profile b1); found "collapse"',
      'kdamonds[0].contexts[0].schemes[1].quotas.goal_tuner: expected "consist": kernel profile "mainline-6.19"\'s tree has no goal_tuner file (use profile b0 or b1); found "temporal"',
      'kdamonds[0].contexts[0].schemes[1].max_nr_snapshots: expected 0: kernel profile "mainline-6.19"\'s tree has no max_nr_snapshots file (use profile b0 or b1); found 3',
      'kdamonds[0].contexts[0].schemes[1].quotas.goals[0].metric: expected a metric it takes: kernel profile "mainline-6.19"\'s tree has no goal metric "node_eligible_mem_bp" (use profile b0 or b1); found "node_eligible_mem_bp"',
    ]);
    expect(issues(B1)).toEqual([]);
    // Nothing is left behind by a refused export, not even the parent directories it would make.
    const base = fresh();
    expect(() => exportSysfsTree(join(base, 'a', 'b'), p, b0)).toThrow(ConfigError);
    expect(existsSync(base)).toBe(false);
  });

  it("reads a tree as the profile's: the files its kernel lacks go without a note, and names it does not take are errors", () => {
    const dir = fresh();
    exportSysfsTree(dir, reclaim, mainline);
    expect(importSysfsTree(dir, mainline).notes).toEqual([]);
    // Read as b0's tree, the same files are missing from a kernel that has them.
    const missing = importSysfsTree(dir, b0).notes.map((n) => n.path.replace(/^kdamonds\/0\/contexts\/0\/schemes\/0\//, ''));
    expect(missing).toEqual(['quotas/goal_tuner', 'stats/max_nr_snapshots', 'quotas/fail_charge_num', 'quotas/fail_charge_denom']);
    expect(importParams(dir)).toEqual(normalise(reclaim));
    // A b1 tree with a name only b1's kernel takes cannot be b0's or 6.19's.
    const b1 = fresh();
    const p = structuredClone(reclaim);
    p[0].contexts[0].schemes[0].action = 'collapse';
    exportSysfsTree(b1, p, B1);
    expect(() => importSysfsTree(b1, b0)).toThrow(
      'kdamonds/0/contexts/0/schemes/0/action: expected a DAMOS action that kernel profile "b0" has (willneed, cold, pageout, hugepage, nohugepage, lru_prio, lru_deprio, migrate_hot, migrate_cold, stat); found "collapse", which only a later kernel\'s file takes (use profile b1)',
    );
    expect(importSysfsTree(b1, B1).kdamonds[0].contexts[0].schemes[0].action).toBe('collapse');
    const ml = fresh();
    exportSysfsTree(ml, example, b0);
    expect(() => importSysfsTree(ml, mainline)).toThrow(
      'kdamonds/0/contexts/0/schemes/0/quotas/goal_tuner: expected no such file, or its default "consist": kernel profile "mainline-6.19"\'s tree has none; found "temporal" (use profile b0 or b1)',
    );
    for (const si of [0, 1]) writeFileSync(join(ml, `kdamonds/0/contexts/0/schemes/${si}/quotas/goal_tuner`), 'consist\n');
    expect(() => importSysfsTree(ml, mainline)).toThrow(/schemes\/0\/quotas\/goals\/0\/target_metric: expected a quota goal metric that kernel profile "mainline-6\.19" has \(.*\); found "node_eligible_mem_bp", which only a later kernel's file takes \(use profile b0 or b1\)/);
    // A file that kernel lacks may be there with its default (a tree staged into a plain directory
    // has them all), but not with another value.
    writeFileSync(join(b1, 'kdamonds/0/contexts/0/schemes/0/action'), 'pageout\n');
    expect(importSysfsTree(b1, b0).notes).toEqual([]);
    writeFileSync(join(b1, 'kdamonds/0/contexts/0/pause'), 'Y\n');
    expect(() => importSysfsTree(b1, b0)).toThrow('kdamonds/0/contexts/0/pause: expected no such file, or its default "N": kernel profile "b0"\'s tree has none; found "Y" (use profile b1)');
    writeFileSync(join(b1, 'kdamonds/0/contexts/0/pause'), '0\n');
    writeFileSync(join(b1, 'kdamonds/0/contexts/0/schemes/0/stats/max_nr_snapshots'), '4\n');
    expect(() => importSysfsTree(b1, mainline)).toThrow(/stats\/max_nr_snapshots: expected no such file, or its default "0": kernel profile "mainline-6\.19"'s tree has none; found "4" \(use profile b0 or b1\)/);
    expect(importSysfsTree(b1, b0).kdamonds[0].contexts[0].schemes[0].maxNrSnapshots).toBe(4n);
  });
});

describe('sysfs import of older kernels and broken trees', () => {
  it('tolerates missing optional files, saying which and using the kernel defaults', () => {
    const dir = fresh();
    exportSysfsTree(dir, example, B1);
    const k = join(dir, 'kdamonds/0');
    const s = join(k, 'contexts/0/schemes/0');
    for (const f of ['refresh_ms', 'contexts/0/addr_unit', 'contexts/0/pause', 'contexts/0/targets/0/obsolete_target', 'contexts/0/schemes/0/quotas/goal_tuner', 'contexts/0/schemes/0/quotas/fail_charge_num', 'contexts/0/schemes/0/quotas/fail_charge_denom', 'contexts/0/schemes/0/stats/max_nr_snapshots', 'contexts/0/schemes/0/apply_interval_us'])
      rmSync(join(k, f));
    rmSync(join(k, 'contexts/0/monitoring_attrs/intervals/intervals_goal'), { recursive: true });
    rmSync(join(s, 'dests'), { recursive: true });
    // an old kernel: one legacy filters dir
    rmSync(join(s, 'ops_filters'), { recursive: true });
    rmSync(join(s, 'filters'), { recursive: true });
    execFileSync('mv', [join(s, 'core_filters'), join(s, 'filters')]);
    const r = importSysfsTree(dir);
    const notes = r.notes.map((x) => x.path);
    expect(notes).toContain('kdamonds/0/refresh_ms');
    expect(notes).toContain('kdamonds/0/contexts/0/monitoring_attrs/intervals/intervals_goal');
    expect(notes).toContain('kdamonds/0/contexts/0/schemes/0/quotas/goal_tuner');
    expect(notes).toContain('kdamonds/0/contexts/0/schemes/0/dests');
    expect(r.notes.find((x) => x.path === 'kdamonds/0/refresh_ms')!.message).toBe('missing (added in Linux 6.17); using the default "0"');
    const p = readKdamonds(wrapKdamonds(kdamondsTree(r.kdamonds))).params;
    expect(p[0].refreshMs).toBe(0);
    expect(p[0].contexts[0].schemes[0].quota.goalTuner).toBe('consist');
    expect(p[0].contexts[0].schemes[0].filters).toEqual(example[0].contexts[0].schemes[0].filters);
  });

  it('a missing required file or a bad value is an error naming the file', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    writeFileSync(join(dir, 'kdamonds/0/contexts/0/schemes/1/action'), 'migrate_warm\n');
    expect(() => importSysfsTree(dir)).toThrow(ConfigError);
    try {
      importSysfsTree(dir);
    } catch (e) {
      expect((e as ConfigError).issues[0]).toEqual({ path: 'kdamonds/0/contexts/0/schemes/1/action', message: expect.stringMatching(/expected a DAMOS action \(willneed, .*\); found "migrate_warm"/) });
    }
    rmSync(join(dir, 'kdamonds/0/contexts/0/operations'));
    expect(() => importSysfsTree(dir)).toThrow(/kdamonds\/0\/contexts\/0\/operations: expected this file/);
    expect(() => importSysfsTree(join(ROOT, 'nowhere'))).toThrow(/expected a DAMON sysfs tree/);
  });

  it('a FIFO, a device or a file bigger than a page is refused without being read (found by fuzzing: /dev/zero ate 10 GB, a FIFO hung)', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    const s = 'kdamonds/0/contexts/0/schemes/0';
    rmSync(join(dir, s, 'action'));
    execFileSync('mkfifo', [join(dir, s, 'action')]);
    rmSync(join(dir, s, 'access_pattern/nr_accesses/min'));
    symlinkSync('/dev/zero', join(dir, s, 'access_pattern/nr_accesses/min'));
    writeFileSync(join(dir, s, 'apply_interval_us'), `${'0'.repeat(70_000)}\n`);
    expect(importIssues(dir)).toEqual([
      `${s}/action: expected a regular file; found a named pipe (FIFO)`,
      `${s}/apply_interval_us: expected at most 65536 bytes (a sysfs file shows at most one page); found more`,
      `${s}/access_pattern/nr_accesses/min: expected a regular file; found a character device`,
    ]);
  });

  it('a directory that is missing or cannot be looked into is one line, not one per file beneath it', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    const c = 'kdamonds/0/contexts/0';
    rmSync(join(dir, c, 'schemes/0/quotas'), { recursive: true });
    // A symlink loop where monitoring_attrs was (ELOOP for every file beneath it).
    rmSync(join(dir, c, 'monitoring_attrs'), { recursive: true });
    symlinkSync('monitoring_attrs', join(dir, c, 'monitoring_attrs'));
    // A bad operations name reads on as paddr: no line about the pid_target a vaddr target needs.
    writeFileSync(join(dir, c, 'operations'), 'padr\n');
    expect(importIssues(dir)).toEqual([
      `${c}/operations: expected an operations set (vaddr, fvaddr, paddr); found "padr"`,
      expect.stringMatching(new RegExp(`^${c}/monitoring_attrs: expected a readable directory; found .*ELOOP`)),
      `${c}/schemes/0/quotas: expected this directory (every kernel with the DAMON sysfs interface has it); found nothing`,
    ]);
  });

  // Root may search any directory: this one runs as any other user (as CI may).
  it.skipIf(process.getuid?.() === 0)('a directory that may not be searched (EACCES) is one line, and a kdamonds dir so is not "no tree"', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    const quotas = join(dir, 'kdamonds/0/contexts/0/schemes/0/quotas');
    chmodSync(quotas, 0o000);
    try {
      expect(importIssues(dir)).toEqual([expect.stringMatching(/^kdamonds\/0\/contexts\/0\/schemes\/0\/quotas: expected a readable directory; found .*EACCES/)]);
    } finally {
      chmodSync(quotas, 0o755);
    }
    chmodSync(join(dir, 'kdamonds'), 0o000);
    try {
      expect(importIssues(dir)).toEqual([expect.stringMatching(/^kdamonds: expected a readable directory; found .*EACCES/)]);
    } finally {
      chmodSync(join(dir, 'kdamonds'), 0o755);
    }
  });

  it('names every bad file of the tree at once, one line each, and nothing a bad file leads to', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    const c = 'kdamonds/0/contexts/0';
    writeFileSync(join(dir, c, 'monitoring_attrs/intervals/sample_us'), 'banana\n');
    writeFileSync(join(dir, c, 'schemes/0/quotas/bytes'), 'xyz\n');
    writeFileSync(join(dir, c, 'schemes/1/action'), 'frob\n');
    // A count above the numbered dirs: the ones there are still read, the count named once.
    writeFileSync(join(dir, c, 'schemes/1/quotas/goals/nr_goals'), '3\n');
    // A required file missing: named once, not again as an unreadable number.
    rmSync(join(dir, c, 'schemes/0/watermarks/high'));
    expect(importIssues(dir)).toEqual([
      `${c}/monitoring_attrs/intervals/sample_us: expected an unsigned integer; found "banana"`,
      `${c}/schemes/0/quotas/bytes: expected an unsigned integer; found "xyz"`,
      `${c}/schemes/0/watermarks/high: expected this file (every kernel with the DAMON sysfs interface has it); found nothing`,
      expect.stringMatching(new RegExp(`^${c}/schemes/1/action: expected a DAMOS action \\(willneed, .*\\); found "frob"$`)),
      `${c}/schemes/1/quotas/goals/nr_goals: expected as many numbered directories as the count says; found 3 but no directory 1`,
    ]);
  });
});

describe('the staging script', () => {
  // The script writes every file a kernel may have (o() passes over the ones it lacks): against
  // a fake tree, that is the newest tree.
  const EXPORTED = readTree((() => {
    const d = fresh();
    exportSysfsTree(d, example, B1);
    return d;
  })());

  it('writes, against a fake tree, exactly the values the kernel tree shows, then "on"', () => {
    const dir = fresh();
    const r = runScript(sysfsScript(example), dir, { DAMON_SIM_FAKE_SYSFS: '1' });
    expect(r.stderr).toBe('damon-sim: 1 kdamond(s) on\n');
    expect(r.status).toBe(0);
    const written = readTree(dir);
    expect(written.get('kdamonds/0/state')).toBe('on');
    expect(written.size).toBeGreaterThan(80);
    for (const [f, v] of written) {
      if (f === 'kdamonds/0/state') continue;
      let want = EXPORTED.get(f);
      expect(want, `${f} is not a file of the kernel tree`).toBeDefined();
      want = want!.replace(/\n$/, '');
      // damo writes obsolete_target as 1/0; the kernel shows Y/N.
      const got = f.endsWith('obsolete_target') ? (v === '1' ? 'Y' : 'N') : v;
      expect(got, f).toBe(want);
    }
    for (const f of ['kdamonds/0/contexts/0/schemes/1/quotas/goals/0/nid', 'kdamonds/0/contexts/0/schemes/1/core_filters/0/addr_end', 'kdamonds/0/contexts/0/targets/0/regions/1/end', 'kdamonds/0/refresh_ms'])
      expect(written.has(f), f).toBe(true);
  });

  it('runs against an existing tree (numbered dirs in place) and turns the kdamond on', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    const r = runScript(sysfsScript(example), dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'kdamonds/0/state'), 'utf8')).toBe('on');
    expect(readFileSync(join(dir, 'kdamonds/0/contexts/0/schemes/1/quotas/goals/0/target_value'), 'utf8')).toBe('4000');
    // nr_* files that already hold the count are not rewritten (damo's ensure_nr_file_for)
    expect(readFileSync(join(dir, 'kdamonds/nr_kdamonds'), 'utf8')).toBe('1\n');
  });

  it('stops at the first failed write, naming it', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    const bad = join(dir, 'kdamonds/0/contexts/0/schemes/0/action');
    rmSync(bad);
    mkdirSync(bad);
    const r = runScript(sysfsScript(example), dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/damon-sim: writing 'migrate_hot' to .*schemes\/0\/action: failed/);
    expect(readFileSync(join(dir, 'kdamonds/0/state'), 'utf8')).toBe('off\n');
  });

  it('refuses a setting an older kernel lacks (a missing optional file with a non-default value)', () => {
    const dir = fresh();
    exportSysfsTree(dir, example);
    rmSync(join(dir, 'kdamonds/0/contexts/0/schemes/0/quotas/goal_tuner'));
    const r = runScript(sysfsScript(example), dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/quotas\/goal_tuner: missing, so this kernel cannot take 'temporal': failed/);
  });

  it("writes in damo's order: damo's own test_damon_sysfs.py sequence on its old-kernel tree", () => {
    // damo tests/unit/test_damon_sysfs.py: one kdamond, paddr, intervals 5 ms / 200 ms / 1 s, no
    // targets, one all-zero stat scheme, on a kernel without the later optional files.
    const params: KdamondParams[] = [
      {
        refreshMs: 0,
        contexts: [
          {
            ops: 'paddr',
            addrUnit: 1,
            pause: false,
            attrs: { sampleInterval: 5000, aggrInterval: 200000, opsUpdateInterval: 1000000, intervalsGoal: { accessBp: 0, aggrs: 0, minSampleUs: 0, maxSampleUs: 0 }, minNrRegions: 10, maxNrRegions: 1000 },
            targets: [],
            schemes: [
              {
                action: 'stat',
                targetNid: -1,
                dests: [],
                pattern: { minSzRegion: 0n, maxSzRegion: 0n, minNrAccesses: 0, maxNrAccesses: 0, minAgeRegion: 0, maxAgeRegion: 0 },
                applyIntervalUs: 0,
                quota: { ms: 0, sz: 0n, resetIntervalMs: 0, failChargeNum: 0, failChargeDenom: 0, goals: [], goalTuner: 'consist', weightSz: 0, weightNrAccesses: 0, weightAge: 0 },
                wmarks: { metric: 'none', intervalUs: 0, high: 0, mid: 0, low: 0 },
                filters: [],
                maxNrSnapshots: 0,
              },
            ],
          },
        ],
      },
    ];
    // The old kernel's tree after the nr_* writes: damo's fixture, with the counts at 0 as its dry run reads them.
    const dir = fresh();
    const c = join(dir, 'kdamonds/0/contexts/0');
    const s = join(c, 'schemes/0');
    const files: Record<string, string> = {
      'kdamonds/nr_kdamonds': '0',
      'kdamonds/0/state': 'off',
      'kdamonds/0/contexts/nr_contexts': '0',
      'kdamonds/0/contexts/0/operations': 'paddr',
      'kdamonds/0/contexts/0/targets/nr_targets': '0',
      'kdamonds/0/contexts/0/schemes/nr_schemes': '0',
    };
    for (const f of ['sample_us', 'aggr_us', 'update_us']) files[relative(dir, join(c, 'monitoring_attrs/intervals', f))] = '0';
    for (const f of ['min', 'max']) files[relative(dir, join(c, 'monitoring_attrs/nr_regions', f))] = '0';
    for (const a of ['sz', 'nr_accesses', 'age']) for (const f of ['min', 'max']) files[relative(dir, join(s, 'access_pattern', a, f))] = '0';
    for (const f of ['action']) files[relative(dir, join(s, f))] = 'stat';
    for (const f of ['ms', 'bytes', 'reset_interval_ms', 'weights/sz_permil', 'weights/nr_accesses_permil', 'weights/age_permil']) files[relative(dir, join(s, 'quotas', f))] = '0';
    for (const f of ['metric', 'interval_us', 'high', 'mid', 'low']) files[relative(dir, join(s, 'watermarks', f))] = '0';
    for (const [f, v] of Object.entries(files)) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), `${v}\n`);
    }
    const r = runScript(sysfsScript(params), dir, {}, true);
    expect(r.status).toBe(0);
    const writes = r.stderr
      .split('\n')
      .filter((l) => /^\+ w /.test(l))
      .map((l) => {
        const [, file, value] = /^\+ w (\S+) (.*)$/.exec(l)!;
        return `write '${value.replace(/^'(.*)'$/, '$1')}' to '${relative(join(dir, 'kdamonds'), file)}'`;
      });
    const p = '0/contexts/0';
    expect(writes).toEqual([
      "write '1' to 'nr_kdamonds'",
      "write '1' to '0/contexts/nr_contexts'",
      `write 'paddr' to '${p}/operations'`,
      `write '5000' to '${p}/monitoring_attrs/intervals/sample_us'`,
      `write '200000' to '${p}/monitoring_attrs/intervals/aggr_us'`,
      `write '1000000' to '${p}/monitoring_attrs/intervals/update_us'`,
      `write '10' to '${p}/monitoring_attrs/nr_regions/min'`,
      `write '1000' to '${p}/monitoring_attrs/nr_regions/max'`,
      `write '1' to '${p}/schemes/nr_schemes'`,
      `write '0' to '${p}/schemes/0/access_pattern/sz/min'`,
      `write '0' to '${p}/schemes/0/access_pattern/sz/max'`,
      `write '0' to '${p}/schemes/0/access_pattern/nr_accesses/min'`,
      `write '0' to '${p}/schemes/0/access_pattern/nr_accesses/max'`,
      `write '0' to '${p}/schemes/0/access_pattern/age/min'`,
      `write '0' to '${p}/schemes/0/access_pattern/age/max'`,
      `write 'stat' to '${p}/schemes/0/action'`,
      `write '0' to '${p}/schemes/0/quotas/ms'`,
      `write '0' to '${p}/schemes/0/quotas/bytes'`,
      `write '0' to '${p}/schemes/0/quotas/reset_interval_ms'`,
      `write '0' to '${p}/schemes/0/quotas/weights/sz_permil'`,
      `write '0' to '${p}/schemes/0/quotas/weights/nr_accesses_permil'`,
      `write '0' to '${p}/schemes/0/quotas/weights/age_permil'`,
      `write 'none' to '${p}/schemes/0/watermarks/metric'`,
      `write '0' to '${p}/schemes/0/watermarks/interval_us'`,
      `write '0' to '${p}/schemes/0/watermarks/high'`,
      `write '0' to '${p}/schemes/0/watermarks/mid'`,
      `write '0' to '${p}/schemes/0/watermarks/low'`,
      "write 'on' to '0/state'",
    ]);
  });

  it('on a kernel with only the legacy filters dir, a scheme without filters clears the filters a reused dir still has', () => {
    const dir = fresh();
    const noFilters = structuredClone(example);
    for (const s of noFilters[0].contexts[0].schemes) s.filters = [];
    // The tree a previous configuration left: one kdamond, one context, two schemes, one filter each.
    runScript(sysfsScript(example), dir, { DAMON_SIM_FAKE_SYSFS: '1' });
    for (const si of [0, 1]) legacyFilters(dir, si);
    const r = runScript(sysfsScript(noFilters), dir);
    expect(r.status, r.stderr).toBe(0);
    for (const si of [0, 1]) expect(readFileSync(join(dir, `kdamonds/0/contexts/0/schemes/${si}/filters/nr_filters`), 'utf8')).toBe('0');
  });

  it("a filter that does not allow writes N to an allow file that exists (a reused dir's old Y), and a 6.3-6.13 legacy filters dir without one takes it", () => {
    const legacy = (allow: boolean) => {
      const dir = fresh();
      const p = structuredClone(example);
      for (const sc of p[0].contexts[0].schemes) for (const f of sc.filters) f.allow = allow;
      exportSysfsTree(dir, p);
      for (const si of [0, 1]) {
        // The kernel's tree before 6.14: one filters dir, whose filter dirs have no allow file.
        const fd = join(legacyFilters(dir, si), '0');
        for (const [f, v] of [['type', 'anon'], ['matching', 'N'], ['memcg_path', ''], ['addr_start', '0'], ['addr_end', '0'], ['min', '0'], ['max', '0'], ['damon_target_idx', '0']])
          writeFileSync(join(fd, f), `${v}\n`);
      }
      return { dir, script: sysfsScript(p) };
    };
    const deny = legacy(false);
    expect(deny.script).toMatch(/o "[^"]*\/filters\/0\/allow" N N/);
    const r = runScript(deny.script, deny.dir);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(deny.dir, 'kdamonds/0/contexts/0/schemes/0/filters/0/type'), 'utf8')).toBe('addr');
    // A tree of 6.14+ reused from a config whose filter allowed: the old Y is overwritten.
    const reused = fresh();
    exportSysfsTree(reused, example.map((k) => ({ ...k })));
    const allowFile = join(reused, 'kdamonds/0/contexts/0/schemes/0/core_filters/0/allow');
    writeFileSync(allowFile, 'Y\n');
    const p = structuredClone(example);
    for (const sc of p[0].contexts[0].schemes) for (const f of sc.filters) f.allow = false;
    const rr = runScript(sysfsScript(p), reused);
    expect(rr.status, rr.stderr).toBe(0);
    expect(readFileSync(allowFile, 'utf8').trim()).toBe('N');
    // An allowing filter needs the file: that kernel cannot take it, and the script says where.
    const allow = legacy(true);
    const a = runScript(allow.script, allow.dir);
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(/filters\/0\/allow: missing, so this kernel cannot take 'Y': failed/);
  });

  it('the documented fake-tree workflow round-trips: stage into a plain directory, then import it', () => {
    const dir = fresh();
    const r = runScript(sysfsScript(example), dir, { DAMON_SIM_FAKE_SYSFS: '1' });
    expect(r.status, r.stderr).toBe(0);
    // The script writes no pid_target for paddr targets (the kernel ignores it): import does without.
    expect(existsSync(join(dir, 'kdamonds/0/contexts/0/targets/0/pid_target'))).toBe(false);
    expect(normalise(importParams(dir))).toEqual(normalise(example));
  });

  it('--damo-compat upstream leaves node_eligible_mem_bp nids unwritten', () => {
    const dir = fresh();
    runScript(sysfsScript(example, { compat: 'upstream' }), dir, { DAMON_SIM_FAKE_SYSFS: '1' });
    expect(existsSync(join(dir, 'kdamonds/0/contexts/0/schemes/1/quotas/goals/0/nid'))).toBe(false);
    expect(readFileSync(join(dir, 'kdamonds/0/contexts/0/schemes/1/quotas/goals/0/target_metric'), 'utf8')).toBe('node_eligible_mem_bp');
  });
});

describe('damon-sim export --sysfs / --script, import --sysfs', () => {
  it('export then import gives the config back, as damo JSON', async () => {
    const dir = fresh();
    const e = await cli(['export', join(EXAMPLES, 'tiering-6040.yaml'), '--sysfs', dir]);
    expect(e.code).toBe(0);
    expect(e.err).toMatch(/wrote the sysfs tree/);
    const i = await cli(['import', '--sysfs', dir]);
    expect(i.code).toBe(0);
    expect(readKdamonds(JSON.parse(i.out)).params).toEqual(normalise(example));
    const y = await cli(['import', '--sysfs', dir, '--format', 'yaml', '--raw', '--bare']);
    expect(y.out.startsWith('- refresh_ms: 1000\n')).toBe(true);
  });

  it("export --sysfs writes the scenario's kernel profile's tree (or --profile's); import --profile reads it as that kernel's", async () => {
    const b0 = fresh();
    const e = await cli(['export', '--preset', 'tiering-6040', '--sysfs', b0]);
    expect(e.err).toBe(`damon-sim: wrote the sysfs tree of preset tiering-6040 (kernel profile b0) to ${b0}/kdamonds\n`);
    expect(existsSync(join(b0, 'kdamonds/0/contexts/0/pause'))).toBe(false);
    expect(readFileSync(join(b0, 'kdamonds/0/contexts/0/schemes/0/quotas/fail_charge_num'), 'utf8')).toBe('0\n');
    // A b0 tree read as b0's: nothing to note.
    const i0 = await cli(['import', '--sysfs', b0]);
    expect(i0.err).toBe('');
    // Read as b1's, the files b1 has are missing.
    const i1 = await cli(['import', '--sysfs', b0, '--profile', 'b1']);
    expect(i1.err).toMatch(/^damon-sim: note: kdamonds\/0\/contexts\/0\/pause: missing \(added in the 2026 damon tree, queued in -mm after 7\.1-rc1\); using the default "N"\n/);
    const b1 = fresh();
    expect((await cli(['export', '--preset', 'tiering-6040', '--sysfs', b1, '--profile', 'b1'])).code).toBe(0);
    expect(readFileSync(join(b1, 'kdamonds/0/contexts/0/pause'), 'utf8')).toBe('N\n');
    // A paused context is b1's: no b0 tree holds one.
    writeFileSync(join(b1, 'kdamonds/0/contexts/0/pause'), 'Y\n');
    const w = await cli(['import', '--sysfs', b1]);
    expect([w.code, w.out]).toEqual([2, '']);
    expect(w.err).toBe('damon-sim: error: kdamonds/0/contexts/0/pause: expected no such file, or its default "N": kernel profile "b0"\'s tree has none; found "Y" (use profile b1)\n');
    expect((await cli(['import', '--sysfs', b1, '--profile', 'b1'])).err).toBe('');
    // The preset's metric is not mainline-6.19's: refused before anything is written.
    const ml = fresh();
    const r = await cli(['export', '--preset', 'tiering-6040', '--sysfs', ml, '--profile', 'mainline-6.19']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/node_eligible_mem_bp/);
    expect(existsSync(ml)).toBe(false);
    // A fail_charge ratio: b0's tree has the files (its run ignores the ratio, with a warning);
    // 6.19's has none, so its export is refused, one line per file.
    const doc = JSON.parse((await cli(['export', join(EXAMPLES, 'damon-reclaim.yaml'), '--scenario'])).out);
    Object.assign(doc.damon.kdamonds[0].contexts[0].schemes[0].quotas, { fail_charge_num: 1, fail_charge_denom: 4 });
    const file = join(ROOT, `ratio${n++}.json`);
    writeFileSync(file, JSON.stringify(doc));
    const ratioB0 = fresh();
    const f0 = await cli(['export', file, '--sysfs', ratioB0]);
    expect(f0.code).toBe(0);
    expect(f0.err).toMatch(/warning: damon\.kdamonds\[0\]\.contexts\[0\]\.schemes\[0\]\.quotas\.fail_charge_num: kernel profile "b0" has no failed-charge ratio .* are ignored/);
    expect(readFileSync(join(ratioB0, 'kdamonds/0/contexts/0/schemes/0/quotas/fail_charge_denom'), 'utf8')).toBe('4\n');
    const ratioMl = join(fresh(), 'admin');
    const fm = await cli(['export', file, '--sysfs', ratioMl, '--profile', 'mainline-6.19']);
    expect(fm.code).toBe(2);
    expect(fm.err.split('\n').filter((l) => l.startsWith('damon-sim: error: '))).toEqual([
      'damon-sim: error: damon.kdamonds[0].contexts[0].schemes[0].quotas.fail_charge_num: expected 0: kernel profile "mainline-6.19"\'s tree has no fail_charge_num file (use profile b0 or b1); found 1',
      'damon-sim: error: damon.kdamonds[0].contexts[0].schemes[0].quotas.fail_charge_denom: expected 0: kernel profile "mainline-6.19"\'s tree has no fail_charge_denom file (use profile b0 or b1); found 4',
    ]);
    expect(existsSync(dirname(ratioMl))).toBe(false);
    const bad = await cli(['export', '--preset', 'tiering-6040', '--profile', 'b2']);
    expect([bad.code, bad.err]).toEqual([2, 'damon-sim: error: --profile: expected one of b0, b1, mainline-6.19; found "b2"\n']);
    expect((await cli(['import', '--sysfs', b1, '--profile', 'b2'])).code).toBe(2);
  });

  it('export, import and report damon name every bad option value at once, one line each', async () => {
    const lines = async (args: string[]) => {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      return r.err.trimEnd().split('\n');
    };
    const profile = 'damon-sim: error: --profile: expected one of b0, b1, mainline-6.19; found "zz"';
    const preset = 'damon-sim: error: --preset: expected one of tiering-6040; found "nope"';
    const format = 'damon-sim: error: --format: expected json, yaml; found "bad"';
    expect(await lines(['export', '--preset', 'nope', '--profile', 'zz', '--format', 'bad'])).toEqual([format, profile, preset]);
    expect(await lines(['import', '--sysfs', '', '--format', 'bad', '--profile', 'zz'])).toEqual(['damon-sim: error: --sysfs: expected a directory; found ""', format, profile]);
    const duration = 'damon-sim: error: --duration: expected a time from 1 ms to 104 days, such as "90 s" or "10 m" (a bare number is seconds); found "soon"';
    const seed = 'damon-sim: error: --seed: expected a non-negative integer below 2^53; found "x"';
    expect(await lines(['report', 'damon', '--preset', 'nope', '--profile', 'zz', '--duration', 'soon', '--seed', 'x'])).toEqual([profile, preset, duration, seed]);
    expect(await lines(['run', '--preset', 'nope', '--seed', 'x'])).toEqual([preset, seed]);
  });

  it('export --script to a device that refuses it (a full disk): exit 1, the option named, no stack', async () => {
    const r = await cli(['export', '--preset', 'tiering-6040', '--script', '/dev/full']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^damon-sim: error: --script: could not write "\/dev\/full" \(ENOSPC[^\n]*; no output written\n$/);
  });

  it('a tree that cannot be written leaves no directory behind, not even the parents it made', () => {
    const base = fresh();
    mkdirSync(base);
    // The parents p/q are made, then the 300-byte name fails (ENAMETOOLONG) mid-way.
    expect(() => exportSysfsTree(join(base, 'p', 'q', 'x'.repeat(300)), example)).toThrow(/ENAMETOOLONG/);
    expect(readdirSync(base)).toEqual([]);
  });

  it('export --sysfs: a name whose temporary sibling would be too long, and the current directory, are refused up front (exit 2)', async () => {
    const base = fresh();
    const long = await cli(['export', '--preset', 'tiering-6040', '--sysfs', join(base, 'new', 'y'.repeat(250))]);
    expect(long.code).toBe(2);
    expect(long.err).toMatch(/^damon-sim: error: --sysfs: expected a directory name of at most 242 bytes; found one of 250 bytes\n$/);
    expect(existsSync(base)).toBe(false);
    const cwd = await cli(['export', '--preset', 'tiering-6040', '--sysfs', '.']);
    expect(cwd.code).toBe(2);
    expect(cwd.err).toMatch(/^damon-sim: error: --sysfs: expected a new directory or an empty one other than the current directory \(or one holding it\); found "\."\n$/);
  });

  it('import: a file that cannot be looked at (a symlink loop) is an error of its own, not a missing file', async () => {
    const dir = fresh();
    await cli(['export', '--preset', 'tiering-6040', '--sysfs', dir]);
    const f = join(dir, 'kdamonds', '0', 'contexts', 'nr_contexts');
    rmSync(f);
    symlinkSync(f, f);
    const r = await cli(['import', '--sysfs', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('damon-sim: error: kdamonds/0/contexts/nr_contexts: expected a readable file; found a loop of symbolic links (ELOOP)\n');
  });

  it('import: what the kernel would refuse at commit is a warning naming the file\'s place, and the tree still prints', async () => {
    const dir = fresh();
    await cli(['export', '--preset', 'tiering-6040', '--sysfs', dir]);
    writeFileSync(join(dir, 'kdamonds', '0', 'contexts', '0', 'monitoring_attrs', 'nr_regions', 'min'), '1\n');
    const r = await cli(['import', '--sysfs', dir]);
    expect(r.code).toBe(0);
    // Given the kdamonds dir itself, below it, as the import's errors and notes name the files.
    const kd = await cli(['import', '--sysfs', join(dir, 'kdamonds')]);
    expect(kd.err).toMatch(/^damon-sim: warning: 0\/contexts\/0\/monitoring_attrs\/nr_regions: the kernel refuses this tree at commit: /);
    expect(r.err).toBe(
      `damon-sim: warning: kdamonds/0/contexts/0/monitoring_attrs/nr_regions: the kernel refuses this tree at commit: expected attributes damon_set_attrs accepts; found min_nr_regions must be >= 3, got 1\n`,
    );
    expect(readKdamonds(JSON.parse(r.out)).params[0].contexts[0].attrs.minNrRegions).toBe(1);
  });

  it('import: a filter the kernel cannot build (addr end below start, hugepage_size min above max, memcg without a path) is its refusal at commit, a warning naming the file, and the tree still prints', async () => {
    const dir = fresh();
    await cli(['export', '--preset', 'tiering-6040', '--sysfs', dir]);
    const sd = join(dir, 'kdamonds', '0', 'contexts', '0', 'schemes', '0');
    writeFileSync(join(sd, 'core_filters', '0', 'addr_end'), '4096\n');
    const start = readFileSync(join(sd, 'core_filters', '0', 'addr_start'), 'utf8').trim();
    // Two ops filters, as the kernel makes them (every file, a fresh filter's values), then set.
    writeFileSync(join(sd, 'ops_filters', 'nr_filters'), '2\n');
    for (const [i, type, set] of [[0, 'hugepage_size', { min: '2097152', max: '4096' }], [1, 'memcg', {}]] as const) {
      const fd = join(sd, 'ops_filters', `${i}`);
      mkdirSync(fd, { recursive: true });
      const files: Record<string, string> = { type, matching: 'Y', allow: 'N', memcg_path: '', addr_start: '0', addr_end: '0', min: '0', max: '0', damon_target_idx: '0', ...set };
      for (const [f, v] of Object.entries(files)) writeFileSync(join(fd, f), `${v}\n`);
    }
    const r = await cli(['import', '--sysfs', dir, '--raw']);
    expect(r.code).toBe(0);
    const TAIL = '(the kernel cannot build the filter: on and commit fail with -ENOMEM)';
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      `damon-sim: warning: kdamonds/0/contexts/0/schemes/0/core_filters/0/addr_end: the kernel refuses this tree at commit: expected start <= end; found start ${start} > end 4096 ${TAIL}`,
      `damon-sim: warning: kdamonds/0/contexts/0/schemes/0/ops_filters/0/max: the kernel refuses this tree at commit: expected min <= max; found 2097152 > 4096 ${TAIL}`,
      `damon-sim: warning: kdamonds/0/contexts/0/schemes/0/ops_filters/1/memcg_path: the kernel refuses this tree at commit: expected a cgroup path such as "/workload" for a memcg filter; found nothing ${TAIL}`,
    ]);
    // The tree as it is: damo's format holds each of them.
    const filters = (JSON.parse(r.out) as { kdamonds: Array<{ contexts: Array<{ schemes: Array<{ filters: Array<Record<string, unknown>> }> }> }> }).kdamonds[0].contexts[0].schemes[0].filters;
    expect(filters.map((f) => [f.filter_type, f.address_range ?? f.hugepage_size ?? f.memcg_path])).toEqual([
      ['addr', { start: Number(start), end: 4096 }],
      ['hugepage_size', [2097152, 4096]],
      ['memcg', null],
    ]);
  });

  it("import: a vaddr context, which a kernel commits but damon-sim cannot run, is not called the kernel's refusal", async () => {
    const dir = fresh();
    await cli(['export', join(__dirname, '..', 'examples', 'damon-reclaim.yaml'), '--sysfs', dir]);
    const ctx = join(dir, 'kdamonds', '0', 'contexts', '0');
    writeFileSync(join(ctx, 'operations'), 'vaddr\n');
    writeFileSync(join(ctx, 'targets', '0', 'pid_target'), '1234\n');
    const r = await cli(['import', '--sysfs', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      `damon-sim: warning: kdamonds/0/contexts/0/operations: damon-sim cannot run this tree (a kernel takes it): expected "paddr" (damon-sim simulates the physical address space operations set only); found "vaddr"\n`,
    );
    expect(readKdamonds(JSON.parse(r.out)).params[0].contexts[0].ops).toBe('vaddr');
    // What the kernel refuses of such a tree is still said as the kernel's refusal.
    writeFileSync(join(ctx, 'monitoring_attrs', 'nr_regions', 'min'), '1\n');
    const both = await cli(['import', '--sysfs', dir]);
    expect(both.code).toBe(0);
    expect(both.err.split('\n').filter(Boolean)).toEqual([
      `damon-sim: warning: kdamonds/0/contexts/0/monitoring_attrs/nr_regions: the kernel refuses this tree at commit: expected attributes damon_set_attrs accepts; found min_nr_regions must be >= 3, got 1`,
      `damon-sim: warning: kdamonds/0/contexts/0/operations: damon-sim cannot run this tree (a kernel takes it): expected "paddr" (damon-sim simulates the physical address space operations set only); found "vaddr"`,
    ]);
  });

  it('import: an empty region, which the kernel takes (it refuses start > end only), is damon-sim\'s limit; start > end is the kernel\'s refusal', async () => {
    const dir = fresh();
    await cli(['export', '--preset', 'tiering-6040', '--sysfs', dir]);
    const region = join(dir, 'kdamonds', '0', 'contexts', '0', 'targets', '0', 'regions', '0');
    const start = readFileSync(join(region, 'start'), 'utf8').trim();
    writeFileSync(join(region, 'end'), `${start}\n`);
    const empty = await cli(['import', '--sysfs', dir]);
    expect(empty.code).toBe(0);
    expect(empty.err).toBe(
      `damon-sim: warning: kdamonds/0/contexts/0/targets/0/regions/0: damon-sim cannot run this tree (a kernel takes it): expected start < end (damon-sim does not simulate an empty region, which the kernel takes); found [${start}, ${start})\n`,
    );
    writeFileSync(join(region, 'end'), `${Number(start) - 4096}\n`);
    const reversed = await cli(['import', '--sysfs', dir]);
    expect(reversed.code).toBe(0);
    expect(reversed.err).toBe(`damon-sim: warning: kdamonds/0/contexts/0/targets/0/regions/0: the kernel refuses this tree at commit: expected start < end; found [${start}, ${Number(start) - 4096})\n`);
  });

  it('import --sysfs "" names the option and the empty value', async () => {
    const r = await cli(['import', '--sysfs', '']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('damon-sim: error: --sysfs: expected a directory; found ""\n');
    expect(r.out).toBe('');
  });

  it('import --sysfs of something that is no tree says what it is: missing, a file, or a directory without one', async () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'f.json');
    writeFileSync(file, '{}');
    const what = 'expected a DAMON sysfs tree: the admin dir (with kdamonds/nr_kdamonds) or its kdamonds dir (with nr_kdamonds); found';
    for (const [path, found] of [
      [join(dir, 'nope'), 'no such directory (ENOENT)'],
      [file, 'a file, not a directory'],
      [dir, 'neither'],
    ]) {
      const r = await cli(['import', '--sysfs', path]);
      expect([r.code, r.err]).toEqual([2, `damon-sim: error: ${path}: ${what} ${found}\n`]);
    }
  });

  it('the library entry has the same path from a tree to damo text and parameters (import --sysfs)', async () => {
    const lib = await import('../src/index.js');
    const dir = fresh();
    lib.exportSysfsTree(dir, example);
    const doc = lib.wrapKdamonds(lib.kdamondsTree(lib.importSysfsTree(dir).kdamonds));
    expect(lib.readKdamonds(doc).params).toEqual(normalise(example));
    expect(JSON.parse(lib.formatDamoText(doc, 'json'))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('refuses to overwrite a non-empty directory; import notes missing files on stderr', async () => {
    const dir = fresh();
    await cli(['export', '--preset', 'tiering-6040', '--sysfs', dir]);
    const again = await cli(['export', '--preset', 'tiering-6040', '--sysfs', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--sysfs: expected a new or empty directory/);
    rmSync(join(dir, 'kdamonds/0/refresh_ms'));
    const i = await cli(['import', '--sysfs', dir]);
    expect(i.err).toMatch(/damon-sim: note: kdamonds\/0\/refresh_ms: missing \(added in Linux 6\.17\)/);
    expect((await cli(['import'])).code).toBe(2);
  });

  it('export --script writes a runnable script', async () => {
    const file = join(ROOT, 'stage.sh');
    const r = await cli(['export', '--preset', 'tiering-6040', '--script', file]);
    expect(r.code).toBe(0);
    const dir = fresh();
    const run = runScript(readFileSync(file, 'utf8'), dir, { DAMON_SIM_FAKE_SYSFS: '1' });
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, 'kdamonds/0/contexts/0/schemes/0/quotas/goals/0/target_value'), 'utf8')).toBe('6000');
  });
});
