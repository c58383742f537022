/**
 * `list-stream` flags → src/commands/list-stream.ts; the table goes to stdout, or with --json
 * the rows go into one JSON result record on stderr (as install's --json).
 */
import type { Argv } from 'yargs';
import { SHARED_FLAG_TEXT } from '../install/option-fields.js';
import { DEFAULT_STREAM, DEFAULT_STREAM_BASE_URL } from '../stream/defaults.js';
import { addJsonOption } from './json-option.js';
import { flagValue, lastValue } from './options.js';

export function listStreamCommands(y: Argv): Argv {
  return y.command(
    'list-stream',
    'List available images in a NestOS stream',
    (y) =>
      addJsonOption(
        y
          .option('stream', {
            alias: 's',
            type: 'string',
            requiresArg: true,
            describe: `NestOS stream [default: ${DEFAULT_STREAM}]`,
          })
          .option('stream-base-url', { type: 'string', requiresArg: true, describe: SHARED_FLAG_TEXT.streamBaseUrl }),
      ),
    async (a: Record<string, unknown>) => {
      const options = {
        stream: lastValue(a['stream']) ?? DEFAULT_STREAM,
        streamBaseUrl: lastValue(a['stream-base-url']) ?? DEFAULT_STREAM_BASE_URL,
      };
      const { listStream, listStreamRows } = await import('../commands/list-stream.js');
      if (!flagValue(a['json'])) return void process.stdout.write(await listStream(options));
      const rows = await listStreamRows(options);
      const { createReporter } = await import('../report.js');
      createReporter({ json: true }).result({
        stream: options.stream,
        rows: rows.map(([architecture, platform, format]) => ({ architecture, platform, format })),
      });
    },
  );
}
