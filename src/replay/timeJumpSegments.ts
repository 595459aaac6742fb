import type { SpikeBatch } from '../stream/events.ts';

/** Spikes that must follow a jump, each within the jump limit of the one before, for the jump to be a pause (a new segment). */
export const PAUSE_CONFIRMING_SPIKES = 100;
/** Outliers and pauses named one by one in a report (the rest are counted). */
export const NAMED_TIME_JUMPS = 5;
export const NAMED_PAUSES = 20;
/** Groups of held spikes kept at once (far apart in time from each other): bounds memory whatever the times. */
export const MAX_HELD_GROUPS = 8;

export interface TimeJumpOptions {
  /** A spike more than this after the latest accepted time is held back (seconds, > 0). */
  maxJumpSeconds: number;
  /** Spikes that confirm a pause (default PAUSE_CONFIRMING_SPIKES). */
  confirmingSpikes?: number;
  /** Where spike `index` of `batch` is in the recording (file and line or position), for messages. */
  describe: (batch: SpikeBatch, index: number) => string;
}

/** A pause found in the recording: no spike from `fromSeconds` (the last before it) to `toSeconds` (the first after it). */
export interface RecordingPause {
  readonly fromSeconds: number;
  readonly toSeconds: number;
  /** The first spike after the pause, in the recording. */
  readonly where: string;
}

/** What the segmenter found: outliers left out, and pauses where a new segment started. */
export interface TimeJumpReport {
  outliers: number;
  /** The first NAMED_TIME_JUMPS outliers: "<file>, line 812: 10000000 s lies more than …". */
  readonly outlierExamples: string[];
  /** How many pauses (segments after the first). */
  pauses: number;
  /** The first NAMED_PAUSES of them. */
  readonly pauseExamples: RecordingPause[];
}

/** A segment starts: its earliest spike time, and the pause before it (none for the first). */
export interface SegmentStart {
  readonly kind: 'segment';
  readonly index: number;
  readonly earliestSeconds: number;
  readonly pause?: RecordingPause;
}

export type SegmentedItem = SegmentStart | SpikeBatch;

/** Spikes held back, in arrival order: times, units and the first few described. */
class HeldSpikes {
  readonly time: Float64Array;
  readonly unit: Uint32Array;
  readonly ids: Array<readonly string[] | undefined>;
  /** Descriptions of the first NAMED_TIME_JUMPS spikes. */
  readonly where: string[] = [];
  count = 0;
  latest = -Infinity;
  earliest = Infinity;

  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.unit = new Uint32Array(capacity);
    this.ids = new Array(capacity);
  }

  add(batch: SpikeBatch, index: number, describe: (batch: SpikeBatch, index: number) => string): void {
    const time = batch.t[index];
    const k = this.count++;
    this.time[k] = time;
    this.unit[k] = batch.unit[index];
    this.ids[k] = batch.unitIds;
    if (k < NAMED_TIME_JUMPS) this.where.push(describe(batch, index));
    if (time > this.latest) this.latest = time;
    if (time < this.earliest) this.earliest = time;
  }

  /** Whether `time` lies within `reach` of the latest spike held, either way. */
  near(time: number, reach: number): boolean {
    return time >= this.latest - reach && time <= this.latest + reach;
  }

  /** The spikes as batches, one per unit id table, in arrival order. */
  batches(): SpikeBatch[] {
    const out: SpikeBatch[] = [];
    let from = 0;
    for (let k = 1; k <= this.count; k++) {
      if (k < this.count && this.ids[k] === this.ids[from]) continue;
      out.push({ kind: 'spikes', t: this.time.slice(from, k), unit: this.unit.slice(from, k), unitIds: this.ids[from]! });
      from = k;
    }
    return out;
  }
}

