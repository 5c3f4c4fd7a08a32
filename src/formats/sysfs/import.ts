// SPDX-License-Identifier: GPL-2.0-only
/**
 * Import a DAMON sysfs tree (a copy of /sys/kernel/mm/damon/admin, or of its kdamonds dir) as
 * damo's object model in kernel units, as `damo report damon` reads a kdamond. Numbered dirs are
 * read as far as their nr_* file says. Files that older kernels lack are optional: their default
 * is used and a note says which file was missing (and the kernel that added it), unless the
 * kernel profile the tree is read as lacks it too. Missing required files and unparsable values
 * are one ConfigError naming every such file (a missing or unreadable directory once).
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DAMOS_ACTIONS, FILTER_TYPES, GOAL_TUNERS, isCoreFilter, measuresMemcg, measuresNode, QUOTA_GOAL_METRICS, WMARK_METRICS, type DamosAction, type FilterType, type GoalTuner, type QuotaGoalMetric, type WmarkMetric } from '../../damos/scheme.js';
import { specialKind } from '../../lib/dirs.js';
import { DAMON_OPS_IDS, type OpsId } from '../../ops/operations.js';
import { ConfigError, type ConfigIssue } from '../../scenario/issues.js';
import { ULONG_MAX } from '../../lib/kint.js';
import type { DamoContext, DamoFilter, DamoGoal, DamoKdamond, DamoScheme, DamoTarget } from '../damo/tree.js';
import { parseBool } from '../damo/units.js';
import { readFailure } from '../../lib/inputs.js';
import { DEFAULT_PROFILE, type KernelProfile } from '../../profiles.js';
import { PROFILE_FILES, filesLacking, hasFile, isProfileFile, sysfsFeatures, sysfsPathOf, useProfileWith, type ProfileFile, type SysfsFeatures } from './layout.js';

export interface SysfsImport {
  kdamonds: DamoKdamond[];
  /** Optional files that were missing, one note each (path relative to the given dir). */
  notes: ConfigIssue[];
  /**
   * A problem's path in damo's model (`kdamonds[0].contexts[0].nr_regions`) as this import names
   * the tree's files: relative to the given dir, the admin dir or the kdamonds dir
   * (`kdamonds/0/contexts/0/monitoring_attrs/nr_regions` or `0/contexts/0/…`).
   */
  treePath(modelPath: string): string;
}

/** Where each optional file came from, for the notes. */
const OPTIONAL_SINCE: Readonly<Record<string, string>> = {
  refresh_ms: 'Linux 6.17',
  addr_unit: 'Linux 6.18',
  pause: 'the 2026 damon tree, queued in -mm after 7.1-rc1',
  intervals_goal: 'Linux 6.15',
  obsolete_target: 'Linux 6.19',
  target_nid: 'Linux 6.11',
  apply_interval_us: 'Linux 6.7',
  goal_tuner: 'Linux 7.1',
  fail_charge_num: 'the 2026 damon tree, queued in -mm after 7.1-rc1',
  fail_charge_denom: 'the 2026 damon tree, queued in -mm after 7.1-rc1',
  goals: 'Linux 6.8',
  nid: 'Linux 6.16',
  path: 'Linux 6.19',
  target_metric: 'Linux 6.9',
  current_value: 'Linux 6.8',
  allow: 'Linux 6.14',
  dests: 'Linux 6.17',
  max_nr_snapshots: 'Linux 7.0',
  core_filters: 'Linux 6.15',
  ops_filters: 'Linux 6.15',
  filters: 'Linux 6.3',
  memcg_path: 'Linux 6.3',
  addr_start: 'Linux 6.6',
  addr_end: 'Linux 6.6',
  damon_target_idx: 'Linux 6.6',
  min: 'Linux 6.15',
  max: 'Linux 6.15',
};

/**
 * Whether a profile file's content is its default, read as the file's kind (PROFILE_FILES); an
 * unreadable value counts as the default here, for the file's own reading to name it.
 */
