/**
 * Simulated recordings for the sub-network tests and bench: i.i.d. binary (or
 * `levels`-ary) units, a mode sequence in blocks, and planted multiplets:
 * - a parity of the mode: members are fair and independent except the last,
 *   X_last = Y ⊕ X_others (flipped with probability `flip`), so the parity of
 *   the multiplet equals the mode with probability 1 − flip while every proper
 *   subset is independent of Y (and of each other): ∂_YΩ ≈ −(k − 1)·(1 − h(flip));
 * - a parity among units: X_last = X_others' parity (flipped with `flip`),
 *   independent of Y: Ω ≈ −(1 − h(flip)) for any k ≥ 3.
 * Windows are views into the recording (no copies), with label surrogates by
 * circular shifts of the window's label column.
 */
import { SeededRandom } from '../../src/math/seededRandom.ts';
import type { MultipletWindow } from '../../src/subnetworks/subnetworkSearch.ts';

export interface RecordingOptions {
  units: number;
  bins: number;
  seed: number;
  levels?: number;
  modes?: number;
  /** Mean length of a mode's block, bins (geometric). */
  modeDwellBins?: number;
  /** Parities of the mode (unit index lists). */
  modeParities?: number[][];
  /** Parities among units, independent of the mode. */
  unitParities?: number[][];
  /** Probability that a planted parity is flipped (default 0.1). */
  flip?: number;
  /**
   * 'uniform' (default): every symbol equally likely, i.i.d.; 'spikes':
   * Poisson counts clipped to levels − 1, each unit firing at its own rate
   * (log-uniform 1 … 20 Hz in 20 ms bins), as binned spike counts are.
   */
  symbols?: 'uniform' | 'spikes';
}

export interface Recording {
  columns: Uint8Array[];
  labels: Int32Array;
  levels: number;
  modes: number;
}

export function plantedRecording(options: RecordingOptions): Recording {
  const { units, bins, seed } = options;
  const levels = options.levels ?? 2;
  const modes = options.modes ?? 2;
  const dwell = options.modeDwellBins ?? 40;
  const flip = options.flip ?? 0.1;
  const random = new SeededRandom(seed, 'planted-recording');
  const columns = Array.from({ length: units }, () => new Uint8Array(bins));
  if (options.symbols === 'spikes') {
    for (const column of columns) {
      const meanCount = 0.02 * Math.exp(Math.log(1) + random.next() * Math.log(20));
      // Poisson by inversion, clipped.
      const zero = Math.exp(-meanCount);
      for (let n = 0; n < bins; n++) {
        let k = 0;
        let p = zero;
        let cumulative = p;
        const u = random.next();
        while (u > cumulative && k < levels - 1) {
          k++;
          p *= meanCount / k;
          cumulative += p;
        }
        column[n] = k;
      }
    }
  } else if (levels === 2) {
    // 32 fair bits a draw.
    for (const column of columns) {
      for (let n = 0; n < bins; n += 32) {
        const bits = random.nextUint32();
        for (let b = 0; b < 32 && n + b < bins; b++) column[n + b] = (bits >>> b) & 1;
      }
    }
  } else {
    for (const column of columns) for (let n = 0; n < bins; n++) column[n] = random.nextInt(levels);
  }
  const labels = new Int32Array(bins);
  let mode = random.nextInt(modes);
  for (let n = 0; n < bins; n++) {
    if (random.next() < 1 / dwell) mode = (mode + 1 + random.nextInt(modes - 1)) % modes;
    labels[n] = mode;
  }
  const plant = (members: number[], source: (n: number) => number) => {
    const last = columns[members[members.length - 1]];
    for (let n = 0; n < bins; n++) {
      let parity = source(n) & 1;
      for (let i = 0; i < members.length - 1; i++) parity ^= columns[members[i]][n] & 1;
      if (random.next() < flip) parity ^= 1;
      last[n] = parity;
    }
  };
  for (const members of options.modeParities ?? []) plant(members, (n) => labels[n]);
  for (const members of options.unitParities ?? []) plant(members, () => 0);
  return { columns, labels, levels, modes };
}

/** A window of `length` bins starting at `start`, with K label surrogates by circular shifts of at least `minimumLag` bins. */
export function windowOf(
  recording: Recording,
  start: number,
  length: number,
  surrogates: number,
  random: SeededRandom,
  extra: Pick<MultipletWindow, 'groups' | 'strongPairs'> = {},
): MultipletWindow {
  const labels = recording.labels.subarray(start, start + length);
  const minimumLag = Math.min(Math.floor(length / 4), 200);
  const surrogateLabels = Array.from({ length: surrogates }, () => {
    const lag = minimumLag + random.nextInt(length - 2 * minimumLag + 1);
    const shifted = new Int32Array(length);
    shifted.set(labels.subarray(lag), 0);
    shifted.set(labels.subarray(0, lag), length - lag);
    return shifted;
  });
  return {
    columns: recording.columns.map((column) => column.subarray(start, start + length)),
    levels: recording.levels,
    modes: recording.modes,
    labels,
    surrogateLabels,
    ...extra,
  };
}
