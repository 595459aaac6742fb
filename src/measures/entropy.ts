import type { InformationSource } from './informationSource.ts';

/**
 * Shannon entropy H(X) = −Σ p(x) log2 p(x) of the joint of `vars`, in bits.
 * Example: a fair bit has H = 1; two independent fair bits, H = 2.
 */
export function entropy(source: InformationSource, vars: readonly number[]): number {
  return source.entropy(vars);
}
