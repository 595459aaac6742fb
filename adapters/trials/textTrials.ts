import { InputFormatError, UsageError } from '../../src/errors.ts';
import { DelimitedText, findColumn, quotedList } from '../../src/io/delimitedText.ts';
import { readLineChunks } from '../../src/io/textLines.ts';
import type { TrialOnset } from '../../src/trials/trialBinner.ts';
import { LABEL_END_COLUMNS, LABEL_START_COLUMNS } from '../files/labelIntervalReader.ts';
import { badSecondsReason, cellText, idFromJson, parseJsonRecord, parseSeconds, secondsFromJson, textFormatOf } from '../files/textTable.ts';
import { conditionColumn, type TrialFile, type TrialReadOptions } from './trialFile.ts';

/** Onset columns of a text trials file without --trial-onset-column, in order of preference: a label file's start columns, then onset. */
export const TRIAL_ONSET_COLUMNS = [...LABEL_START_COLUMNS, 'onset', 'onset_s'] as const;

/** An onset cell that says the event did not happen: the trial is skipped, not an error. */
function isMissing(text: string): boolean {
  return text === '' || text.toLowerCase() === 'nan';
}

/** A condition cell without a condition: the trial is unlabeled. */
function conditionOf(text: string): string | null {
  return text === '' || text.toLowerCase() === 'nan' ? null : text;
}

/**
 * The trials of a CSV, TSV or JSONL file, a row (record) per trial: the
 * onset in seconds (0 to 2^32) from `onsetColumn` or TRIAL_ONSET_COLUMNS,
 * the condition from `labelColumn`, `label`, or the one column that is not a
 * time or an index. An end column may be there or not (it is not used).
 * An empty or NaN onset skips the trial (counted); an empty or NaN
 * condition leaves it unlabeled. Any other bad onset is an
 * InputFormatError naming file, line and column.
 */
export async function readTextTrials(path: string, options: TrialReadOptions): Promise<TrialFile> {
  const format = textFormatOf(path);
  const reader = format === 'jsonl' ? new JsonTrialRows(path, options) : new DelimitedTrialRows(path, format, options);
  let lineNumber = 0;
  for await (const lines of readLineChunks(path)) {
    for (const line of lines) reader.parse(line, ++lineNumber);
  }
  return reader.result();
}

/** The columns chosen from a header or a first record. */
interface ChosenColumns {
  onset: string;
  label: string;
}

/** Chooses the onset and condition columns among `names` (CSV/TSV: any case; JSONL keys: exact). */
function chooseColumns(path: string, names: readonly string[], options: TrialReadOptions, exact: boolean): ChosenColumns {
  const find = (name: string) => names.find((column) => (exact ? column === name : column.toLowerCase() === name.toLowerCase()));
  const listed = `its columns: ${names.join(', ')}`;
  let onset: string | undefined;
  if (options.onsetColumn !== undefined) {
    onset = find(options.onsetColumn);
    if (onset === undefined) throw new UsageError(`${path}: --trial-onset-column ${options.onsetColumn}: no such column (${listed})`);
  } else {
    onset = TRIAL_ONSET_COLUMNS.map(find).find((name) => name !== undefined);
    if (onset === undefined) {
      throw new InputFormatError(`has no onset column (${quotedList(TRIAL_ONSET_COLUMNS)}, or name one with --trial-onset-column NAME; ${listed})`, path);
    }
  }
  let label: string | undefined;
  if (options.labelColumn !== undefined) {
    label = find(options.labelColumn);
    if (label === undefined) throw new UsageError(`${path}: --label-column ${options.labelColumn}: no such column (${listed})`);
  } else {
    const ends = new Set<string>(LABEL_END_COLUMNS);
    const chosen = conditionColumn(names.filter((name) => name !== onset && !ends.has(name.toLowerCase())));
    if (typeof chosen !== 'string') {
      const why = chosen === undefined ? 'no column that could hold the conditions' : `several that could (${chosen.several.join(', ')})`;
      throw new UsageError(`${path}: no 'label' column and ${why}: name the trials' condition with --label-column NAME (${listed})`);
    }
    label = chosen;
  }
  return { onset, label };
}

