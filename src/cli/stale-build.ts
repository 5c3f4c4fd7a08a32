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
function newestSource(dir: string, newest?: { path: string; mtimeMs: number }): { path: string; mtimeMs: number } | undefined {
  // Walked by hand: a recursive readdir names an entry's directory only from Node 20.12 on.
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = newestSource(path, newest);
    else if (e.isFile() && e.name.endsWith('.ts')) {
      const { mtimeMs } = statSync(path);
      if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
    }
  }
  return newest;
}

/**
 * The source file (relative to the checkout) changed after the build that `moduleUrl` (a module of
 * `dist/`) belongs to, or undefined when the build is current, or is not a checkout's build. The
 * build's time is the later of `dist/.built`, which `npm run build` writes last (package.json's
 * postbuild), and tsc's own `.tsbuildinfo`, which a plain tsc build rewrites when it emits; the
 * stamp is needed because tsc does not rewrite `.tsbuildinfo` when no source's content changed,
 * so a touched file would read as newer than every later build.
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
    // A plain tsc build writes no stamp but its .tsbuildinfo (when it emitted anything).
    const tsInfo = join(dist, '.tsbuildinfo');
    const built = Math.max(statSync(info).mtimeMs, existsSync(tsInfo) ? statSync(tsInfo).mtimeMs : 0);
    const newest = newestSource(src);
    return newest !== undefined && newest.mtimeMs > built ? relative(root, newest.path) : undefined;
  } catch {
    return undefined; // an unreadable tree is no reason to stop a command
  }
}
