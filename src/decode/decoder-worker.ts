/**
 * The decoder worker thread (offthread-codec.ts starts it): runs the xz or zstd codec (all of
 * its strictness) on the input chunks it is sent, decoding straight into the free slots of the
 * shared ring. A slot goes to the main thread once full, so the reader gets whole 1 MiB slots.
 * When every slot is still lent to the reader it blocks until one is freed, so a slow reader
 * holds it back; it never waits for the reader otherwise.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import type { SlotOutput, SyncCodec } from './codec.js';
import {
  FREE,
  FULL,
  INPUT_SLOT_SIZE,
  SLOTS,
  SLOT_SIZE,
  STOP,
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
} from './decoder-protocol.js';
import { XzCodec } from './xz-decoder.js';
import { ZstdCodec } from './zstd-decoder.js';

const port = parentPort!;
const { ring, state, input } = workerData as WorkerSetup;
const slotState = new Int32Array(state);
const slots = Array.from({ length: SLOTS }, (_, k) => Buffer.from(ring, k * SLOT_SIZE, SLOT_SIZE));
const send = (msg: FromWorker) => port.postMessage(msg);

/** Fills ring slots in order; a full slot is handed to the main thread. */
class RingOutput implements SlotOutput {
  private slot = 0;
  private fill = 0;

  space(): Buffer {
    for (;;) {
      if (Atomics.load(slotState, STOP) !== 0) throw new Stopped();
      if (this.fill > 0 || Atomics.load(slotState, this.slot) === FREE) return slots[this.slot]!.subarray(this.fill);
      Atomics.wait(slotState, this.slot, FULL);
    }
  }

  produced(n: number): void {
    this.fill += n;
    if (this.fill === SLOT_SIZE) this.handOn();
  }

  /** Hands the current slot on if it holds anything (at the end of the stream). */
  handOn(): void {
    if (this.fill === 0) return;
    Atomics.store(slotState, this.slot, FULL);
    send({ kind: 'out', slot: this.slot, length: this.fill });
    this.slot = (this.slot + 1) % SLOTS;
    this.fill = 0;
  }
}

/** The decoder was closed: unwinds the codec call in progress. */
class Stopped extends Error {}

const output = new RingOutput();
let codec: SyncCodec | undefined;
/** After an error the codec is closed: messages already on their way are ignored. */
let failed = false;

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'stop') {
    codec?.close();
    process.exit(0); // ends this thread only, between native calls
  }
  if (failed) return;
  try {
    if (msg.kind === 'init') {
      codec = msg.codec === 'xz' ? new XzCodec(output) : new ZstdCodec(output);
    } else if (!codec) {
      throw new Error('internal error: decoder thread used before init');
    } else if (msg.kind === 'write') {
      // The input slot is reused once 'written' is sent; the codecs keep no view of it.
      codec.write(Buffer.from(input, msg.slot * INPUT_SLOT_SIZE, msg.length));
      send({ kind: 'written' });
    } else {
      codec.finish();
      output.handOn();
      codec.close();
      send({ kind: 'finished' });
    }
  } catch (err) {
    failed = true;
    codec?.close();
    if (!(err instanceof Stopped)) send({ kind: 'error', message: errorMessage(err) });
  }
});
