import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import * as zmq from 'zeromq';
import { RHX_SPIKE_MAGIC, RHX_SPIKE_RECORD_BYTES } from '../../adapters/intan/rhxSpikeParser.ts';
import { RhxSpikeSource } from '../../adapters/intan/rhxSpikeSource.ts';
import type { LiveSource } from '../../adapters/liveSource.ts';
import { EventBroadcasterSource } from '../../adapters/openephys-live/eventBroadcasterSource.ts';
import { RigConnection } from '../../adapters/ws/rigConnection.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { spikeFields } from '../helpers/broadcasterFixtures.ts';
import { ManualClock } from '../helpers/manualClock.ts';
import { watchSource } from '../helpers/liveSourceWatch.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

/**
 * Each live source's health goes through the one SourceHealth: driven here
 * on a clock the test moves by hand (retries and the silence watchdog fire
 * only when the test advances it), with real sockets on 127.0.0.1 and real
 * peers speaking each wire format. Waits are on what arrived, never on time.
 */

const watch = (source: LiveSource, statuses: string[]) => watchSource(source, statuses, cleanups);

const raised = (alerts: readonly AlertEvent[], kind: string, state: 'raised' | 'cleared' = 'raised') => alerts.filter((alert) => alert.kind === kind && alert.state === state);

const reconnect = { initialMs: 100, maxMs: 400, maxAttempts: 4 };
const caps = [100, 200, 400, 400];
// (Backoff and give-up against a port where nothing listens, for each source: sourceHealthSimulators.test.ts.)

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Intan RHX spike port through SourceHealth', () => {
  const record = (channel: string, sample: number) => {
    const bytes = Buffer.alloc(RHX_SPIKE_RECORD_BYTES);
    bytes.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
    bytes.write(channel, 4, 5, 'latin1');
    bytes.writeUInt32LE(sample, 9);
    bytes[13] = 1;
    return bytes;
  };

  /** A TCP peer that sends raw spike records, as RHX's spike port does. */
  async function spikePort(): Promise<{ server: Server; port: number; peers: Socket[] }> {
    const peers: Socket[] = [];
    const server = createServer((socket) => peers.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const peer of peers) peer.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { server, port: (server.address() as AddressInfo).port, peers };
  }

  it('silence raised at the limit and cleared by the next record; a drop opens a gap that the return closes; a forward jump is alerted', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const rhx = await spikePort();
    const source = new RhxSpikeSource({ url: `tcp://127.0.0.1:${rhx.port}`, sampleRate: 30000, reconnect, random: () => 1, clock, silenceSeconds: 2, onStatus: (line) => statuses.push(line) });
    cleanups.push(() => source.close());
    const watched = watch(source, statuses);
    await waitUntil(() => rhx.peers.length === 1 && statuses.includes(`connected to tcp://127.0.0.1:${rhx.port}`), 'the spike port connected');
    // Silence: the watchdog checks every 500 ms (a quarter of 2 s); nothing before the limit.
    clock.advance(1999);
    expect(raised(watched.alerts, 'source-silent')).toEqual([]);
    clock.advance(1);
    expect(raised(watched.alerts, 'source-silent')).toHaveLength(1);
    expect(raised(watched.alerts, 'source-silent')[0].message).toMatch(/no spike record for 2\.0 s while connected/);
    rhx.peers[0].write(record('A-000', 30_000));
    await waitUntil(() => raised(watched.alerts, 'source-silent', 'cleared').length === 1, 'the silence cleared by a record');
    // A forward jump of 19 s (more than the 10 s alert limit).
    rhx.peers[0].write(record('A-000', 20 * 30_000));
    await waitUntil(() => raised(watched.alerts, 'time-jump').length === 1, 'the time-jump alert');
    expect(raised(watched.alerts, 'time-jump')[0].value).toBeCloseTo(19, 12);
    // The connection drops: source-lost, a gap from the latest time; the retry waits for the clock.
    rhx.peers[0].destroy();
    await waitUntil(() => raised(watched.alerts, 'source-lost').length === 1, 'source-lost');
    expect(watched.events.filter((event) => event.kind === 'gap')).toEqual([{ kind: 'gap', start: 20, end: Infinity }]);
    await waitUntil(() => watched.retries() === 1, 'the retry scheduled');
    expect(rhx.peers).toHaveLength(1);
    clock.advance(caps[0]);
    await waitUntil(() => rhx.peers.length === 2 && raised(watched.alerts, 'source-lost', 'cleared').length === 1, 'back, source-lost cleared');
    // The first record after the return closes the gap there; 10 s were missed.
    rhx.peers[1].write(record('A-001', 30 * 30_000));
    await waitUntil(() => raised(watched.alerts, 'data-gap').length === 1, 'the data-gap alert');
    expect(watched.events.filter((event) => event.kind === 'gap')).toEqual([
      { kind: 'gap', start: 20, end: Infinity },
      { kind: 'gap', start: 20, end: 30 },
    ]);
    expect(raised(watched.alerts, 'data-gap')[0].value).toBeCloseTo(10, 12);
    // The return's jump is the gap, not a time jump.
    expect(raised(watched.alerts, 'time-jump')).toHaveLength(1);
    expect(source.summary()).toMatch(/3 records, 3 spikes, .*0 clock resets, 2 connections$/);
  });
});

