import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RHX_SPIKE_MAGIC, RHX_SPIKE_RECORD_BYTES, RhxSpikeParser } from '../../adapters/intan/rhxSpikeParser.ts';
import { RhxCommandPort, sampleRateFromReply } from '../../adapters/intan/rhxCommandPort.ts';
import { RhxSpikeSource } from '../../adapters/intan/rhxSpikeSource.ts';
import { RhxSimulator } from '../../simulators/rhxSimulator.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { runLiveAnalysis } from '../../src/live/liveAnalysis.ts';
import type { DataGap, SourceEvent, SpikeBatch } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { parseUpdates, writeLabelsCsvFile, writeSpikesCsvFile } from '../helpers/recordingFixtures.ts';
import { runCliHere } from '../helpers/runCliHere.ts';
import { waitUntil } from '../helpers/waitUntil.ts';
import { withModeIntervals } from '../../adapters/liveSource.ts';
import { unitPairKey as pairKey } from '../../src/stream/unitIds.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-intan-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface SpikeRecord {
  channel: string;
  sample: number;
  id: number;
}

function encode(record: SpikeRecord): Uint8Array {
  const bytes = Buffer.alloc(RHX_SPIKE_RECORD_BYTES);
  bytes.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
  bytes.write(record.channel, 4, 5, 'latin1');
  bytes.writeUInt32LE(record.sample, 9);
  bytes[13] = record.id;
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
}

interface Parsed {
  records: SpikeRecord[];
  skippedBytes: number;
  resyncs: number;
  pendingBytes: number;
}

