import type { InformationSource } from './informationSource.ts';
import { oInformation } from './oInformation.ts';

/**
 * Gradient of the O-information with respect to the mode Y,
 * ∂_Y Ω(X) = Ω(X, Y) − Ω(X), in bits (Rosas et al. 2019; Stramaglia et al.
 * 2021; Clauw et al. for neuron groups): negative when adding Y makes the
 * group more synergy-dominated. Example: Y = X1 ⊕ X2 ⊕ X3 with fair inputs
 * gives Ω(X,Y) = −2, Ω(X) = 0, so ∂_Y Ω = −2.
 */
export function oInformationGradient(source: InformationSource, sources: readonly number[], y: number): number {
  return oInformation(source, [...sources, y]) - oInformation(source, sources);
}
