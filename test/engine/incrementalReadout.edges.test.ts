import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import { IncrementalReadout } from '../../src/engine/incrementalReadout.ts';
import type { RankedPair, WindowBin } from '../../src/engine/windowReadout.ts';
import { ESTIMATORS, type EstimatorName } from '../../src/estimators/estimate.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { windowBin } from '../helpers/windowBins.ts';

/**
 * IncrementalReadout where incrementalReadout.test.ts does not go: values
 * worked out by hand on tiny windows (XOR and copy), levels 2 and 4, more
 * than 16 units, bin indices with gaps (the quarters of `qe` come from the
 * index), a window drained to empty and refilled, modes that are declared
 * but absent, and unlabeled bins only. The reference is the batch library
 * (BatchReadout: discretize → estimate(pairSynergy)) on the same bins.
 */

const TOLERANCE = 1e-9;
const LOG2_3 = Math.log2(3);
const LN2 = Math.LN2;


function options(estimator: EstimatorName, levels: number): AnalysisOptions {
  return { ...DEFAULT_ANALYSIS_OPTIONS, estimator, levels, seed: 5 };
}

function pairOf(ranked: readonly RankedPair[], i: number, j: number): RankedPair {
  const found = ranked.find((pair) => pair.i === i && pair.j === j);
  if (found === undefined) throw new Error(`pair ${i}-${j} not ranked`);
  return found;
}

function expectSame(incremental: readonly RankedPair[], batch: readonly RankedPair[], where: string): void {
  expect(incremental.map(({ i, j }) => `${i}-${j}`), `${where}: pairs in order`).toEqual(batch.map(({ i, j }) => `${i}-${j}`));
  incremental.forEach((pair, k) => {
    for (const term of ['joint', 'ia', 'ib', 'synergy'] as const) {
      const reference = batch[k][term];
      expect(Math.abs(pair[term] - reference), `${where}: pair ${pair.i}-${pair.j} ${term}: ${pair[term]} vs ${reference}`).toBeLessThan(TOLERANCE);
    }
  });
}

/** XOR: y = x1 ⊕ x2 over the four words, each once; copy: x1 = x2 = y, each mode twice. Unit 2 never fires. */
const XOR = [
  [0, 0, 0],
  [1, 1, 0],
  [0, 1, 1],
  [1, 0, 1],
].map(([x1, x2, y], bin) => windowBin(bin, y, [x1, x2, 0]));
const COPY = [0, 0, 1, 1].map((y, bin) => windowBin(bin, y, [y, y, 0]));

/**
 * Worked out by hand (SCIENCE.md). Plug-in: XOR 1 bit jointly and 0 alone;
 * copy 1 bit each way. Miller–Madow adds (R − 1)/(2N ln 2) per entropy (R
 * occupied cells, conditional terms with N_y): for XOR H(X1X2) gains
 * 3/(8 ln 2), each H(X1X2|y) 1/(4 ln 2), H(Xi) 1/(8 ln 2) and H(Xi|y)
 * 1/(4 ln 2); for the copy H(X) gains 1/(8 ln 2), the conditionals nothing.
 * Jackknife N·Î − (N−1)/N Σ Î_−k: every leave-one-out window of XOR has
 * I(X1X2;Y) = H(1/3, 2/3) = log2 3 − 2/3 and I(Xi;Y) = log2 3 − 4/3; of the
 * copy, I = log2 3 − 2/3 for the pair and for each unit.
 */
const HAND_VALUES: Record<'plugin' | 'miller-madow' | 'jackknife', Record<'xor' | 'copy', { joint: number; single: number }>> = {
  plugin: { xor: { joint: 1, single: 0 }, copy: { joint: 1, single: 1 } },
  'miller-madow': {
    xor: { joint: 1 + 1 / (8 * LN2), single: -1 / (8 * LN2) },
    copy: { joint: 1 + 1 / (8 * LN2), single: 1 + 1 / (8 * LN2) },
  },
  jackknife: {
    xor: { joint: 4 - 3 * (LOG2_3 - 2 / 3), single: -3 * (LOG2_3 - 4 / 3) },
    copy: { joint: 4 - 3 * (LOG2_3 - 2 / 3), single: 4 - 3 * (LOG2_3 - 2 / 3) },
  },
};

