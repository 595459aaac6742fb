import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { RecordedSpikeBatch } from '../recording.ts';
import { DelimitedText, findColumn, quotedList, unusedColumns } from '../../src/io/delimitedText.ts';
import { readLineChunks } from '../../src/io/textLines.ts';
import { allRowsBadError, rejectRow } from './badRows.ts';
import type { SkippedRow } from './badRows.ts';
import { badIdReason, badSecondsReason, cellText, firstKey, idFromJson, IgnoredKeys, parseJsonRecord, parseSeconds, secondsFromJson, textFormatOf } from './textTable.ts';
import type { TextFormat } from './textTable.ts';

/**
 * Names of the unit column (CSV/TSV header, any case) or key (JSONL), in
 * order of preference. DESIGN §2a names `unit`; the others are what common
 * exporters write (Phy's `cluster_id`, pandas frames named by hand).
 */
export const SPIKE_UNIT_COLUMNS = ['unit', 'unit_id', 'cluster', 'cluster_id', 'neuron'] as const;

/** Names of the time column (seconds) or key, in order of preference (DESIGN §2a). */
export const SPIKE_TIME_COLUMNS = ['t', 'time', 'time_s', 'timestamp'] as const;

/** Spikes per batch unless told otherwise. */
export const DEFAULT_SPIKE_BATCH = 8192;

export interface SpikeTextOptions {
  /** csv, tsv or jsonl; by default from the extension (.csv, .tsv/.tab, .jsonl/.ndjson). */
  format?: TextFormat;
  /** Count malformed rows in the summary and go on, instead of throwing at the first. */
  skipBad?: boolean;
  /** Most spikes per yielded batch (default 8192). */
  batchSize?: number;
  /**
   * The unit id table the batches index into. Pass one to share it between
   * sources (ids are appended, never reordered); a new one by default.
   */
  unitIds?: string[];
}

/** What a reader found in a spike file; live while reading, final once iteration has ended. */
export interface SpikeReadSummary {
  readonly file: string;
  readonly format: TextFormat;
  /** Spikes yielded. */
  spikes: number;
  /** Distinct units among them. */
  units: number;
  /** Lines read, counting the header and blank lines. */
  lines: number;
  /** Bytes read from the file so far (read ahead by a block; for progress bars). */
  bytesRead: number;
  /** Malformed rows skipped (only with `skipBad`). */
  skipped: number;
  /** The first few skipped rows (up to 5), with line and reason. */
  skippedExamples: SkippedRow[];
  /** CSV/TSV columns or JSONL keys present but not used, each listed once. */
  ignoredFields: string[];
  /** Spikes earlier than a spike before them in the file (the binner's `lateness` must cover these). */
  outOfOrder: number;
  /** How far, at most, a spike lies before the latest time read before it, in seconds (0 for a sorted file). */
  maxBackstepSeconds: number;
  /** Time of the first and last spike in file order; null before the first. */
  firstTime: number | null;
  lastTime: number | null;
  /** Earliest and latest spike time; null before the first. Equal to first/last for a sorted file. */
  minTime: number | null;
  maxTime: number | null;
}

/**
 * The spikes of one text file, read once by `for await`. The summary can be
 * read at any time (counts so far, for a progress bar) and is complete when
 * the loop ends; breaking out of the loop closes the file.
 */
export interface SpikeTextSource extends AsyncIterable<RecordedSpikeBatch> {
  readonly file: string;
  readonly format: TextFormat;
  /** The growing id table every batch indexes into (the one passed in options, if any). */
  readonly unitIds: string[];
  readonly summary: Readonly<SpikeReadSummary>;
}

/**
 * Streams the spikes of a CSV, TSV or JSONL file as SpikeBatch objects of
 * up to `batchSize` spikes, in file order, reading line by line: memory
 * does not grow with the file, except for the unit id table.
 *
 * CSV/TSV: a header names the columns; the unit column is `unit` (also
 * `unit_id`, `cluster`, `cluster_id`, `neuron`), the time column the first
 * of `t`, `time`, `time_s`, `timestamp` (names compared without regard to
 * case; cells may be quoted). JSONL: one object per line with `unit` (a
 * string or a number) and a time key from the same lists (exact spelling;
 * the time may be a number or decimal text). Blank lines are skipped;
 * CRLF and a byte order mark are fine. Other columns and keys are ignored
 * and listed in `summary.ignoredFields`.
 *
 * A time must be a number of seconds from 0 to 2^32 (MAX_EVENT_SECONDS:
 * anything later is a corrupt value), a unit id non-empty. A
 * malformed row (ragged, broken quoting, bad JSON, missing key, bad time or
 * unit) is an InputFormatError naming file, line and column or key; with
 * `skipBad` it is counted in the summary instead. A header without a unit or
 * time column, an empty file, a file with no spike row, and (even with
 * `skipBad`) a file whose rows are all bad are errors. Times need not be
 * sorted: the summary counts those that go backwards.
 *
 * Each batch owns its typed arrays, sized exactly to the batch; `unitIds`
 * is the shared growing table (DESIGN §2), so ids stay valid for every
 * batch already yielded. `position[i]` is the line of spike i (1-based,
 * counting the header), so a message can name it.
 *
 * @example
 * const source = readSpikeText('session/spikes.csv', { skipBad: true });
 * for await (const batch of source) binner.push(batch);
 * if (source.summary.outOfOrder > 0) warn(`${source.summary.outOfOrder} spikes out of order`);
 */
