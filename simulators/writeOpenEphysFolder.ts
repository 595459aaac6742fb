import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionToWrite } from './sampledSession.ts';

/**
 * Writes a session as an Open Ephys GUI (0.6 and later) binary recording,
 * the way the GUI's Record Node writes spikes of a Spike Detector and TTL
 * events (open-ephys/plugin-GUI, Source/Processors/RecordNode/BinaryFormat/
 * BinaryRecording.cpp and NpyFile.cpp; gui-docs "Binary format"):
 *
 * ```
 * <recordNodeFolder>/experiment1/recording1/
 *   structure.oebin                      JSON: "GUI version", "continuous" (none), "events", "spikes"
 *   sync_messages.txt
 *   events/Acquisition_Board-100.Rhythm Data/TTL/
 *     states.npy int16 (+line high, −line low), sample_numbers.npy int64,
 *     timestamps.npy float64, full_words.npy uint64
 *   spikes/Spike_Detector-102.Rhythm Data/Stereotrode 1/   (one folder per electrode)
 *     sample_numbers.npy int64, timestamps.npy float64, clusters.npy uint16,
 *     electrode_indices.npy uint16, waveforms.npy int16 (spikes × channels × samples)
 * ```
 *
 * Units are spread over the electrodes: unit u goes to electrode u mod E
 * with sorted id ⌊u / E⌋ + 1 (units listed in `unsortedUnits` get cluster 0).
 * Each mode gets a TTL line (1, 2, … in order of first appearance), high
 * while the mode holds: the returned `--ttl-labels` map ("1=go,-1=,2=rest,-2=")
 * decodes it. At a hand-over the old line goes low before the new one goes
 * high, in the same sample.
 *
 * Every .npy file is written as the GUI writes it: a version 1.0 header
 * padded to 64 bytes whose shape is rewritten when the file is closed, the
 * data appended chunk by chunk, so that a session of any length is written
 * holding one chunk at a time.
 */
export interface OpenEphysFolderOptions {
  /** Electrodes the units are spread over (default 2). */
  electrodes?: number;
  /** Channels per electrode: 1 'Electrode N', 2 'Stereotrode N' (default), 4 'Tetrode N'. */
  channelsPerElectrode?: 1 | 2 | 4;
  /** Session unit indexes written as cluster 0 (unsorted spikes). */
  unsortedUnits?: readonly number[];
  /** Write timestamps.npy in every folder (default true). */
  timestamps?: boolean;
  /**
   * Seconds added to the synchronized timestamps (default 0): the stream is
   * not the Record Node's main stream, whose clock started this much
   * earlier. Sample numbers are not shifted.
   */
  timestampOffsetSeconds?: number;
  /** Waveform samples before and after the peak (the Spike Detector's defaults: 8 and 32). */
  prePeakSamples?: number;
  postPeakSamples?: number;
}

const STREAM = 'Rhythm Data';
const SOURCE = { name: 'Acquisition Board', id: 100 };
const DETECTOR = { name: 'Spike Detector', id: 102 };
const GUI_VERSION = '0.6.7';

/** The folder the recording is written to, below the Record Node folder. */
export function openEphysRecordingFolder(recordNodeFolder: string): string {
  return join(recordNodeFolder, 'experiment1', 'recording1');
}

/** The electrode names the writer uses, e.g. ['Stereotrode 1', 'Stereotrode 2']. */
export function openEphysElectrodeNames(options: OpenEphysFolderOptions = {}): string[] {
  const kind = { 1: 'Electrode', 2: 'Stereotrode', 4: 'Tetrode' }[options.channelsPerElectrode ?? 2];
  return Array.from({ length: options.electrodes ?? 2 }, (_, k) => `${kind} ${k + 1}`);
}

/** The unit id the reader gives each session unit ('Stereotrode 1:1', …; cluster-0 units as '<electrode>:0'). */
export function openEphysUnitIds(unitCount: number, options: OpenEphysFolderOptions = {}): string[] {
  const names = openEphysElectrodeNames(options);
  const unsorted = new Set(options.unsortedUnits ?? []);
  return Array.from({ length: unitCount }, (_, u) => `${names[u % names.length]}:${unsorted.has(u) ? 0 : clusterOf(u, names.length)}`);
}

function clusterOf(unit: number, electrodes: number): number {
  return Math.floor(unit / electrodes) + 1;
}

/**
 * Writes the session to `<recordNodeFolder>/experiment1/recording1/` and
 * returns the `--ttl-labels` map that decodes its TTL lines into modes.
 */
