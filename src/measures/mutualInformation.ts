import type { InformationSource } from './informationSource.ts';

/**
 * Mutual information I(X;Y) = H(X) − H(X|Y) = H(X) + H(Y) − H(X,Y), in bits.
 * Example: Y = X for a fair bit gives 1; independent X, Y give 0.
 */
export function mutualInformation(
  source: InformationSource,
  x: readonly number[],
  y: readonly number[],
): number {
  return source.mutualInformation(x, y);
}
