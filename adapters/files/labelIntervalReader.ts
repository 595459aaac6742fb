import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { LabelInterval } from '../../src/stream/events.ts';
import { DelimitedText, findColumn, quotedList, unusedColumns } from '../../src/io/delimitedText.ts';
import { readLineChunks } from '../../src/io/textLines.ts';
import { allRowsBadError, rejectRow } from './badRows.ts';
import type { SkippedRow } from './badRows.ts';
import { badIdReason, badSecondsReason, cellText, firstKey, idFromJson, IgnoredKeys, parseJsonRecord, parseSeconds, secondsFromJson, textFormatOf } from './textTable.ts';
import type { TextFormat } from './textTable.ts';

/**
 * Names of the interval columns (CSV/TSV header, any case) or keys (JSONL),
 * in order of preference (DESIGN §2a); `start_time` and `stop_time` are
 * NWB's, as pynwb's `trials.to_dataframe().to_csv()` writes them.
 */
export const LABEL_START_COLUMNS = ['start', 'start_s', 'start_time'] as const;
export const LABEL_END_COLUMNS = ['end', 'end_s', 'stop_time', 'end_time'] as const;
/** The column that holds the mode unless --label-column names another. */
export const DEFAULT_LABEL_COLUMN = 'label';

/**
 * Columns that never hold the mode when no `label` column says which does:
 * a table's row index (pandas writes it as `id`, or unnamed) and NWB's
 * columns of lists and references (`tags`, `timeseries`).
 */
const NOT_MODE_COLUMNS = new Set(['', 'id', 'index', 'unnamed: 0', 'tags', 'tags_index', 'timeseries', 'timeseries_index']);

export interface LabelIntervalOptions {
  /** csv, tsv or jsonl; by default from the extension (.csv, .tsv/.tab, .jsonl/.ndjson). */
  format?: TextFormat;
  /** Count malformed rows in the summary and go on, instead of throwing at the first. */
  skipBad?: boolean;
  /**
   * The column (CSV/TSV, any case) or key (JSONL) that holds the mode.
   * Default: `label`, else the one column that is not a bound or an index;
   * several such columns must be chosen among (a UsageError lists them).
   */
  labelColumn?: string;
}

/** How often a label occurs in a file and for how long. */
export interface LabelTally {
  readonly label: string;
  intervals: number;
  seconds: number;
}

/** What a reader found in a label file. */
export interface LabelReadSummary {
  readonly file: string;
  readonly format: TextFormat;
  /** The column (or key) the modes were read from, as the file names it ('' before the header is read). */
  labelColumn: string;
  /** Intervals read. */
  intervals: number;
  /** Each label, in order of first appearance, with its count and total duration. */
  labels: LabelTally[];
  /** Lines read, counting the header and blank lines. */
  lines: number;
  /** Malformed rows skipped (only with `skipBad`). */
  skipped: number;
  /** The first few skipped rows (up to 5), with line and reason. */
  skippedExamples: SkippedRow[];
  /** CSV/TSV columns or JSONL keys present but not used, each listed once. */
  ignoredFields: string[];
  /** Intervals that start before the interval above them in the file. */
  outOfOrder: number;
  /** Intervals that overlap another (in start order: those starting before an earlier one has ended). */
  overlapping: number;
  /** The first few of them (up to 5), each with the interval it overlaps, by line. */
  overlapExamples: LabelOverlap[];
  /** Earliest start and latest end. */
  firstStart: number;
  lastEnd: number;
}

/** An interval (at `line`) that starts before another one (at `otherLine`) has ended. */
export interface LabelOverlap {
  readonly line: number;
  readonly interval: LabelInterval;
  readonly otherLine: number;
  readonly other: LabelInterval;
}

/** How many overlapping intervals a summary describes one by one. */
export const OVERLAP_EXAMPLES = 5;

export interface LabelIntervalFile {
  /** In file order. */
  intervals: LabelInterval[];
  summary: LabelReadSummary;
}

