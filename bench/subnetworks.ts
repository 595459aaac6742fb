/**
 * Synergistic sub-networks (src/subnetworks), `npx tsx bench/subnetworks.ts`.
 *
 * Cost per hop: 256 units in 8 groups of 32, windows of 3,000 samples (60 s
 * of 20 ms bins) moving 50 samples (1 s) a hop, 3 levels, 3 modes, 99 label
 * surrogates, 50 tracked multiplets of order ≤ 5: milliseconds per hop of
 * search and significance together, for several evaluation budgets, both
 * selection splits and two kinds of symbols ('spikes': Poisson counts of
 * units firing at 1–20 Hz, clipped to 2, as binned spike counts are;
 * 'uniform': every symbol equally likely, the densest tables, the worst
 * case), with how many hops a full sweep takes.
 *
 *   npx tsx bench/subnetworks.ts [--units 256] [--groups 8] [--hops 30] [--budgets 1000,2000,4000] [--splits previous-window,halves] [--symbols spikes,uniform]
 *
 * Windows and their label surrogates (circular shifts) are made outside the
 * timing (the analyzer's work); one window of hops is run untimed first, so
 * that every pool is full and every hop tests a selection. The recording
 * holds a planted parity triplet and quadruplet of the mode in group 0 and a
 * parity triplet among units in group 1, so the pools hold what a real
 * search holds.
 *
 * Calibration (`--calibration [--windows 1000]`): the null rate of the
 * acceptance tests over `windows` independent windows per split (in runs of
 * 200 with their own seeds), and the acceptance tests' detection hops.
 */
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { SubnetworkSearch, type SelectionSplit } from '../src/subnetworks/subnetworkSearch.ts';
import { SubnetworkTracker } from '../src/subnetworks/subnetworkTracker.ts';
import { measureNullRate, nullRateSummary } from '../test/subnetworks/nullRate.ts';
import { detect, windowHops as streamWindowHops } from '../test/subnetworks/plantedStream.ts';
import { plantedRecording, windowOf } from '../test/subnetworks/plantedRecording.ts';
import { flag } from './flags.ts';

if (process.argv.includes('--calibration')) calibration();
else cost();

function cost(): void {
  const units = Number(flag('units', '256'));
  const groupCount = Number(flag('groups', '8'));
  const measuredHops = Number(flag('hops', '30'));
  const budgets = flag('budgets', '1000,2000,4000').split(',').map(Number);
  const splits = flag('splits', 'previous-window,halves').split(',');
  const symbolKinds = flag('symbols', 'spikes,uniform').split(',') as ('spikes' | 'uniform')[];
  const windowSamples = 3000;
  const hopSamples = 50;
  const windowHops = windowSamples / hopSamples;
  const surrogates = 99;
  const tracked = 50;
  const perGroup = Math.floor(units / groupCount);
  const groups = Array.from({ length: groupCount }, (_, g) => Array.from({ length: perGroup }, (_, i) => g * perGroup + i));
  const warmupHops = windowHops + 1;
  // The analyzer's strongest pairs: here a fixed pair per group.
  const strongPairs = groups.map((group) => [group[0], group[1]] as const);

  console.log(`${units} units in ${groupCount} groups, ${windowSamples} samples a window, ${hopSamples} a hop, 3 levels, 3 modes, ${surrogates} surrogates, ${tracked} tracked, order ≤ 5; ${measuredHops} hops timed`);
  console.log('| symbols | split | budget | ms/hop mean | p95 | search ms | test ms | sweep per hop | pairs per hop | full sweep (hops) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const symbols of symbolKinds) {
    const recording = plantedRecording({
      symbols,
      units,
      bins: windowSamples + (warmupHops + measuredHops) * hopSamples,
      seed: 11,
      levels: 3,
      modes: 3,
      modeParities: [
        [2, 9, 17],
        [4, 12, 21, 30],
      ],
      unitParities: [[perGroup + 1, perGroup + 5, perGroup + 8]],
    });
    for (const splitName of splits) {
      const split: SelectionSplit = splitName === 'halves' ? { kind: 'halves' } : { kind: 'previous-window', windowHops };
      for (const budget of budgets) {
        const search = new SubnetworkSearch({ split, budget, tracked, seed: 1 });
        const tracker = new SubnetworkTracker();
        const random = new SeededRandom(budget, `bench:${splitName}`);
        const times: number[] = [];
        let searchMs = 0;
        let testMs = 0;
        let swept = 0;
        let pairs = 0;
        for (let hop = 0; hop < warmupHops + measuredHops; hop++) {
          const window = windowOf(recording, hop * hopSamples, windowSamples, surrogates, random, { groups, strongPairs });
          const start = performance.now();
          const step = search.step(window);
          tracker.update(hop, step.multiplets);
          const ms = performance.now() - start;
          if (hop < warmupHops) continue;
          times.push(ms);
          searchMs += step.searchMilliseconds;
          testMs += step.testMilliseconds;
          swept += step.swept;
          pairs += step.pairEvaluations;
        }
        times.sort((a, b) => a - b);
        const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
        const p95 = times[Math.min(times.length - 1, Math.floor(0.95 * times.length))];
        const { evaluationsPerCycle } = search.sweepProgress;
        const sweepPerHop = swept / measuredHops;
        console.log(
          `| ${symbols} | ${splitName} | ${budget} | ${mean.toFixed(1)} | ${p95.toFixed(1)} | ${(searchMs / measuredHops).toFixed(1)} | ${(testMs / measuredHops).toFixed(1)} | ${Math.round(sweepPerHop)} | ${Math.round(pairs / measuredHops)} | ${Math.ceil(evaluationsPerCycle / sweepPerHop)} (${evaluationsPerCycle} subsets) |`,
        );
      }
    }
  }
}

