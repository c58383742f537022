/**
 * An exclusive advisory lock (flock(2)) on an open file, held until the file is closed or the
 * process ends (so a crash never leaves a stale lock). Node has no flock: util-linux's
 * `flock --nonblock` is run on the inherited descriptor; flock locks belong to the open file
 * description, which the child shares, so the lock stays with this process after the child
 * exits. Other processes that lock the same file (another run of this tool) are refused.
 */
import { spawn } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** flock(1)'s exit status when the lock is held elsewhere (`--conflict-exit-code`). */
const CONFLICT = 75;

/** Takes the lock on `fd`; false when another open file description holds it. */
export async function tryLockExclusive(fd: number, path: string): Promise<boolean> {
  const args = ['--exclusive', '--nonblock', '--conflict-exit-code', String(CONFLICT), '3'];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('flock', args, { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new UserError(
              "required tool 'flock' not found; install it with `apt-get install util-linux` (or run scripts/setup)",
            )
          : new UserError(`locking ${path}: running flock`, { cause: err }),
      );
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
  if (code === 0) return true;
  if (code === CONFLICT) return false;
  throw new UserError(`locking ${path}: flock exit status ${code}: ${stderr.trim()}`);
}

/** The lock on an install target is held by another process. */
export class TargetLockedError extends UserError {
  constructor(readonly path: string) {
    super(`${path} is locked by another process (another install to the same target?); wait for it to finish`);
    this.name = 'TargetLockedError';
  }
}

/** Takes the exclusive lock on an install target's handle without waiting; refuses when it is held. */
export async function lockExclusive(handle: FileHandle, path: string): Promise<void> {
  if (!(await tryLockExclusive(handle.fd, path))) throw new TargetLockedError(path);
}
