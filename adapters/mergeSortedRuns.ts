import type { SpikeBatch } from '../src/stream/events.ts';

/**
 * A chunk of one run of spikes: times in seconds and, per spike, the index of
 * its unit in the recording's id table, or one index for the whole chunk
 * (an NWB unit's spike_times, an Open Ephys electrode of one cluster).
 */
export interface SpikeChunk {
  readonly t: Float64Array;
  readonly unit: Uint32Array | number;
}

/** Spikes per batch unless told otherwise (the same as the text readers'). */
export const DEFAULT_BATCH_SPIKES = 8192;

/**
 * Merges runs of spikes that are each in time order (one per NWB unit, one
 * per Open Ephys electrode folder, …) into batches in global time order, of
 * at most `batchSize` spikes, without holding more than one chunk per run.
 *
 * A k-way merge on a binary heap of the runs' next times; from the run on
 * top it takes every spike up to the next run's head at once, so runs that
 * do not interleave cost one heap step per chunk, not per spike. Ties go to
 * the run listed first, so the output is a function of the input. A run
 * that is not itself sorted is passed through in its own order: the spikes
 * that go back in time reach the binner out of order, where they are placed
 * within the lateness or counted as late, never lost silently.
 *
 * Each batch owns its typed arrays; `unitIds` is the recording's table.
 *
 * @example
 * // two units, each sorted
 * mergeSortedRuns([chunksOf([0.1, 0.5], 0), chunksOf([0.2, 0.3], 1)], ['a', 'b'])
 * // → one batch: t [0.1, 0.2, 0.3, 0.5], unit [0, 1, 1, 0]
 */
export async function* mergeSortedRuns(
  runs: ReadonlyArray<AsyncIterable<SpikeChunk>>,
  unitIds: readonly string[],
  batchSize = DEFAULT_BATCH_SPIKES,
): AsyncGenerator<SpikeBatch, void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  const iterators = runs.map((run) => run[Symbol.asyncIterator]());
  const chunks: Array<SpikeChunk | undefined> = new Array(runs.length);
  const position = new Uint32Array(runs.length);
  /** Loads the next non-empty chunk of run r; false when the run is done. */
  const advance = async (r: number): Promise<boolean> => {
    for (;;) {
      const next = await iterators[r].next();
      if (next.done === true) {
        chunks[r] = undefined;
        return false;
      }
      if (next.value.t.length > 0) {
        chunks[r] = next.value;
        position[r] = 0;
        return true;
      }
    }
  };

  // Heap of run indices ordered by (head time, run index).
  const heap = new Int32Array(runs.length);
  let heapSize = 0;
  const head = (r: number) => chunks[r]!.t[position[r]];
  const before = (r: number, s: number) => {
    const a = head(r);
    const b = head(s);
    return a < b || (a === b && r < s) || (a !== a && b === b);
  };
  const siftUp = (k: number) => {
    const r = heap[k];
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!before(r, heap[parent])) break;
      heap[k] = heap[parent];
      k = parent;
    }
    heap[k] = r;
  };
  const siftDown = (k: number) => {
    const r = heap[k];
    for (;;) {
      let child = 2 * k + 1;
      if (child >= heapSize) break;
      if (child + 1 < heapSize && before(heap[child + 1], heap[child])) child++;
      if (!before(heap[child], r)) break;
      heap[k] = heap[child];
      k = child;
    }
    heap[k] = r;
  };

  for (let r = 0; r < runs.length; r++) {
    if (await advance(r)) {
      heap[heapSize++] = r;
      siftUp(heapSize - 1);
    }
  }

  let t = new Float64Array(batchSize);
  let unit = new Uint32Array(batchSize);
  let filled = 0;
  while (heapSize > 0) {
    const r = heap[0];
    const chunk = chunks[r]!;
    // Take spikes of run r up to the next run's head (on a tie, the lower run index goes first).
    const next = heapSize === 1 ? -1 : heapSize > 2 && before(heap[2], heap[1]) ? heap[2] : heap[1];
    const limit = next < 0 ? Infinity : head(next);
    const yieldsTies = next >= 0 && next < r;
    let p = position[r];
    const times = chunk.t;
    const units = chunk.unit;
    while (p < times.length && filled < batchSize) {
      const time = times[p];
      if (p > position[r] && (time > limit || (time === limit && yieldsTies))) break;
      t[filled] = time;
      unit[filled] = typeof units === 'number' ? units : units[p];
      filled++;
      p++;
    }
    position[r] = p;
    if (filled === batchSize) {
      yield { kind: 'spikes', t, unit, unitIds };
      t = new Float64Array(batchSize);
      unit = new Uint32Array(batchSize);
      filled = 0;
    }
    if (p === times.length) {
      if (await advance(r)) siftDown(0);
      else {
        heap[0] = heap[--heapSize];
        if (heapSize > 0) siftDown(0);
      }
    } else {
      siftDown(0);
    }
  }
  if (filled > 0) yield { kind: 'spikes', t: t.slice(0, filled), unit: unit.slice(0, filled), unitIds };
}
