import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RhxSpikeSource } from '../../adapters/intan/rhxSpikeSource.ts';
import type { LiveSource } from '../../adapters/liveSource.ts';
import { EventBroadcasterSource } from '../../adapters/openephys-live/eventBroadcasterSource.ts';
import { RigConnection } from '../../adapters/ws/rigConnection.ts';
import { EventBroadcasterSimulator } from '../../simulators/eventBroadcasterSimulator.ts';
import { RhxSimulator } from '../../simulators/rhxSimulator.ts';
import { RigSimulator } from '../../simulators/rigSimulator.ts';
import { ConnectionError } from '../../src/errors.ts';
import { DEFAULT_TIME_JUMP_LIMITS } from '../../src/live/timeJumpLimits.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import { ManualClock } from '../helpers/manualClock.ts';
import { closedPort, watchSource, type WatchedSource } from '../helpers/liveSourceWatch.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

/**
 * The one SourceHealth (src/live/sourceHealth.ts) seen through each of the
 * three live sources, on a clock the test moves by hand: a retry or a
 * silence check happens only when the test advances the clock, never
 * because the machine was slow. The peers are the project's simulators
 * (RHX with its command and spike ports, the Event Broadcaster over
 * ZeroMQ, a rig serving our ingest protocol) on 127.0.0.1, paced by hand
 * ('manual'), so what they send is a function of the seed and event time.
 * Waits are on what arrived (status lines, alerts, events, counts), never
 * on time; timeouts are only safety nets.
 *
 * The backoff: with random() = 1 every delay is its cap,
 * min(maxMs, initialMs·2^(n−1)): 40, 80, 150 (160 capped), 150 (320 capped).
 * These sum to less than the silence watchdog's check interval (1 s with a
 * 60 s limit), so the next timer due is always the retry.
 */
const reconnect = { initialMs: 40, maxMs: 150, maxAttempts: 4 };
const caps = [40, 80, 150, 150];

/**
 * A sparse population: one unit firing as a Poisson process at 0.05 Hz (a
 * channel that rarely spikes), so that the simulators' own event times
 * step forward by more than the 10 s time-jump limit between messages.
 */
const sparse = { units: 1, meanRateHz: 0.05, burstiness: 0, modes: 2, modeDwellSeconds: 1e6 };
const { alertSeconds, backSeconds } = DEFAULT_TIME_JUMP_LIMITS;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const watch = (source: LiveSource, statuses: string[]) => watchSource(source, statuses, cleanups);
type Watched = WatchedSource;

/** A connection of the test's own to `port`, refused: a round trip through the event loop after which a refusal the source had met would have been reported. */
function refusedHere(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => reject(new Error(`something listens on ${port}`)));
    socket.once('error', () => resolve());
  });
}

/**
 * Backoff then give-up, against a port where nothing listens. `attempts()`
 * counts the attempts the source shows; `noAttemptYet` checks, before the
 * clock reaches a retry's due time, that the source has made no attempt.
 */
