import { connect as connectTcp } from 'node:net';
import { lastValueFrom, from, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { Population } from '../../simulators/population.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { connectRig, type ProtocolRig } from '../helpers/protocolRig.ts';
import { startServe, type ServeProcess } from '../helpers/serveProcess.ts';

// `synergy serve` as a user runs it, probed as an attacker would (on 127.0.0.1 only).

const serves: ServeProcess[] = [];
afterEach(async () => {
  for (const serve of serves.splice(0)) if (serve.alive()) await serve.stop();
});

const ANALYSIS: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, estimator: 'jackknife', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: 10 };
const SERVE_ARGS = ['--window', '10', '--hop', '1', '--top', '10', '--surrogates', '0', '--lateness', '0.1'];

async function serve(extra: string[] = []): Promise<ServeProcess> {
  const process = await startServe([...SERVE_ARGS, ...extra]);
  serves.push(process);
  return process;
}

/** A healthy rig's recording as source events: 8 units, 3 modes, one planted pair of each kind. */
function healthyRecording(seconds: number): SourceEvent[] {
  return [...new Population({ units: 8, seed: 11, synergisticPairs: 1, redundantPairs: 1 }).stream({ chunkSeconds: 0.5, untilSeconds: seconds })];
}

/** What the analysis of these events alone is (its replay). */
async function replayOf(events: SourceEvent[]): Promise<SynergyUpdate[]> {
  return lastValueFrom(from(events).pipe(analyzeStream(ANALYSIS), toArray()));
}

/** The updates a source's analysis made, without the source field (a single-source analysis has none). */
function updatesOf(updates: SynergyUpdate[], source: string): SynergyUpdate[] {
  return updates.filter((update) => update.source === source || update.source === undefined).map(({ source: _source, ...rest }) => rest as SynergyUpdate);
}

/** Sends the healthy recording in chunks, running `between(k)` after chunk k; ends it and waits for the server to close the connection. */
async function runHealthyRig(url: string, events: SourceEvent[], between: (chunk: number) => Promise<void>): Promise<ProtocolRig> {
  const rig = await connectRig(url);
  rig.send({ type: 'hello', protocol: 1, source: 'good' });
  await rig.reply((frame) => frame.type === 'ready');
  let seq = 0;
  const chunk = Math.ceil(events.length / 10);
  for (let k = 0; k < 10; k++) {
    seq = rig.sendEvents(events.slice(k * chunk, (k + 1) * chunk), seq);
    await between(k);
  }
  rig.send({ type: 'end', seq });
  expect(await rig.closed).toBe(1000);
  return rig;
}

/**
 * Opens a connection, says hello as `source`, sends `messages` (objects or raw text), then ends the
 * source or closes the connection without `end`; resolves once the connection is closed.
 */
async function hostile(url: string, source: string, messages: Array<Record<string, unknown> | string>, close: 'end' | 'drop' = 'drop'): Promise<ProtocolRig> {
  const rig = await connectRig(url);
  rig.send({ type: 'hello', protocol: 1, source });
  await rig.reply((frame) => frame.type === 'ready' || frame.type === 'error');
  for (const message of messages) rig.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  if (close === 'end') rig.send({ type: 'end' });
  else rig.socket.close();
  await rig.closed;
  return rig;
}

