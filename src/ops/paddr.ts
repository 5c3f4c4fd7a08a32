// SPDX-License-Identifier: GPL-2.0-only
/**
 * The physical address space operations set (paddr; damon-monitoring.md §8, damos.md §2.2) on the
 * simulated machine.
 *
 * Sampling. The kernel draws a random sampling address per region (damon_rand, 32-bit span), marks
 * that folio old, sleeps (damon/usleep.ts) and asks whether the folio became young. With Poisson
 * page accesses the answer is Bernoulli(p(addr)), so the region's result is Bernoulli of
 * the mean of p over the addresses damon_rand can reach. That mean comes from the machine's young
 * map and is cached per region until its bounds, the memory under it or the rates change. The
 * samples are independent, so the default "region" sampling mode draws a region's accesses per
 * block of samples and settles them when the core reads the regions (ops/sampler.ts). The "folio"
 * sampling mode draws the address, looks the folio up and keeps the kernel's last-folio cache
 * (shared by neighbouring regions whose samples land in one large folio), at O(log extents) per
 * region per sample. docs/model.md describes both.
 */
import { PAGE_SIZE, alignDown } from '../lib/kint.js';
import type { Prng } from '../lib/prng.js';
import { accessRateWindow, updateRegionAccessRate } from '../damon/access.js';
import type { DamonCtx } from '../damon/ctx.js';
import { nodeValid } from '../damon/mm.js';
import type { DamonRegion, DamonTarget } from '../damon/region.js';
import { newFilter, type Damos, type DamosFilter } from '../damos/scheme.js';
import { ExtKind, type Extent } from '../machine/extents.js';
import { LruMap, type WalkCount } from '../machine/lru-map.js';
import type { Machine } from '../machine/machine.js';
import type { YoungMap, YoungModel } from '../machine/young.js';
import type { ApplyResult, DamonOperations, EligibleSums } from './operations.js';
import { RegionSampler } from './sampler.js';
import { schemeScore } from './scores.js';

/** No fallback nodes (migrate_pages() to the target node only). */
const NO_NODES: readonly number[] = [];

export type SamplingMode = 'region' | 'folio';


/**
 * The kernel's function-static last-folio cache of __damon_pa_check_access: one per kernel,
 * shared by every paddr context (trap 10).
 */
export class PaddrCheckCache {
  lastAddr = 0;
  lastFolioSz = PAGE_SIZE;
  lastAccessed = false;
}

export interface PaddrDeps {
  machine: Machine;
  young: YoungModel;
  rng: Prng;
  mode: SamplingMode;
  cache: PaddrCheckCache;
}

export class PaddrOps implements DamonOperations {
  readonly id = 'paddr' as const;
  private readonly machine: Machine;
  private readonly young: YoungModel;
  private readonly rng: Prng;
  private readonly mode: SamplingMode;
  private readonly cache: PaddrCheckCache;
  private readonly sampler: RegionSampler;
  /** LRU runs for node_eligible_mem_bp's walk, made at its first use. */
  private lru: LruMap | null = null;
  private readonly walkCount: WalkCount = { bytes: 0, lookups: 0 };

  constructor(deps: PaddrDeps) {
    this.machine = deps.machine;
    this.young = deps.young;
    this.rng = deps.rng;
    this.mode = deps.mode;
    this.cache = deps.cache;
    this.sampler = new RegionSampler(deps.rng);
  }

  private youngMap(ctx: DamonCtx): YoungMap {
    return this.young.get(ctx.accessWindowNs || ctx.attrs.sampleInterval * 1000, ctx.clock.now);
  }

  prepareAccessChecks(ctx: DamonCtx): void {
    if (this.mode !== 'folio') return;
    for (const t of ctx.targets) {
      for (const r of t.regions) r.samplingAddr = this.rng.damonRand(r.start, r.end);
    }
  }

  checkAccesses(ctx: DamonCtx): number {
    const map = this.youngMap(ctx);
    const lenWindow = accessRateWindow(ctx.attrs);
    // The checks take kdamond time of their own, on top of the sampling interval's sleep.
    ctx.clock.now += ctx.nrRegions * this.machine.costs.sampleNsPerRegion;
    if (this.mode === 'region') {
      const sis = ctx.passedSampleIntervals;
      this.sampler.sample(ctx.targets, map, ctx.addrUnit, lenWindow, sis, Math.max(sis, ctx.nextAggregationSis));
      // The max is only read at aggregation boundaries, where the kdamond syncs first.
      return 0;
    }
    let maxNr = 0;
    for (const t of ctx.targets) {
      for (const r of t.regions) {
        this.checkFolio(ctx, r, map, lenWindow);
        if (r.nrAccesses > maxNr) maxNr = r.nrAccesses;
      }
    }
    return maxNr;
  }

