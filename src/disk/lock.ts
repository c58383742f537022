/**
 * One writer per file target: an exclusive BSD lock (flock) on an open file description,
 * held until that descriptor is closed (also when the process dies). Node has no flock(2), so
 * util-linux `flock` locks the descriptor it inherits as fd 3: the lock belongs to the shared
 * open file description, i.e. to this process's handle, and outlives the short-lived tool.
 * Runs spawn the tool directly (not src/exec/run.ts) because it must inherit the descriptor.
 */
import { spawn } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** flock's exit status when the lock is held elsewhere (distinct from its other failures). */
const CONFLICT = 75;

export class TargetLockedError extends UserError {
  constructor(readonly path: string) {
    super(`${path} is locked by another process (another install to the same target?); wait for it to finish`);
    this.name = 'TargetLockedError';
  }
}

/** Takes the exclusive lock on `handle` without waiting; refuses when another holder has it. */
export async function lockExclusive(handle: FileHandle, path: string): Promise<void> {
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(CONFLICT), '3'], {
      stdio: ['ignore', 'ignore', 'pipe', handle.fd],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT'
        ? new UserError("required tool 'flock' not found; install it with `apt-get install util-linux` (or run scripts/setup)")
        : new UserError(`locking ${path}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== CONFLICT) reject(new UserError(`locking ${path}: flock exit status ${code}: ${stderr.trim()}`));
      else resolve(code);
    });
  });
  if (status === CONFLICT) throw new TargetLockedError(path);
}
