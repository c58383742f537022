/** `download`: every artifact of the chosen format, verified; returns one path per artifact. */
import { mkdir, stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { closeHttp } from '../http/fetch.js';
import { loadTrustedKeys } from '../verify/signature.js';
import type { Reporter } from '../report.js';
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
}

export async function download(o: DownloadOptions, reporter: Reporter): Promise<string[]> {
  // Absent or unreadable: treated as not there.
  const st = await stat(o.directory).catch(() => undefined);
  if (!st) await mkdir(o.directory, { recursive: true });
  else if (!st.isDirectory()) throw new UserError(`${o.directory} is not a directory`);
  try {
    const keys = await loadTrustedKeys({ extraKeyFiles: o.trustedKeys });
    const sources = await resolveImageSources({
      imageUrl: o.imageUrl,
      stream: o.stream,
      arch: o.architecture,
      platform: o.platform,
      format: o.format,
      streamBaseUrl: o.streamBaseUrl,
      retries: o.fetchRetries,
      reporter,
    });
    const paths: string[] = [];
    for (const src of sources) {
      paths.push(await downloadArtifact(src, { directory: o.directory, decompress: o.decompress, insecure: o.insecure, keys, reporter }));
    }
    return paths;
  } finally {
    await closeHttp();
  }
}
