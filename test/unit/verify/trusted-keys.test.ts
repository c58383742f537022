/** One list of trusted key files for the image install and the ostree keyring alike. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trustedKeyFiles } from '../../../src/verify/trusted-keys.js';

async function withSystemKeysDir(files: string[], body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'keys-d-'));
  const saved = process.env['NESTOS_INSTALLER_KEYS_DIR'];
  process.env['NESTOS_INSTALLER_KEYS_DIR'] = dir;
  try {
    for (const f of files) await writeFile(join(dir, f), 'key');
    await body(dir);
  } finally {
    if (saved === undefined) delete process.env['NESTOS_INSTALLER_KEYS_DIR'];
    else process.env['NESTOS_INSTALLER_KEYS_DIR'] = saved;
    await rm(dir, { recursive: true, force: true });
  }
}

test('system key files count whatever the case of their extension, other files do not', async () => {
  await withSystemKeysDir(['A.ASC', 'b.gpg', 'notes.txt'], async (dir) => {
    const files = (await trustedKeyFiles([])).filter((f) => f.startsWith(dir));
    assert.deepEqual(files, [join(dir, 'A.ASC'), join(dir, 'b.gpg')]);
  });
});

test('a --trusted-key file that cannot be read is an error naming it, with the cause kept', async () => {
  await withSystemKeysDir([], async (dir) => {
    const missing = join(dir, 'missing.asc');
    await assert.rejects(trustedKeyFiles([missing]), (err: Error) => {
      assert.equal(err.message, `reading trusted key ${missing}`);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });
});
