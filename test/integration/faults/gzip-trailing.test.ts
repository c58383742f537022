/**
 * The CVE-2021-20319 pattern: a valid signature over more bytes than the decompressor consumes.
 * A gzip member followed by extra bytes (junk, or a second gzip member carrying other data) is
 * signed as a whole, so signature verification alone passes; the strict decompressor must still
 * refuse it. install: exit 1, new file target removed, loop disk reset to the saved partition.
 * download -d: exit 1, no output file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { assertOnlySaved, createFaultWorld, withSavedDisk, type FaultWorld } from './fixture.js';

let w: FaultWorld;
before(async () => {
  w = await createFaultWorld();
});
after(async () => {
  await w?.dispose();
});

const TRAILING = /found trailing data after compressed stream/;
const variants = () => ({
  'junk after the gzip member': Buffer.concat([w.gz, Buffer.from('#!/bin/sh\necho owned\n')]),
  'a second gzip member': Buffer.concat([w.gz, gzipSync(Buffer.from('hidden payload the signer never meant'))]),
  'zero padding after the member': Buffer.concat([w.gz, Buffer.alloc(4096)]),
});

for (const name of ['junk after the gzip member', 'a second gzip member', 'zero padding after the member'] as const) {
  test(
    `install refuses a signed gzip image with ${name} (new file target left absent)`,
    { timeout: 120_000 },
    async () => {
      const image = await w.signedFile(`cve-${name.replace(/\W+/g, '-')}.raw.gz`, variants()[name]);
      const outDir = mkdtempSync(join(w.dir, 'out-'));
      const target = join(outDir, 'vm.img');
      const r = await runCli(['install', target, '--dest-size', '64M', '-f', image, '--trusted-key', w.pub], {
        env: w.env,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, TRAILING);
      assert.equal(existsSync(target), false, 'no half-written file target');
    },
  );
}

test(
  'install to a loop disk: signed gzip + second member → table reset, saved partition identical',
  { timeout: 180_000 },
  async () => {
    const image = await w.signedFile('cve-disk.raw.gz', variants()['a second gzip member']);
    await withSavedDisk(w.dir, async (d) => {
      const r = await runCli(['install', d.dev, '-f', image, '--trusted-key', w.pub, '--save-partlabel', 'data'], {
        env: w.env,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, TRAILING);
      await assertOnlySaved(d);
    });
  },
);

test('download -d refuses a signed gzip with a trailing member and leaves no file', { timeout: 120_000 }, async () => {
  const body = variants()['a second gzip member'];
  w.server.route('/cve/nestos-x.raw.gz', { body });
  w.server.route('/cve/nestos-x.raw.gz.sig', { body: w.key.signBinary(body) });
  const dir = mkdtempSync(join(w.dir, 'dl-'));
  const r = await runCli(
    ['download', '-d', '-u', `${w.server.url}cve/nestos-x.raw.gz`, '--trusted-key', w.pub, '-C', dir],
    { env: w.env },
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, TRAILING);
  assert.deepEqual(
    readdirSync(dir).filter((f) => !f.endsWith('.part')),
    [],
    'no decompressed output and no .sig',
  );
});
