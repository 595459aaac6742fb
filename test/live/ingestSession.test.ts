import { describe, expect, it } from 'vitest';
import { encodeSpikeFrame } from '../../src/live/binarySpikeFrame.ts';
import { IngestSession, SourceRegistry, type SessionOutput } from '../../src/live/ingestSession.ts';
import type { SpikeBatch } from '../../src/stream/events.ts';

const hello = (extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'hello', protocol: 1, source: 'rig', ...extra });
const json = (message: Record<string, unknown>) => JSON.stringify(message);

function session(registry = new SourceRegistry(), now = () => 0) {
  return new IngestSession(registry, { timeJumps: { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.1, restartSeconds: 60.1 } }, now);
}

function spikesOf(out: SessionOutput): Array<[number, string]> {
  return out.events
    .filter((event): event is SpikeBatch => event.kind === 'spikes')
    .flatMap((batch) => Array.from(batch.t, (t, i) => [t, batch.unitIds[batch.unit[i]]] as [number, string]));
}

describe('IngestSession', () => {
  it('answers hello with ready and turns messages into events', () => {
    const s = session();
    expect(s.receive(hello({ sampleRate: 1000, units: ['u0', 'u1'] }), false).replies).toEqual([{ type: 'ready', protocol: 1, source: 'rig', lastSeq: null }]);
    expect(spikesOf(s.receive(json({ type: 'spikes', seq: 0, t: [0.5, 0.6], unit: ['a', 'b'] }), false))).toEqual([
      [0.5, 'a'],
      [0.6, 'b'],
    ]);
    expect(spikesOf(s.receive(json({ type: 'spikes', seq: 1, sample: [700], unit: ['a'] }), false))).toEqual([[0.7, 'a']]);
    expect(spikesOf(s.receive(encodeSpikeFrame(2, [800, 900], [1, 0], 'samples'), true))).toEqual([
      [0.8, 'u1'],
      [0.9, 'u0'],
    ]);
    expect(s.receive(json({ type: 'label', seq: 3, t: 1, label: 'go' }), false).events).toEqual([{ kind: 'label', t: 1, label: 'go' }]);
    expect(s.receive(json({ type: 'heartbeat', seq: 4, t: 2 }), false).events).toEqual([{ kind: 'heartbeat', t: 2 }]);
    s.receive(json({ type: 'units', seq: 5, units: ['u2'] }), false);
    expect(spikesOf(s.receive(encodeSpikeFrame(6, [2.5], [2]), true))).toEqual([[2.5, 'u2']]);
    const end = s.receive(json({ type: 'end', seq: 7 }), false);
    expect(end.ended).toBe(true);
    expect(s.close()).toEqual({ alerts: [], events: [] });
    expect(s.source!.counters).toMatchObject({ messages: 7, spikes: 6, missing: 0 });
  });

  it('requires hello first, refuses repeats and data after end, counting each', () => {
    const s = session();
    expect(s.receive(json({ type: 'heartbeat', seq: 0, t: 1 }), false).replies[0]).toMatchObject({ type: 'error', code: 'hello-required' });
    s.receive(hello(), false);
    expect(s.receive(hello(), false).replies[0]).toMatchObject({ code: 'duplicate-hello' });
    s.receive(json({ type: 'heartbeat', seq: 5, t: 1 }), false);
    expect(s.receive(json({ type: 'heartbeat', seq: 5, t: 1 }), false).replies[0]).toMatchObject({ code: 'duplicate-seq', seq: 5 });
    s.receive(json({ type: 'end' }), false);
    expect(s.receive(json({ type: 'heartbeat', seq: 6, t: 1 }), false).replies[0]).toMatchObject({ code: 'after-end' });
    expect(s.source!.counters.rejected).toEqual({ 'hello-required': 1, 'duplicate-hello': 1, 'duplicate-seq': 1, 'after-end': 1 });
  });

  it('raises a sequence-gap alert with the number missing; a refused message uses up its seq', () => {
    const s = session();
    s.receive(hello(), false);
    s.receive(json({ type: 'heartbeat', seq: 10, t: 1 }), false);
    const gap = s.receive(json({ type: 'heartbeat', seq: 14, t: 2 }), false);
    expect(gap.alerts).toEqual([expect.objectContaining({ kind: 'sequence-gap', value: 3, source: 'rig' })]);
    expect(gap.alerts[0].message).toMatch(/3 messages missing \(seq 11–13\)/);
    // A malformed message with seq 15 is refused, but the next one (16) is no gap.
    expect(s.receive(json({ type: 'spikes', seq: 15, t: [1], unit: [] }), false).replies[0]).toMatchObject({ code: 'bad-field' });
    expect(s.receive(json({ type: 'heartbeat', seq: 16, t: 3 }), false).alerts).toEqual([]);
    expect(s.source!.counters.missing).toBe(3);
  });

  it('refuses unknown unit indices and sample spikes without a sample rate', () => {
    const s = session();
    s.receive(hello({ units: ['a'] }), false);
    expect(s.receive(encodeSpikeFrame(0, [1], [1]), true).replies[0]).toMatchObject({ code: 'unknown-unit-index' });
    expect(s.receive(json({ type: 'spikes', seq: 1, sample: [5], unit: ['a'] }), false).replies[0]).toMatchObject({ code: 'sample-rate-required' });
    expect(s.receive(Buffer.from('garbage'), true).replies[0]).toMatchObject({ code: 'bad-binary-frame' });
  });

  it('warns once per unknown field and keeps the message', () => {
    const s = session();
    s.receive(hello(), false);
    const first = s.receive(json({ type: 'heartbeat', seq: 0, t: 1, colour: 'red' }), false);
    expect(first.replies).toEqual([expect.objectContaining({ type: 'warning', code: 'unknown-field' })]);
    expect(first.events).toHaveLength(1);
    expect(s.receive(json({ type: 'heartbeat', seq: 1, t: 2, colour: 'red' }), false).replies).toEqual([]);
  });

  it('raises time-jump alerts forward and back, and refuses a clock error', () => {
    const s = session();
    s.receive(hello(), false);
    s.receive(json({ type: 'heartbeat', seq: 0, t: 100 }), false);
    const forward = s.receive(json({ type: 'heartbeat', seq: 1, t: 130 }), false);
    expect(forward.alerts).toEqual([expect.objectContaining({ kind: 'time-jump', value: 30 })]);
    const back = s.receive(json({ type: 'spikes', seq: 2, t: [129, 131], unit: ['a', 'a'] }), false);
    expect(back.alerts).toEqual([expect.objectContaining({ kind: 'time-jump', value: -1 })]);
    expect(back.events).toHaveLength(1);
    const clock = s.receive(json({ type: 'heartbeat', seq: 3, t: 5000 }), false);
    expect(clock.events).toEqual([]);
    expect(clock.replies[0]).toMatchObject({ type: 'error', seq: 3 });
    expect(clock.alerts[0]).toMatchObject({ kind: 'time-jump' });
    expect(s.source!.latestTime).toBe(131);
  });

  it('reports a lost source, its return, and the stretch of data it did not deliver', () => {
    const registry = new SourceRegistry();
    const first = session(registry);
    first.receive(hello({ run: 'r1' }), false);
    first.receive(json({ type: 'heartbeat', seq: 0, t: 10 }), false);
    expect(first.close()).toEqual({
      alerts: [expect.objectContaining({ kind: 'source-lost', state: 'raised', source: 'rig' })],
      events: [{ kind: 'gap', start: 10, end: Infinity }],
    });
    const second = session(registry);
    const back = second.receive(hello({ run: 'r1' }), false);
    expect(back.replies[0]).toEqual({ type: 'ready', protocol: 1, source: 'rig', lastSeq: 0 });
    expect(back.alerts).toEqual([expect.objectContaining({ kind: 'source-lost', state: 'cleared' })]);
    // seq 2 after 0: one message missing, so the gap stands, closed where the data resume.
    const resumed = second.receive(json({ type: 'heartbeat', seq: 2, t: 14.5 }), false);
    expect(resumed.alerts).toEqual([expect.objectContaining({ kind: 'sequence-gap', value: 1 }), expect.objectContaining({ kind: 'data-gap', value: 4.5 })]);
    expect(resumed.events).toEqual([
      { kind: 'gap', start: 10, end: 14.5 },
      { kind: 'heartbeat', t: 14.5 },
    ]);
    // A restarted rig (new run) numbers from 0 again: no duplicate refusals.
    second.close();
    const third = session(registry);
    expect(third.receive(hello({ run: 'r2' }), false).replies[0]).toMatchObject({ lastSeq: null });
    expect(third.receive(json({ type: 'heartbeat', seq: 0, t: 20 }), false).replies).toEqual([]);
  });

  it('allows one connection per source name', () => {
    const registry = new SourceRegistry();
    session(registry).receive(hello(), false);
    expect(session(registry).receive(hello(), false).replies[0]).toMatchObject({ code: 'duplicate-hello', message: expect.stringMatching(/already connected/) });
  });
});

