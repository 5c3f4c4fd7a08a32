// SPDX-License-Identifier: GPL-2.0-only
/**
 * JSON text with exact 64-bit integers: bigints are written as bare digits (valid JSON numbers),
 * so ULONG_MAX survives, and key order is insertion order, so output bytes are deterministic.
 */

export function toJson(value: unknown, indent?: number): string {
  const marker = '\u0000big:';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v), indent);
  // JSON.stringify escapes U+0000 as \u0000 inside strings.
  return text.replace(/"\\u0000big:(\d+)"/g, '$1');
}

/** A JSON object (a mapping): not null, not a list. */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
