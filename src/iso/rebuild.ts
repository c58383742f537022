/**
 * `iso ignition embed --rebuild` (beyond upstream): turns a plain xorriso-built Linux live ISO
 * into one with a CoreOS-style Ignition embed area. xorriso replays the original boot setup
 * (El Torito, isohybrid MBR/GPT) and adds `images/ignition.img` (256 KiB of zeros) plus
 * `<flavor>/igninfo.json` (`nestos/` or `coreos/`); each boot entry's initrd list gets `/images/ignition.img` appended
 * (isolinux `initrd=a,b` / `INITRD a`, GRUB `initrd a b`). Then the config is embedded as usual.
 * The result is a function of the input bytes only: xorriso runs with SOURCE_DATE_EPOCH set to
 * the input's volume date (fixing volume dates, file dates, the boot catalog time and the
 * isohybrid MBR id / GPT GUIDs derived from them) and the added files get that date, owner 0
 * and fixed modes.
 */
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  closeSync,
  openSync,
  readSync,
  fstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, withContext } from '../errors.js';
import { FLAVORS, type Flavor } from '../flavor.js';
import type { Reporter } from '../report.js';
import { run } from '../exec/run.js';
import { Iso9660 } from '../formats/iso9660.js';
import { persistNoClobber, createTempNextTo } from '../io/atomic-output.js';
import { assertStdoutNotTerminal, writeStdout } from '../io/stdout-guard.js';
import { CONFIG_NAME, LiveIso } from './live-iso.js';
import { editEmbeddedFiles } from './embed-edit.js';
import { isoVolumeEpoch } from './volume-date.js';

export const REBUILD_AREA = '/images/ignition.img';
const AREA_SIZE = 256 * 1024;

/** The metadata directory an ISO of this flavour carries (`/nestos`, `/coreos`). */
const metadataDir = (flavor: Flavor) => `/${FLAVORS[flavor].isoDir.toLowerCase()}`;

/** Appends the embed area to every initrd list of a boot config; returns undefined if none. */
export function addAreaToBootConfig(text: string, style: 'isolinux' | 'grub'): string | undefined {
  let changed = false;
  const lines = text.split('\n').map((line) => {
    if (line.includes(REBUILD_AREA)) return line;
    let out = line;
    if (style === 'isolinux') {
      // `append ... initrd=a,b ...` and the `INITRD a,b` directive
      out = out.replace(
        /^(\s*append\b.*?\binitrd=)(\S+)/i,
        (_m, pre: string, list: string) => `${pre}${list},${REBUILD_AREA}`,
      );
      out = out.replace(/^(\s*initrd\s+)(\S+)/i, (_m, pre: string, list: string) => `${pre}${list},${REBUILD_AREA}`);
    } else {
      // GRUB `initrd a b` (also initrdefi / initrd16)
      out = out.replace(
        /^(\s*(?:initrd|initrdefi|initrd16)\s+\S.*?)(\s*)$/,
        (_m, body: string, ws: string) => `${body} ${REBUILD_AREA}${ws}`,
      );
    }
    if (out !== line) changed = true;
    return out;
  });
  return changed ? lines.join('\n') : undefined;
}

/** Environment making xorriso's output reproducible (see SOURCE_DATE_EPOCH in xorriso(1)). */
function reproducibleEnv(epoch: number): Record<string, string> {
  // TZ: timestrings and file dates are recorded in GMT, independent of the caller's zone.
  return { SOURCE_DATE_EPOCH: String(epoch), TZ: 'UTC' };
}

/**
 * xorriso commands giving the added files and directories fixed owner, mode and dates; otherwise
 * they would take the caller's uid, umask and clock (implicit directories get 0700 and now).
 */
export function fixedAttributes(files: string[], dirs: string[], epoch: number): string[] {
  const all = [...dirs, ...files];
  const out = ['-chown', '0', ...all, '--', '-chgrp', '0', ...all, '--'];
  if (files.length > 0) out.push('-chmod', '0644', ...files, '--');
  if (dirs.length > 0) out.push('-chmod', '0755', ...dirs, '--');
  out.push('-alter_date', 'b', `=${epoch}`, ...all, '--');
  return out;
}

/** Which of these directories the input ISO lacks (xorriso will create them). */
function missingDirs(iso: string, dirs: string[]): string[] {
  const fd = openSync(iso, 'r');
  try {
    const reader = new Iso9660(fd, fstatSync(fd).size);
    return dirs.filter((d) => reader.find(d.toUpperCase()) === undefined);
  } finally {
    closeSync(fd);
  }
}

