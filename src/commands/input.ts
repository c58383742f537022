/** Reading command inputs: a named file or, when none is given, stdin; capped in size. */
import { MAX_CONFIG_BYTES, readCapped } from '../io/read-capped.js';

/** A config (Ignition) from `path`, or stdin for none or `-`; at most MAX_CONFIG_BYTES. */
export async function readInputFile(path: string | undefined, what: string): Promise<Buffer> {
  return readCapped(path, what, MAX_CONFIG_BYTES);
}
