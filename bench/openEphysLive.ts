/**
 * Open Ephys Event Broadcaster benchmark (`npx tsx bench/openEphysLive.ts [--json] [--quick] [--runs N] [--sustained]`):
 * a publisher child process sends spike messages exactly as the plugin's
 * JSON format does (two frames, JUCE-formatted JSON; 64 units on 16
 * electrodes) over 127.0.0.1; this process reads them with
 * EventBroadcasterSource (its receiver process holds the zeromq SUB socket).
 *
 * 1. openephys/adapter-max: the publisher sends as fast as TCP takes them;
 *    spikes/s from the first batch to the last spike, the events only
 *    counted. N runs (default 3): each, then their median and range.
 * 2. openephys/analysis-max: the same through the full live analysis
 *    (20 ms bins, 60 s window, 10 s hop, panzeri-treves). The spikes are 6
 *    samples apart, so data time runs about 40 times faster than the wall
 *    clock, and the analysis computes an update about every 0.25 s.
 * 3. openephys/adapter-sustained: the publisher paced at 200,000 spikes/s
 *    for 20 s, in real time (sample numbers advance 30,000 a second, as a
 *    rig's do; what is due is sent every 10 ms), the target being that the adapter sustains at least 200,000
 *    spikes/s. Met when every spike arrives and the reader keeps up: the
 *    last spike is read within 0.25 s of the last send (a reader 1.25 %
 *    slower than the publisher would be 0.25 s behind by then). The largest backlog on the
 *    way (spikes sent by the publisher's clock but not yet read, in seconds
 *    of spikes) is printed too.
 * 4. openephys/analysis-sustained: the same through the full analysis.
 *    (--sustained: only these two.)
 * 5. openephys/zeromq-receive-only (reference): a bare zeromq.js receive
 *    loop in this process that only counts, at full speed: what the package
 *    itself reads per second on this machine.
 *
 * Nothing may be lost: the publisher writes with TCP backpressure, so a slow
 * reader holds it back instead of losing messages, and every spike sent
 * must arrive.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import * as zmq from 'zeromq';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EventBroadcasterSource } from '../adapters/openephys-live/eventBroadcasterSource.ts';
import { juceDouble } from '../simulators/eventBroadcasterSimulator.ts';
import { runLiveAnalysis } from '../src/live/liveAnalysis.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
/** Only the sustained runs. */
const sustainedOnly = process.argv.includes('--sustained');
/**
 * The paced publisher's tick: it writes what is due every 10 ms. The GUI
 * processes data in blocks (its audio-callback buffer, typically 10–25 ms)
 * and the plugin sends each block's spikes in a burst.
 */
const PACE_MS = 10;
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : quick ? 1 : 3;
const SUSTAINED_RATE = 200_000;
const SUSTAINED_SECONDS = quick ? 5 : 20;
/** A sustained run keeps up when its last spike is read within this of the last send. */
const KEEP_UP_SECONDS = 0.25;
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
function wireFrames(first: number, count: number, prefix: Buffer[], suffix: Buffer[], samplesPerMessage: number): Buffer {
  const out = Buffer.allocUnsafe(count * (13 + 6 + 32 + Math.max(...prefix.map((p) => p.length)) + Math.max(...suffix.map((p) => p.length))));
  let at = 0;
  for (let i = first; i < first + count; i++) {
    const unit = (i * 37) % UNITS;
    const sample = String(Math.floor(i * samplesPerMessage));
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
 * subscriber's handshake is in (at `rate` messages/s by its clock, or as fast
 * as TCP takes them), prints the wall time (ms since the epoch) at the first
 * and after the last send, then waits to be killed.
 */
async function publish(count: number, rate: number): Promise<void> {
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
        const startMs = performance.timeOrigin + performance.now();
        process.stdout.write(`start ${startMs}\n`);
        if (rate > 0) {
          // Paced: every PACE_MS, what is due by the clock since the start (the GUI, too, sends a processing block's spikes together).
          let sent = 0;
          while (sent < count) {
            const due = Math.min(count, Math.floor(((performance.timeOrigin + performance.now() - startMs) / 1000) * rate));
            if (due > sent) {
              if (!socket.write(wireFrames(sent, due - sent, prefix, suffix, SAMPLE_RATE / rate))) await once(socket, 'drain');
              sent = due;
            }
            await new Promise((resolve) => setTimeout(resolve, PACE_MS));
          }
        } else {
          const chunk = 5000;
          for (let first = 0; first < count; first += chunk) {
            if (!socket.write(wireFrames(first, Math.min(chunk, count - first), prefix, suffix, 6))) await once(socket, 'drain');
          }
        }
        process.stdout.write(`end ${performance.timeOrigin + performance.now()}\n`);
      })();
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  // Stay up (and keep the socket open) until the parent has read everything and kills this process.
  setInterval(() => {}, 60_000);
}

/** The publisher child: its address, and the wall times (ms since the epoch) it prints at its first and after its last send. */
function startPublisher(count: number, rate: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--publish', String(count), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let startMs = NaN;
  let sentAll: (endMs: number) => void = () => {};
  const endMs = new Promise<number>((resolve) => (sentAll = resolve));
  const url = new Promise<string>((resolve) =>
    lines.on('line', (line) => {
      if (line.startsWith('tcp://')) resolve(line.trim());
      else if (line.startsWith('start ')) startMs = Number(line.slice(6));
      else if (line.startsWith('end ')) sentAll(Number(line.slice(4)));
    }),
  );
  return { child, url, startMs: () => startMs, endMs };
}

