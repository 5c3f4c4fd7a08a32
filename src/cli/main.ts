#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
/**
 * The damon-sim command line.
 *
 * `npm start` runs it, as the bench runs its children, with one V8 platform worker
 * (`--v8-pool-size=1`): with Node's
 * default four, TurboFan's background compiles and the GC's helpers took the simulation thread's
 * core for ~0.25 s of a ~1 s preset run on a 2-core machine. The shebang stays plain `node`
 * (`env -S` is not everywhere, BusyBox's env lacks it); `NODE_OPTIONS=--v8-pool-size=1` gives the
 * installed command the same (README, docs/architecture.md "A fresh process against a warm one").
 * Run as the command, it also sets V8's inlining limit for itself (./v8-tuning.ts).
 */
import { Command, CommanderError } from 'commander';
import { realpathSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { commanderOutputError, processIo, reportFailure, EXIT_USAGE, UsageError, type Io } from './io.js';
import { runCommand } from './run.js';
import { RUN_DAMO_HELP } from './run-damo.js';
import { STOP_SIGNALS } from './interactive.js';
import { registerDamoCommands } from './damo-commands.js';
import { PROFILES, describeProfiles, profilesMarkdown } from '../profiles.js';
import { scenarioJsonSchemaText } from '../scenario/jsonschema.js';
import { tuneV8 } from './v8-tuning.js';
import { staleSource } from './stale-build.js';
import { TRACEPOINTS } from '../run/trace.js';

export const VERSION = '0.1.0';

/**
 * The CLI's commands, and the io they print through: the given one, with quiet set from the root's
 * --quiet once options are parsed (a failure is reported through it too, so that -q holds there).
 */
export function buildProgram(given: Io, setExit: (code: number) => void): { program: Command; io: Io } {
  const io: Io = {
    out: (s) => given.out(s),
    err: (s) => given.err(s),
    get isTTY() {
      return given.isTTY;
    },
    get outColumns() {
      return given.outColumns;
    },
    quiet: given.quiet,
  };
  const program = new Command();
  program
    .name('damon-sim')
    .description('Kernel-faithful, deterministic simulator of Linux DAMON + DAMOS on a simulated tiered-memory machine')
    .version(VERSION)
    .option('-q, --quiet', 'print only errors on stderr: no warnings, notes, "wrote" lines or progress bar')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // Usage errors in the same one-line form as every other problem: what, expected, found.
      outputError: commanderOutputError(io),
    })
    .showSuggestionAfterError();

  program
    .command('run')
    .description('run a scenario file (JSON or YAML) or a built-in preset')
    .argument('[scenario]', 'scenario file (.json, .yaml)')
    .option('--preset <name>', 'run a built-in scenario (tiering-6040)')
    .option('--tuner <tuner>', "goal tuner of every scheme with quota goals, the preset's or the file's: temporal or consist")
    .option('--compare-tuners', "run the preset, or the scenario file's goal-tuned schemes, with each tuner and print the summaries side by side")
    .option('--duration <time>', 'simulated duration, e.g. "10 m", "90 s" (bare number = seconds)')
    .option('--seed <n>', 'PRNG seed')
    .option('--seeds <list>', 'a seed sweep: run once per seed ("1-8", "1,2,42") and print one row per seed and a line over all')
    .option('--profile <name>', `kernel profile: ${PROFILES.map((p) => p.name).join(', ')}`)
    .option('--sampling <mode>', 'region (fast) or folio (per-address folio lookups)')
    .option('--out <file>', 'write the NDJSON timeline here')
    .option('--plot <file>', 'write an SVG plot of the goals here')
    .option('--trace <file>', 'write the DAMON tracepoint stream here (perf-script lines: damon_aggregated, damos_before_apply, damos_esz, ...)')
    .option('--trace-events <list>', `with --trace: only these tracepoints, comma-separated, as perf record -e damon:NAME picks them (${TRACEPOINTS.join(', ')})`)
    .option('--tolerance <n>', "the summary's band around each goal's target, in the goal's unit (bp for the node metrics; default 100): time to target and to settle, and the share of the second half within it")
    .option('--out-dir <dir>', 'with --compare-tuners (default out) or --seeds (default: none written): directory for the timelines and plots')
    .option('--jobs <n>', 'with --compare-tuners or --seeds: threads that compute the runs at once (default: one per processor); the output is the same for any n')
    .option('--damo-compat <mode>', 'kernel (default) or upstream: reproduce upstream damo v3.3 dropping node_eligible_mem_bp nid')
    .option('--no-progress', 'no progress bar')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', RUN_DAMO_HELP)
    .action(async (file: string | undefined, opts, cmd: Command) => {
      setExit(await runCommand(io, file, { ...opts, damoArgs: cmd.args }));
    });

  program
    .command('schema')
    .description('print the JSON Schema of the scenario file (for editor completion)')
    .action(() => {
      io.out(scenarioJsonSchemaText());
      setExit(0);
    });

  program
    .command('profiles')
    .description('list the kernel profiles and every switch they set')
    .option('--markdown', 'as the markdown table of docs/profiles.md')
    .action((opts: { markdown?: boolean }) => {
      io.out(opts.markdown ? profilesMarkdown() : describeProfiles());
      setExit(0);
    });
  registerDamoCommands(program, io, setExit);
  onceEach(program);
  // commander takes the word after an option as its value even when it is another option's name
  // (`--out-dir --no-progress` made a directory of that name): refuse that before any command runs.
  program.hook('preAction', (root, cmd) => {
    if (root.opts().quiet === true) io.quiet = true;
    const stale = io.quiet ? undefined : staleSource(import.meta.url);
    if (stale !== undefined) io.err(`damon-sim: warning: ${stale} changed after the last build: this command runs the build in dist/, without the change ("npm run build" first)\n`);
    // The command's own options, --help (every command has it) and the root's (--version).
    const names = new Set([...cmd.options, ...root.options].flatMap((o) => [o.long, o.short]).filter((n) => n !== undefined));
    names.add('--help').add('-h');
    for (const o of cmd.options) {
      if (o.variadic && o.long) variadicOnce(o.long, rawArgsOf(root));
      const v: unknown = cmd.getOptionValue(o.attributeName());
      if ((o.required || o.optional) && typeof v === 'string' && names.has(v.split('=')[0]))
        throw new UsageError(`${o.long ?? o.short}: expected a value after the option; found the option ${v}`);
    }
  });
  return { program, io };
}

