/**
 * The group p values are calibrated (docs/MEASURES.md, "Groups"): on a
 * recording where units are independent of each other and of the modes,
 * p ≤ α for about a share α of the groups, for every measure; and a group
 * holding a planted synergistic pair has a significant group synergy.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import type { AnalysisGroup } from '../../src/groups/groupUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { Population } from '../../simulators/population.ts';

function analysis(seed: number, groups: AnalysisGroup[]): AnalysisOptions {
  // 10 s windows, one every 10 s: each update is evidence of its own.
  return { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 10, levels: 3, estimator: 'jackknife', surrogates: 99, lagStepSeconds: 1, seed, latenessSeconds: 0.1, top: 5, groups };
}

const units = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

describe('group significance', () => {
  it('on a null recording, p ≤ 0.05 for 5 % ± 3 standard errors of the groups, for each measure (discrete and Gaussian groups)', async () => {
    const groups: AnalysisGroup[] = [
      ...[0, 1, 2, 3, 4, 5].map((g) => ({ name: `triplet-${g}`, units: units(3 * g, 3) })),
      { name: 'gaussian-a', units: units(0, 12) },
      { name: 'gaussian-b', units: units(12, 12) },
    ];
    const rates: Record<string, { hits: number; tests: number }> = {};
    for (const seed of [31, 32]) {
      const population = new Population({ units: 24, meanRateHz: 8, modes: 3, seed, modeDwellSeconds: 0.5, synergisticPairs: 0, redundantPairs: 0 });
      const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 1000 })];
      const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream(analysis(seed, groups)), toArray()));
      // Every label lag and every unit shift in reach (a Gaussian group loses a surrogate now and then where a mode's
      // few samples leave a unit constant: its model of that mode is singular).
      const ready = updates.filter((update) => update.surrogates === 99 && update.groups!.every((group) => group.surrogates!.label >= 95 && group.surrogates!.unit === 99));
      expect(ready.length).toBeGreaterThanOrEqual(55);
      for (const update of ready) {
        for (const group of update.groups!) {
          for (const [measure, p] of Object.entries(group.p!)) {
            const key = `${group.method} ${measure}`;
            rates[key] ??= { hits: 0, tests: 0 };
            rates[key].tests++;
            if (p <= 0.05 + 1e-12) rates[key].hits++;
          }
        }
      }
    }
    const summary = Object.entries(rates).map(([key, { hits, tests }]) => `${key}: ${hits}/${tests}`);
    console.log(`group p ≤ 0.05 on null recordings: ${summary.join('; ')}`);
    for (const [key, { hits, tests }] of Object.entries(rates)) {
      const rate = hits / tests;
      const standardError = Math.sqrt((0.05 * 0.95) / tests);
      expect(rate, key).toBeLessThanOrEqual(0.05 + 3 * standardError);
      expect(rate, key).toBeGreaterThanOrEqual(Math.max(0.005, 0.05 - 3 * standardError));
    }
  }, 240_000);

  it('a group holding a planted synergistic pair has significant positive group synergy and negative ∂_YΩ; a group without it does not', async () => {
    const population = new Population({ units: 10, meanRateHz: 8, modes: 2, seed: 7, modeDwellSeconds: 1, synergisticPairs: 1, redundantPairs: 0 });
    const [planted] = population.truth;
    const others = population.independentUnits;
    const groups: AnalysisGroup[] = [
      { name: 'with-pair', units: [planted.a, planted.b, others[0]] },
      { name: 'without', units: others.slice(1, 4) },
      { name: 'wide-with-pair', units: [planted.a, planted.b, ...others.slice(0, 5)] },
    ];
    const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 200 })];
    const options = { ...analysis(7, groups), windowSeconds: 20, hopSeconds: 20 };
    const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    const ready = updates.filter((update) => update.groups![0].surrogates!.label === 99);
    expect(ready.length).toBeGreaterThanOrEqual(4);
    for (const update of ready) {
      const [withPair, without, wide] = update.groups!;
      expect(withPair.synergy!).toBeGreaterThan(0.05);
      expect(withPair.doinfo_y!).toBeLessThan(-0.05);
      expect(withPair.p!.synergy!).toBeLessThanOrEqual(0.01);
      expect(withPair.p!.doinfo_y!).toBeLessThanOrEqual(0.01);
      expect(wide.method).toBe('gaussian-copula');
      expect(wide.p!.synergy!).toBeLessThanOrEqual(0.01);
      expect(without.p!.synergy!).toBeGreaterThan(0.01);
    }
  }, 120_000);
});
