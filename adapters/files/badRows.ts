import { InputFormatError } from '../../src/errors.ts';

/** How many skipped rows a summary describes one by one. */
export const SKIPPED_EXAMPLES = 5;

/** A row a reader skipped (with `skipBad`), and why. */
export interface SkippedRow {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The column (CSV/TSV) or key (JSONL) at fault, when one is. */
  readonly column?: string;
  readonly reason: string;
}

/** The part of a reader's summary that counts skipped rows. */
export interface SkipTally {
  skipped: number;
  skippedExamples: SkippedRow[];
}

/**
 * A malformed row: an InputFormatError naming file, line and column, unless
 * `skipBad` is set, in which case the row is counted in `tally` (and the
 * first few described) and the reader goes on.
 */
export function rejectRow(
  tally: SkipTally,
  skipBad: boolean,
  file: string,
  line: number,
  column: string | undefined,
  reason: string,
): void {
  if (!skipBad) throw new InputFormatError(reason, file, line, column);
  tally.skipped++;
  if (tally.skippedExamples.length < SKIPPED_EXAMPLES) {
    tally.skippedExamples.push(column === undefined ? { line, reason } : { line, column, reason });
  }
}

/** The error for a file in which every row was bad (nothing to read is never what a user wants). */
export function allRowsBadError(file: string, tally: SkipTally, what: string): InputFormatError {
  const first = tally.skippedExamples[0];
  const where = first === undefined ? '' : ` (first: line ${first.line}${first.column === undefined ? '' : `, column ${first.column}`}: ${first.reason})`;
  return new InputFormatError(`has no valid ${what}: all ${tally.skipped} rows were malformed and skipped${where}`, file);
}
