import { InputFormatError } from '../../src/errors.ts';
import type { Hdf5File } from './hdf5File.ts';
import { tableColumns, type UnitsTable } from './unitsTable.ts';
import { readVectorIndex, rowStart } from './vectorIndex.ts';

/** Where pynwb writes the electrodes table (NWBFile.electrodes), used when the region names no table. */
export const ELECTRODES = '/general/extracellular_ephys/electrodes';

/** Several distinct values of one unit's electrodes (a unit spanning CA1 and CA3) are joined with this. */
export const ELECTRODE_VALUE_SEPARATOR = '+';

/**
 * A units table's `electrodes` column joined to the electrodes table it
 * points into: the electrode rows of each unit, and the electrodes table's
 * columns that hold one plain value per electrode (location, group_name,
 * x, y, z, imp, …; reference columns such as `group` are left out).
 *
 * In NWB (nwb-schema core/nwb.misc.yaml, Units.electrodes) the column is a
 * DynamicTableRegion: integers that are row indices (not ids) of the table
 * its `table` attribute references, normally
 * /general/extracellular_ephys/electrodes; with `electrodes_index` (a
 * VectorIndex) each unit has a list of electrodes, without it exactly one.
 */
export interface UnitElectrodes {
  /** The electrodes table. */
  readonly tablePath: string;
  /** Its columns with one plain value per electrode. */
  readonly columns: string[];
  /** Electrode rows of each unit (one list per unit). */
  readonly rowsOfUnit: ReadonlyArray<ReadonlyArray<number>>;
}

/**
 * Reads the join of a units table to its electrodes, or undefined when the
 * units table has no `electrodes` column. An index that is not a whole
 * number in [0, rows) of the electrodes table is an InputFormatError naming
 * the dataset and the entry.
 */
export function readUnitElectrodes(file: Hdf5File, units: UnitsTable): UnitElectrodes | undefined {
  const regionPath = `${units.path}/electrodes`;
  if (!file.isDataset(regionPath)) return undefined;
  const tablePath = file.referencedPath(regionPath, 'table') ?? ELECTRODES;
  if (!file.isGroup(tablePath)) {
    throw new InputFormatError(`${regionPath} refers to the electrodes table ${tablePath}, which the file does not have`, file.path);
  }
  const electrodeRows = file.isDataset(`${tablePath}/id`) ? file.length(`${tablePath}/id`) : undefined;
  const info = file.info(regionPath);
  if ((info.kind !== 'int' && info.kind !== 'uint') || info.shape.length !== 1) {
    throw new InputFormatError(`${regionPath} must hold electrode row numbers (integers, one-dimensional), it holds ${info.kind} values of shape (${info.shape.join(', ')})`, file.path);
  }
  const indices = file.readNumbers(regionPath, 0, info.shape[0]);
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k];
    if (row < 0 || (electrodeRows !== undefined && row >= electrodeRows)) {
      throw new InputFormatError(`${regionPath}[${k}] is ${row}, not a row of ${tablePath} (0 to ${(electrodeRows ?? 0) - 1})`, file.path);
    }
  }
  const unitCount = units.ids.length;
  let rowsOfUnit: number[][];
  if (file.isDataset(`${regionPath}_index`)) {
    const ends = readVectorIndex(file, `${regionPath}_index`, regionPath);
    if (ends.length !== unitCount) throw new InputFormatError(`${regionPath}_index has ${ends.length} rows but ${units.path} has ${unitCount} units`, file.path);
    rowsOfUnit = Array.from(ends, (end, unit) => Array.from(indices.subarray(rowStart(ends, unit), end)));
  } else {
    if (indices.length !== unitCount) throw new InputFormatError(`${regionPath} has ${indices.length} rows but ${units.path} has ${unitCount} units`, file.path);
    rowsOfUnit = Array.from(indices, (row) => [row]);
  }
  const columns = tableColumns(file, tablePath).filter((column) => {
    if (column === 'id' || file.isDataset(`${tablePath}/${column}_index`)) return false;
    const columnInfo = file.info(`${tablePath}/${column}`);
    return columnInfo.shape.length === 1 && (electrodeRows === undefined || columnInfo.shape[0] === electrodeRows) && ['string', 'int', 'uint', 'float', 'enum'].includes(columnInfo.kind);
  });
  return { tablePath, columns, rowsOfUnit };
}

/**
 * Each unit's value in an electrodes column, as text: the value of its
 * electrode, or the distinct values of its electrodes in the order listed,
 * joined with '+' (a unit on a CA1 and a CA3 electrode is 'CA1+CA3'); ''
 * for a unit without electrodes.
 */
export function unitElectrodeText(file: Hdf5File, electrodes: UnitElectrodes, column: string): string[] {
  const values = file.readText(`${electrodes.tablePath}/${column}`);
  return electrodes.rowsOfUnit.map((rows) => [...new Set(rows.map((row) => values[row].trim()))].join(ELECTRODE_VALUE_SEPARATOR));
}
