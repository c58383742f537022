/**
 * `download` flags (upstream's, plus --trusted-key and --json) → src/commands/download.ts. The
 * paths go to stdout, one per line; with --json they go into the JSON result on stderr instead.
 */
import type { Argv } from 'yargs';
import { SHARED_FLAG_TEXT } from '../install/option-fields.js';
import { defaultArch } from '../stream/arch.js';
import { DEFAULT_STREAM } from '../stream/defaults.js';
import { addJsonOption } from './json-option.js';
import { flagValue, flavorOf, lastValue, parseFetchRetries, stringList } from './options.js';
import { addFetchOptions, addTrustOptions } from './source-options.js';

type Args = Record<string, unknown>;

export function downloadCommands(y: Argv): Argv {
  return y.command(
    'download',
    'Download a NestOS image',
    (y) =>
      addJsonOption(
        addFetchOptions(
          addTrustOptions(
            y
              .option('stream', {
                alias: 's',
                type: 'string',
                requiresArg: true,
                describe: `NestOS stream [default: ${DEFAULT_STREAM}]`,
              })
              .option('architecture', {
                alias: 'a',
                type: 'string',
                requiresArg: true,
                describe: SHARED_FLAG_TEXT.architecture,
              })
              .option('platform', {
                alias: 'p',
                type: 'string',
                requiresArg: true,
                describe: 'Platform name [default: metal]',
              })
              .option('format', {
                alias: 'f',
                type: 'string',
                requiresArg: true,
                describe: 'Image format [default: raw.xz]',
              })
              .option('image-url', {
                alias: 'u',
                type: 'string',
                requiresArg: true,
                describe: 'Manually specify the image URL',
              })
              .option('directory', {
                alias: 'C',
                type: 'string',
                requiresArg: true,
                describe: 'Destination directory [default: .]',
              })
              .option('decompress', {
                alias: 'd',
                type: 'boolean',
                describe: "Decompress image and don't save signature",
              }),
          ),
        ),
      ),
    async (a: Args) => {
      // Loaded on use: keeps start-up (and peak RSS) of other commands free of the download stack.
      const { describeArtifact, download } = await import('../commands/download.js');
      const { createReporter } = await import('../report.js');
      const reporter = createReporter({ json: flagValue(a['json']) });
      const artifacts = await download(
        {
          stream: lastValue(a['stream']) ?? DEFAULT_STREAM,
          architecture: lastValue(a['architecture']) ?? defaultArch(),
          platform: lastValue(a['platform']) ?? 'metal',
          format: lastValue(a['format']) ?? 'raw.xz',
          imageUrl: lastValue(a['image-url']),
          directory: lastValue(a['directory']) ?? '.',
          decompress: flagValue(a['decompress']),
          insecure: flagValue(a['insecure']),
          streamBaseUrl: lastValue(a['stream-base-url']),
          fetchRetries: parseFetchRetries(lastValue(a['fetch-retries'])),
          trustedKeys: stringList(a['trusted-key']),
          flavor: flavorOf(a),
        },
        reporter,
      );
      if (reporter.json) reporter.result({ artifacts: await Promise.all(artifacts.map(describeArtifact)) });
      else for (const { path } of artifacts) process.stdout.write(`${path}\n`);
    },
  );
}
