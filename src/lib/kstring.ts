// SPDX-License-Identifier: GPL-2.0-only
/**
 * How the kernel reads strings written into sysfs files: it keeps what `echo` writes, newline and
 * all, and compares with `sysfs_streq()`, which ignores one trailing newline (state commands,
 * names, a memcg filter's or goal's path against each cgroup's: damos.md §7).
 */

/** A written buffer as sysfs_streq() compares it: one trailing newline dropped. */
export function sysfsStrip(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

/** `sysfs_streq(a, b)`. */
export function sysfsStreq(a: string, b: string): boolean {
  return sysfsStrip(a) === sysfsStrip(b);
}

/**
 * Whether `path` names one of the cgroup paths `memcgs`, as damon_sysfs_memcg_path_to_id()
 * compares them (sysfs_streq: a path written with echo keeps its newline).
 */
export function namesMemcg(memcgs: Iterable<string>, path: string): boolean {
  for (const m of memcgs) if (sysfsStreq(m, path)) return true;
  return false;
}
