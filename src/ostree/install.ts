/**
 * `install --ostree-repo SRC --ostree-ref REF DEVICE`: builds the sysroot on the target from an
 * ostree repository instead of copying a disk image. Stages (each a reporter.step, each a
 * fault-injection point): partition → mkfs → mount → init-fs → repo-config → pull → os-init →
 * deploy → var → fstab → grub-bios → grub-uefi → firstboot → finish.
 *
 * On failure: the error names the stage; every mount is released and the loop device detached;
 * the partition table (and the first/last MiB) is wiped unless preserveOnError, and an image
 * file this run created is deleted.
 *
 * TEST-ONLY: env NESTOS_INSTALLER_FAULT=<stage id> makes the run fail at the start of that stage.
 */
import { mkdtemp, open, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFileNotBusy, checkNotBusy } from '../disk/busy.js';
import type { SectorSize } from '../disk/sector-size.js';
import { UserError } from '../errors.js';
import { run } from '../exec/run.js';
import type { Flavor } from '../flavor.js';
import { validateIgnitionConfig } from '../formats/ignition/validate.js';
import { prepareFirstBoot } from '../install/firstboot.js';
import { readDefaultBlsEntry, blsOptions } from '../boot/bls.js';
import type { Reporter } from '../report.js';
import { installBiosGrub } from '../boot/grub-bios.js';
import { installUefiGrub, makeEsp } from '../boot/grub-efi.js';
import { ostreeGrubEnv, writeStaticGrubConfig } from '../boot/ostree-grub.js';
import { writeFirstBootFiles } from './firstboot-files.js';
import { writeFstab } from './fstab.js';
import { checkSizes, type LayoutSizes, minimumDiskBytes, sgdiskArgs } from './layout.js';
import { partitionNode } from '../disk/partition-nodes.js';
import { MountStack } from './mounts.js';
import {
  addRemote,
  adminStatus,
  deploy,
  deploymentDirs,
  initFs,
  osInit,
  pull,
  remoteUrl,
  repoConfigSet,
  sysrootRepo,
} from './sysroot.js';
import { checkOstreeSource } from './source-check.js';
import { blockSize } from '../disk/target.js';
import { openTarget, type InstallTarget } from './target.js';
import { trustedKeyFiles } from '../verify/trusted-keys.js';
import { createVarSkeleton } from './var-setup.js';

export const STAGES = [
  'partition',
  'mkfs',
  'mount',
  'init-fs',
  'repo-config',
  'pull',
  'os-init',
  'deploy',
  'var',
  'fstab',
  'grub-bios',
  'grub-uefi',
  'firstboot',
  'finish',
] as const;
export type Stage = (typeof STAGES)[number];

/** Kernel arguments of the sample OS; root= is added in front. */
export const DEFAULT_KARGS = ['rw', 'console=ttyS0,115200n8', 'ignition.platform.id=metal', '$ignition_firstboot'];
export const DEFAULT_ROOT_KARG = 'root=LABEL=root';

export interface OstreeInstallOptions {
  device: string;
  repo: string;
  ref: string;
  osname: string;
  remoteName: string;
  insecure: boolean;
  trustedKeys: string[];
  /** Replaces DEFAULT_KARGS (root= stays unless given here too). */
  kargs?: string[];
  /** Edits applied after deploy exactly as the image install does (prepareFirstBoot). */
  appendKargs: string[];
  deleteKargs: string[];
  platform?: string;
  consoles: string[];
  ignition?: Buffer;
  /** Skip the Ignition spec validation. */
  noValidate: boolean;
  copyNetworkFrom?: string;
  firstbootArgs?: string;
  /** Write the `ignition.firstboot` stamp (default true: first boot runs Ignition). */
  firstboot: boolean;
  sizes: LayoutSizes;
  destSize?: number;
  sectorSize?: SectorSize;
  bios?: boolean;
  uefi?: boolean;
  preserveOnError: boolean;
  /** NestOS or CoreOS names on the boot filesystem (platforms.json, first-boot network). */
  flavor: Flavor;
}

export interface OstreeInstallResult {
  device: string;
  commit: string;
  deployment: string;
  kargs: string[];
  bios: boolean;
  uefi: boolean;
}

/**
 * The kargs given to `ostree admin deploy`: root= + the sample defaults (or --ostree-karg).
 * Platform, console and --append/--delete-karg are applied afterwards to the BLS entry by
 * prepareFirstBoot, so they behave exactly as in the image install.
 */
