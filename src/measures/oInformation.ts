import { dualTotalCorrelation } from './dualTotalCorrelation.ts';
import type { InformationSource } from './informationSource.ts';
import { totalCorrelation } from './totalCorrelation.ts';

/**
 * O-information (Rosas et al. 2019, Phys Rev E 100:032305)
 * Ω = TC − DTC, in bits: Ω > 0 redundancy-dominated, Ω < 0 synergy-dominated.
 * For three variables it equals the co-information. Example: n-variable
 * parity gives Ω = 2 − n (parity4: −2); n copies of a fair bit, n − 2.
 */
export function oInformation(source: InformationSource, vars: readonly number[]): number {
  return totalCorrelation(source, vars) - dualTotalCorrelation(source, vars);
}
