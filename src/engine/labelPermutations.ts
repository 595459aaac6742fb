import { SeededRandom } from '../math/seededRandom.ts';
import type { WindowBin } from './windowReadout.ts';

/**
 * A bin's label changed under surrogate `surrogate` (0-based): the
 * surrogate's tables must move `entry` from mode `from` to mode `to`.
 */
export type Relabel = (surrogate: number, entry: WindowBin, from: number, to: number) => void;

/**
 * Permutation surrogates for exchangeable samples (trials, the rows of a
 * snapshot; docs/MEASURES.md, "Significance on trials and snapshots"): under
 * each of `count` surrogates every labeled bin of the window carries the
 * label of another bin, by a **uniformly random permutation** σ_k of the
 * window's labeled bins, drawn afresh for every surrogate and independent of
 * the data. The observation and the surrogates are then exchangeable under
 * the null hypothesis that the labels are exchangeable among the window's
 * samples, which makes p = (1 + #) / (1 + count) an exact permutation test
 * (and the max-T family-wise p exact too).
 *
 * Kept incrementally as bins enter and leave a sliding window, O(1) table
 * moves per bin and surrogate (the Chinese-restaurant construction):
 * - entering, bin e is either a fixed point (probability 1/(n+1)) or is
 *   put after a uniformly chosen present bin j in j's cycle: j now carries
 *   e's label and e the label j carried. From a uniform permutation of n
 *   bins this gives a uniform permutation of n + 1 (each of the (n+1)!
 *   results comes from exactly one permutation and one choice);
 * - leaving, bin e is cut out of its cycle: the bin that carried e's label
 *   carries the label e carried. This maps the (n)! permutations n-to-1
 *   onto those of n − 1 bins, so uniform stays uniform.
 * So at every emission each σ_k is uniform over the window's labeled bins,
 * whatever came before. The draws depend on the seed and on the sequence of
 * bins seen (not on spikes or labels), so every tile of an analysis, seeing
 * the same bins, keeps the same permutations.
 */
export class LabelPermutations {
  private readonly random: SeededRandom;
  /** Window slot (bin mod windowBins) → the bin held there (labeled bins only). */
  private readonly entries: (WindowBin | undefined)[];
  /** The labeled slots present, in no order, and each slot's place in that list (−1: absent). */
  private readonly present: Int32Array;
  private readonly place: Int32Array;
  private n = 0;
  /** carries[k·W + s]: the slot whose label slot s carries under surrogate k; carrier, its inverse. */
  private readonly carries: Int32Array;
  private readonly carrier: Int32Array;

  constructor(
    readonly count: number,
    readonly windowBins: number,
    seed: number,
  ) {
    this.random = new SeededRandom(seed, 'label-permutations');
    this.entries = new Array(windowBins);
    this.present = new Int32Array(windowBins);
    this.place = new Int32Array(windowBins).fill(-1);
    this.carries = new Int32Array(count * windowBins);
    this.carrier = new Int32Array(count * windowBins);
  }

  /** Labeled bins in the window. */
  get size(): number {
    return this.n;
  }

  /**
   * A labeled bin enters: writes its label under each surrogate into
   * `labels` (length ≥ count), and calls `relabel` for every other bin whose
   * label changed.
   */
  enter(entry: WindowBin, labels: Int32Array, relabel: Relabel): void {
    const W = this.windowBins;
    const s = slotOf(entry.bin, W);
    if (this.place[s] >= 0) throw new Error(`internal: bin ${entry.bin} entered the permutations twice`);
    this.entries[s] = entry;
    for (let k = 0; k < this.count; k++) {
      const base = k * W;
      const j = this.random.nextInt(this.n + 1);
      if (j === this.n) {
        this.carries[base + s] = s;
        this.carrier[base + s] = s;
        labels[k] = entry.label;
        continue;
      }
      const other = this.present[j];
      const held = this.carries[base + other];
      this.carries[base + other] = s;
      this.carrier[base + s] = other;
      this.carries[base + s] = held;
      this.carrier[base + held] = s;
      const heldLabel = this.entries[held]!.label;
      labels[k] = heldLabel;
      if (heldLabel !== entry.label) relabel(k, this.entries[other]!, heldLabel, entry.label);
    }
    this.place[s] = this.n;
    this.present[this.n++] = s;
  }

  /**
   * A labeled bin leaves: writes the labels it carried under each surrogate
   * into `labels`, and calls `relabel` for the bins whose label changed.
   */
  leave(entry: WindowBin, labels: Int32Array, relabel: Relabel): void {
    const W = this.windowBins;
    const s = slotOf(entry.bin, W);
    if (this.place[s] < 0 || this.entries[s] !== entry) throw new Error(`internal: bin ${entry.bin} left the permutations without entering`);
    for (let k = 0; k < this.count; k++) {
      const base = k * W;
      const held = this.carries[base + s];
      const before = this.carrier[base + s];
      labels[k] = this.entries[held]!.label;
      if (before === s) continue;
      // The bin that carried this one's label now carries what this one carried.
      this.carries[base + before] = held;
      this.carrier[base + held] = before;
      const heldLabel = this.entries[held]!.label;
      if (heldLabel !== entry.label) relabel(k, this.entries[before]!, entry.label, heldLabel);
    }
    const at = this.place[s];
    const last = this.present[--this.n];
    this.present[at] = last;
    this.place[last] = at;
    this.place[s] = -1;
    this.entries[s] = undefined;
  }

  /**
   * For windows filled at once (tumbling windows): `count` independent
   * uniformly random permutations of `labels` (Fisher–Yates), surrogate k's
   * at [k·n, (k+1)·n). The windows kept bin by bin do not use this.
   */
  drawPermutations(labels: Int32Array): Int32Array {
    const n = labels.length;
    const out = new Int32Array(this.count * n);
    for (let k = 0; k < this.count; k++) {
      const row = out.subarray(k * n, (k + 1) * n);
      row.set(labels);
      this.random.shuffle(row);
    }
    return out;
  }

  /** The label each present bin carries under surrogate k, by bin (for checks against a batch computation). */
  labelsOf(k: number): Map<number, number> {
    const out = new Map<number, number>();
    const base = k * this.windowBins;
    for (let x = 0; x < this.n; x++) {
      const s = this.present[x];
      out.set(this.entries[s]!.bin, this.entries[this.carries[base + s]]!.label);
    }
    return out;
  }
}

function slotOf(bin: number, windowBins: number): number {
  return ((bin % windowBins) + windowBins) % windowBins;
}
