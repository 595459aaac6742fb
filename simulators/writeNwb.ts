import { randomUUID } from 'node:crypto';
import type { Dataset, Group } from 'h5wasm';
import { loadH5wasm } from '../adapters/nwb/hdf5File.ts';
import type { SessionToWrite } from './sampledSession.ts';

/**
 * Integer types a VectorIndex can be written with. hdmf writes the smallest
 * unsigned type that holds the largest entry; other writers use int64.
 */
export type NwbIndexDtype = 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int32' | 'int64';

/** A TimeIntervals table to write: rows [start, end) in seconds, optional columns (one value per row) and tags (a list per row). */
export interface IntervalTableToWrite {
  rows: ReadonlyArray<{ start: number; end: number }>;
  columns?: Readonly<Record<string, ReadonlyArray<string> | ReadonlyArray<number>>>;
  tags?: ReadonlyArray<ReadonlyArray<string>>;
}

/**
 * An electrodes table (nwb-schema core/nwb.file.yaml, the `electrodes`
 * DynamicTable of general/extracellular_ephys): `location` and `group_name`
 * per row, and more columns; each group name also becomes an
 * ElectrodeGroup, referenced by the `group` column, as pynwb writes them.
 */
export interface ElectrodesToWrite {
  location: readonly string[];
  groupName: readonly string[];
  columns?: Readonly<Record<string, ReadonlyArray<string> | ReadonlyArray<number>>>;
}

export interface NwbWriteOptions {
  /** /units/id values (ElementIdentifiers, int64). Default: the session's unit ids when all are integers, else 0, 1, 2, … */
  unitIds?: ReadonlyArray<number>;
  /** More /units columns, one value per unit (e.g. `quality: ['good', 'mua', …]`). */
  unitColumns?: Readonly<Record<string, ReadonlyArray<string> | ReadonlyArray<number>>>;
  /**
   * Where the Units table goes (default 'units', NWBFile.units); e.g.
   * 'processing/ecephys/units' puts it in a ProcessingModule as pynwb's
   * `nwbfile.create_processing_module('ecephys', …).add(units)` does.
   */
  unitsTablePath?: string;
  /** /general/extracellular_ephys/electrodes (none by default). */
  electrodes?: ElectrodesToWrite;
  /**
   * The electrodes of each unit, as row indices of the electrodes table:
   * written as the Units `electrodes` column (a DynamicTableRegion, ragged
   * with `electrodes_index`). Needs `electrodes`.
   */
  unitElectrodes?: ReadonlyArray<ReadonlyArray<number>>;
  /** Storage type of /units/spike_times (the schema's is float64). */
  spikeTimesDtype?: 'float64' | 'float32';
  /** Storage type of every VectorIndex (spike_times_index, tags_index). Default: the smallest unsigned type that fits, as hdmf writes. */
  indexDtype?: NwbIndexDtype;
  /** /intervals/trials. Default: the session's mode intervals in a column 'condition'; null writes no trials table. */
  trials?: IntervalTableToWrite | null;
  /** /intervals/epochs (none by default). */
  epochs?: IntervalTableToWrite;
  /** /intervals/invalid_times (none by default). */
  invalidTimes?: IntervalTableToWrite;
  /** Elements per HDF5 chunk of spike_times (default 8192: 64 KiB of float64, so that the 1 MiB chunk cache holds 16). */
  chunkSpikes?: number;
  /** Root `identifier` (default: a random UUID, as pynwb users typically give). */
  identifier?: string;
  /** ISO 8601 session start, also the timestamps reference time (default 2024-01-01T00:00:00+00:00). */
  sessionStartTime?: string;
}

/** Version of the NWB schema the written layout follows. */
export const NWB_VERSION = '2.7.0';

/** Spikes buffered per unit before a write, bounded so that all buffers together stay near 32 MB. */
const BUFFER_BUDGET_SPIKES = 1 << 22;

/**
 * Writes a session as an NWB 2.x file (HDF5) with h5wasm, laid out as
 * pynwb/hdmf write it (nwb-schema core/nwb.file.yaml, nwb.misc.yaml Units,
 * nwb.epoch.yaml TimeIntervals; hdmf-common table.yaml DynamicTable,
 * VectorData, VectorIndex, ElementIdentifiers; attribute mapping per the NWB
 * storage spec, storage_hdf5.rst: `neurodata_type`, `namespace`,
 * `object_id` on every typed object):
 *
 *   / (NWBFile: nwb_version, identifier, session_description,
 *      session_start_time, timestamps_reference_time, file_create_date;
 *      acquisition, analysis, general, processing, stimulus groups)
 *   /units (Units): id, spike_times (float64 seconds, with `resolution`
 *      1/sampleRate), spike_times_index (VectorIndex, `target` an object
 *      reference to spike_times), optional columns such as quality
 *   /intervals/trials, /intervals/epochs, /intervals/invalid_times
 *      (TimeIntervals): id, start_time, stop_time, columns, tags + tags_index
 *
 * Streaming: NWB stores each unit's spikes contiguously, while the session
 * yields them in time order. A first pass over `session.chunks()` counts
 * spikes per unit; a second buffers each unit's spikes (a bounded buffer
 * per unit) and writes full buffers with `write_slice` at the unit's place
 * in a chunked, resizable spike_times. Memory does not grow with the
 * session, so 50 million spikes can be written. The cached specification
 * (`/specifications`, optional per the storage spec) is not written.
 */
