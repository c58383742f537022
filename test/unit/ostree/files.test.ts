import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EFI_EMBEDDED_CONFIG } from '../../../src/boot/grub-efi.js';
import { ostreeGrub2ExecPath, ostreeGrubEnv, writeStaticGrubConfig } from '../../../src/boot/ostree-grub.js';
import { writeFirstBootFiles } from '../../../src/ostree/firstboot-files.js';
import { DEFAULT_FSTAB, renderFstab } from '../../../src/ostree/fstab.js';
import { remoteUrl } from '../../../src/ostree/sysroot.js';
import { BASELINE_TMPFILES } from '../../../src/ostree/var-setup.js';

test('fstab names filesystems by label', () => {
  const text = renderFstab(DEFAULT_FSTAB);
  assert.match(text, /^LABEL=root \/ ext4 defaults 1 1$/m);
  assert.match(text, /^LABEL=boot \/boot ext4 defaults 1 2$/m);
  assert.match(text, /^LABEL=EFI-SYSTEM \/boot\/efi vfat umask=0077,shortname=winnt,nofail 0 2$/m);
});

test('first-boot files: empty stamp and platforms.json with the qemu console', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ost-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFirstBootFiles(dir, { stamp: true, flavor: 'nestos' });
  assert.equal((await stat(join(dir, 'ignition.firstboot'))).size, 0);
  const platforms = JSON.parse(await readFile(join(dir, 'nestos', 'platforms.json'), 'utf8'));
  assert.deepEqual(platforms.qemu, {
    kernel_arguments: ['console=ttyS0,115200n8'],
    grub_commands: ['serial --speed=115200', 'terminal_input serial console', 'terminal_output serial console'],
  });
  assert.ok(platforms.metal);
  await writeStaticGrubConfig(dir);
  assert.match(await readFile(join(dir, 'grub', 'grub.cfg'), 'utf8'), /source \/loader\/grub\.cfg/);
});

test('the EFI stub finds the boot fs by label and chains its grub.cfg', () => {
  assert.equal(
    EFI_EMBEDDED_CONFIG,
    'search --no-floppy --label boot --set=root\nset prefix=($root)/grub\nconfigfile ($root)/grub/grub.cfg\n',
  );
});

test('ostree grub2 hook points at the shipped generator script', async () => {
  const path = ostreeGrub2ExecPath();
  assert.match(path, /libexec\/ostree-grub2-exec$/);
  assert.ok((await stat(path)).mode & 0o111, 'executable');
  assert.equal(ostreeGrubEnv().OSTREE_GRUB2_EXEC, path);
});

test('remote URLs: local paths become file:// URLs, http(s) pass through', () => {
  assert.equal(remoteUrl('/srv/repo'), 'file:///srv/repo');
  assert.equal(remoteUrl('https://example.org/repo'), 'https://example.org/repo');
  assert.match(remoteUrl('rel/repo'), /^file:\/\/\/.*\/rel\/repo$/);
});

test('the /var baseline covers the FCOS top-level links', () => {
  for (const d of ['home', 'roothome', 'opt', 'srv', 'usrlocal', 'mnt', 'spool/mail']) {
    assert.match(BASELINE_TMPFILES, new RegExp(`^d /var/${d} `, 'm'));
  }
});