/**
 * Reads behavioral-mode intervals `[start, end)` from a CSV, TSV or JSONL
 * file: columns (or keys) `start`|`start_s`|`start_time`,
 * `end`|`end_s`|`stop_time`|`end_time` (seconds) and the mode, `label` or
 * the `labelColumn` option's (text; numeric text stays text, a JSON number
 * becomes its text).
 * CSV/TSV need a header (names compared without regard to case, cells may
 * be quoted); JSONL has one object per line (exact key spelling). Blank
 * lines, CRLF and a byte order mark are fine; other columns and keys are
 * listed in `summary.ignoredFields`.
 *
 * Each interval must have start and end from 0 to 2^32 s with end > start, and a
 * non-empty label; a malformed row is an InputFormatError naming file, line
 * and column, or with `skipBad` is counted in the summary. A header without
 * the three columns, an empty file, and a file without any valid interval
 * are errors. Intervals are returned in file order; the summary says whether
 * they were sorted and which overlap, by line (a label file is small, so it
 * is read whole).
 *
 * @example
 * const { intervals, summary } = await readLabelIntervals('labels_epoch.csv');
 * // intervals[0] = { kind: 'interval', start: 4397.0023, end: 5382.2539, label: 'run' }
 */
export async function readLabelIntervals(file: string, options: LabelIntervalOptions = {}): Promise<LabelIntervalFile> {
  const format = textFormatOf(file, options.format);
  const skipBad = options.skipBad ?? false;
  const summary: LabelReadSummary = {
    file,
    format,
    labelColumn: '',
    intervals: 0,
    labels: [],
    lines: 0,
    skipped: 0,
    skippedExamples: [],
    ignoredFields: [],
    outOfOrder: 0,
    overlapping: 0,
    overlapExamples: [],
    firstStart: Infinity,
    lastEnd: -Infinity,
  };
  const intervals: LabelInterval[] = [];
  const lineOfInterval: number[] = [];
  const tallies = new Map<string, LabelTally>();
  const row =
    format === 'jsonl' ? new JsonIntervalRow(file, skipBad, summary, options.labelColumn) : new DelimitedIntervalRow(file, format, skipBad, summary, options.labelColumn);

  for await (const lines of readLineChunks(file)) {
    for (const line of lines) {
      const lineNumber = ++summary.lines;
      const interval = row.parse(line, lineNumber);
      if (interval === undefined) continue;
      const previous = intervals[intervals.length - 1];
      if (previous !== undefined && interval.start < previous.start) summary.outOfOrder++;
      intervals.push(interval);
      lineOfInterval.push(lineNumber);
      let tally = tallies.get(interval.label);
      if (tally === undefined) {
        tally = { label: interval.label, intervals: 0, seconds: 0 };
        tallies.set(interval.label, tally);
        summary.labels.push(tally);
      }
      tally.intervals++;
      tally.seconds += interval.end - interval.start;
      if (interval.start < summary.firstStart) summary.firstStart = interval.start;
      if (interval.end > summary.lastEnd) summary.lastEnd = interval.end;
    }
  }
  if (intervals.length === 0) throw row.noIntervalsError();
  summary.intervals = intervals.length;
  findOverlaps(intervals, lineOfInterval, summary);
  return { intervals, summary };
}

/**
 * Counts the intervals that begin before an interval starting no later than
 * them has ended (in start order, against the one that reaches furthest),
 * and describes the first few with both lines.
 */
function findOverlaps(intervals: readonly LabelInterval[], lineOfInterval: readonly number[], summary: LabelReadSummary): void {
  const byStart = intervals.map((_, k) => k).sort((a, b) => intervals[a].start - intervals[b].start || intervals[a].end - intervals[b].end || a - b);
  let reaching = -1;
  for (const k of byStart) {
    const interval = intervals[k];
    if (reaching >= 0 && interval.start < intervals[reaching].end) {
      summary.overlapping++;
      if (summary.overlapExamples.length < OVERLAP_EXAMPLES) {
        summary.overlapExamples.push({ line: lineOfInterval[k], interval, otherLine: lineOfInterval[reaching], other: intervals[reaching] });
      }
    }
    if (reaching < 0 || interval.end > intervals[reaching].end) reaching = k;
  }
}

/**
 * A one-line note on the overlapping intervals of a label file, or
 * undefined when none overlap: "labels.csv: 2 label intervals overlap
 * another: line 7 (go [10, 12) s) overlaps line 6 (nogo [9, 11) s), …".
 */
export function overlapNote(summary: LabelReadSummary): string | undefined {
  if (summary.overlapping === 0) return undefined;
  const shown = (interval: LabelInterval) => `${interval.label} [${interval.start}, ${interval.end}) s`;
  const examples = summary.overlapExamples.map((o) => `line ${o.line} (${shown(o.interval)}) overlaps line ${o.otherLine} (${shown(o.other)})`);
  const more = summary.overlapping > examples.length ? ', …' : '';
  const plural = summary.overlapping === 1 ? 'interval overlaps' : 'intervals overlap';
  return `${summary.file}: ${summary.overlapping} label ${plural} another: ${examples.join(', ')}${more}; bins where two different labels meet are unlabeled`;
}

