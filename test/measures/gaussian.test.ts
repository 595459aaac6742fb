import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  InvalidSamplesError,
  SingularCovarianceError,
  copulaDualTotalCorrelation,
  copulaEntropy,
  copulaMutualInformation,
  copulaNormalize,
  copulaOInformation,
  copulaTotalCorrelation,
  covarianceLog2Determinant,
  gaussianDualTotalCorrelation,
  gaussianDualTotalCorrelationFromCovariance,
  gaussianEntropy,
  gaussianEntropyFromCovariance,
  gaussianMutualInformation,
  gaussianMutualInformationFromCovariance,
  gaussianOInformation,
  gaussianOInformationFromCovariance,
  gaussianTotalCorrelation,
  gaussianTotalCorrelationFromCovariance,
  sampleCovariance,
} from '../../src/measures/gaussian/index.ts';

// ---------------------------------------------------------------------------
// Independent reference code: plain arrays, no ml-matrix.

type Rows = number[][];

/** Determinant by Laplace (cofactor) expansion along the first row. */
function cofactorDeterminant(rows: Rows): number {
  const size = rows.length;
  if (size === 0) return 1;
  if (size === 1) return rows[0][0];
  let determinant = 0;
  for (let column = 0; column < size; column++) {
    const minor = rows.slice(1).map((row) => row.filter((_, j) => j !== column));
    const sign = column % 2 === 0 ? 1 : -1;
    determinant += sign * rows[0][column] * cofactorDeterminant(minor);
  }
  return determinant;
}

function block(rows: Rows, indices: number[]): Rows {
  return indices.map((i) => indices.map((j) => rows[i][j]));
}

/** ½ log₂((2πe)^k det Σ_S), straight from the definition. */
function referenceEntropyBits(rows: Rows, indices: number[]): number {
  const k = indices.length;
  return 0.5 * Math.log2((2 * Math.PI * Math.E) ** k * cofactorDeterminant(block(rows, indices)));
}

function range(count: number, from = 0): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function referenceTotalCorrelationBits(rows: Rows): number {
  const product = rows.reduce((acc, row, i) => acc * row[i], 1);
  return 0.5 * Math.log2(product / cofactorDeterminant(rows));
}

function referenceDualTotalCorrelationBits(rows: Rows): number {
  const k = rows.length;
  const all = range(k);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += referenceEntropyBits(rows, all.filter((i) => i !== j));
  return sum - (k - 1) * referenceEntropyBits(rows, all);
}

/** mulberry32: a tiny seeded uniform generator on [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box–Muller on mulberry32. */
function gaussianGenerator(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** N samples of X = A·Z (Z standard normal), as columns; Cov X = A Aᵀ. */
function mixedGaussianColumns(mixing: Rows, sampleCount: number, seed: number): Float64Array[] {
  const normal = gaussianGenerator(seed);
  const k = mixing.length;
  const sources = mixing[0].length;
  const columns = range(k).map(() => new Float64Array(sampleCount));
  const z = new Float64Array(sources);
  for (let n = 0; n < sampleCount; n++) {
    for (let s = 0; s < sources; s++) z[s] = normal();
    for (let i = 0; i < k; i++) {
      let value = 0;
      for (let s = 0; s < sources; s++) value += mixing[i][s] * z[s];
      columns[i][n] = value;
    }
  }
  return columns;
}

function timesTranspose(a: Rows): Rows {
  return a.map((rowI) => a.map((rowJ) => rowI.reduce((sum, v, s) => sum + v * rowJ[s], 0)));
}

/** Unbiased sample covariance written out independently of the module. */
function referenceCovariance(columns: ArrayLike<number>[]): Rows {
  const n = columns[0].length;
  const means = columns.map((c) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += c[i];
    return sum / n;
  });
  return columns.map((ci, i) =>
    columns.map((cj, j) => {
      let sum = 0;
      for (let s = 0; s < n; s++) sum += (ci[s] - means[i]) * (cj[s] - means[j]);
      return sum / (n - 1);
    }),
  );
}

function mapColumn(column: ArrayLike<number>, f: (v: number) => number): Float64Array {
  return Float64Array.from(Array.from(column, f));
}

