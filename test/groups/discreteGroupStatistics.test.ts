import { describe, expect, it } from 'vitest';
import { estimate } from '../../src/estimators/estimate.ts';
import { DiscreteGroupStatistics } from '../../src/groups/discreteGroupStatistics.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { groupMeasures } from '../../src/measures/groupMeasures.ts';

describe('DiscreteGroupStatistics', () => {
  for (const [k, levels, modes] of [[2, 3, 2], [3, 3, 3], [4, 2, 2], [4, 3, 4]] as const) {
    it(`equals the library's plug-in GroupMeasures (${k} units, ${levels} levels, ${modes} modes)`, () => {
      const random = new SeededRandom(k * 100 + levels * 10 + modes, 'discrete-group');
      const n = 500;
      const columns = Array.from({ length: k + 1 }, () => new Int32Array(n));
      const statistics = new DiscreteGroupStatistics(k, levels);
      const counts = new Int32Array(modes * statistics.words);
      for (let s = 0; s < n; s++) {
        const y = random.nextInt(modes);
        let word = 0;
        for (let j = 0; j < k; j++) {
          // Dependent on y and on the unit before, so that every measure is away from 0.
          const x = random.next() < 0.4 ? (y + (j > 0 ? columns[j - 1][s] : 0)) % levels : random.nextInt(levels);
          columns[j][s] = x;
          word = word * levels + x;
        }
        columns[k][s] = y;
        counts[y * statistics.words + word]++;
      }
      const samples = discretize(columns, [...Array(k).fill(levels), modes]);
      const sources = [...Array(k).keys()];
      const expected = estimate(estimationData(samples), (source) => groupMeasures(source, sources, k), { estimator: 'plugin' });
      const value = statistics.measures(counts, 0, modes)!;
      for (const key of Object.keys(expected) as (keyof typeof expected)[]) expect(value[key]).toBeCloseTo(expected[key], 10);
      expect(Math.abs(value.synergy)).toBeGreaterThan(1e-3);
    });
  }

  it('gives nothing for an empty table', () => {
    expect(new DiscreteGroupStatistics(3, 2).measures(new Int32Array(16), 0, 2)).toBeUndefined();
  });
});