  /** Regions sampled with a probability their bounds no longer give (RegionSampler.staleProbabilities(); tests). */
  staleProbabilities(ctx: DamonCtx): DamonRegion[] {
    return this.mode === 'region' ? this.sampler.staleProbabilities(ctx.targets) : [];
  }

  syncRegions(ctx: DamonCtx): number {
    if (this.mode === 'region') return this.sampler.sync(ctx.targets, accessRateWindow(ctx.attrs), ctx.passedSampleIntervals);
    let maxNr = 0;
    for (const t of ctx.targets) for (const r of t.regions) if (r.nrAccesses > maxNr) maxNr = r.nrAccesses;
    return maxNr;
  }

  /** __damon_pa_check_access with the shared last-folio cache (damon-monitoring.md §8.3). */
  private checkFolio(ctx: DamonCtx, r: DamonRegion, map: YoungMap, lenWindow: number): void {
    const c = this.cache;
    const pa = r.samplingAddr * ctx.addrUnit;
    if (alignDown(c.lastAddr, c.lastFolioSz) === alignDown(pa, c.lastFolioSz)) {
      updateRegionAccessRate(r, c.lastAccessed, lenWindow);
      return;
    }
    const e = this.machine.lruExtentAt(pa);
    if (!e) {
      c.lastAccessed = false; // damon_pa_young() fails without touching last_folio_sz
    } else {
      c.lastAccessed = this.rng.nextFloat() < map.probAt(pa);
      c.lastFolioSz = e.folioSize;
    }
    updateRegionAccessRate(r, c.lastAccessed, lenWindow);
    c.lastAddr = pa;
  }

  getSchemeScore(ctx: DamonCtx, r: DamonRegion, s: Damos): number {
    return schemeScore(ctx, r, s);
  }

  addEligibleBytes(ctx: DamonCtx, r: DamonRegion, sums: EligibleSums): void {
    const a = r.start * ctx.addrUnit;
    const b = r.end * ctx.addrUnit;
    // Page alignment from the low 32 bits (exact below 2^53): a floating-point remainder of
    // addresses past 4 GiB is a library call, and this runs for every region at every evaluation.
    if ((((a >>> 0) | (b >>> 0)) & (PAGE_SIZE - 1)) !== 0) {
      this.walkEligibleBytes(a, b, ctx, sums);
      return;
    }
    this.addLruBytes(a, b, sums);
  }

  /**
   * addEligibleBytes() for each region of `regions` that `matches` takes, in address order. Where
   * the sums come out the same, page-aligned regions side by side are walked as one range: with no
   * 2 MiB LRU folio in memory (whose folio a boundary inside it would count in both regions) the
   * bytes and lookups of a range are those of its parts added, and with a whole-ns cost per lookup
   * so is the simulated time (integers far below 2^53, whatever the order). The preset's matching
   * regions lie in a few long stretches: this takes a goal's walk from one LRU-map search per
   * region to one per stretch.
   */
  addEligibleRegions(ctx: DamonCtx, regions: readonly DamonRegion[], matches: (r: DamonRegion) => boolean, sums: EligibleSums): void {
    this.lru ??= new LruMap(this.machine);
    if (this.lru.hasLargeFolios() || !Number.isInteger(this.machine.costs.walkNsPerFolio)) {
      for (const r of regions) if (matches(r)) this.addEligibleBytes(ctx, r, sums);
      return;
    }
    const unit = ctx.addrUnit;
    // The stretch of adjacent page-aligned matching regions not walked yet: [from, to), bytes.
    let from = 0;
    let to = -1;
    for (const r of regions) {
      if (!matches(r)) continue;
      const a = r.start * unit;
      const b = r.end * unit;
      if ((((a >>> 0) | (b >>> 0)) & (PAGE_SIZE - 1)) !== 0) {
        this.walkEligibleBytes(a, b, ctx, sums);
        continue;
      }
      if (a === to) {
        to = b;
        continue;
      }
      if (to >= 0) this.addLruBytes(from, to, sums);
      from = a;
      to = b;
    }
    if (to >= 0) this.addLruBytes(from, to, sums);
  }

