import { gaussianEntropyBiasBits } from '../measures/gaussian/gaussianEntropyBias.ts';
import { copulaNormalize } from '../measures/gaussian/gaussianCopula.ts';

/**
 * Every pair's Gaussian-copula information about the class of a snapshot's
 * rows at once (copulaPairClassInformation of the batch library, for all
 * pairs, from sums kept per class): each neuron's values replaced by the
 * normal scores of their ranks among the labeled rows, then per pair
 * I(X;Y) = H(X) − Σ_m p(m) H(X | m) with Gaussian entropies of the unbiased
 * covariances, bias-corrected per term (gcmi's mi_model_gd).
 *
 * The normal scores and the covariance over all rows do not depend on the
 * labels; only the per-class sums do, so a permutation of the labels costs
 * one pass over the rows (rows × neurons² / 2 products).
 *
 * A neuron that is constant over the rows, or whose most common value fills
 * as many rows as the smallest class has (a class could then be constant
 * under some permutation, and its entropy −∞), is **degenerate**: its pairs
 * are not computed (NaN), and `degenerate` lists it.
 */
export class GaussianSnapshotPairs {
  /** Normal scores, row-major labeled rows × neurons. */
  readonly scores: Float64Array;
  /** Labeled rows, and their classes. */
  readonly rows: number;
  readonly classes: Int32Array;
  readonly classCount: number;
  /** Rows per class. */
  readonly classSizes: Int32Array;
  readonly degenerate: Uint8Array;
  /** log2 of the variance of each neuron, and of the 2 × 2 determinant of each pair, over all rows. */
  private readonly logVariance: Float64Array;
  private readonly logDeterminant: Float64Array;
  /** Σ_m p(m)·bias(k, n_m) − bias(k, N) for k = 1, 2: what the bias correction adds to I. */
  private readonly biasTerm: [number, number];

  constructor(
    values: Float64Array,
    readonly samples: number,
    readonly neurons: number,
    labels: Int32Array,
  ) {
    const labeled: number[] = [];
    for (let s = 0; s < samples; s++) if (labels[s] >= 0) labeled.push(s);
    const n = labeled.length;
    this.rows = n;
    this.classes = Int32Array.from(labeled, (s) => labels[s]);
    this.classCount = Math.max(0, ...this.classes) + 1;
    this.classSizes = new Int32Array(this.classCount);
    for (const m of this.classes) this.classSizes[m]++;
    let smallest = Infinity;
    for (const size of this.classSizes) if (size > 0) smallest = Math.min(smallest, size);
    if (!(smallest > 2)) {
      throw new RangeError(`the Gaussian-copula analysis needs at least 3 rows of each class present, and a class has ${smallest === Infinity ? 0 : smallest}`);
    }
    this.scores = new Float64Array(n * neurons);
    this.degenerate = new Uint8Array(neurons);
    const column = new Float64Array(n);
    for (let c = 0; c < neurons; c++) {
      for (let r = 0; r < n; r++) column[r] = values[labeled[r] * neurons + c];
      // The largest group of equal values.
      const sorted = Float64Array.from(column).sort();
      let largest = 1;
      for (let r = 1, run = 1; r < n; r++) {
        run = sorted[r] === sorted[r - 1] ? run + 1 : 1;
        if (run > largest) largest = run;
      }
      if (largest >= smallest) this.degenerate[c] = 1;
      const z = copulaNormalize(column);
      for (let r = 0; r < n; r++) this.scores[r * neurons + c] = z[r];
    }
    const total = this.classSums(new Int32Array(n));
    const covariance = covarianceOf(total.s1[0], total.s2[0], n, neurons);
    this.logVariance = new Float64Array(neurons);
    this.logDeterminant = new Float64Array((neurons * (neurons - 1)) / 2);
    for (let c = 0; c < neurons; c++) this.logVariance[c] = Math.log2(covariance[c * neurons + c]);
    for (let j = 1, p = 0; j < neurons; j++) {
      for (let i = 0; i < j; i++, p++) this.logDeterminant[p] = log2Determinant(covariance, neurons, i, j);
    }
    const bias: [number, number] = [-gaussianEntropyBiasBits(1, n), -gaussianEntropyBiasBits(2, n)];
    for (let m = 0; m < this.classCount; m++) {
      const size = this.classSizes[m];
      if (size === 0) continue;
      bias[0] += (size / n) * gaussianEntropyBiasBits(1, size);
      bias[1] += (size / n) * gaussianEntropyBiasBits(2, size);
    }
    this.biasTerm = bias;
  }

