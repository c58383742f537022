/**
 * The command groups, in the order --help lists them. Each group module exports a function
 * `(y: Argv) => Argv` that adds its command(s) with `y.command(...)`.
 */
import type { Argv } from 'yargs';
import { isoCommands } from './iso.js';
import { pxeCommands } from './pxe.js';
import { devCommands } from './dev.js';
import { installCommands } from './install.js';
import { installServiceCommands } from './install-service.js';
import { downloadCommands } from './download.js';
import { listStreamCommands } from './list-stream.js';
import { packCommands } from './pack.js';
import { completionCommands } from './completion.js';

export const COMMAND_GROUPS: Array<(y: Argv) => Argv> = [
  installServiceCommands,
  installCommands,
  downloadCommands,
  listStreamCommands,
  isoCommands,
  pxeCommands,
  devCommands,
  packCommands,
  completionCommands,
];
