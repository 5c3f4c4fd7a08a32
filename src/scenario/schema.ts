// SPDX-License-Identifier: GPL-2.0-only
/**
 * The scenario file (JSON or YAML): run settings, the simulated machine, the workload, and the
 * DAMON part in damo's kdamonds format. The zod schema is the single source of the file's shape:
 * the loader validates with it and docs/scenario.schema.json is generated from it.
 */
import { z } from 'zod';
import { kdamondsSchema } from '../formats/damo/kdamonds.js';
import { eventsSchema, simTimeV } from './events.js';
import { boolV, bytesV, intV, ratioV, realV, timeBareV, wholeV } from '../formats/damo/values.js';
import { PROFILES, SWITCHES, type ProfileSwitch } from '../profiles.js';
import { DURATION_EXPECTED, HOT_MOVE_TIME_EXPECTED } from './model.js';

/** A hot-set move's time; one wording however it misses (at 0 is validate.ts's, with the order of moves). */
const hotMoveAtV = () => simTimeV(HOT_MOVE_TIME_EXPECTED);

const nodeSchema = z.strictObject({
  capacity: bytesV(),
  kind: z.enum(['dram', 'cxl']).optional(),
  latency_ns: realV().optional().describe('idle load latency in ns (default 100 for dram, 250 for cxl)'),
  reserved: bytesV().optional().describe('non-LRU kernel memory at the start of the node (invisible to DAMON)'),
  watermark: bytesV().optional().describe('free memory the allocator keeps back on this node'),
});

/**
 * A non-negative integer below 2^53 given as a JSON number, with one message for every way to miss
 * it; typed so, the JSON Schema says so too (integer, minimum 0, maximum 2^53 - 1).
 */
const safeWhole = (expected: string) => {
  const error = `expected ${expected}`; // fromZod() adds what was found
  return z.number({ error }).int({ error }).min(0, { error });
};

/** A cost in whole ns: it advances the kdamond's clock and the quota's total_charged_ns, both integer ns in the kernel. */
const nsCost = () => safeWhole('a whole number of ns below 2^53 (a plain integer: no unit string)').optional();

const costsSchema = z.strictObject({
  migrate_ns_per_4k: nsCost(),
  migrate_ns_per_2m: nsCost(),
  walk_ns_per_folio: nsCost(),
  pageout_ns_per_4k: nsCost(),
  lru_move_ns_per_folio: nsCost(),
  sample_ns_per_region: nsCost(),
});

export const machineSchema = z.strictObject({
  base: bytesV().optional().describe("physical address of node 0's first byte (default 4 GiB)"),
  hole: bytesV().optional().describe('unpopulated physical address space between nodes (default 0)'),
  nodes: z.array(nodeSchema).min(1),
  costs: costsSchema.optional(),
  swap: bytesV().optional().describe('swap device size (default 0: anon memory cannot be paged out)'),
  swap_in_us: realV().optional().describe('stall of one refault, µs (default 20)'),
});

const hotsetSchema = z.strictObject({
  type: z.literal('hotset'),
  rss: bytesV(),
  hot_set: bytesV(),
  hot_share: ratioV('bp', false).optional().describe('share of accesses to the hot set: "99 %" or bp (default 99 %)'),
  access_rate: realV().describe('page access events per second over the whole RSS'),
  hot_offset: bytesV().optional(),
  moves: z.array(z.strictObject({ at: hotMoveAtV(), hot_offset: bytesV() })).optional(),
  thp: boolV().optional(),
  anon: boolV().optional(),
  nodes: z.array(intV()).optional().describe('first-touch node preference, falling back in order (default 0, 1, ...)'),
  memcg: z.string().optional(),
});

const hotSchema = z.strictObject({
  bytes: bytesV(),
  share: ratioV('bp', false).optional().describe('share of the area\'s accesses to the hot subset: "99 %" or bp (default 99 %)'),
  offset: bytesV().optional(),
  moves: z.array(z.strictObject({ at: hotMoveAtV(), offset: bytesV() })).optional(),
});

const areaSchema = z.strictObject({
  name: z.string().optional(),
  bytes: bytesV(),
  kind: z.enum(['anon', 'file']).optional().describe('anonymous memory (default) or page cache'),
  mapped: boolV().optional().describe('mapped into page tables (default true; unmapped page cache is read through syscalls)'),
  thp: boolV().optional(),
  nodes: z.array(intV()).optional().describe('first-touch node preference, falling back in order'),
  access_rate: realV().describe('page access events per second over the whole area'),
  hot: hotSchema.optional(),
});

const processesSchema = z.strictObject({
  type: z.literal('processes'),
  processes: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        memcg: z.string().optional(),
        areas: z.array(areaSchema).min(1),
      }),
    )
    .min(1),
});

export const workloadSchema = z.discriminatedUnion('type', [hotsetSchema, processesSchema]);

export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  // The run's own seed: a whole number (a fraction is not silently truncated, as kernel values are).
  seed: safeWhole('a non-negative integer below 2^53')
    .optional()
    .describe('PRNG seed: a non-negative integer below 2^53'),
  duration: timeBareV('s', 'ns', DURATION_EXPECTED).optional().describe('simulated run length (bare number = seconds, fractions allowed)'),
  kernel: z
    .strictObject({
      profile: z.enum(PROFILES.map((p) => p.name) as [string, ...string[]]).optional(),
      hz: z
        .literal([100, 250, 1000])
        .optional()
        .describe("CONFIG_HZ (default 1000): jiffies (quota windows), and the kdamond's sleeps of four ticks or more, which end on tick boundaries"),
      overrides: z
        .strictObject(
          Object.fromEntries(
            SWITCHES.map((sw) => [sw.key, sw.key === 'accessRate' ? z.enum(['nr_accesses_bp', 'pseudo_mvsum']).optional() : z.boolean().optional()]),
          ) as Record<ProfileSwitch, z.ZodOptional<z.ZodBoolean>>,
        )
        .optional()
        .describe('flip single profile switches (see docs/profiles.md)'),
    })
    .optional(),
  sampling: z.enum(['region', 'folio']).optional().describe('region: per-region sample probability (fast); folio: per-address folio lookups with the paddr cache'),
  machine: machineSchema,
  workload: workloadSchema,
  record: z
    .strictObject({
      aggr_stride: wholeV()
        .refine((n) => n >= 1, { error: 'expected a stride of at least 1 (1: a record at every aggregation); found 0' })
        .optional()
        .describe('an aggr timeline record every N aggregations of each context: a whole number, at least 1 (default 1)'),
    })
    .optional(),
  damon: kdamondsSchema,
  events: eventsSchema.optional(),
});

export type ScenarioDoc = z.input<typeof scenarioSchema>;
/** A `type: hotset` workload as a document writes it. */
export type HotsetWorkloadDoc = z.input<typeof hotsetSchema>;
export type ScenarioParsed = z.output<typeof scenarioSchema>;

