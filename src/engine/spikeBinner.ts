import { binOf, isValidEventTime } from '../stream/binIndex.ts';
import type { SpikeBatch } from '../stream/events.ts';
import type { CountFrame } from './countFrame.ts';
import { IdTable } from '../stream/idTable.ts';

/** Spikes the binner could not place, by cause. */
export interface BinnerDrops {
  /** Later than the lateness allows: their bin was already complete. */
  late: number;
  /** Time NaN, infinite, negative or beyond MAX_EVENT_SECONDS. */
  invalidTime: number;
}

/**
 * Most bins one frame hands out (about 22 minutes of 0.02 s bins). A frame's
 * arrays are sized by its bins, so a jump in time (a rig clock that skips
 * ahead, a pause) is handed out as several frames of at most this many bins:
 * memory stays bounded by the data, not by the span of time it covers.
 */
export const MAX_FRAME_BINS = 1 << 16;

/**
 * Turns spike batches into complete count bins on event time (DESIGN §3).
 *
 * Time advances with every spike, label change and heartbeat; the watermark
 * is the latest time seen minus `lateness`, and bins that end at or before it
 * are complete. Spikes may arrive out of order by up to `lateness` and are
 * still placed in their bin; a spike whose bin is already complete is counted
 * in `drops.late`, never mixed into a later bin. Units are registered in the
 * order they are first seen; ids are strings as the source names them.
 *
 * Plain TypeScript with no RxJS, so the operator `binSpikes` only wires it up.
 */
export class SpikeBinner {
  private readonly units = new IdTable();
  readonly unitIds: string[] = this.units.ids;
  readonly drops: BinnerDrops = { late: 0, invalidTime: 0 };
  /** Spikes placed in bins. */
  spikes = 0;
  private readonly translations = new WeakMap<readonly string[], Int32Array>();
  /** Spikes of bins not yet complete: bin → unit indices, one entry per spike. */
  private readonly openBins = new Map<number, number[]>();
  private startSeconds: number | undefined;
  private latestSeconds = -Infinity;
  /** The first bin not yet handed out; undefined before the first event. */
  private nextBin: number | undefined;
  private started = false;

  constructor(
    readonly binSeconds: number,
    readonly latenessSeconds: number,
  ) {
    if (!(binSeconds > 0)) throw new RangeError(`bin must be positive, got ${binSeconds}`);
    if (!(latenessSeconds >= 0)) throw new RangeError(`lateness must be ≥ 0, got ${latenessSeconds}`);
  }

  /** The stream's origin: the earliest accepted event time (fixed once a bin is complete). */
  get startTime(): number | undefined {
    return this.startSeconds;
  }

  /** The latest event time seen. */
  get latestTime(): number {
    return this.latestSeconds;
  }

  addSpikes(batch: SpikeBatch): void {
    const translation = this.translationFor(batch.unitIds);
    const { t, unit } = batch;
    for (let i = 0; i < t.length; i++) {
      const time = t[i];
      if (!isValidEventTime(time)) {
        this.drops.invalidTime++;
        continue;
      }
      const bin = binOf(time, this.binSeconds);
      if (!this.accept(time, bin)) {
        this.drops.late++;
        continue;
      }
      let index = translation[unit[i]];
      if (index < 0) {
        index = this.units.indexOf(batch.unitIds[unit[i]]);
        translation[unit[i]] = index;
      }
      let list = this.openBins.get(bin);
      if (list === undefined) {
        list = [];
        this.openBins.set(bin, list);
      }
      list.push(index);
      this.spikes++;
      if (time > this.latestSeconds) this.latestSeconds = time;
    }
  }

  /**
   * A label change or heartbeat at `t`: time evidence that advances the
   * watermark. Returns false if `t` falls in a bin that is already complete.
   */
  observeTime(t: number): boolean {
    if (!isValidEventTime(t)) return false;
    const onTime = this.accept(t, binOf(t, this.binSeconds));
    if (t > this.latestSeconds) this.latestSeconds = t;
    return onTime;
  }

  /** A label interval's start: may set the stream's origin, does not advance time. */
  observeStart(t: number): void {
    if (isValidEventTime(t)) this.accept(t, binOf(t, this.binSeconds));
  }

  /**
   * Hands out the bins complete at the current watermark, if any, at most
   * MAX_FRAME_BINS of them: call again until it returns undefined.
   */
  takeComplete(): CountFrame | undefined {
    if (this.nextBin === undefined) return undefined;
    const watermark = this.latestSeconds - this.latenessSeconds;
    return this.takeUpTo(binOf(watermark, this.binSeconds));
  }

  /**
   * At the end of the stream: hands out the remaining bins up to the one
   * holding the latest time, at most MAX_FRAME_BINS per call: call again
   * until it returns undefined.
   */
  flush(): CountFrame | undefined {
    if (this.nextBin === undefined || this.latestSeconds === -Infinity) return undefined;
    return this.takeUpTo(binOf(this.latestSeconds, this.binSeconds) + 1);
  }

  /**
   * Whether an event at `time` in `bin` can still be placed; tracks the origin.
   * Lateness is judged event by event against the latest time seen before it
   * (not per batch), so a replay gives the same result whatever its batch size.
   */
  private accept(time: number, bin: number): boolean {
    if (this.nextBin === undefined) {
      this.nextBin = bin;
      this.startSeconds = time;
      return true;
    }
    if (bin < binOf(this.latestSeconds - this.latenessSeconds, this.binSeconds)) return false;
    if (!this.started && time < this.startSeconds!) {
      // Out of order before anything was handed out: the stream starts earlier.
      this.startSeconds = time;
      if (bin < this.nextBin) this.nextBin = bin;
      return true;
    }
    return bin >= this.nextBin;
  }

  private takeUpTo(completeBefore: number): CountFrame | undefined {
    const firstBin = this.nextBin!;
    if (completeBefore <= firstBin) return undefined;
    const endBin = Math.min(completeBefore, firstBin + MAX_FRAME_BINS);
    this.started = true;
    const binCount = endBin - firstBin;
    let spikes = 0;
    for (const [bin, list] of this.openBins) if (bin < endBin) spikes += list.length;
    const offsets = new Uint32Array(binCount + 1);
    const unit = new Uint32Array(spikes);
    const count = new Uint32Array(spikes);
    let entries = 0;
    for (let b = 0; b < binCount; b++) {
      offsets[b] = entries;
      const list = this.openBins.get(firstBin + b);
      if (list === undefined) continue;
      this.openBins.delete(firstBin + b);
      list.sort((x, y) => x - y);
      for (let i = 0; i < list.length; ) {
        let j = i + 1;
        while (j < list.length && list[j] === list[i]) j++;
        unit[entries] = list[i];
        count[entries] = j - i;
        entries++;
        i = j;
      }
    }
    offsets[binCount] = entries;
    this.nextBin = endBin;
    return {
      firstBin,
      binCount,
      offsets,
      unit: unit.subarray(0, entries),
      count: count.subarray(0, entries),
      unitIds: this.unitIds,
    };
  }


  /** Source unit index → analyzer unit index, cached per source id array (−1: not yet known). */
  private translationFor(ids: readonly string[]): Int32Array {
    let translation = this.translations.get(ids);
    if (translation === undefined || translation.length < ids.length) {
      const grown = new Int32Array(Math.max(ids.length, 16)).fill(-1);
      if (translation !== undefined) grown.set(translation);
      translation = grown;
      this.translations.set(ids, translation);
    }
    return translation;
  }
}
