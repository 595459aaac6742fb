import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { ConnectionError } from '../../src/errors.ts';
import { SourceHealth, type SourceHealthOptions } from '../../src/live/sourceHealth.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import { ManualClock } from '../helpers/manualClock.ts';

/** A SourceHealth on a manual clock, with what it reports and does recorded in order. */
function harness(options: Partial<SourceHealthOptions> = {}, reconnects = true) {
  const clock = new ManualClock();
  const alerts: AlertEvent[] = [];
  const events: SourceEvent[] = [];
  const log: string[] = [];
  const attemptsAtMs: number[] = [];
  const statuses: string[] = [];
  let gaveUp: ConnectionError | undefined;
  const health = new SourceHealth(
    { name: 'rig', url: 'tcp://127.0.0.1:9', clock, onStatus: (line) => statuses.push(line), ...options },
    {
      alert: (alert) => {
        alerts.push(alert);
        log.push(`alert ${alert.state} ${alert.kind}`);
      },
      event: (event) => {
        events.push(event);
        log.push(`event ${event.kind}`);
      },
    },
    {
      flush: () => log.push('flush'),
      ...(reconnects
        ? {
            connect: () => attemptsAtMs.push(clock.nowMs()),
            giveUp: (error: ConnectionError) => {
              gaveUp = error;
            },
          }
        : {}),
    },
  );
  return { clock, health, alerts, events, log, attemptsAtMs, statuses, gaveUp: () => gaveUp };
}

describe('SourceHealth: reconnecting', () => {
  it('retries after exponential backoff with full jitter: delays are uniform below initial·2^(n−1), capped', () => {
    const { clock, health, attemptsAtMs } = harness({ reconnect: { initialMs: 100, maxMs: 1000, maxAttempts: Infinity }, random: () => 1, silenceSeconds: 0 });
    health.start();
    const t0 = clock.nowMs();
    expect(attemptsAtMs).toEqual([t0]);
    const expectedDelays = [100, 200, 400, 800, 1000, 1000];
    for (const delay of expectedDelays) {
      health.attemptFailed('refused');
      expect(clock.nextDueInMs()).toBe(delay);
      const before = attemptsAtMs.length;
      clock.advance(delay - 1);
      expect(attemptsAtMs.length).toBe(before);
      clock.advance(1);
      expect(attemptsAtMs.length).toBe(before + 1);
    }
    expect(health.counters.attempts).toBe(1 + expectedDelays.length);
    // The jitter: random() = 0.25 of the cap.
    const jittered = harness({ reconnect: { initialMs: 100, maxMs: 1000, maxAttempts: Infinity }, random: () => 0.25, silenceSeconds: 0 });
    jittered.health.start();
    jittered.health.attemptFailed();
    expect(jittered.clock.nextDueInMs()).toBe(25);
    jittered.clock.advance(25);
    jittered.health.attemptFailed();
    expect(jittered.clock.nextDueInMs()).toBe(50);
  });

  it('gives up after maxAttempts failures in a row with a ConnectionError, and leaves no timer', () => {
    const { clock, health, attemptsAtMs, gaveUp, statuses } = harness({ reconnect: { initialMs: 10, maxMs: 10, maxAttempts: 3 }, random: () => 1, target: 'the rig at tcp://127.0.0.1:9' });
    health.start();
    for (let i = 0; i < 3; i++) {
      health.attemptFailed();
      clock.advance(10);
    }
    expect(attemptsAtMs.length).toBe(4);
    expect(gaveUp()).toBeUndefined();
    health.attemptFailed();
    expect(gaveUp()).toBeInstanceOf(ConnectionError);
    expect(gaveUp()!.message).toBe('could not reach the rig at tcp://127.0.0.1:9 after 3 attempts to reconnect');
    expect(statuses.at(-1)).toBe('giving up on tcp://127.0.0.1:9 after 3 attempts to reconnect');
    expect(clock.pending).toBe(0);
    clock.advance(60_000);
    expect(attemptsAtMs.length).toBe(4);
  });

  it('a connection starts the count again: maxAttempts counts failures in a row', () => {
    const { clock, health, gaveUp } = harness({ reconnect: { initialMs: 10, maxMs: 10, maxAttempts: 2 }, random: () => 1, silenceSeconds: 0 });
    health.start();
    // Each round: a failed attempt, a connection, a loss (failures in a row: at most 2).
    for (let round = 0; round < 5; round++) {
      health.attemptFailed();
      clock.advance(10);
      health.connectionUp();
      health.connectionLost('dropped');
      clock.advance(10);
    }
    expect(gaveUp()).toBeUndefined();
    expect(health.counters.connections).toBe(5);
    // The loss, then two failures: three in a row.
    health.attemptFailed();
    expect(gaveUp()).toBeUndefined();
    clock.advance(10);
    health.attemptFailed();
    expect(gaveUp()).toBeInstanceOf(ConnectionError);
  });

  it('close stops retries and checks', () => {
    const { clock, health, attemptsAtMs } = harness({ reconnect: { initialMs: 10, maxMs: 10, maxAttempts: Infinity }, random: () => 1 });
    health.start();
    health.attemptFailed();
    health.close();
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(attemptsAtMs.length).toBe(1);
  });
});

