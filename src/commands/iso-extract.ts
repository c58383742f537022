/**
 * `iso extract pxe`: every file of IMAGES/PXEBOOT as `<iso stem>-<lowercased name>`, created new,
 * in the output directory (created when missing, as upstream does).
 */
import { basename, extname, join } from 'node:path';
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { UserError, withContextSync } from '../errors.js';
import type { Flavor } from '../flavor.js';
import { writeStdout } from '../io/stdout-guard.js';
import { LiveIso } from '../iso/live-iso.js';

export async function isoExtractPxe(o: { iso: string; outputDir?: string; flavor: Flavor }): Promise<void> {
  const live = new LiveIso(o.iso, o.flavor);
  try {
    const dir = live.iso.find('IMAGES/PXEBOOT');
    if (!dir || !dir.isDir) throw new UserError("Unrecognized CoreOS ISO image: couldn't find images/pxeboot");
    if (o.outputDir !== undefined) withContextSync(() => mkdirSync(o.outputDir!, { recursive: true }), `creating ${o.outputDir}`);
    const stem = basename(o.iso, extname(o.iso));
    for (const rec of live.iso.list(dir)) {
      if (rec.isDir) continue;
      const out = join(o.outputDir ?? '.', `${stem}-${rec.name.toLowerCase()}`);
      const fd = withContextSync(() => openSync(out, 'wx', 0o644), `creating ${out}`);
      try {
        const CHUNK = 4 * 1024 * 1024;
        for (let pos = 0; pos < rec.length; pos += CHUNK) {
          const buf = live.iso.read(rec.offset + pos, Math.min(CHUNK, rec.length - pos));
          // writeSync may write less than asked (a full disk gives a short write first).
          for (let done = 0; done < buf.length; ) done += withContextSync(() => writeSync(fd, buf, done), `writing ${out}`);
        }
      } catch (err) {
        // We created it (wx): a failed write (e.g. ENOSPC) must not leave a partial file.
        closeSync(fd);
        unlinkSync(out);
        throw err;
      }
      closeSync(fd);
      await writeStdout(out + '\n');
    }
  } finally {
    live.close();
  }
}
