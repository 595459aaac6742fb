import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { Hdf5File } from './hdf5File.ts';
import { readVectorIndex } from './vectorIndex.ts';

/** Where pynwb writes the file's Units table (NWBFile.units). */
export const UNITS = '/units';
/** The default table's spike times (for messages about the default table). */
export const SPIKE_TIMES = '/units/spike_times';

/** Groups the search for units tables visits at most (a file with many groups is searched only that far). */
export const MAX_GROUPS_SEARCHED = 20_000;
/** How deep below the root the search for units tables looks (/processing/<module>/<table> is 3). */
export const MAX_SEARCH_DEPTH = 6;

/**
 * A Units table of an NWB file (nwb-schema core/nwb.misc.yaml, Units, a
 * DynamicTable), /units or one in a processing module: one row per unit,
 * its id in `id`, its spikes (seconds) in the ragged column spike_times +
 * spike_times_index.
 */
export interface UnitsTable {
  /** The table's group, e.g. '/units' or '/processing/ecephys/units'. */
  readonly path: string;
  /** `<path>/spike_times`. */
  readonly spikeTimesPath: string;
  /** Ids as the file names them (the text of each `id` value), one per row. */
  readonly ids: string[];
  /** Exclusive end of each unit's spikes in spike_times (validated). */
  readonly ends: Float64Array;
  /** Values in spike_times. */
  readonly spikeCount: number;
  /** The smallest difference between two spike times (spike_times' `resolution` attribute), if the file gives it. */
  readonly resolutionSeconds: number | undefined;
  /** Columns of the table: `id`, then the table's colnames, then any other dataset that is not an index. */
  readonly columns: string[];
}

/** An absolute HDF5 path from what a user types: 'processing/ecephys/units' → '/processing/ecephys/units'. */
export function unitsTablePath(option: string | undefined): string {
  if (option === undefined) return UNITS;
  const trimmed = option.trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Reads and checks a Units table (default /units; `tableOption` is what
 * --units-table gave): its id and spike_times_index (of the same length),
 * and spike_times (numbers). Spike times themselves are read later, unit by
 * unit, in slices. A missing table names the units tables the file does
 * hold (groups with spike_times and spike_times_index), so that a table in
 * a processing module is found.
 */
export function readUnitsTable(file: Hdf5File, tableOption?: string): UnitsTable {
  const path = unitsTablePath(tableOption);
  if (!file.isGroup(path)) {
    const found = findUnitsTables(file);
    const choose = found.length === 0 ? '' : `; units tables in the file: ${found.join(', ')} (choose one with --units-table ${found[0].slice(1)})`;
    if (tableOption !== undefined) {
      throw new UsageError(`${file.path}: --units-table ${tableOption}: the file has no group ${path}${found.length === 0 ? ' and no units table (a group with spike_times and spike_times_index) anywhere' : choose}`);
    }
    const none = found.length === 0 ? ': this NWB file holds no sorted units (spike_times of a Units table)' : choose;
    throw new InputFormatError(`missing group ${path}${none}`, file.path);
  }
  const spikeTimesPath = `${path}/spike_times`;
  const indexPath = `${path}/spike_times_index`;
  const idPath = `${path}/id`;
  for (const dataset of [idPath, spikeTimesPath, indexPath]) {
    if (!file.isDataset(dataset)) throw new InputFormatError(`missing dataset ${dataset}`, file.path);
  }
  const times = file.info(spikeTimesPath);
  if (times.kind !== 'float' && times.kind !== 'int' && times.kind !== 'uint') {
    throw new InputFormatError(`${spikeTimesPath} must hold numbers (seconds), it holds ${times.kind} values`, file.path);
  }
  if (times.shape.length !== 1) throw new InputFormatError(`${spikeTimesPath} must be one-dimensional, it has shape (${times.shape.join(', ')})`, file.path);
  const ends = readVectorIndex(file, indexPath, spikeTimesPath);
  const idInfo = file.info(idPath);
  if (idInfo.shape.length !== 1) throw new InputFormatError(`${idPath} must be one-dimensional, it has shape (${idInfo.shape.join(', ')})`, file.path);
  if (idInfo.shape[0] !== ends.length) {
    throw new InputFormatError(`${idPath} has ${idInfo.shape[0]} rows but ${indexPath} has ${ends.length}: they must have one entry per unit`, file.path);
  }
  const ids = file.readText(idPath);
  const resolution = file.attribute(spikeTimesPath, 'resolution');
  const resolutionValue = typeof resolution === 'number' ? resolution : ArrayBuffer.isView(resolution) ? Number((resolution as Float64Array)[0]) : NaN;
  return {
    path,
    spikeTimesPath,
    ids,
    ends,
    spikeCount: times.shape[0],
    resolutionSeconds: resolutionValue > 0 && Number.isFinite(resolutionValue) ? resolutionValue : undefined,
    columns: tableColumns(file, path),
  };
}

/**
 * Every group of the file that holds a units table (datasets spike_times
 * and spike_times_index), in the order HDF5 lists them, depth first. The
 * search is bounded (MAX_GROUPS_SEARCHED groups, MAX_SEARCH_DEPTH levels)
 * so that a file with a huge number of groups is answered in bounded time.
 */
export function findUnitsTables(file: Hdf5File, maxGroups = MAX_GROUPS_SEARCHED, maxDepth = MAX_SEARCH_DEPTH): string[] {
  const found: string[] = [];
  let visited = 0;
  const visit = (group: string, depth: number): void => {
    if (visited++ >= maxGroups) return;
    const prefix = group === '/' ? '' : group;
    const members = file.members(group);
    if (members.includes('spike_times') && members.includes('spike_times_index') && file.isDataset(`${prefix}/spike_times`)) found.push(group);
    if (depth === maxDepth) return;
    for (const name of members) {
      const child = `${prefix}/${name}`;
      if (file.isGroup(child)) visit(child, depth + 1);
    }
  };
  visit('/', 0);
  return found;
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
 * One value per unit of a units table's own column, as text (strings as
 * stored, numbers in their shortest form, booleans 'true'/'false'). A
 * column with one list per unit (ragged, such as spike_times or
 * electrodes) has no single value to compare: that is a UsageError.
 */
export function unitColumnText(file: Hdf5File, table: UnitsTable, column: string): string[] {
  const path = `${table.path}/${column}`;
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
