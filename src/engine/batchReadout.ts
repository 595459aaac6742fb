import { estimate, type EstimatorName } from '../estimators/estimate.ts';
import { windowShufflePartners } from '../estimators/withinModeCycles.ts';
import { discretize, estimationData } from '../measures/discreteSamples.ts';
import { pairSynergy } from '../measures/pairSynergy.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { comparePairs, type RankedPair, type WindowBin, type WindowReadout } from './windowReadout.ts';

/**
 * The naive readout: at every emission, every pair is recomputed from the
 * window's bins with the batch library (discretize → estimationData →
 * estimate(pairSynergy)), nothing carried over between hops. It is the
 * reference the incremental readout must equal, and the benchmark's
 * recompute-the-window path.
 */
export class BatchReadout implements WindowReadout {
  private readonly estimator: EstimatorName;
  private readonly levels: number;
  private readonly seed: number;

  constructor(options: AnalysisOptions) {
    this.estimator = options.estimator;
    this.levels = options.levels;
    this.seed = options.seed;
  }

  update(): void {}

  rank(entries: readonly WindowBin[], units: number, modes: number, limit: number): RankedPair[] {
    const labeled = entries.filter((entry) => entry.label >= 0);
    const columns = symbolColumns(labeled, units);
    const mode = labeled.map((entry) => entry.label);
    const quarterOf = labeled.map((entry) => entry.bin % 4);
    const partner = this.shufflePartner(() => windowShufflePartners(mode, labeled.map((entry) => entry.bin), this.seed));
    const ranked: RankedPair[] = [];
    for (let j = 1; j < units; j++) {
      for (let i = 0; i < j; i++) {
        const terms = this.pairTerms(columns[i], columns[j], mode, quarterOf, modes, partner);
        ranked.push({ i, j, ...terms });
      }
    }
    ranked.sort(comparePairs);
    return ranked.slice(0, limit);
  }

  private pairTerms(
    xa: ArrayLike<number>,
    xb: ArrayLike<number>,
    mode: ArrayLike<number>,
    quarterOf: ArrayLike<number>,
    modes: number,
    shufflePartner: Int32Array | undefined,
  ): { joint: number; ia: number; ib: number; synergy: number } {
    const data = estimationData(discretize([xa, xb, mode], [this.levels, this.levels, modes]), quarterOf);
    return estimate(data, (source) => pairSynergy(source, 0, 1, 2), { estimator: this.estimator, seed: this.seed, shufflePartner });
  }

  /** Under `shuffle`, the streaming engine's pairing (random cycles per mode, withinModeCycles.ts). */
  private shufflePartner(partners: () => Int32Array): Int32Array | undefined {
    return this.estimator === 'shuffle' ? partners() : undefined;
  }
}

/** Each unit's symbol in each of the given bins (0 where it did not fire). */
function symbolColumns(entries: readonly WindowBin[], units: number): Int32Array[] {
  const columns = Array.from({ length: units }, () => new Int32Array(entries.length));
  entries.forEach((entry, w) => {
    for (let k = 0; k < entry.units.length; k++) columns[entry.units[k]][w] = entry.symbols[k];
  });
  return columns;
}
