import { describe, expect, it } from 'vitest';
import { digamma } from '../../src/math/digamma.ts';

const EULER_GAMMA = 0.5772156649015329;

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

/** ψ(n) = H_{n−1} − γ for integers n ≥ 1 (A&S 6.3.2). */
function digammaOfInteger(n: number): number {
  let harmonic = 0;
  for (let k = 1; k < n; k++) harmonic += 1 / k;
  return harmonic - EULER_GAMMA;
}

/** ψ(n + ½) = −γ − 2 ln 2 + Σ_{k=1..n} 2/(2k − 1) (A&S 6.3.4). */
function digammaOfHalfInteger(n: number): number {
  let sum = 0;
  for (let k = 1; k <= n; k++) sum += 2 / (2 * k - 1);
  return -EULER_GAMMA - 2 * Math.LN2 + sum;
}

describe('digamma', () => {
  it('ψ(1) = −γ and ψ(½) = −γ − 2 ln 2', () => {
    expect(relativeError(digamma(1), -EULER_GAMMA)).toBeLessThan(1e-15);
    expect(relativeError(digamma(0.5), -EULER_GAMMA - 2 * Math.LN2)).toBeLessThan(1e-15);
  });

  it('matches other closed forms: ψ(¼), ψ(⅓), ψ(2)', () => {
    // A&S 6.3.3 and Gauss's digamma theorem.
    expect(relativeError(digamma(0.25), -EULER_GAMMA - Math.PI / 2 - 3 * Math.LN2)).toBeLessThan(1e-14);
    expect(
      relativeError(digamma(1 / 3), -EULER_GAMMA - Math.PI / (2 * Math.sqrt(3)) - 1.5 * Math.log(3)),
    ).toBeLessThan(1e-14);
    expect(relativeError(digamma(2), 1 - EULER_GAMMA)).toBeLessThan(1e-15);
  });

  it('equals H_{n−1} − γ at integers and the half-integer series at n + ½ (the values the Gaussian bias uses)', () => {
    for (let n = 1; n <= 600; n++) {
      expect(relativeError(digamma(n), digammaOfInteger(n))).toBeLessThan(2e-14);
      expect(relativeError(digamma(n + 0.5), digammaOfHalfInteger(n))).toBeLessThan(2e-14);
    }
  });

  it('satisfies the recurrence ψ(x + 1) = ψ(x) + 1/x', () => {
    for (const x of [1e-6, 0.01, 0.3, 1.4616321449683622, 2.5, 7.9, 9.99, 10, 10.01, 33.3, 1e4]) {
      const left = digamma(x + 1);
      const right = digamma(x) + 1 / x;
      // ψ(x) + 1/x cancels for small x: scale by the terms, not the sum.
      expect(Math.abs(left - right)).toBeLessThan(1e-14 * Math.max(1, Math.abs(left), 1 / x));
    }
  });

  it('follows the asymptotic ln x − 1/(2x) − 1/(12x²) for large x', () => {
    for (const x of [1e3, 1e5, 1e8, 1e12]) {
      const asymptotic = Math.log(x) - 1 / (2 * x) - 1 / (12 * x * x);
      // The next term is 1/(120 x⁴).
      expect(Math.abs(digamma(x) - asymptotic)).toBeLessThan(1 / (100 * x ** 4) + 4e-16 * Math.log(x));
    }
    expect(digamma(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('has its root at x₀ = 1.4616321449683622 and poles (NaN) at 0, −1, −2', () => {
    expect(Math.abs(digamma(1.4616321449683622))).toBeLessThan(1e-15);
    expect(digamma(0)).toBeNaN();
    expect(digamma(-1)).toBeNaN();
    expect(digamma(-2)).toBeNaN();
    expect(digamma(Number.NaN)).toBeNaN();
  });

  it('satisfies the reflection ψ(1 − x) − ψ(x) = π cot(πx) for negative x', () => {
    expect(relativeError(digamma(-0.5), digammaOfHalfInteger(1))).toBeLessThan(1e-14); // ψ(−½) = ψ(½) + 2
    for (const x of [-0.25, -1.5, -2.7, -10.1]) {
      expect(Math.abs(digamma(1 - x) - digamma(x) - Math.PI / Math.tan(Math.PI * x))).toBeLessThan(1e-12);
    }
  });
});
