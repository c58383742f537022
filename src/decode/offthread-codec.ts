/**
 * xz and zstd decoding on a worker thread (decoder-worker.ts). Decoding is the slowest stage of
 * an install; on its own thread it runs without pause while this thread reads, hashes and
 * writes, and it never waits for a round trip through the libuv thread pool or for this
 * thread's event loop. The worker runs the codecs themselves, so the strictness is the same.
 * Decoded data comes back through a shared ring (SLOTS x 1 MiB), lent to the reader one slot
 * at a time: memory stays bounded and no buffer is made per chunk.
 */
import { UserError } from '../errors.js';
import type { Codec, Emit } from './codec.js';
import { DecoderThread } from './decoder-thread.js';
import {
  FREE,
  INPUT_SLOTS,
  INPUT_SLOT_SIZE,
  SLOTS,
  SLOT_SIZE,
  STOP,
  type FromWorker,
  type ToWorker,
  type WorkerCodecKind,
} from './decoder-protocol.js';

/** Read-only by contract: decoded chunks are never written to by their consumers. */
const ZERO_SLOT = Buffer.alloc(SLOT_SIZE);

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class OffThreadCodec implements Codec {
  private thread: DecoderThread | undefined;
  /** The thread's worker, until it is stopped. */
  private worker: DecoderThread['worker'] | undefined;
  /** Input slots hand out round-robin; 'written' replies free them in the same order. */
  private nextInputSlot = 0;
  private slotState: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private emit: Emit = () => undefined;
  /** Outputs go downstream in order, each after the reader made room for the last. */
  private outputs: Promise<void> = Promise.resolve();
  /** A write waiting for the worker to take more input, and finish() waiting for the end. */
  private roomWaiter: Waiter | undefined;
  private endWaiter: Waiter | undefined;
  private failure: Error | undefined;
  private queuedInputs = 0;

  constructor(private readonly kind: WorkerCodecKind) {}

  /**
   * Copies the chunk into free input slots (1 MiB each) for the worker; resolves once a slot is
   * free again, so the worker starts on the next chunk without a round trip (errors surface on
   * a later call).
   */
  async write(chunk: Buffer, emit: Emit): Promise<void> {
    for (let pos = 0; pos < chunk.length; pos += INPUT_SLOT_SIZE) {
      if (this.queuedInputs === INPUT_SLOTS) await this.waitFor('roomWaiter');
      const piece = chunk.subarray(pos, pos + INPUT_SLOT_SIZE);
      const slot = this.nextInputSlot;
      this.nextInputSlot = (slot + 1) % INPUT_SLOTS;
      this.post(emit, { kind: 'write', slot, length: piece.length }, piece);
    }
    if (this.queuedInputs === INPUT_SLOTS) await this.waitFor('roomWaiter');
  }

  /** Resolves once every input was decoded, every output handed on, and the stream complete. */
  async finish(emit: Emit): Promise<void> {
    try {
      this.post(emit, { kind: 'finish' });
      await this.waitFor('endWaiter');
    } finally {
      this.close();
    }
  }

  /**
   * Stops the thread: it ends by itself at its next step (a worker waiting on a full ring is
   * woken for it). Outputs it already sent are no longer handed on.
   */
  close(): void {
    this.failure ??= new UserError(`${this.kind} decoding aborted`);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    Atomics.store(this.slotState, STOP, 1);
    for (let k = 0; k < SLOTS; k++) Atomics.notify(this.slotState, k);
    worker.postMessage({ kind: 'stop' } satisfies ToWorker);
  }

  /** Sends a message; a `write` copies its piece into the input slot first. */
  private post(emit: Emit, msg: ToWorker, piece?: Buffer): void {
    if (this.failure) throw this.failure;
    this.emit = emit;
    const { worker, input } = this.start();
    if (piece && msg.kind === 'write') {
      piece.copy(Buffer.from(input, msg.slot * INPUT_SLOT_SIZE, piece.length));
      this.queuedInputs++;
    }
    worker.postMessage(msg);
  }

  private waitFor(which: 'roomWaiter' | 'endWaiter'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this[which] = { resolve, reject };
    });
  }

  private start(): DecoderThread {
    if (this.thread) return this.thread;
    const thread = DecoderThread.take();
    const { worker } = thread;
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(new UserError(`${this.kind} decoder thread failed`, { cause: err })));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.fail(new UserError(`${this.kind} decoder thread exited (${code})`));
    });
    this.thread = thread;
    this.worker = worker;
    this.slotState = new Int32Array(thread.state);
    if (thread.failedEarly)
      this.fail(new UserError(`${this.kind} decoder thread failed`, { cause: thread.failedEarly }));
    worker.postMessage({ kind: 'init', codec: this.kind } satisfies ToWorker);
    return thread;
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.kind) {
      case 'out':
        // After a failure (the reader's too) slots are only freed, so a blocked worker can stop.
        this.outputs = this.outputs
          .then(() => (this.failure ? this.free(msg.slot) : this.handOn(msg.slot, msg.length)))
          .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
        return;
      case 'written':
        // The input slot is free at once: the worker gets its next input without waiting for
        // the reader (the ring alone holds it back).
        this.queuedInputs--;
        this.wake('roomWaiter')?.resolve();
        return;
      default:
        // The end, or a decoding error, only after every output before it went downstream.
        void this.outputs.then(() => {
          if (msg.kind === 'error') return this.fail(new UserError(msg.message));
          if (this.failure) return this.fail(this.failure);
          this.wake('endWaiter')?.resolve();
        });
    }
  }

  /**
   * Lends a slot's bytes downstream and frees the slot once the reader is done with them, so
   * the worker decodes straight into the memory the consumer copies from: no buffer per chunk.
   * An all-zero slot (most of a disk image) is freed at once and handed on as a view of one
   * shared zero buffer.
   */
  private async handOn(slot: number, length: number): Promise<void> {
    if (slot < 0 || slot >= SLOTS || length <= 0 || length > SLOT_SIZE)
      throw new UserError('internal error: bad decoder slot');
    const data = Buffer.from(this.thread!.ring, slot * SLOT_SIZE, length);
    const zeros = ZERO_SLOT.subarray(0, length);
    if (data.equals(zeros)) {
      this.free(slot);
      await this.emit(zeros);
      return;
    }
    try {
      await this.emit(data, true);
    } finally {
      this.free(slot);
    }
  }

  private free(slot: number): void {
    Atomics.store(this.slotState, slot, FREE);
    Atomics.notify(this.slotState, slot);
  }

  private wake(which: 'roomWaiter' | 'endWaiter'): Waiter | undefined {
    const w = this[which];
    this[which] = undefined;
    return w;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake('roomWaiter')?.reject(this.failure);
    this.wake('endWaiter')?.reject(this.failure);
  }
}
