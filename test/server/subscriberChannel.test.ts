import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { CLOSE_SUBSCRIBER_TOO_SLOW, SubscriberChannel } from '../../src/server/subscriberChannel.ts';

/**
 * What SubscriberChannel uses of a WebSocket, and no more: frames handed to
 * `send` stay "in flight" until the test flushes them (the network took
 * them), as a client that does not read leaves them.
 */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: string[] = [];
  readonly unflushed: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  send(text: string, flushed: () => void): void {
    this.sent.push(text);
    this.unflushed.push(flushed);
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  /** The client reads everything in flight (each flush may send more). */
  flushAll(): void {
    while (this.unflushed.length > 0) this.unflushed.shift()!();
  }

  frames(): Array<Record<string, unknown>> {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

const update = (t: number, source?: string, pairs = 3): SynergyUpdate =>
  ({
    type: 'synergy',
    t,
    ...(source === undefined ? {} : { source }),
    pairs: Array.from({ length: pairs }, (_, k) => ({ a: k, b: k + 1, synergy: 0.1 * (pairs - k) })),
  }) as unknown as SynergyUpdate;

const alert = (t: number, source?: string): AlertEvent => ({ type: 'alert', state: 'raised', kind: 'synergy', t, a: 0, b: 1, value: 0.2, message: `alert at ${t}`, ...(source === undefined ? {} : { source }) });

function channel(limits: Partial<ConstructorParameters<typeof SubscriberChannel>[1]> = {}) {
  const socket = new FakeSocket();
  return { socket, channel: new SubscriberChannel(socket as unknown as WebSocket, limits) };
}

describe('SubscriberChannel', () => {
  beforeEach(() => {
    // The reply budget reads performance.now(): time stands still unless the test moves it.
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => vi.useRealTimers());

  it('sends updates and alerts at once to a subscriber that reads, and counts them', () => {
    const { socket, channel: c } = channel();
    c.offerUpdate(update(1));
    c.offerAlert(alert(1));
    c.offerUpdate(update(2));
    expect(socket.frames().map((frame) => `${frame.type}@${frame.t}`)).toEqual(['synergy@1', 'alert@1', 'synergy@2']);
    expect(c.counters).toEqual({ updates: 2, conflated: 0, alerts: 1, repliesNotSent: 0, matrices: 0, matricesConflated: 0 });
  });

  it('keeps only the topics and sources subscribed to (items without a source always pass)', () => {
    const { socket, channel: c } = channel();
    c.topics = new Set(['alerts']);
    c.offerUpdate(update(1));
    c.offerAlert(alert(1));
    c.topics = new Set(['synergy', 'alerts']);
    c.sources = new Set(['rig-a']);
    c.offerUpdate(update(2, 'rig-b'));
    c.offerAlert(alert(2, 'rig-b'));
    c.offerUpdate(update(3, 'rig-a'));
    c.offerAlert(alert(3));
    expect(socket.frames().map((frame) => `${frame.type}@${frame.t}`)).toEqual(['alert@1', 'synergy@3', 'alert@3']);
  });

  it('trims each update to the top pairs asked for', () => {
    const { socket, channel: c } = channel();
    c.top = 2;
    c.offerUpdate(update(1, undefined, 5));
    expect((socket.frames()[0].pairs as unknown[]).length).toBe(2);
    c.top = undefined;
    c.offerUpdate(update(2, undefined, 5));
    expect((socket.frames()[1].pairs as unknown[]).length).toBe(5);
  });

  it('a subscriber that does not read: past the high-water mark updates wait, one per source, the newest replacing the older (counted, and said in `conflated`)', () => {
    const { socket, channel: c } = channel({ highWaterBytes: 1 });
    c.offerUpdate(update(1, 'a')); // sent: nothing was in flight
    expect(socket.sent).toHaveLength(1);
    for (let t = 2; t <= 5; t++) c.offerUpdate(update(t, 'a'));
    c.offerUpdate(update(2, 'b'));
    expect(socket.sent).toHaveLength(1);
    expect(c.counters.conflated).toBe(3); // 2, 3, 4 of source a replaced
    socket.flushAll();
    const frames = socket.frames();
    // Sources take turns, the one waiting longest first; the newest of each.
    expect(frames.slice(1).map((frame) => `${frame.source}@${frame.t}:${frame.conflated ?? 0}`)).toEqual(['a@5:3', 'b@2:0']);
    expect(c.bufferedBytes).toBe(0);
  });

  it('alerts are never conflated: every one is sent in order, ahead of waiting updates', () => {
    const { socket, channel: c } = channel({ highWaterBytes: 1 });
    c.offerUpdate(update(1));
    for (let t = 1; t <= 20; t++) c.offerAlert(alert(t));
    c.offerUpdate(update(2));
    expect(c.queuedAlerts).toBe(20);
    socket.flushAll();
    const frames = socket.frames();
    expect(frames.filter((frame) => frame.type === 'alert').map((frame) => frame.t)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    expect(frames.at(-1)).toMatchObject({ type: 'synergy', t: 2 });
    expect(c.counters.alerts).toBe(20);
  });

  it('past maxQueuedAlerts waiting, the subscriber is closed with 4008 and a reason, not thinned', () => {
    const { socket, channel: c } = channel({ highWaterBytes: 1, maxQueuedAlerts: 5 });
    c.offerUpdate(update(1));
    for (let t = 1; t <= 5; t++) c.offerAlert(alert(t));
    expect(socket.closed).toBeUndefined();
    c.offerAlert(alert(6));
    expect(socket.closed).toEqual({ code: CLOSE_SUBSCRIBER_TOO_SLOW, reason: 'too slow: more than 5 alerts waiting' });
    expect(c.closedForBacklog).toBe(true);
    c.offerAlert(alert(7));
    expect(c.queuedAlerts).toBe(5);
  });

  it('replies go out ahead of data, at most maxRepliesPerSecond, and none while the subscriber is not reading; the rest are counted', () => {
    const { socket, channel: c } = channel({ maxRepliesPerSecond: 3, highWaterBytes: 200 });
    for (let k = 0; k < 5; k++) c.reply({ type: 'error', code: 'bad-field', k });
    expect(socket.frames().map((frame) => frame.k)).toEqual([0, 1, 2]);
    expect(c.counters.repliesNotSent).toBe(2);
    socket.flushAll();
    vi.advanceTimersByTime(1000);
    c.reply({ type: 'subscribed', k: 5 });
    expect(socket.frames().at(-1)).toMatchObject({ k: 5 });
    // Not reading: more than the high-water mark in flight, replies are not sent.
    c.offerUpdate(update(1, undefined, 20));
    expect(c.bufferedBytes).toBeGreaterThan(200);
    c.reply({ type: 'subscribed', k: 6 });
    expect(socket.frames().some((frame) => frame.k === 6)).toBe(false);
    expect(c.counters.repliesNotSent).toBe(3);
  });

  it('sends nothing on a socket that is not open, and what waited once it is', () => {
    const { socket, channel: c } = channel();
    socket.readyState = 3;
    c.offerUpdate(update(1));
    c.offerAlert(alert(1));
    expect(socket.sent).toEqual([]);
    socket.readyState = 1;
    c.offerAlert(alert(2));
    // What waited goes out once it is open again: alerts first, then the update.
    expect(socket.frames().map((frame) => `${frame.type}@${frame.t}`)).toEqual(['alert@1', 'alert@2', 'synergy@1']);
  });
});
