/**
 * Bias and RMSE of pair synergy under every estimator, against the exact
 * value, at the window sizes users run: what the default estimator is chosen
 * by (docs/MEASURES.md, "Choosing the default estimator").
 *
 *   npm run bench:bias [-- --quick] [--reps N] [--no-real]
 *
 * (a) Null pairs: two units independent of the mode (true synergy 0), 3
 *     levels, 3 modes, 20 ms bins, windows of 500, 1,500 and 3,000 samples
 *     (10, 30 and 60 s), Poisson units at 2–20 Hz; also a pair that shares
 *     a gain (correlated, still independent of the mode) and unequal modes
 *     (80 / 10 / 10 %, as running direction on a linear track).
 * (b) Planted pairs with a known synergy: the XOR code and the shared input
 *     of simulators/population.ts at two strengths, and two units tuned to
 *     the mode (redundant). The exact value is the project's plug-in measure
 *     on the generating distribution's probability table (scaled to integer
 *     weights of 2^45: exact to about 1e-12 bits).
 * Samples are drawn independently from the generating distribution with a
 * seeded generator; every estimator reads the same samples (batch library:
 * estimationData → estimate(pairSynergy)). Values in mbit.
 * (c) The real linear-track recording (../shared/data/real, direction
 *     labels) with its labels shifted circularly by 500 s, a null, and as
 *     recorded: the mean synergy over all pairs of all updates of the
 *     default streaming analysis (src/operators/analyzeStream.ts, no
 *     surrogates, every pair emitted), per estimator.
 */
import { performance } from 'node:perf_hooks';
import { from } from 'rxjs';
import { ESTIMATORS, estimate, type EstimatorName } from '../src/estimators/estimate.ts';
import { PluginSource } from '../src/estimators/pluginSource.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { discretize, estimationData } from '../src/measures/discreteSamples.ts';
import { JointTable } from '../src/measures/jointTable.ts';
import { pairSynergy } from '../src/measures/pairSynergy.ts';
import { analyzeStream } from '../src/operators/analyzeStream.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../src/stream/options.ts';
import {
  hasLinearTrack,
  linearTrackDirectionIntervals,
  linearTrackEvents,
  shiftIntervalsCircularly,
} from '../test/helpers/linearTrack.ts';
import { flag } from './flags.ts';

const quick = process.argv.includes('--quick');
const repetitions = Number(flag('reps', quick ? '200' : '3000'));
const withReal = !process.argv.includes('--no-real');
const LEVELS = 3;
const BIN_SECONDS = 0.02;
const WINDOWS = quick ? [500, 3000] : [500, 1500, 3000];
const CELLS = LEVELS * LEVELS;

/** A generating distribution: p(y), and p(x_a, x_b | y) over cells 3·x_a + x_b. */
interface Distribution {
  name: string;
  kind: 'null' | 'planted';
  modeProbabilities: number[];
  cells: number[][];
}

/** P(0), P(1), P(≥ 2) spikes in a bin of a Poisson unit at `rateHz`. */
function clippedPoisson(rateHz: number): number[] {
  const mean = rateHz * BIN_SECONDS;
  const p0 = Math.exp(-mean);
  const p1 = mean * p0;
  return [p0, p1, 1 - p0 - p1];
}

function product(a: readonly number[], b: readonly number[]): number[] {
  const cells = new Array<number>(CELLS).fill(0);
  for (let x = 0; x < LEVELS; x++) for (let z = 0; z < LEVELS; z++) cells[x * LEVELS + z] = a[x] * b[z];
  return cells;
}

const EQUAL_MODES = [1 / 3, 1 / 3, 1 / 3];

/** Two Poisson units independent of each other and of the mode. */
function independentNull(name: string, rateA: number, rateB: number, modes = EQUAL_MODES): Distribution {
  const cells = product(clippedPoisson(rateA), clippedPoisson(rateB));
  return { name, kind: 'null', modeProbabilities: modes, cells: modes.map(() => cells) };
}

