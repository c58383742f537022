/**
 * The three output modes of every modifying ISO command, byte-identical:
 * in place (positioned writes of the changed regions only), `-o FILE` (a copy, or a reflink,
 * as a temp file in the target directory, patched, persisted without clobbering), and `-o -`
 * (stream the input to stdout with the regions substituted; refuses a terminal). All
 * validation happens before this.
 */
import { openSync, closeSync, writeSync, fstatSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';
import { refuseExistingOutput, writeFileNoClobber } from '../io/atomic-output.js';
import { assertStdoutNotTerminal, writeStdout } from '../io/stdout-guard.js';

export interface Patch {
  offset: number;
  data: Buffer;
}

function writeAll(fd: number, data: Buffer, offset: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, offset + done);
}

function checkPatches(patches: Patch[], length: number): Patch[] {
  const sorted = [...patches].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const p of sorted) {
    if (p.offset < end) throw new UserError('internal error: overlapping ISO modifications');
    end = p.offset + p.data.length;
    if (end > length) throw new UserError('internal error: modification past the end of the image');
  }
  return sorted;
}

export async function writeIsoOutput(input: string, patches: Patch[], output: string | undefined): Promise<void> {
  if (output === '-') assertStdoutNotTerminal();
  else if (output !== undefined) refuseExistingOutput(output);
  const inFd = openSync(input, output === undefined ? 'r+' : 'r');
  try {
    const length = fstatSync(inFd).size;
    const sorted = checkPatches(patches, length);
    if (output === undefined) {
      for (const p of sorted) writeAll(inFd, p.data, p.offset);
      return;
    }
    if (output === '-') {
      await streamPatched(inFd, length, sorted);
      return;
    }
    await writeFileNoClobber(
      output,
      (temp) => {
        for (const p of sorted) writeAll(temp.fd, p.data, p.offset);
      },
      { copyOf: input },
    );
  } finally {
    closeSync(inFd);
  }
}

async function streamPatched(fd: number, length: number, patches: Patch[]): Promise<void> {
  const CHUNK = 4 * 1024 * 1024;
  for (let pos = 0; pos < length;) {
    const n = Math.min(CHUNK, length - pos);
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, pos + got);
      if (r === 0) throw new UserError('ISO image shrank while reading it');
      got += r;
    }
    for (const p of patches) {
      const start = Math.max(p.offset, pos);
      const end = Math.min(p.offset + p.data.length, pos + n);
      if (start < end) p.data.copy(buf, start - pos, start - p.offset, end - p.offset);
    }
    await writeStdout(buf);
    pos += n;
  }
}

/** Opens a file read-only, for commands that only read. */
export function openReadOnly(path: string): number {
  return openSync(path, 'r');
}
