import { describe, expect, it } from 'vitest';
import { BiasCorrectedSource } from '../../src/estimators/biasCorrectedSource.ts';
import { estimate, ESTIMATORS } from '../../src/estimators/estimate.ts';
import { panzeriTrevesRelevantCells } from '../../src/estimators/panzeriTrevesRelevantCells.ts';
import { EstimatorInputError } from '../../src/estimators/quadraticExtrapolation.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { JointTable } from '../../src/measures/jointTable.ts';
import { mutualInformation } from '../../src/measures/mutualInformation.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';

/** Plug-in I(X;Y) from raw arrays, counted with plain objects: an independent batch computation. */
function naiveMutualInformation(x: readonly string[], y: readonly number[]): number {
  const n = x.length;
  const cx: Record<string, number> = {};
  const cy: Record<string, number> = {};
  const cxy: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    cx[x[i]] = (cx[x[i]] ?? 0) + 1;
    cy[y[i]] = (cy[y[i]] ?? 0) + 1;
    cxy[`${x[i]}|${y[i]}`] = (cxy[`${x[i]}|${y[i]}`] ?? 0) + 1;
  }
  let mi = 0;
  for (const [key, nxy] of Object.entries(cxy)) {
    const [xs, ys] = key.split('|');
    mi += (nxy / n) * Math.log2((nxy * n) / (cx[xs] * cy[ys]));
  }
  return mi;
}

function randomSamples(seed: number, n: number): [number[], number[], number[]] {
  const random = new SeededRandom(seed, 'samples');
  const y = Array.from({ length: n }, () => random.nextInt(2));
  const x1 = y.map((m) => Math.min(2, random.nextInt(3 + m)));
  const x2 = x1.map((a, i) => (random.next() < 0.3 ? a : Math.min(2, random.nextInt(2 + y[i]))));
  return [x1, x2, y];
}

describe('panzeriTrevesRelevantCells', () => {
  it('is the occupied count when every cell is seen', () => {
    expect(panzeriTrevesRelevantCells([3, 1, 2], 3)).toBe(3);
  });
  it('never exceeds the alphabet and never falls below the occupied count', () => {
    const random = new SeededRandom(3);
    for (let trial = 0; trial < 500; trial++) {
      const alphabet = 2 + random.nextInt(12);
      const counts = Array.from({ length: alphabet }, () => (random.next() < 0.4 ? 0 : random.nextInt(30)));
      const seen = counts.filter((n) => n > 0).length;
      const r = panzeriTrevesRelevantCells(counts, alphabet);
      expect(r).toBeGreaterThanOrEqual(seen);
      expect(r).toBeLessThanOrEqual(Math.max(seen, alphabet));
      expect(Number.isInteger(r)).toBe(true);
    }
  });
  it('adds unseen cells when many cells are seen once (a sign of more unseen ones)', () => {
    // 8 singletons of 20 possible cells: the occupancy argues for unseen relevant cells.
    expect(panzeriTrevesRelevantCells([1, 1, 1, 1, 1, 1, 1, 1], 20)).toBeGreaterThan(8);
    // Well-sampled cells: nothing to add.
    expect(panzeriTrevesRelevantCells([500, 400, 300, 0], 4)).toBe(3);
  });
  it('matches the scan of SCIENCE.md written out independently', () => {
    const reference = (counts: number[], alphabet: number) => {
      const seenCounts = counts.filter((n) => n > 0);
      const seen = seenCounts.length;
      const total = seenCounts.reduce((a, b) => a + b, 0);
      if (seen === alphabet) return seen;
      const expectedOccupied = (x: number) => {
        if (x === 0) return seenCounts.reduce((e, n) => e + 1 - (1 - n / total) ** total, 0);
        const gamma = x * (1 - (total / (total + seen)) ** (1 / total));
        let e = seenCounts.reduce((acc, n) => acc + 1 - (1 - ((1 - gamma) * (n + 1)) / (total + seen)) ** total, 0);
        e += x * (1 - (1 - gamma / x) ** total);
        return e;
      };
      let best = 0;
      let bestDistance = Math.abs(seen - expectedOccupied(0));
      for (let x = 1; seen + x <= alphabet; x++) {
        const distance = Math.abs(seen - expectedOccupied(x));
        if (distance >= bestDistance) break;
        best = x;
        bestDistance = distance;
      }
      return seen + best;
    };
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const alphabet = 2 + random.nextInt(16);
      const counts: number[] = Array.from({ length: alphabet }, () => (random.next() < 0.5 ? 0 : 1 + random.nextInt(6)));
      if (!counts.some((n) => n > 0)) counts[0] = 1;
      expect(panzeriTrevesRelevantCells(counts, alphabet)).toBe(reference(counts, alphabet));
    }
  });
});

