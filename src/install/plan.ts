/**
 * The plan phase of `install`: everything knowable is settled before the target is opened for
 * writing, and the result is one value the act phase cannot start without (the dry run prints
 * it). In order: usage rules; the Ignition config (loaded, hash-checked, validated); partition
 * filters; the target (it must not be a mistake: target-choice.ts; not busy; a file target is
 * locked); the saved partitions (readable, restorable); the image source (it exists: opened
 * here, a missing image is named as such); the signature (present unless --insecure, made by a
 * trusted key); the image's first MiB (decodes, sector size matches the target's); the image's
 * size where it is knowable (fits the target and stays clear of saved partitions). An offline
 * install (osmet) checks its file and every OSTree object it needs instead of a signature.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type * as openpgp from 'openpgp';
import { UserError } from '../errors.js';
import { FLAVORS } from '../flavor.js';
import type { Reporter } from '../report.js';
import { checkFileNotBusy, checkNotBusy } from '../disk/busy.js';
import { detectSectorSize } from '../disk/gpt.js';
import { type PartitionFilter, parsePartitionFilters } from '../disk/partition-filter.js';
import { type SavedPartitions, collisionError, collisionLimit, readSavedPartitions } from '../disk/saved-partitions.js';
import { type HeldFile, checkTargetChoice, holdFileTarget } from '../disk/target-choice.js';
import { type TargetFacts, inspectTarget, readAt } from '../disk/target.js';
import { xzUncompressedSize } from '../formats/xz-index.js';
import { checkSignatureIssuers, loadTrustedKeys } from '../verify/signature.js';
import { type ImageSource, resolveImageSource } from '../source/image-source.js';
import { HEAD_BYTES, type ImageHead, ReplayableImage } from '../source/replayable-image.js';
import { type VerifiedPump, openVerified } from '../source/install-verified-pass.js';
import { requireSignature } from '../source/verification-taps.js';
import { offlineSource } from '../osmet/install-source.js';
import { parseConsole } from './console.js';
import type { FirstBootPlan } from './firstboot.js';
import { checkIgnitionUrl, loadIgnition, parseIgnitionHash } from './ignition.js';
import type { InstallOptions } from './options.js';

export interface InstallPlan {
  options: InstallOptions;
  dest: string;
  ignition?: Buffer;
  firstBoot: FirstBootPlan;
  filters: PartitionFilter[];
  target: TargetFacts;
  /** An existing file target: held read-only and locked until release(). */
  heldFile?: HeldFile;
  saved?: SavedPartitions;
  source: ImageSource;
  /** The decoded first MiB; undefined for an image rebuilt from an osmet file. */
  head?: ImageHead;
  imageSectorSize?: number;
  /** The decoded image's size, when knowable before reading it all. */
  imageSize?: number;
  /**
   * The image for the act phase, verified as it streams: the opened source replayed from its
   * first byte through the signature check (issuer already checked here), or the rebuilt osmet
   * image checked against its length and sha256.
   */
  openImage(options: { reporter: Reporter; signal: AbortSignal }): Promise<VerifiedPump>;
  /** Closes the source and drops the file lock. */
  release(): Promise<void>;
}

export function firstBootPlan(options: InstallOptions, ignition: Buffer | undefined): FirstBootPlan {
  return {
    ignition,
    platform: options.platform,
    consoles: options.consoles,
    appendKargs: options.appendKargs,
    deleteKargs: options.deleteKargs,
    copyNetworkFrom: options.copyNetwork ? options.networkDir : undefined,
    firstbootArgs: options.firstbootArgs,
    flavor: options.flavor,
  };
}

function formatFor(sectorSize: number, dest: string, reporter: Reporter): string {
  if (sectorSize === 4096) return '4k.raw.xz';
  if (sectorSize !== 512)
    reporter.warn(`Found non-standard sector size ${sectorSize} for ${dest}, assuming 512b-compatible`);
  return 'raw.xz';
}

function checkUsage(options: InstallOptions): string {
  if (!options.dest) throw new UserError('destination device must be specified');
  for (const c of options.consoles) parseConsole(c);
  if (options.ignitionHash) parseIgnitionHash(options.ignitionHash);
  return options.dest;
}

/** Saved partitions, read through a read-only descriptor (the held file, or the device opened O_RDONLY). */
async function readSaved(
  facts: TargetFacts,
  held: HeldFile | undefined,
  filters: PartitionFilter[],
): Promise<SavedPartitions | undefined> {
  if (filters.length === 0 || !facts.exists || !facts.size) return undefined;
  const handle =
    held?.handle ??
    (await open(facts.path, constants.O_RDONLY).catch((err: unknown) => {
      throw new UserError(`opening ${facts.path} to read its partition table`, { cause: err });
    }));
  try {
    return await readSavedPartitions((l, p) => readAt({ handle, path: facts.path }, l, p), {
      sectorSize: facts.sectorSize,
      diskSize: facts.size,
      filters,
    });
  } finally {
    if (!held) await handle.close();
  }
}

/** The signature, fetched after the image answered, with the missing-signature rule and the issuer check. */
async function checkedSignature(
  source: ImageSource,
  keys: openpgp.PublicKey[],
  insecure: boolean,
  reporter: Reporter,
): Promise<Uint8Array | null> {
  const sig = await source.signature();
  if (!requireSignature(sig, insecure, reporter)) return null;
  await checkSignatureIssuers(sig, keys);
  return sig;
}