describe('SourceHealth: silence', () => {
  it('raises source-silent once the limit passes with nothing heard while connected, and the next message clears it', () => {
    const { clock, health, alerts } = harness({ silenceSeconds: 2, silenceWhat: 'spike record', silenceHint: 'is the board running?' });
    health.start();
    // Not connected: silence is no news (source-lost is).
    clock.advance(10_000);
    expect(alerts).toEqual([]);
    health.connectionUp();
    // Checks run every quarter limit (500 ms): silence counts from the connection, then from the check after the last message.
    clock.advance(1500);
    health.heard();
    clock.advance(500); // the check that sees the message: quiet from here
    clock.advance(1500);
    expect(alerts).toEqual([]);
    clock.advance(500);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'raised', kind: 'source-silent', source: 'rig', value: 2 });
    expect(alerts[0].message).toBe('source rig: no spike record for 2.0 s while connected (is the board running?)');
    // Raised once, however long it lasts.
    clock.advance(60_000);
    expect(alerts).toHaveLength(1);
    health.heard();
    expect(alerts[1]).toMatchObject({ state: 'cleared', kind: 'source-silent', message: 'source rig is sending again' });
    // And again after the next stretch.
    clock.advance(500 + 2000);
    expect(alerts.filter((a) => a.kind === 'source-silent' && a.state === 'raised')).toHaveLength(2);
  });

  it('an owner with its own check (silenceSeconds 0) sets no timer and checks with its own limit', () => {
    const { clock, health, alerts } = harness({ silenceSeconds: 0 }, false);
    health.start();
    expect(clock.pending).toBe(0);
    health.connectionUp(null);
    clock.advance(4999);
    health.checkSilence(5000);
    expect(alerts).toEqual([]);
    clock.advance(1);
    health.checkSilence(5000);
    expect(alerts.map((a) => `${a.state} ${a.kind}`)).toEqual(['raised source-silent']);
  });

  it('a lost connection ends a silence without clearing it twice', () => {
    const { clock, health, alerts } = harness({ silenceSeconds: 1, reconnect: { initialMs: 10, maxMs: 10, maxAttempts: Infinity } });
    health.start();
    health.connectionUp();
    clock.advance(1000);
    expect(health.silent).toBe(true);
    health.connectionLost('gone');
    expect(health.silent).toBe(false);
    health.heard();
    expect(alerts.map((a) => `${a.state} ${a.kind}`)).toEqual(['raised source-silent', 'raised source-lost']);
  });
});

describe('SourceHealth: lost → gap → resume', () => {
  it('a loss opens a gap at the latest time; the return clears source-lost; the first new time closes the gap and reports it', () => {
    const { health, alerts, events, log } = harness({ timeJumps: { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.5, restartSeconds: 60 }, lostWhileAway: 'what it sent while away is lost', unknownModeOnReturn: true, random: () => 0 });
    health.start();
    health.connectionUp();
    health.place(3);
    health.place(12.25);
    health.connectionLost('source rig disconnected');
    expect(log).toEqual(['flush', 'event gap', 'alert raised source-lost']);
    expect(events[0]).toEqual({ kind: 'gap', start: 12.25, end: Infinity });
    expect(alerts[0]).toMatchObject({ state: 'raised', kind: 'source-lost', t: 12.25, message: 'source rig disconnected' });
    health.connectionUp();
    expect(alerts[1]).toMatchObject({ state: 'cleared', kind: 'source-lost', message: 'source rig is back (connection 2); what it sent while away is lost' });
    // A jump on return is the gap, not a time jump.
    health.place(40);
    expect(events.slice(1)).toEqual([
      { kind: 'gap', start: 12.25, end: 40 },
      { kind: 'label', t: 12.25, label: null },
    ]);
    expect(alerts[2]).toMatchObject({ state: 'raised', kind: 'data-gap', t: 40, value: 27.75 });
    expect(alerts[2].message).toBe('source rig: no data from 12.250 s to 40.000 s (27.750 s) while it was away');
    expect(alerts.some((a) => a.kind === 'time-jump')).toBe(false);
    expect(health.latest).toBe(40);
    // Only the first time after the return closes it.
    health.place(41);
    expect(events).toHaveLength(3);
  });

  it('a return with less missing than the lateness closes the gap without a data-gap alert', () => {
    const { health, alerts, events } = harness({ timeJumps: { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.5, restartSeconds: 60 } });
    health.start();
    health.connectionUp();
    health.place(5);
    health.connectionLost('lost');
    health.connectionUp();
    health.place(5.2);
    expect(events).toEqual([
      { kind: 'gap', start: 5, end: Infinity },
      { kind: 'gap', start: 5, end: 5.2 },
    ]);
    expect(alerts.map((a) => `${a.state} ${a.kind}`)).toEqual(['raised source-lost', 'cleared source-lost']);
  });

  it('a loss before any data opens no gap', () => {
    const { health, events, alerts } = harness();
    health.start();
    health.connectionUp();
    health.connectionLost('lost');
    health.connectionUp();
    health.place(1);
    expect(events).toEqual([]);
    expect(alerts.map((a) => `${a.state} ${a.kind}`)).toEqual(['raised source-lost', 'cleared source-lost']);
  });

  it('the owner may word the return (backMessage) and open a gap of its own (openGap)', () => {
    const { health, alerts, events } = harness({}, false);
    health.connectionUp(null);
    health.place(7);
    health.connectionLost('lost');
    health.connectionUp(null, 'source rig is back as a new run');
    expect(alerts[1].message).toBe('source rig is back as a new run');
    // A new run the modes say nothing of: the gap stays open, and the return's gap is replaced.
    health.openGap(7);
    expect(health.resumedAfter).toBeUndefined();
    health.place(9);
    expect(events).toEqual([
      { kind: 'gap', start: 7, end: Infinity },
      { kind: 'gap', start: 7, end: Infinity },
    ]);
  });
});

