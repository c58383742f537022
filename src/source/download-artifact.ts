/**
 * Downloads one artifact into a directory, named after the last URL segment after redirects
 * (download-name.ts), verified in one streaming pass. Nothing at the final name is ever
 * written, truncated or deleted by a download: the bytes go to the locked `NAME.part`
 * (part-file.ts), which is renamed to `NAME` only after it verified, and the `.sig` (unless -d)
 * is renamed beside it then. An existing `NAME` whose `.sig` equals the published one and that
 * verifies is kept; one that does not verify is replaced only by a verified download. A
 * failed run leaves `NAME` and `NAME.sig` as they were. Beyond upstream: a download
 * interrupted mid-body keeps `NAME.part`, and the next run resumes it with a Range request,
 * re-verifying the whole file (the existing bytes are fed to the verifier first).
 */
import { createReadStream } from 'node:fs';
import { lstat, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import type * as openpgp from 'openpgp';
import { chainHas, UserError, VerificationError } from '../errors.js';
import { HttpRangeError } from '../http/content-range.js';
import { HttpStatusError } from '../http/fetch.js';
import { signerOf } from '../verify/signer.js';
import { createSignatureVerifier } from '../verify/signature.js';
import { HashTap } from '../verify/sha256-tap.js';
import { chunksOf } from '../io/stream-chunks.js';
import { formatBytes, type Reporter } from '../report.js';
import { downloadPaths } from './download-name.js';
import type { ImageSource, OpenedImage } from './image-source.js';
import { PartFile } from './part-file.js';
import { requireSignature, verifiedPipeline } from './download-verified-stream.js';

export { decompressedName } from './download-name.js';

export interface DownloadArtifactOptions {
  directory: string;
  decompress: boolean;
  insecure: boolean;
  keys: openpgp.PublicKey[];
  reporter: Reporter;
}

const RESUMABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** A transport failure mid-body (worth resuming), as opposed to bad data or a bad signature. */
export function isResumable(err: unknown): boolean {
  if (chainHas(err, VerificationError)) return false;
  let e: unknown = err;
  for (let i = 0; e instanceof Error && i < 8; i++) {
    // node:http reports a dropped connection as ECONNRESET (`aborted`, `socket hang up`) and
    // http/node-get's idle timeouts as ETIMEDOUT.
    if (RESUMABLE_CODES.has((e as NodeJS.ErrnoException).code ?? '')) return true;
    e = e.cause;
  }
  return false;
}

/** Refuses a final name that is there but could never be replaced by a file (a directory...). */
async function checkFinalName(path: string): Promise<void> {
  // Absent or unreadable: treated as not there.
  const st = await lstat(path).catch(() => undefined);
  if (st && !st.isFile() && !st.isSymbolicLink()) {
    throw new UserError(
      `${path} exists and is not a regular file${st.isDirectory() ? ' (a directory)' : ''}; remove it or download into another directory (-C)`,
    );
  }
}

/** True when `path` exists, its `.sig` equals `sig`, and it verifies (signature and sha256). */
async function existingVerified(
  path: string,
  sig: Uint8Array,
  src: ImageSource,
  opts: DownloadArtifactOptions,
): Promise<boolean> {
  // No saved signature: nothing to compare.
  const saved = await readFile(`${path}.sig`).catch(() => undefined);
  // Absent or unreadable: treated as not there.
  const st = await stat(path).catch(() => undefined);
  if (!saved || !Buffer.from(sig).equals(saved) || !st?.isFile()) return false;
  const verifier = createSignatureVerifier(sig, opts.keys);
  const sha = new HashTap('sha256');
  try {
    await pipeline(createReadStream(path), verifier.stream, sha, new Writable({ write: (_c, _e, cb) => cb() }));
    await verifier.verified();
    if (src.sha256 && sha.digest() !== src.sha256) throw new VerificationError('sha256 mismatch');
    const signer = await signerOf(sig, opts.keys);
    if (signer) opts.reporter.signature({ label: src.type, ...signer });
    return true;
  } catch {
    opts.reporter.warn(`Existing ${path} failed verification; it is replaced once a new download verified`);
    return false;
  }
}

/**
 * The last line of defence when nothing else checks the bytes (--insecure without a signature
 * or sha256): a body shorter or longer than announced (Content-Length / Content-Range) fails.
 * Short is a transport failure (resumable); long is not.
 */
function checkLength(got: number, expected: number | undefined, src: ImageSource): void {
  if (expected === undefined || got === expected) return;
  const msg = `received ${got} bytes of ${src.description}, expected ${expected}`;
  if (got > expected) throw new UserError(msg);
  throw Object.assign(new Error(`connection closed early: ${msg}`), { code: 'ECONNABORTED' });
}

/** Opens the body, resuming the `.part`'s bytes when possible; restarts when the server cannot. */
async function openForResume(src: ImageSource, part: PartFile, opts: DownloadArtifactOptions): Promise<OpenedImage> {
  const have = await part.size();
  if (have === 0) return src.openAt(0);
  try {
    const opened = await src.openAt(have);
    if (opened.start === have) opts.reporter.info(`Resuming ${part.path} at ${formatBytes(have)}`);
    else opts.reporter.info(`Server does not support resume; downloading ${part.path} again`);
    return opened;
  } catch (err) {
    if (chainHas(err, HttpRangeError)) {
      throw new UserError(`resuming ${part.path} (delete it to download from the start)`, { cause: err });
    }
    // 416: the .part is not a prefix of what the server has now; start over.
    if (!(err instanceof HttpStatusError && err.status === 416)) throw err;
    await part.truncate(0);
    return src.openAt(0);
  }
}

/** Writes the signature to a temporary name next to `sigPath` (renamed into place later). */
async function stageSignature(sigPath: string, sig: Uint8Array): Promise<string> {
  const tmp = `${sigPath}.tmp`;
  // Only the holder of NAME.part's lock writes this name: a leftover is a crashed run's.
  await rm(tmp, { force: true });
  await writeFile(tmp, sig, { flag: 'wx', mode: 0o644 });
  return tmp;
}

export async function downloadArtifact(src: ImageSource, opts: DownloadArtifactOptions): Promise<string> {
  const sig = await src.signature();
  const signed = requireSignature(sig, opts.insecure, opts.reporter);

  // The file is named after the URL after redirects, known only once the request answered.
  let opened = await src.openAt(0);
  let part: PartFile | undefined;
  try {
    const url = opened.finalUrl ?? src.url;
    if (url === undefined) throw new UserError(`internal error: ${src.description} has no URL to download`);
    const { finalPath, partPath, sigPath, decompressing } = downloadPaths(url, opts.directory, opts.decompress);
    await checkFinalName(finalPath);
    if (!opts.decompress) await checkFinalName(sigPath);
    if (!signed && (await lstat(finalPath).catch(() => undefined))) {
      throw new UserError(
        `${finalPath} exists; an unverified download (--insecure, no signature published) never replaces a file: remove it or download into another directory (-C)`,
      );
    }
    part = await PartFile.acquire(partPath);

    if (!opts.decompress && signed && (await existingVerified(finalPath, sig, src, opts))) {
      opened.body.destroy();
      await part.discard();
      return finalPath;
    }
    // A decompressed download cannot resume: its .part holds decoded bytes, not the published ones.
    if (!decompressing && (await part.size()) > 0) {
      opened.body.destroy();
      opened = await openForResume(src, part, opts);
    }
    await part.truncate(opened.start);
    return await writeVerified(src, opened, part, { finalPath, sigPath, decompressing, signed, sig, opts });
  } catch (err) {
    opened.body.destroy();
    throw err instanceof UserError ? err : new UserError(`downloading ${src.description}`, { cause: err });
  } finally {
    await part?.close();
  }
}

interface WriteContext {
  finalPath: string;
  sigPath: string;
  decompressing: boolean;
  signed: boolean;
  sig: Uint8Array | undefined;
  opts: DownloadArtifactOptions;
}

/** Streams the body through verification into the `.part`, then renames it into place. */
async function writeVerified(
  src: ImageSource,
  opened: OpenedImage,
  part: PartFile,
  ctx: WriteContext,
): Promise<string> {
  const { opts } = ctx;
  const canResume = !ctx.decompressing;
  const resumed = opened.start > 0;
  // A transport failure mid-body ends the stream cleanly instead of tearing the pipeline down,
  // so every byte received reaches the .part; the failure is raised once the bytes are on disk.
  // The body's bytes are counted: the file must end up exactly as long as the server said.
  let bodyError: unknown;
  let received = 0;
  const rawBody = opened.body;
  const body = Readable.from(
    (async function* () {
      try {
        for await (const chunk of chunksOf(rawBody)) {
          received += chunk.length;
          yield chunk;
        }
      } catch (err) {
        if (!canResume) throw err;
        bodyError = err ?? new Error('connection lost');
      }
    })(),
    { objectMode: false },
  );

  let stagedSig: string | undefined;
  try {
    const vp = await verifiedPipeline(src, {
      keys: opts.keys,
      insecure: opts.insecure,
      decompress: ctx.decompressing,
      reporter: opts.reporter,
      signature: ctx.signed ? ctx.sig : null,
      body,
      leadIn: resumed ? { stream: part.readPrefix(opened.start), length: opened.start } : undefined,
      total: opened.length,
      label: src.type,
    });
    // A 1 MiB buffer lets chunks queue and go out in batches (writev) while the next ones arrive;
    // with the default 16 KiB, each network chunk waits for its own write.
    const out = part.writeFrom(opened.start, 1024 * 1024);
    await pipeline(vp.stream, out);
    // The response body's own error, passed on as it is (the rule sees the narrowed unknown as `{}`).
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (bodyError !== undefined) throw bodyError;
    checkLength(opened.start + received, opened.length, src);
    await vp.done();
    if (!opts.decompress && ctx.sig) stagedSig = await stageSignature(ctx.sigPath, ctx.sig);
    await part.commit(ctx.finalPath);
    // The .sig beside the file describes what is there now: the published one, or none.
    if (stagedSig) await rename(stagedSig, ctx.sigPath);
    // Best-effort cleanup; the outcome is already decided.
    else await rm(ctx.sigPath, { force: true }).catch(() => undefined);
    return ctx.finalPath;
  } catch (err) {
    // Best-effort cleanup; the outcome is already decided.
    if (stagedSig) await rm(stagedSig, { force: true }).catch(() => undefined);
    const keep = canResume && isResumable(err) && (await part.size().catch(() => 0)) > 0;
    if (keep) opts.reporter.warn(`Partial download kept in ${part.path}; run the command again to resume it`);
    else await part.discard();
    throw err instanceof UserError ? err : new UserError(`downloading ${src.description}`, { cause: err });
  }
}
