import { conditionalEntropy } from './conditionalEntropy.ts';
import type { InformationSource } from './informationSource.ts';

/**
 * Conditional mutual information I(X;Z|Y) = H(X|Y) − H(X|Z,Y), in bits.
 * Example (XOR, Y = X1 ⊕ X2 with fair independent inputs): I(X1;X2|Y) = 1
 * although I(X1;X2) = 0.
 */
export function conditionalMutualInformation(
  source: InformationSource,
  x: readonly number[],
  z: readonly number[],
  given: readonly number[],
): number {
  return conditionalEntropy(source, x, given) - conditionalEntropy(source, x, [...z, ...given]);
}