async function expectBackoffThenGiveUp(
  clock: ManualClock,
  watched: Watched,
  options: { attempts: () => number; noAttemptYet: () => Promise<void>; url: string; target: RegExp; watchdog: boolean },
): Promise<void> {
  // The first attempt is made at start, with no wait.
  for (let n = 1; n <= caps.length; n++) {
    await waitUntil(() => watched.retries() === n, `retry ${n} to be scheduled`);
    expect(options.attempts()).toBe(n);
    // Exactly one retry waits, due after exactly its cap (the silence watchdog's timer aside, which is no retry and due later).
    expect(clock.keepAliveDueInMs()).toEqual([caps[n - 1]]);
    expect(clock.nextDueInMs()).toBe(caps[n - 1]);
    expect(clock.pending).toBe(options.watchdog ? 2 : 1);
    expect(watched.statuses.at(-1)).toBe(`connection to ${options.url} lost or refused; retry ${n} in ${(caps[n - 1] / 1000).toFixed(2)} s`);
    // One millisecond short of the delay: the retry still waits, and no attempt has been made.
    clock.advance(caps[n - 1] - 1);
    expect(clock.keepAliveDueInMs()).toEqual([1]);
    await options.noAttemptYet();
    expect(options.attempts()).toBe(n);
    expect(watched.retries()).toBe(n);
    // At the delay: the attempt.
    clock.advance(1);
    expect(clock.keepAliveDueInMs()).toEqual([]);
    await waitUntil(() => options.attempts() > n, `attempt ${n + 1}`);
    expect(options.attempts()).toBe(n + 1);
  }
  // The attempt after the last retry fails too: the source gives up.
  await waitUntil(() => watched.failure() !== undefined, 'the source to give up');
  const error = watched.failure() as Error;
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as ConnectionError).code).toBe('CONNECTION');
  expect(error.message).toMatch(options.target);
  // maxAttempts counts retries: the first attempt and 4 retries were made (5 in all), and the error says "after 4 attempts to reconnect".
  expect(error.message).toMatch(new RegExp(`after ${reconnect.maxAttempts} attempts to reconnect$`));
  expect(options.attempts()).toBe(reconnect.maxAttempts + 1);
  expect(watched.statuses.at(-1)).toBe(`giving up on ${options.url} after ${reconnect.maxAttempts} attempts to reconnect`);
  // No retry and no watchdog left; moving the clock on makes no attempt.
  expect(clock.pending).toBe(0);
  clock.advance(60_000);
  expect(clock.pending).toBe(0);
  expect(watched.retries()).toBe(caps.length);
  expect(options.attempts()).toBe(reconnect.maxAttempts + 1);
}

/** Forward steps between consecutive event times (sorted) of more than the alert limit. */
function forwardJumps(times: readonly number[]): number[] {
  const jumps: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > alertSeconds) jumps.push(times[i] - times[i - 1]);
  return jumps;
}

/**
 * Silence on the hand-moved clock with a 2 s limit (checked every 500 ms,
 * from the start): connected and nothing sent, `source-silent` is raised at
 * exactly 2 s, not 1 ms before.
 */
function expectSilentAtTheLimit(clock: ManualClock, watched: Watched, what: RegExp): void {
  clock.advance(1999);
  expect(watched.alertsOf('source-silent')).toEqual([]);
  clock.advance(1);
  expect(watched.alertsOf('source-silent')).toHaveLength(1);
  expect(watched.alertsOf('source-silent')[0].value).toBe(2);
  expect(watched.alertsOf('source-silent')[0].message).toMatch(what);
}

/**
 * A source that sent, then went quiet: silence counts from the first check
 * after its last message (within one check interval of it), so with the
 * clock standing on a check when the messages came, it is raised 2.5 s
 * later (2 s of silence from the next check), not 1 ms before.
 */
function expectSilentAgain(clock: ManualClock, watched: Watched): void {
  const before = watched.alertsOf('source-silent').length;
  clock.advance(2499);
  expect(watched.alertsOf('source-silent')).toHaveLength(before);
  clock.advance(1);
  expect(watched.alertsOf('source-silent')).toHaveLength(before + 1);
  expect(watched.alertsOf('source-silent').at(-1)!.value).toBe(2);
}

const spikeTimes = (events: readonly SourceEvent[]) => events.flatMap((event) => (event.kind === 'spikes' ? Array.from(event.t) : []));

