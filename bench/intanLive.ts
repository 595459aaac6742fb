/**
 * Intan RHX spike port benchmark (`tsx bench/intanLive.ts [--json] [--quick]`):
 * a child process plays RHX's spike port on 127.0.0.1, writing 14-byte
 * records (256 channels at 40 Hz, from the seeded Population) as fast as the
 * socket takes them, in writes of 64 KB that cut records anywhere; this
 * process reads them with RhxSpikeSource.
 *
 * 1. intan-adapter: records parsed into spike batches, spikes/s from the
 *    first batch to the last. Target ≥ 200,000 spikes/s.
 * 2. intan-analysis: the same stream through the full live analysis
 *    (runLiveAnalysis: 20 ms bins, 60 s window, 10 s hop, panzeri-treves).
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RHX_SPIKE_MAGIC, RHX_SPIKE_RECORD_BYTES } from '../adapters/intan/rhxSpikeParser.ts';
import { RhxSpikeSource } from '../adapters/intan/rhxSpikeSource.ts';
import { Population } from '../simulators/population.ts';
import { rhxChannelName } from '../simulators/rhxSimulator.ts';
import { runLiveAnalysis } from '../src/live/liveAnalysis.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';

const RATE = 30_000;
const UNITS = 256;
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const { name, ...rest } = result;
    process.stdout.write(`${String(name).padEnd(20)} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
  }
}

/** The child: serves `total` records on a free port (printed on stdout), then closes. */
async function serve(total: number): Promise<void> {
  const span = new Population({ units: UNITS, meanRateHz: 40, seed: 1 }).generate(0, 20);
  const { t, unit } = span.spikes;
  const spanSamples = Math.ceil(20 * RATE);
  const names = Array.from({ length: UNITS }, (_, i) => Buffer.from(rhxChannelName(i), 'latin1'));
  const server = createServer({ noDelay: true }, (socket) => {
    server.close();
    let sent = 0;
    let cycle = 0;
    let i = 0;
    const chunk = Buffer.allocUnsafe(64 * 1024 - ((64 * 1024) % 7)); // not a multiple of 14: records cut anywhere
    let fill = 0;
    const record = Buffer.allocUnsafe(RHX_SPIKE_RECORD_BYTES);
    record.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
    record[13] = 1;
    const pump = () => {
      while (sent < total) {
        names[unit[i]].copy(record, 4);
        record.writeUInt32LE((cycle * spanSamples + Math.floor(t[i] * RATE)) >>> 0, 9);
        for (let k = 0; k < RHX_SPIKE_RECORD_BYTES; k++) {
          chunk[fill++] = record[k];
          if (fill === chunk.length) {
            fill = 0;
            if (!socket.write(Buffer.from(chunk))) {
              // Finish this record into the next chunk before waiting.
              for (let m = k + 1; m < RHX_SPIKE_RECORD_BYTES; m++) chunk[fill++] = record[m];
              advance();
              socket.once('drain', pump);
              return;
            }
          }
        }
        advance();
      }
      socket.end(Buffer.from(chunk.subarray(0, fill)));
    };
    const advance = () => {
      sent++;
      i++;
      if (i === t.length) {
        i = 0;
        cycle++;
      }
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
}

async function measure(name: string, total: number, analysis: AnalysisOptions | undefined): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', String(total)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const port = Number((await lines.next()).value);
  const source = new RhxSpikeSource({ url: `tcp://127.0.0.1:${port}`, sampleRate: RATE, reconnect: { initialMs: 60_000 }, random: () => 1, silenceSeconds: 600 });
  let spikes = 0;
  let batches = 0;
  let firstMs = 0;
  let lastMs = 0;
  source.events.subscribe({
    next: (event) => {
      if (event.kind !== 'spikes') return;
      if (batches++ === 0) firstMs = performance.now();
      spikes += event.t.length;
      lastMs = performance.now();
    },
    error: () => {},
  });
  const ended = new Promise<void>((resolve) => source.alerts.subscribe((alert) => alert.kind === 'source-lost' && resolve()));
  const done = analysis === undefined ? undefined : runLiveAnalysis(source.events, source.alerts, analysis, { alpha: 0.05 }, {});
  source.start();
  await ended;
  source.close();
  const summary = done === undefined ? undefined : await done;
  const seconds = (lastMs - firstMs) / 1000;
  report({ name, spikesPerSecond: spikes / seconds, spikes, batches, seconds, ...(summary === undefined ? {} : { updates: summary.updates }), target: 200_000 });
  if (spikes !== total) throw new Error(`${name}: received ${spikes} spikes of ${total}`);
}

if (process.argv.includes('--serve')) {
  await serve(Number(process.argv[process.argv.indexOf('--serve') + 1]));
} else {
  const total = quick ? 1_000_000 : 5_000_000;
  await measure('intan-adapter', total, undefined);
  await measure('intan-analysis', total, { binSeconds: 0.02, windowSeconds: 60, hopSeconds: 10, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: 100 });
}
