// `iso extract pxe` and `iso extract minimal-iso` on the sample live ISO, the checks of upstream's
// tests/images/iso-extract-{pxe,minimal-iso}.sh: PXE files byte-identical to the published
// artifacts; the minimal ISO identical in file and stdout mode, with or without --output-rootfs;
// its kargs without the liveiso karg (and with the rootfs URL when asked); existing outputs,
// altered ISOs and customized ISOs refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { needImages } from './need-images.js';

const ISO = 'nestos-sample-live.x86_64.iso';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function ok(args: string[]): Promise<Buffer> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function fails(args: string[], why: RegExp): Promise<void> {
  const r = await runCli(args);
  assert.equal(r.code, 1, `${args.join(' ')} should fail: ${r.stderr}`);
  assert.match(r.stderr, why);
}

test('iso extract pxe gives the published kernel, initramfs and rootfs byte for byte', async (t) => {
  const p = needImages(
    t,
    ISO,
    'nestos-sample-live-kernel-x86_64',
    'nestos-sample-live-initramfs.x86_64.img',
    'nestos-sample-live-rootfs.x86_64.img',
  );
  if (!p) return;
  const [iso, kernel, initramfs, rootfs] = p as [string, string, string, string];
  const dir = mkdtempSync(join(tmpdir(), 'extract-pxe-'));
  try {
    const out = (await ok(['iso', 'extract', 'pxe', '-o', dir, iso])).toString().trim().split('\n');
    const stem = 'nestos-sample-live.x86_64';
    assert.deepEqual(out.sort(), ['initrd.img', 'rootfs.img', 'vmlinuz'].map((n) => join(dir, `${stem}-${n}`)).sort());
    assert.equal(sha(readFileSync(join(dir, `${stem}-vmlinuz`))), sha(readFileSync(kernel)));
    assert.equal(sha(readFileSync(join(dir, `${stem}-initrd.img`))), sha(readFileSync(initramfs)));
    assert.equal(sha(readFileSync(join(dir, `${stem}-rootfs.img`))), sha(readFileSync(rootfs)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('iso extract minimal-iso: file and stdout agree, the rootfs is the PXE rootfs, kargs lose the liveiso karg', async (t) => {
  const p = needImages(t, ISO, 'nestos-sample-live-rootfs.x86_64.img');
  if (!p) return;
  const [iso, rootfs] = p as [string, string];
  const dir = mkdtempSync(join(tmpdir(), 'extract-minimal-'));
  try {
    const file = join(dir, 'minimal.iso');
    await ok(['iso', 'extract', 'minimal-iso', iso, file]);
    const stdout = await ok(['iso', 'extract', 'minimal-iso', iso]);
    assert.equal(sha(stdout), sha(readFileSync(file)));
    const withRootfs = await ok([
      'iso',
      'extract',
      'minimal-iso',
      '--output-rootfs',
      join(dir, 'rootfs.img'),
      iso,
      '-',
    ]);
    assert.equal(sha(withRootfs), sha(stdout));
    assert.equal(sha(readFileSync(join(dir, 'rootfs.img'))), sha(readFileSync(rootfs)));
    assert.ok(
      statSync(file).size < statSync(iso).size - statSync(rootfs).size + 4 * 1024 * 1024,
      'the minimal ISO carries no rootfs',
    );

    const kargsIn = (await ok(['iso', 'kargs', 'show', iso])).toString();
    const kargsOut = (await ok(['iso', 'kargs', 'show', file])).toString();
    assert.match(kargsIn, /coreos\.liveiso=nestos-sample-24\.03-LTS\.1/);
    assert.doesNotMatch(kargsOut, /liveiso/);
    assert.equal(kargsOut, kargsIn.replace('coreos.liveiso=nestos-sample-24.03-LTS.1 ', ''));
    // the default was rewritten too: a kargs reset does not bring the liveiso karg back
    assert.equal((await ok(['iso', 'kargs', 'show', '--default', file])).toString(), kargsOut);
    await ok(['iso', 'kargs', 'reset', file]);
    assert.equal((await ok(['iso', 'kargs', 'show', file])).toString(), kargsOut);
    const listing = await ok(['iso', 'extract', 'pxe', '-o', dir, file]);
    assert.doesNotMatch(listing.toString(), /rootfs/);

    const url = 'https://example.com/rootfs';
    const withUrl = join(dir, 'url.iso');
    await ok(['iso', 'extract', 'minimal-iso', '--rootfs-url', url, iso, withUrl]);
    const urlStdout = await ok(['iso', 'extract', 'minimal-iso', '--rootfs-url', url, iso]);
    assert.equal(sha(urlStdout), sha(readFileSync(withUrl)));
    assert.match(
      (await ok(['iso', 'kargs', 'show', withUrl])).toString(),
      /^console=ttyS0,115200n8 ignition\.firstboot ignition\.platform\.id=metal coreos\.live\.rootfs_url=https:\/\/example\.com\/rootfs\n$/,
    );
    assert.doesNotMatch((await ok(['iso', 'kargs', 'show', '--default', withUrl])).toString(), /rootfs_url/);
    await fails(
      ['iso', 'extract', 'minimal-iso', '--rootfs-url', 'http://a b', iso, join(dir, 'ws.iso')],
      /forbidden whitespace found in 'http:\/\/a b'/,
    );

    await fails(['iso', 'extract', 'minimal-iso', iso, file], /File exists/);
    await fails(
      ['iso', 'extract', 'minimal-iso', '--output-rootfs', join(dir, 'rootfs.img'), iso, join(dir, 'new.iso')],
      /File exists/,
    );
    assert.equal(existsSync(join(dir, 'new.iso')), false);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('.nestos-installer-temp-')),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('iso extract minimal-iso refuses an altered ISO (wrong final digest) and a customized one until reset', async (t) => {
  const p = needImages(t, ISO);
  if (!p) return;
  const dir = mkdtempSync(join(tmpdir(), 'extract-minimal-bad-'));
  try {
    // every coreos.liveiso changed to codeos.liveiso, as upstream's test does with sed
    const altered = join(dir, 'altered.iso');
    const bytes = readFileSync(p[0]!);
    const needle = Buffer.from('coreos.liveiso');
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1))
      bytes.write('codeos', at, 'latin1');
    writeFileSync(altered, bytes);
    await fails(
      ['iso', 'extract', 'minimal-iso', altered, join(dir, 'out.iso')],
      /wrong final digest: expected [0-9a-f]{64}, found [0-9a-f]{64}/,
    );
    await fails(['iso', 'extract', 'minimal-iso', altered], /wrong final digest/);
    assert.deepEqual(readdirSync(dir), ['altered.iso']);

    const custom = join(dir, 'custom.iso');
    copyFileSync(p[0]!, custom);
    await ok(['iso', 'kargs', 'modify', '-a', 'foo=bar', custom]);
    await fails(
      ['iso', 'extract', 'minimal-iso', custom, join(dir, 'out.iso')],
      /Cannot operate on ISO with embedded customizations\.\nReset it with `nestos-installer iso reset` and try again\./,
    );
    await ok(['iso', 'reset', custom]);
    const embed = await runCli(['iso', 'ignition', 'embed', custom], { input: '{"ignition":{"version":"3.4.0"}}' });
    assert.equal(embed.code, 0, embed.stderr);
    await fails(
      ['iso', 'extract', 'minimal-iso', custom, join(dir, 'out.iso')],
      /Cannot operate on ISO with embedded customizations/,
    );
    await ok(['iso', 'reset', custom]);
    await ok(['iso', 'extract', 'minimal-iso', custom, join(dir, 'out.iso')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
