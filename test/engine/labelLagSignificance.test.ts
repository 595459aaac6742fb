import { describe, expect, it } from 'vitest';
import { LabelHistory } from '../../src/engine/labelHistory.ts';
import { AUTO_LAG_MIN_RUNS, autoLagStep, availableLags, effectiveSurrogates, labelLags, surrogatePValue } from '../../src/engine/labelLagSchedule.ts';
import { LabelLagSignificance } from '../../src/engine/labelLagSignificance.ts';
import type { WindowBin } from '../../src/engine/windowReadout.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { pluginSynergy } from '../helpers/pluginSynergy.ts';
import { windowBin } from '../helpers/windowBins.ts';


/** Random bins: `units` units firing with probability `rate`, modes in runs of about `dwell` bins, a share `unlabeled` unlabeled. */
function randomBins(seed: number, bins: number, units: number, modes: number, levels: number, dwell: number, unlabeled = 0.05, rate = 0.3) {
  const random = new SeededRandom(seed, 'bins');
  const labels: number[] = [];
  const symbols: number[][] = [];
  let label = 0;
  for (let b = 0; b < bins; b++) {
    if (random.next() < 1 / dwell) label = random.nextInt(modes);
    labels.push(random.next() < unlabeled ? -1 : label);
    // Unit u is silent before bin 10·u: units appear as the stream goes.
    symbols.push(Array.from({ length: units }, (_, u) => (b >= 10 * u && random.next() < rate ? 1 + random.nextInt(levels - 1) : 0)));
  }
  return { labels, symbols };
}


describe('label-lag surrogates: the schedule', () => {
  it('one lag per step, ascending, inside its step; the same for the same seed', () => {
    const lags = labelLags(20, 50, 3);
    lags.forEach((lag, k) => {
      expect(lag).toBeGreaterThanOrEqual((k + 1) * 50);
      expect(lag).toBeLessThan((k + 2) * 50);
    });
    expect(Array.from(labelLags(20, 50, 3))).toEqual(Array.from(lags));
    expect(Array.from(labelLags(20, 50, 4))).not.toEqual(Array.from(lags));
  });

  it('the automatic step: 1.1 mean dwells rounded up, within its bounds, once enough stretches are seen, kept while the dwell lies within step/1.5-step', () => {
    // Too few stretches: the step in use stays.
    expect(autoLagStep(500, AUTO_LAG_MIN_RUNS - 1, 50, 50, 1500)).toBe(50);
    expect(autoLagStep(149.2, AUTO_LAG_MIN_RUNS, 50, 50, 1500)).toBe(165);
    // Inside the band: kept; outside: 1.1 dwells, rounded up.
    expect(autoLagStep(150, 40, 165, 50, 1500)).toBe(165);
    expect(autoLagStep(111, 40, 165, 50, 1500)).toBe(165);
    expect(autoLagStep(166, 40, 165, 50, 1500)).toBe(183);
    expect(autoLagStep(100, 40, 165, 50, 1500)).toBe(110);
    // Bounds: never below one second's bins, never above the longest step.
    expect(autoLagStep(10, 40, 165, 50, 1500)).toBe(50);
    expect(autoLagStep(5000, 40, 165, 50, 1500)).toBe(1500);
    expect(autoLagStep(5000, 40, 1500, 50, 1500)).toBe(1500);
    // While the dwell is within the step, every available lag counts as an independent draw.
    expect(effectiveSurrogates(99, autoLagStep(149.2, 40, 50, 50, 1500), 149.2)).toBe(99);
    expect(effectiveSurrogates(99, 165, 165)).toBe(99);
  });

  it('a window uses the lags whose shifted window lies in the history', () => {
    const lags = Int32Array.from([10, 25, 40]);
    expect(availableLags(lags, 100, 100)).toBe(0);
    expect(availableLags(lags, 110, 100)).toBe(1);
    expect(availableLags(lags, 139, 100)).toBe(2);
    expect(availableLags(lags, 140, 100)).toBe(3);
  });

  it('counts lags closer than a mode dwell as one draw, and p is never below 1 / (1 + effective)', () => {
    expect(effectiveSurrogates(0, 50, 10)).toBe(0);
    expect(effectiveSurrogates(99, 50, 10)).toBe(99);
    expect(effectiveSurrogates(99, 50, 500)).toBe(9);
    expect(effectiveSurrogates(3, 50, 5000)).toBe(1);
    expect(surrogatePValue(0, 99, 99)).toBeCloseTo(0.01, 15);
    expect(surrogatePValue(0, 99, 9)).toBeCloseTo(0.1, 15);
    expect(surrogatePValue(99, 99, 9)).toBe(1);
    expect(surrogatePValue(0, 0, 0)).toBe(1);
  });
});

