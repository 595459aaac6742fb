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
