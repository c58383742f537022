/** Flag specs shared by commands that fetch and verify images (download, install). */
import type { Argv } from 'yargs';

/** `--trusted-key <file>` (repeatable) and `--insecure`. */
export function addTrustOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('trusted-key', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'Also trust this OpenPGP public key file (armored or binary; repeatable)',
    })
    .option('insecure', {
      type: 'boolean',
      describe: 'Allow unsigned image (a bad signature is still fatal)',
    }) as unknown as Argv<T>;
}

/** `--stream-base-url <URL>` and `--fetch-retries <N|infinite>`. */
export function addFetchOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('stream-base-url', {
      type: 'string',
      requiresArg: true,
      describe: 'Base URL for stream metadata (http://, https:// or file://)',
    })
    .option('fetch-retries', {
      type: 'string',
      requiresArg: true,
      describe: 'Fetch retries, or "infinite" [default: 0]',
    }) as unknown as Argv<T>;
}
