import type { Matrix } from 'ml-matrix';
import { allVariables, covarianceLog2Determinant, sampleCovariance } from './covariance.ts';

const LOG2_TWO_PI_E = Math.log2(2 * Math.PI * Math.E);

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
 * Example: one standard normal variable has H = ½ log₂(2πe) = 2.047095585180641 bits;
 * for Σ = [[1, ½], [½, 1]], H = log₂(2πe) + ½ log₂ ¾ = 3.8866724207218603 bits.
 *
 * @throws SingularCovarianceError when Σ_S is not positive definite.
 */
export function gaussianEntropyFromCovariance(
  covariance: Matrix,
  indices: readonly number[] = allVariables(covariance),
): number {
  return 0.5 * (indices.length * LOG2_TWO_PI_E + covarianceLog2Determinant(covariance, indices));
}

/**
 * Gaussian entropy, in bits, of the variables whose samples are `columns`
 * (one array of N samples per variable): gaussianEntropyFromCovariance of
 * the unbiased sample covariance. No bias correction is applied.
 *
 * @throws InvalidSamplesError, SingularCovarianceError
 */
export function gaussianEntropy(columns: readonly ArrayLike<number>[]): number {
  return gaussianEntropyFromCovariance(sampleCovariance(columns));
}