/**
 * Outliers and pauses in a time-ordered spike stream (a recording as the
 * replay reads it), in one place for every format.
 *
 * A spike more than `maxJumpSeconds` (J) after the latest time accepted so
 * far is held back, in a group with the held spikes it lies within J of
 * (a new group if none). Then:
 * - a spike back within J of the latest accepted time: every held spike was
 *   an outlier, left out, counted and the first few named;
 * - a group reaches `confirmingSpikes` (100): the recording really paused.
 *   A new segment starts with that group, which is passed on after a
 *   SegmentStart naming the pause (from the latest accepted time to the
 *   group's earliest spike, and where in the file); the other groups were
 *   outliers;
 * - the end of the stream: every held spike was an outlier.
 * The first segment is found the same way: every spike is held until a
 * group reaches 100, which starts the first segment (the others were
 * outliers); if the stream ends first, its largest group is the first
 * segment (the earliest on a tie). At most MAX_HELD_GROUPS groups are held:
 * one more leaves out the smallest older one (the oldest on a tie).
 *
 * Memory: at most MAX_HELD_GROUPS × `confirmingSpikes` spikes held. Time:
 * O(groups) per held spike, O(1) per accepted one, and a description only
 * for the spikes that may be named. Batches whose spikes are all accepted
 * pass through as they are; others are cut.
 *
 * @example
 * const segmenter = new TimeJumpSegmenter({ maxJumpSeconds: 600, describe: (b, i) => recording.describeSpike(b, i) });
 * for (const item of segmenter.push(batch)) …; for (const item of segmenter.end()) …
 */
export class TimeJumpSegmenter {
  readonly report: TimeJumpReport = { outliers: 0, outlierExamples: [], pauses: 0, pauseExamples: [] };
  private readonly maxJump: number;
  private readonly confirming: number;
  private readonly describe: (batch: SpikeBatch, index: number) => string;
  /** Latest accepted time of the current segment; undefined before the first. */
  private latest: number | undefined;
  private segments = 0;
  /** Groups of held spikes, oldest first. */
  private groups: HeldSpikes[] = [];

  constructor(options: TimeJumpOptions) {
    if (!(options.maxJumpSeconds > 0)) throw new RangeError(`the time jump limit must be positive, got ${options.maxJumpSeconds}`);
    this.maxJump = options.maxJumpSeconds;
    this.confirming = options.confirmingSpikes ?? PAUSE_CONFIRMING_SPIKES;
    if (!Number.isInteger(this.confirming) || this.confirming < 1) throw new RangeError(`confirming spikes must be a whole number ≥ 1, got ${this.confirming}`);
    this.describe = options.describe;
  }

  /** The items a batch gives, in order: accepted spikes (as batches) and segment starts. */
  push(batch: SpikeBatch): SegmentedItem[] {
    const items: SegmentedItem[] = [];
    const { t } = batch;
    // Indices of the accepted spikes, once the batch is cut (until then, all of them so far).
    let accepted: Int32Array | undefined;
    let acceptedCount = 0;
    for (let i = 0; i < t.length; i++) {
      const time = t[i];
      const latest = this.latest;
      if (latest !== undefined && time <= latest + this.maxJump) {
        // Within reach of the segment (a spike earlier than it: the binner judges lateness).
        if (this.groups.length > 0) this.dropGroups(this.groups);
        if (accepted !== undefined) accepted[acceptedCount] = i;
        acceptedCount++;
        if (time > latest) this.latest = time;
        continue;
      }
      if (accepted === undefined) {
        accepted = new Int32Array(t.length);
        for (let k = 0; k < acceptedCount; k++) accepted[k] = k;
      }
      const group = this.groupFor(time);
      group.add(batch, i, this.describe);
      if (group.count === this.confirming) {
        if (acceptedCount > 0) items.push(subBatch(batch, accepted, acceptedCount));
        acceptedCount = 0;
        this.dropGroups(this.groups.filter((other) => other !== group));
        this.startSegment(items, group);
      }
    }
    if (accepted === undefined) items.push(batch);
    else if (acceptedCount > 0) items.push(subBatch(batch, accepted, acceptedCount));
    return items;
  }

  /** At the end of the stream: held spikes are outliers, except that the largest group starts the first segment when none has started. */
  end(): SegmentedItem[] {
    const items: SegmentedItem[] = [];
    if (this.latest === undefined && this.groups.length > 0) {
      const largest = this.groups.reduce((best, group) => (group.count > best.count ? group : best));
      this.dropGroups(this.groups.filter((group) => group !== largest));
      this.startSegment(items, largest);
    } else if (this.groups.length > 0) {
      this.dropGroups(this.groups);
    }
    return items;
  }

