/**
 * The fault-matrix world: a real 32 MiB test OS image (install fixture) compressed with gzip/xz,
 * a real gpg key, a loopback HTTP server with fault injection, and loop disks carrying a
 * partition to save. Not a test file itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';
import { MIB, buildTestImage, readGptOfFile, sha256 } from '../install/fixture.js';
import { type SavedPartitionDisk, withSavedPartitionDisk } from '../../helpers/saved-partition-disk.js';

export { MIB, sha256 };

export interface FaultWorld {
  dir: string;
  key: GpgKey;
  pub: string;
  raw: Buffer;
  gz: Buffer;
  xz: Buffer;
  server: TestServer;
  env: Record<string, string>;
  /** Writes `bytes` (and a valid signature over exactly these bytes) to dir/name. */
  signedFile(name: string, bytes: Buffer): Promise<string>;
  dispose(): Promise<void>;
}

export async function createFaultWorld(): Promise<FaultWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'faults-'));
  const key = createGpgKey();
  const pub = join(dir, 'key.pub.asc');
  await writeFile(pub, key.publicArmored);
  const img = await buildTestImage(dir, 512);
  const raw = await readFile(img.raw);
  const gz = execFileSync('gzip', ['-1', '-n', '-c'], { input: raw, maxBuffer: 256 * MIB });
  const xz = execFileSync('xz', ['-T1', '-1', '-c'], { input: raw, maxBuffer: 256 * MIB });
  const server = await startServer();
  const keysDir = join(dir, 'keys.d');
  await run('mkdir', ['-p', keysDir]);
  return {
    dir,
    key,
    pub,
    raw,
    gz,
    xz,
    server,
    env: { NESTOS_INSTALLER_KEYS_DIR: keysDir, NESTOS_INSTALLER_RETRY_BASE_MS: '20' },
    async signedFile(name, bytes) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      await writeFile(`${path}.sig`, key.signBinary(bytes));
      return path;
    },
    async dispose() {
      await server.close();
      key.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type LoopDisk = SavedPartitionDisk;

/** A 64 MiB loop disk: partition 1 "old", partition 2 "data" (random bytes) at 48 MiB. */
export function withSavedDisk<T>(dir: string, fn: (d: LoopDisk) => Promise<T>): Promise<T> {
  return withSavedPartitionDisk(dir, { sizeMiB: 64, dataMiB: 48 }, fn);
}

/** The failure contract on a disk: only the saved partition remains, byte-identical; no boot code. */
export async function assertOnlySaved(d: LoopDisk): Promise<void> {
  const bytes = await readFile(d.file);
  assert.equal(sha256(bytes.subarray(48 * MIB, 52 * MIB)), d.dataHash, 'saved partition byte-identical');
  const gpt = await readGptOfFile(d.file, 512);
  assert.deepEqual(
    gpt.entries.map((e) => [e.index, e.name, e.firstLba]),
    [[2, 'data', 48 * 2048]],
  );
  assert.ok(
    bytes.subarray(0, 446).every((b) => b === 0),
    'no boot code in the MBR',
  );
  assert.ok(
    bytes.subarray(34 * 512, MIB).every((b) => b === 0),
    'nothing of the image in the first MiB',
  );
}
