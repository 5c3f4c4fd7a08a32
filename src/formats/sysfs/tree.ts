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
 * - Numbers parse as the file's kstrtoul / kstrtouint / kstrtoint (base 0: 0x hex, leading-0
 *   octal), booleans as kstrtobool; the file then reads back as the kernel prints it (decimal,
 *   Y/N). A few stores turn every parse error into -EINVAL, as the kernel's do.
 * - Read-only files (0400) refuse writes with -EACCES; `state` takes `on` (with one context whose
 *   attributes damon_set_attrs() accepts and whose regions are ordered) and `off` (nothing is run
 *   here: `on` only marks the kdamond running) and refuses the other commands while off, but for
 *   clear_schemes_tried_regions, which the sysfs code does itself; every command but `off` needs
 *   nr_contexts 1; `commit` checks the files as `on` does, and both refuse a paddr min_region_sz
 *   (4096 / addr_unit) that is not a power of two. A scheme damon_sysfs_mk_scheme() cannot build
 *   (an addr filter ending below its start, a hugepage_size filter whose min is above its max, a
 *   memcg filter or goal naming no cgroup) fails both with -ENOMEM, as damon_sysfs_add_schemes()
 *   reports any such failure; commit_schemes_quota_goals fails with -EINVAL for such a goal of a
 *   running scheme. A failed `on` leaves the kdamond without a context (the kernel destroys the
 *   old one first).
 *
 * The tree is a kernel profile's (default b0): the files and names its kernel lacks
 * (layout.ts sysfsFeatures) are not there.
 *
 * Paths are relative to the admin dir ("kdamonds/0/state"). Errors are the errno the write(2)
 * would fail with ("-EINVAL"); null is success. lastError() adds the reason where the tree knows
 * one (the checks of `on` and `commit`), since an errno such as -ENOMEM names the wrong cause.
 */
import { attrsError, type DamonAttrs } from '../../damon/attrs.js';
import { sysfsTargetsRefusal } from '../../damon/commit.js';
import { goalsTakenBefore } from '../../damos/commit.js';
import { minRegionSzFor } from '../../run/build.js';
import { FILTER_TYPES, GOAL_TUNERS, WMARK_METRICS, isCoreFilter, measuresMemcg, type FilterType } from '../../damos/scheme.js';
import { INT_MAX, UINT_MAX, ULONG_MAX, isPow2 } from '../../lib/kint.js';
import { namesMemcg, sysfsStrip } from '../../lib/kstring.js';
import { DAMON_OPS_IDS } from '../../ops/operations.js';
import { DEFAULT_PROFILE, stoppedCommandErrno, type KernelProfile } from '../../profiles.js';
import { PROFILE_FILES, hasFile, statsFiles, sysfsFeatures, type ProfileFile, type SysfsFeatures } from './layout.js';


/**
 * `_kstrtoull(s, 0, ...)`: base from the prefix ("0x" and a hex digit: 16; "0": 8; else 10), the
 * digits (overflow is -ERANGE, found before anything after them), then at most one newline.
 */
function kstrtoullNoSign(s: string): bigint | '-EINVAL' | '-ERANGE' {
  let i = 0;
  let base = 10n;
  if (s[0] === '0' && (s[1] === 'x' || s[1] === 'X') && /[0-9a-fA-F]/.test(s[2] ?? '')) {
    base = 16n;
    i = 2;
  } else if (s[0] === '0') base = 8n;
  const start = i;
  let v = 0n;
  let overflow = false;
  for (; i < s.length; i++) {
    const d = parseInt(s[i], 16);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = v * base + BigInt(d);
    if (v > ULONG_MAX) overflow = true;
  }
  if (overflow) return '-ERANGE';
  if (i === start) return '-EINVAL';
  if (s[i] === '\n') i++;
  return i === s.length ? v : '-EINVAL';
}

/** `kstrtoull(s, 0, ...)` (kstrtoul on 64-bit): an optional '+', then the digits; the value or the errno. */
export function kstrtoul(s: string): bigint | '-EINVAL' | '-ERANGE' {
  return kstrtoullNoSign(s[0] === '+' ? s.slice(1) : s);
}