describe('plug-in against an independent batch computation', () => {
  it.each([1, 2, 3, 4, 5])('seed %i', (seed) => {
    const [x1, x2, y] = randomSamples(seed, 97);
    const pair = estimate(estimationData(discretize([x1, x2, y])), (s) => ({ ...pairSynergy(s, 0, 1, 2) }), {
      estimator: 'plugin',
    });
    const joint = naiveMutualInformation(x1.map((a, i) => `${a},${x2[i]}`), y);
    const ia = naiveMutualInformation(x1.map(String), y);
    const ib = naiveMutualInformation(x2.map(String), y);
    expect(pair.joint).toBeCloseTo(joint, 12);
    expect(pair.ia).toBeCloseTo(ia, 12);
    expect(pair.ib).toBeCloseTo(ib, 12);
    expect(pair.synergy).toBeCloseTo(joint - ia - ib, 12);
  });
});

describe('jackknife', () => {
  it('equals N·I − (N−1)/N Σ_k I_−k with every sample actually left out', () => {
    const [x1, x2, y] = randomSamples(9, 61);
    const n = y.length;
    const joint = (k: number) => {
      const keep = [...Array(n).keys()].filter((i) => i !== k);
      return naiveMutualInformation(keep.map((i) => `${x1[i]},${x2[i]}`), keep.map((i) => y[i]));
    };
    let sumLeaveOneOut = 0;
    for (let k = 0; k < n; k++) sumLeaveOneOut += joint(k);
    const expected = n * joint(-1) - ((n - 1) / n) * sumLeaveOneOut;
    const actual = estimate(estimationData(discretize([x1, x2, y])), (s) => mutualInformation(s, [0, 1], [2]), {
      estimator: 'jackknife',
    });
    expect(actual).toBeCloseTo(expected, 10);
  });
});

describe('quadratic extrapolation', () => {
  it('fits I∞ + a/N + b/N² through the full data, halves and quarters', () => {
    const [x1, x2, y] = randomSamples(21, 80);
    const joint = (from: number, to: number) =>
      naiveMutualInformation(
        x1.slice(from, to).map((a, i) => `${a},${x2[from + i]}`),
        y.slice(from, to),
      );
    const i1 = joint(0, 80);
    const i2 = (joint(0, 40) + joint(40, 80)) / 2;
    const i4 = (joint(0, 20) + joint(20, 40) + joint(40, 60) + joint(60, 80)) / 4;
    // Solve I(N) = c + a/N + b/N² through the three points, independently of the library's weights.
    const xs = [1 / 80, 1 / 40, 1 / 20];
    const ys = [i1, i2, i4];
    const lagrangeAtZero = xs.reduce((sum, xi, i) => {
      let weight = 1;
      xs.forEach((xj, j) => {
        if (j !== i) weight *= (0 - xj) / (xi - xj);
      });
      return sum + weight * ys[i];
    }, 0);
    const actual = estimate(estimationData(discretize([x1, x2, y])), (s) => mutualInformation(s, [0, 1], [2]), {
      estimator: 'qe',
    });
    expect(actual).toBeCloseTo(lagrangeAtZero, 10);
  });
  it('uses a given quarter assignment (bin index mod 4 in the stream)', () => {
    const [x1, x2, y] = randomSamples(22, 64);
    const samples = discretize([x1, x2, y]);
    const modFour = Array.from({ length: 64 }, (_, i) => i % 4);
    const contiguous = estimate(estimationData(samples), (s) => mutualInformation(s, [0, 1], [2]), { estimator: 'qe' });
    const interleaved = estimate(estimationData(samples, modFour), (s) => mutualInformation(s, [0, 1], [2]), {
      estimator: 'qe',
    });
    const reordered = [0, 1, 2, 3].flatMap((q) => [...Array(64).keys()].filter((i) => i % 4 === q));
    const sameAsContiguous = estimate(
      estimationData(discretize([reordered.map((i) => x1[i]), reordered.map((i) => x2[i]), reordered.map((i) => y[i])])),
      (s) => mutualInformation(s, [0, 1], [2]),
      { estimator: 'qe' },
    );
    expect(interleaved).toBeCloseTo(sameAsContiguous, 12);
    expect(interleaved).not.toBeCloseTo(contiguous, 6);
  });
  it('refuses a bare count table, which has no sample order', () => {
    const table = JointTable.fromWords([2, 2], [[[0, 0], 3], [[1, 1], 2]]);
    expect(() => estimate({ table }, (s) => mutualInformation(s, [0], [1]), { estimator: 'qe' })).toThrow(EstimatorInputError);
  });
});

