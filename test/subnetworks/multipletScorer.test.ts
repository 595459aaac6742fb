/**
 * The scorer is the library's definition computed fast: on random samples its
 * Ω and ∂_YΩ equal src/measures' oInformation and oInformationGradient on a
 * plug-in (and a Miller–Madow) source built from the same samples, to 1e-9,
 * under the real labels, under label surrogates that leave samples out, and
 * with units read circularly shifted.
 */
import { describe, expect, it } from 'vitest';
import { BiasCorrectedSource } from '../../src/estimators/biasCorrectedSource.ts';
import { PluginSource } from '../../src/estimators/pluginSource.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { JointTable } from '../../src/measures/jointTable.ts';
import { oInformation } from '../../src/measures/oInformation.ts';
import { oInformationGradient } from '../../src/measures/oInformationGradient.ts';
import { emptyScore, MultipletScorer } from '../../src/subnetworks/multipletScorer.ts';

/** Samples with some dependence: unit u copies unit u − 1 now and then, and the mode leans on unit 0. */
function randomSamples(random: SeededRandom, units: number, samples: number, levels: number, modes: number) {
  const columns = Array.from({ length: units }, () => new Uint8Array(samples));
  const labels = new Int32Array(samples);
  for (let n = 0; n < samples; n++) {
    for (let u = 0; u < units; u++) {
      columns[u][n] = u > 0 && random.next() < 0.3 ? columns[u - 1][n] : random.nextInt(levels);
    }
    labels[n] = random.next() < 0.4 ? columns[0][n] % modes : random.nextInt(modes);
  }
  return { columns, labels };
}

/** The library's values on the samples of `units` (in order) with `labels`, samples with a label < 0 left out. */
function libraryValues(columns: Uint8Array[], units: number[], labels: Int32Array, levels: number, modes: number, from = 0, count = labels.length - from, lags?: number[]) {
  const kept: number[] = [];
  for (let i = 0; i < count; i++) if (labels[from + i] >= 0) kept.push(i);
  const read = (u: number, i: number) => columns[units[u]][from + ((i + (lags?.[u] ?? 0)) % count)];
  const table = JointTable.fromColumns(
    [...units.map((_, u) => kept.map((i) => read(u, i))), kept.map((i) => labels[from + i])],
    [...units.map(() => levels), modes],
  );
  const vars = units.map((_, u) => u);
  const plugin = new PluginSource(table);
  const millerMadow = new BiasCorrectedSource(table, 'miller-madow');
  return {
    oinfo: oInformation(plugin, vars),
    doinfoY: oInformationGradient(plugin, vars, units.length),
    oinfoMillerMadow: oInformation(millerMadow, vars),
    doinfoYMillerMadow: oInformationGradient(millerMadow, vars, units.length),
  };
}

