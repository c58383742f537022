/** Reading command inputs: a named file or, when none is given, stdin; capped in size. */
import { UserError } from '../errors.js';
import { MAX_CONFIG_BYTES, readCapped } from '../io/read-capped.js';

/** A config (Ignition) from `path`, or stdin for none or `-`; at most MAX_CONFIG_BYTES. */
export async function readInputFile(path: string | undefined, what: string): Promise<Buffer> {
  // A terminal on stdin means nothing was piped in: waiting there without a prompt looks hung.
  if ((path === undefined || path === '-') && process.stdin.isTTY) {
    throw new UserError(`no ${what} given: name the file with -i FILE, or pipe it on stdin`);
  }
  return readCapped(path, what, MAX_CONFIG_BYTES);
}
