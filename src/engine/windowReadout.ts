import type { PairTerms } from './pairKernel.ts';

/** One window bin: its index, mode (−1 unlabeled), and the units that fired with their symbols. */
export interface WindowBin {
  readonly bin: number;
  readonly label: number;
  /** Units that fired, ascending. */
  readonly units: Uint32Array;
  /** min(count, levels − 1) for each of `units` (≥ 1). */
  readonly symbols: Uint8Array;
}

/** A pair's terms and synergy, by unit index (i < j). */
export interface RankedPair extends PairTerms {
  i: number;
  j: number;
  synergy: number;
}

/**
 * How a window is read out at an emission. The incremental readout keeps
 * count tables up to date as bins enter and leave; the batch readout
 * recomputes every pair from the window's bins with the batch library (the
 * reference the incremental one must equal, and the naive path of the
 * benchmark).
 */
export interface WindowReadout {
  /** A bin entered (+1) or left (−1) the window; `units` is the number of units known. */
  update(entry: WindowBin, delta: 1 | -1, units: number, modes: number): void;
  /** The strongest `limit` pairs by |synergy|, sorted (ties: lower unit indices first). */
  rank(entries: readonly WindowBin[], units: number, modes: number, limit: number): RankedPair[];
  /** Bytes its tables and scratch hold (for the memory figures). */
  memoryBytes?(): number;
  /**
   * After `rank`, the synergy of every pair held, in pair-index order
   * (pairsBelow(j) + i − pairsBelow(first row)), where the estimator gives
   * every pair exactly in the readout's pass; undefined otherwise (Panzeri–Treves
   * and shuffle settle only the pairs that can reach the top).
   */
  allSynergies?(units: number): Float64Array | undefined;
}

/**
 * Ranking order: |synergy| descending, then unit indices ascending. |synergy|
 * is compared at a resolution of 1e-12 bits, so values that differ only by
 * rounding (a zero computed as ±1e-15 along one path) rank as the tie they are.
 */
export function comparePairs(x: RankedPair, y: RankedPair): number {
  return rankKey(y.synergy) - rankKey(x.synergy) || x.i - y.i || x.j - y.j;
}

/** |synergy| in units of 1e-12 bits. */
export function rankKey(synergy: number): number {
  return Math.round(Math.abs(synergy) * 1e12);
}
