import type { Matrix } from 'ml-matrix';
import { allVariables, sampleCovariance } from './covariance.ts';
import { gaussianEntropyFromCovariance } from './gaussianEntropy.ts';
import {
  covarianceOptionsFor,
  type GaussianCovarianceOptions,
  type GaussianSampleOptions,
} from './gaussianEntropyBias.ts';

/**
 * Dual total correlation (binding information), in bits, of a Gaussian vector of k variables:
 *
 *   DTC(X) = Σ_j H(X_−j) − (k − 1) H(X)
 *
 * where X_−j is X without variable j (Han 1978, Inf. Control 36, 133–156;
 * Rosas et al. 2019, Phys. Rev. E 100, 032305, eq. 3). It is the part of
 * H(X) shared by at least two variables. `indices` picks the variables
 * (all by default). With `options.sampleCount` = N every entropy is
 * bias-corrected for N (gaussianEntropyBiasBits).
 *
 * Example: three variables with unit variance and every correlation ½
 * (det Σ = ½, each pair det ¾) have DTC = 1 + (3/2) log₂ ¾ = 0.37744375108173427 bits.
 *
 * @throws SingularCovarianceError when Σ restricted to `indices` is not positive definite.
 * @throws RangeError when `sampleCount` is not an integer greater than |indices|.
 */
export function gaussianDualTotalCorrelationFromCovariance(
  covariance: Matrix,
  indices: readonly number[] = allVariables(covariance),
  options: GaussianCovarianceOptions = {},
): number {
  const k = indices.length;
  let sumOfLeaveOneOutEntropies = 0;
  for (let left = 0; left < k; left++) {
    const others = indices.filter((_, position) => position !== left);
    sumOfLeaveOneOutEntropies += gaussianEntropyFromCovariance(covariance, others, options);
  }
  return sumOfLeaveOneOutEntropies - (k - 1) * gaussianEntropyFromCovariance(covariance, indices, options);
}

/**
 * Gaussian dual total correlation, in bits, of the variables sampled in
 * `columns` (one array of N samples per variable), from their unbiased
 * sample covariance, bias-corrected for N unless `options.biasCorrection`
 * is false.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianDualTotalCorrelation(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  const covariance = sampleCovariance(columns);
  return gaussianDualTotalCorrelationFromCovariance(
    covariance,
    allVariables(covariance),
    covarianceOptionsFor(columns[0].length, options),
  );
}
