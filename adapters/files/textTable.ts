import { extname } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { isValidEventTime, MAX_EVENT_SECONDS } from '../../src/stream/binIndex.ts';

/**
 * What the text readers share: the format of a file, the cells of a CSV/TSV
 * row, the header's columns, and numbers of seconds.
 */
export type TextFormat = 'csv' | 'tsv' | 'jsonl';

const FORMAT_BY_EXTENSION: Record<string, TextFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format given, else the one the extension names (.csv, .tsv/.tab, .jsonl/.ndjson, any case). */
export function textFormatOf(file: string, format?: TextFormat): TextFormat {
  if (format !== undefined) return format;
  const extension = extname(file).toLowerCase();
  const known = FORMAT_BY_EXTENSION[extension];
  if (known === undefined) {
    throw new InputFormatError(
      `cannot tell the format from the extension '${extension}'; expected .csv, .tsv, .jsonl or .ndjson (or give the format)`,
      file,
    );
  }
  return known;
}

/**
 * The delimiter of a CSV/TSV file, from its header line: the format's own
 * (comma for csv, tab for tsv) if the header holds it, else the other one
 * if the header holds that (a tab-separated `.csv` is common), else the
 * format's own.
 */
export function delimiterOf(format: 'csv' | 'tsv', headerLine: string): string {
  const own = format === 'tsv' ? '\t' : ',';
  const other = format === 'tsv' ? ',' : '\t';
  return !headerLine.includes(own) && headerLine.includes(other) ? other : own;
}

/**
 * The cells of one CSV/TSV line, untrimmed. Cells may be quoted with `"`
 * (a quoted cell may hold the delimiter, and `""` stands for a quote);
 * quoted cells cannot span lines. `undefined` when the quoting is broken
 * (an unclosed quote, or text after a closing quote).
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

/** A cell's text without surrounding blanks. */
export function cellText(cell: string | undefined): string {
  return cell === undefined ? '' : cell.trim();
}

// Plain decimal notation only: Number() would also take '0x1f', 'Infinity' and ''.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A time in seconds written as decimal text; NaN unless it is a valid event
 * time (finite, ≥ 0 and at most MAX_EVENT_SECONDS, 2^32 s).
 */
export function parseSeconds(text: string): number {
  if (!DECIMAL.test(text)) return NaN;
  const seconds = Number(text);
  return isValidEventTime(seconds) ? seconds + 0 : NaN;
}

/** A time in seconds from a JSON value: a number, or decimal text; NaN unless a valid event time (see parseSeconds). */
export function secondsFromJson(value: unknown): number {
  if (typeof value === 'number') return isValidEventTime(value) ? value + 0 : NaN;
  if (typeof value === 'string') return parseSeconds(value.trim());
  return NaN;
}

/** Why a time value (text or JSON) is not a number of seconds from 0 to 2^32. */
export function badSecondsReason(value: unknown): string {
  const expected = `expected a number of seconds from 0 to 2^32 (${MAX_EVENT_SECONDS})`;
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return `is empty; ${expected}`;
  const shown = typeof value === 'string' ? `'${truncate(value.trim())}'` : truncate(JSON.stringify(value) ?? String(value));
  const number = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : NaN;
  if (Number.isNaN(number)) return `${shown} is not a number; ${expected}`;
  if (!Number.isFinite(number)) return `${shown} is not finite; ${expected}`;
  if (number < 0) return `${shown} is negative; ${expected}`;
  return `${shown} is beyond 2^32 s (about 136 years: a corrupt value); ${expected}`;
}

/** A label or unit id from a JSON value: a string or a finite number, as text; undefined otherwise or when empty. */
export function idFromJson(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    return text === '' ? undefined : text;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Why a JSON value is not a usable id (unit or label). */
export function badIdReason(value: unknown, what: string): string {
  if (value === undefined) return `is missing; expected a ${what}`;
  if (typeof value === 'string') return `is empty; expected a ${what}`;
  return `is ${truncate(JSON.stringify(value) ?? String(value))}; expected a ${what} (a string or a number)`;
}

/**
 * The object on one JSONL line, or the reason it is not one.
 * Arrays, `null` and bare values are not records.
 */
export function parseJsonRecord(line: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `is not valid JSON (${(error as Error).message}); expected one JSON object per line`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `holds ${Array.isArray(value) ? 'an array' : truncate(JSON.stringify(value))}, expected one JSON object per line`;
  }
  return value as Record<string, unknown>;
}

/** The first of `candidates` that is a key of `record` (exact spelling), or undefined. */
export function firstKey(record: Record<string, unknown>, candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) if (Object.hasOwn(record, candidate)) return candidate;
  return undefined;
}

function truncate(text: string, limit = 40): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}
