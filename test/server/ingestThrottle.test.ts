import { describe, expect, it } from 'vitest';
import { IngestThrottle, type PausableSocket } from '../../src/server/ingestThrottle.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

/** A socket that only records whether it is paused, and how often it was. */
class FakeSocket implements PausableSocket {
  isPaused = false;
  pauses = 0;
  pause(): void {
    this.isPaused = true;
    this.pauses++;
  }
  resume(): void {
    this.isPaused = false;
  }
}

function throttled(rates: { maxMessagesPerSecond: number; maxSpikesPerSecond: number }, spikesPerFrame = 1) {
  const socket = new FakeSocket();
  const handled: number[] = [];
  let throttledCount = 0;
  const throttle = new IngestThrottle(
    socket,
    rates,
    (bytes) => {
      handled.push(bytes[0]);
      return spikesPerFrame;
    },
    () => 1,
    () => throttledCount++,
  );
  return { socket, handled, throttle, throttledCount: () => throttledCount };
}

describe('IngestThrottle: backpressure, nothing dropped', () => {
  it('within budget handles every frame at once and never pauses', () => {
    const { socket, handled, throttle } = throttled({ maxMessagesPerSecond: 100, maxSpikesPerSecond: 1000 });
    for (let k = 0; k < 10; k++) throttle.receive(Buffer.of(k), true);
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(socket.pauses).toBe(0);
  });

  it('past the message rate pauses the socket, queues what was read, and handles it in order once the budget refills', async () => {
    const { socket, handled, throttle, throttledCount } = throttled({ maxMessagesPerSecond: 20, maxSpikesPerSecond: 1e9 });
    for (let k = 0; k < 25; k++) throttle.receive(Buffer.of(k), true);
    expect(socket.isPaused).toBe(true);
    expect(throttledCount()).toBeGreaterThan(0);
    expect(handled.length).toBeLessThan(25);
    await waitUntil(() => handled.length === 25 && !socket.isPaused, 'every frame handled and the socket resumed');
    expect(handled).toEqual(Array.from({ length: 25 }, (_, k) => k));
  });

  it('past the spike rate pauses too', () => {
    const { socket, throttle } = throttled({ maxMessagesPerSecond: 1000, maxSpikesPerSecond: 100 }, 60);
    throttle.receive(Buffer.of(0), true);
    expect(socket.isPaused).toBe(false);
    throttle.receive(Buffer.of(1), true);
    expect(socket.isPaused).toBe(true);
  });

  it('on close handles the frames still queued, past every limit', () => {
    const { handled, throttle } = throttled({ maxMessagesPerSecond: 1, maxSpikesPerSecond: 1e9 });
    for (let k = 0; k < 5; k++) throttle.receive(Buffer.of(k), true);
    expect(handled.length).toBeLessThan(5);
    throttle.finish();
    expect(handled).toEqual([0, 1, 2, 3, 4]);
  });

  it('counts as busy the connections handled within the last second', () => {
    const a = throttled({ maxMessagesPerSecond: 100, maxSpikesPerSecond: 100 }).throttle;
    const b = throttled({ maxMessagesPerSecond: 100, maxSpikesPerSecond: 100 }).throttle;
    a.receive(Buffer.of(0), true);
    const now = performance.now();
    expect(IngestThrottle.busy([a, b], now)).toBe(1);
    expect(IngestThrottle.busy([a, b], now + 1001)).toBe(0);
  });
});
