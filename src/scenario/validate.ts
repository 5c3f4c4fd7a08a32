// SPDX-License-Identifier: GPL-2.0-only
/**
 * Semantic checks of a normalised scenario: what the kernel's damon_commit_ctx / damon_set_attrs /
 * sysfs would refuse (errors), what it would silently ignore (warnings), and what the simulated
 * machine cannot hold.
 */
import { attrsError } from '../damon/attrs.js';
import { sysfsTargetsRefusal } from '../damon/commit.js';
import { namesMemcg } from '../lib/kstring.js';
import type { Collector } from '../formats/damo/kdamonds.js';
import { formatBytes, formatTimeExact } from '../formats/damo/units.js';
import { HPAGE_PMD_SIZE, PAGE_SIZE, alignDown, alignUp, isPow2, multFrac } from '../lib/kint.js';
import { coreFilterPassing, intersectRanges, subtractRanges, unionRanges, type ByteRange } from '../damos/filters.js';
import { isCoreFilter, measuresMemcg, measuresNode, type DamosAccessPattern } from '../damos/scheme.js';
import { metricExists, resolveProfile, useProfile, type KernelProfile } from '../profiles.js';
import { nodeRanges } from '../machine/machine.js';
import { minRegionSzFor } from '../run/build.js';
import { formatPath, type ConfigIssue, type PathSeg } from './issues.js';
import { DURATION_EXPECTED, HOT_MOVE_TIME_EXPECTED, areaPageRates, hotSetBytes, type ContextParams, type FilterParams, type KdamondParams, type Scenario, type SchemeParams, type WorkloadParams } from './model.js';

const PADDR_ACTIONS = new Set(['pageout', 'lru_prio', 'lru_deprio', 'migrate_hot', 'migrate_cold', 'stat']);

/**
 * The file's two independent parts: the machine with its workload and the run's duration, and the
 * DAMON part with the kernel profile it is checked against. A problem in one does not keep the
 * other's checks from running, so that one run reports what it can.
 */
export const MACHINE_PART = ['machine', 'workload', 'duration'];
export const DAMON_PART = ['damon', 'kernel'];

