/**
 * Batch benchmark (started by bench/run.ts): how fast the batch measure core evaluates a
 * pair's synergy from its count table under each estimator: the unit of work
 * the streaming engine repeats for every pair at every hop. The table caches
 * its marginals after the first call, so this times the estimators' arithmetic.
 */
import { performance } from 'node:perf_hooks';
import { ESTIMATORS, estimate } from '../src/estimators/estimate.ts';
import { panzeriTrevesRelevantCells } from '../src/estimators/panzeriTrevesRelevantCells.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { discretize, estimationData } from '../src/measures/discreteSamples.ts';
import { pairSynergy } from '../src/measures/pairSynergy.ts';

interface BenchResult {
  name: string;
  [key: string]: number | string;
}

/** One JSON object per line; bench/run.ts formats them. */
function report(result: BenchResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs `work` repeatedly for about `seconds` and returns calls per second. */
function rate(work: () => void, seconds = 1): { callsPerSecond: number; calls: number } {
  work();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    work();
    calls++;
    elapsed = performance.now() - start;
  }
  return { callsPerSecond: (calls * 1000) / elapsed, calls };
}

// A pair of 3-level units and 3 modes over a 60 s window of 20 ms bins.
const random = new SeededRandom(1, 'bench');
const samples = 3000;
const mode = Array.from({ length: samples }, (_, i) => Math.floor(i / 100) % 3);
const a = mode.map((m) => Math.min(2, random.nextInt(2 + m)));
const b = a.map((x, i) => (random.next() < 0.3 ? x : Math.min(2, random.nextInt(3 + mode[i]))));
const data = estimationData(discretize([a, b, mode], [3, 3, 3]));

for (const estimator of ESTIMATORS) {
  const { callsPerSecond } = rate(() => estimate(data, (s) => pairSynergy(s, 0, 1, 2), { estimator, seed: 1 }));
  report({ name: `batch/pair-synergy/${estimator}`, samples, pairTablesPerSecond: callsPerSecond, microsecondsPerPair: 1e6 / callsPerSecond });
}

const sparse = [40, 12, 0, 7, 0, 0, 3, 0, 1];
const { callsPerSecond } = rate(() => panzeriTrevesRelevantCells(sparse, 9));
report({ name: 'batch/panzeri-treves-relevant-cells', callsPerSecond, microsecondsPerCall: 1e6 / callsPerSecond });
