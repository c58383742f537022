/**
 * `install [DEVICE]` with upstream's flags (plus --dry-run, --json, --trusted-key, --dest-size,
 * --dest-sector-size for regular-file targets), and the ostree-deploy mode's flags; dispatches
 * to src/ostree/install.ts when --ostree-repo is set.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { createReporter } from '../report.js';

// Heavy modules (openpgp, decoders) load only when a command runs: peak RSS matters.
const DEFAULT_CONFIG_DIRS = ['/etc/nestos/installer.d', '/etc/coreos/installer.d'];
const DEFAULT_IMAGE_DIR = '/usr/share/nestos-installer/image';
import { type InstallOptions, defaultInstallOptions, parseSize } from '../install/options.js';
import { addOstreeInstallOptions, isOstreeInstall, ostreeOptionsFrom } from './install-ostree-options.js';
import { parseFetchRetries, stringList } from './options.js';

function last(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const x = Array.isArray(v) ? v[v.length - 1] : v;
  return x === undefined ? undefined : String(x);
}

function flag(v: unknown): boolean {
  return Array.isArray(v) ? v.some(Boolean) : v === true;
}

/** argv → InstallOptions (no config-file merge here; the command does it). */
export function installOptionsFromArgv(argv: Record<string, unknown>): InstallOptions {
  const d = defaultInstallOptions();
  const destSizeText = last(argv['dest-size']);
  const destSize = destSizeText === undefined ? undefined : parseSize(destSizeText);
  if (destSizeText !== undefined && destSize === undefined) throw new UsageError(`invalid value '${destSizeText}' for '--dest-size <SIZE>'`);
  const sectorText = last(argv['dest-sector-size']);
  if (sectorText !== undefined && sectorText !== '512' && sectorText !== '4096') {
    throw new UsageError(`invalid value '${sectorText}' for '--dest-sector-size <N>': expected 512 or 4096`);
  }
  return {
    ...d,
    dest: last(argv.device),
    stream: last(argv.stream),
    imageUrl: last(argv['image-url']),
    imageFile: last(argv['image-file']),
    ignitionFile: last(argv['ignition-file']) ?? last(argv.ignition),
    ignitionUrl: last(argv['ignition-url']),
    ignitionHash: last(argv['ignition-hash']),
    architecture: last(argv.architecture) ?? d.architecture,
    platform: last(argv.platform),
    consoles: stringList(argv.console),
    appendKargs: stringList(argv['append-karg']),
    deleteKargs: stringList(argv['delete-karg']),
    copyNetwork: flag(argv['copy-network']),
    networkDir: last(argv['network-dir']) ?? d.networkDir,
    savePartlabel: stringList(argv['save-partlabel']),
    savePartindex: stringList(argv['save-partindex']),
    offline: flag(argv.offline),
    insecure: flag(argv.insecure),
    insecureIgnition: flag(argv['insecure-ignition']),
    streamBaseUrl: last(argv['stream-base-url']),
    preserveOnError: flag(argv['preserve-on-error']),
    fetchRetries: parseFetchRetries(last(argv['fetch-retries'])),
    secureIpl: flag(argv['secure-ipl']),
    firstbootArgs: last(argv['firstboot-args']),
    trustedKeys: stringList(argv['trusted-key']),
    destSize,
    destSectorSize: sectorText === undefined ? undefined : Number(sectorText),
    dryRun: flag(argv['dry-run']),
  };
}

