import { extname } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import type { TrialFile, TrialReadOptions } from './trialFile.ts';
import { readNwbTrials } from './nwbTrials.ts';
import { readTextTrials } from './textTrials.ts';

export type { TrialFile, TrialReadOptions } from './trialFile.ts';

/** File extensions read as an NWB file's /intervals/trials table. */
const NWB_EXTENSIONS = new Set(['.nwb']);
const TEXT_EXTENSIONS = new Set(['.csv', '.tsv', '.tab', '.jsonl', '.ndjson']);

/**
 * Reads trials — each one's onset and condition — from `--trials FILE`:
 * an NWB file's /intervals/trials table (.nwb, which may be the recording
 * itself) or a CSV/TSV/JSONL table with a row per trial (an end column is
 * not needed). Numeric conditions become their decimal text. A trial whose
 * onset is NaN or empty is skipped and counted: an event column such as
 * `response_time` is NaN in trials without the event. A malformed row or
 * column is an InputFormatError naming the file, line (text) and column; an
 * unknown column named by an option is a UsageError listing the columns.
 *
 * @example
 * const { trials, skipped } = await readTrials('session.nwb', { onsetColumn: 'cue_time', labelColumn: 'condition' });
 * // trials[0] = { onset: 12.503, label: 'left' }
 */
export async function readTrials(path: string, options: TrialReadOptions = {}): Promise<TrialFile> {
  const extension = extname(path).toLowerCase();
  let read: TrialFile;
  if (NWB_EXTENSIONS.has(extension)) read = await readNwbTrials(path, options);
  else if (TEXT_EXTENSIONS.has(extension)) read = await readTextTrials(path, options);
  else {
    throw new InputFormatError(
      `cannot tell the format of a trials file from the extension '${extension}'; expected .nwb (its /intervals/trials), .csv, .tsv, .jsonl or .ndjson`,
      path,
    );
  }
  if (read.trials.length === 0) {
    const why = read.skipped > 0 ? `: all ${read.skipped} rows have no onset in '${read.onsetColumn}'` : '';
    throw new InputFormatError(`holds no trial${why}`, path);
  }
  return read;
}
