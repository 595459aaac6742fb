import { normalizedSynergy, normalizedSynergyFloorBits } from '../measures/normalizedSynergy.ts';
import { binOf, wholeBins } from '../stream/binIndex.ts';
import { compareUnitIds, outputUnitId } from '../stream/unitIds.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { LabeledFrame } from './countFrame.ts';
import { IncrementalReadout } from './incrementalReadout.ts';
import { LabelHistory } from './labelHistory.ts';
import { AUTO_LAG_STEP_MAX_SECONDS, autoLagStep, labelLags } from './labelLagSchedule.ts';
import { LabelLagSignificance } from './labelLagSignificance.ts';
import type { PairUpdate, SynergyUpdate } from './synergyUpdate.ts';
import type { WindowBin, WindowReadout } from './windowReadout.ts';

/** Default spacing of the label lags, seconds. */
export const DEFAULT_LAG_STEP_SECONDS = 1;
/** Default family-wise error rate. */
export const DEFAULT_ALPHA = 0.05;

/**
 * The sliding-window synergy analysis over labeled count bins (DESIGN §3–4).
 * It keeps the window's bins and the emission schedule; a WindowReadout turns
 * the window into ranked pairs — by default the incremental one (each bin
 * enters and leaves the count tables once, every hop reads them out), whose
 * every emission equals the batch library's result over the same bins.
 *
 * Emissions are at T = m·hop from the first T later than the stream's start;
 * the emission at T covers the labeled bins inside [T − window, T).
 */
export class SlidingWindowAnalyzer {
  readonly windowBins: number;
  readonly hopBins: number;
  private readonly ring: (WindowBin | undefined)[];
  private readonly readout: WindowReadout;
  /** Label-lag surrogates for every pair (surrogates > 0). */
  private readonly significance: LabelLagSignificance | undefined;
  private readonly history: LabelHistory | undefined;
  /** With `lagStepSeconds: 'auto'`, the bounds of the step, bins. */
  private readonly autoLag: { minBins: number; maxBins: number } | undefined;
  private readonly alpha: number;
  private nextEmissionBin: number | undefined;
  private unitIds: readonly string[] = [];
  private labelNames: readonly string[] = [];
  private lateSpikes = 0;

  constructor(
    readonly options: AnalysisOptions,
    readout?: (options: AnalysisOptions, windowBins: number) => WindowReadout,
  ) {
    this.windowBins = wholeBins(options.windowSeconds, options.binSeconds, 'window');
    this.hopBins = wholeBins(options.hopSeconds, options.binSeconds, 'hop');
    if (!Number.isInteger(options.levels) || options.levels < 2 || options.levels > 255) {
      throw new RangeError(`levels must be an integer from 2 to 255, got ${options.levels}`);
    }
    this.ring = new Array(this.windowBins);
    this.readout = (readout ?? ((o, w) => new IncrementalReadout(o, w)))(options, this.windowBins);
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
    if (!(this.alpha > 0 && this.alpha < 1)) throw new RangeError(`alpha must lie between 0 and 1, got ${this.alpha}`);
    if (options.surrogates > 0) {
      const step = options.lagStepSeconds ?? DEFAULT_LAG_STEP_SECONDS;
      let stepBins: number;
      let longestStepBins: number;
      if (step === 'auto') {
        // From 1 s (or one bin) up to AUTO_LAG_STEP_MAX_SECONDS; the history holds the longest lags of the longest step.
        const minBins = Math.max(1, Math.round(DEFAULT_LAG_STEP_SECONDS / options.binSeconds));
        const maxBins = Math.max(minBins, Math.round(AUTO_LAG_STEP_MAX_SECONDS / options.binSeconds));
        this.autoLag = { minBins, maxBins };
        stepBins = minBins;
        longestStepBins = maxBins;
      } else {
        stepBins = wholeBins(step, options.binSeconds, 'lag step');
        longestStepBins = stepBins;
      }
      const lags = labelLags(options.surrogates, stepBins, options.seed);
      this.history = new LabelHistory(LabelLagSignificance.historyBins(this.windowBins, labelLags(options.surrogates, longestStepBins, options.seed)));
      this.significance = new LabelLagSignificance(options.levels, this.windowBins, lags, this.history, stepBins, options.maxSurrogateCells);
    }
  }

  /** Units registered so far. */
  get units(): number {
    return this.unitIds.length;
  }

  private get modes(): number {
    return Math.max(1, this.labelNames.length);
  }

  /**
   * Takes the next complete bins (consecutive with the previous frame) and
   * returns the emissions that became due. `startTime` is the stream's origin;
   * `lateSpikes` the late-spike count so far.
   */
  push(frame: LabeledFrame, startTime: number, lateSpikes: number): SynergyUpdate[] {
    this.lateSpikes = lateSpikes;
    this.unitIds = frame.unitIds;
    this.labelNames = frame.labelNames;
    if (this.nextEmissionBin === undefined) {
      const first = binOf(startTime, this.options.hopSeconds) + 1;
      this.nextEmissionBin = first * this.hopBins;
    }
    const updates: SynergyUpdate[] = [];
    const maxSymbol = this.options.levels - 1;
    for (let b = 0; b < frame.binCount; b++) {
      const bin = frame.firstBin + b;
      while (this.nextEmissionBin <= bin) {
        updates.push(this.emit(this.nextEmissionBin));
        this.nextEmissionBin += this.hopBins;
      }
      const from = frame.offsets[b];
      const to = frame.offsets[b + 1];
      const units = frame.unit.subarray(from, to);
      const symbols = new Uint8Array(to - from);
      for (let k = 0; k < symbols.length; k++) symbols[k] = Math.min(frame.count[from + k], maxSymbol);
      this.enter({ bin, label: frame.label[b], units, symbols });
    }
    return updates;
  }

