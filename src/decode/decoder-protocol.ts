/**
 * What the off-thread decoder (offthread-codec.ts) and its worker thread (decoder-worker.ts)
 * share: the layout of the shared memory and the messages. Compressed input is copied into
 * input slots; decoded output comes back in a ring of output slots, each lent to the reader
 * and freed once the reader is done with it.
 */

/** The codecs that decode on the worker thread. */
export type WorkerCodecKind = 'xz' | 'zstd';

/**
 * Output slots of the shared ring. Decoding runs ahead of the reader by up to this many slots,
 * so a write that waits for the disk (a background fdatasync, dirty-page throttling) does not
 * stop the decoder.
 */
export const SLOTS = 8;
/** One slot: the install writer's block, so a full slot goes to the disk without a copy. */
export const SLOT_SIZE = 1024 * 1024;
/** Per-slot state in the shared Int32Array. */
export const FREE = 0;
export const FULL = 1;
/**
 * After the slot states, one more Int32: set when the decoder is closed. The thread then stops
 * at its next step and ends by itself. It is never terminated from outside: terminating it
 * while it is inside a native codec call aborts the whole process (node-liblzma cannot throw
 * into a terminating thread).
 */
export const STOP = SLOTS;
export const STATE_WORDS = SLOTS + 1;

/** Input slots: compressed chunks are copied in (never transferred: no garbage per chunk). */
export const INPUT_SLOTS = 4;
export const INPUT_SLOT_SIZE = 1024 * 1024;

export interface WorkerSetup {
  ring: SharedArrayBuffer;
  state: SharedArrayBuffer;
  input: SharedArrayBuffer;
}

/** `init` comes first: a thread may be started before the codec is known. `stop` ends the thread. */
export type ToWorker =
  | { kind: 'init'; codec: WorkerCodecKind }
  | { kind: 'write'; slot: number; length: number }
  | { kind: 'finish' }
  | { kind: 'stop' };
export type FromWorker =
  | { kind: 'out'; slot: number; length: number }
  | { kind: 'written' }
  | { kind: 'finished' }
  | { kind: 'error'; message: string };
