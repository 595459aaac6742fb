import { binOf, wholeBins } from '../stream/binIndex.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { IncrementalReadout } from './incrementalReadout.ts';
import { LabelHistory, type LabelHistorySnapshot } from './labelHistory.ts';
import { AUTO_LAG_STEP_MAX_SECONDS, autoLagStep, labelLags } from './labelLagSchedule.ts';
import { LabelLagSignificance } from './labelLagSignificance.ts';
import { LabelPermutations } from './labelPermutations.ts';
import { ALL_ROWS, pairsBelow, type TileEmission, type TileFrame, type TilePair, type TileRows, type TileSignificance } from './tiles.ts';
import type { WindowBin, WindowReadout } from './windowReadout.ts';

/** Default spacing of the label lags, seconds. */
export const DEFAULT_LAG_STEP_SECONDS = 1;
/** Default family-wise error rate. */
export const DEFAULT_ALPHA = 0.05;

/**
 * Where a tile rebuilt elsewhere starts (a Redis worker taking over a lost
 * tile): bins enter from `fromBin` (the window's start of the first emission
 * wanted, or the stream's first bin if that is later), the first emission is
 * at `nextEmissionBin`,
 * and the label history and the surrogates' lag step are as they were just
 * before fromBin. From there it emits exactly what a tile that ran from
 * the start emits.
 */
export interface TileResume {
  fromBin: number;
  nextEmissionBin: number;
  /** The label history before fromBin (LabelHistory.snapshot); absent at the stream's start. */
  history?: LabelHistorySnapshot;
  /** The surrogates' lag step, bins (the automatic step may have moved). */
  stepBins?: number;
}

/** Makes the readout of a window (the incremental one by default; the batch one for reference). */
export type ReadoutFactory = (options: AnalysisOptions, windowBins: number, rows: TileRows) => WindowReadout;

/**
 * One tile of the sliding-window analysis (DESIGN §3–4): the window's bins,
 * count tables, readout and label-lag surrogates of the pairs of a band of
 * rows (tiles.ts), and the emission schedule. Every tile of an analysis
 * receives the same frames and emits at the same bins; a coordinator
 * (SlidingWindowAnalyzer, tileMerge.ts) merges the tiles' emissions into
 * exactly the update of one tile holding every pair.
 *
 * Emissions are at T = m·hop from the first T later than the stream's start;
 * the emission at T covers the labeled bins inside [T − window, T).
 */
export class TileAnalyzer {
  readonly windowBins: number;
  readonly hopBins: number;
  private readonly ring: (WindowBin | undefined)[];
  private readonly readout: WindowReadout;
  /** Label-lag surrogates for every pair of the tile (surrogates > 0). */
  private readonly significance: LabelLagSignificance | undefined;
  private readonly history: LabelHistory | undefined;
  /** With `lagStepSeconds: 'auto'`, the bounds of the step, bins. */
  private readonly autoLag: { minBins: number; maxBins: number } | undefined;
  private readonly alpha: number;
  private nextEmissionBin: number | undefined;
  private units = 0;
  private modes = 1;

