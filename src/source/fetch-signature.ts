/**
 * Fetching a detached signature from a URL. A signature that is not there (404, 410, or a
 * missing file:// file) is missing, as upstream: `Failed to fetch signature: …` is printed and
 * the missing-signature rule applies (fatal unless --insecure). Any other failure (5xx after
 * the retries, a timeout, a redirect loop, a refused connection, an oversized answer) says
 * nothing about whether a signature exists, so it is fatal in every mode, its cause kept:
 * --insecure only tolerates a signature that is absent.
 */
import { UserError } from '../errors.js';
import { httpGetBytes, HttpStatusError } from '../http/fetch.js';
import type { Reporter } from '../report.js';

/** Detached signatures are a few hundred bytes; anything past this is not one. */
const MAX_SIGNATURE_BYTES = 1024 * 1024;

const ABSENT = new Set([404, 410]);

export interface FetchSignatureOptions {
  retries: number;
  reporter: Reporter;
}

/** The signature's bytes, or undefined when the server says it does not exist. */
export async function fetchSignature(url: string, options: FetchSignatureOptions): Promise<Uint8Array | undefined> {
  try {
    return await httpGetBytes(url, {
      retries: options.retries,
      reporter: options.reporter,
      maxBytes: MAX_SIGNATURE_BYTES,
    });
  } catch (err) {
    if (err instanceof HttpStatusError && ABSENT.has(err.status)) {
      options.reporter.warn(`Failed to fetch signature: ${err.message}`);
      return undefined;
    }
    throw new UserError(`fetching signature from ${url}`, { cause: err });
  }
}
