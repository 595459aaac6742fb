import { isValidEventTime } from '../../src/stream/binIndex.ts';
import type { LabelChange, LabelInterval } from '../../src/stream/events.ts';
import { InvalidTimeTally } from '../invalidSpikeTimes.ts';
import { DEFAULT_BATCH_SPIKES, mergeSortedRuns } from '../mergeSortedRuns.ts';
import type { OpenRecordingOptions } from '../recording.ts';
import type { RecordedSpikeBatch, RecordingDescription, RecordingReadSummary, RecordingSource, TimeRange } from '../recording.ts';
import { clipToRange } from '../timeRange.ts';
import { Hdf5File } from './hdf5File.ts';
import { optionText, type UnitFilter } from '../unitFilter.ts';
import {
  badRows,
  findLabelTable,
  INVALID_TIMES,
  LABEL_TABLES,
  labelIntervals,
  readIntervalTable,
  readInvalidSpans,
  rowLabels,
  subtractSpans,
  valuesPerRow,
  type IntervalTable,
} from './intervalTables.ts';
import { selectUnits, UnitColumns } from './unitSelection.ts';
import { chunkSpikesFor, spikesInRange, unitSpikeChunks } from './unitSpikeRuns.ts';
import { readUnitsTable, unitColumnText, UNITS, type UnitsTable } from './unitsTable.ts';
import { rowStart } from './vectorIndex.ts';

/** `--unit-filter quality=good --unit-filter location=CA1`: the filters as the command line gives them. */
function filterOptions(filters: readonly UnitFilter[]): string {
  return filters.map(optionText).join(' ');
}

/** Label values listed per column by describe(); a column with more is summarized. */
const MAX_LISTED_VALUES = 24;
/** /units columns shown as unit details by describe(). */
const MAX_DETAIL_COLUMNS = 4;

/**
 * An NWB 2.x file (HDF5, read with h5wasm) as a RecordingSource.
 *
 * Spikes: /units (nwb-schema Units), or the units table `unitsTable`
 * names (one in a processing module): unit ids from `id` (as text), each
 * unit's spike times (seconds, float64 or float32) from spike_times rows
 * [index[u−1], index[u]) of spike_times_index. Each unit is a time-sorted
 * run, read in slices sized so that all units together hold at most a few
 * MB, and the runs are merged into time order (mergeSortedRuns). With a
 * time range, each unit's first and last spike in it are found by binary
 * search, so a replay of the last minute of a long session reads only
 * that minute. `unitFilters` keep the units whose values (as text) pass
 * every filter, in a column of the units table or, through its
 * `electrodes`, of the electrodes table (location, group_name; see
 * UnitColumns); the others and their spikes are counted in
 * readSummary().dropped, and filters that keep no unit are an error.
 *
 * Modes: the column `labelColumn` of /intervals/trials or
 * /intervals/epochs (`labelTable` chooses; a column both have must be
 * chosen), each row an interval [start_time, stop_time) labeled with the
 * row's value as text; a ragged text column such as `tags` labels a row
 * with its tag, and a row with several tags as `multiTag` says (joined by
 * '+' by default, or the first, or none: see MultiTagPolicy). Spans of
 * /intervals/invalid_times are subtracted from the intervals, so bins
 * there are unlabeled. Without
 * `labelColumn`, labels() is empty (the user gives --labels FILE) and
 * describe() lists every candidate column with its values.
 */
export class NwbRecording implements RecordingSource {
  readonly format = 'nwb' as const;
  readonly unitIds: string[];
  private spikesPlanned = 0;
  private spikesRead = 0;
  private passFinished = false;
  private summary: RecordingReadSummary = { dropped: {}, maxBackstepSeconds: 0 };
  private invalidTimes = new InvalidTimeTally();
  /** Intervals the last labels() call left out (several tags with --multi-tag drop). */
  private droppedIntervals = 0;

  private constructor(
    readonly path: string,
    private readonly file: Hdf5File,
    private readonly units: UnitsTable,
    private readonly unitColumns: UnitColumns,
    /** Rows of /units that are read, in id-table order. */
    private readonly keptRows: number[],
    private readonly excludedRows: number[],
    private readonly options: OpenRecordingOptions,
  ) {
    this.unitIds = keptRows.map((row) => units.ids[row]);
  }

