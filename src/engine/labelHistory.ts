/**
 * The mode of every bin seen lately, by bin index: the label stream the
 * label-lag surrogates shift against the spikes (SCIENCE.md, "Calibration
 * and multiplicity"). A ring of `capacity` bins: a bin older than that, or
 * before the first bin recorded, reads as unknown (−1, like unlabeled).
 *
 * It also keeps, over every bin recorded, how long the modes last: the
 * labeled bins and the runs they form (a run is a maximal stretch of
 * consecutive bins with one mode), whose ratio is the mean dwell in bins —
 * the label stream's correlation time, which says how many of the shifted
 * label streams are effectively independent.
 */
export class LabelHistory {
  private readonly ring: Int32Array;
  private first: number | undefined;
  private last = -1;
  private labeled = 0;
  private runs = 0;
  private previousLabel = -1;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
    this.ring = new Int32Array(capacity).fill(-1);
  }

  /**
   * What the history knows at this point, for a tile rebuilt elsewhere
   * (LabelHistory.restore): the counters over every bin recorded, and the
   * modes of the last `bins` bins (those held; −1 where not).
   */
  snapshot(bins = this.capacity): LabelHistorySnapshot {
    const count = Math.min(bins, this.capacity);
    const labels = new Int32Array(count);
    const from = this.last + 1 - count;
    for (let k = 0; k < count; k++) labels[k] = this.labelAt(from + k);
    return { first: this.first ?? null, last: this.last, labeled: this.labeled, runs: this.runs, previousLabel: this.previousLabel, from, labels };
  }

  /**
   * A history as another had it (snapshot): the same counters and the modes
   * it held, so that recording the bins after `snapshot.last` here gives
   * what recording them there gives.
   */
  static restore(capacity: number, snapshot: LabelHistorySnapshot): LabelHistory {
    const history = new LabelHistory(capacity);
    if (snapshot.first === null) return history;
    history.first = snapshot.first;
    history.last = snapshot.last;
    history.labeled = snapshot.labeled;
    history.runs = snapshot.runs;
    history.previousLabel = snapshot.previousLabel;
    for (let k = 0; k < snapshot.labels.length; k++) {
      const bin = snapshot.from + k;
      if (bin >= snapshot.first && bin > snapshot.last - capacity && bin <= snapshot.last) history.ring[bin % capacity] = snapshot.labels[k];
    }
    return history;
  }

  /** The first bin recorded (undefined before any). */
  get firstBin(): number | undefined {
    return this.first;
  }

  /** The last bin recorded (−1 before any). */
  get lastBin(): number {
    return this.last;
  }

  /** Records the next bin's mode (−1 unlabeled). Bins come in order; a skipped bin counts as unlabeled. */
  record(bin: number, label: number): void {
    if (this.first === undefined) {
      this.first = bin;
      this.last = bin - 1;
    }
    if (bin <= this.last) throw new Error(`internal: label history got bin ${bin} after ${this.last}`);
    for (let skipped = this.last + 1; skipped < bin; skipped++) this.put(skipped, -1);
    this.put(bin, label);
  }

  private put(bin: number, label: number): void {
    this.ring[bin % this.capacity] = label;
    this.last = bin;
    if (label >= 0) {
      this.labeled++;
      if (label !== this.previousLabel) this.runs++;
    }
    this.previousLabel = label;
  }

  /** The mode of `bin`, or −1 when unlabeled or not held (before the first bin, after the last, or overwritten). */
  labelAt(bin: number): number {
    if (this.first === undefined || bin < this.first || bin > this.last || bin <= this.last - this.capacity) return -1;
    return this.ring[bin % this.capacity];
  }

  /** Stretches of one mode seen so far (maximal runs of consecutive bins with one mode). */
  get runCount(): number {
    return this.runs;
  }

  /** Mean length of a mode's stretch, in bins, over every bin recorded (0 before any labeled bin). */
  get meanDwellBins(): number {
    return this.runs === 0 ? 0 : this.labeled / this.runs;
  }
}

/** A LabelHistory's state (LabelHistory.snapshot): counters, and modes of bins from..from+labels.length−1. */
export interface LabelHistorySnapshot {
  first: number | null;
  last: number;
  labeled: number;
  runs: number;
  previousLabel: number;
  from: number;
  labels: Int32Array;
}
