import type { GroupMeasures } from '../measures/groupMeasures.ts';
import type { UnitId } from '../stream/unitIds.ts';
import type { PairDistribution } from './regionComparison.ts';

/** A named set of units (DESIGN §7, "Groups"): `--groups FILE` or `--group-by` from the recording's metadata. */
export interface AnalysisGroup {
  readonly name: string;
  /** Unit ids as the source names them (text). */
  readonly units: readonly string[];
  /** false: measured without surrogates (the population, whose values feed the emergence alerts). */
  readonly surrogates?: false;
}

/** The measures of one group in one update (bits); docs/MEASURES.md, "Groups". */
export interface GroupUpdate {
  name: string;
  /** Units in the group. */
  units: number;
  /** Units measured: those whose samples in the window are not all one symbol (a constant unit carries nothing and is singular under the copula). */
  measured: number;
  /** `discrete` (count tables, the analysis's estimator) or `gaussian-copula` (bias-corrected log-determinants). */
  method: 'discrete' | 'gaussian-copula';
  /** The bias correction: the analysis's estimator for discrete groups, `gcmi` (analytic bias of each entropy) for Gaussian ones. */
  estimator: string;
  /** Labeled samples in the window. */
  samples: number;
  oinfo: number | null;
  tc: number | null;
  dtc: number | null;
  sinfo: number | null;
  synergy: number | null;
  doinfo_y: number | null;
  /**
   * Surrogate p of each measure (with surrogates on): `synergy` and `doinfo_y`
   * against the label surrogates of the pairs (two-sided, beyond their mean);
   * `oinfo` (two-sided), `tc`, `dtc`, `sinfo` (one-sided, greater) against
   * unit-shift surrogates, in which each unit is paired with its own past,
   * shifted by its own lag, so that units are independent but keep their
   * autocorrelation. docs/MEASURES.md, "Groups".
   */
  p?: Partial<Record<keyof GroupMeasures, number>>;
  /** Surrogates the p values rest on: label surrogates (and their effective number), unit-shift surrogates. */
  surrogates?: { label: number; effective: number; unit: number };
  /**
   * The group's pairs in this update: the distribution of their synergy and
   * the share family-wise significant (absent under panzeri-treves and
   * shuffle, which settle only the top pairs exactly).
   */
  pairs?: PairDistribution;
  /** Why a measure is null (fewer than 2 measured units, a unit constant within a mode, …). */
  note?: string;
}

/** A synergistic sub-network found by the multiplet search and tracked across hops (docs/SUBNETWORKS.md). */
export interface SubnetworkUpdate {
  /** Stable across hops: the same units keep their id while reported (and after a short absence); ids are never reused. */
  id: number;
  /** The units, in canonical order. */
  units: UnitId[];
  order: number;
  /** What it was chosen for: the most negative Ω (synergy-dominated) or the most negative ∂_YΩ (synergistically informative about the mode). */
  criterion: 'oinfo' | 'doinfo_y';
  oinfo: number | null;
  doinfo_y: number | null;
  /** Surrogate p of the criterion, family-wise over the search. */
  p: number;
  /** Update time it was first reported. */
  since: number;
  /** Updates it has been reported in. */
  hops: number;
}
