import { describe, expect, it } from 'vitest';
import { colorIndex, divergingRgb, matrixScale, maxAbs, NEUTRAL_INDEX, robustMaxAbs, SYNERGY_LUT } from '../../src/page/colormap.ts';

const unpack = (word: number) => [word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24];

describe('the synergy colormap', () => {
  it('is near white at zero, red for synergy, blue for redundancy, and darker further out', () => {
    const [r0, g0, b0] = divergingRgb(0);
    expect(Math.min(r0, g0, b0)).toBeGreaterThan(240);
    for (const x of [0.2, 0.5, 1]) {
      const [r, g, b] = divergingRgb(x);
      expect(r).toBeGreaterThan(b);
      expect(r).toBeGreaterThan(g);
      const [rn, gn, bn] = divergingRgb(-x);
      expect(bn).toBeGreaterThan(rn);
      expect(bn).toBeGreaterThan(gn);
    }
    const lightness = (x: number) => divergingRgb(x).reduce((sum, c) => sum + c, 0);
    expect(lightness(1)).toBeLessThan(lightness(0.5));
    expect(lightness(-1)).toBeLessThan(lightness(-0.5));
    expect(divergingRgb(3)).toEqual(divergingRgb(1));
  });

  it('maps bits to a table entry symmetric around the neutral one, opaque', () => {
    expect(colorIndex(0, 0.2)).toBe(NEUTRAL_INDEX);
    expect(colorIndex(0.2, 0.2)).toBe(2 * NEUTRAL_INDEX);
    expect(colorIndex(-0.2, 0.2)).toBe(0);
    expect(colorIndex(5, 0.2)).toBe(2 * NEUTRAL_INDEX);
    expect(colorIndex(0.05, 0.2) - NEUTRAL_INDEX).toBe(NEUTRAL_INDEX - colorIndex(-0.05, 0.2));
    expect(colorIndex(Number.NaN, 0.2)).toBe(-1);
    expect(unpack(SYNERGY_LUT[NEUTRAL_INDEX])).toEqual([...divergingRgb(0), 255]);
    expect(unpack(SYNERGY_LUT[2 * NEUTRAL_INDEX])).toEqual([...divergingRgb(1), 255]);
  });

  it('takes a robust max of |synergy|: one extreme pair does not set the scale', () => {
    const values = new Float32Array(10_000).map((_, k) => ((k % 100) - 50) / 1000);
    values[17] = 40;
    const scale = robustMaxAbs(values);
    expect(scale).toBeGreaterThan(0.045);
    expect(scale).toBeLessThan(0.051);
    expect(robustMaxAbs(new Float32Array(10))).toBe(1e-3);
    expect(robustMaxAbs(new Float32Array([Number.NaN, 0.3, -0.6]))).toBeCloseTo(0.6, 6);
  });

  it('scales by the largest |synergy| by default: a planted pair among thousands of noise pairs stands out', () => {
    // 32,640 pairs of noise within ±0.007 bits (what 256 units give) and one planted pair at 0.2 bits.
    const values = new Float32Array(32_640).map((_, k) => (((k * 7919) % 141) - 70) / 10_000);
    values[1234] = -0.2;
    expect(maxAbs(values)).toBeCloseTo(0.2, 6);
    expect(matrixScale(values, 'max')).toBeCloseTo(0.2, 6);
    expect(matrixScale(values, 'p99')).toBeLessThan(0.0071);
    // The noise stays in the palest classes, the planted pair at the end of the scale.
    const scale = matrixScale(values, 'max');
    expect(Math.abs(colorIndex(0.007, scale) - NEUTRAL_INDEX)).toBeLessThan(NEUTRAL_INDEX / 20);
    expect(colorIndex(-0.2, scale)).toBe(0);
    expect(maxAbs(new Float32Array([Number.NaN, 1e-5]))).toBe(1e-3);
  });
});
