import { dualTotalCorrelation } from './dualTotalCorrelation.ts';
import type { InformationSource } from './informationSource.ts';
import { totalCorrelation } from './totalCorrelation.ts';

/**
 * S-information (Rosas et al. 2019) Σ = TC + DTC, in bits: the overall
 * amount of interdependence. Example: n-variable parity gives n.
 */
export function sInformation(source: InformationSource, vars: readonly number[]): number {
  return totalCorrelation(source, vars) + dualTotalCorrelation(source, vars);
}
