// SPDX-License-Identifier: GPL-2.0-only
/**
 * The word a misspelt one most likely meant, for "did you mean" hints on unknown keys.
 */

/** Edit distance counting an adjacent swap as one edit ("sz_bytse" is one from "sz_bytes"). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/** Case and the two word separators do not tell keys apart for this purpose ("Sz-Bytes"). */
const fold = (w: string): string => w.toLowerCase().replaceAll('-', '_');

/**
 * The candidate nearest to `word`: the same once case and `-`/`_` are folded, or else within two
 * edits, and a third of the word's length, so that short words do not match anything short.
 * Undefined where none is that near or two are equally near.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = fold(word);
  const same = candidates.filter((c) => fold(c) === w);
  if (same.length > 0) return same.length === 1 ? same[0] : undefined;
  const limit = Math.min(2, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const c of candidates) {
    const d = editDistance(w, fold(c));
    if (d < bestDistance) [best, bestDistance, tie] = [c, d, false];
    else if (d === bestDistance) tie = true;
  }
  return best !== undefined && !tie ? best : undefined;
}
