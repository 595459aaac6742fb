/**
 * The significance read-out alone: every pair under the real alignment and
 * 99 label-lag surrogates, over a full 60 s window of 20 ms bins (3,000
 * bins), in the WebAssembly kernel and in its JavaScript reference.
 * Prints nanoseconds per pair per alignment (the cost of one surrogate of
 * one pair) and milliseconds per update. One JSON line per kernel.
 *
 *   tsx bench/significanceKernel.ts [--units 256] [--unlabeled 0] [--repeats 5] [--json]
 *
 * --unlabeled S leaves a share S of the bins unlabeled (the read-out then
 * sums each alignment's table over the modes itself).
 */
import { performance } from 'node:perf_hooks';
import { LabelHistory } from '../src/engine/labelHistory.ts';
import { labelLags } from '../src/engine/labelLagSchedule.ts';
import { LabelLagSignificance } from '../src/engine/labelLagSignificance.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { flag } from './flags.ts';

const units = Number(flag('units', '256'));
const unlabeled = Number(flag('unlabeled', '0'));
const repeats = Number(flag('repeats', '5'));
const json = process.argv.includes('--json');
const windowBins = 3000;
const stepBins = 50;
const lags = labelLags(99, stepBins, 1);
const modes = 3;

const history = new LabelHistory(LabelLagSignificance.historyBins(windowBins, lags));
const kernels = (['wasm', 'js'] as const).map((kernel) => {
  const significance = new LabelLagSignificance(3, windowBins, lags, history, stepBins);
  significance.kernel = kernel;
  return significance;
});
// Units at 5 Hz in 20 ms bins (10 % of bins, a tenth of those with two spikes or more), modes of about 1 s.
const random = new SeededRandom(3, 'kernel-bench');
const totalBins = windowBins + lags[lags.length - 1] + stepBins;
let label = 0;
const ring: { bin: number; label: number; units: Uint32Array; symbols: Uint8Array }[] = [];
for (let bin = 0; bin < totalBins; bin++) {
  if (random.next() < 0.02) label = random.nextInt(modes);
  const fired: number[] = [];
  const symbols: number[] = [];
  for (let u = 0; u < units; u++) {
    if (random.next() < 0.1) {
      fired.push(u);
      symbols.push(random.next() < 0.1 ? 2 : 1);
    }
  }
  const entry = { bin, label: random.next() < unlabeled ? -1 : label, units: Uint32Array.from(fired), symbols: Uint8Array.from(symbols) };
  history.record(bin, entry.label);
  for (const significance of kernels) {
    if (ring.length === windowBins) significance.update(ring[0], -1, units, modes);
    significance.update(entry, 1, units, modes);
  }
  if (ring.length === windowBins) ring.shift();
  ring.push(entry);
}
const pairs = (units * (units - 1)) / 2;
const start = totalBins - windowBins;
const results = kernels.map((significance) => {
  significance.evaluate(start, units, modes); // warm up
  const times: number[] = [];
  let available = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    available = significance.evaluate(start, units, modes).available;
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const ms = times[Math.floor(times.length / 2)];
  return { name: `significance-kernel/${significance.kernel}/${units}-units${unlabeled > 0 ? `/unlabeled-${unlabeled}` : ''}`, units, pairs, alignments: 1 + available, msPerUpdate: ms, nsPerPairAlignment: (ms * 1e6) / (pairs * (1 + available)) };
});
for (const result of results) {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${Object.entries(result).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
}
