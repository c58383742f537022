/** Reading command inputs: a named file or, when none is given, stdin. */
import { readFileSync } from 'node:fs';
import { withContext } from '../errors.js';

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readInputFile(path: string | undefined, what: string): Promise<Buffer> {
  if (path === undefined || path === '-') return withContext(readStdin(), `reading ${what} from stdin`);
  return withContext(async () => readFileSync(path), `reading ${what} '${path}'`);
}
