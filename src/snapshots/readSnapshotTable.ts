import { InputFormatError } from '../errors.ts';
import { DelimitedText, findColumn } from '../io/delimitedText.ts';
import { readLineChunks } from '../io/textLines.ts';
import { checkSnapshot, type Snapshot } from './snapshot.ts';

/**
 * Snapshots from a CSV or TSV table, one row per sample:
 *
 * ```
 * step,label,n0,n1,n2
 * 100,cat,0.12,0.80,0.05
 * 100,dog,0.40,0.10,0.90
 * 200,cat,0.15,0.70,0.11
 * ```
 *
 * The `step` and `label` columns (any case, anywhere in the header) say
 * which snapshot and which class; every other column is a neuron, named by
 * its header (names distinct and not empty). Consecutive rows with the same
 * step form one snapshot, and steps must go up from one snapshot to the
 * next, so the file is read as a stream (one snapshot in memory at a time).
 * An empty label cell is an unlabeled sample (null). Values are decimal
 * numbers.
 *
 * Every defect is an InputFormatError naming the file, the line and the
 * column: a missing `step` or `label` column, no neuron column, a neuron
 * named twice, a row of the wrong length, a step or value that is not a
 * finite decimal number, a step below the one before it.
 */
export async function* readSnapshotTable(file: string, format: 'csv' | 'tsv'): AsyncGenerator<Snapshot, void, undefined> {
  let stepColumn = -1;
  let labelColumn = -1;
  let neuronColumns: number[] = [];
  let neuronIds: string[] = [];
  const table = new DelimitedText(file, {
    format,
    header(names, lineNumber) {
      stepColumn = findColumn(names, ['step'], file, lineNumber);
      labelColumn = findColumn(names, ['label'], file, lineNumber);
      const missing = [];
      if (stepColumn < 0) missing.push("a 'step' column");
      if (labelColumn < 0) missing.push("a 'label' column");
      if (missing.length > 0) throw table.missingColumnsError(missing);
      neuronColumns = names.map((_, index) => index).filter((index) => index !== stepColumn && index !== labelColumn);
      if (neuronColumns.length === 0) throw new InputFormatError("the header names no neuron column: expected 'step', 'label', then one column per neuron", file, lineNumber);
      neuronIds = neuronColumns.map((index) => names[index]);
      const seen = new Set<string>();
      neuronColumns.forEach((index) => {
        const name = names[index];
        if (name === '') throw new InputFormatError(`column ${index + 1} of the header has no name; every neuron column needs one`, file, lineNumber);
        if (seen.has(name)) throw new InputFormatError(`neuron column '${name}' appears twice in the header`, file, lineNumber);
        seen.add(name);
      });
    },
    badRow(lineNumber, column, reason) {
      throw new InputFormatError(reason, file, lineNumber, column);
    },
  });

  let step: number | undefined;
  let firstLine = 0;
  let values: number[] = [];
  let labels: (string | null)[] = [];
  const finish = (): Snapshot =>
    checkSnapshot(
      { step: step as number, samples: labels.length, neurons: neuronIds.length, values: Float64Array.from(values), labels, neuronIds: [...neuronIds] },
      `${file}, the snapshot of step ${step} from line ${firstLine}`,
    );

  let lineNumber = 0;
  for await (const lines of readLineChunks(file)) {
    for (const line of lines) {
      const cells = table.cells(line, ++lineNumber);
      if (cells === undefined) continue;
      const names = table.names as readonly string[];
      const stepText = cells[stepColumn].trim();
      const rowStep = decimal(stepText);
      if (rowStep === undefined) throw new InputFormatError(`step '${stepText}' is not a finite decimal number`, file, lineNumber, names[stepColumn]);
      if (step !== undefined && rowStep !== step) {
        if (rowStep < step) {
          throw new InputFormatError(
            `step ${rowStep} comes after step ${step}: rows must be in step order, the rows of one snapshot together`,
            file,
            lineNumber,
            names[stepColumn],
          );
        }
        yield finish();
        values = [];
        labels = [];
      }
      if (step !== rowStep || labels.length === 0) firstLine = lineNumber;
      step = rowStep;
      const label = cells[labelColumn].trim();
      labels.push(label === '' ? null : label);
      for (const index of neuronColumns) {
        const text = cells[index].trim();
        const value = decimal(text);
        if (value === undefined) throw new InputFormatError(`value '${text}' is not a finite decimal number`, file, lineNumber, names[index]);
        values.push(value);
      }
    }
  }
  if (step === undefined) throw table.noRowsError("a header 'step,label,<neurons…>', then one row per sample", 'sample rows') as InputFormatError;
  yield finish();
}

// Plain decimal notation only: Number() would also take '0x1f', 'Infinity' and ''.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a decimal text holds, undefined if it is not one or not finite. */
function decimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
