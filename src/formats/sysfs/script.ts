// SPDX-License-Identifier: GPL-2.0-only
/**
 * A POSIX sh script that stages a configuration on a real kernel through
 * /sys/kernel/mm/damon/admin in damo's write order (damo's _damon_sysfs.py stage_kdamonds and its
 * unit test of the exact write sequence), checks every write, then writes `on` to each kdamond's
 * state.
 *
 * Like damo: an nr_* file is written only when it differs from the wanted count (writing it
 * re-creates the numbered dirs); files that older kernels lack are written only when present, and
 * a missing one is an error only when the value is not the kernel's default; filters go to
 * core_filters/ops_filters where those dirs exist, else to the legacy filters dir. Unlike damo,
 * a filter's `allow` is written also when it is N (damo skips it, leaving a reused dir's old Y),
 * and so are an unset target_nid (-1) and node goal nid (0), the legacy filters dir's count (0)
 * beside core_filters/ops_filters, and a scheme's dests count (0) when it has none: a dir whose
 * nr_* count did not change keeps its files (src/formats/sysfs/tree.ts replays this script on the kernel's semantics).
 *
 * DAMON_SYSFS overrides the admin dir. With DAMON_SIM_FAKE_SYSFS=1 every write first creates its
 * parent dir, standing in for the kernel creating numbered dirs when an nr_* file is written, so
 * the script can be checked against a plain directory.
 */
import { isCoreFilter, measuresMemcg, measuresNode } from '../../damos/scheme.js';
import type { FilterParams, KdamondParams, SchemeParams } from '../../scenario/model.js';
import type { DamoCompat } from '../damo/emit.js';
import { compatDropsNid } from '../damo/kdamonds.js';
import { PROFILE_FILES, ulongTime, yn } from './layout.js';

/** Quote for sh: single quotes, with embedded ones closed and escaped. */
function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const PRELUDE = `set -u
A=\${DAMON_SYSFS:-/sys/kernel/mm/damon/admin}
K="$A/kdamonds"
[ -d "$K" ] || [ -n "\${DAMON_SIM_FAKE_SYSFS:-}" ] || { echo "damon-sim: $K: no DAMON sysfs interface here" >&2; exit 1; }

# w FILE VALUE: write VALUE (no newline, as damo writes) and stop on failure.
w() {
	[ -z "\${DAMON_SIM_FAKE_SYSFS:-}" ] || mkdir -p "\${1%/*}"
	printf '%s' "$2" > "$1" || { echo "damon-sim: writing '$2' to $1: failed" >&2; exit 1; }
}

# nr FILE COUNT: like damo, write an nr_* file only when its count differs.
nr() {
	cur=$(cat "$1" 2>/dev/null) || cur=
	[ "$cur" = "$2" ] || w "$1" "$2"
}

# o FILE VALUE DEFAULT: a file older kernels lack: write it if present; if missing, fail unless VALUE is the default.
o() {
	if [ -e "$1" ] || [ -n "\${DAMON_SIM_FAKE_SYSFS:-}" ]; then
		w "$1" "$2"
	elif [ "$2" != "$3" ]; then
		echo "damon-sim: $1: missing, so this kernel cannot take '$2': failed" >&2; exit 1
	fi
}

# has DIR: the dir exists (always true against a fake tree).
has() { [ -d "$1" ] || [ -n "\${DAMON_SIM_FAKE_SYSFS:-}" ]; }
`;

export interface ScriptOptions {
  /** upstream: like upstream damo v3.3, do not write the nid of node_eligible_mem_bp goals. */
  compat?: DamoCompat;
  /** A comment line naming the source. */
  source?: string;
}

function filterLines(out: string[], dir: string, list: readonly FilterParams[], ind: string): void {
  out.push(`${ind}nr "${dir}/nr_filters" ${list.length}`);
  list.forEach((f, i) => {
    const d = `${dir}/${i}`;
    out.push(`${ind}w "${d}/type" ${f.type}`);
    // `allow` (6.14+) always, N too: damo writes only Y, which leaves a reused dir's old Y on a
    // reject filter. o() passes over the missing file of a kernel before 6.14 when it is N.
    out.push(`${ind}o "${d}/allow" ${yn(f.allow)} N`);
    if (f.memcgPath !== null) out.push(`${ind}w "${d}/memcg_path" ${shQuote(f.memcgPath)}`);
    if (f.hugepageSize !== null) {
      out.push(`${ind}w "${d}/min" ${f.hugepageSize[0]}`);
      out.push(`${ind}w "${d}/max" ${f.hugepageSize[1]}`);
    }
    if (f.addrRange !== null) {
      out.push(`${ind}w "${d}/addr_start" ${f.addrRange.start}`);
      out.push(`${ind}w "${d}/addr_end" ${f.addrRange.end}`);
    }
    if (f.targetIdx !== null) out.push(`${ind}w "${d}/damon_target_idx" ${f.targetIdx}`);
    out.push(`${ind}w "${d}/matching" ${yn(f.matching)}`);
  });
}

