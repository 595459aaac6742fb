/**
 * Scaling over worker threads (`npm run bench:scale`): the default analysis
 * (jackknife, 99 label-lag surrogates under the 2^28-cell bound, top 100) of
 * the benchmark population at 1,024 units, in this thread and on 1 … N
 * worker threads, one tile per thread. Prints one JSON line per run and a
 * summary: the real-time factor of each, the speed-up over this thread, each
 * tile's memory, and the cores 3,000 units would need at real time from the
 * measured cost per pair.
 *
 *   tsx bench/scale.ts [--units 1024] [--workers 2] [--seconds 30] [--surrogates 99] [--pair-matrix true]
 *
 * With --pair-matrix true each update also carries every pair's synergy for
 * the page (what serve, connect, demo and replay --serve do), and the
 * matrix frame of each is encoded as the server would.
 *
 * The frames are binned up front (binSpikes → attachLabels, untimed); the
 * window and every surrogate lag are filled first; then `--seconds` of
 * frames are timed, from handing over the first to the last update.
 */
import { performance } from 'node:perf_hooks';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import type { LabeledFrame } from '../src/engine/countFrame.ts';
import { SlidingWindowAnalyzer } from '../src/engine/slidingWindowAnalyzer.ts';
import { planTiles, tilePairs } from '../src/engine/tiles.ts';
import { pairMatrixOf } from '../src/engine/pairMatrix.ts';
import { encodeMatrixFrame } from '../src/server/matrixFrame.ts';
import { attachLabels } from '../src/operators/attachLabels.ts';
import type { LabeledEvent } from '../src/operators/binnedEvents.ts';
import { binSpikes } from '../src/operators/binSpikes.ts';
import { ParallelAnalyzer } from '../src/parallel/parallelAnalyzer.ts';
import { TileWorkerPool } from '../src/parallel/tileWorkerPool.ts';
import type { SourceEvent } from '../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { flag } from './flags.ts';
import { WORKLOAD_MODE_DWELL_SECONDS, WORKLOAD_WINDOW, workloadChunks, workloadPopulationOptions } from './workloadEvents.ts';

const units = Number(flag('units', '1024'));
const maxWorkers = Number(flag('workers', '2'));
const measuredSeconds = Number(flag('seconds', '30'));
const options: AnalysisOptions = {
  ...DEFAULT_ANALYSIS_OPTIONS,
  ...WORKLOAD_WINDOW,
  surrogates: Number(flag('surrogates', String(DEFAULT_ANALYSIS_OPTIONS.surrogates))),
  seed: 1,
  pairMatrix: flag('pair-matrix', 'false') === 'true',
};
const warmupSeconds = options.windowSeconds + (options.surrogates > 0 ? (options.surrogates + 1) * Math.max(1, WORKLOAD_MODE_DWELL_SECONDS) : 0);
const totalSeconds = warmupSeconds + measuredSeconds;

// Binned up front: the analysis alone is timed.
const { chunks } = workloadChunks(workloadPopulationOptions(units), totalSeconds);
const input = new Subject<SourceEvent>();
const binned = lastValueFrom(input.pipe(binSpikes({ binSeconds: options.binSeconds, latenessSeconds: options.latenessSeconds }), attachLabels({ binSeconds: options.binSeconds }), toArray()));
for (const chunk of chunks) for (const event of chunk) input.next(event);
input.complete();
const frames: { frame: LabeledFrame; startTime: number }[] = [];
for (const event of (await binned) as LabeledEvent[]) if (event.kind === 'labeled-frame') frames.push({ frame: event.frame, startTime: event.startTime });
const warmupBin = Math.round(warmupSeconds / options.binSeconds);
const firstMeasured = frames.findIndex(({ frame }) => frame.firstBin >= warmupBin);

interface Run {
  name: string;
  workers: number;
  realtimeFactor: number;
  msPerHop: number;
  surrogatesUsed: number;
  tilePairs: number[];
  tileMemoryMB: number[];
  matrixFrameMB?: number;
}

