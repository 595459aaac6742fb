import { describe, expect, it } from 'vitest';
import { DIAGONAL_PACKED, MISSING_PACKED, NEUTRAL_INDEX, SYNERGY_LUT } from '../../src/page/colormap.ts';
import { decodeMatrixFrame, encodeMatrixFrame } from '../../src/page/matrixFrame.ts';
import { fillMatrixPixels, PairMatrix } from '../../src/page/pairMatrix.ts';
import { rowsOf } from '../../src/page/unitOrder.ts';

describe('the pair matrix', () => {
  const frame = decodeMatrixFrame(encodeMatrixFrame({ source: null, t: 5, units: [4, 9, 20], alpha: 0.05, significant: 1, modes: [] }, [0.2, 0, -0.2], [1, 0, 0]));

  it('reads a pair from a frame in either order', () => {
    const matrix = PairMatrix.fromFrame(frame);
    expect(matrix.valueOf(9, 4)).toEqual({ synergy: Math.fround(0.2), significant: true });
    expect(matrix.valueOf(9, 20)).toEqual({ synergy: Math.fround(-0.2), significant: false });
    expect(matrix.valueOf(9, 9)).toBeUndefined();
    expect(matrix.valueOf(9, 77)).toBeUndefined();
  });

  it('fills one pixel a cell, mirrored, in the given row order, the diagonal gray', () => {
    const matrix = PairMatrix.fromFrame(frame);
    const pixels = new Uint32Array(9);
    // Rows: unit 20 first, then 4, then 9.
    fillMatrixPixels(matrix, rowsOf(Int32Array.from([2, 0, 1])), 0.2, pixels);
    const [red, white, blue] = [SYNERGY_LUT[2 * NEUTRAL_INDEX], SYNERGY_LUT[NEUTRAL_INDEX], SYNERGY_LUT[0]];
    const D = DIAGONAL_PACKED;
    expect([...pixels]).toEqual([D, white, blue, white, D, red, blue, red, D]);
  });

  it('from a top list: the other pairs not known (NaN, drawn apart), significance from p_fwer ≤ alpha', () => {
    const matrix = PairMatrix.fromPairs([1], [{ a: 3, b: 11, joint: 0.2, ia: 0, ib: 0, synergy: 0.15, p_fwer: 0.01 }, { a: 1, b: 3, joint: 0.1, ia: 0.05, ib: 0.04, synergy: 0.01, p_fwer: 0.5 }], 30, null, 0.05);
    expect(matrix.units).toEqual([1, 3, 11]);
    expect(matrix.complete).toBe(false);
    expect(matrix.valueOf(3, 11)).toEqual({ synergy: Math.fround(0.15), significant: true });
    expect(matrix.valueOf(1, 3)?.significant).toBe(false);
    expect(matrix.valueOf(1, 11)?.synergy).toBeNaN();
    const pixels = new Uint32Array(9);
    fillMatrixPixels(matrix, rowsOf(Int32Array.from([0, 1, 2])), 0.15, pixels);
    expect(pixels[2]).toBe(MISSING_PACKED);
  });
});