export function baseKargs(kargs?: readonly string[]): string[] {
  const base = kargs && kargs.length > 0 ? [...kargs] : [...DEFAULT_KARGS];
  return base.some((k) => k.startsWith('root=')) ? base : [DEFAULT_ROOT_KARG, ...base];
}

function injectedFault(stage: Stage): void {
  if (process.env.NESTOS_INSTALLER_FAULT === stage) {
    throw new UserError(`injected fault (NESTOS_INSTALLER_FAULT=${stage})`);
  }
}

/** Zeroes the first and last MiB: GPT (both copies), protective MBR and GRUB's boot code. */
async function wipeTable(device: string): Promise<void> {
  // A disk without a table is fine; the zeroing below does the rest.
  await run('sgdisk', ['--zap-all', device], { okExitCodes: [1, 2] }).catch(() => undefined);
  const fh = await open(device, 'r+');
  try {
    const size = await blockSize(device);
    const zeros = Buffer.alloc(Math.min(1024 * 1024, size));
    await fh.write(zeros, 0, zeros.length, 0);
    if (size > zeros.length) await fh.write(zeros, 0, zeros.length, size - zeros.length);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function ostreeInstall(options: OstreeInstallOptions, reporter: Reporter): Promise<OstreeInstallResult> {
  checkSizes(options.sizes);
  if (options.ignition && !options.noValidate) {
    const { warnings } = validateIgnitionConfig(options.ignition);
    for (const w of warnings) reporter.warn(w);
  }
  const kargs = baseKargs(options.kargs);
  const keyFiles = options.insecure ? [] : await trustedKeyFiles(options.trustedKeys);
  if (!options.insecure && keyFiles.length === 0) {
    throw new UserError('no trusted keys to verify the ostree commit; pass --trusted-key FILE or --insecure');
  }
  if (options.insecure) reporter.warn('Commit signature verification disabled (--insecure)');
  const remote = {
    name: options.remoteName,
    url: remoteUrl(options.repo),
    gpgKeyFiles: keyFiles,
    insecure: options.insecure,
  };

  // Busy targets are refused before anything is attached or written (and never wiped).
  // Absent or unreadable: treated as not there.
  const given = await stat(options.device).catch(() => undefined);
  if (given?.isBlockDevice()) await checkNotBusy(options.device, reporter);
  else if (given?.isFile()) await checkFileNotBusy(options.device, reporter);
  reporter.step(`Checking ${remote.url} for ${options.ref}${options.insecure ? '' : ' and its signature'}`);
  await checkOstreeSource(remote, options.ref);
  const target = await openTarget(
    options.device,
    { destSize: options.destSize, sectorSize: options.sectorSize, minimumBytes: minimumDiskBytes(options.sizes) },
    reporter,
  );
  const mounts = new MountStack();
  const workDir = await mkdtemp(join(tmpdir(), 'nestos-ostree-'));
  const sysroot = join(workDir, 'sysroot');
  const bootDir = join(sysroot, 'boot');
  const bios = (options.bios ?? true) && target.sectorSize === 512;
  const uefi = options.uefi ?? true;
  let stage: Stage = 'partition';
  let touched = false; // nothing to wipe until sgdisk has written
  const begin = (s: Stage, text: string) => {
    stage = s;
    reporter.step(text);
    injectedFault(s);
  };
  try {
    const part = (n: number) => partitionNode(target.device, n);

    begin('partition', `Partitioning ${target.given} (GPT: BIOS-BOOT, EFI-SYSTEM, boot, root)`);
    touched = true;
    await run('sgdisk', sgdiskArgs(options.sizes, target.device));
    await target.rescan();

    begin('mkfs', 'Creating filesystems');
    await makeEsp(part(2), target.sectorSize);
    await run('mkfs.ext4', ['-F', '-q', '-L', 'boot', part(3)]);
    await run('mkfs.ext4', ['-F', '-q', '-L', 'root', part(4)]);

    begin('mount', `Mounting root and boot filesystems at ${sysroot}`);
    await mounts.mount(part(4), sysroot);
    await mounts.mount(part(3), bootDir);

    begin('init-fs', 'Initializing ostree sysroot (admin init-fs --modern)');
    await initFs(sysroot);

    begin('repo-config', 'Configuring sysroot repo (bootloader=grub2, readonly)');
    // Before the first deploy: the bootloader backend decides what the deploy writes.
    await repoConfigSet(sysroot, 'sysroot.bootloader', 'grub2');
    await repoConfigSet(sysroot, 'sysroot.readonly', 'true');
    await writeStaticGrubConfig(bootDir);

    begin('pull', `Pulling ${options.remoteName}:${options.ref} from ${remote.url}`);
    await addRemote(sysrootRepo(sysroot), remote);
    const commit = await pull(sysroot, options.remoteName, options.ref);
    reporter.info(`Pulled commit ${commit}${options.insecure ? '' : ' (signature verified)'}`);

    begin('os-init', `Creating stateroot ${options.osname}`);
    await osInit(sysroot, options.osname);

    begin('deploy', `Deploying ${options.remoteName}:${options.ref}`);
    await deploy(sysroot, {
      osname: options.osname,
      refspec: `${options.remoteName}:${options.ref}`,
      kargs,
      env: ostreeGrubEnv(),
    });
    const deployment = (await deploymentDirs(sysroot, options.osname))[0];
    if (!deployment) throw new UserError(`no deployment found under ostree/deploy/${options.osname}`);

    begin('var', 'Creating /var skeleton (systemd-tmpfiles)');
    await createVarSkeleton(sysroot, options.osname, deployment, mounts);

    begin('fstab', 'Writing /etc/fstab');
    await writeFstab(deployment);

    begin('grub-bios', bios ? 'Installing GRUB for BIOS' : 'Skipping GRUB for BIOS (4096-byte sectors or disabled)');
    if (bios) await installBiosGrub(target.device, bootDir);

    begin('grub-uefi', uefi ? 'Installing GRUB for UEFI (EFI/BOOT/BOOTX64.EFI)' : 'Skipping GRUB for UEFI');
    if (uefi) await installUefiGrub(part(2), bootDir);

    begin('firstboot', 'Writing first-boot files (Ignition config, ignition.firstboot, platforms.json)');
    await writeFirstBootFiles(bootDir, { stamp: options.firstboot, flavor: options.flavor });
    await prepareFirstBoot(
      bootDir,
      {
        ignition: options.ignition,
        platform: options.platform,
        consoles: options.consoles,
        appendKargs: options.appendKargs,
        deleteKargs: options.deleteKargs,
        copyNetworkFrom: options.copyNetworkFrom,
        firstbootArgs: options.firstbootArgs,
        flavor: options.flavor,
      },
      reporter,
    );
    const finalKargs = blsOptions(await readDefaultBlsEntry(bootDir))
      .split(/\s+/)
      .filter((k) => !k.startsWith('ostree='));

    begin('finish', 'Unmounting and syncing');
    reporter.info(await adminStatus(sysroot));
    // Best effort; the unmount below flushes too.
    await run('sync', ['-f', bootDir]).catch(() => undefined);
    const problems = await mounts.releaseAll();
    if (problems.length > 0) throw new UserError(`unmounting: ${problems.join('; ')}`);
    await target.release();
    const result: OstreeInstallResult = {
      device: target.given,
      commit,
      deployment: deployment.slice(sysroot.length + 1),
      kargs: finalKargs,
      bios,
      uefi,
    };
    reporter.result({ ...result });
    reporter.info('Install complete.');
    return result;
  } catch (err) {
    await cleanupAfterFailure(
      target,
      mounts,
      {
        wipe: touched && !options.preserveOnError,
        deleteFile: target.createdFile && !options.preserveOnError,
      },
      reporter,
    );
    throw new UserError(`ostree install failed at stage '${stage}'`, { cause: err });
  } finally {
    await mounts.releaseAll();
    // Cleanup after the outcome is decided; release errors must not hide it.
    await target.release().catch(() => undefined);
    // Best-effort cleanup; the outcome is already decided.
    await rmdir(bootDir).catch(() => undefined);
    // Best-effort cleanup; the outcome is already decided.
    await rmdir(sysroot).catch(() => undefined);
    // Best-effort cleanup; the outcome is already decided.
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function cleanupAfterFailure(
  target: InstallTarget,
  mounts: MountStack,
  what: { wipe: boolean; deleteFile: boolean },
  reporter: Reporter,
): Promise<void> {
  for (const p of await mounts.releaseAll()) reporter.warn(`Cleanup: ${p}`);
  if (!what.wipe) {
    reporter.warn(`Partition table of ${target.given} left as it is`);
  } else {
    reporter.warn(`Error: install failed; wiping partition table of ${target.given}`);
    await wipeTable(target.device).catch((e: Error) => reporter.warn(`Cleanup: wiping ${target.device}: ${e.message}`));
  }
  await target.release().catch((e: Error) => reporter.warn(`Cleanup: detaching ${target.device}: ${e.message}`));
  // Best-effort cleanup; the outcome is already decided.
  if (what.deleteFile) await unlink(target.given).catch(() => undefined);
}
