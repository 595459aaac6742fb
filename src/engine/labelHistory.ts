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