function sameValue(key: ProfileFile, t: string): boolean {
  const { kind, dflt } = PROFILE_FILES[key];
  switch (kind) {
    case 'bool':
      try {
        return parseBool(t) === parseBool(dflt);
      } catch {
        return true;
      }
    case 'uint':
      return !/^\d+$/.test(t.trim()) || BigInt(t.trim()) === BigInt(dflt);
    case 'word':
      return t.trim() === dflt;
  }
}

/**
 * The tree's reader. A file that is wrong is noted in `problems` (one per path: what a bad file
 * leads to further on is not news) and read as a neutral value, so one import names every
 * problem of the tree, as a config file's checks do.
 */
class Reader {
  readonly notes: ConfigIssue[] = [];
  readonly problems: ConfigIssue[] = [];
  private readonly problemPaths = new Set<string>();
  /** Optional files the expected kernel does not have: missing, they go without a note (their default is what that kernel does). */
  private readonly lacks: ReadonlySet<string>;
  /** The profile's files and names (layout.ts sysfsFeatures). */
  readonly has: SysfsFeatures;
  /**
   * Per scheme dir, the dir and index of each filter as readScheme() lists them (core_filters,
   * ops_filters, then filters): the model's one filters list, as the tree's files name them.
   */
  readonly filterDirs = new Map<string, Array<[string, number]>>();

  constructor(
    readonly root: string,
    /** The kernel profile the tree is read as. */
    readonly profile: KernelProfile,
  ) {
    this.has = sysfsFeatures(profile);
    this.lacks = filesLacking(this.has);
  }

  private rel(p: string): string {
    return relative(this.root, p) || '.';
  }

  /** Note a problem of the file at p (the first for a path only). */
  bad(p: string, message: string): void {
    const path = this.rel(p);
    if (this.problemPaths.has(path)) return;
    this.problemPaths.add(path);
    this.problems.push({ path, message });
  }

  exists(p: string): boolean {
    return this.stat(p) !== undefined;
  }

  /**
   * What is at p, or undefined where nothing is; a path this user may not look into (a directory
   * without read or search permission on the way) is an error, not a missing file.
   */
  private stat(p: string): Stats | undefined {
    try {
      return statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      // Named where it starts, once for everything beneath it. EACCES at a step means the
      // directory before it may not be searched.
      const f = this.firstFailure(p);
      const at = f === undefined ? p : (f.err as NodeJS.ErrnoException).code === 'EACCES' ? f.parent : f.at;
      this.bad(at, `expected a readable ${at === p ? 'file' : 'directory'}; found ${readFailure(f?.err ?? e)}`);
      this.problemPaths.add(this.rel(p)); // and nothing more about p itself
      return undefined;
    }
  }

  /** Walking down from the root to p, the first path stat() fails on, the directory before it, and why. */
  private firstFailure(p: string): { at: string; parent: string; err: unknown } | undefined {
    let parent = this.root;
    for (const part of relative(this.root, p).split(sep)) {
      const at = join(parent, part);
      try {
        statSync(at);
      } catch (err) {
        return { at, parent, err };
      }
      parent = at;
    }
    return undefined;
  }

  /** A file's content without sysfs's trailing newline; undefined when the file is missing. */
  text(p: string): string | undefined {
    const st = this.stat(p);
    if (st === undefined) return undefined;
    if (st.isDirectory()) {
      this.bad(p, 'expected a file; found a directory');
      return undefined;
    }
    // A FIFO or a device would be read for ever (/dev/zero) or wait for a writer; a sysfs file
    // holds at most a page.
    if (!st.isFile()) {
      this.bad(p, `expected a regular file; found ${specialKind(st)}`);
      return undefined;
    }
    try {
      // sysfs gives every attribute the size of a page whatever it holds: the bytes read count.
      const bytes = readAtMost(p, SYSFS_FILE_MAX + 1);
      if (bytes.length > SYSFS_FILE_MAX) {
        this.bad(p, `expected at most ${SYSFS_FILE_MAX} bytes (a sysfs file shows at most one page); found more`);
        return undefined;
      }
      return bytes.toString('utf8').replace(/\n$/, '');
    } catch (e) {
      this.bad(p, `expected a readable file; found ${readFailure(e)}`);
      return undefined;
    }
  }

