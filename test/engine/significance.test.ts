import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { Population } from '../../simulators/population.ts';
import { unitPairKey } from '../../src/stream/unitIds.ts';

/**
 * Planted structure with 99 circular-shift surrogates: synergistic (XOR) pairs
 * come out positive and redundant (shared-input) pairs negative, each with
 * p ≤ 0.01; pairs of independent units reach p ≤ 0.01 about 1% of the time
 * (at most 3% allowed) over three disjoint 60 s windows.
 */
describe('significance from circular label shifts', () => {
  it('finds planted pairs with the right sign and keeps independent pairs quiet', async () => {
    const population = new Population({ units: 24, seed: 11, synergisticPairs: 2, redundantPairs: 2 });
    const options: AnalysisOptions = {
      binSeconds: 0.02,
      windowSeconds: 60,
      hopSeconds: 60,
      levels: 3,
      estimator: 'panzeri-treves',
      surrogates: 99,
      seed: 5,
      latenessSeconds: 0,
      top: undefined,
    };
    const events = [...population.stream({ chunkSeconds: 0.5, untilSeconds: 180.5 })];
    const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    expect(updates.map((u) => u.t)).toEqual([60, 120, 180]);
    const independent = new Set(population.independentUnits);
    let independentTests = 0;
    let falsePositives = 0;
    for (const update of updates) {
      expect(update.pairs.length).toBe((24 * 23) / 2);
      const byPair = new Map(update.pairs.map((p) => [unitPairKey(p.a, p.b), p]));
      for (const planted of population.truth) {
        const pair = byPair.get(unitPairKey(planted.a, planted.b))!;
        expect(pair.p, `${planted.kind} ${planted.a}-${planted.b} at ${update.t}`).toBeLessThanOrEqual(0.01);
        if (planted.kind === 'synergistic') expect(pair.synergy).toBeGreaterThan(0);
        else expect(pair.synergy).toBeLessThan(0);
      }
      for (const pair of update.pairs) {
        if (!independent.has(String(pair.a)) || !independent.has(String(pair.b))) continue;
        independentTests++;
        if (pair.p! <= 0.01) falsePositives++;
      }
    }
    expect(independentTests).toBeGreaterThanOrEqual(300);
    console.log(`independent pairs with p ≤ 0.01: ${falsePositives} of ${independentTests}`);
    expect(falsePositives / independentTests).toBeLessThanOrEqual(0.03);
  });
});
