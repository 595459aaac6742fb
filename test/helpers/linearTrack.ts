/**
 * The real linear-track recording of ../shared/data/real (31 units, direction
 * labels over the 985 s run epoch) as analyzer events, with its labels as
 * recorded or moved circularly in time: a null that keeps the spikes, the
 * labels and both autocorrelations, and only breaks their alignment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spikeBatch, type SourceEvent } from '../../src/stream/events.ts';
import { sharedDir } from './shared.ts';

export const linearTrackDir = resolve(sharedDir, 'data/real/linear-track-place-cells');

/** Whether the recording and its direction labels are present. */
export const hasLinearTrack = existsSync(join(linearTrackDir, 'spikes.csv')) && existsSync(join(linearTrackDir, 'labels_direction.csv'));

export interface LabelIntervalRow {
  start: number;
  end: number;
  label: string;
}

/** The direction intervals (increasing / decreasing / stationary), as in labels_direction.csv. */
export function linearTrackDirectionIntervals(): LabelIntervalRow[] {
  return readFileSync(join(linearTrackDir, 'labels_direction.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [start, end, label] = line.split(',');
      return { start: Number(start), end: Number(end), label: label.trim() };
    });
}

/**
 * The intervals moved `shiftSeconds` later, circularly over their own span
 * (first start to last end): an interval that crosses the end wraps round to
 * the start in two pieces; sorted by start. Times are rounded to 10 µs, as a label file would
 * hold them (the same shift test/cli/replay.test.ts writes to a file).
 */
export function shiftIntervalsCircularly(intervals: readonly LabelIntervalRow[], shiftSeconds: number): LabelIntervalRow[] {
  const first = intervals[0].start;
  const last = intervals.at(-1)!.end;
  const span = last - first;
  const round = (t: number) => Number(t.toFixed(5));
  const shifted: LabelIntervalRow[] = [];
  for (const { start, end, label } of intervals) {
    const from = first + ((start - first + shiftSeconds) % span);
    const to = from + (end - start);
    if (to <= last) shifted.push({ start: round(from), end: round(to), label });
    else shifted.push({ start: round(from), end: round(last), label }, { start: round(first), end: round(first + to - last), label });
  }
  return shifted.sort((x, y) => x.start - y.start);
}

/** Label intervals first, then the spikes in batches of 8,192, sorted by time (unit ids '0' … '30'). */
export function linearTrackEvents(intervals: readonly LabelIntervalRow[]): SourceEvent[] {
  const lines = readFileSync(join(linearTrackDir, 'spikes.csv'), 'utf8').trim().split('\n').slice(1);
  const t = lines.map((line) => Number(line.split(',')[1]));
  const unit = lines.map((line) => line.split(',')[0].trim());
  const events: SourceEvent[] = intervals.map(({ start, end, label }) => ({ kind: 'interval' as const, start, end, label }));
  for (let k = 0; k < t.length; k += 8192) events.push(spikeBatch(t.slice(k, k + 8192), unit.slice(k, k + 8192)));
  return events;
}
