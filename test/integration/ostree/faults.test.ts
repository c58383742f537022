// A deploy interrupted at each stage (test-only fault injection: env NESTOS_INSTALLER_FAULT=<stage>)
// fails naming that stage and leaves no mount, no loop device, and no partition table (so no
// bootable half-system) behind; an image file the run created is removed; --preserve-on-error
// keeps the table. Uses a tiny signed repo with placeholder kernel files, so it runs fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { output } from '../../../src/exec/run.js';
import { ostreeInstall, STAGES } from '../../../src/ostree/install.js';
import { createMemoryReporter } from '../../../src/report.js';
import { installerMounts, loopsOf } from './inspect.js';
import { sampleOptions as sampleDefaults } from './sample.js';
import { makeTinyRepo } from './tiny-repo.js';

/** Small partitions: these runs never get as far as needing space. */
function sampleOptions(device: string, repo: string, ref: string, key: string) {
  return {
    ...sampleDefaults(device, repo, ref, key),
    sizes: { espMiB: 32, bootMiB: 64, rootMiB: 0 },
    destSize: 384 * 1024 * 1024,
  };
}

async function ptType(file: string): Promise<string> {
  return output('blkid', ['-p', '-s', 'PTTYPE', '-o', 'value', file], { okExitCodes: [2] }).catch(() => '');
}

test('a fault at any stage leaves nothing attached, mounted or bootable', { timeout: 600_000 }, async (t) => {
  const tiny = await makeTinyRepo({ signed: true });
  t.after(() => tiny.cleanup());
  await tiny.commit('1.0');
  const dir = await mkdtemp(join(tmpdir(), 'ost-faults-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  t.after(() => {
    delete process.env.NESTOS_INSTALLER_FAULT;
  });
  for (const stage of STAGES) {
    const img = join(dir, `${stage}.raw`);
    await writeFile(img, ''); // pre-existing target: kept, but wiped
    process.env.NESTOS_INSTALLER_FAULT = stage;
    const reporter = createMemoryReporter();
    await assert.rejects(
      ostreeInstall(sampleOptions(img, tiny.repo, tiny.ref, tiny.publicKey!), reporter),
      (err: Error) => {
        assert.equal(err.message, `ostree install failed at stage '${stage}'`);
        assert.match(String((err.cause as Error).message), new RegExp(`NESTOS_INSTALLER_FAULT=${stage}`));
        return true;
      },
    );
    assert.equal(await loopsOf(img), '', `${stage}: loop left attached`);
    assert.deepEqual(await installerMounts(reporter.lines), [], `${stage}: mounts left`);
    assert.equal(await ptType(img), '', `${stage}: partition table left`);
    // A fault before sgdisk ran has nothing to wipe; every later one wipes.
    assert.equal(
      reporter.lines.some((l) => l.includes('wiping partition table')),
      stage !== 'partition',
      stage,
    );
  }
  delete process.env.NESTOS_INSTALLER_FAULT;

  // Too small a target is refused before anything is attached or written.
  const small = join(dir, 'small.raw');
  await writeFile(small, '');
  await assert.rejects(
    ostreeInstall(
      { ...sampleOptions(small, tiny.repo, tiny.ref, tiny.publicKey!), destSize: 64 * 1024 * 1024 },
      createMemoryReporter(),
    ),
    /is too small \(64\.0 MiB\); this layout needs at least/,
  );
  assert.equal(await loopsOf(small), '');
  assert.equal((await stat(small)).size, 0, 'the too-small file was extended');

  // A file the run created is deleted; --preserve-on-error keeps the table for inspection.
  process.env.NESTOS_INSTALLER_FAULT = 'deploy';
  const fresh = join(dir, 'fresh.raw');
  await assert.rejects(
    ostreeInstall(sampleOptions(fresh, tiny.repo, tiny.ref, tiny.publicKey!), createMemoryReporter()),
  );
  assert.equal(existsSync(fresh), false);
  const kept = join(dir, 'kept.raw');
  await writeFile(kept, '');
  const keptReporter = createMemoryReporter();
  await assert.rejects(
    ostreeInstall(
      { ...sampleOptions(kept, tiny.repo, tiny.ref, tiny.publicKey!), preserveOnError: true },
      keptReporter,
    ),
  );
  assert.equal(await ptType(kept), 'gpt');
  assert.equal(await loopsOf(kept), '');
  assert.deepEqual(await installerMounts(keptReporter.lines), []);
});