interface RunResult {
  spikes: number;
  batches: number;
  spikesPerSecond: number;
  updates: number;
  /** Paced runs: the largest backlog seen (seconds of spikes sent by the publisher's clock, not yet read) and the last spike's delay after the last send. */
  maxBacklogSeconds: number;
  lastDelaySeconds: number;
  rssMB: number;
}

async function run(count: number, analyze: boolean, rate = 0): Promise<RunResult> {
  const publisher = startPublisher(count, rate);
  const source = new EventBroadcasterSource({ url: await publisher.url });
  let spikes = 0;
  let batches = 0;
  let firstMs = 0;
  let lastMs = 0;
  let maxBacklogSeconds = 0;
  const finished = new Promise<void>((resolve) => {
    source.events.subscribe((event) => {
      if (event.kind !== 'spikes') return;
      if (batches++ === 0) firstMs = performance.now();
      spikes += event.t.length;
      if (rate > 0) {
        const sentByNow = ((performance.timeOrigin + performance.now() - publisher.startMs()) / 1000) * rate;
        maxBacklogSeconds = Math.max(maxBacklogSeconds, (Math.min(count, sentByNow) - spikes) / rate);
      }
      if (spikes >= count) {
        lastMs = performance.now();
        resolve();
      }
    });
  });
  const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 60, hopSeconds: 10, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: 100 };
  let updates = 0;
  const analysis = analyze
    ? runLiveAnalysis(source.events, source.alerts, options, { alpha: 1e-9, forUpdates: 1000 }, { observe: (item) => item.type === 'synergy' && updates++ })
    : undefined;
  source.start();
  await finished;
  const lastDelaySeconds = rate > 0 ? (performance.timeOrigin + lastMs - (await publisher.endMs)) / 1000 : NaN;
  source.close();
  await analysis;
  publisher.child.kill('SIGKILL');
  return { spikes, batches, spikesPerSecond: spikes / ((lastMs - firstMs) / 1000), updates, maxBacklogSeconds, lastDelaySeconds, rssMB: process.memoryUsage().rss / 2 ** 20 };
}

/** A bare zeromq.js SUB socket in this process that receives and counts `count` messages as fast as it can. */
async function receiveOnly(count: number): Promise<number> {
  const publisher = startPublisher(count, 0);
  const socket = new zmq.Subscriber({ receiveHighWaterMark: 200_000, linger: 0 });
  socket.subscribe();
  socket.connect(await publisher.url);
  await socket.receive();
  const startMs = performance.now();
  socket.receiveTimeout = 0;
  let received = 1;
  while (received < count) {
    try {
      await socket.receive();
      received++;
    } catch {
      socket.receiveTimeout = -1;
      await socket.receive();
      received++;
      socket.receiveTimeout = 0;
    }
  }
  const perSecond = (count - 1) / ((performance.now() - startMs) / 1000);
  socket.close();
  publisher.child.kill('SIGKILL');
  return perSecond;
}

async function maxRuns(name: string, count: number, analyze: boolean): Promise<void> {
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await run(count, analyze);
    rates.push(result.spikesPerSecond);
    report({ name: `${name} run ${i + 1}`, units: UNITS, spikes: result.spikes, sent: count, spikesPerBatch: result.spikes / result.batches, spikesPerSecond: result.spikesPerSecond, ...(analyze ? { updates: result.updates } : {}), rssMB: result.rssMB, allArrived: result.spikes === count });
  }
  const sorted = [...rates].sort((a, b) => a - b);
  report({ name, runs: RUNS, medianSpikesPerSecond: sorted[Math.floor(sorted.length / 2)], minSpikesPerSecond: sorted[0], maxSpikesPerSecond: sorted[sorted.length - 1] });
}

const publishAt = process.argv.indexOf('--publish');
if (publishAt >= 0) await publish(Number(process.argv[publishAt + 1]), Number(process.argv[publishAt + 2]));
else {
  const count = quick ? 300_000 : 1_500_000;
  if (!sustainedOnly) {
    await maxRuns('openephys/adapter-max', count, false);
    await maxRuns('openephys/analysis-max', count, true);
  }
  for (const analyze of [false, true]) {
    const sustained = await run(SUSTAINED_RATE * SUSTAINED_SECONDS, analyze, SUSTAINED_RATE);
    report({
      name: analyze ? 'openephys/analysis-sustained' : 'openephys/adapter-sustained',
      rate: SUSTAINED_RATE,
      seconds: SUSTAINED_SECONDS,
      spikes: sustained.spikes,
      sent: SUSTAINED_RATE * SUSTAINED_SECONDS,
      readSpikesPerSecond: sustained.spikesPerSecond,
      maxBacklogSeconds: sustained.maxBacklogSeconds,
      lastDelaySeconds: sustained.lastDelaySeconds,
      ...(analyze ? { updates: sustained.updates } : {}),
      rssMB: sustained.rssMB,
      meetsTarget: sustained.spikes === SUSTAINED_RATE * SUSTAINED_SECONDS && sustained.lastDelaySeconds < KEEP_UP_SECONDS,
    });
  }
  if (!sustainedOnly) report({ name: 'openephys/zeromq-receive-only', spikesPerSecond: await receiveOnly(count) });
  process.exit(0);
}
