/** What the off-thread zstd decoder (zstd-offthread.ts) and its worker (zstd-worker.ts) share. */
import { OUT_SIZE } from './zstd-decoder.js';

/** Output slots of the shared ring: decoded data waits here until the main thread copies it. */
export const SLOTS = 4;
export const SLOT_SIZE = OUT_SIZE;
/** Per-slot state in the shared Int32Array. */
export const FREE = 0;
export const FULL = 1;

/** Input slots: compressed chunks are copied in (never transferred: no garbage per chunk). */
export const INPUT_SLOTS = 2;
export const INPUT_SLOT_SIZE = 1024 * 1024;

export interface WorkerSetup {
  ring: SharedArrayBuffer;
  state: SharedArrayBuffer;
  input: SharedArrayBuffer;
}

export type ToWorker = { kind: 'write'; slot: number; length: number } | { kind: 'finish' };
export type FromWorker =
  | { kind: 'out'; slot: number; length: number }
  | { kind: 'written' }
  | { kind: 'finished' }
  | { kind: 'error'; message: string };
