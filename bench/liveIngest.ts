/**
 * Live benchmark (`npm run bench:live [-- --json]`): the server and analysis
 * run in a child process; this process is the rig (and the subscriber),
 * over WebSocket on 127.0.0.1.
 *
 * 1. Ingest throughput: binary spike frames of 10,000 spikes (256 units)
 *    pushed as fast as the socket takes them, through the full analysis
 *    (20 ms bins, 60 s window, 10 s hop, panzeri-treves): spikes/s from the
 *    first frame received to the last. Target ≥ 1,000,000 spikes/s.
 * 2. End-to-end latency: a 64-unit rig at 20 Hz a unit, sent in real time in
 *    10 ms messages with heartbeats, lateness 20 ms, 1 s hop; for every
 *    spike, the time from its send to the arrival at a subscriber of the
 *    first update whose window includes its bin. Target: p99 below one hop
 *    plus 50 ms.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { Population } from '../simulators/population.ts';
import { encodeSpikeFrame } from '../src/live/binarySpikeFrame.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const wallMs = () => performance.timeOrigin + performance.now();

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const { name, ...rest } = result;
    process.stdout.write(`${String(name).padEnd(28)} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
  }
}

/** Starts the analyzer child; resolves with its port and a promise of its final report. */
async function analyzer(options: AnalysisOptions): Promise<{ port: number; result: Promise<Record<string, number>> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'liveServerChild.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = JSON.parse((await lines.next()).value as string) as { port: number };
  const result = lines.next().then((line) => JSON.parse(line.value as string) as Record<string, number>);
  return { port: first.port, result };
}

async function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function throughput(): Promise<void> {
  const units = 256;
  const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 60, hopSeconds: 10, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: 100 };
  const { port, result } = await analyzer(options);
  const rig = await open(`ws://127.0.0.1:${port}/ingest`);
  const ids = Array.from({ length: units }, (_, i) => String(i));
  rig.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'bench', units: ids }));
  // Frames prepared ahead: 10,000 spikes each, 40 Hz a unit (about 1 s of recording a frame).
  const population = new Population({ units, meanRateHz: 40, seed: 1 });
  const span = population.generate(0, 20);
  const perFrame = 10_000;
  const frames = Math.floor(span.spikes.t.length / perFrame);
  const spanSeconds = span.spikes.t[frames * perFrame - 1];
  const totalFrames = quick ? 200 : 1000;
  let seq = 0;
  let sent = 0;
  const startedMs = wallMs();
  for (let k = 0; k < totalFrames; k++) {
    const cycle = Math.floor(k / frames);
    const from = (k % frames) * perFrame;
    const t = span.spikes.t.slice(from, from + perFrame);
    for (let i = 0; i < t.length; i++) t[i] += cycle * (spanSeconds + 0.02);
    rig.send(encodeSpikeFrame(seq++, t, span.spikes.unit.subarray(from, from + perFrame)));
    sent += perFrame;
    // Keep a few MB in flight: as fast as the socket takes it.
    while (rig.bufferedAmount > 8 * 1024 * 1024) await new Promise((resolve) => setImmediate(resolve));
  }
  rig.send(JSON.stringify({ type: 'end', seq: seq++ }));
  const server = await result;
  rig.close();
  const seconds = (server.lastMs - server.firstMs) / 1000;
  report({
    name: 'live/ingest-throughput',
    units,
    spikes: server.spikes,
    sent,
    wallSeconds: (wallMs() - startedMs) / 1000,
    spikesPerSecond: server.spikes / seconds,
    updates: server.updates,
    serverPeakRssMB: server.rssMB,
    meetsTarget: server.spikes / seconds >= 1e6 && server.spikes === sent,
  });
}

async function latency(): Promise<void> {
  const units = 64;
  const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 30, hopSeconds: 1, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.02, top: 20 };
  const { port, result } = await analyzer(options);
  const subscriber = await open(`ws://127.0.0.1:${port}/subscribe`);
  const updateArrivals = new Map<number, number>();
  subscriber.on('message', (data) => {
    const now = wallMs();
    const message = JSON.parse(String(data)) as { type: string; t: number };
    if (message.type === 'synergy' && !updateArrivals.has(message.t)) updateArrivals.set(message.t, now);
  });
  subscriber.send(JSON.stringify({ type: 'subscribe', topics: ['synergy'], top: 20 }));
  const rig = await open(`ws://127.0.0.1:${port}/ingest`);
  const ids = Array.from({ length: units }, (_, i) => String(i));
  rig.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'bench', units: ids }));
  const seconds = quick ? 8 : 20;
  const population = new Population({ units, meanRateHz: 20, seed: 2 });
  const span = population.generate(0, seconds + 1);
  // Per spike: its time and when it was sent.
  const sentMs = new Float64Array(span.spikes.t.length);
  let seq = 0;
  let next = 0;
  const startMs = wallMs();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const recording = (wallMs() - startMs) / 1000;
      let stop = next;
      while (stop < span.spikes.t.length && span.spikes.t[stop] < recording) stop++;
      const now = wallMs();
      if (stop > next) {
        rig.send(encodeSpikeFrame(seq++, span.spikes.t.subarray(next, stop), span.spikes.unit.subarray(next, stop)));
        sentMs.fill(now, next, stop);
        next = stop;
      }
      rig.send(JSON.stringify({ type: 'heartbeat', seq: seq++, t: recording }));
      if (recording >= seconds + 0.5) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  rig.send(JSON.stringify({ type: 'end', seq: seq++ }));
  await result;
  rig.close();
  subscriber.close();
  const latencies: number[] = [];
  for (let i = 0; i < next; i++) {
    const binEnd = (Math.floor(span.spikes.t[i] / options.binSeconds + 1e-9) + 1) * options.binSeconds;
    const emission = Math.round(Math.ceil(binEnd / options.hopSeconds - 1e-9) * options.hopSeconds * 1e9) / 1e9;
    const arrival = updateArrivals.get(emission);
    if (arrival !== undefined) latencies.push(arrival - sentMs[i]);
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  report({
    name: 'live/end-to-end-latency',
    units,
    spikes: latencies.length,
    hopMs: options.hopSeconds * 1000,
    latenessMs: options.latenessSeconds * 1000,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    maxMs: latencies.at(-1),
    meetsTarget: quantile(0.99) < options.hopSeconds * 1000 + 50,
  });
}

await throughput();
await latency();