function permuteJointly(columns: ArrayLike<number>[], seed: number): Float64Array[] {
  const uniform = mulberry32(seed);
  const n = columns[0].length;
  const order = range(n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return columns.map((c) => Float64Array.from(order, (i) => c[i]));
}

function expectSingular(run: () => unknown, dependentVariable?: number): SingularCovarianceError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SingularCovarianceError);
  const error = caught as SingularCovarianceError;
  expect(error.code).toBe('SINGULAR_COVARIANCE');
  if (dependentVariable !== undefined) {
    expect(error.dependentVariable).toBe(dependentVariable);
    expect(error.message).toContain(`variable ${dependentVariable}`);
  }
  return error;
}

// A hand-chosen 4×4 covariance; positive definite (checked below).
const HAND_COVARIANCE: Rows = [
  [4, 2, 0.6, -1],
  [2, 3, 0.5, 0.4],
  [0.6, 0.5, 2, 0.7],
  [-1, 0.4, 0.7, 1.5],
];

// Three unit-variance variables, every correlation ½: the doc examples.
const EQUICORRELATED: Rows = [
  [1, 0.5, 0.5],
  [0.5, 1, 0.5],
  [0.5, 0.5, 1],
];

// ---------------------------------------------------------------------------

describe('Gaussian measures from a known covariance', () => {
  it('bivariate mutual information is −½ log₂(1 − ρ²), whatever the variances', () => {
    for (const rho of [0, 0.1, 0.5, -0.7, 0.9, 0.999]) {
      for (const [sd1, sd2] of [
        [1, 1],
        [2, 0.3],
        [1e3, 1e-3],
      ]) {
        const covariance = new Matrix([
          [sd1 * sd1, rho * sd1 * sd2],
          [rho * sd1 * sd2, sd2 * sd2],
        ]);
        const expected = -0.5 * Math.log2(1 - rho * rho);
        expect(Math.abs(gaussianMutualInformationFromCovariance(covariance, [0], [1]) - expected)).toBeLessThan(1e-9);
        expect(Math.abs(gaussianMutualInformationFromCovariance(covariance, [1], [0]) - expected)).toBeLessThan(1e-9);
        // For two variables TC = I and DTC = I, so Ω = 0.
        expect(Math.abs(gaussianTotalCorrelationFromCovariance(covariance) - expected)).toBeLessThan(1e-9);
        expect(Math.abs(gaussianDualTotalCorrelationFromCovariance(covariance) - expected)).toBeLessThan(1e-9);
        expect(Math.abs(gaussianOInformationFromCovariance(covariance))).toBeLessThan(1e-9);
      }
    }
  });

  it('the hand-chosen covariance is positive definite (leading minors > 0)', () => {
    for (let k = 1; k <= 4; k++) expect(cofactorDeterminant(block(HAND_COVARIANCE, range(k)))).toBeGreaterThan(0);
  });

  it('entropy, TC, DTC, Ω and block MI match independent cofactor-determinant code (4×4)', () => {
    const covariance = new Matrix(HAND_COVARIANCE);
    const all = range(4);
    expect(Math.abs(gaussianEntropyFromCovariance(covariance) - referenceEntropyBits(HAND_COVARIANCE, all))).toBeLessThan(1e-9);
    expect(
      Math.abs(covarianceLog2Determinant(covariance, all) - Math.log2(cofactorDeterminant(HAND_COVARIANCE))),
    ).toBeLessThan(1e-9);

    const tc = referenceTotalCorrelationBits(HAND_COVARIANCE);
    const dtc = referenceDualTotalCorrelationBits(HAND_COVARIANCE);
    expect(tc).toBeGreaterThan(0.1); // a non-trivial case
    expect(Math.abs(gaussianTotalCorrelationFromCovariance(covariance) - tc)).toBeLessThan(1e-9);
    expect(Math.abs(gaussianDualTotalCorrelationFromCovariance(covariance) - dtc)).toBeLessThan(1e-9);
    expect(Math.abs(gaussianOInformationFromCovariance(covariance) - (tc - dtc))).toBeLessThan(1e-9);

    const mi =
      0.5 *
      Math.log2(
        (cofactorDeterminant(block(HAND_COVARIANCE, [0, 1])) * cofactorDeterminant(block(HAND_COVARIANCE, [2, 3]))) /
          cofactorDeterminant(HAND_COVARIANCE),
      );
    expect(Math.abs(gaussianMutualInformationFromCovariance(covariance, [0, 1], [2, 3]) - mi)).toBeLessThan(1e-9);
  });

  it('indices select a sub-vector: measures on [3, 0, 2] equal those of that 3×3 block', () => {
    const covariance = new Matrix(HAND_COVARIANCE);
    const indices = [3, 0, 2];
    const sub = block(HAND_COVARIANCE, indices);
    expect(Math.abs(gaussianTotalCorrelationFromCovariance(covariance, indices) - referenceTotalCorrelationBits(sub))).toBeLessThan(1e-9);
    expect(
      Math.abs(gaussianDualTotalCorrelationFromCovariance(covariance, indices) - referenceDualTotalCorrelationBits(sub)),
    ).toBeLessThan(1e-9);
    expect(
      Math.abs(
        gaussianOInformationFromCovariance(covariance, indices) -
          (referenceTotalCorrelationBits(sub) - referenceDualTotalCorrelationBits(sub)),
      ),
    ).toBeLessThan(1e-9);
  });

  it('reproduces the worked examples in the doc comments', () => {
    const covariance = new Matrix(EQUICORRELATED);
    expect(gaussianEntropyFromCovariance(new Matrix([[1]]))).toBeCloseTo(2.047095585180641, 14);
    expect(gaussianEntropyFromCovariance(covariance, [0, 1])).toBeCloseTo(3.8866724207218603, 14);
    expect(gaussianMutualInformationFromCovariance(covariance, [0], [1])).toBeCloseTo(0.20751874963942191, 14);
    expect(gaussianTotalCorrelationFromCovariance(covariance)).toBeCloseTo(0.5, 14);
    expect(gaussianDualTotalCorrelationFromCovariance(covariance)).toBeCloseTo(0.37744375108173427, 14);
    expect(gaussianOInformationFromCovariance(covariance)).toBeCloseTo(0.12255624891826573, 14);
    expect(covarianceLog2Determinant(covariance, [0, 1])).toBeCloseTo(-0.4150374992788438, 14);
    expect(sampleCovariance([[1, 2, 3], [2, 4, 7]]).to2DArray()).toEqual([
      [1, 2.5],
      [2.5, 19 / 3],
    ]);
    expect(gaussianEntropyFromCovariance(covariance, [])).toBe(0);
  });

  it('for three variables Ω is the co-information I(X1;X2) − I(X1;X2|X3)', () => {
    const covariance = new Matrix(block(HAND_COVARIANCE, [0, 1, 3]));
    const mi12 = gaussianMutualInformationFromCovariance(covariance, [0], [1]);
    // Chain rule: I(X1;X2|X3) = I(X1;X2,X3) − I(X1;X3).
    const mi12given3 =
      gaussianMutualInformationFromCovariance(covariance, [0], [1, 2]) -
      gaussianMutualInformationFromCovariance(covariance, [0], [2]);
    expect(Math.abs(gaussianOInformationFromCovariance(covariance) - (mi12 - mi12given3))).toBeLessThan(1e-12);
  });

  it('identities hold on random positive-definite covariances (SCIENCE.md)', () => {
    const matrixArbitrary = fc
      .integer({ min: 2, max: 6 })
      .chain((k) =>
        fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: k, maxLength: k }), {
          minLength: k,
          maxLength: k,
        }),
      );
    fc.assert(
      fc.property(matrixArbitrary, (a) => {
        const k = a.length;
        const rows = timesTranspose(a).map((row, i) => row.map((v, j) => (i === j ? v + 0.1 : v)));
        const covariance = new Matrix(rows);
        const all = range(k);
        const h = (indices: number[]) => gaussianEntropyFromCovariance(covariance, indices);
        const tc = gaussianTotalCorrelationFromCovariance(covariance);
        const dtc = gaussianDualTotalCorrelationFromCovariance(covariance);
        const omega = gaussianOInformationFromCovariance(covariance);
        // Ω = (k−2) H(X) + Σ_j [H(X_j) − H(X_−j)]
        let alternative = (k - 2) * h(all);
        for (let j = 0; j < k; j++) alternative += h([j]) - h(all.filter((i) => i !== j));
        expect(Math.abs(omega - alternative)).toBeLessThan(1e-9);
        expect(tc).toBeGreaterThan(-1e-9);
        expect(dtc).toBeGreaterThan(-1e-9);
        // I(X_first; X_rest) is symmetric and equals the matching TC split.
        const first = [0];
        const rest = all.slice(1);
        const mi = gaussianMutualInformationFromCovariance(covariance, first, rest);
        expect(Math.abs(mi - gaussianMutualInformationFromCovariance(covariance, rest, first))).toBeLessThan(1e-9);
        expect(Math.abs(tc - (mi + gaussianTotalCorrelationFromCovariance(covariance, rest)))).toBeLessThan(1e-9);
        expect(Math.abs(tc - referenceTotalCorrelationBits(rows))).toBeLessThan(1e-6);
        // The bias correction acts on each entropy, so the identity holds for corrected values too.
        const corrected = { sampleCount: 50 };
        const hc = (indices: number[]) => gaussianEntropyFromCovariance(covariance, indices, corrected);
        let correctedAlternative = (k - 2) * hc(all);
        for (let j = 0; j < k; j++) correctedAlternative += hc([j]) - hc(all.filter((i) => i !== j));
        expect(Math.abs(gaussianOInformationFromCovariance(covariance, all, corrected) - correctedAlternative)).toBeLessThan(1e-9);
      }),
      { numRuns: 200, seed: 20240611 },
    );
  });
});