describe('LabelLagSignificance: every pair against the lagged label stream', () => {
  it.each([
    { seed: 1, levels: 3, modes: 3, dwell: 4, maxCells: undefined },
    { seed: 2, levels: 2, modes: 2, dwell: 30, maxCells: undefined },
    { seed: 3, levels: 4, modes: 5, dwell: 1, maxCells: undefined },
    // Room for the real tables and 3 of the 6 surrogates: the longest lags are dropped.
    { seed: 4, levels: 3, modes: 3, dwell: 2, maxCells: 2600 },
    // 24 lags 3 bins apart over modes that change every bin: effectively independent, the Gumbel tail is used.
    { seed: 5, levels: 3, modes: 3, dwell: 1, maxCells: undefined, lagCount: 24, step: 3 },
    // Every bin labeled: once every lag is in reach, the pair's table over the modes is read once (and n_22 = 0 skipped).
    { seed: 6, levels: 3, modes: 3, dwell: 4, maxCells: undefined, unlabeled: 0 },
    { seed: 7, levels: 3, modes: 3, dwell: 1, maxCells: undefined, lagCount: 24, step: 3, unlabeled: 0 },
    { seed: 8, levels: 3, modes: 2, dwell: 3, maxCells: undefined, unlabeled: 0, rate: 0.1 },
  ])('equals the batch library, pair by pair, at every emission, units and modes appearing as they go (seed $seed)', ({ seed, levels, modes, dwell, maxCells, lagCount = 6, step = 7, unlabeled = 0.05, rate = 0.3 }) => {
    // More than half the 16 units the tables first make room for: a relayout must keep them all.
    const units = 10;
    const windowBins = 40;
    const stepBins = step;
    const lags = labelLags(lagCount, stepBins, seed);
    const first = 13;
    const { labels, symbols } = randomBins(seed, 160, units, modes, levels, dwell, unlabeled, rate);
    const history = new LabelHistory(LabelLagSignificance.historyBins(windowBins, lags));
    const significance = new LabelLagSignificance(levels, windowBins, lags, history, stepBins, maxCells);
    const ring: WindowBin[] = [];
    let checked = 0;
    // Units and modes are known from their first appearance on (tables grow and are laid out anew).
    let seenUnits = 2;
    let seenModes = 1;
    let tailChecked = 0;
    for (let b = 0; b < labels.length; b++) {
      const bin = first + b;
      if (b >= windowBins && b % 10 === 0) {
        const windowStart = bin - windowBins;
        const result = significance.evaluate(windowStart, seenUnits, seenModes);
        // Brute force: the window's bins, the history's labels.
        const window = Array.from({ length: windowBins }, (_, w) => b - windowBins + w);
        const labelOf = (k: number) => (k >= 0 ? labels[k] : -1);
        const usable = Array.from(lags)
          .slice(0, significance.capped)
          .filter((lag) => windowStart - lag >= first);
        expect(result.available).toBe(usable.length);
        let labeled = 0;
        let runs = 0;
        for (let k = 0; k < b; k++) {
          if (labels[k] >= 0) {
            labeled++;
            if (labels[k] !== (k > 0 ? labels[k - 1] : -1)) runs++;
          }
        }
        const effective = usable.length === 0 ? 0 : Math.max(1, Math.min(usable.length, Math.floor((usable.length * stepBins) / Math.max(stepBins, labeled / runs))));
        expect(result.effective).toBe(effective);
        let index = 0;
        const observed: number[] = [];
        const surrogate: number[][] = usable.map(() => []);
        for (let j = 1; j < seenUnits; j++) {
          for (let i = 0; i < j; i++, index++) {
            const keep = window.filter((k) => labels[k] >= 0);
            const value = pluginSynergy(keep.map((k) => symbols[k][i]), keep.map((k) => symbols[k][j]), keep.map((k) => labels[k]), levels, seenModes);
            expect(Math.abs(result.statistic[index] - value), `pair ${i}-${j}`).toBeLessThan(1e-12);
            observed.push(value);
            usable.forEach((lag, s) => {
              const kept = window.filter((k) => labelOf(k - lag) >= 0);
              surrogate[s].push(pluginSynergy(kept.map((k) => symbols[k][i]), kept.map((k) => symbols[k][j]), kept.map((k) => labelOf(k - lag)), levels, seenModes));
            });
          }
        }
        const pOf = (count: number) => (usable.length === 0 ? 1 : (1 + (effective * count) / usable.length) / (1 + effective));
        // Each pair centred on the mean of its values over the real alignment and the surrogates; two-sided.
        const centred = observed.map((value, q) => {
          const all = [value, ...surrogate.map((values) => values[q])];
          const mean = all.reduce((x, y) => x + y, 0) / all.length;
          return all.map((x) => x - mean);
        });
        const maxima = usable.map((_, k) => Math.max(...centred.map((values) => Math.abs(values[k + 1]))));
        let significant = 0;
        const ownP: number[] = [];
        centred.forEach((values, q) => {
          const reach = Math.abs(values[0]) - 1e-12;
          const own = values.slice(1).filter((x) => Math.abs(x) >= reach).length;
          const family = maxima.filter((max) => max >= reach).length;
          const { pFwerTail, ...empirical } = result.test(q);
          expect(empirical, `pair ${q}`).toEqual({ p: pOf(own), pFwer: pOf(family) });
          ownP.push(pOf(own));
          // Tail: a Gumbel fit to the maxima once 19 surrogates are effectively independent, never above p_fwer.
          if (effective < 19) expect(pFwerTail).toBe(pOf(family));
          else {
            const mean = maxima.reduce((x, y) => x + y, 0) / maxima.length;
            const beta = (Math.sqrt(maxima.reduce((x, y) => x + (y - mean) ** 2, 0) / (maxima.length - 1)) * Math.sqrt(6)) / Math.PI;
            const gumbel = 1 - Math.exp(-Math.exp(-(Math.abs(values[0]) - (mean - 0.5772156649015329 * beta)) / beta));
            expect(Math.abs(pFwerTail - Math.min(pOf(family), gumbel))).toBeLessThan(1e-9);
            tailChecked++;
          }
          expect(Math.abs(result.excess[q] - (usable.length === 0 ? 0 : values[0])), `excess of pair ${q}`).toBeLessThan(1e-12);
          if (pOf(family) <= 0.2) significant++;
        });
        // Benjamini–Hochberg over the pairs' own p, by its definition.
        const m = ownP.length;
        const bh = ownP.map((pi) => Math.min(1, ...ownP.filter((pj) => pj >= pi).map((pj) => (pj * m) / ownP.filter((pk) => pk <= pj).length)));
        bh.forEach((q, index) => expect(result.q(index), `q of pair ${index}`).toBeCloseTo(q, 12));
        for (const alpha of [0.05, 0.2, 0.5]) expect(result.discoveries(alpha)).toBe(bh.filter((q) => q <= alpha + 1e-12).length);
        expect(result.significant(0.2)).toBe(usable.length === 0 || 1 / (1 + effective) > 0.2 ? 0 : significant);
        checked++;
      }
      history.record(bin, labels[b]);
      const entry = windowBin(bin, labels[b], symbols[b]);
      seenModes = Math.max(seenModes, labels[b] + 1);
      if (entry.units.length > 0) seenUnits = Math.max(seenUnits, entry.units[entry.units.length - 1] + 1);
      if (ring.length === windowBins) significance.update(ring.shift()!, -1, seenUnits, seenModes);
      ring.push(entry);
      significance.update(entry, 1, seenUnits, seenModes);
    }
    expect(checked).toBeGreaterThan(10);
    if (lagCount === 24) expect(tailChecked).toBeGreaterThan(0);
    if (maxCells !== undefined) expect(significance.capped).toBe(3);
    else expect(significance.capped).toBe(lags.length);
  });
});
