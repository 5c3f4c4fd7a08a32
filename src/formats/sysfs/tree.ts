// SPDX-License-Identifier: GPL-2.0-only
/**
 * The DAMON sysfs interface as the kernel serves it (damos.md §7): an in-memory
 * /sys/kernel/mm/damon/admin whose files take writes with the kernel's store semantics, for
 * checking what a staging sequence does before it meets a real kernel.
 *
 * - Writing an `nr_*` file removes every numbered dir below it and creates that many fresh ones
 *   with the kernel's defaults (the kernel's *_add_dirs start with *_rm_dirs): settings written
 *   before the count are lost. `nr_contexts` takes 0 or 1; `nr_kdamonds` is refused while a
 *   kdamond is on.
 * - Names are checked: operations, action, goal_tuner, target_metric, watermarks metric, and a
 *   filter's type by its dir (core_filters: addr/target; ops_filters: the others; the legacy
 *   filters dir: all).
 * - Numbers parse as kstrtoul / kstrtoint (base 0: 0x hex, leading-0 octal), booleans as
 *   kstrtobool; the file then reads back as the kernel prints it (decimal, Y/N).
 * - Read-only files (0400) refuse writes with -EACCES; `state` takes `on` and `off` (nothing is
 *   run here: `on` only marks the kdamond running) and refuses the other commands while off, but
 *   for clear_schemes_tried_regions, which the sysfs code does itself (as run/events.ts).
 *
 * Paths are relative to the admin dir ("kdamonds/0/state"). Errors are the errno the write(2)
 * would fail with ("-EINVAL"); null is success.
 */
import { DAMOS_ACTIONS, FILTER_TYPES, GOAL_TUNERS, QUOTA_GOAL_METRICS, WMARK_METRICS, isCoreFilter, type FilterType } from '../../damos/scheme.js';
import { DAMON_OPS_IDS } from '../../ops/operations.js';
import { STATS_FILES } from './layout.js';

const ULONG_MAX = (1n << 64n) - 1n;
const INT_MAX = 0x7fff_ffff;

/** kstrtoull(s, 0, ...) after sysfs's trailing newline: the value, or the errno. */
export function kstrtoul(s: string): bigint | '-EINVAL' | '-ERANGE' {
  const t = s.endsWith('\n') ? s.slice(0, -1) : s;
  const m = /^\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
  if (!m) return '-EINVAL';
  const d = m[1];
  const v = /^0[xX]/.test(d) ? BigInt(d) : d.length > 1 && d.startsWith('0') ? BigInt(`0o${d.slice(1)}`) : BigInt(d);
  return v > ULONG_MAX ? '-ERANGE' : v;
}

/** kstrtoint(s, 0, ...): a signed 32-bit value, or the errno. */
export function kstrtoint(s: string): number | '-EINVAL' | '-ERANGE' {
  const t = s.endsWith('\n') ? s.slice(0, -1) : s;
  const neg = t.startsWith('-');
  const v = kstrtoul(neg ? t.slice(1) : t);
  if (typeof v === 'string') return v;
  if (neg ? v > BigInt(INT_MAX) + 1n : v > BigInt(INT_MAX)) return '-ERANGE';
  return Number(neg ? -v : v);
}

/** kstrtobool: y/Y/1/on true, n/N/0/off false (only the first characters matter, as in the kernel). */
export function kstrtobool(s: string): boolean | '-EINVAL' {
  const t = s.endsWith('\n') ? s.slice(0, -1) : s;
  if (/^[yY1]/.test(t)) return true;
  if (/^[nN0]/.test(t)) return false;
  if (/^[oO][nN]/.test(t)) return true;
  if (/^[oO][fF]/.test(t)) return false;
  return '-EINVAL';
}

/** How a file takes a write: parse and normalise the value, or refuse it. */
type Store = (value: string) => string | { errno: string };

interface FileNode {
  value: string;
  mode: 0o400 | 0o600;
  store?: Store;
}

const ul: Store = (v) => {
  const x = kstrtoul(v);
  return typeof x === 'string' ? { errno: x } : x.toString();
};
const int: Store = (v) => {
  const x = kstrtoint(v);
  return typeof x === 'string' ? { errno: x } : `${x}`;
};
const bool: Store = (v) => {
  const x = kstrtobool(v);
  return typeof x === 'string' ? { errno: x } : x ? 'Y' : 'N';
};
/** A file taking one of these names (sysfs_streq: the trailing newline is ignored). */
const oneOf =
  (names: readonly string[]): Store =>
  (v) => {
    const t = v.endsWith('\n') ? v.slice(0, -1) : v;
    return names.includes(t) ? t : { errno: '-EINVAL' };
  };
/** A free-form string file (memcg paths): kept without the trailing newline. */
const text: Store = (v) => (v.endsWith('\n') ? v.slice(0, -1) : v);