  static async open(path: string, options: OpenRecordingOptions): Promise<NwbRecording> {
    const file = await Hdf5File.open(path);
    try {
      const units = readUnitsTable(file, options.unitsTable);
      const columns = new UnitColumns(file, units);
      const { kept, excluded } = selectUnits(columns, options.unitFilters ?? [], path);
      const recording = new NwbRecording(path, file, units, columns, kept, excluded, options);
      // An unknown or ambiguous label column is reported before any spike is read.
      if (options.labelColumn !== undefined) findLabelTable(file, options.labelColumn, options.labelTable);
      return recording;
    } catch (error) {
      file.close();
      throw error;
    }
  }

  async labels(range: TimeRange = {}): Promise<Array<LabelInterval | LabelChange>> {
    const column = this.options.labelColumn;
    if (column === undefined) return [];
    const table = findLabelTable(this.file, column, this.options.labelTable);
    const multiTag = this.options.multiTag ?? 'join';
    const intervals = labelIntervals(table, rowLabels(this.file, table, column, multiTag), readInvalidSpans(this.file));
    const start = range.start ?? -Infinity;
    const end = range.end ?? Infinity;
    const inRange = (interval: { start: number; end: number }) => interval.end > start && interval.start < end;
    if (multiTag === 'drop') {
      const counts = valuesPerRow(this.file, table, column);
      this.droppedIntervals = counts.filter((count, row) => count > 1 && table.stop[row] > table.start[row] && inRange({ start: table.start[row], end: table.stop[row] })).length;
    }
    return intervals.filter(inRange);
  }

  async *spikes(range: TimeRange = {}, batchSize = DEFAULT_BATCH_SPIKES): AsyncIterable<RecordedSpikeBatch> {
    const { ends } = this.units;
    const bounds = this.keptRows.map((row) => spikesInRange(this.file, this.units.spikeTimesPath, rowStart(ends, row), ends[row], range));
    this.spikesPlanned = bounds.reduce((sum, bound) => sum + (bound.to - bound.from), 0);
    this.spikesRead = 0;
    this.passFinished = false;
    this.summary = { dropped: this.droppedBySelection(range), maxBackstepSeconds: 0 };
    const invalid = (this.invalidTimes = new InvalidTimeTally());
    const chunkSpikes = chunkSpikesFor(bounds.filter((bound) => bound.to > bound.from).length);
    const onRead = (spikes: number) => {
      this.spikesRead += spikes;
    };
    const runs = bounds.map((bound, unit) =>
      unitSpikeChunks(this.file, this.units.spikeTimesPath, bound.from, bound.to, { index: unit, id: this.unitIds[unit] }, chunkSpikes, onRead, invalid),
    );
    const summary = this.summary;
    let previous = -Infinity;
    for await (const batch of clipToRange(mergeSortedRuns(runs, this.unitIds, batchSize), range)) {
      // The merge keeps each unit's own order: a unit not in time order shows here as a step back.
      const t = batch.t;
      for (let i = 0; i < t.length; i++) {
        const step = previous - t[i];
        if (step > summary.maxBackstepSeconds) summary.maxBackstepSeconds = step;
        if (t[i] > previous) previous = t[i];
      }
      yield batch;
    }
    this.passFinished = true;
  }

  progress(): number {
    if (this.passFinished) return 1;
    return this.spikesPlanned === 0 ? 0 : Math.min(1, this.spikesRead / this.spikesPlanned);
  }

  readSummary(): RecordingReadSummary {
    return { ...this.invalidTimes.summaryFields({ ...this.summary.dropped }), maxBackstepSeconds: this.summary.maxBackstepSeconds };
  }

  describeSpike(batch: RecordedSpikeBatch, index: number): string {
    const position = batch.position?.[index];
    const unit = `unit ${batch.unitIds[batch.unit[index]]}`;
    return position === undefined ? `${this.path} (${unit})` : `${this.path}, ${this.units.spikeTimesPath}[${position}] (${unit})`;
  }