export async function writeNwb(path: string, session: SessionToWrite, options: NwbWriteOptions = {}): Promise<{ spikes: number; units: number }> {
  const h5wasm = await loadH5wasm();
  const unitCount = session.unitIds.length;
  const unitIds = options.unitIds ?? defaultUnitIds(session.unitIds);
  if (unitIds.length !== unitCount) throw new RangeError(`unitIds has ${unitIds.length} ids for ${unitCount} units`);

  // Pass 1: spikes per unit, so that each unit's place in spike_times is known.
  const counts = new Float64Array(unitCount);
  for (const chunk of session.chunks()) {
    for (let i = 0; i < chunk.unit.length; i++) {
      const unit = chunk.unit[i];
      if (unit >= unitCount) throw new RangeError(`a chunk names unit index ${unit}, the session has ${unitCount} units`);
      counts[unit]++;
    }
  }
  const ends = new Float64Array(unitCount);
  let total = 0;
  for (let u = 0; u < unitCount; u++) ends[u] = total += counts[u];

  const file = new h5wasm.File(path, 'w');
  try {
    const start = options.sessionStartTime ?? '2024-01-01T00:00:00+00:00';
    typed(file, 'NWBFile', 'core');
    file.create_attribute('nwb_version', NWB_VERSION);
    text(file, 'identifier', options.identifier ?? randomUUID());
    text(file, 'session_description', 'simulated population with planted synergistic and redundant pairs');
    text(file, 'session_start_time', start);
    text(file, 'timestamps_reference_time', start);
    file.create_dataset({ name: 'file_create_date', data: [new Date().toISOString()], dtype: 'S' });
    for (const name of ['acquisition', 'analysis', 'general', 'processing', 'stimulus']) file.create_group(name);
    file.create_group('stimulus/presentation');
    file.create_group('stimulus/templates');

    const electrodesTable = options.electrodes === undefined ? undefined : electrodes(file, options.electrodes);
    const unitsPath = (options.unitsTablePath ?? 'units').replace(/^\/+/, '');
    const parts = unitsPath.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const path = parts.slice(0, depth).join('/');
      if (file.get(path) !== null) continue;
      const module = file.create_group(path);
      if (depth === 2 && parts[0] === 'processing') {
        typed(module, 'ProcessingModule', 'core');
        module.create_attribute('description', 'processed extracellular electrophysiology data');
      }
    }
    const units = file.create_group(unitsPath);
    const columns = options.unitColumns ?? {};
    typed(units, 'Units', 'core');
    const regionColumns = options.unitElectrodes === undefined ? [] : ['electrodes'];
    units.create_attribute('colnames', ['spike_times', ...regionColumns, ...Object.keys(columns)], null, 'S');
    units.create_attribute('description', 'simulated units');
    identifiers(units, unitIds);
    const spikeTimes = units.create_dataset({
      name: 'spike_times',
      data: options.spikeTimesDtype === 'float32' ? new Float32Array(0) : new Float64Array(0),
      shape: [0],
      maxshape: [null],
      chunks: [options.chunkSpikes ?? 8192],
    });
    vectorData(spikeTimes, 'the spike times for each unit in seconds');
    spikeTimes.create_attribute('resolution', 1 / session.sampleRate, null, '<d');
    vectorIndex(units, 'spike_times', ends, spikeTimes, options.indexDtype);
    if (options.unitElectrodes !== undefined) {
      if (electrodesTable === undefined) throw new RangeError('unitElectrodes needs an electrodes table');
      if (options.unitElectrodes.length !== unitCount) throw new RangeError(`unitElectrodes has ${options.unitElectrodes.length} lists for ${unitCount} units`);
      const flat = options.unitElectrodes.flat();
      const region = units.create_dataset({ name: 'electrodes', data: BigInt64Array.from(flat, (row) => BigInt(row)) });
      typed(region, 'DynamicTableRegion', 'hdmf-common');
      region.create_attribute('description', 'the electrodes each unit was recorded on');
      region.create_attribute('table', electrodesTable.create_reference());
      let end = 0;
      vectorIndex(
        units,
        'electrodes',
        options.unitElectrodes.map((list) => (end += list.length)),
        region,
        options.indexDtype,
      );
    }
    for (const [name, values] of Object.entries(columns)) column(units, name, values, unitCount);

    // Pass 2: each unit's spikes, buffered, written at the unit's place.
    if (total > 0) spikeTimes.resize([total]);
    writeSpikeTimes(spikeTimes, session, ends, counts, options.spikeTimesDtype ?? 'float64');

    const trials =
      options.trials === null
        ? undefined
        : (options.trials ?? { rows: session.labels, columns: { condition: session.labels.map((interval) => interval.label) } });
    const tables: Array<[string, IntervalTableToWrite | undefined, string]> = [
      ['trials', trials, 'experimental trials'],
      ['epochs', options.epochs, 'experimental epochs'],
      ['invalid_times', options.invalidTimes, 'time intervals to be removed from analysis'],
    ];
    if (tables.some(([, table]) => table !== undefined)) {
      const intervals = file.create_group('intervals');
      for (const [name, table, description] of tables) {
        if (table !== undefined) timeIntervals(intervals, name, table, description, options.indexDtype);
      }
    }
  } finally {
    file.close();
  }
  return { spikes: total, units: unitCount };
}

