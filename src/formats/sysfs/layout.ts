// SPDX-License-Identifier: GPL-2.0-only
/**
 * The kernel's DAMON sysfs tree, /sys/kernel/mm/damon/admin (damos.md §7, damo-formats.md §1.5):
 * file names and the way the kernel prints each value, shared by the exporter, the importer and
 * the staging script.
 *
 * Values are kernel values: addresses, region bounds and filter ranges in core address units
 * (× addr_unit = physical bytes), access patterns in samples and aggregation intervals, times in
 * the file's own unit, booleans as Y/N. A time the model keeps saturated at 2^53 − 1 ("max") is
 * the kernel's ULONG_MAX.
 */
import { DAMOS_ACTIONS, QUOTA_GOAL_METRICS, type DamosAction, type QuotaGoalMetric } from '../../damos/scheme.js';
import { metricExists, useProfile, type KernelProfile } from '../../profiles.js';
import { numToUlong } from '../damo/kdamonds.js';

export const yn = (b: boolean): string => (b ? 'Y' : 'N');

/** A model time (saturated at 2^53 − 1 for "max") as the kernel's unsigned long. */
export function ulongTime(x: number): string {
  return numToUlong(x).toString();
}

/** The per-scheme stats files. */
export const STATS_FILES = ['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'sz_ops_filter_passed', 'qt_exceeds', 'nr_snapshots', 'max_nr_snapshots'] as const;

/**
 * What of the tree depends on the kernel profile (docs/profiles.md): the files a profile's kernel
 * has beyond those every profile has, and the names its name files take. One place, so that the
 * exporter, the in-memory tree and the importer's checks agree on a profile's tree.
 */
export interface SysfsFeatures {
  /** contexts/N/pause (switch ctxPause). */
  readonly pause: boolean;
  /** quotas/goal_tuner, taking every tuner: it came with the series that added TEMPORAL (switch temporalTuner). */
  readonly goalTuner: boolean;
  /**
   * quotas/fail_charge_num and fail_charge_denom. They came with the failed-charge series, which
   * also added damos_quota_is_full(): a tree with either part of it has them (damos.md §7 lists them
   * for B0 and B1 alike; B0 charges failed bytes whole whatever they say, §4.3).
   */
  readonly failCharge: boolean;
  /** stats/nr_snapshots and stats/max_nr_snapshots, which came in one commit (switch maxNrSnapshotsFile). */
  readonly snapshots: boolean;
  /** The names `action` takes (collapse: switch collapseAction). */
  readonly actions: readonly DamosAction[];
  /** The names a goal's `target_metric` takes (metricExists()). */
  readonly metrics: readonly QuotaGoalMetric[];
}

export function sysfsFeatures(p: KernelProfile): SysfsFeatures {
  return {
    pause: p.ctxPause,
    goalTuner: p.temporalTuner,
    failCharge: p.failChargeRatio || p.damosQuotaIsFull,
    snapshots: p.maxNrSnapshotsFile,
    actions: DAMOS_ACTIONS.filter((a) => a !== 'collapse' || p.collapseAction),
    metrics: QUOTA_GOAL_METRICS.filter((m) => metricExists(m, p)),
  };
}

/** useProfile() for the profiles whose trees have what `has` says. */
export function useProfileWith(has: (f: SysfsFeatures) => boolean): string {
  return useProfile((p) => has(sysfsFeatures(p)));
}

/**
 * The files only some profiles' trees have: each with the feature that brings it, its default (the
 * value a fresh file reads and what a kernel without the file does) and how its value reads
 * (kstrtobool, a decimal, a word). The exporter writes, the
 * in-memory tree holds, the importer expects and the staging script tolerates the missing ones
 * from this one table.
 */
export const PROFILE_FILES = {
  pause: { in: (f: SysfsFeatures) => f.pause, dflt: 'N', kind: 'bool' },
  goal_tuner: { in: (f: SysfsFeatures) => f.goalTuner, dflt: 'consist', kind: 'word' },
  fail_charge_num: { in: (f: SysfsFeatures) => f.failCharge, dflt: '0', kind: 'uint' },
  fail_charge_denom: { in: (f: SysfsFeatures) => f.failCharge, dflt: '0', kind: 'uint' },
  nr_snapshots: { in: (f: SysfsFeatures) => f.snapshots, dflt: '0', kind: 'uint' },
  max_nr_snapshots: { in: (f: SysfsFeatures) => f.snapshots, dflt: '0', kind: 'uint' },
} as const;

export type ProfileFile = keyof typeof PROFILE_FILES;

export const isProfileFile = (name: string): name is ProfileFile => Object.hasOwn(PROFILE_FILES, name);

/** Whether a tree with features `f` has a file of this name (every profile has the files not in PROFILE_FILES). */
export function hasFile(f: SysfsFeatures, name: string): boolean {
  return !isProfileFile(name) || PROFILE_FILES[name].in(f);
}

/** The names of the PROFILE_FILES a tree with features `f` does not have. */
export function filesLacking(f: SysfsFeatures): Set<string> {
  return new Set(Object.keys(PROFILE_FILES).filter((name) => !hasFile(f, name)));
}

/** The per-scheme stats files a profile's tree has. */
export function statsFiles(f: SysfsFeatures): readonly string[] {
  return STATS_FILES.filter((x) => hasFile(f, x));
}

/** damo's key → the sysfs file or directory that holds it, where the names differ (by parent key; '' for any parent). */
const SYSFS_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '': { ops: 'operations', intervals: 'monitoring_attrs/intervals', nr_regions: 'monitoring_attrs/nr_regions' },
  access_pattern: { sz_bytes: 'sz' },
  quotas: { time_ms: 'ms', sz_bytes: 'bytes' },
  intervals: { ops_update_us: 'update_us' },
  goals: { metric: 'target_metric', memcg_path: 'path' },
  // A filter's range is two files of its dir: the range itself names the dir, a bound its file.
  filters: { filter_type: 'type', address_range: '', hugepage_size: '' },
  core_filters: { filter_type: 'type', address_range: '' },
  ops_filters: { filter_type: 'type', hugepage_size: '' },
  address_range: { start: 'addr_start', end: 'addr_end' },
  hugepage_size: { min: 'min', max: 'max' },
  watermarks: { high_permil: 'high', mid_permil: 'mid', low_permil: 'low' },
};

/**
 * A problem's path in damo's kdamonds model (`kdamonds[0].contexts[0].intervals`) as the sysfs
 * tree's path below the admin dir (`kdamonds/0/contexts/0/monitoring_attrs/intervals`), so that an
 * import names its warnings as it names its errors. Keys the table does not rename keep their name.
 */
export function sysfsPathOf(modelPath: string): string {
  const out: string[] = [];
  let parent = '';
  for (const seg of modelPath.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(seg);
    const key = m ? m[1] : seg;
    const indices = m ? [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => x[1]) : [];
    out.push(SYSFS_NAMES[parent]?.[key] ?? SYSFS_NAMES[''][key] ?? key, ...indices);
    parent = key;
  }
  return out.filter((x) => x !== '').join('/');
}
