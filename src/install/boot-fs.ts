/**
 * Scoped access to the installed disk's `boot` filesystem. The partition is found in the GPT
 * just written (filesystem label `boot`, read from the ext superblock — no udev needed).
 * As root it is mounted through a loop device (`mount -o loop,offset,sizelimit`), which works
 * for block devices and files alike; without root (file targets) the ext4 filesystem is edited
 * with debugfs: snapshot (rdump) → edit the snapshot → write back what changed → read back and
 * compare. Always cleaned up, also on failure.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { FLAVORS } from '../flavor.js';
import { run } from '../exec/run.js';
import { parseGptFromBuffer } from '../disk/gpt.js';
import { readDiskGpt } from '../disk/saved-partitions.js';
import { type Target, readAt } from '../disk/target.js';

export interface BootPartition {
  index: number;
  offset: number;
  size: number;
}

/** Finds the one partition whose ext2/3/4 filesystem label is exactly `boot`. */
export async function findBootPartition(target: Target): Promise<BootPartition> {
  const read = (len: number, pos: number) => readAt(target, len, pos);
  const gpt =
    (await readDiskGpt(read, target.sectorSize, target.size)) ??
    parseGptFromBuffer(await read(1024 * 1024, 0), target.sectorSize);
  if (!gpt) throw new UserError(`no partition table found on ${target.path} after writing the image`);
  const found: BootPartition[] = [];
  for (const e of gpt.entries) {
    const offset = e.firstLba * target.sectorSize;
    const sb = await read(1024, offset + 1024);
    if (sb.length < 1024 || sb.readUInt16LE(0x38) !== 0xef53) continue;
    const label = sb.subarray(0x78, 0x88).toString('latin1').replace(/\0.*$/s, '');
    if (label === 'boot')
      found.push({ index: e.index, offset, size: (e.lastLba - e.firstLba + 1) * target.sectorSize });
  }
  if (found.length === 0) throw new UserError(`couldn't find boot filesystem (label 'boot') on ${target.path}`);
  if (found.length > 1) throw new UserError(`found multiple filesystems labeled 'boot' on ${target.path}`);
  return found[0]!;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Unmounts `dir`, retrying while the kernel still holds it busy. */
async function unmountRetrying(dir: string): Promise<void> {
  let lastErr: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      await run('umount', [dir]);
      return;
    } catch (err) {
      lastErr = err;
      await sleep(100);
    }
  }
  throw new UserError(`unmounting ${dir}`, { cause: lastErr });
}

async function withMountedBoot<T>(path: string, part: BootPartition, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), FLAVORS.nestos.tempPrefix));
  try {
    await run('mount', ['-t', 'ext4', '-o', `loop,offset=${part.offset},sizelimit=${part.size}`, path, dir]);
    let result: T;
    try {
      result = await fn(dir);
    } catch (err) {
      // The work's own failure is the one to report; the unmount is still attempted.
      await unmountRetrying(dir).catch(() => undefined);
      throw err;
    }
    await unmountRetrying(dir);
    return result;
  } finally {
    // Best-effort cleanup; the outcome is already decided.
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

interface SnapNode {
  kind: 'dir' | 'file' | 'link';
  mode: number;
  hash?: string;
}

async function snapshot(root: string, rel = '', out = new Map<string, SnapNode>()): Promise<Map<string, SnapNode>> {
  for (const name of await readdir(join(root, rel))) {
    const relPath = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(root, relPath));
    if (st.isSymbolicLink())
      out.set(relPath, { kind: 'link', mode: st.mode, hash: await readlink(join(root, relPath)) });
    else if (st.isDirectory()) {
      out.set(relPath, { kind: 'dir', mode: st.mode });
      await snapshot(root, relPath, out);
    } else if (st.isFile()) {
      out.set(relPath, {
        kind: 'file',
        mode: st.mode,
        hash: createHash('sha256')
          .update(await readFile(join(root, relPath)))
          .digest('hex'),
      });
    }
  }
  return out;
}

