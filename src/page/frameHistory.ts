import type { MatrixFrame } from './matrixFrame.ts';
import { SIGNIFICANT_FLAG } from './matrixFrame.ts';
import { pairIndex } from './pairIndex.ts';
import type { UnitId } from './protocol.ts';

/** What the recent frames may hold: about 25 frames at 1,024 units (2.6 MB each), thousands at 32. */
export const DEFAULT_FRAME_BUDGET_BYTES = 64 * 1024 * 1024;
/** At most this many frames whatever their size (an hour at one update a second). */
export const DEFAULT_MAX_FRAMES = 3600;

interface StoredFrame {
  t: number;
  synergy: Float32Array;
  flags: Uint8Array;
  units: number;
  /** Shared by consecutive frames with the same units. */
  indexOf: Map<string, number>;
  byteLength: number;
}

/** A pair's synergy over the stored frames. */
export interface FrameSeries {
  t: number[];
  synergy: number[];
  significant: boolean[];
}

/**
 * The recent matrix frames of one source, oldest first, within a memory
 * budget: selecting any pair shows its recent past at once, not only from
 * the moment it was selected. Oldest frames leave first.
 */
export class MatrixFrameHistory {
  private frames: StoredFrame[] = [];
  private bytes = 0;
  private lastUnits: readonly UnitId[] = [];
  private lastIndex = new Map<string, number>();

  constructor(
    readonly budgetBytes = DEFAULT_FRAME_BUDGET_BYTES,
    readonly maxFrames = DEFAULT_MAX_FRAMES,
  ) {}

  get length(): number {
    return this.frames.length;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** The id → index map for these units: the previous one when the units are the same (the common case), so a frame costs no map. */
  indexFor(units: readonly UnitId[]): Map<string, number> {
    if (!sameUnits(units, this.lastUnits)) {
      this.lastUnits = units;
      this.lastIndex = new Map(units.map((id, i) => [String(id), i]));
    }
    return this.lastIndex;
  }

  /** Keeps a frame (a frame not newer than the last is ignored). */
  push(frame: MatrixFrame): void {
    const last = this.frames.at(-1);
    if (last !== undefined && frame.header.t <= last.t) return;
    const stored: StoredFrame = {
      t: frame.header.t,
      synergy: frame.synergy,
      flags: frame.flags,
      units: frame.header.units.length,
      indexOf: this.indexFor(frame.header.units),
      byteLength: frame.byteLength,
    };
    this.frames.push(stored);
    this.bytes += stored.byteLength;
    let drop = 0;
    let bytes = this.bytes;
    while (this.frames.length - drop > 1 && (bytes > this.budgetBytes || this.frames.length - drop > this.maxFrames)) bytes -= this.frames[drop++].byteLength;
    if (drop > 0) {
      this.frames.splice(0, drop);
      this.bytes = bytes;
    }
  }

  clear(): void {
    this.frames = [];
    this.bytes = 0;
  }

  /** The oldest frame's time, or undefined. */
  get firstT(): number | undefined {
    return this.frames[0]?.t;
  }

  /** Pair (a, b) over the frames that hold both units (the last `lastFrames` of them: a sparkline needs no hour). */
  pairSeries(a: UnitId, b: UnitId, lastFrames = Infinity): FrameSeries {
    const series: FrameSeries = { t: [], synergy: [], significant: [] };
    const [ka, kb] = [String(a), String(b)];
    // Consecutive frames share one unit index: the pair's index is looked up once per run of them.
    let index: Map<string, number> | undefined;
    let k = -1;
    for (let f = Math.max(0, this.frames.length - lastFrames); f < this.frames.length; f++) {
      const frame = this.frames[f];
      if (frame.indexOf !== index) {
        index = frame.indexOf;
        const i = index.get(ka);
        const j = index.get(kb);
        k = i === undefined || j === undefined || i === j ? -1 : pairIndex(i, j, frame.units);
      }
      if (k < 0) continue;
      series.t.push(frame.t);
      series.synergy.push(frame.synergy[k]);
      series.significant.push((frame.flags[k] & SIGNIFICANT_FLAG) !== 0);
    }
    return series;
  }
}

function sameUnits(x: readonly UnitId[], y: readonly UnitId[]): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