async function runThreads(workers: number): Promise<Run> {
  const plan = planTiles(Math.max(1, workers), units);
  const pool = workers > 0 ? TileWorkerPool.start(workers) : undefined;
  const local = workers === 0 ? new SlidingWindowAnalyzer(options) : undefined;
  const session = pool?.open(options, plan);
  const remote = session === undefined ? undefined : new ParallelAnalyzer(options, session);
  let surrogatesUsed = 0;
  let matrixBytes = 0;
  const push = async (k: number): Promise<void> => {
    const { frame, startTime } = frames[k];
    const updates = local !== undefined ? local.push(frame, startTime, 0) : await remote!.push(frame, startTime, 0);
    for (const update of updates) {
      surrogatesUsed = update.surrogates ?? 0;
      const matrix = pairMatrixOf(update);
      if (matrix !== undefined) matrixBytes = encodeMatrixFrame(matrix, update.source, update.t).byteLength;
    }
  };
  // The warm-up: every frame sent ahead, then all answered.
  const warm: Promise<void>[] = [];
  for (let k = 0; k < firstMeasured; k++) {
    warm.push(push(k));
    if (remote !== undefined) await remote.ready();
  }
  await Promise.all(warm);
  const start = performance.now();
  const measured: Promise<void>[] = [];
  for (let k = firstMeasured; k < frames.length; k++) {
    measured.push(push(k));
    if (remote !== undefined) await remote.ready();
  }
  await Promise.all(measured);
  const ms = performance.now() - start;
  const bins = frames.at(-1)!.frame.firstBin + frames.at(-1)!.frame.binCount - frames[firstMeasured].frame.firstBin;
  const seconds = bins * options.binSeconds;
  const memory = session !== undefined ? await session.memoryBytes() : [];
  await remote?.close();
  await pool?.close();
  return {
    name: workers === 0 ? 'this thread' : `${workers} worker thread${workers === 1 ? '' : 's'}`,
    workers,
    realtimeFactor: seconds / (ms / 1000),
    msPerHop: ms / (seconds / options.hopSeconds),
    surrogatesUsed,
    tilePairs: plan.map((rows) => tilePairs(rows, units)),
    tileMemoryMB: memory.map((bytes) => Math.round(bytes / 2 ** 20)),
    ...(options.pairMatrix === true ? { matrixFrameMB: Number((matrixBytes / 1e6).toFixed(2)) } : {}),
  };
}

const runs: Run[] = [];
for (const workers of [0, ...Array.from({ length: maxWorkers }, (_, k) => k + 1)]) {
  const run = await runThreads(workers);
  runs.push(run);
  process.stdout.write(`${JSON.stringify({ units, ...run })}\n`);
}
const single = runs[0];
const widest = runs.at(-1)!;
// Cost per pair and surrogate per hop on one core, from the widest run's tiles (each thread one tile), projected to 3,000 units
// with all 99 surrogates: pairs × surrogates × cost / 1 s of hop.
const pairsNow = (units * (units - 1)) / 2;
const nsPerPairSurrogate = (widest.msPerHop * widest.workers * 1e6) / (pairsNow * Math.max(1, widest.surrogatesUsed + 1));
const pairs3000 = (3000 * 2999) / 2;
const coresFor3000 = Math.ceil((pairs3000 * (options.surrogates + 1) * nsPerPairSurrogate) / 1e9 / options.hopSeconds);
process.stdout.write(
  `${JSON.stringify({
    summary: 'scale',
    units,
    estimator: options.estimator,
    surrogates: options.surrogates,
    singleThreadRealtime: single.realtimeFactor,
    speedups: runs.slice(1).map((run) => ({ workers: run.workers, realtimeFactor: run.realtimeFactor, speedup: run.realtimeFactor / single.realtimeFactor })),
    tileMemoryMB: widest.tileMemoryMB,
    nsPerPairPerAlignment: nsPerPairSurrogate,
    coresFor3000UnitsAt99Surrogates: coresFor3000,
  })}\n`,
);