/** Two Poisson units whose rates share a gain of 0.5 or 1.5 per bin: correlated, independent of the mode. */
function sharedGainNull(name: string, rate: number): Distribution {
  const cells = new Array<number>(CELLS).fill(0);
  for (const gain of [0.5, 1.5]) {
    const joint = product(clippedPoisson(rate * gain), clippedPoisson(rate * gain));
    for (let c = 0; c < CELLS; c++) cells[c] += joint[c] / 2;
  }
  return { name, kind: 'null', modeProbabilities: EQUAL_MODES, cells: EQUAL_MODES.map(() => cells) };
}

/** Symbol of a planted unit: inactive 0; active one spike, two with probability 0.1 (simulators/population.ts). */
const ACTIVE = [0, 0.9, 0.1];
const INACTIVE = [1, 0, 0];

/**
 * simulators/population.ts's XOR pair: a active with probability ½; b = a ⊕ bit
 * with probability s, else a fair coin; bit = mode mod 2.
 */
function xorPair(strength: number): Distribution {
  const cells = EQUAL_MODES.map((_, y) => {
    const bit = y % 2;
    const table = new Array<number>(CELLS).fill(0);
    for (const a of [0, 1]) {
      for (const b of [0, 1]) {
        const pb = strength * (b === (a ^ bit) ? 1 : 0) + (1 - strength) / 2;
        const joint = product(a ? ACTIVE : INACTIVE, b ? ACTIVE : INACTIVE);
        for (let c = 0; c < CELLS; c++) table[c] += 0.5 * pb * joint[c];
      }
    }
    return table;
  });
  return { name: `XOR synergy, s = ${strength}`, kind: 'planted', modeProbabilities: EQUAL_MODES, cells };
}

/**
 * simulators/population.ts's shared-input pair: z = bit with probability s,
 * else a fair coin; each unit copies z with probability 0.9, else a fair coin.
 */
function sharedInputPair(strength: number): Distribution {
  const follow = 0.9;
  const cells = EQUAL_MODES.map((_, y) => {
    const bit = y % 2;
    const table = new Array<number>(CELLS).fill(0);
    for (const z of [0, 1]) {
      const pz = strength * (z === bit ? 1 : 0) + (1 - strength) / 2;
      const unit = (x: number) => follow * (x === z ? 1 : 0) + (1 - follow) / 2;
      for (const a of [0, 1]) {
        for (const b of [0, 1]) {
          const joint = product(a ? ACTIVE : INACTIVE, b ? ACTIVE : INACTIVE);
          for (let c = 0; c < CELLS; c++) table[c] += pz * unit(a) * unit(b) * joint[c];
        }
      }
    }
    return table;
  });
  return { name: `shared input, s = ${strength}`, kind: 'planted', modeProbabilities: EQUAL_MODES, cells };
}

/** Two Poisson units with the same mode-dependent rate, independent given the mode: both carry the mode (redundant). */
function tunedPair(ratesHz: number[]): Distribution {
  const cells = ratesHz.map((rate) => product(clippedPoisson(rate), clippedPoisson(rate)));
  return { name: `both tuned ${ratesHz.join('/')} Hz`, kind: 'planted', modeProbabilities: EQUAL_MODES, cells };
}

const DISTRIBUTIONS: Distribution[] = [
  independentNull('null 2 Hz', 2, 2),
  independentNull('null 5 Hz', 5, 5),
  independentNull('null 20 Hz', 20, 20),
  independentNull('null 2 & 20 Hz', 2, 20),
  sharedGainNull('null 5 Hz shared gain', 5),
  independentNull('null 5 Hz modes 80/10/10', 5, 5, [0.8, 0.1, 0.1]),
  xorPair(0.5),
  xorPair(0.15),
  sharedInputPair(0.5),
  sharedInputPair(0.15),
  tunedPair([2, 5, 10]),
];

/** Synergy of the generating distribution: the plug-in measure on its probabilities as integer weights. */
function exactSynergy(d: Distribution): number {
  const scale = 2 ** 45;
  const weights = new Map<number, number>();
  d.modeProbabilities.forEach((py, y) => {
    d.cells[y].forEach((p, cell) => {
      const weight = Math.round(py * p * scale);
      // Word code of (x_a, x_b, y) with x_a varying slowest.
      if (weight > 0) weights.set(cell * d.modeProbabilities.length + y, weight);
    });
  });
  const table = new JointTable([LEVELS, LEVELS, d.modeProbabilities.length], weights);
  return pairSynergy(new PluginSource(table), 0, 1, 2).synergy;
}

