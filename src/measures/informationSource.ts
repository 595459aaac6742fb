import type { JointTable } from './jointTable.ts';

/**
 * Where a measure gets its entropies. Every discrete measure is written once,
 * as its definition in terms of entropies and mutual informations of a
 * JointTable's variables; the source decides how each term is estimated
 * (plug-in, Miller–Madow, Panzeri–Treves, shuffle). Estimators that act on a
 * whole measure rather than on its terms (quadratic extrapolation,
 * jackknife) evaluate the measure on several plug-in sources and combine.
 *
 * Variables are indices into `table.alphabet`. All values are in bits.
 */
export interface InformationSource {
  /** The counts being estimated from; plug-in probabilities come from here. */
  readonly table: JointTable;
  /** H(X_vars). The empty set has entropy 0. */
  entropy(vars: readonly number[]): number;
  /** H(X_vars | X_given). */
  conditionalEntropy(vars: readonly number[], given: readonly number[]): number;
  /** I(X_a ; X_b). */
  mutualInformation(a: readonly number[], b: readonly number[]): number;
}
