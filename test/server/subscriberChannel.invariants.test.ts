import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { CLOSE_SUBSCRIBER_TOO_SLOW, SubscriberChannel } from '../../src/server/subscriberChannel.ts';

/**
 * SubscriberChannel beyond subscriberChannel.test.ts: the alerts topic
 * alone switched off, one update object shared by subscribers with and
 * without `top` (trimming must not change it), sources taking turns when a
 * source comes back while others wait, byte accounting in UTF-8, replies
 * refused while the subscriber does not read leaving the reply budget
 * whole, the welcome frame outside every budget, a subscriber that reads
 * never hitting the alert cap, nothing sent once closed for its backlog; and
 * under random offers, replies and flushes (fast-check) the conservation
 * laws: every update offered is sent or replaced, every alert is sent once
 * and in order, the bytes in flight are the frames not yet flushed and stay
 * under the high-water mark plus one frame.
 */

/**
 * What SubscriberChannel uses of ws's WebSocket: OPEN, readyState, send with
 * a callback once the frame is flushed, close (which, as in ws, moves the
 * socket to CLOSING). Frames stay in flight until the test flushes them.
 */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: string[] = [];
  /** Frames handed over and not yet flushed, oldest first. */
  readonly inFlight: Array<{ text: string; flushed: () => void }> = [];
  closes: Array<{ code: number; reason: string }> = [];

  send(text: string, flushed: () => void): void {
    this.sent.push(text);
    this.inFlight.push({ text, flushed });
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
    this.readyState = 2;
  }

  /** The client reads the oldest frame in flight (its callback may send more). */
  flushOne(): boolean {
    const frame = this.inFlight.shift();
    if (frame === undefined) return false;
    frame.flushed();
    return true;
  }

  flushAll(): void {
    while (this.flushOne());
  }

  frames(): Array<Record<string, unknown>> {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
  }

  /** UTF-8 bytes of the frames in flight, counted here without Buffer. */
  bytesInFlight(): number {
    const encoder = new TextEncoder();
    return this.inFlight.reduce((sum, frame) => sum + encoder.encode(frame.text).length, 0);
  }
}

function update(t: number, source?: string, pairs = 3): SynergyUpdate {
  return {
    type: 'synergy',
    t,
    ...(source === undefined ? {} : { source }),
    pairs: Array.from({ length: pairs }, (_, k) => ({ a: k, b: k + 1, synergy: 0.1 * (pairs - k) })),
  } as unknown as SynergyUpdate;
}

function alert(t: number, source?: string, message = `alert at ${t}`): AlertEvent {
  return { type: 'alert', state: 'raised', kind: 'synergy', t, a: 0, b: 1, value: 0.2, message, ...(source === undefined ? {} : { source }) };
}

function open(limits: ConstructorParameters<typeof SubscriberChannel>[1] = {}) {
  const socket = new FakeSocket();
  return { socket, channel: new SubscriberChannel(socket as unknown as WebSocket, limits) };
}

const label = (frame: Record<string, unknown>) => `${frame.type}${frame.source === undefined ? '' : `:${frame.source}`}@${frame.t}${frame.conflated === undefined ? '' : `+${frame.conflated}`}`;

