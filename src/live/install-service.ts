/**
 * The live-environment installer (`nestos-installer install-service`, run by
 * systemd/nestos-installer.service): kernel arguments from /proc/cmdline plus config files from
 * /etc/nestos/installer.d/* and /etc/coreos/installer.d/* (alphabetical) become one install.
 * With no stream, URL or file anywhere, the image is rebuilt from the live media's osmet file for
 * the target's sector size (install's offline source); media without osmet files may carry the
 * image itself (`/usr/share/nestos-installer/image/*.raw.xz` + `.sig`, `4k` for 4Kn targets).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installCommand, type InstallResult } from '../commands/install.js';
import { UserError } from '../errors.js';
import type { Reporter } from '../report.js';
import { inspectTarget } from '../disk/target.js';
import { readConfigFile } from '../install/config-file.js';
import { defaultInstallOptions } from '../install/options.js';
import { liveRequestFromCmdline } from './kargs.js';
import { osmetDirs } from './flavor-paths.js';
import { findOsmet } from '../osmet/locate.js';

export const DEFAULT_CONFIG_DIRS = ['/etc/nestos/installer.d', '/etc/coreos/installer.d'];
export const DEFAULT_IMAGE_DIR = '/usr/share/nestos-installer/image';

export interface LiveInstallOptions {
  cmdlinePath: string;
  configDirs: string[];
  imageDir: string;
  dryRun: boolean;
  trustedKeys: string[];
}

async function listConfigs(dirs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const d of dirs) {
    const names = await readdir(d).catch(() => [] as string[]);
    for (const n of names.sort()) files.push(join(d, n));
  }
  return files;
}

/** The live media's image for the target's sector size. */
export async function liveImage(imageDir: string, sectorSize: number): Promise<string> {
  const names = (await readdir(imageDir).catch(() => [] as string[])).filter((n) => n.endsWith('.raw.xz')).sort();
  const want = names.filter((n) => (sectorSize === 4096 ? /4k/.test(n) : !/4k/.test(n)));
  const pick = want[0];
  if (!pick) {
    throw new UserError(`no ${sectorSize === 4096 ? '4K-sector ' : ''}image found in ${imageDir}; pass nestos.inst.image_url or nestos.inst.stream`);
  }
  return join(imageDir, pick);
}

export async function liveInstall(o: LiveInstallOptions, reporter: Reporter): Promise<InstallResult | undefined> {
  const cmdline = await readFile(o.cmdlinePath, 'utf8').catch((err: unknown) => {
    throw new UserError(`reading ${o.cmdlinePath}`, { cause: err });
  });
  const req = liveRequestFromCmdline(cmdline);
  for (const w of req.warnings) reporter.warn(w);
  const configFiles = await listConfigs(o.configDirs);
  if (!req.requested && configFiles.length === 0) {
    reporter.info('No install requested (no nestos.inst.install_dev karg and no installer.d config); nothing to do.');
    return undefined;
  }
  const configs = await Promise.all(configFiles.map((f) => readConfigFile(f)));
  const options = { ...defaultInstallOptions(), ...req.options, dryRun: o.dryRun };
  options.trustedKeys = [...options.trustedKeys, ...o.trustedKeys];
  const dest = options.dest ?? configs.map((c) => c['dest-device']).filter(Boolean).pop();
  const hasSource = options.imageUrl || options.stream || configs.some((c) => c['image-url'] || c['image-file'] || c.stream);
  if (!hasSource) {
    if (!dest) throw new UserError('destination device must be specified');
    const facts = await inspectTarget(dest);
    // With osmet files on the live media, install rebuilds the image from them (no source given).
    if (!(await findOsmet(osmetDirs(), options.architecture, facts.sectorSize))) options.imageFile = await liveImage(o.imageDir, facts.sectorSize);
  }
  return installCommand({ options, configFiles }, reporter);
}
