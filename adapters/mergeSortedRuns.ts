import type { RecordedSpikeBatch } from './recording.ts';

/**
 * A chunk of one run of spikes: times in seconds and, per spike, the index of
 * its unit in the recording's id table, or one index for the whole chunk
 * (an NWB unit's spike_times, an Open Ephys electrode of one cluster).
 */
export interface SpikeChunk {
  readonly t: Float64Array;
  readonly unit: Uint32Array | number;
  /**
   * Where each spike is in the recording (see RecordedSpikeBatch): one
   * position per spike, or the position of the first when the chunk's
   * spikes follow each other (a slice of a dataset). Give it for every run
   * or for none.
   */
  readonly position?: Float64Array | number;
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
 * When the chunks say where their spikes are (`position`), so do the
 * batches, spike by spike.
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
): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  const iterators = runs.map((run) => run[Symbol.asyncIterator]());
  const chunks: Array<SpikeChunk | undefined> = new Array(runs.length);
  /** Per run, the index in its current chunk of its next spike. */
  const cursor = new Uint32Array(runs.length);
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
        cursor[r] = 0;
        return true;
      }
    }
  };

  // Heap of run indices ordered by (head time, run index).
  const heap = new Int32Array(runs.length);
  let heapSize = 0;
  const head = (r: number) => chunks[r]!.t[cursor[r]];
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
  let position = new Float64Array(batchSize);
  let hasPositions = false;
  let filled = 0;
  while (heapSize > 0) {
    const r = heap[0];
    const chunk = chunks[r]!;
    // Take spikes of run r up to the next run's head (on a tie, the lower run index goes first).
    const next = heapSize === 1 ? -1 : heapSize > 2 && before(heap[2], heap[1]) ? heap[2] : heap[1];
    const limit = next < 0 ? Infinity : head(next);
    const yieldsTies = next >= 0 && next < r;
    let p = cursor[r];
    const times = chunk.t;
    const units = chunk.unit;
    const positions = chunk.position;
    const from = p;
    while (p < times.length && filled < batchSize) {
      const time = times[p];
      if (p > from && (time > limit || (time === limit && yieldsTies))) break;
      t[filled] = time;
      unit[filled] = typeof units === 'number' ? units : units[p];
      if (positions !== undefined) position[filled] = typeof positions === 'number' ? positions + p : positions[p];
      filled++;
      p++;
    }
    if (positions !== undefined) hasPositions = true;
    cursor[r] = p;
    if (filled === batchSize) {
      yield hasPositions ? { kind: 'spikes', t, unit, unitIds, position } : { kind: 'spikes', t, unit, unitIds };
      t = new Float64Array(batchSize);
      unit = new Uint32Array(batchSize);
      position = new Float64Array(batchSize);
      hasPositions = false;
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
  if (filled > 0) {
    yield hasPositions
      ? { kind: 'spikes', t: t.slice(0, filled), unit: unit.slice(0, filled), unitIds, position: position.slice(0, filled) }
      : { kind: 'spikes', t: t.slice(0, filled), unit: unit.slice(0, filled), unitIds };
  }
}
