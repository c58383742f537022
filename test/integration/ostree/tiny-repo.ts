/**
 * A tiny ostree archive repo for tests that do not need a bootable OS: FCOS-like top-level
 * layout, usr/etc, os-release, placeholder kernel + initramfs under usr/lib/modules/<kver>/,
 * optionally signed with a throwaway GPG key made here.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output, run } from '../../../src/exec/run.js';

export const TINY_REF = 'openEuler/x86_64/nestos/test';

export interface TinyRepo {
  dir: string;
  repo: string;
  ref: string;
  /** Armored public key when signed. */
  publicKey?: string;
  gpgHome?: string;
  keyId?: string;
  commit(version: string): Promise<string>;
  /** Stops the throwaway gpg-agent and removes the directory. */
  cleanup(): Promise<void>;
}

async function makeTree(root: string, version: string): Promise<void> {
  const kver = '6.1.0-tiny';
  for (const d of [
    'boot',
    'dev',
    'proc',
    'sys',
    'run',
    'sysroot',
    'var',
    'tmp',
    'usr/bin',
    'usr/etc',
    'usr/lib/tmpfiles.d',
    `usr/lib/modules/${kver}`,
  ]) {
    await mkdir(join(root, d), { recursive: true });
  }
  for (const [name, to] of [
    ['bin', 'usr/bin'],
    ['lib', 'usr/lib'],
    ['home', 'var/home'],
    ['root', 'var/roothome'],
    ['opt', 'var/opt'],
    ['ostree', 'sysroot/ostree'],
  ]) {
    await symlink(to!, join(root, name!));
  }
  await writeFile(
    join(root, 'usr/lib/os-release'),
    `ID=nestos\nPRETTY_NAME="NestOS Tiny Test"\nVERSION_ID=${version}\n`,
  );
  await writeFile(join(root, 'usr/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(root, 'usr/etc/group'), 'root:x:0:\n');
  await writeFile(join(root, `usr/lib/modules/${kver}/vmlinuz`), `fake-kernel ${version}\n`);
  await writeFile(join(root, `usr/lib/modules/${kver}/initramfs.img`), `fake-initramfs ${version}\n`);
}

export async function makeTinyRepo(options: { signed: boolean }): Promise<TinyRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'ost-tiny-'));
  const repo = join(dir, 'repo');
  await run('ostree', ['init', `--repo=${repo}`, '--mode=archive']);
  let gpgHome: string | undefined;
  let keyId: string | undefined;
  let publicKey: string | undefined;
  if (options.signed) {
    gpgHome = join(dir, 'gnupg');
    await mkdir(gpgHome, { mode: 0o700 });
    const env = { GNUPGHOME: gpgHome };
    await run(
      'gpg',
      [
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-gen-key',
        'Tiny Test <tiny@example.org>',
        'ed25519',
        'sign',
        'never',
      ],
      { env },
    );
    const listing = await output('gpg', ['--batch', '--with-colons', '--list-keys'], { env });
    keyId = listing
      .split('\n')
      .find((l) => l.startsWith('fpr:'))
      ?.split(':')[9];
    publicKey = join(dir, 'tiny.pub.asc');
    await writeFile(publicKey, await output('gpg', ['--batch', '--armor', '--export', keyId!], { env }));
  }
  let n = 0;
  const tiny: TinyRepo = {
    dir,
    repo,
    ref: TINY_REF,
    publicKey,
    gpgHome,
    keyId,
    async commit(version) {
      const tree = join(dir, `tree${n++}`);
      await makeTree(tree, version);
      const args = [
        'commit',
        `--repo=${repo}`,
        `--branch=${TINY_REF}`,
        `--subject=${version}`,
        `--add-metadata-string=version=${version}`,
      ];
      if (keyId) args.push(`--gpg-sign=${keyId}`, `--gpg-homedir=${gpgHome}`);
      return output('ostree', [...args, tree]);
    },
    async cleanup() {
      if (gpgHome) await run('gpgconf', ['--homedir', gpgHome, '--kill', 'gpg-agent']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return tiny;
}