describe('shuffle', () => {
  const [x1, x2, y] = randomSamples(31, 120);
  const joint = (seed: number, columns = [x1, x2, y]) =>
    estimate(estimationData(discretize(columns)), (s) => mutualInformation(s, [0, 1], [2]), { estimator: 'shuffle', seed });
  it('is reproducible for a seed and varies with it', () => {
    expect(joint(5)).toBe(joint(5));
    const values = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((seed) => joint(seed)));
    expect(values.size).toBeGreaterThan(1);
  });
  it('does not depend on the order of the samples', () => {
    const order = new SeededRandom(4).shuffle(Int32Array.from({ length: 120 }, (_, i) => i));
    const permuted = [x1, x2, y].map((column) => Array.from(order, (i) => column[i]));
    expect(joint(9, permuted)).toBeCloseTo(joint(9), 12);
  });
  it('applies Panzeri–Treves to single-unit terms', () => {
    const data = estimationData(discretize([x1, x2, y]));
    const viaShuffle = estimate(data, (s) => mutualInformation(s, [0], [2]), { estimator: 'shuffle', seed: 1 });
    const viaPt = estimate(data, (s) => mutualInformation(s, [0], [2]), { estimator: 'panzeri-treves' });
    expect(viaShuffle).toBe(viaPt);
  });
  it('removes the noise correlations it is meant to: independent-given-mode units give I_sh near I_ind', () => {
    // With units independent given the mode, H_sh(R|S) ≈ H(R|S) on average, so I_sh stays close to PT's I.
    const differences = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => {
      const random = new SeededRandom(seed, 'independent');
      const modes = Array.from({ length: 400 }, () => random.nextInt(2));
      const a = modes.map((m) => Math.min(2, random.nextInt(2 + m)));
      const b = modes.map((m) => Math.min(2, random.nextInt(3 - m)));
      const data = estimationData(discretize([a, b, modes]));
      const measure = (s: Parameters<typeof mutualInformation>[0]) => mutualInformation(s, [0, 1], [2]);
      return estimate(data, measure, { estimator: 'shuffle', seed }) - estimate(data, measure, { estimator: 'panzeri-treves' });
    });
    const mean = differences.reduce((x, d) => x + d, 0) / differences.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
  });
  it('with a given pairing reads the second unit at each sample’s partner: I + H(a, b∘partner | Y) − H(a|Y) − H(b|Y), all PT', () => {
    const data = estimationData(discretize([x1, x2, y]));
    // A pairing within each mode: each sample with the one two places on among its mode's samples.
    const partner = new Int32Array(y.length);
    for (const m of new Set(y)) {
      const samples = y.flatMap((v, s) => (v === m ? [s] : []));
      samples.forEach((s, k) => (partner[s] = samples[(k + 2) % samples.length]));
    }
    const viaPairing = estimate(data, (s) => mutualInformation(s, [0, 1], [2]), { estimator: 'shuffle', shufflePartner: partner });
    const pt = new BiasCorrectedSource(data.table, 'panzeri-treves');
    const repaired = new BiasCorrectedSource(
      estimationData(discretize([x1, Array.from(partner, (s) => x2[s]), y])).table,
      'panzeri-treves',
    );
    const expected =
      pt.mutualInformation([0, 1], [2]) +
      repaired.conditionalEntropy([0, 1], [2]) -
      pt.conditionalEntropy([0], [2]) -
      pt.conditionalEntropy([1], [2]);
    expect(viaPairing).toBeCloseTo(expected, 12);
  });
  it('refuses a given pairing that is not a permutation within the modes, or comes without the samples', () => {
    const data = estimationData(discretize([x1, x2, y]));
    const measure = (s: Parameters<typeof mutualInformation>[0]) => mutualInformation(s, [0, 1], [2]);
    const repeated = new Int32Array(y.length);
    expect(() => estimate(data, measure, { estimator: 'shuffle', shufflePartner: repeated })).toThrow(/not a permutation/);
    expect(() => estimate(data, measure, { estimator: 'shuffle', shufflePartner: new Int32Array(3) })).toThrow(/3 partners for 120 samples/);
    // The pairing that reverses the samples crosses modes somewhere.
    const reversed = Int32Array.from(y, (_, s) => y.length - 1 - s);
    expect(() => estimate(data, measure, { estimator: 'shuffle', shufflePartner: reversed })).toThrow(/another value of the condition/);
    const identity = Int32Array.from(y, (_, s) => s);
    expect(() => estimate({ table: data.table }, measure, { estimator: 'shuffle', shufflePartner: identity })).toThrow(/samples in order/);
  });
});

describe('every estimator', () => {
  it.each(ESTIMATORS)('%s: zero information for a constant mode, finite values otherwise', (estimator) => {
    const [x1, x2] = randomSamples(40, 48);
    const constant = x1.map(() => 0);
    const data = estimationData(discretize([x1, x2, constant]));
    const pair = estimate(data, (s) => ({ ...pairSynergy(s, 0, 1, 2) }), { estimator, seed: 2 });
    expect(Math.abs(pair.ia)).toBeLessThan(1e-12);
    expect(Math.abs(pair.ib)).toBeLessThan(1e-12);
    // I_sh's joint term carries H_sh(R|S) − H_ind(R|S), an estimate of zero with its own
    // sampling noise, so it is near zero rather than exactly zero; every other estimator gives 0.
    expect(Math.abs(pair.joint)).toBeLessThan(estimator === 'shuffle' ? 0.05 : 1e-12);
    const [a, b, y] = randomSamples(41, 48);
    const other = estimate(estimationData(discretize([a, b, y])), (s) => ({ ...pairSynergy(s, 0, 1, 2) }), {
      estimator,
      seed: 2,
    });
    for (const value of Object.values(other)) expect(Number.isFinite(value)).toBe(true);
  });
});
