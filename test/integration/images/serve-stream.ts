/** scripts/serve-stream on a directory, for guests: QEMU's user network reaches the host's 127.0.0.1 as 10.0.2.2. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';

export interface Served {
  /** Base URL as the guest sees it, ending in `/`. */
  guestBase: string;
  /** Request lines serve-stream logged (`GET /name`). */
  requests: string[];
  close(): void;
}

export function serveStream(dir: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts/serve-stream'), '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const requests: string[] = [];
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n'))
        if (line.startsWith('serve-stream: ')) requests.push(line.slice('serve-stream: '.length));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`serve-stream exited ${code}`)));
    child.stdout.once('data', (d: Buffer) => {
      const base = d.toString().split('\n')[0]!;
      resolve({ guestBase: base.replace('127.0.0.1', '10.0.2.2'), requests, close: () => child.kill('SIGTERM') });
    });
  });
}

/** The live initramfs's `NESTOS-LIVE-ROOTFS {json}` line: where its root filesystem came from, or why not. */
export function liveRootfsLine(log: string): Record<string, unknown> {
  const m = /NESTOS-LIVE-ROOTFS (\{.*\})/.exec(log);
  if (!m) throw new Error(`no NESTOS-LIVE-ROOTFS line in the serial log:\n${log.slice(-3000)}`);
  return JSON.parse(m[1]!) as Record<string, unknown>;
}
