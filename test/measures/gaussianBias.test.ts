import { describe, expect, it } from 'vitest';
import {
  copulaDualTotalCorrelation,
  copulaEntropy,
  copulaMutualInformation,
  copulaOInformation,
  copulaTotalCorrelation,
  gaussianDualTotalCorrelation,
  gaussianDualTotalCorrelationFromCovariance,
  gaussianEntropy,
  gaussianEntropyBiasBits,
  gaussianEntropyFromCovariance,
  gaussianMutualInformation,
  gaussianMutualInformationFromCovariance,
  gaussianOInformation,
  gaussianOInformationFromCovariance,
  gaussianTotalCorrelation,
  gaussianTotalCorrelationFromCovariance,
  sampleCovariance,
} from '../../src/measures/gaussian/index.ts';
import { normalQuantile } from '../../src/math/normalQuantile.ts';
import { mulberry32 } from '../helpers/randomTables.ts';

// ---------------------------------------------------------------------------
// An independent re-implementation of gcmi (robince/gcmi, python `ent_g`,
// `mi_gg`, `copnorm`; brainets/hoi `entropy_gc` for TC/DTC/Ω built term by
// term): plain arrays, its own Cholesky, and ψ at the integers and
// half-integers (N − i)/2 from closed forms, not from src/math/digamma.

const EULER_GAMMA = 0.5772156649015329;

/** ψ(m/2) for an integer m ≥ 1: H_{n−1} − γ at m = 2n, −γ − 2 ln 2 + Σ 2/(2j−1) at m = 2n + 1. */
function digammaOfHalf(m: number): number {
  if (m % 2 === 0) {
    let sum = -EULER_GAMMA;
    for (let j = 1; j < m / 2; j++) sum += 1 / j;
    return sum;
  }
  let sum = -EULER_GAMMA - 2 * Math.LN2;
  for (let j = 1; j <= (m - 1) / 2; j++) sum += 2 / (2 * j - 1);
  return sum;
}

/** gcmi `_bias_correction(n_samples, n_vars)`, in nats. */
function gcmiBiasNats(sampleCount: number, variableCount: number): number {
  const dterm = (Math.LN2 - Math.log(sampleCount - 1)) / 2;
  let psiTerms = 0;
  for (let i = 1; i <= variableCount; i++) psiTerms += digammaOfHalf(sampleCount - i) / 2;
  return variableCount * dterm + psiTerms;
}

/** Σ log L_ii of the Cholesky factor (Cholesky–Banachiewicz). */
function halfLogDeterminant(matrix: number[][]): number {
  const n = matrix.length;
  const lower = matrix.map(() => new Array<number>(n).fill(0));
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = matrix[i][j];
      for (let k = 0; k < j; k++) s -= lower[i][k] * lower[j][k];
      lower[i][j] = i === j ? Math.sqrt(s) : s / lower[j][j];
    }
    sum += Math.log(lower[i][i]);
  }
  return sum;
}

function covarianceRows(columns: ArrayLike<number>[]): number[][] {
  const n = columns[0].length;
  const centered = columns.map((column) => {
    let mean = 0;
    for (let s = 0; s < n; s++) mean += column[s];
    mean /= n;
    return Array.from(column, (v) => v - mean);
  });
  return centered.map((a) =>
    centered.map((b) => {
      let sum = 0;
      for (let s = 0; s < n; s++) sum += a[s] * b[s];
      return sum / (n - 1);
    }),
  );
}

/** gcmi `ent_g(x, biascorrect)`, bits. */
function gcmiEntropy(columns: ArrayLike<number>[], biasCorrect: boolean): number {
  const k = columns.length;
  const n = columns[0].length;
  let nats = halfLogDeterminant(covarianceRows(columns)) + 0.5 * k * (Math.log(2 * Math.PI) + 1);
  if (biasCorrect) nats -= gcmiBiasNats(n, k);
  return nats / Math.LN2;
}

/** gcmi `mi_gg(x, y, biascorrect)`, bits. */
function gcmiMutualInformation(x: ArrayLike<number>[], y: ArrayLike<number>[], biasCorrect: boolean): number {
  const n = x[0].length;
  const joint = covarianceRows([...x, ...y]);
  const blockOf = (from: number, to: number) => joint.slice(from, to).map((row) => row.slice(from, to));
  let hx = halfLogDeterminant(blockOf(0, x.length));
  let hy = halfLogDeterminant(blockOf(x.length, x.length + y.length));
  let hxy = halfLogDeterminant(joint);
  if (biasCorrect) {
    hx -= gcmiBiasNats(n, x.length);
    hy -= gcmiBiasNats(n, y.length);
    hxy -= gcmiBiasNats(n, x.length + y.length);
  }
  return (hx + hy - hxy) / Math.LN2;
}

function without<T>(items: T[], index: number): T[] {
  return items.filter((_, i) => i !== index);
}

