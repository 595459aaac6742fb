import { describe, expect, it } from 'vitest';
import { PLANTED_PAIRS, simulateSnapshots } from '../../simulators/snapshotNetwork.ts';
import { LabelPermutations } from '../../src/engine/labelPermutations.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { copulaPairClassInformation, gaussianClassInformation } from '../../src/measures/gaussian/gaussianClassInformation.ts';
import type { Snapshot } from '../../src/snapshots/snapshot.ts';
import { SnapshotAnalyzer } from '../../src/snapshots/snapshotAnalysis.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/stream/options.ts';
import { permutationTests } from '../helpers/permutationTests.ts';

/** Standard normal draws (Box–Muller). */
function normal(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** 3 classes; neurons 0 and 1 an XOR-like pair about class parity, 2 a graded code of the class, the rest noise. */
function snapshot(seed: number, samples: number, neurons: number): Snapshot {
  const random = new SeededRandom(seed, 'gaussian-snapshot');
  const values = new Float64Array(samples * neurons);
  const labels: (string | null)[] = [];
  for (let s = 0; s < samples; s++) {
    const y = random.nextInt(3);
    labels.push(random.next() < 0.03 ? null : `c${y}`);
    const r = random.nextInt(2);
    for (let c = 0; c < neurons; c++) {
      let v = normal(random);
      if (c === 0) v = r + 0.3 * normal(random);
      if (c === 1) v = (r ^ (y % 2)) + 0.3 * normal(random);
      if (c === 2) v = y + normal(random);
      values[s * neurons + c] = v;
    }
  }
  return { step: seed, samples, neurons, values, labels, neuronIds: Array.from({ length: neurons }, (_, c) => `n${c}`) };
}

describe('Gaussian information about a class (gcmi model)', () => {
  it('approaches ½ log2(det(Σ + B) / det Σ) for Gaussian classes with one covariance', () => {
    const random = new SeededRandom(3, 'classes');
    const means = [
      [0, 0],
      [1, 0.5],
      [-0.5, 1.5],
    ];
    const n = 60_000;
    const x1 = new Float64Array(n);
    const x2 = new Float64Array(n);
    const classes = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const m = s % 3;
      classes[s] = m;
      // Σ = [[1, 0.6], [0.6, 1]].
      const a = normal(random);
      const b = 0.6 * a + 0.8 * normal(random);
      x1[s] = means[m][0] + a;
      x2[s] = means[m][1] + b;
    }
    // Between-class covariance B of equally likely means, and the model's value.
    const mean = [0, 1].map((d) => means.reduce((sum, mu) => sum + mu[d], 0) / 3);
    const B = [0, 1].map((d) => [0, 1].map((e) => means.reduce((sum, mu) => sum + (mu[d] - mean[d]) * (mu[e] - mean[e]), 0) / 3));
    const det = (m: number[][]) => m[0][0] * m[1][1] - m[0][1] * m[1][0];
    const sigma = [
      [1, 0.6],
      [0.6, 1],
    ];
    const total = sigma.map((row, d) => row.map((value, e) => value + B[d][e]));
    expect(gaussianClassInformation([x1, x2], classes)).toBeCloseTo(0.5 * Math.log2(det(total) / det(sigma)), 2);
    expect(gaussianClassInformation([x1], classes)).toBeCloseTo(0.5 * Math.log2(total[0][0] / sigma[0][0]), 2);
  });
});