  /** A file every tree has: its content, or '' (noted; its reader then notes nothing more) when missing. */
  required(p: string): string {
    const t = this.text(p);
    if (t !== undefined) return t;
    if (this.problemPaths.has(this.rel(p))) return ''; // unreadable, and said so
    // A missing directory on the way: one line for all it would hold.
    const f = this.firstFailure(p);
    if (f !== undefined && f.at !== p) this.bad(f.at, 'expected this directory (every kernel with the DAMON sysfs interface has it); found nothing');
    else this.bad(p, 'expected this file (every kernel with the DAMON sysfs interface has it); found nothing');
    // The file's own line too, silently (the value readers note nothing more for a noted path).
    this.problemPaths.add(this.rel(p));
    return '';
  }

  /**
   * An optional file: its content, or undefined with a note (once per file name per dir kind). A
   * file the profile's kernel lacks may be there with its default (a tree staged into a plain
   * directory has every file), but another value is something that kernel could not hold.
   */
  optional(p: string, key: string, dflt: string): string | undefined {
    const t = this.text(p);
    if (t !== undefined && isProfileFile(key) && this.lacks.has(key) && !sameValue(key, t))
      this.bad(p, `expected no such file, or its default ${JSON.stringify(dflt)}: kernel profile "${this.profile.name}"'s tree has none; found ${JSON.stringify(t)} (${useProfileWith((f) => hasFile(f, key))})`);
    if (t === undefined && !this.lacks.has(key)) {
      const since = OPTIONAL_SINCE[key];
      this.notes.push({ path: this.rel(p), message: `missing (added in ${since ?? 'a later kernel'}); using the default ${JSON.stringify(dflt)}` });
    }
    return t;
  }

  /** optional() for a file only some profiles' trees have (layout.ts PROFILE_FILES), in dir: its content or default. */
  profileFile(dir: string, name: ProfileFile): string {
    const { dflt } = PROFILE_FILES[name];
    return this.optional(join(dir, name), name, dflt) ?? dflt;
  }

  // The value readers below note what is wrong and go on with a neutral value (0, N, the first
  // name), which only the problems' own report will follow.

  big(p: string, t: string, what = 'an unsigned integer'): bigint {
    if (!/^\d+$/.test(t.trim())) {
      this.bad(p, `expected ${what}; found ${JSON.stringify(t)}`);
      return 0n;
    }
    const b = BigInt(t.trim());
    // The kernel parses these with kstrtoul: nothing above ULONG_MAX can be in the file.
    if (b > ULONG_MAX) {
      this.bad(p, `expected ${what} up to ${ULONG_MAX}; found ${t.trim()}`);
      return 0n;
    }
    return b;
  }

  num(p: string, t: string, what = 'an unsigned integer'): number {
    const b = this.big(p, t, what);
    if (b > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.bad(p, `expected ${what} below 2^53; found ${t}`);
      return 0;
    }
    return Number(b);
  }

  int(p: string, t: string, what = 'an integer'): number {
    if (!/^-?\d+$/.test(t.trim()) || !Number.isSafeInteger(Number(t.trim()))) {
      this.bad(p, `expected ${what}; found ${JSON.stringify(t)}`);
      return 0;
    }
    return Number(t.trim());
  }

  bool(p: string, t: string): boolean {
    try {
      return parseBool(t);
    } catch {
      this.bad(p, `expected Y or N (or 1/0); found ${JSON.stringify(t)}`);
      return false;
    }
  }

