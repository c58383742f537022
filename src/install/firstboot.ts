/**
 * First-boot preparation on a mounted boot filesystem: Ignition config,
 * platform ID, consoles, kernel arguments, GRUB console block, network keyfiles; then the
 * rendered GRUB menu is re-synced for GRUBs that cannot read BLS entries themselves.
 */
import { access, chmod, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { FLAVORS, type Flavor, mediaFlavor } from '../flavor.js';
import { blsOptions, readDefaultBlsEntry, withBlsOptions } from '../boot/bls.js';
import { syncGrubMenu } from '../boot/grub-menu.js';
import { editKargs, type KargEdits } from '../formats/kargs.js';
import type { Reporter } from '../report.js';
import { consoleGrubCommands, consoleKarg, parseConsole, replaceConsoleBlock } from './console.js';

export interface FirstBootPlan {
  ignition?: Buffer;
  platform?: string;
  consoles: string[];
  appendKargs: string[];
  deleteKargs: string[];
  copyNetworkFrom?: string;
  firstbootArgs?: string;
  /** The selected flavour; the boot filesystem's own names win when it has only the other's. */
  flavor: Flavor;
}

/** True when the plan needs the boot filesystem at all. */
export function needsBootEdits(plan: FirstBootPlan): boolean {
  return Boolean(
    plan.ignition ||
    plan.platform ||
    plan.consoles.length ||
    plan.appendKargs.length ||
    plan.deleteKargs.length ||
    plan.copyNetworkFrom ||
    plan.firstbootArgs,
  );
}

interface PlatformInfo {
  grub_commands?: string[];
  kernel_arguments?: string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The flavour of an installed boot filesystem: which `<flavor>/` directory it carries. */
export async function bootFlavor(bootDir: string, selected: Flavor): Promise<Flavor> {
  const has = {
    nestos: await exists(join(bootDir, FLAVORS.nestos.bootPlatformsDir)),
    coreos: await exists(join(bootDir, FLAVORS.coreos.bootPlatformsDir)),
  };
  return mediaFlavor(selected, (f) => has[f]);
}

async function readPlatforms(bootDir: string, flavor: Flavor): Promise<Record<string, PlatformInfo>> {
  const path = join(bootDir, FLAVORS[flavor].bootPlatformsDir, 'platforms.json');
  if (!(await exists(path))) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, PlatformInfo>;
  } catch (err) {
    throw new UserError(`parsing ${path}`, { cause: err });
  }
}

async function editOptions(bootDir: string, edit: (options: string) => string): Promise<void> {
  const entry = await readDefaultBlsEntry(bootDir);
  const next = edit(blsOptions(entry));
  await writeFile(entry.file, withBlsOptions(entry, next));
}

async function writeIgnition(bootDir: string, config: Buffer, reporter: Reporter): Promise<void> {
  reporter.info('Writing Ignition config');
  const dir = join(bootDir, 'ignition');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = join(dir, 'config.ign');
  await writeFile(file, config, { flag: 'wx', mode: 0o600 }).catch((err: unknown) => {
    throw new UserError(`creating ${file}`, { cause: err });
  });
  await chmod(file, 0o600);
}

/** grub2/console.cfg, else grub2/grub.cfg; plus grub/grub.cfg for Debian-GRUB images. */
async function consoleTargets(bootDir: string): Promise<string[]> {
  const targets: string[] = [];
  if (await exists(join(bootDir, 'grub2/console.cfg'))) targets.push(join(bootDir, 'grub2/console.cfg'));
  else if (await exists(join(bootDir, 'grub2/grub.cfg'))) targets.push(join(bootDir, 'grub2/grub.cfg'));
  if (await exists(join(bootDir, 'grub/grub.cfg'))) targets.push(join(bootDir, 'grub/grub.cfg'));
  return targets;
}

async function writeGrubConsole(bootDir: string, commands: string[]): Promise<void> {
  const targets = await consoleTargets(bootDir);
  if (targets.length === 0) throw new UserError(`no GRUB config found in ${bootDir}`);
  for (const path of targets) {
    const text = await readFile(path, 'utf8');
    await writeFile(path, replaceConsoleBlock(text, commands));
  }
}

async function copyNetwork(bootDir: string, from: string, flavor: Flavor, reporter: Reporter): Promise<void> {
  const dest = join(bootDir, FLAVORS[flavor].bootNetworkDir);
  reporter.info(`Copying networking configuration from ${from}`);
  await mkdir(dest, { recursive: true });
  for (const name of (await readdir(from)).sort()) {
    const src = join(from, name);
    if (!(await stat(src)).isFile()) continue;
    reporter.info(`Copying ${src} to installed system`);
    await copyFile(src, join(dest, basename(name)));
    await chmod(join(dest, basename(name)), 0o600);
  }
}

export async function prepareFirstBoot(bootDir: string, plan: FirstBootPlan, reporter: Reporter): Promise<void> {
  if (plan.ignition) await writeIgnition(bootDir, plan.ignition, reporter);
  const flavor = await bootFlavor(bootDir, plan.flavor);
  const consoles = plan.consoles.map(parseConsole);
  const platforms = plan.platform || consoles.length ? await readPlatforms(bootDir, flavor) : {};
  const metalArgs = platforms.metal?.kernel_arguments ?? [];
  const platform = plan.platform && plan.platform !== 'metal' ? plan.platform : undefined;
  if (platform) {
    reporter.info(`Setting platform to ${platform}`);
    await editOptions(bootDir, (orig) => {
      const next = editKargs(orig, { replace: [`ignition.platform.id=metal=${platform}`] });
      if (next === orig) throw new UserError("couldn't locate platform ID");
      return next;
    });
    if (consoles.length === 0) {
      const edits: KargEdits = { append: platforms[platform]?.kernel_arguments ?? [], delete: metalArgs };
      await editOptions(bootDir, (orig) => editKargs(orig, edits));
    }
  }
  if (consoles.length > 0) {
    reporter.info('Configuring console settings');
    await editOptions(bootDir, (orig) => editKargs(orig, { delete: metalArgs, append: consoles.map(consoleKarg) }));
  }
  if (plan.firstbootArgs) {
    const path = join(bootDir, 'ignition.firstboot');
    if (!(await exists(path))) throw new UserError(`${path} not found; cannot set first-boot network arguments`);
    await writeFile(path, `set ignition_network_kcmdline="${plan.firstbootArgs}"\n`, { flag: 'a' });
  }
  if (plan.appendKargs.length || plan.deleteKargs.length) {
    reporter.info('Modifying kernel arguments');
    const consoleArgs = plan.appendKargs.filter((a) => a.startsWith('console='));
    if (
      consoleArgs.length > 0 &&
      consoleArgs.every((a) => {
        try {
          parseConsole(a.slice(8));
          return true;
        } catch {
          return false;
        }
      })
    ) {
      reporter.warn('Note: consider using --console to configure the console; it also sets up GRUB');
    }
    await editOptions(bootDir, (orig) => editKargs(orig, { delete: plan.deleteKargs, append: plan.appendKargs }));
  }
  let grubCommands: string[] | undefined;
  if (consoles.length > 0) grubCommands = consoleGrubCommands(consoles);
  else if (platform) {
    const mine = platforms[platform]?.grub_commands ?? [];
    const metal = platforms.metal?.grub_commands ?? [];
    if (JSON.stringify(mine) !== JSON.stringify(metal)) grubCommands = mine;
  }
  if (grubCommands) await writeGrubConsole(bootDir, grubCommands);
  if (plan.copyNetworkFrom) await copyNetwork(bootDir, plan.copyNetworkFrom, flavor, reporter);
  await syncGrubMenu(bootDir);
}