export function readSpikeText(file: string, options: SpikeTextOptions = {}): SpikeTextSource {
  const format = textFormatOf(file, options.format);
  const batchSize = options.batchSize ?? DEFAULT_SPIKE_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1 << 24) {
    throw new UsageError(`batch size ${batchSize} cannot be used; expected a whole number of spikes from 1 to ${1 << 24}`);
  }
  const unitIds = options.unitIds ?? [];
  const summary: SpikeReadSummary = {
    file,
    format,
    spikes: 0,
    units: 0,
    lines: 0,
    bytesRead: 0,
    skipped: 0,
    skippedExamples: [],
    ignoredFields: [],
    outOfOrder: 0,
    maxBackstepSeconds: 0,
    firstTime: null,
    lastTime: null,
    minTime: null,
    maxTime: null,
  };
  let iterated = false;
  return {
    file,
    format,
    unitIds,
    summary,
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error(`the spikes of ${file} can be iterated only once; call readSpikeText again`);
      iterated = true;
      return spikeBatches(file, format, options.skipBad ?? false, batchSize, unitIds, summary);
    },
  };
}

async function* spikeBatches(
  file: string,
  format: TextFormat,
  skipBad: boolean,
  batchSize: number,
  unitIds: string[],
  summary: SpikeReadSummary,
): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
  const units = new UnitTable(unitIds);
  let times = new Float64Array(batchSize);
  let unitIndices = new Uint32Array(batchSize);
  let lineOfSpike = new Float64Array(batchSize);
  let filled = 0;
  let latest = -Infinity;
  let earliest = Infinity;
  let seenInFile = new Uint8Array(64);
  const row = format === 'jsonl' ? new JsonSpikeRow(file, skipBad, summary) : new DelimitedSpikeRow(file, format, skipBad, summary);

  for await (const lines of readLineChunks(file, summary)) {
    for (const line of lines) {
      const lineNumber = ++summary.lines;
      if (!row.parse(line, lineNumber)) continue;

      const t = row.time;
      const unit = units.indexOf(row.unit);
      if (unit >= seenInFile.length) {
        const grown = new Uint8Array(Math.max(seenInFile.length * 2, unit + 1));
        grown.set(seenInFile);
        seenInFile = grown;
      }
      if (seenInFile[unit] === 0) {
        seenInFile[unit] = 1;
        summary.units++;
      }
      if (t < latest) {
        summary.outOfOrder++;
        if (latest - t > summary.maxBackstepSeconds) summary.maxBackstepSeconds = latest - t;
      } else {
        latest = t;
      }
      if (t < earliest) earliest = t;
      if (summary.firstTime === null) summary.firstTime = t;
      summary.lastTime = t;
      summary.minTime = earliest;
      summary.maxTime = latest;
      summary.spikes++;

      times[filled] = t;
      unitIndices[filled] = unit;
      lineOfSpike[filled] = lineNumber;
      filled++;
      if (filled === batchSize) {
        // Fresh arrays for the next batch: the consumer may keep this one.
        const batch: RecordedSpikeBatch = { kind: 'spikes', t: times, unit: unitIndices, unitIds, position: lineOfSpike };
        times = new Float64Array(batchSize);
        unitIndices = new Uint32Array(batchSize);
        lineOfSpike = new Float64Array(batchSize);
        filled = 0;
        yield batch;
      }
    }
  }
  if (filled > 0) yield { kind: 'spikes', t: times.slice(0, filled), unit: unitIndices.slice(0, filled), unitIds, position: lineOfSpike.slice(0, filled) };
  if (summary.spikes === 0) throw row.noSpikesError();
}

/**
 * Ids to indices in a shared, growing id table. Another source may append
 * to the same table between our look-ups, so a miss first catches up with
 * what was appended before adding the id.
 */
class UnitTable {
  private readonly index = new Map<string, number>();
  private indexedUpTo = 0;

  constructor(private readonly ids: string[]) {}

  indexOf(id: string): number {
    const known = this.index.get(id);
    if (known !== undefined) return known;
    for (; this.indexedUpTo < this.ids.length; this.indexedUpTo++) {
      const other = this.ids[this.indexedUpTo];
      if (!this.index.has(other)) this.index.set(other, this.indexedUpTo);
    }
    const caughtUp = this.index.get(id);
    if (caughtUp !== undefined) return caughtUp;
    const added = this.ids.length;
    this.ids.push(id);
    this.index.set(id, added);
    this.indexedUpTo = added + 1;
    return added;
  }
}

