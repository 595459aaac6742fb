/** Pair rows of a PairCountTables (its own, or the shuffle estimator's shuffled rows). */
export type PairRows = readonly (Uint16Array | Uint32Array)[];

/**
 * What one pass over every pair's cells gives, per pair p = j(j−1)/2 + i:
 * with T a per-count table (n·log2 n for the plug-in family, the jackknife's
 * leave-one-out term for the jackknife), the pair's table n_mc (mode m,
 * word c = (x_i, x_j)) and its overall table n_c = Σ_m n_mc,
 * - `within[p]` = Σ_{m,c} T(n_mc),
 * - `across[p]` = Σ_c T(n_c),
 * - `occupiedAcross[p]` = occupied cells of n_c and `occupiedWithin[p]` =
 *   Σ_m occupied cells of n_mc.
 */
export interface PairSums {
  within: Float64Array;
  across: Float64Array;
  occupiedAcross: Int32Array;
  occupiedWithin: Int32Array;
}
