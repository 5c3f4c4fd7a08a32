// SPDX-License-Identifier: GPL-2.0-only
/**
 * Directories an output needs, made and taken back: a failed write leaves no directory it made.
 * Shared by the CLI's staged outputs (cli/io.ts) and the sysfs tree export (formats/sysfs).
 */
import { mkdirSync, rmdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';

/**
 * mkdir -p, one level at a time (Node's recursive mkdir spins on /proc). Returns the directories it
 * made, outermost first. On a refusal it removes those it made and throws the refusal (an errno
 * error whose `path` names the directory).
 */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let p = resolve(dir); statOrUndefined(p) === undefined && dirname(p) !== p; p = dirname(p)) missing.push(p);
  const made: string[] = [];
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
      made.push(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      removeDirs(made);
      throw e;
    }
  }
  return made;
}

/** Undo makeDirs(): remove the directories it made, deepest first, where they are still empty. */
export function removeDirs(made: readonly string[]): void {
  for (const p of [...made].reverse()) {
    try {
      rmdirSync(p);
    } catch {
      // not empty (something else was put there) or already gone
    }
  }
}

/** ".NAME.<pid, 7 base-36 digits>.tmp" next to `path`: the same length whatever the pid, so are the name limits. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid.toString(36).padStart(7, '0')}.tmp`);
}

/** What tempPath() adds to a name's length. */
export const TEMP_OVERHEAD = '..0000000.tmp'.length;

/** What is at p (links followed), or undefined where nothing can be found. */
export function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** What a path that is not a regular file is, for a message ("a directory", "a named pipe (FIFO)", ...). */
export function specialKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'something that is not a regular file';
}
