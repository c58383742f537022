/** `list-stream`: the (architecture, platform, format) table of a stream. Never retries. */
import { closeHttp } from '../http/fetch.js';
import { fetchStreamMetadata } from '../stream/metadata.js';
import { formatStreamTable, streamRows, type StreamRow } from '../stream/table.js';

export interface ListStreamOptions {
  stream: string;
  streamBaseUrl: string;
}

/** The stream's rows, sorted as upstream's table lists them. */
export async function listStreamRows(options: ListStreamOptions): Promise<StreamRow[]> {
  try {
    const meta = await fetchStreamMetadata(options.streamBaseUrl, options.stream, { retries: 0 });
    return streamRows(meta);
  } finally {
    await closeHttp();
  }
}

export async function listStream(options: ListStreamOptions): Promise<string> {
  return formatStreamTable(await listStreamRows(options));
}
