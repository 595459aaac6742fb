import type { InformationSource } from './informationSource.ts';
import { pairSynergy } from './pairSynergy.ts';
import { atomsFromRedundancy, type PartialInformation } from './partialInformation.ts';
import { specificInformation } from './specificInformation.ts';

/**
 * Two-source PID with the Williams–Beer redundancy I_min (Williams & Beer
 * 2010, arXiv:1004.2515): R = Σ_y p(y) min_i I(Y=y; X_i), in bits.
 *
 * The specific information has no standard bias correction, so R is taken
 * from the plug-in distribution; under a correcting estimator the mutual
 * informations are corrected and the other atoms follow from them, keeping
 * I(X1,X2;Y) = R + U1 + U2 + S exact. (Quadratic extrapolation and the
 * jackknife act on the whole decomposition, R included.)
 * Example: AND gives R = 0.3113, U1 = U2 = 0, S = 0.5; SUM (Y = X1 + X2) gives
 * R = 0.5, S = 1.
 */
export function pidWilliamsBeer(source: InformationSource, x1: number, x2: number, y: number): PartialInformation {
  const { joint, ia, ib } = pairSynergy(source, x1, x2, y);
  const total = source.table.total;
  const countY = source.table.marginal([y]);
  const specific1 = specificInformation(source, [x1], [y]);
  const specific2 = specificInformation(source, [x2], [y]);
  let redundancy = 0;
  for (const [yCode, ny] of countY) {
    redundancy += (ny / total) * Math.min(specific1.get(yCode) ?? 0, specific2.get(yCode) ?? 0);
  }
  return atomsFromRedundancy(redundancy, joint, ia, ib);
}
