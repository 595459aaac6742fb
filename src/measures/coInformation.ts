import { conditionalMutualInformation } from './conditionalMutualInformation.ts';
import type { InformationSource } from './informationSource.ts';
import { mutualInformation } from './mutualInformation.ts';

/**
 * Co-information I(X1;X2;Y) = I(X1;X2) − I(X1;X2|Y), in bits (the sign
 * convention of Bell 2003 and dit: positive for redundancy). For a pair and
 * the mode it is minus the Gat–Tishby synergy, and it equals the
 * O-information of the three variables. Example: XOR gives −1; two copies of
 * a fair bit and Y equal to them give +1.
 */
export function coInformation(source: InformationSource, x1: number, x2: number, y: number): number {
  return mutualInformation(source, [x1], [x2]) - conditionalMutualInformation(source, [x1], [x2], [y]);
}