  /** The name in the file; one it does not take is noted and read as `fallback` (the first name by default). */
  oneOf<T extends string>(p: string, t: string, names: readonly T[], what: string, fallback: T = names[0]): T {
    const w = t.trim();
    if (!(names as readonly string[]).includes(w)) {
      this.bad(p, `expected ${what} (${names.join(', ')}); found ${JSON.stringify(t)}`);
      return fallback;
    }
    return w as T;
  }

  /**
   * oneOf() for a name only some kernels take (`all` lists every kernel's): one the profile's
   * kernel lacks could not be in its file (the write is -EINVAL), so the tree is another kernel's.
   */
  profileName<T extends string>(p: string, t: string, names: readonly T[], all: readonly T[], what: string): T {
    const w = t.trim();
    if ((all as readonly string[]).includes(w) && !(names as readonly string[]).includes(w))
      this.bad(p, `expected ${what} that kernel profile "${this.profile.name}" has (${names.join(', ')}); found ${JSON.stringify(t)}, which only a later kernel's file takes (${useProfileWith((f) => (f.actions as readonly string[]).includes(w) || (f.metrics as readonly string[]).includes(w))})`);
    // A name no kernel has: the list offered is the profile's own (b0 has no collapse to offer).
    return this.oneOf(p, t, (all as readonly string[]).includes(w) ? all : names, what);
  }

  /** The count in an nr_* file; the kernel made one numbered dir per item next to it. */
  count(p: string): number {
    const n = this.num(p, this.required(p), 'a count');
    // Name the first missing one (the walk stops there, so a huge count costs nothing).
    let i = 0;
    while (i < n && this.exists(join(dirname(p), `${i}`))) i++;
    // A numbered dir that is there but could not be looked into was named already.
    if (i < n && this.problemPaths.has(this.rel(join(dirname(p), `${i}`)))) return i;
    if (i < n) {
      this.bad(p, `expected as many numbered directories as the count says; found ${n} but no directory ${i}`);
      return i; // the ones there are still read
    }
    return n;
  }
}

function readFilters(r: Reader, dir: string, layer: 'core_filters' | 'ops_filters' | 'filters'): DamoFilter[] {
  const n = r.count(join(dir, 'nr_filters'));
  const out: DamoFilter[] = [];
  for (let i = 0; i < n; i++) {
    const d = join(dir, `${i}`);
    const typeP = join(d, 'type');
    const type = r.oneOf<FilterType>(typeP, r.required(typeP), FILTER_TYPES, 'a filter type');
    // damos_sysfs_scheme_filter_valid_type(): each layer's dir takes only its own types.
    if (layer === 'core_filters' && !isCoreFilter(type)) r.bad(typeP, `expected a core filter type (addr, target) in core_filters; found ${JSON.stringify(type)}`);
    if (layer === 'ops_filters' && isCoreFilter(type)) r.bad(typeP, `expected an ops filter type (anon, active, memcg, young, hugepage_size, unmapped) in ops_filters; found ${JSON.stringify(type)}`);
    const get = (name: string, dflt: string) => r.optional(join(d, name), name, dflt) ?? dflt;
    const matching = r.bool(join(d, 'matching'), r.required(join(d, 'matching')));
    const allow = r.bool(join(d, 'allow'), get('allow', 'N'));
    const memcg = get('memcg_path', '');
    const f: DamoFilter = { type, matching, allow, memcgPath: memcg === '' ? null : memcg, addressRange: null, damonTargetIdx: null, hugepageSize: null };
    if (type === 'addr') {
      const s = r.big(join(d, 'addr_start'), get('addr_start', '0'));
      const e = r.big(join(d, 'addr_end'), get('addr_end', '0'));
      f.addressRange = { start: s, end: e };
    }
    if (type === 'target') f.damonTargetIdx = r.big(join(d, 'damon_target_idx'), get('damon_target_idx', '0'));
    if (type === 'hugepage_size') f.hugepageSize = [r.big(join(d, 'min'), get('min', '0')), r.big(join(d, 'max'), get('max', '0'))];
    out.push(f);
  }
  return out;
}