describe('SubscriberChannel: filters, top and fairness', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => vi.useRealTimers());

  it('with the alerts topic off, alerts are neither sent, queued nor counted, and updates flow; with no topic nothing does', () => {
    const { socket, channel } = open();
    channel.topics = new Set(['synergy']);
    channel.offerAlert(alert(1));
    channel.offerUpdate(update(1));
    expect(socket.frames().map(label)).toEqual(['synergy@1']);
    expect(channel.queuedAlerts).toBe(0);
    channel.topics = new Set();
    channel.offerAlert(alert(2));
    channel.offerUpdate(update(2));
    expect(socket.sent).toHaveLength(1);
    expect(channel.counters).toEqual({ updates: 1, conflated: 0, alerts: 0, repliesNotSent: 0, matrices: 0, matricesConflated: 0 });
  });

  it('with sources chosen: an update without a source passes, one of another source is dropped without being counted as conflated', () => {
    const { socket, channel } = open({ highWaterBytes: 1 });
    channel.sources = new Set(['rig-a']);
    channel.offerUpdate(update(1)); // sent
    channel.offerUpdate(update(2, 'rig-b'));
    channel.offerUpdate(update(3, 'rig-b'));
    channel.offerUpdate(update(4, 'rig-a'));
    socket.flushAll();
    expect(socket.frames().map(label)).toEqual(['synergy@1', 'synergy:rig-a@4']);
    expect(channel.counters.conflated).toBe(0);
  });

  it('top trims what is sent, not the update: one object offered to a subscriber with top 1 and one without', () => {
    const trimmed = open();
    const whole = open();
    trimmed.channel.top = 1;
    const shared = update(7, 'rig', 4);
    const before = JSON.stringify(shared);
    trimmed.channel.offerUpdate(shared);
    whole.channel.offerUpdate(shared);
    expect(JSON.stringify(shared)).toBe(before);
    expect(trimmed.socket.frames()[0].pairs).toEqual([{ a: 0, b: 1, synergy: 0.4 }]);
    expect(whole.socket.frames()[0].pairs).toHaveLength(4);
    // As many pairs as top, or fewer: sent as they are; top 0 sends none.
    trimmed.channel.top = 4;
    trimmed.channel.offerUpdate(update(8, 'rig', 4));
    trimmed.channel.top = 0;
    trimmed.channel.offerUpdate(update(9, 'rig', 4));
    expect(trimmed.socket.frames().map((frame) => (frame.pairs as unknown[]).length)).toEqual([1, 4, 0]);
  });

  it('a conflated update trimmed to top says both: the newest, its first pairs, and how many it replaced', () => {
    const { socket, channel } = open({ highWaterBytes: 1 });
    channel.top = 2;
    channel.offerUpdate(update(1, 'a'));
    channel.offerUpdate(update(2, 'a', 5));
    channel.offerUpdate(update(3, 'a', 5));
    socket.flushAll();
    const last = socket.frames()[1];
    expect(last).toMatchObject({ t: 3, source: 'a', conflated: 1 });
    expect((last.pairs as Array<{ a: number }>).map((pair) => pair.a)).toEqual([0, 1]);
  });

  it('sources take turns: a source whose update is replaced goes behind the ones that waited longer', () => {
    const { socket, channel } = open({ highWaterBytes: 1 });
    channel.offerUpdate(update(0, 'a')); // in flight
    channel.offerUpdate(update(1, 'a'));
    channel.offerUpdate(update(1, 'b'));
    channel.offerUpdate(update(1, 'c'));
    expect(socket.sent).toHaveLength(1);
    socket.flushOne(); // a@1 goes out
    channel.offerUpdate(update(2, 'b')); // replaces b@1: b now after c
    channel.offerUpdate(update(2, 'a')); // a again: after c and b
    socket.flushAll();
    expect(socket.frames().map(label)).toEqual(['synergy:a@0', 'synergy:a@1', 'synergy:c@1', 'synergy:b@2+1', 'synergy:a@2']);
    expect(channel.counters).toMatchObject({ updates: 5, conflated: 1 });
  });
});

