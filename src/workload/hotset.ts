// SPDX-License-Identifier: GPL-2.0-only
/**
 * The hot-set workload (GUPS-like; machines-and-workloads.md §5): one process touches a hot subset
 * H of its resident set W with a share p of all accesses, the rest uniformly over W∖H (Colloid's
 * form). Optionally the hot set moves at given times (HeMem's "hot set moves" phase).
 */
import { PAGE_SIZE } from '../lib/kint.js';
import { RateSegments, Workload, type RatePhase } from './model.js';

export interface HotSetSpec {
  rss: number;
  hotSet: number;
  /** Share of accesses that go to the hot set, in [0, 1]. */
  hotShare: number;
  /** Page access events per second over the whole RSS. */
  accessRate: number;
  /** Offset of the hot set inside the RSS at time 0. */
  hotOffset: number;
  /** Later positions of the hot set. */
  moves: Array<{ at: number; hotOffset: number }>;
  thp: boolean;
  anon: boolean;
  nodes: number[];
  memcg: number;
  /** Virtual address of the RSS. */
  vbase: number;
}

export function hotSetWorkload(spec: HotSetSpec): Workload {
  const pid = 0;
  const hotPages = spec.hotSet / PAGE_SIZE;
  const coldPages = (spec.rss - spec.hotSet) / PAGE_SIZE;
  const hotRate = hotPages > 0 ? (spec.hotShare * spec.accessRate) / hotPages : 0;
  const coldRate = coldPages > 0 ? ((1 - spec.hotShare) * spec.accessRate) / coldPages : 0;
  const phase = (at: number, off: number): RatePhase => {
    const hs = spec.vbase + off;
    const he = hs + spec.hotSet;
    const segs = new RateSegments()
      .add(spec.vbase, hs, coldRate)
      .add(hs, he, hotRate)
      .add(he, spec.vbase + spec.rss, coldRate);
    return { at, rates: new Map([[pid, segs]]), hot: new Map([[pid, [[hs, he]]]]) };
  };
  const phases = [phase(0, spec.hotOffset), ...spec.moves.map((m) => phase(m.at, m.hotOffset))];
  return new Workload(
    [
      {
        id: pid,
        name: 'hotset',
        memcg: spec.memcg,
        vmas: [{ start: spec.vbase, bytes: spec.rss, anon: spec.anon, mapped: true, thp: spec.thp, nodes: spec.nodes }],
      },
    ],
    phases,
    `hot set ${spec.hotSet} B of ${spec.rss} B, ${spec.hotShare * 100}% of ${spec.accessRate} accesses/s`,
  );
}
