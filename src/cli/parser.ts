/**
 * What every yargs parser of this CLI shares: repeated flags kept as arrays (so each reader
 * decides what a repeat means, see options.ts), and parse failures as usage errors (exit 2),
 * as upstream's parser does for a bad or missing flag value.
 */
import { UsageError } from '../errors.js';

export const PARSER_CONFIGURATION = { 'duplicate-arguments-array': true } as const;

/**
 * yargs' fail handler: its own parse and validation failures (a YError, or a message without an
 * error) are usage errors; an error thrown by a command handler passes through unchanged.
 */
export function failAsUsageError(message: string | undefined, err: Error | undefined): never {
  if (err && err.name !== 'YError') throw err;
  throw new UsageError(message ?? err?.message ?? 'invalid arguments');
}
