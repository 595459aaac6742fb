import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { LabelInterval } from '../../src/stream/events.ts';
import type { Hdf5File } from './hdf5File.ts';
import { tableColumns } from './unitsTable.ts';
import { readVectorIndex, rowStart } from './vectorIndex.ts';

/** Interval tables whose columns can hold modes, in the order a label column is looked for. */
export const LABEL_TABLES = ['trials', 'epochs'] as const;
export type LabelTableName = (typeof LABEL_TABLES)[number];
export const INVALID_TIMES = '/intervals/invalid_times';

/** Columns of a TimeIntervals table that are not modes. */
const NOT_LABELS = new Set(['id', 'start_time', 'stop_time', 'timeseries']);

/** Several tags (or values of another ragged text column) of one interval are joined with this into one label. */
export const TAG_SEPARATOR = '+';

/**
 * A TimeIntervals table (nwb-schema core/nwb.epoch.yaml, a DynamicTable):
 * one row per interval [start_time, stop_time) in seconds, and columns
 * that describe it, one value per row or (ragged, like `tags` with
 * `tags_index`) a list per row.
 */
export interface IntervalTable {
  readonly path: string;
  readonly start: Float64Array;
  readonly stop: Float64Array;
  /** Columns that can hold a mode: one text, number or boolean per row, or ragged text such as `tags`. */
  readonly labelColumns: string[];
  /** Every column of the table, for error messages. */
  readonly columns: string[];
}

/** Reads /intervals/<name> (its bounds and which columns can hold modes), or undefined if the file has none. */
export function readIntervalTable(file: Hdf5File, name: string): IntervalTable | undefined {
  const path = `/intervals/${name}`;
  if (!file.isGroup(path)) return undefined;
  for (const bound of ['start_time', 'stop_time']) {
    if (!file.isDataset(`${path}/${bound}`)) throw new InputFormatError(`missing dataset ${path}/${bound}`, file.path);
  }
  const rows = file.length(`${path}/start_time`);
  if (file.length(`${path}/stop_time`) !== rows) {
    throw new InputFormatError(`${path}/start_time has ${rows} rows but ${path}/stop_time has ${file.length(`${path}/stop_time`)}`, file.path);
  }
  const start = file.readNumbers(`${path}/start_time`, 0, rows);
  const stop = file.readNumbers(`${path}/stop_time`, 0, rows);
  const columns = tableColumns(file, path);
  const labelColumns = columns.filter((column) => {
    if (NOT_LABELS.has(column)) return false;
    const info = file.info(`${path}/${column}`);
    if (file.isDataset(`${path}/${column}_index`)) return info.kind === 'string' && info.shape.length === 1;
    return info.shape.length === 1 && info.shape[0] === rows && ['string', 'int', 'uint', 'float', 'enum'].includes(info.kind);
  });
  return { path, start, stop, labelColumns, columns };
}

/**
 * What a row of a ragged text column (tags) with several values labels:
 * 'join' — one mode of its own, the values joined with '+' in their stored
 * order (tags ['go', 'left'] make 'go+left'); 'first' — its first value;
 * 'drop' — nothing (the row is left unlabeled, and counted).
 */
export const MULTI_TAG_POLICIES = ['join', 'first', 'drop'] as const;
export type MultiTagPolicy = (typeof MULTI_TAG_POLICIES)[number];

/**
 * Each row's mode in a column, or null for a row without one (an empty
 * value, NaN, an interval without tags). A ragged text column (tags) gives
 * the row's value, or for a row with several, what `multiTag` says
 * (default 'join': tags ['go', 'left'] make the mode 'go+left').
 */
export function rowLabels(file: Hdf5File, table: IntervalTable, column: string, multiTag: MultiTagPolicy = 'join'): Array<string | null> {
  const path = `${table.path}/${column}`;
  const rows = table.start.length;
  if (file.isDataset(`${path}_index`)) {
    return raggedRowValues(file, table, column).map((tags) => {
      if (tags.length === 0) return null;
      if (tags.length === 1 || multiTag === 'first') return tags[0];
      return multiTag === 'join' ? tags.join(TAG_SEPARATOR) : null;
    });
  }
  const values = file.readText(path);
  if (values.length !== rows) throw new InputFormatError(`${path} has ${values.length} rows but ${table.path}/start_time has ${rows}`, file.path);
  return values.map((value) => (value.trim() === '' || value === 'NaN' ? null : value));
}

/** How many values each row of a column holds: its number of (non-empty) tags for a ragged column, else 1. */
export function valuesPerRow(file: Hdf5File, table: IntervalTable, column: string): number[] {
  if (!file.isDataset(`${table.path}/${column}_index`)) return Array.from(table.start, () => 1);
  return raggedRowValues(file, table, column).map((tags) => tags.length);
}