export function addInstallFlags<T>(y: Argv<T>): Argv<T> {
  const s = (describe: string, extra: Record<string, unknown> = {}) => ({ type: 'string' as const, requiresArg: true, describe, ...extra });
  const b = (describe: string, extra: Record<string, unknown> = {}) => ({ type: 'boolean' as const, describe, ...extra });
  return y
    .positional('device', { type: 'string', describe: 'Destination device (or a regular file: a VM disk image)' })
    .option('config-file', s('YAML config file with install options (repeatable)', { alias: 'c' }))
    .option('stream', s('Fedora CoreOS / NestOS stream', { alias: 's' }))
    .option('image-url', s('Manually specify the image URL', { alias: 'u' }))
    .option('image-file', s('Manually specify a local image file', { alias: 'f' }))
    .option('ignition-file', s('Embed an Ignition config from a file', { alias: 'i' }))
    .option('ignition', s('Embed an Ignition config from a file (deprecated)', { hidden: true }))
    .option('ignition-url', s('Embed an Ignition config from a URL', { alias: 'I' }))
    .option('ignition-hash', s('Digest (type-value) of the Ignition config'))
    .option('architecture', s('Target CPU architecture [default: host]', { alias: 'a' }))
    .option('platform', s('Override the Ignition platform ID'))
    .option('console', s('Kernel and bootloader console (repeatable)'))
    .option('append-karg', s('Append default kernel arg (repeatable)'))
    .option('delete-karg', s('Delete default kernel arg (repeatable)'))
    .option('copy-network', b('Copy network config from install environment', { alias: 'n' }))
    .option('network-dir', s('For use with -n [default: /etc/NetworkManager/system-connections/]'))
    .option('save-partlabel', s('Save partitions with this label glob (repeatable)'))
    .option('save-partindex', s('Save partitions with this number or range (repeatable)'))
    .option('offline', b('Force offline installation'))
    .option('insecure', b('Skip signature verification'))
    .option('insecure-ignition', b('Allow Ignition URL without HTTPS or hash'))
    .option('stream-base-url', s('Base URL for stream metadata'))
    .option('preserve-on-error', b("Don't clear partition table on error"))
    .option('fetch-retries', s('Fetch retries, or "infinite" [default: 0]'))
    .option('secure-ipl', b('Enable IBM Secure IPL (s390x only)', { hidden: true }))
    .option('firstboot-args', s('First-boot kernel arguments (used by the live service)', { hidden: true }))
    .option('trusted-key', s('Also trust this OpenPGP public key file (repeatable)'))
    .option('dest-size', s('Regular-file target: create or extend it to this size (e.g. 8G)'))
    .option('dest-sector-size', s('Regular-file target: logical sector size, 512 or 4096 [default: 512]'))
    .option('dry-run', b('Print the plan without writing anything'))
    .option('json', b('Progress and the final summary as JSON lines on stderr'));
}

export function installCommands(y: Argv): Argv {
  return y.command(
    'install-service',
    false, // hidden: run by systemd/nestos-installer.service in the live environment
    (yy) => yy
      .option('cmdline', { type: 'string', requiresArg: true, default: '/proc/cmdline', describe: 'Kernel command line to read' })
      .option('config-dir', { type: 'string', requiresArg: true, describe: 'installer.d directories (repeatable)' })
      .option('image-dir', { type: 'string', requiresArg: true, default: DEFAULT_IMAGE_DIR, describe: 'Image carried on the live media' })
      .option('trusted-key', { type: 'string', requiresArg: true, describe: 'Also trust this OpenPGP public key file (repeatable)' })
      .option('dry-run', { type: 'boolean', describe: 'Print the plan without writing anything' })
      .option('json', { type: 'boolean', describe: 'JSON lines on stderr' }),
    async (argv) => {
      const args = argv as Record<string, unknown>;
      const reporter = createReporter({ json: flag(args.json) });
      const dirs = stringList(args['config-dir']);
      const { liveInstall } = await import('../live/install-service.js');
      const result = await liveInstall({
        cmdlinePath: String(last(args.cmdline)),
        configDirs: dirs.length > 0 ? dirs : DEFAULT_CONFIG_DIRS,
        imageDir: String(last(args['image-dir'])),
        dryRun: flag(args['dry-run']),
        trustedKeys: stringList(args['trusted-key']),
      }, reporter);
      if (result?.dryRun && !reporter.json) process.stdout.write(result.plan.join('\n') + '\n');
    },
  ).command(
    'install [device]',
    'Install NestOS or Fedora CoreOS',
    (yy) => addOstreeInstallOptions(addInstallFlags(yy)),
    async (argv) => {
      const args = argv as Record<string, unknown>;
      const reporter = createReporter({ json: flag(args.json) });
      const configFiles = stringList(args['config-file']);
      // The ostree mode reads argv directly, so config files are merged into it first.
      const { readConfigFile, overlayConfigsOnArgv } = await import('../install/config-file.js');
      const withConfigs = configFiles.length > 0
        ? overlayConfigsOnArgv(await Promise.all(configFiles.map(readConfigFile)), args)
        : args;
      if (isOstreeInstall(withConfigs)) {
        const { ostreeInstall } = await import('../ostree/install.js');
        await ostreeInstall(ostreeOptionsFrom(withConfigs), reporter);
        return;
      }
      const { installCommand } = await import('../commands/install.js');
      const result = await installCommand({ options: installOptionsFromArgv(args), configFiles }, reporter);
      if (result.dryRun && !reporter.json) process.stdout.write(result.plan.join('\n') + '\n');
    },
  );
}
