// SPDX-License-Identifier: GPL-2.0-only
/**
 * CLI plumbing: output that never leaves a partial file behind (write to a temporary file in the
 * same directory, then rename), and the exit-code contract (2 for bad input, one line per problem).
 */
import { accessSync, constants, fstatSync, lstatSync, readFileSync, readdirSync, readlinkSync, mkdirSync, realpathSync, renameSync, rmSync, rmdirSync, writeFileSync, openSync, writeSync, closeSync, type Stats } from 'node:fs';
import { dirname, basename, resolve } from 'node:path';
import { ConfigError, formatIssue, oneLine, type ConfigIssue } from '../scenario/issues.js';
import { SimulationLimitError } from '../damon/region.js';
import { TEMP_OVERHEAD, makeDirs, removeDirs, statOrUndefined, tempPath } from '../lib/dirs.js';
import { RunInterrupted } from '../run/run.js';
import { TABLE_WIDTH } from '../report/summary.js';
import { constants as osConstants } from 'node:os';

export const EXIT_USAGE = 2;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  /** The width of the terminal standard output is, if it is one: tables fit it (elsewhere TABLE_WIDTH, so files do not depend on where they were made). */
  outColumns?: number;
  /** `--quiet`: stderr carries errors only (no warnings, notes, "wrote" lines or progress bar). */
  quiet?: boolean;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
  get outColumns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

/** The width a table printed to io's standard output fits: its terminal's (40 at the least: a run's column is about that wide), or TABLE_WIDTH. */
export function tableWidth(io: Io): number {
  const c = io.outColumns;
  return c !== undefined && c > 0 ? Math.max(40, c) : TABLE_WIDTH;
}

/** Thrown for bad command-line input; handled like a ConfigError. */
export class UsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
  }
}

/**
 * Option checks that report every bad value at once, one line each: check() runs one and keeps
 * the UsageError it throws, report() throws what was kept (the one error, or all of them as a
 * ConfigError whose paths are the options).
 */
export class OptionChecks {
  private readonly bad: UsageError[] = [];

  check<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      this.bad.push(e);
      return undefined;
    }
  }

  report(): void {
    const bad = this.bad;
    if (bad.length === 1) throw bad[0];
    if (bad.length > 1) throw new ConfigError(bad.map((e) => ({ path: e.message.slice(0, e.message.indexOf(': ')), message: e.message.slice(e.message.indexOf(': ') + 2) })));
  }
}

/**
 * Refuse, before any work is done, an output path that cannot be written: an existing directory
 * where a file is wanted (or the reverse), or a regular file where a directory would have to be.
 * `staged`: the output is built under tempPath() and renamed into place (files always are; a
 * directory when its writer does so, as the sysfs export does), so that name must fit too.
 */
