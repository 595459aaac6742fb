import type { EstimationData } from '../measures/discreteSamples.ts';
import type { InformationSource } from '../measures/informationSource.ts';
import { BiasCorrectedSource } from './biasCorrectedSource.ts';
import { jackknife } from './jackknife.ts';
import type { NumericTree } from './numericTree.ts';
import { PluginSource } from './pluginSource.ts';
import { EstimatorInputError, quadraticExtrapolation } from './quadraticExtrapolation.ts';
import { ShuffleSource, type ShufflePairing } from './shuffleSource.ts';

/** The estimators every discrete measure can be taken with (SCIENCE.md, "Bias corrections"). */
export const ESTIMATORS = ['plugin', 'miller-madow', 'panzeri-treves', 'qe', 'shuffle', 'jackknife'] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

export interface EstimateOptions {
  estimator: EstimatorName;
  /** Seed of the `shuffle` estimator's within-mode shuffles (default 0). */
  seed?: number;
  /**
   * How `shuffle` pairs the units' responses within a mode. Absent (the
   * default): a seeded random permutation per unit, drawn from the per-mode
   * counts. Given: `shufflePartner[s]` is the sample whose next unit is read
   * with sample s, a permutation of the samples within each mode (the
   * streaming engine's random cycles, withinModeCycles.ts). See ShuffleSource.
   */
  shufflePartner?: Int32Array;
}

export function isEstimatorName(name: string): name is EstimatorName {
  return (ESTIMATORS as readonly string[]).includes(name);
}

/**
 * A measure taken with an estimator. The measure is a function of an
 * InformationSource, written as its definition (e.g. `(s) => pairSynergy(s, 0, 1, 2)`);
 * term-wise estimators give it a correcting source, whole-measure estimators
 * (qe, jackknife) evaluate it on plug-in sources of sub-tables and combine.
 */
export function estimate<T extends NumericTree>(
  data: EstimationData,
  measure: (source: InformationSource) => T,
  options: EstimateOptions,
): T {
  switch (options.estimator) {
    case 'plugin':
      return measure(new PluginSource(data.table));
    case 'miller-madow':
    case 'panzeri-treves':
      return measure(new BiasCorrectedSource(data.table, options.estimator));
    case 'shuffle':
      return measure(new ShuffleSource(data.table, options.seed ?? 0, shufflePairing(data, options.shufflePartner)));
    case 'qe':
      return quadraticExtrapolation(data, measure);
    case 'jackknife':
      return jackknife(data.table, measure);
    default: {
      const unknown: never = options.estimator;
      throw new RangeError(`unknown estimator ${String(unknown)}; expected one of ${ESTIMATORS.join(', ')}`);
    }
  }
}

function shufflePairing(data: EstimationData, partner: Int32Array | undefined): ShufflePairing | undefined {
  if (partner === undefined) return undefined;
  if (data.samples === undefined) throw new EstimatorInputError('a given shuffle pairing needs the samples in order, not only their counts');
  return { partner, samples: data.samples };
}
