/**
 * Regions compared (docs/MEASURES.md, "Regions compared"): each group's
 * distribution of pair synergy equals the update's own pairs, and between
 * two groups the permutation test of the difference in mean pair synergy
 * finds a synergistic region against an independent one, and on two
 * independent regions is significant in about 5 % of the hops.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { compareRegions, pairDistribution } from '../../src/groups/regionComparison.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { GroupPopulation } from '../../simulators/groupPopulation.ts';

function triangle(units: number, value: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array((units * (units - 1)) / 2);
  for (let j = 1; j < units; j++) for (let i = 0; i < j; i++) out[(j * (j - 1)) / 2 + i] = value(i, j);
  return out;
}

describe('pairDistribution and compareRegions', () => {
  it('summarize the pairs inside a group, in either unit order', () => {
    const synergy = triangle(6, (i, j) => i + j);
    const distribution = pairDistribution(synergy, [4, 1, 2], (index) => index === (4 * 3) / 2 + 1)!;
    // Pairs (1,4) = 5, (2,4) = 6, (1,2) = 3.
    expect(distribution).toEqual({ pairs: 3, mean: 14 / 3, q10: 3.4, median: 5, q90: 5.8, significant: 1 / 3 });
  });

  it('find a group of stronger pairs, and are uniform when units are exchangeable', () => {
    const random = new SeededRandom(1, 'regions-test');
    const strong = triangle(12, (i, j) => (i < 6 && j < 6 ? 0.1 : 0) + 0.01 * random.next());
    expect(compareRegions(strong, [0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], random).p).toBe(0.01);
    let hits = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const noise = triangle(12, () => random.next());
      if (compareRegions(noise, [0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], random, 99).p <= 0.05) hits++;
    }
    expect(hits / trials).toBeGreaterThan(0.02);
    expect(hits / trials).toBeLessThan(0.085);
  });
});

describe('regions compared in the stream', () => {
  const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 20, hopSeconds: 5, levels: 3, estimator: 'jackknife', surrogates: 19, lagStepSeconds: 'auto', seed: 5, latenessSeconds: 0.1, top: undefined };

  it("a synergistic region against an independent one: significant in every hop; each group's distribution is its pairs of the update", async () => {
    const population = new GroupPopulation({
      seed: 3,
      regions: [
        { name: 'cortex', kind: 'synergistic', units: 6, strength: 0.5 },
        { name: 'striatum', kind: 'independent', units: 6 },
      ],
    });
    const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 100 })];
    const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream({ ...options, groups: population.groups() }), toArray()));
    const full = updates.filter((update) => update.samples > 900);
    expect(full.length).toBeGreaterThanOrEqual(10);
    for (const update of full) {
      const [comparison] = update.regions!;
      expect(comparison).toMatchObject({ a: 'cortex', b: 'striatum', permutations: 99 });
      expect(comparison.difference).toBeGreaterThan(0);
      expect(comparison.p).toBeLessThanOrEqual(0.05);
      update.groups!.forEach((group, g) => {
        const units = new Set(population.groups()[g].units.map(Number));
        const own = update.pairs.filter((pair) => units.has(pair.a as number) && units.has(pair.b as number));
        expect(group.pairs!.pairs).toBe(own.length);
        expect(group.pairs!.mean).toBeCloseTo(own.reduce((sum, pair) => sum + pair.synergy, 0) / own.length, 12);
        expect(group.pairs!.significant).toBeCloseTo(own.filter((pair) => pair.p_fwer! <= 0.05).length / own.length, 12);
      });
    }
    // The XOR pairs of the cortex are family-wise significant; the striatum's pairs are not.
    expect(full.at(-1)!.groups![0].pairs!.significant).toBeGreaterThan(0);
    expect(full.at(-1)!.groups![1].pairs!.significant).toBe(0);
  }, 120_000);

  it('two independent regions: the comparison is significant in at most about 5 % of non-overlapping hops', async () => {
    let hits = 0;
    let hops = 0;
    for (const seed of [11, 12, 13]) {
      const population = new GroupPopulation({
        seed,
        meanRateHz: 8,
        regions: [
          { name: 'a', kind: 'independent', units: 6 },
          { name: 'b', kind: 'independent', units: 6 },
        ],
      });
      const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 600 })];
      // Tumbling 5-s windows: each hop is evidence of its own.
      const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream({ ...options, windowSeconds: 5, surrogates: 0, seed, groups: population.groups() }), toArray()));
      for (const update of updates) {
        if (update.regions === undefined || update.regions.length === 0) continue;
        hops++;
        if (update.regions[0].p <= 0.05) hits++;
      }
    }
    console.log(`independent regions: comparison p ≤ 0.05 in ${hits} of ${hops} hops`);
    expect(hops).toBeGreaterThan(300);
    expect(hits / hops).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / hops));
  }, 120_000);
});
