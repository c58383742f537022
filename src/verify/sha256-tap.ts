/** A pass-through Transform that hashes what flows through it (sha256 by default). */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export class HashTap extends Transform {
  private readonly hash;
  private bytes = 0;
  constructor(algorithm = 'sha256') {
    super();
    this.hash = createHash(algorithm);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  /** Hex digest; call once, after the stream finished. */
  digest(): string {
    return this.hash.digest('hex');
  }
  get length(): number {
    return this.bytes;
  }
}
