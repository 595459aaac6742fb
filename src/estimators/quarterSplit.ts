import { SeededRandom } from '../math/seededRandom.ts';

/**
 * How quadratic extrapolation (the `qe` estimator) splits N samples into
 * halves and quarters (Strong et al. 1998):
 *
 * - `contiguous`: in sample order, sample i of N in quarter ⌊4i/N⌋; halves
 *   are quarters {0, 1} and {2, 3}. Every sample is used. The batch default,
 *   as SCIENCE.md specifies. (The streaming engine splits by bin index
 *   mod 4 instead, which it can maintain as the window slides.)
 * - `shuffled`: pyentropy's `DiscreteSystem` QE (`_qe_prep`,
 *   `_subsampled_instance`): the samples are put in a random order, the
 *   last N mod 4 of that order are left out (of the full-data term too),
 *   and halves and quarters are contiguous in the shuffled order. Samples
 *   with structure in time (a trend, long modes) then no longer make the
 *   quarters differ systematically. The order is a Fisher–Yates shuffle of
 *   0…N−1 driven by SeededRandom(seed, 'qe-split'), so a seed gives one
 *   split on every platform.
 */
export const QUARTER_SPLITS = ['contiguous', 'shuffled'] as const;
export type QuarterSplit = (typeof QUARTER_SPLITS)[number];

/** The quarter of a sample that takes part in no quarter (nor in the QE full-data term). */
export const NO_QUARTER = -1;

export function isQuarterSplit(name: string): name is QuarterSplit {
  return (QUARTER_SPLITS as readonly string[]).includes(name);
}

/**
 * The quarter (0–3, or NO_QUARTER) of each of `sampleCount` samples under
 * `split`; `seed` drives the `shuffled` split.
 *
 * Example: quarterAssignment('contiguous', 6, 0) = [0, 0, 1, 2, 2, 3];
 * under 'shuffled' with N = 6, four samples get quarters 0, 1, 2, 3 (one
 * each) and two get NO_QUARTER.
 */
export function quarterAssignment(split: QuarterSplit, sampleCount: number, seed: number): Int8Array {
  if (!Number.isInteger(sampleCount) || sampleCount < 0) {
    throw new RangeError(`quarterAssignment: sample count must be an integer ≥ 0, got ${sampleCount}`);
  }
  const quarterOf = new Int8Array(sampleCount);
  if (split === 'contiguous') {
    for (let sample = 0; sample < sampleCount; sample++) quarterOf[sample] = Math.floor((4 * sample) / sampleCount);
    return quarterOf;
  }
  const order = new Uint32Array(sampleCount);
  for (let sample = 0; sample < sampleCount; sample++) order[sample] = sample;
  new SeededRandom(seed, 'qe-split').shuffle(order);
  // pyentropy drops the remainder from the end of the shuffled order.
  const used = sampleCount - (sampleCount % 4);
  quarterOf.fill(NO_QUARTER);
  for (let position = 0; position < used; position++) {
    quarterOf[order[position]] = Math.floor((4 * position) / used);
  }
  return quarterOf;
}
