import { describe, expect, it } from 'vitest';
import { pairCount, pairIndex, pairOfIndex, rowStarts } from '../../src/page/pairIndex.ts';

describe('pair index', () => {
  it('numbers the pairs (i, j), i < j, row by row: i(2U − i − 1)/2 + (j − i − 1)', () => {
    for (const units of [2, 3, 7, 32]) {
      let expected = 0;
      const starts = rowStarts(units);
      for (let i = 0; i < units; i++) {
        for (let j = i + 1; j < units; j++) {
          expect(pairIndex(i, j, units)).toBe(expected);
          expect(pairIndex(j, i, units)).toBe(expected);
          expect(pairOfIndex(expected, starts)).toEqual([i, j]);
          expected++;
        }
      }
      expect(expected).toBe(pairCount(units));
    }
  });

  it('gives 523,776 pairs at 1,024 units, the last being (1022, 1023)', () => {
    expect(pairCount(1024)).toBe(523_776);
    expect(pairIndex(1022, 1023, 1024)).toBe(523_775);
    expect(pairOfIndex(523_775, rowStarts(1024))).toEqual([1022, 1023]);
  });
});