describe('Gaussian measures from samples', () => {
  const mixing: Rows = [
    [1, 0, 0, 0],
    [0.8, 0.6, 0, 0],
    [0.3, -0.5, 0.9, 0],
    [0.5, 0.5, 0.5, 0.7],
  ];
  const trueCovariance = new Matrix(timesTranspose(mixing));

  it('equal the covariance-based estimators on the sample covariance (1e-12), corrected for N by default', () => {
    const columns = mixedGaussianColumns(mixing, 500, 1);
    const covariance = new Matrix(referenceCovariance(columns));
    const moduleCovariance = sampleCovariance(columns);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(Math.abs(moduleCovariance.get(i, j) - covariance.get(i, j))).toBeLessThan(1e-12);
      }
    }
    const all = range(4);
    // By default the sample-based forms correct for N = 500; off, they are the plug-in value.
    for (const [sampleOptions, covarianceOptions] of [
      [{}, { sampleCount: 500 }],
      [{ biasCorrection: false }, {}],
    ] as const) {
      expect(
        Math.abs(gaussianEntropy(columns, sampleOptions) - gaussianEntropyFromCovariance(covariance, all, covarianceOptions)),
      ).toBeLessThan(1e-12);
      expect(
        Math.abs(
          gaussianMutualInformation(columns.slice(0, 1), columns.slice(1), sampleOptions) -
            gaussianMutualInformationFromCovariance(covariance, [0], [1, 2, 3], covarianceOptions),
        ),
      ).toBeLessThan(1e-12);
      expect(
        Math.abs(
          gaussianTotalCorrelation(columns, sampleOptions) -
            gaussianTotalCorrelationFromCovariance(covariance, all, covarianceOptions),
        ),
      ).toBeLessThan(1e-12);
      expect(
        Math.abs(
          gaussianDualTotalCorrelation(columns, sampleOptions) -
            gaussianDualTotalCorrelationFromCovariance(covariance, all, covarianceOptions),
        ),
      ).toBeLessThan(1e-12);
      expect(
        Math.abs(
          gaussianOInformation(columns, sampleOptions) -
            gaussianOInformationFromCovariance(covariance, all, covarianceOptions),
        ),
      ).toBeLessThan(1e-12);
    }
  });

  it('are near the truth for large N', () => {
    const columns = mixedGaussianColumns(mixing, 50_000, 2);
    const tolerance = 0.02;
    expect(Math.abs(gaussianTotalCorrelation(columns) - gaussianTotalCorrelationFromCovariance(trueCovariance))).toBeLessThan(tolerance);
    expect(
      Math.abs(gaussianDualTotalCorrelation(columns) - gaussianDualTotalCorrelationFromCovariance(trueCovariance)),
    ).toBeLessThan(tolerance);
    expect(Math.abs(gaussianOInformation(columns) - gaussianOInformationFromCovariance(trueCovariance))).toBeLessThan(tolerance);
    expect(
      Math.abs(
        gaussianMutualInformation(columns.slice(0, 2), columns.slice(2)) -
          gaussianMutualInformationFromCovariance(trueCovariance, [0, 1], [2, 3]),
      ),
    ).toBeLessThan(tolerance);
    // The copula estimate of Gaussian data is close to the Gaussian one.
    expect(Math.abs(copulaTotalCorrelation(columns) - gaussianTotalCorrelationFromCovariance(trueCovariance))).toBeLessThan(0.03);
  });
});

