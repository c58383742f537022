/**
 * Sizes on the command line and in install config files: a number of bytes, or a number with a
 * binary unit (`512M`, `8G`, `3GiB`, `1TB` are all powers of 1024). One parser for every size
 * option, so each accepts and rejects the same spellings with the same message.
 */
import { UsageError } from '../errors.js';

const UNIT_EXPONENT: Record<string, number> = { '': 0, K: 1, M: 2, G: 3, T: 4 };

/**
 * The size in bytes; a usage error naming the option (`flag`, e.g. `dest-size <SIZE>`) for text
 * that is not a size or a size beyond what a safe integer holds.
 */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+)\s*(?:([KMGT])(?:i?B)?|B)?$/i.exec(text.trim());
  const bytes = m ? Number(m[1]) * 1024 ** UNIT_EXPONENT[(m[2] ?? '').toUpperCase()]! : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`invalid value '${text}' for '--${flag}': expected a size like 8G, 512M or a number of bytes`);
  }
  return bytes;
}