/** TC, DTC and Ω from gcmi entropies, each corrected for its own dimension (hoi). */
function gcmiMultivariate(columns: ArrayLike<number>[], biasCorrect: boolean): { tc: number; dtc: number; omega: number } {
  const k = columns.length;
  const h = (subset: ArrayLike<number>[]) => gcmiEntropy(subset, biasCorrect);
  const joint = h(columns);
  let marginals = 0;
  let leaveOneOut = 0;
  for (let j = 0; j < k; j++) {
    marginals += h([columns[j]]);
    leaveOneOut += h(without(columns, j));
  }
  const tc = marginals - joint;
  const dtc = leaveOneOut - (k - 1) * joint;
  return { tc, dtc, omega: tc - dtc };
}

/** gcmi `copnorm`: Φ⁻¹(rank / (N + 1)), ranks 1…N (continuous data: no ties). */
function gcmiCopnorm(column: ArrayLike<number>): Float64Array {
  const n = column.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => column[a] - column[b]);
  const scores = new Float64Array(n);
  order.forEach((sample, rank) => {
    scores[sample] = normalQuantile((rank + 1) / (n + 1));
  });
  return scores;
}

// ---------------------------------------------------------------------------

/** Standard normal draws by Box–Muller on mulberry32. */
function normalColumns(variableCount: number, sampleCount: number, seed: number): Float64Array[] {
  const uniform = mulberry32(seed);
  return Array.from({ length: variableCount }, () =>
    Float64Array.from({ length: sampleCount }, () => {
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      return radius * Math.cos(2 * Math.PI * uniform());
    }),
  );
}

