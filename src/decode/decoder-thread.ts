/**
 * The decoder worker thread (decoder-worker.ts) and the shared memory it decodes into. Starting
 * one costs a few dozen milliseconds (a V8 isolate, the native codecs) before the first byte is
 * decoded; `warmDecoderThread()` starts one ahead of need (while an install still checks its
 * target), and the next off-thread decoder takes it instead of starting its own.
 */
import { Worker } from 'node:worker_threads';
import { alignedBuffer } from '../io/aligned-memory.js';
import {
  INPUT_SLOTS,
  INPUT_SLOT_SIZE,
  SLOTS,
  SLOT_SIZE,
  STATE_WORDS,
  type ToWorker,
  type WorkerSetup,
} from './decoder-protocol.js';

export class DecoderThread {
  readonly worker: Worker;
  /** Page-aligned, so the install writer can write full slots straight to the disk (O_DIRECT). */
  readonly ring = alignedBuffer(SLOTS * SLOT_SIZE, true).buffer as SharedArrayBuffer;
  readonly state = new SharedArrayBuffer(STATE_WORDS * 4);
  readonly input = new SharedArrayBuffer(INPUT_SLOTS * INPUT_SLOT_SIZE);
  /** What ended the thread before a decoder took it (an error event or an early exit). */
  private early: Error | undefined;
  private readonly noteEarly = (err: Error | number) => {
    this.early ??= err instanceof Error ? err : new Error(`exited (${err})`);
  };

  private constructor() {
    // No inherited node options: some (--input-type, --eval) make a worker fail to start.
    this.worker = new Worker(new URL('./decoder-worker.js', import.meta.url), {
      execArgv: [],
      workerData: { ring: this.ring, state: this.state, input: this.input } satisfies WorkerSetup,
    });
    this.worker.on('error', this.noteEarly).on('exit', this.noteEarly);
  }

  /** The warm thread if there is one, else a new one; it keeps the process alive from now on. */
  static take(): DecoderThread {
    const thread = warm ?? new DecoderThread();
    warm = undefined;
    thread.worker.off('error', thread.noteEarly).off('exit', thread.noteEarly);
    thread.worker.ref();
    return thread;
  }

  /** Why the thread ended before it was taken, if it did. */
  get failedEarly(): Error | undefined {
    return this.early;
  }

  static warm(): void {
    if (warm) return;
    warm = new DecoderThread();
    // Unused, it must not keep the process alive.
    warm.worker.unref();
  }

  /** Ends the warm thread, if any: the image turned out not to need it (its isolate costs RSS). */
  static release(): void {
    const thread = warm;
    warm = undefined;
    thread?.worker.postMessage({ kind: 'stop' } satisfies ToWorker);
  }
}

let warm: DecoderThread | undefined;

/** Starts a decoder thread now, for the next xz or zstd decoder to take. */
export function warmDecoderThread(): void {
  DecoderThread.warm();
}
