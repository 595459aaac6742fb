import { describe, expect, it } from 'vitest';
import { estimate } from '../../src/estimators/estimate.ts';
import { coInformation } from '../../src/measures/coInformation.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { dualTotalCorrelation } from '../../src/measures/dualTotalCorrelation.ts';
import { entropy } from '../../src/measures/entropy.ts';
import { groupSynergy } from '../../src/measures/groupSynergy.ts';
import type { InformationSource } from '../../src/measures/informationSource.ts';
import { mutualInformation } from '../../src/measures/mutualInformation.ts';
import { oInformation } from '../../src/measures/oInformation.ts';
import { oInformationGradient } from '../../src/measures/oInformationGradient.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';
import { pidMinimumMutualInformation } from '../../src/measures/pidMinimumMutualInformation.ts';
import { pidWilliamsBeer } from '../../src/measures/pidWilliamsBeer.ts';
import { sInformation } from '../../src/measures/sInformation.ts';
import { totalCorrelation } from '../../src/measures/totalCorrelation.ts';
import { hasShared } from '../helpers/shared.ts';
import {
  expandWeighted,
  giantBitColumns,
  loadExact,
  parityColumns,
  threeInputXorColumns,
} from '../helpers/testVectors.ts';

const TOLERANCE = 1e-9;

/** Plug-in values of a measure over sample columns. */
function plugin<T extends number | Record<string, number>>(columns: number[][], measure: (s: InformationSource) => T): T {
  return estimate(estimationData(discretize(columns)), measure, { estimator: 'plugin' });
}

describe.skipIf(!hasShared)('testvectors/exact.json through the library', () => {
  const vectors = hasShared ? loadExact() : { pairs: [], multivariate: [], three_input_xor: {} };

  describe.each(vectors.pairs.map((v) => [v.name, v] as const))('pair %s', (_, vector) => {
    const columns = expandWeighted(vector.samples);
    it('pair information, synergy, co-information', () => {
      const pair = plugin(columns, (s) => ({ ...pairSynergy(s, 0, 1, 2) }));
      expect(Math.abs(pair.joint - vector.bits.joint)).toBeLessThan(TOLERANCE);
      expect(Math.abs(pair.ia - vector.bits.ia)).toBeLessThan(TOLERANCE);
      expect(Math.abs(pair.ib - vector.bits.ib)).toBeLessThan(TOLERANCE);
      expect(Math.abs(pair.synergy - vector.bits.synergy)).toBeLessThan(TOLERANCE);
      const coinfo = plugin(columns, (s) => coInformation(s, 0, 1, 2));
      expect(Math.abs(coinfo - vector.bits.coinfo)).toBeLessThan(TOLERANCE);
    });
    it('O-information, TC, DTC, S-information of (X1, X2, Y)', () => {
      const all = [0, 1, 2];
      const values = plugin(columns, (s) => ({
        oinfo: oInformation(s, all),
        tc: totalCorrelation(s, all),
        dtc: dualTotalCorrelation(s, all),
        sinfo: sInformation(s, all),
      }));
      for (const key of ['oinfo', 'tc', 'dtc', 'sinfo'] as const) {
        expect(Math.abs(values[key] - vector.bits[key]), key).toBeLessThan(TOLERANCE);
      }
    });
    it('PID atoms under I_min and MMI', () => {
      const imin = plugin(columns, (s) => ({ ...pidWilliamsBeer(s, 0, 1, 2) }));
      const mmi = plugin(columns, (s) => ({ ...pidMinimumMutualInformation(s, 0, 1, 2) }));
      for (const key of ['redundancy', 'unique1', 'unique2', 'synergy'] as const) {
        expect(Math.abs(imin[key] - vector.pid.imin[key]), `imin ${key}`).toBeLessThan(TOLERANCE);
        expect(Math.abs(mmi[key] - vector.pid.mmi[key]), `mmi ${key}`).toBeLessThan(TOLERANCE);
      }
    });
  });

  it.each(vectors.multivariate.map((v) => [v.name, v] as const))('multivariate %s', (_, vector) => {
    const columns = vector.name.startsWith('parity') ? parityColumns(vector.n) : giantBitColumns(vector.n);
    const all = [...Array(vector.n).keys()];
    const values = plugin(columns, (s) => ({
      H: entropy(s, all),
      tc: totalCorrelation(s, all),
      dtc: dualTotalCorrelation(s, all),
      oinfo: oInformation(s, all),
      sinfo: sInformation(s, all),
    }));
    for (const key of ['H', 'tc', 'dtc', 'oinfo', 'sinfo'] as const) {
      expect(Math.abs(values[key] - vector[key]), key).toBeLessThan(TOLERANCE);
    }
  });

  it('three-input XOR', () => {
    const expected = vectors.three_input_xor;
    const sources = [0, 1, 2];
    const values = plugin(threeInputXorColumns(), (s) => ({
      joint: mutualInformation(s, sources, [3]),
      sum_single: sources.reduce((sum, v) => sum + mutualInformation(s, [v], [3]), 0),
      rsi: groupSynergy(s, sources, 3),
      max_pair_joint: Math.max(
        mutualInformation(s, [0, 1], [3]),
        mutualInformation(s, [0, 2], [3]),
        mutualInformation(s, [1, 2], [3]),
      ),
      oinfo_with_y: oInformation(s, [0, 1, 2, 3]),
      oinfo_sources: oInformation(s, sources),
      doinfo_y: oInformationGradient(s, sources, 3),
    }));
    for (const [key, value] of Object.entries(values)) {
      expect(Math.abs(value - expected[key]), key).toBeLessThan(TOLERANCE);
    }
  });
});
