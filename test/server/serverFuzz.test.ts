import { connect as connectTcp } from 'node:net';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Population } from '../../simulators/population.ts';
import { encodeSpikeFrame } from '../../src/live/binarySpikeFrame.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { connectRig } from '../helpers/protocolRig.ts';
import { startServe, type ServeProcess } from '../helpers/serveProcess.ts';

/**
 * `synergy serve` under thousands of hostile requests and connections (on
 * 127.0.0.1), while a healthy rig streams on a connection of its own: the
 * server never exits, its memory stays under the bound docs/RELIABILITY.md
 * states, and the healthy rig's analysis equals its replay.
 *
 * The cases are drawn from a fixed seed so that a run can be repeated
 * (FUZZ_SEED=… to draw others; FUZZ_RUNS=… for more).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** The bound docs/RELIABILITY.md states for the server's resident memory under this test, MiB. */
const MEMORY_BOUND_MIB = 600;

const ANALYSIS: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, estimator: 'jackknife', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: 10 };

let server: ServeProcess | undefined;
afterAll(async () => {
  if (server?.alive() === true) await server.stop();
});

// Values a careless or hostile sender puts where numbers go, as JSON text (some are not JSON at all).
const numberText = fc.oneof(
  fc.constantFrom('1e300', '-1e300', 'NaN', 'Infinity', '-Infinity', '1e999', '-0', '0', '9007199254740993', '4294967296', '4294967297', '1e-300', '-1', '0.5', '599', '1e5', '1e7', 'null', '"7"', '[]', '{}'),
  fc.double().map((x) => String(x)),
  fc.integer().map(String),
);
const nameText = fc.oneof(
  fc.constantFrom('"__proto__"', '"constructor"', '""', '"a"', '"b"', 'null', '7', '1e300', `"${'x'.repeat(300)}"`),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.nat(5000).map((k) => `"u${k}"`),
);
const listText = <T>(item: fc.Arbitrary<string>, maxLength: number) => fc.array(item, { maxLength }).map((items) => `[${items.join(',')}]`);
/** Mostly the connection's next seq (§, filled in when sent), so that messages get past the seq check; sometimes anything. */
const seqText = fc.oneof({ weight: 4, arbitrary: fc.constant('§') }, { weight: 1, arbitrary: fc.oneof(fc.nat(200).map(String), numberText) });
/** Plausible values too, so that the hostile sources' own analyses run. */
const plausibleTime = fc.double({ min: 0, max: 100, noNaN: true }).map(String);
const plausibleUnit = fc.nat(9).map((k) => `"u${k}"`);

/** A binary frame whose seq is filled in when sent. */
interface FrameMaker {
  frame: (seq: number) => Uint8Array;
}

