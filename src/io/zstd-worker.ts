/**
 * Worker side of the off-thread zstd decoder: runs ZstdCodec (all of its strictness) on the input
 * chunks it is sent, decoding straight into the free slots of the shared ring. When every slot
 * is full it blocks until the main thread's reader is done with one, so a slow reader holds it back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ZstdCodec } from './zstd-decoder.js';
import { FREE, FULL, INPUT_SLOT_SIZE, SLOTS, SLOT_SIZE, type FromWorker, type ToWorker, type WorkerSetup } from './zstd-protocol.js';

const port = parentPort!;
const { ring, state, input } = workerData as WorkerSetup;
const slotState = new Int32Array(state);
const slots = Array.from({ length: SLOTS }, (_, k) => Buffer.from(ring, k * SLOT_SIZE, SLOT_SIZE));
let slot = 0;
/** The current slot may be reused while nothing was decoded into it. */
let slotHanded = false;

function nextOutput(): Buffer {
  if (slotHanded) {
    slot = (slot + 1) % SLOTS;
    slotHanded = false;
  }
  while (Atomics.load(slotState, slot) !== FREE) Atomics.wait(slotState, slot, FULL);
  return slots[slot]!;
}

const send = (msg: FromWorker) => port.postMessage(msg);
const codec = new ZstdCodec(nextOutput);
const emit = (out: Buffer): undefined => {
  Atomics.store(slotState, slot, FULL);
  slotHanded = true;
  send({ kind: 'out', slot, length: out.length });
  return undefined;
};

let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  queue = queue.then(async () => {
    try {
      if (msg.kind === 'write') {
        // The input slot is reused once 'written' is sent; ZstdCodec keeps no view of it.
        await codec.write(Buffer.from(input, msg.slot * INPUT_SLOT_SIZE, msg.length), emit);
        send({ kind: 'written' });
      } else {
        await codec.finish();
        send({ kind: 'finished' });
      }
    } catch (err) {
      send({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
});