describe('SubscriberChannel: bytes, replies and the welcome', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => vi.useRealTimers());

  it('bufferedBytes is the UTF-8 size of the frames not yet flushed (non-ASCII text counts its bytes)', () => {
    const { socket, channel } = open({ highWaterBytes: 10_000 });
    channel.offerAlert(alert(1, 'ratón', 'Ω — µ-probe ωσ'));
    channel.offerUpdate(update(1, 'ratón'));
    channel.offerAlert(alert(2, undefined, '🧠'));
    expect(socket.inFlight).toHaveLength(3);
    expect(channel.bufferedBytes).toBe(socket.bytesInFlight());
    expect(channel.bufferedBytes).toBeGreaterThan(socket.sent.join('').length); // more bytes than UTF-16 code units
    socket.flushOne();
    expect(channel.bufferedBytes).toBe(socket.bytesInFlight());
    socket.flushAll();
    expect(channel.bufferedBytes).toBe(0);
  });

  it('replies refused while the subscriber does not read do not use up the reply budget', () => {
    const { socket, channel } = open({ highWaterBytes: 50, maxRepliesPerSecond: 2 });
    channel.offerUpdate(update(1, undefined, 10)); // more than 50 bytes in flight
    expect(channel.bufferedBytes).toBeGreaterThan(50);
    for (let k = 0; k < 3; k++) channel.reply({ type: 'error', k });
    expect(channel.counters.repliesNotSent).toBe(3);
    socket.flushAll();
    // The clock has not moved: the whole budget of 2 is still there.
    for (let k = 3; k < 6; k++) channel.reply({ type: 'error', k });
    expect(socket.frames().filter((frame) => frame.type === 'error').map((frame) => frame.k)).toEqual([3, 4]);
    expect(channel.counters.repliesNotSent).toBe(4);
    // Half a second later, one more (2 per second).
    vi.advanceTimersByTime(500);
    channel.reply({ type: 'error', k: 6 });
    channel.reply({ type: 'error', k: 7 });
    expect(socket.frames().filter((frame) => frame.type === 'error').map((frame) => frame.k)).toEqual([3, 4, 6]);
    expect(channel.counters.repliesNotSent).toBe(5);
  });

  it('the welcome goes out whatever the budgets, counts as bytes in flight, and is not an update, an alert or a reply', () => {
    const { socket, channel } = open({ highWaterBytes: 1, maxRepliesPerSecond: 1 });
    channel.offerUpdate(update(1)); // the subscriber is now "not reading"
    channel.welcome({ type: 'welcome', protocol: 1 });
    expect(socket.frames().map((frame) => frame.type)).toEqual(['synergy', 'welcome']);
    expect(channel.bufferedBytes).toBe(socket.bytesInFlight());
    expect(channel.counters).toEqual({ updates: 1, conflated: 0, alerts: 0, repliesNotSent: 0, matrices: 0, matricesConflated: 0 });
  });
});

describe('SubscriberChannel: the alert backlog', () => {
  it('a subscriber that reads as alerts come is never closed, however many it gets', () => {
    const { socket, channel } = open({ highWaterBytes: 1, maxQueuedAlerts: 3 });
    for (let t = 1; t <= 40; t++) {
      channel.offerAlert(alert(t));
      socket.flushAll();
    }
    expect(socket.closes).toEqual([]);
    expect(channel.closedForBacklog).toBe(false);
    expect(socket.frames().map((frame) => frame.t)).toEqual(Array.from({ length: 40 }, (_, k) => k + 1));
    expect(channel.counters.alerts).toBe(40);
  });

  it('closed for its backlog: closed once, with 4008; what waited is not sent after, later alerts are neither queued nor counted', () => {
    const { socket, channel } = open({ highWaterBytes: 1, maxQueuedAlerts: 2 });
    channel.offerAlert(alert(1)); // in flight
    channel.offerAlert(alert(2));
    channel.offerAlert(alert(3));
    channel.offerAlert(alert(4)); // a third waiting: too many
    expect(channel.closedForBacklog).toBe(true);
    expect(socket.closes).toEqual([{ code: CLOSE_SUBSCRIBER_TOO_SLOW, reason: 'too slow: more than 2 alerts waiting' }]);
    channel.offerAlert(alert(5));
    channel.offerUpdate(update(5));
    socket.flushAll();
    expect(socket.closes).toHaveLength(1);
    expect(socket.frames().map(label)).toEqual(['alert@1']);
    expect(channel.counters.alerts).toBe(1);
    expect(channel.queuedAlerts).toBe(2);
  });
});