/** The non-empty values of each row of a ragged text column, in stored order. */
function raggedRowValues(file: Hdf5File, table: IntervalTable, column: string): string[][] {
  const path = `${table.path}/${column}`;
  const rows = table.start.length;
  const ends = readVectorIndex(file, `${path}_index`, path);
  if (ends.length !== rows) throw new InputFormatError(`${path}_index has ${ends.length} rows but ${table.path}/start_time has ${rows}`, file.path);
  const values = file.readText(path);
  return Array.from(ends, (end, row) => values.slice(rowStart(ends, row), end).filter((tag) => tag.trim() !== ''));
}

/** Rows whose bounds cannot make an interval (not numbers, or stop not after start). */
export function badRows(table: IntervalTable): number {
  let bad = 0;
  for (let row = 0; row < table.start.length; row++) if (!(table.stop[row] > table.start[row])) bad++;
  return bad;
}

/**
 * Finds the table that holds a label column: the one named by `labelTable`,
 * else whichever of /intervals/trials and /intervals/epochs has it. A
 * column that both tables have is ambiguous: the user must choose with
 * --label-table (a silent choice could measure the wrong modes). Unknown
 * columns are a UsageError listing the candidate columns of each table.
 */
export function findLabelTable(file: Hdf5File, column: string, labelTable: LabelTableName | undefined): IntervalTable {
  const names = labelTable === undefined ? [...LABEL_TABLES] : [labelTable];
  const tables = names.map((name) => ({ name, table: readIntervalTable(file, name) }));
  const present = tables.filter((entry) => entry.table !== undefined) as Array<{ name: LabelTableName; table: IntervalTable }>;
  if (present.length === 0) {
    const which = names.map((name) => `/intervals/${name}`).join(' or ');
    throw new UsageError(`${file.path}: --label-column ${column}: the file has no ${which} table; give the modes with --labels FILE`);
  }
  const holding = present.filter((entry) => entry.table.labelColumns.includes(column));
  if (holding.length === 1) return holding[0].table;
  if (holding.length > 1) {
    throw new UsageError(`${file.path}: both /intervals/trials and /intervals/epochs have a column '${column}': choose one with --label-table trials or --label-table epochs`);
  }
  const known = present.map((entry) => `${entry.table.path} has ${entry.table.labelColumns.length > 0 ? entry.table.labelColumns.join(', ') : 'no label column'}`);
  const isBound = present.some((entry) => entry.table.columns.includes(column));
  const why = isBound ? `'${column}' is not a column of modes` : `no column '${column}'`;
  throw new UsageError(`${file.path}: --label-column: ${why} (${known.join('; ')})`);
}

/** The spans of /intervals/invalid_times, merged and sorted (empty if the file has none). */
export function readInvalidSpans(file: Hdf5File): Array<{ start: number; end: number }> {
  const table = readIntervalTable(file, 'invalid_times');
  if (table === undefined) return [];
  const spans: Array<{ start: number; end: number }> = [];
  for (let row = 0; row < table.start.length; row++) {
    if (table.stop[row] > table.start[row]) spans.push({ start: table.start[row], end: table.stop[row] });
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/**
 * The labeled intervals of a table, [start_time, stop_time) per row with
 * its mode, minus the invalid spans (which are left unlabeled: an interval
 * that overlaps one is cut into the pieces outside it), in time order.
 * Rows without a mode or with stop_time ≤ start_time give no interval.
 */
export function labelIntervals(
  table: IntervalTable,
  labels: ReadonlyArray<string | null>,
  invalid: ReadonlyArray<{ start: number; end: number }>,
): LabelInterval[] {
  const intervals: LabelInterval[] = [];
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    if (label === null || !(table.stop[row] > table.start[row])) continue;
    for (const piece of subtractSpans(table.start[row], table.stop[row], invalid)) {
      intervals.push({ kind: 'interval', start: piece.start, end: piece.end, label });
    }
  }
  return intervals.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** [start, end) minus sorted, disjoint spans: the pieces that remain, in order. */
export function subtractSpans(start: number, end: number, spans: ReadonlyArray<{ start: number; end: number }>): Array<{ start: number; end: number }> {
  const pieces: Array<{ start: number; end: number }> = [];
  let from = start;
  for (const span of spans) {
    if (span.end <= from) continue;
    if (span.start >= end) break;
    if (span.start > from) pieces.push({ start: from, end: span.start });
    from = Math.max(from, span.end);
    if (from >= end) break;
  }
  if (from < end) pieces.push({ start: from, end });
  return pieces;
}
