import type { InformationSource } from './informationSource.ts';
import { mutualInformation } from './mutualInformation.ts';

/**
 * Group synergy (redundancy–synergy index, Chechik et al. 2002 / Schneidman
 * et al. 2003): I(X_S;Y) − Σ_i I(X_i;Y), in bits. For two units it is the
 * Gat–Tishby pair synergy. Example: Y = X1 ⊕ X2 ⊕ X3 with fair inputs gives
 * 1 − 0 = 1.
 */
export function groupSynergy(source: InformationSource, sources: readonly number[], y: number): number {
  let sumSingle = 0;
  for (const x of sources) sumSingle += mutualInformation(source, [x], [y]);
  return mutualInformation(source, sources, [y]) - sumSingle;
}