/** N independent samples (x_a, x_b, y) of the distribution. */
function draw(d: Distribution, samples: number, random: SeededRandom): [Int32Array, Int32Array, Int32Array] {
  const modes = d.modeProbabilities.length;
  const cumulative = new Float64Array(modes * CELLS);
  let sum = 0;
  for (let y = 0; y < modes; y++) {
    for (let c = 0; c < CELLS; c++) cumulative[y * CELLS + c] = sum += d.modeProbabilities[y] * d.cells[y][c];
  }
  const xa = new Int32Array(samples);
  const xb = new Int32Array(samples);
  const mode = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const u = random.next() * sum;
    let k = 0;
    while (k < cumulative.length - 1 && cumulative[k] <= u) k++;
    const cell = k % CELLS;
    mode[s] = Math.floor(k / CELLS);
    xa[s] = Math.floor(cell / LEVELS);
    xb[s] = cell % LEVELS;
  }
  return [xa, xb, mode];
}

interface Cell {
  bias: number;
  rmse: number;
  /** Standard error of the bias. */
  se: number;
}

interface ConditionResult {
  name: string;
  kind: 'null' | 'planted';
  samples: number;
  exact: number;
  byEstimator: Map<EstimatorName, Cell>;
}

const mbit = (bits: number, digits = 2) => (1000 * bits).toFixed(digits);
const signed = (text: string) => (text.startsWith('-') ? text : `+${text}`);

function measureCondition(d: Distribution, samples: number): ConditionResult {
  const exact = exactSynergy(d);
  const errors = new Map<EstimatorName, Float64Array>(ESTIMATORS.map((e) => [e, new Float64Array(repetitions)]));
  const random = new SeededRandom(1, `${d.name}:${samples}`);
  for (let r = 0; r < repetitions; r++) {
    const columns = draw(d, samples, random);
    const data = estimationData(discretize(columns, [LEVELS, LEVELS, d.modeProbabilities.length]));
    for (const estimator of ESTIMATORS) {
      const value = estimate(data, (s) => pairSynergy(s, 0, 1, 2), { estimator, seed: r }).synergy;
      errors.get(estimator)![r] = value - exact;
    }
  }
  const byEstimator = new Map<EstimatorName, Cell>();
  for (const estimator of ESTIMATORS) {
    const e = errors.get(estimator)!;
    let total = 0;
    let squares = 0;
    for (const x of e) {
      total += x;
      squares += x * x;
    }
    const bias = total / repetitions;
    const variance = (squares - repetitions * bias * bias) / (repetitions - 1);
    byEstimator.set(estimator, { bias, rmse: Math.sqrt(squares / repetitions), se: Math.sqrt(Math.max(0, variance) / repetitions) });
  }
  return { name: d.name, kind: d.kind, samples, exact, byEstimator };
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return `| ${cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join(' | ')} |`;
}

const started = performance.now();
console.log(
  `# Pair synergy: bias and RMSE (mbit) against the exact value; ${repetitions} draws per condition, ${LEVELS} levels, 20 ms bins${quick ? ' (--quick)' : ''}`,
);
console.log('# cell = mean bias / RMSE; standard error of the bias in the last column (largest over estimators)\n');
const results: ConditionResult[] = [];
const widths = [34, 6, 8, ...ESTIMATORS.map((e) => Math.max(14, e.length)), 6];
console.log(row(['condition', 'N', 'exact', ...ESTIMATORS, 's.e.'], widths));
console.log(row(widths.map((w) => '-'.repeat(w)), widths));
for (const d of DISTRIBUTIONS) {
  for (const samples of WINDOWS) {
    const result = measureCondition(d, samples);
    results.push(result);
    const cells = ESTIMATORS.map((e) => {
      const { bias, rmse } = result.byEstimator.get(e)!;
      return `${signed(mbit(bias))} / ${mbit(rmse)}`;
    });
    const se = Math.max(...ESTIMATORS.map((e) => result.byEstimator.get(e)!.se));
    console.log(row([d.name, String(samples), mbit(result.exact, 1), ...cells, mbit(se)], widths));
  }
}

