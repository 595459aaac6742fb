import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputFormatError } from '../errors.ts';

/** Integer samples read from a CSV/TSV file whose header names the columns. */
export interface SampleTable {
  names: string[];
  /** One array per column. */
  columns: number[][];
}

const INTEGER = /^[+-]?\d+$/;

/**
 * Reads a table of integer symbols, one row per sample, streaming line by
 * line. The delimiter is a tab if the header holds one, else a comma. Blank
 * lines are skipped. A ragged row, a cell that is not an integer, or a file
 * with no header or no sample is an InputFormatError naming file, line and
 * column.
 */
export async function readSamplesCsv(file: string): Promise<SampleTable> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let names: string[] | undefined;
  let delimiter = ',';
  let columns: number[][] = [];
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      if (names === undefined) {
        delimiter = line.includes('\t') ? '\t' : ',';
        names = line.split(delimiter).map(unquote);
        const seen = new Set<string>();
        names.forEach((name, i) => {
          if (name === '') throw new InputFormatError(`header cell ${i + 1} is empty; every column needs a name`, file, lineNumber);
          if (seen.has(name)) throw new InputFormatError(`column name '${name}' appears twice in the header`, file, lineNumber);
          seen.add(name);
        });
        columns = names.map(() => []);
        continue;
      }
      const cells = line.split(delimiter);
      if (cells.length !== names.length) {
        throw new InputFormatError(
          `${cells.length} cells, but the header names ${names.length} columns`,
          file,
          lineNumber,
        );
      }
      for (let c = 0; c < cells.length; c++) {
        const cell = cells[c].trim();
        if (!INTEGER.test(cell)) {
          throw new InputFormatError(`'${cell}' is not an integer symbol`, file, lineNumber, names[c]);
        }
        columns[c].push(Number.parseInt(cell, 10));
      }
    }
  } catch (error) {
    if (error instanceof InputFormatError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputFormatError('no such file', file);
    if (code === 'EISDIR') throw new InputFormatError('is a folder, expected a CSV file', file);
    throw new InputFormatError(`cannot be read (${(error as Error).message})`, file);
  } finally {
    lines.close();
    stream.destroy();
  }
  if (names === undefined) throw new InputFormatError('is empty; expected a header line naming the columns, then one row per sample', file);
  if (columns[0].length === 0) throw new InputFormatError('has a header but no sample rows', file);
  return { names, columns };
}

function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}
