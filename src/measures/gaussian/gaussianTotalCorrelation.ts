import type { Matrix } from 'ml-matrix';
import { allVariables, sampleCovariance } from './covariance.ts';
import { gaussianEntropyFromCovariance } from './gaussianEntropy.ts';
import {
  covarianceOptionsFor,
  type GaussianCovarianceOptions,
  type GaussianSampleOptions,
} from './gaussianEntropyBias.ts';

/**
 * Total correlation (multi-information), in bits, of a Gaussian vector:
 *
 *   TC(X) = Σ_i H(X_i) − H(X) = ½ log₂(Π_i Σ_ii / det Σ)
 *
 * (Watanabe 1960, IBM J. Res. Dev. 4, 66–82). It is 0 exactly when the
 * variables are independent. `indices` picks the variables (all by default).
 * With `options.sampleCount` = N every entropy is bias-corrected for N
 * (gaussianEntropyBiasBits): the plug-in TC of independent variables has
 * mean k·b(1, N) − b(k, N) ≈ k(k − 1)/(4N ln 2) (0.449 bits for k = 16,
 * N = 200), the corrected one mean 0.
 *
 * Example: three variables with unit variance and every correlation ½
 * (det Σ = ½) have TC = ½ log₂ 2 = 0.5 bits.
 *
 * @throws SingularCovarianceError when Σ restricted to `indices` is not positive definite.
 * @throws RangeError when `sampleCount` is not an integer greater than |indices|.
 */
export function gaussianTotalCorrelationFromCovariance(
  covariance: Matrix,
  indices: readonly number[] = allVariables(covariance),
  options: GaussianCovarianceOptions = {},
): number {
  let sumOfMarginalEntropies = 0;
  for (const index of indices) {
    sumOfMarginalEntropies += gaussianEntropyFromCovariance(covariance, [index], options);
  }
  return sumOfMarginalEntropies - gaussianEntropyFromCovariance(covariance, indices, options);
}

/**
 * Gaussian total correlation, in bits, of the variables sampled in
 * `columns` (one array of N samples per variable), from their unbiased
 * sample covariance, bias-corrected for N unless `options.biasCorrection`
 * is false.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianTotalCorrelation(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  const covariance = sampleCovariance(columns);
  return gaussianTotalCorrelationFromCovariance(
    covariance,
    allVariables(covariance),
    covarianceOptionsFor(columns[0].length, options),
  );
}
