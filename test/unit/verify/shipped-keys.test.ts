/** keys/: every shipped key parses, with exactly the fingerprints keys/README.md lists. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTrustedKeys, parseKeys } from '../../../src/verify/signature.js';
import { shippedKeysDir } from '../../../src/verify/trusted-keys.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const EXPECTED = [
  ['Red Hat, Inc. (release key 2) <security@redhat.com>', '567E347AD0044ADE55BA8A5F199E2F91FD431D51'],
  ['Fedora (43) <fedora-43-primary@fedoraproject.org>', 'C6E7F081CF80E13146676E88829B606631645531'],
  ['Fedora (44) <fedora-44-primary@fedoraproject.org>', '36F612DCF27F7D1A48A835E4DBFCF71C6D9F90A6'],
  ['Fedora (45) <fedora-45-primary@fedoraproject.org>', '4F50A6114CD5C6976A7F1179655A4B02F577861E'],
];

test('upstream-signing-keys.asc holds the four upstream keys with their fingerprints', async () => {
  const keys = await parseKeys(
    await readFile(join(REPO_ROOT, 'keys/upstream-signing-keys.asc')),
    'upstream-signing-keys.asc',
  );
  assert.deepEqual(
    keys.map((k) => [k.getUserIDs()[0], k.getFingerprint().toUpperCase()]),
    EXPECTED,
  );
});

test('the shipped directory is what an install trusts by default (and the README lists every key)', async () => {
  assert.equal(shippedKeysDir(), join(REPO_ROOT, 'keys'));
  const empty = await mkdtemp(join(tmpdir(), 'no-keys-'));
  const saved = process.env['NESTOS_INSTALLER_KEYS_DIR'];
  process.env['NESTOS_INSTALLER_KEYS_DIR'] = empty;
  try {
    const fingerprints = (await loadTrustedKeys()).map((k) => k.getFingerprint().toUpperCase());
    assert.deepEqual(
      fingerprints,
      EXPECTED.map(([, fp]) => fp),
    );
  } finally {
    if (saved === undefined) delete process.env['NESTOS_INSTALLER_KEYS_DIR'];
    else process.env['NESTOS_INSTALLER_KEYS_DIR'] = saved;
    await rm(empty, { recursive: true, force: true });
  }
  const readme = await readFile(join(REPO_ROOT, 'keys/README.md'), 'utf8');
  for (const [, fp] of EXPECTED)
    assert.ok(readme.includes(fp!.replace(/(.{4})(?!$)/g, '$1 ')), `keys/README.md lists ${fp}`);
});
