/**
 * What the kernel says about a block device, read from /sys/class/block (readable without
 * root): its kernel name, whether it is a partition and of which disk, and whether it is
 * read-only. Paths are resolved first, so `/dev/disk/by-id/...` names the same disk as `/dev/sdb`.
 */
import { access, readFile, realpath } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

const SYS_BLOCK = '/sys/class/block';

/** The kernel name of a block device node (`/dev/disk/by-id/x` → `sdb`), following symlinks. */
export async function blockName(path: string): Promise<string> {
  return basename(await realpath(path).catch(() => path));
}

/** True when the device is a partition of another block device. */
export async function isPartition(name: string): Promise<boolean> {
  return access(`${SYS_BLOCK}/${name}/partition`).then(
    () => true,
    () => false,
  );
}

/** The disk a partition belongs to (`sdb1` → `sdb`); a whole disk is its own disk. */
export async function wholeDiskOf(name: string): Promise<string> {
  if (!(await isPartition(name))) return name;
  // /sys/class/block/sdb1 → ../../devices/.../block/sdb/sdb1: the parent directory is the disk.
  // Absent or unreadable: treated as not there.
  const dir = await realpath(`${SYS_BLOCK}/${name}`).catch(() => undefined);
  return dir ? basename(dirname(dir)) : name;
}

/** True when the kernel marks the device read-only (`losetup -r`, a write-protected card). */
export async function isReadOnly(name: string): Promise<boolean> {
  const text = await readFile(`${SYS_BLOCK}/${name}/ro`, 'utf8').catch(() => '0');
  return text.trim() === '1';
}
