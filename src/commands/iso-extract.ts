/**
 * `iso extract pxe`: every file of IMAGES/PXEBOOT as `<iso stem>-<lowercased name>`, created new,
 * in the output directory (created when missing, as upstream does).
 * `iso extract minimal-iso [--output-rootfs FILE] [--rootfs-url URL] ISO [OUTPUT]`: the minimal ISO
 * rebuilt from miniso.dat (checked against its sha256), without the liveiso karg and with the
 * rootfs URL karg when given; OUTPUT defaults to stdout. Customized ISOs are refused (their
 * files differ from what the digest covers). Outputs appear whole or not at all.
 */
import { basename, extname, join } from 'node:path';
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { UserError, withContextSync } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import { createTempNextTo, outputExistsError, persistNoClobber } from '../io/atomic-output.js';
import { assertStdoutNotTerminal, writeStdout } from '../io/stdout-guard.js';
import { LiveIso, openLiveIso } from '../iso/live-iso.js';
import { minimalIsoPatches, readMiniso, rebuildMinimalIso } from '../iso/minimal-iso.js';

const CHUNK = 4 * 1024 * 1024;

function writeAll(fd: number, buf: Buffer, position: number | null, what: string): void {
  // writeSync may write less than asked (a full disk gives a short write first).
  for (let done = 0; done < buf.length;) {
    done += withContextSync(
      () => writeSync(fd, buf, done, buf.length - done, position === null ? null : position + done),
      `writing ${what}`,
    );
  }
}

/** Copies `length` bytes at `offset` of the ISO into a new file (create-new); removed on failure. */
function copyOut(live: LiveIso, offset: number, length: number, out: string): void {
  const fd = withContextSync(() => {
    try {
      return openSync(out, 'wx', 0o644);
    } catch (err) {
      // upstream's wording (create_new's io::Error) as the cause, and what to do
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw outputExistsError(out);
      throw err;
    }
  }, `creating ${out}`);
  try {
    for (let pos = 0; pos < length; pos += CHUNK)
      writeAll(fd, live.iso.read(offset + pos, Math.min(CHUNK, length - pos)), null, out);
  } catch (err) {
    // We created it (wx): a failed write (e.g. ENOSPC) must not leave a partial file.
    closeSync(fd);
    unlinkSync(out);
    throw err;
  }
  closeSync(fd);
}

export async function isoExtractPxe(options: { iso: string; outputDir?: string; flavor: Flavor }): Promise<void> {
  const live = new LiveIso(options.iso, options.flavor);
  try {
    const dir = live.iso.find('IMAGES/PXEBOOT');
    if (!dir || !dir.isDir) throw new UserError("Unrecognized CoreOS ISO image: couldn't find images/pxeboot");
    if (options.outputDir !== undefined)
      withContextSync(() => mkdirSync(options.outputDir!, { recursive: true }), `creating ${options.outputDir}`);
    const stem = basename(options.iso, extname(options.iso));
    for (const rec of live.iso.list(dir)) {
      if (rec.isDir) continue;
      const out = join(options.outputDir ?? '.', `${stem}-${rec.name.toLowerCase()}`);
      copyOut(live, rec.offset, rec.length, out);
      await writeStdout(out + '\n');
    }
  } finally {
    live.close();
  }
}

export interface IsoExtractMinimalOptions {
  iso: string;
  /** '-' (stdout) or a file that must not exist. */
  output: string;
  outputRootfs?: string;
  rootfsUrl?: string;
  flavor: Flavor;
}

const customized = (flavor: Flavor) =>
  `Cannot operate on ISO with embedded customizations.\nReset it with \`${FLAVORS[flavor].program} iso reset\` and try again.`;

export async function isoExtractMinimalIso(options: IsoExtractMinimalOptions): Promise<void> {
  const toStdout = options.output === '-';
  if (toStdout) assertStdoutNotTerminal();
  const full = openLiveIso(options.iso, options.flavor);
  let rootfsWritten: string | undefined;
  let temp: { path: string; fd: number } | undefined;
  try {
    const k = full.requireKargs();
    if ((await full.readInitrd()).size > 0 || full.currentKargs(k) !== k.default)
      throw new UserError(customized(options.flavor));
    if (options.outputRootfs !== undefined) {
      const rec = full.iso.find('IMAGES/PXEBOOT/ROOTFS.IMG');
      if (!rec || rec.isDir) throw new UserError('this ISO image has no images/pxeboot/rootfs.img');
      copyOut(full, rec.offset, rec.length, options.outputRootfs);
      rootfsWritten = options.outputRootfs;
    }
    const data = readMiniso(full.iso);
    temp = createTempNextTo(toStdout ? join(tmpdir(), 'minimal.iso') : options.output);
    const tempFd = temp.fd;
    for await (const piece of rebuildMinimalIso(full.iso, data)) writeAll(tempFd, piece, null, temp.path);
    const minimal = withContextSync(() => new LiveIso(temp!.path, options.flavor), 'reading the rebuilt minimal ISO');
    try {
      for (const p of minimalIsoPatches(minimal, options.rootfsUrl)) writeAll(tempFd, p.data, p.offset, temp.path);
    } finally {
      minimal.close();
    }
    if (toStdout) {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let pos = 0; ;) {
        const n = readSync(tempFd, buf, 0, buf.length, pos);
        if (n === 0) break;
        await writeStdout(Buffer.from(buf.subarray(0, n)));
        pos += n;
      }
    } else {
      closeSync(tempFd);
      temp.fd = -1;
      persistNoClobber(temp.path, options.output);
    }
    rootfsWritten = undefined;
  } finally {
    full.close();
    if (temp) {
      if (temp.fd >= 0) closeSync(temp.fd);
      try {
        unlinkSync(temp.path);
      } catch {
        /* persisted (linked and unlinked) or never created */
      }
    }
    // A failed run leaves no rootfs behind either: outputs appear together or not at all.
    if (rootfsWritten) unlinkSync(rootfsWritten);
  }
}
