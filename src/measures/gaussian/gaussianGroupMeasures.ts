import type { GroupMeasures } from '../groupMeasures.ts';
import { copulaNormalize } from './gaussianCopula.ts';
import { InvalidSamplesError, SingularCovarianceError, sampleCovariance } from './covariance.ts';
import { LOG2_TWO_PI_E } from './gaussianEntropy.ts';
import { gaussianEntropyBiasBits } from './gaussianEntropyBias.ts';

/** A covariance of k variables, row-major k×k, normalized by `samples` − 1. */
export interface SampleCovariance {
  readonly matrix: Float64Array;
  readonly samples: number;
}

/**
 * log₂ det Σ and, for every variable j, log₂ det Σ_{−j} (Σ without row and
 * column j), from one Cholesky factorization Σ = L Lᵀ:
 * log₂ det Σ = 2 Σ log₂ L_ii, and det Σ_{−j} = det Σ · (Σ⁻¹)_jj (the cofactor
 * of a diagonal entry), with (Σ⁻¹)_jj = Σ_i (L⁻¹)_ij². One O(k³) pass instead
 * of k + 1 factorizations: what makes Ω and ∂_YΩ of a 32-unit group
 * affordable under 99 surrogates every hop.
 *
 * `scratch` (k² values) is overwritten. Pivots at or below the same rounding
 * tolerance covarianceLog2Determinant uses throw SingularCovarianceError.
 */
export function log2DeterminantsWithLeaveOneOut(
  covariance: Float64Array,
  k: number,
  leaveOneOut: Float64Array,
  scratch: Float64Array = new Float64Array(k * k),
): number {
  const l = scratch;
  const tolerance = 64 * Number.EPSILON * k;
  let log2Determinant = 0;
  for (let i = 0; i < k; i++) {
    const rowI = i * k;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * k;
      let sum = 0.5 * (covariance[rowI + j] + covariance[rowJ + i]);
      for (let p = 0; p < j; p++) sum -= l[rowI + p] * l[rowJ + p];
      if (i === j) {
        const variance = covariance[rowI + i];
        if (!(variance > 0) || !(sum > tolerance * variance) || !Number.isFinite(sum)) {
          throw new SingularCovarianceError(Array.from({ length: k }, (_, v) => v), i);
        }
        const pivot = Math.sqrt(sum);
        l[rowI + i] = pivot;
        log2Determinant += Math.log2(sum);
      } else {
        l[rowI + j] = sum / l[rowJ + j];
      }
    }
  }
  // (Σ⁻¹)_jj = Σ_i (L⁻¹)_ij²: column j of L⁻¹ solves L x = e_j (x_i = 0 for i < j), into the upper triangle of l (unused by L).
  for (let j = 0; j < k; j++) {
    let inverseDiagonal = 0;
    const xj = 1 / l[j * k + j];
    // x_i kept in l[j * k + i] for i > j: row j's entries beyond the diagonal are free.
    inverseDiagonal += xj * xj;
    const rowJ = j * k;
    for (let i = j + 1; i < k; i++) {
      const rowI = i * k;
      let sum = -l[rowI + j] * xj;
      for (let p = j + 1; p < i; p++) sum -= l[rowI + p] * l[rowJ + p];
      const x = sum / l[rowI + i];
      l[rowJ + i] = x;
      inverseDiagonal += x * x;
    }
    leaveOneOut[j] = log2Determinant + Math.log2(inverseDiagonal);
  }
  return log2Determinant;
}


/** Gaussian entropy (bits) of `variables` variables with log₂ det Σ given, bias-corrected for `samples` when asked. */
function entropyBits(variables: number, log2Determinant: number, samples: number, biasCorrection: boolean): number {
  const entropy = 0.5 * (variables * LOG2_TWO_PI_E + log2Determinant);
  return biasCorrection ? entropy - gaussianEntropyBiasBits(variables, samples) : entropy;
}

/** What a Gaussian group measure needs of one covariance: H(S), H(S−j) for each j, H(X_i) for each i (bits). */
export interface CovarianceEntropies {
  whole: number;
  withoutEach: Float64Array;
  single: Float64Array;
}

