/**
 * `download`: every artifact of the chosen format, verified; returns one entry per artifact
 * (its path, size, sha256 and the key that verified it) for the paths on stdout or --json.
 */
import { stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import { closeHttp } from '../http/fetch.js';
import { sha256OfFile } from '../verify/file-sha256.js';
import { loadTrustedKeys } from '../verify/signature.js';
import type { Reporter, SignatureEvent } from '../report.js';
import { downloadArtifact } from '../source/download-artifact.js';
import { resolveImageSources } from '../source/image-source.js';

export interface DownloadOptions {
  stream: string;
  architecture: string;
  platform: string;
  format: string;
  imageUrl?: string;
  directory: string;
  decompress: boolean;
  insecure: boolean;
  streamBaseUrl?: string;
  fetchRetries: number;
  trustedKeys: string[];
  flavor: Flavor;
}

export interface DownloadedArtifact {
  path: string;
  /** The key that verified it; undefined when unsigned (--insecure). */
  signature?: SignatureEvent;
}

/** What the JSON result says about a file in place: path, size, sha256 and verifying key. */
export async function describeArtifact(artifact: DownloadedArtifact): Promise<Record<string, unknown>> {
  const size = (await stat(artifact.path)).size;
  const sha256 = (await sha256OfFile(artifact.path)).toString('hex');
  const signature = artifact.signature
    ? { fingerprint: artifact.signature.fingerprint, userId: artifact.signature.userId }
    : null;
  return { path: artifact.path, size, sha256, signature };
}

export async function download(options: DownloadOptions, reporter: Reporter): Promise<DownloadedArtifact[]> {
  // As upstream, the directory is not created: a mistyped -C fails before anything is fetched.
  const st = await stat(options.directory).catch((err: unknown) => {
    throw new UserError(`download directory ${options.directory} does not exist; create it first or pass another -C`, {
      cause: err,
    });
  });
  if (!st.isDirectory()) throw new UserError(`${options.directory} is not a directory`);
  try {
    const keys = await loadTrustedKeys({ extraKeyFiles: options.trustedKeys });
    const sources = await resolveImageSources({
      imageUrl: options.imageUrl,
      stream: options.stream,
      arch: options.architecture,
      platform: options.platform,
      format: options.format,
      streamBaseUrl: options.streamBaseUrl,
      product: FLAVORS[options.flavor].product,
      retries: options.fetchRetries,
      reporter,
    });
    const artifacts: DownloadedArtifact[] = [];
    for (const src of sources) {
      let signer: SignatureEvent | undefined;
      const watching: Reporter = {
        ...reporter,
        signature: (event) => void ((signer = event), reporter.signature(event)),
      };
      const path = await downloadArtifact(src, {
        directory: options.directory,
        decompress: options.decompress,
        insecure: options.insecure,
        keys,
        reporter: watching,
      });
      artifacts.push({ path, signature: signer });
    }
    return artifacts;
  } finally {
    await closeHttp();
  }
}
