/**
 * Reads a whole command input (a named file, or stdin for none or `-`) into memory, refusing
 * anything larger than a cap before it is all read: `-i /dev/zero` or a runaway pipe fails
 * with a clear error instead of growing memory without limit. Configs are capped like the
 * ones fetched from URLs.
 */
import { UserError } from '../errors.js';
import { inputChunks } from './input-chunks.js';

/** The most an Ignition config may weigh, from a file, stdin or a URL. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

function describeSize(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

export async function readCapped(path: string | undefined, what: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of inputChunks(path, what)) {
    total += chunk.length;
    if (total > maxBytes) {
      const source = path === undefined || path === '-' ? 'from stdin' : `'${path}'`;
      throw new UserError(`${what} ${source} is larger than ${describeSize(maxBytes)}; is it the right file?`);
    }
    chunks.push(Buffer.from(chunk)); // lent: copied to be kept
  }
  return Buffer.concat(chunks, total);
}
