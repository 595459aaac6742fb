import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { paceByEventTime, type PaceClock } from '../../src/replay/paceByEventTime.ts';
import { ReplayProgress } from '../../src/replay/replayProgress.ts';
import { spikeBatch, type SpikeBatch } from '../../src/stream/events.ts';

async function* batchesOf(times: number[], size: number): AsyncGenerator<SpikeBatch> {
  for (let k = 0; k < times.length; k += size) {
    const slice = times.slice(k, k + size);
    yield spikeBatch(slice, slice.map(() => 'u'));
  }
}

/**
 * Virtual wall time: `sleep` moves it on by what was asked, plus `lateMs`
 * (a loaded machine whose timers fire late). Nothing waits for real.
 */
class VirtualClock implements PaceClock {
  ms = 1000;
  readonly sleeps: number[] = [];
  constructor(private readonly lateMs = 0) {}
  now(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.ms += ms + this.lateMs;
  }
}

/** Each slice handed over: its first spike time and the (virtual) wall time then. */
async function pace(times: number[], batchSize: number, speed: number, clock: VirtualClock) {
  const handed: Array<{ t: number; wallMs: number; last: number }> = [];
  const out: number[] = [];
  for await (const batch of paceByEventTime(batchesOf(times, batchSize), speed, clock)) {
    handed.push({ t: batch.t[0], wallMs: clock.now(), last: batch.t[batch.t.length - 1] });
    out.push(...batch.t);
  }
  return { handed, out };
}

describe('paceByEventTime (on a virtual wall clock)', () => {
  it('--speed max hands everything over at once, unchanged, without waiting', async () => {
    const times = Array.from({ length: 1000 }, (_, k) => k * 0.1);
    const clock = new VirtualClock();
    const { out, handed } = await pace(times, 300, Infinity, clock);
    expect(out).toEqual(times);
    expect(handed).toHaveLength(4);
    expect(clock.sleeps).toEqual([]);
  });

  it('--speed 1 hands each slice over when its recording time has passed on the wall clock, in slices of at most 50 ms', async () => {
    // 20 s of recording, 200 spikes/s, in batches of 5000 (25 s of data each would be one batch unpaced).
    const times = Array.from({ length: 4001 }, (_, k) => k * 0.005);
    const clock = new VirtualClock();
    const { out, handed } = await pace(times, 5000, 1, clock);
    expect(out).toEqual(times);
    expect(handed.at(-1)!.last).toBe(times.at(-1));
    for (const slice of handed) {
      expect(slice.last - slice.t).toBeLessThan(0.05);
      expect(slice.wallMs - handed[0].wallMs).toBeCloseTo((slice.t - handed[0].t) * 1000, 6);
    }
  });

  it('--speed 4 replays four times faster', async () => {
    const times = Array.from({ length: 401 }, (_, k) => k * 0.01);
    const clock = new VirtualClock();
    const { handed } = await pace(times, 100, 4, clock);
    expect(handed.at(-1)!.t).toBe(4);
    expect(clock.now() - handed[0].wallMs).toBeCloseTo(1000, 6);
  });

  it('timers that fire late do not add up: each slice is due by the first one, so the replay stays within one lateness of real time', async () => {
    const times = Array.from({ length: 2001 }, (_, k) => k * 0.005);
    // Every wait ends 30 ms late: a machine whose timers lag.
    const clock = new VirtualClock(30);
    const { out, handed } = await pace(times, 500, 1, clock);
    expect(out).toEqual(times);
    for (const slice of handed) {
      const behindMs = slice.wallMs - handed[0].wallMs - (slice.t - handed[0].t) * 1000;
      expect(behindMs).toBeGreaterThanOrEqual(-1e-6);
      expect(behindMs).toBeLessThanOrEqual(30 + 1e-6);
    }
    expect(clock.now() - handed[0].wallMs).toBeLessThanOrEqual(10_000 + 30 + 1e-6);
  });
});

describe('ReplayProgress', () => {
  it('draws a bar with recording time, spikes/s and ETA on a terminal', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
    // The bar redraws on its own timer (10 per second): virtual time moves it on.
    vi.useFakeTimers();
    try {
      const progress = new ReplayProgress(stream);
      vi.advanceTimersByTime(150);
      progress.update(0.5, 1234.5, 10_000);
      vi.advanceTimersByTime(150);
      progress.stop();
    } finally {
      vi.useRealTimers();
    }
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
