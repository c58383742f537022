import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseBlsEntry } from '../../../src/boot/bls.js';
import { renderGrubMenu, staticGrubConfig } from '../../../src/boot/grub-menu.js';
import { createMemoryReporter } from '../../../src/report.js';
import { prepareFirstBoot, type FirstBootPlan } from '../../../src/install/firstboot.js';

const BLS =
  'title T\nversion 1\noptions root=LABEL=root rw console=tty0 ignition.platform.id=metal $ignition_firstboot   \nlinux /vmlinuz\n';
const PLATFORMS = {
  metal: {
    grub_commands: ['serial --speed=115200', 'terminal_input serial console', 'terminal_output serial console'],
    kernel_arguments: ['console=tty0'],
  },
  gcp: {
    grub_commands: ['serial --speed=115200 --unit=0', 'terminal_input serial', 'terminal_output serial'],
    kernel_arguments: ['console=ttyS0,115200n8'],
  },
  aws: {
    grub_commands: ['serial --speed=115200', 'terminal_input serial console', 'terminal_output serial console'],
    kernel_arguments: ['console=ttyS0,115200n8'],
  },
};

async function bootDir(flavor: 'nestos' | 'coreos', grub2 = false): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fb-'));
  await mkdir(join(d, 'loader.1/entries'), { recursive: true });
  await writeFile(join(d, 'loader.1/entries/ostree-1-nestos.conf'), BLS);
  await writeFile(join(d, 'loader.1/grub.cfg'), renderGrubMenu([parseBlsEntry('x', BLS)]));
  await symlink('loader.1', join(d, 'loader'));
  await mkdir(join(d, grub2 ? 'grub2' : 'grub'));
  await writeFile(join(d, grub2 ? 'grub2/grub.cfg' : 'grub/grub.cfg'), staticGrubConfig());
  await mkdir(join(d, flavor));
  await writeFile(join(d, flavor, 'platforms.json'), JSON.stringify(PLATFORMS));
  return d;
}

const plan = (p: Partial<FirstBootPlan>): FirstBootPlan => ({
  consoles: [],
  appendKargs: [],
  deleteKargs: [],
  flavor: 'nestos',
  ...p,
});
const options = async (d: string) =>
  /^options (.*)$/m.exec(await readFile(join(d, 'loader/entries/ostree-1-nestos.conf'), 'utf8'))![1]!;

test('platform without --console: platforms.json kargs and grub commands, menu re-rendered', async () => {
  const d = await bootDir('coreos', true);
  try {
    const rep = createMemoryReporter();
    await prepareFirstBoot(d, plan({ platform: 'gcp' }), rep);
    assert.equal(
      await options(d),
      'root=LABEL=root rw ignition.platform.id=gcp $ignition_firstboot console=ttyS0,115200n8',
    );
    assert.ok(rep.lines.includes('Setting platform to gcp'));
    assert.match(
      await readFile(join(d, 'grub2/grub.cfg'), 'utf8'),
      /START\nserial --speed=115200 --unit=0\nterminal_input serial\nterminal_output serial\n# CONSOLE/,
    );
    assert.match(await readFile(join(d, 'loader/grub.cfg'), 'utf8'), /ignition\.platform\.id=gcp/);
    // File rewritten as upstream: trailing whitespace trimmed, final newline.
    assert.ok((await readFile(join(d, 'loader/entries/ostree-1-nestos.conf'), 'utf8')).endsWith('/vmlinuz\n'));
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});

test('platform with identical grub commands leaves the console block alone', async () => {
  const d = await bootDir('nestos');
  try {
    const before = await readFile(join(d, 'grub/grub.cfg'), 'utf8');
    await prepareFirstBoot(d, plan({ platform: 'aws' }), createMemoryReporter());
    assert.equal(await readFile(join(d, 'grub/grub.cfg'), 'utf8'), before);
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});

test('ignition modes, firstboot args, network dir name by flavor', async () => {
  const d = await bootDir('nestos');
  const net = await mkdtemp(join(tmpdir(), 'net-'));
  try {
    await writeFile(join(net, 'a.nmconnection'), 'x');
    await mkdir(join(net, 'subdir'));
    await writeFile(join(d, 'ignition.firstboot'), '');
    await prepareFirstBoot(
      d,
      plan({ ignition: Buffer.from('{}'), copyNetworkFrom: net, firstbootArgs: 'rd.neednet=1 ip=dhcp' }),
      createMemoryReporter(),
    );
    assert.equal((await stat(join(d, 'ignition'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(d, 'ignition/config.ign'))).mode & 0o777, 0o600);
    assert.equal(await readFile(join(d, 'nestos-firstboot-network/a.nmconnection'), 'utf8'), 'x');
    assert.equal(
      await readFile(join(d, 'ignition.firstboot'), 'utf8'),
      'set ignition_network_kcmdline="rd.neednet=1 ip=dhcp"\n',
    );
    // create-new: a second write fails
    await assert.rejects(
      prepareFirstBoot(d, plan({ ignition: Buffer.from('{}') }), createMemoryReporter()),
      /creating .*config\.ign/,
    );
  } finally {
    await rm(d, { recursive: true, force: true });
    await rm(net, { recursive: true, force: true });
  }
});

test('errors: missing platform id, missing markers', async () => {
  const d = await bootDir('coreos');
  try {
    await writeFile(join(d, 'loader/entries/ostree-1-nestos.conf'), 'options root=x\n');
    await assert.rejects(
      prepareFirstBoot(d, plan({ platform: 'qemu' }), createMemoryReporter()),
      /couldn't locate platform ID/,
    );
    await writeFile(join(d, 'grub/grub.cfg'), 'no markers\n');
    await assert.rejects(
      prepareFirstBoot(d, plan({ consoles: ['ttyS0'] }), createMemoryReporter()),
      /missing substitution marker in grub\.cfg/,
    );
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});
