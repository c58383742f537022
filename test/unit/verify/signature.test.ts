/** openpgp.js verifies what the real gpg signs; every failure is a VerificationError. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { VerificationError } from '../../../src/errors.js';
import { createSignatureVerifier, loadTrustedKeys, parseKeys } from '../../../src/verify/signature.js';
import { createGpgKey, type GpgKey } from '../../helpers/gpg.js';
import { runTool } from '../../helpers/system-tool.js';

let key: GpgKey;
let other: GpgKey;
let tmp: string;
const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000, 1)]);

before(() => {
  key = createGpgKey();
  other = createGpgKey('Other <o@example>');
  tmp = mkdtempSync(join(tmpdir(), 'dl-verify-'));
});
after(() => {
  key.dispose();
  other.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

async function verify(bytes: Buffer, sig: Buffer, keys: Awaited<ReturnType<typeof parseKeys>>): Promise<number> {
  const v = createSignatureVerifier(sig, keys);
  let passed = 0;
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 65536) parts.push(bytes.subarray(i, i + 65536));
  await pipeline(
    Readable.from(parts),
    v.stream,
    new Writable({
      write(c: Buffer, _e, cb) {
        passed += c.length;
        cb();
      },
    }),
  );
  await v.verified();
  return passed;
}

test('binary and armored gpg signatures verify with armored or binary keys; bytes pass through', async () => {
  const armoredKeys = await parseKeys(key.publicArmored, 'armored');
  const binaryKeys = await parseKeys(key.publicBinary, 'binary');
  assert.equal(await verify(data, key.signBinary(data), armoredKeys), data.length);
  assert.equal(await verify(data, key.signArmored(data), binaryKeys), data.length);
});

test('a flipped byte, a truncation and a trailing byte all fail', async () => {
  const keys = await parseKeys(key.publicArmored, 'k');
  const sig = key.signBinary(data);
  const flipped = Buffer.from(data);
  flipped[12345]! ^= 0x80;
  for (const bad of [flipped, data.subarray(0, data.length - 1), Buffer.concat([data, Buffer.from([0])])]) {
    await assert.rejects(
      verify(bad, sig, keys),
      (err: unknown) => err instanceof VerificationError && /GPG verification failure/.test(err.message),
    );
  }
});

test('a signature by a key not trusted fails and says so', async () => {
  const keys = await parseKeys(key.publicArmored, 'k');
  await assert.rejects(verify(data, other.signBinary(data), keys), /GPG verification failure: .*key not trusted/);
});

test('no trusted keys, or an unreadable signature, fail', async () => {
  await assert.rejects(verify(data, key.signBinary(data), []), /GPG verification failure: no trusted keys/);
  const keys = await parseKeys(key.publicArmored, 'k');
  await assert.rejects(
    verify(data, Buffer.from('not a signature'), keys),
    /GPG verification failure: unreadable signature/,
  );
});

test('loadTrustedKeys reads the keys.d directory and --trusted-key files', async () => {
  const dir = join(tmp, 'keys.d');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.asc'), key.publicArmored);
  writeFileSync(join(dir, 'README'), 'ignored: not a key file name');
  const extra = join(tmp, 'other.gpg');
  writeFileSync(extra, other.publicBinary);
  const saved = process.env.NESTOS_INSTALLER_KEYS_DIR;
  process.env.NESTOS_INSTALLER_KEYS_DIR = dir;
  try {
    const keys = await loadTrustedKeys({ extraKeyFiles: [extra] });
    // After the keys shipped in keys/ (test/unit/verify/shipped-keys.test.ts): keys.d, then --trusted-key.
    const expected = [...(await parseKeys(key.publicArmored, 'a')), ...(await parseKeys(other.publicBinary, 'b'))];
    assert.deepEqual(
      keys.slice(-2).map((k) => k.getFingerprint()),
      expected.map((k) => k.getFingerprint()),
    );
    assert.equal(await verify(data, other.signBinary(data), keys), data.length);
    await assert.rejects(
      loadTrustedKeys({ extraKeyFiles: [join(tmp, 'missing.asc')] }),
      (err: Error) =>
        /^reading trusted key .*missing\.asc$/.test(err.message) &&
        (err.cause as NodeJS.ErrnoException).code === 'ENOENT',
    );
    writeFileSync(join(tmp, 'junk.asc'), 'junk');
    await assert.rejects(
      loadTrustedKeys({ extraKeyFiles: [join(tmp, 'junk.asc')] }),
      /reading OpenPGP key .*junk\.asc/,
    );
  } finally {
    if (saved === undefined) delete process.env.NESTOS_INSTALLER_KEYS_DIR;
    else process.env.NESTOS_INSTALLER_KEYS_DIR = saved;
  }
});

test('a signature whose RSA value was tampered with fails (the digest prefix alone is not trusted)', async () => {
  const keys = await parseKeys(key.publicArmored, 'k');
  const sig = Buffer.from(key.signBinary(data));
  sig[sig.length - 1]! ^= 0x01; // last byte of the RSA signature MPI
  await assert.rejects(verify(data, sig, keys), /GPG verification failure: Signature verification failed/);
});

test('a text-mode signature (not hashed natively) is verified by the openpgp.js streaming path', async () => {
  const text = Buffer.from('line one\nline two\n'.repeat(5000));
  const file = join(tmp, 'text.txt');
  writeFileSync(file, text);
  const sig = runTool('gpg', [
    '--homedir',
    key.home,
    '--batch',
    '--quiet',
    '--textmode',
    '--detach-sign',
    '--output',
    '-',
    file,
  ]);
  const keys = await parseKeys(key.publicArmored, 'k');
  assert.equal(await verify(text, sig, keys), text.length);
  const bad = Buffer.from(text);
  bad[5]! ^= 1;
  await assert.rejects(verify(bad, sig, keys), /GPG verification failure/);
});