describe('Intan RHX spike port (RhxSpikeSource) through SourceHealth', () => {
  const RATE = 30_000;

  it('backs off 40, 80, 150, 150 ms on the clock, no attempt before it, then gives up with a ConnectionError naming the address', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const port = await closedPort();
    const url = `tcp://127.0.0.1:${port}`;
    const source = new RhxSpikeSource({ url, sampleRate: RATE, reconnect, random: () => 1, clock, silenceSeconds: 60, onStatus: (line) => statuses.push(line) });
    const watched = watch(source, statuses);
    // Each refused attempt says so in a status line (connectTcp's ConnectionError).
    const attempts = () => statuses.filter((line) => line.startsWith(`${url}: connect ECONNREFUSED`)).length;
    await expectBackoffThenGiveUp(clock, watched, {
      attempts,
      // A refusal of our own after the source's would-be attempt: had the source tried, its refusal would be in by then.
      noAttemptYet: () => refusedHere(port),
      url,
      target: new RegExp(`^could not reach tcp://127\\.0\\.0\\.1:${port} after`),
      watchdog: true,
    });
  });

  it('the RHX simulator: silence raised at the limit and cleared by the next record; a sparse channel jumps forward; a dropped spike port opens a gap from the latest time that the return closes at the first new record', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    // With a command port the board starts stopped; the source enables the channel, connects the spike port and starts the run.
    const rhx = await RhxSimulator.start({ ...sparse, seed: 3, speed: 'manual', commandPort: 0, spikePort: 0 });
    cleanups.push(() => rhx.stop());
    const source = new RhxSpikeSource({
      url: rhx.spikeUrl,
      command: rhx.commandAddress,
      channels: rhx.channels,
      reconnect,
      random: () => 1,
      clock,
      silenceSeconds: 2,
      onStatus: (line) => statuses.push(line),
    });
    const watched = watch(source, statuses);
    await waitUntil(() => rhx.isRunning && rhx.hasSpikeClient && statuses.includes(`connected to ${rhx.spikeUrl}`), 'the spike port connected and the board running');
    const connects = () => rhx.commandLog.join('').split('execute connecttcpspikedataoutput').length - 1;
    expect(connects()).toBe(1);

    // Silence: connected, the board running, no spike yet.
    expectSilentAtTheLimit(clock, watched, /no spike record for 2\.0 s while connected \(is the board running/);

    // 45 s of the run: the records arrive, the first clears the silence.
    rhx.advanceTo(45);
    const sent = () => rhx.sent.sample.map((sample) => sample / RATE);
    const beforeDrop = rhx.sent.sample.length;
    await waitUntil(() => spikeTimes(watched.events).length === beforeDrop, `the ${beforeDrop} records sent`);
    expect(spikeTimes(watched.events)).toEqual(sent());
    expect(watched.alertsOf('source-silent', 'cleared')).toHaveLength(1);
    expect(watched.alertsOf('source-silent', 'cleared')[0].message).toMatch(/is sending again/);

    // The channel fires rarely: where consecutive spikes lie more than 10 s apart, a time-jump alert says by how much.
    const jumps = forwardJumps(sent());
    expect(jumps.length).toBeGreaterThan(0);
    expect(watched.alertsOf('time-jump').map((alert) => alert.value)).toEqual(jumps);
    expect(watched.alertsOf('time-jump')[0].message).toMatch(/event time jumped \d+\.\d{3} s forward.*\(no spike on the enabled channels in between\)$/);

    // No record for a while now: silent again.
    expectSilentAgain(clock, watched);

    // The spike connection drops: source-lost, a gap from the last record on, and the retry waits for the clock.
    const latest = sent()[beforeDrop - 1];
    rhx.dropSpikeConnection();
    await waitUntil(() => watched.alertsOf('source-lost').length === 1 && watched.retries() === 1, 'source-lost and retry 1');
    expect(watched.alertsOf('source-lost')[0].message).toMatch(/disconnected \(\d+ records so far\); waiting for it to come back$/);
    expect(watched.gaps()).toEqual([{ kind: 'gap', start: latest, end: Infinity }]);
    expect(clock.keepAliveDueInMs()).toEqual([caps[0]]);
    // 15 s of the run while nobody is connected: RHX drops them (nothing recorded as sent).
    rhx.advanceTo(60);
    expect(rhx.sent.sample.length).toBe(beforeDrop);
    clock.advance(caps[0] - 1);
    expect(clock.keepAliveDueInMs()).toEqual([1]);
    expect(connects()).toBe(1);
    expect(rhx.hasSpikeClient).toBe(false);
    // At the delay: the source asks RHX to listen again (command port), connects, and clears the alert.
    clock.advance(1);
    await waitUntil(() => rhx.hasSpikeClient && watched.alertsOf('source-lost', 'cleared').length === 1, 'back: source-lost cleared');
    expect(connects()).toBe(2);
    expect(watched.alertsOf('source-lost', 'cleared')[0].message).toMatch(/is back \(connection 2\); what RHX detected while it was away is lost$/);
    expect(watched.gaps()).toHaveLength(1);

    // The run goes on: the first record after the return closes the gap there, with a data-gap alert of the span missed.
    rhx.advanceTo(120);
    const total = rhx.sent.sample.length;
    expect(total).toBeGreaterThan(beforeDrop);
    await waitUntil(() => spikeTimes(watched.events).length === total, `the ${total} records sent`);
    const firstBack = sent()[beforeDrop];
    expect(firstBack).toBeGreaterThan(60);
    expect(watched.gaps()).toEqual([
      { kind: 'gap', start: latest, end: Infinity },
      { kind: 'gap', start: latest, end: firstBack },
    ]);
    expect(watched.alertsOf('data-gap')).toHaveLength(1);
    expect(watched.alertsOf('data-gap')[0]).toMatchObject({ t: firstBack, value: firstBack - latest });
    expect(firstBack - latest).toBeGreaterThan(backSeconds);
    // The step over the loss is the gap, not a time jump; the silence was cleared at the loss and not raised since.
    expect(watched.alertsOf('time-jump').map((alert) => alert.value)).toEqual(jumps);
    expect(watched.alertsOf('source-silent')).toHaveLength(2);
    expect(spikeTimes(watched.events)).toEqual(sent());
    expect(source.summary()).toMatch(/, 0 clock resets, 2 connections$/);
  });
});