/** Checks an interval's parts; the reason it is bad, or undefined. */
function intervalProblem(start: number, end: number): string | undefined {
  return end > start ? undefined : `end ${end} is not after start ${start}; expected an interval [start, end) with end > start`;
}

class DelimitedIntervalRow {
  private readonly table: DelimitedText;
  private names: readonly string[] = [];
  private startColumn = -1;
  private endColumn = -1;
  private labelColumn = -1;

  constructor(
    private readonly file: string,
    format: 'csv' | 'tsv',
    private readonly skipBad: boolean,
    private readonly summary: LabelReadSummary,
    private readonly labelOption: string | undefined,
  ) {
    this.table = new DelimitedText(file, {
      format,
      header: (names, lineNumber) => this.readHeader(names, lineNumber),
      badRow: (lineNumber, column, reason) => this.reject(lineNumber, column, reason),
    });
  }

  /** The interval on a line; undefined for the header, a blank line or a skipped bad row. */
  parse(line: string, lineNumber: number): LabelInterval | undefined {
    const cells = this.table.cells(line, lineNumber);
    if (cells === undefined) return undefined;
    const names = this.names;
    const startText = cellText(cells[this.startColumn]);
    const start = parseSeconds(startText);
    if (Number.isNaN(start)) return this.reject(lineNumber, names[this.startColumn], badSecondsReason(startText));
    const endText = cellText(cells[this.endColumn]);
    const end = parseSeconds(endText);
    if (Number.isNaN(end)) return this.reject(lineNumber, names[this.endColumn], badSecondsReason(endText));
    const problem = intervalProblem(start, end);
    if (problem !== undefined) return this.reject(lineNumber, names[this.endColumn], problem);
    const label = cellText(cells[this.labelColumn]);
    if (label === '') return this.reject(lineNumber, names[this.labelColumn], 'is empty; expected a label');
    return { kind: 'interval', start, end, label };
  }

  noIntervalsError(): InputFormatError {
    const expected = `a header naming columns ${quotedList(LABEL_START_COLUMNS)}, ${quotedList(LABEL_END_COLUMNS)} and 'label', then one row per interval`;
    return this.table.noRowsError(expected, 'interval rows') ?? allRowsBadError(this.file, this.summary, 'interval row');
  }

  private readHeader(names: readonly string[], lineNumber: number): void {
    this.startColumn = findColumn(names, LABEL_START_COLUMNS, this.file, lineNumber);
    this.endColumn = findColumn(names, LABEL_END_COLUMNS, this.file, lineNumber);
    const bounds = this.startColumn >= 0 && this.endColumn >= 0;
    this.labelColumn = this.modeColumn(names, lineNumber, bounds);
    const missing = [
      this.startColumn < 0 ? `a start column (${quotedList(LABEL_START_COLUMNS)})` : undefined,
      this.endColumn < 0 ? `an end column (${quotedList(LABEL_END_COLUMNS)})` : undefined,
      this.labelColumn < 0 ? `a 'label' column (or --label-column NAME)` : undefined,
    ].filter((part) => part !== undefined);
    if (missing.length > 0) throw this.table.missingColumnsError(missing);
    this.summary.ignoredFields.push(...unusedColumns(names, [this.startColumn, this.endColumn, this.labelColumn]));
    this.summary.labelColumn = names[this.labelColumn];
    this.names = names;
  }

  /**
   * The column holding the mode: the one --label-column names (a
   * UsageError when the header has none), else `label`, else the one column
   * that is neither a bound nor an index; -1 when there is none. Several
   * such columns are a UsageError listing them (once the bounds are found:
   * without them the header is wrong anyway).
   */
  private modeColumn(names: readonly string[], lineNumber: number, bounds: boolean): number {
    if (this.labelOption !== undefined) {
      const chosen = findColumn(names, [this.labelOption.toLowerCase()], this.file, lineNumber);
      if (chosen < 0) throw new UsageError(`${this.file}: --label-column ${this.labelOption}: the header has no such column (its columns: ${names.join(', ')})`);
      return chosen;
    }
    const label = findColumn(names, [DEFAULT_LABEL_COLUMN], this.file, lineNumber);
    if (label >= 0) return label;
    const candidates = names
      .map((name, index) => ({ name, index }))
      .filter(({ name, index }) => index !== this.startColumn && index !== this.endColumn && !NOT_MODE_COLUMNS.has(name.toLowerCase()));
    if (candidates.length === 1) return candidates[0].index;
    if (candidates.length > 1 && bounds) {
      throw new UsageError(
        `${this.file}: no 'label' column, and several columns could hold the mode (${candidates.map(({ name }) => name).join(', ')}): choose one with --label-column NAME`,
      );
    }
    return -1;
  }

