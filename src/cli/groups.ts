/**
 * The command groups, in the order --help lists them. Each group module exports a function
 * `(y: Argv) => Argv` that adds its command(s) with `y.command(...)`.
 */
import type { Argv } from 'yargs';

export const COMMAND_GROUPS: Array<(y: Argv) => Argv> = [];
