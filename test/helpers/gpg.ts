/**
 * A throwaway OpenPGP key made by the real `gpg` CLI in a temp GNUPGHOME, to prove that
 * openpgp.js verifies what gpg signs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './system-tool.js';

export interface GpgKey {
  home: string;
  /** Public key, armored and binary. */
  publicArmored: Buffer;
  publicBinary: Buffer;
  /** Detached binary signature of a file's bytes. */
  signBinary(data: Buffer | string): Buffer;
  /** Detached armored signature. */
  signArmored(data: Buffer | string): Buffer;
  dispose(): void;
}

function gpg(home: string, args: string[], input?: Buffer): Buffer {
  return runTool('gpg', ['--homedir', home, '--batch', '--quiet', '--no-tty', ...args], {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, GNUPGHOME: home },
  });
}

export function createGpgKey(uid = 'Test <t@example>'): GpgKey {
  const home = mkdtempSync(join(tmpdir(), 'dl-gnupg-'));
  gpg(home, ['--passphrase', '', '--quick-gen-key', uid, 'rsa2048', 'sign', 'never']);
  const publicArmored = gpg(home, ['--armor', '--export', uid]);
  const publicBinary = gpg(home, ['--export', uid]);
  const sign = (data: Buffer | string, armor: boolean) => {
    const file = join(home, 'payload');
    writeFileSync(file, data);
    const out = join(home, armor ? 'payload.asc' : 'payload.sig');
    rmSync(out, { force: true });
    gpg(home, ['--local-user', uid, '--detach-sign', ...(armor ? ['--armor'] : []), '--output', out, file]);
    const sig = readFileSync(out);
    rmSync(file, { force: true });
    return sig;
  };
  return {
    home,
    publicArmored,
    publicBinary,
    signBinary: (d) => sign(d, false),
    signArmored: (d) => sign(d, true),
    dispose: () => {
      try {
        runTool('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' });
      } catch {
        /* no agent running */
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