export function checkOutputPath(option: string, path: string, kind: 'file' | 'dir' = 'file', staged = kind === 'file'): void {
  if (path === '') throw new UsageError(`${option}: expected a ${kind === 'file' ? 'file name' : 'directory'}; found ""`);
  // "-" reads as standard output elsewhere; here it would be a file of that name in the current directory.
  if (path === '-') throw new UsageError(`${option}: expected a ${kind === 'file' ? 'file name' : 'directory'} ("-" is not standard output here; /dev/stdout is); found "-"`);
  // "dir/" names a directory whether or not it exists yet.
  if (kind === 'file' && path.endsWith('/')) throw new UsageError(`${option}: expected a file name; found ${JSON.stringify(path)}, a directory name (it ends in /)`);
  const held = kind === 'file' ? heldDescriptor(resolve(path)) : undefined;
  if (held?.refused !== undefined) throw new UsageError(`${option}: expected a descriptor the command was given for writing; found ${JSON.stringify(path)}, ${held.refused}`);
  // Every part must fit NAME_MAX; the file's own name also as its temporary name.
  const parts = resolve(path).split('/').filter((p) => p !== '');
  const tooLong = parts.find((p) => Buffer.byteLength(p) > NAME_MAX);
  if (tooLong !== undefined) throw new UsageError(`${option}: expected path parts of at most ${NAME_MAX} bytes; found one of ${Buffer.byteLength(tooLong)} bytes`);
  if (staged && Buffer.byteLength(basename(tempPath(resolve(path)))) > NAME_MAX)
    throw new UsageError(`${option}: expected a ${kind === 'file' ? 'file' : 'directory'} name of at most ${NAME_MAX - TEMP_OVERHEAD} bytes; found one of ${Buffer.byteLength(basename(resolve(path)))} bytes`);
  let link: Stats | undefined;
  try {
    link = lstatSync(path);
  } catch {
    link = undefined;
  }
  const st = statOrUndefined(path);
  if (link?.isSymbolicLink() && !st) throw new UsageError(`${option}: expected a file or a link to one; found ${JSON.stringify(path)}, a link to a missing file`);
  if (st) {
    if (kind === 'file' && st.isDirectory()) throw new UsageError(`${option}: expected a file name; found ${JSON.stringify(path)}, a directory`);
    if (kind === 'dir' && !st.isDirectory()) throw new UsageError(`${option}: expected a directory; found ${JSON.stringify(path)}, an existing file`);
  }
  // A device, a pipe, a socket or a shell's open file is written straight through (no temporary file).
  if (kind === 'file' && outputTarget(path).direct) return;
  // Missing parent directories are created when the output is written; the nearest existing one
  // must be a directory we may write in, and one we can create directories in (/proc cannot).
  // A missing output directory is itself one to create: try it too (/proc refuses a new one). The
  // name may not stat and still resolve to one that exists ("missing/.."): that one is not made.
  let child: string | undefined = kind === 'dir' && !st && statOrUndefined(resolve(path)) === undefined ? resolve(path) : undefined;
  for (let p = st && kind === 'dir' ? resolve(path) : dirname(resolve(path)); ; child = p, p = dirname(p)) {
    const a = statOrUndefined(p);
    if (a) {
      if (!a.isDirectory()) throw new UsageError(`${option}: expected a path under a directory; found ${JSON.stringify(p)}, a file, in ${JSON.stringify(path)}`);
      try {
        accessSync(p, constants.W_OK);
      } catch {
        throw new UsageError(`${option}: expected a directory this user may write in; found ${JSON.stringify(p)}, not writable`);
      }
      if (child !== undefined) {
        try {
          mkdirSync(child);
          rmdirSync(child);
        } catch (e) {
          throw new UsageError(`${option}: expected a directory that can be created; found ${JSON.stringify(child)} refused (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
      } else if (kind === 'file') {
        // The temporary file goes next to the real file (a link's target): try it (/proc, /sys refuse).
        const tmp = tempPath(outputTarget(path).path);
        try {
          closeSync(openSync(tmp, 'w'));
          rmSync(tmp, { force: true });
        } catch (e) {
          throw new UsageError(`${option}: expected a place a file can be written; found ${JSON.stringify(dirname(tmp))} refused (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
      }
      return;
    }
    if (dirname(p) === p) return;
  }
}

/**
 * Refuse a plot's file name that says another format: the plot is SVG whatever the name says, so a
 * .png or .pdf would be an SVG under a name that lies (".png" alone too, which extname() takes for
 * a name without an extension). A name without an extension is taken.
 */
export function checkSvgName(option: string, path: string): void {
  const name = basename(path);
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')) : '';
  if (ext !== '' && ext.toLowerCase() !== '.svg') throw new UsageError(`${option}: expected a file name ending in .svg (the plot is SVG); found ${JSON.stringify(path)}`);
}

/**
 * Where an output really goes: a link's target, and whether it is written in place (a device, a
 * pipe, a socket: no temporary file and rename, which would replace it by a regular file).
 * `fd`: the descriptor to write through, for one this process was given.
 */
function outputTarget(path: string): { path: string; direct: boolean; fd?: number } {
  // /dev/stdout, /dev/fd/N, /proc/self/fd/N: the file the shell opened, which a rename would
  // replace (and a fresh open would truncate): write to it in place, through the descriptor this
  // process holds. Opening the name again would give a file its own offset (the summary, written
  // to fd 1 after the timeline, would overwrite the timeline's start) and fails for a socket, as a
  // parent process's pipes are (ENXIO).
  const abs = resolve(path);
  const held = heldDescriptor(abs);
  if (held && held.refused === undefined) return { path, direct: true, fd: held.fd };
  if ((abs.startsWith('/dev/') || abs.startsWith('/proc/')) && statOrUndefined(abs) !== undefined) return { path, direct: true };
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    return { path, direct: false }; // not there yet
  }
  const st = statOrUndefined(real);
  return { path: real, direct: st !== undefined && !st.isFile() && !st.isDirectory() };
}

/** Whether an output path is this process's standard output (/dev/stdout, /dev/fd/1, ...). */
export function isStdout(path: string | undefined): boolean {
  return path !== undefined && heldDescriptor(resolve(path))?.fd === 1;
}

/**
 * The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N names, and why it is
 * no output if it is not one (not open, open for reading only, or one of Node's own, such
 * as its event loop's epoll or signal pipe, which an output would break or block on).
 */
function heldDescriptor(abs: string): { fd: number; refused?: string } | undefined {
  const m = /^\/dev\/(stdout|stderr)$|^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(abs);
  if (!m) return undefined;
  const fd = m[1] === 'stdout' ? 1 : m[1] === 'stderr' ? 2 : Number(m[2]);
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch {
    return { fd, refused: 'a descriptor the command was not given' };
  }
  const proc = readProcFd(fd);
  if (proc) {
    if (proc.link.startsWith('anon_inode:')) return { fd, refused: `one of Node's own descriptors (${proc.link})` };
    if ((proc.flags & 3) === 0) return { fd, refused: 'open for reading only' };
    // A pipe whose reading end this process also holds is Node's own (its signal pipe): the
    // command's output pipes are read by another process.
    if (st.isFIFO() && readEndHeld(proc.link, fd)) return { fd, refused: `one of Node's own descriptors (${proc.link})` };
  }
  return { fd };
}

/** What /proc says about one of this process's descriptors (undefined without /proc). */
function readProcFd(fd: number): { link: string; flags: number } | undefined {
  try {
    const link = readlinkSync(`/proc/self/fd/${fd}`);
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return { link, flags: flags ? parseInt(flags[1], 8) : 1 };
  } catch {
    return undefined;
  }
}

/** Whether another descriptor of this process reads the pipe `link` names. */
function readEndHeld(link: string, fd: number): boolean {
  try {
    for (const name of readdirSync('/proc/self/fd')) {
      const other = Number(name);
      if (other === fd) continue;
      const p = readProcFd(other);
      if (p && p.link === link && (p.flags & 3) !== 1) return true;
    }
  } catch {
    // no /proc: nothing to tell
  }
  return false;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Unread output a descriptor may keep waiting in memory before the run waits for its reader. */
const HELD_BACKLOG = 64 << 20;

/**
 * Output through a descriptor this process was given (its stdout, say). Node makes a pipe's or a
 * socket's descriptor non-blocking, so what it does not take at once waits here, and the run goes
 * on (and stays interruptible) while its reader is slow. drain() then waits for the reader without
 * blocking the event loop; only past HELD_BACKLOG does a write wait in place.
 */
class HeldSink {
  private pending: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly fd: number,
    private readonly option: string,
    private readonly path: string,
  ) {}

  write(text: string): void {
    const b = Buffer.from(text);
    this.pending.push(b);
    this.bytes += b.length;
    while (!this.pump() && this.bytes > HELD_BACKLOG) Atomics.wait(pause, 0, 0, 1);
  }

  /** Everything written, waiting for the reader a millisecond at a time; stops early on `signal`. */
  async drain(signal?: AbortSignal): Promise<void> {
    while (!this.pump()) {
      if (signal?.aborted) return;
      await new Promise((ok) => setTimeout(ok, 1));
    }
  }

  /** Everything written, waiting in place (for callers that cannot wait asynchronously). */
  drainSync(): void {
    while (!this.pump()) Atomics.wait(pause, 0, 0, 1);
  }

  /** Write what the descriptor takes now; whether nothing is left. */
  private pump(): boolean {
    while (this.pending.length > 0) {
      const b = this.pending[0];
      let n: number;
      try {
        n = writeSync(this.fd, b);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        return asOutputError(this.option, this.path, () => {
          throw e;
        });
      }
      this.bytes -= n;
      if (n < b.length) this.pending[0] = b.subarray(n);
      else this.pending.shift();
    }
    return true;
  }
}

/** makeDirs() (lib/dirs.ts) with a refusal as a usage error naming `option`. */
function makeDirsFor(dir: string, option: string): string[] {
  try {
    return makeDirs(dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${option}: expected a directory that can be created; found ${JSON.stringify(err.path ?? dir)} refused (${err.code ?? String(e)})`);
  }
}

/** rmSync that never throws: an abort must go on to the other outputs and keep the first error. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // left behind; nothing more to do about it here
  }
}

/** The longest file name Linux file systems take. */
const NAME_MAX = 255;

/**
 * Which file a path names: what is there already is known by device and inode, so that /dev/stdout
 * and /dev/fd/1, or a link and its target, are one file; a file still to be made, by its full path.
 */
export function fileKey(path: string, st = statOrUndefined(path)): string {
  return st ? `${st.dev}:${st.ino}` : resolve(path);
}

/**
 * Refuse two outputs of one command that are the same file (one would overwrite the other), and an
 * output that is one of its inputs (it would replace what it was made from). Inputs may share a
 * file among themselves.
 */
export function checkDistinctOutputs(
  outputs: ReadonlyArray<[option: string, path: string | undefined]>,
  inputs: ReadonlyArray<[name: string, path: string | undefined]> = [],
): void {
  const seen = new Map<string, string>();
  for (const [name, path] of inputs) {
    const st = path === undefined ? undefined : statOrUndefined(path);
    // Only a regular file can be replaced by what was made from it: a terminal or a pipe given as
    // both (/dev/stdin and /dev/stdout on one tty) is read, then written, as it should be.
    if (path === undefined || !st?.isFile()) continue;
    const key = fileKey(path, st);
    if (!seen.has(key)) seen.set(key, name);
  }
  for (const [option, path] of outputs) {
    if (path === undefined) continue;
    const st = statOrUndefined(path);
    const key = fileKey(path, st);
    const other = seen.get(key);
    if (other !== undefined) throw new UsageError(`${option}: expected a file other than ${other}'s; found the same ${st ? 'file' : 'path'} ${JSON.stringify(path)}`);
    seen.set(key, option);
  }
}

/**
 * Write all of `text` to `fd`: a file can take part of a write (at a file-size limit, RLIMIT_FSIZE)
 * and return the count, where a single writeSync() would leave the rest unwritten unnoticed. The
 * write after a short one fails with the system's error (EFBIG), or this one if it takes nothing.
 */
function writeAll(fd: number, text: string): void {
  const b = Buffer.from(text, 'utf8');
  for (let off = 0; off < b.length; ) {
    const n = writeSync(fd, b, off);
    if (n <= 0) throw Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' });
    off += n;
  }
}

/** Write a file whole under a temporary name and rename it into place; `option` names it in errors. */
export function writeFileAtomic(path: string, data: string, option = path): void {
  const f = stageFile(path, data, option);
  try {
    f.commit();
  } catch (e) {
    // A rename the system refused leaves no temporary file behind.
    f.abort();
    throw e;
  }
}

/** An output the system would not take (a full disk, a device that refuses writes): no usage error, exit 1. */
export class OutputError extends Error {
  /** What is where (nothing written, a device that holds part of it, earlier runs' files kept), for the report. */
  outcome?: string;
}

/**
 * The reader of a pipe (or socket) output closed it, as `| head` does once it has what it wants:
 * not a failure in itself. The command stops as a closed standard output stops it, quietly
 * (exit 0), unless that left other outputs unwritten (`outcome` names them; exit 1).
 */
export class OutputClosed extends OutputError {
  constructor(
    readonly option: string,
    path: string,
  ) {
    super(`${option}: the reader of "${path}" closed it`);
  }
}

/** `fn`, with a file system error turned into an OutputError naming the option and the file. */
export function asOutputError<T>(option: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    if (code === 'EPIPE') throw new OutputClosed(option, path);
    throw new OutputError(`${option}: could not write "${path}" (${code}${e instanceof Error ? `: ${e.message.replace(/^[A-Z]+: /, '').split(',')[0]}` : ''})`);
  }
}

/**
 * An output of a run, in two phases so that several outputs appear together or not at all:
 * finish() completes it under its temporary name (or writes a device or pipe, which cannot wait),
 * publish() renames it into place; abort() removes what finish() left.
 */
export interface StagedOutput {
  /** The option that named it, for messages. */
  readonly option: string;
  /** A device, pipe or socket: written as it comes, so an abort cannot take back what it holds. */
  readonly direct: boolean;
  /** Whether a device, pipe or socket has been given any of it yet. */
  readonly wrote: boolean;
  finish(): void;
  /** After finish(), wait (without blocking the event loop) until a pipe's or socket's reader has taken it all; stops early on `signal`. */
  drain?(signal: AbortSignal): Promise<void>;
  publish(): void;
  /** finish() then publish(): an output on its own. */
  commit(): void;
  abort(): void;
}

/** A file written under its temporary name, to be renamed into place (commit) or removed (abort). */
export function stageFile(target: string, data: string, option = target): StagedOutput {
  const { path, direct, fd } = outputTarget(target);
  if (direct) {
    const sink = fd === undefined ? undefined : new HeldSink(fd, option, path);
    const out = {
      option,
      direct,
      wrote: false,
      finish: () => {
        if (sink) sink.write(data);
        else asOutputError(option, path, () => writeFileSync(path, data, { flag: 'a' }));
        out.wrote = true;
      },
      drain: async (signal: AbortSignal) => sink?.drain(signal),
      publish: () => undefined,
      commit: () => {
        out.finish();
        sink?.drainSync();
      },
      abort: () => undefined,
    };
    return out;
  }
  const made = makeDirsFor(dirname(path), option);
  const tmp = tempPath(path);
  const abort = () => {
    removeQuietly(tmp);
    removeDirs(made);
  };
  asOutputError(option, path, () => {
    try {
      writeFileSync(tmp, data);
    } catch (e) {
      abort();
      throw e;
    }
  });
  const publish = () => asOutputError(option, path, () => renameSync(tmp, path));
  return { option, direct, wrote: false, finish: () => undefined, publish, commit: publish, abort };
}

/**
 * A line-by-line file that only appears under its name once complete (a device, pipe or socket
 * is written as the lines come).
 */
export class AtomicLineWriter implements StagedOutput {
  private fd: number;
  private readonly tmp: string;
  private readonly path: string;
  readonly direct: boolean;
  wrote = false;
  private buf: string[] = [];
  private size = 0;
  private closed = false;
  private readonly sink: HeldSink | undefined;
  /** Directories made for it, removed again on abort. */
  private readonly made: string[];

  constructor(
    target: string,
    readonly option = target,
  ) {
    const where = outputTarget(target);
    ({ path: this.path, direct: this.direct } = where);
    this.made = this.direct ? [] : makeDirsFor(dirname(this.path), this.option);
    this.tmp = this.direct ? this.path : tempPath(this.path);
    // A descriptor the process was given stays open for whoever else writes to it (the summary).
    this.sink = where.fd === undefined ? undefined : new HeldSink(where.fd, this.option, this.path);
    try {
      this.fd = this.sink ? -1 : asOutputError(this.option, this.path, () => openSync(this.tmp, this.direct ? 'a' : 'w'));
    } catch (e) {
      removeDirs(this.made);
      throw e;
    }
  }

  line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const text = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (this.sink) this.sink.write(text);
    else asOutputError(this.option, this.path, () => writeAll(this.fd, text));
    this.wrote = true;
  }

  finish(): void {
    this.flush();
    this.closed = true;
    if (!this.sink) asOutputError(this.option, this.path, () => closeSync(this.fd));
  }

  async drain(signal: AbortSignal): Promise<void> {
    await this.sink?.drain(signal);
  }

  publish(): void {
    if (!this.direct) asOutputError(this.option, this.path, () => renameSync(this.tmp, this.path));
  }

  commit(): void {
    this.finish();
    this.sink?.drainSync();
    this.publish();
  }

  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        if (!this.sink) closeSync(this.fd);
      } catch {
        // the descriptor failed already
      }
    }
    if (!this.direct) {
      removeQuietly(this.tmp);
      removeDirs(this.made);
    }
  }
}

