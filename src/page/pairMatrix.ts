import { DIAGONAL_PACKED, HALF_STEPS, MISSING_PACKED, SYNERGY_LUT } from './colormap.ts';
import type { MatrixFrame } from './matrixFrame.ts';
import { SIGNIFICANT_FLAG } from './matrixFrame.ts';
import { pairCount, pairIndex } from './pairIndex.ts';
import { compareUnitIds, type PairRecord, type UnitId } from './protocol.ts';

/**
 * The pair matrix the page shows: every pair's synergy (bits) and
 * significance over a list of units, as flat typed arrays in pair index
 * order — from a matrix frame (every pair), or, when the estimator sends no
 * frames (panzeri-treves, shuffle), from an update's top list with the other
 * pairs NaN ("not known").
 */
export class PairMatrix {
  readonly indexOf: Map<string, number>;

  constructor(
    readonly units: readonly UnitId[],
    readonly synergy: Float32Array,
    /** Bit 0: family-wise significant. */
    readonly flags: Uint8Array,
    readonly t: number,
    readonly source: string | null,
    /** Every pair is known (a frame), or only the top list. */
    readonly complete: boolean,
    indexOf?: Map<string, number>,
  ) {
    this.indexOf = indexOf ?? new Map(units.map((id, i) => [String(id), i]));
  }

  static fromFrame(frame: MatrixFrame, indexOf?: Map<string, number>): PairMatrix {
    return new PairMatrix(frame.header.units, frame.synergy, frame.flags, frame.header.t, frame.header.source, true, indexOf);
  }

  /**
   * From a top list: `units` are every id the page has seen (sorted here in
   * canonical order); significance is p_fwer ≤ alpha where both are known.
   */
  static fromPairs(units: Iterable<UnitId>, pairs: readonly PairRecord[], t: number, source: string | null, alpha: number | undefined): PairMatrix {
    const ids = new Map<string, UnitId>();
    for (const id of units) ids.set(String(id), id);
    for (const pair of pairs) {
      ids.set(String(pair.a), pair.a);
      ids.set(String(pair.b), pair.b);
    }
    const sorted = [...ids.values()].sort(compareUnitIds);
    const count = pairCount(sorted.length);
    const synergy = new Float32Array(count).fill(Number.NaN);
    const flags = new Uint8Array(count);
    const matrix = new PairMatrix(sorted, synergy, flags, t, source, false);
    for (const pair of pairs) {
      const k = matrix.pairIndexOf(pair.a, pair.b);
      if (k < 0) continue;
      synergy[k] = pair.synergy;
      if (alpha !== undefined && pair.p_fwer !== undefined && pair.p_fwer <= alpha) flags[k] = SIGNIFICANT_FLAG;
    }
    return matrix;
  }

  /** The index of pair (a, b), or −1 when either unit is not in the matrix or a = b. */
  pairIndexOf(a: UnitId, b: UnitId): number {
    const i = this.indexOf.get(String(a));
    const j = this.indexOf.get(String(b));
    if (i === undefined || j === undefined || i === j) return -1;
    return pairIndex(i, j, this.units.length);
  }

  /** The pair's synergy (NaN: not known) and significance, or undefined when the pair is not in the matrix. */
  valueOf(a: UnitId, b: UnitId): { synergy: number; significant: boolean } | undefined {
    const k = this.pairIndexOf(a, b);
    if (k < 0) return undefined;
    return { synergy: this.synergy[k], significant: (this.flags[k] & SIGNIFICANT_FLAG) !== 0 };
  }
}

/**
 * Fills `pixels` (a U × U image, one pixel per cell, row-major, as a
 * Uint32Array view of ImageData) with the matrix in the given row order:
 * cell (row of i, row of j) and its mirror take the color of pair (i, j) on a
 * scale of ±`scaleBits`. The same pass lists the family-wise significant
 * pairs' cells in `marked` (row, column, row, column, …), so that outlining
 * them needs no second pass over every pair. No allocation while the list
 * has room; returns the list (grown when it had none) and how many cells.
 */
export function fillMatrixPixels(matrix: PairMatrix, rowOf: Int32Array, scaleBits: number, pixels: Uint32Array, marked: Int32Array = new Int32Array(64)): { marked: Int32Array; count: number } {
  const units = matrix.units.length;
  const synergy = matrix.synergy;
  const flags = matrix.flags;
  const lut = SYNERGY_LUT;
  const factor = HALF_STEPS / scaleBits;
  // + 0.5 then truncation: rounding for the entries in range; those below are clamped to 0 anyway.
  const offset = HALF_STEPS + 0.5;
  const top = 2 * HALF_STEPS;
  let count = 0;
  let k = 0;
  for (let i = 0; i < units; i++) {
    const ri = rowOf[i];
    pixels[ri * units + ri] = DIAGONAL_PACKED;
    for (let j = i + 1; j < units; j++, k++) {
      const value = synergy[k];
      let color: number;
      if (value !== value) color = MISSING_PACKED;
      else {
        let entry = (value * factor + offset) | 0;
        entry = entry < 0 ? 0 : entry > top ? top : entry;
        color = lut[entry];
      }
      const rj = rowOf[j];
      pixels[ri * units + rj] = color;
      pixels[rj * units + ri] = color;
      if ((flags[k] & SIGNIFICANT_FLAG) !== 0) {
        if (2 * count + 2 > marked.length) {
          const grown = new Int32Array(2 * marked.length);
          grown.set(marked);
          marked = grown;
        }
        marked[2 * count] = ri;
        marked[2 * count + 1] = rj;
        count++;
      }
    }
  }
  return { marked, count };
}