  async describe(): Promise<RecordingDescription> {
    const { ends, ids } = this.units;
    const notes: string[] = [];
    const details = this.unitDetails();
    let firstSpike = Infinity;
    let lastSpike = -Infinity;
    let unsortedUnits = 0;
    let maxBackstep = 0;
    let invalidTimes = 0;
    const chunkSpikes = chunkSpikesFor(1);
    const units = this.keptRows.map((row) => {
      // Each unit is read once, in order: its span, its order and any value that is not a time.
      let previous = -Infinity;
      let unsorted = false;
      for (let start = rowStart(ends, row); start < ends[row]; start += chunkSpikes) {
        const t = this.file.readNumbers(this.units.spikeTimesPath, start, Math.min(ends[row], start + chunkSpikes));
        for (let i = 0; i < t.length; i++) {
          const time = t[i];
          if (!isValidEventTime(time)) {
            invalidTimes++;
            continue;
          }
          if (time < firstSpike) firstSpike = time;
          if (time > lastSpike) lastSpike = time;
          if (time < previous) {
            unsorted = true;
            maxBackstep = Math.max(maxBackstep, previous - time);
          } else previous = time;
        }
      }
      if (unsorted) unsortedUnits++;
      return { id: ids[row], spikes: ends[row] - rowStart(ends, row), ...details(row) };
    });

    const reference = this.file.isDataset('/timestamps_reference_time') ? this.file.readText('/timestamps_reference_time')[0] : undefined;
    notes.push(`times are seconds from the file's timestamps_reference_time${reference === undefined ? '' : ` (${reference})`}, as stored`);
    const resolution = this.units.resolutionSeconds;
    if (resolution !== undefined) notes.push(`spike_times resolution ${resolution.toPrecision(6)} s (${Number((1 / resolution).toPrecision(12))} samples/s)`);
    if (this.units.path !== UNITS) notes.push(`units from ${this.units.path}`);
    const filters = this.options.unitFilters ?? [];
    if (filters.length > 0) {
      const dropped = this.excludedRows.reduce((sum, row) => sum + ends[row] - rowStart(ends, row), 0);
      notes.push(`${filterOptions(filters)} keeps ${this.keptRows.length} of ${ids.length} units (left out: ${this.excludedRows.length} units, ${dropped} spikes)`);
    }
    const electrodes = this.unitColumns.electrodes;
    if (electrodes !== undefined && electrodes.columns.length > 0) {
      notes.push(`electrode columns (through ${this.units.path}/electrodes) for --unit-filter: ${electrodes.columns.join(', ')}`);
    }
    if (new Set(ids).size < ids.length) notes.push(`${this.units.path}/id repeats some ids: units with the same id are counted as one`);
    if (unsortedUnits > 0) {
      notes.push(`${unsortedUnits} units have spike times out of order (up to ${maxBackstep.toFixed(3)} s back): replay with --lateness of at least that`);
    }
    if (invalidTimes > 0) {
      notes.push(`${invalidTimes} spike times are not valid (not a number, negative or beyond 2^32 s): a replay leaves them out, counts them and names the first few`);
    }

    const invalid = readInvalidSpans(this.file);
    if (invalid.length > 0) {
      const seconds = invalid.reduce((sum, span) => sum + span.end - span.start, 0);
      notes.push(`${invalid.length} spans of ${INVALID_TIMES} (${seconds.toFixed(1)} s) are left unlabeled`);
    }
    const labelSources = this.describeLabelSources(invalid, notes);
    return {
      format: 'nwb',
      path: this.path,
      units,
      firstSpike: firstSpike === Infinity ? null : firstSpike,
      lastSpike: lastSpike === -Infinity ? null : lastSpike,
      ...(resolution === undefined ? {} : { sampleRate: Number((1 / resolution).toPrecision(12)) }),
      labelSources,
      notes,
    };
  }

  /**
   * Every column a unit can be grouped by (`--group-by`), with each kept
   * unit's value as text: the units table's columns of one plain value per
   * unit (not id, spike_times, ragged or reference columns), then, through
   * its `electrodes`, the electrodes table's (location, group_name, …) that
   * the units table does not have itself. describe() shows only a few of
   * these as details.
   */
  async unitProperties(): Promise<{ columns: string[]; values(column: string): Map<string, string> }> {
    const table = this.units;
    const plain = table.columns.filter((column) => {
      if (column === 'id' || column === 'spike_times') return false;
      const path = `${table.path}/${column}`;
      if (this.file.isDataset(`${path}_index`) || !this.file.isDataset(path)) return false;
      const info = this.file.info(path);
      return info.shape.length === 1 && info.shape[0] === table.ids.length && info.kind !== 'reference' && info.kind !== 'other';
    });
    const columns = [...plain, ...(this.unitColumns.electrodes?.columns ?? []).filter((column) => !plain.includes(column))];
    return {
      columns,
      values: (column) => {
        const text = this.unitColumns.text(column);
        return new Map(this.keptRows.map((row) => [table.ids[row], text[row]]));
      },
    };
  }

