import { join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import type { InvalidTimeTally } from '../invalidSpikeTimes.ts';
import type { SpikeChunk } from '../mergeSortedRuns.ts';
import type { TimeRange } from '../recording.ts';
import { isValidEventTime } from '../../src/stream/binIndex.ts';
import { checkedSpikeClock } from '../spikeClock.ts';
import { fileExists, withNpy } from './folderFiles.ts';

/**
 * One electrode's spike folder of an Open Ephys binary recording (GUI ≥ 0.6),
 * `spikes/<Processor>-<id>.<stream>/<electrode name>/`, as the GUI's
 * BinaryRecording::writeSpike fills it, one value per spike in each array
 * (gui-docs › Binary format › Spikes; open-ephys/plugin-GUI
 * Source/Processors/RecordNode/BinaryFormat/BinaryRecording.cpp):
 *
 * - `sample_numbers.npy` int64: the sample of the spike's peak on its stream;
 * - `timestamps.npy` float64: the same moment in seconds on the Record Node's
 *   synchronized clock (absent in some exported or trimmed folders);
 * - `clusters.npy` uint16: the sorted unit id (0 = unsorted);
 * - `electrode_indices.npy` uint16 and `waveforms.npy` (spikes × channels ×
 *   samples, int16): not needed here (electrode_indices is length-checked).
 *
 * Spikes are written as they are detected, so each folder is in time order;
 * the range is found by binary search on that order.
 */
export interface SpikeFolderSpec {
  /** The folder on disk. */
  path: string;
  /** The electrode's name, the first part of its unit ids. */
  electrode: string;
  /** Its folder relative to `spikes/` (or its path when read alone). */
  label: string;
  streamName?: string;
  /** Samples per second of its stream, from structure.oebin. */
  sampleRate?: number;
}

/** How a folder's times are read: seconds = value / divisor (1 for timestamps.npy, the sample rate for sample_numbers.npy). */
export interface TimeSource {
  file: string;
  divisor: number;
}

/** Named for what a user reads in an error message. */
const REQUIRED = {
  'sample_numbers.npy': 'the sample number of each spike',
  'clusters.npy': 'the sorted unit of each spike, 0 = unsorted',
} as const;

const INTEGER_DTYPES = new Set(['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']);

export class SpikeFolder {
  private timeSource: TimeSource | undefined;

  private constructor(
    readonly spec: SpikeFolderSpec,
    /** Number of spikes (the length of every array). */
    readonly spikeCount: number,
    readonly hasTimestamps: boolean,
  ) {}

  /** Checks the folder: required arrays present, readable, of integer/float dtypes as the format says, and of one length. */
  static async open(spec: SpikeFolderSpec): Promise<SpikeFolder> {
    const lengths: Array<[string, number]> = [];
    for (const [name, what] of Object.entries(REQUIRED)) {
      const file = join(spec.path, name);
      if (!(await fileExists(file))) throw new InputFormatError(`missing: every spike folder holds ${name} (${what})`, file);
      lengths.push([name, await checkedLength(file, 'integer')]);
    }
    const timestamps = join(spec.path, 'timestamps.npy');
    const hasTimestamps = await fileExists(timestamps);
    if (hasTimestamps) lengths.push(['timestamps.npy', await checkedLength(timestamps, 'float')]);
    const electrodeIndices = join(spec.path, 'electrode_indices.npy');
    if (await fileExists(electrodeIndices)) lengths.push(['electrode_indices.npy', await checkedLength(electrodeIndices, 'integer')]);
    const [firstName, firstLength] = lengths[0];
    for (const [name, length] of lengths.slice(1)) {
      if (length !== firstLength) {
        throw new InputFormatError(`${firstName} holds ${firstLength} values but ${name} holds ${length}: a spike folder holds one value per spike in each array`, spec.path);
      }
    }
    return new SpikeFolder(spec, firstLength, hasTimestamps);
  }

  /** Reads times from timestamps.npy (seconds) or sample_numbers.npy divided by the sample rate. */
  useClock(clock: 'timestamps' | 'sample-numbers'): void {
    if (clock === 'timestamps') {
      this.timeSource = { file: join(this.spec.path, 'timestamps.npy'), divisor: 1 };
      return;
    }
    if (this.spec.sampleRate === undefined) {
      throw new InputFormatError('no sample rate for sample_numbers.npy: structure.oebin gives none for this folder, and timestamps.npy is not used', this.spec.path);
    }
    this.timeSource = { file: join(this.spec.path, 'sample_numbers.npy'), divisor: checkedSpikeClock(this.spec.sampleRate, 'sample_rate', this.spec.path) };
  }

  /** The file times are read from (timestamps.npy or sample_numbers.npy), once useClock() has chosen. */
  get timesFile(): string {
    return this.timeSource?.file ?? join(this.spec.path, 'sample_numbers.npy');
  }

  /** Times of spikes [from, to), seconds. */
  async readTimes(from: number, to: number): Promise<Float64Array> {
    const source = this.timeSource;
    if (source === undefined) throw new Error('SpikeFolder.useClock() was not called');
    const values = await withNpy(source.file, (file) => file.readNumbers(from, to));
    if (source.divisor !== 1) for (let i = 0; i < values.length; i++) values[i] /= source.divisor;
    return values;
  }

  /** Cluster ids of spikes [from, to), in the file's integer type. */
  readClusters(from: number, to: number): Promise<ArrayLike<number>> {
    return withNpy(join(this.spec.path, 'clusters.npy'), async (file) =>
      file.dtype === 'i8' || file.dtype === 'u8' ? file.readNumbers(from, to) : ((await file.read(from, to)) as ArrayLike<number>),
    );
  }

  /** The spikes [first, end) whose times lie in the range, by binary search on the folder's time order. */
  async indexRange(range: TimeRange): Promise<[number, number]> {
    const start = range.start ?? -Infinity;
    const end = range.end ?? Infinity;
    if (start === -Infinity && end === Infinity) return [0, this.spikeCount];
    const source = this.timeSource!;
    return withNpy(source.file, async (file) => {
      const timeAt = async (i: number) => (await file.readNumbers(i, i + 1))[0] / source.divisor;
      const firstAtOrAfter = async (time: number, low: number) => {
        let high = this.spikeCount;
        while (low < high) {
          const middle = (low + high) >>> 1;
          if ((await timeAt(middle)) < time) low = middle + 1;
          else high = middle;
        }
        return low;
      };
      const first = start === -Infinity ? 0 : await firstAtOrAfter(start, 0);
      const last = end === Infinity ? this.spikeCount : await firstAtOrAfter(end, first);
      return [first, last];
    });
  }
}

/**
 * A folder's spikes [from, to) as chunks for mergeSortedRuns: times, unit
 * indexes and each spike's index in the folder's arrays (its position),
 * with the spikes whose cluster maps to −1 left out (and counted), and
 * those whose time is not valid (not a number, negative, beyond 2^32 s: a
 * corrupt value) left out and counted in `invalid`.
 */
export async function* spikeChunks(
  folder: SpikeFolder,
  [from, to]: [number, number],
  chunkSpikes: number,
  unitOfCluster: (cluster: number) => number,
  tally: { read: number; unsorted: number; invalid: InvalidTimeTally },
): AsyncGenerator<SpikeChunk, void, undefined> {
  // Cluster ids are uint16 in the format: a table resolves each id once.
  const table = new Int32Array(65536).fill(-2);
  const unitOf = (cluster: number) => {
    if (cluster >= 0 && cluster < 65536 && Number.isInteger(cluster)) {
      let unit = table[cluster];
      if (unit === -2) unit = table[cluster] = unitOfCluster(cluster);
      return unit;
    }
    return unitOfCluster(cluster);
  };
  const timesFile = folder.timesFile;
  for (let first = from; first < to; first += chunkSpikes) {
    const last = Math.min(to, first + chunkSpikes);
    const [times, clusters] = await Promise.all([folder.readTimes(first, last), folder.readClusters(first, last)]);
    const unit = new Uint32Array(times.length);
    const position = new Float64Array(times.length);
    let kept = 0;
    let sorted = 0;
    for (let i = 0; i < times.length; i++) {
      const u = unitOf(clusters[i]);
      if (u < 0) continue;
      sorted++;
      if (!isValidEventTime(times[i]) && !tally.invalid.check(times[i], () => `${timesFile}, index ${first + i} (cluster ${clusters[i]})`)) continue;
      times[kept] = times[i];
      unit[kept] = u;
      position[kept++] = first + i;
    }
    tally.read += times.length;
    tally.unsorted += times.length - sorted;
    if (kept > 0) yield { t: times.subarray(0, kept), unit: unit.subarray(0, kept), position: position.subarray(0, kept) };
  }
}

async function checkedLength(path: string, kind: 'integer' | 'float'): Promise<number> {
  return withNpy(path, async (file) => {
    const isInteger = INTEGER_DTYPES.has(file.dtype);
    if (kind === 'integer' && !isInteger) throw new InputFormatError(`dtype '${file.dtype}': expected integers (the format writes int64 sample numbers, uint16 ids)`, path);
    if (kind === 'float' && isInteger) throw new InputFormatError(`dtype '${file.dtype}': expected float64 seconds`, path);
    return file.length;
  });
}
