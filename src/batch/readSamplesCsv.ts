import { InputFormatError } from '../errors.ts';
import { DelimitedText } from '../io/delimitedText.ts';
import { readLineChunks } from '../io/textLines.ts';

/** Integer samples read from a CSV/TSV file whose header names the columns. */
export interface SampleTable {
  names: string[];
  /** One array per column. */
  columns: number[][];
}

const INTEGER = /^[+-]?\d+$/;

/**
 * Reads a table of integer symbols, one row per sample, streaming line by
 * line through the delimited-text reader (src/io/delimitedText.ts): the
 * delimiter is a tab if the header holds one, else a comma; cells may be
 * quoted (`"a, b"`, `""` for a quote); blank lines are skipped; CRLF, CR and
 * a byte order mark are fine. Every column needs a name of its own. A ragged
 * row, broken quoting, a cell that is not an integer, or a file with no
 * header or no sample is an InputFormatError naming file, line and (for a
 * cell) column.
 *
 * @example
 * // pair.csv: "x1","x2","y, the mode"\n0,1,1\n1,1,0
 * const { names, columns } = await readSamplesCsv('pair.csv');
 * // names = ['x1', 'x2', 'y, the mode'], columns = [[0, 1], [1, 1], [1, 0]]
 */
export async function readSamplesCsv(file: string): Promise<SampleTable> {
  let names: string[] = [];
  let columns: number[][] = [];
  const table = new DelimitedText(file, {
    header: (header, lineNumber) => {
      checkNames(header, file, lineNumber);
      names = [...header];
      columns = names.map(() => []);
    },
    // By line alone, as `synergy measure` has always named a ragged row.
    badRow: (lineNumber, _column, reason) => {
      throw new InputFormatError(reason, file, lineNumber);
    },
  });
  let lineNumber = 0;
  for await (const lines of readLineChunks(file)) {
    for (const line of lines) {
      const cells = table.cells(line, ++lineNumber);
      if (cells === undefined) continue;
      for (let c = 0; c < cells.length; c++) {
        const cell = cells[c].trim();
        if (!INTEGER.test(cell)) {
          throw new InputFormatError(`'${cell}' is not an integer symbol`, file, lineNumber, names[c]);
        }
        columns[c].push(Number.parseInt(cell, 10));
      }
    }
  }
  const noRows = table.noRowsError('a header line naming the columns, then one row per sample', 'sample rows');
  if (noRows !== undefined) throw noRows;
  return { names, columns };
}

/** Every column needs a name, and a name of its own: `--target` chooses by name. */
function checkNames(names: readonly string[], file: string, lineNumber: number): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') throw new InputFormatError(`header cell ${i + 1} is empty; every column needs a name`, file, lineNumber);
    if (seen.has(name)) throw new InputFormatError(`column name '${name}' appears twice in the header`, file, lineNumber);
    seen.add(name);
  });
}
