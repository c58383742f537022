// Deploys the sample repo (signed, verified against the sample key) to a loop-backed image file
// and checks the result on disk: ostree admin status, BLS entry + GRUB menu kargs and ostree=
// path, Ignition config permissions, /var skeleton, fstab, ESP contents, nothing left attached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output } from '../../../src/exec/run.js';
import { ostreeInstall } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { needImages } from '../images/need-images.js';
import { installerMounts, loopsOf, withInstalledImage } from './inspect.js';
import { sampleOptions } from './sample.js';

const CONFIG = Buffer.from(
  '{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"/etc/hello","contents":{"source":"data:,hi"}}]}}',
);

test('ostree install of the sample repo to an image file', { timeout: 180_000 }, async (t) => {
  const p = needImages(t, 'repo', 'repo-ref', 'sample-signing-key.pub.asc');
  if (!p) return;
  const [repo, refFile, key] = p as [string, string, string];
  const ref = (await readFile(refFile, 'utf8')).trim();
  const dir = await mkdtemp(join(tmpdir(), 'ost-deploy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const img = join(dir, 'disk.raw');
  const reporter = createMemoryReporter();
  const result = await ostreeInstall(
    { ...sampleOptions(img, repo, ref, key), ignition: CONFIG, appendKargs: ['nestos.test=1'] },
    reporter,
  );
  const commit = await output('ostree', ['rev-parse', `--repo=${repo}`, ref]);
  assert.equal(result.commit, commit);
  assert.ok(reporter.lines.includes('Deploying openEuler:' + ref), reporter.lines.join('\n'));
  assert.ok(reporter.lines.some((l) => l.startsWith('Mounting root and boot filesystems at ')));
  assert.equal(await loopsOf(img), '');
  assert.deepEqual(await installerMounts(reporter.lines), []);

  await withInstalledImage(img, 512, async (sysroot, dev) => {
    const status = await output('ostree', ['admin', 'status', `--sysroot=${sysroot}`]);
    assert.match(status, new RegExp(`nestos ${commit}\\.0`));
    assert.match(status, new RegExp(`origin refspec: openEuler:${ref}`));
    const boot = join(sysroot, 'boot');
    const loader = await readlink(join(boot, 'loader'));
    assert.match(loader, /^loader\.[01]$/);
    const entries = await readdir(join(boot, 'loader', 'entries'));
    assert.deepEqual(entries, ['ostree-1-nestos.conf']);
    const bls = await readFile(join(boot, 'loader', 'entries', entries[0]!), 'utf8');
    const options = /^options (.*)$/m.exec(bls)?.[1] ?? '';
    assert.match(
      options,
      /^root=LABEL=root rw console=ttyS0,115200n8 ignition\.platform\.id=metal \$ignition_firstboot /,
    );
    assert.match(options, / nestos\.test=1( |$)/);
    const ostreeArg = /ostree=(\/ostree\/boot\.[01]\/nestos\/[0-9a-f]{64}\/0)/.exec(options)?.[1];
    assert.ok(ostreeArg, options);
    // The ostree= path resolves to the deployment in the root fs.
    const resolved = await output('readlink', ['-f', join(sysroot, ostreeArg)]);
    assert.equal(resolved, join(sysroot, `ostree/deploy/nestos/deploy/${commit}.0`));
    const menu = await readFile(join(boot, 'loader', 'grub.cfg'), 'utf8');
    assert.equal(menu.match(/^menuentry /gm)?.length, 1);
    assert.ok(menu.includes(options), `menu lacks the BLS options:\n${menu}`);
    const staticCfg = await readFile(join(boot, 'grub', 'grub.cfg'), 'utf8');
    assert.match(staticCfg, /source \/loader\/grub\.cfg/);
    // Ignition config 0600 in a 0700 dir, byte-identical; stamp + platforms.json.
    const ign = await stat(join(boot, 'ignition', 'config.ign'));
    assert.equal(ign.mode & 0o777, 0o600);
    assert.equal((await stat(join(boot, 'ignition'))).mode & 0o777, 0o700);
    assert.deepEqual(await readFile(join(boot, 'ignition', 'config.ign')), CONFIG);
    assert.equal((await stat(join(boot, 'ignition.firstboot'))).size, 0);
    const platforms = JSON.parse(await readFile(join(boot, 'nestos', 'platforms.json'), 'utf8'));
    assert.deepEqual(platforms.qemu.kernel_arguments, ['console=ttyS0,115200n8']);
    // Repo config, /var skeleton, fstab.
    const repoCfg = await readFile(join(sysroot, 'ostree', 'repo', 'config'), 'utf8');
    assert.match(repoCfg, /bootloader=grub2/);
    assert.match(repoCfg, /readonly=true/);
    assert.match(repoCfg, /gpg-verify=true/);
    const varDir = join(sysroot, 'ostree', 'deploy', 'nestos', 'var');
    for (const d of ['home', 'roothome', 'opt', 'srv', 'usrlocal', 'mnt', 'spool/mail', 'log', 'tmp']) {
      assert.ok((await stat(join(varDir, d))).isDirectory(), `var/${d}`);
    }
    assert.equal((await stat(join(varDir, 'roothome'))).mode & 0o777, 0o700);
    const fstab = await readFile(join(sysroot, `ostree/deploy/nestos/deploy/${commit}.0/etc/fstab`), 'utf8');
    assert.match(fstab, /^LABEL=boot \/boot ext4 /m);
    // GRUB: BIOS modules + MBR boot code; UEFI image on the FAT ESP.
    assert.ok((await stat(join(boot, 'grub', 'i386-pc', 'normal.mod'))).isFile());
    assert.ok((await stat(join(boot, 'grub', 'x86_64-efi', 'normal.mod'))).isFile());
    const esp = await output('mdir', ['-b', '-i', `${dev}p2`, '::/EFI/BOOT'], { env: { MTOOLS_SKIP_CHECK: '1' } });
    assert.match(esp, /BOOTX64\.EFI/i);
    const parts = await output('sgdisk', ['-p', dev]);
    for (const name of ['BIOS-BOOT', 'EFI-SYSTEM', 'boot', 'root']) assert.match(parts, new RegExp(` ${name}$`, 'm'));
  });
});

test('a commit signed by an untrusted key is refused before the target is touched', { timeout: 120_000 }, async (t) => {
  const p = needImages(t, 'repo', 'repo-ref');
  if (!p) return;
  const [repo, refFile] = p as [string, string];
  const ref = (await readFile(refFile, 'utf8')).trim();
  const dir = await mkdtemp(join(tmpdir(), 'ost-untrusted-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { makeTinyRepo } = await import('./tiny-repo.js');
  const other = await makeTinyRepo({ signed: true });
  t.after(() => other.cleanup());
  const img = join(dir, 'disk.raw');
  await writeFile(img, '');
  const reporter = createMemoryReporter();
  await assert.rejects(ostreeInstall(sampleOptions(img, repo, ref, other.publicKey!), reporter), (err: Error) => {
    assert.match(err.message, /could not be fetched and verified .*nothing was written/);
    assert.match(String((err.cause as Error).message), /public key not found/);
    return true;
  });
  assert.equal(await loopsOf(img), '');
  assert.deepEqual(await installerMounts(reporter.lines), []);
  // The file existed before, empty: neither extended nor partitioned.
  assert.equal((await stat(img)).size, 0);
});
