// SPDX-License-Identifier: GPL-2.0-only
/**
 * Export a configuration as the kernel's sysfs tree: every file of /sys/kernel/mm/damon/admin for
 * the kdamonds, with the values the kernel would print after damo staged the config and before
 * `on` (state off, pid -1, zero stats and effective quota, empty tried regions). One file per
 * value, with the trailing newline sysfs prints. The tree is the kernel profile's: files its
 * kernel lacks (layout.ts sysfsFeatures) are not written.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { makeDirs, removeDirs, tempPath } from '../../lib/dirs.js';
import { isCoreFilter } from '../../damos/scheme.js';
import type { FilterParams, KdamondParams, SchemeParams } from '../../scenario/model.js';
import { DAMON_OPS_IDS } from '../../ops/operations.js';
import { DEFAULT_PROFILE, type KernelProfile } from '../../profiles.js';
import { ConfigError, type ConfigIssue } from '../../scenario/issues.js';
import { PROFILE_FILES, hasFile, statsFiles, useProfileWith, sysfsFeatures, ulongTime, yn, type ProfileFile, type SysfsFeatures } from './layout.js';

/** [path relative to the admin dir, file content] in a stable order. */
export type SysfsFile = [string, string];

function filterFiles(out: SysfsFile[], dir: string, list: readonly FilterParams[]): void {
  out.push([`${dir}/nr_filters`, `${list.length}`]);
  list.forEach((f, i) => {
    const d = `${dir}/${i}`;
    out.push([`${d}/type`, f.type]);
    out.push([`${d}/matching`, yn(f.matching)]);
    out.push([`${d}/allow`, yn(f.allow)]);
    out.push([`${d}/memcg_path`, f.memcgPath ?? '']);
    out.push([`${d}/addr_start`, `${f.addrRange?.start ?? 0}`]);
    out.push([`${d}/addr_end`, `${f.addrRange?.end ?? 0}`]);
    out.push([`${d}/min`, `${f.hugepageSize?.[0] ?? 0}`]);
    out.push([`${d}/max`, `${f.hugepageSize?.[1] ?? 0}`]);
    out.push([`${d}/damon_target_idx`, `${f.targetIdx ?? 0}`]);
  });
}

/** A file only some profiles' trees have (layout.ts PROFILE_FILES), where this one has it. */
function profileFile(out: SysfsFile[], has: SysfsFeatures, dir: string, name: ProfileFile, value: string): void {
  if (hasFile(has, name)) out.push([`${dir}/${name}`, value]);
}

function schemeFiles(out: SysfsFile[], d: string, s: SchemeParams, has: SysfsFeatures): void {
  const p = s.pattern;
  out.push([`${d}/action`, s.action]);
  out.push([`${d}/target_nid`, `${s.targetNid}`]);
  out.push([`${d}/apply_interval_us`, `${s.applyIntervalUs}`]);
  out.push([`${d}/access_pattern/sz/min`, p.minSzRegion.toString()]);
  out.push([`${d}/access_pattern/sz/max`, p.maxSzRegion.toString()]);
  out.push([`${d}/access_pattern/nr_accesses/min`, `${p.minNrAccesses}`]);
  out.push([`${d}/access_pattern/nr_accesses/max`, `${p.maxNrAccesses}`]);
  out.push([`${d}/access_pattern/age/min`, `${p.minAgeRegion}`]);
  out.push([`${d}/access_pattern/age/max`, `${p.maxAgeRegion}`]);
  const q = s.quota;
  out.push([`${d}/quotas/ms`, ulongTime(q.ms)]);
  out.push([`${d}/quotas/bytes`, q.sz.toString()]);
  out.push([`${d}/quotas/reset_interval_ms`, ulongTime(q.resetIntervalMs)]);
  out.push([`${d}/quotas/effective_bytes`, '0']);
  profileFile(out, has, `${d}/quotas`, 'goal_tuner', q.goalTuner);
  profileFile(out, has, `${d}/quotas`, 'fail_charge_num', `${q.failChargeNum}`);
  profileFile(out, has, `${d}/quotas`, 'fail_charge_denom', `${q.failChargeDenom}`);
  out.push([`${d}/quotas/weights/sz_permil`, `${q.weightSz}`]);
  out.push([`${d}/quotas/weights/nr_accesses_permil`, `${q.weightNrAccesses}`]);
  out.push([`${d}/quotas/weights/age_permil`, `${q.weightAge}`]);
  out.push([`${d}/quotas/goals/nr_goals`, `${q.goals.length}`]);
  q.goals.forEach((g, gi) => {
    const gd = `${d}/quotas/goals/${gi}`;
    out.push([`${gd}/target_metric`, g.metric]);
    out.push([`${gd}/target_value`, g.targetValue.toString()]);
    out.push([`${gd}/current_value`, g.currentValue.toString()]);
    out.push([`${gd}/nid`, `${g.nid ?? 0}`]);
    out.push([`${gd}/path`, g.memcgPath ?? '']);
  });
  const w = s.wmarks;
  out.push([`${d}/watermarks/metric`, w.metric]);
  out.push([`${d}/watermarks/interval_us`, ulongTime(w.intervalUs)]);
  out.push([`${d}/watermarks/high`, `${w.high}`]);
  out.push([`${d}/watermarks/mid`, `${w.mid}`]);
  out.push([`${d}/watermarks/low`, `${w.low}`]);
  // Kernels with core_filters/ops_filters get the split (as damo stages them); `filters` stays empty.
  filterFiles(out, `${d}/core_filters`, s.filters.filter((f) => isCoreFilter(f.type)));
  filterFiles(out, `${d}/ops_filters`, s.filters.filter((f) => !isCoreFilter(f.type)));
  filterFiles(out, `${d}/filters`, []);
  out.push([`${d}/dests/nr_dests`, `${s.dests.length}`]);
  s.dests.forEach((x, xi) => {
    out.push([`${d}/dests/${xi}/id`, `${x.id}`]);
    out.push([`${d}/dests/${xi}/weight`, `${x.weight}`]);
  });
  for (const f of statsFiles(has)) out.push([`${d}/stats/${f}`, f === 'max_nr_snapshots' ? `${s.maxNrSnapshots}` : '0']);
  out.push([`${d}/tried_regions/total_bytes`, '0']);
}