describe('Open Ephys Event Broadcaster (EventBroadcasterSource, ZeroMQ in a child process) through SourceHealth', () => {
  it('backs off 40, 80, 150, 150 ms on the clock, no attempt before it, then gives up with a ConnectionError naming the address', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const url = `tcp://127.0.0.1:${await closedPort()}`;
    const source = new EventBroadcasterSource({ url, reconnect, random: () => 1, clock, silenceSeconds: 60, onStatus: (line) => statuses.push(line) });
    const watched = watch(source, statuses);
    // Each attempt is a receiver process of its own, started at once when the attempt is made.
    const pids = new Set<number>();
    const seePid = () => {
      if (source.receiverPid !== undefined) pids.add(source.receiverPid);
    };
    seePid();
    expect(pids.size).toBe(1);
    await expectBackoffThenGiveUp(clock, watched, {
      attempts: () => {
        seePid();
        // A failed attempt leaves no receiver: those that failed, plus the one running.
        return pids.size;
      },
      noAttemptYet: async () => {
        expect(source.receiverPid).toBeUndefined();
      },
      url,
      target: new RegExp(`^could not reach the Event Broadcaster at ${url.replace(/\./g, '\\.')} after`),
      watchdog: true,
    });
    expect(source.receiverPid).toBeUndefined();
  });

  it('the Event Broadcaster simulator: silence raised at the limit and cleared by the next message; a sparse stream jumps forward; the publisher gone and restarted later opens a gap from the latest time that its first message closes', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const first = await EventBroadcasterSimulator.start({ ...sparse, seed: 1, speed: 'manual' });
    cleanups.push(() => first.stop());
    const source = new EventBroadcasterSource({ url: first.url, reconnect, random: () => 1, clock, silenceSeconds: 2, onStatus: (line) => statuses.push(line) });
    const watched = watch(source, statuses);
    await first.whenSubscribed();
    await waitUntil(() => statuses.includes(`connected to ${first.url}`), 'the ZMTP handshake');

    expectSilentAtTheLimit(clock, watched, /no message for 2\.0 s while connected \(is acquisition running/);

    // 30 s of recording: the opening TTL line at 0, then the spikes; the first message clears the silence.
    await first.advanceTo(30);
    await waitUntil(() => source.counters.messages === first.messagesSent, `the ${first.messagesSent} messages published`);
    await waitUntil(() => spikeTimes(watched.events).length === first.sent.spikes.length, 'the spikes handed on');
    expect(watched.alertsOf('source-silent', 'cleared')).toHaveLength(1);
    const sentTimes = (simulator: EventBroadcasterSimulator) =>
      [...simulator.sent.ttl.map((event) => event.sample), ...simulator.sent.spikes.map((spike) => spike.sample)].sort((a, b) => a - b).map((sample) => sample / simulator.sampleRate);
    const times = sentTimes(first);
    expect(times[0]).toBe(0);
    const jumps = forwardJumps(times);
    expect(jumps.length).toBeGreaterThan(0);
    expect(watched.alertsOf('time-jump').map((alert) => alert.value)).toEqual(jumps);
    expect(watched.alertsOf('time-jump')[0].message).toMatch(/event time jumped \d+\.\d{3} s forward.*\(stream "example_data"\)$/);

    expectSilentAgain(clock, watched);

    // The publisher goes away: source-lost, a gap from its last message on; the retry waits for the clock.
    const latest = times.at(-1)!;
    await first.stop();
    await waitUntil(() => watched.alertsOf('source-lost').length === 1 && watched.retries() === 1, 'source-lost and retry 1');
    expect(watched.gaps()).toEqual([{ kind: 'gap', start: latest, end: Infinity }]);
    expect(clock.keepAliveDueInMs()).toEqual([caps[0]]);
    // It comes back on the same port 10 s of recording later (acquisition went on): its first message is the opening TTL line at 40 s.
    const second = await EventBroadcasterSimulator.start({ ...sparse, seed: 1, speed: 'manual', port: first.port, startSeconds: 40 });
    cleanups.push(() => second.stop());
    clock.advance(caps[0] - 1);
    expect(clock.keepAliveDueInMs()).toEqual([1]);
    expect(source.receiverPid).toBeUndefined();
    clock.advance(1);
    expect(source.receiverPid).toBeDefined();
    await second.whenSubscribed();
    await waitUntil(() => watched.alertsOf('source-lost', 'cleared').length === 1, 'back: source-lost cleared');
    expect(watched.alertsOf('source-lost', 'cleared')[0].message).toMatch(/is back \(connection 2\); what it broadcast while away is lost$/);

    await second.advanceTo(60);
    await waitUntil(() => source.counters.messages === first.messagesSent + second.messagesSent, 'the messages of both publishers');
    await waitUntil(() => spikeTimes(watched.events).length === first.sent.spikes.length + second.sent.spikes.length, 'the spikes handed on');
    const firstBack = sentTimes(second)[0];
    expect(firstBack).toBe(40);
    // The gap closes at 40 s; the TTL lines' state while away is unknown: no mode from the loss on.
    expect(watched.events.filter((event) => event.kind === 'gap' || (event.kind === 'label' && event.label === null))).toEqual([
      { kind: 'gap', start: latest, end: Infinity },
      { kind: 'gap', start: latest, end: firstBack },
      { kind: 'label', t: latest, label: null },
    ]);
    expect(watched.alertsOf('data-gap')).toHaveLength(1);
    expect(watched.alertsOf('data-gap')[0]).toMatchObject({ t: firstBack, value: firstBack - latest });
    // The second publisher's own steps are checked too (none past the limit here but across the loss, which is the gap).
    expect(watched.alertsOf('time-jump').map((alert) => alert.value)).toEqual([...jumps, ...forwardJumps(sentTimes(second))]);
    expect(watched.alertsOf('source-silent')).toHaveLength(2);
    expect(source.summary()).toMatch(/, 2 connections, streams: example_data 30000 Hz \(clock\)$/);
  });
});