  private reject(lineNumber: number, column: string | undefined, reason: string): undefined {
    rejectRow(this.summary, this.skipBad, this.file, lineNumber, column, reason);
    return undefined;
  }
}

class JsonIntervalRow {
  private dataRows = 0;
  private readonly ignored: IgnoredKeys;
  /** The key holding the mode: --label-column's, else chosen on the first record (see modeKey). */
  private labelKey: string | undefined;

  constructor(
    private readonly file: string,
    private readonly skipBad: boolean,
    private readonly summary: LabelReadSummary,
    labelOption: string | undefined,
  ) {
    this.ignored = new IgnoredKeys(summary.ignoredFields);
    this.labelKey = labelOption;
    if (labelOption !== undefined) summary.labelColumn = labelOption;
  }

  parse(line: string, lineNumber: number): LabelInterval | undefined {
    if (line.trim() === '') return undefined;
    this.dataRows++;
    const record = parseJsonRecord(line);
    if (typeof record === 'string') return this.reject(lineNumber, undefined, record);
    const startKey = firstKey(record, LABEL_START_COLUMNS);
    if (startKey === undefined) return this.reject(lineNumber, 'start', `has no key ${quotedList(LABEL_START_COLUMNS)}; expected a start in seconds`);
    const endKey = firstKey(record, LABEL_END_COLUMNS);
    if (endKey === undefined) return this.reject(lineNumber, 'end', `has no key ${quotedList(LABEL_END_COLUMNS)}; expected an end in seconds`);
    const start = secondsFromJson(record[startKey]);
    if (Number.isNaN(start)) return this.reject(lineNumber, startKey, badSecondsReason(record[startKey]));
    const end = secondsFromJson(record[endKey]);
    if (Number.isNaN(end)) return this.reject(lineNumber, endKey, badSecondsReason(record[endKey]));
    const problem = intervalProblem(start, end);
    if (problem !== undefined) return this.reject(lineNumber, endKey, problem);
    const labelKey = (this.labelKey ??= this.modeKey(record, startKey, endKey));
    const label = idFromJson(record[labelKey]);
    if (label === undefined) return this.reject(lineNumber, labelKey, badIdReason(record[labelKey], labelKey === DEFAULT_LABEL_COLUMN ? 'label' : `mode ('${labelKey}', the --label-column)`));
    this.ignored.note(record, [startKey, endKey, labelKey]);
    return { kind: 'interval', start, end, label };
  }

  noIntervalsError(): InputFormatError {
    if (this.dataRows === 0) {
      return new InputFormatError(
        `is empty; expected one JSON object per line with ${quotedList(LABEL_START_COLUMNS)}, ${quotedList(LABEL_END_COLUMNS)} and 'label'`,
        this.file,
      );
    }
    return allRowsBadError(this.file, this.summary, 'interval record');
  }

  /**
   * The key holding the mode, chosen on the first record with bounds when
   * --label-column names none: `label`, else the one key that is neither a
   * bound nor an index (several are a UsageError listing them).
   */
  private modeKey(record: Record<string, unknown>, startKey: string, endKey: string): string {
    if (Object.hasOwn(record, DEFAULT_LABEL_COLUMN)) return (this.summary.labelColumn = DEFAULT_LABEL_COLUMN);
    const candidates = Object.keys(record).filter((key) => key !== startKey && key !== endKey && !NOT_MODE_COLUMNS.has(key.toLowerCase()));
    if (candidates.length > 1) {
      throw new UsageError(`${this.file}: no 'label' key, and several keys could hold the mode (${candidates.join(', ')}): choose one with --label-column NAME`);
    }
    return (this.summary.labelColumn = candidates[0] ?? DEFAULT_LABEL_COLUMN);
  }

  private reject(lineNumber: number, key: string | undefined, reason: string): undefined {
    rejectRow(this.summary, this.skipBad, this.file, lineNumber, key, reason);
    return undefined;
  }
}
