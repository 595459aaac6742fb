import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { BadDataError } from '../../errors.ts';

/**
 * Thrown when the samples handed to a Gaussian estimator are not a data
 * matrix: no columns, columns of different lengths, fewer than two samples,
 * or a value that is not a finite number.
 */
export class InvalidSamplesError extends BadDataError {
  constructor(message: string) {
    super(message, 'INVALID_SAMPLES');
  }
}

/**
 * Thrown when a covariance (or the block of it an estimator needs) is not
 * positive definite, so its log-determinant, and every entropy built on it,
 * is −∞. `variables` are the covariance indices of the block;
 * `dependentVariable` is the first of them with no variance left once the
 * ones before it are accounted for: a constant column, or an exact linear
 * combination of the others.
 */
export class SingularCovarianceError extends BadDataError {
  readonly variables: readonly number[];
  readonly dependentVariable: number;

  constructor(variables: readonly number[], dependentVariable: number) {
    const position = variables.indexOf(dependentVariable);
    const reason =
      position === 0
        ? `variable ${dependentVariable} has zero variance (a constant column?)`
        : `variable ${dependentVariable} has no variance left given variables [${variables
            .slice(0, position)
            .join(', ')}] (a constant column, or an exact linear combination of the others)`;
    super(
      `covariance of variables [${variables.join(', ')}] is not positive definite: ${reason}; ` +
        'Gaussian entropies are −∞ there. Drop or merge the variable, or add independent noise.',
      'SINGULAR_COVARIANCE',
    );
    this.variables = variables;
    this.dependentVariable = dependentVariable;
  }
}

/**
 * The unbiased sample covariance, Σ_ij = (1/(N−1)) Σ_n (x_in − x̄_i)(x_jn − x̄_j).
 *
 * `columns[i]` holds the N samples of variable i. Means are removed first
 * (two passes) because the one-pass Σx² − N x̄² cancels catastrophically
 * for counts with a large mean. The result is exactly symmetric, as
 * ml-matrix's Cholesky decomposition requires.
 *
 * Example: sampleCovariance([[1, 2, 3], [2, 4, 7]]) = [[1, 2.5], [2.5, 6.333…]].
 *
 * @throws InvalidSamplesError on no columns, ragged columns, fewer than 2
 *   samples or a non-finite value.
 */
export function sampleCovariance(columns: readonly ArrayLike<number>[]): Matrix {
  const variableCount = columns.length;
  if (variableCount === 0) {
    throw new InvalidSamplesError('sampleCovariance: expected at least one column of samples, got none');
  }
  const sampleCount = columns[0].length;
  if (sampleCount < 2) {
    throw new InvalidSamplesError(
      `sampleCovariance: expected at least 2 samples per column, got ${sampleCount}`,
    );
  }
  const centered: Float64Array[] = [];
  for (let variable = 0; variable < variableCount; variable++) {
    const column = columns[variable];
    if (column.length !== sampleCount) {
      throw new InvalidSamplesError(
        `sampleCovariance: column ${variable} has ${column.length} samples, expected ${sampleCount} like column 0`,
      );
    }
    let sum = 0;
    for (let sample = 0; sample < sampleCount; sample++) {
      const value = column[sample];
      if (!Number.isFinite(value)) {
        throw new InvalidSamplesError(
          `sampleCovariance: column ${variable}, sample ${sample} is ${value}, expected a finite number`,
        );
      }
      sum += value;
    }
    const mean = sum / sampleCount;
    const deviations = new Float64Array(sampleCount);
    for (let sample = 0; sample < sampleCount; sample++) deviations[sample] = column[sample] - mean;
    centered.push(deviations);
  }
  const covariance = new Matrix(variableCount, variableCount);
  for (let i = 0; i < variableCount; i++) {
    for (let j = 0; j <= i; j++) {
      const a = centered[i];
      const b = centered[j];
      let sum = 0;
      for (let sample = 0; sample < sampleCount; sample++) sum += a[sample] * b[sample];
      const value = sum / (sampleCount - 1);
      covariance.set(i, j, value);
      covariance.set(j, i, value);
    }
  }
  return covariance;
}

