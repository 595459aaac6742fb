import { copulaNormalize } from './gaussianCopula.ts';
import { gaussianEntropy } from './gaussianEntropy.ts';
import type { GaussianSampleOptions } from './gaussianEntropyBias.ts';

/**
 * Mutual information, in bits, between continuous variables X (`columns`,
 * one array of N samples each) and a discrete Y (`classes`, one integer
 * class per sample, −1 for none: left out), by a Gaussian model of X within
 * each class (gcmi's `mi_model_gd`, Ince et al. 2017):
 * I(X;Y) = H(X) − Σ_m p(m) H(X | Y = m), each entropy Gaussian (the
 * log-determinant of the unbiased covariance) and bias-corrected term by
 * term by default (gaussianEntropyBiasBits for its own sample count).
 *
 * @throws InvalidSamplesError, SingularCovarianceError (a class whose
 *   values are constant or collinear), RangeError (a class with no more
 *   samples than variables, where the bias is undefined).
 */
export function gaussianClassInformation(columns: readonly ArrayLike<number>[], classes: ArrayLike<number>, options: GaussianSampleOptions = {}): number {
  const rows: number[] = [];
  const byClass = new Map<number, number[]>();
  for (let s = 0; s < classes.length; s++) {
    const m = classes[s];
    if (m < 0) continue;
    rows.push(s);
    let members = byClass.get(m);
    if (members === undefined) byClass.set(m, (members = []));
    members.push(s);
  }
  const pick = (subset: readonly number[]) => columns.map((column) => Float64Array.from(subset, (s) => column[s]));
  let conditional = 0;
  for (const members of byClass.values()) conditional += (members.length / rows.length) * gaussianEntropy(pick(members), options);
  return gaussianEntropy(pick(rows), options) - conditional;
}

/**
 * The Gaussian-copula pair information about a discrete Y: each of x1 and
 * x2 replaced by the normal scores of its ranks among the labeled samples
 * (copulaNormalize), then gaussianClassInformation of the pair and of each:
 * joint = I(X1,X2;Y), ia, ib, and synergy = joint − ia − ib (Gat & Tishby's
 * synergy under the Gaussian-copula model). Invariant to any strictly
 * increasing transform of x1 or x2.
 */
export function copulaPairClassInformation(
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  classes: ArrayLike<number>,
  options: GaussianSampleOptions = {},
): { joint: number; ia: number; ib: number; synergy: number } {
  const labeled: number[] = [];
  for (let s = 0; s < classes.length; s++) if (classes[s] >= 0) labeled.push(s);
  const z1 = copulaNormalize(Float64Array.from(labeled, (s) => x1[s]));
  const z2 = copulaNormalize(Float64Array.from(labeled, (s) => x2[s]));
  const y = Int32Array.from(labeled, (s) => classes[s]);
  const joint = gaussianClassInformation([z1, z2], y, options);
  const ia = gaussianClassInformation([z1], y, options);
  const ib = gaussianClassInformation([z2], y, options);
  return { joint, ia, ib, synergy: joint - ia - ib };
}
