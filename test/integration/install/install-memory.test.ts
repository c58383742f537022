/**
 * Peak memory of real installs, measured on the CLI as users run it (bin/nestos-installer,
 * under GNU time): a 1 GiB image with 96 MiB of random data, raw and xz/gzip/zstd, onto a
 * loop device. Every byte on the disk is checked. The README's budget is 150 MB; installs lend
 * their chunks down the chain (no buffer per chunk) and stay under 100 MB, so the limit here is
 * 120 MB: per-chunk buffers (140-165 MB measured) would fail it. gzip gets the budget itself:
 * its output comes from zlib's stream, a new buffer per 128 KiB (~110 MB measured).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const RSS_LIMIT_MB: Record<string, number> = { '': 120, '.xz': 120, '.zst': 120, '.gz': 150 };
const IMAGE_MIB = 1024;
let dir: string;
let key: GpgKey;
let pub: string;
let image: string;
let imageSha: string;

async function sha256OfFile(path: string, length: number): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { start: 0, end: length - 1 })) h.update(c as Buffer);
  return h.digest('hex');
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inst-mem-'));
  key = createGpgKey();
  pub = join(dir, 'key.asc');
  await writeFile(pub, key.publicArmored);
  image = join(dir, 'image.raw');
  await run('truncate', ['-s', `${IMAGE_MIB}M`, image]);
  // A first MiB of text (the writer holds it back until verified), random data mid-disk.
  await run('sh', ['-c', `yes nestos-memory-test | head -c 1M | dd of="${image}" conv=notrunc status=none`]);
  await run('sh', ['-c', `head -c 96M /dev/urandom | dd of="${image}" bs=1M seek=300 conv=notrunc status=none`]);
  imageSha = await sha256OfFile(image, IMAGE_MIB * 1024 * 1024);
  await run('sh', [
    '-c',
    `xz -T2 -0 -C crc32 -k -c "${image}" > "${image}.xz" && gzip -1 -c "${image}" > "${image}.gz" && zstd -q -3 -T2 -c "${image}" > "${image}.zst"`,
  ]);
  for (const f of [image, `${image}.xz`, `${image}.gz`, `${image}.zst`])
    await writeFile(`${f}.sig`, key.signBinary(await readFile(f)));
});

after(async () => {
  key?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the launcher under GNU time; the last stderr line is the peak RSS in KiB. */
function installMeasured(args: string[]): Promise<{ code: number | null; stderr: string; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', join(REPO_ROOT, 'bin/nestos-installer'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = Buffer.concat(err).toString().trimEnd().split('\n');
      resolve({ code, stderr: lines.join('\n'), rssMb: Number(lines.pop()) / 1024 });
    });
  });
}

for (const suffix of ['', '.xz', '.gz', '.zst']) {
  const limit = RSS_LIMIT_MB[suffix]!;
  test(`install of a 1 GiB image${suffix || ' (raw)'}: every byte on disk, peak RSS < ${limit} MB`, async () => {
    const target = join(dir, 'target.img');
    await run('truncate', ['-s', `${IMAGE_MIB + 16}M`, target]);
    // Stale bytes everywhere: the install must overwrite (or zero) all of them.
    await run('sh', [
      '-c',
      `head -c 8M /dev/urandom > "${dir}/noise" && for i in $(seq 0 8 ${IMAGE_MIB}); do dd if="${dir}/noise" of="${target}" bs=1M seek=$i conv=notrunc status=none; done`,
    ]);
    const dev = (await run('losetup', ['--show', '-f', target])).stdout.trim();
    try {
      const r = await installMeasured(['install', dev, '-f', `${image}${suffix}`, '--trusted-key', pub]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Number.isFinite(r.rssMb) && r.rssMb > 0, `no RSS measured: ${r.stderr}`);
      console.log(`# install${suffix || ' raw'}: peak RSS ${r.rssMb.toFixed(0)} MB`);
      assert.ok(r.rssMb < limit, `peak RSS ${r.rssMb.toFixed(0)} MB >= ${limit} MB`);
      assert.equal(await sha256OfFile(dev, IMAGE_MIB * 1024 * 1024), imageSha);
    } finally {
      await run('losetup', ['-d', dev]).catch(() => undefined);
      await rm(target, { force: true });
    }
  });
}
