/**
 * The search's parts, each on a small simulated recording: max-T p values,
 * the sweep's coverage, growth by one unit, the strongest pairs as seeds,
 * parsimony against supersets, the Ω criterion, the selection/test split and
 * the checks on its input. The acceptance figures (detection within 120
 * hops, null rate) are in subnetworkDetection and subnetworkNull*.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { maxTPValues, SubnetworkSearch, type SubnetworkSearchOptions, type TestedMultiplet } from '../../src/subnetworks/subnetworkSearch.ts';
import { plantedRecording, windowOf, type Recording } from './plantedRecording.ts';

/** Runs the search over consecutive non-overlapping windows (windowHops 1: each hop tests the previous hop's selection). */
function run(recording: Recording, windowSamples: number, hops: number, options: Partial<SubnetworkSearchOptions>, extra: Parameters<typeof windowOf>[5] = {}) {
  const search = new SubnetworkSearch({ split: { kind: 'previous-window', windowHops: 1 }, seed: 1, ...options });
  const random = new SeededRandom(9, 'surrogates');
  const steps: TestedMultiplet[][] = [];
  for (let hop = 0; hop < hops; hop++) steps.push(search.step(windowOf(recording, hop * windowSamples, windowSamples, 99, random, extra)).multiplets);
  return { search, steps };
}

const key = (units: readonly number[]) => [...units].sort((a, b) => a - b).join(',');
const significant = (multiplets: TestedMultiplet[], alpha = 0.01) => multiplets.filter((m) => m.p <= alpha + 1e-12);

describe('maxTPValues', () => {
  it('gives the smallest attainable p to a statistic beyond every surrogate maximum, and p = share of maxima reaching it otherwise', () => {
    const surrogates = 9;
    // Hypothesis 0: far beyond its surrogates. Hypothesis 1: its observed is its 3rd largest value.
    const rows = [
      [100, 0, 1, 2, 3, 4, 5, 6, 7, 8],
      [7, 9, 8, 0, 1, 2, 3, 4, 5, 6],
    ];
    const p = maxTPValues(Float64Array.from(rows.flat()), 2, surrogates);
    expect(p[0]).toBeCloseTo(1 / 10, 12);
    // Row 1's z of 7 is exceeded by its own surrogates 9 and 8 (and by nothing in row 0, whose z are all small).
    expect(p[1]).toBeCloseTo(3 / 10, 12);
  });

  it('takes the maximum over hypotheses: a null hypothesis among many has a larger p than alone', () => {
    const random = new SeededRandom(4, 'max-t');
    const surrogates = 99;
    const rows: number[] = [];
    for (let h = 0; h < 20; h++) for (let k = 0; k <= surrogates; k++) rows.push(random.next());
    const family = maxTPValues(Float64Array.from(rows), 20, surrogates);
    for (let h = 0; h < 20; h++) {
      const alone = maxTPValues(Float64Array.from(rows.slice(h * 100, (h + 1) * 100)), 1, surrogates);
      expect(family[h]).toBeGreaterThanOrEqual(alone[0]);
    }
  });

  it('gives p = 1 to a constant statistic', () => {
    expect(maxTPValues(new Float64Array(11).fill(0.5), 1, 10)[0]).toBe(1);
  });
});

