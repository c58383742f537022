/** File names a download writes: plain names from the final URL, refused before writing otherwise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downloadPaths } from '../../../src/source/download-name.js';

test('the name is the decoded last path segment; .part and .sig sit beside it', () => {
  assert.deepEqual(downloadPaths('https://h/a/nestos.x86_64.raw.xz?token=1', '/out', false), {
    finalPath: '/out/nestos.x86_64.raw.xz',
    partPath: '/out/nestos.x86_64.raw.xz.part',
    sigPath: '/out/nestos.x86_64.raw.xz.sig',
    decompressing: false,
  });
  assert.equal(downloadPaths('https://h/a/with%20space.iso', 'd', false).finalPath, 'd/with space.iso');
});

test('-d strips .xz/.gz and says it decompresses; other names are kept as they are', () => {
  assert.deepEqual(downloadPaths('https://h/a.raw.xz', '/o', true), {
    finalPath: '/o/a.raw',
    partPath: '/o/a.raw.part',
    sigPath: '/o/a.raw.sig',
    decompressing: true,
  });
  assert.equal(downloadPaths('https://h/a.raw.zst', '/o', true).decompressing, false);
});

test('names that are not plain file names are refused, naming the cause', () => {
  const refused = (url: string, decompress: boolean, cause: RegExp) =>
    assert.throws(
      () => downloadPaths(url, '/o', decompress),
      (err: Error) => {
        assert.match(err.message, /^refusing to save .*: the file name /);
        assert.match(err.message, cause);
        return true;
      },
    );
  refused('https://h/dir/', false, /the file name is empty$/);
  // The URL parser resolves an encoded `..` segment: the path then ends in `/`.
  refused('https://h/a/%2e%2e', false, /the file name is empty$/);
  refused('https://h/a/x%2fy', false, /'x\/y' contains '\/'$/);
  refused('https://h/a/evil%1b%5b2J.raw', false, /'evil\\u\{1b\}\[2J\.raw' contains control characters$/);
  refused('https://h/a/nul%00.raw', false, /contains control characters$/);
  refused('https://h/a/bad%zz', false, /is not valid percent-encoding$/);
  refused('https://h/a/.xz', true, /the file name '\.xz' without its \.xz suffix \(-d\) is empty$/);
  refused('https://h/a/..xz', true, /the file name '\.\.xz' without its \.xz suffix \(-d\) is not a plain name$/);
  refused('https://h/a/...gz', true, /the file name '\.\.\.gz' without its \.gz suffix \(-d\) is not a plain name$/);
});

test('.xz without -d is a plain (if odd) name', () => {
  assert.equal(downloadPaths('https://h/a/.xz', '/o', false).finalPath, '/o/.xz');
});
