import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { analyzeSegments } from '../../src/replay/segmentedAnalysis.ts';
import { TimeJumpSegmenter, timeJumpSegments, type ReplaySegment, type SegmentedItem } from '../../src/replay/timeJumpSegments.ts';
import { spikeBatch, type LabelInterval, type SourceEvent, type SpikeBatch } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';

const describeSpike = (batch: SpikeBatch, index: number) => `spike ${batch.t[index]}`;

/** Every item a segmenter gives for `times` in batches of `size`, then its end. */
function segment(times: number[], size: number, maxJumpSeconds = 600, confirmingSpikes?: number): { items: SegmentedItem[]; segmenter: TimeJumpSegmenter } {
  const segmenter = new TimeJumpSegmenter({ maxJumpSeconds, confirmingSpikes, describe: describeSpike });
  const items: SegmentedItem[] = [];
  for (let k = 0; k < times.length; k += size) {
    const slice = times.slice(k, k + size);
    items.push(...segmenter.push(spikeBatch(slice, slice.map(() => 'u'))));
  }
  items.push(...segmenter.end());
  return { items, segmenter };
}

/** Spike times per segment, in order. */
function segmentTimes(items: SegmentedItem[]): number[][] {
  const out: number[][] = [];
  for (const item of items) {
    if (item.kind === 'segment') out.push([]);
    else out[out.length - 1].push(...item.t);
  }
  return out;
}

const steady = (from: number, count: number, step = 0.5) => Array.from({ length: count }, (_, k) => from + k * step);

describe('TimeJumpSegmenter', () => {
  it('leaves out a spike far after the others when the next ones come back, and names it', () => {
    const times = [...steady(0, 150), 1e7, ...steady(75, 50)];
    const { items, segmenter } = segment(times, 64);
    expect(segmentTimes(items)).toEqual([[...steady(0, 150), ...steady(75, 50)]]);
    expect(segmenter.report).toMatchObject({ outliers: 1, pauses: 0 });
    expect(segmenter.report.outlierExamples).toEqual(['spike 10000000: 10000000 s lies more than the time jump limit (600 s) from the spikes around it; left out as an outlier']);
  });

  it('catches outliers in the first rows too, and a trailing one', () => {
    const times = [4e9, ...steady(10, 120), 1e300, 5e7];
    const { items, segmenter } = segment(times, 7);
    expect(segmentTimes(items)).toEqual([steady(10, 120)]);
    expect(segmenter.report.outliers).toBe(3);
  });

  it('a real pause starts a new segment once 100 spikes confirm it, naming it', () => {
    const times = [...steady(0, 200), ...steady(5000, 200)];
    const { items, segmenter } = segment(times, 33);
    expect(segmentTimes(items)).toEqual([steady(0, 200), steady(5000, 200)]);
    const starts = items.filter((item) => item.kind === 'segment');
    expect(starts).toEqual([
      { kind: 'segment', index: 0, earliestSeconds: 0 },
      { kind: 'segment', index: 1, earliestSeconds: 5000, pause: { fromSeconds: 99.5, toSeconds: 5000, where: 'spike 5000' } },
    ]);
    expect(segmenter.report).toMatchObject({ outliers: 0, pauses: 1 });
  });

  it('fewer than 100 spikes after a jump, to the end of the stream, are outliers; a whole stream of fewer is one segment', () => {
    const { items, segmenter } = segment([...steady(0, 200), ...steady(5000, 99)], 50);
    expect(segmentTimes(items)).toEqual([steady(0, 200)]);
    expect(segmenter.report.outliers).toBe(99);
    expect(segmenter.report.outlierExamples).toHaveLength(5);
    expect(segmentTimes(segment(steady(3, 10), 4).items)).toEqual([steady(3, 10)]);
    expect(segment([], 4).items).toEqual([]);
  });

  it('passes batches whose spikes are all accepted through as they are', () => {
    const segmenter = new TimeJumpSegmenter({ maxJumpSeconds: 600, confirmingSpikes: 2, describe: describeSpike });
    segmenter.push(spikeBatch([0, 1], ['a', 'a']));
    const batch = spikeBatch([2, 3], ['a', 'b']);
    expect(segmenter.push(batch)).toEqual([batch]);
    expect(segmenter.push(batch)[0]).toBe(batch);
  });

  it('timeJumpSegments gives each segment its own batches, and skips over a segment not read to the end', async () => {
    async function* batches(): AsyncGenerator<SpikeBatch> {
      const times = [...steady(0, 300), ...steady(5000, 300), ...steady(20000, 300)];
      for (let k = 0; k < times.length; k += 64) yield spikeBatch(times.slice(k, k + 64), times.slice(k, k + 64).map(() => 'u'));
    }
    const segmenter = new TimeJumpSegmenter({ maxJumpSeconds: 600, describe: describeSpike });
    const seen: Array<{ index: number; spikes: number }> = [];
    for await (const piece of timeJumpSegments(batches(), segmenter)) {
      let spikes = 0;
      for await (const batch of piece.batches) {
        spikes += batch.t.length;
        if (piece.index === 1) break;
      }
      seen.push({ index: piece.index, spikes });
    }
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(seen[0].spikes).toBe(300);
    expect(seen[1].spikes).toBeGreaterThan(0);
    expect(seen[1].spikes).toBeLessThan(300);
    expect(seen[2].spikes).toBe(300);
  });
});

