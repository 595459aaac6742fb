/** Acceptance: the planted triplet and quadruplet of plantedStream.ts are reported with p ≤ 0.01 within 120 hops, 'halves' split. */
import { describe, it } from 'vitest';
import { expectDetected } from './acceptance.ts';

describe('planted synergistic multiplets in a stream, selection on the older half of each window', () => {
  it('reports the triplet and the quadruplet with p ≤ 0.01 within 120 hops, each under one id from then on', () => {
    expectDetected({ kind: 'halves' });
  });
});
