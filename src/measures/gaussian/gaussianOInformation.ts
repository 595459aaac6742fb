import type { Matrix } from 'ml-matrix';
import { allVariables, sampleCovariance } from './covariance.ts';
import { gaussianDualTotalCorrelationFromCovariance } from './gaussianDualTotalCorrelation.ts';
import {
  covarianceOptionsFor,
  type GaussianCovarianceOptions,
  type GaussianSampleOptions,
} from './gaussianEntropyBias.ts';
import { gaussianTotalCorrelationFromCovariance } from './gaussianTotalCorrelation.ts';

/**
 * O-information, in bits, of a Gaussian vector:
 *
 *   Ω(X) = TC(X) − DTC(X)
 *
 * (Rosas, Mediano, Gastpar & Jensen 2019, Phys. Rev. E 100, 032305, eq. 4).
 * Ω > 0: redundancy dominates (copies of one signal); Ω < 0: synergy
 * dominates (a variable that is a function of the others jointly but of
 * none alone). For three variables Ω is the co-information
 * I(X1;X2) − I(X1;X2|X3); for two it is 0. `indices` picks the variables
 * (all by default). With `options.sampleCount` = N every entropy term of TC
 * and DTC is bias-corrected for N (gaussianEntropyBiasBits), as hoi's
 * `entropy_gc` does for each subset.
 *
 * Example: three variables with unit variance and every correlation ½ have
 * Ω = ½ − (1 + (3/2) log₂ ¾) = 0.12255624891826573 bits (redundant).
 *
 * @throws SingularCovarianceError when Σ restricted to `indices` is not positive definite.
 * @throws RangeError when `sampleCount` is not an integer greater than |indices|.
 */
export function gaussianOInformationFromCovariance(
  covariance: Matrix,
  indices: readonly number[] = allVariables(covariance),
  options: GaussianCovarianceOptions = {},
): number {
  return (
    gaussianTotalCorrelationFromCovariance(covariance, indices, options) -
    gaussianDualTotalCorrelationFromCovariance(covariance, indices, options)
  );
}

/**
 * Gaussian O-information, in bits, of the variables sampled in `columns`
 * (one array of N samples per variable), from their unbiased sample
 * covariance, bias-corrected for N unless `options.biasCorrection` is false.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianOInformation(
  columns: readonly ArrayLike<number>[],
  options: GaussianSampleOptions = {},
): number {
  const covariance = sampleCovariance(columns);
  return gaussianOInformationFromCovariance(
    covariance,
    allVariables(covariance),
    covarianceOptionsFor(columns[0].length, options),
  );
}
