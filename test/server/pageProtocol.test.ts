import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { PAIR_MATRIX, type PairMatrix, type WithPairMatrix } from '../../src/engine/pairMatrix.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { decodeMatrixFrame } from '../../src/server/matrixFrame.ts';
import { HISTORY_ALERTS, HISTORY_PAIRS, HISTORY_UPDATES_PER_SOURCE, SynergyServer, type ServerOptions } from '../../src/server/synergyServer.ts';
import { recordingSubscriber, type RecordingSubscriber } from '../helpers/recordingSubscriber.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const servers: SynergyServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Partial<ServerOptions> = {}): Promise<SynergyServer> {
  const server = await SynergyServer.start({ host: '127.0.0.1', port: 0, ingest: false, ...options });
  servers.push(server);
  return server;
}

type Subscriber = RecordingSubscriber;

/** A subscriber that sends `subscribe` once welcomed, waits for the reply and records everything. */
async function subscriber(server: SynergyServer, subscribe: object): Promise<Subscriber> {
  const client = await recordingSubscriber(server.subscribeUrl, subscribe);
  sockets.push(client.socket);
  await until(() => client.text().some((m) => m.type === 'subscribed'), 'subscribed');
  return client;
}

const until = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, 10_000, 5);

function update(t: number, pairs = 3, source?: string): SynergyUpdate {
  return {
    type: 'synergy',
    ...(source === undefined ? {} : { source }),
    t,
    window: [t - 10, t],
    samples: 100,
    labels: { go: 100 },
    estimator: 'plugin',
    levels: 3,
    dropped: { unlabeled: 0, late: 0 },
    units: 4,
    pairsComputed: 6,
    pairs: Array.from({ length: pairs }, (_, k) => ({ a: k, b: k + 100, joint: 0.1, ia: 0, ib: 0, synergy: 0.1 - k / 1000, normalized: 1 })),
  };
}

function alert(t: number): AlertEvent {
  return { type: 'alert', state: 'raised', kind: 'synergy', t, a: 1, b: 2, value: 0.1, message: `alert at ${t}` };
}

function withMatrix(base: SynergyUpdate): SynergyUpdate {
  const matrix: PairMatrix = {
    units: [1, 2, 7, 'tet'],
    synergy: Float32Array.from([0.5, -0.25, 0, 0.125, 1e-3, -0.75]),
    flags: Uint8Array.from([1, 0, 0, 1, 0, 1]),
    alpha: 0.05,
    modes: [
      [9, 9.5, 'go'],
      [9.5, 10, 'stop'],
    ],
  };
  (base as WithPairMatrix)[PAIR_MATRIX] = matrix;
  return base;
}

