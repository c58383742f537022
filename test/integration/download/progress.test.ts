/**
 * Progress as a user sees it, through a real pseudo-terminal (script(1)): a bar with rate and
 * ETA on an interactive terminal ending in a green ✔, or a red ✖ when the bytes read then fail
 * verification; upstream's plain `Read disk …` lines, updating while the download runs, with
 * `TERM=dumb` or `CI` set on a terminal. The image is served slowly so progress has time to move.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as openpgp from 'openpgp';
import { MAIN_JS } from '../../helpers/paths.js';
import { createWorld, type World } from './fixture.js';

let w: World;
let server: Server;
let base: string;
let fingerprint: string;

/** `/good.raw` (+ `.sig`) and `/bad.raw` whose signature is over other bytes, 16 KiB every 100 ms. */
before(async () => {
  w = await createWorld();
  const sigGood = w.key.signBinary(w.raw);
  const sigBad = w.key.signBinary(Buffer.concat([w.raw, Buffer.from('x')]));
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.endsWith('.sig')) return void res.end(path.startsWith('/bad') ? sigBad : sigGood);
    res.writeHead(200, { 'content-length': w.raw.length });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(w.raw.subarray(sent, sent + 16 * 1024));
      sent += 16 * 1024;
      if (sent >= w.raw.length) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fingerprint = (await openpgp.readKey({ armoredKey: w.key.publicArmored.toString() })).getFingerprint().toUpperCase();
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await w.dispose();
});

/** Runs `download -u URL` on a pseudo-terminal (80 columns) and returns what the terminal showed. */
function onTerminal(
  url: string,
  env: Record<string, string>,
  columns = 80,
): Promise<{ code: number | null; screen: string }> {
  const dir = mkdtempSync(join(w.tmp, 'tty-'));
  const cmd = `stty cols ${columns} rows ${columns === 0 ? 0 : 24}; exec '${process.execPath}' '${MAIN_JS}' download -u ${url} --trusted-key '${w.keyFile}' -C '${dir}'`;
  const full: Record<string, string | undefined> = { ...process.env, ...w.env, ...env };
  if (!('CI' in env)) delete full.CI;
  const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: full });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => void (screen += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      // A move to column 1 becomes \r; colours and the rest go: what is left is the text shown.
      resolve({ code, screen: screen.replace(/\u001B\[1G/g, '\r').replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, '') });
    }),
  );
}

test(
  'an interactive terminal shows a bar with rate and ETA, then ✔ and the verifying key',
  { timeout: 200_000 },
  async () => {
    const { code, screen } = await onTerminal(`${base}/good.raw`, { TERM: 'xterm' });
    assert.equal(code, 0, screen.slice(-1500));
    assert.match(
      screen,
      /Read disk \[=*>? *\] [\d.]+ (KiB|MiB)\/1\.5 MiB \(\d+%\) {2}[\d.]+ (B|KiB|MiB)\/s {2}ETA \d+:\d\d/,
    );
    assert.ok(/✔ Read disk 1\.5 MiB\/1\.5 MiB \(100%\)/.test(screen), screen.slice(-1500));
    assert.match(screen, new RegExp(`Signature verified with key ${fingerprint} \\(Test <t@example>\\)`));
    // No progress line drawn wider than the terminal (it would wrap and break the redraw).
    for (const line of screen.split(/\r|\n/).filter((l) => l.includes('Read disk'))) assert.ok(line.length <= 80, line);
  },
);

test('bytes that fail verification end the bar with a red ✖, not ✔', { timeout: 200_000 }, async () => {
  const { code, screen } = await onTerminal(`${base}/bad.raw`, { TERM: 'xterm' });
  assert.equal(code, 1, screen.slice(-1500));
  assert.ok(/✖ Read disk 1\.5 MiB\/1\.5 MiB \(100%\)/.test(screen), screen.slice(-1500));
  assert.doesNotMatch(screen, /✔ Read disk/);
  assert.doesNotMatch(screen, /Signature verified/);
  assert.match(screen, /GPG verification failure/);
});

for (const [env, columns] of [
  [{ TERM: 'dumb' }, 80],
  [{ TERM: 'xterm', CI: '1' }, 80],
  [{ TERM: 'xterm' }, 0],
] as Array<[Record<string, string>, number]>) {
  const name = `${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} on a terminal${columns === 0 ? ' that reports 0 columns (a serial console)' : ''}`;
  test(`${name}: plain lines that keep moving`, { timeout: 200_000 }, async () => {
    const { code, screen } = await onTerminal(`${base}/good.raw`, env, columns);
    assert.equal(code, 0, screen.slice(-1500));
    const lines = screen.split(/\r?\n/).filter((l) => l.includes('Read disk'));
    for (const l of lines) assert.match(l, /^Read disk [\d.]+ (B|KiB|MiB)\/1\.5 MiB \(\d+%\)$/);
    const moving = lines.filter((l) => !/\((0|100)%\)$/.test(l));
    assert.ok(moving.length >= 1, `a line between 0% and 100% while the download runs:\n${screen}`);
    assert.equal(lines.at(-1), 'Read disk 1.5 MiB/1.5 MiB (100%)');
    assert.match(screen, new RegExp(`Signature verified with key ${fingerprint}`));
  });
}
