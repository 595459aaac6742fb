/**
 * The four atoms of a two-source partial information decomposition
 * (Williams & Beer 2010): I(X1,X2;Y) = R + U1 + U2 + S and I(Xi;Y) = R + Ui,
 * so that the Gat–Tishby synergy equals S − R under any redundancy measure.
 */
export type PartialInformation = {
  redundancy: number;
  unique1: number;
  unique2: number;
  synergy: number;
};

/** The atoms fixed by a redundancy value and the three mutual informations, in bits. */
export function atomsFromRedundancy(
  redundancy: number,
  joint: number,
  ia: number,
  ib: number,
): PartialInformation {
  return {
    redundancy,
    unique1: ia - redundancy,
    unique2: ib - redundancy,
    synergy: joint - ia - ib + redundancy,
  };
}
