import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { Hdf5File } from './hdf5File.ts';
import { readVectorIndex } from './vectorIndex.ts';

export const UNITS = '/units';
export const SPIKE_TIMES = '/units/spike_times';
export const SPIKE_TIMES_INDEX = '/units/spike_times_index';
export const UNIT_IDS = '/units/id';

/**
 * The /units table of an NWB file (nwb-schema core/nwb.misc.yaml, Units, a
 * DynamicTable): one row per unit, its id in `id`, its spikes (seconds) in
 * the ragged column spike_times + spike_times_index.
 */
export interface UnitsTable {
  /** Ids as the file names them (the text of each `id` value), one per row. */
  readonly ids: string[];
  /** Exclusive end of each unit's spikes in spike_times (validated). */
  readonly ends: Float64Array;
  /** Values in /units/spike_times. */
  readonly spikeCount: number;
  /** The smallest difference between two spike times (spike_times' `resolution` attribute), if the file gives it. */
  readonly resolutionSeconds: number | undefined;
  /** Columns of /units: `id`, then the table's colnames, then any other dataset that is not an index. */
  readonly columns: string[];
}

/**
 * Reads and checks the /units table: its id and spike_times_index (of the
 * same length), and spike_times (numbers). Spike times themselves are read
 * later, unit by unit, in slices.
 */
export function readUnitsTable(file: Hdf5File): UnitsTable {
  if (!file.isGroup(UNITS)) {
    throw new InputFormatError(`missing group ${UNITS}: this NWB file holds no sorted units (spike_times of a Units table)`, file.path);
  }
  for (const path of [UNIT_IDS, SPIKE_TIMES, SPIKE_TIMES_INDEX]) {
    if (!file.isDataset(path)) throw new InputFormatError(`missing dataset ${path}`, file.path);
  }
  const times = file.info(SPIKE_TIMES);
  if (times.kind !== 'float' && times.kind !== 'int' && times.kind !== 'uint') {
    throw new InputFormatError(`${SPIKE_TIMES} must hold numbers (seconds), it holds ${times.kind} values`, file.path);
  }
  if (times.shape.length !== 1) throw new InputFormatError(`${SPIKE_TIMES} must be one-dimensional, it has shape (${times.shape.join(', ')})`, file.path);
  const ends = readVectorIndex(file, SPIKE_TIMES_INDEX, SPIKE_TIMES);
  const idInfo = file.info(UNIT_IDS);
  if (idInfo.shape.length !== 1) throw new InputFormatError(`${UNIT_IDS} must be one-dimensional, it has shape (${idInfo.shape.join(', ')})`, file.path);
  if (idInfo.shape[0] !== ends.length) {
    throw new InputFormatError(`${UNIT_IDS} has ${idInfo.shape[0]} rows but ${SPIKE_TIMES_INDEX} has ${ends.length}: they must have one entry per unit`, file.path);
  }
  const ids = file.readText(UNIT_IDS);
  const resolution = file.attribute(SPIKE_TIMES, 'resolution');
  const resolutionValue = typeof resolution === 'number' ? resolution : ArrayBuffer.isView(resolution) ? Number((resolution as Float64Array)[0]) : NaN;
  return {
    ids,
    ends,
    spikeCount: times.shape[0],
    resolutionSeconds: resolutionValue > 0 && Number.isFinite(resolutionValue) ? resolutionValue : undefined,
    columns: tableColumns(file, UNITS),
  };
}

/**
 * A DynamicTable's columns: `id`, the names in its `colnames` attribute
 * (the table's own order), then any other dataset of the group; index
 * datasets (`<column>_index`) are part of their column, not columns.
 */
export function tableColumns(file: Hdf5File, tablePath: string): string[] {
  const members = file.members(tablePath).filter((name) => file.isDataset(`${tablePath}/${name}`));
  const present = new Set(members);
  const colnames = file.attribute(tablePath, 'colnames');
  const listed = Array.isArray(colnames) ? colnames.filter((name): name is string => typeof name === 'string' && present.has(name)) : [];
  const columns = ['id', ...listed];
  for (const name of members) {
    if (columns.includes(name) || (name.endsWith('_index') && present.has(name.slice(0, -'_index'.length)))) continue;
    columns.push(name);
  }
  return columns.filter((name) => present.has(name));
}

/**
 * One value per unit of a /units column, as text (strings as stored,
 * numbers in their shortest form, booleans 'true'/'false'). A column with
 * one list per unit (ragged, such as spike_times or electrodes) has no
 * single value to compare: that is a UsageError, as is an unknown column.
 */
export function unitColumnText(file: Hdf5File, table: UnitsTable, column: string): string[] {
  const path = `${UNITS}/${column}`;
  if (!table.columns.includes(column)) {
    throw new UsageError(`${file.path}: ${UNITS} has no column '${column}' (its columns: ${table.columns.join(', ')})`);
  }
  if (file.isDataset(`${path}_index`)) {
    throw new UsageError(`${file.path}: ${path} holds a list per unit (it has ${path}_index); --unit-filter compares one value per unit`);
  }
  const info = file.info(path);
  if (info.shape.length !== 1 || info.shape[0] !== table.ids.length) {
    throw new InputFormatError(`${path} has shape (${info.shape.join(', ')}), expected one value for each of the ${table.ids.length} units`, file.path);
  }
  if (info.kind === 'reference' || info.kind === 'other') {
    throw new UsageError(`${file.path}: ${path} holds ${info.kind === 'reference' ? 'references to other objects' : 'compound values'}, which --unit-filter cannot compare`);
  }
  return file.readText(path);
}

/** Which units a `--unit-filter column=value` keeps (row indices), and which it leaves out. */
export function selectUnits(file: Hdf5File, table: UnitsTable, filter: { column: string; value: string } | undefined): { kept: number[]; excluded: number[] } {
  const all = table.ids.map((_, row) => row);
  if (filter === undefined) return { kept: all, excluded: [] };
  const values = unitColumnText(file, table, filter.column);
  const wanted = filter.value.trim();
  return {
    kept: all.filter((row) => values[row].trim() === wanted),
    excluded: all.filter((row) => values[row].trim() !== wanted),
  };
}
