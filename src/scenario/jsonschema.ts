// SPDX-License-Identifier: GPL-2.0-only
/**
 * The scenario file's JSON Schema, generated from the zod schema (the input side: what a user may
 * write), for editor completion. docs/scenario.schema.json is this, checked by a test.
 */
import { z } from 'zod';
import { isMapping, toJson } from '../lib/json.js';
import type { PathSeg } from './issues.js';
import { scenarioSchema } from './schema.js';

function scenarioJsonSchema(): object {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...s, $id: 'https://damon-sim.invalid/scenario.schema.json', title: 'damon-sim scenario' };
}

export function scenarioJsonSchemaText(): string {
  return `${toJson(scenarioJsonSchema(), 2)}\n`;
}

let built: object | undefined;

/**
 * The keys the scenario schema lets the object at `path` have (every branch's, where a union
 * allows several shapes), for "did you mean" hints; undefined where the path leads to no object.
 */
export function scenarioKeysAt(path: readonly PathSeg[]): string[] | undefined {
  built ??= scenarioJsonSchema();
  let nodes: unknown[] = [built];
  for (const seg of path) nodes = nodes.flatMap((n) => branches(n)).flatMap((n) => child(n, seg));
  const keys = new Set(nodes.flatMap((n) => branches(n)).flatMap((n) => (isMapping(n) && isMapping(n.properties) ? Object.keys(n.properties) : [])));
  return keys.size > 0 ? [...keys] : undefined;
}

/** A JSON Schema node's alternatives (anyOf, oneOf), or the node itself. */
function branches(n: unknown): unknown[] {
  if (!isMapping(n)) return [];
  const alts = [n.anyOf, n.oneOf].flatMap((a) => (Array.isArray(a) ? a : []));
  return alts.length > 0 ? alts.flatMap(branches) : [n];
}

/** The schema of `seg` under an object or array schema node. */
function child(n: unknown, seg: PathSeg): unknown[] {
  if (!isMapping(n)) return [];
  if (typeof seg === 'number') return n.items === undefined ? [] : [n.items];
  const props = isMapping(n.properties) ? n.properties : {};
  return Object.hasOwn(props, seg) ? [props[seg]] : [];
}
