import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import { IncrementalReadout } from '../../src/engine/incrementalReadout.ts';
import type { RankedPair, WindowBin } from '../../src/engine/windowReadout.ts';
import { ESTIMATORS } from '../../src/estimators/estimate.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';

const TOLERANCE = 1e-9;

/**
 * Bins with a planted structure, so that the pairs' numbers differ: units
 * 0 and 1 fire as an XOR of the mode (either fires alone in mode 1, both or
 * neither in mode 0: synergy), 3 copies 2 (redundancy), the rest at random;
 * a few bins are unlabeled (label −1).
 */
function makeBin(random: SeededRandom, bin: number, units: number, modes: number, levels: number): WindowBin {
  const label = random.next() < 0.05 ? -1 : random.nextInt(modes);
  const symbol = Array.from({ length: units }, () => (random.next() < 0.6 ? 0 : 1 + random.nextInt(levels - 1)));
  if (label >= 0) {
    const a = random.nextInt(2);
    const b = label === 1 ? 1 - a : a;
    symbol[0] = a * (levels - 1);
    symbol[1] = b * (levels - 1);
  }
  if (units > 3) symbol[3] = symbol[2];
  const fired = symbol.map((s, u) => [u, s]).filter(([, s]) => s > 0);
  return { bin, label, units: Uint32Array.from(fired.map(([u]) => u)), symbols: Uint8Array.from(fired.map(([, s]) => s)) };
}

function expectSameRanking(incremental: RankedPair[], batch: RankedPair[], where: string): void {
  expect(incremental.map(({ i, j }) => `${i}-${j}`), `${where}: the pairs, in order`).toEqual(batch.map(({ i, j }) => `${i}-${j}`));
  incremental.forEach((pair, k) => {
    const reference = batch[k];
    for (const term of ['joint', 'ia', 'ib', 'synergy'] as const) {
      expect(Math.abs(pair[term] - reference[term]), `${where}: pair ${pair.i}-${pair.j} ${term} ${pair[term]} vs ${reference[term]}`).toBeLessThan(TOLERANCE);
    }
  });
}

describe('IncrementalReadout equals the batch library (BatchReadout) on the same window', () => {
  for (const estimator of ESTIMATORS) {
    it(`${estimator}: as bins enter and leave, with units and modes added on the way, every pair and the top pairs`, () => {
      const levels = 3;
      const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, estimator, levels, seed: 11 };
      const windowBins = 120;
      const incremental = new IncrementalReadout(options, windowBins);
      const batch = new BatchReadout(options);
      const random = new SeededRandom(7, estimator);
      const window: WindowBin[] = [];
      let units = 4;
      let modes = 2;
      let checks = 0;
      for (let bin = 0; bin < 400; bin++) {
        if (bin === 150) units = 6;
        if (bin === 230) modes = 3;
        const entry = makeBin(random, bin, units, modes, levels);
        incremental.update(entry, 1, units, modes);
        window.push(entry);
        if (window.length > windowBins) incremental.update(window.shift()!, -1, units, modes);
        if (bin >= 60 && bin % 47 === 0) {
          const pairs = (units * (units - 1)) / 2;
          expectSameRanking(incremental.rank(window, units, modes, pairs), batch.rank(window, units, modes, pairs), `bin ${bin}, all pairs`);
          expectSameRanking(incremental.rank(window, units, modes, 3), batch.rank(window, units, modes, 3), `bin ${bin}, top 3`);
          checks++;
        }
      }
      expect(checks).toBeGreaterThanOrEqual(6);
      // Draining the window back to a few bins: removal is exact too.
      while (window.length > 30) incremental.update(window.shift()!, -1, units, modes);
      const pairs = (units * (units - 1)) / 2;
      expectSameRanking(incremental.rank(window, units, modes, pairs), batch.rank(window, units, modes, pairs), 'after draining');
    });
  }

  it('the planted pairs show: the XOR pair is synergistic, the copying pair redundant (plug-in, a window of 2,000 bins)', () => {
    const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, estimator: 'plugin', levels: 3 };
    const incremental = new IncrementalReadout(options, 2000);
    const random = new SeededRandom(3, 'planted');
    const window: WindowBin[] = [];
    for (let bin = 0; bin < 2000; bin++) {
      const entry = makeBin(random, bin, 5, 2, 3);
      incremental.update(entry, 1, 5, 2);
      window.push(entry);
    }
    const ranked = incremental.rank(window, 5, 2, 10);
    const pair = (i: number, j: number) => ranked.find((p) => p.i === i && p.j === j)!;
    expect(pair(0, 1).synergy).toBeGreaterThan(0.05);
    expect(pair(2, 3).synergy).toBeLessThan(0);
  });
});
