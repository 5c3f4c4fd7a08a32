// SPDX-License-Identifier: GPL-2.0-only
/**
 * The damo-format commands: export, import, args, report damon.
 */
import type { Command } from 'commander';
import { registerArgs } from './args.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import type { Io } from './io.js';
import { registerReport } from './report.js';

export function registerDamoCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  registerExport(program, io, setExit);
  registerImport(program, io, setExit);
  registerArgs(program, io, setExit);
  registerReport(program, io, setExit);
}