describe('Gaussian-copula measures', () => {
  it('copulaNormalize maps mid-ranks r to Φ⁻¹(r/(N+1))', () => {
    const scores = copulaNormalize([10, 30, 20]);
    expect(scores[0]).toBeCloseTo(-0.6744897501960817, 14);
    expect(scores[1]).toBeCloseTo(0.6744897501960817, 14);
    expect(scores[2]).toBe(0);
    const tied = copulaNormalize([5, 5, 7]);
    expect(tied[0]).toBe(tied[1]);
    expect(tied[0]).toBeCloseTo(-0.31863936396437514, 14); // Φ⁻¹(3/8)
    expect(tied[2]).toBeCloseTo(0.6744897501960817, 14);
    // Ties share a score wherever they sit in the sample order.
    const counts = [3, 0, 3, 1, 0, 3, 2];
    const z = copulaNormalize(counts);
    for (let i = 0; i < counts.length; i++) {
      for (let j = 0; j < counts.length; j++) {
        if (counts[i] === counts[j]) expect(z[i]).toBe(z[j]);
        if (counts[i] < counts[j]) expect(z[i]).toBeLessThan(z[j]);
      }
    }
  });

  const continuous = mixedGaussianColumns(
    [
      [1, 0, 0],
      [0.7, 0.7, 0],
      [0.2, -0.6, 0.8],
    ],
    800,
    3,
  );
  // Integer counts with many ties: thresholded correlated Gaussians.
  const counts = mixedGaussianColumns(
    [
      [1, 0, 0, 0],
      [0.6, 0.8, 0, 0],
      [0.5, 0.3, 0.8, 0],
      [0.4, 0.4, 0.4, 0.7],
    ],
    600,
    4,
  ).map((column) => mapColumn(column, (v) => Math.max(0, Math.floor(2 + 1.5 * v))));

  function allCopulaMeasures(columns: ArrayLike<number>[]): number[] {
    return [
      copulaMutualInformation(columns.slice(0, 1), columns.slice(1)),
      copulaMutualInformation(columns.slice(0, 2), columns.slice(2)),
      copulaTotalCorrelation(columns),
      copulaDualTotalCorrelation(columns),
      copulaOInformation(columns),
      copulaEntropy(columns),
    ];
  }

  function expectAllClose(actual: number[], expected: number[], tolerance: number): void {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(tolerance));
  }

  it('the count data really has ties and a non-trivial dependence', () => {
    expect(new Set(counts[0]).size).toBeLessThan(12);
    expect(copulaTotalCorrelation(counts)).toBeGreaterThan(0.1);
  });

  it('are unchanged by strictly increasing transforms of each column (continuous data)', () => {
    const transformed = [
      mapColumn(continuous[0], Math.exp),
      mapColumn(continuous[1], (v) => v * v * v + v),
      mapColumn(continuous[2], (v) => 7 * v - 3),
    ];
    expectAllClose(allCopulaMeasures(transformed), allCopulaMeasures(continuous), 1e-12);
  });

  it('are unchanged by rank-preserving maps of integer counts with ties', () => {
    const transformed = [
      mapColumn(counts[0], (k) => k * k + 3 * k),
      mapColumn(counts[1], (k) => Math.log1p(k)),
      mapColumn(counts[2], (k) => 100 * k - 7),
      mapColumn(counts[3], (k) => Math.sqrt(k) + k ** 3),
    ];
    expectAllClose(allCopulaMeasures(transformed), allCopulaMeasures(counts), 1e-12);
  });

  it('differ from the Gaussian measures on the raw values (the transform is not the identity)', () => {
    const skewed = continuous.map((c) => mapColumn(c, Math.exp));
    expect(Math.abs(gaussianTotalCorrelation(skewed) - copulaTotalCorrelation(skewed))).toBeGreaterThan(1e-3);
  });

  it('are unchanged by permuting the samples jointly', () => {
    for (const data of [continuous, counts]) {
      expectAllClose(allCopulaMeasures(permuteJointly(data, 99)), allCopulaMeasures(data), 1e-12);
    }
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(Math.abs(copulaOInformation(permuteJointly(counts, seed)) - copulaOInformation(counts))).toBeLessThan(1e-12);
      }),
      { numRuns: 30, seed: 7 },
    );
  });
});

