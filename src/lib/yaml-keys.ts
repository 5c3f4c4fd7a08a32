// SPDX-License-Identifier: GPL-2.0-only
/** Keys a YAML document repeats within one mapping, found by path (the JSON text's check, lib/json-error.ts, for YAML). */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { DuplicateKey } from './json-error.js';

/**
 * A mapping key as the object the document becomes holds it: the yaml library keys a null as "",
 * and anything else by its string form (1 and "1" are one key there).
 */
function keyOf(k: unknown): string {
  const v = isScalar(k) ? k.value : k;
  return v === null || v === undefined ? '' : String(v);
}

/**
 * The keys a parsed YAML document repeats within one mapping, by the mapping's path: the parser's
 * own check names only a line and a column, and treats `1` and `"1"` as two keys where the object
 * the document becomes keeps one of them. YAML 1.1 merge keys (`<<`), which may repeat, are not
 * keys of the object; an alias used as a key (`*k : 1`) is the key it names. Parse with
 * `uniqueKeys: false` and the `lineCounter`.
 */
export function duplicateYamlKeys(doc: Document, lines: LineCounter): DuplicateKey[] {
  const dups: DuplicateKey[] = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const k = pair.key;
        if (isScalar(k) && typeof k.value === 'symbol') continue; // a merge key
        const key = keyOf(isAlias(k) ? k.resolve(doc) : k);
        if (seen.has(key)) {
          const range = (k as { range?: readonly number[] } | null)?.range;
          const at = range ? lines.linePos(range[0]) : undefined;
          dups.push({ path: [...path], key, pos: at ? `${at.line}:${at.col}` : '?' });
        } else seen.add(key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return dups;
}
