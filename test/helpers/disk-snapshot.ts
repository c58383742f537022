/**
 * Before/after snapshots of a disk or file: sha256 of its first 64 MiB (or all of it, when
 * smaller), of the whole thing, and of named regions (saved partitions). A run that must leave
 * the target alone is checked by comparing two snapshots.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { output } from '../../src/exec/run.js';

const MIB = 1024 * 1024;
export const SNAPSHOT_HEAD = 64 * MIB;

export interface Region {
  name: string;
  offset: number;
  length: number;
}

export interface DiskSnapshot {
  size: number;
  head: string;
  whole: string;
  regions: Record<string, string>;
}

async function hashRange(path: string, offset: number, length: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.alloc(4 * MIB);
    for (let pos = offset; pos < offset + length;) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, offset + length - pos), pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return h.digest('hex');
  } finally {
    await handle.close();
  }
}

async function sizeOf(path: string): Promise<number> {
  const st = await stat(path);
  if (st.isFile()) return st.size;
  return Number(await output('blockdev', ['--getsize64', path]));
}

export async function snapshotDisk(path: string, regions: Region[] = []): Promise<DiskSnapshot> {
  const size = await sizeOf(path);
  const out: DiskSnapshot = {
    size,
    head: await hashRange(path, 0, Math.min(size, SNAPSHOT_HEAD)),
    whole: await hashRange(path, 0, size),
    regions: {},
  };
  for (const r of regions) out.regions[r.name] = await hashRange(path, r.offset, r.length);
  return out;
}

/** Asserts the disk is byte-identical to `before` (first 64 MiB, regions, and the whole). */
export async function assertUnchanged(path: string, before: DiskSnapshot, regions: Region[] = []): Promise<void> {
  const after = await snapshotDisk(path, regions);
  assert.equal(after.size, before.size, `${path}: size changed`);
  assert.equal(after.head, before.head, `${path}: first 64 MiB changed`);
  assert.deepEqual(after.regions, before.regions, `${path}: a saved region changed`);
  assert.equal(after.whole, before.whole, `${path}: contents changed`);
}
