/**
 * `install-service` (hidden; run by systemd/nestos-installer.service on the live system): the
 * live service's `install` arguments (src/live) are parsed with the same flags as `install` and
 * run through the same front door; then the installer config directories are removed.
 */
import type { Argv } from 'yargs';
import { KERNEL_CMDLINE, LIVE_IMAGE_DIR, liveConfigDirs } from '../live/live-paths.js';
import { createReporter } from '../report.js';
import { addJsonOption } from './json-option.js';
import { commandLineConfig, parseInstallWords, runInstallRequest } from './install.js';
import { flagValue, flavorOf, singleValue, stringList } from './options.js';

type Args = Record<string, unknown>;

export function installServiceCommands(y: Argv): Argv {
  return y.command(
    'install-service',
    false,
    (yy) =>
      addJsonOption(
        yy
          .option('cmdline', {
            type: 'string',
            requiresArg: true,
            default: KERNEL_CMDLINE,
            describe: 'Kernel command line to read',
          })
          .option('config-dir', {
            type: 'string',
            array: true,
            nargs: 1,
            describe: 'Installer config directories [default: /etc/<flavor>/installer.d]',
          })
          .option('image-dir', {
            type: 'string',
            requiresArg: true,
            describe: `Image carried on the live media [default: ${LIVE_IMAGE_DIR}]`,
          })
          .option('trusted-key', {
            type: 'string',
            array: true,
            nargs: 1,
            describe: 'Also trust this OpenPGP public key file (repeatable)',
          })
          .option('dry-run', { type: 'boolean', describe: 'Print the plan without writing anything' }),
      ),
    async (argv) => {
      const a = argv as Args;
      const flavor = flavorOf(a);
      const dryRun = flagValue(a['dry-run']);
      const reporter = createReporter({ json: flagValue(a['json']) });
      const live = await import('../live/install-service.js');
      const dirs = stringList(a['config-dir']);
      const configDirs = dirs.length > 0 ? dirs : liveConfigDirs(flavor);
      const args = await live.liveServiceArgs(
        { cmdlinePath: singleValue(a, 'cmdline') ?? KERNEL_CMDLINE, configDirs, flavor },
        reporter,
      );
      if (args === undefined) return;
      const words = [...args, ...stringList(a['trusted-key']).flatMap((key) => ['--trusted-key', key])];
      const parsed = parseInstallWords(words);
      const { resolveInstallRequest } = await import('../install/install-request.js');
      const request = await resolveInstallRequest(
        {
          commandLine: commandLineConfig(parsed),
          configFiles: stringList(parsed['config-file']),
          run: { dryRun, flavor },
        },
        reporter,
      );
      const withImage = await live.withLiveMediaImage(request, singleValue(a, 'image-dir') ?? LIVE_IMAGE_DIR);
      await runInstallRequest(withImage, reporter);
      if (!dryRun) await live.removeInstallerConfigs(configDirs);
    },
  );
}