  constructor(
    readonly options: AnalysisOptions,
    readonly rows: TileRows = ALL_ROWS,
    /** The tile's number in its plan (named in its emissions). */
    readonly tile = 0,
    readout?: ReadoutFactory,
    resume?: TileResume,
  ) {
    this.windowBins = wholeBins(options.windowSeconds, options.binSeconds, 'window');
    this.hopBins = wholeBins(options.hopSeconds, options.binSeconds, 'hop');
    if (!Number.isInteger(options.levels) || options.levels < 2 || options.levels > 255) {
      throw new RangeError(`levels must be an integer from 2 to 255, got ${options.levels}`);
    }
    this.ring = new Array(this.windowBins);
    this.readout = (readout ?? ((o, w, r) => new IncrementalReadout(o, w, r)))(options, this.windowBins, rows);
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
    if (!(this.alpha > 0 && this.alpha < 1)) throw new RangeError(`alpha must lie between 0 and 1, got ${this.alpha}`);
    if (options.surrogates > 0 && options.surrogateScheme === 'permutation') {
      // Permutations are kept from the stream's start (labelPermutations.ts): a tile cannot start mid-stream.
      if (resume !== undefined) throw new RangeError('permutation surrogates cannot resume a tile mid-stream; run the analysis in one process or in threads from the start');
      this.history = new LabelHistory(labelHistoryBins(options)!);
      const permutations = new LabelPermutations(options.surrogates, this.windowBins, options.seed);
      this.significance = new LabelLagSignificance(options.levels, this.windowBins, new Int32Array(options.surrogates), this.history, 1, options.maxSurrogateCells, rows, permutations, this.hopBins >= this.windowBins);
    } else if (options.surrogates > 0) {
      const steps = lagSteps(options);
      if (steps.auto !== undefined) this.autoLag = steps.auto;
      const stepBins = resume?.stepBins ?? steps.firstBins;
      const lags = labelLags(options.surrogates, stepBins, options.seed);
      const capacity = labelHistoryBins(options)!;
      this.history = resume?.history === undefined ? new LabelHistory(capacity) : LabelHistory.restore(capacity, resume.history);
      this.significance = new LabelLagSignificance(options.levels, this.windowBins, lags, this.history, stepBins, options.maxSurrogateCells, rows);
    }
    if (resume !== undefined) {
      // From the window's start, or from the stream's first bin when the window reaches before it.
      if (!(resume.nextEmissionBin >= resume.fromBin)) throw new RangeError(`a resumed tile takes bins from ${resume.fromBin}, after its first emission at ${resume.nextEmissionBin}`);
      // The history must end just before the first bin taken: a gap would count as unlabeled bins the tile never had.
      const history = resume.history;
      if (history !== undefined && history.first !== null && history.last !== resume.fromBin - 1) {
        throw new RangeError(`a resumed tile's label history ends at bin ${history.last}, not just before bin ${resume.fromBin} where it takes bins`);
      }
      this.nextEmissionBin = resume.nextEmissionBin;
      this.resumeFromBin = resume.fromBin;
    }
  }

  /** A resumed tile takes bins from here (earlier ones are skipped). */
  private resumeFromBin = -Infinity;

  /** The surrogates' lag step in force, bins (undefined without surrogates). */
  get stepBins(): number | undefined {
    return this.significance?.stepBins;
  }

  /** The label history (a coordinator's snapshot for resuming tiles reads the same). */
  get labelHistory(): LabelHistory | undefined {
    return this.history;
  }

  /** Bytes the tile holds: its count tables, the surrogates' and the window's bins. */
  memoryBytes(): number {
    let bytes = (this.readout.memoryBytes?.() ?? 0) + (this.significance?.memoryBytes() ?? 0);
    for (const entry of this.ring) if (entry !== undefined) bytes += entry.units.byteLength + entry.symbols.byteLength + 64;
    return bytes;
  }

  /** Takes the next complete bins (consecutive with the previous frame) and returns the emissions that became due. */
  push(frame: TileFrame): TileEmission[] {
    this.units = frame.units;
    this.modes = Math.max(1, frame.modes);
    if (this.nextEmissionBin === undefined) this.nextEmissionBin = firstEmissionBin(frame.startTime, this.options.hopSeconds, this.hopBins);
    const emissions: TileEmission[] = [];
    const maxSymbol = this.options.levels - 1;
    const end = this.rows.end;
    for (let b = 0; b < frame.binCount; b++) {
      const bin = frame.firstBin + b;
      if (bin < this.resumeFromBin) continue;
      while (this.nextEmissionBin <= bin) {
        emissions.push(this.emit(this.nextEmissionBin));
        this.nextEmissionBin += this.hopBins;
      }
      const from = frame.offsets[b];
      let to = frame.offsets[b + 1];
      // The units of the tile: those below its end (a bin's units ascend).
      while (to > from && frame.unit[to - 1] >= end) to--;
      // Views of the frame (its arrays are never written after it is made), held while the bin is in the window.
      const units = frame.unit.subarray(from, to);
      const symbols = new Uint8Array(to - from);
      for (let k = 0; k < symbols.length; k++) symbols[k] = Math.min(frame.count[from + k], maxSymbol);
      this.enter({ bin, label: frame.label[b], units, symbols });
    }
    return emissions;
  }

