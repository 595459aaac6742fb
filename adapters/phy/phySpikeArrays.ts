import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { NpyFile } from '../files/npyFile.ts';

/** Spikes read from disk at a time: a few MB of each array, so memory does not grow with the recording. */
export const CHUNK_SPIKES = 1 << 18;

/** Spikes [from, from + samples.length) of the folder, as numbers. */
export interface SpikeArraysChunk {
  readonly from: number;
  /** spike_times.npy: sample numbers (whole, ≥ 0). */
  readonly samples: Float64Array;
  /** Cluster id of each spike (whole numbers). */
  readonly clusters: Float64Array;
}

type NpyValues = Awaited<ReturnType<NpyFile['read']>>;

/**
 * The two per-spike arrays of a Phy/Kilosort output folder, read side by
 * side in chunks: `spike_times.npy` (the sample number of each spike,
 * uint64 as Kilosort 1–3 write it, int64 as Kilosort 4 does; shape (n,) or
 * (n, 1)) and the cluster of each spike, `spike_clusters.npy` (Phy's
 * curated clusters; int32, uint32 or int64), or, when Phy has not been run
 * yet, Kilosort's `spike_templates.npy` (the template each spike was
 * matched to, which is what Phy starts its clusters from: phylib
 * `TemplateModel._load_spike_clusters` copies it).
 *
 * Checked: the folder holds spike_times.npy and one of the cluster arrays,
 * both arrays have one value per spike, sample numbers are whole numbers
 * ≥ 0 below 2^53 and cluster ids whole numbers (each an InputFormatError
 * naming the file, and the index of a bad value). The .npy layout itself
 * is checked by NpyFile (magic, header, truncation).
 */
export class PhySpikeArrays {
  private constructor(
    readonly folder: string,
    private readonly times: NpyFile,
    private readonly clusters: NpyFile,
    /** True when the cluster ids come from spike_templates.npy (spike_clusters.npy is absent). */
    readonly clustersFromTemplates: boolean,
  ) {}

  /** Number of spikes. */
  get length(): number {
    return this.times.length;
  }

  get timesFile(): string {
    return this.times.path;
  }

  get clustersFile(): string {
    return this.clusters.path;
  }

  static async open(folder: string): Promise<PhySpikeArrays> {
    let info;
    try {
      info = await stat(folder);
    } catch {
      throw new InputFormatError('no such folder', folder);
    }
    if (!info.isDirectory()) {
      throw new InputFormatError('is a file: a Phy/Kilosort recording is the output folder that holds spike_times.npy, spike_clusters.npy and params.py', folder);
    }
    const timesPath = join(folder, 'spike_times.npy');
    if (!(await isFile(timesPath))) {
      throw new InputFormatError('no spike_times.npy in this folder: a Phy/Kilosort output folder holds spike_times.npy (spike times in samples), spike_clusters.npy and params.py', folder);
    }
    let clustersPath = join(folder, 'spike_clusters.npy');
    let fromTemplates = false;
    if (!(await isFile(clustersPath))) {
      clustersPath = join(folder, 'spike_templates.npy');
      fromTemplates = true;
      if (!(await isFile(clustersPath))) {
        throw new InputFormatError('neither spike_clusters.npy nor spike_templates.npy in this folder: the cluster of each spike is missing', folder);
      }
    }
    const times = await NpyFile.open(timesPath);
    let clusters: NpyFile;
    try {
      clusters = await NpyFile.open(clustersPath);
    } catch (error) {
      await times.close();
      throw error;
    }
    const arrays = new PhySpikeArrays(folder, times, clusters, fromTemplates);
    if (clusters.length !== times.length) {
      await arrays.close();
      throw new InputFormatError(
        `holds ${clusters.length} values, spike_times.npy ${times.length}: expected one cluster id per spike (the arrays must have the same length)`,
        clustersPath,
      );
    }
    return arrays;
  }

  /** Sample numbers of spikes [from, to). */
  async samples(from: number, to: number): Promise<Float64Array> {
    return sampleNumbers(await this.times.read(from, to), from, this.times.path);
  }