function entropiesOf(covariance: SampleCovariance, k: number, biasCorrection: boolean, scratch: Float64Array, minimumVariance: number): CovarianceEntropies {
  for (let j = 0; j < k; j++) {
    if (!(covariance.matrix[j * k + j] > minimumVariance)) throw new SingularCovarianceError(Array.from({ length: k }, (_, v) => v), j);
  }
  const leaveOneOut = new Float64Array(k);
  const log2Determinant = log2DeterminantsWithLeaveOneOut(covariance.matrix, k, leaveOneOut, scratch);
  const n = covariance.samples;
  const withoutEach = new Float64Array(k);
  const single = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    withoutEach[j] = entropyBits(k - 1, leaveOneOut[j], n, biasCorrection);
    single[j] = entropyBits(1, Math.log2(covariance.matrix[j * k + j]), n, biasCorrection);
  }
  return { whole: entropyBits(k, log2Determinant, n, biasCorrection), withoutEach, single };
}

/** The entropies of all samples (H(S), H(S−j), H(X_i)) from their covariance. */
export function overallEntropies(total: SampleCovariance, k: number, biasCorrection = true, minimumVariance = 0): CovarianceEntropies {
  return entropiesOf(total, k, biasCorrection, new Float64Array(k * k), minimumVariance);
}

/**
 * The conditional entropies Σ_m (N_m/N) H(· | Y = m) of H(S), each H(S−j)
 * and each H(X_i), N = Σ N_m over the classes given.
 */
export function conditionalEntropies(classes: readonly SampleCovariance[], k: number, biasCorrection = true, minimumVariance = 0): CovarianceEntropies {
  const scratch = new Float64Array(k * k);
  const result: CovarianceEntropies = { whole: 0, withoutEach: new Float64Array(k), single: new Float64Array(k) };
  let classSamples = 0;
  for (const c of classes) classSamples += c.samples;
  for (const c of classes) {
    if (c.samples === 0) continue;
    // N_m − 1 < k centered samples span fewer than k dimensions: singular whatever rounding says.
    if (c.samples <= k) throw new RangeError(`a class of ${c.samples} samples cannot give the covariance of ${k} variables (it needs more than ${k})`);
    const weight = c.samples / classSamples;
    const within = entropiesOf(c, k, biasCorrection, scratch, minimumVariance);
    result.whole += weight * within.whole;
    for (let j = 0; j < k; j++) {
      result.withoutEach[j] += weight * within.withoutEach[j];
      result.single[j] += weight * within.single[j];
    }
  }
  return result;
}

/**
 * GroupMeasures from the entropies of all samples and the conditional ones
 * (the last two measures are 0 when `conditional` is undefined: no classes).
 */
export function groupMeasuresFromEntropies(overall: CovarianceEntropies, conditional: CovarianceEntropies | undefined, k: number): GroupMeasures {
  let sumSingle = 0;
  let sumWithout = 0;
  for (let j = 0; j < k; j++) {
    sumSingle += overall.single[j];
    sumWithout += overall.withoutEach[j];
  }
  const tc = sumSingle - overall.whole;
  const dtc = sumWithout - (k - 1) * overall.whole;
  let synergy = 0;
  let gradient = 0;
  if (conditional !== undefined) {
    const informationWhole = overall.whole - conditional.whole;
    let sumSingleInformation = 0;
    let sumWithoutInformation = 0;
    for (let j = 0; j < k; j++) {
      sumSingleInformation += overall.single[j] - conditional.single[j];
      sumWithoutInformation += overall.withoutEach[j] - conditional.withoutEach[j];
    }
    synergy = informationWhole - sumSingleInformation;
    gradient = sumWithoutInformation - (k - 1) * informationWhole;
  }
  return { oinfo: tc - dtc, tc, dtc, sinfo: tc + dtc, synergy, doinfo_y: gradient };
}

