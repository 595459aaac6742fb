import { extname } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { isValidEventTime, MAX_EVENT_SECONDS } from '../../src/stream/binIndex.ts';

// The Phy cluster tables read their cells with these (they were defined here before).
export { findColumn, headerNames, quotedList, splitCells } from '../../src/io/delimitedText.ts';

/**
 * What the spike and label readers share beside the delimited-text reader
 * (src/io/delimitedText.ts): the format of a file, numbers of seconds, and
 * ids and records of JSONL.
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

/** More distinct ignored JSONL keys than this are not listed (a summary must stay small). */
export const MAX_IGNORED_KEYS = 64;

/**
 * The JSONL keys a reader does not use, each listed once in `listed` (a
 * summary's `ignoredFields`), in order of first appearance, up to
 * MAX_IGNORED_KEYS.
 */
export class IgnoredKeys {
  private readonly seen = new Set<string>();

  constructor(private readonly listed: string[]) {}

  /** Lists the keys of `record` other than `used` not listed yet. */
  note(record: Record<string, unknown>, used: readonly string[]): void {
    if (this.seen.size >= MAX_IGNORED_KEYS) return;
    for (const key in record) {
      if (used.includes(key) || this.seen.has(key)) continue;
      this.seen.add(key);
      this.listed.push(key);
      if (this.seen.size >= MAX_IGNORED_KEYS) return;
    }
  }
}

/** The first of `candidates` that is a key of `record` (exact spelling), or undefined. */
export function firstKey(record: Record<string, unknown>, candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) if (Object.hasOwn(record, candidate)) return candidate;
  return undefined;
}

function truncate(text: string, limit = 40): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}