  /** The stream ended at `endTime`: the emissions still due up to the last full hop. */
  finish(endTime: number): TileEmission[] {
    const emissions: TileEmission[] = [];
    if (this.nextEmissionBin === undefined) return emissions;
    const lastBin = binOf(endTime, this.options.hopSeconds) * this.hopBins;
    while (this.nextEmissionBin <= lastBin) {
      emissions.push(this.emit(this.nextEmissionBin));
      this.nextEmissionBin += this.hopBins;
    }
    return emissions;
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

  private emit(endBin: number): TileEmission {
    const entries = this.windowEntries(endBin);
    let samples = 0;
    for (const entry of entries) if (entry.label >= 0) samples++;
    const units = this.units;
    const modes = this.modes;
    const pairsComputed = pairsBelow(units);
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
    const evaluated = this.significance?.evaluate(endBin - this.windowBins, units, modes);
    const firstPair = pairsBelow(this.rows.first);
    const pairs: TilePair[] = ranked.map((pair) => {
      if (evaluated === undefined) return pair;
      const index = pairsBelow(pair.j) + pair.i - firstPair;
      return { ...pair, excess: evaluated.excess[index], beyond: evaluated.beyond[index] };
    });
    let significance: TileSignificance | undefined;
    if (evaluated !== undefined) {
      // The pairs significant against this tile's maxima: a superset of those significant against every tile's.
      const candidates: number[] = [];
      if (evaluated.available > 0) {
        const excess = evaluated.excess;
        for (let q = 0; q < excess.length; q++) {
          const distance = Math.abs(excess[q]);
          if (evaluated.familyP(distance) <= this.alpha) candidates.push(distance);
        }
      }
      significance = {
        available: evaluated.available,
        effective: evaluated.effective,
        maxima: evaluated.maxima,
        beyondCounts: evaluated.beyondCounts,
        candidates: Float64Array.from(candidates),
      };
    }
    const emission: TileEmission = { tile: this.tile, endBin, pairs, ...(significance === undefined ? {} : { significance }) };
    if (((this.options.groups !== undefined && this.options.groups.length > 0) || this.options.pairMatrix === true) && samples > 0) {
      const synergy = this.readout.allSynergies?.(units);
      if (synergy !== undefined) emission.allPairs = { synergy, ...(evaluated === undefined ? {} : { excess: Float64Array.from(evaluated.excess.subarray(0, synergy.length)) }) };
    }
    return emission;
  }
}

/** The bins of label history the surrogates need (a window, the longest lag of the longest step, and a hop of slack); undefined without surrogates. */
export function labelHistoryBins(options: AnalysisOptions): number | undefined {
  if (options.surrogates <= 0) return undefined;
  const windowBins = wholeBins(options.windowSeconds, options.binSeconds, 'window');
  if (options.surrogateScheme === 'permutation') return windowBins + 1;
  return LabelLagSignificance.historyBins(windowBins, labelLags(options.surrogates, lagSteps(options).longestBins, options.seed));
}

/**
 * The surrogates' lag steps, bins: the first in force, the longest there can
 * be (the history holds its longest lags), and with 'auto' the bounds of the
 * step: from 1 s (or one bin) up to AUTO_LAG_STEP_MAX_SECONDS.
 */
export function lagSteps(options: AnalysisOptions): { firstBins: number; longestBins: number; auto?: { minBins: number; maxBins: number } } {
  const step = options.lagStepSeconds ?? DEFAULT_LAG_STEP_SECONDS;
  if (step !== 'auto') {
    const bins = wholeBins(step, options.binSeconds, 'lag step');
    return { firstBins: bins, longestBins: bins };
  }
  const minBins = Math.max(1, Math.round(DEFAULT_LAG_STEP_SECONDS / options.binSeconds));
  const maxBins = Math.max(minBins, Math.round(AUTO_LAG_STEP_MAX_SECONDS / options.binSeconds));
  return { firstBins: minBins, longestBins: maxBins, auto: { minBins, maxBins } };
}

/** The first emission's end bin: the first hop boundary later than the stream's start. */
export function firstEmissionBin(startTime: number, hopSeconds: number, hopBins: number): number {
  return (binOf(startTime, hopSeconds) + 1) * hopBins;
}