class DelimitedTrialRows {
  private readonly table: DelimitedText;
  private names: readonly string[] = [];
  private onset = -1;
  private label = -1;
  private readonly trials: TrialOnset[] = [];
  private skipped = 0;

  constructor(
    private readonly path: string,
    format: 'csv' | 'tsv',
    private readonly options: TrialReadOptions,
  ) {
    this.table = new DelimitedText(path, {
      format,
      header: (names, lineNumber) => {
        const chosen = chooseColumns(path, names, options, false);
        this.onset = findColumn(names, [chosen.onset.toLowerCase()], path, lineNumber);
        this.label = findColumn(names, [chosen.label.toLowerCase()], path, lineNumber);
        this.names = names;
      },
      badRow: (lineNumber, column, reason) => {
        throw new InputFormatError(reason, path, lineNumber, column);
      },
    });
  }

  parse(line: string, lineNumber: number): void {
    const cells = this.table.cells(line, lineNumber);
    if (cells === undefined) return;
    const onsetText = cellText(cells[this.onset]);
    if (isMissing(onsetText)) {
      this.skipped++;
      return;
    }
    const onset = parseSeconds(onsetText);
    if (Number.isNaN(onset)) throw new InputFormatError(badSecondsReason(onsetText), this.path, lineNumber, this.names[this.onset]);
    this.trials.push({ onset, label: conditionOf(cellText(cells[this.label])) });
  }

  result(): TrialFile {
    const noRows = this.table.noRowsError(`a header naming an onset column (${quotedList(TRIAL_ONSET_COLUMNS)}) and a condition column, then one row per trial`, 'trial rows');
    if (noRows !== undefined) throw noRows;
    return { trials: this.trials, skipped: this.skipped, columns: [...this.names], onsetColumn: this.names[this.onset], labelColumn: this.names[this.label] };
  }
}

class JsonTrialRows {
  /** Keys seen, in order of first appearance. */
  private readonly keys: string[] = [];
  private readonly seen = new Set<string>();
  private chosen: ChosenColumns | undefined;
  private readonly trials: TrialOnset[] = [];
  private skipped = 0;

  constructor(
    private readonly path: string,
    private readonly options: TrialReadOptions,
  ) {}

  parse(line: string, lineNumber: number): void {
    if (line.trim() === '') return;
    const record = parseJsonRecord(line);
    if (typeof record === 'string') throw new InputFormatError(record, this.path, lineNumber);
    for (const key of Object.keys(record)) {
      if (!this.seen.has(key)) {
        this.seen.add(key);
        this.keys.push(key);
      }
    }
    const chosen = (this.chosen ??= chooseColumns(this.path, Object.keys(record), this.options, true));
    const value = record[chosen.onset];
    if (value === undefined || value === null || (typeof value === 'string' && isMissing(value.trim())) || Number.isNaN(value)) {
      this.skipped++;
      return;
    }
    const onset = secondsFromJson(value);
    if (Number.isNaN(onset)) throw new InputFormatError(badSecondsReason(value), this.path, lineNumber, chosen.onset);
    const label = idFromJson(record[chosen.label]);
    this.trials.push({ onset, label: label === undefined ? null : conditionOf(label) });
  }

  result(): TrialFile {
    if (this.chosen === undefined) throw new InputFormatError(`is empty; expected one JSON object per line with an onset (${quotedList(TRIAL_ONSET_COLUMNS)}) and a condition`, this.path);
    return { trials: this.trials, skipped: this.skipped, columns: this.keys, onsetColumn: this.chosen.onset, labelColumn: this.chosen.label };
  }
}