/** /general/extracellular_ephys with its ElectrodeGroups and electrodes table; returns the table. */
function electrodes(file: Group, table: ElectrodesToWrite): Group {
  const rows = table.location.length;
  if (table.groupName.length !== rows) throw new RangeError(`electrodes: ${table.groupName.length} group names for ${rows} locations`);
  const ephys = file.create_group('general/extracellular_ephys');
  const device = file.create_group('general/devices').create_group('probe');
  typed(device, 'Device', 'core');
  const groups = new Map<string, Group>();
  for (const name of table.groupName) {
    if (groups.has(name)) continue;
    const group = ephys.create_group(name);
    typed(group, 'ElectrodeGroup', 'core');
    group.create_attribute('description', `electrode group ${name}`);
    group.create_attribute('location', table.location[table.groupName.indexOf(name)]);
    groups.set(name, group);
  }
  const electrodesTable = ephys.create_group('electrodes');
  typed(electrodesTable, 'DynamicTable', 'hdmf-common');
  const columns = table.columns ?? {};
  electrodesTable.create_attribute('colnames', ['location', 'group', 'group_name', ...Object.keys(columns)], null, 'S');
  electrodesTable.create_attribute('description', 'metadata about extracellular electrodes');
  identifiers(
    electrodesTable,
    table.location.map((_, k) => k),
  );
  column(electrodesTable, 'location', table.location, rows);
  // The `group` column holds object references to each row's ElectrodeGroup.
  const references = table.groupName.map((name) => groups.get(name)!.create_reference());
  const group = electrodesTable.create_dataset({ name: 'group', data: references as never });
  vectorData(group, 'a reference to the ElectrodeGroup this electrode is a part of');
  column(electrodesTable, 'group_name', table.groupName, rows);
  for (const [name, values] of Object.entries(columns)) column(electrodesTable, name, values, rows);
  return electrodesTable;
}

function defaultUnitIds(ids: readonly string[]): number[] {
  const numbers = ids.map(Number);
  const integers = ids.every((id, k) => id.trim() !== '' && Number.isSafeInteger(numbers[k]));
  return integers ? numbers : ids.map((_, k) => k);
}

function writeSpikeTimes(dataset: Dataset, session: SessionToWrite, ends: Float64Array, counts: Float64Array, dtype: 'float64' | 'float32'): void {
  const unitCount = ends.length;
  const bufferSpikes = Math.max(1024, Math.min(1 << 16, Math.floor(BUFFER_BUDGET_SPIKES / Math.max(1, unitCount))));
  const make = (n: number) => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
  const buffers = Array.from({ length: unitCount }, (_, u) => make(Math.min(bufferSpikes, counts[u])));
  const filled = new Uint32Array(unitCount);
  /** Where the next write of each unit goes in spike_times. */
  const written = Float64Array.from(ends, (end, u) => end - counts[u]);
  const flush = (u: number) => {
    if (filled[u] === 0) return;
    dataset.write_slice([[written[u], written[u] + filled[u]]], buffers[u].subarray(0, filled[u]));
    written[u] += filled[u];
    filled[u] = 0;
  };
  for (const chunk of session.chunks()) {
    const { samples, unit } = chunk;
    for (let i = 0; i < samples.length; i++) {
      const u = unit[i];
      buffers[u][filled[u]++] = samples[i] / session.sampleRate;
      if (filled[u] === buffers[u].length) flush(u);
    }
  }
  for (let u = 0; u < unitCount; u++) flush(u);
  for (let u = 0; u < unitCount; u++) {
    if (written[u] !== ends[u]) throw new Error(`unit ${u}: the session's chunks gave a different number of spikes on the second pass`);
  }
}