  /** The stream ended at `endTime`: the emissions still due up to the last full hop. */
  finish(endTime: number, lateSpikes: number): SynergyUpdate[] {
    this.lateSpikes = lateSpikes;
    const updates: SynergyUpdate[] = [];
    if (this.nextEmissionBin === undefined) return updates;
    const lastBin = binOf(endTime, this.options.hopSeconds) * this.hopBins;
    while (this.nextEmissionBin <= lastBin) {
      updates.push(this.emit(this.nextEmissionBin));
      this.nextEmissionBin += this.hopBins;
    }
    return updates;
  }

  private enter(entry: WindowBin): void {
    // The history first: the surrogates of the entering bin read its lagged modes from it.
    this.history?.record(entry.bin, entry.label);
    const slot = entry.bin % this.windowBins;
    const leaving = this.ring[slot];
    if (leaving !== undefined) this.update(leaving, -1);
    this.ring[slot] = entry;
    this.update(entry, 1);
  }

  private update(entry: WindowBin, delta: 1 | -1): void {
    this.readout.update(entry, delta, this.units, this.modes);
    this.significance?.update(entry, delta, this.units, this.modes);
  }

  /** Every bin the tables hold, oldest first. */
  private heldEntries(): WindowBin[] {
    return this.ring.filter((entry): entry is WindowBin => entry !== undefined).sort((x, y) => x.bin - y.bin);
  }

  /** The bins of the window [endBin − windowBins, endBin), oldest first. */
  private windowEntries(endBin: number): WindowBin[] {
    const entries: WindowBin[] = [];
    for (let bin = endBin - this.windowBins; bin < endBin; bin++) {
      const entry = this.ring[((bin % this.windowBins) + this.windowBins) % this.windowBins];
      if (entry !== undefined && entry.bin === bin) entries.push(entry);
    }
    return entries;
  }

  private emit(endBin: number): SynergyUpdate {
    const { binSeconds, estimator, levels } = this.options;
    const entries = this.windowEntries(endBin);
    const modes = this.modes;
    const perLabel = new Array<number>(this.labelNames.length).fill(0);
    let samples = 0;
    let unlabeled = 0;
    for (const entry of entries) {
      if (entry.label < 0) unlabeled++;
      else {
        samples++;
        perLabel[entry.label]++;
      }
    }
    // Own properties whatever the names (a mode may be called "__proto__").
    const labels: Record<string, number> = Object.fromEntries(this.labelNames.map((name, k) => [name, perLabel[k]]));
    const units = this.units;
    const pairsComputed = (units * (units - 1)) / 2;
    const limit = Math.min(this.options.top ?? pairsComputed, pairsComputed);
    const ranked = samples === 0 ? [] : this.readout.rank(entries, units, modes, limit);
    if (this.autoLag !== undefined && this.significance !== undefined) {
      // The lags 1.1 mean mode dwells apart (autoLagStep): when the step moves, the surrogates' tables are built anew.
      const { minBins, maxBins } = this.autoLag;
      const step = autoLagStep(this.history!.meanDwellBins, this.history!.runCount, this.significance.stepBins, minBins, maxBins);
      if (step !== this.significance.stepBins) {
        this.significance.relag(labelLags(this.options.surrogates, step, this.options.seed), step, this.heldEntries(), units, modes);
      }
    }
    const significance = this.significance?.evaluate(endBin - this.windowBins, units, modes);
    const t = endBin * binSeconds;
    const floorBits = normalizedSynergyFloorBits(samples, levels, levels, perLabel.filter((count) => count > 0).length);
    const pairs: PairUpdate[] = ranked.map((pair) => {
      // Named in canonical order (DESIGN §7), whatever order the units were first seen in.
      const a = outputUnitId(this.unitIds[pair.i]);
      const b = outputUnitId(this.unitIds[pair.j]);
      const swap = compareUnitIds(a, b) > 0;
      const update: PairUpdate = {
        a: swap ? b : a,
        b: swap ? a : b,
        joint: pair.joint,
        ia: swap ? pair.ib : pair.ia,
        ib: swap ? pair.ia : pair.ib,
        synergy: pair.synergy,
        normalized: normalizedSynergy(pair.synergy, pair.joint, floorBits),
      };
      if (significance !== undefined) {
        // The test is on the plug-in synergy beyond its label-lag mean, whatever estimator gives `synergy`.
        const index = (pair.j * (pair.j - 1)) / 2 + pair.i;
        const { p, pFwer, pFwerTail } = significance.test(index);
        update.excess = significance.excess[index];
        update.p = p;
        update.p_fwer = pFwer;
        update.p_fwer_tail = pFwerTail;
        update.q = significance.q(index);
      }
      return update;
    });
    const significant = significance?.significant(this.alpha) ?? 0;
    const discoveries = significance?.discoveries(this.alpha) ?? 0;
    return {
      type: 'synergy',
      t,
      window: [t - this.options.windowSeconds, t],
      samples,
      labels,
      estimator,
      levels,
      dropped: { unlabeled, late: this.lateSpikes },
      units,
      pairsComputed,
      ...(significance === undefined
        ? {}
        : { surrogates: significance.available, effective_surrogates: significance.effective, min_p: significance.minP, alpha: this.alpha, significant, discoveries }),
      pairs,
    };
  }
}