/** `kstrtouint`: kstrtoul within 32 bits. */
export function kstrtouint(s: string): number | '-EINVAL' | '-ERANGE' {
  const v = kstrtoul(s);
  if (typeof v === 'string') return v;
  return v > BigInt(UINT_MAX) ? '-ERANGE' : Number(v);
}

/** `kstrtoint` (through kstrtoll): '-' then digits without another sign, or kstrtoul's form; within 32 bits. */
export function kstrtoint(s: string): number | '-EINVAL' | '-ERANGE' {
  const neg = s[0] === '-';
  const v = neg ? kstrtoullNoSign(s.slice(1)) : kstrtoul(s);
  if (typeof v === 'string') return v;
  if (neg ? v > BigInt(INT_MAX) + 1n : v > BigInt(INT_MAX)) return '-ERANGE';
  return Number(neg ? -v : v);
}

/** `kstrtobool`: by the first character, e/y/t/1 true, d/n/f/0 false, or "on" / "of(f)". */
export function kstrtobool(s: string): boolean | '-EINVAL' {
  if (/^[eEyYtT1]/.test(s)) return true;
  if (/^[dDnNfF0]/.test(s)) return false;
  if (/^[oO][nN]/.test(s)) return true;
  if (/^[oO][fF]/.test(s)) return false;
  return '-EINVAL';
}

/** A refused write: the errno, and why where the tree knows it. */
interface Refusal {
  errno: string;
  why?: string;
}

/** A refusal from a "-EINVAL: why" text (sysfsTargetsRefusal()'s form). */
function refusalOf(text: string): Refusal {
  const i = text.indexOf(': ');
  return i < 0 ? { errno: text } : { errno: text.slice(0, i), why: text.slice(i + 2) };
}

/** How a file takes a write: parse and normalise the value, or refuse it. */
type Store = (value: string) => string | Refusal;

interface FileNode {
  value: string;
  mode: 0o400 | 0o600;
  store?: Store;
}

/** A number file; with `einval`, every parse error is -EINVAL (stores that return that instead of kstrto*'s errno). */
const num =
  (parse: (v: string) => bigint | number | string, einval = false): Store =>
  (v) => {
    const x = parse(v);
    return typeof x === 'string' ? { errno: einval ? '-EINVAL' : x } : `${x}`;
  };
const ul = num(kstrtoul);
const uint = num(kstrtouint);
const int = num(kstrtoint);
const bool: Store = (v) => {
  const x = kstrtobool(v);
  return typeof x === 'string' ? { errno: x } : x ? 'Y' : 'N';
};
/** A file taking one of these names. */
const oneOf =
  (names: readonly string[]): Store =>
  (v) => {
    const t = sysfsStrip(v);
    return names.includes(t) ? t : { errno: '-EINVAL' };
  };
/** A free-form string file (memcg paths): the kernel keeps the buffer as written, newline and all (and compares with sysfs_streq). */
const text: Store = (v) => v;

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

export interface SysfsTreeOptions {
  /**
   * The machine's cgroups, by path (the root, "/", is always there): a memcg filter or a
   * node_memcg_* goal naming none of them cannot be built. Without them only an empty path is known
   * to name no cgroup, and other paths are taken unchecked.
   */
  readonly memcgs?: Iterable<string>;
}

/** The filter dirs in the order damon_sysfs_mk_scheme() installs them. */
const FILTER_DIRS = ['core_filters', 'ops_filters', 'filters'] as const;

export class SysfsTree {
  private readonly files = new Map<string, FileNode>();
  private readonly dirs = new Set<string>();
  /** What the `nr_*` file at a path creates: the numbered dir's builder. */
  private readonly counted = new Map<string, { max?: number; make: (dir: string) => void }>();

  /** The profile's files and names. */
  private readonly has: SysfsFeatures;
  /** SysfsTreeOptions.memcgs with the root, or undefined when not given. */
  private readonly memcgs: readonly string[] | undefined;
  private lastRefusal: string | null = null;