/** Feeds `bytes` cut at `cuts` (offsets, any order) to a fresh parser. */
function parseSplit(bytes: Uint8Array, cuts: readonly number[]): Parsed {
  const parser = new RhxSpikeParser();
  const records: SpikeRecord[] = [];
  const edges = [...new Set([0, ...cuts.map((cut) => cut % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  for (let k = 0; k + 1 < edges.length; k++) {
    const out = parser.push(bytes.subarray(edges[k], edges[k + 1]));
    for (let i = 0; i < out.count; i++) records.push({ channel: parser.channelNames[out.channel[i]], sample: out.sample[i], id: out.id[i] });
  }
  return { records, skippedBytes: parser.skippedBytes, resyncs: parser.resyncs, pendingBytes: parser.pendingBytes };
}

const recordArb = fc.record({
  channel: fc.tuple(fc.constantFrom(...'ABCDEFGH'), fc.integer({ min: 0, max: 999 })).map(([port, n]) => `${port}-${String(n).padStart(3, '0')}`),
  sample: fc.integer({ min: 0, max: 0xffffffff }),
  id: fc.constantFrom(1, 2, 4, 8, 64, 128),
});

/** A stray magic number followed by a name no RHX channel has. */
const fakeMagicArb = fc
  .tuple(fc.integer({ min: 0, max: 255 }).filter((b) => b < 0x41 || b > 0x48), fc.uint8Array({ minLength: 0, maxLength: 9 }))
  .map(([bad, rest]) => {
    const bytes = Buffer.alloc(5 + rest.length);
    bytes.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
    bytes[4] = bad;
    bytes.set(rest, 5);
    return new Uint8Array(bytes);
  });

/** Junk between records: random bytes, a stray magic, or a record cut short. */
const garbageArb = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fakeMagicArb,
  fc.tuple(recordArb, fc.integer({ min: 1, max: 13 })).map(([record, keep]) => encode(record).slice(0, keep)),
);

/** Random bytes hold a whole valid record about once in 10^18 draws of 40 bytes; such a draw is not garbage. */
const holdsRecord = (bytes: Uint8Array) => parseSplit(bytes, []).records.length > 0;

const streamArb = fc.array(fc.tuple(fc.option(garbageArb, { nil: undefined }), recordArb), { minLength: 1, maxLength: 25 });

function build(stream: ReadonlyArray<[Uint8Array | undefined, SpikeRecord]>): { bytes: Uint8Array; garbageBytes: number; garbageRuns: number; records: SpikeRecord[] } {
  const parts: Uint8Array[] = [];
  let garbageBytes = 0;
  let garbageRuns = 0;
  for (const [garbage, record] of stream) {
    if (garbage !== undefined) {
      parts.push(garbage);
      garbageBytes += garbage.length;
      garbageRuns++;
    }
    parts.push(encode(record));
  }
  return { bytes: concat(parts), garbageBytes, garbageRuns, records: stream.map(([, record]) => record) };
}

describe('RhxSpikeParser: the spike port byte stream, cut anywhere', () => {
  const fixed = fc.sample(fc.array(fc.tuple(fc.option(garbageArb, { nil: undefined, freq: 2 }), recordArb), { minLength: 20, maxLength: 20 }), { numRuns: 1, seed: 7 })[0];
  const example = build(fixed);

  it('a stream split at every offset, and byte by byte, gives the same records and counts', () => {
    expect(example.garbageBytes).toBeGreaterThan(0);
    const whole = parseSplit(example.bytes, []);
    expect(whole).toEqual({ records: example.records, skippedBytes: example.garbageBytes, resyncs: example.garbageRuns, pendingBytes: 0 });
    for (let cut = 0; cut <= example.bytes.length; cut++) expect(parseSplit(example.bytes, [cut]), `cut at ${cut}`).toEqual(whole);
    expect(parseSplit(example.bytes, Array.from({ length: example.bytes.length }, (_, i) => i))).toEqual(whole);
  });

  it('clean records, split at random places: every record, nothing skipped', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 0, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), (records, cuts) => {
        const bytes = concat(records.map(encode));
        expect(parseSplit(bytes, cuts)).toEqual({ records, skippedBytes: 0, resyncs: 0, pendingBytes: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('garbage between records (random bytes, stray magic numbers, records cut short) is skipped and counted exactly, however the stream is split', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 12 }), (stream, cuts) => {
        fc.pre(stream.every(([garbage]) => garbage === undefined || !holdsRecord(garbage)));
        const { bytes, garbageBytes, garbageRuns, records } = build(stream);
        expect(parseSplit(bytes, cuts)).toEqual({ records, skippedBytes: garbageBytes, resyncs: garbageRuns, pendingBytes: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('holds back an incomplete record, and the start of a possible record after garbage, until it is decided', () => {
    const record = encode({ channel: 'B-017', sample: 123456, id: 1 });
    const parser = new RhxSpikeParser();
    expect(parser.push(record.subarray(0, 13)).count).toBe(0);
    expect(parser.pendingBytes).toBe(13);
    const out = parser.push(concat([record.subarray(13), Uint8Array.of(0x00, 0x01, 0x0f, 0x71)]));
    expect(out.count).toBe(1);
    expect([parser.channelNames[out.channel[0]], out.sample[0], out.id[0]]).toEqual(['B-017', 123456, 1]);
    // Two junk bytes decided, the start of a magic number held.
    expect([parser.skippedBytes, parser.pendingBytes, parser.resyncs]).toEqual([2, 2, 1]);
    expect(parser.reset()).toBe(2);
    expect(parser.push(record).count).toBe(1);
  });
});


const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what);

/** Resolves once every spike record the simulator wrote has arrived at the source and been handed on. */
function allArrived(simulator: RhxSimulator, source: RhxSpikeSource, received: readonly SourceEvent[]): Promise<void> {
  return waitFor(() => spikesOf(received).length === simulator.spikesSent && source.counters.spikes === simulator.spikesSent, `all ${simulator.spikesSent} spikes written at the source`);
}

function spikesOf(events: readonly SourceEvent[]): Array<{ t: number; unit: string }> {
  return events
    .filter((event): event is SpikeBatch => event.kind === 'spikes')
    .flatMap((batch) => Array.from(batch.t, (t, i) => ({ t, unit: batch.unitIds[batch.unit[i]] })));
}

/** Expects equal values, numbers to 1e-9. */
function expectClose(got: unknown, want: unknown, path = ''): void {
  if (typeof want === 'number' && typeof got === 'number') {
    if (Number.isFinite(want)) expect(Math.abs(got - want), path).toBeLessThanOrEqual(1e-9);
    else expect(got, path).toBe(want);
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), path).toBe(true);
    expect((got as unknown[]).length, `${path}.length`).toBe(want.length);
    want.forEach((value, i) => expectClose((got as unknown[])[i], value, `${path}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    expect(Object.keys(got as object).sort(), path).toEqual(Object.keys(want).sort());
    for (const [key, value] of Object.entries(want)) expectClose((got as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else expect(got, path).toEqual(want);
}

/** Pairs in a canonical order, so that sources meeting units in another order compare equal. */
function canonical(update: SynergyUpdate): SynergyUpdate {
  const pairs = update.pairs
    .map((pair) => (pair.a <= pair.b ? pair : { ...pair, a: pair.b, b: pair.a, ia: pair.ib, ib: pair.ia }))
    .sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
  return { ...update, pairs };
}

const RATE = 30_000;

describe('RhxSpikeSource over real sockets, with the RHX simulator', () => {
  it('command port → spike port → runLiveAnalysis equals replaying the same spikes and modes from CSV; the planted synergistic pair is alerted', async () => {
    const simulator = await RhxSimulator.start({ units: 8, seed: 11, plantStrength: 0.8, speed: 'manual', commandPort: 0, spikePort: 0 });
    const labels = simulator.modeIntervals(300);
    const status: string[] = [];
    const source = new RhxSpikeSource({
      url: simulator.spikeUrl,
      command: simulator.commandAddress,
      channels: simulator.channels,
      reconnect: { initialMs: 50, maxMs: 200 },
      onStatus: (line) => status.push(line),
    });
    // Modes from a file, as synergy connect --labels gives them.
    const events = withModeIntervals(source.events, labels.map((interval) => ({ kind: 'interval' as const, ...interval })));
    const received: SourceEvent[] = [];
    events.subscribe((event) => received.push(event));
    const exact: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.2, top: undefined };
    const withSurrogates: AnalysisOptions = { ...exact, windowSeconds: 20, hopSeconds: 2, surrogates: 99 };
    const alertOptions = { alpha: 0.05 };
    const exactItems: Array<SynergyUpdate | AlertEvent> = [];
    const alertItems: Array<SynergyUpdate | AlertEvent> = [];
    const done = Promise.all([
      runLiveAnalysis(events, source.alerts, exact, alertOptions, { observe: (item) => exactItems.push(item) }),
      runLiveAnalysis(events, source.alerts, withSurrogates, alertOptions, { observe: (item) => alertItems.push(item) }),
    ]);
    source.start();
    await waitFor(() => simulator.isRunning && simulator.hasSpikeClient, 'the source to connect and start acquisition');
    expect(simulator.enabledChannels()).toEqual(simulator.channels);
    simulator.advanceTo(60);
    await allArrived(simulator, source, received);
    source.close();
    await done;
    // This source started acquisition, so it stopped it on close.
    await waitFor(() => !simulator.isRunning, 'acquisition to stop');
    await simulator.stop();
    const commands = simulator.commandLog.join('');
    expect(commands).toMatch(/^execute clearalldataoutputs;set a-000\.tcpdataoutputenabledspike true;/);
    expect(commands).toContain('get sampleratehertz;execute connecttcpspikedataoutput;get runmode;');
    expect(commands).toContain('set runmode run;get runmode;');
    expect(commands).toMatch(/set runmode stop;$/);
    expect(status.join('\n')).toMatch(/30000 Hz, run mode Stop/);

    // The spikes that arrived are the spikes the simulator sent over the 60 s, in order, at sample / rate.
    const got = spikesOf(received);
    expect(got.length).toBeGreaterThan(1000);
    const sent = simulator.sent.sample.map((sample, i) => ({ t: sample / RATE, unit: simulator.sent.channel[i] }));
    expect(got).toEqual(sent);
    expect(got.at(-1)!.t).toBeGreaterThan(59);
    expect(received.filter((event) => event.kind === 'interval')).toHaveLength(labels.length);
    expect(source.summary()).toMatch(/^sources: intan-rhx@127\.0\.0\.1:\d+: \d+ records, \d+ spikes, 0 artifacts dropped \(id 128\), 0 bytes skipped in 0 resyncs, 0 clock resets, 1 connection$/);

    // The same spikes and modes as CSV, replayed by the CLI (in this process).
    const spikesCsv = writeSpikesCsvFile(join(folder, 'spikes.csv'), sent.map((s) => s.t), sent.map((s) => s.unit));
    const labelsCsv = writeLabelsCsvFile(join(folder, 'labels.csv'), labels);
    const replay = await runCliHere(['replay', spikesCsv, '--labels', labelsCsv, '--bin', '0.02', '--window', '10', '--hop', '1', '--estimator', 'panzeri-treves', '--lateness', '0.2', '--surrogates', '0', '--top', 'all']);
    expect(replay.code, replay.stderr).toBe(0);
    // The live run ends where the spikes end; the replay knows the modes up to 300 s and goes on to the last whole hop.
    const live = exactItems.filter((item): item is SynergyUpdate => item.type === 'synergy').map(canonical);
    const want = parseUpdates(replay.stdout).slice(0, live.length).map(canonical);
    expect(live.map((update) => update.t)).toEqual(Array.from({ length: Math.floor(got.at(-1)!.t) }, (_, k) => k + 1));
    expect(want.some((update) => update.samples > 0 && update.pairs.length === 28)).toBe(true);
    expectClose(live, want, 'updates');

    // Planted pairs: the synergistic one alerted, and no synergy alert elsewhere.
    const channelOf = (unit: string) => simulator.channels[Number(unit)];
    const synergistic = simulator.population.truth.filter((pair) => pair.kind === 'synergistic').map((pair) => pairKey(channelOf(pair.a), channelOf(pair.b)));
    const independent = new Set(simulator.population.independentUnits.map(channelOf));
    const pairAlerts = alertItems.filter((item): item is AlertEvent => item.type === 'alert' && (item.kind === 'synergy' || item.kind === 'redundancy'));
    for (const key of synergistic) {
      expect(pairAlerts.some((alert) => alert.kind === 'synergy' && alert.state === 'raised' && pairKey(alert.a!, alert.b!) === key), `synergy alert on ${key}`).toBe(true);
    }
    for (const alert of pairAlerts) {
      if (alert.kind === 'synergy') expect(synergistic).toContain(pairKey(alert.a!, alert.b!));
      expect(independent.has(String(alert.a)) && independent.has(String(alert.b)), `alert on independent units ${alert.a}–${alert.b}`).toBe(false);
    }
  }, 60_000);

  it('a dropped spike connection: source-lost, reconnect through the command port, cleared, and a data gap', async () => {
    const simulator = await RhxSimulator.start({ units: 6, seed: 4, meanRateHz: 20, speed: 'manual', commandPort: 0, spikePort: 0 });
    const source = new RhxSpikeSource({
      url: simulator.spikeUrl,
      command: simulator.commandAddress,
      channels: simulator.channels,
      reconnect: { initialMs: 300, maxMs: 600 },
      random: () => 1,
      silenceSeconds: 60,
    });
    const received: SourceEvent[] = [];
    const alerts: AlertEvent[] = [];
    source.events.subscribe((event) => received.push(event));
    source.alerts.subscribe((alert) => alerts.push(alert));
    source.start();
    await waitFor(() => simulator.isRunning && simulator.hasSpikeClient, 'the source to connect and start acquisition');
    simulator.advanceTo(5);
    await allArrived(simulator, source, received);
    const beforeDrop = simulator.spikesSent;
    simulator.dropSpikeConnection();
    // 3 s of recording while nobody listens: RHX drops them.
    simulator.advanceTo(8);
    await waitFor(() => alerts.some((alert) => alert.kind === 'source-lost' && alert.state === 'cleared') && simulator.hasSpikeClient, 'the source to be back');
    simulator.advanceTo(11);
    await allArrived(simulator, source, received);
    source.close();
    await simulator.stop();

    const lost = alerts.filter((alert) => alert.kind === 'source-lost');
    expect(lost.map((alert) => alert.state)).toEqual(['raised', 'cleared']);
    expect(lost[0].source).toBe(source.name);
    expect(lost[0].message).toMatch(/^source intan-rhx@127\.0\.0\.1:\d+ disconnected/);
    const gaps = received.filter((event): event is DataGap => event.kind === 'gap');
    expect(gaps).toHaveLength(2);
    expect(gaps[0].end).toBe(Infinity);
    expect(gaps[1].start).toBe(gaps[0].start);
    // The gap runs from the last spike before the drop to the first after the return: the 3 s in between were not sent.
    const sentTimes = simulator.sent.sample.map((sample) => sample / RATE);
    expect(gaps[1].start).toBe(sentTimes[beforeDrop - 1]);
    expect(gaps[1].end).toBe(sentTimes[beforeDrop]);
    expect(sentTimes[beforeDrop - 1]).toBeLessThan(5);
    expect(sentTimes[beforeDrop]).toBeGreaterThanOrEqual(8);
    const dataGap = alerts.find((alert) => alert.kind === 'data-gap')!;
    expect(dataGap.value).toBeCloseTo(gaps[1].end - gaps[1].start, 9);
    // The gap is announced where it falls: after the spikes before it, before the spikes after it.
    const index = received.indexOf(gaps[1]);
    const before = spikesOf(received.slice(0, index));
    const after = spikesOf(received.slice(index + 1));
    expect(before.at(-1)!.t).toBeLessThanOrEqual(gaps[1].start);
    expect(after[0].t).toBe(gaps[1].end);
    // Everything sent on either connection arrived; nothing else.
    expect(spikesOf(received)).toEqual(simulator.sent.sample.map((sample, i) => ({ t: sample / RATE, unit: simulator.sent.channel[i] })));
    expect(simulator.commandLog.join('').match(/execute connecttcpspikedataoutput/g)!.length).toBeGreaterThanOrEqual(2);
    expect(source.summary()).toMatch(/2 connections$/);
  }, 60_000);

  it('garbage on the wire: bytes-skipped alert, every byte counted, every record kept', async () => {
    const simulator = await RhxSimulator.start({ units: 8, seed: 9, meanRateHz: 10, speed: 'manual', spikePort: 0, garbage: true });
    const source = new RhxSpikeSource({ url: simulator.spikeUrl, sampleRate: RATE, reconnect: { initialMs: 5000, maxAttempts: 1 } });
    const received: SourceEvent[] = [];
    const alerts: AlertEvent[] = [];
    source.events.subscribe({ next: (event) => received.push(event), error: () => {} });
    source.alerts.subscribe((alert) => alerts.push(alert));
    source.start();
    await waitFor(() => simulator.hasSpikeClient, 'the source to connect');
    simulator.advanceTo(5);
    await simulator.stop();
    await waitFor(() => alerts.some((alert) => alert.kind === 'source-lost'), 'the end of the stream');
    source.close();

    expect(simulator.garbageBytes).toBeGreaterThan(100);
    const skipped = alerts.filter((alert) => alert.kind === 'bytes-skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(skipped[0].value).toBeGreaterThan(0);
    expect(skipped[0].message).toMatch(/bytes? that were not spike records skipped/);
    const got = spikesOf(received);
    expect(got).toEqual(simulator.sent.sample.map((sample, i) => ({ t: sample / RATE, unit: simulator.sent.channel[i] })));
    expect(source.summary()).toContain(`${simulator.garbageBytes} bytes skipped in `);
  }, 60_000);

  it('acquisition restarted: clock-reset, the analysis clock stays monotonic, the new run is left unlabeled', async () => {
    const simulator = await RhxSimulator.start({ units: 6, seed: 2, meanRateHz: 20, speed: 'manual', spikePort: 0 });
    const source = new RhxSpikeSource({ url: simulator.spikeUrl, sampleRate: RATE });
    const received: SourceEvent[] = [];
    const alerts: AlertEvent[] = [];
    source.events.subscribe((event) => received.push(event));
    source.alerts.subscribe((alert) => alerts.push(alert));
    source.start();
    await waitFor(() => simulator.hasSpikeClient, 'the source to connect');
    simulator.advanceTo(3);
    await allArrived(simulator, source, received);
    const firstRun = simulator.spikesSent;
    simulator.restartAcquisition();
    simulator.advanceTo(2);
    await allArrived(simulator, source, received);
    source.close();
    await simulator.stop();

    const reset = alerts.find((alert) => alert.kind === 'clock-reset')!;
    expect(reset.message).toMatch(/sample index went back from \d+ to \d+ \(acquisition restarted\)/);
    const gap = received.find((event): event is DataGap => event.kind === 'gap')!;
    expect(gap.end).toBe(Infinity);
    expect(gap.start).toBe(reset.t);
    const times = spikesOf(received).map((spike) => spike.t);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
    // The new run goes on from the old run's latest time: its first spike there, the others after it as their samples say.
    expect(reset.t).toBe(times[firstRun - 1]);
    const newRun = simulator.sent.sample.slice(firstRun);
    const offset = reset.t - newRun[0] / RATE;
    expect(times.slice(firstRun)).toEqual(newRun.map((sample) => offset + sample / RATE));
    expect(times.length - firstRun).toBeGreaterThan(50);
    expect(source.summary()).toContain('1 clock reset,');
  }, 60_000);

  it('the simulated command port answers as RHX does: bare text, errors for what it does not know, nothing for a set that worked', async () => {
    const simulator = await RhxSimulator.start({ units: 4, seed: 1, commandPort: 0, spikePort: 0, sampleRate: 20_000 });
    const [host, port] = simulator.commandAddress!.split(':');
    const command = new RhxCommandPort(host, Number(port));
    await command.connect();
    const reply = await command.send(['get bogus', 'frobnicate', 'execute nothing', 'set a-003.tcpdataoutputenabledspike true', 'set runmode run', 'set runmode run', 'get sampleratehertz']);
    expect(reply).toEqual({
      runMode: 'Run',
      text: 'Unrecognized parameterError - Command 2: Unrecognized commandUnrecognized actionBoard must be stopped in order to start runningReturn: SampleRateHertz 20000',
    });
    expect(sampleRateFromReply(reply.text)).toBe(20_000);
    expect(sampleRateFromReply('Return: SampleRateHertz 3333')).toBeCloseTo(10_000 / 3, 12);
    expect(simulator.enabledChannels()).toEqual(['A-003']);
    // One command client at a time, as RHX: a second connection is refused once the first is in.
    await expect(new RhxCommandPort(host, Number(port)).connect()).rejects.toThrow(/ECONNREFUSED/);
    command.close();
    await simulator.stop();
  }, 30_000);

  it('no sample rate: a clear error, before connecting or when RHX does not say', async () => {
    expect(() => new RhxSpikeSource({ url: 'tcp://127.0.0.1:5002' })).toThrow(/--sample-rate HZ.*or --command HOST:5000/);
    expect(() => new RhxSpikeSource({ url: 'tcp://127.0.0.1:5002', sampleRate: 30000, channels: ['A-000'] })).toThrow(/--channels needs --command/);
    expect(() => new RhxSpikeSource({ url: 'ws://127.0.0.1:5002', sampleRate: 30000 })).toThrow(/tcp:\/\/HOST:PORT/);
    // A command port that knows no SampleRateHertz (answers as RHX does to an unknown parameter).
    const fake: Server = createServer((socket) => socket.on('data', () => socket.write('Unrecognized parameterReturn: RunMode Stop')));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const source = new RhxSpikeSource({ url: 'tcp://127.0.0.1:1', command: `127.0.0.1:${(fake.address() as AddressInfo).port}` });
    const failed = new Promise<Error>((resolve) => source.events.subscribe({ error: resolve }));
    source.start();
    const error = await failed;
    expect(error.message).toMatch(/did not report its sample rate .*"Unrecognized parameter".*give --sample-rate HZ/);
    await new Promise((resolve) => fake.close(resolve));
  }, 30_000);
});
