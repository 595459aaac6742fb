import { UsageError } from '../../src/errors.ts';
import { noUnitKeptError, passes, type UnitFilter } from '../unitFilter.ts';
import type { Hdf5File } from './hdf5File.ts';
import { readUnitElectrodes, unitElectrodeText, type UnitElectrodes } from './unitElectrodes.ts';
import { unitColumnText, type UnitsTable } from './unitsTable.ts';

/**
 * What a unit can be selected by: the units table's own columns (quality,
 * …) and, through its `electrodes` column, the columns of the electrodes
 * table (location, group_name, …). A column of the units table wins over an
 * electrodes column of the same name.
 */
export class UnitColumns {
  private joined: UnitElectrodes | undefined | null = null;
  private readonly cache = new Map<string, string[]>();

  constructor(
    private readonly file: Hdf5File,
    readonly units: UnitsTable,
  ) {}

  /** The join to the electrodes table (read once), or undefined when the units table has no electrodes column. */
  get electrodes(): UnitElectrodes | undefined {
    if (this.joined === null) this.joined = readUnitElectrodes(this.file, this.units);
    return this.joined;
  }

  /** Whether a column names something a unit can be selected by. */
  has(column: string): boolean {
    return this.units.columns.includes(column) || (this.electrodes?.columns.includes(column) ?? false);
  }

  /**
   * Each unit's value in a column, as text. An unknown column is a
   * UsageError that lists the columns of the units table and of its
   * electrodes.
   */
  text(column: string): string[] {
    const known = this.cache.get(column);
    if (known !== undefined) return known;
    let values: string[];
    if (this.units.columns.includes(column)) {
      values = unitColumnText(this.file, this.units, column);
    } else if (this.electrodes?.columns.includes(column)) {
      values = unitElectrodeText(this.file, this.electrodes, column);
    } else {
      const electrodes = this.electrodes;
      const through = electrodes === undefined ? '' : `; electrode columns through ${this.units.path}/electrodes: ${electrodes.columns.join(', ') || 'none'}`;
      throw new UsageError(`${this.file.path}: ${this.units.path} has no column '${column}' (its columns: ${this.units.columns.join(', ')}${through})`);
    }
    this.cache.set(column, values);
    return values;
  }

  /** Each unit's location (its own `location` column, else its electrodes'), or undefined when the file gives none. */
  locations(): string[] | undefined {
    return this.has('location') ? this.text('location') : undefined;
  }
}

/**
 * Which rows of the units table the filters keep (every filter must hold)
 * and which they leave out. Filters that keep no unit are an
 * EmptySelectionError naming the filter and the values present.
 */
export function selectUnits(columns: UnitColumns, filters: readonly UnitFilter[], source: string): { kept: number[]; excluded: number[] } {
  const all = columns.units.ids.map((_, row) => row);
  if (filters.length === 0) return { kept: all, excluded: [] };
  const values = filters.map((filter) => columns.text(filter.column));
  const keep = (row: number) => filters.every((filter, k) => passes(filter, values[k][row]));
  const kept = all.filter(keep);
  if (kept.length === 0) throw noUnitKeptError(source, 'unit', filters, (filter) => values[filters.indexOf(filter)]);
  return { kept, excluded: all.filter((row) => !keep(row)) };
}