describe('synergy serve: no request can end it', () => {
  it('answers an upgrade whose target is no URL with 400 and keeps serving (it used to exit on "http://[::1/ingest")', async () => {
    const server = await serve();
    const port = Number(new URL(server.httpUrl).port);
    for (const target of ['http://[::1/ingest', '//', 'http://%zz/subscribe', '*', 'http://localhost:99999/ingest']) {
      const response = await new Promise<string>((resolve) => {
        const socket = connectTcp(port, '127.0.0.1', () =>
          socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
      expect(response, target).toMatch(/^HTTP\/1\.1 (400|404) /);
    }
    expect(server.alive()).toBe(true);
    const status = await fetch(`${server.httpUrl}info`).then((response) => response.json());
    expect(status).toMatchObject({ name: 'synergy-stream' });
    const result = await server.stop();
    expect(result.code).toBe(0);
  });
});

describe('synergy serve: sources never move each other’s clocks, windows or labels', () => {
  it('a healthy rig’s analysis equals its replay while other sources send far times, vanish without end, jump, and pass every limit', async () => {
    const server = await serve();
    const events = healthyRecording(40);
    const probes: Array<() => Promise<ProtocolRig>> = [
      // A first message at 1e300 (it used to kill the analysis), and one at 1e7 (a 200 MB stall).
      () => hostile(server.ingestUrl, 'far', [{ type: 'heartbeat', seq: 0, t: 1e300 }, { type: 'heartbeat', seq: 1, t: 1e7 }]),
      // A source whose clock starts at 1e5 (it used to make every later spike late).
      () => hostile(server.ingestUrl, 'late-start', [{ type: 'spikes', seq: 0, t: [1e5, 1e5 + 0.5], unit: ['x', 'y'] }, { type: 'label', seq: 1, t: 1e5, label: 'go' }], 'end'),
      // Hello, a heartbeat at 0.5, then gone without end (it used to blank every later update of the healthy rig).
      () => hostile(server.ingestUrl, 'vanisher', [{ type: 'heartbeat', seq: 0, t: 0.5 }]),
      // 200 heartbeats each 599 s ahead (it used to produce 119,201 updates).
      () => hostile(server.ingestUrl, 'jumper', Array.from({ length: 200 }, (_, k) => ({ type: 'heartbeat', seq: k, t: 599 * k }))),
      // 5,000 unit ids in one message (2.4 GB), 1,000 labels (289 MB and a hang).
      () => hostile(server.ingestUrl, 'many-units', [{ type: 'spikes', seq: 0, t: Array.from({ length: 5000 }, (_, k) => k / 1000), unit: Array.from({ length: 5000 }, (_, k) => `u${k}`) }]),
      () =>
        hostile(server.ingestUrl, 'many-labels', [
          { type: 'spikes', seq: 0, t: Array.from({ length: 200 }, (_, k) => k / 100), unit: Array.from({ length: 200 }, (_, k) => `u${k}`) },
          ...Array.from({ length: 1000 }, (_, k) => ({ type: 'label', seq: k + 1, t: 2 + k / 100, label: `mode-${k}` })),
          { type: 'heartbeat', seq: 1001, t: 30 },
        ]),
    ];
    const refused: Record<string, string[]> = {};
    await runHealthyRig(server.ingestUrl, events, async (chunk) => {
      if (chunk >= probes.length) return;
      const rig = await probes[chunk]();
      refused[chunk] = rig.replies.filter((frame) => frame.type === 'error').map((frame) => String(frame.code));
    });
    expect(server.alive()).toBe(true);
    const result = await server.stop();
    expect(result.code, result.stderr).toBe(0);

    // The healthy rig: exactly its replay.
    const expected = await replayOf(events);
    expect(expected.length).toBeGreaterThan(30);
    expect(updatesOf(result.updates, 'good')).toEqual(expected);
    // The far times were refused; the jumper's updates stay few (its far jumps are refused, then taken as one restart each);
    // the limits refused what passed them.
    expect(refused[0]).toEqual(['bad-field']);
    expect(result.stderr).toMatch(/far: 1 messages, 0 spikes, 0 missing, 1 connection, refused 1 bad-field/);
    // Each jump of the jumper restarts its analysis: the windows before it, then nothing for the 599 empty seconds.
    const jumper = result.updates.filter((update) => update.source === 'jumper');
    expect(jumper.length).toBeLessThanOrEqual(200 * 12);
    expect(refused[4]).toEqual(['too-many-units']);
    expect(result.stderr).toMatch(/many-labels: 66 messages, 200 spikes, 0 missing, 1 connection, refused 936 too-many-modes/);
    // Memory stayed bounded (docs/RELIABILITY.md).
    expect(result.peakRssMiB).toBeLessThan(400);
  }, 120_000);
});

describe('synergy serve: the token need not be on the command line', () => {
  it('takes it from SYNERGY_TOKEN, or from a file only its owner can read', async () => {
    const { mkdtempSync, writeFileSync, chmodSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { WebSocket } = await import('ws');
    const { runCli } = await import('../helpers/runCli.ts');
    const upgradeStatus = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, { headers });
        socket.on('error', () => {});
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
      });
    const server = await startServe(SERVE_ARGS, { SYNERGY_TOKEN: 'from-the-environment' });
    serves.push(server);
    expect(await upgradeStatus(server.ingestUrl)).toBe(401);
    expect(await upgradeStatus(server.ingestUrl, { authorization: 'Bearer from-the-environment' })).toBe(101);
    const folder = mkdtempSync(join(tmpdir(), 'synergy-token-'));
    try {
      const file = join(folder, 'token');
      writeFileSync(file, 'from-a-file\n');
      chmodSync(file, 0o644);
      const refused = await runCli(['serve', '--port', '0', '--token-file', file]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/can be read by other users: chmod 600 it/);
      chmodSync(file, 0o600);
      const fromFile = await startServe([...SERVE_ARGS, '--token-file', file]);
      serves.push(fromFile);
      expect(await upgradeStatus(fromFile.subscribeUrl)).toBe(401);
      expect(await upgradeStatus(`${fromFile.subscribeUrl}?token=from-a-file`)).toBe(101);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('synergy serve: self-describing output', () => {
  it('starts each JSONL file with the run header, and welcomes subscribers with it', async () => {
    const server = await serve();
    const { WebSocket } = await import('ws');
    const subscriber = new WebSocket(server.subscribeUrl);
    const welcome = await new Promise<Record<string, unknown>>((resolve) => subscriber.once('message', (data) => resolve(JSON.parse(String(data)))));
    subscriber.close();
    const result = await server.stop();
    expect(result.header).toMatchObject({
      type: 'run',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      command: 'serve',
      source: server.ingestUrl,
      format: 'protocol',
      seed: 0,
      options: { bin: 0.02, window: 10, hop: 1, top: 10, surrogates: 0, lateness: 0.1, estimator: 'jackknife', levels: 3, alertAlpha: 0.05 },
    });
    expect(new Date(String(result.header!.started)).getTime()).not.toBeNaN();
    expect(welcome).toMatchObject({ type: 'welcome', run: result.header });
  });
});
