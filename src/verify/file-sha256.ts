/** SHA-256 of a whole file, read in lent chunks (no garbage per chunk). */
import { createHash } from 'node:crypto';
import { readFileChunks } from '../io/file-chunks.js';

export async function sha256OfFile(path: string): Promise<Buffer> {
  const h = createHash('sha256');
  for await (const chunk of readFileChunks(path)) h.update(chunk);
  return h.digest();
}
