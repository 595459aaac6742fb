import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { OutputError } from '../src/errors.ts';
import type { LabelChange, SpikeBatch } from '../src/stream/events.ts';
import type { Population } from './population.ts';

/**
 * Writers of simulated recordings in the file formats `synergy replay` reads
 * (DESIGN §2a): spikes CSV with header `unit,t`, and label intervals CSV
 * with header `start,end,label`. Times are written in JavaScript's shortest
 * round-trip form, so a replay reads back exactly the generated float64s.
 * Output streams to disk in blocks, honoring back-pressure.
 */

/** Lines per write: large enough to amortize the call, small enough to keep memory flat. */
const LINES_PER_BLOCK = 16_384;

/** A text file written in blocks, waiting on back-pressure; a write error surfaces at the next call. */
class TextFileWriter {
  private readonly out: WriteStream;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    private readonly what: string,
  ) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
    this.out.on('error', (error) => {
      this.failure = error;
    });
  }

  async send(text: string): Promise<void> {
    this.throwIfFailed();
    if (!this.out.write(text)) await this.wait('drain');
  }

  async close(): Promise<void> {
    this.throwIfFailed();
    this.out.end();
    await this.wait('finish');
  }

  private async wait(event: 'drain' | 'finish'): Promise<void> {
    try {
      await once(this.out, event);
    } catch (error) {
      this.failure ??= error as Error;
    }
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw new OutputError(`cannot write ${this.what}: ${this.failure.message}`, this.path);
  }
}

/** Appends spike batches to a spikes CSV file (`unit,t`). */
export class SpikesCsvWriter {
  /** Spikes written so far. */
  spikes = 0;
  private readonly file: TextFileWriter;
  private readonly header: Promise<void>;

  constructor(readonly path: string) {
    this.file = new TextFileWriter(path, 'spikes');
    this.header = this.file.send('unit,t\n');
  }

  async write(batch: SpikeBatch): Promise<void> {
    await this.header;
    const { t, unit } = batch;
    const ids = batch.unitIds.map(csvField);
    for (let first = 0; first < t.length; first += LINES_PER_BLOCK) {
      const last = Math.min(t.length, first + LINES_PER_BLOCK);
      let text = '';
      for (let i = first; i < last; i++) text += `${ids[unit[i]]},${t[i]}\n`;
      await this.file.send(text);
    }
    this.spikes += t.length;
  }

  async close(): Promise<void> {
    await this.header;
    await this.file.close();
  }
}

/**
 * Label change points as intervals [start, end) up to `endSeconds`: each
 * label holds until the next change; a `null` label is a gap (no row);
 * zero-length intervals are left out.
 */
export function labelIntervals(
  changes: readonly LabelChange[],
  endSeconds: number,
): Array<{ start: number; end: number; label: string }> {
  const intervals: Array<{ start: number; end: number; label: string }> = [];
  for (let i = 0; i < changes.length; i++) {
    const { t: start, label } = changes[i];
    const end = Math.min(endSeconds, i + 1 < changes.length ? changes[i + 1].t : endSeconds);
    if (label !== null && end > start) intervals.push({ start, end, label });
  }
  return intervals;
}

/** Writes label intervals CSV (`start,end,label`) from change points; returns the number of intervals. */
export async function writeLabelIntervalsCsv(
  path: string,
  changes: readonly LabelChange[],
  endSeconds: number,
): Promise<number> {
  const file = new TextFileWriter(path, 'labels');
  const intervals = labelIntervals(changes, endSeconds);
  let text = 'start,end,label\n';
  for (let i = 0; i < intervals.length; i++) {
    const { start, end, label } = intervals[i];
    text += `${start},${end},${csvField(label)}\n`;
    if ((i + 1) % LINES_PER_BLOCK === 0) {
      await file.send(text);
      text = '';
    }
  }
  await file.send(text);
  await file.close();
  return intervals.length;
}

/** Writes one spike batch as a whole spikes CSV file; returns the number of spikes. */
export async function writeSpikesCsv(path: string, spikes: SpikeBatch | Iterable<SpikeBatch>): Promise<number> {
  const writer = new SpikesCsvWriter(path);
  const batches: Iterable<SpikeBatch> = isSpikeBatch(spikes) ? [spikes] : spikes;
  for (const batch of batches) await writer.write(batch);
  await writer.close();
  return writer.spikes;
}

export interface RecordingCsvOptions {
  spikesPath: string;
  labelsPath: string;
  untilSeconds: number;
  /** Seconds generated per step, bounding memory (default 10). */
  chunkSeconds?: number;
}

/**
 * Generates [0, untilSeconds) of a population chunk by chunk and writes it
 * to a spikes CSV and a label intervals CSV, never holding the whole
 * recording in memory. Returns what was written.
 */
export async function writeRecordingCsv(
  population: Pick<Population, 'generate'>,
  options: RecordingCsvOptions,
): Promise<{ spikes: number; intervals: number }> {
  const chunkSeconds = options.chunkSeconds ?? 10;
  if (!(chunkSeconds > 0)) throw new RangeError(`chunkSeconds must be > 0, got ${chunkSeconds}`);
  const writer = new SpikesCsvWriter(options.spikesPath);
  const changes: LabelChange[] = [];
  try {
    for (let chunk = 0; chunk * chunkSeconds < options.untilSeconds; chunk++) {
      const span = population.generate(chunk * chunkSeconds, Math.min(options.untilSeconds, (chunk + 1) * chunkSeconds));
      changes.push(...span.labels);
      await writer.write(span.spikes);
    }
  } finally {
    await writer.close();
  }
  const intervals = await writeLabelIntervalsCsv(options.labelsPath, changes, options.untilSeconds);
  return { spikes: writer.spikes, intervals };
}

function isSpikeBatch(value: SpikeBatch | Iterable<SpikeBatch>): value is SpikeBatch {
  return (value as SpikeBatch).kind === 'spikes';
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
