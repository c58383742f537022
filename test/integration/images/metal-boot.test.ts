// Boots the sample metal images (built by images/build-metal.sh with our installer's ostree
// mode): BIOS and UEFI on 512-byte sectors, UEFI on 4Kn. GRUB must pass the BLS entry's options
// (with $ignition_firstboot expanded) and the probe must resolve ostree= to the deployment.
// Also checks `ostree admin status` on the image's root partition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootProbe } from '../../helpers/qemu.js';
import { needImages } from './need-images.js';

const METAL = 'nestos-sample-metal.x86_64.raw';
const METAL4K = 'nestos-sample-metal4k.x86_64.raw';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface ImageFacts {
  options: string;
  deployment: string;
  status: string;
}

/** Attaches the image read-only, mounts root (p4) and boot (p3) read-only, collects facts. */
function inspectImage(file: string, sector: 512 | 4096): ImageFacts {
  const dev = run('losetup', ['-f', '--show', '-r', '--sector-size', String(sector), file]).trim();
  const mnt = mkdtempSync(join(tmpdir(), 'metal-inspect-'));
  const mounted: string[] = [];
  try {
    run('partx', ['-a', dev]);
    run('mount', ['-o', 'ro', `${dev}p4`, mnt]);
    mounted.push(mnt);
    run('mount', ['-o', 'ro', `${dev}p3`, join(mnt, 'boot')]);
    mounted.unshift(join(mnt, 'boot'));
    const entries = join(mnt, 'boot/loader/entries');
    const conf = readdirSync(entries)
      .filter((n) => n.endsWith('.conf'))
      .sort()
      .at(-1);
    assert.ok(conf, 'the image has a BLS entry');
    const bls = readFileSync(join(entries, conf), 'utf8');
    const options = /^options\s+(.*)$/m.exec(bls)?.[1] ?? '';
    const deploys = readdirSync(join(mnt, 'ostree/deploy/nestos/deploy')).filter((n) => /^[0-9a-f]{64}\.\d+$/.test(n));
    assert.equal(deploys.length, 1, 'one deployment');
    const status = run('ostree', ['admin', 'status', `--sysroot=${mnt}`]);
    return { options, deployment: `ostree/deploy/nestos/deploy/${deploys[0]}`, status };
  } finally {
    for (const m of mounted) {
      try {
        run('umount', [m]);
      } catch {
        /* reported by the rmdir below */
      }
    }
    try {
      run('partx', ['-d', dev]);
    } catch {
      /* no partitions attached */
    }
    run('losetup', ['-d', dev]);
    rmSync(mnt, { recursive: true, force: true });
  }
}

/** The BLS options as GRUB passes them: `$ignition_firstboot` expands (stamp present). */
function expectedKargs(options: string): string[] {
  return options.replace('$ignition_firstboot', 'ignition.firstboot').split(/\s+/).filter(Boolean);
}

test('ostree admin status on the metal image shows the deployment and its origin', (t) => {
  const p = needImages(t, METAL, 'repo-ref');
  if (!p) return;
  const [image, refFile] = p as [string, string];
  const ref = readFileSync(refFile, 'utf8').trim();
  const facts = inspectImage(image, 512);
  const commit =
    facts.deployment
      .split('/')
      .at(-1)
      ?.replace(/\.\d+$/, '') ?? '';
  assert.match(facts.status, new RegExp(`nestos ${commit}\\.0`));
  assert.match(facts.status, /Version: 24\.03-LTS\.\d+/);
  assert.match(facts.status, new RegExp(`origin refspec: openEuler:${ref.replace(/\//g, '\\/')}`));
});

const cases = [
  { name: 'BIOS, 512-byte sectors', file: METAL, firmware: 'bios', sector: 512 },
  { name: 'UEFI, 512-byte sectors', file: METAL, firmware: 'uefi', sector: 512 },
  { name: 'UEFI, 4Kn', file: METAL4K, firmware: 'uefi', sector: 4096 },
] as const;

for (const c of cases) {
  test(
    `metal image boots (${c.name}) with the BLS kargs and the ostree= deployment`,
    { timeout: 300_000 },
    async (t) => {
      const p = needImages(t, c.file);
      if (!p) return;
      const image = p[0] as string;
      const facts = inspectImage(image, c.sector);
      const { probe } = await bootProbe({ firmware: c.firmware, disk: image, sectorSize: c.sector });
      const got = probe.cmdline.split(/\s+/).filter((a) => !a.startsWith('BOOT_IMAGE='));
      assert.deepEqual(got, expectedKargs(facts.options));
      assert.equal(probe.deployment, facts.deployment);
      assert.equal(probe.firstboot, true);
      assert.equal(probe.platform, 'metal');
      assert.deepEqual(probe.disks, [{ name: 'vda', lbs: c.sector }]);
    },
  );
}
