import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import { LabelTimeline } from '../../src/engine/labelTimeline.ts';
import { MAX_FRAME_BINS, SpikeBinner } from '../../src/engine/spikeBinner.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { binOf, MAX_EVENT_SECONDS } from '../../src/stream/binIndex.ts';
import { spikeBatch, type SourceEvent } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { referenceEmissions } from '../helpers/streamReference.ts';

const options: AnalysisOptions = {
  binSeconds: 0.1,
  windowSeconds: 2,
  hopSeconds: 1,
  levels: 3,
  estimator: 'plugin',
  surrogates: 0,
  seed: 0,
  latenessSeconds: 0.5,
  top: undefined,
};

describe('bins (DESIGN §3)', () => {
  it('decimal times land where a person expects', () => {
    expect(0.3 / 0.1).toBeLessThan(3); // 2.9999999999999996 in floating point
    expect(binOf(4397.1, 0.1)).toBe(43971);
    expect(binOf(0.7, 0.1)).toBe(7);
    expect(binOf(0.3, 0.1)).toBe(3);
    expect(binOf(0.2999, 0.1)).toBe(2);
  });
  it('a spike on a boundary belongs to the later bin', () => {
    const binner = new SpikeBinner(0.1, 0);
    binner.addSpikes(spikeBatch([0.05, 0.1, 0.2], ['a', 'a', 'a']));
    const frame = binner.flush()!;
    expect(frame.firstBin).toBe(0);
    expect(Array.from(frame.offsets)).toEqual([0, 1, 2, 3]);
  });
  it('places spikes out of order within the lateness and counts later ones', () => {
    const binner = new SpikeBinner(0.1, 0.3);
    binner.addSpikes(spikeBatch([1.0, 1.45], ['a', 'b']));
    expect(binner.takeComplete()!.binCount).toBe(1); // watermark 1.15: bin 10 [1.0, 1.1) complete
    binner.addSpikes(spikeBatch([1.2, 1.05, 0.9], ['a', 'b', 'c'])); // 1.2 fine, 1.05 late (bin 10 done), 0.9 late
    expect(binner.drops.late).toBe(2);
    const rest = binner.flush()!;
    expect(rest.firstBin).toBe(11);
    expect(binner.unitIds).toEqual(['a', 'b']); // 'c' only arrived late: never registered
  });
  it('counts NaN, infinite and negative times as invalid, never as a bin', () => {
    const binner = new SpikeBinner(0.1, 0);
    binner.addSpikes(spikeBatch([Number.NaN, -1, Infinity, 0.5], ['a', 'a', 'a', 'a']));
    expect(binner.drops.invalidTime).toBe(3);
    expect(binner.spikes).toBe(1);
  });
  it('counts times beyond MAX_EVENT_SECONDS (2^32 s) as invalid, so no span is sized from them', () => {
    const binner = new SpikeBinner(0.02, 0);
    binner.addSpikes(spikeBatch([0.5, 1e300, MAX_EVENT_SECONDS * 2, 0.7], ['a', 'a', 'a', 'a']));
    expect(binner.drops.invalidTime).toBe(2);
    expect(binner.observeTime(1e300)).toBe(false);
    expect(binner.latestTime).toBe(0.7);
  });
  it('a jump in time is handed out in frames of at most MAX_FRAME_BINS bins, all bins in order', () => {
    const binner = new SpikeBinner(0.02, 0);
    binner.addSpikes(spikeBatch([0.5, 0.51], ['a', 'b']));
    // 4e9 s in 0.02 s bins is 2e11 bins: one frame of them could not even be allocated.
    binner.addSpikes(spikeBatch([4e9], ['a']));
    const first = binner.takeComplete()!;
    expect(first.binCount).toBe(MAX_FRAME_BINS);
    expect(first.offsets.length).toBe(MAX_FRAME_BINS + 1);
    expect(first.firstBin).toBe(25);
    expect(Array.from(first.unit)).toEqual([0, 1]);
    const second = binner.takeComplete()!;
    expect(second.firstBin).toBe(25 + MAX_FRAME_BINS);
    expect(second.unit.length).toBe(0);
  });
  it('a jump within a stream gives the same updates as the batch computation (frames in chunks)', async () => {
    const jumpOptions = { ...options, binSeconds: 0.05, windowSeconds: 5, hopSeconds: 5 };
    // 0–10 s of data, then data again 4000 s later: 80,000 bins of silence in between, more than one frame.
    const t: number[] = [];
    const unit: string[] = [];
    for (let k = 0; k < 400; k++) {
      const base = k < 200 ? k * 0.05 : 4000 + (k - 200) * 0.05;
      t.push(base + 0.01, base + 0.02);
      unit.push('a', k % 3 === 0 ? 'b' : 'c');
    }
    const events: SourceEvent[] = [
      { kind: 'interval', start: 0, end: 10, label: 'go' },
      { kind: 'interval', start: 4000, end: 4005, label: 'nogo' },
      { kind: 'interval', start: 4005, end: 4010, label: 'go' },
      spikeBatch(t, unit),
    ];
    const updates = await lastValueFrom(from(events).pipe(analyzeStream(jumpOptions), toArray()));
    const reference = referenceEmissions(events, { ...jumpOptions, levels: 3, surrogates: 0, seed: 0 });
    expect(updates.map((u) => u.t)).toEqual(reference.emissions.map((e) => e.t));
    expect(updates.length).toBe(801);
    updates.forEach((update, n) => {
      const expected = reference.emissions[n];
      expect(update.samples).toBe(expected.samples);
      for (const pair of update.pairs) {
        const want = expected.pair(pair.a, pair.b);
        expect(Math.abs(pair.synergy - want.synergy)).toBeLessThan(1e-9);
        expect(Math.abs(pair.joint - want.joint)).toBeLessThan(1e-9);
      }
    });
    expect(updates.filter((u) => u.samples > 0 && u.t > 10).map((u) => u.t)).toEqual([4005]);
  });
  it('a spike earlier than the first event, before any bin is complete, moves the start back', () => {
    const binner = new SpikeBinner(0.1, 1);
    binner.addSpikes(spikeBatch([5.0], ['a']));
    binner.addSpikes(spikeBatch([4.5], ['b']));
    expect(binner.startTime).toBe(4.5);
    expect(binner.flush()!.firstBin).toBe(45);
  });
});