function summary(kind: 'null' | 'planted' | 'all'): Map<EstimatorName, { meanAbsBias: number; worstBias: number; meanRmse: number }> {
  const chosen = results.filter((r) => kind === 'all' || r.kind === kind);
  return new Map(
    ESTIMATORS.map((e) => {
      const cells = chosen.map((r) => r.byEstimator.get(e)!);
      const worst = cells.reduce((w, c) => (Math.abs(c.bias) > Math.abs(w) ? c.bias : w), 0);
      return [
        e,
        {
          meanAbsBias: cells.reduce((s, c) => s + Math.abs(c.bias), 0) / cells.length,
          worstBias: worst,
          meanRmse: cells.reduce((s, c) => s + c.rmse, 0) / cells.length,
        },
      ];
    }),
  );
}

console.log('\n# Summary (mbit): mean |bias|, worst bias, mean RMSE over the conditions');
const summaryWidths = [10, ...ESTIMATORS.map((e) => Math.max(20, e.length))];
console.log(row(['over', ...ESTIMATORS], summaryWidths));
console.log(row(summaryWidths.map((w) => '-'.repeat(w)), summaryWidths));
const summaries = { null: summary('null'), planted: summary('planted'), all: summary('all') };
for (const kind of ['null', 'planted', 'all'] as const) {
  const s = summaries[kind];
  console.log(
    row(
      [kind, ...ESTIMATORS.map((e) => `${mbit(s.get(e)!.meanAbsBias)} / ${signed(mbit(s.get(e)!.worstBias))} / ${mbit(s.get(e)!.meanRmse)}`)],
      summaryWidths,
    ),
  );
}

const realShifted = new Map<EstimatorName, number>();

if (withReal && hasLinearTrack) {
  console.log(
    '\n# Real linear-track recording (direction labels), default streaming analysis (0.02 s bins, 60 s window, 1 s hop, 3 levels), no surrogates, all pairs',
  );
  console.log('# mean synergy over all pairs of all updates, mbit (pair values)');
  const realWidths = [15, 22, 14, 11];
  console.log(row(['estimator', 'labels shifted 500 s', 'as recorded', 'pair values'], realWidths));
  console.log(row(realWidths.map((w) => '-'.repeat(w)), realWidths));
  const recorded = linearTrackDirectionIntervals();
  const eventsBy = { shifted: linearTrackEvents(shiftIntervalsCircularly(recorded, 500)), recorded: linearTrackEvents(recorded) };
  for (const estimator of ESTIMATORS) {
    const means: string[] = [];
    let values = 0;
    for (const which of ['shifted', 'recorded'] as const) {
      let sum = 0;
      let count = 0;
      from(eventsBy[which])
        .pipe(analyzeStream({ ...DEFAULT_ANALYSIS_OPTIONS, estimator, surrogates: 0, top: undefined }))
        .subscribe((update) => {
          for (const pair of update.pairs) {
            sum += pair.synergy;
            count++;
          }
        });
      means.push(signed(mbit(sum / count, 3)));
      if (which === 'shifted') realShifted.set(estimator, sum / count);
      values = count;
    }
    console.log(row([estimator, means[0], means[1], String(values)], realWidths));
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
} else if (withReal) {
  console.log('\n(the real linear-track recording is not in ../shared/data/real: part (c) skipped)');
}

/**
 * The pick: the lowest mean RMSE over all conditions among the estimators
 * that are close to unbiased on pairs that carry nothing: mean |bias| over
 * the null conditions at most half of plug-in's and, where the real
 * recording was read, a mean synergy within ±0.2 mbit of zero under shifted
 * labels.
 */
const pluginNull = summaries.null.get('plugin')!.meanAbsBias;
const admissible = ESTIMATORS.filter(
  (e) =>
    summaries.null.get(e)!.meanAbsBias <= pluginNull / 2 && (!realShifted.has(e) || Math.abs(realShifted.get(e)!) <= 0.0002),
);
const pick = [...admissible].sort((a, b) => summaries.all.get(a)!.meanRmse - summaries.all.get(b)!.meanRmse)[0];
console.log(
  `\npick: ${pick ?? 'none'} — lowest mean RMSE over all conditions among ${admissible.join(', ') || 'no estimator'} ` +
    `(null mean |bias| at most half of plug-in's ${mbit(pluginNull)} mbit${realShifted.size > 0 ? '; real shifted-label mean within ±0.2 mbit' : ''})`,
);