describe('ws:// rig (RigConnection, our ingest protocol) through SourceHealth', () => {
  // Silence: RigConnection's health has no watchdog (silenceSeconds 0); the silence of the rig's sources is the
  // registry's, checked by `synergy serve` (SynergyServer's half-second tick calls each source's checkSilence). The
  // server takes no clock (its tick is a setInterval, its registry reads Date.now), so it cannot be driven by hand
  // here; the check itself is in test/live/sourceHealth.test.ts and test/server/synergyServer.test.ts.

  it('backs off 40, 80, 150, 150 ms on the clock, no attempt before it, then gives up with a ConnectionError naming the address', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}`;
    const source = new RigConnection({ url, reconnect, random: () => 1, clock, onStatus: (line) => statuses.push(line) });
    const watched = watch(source, statuses);
    const attempts = () => statuses.filter((line) => line.startsWith(`${url}: connect ECONNREFUSED`)).length;
    await expectBackoffThenGiveUp(clock, watched, {
      attempts,
      noAttemptYet: () => refusedHere(port),
      url,
      target: new RegExp(`^could not reach ws://127\\.0\\.0\\.1:${port} after`),
      watchdog: false,
    });
    // A rig never reached leaves no source in the registry: nothing was lost, no alert.
    expect(watched.alerts).toEqual([]);
  });

  it('the rig simulator: a forward jump between its 16 s steps; killed without end and restarted later as a new run, a gap from the latest time that its first message closes', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    // Steps of 16 s: a heartbeat only every 16 s, so a sparse unit's spike can lie more than 10 s past the latest time.
    const rig = { ...sparse, seed: 1, speed: 'manual' as const, stepSeconds: 16, source: 'rig-1' };
    const first = await RigSimulator.start({ ...rig, run: 'run-a' });
    cleanups.push(() => first.kill());
    const port = first.port;
    const source = new RigConnection({ url: first.url, reconnect, random: () => 1, clock, onStatus: (line) => statuses.push(line) });
    const watched = watch(source, statuses);
    await first.clientsAreReady(1);
    expect(statuses).toContain(`connected to ${first.url}`);

    first.advanceTo(48);
    const heartbeatAt = (t: number) => watched.events.some((event) => event.kind === 'heartbeat' && event.t === t);
    await waitUntil(() => heartbeatAt(48), 'the heartbeat at 48 s');
    // Each message's latest time against the latest before it: a step of more than 10 s is a time-jump alert with its size.
    const messageTimesOf = (events: readonly SourceEvent[]) =>
      events.flatMap((event) => (event.kind === 'spikes' ? [Math.max(...event.t)] : event.kind === 'heartbeat' || event.kind === 'label' ? [event.t] : []));
    const messageTimes = messageTimesOf(watched.events);
    expect(messageTimes.slice(0, 1)).toEqual([0]);
    const jumps = forwardJumps(messageTimes);
    expect(jumps.length).toBeGreaterThan(0);
    expect(watched.alertsOf('time-jump').map((alert) => alert.value)).toEqual(jumps);
    expect(watched.alertsOf('time-jump')[0].message).toMatch(/event time jumped \d+\.\d{3} s forward/);

    // The rig dies without `end`: source-lost (the session's), a gap from 48 s on; the retry (the health's) waits for the clock.
    await first.kill();
    await waitUntil(() => watched.alertsOf('source-lost').length === 1 && watched.retries() === 1, 'source-lost and retry 1');
    expect(watched.alertsOf('source-lost')[0].message).toMatch(/^source rig-1 disconnected without "end"/);
    expect(watched.gaps()).toEqual([{ kind: 'gap', start: 48, end: Infinity }]);
    expect(clock.keepAliveDueInMs()).toEqual([caps[0]]);
    expect(clock.pending).toBe(1);
    // Restarted on the same port, 16 s of recording later, as a new run.
    const second = await RigSimulator.start({ ...rig, run: 'run-b', port, startSeconds: 64 });
    cleanups.push(() => second.kill());
    clock.advance(caps[0] - 1);
    expect(clock.keepAliveDueInMs()).toEqual([1]);
    clock.advance(1);
    await second.clientsAreReady(1);
    await waitUntil(() => watched.alertsOf('source-lost', 'cleared').length === 1, 'back: source-lost cleared');
    expect(watched.alertsOf('source-lost', 'cleared')[0].message).toMatch(/is back as a new run \(run-b\)/);

    // Its first message (the mode in force at 64 s) closes the gap there: 16 s missed.
    second.advanceTo(80);
    await waitUntil(() => heartbeatAt(80), 'the heartbeat at 80 s');
    expect(watched.gaps()).toEqual([
      { kind: 'gap', start: 48, end: Infinity },
      { kind: 'gap', start: 48, end: 64 },
    ]);
    expect(watched.alertsOf('data-gap')).toHaveLength(1);
    expect(watched.alertsOf('data-gap')[0]).toMatchObject({ t: 64, value: 16 });
    // The step over the loss (48 → 64 s) is the gap, not a time jump; the new run's own steps are checked again (64 → 80 s: 16 s).
    const timesAfterReturn = messageTimesOf(watched.events.slice(watched.events.findIndex((event) => event.kind === 'gap' && event.end === 64) + 1));
    expect(timesAfterReturn).toEqual([64, 80]);
    expect(watched.alertsOf('time-jump').map((alert) => alert.value)).toEqual([...jumps, ...forwardJumps(timesAfterReturn)]);
    expect(watched.alertsOf('time-jump').at(-1)).toMatchObject({ t: 64, value: 16 });
    // The new run's clock starts past the old one's latest time: placed as it is, no clock reset.
    expect(watched.alertsOf('clock-reset')).toEqual([]);
    expect(watched.failure()).toBeUndefined();
  });
});
