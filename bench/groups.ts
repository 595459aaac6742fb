/**
 * Groups in the stream (`npm run bench:groups`): the default analysis
 * (jackknife, 99 label-lag surrogates, 60 s window, 1 s hop, 20 ms bins) of
 * the benchmark population at 256 units: pairs alone; with 8 regions of 32
 * units (every group measure, Gaussian copula, 99 label and 99 unit-shift
 * surrogates each, the population, pair distributions and 28 region
 * comparisons); and with 50 tracked sub-networks of order ≤ 5 besides, in
 * this thread. Prints one JSON line per run (real-time factor, ms per hop)
 * and a summary with the share of each part.
 *
 *   tsx bench/groups.ts [--units 256] [--regions 8] [--seconds 30] [--profile FILE.cpuprofile]
 *
 * Frames are binned up front (untimed); the window and every surrogate lag
 * are filled first; then `--seconds` of frames are timed.
 */
import { performance } from 'node:perf_hooks';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import type { LabeledFrame } from '../src/engine/countFrame.ts';
import { SlidingWindowAnalyzer } from '../src/engine/slidingWindowAnalyzer.ts';
import type { AnalysisGroup } from '../src/groups/groupUpdate.ts';
import { attachLabels } from '../src/operators/attachLabels.ts';
import type { LabeledEvent } from '../src/operators/binnedEvents.ts';
import { binSpikes } from '../src/operators/binSpikes.ts';
import type { SourceEvent } from '../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { startProfile } from './cpuProfile.ts';
import { flag } from './flags.ts';
import { WORKLOAD_MODE_DWELL_SECONDS, WORKLOAD_WINDOW, workloadChunks, workloadPopulationOptions } from './workloadEvents.ts';

const units = Number(flag('units', '256'));
const regions = Number(flag('regions', '8'));
const measuredSeconds = Number(flag('seconds', '30'));
const base: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, ...WORKLOAD_WINDOW, seed: 1 };
const warmupSeconds = base.windowSeconds + (base.surrogates + 1) * 1.1 * Math.max(1, WORKLOAD_MODE_DWELL_SECONDS) + 5;
const totalSeconds = warmupSeconds + measuredSeconds;

const { chunks } = workloadChunks(workloadPopulationOptions(units), totalSeconds);
const input = new Subject<SourceEvent>();
const binned = lastValueFrom(input.pipe(binSpikes({ binSeconds: base.binSeconds, latenessSeconds: base.latenessSeconds }), attachLabels({ binSeconds: base.binSeconds }), toArray()));
for (const chunk of chunks) for (const event of chunk) input.next(event);
input.complete();
const frames: { frame: LabeledFrame; startTime: number }[] = [];
for (const event of (await binned) as LabeledEvent[]) if (event.kind === 'labeled-frame') frames.push({ frame: event.frame, startTime: event.startTime });
const warmupBin = Math.round(warmupSeconds / base.binSeconds);
const firstMeasured = frames.findIndex(({ frame }) => frame.firstBin >= warmupBin);
// The population names its units '0' … by index.
const ids = Array.from({ length: units }, (_, u) => String(u));
const perRegion = Math.floor(units / regions);
const groups: AnalysisGroup[] = Array.from({ length: regions }, (_, r) => ({ name: `region-${r}`, units: ids.slice(r * perRegion, (r + 1) * perRegion) }));

function run(name: string, options: AnalysisOptions) {
  const analyzer = new SlidingWindowAnalyzer(options);
  let last: ReturnType<SlidingWindowAnalyzer['push']>[number] | undefined;
  for (let k = 0; k < firstMeasured; k++) for (const update of analyzer.push(frames[k].frame, frames[k].startTime, 0)) last = update;
  const profile = (options.subnetworks ?? 0) > 0 && flag('profile', '') !== '' ? startProfile(flag('profile', '')) : undefined;
  const start = performance.now();
  for (let k = firstMeasured; k < frames.length; k++) for (const update of analyzer.push(frames[k].frame, frames[k].startTime, 0)) last = update;
  const ms = performance.now() - start;
  if (profile !== undefined) for (const line of profile.stop(12)) process.stderr.write(`${line.share.toFixed(3)} ${line.ms.toFixed(0)} ms ${line.name}\n`);
  const bins = frames.at(-1)!.frame.firstBin + frames.at(-1)!.frame.binCount - frames[firstMeasured].frame.firstBin;
  const seconds = bins * options.binSeconds;
  const result = {
    name,
    units,
    groups: options.groups?.length ?? 0,
    realtimeFactor: seconds / (ms / 1000),
    msPerHop: ms / (seconds / options.hopSeconds),
    surrogates: last?.surrogates,
    groupSurrogates: last?.groups?.[0]?.surrogates,
    firstGroup: last?.groups?.[0],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}

const pairs = run('pairs only', base);
const withGroups = run(`pairs and ${regions} regions of ${perRegion}`, { ...base, groups });
const withSubnetworks = run(`pairs, ${regions} regions and 50 tracked sub-networks of order ≤ 5`, { ...base, groups, subnetworks: 25, subnetworkMaxOrder: 5 });
process.stdout.write(
  `${JSON.stringify({
    summary: 'groups',
    units,
    regions,
    realtimeFactor: withSubnetworks.realtimeFactor,
    pairsMsPerHop: pairs.msPerHop,
    groupsMsPerHop: withGroups.msPerHop - pairs.msPerHop,
    subnetworksMsPerHop: withSubnetworks.msPerHop - withGroups.msPerHop,
  })}\n`,
);
