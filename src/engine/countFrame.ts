/**
 * Consecutive complete bins with their spike counts, columnar (CSR): the
 * units that fired in bin `firstBin + b` are `unit[offsets[b] … offsets[b+1])`,
 * with `count[…]` spikes each. Silent units are absent. Unit indices point
 * into `unitIds`, the analyzer's registry (grows as units appear).
 */
export interface CountFrame {
  readonly firstBin: number;
  readonly binCount: number;
  readonly offsets: Uint32Array;
  readonly unit: Uint32Array;
  readonly count: Uint32Array;
  readonly unitIds: readonly string[];
}

/** A CountFrame with each bin's mode: label index into `labelNames`, or −1 (unlabeled). */
export interface LabeledFrame extends CountFrame {
  readonly label: Int32Array;
  readonly labelNames: readonly string[];
}