describe('Open Ephys Event Broadcaster through SourceHealth', () => {
  const TYPE_SPIKE = Buffer.from([1, 0]);
  const spike = (sampleNumber: number) => [TYPE_SPIKE, Buffer.from(JSON.stringify({ ...spikeFields, sample_number: sampleNumber }))];

  it('silence raised at the limit and cleared by the next message; a forward jump is alerted; a lost publisher opens a gap that its return closes', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const bind = async (endpoint: string) => {
      const publisher = new zmq.XPublisher({ linger: 0 });
      await publisher.bind(endpoint);
      cleanups.push(() => publisher.close());
      const subscribed = (async () => {
        for await (const [message] of publisher) if (message[0] === 1) return;
      })();
      return { publisher, subscribed };
    };
    const first = await bind('tcp://127.0.0.1:*');
    const url = first.publisher.lastEndpoint!;
    const source = new EventBroadcasterSource({ url, reconnect, random: () => 1, clock, silenceSeconds: 2, onStatus: (line) => statuses.push(line) });
    cleanups.push(() => source.close());
    const watched = watch(source, statuses);
    await first.subscribed;
    await waitUntil(() => statuses.includes(`connected to ${url}`), 'the handshake');
    clock.advance(1999);
    expect(raised(watched.alerts, 'source-silent')).toEqual([]);
    clock.advance(1);
    expect(raised(watched.alerts, 'source-silent')).toHaveLength(1);
    await first.publisher.send(spike(30_000));
    await waitUntil(() => watched.events.some((event) => event.kind === 'spikes'), 'the first spike');
    expect(raised(watched.alerts, 'source-silent', 'cleared')).toHaveLength(1);
    await first.publisher.send(spike(30_000 * 25));
    await waitUntil(() => raised(watched.alerts, 'time-jump').length === 1, 'the time-jump alert');
    expect(raised(watched.alerts, 'time-jump')[0]).toMatchObject({ t: 1, value: 24 });
    expect(raised(watched.alerts, 'time-jump')[0].message).toMatch(/jumped 24\.000 s forward.*\(stream "example_data"\)/);
    // The publisher goes away: source-lost and a gap from 25 s; the retry waits for the clock.
    first.publisher.close();
    await waitUntil(() => raised(watched.alerts, 'source-lost').length === 1 && watched.retries() === 1, 'source-lost and the retry');
    expect(watched.events.filter((event) => event.kind === 'gap')).toEqual([{ kind: 'gap', start: 25, end: Infinity }]);
    const second = await bind(url);
    clock.advance(caps[0]);
    await second.subscribed;
    await waitUntil(() => raised(watched.alerts, 'source-lost', 'cleared').length === 1, 'back, source-lost cleared');
    // The first message after the return closes the gap at 40 s; the mode is unknown from 25 s on.
    await second.publisher.send(spike(30_000 * 40));
    await waitUntil(() => raised(watched.alerts, 'data-gap').length === 1, 'the data-gap alert');
    expect(watched.events.filter((event) => event.kind === 'gap' || event.kind === 'label')).toEqual([
      { kind: 'gap', start: 25, end: Infinity },
      { kind: 'gap', start: 25, end: 40 },
      { kind: 'label', t: 25, label: null },
    ]);
    expect(raised(watched.alerts, 'data-gap')[0].value).toBe(15);
    expect(raised(watched.alerts, 'time-jump')).toHaveLength(1);
  }, 30_000);
});

describe('ws:// rig (our protocol) through SourceHealth', () => {
  // The rig's silence is the registry's (checked by `synergy serve` for each source; RigConnection has no watchdog of its own).

  /** A rig that serves the ingest protocol: on each connection, hello, then what the test sends. */
  async function protocolRig(): Promise<{ url: string; connections: WebSocket[] }> {
    const connections: WebSocket[] = [];
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (socket) => {
      connections.push(socket);
      socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'rig-1' }));
    });
    cleanups.push(() => {
      for (const socket of connections) socket.terminate();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
  }

  it('a drop without end opens a gap that the return closes (the retry waits for the clock); a forward jump is alerted', async () => {
    const clock = new ManualClock();
    const statuses: string[] = [];
    const rig = await protocolRig();
    const source = new RigConnection({ url: rig.url, reconnect, random: () => 1, clock, onStatus: (line) => statuses.push(line) });
    cleanups.push(() => source.close());
    const watched = watch(source, statuses);
    await waitUntil(() => rig.connections.length === 1, 'the first connection');
    rig.connections[0].send(JSON.stringify({ type: 'spikes', seq: 1, t: [1], unit: ['u1'] }));
    rig.connections[0].send(JSON.stringify({ type: 'spikes', seq: 2, t: [15], unit: ['u1'] }));
    await waitUntil(() => raised(watched.alerts, 'time-jump').length === 1, 'the time-jump alert');
    expect(raised(watched.alerts, 'time-jump')[0].value).toBe(14);
    rig.connections[0].terminate();
    await waitUntil(() => raised(watched.alerts, 'source-lost').length === 1 && watched.retries() === 1, 'source-lost and the retry');
    expect(watched.events.filter((event) => event.kind === 'gap')).toEqual([{ kind: 'gap', start: 15, end: Infinity }]);
    expect(rig.connections).toHaveLength(1);
    clock.advance(caps[0]);
    await waitUntil(() => rig.connections.length === 2 && raised(watched.alerts, 'source-lost', 'cleared').length === 1, 'back, source-lost cleared');
    // Seq 3 is lost with the connection: the rig resumes at 4, 25 s.
    rig.connections[1].send(JSON.stringify({ type: 'spikes', seq: 4, t: [25], unit: ['u1'] }));
    await waitUntil(() => raised(watched.alerts, 'data-gap').length === 1, 'the data-gap alert');
    expect(watched.events.filter((event) => event.kind === 'gap')).toEqual([
      { kind: 'gap', start: 15, end: Infinity },
      { kind: 'gap', start: 15, end: 25 },
    ]);
    expect(raised(watched.alerts, 'data-gap')[0].value).toBe(10);
    expect(raised(watched.alerts, 'sequence-gap')[0].value).toBe(1);
  });
});