describe('SubscriberChannel: conservation under random offers, replies and flushes (fast-check)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterEach(() => vi.useRealTimers());

  const operation = fc.oneof(
    fc.record({ kind: fc.constant('update' as const), source: fc.constantFrom('a', 'b', 'c', undefined), pairs: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('alert' as const), source: fc.constantFrom('a', 'b', undefined) }),
    fc.record({ kind: fc.constant('reply' as const) }),
    fc.record({ kind: fc.constant('flush' as const), frames: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 400 }) }),
  );

  it('every update offered is sent or replaced, every alert sent once in order, the bytes in flight are those not flushed and stay under the mark plus one frame', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(operation, { maxLength: 80 }),
        (highWaterBytes, maxRepliesPerSecond, operations) => {
          const { socket, channel } = open({ highWaterBytes, maxQueuedAlerts: 1_000, maxRepliesPerSecond });
          let t = 0;
          let updatesOffered = 0;
          const alertsOffered: number[] = [];
          let repliesOffered = 0;
          /** The newest update offered per source: what a sent update of that source must be. */
          const newest = new Map<string, number>();
          let largestFrame = 0;
          let elapsedMs = 0;
          const encoder = new TextEncoder();
          for (const op of operations) {
            t++;
            const sentBefore = socket.sent.length;
            if (op.kind === 'update') {
              channel.offerUpdate(update(t, op.source, op.pairs));
              newest.set(op.source ?? '', t);
              updatesOffered++;
            } else if (op.kind === 'alert') {
              channel.offerAlert(alert(t, op.source));
              alertsOffered.push(t);
            } else if (op.kind === 'reply') {
              channel.reply({ type: 'error', code: 'bad-field', t });
              repliesOffered++;
            } else if (op.kind === 'flush') {
              for (let k = 0; k < op.frames; k++) socket.flushOne();
            } else {
              vi.advanceTimersByTime(op.ms);
              elapsedMs += op.ms;
            }
            // An update sent during this step is the newest of its source (the step's offer, if any, came before its sends).
            for (const text of socket.sent.slice(sentBefore)) {
              const frame = JSON.parse(text) as Record<string, unknown>;
              largestFrame = Math.max(largestFrame, encoder.encode(text).length);
              if (frame.type === 'synergy') expect(frame.t).toBe(newest.get((frame.source as string | undefined) ?? ''));
            }
            expect(channel.bufferedBytes).toBe(socket.bytesInFlight());
            expect(channel.bufferedBytes).toBeLessThanOrEqual(highWaterBytes + largestFrame);
          }
          socket.flushAll();
          const frames = socket.frames();
          const updates = frames.filter((frame) => frame.type === 'synergy');
          const alerts = frames.filter((frame) => frame.type === 'alert');
          const replies = frames.filter((frame) => frame.type === 'error');
          // All flushed: nothing waits.
          expect(channel.bufferedBytes).toBe(0);
          expect(channel.queuedAlerts).toBe(0);
          expect(channel.closedForBacklog).toBe(false);
          // Alerts: every one, once, in the order offered.
          expect(alerts.map((frame) => frame.t)).toEqual(alertsOffered);
          expect(channel.counters.alerts).toBe(alertsOffered.length);
          // Updates: sent + replaced = offered; each sent one says how many it replaced.
          expect(channel.counters.updates).toBe(updates.length);
          expect(channel.counters.updates + channel.counters.conflated).toBe(updatesOffered);
          expect(updates.reduce((sum, frame) => sum + ((frame.conflated as number | undefined) ?? 0), 0)).toBe(channel.counters.conflated);
          // The last update of each source is the newest offered (newest wins).
          for (const [source, newestT] of newest) {
            const last = updates.filter((frame) => ((frame.source as string | undefined) ?? '') === source).at(-1);
            expect(last?.t, `source '${source}'`).toBe(newestT);
          }
          // Within a source, updates go out in the order offered.
          for (const source of newest.keys()) {
            const times = updates.filter((frame) => ((frame.source as string | undefined) ?? '') === source).map((frame) => frame.t as number);
            expect([...times].sort((x, y) => x - y)).toEqual(times);
          }
          // Replies: sent + not sent = offered, and never more than the budget allows by the clock.
          expect(replies.length + channel.counters.repliesNotSent).toBe(repliesOffered);
          expect(replies.length).toBeLessThanOrEqual(maxRepliesPerSecond * (1 + elapsedMs / 1000) + 1e-9);
        },
      ),
      { numRuns: 150 },
    );
  });
});
