import type { GroupUpdate, SubnetworkUpdate } from '../groups/groupUpdate.ts';
import type { RegionComparison } from '../groups/regionComparison.ts';
import type { UnitId } from '../stream/unitIds.ts';

/** One pair in an update (DESIGN §4), values in bits. */
export interface PairUpdate {
  /** The pair in canonical order (a before b; src/stream/unitIds.ts): numbers where the source's ids are whole numbers. */
  a: UnitId;
  b: UnitId;
  joint: number;
  ia: number;
  ib: number;
  synergy: number;
  /**
   * synergy / joint, or null when joint is not above the window's floor
   * (normalizedSynergyFloorBits: (levels² − 1)(modes present − 1) / (samples · ln 2) bits).
   * A convenience, not Gat & Tishby's definition.
   */
  normalized: number | null;
  /**
   * Plug-in synergy minus its mean over the real alignment and the label-lag
   * surrogates, bits: synergy (> 0) or redundancy (< 0) beyond what these
   * spikes give by chance. Present when surrogates are on (0 before any is
   * available). docs/MEASURES.md, "Significance".
   */
  excess?: number;
  /** Two-sided label-lag surrogate p of |excess| (1 before any surrogate is available). */
  p?: number;
  /** Family-wise p over all pairs: Westfall–Young max-T on |excess|, the same surrogates. */
  p_fwer?: number;
  /**
   * p_fwer from a Gumbel fit to the surrogates' maxima: it goes below
   * 1 / (1 + surrogates) for a pair far beyond every surrogate (what the
   * alerts' per-hour level needs). docs/MEASURES.md, "Alerts".
   */
  p_fwer_tail?: number;
  /**
   * Benjamini–Hochberg q: `p` adjusted over all pairs computed, the false
   * discovery rate at which this pair would just be a discovery.
   */
  q?: number;
}

/** One emission of the sliding-window analysis (DESIGN §4). */
export interface SynergyUpdate {
  type: 'synergy';
  /** The source analyzed (`synergy serve` runs one analysis per source). */
  source?: string;
  /** Emission time T: the window is [T − window, T). */
  t: number;
  window: [number, number];
  /** Labeled bins in the window: the samples of every measure. */
  samples: number;
  /** Labeled bins per mode. */
  labels: Record<string, number>;
  estimator: string;
  levels: number;
  dropped: {
    /** Bins of the window that straddle a label change or lie in a gap. */
    unlabeled: number;
    /** Spikes that arrived later than the lateness allows, since the stream began. */
    late: number;
  };
  /** Units seen so far (a unit first seen mid-stream was silent before). */
  units: number;
  /** Pairs computed (all of them), of which `pairs` holds the strongest `top`. */
  pairsComputed: number;
  /** Label-lag surrogates used at this update (those whose lag the history reaches). */
  surrogates?: number;
  /** Of them, effectively independent (span of lags / mean mode dwell). */
  effective_surrogates?: number;
  /** The smallest p these surrogates allow: 1 / (1 + effective_surrogates). */
  min_p?: number;
  /** The family-wise error rate a pair must reach to be significant. */
  alpha?: number;
  /** Pairs (of all computed) with p_fwer ≤ alpha. */
  significant?: number;
  /** Pairs (of all computed) with q ≤ alpha: the discoveries at false discovery rate alpha (Benjamini–Hochberg). */
  discoveries?: number;
  pairs: PairUpdate[];
  /** Each named group's higher-order measures (`--groups`, `--group-by`); docs/MEASURES.md, "Groups". */
  groups?: GroupUpdate[];
  /** With two groups or more: the measures of every grouped unit together (no p), whose series the emergence alerts watch. */
  population?: GroupUpdate;
  /** The synergistic sub-networks tracked at this update (`--subnetworks`); docs/SUBNETWORKS.md. */
  subnetworks?: SubnetworkUpdate[];
  /** Every two disjoint groups compared: the difference of their mean pair synergy and its permutation p (up to 8 groups). */
  regions?: RegionComparison[];
}
