import { describe, expect, it } from 'vitest';
import { measureReport } from '../../src/batch/measureReport.ts';
import { estimate } from '../../src/estimators/estimate.ts';
import { NO_QUARTER, quarterAssignment } from '../../src/estimators/quarterSplit.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { mutualInformation } from '../../src/measures/mutualInformation.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';

// ---------------------------------------------------------------------------
// pyentropy's DiscreteSystem QE (robince/pyentropy, pyentropy/systems.py:
// `_qe_prep`, `_subsampled_instance`, `_qe_ent`), written out independently:
// permute the trials, drop the N mod 4 at the end, take the plug-in
// entropies H(X) and H(X|Y) of the whole, of the two contiguous halves and of
// the four contiguous quarters, and for each entropy keep the leading
// coefficient of np.polyfit([N4, N2, N], [N4²·H4, N2²·H2, N²·H1], 2).
// The permutation is the one the split documents: Fisher–Yates on 0…N−1
// driven by SeededRandom(seed, 'qe-split').

function documentedPermutation(sampleCount: number, seed: number): number[] {
  const random = new SeededRandom(seed, 'qe-split');
  const order = Array.from({ length: sampleCount }, (_, i) => i);
  for (let i = sampleCount - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Plug-in H(X) and H(X|Y) in bits, X a word of several columns, counted with plain objects. */
function pluginEntropies(x: number[][], y: number[]): { hx: number; hxGivenY: number } {
  const n = y.length;
  const entropyOf = (keys: string[]) => {
    const counts: Record<string, number> = {};
    for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
    return Object.values(counts).reduce((h, c) => h - (c / keys.length) * Math.log2(c / keys.length), 0);
  };
  const words = y.map((_, i) => x.map((column) => column[i]).join(','));
  const hx = entropyOf(words);
  let hxGivenY = 0;
  for (const mode of new Set(y)) {
    const inMode = words.filter((_, i) => y[i] === mode);
    hxGivenY += (inMode.length / n) * entropyOf(inMode);
  }
  return { hx, hxGivenY };
}

/** Leading coefficient of the degree-2 polynomial through three points (np.polyfit on 3 points is exact). */
function leadingCoefficientThrough(xs: number[], ys: number[]): number {
  // Solve the Vandermonde system [x² x 1]·[a b c] = y by Gaussian elimination.
  const rows = xs.map((x, i) => [x * x, x, 1, ys[i]]);
  for (let pivot = 0; pivot < 3; pivot++) {
    for (let row = pivot + 1; row < 3; row++) {
      const factor = rows[row][pivot] / rows[pivot][pivot];
      for (let column = pivot; column < 4; column++) rows[row][column] -= factor * rows[pivot][column];
    }
  }
  const c = rows[2][3] / rows[2][2];
  const b = (rows[1][3] - rows[1][2] * c) / rows[1][1];
  return (rows[0][3] - rows[0][1] * b - rows[0][2] * c) / rows[0][0];
}

/** pyentropy `qe` of I(X;Y) = H(X) − H(X|Y) with qe_shuffle=True. */
function pyentropyQe(x: number[][], y: number[], seed: number): number {
  const shuffle = documentedPermutation(y.length, seed);
  const remainder = y.length % 4;
  const kept = shuffle.slice(0, y.length - remainder);
  const px = x.map((column) => kept.map((i) => column[i]));
  const py = kept.map((i) => y[i]);
  const n = py.length;
  const slice = (reduction: number, interval: number) => {
    const size = n / reduction;
    const from = interval * size;
    return pluginEntropies(px.map((column) => column.slice(from, from + size)), py.slice(from, from + size));
  };
  const h1 = slice(1, 0);
  const halves = [slice(2, 0), slice(2, 1)];
  const quarters = [slice(4, 0), slice(4, 1), slice(4, 2), slice(4, 3)];
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const qe = (term: 'hx' | 'hxGivenY') =>
    leadingCoefficientThrough(
      [n / 4, n / 2, n],
      [
        (n / 4) ** 2 * mean(quarters.map((q) => q[term])),
        (n / 2) ** 2 * mean(halves.map((h) => h[term])),
        n * n * h1[term],
      ],
    );
  return qe('hx') - qe('hxGivenY');
}

// ---------------------------------------------------------------------------

function randomSamples(seed: number, n: number): [number[], number[], number[]] {
  const random = new SeededRandom(seed, 'samples');
  const y = Array.from({ length: n }, () => random.nextInt(3));
  const x1 = y.map((m) => Math.min(2, random.nextInt(2 + m)));
  const x2 = x1.map((a, i) => (random.next() < 0.4 ? a : Math.min(2, random.nextInt(2 + y[i]))));
  return [x1, x2, y];
}

/**
 * Ordered data with a trend: the mode alternates in blocks, and how strongly
 * the pair reflects it grows from none at the start to full at the end, so
 * contiguous quarters see very different information.
 */
function trendingSamples(n: number): [number[], number[], number[]] {
  const random = new SeededRandom(5, 'trend');
  const y = Array.from({ length: n }, (_, i) => Math.floor(i / 10) % 2);
  const x1 = y.map((mode, i) => (random.next() < i / n ? mode : random.nextInt(2)));
  const x2 = y.map((mode, i) => (random.next() < i / n ? x1[i] ^ mode : random.nextInt(2)));
  return [x1, x2, y];
}

const jointInformation = (source: Parameters<typeof mutualInformation>[0]) => mutualInformation(source, [0, 1], [2]);

function qeWith(columns: number[][], quarterOf?: ArrayLike<number>): number {
  return estimate(estimationData(discretize(columns), quarterOf), jointInformation, { estimator: 'qe' });
}

describe('the shuffled QE split (pyentropy)', () => {
  it.each([
    [200, 1],
    [203, 2],
    [401, 3],
    [98, 4],
  ])('equals pyentropy’s procedure written out independently (N = %i, seed %i)', (n, seed) => {
    const [x1, x2, y] = randomSamples(seed, n);
    const expected = pyentropyQe([x1, x2], y, seed);
    const actual = qeWith([x1, x2, y], quarterAssignment('shuffled', n, seed));
    expect(Math.abs(actual - expected)).toBeLessThan(1e-12);
  });

  it('puts N − N mod 4 samples in four equal quarters and leaves N mod 4 out', () => {
    for (const n of [0, 1, 4, 7, 10, 101]) {
      const quarterOf = quarterAssignment('shuffled', n, 9);
      const sizes = [0, 1, 2, 3].map((q) => quarterOf.filter((v) => v === q).length);
      expect(sizes).toEqual(Array(4).fill((n - (n % 4)) / 4));
      expect(quarterOf.filter((v) => v === NO_QUARTER).length).toBe(n % 4);
    }
  });

  it('is a function of the seed: the same seed the same value, another seed another', () => {
    const [x1, x2, y] = randomSamples(7, 240);
    const bySeed = (seed: number) => qeWith([x1, x2, y], quarterAssignment('shuffled', 240, seed));
    expect(bySeed(11)).toBe(bySeed(11));
    expect(bySeed(11)).not.toBe(bySeed(12));
  });

  it('differs from the contiguous split on ordered data with a trend', () => {
    const [x1, x2, y] = trendingSamples(400);
    const contiguous = qeWith([x1, x2, y]);
    const shuffled = qeWith([x1, x2, y], quarterAssignment('shuffled', 400, 0));
    expect(Math.abs(shuffled - contiguous)).toBeGreaterThan(0.05);
    // On the same samples in random order the two splits are alike in distribution:
    // the difference above comes from the trend, not from the split as such.
    const order = documentedPermutation(400, 99);
    const unordered = [x1, x2, y].map((column) => order.map((i) => column[i]));
    expect(Math.abs(qeWith(unordered) - qeWith(unordered, quarterAssignment('shuffled', 400, 0)))).toBeLessThan(0.05);
  });

  it('contiguous is the split estimationData makes by default (unchanged values)', () => {
    const [x1, x2, y] = randomSamples(8, 203);
    expect(qeWith([x1, x2, y], quarterAssignment('contiguous', 203, 0))).toBe(qeWith([x1, x2, y]));
  });

  it('measureReport selects it with qeSplit and reports the split and its seed', () => {
    const [x1, x2, y] = randomSamples(9, 150);
    const samples = discretize([x1, x2, y]);
    const names = ['a', 'b', 'y'];
    const shuffled = measureReport(samples, { names, target: 2, estimator: 'qe', qeSplit: 'shuffled', seed: 4 });
    const contiguous = measureReport(samples, { names, target: 2, estimator: 'qe' });
    expect(shuffled.qe_split).toBe('shuffled');
    expect(shuffled.seed).toBe(4);
    expect(contiguous.qe_split).toBe('contiguous');
    expect(contiguous.seed).toBeUndefined();
    expect(Math.abs((shuffled.joint as number) - pyentropyQe([x1, x2], y, 4))).toBeLessThan(1e-12);
    const pair = estimate(estimationData(samples, quarterAssignment('shuffled', 150, 4)), (s) => ({ ...pairSynergy(s, 0, 1, 2) }), {
      estimator: 'qe',
    });
    expect(shuffled.synergy).toBeCloseTo(pair.synergy, 12);
    expect(contiguous.joint).not.toBe(shuffled.joint);
  });
});
