import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { parseBroadcasterMessage, type BroadcasterRecord } from '../../adapters/openephys-live/eventBroadcasterMessages.ts';
import { EventBroadcasterSource } from '../../adapters/openephys-live/eventBroadcasterSource.ts';
import { StreamClocks } from '../../adapters/openephys-live/streamClocks.ts';
import { parseTtlLabels } from '../../adapters/ttlLabels.ts';
import { EventBroadcasterSimulator, type EventBroadcasterSimulatorOptions } from '../../simulators/eventBroadcasterSimulator.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { PairAlertOptions } from '../../src/alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { ConnectionError } from '../../src/errors.ts';
import { runLiveAnalysis } from '../../src/live/liveAnalysis.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import { expectAlertsExplainedBy } from '../helpers/plantedAlerts.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { parseUpdates, writeLabelsCsvFile, writeSpikesCsvFile } from '../helpers/recordingFixtures.ts';
import { runCliHere } from '../helpers/runCliHere.ts';
import { waitUntil } from '../helpers/waitUntil.ts';
import { spikeFields } from '../helpers/broadcasterFixtures.ts';
import { unitPairKey as pairKey } from '../../src/stream/unitIds.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-openephys-live-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TYPE_SPIKE = Buffer.from([1, 0]);
const TYPE_TTL = Buffer.from([0, 0]);

/** A payload as JUCE's JSON::toString writes it: CRLF, two-space indent. */
function juceJson(fields: Record<string, unknown>): Buffer {
  const lines = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `  "${name}": ${typeof value === 'number' && Number.isInteger(value) && name === 'sample_rate' ? value.toFixed(1) : JSON.stringify(value)}`);
  return Buffer.from(`{\r\n${lines.join(',\r\n')}\r\n}`);
}

const ttlFields = { event_type: 'ttl', stream: 'example_data', source_node: 101, sample_rate: 30000, channel_name: 'TTL Event Channel', sample_number: 103922, line: 2, state: true };

const parse = (type: Buffer, fields: Record<string, unknown>, unsorted?: 'drop' | 'channel') => parseBroadcasterMessage([type, juceJson(fields)], { unsorted });

