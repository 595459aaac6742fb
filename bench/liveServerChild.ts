/**
 * The analyzer side of bench/liveIngest.ts: `synergy serve`'s server and
 * live analysis in this process (one core), reporting what it ingested.
 * Prints {"port"} when listening, then {"spikes","firstMs","lastMs",
 * "updates"} once the pushing source has said end.
 */
import { SynergyServer } from '../src/server/synergyServer.ts';
import { runLiveAnalyses } from '../src/live/liveAnalysis.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';

const options = JSON.parse(process.argv[2]) as AnalysisOptions;
const server = await SynergyServer.start({ host: '127.0.0.1', port: 0, maxSpikesPerSecond: 1e9, maxMessagesPerSecond: 1e6 });
let spikes = 0;
let firstMs = 0;
let lastMs = 0;
let updates = 0;
server.events.subscribe((event) => {
  if (event.kind !== 'spikes') return;
  const now = performance.timeOrigin + performance.now();
  if (spikes === 0) firstMs = now;
  spikes += event.t.length;
  lastMs = now;
});
// As `synergy serve` runs it: one analysis per source.
void runLiveAnalyses(server.sources, server.sourceAlerts, options, { alpha: 0.05 }, {
  publish: (item) => server.publish(item),
  observe: (item) => {
    if (item.type === 'synergy') updates++;
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
const check = setInterval(() => {
  const source = [...server.registry.sources.values()][0];
  if (source?.ended) {
    clearInterval(check);
    process.stdout.write(`${JSON.stringify({ spikes, firstMs, lastMs, updates, rssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
    void server.close().then(() => process.exit(0));
  }
}, 5);
