/**
 * The live-environment installer (`nestos-installer install-service`, run by
 * systemd/nestos-installer.service): the kernel command line and the installer config files
 * become an `install` command line (service-args.ts), which runs through the same front door
 * as `install` itself. With no stream, URL or file anywhere, the image is rebuilt from the live
 * media's osmet file for the target's sector size (install's offline source); beyond upstream,
 * media without osmet files may carry the image itself (`/usr/share/nestos-installer/image/
 * *.raw.xz` + `.sig`, `4k` for 4Kn targets), installed and verified like any other. After a
 * successful install the config directories are removed, as upstream does, so a reinstall does
 * not reuse them by surprise.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { type Flavor, osmetDirs } from '../flavor.js';
import type { Reporter } from '../report.js';
import { inspectTarget } from '../disk/target.js';
import { mergeSources } from '../install/install-config.js';
import type { InstallRequest } from '../install/install-request.js';
import { serviceArgs } from './service-args.js';
import { findOsmet } from '../osmet/locate.js';

export interface LiveServiceOptions {
  cmdlinePath: string;
  configDirs: readonly string[];
  flavor: Flavor;
}

/** Regular files of each directory, sorted by name (the script's `installer.d/*`). */
async function listConfigs(dirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw new UserError(`listing ${dir}`, { cause: err });
    });
    for (const name of names.sort()) {
      const path = join(dir, name);
      if ((await stat(path)).isFile()) files.push(path);
    }
  }
  return files;
}

/** The `install` arguments for this boot, or undefined when no install was asked for. */
export async function liveServiceArgs(options: LiveServiceOptions, reporter: Reporter): Promise<string[] | undefined> {
  const cmdline = await readFile(options.cmdlinePath, 'utf8').catch((err: unknown) => {
    throw new UserError(`reading ${options.cmdlinePath}`, { cause: err });
  });
  const built = serviceArgs(cmdline, await listConfigs(options.configDirs), options.flavor);
  for (const w of built.warnings) reporter.warn(w);
  if (!built.requested) {
    reporter.info('No install requested (no install_dev kernel argument and no installer config); nothing to do.');
    return undefined;
  }
  return built.args;
}

/** The live media's image for the target's sector size. */
export async function liveImage(imageDir: string, sectorSize: number): Promise<string> {
  const names = (await readdir(imageDir).catch(() => [] as string[])).filter((n) => n.endsWith('.raw.xz')).sort();
  const want = names.filter((n) => (sectorSize === 4096 ? /4k/.test(n) : !/4k/.test(n)));
  const pick = want[0];
  if (!pick) {
    throw new UserError(
      `no ${sectorSize === 4096 ? '4K-sector ' : ''}image found in ${imageDir}; pass an image_url or stream kernel argument`,
    );
  }
  return join(imageDir, pick);
}

/**
 * An image install with no source anywhere: install rebuilds the image from the live media's
 * osmet file when there is one for the target's sector size; otherwise the live media's image
 * is installed (as `--image-file`).
 */
export async function withLiveMediaImage(request: InstallRequest, imageDir: string): Promise<InstallRequest> {
  if (request.mode !== 'image') return request;
  const o = request.options;
  if (o.imageFile || o.imageUrl || o.stream || o.offline) return request;
  if (!o.dest) throw new UserError('destination device must be specified');
  const facts = await inspectTarget(o.dest, { destSize: o.destSize, destSectorSize: o.destSectorSize });
  if (await findOsmet(osmetDirs(), o.architecture, facts.sectorSize)) return request;
  const imageFile = await liveImage(imageDir, facts.sectorSize);
  return {
    mode: 'image',
    config: mergeSources([request.config, { 'image-file': imageFile }]),
    options: { ...o, imageFile },
  };
}

/** Removes the installer config directories (upstream: `rm -rf /etc/coreos/installer.d`). */
export async function removeInstallerConfigs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    await rm(dir, { recursive: true, force: true }).catch((err: unknown) => {
      throw new UserError(`removing ${dir}`, { cause: err });
    });
  }
}
