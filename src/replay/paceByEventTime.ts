import { setTimeout as sleep } from 'node:timers/promises';
import type { SpikeBatch } from '../stream/events.ts';

/** How finely paced replay slices batches, in seconds of recording time. */
export const PACE_SLICE_SECONDS = 0.05;

/**
 * Replays spike batches at `speed` times real time by event time: a slice
 * whose first spike is at t is handed over when (t − t0)/speed seconds of
 * wall time have passed since the first (t0). Batches are cut into slices of
 * at most 50 ms of recording time so that the analysis sees data at the pace
 * a rig would send it. `speed` Infinity hands everything over at once.
 */
export async function* paceByEventTime(
  batches: AsyncIterable<SpikeBatch>,
  speed: number,
  now: () => number = () => performance.now(),
): AsyncGenerator<SpikeBatch, void, undefined> {
  if (speed === Infinity) {
    yield* batches;
    return;
  }
  let origin: { t: number; wallMs: number } | undefined;
  for await (const batch of batches) {
    for (let from = 0; from < batch.t.length; ) {
      const sliceStart = batch.t[from];
      let to = from + 1;
      while (to < batch.t.length && batch.t[to] < sliceStart + PACE_SLICE_SECONDS) to++;
      if (origin === undefined) origin = { t: sliceStart, wallMs: now() };
      const dueMs = origin.wallMs + ((sliceStart - origin.t) / speed) * 1000;
      const waitMs = dueMs - now();
      if (waitMs > 1) await sleep(waitMs);
      yield from === 0 && to === batch.t.length
        ? batch
        : { kind: 'spikes', t: batch.t.slice(from, to), unit: batch.unit.slice(from, to), unitIds: batch.unitIds };
      from = to;
    }
  }
}
