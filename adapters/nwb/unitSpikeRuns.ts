import { isValidEventTime } from '../../src/stream/binIndex.ts';
import type { InvalidTimeTally } from '../invalidSpikeTimes.ts';
import type { SpikeChunk } from '../mergeSortedRuns.ts';
import type { TimeRange } from '../recording.ts';
import type { Hdf5File } from './hdf5File.ts';

/** Spike times held in memory across all units at once while merging (4 MiB of float64). */
export const RUN_BUDGET_SPIKES = 1 << 19;
/** Below this many values, a binary search reads the rest at once and scans it. */
const SCAN_BLOCK = 512;

/** Spikes per read for each of `runs` units, so that runs × chunk stays within RUN_BUDGET_SPIKES. */
export function chunkSpikesFor(runs: number): number {
  return Math.max(256, Math.min(1 << 16, Math.floor(RUN_BUDGET_SPIKES / Math.max(1, runs))));
}

/**
 * The first index in [from, to) of a time-sorted dataset whose value is not
 * below `time` (`to` if none): a binary search that reads single values,
 * then one block of at most SCAN_BLOCK values once the span is small.
 * A value that is not a number is taken as not below.
 */
export function lowerBound(file: Hdf5File, datasetPath: string, from: number, to: number, time: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > SCAN_BLOCK) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (file.readNumbers(datasetPath, mid, mid + 1)[0] < time) lo = mid + 1;
    else hi = mid;
  }
  const block = file.readNumbers(datasetPath, lo, hi);
  let k = 0;
  while (k < block.length && block[k] < time) k++;
  return lo + k;
}

/**
 * The part [from, to) of a unit's spikes that can fall in a time range,
 * found by binary search on the unit's times (NWB writers store each unit's
 * spike times in order). A unit whose times are not in order is still read
 * whole within these bounds; clipping to the range stays with clipToRange.
 */
export function spikesInRange(file: Hdf5File, datasetPath: string, from: number, to: number, range: TimeRange): { from: number; to: number } {
  const start = range.start ?? -Infinity;
  const end = range.end ?? Infinity;
  const first = start === -Infinity ? from : lowerBound(file, datasetPath, from, to, start);
  const last = end === Infinity ? to : lowerBound(file, datasetPath, first, to, end);
  return { from: first, to: last };
}

/**
 * One unit's spikes [from, to) of spike_times, read in slices of at most
 * `chunkSpikes` values, as chunks of one unit index (the run format
 * mergeSortedRuns merges), each spike with its index in spike_times as its
 * position. A time that is not valid (not a number, negative, beyond 2^32 s:
 * a corrupt value) is left out and counted in `invalid`, so that it neither
 * reaches the analysis nor holds back the unit's other spikes in the merge.
 * `onRead` is told how many values each slice held (for progress).
 */
export async function* unitSpikeChunks(
  file: Hdf5File,
  datasetPath: string,
  from: number,
  to: number,
  unit: { index: number; id: string },
  chunkSpikes: number,
  onRead: (spikes: number) => void,
  invalid: InvalidTimeTally,
): AsyncGenerator<SpikeChunk, void, undefined> {
  for (let start = from; start < to; start += chunkSpikes) {
    const end = Math.min(to, start + chunkSpikes);
    const t = file.readNumbers(datasetPath, start, end);
    onRead(t.length);
    let firstInvalid = 0;
    while (firstInvalid < t.length && isValidEventTime(t[firstInvalid])) firstInvalid++;
    if (firstInvalid === t.length) {
      yield { t, unit: unit.index, position: start };
      continue;
    }
    // Rare: a corrupt value. Keep the valid spikes with their indices.
    const position = new Float64Array(t.length);
    let kept = 0;
    for (let i = 0; i < t.length; i++) {
      if (!invalid.check(t[i], () => `${file.path}, ${datasetPath}[${start + i}] (unit ${unit.id})`)) continue;
      t[kept] = t[i];
      position[kept++] = start + i;
    }
    if (kept > 0) yield { t: t.subarray(0, kept), unit: unit.index, position: position.subarray(0, kept) };
  }
}
