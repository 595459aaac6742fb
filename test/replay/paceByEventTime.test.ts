import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { paceByEventTime } from '../../src/replay/paceByEventTime.ts';
import { ReplayProgress } from '../../src/replay/replayProgress.ts';
import { spikeBatch, type SpikeBatch } from '../../src/stream/events.ts';

async function* batchesOf(times: number[], size: number): AsyncGenerator<SpikeBatch> {
  for (let k = 0; k < times.length; k += size) {
    const slice = times.slice(k, k + size);
    yield spikeBatch(slice, slice.map(() => 'u'));
  }
}

describe('paceByEventTime', () => {
  it('--speed max hands everything over at once, unchanged', async () => {
    const times = Array.from({ length: 1000 }, (_, k) => k * 0.1);
    const out: number[] = [];
    const started = performance.now();
    for await (const batch of paceByEventTime(batchesOf(times, 300), Infinity)) out.push(...batch.t);
    expect(performance.now() - started).toBeLessThan(500);
    expect(out).toEqual(times);
  });

  it('--speed 1 paces within 1% of wall time over a 20 s replay', async () => {
    // 20 s of recording, 200 spikes/s, in batches of 5000 (25 s of data each would be one batch unpaced).
    const times = Array.from({ length: 4001 }, (_, k) => k * 0.005);
    const handed: Array<{ t: number; wallMs: number }> = [];
    const out: number[] = [];
    for await (const batch of paceByEventTime(batchesOf(times, 5000), 1)) {
      handed.push({ t: batch.t[0], wallMs: performance.now() });
      out.push(...batch.t);
    }
    expect(out).toEqual(times);
    const recordingSeconds = handed.at(-1)!.t - handed[0].t;
    const wallSeconds = (handed.at(-1)!.wallMs - handed[0].wallMs) / 1000;
    expect(recordingSeconds).toBeGreaterThan(19.9);
    expect(Math.abs(wallSeconds - recordingSeconds) / recordingSeconds).toBeLessThan(0.01);
    // Slices are at most 50 ms of recording time, handed over on time.
    for (const { t, wallMs } of handed) {
      expect(Math.abs((wallMs - handed[0].wallMs) / 1000 - (t - handed[0].t))).toBeLessThan(0.2);
    }
  }, 40_000);

  it('--speed 4 replays four times faster', async () => {
    const times = Array.from({ length: 401 }, (_, k) => k * 0.01);
    const started = performance.now();
    let last = 0;
    for await (const batch of paceByEventTime(batchesOf(times, 100), 4)) last = batch.t.at(-1)!;
    const wallSeconds = (performance.now() - started) / 1000;
    expect(last).toBe(4);
    expect(wallSeconds).toBeGreaterThan(0.95);
    expect(wallSeconds).toBeLessThan(1.3);
  });
});

describe('ReplayProgress', () => {
  it('draws a bar with recording time, spikes/s and ETA on a terminal', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
    const progress = new ReplayProgress(stream);
    await new Promise((resolve) => setTimeout(resolve, 150));
    progress.update(0.5, 1234.5, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    progress.stop();
    expect(text).toMatch(/50%/);
    expect(text).toMatch(/recording 1234\.5 s/);
    expect(text).toMatch(/spikes\/s/);
    expect(text).toMatch(/ETA/);
  });
  it('prints nothing off a terminal', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
    const progress = new ReplayProgress(stream);
    progress.update(0.5, 10, 100);
    progress.stop();
    expect(text).toBe('');
  });
});
