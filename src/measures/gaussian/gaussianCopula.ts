import { normalQuantile } from '../../math/normalQuantile.ts';
import { InvalidSamplesError } from './covariance.ts';
import { gaussianDualTotalCorrelation } from './gaussianDualTotalCorrelation.ts';
import { gaussianEntropy } from './gaussianEntropy.ts';
import type { GaussianSampleOptions } from './gaussianEntropyBias.ts';
import { gaussianMutualInformation } from './gaussianMutualInformation.ts';
import { gaussianOInformation } from './gaussianOInformation.ts';
import { gaussianTotalCorrelation } from './gaussianTotalCorrelation.ts';

/*
 * Gaussian-copula estimators (Ince, Giordano, Kayser, Rousselet, Gross &
 * Schyns 2017, "A statistical framework for neuroimaging data analysis
 * based on mutual information estimated via a gaussian copula", Hum. Brain
 * Mapp. 38, 1541–1573). Each variable is replaced by the standard normal
 * score of its rank, then the Gaussian estimator is applied. Mutual
 * information, TC, DTC and Ω depend only on the copula, so they become
 * invariant to any strictly increasing transform of each variable; for
 * mutual information the Gaussian-copula estimate is a lower bound on the
 * true value (Ince et al. 2017).
 *
 * Every measure here is bias-corrected term by term by default, as gcmi's
 * `gcmi_cc` is (gaussianEntropyBiasBits); `{ biasCorrection: false }`
 * gives the plug-in log-determinant value.
 */

/**
 * The Gaussian-copula transform of one variable: z_n = Φ⁻¹(r_n / (N + 1)),
 * r_n the rank of sample n among the N samples (1 = smallest).
 *
 * Tied samples share their mid-rank (the average of the ranks they span),
 * so spike counts, which tie a lot, map to the same score whatever the
 * sample order; Ince et al. break ties by position instead, which would
 * make the estimate depend on the order of the samples. Dividing by N + 1
 * keeps every u strictly inside (0, 1).
 *
 * Example: copulaNormalize([10, 30, 20]) = [Φ⁻¹(¼), Φ⁻¹(¾), 0]
 * = [−0.6744897501960817, 0.6744897501960817, 0]; copulaNormalize([5, 5, 7])
 * gives both 5s the rank 1.5: [Φ⁻¹(3/8), Φ⁻¹(3/8), Φ⁻¹(¾)].
 *
 * @throws InvalidSamplesError on a value that is not a finite number.
 */
export function copulaNormalize(column: ArrayLike<number>): Float64Array {
  const sampleCount = column.length;
  for (let sample = 0; sample < sampleCount; sample++) {
    if (!Number.isFinite(column[sample])) {
      throw new InvalidSamplesError(
        `copulaNormalize: sample ${sample} is ${column[sample]}, expected a finite number`,
      );
    }
  }
  const order = new Uint32Array(sampleCount);
  for (let sample = 0; sample < sampleCount; sample++) order[sample] = sample;
  order.sort((left, right) => column[left] - column[right]);

  const scores = new Float64Array(sampleCount);
  let tieStart = 0;
  while (tieStart < sampleCount) {
    let tieEnd = tieStart + 1;
    while (tieEnd < sampleCount && column[order[tieEnd]] === column[order[tieStart]]) tieEnd++;
    // Ranks tieStart+1 … tieEnd (1-based) averaged.
    const midRank = (tieStart + 1 + tieEnd) / 2;
    const score = normalQuantile(midRank / (sampleCount + 1));
    for (let position = tieStart; position < tieEnd; position++) scores[order[position]] = score;
    tieStart = tieEnd;
  }
  return scores;
}

function copulaNormalizeAll(columns: readonly ArrayLike<number>[]): Float64Array[] {
  return columns.map((column) => copulaNormalize(column));
}

/**
 * Gaussian entropy, in bits, of the normal scores of `columns`. Unlike the
 * other copula measures this is not an estimate of the entropy of the raw
 * variables (the marginals were replaced by standard normals); it is given
 * so that the copula measures can be assembled from entropies.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function copulaEntropy(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  return gaussianEntropy(copulaNormalizeAll(columns), options);
}

/**
 * Gaussian-copula mutual information, in bits, between the variables
 * sampled in `x` and those sampled in `y` (Ince et al. 2017, "GCMI"):
 * gaussianMutualInformation of the copula-normalized columns.
 *
 * @throws InvalidSamplesError, SingularCovarianceError (a constant column
 *   normalizes to all zeros and is singular)
 */
export function copulaMutualInformation(
  x: readonly ArrayLike<number>[],
  y: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  return gaussianMutualInformation(copulaNormalizeAll(x), copulaNormalizeAll(y), options);
}

/**
 * Gaussian-copula total correlation, in bits: gaussianTotalCorrelation of
 * the copula-normalized columns.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function copulaTotalCorrelation(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  return gaussianTotalCorrelation(copulaNormalizeAll(columns), options);
}

/**
 * Gaussian-copula dual total correlation, in bits:
 * gaussianDualTotalCorrelation of the copula-normalized columns.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function copulaDualTotalCorrelation(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  return gaussianDualTotalCorrelation(copulaNormalizeAll(columns), options);
}

/**
 * Gaussian-copula O-information, in bits: gaussianOInformation of the
 * copula-normalized columns, Ω = TC − DTC, as applied to groups of neurons
 * by Clauw et al. Ω > 0 redundancy-dominated, Ω < 0 synergy-dominated.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function copulaOInformation(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  return gaussianOInformation(copulaNormalizeAll(columns), options);
}
