/**
 * Network and signal faults not covered elsewhere: a redirect chain (followed to the image, its
 * own .sig next to the first URL), a redirect loop (bounded, clear error), SIGINT mid-write
 * (upstream treats SIGINT like SIGTERM: table reset to the saved partitions, exit 1), and SIGINT
 * while planning (nothing written: exit 1 without waiting for the stalled server).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { assertOnlySaved, createFaultWorld, withSavedDisk, type FaultWorld } from './fixture.js';

let w: FaultWorld;
before(async () => {
  w = await createFaultWorld();
  w.server.route('/img/os.raw.xz', { body: w.xz });
  w.server.route('/img/os.raw.xz.sig', { body: w.key.signBinary(w.xz) });
});
after(async () => {
  await w?.dispose();
});

/**
 * Sends `name` to an `install --json` child `delayMs` after its first progress record: the plan is
 * done and the image streams to the target.
 */
function signalWhenStreaming(
  name: NodeJS.Signals,
  delayMs: number,
): { onSpawn: (child: ChildProcess) => void; sent: () => boolean } {
  let sent = false;
  return {
    sent: () => sent,
    onSpawn: (child) => {
      let streaming = false;
      child.stderr?.on('data', (data: Buffer) => {
        if (streaming || !data.toString().includes('"type":"progress"')) return;
        streaming = true;
        void sleep(delayMs).then(() => {
          sent = child.kill(name);
        });
      });
    },
  };
}

test('install -u follows a 4-hop redirect chain and verifies the image', { timeout: 180_000 }, async () => {
  w.server.route('/chain/os.raw.xz', { redirectTo: '/chain/hop1' });
  w.server.route('/chain/hop1', { redirectTo: `${w.server.url}chain/hop2` });
  w.server.route('/chain/hop2', { redirectTo: '/chain/hop3' });
  w.server.route('/chain/hop3', { redirectTo: '/img/os.raw.xz' });
  w.server.route('/chain/os.raw.xz.sig', { redirectTo: '/img/os.raw.xz.sig' });
  const target = join(mkdtempSync(join(w.dir, 'chain-')), 'vm.img');
  const r = await runCli(
    ['install', target, '--dest-size', '64M', '-u', `${w.server.url}chain/os.raw.xz`, '--trusted-key', w.pub],
    { env: w.env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(w.server.count('/chain/hop3') >= 1, 'the whole chain was followed');
});

test('a redirect loop fails with a bounded, named error and leaves no file', { timeout: 120_000 }, async () => {
  w.server.route('/loop/os.raw.xz', { redirectTo: '/loop/b' });
  w.server.route('/loop/b', { redirectTo: '/loop/os.raw.xz' });
  w.server.route('/loop/os.raw.xz.sig', { body: w.key.signBinary(w.xz) });
  const target = join(mkdtempSync(join(w.dir, 'loop-')), 'vm.img');
  const r = await runCli(
    ['install', target, '--dest-size', '64M', '-u', `${w.server.url}loop/os.raw.xz`, '--trusted-key', w.pub],
    {
      env: w.env,
      timeoutMs: 60_000,
    },
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /too many redirects/);
  assert.ok(w.server.count('/loop/b') <= 20, `redirects bounded (${w.server.count('/loop/b')})`);
  assert.equal(existsSync(target), false);
});

test(
  'SIGINT mid-write resets the table and keeps the saved partition byte-identical',
  { timeout: 180_000 },
  async () => {
    // Half the image, then the server stalls (idle timeout far away): the install is mid-write.
    w.server.route('/slow/os.raw.xz', { body: w.xz, stallAfter: Math.floor(w.xz.length / 2) });
    w.server.route('/slow/os.raw.xz.sig', { body: w.key.signBinary(w.xz) });
    await withSavedDisk(w.dir, async (d) => {
      const args = [
        'install',
        d.dev,
        '-u',
        `${w.server.url}slow/os.raw.xz`,
        '--trusted-key',
        w.pub,
        '--save-partlabel',
        'data',
        '--json',
      ];
      // After the half the server sent has had time to reach the disk.
      const signal = signalWhenStreaming('SIGINT', 2000);
      const r = await runCli(args, {
        env: { ...w.env, NESTOS_INSTALLER_IDLE_TIMEOUT_MS: '120000' },
        timeoutMs: 150_000,
        onSpawn: signal.onSpawn,
      });
      assert.ok(signal.sent(), 'SIGINT was delivered');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /interrupted by SIGINT/);
      assert.match(r.stderr, /Resetting partition table/);
      await assertOnlySaved(d);
    });
  },
);

test(
  'SIGINT while the plan waits on a stalled server: exit 1 at once, the disk untouched',
  { timeout: 180_000 },
  async () => {
    // The server stalls before the first MiB decodes: the install is still planning.
    w.server.route('/stall/os.raw.xz', { body: w.xz, stallAfter: 64 });
    w.server.route('/stall/os.raw.xz.sig', { body: w.key.signBinary(w.xz) });
    await withSavedDisk(w.dir, async (d) => {
      const before = createHash('sha256')
        .update(await readFile(d.file))
        .digest('hex');
      let sent = false;
      const r = await runCli(
        ['install', d.dev, '-u', `${w.server.url}stall/os.raw.xz`, '--trusted-key', w.pub, '--save-partlabel', 'data'],
        {
          env: { ...w.env, NESTOS_INSTALLER_IDLE_TIMEOUT_MS: '120000' },
          timeoutMs: 60_000,
          onSpawn: (child) => {
            void (async () => {
              while (w.server.count('/stall/os.raw.xz') === 0) await sleep(100);
              await sleep(500);
              sent = child.kill('SIGINT');
            })();
          },
        },
      );
      assert.ok(sent, 'SIGINT was delivered');
      assert.equal(r.signal, null, 'the process ends by itself, not by the signal');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Error: interrupted by SIGINT\n/);
      assert.doesNotMatch(r.stderr, /Resetting partition table/);
      assert.equal(
        createHash('sha256')
          .update(await readFile(d.file))
          .digest('hex'),
        before,
        'the disk is byte-identical',
      );
    });
  },
);

test(
  'SIGHUP (a closed ssh session) mid-install removes the new file target it created',
  { timeout: 180_000 },
  async () => {
    w.server.route('/hup/os.raw.xz', { body: w.xz, stallAfter: Math.floor(w.xz.length / 2) });
    w.server.route('/hup/os.raw.xz.sig', { body: w.key.signBinary(w.xz) });
    const target = join(mkdtempSync(join(w.dir, 'hup-')), 'vm.img');
    const signal = signalWhenStreaming('SIGHUP', 0);
    const args = [
      'install',
      target,
      '--dest-size',
      '64M',
      '-u',
      `${w.server.url}hup/os.raw.xz`,
      '--trusted-key',
      w.pub,
      '--json',
    ];
    const r = await runCli(args, {
      env: { ...w.env, NESTOS_INSTALLER_IDLE_TIMEOUT_MS: '120000' },
      timeoutMs: 150_000,
      onSpawn: signal.onSpawn,
    });
    assert.ok(signal.sent(), 'SIGHUP was delivered');
    assert.equal(r.signal, null, 'the process ends by itself, not by the signal');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /interrupted by SIGHUP/);
    assert.equal(existsSync(target), false, 'the file this run created is removed');
  },
);
