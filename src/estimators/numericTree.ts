/** A number, or an object whose leaves are numbers (the result of a measure). */
export type NumericTree = number | { readonly [key: string]: NumericTree };

/**
 * Σ_i weights[i] · trees[i], leaf by leaf. Quadratic extrapolation and the
 * jackknife are linear in the estimate, so they act on every leaf of a
 * composite measure (a PID, a breakdown) the same way, and its identities
 * (atoms summing to the information) survive the correction.
 */
export function linearCombination<T extends NumericTree>(trees: readonly T[], weights: readonly number[]): T {
  const first = trees[0];
  if (typeof first === 'number') {
    let sum = 0;
    for (let i = 0; i < trees.length; i++) sum += weights[i] * (trees[i] as number);
    return sum as T;
  }
  const result: Record<string, NumericTree> = {};
  for (const key of Object.keys(first)) {
    result[key] = linearCombination(
      trees.map((tree) => (tree as Record<string, NumericTree>)[key]),
      weights,
    );
  }
  return result as T;
}
