import { entropy } from './entropy.ts';
import type { InformationSource } from './informationSource.ts';

/**
 * Dual total correlation (Han 1978; binding information)
 * DTC = Σ_j H(X_−j) − (k − 1) H(X), in bits, X_−j being all variables but j.
 * Example: three copies of a fair bit give DTC = 1; 3-variable parity gives 2.
 */
export function dualTotalCorrelation(source: InformationSource, vars: readonly number[]): number {
  const k = vars.length;
  if (k === 0) return 0;
  let sumLeaveOneOut = 0;
  for (let j = 0; j < k; j++) sumLeaveOneOut += entropy(source, vars.filter((_, i) => i !== j));
  return sumLeaveOneOut - (k - 1) * entropy(source, vars);
}