function readGoals(r: Reader, dir: string): DamoGoal[] {
  if (!r.exists(dir)) {
    r.optional(dir, 'goals', 'no goals');
    return [];
  }
  const n = r.count(join(dir, 'nr_goals'));
  const out: DamoGoal[] = [];
  for (let i = 0; i < n; i++) {
    const d = join(dir, `${i}`);
    const mt = r.optional(join(d, 'target_metric'), 'target_metric', 'user_input') ?? 'user_input';
    const metric = r.profileName<QuotaGoalMetric>(join(d, 'target_metric'), mt, r.has.metrics, QUOTA_GOAL_METRICS, 'a quota goal metric');
    const targetValue = r.big(join(d, 'target_value'), r.required(join(d, 'target_value')));
    const currentValue = r.big(join(d, 'current_value'), r.optional(join(d, 'current_value'), 'current_value', '0') ?? '0');
    let nid: number | null = null;
    if (measuresNode(metric)) nid = r.int(join(d, 'nid'), r.optional(join(d, 'nid'), 'nid', '0') ?? '0', 'a node id');
    let memcgPath: string | null = null;
    if (measuresMemcg(metric)) {
      const p = r.optional(join(d, 'path'), 'path', '') ?? '';
      memcgPath = p === '' ? null : p;
    }
    out.push({ metric, nid, memcgPath, targetValue, currentValue });
  }
  return out;
}

function readScheme(r: Reader, d: string): DamoScheme {
  const num = (name: string) => {
    const p = join(d, name);
    return r.big(p, r.required(p));
  };
  const action = r.profileName<DamosAction>(join(d, 'action'), r.required(join(d, 'action')), r.has.actions, DAMOS_ACTIONS, 'a DAMOS action');
  const tn = r.optional(join(d, 'target_nid'), 'target_nid', '-1');
  const targetNid = tn === undefined ? -1 : r.int(join(d, 'target_nid'), tn, 'a node id');
  const ai = r.optional(join(d, 'apply_interval_us'), 'apply_interval_us', '0');
  const q = join(d, 'quotas');
  const tuner = r.oneOf<GoalTuner>(join(q, 'goal_tuner'), r.profileFile(q, 'goal_tuner'), GOAL_TUNERS, 'a goal tuner');
  const w = join(d, 'watermarks');
  let dests: Array<{ id: number; weight: number }> = [];
  const dd = join(d, 'dests');
  if (r.exists(dd)) {
    const n = r.count(join(dd, 'nr_dests'));
    dests = Array.from({ length: n }, (_, i) => ({
      id: r.num(join(dd, `${i}`, 'id'), r.required(join(dd, `${i}`, 'id'))),
      weight: r.num(join(dd, `${i}`, 'weight'), r.required(join(dd, `${i}`, 'weight'))),
    }));
  } else r.optional(dd, 'dests', 'no destinations');
  // damo stages filters as core_filters + ops_filters where those dirs exist, else in filters.
  const filters: DamoFilter[] = [];
  const dirs: Array<[string, number]> = [];
  let anyFilterDir = false;
  for (const name of ['core_filters', 'ops_filters', 'filters']) {
    const fd = join(d, name);
    if (r.exists(fd)) {
      anyFilterDir = true;
      const read = readFilters(r, fd, name as 'core_filters' | 'ops_filters' | 'filters');
      read.forEach((_f, i) => dirs.push([name, i]));
      filters.push(...read);
    }
  }
  r.filterDirs.set(d, dirs);
  if (!anyFilterDir) r.optional(join(d, 'filters'), 'filters', 'no filters');
  const snaps = r.profileFile(join(d, 'stats'), 'max_nr_snapshots');
  return {
    action,
    dests,
    targetNid: targetNid === -1 ? null : targetNid,
    pattern: {
      sz: [num('access_pattern/sz/min'), num('access_pattern/sz/max')],
      nrAccesses: { unit: 'samples', min: num('access_pattern/nr_accesses/min'), max: num('access_pattern/nr_accesses/max') },
      age: { unit: 'aggr_intervals', min: num('access_pattern/age/min'), max: num('access_pattern/age/max') },
    },
    applyIntervalUs: ai === undefined ? 0n : r.big(join(d, 'apply_interval_us'), ai),
    quotas: {
      timeMs: num('quotas/ms'),
      szBytes: num('quotas/bytes'),
      resetIntervalMs: num('quotas/reset_interval_ms'),
      failChargeNum: r.big(join(q, 'fail_charge_num'), r.profileFile(q, 'fail_charge_num')),
      failChargeDenom: r.big(join(q, 'fail_charge_denom'), r.profileFile(q, 'fail_charge_denom')),
      goals: readGoals(r, join(q, 'goals')),
      goalTuner: tuner,
      effectiveSzBytes: 0n,
      weights: { sz: num('quotas/weights/sz_permil'), nrAccesses: num('quotas/weights/nr_accesses_permil'), age: num('quotas/weights/age_permil') },
    },
    wmarks: {
      metric: r.oneOf<WmarkMetric>(join(w, 'metric'), r.required(join(w, 'metric')), WMARK_METRICS, 'a watermarks metric'),
      intervalUs: num('watermarks/interval_us'),
      high: num('watermarks/high'),
      mid: num('watermarks/mid'),
      low: num('watermarks/low'),
    },
    filters,
    maxNrSnapshots: r.big(join(d, 'stats', 'max_nr_snapshots'), snaps),
  };
}

