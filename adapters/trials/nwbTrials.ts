import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { TrialOnset } from '../../src/trials/trialBinner.ts';
import { Hdf5File } from '../nwb/hdf5File.ts';
import { readIntervalTable, rowLabels, type IntervalTable } from '../nwb/intervalTables.ts';
import { conditionColumn, type TrialFile, type TrialReadOptions } from './trialFile.ts';

/** The NWB table of trials (nwb-schema core/nwb.file.yaml: NWBFile.intervals.trials, a TimeIntervals). */
export const NWB_TRIALS_TABLE = 'trials';

/**
 * The trials of an NWB file's /intervals/trials, read with the project's
 * interval-table reader (adapters/nwb/intervalTables.ts): the onset from
 * `start_time` or the numeric column `onsetColumn` names (an event time such
 * as `cue_time`), the condition from a column of text, numbers (as decimal
 * text) or booleans, or ragged text such as `tags` (several joined with
 * '+'). A NaN or infinite onset skips its trial (counted); an empty or NaN
 * condition leaves it unlabeled.
 */
export async function readNwbTrials(path: string, options: TrialReadOptions): Promise<TrialFile> {
  const file = await Hdf5File.open(path);
  try {
    const table = readIntervalTable(file, NWB_TRIALS_TABLE);
    if (table === undefined) throw new InputFormatError(`has no /intervals/${NWB_TRIALS_TABLE} table to read trials from`, path);
    const columns = table.columns;
    const onsetColumn = options.onsetColumn ?? 'start_time';
    const onsets = readOnsets(file, table, onsetColumn);
    const labelColumn = chooseLabelColumn(file, table, options.labelColumn, onsetColumn);
    const labels = rowLabels(file, table, labelColumn);
    const trials: TrialOnset[] = [];
    let skipped = 0;
    for (let row = 0; row < onsets.length; row++) {
      if (!Number.isFinite(onsets[row])) skipped++;
      else trials.push({ onset: onsets[row], label: labels[row] });
    }
    return { trials, skipped, columns, onsetColumn, labelColumn };
  } finally {
    file.close();
  }
}

/** The numeric columns of one value per trial: those that can hold onsets. */
function timeColumns(file: Hdf5File, table: IntervalTable): string[] {
  return table.columns.filter((column) => column !== 'id' && isNumberPerRow(file, table, column));
}

function isNumberPerRow(file: Hdf5File, table: IntervalTable, column: string): boolean {
  const path = `${table.path}/${column}`;
  if (!file.isDataset(path) || file.isDataset(`${path}_index`)) return false;
  const info = file.info(path);
  return info.shape.length === 1 && info.shape[0] === table.start.length && ['float', 'int', 'uint'].includes(info.kind);
}

/** Each trial's onset from `column` (start_time, or another numeric column of one value per trial). */
function readOnsets(file: Hdf5File, table: IntervalTable, column: string): Float64Array {
  if (column === 'start_time') return table.start;
  const times = timeColumns(file, table);
  if (!table.columns.includes(column)) {
    throw new UsageError(`${file.path}: --trial-onset-column ${column}: ${table.path} has no such column (its columns of times: ${times.join(', ')}; all: ${table.columns.join(', ')})`);
  }
  if (!times.includes(column)) {
    const path = `${table.path}/${column}`;
    const what = file.isDataset(`${path}_index`) ? 'a list per trial' : `${file.info(path).kind} values, not one number per trial`;
    throw new UsageError(`${file.path}: --trial-onset-column ${column}: ${path} holds ${what}; onsets need a column of times (${times.join(', ')})`);
  }
  return file.readNumbers(`${table.path}/${column}`, 0, table.start.length);
}

/**
 * The condition column: the one `--label-column` names (it must hold one
 * value per trial, or ragged text), else `label`, else the one column that
 * is not a time nor an index; otherwise a UsageError listing the columns.
 */
function chooseLabelColumn(file: Hdf5File, table: IntervalTable, named: string | undefined, onsetColumn: string): string {
  if (named !== undefined) {
    if (table.labelColumns.includes(named)) return named;
    const why = table.columns.includes(named) ? `'${named}' cannot hold conditions (one text, number or boolean per trial)` : `no column '${named}'`;
    throw new UsageError(`${file.path}: --label-column ${named}: ${table.path} has ${why} (its columns: ${table.columns.join(', ')})`);
  }
  const chosen = conditionColumn(table.labelColumns.filter((column) => column !== onsetColumn));
  if (typeof chosen === 'string') return chosen;
  const why = chosen === undefined ? 'no column that could hold the conditions' : `several that could (${chosen.several.join(', ')})`;
  throw new UsageError(`${file.path}: ${table.path} has no 'label' column and ${why}: name the trials' condition with --label-column NAME (its columns: ${table.columns.join(', ')})`);
}
