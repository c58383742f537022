import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError, VerificationError } from '../../../src/errors.js';
import { decompressedName, isResumable } from '../../../src/source/download-artifact.js';
import { signatureUrlFor, urlFileName } from '../../../src/source/image-source.js';
import { requireSignature } from '../../../src/source/download-verified-stream.js';
import { createMemoryReporter } from '../../../src/report.js';

test('file names come from the last URL path segment', () => {
  assert.equal(urlFileName('https://h/a/b/nestos-1.x86_64.raw.xz?token=1#f'), 'nestos-1.x86_64.raw.xz');
  assert.equal(urlFileName('https://h/a/with%20space.iso'), 'with space.iso');
  assert.throws(() => urlFileName('https://h/a/'), /cannot derive a file name/);
  assert.throws(() => urlFileName('https://h/a/%2e%2e'), /cannot derive a file name/);
  assert.throws(() => urlFileName('https://h/a/x%2fy'), /cannot derive a file name/);
});

test('the -u signature URL appends .sig to the path, keeping the query', () => {
  assert.equal(signatureUrlFor('https://h/a/img.raw.xz'), 'https://h/a/img.raw.xz.sig');
  assert.equal(signatureUrlFor('https://h/a/img.raw.xz?x=1'), 'https://h/a/img.raw.xz.sig?x=1');
});

test('-d strips .gz/.xz only, never .tar.gz/.tar.xz, never .zst', () => {
  assert.equal(decompressedName('a.raw.xz'), 'a.raw');
  assert.equal(decompressedName('a.qcow2.gz'), 'a.qcow2');
  assert.equal(decompressedName('a.tar.gz'), undefined);
  assert.equal(decompressedName('a.tar.xz'), undefined);
  assert.equal(decompressedName('a.raw.zst'), undefined);
  assert.equal(decompressedName('a.iso'), undefined);
});

test('only transport failures are resumable', () => {
  const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  assert.equal(isResumable(aborted), true);
  assert.equal(isResumable(new UserError('downloading x', { cause: aborted })), true);
  assert.equal(
    isResumable(Object.assign(new Error('body timeout: nothing received for 5 ms'), { code: 'ETIMEDOUT' })),
    true,
  );
  assert.equal(isResumable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
  assert.equal(isResumable(new VerificationError('GPG verification failure: x')), false);
  assert.equal(isResumable(new UserError('image fetch failed: 404')), false);
});

test('a missing signature is fatal unless --insecure, which warns', () => {
  const r = createMemoryReporter();
  assert.throws(() => requireSignature(undefined, false, r), /--insecure not specified and signature not found/);
  assert.equal(requireSignature(undefined, true, r), false);
  assert.deepEqual(r.lines, ['Signature not found; skipping verification as requested']);
  assert.equal(requireSignature(new Uint8Array([1]), false, r), true);
});