function readContext(r: Reader, d: string): DamoContext {
  // A bad name reads on as paddr, the one damon-sim runs, whose targets need no pid_target.
  const ops = r.oneOf<OpsId>(join(d, 'operations'), r.required(join(d, 'operations')), DAMON_OPS_IDS, 'an operations set', 'paddr');
  const auText = r.optional(join(d, 'addr_unit'), 'addr_unit', '1');
  const au = auText === undefined ? 1n : r.big(join(d, 'addr_unit'), auText);
  const pauseText = r.profileFile(d, 'pause');
  const iv = join(d, 'monitoring_attrs', 'intervals');
  const ivNum = (name: string) => r.big(join(iv, name), r.required(join(iv, name)));
  const g = join(iv, 'intervals_goal');
  let goal = { accessBp: 0n, aggrs: 0n, minSampleUs: 0n, maxSampleUs: 0n };
  if (r.exists(g)) {
    const gNum = (name: string) => r.big(join(g, name), r.required(join(g, name)));
    goal = { accessBp: gNum('access_bp'), aggrs: gNum('aggrs'), minSampleUs: gNum('min_sample_us'), maxSampleUs: gNum('max_sample_us') };
  } else r.optional(g, 'intervals_goal', 'no intervals goal');
  const nrr = join(d, 'monitoring_attrs', 'nr_regions');
  // Read in the tree's order, so that the problems come in it.
  const intervals = { sampleUs: ivNum('sample_us'), aggrUs: ivNum('aggr_us'), opsUpdateUs: ivNum('update_us'), goal };
  const nrRegions = { min: r.big(join(nrr, 'min'), r.required(join(nrr, 'min'))), max: r.big(join(nrr, 'max'), r.required(join(nrr, 'max'))) };
  const targets: DamoTarget[] = [];
  const td = join(d, 'targets');
  const nt = r.count(join(td, 'nr_targets'));
  for (let i = 0; i < nt; i++) {
    const t = join(td, `${i}`);
    // A paddr target's pid_target means nothing (and the staging script does not write it, so a
    // tree staged into a plain directory has none); other targets need it.
    const pid = ops === 'paddr' && !r.exists(join(t, 'pid_target')) ? 0 : r.int(join(t, 'pid_target'), r.required(join(t, 'pid_target')), 'a pid');
    const ob = r.optional(join(t, 'obsolete_target'), 'obsolete_target', 'N');
    const nr = r.count(join(t, 'regions', 'nr_regions'));
    const regions = Array.from({ length: nr }, (_, k) => {
      const rd = join(t, 'regions', `${k}`);
      return { start: r.big(join(rd, 'start'), r.required(join(rd, 'start'))), end: r.big(join(rd, 'end'), r.required(join(rd, 'end'))) };
    });
    // damo reads the pid of vaddr/fvaddr targets only; a paddr target's pid_target means nothing.
    targets.push({ pid: ops === 'paddr' ? null : pid, obsolete: ob === undefined ? false : r.bool(join(t, 'obsolete_target'), ob), regions });
  }
  const sd = join(d, 'schemes');
  const ns = r.count(join(sd, 'nr_schemes'));
  const schemes = Array.from({ length: ns }, (_, i) => readScheme(r, join(sd, `${i}`)));
  return {
    ops,
    addrUnit: au,
    targets,
    intervals,
    nrRegions,
    pause: r.bool(join(d, 'pause'), pauseText),
    schemes,
  };
}

