// SPDX-License-Identifier: GPL-2.0-only
/**
 * The generated documentation is current: docs/scenario.schema.json is what `damon-sim schema`
 * prints (scenarioJsonSchemaText, generated from the zod schema) and docs/profiles.md is what
 * `damon-sim profiles --markdown` prints (profilesMarkdown). When either is stale, regenerate both
 * with `npm run docs` and commit the result. Every example scenario has the top-level keys the
 * schema requires and no key it does not know (a light check; the loader's own checks are stricter).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { profilesMarkdown } from '../src/profiles.js';
import { scenarioJsonSchemaText } from '../src/scenario/jsonschema.js';
import { parseText } from '../src/formats/document.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const HINT = 'run `npm run docs` to regenerate docs/scenario.schema.json and docs/profiles.md, and commit them';

/** Where two texts first differ, for a readable failure instead of a 160 kB diff. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `first difference at line ${i + 1}:\n  committed: ${JSON.stringify(a[i])}\n  generated: ${JSON.stringify(b[i])}`;
  }
  return 'no line differs (line endings?)';
}

function expectCurrent(file: string, generated: string): void {
  const committed = readFileSync(join(ROOT, file), 'utf8');
  if (committed !== generated) expect.fail(`${file} is stale: ${HINT}\n${firstDifference(committed, generated)}`);
}

describe('generated docs are current', () => {
  it('docs/scenario.schema.json is what `damon-sim schema` prints', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(scenarioJsonSchemaText());
    expectCurrent('docs/scenario.schema.json', r.out);
  });

  it('docs/profiles.md is what `damon-sim profiles --markdown` prints', async () => {
    const r = await cli(['profiles', '--markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(profilesMarkdown());
    expectCurrent('docs/profiles.md', r.out);
  });
});

interface ObjectSchema {
  type?: string;
  required?: string[];
  properties?: Record<string, ObjectSchema>;
  additionalProperties?: boolean | object;
}

describe('examples/ against the JSON Schema (top-level keys)', () => {
  const schema = JSON.parse(scenarioJsonSchemaText()) as ObjectSchema;
  const examples = readdirSync(join(ROOT, 'examples'))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();

  it('the schema describes an object with required keys and no others', () => {
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['machine', 'workload', 'damon']));
    expect(schema.additionalProperties).toBe(false);
    expect(examples.length).toBeGreaterThan(0);
  });

  it('says what the loader takes of a seed and a cost: a non-negative integer below 2^53 (it said "number")', () => {
    const whole = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
    expect(schema.properties?.seed).toMatchObject(whole);
    expect(schema.properties?.machine?.properties?.costs?.properties?.migrate_ns_per_4k).toMatchObject(whole);
  });

  for (const f of examples) {
    it(`examples/${f}`, () => {
      const doc = parseText(readFileSync(join(ROOT, 'examples', f), 'utf8'), f);
      expect(doc !== null && typeof doc === 'object' && !Array.isArray(doc), `${f}: a mapping`).toBe(true);
      const keys = Object.keys(doc as object);
      for (const k of schema.required ?? []) expect(keys, `${f}: required key ${k}`).toContain(k);
      const known = Object.keys(schema.properties ?? {});
      for (const k of keys) expect(known, `${f}: key ${k} is not in the schema`).toContain(k);
      // One level down, for the strict objects: machine's required keys.
      const machine = schema.properties?.machine;
      for (const k of machine?.required ?? []) expect(Object.keys((doc as Record<string, object>).machine), `${f}: machine.${k}`).toContain(k);
    });
  }
});