/**
 * commander's error output (as its outputError gets it: "error: …", perhaps a second line with a
 * suggestion) as "<option or command>: expected …; found …" on one line; `parent` names the
 * command whose subcommand was unknown.
 */
export function commanderIssue(raw: string, parent?: string): string {
  let msg = raw.trim().replace(/^error: /, '');
  // "(Did you mean --preset?)" comes on a line of its own: it goes after what was found.
  let hint = '';
  const dym = /\s*\(Did you mean ([^)]*)\?\)\s*$/.exec(msg);
  if (dym) {
    hint = ` (did you mean ${dym[1]}?)`;
    msg = msg.slice(0, dym.index);
  }
  msg = oneLine(msg);
  let m = /^unknown option '([^']+)'$/.exec(msg);
  if (m) return `${m[1]}: expected an option the command knows (see --help); found unknown option "${m[1]}"${hint}`;
  m = /^option '([^' ]+)[^']*' argument missing$/.exec(msg);
  if (m) return `${m[1]}: expected a value after the option; found nothing`;
  m = /^too many arguments(?: for '([^']+)')?\. Expected (\d+) arguments? but got (\d+)\.?$/.exec(msg);
  if (m) return `${m[1] ?? 'command line'}: expected ${m[2]} arguments; found ${m[3]}`;
  m = /^required option '([^' ]+)[^']*' not specified$/.exec(msg);
  if (m) return `${m[1]}: expected this option; found nothing`;
  m = /^missing required argument '([^']+)'$/.exec(msg);
  if (m) return `${m[1]}: expected this argument; found nothing`;
  m = /^unknown command '([^']+)'$/.exec(msg);
  if (m) return `${parent ? `${parent} ` : ''}${m[1]}: expected a ${parent ? `${parent} subcommand` : 'damon-sim command'} (see ${parent ? `${parent} ` : ''}--help); found an unknown command${hint}`;
  return `command line: ${msg}${hint}`;
}