/** Parses one line into `time` and `unit`; false for a blank line or a skipped bad row. */
interface SpikeRowParser {
  time: number;
  unit: string;
  parse(line: string, lineNumber: number): boolean;
  noSpikesError(): InputFormatError;
}

class DelimitedSpikeRow implements SpikeRowParser {
  time = 0;
  unit = '';
  private readonly table: DelimitedText;
  private names: readonly string[] = [];
  private unitColumn = -1;
  private timeColumn = -1;

  constructor(
    private readonly file: string,
    format: 'csv' | 'tsv',
    private readonly skipBad: boolean,
    private readonly summary: SpikeReadSummary,
  ) {
    this.table = new DelimitedText(file, {
      format,
      header: (names, lineNumber) => this.readHeader(names, lineNumber),
      badRow: (lineNumber, column, reason) => this.reject(lineNumber, column, reason),
    });
  }

  parse(line: string, lineNumber: number): boolean {
    const cells = this.table.cells(line, lineNumber);
    if (cells === undefined) return false;
    const names = this.names;
    const timeText = cellText(cells[this.timeColumn]);
    const time = parseSeconds(timeText);
    if (Number.isNaN(time)) return this.reject(lineNumber, names[this.timeColumn], badSecondsReason(timeText));
    const unit = cellText(cells[this.unitColumn]);
    if (unit === '') return this.reject(lineNumber, names[this.unitColumn], 'is empty; expected a unit id');
    this.time = time;
    this.unit = unit;
    return true;
  }

  noSpikesError(): InputFormatError {
    const expected = `a header naming a unit column (${quotedList(SPIKE_UNIT_COLUMNS)}) and a time column (${quotedList(SPIKE_TIME_COLUMNS)}), then one row per spike`;
    return this.table.noRowsError(expected, 'spike rows') ?? allRowsBadError(this.file, this.summary, 'spike row');
  }

  private readHeader(names: readonly string[], lineNumber: number): void {
    this.unitColumn = findColumn(names, SPIKE_UNIT_COLUMNS, this.file, lineNumber);
    this.timeColumn = findColumn(names, SPIKE_TIME_COLUMNS, this.file, lineNumber);
    const missing = [
      this.unitColumn < 0 ? `a unit column (${quotedList(SPIKE_UNIT_COLUMNS)})` : undefined,
      this.timeColumn < 0 ? `a time column in seconds (${quotedList(SPIKE_TIME_COLUMNS)})` : undefined,
    ].filter((part) => part !== undefined);
    if (missing.length > 0) throw this.table.missingColumnsError(missing);
    this.summary.ignoredFields.push(...unusedColumns(names, [this.unitColumn, this.timeColumn]));
    this.names = names;
  }

  private reject(lineNumber: number, column: string | undefined, reason: string): false {
    rejectRow(this.summary, this.skipBad, this.file, lineNumber, column, reason);
    return false;
  }
}

class JsonSpikeRow implements SpikeRowParser {
  time = 0;
  unit = '';
  private dataRows = 0;
  private readonly ignored: IgnoredKeys;

  constructor(
    private readonly file: string,
    private readonly skipBad: boolean,
    private readonly summary: SpikeReadSummary,
  ) {
    this.ignored = new IgnoredKeys(summary.ignoredFields);
  }

  parse(line: string, lineNumber: number): boolean {
    if (line.trim() === '') return false;
    this.dataRows++;
    const record = parseJsonRecord(line);
    if (typeof record === 'string') return this.reject(lineNumber, undefined, record);
    const unitKey = firstKey(record, SPIKE_UNIT_COLUMNS);
    if (unitKey === undefined) {
      return this.reject(lineNumber, 'unit', `has no key ${quotedList(SPIKE_UNIT_COLUMNS)}; expected a unit id`);
    }
    const timeKey = firstKey(record, SPIKE_TIME_COLUMNS);
    if (timeKey === undefined) {
      return this.reject(lineNumber, SPIKE_TIME_COLUMNS.join('|'), `has no key ${quotedList(SPIKE_TIME_COLUMNS)}; expected a time in seconds`);
    }
    const time = secondsFromJson(record[timeKey]);
    if (Number.isNaN(time)) return this.reject(lineNumber, timeKey, badSecondsReason(record[timeKey]));
    const unit = idFromJson(record[unitKey]);
    if (unit === undefined) return this.reject(lineNumber, unitKey, badIdReason(record[unitKey], 'unit id'));
    this.ignored.note(record, [unitKey, timeKey]);
    this.time = time;
    this.unit = unit;
    return true;
  }

  noSpikesError(): InputFormatError {
    if (this.dataRows === 0) {
      return new InputFormatError(
        `is empty; expected one JSON object per line with 'unit' and a time key (${quotedList(SPIKE_TIME_COLUMNS)})`,
        this.file,
      );
    }
    return allRowsBadError(this.file, this.summary, 'spike record');
  }

  private reject(lineNumber: number, key: string | undefined, reason: string): false {
    rejectRow(this.summary, this.skipBad, this.file, lineNumber, key, reason);
    return false;
  }
}
