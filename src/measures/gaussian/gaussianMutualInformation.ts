import type { Matrix } from 'ml-matrix';
import { sampleCovariance } from './covariance.ts';
import { gaussianEntropyFromCovariance } from './gaussianEntropy.ts';
import {
  covarianceOptionsFor,
  type GaussianCovarianceOptions,
  type GaussianSampleOptions,
} from './gaussianEntropyBias.ts';

/**
 * Mutual information, in bits, between the Gaussian blocks X_a and X_b of
 * one covariance Σ:
 *
 *   I(X_a; X_b) = H(X_a) + H(X_b) − H(X_a, X_b) = ½ log₂(det Σ_a det Σ_b / det Σ_ab)
 *
 * (Cover & Thomas 2006, Theorem 8.4.1 applied to each entropy; the (2πe)^k
 * factors cancel). `a` and `b` are disjoint lists of variable indices.
 * With `options.sampleCount` = N each of the three entropies is
 * bias-corrected for its own dimension (gcmi `mi_gg`), so the estimate
 * shrinks by gaussianEntropyBiasBits(|a| + |b|, N) − the two block biases.
 *
 * Example: for Σ = [[1, ρ], [ρ, 1]], I = −½ log₂(1 − ρ²); at ρ = ½ that is
 * 0.20751874963942191 bits.
 *
 * @throws RangeError when `a` and `b` share a variable.
 * @throws SingularCovarianceError when Σ_ab is not positive definite.
 * @throws RangeError when `sampleCount` is not an integer greater than |a| + |b|.
 */
export function gaussianMutualInformationFromCovariance(
  covariance: Matrix,
  a: readonly number[],
  b: readonly number[],
  options: GaussianCovarianceOptions = {},
): number {
  const shared = a.filter((index) => b.includes(index));
  if (shared.length > 0) {
    throw new RangeError(
      `gaussianMutualInformationFromCovariance: the two blocks must be disjoint, both contain [${shared.join(', ')}]`,
    );
  }
  return (
    gaussianEntropyFromCovariance(covariance, a, options) +
    gaussianEntropyFromCovariance(covariance, b, options) -
    gaussianEntropyFromCovariance(covariance, [...a, ...b], options)
  );
}

/**
 * Gaussian mutual information, in bits, between the variables sampled in
 * `x` and those sampled in `y` (each an array of columns of N samples),
 * from their joint unbiased sample covariance, bias-corrected for N unless
 * `options.biasCorrection` is false. In errors, x's columns are variables
 * 0…|x|−1 and y's follow them.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianMutualInformation(
  x: readonly ArrayLike<number>[],
  y: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  const columns = [...x, ...y];
  const covariance = sampleCovariance(columns);
  const xIndices = x.map((_, index) => index);
  const yIndices = y.map((_, index) => x.length + index);
  return gaussianMutualInformationFromCovariance(
    covariance,
    xIndices,
    yIndices,
    covarianceOptionsFor(columns[0].length, options),
  );
}