describe('the sign of Ω', () => {
  const noise = 0.1;

  it('is positive for three noisy copies of one signal (redundancy)', () => {
    const variance = 1 + noise * noise;
    const covariance = new Matrix([
      [variance, 1, 1],
      [1, variance, 1],
      [1, 1, variance],
    ]);
    expect(gaussianOInformationFromCovariance(covariance)).toBeGreaterThan(0.5);

    const columns = mixedGaussianColumns(
      [
        [1, noise, 0, 0],
        [1, 0, noise, 0],
        [1, 0, 0, noise],
      ],
      2000,
      5,
    );
    expect(gaussianOInformation(columns)).toBeGreaterThan(0.5);
    expect(copulaOInformation(columns)).toBeGreaterThan(0.5);
  });

  it('is negative for x3 = x1 + x2 + noise with x1, x2 independent (synergy)', () => {
    const covariance = new Matrix([
      [1, 0, 1],
      [0, 1, 1],
      [1, 1, 2 + noise * noise],
    ]);
    expect(gaussianOInformationFromCovariance(covariance)).toBeLessThan(-0.5);

    const columns = mixedGaussianColumns(
      [
        [1, 0, 0],
        [0, 1, 0],
        [1, 1, noise],
      ],
      2000,
      6,
    );
    expect(gaussianOInformation(columns)).toBeLessThan(-0.5);
    expect(copulaOInformation(columns)).toBeLessThan(-0.5);
  });
});

