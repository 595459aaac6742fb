import { normalizedSynergy, normalizedSynergyFloorBits } from '../measures/normalizedSynergy.ts';
import { binOf, wholeBins } from '../stream/binIndex.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { compareUnitIds, outputUnitId } from '../stream/unitIds.ts';
import type { LabeledFrame } from './countFrame.ts';
import { familyTests } from './labelLagSignificance.ts';
import type { PairUpdate, SynergyUpdate } from './synergyUpdate.ts';
import { DEFAULT_ALPHA, firstEmissionBin } from './tileAnalyzer.ts';
import { pairsBelow, type TileEmission, type TileFrame, type TilePair } from './tiles.ts';
import { comparePairs } from './windowReadout.ts';
import { modeStretches } from './modeStretches.ts';

/** An emission that became due, with what the coordinator knows of it (the tiles send the rest). */
export interface DueEmission {
  endBin: number;
  /** Labeled bins of the window, and per mode. */
  samples: number;
  perLabel: number[];
  /** Bins of the window without a mode. */
  unlabeled: number;
  /**
   * The unit registry (a source's array may keep growing after the frame:
   * `units` is its length then, and the names of units below it never change).
   */
  unitIds: readonly string[];
  units: number;
  /** The modes known then (a copy: a few names). */
  labelNames: readonly string[];
  lateSpikes: number;
  /** With AnalysisOptions.pairMatrix: the last hop's mode stretches (modeStretches.ts). */
  modes?: Array<[number, number, string]>;
}

/**
 * The coordinator's side of a tiled analysis: it keeps the emission schedule
 * and the window's modes (bins per mode), and merges the tiles' emissions
 * (TileEmission) into the update one process makes (DESIGN §4), every field
 * equal:
 * - pairs: each tile sends its strongest `top`; the strongest `top` of all
 *   are among them, in the same total order (comparePairs);
 * - the surrogates' maxima over all pairs are the per-surrogate maxima of
 *   the tiles', Benjamini–Hochberg's counts their sums; p, p_fwer,
 *   p_fwer_tail and q of a pair follow from its excess and count beyond
 *   (familyTests, one implementation for both);
 * - `significant` counts the tiles' candidates (pairs significant against
 *   their own tile's maxima, a superset) against all tiles' maxima.
 * Its memory is the window's modes, the top pairs and the maxima.
 */
export class EmissionMerger {
  readonly windowBins: number;
  readonly hopBins: number;
  private readonly alpha: number;
  private nextEmissionBin: number | undefined;
  /** The window's bins: index and mode (−1 unlabeled), in a ring; NaN for an empty slot. */
  private readonly ringBins: Float64Array;
  private readonly ringLabels: Int32Array;
  /** The last frame's registries (for the emissions due at the end). */
  private unitIds: readonly string[] = [];
  private labelNames: readonly string[] = [];

  constructor(readonly options: AnalysisOptions) {
    this.windowBins = wholeBins(options.windowSeconds, options.binSeconds, 'window');
    this.hopBins = wholeBins(options.hopSeconds, options.binSeconds, 'hop');
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
    this.ringBins = new Float64Array(this.windowBins).fill(Number.NaN);
    this.ringLabels = new Int32Array(this.windowBins);
  }

  /** Records a frame; returns the emissions that became due in it, in order (the tiles emit the same). */
  take(frame: LabeledFrame, startTime: number, lateSpikes: number): DueEmission[] {
    if (this.nextEmissionBin === undefined) this.nextEmissionBin = firstEmissionBin(startTime, this.options.hopSeconds, this.hopBins);
    const due: DueEmission[] = [];
    for (let b = 0; b < frame.binCount; b++) {
      const bin = frame.firstBin + b;
      while (this.nextEmissionBin <= bin) {
        due.push(this.due(this.nextEmissionBin, frame.unitIds, frame.labelNames, lateSpikes));
        this.nextEmissionBin += this.hopBins;
      }
      const slot = bin % this.windowBins;
      this.ringBins[slot] = bin;
      this.ringLabels[slot] = frame.label[b];
    }
    this.unitIds = frame.unitIds;
    this.labelNames = frame.labelNames;
    return due;
  }

  /** The stream ended at `endTime`: the emissions still due up to the last full hop. */
  takeFinish(endTime: number, lateSpikes: number): DueEmission[] {
    const due: DueEmission[] = [];
    if (this.nextEmissionBin === undefined) return due;
    const lastBin = binOf(endTime, this.options.hopSeconds) * this.hopBins;
    while (this.nextEmissionBin <= lastBin) {
      due.push(this.due(this.nextEmissionBin, this.unitIds, this.labelNames, lateSpikes));
      this.nextEmissionBin += this.hopBins;
    }
    return due;
  }

