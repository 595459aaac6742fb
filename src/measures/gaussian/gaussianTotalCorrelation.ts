import type { Matrix } from 'ml-matrix';
import { allVariables, sampleCovariance } from './covariance.ts';
import { gaussianEntropyFromCovariance } from './gaussianEntropy.ts';

/**
 * Total correlation (multi-information), in bits, of a Gaussian vector:
 *
 *   TC(X) = Σ_i H(X_i) − H(X) = ½ log₂(Π_i Σ_ii / det Σ)
 *
 * (Watanabe 1960, IBM J. Res. Dev. 4, 66–82). It is 0 exactly when the
 * variables are independent. `indices` picks the variables (all by default).
 *
 * Example: three variables with unit variance and every correlation ½
 * (det Σ = ½) have TC = ½ log₂ 2 = 0.5 bits.
 *
 * @throws SingularCovarianceError when Σ restricted to `indices` is not positive definite.
 */
export function gaussianTotalCorrelationFromCovariance(
  covariance: Matrix,
  indices: readonly number[] = allVariables(covariance),
): number {
  let sumOfMarginalEntropies = 0;
  for (const index of indices) sumOfMarginalEntropies += gaussianEntropyFromCovariance(covariance, [index]);
  return sumOfMarginalEntropies - gaussianEntropyFromCovariance(covariance, indices);
}

/**
 * Gaussian total correlation, in bits, of the variables sampled in
 * `columns` (one array of N samples per variable), from their unbiased
 * sample covariance.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianTotalCorrelation(columns: readonly ArrayLike<number>[]): number {
  return gaussianTotalCorrelationFromCovariance(sampleCovariance(columns));
}
