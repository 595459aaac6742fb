import type { InformationSource } from './informationSource.ts';

/**
 * Conditional entropy H(X|Y) = H(X,Y) − H(Y), in bits (estimated per value
 * of Y under the first-order corrections). Example: X a copy of Y gives 0.
 */
export function conditionalEntropy(
  source: InformationSource,
  vars: readonly number[],
  given: readonly number[],
): number {
  return source.conditionalEntropy(vars, given);
}
