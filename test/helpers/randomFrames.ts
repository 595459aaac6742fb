import type { LabeledFrame } from '../../src/engine/countFrame.ts';
import { mulberry32 } from './randomTables.ts';

export interface RandomFramesOptions {
  seed: number;
  /** Units by the end (they appear over the first half). */
  units: number;
  /** Modes by the end (they appear over the first third). */
  modes: number;
  /** Bins in all, and per frame at most. */
  bins: number;
  maxFrameBins: number;
  /** Chance a unit fires in a bin. */
  rate?: number;
  /** Chance a bin is unlabeled. */
  unlabeled?: number;
  /** Units after the planted pair whose spikes follow the mode (redundant pairs). */
  coupled?: number;
}

/**
 * A random stream of labeled frames as binSpikes → attachLabels make them:
 * consecutive bins from bin 0, units ascending within a bin, unit ids
 * registered in order of first spike (new units mid-stream), modes that
 * appear over time and dwell for a while, unlabeled bins now and then.
 * Units 0 and 1, and the last two, are planted synergistic pairs (together
 * in even modes, apart in odd ones), and `coupled` more follow the mode (redundant pairs),
 * so that the top pairs and the significance are not all ties.
 */
export function randomFrames(options: RandomFramesOptions): LabeledFrame[] {
  const random = mulberry32(options.seed);
  const rate = options.rate ?? 0.15;
  const unlabeledShare = options.unlabeled ?? 0.05;
  const coupled = options.coupled ?? Math.min(4, options.units);
  const unitIds: string[] = [];
  const labelNames: string[] = [];
  const frames: LabeledFrame[] = [];
  let mode = 0;
  let bin = 0;
  while (bin < options.bins) {
    const binCount = Math.min(options.bins - bin, 1 + Math.floor(random() * options.maxFrameBins));
    const offsets = new Uint32Array(binCount + 1);
    const unit: number[] = [];
    const count: number[] = [];
    const label = new Int32Array(binCount);
    for (let b = 0; b < binCount; b++) {
      const at = bin + b;
      const knownModes = Math.max(1, Math.min(options.modes, 1 + Math.floor((3 * options.modes * at) / options.bins)));
      if (random() < 0.1) mode = Math.floor(random() * knownModes);
      while (labelNames.length < knownModes) labelNames.push(`mode ${labelNames.length}`);
      label[b] = random() < unlabeledShare ? -1 : mode;
      // Units registered so far may fire; a new one appears now and then over the first half.
      const wanted = Math.min(options.units, Math.ceil((2 * options.units * (at + 1)) / options.bins));
      // Units 0 and 1, and the last two, carry the mode together only (synergy): in even modes each pair fires
      // together, in odd ones apart.
      const planted = new Map<number, boolean>();
      for (const [x, y] of [[0, 1], [options.units - 2, options.units - 1]]) {
        const first = random() < 0.4;
        planted.set(x, first);
        planted.set(y, mode % 2 === 0 ? first : !first);
      }
      for (let u = 0; u < wanted && u <= unitIds.length; u++) {
        const driven = u >= 2 && u < 2 + coupled && mode % 2 === u % 2;
        const fires = planted.get(u) ?? random() < (driven ? 3 * rate : rate);
        if (!fires) continue;
        // A unit registers with its first spike: its index is its place in the registry.
        if (u === unitIds.length) unitIds.push(String(100 + u));
        unit.push(u);
        count.push(1 + Math.floor(random() * random() * 4));
      }
      offsets[b + 1] = unit.length;
    }
    frames.push({
      firstBin: bin,
      binCount,
      offsets,
      unit: Uint32Array.from(unit),
      count: Uint32Array.from(count),
      unitIds: [...unitIds],
      label,
      labelNames: [...labelNames],
    });
    bin += binCount;
  }
  return frames;
}
