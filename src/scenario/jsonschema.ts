// SPDX-License-Identifier: GPL-2.0-only
/**
 * The scenario file's JSON Schema, generated from the zod schema (the input side: what a user may
 * write), for editor completion. docs/scenario.schema.json is this, checked by a test.
 */
import { z } from 'zod';
import { toJson } from '../lib/json.js';
import { scenarioSchema } from './schema.js';

function scenarioJsonSchema(): object {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...s, $id: 'https://damon-sim.invalid/scenario.schema.json', title: 'damon-sim scenario' };
}

export function scenarioJsonSchemaText(): string {
  return `${toJson(scenarioJsonSchema(), 2)}\n`;
}
