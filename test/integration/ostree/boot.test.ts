// Boot proof in QEMU (SeaBIOS and OVMF) of systems built by the ostree install: the probe in the
// sample initramfs reports the deployment it resolved from the ostree= karg, the Ignition config's
// sha256 and the platform ID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output } from '../../../src/exec/run.js';
import { ostreeInstall } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { needImages } from '../images/need-images.js';
import { bootOnce, sampleOptions } from './sample.js';

async function sampleCommit(repo: string, refFile: string): Promise<string> {
  return output('ostree', ['rev-parse', `--repo=${repo}`, (await readFile(refFile, 'utf8')).trim()]);
}

test('the sample metal images boot: 512 under BIOS and UEFI, 4Kn under UEFI', { timeout: 400_000 }, async (t) => {
  const p = needImages(t, 'nestos-sample-metal.x86_64.raw', 'nestos-sample-metal4k.x86_64.raw', 'repo', 'repo-ref');
  if (!p) return;
  const [metal, metal4k, repo, refFile] = p as [string, string, string, string];
  const commit = await sampleCommit(repo, refFile);
  const runs = [
    ...(await Promise.all([
      bootOnce({ firmware: 'bios', disk: metal, readOnly: true, timeoutMs: 240_000 }),
      bootOnce({ firmware: 'uefi', disk: metal, readOnly: true, timeoutMs: 240_000 }),
    ])),
    await bootOnce({ firmware: 'uefi', disk: metal4k, sectorSize: 4096, readOnly: true, timeoutMs: 240_000 }),
  ];
  for (const { probe } of runs) {
    assert.equal(probe.deployment, `ostree/deploy/nestos/deploy/${commit}.0`);
    assert.equal(probe.platform, 'metal');
    assert.equal(probe.firstboot, true);
    assert.equal(probe.ignition_sha256, null);
    assert.match(probe.cmdline, / ignition\.firstboot /);
    assert.match(probe.cmdline, /ostree=\/ostree\/boot\.[01]\/nestos\/[0-9a-f]{64}\/0/);
  }
  assert.equal(runs[2]!.probe.disks?.[0]?.lbs, 4096);
});

test(
  'an ostree install with Ignition and --platform qemu boots under BIOS and UEFI',
  { timeout: 400_000 },
  async (t) => {
    const p = needImages(t, 'repo', 'repo-ref', 'sample-signing-key.pub.asc');
    if (!p) return;
    const [repo, refFile, key] = p as [string, string, string];
    const ref = (await readFile(refFile, 'utf8')).trim();
    const commit = await sampleCommit(repo, refFile);
    const dir = await mkdtemp(join(tmpdir(), 'ost-bootinst-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const img = join(dir, 'disk.raw');
    const config = Buffer.from('{"ignition":{"version":"3.4.0"},"passwd":{"users":[{"name":"core"}]}}');
    await ostreeInstall(
      { ...sampleOptions(img, repo, ref, key), ignition: config, platform: 'qemu' },
      createMemoryReporter(),
    );
    const runs = await Promise.all(
      (['bios', 'uefi'] as const).map((firmware) =>
        bootOnce({ firmware, disk: img, readOnly: true, timeoutMs: 240_000 }),
      ),
    );
    for (const { probe } of runs) {
      assert.equal(probe.deployment, `ostree/deploy/nestos/deploy/${commit}.0`);
      assert.equal(probe.platform, 'qemu');
      assert.equal(probe.ignition_sha256, createHash('sha256').update(config).digest('hex'));
      assert.equal(probe.firstboot, true);
    }
  },
);