/** The decoded size where it can be known without decoding: raw bytes, or a local .xz's index. */
/**
 * The decoded size of a remote .xz from its index, read with Range requests; undefined when the
 * server serves no ranges (then the size is known only once the image is written). An index
 * that is there but does not parse is an error: the image is damaged.
 */
async function remoteXzSize(source: ImageSource, length: number): Promise<number | undefined> {
  const readRange = source.readRange?.bind(source);
  if (!readRange) return undefined;
  const unanswered = new Error('no range');
  try {
    return await xzUncompressedSize(async (size, position) => {
      // A server that refuses or fails a range request leaves the size unknown, not the install.
      const bytes = await readRange(size, position).catch(() => undefined);
      if (!bytes) throw unanswered;
      return bytes;
    }, length);
  } catch (err) {
    if (err === unanswered) return undefined;
    throw new UserError(`reading the xz index of ${source.description}`, { cause: err });
  }
}

async function knownImageSize(source: ImageSource, head: ImageHead): Promise<number | undefined> {
  if (head.compression === 'none') return source.length;
  if (head.compression !== 'xz' || source.length === undefined) return undefined;
  if (!source.file) return remoteXzSize(source, source.length);
  const handle = await open(source.file, 'r');
  try {
    return await xzUncompressedSize((l, p) => readAt({ handle, path: source.file! }, l, p), source.length);
  } catch (err) {
    throw new UserError(`reading image file ${source.file}`, { cause: err });
  } finally {
    await handle.close();
  }
}

/** The first MiB must decode (an image is at least 1 MiB) and its sector size match the target's. */
function checkHead(head: ImageHead, facts: TargetFacts): number | undefined {
  if (!head.decided) return undefined;
  if (head.bytes.length < HEAD_BYTES) {
    throw new UserError('decoding first MiB of image', {
      cause: new UserError(`image is only ${head.bytes.length} bytes; expected at least 1 MiB`),
    });
  }
  const sectorSize = detectSectorSize(head.bytes);
  if (sectorSize !== undefined && sectorSize !== facts.sectorSize) {
    throw new UserError(`source has sector size ${sectorSize} but destination has sector size ${facts.sectorSize}`);
  }
  return sectorSize;
}

/** A known image size must fit the target and end before the first saved partition. */
function checkFits(size: number | undefined, facts: TargetFacts, saved: SavedPartitions | undefined): void {
  if (size === undefined) return;
  const collision = saved ? collisionLimit(saved) : undefined;
  if (collision && size > collision.offset) throw collisionError(collision.entry, collision.offset);
  if (facts.size !== undefined && size > facts.size) {
    throw new UserError(
      `image is larger than the destination ${facts.path} (${facts.size} bytes): the image is ${size} bytes`,
    );
  }
}

/** `signal` (SIGINT/SIGTERM) stops the reads of the source; nothing has been written then. */
export async function planInstall(
  options: InstallOptions,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<InstallPlan> {
  const dest = checkUsage(options);
  checkIgnitionUrl(options);
  const ignition = options.dryRun && options.ignitionUrl ? undefined : await loadIgnition(options, reporter);
  const filters = parsePartitionFilters(options.savePartlabel, options.savePartindex);
  const target = await inspectTarget(dest, { destSize: options.destSize, destSectorSize: options.destSectorSize });
  await checkTargetChoice(target, { destSize: options.destSize, destSectorSize: options.destSectorSize });
  if (target.kind === 'block') await checkNotBusy(dest, reporter);
  else if (target.exists) await checkFileNotBusy(dest, reporter);

  const cleanups: Array<() => Promise<void>> = [];
  const release = async () => {
    // Each cleanup runs even when another failed.
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const heldFile = target.kind === 'file' && target.exists ? await holdFileTarget(target) : undefined;
    if (heldFile) cleanups.push(() => heldFile.handle.close());
    const saved = await readSaved(target, heldFile, filters);
    const common = {
      options,
      dest,
      ignition,
      firstBoot: firstBootPlan(options, ignition),
      filters,
      target,
      heldFile,
      saved,
      release,
    };
    const offline = await offlineSource(options, target, reporter);
    if (offline) {
      checkFits(offline.length, target, saved);
      return {
        ...common,
        source: offline,
        imageSize: offline.length,
        openImage: async (o) => offline.openPump(o),
      };
    }
    const source = await resolveImageSource({
      imageFile: options.imageFile,
      imageUrl: options.imageUrl,
      stream: options.imageFile || options.imageUrl ? undefined : (options.stream ?? 'stable'),
      arch: options.architecture,
      platform: 'metal',
      format: formatFor(target.sectorSize, dest, reporter),
      streamBaseUrl: options.streamBaseUrl,
      product: FLAVORS[options.flavor].product,
      retries: options.fetchRetries,
      reporter,
    });
    const keys = await loadTrustedKeys({ extraKeyFiles: options.trustedKeys });
    const image = await ReplayableImage.open(source, signal);
    cleanups.push(() => image.close());
    const signature = await checkedSignature(source, keys, options.insecure, reporter);
    const head = await image.readHead().catch((err: unknown) => {
      throw new UserError('decoding first MiB of image', { cause: err });
    });
    const imageSectorSize = checkHead(head, target);
    const imageSize = await knownImageSize(source, head);
    checkFits(imageSize, target, saved);
    return {
      ...common,
      source,
      head,
      imageSectorSize,
      imageSize,
      openImage: ({ reporter: r, signal }) =>
        openVerified(source, {
          keys,
          insecure: options.insecure,
          reporter: r,
          signal,
          signature,
          chunks: image.chunks(signal),
        }),
    };
  } catch (err) {
    await release();
    throw err;
  }
}
