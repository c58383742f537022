/**
 * The minimal ISO hidden in a full live ISO (miniso.dat): rebuilding it (the packed bytes with
 * the shared files copied back from the full ISO, checked against the recorded sha256), and
 * turning the rebuilt image into a minimal ISO that boots without its own root filesystem:
 * the `*.liveiso=` karg is removed, `*.live.rootfs_url=URL` added when given, and kargs.json's
 * default updated so a kargs reset does not bring the liveiso karg back.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { type MinisoData, ISO_SECTOR, decodeMiniso } from '../formats/miniso.js';
import { type Iso9660, SECTOR } from '../formats/iso9660.js';
import { ExactReader, decodedBufferChunks } from '../decode/exact-reader.js';
import { XZ_MAGIC } from '../formats/compression.js';
import { FLAVOR_NAMES, flavorIsoPath, liveisoKarg, rootfsUrlKarg } from '../flavor.js';
import type { LiveIso } from './live-iso.js';
import type { Patch } from './output.js';

export const NO_MINISO = 'This ISO image does not support extracting a minimal ISO.';

/** Every file of an ISO by path: start sector and byte length. */
export function isoFiles(iso: Iso9660): Map<string, { sector: number; length: number }> {
  const files = new Map<string, { sector: number; length: number }>();
  for (const { path, record } of iso.walk())
    if (!record.isDir) files.set(path, { sector: record.extent, length: record.length });
  return files;
}

/** The miniso.dat records present in the ISO, in flavour order (NestOS, then CoreOS). */
export function minisoRecords(iso: Iso9660): Array<{ path: string; offset: number; length: number }> {
  return FLAVOR_NAMES.flatMap((f) => {
    const path = flavorIsoPath(f, 'MINISO.DAT');
    const rec = iso.find(path);
    return rec && !rec.isDir ? [{ path, offset: rec.offset, length: rec.length }] : [];
  });
}

export function readMiniso(iso: Iso9660): MinisoData {
  const rec = minisoRecords(iso)[0];
  if (!rec) throw new UserError(NO_MINISO);
  const bytes = iso.read(rec.offset, Math.min(rec.length, 1024 * 1024), `reading ${rec.path}`);
  try {
    return decodeMiniso(bytes).data;
  } catch (err) {
    throw new UserError(`decoding ${rec.path}`, { cause: err });
  }
}

/**
 * The minimal ISO's bytes in order: packed bytes, and each table file copied from the full
 * ISO. Never more than the full ISO's size (a minimal ISO is a subset of it). Throws at the end
 * when the sha256 differs from the recorded digest.
 */
export async function* rebuildMinimalIso(full: Iso9660, data: MinisoData): AsyncGenerator<Buffer> {
  if (!data.xzpacked.subarray(0, XZ_MAGIC.length).equals(XZ_MAGIC))
    throw new UserError('miniso.dat: the packed data is not an xz stream');
  const limit = full.fileLength;
  const hash = createHash('sha256');
  const packed = new ExactReader(decodedBufferChunks(data.xzpacked));
  let off = 0;
  function* counted(piece: Buffer): Generator<Buffer> {
    if (off + piece.length > limit)
      throw new UserError(`minimal ISO would be larger than the full ISO (${limit} bytes)`);
    off += piece.length;
    hash.update(piece);
    yield piece;
  }
  const COPY = 4 * 1024 * 1024;
  for (const e of data.entries) {
    const at = e.minimal * ISO_SECTOR;
    if (at > off) for await (const piece of packed.take(at - off)) yield* counted(piece);
    if (at !== off) throw new UserError(`miniso.dat: file at sector ${e.minimal} starts inside the previous one`);
    const src = e.full * SECTOR;
    if (src + e.length > full.fileLength)
      throw new UserError(
        `miniso.dat: file at full-ISO sector ${e.full} (${e.length} bytes) is past the end of the ISO`,
      );
    for (let pos = 0; pos < e.length; pos += COPY)
      yield* counted(full.read(src + pos, Math.min(COPY, e.length - pos), 'reading full ISO'));
  }
  for await (const piece of packed.rest(limit)) yield* counted(piece);
  const found = hash.digest();
  if (!found.equals(data.digest)) {
    throw new UserError(`wrong final digest: expected ${data.digest.toString('hex')}, found ${found.toString('hex')}`);
  }
}

/** The first `*.liveiso=` token of a karg string, with its flavour. */
function findLiveisoKarg(kargs: string): { token: string; flavor: (typeof FLAVOR_NAMES)[number] } | undefined {
  for (const token of kargs.split(/\s+/)) {
    for (const flavor of FLAVOR_NAMES) if (token.startsWith(liveisoKarg(flavor))) return { token, flavor };
  }
  return undefined;
}

/** Upstream's edit: remove the liveiso karg as a plain substring, then append the URL karg. */
export function minimalIsoKargs(current: string, rootfsUrl: string | undefined): { kargs: string; defaults: string } {
  const live = findLiveisoKarg(current);
  if (!live) throw new UserError(`minimal ISO does not have ${FLAVOR_NAMES.map(liveisoKarg).join(' or ')} karg`);
  const defaults = ` ${current} `.split(` ${live.token} `).join(' ').trim();
  if (rootfsUrl === undefined) return { kargs: defaults, defaults };
  const url = rootfsUrl.trim();
  if (url.split(/\s+/).length > 1) throw new UserError(`forbidden whitespace found in '${rootfsUrl}'`);
  return { kargs: `${defaults} ${rootfsUrlKarg(live.flavor)}${url}`, defaults };
}

/** kargs.json with a new default, in serde_json's pretty layout, padded with spaces to its size. */
export function rewriteKargsJson(original: Buffer, path: string, defaults: string): Buffer {
  const doc = JSON.parse(original.toString('utf8')) as {
    default: string;
    files: Array<Record<string, unknown>>;
    size: number;
  };
  const files = doc.files.map((f) => ({
    path: f['path'],
    offset: f['offset'],
    ...(f['pad'] !== undefined ? { pad: f['pad'] } : {}),
    ...(f['end'] !== undefined ? { end: f['end'] } : {}),
  }));
  const text = Buffer.from(JSON.stringify({ default: defaults, files, size: doc.size }, null, 2), 'utf8');
  if (text.length > original.length)
    throw new UserError(`New version of ${path} does not fit in space (${text.length} vs ${original.length})`);
  return Buffer.concat([text, Buffer.alloc(original.length - text.length, 0x20)]);
}

/** The patches that turn a rebuilt minimal ISO into one that fetches its rootfs (or not). */
export function minimalIsoPatches(minimal: LiveIso, rootfsUrl: string | undefined): Patch[] {
  const k = minimal.requireKargs();
  const { kargs, defaults } = minimalIsoKargs(minimal.currentKargs(k), rootfsUrl);
  const patches = minimal.kargsPatches(k, kargs);
  let rewrote = false;
  for (const flavor of FLAVOR_NAMES) {
    const path = flavorIsoPath(flavor, 'KARGS.JSO');
    const rec = minimal.iso.find(path);
    if (!rec || rec.isDir) continue;
    const data = rewriteKargsJson(minimal.iso.readFile(rec, 1024 * 1024), path, defaults);
    patches.push({ offset: rec.offset, data });
    rewrote = true;
  }
  if (!rewrote) throw new UserError('minimal ISO does not have kargs.json; please report this as a bug');
  return patches;
}
