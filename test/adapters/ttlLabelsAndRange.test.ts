import { describe, expect, it } from 'vitest';
import { clipBatch } from '../../adapters/timeRange.ts';
import { parseTtlLabels } from '../../adapters/ttlLabels.ts';
import { spikeBatch } from '../../src/stream/events.ts';

describe('parseTtlLabels', () => {
  it('reads STATE=MODE entries: signed lines, hexadecimal words, empty modes as gaps', () => {
    expect([...parseTtlLabels('1=go, -1=rest, 0x10=,2 = left turn')]).toEqual([
      [1, 'go'],
      [-1, 'rest'],
      [16, null],
      [2, 'left turn'],
    ]);
  });

  it('names what is wrong', () => {
    expect(() => parseTtlLabels('go=1')).toThrow(/STATE=MODE entries .* got 'go=1'/);
    expect(() => parseTtlLabels('1=a,1=b')).toThrow(/names state 1 twice/);
    expect(() => parseTtlLabels(' , ')).toThrow(/--ttl-labels is empty/);
  });
});

describe('clipBatch', () => {
  it('keeps start ≤ t < end, and keeps invalid times for the binner to count', () => {
    const batch = spikeBatch([0.5, 1, 1.5, Number.NaN, 2], ['a', 'b', 'a', 'b', 'a']);
    const clipped = clipBatch(batch, { start: 1, end: 2 })!;
    expect(Array.from(clipped.t)).toEqual([1, 1.5, Number.NaN]);
    expect(Array.from(clipped.unit)).toEqual([1, 0, 1]);
    expect(clipBatch(batch, {})).toBe(batch);
    expect(clipBatch(spikeBatch([3], ['a']), { end: 2 })).toBeUndefined();
  });
  it('keeps the positions of the spikes it keeps', () => {
    const batch = { ...spikeBatch([0.5, 1, 1.5, 2], ['a', 'b', 'a', 'b']), position: Float64Array.from([3, 5, 6, 9]) };
    expect(Array.from(clipBatch(batch, { start: 1, end: 2 })!.position!)).toEqual([5, 6]);
  });
});
