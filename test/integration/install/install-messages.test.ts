/**
 * Messages name the real cause: a write refused mid-install (the disk turned read-only) is a
 * write error naming device and offset; a non-root user gets the root hint; with --json every
 * stderr line is JSON and a failure is exactly one error record carrying the cause chain; one
 * Ctrl-C in a terminal ends the run (spinner stopped, nothing keeps the process alive); the
 * "other boot filesystems" note does not list the target's own partitions when the target is
 * named through a symlink.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmod, open, readFile, rm, stat, symlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { run } from '../../../src/exec/run.js';
import { runCli } from '../../helpers/cli.js';
import { MAIN_JS } from '../../helpers/paths.js';
import { type TrustWorld, createTrustWorld, installedDiskFile, withLoop } from './trust-world.js';

let w: TrustWorld;
let xz: Buffer;
let badSig: string;
before(async () => {
  w = await createTrustWorld();
  await chmod(w.dir, 0o755);
  xz = await readFile(w.files.xz);
  badSig = join(w.dir, 'badsig.raw.xz');
  await run('cp', [w.files.xz, badSig]);
  await run('sh', ['-c', `cp '${w.files.tiny}.sig' '${badSig}.sig'`]);
});
after(async () => {
  await w?.dispose();
});

/** Waits until `file` has blocks allocated (the install is writing to the disk backed by it). */
async function untilWriting(file: string): Promise<void> {
  for (let i = 0; i < 1200 && (await stat(file)).blocks === 0; i++) await sleep(100);
  assert.ok((await stat(file)).blocks > 0, 'the install started writing');
}

test('a write refused mid-install is reported as a write error naming the device and offset', async () => {
  let release!: () => void;
  const resume = new Promise<void>((r) => (release = r));
  w.server.route('/ro/os.raw.xz', { body: xz, pauseAfter: Math.floor(xz.length / 2), resume });
  w.server.route('/ro/os.raw.xz.sig', { body: w.key.signBinary(xz) });
  const disk = await w.file('turns-ro.img', 64);
  await withLoop(disk, {}, async (dev) => {
    const install = runCli(['install', dev, '-u', `${w.server.url}ro/os.raw.xz`, '--trusted-key', w.pub], {
      env: w.env,
      timeoutMs: 300_000,
    });
    try {
      await untilWriting(disk);
      await run('blockdev', ['--setro', dev]);
    } finally {
      release();
    }
    const r = await install;
    await run('blockdev', ['--setrw', dev]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`\\nError: writing ${dev} at offset \\d+: Operation not permitted\\n`));
    assert.doesNotMatch(r.stderr, /decoding failed/);
  });
});

test('a user who may not open the disk is told that root is needed', async () => {
  const disk = await w.file('not-root.img', 64);
  await withLoop(disk, {}, async (dev) => {
    const r = await run(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        MAIN_JS,
        'install',
        dev,
        '-f',
        w.files.xz,
        '--trusted-key',
        w.pub,
      ],
      { okExitCodes: [1, 2], env: w.env },
    );
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `Error: cannot open ${dev} for writing: Permission denied; writing to a disk needs root \\(run the installer as root\\)`,
      ),
    );
  });
});

function jsonLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .trimEnd()
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line on the --json stream: ${JSON.stringify(line)}`);
      }
    });
}

test('--json: a failure after writing is one error record with its causes; the reset warning is JSON too', async () => {
  const disk = await w.file('json-fail.img', 64);
  await withLoop(disk, {}, async (dev) => {
    const r = await runCli(['install', dev, '-f', badSig, '--trusted-key', w.pub, '--json'], { env: w.env });
    assert.equal(r.code, 1, r.stderr);
    const records = jsonLines(r.stderr);
    const errors = records.filter((l) => l.type === 'error');
    assert.equal(errors.length, 1, r.stderr);
    assert.equal(errors[0]!.message, 'install failed');
    assert.match(String((errors[0]!.causes as string[])[0]), /^GPG verification failure: /);
    assert.ok(
      records.some((l) => l.type === 'warning' && l.message === 'Resetting partition table'),
      r.stderr,
    );
    assert.ok(!records.some((l) => String(l.message).includes('Caused by')), 'no text error chain inside the records');
  });
});

test('--json: a failure while planning is one error record naming the cause', async () => {
  const disk = await w.file('json-plan.img', 64);
  await withLoop(disk, {}, async (dev) => {
    const r = await runCli(['install', dev, '-f', join(w.dir, 'nope.raw.xz'), '--trusted-key', w.pub, '--json'], {
      env: w.env,
    });
    assert.equal(r.code, 1, r.stderr);
    const errors = jsonLines(r.stderr).filter((l) => l.type === 'error');
    assert.equal(errors.length, 1, r.stderr);
    assert.match(String(errors[0]!.message), /^image file \S+nope\.raw\.xz does not exist$/);
    assert.match(String((errors[0]!.causes as string[])[0]), /ENOENT/);
  });
});

test('--json: a usage error is a JSON record too, exit 2', async () => {
  const r = await runCli([
    'install',
    '--json',
    '-f',
    w.files.xz,
    '-u',
    'https://example.invalid/x.raw.xz',
    '/dev/null',
  ]);
  assert.equal(r.code, 2, r.stderr);
  const records = jsonLines(r.stderr);
  assert.equal(records.length, 1, r.stderr);
  assert.equal(records[0]!.type, 'error');
  assert.equal(records[0]!.kind, 'usage');
  assert.match(
    String(records[0]!.message),
    /'--image-url <URL>' cannot be used with '--image-file <path>'|'--image-file <path>' cannot be used with '--image-url <URL>'/,
  );
});

test('--json: a missing destination is a runtime error record (exit 1, as upstream)', async () => {
  const r = await runCli(['install', '--json', '-f', w.files.xz]);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(jsonLines(r.stderr), [
    { type: 'error', kind: 'runtime', message: 'destination device must be specified', causes: [] },
  ]);
});

/** A server that dribbles the first half of the raw image (progress keeps moving), then stalls. */
async function dribblingServer(): Promise<{ url: string; close: () => void }> {
  const raw = await readFile(w.files.raw);
  const sig = await readFile(`${w.files.raw}.sig`);
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('.sig')) return void res.end(sig);
    res.writeHead(200, { 'content-length': raw.length });
    let sent = 0;
    const step = 256 * 1024;
    const timer = setInterval(() => {
      if (sent >= raw.length / 2) return clearInterval(timer);
      res.write(raw.subarray(sent, sent + step));
      sent += step;
    }, 100);
    req.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/os.raw`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

