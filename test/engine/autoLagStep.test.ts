/**
 * The automatic lag step in the stream (`lagStepSeconds: 'auto'`): the lags
 * move to one mean mode dwell apart once 10 stretches are seen, the
 * surrogates' tables are built anew, and every update still equals the
 * batch reference, which follows the same step emission by emission.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { Population } from '../../simulators/population.ts';
import { referenceEmissions } from '../helpers/streamReference.ts';

describe('the automatic lag step', () => {
  it('moves the lags to a dwell apart (all surrogates effectively independent) and equals the batch reference at every update', async () => {
    const population = new Population({ units: 6, meanRateHz: 8, modes: 3, seed: 41, modeDwellSeconds: 3, synergisticPairs: 1, redundantPairs: 0 });
    const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 100 })];
    const options: AnalysisOptions = {
      binSeconds: 0.05,
      windowSeconds: 2,
      hopSeconds: 1,
      levels: 3,
      estimator: 'plugin',
      surrogates: 5,
      lagStepSeconds: 'auto',
      seed: 41,
      latenessSeconds: 0.1,
      top: undefined,
    };
    const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    const reference = referenceEmissions(events, options);
    expect(updates.map((update) => update.t)).toEqual(reference.emissions.map((emission) => emission.t));
    updates.forEach((update, n) => {
      const significance = reference.emissions[n].significance(update.units);
      expect(update, `at ${update.t}`).toMatchObject({ surrogates: significance.available, effective_surrogates: significance.effective, min_p: significance.minP, significant: significance.significant(0.05) });
      for (const pair of update.pairs) {
        const want = significance.pair(pair.a, pair.b);
        expect({ p: pair.p, p_fwer: pair.p_fwer }, `${pair.a}-${pair.b} at ${update.t}`).toEqual({ p: want.p, p_fwer: want.p_fwer });
        expect(Math.abs(pair.excess! - want.excess)).toBeLessThan(1e-9);
      }
    });
    // 1 s lags at first: five lags within a 3 s dwell are fewer independent draws…
    expect(updates.some((update) => update.surrogates! >= 3 && update.effective_surrogates! < update.surrogates!)).toBe(true);
    // …then lags a dwell apart or more: all five independent (the step moves as soon as the dwell passes it).
    const late = updates.filter((update) => update.t >= 80);
    expect(late.length).toBeGreaterThan(10);
    for (const update of late) expect(update).toMatchObject({ surrogates: 5, effective_surrogates: 5 });
  }, 120_000);
});
