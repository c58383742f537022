/** `list-stream` flags → src/commands/list-stream.ts; the table goes to stdout. */
import type { Argv } from 'yargs';
import { DEFAULT_STREAM, DEFAULT_STREAM_BASE_URL } from '../stream/defaults.js';

const last = (v: unknown): string | undefined => (Array.isArray(v) ? last(v[v.length - 1]) : v === undefined ? undefined : String(v));

export function listStreamCommands(y: Argv): Argv {
  return y.command(
    'list-stream',
    'List available images in a NestOS stream',
    (y) =>
      y
        .option('stream', { alias: 's', type: 'string', requiresArg: true, describe: `NestOS stream [default: ${DEFAULT_STREAM}]` })
        .option('stream-base-url', { type: 'string', requiresArg: true, describe: 'Base URL for stream metadata (http://, https:// or file://)' }),
    async (a: Record<string, unknown>) => {
      const { listStream } = await import('../commands/list-stream.js');
      const table = await listStream({
        stream: last(a['stream']) ?? DEFAULT_STREAM,
        streamBaseUrl: last(a['stream-base-url']) ?? DEFAULT_STREAM_BASE_URL,
      });
      process.stdout.write(table);
    },
  );
}
