import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findArtifacts, streamUrl } from '../../../src/stream/metadata.js';
import { jsonPath, parseStreamMetadata } from '../../../src/stream/schema.js';

const HEX = 'ab'.repeat(32);
const sample = () => ({
  stream: 'stable',
  metadata: { 'last-modified': 'x' },
  extra: [1, 2, 3],
  architectures: {
    x86_64: {
      images: { aws: {} },
      artifacts: {
        metal: {
          release: '1',
          formats: {
            'raw.xz': {
              disk: {
                location: 'https://e.x/a.raw.xz',
                signature: 'https://e.x/a.raw.xz.sig',
                sha256: HEX,
                unknown: true,
              },
            },
            pxe: {
              rootfs: { location: 'r.img' },
              kernel: { location: 'k', signature: 'k.sig' },
              initramfs: { location: 'i.img', 'uncompressed-sha256': HEX.toUpperCase() },
            },
          },
        },
      },
    },
  },
});

test('unknown keys are tolerated at every level', () => {
  const meta = parseStreamMetadata(sample(), 'test');
  assert.equal(Object.keys(meta.architectures).length, 1);
});

test('errors name the JSON path of the bad value', () => {
  const bad = sample();
  (bad.architectures.x86_64.artifacts.metal.formats['raw.xz'].disk as Record<string, unknown>).location = 42;
  assert.throws(
    () => parseStreamMetadata(bad, 'https://h/s.json'),
    /invalid stream metadata from https:\/\/h\/s\.json: \$\.architectures\.x86_64\.artifacts\.metal\.formats\["raw\.xz"\]\.disk\.location: /,
  );
  const noArch = { stream: 'x' };
  assert.throws(() => parseStreamMetadata(noArch, 's'), /\$\.architectures: /);
  const badSha = sample();
  badSha.architectures.x86_64.artifacts.metal.formats['raw.xz'].disk.sha256 = 'nothex';
  assert.throws(() => parseStreamMetadata(badSha, 's'), /\.disk\.sha256: expected a 64-digit hex sha256/);
  const noFormats = { architectures: { x86_64: { artifacts: { metal: { release: '1' } } } } };
  assert.throws(() => parseStreamMetadata(noFormats, 's'), /\$\.architectures\.x86_64\.artifacts\.metal\.formats: /);
});

test('jsonPath quotes keys that are not identifiers', () => {
  assert.equal(jsonPath(['a', 'raw.xz', 0, 'b-c']), '$.a["raw.xz"][0].b-c');
});

test('findArtifacts returns every artifact sorted by type, resolving relative URLs', () => {
  const meta = parseStreamMetadata(sample(), 'test');
  const arts = findArtifacts(meta, 'x86_64', 'metal', 'pxe', 'http://h/streams/s.json');
  assert.deepEqual(
    arts.map((a) => [a.type, a.location, a.signature]),
    [
      ['initramfs', 'http://h/streams/i.img', undefined],
      ['kernel', 'http://h/streams/k', 'http://h/streams/k.sig'],
      ['rootfs', 'http://h/streams/r.img', undefined],
    ],
  );
  assert.equal(arts[0]!.uncompressedSha256, HEX);
  const disk = findArtifacts(meta, 'x86_64', 'metal', 'raw.xz');
  assert.deepEqual(disk, [
    {
      type: 'disk',
      location: 'https://e.x/a.raw.xz',
      signature: 'https://e.x/a.raw.xz.sig',
      sha256: HEX,
      uncompressedSha256: undefined,
    },
  ]);
});

test('findArtifacts names the missing triple, also for prototype keys', () => {
  const meta = parseStreamMetadata(sample(), 'test');
  for (const [a, p, f] of [
    ['aarch64', 'metal', 'raw.xz'],
    ['x86_64', 'aws', 'raw.xz'],
    ['x86_64', 'metal', 'iso'],
    ['constructor', 'metal', 'iso'],
    ['x86_64', 'metal', 'toString'],
  ]) {
    assert.throws(
      () => findArtifacts(meta, a!, p!, f!),
      new RegExp(
        `couldn't find architecture ${a}, platform ${p}, format ${f} in stream metadata \\((architectures in the stream|platforms for \\S+|formats for \\S+ \\S+): [^)]+\\)$`,
      ),
    );
  }
});

test('stream URLs join the name as a relative URL, like upstream', () => {
  assert.equal(
    streamUrl('https://nestos.org.cn/NestOS-release/streams/', 'stable'),
    'https://nestos.org.cn/NestOS-release/streams/stable.json',
  );
  assert.equal(streamUrl('https://h/a/streams', '2403-LTS'), 'https://h/a/2403-LTS.json');
  assert.equal(streamUrl('file:///srv/feeds/', 'sample'), 'file:///srv/feeds/sample.json');
  assert.throws(() => streamUrl('ftp://h/', 's'), /unsupported stream base URL scheme 'ftp:'/);
  assert.throws(() => streamUrl('not a url', 's'), /invalid stream base URL/);
});

test('a feed fetched over http(s) may only list http(s) artifact and signature URLs', () => {
  const feed = (location: string, signature?: string) =>
    parseStreamMetadata(
      {
        architectures: {
          x86_64: { artifacts: { metal: { formats: { 'raw.xz': { disk: { location, signature } } } } } },
        },
      },
      't',
    );
  const find = (location: string, signature: string | undefined, from: string) =>
    findArtifacts(feed(location, signature), 'x86_64', 'metal', 'raw.xz', from);
  for (const from of ['https://h/streams/s.json', 'http://h/streams/s.json']) {
    assert.throws(
      () => find('file:///etc/shadow', undefined, from),
      /lists 'file:\/\/\/etc\/shadow' for the disk artifact: a feed fetched over http\(s\) may only list http:\/\/ or https:\/\/ URLs/,
    );
    assert.throws(
      () => find('https://h/a.raw.xz', 'file:///etc/passwd', from),
      /lists 'file:\/\/\/etc\/passwd' for the disk signature: a feed fetched over http\(s\)/,
    );
    assert.throws(
      () => find('ftp://h/a.raw.xz', undefined, from),
      /lists 'ftp:\/\/h\/a\.raw\.xz' for the disk artifact: a feed fetched/,
    );
    assert.equal(find('http://h/a.raw.xz', undefined, from)[0]!.location, 'http://h/a.raw.xz');
  }
  // A local feed may point to local files (and resolves relative ones next to itself).
  assert.equal(
    find('a.raw.xz', 'file:///srv/a.raw.xz.sig', 'file:///srv/streams/s.json')[0]!.location,
    'file:///srv/streams/a.raw.xz',
  );
  assert.throws(
    () => find('ftp://h/a.raw.xz', undefined, 'file:///srv/s.json'),
    /only http:\/\/, https:\/\/ and file:\/\/ URLs can be downloaded/,
  );
  assert.throws(
    () => find('http://[bad', undefined, 'https://h/s.json'),
    /lists an invalid URL for the disk artifact: 'http:\/\/\[bad'/,
  );
});

test('artifact types from the feed are escaped before they become progress labels', () => {
  const meta = parseStreamMetadata(
    { architectures: { x: { artifacts: { m: { formats: { f: { 'disk\x1b[8m': { location: 'https://h/a' } } } } } } } },
    't',
  );
  assert.equal(findArtifacts(meta, 'x', 'm', 'f', 'https://h/s.json')[0]!.type, 'disk\\u{1b}[8m');
});
