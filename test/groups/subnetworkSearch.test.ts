/**
 * Synergistic sub-networks (docs/SUBNETWORKS.md): a planted parity triplet
 * and quadruplet (every proper subset uninformative) are found with p ≤ 0.01
 * within 120 s and keep their ids; on a null population no multiplet is
 * significant in at least 95 % of the hops.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { GroupPopulation } from '../../simulators/groupPopulation.ts';

const base: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 20, hopSeconds: 2, levels: 3, estimator: 'jackknife', surrogates: 99, lagStepSeconds: 1, seed: 4, latenessSeconds: 0.1, top: 10, subnetworks: 5, subnetworkBudget: 1500 };

describe('synergistic sub-network search', () => {
  it('finds a planted parity triplet and quadruplet with p ≤ 0.01 within 120 s, with ids that persist', async () => {
    const population = new GroupPopulation({ seed: 4, modeDwellSeconds: 1, multiplets: [{ order: 3 }, { order: 4 }], regions: [{ name: 'background', kind: 'independent', units: 9 }] });
    const everyUnit = population.unitIds;
    const planted = population.planted.filter((structure) => structure.kind === 'parity').map((structure) => [...structure.units].map(Number).sort((a, b) => a - b).join(','));
    expect(planted).toHaveLength(2);
    const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 160 })];
    const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream({ ...base, groups: [{ name: 'all', units: everyUnit }] }), toArray()));
    const firstFound = new Map<string, number>();
    const ids = new Map<string, Set<number>>();
    for (const update of updates) {
      for (const subnetwork of update.subnetworks ?? []) {
        const key = subnetwork.units.join(',');
        if (!planted.includes(key) || subnetwork.criterion !== 'doinfo_y') continue;
        if (subnetwork.p <= 0.01 && !firstFound.has(key)) firstFound.set(key, update.t);
        if (!ids.has(key)) ids.set(key, new Set());
        ids.get(key)!.add(subnetwork.id);
        if (subnetwork.p <= 0.05) expect(subnetwork.doinfo_y!).toBeLessThan(-0.3);
      }
    }
    console.log(`planted multiplets first significant at ${[...firstFound].map(([key, t]) => `${key}: ${t} s`).join(', ')}`);
    for (const key of planted) {
      expect(firstFound.get(key), key).toBeDefined();
      expect(firstFound.get(key)!).toBeLessThanOrEqual(120);
      // One id while it stays reported.
      expect(ids.get(key)!.size, key).toBe(1);
    }
    // Once found, they stay significant.
    const last = updates.at(-1)!.subnetworks!.filter((s) => s.criterion === 'doinfo_y' && planted.includes(s.units.join(',')));
    expect(last.map((s) => s.p)).toEqual([0.01, 0.01]);
  }, 180_000);

  it('on a null population no multiplet is significant (p ≤ 0.05) in at least 95 % of disjoint hops', async () => {
    let hops = 0;
    let significant = 0;
    for (const seed of [21, 22]) {
      const population = new GroupPopulation({ seed, modeDwellSeconds: 0.5, meanRateHz: 8, regions: [{ name: 'a', kind: 'independent', units: 8 }, { name: 'b', kind: 'independent', units: 8 }] });
      const events = [...population.stream({ chunkSeconds: 1, untilSeconds: 1300 })];
      // Tumbling 10-s windows: each hop's test samples are evidence of their own.
      const options = { ...base, windowSeconds: 10, hopSeconds: 10, seed, groups: population.groups() };
      const updates: SynergyUpdate[] = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
      for (const update of updates) {
        const subnetworks = update.subnetworks ?? [];
        // Hops whose 99 label lags are all in reach.
        if (update.t < 130 || subnetworks.length === 0) continue;
        hops++;
        if (subnetworks.some((s) => s.p <= 0.05 + 1e-12)) significant++;
      }
    }
    console.log(`null population: some multiplet at p ≤ 0.05 in ${significant} of ${hops} hops`);
    expect(hops).toBeGreaterThan(200);
    expect(significant / hops).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / hops));
  }, 240_000);
});
