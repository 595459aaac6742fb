import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { encodeSpikeFrame } from '../../src/live/binarySpikeFrame.ts';
import { SynergyServer, type ServerOptions } from '../../src/server/synergyServer.ts';
import { connectRig } from '../helpers/protocolRig.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const servers: SynergyServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Partial<ServerOptions> = {}): Promise<SynergyServer> {
  const server = await SynergyServer.start({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  return server;
}

/** A connected client that records every text frame it receives. */
async function client(url: string, headers?: Record<string, string>): Promise<{ socket: WebSocket; frames: Array<Record<string, unknown>>; next: (match: (frame: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>> }> {
  const rig = await connectRig(url, headers);
  sockets.push(rig.socket);
  return { socket: rig.socket, frames: rig.replies, next: rig.reply };
}

function collect<T>(subscribe: (next: (value: T) => void) => unknown): T[] {
  const values: T[] = [];
  subscribe((value) => values.push(value));
  return values;
}

const until = (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => waitUntil(condition, what, timeoutMs, 5);

function update(t: number, pairs = 3, padding = 0): SynergyUpdate {
  return {
    type: 'synergy',
    t,
    window: [t - 10, t],
    samples: 100,
    labels: { go: 100 },
    estimator: 'plugin',
    levels: 3,
    dropped: { unlabeled: 0, late: 0 },
    units: 4,
    pairsComputed: 6,
    pairs: Array.from({ length: pairs }, (_, k) => ({ a: `u${k}`, b: `v${k}${'x'.repeat(padding)}`, joint: 0.1, ia: 0, ib: 0, synergy: 0.1 - k / 100, normalized: 1 })),
  };
}

describe('synergy serve: ingest', () => {
  it('turns pushed messages into events and answers hello with ready', async () => {
    const server = await start();
    const events = collect((next) => server.events.subscribe(next));
    const rig = await client(server.ingestUrl);
    rig.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'rig-1', units: ['a', 'b'] }));
    expect(await rig.next((f) => f.type === 'ready')).toEqual({ type: 'ready', protocol: 1, source: 'rig-1', lastSeq: null });
    rig.socket.send(JSON.stringify({ type: 'label', seq: 0, t: 0, label: 'go' }));
    rig.socket.send(encodeSpikeFrame(1, [0.1, 0.2], [1, 0]));
    rig.socket.send(JSON.stringify({ type: 'heartbeat', seq: 2, t: 1 }));
    await until(() => events.length === 3, 'three events');
    expect(events[0]).toEqual({ kind: 'label', t: 0, label: 'go' });
    expect(events[1]).toMatchObject({ kind: 'spikes', unitIds: ['a', 'b'] });
    expect(Array.from((events[1] as { t: Float64Array }).t)).toEqual([0.1, 0.2]);
    expect(events[2]).toEqual({ kind: 'heartbeat', t: 1 });
  });

  it('keeps the connection through 200 malformed frames of different kinds, answering and counting each', async () => {
    const server = await start({ maxErrorFramesPerSecond: 1000 });
    const alerts = collect<AlertEvent>((next) => server.sourceAlerts.subscribe(next));
    const events = collect((next) => server.events.subscribe(next));
    const rig = await client(server.ingestUrl);
    rig.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'rig', units: ['a'] }));
    await rig.next((f) => f.type === 'ready');
    // Each with a fresh seq where it has one, so that no refusal is a repeat.
    const bad: Array<(seq: number) => string | Buffer> = [
      () => '{"type":"spikes",', // malformed JSON
      () => '"just a string"', // not an object
      (seq) => `{"type":"teleport","seq":${seq}}`, // unknown type
      (seq) => `{"type":"spikes","seq":${seq},"t":[1,2],"unit":["a"]}`, // ragged
      (seq) => `{"type":"label","seq":${seq},"t":-1,"label":"go"}`, // negative time
      () => '{"type":"hello","protocol":1,"source":"rig"}', // second hello
      () => Buffer.from('not a spike frame at all'), // bad binary
      (seq) => encodeSpikeFrame(seq, [1], [9]), // unknown unit index
      (seq) => `{"type":"spikes","seq":${seq},"sample":[10],"unit":["a"]}`, // samples without a rate
      (seq) => `{"type":"heartbeat","seq":${seq},"t":"soon"}`, // bad field type
      (seq) => `{"type":"heartbeat","seq":${seq - 1},"t":1}`, // a repeated seq
    ];
    for (let k = 0; k < 200; k++) rig.socket.send(bad[k % bad.length](k + 1));
    rig.socket.send(JSON.stringify({ type: 'heartbeat', seq: 201, t: 2 }));
    await until(() => events.length === 1, 'the good heartbeat after the bad frames');
    await until(() => rig.frames.filter((f) => f.type === 'error').length === 200, '200 error frames');
    expect(rig.socket.readyState).toBe(WebSocket.OPEN);
    const total = Object.values(server.counters.rejected).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(total).toBe(200);
    expect(Object.keys(server.counters.rejected).sort()).toEqual(
      ['bad-binary-frame', 'bad-field', 'duplicate-hello', 'duplicate-seq', 'malformed-json', 'not-an-object', 'sample-rate-required', 'unknown-type', 'unknown-unit-index'].sort(),
    );
    await until(() => alerts.some((a) => a.kind === 'input-rejected'), 'an input-rejected alert');
    expect(alerts.find((a) => a.kind === 'input-rejected')!.message).toMatch(/refused/);
  });

  it('sends at most the allowed error frames per second and counts the rest', async () => {
    const server = await start({ maxErrorFramesPerSecond: 5 });
    const rig = await client(server.ingestUrl);
    for (let k = 0; k < 50; k++) rig.socket.send('{oops');
    await until(() => Object.values(server.counters.rejected).reduce((s, n) => s + (n ?? 0), 0) === 50, '50 rejections');
    expect(rig.frames.length).toBeLessThanOrEqual(6);
    expect(server.counters.errorFramesSuppressed).toBeGreaterThanOrEqual(44);
  });

  it('closes a connection whose message is larger than --max-payload with 1009, and keeps serving', async () => {
    const server = await start({ maxPayloadBytes: 4096 });
    const rig = await client(server.ingestUrl);
    const closed = new Promise<number>((resolve) => rig.socket.once('close', (code) => resolve(code)));
    rig.socket.send(`{"type":"hello","protocol":1,"source":"${'x'.repeat(5000)}"}`);
    expect(await closed).toBe(1009);
    const other = await client(server.ingestUrl);
    other.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'ok' }));
    await other.next((f) => f.type === 'ready');
    await until(() => server.counters.rejected['message-too-big'] === 1, 'the message too big to be counted');
  });

  it('paces a connection beyond its message rate by backpressure, dropping nothing', async () => {
    const server = await start({ maxMessagesPerSecond: 100 });
    const events = collect((next) => server.events.subscribe(next));
    const rig = await client(server.ingestUrl);
    rig.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'fast' }));
    await rig.next((f) => f.type === 'ready');
    const started = Date.now();
    for (let k = 0; k < 250; k++) rig.socket.send(JSON.stringify({ type: 'heartbeat', seq: k, t: k / 100 }));
    await until(() => events.length === 250, 'all 250 heartbeats');
    expect(Date.now() - started).toBeGreaterThan(1000);
    expect(server.counters.throttled).toBeGreaterThan(0);
    expect(server.registry.get('fast')!.counters.missing).toBe(0);
  });

  it('requires the token when one is set (header or query), refusing others before the upgrade', async () => {
    const server = await start({ token: 's3cret' });
    const refused = new WebSocket(server.ingestUrl);
    refused.on('error', () => {});
    const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)));
    expect(status).toBe(401);
    expect(server.counters.unauthorized).toBe(1);
    await client(server.ingestUrl, { authorization: 'Bearer s3cret' });
    await client(`${server.subscribeUrl}?token=s3cret`);
  });

  it('raises source-silent after the silence limit and clears it on the next message; source-lost on a drop', async () => {
    const server = await start({ silenceSeconds: 0.3 });
    const alerts = collect<AlertEvent>((next) => server.sourceAlerts.subscribe(next));
    const rig = await client(server.ingestUrl);
    rig.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'quiet' }));
    await until(() => alerts.some((a) => a.kind === 'source-silent' && a.state === 'raised'), 'source-silent');
    rig.socket.send(JSON.stringify({ type: 'heartbeat', seq: 0, t: 1 }));
    await until(() => alerts.some((a) => a.kind === 'source-silent' && a.state === 'cleared'), 'source-silent cleared');
    rig.socket.terminate();
    await until(() => alerts.some((a) => a.kind === 'source-lost' && a.state === 'raised'), 'source-lost');
  });
});

