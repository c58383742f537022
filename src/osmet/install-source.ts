/**
 * The offline image source of `install`: the metal image rebuilt from an osmet file and the
 * live system's OSTree repo. Upstream's choice: `--image-file` and `--image-url` win; then
 * `--offline` requires an osmet file matching the architecture and the target's sector size;
 * with no source and no `--stream`, a matching osmet file is used when there is one. Everything
 * knowable is checked here, before the target is opened: the file's structure, every object it
 * needs (present, long enough), the image size against the target. The rebuilt bytes are
 * checked against the file's length and sha256 as they stream (there is no signature: the
 * file is trusted because it sits in /run on the live system).
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import type { TargetFacts } from '../disk/target.js';
import { osmetDirs, osmetRepo } from '../flavor.js';
import type { Reporter } from '../report.js';
import type { ImageSource, OpenedImage } from '../source/image-source.js';
import type { Sink, VerifiedPump } from '../source/install-verified-pass.js';
import { type OsmetFile, readOsmetFile } from './file.js';
import { objectHex } from './format.js';
import { findOsmet } from './locate.js';
import { objectPath, rebuildImage } from './unpack.js';

export interface OfflineChoice {
  offline: boolean;
  imageFile?: string;
  imageUrl?: string;
  stream?: string;
  architecture: string;
}

export interface OsmetSource extends ImageSource {
  readonly osmet: OsmetFile;
  readonly repo: string;
  /** The rebuilt image, checked as it streams (replaces the signature-verified pump). */
  openPump(options: { reporter: Reporter; signal?: AbortSignal }): VerifiedPump;
}

/** Every object the file maps exists in the repo and is long enough for its offsets. */
async function checkObjects(file: OsmetFile, repo: string): Promise<void> {
  // Absent or unreadable: treated as not there.
  const repoStat = await stat(repo).catch(() => undefined);
  if (!repoStat?.isDirectory())
    throw new UserError(`OSTree repo ${repo} not found; offline installs run on a live system`);
  const need = new Map<string, { object: Buffer; minSize: number }>();
  for (const p of file.body.partitions) {
    for (const m of p.mappings) {
      const hex = objectHex(m.object);
      const cur = need.get(hex);
      need.set(hex, { object: m.object, minSize: Math.max(cur?.minSize ?? 0, m.extent.logical) });
    }
  }
  for (const [hex, { object, minSize }] of need) {
    const path = objectPath(repo, object);
    const st = await stat(path).catch((err: unknown) => {
      throw new UserError(`OSTree object ${hex} needed by ${file.path} is missing`, { cause: err });
    });
    if (!st.isFile()) throw new UserError(`OSTree object ${path} is not a regular file`);
    if (st.size < minSize)
      throw new UserError(`OSTree object ${path} (${st.size} bytes) is shorter than its mapping offset ${minSize}`);
  }
}

/** Owned copies of lent chunks, for consumers that keep them (Node streams buffer chunks). */
async function* copies(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

function osmetSource(file: OsmetFile, repo: string): OsmetSource {
  const size = file.body.size;
  const chunks = (signal?: AbortSignal) => rebuildImage(file, repo, signal);
  return {
    osmet: file,
    repo,
    description: `${file.path} (${file.header.description}, rebuilt from ${repo})`,
    name: `${basename(file.path, extname(file.path))}.raw`,
    type: 'disk',
    length: size,
    async open() {
      return Readable.from(copies(chunks()), { objectMode: false });
    },
    async openAt(start: number): Promise<OpenedImage> {
      if (start !== 0) throw new UserError('an image rebuilt from osmet cannot be read from an offset');
      return { body: Readable.from(copies(chunks()), { objectMode: false }), start: 0, length: size };
    },
    async openChunks(signal?: AbortSignal) {
      return chunks(signal);
    },
    async signature() {
      return undefined;
    },
    openPump({ reporter, signal }) {
      let complete = false;
      return {
        async run(sink: Sink) {
          let bytes = 0;
          reporter.progress({ label: 'disk', bytes, total: size });
          for await (const chunk of chunks(signal)) {
            bytes += chunk.length;
            reporter.progress({ label: 'disk', bytes, total: size });
            const busy = sink(chunk);
            if (busy) await busy;
          }
          reporter.progressDone({ label: 'disk', bytes, total: size });
          // rebuildImage threw unless the length and the sha256 matched the osmet file.
          reporter.info(`Rebuilt image verified: ${bytes} bytes, sha256 ${file.body.checksum.toString('hex')}`);
          complete = true;
        },
        async verdict() {
          if (!complete) throw new UserError('the rebuilt image was not read to the end');
        },
      };
    },
  };
}

/** The osmet source this install uses, or undefined when another source applies. */
export async function offlineSource(
  options: OfflineChoice,
  target: TargetFacts,
  reporter: Reporter,
): Promise<OsmetSource | undefined> {
  if (options.imageFile || options.imageUrl) return undefined;
  if (!options.offline && options.stream !== undefined) return undefined;
  const found = await findOsmet(osmetDirs(), options.architecture, target.sectorSize);
  if (!found) {
    if (options.offline) throw new UserError('cannot perform offline install; metadata missing');
    return undefined;
  }
  const file = await readOsmetFile(found.path);
  const repo = osmetRepo();
  await checkObjects(file, repo);
  if (target.size !== undefined && file.body.size > target.size) {
    throw new UserError(
      `image rebuilt from ${file.path} (${file.body.size} bytes) is larger than ${target.path} (${target.size} bytes)`,
    );
  }
  reporter.info(
    `Installing ${file.header.description} ${file.header.architecture} (${file.header.sectorSize}-byte sectors)`,
  );
  return osmetSource(file, repo);
}
