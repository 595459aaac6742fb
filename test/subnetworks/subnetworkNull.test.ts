/** Acceptance: on a null population no multiplet is significant (p ≤ 0.05) in ≥ 95 % of independent hops, 'previous-window' split. */
import { describe, it } from 'vitest';
import { expectCalibrated } from './acceptance.ts';
import { measureNullRate } from './nullRate.ts';

describe('null population, selection on the previous window', () => {
  it('has a family-wise false alarm rate of 5 % over 200 independent windows', () => {
    expectCalibrated('previous-window', measureNullRate({ kind: 'previous-window', windowHops: 1 }, 200, 31));
  });
});
