/**
 * The download test world: artifacts in raw/gz/xz/zst made by the real tools, detached
 * signatures made by the real gpg, a generated stream JSON, all served on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { startServer, type TestServer } from '../../helpers/http-server.js';

export interface World {
  server: TestServer;
  key: GpgKey;
  foreign: GpgKey;
  tmp: string;
  /** The trusted public key file (armored). */
  keyFile: string;
  /** An empty system keys dir (NESTOS_INSTALLER_KEYS_DIR). */
  keysDir: string;
  raw: Buffer;
  files: Record<string, Buffer>;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** ~1.5 MiB of semi-compressible bytes (hex text with runs). */
export function makeRaw(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 96; i++) {
    parts.push(Buffer.from(randomBytes(4096).toString('hex')));
    parts.push(Buffer.alloc(8192, i));
  }
  return Buffer.concat(parts);
}

function compress(tool: string, args: string[], input: Buffer): Buffer {
  return execFileSync(tool, args, { input, maxBuffer: 64 * 1024 * 1024 });
}

export async function createWorld(): Promise<World> {
  const tmp = mkdtempSync(join(tmpdir(), 'dl-world-'));
  const key = createGpgKey();
  const foreign = createGpgKey('Foreign <f@example>');
  const keyFile = join(tmp, 'trusted.asc');
  writeFileSync(keyFile, key.publicArmored);
  const keysDir = join(tmp, 'keys.d');
  execFileSync('mkdir', ['-p', keysDir]);
  const raw = makeRaw();
  const files: Record<string, Buffer> = {
    'nestos-test-metal.x86_64.raw': raw,
    'nestos-test-metal.x86_64.raw.gz': compress('gzip', ['-c', '-n'], raw),
    'nestos-test-metal.x86_64.raw.xz': compress('xz', ['-c', '-T1'], raw),
    'nestos-test-metal.x86_64.raw.zst': compress('zstd', ['-c', '-q'], raw),
    'nestos-test-live-kernel-x86_64': Buffer.concat([Buffer.from('kernel'), raw.subarray(0, 300_000)]),
    'nestos-test-live-initramfs.x86_64.img': Buffer.concat([Buffer.from('initramfs'), raw.subarray(0, 200_000)]),
    'nestos-test-live-rootfs.x86_64.img': Buffer.concat([Buffer.from('rootfs'), raw.subarray(0, 400_000)]),
  };
  const server = await startServer();
  for (const [name, body] of Object.entries(files)) {
    server.route(`/art/${name}`, { body });
    server.route(`/art/${name}.sig`, { body: key.signBinary(body) });
  }
  const artifact = (name: string) => ({
    location: `${server.url}art/${name}`,
    signature: `${server.url}art/${name}.sig`,
    sha256: sha256(files[name]!),
  });
  const stream = {
    stream: 'testing',
    metadata: { 'last-modified': '2026-11-21T00:00:00Z', generator: 'test' },
    architectures: {
      x86_64: {
        artifacts: {
          metal: {
            release: '1.0',
            formats: {
              raw: { disk: artifact('nestos-test-metal.x86_64.raw') },
              'raw.gz': { disk: artifact('nestos-test-metal.x86_64.raw.gz') },
              'raw.xz': { disk: artifact('nestos-test-metal.x86_64.raw.xz') },
              'raw.zst': { disk: artifact('nestos-test-metal.x86_64.raw.zst') },
              pxe: {
                kernel: artifact('nestos-test-live-kernel-x86_64'),
                rootfs: artifact('nestos-test-live-rootfs.x86_64.img'),
                initramfs: artifact('nestos-test-live-initramfs.x86_64.img'),
              },
            },
          },
        },
        images: { aws: { regions: {} } },
      },
    },
  };
  server.route('/streams/testing.json', { body: JSON.stringify(stream, null, 2) });
  return {
    server,
    key,
    foreign,
    tmp,
    keyFile,
    keysDir,
    raw,
    files,
    env: { NESTOS_INSTALLER_KEYS_DIR: keysDir, NESTOS_INSTALLER_RETRY_BASE_MS: '20' },
    async dispose() {
      await server.close();
      key.dispose();
      foreign.dispose();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