/**
 * What these kdamonds set that `profile`'s tree has no file or name for (a file it lacks keeps no
 * value but its default): leaving it out would export another configuration without a word.
 */
function beyondTree(kdamonds: readonly KdamondParams[], profile: KernelProfile, has: SysfsFeatures): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const lacks = (path: string, file: string, want: string, found: string, inTree: (f: SysfsFeatures) => boolean) =>
    issues.push({ path, message: `expected ${want}: kernel profile "${profile.name}"'s tree has no ${file} (${useProfileWith(inTree)}); found ${found}` });
  // A file the tree lacks can only hold its default. `text` is what the file would say; `asConfig`
  // shows a file's text as the config writes the value.
  const lacksFile = (path: string, name: ProfileFile, text: string, asConfig = (t: string) => t) => {
    const { dflt } = PROFILE_FILES[name];
    if (!hasFile(has, name) && text !== dflt) lacks(path, `${name} file`, asConfig(dflt), asConfig(text), (f) => hasFile(f, name));
  };
  kdamonds.forEach((k, ki) =>
    k.contexts.forEach((c, ci) => {
      const cp = `kdamonds[${ki}].contexts[${ci}]`;
      lacksFile(`${cp}.pause`, 'pause', yn(c.pause), (t) => `${t === 'Y'}`);
      c.schemes.forEach((s, si) => {
        const sp = `${cp}.schemes[${si}]`;
        const q = s.quota;
        if (!has.actions.includes(s.action)) lacks(`${sp}.action`, `action "${s.action}"`, 'an action it takes', `"${s.action}"`, (f) => f.actions.includes(s.action));
        lacksFile(`${sp}.quotas.goal_tuner`, 'goal_tuner', q.goalTuner, (t) => JSON.stringify(t));
        lacksFile(`${sp}.quotas.fail_charge_num`, 'fail_charge_num', `${q.failChargeNum}`);
        lacksFile(`${sp}.quotas.fail_charge_denom`, 'fail_charge_denom', `${q.failChargeDenom}`);
        lacksFile(`${sp}.max_nr_snapshots`, 'max_nr_snapshots', `${s.maxNrSnapshots}`);
        q.goals.forEach((g, gi) => {
          if (!has.metrics.includes(g.metric)) lacks(`${sp}.quotas.goals[${gi}].metric`, `goal metric "${g.metric}"`, 'a metric it takes', `"${g.metric}"`, (f) => f.metrics.includes(g.metric));
        });
      });
    }),
  );
  return issues;
}

/**
 * Every file of the admin tree for these kdamonds, as the kernel of `profile` prints it (content
 * without newline). A setting that tree has no file or name for is a ConfigError.
 */
