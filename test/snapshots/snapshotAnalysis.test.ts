import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import type { WindowBin } from '../../src/engine/windowReadout.ts';
import type { EstimatorName } from '../../src/estimators/estimate.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { quantileSymbols } from '../../src/snapshots/quantileSymbols.ts';
import type { Snapshot } from '../../src/snapshots/snapshot.ts';
import { SnapshotAnalyzer } from '../../src/snapshots/snapshotAnalysis.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { compareUnitIds, outputUnitId } from '../../src/stream/unitIds.ts';

/** The quantile symbol by its definition: ⌊levels · #{values below} / n⌋, at most levels − 1. */
function symbolByDefinition(values: number[], v: number, levels: number): number {
  return Math.min(levels - 1, Math.floor((levels * values.filter((x) => x < v).length) / values.length));
}

/**
 * A snapshot of `samples` rows: 3 classes (a few rows unlabeled), neurons 0 and
 * 1 an XOR pair about class parity, neuron 2 a ReLU with many zeros, the rest noise.
 */
function snapshot(seed: number, step: number, samples: number, neurons: number, unlabeled = 0.05): Snapshot {
  const random = new SeededRandom(seed, 'snapshot');
  const values = new Float64Array(samples * neurons);
  const labels: (string | null)[] = [];
  for (let s = 0; s < samples; s++) {
    const y = random.nextInt(3);
    labels.push(random.next() < unlabeled ? null : `class ${y}`);
    const r = random.nextInt(2);
    for (let c = 0; c < neurons; c++) {
      const noise = random.next() - 0.5;
      let v = noise;
      if (c === 0) v = r + 0.4 * noise;
      if (c === 1) v = (r ^ (y % 2)) + 0.4 * noise;
      if (c === 2) v = Math.max(0, noise + 0.2 * y);
      values[s * neurons + c] = v;
    }
  }
  return { step, samples, neurons, values, labels, neuronIds: Array.from({ length: neurons }, (_, c) => `n${c}`) };
}

describe('quantileSymbols', () => {
  it('is its definition: equal populations, ties share a symbol, order only', () => {
    const random = new SeededRandom(5, 'q');
    for (const levels of [2, 3, 5]) {
      const values = Array.from({ length: 97 }, () => (random.next() < 0.3 ? 0 : random.next()));
      const out = new Uint8Array(97);
      quantileSymbols(values, 0, 1, 97, levels, out);
      values.forEach((v, s) => expect(out[s]).toBe(symbolByDefinition(values, v, levels)));
      // A monotone transform gives the same symbols.
      const transformed = new Uint8Array(97);
      quantileSymbols(values.map((v) => Math.exp(3 * v) - 7), 0, 1, 97, levels, transformed);
      expect(Array.from(transformed)).toEqual(Array.from(out));
    }
    // Strided: the second column of a 2-column matrix.
    const out = new Uint8Array(4);
    quantileSymbols([9, 4, 9, 1, 9, 3, 9, 2], 1, 2, 4, 2, out);
    expect(Array.from(out)).toEqual([1, 0, 1, 0]);
  });
});