function schemeLines(out: string[], d: string, s: SchemeParams, opts: ScriptOptions): void {
  const p = s.pattern;
  out.push(`w "${d}/access_pattern/sz/min" ${p.minSzRegion}`);
  out.push(`w "${d}/access_pattern/sz/max" ${p.maxSzRegion}`);
  out.push(`w "${d}/access_pattern/nr_accesses/min" ${p.minNrAccesses}`);
  out.push(`w "${d}/access_pattern/nr_accesses/max" ${p.maxNrAccesses}`);
  out.push(`w "${d}/access_pattern/age/min" ${p.minAgeRegion}`);
  out.push(`w "${d}/access_pattern/age/max" ${p.maxAgeRegion}`);
  out.push(`w "${d}/action" ${s.action}`);
  if (s.dests.length > 0) {
    out.push(`has "${d}/dests" || { echo "damon-sim: ${d}/dests: missing, so this kernel cannot take migration destinations: failed" >&2; exit 1; }`);
    out.push(`nr "${d}/dests/nr_dests" ${s.dests.length}`);
    s.dests.forEach((x, i) => {
      out.push(`w "${d}/dests/${i}/id" ${x.id}`);
      out.push(`w "${d}/dests/${i}/weight" ${x.weight}`);
    });
    // A reused scheme dir's old destinations go away: the kernel builds migrate_dests from dests/.
  } else out.push(`! has "${d}/dests" || nr "${d}/dests/nr_dests" 0`);
  const q = s.quota;
  const qd = `${d}/quotas`;
  out.push(`w "${qd}/ms" ${ulongTime(q.ms)}`);
  out.push(`w "${qd}/bytes" ${q.sz}`);
  out.push(`w "${qd}/reset_interval_ms" ${ulongTime(q.resetIntervalMs)}`);
  out.push(`w "${qd}/weights/sz_permil" ${q.weightSz}`);
  out.push(`w "${qd}/weights/nr_accesses_permil" ${q.weightNrAccesses}`);
  out.push(`w "${qd}/weights/age_permil" ${q.weightAge}`);
  out.push(`o "${qd}/fail_charge_num" ${q.failChargeNum} ${PROFILE_FILES.fail_charge_num.dflt}`);
  out.push(`o "${qd}/fail_charge_denom" ${q.failChargeDenom} ${PROFILE_FILES.fail_charge_denom.dflt}`);
  if (q.goals.length > 0) {
    out.push(`has "${qd}/goals" || { echo "damon-sim: ${qd}/goals: missing, so this kernel cannot take quota goals: failed" >&2; exit 1; }`);
    out.push(`nr "${qd}/goals/nr_goals" ${q.goals.length}`);
  } else out.push(`! has "${qd}/goals" || nr "${qd}/goals/nr_goals" 0`);
  q.goals.forEach((g, i) => {
    const gd = `${qd}/goals/${i}`;
    out.push(`o "${gd}/target_metric" ${g.metric} user_input`);
    const writesNid = measuresNode(g.metric) && !compatDropsNid(g.metric, opts.compat);
    // Written even when unset (the kernel's 0): a reused goal dir may hold another nid.
    if (writesNid) out.push(`o "${gd}/nid" ${g.nid ?? 0} 0`);
    if (measuresMemcg(g.metric) && g.memcgPath !== null) out.push(`w "${gd}/path" ${shQuote(g.memcgPath)}`);
    out.push(`w "${gd}/target_value" ${g.targetValue}`);
    out.push(`w "${gd}/current_value" ${g.currentValue}`);
  });
  out.push(`o "${qd}/goal_tuner" ${q.goalTuner} ${PROFILE_FILES.goal_tuner.dflt}`);
  const w = s.wmarks;
  out.push(`w "${d}/watermarks/metric" ${w.metric}`);
  out.push(`w "${d}/watermarks/interval_us" ${ulongTime(w.intervalUs)}`);
  out.push(`w "${d}/watermarks/high" ${w.high}`);
  out.push(`w "${d}/watermarks/mid" ${w.mid}`);
  out.push(`w "${d}/watermarks/low" ${w.low}`);
  // Written even when unset (-1): a reused scheme dir may hold another node.
  out.push(`o "${d}/target_nid" ${s.targetNid} -1`);
  out.push(`if has "${d}/core_filters"; then`);
  filterLines(out, `${d}/core_filters`, s.filters.filter((f) => isCoreFilter(f.type)), '\t');
  filterLines(out, `${d}/ops_filters`, s.filters.filter((f) => !isCoreFilter(f.type)), '\t');
  // The legacy dir is still there beside them, and the kernel installs its filters after theirs
  // (damon_sysfs_mk_scheme()): a reused dir's old ones are dropped (damo leaves them).
  out.push(`\t[ ! -d "${d}/filters" ] || nr "${d}/filters/nr_filters" 0`);
  // Before 6.15 the one filters dir holds them all; its count is set even to 0, as damo's
  // write_filters_dir does, so a reused dir's old filters go away (kernels without the dir have none).
  out.push('else');
  if (s.filters.length > 0) filterLines(out, `${d}/filters`, s.filters, '\t');
  else out.push(`\t[ ! -d "${d}/filters" ] || nr "${d}/filters/nr_filters" 0`);
  out.push('fi');
  out.push(`o "${d}/apply_interval_us" ${s.applyIntervalUs} 0`);
  out.push(`o "${d}/stats/max_nr_snapshots" ${s.maxNrSnapshots} ${PROFILE_FILES.max_nr_snapshots.dflt}`);
}

