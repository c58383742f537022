/**
 * Incremental newc reader: bytes are pushed in chunks of any size and entry data is handed to a
 * per-entry sink as it streams by, so only headers (bounded by MAX_NAME_SIZE) are ever buffered.
 * Validation and error messages come from the header parsing in cpio-newc.ts;
 * truncation is reported when the input ends, naming the same offsets.
 */
import { UserError } from '../errors.js';
import {
  NEWC_HEADER_SIZE,
  NEWC_TRAILER,
  newcDataOffset,
  newcName,
  newcPad,
  parseNewcFixed,
  type NewcFixedHeader,
} from './cpio-newc.js';

export interface NewcEntryInfo {
  name: string;
  mode: number;
  size: number;
}

/** Receives one entry's data, in order; `end` is called once all of it has arrived. */
export interface EntrySink {
  write(chunk: Buffer): void;
  end(): void;
}

/** Decides per entry (trailer excluded): a sink to receive its data, or undefined to skip it. */
export type EntryVisitor = (entry: NewcEntryInfo) => EntrySink | undefined;

type Phase = 'fixed' | 'name' | 'headerPad' | 'data' | 'dataPad' | 'done';

export class NewcParser {
  private phase: Phase = 'fixed';
  /** Bytes still wanted by the current phase. */
  private need = NEWC_HEADER_SIZE;
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Archive offset of the next byte to be consumed (error messages). */
  private offset: number;
  private entryStart: number;
  private header: NewcFixedHeader = { mode: 0, size: 0, namesize: 0 };
  private name = '';
  private sink: EntrySink | undefined;

  /** `offset` is where the archive starts, as reported in error messages. */
  constructor(
    private readonly visit: EntryVisitor,
    offset = 0,
  ) {
    this.offset = offset;
    this.entryStart = offset;
  }

  /** True once the trailer (and its padding) has been consumed. */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** Consumes bytes of `chunk`; returns how many were used (fewer only once the trailer is done). */
  push(chunk: Buffer): number {
    let p = 0;
    while (p < chunk.length && this.phase !== 'done') {
      const take = Math.min(this.need, chunk.length - p);
      const piece = chunk.subarray(p, p + take);
      p += take;
      this.offset += take;
      this.need -= take;
      if (this.phase === 'fixed' || this.phase === 'name') {
        // Copied: the caller may reuse its buffer once push returns.
        this.parts.push(Buffer.from(piece));
        this.partsLen += take;
      } else if (this.phase === 'data') {
        this.sink?.write(piece);
      }
      if (this.need === 0) this.next();
    }
    return p;
  }

  /** The input ended: throws unless the trailer was read (its final padding may be missing). */
  end(): void {
    switch (this.phase) {
      case 'done':
        return;
      case 'fixed':
        throw new UserError(`truncated cpio header at offset ${this.entryStart}`);
      case 'name':
        throw new UserError(`truncated cpio name at offset ${this.entryStart + NEWC_HEADER_SIZE}`);
      case 'headerPad':
      case 'data':
        throw new UserError(`truncated cpio data for '${this.name}' at offset ${this.dataStart()}`);
      case 'dataPad':
        if (this.name === NEWC_TRAILER) return;
        throw new UserError(
          `truncated cpio header at offset ${this.dataStart() + this.header.size + newcPad(this.header.size)}`,
        );
    }
  }

  private dataStart(): number {
    return this.entryStart + newcDataOffset(this.header.namesize);
  }

  private collected(): Buffer {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLen);
    this.parts = [];
    this.partsLen = 0;
    return buf;
  }

  /** The current phase is complete: enter the next one (zero-length phases complete at once). */
  private next(): void {
    switch (this.phase) {
      case 'fixed':
        this.header = parseNewcFixed(this.collected(), 0, this.entryStart);
        return this.enter('name', this.header.namesize);
      case 'name':
        this.name = newcName(this.collected(), 0, this.header.namesize);
        return this.enter('headerPad', newcDataOffset(this.header.namesize) - NEWC_HEADER_SIZE - this.header.namesize);
      case 'headerPad':
        if (this.name !== NEWC_TRAILER)
          this.sink = this.visit({ name: this.name, mode: this.header.mode, size: this.header.size });
        return this.enter('data', this.header.size);
      case 'data':
        this.sink?.end();
        this.sink = undefined;
        return this.enter('dataPad', newcPad(this.header.size));
      case 'dataPad':
        if (this.name === NEWC_TRAILER) {
          this.phase = 'done';
          return;
        }
        this.entryStart = this.offset;
        return this.enter('fixed', NEWC_HEADER_SIZE);
      case 'done':
        return;
    }
  }

  private enter(phase: Phase, need: number): void {
    this.phase = phase;
    this.need = need;
    if (need === 0) this.next();
  }
}
