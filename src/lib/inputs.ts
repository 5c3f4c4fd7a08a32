// SPDX-License-Identifier: GPL-2.0-only
/**
 * Input files as a command first read them. A command that loads its inputs more than once (a
 * comparison, or a sweep of both tuners, loads the scenario once per tuner) holds them: every later
 * read of a path gets the bytes of the first, so that every run is made of the files as they were
 * when the command validated them, whatever happens to them meanwhile (an edit, a deletion, a FIFO
 * that gives its text once). Outside a hold a read is a plain read.
 */
import { readFileSync, statSync } from 'node:fs';

let held: Map<string, Uint8Array> | null = null;

/**
 * What a failed read found, for a message's "found ..." (the errno code kept for a search):
 * "no such file (ENOENT)", "a directory (EISDIR)", "no permission to read it (EACCES)".
 */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const what: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'a directory',
    EACCES: 'no permission to read it',
    EPERM: 'no permission to read it',
    ENOTDIR: 'a path through something that is not a directory',
    ELOOP: 'a loop of symbolic links',
  };
  if (code !== undefined) return `${what[code] ?? 'a read error'} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/** Hold inputs from now on. */
export function holdInputs(): void {
  held = new Map();
}

/** Stop holding (reads go to the files again). */
export function releaseInputs(): void {
  held = null;
}

/** The bytes of the file at `path`: the held ones if a hold has them, else read (and held if holding). */
export function readInput(path: string): Buffer {
  const h = held?.get(path);
  if (h !== undefined) return Buffer.from(h.buffer, h.byteOffset, h.byteLength);
  const bytes = readFileSync(path);
  held?.set(path, bytes);
  return bytes;
}

/** Whether `path` is a regular file, or was one when the hold read it. */
export function isInputFile(path: string): boolean {
  if (held?.has(path)) return true;
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
