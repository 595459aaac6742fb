import type { InformationSource } from './informationSource.ts';
import { mutualInformation } from './mutualInformation.ts';

/** The three information terms of a pair about the mode, and their synergy, in bits. */
export type PairInformation = {
  /** I(X1,X2;Y) */
  joint: number;
  /** I(X1;Y) */
  ia: number;
  /** I(X2;Y) */
  ib: number;
  /** joint − ia − ib */
  synergy: number;
};

/**
 * Synergy of a pair (Gat & Tishby 1999, NIPS 11):
 * Syn = I(X1,X2;Y) − I(X1;Y) − I(X2;Y), in bits. Positive: the pair tells
 * more about Y together than apart; negative: redundancy. Equals
 * I(X1;X2|Y) − I(X1;X2) and −co-information.
 * Example: XOR (Y = X1 ⊕ X2, fair inputs) gives joint 1, ia = ib = 0, Syn = 1;
 * two copies of Y give Syn = −1.
 */
export function pairSynergy(source: InformationSource, x1: number, x2: number, y: number): PairInformation {
  const joint = mutualInformation(source, [x1, x2], [y]);
  const ia = mutualInformation(source, [x1], [y]);
  const ib = mutualInformation(source, [x2], [y]);
  return { joint, ia, ib, synergy: joint - ia - ib };
}
