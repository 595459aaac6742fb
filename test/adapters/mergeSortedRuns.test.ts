import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSortedRuns, type SpikeChunk } from '../../adapters/mergeSortedRuns.ts';
import type { RecordedSpikeBatch } from '../../adapters/recording.ts';
import type { SpikeBatch } from '../../src/stream/events.ts';

async function* chunked(t: number[], unit: number, chunkSize: number): AsyncGenerator<SpikeChunk> {
  for (let k = 0; k < t.length; k += chunkSize) yield { t: Float64Array.from(t.slice(k, k + chunkSize)), unit };
}

async function collect(batches: AsyncIterable<SpikeBatch>): Promise<{ t: number[]; unit: number[]; sizes: number[] }> {
  const out = { t: [] as number[], unit: [] as number[], sizes: [] as number[] };
  for await (const batch of batches) {
    out.t.push(...batch.t);
    out.unit.push(...batch.unit);
    out.sizes.push(batch.t.length);
  }
  return out;
}

describe('mergeSortedRuns', () => {
  it('merges sorted runs into time order, ties to the run listed first', async () => {
    const ids = ['a', 'b', 'c'];
    const merged = await collect(
      mergeSortedRuns([chunked([0.1, 0.5, 0.5, 0.9], 0, 2), chunked([0.2, 0.3, 0.5], 1, 1), chunked([], 2, 4), chunked([0.05, 1.5], 2, 8)], ids, 3),
    );
    expect(merged.t).toEqual([0.05, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.9, 1.5]);
    expect(merged.unit).toEqual([2, 0, 1, 1, 0, 0, 1, 0, 2]);
    expect(merged.sizes).toEqual([3, 3, 3]);
  });

  it('equals a stable sort of all spikes, for any runs and chunk sizes (property)', async () => {
    const run = fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }).map((xs) => xs.sort((a, b) => a - b).map((x) => x / 10));
    await fc.assert(
      fc.asyncProperty(fc.array(run, { maxLength: 8 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 20 }), async (runs, chunkSize, batchSize) => {
        const merged = await collect(mergeSortedRuns(runs.map((t, r) => chunked(t, r, chunkSize)), runs.map((_, r) => String(r)), batchSize));
        const expected = runs.flatMap((t, r) => t.map((time) => ({ time, r }))).sort((x, y) => x.time - y.time || x.r - y.r);
        expect(merged.t).toEqual(expected.map((e) => e.time));
        expect(merged.unit).toEqual(expected.map((e) => e.r));
        expect(merged.sizes.slice(0, -1).every((size) => size === batchSize)).toBe(true);
      }),
    );
  });

  it('passes an unsorted run through in its own order (the binner judges lateness), losing nothing', async () => {
    const merged = await collect(mergeSortedRuns([chunked([0.1, 0.4, 0.2], 0, 8), chunked([0.3], 1, 8)], ['a', 'b']));
    expect(merged.t).toEqual([0.1, 0.3, 0.4, 0.2]);
  });

  it('carries the position of every spike: chunks of consecutive positions or one per spike', async () => {
    async function* positioned(t: number[], first: number): AsyncGenerator<SpikeChunk> {
      yield { t: Float64Array.from(t), unit: 0, position: first };
    }
    async function* listed(): AsyncGenerator<SpikeChunk> {
      yield { t: Float64Array.from([0.15, 0.35]), unit: 1, position: Float64Array.from([70, 90]) };
    }
    const positions: number[] = [];
    for await (const batch of mergeSortedRuns([positioned([0.1, 0.2, 0.3, 0.4], 10), listed()], ['a', 'b'], 3)) {
      positions.push(...(batch as RecordedSpikeBatch).position!);
    }
    expect(positions).toEqual([10, 70, 11, 12, 90, 13]);
  });

  it('takes per-spike unit indices', async () => {
    async function* mixed(): AsyncGenerator<SpikeChunk> {
      yield { t: Float64Array.from([0.1, 0.2]), unit: Uint32Array.from([1, 0]) };
    }
    const merged = await collect(mergeSortedRuns([mixed(), chunked([0.15], 2, 1)], ['a', 'b', 'c']));
    expect(merged.unit).toEqual([1, 2, 0]);
  });
});