export async function writeOpenEphysFolder(recordNodeFolder: string, session: SessionToWrite, options: OpenEphysFolderOptions = {}): Promise<string> {
  const electrodes = options.electrodes ?? 2;
  if (!Number.isInteger(electrodes) || electrodes < 1) throw new RangeError(`electrodes must be a whole number ≥ 1, got ${electrodes}`);
  const channels = options.channelsPerElectrode ?? 2;
  const pre = options.prePeakSamples ?? 8;
  const post = options.postPeakSamples ?? 32;
  const withTimestamps = options.timestamps ?? true;
  const offset = options.timestampOffsetSeconds ?? 0;
  const rate = session.sampleRate;
  const names = openEphysElectrodeNames(options);
  const unsorted = new Set(options.unsortedUnits ?? []);
  const unitCount = session.unitIds.length;
  if (unitCount > 0 && Math.ceil(unitCount / electrodes) >= 65536) throw new RangeError('too many units for uint16 cluster ids');

  const recording = openEphysRecordingFolder(recordNodeFolder);
  const streamFolder = `${DETECTOR.name.replaceAll(' ', '_')}-${DETECTOR.id}.${STREAM}`;
  const ttlFolder = `${SOURCE.name.replaceAll(' ', '_')}-${SOURCE.id}.${STREAM}/TTL`;

  // Spikes: five arrays per electrode, appended chunk by chunk.
  const electrodeOfUnit = Int32Array.from({ length: unitCount }, (_, u) => u % electrodes);
  const clusterOfUnit = Uint16Array.from({ length: unitCount }, (_, u) => (unsorted.has(u) ? 0 : clusterOf(u, electrodes)));
  const template = spikeTemplate(channels, pre, post);
  const writers = [];
  for (let e = 0; e < electrodes; e++) {
    const folder = join(recording, 'spikes', streamFolder, names[e]);
    await mkdir(folder, { recursive: true });
    writers.push({
      samples: await NpyWriter.create(join(folder, 'sample_numbers.npy'), '<i8'),
      timestamps: withTimestamps ? await NpyWriter.create(join(folder, 'timestamps.npy'), '<f8') : undefined,
      clusters: await NpyWriter.create(join(folder, 'clusters.npy'), '<u2'),
      electrodeIndices: await NpyWriter.create(join(folder, 'electrode_indices.npy'), '<u2'),
      waveforms: await NpyWriter.create(join(folder, 'waveforms.npy'), '<i2', [channels, pre + post]),
    });
  }
  for (const chunk of session.chunks()) {
    const counts = new Int32Array(electrodes);
    for (let i = 0; i < chunk.unit.length; i++) counts[electrodeOfUnit[chunk.unit[i]]]++;
    for (let e = 0; e < electrodes; e++) {
      const n = counts[e];
      if (n === 0) continue;
      const sampleWords = new Uint32Array(2 * n);
      const seconds = new Float64Array(n);
      const clusters = new Uint16Array(n);
      const waveforms = new Int16Array(n * template.length);
      for (let i = 0, k = 0; i < chunk.unit.length; i++) {
        const unit = chunk.unit[i];
        if (electrodeOfUnit[unit] !== e) continue;
        const sample = chunk.samples[i];
        // int64 little-endian as two 32-bit words (two's complement for the high word).
        const high = Math.floor(sample / 4294967296);
        sampleWords[2 * k] = sample - high * 4294967296;
        sampleWords[2 * k + 1] = high;
        seconds[k] = sample / rate + offset;
        clusters[k] = clusterOfUnit[unit];
        waveforms.set(template, k * template.length);
        k++;
      }
      const writer = writers[e];
      await writer.samples.append(sampleWords, n);
      await writer.timestamps?.append(seconds, n);
      await writer.clusters.append(clusters, n);
      await writer.electrodeIndices.append(new Uint16Array(n).fill(e), n);
      await writer.waveforms.append(waveforms, n);
    }
  }
  for (const writer of writers) {
    await Promise.all([writer.samples, writer.timestamps, writer.clusters, writer.electrodeIndices, writer.waveforms].map((file) => file?.close()));
  }

  // TTL: one line per mode, high while it holds.
  const lines = new Map<string, number>();
  for (const interval of session.labels) {
    if (interval.label.includes(',')) throw new RangeError(`mode '${interval.label}' holds a comma, which --ttl-labels cannot express`);
    if (!lines.has(interval.label)) lines.set(interval.label, lines.size + 1);
  }
  if (lines.size > 64) throw new RangeError(`${lines.size} modes: a TTL word has 64 lines`);
  const events: Array<{ sample: number; state: number }> = [];
  for (const interval of session.labels) {
    const line = lines.get(interval.label)!;
    events.push({ sample: Math.round(interval.start * rate), state: line }, { sample: Math.round(interval.end * rate), state: -line });
  }
  // By sample; in one sample, lines going low first (a hand-over), then in the order written.
  const order = events.map((_, k) => k).sort((a, b) => events[a].sample - events[b].sample || Math.sign(events[a].state) - Math.sign(events[b].state) || a - b);
  const ttlPath = join(recording, 'events', ttlFolder);
  await mkdir(ttlPath, { recursive: true });
  const states = new Int16Array(order.length);
  const eventWords = new Uint32Array(2 * order.length);
  const eventSeconds = new Float64Array(order.length);
  const fullWords = new BigUint64Array(order.length);
  let word = 0n;
  order.forEach((index, k) => {
    const { sample, state } = events[index];
    states[k] = state;
    const high = Math.floor(sample / 4294967296);
    eventWords[2 * k] = sample - high * 4294967296;
    eventWords[2 * k + 1] = high;
    eventSeconds[k] = sample / rate + offset;
    const bit = 1n << BigInt(Math.abs(state) - 1);
    word = state > 0 ? word | bit : word & ~bit;
    fullWords[k] = word;
  });
  await writeNpy(join(ttlPath, 'states.npy'), '<i2', states, order.length);
  await writeNpy(join(ttlPath, 'sample_numbers.npy'), '<i8', eventWords, order.length);
  if (withTimestamps) await writeNpy(join(ttlPath, 'timestamps.npy'), '<f8', eventSeconds, order.length);
  await writeNpy(join(ttlPath, 'full_words.npy'), '<u8', fullWords, order.length);

  const structure = {
    'GUI version': GUI_VERSION,
    continuous: [],
    events: [
      {
        folder_name: `${ttlFolder}/`,
        channel_name: `${SOURCE.name} TTL Input`,
        description: 'TTL events from the acquisition board’s digital inputs',
        identifier: 'acquisition_board.events',
        sample_rate: rate,
        type: 'int16',
        source_processor: SOURCE.name,
        stream_name: STREAM,
        initial_state: 0,
      },
    ],
    spikes: names.map((name, e) => ({
      name,
      description: `${name} spikes`,
      identifier: 'spikes',
      source_processor_id: DETECTOR.id,
      stream_name: STREAM,
      sample_rate: rate,
      num_channels: channels,
      pre_peak_samples: pre,
      post_peak_samples: post,
      folder: `${streamFolder}/${name}/`,
      source_channels: Array.from({ length: channels }, (_, c) => ({ name: `CH${e * channels + c + 1}`, local_index: e * channels + c, bit_volts: 0.195 })),
    })),
  };
  await writeFile(join(recording, 'structure.oebin'), `${JSON.stringify(structure, null, 2)}\n`);
  await writeFile(
    join(recording, 'sync_messages.txt'),
    `Software Time (milliseconds since midnight Jan 1st 1970 UTC): 1700000000000\r\nStart Time for ${SOURCE.name} (${SOURCE.id}) - ${STREAM} @ ${rate} Hz: 0\r\n`,
  );
  return [...lines].map(([mode, line]) => `${line}=${mode},-${line}=`).join(',');
}

