// The ostree mode checks its target by the image install's rules before anything is created or
// attached: a missing path without --dest-size and a new file under /dev are refused with the
// same messages, and nothing appears at the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ostreeInstall } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { UserError } from '../../../src/errors.js';
import { sampleOptions } from './sample.js';
import { makeTinyRepo } from './tiny-repo.js';

test(
  'ostree mode: a missing target or a new file under /dev is refused as the image install refuses it',
  { timeout: 120_000 },
  async (t) => {
    const tiny = await makeTinyRepo({ signed: false });
    t.after(() => tiny.cleanup());
    await tiny.commit('1.0');
    const dir = await mkdtemp(join(tmpdir(), 'ost-target-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const options = (device: string, destSize: number | undefined) => ({
      ...sampleOptions(device, tiny.repo, tiny.ref, ''),
      trustedKeys: [],
      insecure: true,
      destSize,
    });

    const typo = join(dir, 'typo.img');
    await assert.rejects(ostreeInstall(options(typo, undefined), createMemoryReporter()), (err: Error) => {
      assert.ok(err instanceof UserError, `a user error (exit 1), got ${err.name}`);
      assert.match(
        err.message,
        /typo\.img does not exist; name an existing disk, or pass --dest-size to create a disk image file/,
      );
      return true;
    });
    assert.equal(existsSync(typo), false);

    const underDev = `/dev/nestos-target-typo-${process.pid}`;
    t.after(() => rm(underDev, { force: true }));
    await assert.rejects(
      ostreeInstall(options(underDev, 512 * 1024 * 1024), createMemoryReporter()),
      /refusing to create a file under \/dev/,
    );
    assert.equal(existsSync(underDev), false);
  },
);
