import { describe, expect, it } from 'vitest';
import { LabelHistory } from '../../src/engine/labelHistory.ts';
import { LabelLagSignificance } from '../../src/engine/labelLagSignificance.ts';
import { LabelPermutations } from '../../src/engine/labelPermutations.ts';
import type { WindowBin } from '../../src/engine/windowReadout.ts';
import { chiSquaredSurvival } from '../../src/math/chiSquared.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { permutationTests } from '../helpers/permutationTests.ts';
import { pluginSynergy } from '../helpers/pluginSynergy.ts';
import { windowBin } from '../helpers/windowBins.ts';


const ignore = (): void => undefined;

describe('LabelPermutations: a uniformly random permutation of the window labels, kept as bins enter and leave', () => {
  it('every surrogate carries exactly the window labels, each bin once', () => {
    const random = new SeededRandom(3, 'test');
    const permutations = new LabelPermutations(5, 12, 7);
    const labels = new Int32Array(5);
    const ring: WindowBin[] = [];
    for (let bin = 0; bin < 200; bin++) {
      if (ring.length === 12) permutations.leave(ring.shift()!, labels, ignore);
      const entry = windowBin(bin, random.nextInt(3), []);
      ring.push(entry);
      permutations.enter(entry, labels, ignore);
      for (let k = 0; k < 5; k++) {
        const carried = permutations.labelsOf(k);
        expect([...carried.keys()].sort((a, b) => a - b)).toEqual(ring.map((e) => e.bin));
        expect([...carried.values()].sort()).toEqual(ring.map((e) => e.label).sort());
      }
    }
  });

  it('after a slide, each of the 4! permutations of 4 bins is equally likely (chi-squared)', () => {
    // Distinct labels (the bin index) make the permutation visible; windows of 4 after 9 bins slid through.
    const counts = new Map<string, number>();
    const draws = 240;
    const labels = new Int32Array(draws);
    // 240 surrogates per seed, five seeds: 50 draws per permutation expected.
    for (const seed of [11, 12, 13, 14, 15]) {
      const p = new LabelPermutations(draws, 4, seed);
      const r: WindowBin[] = [];
      for (let bin = 0; bin < 9; bin++) {
        if (r.length === 4) p.leave(r.shift()!, labels, ignore);
        const entry = windowBin(bin, bin, []);
        r.push(entry);
        p.enter(entry, labels, ignore);
      }
      for (let k = 0; k < draws; k++) {
        const key = [...p.labelsOf(k).entries()].sort((a, b) => a[0] - b[0]).map(([, label]) => label).join(',');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(24);
    const expected = (5 * draws) / 24;
    let chi = 0;
    for (const n of counts.values()) chi += (n - expected) ** 2 / expected;
    // 23 degrees of freedom: fails a uniform permutation once in 10^4 runs.
    expect(chiSquaredSurvival(chi, 23)).toBeGreaterThan(1e-4);
  });
});

describe('LabelLagSignificance with permutation surrogates: every pair against permuted labels', () => {
  it.each([
    { seed: 1, levels: 3, modes: 3, unlabeled: 0.05, maxCells: undefined },
    { seed: 2, levels: 2, modes: 2, unlabeled: 0, maxCells: undefined },
    { seed: 3, levels: 4, modes: 4, unlabeled: 0.1, maxCells: undefined },
    // Room for the real tables and some of the surrogates only.
    { seed: 4, levels: 3, modes: 3, unlabeled: 0, maxCells: 2600 },
  ])('equals the batch library at every emission (seed $seed)', ({ seed, levels, modes, unlabeled, maxCells }) => {
    const units = 8;
    const windowBins = 30;
    const surrogates = 12;
    const random = new SeededRandom(seed, 'bins');
    const labels: number[] = [];
    const symbols: number[][] = [];
    for (let b = 0; b < 130; b++) {
      labels.push(random.next() < unlabeled ? -1 : random.nextInt(modes));
      symbols.push(Array.from({ length: units }, (_, u) => (b >= 6 * u && random.next() < 0.35 ? 1 + random.nextInt(levels - 1) : 0)));
    }
    // The engine's permutations, and a replica driven by the same bins that the check reads the labels from.
    const history = new LabelHistory(windowBins + 1);
    const significance = new LabelLagSignificance(levels, windowBins, new Int32Array(surrogates), history, 1, maxCells, undefined, new LabelPermutations(surrogates, windowBins, seed));
    const replica = new LabelPermutations(surrogates, windowBins, seed);
    const scratch = new Int32Array(surrogates);
    const ring: WindowBin[] = [];
    let seenUnits = 2;
    let seenModes = 1;
    let checked = 0;
    for (let b = 0; b < labels.length; b++) {
      if (b >= 10 && b % 7 === 0) {
        const result = significance.evaluate(b - windowBins, seenUnits, seenModes);
        const window = ring.filter((entry) => entry.label >= 0).map((entry) => entry.bin);
        const usable = window.length === 0 ? 0 : significance.capped;
        expect(result.available).toBe(usable);
        expect(result.effective).toBe(usable);
        const surrogateLabels = Array.from({ length: usable }, (_, k) => replica.labelsOf(k));
        const observed: number[] = [];
        const surrogate: number[][] = surrogateLabels.map(() => []);
        let index = 0;
        for (let j = 1; j < seenUnits; j++) {
          for (let i = 0; i < j; i++, index++) {
            const value = pluginSynergy(window.map((k) => symbols[k][i]), window.map((k) => symbols[k][j]), window.map((k) => labels[k]), levels, seenModes);
            expect(Math.abs(result.statistic[index] - value), `pair ${i}-${j}`).toBeLessThan(1e-12);
            observed.push(value);
            surrogateLabels.forEach((carried, s) => {
              surrogate[s].push(pluginSynergy(window.map((k) => symbols[k][i]), window.map((k) => symbols[k][j]), window.map((k) => carried.get(k)!), levels, seenModes));
            });
          }
        }
        permutationTests(observed, surrogate).forEach((want, q) => {
          const { p, pFwer } = result.test(q);
          expect({ p, pFwer }, `pair ${q}`).toEqual({ p: want.p, pFwer: want.pFwer });
          expect(Math.abs(result.excess[q] - want.excess), `excess of pair ${q}`).toBeLessThan(1e-12);
        });
        checked++;
      }
      history.record(b, labels[b]);
      const entry = windowBin(b, labels[b], symbols[b]);
      seenModes = Math.max(seenModes, labels[b] + 1);
      if (entry.units.length > 0) seenUnits = Math.max(seenUnits, entry.units[entry.units.length - 1] + 1);
      if (ring.length === windowBins) {
        const leaving = ring.shift()!;
        significance.update(leaving, -1, seenUnits, seenModes);
        if (leaving.label >= 0) replica.leave(leaving, scratch, ignore);
      }
      ring.push(entry);
      significance.update(entry, 1, seenUnits, seenModes);
      if (entry.label >= 0) replica.enter(entry, scratch, ignore);
    }
    expect(checked).toBeGreaterThan(10);
    if (maxCells !== undefined) expect(significance.capped).toBeLessThan(surrogates);
  });
});

describe('LabelLagSignificance with tumbling permutation surrogates (hop = window: snapshots)', () => {
  it.each([
    { seed: 11, levels: 3, modes: 3, unlabeled: 0.05, maxCells: undefined },
    { seed: 12, levels: 2, modes: 4, unlabeled: 0, maxCells: undefined },
    { seed: 13, levels: 4, modes: 2, unlabeled: 0.1, maxCells: 2600 },
  ])('each window filled at once equals the batch library over Fisher–Yates permutations of its labels (seed $seed)', ({ seed, levels, modes, unlabeled, maxCells }) => {
    const units = 8;
    const windowBins = 25;
    const surrogates = 10;
    const random = new SeededRandom(seed, 'bins');
    const history = new LabelHistory(windowBins + 1);
    const significance = new LabelLagSignificance(levels, windowBins, new Int32Array(surrogates), history, 1, maxCells, undefined, new LabelPermutations(surrogates, windowBins, seed), true);
    const replica = new LabelPermutations(surrogates, windowBins, seed);
    let seenUnits = 2;
    let seenModes = 1;
    let previous: WindowBin[] = [];
    for (let w = 0; w < 5; w++) {
      const window: WindowBin[] = [];
      for (let b = 0; b < windowBins; b++) {
        const bin = w * windowBins + b;
        const label = random.next() < unlabeled ? -1 : random.nextInt(modes);
        const entry = windowBin(bin, label, Array.from({ length: units }, (_, u) => (bin >= 4 * u && random.next() < 0.4 ? 1 + random.nextInt(levels - 1) : 0)));
        seenModes = Math.max(seenModes, label + 1);
        if (entry.units.length > 0) seenUnits = Math.max(seenUnits, entry.units[entry.units.length - 1] + 1);
        // The last window's bins leave as this one's enter (the tables ignore them: they are cleared at the fill).
        if (previous[b] !== undefined) significance.update(previous[b], -1, seenUnits, seenModes);
        significance.update(entry, 1, seenUnits, seenModes);
        window.push(entry);
      }
      const result = significance.evaluate(w * windowBins, seenUnits, seenModes);
      const labeled = window.filter((entry) => entry.label >= 0);
      const drawn = replica.drawPermutations(Int32Array.from(labeled, (entry) => entry.label));
      const usable = significance.capped;
      expect(result.available).toBe(usable);
      const n = labeled.length;
      const values = (i: number, j: number, labels: number[]) =>
        pluginSynergy(labeled.map((e) => symbolOf(e, i)), labeled.map((e) => symbolOf(e, j)), labels, levels, seenModes);
      let index = 0;
      const observed: number[] = [];
      const surrogate: number[][] = Array.from({ length: usable }, () => []);
      for (let j = 1; j < seenUnits; j++) {
        for (let i = 0; i < j; i++, index++) {
          const value = values(i, j, labeled.map((e) => e.label));
          expect(Math.abs(result.statistic[index] - value)).toBeLessThan(1e-12);
          observed.push(value);
          for (let k = 0; k < usable; k++) surrogate[k].push(values(i, j, Array.from(drawn.subarray(k * n, (k + 1) * n))));
        }
      }
      permutationTests(observed, surrogate).forEach((want, q) => {
        const { p, pFwer } = result.test(q);
        expect({ p, pFwer }, `window ${w} pair ${q}`).toEqual({ p: want.p, pFwer: want.pFwer });
      });
      previous = window;
    }
    if (maxCells !== undefined) expect(significance.capped).toBeLessThan(surrogates);
  });
});

function symbolOf(entry: WindowBin, unit: number): number {
  const at = entry.units.indexOf(unit);
  return at < 0 ? 0 : entry.symbols[at];
}