describe('snapshots: each analyzed whole, one update per snapshot', () => {
  const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 0, top: 10 };
  const estimators: EstimatorName[] = ['plugin', 'miller-madow', 'panzeri-treves', 'qe', 'jackknife', 'shuffle'];

  for (const estimator of estimators) {
    it(`every update equals the batch library over the quantized rows of its snapshot: ${estimator}`, () => {
      const analyzer = new SnapshotAnalyzer({ ...options, estimator });
      // Two of one size (they share an engine), then one of another (a new engine), then the first size again.
      const snapshots = [snapshot(1, 100, 80, 6), snapshot(2, 200, 80, 6), snapshot(3, 300, 57, 6), snapshot(4, 450, 80, 6)];
      // The engine's bins (the shuffle estimator's pairing is keyed by them): the second snapshot follows the first.
      const firstBins = [0, 80, 0, 0];
      snapshots.forEach((snap, n) => {
        const update = analyzer.analyze(snap);
        expect(update).toMatchObject({ type: 'synergy', t: snap.step, step: snap.step, snapshot: n, window: [snap.step, snap.step], units: 6 });
        const classes = ['class 0', 'class 1', 'class 2'];
        const seenClasses = [...new Set(snapshots.slice(0, n + 1).flatMap((s) => s.labels).filter((l): l is string => l !== null))];
        // The rows by the definition, neurons as units 0-5.
        const columns = Array.from({ length: 6 }, (_, c) => Array.from({ length: snap.samples }, (_, s) => snap.values[s * 6 + c]));
        const entries: WindowBin[] = [];
        for (let s = 0; s < snap.samples; s++) {
          const units: number[] = [];
          const symbols: number[] = [];
          columns.forEach((column, c) => {
            const x = symbolByDefinition(column, column[s], options.levels);
            if (x > 0) {
              units.push(c);
              symbols.push(x);
            }
          });
          const label = snap.labels[s];
          entries.push({ bin: firstBins[n] + s, label: label === null ? -1 : seenClasses.indexOf(label), units: Uint32Array.from(units), symbols: Uint8Array.from(symbols) });
        }
        expect(update.samples).toBe(snap.labels.filter((l) => l !== null).length);
        expect(Object.keys(update.labels).sort()).toEqual(classes);
        const batch = new BatchReadout({ ...options, estimator, binSeconds: 1 }).rank(entries, 6, seenClasses.length, 10);
        expect(update.pairs).toHaveLength(batch.length);
        update.pairs.forEach((pair, k) => {
          const want = batch[k];
          const a = outputUnitId(`n${want.i}`);
          const b = outputUnitId(`n${want.j}`);
          expect([pair.a, pair.b]).toEqual(compareUnitIds(a, b) <= 0 ? [a, b] : [b, a]);
          for (const field of ['synergy', 'joint', 'ia', 'ib'] as const) expect(Math.abs(pair[field] - want[field]), field).toBeLessThan(1e-9);
        });
        // The XOR pair leads, synergistic (qe's quarters of 20 rows are too few to say).
        if (estimator !== 'qe') expect(update.pairs[0]).toMatchObject({ a: 'n0', b: 'n1' });
        if (estimator !== 'qe') expect(update.pairs[0].synergy).toBeGreaterThan(0.3);
      });
    });
  }

  it('refuses a snapshot at an earlier step', () => {
    const analyzer = new SnapshotAnalyzer(options);
    analyzer.analyze(snapshot(1, 10, 20, 3));
    expect(() => analyzer.analyze(snapshot(2, 9, 20, 3))).toThrow(/step 9 came after step 10/);
  });

  it('significance: permutations of the labels among the rows; null snapshots raise a family-wise significant pair in 5% of snapshots, the XOR pair in all', () => {
    const analyzer = new SnapshotAnalyzer({ ...options, surrogates: 19, top: undefined });
    let falseFamilies = 0;
    let ownHits = 0;
    let pairs = 0;
    const nullSnapshots = 300;
    for (let n = 0; n < nullSnapshots; n++) {
      const random = new SeededRandom(100 + n, 'null');
      const samples = 60;
      const neurons = 6;
      const values = new Float64Array(samples * neurons);
      // Correlated neurons (a shared factor per row), labels unrelated to them.
      for (let s = 0; s < samples; s++) {
        const shared = random.next();
        for (let c = 0; c < neurons; c++) values[s * neurons + c] = shared + random.next();
      }
      const labels = Array.from({ length: samples }, () => `c${random.nextInt(3)}`);
      const update = analyzer.analyze({ step: n, samples, neurons, values, labels });
      expect(update.surrogates).toBe(19);
      if (update.significant! > 0) falseFamilies++;
      for (const pair of update.pairs) {
        pairs++;
        if (pair.p! <= 0.05) ownHits++;
      }
    }
    const se = Math.sqrt((0.05 * 0.95) / nullSnapshots);
    expect(falseFamilies / nullSnapshots).toBeLessThanOrEqual(0.05 + 3 * se);
    expect(falseFamilies / nullSnapshots).toBeGreaterThan(0.005);
    expect(ownHits / pairs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / pairs));
    const planted = new SnapshotAnalyzer({ ...options, surrogates: 19, top: undefined });
    for (let n = 0; n < 10; n++) {
      const update = planted.analyze(snapshot(50 + n, n, 200, 6, 0));
      expect(update.pairs[0]).toMatchObject({ a: 'n0', b: 'n1', p_fwer: 0.05 });
    }
  });
});