/** One message of any type, with fields drawn from the values above. */
const messageText: fc.Arbitrary<string | FrameMaker | Uint8Array> = fc.oneof(
  fc.record({ times: listText(plausibleTime, 30), units: listText(plausibleUnit, 30) }).map(({ times, units }) => `{"type":"spikes","seq":§,"t":${times},"unit":${units}}`),
  fc.record({ t: plausibleTime, label: fc.constantFrom('"go"', '"stop"', '"__proto__"', 'null') }).map(({ t, label }) => `{"type":"label","seq":§,"t":${t},"label":${label}}`),
  fc.record({ seq: seqText, clock: fc.constantFrom('t', 'sample'), values: listText(numberText, 20), units: listText(nameText, 20) }).map(
    ({ seq, clock, values, units }) => `{"type":"spikes","seq":${seq},"${clock}":${values},"unit":${units}}`,
  ),
  fc.record({ seq: seqText, n: fc.constantFrom(2000, 5000) }).map(
    ({ seq, n }) => `{"type":"spikes","seq":${seq},"t":[${Array.from({ length: n }, (_, k) => k / 1000).join(',')}],"unit":[${Array.from({ length: n }, (_, k) => `"u${k}"`).join(',')}]}`,
  ),
  fc.record({ seq: seqText, t: numberText, label: nameText }).map(({ seq, t, label }) => `{"type":"label","seq":${seq},"t":${t},"label":${label}}`),
  fc.record({ seq: seqText, start: numberText, end: numberText, label: nameText }).map(({ seq, start, end, label }) => `{"type":"interval","seq":${seq},"start":${start},"end":${end},"label":${label}}`),
  fc.record({ seq: seqText, t: numberText }).map(({ seq, t }) => `{"type":"heartbeat","seq":${seq},"t":${t}}`),
  fc.record({ seq: seqText, units: listText(nameText, 50) }).map(({ seq, units }) => `{"type":"units","seq":${seq},"units":${units}}`),
  fc.record({ seq: seqText, rate: numberText }).map(({ rate }) => `{"type":"hello","protocol":1,"source":"again","sampleRate":${rate}}`),
  fc.record({ seq: seqText, field: fc.string({ maxLength: 20 }) }).map(({ seq, field }) => `{"type":"heartbeat","seq":${seq},"t":1,${JSON.stringify(field)}:1}`),
  fc.constantFrom('{"type":"end"}', '{"type":"teleport","seq":1}', '{', '[]', '"text"', 'null', '{"type":null}', '{"type":"spikes"}'),
  fc.string({ maxLength: 40 }),
  // Binary frames: well formed with extreme times and unit indices, claiming more spikes than they hold, or random bytes.
  fc.record({ times: fc.array(fc.double(), { maxLength: 10 }), unit: fc.constantFrom(0, 1, 2, 7, 4294967295), clock: fc.constantFrom('seconds', 'samples') as fc.Arbitrary<'seconds' | 'samples'> }).map(
    ({ times, unit, clock }): FrameMaker => ({ frame: (seq) => new Uint8Array(encodeSpikeFrame(seq, times, times.map(() => unit), clock)) }),
  ),
  fc.constantFrom(1, 1000, 4294967295).map(
    (claimed): FrameMaker => ({
      frame: (seq) => {
        const frame = encodeSpikeFrame(seq, [1], [0]);
        frame.writeUInt32LE(claimed, 16);
        return new Uint8Array(frame);
      },
    }),
  ),
  fc.uint8Array({ maxLength: 64 }),
);

type Attack =
  | { kind: 'ingest'; source: string; sampleRate: string; messages: Array<string | FrameMaker | Uint8Array>; labelFlood: number; close: 'end' | 'close' | 'terminate' }
  | { kind: 'upgrade'; method: string; target: string; headers: Array<[string, string]> }
  | { kind: 'subscriber'; messages: string[]; pause: boolean };

const attack: fc.Arbitrary<Attack> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('ingest' as const),
      source: fc.oneof(fc.constantFrom('good', 'f1', 'f2', 'f3', '__proto__'), fc.nat(40).map((k) => `f${k}`)),
      sampleRate: fc.oneof(fc.constantFrom('30000', '1e-300', '1e300', '0', '-5'), numberText),
      messages: fc.array(messageText, { maxLength: 25 }),
      labelFlood: fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(2000) }),
      close: fc.constantFrom('end', 'close', 'terminate') as fc.Arbitrary<'end' | 'close' | 'terminate'>,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('upgrade' as const),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'CONNECT', 'get', 'G T'),
      target: fc.oneof(
        fc.constantFrom('/ingest', '/subscribe', '/', 'http://[::1/ingest', '//', '*', '/ingest?token=', '/subscribe?token=%ff', 'http://localhost:99999/ingest', '/%', '/ingest#frag', `/${'a'.repeat(5000)}`),
        fc.string({ maxLength: 60 }).map((s) => `/${s.replace(/[\s]/g, '')}`),
      ),
      headers: fc.array(
        fc.tuple(
          fc.constantFrom('Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Authorization', 'Host', 'Sec-WebSocket-Extensions', 'Content-Length', 'X'),
          fc.oneof(fc.constantFrom('websocket', 'Upgrade', 'dGhlIHNhbXBsZSBub25jZQ==', '13', '8', 'Bearer x', 'permessage-deflate', '99999999', ''), fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''))),
        ),
        { maxLength: 8 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('subscriber' as const),
      messages: fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{"type":"subscribe","topics":["synergy"],"top":1}', '{"type":"subscribe","sources":[1,2]}', '{"type":"subscribe","top":-1}', 'x')), { maxLength: 30 }),
      pause: fc.boolean(),
    }),
  },
);