describe('labels (DESIGN §3)', () => {
  it('a bin straddling a change or touching a gap is unlabeled', () => {
    const timeline = new LabelTimeline(0.1);
    timeline.addInterval(0, 0.35, 'go');
    timeline.addInterval(0.35, 1.0, 'nogo');
    timeline.addInterval(1.25, 2.0, 'go');
    const labels = Array.from({ length: 20 }, (_, k) => timeline.labelOfBin(k));
    expect(labels.slice(0, 5)).toEqual([0, 0, 0, -1, 1]);
    expect(labels.slice(9, 14)).toEqual([1, -1, -1, -1, 0]);
  });
  it('interval ends use the bins’ tolerance (5.0 s with 0.1 s bins)', () => {
    const timeline = new LabelTimeline(0.1);
    timeline.addInterval(4.9, 5.0, 'go');
    expect(timeline.labelOfBin(49)).toBe(0);
    expect(timeline.labelOfBin(50)).toBe(-1);
  });
  it('adjacent intervals of one label cover a bin together', () => {
    const timeline = new LabelTimeline(0.1);
    timeline.addInterval(0, 0.25, 'go');
    timeline.addInterval(0.25, 1, 'go');
    expect(timeline.labelOfBin(2)).toBe(0);
  });
  it('change points: a label holds until the next change; null starts a gap', () => {
    const timeline = new LabelTimeline(0.1);
    timeline.addChange(0, 'go');
    timeline.addChange(0.5, null);
    timeline.addChange(0.8, 'nogo');
    const labels = Array.from({ length: 12 }, (_, k) => timeline.labelOfBin(k));
    expect(labels).toEqual([0, 0, 0, 0, 0, -1, -1, -1, 1, 1, 1, 1]);
  });
});

