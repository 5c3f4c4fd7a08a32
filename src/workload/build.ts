// SPDX-License-Identifier: GPL-2.0-only
/**
 * Builds the workload model from its parameters: each process gets its own address space with its
 * areas laid out one after another (2 MiB aligned, so THPs can back them), and per-page rates for
 * every phase (a phase starts whenever some area's hot subset moves).
 */
import { HPAGE_PMD_SIZE, alignUp } from '../lib/kint.js';
import { areaPageRates, hotSetBytes, type AreaParams, type WorkloadParams } from '../scenario/model.js';
import { RateSegments, Workload, type Process, type RatePhase } from './model.js';

/** Virtual address where every process's first area starts. */
export const VBASE = 0x7f00_0000_0000;

interface PlacedArea {
  area: AreaParams;
  start: number;
}

/** Where the hot subset of an area sits at time t (ns). */
function hotOffsetAt(a: AreaParams, t: number): number {
  let off = a.hot ? a.hot.offset : 0;
  for (const m of a.hot?.moves ?? []) if (m.at <= t) off = m.offset;
  return off;
}

/** Rate segments of one area at time t: hot pages, cold pages, or uniform. */
function areaSegments(p: PlacedArea, t: number, segs: RateSegments, hot: Array<[number, number]>): void {
  const a = p.area;
  const { hot: hotRate, cold: coldRate } = areaPageRates(a);
  if (!a.hot || a.hot.bytes === 0) {
    segs.add(p.start, p.start + a.bytes, coldRate);
    return;
  }
  const hs = p.start + hotOffsetAt(a, t);
  const he = hs + a.hot.bytes;
  segs.add(p.start, hs, coldRate).add(hs, he, hotRate).add(he, p.start + a.bytes, coldRate);
  hot.push([hs, he]);
}

export function buildWorkload(w: WorkloadParams, memcgIdOf: (path: string) => number): Workload {
  const placed: PlacedArea[][] = [];
  const processes: Process[] = w.processes.map((pp, pid) => {
    let v = VBASE;
    const areas: PlacedArea[] = [];
    for (const a of pp.areas) {
      areas.push({ area: a, start: v });
      // Next area after a 2 MiB guard gap, 2 MiB aligned.
      v = alignUp(v + a.bytes, HPAGE_PMD_SIZE) + HPAGE_PMD_SIZE;
    }
    placed.push(areas);
    return {
      id: pid,
      name: pp.name,
      memcg: memcgIdOf(pp.memcg),
      vmas: areas.map((pa) => ({ start: pa.start, bytes: pa.area.bytes, anon: pa.area.anon, mapped: pa.area.mapped, thp: pa.area.thp, nodes: pa.area.nodes })),
    };
  });
  const times = new Set<number>([0]);
  for (const pp of w.processes) for (const a of pp.areas) for (const m of a.hot?.moves ?? []) times.add(m.at);
  const phases: RatePhase[] = [...times]
    .sort((a, b) => a - b)
    .map((t) => {
      const rates = new Map<number, RateSegments>();
      const hot = new Map<number, Array<[number, number]>>();
      placed.forEach((areas, pid) => {
        const segs = new RateSegments();
        const hr: Array<[number, number]> = [];
        for (const pa of areas) areaSegments(pa, t, segs, hr);
        rates.set(pid, segs);
        if (hr.length > 0) hot.set(pid, hr);
      });
      return { at: t, rates, hot };
    });
  const total = w.processes.reduce((s, p) => s + p.areas.reduce((x, a) => x + a.bytes, 0), 0);
  const hotTotal = hotSetBytes(w);
  return new Workload(processes, phases, `${w.processes.length} process(es), ${total} B resident, ${hotTotal} B hot`);
}