/** k columns mixed so that they are correlated: x_i = z_i + 0.6 z_{i−1} + 0.3 z_0. */
function correlatedColumns(variableCount: number, sampleCount: number, seed: number): Float64Array[] {
  const z = normalColumns(variableCount, sampleCount, seed);
  return z.map((column, i) =>
    Float64Array.from(column, (v, s) => v + (i > 0 ? 0.6 * z[i - 1][s] : 0) + 0.3 * z[0][s]),
  );
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function standardError(values: number[]): number {
  const m = mean(values);
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

const HALF_LOG2_TWO_PI_E = 0.5 * Math.log2(2 * Math.PI * Math.E);

describe('the analytic Gaussian entropy bias', () => {
  it('is the gcmi formula, in bits, and is negative', () => {
    for (const [k, n] of [
      [1, 2],
      [1, 200],
      [3, 4],
      [16, 200],
      [40, 1000],
    ]) {
      const bias = gaussianEntropyBiasBits(k, n);
      expect(Math.abs(bias - gcmiBiasNats(n, k) / Math.LN2)).toBeLessThan(1e-12);
      expect(bias).toBeLessThan(0);
    }
    expect(gaussianEntropyBiasBits(0, 10)).toBe(0);
    expect(gaussianEntropyBiasBits(1, 200)).toBeCloseTo(-0.003630933645951902, 14);
    expect(gaussianEntropyBiasBits(16, 200)).toBeCloseTo(-0.5071472584625877, 13);
  });

  it('equals the mean error of the plug-in entropy over many simulated draws (4 standard errors)', () => {
    // True covariance I: H = k · ½ log₂(2πe).
    for (const [k, n, draws] of [
      [1, 5, 2000],
      [4, 12, 1000],
      [16, 200, 300],
    ]) {
      const errors: number[] = [];
      for (let seed = 0; seed < draws; seed++) {
        errors.push(gaussianEntropy(normalColumns(k, n, 1000 * k + seed), { biasCorrection: false }) - k * HALF_LOG2_TWO_PI_E);
      }
      const analytic = gaussianEntropyBiasBits(k, n);
      const measured = mean(errors);
      expect(Math.abs(measured - analytic)).toBeLessThan(4 * standardError(errors));
      // The bias is resolved, not drowned in noise: it is many standard errors from 0.
      expect(Math.abs(analytic)).toBeGreaterThan(8 * standardError(errors));
    }
  });

  it('k = 16, N = 200 independent Gaussians: plug-in TC ≈ 0.449 bits, corrected TC ≈ 0 (Gaussian and copula)', () => {
    const k = 16;
    const n = 200;
    // E[plug-in TC] = k·b(1, N) − b(k, N) for independent variables.
    const expectedPluginTc = k * gaussianEntropyBiasBits(1, n) - gaussianEntropyBiasBits(k, n);
    expect(expectedPluginTc).toBeCloseTo(0.449, 3);
    for (const estimator of [gaussianTotalCorrelation, copulaTotalCorrelation]) {
      const plugin: number[] = [];
      const corrected: number[] = [];
      for (let seed = 1; seed <= 200; seed++) {
        const columns = normalColumns(k, n, seed);
        const raw = estimator(columns, { biasCorrection: false });
        const byDefault = estimator(columns);
        // The correction is a fixed shift for given k and N.
        expect(Math.abs(raw - byDefault - expectedPluginTc)).toBeLessThan(1e-10);
        plugin.push(raw);
        corrected.push(byDefault);
      }
      // Means over 200 seeds: standard error ≈ 0.004 bits.
      expect(Math.abs(mean(plugin) - expectedPluginTc)).toBeLessThan(4 * standardError(plugin));
      expect(mean(plugin)).toBeGreaterThan(0.43);
      expect(Math.abs(mean(corrected))).toBeLessThan(4 * standardError(corrected));
      expect(Math.abs(mean(corrected))).toBeLessThan(0.015);
    }
  });
});

describe('corrected estimators equal a re-implementation of gcmi (1e-12)', () => {
  const cases: [number, number, number][] = [
    [2, 30, 11],
    [5, 40, 12],
    [16, 200, 13],
  ];

  it.each(cases)('k = %i, N = %i: entropy, MI, TC, DTC, Ω, with and without correction', (k, n, seed) => {
    const columns = correlatedColumns(k, n, seed);
    for (const biasCorrection of [true, false]) {
      const options = { biasCorrection };
      expect(Math.abs(gaussianEntropy(columns, options) - gcmiEntropy(columns, biasCorrection))).toBeLessThan(1e-12);
      const split = Math.max(1, Math.floor(k / 2));
      expect(
        Math.abs(
          gaussianMutualInformation(columns.slice(0, split), columns.slice(split), options) -
            gcmiMutualInformation(columns.slice(0, split), columns.slice(split), biasCorrection),
        ),
      ).toBeLessThan(1e-12);
      const reference = gcmiMultivariate(columns, biasCorrection);
      expect(Math.abs(gaussianTotalCorrelation(columns, options) - reference.tc)).toBeLessThan(1e-12);
      expect(Math.abs(gaussianDualTotalCorrelation(columns, options) - reference.dtc)).toBeLessThan(1e-12);
      expect(Math.abs(gaussianOInformation(columns, options) - reference.omega)).toBeLessThan(1e-12);
    }
  });

  it('the correction is on by default, and the copula versions equal gcmi on copnorm-ed data', () => {
    const columns = correlatedColumns(5, 60, 21);
    expect(gaussianTotalCorrelation(columns)).toBe(gaussianTotalCorrelation(columns, { biasCorrection: true }));
    expect(gaussianTotalCorrelation(columns)).not.toBe(gaussianTotalCorrelation(columns, { biasCorrection: false }));
    const normalized = columns.map(gcmiCopnorm);
    const reference = gcmiMultivariate(normalized, true);
    expect(Math.abs(copulaEntropy(columns) - gcmiEntropy(normalized, true))).toBeLessThan(1e-12);
    expect(
      Math.abs(
        copulaMutualInformation(columns.slice(0, 2), columns.slice(2)) -
          gcmiMutualInformation(normalized.slice(0, 2), normalized.slice(2), true),
      ),
    ).toBeLessThan(1e-12);
    expect(Math.abs(copulaTotalCorrelation(columns) - reference.tc)).toBeLessThan(1e-12);
    expect(Math.abs(copulaDualTotalCorrelation(columns) - reference.dtc)).toBeLessThan(1e-12);
    expect(Math.abs(copulaOInformation(columns) - reference.omega)).toBeLessThan(1e-12);
    const plain = gcmiMultivariate(normalized, false);
    expect(Math.abs(copulaOInformation(columns, { biasCorrection: false }) - plain.omega)).toBeLessThan(1e-12);
  });

  it('…FromCovariance corrects when given the sample count, and only then', () => {
    const columns = correlatedColumns(4, 50, 31);
    const covariance = sampleCovariance(columns);
    const corrected = { sampleCount: 50 };
    const reference = gcmiMultivariate(columns, true);
    const uncorrected = gcmiMultivariate(columns, false);
    expect(Math.abs(gaussianEntropyFromCovariance(covariance, undefined, corrected) - gcmiEntropy(columns, true))).toBeLessThan(1e-12);
    expect(Math.abs(gaussianEntropyFromCovariance(covariance) - gcmiEntropy(columns, false))).toBeLessThan(1e-12);
    expect(Math.abs(gaussianTotalCorrelationFromCovariance(covariance, undefined, corrected) - reference.tc)).toBeLessThan(1e-12);
    expect(Math.abs(gaussianTotalCorrelationFromCovariance(covariance) - uncorrected.tc)).toBeLessThan(1e-12);
    expect(Math.abs(gaussianDualTotalCorrelationFromCovariance(covariance, undefined, corrected) - reference.dtc)).toBeLessThan(1e-12);
    expect(Math.abs(gaussianOInformationFromCovariance(covariance, undefined, corrected) - reference.omega)).toBeLessThan(1e-12);
    expect(
      Math.abs(
        gaussianMutualInformationFromCovariance(covariance, [0], [1, 2, 3], corrected) -
          gcmiMutualInformation(columns.slice(0, 1), columns.slice(1), true),
      ),
    ).toBeLessThan(1e-12);
  });

  it('a sample count that cannot carry a correction is a RangeError', () => {
    const covariance = sampleCovariance(correlatedColumns(3, 10, 41));
    expect(() => gaussianEntropyFromCovariance(covariance, undefined, { sampleCount: 3 })).toThrow(RangeError);
    expect(() => gaussianTotalCorrelationFromCovariance(covariance, undefined, { sampleCount: 10.5 })).toThrow(RangeError);
    expect(() => gaussianEntropyBiasBits(-1, 10)).toThrow(RangeError);
  });
});