describe('Event Broadcaster messages: a two-frame message (uint16 type, JSON) to a spike, a TTL event or a counted refusal', () => {
  it('reads a spike as the plugin writes it: unit <electrode>:<sorted_id>, the amplitudes ignored', () => {
    expect(parse(TYPE_SPIKE, spikeFields)).toEqual({ kind: 'spike', stream: 'example_data', sampleNumber: 193722, sampleRate: 30000, electrode: 'Electrode 1', sortedId: 2, unitId: 'Electrode 1:2' });
  });

  it('sorted_id 0: dropped (default) or kept as <electrode>:0', () => {
    const unsorted = { ...spikeFields, sorted_id: 0 };
    expect(parse(TYPE_SPIKE, unsorted).kind).toBe('unsorted');
    expect(parse(TYPE_SPIKE, unsorted, 'drop').kind).toBe('unsorted');
    expect(parse(TYPE_SPIKE, unsorted, 'channel')).toMatchObject({ kind: 'spike', unitId: 'Electrode 1:0' });
  });

  it('reads a TTL event: line from 0 as sent, state ±(line + 1) as --ttl-labels and states.npy count; state true/false or 1/0', () => {
    expect(parse(TYPE_TTL, ttlFields)).toEqual({ kind: 'ttl', stream: 'example_data', sampleNumber: 103922, sampleRate: 30000, channelName: 'TTL Event Channel', line: 2, high: true, state: 3 });
    expect(parse(TYPE_TTL, { ...ttlFields, state: false })).toMatchObject({ high: false, state: -3 });
    expect(parse(TYPE_TTL, { ...ttlFields, line: 0, state: 1 })).toMatchObject({ high: true, state: 1 });
    expect(parse(TYPE_TTL, { ...ttlFields, line: 0, state: 0 })).toMatchObject({ high: false, state: -1 });
    expect(parseTtlLabels('1=go,-1=rest').get((parse(TYPE_TTL, { ...ttlFields, line: 0, state: true }) as { state: number }).state)).toBe('go');
  });

  const wrongValues: Record<string, unknown[]> = {
    event_type: [undefined, 'Spike', 3, null],
    stream: [undefined, 5, null],
    sample_number: [undefined, -1, 1.5, '193722', null, 2 ** 60],
    sample_rate: [undefined, 0, -30000, '30000', null],
    electrode: [undefined, '', 7, null],
    sorted_id: [undefined, -1, 1.5, 70000, '2', null],
  };
  for (const [field, values] of Object.entries(wrongValues)) {
    it(`refuses a spike whose "${field}" is missing or wrong (bad-field)`, () => {
      for (const value of values) {
        const fields: Record<string, unknown> = { ...spikeFields, [field]: value };
        if (value === undefined) delete fields[field];
        const record = parse(TYPE_SPIKE, fields);
        expect(record, `${field} = ${JSON.stringify(value)}`).toMatchObject({ kind: 'refused', reason: 'bad-field' });
        expect((record as { message: string }).message).toContain(field);
      }
    });
  }
  const wrongTtl: Record<string, unknown[]> = { line: [undefined, -1, 256, 1.5, '2', null], state: [undefined, 2, -1, 'true', null], sample_number: [undefined, -5], sample_rate: [undefined, 0] };
  for (const [field, values] of Object.entries(wrongTtl)) {
    it(`refuses a TTL event whose "${field}" is missing or wrong (bad-field)`, () => {
      for (const value of values) {
        const fields: Record<string, unknown> = { ...ttlFields, [field]: value };
        if (value === undefined) delete fields[field];
        expect(parse(TYPE_TTL, fields), `${field} = ${JSON.stringify(value)}`).toMatchObject({ kind: 'refused', reason: 'bad-field' });
      }
    });
  }

  it('refuses the envelope: frame count, type frame size and value, event_type against the type frame', () => {
    const json = juceJson(spikeFields);
    expect(parseBroadcasterMessage([json])).toMatchObject({ kind: 'refused', reason: 'frames' });
    expect(parseBroadcasterMessage([TYPE_SPIKE, json, json])).toMatchObject({ kind: 'refused', reason: 'frames' });
    expect(parseBroadcasterMessage([])).toMatchObject({ kind: 'refused', reason: 'frames' });
    expect(parseBroadcasterMessage([Buffer.from([1]), json])).toMatchObject({ kind: 'refused', reason: 'type-frame' });
    expect(parseBroadcasterMessage([Buffer.from([1, 0, 0]), json])).toMatchObject({ kind: 'refused', reason: 'type-frame' });
    expect(parseBroadcasterMessage([Buffer.from([2, 0]), json])).toMatchObject({ kind: 'refused', reason: 'type-frame' });
    expect(parseBroadcasterMessage([Buffer.from([0, 1]), json])).toMatchObject({ kind: 'refused', reason: 'type-frame' });
    expect(parseBroadcasterMessage([TYPE_TTL, json])).toMatchObject({ kind: 'refused', reason: 'type-mismatch' });
    expect(parseBroadcasterMessage([TYPE_SPIKE, juceJson(ttlFields)])).toMatchObject({ kind: 'refused', reason: 'type-mismatch' });
  });

  it('refuses bad JSON, JSON that is not an object, and the Raw Binary format (with the fix in the message)', () => {
    expect(parseBroadcasterMessage([TYPE_SPIKE, Buffer.from('{"event_type": "spike", ')])).toMatchObject({ kind: 'refused', reason: 'bad-json' });
    expect(parseBroadcasterMessage([TYPE_SPIKE, Buffer.from('[1, 2]')])).toMatchObject({ kind: 'refused', reason: 'bad-json' });
    expect(parseBroadcasterMessage([TYPE_SPIKE, Buffer.from('')])).toMatchObject({ kind: 'refused', reason: 'raw-binary' });
    const raw = parseBroadcasterMessage([TYPE_SPIKE, Buffer.from([3, 0, 0x40, 0x9c, 0, 0, 0, 0, 0, 0, 1, 2, 3])]);
    expect(raw).toMatchObject({ kind: 'refused', reason: 'raw-binary' });
    expect((raw as { message: string }).message).toMatch(/Format to JSON/);
  });

  it('never throws on binary junk: every message is a record, junk is refused', () => {
    const kinds = new Set(['spike', 'unsorted', 'ttl', 'refused']);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }), (frames) => {
        const record: BroadcasterRecord = parseBroadcasterMessage(frames);
        expect(kinds.has(record.kind)).toBe(true);
        expect(record.kind).toBe('refused');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.boolean(), (text, spike) => {
        const record = parseBroadcasterMessage([spike ? TYPE_SPIKE : TYPE_TTL, Buffer.from(`{${text}`)]);
        expect(kinds.has(record.kind)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('StreamClocks: one clock per stream, restarts continue the analysis clock', () => {
  it('places each stream by its own rate; a drop to near zero starts a run after the latest time; other streams join it', () => {
    const clocks = new StreamClocks();
    expect(clocks.place('ap', 300_000, 30_000).t).toBe(10);
    expect(clocks.place('nidaq', 10_100, 1000).t).toBeCloseTo(10.1, 12);
    expect(clocks.clockStream).toBe('ap');
    // A little out of order is not a reset.
    expect(clocks.place('ap', 297_000, 30_000)).toEqual({ t: 9.9 });
    const reset = clocks.place('ap', 3000, 30_000);
    expect(reset.reset).toMatchObject({ stream: 'ap', fromSeconds: 10, toSeconds: 0.1, run: 2 });
    expect(reset.t).toBeCloseTo(10.1 + 0.1, 12);
    // nidaq restarts too: it joins run 2, no second reset.
    const joined = clocks.place('nidaq', 200, 1000);
    expect(joined.reset).toBeUndefined();
    expect(joined.t).toBeCloseTo(10.1 + 0.2, 12);
    expect(clocks.resets).toBe(1);
  });

  it('reports a stream far from the clock stream once', () => {
    const clocks = new StreamClocks('ap');
    clocks.place('ap', 30_000, 30_000);
    expect(clocks.place('probe', 5000 * 2500, 2500).offStream).toBeCloseTo(4999, 6);
    expect(clocks.place('probe', 5001 * 2500, 2500).offStream).toBeUndefined();
  });
});

const analysis: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.2, top: undefined };
const analysisArgs = ['--bin', '0.02', '--window', '10', '--hop', '1', '--levels', '3', '--estimator', 'panzeri-treves', '--surrogates', '0', '--lateness', '0.2', '--top', 'all'];
const quietAlerts: PairAlertOptions = { alpha: 1e-9, forUpdates: 1000 };

const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what);

/** A source on `url` whose events and alerts are kept, analyzed live. */
function analyze(url: string, ttlLabels: string, options: AnalysisOptions = analysis, alertOptions: PairAlertOptions = quietAlerts) {
  const source = new EventBroadcasterSource({ url, ttlLabels: parseTtlLabels(ttlLabels), reconnect: { initialMs: 20, maxMs: 200 } });
  const events: SourceEvent[] = [];
  const items: Array<SynergyUpdate | AlertEvent> = [];
  source.events.subscribe((event) => events.push(event));
  const done = runLiveAnalysis(source.events, source.alerts, options, alertOptions, { observe: (item) => items.push(item) });
  source.start();
  const alerts = () => items.filter((item): item is AlertEvent => item.type === 'alert');
  const updates = () => items.filter((item): item is SynergyUpdate => item.type === 'synergy');
  const spikesReceived = () => events.reduce((sum, event) => sum + (event.kind === 'spikes' ? event.t.length : 0), 0);
  /** Resolves once every message the simulators published has been read and its spikes handed on. */
  const received = (...simulators: EventBroadcasterSimulator[]) =>
    waitFor(
      () => source.counters.messages === simulators.reduce((sum, simulator) => sum + simulator.messagesSent, 0) && spikesReceived() === source.counters.spikes,
      `all ${simulators.reduce((sum, simulator) => sum + simulator.messagesSent, 0)} published messages at the source`,
    );
  return { source, events, done, alerts, updates, received };
}

/** Label intervals from mode changes, each up to the next, the last up to `end`. */
function intervals(changes: Array<{ t: number; label: string }>, end: number) {
  return changes.map((change, i) => ({ start: change.t, end: i + 1 < changes.length ? changes[i + 1].t : end, label: change.label }));
}

/** The CLI's replay of the CSV files (in this process). */
async function replay(name: string, spikes: { t: number[]; unit: string[] }, labels: Array<{ start: number; end: number; label: string }>): Promise<SynergyUpdate[]> {
  const spikesFile = writeSpikesCsvFile(join(folder, `${name}-spikes.csv`), spikes.t, spikes.unit);
  const labelsFile = writeLabelsCsvFile(join(folder, `${name}-labels.csv`), labels);
  const result = await runCliHere(['replay', spikesFile, '--labels', labelsFile, ...analysisArgs]);
  expect(result.code, result.stderr).toBe(0);
  return parseUpdates(result.stdout);
}

const withoutZeros = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));


/** Live updates equal the replay's at every t the live run reached: samples, labels, drops, pairs to 1e-9. Returns how many were compared. */
function expectSameUpdates(live: SynergyUpdate[], replayed: SynergyUpdate[]): number {
  const byT = new Map(replayed.map((update) => [update.t, update]));
  expect(live.length).toBeGreaterThan(0);
  let pairs = 0;
  for (const update of live) {
    const want = byT.get(update.t);
    expect(want, `replay has an update at t = ${update.t}`).toBeDefined();
    expect(update.window, `window at ${update.t}`).toEqual(want!.window);
    expect(update.samples, `samples at ${update.t}`).toBe(want!.samples);
    // The replay knows every mode from its labels file at the start and counts the ones not met yet as 0; the live run names a mode once it has met it.
    expect(withoutZeros(update.labels), `labels at ${update.t}`).toEqual(withoutZeros(want!.labels));
    expect(update.dropped, `dropped at ${update.t}`).toEqual(want!.dropped);
    const wanted = new Map(want!.pairs.map((pair) => [pairKey(pair.a, pair.b), pair]));
    expect(update.pairs.length, `pairs at ${update.t}`).toBe(wanted.size);
    for (const pair of update.pairs) {
      const other = wanted.get(pairKey(pair.a, pair.b))!;
      expect(other, `pair ${pair.a}–${pair.b} at ${update.t}`).toBeDefined();
      for (const key of ['joint', 'synergy', 'normalized'] as const) {
        expect(Math.abs((pair[key] as number) - (other[key] as number)), `${key} ${pair.a}–${pair.b} at ${update.t}`).toBeLessThan(1e-9);
      }
      pairs++;
    }
  }
  // The live run's first update is the replay's first: both start from the opening mode at 0.
  expect(live[0].t).toBe(replayed[0].t);
  return pairs;
}

const population: EventBroadcasterSimulatorOptions = { units: 10, seed: 21, meanRateHz: 10, synergisticPairs: 1, redundantPairs: 1, electrodes: 4 };

describe('Event Broadcaster over ZeroMQ on 127.0.0.1: simulator → EventBroadcasterSource → live analysis', () => {
  it('gives the same updates as replaying the spikes and modes it sent from CSV', async () => {
    const simulator = await EventBroadcasterSimulator.start({ ...population, speed: 'manual' });
    const live = analyze(simulator.url, simulator.ttlLabels);
    await simulator.whenSubscribed();
    await simulator.advanceTo(40);
    await live.received(simulator);
    live.source.close();
    await live.done;
    await simulator.stop();

    const spikes = simulator.sentSpikes();
    expect(simulator.now()).toBe(40);
    const replayed = await replay('equivalence', spikes, intervals(simulator.sentModes(), 40));
    const updates = live.updates();
    // Everything up to 40 s arrived: the updates up to the last one complete before the source was closed (39 + lateness < 40).
    expect(updates.map((update) => update.t)).toEqual(Array.from({ length: 39 }, (_, k) => k + 1));
    expect(expectSameUpdates(updates, replayed)).toBeGreaterThan(1000);
    // Spikes travel in batches, many per batch; unit ids as the file reader names them.
    const batches = live.events.filter((event) => event.kind === 'spikes');
    expect(batches.length).toBeLessThan(spikes.t.length / 3);
    expect(new Set(spikes.unit)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `Electrode ${(i % 4) + 1}:${Math.floor(i / 4) + 1}`)));
    expect(live.source.summary()).toMatch(/openephys@127\.0\.0\.1:\d+: \d+ messages, \d+ spikes \(10 units\), \d+ TTL events \(\d+ mode changes, \d+ of unmapped states -3 -2 -1\), 1 connection, streams: example_data 30000 Hz \(clock\)/);
    expect(live.alerts().filter((alert) => alert.source !== undefined && alert.kind !== 'source-lost')).toEqual([]);
  }, 60_000);

  it('alerts the planted synergistic pair and no independent pair', async () => {
    const simulator = await EventBroadcasterSimulator.start({ units: 8, seed: 5, modeDwellSeconds: 0.5, synergisticPairs: 1, redundantPairs: 1, speed: 'manual' });
    const options: AnalysisOptions = { ...analysis, windowSeconds: 20, surrogates: 99, lagStepSeconds: 0.5 };
    const live = analyze(simulator.url, simulator.ttlLabels, options, { alpha: 0.05, minSamples: 500 });
    await simulator.whenSubscribed();
    // 40 s of recording: with 0.5 s modes and lags, a family-wise p of 0.05 is in reach from about 30 s.
    await simulator.advanceTo(40);
    await live.received(simulator);
    live.source.close();
    await live.done;
    await simulator.stop();

    const planted = simulator.population.truth.map((pair) => ({ key: pairKey(simulator.unitIdOf(pair.a), simulator.unitIdOf(pair.b)), kind: pair.kind }));
    const pairAlerts = live.alerts().filter((alert) => alert.kind === 'synergy' || alert.kind === 'redundancy');
    for (const pair of planted.filter((p) => p.kind === 'synergistic')) {
      expect(pairAlerts.some((alert) => alert.kind === 'synergy' && alert.state === 'raised' && pairKey(alert.a!, alert.b!) === pair.key), `synergy alert on ${pair.key}`).toBe(true);
    }
    expectAlertsExplainedBy(simulator.population.truth, pairAlerts, (unit) => simulator.unitIdOf(String(unit)));
  }, 60_000);

  it('the publisher stopped and restarted: source-lost then cleared, the exact gap reported, and every update equals the replay of what was sent', async () => {
    const first = await EventBroadcasterSimulator.start({ ...population, speed: 'manual' });
    const live = analyze(first.url, first.ttlLabels);
    await first.whenSubscribed();
    await first.advanceTo(20);
    await live.received(first);
    await first.stop();
    await waitFor(() => live.alerts().some((alert) => alert.kind === 'source-lost' && alert.state === 'raised'), 'the source-lost alert');
    // Acquisition went on while the publisher was away: it comes back 10 s of recording later, on the same sample clock.
    const second = await EventBroadcasterSimulator.start({ ...population, speed: 'manual', port: first.port, startSeconds: 30 });
    await second.whenSubscribed();
    await second.advanceTo(60);
    await live.received(first, second);
    live.source.close();
    await live.done;
    await second.stop();

    const alerts = live.alerts();
    const lost = alerts.findIndex((alert) => alert.kind === 'source-lost' && alert.state === 'raised');
    const back = alerts.findIndex((alert) => alert.kind === 'source-lost' && alert.state === 'cleared');
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(back).toBeGreaterThan(lost);
    // The gap opens at the last message of the first publisher and closes at the first of the second (its opening TTL line, at 30 s).
    const firstEnd = Math.max(...first.sentSpikes().t, ...first.sentModes().map((mode) => mode.t));
    expect(firstEnd).toBeGreaterThan(19.9);
    expect(second.sentModes()[0].t).toBe(30);
    const gaps = live.events.filter((event) => event.kind === 'gap');
    expect(gaps).toEqual([
      { kind: 'gap', start: firstEnd, end: Infinity },
      { kind: 'gap', start: firstEnd, end: 30 },
    ]);
    const dataGap = alerts.find((alert) => alert.kind === 'data-gap')!;
    expect(dataGap.value).toBeCloseTo(30 - firstEnd, 9);

    // The replay: both publishers' spikes, the modes of each, and no mode over the gap (the lines' state while away is unknown).
    const firstSpikes = first.sentSpikes();
    const secondSpikes = second.sentSpikes();
    const spikes = { t: [...firstSpikes.t, ...secondSpikes.t], unit: [...firstSpikes.unit, ...secondSpikes.unit] };
    const labels = [...intervals(first.sentModes(), firstEnd), ...intervals(second.sentModes(), 60)];
    const replayed = await replay('restart', spikes, labels);
    const updates = live.updates();
    expect(updates.filter((update) => update.window[0] > 30).length).toBe(19);
    expect(expectSameUpdates(updates, replayed)).toBeGreaterThan(1000);
  }, 60_000);

  it('acquisition restarted (sample numbers back to 0): clock-reset, and the analysis clock goes on after the old run', async () => {
    const simulator = await EventBroadcasterSimulator.start({ ...population, speed: 'manual' });
    const live = analyze(simulator.url, simulator.ttlLabels);
    await simulator.whenSubscribed();
    await simulator.advanceTo(12);
    await live.received(simulator);
    simulator.restartAcquisition();
    await simulator.advanceTo(18);
    await live.received(simulator);
    live.source.close();
    await live.done;
    await simulator.stop();

    const reset = live.alerts().find((alert) => alert.kind === 'clock-reset')!;
    expect(reset).toBeDefined();
    expect(reset.state).toBe('raised');
    expect(reset.value!).toBeGreaterThan(11.9);
    const runStart = reset.t;
    expect(runStart).toBe(Math.max(...simulator.sentSpikes(0).t, ...simulator.sentModes(0).map((mode) => mode.t)));
    // Every spike of the new run lands after the old run, at runStart + its seconds.
    const times = live.events.flatMap((event) => (event.kind === 'spikes' ? Array.from(event.t) : []));
    expect(times.slice(0, simulator.sentSpikes(0).t.length)).toEqual(simulator.sentSpikes(0).t);
    expect(times.slice(simulator.sentSpikes(0).t.length)).toEqual(simulator.sentSpikes(1).t.map((t) => runStart + t));
    expect(simulator.sentSpikes(1).t.length).toBeGreaterThan(100);
    expect(live.alerts().filter((alert) => alert.kind === 'time-jump')).toEqual([]);
    expect(live.updates().at(-1)!.t).toBeGreaterThan(runStart);
    expect(live.source.summary()).toMatch(/1 clock reset/);
  }, 60_000);
});