  /**
   * addEligibleBytes() over the page-aligned byte range [a, b): the same counts as the walk over
   * extents below, from the machine's LRU runs in O(log runs), where that walk visits every
   * extent. One difference: a 2 MiB folio whose extent is cut inside it (a young check or an LRU
   * move on part of it) is one lookup here, as in the kernel's walk, and one per piece in the
   * extent walk.
   */
  private addLruBytes(a: number, b: number, sums: EligibleSums): void {
    this.lru ??= new LruMap(this.machine);
    const w = this.walkCount;
    this.lru.walk(a, b, w);
    const { bytes, lookups } = w;
    if (bytes > 0) {
      for (const n of this.machine.nodes) {
        if (n.end <= a || n.start >= b) continue;
        let onNode = bytes;
        if (n.start > a || n.end < b) {
          this.lru.walk(Math.max(a, n.start), Math.min(b, n.end), w);
          onNode = w.bytes;
        }
        if (onNode > 0) sums.byNode[n.nid] = (sums.byNode[n.nid] ?? 0) + onNode;
      }
    }
    sums.total += bytes;
    sums.lookups += lookups;
    sums.costNs += lookups * this.machine.costs.walkNsPerFolio;
  }

  /** addEligibleBytes() by a walk over the extents in [a, b): any alignment. */
  private walkEligibleBytes(a: number, b: number, ctx: DamonCtx, sums: EligibleSums): void {
    const mem = this.machine.mem;
    const byNode = sums.byNode;
    const aligned = ctx.profile.eligibleWalkAligned;
    let total = 0;
    let lookups = 0;
    let addr = a;
    // Walk extents: an LRU folio counts with its exact overlap; elsewhere the walk steps one page
    // at a time (v8+: PAGE_ALIGN_DOWN(addr + PAGE_SIZE)), one lookup each. Regions come in address
    // order: the search for the first extent starts where the last region's walk stopped.
    let i = mem.lowerBoundFrom(a, sums.hint ?? 0);
    while (addr < b) {
      const e = i < mem.length ? mem.at(i) : undefined;
      if (!e || e.start >= b || addr < e.start) {
        const stop = Math.min(b, e ? e.start : b);
        const n = pageSteps(addr, stop, aligned);
        lookups += n;
        addr = stepPast(addr, n, aligned);
        continue;
      }
      const stop = Math.min(b, e.end);
      if (e.kind !== ExtKind.Lru) {
        const n = pageSteps(addr, stop, aligned);
        lookups += n;
        addr = stepPast(addr, n, aligned);
        i++;
        continue;
      }
      // Folios of e overlapping [addr, stop): all bytes count; the walk jumps folio by folio.
      const fsz = e.folioSize;
      const firstFolio = alignDown(addr, fsz);
      const lastFolioEnd = alignDown(stop - 1, fsz) + fsz;
      lookups += (lastFolioEnd - firstFolio) / fsz;
      const counted = stop - addr;
      total += counted;
      byNode[e.node] = (byNode[e.node] ?? 0) + counted;
      addr = stop;
      // A folio crossing the region end is clipped: the walk ends at b either way.
      i++;
    }
    // Physical bytes: the metric is their ratio. The cost is charged per region, as it was
    // when each region's walk returned its own.
    sums.total += total;
    sums.lookups += lookups;
    sums.hint = i > 0 ? i - 1 : 0;
    sums.costNs += lookups * this.machine.costs.walkNsPerFolio;
  }

  applyScheme(ctx: DamonCtx, _t: DamonTarget, r: DamonRegion, s: Damos): ApplyResult {
    switch (s.action) {
      case 'migrate_hot':
      case 'migrate_cold':
        return this.migrate(ctx, r, s);
      case 'pageout':
        return this.pageout(ctx, r, s);
      case 'lru_prio':
      case 'lru_deprio':
        return this.deActivate(ctx, r, s, s.action === 'lru_prio');
      case 'stat':
        return this.stat(ctx, r, s);
      default:
        // Actions paddr does not support apply nothing (damos.md §2.1).
        return { applied: 0, szOpsFilterPassed: 0, costNs: 0 };
    }
  }

