/**
 * Measurement behind the floor of the normalized synergy (docs/MEASURES.md,
 * "Normalized synergy"): how the corrected joint information I(a,b;Y) and
 * synergy / joint behave on pairs that carry nothing about the mode, under
 * every estimator, and how many null and planted pairs a floor of c times
 * the joint term's bias scale b = (levels² − 1)(modes − 1) / (2N ln 2) keeps
 * (c = 0, ½, 1, 2; the analyzer uses c = 2: normalizedSynergyFloorBits).
 *
 * Data: simulators/population.ts, 16 units (one synergistic and one
 * redundant planted pair, 12 independent bursty units), 3 modes with a mean
 * dwell of 2 s, 0.02 s bins, levels 3; non-overlapping windows of N bins,
 * several seeds. Null pairs are pairs of two independent units.
 *
 *   npx tsx bench/normalizedFloor.ts [--json]
 */
import { ESTIMATORS, estimate, type EstimatorName } from '../src/estimators/estimate.ts';
import { discretize, estimationData } from '../src/measures/discreteSamples.ts';
import { pairSynergy } from '../src/measures/pairSynergy.ts';
import { Population } from '../simulators/population.ts';

const BIN_SECONDS = 0.02;
const LEVELS = 3;
const UNITS = 16;
const SEEDS = [1, 2, 3, 4];
const WINDOW_BINS = [500, 1500, 3000];
const RECORDING_SECONDS = 360;
const FLOOR_MULTIPLES = [0, 0.5, 1, 2];

interface Sample {
  kind: 'null' | 'synergistic' | 'redundant';
  joint: number;
  synergy: number;
  scale: number;
}

function binned(seed: number): { counts: Uint8Array[]; mode: Int32Array; independent: Set<number>; planted: Map<string, Sample['kind']> } {
  const population = new Population({ units: UNITS, seed });
  const bins = Math.round(RECORDING_SECONDS / BIN_SECONDS);
  const span = population.generate(0, RECORDING_SECONDS);
  const counts = Array.from({ length: UNITS }, () => new Uint8Array(bins));
  for (let k = 0; k < span.spikes.t.length; k++) {
    const bin = Math.floor(span.spikes.t[k] / BIN_SECONDS + 1e-9);
    if (bin < bins) {
      const column = counts[Number(span.spikes.unitIds[span.spikes.unit[k]])];
      column[bin] = Math.min(LEVELS - 1, column[bin] + 1);
    }
  }
  const mode = new Int32Array(bins).fill(-1);
  const changes = span.labels;
  changes.forEach((change, index) => {
    const from = Math.floor(change.t / BIN_SECONDS + 1e-9);
    const to = index + 1 < changes.length ? Math.floor(changes[index + 1].t / BIN_SECONDS + 1e-9) : bins;
    const label = change.label === null ? -1 : population.labels.indexOf(change.label);
    mode.fill(label, from, to);
  });
  const independent = new Set(population.independentUnits.map(Number));
  const planted = new Map(population.truth.map((pair) => [`${pair.a}|${pair.b}`, pair.kind] as const));
  return { counts, mode, independent, planted };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const json = process.argv.includes('--json');
const recordings = SEEDS.map(binned);
for (const windowBins of WINDOW_BINS) {
  for (const estimator of ESTIMATORS as readonly EstimatorName[]) {
    const samples: Sample[] = [];
    for (const { counts, mode, independent, planted } of recordings) {
      for (let start = 0; start + windowBins <= mode.length; start += windowBins) {
        const labeled: number[] = [];
        for (let bin = start; bin < start + windowBins; bin++) if (mode[bin] >= 0) labeled.push(bin);
        const y = labeled.map((bin) => mode[bin]);
        const modesPresent = new Set(y).size;
        const scale = ((LEVELS * LEVELS - 1) * (modesPresent - 1)) / (2 * labeled.length * Math.LN2);
        const quarterOf = labeled.map((bin) => bin % 4);
        for (let j = 1; j < UNITS; j++) {
          for (let i = 0; i < j; i++) {
            const kind = planted.get(`${i}|${j}`) ?? planted.get(`${j}|${i}`) ?? (independent.has(i) && independent.has(j) ? 'null' : undefined);
            if (kind === undefined) continue;
            const a = labeled.map((bin) => counts[i][bin]);
            const b = labeled.map((bin) => counts[j][bin]);
            const data = estimationData(discretize([a, b, y], [LEVELS, LEVELS, 3]), quarterOf);
            const terms = estimate(data, (source) => pairSynergy(source, 0, 1, 2), { estimator, seed: 0 });
            samples.push({ kind, joint: terms.joint, synergy: terms.synergy, scale });
          }
        }
      }
    }
    const nulls = samples.filter((s) => s.kind === 'null');
    const plantedSamples = samples.filter((s) => s.kind !== 'null');
    const ratio = (s: Sample) => (s.joint === 0 ? 0 : s.synergy / s.joint);
    const jointsOverScale = nulls.map((s) => s.joint / s.scale).sort((x, y) => x - y);
    const row: Record<string, number | string> = {
      estimator,
      windowBins,
      nullPairs: nulls.length,
      scaleBits: Number(nulls[0].scale.toPrecision(3)),
      nullJointNegative: nulls.filter((s) => s.joint < 0).length / nulls.length,
      nullRatioAbove1: nulls.filter((s) => Math.abs(ratio(s)) > 1).length / nulls.length,
      nullRatioMaxAbs: Math.max(...nulls.map((s) => Math.abs(ratio(s)))),
      nullJointOverScaleQ50: quantile(jointsOverScale, 0.5),
      nullJointOverScaleQ95: quantile(jointsOverScale, 0.95),
      nullJointOverScaleQ99: quantile(jointsOverScale, 0.99),
      plantedJointOverScaleMin: Math.min(...plantedSamples.map((s) => s.joint / s.scale)),
    };
    for (const multiple of FLOOR_MULTIPLES) {
      const keptNull = nulls.filter((s) => s.joint > multiple * s.scale);
      row[`floor${multiple}:nullKept`] = keptNull.length / nulls.length;
      row[`floor${multiple}:nullKeptRatioAbove1`] = keptNull.length === 0 ? 0 : keptNull.filter((s) => Math.abs(ratio(s)) > 1).length / keptNull.length;
      row[`floor${multiple}:nullKeptRatioMaxAbs`] = keptNull.length === 0 ? 0 : Math.max(...keptNull.map((s) => Math.abs(ratio(s))));
      row[`floor${multiple}:plantedKept`] = plantedSamples.filter((s) => s.joint > multiple * s.scale).length / plantedSamples.length;
    }
    if (json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else {
      const format = (v: number | string) => (typeof v === 'number' ? Number(v.toPrecision(3)) : v);
      process.stdout.write(`${Object.entries(row).map(([k, v]) => `${k}=${format(v)}`).join(' ')}\n`);
    }
  }
}
