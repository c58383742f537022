/**
 * Builds small synthetic CoreOS-like live ISOs with xorriso at test time (never committed):
 * igninfo.json, kargs.json with regions inside isolinux.cfg and grub.cfg, features.json,
 * images/ignition.img (256 KiB of zeros), images/pxeboot files. Variants: nestos/ metadata,
 * no metadata at all (plain ISO), and hostile byte patches of a built image.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KARGS_SIZE = 1139;
export const DEFAULT_KARGS =
  'mitigations=auto,nosmt coreos.liveiso=nestos-sample ignition.firstboot ignition.platform.id=metal';
export const AREA_SIZE = 262144;

export interface FixtureOptions {
  flavor?: 'coreos' | 'nestos';
  /** Omit all CoreOS metadata and the embed area (a plain live ISO). */
  plain?: boolean;
  features?: Record<string, unknown>;
  /** Extra padding file to make the ISO bigger (bytes). */
  filler?: number;
  /** Omit kargs.json. */
  noKargs?: boolean;
}

export interface Fixture {
  dir: string;
  iso: string;
}

function kargsRegion(): string {
  return DEFAULT_KARGS + '\n' + '#'.repeat(KARGS_SIZE - DEFAULT_KARGS.length - 1);
}

export function buildFixtureIso(opts: FixtureOptions = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'iso-fixture-'));
  const root = join(dir, 'root');
  const flavor = opts.flavor ?? 'coreos';
  const files: Record<string, string | Buffer> = {
    'images/pxeboot/vmlinuz': Buffer.alloc(4096, 0x4b),
    'images/pxeboot/initrd.img': Buffer.alloc(8192, 0x49),
    'images/pxeboot/rootfs.img': Buffer.alloc(16384, 0x52),
  };
  const isolinuxPrefix =
    'default nestos\nlabel nestos\n  kernel /images/pxeboot/vmlinuz\n  append initrd=/images/pxeboot/initrd.img' +
    (opts.plain ? '' : ',/images/ignition.img') +
    ' ';
  const grubPrefix = 'menuentry nestos {\n  linux /images/pxeboot/vmlinuz ';
  const region = kargsRegion();
  files['isolinux/isolinux.cfg'] = `${isolinuxPrefix}${region}\n# COREOS_KARG_EMBED_AREA\n`;
  files['EFI/BOOT/grub.cfg'] =
    `${grubPrefix}${region}\n# COREOS_KARG_EMBED_AREA\n  initrd /images/pxeboot/initrd.img${opts.plain ? '' : ' /images/ignition.img'}\n}\n`;
  if (!opts.plain) {
    files['images/ignition.img'] = Buffer.alloc(AREA_SIZE);
    files[`${flavor}/igninfo.json`] = JSON.stringify({ file: 'images/ignition.img' });
    if (!opts.noKargs) {
      files[`${flavor}/kargs.json`] = JSON.stringify({
        default: DEFAULT_KARGS,
        files: [
          { path: 'isolinux/isolinux.cfg', offset: Buffer.byteLength(isolinuxPrefix) },
          { path: 'EFI/BOOT/grub.cfg', offset: Buffer.byteLength(grubPrefix) },
        ],
        size: KARGS_SIZE,
      });
    }
    files[`${flavor}/features.json`] = JSON.stringify(
      opts.features ?? {
        'installer-config': true,
        'installer-config-directives': { console: true },
        'live-initrd-network': true,
      },
    );
  }
  if (opts.filler) files['filler.bin'] = Buffer.alloc(opts.filler, 0xaa);
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  const iso = join(dir, 'fixture.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'NESTOS_FIXTURE', '-o', iso, root], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { dir, iso };
}

/** A copy of `iso` with bytes patched at absolute offsets (hostile variants). */
export function patchedCopy(
  iso: string,
  dest: string,
  patches: Array<{ offset: number; data: Buffer }>,
  truncateTo?: number,
): string {
  copyFileSync(iso, dest);
  let buf = readFileSync(dest);
  for (const p of patches) p.data.copy(buf, p.offset);
  if (truncateTo !== undefined) buf = buf.subarray(0, truncateTo);
  writeFileSync(dest, buf);
  return dest;
}

/**
 * A bootable live ISO WITHOUT embed areas, made from the sample live ISO: xorriso replays its
 * boot setup, drops coreos/, nestos/ and images/ignition.img, and removes the area from the
 * initrd lists of isolinux.cfg and grub.cfg.
 */
export function buildPlainBootableIso(sampleIso: string, dir: string): string {
  const out = join(dir, 'plain-live.iso');
  const cfgs = [
    ['/isolinux/isolinux.cfg', ',/images/ignition.img'],
    ['/EFI/BOOT/grub.cfg', ' /images/ignition.img'],
  ] as const;
  const maps: string[] = [];
  for (const [path, needle] of cfgs) {
    const local = join(dir, path.replace(/\//g, '_'));
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', sampleIso, '-extract', path, local], { stdio: 'ignore' });
    writeFileSync(local, readFileSync(local, 'utf8').split(needle).join(''));
    maps.push('-map', local, path);
  }
  execFileSync(
    'xorriso',
    [
      '-indev',
      sampleIso,
      '-outdev',
      out,
      '-boot_image',
      'any',
      'replay',
      '-rm_r',
      '/coreos',
      '/nestos',
      '/images/ignition.img',
      '--',
      ...maps,
      '-commit',
    ],
    { stdio: 'ignore' },
  );
  return out;
}