const OPS_FILTER_TYPES = FILTER_TYPES.filter((t) => !isCoreFilter(t));
const STATE_COMMANDS = [
  'commit',
  'commit_schemes_quota_goals',
  'update_schemes_stats',
  'update_schemes_tried_bytes',
  'update_schemes_tried_regions',
  'clear_schemes_tried_regions',
  'update_schemes_effective_quotas',
  'update_tuned_intervals',
];

export class SysfsTree {
  private readonly files = new Map<string, FileNode>();
  private readonly dirs = new Set<string>();
  /** What the `nr_*` file at a path creates: the numbered dir's builder. */
  private readonly counted = new Map<string, { max?: number; make: (dir: string) => void }>();

  constructor() {
    this.dir('kdamonds');
    this.nr('kdamonds/nr_kdamonds', (d) => this.kdamond(d));
  }

  isDir(path: string): boolean {
    return this.dirs.has(path);
  }

  isFile(path: string): boolean {
    return this.files.has(path);
  }

  /** The file's mode (0o400 or 0o600), or undefined if there is no such file. */
  mode(path: string): number | undefined {
    return this.files.get(path)?.mode;
  }

  /** The file's content as `cat` shows it (with sysfs's trailing newline), or undefined. */
  read(path: string): string | undefined {
    const f = this.files.get(path);
    return f === undefined ? undefined : `${f.value}\n`;
  }