/** A spike-like waveform (a trough at the peak sample), the same for every spike. */
function spikeTemplate(channels: number, pre: number, post: number): Int16Array {
  const samples = pre + post;
  const template = new Int16Array(channels * samples);
  for (let c = 0; c < channels; c++) {
    for (let s = 0; s < samples; s++) template[c * samples + s] = Math.round(-400 * Math.exp(-(((s - pre) / 3) ** 2)) / (c + 1));
  }
  return template;
}

/** Bytes per item of the dtypes written. */
const ITEM_BYTES: Readonly<Record<string, number>> = { '<i2': 2, '<u2': 2, '<i8': 8, '<u8': 8, '<f8': 8 };
/** Header bytes (magic to newline), a multiple of 64 as the GUI writes it, with room for any count in the shape. */
const HEADER_BYTES = 128;

/** A .npy file written as the GUI's NpyFile does: header first, data appended, the shape updated on close. */
class NpyWriter {
  private count = 0;
  private offset = HEADER_BYTES;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly descr: string,
    private readonly itemShape: readonly number[],
  ) {}

  static async create(path: string, descr: string, itemShape: readonly number[] = []): Promise<NpyWriter> {
    const writer = new NpyWriter(path, await open(path, 'w'), descr, itemShape);
    await writer.writeHeader();
    return writer;
  }

  /** Appends `items` values (each of the item shape) from a typed array holding their bytes. */
  async append(data: ArrayBufferView, items: number): Promise<void> {
    const itemBytes = ITEM_BYTES[this.descr] * this.itemShape.reduce((product, n) => product * n, 1);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, items * itemBytes);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written, this.offset + written);
      written += bytesWritten;
    }
    this.offset += bytes.length;
    this.count += items;
  }

  async close(): Promise<void> {
    await this.writeHeader();
    await this.handle.close();
  }

  private async writeHeader(): Promise<void> {
    const shape = [this.count, ...this.itemShape].join(', ');
    const dict = `{'descr': '${this.descr}', 'fortran_order': False, 'shape': (${shape}${this.itemShape.length === 0 ? ',' : ''}), }`;
    const padded = `${dict.padEnd(HEADER_BYTES - 10 - 1, ' ')}\n`;
    if (padded.length !== HEADER_BYTES - 10) throw new RangeError(`.npy header of ${this.path} does not fit in ${HEADER_BYTES} bytes`);
    const header = Buffer.alloc(HEADER_BYTES);
    header.write('\x93NUMPY', 0, 'latin1');
    header[6] = 1;
    header[7] = 0;
    header.writeUInt16LE(HEADER_BYTES - 10, 8);
    header.write(padded, 10, 'latin1');
    await this.handle.write(header, 0, HEADER_BYTES, 0);
  }
}

/** Writes a small array whole. */
async function writeNpy(path: string, descr: string, data: ArrayBufferView, items: number): Promise<void> {
  const writer = await NpyWriter.create(path, descr);
  await writer.append(data, items);
  await writer.close();
}