  /** Spikes [from, to) in chunks of at most `chunkSpikes`. */
  async *chunks(from: number, to: number, chunkSpikes = CHUNK_SPIKES): AsyncGenerator<SpikeArraysChunk, void, undefined> {
    for (let start = from; start < to; start += chunkSpikes) {
      const end = Math.min(to, start + chunkSpikes);
      const [samples, clusters] = await Promise.all([this.samples(start, end), this.clusters.read(start, end)]);
      yield { from: start, samples, clusters: clusterIds(clusters, start, this.clusters.path) };
    }
  }

  /**
   * The first spike index whose time (sample / sampleRate, the time the
   * reader emits) is ≥ `timeSeconds`, by binary search: valid when
   * spike_times.npy is sorted (see isSorted).
   */
  async firstIndexAtOrAfter(timeSeconds: number, sampleRate: number): Promise<number> {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const [sample] = await this.samples(middle, middle + 1);
      if (sample / sampleRate >= timeSeconds) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Whether spike_times.npy is in non-decreasing order (one pass over it alone). */
  async isSorted(): Promise<boolean> {
    let previous = -Infinity;
    for (let start = 0; start < this.length; start += 4 * CHUNK_SPIKES) {
      const samples = await this.samples(start, Math.min(this.length, start + 4 * CHUNK_SPIKES));
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        if (sample < previous) return false;
        previous = sample;
      }
    }
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([this.times.close(), this.clusters.close()]);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** 2^53 / 2^32: a high word at or above this makes a 64-bit integer too large for a float64 to hold exactly. */
const HIGH_WORD_LIMIT = 0x200000;
const TWO_TO_32 = 4294967296;

/**
 * Sample numbers as float64, checked: whole, ≥ 0 and below 2^53. 64-bit
 * integers are converted from their two 32-bit halves (little-endian),
 * several times faster than one BigInt per value.
 */
function sampleNumbers(values: NpyValues, from: number, file: string): Float64Array {
  const out = new Float64Array(values.length);
  if (values instanceof BigUint64Array || values instanceof BigInt64Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < values.length; i++) {
      const high = words[2 * i + 1];
      // A negative int64 has its sign bit set, so its high word is ≥ 2^31 read unsigned.
      if (high >= HIGH_WORD_LIMIT) badSample(values[i], from + i, file);
      out[i] = words[2 * i] + high * TWO_TO_32;
    }
    return out;
  }
  out.set(values);
  for (let i = 0; i < out.length; i++) {
    const sample = out[i];
    if (!(sample >= 0) || !Number.isInteger(sample)) badSample(sample, from + i, file);
  }
  return out;
}

function badSample(value: number | bigint, index: number, file: string): never {
  const why =
    typeof value === 'bigint' ? (value < 0n ? 'is negative' : 'is beyond 2^53 and cannot be converted exactly') : value < 0 ? 'is negative' : 'is not a whole number';
  throw new InputFormatError(`value ${value} at index ${index} ${why}: expected sample numbers (whole numbers ≥ 0)`, file);
}

/** Cluster ids as float64, checked to be whole numbers within ±2^53. */
function clusterIds(values: NpyValues, from: number, file: string): Float64Array {
  const out = new Float64Array(values.length);
  if (values instanceof BigUint64Array || values instanceof BigInt64Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = values instanceof BigInt64Array;
    for (let i = 0; i < values.length; i++) {
      const high = words[2 * i + 1];
      if (high < HIGH_WORD_LIMIT) out[i] = words[2 * i] + high * TWO_TO_32;
      else if (signed && high > 0xffffffff - HIGH_WORD_LIMIT) out[i] = Number(values[i]);
      else throw new InputFormatError(`value ${values[i]} at index ${from + i} is beyond 2^53: expected cluster ids`, file);
    }
    return out;
  }
  out.set(values);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isInteger(out[i])) throw new InputFormatError(`value ${out[i]} at index ${from + i} is not a whole number: expected cluster ids`, file);
  }
  return out;
}
