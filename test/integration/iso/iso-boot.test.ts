/**
 * Boot proof: the sample live ISO with an embedded Ignition config, a network keyfile and
 * modified kargs boots under SeaBIOS and OVMF, and the probe sees the config's sha256, the
 * keyfile and the new kernel arguments. PXE: kernel + (live initramfs followed by the wrapped
 * archive) shows the config's sha256.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR } from '../../helpers/paths.js';
import { bootProbe } from '../../helpers/qemu.js';

function need(t: TestContext, ...names: string[]): string[] | undefined {
  const paths = names.map((n) => join(IMAGES_DIR, n));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return paths;
  const msg = `missing sample images (${missing.join(', ')}); run npm run images`;
  if (process.env['CI']) throw new Error(msg);
  t.skip(msg);
  return undefined;
}

async function ok(args: string[], input?: string) {
  const r = await runCli(args, { input });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

const CONFIG = JSON.stringify({
  ignition: { version: '3.3.0' },
  passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA test'] }] },
});
const CONFIG_SHA = createHash('sha256').update(CONFIG).digest('hex');

for (const firmware of ['bios', 'uefi'] as const) {
  test(
    `customised sample ISO boots under ${firmware}: config sha256 and new kargs`,
    { timeout: 300_000 },
    async (t) => {
      const p = need(t, 'nestos-sample-live.x86_64.iso');
      if (!p) return;
      const dir = mkdtempSync(join(tmpdir(), 'iso-boot-'));
      const iso = join(dir, 'live.iso');
      copyFileSync(p[0]!, iso);
      const key = join(dir, 'eth0.nmconnection');
      writeFileSync(key, '[connection]\nid=eth0\ntype=ethernet\n');
      await ok(['iso', 'ignition', 'embed', iso], CONFIG);
      await ok(['iso', 'network', 'embed', '-k', key, iso]);
      await ok(['iso', 'kargs', 'modify', '-a', 'nestos.test=42', '-d', 'ignition.firstboot', iso]);
      const { probe } = await bootProbe({ firmware, iso });
      assert.equal(probe.ignition_sha256, CONFIG_SHA);
      assert.match(probe.cmdline, / nestos\.test=42( |$)/);
      assert.doesNotMatch(probe.cmdline, /ignition\.firstboot/);
      assert.ok(
        probe.network_keyfiles.some((k) => k.endsWith('eth0.nmconnection')),
        JSON.stringify(probe.network_keyfiles),
      );
    },
  );
}

test('PXE: kernel + live initramfs + wrapped config shows the config sha256', { timeout: 300_000 }, async (t) => {
  const p = need(
    t,
    'nestos-sample-live-kernel-x86_64',
    'nestos-sample-live-initramfs.x86_64.img',
    'nestos-sample-live-rootfs.x86_64.img',
  );
  if (!p) return;
  const [kernel, initramfs, rootfs] = p as [string, string, string];
  const dir = mkdtempSync(join(tmpdir(), 'pxe-boot-'));
  const wrapped = join(dir, 'config.img');
  await ok(['pxe', 'ignition', 'wrap', '-o', wrapped], CONFIG);
  // The wrapped archive is what `pxe ignition unwrap` reads back.
  const combined = join(dir, 'combined.img');
  writeFileSync(combined, Buffer.concat([readFileSync(initramfs), readFileSync(wrapped)]));
  assert.equal((await ok(['pxe', 'ignition', 'unwrap', combined])).stdout.toString(), CONFIG);
  const { probe } = await bootProbe({
    firmware: 'bios',
    kernel,
    initrds: [initramfs, rootfs, wrapped],
    append: 'console=ttyS0,115200n8 ignition.firstboot ignition.platform.id=metal',
  });
  assert.equal(probe.ignition_sha256, CONFIG_SHA);
});

// Self-installing media (--dest-*) need the live install service and a target disk: the live-install
// boot tests (test/integration/live-install) cover that. Here: the customised live config and kargs reach the kernel.
test(
  'iso customize output boots: live config and live kargs reach the kernel (BIOS)',
  { timeout: 300_000 },
  async (t) => {
    const p = need(t, 'nestos-sample-live.x86_64.iso');
    if (!p) return;
    const dir = mkdtempSync(join(tmpdir(), 'iso-customize-boot-'));
    const liveIgn = join(dir, 'live.ign');
    writeFileSync(liveIgn, CONFIG);
    const key = join(dir, 'eth1.nmconnection');
    writeFileSync(key, '[connection]\nid=eth1\n');
    const out = join(dir, 'custom.iso');
    await ok([
      'iso',
      'customize',
      '--live-ignition',
      liveIgn,
      '--network-keyfile',
      key,
      '--live-karg-append',
      'nestos.customized=1',
      '-o',
      out,
      p[0]!,
    ]);
    const live = (await ok(['iso', 'ignition', 'show', out])).stdout;
    const { probe } = await bootProbe({ firmware: 'bios', iso: out });
    assert.equal(probe.ignition_sha256, createHash('sha256').update(live).digest('hex'));
    assert.match(probe.cmdline, / nestos\.customized=1( |$)/);
    assert.ok(
      probe.network_keyfiles.some((k) => k.endsWith('eth1.nmconnection')),
      JSON.stringify(probe.network_keyfiles),
    );
  },
);