/** Every index 0…size−1, the default variable set of a covariance. */
export function allVariables(covariance: Matrix): number[] {
  return Array.from({ length: covariance.rows }, (_, index) => index);
}

// A Cholesky pivot is the residual variance of a variable given the ones
// before it. Rounding leaves about (number of variables)·ε of its own
// variance even when the true residual is 0, so anything within a
// generous multiple of that is treated as singular rather than as a
// log-determinant of −50 bits that only measures rounding.
const SINGULAR_TOLERANCE_PER_VARIABLE = 64 * Number.EPSILON;

/**
 * log₂ det Σ_S, for the block Σ_S of `covariance` on the variables `indices`
 * (in bits, the unit every Gaussian entropy here is in).
 *
 * With Σ_S = L Lᵀ (Cholesky), det Σ_S = Π L_ii², so log₂ det Σ_S = 2 Σ log₂ L_ii:
 * no determinant is ever formed, so it neither overflows nor underflows.
 * An empty block has determinant 1.
 *
 * Example: for Σ = [[1, ½], [½, 1]], covarianceLog2Determinant(Σ, [0, 1]) = log₂ ¾ = −0.4150374992788438.
 *
 * @throws RangeError for a non-square or non-symmetric covariance, or
 *   indices that repeat or fall outside it.
 * @throws SingularCovarianceError when Σ_S is not positive definite.
 */
export function covarianceLog2Determinant(covariance: Matrix, indices: readonly number[]): number {
  const size = indices.length;
  if (size === 0) return 0;
  const block = covarianceBlock(covariance, indices);
  const cholesky = new CholeskyDecomposition(block);
  const lower = cholesky.lowerTriangularMatrix;
  const tolerance = SINGULAR_TOLERANCE_PER_VARIABLE * size;
  let log2Determinant = 0;
  for (let position = 0; position < size; position++) {
    const variance = block.get(position, position);
    const pivot = lower.get(position, position);
    if (!(variance > 0) || !(pivot * pivot > tolerance * variance) || !Number.isFinite(pivot)) {
      throw new SingularCovarianceError([...indices], indices[position]);
    }
    log2Determinant += 2 * Math.log2(pivot);
  }
  return log2Determinant;
}

/**
 * The block of `covariance` on `indices`, checked, with the two triangles
 * averaged: a covariance assembled by the caller (A·Aᵀ, say) is symmetric
 * only up to rounding, and ml-matrix's Cholesky rejects anything that is
 * not symmetric bit for bit.
 */
function covarianceBlock(covariance: Matrix, indices: readonly number[]): Matrix {
  const dimension = covariance.rows;
  if (covariance.columns !== dimension) {
    throw new RangeError(
      `covariance must be square, got ${covariance.rows}×${covariance.columns}`,
    );
  }
  const seen = new Set<number>();
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= dimension) {
      throw new RangeError(`variable index ${index} is outside the ${dimension}×${dimension} covariance`);
    }
    if (seen.has(index)) {
      throw new RangeError(`variable index ${index} appears twice in [${indices.join(', ')}]`);
    }
    seen.add(index);
  }
  const size = indices.length;
  const block = new Matrix(size, size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      const upper = covariance.get(indices[j], indices[i]);
      const lower = covariance.get(indices[i], indices[j]);
      if (!Number.isFinite(upper) || !Number.isFinite(lower)) {
        throw new RangeError(
          `covariance entry (${indices[i]}, ${indices[j]}) is not finite: ${lower}`,
        );
      }
      const scale = Math.max(Math.abs(upper), Math.abs(lower));
      if (Math.abs(upper - lower) > 1e-9 * scale) {
        throw new RangeError(
          `covariance is not symmetric: entry (${indices[i]}, ${indices[j]}) is ${lower} but (${indices[j]}, ${indices[i]}) is ${upper}`,
        );
      }
      const value = i === j ? lower : 0.5 * (upper + lower);
      block.set(i, j, value);
      block.set(j, i, value);
    }
  }
  return block;
}