describe('emissions (DESIGN §3)', () => {
  const run = (events: SourceEvent[], o: AnalysisOptions = options) =>
    lastValueFrom(from(events).pipe(analyzeStream(o), toArray()));

  it('a recording that starts at 4397 s first emits at 4398 s', async () => {
    const updates = await run([
      { kind: 'interval', start: 4397, end: 4400, label: 'go' },
      spikeBatch([4397.05, 4398.5, 4399.95], ['a', 'b', 'a']),
    ]);
    expect(updates.map((u) => u.t)).toEqual([4398, 4399]);
    expect(updates[0].window).toEqual([4396, 4398]);
    expect(updates[0].samples).toBe(10);
  });
  it('a window with no labeled bin still emits, with samples 0 and no pairs', async () => {
    const updates = await run([spikeBatch([0.05, 0.5, 1.5, 2.5], ['a', 'b', 'a', 'b'])]);
    expect(updates.length).toBe(2);
    for (const update of updates) {
      expect(update.samples).toBe(0);
      expect(update.pairs).toEqual([]);
      expect(update.dropped.unlabeled).toBeGreaterThan(0);
    }
  });
  it('the stream completes with a final emission for the last full hop', async () => {
    const updates = await run([
      { kind: 'interval', start: 0, end: 10, label: 'go' },
      spikeBatch([0.1, 3.99], ['a', 'b']),
    ]);
    expect(updates.at(-1)!.t).toBe(3);
  });
  it('more modes than the tables were laid out for (re-layout keeps the counts)', async () => {
    const events: SourceEvent[] = [];
    for (let m = 0; m < 7; m++) events.push({ kind: 'interval', start: m * 0.6, end: (m + 1) * 0.6, label: `mode-${m}` });
    const t: number[] = [];
    const u: string[] = [];
    for (let k = 0; k < 400; k++) {
      t.push((k * 4.2) / 400);
      u.push(['a', 'b', 'c'][(k * 7) % 3]);
      if (k % 5 === 0) {
        t.push((k * 4.2) / 400 + 0.01);
        u.push('b');
      }
    }
    const order = t.map((_, k) => k).sort((x, y) => t[x] - t[y]);
    events.push(spikeBatch(order.map((k) => t[k]), order.map((k) => u[k])));
    const o = { ...options, windowSeconds: 4, estimator: 'miller-madow' as const };
    const incremental = await run(events, o);
    const batch = await lastValueFrom(from(events).pipe(analyzeStream(o, (x) => new BatchReadout(x)), toArray()));
    expect(incremental.length).toBe(batch.length);
    incremental.forEach((update, n) => {
      expect(Object.keys(update.labels).length).toBeGreaterThan(0);
      update.pairs.forEach((pair, k) => {
        expect(pair.a).toBe(batch[n].pairs[k].a);
        expect(Math.abs(pair.synergy - batch[n].pairs[k].synergy)).toBeLessThan(1e-9);
      });
    });
    expect(Object.keys(incremental.at(-1)!.labels).length).toBe(7);
  });
});

describe('mode names are data, whatever they are', () => {
  it('a mode called "__proto__" (or "constructor") is counted in the update like any other', async () => {
    const events: SourceEvent[] = [
      { kind: 'label', t: 0, label: '__proto__' },
      spikeBatch([0.15, 0.45, 1.25], ['a', 'b', 'a']),
      { kind: 'label', t: 1, label: 'constructor' },
      { kind: 'heartbeat', t: 3 },
    ];
    const updates = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    const last = updates.find((update) => update.t === 2)!;
    expect(Object.keys(last.labels)).toEqual(['__proto__', 'constructor']);
    expect(last.labels.__proto__).toBe(10);
    expect(JSON.parse(JSON.stringify(last)).labels).toEqual(JSON.parse('{"__proto__":10,"constructor":10}'));
  });
});

describe('a restart (a source that jumped ahead past the window)', () => {
  it('makes every window that holds data before the jump, none in the empty span, then analyzes afresh from the new time', async () => {
    const events: SourceEvent[] = [
      { kind: 'label', t: 0, label: 'go' },
      spikeBatch([0.15, 0.45, 1.25], ['a', 'b', 'a']),
      { kind: 'heartbeat', t: 3 },
      { kind: 'restart', from: 3, at: 1000.05 },
      { kind: 'label', t: 1000.05, label: 'stop' },
      spikeBatch([1000.15, 1000.45], ['c', 'a']),
      { kind: 'heartbeat', t: 1003 },
    ];
    const updates = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    // Before: T = 1 … 5 (the last window holding data before 3 s ends at 3 + window); after: from the first hop past 1000.05.
    expect(updates.map((update) => update.t)).toEqual([1, 2, 3, 4, 5, 1001, 1002, 1003]);
    // As a continuous analysis would: the mode holds until it changes, so the bins up to there are labeled silence.
    expect(updates[4]).toMatchObject({ samples: 20, labels: { go: 20 } });
    expect(updates[5]).toMatchObject({ units: 2, labels: { stop: 9 } });
  });
});
