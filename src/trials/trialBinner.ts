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
 * Trials are given up front (the constructor), announced as they come
 * (`addTrial`, onsets non-decreasing), or both. A trial completes only once
 * announced. A trial announced when time has already passed its window's
 * end plus the lateness is late: refused and counted (`lateTrials`).
 * Spikes that come before their trial is announced still count for it: the
 * spikes that a trial announced later could hold (t − from ≥ the last
 * onset announced, and t − from > latest − lateness − to) are kept in a
 * buffer, which therefore spans at most the lateness plus the window's
 * length, and counted when the trial is announced. So a stream whose
 * trials are each announced before their window closes gives exactly the
 * frames of the same trials given up front (with spikes in time order,
 * even the numbering of units; test/trials/liveTrials.test.ts).
 *
 * Windows may overlap (a spike then counts in every trial whose window holds
 * it). A spike whose every trial is already complete is late: dropped and
 * counted — at once when no trial announced later could hold it, else when
 * it leaves the buffer (so, next to the last onset announced, a late
 * spike is counted a little later than the lateness alone would say).
 * Units are numbered in the order their first counted spike was counted;
 * conditions in the order of the complete trials.
 */
export class TrialBinner {
  /** Announced trials in onset order (non-decreasing). */
  private readonly onsets: number[] = [];
  private readonly labels: (string | null)[] = [];
  /** Trials before this are complete (emitted). */
  private nextToClose = 0;
  /** Per trial not yet complete that has spikes: unit → count. */
  private readonly counts = new Map<number, Map<number, number>>();
  private readonly units = new IdTable();
  private readonly modes = new IdTable();
  private latest = -Infinity;
  /** The latest onset announced (refused ones too): onsets must not go back before it. */
  private lastOnset = -Infinity;
  private finished = false;
  /** Spikes a trial announced later could still hold, in arrival order from `bufferHead` on. */
  private readonly buffered: BufferedSpike[] = [];
  private bufferHead = 0;
  /** Spikes dropped because every trial they belong to was complete. */
  lateSpikes = 0;
  /** Spikes counted in at least one trial. */
  countedSpikes = 0;
  /** Trials announced (addTrial) after their window had closed: refused. */
  lateTrials = 0;

  /** `trials` (any order; optional) are announced at once, in onset order; more may follow with addTrial. */
  constructor(
    trials: readonly TrialOnset[] = [],
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
    for (const { trial } of order) this.addTrial(trial.onset, trial.label);
  }

  /** Trials announced so far (and not refused). */
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

  /**
   * Announces a trial: its onset (seconds, the stream's clock) and its
   * condition (null: unlabeled). Onsets must not go backwards (a RangeError
   * otherwise, as for a time that is not finite). True when it is taken;
   * false when it is late — time has passed onset + to + lateness, or the
   * stream has finished — and it is refused and counted in `lateTrials`.
   * Spikes already seen in its window (kept in the buffer) count for it.
   */
  addTrial(onset: number, label: string | null): boolean {
    if (!Number.isFinite(onset)) throw new RangeError(`a trial onset must be a finite time, got ${onset}`);
    if (onset < this.lastOnset) {
      throw new RangeError(`trial onsets must not go backwards: a trial at ${onset} s was announced after one at ${this.lastOnset} s`);
    }
    this.lastOnset = onset;
    if (this.finished || onset <= this.closeBefore()) {
      this.lateTrials++;
      return false;
    }
    const k = this.onsets.length;
    this.onsets.push(onset);
    this.labels.push(label);
    const from = onset + this.window.from;
    const to = onset + this.window.to;
    for (let i = this.bufferHead; i < this.buffered.length; i++) {
      const spike = this.buffered[i];
      if (!(from <= spike.t && spike.t < to)) continue;
      this.count(k, this.units.indexOf(spike.unitId));
      if (!spike.counted) this.countedSpikes++;
      spike.counted = true;
    }
    return true;
  }

