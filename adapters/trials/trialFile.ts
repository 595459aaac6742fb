import type { TrialOnset } from '../../src/trials/trialBinner.ts';

/**
 * What a trials file gives (adapters/trials/readTrials.ts) and how its
 * columns are chosen, shared by the NWB and the text reader.
 */

/** Which columns of a trials file hold each trial's onset and its condition. */
export interface TrialReadOptions {
  /**
   * The column (any case in CSV/TSV; the exact key in JSONL; the exact
   * name in NWB) holding each trial's onset in seconds: the trial's start
   * or an event within it (`cue_time`). Default: `start_time` in NWB; in
   * text, the first of start, start_s, start_time, onset, onset_s.
   */
  onsetColumn?: string;
  /**
   * The column holding each trial's condition. Default: `label`, else the
   * one column that is neither a time nor an index (several: a UsageError
   * listing them).
   */
  labelColumn?: string;
}

/** The trials of a file. */
export interface TrialFile {
  /** In file order; label null for a trial without a condition (an empty cell, NaN). */
  trials: TrialOnset[];
  /** Trials left out because their onset is missing (NaN or empty: the event did not happen). */
  skipped: number;
  /** The table's columns (CSV/TSV header, JSONL keys, the NWB table's columns), as the file names them. */
  columns: string[];
  /** The columns used, as the file names them. */
  onsetColumn: string;
  labelColumn: string;
}

/** Columns whose name says they hold times: never taken as the condition unless named. */
export function isTimeColumn(name: string): boolean {
  return /(^|_)(time|times|s|start|end|stop|onset)$/i.test(name) || /^(start|end|stop|onset)(_|$)/i.test(name);
}

/** Columns that never hold the condition unless named: a row index, NWB's lists and references. */
export const NOT_CONDITION_COLUMNS = new Set(['', 'id', 'index', 'unnamed: 0', 'tags', 'tags_index', 'timeseries', 'timeseries_index']);

/** The one column that could hold the condition (`label` first), or a reason naming the candidates. */
export function conditionColumn(candidates: readonly string[]): string | { several: string[] } | undefined {
  const label = candidates.find((name) => name.toLowerCase() === 'label');
  if (label !== undefined) return label;
  const open = candidates.filter((name) => !isTimeColumn(name) && !NOT_CONDITION_COLUMNS.has(name.toLowerCase()));
  if (open.length === 1) return open[0];
  return open.length > 1 ? { several: open } : undefined;
}
