/**
 * Partition saving: read the existing GPT before anything is written, keep the
 * entries matching the filters, build the "overwrite" table (only the saved entries, used as the
 * temporary first MiB and on failure), and merge them into the image's GPT on success.
 */
import { UserError } from '../errors.js';
import type { Reporter } from '../report.js';
import {
  type Gpt,
  type GptEntry,
  GPT_SIGNATURE,
  fromHeader,
  newGpt,
  overwriteTableHead,
  parseGptEntries,
  parseGptFromBuffer,
  parseGptHeader,
  protectiveMbrTail,
  resizeGpt,
  serializeGpt,
  validateGpt,
} from './gpt.js';
import { type PartitionFilter, filterMatches, hasIndexFilter } from './partition-filter.js';

export interface SavedPartitions {
  sectorSize: number;
  diskSectors: number;
  /** Saved entries at their original numbers. */
  entries: GptEntry[];
}

/** Positional reader over the disk (target handle or a buffer in tests). */
export type ReadAt = (length: number, position: number) => Promise<Buffer>;

async function readTable(read: ReadAt, lba: number, ss: number): Promise<Gpt | undefined> {
  const sector = await read(ss, lba * ss);
  const header = parseGptHeader(sector);
  if (!header || header.currentLba !== lba) return undefined;
  const len = header.numEntries * header.entrySize;
  const entries = parseGptEntries(header, await read(len, header.entriesLba * ss));
  return entries ? fromHeader(header, ss, entries) : undefined;
}

/** Reads the disk's GPT, primary first, backup if the primary is corrupt. */
export async function readDiskGpt(read: ReadAt, sectorSize: number, diskSize: number): Promise<Gpt | undefined> {
  const diskSectors = Math.floor(diskSize / sectorSize);
  const primarySig = (await read(8, sectorSize)).toString('latin1');
  const otherSs = sectorSize === 512 ? 4096 : 512;
  const otherSig = (await read(8, otherSs)).toString('latin1');
  if (primarySig !== GPT_SIGNATURE && otherSig === GPT_SIGNATURE) {
    throw new UserError(`GPT sector size ${otherSs} doesn't match expected ${sectorSize}`);
  }
  const primary = await readTable(read, 1, sectorSize);
  if (primary) return primary;
  const backup = diskSectors > 2 ? await readTable(read, diskSectors - 1, sectorSize) : undefined;
  if (backup) return backup;
  if (primarySig === GPT_SIGNATURE) throw new UserError('could not read primary header');
  return undefined;
}

/** Reads what to keep; undefined when nothing is filtered or nothing matches. */
export async function readSavedPartitions(
  read: ReadAt,
  opts: { sectorSize: number; diskSize: number; filters: readonly PartitionFilter[] },
): Promise<SavedPartitions | undefined> {
  if (opts.filters.length === 0) return undefined;
  const gpt = await readDiskGpt(read, opts.sectorSize, opts.diskSize);
  if (!gpt) {
    const mbr = await read(512, 0);
    if (hasIndexFilter(opts.filters) && mbr[510] === 0x55 && mbr[511] === 0xaa) {
      throw new UserError('saving partitions from an MBR disk is not yet supported');
    }
    return undefined;
  }
  const entries = gpt.entries.filter((e) => opts.filters.some((f) => filterMatches(f, e)));
  if (entries.length === 0) return undefined;
  const saved: SavedPartitions = {
    sectorSize: opts.sectorSize,
    diskSectors: Math.floor(opts.diskSize / opts.sectorSize),
    entries,
  };
  // Dry run: the table we would write on failure must be valid before anything is touched.
  try {
    const table = overwriteGpt(saved);
    const bytes = overwriteTableHead(table, saved.diskSectors);
    const back = parseGptFromBuffer(bytes.head, saved.sectorSize);
    if (!back || back.entries.length !== entries.length) throw new UserError('restored table does not read back');
  } catch (err) {
    throw new UserError('failed dry run restoring saved partitions; input partition table may be invalid', {
      cause: err,
    });
  }
  return saved;
}

/** The lowest saved partition bounds how far the image may be written. */
export function collisionLimit(saved: SavedPartitions): { offset: number; entry: GptEntry } {
  const first = [...saved.entries].sort((a, b) => a.firstLba - b.firstLba)[0]!;
  return { offset: first.firstLba * saved.sectorSize, entry: first };
}

export function collisionError(entry: GptEntry, offset: number): UserError {
  return new UserError(`collision with partition ${entry.index} ("${entry.name}") at offset ${offset}`);
}

/** A fresh GPT holding only the saved entries at their original numbers. */
export function overwriteGpt(saved: SavedPartitions): Gpt {
  const gpt = newGpt(saved.sectorSize, saved.diskSectors);
  gpt.entries = saved.entries.map((e) => ({ ...e }));
  validateGpt(gpt);
  return gpt;
}

/** Table bytes for a disk: saved-only GPT (possibly empty) + protective MBR. */
export function overwriteTable(
  sectorSize: number,
  diskSectors: number,
  saved?: SavedPartitions,
): { head: Buffer; backup: Buffer; backupOffset: number } {
  const gpt = saved ? overwriteGpt(saved) : newGpt(sectorSize, diskSectors);
  return overwriteTableHead(gpt, diskSectors);
}

/**
 * Merges the saved entries into the image's GPT: the image table is
 * resized to the disk, saved partitions are renumbered after the highest used image partition
 * (or keep their number if larger), and the protective MBR is rewritten.
 */
export function mergeIntoImage(
  firstMiB: Buffer,
  saved: SavedPartitions,
  reporter: Reporter,
): { firstMiB: Buffer; backup: Buffer; backupOffset: number } {
  const image = parseGptFromBuffer(firstMiB, saved.sectorSize);
  if (!image) throw new UserError('image has no readable GPT to merge saved partitions into');
  const merged = resizeGpt(image, saved.diskSectors);
  let next = Math.max(0, ...image.entries.map((e) => e.index)) + 1;
  const entries = [...image.entries];
  for (const e of [...saved.entries].sort((a, b) => a.index - b.index)) {
    const n = Math.max(next, e.index);
    next = n + 1;
    reporter.info(`Saving partition ${e.index} ("${e.name}") to new partition ${n}`);
    entries.push({ ...e, index: n });
  }
  merged.entries = entries.sort((a, b) => a.index - b.index);
  validateGpt(merged);
  const s = serializeGpt(merged, saved.diskSectors);
  const out = Buffer.from(firstMiB);
  protectiveMbrTail(saved.diskSectors).copy(out, 446);
  if (saved.sectorSize + s.primary.length > out.length) throw new UserError('merged GPT does not fit in the first MiB');
  s.primary.copy(out, saved.sectorSize);
  return { firstMiB: out, backup: s.backup, backupOffset: s.backupOffset };
}
