/** `list-stream`: the (architecture, platform, format) table of a stream. Never retries. */
import { closeHttp } from '../http/fetch.js';
import { fetchStreamMetadata } from '../stream/metadata.js';
import { formatStreamTable, streamRows } from '../stream/table.js';

export interface ListStreamOptions {
  stream: string;
  streamBaseUrl: string;
}

export async function listStream(o: ListStreamOptions): Promise<string> {
  try {
    const meta = await fetchStreamMetadata(o.streamBaseUrl, o.stream, { retries: 0 });
    return formatStreamTable(streamRows(meta));
  } finally {
    await closeHttp();
  }
}
