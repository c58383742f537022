/**
 * Finds the embed areas of a CoreOS/NestOS live ISO: the Ignition ("initrd") area (igninfo.json,
 * else IMAGES/IGNITION.IMG), the kargs regions (kargs.json, else the legacy `coreKarg` header)
 * and features.json, in the ISO's metadata directory (`COREOS/` or `NESTOS/`, see isoFlavor).
 * Nothing read from the image is trusted.
 */
import { UserError } from '../errors.js';
import { FLAVORS, type Flavor, mediaFlavor } from '../flavor.js';
import { type Iso9660, SECTOR, type IsoRecord } from '../formats/iso9660.js';
import { IgnInfoSchema, KargsJsonSchema, FeaturesSchema, parseJsonFile, type Features } from './metadata.js';

export interface Area {
  offset: number;
  length: number;
}

export interface KargsRegion extends Area {
  pad: string;
  end: string;
  /** Whether pad/end were given explicitly (dev show iso prints only those). */
  padGiven: boolean;
  endGiven: boolean;
}

export interface KargsAreas {
  length: number;
  default: string;
  regions: KargsRegion[];
}

export const UNRECOGNIZED = 'Unrecognized CoreOS ISO image.';

function areaInFile(iso: Iso9660, rec: IsoRecord, offset: number, length: number, what: string): Area {
  if (rec.isDir) throw new UserError(`${what}: '${rec.name}' is a directory`);
  if (offset + length > rec.length)
    throw new UserError(
      `${what}: area ${offset}+${length} extends past the end of '${rec.name}' (${rec.length} bytes)`,
    );
  const abs = rec.offset + offset;
  if (abs + length > iso.fileLength) throw new UserError(`${what}: area extends past the end of the image`);
  return { offset: abs, length };
}

/**
 * The ISO's flavour: the selected one, unless the image has only the other flavour's metadata
 * directory (its live initramfs then reads only that flavour's paths).
 */
export function isoFlavor(iso: Iso9660, selected: Flavor): Flavor {
  return mediaFlavor(selected, (f) => iso.find(FLAVORS[f].isoDir)?.isDir === true);
}

/** `<FLAVOR>/<name>` in the ISO's metadata directory, if present. */
function metadataFile(iso: Iso9660, flavor: Flavor, name: string): IsoRecord | undefined {
  return iso.find(`${FLAVORS[flavor].isoDir}/${name}`);
}

/** Throws UNRECOGNIZED when the image has no Ignition area; callers may add a hint. */
export function locateIgnitionArea(iso: Iso9660, flavor: Flavor): Area {
  const info = metadataFile(iso, flavor, 'IGNINFO.JSO');
  if (info) {
    const ign = parseJsonFile(iso.readFile(info, 1024 * 1024), IgnInfoSchema, 'igninfo.json');
    const rec = iso.find(ign.file.toUpperCase());
    if (!rec) throw new UserError(`igninfo.json names '${ign.file}', which is not in the ISO image`);
    const offset = ign.offset ?? 0;
    if (offset > rec.length) throw new UserError(`igninfo.json: offset ${offset} is past the end of '${ign.file}'`);
    const length = ign.length ?? rec.length - offset;
    return areaInFile(iso, rec, offset, length, 'igninfo.json');
  }
  const rec = iso.find('IMAGES/IGNITION.IMG');
  if (!rec) throw new UserError(UNRECOGNIZED);
  return areaInFile(iso, rec, 0, rec.length, 'images/ignition.img');
}

const LEGACY_KARGS_OFFSET = 32672;

/** The kargs regions, or undefined when the image has none (old or non-CoreOS ISO). */
export function locateKargsAreas(iso: Iso9660, flavor: Flavor): KargsAreas | undefined {
  const json = metadataFile(iso, flavor, 'KARGS.JSO');
  if (json) {
    const k = parseJsonFile(iso.readFile(json, 1024 * 1024), KargsJsonSchema, 'kargs.json');
    if (k.size > 2048) throw new UserError(`karg embed area size larger than 2048 (found ${k.size})`);
    if (k.default.length > k.size)
      throw new UserError(`default kargs size ${k.default.length} larger than embed areas (${k.size})`);
    const regions = k.files.map((f) => {
      const rec = iso.find(f.path.toUpperCase());
      if (!rec) throw new UserError(`kargs.json names '${f.path}', which is not in the ISO image`);
      const a = areaInFile(iso, rec, f.offset, k.size, 'kargs.json');
      return {
        ...a,
        pad: f.pad ?? '#',
        end: f.end ?? '\n',
        padGiven: f.pad !== undefined,
        endGiven: f.end !== undefined,
      };
    });
    if (regions.length === 0) throw new UserError('No karg embed areas found; corrupted CoreOS ISO image.');
    regions.sort((a, b) => a.offset - b.offset);
    return { length: k.size, default: k.default, regions };
  }
  if (iso.fileLength < LEGACY_KARGS_OFFSET + 72) return undefined;
  const header = iso.read(LEGACY_KARGS_OFFSET, 72);
  if (header.toString('latin1', 0, 8) !== 'coreKarg') return undefined;
  const length = Number(header.readBigUInt64LE(8));
  if (length > 2048) throw new UserError(`karg embed area size larger than 2048 (found ${length})`);
  const regionAt = (offset: number): KargsRegion => {
    if (offset + length > iso.fileLength)
      throw new UserError(`karg embed area at ${offset} is past the end of the image`);
    return { offset, length, pad: '#', end: '\n', padGiven: false, endGiven: false };
  };
  const defaultRegion = regionAt(Number(header.readBigUInt64LE(16)));
  const regions: KargsRegion[] = [];
  for (let i = 0; i < 6; i++) {
    const off = Number(header.readBigUInt64LE(24 + i * 8));
    if (off === 0) break;
    regions.push(regionAt(off));
  }
  if (regions.length === 0) throw new UserError('No karg embed areas found; corrupted CoreOS ISO image.');
  regions.sort((a, b) => a.offset - b.offset);
  const def = parseKargsRegion(iso.read(defaultRegion.offset, length), defaultRegion);
  return { length, default: def, regions };
}

/** Region text: strip trailing pad, then trailing end characters, then surrounding whitespace. */
export function parseKargsRegion(bytes: Buffer, region: Pick<KargsRegion, 'pad' | 'end'>): string {
  let text = bytes.toString('utf8');
  while (text.endsWith(region.pad)) text = text.slice(0, -region.pad.length);
  while (text.endsWith(region.end)) text = text.slice(0, -region.end.length);
  return text.trim();
}

export function encodeKargsRegion(kargs: string, region: KargsRegion): Buffer {
  const text = kargs.trim();
  const body = Buffer.from(text + region.end, 'utf8');
  if (Buffer.byteLength(text, 'utf8') >= region.length)
    throw new UserError(`kargs too large for area: ${Buffer.byteLength(text) + 1} vs ${region.length}`);
  const pad = Buffer.from(region.pad, 'utf8');
  const out = Buffer.alloc(region.length);
  body.copy(out, 0);
  for (let i = body.length; i < region.length; i += pad.length)
    pad.copy(out, i, 0, Math.min(pad.length, region.length - i));
  return out;
}

export function readFeatures(iso: Iso9660, flavor: Flavor): Features {
  const f = metadataFile(iso, flavor, 'FEATURES.JSO');
  if (!f) return {};
  return parseJsonFile(iso.readFile(f, 1024 * 1024), FeaturesSchema, 'features.json');
}

export { SECTOR };