  constructor(
    private readonly profile: KernelProfile = DEFAULT_PROFILE,
    opts: SysfsTreeOptions = {},
  ) {
    this.has = sysfsFeatures(profile);
    this.memcgs = opts.memcgs === undefined ? undefined : [...new Set(['/', ...opts.memcgs])];
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
    const r = this.store(path, value);
    this.lastRefusal = r === null ? null : r.why === undefined ? r.errno : `${r.errno}: ${r.why}`;
    return r?.errno ?? null;
  }

  /**
   * Why the last write() failed: its errno, then the reason where the tree knows one (the checks of
   * `on` and `commit`: "-ENOMEM: kdamonds/0/contexts/0/schemes/0/core_filters/0: ..."); null after
   * a write that succeeded.
   */
  lastError(): string | null {
    return this.lastRefusal;
  }

  private store(path: string, value: string): Refusal | null {
    const f = this.files.get(path);
    if (!f) return { errno: this.dirs.has(path) ? '-EISDIR' : '-ENOENT' };
    if (!f.store) return { errno: '-EACCES' }; // a 0400 file has no store
    const r = f.store(value);
    if (typeof r !== 'string') return r;
    const counted = this.counted.get(path);
    if (counted) {
      // kstrtoint (the nr files' store) bounds it above.
      const n = Number(r);
      if (n < 0 || (counted.max !== undefined && n > counted.max)) return { errno: '-EINVAL' };
      if (path === 'kdamonds/nr_kdamonds' && this.running().length > 0) return { errno: '-EBUSY' };
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

  /** A file only some profiles' trees have (layout.ts PROFILE_FILES), with its default, where this one has it. */
  private profileFile(dir: string, name: ProfileFile, store?: Store): void {
    if (hasFile(this.has, name)) this.file(`${dir}/${name}`, PROFILE_FILES[name].dflt, store);
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
    // Whether the kdamond has a damon_ctx (kdamond->damon_ctx): from an `on` that started it until
    // the next `on`, which destroys it before building a new one (damon_sysfs_turn_damon_on()), or
    // nr_kdamonds re-creating the dir. A failed `on` leaves none.
    let hasCtx = false;
    // How many schemes that context has (damon_commit_ctx() makes a commit's as many as the files').
    let ctxSchemes = 0;
    const nrSchemes = () => Number(this.files.get(`${d}/contexts/0/schemes/nr_schemes`)?.value ?? 0);
    this.file(`${d}/state`, 'off', (v) => {
      const t = sysfsStrip(v);
      const on = this.files.get(`${d}/state`)?.value === 'on';
      const oneContext = this.files.get(`${d}/contexts/nr_contexts`)?.value === '1';
      // damon_sysfs_handle_cmd() refuses every command but off first when contexts->nr is not 1,
      // running or not ('mm/damon/sysfs: check contexts->nr before accessing contexts_arr', March
      // 2026, Cc stable 5.18+: every profile's kernel has it). Before it, a stopped kdamond's
      // commands answered as a stopped context, and `on` while running said -EBUSY.
      if (t !== 'off' && !oneContext) return { errno: '-EINVAL', why: `${d}/contexts/nr_contexts: damon_sysfs_handle_cmd() takes no command but off unless it is 1` };
      if (t === 'on') {
        if (on) return { errno: '-EBUSY' };
        hasCtx = false;
        // damon_sysfs_build_ctx(), then damon_start()'s own check of min_region_sz.
        const refused = this.inputsRefusal(`${d}/contexts/0`) ?? this.minRegionSzRefusal(`${d}/contexts/0`, 'damon_start()');
        if (refused) return refused;
        hasCtx = true;
        ctxSchemes = nrSchemes();
        return 'on';
      }
      // damon_sysfs_commit_input() builds a context from the files the same way, then
      // damon_commit_ctx() refuses a min_region_sz that is not a power of two; a refused one fails
      // the write and the kdamond runs on with what it had.
      if (t === 'commit' && on) {
        const refused = this.inputsRefusal(`${d}/contexts/0`) ?? this.minRegionSzRefusal(`${d}/contexts/0`);
        if (refused) return refused;
        ctxSchemes = nrSchemes();
      }
      if (t === 'commit_schemes_quota_goals' && on) {
        const refused = this.quotaGoalsRefusal(`${d}/contexts/0`, ctxSchemes);
        if (refused) return refused;
      }
      // damon_sysfs_turn_damon_off(): no ctx is -EINVAL; damon_stop() of a stopped one -EPERM.
      if (t === 'off') return on ? 'off' : { errno: hasCtx ? '-EPERM' : '-EINVAL' };
      // The sysfs code clears tried regions itself (of the one context); the others need the running kdamond.
      if (t === 'clear_schemes_tried_regions') return on ? 'on' : 'off';
      // Once stopped, damon_call() (damos_walk() for the tried-regions updates) answers the
      // obsolete context per profile; without a context (never started, or a failed `on` destroyed
      // it) there is none to call: damon_sysfs_damon_call() and the tried-regions update say -EINVAL.
      if (STATE_COMMANDS.includes(t)) return on ? 'on' : { errno: stoppedCommandErrno(this.profile, t, hasCtx).errno };
      return { errno: '-EINVAL' };
    });
    this.file(`${d}/pid`, '-1');
    this.file(`${d}/refresh_ms`, '0', uint);
    this.dir(`${d}/contexts`);
    this.nr(`${d}/contexts/nr_contexts`, (c) => this.context(c), 1);
  }

  /**
   * Why damon_sysfs_apply_inputs() refuses context dir `c`'s files, in its order, or null:
   * damon_set_attrs()'s checks (attrsError), damon_sysfs_add_targets()'s (one target for paddr) and
   * damon_sysfs_set_regions()'s (a region's start above its end, or a region starting before the
   * previous one ends), then the schemes damon_sysfs_add_schemes() cannot build
   * (schemesRefusal()). Not checked: vaddr pids (there are no processes here) and what only a
   * commit refuses in some kernels (node_eligible_mem_bp off paddr).
   */
  private inputsRefusal(c: string): Refusal | null {
    const n = (p: string): number => Number(this.files.get(`${c}/${p}`)?.value ?? '0');
    const iv = 'monitoring_attrs/intervals';
    const attrs: DamonAttrs = {
      sampleInterval: n(`${iv}/sample_us`),
      aggrInterval: n(`${iv}/aggr_us`),
      opsUpdateInterval: n(`${iv}/update_us`),
      intervalsGoal: { accessBp: n(`${iv}/intervals_goal/access_bp`), aggrs: n(`${iv}/intervals_goal/aggrs`), minSampleUs: n(`${iv}/intervals_goal/min_sample_us`), maxSampleUs: n(`${iv}/intervals_goal/max_sample_us`) },
      minNrRegions: n('monitoring_attrs/nr_regions/min'),
      maxNrRegions: n('monitoring_attrs/nr_regions/max'),
      aggrSamples: 0,
    };
    const ae = attrsError(attrs);
    if (ae !== null) return { errno: '-EINVAL', why: `damon_set_attrs() refuses the attributes: ${ae}` };
    const targets = sysfsTargetsRefusal(this.files.get(`${c}/operations`)?.value ?? 'vaddr', n('targets/nr_targets'));
    if (targets !== null) return refusalOf(targets);
    for (let t = 0; t < n('targets/nr_targets'); t++) {
      const rd = `${c}/targets/${t}/regions`;
      const big = (p: string): bigint => BigInt(this.files.get(`${rd}/${p}`)?.value ?? '0');
      for (let r = 0; r < Number(big('nr_regions')); r++) {
        if (big(`${r}/start`) > big(`${r}/end`)) return { errno: '-EINVAL', why: `${rd}/${r}: start ${big(`${r}/start`)} is above end ${big(`${r}/end`)} (damon_sysfs_set_regions())` };
        if (r > 0 && big(`${r - 1}/end`) > big(`${r}/start`))
          return { errno: '-EINVAL', why: `${rd}/${r}: start ${big(`${r}/start`)} is below the end of region ${r - 1}, ${big(`${r - 1}/end`)} (damon_sysfs_set_regions() takes them sorted and apart)` };
      }
    }
    return this.schemesRefusal(c);
  }

  /**
   * damon_sysfs_add_schemes(): a scheme damon_sysfs_mk_scheme() cannot build fails the context
   * with -ENOMEM, whatever the cause (the kernel's own code returns it for them all; damos.md §7
   * says -EINVAL). The causes, per scheme in order: a goal with a target_value whose memcg path
   * names no cgroup (damos_sysfs_add_quota_score()), then each filter of core_filters, ops_filters
   * and filters by its type (damon_sysfs_add_scheme_filters()): memcg naming no cgroup, addr ending
   * below its start, hugepage_size with min above max. Other types' fields are not looked at.
   */
  private schemesRefusal(c: string): Refusal | null {
    const v = (p: string): string => this.files.get(p)?.value ?? '0';
    for (let s = 0; s < Number(v(`${c}/schemes/nr_schemes`)); s++) {
      const sd = `${c}/schemes/${s}`;
      const fail = (what: string): Refusal => ({
        errno: '-ENOMEM',
        why: `${what}: damon_sysfs_mk_scheme() cannot build scheme ${s}, and damon_sysfs_add_schemes() fails any scheme it cannot build with -ENOMEM`,
      });
      const goal = this.goalsRefusal(`${sd}/quotas/goals`);
      if (goal) return fail(goal);
      for (const dir of FILTER_DIRS) {
        for (let i = 0; i < Number(v(`${sd}/${dir}/nr_filters`)); i++) {
          const fd = `${sd}/${dir}/${i}`;
          const type = v(`${fd}/type`);
          if (type === 'memcg') {
            const no = this.namesNoMemcg(this.files.get(`${fd}/memcg_path`)?.value ?? '');
            if (no) return fail(`${fd}/memcg_path: ${no} (a memcg filter)`);
          } else if (type === 'addr' && BigInt(v(`${fd}/addr_end`)) < BigInt(v(`${fd}/addr_start`))) {
            return fail(`${fd}: addr_end ${v(`${fd}/addr_end`)} is below addr_start ${v(`${fd}/addr_start`)} (an addr filter)`);
          } else if (type === 'hugepage_size' && BigInt(v(`${fd}/min`)) > BigInt(v(`${fd}/max`))) {
            return fail(`${fd}: min ${v(`${fd}/min`)} is above max ${v(`${fd}/max`)} (a hugepage_size filter)`);
          }
        }
      }
    }
    return null;
  }

  /**
   * damos_sysfs_add_quota_score() of goals dir `gd`: why it fails (the first goal with a
   * target_value whose memcg path names no cgroup, damon_sysfs_memcg_path_to_id() -EINVAL), or null.
   * A goal without a target_value is left out before its metric is looked at.
   */
  private goalsRefusal(gd: string): string | null {
    const v = (p: string): string => this.files.get(p)?.value ?? '0';
    for (let g = 0; g < Number(v(`${gd}/nr_goals`)); g++) {
      const metric = v(`${gd}/${g}/target_metric`);
      if (v(`${gd}/${g}/target_value`) === '0' || !measuresMemcg(metric)) continue;
      const no = this.namesNoMemcg(this.files.get(`${gd}/${g}/path`)?.value ?? '');
      if (no) return `${gd}/${g}/path: ${no} (a ${metric} goal)`;
    }
    return null;
  }

  /**
   * commit_schemes_quota_goals: damos_sysfs_set_quota_scores() builds each running scheme's goals
   * from its files (the first `running` schemes, as far as the files have them) and commits them
   * scheme by scheme, so a goal damos_sysfs_add_quota_score() cannot build fails the write with
   * damon_sysfs_memcg_path_to_id()'s -EINVAL after the schemes before it took their goals.
   */
  private quotaGoalsRefusal(c: string, running: number): Refusal | null {
    const n = Math.min(running, Number(this.files.get(`${c}/schemes/nr_schemes`)?.value ?? 0));
    for (let s = 0; s < n; s++) {
      const why = this.goalsRefusal(`${c}/schemes/${s}/quotas/goals`);
      if (why)
        return {
          errno: '-EINVAL',
          why: `${why}: damos_sysfs_set_quota_scores() cannot build scheme ${s}'s goals (${goalsTakenBefore(s)}; scheme ${s} and those after it keep their old ones)`,
        };
    }
    return null;
  }

  /**
   * Why damon_sysfs_memcg_path_to_id() finds no cgroup for a written path (-EINVAL), or null: an
   * unwritten path (NULL) or an empty one names none (the root's path is "/"); others are compared
   * with sysfs_streq() to the machine's cgroups, when the tree was given them.
   */
  private namesNoMemcg(path: string): string | null {
    if (sysfsStrip(path) === '') return path === '' ? 'no cgroup path written' : 'an empty cgroup path';
    if (this.memcgs === undefined || namesMemcg(this.memcgs, path)) return null;
    return `${JSON.stringify(sysfsStrip(path))} names no cgroup (the machine has ${this.memcgs.map((m) => JSON.stringify(m)).join(', ')})`;
  }

  /**
   * The refusal of a min_region_sz (4096 / addr_unit, paddr only) that is not a power of two, by
   * damon_commit_ctx() (commit) or damon_start() (on; "disallow non-power of two min_region_sz on
   * damon_start", April 2026, Cc stable 6.18.x, as the event engine's `on` refuses it), or null.
   */
  private minRegionSzRefusal(c: string, by = 'damon_commit_ctx()'): Refusal | null {
    const au = Number(this.files.get(`${c}/addr_unit`)?.value ?? '1');
    const msz = minRegionSzFor(au, this.files.get(`${c}/operations`)?.value);
    return isPow2(msz) ? null : { errno: '-EINVAL', why: `min_region_sz ${msz} (4096 / addr_unit ${au}) is not a power of two (${by})` };
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
    this.profileFile(d, 'pause', bool);
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
    this.file(`${d}/pid_target`, '0', num(kstrtoint, true));
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
    this.file(`${d}/action`, 'stat', oneOf(this.has.actions));
    this.file(`${d}/target_nid`, '-1', int);
    this.file(`${d}/apply_interval_us`, '0', ul);
    this.dir(`${d}/access_pattern`);
    for (const r of ['sz', 'nr_accesses', 'age']) this.range(`${d}/access_pattern/${r}`);
    const q = `${d}/quotas`;
    this.dir(q);
    for (const f of ['ms', 'bytes', 'reset_interval_ms']) this.file(`${q}/${f}`, '0', num(kstrtoul, true));
    this.file(`${q}/effective_bytes`, '0');
    this.profileFile(q, 'goal_tuner', oneOf(GOAL_TUNERS));
    this.profileFile(q, 'fail_charge_num', num(kstrtouint, true));
    this.profileFile(q, 'fail_charge_denom', num(kstrtouint, true));
    this.dir(`${q}/weights`);
    for (const f of ['sz_permil', 'nr_accesses_permil', 'age_permil']) this.file(`${q}/weights/${f}`, '0', uint);
    this.dir(`${q}/goals`);
    this.nr(`${q}/goals/nr_goals`, (g) => {
      this.dir(g);
      this.file(`${g}/target_metric`, 'user_input', oneOf(this.has.metrics));
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
      this.file(`${x}/id`, '0', uint);
      this.file(`${x}/weight`, '0', uint);
    });
    this.dir(`${d}/stats`);
    for (const f of statsFiles(this.has)) this.file(`${d}/stats/${f}`, '0', f === 'max_nr_snapshots' ? ul : undefined);
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
      this.file(`${f}/damon_target_idx`, '0', int);
    });
  }
}