describe('synergy serve: subscribers', () => {
  it('welcomes, subscribes with topics and top, and sends the latest update at once', async () => {
    const server = await start({ analysis: { window: 10 } });
    server.publish(update(1));
    const subscriber = await client(server.subscribeUrl);
    expect(await subscriber.next((f) => f.type === 'welcome')).toMatchObject({ protocol: 1, analysis: { window: 10 } });
    subscriber.socket.send(JSON.stringify({ type: 'subscribe', topics: ['synergy'], top: 2 }));
    expect(await subscriber.next((f) => f.type === 'subscribed')).toEqual({ type: 'subscribed', topics: ['synergy'], top: 2, sources: null, history: false });
    const first = await subscriber.next((f) => f.type === 'synergy');
    expect((first.pairs as unknown[]).length).toBe(2);
    server.publish({ type: 'alert', state: 'raised', kind: 'synergy', t: 2, a: 'u0', b: 'v0', message: 'x' });
    server.publish(update(2));
    await subscriber.next((f) => f.type === 'synergy' && f.t === 2);
    expect(subscriber.frames.some((f) => f.type === 'alert')).toBe(false);
    subscriber.socket.send('{"type":"unsubscribe"}');
    expect(await subscriber.next((f) => f.type === 'error')).toMatchObject({ code: 'unknown-type' });
    subscriber.socket.send('{"type":"subscribe","topics":["weather"]}');
    await until(() => subscriber.frames.filter((f) => f.type === 'error').length === 2, 'a second error frame');
    expect(subscriber.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('a subscriber that never reads gets conflated updates in bounded memory; alerts are queued, then it is closed, never thinned', async () => {
    const limits = { highWaterBytes: 64 * 1024, maxQueuedAlerts: 500, maxRepliesPerSecond: 20 };
    const server = await start({ subscriberLimits: limits });
    const subscriber = await client(server.subscribeUrl);
    await subscriber.next((f) => f.type === 'welcome');
    subscriber.socket.send(JSON.stringify({ type: 'subscribe', topics: ['synergy', 'alerts'] }));
    await subscriber.next((f) => f.type === 'subscribed');
    // Stop reading: the kernel buffers fill, then the server's sends stop completing.
    (subscriber.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const channel = [...server.subscriberChannels][0];
    const big = update(0, 20, 2000); // ≈ 43 kB each
    const size = JSON.stringify(big).length;
    let maxBuffered = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let k = 0; k < 3000; k++) {
      server.publish({ ...big, t: k });
      maxBuffered = Math.max(maxBuffered, channel.bufferedBytes);
      if (k % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // ≈ 130 MB were published; the channel holds at most the high-water mark plus one message.
    expect(maxBuffered).toBeLessThanOrEqual(limits.highWaterBytes + size + 200);
    expect(channel.counters.conflated).toBeGreaterThan(2500);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024);
    // Alerts queue up (never conflated) until the bound, then the subscriber is closed with 4008.
    const closed = new Promise<number>((resolve) => subscriber.socket.once('close', (code) => resolve(code)));
    for (let k = 0; k < 501; k++) server.publish({ type: 'alert', state: 'raised', kind: 'synergy', t: k, a: 'a', b: 'b', message: `alert ${k}` });
    expect(channel.queuedAlerts).toBe(500);
    expect(channel.closedForBacklog).toBe(true);
    (subscriber.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(4008);
    await until(() => server.counters.subscribersDropped === 1, 'the dropped subscriber to be counted');
  });
});

describe('synergy serve: bounded replies, counted refusals, prompt shutdown', () => {
  it('a subscriber that writes junk and never reads is answered within its rate, then not at all: the server holds at most its high-water mark for it', async () => {
    const limits = { highWaterBytes: 1024, maxQueuedAlerts: 100, maxRepliesPerSecond: 20 };
    const server = await start({ subscriberLimits: limits });
    const subscriber = await client(server.subscribeUrl);
    await subscriber.next((f) => f.type === 'welcome');
    (subscriber.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const channel = [...server.subscriberChannels][0];
    let maxBuffered = 0;
    for (let k = 0; k < 2000; k++) subscriber.socket.send('x');
    await until(() => {
      maxBuffered = Math.max(maxBuffered, channel.bufferedBytes);
      return channel.counters.repliesNotSent >= 60;
    }, '60 replies not sent');
    expect(maxBuffered).toBeLessThanOrEqual(limits.highWaterBytes + 200);
  });

  it('warns of at most 32 distinct unknown fields on a connection, however many it sends', async () => {
    const server = await start({ maxErrorFramesPerSecond: 10_000 });
    const rig = await client(server.ingestUrl);
    rig.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'chatty' }));
    await rig.next((f) => f.type === 'ready');
    for (let k = 0; k < 500; k++) rig.socket.send(JSON.stringify({ type: 'heartbeat', seq: k, t: k / 100, [`x${k}`]: 'y'.repeat(100) }));
    rig.socket.send(JSON.stringify({ type: 'end' }));
    await new Promise((resolve) => rig.socket.once('close', resolve));
    expect(rig.frames.filter((f) => f.type === 'warning')).toHaveLength(32);
    expect(server.registry.get('chatty')!.counters.unknownFieldsNotWarned).toBe(468);
  });

  it('counts and alerts what a connection sent before closing at once, without hello, and invalid UTF-8 it was closed for', async () => {
    const server = await start();
    const alerts = collect<AlertEvent>((next) => server.sourceAlerts.subscribe(next));
    const quick = await client(server.ingestUrl);
    quick.socket.send('{oops');
    quick.socket.close();
    await until(() => alerts.some((a) => a.kind === 'input-rejected'), 'an input-rejected alert for the short connection');
    expect(server.counters.rejected['malformed-json']).toBe(1);
    const broken = await client(server.ingestUrl);
    const code = new Promise<number>((resolve) => broken.socket.once('close', (closeCode) => resolve(closeCode)));
    broken.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await code).toBe(1007);
    await until(() => server.counters.rejected['invalid-utf8'] === 1, 'the invalid UTF-8 frame to be counted');
    await until(() => alerts.filter((a) => a.kind === 'input-rejected').length === 2, 'a second input-rejected alert');
  });

  it('closes a connection that says no hello in time, counting it', async () => {
    const server = await start({ helloTimeoutSeconds: 0.2 });
    const silent = await client(server.ingestUrl);
    expect(await new Promise<number>((resolve) => silent.socket.once('close', (code) => resolve(code)))).toBe(4002);
    expect(server.counters.rejected['hello-timeout']).toBe(1);
  });

  it('refuses connections and subscribers past their limits with 503, and sources past --max-sources unless a lost one can be retired', async () => {
    const server = await start({ maxIngestConnections: 3, maxSubscribers: 1, maxSources: 2 });
    const alerts = collect<AlertEvent>((next) => server.sourceAlerts.subscribe(next));
    const rigs = await Promise.all([client(server.ingestUrl), client(server.ingestUrl), client(server.ingestUrl)]);
    const refusedStatus = (url: string) =>
      new Promise<number>((resolve) => {
        const extra = new WebSocket(url);
        extra.on('error', () => {});
        extra.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      });
    expect(await refusedStatus(server.ingestUrl)).toBe(503);
    await client(server.subscribeUrl);
    expect(await refusedStatus(server.subscribeUrl)).toBe(503);
    rigs[0].socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'a' }));
    rigs[1].socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'b' }));
    await rigs[0].next((f) => f.type === 'ready');
    await rigs[1].next((f) => f.type === 'ready');
    rigs[2].socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'c' }));
    expect(await rigs[2].next((f) => f.type === 'error')).toMatchObject({ code: 'too-many-sources' });
    rigs[1].socket.close();
    await until(() => alerts.some((a) => a.kind === 'source-lost'), 'b to be lost');
    const again = await client(server.ingestUrl);
    again.socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'c' }));
    await again.next((f) => f.type === 'ready');
    expect(alerts.find((a) => a.kind === 'source-retired')).toMatchObject({ source: 'b' });
    expect(server.counters.sourcesRetired).toBe(1);
  });

  it('shuts down promptly although a subscriber does not read (it used to wait 30 s for its closing handshake)', async () => {
    const server = await start({ closeGraceMs: 200 });
    servers.splice(servers.indexOf(server), 1);
    const subscriber = await client(server.subscribeUrl);
    await subscriber.next((f) => f.type === 'welcome');
    (subscriber.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let k = 0; k < 50; k++) server.publish(update(k, 20, 2000));
    const closed = new Promise<void>((resolve) => subscriber.socket.once('close', () => resolve()));
    await server.close();
    (subscriber.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await closed;
  }, 15_000);

  it('conflates updates per source: a slow subscriber gets the newest of each source, not only of the last one', async () => {
    const server = await start({ subscriberLimits: { highWaterBytes: 1, maxQueuedAlerts: 100, maxRepliesPerSecond: 20 } });
    const subscriber = await client(server.subscribeUrl);
    await subscriber.next((f) => f.type === 'welcome');
    subscriber.socket.send(JSON.stringify({ type: 'subscribe', topics: ['synergy'] }));
    await subscriber.next((f) => f.type === 'subscribed');
    for (let k = 1; k <= 10; k++) {
      server.publish({ ...update(k), source: 'a' });
      server.publish({ ...update(k), source: 'b' });
    }
    await until(() => subscriber.frames.some((f) => f.source === 'a' && f.t === 10) && subscriber.frames.some((f) => f.source === 'b' && f.t === 10), 'the newest update of a and of b');
  });
});