export function sysfsFiles(kdamonds: readonly KdamondParams[], profile: KernelProfile = DEFAULT_PROFILE): SysfsFile[] {
  const has = sysfsFeatures(profile);
  const missing = beyondTree(kdamonds, profile, has);
  if (missing.length > 0) throw new ConfigError(missing);
  const out: SysfsFile[] = [];
  out.push(['kdamonds/nr_kdamonds', `${kdamonds.length}`]);
  kdamonds.forEach((k, ki) => {
    const kd = `kdamonds/${ki}`;
    out.push([`${kd}/state`, 'off']);
    out.push([`${kd}/pid`, '-1']);
    out.push([`${kd}/refresh_ms`, `${k.refreshMs}`]);
    out.push([`${kd}/contexts/nr_contexts`, `${k.contexts.length}`]);
    k.contexts.forEach((c, ci) => {
      const cd = `${kd}/contexts/${ci}`;
      const a = c.attrs;
      // avail_operations: one per line, in enum damon_ops_id order.
      out.push([`${cd}/avail_operations`, DAMON_OPS_IDS.join('\n')]);
      out.push([`${cd}/operations`, c.ops]);
      out.push([`${cd}/addr_unit`, `${c.addrUnit}`]);
      profileFile(out, has, cd, 'pause', yn(c.pause));
      const iv = `${cd}/monitoring_attrs/intervals`;
      out.push([`${iv}/sample_us`, `${a.sampleInterval}`]);
      out.push([`${iv}/aggr_us`, `${a.aggrInterval}`]);
      out.push([`${iv}/update_us`, `${a.opsUpdateInterval}`]);
      out.push([`${iv}/intervals_goal/access_bp`, `${a.intervalsGoal.accessBp}`]);
      out.push([`${iv}/intervals_goal/aggrs`, `${a.intervalsGoal.aggrs}`]);
      out.push([`${iv}/intervals_goal/min_sample_us`, `${a.intervalsGoal.minSampleUs}`]);
      out.push([`${iv}/intervals_goal/max_sample_us`, `${a.intervalsGoal.maxSampleUs}`]);
      out.push([`${cd}/monitoring_attrs/nr_regions/min`, `${a.minNrRegions}`]);
      out.push([`${cd}/monitoring_attrs/nr_regions/max`, `${a.maxNrRegions}`]);
      out.push([`${cd}/targets/nr_targets`, `${c.targets.length}`]);
      c.targets.forEach((t, ti) => {
        const td = `${cd}/targets/${ti}`;
        // A paddr target's pid_target keeps the kernel's initial 0.
        out.push([`${td}/pid_target`, `${t.pid ?? 0}`]);
        out.push([`${td}/obsolete_target`, yn(t.obsolete)]);
        out.push([`${td}/regions/nr_regions`, `${t.regions.length}`]);
        t.regions.forEach((r, ri) => {
          out.push([`${td}/regions/${ri}/start`, `${r.start}`]);
          out.push([`${td}/regions/${ri}/end`, `${r.end}`]);
        });
      });
      out.push([`${cd}/schemes/nr_schemes`, `${c.schemes.length}`]);
      c.schemes.forEach((s, si) => schemeFiles(out, `${cd}/schemes/${si}`, s, has));
    });
  });
  return out;
}

/** Files the kernel creates read-only (0400): the ones it reports (stats/max_nr_snapshots is a setting: rw); every other file is 0600 (damo-formats.md §4.1, sysfs.sh). */
const READ_ONLY = /(^|\/)(pid|avail_operations|effective_bytes|stats\/(?!max_nr_snapshots$)[^/]+|tried_regions\/.+)$/;

/** The mode the kernel gives a DAMON sysfs file. */
export function sysfsFileMode(path: string): number {
  return READ_ONLY.test(path) ? 0o400 : 0o600;
}

/** Write files under `dir` (content gets sysfs's trailing newline) with the kernel's modes. */
export function writeSysfsFiles(dir: string, files: readonly SysfsFile[]): void {
  for (const [p, content] of files) {
    const full = join(dir, p);
    mkdirSync(dirname(full), { recursive: true });
    // A re-export over an earlier tree must be able to rewrite its read-only files.
    if (existsSync(full)) chmodSync(full, 0o600);
    writeFileSync(full, `${content}\n`);
    chmodSync(full, sysfsFileMode(p));
  }
}

/**
 * `dir` is the current directory or one holding it: renaming the tree over it would leave this
 * process (and a shell) in a removed directory.
 */
export function holdsCurrentDir(dir: string): boolean {
  const abs = resolve(dir);
  const cwd = process.cwd();
  return abs === cwd || cwd.startsWith(abs.endsWith('/') ? abs : `${abs}/`);
}

/**
 * Write the tree to `dir` (the admin dir: files go to dir/kdamonds/...). The tree is built next to
 * it and renamed into place, so a failure leaves no partial tree, and no parent directory it made;
 * an existing non-empty `dir`, and the current directory or one holding it, are refused.
 */
export function exportSysfsTree(dir: string, kdamonds: readonly KdamondParams[], profile: KernelProfile = DEFAULT_PROFILE): void {
  const abs = resolve(dir);
  if (holdsCurrentDir(dir)) throw new Error(`${dir}: expected a directory other than the current one or one holding it`);
  if (existsSync(abs) && readdirSync(abs).length > 0) throw new Error(`${dir}: expected a new or empty directory; found a non-empty one (refusing to overwrite)`);
  const files = sysfsFiles(kdamonds, profile); // refused settings: before anything is made
  const made = makeDirs(dirname(abs));
  const tmp = tempPath(abs);
  try {
    rmSync(tmp, { recursive: true, force: true });
    writeSysfsFiles(tmp, files);
    if (existsSync(abs)) rmdirSync(abs);
    renameSync(tmp, abs);
  } catch (e) {
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      // a name the system refused was never made
    }
    removeDirs(made);
    throw e;
  }
}
