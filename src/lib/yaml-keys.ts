// SPDX-License-Identifier: GPL-2.0-only
/** Keys a YAML document repeats within one mapping, found by path (the JSON text's check, lib/json-error.ts, for YAML). */
import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { DuplicateKey } from './json-error.js';

/**
 * The keys a parsed YAML document repeats within one mapping, by the mapping's path: the parser's
 * own check names only a line and a column, and treats `1` and `"1"` as two keys where the object
 * the document becomes keeps one of them. Parse with `uniqueKeys: false` and the `lineCounter`.
 */
export function duplicateYamlKeys(doc: Document, lines: LineCounter): DuplicateKey[] {
  const dups: DuplicateKey[] = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const k = pair.key;
        const key = isScalar(k) ? String(k.value) : String(k);
        if (seen.has(key)) {
          const at = isScalar(k) && k.range ? lines.linePos(k.range[0]) : undefined;
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
