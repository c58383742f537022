/**
 * `pack osmet --output FILE --checksum SHA256 --description TEXT [--fast] DEV` (hidden; run by
 * the image build): DEV holds a finished metal image. Its `boot` and `root` filesystems are
 * mounted read-only, mapped against the OSTree objects in the root (scan.ts), the rest of the
 * disk is packed (packed-image.ts), and the result is unpacked once against the same repo and
 * must give back exactly `--checksum` before the file is written (temp file, then rename).
 */
import { mkdtemp, open, readdir, readFile, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { appVersion } from '../app-version.js';
import { UserError, withContext } from '../errors.js';
import { run } from '../exec/run.js';
import { blockSectorSize, blockSize } from '../disk/target.js';
import { FLAVORS } from '../flavor.js';
import { defaultArch } from '../stream/arch.js';
import { MountStack } from '../ostree/mounts.js';
import type { Reporter } from '../report.js';
import {
  type OsmetBody,
  type OsmetPartition,
  OSMET_VERSION,
  encodeOsmetBody,
  encodeOsmetHeader,
  validateOsmet,
} from './format.js';
import { writePackedImage } from './packed-image.js';
import { scanMounts } from './scan.js';
import { rebuildImage } from './unpack.js';

export interface PackOsmetOptions {
  device: string;
  output: string;
  checksum: string;
  description: string;
  fast: boolean;
}

interface LabelledPartition {
  node: string;
  fstype: string;
  start: number;
  end: number;
}

const SYSFS_SECTOR = 512;

async function sysfsNumber(path: string): Promise<number> {
  const n = Number((await readFile(path, 'utf8')).trim());
  if (!Number.isSafeInteger(n) || n < 0) throw new UserError(`unexpected value in ${path}`);
  return n;
}

/** The partitions of `disk` whose filesystem label is `label` (blkid probes each one). */
async function partitionsLabelled(disk: string, labels: readonly string[]): Promise<Map<string, LabelledPartition>> {
  const name = basename(await realDevice(disk));
  const sys = `/sys/class/block/${name}`;
  const found = new Map<string, LabelledPartition>();
  for (const child of (await readdir(sys)).sort()) {
    if (!child.startsWith(name)) continue;
    const part = join(sys, child);
    // Absent or unreadable: treated as not there.
    if (!(await stat(join(part, 'partition')).catch(() => undefined))) continue;
    const node = `/dev/${child}`;
    const probe = await run('blkid', ['-p', '-o', 'export', node], { okExitCodes: [2] });
    const fields = new Map(
      probe.stdout
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
    );
    const label = fields.get('LABEL');
    if (label === undefined || !labels.includes(label)) continue;
    if (found.has(label)) throw new UserError(`found multiple devices on ${disk} with label "${label}"`);
    const fstype = fields.get('TYPE');
    if (!fstype) throw new UserError(`couldn't get filesystem type of ${node}`);
    const start = (await sysfsNumber(join(part, 'start'))) * SYSFS_SECTOR;
    const end = start + (await sysfsNumber(join(part, 'size'))) * SYSFS_SECTOR;
    found.set(label, { node, fstype, start, end });
  }
  for (const label of labels) if (!found.has(label)) throw new UserError(`couldn't find ${label} device for ${disk}`);
  return found;
}

async function realDevice(path: string): Promise<string> {
  const st = await stat(path).catch((err: unknown) => {
    throw new UserError(`opening ${path}`, { cause: err });
  });
  if (!st.isBlockDevice()) throw new UserError(`${path} is not a block device`);
  return realpath(path);
}

function tempName(dir: string, prefix: string, suffix: string): string {
  return join(dir, `.${prefix}${randomBytes(6).toString('hex')}${suffix}`);
}

export async function packOsmet(options: PackOsmetOptions, reporter: Reporter): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(options.checksum))
    throw new UserError(`--checksum '${options.checksum}': expected a sha256 in 64 lowercase hex characters`);
  await realDevice(options.device);
  const sectorSize = await blockSectorSize(options.device);
  const size = await blockSize(options.device);
  const parts = await partitionsLabelled(options.device, ['boot', 'root']);
  const outDir = dirname(resolve(options.output));
  const mounts = new MountStack();
  const work = await mkdtemp(join(tmpdir(), FLAVORS.nestos.tempPrefix));
  const packedPath = tempName(outDir, `${FLAVORS.nestos.tempPrefix}xzpacked`, '.raw.xz');
  const partial = tempName(outDir, `${FLAVORS.nestos.tempPrefix}osmet`, '.partial');
  try {
    const bootDir = join(work, 'boot');
    const rootDir = join(work, 'root');
    const boot = parts.get('boot')!;
    const root = parts.get('root')!;
    await mounts.mount(boot.node, bootDir, { type: boot.fstype, ro: true });
    await mounts.mount(root.node, rootDir, { type: root.fstype, ro: true });
    const scanned = await scanMounts(bootDir, rootDir, reporter);
    const partitions: OsmetPartition[] = [
      { startOffset: boot.start, endOffset: boot.end, mappings: scanned.boot },
      { startOffset: root.start, endOffset: root.end, mappings: scanned.root },
    ];
    const body: OsmetBody = { partitions, checksum: Buffer.from(options.checksum, 'hex'), size };
    try {
      validateOsmet(body);
    } catch (err) {
      throw new UserError('validating before writing', { cause: err });
    }
    reporter.info('Packing image');
    await writePackedImage(options.device, size, partitions, packedPath, { fast: options.fast, reporter });

    const head = Buffer.concat([
      encodeOsmetHeader({
        version: OSMET_VERSION,
        appVersion: appVersion(),
        sectorSize,
        description: options.description,
        architecture: defaultArch(),
      }),
      encodeOsmetBody(body),
    ]);
    await writeOsmetFile(partial, head, packedPath);
    reporter.info('Verifying that repacked image matches digest');
    const file = { path: partial, body, dataOffset: head.length };
    await withContext(async () => {
      for await (const chunk of rebuildImage(file, join(rootDir, 'ostree/repo'))) void chunk;
    }, 'unpacking test');
    await rename(partial, options.output);
    reporter.info('Packing successful!');
  } finally {
    const problems = await mounts.releaseAll();
    for (const p of problems) reporter.warn(`unmounting ${p}`);
    // Best-effort cleanup; the outcome is already decided.
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    // Best-effort cleanup; the outcome is already decided.
    await unlink(packedPath).catch(() => undefined);
    // Best-effort cleanup; the outcome is already decided.
    await unlink(partial).catch(() => undefined);
  }
}

/** Header + body, then the packed image's xz stream appended byte for byte. */
async function writeOsmetFile(dest: string, head: Buffer, packedPath: string): Promise<void> {
  const out = await open(dest, 'wx', 0o644);
  try {
    await out.write(head, 0, head.length, 0);
    const input = await open(packedPath, 'r');
    try {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      let pos = head.length;
      for (;;) {
        const { bytesRead } = await input.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        await out.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
      }
    } finally {
      await input.close();
    }
    await out.sync();
  } finally {
    await out.close();
  }
}
