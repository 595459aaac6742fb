import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { Population } from '../../simulators/population.ts';
import { unitPairKey } from '../../src/stream/unitIds.ts';

/**
 * Planted structure with 99 label-lag surrogates: synergistic (XOR) pairs
 * come out beyond chance upwards and redundant (shared-input) pairs
 * downwards, each family-wise significant over all 276 pairs once enough
 * lags are in reach; pairs of independent units stay near the nominal rate
 * (the calibration itself: significanceCalibration.test.ts).
 */
describe('significance from label-lag surrogates', () => {
  it('finds planted pairs with the right sign, family-wise, and keeps independent pairs quiet', async () => {
    const population = new Population({ units: 24, seed: 11, synergisticPairs: 2, redundantPairs: 2 });
    const options: AnalysisOptions = {
      binSeconds: 0.02,
      windowSeconds: 30,
      hopSeconds: 30,
      levels: 3,
      estimator: 'panzeri-treves',
      surrogates: 99,
      lagStepSeconds: 1,
      seed: 5,
      latenessSeconds: 0,
      top: undefined,
    };
    const events = [...population.stream({ chunkSeconds: 0.5, untilSeconds: 240.5 })];
    const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    expect(updates.map((u) => u.t)).toEqual([30, 60, 90, 120, 150, 180, 210, 240]);
    // The first update has no lag in reach: no p, nothing significant.
    expect(updates[0]).toMatchObject({ surrogates: 0, effective_surrogates: 0, min_p: 1, significant: 0 });
    const independent = new Set(population.independentUnits);
    let independentTests = 0;
    let independentSignificant = 0;
    const tested = updates.filter((update) => update.min_p! <= 0.025);
    expect(tested.length).toBeGreaterThanOrEqual(3);
    for (const update of tested) {
      expect(update.pairs.length).toBe((24 * 23) / 2);
      const byPair = new Map(update.pairs.map((p) => [unitPairKey(p.a, p.b), p]));
      for (const planted of population.truth) {
        const pair = byPair.get(unitPairKey(planted.a, planted.b))!;
        expect(pair.p_fwer, `${planted.kind} ${planted.a}-${planted.b} at ${update.t}`).toBeLessThanOrEqual(0.05);
        if (planted.kind === 'synergistic') expect(pair.synergy > 0 && pair.excess! > 0).toBe(true);
        else expect(pair.synergy < 0 && pair.excess! < 0).toBe(true);
      }
      for (const pair of update.pairs) {
        if (!independent.has(String(pair.a)) || !independent.has(String(pair.b))) continue;
        independentTests++;
        if (pair.p_fwer! <= 0.05) independentSignificant++;
      }
    }
    expect(independentTests).toBeGreaterThanOrEqual(3 * 190);
    expect(independentSignificant).toBe(0);
  });
});
