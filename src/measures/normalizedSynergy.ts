/**
 * Synergy as a fraction of the pair's joint information, Syn / I(X1,X2;Y),
 * and 0 when the joint information is 0. A convenience of this package for
 * ranking pairs, not part of Gat & Tishby's definition. Example: XOR gives 1
 * (all of the joint information is synergistic); AND gives 0.1887/0.8113 ≈ 0.233.
 */
export function normalizedSynergy(synergyBits: number, jointBits: number): number {
  return jointBits === 0 ? 0 : synergyBits / jointBits;
}
