import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalQuantile } from '../../src/math/normalQuantile.ts';

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

// Reference values from mpmath at 40 digits.
describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.025, -1.959963984540054],
    [1e-10, -6.361340902404056],
    [0.3, -0.5244005127080408],
    [0.999, 3.0902323061678133],
    [0.02, -2.053748910631823],
    [1e-20, -9.262340089798408],
    [1e-100, -21.273453560965324],
    [1e-300, -37.0470962993612],
  ])('Φ⁻¹(%s) = %s', (p, z) => {
    expect(relativeError(normalQuantile(p), z)).toBeLessThan(1e-15);
  });

  it('is odd about ½: Φ⁻¹(1 − p) = −Φ⁻¹(p)', () => {
    for (const p of [0.001, 0.01, 0.1, 0.2, 0.4, 0.49]) {
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 12);
    }
  });

  it('round-trips with normalCdf to 1e-12 over a grid of probabilities', () => {
    for (let step = 1; step < 1000; step++) {
      const p = step / 1000;
      expect(relativeError(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-12);
    }
    for (let exponent = -300; exponent <= -1; exponent++) {
      const p = 10 ** exponent;
      expect(relativeError(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-12);
    }
  });

  it('round-trips the other way over a grid of z in the lower tail', () => {
    // Only z ≤ 0: above, Φ(z) rounds toward 1 and no longer determines z.
    for (let z = -37; z <= 0; z += 0.125) {
      expect(Math.abs(normalQuantile(normalCdf(z)) - z)).toBeLessThan(1e-13 * Math.max(1, Math.abs(z)));
    }
  });

  it('rejects probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN, Infinity]) {
      expect(() => normalQuantile(p)).toThrow(RangeError);
    }
  });
});

describe('normalCdf', () => {
  it.each([
    [-37, 5.7255712225245768e-300],
    [-20, 2.7536241186062337e-89],
    [-10, 7.6198530241605261e-24],
    [-5, 2.8665157187919391e-7],
    [-1.5, 0.066807201268858066],
    [-1, 0.15865525393145705],
    [-0.3, 0.38208857781104737],
    [0, 0.5],
    [0.3, 0.61791142218895263],
    [0.6, 0.72574688224992641],
    [1, 0.84134474606854295],
    [2, 0.97724986805182079],
    [5, 0.99999971334842812],
  ])('Φ(%s) = %s', (x, p) => {
    expect(relativeError(normalCdf(x), p)).toBeLessThan(1e-15);
  });

  it('has the right limits', () => {
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-40)).toBe(0);
    expect(Number.isNaN(normalCdf(Number.NaN))).toBe(true);
  });
});

describe('erfc', () => {
  it.each([
    [-2, 1.9953222650189527],
    [-0.2, 1.2227025892104785],
    [0.1, 0.8875370839817151],
    [0.4, 0.57160764495333152],
    [0.5, 0.47950012218695346],
    [1, 0.15729920705028513],
    [3, 2.2090496998585441e-5],
    [5, 1.5374597944280349e-12],
    [10, 2.0884875837625448e-45],
    [26, 5.6631924088561428e-296],
  ])('erfc(%s) = %s', (x, value) => {
    expect(relativeError(erfc(x), value)).toBeLessThan(1e-15);
  });
});
