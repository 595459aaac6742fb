import type { RecordingDescription, TimeRange } from '../adapters/recording.ts';
import { EmptySelectionError } from '../src/errors.ts';
import type { LabelInterval } from '../src/stream/events.ts';

/** Earliest and latest time of something, in seconds. */
export interface TimeSpan {
  first: number;
  last: number;
}

/** What a replay analyzed, for telling why it measured nothing. */
export interface ReplayCoverage {
  /** The recording (file or folder), first in a message. */
  path: string;
  range: TimeRange;
  binSeconds: number;
  /** Spikes the analysis took in, and the span of the spikes read (null when none was). */
  spikes: number;
  spikeSpan: TimeSpan | null;
  /** Where the modes came from ('labels.csv', '--label-column condition'), or undefined when none were asked for. */
  modes: string | undefined;
  /** The mode intervals the replay used (cut to the range). */
  clippedIntervals: readonly LabelInterval[];
  labeledBins: number;
  /** What the reader left out, by cause. */
  readerDrops: Readonly<Record<string, number>>;
}

/** `5000.0–5377.0 s`. */
function spanText(span: TimeSpan): string {
  return `${span.first.toFixed(1)}–${span.last.toFixed(1)} s`;
}

/** `--start 6000 --end 7000`: the range as the user gave it. */
function rangeText(range: TimeRange): string {
  return [range.start === undefined ? '' : `--start ${range.start}`, range.end === undefined ? '' : `--end ${range.end}`].filter((part) => part !== '').join(' ');
}

function intervalSpan(intervals: readonly LabelInterval[]): TimeSpan | null {
  if (intervals.length === 0) return null;
  // A loop, not Math.min(...): a label file may hold more intervals than a call takes arguments.
  const span = { first: Infinity, last: -Infinity };
  for (const interval of intervals) {
    if (interval.start < span.first) span.first = interval.start;
    if (interval.end > span.last) span.last = interval.end;
  }
  return span;
}

/**
 * Why a replay measured nothing, as an EmptySelectionError, or undefined
 * when it did measure (or measured nothing only because no modes were
 * asked for, which the summary line says). In order:
 *
 * - no spike was analyzed: the time range holds none (the message gives the
 *   span of the recording's spikes, from `describe`, called only then), or
 *   the recording (after its unit selection) has none, or every spike was
 *   left out (the causes are listed);
 * - modes were given but no bin is labeled: no interval lies in the range,
 *   none overlaps the spikes (both spans are given: two clocks?), or none
 *   is long enough to hold a whole bin.
 */
export async function emptySelectionError(
  coverage: ReplayCoverage,
  sources: {
    /** The recording's description (spans of the whole recording), read only when no spike was analyzed. */
    describe: () => Promise<RecordingDescription>;
    /** Every mode interval, whatever the range, read only when no bin is labeled. */
    allModes: () => Promise<readonly LabelInterval[]>;
  },
): Promise<EmptySelectionError | undefined> {
  const { path, range } = coverage;
  if (coverage.spikes === 0) {
    const described = await sources.describe();
    const drops = Object.entries(coverage.readerDrops).filter(([, count]) => count > 0);
    const dropText = drops.length === 0 ? '' : ` (left out: ${drops.map(([cause, count]) => `${count} ${cause}`).join(', ')})`;
    if (described.firstSpike === null || described.lastSpike === null) {
      const units = described.units.length === 0 ? 'no unit with spikes is selected' : `the ${described.units.length} units selected have no spikes`;
      return new EmptySelectionError(`${path}: no spikes to analyze: ${units}${dropText}`);
    }
    const recordingSpan = spanText({ first: described.firstSpike, last: described.lastSpike });
    if (range.start !== undefined || range.end !== undefined) {
      return new EmptySelectionError(`${path}: no spikes in ${rangeText(range)}: the recording's spikes span ${recordingSpan}`);
    }
    return new EmptySelectionError(`${path}: no spike was analyzed, although the recording has spikes over ${recordingSpan}${dropText}`);
  }
  if (coverage.modes === undefined || coverage.labeledBins > 0 || coverage.spikeSpan === null) return undefined;
  const spikes = coverage.spikeSpan;
  const modes = intervalSpan(await sources.allModes());
  if (modes === null) return new EmptySelectionError(`${path}: the modes (${coverage.modes}) hold no interval, so no bin is labeled`);
  if (coverage.clippedIntervals.length === 0) {
    return new EmptySelectionError(`${path}: no mode interval (${coverage.modes}) lies in ${rangeText(range)}: the modes span ${spanText(modes)}`);
  }
  const overlapping = coverage.clippedIntervals.filter((interval) => interval.end > spikes.first && interval.start <= spikes.last);
  if (overlapping.length === 0) {
    return new EmptySelectionError(
      `${path}: no mode interval overlaps the spikes: the modes (${coverage.modes}) span ${spanText(modes)}, the spikes ${spanText(spikes)} (are both on the same clock?)`,
    );
  }
  const longest = overlapping.reduce((most, interval) => Math.max(most, interval.end - interval.start), 0);
  return new EmptySelectionError(
    `${path}: no bin of ${coverage.binSeconds} s lies wholly within a mode interval (${coverage.modes}): those that overlap the spikes last at most ${longest.toPrecision(3)} s; use a shorter --bin`,
  );
}