async function listBootConfigs(iso: string): Promise<string[]> {
  const r = await run('xorriso', ['-indev', iso, '-find', '/', '-type', 'f', '-name', '*.cfg', '--'], {
    timeout: 120_000,
  });
  return r.stdout
    .split('\n')
    .map((l) => /^'(.*)'$/.exec(l.trim())?.[1])
    .filter((p): p is string => p !== undefined && /(isolinux|syslinux|grub|boot|EFI)/i.test(p));
}

async function buildRebuiltIso(input: string, outPath: string, flavor: Flavor, reporter: Reporter): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), `${FLAVORS[flavor].tempPrefix}rebuild-`));
  const ignInfoPath = `${metadataDir(flavor)}/igninfo.json`;
  try {
    const epoch = isoVolumeEpoch(input);
    const configs = await listBootConfigs(input);
    const maps: string[] = [];
    const edited: string[] = [];
    let n = 0;
    for (const cfg of configs) {
      const local = join(work, `cfg-${n++}`);
      await run('xorriso', ['-osirrox', 'on', '-indev', input, '-extract', cfg, local], { timeout: 120_000 });
      const style = /grub/i.test(cfg) ? 'grub' : 'isolinux';
      const text = addAreaToBootConfig(readFileSync(local, 'utf8'), style);
      if (text === undefined) continue;
      rmSync(local, { force: true }); // the extracted copy may be read-only
      writeFileSync(local, text);
      maps.push('-map', local, cfg);
      edited.push(cfg);
      reporter.info(`Adding ${REBUILD_AREA} to the initrds of ${cfg}`);
    }
    if (maps.length === 0)
      throw new UserError(`no boot entry loading an initrd found in ${input}; cannot add an embed area`);
    writeFileSync(join(work, 'ignition.img'), Buffer.alloc(AREA_SIZE));
    writeFileSync(join(work, 'igninfo.json'), JSON.stringify({ file: REBUILD_AREA.slice(1) }));
    const files = [REBUILD_AREA, ignInfoPath, ...edited];
    const dirs = missingDirs(input, ['/images', metadataDir(flavor)]);
    await run(
      'xorriso',
      [
        '-indev',
        input,
        '-outdev',
        outPath,
        '-boot_image',
        'any',
        'replay',
        '-map',
        join(work, 'ignition.img'),
        REBUILD_AREA,
        '-map',
        join(work, 'igninfo.json'),
        ignInfoPath,
        ...maps,
        ...fixedAttributes(files, dirs, epoch),
        '-commit',
      ],
      { timeout: 600_000, env: reproducibleEnv(epoch) },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function rebuildWithEmbedArea(
  iso: string,
  output: string | undefined,
  config: Buffer,
  flavor: Flavor,
  reporter: Reporter,
): Promise<void> {
  // An ISO that already has an area just gets the normal embed.
  const probe = new LiveIso(iso, flavor);
  let hasArea = true;
  try {
    probe.ignitionArea();
  } catch {
    hasArea = false;
  } finally {
    probe.close();
  }
  if (hasArea) {
    await editEmbeddedFiles({ iso, output, flavor }, (files) => {
      if (files.has(CONFIG_NAME))
        throw new UserError('This ISO image already has an embedded Ignition config; use -f to force.');
      files.set(CONFIG_NAME, config);
    });
    return;
  }
  if (output === '-') assertStdoutNotTerminal();
  if (output !== undefined && output !== '-' && existsSync(output)) {
    throw new UserError(`persisting output file '${output}'`, { cause: new UserError('File exists (os error 17)') });
  }
  const target = output === undefined || output === '-' ? iso : output;
  const temp = createTempNextTo(output === '-' ? join(tmpdir(), 'x') : target);
  closeSync(temp.fd);
  rmSync(temp.path); // xorriso wants to create the output itself
  try {
    await withContext(buildRebuiltIso(iso, temp.path, flavor, reporter), `rebuilding ${iso} with an embed area`);
    await editEmbeddedFiles({ iso: temp.path, flavor }, (files) => void files.set(CONFIG_NAME, config));
    if (output === undefined) renameSync(temp.path, iso);
    else if (output === '-') await streamFile(temp.path);
    else persistNoClobber(temp.path, output);
  } finally {
    rmSync(temp.path, { force: true });
  }
}

async function streamFile(path: string): Promise<void> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4 * 1024 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      await writeStdout(Buffer.from(buf.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
  }
}