  /** The held group a spike at `time` joins: the first within reach of it, else a new one (leaving out the smallest older one when there are too many). */
  private groupFor(time: number): HeldSpikes {
    for (const group of this.groups) if (group.near(time, this.maxJump)) return group;
    if (this.groups.length === MAX_HELD_GROUPS) {
      const smallest = this.groups.reduce((best, group) => (group.count < best.count ? group : best));
      this.dropGroups([smallest]);
    }
    const group = new HeldSpikes(this.confirming);
    this.groups.push(group);
    return group;
  }

  /** The spikes of these groups were outliers. */
  private dropGroups(dropped: readonly HeldSpikes[]): void {
    const report = this.report;
    for (const group of dropped) {
      for (let k = 0; k < group.count && report.outlierExamples.length < NAMED_TIME_JUMPS; k++) {
        report.outlierExamples.push(
          `${group.where[k]}: ${group.time[k]} s lies more than the time jump limit (${this.maxJump} s) from the spikes around it; left out as an outlier`,
        );
      }
      report.outliers += group.count;
    }
    this.groups = this.groups.filter((group) => !dropped.includes(group));
  }

  /** The spikes of `group` start a segment. */
  private startSegment(items: SegmentedItem[], group: HeldSpikes): void {
    const index = this.segments++;
    let pause: RecordingPause | undefined;
    if (this.latest !== undefined) {
      pause = { fromSeconds: this.latest, toSeconds: group.earliest, where: group.where[0] };
      this.report.pauses++;
      if (this.report.pauseExamples.length < NAMED_PAUSES) this.report.pauseExamples.push(pause);
    }
    items.push(pause === undefined ? { kind: 'segment', index, earliestSeconds: group.earliest } : { kind: 'segment', index, earliestSeconds: group.earliest, pause });
    items.push(...group.batches());
    this.latest = group.latest;
    this.groups = this.groups.filter((other) => other !== group);
  }
}

/** The spikes `indices[0 … count)` of a batch, as a batch of their own. */
function subBatch(batch: SpikeBatch, indices: Int32Array, count: number): SpikeBatch {
  const t = new Float64Array(count);
  const unit = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    t[k] = batch.t[indices[k]];
    unit[k] = batch.unit[indices[k]];
  }
  return { kind: 'spikes', t, unit, unitIds: batch.unitIds };
}

/** One segment of a recording: where it starts, the pause before it, and its spikes (to be read before the next segment). */
export interface ReplaySegment extends SegmentStart {
  readonly batches: AsyncIterable<SpikeBatch>;
}

/**
 * The segments of a spike stream (see TimeJumpSegmenter), each with its own
 * spikes: read a segment's batches to the end before asking for the next
 * segment (a segment not read to the end is skipped over).
 */
export async function* timeJumpSegments(
  batches: AsyncIterable<SpikeBatch>,
  segmenter: TimeJumpSegmenter,
): AsyncGenerator<ReplaySegment, void, undefined> {
  const source = batches[Symbol.asyncIterator]();
  const pending: SegmentedItem[] = [];
  let sourceDone = false;
  const next = async (): Promise<SegmentedItem | undefined> => {
    while (pending.length === 0) {
      if (sourceDone) return undefined;
      const result = await source.next();
      if (result.done === true) {
        sourceDone = true;
        pending.push(...segmenter.end());
      } else {
        pending.push(...segmenter.push(result.value));
      }
    }
    return pending.shift();
  };
  try {
    let item = await next();
    while (item !== undefined) {
      if (item.kind !== 'segment') throw new Error('spikes before the first segment start');
      let following: SegmentStart | undefined;
      let finished = false;
      const segmentBatches = async function* (): AsyncGenerator<SpikeBatch, void, undefined> {
        for (;;) {
          const upcoming = await next();
          if (upcoming === undefined || upcoming.kind === 'segment') {
            following = upcoming;
            finished = true;
            return;
          }
          yield upcoming;
        }
      };
      yield { ...item, batches: segmentBatches() };
      while (!finished) {
        const upcoming = await next();
        if (upcoming === undefined || upcoming.kind === 'segment') {
          following = upcoming;
          finished = true;
        }
      }
      item = following;
    }
  } finally {
    await source.return?.();
  }
}