describe('EventBroadcasterSource faults', () => {
  it('silence raises source-silent, the next message clears it; junk is refused, counted and alerted, never thrown', async () => {
    const publisher = new zmq.XPublisher({ linger: 0 });
    await publisher.bind('tcp://127.0.0.1:*');
    const subscribed = (async () => {
      for await (const [message] of publisher) if (message[0] === 1) return;
    })();
    const source = new EventBroadcasterSource({ url: publisher.lastEndpoint!, silenceSeconds: 0.3, ttlLabels: parseTtlLabels('1=go,-1=rest') });
    const alerts: AlertEvent[] = [];
    const events: SourceEvent[] = [];
    source.alerts.subscribe((alert) => alerts.push(alert));
    source.events.subscribe((event) => events.push(event));
    source.start();
    await subscribed;
    await waitFor(() => alerts.some((alert) => alert.kind === 'source-silent' && alert.state === 'raised'), 'the source-silent alert');
    await publisher.send([TYPE_SPIKE, Buffer.from([1, 2, 3, 4])]);
    await publisher.send([TYPE_SPIKE, juceJson(spikeFields), Buffer.from('extra')]);
    await publisher.send([Buffer.from('junk')]);
    await publisher.send([TYPE_TTL, juceJson({ ...ttlFields, line: 0, state: true })]);
    await publisher.send([TYPE_SPIKE, juceJson(spikeFields)]);
    await publisher.send([TYPE_SPIKE, juceJson({ ...spikeFields, sorted_id: 0 })]);
    await publisher.send([TYPE_SPIKE, Buffer.from([9, 9, 9])]);
    await waitFor(() => events.some((event) => event.kind === 'spikes'), 'the spike');
    expect(alerts.find((alert) => alert.kind === 'source-silent' && alert.state === 'cleared')).toBeDefined();
    const rejected = alerts.filter((alert) => alert.kind === 'input-rejected');
    // One alert per reason (the second raw-binary message is within 10 s of the first: counted, not alerted).
    expect(rejected.map((alert) => alert.message.match(/\((\S+)\)/)![1]).sort()).toEqual(['frames', 'raw-binary']);
    expect(events.filter((event) => event.kind === 'label')).toEqual([{ kind: 'label', t: 103922 / 30000, label: 'go' }]);
    expect(source.summary()).toMatch(/3 messages, 1 spikes \(1 units\), 1 TTL events \(1 mode changes\), 1 unsorted spikes dropped, refused 2 raw-binary, 2 frames, 1 connection/);
    source.close();
    publisher.close();
  }, 30_000);

  it('gives up after maxAttempts with a ConnectionError when nothing listens', async () => {
    const probe = new zmq.XPublisher({ linger: 0 });
    await probe.bind('tcp://127.0.0.1:*');
    const url = probe.lastEndpoint!;
    probe.close();
    const statuses: string[] = [];
    const source = new EventBroadcasterSource({ url, reconnect: { initialMs: 10, maxMs: 40, maxAttempts: 3 }, onStatus: (line) => statuses.push(line) });
    const failed = new Promise<unknown>((resolve) => source.events.subscribe({ error: resolve }));
    source.start();
    const error = await failed;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/after 3 attempts/);
    expect(statuses.filter((line) => /retry \d+ in/.test(line))).toHaveLength(3);
    source.close();
  }, 30_000);
});
