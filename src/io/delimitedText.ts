import { InputFormatError } from '../errors.ts';

/**
 * Delimited text (CSV and TSV), one reader for every table the analyzer
 * reads: spikes, label intervals and pre-binned measure samples. Lines come
 * from readLineChunks (src/io/textLines.ts: LF, CRLF or CR, a byte order
 * mark dropped, streamed); this file turns them into cells.
 */
export type Delimiter = ',' | '\t';

/**
 * The delimiter a header line shows. With a format, its own delimiter
 * (comma for csv, tab for tsv) if the header holds it, else the other one
 * if the header holds that (a tab-separated `.csv` is common), else its own.
 * Without one (a file whose name says nothing): a tab if the header holds
 * one, else a comma.
 */
export function delimiterOf(format: 'csv' | 'tsv' | undefined, headerLine: string): Delimiter {
  const own: Delimiter = format === 'tsv' ? '\t' : format === 'csv' ? ',' : headerLine.includes('\t') ? '\t' : ',';
  const other: Delimiter = own === '\t' ? ',' : '\t';
  return !headerLine.includes(own) && headerLine.includes(other) ? other : own;
}

/**
 * The cells of one CSV/TSV line, untrimmed. Cells may be quoted with `"`
 * as RFC 4180 has it (a quoted cell may hold the delimiter, and `""` stands
 * for a quote; blanks around the quotes are dropped), except that a quoted
 * cell cannot span lines. `undefined` when the quoting is broken (an
 * unclosed quote, or text after a closing quote).
 */
export function splitCells(line: string, delimiter: string): string[] | undefined {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  const length = line.length;
  let start = 0;
  for (;;) {
    let open = start;
    while (open < length && line[open] === ' ') open++;
    if (line[open] !== '"') {
      const next = line.indexOf(delimiter, start);
      if (next < 0) {
        cells.push(line.slice(start));
        return cells;
      }
      cells.push(line.slice(start, next));
      start = next + 1;
      continue;
    }
    let value = '';
    let position = open + 1;
    for (;;) {
      const quote = line.indexOf('"', position);
      if (quote < 0) return undefined;
      value += line.slice(position, quote);
      if (line[quote + 1] === '"') {
        value += '"';
        position = quote + 2;
      } else {
        position = quote + 1;
        break;
      }
    }
    while (position < length && line[position] === ' ') position++;
    cells.push(value);
    if (position >= length) return cells;
    if (line[position] !== delimiter) return undefined;
    start = position + 1;
  }
}

/** A header's column names, trimmed, as the file spells them. */
export function headerNames(line: string, delimiter: string, file: string, lineNumber: number): string[] {
  const cells = splitCells(line, delimiter);
  if (cells === undefined) throw new InputFormatError('the header has an unclosed quote', file, lineNumber);
  return cells.map((cell) => cell.trim());
}

/**
 * Index of the first of `candidates` (in their order of preference) that
 * names a header column, compared without regard to case; -1 if none does.
 * A chosen name that appears twice is an error: which one was meant?
 */
export function findColumn(names: readonly string[], candidates: readonly string[], file: string, lineNumber: number): number {
  const lower = names.map((name) => name.toLowerCase());
  for (const candidate of candidates) {
    const index = lower.indexOf(candidate);
    if (index < 0) continue;
    if (lower.indexOf(candidate, index + 1) >= 0) {
      throw new InputFormatError(`column '${names[index]}' appears twice in the header`, file, lineNumber);
    }
    return index;
  }
  return -1;
}

/** Header columns a reader does not use, as the file names them (an unnamed one as `(unnamed column N)`). */
export function unusedColumns(names: readonly string[], used: readonly number[]): string[] {
  const unused: string[] = [];
  names.forEach((name, index) => {
    if (!used.includes(index)) unused.push(name === '' ? `(unnamed column ${index + 1})` : name);
  });
  return unused;
}

