import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, readFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBlsEntry, blsOptions, withBlsOptions, readDefaultBlsEntry } from '../../../src/boot/bls.js';
import { renderGrubMenu, staticGrubConfig, syncGrubMenu } from '../../../src/boot/grub-menu.js';

const ENTRY = `title NestOS Sample 24.03-LTS.1 (ostree:0)
version 2
options rw console=ttyS0,115200n8 ignition.platform.id=metal $ignition_firstboot ostree=/ostree/boot.1/nestos/abc/0
linux /ostree/nestos-abc/vmlinuz-6.1.0
initrd /ostree/nestos-abc/initramfs-6.1.0.img
`;

test('options are read and rewritten as upstream (trimmed lines, final newline)', () => {
  const entry = parseBlsEntry('/x.conf', ENTRY.replace('version 2', 'version 2   '));
  assert.equal(
    blsOptions(entry),
    'rw console=ttyS0,115200n8 ignition.platform.id=metal $ignition_firstboot ostree=/ostree/boot.1/nestos/abc/0',
  );
  const out = withBlsOptions(entry, ' rw quiet ');
  assert.match(out, /^version 2\n/m);
  assert.match(out, /\noptions rw quiet\n/);
  assert.ok(out.endsWith('.img\n'));
});

test('two options lines are refused', () => {
  const entry = parseBlsEntry('/x.conf', ENTRY + 'options again\n');
  assert.throws(() => blsOptions(entry), /Multiple 'options' lines found/);
});

test('the menu lists the highest version first and keeps $ignition_firstboot unquoted', () => {
  const older = parseBlsEntry('/a.conf', ENTRY.replace('version 2', 'version 1').replace('(ostree:0)', '(ostree:1)'));
  const newer = parseBlsEntry('/b.conf', ENTRY);
  const menu = renderGrubMenu([older, newer]);
  const titles = [...menu.matchAll(/^menuentry '([^']*)'/gm)].map((m) => m[1]);
  assert.deepEqual(titles, ['NestOS Sample 24.03-LTS.1 (ostree:0)', 'NestOS Sample 24.03-LTS.1 (ostree:1)']);
  assert.match(menu, /linux \/ostree\/nestos-abc\/vmlinuz-6.1.0 rw .* \$ignition_firstboot ostree=/);
});

test('syncGrubMenu renders into loader/ through the loader symlink', async () => {
  const boot = await mkdtemp(join(tmpdir(), 'grub-menu-'));
  try {
    await mkdir(join(boot, 'loader.1/entries'), { recursive: true });
    await symlink('loader.1', join(boot, 'loader'));
    await writeFile(join(boot, 'loader.1/entries/ostree-1-nestos.conf'), ENTRY);
    assert.equal(await syncGrubMenu(boot), false, 'no static config: nothing to render');
    await mkdir(join(boot, 'grub'));
    await writeFile(join(boot, 'grub/grub.cfg'), staticGrubConfig());
    assert.equal(await syncGrubMenu(boot), true);
    const menu = await readFile(join(boot, 'loader.1/grub.cfg'), 'utf8');
    assert.match(menu, /menuentry 'NestOS Sample/);
    assert.equal((await readDefaultBlsEntry(boot)).file, join(boot, 'loader/entries/ostree-1-nestos.conf'));
  } finally {
    await rm(boot, { recursive: true, force: true });
  }
});
