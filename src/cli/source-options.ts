/** Flag specs shared by commands that fetch and verify images (download, install). */
import type { Argv } from 'yargs';
import { SHARED_FLAG_TEXT } from '../install/option-fields.js';

/** `--trusted-key <file>` (repeatable) and `--insecure`. */
export function addTrustOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('trusted-key', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: SHARED_FLAG_TEXT.trustedKey,
    })
    .option('insecure', {
      type: 'boolean',
      describe: SHARED_FLAG_TEXT.insecure,
    });
}

/** `--stream-base-url <URL>` and `--fetch-retries <N|infinite>`. */
export function addFetchOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('stream-base-url', {
      type: 'string',
      requiresArg: true,
      describe: SHARED_FLAG_TEXT.streamBaseUrl,
    })
    .option('fetch-retries', {
      type: 'string',
      requiresArg: true,
      describe: SHARED_FLAG_TEXT.fetchRetries,
    });
}