  private due(endBin: number, unitIds: readonly string[], labelNames: readonly string[], lateSpikes: number): DueEmission {
    const perLabel = new Array<number>(labelNames.length).fill(0);
    let samples = 0;
    let unlabeled = 0;
    for (let bin = endBin - this.windowBins; bin < endBin; bin++) {
      const slot = ((bin % this.windowBins) + this.windowBins) % this.windowBins;
      if (this.ringBins[slot] !== bin) continue;
      const label = this.ringLabels[slot];
      if (label < 0) unlabeled++;
      else {
        samples++;
        perLabel[label]++;
      }
    }
    const due: DueEmission = { endBin, samples, perLabel, unlabeled, unitIds, units: unitIds.length, labelNames: labelNames.slice(), lateSpikes };
    if (this.options.pairMatrix === true) {
      // Now: later bins of the frame overwrite the ring before the update is merged.
      const modeOfBin = (bin: number) => {
        const slot = ((bin % this.windowBins) + this.windowBins) % this.windowBins;
        return this.ringBins[slot] === bin ? this.ringLabels[slot] : -1;
      };
      due.modes = modeStretches(endBin - Math.min(this.hopBins, this.windowBins), endBin, modeOfBin, labelNames, this.options.binSeconds);
    }
    return due;
  }

  /** The update of a due emission from every tile's part of it. */
  merge(due: DueEmission, parts: readonly TileEmission[]): SynergyUpdate {
    const { binSeconds, estimator, levels } = this.options;
    for (const part of parts) {
      if (part.endBin !== due.endBin) throw new Error(`internal: tile ${part.tile} sent the emission at bin ${part.endBin} for ${due.endBin}`);
    }
    const { samples, perLabel, unitIds, labelNames } = due;
    // Own properties whatever the names (a mode may be called "__proto__").
    const labels: Record<string, number> = Object.fromEntries(labelNames.map((name, k) => [name, perLabel[k]]));
    const units = due.units;
    const pairsComputed = pairsBelow(units);
    const limit = Math.min(this.options.top ?? pairsComputed, pairsComputed);
    const all: TilePair[] = [];
    for (const part of parts) for (const pair of part.pairs) all.push(pair);
    all.sort(comparePairs);
    const ranked = all.length > limit ? all.slice(0, limit) : all;
    const significance = mergeSignificance(parts);
    const family = significance === undefined ? undefined : familyTests(significance.available, significance.effective, significance.maxima, significance.beyondCounts);
    const t = due.endBin * binSeconds;
    const floorBits = normalizedSynergyFloorBits(samples, levels, levels, perLabel.filter((count) => count > 0).length);
    const pairs: PairUpdate[] = ranked.map((pair) => {
      // Named in canonical order (DESIGN §7), whatever order the units were first seen in.
      const a = outputUnitId(unitIds[pair.i]);
      const b = outputUnitId(unitIds[pair.j]);
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
      if (family !== undefined) {
        // The test is on the plug-in synergy beyond its label-lag mean, whatever estimator gives `synergy`.
        const excess = pair.excess ?? 0;
        const beyond = pair.beyond ?? 0;
        const { p, pFwer, pFwerTail } = family.test(excess, beyond);
        update.excess = excess;
        update.p = p;
        update.p_fwer = pFwer;
        update.p_fwer_tail = pFwerTail;
        update.q = family.q(beyond);
      }
      return update;
    });
    let significant = 0;
    if (family !== undefined && significance !== undefined && family.canReach(this.alpha)) {
      for (const distance of significance.candidates) if (family.familyP(distance) <= this.alpha) significant++;
    }
    return {
      type: 'synergy',
      t,
      window: [t - this.options.windowSeconds, t],
      samples,
      labels,
      estimator,
      levels,
      dropped: { unlabeled: due.unlabeled, late: due.lateSpikes },
      units,
      pairsComputed,
      ...(significance === undefined || family === undefined
        ? {}
        : {
            surrogates: significance.available,
            effective_surrogates: significance.effective,
            min_p: 1 / (1 + significance.effective),
            alpha: this.alpha,
            significant,
            discoveries: family.discoveries(this.alpha),
          }),
      pairs,
    };
  }
}

/** The tiles' significance parts as one: maxima per surrogate, counts summed, candidates together. */
export function mergeSignificance(parts: readonly TileEmission[]):
  | { available: number; effective: number; maxima: Float64Array; beyondCounts: Uint32Array; candidates: number[] }
  | undefined {
  const first = parts[0]?.significance;
  if (first === undefined) return undefined;
  const { available, effective } = first;
  const maxima = new Float64Array(available).fill(-Infinity);
  const beyondCounts = new Uint32Array(available + 1);
  const candidates: number[] = [];
  for (const part of parts) {
    const s = part.significance;
    if (s === undefined || s.available !== available || s.effective !== effective) {
      throw new Error(`internal: tile ${part.tile} used ${s?.available} surrogates (${s?.effective} effective) where tile ${parts[0].tile} used ${available} (${effective})`);
    }
    for (let k = 0; k < available; k++) if (s.maxima[k] > maxima[k]) maxima[k] = s.maxima[k];
    for (let c = 0; c <= available; c++) beyondCounts[c] += s.beyondCounts[c];
    for (const distance of s.candidates) candidates.push(distance);
  }
  return { available, effective, maxima, beyondCounts, candidates };
}

/** A LabeledFrame as the tiles receive it (names left out). */
export function tileFrameOf(frame: LabeledFrame, startTime: number): TileFrame {
  return {
    firstBin: frame.firstBin,
    binCount: frame.binCount,
    offsets: frame.offsets,
    unit: frame.unit,
    count: frame.count,
    label: frame.label,
    units: frame.unitIds.length,
    modes: frame.labelNames.length,
    startTime,
  };
}
