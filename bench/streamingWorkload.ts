/**
 * One streaming benchmark run, in its own process so that its peak memory is
 * its own (bench/run.ts starts one per configuration). Prints one JSON line.
 *
 *   tsx bench/streamingWorkload.ts --units 256 [--seconds 60] [--naive] [--estimator NAME (default: the analysis default)] [--top 100] [--surrogates 0] [--max-cells N]
 *
 * A simulated population (mean 5 Hz, bursty, planted pairs) is generated up
 * front, then fed to the analysis in 100 ms batches as a rig would send
 * them; only the analysis is timed. The window (60 s) is filled first; the
 * measured part is the following `--seconds` of hops. Latency is the wall
 * time from handing over the batch that completes a hop to that hop's update.
 */
import { performance } from 'node:perf_hooks';
import { Subject } from 'rxjs';
import { BatchReadout } from '../src/engine/batchReadout.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import type { EstimatorName } from '../src/estimators/estimate.ts';
import { analyzeStream } from '../src/operators/analyzeStream.ts';
import type { SourceEvent } from '../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { startProfile, type SelfTime } from './cpuProfile.ts';
import { flag } from './flags.ts';
import { WORKLOAD_CHUNK_SECONDS, WORKLOAD_MODE_DWELL_SECONDS, WORKLOAD_WINDOW, workloadChunks, workloadPopulationOptions } from './workloadEvents.ts';

const units = Number(flag('units', '256'));
const measuredSeconds = Number(flag('seconds', '60'));
const naive = process.argv.includes('--naive');
const estimator = flag('estimator', DEFAULT_ANALYSIS_OPTIONS.estimator) as EstimatorName;
const topFlag = flag('top', '100');
const options: AnalysisOptions = {
  // 20 ms bins, 60 s window, 1 s hop, levels 3, lateness 0.1 s.
  ...WORKLOAD_WINDOW,
  estimator,
  // The default significance: label-lag surrogates for every pair.
  surrogates: Number(flag('surrogates', String(DEFAULT_ANALYSIS_OPTIONS.surrogates))),
  lagStepSeconds: DEFAULT_ANALYSIS_OPTIONS.lagStepSeconds,
  seed: 1,
  top: topFlag === 'all' ? undefined : Number(topFlag),
  // --max-cells N: the surrogates' memory bound (default 2^28 cells: at 1,024 units it keeps 41 of the 99 lags).
  ...(flag('max-cells') === undefined ? {} : { maxSurrogateCells: Number(flag('max-cells')) }),
};
// Timed once the window is full and every surrogate lag is reachable (a steady state).
// Modes of 1 s: the automatic lag step is then 1 s, and every lag is in reach after window + 100 s.
const modeDwellSeconds = WORKLOAD_MODE_DWELL_SECONDS;
const stepSeconds = options.lagStepSeconds === 'auto' || options.lagStepSeconds === undefined ? Math.max(1, modeDwellSeconds) : options.lagStepSeconds;
const warmupSeconds = options.windowSeconds + (options.surrogates > 0 ? (options.surrogates + 1) * stepSeconds : 0);
const totalSeconds = warmupSeconds + measuredSeconds;

// Generate everything first: the analysis alone is timed. (The numpy peer reads the same events: bench/workloadEvents.ts.)
const chunkSeconds = WORKLOAD_CHUNK_SECONDS;
const { chunks, spikes } = workloadChunks(workloadPopulationOptions(units, modeDwellSeconds), totalSeconds, chunkSeconds);

/** The naive path skips its (slow) readout while the window fills: only measured hops pay for it. */
class MeasuredBatchReadout extends BatchReadout {
  active = false;
  override rank(...args: Parameters<BatchReadout['rank']>): ReturnType<BatchReadout['rank']> {
    return this.active ? super.rank(...args) : [];
  }
}
let naiveReadout: MeasuredBatchReadout | undefined;

const subject = new Subject<SourceEvent>();
const latencies: number[] = [];
let emitted = 0;
let surrogatesUsed = 0;
let handedAt = 0;
subject.pipe(analyzeStream(options, naive ? (o) => (naiveReadout = new MeasuredBatchReadout(o)) : undefined)).subscribe((update: SynergyUpdate) => {
  emitted++;
  if (update.t > warmupSeconds) latencies.push(performance.now() - handedAt);
  // The surrogates the last update used (the memory bound drops the longest lags at large unit counts).
  surrogatesUsed = update.surrogates ?? 0;
});

// --profile FILE: a CPU profile of the measured part (not the warm-up), saved to FILE and summarized in the output.
const profileFile = flag('profile');
let profiler: ReturnType<typeof startProfile> | undefined;
let profile: SelfTime[] | undefined;
let measuredStart = 0;
let measuredChunks = 0;
const warmupChunks = Math.round(warmupSeconds / chunkSeconds);
for (let k = 0; k < chunks.length; k++) {
  if (k === warmupChunks) {
    if (naiveReadout !== undefined) naiveReadout.active = true;
    if (profileFile !== undefined) profiler = startProfile(profileFile);
    measuredStart = performance.now();
  }
  handedAt = performance.now();
  for (const event of chunks[k]) subject.next(event);
  if (k >= warmupChunks) measuredChunks++;
}
const measuredMs = performance.now() - measuredStart;
if (profiler !== undefined) profile = profiler.stop();
subject.complete();

latencies.sort((a, b) => a - b);
const percentile = (q: number) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
const simulatedMeasured = measuredChunks * chunkSeconds;
process.stdout.write(
  `${JSON.stringify({
    name: `${naive ? 'naive' : 'streaming'}/${estimator}/${units}-units${options.surrogates > 0 ? `/${options.surrogates}-surrogates` : ''}`,
    units,
    pairs: (units * (units - 1)) / 2,
    estimator,
    top: options.top ?? 'all',
    spikes,
    measuredSeconds: simulatedMeasured,
    updates: emitted,
    realtimeFactor: simulatedMeasured / (measuredMs / 1000),
    surrogatesUsed,
    msPerHop: measuredMs / (simulatedMeasured / options.hopSeconds),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    latencyP50Ms: percentile(0.5),
    latencyP99Ms: percentile(0.99),
    ...(profile === undefined ? {} : { profile: profile.map(({ name, share }) => `${share}% ${name}`).join('; ') }),
  })}\n`,
);
