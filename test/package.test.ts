// SPDX-License-Identifier: GPL-2.0-only
/**
 * The package's entry points: every file package.json names under dist/ is built from a source
 * file that exists, and the library entry runs a scenario end to end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

const ROOT = new URL('../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; import: string; default: string } | string>;
  engines: { node: string };
  license: string;
};

/** The source file tsc builds a dist/ path from. */
function sourceOf(distPath: string): string {
  return distPath.replace(/^\.?\/?dist\//, 'src/').replace(/\.d\.ts$/, '.ts').replace(/\.js$/, '.ts');
}

describe('package.json', () => {
  it('names entry points that the build produces', () => {
    const paths = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [] : [e.types, e.import, e.default]))];
    for (const p of paths) expect(existsSync(ROOT + sourceOf(p)), `${p} <- ${sourceOf(p)}`).toBe(true);
    // require() of the package (Node 20.19+ loads ES modules so) and tools reading its version.
    expect(pkg.exports['./package.json']).toBe('./package.json');
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.license).toBe('GPL-2.0-only');
  });

  it('the library entry runs the preset and reports its summary', () => {
    const { scenario } = lib.scenarioFromDoc(lib.tiering6040('temporal'));
    const res = lib.runScenario({ ...scenario, duration: 2e9 });
    expect(res.summary.map((r) => [r.scheme, r.metric, r.nid, r.target])).toEqual([
      [0, 'node_eligible_mem_bp', 0, 6000],
      [1, 'node_eligible_mem_bp', 1, 4000],
    ]);
    expect(lib.formatSummaryTable([{ title: 't', rows: res.summary }])).toContain('node_eligible_mem_bp / 0');
    expect(lib.findProfile('b1')?.postApplyMerge).toBe(true);
    expect(() => lib.scenarioFromDoc({})).toThrow(lib.ConfigError);
  });
});

describe('a checkout whose build is older than its sources', () => {
  it('names the newest source changed after dist/.built, and nothing for a current build or an installed package', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, utimesSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { pathToFileURL } = await import('node:url');
    const { staleSource } = await import('../src/cli/stale-build.js');
    const root = mkdtempSync(`${tmpdir()}/stale-`);
    try {
      const put = (path: string, s: number) => {
        mkdirSync(`${root}/${path}`.replace(/\/[^/]*$/, ''), { recursive: true });
        writeFileSync(`${root}/${path}`, '');
        utimesSync(`${root}/${path}`, s, s);
      };
      put('dist/cli/main.js', 100);
      const main = pathToFileURL(`${root}/dist/cli/main.js`).href;
      put('src/cli/main.ts', 100);
      put('src/damos/quota.ts', 300);
      // An installed package: no dist/.built (package.json's files leave it out).
      expect(staleSource(main)).toBeUndefined();
      put('dist/.built', 200);
      expect(staleSource(main)).toBe('src/damos/quota.ts');
      put('dist/.built', 300);
      expect(staleSource(main)).toBeUndefined();
      // Only .ts files count, and a module not in dist/cli is not the checkout's CLI.
      put('src/notes.txt', 400);
      expect(staleSource(main)).toBeUndefined();
      put('src/lib/prng.ts', 400);
      expect(staleSource(main)).toBe('src/lib/prng.ts');
      expect(staleSource(pathToFileURL(`${root}/src/cli/main.ts`).href)).toBeUndefined();
      // A plain tsc build writes no stamp, but rewrites its .tsbuildinfo when it emits.
      put('dist/.tsbuildinfo', 500);
      expect(staleSource(main)).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