describe('MultipletScorer', () => {
  const cases = [
    { levels: 2, modes: 2, order: 3 },
    { levels: 3, modes: 3, order: 3 },
    { levels: 3, modes: 2, order: 4 },
    { levels: 2, modes: 4, order: 5 },
    { levels: 3, modes: 3, order: 5 },
  ];

  for (const { levels, modes, order } of cases) {
    it(`equals oInformation and oInformationGradient (plug-in and Miller–Madow) at ${levels} levels, ${modes} modes, order ${order}`, () => {
      const random = new SeededRandom(order * 100 + levels * 10 + modes, 'scorer');
      const samples = 400;
      const { columns, labels } = randomSamples(random, 8, samples, levels, modes);
      const scorer = new MultipletScorer(levels, modes, 5);
      const words = new Int32Array(samples);
      const out = emptyScore();
      for (let trial = 0; trial < 4; trial++) {
        const units = random.shuffle(Int32Array.from({ length: 8 }, (_, u) => u)).slice(0, order);
        const list = Array.from(units);
        const from = trial * 20;
        const count = samples - 2 * from;
        scorer.wordsOf(columns, units, from, count, words);
        scorer.score(order, words, labels, from, count, out);
        const expected = libraryValues(columns, list, labels, levels, modes, from, count);
        expect(out.samples).toBe(count);
        expect(out.oinfo).toBeCloseTo(expected.oinfo, 9);
        expect(out.doinfoY).toBeCloseTo(expected.doinfoY, 9);
        expect(out.oinfoMillerMadow).toBeCloseTo(expected.oinfoMillerMadow, 9);
        expect(out.doinfoYMillerMadow).toBeCloseTo(expected.doinfoYMillerMadow, 9);

        // The search's inner loop: prefix words with the modes, one more unit read per sample.
        const prefix = new Int32Array(count);
        const prefixAndMode = new Int32Array(count);
        scorer.wordsOf(columns, units.subarray(0, order - 1), from, count, prefix);
        scorer.prefixAndModes(prefix, labels, from, count, prefixAndMode);
        const fast = emptyScore();
        scorer.scoreWithLastUnit(order, prefixAndMode, columns[units[order - 1]], from, count, fast);
        expect(fast.oinfo).toBeCloseTo(expected.oinfo, 9);
        expect(fast.doinfoYMillerMadow).toBeCloseTo(expected.doinfoYMillerMadow, 9);

        // Label surrogates that leave samples out (and one that keeps them all).
        const surrogates = [0, 1, 2].map((k) => Int32Array.from(labels, (y) => (k > 0 && random.next() < 0.2 ? -1 : (y + random.nextInt(modes)) % modes)));
        const underLabels = new Float64Array(surrogates.length);
        scorer.doinfoYUnderLabels(order, words, surrogates, from, count, underLabels);
        surrogates.forEach((surrogate, k) => {
          expect(underLabels[k]).toBeCloseTo(libraryValues(columns, list, surrogate, levels, modes, from, count).doinfoY, 9);
        });

        // Each unit read circularly shifted inside the range, two draws of lags.
        const lags = Int32Array.from({ length: 2 * order }, (_, i) => (i === 0 ? 0 : random.nextInt(count)));
        const underShifts = new Float64Array(2);
        scorer.oinfoUnderShifts(columns, units, lags, from, count, underShifts);
        const everyLabel = new Int32Array(labels.length);
        for (let k = 0; k < 2; k++) {
          const shifted = libraryValues(columns, list, everyLabel, levels, 1, from, count, Array.from(lags.subarray(k * order, (k + 1) * order)));
          expect(underShifts[k]).toBeCloseTo(shifted.oinfo, 9);
          scorer.shiftedWordsOf(columns, units, lags, from, count, words, k * order);
          expect(scorer.oinfoOfWords(order, words, count)).toBeCloseTo(shifted.oinfo, 9);
        }
      }
    });
  }

  it('gives the worked examples exactly: 3-parity of the mode ∂_YΩ = −2, 4-parity among units Ω = −2', () => {
    const scorer = new MultipletScorer(2, 2, 5);
    const columns = [new Uint8Array(16), new Uint8Array(16), new Uint8Array(16), new Uint8Array(16)];
    const labels = new Int32Array(16);
    for (let n = 0; n < 16; n++) {
      for (let b = 0; b < 4; b++) columns[b][n] = (n >> b) & 1;
      labels[n] = columns[0][n] ^ columns[1][n] ^ columns[2][n];
    }
    const parity = columns.map((column) => column.slice(0, 8));
    parity[3] = parity[0].map((x, n) => x ^ parity[1][n] ^ parity[2][n]);
    const words = new Int32Array(16);
    const out = emptyScore();
    scorer.wordsOf(columns, [0, 1, 2], 0, 16, words);
    scorer.score(3, words, labels, 0, 16, out);
    expect(out.oinfo).toBeCloseTo(0, 12);
    expect(out.doinfoY).toBeCloseTo(-2, 12);
    scorer.wordsOf(parity, [0, 1, 2, 3], 0, 8, words);
    scorer.score(4, words, new Int32Array(8), 0, 8, out);
    expect(out.oinfo).toBeCloseTo(-2, 12);
  });

  it('builds words for every order the same way (the written-out orders and the general loop)', () => {
    const random = new SeededRandom(3, 'orders');
    const { columns } = randomSamples(random, 7, 50, 3, 2);
    const scorer = new MultipletScorer(3, 2, 7);
    for (let order = 2; order <= 7; order++) {
      const units = Array.from({ length: order }, (_, u) => u);
      const lags = units.map(() => random.nextInt(40));
      const words = new Int32Array(40);
      scorer.shiftedWordsOf(columns, units, lags, 5, 40, words);
      for (let i = 0; i < 40; i++) {
        let word = 0;
        for (let u = 0; u < order; u++) word = word * 3 + columns[u][5 + ((i + lags[u]) % 40)];
        expect(words[i]).toBe(word);
      }
    }
  });

  it('refuses tables beyond its limit', () => {
    expect(() => new MultipletScorer(16, 4, 6)).toThrow(RangeError);
  });
});
