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
  /** Two-sided surrogate p-value of |synergy| (present when surrogates are on). */
  p?: number;
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
  surrogates?: number;
  pairs: PairUpdate[];
}
