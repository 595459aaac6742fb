import type { LabelChange, LabelInterval, SpikeBatch } from '../src/stream/events.ts';
import type { MultiTagPolicy } from './nwb/intervalTables.ts';
import type { UnitFilter } from './unitFilter.ts';

/** Formats `synergy replay` and `synergy inspect` read. */
export const RECORDING_FORMATS = ['csv', 'tsv', 'jsonl', 'nwb', 'phy', 'openephys', 'nev'] as const;
export type RecordingFormat = (typeof RECORDING_FORMATS)[number];

/** A time range to read, in seconds of the recording's own clock; either end open. */
export interface TimeRange {
  start?: number;
  end?: number;
}

/** What `synergy inspect` prints about a recording, so a user can choose options before a long replay. */
export interface RecordingDescription {
  format: RecordingFormat;
  path: string;
  /** Units with their spike counts (after any unit filter), in the order the reader yields their ids. */
  units: Array<{ id: string; spikes: number; [detail: string]: string | number }>;
  /** Earliest and latest spike time, seconds (null if no spike). */
  firstSpike: number | null;
  lastSpike: number | null;
  /** Samples per second where the format has one. */
  sampleRate?: number;
  /**
   * Where modes can come from: each a column, tag set or event line with the
   * values seen (how many intervals or events, and their total seconds where
   * intervals).
   */
  labelSources: Array<{ name: string; values: Array<{ label: string; count: number; seconds?: number }> }>;
  /** Anything else a user should know (unsorted file, dropped units, clock notes). */
  notes: string[];
}

/** What one pass over a recording's spikes left out or found out of order, for the replay's summary. */
export interface RecordingReadSummary {
  /**
   * Spikes (or events) the reader left out, by cause, e.g.
   * `{ 'unsorted spikes (cluster 0)': 120, 'TTL events of unmapped states': 3 }`.
   * Whatever a reader leaves out is counted here, never silently.
   */
  dropped: Record<string, number>;
  /** How far, at most, a spike lies before a spike read before it, in seconds (0 when sorted). */
  maxBackstepSeconds: number;
  /**
   * The first few spikes left out for an invalid time, each named with file
   * and position ("session.nwb, /units/spike_times[17] (unit 3): time NaN s
   * is not a number; left out").
   */
  droppedExamples?: string[];
}

/**
 * A spike batch as a recording yields it: `position[i]` says where spike i
 * is in the recording (a line, an index into a dataset, a packet), for
 * messages that name a spike (see RecordingSource.describeSpike). A typed
 * array per batch, not an object per spike.
 */
export interface RecordedSpikeBatch extends SpikeBatch {
  readonly position?: Float64Array;
}

/**
 * A recorded session as the analyzer reads it: spike batches (columnar,
 * in time order or within a small lateness of it) and label events, read in
 * chunks so that memory does not grow with the recording.
 *
 * Readers throw an InputFormatError (code INPUT_FORMAT) naming the file and
 * what is wrong: a missing dataset and its path, bad magic, a truncated
 * packet at byte N, an unknown column, a missing sample rate.
 */
export interface RecordingSource {
  readonly format: RecordingFormat;
  readonly path: string;
  /** The unit id table the batches index into (grows while reading). */
  readonly unitIds: string[];
  /** Mode labels known up front (intervals, or change points in time order). */
  labels(range?: TimeRange): Promise<Array<LabelInterval | LabelChange>>;
  /** The spikes in [start, end), in batches of at most `batchSize` spikes. */
  spikes(range?: TimeRange, batchSize?: number): AsyncIterable<RecordedSpikeBatch>;
  /**
   * Where spike `index` of a batch this recording yielded lies, for a
   * message: file and line, dataset and index, or packet and byte offset
   * ("spikes.csv, line 17"; "session.nev, packet 812 (byte 84760)").
   */
  describeSpike(batch: RecordedSpikeBatch, index: number): string;
  /** Fraction of the work done by the current `spikes()` iteration, 0–1 (for progress bars). */
  progress(): number;
  /** What the current (or last) `spikes()` pass left out, by cause. */
  readSummary(): RecordingReadSummary;
  describe(): Promise<RecordingDescription>;
  close(): Promise<void>;
}

/** Everything a user can say about how to read a recording (the CLI's format options). */
export interface OpenRecordingOptions {
  format?: RecordingFormat;
  /** Text files: count malformed rows instead of stopping. */
  skipBad?: boolean;
  /** NWB: the column of /intervals/trials or /intervals/epochs (or 'tags') that holds the mode. */
  labelColumn?: string;
  /** NWB: which interval table to take the label column from. */
  labelTable?: 'trials' | 'epochs';
  /** NWB: what an interval with several tags labels (default 'join': 'go+left'). */
  multiTag?: MultiTagPolicy;
  /** NWB: the Units table to read (default /units), e.g. 'processing/ecephys/units'. */
  unitsTable?: string;
  /**
   * NWB and Phy: keep only the units every filter passes (a unit passes
   * `quality=good,mua` when its quality is good or mua). NWB columns are
   * the units table's and, through its electrodes, the electrodes table's
   * (location, group_name); Phy columns are those of the cluster tables
   * (group, KSLabel, ch, sh, …).
   */
  unitFilters?: readonly UnitFilter[];
  /** Phy: cluster groups to keep ('good', 'all', or a list such as 'good,mua'): `--unit-filter group=…`, groups in any case. */
  units?: string;
  /** Open Ephys TTL lines / NEV digital input words → modes, e.g. "1=go,-1=rest,0=". */
  ttlLabels?: string;
  /**
   * Open Ephys cluster 0 and NEV unclassified (unit 0) spikes: 'drop' them
   * (default, counted in the summary), or count them as one multi-unit per
   * electrode ('channel').
   */
  unsorted?: 'drop' | 'channel';
}
