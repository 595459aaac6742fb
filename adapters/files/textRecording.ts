import { stat } from 'node:fs/promises';
import type { LabelChange, LabelInterval } from '../../src/stream/events.ts';
import type { RecordedSpikeBatch, RecordingDescription, RecordingReadSummary, RecordingSource, TimeRange } from '../recording.ts';
import { clipToRange } from '../timeRange.ts';
import { DEFAULT_LABEL_COLUMN, overlapNote, readLabelIntervals } from './labelIntervalReader.ts';
import { readSpikeText, type SpikeReadSummary, type SpikeTextSource } from './spikeTextReader.ts';
import type { TextFormat } from './textTable.ts';

export interface TextRecordingOptions {
  format?: TextFormat;
  /** Count malformed rows instead of stopping at the first. */
  skipBad?: boolean;
}

/**
 * A CSV, TSV or JSONL spike file as a RecordingSource: streamed line by line
 * (memory does not grow with the file), filtered to a time range. Text files
 * carry no modes: `labels()` is empty and the CLI adds `--labels FILE`.
 */
export class TextRecording implements RecordingSource {
  readonly format: TextFormat;
  readonly unitIds: string[] = [];
  private current: SpikeTextSource | undefined;
  private fileBytes = 0;

  constructor(
    readonly path: string,
    private readonly options: TextRecordingOptions = {},
  ) {
    this.format = readSpikeText(path, { format: options.format }).format;
  }

  /** The reader's summary of the current (or last) pass over the spikes. */
  get summary(): Readonly<SpikeReadSummary> | undefined {
    return this.current?.summary;
  }

  async labels(): Promise<Array<LabelInterval | LabelChange>> {
    return [];
  }

  async *spikes(range: TimeRange = {}, batchSize?: number): AsyncIterable<RecordedSpikeBatch> {
    this.fileBytes = (await stat(this.path)).size;
    this.current = readSpikeText(this.path, { format: this.format, skipBad: this.options.skipBad, batchSize, unitIds: this.unitIds });
    yield* clipToRange(this.current, range);
  }

  describeSpike(batch: RecordedSpikeBatch, index: number): string {
    const line = batch.position?.[index];
    return line === undefined ? this.path : `${this.path}, line ${line}`;
  }

  readSummary(): RecordingReadSummary {
    // Malformed rows and ignored columns are reported from `summary`, with the label file's.
    return { dropped: {}, maxBackstepSeconds: this.current?.summary.maxBackstepSeconds ?? 0 };
  }

  progress(): number {
    if (this.current === undefined || this.fileBytes === 0) return 0;
    return Math.min(1, this.current.summary.bytesRead / this.fileBytes);
  }

  async describe(): Promise<RecordingDescription> {
    const counts = new Map<string, number>();
    const source = readSpikeText(this.path, { format: this.format, skipBad: this.options.skipBad });
    for await (const batch of source) {
      for (let i = 0; i < batch.unit.length; i++) {
        const id = batch.unitIds[batch.unit[i]];
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    const s = source.summary;
    const notes: string[] = [];
    if (s.outOfOrder > 0) {
      notes.push(`${s.outOfOrder} spikes are earlier than a spike above them (up to ${s.maxBackstepSeconds.toFixed(3)} s): replay with --lateness of at least that, or sort the file`);
    }
    if (s.skipped > 0) notes.push(`${s.skipped} malformed rows skipped (first at line ${s.skippedExamples[0]?.line})`);
    if (s.ignoredFields.length > 0) notes.push(`ignored columns: ${s.ignoredFields.join(', ')}`);
    return {
      format: this.format,
      path: this.path,
      units: [...counts].map(([id, spikes]) => ({ id, spikes })),
      firstSpike: s.minTime,
      lastSpike: s.maxTime,
      labelSources: [],
      notes,
    };
  }

  async close(): Promise<void> {}
}

/**
 * Label intervals from a text file, added to a recording's description as a
 * label source (named with its column when that is not `label`), with a note
 * naming the lines of intervals that overlap.
 */
export async function describeLabelFile(description: RecordingDescription, file: string, skipBad = false, labelColumn?: string): Promise<void> {
  const { summary } = await readLabelIntervals(file, { skipBad, labelColumn });
  description.labelSources.push({
    name: summary.labelColumn.toLowerCase() === DEFAULT_LABEL_COLUMN ? file : `${file} (column ${summary.labelColumn})`,
    values: summary.labels.map((tally) => ({ label: tally.label, count: tally.intervals, seconds: tally.seconds })),
  });
  const overlaps = overlapNote(summary);
  if (overlaps !== undefined) description.notes.push(overlaps);
}