  async close(): Promise<void> {
    this.file.close();
  }

  /** Units left out by the filters and their spikes within the range, and intervals left out of the modes, by cause. */
  private droppedBySelection(range: TimeRange): Record<string, number> {
    const dropped: Record<string, number> = {};
    if (this.droppedIntervals > 0) dropped['mode intervals with several tags (--multi-tag drop)'] = this.droppedIntervals;
    const filters = this.options.unitFilters ?? [];
    if (filters.length === 0) return dropped;
    const { ends } = this.units;
    let spikes = 0;
    for (const row of this.excludedRows) {
      const bound = spikesInRange(this.file, this.units.spikeTimesPath, rowStart(ends, row), ends[row], range);
      spikes += bound.to - bound.from;
    }
    const cause = filterOptions(filters);
    dropped[`units left out by ${cause}`] = this.excludedRows.length;
    dropped[`spikes of units left out by ${cause}`] = spikes;
    return dropped;
  }

  /**
   * A function giving a unit's details: its location when the file gives
   * one (its own column or its electrodes'), then its values in the first
   * few one-value-per-unit columns of the units table.
   */
  private unitDetails(): (row: number) => Record<string, string> {
    const columns: Array<[string, string[]]> = [];
    const locations = this.unitColumns.locations();
    if (locations !== undefined) columns.push(['location', locations]);
    for (const column of this.units.columns) {
      if (columns.length === MAX_DETAIL_COLUMNS) break;
      if (column === 'id' || column === 'location') continue;
      try {
        columns.push([column, unitColumnText(this.file, this.units, column)]);
      } catch {
        // Ragged, reference or malformed columns are not details.
      }
    }
    return (row) => Object.fromEntries(columns.map(([column, values]) => [column, values[row]]));
  }

  /** Every column of /intervals/trials and /intervals/epochs that can hold modes, with its values, counts and seconds. */
  private describeLabelSources(invalid: ReadonlyArray<{ start: number; end: number }>, notes: string[]): RecordingDescription['labelSources'] {
    const sources: RecordingDescription['labelSources'] = [];
    const candidates: string[] = [];
    for (const name of LABEL_TABLES) {
      const table: IntervalTable | undefined = readIntervalTable(this.file, name);
      if (table === undefined) continue;
      const bad = badRows(table);
      if (bad > 0) notes.push(`${bad} rows of ${table.path} have stop_time not after start_time and label nothing`);
      for (const column of table.labelColumns) {
        const labels = rowLabels(this.file, table, column, this.options.multiTag);
        const several = valuesPerRow(this.file, table, column).filter((count) => count > 1).length;
        if (several > 0) {
          const policy = this.options.multiTag ?? 'join';
          const what = { join: "each a mode of its own, the tags joined with '+'", first: 'labeled with their first tag', drop: 'left unlabeled' }[policy];
          notes.push(`${several} rows of ${table.path}/${column} have several values: ${what} (--multi-tag ${policy}; join|first|drop)`);
        }
        const tally = new Map<string, { count: number; seconds: number }>();
        labels.forEach((label, row) => {
          if (label === null) return;
          const entry = tally.get(label) ?? { count: 0, seconds: 0 };
          entry.count++;
          if (table.stop[row] > table.start[row]) {
            for (const piece of subtractSpans(table.start[row], table.stop[row], invalid)) entry.seconds += piece.end - piece.start;
          }
          tally.set(label, entry);
        });
        const values = [...tally].map(([label, { count, seconds }]) => ({ label, count, seconds }));
        const listed = values.slice(0, MAX_LISTED_VALUES);
        if (values.length > listed.length) {
          const rest = values.slice(listed.length);
          listed.push({
            label: `(${rest.length} more values)`,
            count: rest.reduce((sum, value) => sum + value.count, 0),
            seconds: rest.reduce((sum, value) => sum + value.seconds, 0),
          });
        }
        sources.push({ name: `${table.path}/${column}`, values: listed });
        candidates.push(column);
      }
    }
    if (this.options.labelColumn !== undefined) {
      const table = findLabelTable(this.file, this.options.labelColumn, this.options.labelTable);
      notes.push(`modes from ${table.path}/${this.options.labelColumn}`);
    } else if (candidates.length > 0) {
      notes.push(`no modes chosen: replay with --label-column ${candidates[0]} (or another column above; --label-table trials|epochs when both tables have it), or give --labels FILE`);
    }
    return sources;
  }
}