/** The staging script for these kdamonds. */
export function sysfsScript(kdamonds: readonly KdamondParams[], opts: ScriptOptions = {}): string {
  const out: string[] = ['#!/bin/sh', '# SPDX-License-Identifier: GPL-2.0-only'];
  out.push(`# Generated by damon-sim${opts.source ? ` from ${opts.source}` : ''}: stages ${kdamonds.length} kdamond(s) through the DAMON sysfs`);
  out.push("# interface in damo's write order, then turns them on. Run as root. DAMON_SYSFS overrides the admin dir.");
  out.push(PRELUDE);
  out.push(`nr "$K/nr_kdamonds" ${kdamonds.length}`);
  kdamonds.forEach((k, ki) => {
    const kd = `$K/${ki}`;
    out.push('', `# kdamond ${ki}`);
    out.push(`o "${kd}/refresh_ms" ${k.refreshMs} 0`);
    out.push(`nr "${kd}/contexts/nr_contexts" ${k.contexts.length}`);
    k.contexts.forEach((c, ci) => {
      const cd = `${kd}/contexts/${ci}`;
      const a = c.attrs;
      out.push(`w "${cd}/operations" ${c.ops}`);
      out.push(`w "${cd}/monitoring_attrs/intervals/sample_us" ${a.sampleInterval}`);
      out.push(`w "${cd}/monitoring_attrs/intervals/aggr_us" ${a.aggrInterval}`);
      out.push(`w "${cd}/monitoring_attrs/intervals/update_us" ${a.opsUpdateInterval}`);
      const g = a.intervalsGoal;
      const gd = `${cd}/monitoring_attrs/intervals/intervals_goal`;
      if (g.aggrs !== 0 || g.accessBp !== 0 || g.minSampleUs !== 0 || g.maxSampleUs !== 0)
        out.push(`has "${gd}" || { echo "damon-sim: ${gd}: missing, so this kernel cannot auto-tune intervals: failed" >&2; exit 1; }`);
      out.push(`if has "${gd}"; then`);
      out.push(`\tw "${gd}/access_bp" ${g.accessBp}`);
      out.push(`\tw "${gd}/aggrs" ${g.aggrs}`);
      out.push(`\tw "${gd}/min_sample_us" ${g.minSampleUs}`);
      out.push(`\tw "${gd}/max_sample_us" ${g.maxSampleUs}`);
      out.push('fi');
      out.push(`w "${cd}/monitoring_attrs/nr_regions/min" ${a.minNrRegions}`);
      out.push(`w "${cd}/monitoring_attrs/nr_regions/max" ${a.maxNrRegions}`);
      out.push(`o "${cd}/pause" ${yn(c.pause)} ${PROFILE_FILES.pause.dflt}`);
      out.push(`o "${cd}/addr_unit" ${c.addrUnit} 1`);
      out.push(`nr "${cd}/targets/nr_targets" ${c.targets.length}`);
      c.targets.forEach((t, ti) => {
        const td = `${cd}/targets/${ti}`;
        if (t.pid !== null) out.push(`w "${td}/pid_target" ${t.pid}`);
        // damo writes obsolete_target as 1/0 (kstrtobool); the kernel reads it back as Y/N.
        out.push(`o "${td}/obsolete_target" ${t.obsolete ? 1 : 0} 0`);
        out.push(`nr "${td}/regions/nr_regions" ${t.regions.length}`);
        t.regions.forEach((r, ri) => {
          out.push(`w "${td}/regions/${ri}/start" ${r.start}`);
          out.push(`w "${td}/regions/${ri}/end" ${r.end}`);
        });
      });
      out.push(`nr "${cd}/schemes/nr_schemes" ${c.schemes.length}`);
      c.schemes.forEach((s, si) => {
        out.push(`# scheme ${si}: ${s.action}`);
        schemeLines(out, `${cd}/schemes/${si}`, s, opts);
      });
    });
  });
  out.push('', '# turn the kdamonds on');
  // The kernel turns on only a kdamond with its one context (damon_sysfs_turn_damon_on: -EINVAL).
  kdamonds.forEach((k, ki) => out.push(k.contexts.length === 1 ? `w "$K/${ki}/state" on` : `# kdamond ${ki} has no context: the kernel refuses to turn it on`));
  const on = kdamonds.filter((k) => k.contexts.length === 1).length;
  out.push(`echo "damon-sim: ${on} kdamond(s) on" >&2`, '');
  return out.join('\n');
}
