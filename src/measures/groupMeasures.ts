import { dualTotalCorrelation } from './dualTotalCorrelation.ts';
import { groupSynergy } from './groupSynergy.ts';
import type { InformationSource } from './informationSource.ts';
import { oInformation } from './oInformation.ts';
import { oInformationGradient } from './oInformationGradient.ts';
import { totalCorrelation } from './totalCorrelation.ts';

/**
 * The higher-order measures of one group of units S about the mode Y, in
 * bits, as a stream update reports them per group (DESIGN §7, "Groups"):
 *
 * - `oinfo` Ω(X_S) = TC − DTC (Rosas et al. 2019): > 0 redundancy-dominated, < 0 synergy-dominated;
 * - `tc`, `dtc`: total and dual total correlation of X_S;
 * - `sinfo` = TC + DTC, the S-information;
 * - `synergy` = I(X_S;Y) − Σ_i I(X_i;Y), the group synergy (redundancy–synergy index);
 * - `doinfo_y` = ∂_Y Ω(X_S) = Ω(X_S, Y) − Ω(X_S): negative when the mode is carried synergistically.
 */
export type GroupMeasures = {
  oinfo: number;
  tc: number;
  dtc: number;
  sinfo: number;
  synergy: number;
  doinfo_y: number;
};

/**
 * Every GroupMeasures of the sources `sources` about `y`, each written as its
 * definition from the library's measures (so any estimator applies: a
 * term-wise source, or jackknife / qe over the whole object).
 *
 * Example: Y = X1 ⊕ X2 ⊕ X3 with fair independent inputs: oinfo 0, tc 0,
 * dtc 0, sinfo 0, synergy 1, doinfo_y −2.
 */
export function groupMeasures(source: InformationSource, sources: readonly number[], y: number): GroupMeasures {
  const tc = totalCorrelation(source, sources);
  const dtc = dualTotalCorrelation(source, sources);
  return {
    oinfo: oInformation(source, sources),
    tc,
    dtc,
    sinfo: tc + dtc,
    synergy: groupSynergy(source, sources, y),
    doinfo_y: oInformationGradient(source, sources, y),
  };
}
