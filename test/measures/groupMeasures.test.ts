import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { estimate } from '../../src/estimators/estimate.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { gaussianClassInformation } from '../../src/measures/gaussian/gaussianClassInformation.ts';
import { copulaNormalize } from '../../src/measures/gaussian/gaussianCopula.ts';
import {
  copulaGroupMeasures,
  gaussianGroupMeasuresFromCovariances,
  log2DeterminantsWithLeaveOneOut,
} from '../../src/measures/gaussian/gaussianGroupMeasures.ts';
import {
  SingularCovarianceError,
  covarianceLog2Determinant,
  gaussianDualTotalCorrelationFromCovariance,
  gaussianOInformationFromCovariance,
  gaussianTotalCorrelationFromCovariance,
  sampleCovariance,
} from '../../src/measures/gaussian/index.ts';
import { groupMeasures } from '../../src/measures/groupMeasures.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

function normals(random: SeededRandom, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - random.next();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  }
  return out;
}

describe('discrete group measures', () => {
  it('give the worked parity values: synergy 1, ∂_YΩ −2, Ω 0', () => {
    const columns: number[][] = [[], [], [], []];
    for (let code = 0; code < 8; code++) {
      const x = [code & 1, (code >> 1) & 1, (code >> 2) & 1];
      [...x, x[0] ^ x[1] ^ x[2]].forEach((value, v) => columns[v].push(value));
    }
    const samples = discretize(columns);
    const value = estimate(estimationData(samples), (source) => groupMeasures(source, [0, 1, 2], 3), { estimator: 'plugin' });
    expect(value.synergy).toBeCloseTo(1, 12);
    expect(value.doinfo_y).toBeCloseTo(-2, 12);
    expect(value.oinfo).toBeCloseTo(0, 12);
    expect(value.sinfo).toBeCloseTo(value.tc + value.dtc, 12);
  });
});

describe('leave-one-out log-determinants', () => {
  it('equal a Cholesky of each minor', () => {
    const random = new SeededRandom(3, 'ldet');
    const k = 7;
    const columns = Array.from({ length: k }, () => normals(random, 50));
    for (let j = 1; j < k; j++) for (let n = 0; n < 50; n++) columns[j][n] += 0.5 * columns[j - 1][n];
    const cov = sampleCovariance(columns);
    const flat = Float64Array.from(cov.to1DArray());
    const out = new Float64Array(k);
    const whole = log2DeterminantsWithLeaveOneOut(flat, k, out);
    const all = [...Array(k).keys()];
    expect(whole).toBeCloseTo(covarianceLog2Determinant(cov, all), 10);
    for (let j = 0; j < k; j++) expect(out[j]).toBeCloseTo(covarianceLog2Determinant(cov, all.filter((v) => v !== j)), 10);
  });

  it('refuse a singular covariance', () => {
    const flat = Float64Array.from([1, 1, 1, 1]);
    expect(() => log2DeterminantsWithLeaveOneOut(flat, 2, new Float64Array(2))).toThrow(SingularCovarianceError);
  });
});

describe('Gaussian group measures from covariances', () => {
  it('match the closed form for a known covariance (every correlation ½)', () => {
    const matrix = Float64Array.from([1, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 1]);
    const value = gaussianGroupMeasuresFromCovariances({ matrix, samples: 100 }, [{ matrix, samples: 100 }], 3, false);
    expect(value.tc).toBeCloseTo(0.5, 12);
    expect(value.oinfo).toBeCloseTo(0.12255624891826573, 12);
    expect(value.dtc).toBeCloseTo(1 + 1.5 * Math.log2(0.75), 12);
    // One class equal to the whole: Y carries nothing.
    expect(value.synergy).toBeCloseTo(0, 12);
    expect(value.doinfo_y).toBeCloseTo(0, 12);
  });

  it('equal the library TC, DTC, Ω (bias-corrected) and the class informations of gcmi’s model', () => {
    const random = new SeededRandom(11, 'group-gauss');
    const n = 400;
    const k = 5;
    const classes = Int32Array.from({ length: n }, () => random.nextInt(3));
    const columns = Array.from({ length: k }, () => normals(random, n));
    for (let s = 0; s < n; s++) {
      columns[1][s] += 0.6 * columns[0][s] + (classes[s] === 1 ? 0.8 : 0);
      columns[2][s] += classes[s] === 2 ? columns[3][s] : -columns[3][s];
    }
    const scores = columns.map((column) => copulaNormalize(column));
    const value = copulaGroupMeasures(columns, classes);
    const cov = sampleCovariance(scores);
    const options = { sampleCount: n };
    expect(value.tc).toBeCloseTo(gaussianTotalCorrelationFromCovariance(cov, undefined, options), 9);
    expect(value.dtc).toBeCloseTo(gaussianDualTotalCorrelationFromCovariance(cov, undefined, options), 9);
    expect(value.oinfo).toBeCloseTo(gaussianOInformationFromCovariance(cov, undefined, options), 9);
    const info = (vars: number[]) => gaussianClassInformation(vars.map((v) => scores[v]), classes);
    const all = [...Array(k).keys()];
    let singles = 0;
    for (const v of all) singles += info([v]);
    expect(value.synergy).toBeCloseTo(info(all) - singles, 9);
    let without = 0;
    for (const j of all) without += info(all.filter((v) => v !== j));
    expect(value.doinfo_y).toBeCloseTo(without - (k - 1) * info(all), 9);
    expect(value.synergy).toBeGreaterThan(0.1);
  });

  it('under the copula are invariant to monotone transforms of each column', () => {
    const random = new SeededRandom(5, 'group-monotone');
    const n = 300;
    const classes = Int32Array.from({ length: n }, () => random.nextInt(2));
    const columns = Array.from({ length: 4 }, () => normals(random, n));
    for (let s = 0; s < n; s++) columns[3][s] += classes[s] * columns[0][s];
    const transformed = [columns[0].map(Math.exp), columns[1].map((v) => v ** 3), columns[2].map((v) => 5 * v - 2), columns[3].map(Math.atan)];
    const a = copulaGroupMeasures(columns, classes);
    const b = copulaGroupMeasures(transformed, classes);
    for (const key of Object.keys(a) as (keyof typeof a)[]) expect(b[key]).toBeCloseTo(a[key], 12);
  });

  it('Ω of a known Gaussian: plug-in from an exact covariance equals TC − DTC of the Matrix functions', () => {
    const matrix = new Matrix([
      [2, 0.3, -0.4, 0.1],
      [0.3, 1, 0.2, 0],
      [-0.4, 0.2, 1.5, 0.7],
      [0.1, 0, 0.7, 1.2],
    ]);
    const value = gaussianGroupMeasuresFromCovariances({ matrix: Float64Array.from(matrix.to1DArray()), samples: 10 }, [], 4, false);
    expect(value.oinfo).toBeCloseTo(gaussianOInformationFromCovariance(matrix), 12);
  });
});
