import { digamma } from '../../math/digamma.ts';

/**
 * Options of the `…FromCovariance` Gaussian estimators. `sampleCount` is
 * the number N of samples the covariance was estimated from (normalized by
 * N − 1); when it is given, every entropy term is bias-corrected for it
 * (gaussianEntropyBiasBits). Without it the covariance is taken as exact
 * (a population covariance) and nothing is corrected.
 */
export interface GaussianCovarianceOptions {
  readonly sampleCount?: number;
}

/**
 * Options of the from-samples Gaussian and Gaussian-copula estimators.
 * `biasCorrection` (default true) subtracts the analytic bias of each
 * entropy term (gaussianEntropyBiasBits), as gcmi's `biascorrect=True`
 * does; false gives the raw log-determinant (plug-in) estimate.
 */
export interface GaussianSampleOptions {
  readonly biasCorrection?: boolean;
}

/**
 * The expected error, in bits, of the Gaussian entropy of k variables
 * estimated from N samples with the covariance normalized by N − 1:
 *
 *   E[Ĥ] − H = (1 / (2 ln 2)) · [Σ_{i=1..k} ψ((N − i)/2) − k · ln((N − 1)/2)]
 *
 * (ψ the digamma function). (N − 1)·Σ̂ is Wishart with N − 1 degrees of
 * freedom, whose log-determinant has expectation ln det Σ + k ln 2 +
 * Σ_i ψ((N − i)/2) (Misra, Singh & Demchuk 2005, J. Multivar. Anal. 92,
 * 324–342), so the offset does not depend on the true covariance. It is negative: the plug-in entropy is low, and TC, DTC and
 * Ω, which subtract a large joint entropy from small marginal ones, lean
 * high. Ince et al. 2017 (gcmi `ent_g`, `mi_gg`; hoi `entropy_gc`) subtract
 * it from every entropy term; so do the estimators here.
 *
 * Example: gaussianEntropyBiasBits(1, 200) = −0.003630933645951902 bits;
 * gaussianEntropyBiasBits(16, 200) = −0.5071472584625877 bits.
 *
 * @throws RangeError unless k is an integer ≥ 0 and N an integer > k (with
 *   N ≤ k the sample covariance is singular and ψ meets its poles).
 */
export function gaussianEntropyBiasBits(variableCount: number, sampleCount: number): number {
  if (!Number.isInteger(variableCount) || variableCount < 0) {
    throw new RangeError(`Gaussian entropy bias: variable count must be an integer ≥ 0, got ${variableCount}`);
  }
  if (!Number.isInteger(sampleCount) || sampleCount <= variableCount) {
    throw new RangeError(
      `Gaussian entropy bias: sample count must be an integer greater than the ${variableCount} variables, got ${sampleCount}`,
    );
  }
  let digammaSum = 0;
  for (let i = 1; i <= variableCount; i++) digammaSum += digamma((sampleCount - i) / 2);
  return (digammaSum - variableCount * Math.log((sampleCount - 1) / 2)) / (2 * Math.LN2);
}

/** The covariance options that carry out `options` for a covariance of `sampleCount` samples. */
export function covarianceOptionsFor(
  sampleCount: number,
  options: GaussianSampleOptions,
): GaussianCovarianceOptions {
  return options.biasCorrection === false ? {} : { sampleCount };
}
