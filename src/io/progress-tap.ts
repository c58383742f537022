/** A pass-through Transform that emits progress events; the reporter decides the rendering. */
import { Transform } from 'node:stream';
import type { Reporter } from '../report.js';

export class ProgressTap extends Transform {
  private bytes: number;
  constructor(
    private readonly reporter: Reporter,
    private readonly label: string,
    private readonly total: number | undefined,
    start = 0,
  ) {
    super();
    this.bytes = start;
    reporter.progress({ label, bytes: start, total });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    this.reporter.progress({ label: this.label, bytes: this.bytes, total: this.total });
    cb(null, chunk);
  }
  override _flush(cb: () => void): void {
    this.reporter.progressDone({ label: this.label, bytes: this.bytes, total: this.total ?? this.bytes });
    cb();
  }
}
