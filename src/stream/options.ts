import type { EstimatorName } from '../estimators/estimate.ts';

/** Parameters of a streaming analysis (DESIGN §3). Times in seconds. */
export interface AnalysisOptions {
  /** Bin width. */
  binSeconds: number;
  /** Window length; a whole multiple of binSeconds. */
  windowSeconds: number;
  /** Time between emissions; a whole multiple of binSeconds. */
  hopSeconds: number;
  /** Spike counts are quantized to min(n, levels − 1). */
  levels: number;
  /** Bias correction; the default, `jackknife`, was chosen by measurement (docs/MEASURES.md, "Choosing the default estimator"). */
  estimator: EstimatorName;
  /** Label-lag surrogates for p-values (0: none); see docs/MEASURES.md, "Significance". */
  surrogates: number;
  /**
   * Spacing of the label lags, seconds (one lag per step, the k-th in
   * [(k+1)·step, (k+2)·step)), or 'auto' (the default): 1.1 times the mean
   * mode dwell so far, from 1 s up to 30 s, so that every surrogate is an effectively
   * independent draw (docs/MEASURES.md, "Significance").
   */
  lagStepSeconds?: number | 'auto';
  /**
   * How surrogates break the link between samples and labels: 'lag' (the
   * default for time bins) pairs the spikes with the labels of `lag` bins
   * before; 'permutation' (trials and snapshots, whose samples are
   * exchangeable) with a uniformly random permutation of the window's labels
   * (docs/MEASURES.md, "Significance on trials and snapshots").
   */
  surrogateScheme?: 'lag' | 'permutation';
  /** How snapshots' continuous values are read (src/snapshots/snapshotAnalysis.ts, SnapshotValues): per-neuron quantiles (default) or the Gaussian copula. */
  snapshotValues?: 'quantiles' | 'gaussian-copula';
  /** Family-wise error rate a pair must reach to count as significant (and to alert); default 0.05. */
  alpha?: number;
  /** Memory bound of the surrogates' count tables, cells (the longest lags are dropped beyond it); default 2^28. */
  maxSurrogateCells?: number;
  /** Seed of surrogates and of the shuffle estimator. */
  seed: number;
  /** How far out of order spikes and labels may arrive. */
  latenessSeconds: number;
  /** Named groups of units whose higher-order measures each update carries (docs/MEASURES.md, "Groups"). */
  groups?: ReadonlyArray<{ readonly name: string; readonly units: readonly string[] }>;
  /** Groups of at most this many units are measured with discrete tables, larger ones under the Gaussian copula (default 4). */
  groupDiscreteMaxUnits?: number;
  /** Synergistic sub-networks tracked per criterion (Ω and ∂_YΩ) among the grouped units; 0 or absent: no search (docs/SUBNETWORKS.md). */
  subnetworks?: number;
  /** The largest sub-network searched (default 5). */
  subnetworkMaxOrder?: number;
  /** Candidate multiplets evaluated per hop (default 1,500). */
  subnetworkBudget?: number;
  /**
   * Attach every pair's synergy and significance to each update, out of its
   * JSON (src/engine/pairMatrix.ts), for the page's matrix; the commands
   * that serve subscribers set it.
   */
  pairMatrix?: boolean;
  /** Emit only the strongest `top` pairs by |synergy| (all pairs are computed); undefined: all. */
  top?: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  binSeconds: 0.02,
  windowSeconds: 60,
  hopSeconds: 1,
  levels: 3,
  estimator: 'jackknife',
  surrogates: 99,
  lagStepSeconds: 'auto',
  alpha: 0.05,
  seed: 0,
  latenessSeconds: 0.1,
  top: 100,
};