/**
 * GroupMeasures of k ≥ 2 continuous variables about a discrete mode Y under
 * a Gaussian model, from the covariance of all samples (`total`, N samples)
 * and the within-class covariances (`classes`, N_m samples each, class means
 * removed):
 *
 * - H(X_A) = ½ log₂((2πe)^|A| det Σ_A) (Cover & Thomas Thm 8.4.1), each term
 *   bias-corrected for its own sample count when `biasCorrection` (Ince et al.
 *   2017, gcmi `ent_g`; SCIENCE.md, "Gaussian entropy bias");
 * - TC = Σ_i H(X_i) − H(X_S); DTC = Σ_j H(X_{S−j}) − (k−1) H(X_S); Ω = TC − DTC; S = TC + DTC;
 * - I(X_A;Y) = H(X_A) − Σ_m (N_m/N) H(X_A | Y = m) (gcmi `mi_model_gd`);
 * - synergy = I(X_S;Y) − Σ_i I(X_i;Y);
 * - ∂_Y Ω = Ω(X_S, Y) − Ω(X_S) = Σ_j I(X_{S−j};Y) − (k−1) I(X_S;Y), which
 *   follows from Ω's entropy form (SCIENCE.md, "Groups of k units") and needs
 *   no entropy of the discrete Y.
 *
 * One implementation for batch (copulaGroupMeasures) and stream (the group
 * analyzer builds the same covariances incrementally). Classes with no sample
 * are skipped; with no class at all the measures of Y are 0.
 *
 * @throws SingularCovarianceError when a covariance is not positive definite
 *   (a constant variable in the window or within a class);
 *   RangeError for a class with N_m ≤ k samples (its covariance is singular by rank).
 */
export function gaussianGroupMeasuresFromCovariances(
  total: SampleCovariance,
  classes: readonly SampleCovariance[],
  k: number,
  biasCorrection = true,
  /**
   * Variances at or below this count as zero (singular). Normal scores have
   * variances of order 1, and a column that is constant within a class can
   * come out at 1e-32 instead of 0 (its mean rounds): the copula estimators
   * pass COPULA_MINIMUM_VARIANCE.
   */
  minimumVariance = 0,
): GroupMeasures {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`a group needs at least 2 variables, got ${k}`);
  const overall = overallEntropies(total, k, biasCorrection, minimumVariance);
  const conditional = classes.length === 0 ? undefined : conditionalEntropies(classes, k, biasCorrection, minimumVariance);
  return groupMeasuresFromEntropies(overall, conditional, k);
}

/** Variances of normal scores at or below this are a constant column (rounding, not variation). */
export const COPULA_MINIMUM_VARIANCE = 1e-12;

/** sampleCovariance of the rows `rows` of `columns` (class mean removed), flat. */
function covarianceOfRows(columns: readonly Float64Array[], rows: readonly number[]): SampleCovariance {
  const matrix = sampleCovariance(columns.map((column) => Float64Array.from(rows, (r) => column[r])));
  return { matrix: Float64Array.from(matrix.to1DArray()), samples: rows.length };
}

/**
 * GroupMeasures of the columns (k ≥ 2 variables, N samples each) about the
 * discrete `classes` (−1: sample left out) under the Gaussian copula: each
 * column replaced by the normal scores of its mid-ranks among the kept samples
 * (copulaNormalize), then gaussianGroupMeasuresFromCovariances. Invariant to
 * any strictly increasing transform of each column (Ince et al. 2017). The
 * batch reference of the stream's Gaussian group measures.
 *
 * @throws InvalidSamplesError, SingularCovarianceError, RangeError (see above)
 */
export function copulaGroupMeasures(
  columns: readonly ArrayLike<number>[],
  classes: ArrayLike<number>,
  biasCorrection = true,
): GroupMeasures {
  const kept: number[] = [];
  for (let s = 0; s < classes.length; s++) if (classes[s] >= 0) kept.push(s);
  if (kept.length < 2) throw new InvalidSamplesError(`copulaGroupMeasures: ${kept.length} labeled samples; at least 2 are needed`);
  const scores = columns.map((column) => {
    if (column.length !== classes.length) throw new InvalidSamplesError(`copulaGroupMeasures: a column of ${column.length} samples for ${classes.length} classes`);
    return copulaNormalize(Float64Array.from(kept, (s) => column[s]));
  });
  const all = kept.map((_, r) => r);
  const byClass = new Map<number, number[]>();
  kept.forEach((s, r) => {
    const m = classes[s];
    let rows = byClass.get(m);
    if (rows === undefined) byClass.set(m, (rows = []));
    rows.push(r);
  });
  const order = [...byClass.keys()].sort((a, b) => a - b);
  return gaussianGroupMeasuresFromCovariances(
    covarianceOfRows(scores, all),
    order.map((m) => covarianceOfRows(scores, byClass.get(m)!)),
    columns.length,
    biasCorrection,
    COPULA_MINIMUM_VARIANCE,
  );
}