/** Resolves when the socket closes, or after `ms` (then destroys it): a case never waits on the server for long. */
function settle(socket: { once(event: 'close', listener: () => void): unknown }, destroy: () => void, ms = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      destroy();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function run(target: ServeProcess, a: Attack): Promise<void> {
  const url = new URL(target.ingestUrl);
  if (a.kind === 'upgrade') {
    const socket = connectTcp(Number(url.port), '127.0.0.1');
    socket.on('error', () => {});
    const request = `${a.method} ${a.target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${a.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
    socket.on('connect', () => socket.write(request));
    // The first answer is enough; an opened WebSocket is closed at once.
    socket.once('data', () => socket.destroy());
    await settle(socket, () => socket.destroy());
    return;
  }
  const endpoint = a.kind === 'ingest' ? target.ingestUrl : target.subscribeUrl;
  const socket = new WebSocket(endpoint);
  socket.on('error', () => {});
  socket.on('message', () => {});
  const opened = await new Promise<boolean>((resolve) => {
    socket.once('open', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
  if (!opened) return;
  const send = (data: string | Uint8Array) => socket.readyState === WebSocket.OPEN && socket.send(data, { binary: typeof data !== 'string' });
  if (a.kind === 'subscriber') {
    if (a.pause) (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (const message of a.messages) send(message);
    socket.terminate();
    return;
  }
  send(`{"type":"hello","protocol":1,"source":${JSON.stringify(a.source)},"sampleRate":${a.sampleRate},"units":["a","b","c"]}`);
  let seq = 0;
  for (const message of a.messages) {
    if (typeof message === 'string') send(message.replaceAll('§', () => String(seq++)));
    else send(message instanceof Uint8Array ? message : message.frame(seq++));
  }
  for (let k = 0; k < a.labelFlood; k++) send(`{"type":"label","seq":${seq++},"t":${k / 100},"label":"flood-${k}"}`);
  if (a.close === 'terminate') {
    socket.terminate();
    return;
  }
  if (a.close === 'end') send('{"type":"end"}');
  socket.close();
  await settle(socket, () => socket.terminate());
}

describe('synergy serve under fuzzing', () => {
  it(`never exits, stays under ${MEMORY_BOUND_MIB} MiB, and leaves a healthy rig's analysis equal to its replay (${RUNS} cases)`, async () => {
    server = await startServe(['--window', '10', '--hop', '1', '--top', '10', '--surrogates', '0', '--lateness', '0.1']);
    const events: SourceEvent[] = [...new Population({ units: 8, seed: 21, synergisticPairs: 1, redundantPairs: 1 }).stream({ chunkSeconds: 0.5, untilSeconds: 40 })];
    const rig = await connectRig(server.ingestUrl);
    rig.send({ type: 'hello', protocol: 1, source: 'good' });
    await rig.reply((frame) => frame.type === 'ready');
    let seq = 0;
    let sentEvents = 0;
    const chunk = Math.ceil(events.length / 40);
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(attack, async (a) => {
        // The healthy rig streams a little between cases, through the whole run.
        if (cases++ % Math.max(1, Math.floor(RUNS / 40)) === 0 && sentEvents < events.length) {
          seq = rig.sendEvents(events.slice(sentEvents, sentEvents + chunk), seq);
          sentEvents += chunk;
        }
        await run(server!, a);
        return server!.alive();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    seq = rig.sendEvents(events.slice(sentEvents), seq);
    rig.send({ type: 'end', seq });
    expect(await rig.closed).toBe(1000);
    expect(await fetch(server.httpUrl).then((response) => response.status)).toBe(200);
    const result = await server.stop();
    if (process.env.FUZZ_REPORT !== undefined) console.log(`peak ${result.peakRssMiB.toFixed(0)} MiB; ${result.updates.length} updates, ${result.alerts.length} alerts\n${result.stderr.slice(-3000)}`);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const replay = await lastValueFrom(from(events).pipe(analyzeStream(ANALYSIS), toArray()));
    const good = result.updates.filter((update) => update.source === 'good').map(({ source: _source, ...rest }) => rest);
    expect(good).toEqual(replay);
    expect(result.peakRssMiB).toBeLessThan(MEMORY_BOUND_MIB);
  }, 300_000);
});