/** `'a', 'b' or 'c'`: a list of names for an error message. */
export function quotedList(names: readonly string[], conjunction = 'or'): string {
  const quoted = names.map((name) => `'${name}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted[quoted.length - 1]}`;
}

export interface DelimitedTextOptions {
  /**
   * The delimiter the file's name promises, csv (comma) or tsv (tab); the
   * header may show the other (see delimiterOf). Undefined: a tab if the
   * header holds one, else a comma.
   */
  format?: 'csv' | 'tsv';
  /**
   * Takes the header's names (trimmed; `names`, `delimiter` and
   * `headerLine` are set by then) and throws if they will not do. Called
   * once, for the first line that is not blank.
   */
  header(names: readonly string[], lineNumber: number): void;
  /**
   * A malformed row: broken quoting, or not one cell per header column.
   * Throw, or return to skip the row. `column` is where the row goes wrong
   * (the first missing column, or the 1-based position of the first extra
   * cell), undefined for broken quoting.
   */
  badRow(lineNumber: number, column: string | undefined, reason: string): void;
}

/**
 * A CSV or TSV table read one line at a time, so that a caller can stream
 * a file of any size (with readLineChunks) and parse its cells as it goes:
 * blank lines (empty or only blanks) are skipped; the first other line is
 * the header, whose delimiter is the table's (delimiterOf); every later line
 * is a row of exactly as many cells as the header has names, quoted as
 * splitCells reads them. What a row's cells must hold is the caller's.
 *
 * @example
 * const table = new DelimitedText(file, {
 *   header: (names, line) => { if (!names.includes('t')) throw new InputFormatError("no column 't'", file, line); },
 *   badRow: (line, column, reason) => { throw new InputFormatError(reason, file, line, column); },
 * });
 * let lineNumber = 0;
 * for await (const lines of readLineChunks(file)) {
 *   for (const line of lines) {
 *     const cells = table.cells(line, ++lineNumber);
 *     if (cells !== undefined) use(cells);   // 'a,"b, c"' → ['a', 'b, c']
 *   }
 * }
 * if (table.dataRows === 0) throw table.noRowsError('a header, then one row per spike', 'spike rows');
 */
export class DelimitedText {
  /** The header's names, trimmed; undefined until the header is read. */
  names: readonly string[] | undefined;
  delimiter: Delimiter = ',';
  /** The header's line number (0 until it is read). */
  headerLine = 0;
  /** Lines after the header that are not blank, good or malformed. */
  dataRows = 0;

  constructor(
    readonly file: string,
    private readonly options: DelimitedTextOptions,
  ) {}

  /**
   * The cells of a row, untrimmed; undefined for a blank line, for the
   * header, and for a malformed row (after `badRow` has returned).
   */
  cells(line: string, lineNumber: number): string[] | undefined {
    if (line.trim() === '') return undefined;
    const names = this.names;
    if (names === undefined) {
      this.readHeader(line, lineNumber);
      return undefined;
    }
    this.dataRows++;
    const cells = splitCells(line, this.delimiter);
    if (cells === undefined) {
      this.options.badRow(lineNumber, undefined, 'has an unclosed quote or text after a closing quote');
      return undefined;
    }
    if (cells.length !== names.length) {
      const column = cells.length < names.length ? names[cells.length] || String(cells.length + 1) : String(names.length + 1);
      this.options.badRow(lineNumber, column, `${cells.length} cells, but the header names ${names.length} columns`);
      return undefined;
    }
    return cells;
  }

  /**
   * The error for a header that lacks columns a reader needs: it names the
   * columns found and how they were split, and each of `missing` (phrases
   * such as `a time column ('t' or 'time')`).
   */
  missingColumnsError(missing: readonly string[]): InputFormatError {
    const separator = this.delimiter === '\t' ? 'tab' : 'comma';
    return new InputFormatError(
      `the header has columns ${quotedList(this.names ?? [], 'and')} (${separator}-separated) but is missing ${missing.join(' and ')}; the first line must be the header`,
      this.file,
      this.headerLine,
    );
  }

  /**
   * Why a table gave no row: the file is empty (`expected` says what it
   * should hold), or holds a header alone (`rows` names what should follow
   * it). Undefined when rows came but none was good: the caller says why.
   */
  noRowsError(expected: string, rows: string): InputFormatError | undefined {
    if (this.names === undefined) return new InputFormatError(`is empty; expected ${expected}`, this.file);
    if (this.dataRows === 0) return new InputFormatError(`has a header but no ${rows}`, this.file);
    return undefined;
  }

  private readHeader(line: string, lineNumber: number): void {
    this.delimiter = delimiterOf(this.options.format, line);
    this.names = headerNames(line, this.delimiter, this.file, lineNumber);
    this.headerLine = lineNumber;
    this.options.header(this.names, lineNumber);
  }
}
