/**
 * Install from a stream: the format is picked by the target's sector size (raw.xz or 4k.raw.xz),
 * downloaded with its signature from a stream served on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { serveDirectory, type StaticServer } from '../../helpers/static-server.js';
import { debugfsCat } from './fixture.js';
import { bootOffset, useSignedImages, withLoop } from './signed-images.js';

let server: StaticServer;
let baseUrl: string;
const images = useSignedImages('inst-stream-', [512, 4096], async ({ dir }) => {
  server = await serveDirectory(dir, (name, _req, res) => {
    if (name !== 'test.json') return false;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(streamJson()));
    return true;
  });
  baseUrl = server.baseUrl;
});

after(() => server?.close());

let streamHashes: Record<string, string> = {};
function streamJson(): unknown {
  const art = (raw: string) => ({
    disk: {
      location: `${baseUrl}/${basename(raw)}.xz`,
      signature: `${baseUrl}/${basename(raw)}.xz.sig`,
      sha256: streamHashes[raw],
    },
  });
  return {
    stream: 'test',
    architectures: {
      x86_64: {
        artifacts: {
          metal: {
            release: '1',
            formats: { 'raw.xz': art(images().image(512).raw), '4k.raw.xz': art(images().image(4096).raw) },
          },
        },
      },
    },
  };
}

for (const ss of [512, 4096] as const) {
  test(`stream source picks ${ss === 4096 ? '4k.raw.xz' : 'raw.xz'} by the target's sector size`, async () => {
    const img = images().image(ss);
    streamHashes = {
      [img.raw]: createHash('sha256')
        .update(await readFile(`${img.raw}.xz`))
        .digest('hex'),
    };
    const file = join(images().dir, `stream-${ss}.img`);
    await run('truncate', ['-s', '64M', file]);
    await withLoop(file, ss, async (dev) => {
      const r = await runCli([
        'install',
        dev,
        '--stream',
        'test',
        '--stream-base-url',
        `${baseUrl}/`,
        '--trusted-key',
        images().pub,
        '--platform',
        'qemu',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `Downloading x86_64 metal image \\(${ss === 4096 ? '4k\\.raw\\.xz' : 'raw\\.xz'}\\) and signature referenced from`,
        ),
      );
    });
    const bls = await debugfsCat(file, await bootOffset(file, ss), '/loader/entries/ostree-1-nestos.conf');
    assert.match(bls, /ignition\.platform\.id=qemu/);
    await rm(file, { force: true });
  });
}