describe('the page over HTTP', () => {
  it('serves the page at /, its script and style, and the description at /info (or / asking for JSON)', async () => {
    const server = await start();
    const base = `http://127.0.0.1:${server.port}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script src="/page.js"></script>');
    expect(html).toContain('/page.css');
    const script = await fetch(`${base}/page.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${base}/page.css`).then((response) => response.text())).length).toBeGreaterThan(100);
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(204);
    const description = { name: 'synergy-stream', protocol: 1, ingest: null, subscribe: '/subscribe', page: '/' };
    expect(await fetch(`${base}/info`).then((response) => response.json())).toEqual(description);
    expect(await fetch(`${base}/`, { headers: { accept: 'application/json' } }).then((response) => response.json())).toEqual(description);
    // The page holds no data: it is served without the token; its data come through /subscribe, which asks for it.
    const guarded = await start({ token: 's3cret' });
    expect((await fetch(`http://127.0.0.1:${guarded.port}/`)).status).toBe(200);
  });

  it('without the page, / describes the endpoints', async () => {
    const server = await start({ page: false });
    expect(await fetch(`http://127.0.0.1:${server.port}/`).then((response) => response.json())).toEqual({ name: 'synergy-stream', protocol: 1, ingest: null, subscribe: '/subscribe', page: null });
    expect((await fetch(`http://127.0.0.1:${server.port}/favicon.ico`)).status).toBe(404);
    const missing = await fetch(`http://127.0.0.1:${server.port}/page.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('not found: the endpoints are GET /info and /ingest and /subscribe (WebSocket)\n');
  });
});

describe('subscribers of the page topics', () => {
  it('get each update’s matrix as a binary frame after the update, and only when they ask for it', async () => {
    const server = await start();
    const page = await subscriber(server, { topics: ['synergy', 'alerts', 'matrix'] });
    const plain = await subscriber(server, {});
    server.publish(withMatrix(update(10, 3, 'rig-1')));
    await until(() => page.binary().length === 1, 'the matrix frame');
    const frame = decodeMatrixFrame(page.binary()[0]);
    expect(frame.header).toEqual({
      source: 'rig-1',
      t: 10,
      units: [1, 2, 7, 'tet'],
      alpha: 0.05,
      significant: 3,
      modes: [
        [9, 9.5, 'go'],
        [9.5, 10, 'stop'],
      ],
    });
    expect([...frame.synergy]).toEqual([0.5, -0.25, 0, 0.125, Math.fround(1e-3), -0.75]);
    expect([...frame.flags]).toEqual([1, 0, 0, 1, 0, 1]);
    // The update comes first, and its JSON has no trace of the matrix.
    const updateAt = page.received.findIndex((item) => !Buffer.isBuffer(item) && item.type === 'synergy');
    expect(updateAt).toBeLessThan(page.received.indexOf(page.binary()[0]));
    expect(JSON.stringify(page.text()[updateAt])).not.toContain('tet');
    await until(() => plain.text().some((m) => m.type === 'synergy'), 'the plain update');
    server.publish(update(11));
    await until(() => plain.text().filter((m) => m.type === 'synergy').length === 2, 'the second update');
    expect(plain.binary()).toEqual([]);
    expect(plain.text().find((m) => m.type === 'subscribed')).toMatchObject({ topics: ['synergy', 'alerts'], history: false });
  });

  it('gives a late subscriber asking for history the earlier alerts, updates (trimmed) and ends, once per connection', async () => {
    const server = await start();
    for (let k = 0; k < HISTORY_ALERTS + 5; k++) server.publish(alert(k));
    for (let k = 0; k < HISTORY_UPDATES_PER_SOURCE + 3; k++) server.publish(withMatrix(update(k, HISTORY_PAIRS + 10, 'rig-1')));
    server.publish(update(1, 5, 'rig-2'));
    server.publishEnd('rig-2', 1, 'source rig-2 ended');
    const late = await subscriber(server, { topics: ['synergy', 'alerts'], top: 7, history: true, sources: ['rig-1', 'rig-2'] });
    await until(() => late.text().some((m) => m.type === 'history'), 'the history');
    const history = late.text().find((m) => m.type === 'history') as { alerts: AlertEvent[]; updates: SynergyUpdate[]; ended: object[] };
    expect(history.alerts).toHaveLength(HISTORY_ALERTS);
    expect(history.alerts[0].t).toBe(5);
    expect(history.alerts.at(-1)!.t).toBe(HISTORY_ALERTS + 4);
    const fromRig1 = history.updates.filter((u) => u.source === 'rig-1');
    expect(fromRig1).toHaveLength(HISTORY_UPDATES_PER_SOURCE);
    expect(fromRig1[0].t).toBe(3);
    for (const kept of history.updates) expect(kept.pairs.length).toBeLessThanOrEqual(7);
    expect(history.updates.map((u) => u.t)).toEqual([...history.updates.map((u) => u.t)].sort((x, y) => x - y));
    expect(history.ended).toEqual([{ type: 'end', source: 'rig-2', t: 1, updates: 1, message: 'source rig-2 ended' }]);
    // The history comes before the live updates.
    const order = late.text().map((m) => m.type);
    expect(order.indexOf('history')).toBeLessThan(order.indexOf('synergy'));
    // Asking again on the same connection does not build it again.
    late.socket.send(JSON.stringify({ type: 'subscribe', history: true }));
    await until(() => late.text().filter((m) => m.type === 'subscribed').length === 2, 'the second subscribed');
    server.publish(alert(9999));
    await until(() => late.text().some((m) => m.type === 'alert' && m.t === 9999), 'a live alert');
    expect(late.text().filter((m) => m.type === 'history')).toHaveLength(1);
    // A source that comes back after its end is streaming again: a later history lists no end for it.
    server.publish(update(2, 5, 'rig-2'));
    const later = await subscriber(server, { history: true });
    await until(() => later.text().some((m) => m.type === 'history'), 'the later history');
    expect((later.text().find((m) => m.type === 'history') as { ended: object[] }).ended).toEqual([]);
  });

  it('sends the end of stream after the last update, and a status once asked', async () => {
    const server = await start();
    server.reportStatus(() => [{ name: 'rec.csv', connected: true, lost: false, ended: false, messages: 3, spikes: 120, missing: 0, rejected: 1, latestTime: 4.5, progress: 0.25 }]);
    const page = await subscriber(server, { topics: ['synergy', 'status'] });
    server.publish(update(1));
    server.publish(update(2));
    server.publishEnd(undefined, 2, 'the replay ended');
    server.sendStatus();
    await until(() => page.text().some((m) => m.type === 'end') && page.text().some((m) => m.type === 'status'), 'the end and a status');
    const types = page.text().map((m) => m.type);
    expect(types.lastIndexOf('synergy')).toBeLessThan(types.indexOf('end'));
    expect(page.text().find((m) => m.type === 'end')).toEqual({ type: 'end', source: null, t: 2, updates: 2, message: 'the replay ended' });
    expect(page.text().find((m) => m.type === 'status')).toMatchObject({ sources: [{ name: 'rec.csv', spikes: 120, progress: 0.25 }], wallMs: expect.any(Number) });
  });

  it('says when the number of subscribers asked for have subscribed', async () => {
    const server = await start();
    let resolved = false;
    const waited = server.subscribers(2).then(() => (resolved = true));
    await subscriber(server, {});
    // A connection that has not subscribed does not count.
    const idle = new WebSocket(server.subscribeUrl);
    sockets.push(idle);
    await new Promise((resolve) => idle.once('open', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    await subscriber(server, { topics: ['alerts'] });
    await waited;
    expect(resolved).toBe(true);
    await server.subscribers(1);
  });

  it('refuses a history that is not a boolean', async () => {
    const server = await start();
    const socket = new WebSocket(server.subscribeUrl);
    sockets.push(socket);
    const replies: Array<Record<string, unknown>> = [];
    socket.on('message', (data: RawData) => replies.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'subscribe', history: 'yes' }));
    await until(() => replies.some((m) => m.type === 'error'), 'the error');
    expect(replies.find((m) => m.type === 'error')).toEqual({ type: 'error', code: 'bad-field', message: 'subscribe: "history" must be true or false' });
  });
});