const options: AnalysisOptions = {
  binSeconds: 0.5,
  windowSeconds: 10,
  hopSeconds: 5,
  levels: 3,
  estimator: 'plugin',
  surrogates: 0,
  seed: 0,
  latenessSeconds: 0,
  top: undefined,
};

async function* batchesOf(t: number[], unit: string[], size: number): AsyncGenerator<SpikeBatch> {
  for (let k = 0; k < t.length; k += size) yield spikeBatch(t.slice(k, k + size), unit.slice(k, k + size));
}

/** The replay's analysis of spikes (in batches) and label intervals, segmented with the time jump limit. */
async function segmentedUpdates(t: number[], unit: string[], intervals: LabelInterval[], maxJumpSeconds: number): Promise<{ updates: SynergyUpdate[]; segments: number; outliers: number }> {
  const segmenter = new TimeJumpSegmenter({ maxJumpSeconds, describe: describeSpike });
  let segments = 0;
  async function* counted(): AsyncGenerator<ReplaySegment> {
    for await (const piece of timeJumpSegments(batchesOf(t, unit, 37), segmenter)) {
      segments++;
      yield piece;
    }
  }
  const updates = await lastValueFrom(analyzeSegments(counted(), { analysis: options, intervals, maxJumpSeconds }).pipe(toArray()));
  return { updates, segments, outliers: segmenter.report.outliers };
}

/** Spikes of three units with gaps under `maxGap`, and modes covering them. */
const normalData = (maxGap: number) =>
  fc
    .record({
      offset: fc.double({ min: 0, max: 1e5, noNaN: true }),
      gaps: fc.array(fc.double({ min: 0, max: maxGap, noNaN: true }), { minLength: 120, maxLength: 300 }),
      units: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 300, maxLength: 300 }),
      modes: fc.array(fc.constantFrom('go', 'nogo'), { minLength: 1, maxLength: 60 }),
    })
    .map(({ offset, gaps, units, modes }) => {
      const t: number[] = [];
      let time = offset;
      for (const gap of gaps) t.push((time += gap));
      const span = t[t.length - 1] - t[0] + 1;
      const intervals: LabelInterval[] = modes.map((label, k) => ({ kind: 'interval', start: t[0] + (k * span) / modes.length, end: t[0] + ((k + 1) * span) / modes.length, label }));
      return { t, unit: units.slice(0, t.length), intervals };
    });

describe('outliers and segments (property)', () => {
  it('updates over normal data are those of the plain stream, and unchanged by outliers inserted anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        normalData(3),
        fc.array(fc.record({ at: fc.nat(), t: fc.oneof(fc.double({ min: 1e4 + 2e5, max: 4e9, noNaN: true }), fc.constantFrom(1e7, 4e9)) }), { maxLength: 6 }),
        async ({ t, unit, intervals }, outliers) => {
          const plain = await lastValueFrom(from([...intervals, spikeBatch(t, unit)] as SourceEvent[]).pipe(analyzeStream(options), toArray()));
          const clean = await segmentedUpdates(t, unit, intervals, 50);
          expect(clean.updates).toEqual(plain);
          expect(clean.segments).toBe(1);
          const withOutliers = { t: [...t], unit: [...unit] as string[] };
          for (const outlier of outliers) {
            const at = outlier.at % (withOutliers.t.length + 1);
            withOutliers.t.splice(at, 0, outlier.t);
            withOutliers.unit.splice(at, 0, 'z');
          }
          const dirty = await segmentedUpdates(withOutliers.t, withOutliers.unit, intervals, 50);
          expect(dirty.updates).toEqual(plain);
          expect(dirty.outliers).toBe(outliers.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('any sequence of times gives a bounded number of updates: each segment spans at most (its spikes) × the jump limit', async () => {
    const time = fc.oneof(fc.double({ min: 0, max: 4.3e9, noNaN: true }), fc.double({ min: 0, max: 2000, noNaN: true }), fc.constantFrom(0, 1e7, 4e9, 2 ** 32));
    await fc.assert(
      fc.asyncProperty(fc.array(time, { maxLength: 400 }), fc.boolean(), async (times, sorted) => {
        const t = sorted ? [...times].sort((a, b) => a - b) : times;
        const maxJump = 50;
        const { updates, segments } = await segmentedUpdates(t, t.map(() => 'u'), [{ kind: 'interval', start: 0, end: 1e10, label: 'go' }], maxJump);
        // Per segment: the span (at most spikes × J), plus J before it that labels may open, plus one hop.
        expect(updates.length).toBeLessThanOrEqual(((t.length + segments) * maxJump) / options.hopSeconds + 2 * segments);
        for (let k = 1; k < updates.length; k++) expect(updates[k].t).toBeGreaterThan(updates[k - 1].t);
      }),
      { numRuns: 60 },
    );
  });
});