function quote(p: string): string {
  if (/["\s]/.test(p)) throw new UserError(`cannot edit path with spaces or quotes via debugfs: ${p}`);
  return p;
}

async function debugfs(device: string, args: string[], input?: string): Promise<string> {
  const r = await run('debugfs', [...args, device], { input });
  // debugfs exits 0 even when a request fails; its errors name the failing request.
  const errors = r.stderr.split('\n').filter(
    (l) =>
      l.trim() &&
      !/^debugfs \d/.test(l) &&
      !/^Allocated inode/.test(l) &&
      // rdump as non-root cannot chown its local copy; irrelevant for editing.
      !/while changing ownership of/.test(l),
  );
  if (errors.length > 0) throw new UserError(`debugfs on ${device}: ${errors.join('; ')}`);
  return r.stdout;
}

async function withDebugfsBoot<T>(path: string, part: BootPartition, fn: (dir: string) => Promise<T>): Promise<T> {
  const device = `${path}?offset=${part.offset}`;
  const work = await mkdtemp(join(tmpdir(), FLAVORS.nestos.tempPrefix));
  try {
    const dir = join(work, 'boot');
    await run('mkdir', ['-m', '0755', dir]);
    await debugfs(device, ['-R', `rdump / ${dir}`]);
    const before = await snapshot(dir);
    const result = await fn(dir);
    const after = await snapshot(dir);
    const cmds: string[] = [];
    const changedFiles: string[] = [];
    for (const [rel, node] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
      const old = before.get(rel);
      const abs = `/${quote(rel)}`;
      if (node.kind === 'dir' && !old) {
        cmds.push(
          `mkdir ${abs}`,
          `sif ${abs} mode 0${(0o040000 | (node.mode & 0o7777)).toString(8)}`,
          `sif ${abs} uid 0`,
          `sif ${abs} gid 0`,
        );
      } else if (node.kind === 'dir' && old && (old.mode & 0o7777) !== (node.mode & 0o7777)) {
        cmds.push(`sif ${abs} mode 0${(0o040000 | (node.mode & 0o7777)).toString(8)}`);
      } else if (node.kind === 'file' && (!old || old.hash !== node.hash || old.mode !== node.mode)) {
        if (old) cmds.push(`rm ${abs}`);
        cmds.push(
          `write ${join(dir, rel)} ${abs}`,
          `sif ${abs} mode 0${(0o100000 | (node.mode & 0o7777)).toString(8)}`,
          `sif ${abs} uid 0`,
          `sif ${abs} gid 0`,
        );
        changedFiles.push(rel);
      } else if (node.kind === 'link' && (!old || old.hash !== node.hash)) {
        if (old) cmds.push(`rm ${abs}`);
        cmds.push(`symlink ${abs} ${quote(node.hash!)}`);
      }
    }
    for (const [rel, node] of before) {
      if (!after.has(rel) && node.kind !== 'dir') cmds.push(`rm /${quote(rel)}`);
    }
    if (cmds.length > 0) {
      const cmdFile = join(work, 'cmds');
      await writeFile(cmdFile, cmds.join('\n') + '\n');
      await debugfs(device, ['-w', '-f', cmdFile]);
      // Read back what was written: debugfs reports little, so compare the bytes.
      for (const rel of changedFiles) {
        const r = await run('debugfs', ['-R', `cat /${rel}`, device], { binary: true });
        const got = createHash('sha256')
          .update(r.stdoutBytes ?? Buffer.alloc(0))
          .digest('hex');
        if (got !== after.get(rel)?.hash)
          throw new UserError(`verifying /${rel} written to the boot filesystem of ${path}`);
      }
    }
    return result;
  } finally {
    // Best-effort cleanup; the outcome is already decided.
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Runs fn with the boot filesystem's root directory; edits persist when it returns. */
export async function withBootFilesystem<T>(target: Target, fn: (dir: string) => Promise<T>): Promise<T> {
  const part = await findBootPartition(target);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && process.env.NESTOS_INSTALLER_FORCE_DEBUGFS !== '1') return withMountedBoot(target.path, part, fn);
  if (target.kind === 'block') throw new UserError(`editing the boot filesystem of ${target.path} needs root`);
  return withDebugfsBoot(target.path, part, fn);
}
