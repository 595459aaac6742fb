import { setTimeout as sleep } from 'node:timers/promises';
import type { SpikeBatch } from '../stream/events.ts';

/** How finely paced replay slices batches, in seconds of recording time. */
export const PACE_SLICE_SECONDS = 0.05;

/** The wall clock pacing reads and waits on (tests drive a virtual one). */
export interface PaceClock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const WALL_CLOCK: PaceClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

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
  clock: PaceClock = WALL_CLOCK,
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
      if (origin === undefined) origin = { t: sliceStart, wallMs: clock.now() };
      const dueMs = origin.wallMs + ((sliceStart - origin.t) / speed) * 1000;
      const waitMs = dueMs - clock.now();
      if (waitMs > 1) await clock.sleep(waitMs);
      yield from === 0 && to === batch.t.length
        ? batch
        : { kind: 'spikes', t: batch.t.slice(from, to), unit: batch.unit.slice(from, to), unitIds: batch.unitIds };
      from = to;
    }
  }
}
