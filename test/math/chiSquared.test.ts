import { describe, expect, it } from 'vitest';
import { chiSquaredSurvival, logGamma, regularizedGammaQ } from '../../src/math/chiSquared.ts';
import { erfc } from '../../src/math/normalQuantile.ts';

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

function logSpaced(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from * (to / from) ** (i / (count - 1)));
}

describe('chiSquaredSurvival against closed forms', () => {
  it('df = 2 is exp(−x/2)', () => {
    for (const x of logSpaced(1e-6, 1400, 200)) {
      expect(relativeError(chiSquaredSurvival(x, 2), Math.exp(-x / 2))).toBeLessThan(1e-14);
    }
  });

  it('df = 1 is erfc(√(x/2))', () => {
    // x = 2y² with y a multiple of 1/16, so √(x/2) = y exactly and the
    // reference carries no rounding of its argument (which would cost x·ε).
    for (let y = 1 / 16; y <= 20; y += 1 / 16) {
      const x = 2 * y * y;
      expect(relativeError(chiSquaredSurvival(x, 1), erfc(y))).toBeLessThan(1e-14);
    }
  });

  it('df = 4 is exp(−x/2)(1 + x/2)', () => {
    for (const x of logSpaced(1e-6, 1400, 200)) {
      const expected = Math.exp(-x / 2) * (1 + x / 2);
      expect(relativeError(chiSquaredSurvival(x, 4), expected)).toBeLessThan(1e-14);
    }
  });

  it('df = 6 is exp(−x/2)(1 + x/2 + x²/8)', () => {
    for (const x of logSpaced(1e-3, 600, 100)) {
      const expected = Math.exp(-x / 2) * (1 + x / 2 + (x * x) / 8);
      expect(relativeError(chiSquaredSurvival(x, 6), expected)).toBeLessThan(1e-14);
    }
  });

  // Critical values from mpmath at 40 digits.
  it.each([
    [3.841458820694124, 1, 0.05],
    [7.814727903251178, 3, 0.05],
    [18.307038053275146, 10, 0.05],
    [23.20925115895436, 10, 0.01],
    [124.34211340400408, 100, 0.05],
    [13.815510557964274, 2, 0.001],
  ])('Q(%s; df %s) = %s', (x, df, p) => {
    expect(relativeError(chiSquaredSurvival(x, df), p)).toBeLessThan(1e-13);
  });

  it('is 1 at and below 0 and 0 at infinity', () => {
    expect(chiSquaredSurvival(0, 3)).toBe(1);
    expect(chiSquaredSurvival(-2, 3)).toBe(1);
    expect(chiSquaredSurvival(Infinity, 3)).toBe(0);
  });

  it('rejects degrees of freedom that are not positive integers', () => {
    for (const df of [0, -1, 1.5, Number.NaN]) {
      expect(() => chiSquaredSurvival(1, df)).toThrow(RangeError);
    }
  });
});

describe('regularizedGammaQ', () => {
  // mpmath gammainc(a, x, inf, regularized=True) at 40 digits.
  it.each([
    [0.5, 0.01, 0.88753708398171511],
    [0.5, 2, 0.045500263896358414],
    [2.5, 1.7, 0.63856992310379509],
    [10.3, 30, 1.0141296529018625e-5],
    [10.3, 3, 0.99925294705126187],
    [50, 50, 0.48119168452795672],
    [50, 80, 0.00013078397659141034],
    [200, 210, 0.23603032549884615],
    [0.1, 5, 0.00014393896584673399],
    [3, 0.5, 0.98561232203302931],
  ])('Q(%s, %s) = %s', (a, x, q) => {
    expect(relativeError(regularizedGammaQ(a, x), q)).toBeLessThan(1e-14);
  });

  it('rejects a ≤ 0 and x < 0', () => {
    expect(() => regularizedGammaQ(0, 1)).toThrow(RangeError);
    expect(() => regularizedGammaQ(1, -1)).toThrow(RangeError);
  });
});

describe('logGamma', () => {
  it.each([
    [0.5, 0.57236494292470009],
    [1.5, -0.12078223763524522],
    [3.7, 1.4280723266653881],
    [10, 12.80182748008147],
    [100.5, 361.43554046777762],
    [1000, 5905.2204232091812],
  ])('ln Γ(%s) = %s', (z, value) => {
    expect(Math.abs(logGamma(z) - value)).toBeLessThan(4e-15 * Math.max(1, Math.abs(value)));
  });

  it('is ln((n−1)!) at integers', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 30; n++) {
      expect(Math.abs(logGamma(n) - logFactorial)).toBeLessThan(4e-15 * Math.max(1, logFactorial));
      logFactorial += Math.log(n);
    }
  });
});