describe('SourceHealth: time checks', () => {
  const limits = { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.5, restartSeconds: 60 };

  it('a forward jump beyond alertSeconds raises time-jump with the seconds jumped; smaller steps do not', () => {
    const { health, alerts } = harness({ timeJumps: limits });
    health.place(1);
    health.place(11);
    expect(alerts).toEqual([]);
    health.place(21.5, 'stream "probe"');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'raised', kind: 'time-jump', t: 11, value: 10.5 });
    expect(alerts[0].message).toBe('source rig: event time jumped 10.500 s forward, from 11.000 s to 21.500 s (stream "probe")');
    expect(health.latest).toBe(21.5);
  });

  it('a step back beyond backSeconds raises time-jump (negative value) at most once per 10 s of wall time; the latest time stays', () => {
    const { clock, health, alerts } = harness({ timeJumps: limits });
    health.place(100);
    health.place(99.6);
    expect(alerts).toEqual([]);
    health.place(99);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'time-jump', value: -1, t: 100 });
    health.place(98);
    clock.advance(9_999);
    health.place(98);
    expect(alerts).toHaveLength(1);
    clock.advance(1);
    health.place(97);
    expect(alerts).toHaveLength(2);
    expect(alerts[1].value).toBe(-3);
    expect(health.latest).toBe(100);
  });

  it('moveTo places without a check (the first time of a restarted run) and closes a return gap', () => {
    const { health, alerts, events } = harness({ timeJumps: limits });
    health.place(5);
    health.moveTo(500);
    expect(alerts).toEqual([]);
    expect(health.latest).toBe(500);
    health.connectionLost('lost');
    health.connectionUp();
    health.moveTo(501);
    expect(events.at(-1)).toEqual({ kind: 'gap', start: 500, end: 501 });
  });

  it('a clock reset is counted and raised where the new run starts, after what the source held is handed on', () => {
    const { health, alerts, log } = harness();
    health.place(30);
    health.clockReset(30, 29.5, 'restarted');
    expect(log).toEqual(['flush', 'alert raised clock-reset']);
    expect(alerts[0]).toMatchObject({ kind: 'clock-reset', t: 30, value: 29.5, message: 'restarted', source: 'rig' });
    expect(health.counters.clockResets).toBe(1);
    expect(health.clockResetsText()).toBe('1 clock reset');
  });
});

describe('SourceHealth: counters and summary', () => {
  it('counts attempts, connections and clock resets for the summary line', () => {
    const { clock, health } = harness({ reconnect: { initialMs: 1, maxMs: 1, maxAttempts: Infinity }, random: () => 1 });
    health.start();
    health.attemptFailed();
    clock.advance(1);
    health.connectionUp();
    health.connectionLost('lost');
    clock.advance(1);
    health.connectionUp();
    expect(health.counters).toEqual({ attempts: 3, connections: 2, clockResets: 0 });
    expect(health.summaryLine(['7 spikes', health.clockResetsText(), health.connectionsText()])).toBe('sources: rig: 7 spikes, 0 clock resets, 2 connections');
  });

  it('every(key) lets one alert of a cause through per interval, keys apart', () => {
    const { clock, health } = harness();
    expect(health.every('a', 5000)).toBe(true);
    expect(health.every('a', 5000)).toBe(false);
    expect(health.every('b', 5000)).toBe(true);
    clock.advance(5000);
    expect(health.every('a', 5000)).toBe(true);
  });

  it('refuses a silence limit that is not a number of seconds', () => {
    expect(() => harness({ silenceSeconds: -1 })).toThrow(/silenceSeconds/);
    expect(() => harness({ silenceSeconds: NaN })).toThrow(/silenceSeconds/);
  });
});