/** The attributes hdmf writes on every typed object. */
function typed(object: Group | Dataset, neurodataType: string, namespace: 'core' | 'hdmf-common'): void {
  object.create_attribute('namespace', namespace);
  object.create_attribute('neurodata_type', neurodataType);
  object.create_attribute('object_id', randomUUID());
}

function text(group: Group, name: string, value: string): void {
  group.create_dataset({ name, data: value, dtype: 'S' });
}

function vectorData(dataset: Dataset, description: string): void {
  typed(dataset, 'VectorData', 'hdmf-common');
  dataset.create_attribute('description', description);
}

function identifiers(table: Group, ids: ReadonlyArray<number>): void {
  const dataset = table.create_dataset({ name: 'id', data: BigInt64Array.from(ids, (id) => BigInt(id)) });
  typed(dataset, 'ElementIdentifiers', 'hdmf-common');
}

/** A column of one value per row: text as variable-length UTF-8, numbers as float64 (int64 when all are integers). */
function column(table: Group, name: string, values: ReadonlyArray<string> | ReadonlyArray<number>, rows: number): Dataset {
  if (values.length !== rows) throw new RangeError(`column ${name} has ${values.length} values for ${rows} rows`);
  const numbers = values.length > 0 && typeof values[0] === 'number';
  const dataset = numbers
    ? table.create_dataset({
        name,
        data: (values as number[]).every(Number.isSafeInteger) ? BigInt64Array.from(values as number[], (v) => BigInt(v)) : Float64Array.from(values as number[]),
      })
    : table.create_dataset({ name, data: [...(values as string[])], shape: [values.length], dtype: 'S' });
  vectorData(dataset, `${name} of each row`);
  return dataset;
}

/** A VectorIndex `<target>_index`: entry i is the exclusive end of row i's elements in the target (hdmf-common table.yaml). */
function vectorIndex(table: Group, target: string, ends: ArrayLike<number>, targetDataset: Dataset, dtype?: NwbIndexDtype): void {
  const last = ends.length > 0 ? ends[ends.length - 1] : 0;
  const chosen = dtype ?? (last < 2 ** 8 ? 'uint8' : last < 2 ** 16 ? 'uint16' : last < 2 ** 32 ? 'uint32' : 'uint64');
  const arrays = {
    uint8: () => Uint8Array.from(ends),
    uint16: () => Uint16Array.from(ends),
    uint32: () => Uint32Array.from(ends),
    int32: () => Int32Array.from(ends),
    uint64: () => BigUint64Array.from(Array.from(ends, (end) => BigInt(end))),
    int64: () => BigInt64Array.from(Array.from(ends, (end) => BigInt(end))),
  };
  const dataset = table.create_dataset({ name: `${target}_index`, data: arrays[chosen]() });
  typed(dataset, 'VectorIndex', 'hdmf-common');
  dataset.create_attribute('description', `Index for VectorData '${target}'`);
  dataset.create_attribute('target', targetDataset.create_reference());
}

function timeIntervals(parent: Group, name: string, table: IntervalTableToWrite, description: string, indexDtype?: NwbIndexDtype): void {
  const group = parent.create_group(name);
  const columns = table.columns ?? {};
  typed(group, 'TimeIntervals', 'core');
  const colnames = ['start_time', 'stop_time', ...(table.tags === undefined ? [] : ['tags']), ...Object.keys(columns)];
  group.create_attribute('colnames', colnames, null, 'S');
  group.create_attribute('description', description);
  identifiers(
    group,
    table.rows.map((_, k) => k),
  );
  vectorData(group.create_dataset({ name: 'start_time', data: Float64Array.from(table.rows, (row) => row.start) }), 'Start time of epoch, in seconds');
  vectorData(group.create_dataset({ name: 'stop_time', data: Float64Array.from(table.rows, (row) => row.end) }), 'Stop time of epoch, in seconds');
  if (table.tags !== undefined) {
    if (table.tags.length !== table.rows.length) throw new RangeError(`${name}: ${table.tags.length} tag lists for ${table.rows.length} rows`);
    const flat = table.tags.flat();
    const tags = group.create_dataset({ name: 'tags', data: flat, shape: [flat.length], dtype: 'S' });
    vectorData(tags, 'user-defined tags');
    let end = 0;
    vectorIndex(
      group,
      'tags',
      table.tags.map((list) => (end += list.length)),
      tags,
      indexDtype,
    );
  }
  for (const [columnName, values] of Object.entries(columns)) column(group, columnName, values, table.rows.length);
}
