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
import { numToUlong } from '../damo/kdamonds.js';

export const yn = (b: boolean): string => (b ? 'Y' : 'N');

/** A model time (saturated at 2^53 − 1 for "max") as the kernel's unsigned long. */
export function ulongTime(x: number): string {
  return numToUlong(x).toString();
}

/** The per-scheme stats files. */
export const STATS_FILES = ['nr_tried', 'sz_tried', 'nr_applied', 'sz_applied', 'sz_ops_filter_passed', 'qt_exceeds', 'nr_snapshots', 'max_nr_snapshots'] as const;
