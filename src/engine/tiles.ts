import { pairsBelow } from './pairIndex.ts';
import type { RankedPair } from './windowReadout.ts';

/**
 * A tile: the pairs (i, j), i < j, whose larger unit j lies in rows
 * [first, end) — a band of the pair triangle. Its count tables hold only
 * those pairs' cells (rows first … end − 1, every column i < j) and the unit
 * marginals of units 0 … end − 1; `end` may be Infinity (the last tile
 * takes every unit beyond the plan). Units are indexed in the order the
 * analysis first saw them, so a band of rows is a block of units.
 */
export interface TileRows {
  readonly first: number;
  readonly end: number;
}

/** The one tile of a single-process analysis: every pair. */
export const ALL_ROWS: TileRows = { first: 0, end: Infinity };

export { pairsBelow } from './pairIndex.ts';

/** Pairs of the tile when `units` units are known. */
export function tilePairs(rows: TileRows, units: number): number {
  const end = Math.min(units, rows.end);
  return end <= rows.first ? 0 : pairsBelow(end) - pairsBelow(rows.first);
}

/**
 * `count` tiles of about equal pairs for `expectedUnits` units: row bounds
 * b_k = round(expectedUnits·√(k/count)), the last tile open-ended. Units
 * beyond `expectedUnits` all land in the last tile (plan for the units a
 * recording has, or a little more).
 */
export function planTiles(count: number, expectedUnits: number): TileRows[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`tiles must be a whole number ≥ 1, got ${count}`);
  if (!(expectedUnits >= 0)) throw new RangeError(`expected units must be ≥ 0, got ${expectedUnits}`);
  const bounds: number[] = [0];
  for (let k = 1; k < count; k++) bounds.push(Math.max(bounds[k - 1] + 1, Math.round(expectedUnits * Math.sqrt(k / count))));
  return bounds.map((first, k) => ({ first, end: k + 1 < count ? bounds[k + 1] : Infinity }));
}

/** A tile's pair at an emission: its terms and, with surrogates, its excess and count of surrogates beyond. */
export interface TilePair extends RankedPair {
  /** Plug-in synergy minus its label-lag mean (PairUpdate.excess). */
  excess?: number;
  /** Surrogates at least as far from the mean as the observation: the pair's own p follows. */
  beyond?: number;
}

/**
 * What the family-wise and false-discovery statistics need from a tile
 * (the coordinator merges them into exactly the single-process values).
 */
export interface TileSignificance {
  /** Surrogates used at this emission (the same in every tile). */
  available: number;
  /** Of them, effectively independent. */
  effective: number;
  /** Per surrogate, the largest |excess| over the tile's pairs (−Infinity for a tile without pairs). */
  maxima: Float64Array;
  /** Pairs of the tile per count of surrogates beyond (length available + 1): Benjamini–Hochberg's input. */
  beyondCounts: Uint32Array;
  /**
   * |excess| of every pair of the tile whose p_fwer against the tile's own
   * maxima is ≤ alpha: a superset of the pairs significant against all
   * tiles' maxima (those are at least the tile's), so the coordinator counts
   * `significant` exactly from them.
   */
  candidates: Float64Array;
}

/** One tile's part of one emission (the emission at bin `endBin`). */
export interface TileEmission {
  tile: number;
  endBin: number;
  /** The tile's strongest pairs by |synergy| (at most `top`), sorted by comparePairs. */
  pairs: TilePair[];
  significance?: TileSignificance;
  /**
   * With groups (AnalysisOptions.groups) or the page's matrix (pairMatrix): every pair of the tile in
   * pair-index order — its synergy and, with surrogates, its excess — for the
   * coordinator's pair distributions and region comparisons. Absent where the
   * estimator does not give every pair in the readout's pass.
   */
  allPairs?: { synergy: Float64Array; excess?: Float64Array };
}

/**
 * Consecutive complete bins as a tile receives them (a LabeledFrame without
 * the names): the units that fired in bin firstBin + b are
 * unit[offsets[b] … offsets[b+1]), ascending, with count[…] spikes; label[b]
 * is the bin's mode (−1 unlabeled). `units` and `modes` are how many the
 * analysis knows at this frame; `startTime` is the stream's origin, seconds.
 */
export interface TileFrame {
  readonly firstBin: number;
  readonly binCount: number;
  readonly offsets: Uint32Array;
  readonly unit: Uint32Array;
  readonly count: Uint32Array;
  readonly label: Int32Array;
  readonly units: number;
  readonly modes: number;
  readonly startTime: number;
}
