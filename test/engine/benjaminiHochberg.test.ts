import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, benjaminiHochbergLevels } from '../../src/engine/benjaminiHochberg.ts';

/** The definition, literally: q_i = min over p_j ≥ p_i of min(1, p_j · m / #{k : p_k ≤ p_j}). */
function bruteForce(p: number[]): number[] {
  const m = p.length;
  return p.map((pi) => Math.min(1, ...p.filter((pj) => pj >= pi).map((pj) => (pj * m) / p.filter((pk) => pk <= pj).length)));
}

describe('Benjamini–Hochberg adjusted p (q)', () => {
  it('a worked example: p = 0.01, 0.04, 0.03, 0.20 → q = 0.04, 0.0533, 0.0533, 0.20', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    expect(Array.from(q)).toEqual([0.04, expect.closeTo(0.16 / 3, 15), expect.closeTo(0.16 / 3, 15), 0.2]);
  });

  it('equals the definition, ties included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }), (raw) => {
        const p = raw.map((x) => x / 20);
        const q = benjaminiHochberg(p);
        bruteForce(p).forEach((expected, k) => expect(q[k]).toBeCloseTo(expected, 12));
      }),
      { numRuns: 300 },
    );
  });

  it('by levels (a counting sort) equals the sorted version on the expanded p-values', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 12 }), (counts) => {
        const pOf = (c: number) => (1 + c) / counts.length;
        const q = benjaminiHochbergLevels(counts, pOf);
        const expanded = counts.flatMap((n, c) => Array.from({ length: n }, () => pOf(c)));
        if (expanded.length === 0) return;
        const reference = benjaminiHochberg(expanded);
        let at = 0;
        counts.forEach((n, c) => {
          for (let k = 0; k < n; k++) expect(q[c]).toBeCloseTo(reference[at++], 12);
        });
      }),
      { numRuns: 300 },
    );
  });
});
