// SPDX-License-Identifier: GPL-2.0-only
/**
 * Whether the compiled CLI is older than the sources beside it. In a checkout, the command runs
 * `dist/`, while vitest imports `src/`: a developer who edits a tuner and runs a sweep again
 * without `npm run build` gets the old tuner's results, with nothing in them to say so
 * (docs/trying-a-change.md). An installed package ships no `src/`, so it is never asked there.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The newest `.ts` file under dir, with its mtime (ms), or undefined for none. */
function newestSource(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const path = join(e.parentPath, e.name);
    const { mtimeMs } = statSync(path);
    if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

/**
 * The source file (relative to the checkout) changed after the build that `moduleUrl` (a module of
 * `dist/`) belongs to, or undefined when the build is current, or is not a checkout's build. The
 * build's time is that of `dist/.built`, which `npm run build` writes last (package.json's
 * postbuild): tsc's own `.tsbuildinfo` is not rewritten when no source's content changed, so a
 * touched file would read as newer than every later build.
 */
export function staleSource(moduleUrl: string): string | undefined {
  // dist/cli/main.js: the checkout is two levels up.
  const dist = dirname(dirname(fileURLToPath(moduleUrl)));
  if (basename(dist) !== 'dist') return undefined;
  const root = dirname(dist);
  const src = join(root, 'src');
  const info = join(dist, '.built');
  if (!existsSync(src) || !existsSync(info)) return undefined;
  try {
    const newest = newestSource(src);
    return newest !== undefined && newest.mtimeMs > statSync(info).mtimeMs ? relative(root, newest.path) : undefined;
  } catch {
    return undefined; // an unreadable tree is no reason to stop a command
  }
}