/** Whether none of `issues` lies in the part made of these top-level keys (an issue of the whole document lies in every part). */
export function partIsWhole(issues: readonly ConfigIssue[], part: readonly string[]): boolean {
  return !issues.some((i) => {
    const top = i.path.split(/[.[]/)[0];
    return top === '(top level)' || part.includes(top);
  });
}

/**
 * `kdamondsPath`: where the list of kdamonds came from, for the issues' paths (a file's
 * `damon.kdamonds`, or `damon` itself when it is a bare list, or `damo options.kdamonds`).
 * A part whose values already drew errors in `c` (a value replaced by its default) is left for
 * the run after they are fixed: its checks would draw knock-on errors.
 */
export function validateScenario(s: Scenario, c: Collector, kdamondsPath: readonly PathSeg[] = ['damon', 'kdamonds'], committedLater?: ReadonlySet<string>): void {
  const machineWhole = partIsWhole(c.errors, MACHINE_PART);
  const damonWhole = partIsWhole(c.errors, DAMON_PART);
  const before = c.errors.length;
  if (machineWhole) validateMachineWorkload(s, c);
  if (!damonWhole) return;
  // A machine with errors of its own is no measure for the DAMON part's ranges and node goals, nor
  // a workload with errors for the node goals' bounds (they come from its size).
  const machineRight = machineWhole && partIsWhole(c.errors.slice(before), ['machine']);
  const workloadRight = machineRight && partIsWhole(c.errors.slice(before), MACHINE_PART);
  const env = damonCheckEnv(s);
  env.committedLater = committedLater;
  if (!workloadRight) {
    env.nodeMemBp = undefined;
    env.hotSet = undefined;
  }
  const p = env.profile;
  const unheardOf = (why: string) => c.errors.push({ path: formatPath(['kernel', 'overrides']), message: `expected switches some kernel has together: ${why} in "${p?.name}"` });
  // B1's merge-back came with the damon tree's walk, which visits split-off parts next; under
  // mainline's safe walk no kernel merged back, and what the pair would do is not defined.
  if (p?.safeApplyWalk && p.postApplyMerge)
    unheardOf("safeApplyWalk (mainline up to 6.19) never came with postApplyMerge (the B1 merge-back, on the damon tree's walk); found both on");
  // The "<min_region_sz left is full" clause is part of damos_quota_is_full().
  if (p?.quotaFullBelowMinRegion && !p.damosQuotaIsFull)
    unheardOf('quotaFullBelowMinRegion is a clause of damos_quota_is_full(), which damosQuotaIsFull off does not use; found quotaFullBelowMinRegion on and damosQuotaIsFull off');
  validateKdamonds(s.kdamonds, c, machineRight ? env : { profile: env.profile, nrNodes: env.nrNodes, memcgs: env.memcgs, committedLater }, kdamondsPath);
  if (workloadRight && partIsWhole(c.errors.slice(before), DAMON_PART)) indistinctHotSets(s, c);
}

/**
 * Warns of each area whose hot set DAMON cannot tell from its other pages at the configured
 * intervals. A sample finds the sampled folio accessed with probability 1 − e^(−Λ·sample_us)
 * (docs/model.md, "The accessed bit"), so a hot folio's and a cold one's nr_accesses differ by
 * (p_hot − p_cold) · samples per aggregation on average; below one sample the hot set does not
 * stand out: every folio is found accessed in nearly every sample (access_rate far too high for
 * the interval) or nearly none is (far too low). Judged by the context that tells them apart best,
 * and not at all where a context auto-tunes its intervals (intervals_goal moves sample_us toward an
 * access share, which is the remedy).
 */
function indistinctHotSets(s: Scenario, c: Collector): void {
  const ctxs = s.kdamonds.flatMap((k) => k.contexts).filter((x) => x.attrs.sampleInterval > 0 && x.attrs.aggrInterval >= x.attrs.sampleInterval);
  if (ctxs.length === 0 || s.kdamonds.some((k) => k.contexts.some((x) => x.attrs.intervalsGoal.aggrs > 0))) return;
  const hotset = s.workload.hotsetForm === true;
  s.workload.processes.forEach((p, pi) =>
    p.areas.forEach((a, ai) => {
      const h = a.hot;
      // No hot set, or one the other checks already call colder than the rest or the whole area.
      if (!h || h.bytes === 0 || h.bytes >= a.bytes || a.accessRate === 0 || h.share <= h.bytes / a.bytes) return;
      const rates = areaPageRates(a);
      // A THP is young when any of its 512 pages was accessed.
      const pages = a.thp ? HPAGE_PMD_SIZE / PAGE_SIZE : 1;
      let best: { gap: number; pHot: number; pCold: number; n: number; x: ContextParams } | undefined;
      for (const x of ctxs) {
        const dt = x.attrs.sampleInterval / 1e6;
        const pHot = 1 - Math.exp(-rates.hot * pages * dt);
        const pCold = 1 - Math.exp(-rates.cold * pages * dt);
        const n = Math.floor(x.attrs.aggrInterval / x.attrs.sampleInterval);
        const gap = (pHot - pCold) * n;
        if (best === undefined || gap > best.gap) best = { gap, pHot, pCold, n, x };
      }
      if (best === undefined || best.gap >= 1) return;
      const pct = (q: number) => `${(q * 100).toFixed(q > 0.999 && q < 1 ? 3 : 1)} %`;
      const what = a.thp ? 'folio' : 'page';
      const seen = `a sample every ${formatTimeExact(best.x.attrs.sampleInterval, 'us')} finds a hot ${what} accessed with probability ${pct(best.pHot)} and another one with ${pct(best.pCold)}`;
      const gap = `their nr_accesses differ by ${best.gap.toFixed(2)} of ${best.n} samples per aggregation on average`;
      c.warnings.push({
        path: formatPath(hotset ? ['workload', 'access_rate'] : ['workload', 'processes', pi, 'areas', ai, 'access_rate']),
        message:
          best.pHot * best.n < 1
            ? `${seen}: ${gap}, and ${pct((1 - best.pHot) ** best.n)} of aggregations find a hot region idle (nr_accesses 0), as the rest mostly is (a higher access_rate, longer sample_us and aggr_us, or intervals_goal)`
            : `${seen}: ${gap}, so DAMON cannot tell the hot set from the rest (${best.pCold > 0.5 ? 'a lower access_rate, a shorter sample_us, or intervals_goal' : 'a larger hot_share'})`,
      });
    }),
  );
}

/** The machine, the workload on it, and the run's duration: what the simulated machine cannot hold. */
export function validateMachineWorkload(s: Pick<Scenario, 'machine' | 'workload' | 'duration'>, c: Collector): void {
  const err = (path: PathSeg[], message: string) => c.errors.push({ path: formatPath(path), message });
  const warn = (path: PathSeg[], message: string) => c.warnings.push({ path: formatPath(path), message });

  // --- the machine ---
  const errorsBefore = c.errors.length;
  s.machine.nodes.forEach((n, i) => {
    if (n.capacity <= 0 || n.capacity % 4096 !== 0) err(['machine', 'nodes', i, 'capacity'], `expected a positive multiple of 4 KiB; found ${n.capacity}`);
    if (n.reserved > n.capacity) err(['machine', 'nodes', i, 'reserved'], `expected at most the node's capacity (${n.capacity}); found ${n.reserved}`);
    if (n.reserved % 4096 !== 0) err(['machine', 'nodes', i, 'reserved'], `expected a multiple of 4 KiB; found ${n.reserved}`);
  });
  // Whether the workload fits is asked only of nodes that are right themselves (no knock-on error).
  const nodesRight = c.errors.length === errorsBefore;
  if (s.machine.base % (2 * 1024 * 1024) !== 0) err(['machine', 'base'], `expected a multiple of 2 MiB; found ${s.machine.base}`);
  if (s.machine.holeBetweenNodes % (2 * 1024 * 1024) !== 0) err(['machine', 'hole'], `expected a multiple of 2 MiB; found ${s.machine.holeBetweenNodes}`);

  // --- the workload ---
  // Whether every area's size and node list are right: only then is the fit worth judging.
  let areasRight = true;
  const free = s.machine.nodes.reduce((a, n) => a + n.capacity - n.reserved, 0);
  // The hotset form's one area is the `workload` mapping itself, with its own key names.
  const hotset = s.workload.hotsetForm === true;
  let total = 0;
  s.workload.processes.forEach((p, pi) => {
    p.areas.forEach((a, ai) => {
      const ap: PathSeg[] = hotset ? ['workload'] : ['workload', 'processes', pi, 'areas', ai];
      const key = (k: string, hotsetKey: string): PathSeg[] => (hotset ? [...ap, hotsetKey] : [...ap, ...k.split('.')]);
      total += a.bytes;
      const bytesRight = a.bytes > 0 && a.bytes % 4096 === 0;
      if (!bytesRight) err(key('bytes', 'rss'), `expected a positive multiple of 4 KiB; found ${a.bytes}`);
      if (a.nodes.length === 0) err(key('nodes', 'nodes'), 'expected at least one node id (first touch tries them in order); found an empty list');
      areasRight &&= bytesRight && a.nodes.length > 0;
      a.nodes.forEach((n, i) => {
        if (n >= s.machine.nodes.length) err([...key('nodes', 'nodes'), i], `expected a node id below ${s.machine.nodes.length}; found ${n}`);
        else if (a.nodes.indexOf(n) < i) warn([...key('nodes', 'nodes'), i], `node ${n} is listed before: first touch tries each node once, so this changes nothing (another node meant?)`);
      });
      // Legal, but most likely not meant: nothing for DAMON to find.
      if (a.accessRate === 0) warn(key('access_rate', 'access_rate'), `no accesses at all: DAMON finds every region idle (nr_accesses 0), so no scheme for hot memory applies and every age only grows`);
      const h = a.hot;
      // The hot set is measured against the area's size only once that is right (no knock-on error).
      if (!h || !bytesRight) return;
      if (h.bytes === 0 && a.accessRate > 0)
        warn(key('hot.bytes', 'hot_set'), `a hot set of 0 bytes: the accesses spread evenly over ${hotset ? 'the rss' : 'the area'}, so there is no hot memory to tier${hotset ? ' (hot_share has nothing to go to)' : ''}`);
      // Rates are per 4 KiB page: the hot set is whole pages, where it starts too.
      if (h.bytes % 4096 !== 0) err(key('hot.bytes', 'hot_set'), `expected a multiple of 4 KiB; found ${h.bytes}`);
      if (h.offset % 4096 !== 0) err(key('hot.offset', 'hot_offset'), `expected a multiple of 4 KiB; found ${h.offset}`);
      // The key to change: the hot set itself when it cannot fit anywhere, else where it starts.
      // A "hot" set that draws a smaller share of the accesses than of the memory is colder than
      // the rest: most likely a fraction written where the key takes bp (0.999 is 0.999 bp).
      if (h.bytes > 0 && h.bytes < a.bytes && h.share < h.bytes / a.bytes)
        warn(key('hot.share', 'hot_share'), `the hot set gets ${fmtShare(h.share)} of the accesses but holds ${fmtShare(h.bytes / a.bytes)} of the memory, so it is colder than the rest (a number without "%" is bp: 10000 is all of them; "99.9 %" is written so)`);
      // The memory the hot set lies in, as the file names it.
      const within = `${hotset ? 'the rss,' : "the area's"} ${sizeText(a.bytes)}`;
      const offsetName = hotset ? 'hot_offset + hot_set' : 'offset + hot bytes';
      if (h.bytes > a.bytes) err(key('hot.bytes', 'hot_set'), `expected at most ${within}; found ${sizeText(h.bytes)}`);
      else if (h.offset + h.bytes > a.bytes) err(key('hot.offset', 'hot_offset'), `expected ${offsetName} <= ${within}; found ${h.offset} + ${h.bytes} = ${sizeText(h.offset + h.bytes)}`);
      h.moves.forEach((m, i) => {
        const mp = hotMovePath(s.workload, pi, ai, i);
        const op: PathSeg[] = [...mp, hotset ? 'hot_offset' : 'offset'];
        if (m.offset % 4096 !== 0) err(op, `expected a multiple of 4 KiB; found ${m.offset}`);
        if (h.bytes <= a.bytes && m.offset + h.bytes > a.bytes) err(op, `expected ${offsetName} <= ${within}; found ${m.offset} + ${h.bytes} = ${sizeText(m.offset + h.bytes)}`);
        if (m.at <= 0) err([...mp, 'at'], `expected ${HOT_MOVE_TIME_EXPECTED}; found ${m.at / 1e9} s`);
        else if (i > 0 && m.at <= h.moves[i - 1].at) err([...mp, 'at'], `expected moves in time order, after the previous one at ${h.moves[i - 1].at / 1e9} s; found ${m.at / 1e9} s`);
      });
    });
  });
  // Wrong nodes, sizes or node lists are said where they are; the fit is judged once they are right.
  if (nodesRight && areasRight) {
    if (total > free) err(hotset ? ['workload', 'rss'] : ['workload'], `expected at most the machine's free memory, ${sizeText(free)}; found ${sizeText(total)} resident`);
    else firstTouchFit(s, err);
  }
  // As --duration: shorter than a millisecond is not one sampling interval.
  if (s.duration < 1e6) err(['duration'], `expected ${DURATION_EXPECTED}; found ${s.duration / 1e9} s`);
}

/** A byte count as a reader takes it in, and exactly: "16.000 GiB (17179869184 bytes)". */
/** A physical byte range, its bounds in bytes and, where whole, in a unit (as a scenario would write them). */
function rangeText(start: number, end: number): string {
  const unit = (x: number) => {
    const u = [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const;
    const hit = u.find(([, n]) => x >= n && x % n === 0);
    return hit ? ` (${x / hit[1]} ${hit[0]})` : '';
  };
  return `[${start}${unit(start)}, ${end}${unit(end)})`;
}

function sizeText(bytes: number): string {
  return bytes > 1024 ? `${formatBytes(bytes)} (${bytes} bytes)` : `${bytes} bytes`;
}

/**
 * First touch as the machine does it: areas in order, each on its preferred nodes in turn, above
 * each node's watermark. What does not fit would fail the run at start-up.
 */
function firstTouchFit(s: Pick<Scenario, 'machine' | 'workload'>, err: (path: PathSeg[], message: string) => void): void {
  const hotset = s.workload.hotsetForm === true;
  const room = s.machine.nodes.map((n) => Math.max(0, n.capacity - n.reserved - n.watermark));
  s.workload.processes.forEach((p, pi) =>
    p.areas.forEach((a, ai) => {
      // A node id past the machine is reported above; whether the rest fits would only echo it.
      if (a.nodes.some((nid) => nid >= room.length)) return;
      let left = a.bytes;
      for (const nid of a.nodes) {
        const take = Math.min(left, room[nid]);
        room[nid] -= take;
        left -= take;
      }
      if (left > 0)
        err(hotset ? ['workload', 'rss'] : ['workload', 'processes', pi, 'areas', ai, 'bytes'], `expected memory that fits on nodes ${a.nodes.join(', ')} above their watermarks; found ${sizeText(left)} of ${sizeText(a.bytes)} without room`);
    }),
  );
}

/** A share in [0, 1] as a percentage, to as many digits as it needs to be told from 0. */
function fmtShare(x: number): string {
  const pct = x * 100;
  return `${pct >= 1 || pct === 0 ? Number(pct.toFixed(2)) : Number(pct.toPrecision(2))} %`;
}

/** Where a hot-set move is written in the file: `workload.moves[i]` in the hotset form, under its area otherwise. */
export function hotMovePath(w: Pick<WorkloadParams, 'hotsetForm'>, pi: number, ai: number, i: number): PathSeg[] {
  return w.hotsetForm === true ? ['workload', 'moves', i] : ['workload', 'processes', pi, 'areas', ai, 'hot', 'moves', i];
}

/** What a scenario gives the DAMON checks: its kernel profile, its nodes and its memcgs. */
export function damonCheckEnv(s: Pick<Scenario, 'kernel' | 'machine' | 'workload'>): DamonCheckEnv {
  return {
    profile: resolveProfile(s.kernel),
    nrNodes: s.machine.nodes.length,
    memory: nodeRanges(s.machine),
    memcgs: new Set(['/', ...s.workload.processes.map((p) => p.memcg)]),
    nodeMemBp: nodeMemBpBounds(s),
    hotSet: { bytes: hotSetBytes(s.workload), room: nodeRoom(s.machine) },
  };
}

/** What each node can hold of the workload: its capacity less its reserved memory. */
function nodeRoom(m: Scenario['machine']): number[] {
  return m.nodes.map((n) => Math.max(0, n.capacity - n.reserved));
}

/**
 * A node_mem_*_bp or node_eligible_mem_bp target the node cannot reach (unreachableNodeMemTarget(),
 * unreachableEligibleTarget()): the one check of a goal's node bound, for the scenario's goals and
 * for the goal patches of events.
 */
export function unreachableNodeTarget(metric: string, target: bigint, nid: number, env: Pick<DamonCheckEnv, 'nodeMemBp' | 'hotSet'>, pattern: Pick<DamosAccessPattern, 'minNrAccesses'>): string | undefined {
  return unreachableNodeMemTarget(metric, target, nid, env.nodeMemBp) ?? unreachableEligibleTarget(metric, target, nid, env.hotSet, pattern);
}

/**
 * A node_eligible_mem_bp target that asks a node for more of the workload's hot set than the node
 * can hold: for a scheme whose pattern wants accessed memory the metric's share is of the memory
 * DAMON finds hot, which for a hotset workload is about its hot set, so the goal is most likely
 * never met (an operator's 256 GiB DRAM asked for 60 % of a 500 GiB hot set), and its tuner never
 * eases off. A pattern that takes idle memory (a cold scheme's) shares out other memory: not judged.
 */
function unreachableEligibleTarget(metric: string, target: bigint, nid: number, hotSet: DamonCheckEnv['hotSet'], pattern: Pick<DamosAccessPattern, 'minNrAccesses'>): string | undefined {
  if (metric !== 'node_eligible_mem_bp' || pattern.minNrAccesses === 0 || !hotSet || hotSet.bytes === 0 || nid < 0 || nid >= hotSet.room.length || target > 10000n) return undefined;
  const need = (Number(target) * hotSet.bytes) / 10000;
  const room = hotSet.room[nid];
  if (need <= room) return undefined;
  return `node ${nid} can hold at most ${formatBytes(room)} of the workload (its capacity less its reserved memory), less than ${target} bp of the workload's hot set of ${formatBytes(hotSet.bytes)} (${formatBytes(need)}): the goal is most likely never met (the metric's share is of the memory DAMON finds hot, about the hot set), and its tuner never eases off`;
}

/**
 * The highest node_mem_used_bp and node_mem_free_bp each node can ever read: a node's used memory
 * is its reserved memory plus the workload's pages on it, which are at most all of them (as much
 * as the node holds) and at least what the other nodes cannot hold of the memory that cannot
 * leave the machine (anonymous memory without swap; page cache can always be dropped). Computed
 * as the metric is (damos.md §5.1: pages, mult_frac), so a target above the bound is unreachable.
 */
function nodeMemBpBounds(s: Pick<Scenario, 'machine' | 'workload'>): Array<{ used: number; free: number }> {
  const areas = s.workload.processes.flatMap((p) => p.areas);
  const rss = areas.reduce((a, x) => a + x.bytes, 0);
  const pinned = (s.machine.swap ?? 0) > 0 ? 0 : areas.reduce((a, x) => a + (x.anon ? x.bytes : 0), 0);
  const room = nodeRoom(s.machine);
  const allRoom = room.reduce((a, b) => a + b, 0);
  return s.machine.nodes.map((n, i) => {
    const pages = Math.floor(n.capacity / 4096);
    const bp = (bytes: number) => (pages === 0 ? 0 : multFrac(Math.floor(bytes / 4096), 10000, pages));
    const mostUsed = Math.min(n.capacity, n.reserved + Math.min(room[i], rss));
    const leastUsed = Math.min(n.capacity, n.reserved + Math.max(0, pinned - (allRoom - room[i])));
    return { used: bp(mostUsed), free: bp(n.capacity - leastUsed) };
  });
}

/**
 * A node_mem_used_bp or node_mem_free_bp target above what the node can ever read (its bound from
 * the machine and the workload's size): the goal is never met, and its tuner never eases off.
 */
export function unreachableNodeMemTarget(metric: string, target: bigint, nid: number, bounds: DamonCheckEnv['nodeMemBp']): string | undefined {
  if ((metric !== 'node_mem_used_bp' && metric !== 'node_mem_free_bp') || !bounds || nid < 0 || nid >= bounds.length) return undefined;
  const used = metric === 'node_mem_used_bp';
  const most = used ? bounds[nid].used : bounds[nid].free;
  if (target <= BigInt(most) || target > 10000n) return undefined; // above 10000 has its own warning
  const why = used
    ? 'its reserved memory plus, at most, all of the workload it can hold'
    : "it always holds its reserved memory and what the other nodes cannot hold of the workload's anonymous memory, which cannot leave the machine without swap";
  return `node ${nid} can read at most ${most} bp ${used ? 'used' : 'free'} (${why}); found a target of ${target}: the goal can never be met and the tuner never eases off`;
}

/** The physical bytes regions (core addresses × au) cover, as sorted, merged ranges; empty ones cover none. */
function regionBytes(regions: ReadonlyArray<{ start: number; end: number }>, au: number): ByteRange[] {
  return unionRanges(regions.filter((r) => r.start < r.end).map((r) => ({ start: r.start * au, end: r.end * au })));
}

/**
 * A node_eligible_mem_bp goal whose node none of its paddr context's regions covers: the metric
 * counts monitored memory only, so it reads 0 (an operator's regions left at old capacities).
 * Regions that miss every node have their own warning.
 */
export function unmonitoredGoalNode(metric: string, nid: number | null, ctx: Pick<ContextParams, 'ops' | 'targets' | 'addrUnit'>, memory: DamonCheckEnv['memory']): string | undefined {
  const node = metric !== 'node_eligible_mem_bp' || nid === null || ctx.ops !== 'paddr' ? undefined : memory?.[nid];
  if (!node) return undefined;
  const covered = regionBytes(ctx.targets.flatMap((t) => t.regions), ctx.addrUnit);
  const covers = (m: ByteRange) => covered.some((r) => r.start < m.end && m.start < r.end);
  if (covers(node) || !memory!.some(covers)) return undefined;
  return `the context's regions cover none of node ${nid} ${rangeText(node.start, node.end)}: the metric counts monitored memory only, so it reads 0 whatever the node holds (regions are absolute addresses: ones naming a node's range must change with the capacities and the hole${ctx.addrUnit !== 1 ? '; they are core addresses: bytes / addr_unit' : ''})`;
}

/** A scheme's key in DamonCheckEnv.committedLater. */
export function schemeKeyOf(kdamond: number, ctx: number, scheme: number): string {
  return `${kdamond}/${ctx}/${scheme}`;
}

/** What the DAMON part is checked against: unknown pieces are not checked. */
export interface DamonCheckEnv {
  profile?: KernelProfile;
  /** Nodes of the machine (target and goal nids are checked against it). */
  nrNodes?: number;
  /**
   * Schemes (keys `kdamond/ctx/scheme`, schemeKeyOf()) whose memory to act on a later commit event
   * changes (events.ts schemesCommitsMove()): what they cannot do yet may change.
   */
  committedLater?: ReadonlySet<string>;
  /** The machine's physical memory ranges, in bytes (regions and addr filters are checked against them). */
  memory?: ReadonlyArray<{ start: number; end: number }>;
  /** cgroup paths that exist (memcg filters and goals must name one). */
  memcgs?: ReadonlySet<string>;
  /** Per node, the highest node_mem_used_bp and node_mem_free_bp it can read (goals above them are warned about). */
  nodeMemBp?: ReadonlyArray<{ used: number; free: number }>;
  /**
   * The workload's hot set (bytes, every area's) and what each node can hold of the workload (its
   * capacity less its reserved memory): node_eligible_mem_bp targets it cannot reach are warned about.
   */
  hotSet?: { bytes: number; room: readonly number[] };
  /**
   * Where what damon-sim cannot run but a kernel takes (a vaddr context) goes, apart from what the
   * kernel refuses (an import of a real machine's tree says the two differently); c.errors if unset.
   */
  simLimits?: ConfigIssue[];
  /** The kdamonds come through a module's own commit, not the sysfs interface: its checks (one paddr target) do not apply. */
  viaModule?: boolean;
}

/** A share in bp cannot pass 10000: a target above it is never met, and its tuner never eases off. */
export function unreachableBpTarget(metric: string, target: bigint): string | undefined {
  if (!metric.endsWith('_bp') || target <= 10000n) return undefined;
  return `${metric} is a share of at most 10000 bp (100 %); found a target of ${target}: the goal can never be met and the tuner never eases off`;
}

/** What a node metric goal naming a node the machine lacks does, or undefined if it names one (or measures no node). */
export function missingNodeOfGoal(metric: string, nid: number, nrNodes: number | undefined): string | undefined {
  if (!measuresNode(metric) || (nid >= 0 && (nrNodes === undefined || nid < nrNodes))) return undefined;
  // Without a machine (damo options alone) only a negative id is known not to exist.
  return `node ${nid} does not exist (${nrNodes === undefined ? 'node ids start at 0' : `the machine has ${nrNodes}`}): the metric reads ${metric.endsWith('free_bp') ? '10000' : '0'}`;
}

/** A scheme's filter's JSON path: where the config gave it (core_filters, ops_filters), else filters[i] of the installed list. */
function filterPath(schemePath: readonly PathSeg[], f: FilterParams, fi: number): PathSeg[] {
  return f.source ? [...schemePath, f.source.key, f.source.index] : [...schemePath, 'filters', fi];
}

/**
 * The DAMON part's checks: what damon_commit_ctx and damon_set_attrs refuse (errors) and what the
 * kernel silently ignores (warnings). Paths start at `kdamondsPath`, the list's own path.
 */
export function validateKdamonds(kdamonds: readonly KdamondParams[], c: Collector, env: DamonCheckEnv, kdamondsPath: readonly PathSeg[] = ['damon', 'kdamonds']): void {
  const err = (path: PathSeg[], message: string) => c.errors.push({ path: formatPath(path), message });
  const warn = (path: PathSeg[], message: string) => c.warnings.push({ path: formatPath(path), message });
  const simLimit = (path: PathSeg[], message: string) => (env.simLimits ?? c.errors).push({ path: formatPath(path), message });
  const { profile, memcgs } = env;
  // The kernel takes any range; one that misses every node monitors (or filters) nothing, most
  // likely bytes given where core addresses (bytes / addr_unit) were meant.
  const physicalRange = (r: { start: number; end: number }, au: number) =>
    au === 1 ? rangeText(r.start, r.end) : `core addresses [${r.start}, ${r.end}) × addr_unit ${au} = physical ${rangeText(r.start * au, r.end * au)}`;
  const physical = (what: string, r: { start: number; end: number }, au: number) => `this ${what} is ${physicalRange(r, au)}`;
  const holdsNoMemory = (r: { start: number; end: number }, au: number) => env.memory !== undefined && !env.memory.some((m) => m.start < r.end * au && r.start * au < m.end);
  const outsideMemory = (path: PathSeg[], what: string, r: { start: number; end: number }, au: number, effect: string) => {
    if (!env.memory || !holdsNoMemory(r, au)) return;
    warn(path, `${physical(what, r, au)}, which holds no memory of the machine (its nodes span ${env.memory.map((m) => rangeText(m.start, m.end)).join(', ')}): ${effect}${au !== 1 ? ' (regions and addr filters are core addresses: bytes / addr_unit)' : ''}`);
  };
  // A region reaching past the first node's start or the last node's end (not across a hole
  // between nodes, which whole-machine ranges cover) monitors memory that is not there.
  const span = env.memory && env.memory.length > 0 ? { lo: Math.min(...env.memory.map((m) => m.start)), hi: Math.max(...env.memory.map((m) => m.end)) } : undefined;
  const pastMemory = (path: PathSeg[], r: { start: number; end: number }, au: number) => {
    const a = r.start * au;
    const b = r.end * au;
    if (!span) return;
    const { lo, hi } = span;
    if (!(a < hi && lo < b) || (lo <= a && b <= hi)) return; // wholly outside (outsideMemory()) or inside
    const both = a < lo && b > hi;
    warn(path, `${physical('region', r, au)}, which reaches past the machine's memory ${rangeText(lo, hi)}: the ${both ? 'parts' : 'part'} outside hold${both ? '' : 's'} no memory, so DAMON finds no access there (the kernel takes such a region)`);
  };
  // A paddr target's regions most often cover whole nodes (damo's --numa_node, the tiering
  // setups): ones that cover a node only in part were most likely written for other capacities or
  // another layout (a hole added), and leave the rest of it unmonitored (the kernel takes them).
  const partOfNode = (path: PathSeg[], regions: ReadonlyArray<{ start: number; end: number }>, au: number) => {
    const covered = regionBytes(regions, au);
    if (covered.length === 0) return;
    (env.memory ?? []).forEach((m, nid) => {
      const missed = subtractRanges(m, covered);
      // All of the node monitored, or none of it (another node's regions): nothing to say.
      if (missed.length === 0 || (missed.length === 1 && missed[0].start === m.start && missed[0].end === m.end)) return;
      warn(path, `the regions cover only part of node ${nid} ${rangeText(m.start, m.end)}: ${missed.map((r) => rangeText(r.start, r.end)).join(', ')} of it is not monitored (regions are absolute addresses: ones naming a node's range must change with the capacities and the hole${au !== 1 ? '; they are core addresses: bytes / addr_unit' : ''})`);
    });
  };
  // An addr filter is most often one node's range (the tiering schemes'): one whose bound falls
  // inside a node was most likely written for other capacities, and leaves part of that node to
  // the other side of the filter (the kernel takes any range). Its bounds as damos_filter_match()
  // uses them: aligned down to min_region_sz.
  const cutsNode = (path: PathSeg[], r: { start: number; end: number }, au: number, msz: number) => {
    const a = alignDown(r.start, msz) * au;
    const b = alignDown(r.end, msz) * au;
    const cut = (env.memory ?? []).map((m, nid) => ({ ...m, nid })).filter((m) => (m.start < a && a < m.end) || (m.start < b && b < m.end));
    if (cut.length === 0) return;
    const nodes = cut.map((m) => `node ${m.nid} ${rangeText(m.start, m.end)}`).join(' and of ');
    warn(path, `${physical('addr filter', r, au)}, which covers only part of ${nodes}: a bound inside a node leaves the rest of it to the filter's other side (addr filters are absolute addresses: one naming a node's range must change with the capacities${au !== 1 ? '; they are core addresses: bytes / addr_unit' : ''})`);
  };
  // A paddr migrate scheme whose core filters let through no memory, or only its own target node's,
  // has nothing to move (the tiering pair's filters swapped: each must name the other node).
  // Computed by the kernel's rules (coreFilterPassing); ops filters only narrow it further. Target
  // filters match by target, not by address: what they let through is worked out per target.
  // Then, what they let through off the target node must lie in the regions of a target it is let
  // through for (a paddr target without regions monitors the biggest node only: the first of two
  // equal ones).
  // A commit event may change the kdamond later: then it is so only until then.
  const nothingToMigrate = (sp: PathSeg[], ctx: ContextParams, sc: SchemeParams, msz: number, later: boolean) => {
    const au = ctx.addrUnit;
    const until = later ? ' until a commit event changes it' : '';
    const memory = env.memory;
    const node = memory?.[sc.targetNid];
    if (!memory || !node) return;
    const core = sc.filters.map((f, fi) => ({ f, fi })).filter(({ f }) => isCoreFilter(f.type));
    // What the filters let through, for each target's regions, and for any of them.
    let passingFor: ReadonlyArray<readonly ByteRange[]> = ctx.targets.map(() => memory);
    let passing: readonly ByteRange[] = memory;
    if (core.length > 0) {
      const specs = core.map(({ f }) => ({ type: f.type, matching: f.matching, allow: f.allow, addrStart: f.addrRange?.start ?? 0, addrEnd: f.addrRange?.end ?? 0, targetIdx: f.targetIdx ?? 0 }));
      const per = ctx.targets.map((_t, ti) => coreFilterPassing(specs, core.length < sc.filters.length, msz, au, memory, ti));
      if (per.length === 0 || per.some((p) => p === undefined)) return;
      passingFor = per as ByteRange[][]; // none undefined (above)
      passing = unionRanges(passingFor.flat());
      if (filtersMoveNothing(sp, sc, au, core, passing, node, until)) return;
    }
    const regions = ctx.targets.flatMap((t) => t.regions).filter((r) => r.start < r.end);
    // Regions over no memory have their own warning (outsideMemory()).
    if (regions.length === 0 || regions.every((r) => holdsNoMemory(r, au))) return;
    const merged = regionBytes(regions, au);
    const others = memory.filter((_m, nid) => nid !== sc.targetNid);
    const offNode = intersectRanges(passing, others);
    if (offNode.length === 0) return;
    if (ctx.targets.some((t, ti) => intersectRanges(intersectRanges(passingFor[ti], others), regionBytes(t.regions, au)).length > 0)) return;
    if (intersectRanges(offNode, merged).length > 0) {
      // Among several targets: what the filters let through off the node lies in regions of targets
      // it is not let through for.
      warn(sp, `expected a target's regions to monitor memory off node ${sc.targetNid} that this ${sc.action} scheme's filters let through for that target; found none (the target filters let through memory off the node only for targets whose regions lie elsewhere): it migrates nothing${until}`);
      return;
    }
    // The biggest node alone is what a paddr target without regions monitors (load.ts, and damo
    // without --regions): most likely how it came about.
    const big = memory.reduce((b, m) => (m.end - m.start > b.end - b.start ? m : b)); // the first on ties, as biggestNodeRange()
    const biggest = merged.length === 1 && merged[0].start === big.start && merged[0].end === big.end;
    const shown = merged.map((r) => rangeText(r.start, r.end)).join(', ');
    const movable = core.length > 0 ? ` that this ${sc.action} scheme's filters let through` : `, where this ${sc.action} scheme (no filters) could migrate from`;
    warn(sp, `expected the context's regions to monitor memory off node ${sc.targetNid}${movable} (${offNode.map((r) => rangeText(r.start, r.end)).join(', ')}); found regions over ${au !== 1 ? 'physical ' : ''}${shown} only${biggest ? " (the biggest node: what a paddr target given no regions monitors, as damo does; give every node's range: regions, or damo's --regions / --numa_node)" : ''}: it migrates nothing${until}`);
  };
  // The filter half of nothingToMigrate(): true if it warned (or a warning elsewhere says it).
  const filtersMoveNothing = (sp: PathSeg[], sc: SchemeParams, au: number, core: Array<{ f: FilterParams; fi: number }>, passing: readonly ByteRange[], node: { start: number; end: number }, until: string): boolean => {
    const memory = env.memory ?? [];
    const hasOps = core.length < sc.filters.length;
    const one = core.length === 1 && core[0].f.type === 'addr' ? core[0] : undefined;
    // A sole filter over no memory that lets nothing through has its own warning at the same
    // path (outsideMemory()); one that lets everything through leaves the question to the regions.
    if (one?.f.addrRange && one.f.addrRange.start < one.f.addrRange.end && holdsNoMemory(one.f.addrRange, au)) return passing.length === 0;
    const last = core[core.length - 1].f;
    const nodes = `its nodes span ${memory.map((m) => rangeText(m.start, m.end)).join(', ')}`;
    const passText = `${au !== 1 ? 'physical ' : ''}${passing.map((r) => rangeText(r.start, r.end)).join(', ')}`;
    const onNode = passing.length > 0 && passing.every((r) => node.start <= r.start && r.end <= node.end);
    const offNode = `expected filters that let through memory off node ${sc.targetNid}, where ${sc.action} migrates to`;
    const someMemory = `expected filters that let through some of the machine's memory (${nodes})`;
    const hint = sc.action === 'migrate_hot' ? " (a PULL/PUSH pair filters each scheme to the other node's range)" : '';
    if (one) {
      const { f, fi } = one;
      const r = f.addrRange ?? { start: 0, end: 0 };
      const rest = hasOps ? 'leaves the rest to the ops filters' : f.allow ? 'rejects the rest (the last core filter allows)' : 'lets through the rest (the last core filter rejects)';
      const what = `the addr filter ${physicalRange(r, au)} (matching: ${f.matching}, allow: ${f.allow}): it ${f.allow ? 'lets through' : 'rejects'} what lies ${f.matching ? 'inside' : 'outside'} the range and ${rest}`;
      const fp = [...filterPath(sp, f, fi), 'address_range'];
      const same = passing.length === 1 && passing[0].start === r.start * au && passing[0].end === r.end * au;
      if (passing.length === 0) warn(fp, `${someMemory}; found ${what}, so it lets none of it through: ${sc.action} migrates nothing${until}`);
      else if (onNode) warn(fp, `${offNode}; found ${what}, so all it lets through${same ? '' : `, ${passText},`} is on node ${sc.targetNid} already: nothing is migrated${until}${hint}`);
      return passing.length === 0 || onNode;
    }
    // The list they were given in (core_filters, say), or the scheme when they came in several.
    const keys = new Set(core.map(({ f }) => f.source?.key ?? 'filters'));
    const path: PathSeg[] = keys.size === 1 ? [...sp, [...keys][0]] : sp;
    const rule = `the first that matches decides; what none matches is ${hasOps ? 'left to the ops filters' : last.allow ? 'rejected, as the last one allows' : 'let through, as the last one rejects'}`;
    const types = new Set(core.map(({ f }) => f.type));
    const found = `${core.length} ${types.size === 1 ? [...types][0] : 'addr and target'} filter${core.length === 1 ? '' : 's'}`;
    const let_ = core.length === 1 ? 'lets' : 'let';
    if (passing.length === 0) warn(path, `${someMemory}; found ${found} that ${let_} none of it through (${rule}): ${sc.action} migrates nothing${until}`);
    else if (onNode) warn(path, `${offNode}; found ${found} that ${let_} through only ${passText} (${rule}), all on node ${sc.targetNid} already: nothing is migrated${until}${hint}`);
    return passing.length === 0 || onNode;
  };
  const memcgList = memcgs ? [...memcgs].map((m) => `"${m}"`).join(', ') : '';
  // As the kernel looks a path up (sysfs_streq): `echo /db > memcg_path` names /db.
  const hasMemcg = (path: string) => memcgs !== undefined && namesMemcg(memcgs, path);
  kdamonds.forEach((k, ki) => {
    if (k.contexts.length > 1) err([...kdamondsPath, ki, 'contexts'], `expected at most one context per kdamond (sysfs nr_contexts is 0 or 1); found ${k.contexts.length}`);
    // A tree may hold one (nr_contexts 0 is a valid write), but it cannot run.
    if (k.contexts.length === 0) warn([...kdamondsPath, ki, 'contexts'], 'this kdamond has no context: the kernel refuses to turn it on (-EINVAL), so it does not run');
    k.contexts.forEach((ctx, ci) => {
      const cp: PathSeg[] = [...kdamondsPath, ki, 'contexts', ci];
      // node_eligible_mem_bp needs paddr: damon_commit_ctx returns -EINVAL otherwise (damos.md §5.2).
      ctx.schemes.forEach((sc, si) =>
        sc.quota.goals.forEach((g, gi) => {
          if (g.metric === 'node_eligible_mem_bp' && ctx.ops !== 'paddr')
            err([...cp, 'schemes', si, 'quotas', 'goals', gi, 'metric'], `node_eligible_mem_bp needs ops "paddr" (the kernel's damon_commit_ctx returns -EINVAL); found ops "${ctx.ops}"`);
          if (profile && !metricExists(g.metric, profile))
            err([...cp, 'schemes', si, 'quotas', 'goals', gi, 'metric'], `expected a metric kernel profile "${profile.name}" has; found ${g.metric} (${useProfile((p) => metricExists(g.metric, p))})`);
        }),
      );
      const paddr = ctx.ops === 'paddr';
      if (!paddr) {
        simLimit([...cp, 'ops'], `expected "paddr" (damon-sim simulates the physical address space operations set only); found ${JSON.stringify(ctx.ops)}`);
        // A config to run stops here (nothing below could run it); a tree read from a machine
        // (simLimits) still gets the kernel's commit checks, which do not depend on the ops.
        if (!env.simLimits) return;
      }
      if (ctx.pause && profile && !profile.ctxPause)
        err([...cp, 'pause'], `expected pause false: kernel profile "${profile.name}" has no pause file (${useProfile((p) => p.ctxPause)}); found true`);
      const msz = minRegionSzFor(ctx.addrUnit, ctx.ops);
      if (!isPow2(msz)) err([...cp, 'addr_unit'], `expected an addr_unit giving a power-of-two min_region_sz (4096 / addr_unit); found addr_unit ${ctx.addrUnit} (min_region_sz ${msz}; damon_commit_ctx returns -EINVAL)`);
      const ae = attrsError({ ...ctx.attrs, aggrSamples: 0 });
      if (ae) err([...cp, /nr_regions/.test(ae) ? 'nr_regions' : 'intervals'], `expected attributes damon_set_attrs accepts; found ${ae}`);
      if (!env.viaModule && sysfsTargetsRefusal(ctx.ops, ctx.targets.length))
        err([...cp, 'targets'], `expected one target for ops "paddr" (damon_sysfs_add_targets() refuses more with -EINVAL: there is one physical address space; give its ranges as one target's regions); found ${ctx.targets.length}`);
      ctx.targets.forEach((t, ti) => {
        let prevEnd = -1;
        let prevAligned: [number, number] | undefined;
        t.regions.forEach((r, ri) => {
          const rp: PathSeg[] = [...cp, 'targets', ti, 'regions', ri];
          // The kernel refuses start > end only (damon_sysfs_set_regions); an empty region it takes.
          if (r.start > r.end) err(rp, `expected start < end; found [${r.start}, ${r.end})`);
          else if (r.start === r.end) simLimit(rp, `expected start < end (damon-sim does not simulate an empty region, which the kernel takes); found [${r.start}, ${r.end})`);
          if (r.start < prevEnd) err(rp, `expected regions sorted by address and not overlapping; found start ${r.start} below the previous end ${prevEnd}`);
          else if (r.start < r.end && isPow2(msz)) {
            // damon_set_regions() widens each range to min_region_sz but tests intersections on the
            // ranges as given (damon-monitoring.md §3.1): unaligned neighbours become overlapping regions.
            const aligned: [number, number] = [alignDown(r.start, msz), alignUp(r.end, msz)];
            if (prevAligned && aligned[0] < prevAligned[1])
              warn(rp, `region [${r.start}, ${r.end}) widens to [${aligned[0]}, ${aligned[1]}) at min_region_sz ${msz}, overlapping the region before it, which widens to [${prevAligned[0]}, ${prevAligned[1]}): the kernel keeps both, and samples that memory in each (page-aligned regions avoid it)`);
            prevAligned = aligned;
          }
          prevEnd = Math.max(prevEnd, r.end);
          if (r.start < r.end) {
            outsideMemory(rp, 'region', r, ctx.addrUnit, 'nothing there is monitored');
            pastMemory(rp, r, ctx.addrUnit);
          }
        });
        if (paddr) partOfNode([...cp, 'targets', ti, 'regions'], t.regions, ctx.addrUnit);
      });
      ctx.schemes.forEach((sc, si) => {
        const sp: PathSeg[] = [...cp, 'schemes', si];
        if (sc.action === 'collapse' && profile && !profile.collapseAction)
          err([...sp, 'action'], `expected an action kernel profile "${profile.name}" has (collapse: ${useProfile((p) => p.collapseAction)}); found "collapse" (the kernel refuses the name: -EINVAL)`);
        else if (paddr && !PADDR_ACTIONS.has(sc.action)) warn([...sp, 'action'], `paddr does not support ${sc.action}: it applies nothing (regions are still tried and aged)`);
        // Without a machine (damo options alone) only a negative id is known not to exist, as for a goal's nid.
        if ((sc.action === 'migrate_hot' || sc.action === 'migrate_cold') && (sc.targetNid < 0 || (env.nrNodes !== undefined && sc.targetNid >= env.nrNodes)))
          warn([...sp, 'target_nid'], `expected ${env.nrNodes === undefined ? 'a node id (0 or more)' : `a node id from 0 to ${env.nrNodes - 1}`} for ${sc.action}; found ${sc.targetNid}: nothing is migrated${sc.dests.length > 0 ? ' (paddr migrates to target_nid only, not to dests)' : ''}`);
        // The ratio is the failed-charge series' (damos.md §4.3): a profile without it charges
        // failed bytes whole, whatever the files say.
        if (profile && !profile.failChargeRatio && (sc.quota.failChargeNum !== 0 || sc.quota.failChargeDenom !== 0))
          warn([...sp, 'quotas', 'fail_charge_num'], `kernel profile "${profile.name}" has no failed-charge ratio (switch failChargeRatio; ${useProfile((p) => p.failChargeRatio)}): fail_charge_num ${sc.quota.failChargeNum} / fail_charge_denom ${sc.quota.failChargeDenom} are ignored`);
        // esz never exceeds the size quota, and no region is smaller than min_region_sz: the scheme
        // applies nothing (a number without a unit is bytes, where "1280 MiB" was meant).
        if (sc.quota.sz > 0n && sc.quota.sz < BigInt(msz))
          warn([...sp, 'quotas', 'sz_bytes'], `a size quota of ${ctx.addrUnit !== 1 ? `${sc.quota.sz} core units (${sc.quota.sz * BigInt(ctx.addrUnit)} B at addr_unit ${ctx.addrUnit})` : `${sc.quota.sz} B`} is below min_region_sz (${msz}${ctx.addrUnit !== 1 ? ' core units' : ' B'}), the smallest region: the scheme applies nothing (a number without a unit is bytes${ctx.addrUnit !== 1 ? ' of the core address space' : ''}; 0 is no limit)`);
        if (sc.maxNrSnapshots !== 0 && profile && !profile.maxNrSnapshotsFile)
          err([...sp, 'max_nr_snapshots'], `expected 0: kernel profile "${profile.name}" has no max_nr_snapshots file (${useProfile((p) => p.maxNrSnapshotsFile)}); found ${sc.maxNrSnapshots}`);
        if (sc.quota.goalTuner === 'temporal' && profile && !profile.temporalTuner)
          err([...sp, 'quotas', 'goal_tuner'], `expected "consist": kernel profile "${profile.name}" has no TEMPORAL tuner (${useProfile((p) => p.temporalTuner)}); found "temporal"`);
        sc.quota.goals.forEach((g, gi) => {
          const gp: PathSeg[] = [...sp, 'quotas', 'goals', gi];
          const nidIssue = g.nid === null ? undefined : missingNodeOfGoal(g.metric, g.nid, env.nrNodes);
          if (nidIssue) warn([...gp, 'nid'], nidIssue);
          const bpIssue = unreachableBpTarget(g.metric, g.targetValue) ?? unreachableNodeTarget(g.metric, g.targetValue, g.nid ?? 0, env, sc.pattern);
          if (bpIssue) warn([...gp, 'target_value'], bpIssue);
          const unmonitored = unmonitoredGoalNode(g.metric, g.nid, ctx, env.memory);
          if (unmonitored) warn([...gp, 'nid'], unmonitored);
          if (measuresMemcg(g.metric)) {
            const noPath = g.memcgPath === null;
            const unknown = memcgs !== undefined && g.memcgPath !== null && !hasMemcg(g.memcgPath);
            // damos_sysfs_add_quota_score() skips a goal whose target_value is 0 before it looks the
            // path up: the kernel builds the scheme without it (the reader warned it is dropped).
            if ((noPath || unknown) && g.targetValue === 0n)
              warn([...gp, 'memcg_path'], `${noPath ? 'no cgroup path' : `${JSON.stringify(g.memcgPath)} names no cgroup (${memcgList})`}, which the kernel takes here: it leaves a goal with target_value 0 out before looking its path up (damos_sysfs_add_quota_score())`);
            else if (noPath) err([...gp, 'memcg_path'], `expected a cgroup path for ${g.metric}; found nothing`);
            else if (unknown) err([...gp, 'memcg_path'], `expected an existing cgroup (${memcgList}); found ${JSON.stringify(g.memcgPath)}`);
          }
        });
        if (paddr && (sc.action === 'migrate_hot' || sc.action === 'migrate_cold')) nothingToMigrate(sp, ctx, sc, msz, env.committedLater?.has(schemeKeyOf(ki, ci, si)) ?? false);
        sc.filters.forEach((f, fi) => {
          if (memcgs && f.type === 'memcg' && f.memcgPath !== null && !hasMemcg(f.memcgPath))
            err([...filterPath(sp, f, fi), 'memcg_path'], `expected an existing cgroup (${memcgList}); found ${JSON.stringify(f.memcgPath)}`);
          if (f.type === 'addr' && f.addrRange && f.addrRange.start < f.addrRange.end) {
            outsideMemory([...filterPath(sp, f, fi), 'address_range'], 'addr filter', f.addrRange, ctx.addrUnit, f.matching ? 'the filter matches no region' : 'the filter (matching: false) matches every region');
            cutsNode([...filterPath(sp, f, fi), 'address_range'], f.addrRange, ctx.addrUnit, msz);
          }
        });
      });
    });
  });
}