  /** Per class m, the sums of scores (s1[m], neurons) and of their products (s2[m], neurons², upper triangle) over its rows. */
  private classSums(classes: Int32Array, classCount = 1): { s1: Float64Array[]; s2: Float64Array[] } {
    const N = this.neurons;
    const s1 = Array.from({ length: classCount }, () => new Float64Array(N));
    const s2 = Array.from({ length: classCount }, () => new Float64Array(N * N));
    const z = this.scores;
    for (let r = 0; r < this.rows; r++) {
      const m = classes[r];
      const sum = s1[m];
      const products = s2[m];
      const base = r * N;
      for (let c = 0; c < N; c++) {
        const zc = z[base + c];
        sum[c] += zc;
        const row = c * N;
        for (let d = c; d < N; d++) products[row + d] += zc * z[base + d];
      }
    }
    return { s1, s2 };
  }

  /**
   * Every pair's joint, single and synergy values (bits) with the rows'
   * classes `classes` (the observed ones, or a permutation of them): pair
   * index j(j−1)/2 + i for i < j; NaN for a pair with a degenerate neuron.
   */
  pairs(classes: Int32Array = this.classes): { joint: Float64Array; single: Float64Array; synergy: Float64Array } {
    const N = this.neurons;
    const n = this.rows;
    const sums = this.classSums(classes, this.classCount);
    const conditionalVariance = new Float64Array(N);
    const conditionalDeterminant = new Float64Array((N * (N - 1)) / 2);
    for (let m = 0; m < this.classCount; m++) {
      const size = this.classSizes[m];
      if (size === 0) continue;
      const weight = size / n;
      const covariance = covarianceOf(sums.s1[m], sums.s2[m], size, N);
      for (let c = 0; c < N; c++) conditionalVariance[c] += weight * Math.log2(covariance[c * N + c]);
      for (let j = 1, p = 0; j < N; j++) {
        for (let i = 0; i < j; i++, p++) conditionalDeterminant[p] += weight * log2Determinant(covariance, N, i, j);
      }
    }
    const single = new Float64Array(N);
    for (let c = 0; c < N; c++) single[c] = this.degenerate[c] === 1 ? Number.NaN : 0.5 * (this.logVariance[c] - conditionalVariance[c]) + this.biasTerm[0];
    const joint = new Float64Array(conditionalDeterminant.length);
    const synergy = new Float64Array(conditionalDeterminant.length);
    for (let j = 1, p = 0; j < N; j++) {
      for (let i = 0; i < j; i++, p++) {
        joint[p] = this.degenerate[i] === 1 || this.degenerate[j] === 1 ? Number.NaN : 0.5 * (this.logDeterminant[p] - conditionalDeterminant[p]) + this.biasTerm[1];
        synergy[p] = joint[p] - single[i] - single[j];
        // Collinear neurons (a determinant of 0 over all rows or in a class) have no Gaussian value.
        if (!Number.isFinite(synergy[p])) joint[p] = synergy[p] = Number.NaN;
      }
    }
    return { joint, single, synergy };
  }
}

/** The unbiased covariance (n − 1) from sums over n rows: s2 holds the upper triangle; the result is full. */
function covarianceOf(s1: Float64Array, s2: Float64Array, n: number, N: number): Float64Array {
  const out = new Float64Array(N * N);
  for (let c = 0; c < N; c++) {
    for (let d = c; d < N; d++) {
      const value = (s2[c * N + d] - (s1[c] * s1[d]) / n) / (n - 1);
      out[c * N + d] = value;
      out[d * N + c] = value;
    }
  }
  return out;
}

function log2Determinant(covariance: Float64Array, N: number, i: number, j: number): number {
  const a = covariance[i * N + i];
  const b = covariance[i * N + j];
  const d = covariance[j * N + j];
  return Math.log2(a * d - b * b);
}
