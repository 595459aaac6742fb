import type { LabeledFrame } from '../engine/countFrame.ts';
import type { SpikeBatch } from '../stream/events.ts';
import { IdTable } from '../stream/idTable.ts';

/** A trial: its onset (seconds, the stream's clock) and its condition (null: unlabeled). */
export interface TrialOnset {
  readonly onset: number;
  readonly label: string | null;
}

/** The counting window relative to each onset: [onset + from, onset + to), seconds. */
export interface TrialWindow {
  readonly from: number;
  readonly to: number;
}

/**
 * Event-locked counts (Gat & Tishby's behavioral modes; most published
 * synergy analyses): each trial is one sample, each unit's spike count in
 * [onset + from, onset + to), and the trial's condition is Y. Spikes come in
 * batches in time order (out of order within `latenessSeconds`); a trial is
 * complete once time has passed its window's end plus the lateness, and
 * complete trials come out in onset order as LabeledFrames whose bin b is
 * trial b, so the sliding-window engine analyzes the last N trials every K
 * trials exactly as it analyzes bins (src/trials/trialAnalysis.ts).
 *
 * Windows may overlap (a spike then counts in every trial whose window holds
 * it). A spike whose every trial is already complete is late: dropped and
 * counted. Units are numbered in the order their first counted spike came;
 * conditions in the order of the complete trials.
 */
export class TrialBinner {
  private readonly onsets: Float64Array;
  private readonly labels: (string | null)[];
  /** Trials before this are complete (emitted). */
  private nextToClose = 0;
  /** Per trial not yet complete that has spikes: unit → count. */
  private readonly counts = new Map<number, Map<number, number>>();
  private readonly units = new IdTable();
  private readonly modes = new IdTable();
  private latest = -Infinity;
  /** Spikes dropped because every trial they belong to was complete. */
  lateSpikes = 0;
  /** Spikes counted in at least one trial. */
  countedSpikes = 0;

  constructor(
    trials: readonly TrialOnset[],
    readonly window: TrialWindow,
    readonly latenessSeconds: number,
  ) {
    if (!(window.to > window.from) || !Number.isFinite(window.from) || !Number.isFinite(window.to)) {
      throw new RangeError(`a trial window needs from < to, both finite, got [${window.from}, ${window.to})`);
    }
    if (!(latenessSeconds >= 0)) throw new RangeError(`lateness must be ≥ 0 s, got ${latenessSeconds}`);
    // Onset order (stable: trials at one time keep their order).
    const order = trials.map((trial, k) => ({ trial, k })).sort((a, b) => a.trial.onset - b.trial.onset || a.k - b.k);
    for (const { trial } of order) if (!Number.isFinite(trial.onset)) throw new RangeError(`a trial onset must be a finite time, got ${trial.onset}`);
    this.onsets = Float64Array.from(order, ({ trial }) => trial.onset);
    this.labels = order.map(({ trial }) => trial.label);
  }

  /** Trials in all. */
  get trials(): number {
    return this.onsets.length;
  }

  /** Trials complete so far (emitted in frames). */
  get completed(): number {
    return this.nextToClose;
  }

  /** The onset of trial k (onset order). */
  onsetOf(k: number): number {
    return this.onsets[k];
  }

  /** Counts a batch's spikes; returns the trials it completed, if any. */
  push(batch: SpikeBatch): LabeledFrame | undefined {
    const { from, to } = this.window;
    for (let i = 0; i < batch.t.length; i++) {
      const t = batch.t[i];
      if (!Number.isFinite(t)) continue;
      if (t > this.latest) this.latest = t;
      // Trials whose window holds t (onset + from ≤ t < onset + to): about onsets in (t − to, t − from], each checked
      // with the window's own arithmetic so that a spike on an edge lands where onset + from and onset + to put it.
      let lo = Math.max(0, upperBound(this.onsets, t - to) - 1);
      let hi = Math.min(this.onsets.length, upperBound(this.onsets, t - from) + 1);
      while (lo < hi && !(this.onsets[lo] + from <= t && t < this.onsets[lo] + to)) lo++;
      while (hi > lo && !(this.onsets[hi - 1] + from <= t && t < this.onsets[hi - 1] + to)) hi--;
      if (lo >= hi) continue;
      const first = Math.max(this.nextToClose, lo);
      if (first >= hi) {
        // Its trials are all complete: late.
        this.lateSpikes++;
        continue;
      }
      const unit = this.units.indexOf(batch.unitIds[batch.unit[i]]);
      this.countedSpikes++;
      for (let k = first; k < hi; k++) {
        let trial = this.counts.get(k);
        if (trial === undefined) {
          trial = new Map();
          this.counts.set(k, trial);
        }
        trial.set(unit, (trial.get(unit) ?? 0) + 1);
      }
    }
    return this.advance(this.latest);
  }

  /** Time has reached `t` (a heartbeat): the trials complete by then. */
  advance(t: number): LabeledFrame | undefined {
    if (t > this.latest) this.latest = t;
    const closeBefore = this.latest - this.latenessSeconds - this.window.to;
    let end = this.nextToClose;
    // Trial k is complete once onset_k + to + lateness ≤ latest.
    while (end < this.onsets.length && this.onsets[end] <= closeBefore) end++;
    return this.emit(end);
  }

  /** The stream ended: every trial left is complete. */
  finish(): LabeledFrame | undefined {
    return this.emit(this.onsets.length);
  }

  private emit(end: number): LabeledFrame | undefined {
    const first = this.nextToClose;
    if (end <= first) return undefined;
    const binCount = end - first;
    const offsets = new Uint32Array(binCount + 1);
    const unit: number[] = [];
    const count: number[] = [];
    const label = new Int32Array(binCount);
    for (let b = 0; b < binCount; b++) {
      const k = first + b;
      const cells = this.counts.get(k);
      this.counts.delete(k);
      if (cells !== undefined) {
        for (const u of [...cells.keys()].sort((x, y) => x - y)) {
          unit.push(u);
          count.push(cells.get(u)!);
        }
      }
      offsets[b + 1] = unit.length;
      const name = this.labels[k];
      label[b] = name === null ? -1 : this.modes.indexOf(name);
    }
    this.nextToClose = end;
    return {
      firstBin: first,
      binCount,
      offsets,
      unit: Uint32Array.from(unit),
      count: Uint32Array.from(count),
      unitIds: [...this.units.ids],
      label,
      labelNames: [...this.modes.ids],
    };
  }
}

/** The first index whose value is > x (values ascending). */
function upperBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