/**
 * Read a sysfs tree rooted at the admin dir (or at its kdamonds dir), a tree of `profile`'s kernel:
 * an optional file that kernel lacks is no news when missing, and a name it does not take (an
 * action, a goal metric) is an error naming the file.
 */
export function importSysfsTree(dir: string, profile: KernelProfile = DEFAULT_PROFILE): SysfsImport {
  const r = new Reader(dir, profile);
  const kd = r.exists(join(dir, 'nr_kdamonds')) ? dir : join(dir, 'kdamonds');
  const found = r.exists(join(kd, 'nr_kdamonds'));
  // One that could not be looked into is that, not "no tree".
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  if (!found)
    throw new ConfigError([{ path: dir, message: `expected a DAMON sysfs tree: the admin dir (with kdamonds/nr_kdamonds) or its kdamonds dir (with nr_kdamonds); found ${!r.exists(dir) ? 'no such directory (ENOENT)' : statSync(dir).isDirectory() ? 'neither' : 'a file, not a directory'}` }]);
  const n = r.count(join(kd, 'nr_kdamonds'));
  const kdamonds: DamoKdamond[] = [];
  for (let i = 0; i < n; i++) {
    const k = join(kd, `${i}`);
    const rm = r.optional(join(k, 'refresh_ms'), 'refresh_ms', '0');
    const nc = r.count(join(k, 'contexts', 'nr_contexts'));
    kdamonds.push({
      refreshMs: rm === undefined ? 0n : r.big(join(k, 'refresh_ms'), rm),
      contexts: Array.from({ length: nc }, (_, c) => readContext(r, join(k, 'contexts', `${c}`))),
    });
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  const treePath = (modelPath: string) => {
    // A scheme's filters[i] is in the dir (and at the index) it was read from.
    const m = /^kdamonds\[(\d+)\]\.contexts\[(\d+)\]\.schemes\[(\d+)\]\.filters\[(\d+)\]/.exec(modelPath);
    const at = m && r.filterDirs.get(join(kd, m[1], 'contexts', m[2], 'schemes', m[3]))?.[Number(m[4])];
    const model = m && at ? `${m[0].slice(0, m[0].lastIndexOf('.filters['))}.${at[0]}[${at[1]}]${modelPath.slice(m[0].length)}` : modelPath;
    return relative(dir, join(kd, sysfsPathOf(model).replace(/^kdamonds(\/|$)/, ''))) || '.';
  };
  return { kdamonds, notes: r.notes, treePath };
}

/** The most a sysfs attribute file shows: one page, of up to 64 KiB (arm64, ppc64). */
const SYSFS_FILE_MAX = 65536;

/** The first `max` bytes of the file at p (all of it if shorter). */
function readAtMost(p: string, max: number): Buffer {
  const fd = openSync(p, 'r');
  try {
    const buf = Buffer.alloc(max);
    let n = 0;
    for (let got = -1; got !== 0 && n < max; n += got) got = readSync(fd, buf, n, max - n, null);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