describe('errors', () => {
  const normal = gaussianGenerator(8);
  const x = Float64Array.from(range(50), () => normal());
  const y = Float64Array.from(range(50), () => normal());
  const constant = new Float64Array(50).fill(3);

  it('a constant column gives SINGULAR_COVARIANCE naming it, never NaN', () => {
    expectSingular(() => gaussianTotalCorrelation([x, constant, y]), 1);
    expectSingular(() => gaussianDualTotalCorrelation([x, y, constant]));
    expectSingular(() => gaussianOInformation([constant, x, y]), 0);
    expectSingular(() => gaussianEntropy([constant]), 0);
    expectSingular(() => gaussianMutualInformation([x], [constant]), 1);
    expectSingular(() => copulaMutualInformation([constant], [x]), 0);
    expectSingular(() => copulaOInformation([x, y, constant]));
    expectSingular(() => copulaTotalCorrelation([x, Float64Array.from(constant)]), 1);
  });

  it('an exact linear combination gives SINGULAR_COVARIANCE naming the dependent variable', () => {
    const sum = Float64Array.from(x, (v, i) => v + 2 * y[i]);
    const error = expectSingular(() => gaussianTotalCorrelation([x, y, sum]), 2);
    expect(error.variables).toEqual([0, 1, 2]);
    expect(error.message).toContain('[0, 1]');
    // Rounding often leaves such a pivot tiny but positive, which ml-matrix
    // alone would accept; the relative tolerance must still reject it.
    for (let seed = 10; seed < 40; seed++) {
      const draw = gaussianGenerator(seed);
      const u = Float64Array.from(range(50), () => draw());
      const v = Float64Array.from(range(50), () => draw());
      const combination = Float64Array.from(u, (value, i) => 0.3 * value + 1.7 * v[i]);
      expectSingular(() => gaussianOInformation([u, v, combination]), 2);
    }
  });

  it('a covariance with a zero or negative pivot is singular', () => {
    expectSingular(() => gaussianEntropyFromCovariance(new Matrix([[0]])), 0);
    expectSingular(
      () =>
        gaussianMutualInformationFromCovariance(
          new Matrix([
            [1, 1, 0],
            [1, 1, 0],
            [0, 0, 1],
          ]),
          [2],
          [0, 1],
        ),
      1,
    );
    expectSingular(() => gaussianTotalCorrelationFromCovariance(new Matrix([[1, 2], [2, 1]])), 1);
  });

  it('bad samples give INVALID_SAMPLES', () => {
    for (const run of [
      () => sampleCovariance([]),
      () => sampleCovariance([[1]]),
      () => sampleCovariance([[1, 2, 3], [1, 2]]),
      () => gaussianTotalCorrelation([[1, 2, Number.NaN], [1, 2, 3]]),
      () => copulaNormalize([1, Infinity]),
    ]) {
      expect(run).toThrow(InvalidSamplesError);
      try {
        run();
      } catch (error) {
        expect((error as InvalidSamplesError).code).toBe('INVALID_SAMPLES');
      }
    }
  });

  it('bad indices and overlapping blocks are RangeErrors', () => {
    const covariance = new Matrix(EQUICORRELATED);
    expect(() => gaussianEntropyFromCovariance(covariance, [0, 3])).toThrow(RangeError);
    expect(() => gaussianEntropyFromCovariance(covariance, [1, 1])).toThrow(RangeError);
    expect(() => gaussianMutualInformationFromCovariance(covariance, [0, 1], [1, 2])).toThrow(RangeError);
    expect(() => gaussianEntropyFromCovariance(new Matrix([[1, 0.5], [0.2, 1]]))).toThrow(RangeError);
  });
});