/**
 * commander keeps the last of a repeated option's values: `--out a --out b` would write b alone and
 * drop a without a word. Every option that takes one value (of `cmd` and its subcommands) refuses a
 * second.
 */
function onceEach(cmd: Command): void {
  for (const o of cmd.options) {
    if (!(o.required || o.optional) || o.variadic || o.parseArg !== undefined || o.defaultValue !== undefined) continue;
    const name = o.long ?? o.short;
    o.argParser((value: string, previous: unknown) => {
      if (previous !== undefined) throw new UsageError(`${name}: expected the option once (a second value would replace the first); found ${JSON.stringify(value)} after ${JSON.stringify(previous)}`);
      return value;
    });
  }
  cmd.commands.forEach(onceEach);
}

/** The argv the root command parsed: commander keeps it as `rawArgs` without declaring it in its types. */
function rawArgsOf(root: Command): readonly string[] {
  const raw = (root as Command & { rawArgs?: unknown }).rawArgs;
  return Array.isArray(raw) ? (raw as string[]) : [];
}

/**
 * An option that takes several values concatenates a repeat's (commander) where damo's nargs='+'
 * keeps the last: neither is what `--damos-stat-fields a --damos-stat-fields b` most likely meant,
 * so a repeat is refused, as a single-value option's is (onceEach()).
 */
function variadicOnce(long: string, rawArgs: readonly string[]): void {
  const end = rawArgs.indexOf('--');
  const uses = (end < 0 ? rawArgs : rawArgs.slice(0, end)).filter((a) => a === long || a.startsWith(`${long}=`));
  if (uses.length > 1) throw new UsageError(`${long}: expected the option once, with all its values after it; found it ${uses.length} times`);
}

/** Run the CLI with argv (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const { program, io: cmdIo } = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help, --version
      return EXIT_USAGE;
    }
    return reportFailure(cmdIo, e);
  }
  return code;
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // A closed pipe (`| head`) ends the output quietly; any other write failure (a full disk) is one
  // line on stderr, not a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`damon-sim: error: writing the output: ${e.code ?? e.message}\n`);
    process.exit(1);
  });
  // A closed stderr (`2>&1 | head`) takes the rest of the messages with it, not the process.
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  tuneV8();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Stopped by a signal (run cleaned up and said so): end by the signal itself, as a process
      // without handlers would, so that a calling shell loop stops too.
      const sig = STOP_SIGNALS.find((s) => code === 128 + osConstants.signals[s]);
      if (sig !== undefined && process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    },
    (e: unknown) => {
      process.exitCode = reportFailure(processIo, e);
    },
  );
}
