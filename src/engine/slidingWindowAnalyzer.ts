import { SeededRandom } from '../math/seededRandom.ts';
import { normalizedSynergy, normalizedSynergyFloorBits } from '../measures/normalizedSynergy.ts';
import { wholeBins } from '../stream/binIndex.ts';
import { compareUnitIds, outputUnitId } from '../stream/unitIds.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { LabeledFrame } from './countFrame.ts';
import { IncrementalReadout } from './incrementalReadout.ts';
import type { PairUpdate, SynergyUpdate } from './synergyUpdate.ts';
import type { WindowBin, WindowReadout } from './windowReadout.ts';

/** Surrogate lags avoid the first and last few seconds of the window (SCIENCE.md, "Significance"). */
const MIN_SURROGATE_LAG_SECONDS = 5;

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
      const first = Math.floor(startTime / this.options.hopSeconds + 1e-9) + 1;
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
    const lastBin = Math.floor(endTime / this.options.hopSeconds + 1e-9) * this.hopBins;
    while (this.nextEmissionBin <= lastBin) {
      updates.push(this.emit(this.nextEmissionBin));
      this.nextEmissionBin += this.hopBins;
    }
    return updates;
  }

  private enter(entry: WindowBin): void {
    const slot = entry.bin % this.windowBins;
    const leaving = this.ring[slot];
    if (leaving !== undefined) this.update(leaving, -1);
    this.ring[slot] = entry;
    this.update(entry, 1);
  }

  private update(entry: WindowBin, delta: 1 | -1): void {
    this.readout.update(entry, delta, this.units, this.modes);
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
    const pValues =
      this.options.surrogates > 0 && ranked.length > 0
        ? this.readout.pValues(ranked, entries, modes, surrogateLags(entries.length, this.options.surrogates, binSeconds, this.options.seed, endBin))
        : undefined;
    const t = endBin * binSeconds;
    const floorBits = normalizedSynergyFloorBits(samples, levels, levels, perLabel.filter((count) => count > 0).length);
    const pairs: PairUpdate[] = ranked.map((pair, k) => {
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
      if (pValues !== undefined) update.p = pValues[k];
      return update;
    });
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
      ...(this.options.surrogates > 0 ? { surrogates: this.options.surrogates } : {}),
      pairs,
    };
  }
}

/** Circular-shift lags, in bins, for the window of `windowLength` bins ending at `endBin`. */
export function surrogateLags(windowLength: number, count: number, binSeconds: number, seed: number, endBin: number): number[] {
  if (windowLength < 2) return [];
  const minLag = Math.max(1, Math.min(Math.round(MIN_SURROGATE_LAG_SECONDS / binSeconds), Math.floor(windowLength / 4)));
  const span = windowLength - 2 * minLag + 1;
  const random = new SeededRandom(seed, `surrogates@${endBin}`);
  return Array.from({ length: count }, () => minLag + random.nextInt(Math.max(1, span)));
}
