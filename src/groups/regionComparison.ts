import { pairsBelow } from '../engine/pairIndex.ts';
import { SeededRandom } from '../math/seededRandom.ts';

/** The pairs inside a group, as one update sees them (docs/MEASURES.md, "Regions compared"). */
export interface PairDistribution {
  /** Pairs of the group's units both known to the analysis. */
  pairs: number;
  /** Mean pair synergy, bits (the update's estimator). */
  mean: number;
  /** 10th, 50th and 90th percentiles of pair synergy, bits (linear interpolation between order statistics). */
  q10: number;
  median: number;
  q90: number;
  /** Share of the group's pairs that are family-wise significant (p_fwer ≤ alpha over all pairs of the update); with surrogates. */
  significant?: number;
}

/** Two groups compared (Gat & Tishby's cortex against basal ganglia): the difference of their mean pair synergy and its permutation p. */
export interface RegionComparison {
  a: string;
  b: string;
  /** Mean pair synergy inside a minus inside b, bits. */
  difference: number;
  /** Two-sided p from permutations of the units between the two groups. */
  p: number;
  permutations: number;
}

/** Permutations of units between two compared groups (p ≥ 1/100, as the pairs' 99 surrogates give). */
export const REGION_PERMUTATIONS = 99;

/** Index of pair (i, j) in the triangle (pairsBelow(larger) + smaller), either order. */
function pairIndex(i: number, j: number): number {
  return i < j ? pairsBelow(j) + i : pairsBelow(i) + j;
}

function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/**
 * The distribution of pair synergy over the pairs of `members` (unit
 * indices of the analysis), from every pair's synergy in triangle order;
 * `significant(index)` says whether a pair is family-wise significant.
 * Undefined for fewer than one pair.
 */
export function pairDistribution(synergy: Float64Array, members: readonly number[], significant?: (index: number) => boolean): PairDistribution | undefined {
  const values: number[] = [];
  let hits = 0;
  for (let x = 0; x < members.length; x++) {
    for (let y = x + 1; y < members.length; y++) {
      const index = pairIndex(members[x], members[y]);
      values.push(synergy[index]);
      if (significant?.(index) === true) hits++;
    }
  }
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const value of values) sum += value;
  return {
    pairs: values.length,
    mean: sum / values.length,
    q10: quantile(sorted, 0.1),
    median: quantile(sorted, 0.5),
    q90: quantile(sorted, 0.9),
    ...(significant === undefined ? {} : { significant: hits / values.length }),
  };
}

function meanInside(synergy: Float64Array, units: Int32Array, from: number, to: number): number {
  let sum = 0;
  let count = 0;
  for (let x = from; x < to; x++) {
    for (let y = x + 1; y < to; y++) {
      sum += synergy[pairIndex(units[x], units[y])];
      count++;
    }
  }
  return sum / count;
}

/**
 * A permutation test of the difference in mean pair synergy between two
 * disjoint groups of units: the statistic D = mean inside a − mean inside b,
 * and its distribution when the units of both are dealt again at random
 * into groups of the same sizes (every pair among them has a synergy, so
 * each deal's D is exact). Under the null that the units of the two groups
 * are exchangeable (no region codes the mode differently), p = (1 + #{|D_r| ≥ |D|}) / (1 + R)
 * is exact. Each group needs at least 2 units.
 */
export function compareRegions(
  synergy: Float64Array,
  a: readonly number[],
  b: readonly number[],
  random: SeededRandom,
  permutations = REGION_PERMUTATIONS,
): { difference: number; p: number } {
  const units = Int32Array.from([...a, ...b]);
  const split = a.length;
  const difference = meanInside(synergy, units, 0, split) - meanInside(synergy, units, split, units.length);
  let exceeding = 0;
  const threshold = Math.abs(difference) - 1e-12;
  for (let r = 0; r < permutations; r++) {
    random.shuffle(units);
    const dealt = meanInside(synergy, units, 0, split) - meanInside(synergy, units, split, units.length);
    if (Math.abs(dealt) >= threshold) exceeding++;
  }
  return { difference, p: (1 + exceeding) / (1 + permutations) };
}