describe('IncrementalReadout: values worked out by hand', () => {
  for (const estimator of ['plugin', 'miller-madow', 'jackknife'] as const) {
    for (const [name, bins] of [
      ['xor', XOR],
      ['copy', COPY],
    ] as const) {
      it(`${estimator}, ${name} (4 bins, levels 2), reached after other bins came and went`, () => {
        const readout = new IncrementalReadout(options(estimator, 2), 50);
        // Noise first, removed again: the tables end holding exactly the four bins.
        const random = new SeededRandom(9, `${estimator}-${name}`);
        const noise = Array.from({ length: 12 }, (_, k) => windowBin(100 + k, random.nextInt(2), [random.nextInt(2), random.nextInt(2), random.nextInt(2)]));
        for (const bin of noise) readout.update(bin, 1, 3, 2);
        for (const bin of bins) readout.update(bin, 1, 3, 2);
        for (const bin of noise) readout.update(bin, -1, 3, 2);
        const ranked = readout.rank(bins, 3, 2, 3);
        const { joint, single } = HAND_VALUES[estimator][name];
        const pair = pairOf(ranked, 0, 1);
        expect(pair.joint).toBeCloseTo(joint, 12);
        expect(pair.ia).toBeCloseTo(single, 12);
        expect(pair.ib).toBeCloseTo(single, 12);
        expect(pair.synergy).toBeCloseTo(joint - 2 * single, 12);
        // With a unit that never fires, nothing is said: every term 0.
        for (const [i, j] of [
          [0, 2],
          [1, 2],
        ]) {
          const silent = pairOf(ranked, i, j);
          expect(silent.joint - silent.ia, `${estimator} ${name} pair ${i}-${j}: I(Xi,X2;Y) = I(Xi;Y)`).toBeCloseTo(0, 12);
          expect(silent.ib, `${estimator} ${name} pair ${i}-${j}: I(silent;Y)`).toBeCloseTo(0, 12);
        }
        // The strongest pair comes first.
        expect(ranked[0]).toMatchObject({ i: 0, j: 1 });
      });
    }
  }

  it('the batch library gives the same hand values (the reference the other tests lean on)', () => {
    for (const estimator of ['plugin', 'miller-madow', 'jackknife'] as const) {
      const batch = new BatchReadout(options(estimator, 2));
      for (const [name, bins] of [
        ['xor', XOR],
        ['copy', COPY],
      ] as const) {
        const pair = pairOf(batch.rank(bins, 3, 2, 3), 0, 1);
        expect(pair.joint, `${estimator} ${name}`).toBeCloseTo(HAND_VALUES[estimator][name].joint, 12);
        expect(pair.ia, `${estimator} ${name}`).toBeCloseTo(HAND_VALUES[estimator][name].single, 12);
      }
    }
  });
});

/** Bins with structure: units 0, 1 an XOR of the mode's parity, 3 copies 2, the rest random; `unlabeled` of them with label −1. */
function structuredBin(random: SeededRandom, bin: number, units: number, modes: number, levels: number, unlabeled: number): WindowBin {
  const label = random.next() < unlabeled ? -1 : random.nextInt(modes);
  const symbols = Array.from({ length: units }, () => (random.next() < 0.55 ? 0 : 1 + random.nextInt(levels - 1)));
  if (label >= 0) {
    const a = random.nextInt(2);
    symbols[0] = a * (levels - 1);
    symbols[1] = (label % 2 === 1 ? 1 - a : a) * (levels - 1);
  }
  if (units > 3) symbols[3] = symbols[2];
  return windowBin(bin, label, symbols);
}

