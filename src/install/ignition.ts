/**
 * The Ignition config for the installed system: from `-i` (file) or `-I` (URL: https, or http
 * only with --ignition-hash / --insecure-ignition; a redirect never leads from https to http).
 * Both are capped in size. Unlike upstream, the hash and the Ignition spec are checked BEFORE
 * the image is written, so a bad config never costs a disk.
 */
import { createHash } from 'node:crypto';
import { UsageError, UserError, VerificationError } from '../errors.js';
import { validateIgnitionConfig } from '../formats/ignition/validate.js';
import { httpGetBytes } from '../http/fetch.js';
import { MAX_CONFIG_BYTES, readCapped } from '../io/read-capped.js';
import type { Reporter } from '../report.js';

export interface IgnitionSourceOptions {
  ignitionFile?: string;
  ignitionUrl?: string;
  ignitionHash?: string;
  insecureIgnition: boolean;
  fetchRetries: number;
  /** Skip the spec validation (the config must still be JSON, as upstream requires). */
  noValidate?: boolean;
}

export function parseIgnitionHash(text: string): { algorithm: 'sha256' | 'sha512'; hex: string } {
  const m = /^(sha256|sha512)-([0-9a-fA-F]+)$/.exec(text);
  const expectLen = m?.[1] === 'sha256' ? 64 : 128;
  if (!m || m[2]!.length !== expectLen) {
    throw new UsageError(`invalid hash '${text}': expected sha256-<64 hex digits> or sha512-<128 hex digits>`);
  }
  return { algorithm: m[1] as 'sha256' | 'sha512', hex: m[2]!.toLowerCase() };
}

export function checkIgnitionHash(bytes: Buffer, hash: string): void {
  const { algorithm, hex } = parseIgnitionHash(hash);
  const computed = createHash(algorithm).update(bytes).digest('hex');
  if (computed !== hex) throw new VerificationError(`hash mismatch, computed '${computed}' but expected '${hex}'`);
}

/** Checks the URL rules without fetching (used early and by --dry-run). */
export function checkIgnitionUrl(opts: IgnitionSourceOptions): void {
  if (!opts.ignitionUrl) return;
  let url: URL;
  try {
    url = new URL(opts.ignitionUrl);
  } catch {
    throw new UserError(`unknown protocol for URL '${opts.ignitionUrl}'`);
  }
  if (url.protocol === 'http:') {
    if (!opts.ignitionHash && !opts.insecureIgnition) {
      throw new UserError('refusing to fetch Ignition config over HTTP without --ignition-hash or --insecure-ignition');
    }
  } else if (url.protocol !== 'https:') {
    throw new UserError(`unknown protocol for URL '${opts.ignitionUrl}'`);
  }
}

/** Loads, hash-checks and validates the config; undefined when none was requested. */
export async function loadIgnition(opts: IgnitionSourceOptions, reporter: Reporter): Promise<Buffer | undefined> {
  let bytes: Buffer;
  if (opts.ignitionFile) {
    bytes = await readCapped(opts.ignitionFile, 'Ignition config', MAX_CONFIG_BYTES);
  } else if (opts.ignitionUrl) {
    checkIgnitionUrl(opts);
    const fetching = { retries: opts.fetchRetries, reporter, maxBytes: MAX_CONFIG_BYTES, httpsOnlyRedirects: true };
    bytes = await httpGetBytes(opts.ignitionUrl, fetching).catch((err: unknown) => {
      throw new UserError(`downloading Ignition config from ${opts.ignitionUrl}`, { cause: err });
    });
  } else {
    if (opts.ignitionHash) parseIgnitionHash(opts.ignitionHash);
    return undefined;
  }
  if (opts.ignitionHash) checkIgnitionHash(bytes, opts.ignitionHash);
  try {
    JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UserError('parsing specified Ignition config', { cause: err });
  }
  if (opts.noValidate) return bytes;
  const { warnings } = validateIgnitionConfig(bytes);
  for (const w of warnings) reporter.warn(`Warning: Ignition config: ${w}`);
  return bytes;
}
