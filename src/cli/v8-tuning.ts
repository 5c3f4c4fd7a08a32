// SPDX-License-Identifier: GPL-2.0-only
/**
 * V8 settings the damon-sim programs (the CLI and the bench's runs) give their own process. The
 * library sets none: a program that imports it owns its process's V8.
 *
 * TurboFan inlines callees of up to 460 bytes of bytecode by default. Here that puts bodies
 * which are large and mostly not taken into the hot code that calls them: the merge's walk down
 * its pass chain (feed()) into each loop that feeds it, the LRU map's rebuild into every walk,
 * the extent search into each extent operation, the access check into the kdamond step. The
 * graphs grow, the one compile worker takes longer over them (422 → 385 ms in a ~0.6 s fresh
 * CONSIST run), and the code compiled is no faster, measured: slower. At 258 the hot helpers still
 * inline (the PRNG's belowU32() is 256 bytes, the region cut 257) and those bodies do not.
 * Interleaved fresh runs of the preset (docs/architecture.md "A fresh process against a warm
 * one"): CONSIST 603 → 583 ms (medians of 24), JIT-warm 459 → 441, TEMPORAL 455 → 449; 230 (half
 * the default) gave less, 300 and above nothing.
 * Tuned on Node 20 (V8 11.3): another V8 (Node 22's adds Maglev) wants measuring again.
 */
import { setFlagsFromString } from 'node:v8';

export const MAX_INLINED_BYTECODE_SIZE = 258;

/** Apply the settings; call before the simulation runs (TurboFan reads the flag at each compile). */
export function tuneV8(): void {
  setFlagsFromString(`--max-inlined-bytecode-size=${MAX_INLINED_BYTECODE_SIZE}`);
}
