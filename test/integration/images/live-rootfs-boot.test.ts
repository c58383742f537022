// The live system finds its root filesystem like NestOS / Fedora CoreOS: PXE with only kernel +
// initramfs and `coreos.live.rootfs_url=` (served by scripts/serve-stream), a tampered rootfs at
// that URL (refused by the build-time hashes, never mounted), and the minimal ISO extracted with
// --rootfs-url, which carries no rootfs of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { bootProbe, bootQemu } from '../../helpers/qemu.js';
import { needImages } from './need-images.js';
import { liveRootfsLine, serveStream } from './serve-stream.js';

const ROOTFS = 'nestos-sample-live-rootfs.x86_64.img';
const KARGS = 'console=ttyS0,115200n8 ignition.firstboot ignition.platform.id=metal';

test(
  'PXE: kernel + initramfs fetch the rootfs from coreos.live.rootfs_url, check it and mount it',
  { timeout: 400_000 },
  async (t) => {
    const p = needImages(t, 'nestos-sample-live-kernel-x86_64', 'nestos-sample-live-initramfs.x86_64.img', ROOTFS);
    if (!p) return;
    const [kernel, initramfs, rootfs] = p as [string, string, string];
    const served = await serveStream(join(rootfs, '..'));
    try {
      const url = `${served.guestBase}${ROOTFS}`;
      const { probe, log } = await bootProbe({
        firmware: 'bios',
        kernel,
        initrds: [initramfs],
        network: 'user',
        timeoutMs: 360_000,
        append: `${KARGS} coreos.live.rootfs_url=${url}`,
      });
      assert.deepEqual(liveRootfsLine(log), {
        source: 'url',
        url,
        verified: true,
        repo: true,
        osmet: ['nestos-sample-metal.x86_64.osmet', 'nestos-sample-metal4k.x86_64.osmet'],
      });
      assert.equal(probe.platform, 'metal');
      assert.ok(served.requests.includes(`GET /${ROOTFS}`), served.requests.join('\n'));
    } finally {
      served.close();
    }
  },
);

test(
  'PXE: a rootfs that differs from the build-time hashes is refused and never mounted',
  { timeout: 400_000 },
  async (t) => {
    const p = needImages(t, 'nestos-sample-live-kernel-x86_64', 'nestos-sample-live-initramfs.x86_64.img', ROOTFS);
    if (!p) return;
    const [kernel, initramfs, rootfs] = p as [string, string, string];
    const dir = mkdtempSync(join(tmpdir(), 'tampered-rootfs-'));
    const bytes = readFileSync(rootfs);
    const at = 5 * 4 * 1024 * 1024 + 12345; // in the sixth 4 MiB chunk
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(join(dir, ROOTFS), bytes);
    const served = await serveStream(dir);
    try {
      const url = `${served.guestBase}${ROOTFS}`;
      const run = await bootQemu({
        firmware: 'bios',
        kernel,
        initrds: [initramfs],
        network: 'user',
        timeoutMs: 360_000,
        append: `${KARGS} coreos.live.rootfs_url=${url}`,
      });
      const line = liveRootfsLine(run.log);
      assert.equal(line.source, 'url');
      assert.match(
        String(line.error),
        new RegExp(`^hash mismatch at offset ${5 * 4 * 1024 * 1024}; expected [0-9a-f]{64}, found [0-9a-f]{64}$`),
      );
      assert.doesNotMatch(run.log, /FIRSTBOOT-PROBE/);
    } finally {
      served.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('minimal ISO extracted with --rootfs-url boots and fetches its rootfs', { timeout: 400_000 }, async (t) => {
  const p = needImages(t, 'nestos-sample-live.x86_64.iso', ROOTFS);
  if (!p) return;
  const [iso, rootfs] = p as [string, string];
  const dir = mkdtempSync(join(tmpdir(), 'minimal-boot-'));
  const served = await serveStream(join(rootfs, '..'));
  try {
    const url = `${served.guestBase}${ROOTFS}`;
    const minimal = join(dir, 'minimal.iso');
    const r = await runCli(['iso', 'extract', 'minimal-iso', '--rootfs-url', url, iso, minimal]);
    assert.equal(r.code, 0, r.stderr);
    const { probe, log } = await bootProbe({ firmware: 'bios', iso: minimal, network: 'user', timeoutMs: 360_000 });
    const line = liveRootfsLine(log);
    assert.equal(line.source, 'url');
    assert.equal(line.verified, true);
    assert.doesNotMatch(probe.cmdline, /liveiso=/);
    assert.match(probe.cmdline, new RegExp(`coreos\\.live\\.rootfs_url=${url.replace(/\./g, '\\.')}( |$)`));
  } finally {
    served.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
