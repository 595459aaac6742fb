import { SlidingWindowAnalyzer } from '../engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { SpikeBatch } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { TrialBinner, type TrialOnset, type TrialWindow } from './trialBinner.ts';

/** How the analysis slides over trials. */
export interface TrialSliding {
  /** The last N trials make a window (`--trial-count`). */
  count: number;
  /** An update every K trials (`--trial-hop`). */
  hop: number;
}

/**
 * The engine's options for trials: a "bin" is one trial, the window `count`
 * trials and the hop `hop` trials. Surrogates (docs/MEASURES.md,
 * "Significance on trials and snapshots"):
 * - 'permutation' (the default): each surrogate pairs the window's trials
 *   with a uniformly random permutation of their conditions — an exact
 *   permutation test when trials are exchangeable (conditions randomized);
 * - 'lag': the conditions shifted along the sequence of trials (a fixed
 *   lag step is in trials; 'auto' is 1.1 mean runs of one condition, from 1
 *   to 30 trials): a trial's responses are paired with the condition of a
 *   trial `lag` before, so the order of conditions and its runs are kept
 *   (blocked designs, slow drifts) and their link to the responses broken;
 *   a window needs earlier trials to shift against.
 */
export function trialAnalysisOptions(options: AnalysisOptions, sliding: TrialSliding): AnalysisOptions {
  for (const [name, value] of [
    ['trial count', sliding.count],
    ['trial hop', sliding.hop],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
  const step = options.lagStepSeconds;
  return {
    ...options,
    binSeconds: 1,
    windowSeconds: sliding.count,
    hopSeconds: sliding.hop,
    latenessSeconds: 0,
    lagStepSeconds: step === undefined || step === 'auto' ? 'auto' : Math.max(1, Math.round(step)),
    surrogateScheme: options.surrogateScheme ?? 'permutation',
  };
}

/** A trial-based update: the usual fields, the trials it covers, and times in seconds. */
export interface TrialUpdate extends SynergyUpdate {
  /** Trials [first, end) of the window (onset order); `samples` counts its labeled ones. */
  trials: [number, number];
}

/**
 * Trials analyzed as they complete: TrialBinner's per-trial counts through
 * the sliding-window engine, an update as soon as the trial completing a hop
 * is complete (not when the next one comes). Every update equals the batch
 * library over the per-trial count table of its trials. `t` is when its last
 * trial's window ended (onset + to) and `window` spans its first trial's
 * window start to its last's end.
 *
 * Trials may be given up front, announced as they come (`addTrial`), or
 * both (TrialBinner says what a late trial is and which spikes count for a
 * trial announced after them); announced before their windows close, they
 * give exactly the updates of the same trials given up front.
 */
export class TrialAnalyzer {
  private readonly binner: TrialBinner;
  private readonly analyzer: SlidingWindowAnalyzer;
  readonly options: AnalysisOptions;

  /** `trials` (optional: none, to announce them all with addTrial) are taken at once. */
  constructor(
    trials: readonly TrialOnset[] = [],
    readonly window: TrialWindow,
    options: AnalysisOptions,
    readonly sliding: TrialSliding,
  ) {
    this.binner = new TrialBinner(trials, window, options.latenessSeconds);
    this.options = trialAnalysisOptions(options, sliding);
    this.analyzer = new SlidingWindowAnalyzer(this.options);
  }

  /** Spikes dropped because their trials were complete. */
  get lateSpikes(): number {
    return this.binner.lateSpikes;
  }

  /** Trials announced after their window had closed (refused). */
  get lateTrials(): number {
    return this.binner.lateTrials;
  }

  /** Trials announced so far (and taken). */
  get trials(): number {
    return this.binner.trials;
  }

  /**
   * Announces a trial as it comes (onsets non-decreasing, else a
   * RangeError): true when taken, false when late (refused, counted in
   * `lateTrials`). It gives no update by itself: its trial completes as
   * time passes its window's end plus the lateness.
   */
  addTrial(onset: number, label: string | null): boolean {
    return this.binner.addTrial(onset, label);
  }

  push(batch: SpikeBatch): TrialUpdate[] {
    return this.take(this.binner.push(batch));
  }

  /** Time reached `t` with no spikes. */
  advance(t: number): TrialUpdate[] {
    return this.take(this.binner.advance(t));
  }

  /** The stream ended: the remaining trials complete, and the updates due. */
  finish(): TrialUpdate[] {
    return this.take(this.binner.finish());
  }

  private take(frame: ReturnType<TrialBinner['push']>): TrialUpdate[] {
    if (frame === undefined) return [];
    const late = this.binner.lateSpikes;
    const updates = this.analyzer.push(frame, 0, late);
    // The hop completed by the last trial is due now, not when the next trial comes.
    updates.push(...this.analyzer.finish(frame.firstBin + frame.binCount, late));
    return updates.map((update) => this.inTime(update));
  }

  private inTime(update: SynergyUpdate): TrialUpdate {
    const end = Math.round(update.t);
    const first = Math.max(0, end - this.sliding.count);
    const t = this.binner.onsetOf(end - 1) + this.window.to;
    return { ...update, t, window: [this.binner.onsetOf(first) + this.window.from, t], trials: [first, end] };
  }
}