/** commander's outputError: its usage errors in the same one-line form as every other problem (commanderIssue()). */
export function commanderOutputError(io: Io, parent?: string): (s: string) => void {
  return (s) => io.err(`damon-sim: error: ${commanderIssue(s, parent)}\n`);
}

export function printIssues(io: Io, issues: readonly ConfigIssue[], kind: 'error' | 'warning' | 'note'): void {
  if (kind !== 'error' && io.quiet) return;
  for (const i of issues) io.err(`damon-sim: ${kind}: ${formatIssue(i)}\n`);
}

/** A line on stderr that is neither an error nor an output (what was written, what a report stands for): not with --quiet. */
export function printInfo(io: Io, line: string): void {
  if (!io.quiet) io.err(`damon-sim: ${line}\n`);
}

/** Map an exception to the CLI's exit code, printing it without a stack trace. */
export function reportFailure(io: Io, e: unknown): number {
  if (e instanceof ConfigError) {
    printIssues(io, e.warnings, 'warning');
    printIssues(io, e.issues, 'error');
    return EXIT_USAGE;
  }
  if (e instanceof UsageError) {
    io.err(`damon-sim: error: ${oneLine(e.message)}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof OutputClosed) {
    // The reader had what it wanted; other outputs it cost are a failure of the command.
    if (e.outcome === undefined) return 0;
    io.err(`damon-sim: error: ${oneLine(e.message)}; stopped, ${e.outcome}\n`);
    return 1;
  }
  if (e instanceof OutputError) {
    io.err(`damon-sim: error: ${oneLine(e.message)}; ${e.outcome ?? 'no output written'}\n`);
    return 1;
  }
  if (e instanceof RunInterrupted) {
    io.err(`damon-sim: ${e.message}: stopped, ${e.outcome ?? 'no output written'}\n`);
    // As a shell reports a command a signal ended: 128 + its number (the entry point then ends
    // the process by the signal itself, so a calling shell loop stops too).
    return 128 + (osConstants.signals[e.reason as NodeJS.Signals] ?? 0);
  }
  if (e instanceof SimulationLimitError) {
    io.err(`damon-sim: error: ${oneLine(e.message)}\n`);
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.err(`damon-sim: internal error: ${msg}\n`);
  if (process.env.DAMON_SIM_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return 1;
}