  /** Every file with its value (no trailing newline), sorted by path. */
  list(): Array<[string, string]> {
    return [...this.files].map(([p, f]): [string, string] => [p, f.value]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** write(2) of `value` to the file at `path`: null on success, else the errno. */
  write(path: string, value: string): string | null {
    const f = this.files.get(path);
    if (!f) return this.dirs.has(path) ? '-EISDIR' : '-ENOENT';
    if (f.mode === 0o400 || !f.store) return '-EACCES';
    const r = f.store(value);
    if (typeof r !== 'string') return r.errno;
    const counted = this.counted.get(path);
    if (counted) {
      const n = Number(r);
      if (n < 0 || n > INT_MAX || (counted.max !== undefined && n > counted.max)) return '-EINVAL';
      if (path === 'kdamonds/nr_kdamonds' && this.running().length > 0) return '-EBUSY';
      const parent = path.slice(0, path.lastIndexOf('/'));
      this.removeNumbered(parent);
      for (let i = 0; i < n; i++) counted.make(`${parent}/${i}`);
    }
    f.value = r;
    return null;
  }

  /** Indices of the kdamonds whose state is on. */
  running(): number[] {
    const n = Number(this.files.get('kdamonds/nr_kdamonds')?.value ?? 0);
    return Array.from({ length: n }, (_x, i) => i).filter((i) => this.files.get(`kdamonds/${i}/state`)?.value === 'on');
  }

  // --- the kernel's directories, with the values a fresh one shows -------------------------------

  private dir(path: string): void {
    this.dirs.add(path);
  }

  private file(path: string, value: string, store?: Store): void {
    this.files.set(path, { value, mode: store ? 0o600 : 0o400, store });
  }

  private nr(path: string, make: (dir: string) => void, max?: number): void {
    this.file(path, '0', int);
    this.counted.set(path, { make, max });
  }

  /** Remove the numbered dirs (0, 1, ...) right under `parent`, with everything below them. */
  private removeNumbered(parent: string): void {
    const re = new RegExp(`^${parent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9]+(/|$)`);
    for (const p of [...this.files.keys()]) if (re.test(p)) this.files.delete(p);
    for (const p of [...this.counted.keys()]) if (re.test(p)) this.counted.delete(p);
    for (const p of [...this.dirs]) if (re.test(p)) this.dirs.delete(p);
  }

  private kdamond(d: string): void {
    this.dir(d);
    this.file(`${d}/state`, 'off', (v) => {
      const t = v.endsWith('\n') ? v.slice(0, -1) : v;
      const on = this.files.get(`${d}/state`)?.value === 'on';
      if (t === 'on') return on ? { errno: '-EBUSY' } : 'on';
      if (t === 'off') return on ? 'off' : { errno: '-EPERM' }; // damon_stop() of a stopped context
      // The sysfs code clears tried regions itself; the other commands need the running kdamond.
      if (t === 'clear_schemes_tried_regions') return on ? 'on' : 'off';
      if (STATE_COMMANDS.includes(t)) return on ? 'on' : { errno: '-EINVAL' };
      return { errno: '-EINVAL' };
    });
    this.file(`${d}/pid`, '-1');
    this.file(`${d}/refresh_ms`, '0', ul);
    this.dir(`${d}/contexts`);
    this.nr(`${d}/contexts/nr_contexts`, (c) => this.context(c), 1);
  }

  private context(d: string): void {
    this.dir(d);
    this.file(`${d}/avail_operations`, DAMON_OPS_IDS.join('\n'));
    this.file(`${d}/operations`, 'vaddr', oneOf(DAMON_OPS_IDS));
    this.file(`${d}/addr_unit`, '1', (v) => {
      const x = kstrtoul(v);
      if (typeof x === 'string') return { errno: x };
      return x === 0n ? { errno: '-EINVAL' } : x.toString();
    });
    this.file(`${d}/pause`, 'N', bool);
    const ma = `${d}/monitoring_attrs`;
    this.dir(ma);
    this.dir(`${ma}/intervals`);
    this.file(`${ma}/intervals/sample_us`, '5000', ul);
    this.file(`${ma}/intervals/aggr_us`, '100000', ul);
    this.file(`${ma}/intervals/update_us`, '60000000', ul);
    this.dir(`${ma}/intervals/intervals_goal`);
    for (const f of ['access_bp', 'aggrs', 'min_sample_us', 'max_sample_us']) this.file(`${ma}/intervals/intervals_goal/${f}`, '0', ul);
    this.range(`${ma}/nr_regions`, '10', '1000');
    this.dir(`${d}/targets`);
    this.nr(`${d}/targets/nr_targets`, (t) => this.target(t));
    this.dir(`${d}/schemes`);
    this.nr(`${d}/schemes/nr_schemes`, (s) => this.scheme(s));
  }

  private range(d: string, min = '0', max = '0'): void {
    this.dir(d);
    this.file(`${d}/min`, min, ul);
    this.file(`${d}/max`, max, ul);
  }

  private target(d: string): void {
    this.dir(d);
    this.file(`${d}/pid_target`, '0', int);
    this.file(`${d}/obsolete_target`, 'N', bool);
    this.dir(`${d}/regions`);
    this.nr(`${d}/regions/nr_regions`, (r) => {
      this.dir(r);
      this.file(`${r}/start`, '0', ul);
      this.file(`${r}/end`, '0', ul);
    });
  }

  private scheme(d: string): void {
    this.dir(d);
    this.file(`${d}/action`, 'stat', oneOf(DAMOS_ACTIONS));
    this.file(`${d}/target_nid`, '-1', int);
    this.file(`${d}/apply_interval_us`, '0', ul);
    this.dir(`${d}/access_pattern`);
    for (const r of ['sz', 'nr_accesses', 'age']) this.range(`${d}/access_pattern/${r}`);
    const q = `${d}/quotas`;
    this.dir(q);
    for (const f of ['ms', 'bytes', 'reset_interval_ms']) this.file(`${q}/${f}`, '0', ul);
    this.file(`${q}/effective_bytes`, '0');
    this.file(`${q}/goal_tuner`, 'consist', oneOf(GOAL_TUNERS));
    this.file(`${q}/fail_charge_num`, '0', ul);
    this.file(`${q}/fail_charge_denom`, '0', ul);
    this.dir(`${q}/weights`);
    for (const f of ['sz_permil', 'nr_accesses_permil', 'age_permil']) this.file(`${q}/weights/${f}`, '0', ul);
    this.dir(`${q}/goals`);
    this.nr(`${q}/goals/nr_goals`, (g) => {
      this.dir(g);
      this.file(`${g}/target_metric`, 'user_input', oneOf(QUOTA_GOAL_METRICS));
      this.file(`${g}/target_value`, '0', ul);
      this.file(`${g}/current_value`, '0', ul);
      this.file(`${g}/nid`, '0', int);
      this.file(`${g}/path`, '', text);
    });
    const w = `${d}/watermarks`;
    this.dir(w);
    this.file(`${w}/metric`, 'none', oneOf(WMARK_METRICS));
    for (const f of ['interval_us', 'high', 'mid', 'low']) this.file(`${w}/${f}`, '0', ul);
    this.filters(`${d}/core_filters`, FILTER_TYPES.filter(isCoreFilter));
    this.filters(`${d}/ops_filters`, OPS_FILTER_TYPES);
    this.filters(`${d}/filters`, FILTER_TYPES);
    this.dir(`${d}/dests`);
    this.nr(`${d}/dests/nr_dests`, (x) => {
      this.dir(x);
      this.file(`${x}/id`, '0', ul);
      this.file(`${x}/weight`, '0', ul);
    });
    this.dir(`${d}/stats`);
    for (const f of STATS_FILES) this.file(`${d}/stats/${f}`, '0', f === 'max_nr_snapshots' ? ul : undefined);
    this.dir(`${d}/tried_regions`);
    this.file(`${d}/tried_regions/total_bytes`, '0');
  }

  /** A filters dir whose filters take the types `types` (the dir's layer). */
  private filters(d: string, types: readonly FilterType[]): void {
    this.dir(d);
    this.nr(`${d}/nr_filters`, (f) => {
      this.dir(f);
      // A fresh filter is all zeroes: type 0 is anon.
      this.file(`${f}/type`, 'anon', oneOf(types));
      this.file(`${f}/matching`, 'N', bool);
      this.file(`${f}/allow`, 'N', bool);
      this.file(`${f}/memcg_path`, '', text);
      this.file(`${f}/addr_start`, '0', ul);
      this.file(`${f}/addr_end`, '0', ul);
      this.file(`${f}/min`, '0', ul);
      this.file(`${f}/max`, '0', ul);
      this.file(`${f}/damon_target_idx`, '0', ul);
    });
  }
}
