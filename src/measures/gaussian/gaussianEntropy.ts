import type { Matrix } from 'ml-matrix';
import { allVariables, covarianceLog2Determinant, sampleCovariance } from './covariance.ts';
import {
  covarianceOptionsFor,
  gaussianEntropyBiasBits,
  type GaussianCovarianceOptions,
  type GaussianSampleOptions,
} from './gaussianEntropyBias.ts';

/** log₂(2πe): a Gaussian entropy is ½(k·log₂(2πe) + log₂ det Σ). */
export const LOG2_TWO_PI_E = Math.log2(2 * Math.PI * Math.E);

/**
 * Differential entropy, in bits, of a Gaussian vector X_S with covariance Σ_S:
 *
 *   H(X_S) = ½ log₂((2πe)^k det Σ_S),   k = |S|
 *
 * (Cover & Thomas, Elements of Information Theory, 2nd ed. 2006, Theorem
 * 8.4.1). `indices` picks S out of `covariance` (all variables by default);
 * an empty S has entropy 0. A differential entropy can be negative: only
 * differences of them (mutual information, TC, DTC, Ω) are invariant to
 * the scale of the variables.
 *
 * With `options.sampleCount` = N (the covariance is a sample covariance of
 * N samples, normalized by N − 1) the analytic bias
 * gaussianEntropyBiasBits(k, N) is subtracted (Ince et al. 2017, gcmi
 * `ent_g`); without it the covariance is taken as exact.
 *
 * Example: one standard normal variable has H = ½ log₂(2πe) = 2.047095585180641 bits;
 * for Σ = [[1, ½], [½, 1]], H = log₂(2πe) + ½ log₂ ¾ = 3.8866724207218603 bits.
 *
 * @throws SingularCovarianceError when Σ_S is not positive definite.
 * @throws RangeError when `sampleCount` is not an integer greater than k.
 */
export function gaussianEntropyFromCovariance(
  covariance: Matrix,
  indices: readonly number[] = allVariables(covariance),
  options: GaussianCovarianceOptions = {},
): number {
  const entropy = 0.5 * (indices.length * LOG2_TWO_PI_E + covarianceLog2Determinant(covariance, indices));
  if (options.sampleCount === undefined) return entropy;
  return entropy - gaussianEntropyBiasBits(indices.length, options.sampleCount);
}

/**
 * Gaussian entropy, in bits, of the variables whose samples are `columns`
 * (one array of N samples per variable): gaussianEntropyFromCovariance of
 * the unbiased sample covariance, bias-corrected for N unless
 * `options.biasCorrection` is false.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianEntropy(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  const covariance = sampleCovariance(columns);
  return gaussianEntropyFromCovariance(
    covariance,
    allVariables(covariance),
    covarianceOptionsFor(columns[0].length, options),
  );
}