describe('IngestSession resuming without loss', () => {
  it('removes the data gap when the returning source continues at the next seq', () => {
    const registry = new SourceRegistry();
    const first = session(registry);
    first.receive(hello(), false);
    first.receive(json({ type: 'heartbeat', seq: 0, t: 10 }), false);
    first.close();
    const second = session(registry);
    second.receive(hello(), false);
    const resumed = second.receive(json({ type: 'spikes', seq: 1, t: [11.5], unit: ['a'] }), false);
    expect(resumed.alerts).toEqual([]);
    expect(resumed.events[0]).toEqual({ kind: 'gap', start: 10, end: 10 });
    expect(resumed.events[1]).toMatchObject({ kind: 'spikes' });
  });
});

describe('IngestSession: clocks that restart, jump or lie', () => {
  it('a rig whose clock went back to 0 gets one clock-reset and continues after its old run, nothing late', () => {
    const registry = new SourceRegistry();
    const first = session(registry);
    first.receive(hello({ run: 'a' }), false);
    first.receive(json({ type: 'label', seq: 0, t: 0, label: 'go' }), false);
    first.receive(json({ type: 'spikes', seq: 1, t: [10, 40], unit: ['u', 'v'] }), false);
    first.close();
    const second = session(registry);
    second.receive(hello({ run: 'b' }), false);
    const outputs = Array.from({ length: 50 }, (_, k) => second.receive(json({ type: 'spikes', seq: k, t: [0.25 + k * 0.1], unit: ['u'] }), false));
    const alerts = outputs.flatMap((out) => out.alerts);
    expect(alerts.map((alert) => alert.kind)).toEqual(['clock-reset', 'data-gap']);
    expect(alerts[0]).toMatchObject({ kind: 'clock-reset', t: 40, value: 40 });
    // Second 0 of the new run is the old run's latest time; the mode is unknown until the rig says it.
    expect(outputs[0].events.slice(0, 2)).toEqual([
      { kind: 'gap', start: 40, end: 40.25 },
      { kind: 'label', t: 40, label: null },
    ]);
    expect(spikesOf(outputs[0])).toEqual([[40.25, 'u']]);
    expect(spikesOf(outputs[49])[0][0]).toBeCloseTo(45.15, 9);
    expect(second.source!.counters.clockResets).toBe(1);
  });

  it('a clock that goes back without a restart raises one time-jump until it has passed where it was', () => {
    const s = session();
    s.receive(hello(), false);
    s.receive(json({ type: 'heartbeat', seq: 0, t: 100 }), false);
    const back = Array.from({ length: 30 }, (_, k) => s.receive(json({ type: 'heartbeat', seq: k + 1, t: 95 + k * 0.2 }), false));
    expect(back.flatMap((out) => out.alerts).map((alert) => alert.kind)).toEqual(['time-jump']);
    s.receive(json({ type: 'heartbeat', seq: 31, t: 101 }), false);
    expect(s.receive(json({ type: 'heartbeat', seq: 32, t: 99 }), false).alerts.map((alert) => alert.kind)).toEqual(['time-jump']);
  });

  it('refuses one far-ahead time, and takes a source that stays there to have jumped: the analysis restarts', () => {
    const s = session();
    s.receive(hello(), false);
    s.receive(json({ type: 'heartbeat', seq: 0, t: 100 }), false);
    // One corrupt time, then the source goes on where it was.
    expect(s.receive(json({ type: 'heartbeat', seq: 1, t: 1e6 }), false).replies[0]).toMatchObject({ code: 'bad-field', message: expect.stringMatching(/1 of 3/) });
    expect(s.receive(json({ type: 'heartbeat', seq: 2, t: 101 }), false).events).toEqual([{ kind: 'heartbeat', t: 101 }]);
    // Three in a row near each other: a real jump.
    expect(s.receive(json({ type: 'heartbeat', seq: 3, t: 5000 }), false).replies[0]).toMatchObject({ code: 'bad-field' });
    expect(s.receive(json({ type: 'heartbeat', seq: 4, t: 5001 }), false).replies[0]).toMatchObject({ code: 'bad-field', message: expect.stringMatching(/2 of 3/) });
    const jumped = s.receive(json({ type: 'heartbeat', seq: 5, t: 5002 }), false);
    expect(jumped.replies).toEqual([]);
    expect(jumped.events).toEqual([
      { kind: 'restart', from: 101, at: 5002 },
      { kind: 'heartbeat', t: 5002 },
    ]);
  });

  it('a jump past the window restarts the analysis at once; a shorter one does not', () => {
    const s = session();
    s.receive(hello(), false);
    s.receive(json({ type: 'heartbeat', seq: 0, t: 10 }), false);
    expect(s.receive(json({ type: 'heartbeat', seq: 1, t: 70 }), false).events).toEqual([{ kind: 'heartbeat', t: 70 }]);
    const far = s.receive(json({ type: 'spikes', seq: 2, t: [170, 171], unit: ['a', 'b'] }), false);
    expect(far.events[0]).toEqual({ kind: 'restart', from: 70, at: 170 });
    expect(far.alerts).toEqual([expect.objectContaining({ kind: 'time-jump', value: 100, message: expect.stringMatching(/restarts at 170/) })]);
  });

  it('refuses times past 2^32 s, NaN-like sample clocks and a message that spans more than the refuse limit', () => {
    const s = session();
    s.receive(hello({ units: ['a'], sampleRate: 1 }), false);
    expect(s.receive(json({ type: 'heartbeat', seq: 0, t: 1e300 }), false).replies[0]).toMatchObject({ code: 'bad-field' });
    expect(s.receive(json({ type: 'spikes', seq: 1, t: [0, 1000], unit: ['a', 'a'] }), false).replies[0]).toMatchObject({ code: 'bad-field', message: expect.stringMatching(/span 1000/) });
    expect(s.receive(encodeSpikeFrame(2, [Number.NaN], [0]), true).replies[0]).toMatchObject({ code: 'bad-field' });
    expect(s.receive(encodeSpikeFrame(3, [2 ** 40], [0], 'samples'), true).replies[0]).toMatchObject({ code: 'bad-field' });
    expect(s.receive(encodeSpikeFrame(4, [-1], [0]), true).replies[0]).toMatchObject({ code: 'bad-field' });
    expect(session().receive(hello({ sampleRate: 1e-300 }), false).replies[0]).toMatchObject({ code: 'bad-field', message: expect.stringMatching(/sampleRate/) });
    expect(s.source!.latestTime).toBe(-Infinity);
  });
});