  /**
   * Visit the folios a paddr action's walk would (damos.md §2.2), in runs of equal state.
   * `skipHead`: pageout and lru_(de)prio skip a folio that starts before the walk's address and
   * step to the folio's end; migrate and stat take it and step by the folio size.
   */
  private walkFolios(ctx: DamonCtx, r: DamonRegion, s: Damos, skipHead: boolean, visit: (e: Extent, folioStart: number, nFolios: number) => void): { lookups: number; last: number | null } {
    const a = r.start * ctx.addrUnit;
    const b = r.end * ctx.addrUnit;
    const mem = this.machine.mem;
    let addr = a;
    let lookups = 0;
    let last: number | null = null;
    while (addr < b) {
      // Addresses rise through a walk: the search starts from the last answer (a migration that
      // edited the list meanwhile only makes it search further).
      const i = mem.findNear(addr);
      const e = i >= 0 ? mem.at(i) : null;
      if (!e || e.kind !== ExtKind.Lru) {
        // No LRU folio: step one page at a time until something else starts.
        const stop = Math.min(b, e ? e.end : nextExtentStart(this.machine, addr, b));
        const n = Math.max(1, Math.ceil((stop - addr) / PAGE_SIZE));
        lookups += n;
        addr += n * PAGE_SIZE;
        last = null;
        continue;
      }
      const fsz = e.folioSize;
      const fs = alignDown(addr, fsz);
      if (s.lastApplied !== null && fs === s.lastApplied) {
        // The previous pass's last folio: skipped page by page (damon_pa_invalid_damos_folio).
        lookups++;
        addr += PAGE_SIZE;
        last = fs;
        continue;
      }
      if (skipHead && fs < addr) {
        lookups++;
        addr = fs + fsz;
        last = fs;
        continue;
      }
      // Steps of fsz from addr stay inside e while addr < e.end.
      const stop = Math.min(b, e.end);
      const n = Math.ceil((stop - addr) / fsz);
      visit(e, fs, n);
      lookups += n;
      addr += n * fsz;
      last = fs + (n - 1) * fsz;
    }
    return { lookups, last };
  }

  /**
   * `damos_pa_filter_out` over a run of n folios of extent e from folio fs (damos.md §6.3): hands
   * the accepted folio ranges to `accept`. Every folio of a run has the same state except youngness, which a young
   * filter checks (and clears) folio by folio.
   */
  private filterRun(ctx: DamonCtx, s: Damos, filters: readonly DamosFilter[], e: Extent, fs: number, n: number, accept: (a: number, b: number, folioSize: number) => void): void {
    const end = fs + n * e.folioSize;
    if (s.coreFiltersAllowed) {
      accept(fs, end, e.folioSize);
      return;
    }
    const evalFrom = (a: number, b: number, from: number, young: boolean | null): void => {
      for (let i = from; i < filters.length; i++) {
        const f = filters[i];
        if (f.type === 'young') {
          if (young === null) {
            // Checking clears the young state of every folio checked.
            const pieces = this.young.youngRuns(e, a, b, ctx.clock.now, this.rng);
            this.machine.markOld(a, b, ctx.clock.now);
            for (const p of pieces) evalFrom(p.start, p.end, i, p.young);
            return;
          }
          if (young === f.matching) {
            if (f.allow) accept(a, b, e.folioSize);
            return;
          }
          // A checked folio is old now: a later young filter sees it not young.
          young = false;
          continue;
        }
        if (folioMatch(f, e) === f.matching) {
          if (f.allow) accept(a, b, e.folioSize);
          return;
        }
      }
      if (!s.opsFiltersDefaultReject) accept(a, b, e.folioSize);
    };
    evalFrom(fs, end, 0, null);
  }

  /** The accepted folio ranges of a region (merged where contiguous), the size that passed the filters in core units, and the walk's lookups. */
  private acceptedFolios(ctx: DamonCtx, r: DamonRegion, s: Damos, skipHead: boolean, pageoutYoung: boolean): { ranges: Array<[number, number]>; passed: number; folios: number; lookups: number } {
    const ranges: Array<[number, number]> = [];
    let passed = 0;
    let folios = 0;
    const accept = (a: number, b: number, folioSize: number): void => {
      // In core units, truncated folio by folio: sz_filter_passed += folio_size / addr_unit (§2.2).
      folios += (b - a) / folioSize;
      passed += ((b - a) / folioSize) * Math.floor(folioSize / ctx.addrUnit);
      const last = ranges[ranges.length - 1];
      if (last && last[1] === a) last[1] = b;
      else ranges.push([a, b]);
    };
    const filters = pageoutYoung ? [...s.opsFilters, PAGEOUT_YOUNG_FILTER] : s.opsFilters;
    const w = this.walkFolios(ctx, r, s, skipHead, (e, fs, n) => this.filterRun(ctx, s, filters, e, fs, n, accept));
    s.lastApplied = w.last;
    return { ranges, passed, folios, lookups: w.lookups };
  }

  private stat(ctx: DamonCtx, r: DamonRegion, s: Damos): ApplyResult {
    if (s.opsFilters.length === 0) return { applied: 0, szOpsFilterPassed: 0, costNs: 0 };
    const f = this.acceptedFolios(ctx, r, s, false, false);
    return { applied: 0, szOpsFilterPassed: f.passed, costNs: f.lookups * this.machine.costs.walkNsPerFolio };
  }