  /** Counts a batch's spikes; returns the trials it completed, if any. */
  push(batch: SpikeBatch): LabeledFrame | undefined {
    const { from, to } = this.window;
    const onsets = this.onsets;
    for (let i = 0; i < batch.t.length; i++) {
      const t = batch.t[i];
      if (!Number.isFinite(t)) continue;
      if (t > this.latest) this.latest = t;
      // Trials whose window holds t (onset + from ≤ t < onset + to): about onsets in (t − to, t − from], each checked
      // with the window's own arithmetic so that a spike on an edge lands where onset + from and onset + to put it.
      let lo = Math.max(0, upperBound(onsets, t - to) - 1);
      let hi = Math.min(onsets.length, upperBound(onsets, t - from) + 1);
      while (lo < hi && !(onsets[lo] + from <= t && t < onsets[lo] + to)) lo++;
      while (hi > lo && !(onsets[hi - 1] + from <= t && t < onsets[hi - 1] + to)) hi--;
      const first = Math.max(this.nextToClose, lo);
      const counted = first < hi;
      if (counted) {
        const unit = this.units.indexOf(batch.unitIds[batch.unit[i]]);
        this.countedSpikes++;
        for (let k = first; k < hi; k++) this.count(k, unit);
      }
      if (this.mayJoinLaterTrial(t)) {
        this.buffered.push({ t, unitId: batch.unitIds[batch.unit[i]], counted, inCompleteTrial: !counted && lo < hi });
      } else if (!counted && lo < hi) {
        // Its trials are all complete, and no trial announced later could hold it: late.
        this.lateSpikes++;
      }
    }
    return this.advance(this.latest);
  }

  /** Time has reached `t` (a heartbeat): the trials complete by then. */
  advance(t: number): LabeledFrame | undefined {
    if (t > this.latest) this.latest = t;
    this.dropBuffered(false);
    const closeBefore = this.closeBefore();
    let end = this.nextToClose;
    // Trial k is complete once onset_k + to + lateness ≤ latest.
    while (end < this.onsets.length && this.onsets[end] <= closeBefore) end++;
    return this.emit(end);
  }

  /** The stream ended: every trial announced is complete, and no more can be. */
  finish(): LabeledFrame | undefined {
    this.finished = true;
    this.dropBuffered(true);
    return this.emit(this.onsets.length);
  }

  /** Onsets at or before this are complete (or, announced now, late): latest − lateness − to. */
  private closeBefore(): number {
    return this.latest - this.latenessSeconds - this.window.to;
  }

  /** Whether a trial announced from now on could hold a spike at t: its onset in [lastOnset, t − from] and after closeBefore. */
  private mayJoinLaterTrial(t: number): boolean {
    const latestOnset = t - this.window.from;
    return !this.finished && latestOnset >= this.lastOnset && latestOnset > this.closeBefore();
  }

  /**
   * Drops the buffered spikes no trial announced later could hold (all of
   * them with `all`), from the oldest on; one never counted that lay in a
   * complete trial's window is late.
   */
  private dropBuffered(all: boolean): void {
    const buffered = this.buffered;
    while (this.bufferHead < buffered.length && (all || !this.mayJoinLaterTrial(buffered[this.bufferHead].t))) {
      const spike = buffered[this.bufferHead++];
      if (!spike.counted && spike.inCompleteTrial) this.lateSpikes++;
    }
    if (this.bufferHead === buffered.length) {
      buffered.length = 0;
      this.bufferHead = 0;
    } else if (this.bufferHead >= 1024 && this.bufferHead * 2 >= buffered.length) {
      buffered.splice(0, this.bufferHead);
      this.bufferHead = 0;
    }
  }

  private count(k: number, unit: number): void {
    let trial = this.counts.get(k);
    if (trial === undefined) {
      trial = new Map();
      this.counts.set(k, trial);
    }
    trial.set(unit, (trial.get(unit) ?? 0) + 1);
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

/** A spike kept for trials not announced yet. */
interface BufferedSpike {
  readonly t: number;
  readonly unitId: string;
  /** Counted in at least one trial. */
  counted: boolean;
  /** When it came, it lay in the window of a trial already complete (late, unless a trial announced later counts it). */
  readonly inCompleteTrial: boolean;
}

/** The first index whose value is > x (values ascending). */
function upperBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
