// SPDX-License-Identifier: GPL-2.0-only
/** The small two-node machines unit tests build by hand. */
import { Machine } from '../../src/machine/machine.js';

export interface DramCxlOptions {
  /** Node 0's (DRAM) and node 1's (CXL) capacity in bytes. */
  dram: number;
  cxl: number;
  /** Physical address of node 0 (default 4 GiB, as the presets lay memory out). */
  base?: number;
  /** Unpopulated space between the nodes (default none). */
  hole?: number;
  /** Non-LRU bytes reserved at node 0's start (default none). */
  reserved0?: number;
}

/** A DRAM node 0 (100 ns) followed by a CXL node 1 (250 ns), without watermarks. */
export function dramCxlMachine(o: DramCxlOptions): Machine {
  return new Machine({
    base: o.base ?? 4 * 2 ** 30,
    holeBetweenNodes: o.hole ?? 0,
    nodes: [
      { capacity: o.dram, kind: 'dram', latencyNs: 100, reserved: o.reserved0 ?? 0, watermark: 0 },
      { capacity: o.cxl, kind: 'cxl', latencyNs: 250, reserved: 0, watermark: 0 },
    ],
  });
}