describe('IngestSession: what a source may hold', () => {
  const limited = (registry = new SourceRegistry()) =>
    new IngestSession(registry, { maxUnits: 4, maxModes: 2, maxPendingIntervals: 3, maxUnknownFields: 2, timeJumps: { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.1, restartSeconds: 60.1 } }, () => 0);

  it('refuses a message whose new units would pass the unit limit, declared or spiking', () => {
    const s = limited();
    s.receive(hello({ units: ['a', 'b'] }), false);
    expect(s.receive(json({ type: 'spikes', seq: 0, t: [1, 2], unit: ['a', 'c'] }), false).replies).toEqual([]);
    expect(s.receive(json({ type: 'spikes', seq: 1, t: [3, 4], unit: ['d', 'e'] }), false).replies[0]).toMatchObject({ code: 'too-many-units', seq: 1 });
    expect(s.receive(json({ type: 'units', seq: 2, units: ['x', 'y'] }), false).replies[0]).toMatchObject({ code: 'too-many-units' });
    expect(s.receive(json({ type: 'spikes', seq: 3, t: [5, 6, 7], unit: ['d', 'a', 'd'] }), false).replies).toEqual([]);
    expect(s.source!.units.size).toBe(4);
    expect(limited().receive(hello({ units: ['1', '2', '3', '4', '5'] }), false).replies[0]).toMatchObject({ code: 'too-many-units' });
  });

  it('refuses new modes past the mode limit and intervals piling up ahead of time', () => {
    const s = limited();
    s.receive(hello(), false);
    s.receive(json({ type: 'label', seq: 0, t: 1, label: 'go' }), false);
    s.receive(json({ type: 'label', seq: 1, t: 2, label: '__proto__' }), false);
    expect(s.receive(json({ type: 'label', seq: 2, t: 3, label: 'third' }), false).replies[0]).toMatchObject({ code: 'too-many-modes' });
    expect(s.receive(json({ type: 'label', seq: 3, t: 3, label: 'go' }), false).replies).toEqual([]);
    for (let k = 0; k < 3; k++) expect(s.receive(json({ type: 'interval', seq: 4 + k, start: 10 + k, end: 11 + k, label: 'go' }), false).replies).toEqual([]);
    expect(s.receive(json({ type: 'interval', seq: 7, start: 20, end: 21, label: 'go' }), false).replies[0]).toMatchObject({ code: 'too-many-intervals' });
    // Once the source's time has passed them, they no longer count.
    s.receive(json({ type: 'heartbeat', seq: 8, t: 12.5 }), false);
    expect(s.receive(json({ type: 'interval', seq: 9, start: 20, end: 21, label: 'go' }), false).replies).toEqual([]);
  });

  it('warns of at most maxUnknownFields distinct unknown fields per connection and counts the rest', () => {
    const s = limited();
    s.receive(hello(), false);
    const warnings = Array.from({ length: 50 }, (_, k) => s.receive(json({ type: 'heartbeat', seq: k, t: k, [`field${k}`]: 1 }), false).replies).flat();
    expect(warnings).toHaveLength(2);
    expect(s.source!.counters.unknownFieldsNotWarned).toBe(48);
  });

  it('holds back one-off alerts past their rate, and says how many in the next one', () => {
    let now = 0;
    const registry = new SourceRegistry(undefined, () => now);
    const s = new IngestSession(registry, undefined, () => now);
    s.receive(hello(), false);
    const alerts = Array.from({ length: 40 }, (_, k) => s.receive(json({ type: 'heartbeat', seq: 2 * k, t: 1 }), false).alerts).flat();
    expect(alerts.filter((alert) => alert.kind === 'sequence-gap')).toHaveLength(5);
    now = 10_000;
    const next = s.receive(json({ type: 'heartbeat', seq: 1000, t: 2 }), false).alerts;
    expect(next).toEqual([expect.objectContaining({ kind: 'sequence-gap', suppressed: 34, message: expect.stringMatching(/34 more sequence-gap alerts/) })]);
    expect(s.source!.counters.alertsHeldBack).toBe(34);
  });
});
