// The real CLI, pulling over HTTP: `install --ostree-repo http://127.0.0.1:PORT/repo` against the
// sample feed server (scripts/serve-stream), with signature verification against the sample key;
// and the same without any trusted key is refused before the disk is touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { output } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { IMAGES_DIR, REPO_ROOT } from '../../helpers/paths.js';
import { needImages } from '../images/need-images.js';
import { loopsOf, withInstalledImage } from './inspect.js';

async function serve(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts/serve-stream'), '--dir', IMAGES_DIR], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve-stream exited ${code}`)));
  });
  return { url: line.trim(), stop: () => child.kill('SIGTERM') };
}

test('CLI ostree install from an http archive repo, signature verified', { timeout: 180_000 }, async (t) => {
  const p = needImages(t, 'repo', 'repo-ref', 'sample-signing-key.pub.asc');
  if (!p) return;
  const [repo, refFile, key] = p as [string, string, string];
  const ref = (await readFile(refFile, 'utf8')).trim();
  const server = await serve();
  t.after(() => server.stop());
  const dir = await mkdtemp(join(tmpdir(), 'ost-http-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const img = join(dir, 'disk.raw');
  const repoUrl = new URL('repo', server.url).href;

  const refused = await runCli(
    [
      'install',
      '--ostree-repo',
      repoUrl,
      '--ostree-ref',
      ref,
      '--dest-size',
      '768M',
      '--ostree-esp-size',
      '64M',
      '--ostree-boot-size',
      '192M',
      '--ostree-firmware',
      'bios',
      img,
    ],
    { env: { NESTOS_INSTALLER_KEYS_DIR: join(dir, 'no-keys') } },
  );
  // Only the shipped keys/ (upstream's Fedora and Red Hat keys): the pull refuses the sample's signature.
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /could not be fetched and verified .*nothing was written/);
  assert.match(refused.stderr, /public key not found/);
  assert.equal(existsSync(img), false);

  const res = await runCli([
    'install',
    '--ostree-repo',
    repoUrl,
    '--ostree-ref',
    ref,
    '--trusted-key',
    key,
    '--dest-size',
    '768M',
    '--ostree-esp-size',
    '64M',
    '--ostree-boot-size',
    '192M',
    '--ostree-firmware',
    'bios',
    img,
  ]);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /signature verified/);
  assert.equal(await loopsOf(img), '');
  const commit = await output('ostree', ['rev-parse', `--repo=${repo}`, ref]);
  await withInstalledImage(img, 512, async (sysroot) => {
    const status = await output('ostree', ['admin', 'status', `--sysroot=${sysroot}`]);
    assert.match(status, new RegExp(`nestos ${commit}\\.0`));
    const remote = await readFile(join(sysroot, 'ostree/repo/config'), 'utf8');
    assert.ok(remote.includes(`url=${repoUrl}`), remote);
  });
});
