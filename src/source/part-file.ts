/**
 * The `NAME.part` file a download writes before its bytes verified. It is opened without
 * following symbolic links, must be a regular file with no other hard link, and is locked
 * (flock) for the whole run, so a second download of the same name into the same directory is
 * refused instead of writing the same file. All access goes through the locked descriptor;
 * the path is only used again to rename the verified file into place or to remove the
 * unverified one, each after checking that the path still names the locked file.
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, rename, unlink } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { EarlyWriteback } from '../io/early-writeback.js';
import { UserError } from '../errors.js';
import { tryLockExclusive } from '../io/file-lock.js';

const OPEN_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Attempts when the file is renamed or removed between opening and locking it. */
const LOCK_ATTEMPTS = 5;

const READ_STEP = 1024 * 1024;

/** What is left of `buffers` once their first `n` bytes were written (a short write). */
function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && n >= buffers[i]!.length) n -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  return [buffers[i]!.subarray(n), ...buffers.slice(i + 1)];
}

function refuseKind(path: string, st: { isSymbolicLink(): boolean; isDirectory(): boolean }): UserError {
  if (st.isSymbolicLink()) {
    return new UserError(`${path} is a symbolic link; refusing to write through it (remove it and run again)`);
  }
  return new UserError(
    `${path} exists and is not a regular file${st.isDirectory() ? ' (a directory)' : ''}; remove it and run again`,
  );
}

async function openNoFollow(path: string): Promise<FileHandle> {
  // Absent or unreadable: treated as not there.
  const before = await lstat(path).catch(() => undefined);
  if (before && !before.isFile()) throw refuseKind(path, before);
  try {
    return await open(path, OPEN_FLAGS, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refuseKind(path, { isSymbolicLink: () => true, isDirectory: () => false });
    throw new UserError(`opening ${path}`, { cause: err });
  }
}

export class PartFile {
  /** Starts the disk writing while the download goes on, so the final sync finds little left. */
  private readonly writeback = new EarlyWriteback(() => this.handle.datasync());

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly identity: { dev: number; ino: number },
  ) {}

  /** Opens and locks `path`, creating it empty when absent. */
  static async acquire(path: string): Promise<PartFile> {
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      const handle = await openNoFollow(path);
      try {
        const st = await handle.stat();
        if (!st.isFile()) throw refuseKind(path, st);
        if (st.nlink > 1) {
          throw new UserError(
            `${path} has ${st.nlink} hard links; refusing to write a file that has other names (remove it and run again)`,
          );
        }
        if (!(await tryLockExclusive(handle.fd, path))) {
          throw new UserError(
            `another download is writing ${path}; wait for it to finish, or download into another directory (-C)`,
          );
        }
        const part = new PartFile(path, handle, { dev: st.dev, ino: st.ino });
        if (await part.stillAtPath()) return part;
        // The run that held the lock renamed or removed this file meanwhile: start again.
      } catch (err) {
        await handle.close();
        throw err;
      }
      await handle.close();
    }
    throw new UserError(`${path} kept being replaced while it was locked; is another program writing it?`);
  }

  private async stillAtPath(): Promise<boolean> {
    // Absent or unreadable: treated as not there.
    const now = await lstat(this.path).catch(() => undefined);
    return now !== undefined && now.dev === this.identity.dev && now.ino === this.identity.ino;
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async truncate(length: number): Promise<void> {
    await this.handle.truncate(length);
  }

  // Streams of their own rather than fs streams: an fs stream closes its descriptor when it is
  // destroyed (as pipeline does on any error), which would drop the lock mid-run.

  /** The first `length` bytes (a resumed download's lead-in), read in 1 MiB steps. */
  readPrefix(length: number): Readable {
    const { handle, path } = this;
    return Readable.from(
      (async function* () {
        for (let position = 0; position < length;) {
          const buf = Buffer.allocUnsafe(Math.min(READ_STEP, length - position));
          const { bytesRead } = await handle.read(buf, 0, buf.length, position);
          if (bytesRead === 0) throw new UserError(`${path} ended after ${position} of ${length} bytes`);
          position += bytesRead;
          yield buf.subarray(0, bytesRead);
        }
      })(),
      { objectMode: false },
    );
  }

  /** Writes from offset `start` on; chunks queued while a write is in flight go out together. */
  writeFrom(start: number, highWaterMark: number): Writable {
    const { handle, path, writeback } = this;
    let position = start;
    const writeAll = async (buffers: Buffer[]) => {
      while (buffers.length > 0) {
        const { bytesWritten } = await handle.writev(buffers, position);
        if (bytesWritten === 0) throw new UserError(`writing ${path} at offset ${position}: nothing was written`);
        position += bytesWritten;
        writeback.wrote(bytesWritten);
        buffers = skipBytes(buffers, bytesWritten);
      }
    };
    return new Writable({
      highWaterMark,
      writev(chunks, cb) {
        writeAll(chunks.map((c) => c.chunk as Buffer)).then(() => cb(), cb);
      },
    });
  }

  /** Makes the bytes durable and renames the file to `finalPath` (replacing what is there). */
  async commit(finalPath: string): Promise<void> {
    await this.writeback.settle();
    await this.handle.sync();
    if (!(await this.stillAtPath())) throw new UserError(`${this.path} was moved or replaced during the download`);
    await rename(this.path, finalPath);
  }

  /** Removes the file (this run's unverified bytes), if the path still names it. */
  async discard(): Promise<void> {
    // Best-effort cleanup; the outcome is already decided.
    if (await this.stillAtPath()) await unlink(this.path).catch(() => undefined);
  }

  /** Closes the file, which releases the lock. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
