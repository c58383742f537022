/**
 * A CoreOS/NestOS live ISO opened for reading its embed areas, with helpers that turn the desired
 * new state into byte patches. Writing is output.ts's job; every check happens here, first.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { Readable } from 'node:stream';
import { UserError, withContext, withContextSync } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import { Iso9660 } from '../formats/iso9660.js';
import { collectInitrd } from '../initrd/collect.js';
import { writeNewc } from '../initrd/cpio-newc.js';
import { xzCrc32 } from '../initrd/xz-encoder.js';
import type { Features } from './metadata.js';
import {
  UNRECOGNIZED,
  encodeKargsRegion,
  isoFlavor,
  locateIgnitionArea,
  locateKargsAreas,
  parseKargsRegion,
  readFeatures,
  type Area,
  type KargsAreas,
} from './layout.js';
import type { Patch } from './output.js';

export const CONFIG_NAME = 'config.ign';

export const REBUILD_HINT = "this ISO has no embed area; 'iso ignition embed --rebuild' can add one";

export class LiveIso implements Disposable {
  readonly fd: number;
  readonly length: number;
  readonly iso: Iso9660;
  /** The image's flavour (its metadata directory; see isoFlavor). */
  readonly flavor: Flavor;
  private area?: Area;

  /** `selected`: the run's flavour (it also decides nestos-installer's ISO 9660 lookup rule). */
  constructor(
    readonly path: string,
    selected: Flavor,
  ) {
    this.fd = withContextSync(() => openSync(path, 'r'), `opening ${path}`);
    try {
      this.length = fstatSync(this.fd).size;
      const firstRecordNames = FLAVORS[selected].isoFirstRecordNames;
      this.iso = withContextSync(
        () => new Iso9660(this.fd, this.length, { firstRecordNames }),
        `reading ISO 9660 image ${path}`,
      );
      this.flavor = isoFlavor(this.iso, selected);
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  [Symbol.dispose](): void {
    closeSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  ignitionArea(): Area {
    if (!this.area) this.area = locateIgnitionArea(this.iso, this.flavor);
    return this.area;
  }

  /** Where this image's live initramfs reads network keyfiles. */
  networkDir(): string {
    return FLAVORS[this.flavor].initrdNetworkDir;
  }

  features(): Features {
    return readFeatures(this.iso, this.flavor);
  }

  kargsAreas(): KargsAreas | undefined {
    return locateKargsAreas(this.iso, this.flavor);
  }

  requireKargs(): KargsAreas {
    const k = this.kargsAreas();
    if (!k) throw new UserError('No karg embed areas found; old or corrupted CoreOS ISO image.');
    return k;
  }

  /** The current files of the Ignition area (empty when the area is all zeros). */
  async readInitrd(): Promise<Map<string, Buffer>> {
    const area = this.ignitionArea();
    const bytes = this.iso.read(area.offset, area.length, 'reading initrd embed area');
    if (bytes.every((b) => b === 0)) return new Map();
    // The area is small; anything decompressing past this is hostile.
    const bound = 256 * 1024 * 1024;
    return withContext(
      collectInitrd(Readable.from([bytes]), () => true, { maxDecompressed: bound, maxKeptBytes: bound }),
      'decoding initrd embed area',
    );
  }

  /** Patch that stores `files` in the area: xz(newc) + zeros, or all zeros when empty. */
  initrdPatch(files: Map<string, Buffer>): Patch {
    const area = this.ignitionArea();
    const data = Buffer.alloc(area.length);
    if (files.size > 0) {
      const compressed = xzCrc32(writeNewc(files));
      if (compressed.length > area.length)
        throw new UserError(`Compressed initramfs is too large: ${compressed.length} > ${area.length}`);
      compressed.copy(data);
    }
    return { offset: area.offset, data };
  }

  currentKargs(k: KargsAreas): string {
    let first: string | undefined;
    for (const r of k.regions) {
      const text = parseKargsRegion(this.iso.read(r.offset, r.length, 'reading kargs area'), r);
      if (first === undefined) first = text;
      else if (text !== first)
        throw new UserError(
          `kargs don't match at all offsets! (expected '${first}', but offset ${r.offset} has: '${text}')`,
        );
    }
    return first ?? '';
  }

  kargsPatches(k: KargsAreas, kargs: string): Patch[] {
    return k.regions.map((r) => ({ offset: r.offset, data: encodeKargsRegion(kargs, r) }));
  }
}

/** Opens a live ISO, converting "no embed area" into upstream's message plus our --rebuild hint. */
export function openLiveIso(path: string, flavor: Flavor, opts: { needArea?: boolean } = { needArea: true }): LiveIso {
  const live = new LiveIso(path, flavor);
  if (opts.needArea !== false) {
    try {
      live.ignitionArea();
    } catch (e) {
      live.close();
      if (e instanceof UserError && e.message === UNRECOGNIZED)
        throw new UserError(`${UNRECOGNIZED}\nHint: ${REBUILD_HINT}`);
      throw e;
    }
  }
  return live;
}
