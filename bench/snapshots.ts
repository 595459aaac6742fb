/**
 * Snapshots (`npm run bench:snapshots`): snapshots of 2,048 samples × 128
 * neurons (a layer's activations over a probe set of 10 classes; two planted
 * synergistic pairs, the rest correlated noise) analyzed whole, one update
 * each, with the default estimator and significance (jackknife, 99
 * permutation surrogates, top 100). The values are generated up front; the
 * analysis alone is timed (quantization included). Prints one JSON line:
 * snapshots analyzed, seconds per snapshot (mean and slowest), snapshots per
 * minute, and the memory held.
 *
 *   tsx bench/snapshots.ts [--snapshots 1000] [--samples 2048] [--neurons 128] [--surrogates 99] [--classes 10]
 */
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '../src/math/seededRandom.ts';
import type { Snapshot } from '../src/snapshots/snapshot.ts';
import { SnapshotAnalyzer } from '../src/snapshots/snapshotAnalysis.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../src/stream/options.ts';
import { flag } from './flags.ts';

const count = Number(flag('snapshots', '1000'));
const samples = Number(flag('samples', '2048'));
const neurons = Number(flag('neurons', '128'));
const surrogates = Number(flag('surrogates', String(DEFAULT_ANALYSIS_OPTIONS.surrogates)));
const classes = Number(flag('classes', '10'));

/** Eight distinct snapshots, reused in turn (generating 1,000 of 262,144 values each would dominate the run). */
function snapshotsToCycle(): Snapshot[] {
  const random = new SeededRandom(2026, 'bench-snapshots');
  return Array.from({ length: 8 }, (_, n) => {
    const values = new Float64Array(samples * neurons);
    const labels: string[] = [];
    for (let s = 0; s < samples; s++) {
      const y = random.nextInt(classes);
      labels.push(`class ${y}`);
      const shared = random.next();
      const r = random.nextInt(2);
      for (let c = 0; c < neurons; c++) {
        let v = shared + random.next();
        if (c === 0 || c === 2) v = r + 0.3 * random.next();
        if (c === 1 || c === 3) v = (r ^ (y % 2)) + 0.3 * random.next();
        values[s * neurons + c] = v;
      }
    }
    return { step: n, samples, neurons, values, labels };
  });
}

const cycle = snapshotsToCycle();
const analyzer = new SnapshotAnalyzer({ ...DEFAULT_ANALYSIS_OPTIONS, surrogates });
const times: number[] = [];
let planted = 0;
const started = performance.now();
for (let n = 0; n < count; n++) {
  const snapshot = { ...cycle[n % cycle.length], step: 100 * n };
  const t0 = performance.now();
  const update = analyzer.analyze(snapshot);
  times.push(performance.now() - t0);
  // Neurons 0 and 2 carry r, 1 and 3 r XOR the class's parity: the four cross pairs are synergistic.
  if (update.pairs[0] !== undefined && ['0-1', '0-3', '1-2', '2-3'].includes(`${update.pairs[0].a}-${update.pairs[0].b}`)) planted++;
  if (process.stderr.isTTY && n % 10 === 9) process.stderr.write(`\r${n + 1}/${count} snapshots, ${(times.reduce((x, y) => x + y, 0) / times.length / 1000).toFixed(2)} s each`);
}
if (process.stderr.isTTY) process.stderr.write('\n');
const total = (performance.now() - started) / 1000;
const mean = times.reduce((x, y) => x + y, 0) / times.length / 1000;
console.log(
  JSON.stringify({
    bench: 'snapshots',
    snapshots: count,
    samples,
    neurons,
    classes,
    pairs: (neurons * (neurons - 1)) / 2,
    surrogates,
    estimator: DEFAULT_ANALYSIS_OPTIONS.estimator,
    seconds: Number(total.toFixed(1)),
    secondsPerSnapshot: Number(mean.toFixed(3)),
    slowestSeconds: Number((Math.max(...times) / 1000).toFixed(3)),
    snapshotsPerMinute: Number((60 / mean).toFixed(1)),
    plantedPairOnTop: planted,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  }),
);