describe('snapshots under the Gaussian copula', () => {
  const options = { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 0, top: undefined };

  it('every pair equals the batch library (copulaPairClassInformation), and p its permutation test', () => {
    const snap = snapshot(5, 300, 6);
    const surrogates = 9;
    const update = new SnapshotAnalyzer({ ...options, surrogates, seed: 4 }, 'gaussian-copula').analyze(snap);
    expect(update).toMatchObject({ estimator: 'gaussian-copula', t: 5, samples: snap.labels.filter((l) => l !== null).length, pairsComputed: 15, surrogates, effective_surrogates: surrogates });
    expect(update.pairs).toHaveLength(15);
    const classNames = [...new Set(snap.labels.filter((l): l is string => l !== null))];
    const classes = Int32Array.from(snap.labels, (l) => (l === null ? -1 : classNames.indexOf(l)));
    const column = (c: number) => Float64Array.from({ length: snap.samples }, (_, s) => snap.values[s * 6 + c]);
    // The permutations the analysis drew: the same seeded stream over the labeled rows' classes.
    const labeled = Int32Array.from(classes).filter((m) => m >= 0);
    const drawn = new LabelPermutations(surrogates, 1, 4).drawPermutations(labeled);
    const withClasses = (k: number): Int32Array => {
      const out = Int32Array.from(classes);
      let r = 0;
      for (let s = 0; s < out.length; s++) if (out[s] >= 0) out[s] = drawn[k * labeled.length + r++];
      return out;
    };
    const surrogateClasses = Array.from({ length: surrogates }, (_, k) => withClasses(k));
    const values = new Map<string, number[]>();
    for (let j = 1; j < 6; j++) {
      for (let i = 0; i < j; i++) {
        const batch = copulaPairClassInformation(column(i), column(j), classes);
        const pair = update.pairs.find((p) => p.a === `n${i}` && p.b === `n${j}`)!;
        for (const field of ['joint', 'ia', 'ib', 'synergy'] as const) expect(Math.abs(pair[field] - batch[field]), `${field} of n${i}-n${j}`).toBeLessThan(1e-9);
        values.set(`n${i}-n${j}`, [batch.synergy, ...surrogateClasses.map((c) => copulaPairClassInformation(column(i), column(j), c).synergy)]);
      }
    }
    const keys = [...values.keys()];
    const tests = permutationTests(keys.map((key) => values.get(key)![0]), Array.from({ length: surrogates }, (_, k) => keys.map((key) => values.get(key)![k + 1])));
    for (const pair of update.pairs) {
      const want = tests[keys.indexOf(`${pair.a}-${pair.b}`)];
      expect({ p: pair.p, p_fwer: pair.p_fwer }).toEqual({ p: want.p, p_fwer: want.pFwer });
    }
    // The XOR pair leads, synergistic; the graded neuron carries the class alone.
    expect(update.pairs[0]).toMatchObject({ a: 'n0', b: 'n1' });
    expect(update.pairs[0].synergy).toBeGreaterThan(0.2);
  });

  it('is invariant to a strictly increasing transform of any neuron', () => {
    const snap = snapshot(6, 200, 5);
    const transformed = { ...snap, values: snap.values.map((v, x) => (x % 5 === 1 ? Math.exp(2 * v) : x % 5 === 3 ? v ** 3 - 4 : v)) };
    const a = new SnapshotAnalyzer(options, 'gaussian-copula').analyze(snap);
    const b = new SnapshotAnalyzer(options, 'gaussian-copula').analyze(transformed);
    expect(b.pairs).toEqual(a.pairs);
  });

  it('leaves out a constant neuron and a duplicated one, and says so', () => {
    const snap = snapshot(7, 150, 5);
    for (let s = 0; s < snap.samples; s++) {
      snap.values[s * 5 + 3] = 1.5;
      snap.values[s * 5 + 4] = snap.values[s * 5 + 2];
    }
    const update = new SnapshotAnalyzer(options, 'gaussian-copula').analyze(snap);
    // n3's 4 pairs, and n2-n4 (collinear).
    expect(update.degenerate).toEqual({ neurons: 1, pairs: 5 });
    expect(update.pairsComputed).toBe(5);
    expect(update.pairs.every((pair) => Number.isFinite(pair.synergy) && pair.a !== 'n3' && pair.b !== 'n3')).toBe(true);
  });

  it('a network moving from redundant to synergistic coding: the planted pairs change sign at the planted step, with p_fwer at its floor', () => {
    const steps = Array.from({ length: 10 }, (_, k) => 100 * k);
    const analyzer = new SnapshotAnalyzer({ ...options, surrogates: 19 }, 'gaussian-copula');
    for (const snap of simulateSnapshots({ neurons: 10, samples: 400, steps, switchStep: 500, seed: 3 })) {
      const update = analyzer.analyze(snap);
      for (const [a, b] of PLANTED_PAIRS) {
        const pair = update.pairs.find((p) => p.a === `n${a}` && p.b === `n${b}`)!;
        if (snap.step < 500) expect(pair.synergy, `step ${snap.step}`).toBeLessThan(-0.1);
        else expect(pair.synergy, `step ${snap.step}`).toBeGreaterThan(0.1);
        expect(pair.p_fwer).toBe(0.05);
      }
    }
  });

  it('null snapshots (correlated neurons, labels unrelated): a family-wise significant pair in 5% of snapshots, not more', () => {
    const analyzer = new SnapshotAnalyzer({ ...options, surrogates: 19 }, 'gaussian-copula');
    let raised = 0;
    let own = 0;
    let pairs = 0;
    const count = 300;
    for (let n = 0; n < count; n++) {
      const random = new SeededRandom(500 + n, 'null');
      const rows = 80;
      const values = new Float64Array(rows * 5);
      for (let s = 0; s < rows; s++) {
        const shared = normal(random);
        for (let c = 0; c < 5; c++) values[s * 5 + c] = shared + normal(random);
      }
      const update = analyzer.analyze({ step: n, samples: rows, neurons: 5, values, labels: Array.from({ length: rows }, () => `c${random.nextInt(3)}`) });
      if (update.significant! > 0) raised++;
      for (const pair of update.pairs) {
        pairs++;
        if (pair.p! <= 0.05) own++;
      }
    }
    expect(raised / count).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / count));
    expect(raised / count).toBeGreaterThan(0.005);
    expect(own / pairs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / pairs));
  });
});
