/**
 * Open Ephys Event Broadcaster benchmark (`npx tsx bench/openEphysLive.ts [--json] [--quick]`):
 * a publisher child process sends spike messages exactly as the plugin's
 * JSON format does (two frames, JUCE-formatted JSON; 64 units on 16
 * electrodes), as fast as TCP takes them, over 127.0.0.1; this process
 * reads them with EventBroadcasterSource (a zeromq SUB socket).
 *
 * 1. Adapter throughput: spikes/s from the first batch to the last spike,
 *    the events only counted. Target ≥ 200,000 spikes/s.
 * 2. The same through the full live analysis (20 ms bins, 60 s window,
 *    10 s hop, panzeri-treves).
 *
 * Nothing may be lost: the publisher writes with TCP backpressure, so a slow
 * reader holds it back instead of losing messages, and every spike sent
 * must arrive.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EventBroadcasterSource } from '../adapters/openephys-live/eventBroadcasterSource.ts';
import { juceDouble } from '../simulators/eventBroadcasterSimulator.ts';
import { runLiveAnalysis } from '../src/live/liveAnalysis.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const UNITS = 64;
const ELECTRODES = 16;
const SAMPLE_RATE = 30_000;

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const { name, ...rest } = result;
    process.stdout.write(`${String(name).padEnd(30)} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
  }
}

/**
 * The spike messages' frames as ZMTP 3.0 puts them on the wire: type (MORE,
 * 2 bytes), then the JSON (LONG when over 255 bytes). Written straight into
 * one buffer per call, from each unit's JSON prefix and suffix as bytes, so
 * that the publisher spends little CPU (it shares the machine's cores with
 * the reader being measured).
 */
function wireFrames(first: number, count: number, prefix: Buffer[], suffix: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(count * (13 + 6 + 32 + Math.max(...prefix.map((p) => p.length)) + Math.max(...suffix.map((p) => p.length))));
  let at = 0;
  for (let i = first; i < first + count; i++) {
    const unit = (i * 37) % UNITS;
    const sample = String(i * 6);
    const size = prefix[unit].length + sample.length + suffix[unit].length;
    out[at++] = 0x01; // MORE
    out[at++] = 2;
    out.writeUInt16LE(1, at); // type 1: spike
    at += 2;
    if (size > 255) {
      out[at++] = 0x02; // the last frame, LONG
      out.writeBigUInt64BE(BigInt(size), at);
      at += 8;
    } else {
      out[at++] = 0x00;
      out[at++] = size;
    }
    at += prefix[unit].copy(out, at);
    at += out.write(sample, at, 'latin1');
    at += suffix[unit].copy(out, at);
  }
  return out.subarray(0, at);
}

/**
 * The child: a PUB peer speaking ZMTP 3.0 itself over node:net (greeting,
 * NULL mechanism, READY with Socket-Type PUB), so that the publisher is not
 * what is measured (a zeromq.js send costs about 4 µs a message); the data
 * frames are the plugin's. Sends `count` spike messages once the
 * subscriber's handshake is in, then waits to be killed.
 */
async function publish(count: number): Promise<void> {
  const prefix: Buffer[] = [];
  const suffix: Buffer[] = [];
  for (let u = 0; u < UNITS; u++) {
    const electrode = `Electrode ${(u % ELECTRODES) + 1}`;
    prefix.push(Buffer.from(`{\r\n  "event_type": "spike",\r\n  "stream": "example_data",\r\n  "source_node": 104,\r\n  "electrode": "${electrode}",\r\n  "num_channels": 4,\r\n  "sample_rate": ${juceDouble(SAMPLE_RATE)},\r\n  "sample_number": `));
    suffix.push(Buffer.from(`,\r\n  "sorted_id": ${Math.floor(u / ELECTRODES) + 1},\r\n  "amp1": 52.0,\r\n  "amp2": 31.0,\r\n  "amp3": 12.0,\r\n  "amp4": 7.0\r\n}`));
  }
  const greeting = Buffer.alloc(64);
  greeting[0] = 0xff;
  greeting[9] = 0x7f;
  greeting[10] = 3; // ZMTP 3.0
  greeting[11] = 0;
  greeting.write('NULL', 12, 'ascii');
  const ready = Buffer.concat([Buffer.from([5]), Buffer.from('READY'), Buffer.from([11]), Buffer.from('Socket-Type'), Buffer.from([0, 0, 0, 3]), Buffer.from('PUB')]);
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.write(Buffer.concat([greeting, Buffer.from([0x04, ready.length]), ready]));
    let received = Buffer.alloc(0);
    let started = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (started) return;
      received = Buffer.concat([received, chunk]);
      // The peer's greeting, then its READY command: the handshake is done.
      if (received.length < 66) return;
      const long = (received[64] & 0x02) !== 0;
      const size = long ? Number(received.readBigUInt64BE(65)) : received[65];
      if (received.length < 64 + (long ? 9 : 2) + size) return;
      started = true;
      void (async () => {
        const chunk = 5000;
        for (let first = 0; first < count; first += chunk) {
          if (!socket.write(wireFrames(first, Math.min(chunk, count - first), prefix, suffix))) await once(socket, 'drain');
        }
      })();
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  // Stay up (and keep the socket open) until the parent has read everything and kills this process.
  setInterval(() => {}, 60_000);
}

async function run(name: string, count: number, analyze: boolean): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--publish', String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  const source = new EventBroadcasterSource({ url });
  let spikes = 0;
  let batches = 0;
  let firstMs = 0;
  let lastMs = 0;
  const finished = new Promise<void>((resolve) => {
    source.events.subscribe((event) => {
      if (event.kind !== 'spikes') return;
      if (batches++ === 0) firstMs = performance.now();
      spikes += event.t.length;
      if (spikes >= count) {
        lastMs = performance.now();
        resolve();
      }
    });
  });
  const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 60, hopSeconds: 10, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: 100 };
  let updates = 0;
  const analysis = analyze
    ? runLiveAnalysis(source.events, source.alerts, options, { thresholdBits: 10, maxP: 1e-9, forUpdates: 1000 }, { observe: (item) => item.type === 'synergy' && updates++ })
    : undefined;
  source.start();
  await finished;
  source.close();
  await analysis;
  child.kill('SIGKILL');
  const seconds = (lastMs - firstMs) / 1000;
  report({
    name,
    units: UNITS,
    spikes,
    sent: count,
    batches,
    spikesPerBatch: spikes / batches,
    spikesPerSecond: spikes / seconds,
    ...(analyze ? { updates } : {}),
    rssMB: process.memoryUsage().rss / 2 ** 20,
    meetsTarget: spikes / seconds >= 200_000 && spikes === count,
  });
}

const publishAt = process.argv.indexOf('--publish');
if (publishAt >= 0) await publish(Number(process.argv[publishAt + 1]));
else {
  const count = quick ? 300_000 : 1_500_000;
  await run('openephys/adapter-throughput', count, false);
  await run('openephys/with-analysis', count, true);
  process.exit(0);
}
