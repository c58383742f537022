/**
 * Runs a system tool (xz, cpio, gpg, uname...) as an oracle or a fixture builder for unit tests,
 * which never start node or the CLI: the unit tier checks code in-process, and a tool of the
 * system is the independent reference its output is compared with.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { basename } from 'node:path';

/** Runs `command` with `args` and returns its stdout; a non-zero exit throws with its stderr. */
export function runTool(command: string, args: string[], options: Omit<ExecFileSyncOptions, 'encoding'> = {}): Buffer {
  if (command === process.execPath || /^node(js)?$/.test(basename(command))) {
    throw new Error(
      `runTool: ${command} is node; a test that runs the project in a process belongs in test/integration`,
    );
  }
  return execFileSync(command, args, { maxBuffer: 256 * 1024 * 1024, ...options, encoding: 'buffer' });
}
