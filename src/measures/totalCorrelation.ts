import { entropy } from './entropy.ts';
import type { InformationSource } from './informationSource.ts';

/**
 * Total correlation (Watanabe 1960) TC = Σ_i H(X_i) − H(X), in bits.
 * Example: three copies of a fair bit give TC = 2; 3-variable parity gives 1.
 */
export function totalCorrelation(source: InformationSource, vars: readonly number[]): number {
  let sumSingle = 0;
  for (const v of vars) sumSingle += entropy(source, [v]);
  return sumSingle - entropy(source, vars);
}