describe('SubnetworkSearch', () => {
  it('reports a planted parity of the mode once, without its supersets (parsimony), with p at its floor', () => {
    const recording = plantedRecording({ units: 10, bins: 2000 * 6, seed: 1, modeParities: [[1, 4, 7]] });
    const { steps } = run(recording, 2000, 6, { budget: 600 });
    // Without parsimony the triplet plus any unit is reported as well (its ∂_YΩ is the triplet's).
    const withoutParsimony = run(recording, 2000, 6, { budget: 600, parsimonyBits: -10, parsimonyShare: 0 }).steps.at(-1)!;
    expect(significant(withoutParsimony).filter((m) => m.order > 3).length).toBeGreaterThan(3);
    for (const multiplets of steps.slice(2)) {
      const found = significant(multiplets);
      expect(found.map((m) => key(m.units))).toEqual(['1,4,7']);
      expect(found[0].criterion).toBe('doinfo_y');
      expect(found[0].p).toBeCloseTo(0.01, 12);
      // ∂_YΩ = −2·(1 − h(0.1)) = −1.06 bits, Ω ≈ 0 (the units alone are independent).
      expect(Math.abs(found[0].doinfo_y - -2 * (1 - binaryEntropy(0.1)))).toBeLessThan(0.1);
      expect(Math.abs(found[0].oinfo)).toBeLessThan(0.02);
    }
  });

  it('finds a synergy-dominated multiplet among units (criterion oinfo) with the unit-shift surrogates', () => {
    const recording = plantedRecording({ units: 10, bins: 2000 * 5, seed: 2, unitParities: [[0, 5, 9]] });
    const { steps } = run(recording, 2000, 5, { budget: 600 });
    for (const multiplets of steps.slice(2)) {
      const found = significant(multiplets);
      expect(found.map((m) => `${key(m.units)}:${m.criterion}`)).toEqual(['0,5,9:oinfo']);
      expect(Math.abs(found[0].oinfo - -(1 - binaryEntropy(0.1)))).toBeLessThan(0.1);
    }
  });

  it('does not report a synergistic pair padded with other units (its triplets have the pair\'s ∂_YΩ)', () => {
    const recording = plantedRecording({ units: 10, bins: 2000 * 4, seed: 11, modeParities: [[3, 6]] });
    const { steps } = run(recording, 2000, 4, { budget: 600 });
    for (const multiplets of steps.slice(1)) expect(significant(multiplets, 0.05)).toEqual([]);
    // Without parsimony, {3, 6, x} is reported for every x.
    const withoutParsimony = run(recording, 2000, 4, { budget: 600, parsimonyBits: -10, parsimonyShare: 0 }).steps.at(-1)!;
    expect(significant(withoutParsimony).filter((m) => m.units.includes(3) && m.units.includes(6)).length).toBeGreaterThan(3);
  });

  it('grows the best triplet by one unit: a quadruplet beyond the sweep (sweepMaxOrder 3) is reached from its informative triplet', () => {
    // Y = a ⊕ b ⊕ (c ∧ d) (flipped 10 %): the triplet {a, b, c} carries Y in part (∂_YΩ ≈ −0.41 bits), the quadruplet all of it (≈ −1.06).
    const [a, b, c, d] = [2, 5, 8, 11];
    const recording = plantedRecording({ units: 12, bins: 2000 * 6, seed: 3 });
    const random = new SeededRandom(3, 'and-parity');
    for (let n = 0; n < recording.labels.length; n++) {
      const noise = random.next() < 0.1 ? 1 : 0;
      recording.columns[b][n] = recording.labels[n] ^ recording.columns[a][n] ^ (recording.columns[c][n] & recording.columns[d][n]) ^ noise;
    }
    const { steps } = run(recording, 2000, 6, { budget: 800, sweepMaxOrder: 3 });
    const withoutGrowth = run(recording, 2000, 6, { budget: 800, sweepMaxOrder: 3, growthShare: 0 }).steps.at(-1)!;
    expect(withoutGrowth.map((m) => key(m.units))).not.toContain(key([a, b, c, d]));
    const last = significant(steps.at(-1)!);
    expect(last.map((m) => key(m.units))).toContain(key([a, b, c, d]));
    const quadruplet = last.find((m) => key(m.units) === key([a, b, c, d]))!;
    expect(quadruplet.criterion).toBe('doinfo_y');
    expect(quadruplet.doinfo_y).toBeLessThan(-0.8);
  });

  it('grows the strongest pairs into triplets before the sweep gets there', () => {
    // The triplet sits at the end of the sweep's order (units 27, 29, 31 of 32): ~200 sweep evaluations a hop reach it after ~24 hops.
    const recording = plantedRecording({ units: 32, bins: 2000 * 3, seed: 4, modeParities: [[27, 29, 31]] });
    const { search, steps } = run(recording, 2000, 3, { budget: 300, tracked: 6 }, { strongPairs: [[31, 27]] });
    expect(search.sweepProgress.position).toBeLessThan(1000);
    expect(significant(steps[1]).map((m) => key(m.units))).toEqual(['27,29,31']);
    expect(significant(run(recording, 2000, 3, { budget: 300, tracked: 6 }).steps[1])).toEqual([]);
  });

  it('sweeps every subset of 3 … sweepMaxOrder units of each group, then starts over', () => {
    const recording = plantedRecording({ units: 12, bins: 400 * 8, seed: 5 });
    const groups = [
      [0, 1, 2, 3, 4, 5, 6],
      [5, 6, 7, 8, 9, 10, 11],
      [0, 11],
    ];
    const search = new SubnetworkSearch({ split: { kind: 'halves' }, budget: 200, tracked: 6 });
    const random = new SeededRandom(1, 'sweep');
    let swept = 0;
    for (let hop = 0; hop < 8; hop++) swept += search.step(windowOf(recording, hop * 400, 400, 9, random, { groups })).swept;
    // 2 · (C(7,3) + C(7,4)) = 140 subsets; the group of 2 has none.
    expect(search.sweepProgress.evaluationsPerCycle).toBe(140);
    expect(swept).toBeGreaterThan(140);
    expect(search.sweepProgress.cycles).toBe(Math.floor(swept / 140));
    expect(search.sweepProgress.position).toBe(swept % 140);
  });

  it('searches within groups: a planted parity across two groups is not reported', () => {
    const recording = plantedRecording({ units: 12, bins: 1000 * 4, seed: 6, modeParities: [[1, 2, 9]] });
    const groups = [
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
    ];
    const { steps } = run(recording, 1000, 4, { budget: 200, tracked: 6 }, { groups });
    for (const multiplets of steps) for (const m of multiplets) expect(m.units.every((u) => u < 6) || m.units.every((u) => u >= 6)).toBe(true);
  });

  it('tests on data the selection has not seen: previous-window reports from hop windowHops + 1, halves from the first hop', () => {
    const recording = plantedRecording({ units: 8, bins: 1000 * 6, seed: 7, modeParities: [[0, 3, 6]] });
    const random = new SeededRandom(1, 'split');
    const delayed = new SubnetworkSearch({ split: { kind: 'previous-window', windowHops: 3 }, budget: 200, tracked: 6 });
    const halves = new SubnetworkSearch({ split: { kind: 'halves' }, budget: 200, tracked: 6 });
    const reported = { delayed: [] as number[], halves: [] as number[] };
    for (let hop = 0; hop < 5; hop++) {
      const window = windowOf(recording, hop * 1000, 1000, 19, random);
      reported.delayed.push(delayed.step(window).multiplets.length);
      reported.halves.push(halves.step(window).multiplets.length);
    }
    expect(reported.delayed.slice(0, 3)).toEqual([0, 0, 0]);
    expect(reported.delayed[3]).toBeGreaterThan(0);
    expect(reported.halves[0]).toBeGreaterThan(0);
  });

  it('keeps every evaluation within the budget', () => {
    const recording = plantedRecording({ units: 20, bins: 500 * 4, seed: 8 });
    const search = new SubnetworkSearch({ split: { kind: 'halves' }, budget: 300, tracked: 12 });
    const random = new SeededRandom(1, 'budget');
    for (let hop = 0; hop < 4; hop++) {
      const step = search.step(windowOf(recording, hop * 500, 500, 9, random, { strongPairs: [[0, 1], [2, 3]] }));
      expect(step.evaluations).toBeLessThanOrEqual(300);
      expect(step.swept).toBeGreaterThan(0);
    }
  });

  it('starts over when the groups change', () => {
    const recording = plantedRecording({ units: 10, bins: 500 * 3, seed: 9 });
    const search = new SubnetworkSearch({ split: { kind: 'halves' }, budget: 100, tracked: 6 });
    const random = new SeededRandom(1, 'reset');
    search.step(windowOf(recording, 0, 500, 9, random));
    search.step(windowOf(recording, 500, 500, 9, random));
    expect(search.sweepProgress.position).toBeGreaterThan(100);
    search.step(windowOf(recording, 1000, 500, 9, random, { groups: [[0, 1, 2, 3, 4]] }));
    expect(search.sweepProgress.evaluationsPerCycle).toBe(10 + 5);
    expect(search.sweepProgress.position).toBeLessThanOrEqual(100);
  });

  it('refuses windows it cannot read and options it cannot honour', () => {
    const recording = plantedRecording({ units: 6, bins: 200, seed: 10 });
    const random = new SeededRandom(1, 'checks');
    const search = () => new SubnetworkSearch({ split: { kind: 'halves' }, budget: 200, tracked: 6 });
    const window = windowOf(recording, 0, 200, 3, random);
    expect(() => search().step({ ...window, levels: 1 + 0 * window.levels, columns: window.columns })).toThrow(/symbol 1, outside 0…0/);
    expect(() => search().step({ ...window, labels: Int32Array.from(window.labels, (y) => y + 1) })).toThrow(/mode 2, outside 0…1/);
    expect(() => search().step({ ...window, surrogateLabels: [Int32Array.from(window.labels, () => 5)] })).toThrow(/label surrogate 0/);
    expect(() => search().step({ ...window, columns: window.columns.slice(0, 2) })).toThrow(/at least 3 units/);
    expect(() => search().step({ ...window, groups: [[0, 1, 9]] })).toThrow(/group member 9/);
    expect(() => search().step({ ...window, strongPairs: [[0, 0]] })).toThrow(/strong pair/);
    expect(() => new SubnetworkSearch({ split: { kind: 'previous-window', windowHops: 0 } })).toThrow(/windowHops/);
    expect(() => new SubnetworkSearch({ split: { kind: 'halves' }, maxOrder: 7 })).toThrow(/maxOrder/);
    expect(() => new SubnetworkSearch({ split: { kind: 'halves' }, budget: 10 })).toThrow(/budget/);
  });
});

function binaryEntropy(p: number): number {
  return -p * Math.log2(p) - (1 - p) * Math.log2(1 - p);
}