test(
  'one Ctrl-C in a terminal ends the install: table reset, spinner stopped, the process exits',
  { timeout: 240_000 },
  async () => {
    const server = await dribblingServer();
    const disk = await w.file('ctrl-c.img', 64);
    try {
      await withLoop(disk, {}, async (dev) => {
        // script(1) gives the CLI a pseudo-terminal (80x24); ^C written to it is the terminal's interrupt.
        const cmd = `stty cols 80 rows 24; exec '${process.execPath}' '${MAIN_JS}' install ${dev} -u ${server.url} --trusted-key '${w.pub}'`;
        // An interactive terminal as ora sees it: a real TERM, and no CI variable.
        const env: Record<string, string | undefined> = { ...process.env, ...w.env, TERM: 'xterm' };
        delete env.CI;
        const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
        let screen = '';
        child.stdout.on('data', (d: Buffer) => void (screen += d.toString()));
        let exitCode: number | null | undefined;
        const exited = new Promise<void>((r) => child.on('close', (code) => r(void (exitCode = code))));
        try {
          for (let i = 0; i < 600 && !/Read disk [^\n]*?[\d.]+ MiB\/32\.0 MiB/.test(screen); i++) await sleep(100);
          assert.match(screen, /Read disk [^\n]*?[\d.]+ MiB\/32\.0 MiB/, 'progress is drawn on the terminal');
          await untilWriting(disk);
          child.stdin.write('\x03');
          await Promise.race([exited, sleep(120_000)]);
          assert.notEqual(exitCode, undefined, `the process did not exit after one Ctrl-C:\n${screen.slice(-2000)}`);
          assert.equal(exitCode, 1, screen);
          assert.match(screen, /interrupted by SIGINT/);
          assert.match(screen, /Resetting partition table/);
          assert.match(screen, /Error: install failed\r?\n/);
        } finally {
          // Whatever failed: the terminal goes away (SIGKILL to script(1) hangs up the CLI's terminal).
          child.stdin.end();
          if (exitCode === undefined) {
            child.kill('SIGKILL');
            await exited;
          }
        }
      });
    } finally {
      server.close();
    }
  },
);

test("the boot-filesystem note does not list the target's own partitions when it is named via a symlink", async () => {
  const disk = await installedDiskFile(w, 'by-link.img');
  await withLoop(disk, { partscan: true }, async (dev) => {
    // Partition nodes for the disk's table (this kernel may lack the GPT parser), and one held
    // open so the re-read after the install keeps them: blkid then sees the target's own `boot`.
    await run('partx', ['-a', dev]).catch(() => undefined);
    const held = await open(`${dev}p3`, 'r');
    try {
      const link = join(w.dir, 'disk-by-id-link');
      await rm(link, { force: true });
      await symlink(dev, link);
      const r = await runCli(['install', link, '-f', w.files.xz, '--trusted-key', w.pub], { env: w.env });
      assert.equal(r.code, 0, r.stderr);
      const found = (await run('blkid', ['-t', 'LABEL=boot', '-o', 'device'], { okExitCodes: [2] })).stdout;
      assert.match(found, new RegExp(`^${dev}p3$`, 'm'), "blkid sees the installed disk's own boot filesystem");
      assert.doesNotMatch(r.stderr, new RegExp(`- ${dev}p\\d`), 'its own partitions are not "other" boot filesystems');
    } finally {
      await held.close();
    }
  });
});