function calibration(): void {
  const windows = Number(flag('windows', '1000'));
  const splits: SelectionSplit[] = [{ kind: 'previous-window', windowHops: 1 }, { kind: 'halves' }];
  for (const split of splits) {
    let alarms = 0;
    let tested = 0;
    for (let run = 0; run * 200 < windows; run++) {
      const measured = measureNullRate(split, Math.min(200, windows - run * 200), 1000 + run);
      alarms += measured.alarms;
      tested += measured.tested;
    }
    console.log(nullRateSummary(split.kind, { alarms, tested, rate: alarms / tested }));
  }
  console.log(nullRateSummary('naive: selected and tested on the same samples', naiveNullRate(Math.min(windows, 400))));
  for (const split of [{ kind: 'previous-window', windowHops: streamWindowHops }, { kind: 'halves' }] as const) {
    const { first, cycle } = detect(split);
    console.log(`detection, ${split.kind}: first reported at hop ${JSON.stringify(first)} (sweep of ${cycle} subsets)`);
  }
}

/**
 * For comparison, the null rate when the multiplets are tested on the very
 * samples they were selected on: 'halves' windows whose newer half is a copy
 * of the older half (2,000 distinct samples each, as in measureNullRate).
 */
function naiveNullRate(windows: number): { alarms: number; tested: number; rate: number } {
  const half = 2000;
  const recording = plantedRecording({ units: 24, bins: half * windows, seed: 2024 });
  const search = new SubnetworkSearch({ split: { kind: 'halves' }, budget: 600, seed: 7 });
  const random = new SeededRandom(7, 'naive');
  const minimumLag = 200;
  let alarms = 0;
  let tested = 0;
  for (let hop = 0; hop < windows; hop++) {
    const start = hop * half;
    const twice = (column: Uint8Array | Int32Array) => {
      const copy = new (column.constructor as Uint8ArrayConstructor | Int32ArrayConstructor)(2 * half);
      copy.set(column.subarray(start, start + half), 0);
      copy.set(column.subarray(start, start + half), half);
      return copy;
    };
    const labels = twice(recording.labels) as Int32Array;
    const surrogateLabels = Array.from({ length: 99 }, () => {
      const lag = minimumLag + random.nextInt(half - 2 * minimumLag + 1);
      const shifted = new Int32Array(2 * half);
      for (let i = 0; i < half; i++) shifted[half + i] = labels[(i + lag) % half];
      return shifted;
    });
    const { multiplets } = search.step({ columns: recording.columns.map((column) => twice(column) as Uint8Array), levels: 2, modes: 2, labels, surrogateLabels });
    tested++;
    if (multiplets.some((m) => m.p <= 0.05 + 1e-12)) alarms++;
  }
  return { alarms, tested, rate: alarms / tested };
}
