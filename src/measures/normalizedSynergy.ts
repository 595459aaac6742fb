/**
 * The joint information a pair must exceed for its normalized synergy to be
 * reported, in bits:
 *
 *   floor = (|X_a|·|X_b| − 1)(|Y| − 1) / (N ln 2)
 *
 * with |X_a|, |X_b| the units' alphabet sizes (levels), |Y| the number of
 * modes present among the N samples. It is twice the first-order
 * (Miller–Madow) bias of the plug-in I(X_a,X_b;Y), the mean joint
 * information a pair that carries nothing about the mode shows under
 * plug-in (2N ln2 · Î ~ χ² with that many degrees of freedom, so the floor
 * sits at twice the degrees of freedom: p = 0.010 at 3 levels and 3 modes
 * for independent samples). Below it the joint is estimator noise, and
 * synergy / joint is a ratio of noises: on simulated pairs that carry
 * nothing (bench/normalizedFloor.ts) the corrected joint was negative for
 * 15–55% of them and |synergy / joint| reached 48,500; above this floor
 * 0–1.6% of such pairs remain, none with |ratio| > 1, while planted pairs
 * keep their value in every window of 1,500 samples.
 *
 * Example: 3 levels, 3 modes, 1,500 samples: 16 / (1500 ln 2) = 0.01539 bits.
 * No samples: +∞ (nothing is resolved).
 */
export function normalizedSynergyFloorBits(
  sampleCount: number,
  symbolsA: number,
  symbolsB: number,
  modeCount: number,
): number {
  if (sampleCount <= 0) return Number.POSITIVE_INFINITY;
  const degreesOfFreedom = (symbolsA * symbolsB - 1) * Math.max(0, modeCount - 1);
  return degreesOfFreedom / (sampleCount * Math.LN2);
}

/**
 * Synergy as a fraction of the pair's joint information, Syn / I(X1,X2;Y),
 * when the joint information exceeds `floorBits`
 * (normalizedSynergyFloorBits), and null otherwise: a ratio whose
 * denominator is indistinguishable from 0 flips sign with it and takes any
 * size. A convenience of this package for ranking pairs, not part of Gat &
 * Tishby's definition. It is not bounded to [−1, 1] under a bias
 * correction (the corrected ia + ib can exceed twice the corrected joint);
 * under plug-in it is.
 *
 * Example: XOR gives 1 (all of the joint information is synergistic); AND
 * gives 0.1887/0.8113 ≈ 0.233 when its joint exceeds the floor, which takes
 * more than the 4 samples of its truth table (floor 3/(4 ln 2) = 1.08 bits).
 */
export function normalizedSynergy(synergyBits: number, jointBits: number, floorBits: number): number | null {
  return jointBits > floorBits ? synergyBits / jointBits : null;
}