describe('IncrementalReadout equals the batch library where the other tests do not go', () => {
  for (const estimator of ESTIMATORS) {
    for (const levels of [2, 4]) {
      it(`${estimator}, levels ${levels}: bin indices with gaps, a window drained to empty (all terms 0) and refilled`, () => {
        const readout = new IncrementalReadout(options(estimator, levels), 60);
        const batch = new BatchReadout(options(estimator, levels));
        const random = new SeededRandom(levels, `gaps-${estimator}`);
        const units = 5;
        const modes = 3;
        const pairs = (units * (units - 1)) / 2;
        const window: WindowBin[] = [];
        let bin = 0;
        const step = () => {
          // Gaps of 1 to 3 bins: the quarters (index mod 4) are not dealt in turn.
          bin += 1 + random.nextInt(3);
          const entry = structuredBin(random, bin, units, modes, levels, 0.1);
          readout.update(entry, 1, units, modes);
          window.push(entry);
          if (window.length > 60) readout.update(window.shift()!, -1, units, modes);
        };
        for (let k = 0; k < 90; k++) step();
        expectSame(readout.rank(window, units, modes, pairs), batch.rank(window, units, modes, pairs), 'full window');
        expectSame(readout.rank(window, units, modes, 2), batch.rank(window, units, modes, 2), 'full window, top 2');
        // Drained, oldest first, to empty.
        while (window.length > 0) readout.update(window.shift()!, -1, units, modes);
        const empty = readout.rank(window, units, modes, pairs);
        expect(empty).toHaveLength(pairs);
        for (const pair of empty) expect([pair.joint, pair.ia, pair.ib, pair.synergy], `empty window, pair ${pair.i}-${pair.j}`).toEqual([0, 0, 0, 0]);
        expectSame(empty, batch.rank(window, units, modes, pairs), 'empty window');
        // Refilled from empty.
        for (let k = 0; k < 45; k++) step();
        expectSame(readout.rank(window, units, modes, pairs), batch.rank(window, units, modes, pairs), 'refilled');
      });
    }

    it(`${estimator}: 18 units (past the first allocation of 16), units joining mid-window`, () => {
      const levels = 3;
      const readout = new IncrementalReadout(options(estimator, levels), 70);
      const batch = new BatchReadout(options(estimator, levels));
      const random = new SeededRandom(18, `many-${estimator}`);
      const modes = 2;
      const window: WindowBin[] = [];
      let units = 10;
      for (let bin = 0; bin < 100; bin++) {
        if (bin === 40) units = 18;
        const entry = structuredBin(random, bin, units, modes, levels, 0.05);
        readout.update(entry, 1, units, modes);
        window.push(entry);
        if (window.length > 70) readout.update(window.shift()!, -1, units, modes);
      }
      const pairs = (units * (units - 1)) / 2;
      expectSame(readout.rank(window, units, modes, pairs), batch.rank(window, units, modes, pairs), '18 units, all pairs');
      expectSame(readout.rank(window, units, modes, 5), batch.rank(window, units, modes, 5), '18 units, top 5');
    });

    it(`${estimator}: modes declared but absent from the window, and a window of unlabeled bins only`, () => {
      const levels = 3;
      const readout = new IncrementalReadout(options(estimator, levels), 100);
      const batch = new BatchReadout(options(estimator, levels));
      const random = new SeededRandom(4, `absent-${estimator}`);
      const units = 4;
      const window: WindowBin[] = [];
      // Labels 0 and 2 only, while 5 modes are declared.
      for (let bin = 0; bin < 50; bin++) {
        const entry = structuredBin(random, bin, units, 2, levels, 0);
        const moved = { ...entry, label: entry.label * 2 };
        readout.update(moved, 1, units, 5);
        window.push(moved);
      }
      expectSame(readout.rank(window, units, 5, 6), batch.rank(window, units, 5, 6), 'modes 1, 3 and 4 absent');
      // Every labeled bin leaves; unlabeled ones enter: no sample, every term 0.
      for (const entry of window.splice(0)) readout.update(entry, -1, units, 5);
      for (let bin = 50; bin < 60; bin++) {
        const entry = structuredBin(random, bin, units, 5, levels, 1);
        readout.update(entry, 1, units, 5);
        window.push(entry);
      }
      const unlabeled = readout.rank(window, units, 5, 6);
      for (const pair of unlabeled) expect([pair.joint, pair.ia, pair.ib, pair.synergy]).toEqual([0, 0, 0, 0]);
      expectSame(unlabeled, batch.rank(window, units, 5, 6), 'unlabeled bins only');
    });
  }
});