  private migrate(ctx: DamonCtx, r: DamonRegion, s: Damos): ApplyResult {
    const f = this.acceptedFolios(ctx, r, s, false, false);
    let costNs = f.lookups * this.machine.costs.walkNsPerFolio;
    let migrated = 0;
    const target = s.targetNid;
    const m = this.machine;
    if (!nodeValid(ctx.mm, target)) {
      // B0's damon_migrate_pages() returns without putting the isolated folios back: they leave
      // the LRU for good. Later trees put them back.
      if (!ctx.profile.migrateInvalidTargetPutback) for (const [a, b] of f.ranges) m.isolateForever(a, b);
    } else if (f.ranges.length > 0) {
      const fallback = ctx.profile.migrateThisNode ? NO_NODES : m.otherNodes(target);
      // damon_migrate_pages() on the region's folio list (which folios move when memory runs
      // short: Machine.migrateFolios()).
      const res = m.migrateFolios(f.ranges, target, fallback, ctx.clock.now);
      migrated = res.migrated;
      costNs += res.costNs;
    }
    return { applied: Math.floor(migrated / ctx.addrUnit), szOpsFilterPassed: f.passed, costNs };
  }

  /** damon_pa_pageout: reclaim accepted folios; unless the scheme has a young filter, young folios are kept. */
  private pageout(ctx: DamonCtx, r: DamonRegion, s: Damos): ApplyResult {
    const implicitYoung = !s.opsFilters.some((f) => f.type === 'young');
    const f = this.acceptedFolios(ctx, r, s, true, implicitYoung);
    let reclaimed = 0;
    for (const [a, b] of f.ranges) reclaimed += this.machine.evict(a, b);
    const costNs = f.lookups * this.machine.costs.walkNsPerFolio + (reclaimed / PAGE_SIZE) * this.machine.costs.pageoutNsPer4k;
    return { applied: Math.floor(reclaimed / ctx.addrUnit), szOpsFilterPassed: f.passed, costNs };
  }

  /** damon_pa_de_activate: folio_activate / folio_deactivate every accepted folio. */
  private deActivate(ctx: DamonCtx, r: DamonRegion, s: Damos, activate: boolean): ApplyResult {
    const f = this.acceptedFolios(ctx, r, s, true, false);
    let applied = 0;
    for (const [a, b] of f.ranges) applied += this.machine.setActive(a, b, activate);
    // folio_activate / folio_deactivate once per accepted folio, whatever its size.
    const costNs = f.lookups * this.machine.costs.walkNsPerFolio + f.folios * this.machine.costs.lruMoveNsPerFolio;
    return { applied: Math.floor(applied / ctx.addrUnit), szOpsFilterPassed: f.passed, costNs };
  }
}

/** The young filter damon_pa_pageout installs for the call when the scheme has none. */
const PAGEOUT_YOUNG_FILTER: DamosFilter = newFilter('young', true, false);

/** Lookups a page-stepping walk makes going from addr to at least stop. */
function pageSteps(addr: number, stop: number, aligned: boolean): number {
  if (stop <= addr) return 0;
  if (aligned) {
    // PAGE_ALIGN_DOWN(addr + PAGE_SIZE) lands on page boundaries after the first step.
    const first = alignDown(addr + PAGE_SIZE, PAGE_SIZE);
    if (first >= stop) return 1;
    return 1 + Math.ceil((stop - first) / PAGE_SIZE);
  }
  return Math.ceil((stop - addr) / PAGE_SIZE);
}

/** Where that walk is after its `steps` lookups (the first step of an aligned walk lands on a page boundary). */
function stepPast(addr: number, steps: number, aligned: boolean): number {
  if (steps === 0) return addr;
  return aligned ? alignDown(addr + PAGE_SIZE, PAGE_SIZE) + (steps - 1) * PAGE_SIZE : addr + steps * PAGE_SIZE;
}

function nextExtentStart(m: Machine, addr: number, limit: number): number {
  const i = m.mem.lowerBound(addr);
  return i < m.mem.length ? Math.min(limit, m.mem.at(i).start) : limit;
}

/** A filter's predicate on a folio of extent e. */
function folioMatch(f: DamosFilter, e: Extent): boolean {
  switch (f.type) {
    case 'anon':
      return e.anon;
    case 'active':
      return e.active;
    case 'memcg':
      return f.memcgId !== undefined && e.memcg === f.memcgId;
    case 'hugepage_size':
      return f.szMin <= e.folioSize && e.folioSize <= f.szMax;
    case 'unmapped':
      return !e.mapped;
    default:
      return false;
  }
}
