import { beforeAll, describe, expect, it } from 'vitest';
import { ESTIMATORS, estimate, type EstimatorName } from '../../src/estimators/estimate.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { mutualInformation } from '../../src/measures/mutualInformation.ts';
import { drawIndex, mulberry32, shuffled } from '../helpers/randomTables.ts';

/**
 * The bias test of the spec: on data drawn from a known count distribution
 * (true information computed exactly from it), at 50 samples per mode, 2
 * modes and 3 levels, the mean signed error over at least 300 seeds of
 * `panzeri-treves`, `qe` and `shuffle` is at most half of `plugin`'s, in
 * magnitude, for the pair's joint information I(X1,X2;Y).
 */

const LEVELS = 3;
const SAMPLES_PER_MODE = 50;
const SEEDS = 2000;
const CORRECTED: readonly EstimatorName[] = ['panzeri-treves', 'qe', 'shuffle'];

/** P(0), P(1), P(≥ 2) spikes of a Poisson count with mean `rate`: counts clipped to 3 levels. */
function clippedPoisson(rate: number): number[] {
  const p0 = Math.exp(-rate);
  const p1 = rate * p0;
  return [p0, p1, 1 - p0 - p1];
}

/**
 * p(x1, x2 | mode) over 3 × 3 levels (cell 3·x1 + x2). Each unit fires as a
 * Poisson process with its own mode-dependent rate, times a gain shared by
 * both units (0.5 or 1.5, equally likely) that varies from bin to bin — a
 * common input, which gives the within-mode noise correlation (≈ 0.15) of
 * nearby cortical neurons. The modes differ modestly: unit 1 speeds up and
 * unit 2 slows down.
 */
function modeDistribution(rate1: number, rate2: number): number[] {
  const gains = [0.5, 1.5];
  const p = new Array<number>(LEVELS * LEVELS).fill(0);
  for (const gain of gains) {
    const a = clippedPoisson(rate1 * gain);
    const b = clippedPoisson(rate2 * gain);
    for (let x1 = 0; x1 < LEVELS; x1++) {
      for (let x2 = 0; x2 < LEVELS; x2++) p[LEVELS * x1 + x2] += (a[x1] * b[x2]) / gains.length;
    }
  }
  return p;
}

const MODES = [modeDistribution(0.5, 0.9), modeDistribution(1.0, 0.5)];

function entropyBits(p: readonly number[]): number {
  let h = 0;
  for (const q of p) if (q > 0) h -= q * Math.log2(q);
  return h;
}

/** I(X1,X2;Y) = H(X1,X2) − Σ_y p(y) H(X1,X2|y), with p(y) = 1/2 (equal samples per mode). */
function trueJointInformation(): number {
  const mixture = MODES[0].map((_, cell) => MODES.reduce((sum, mode) => sum + mode[cell] / MODES.length, 0));
  return entropyBits(mixture) - MODES.reduce((sum, mode) => sum + entropyBits(mode) / MODES.length, 0);
}

/** Exactly 50 samples per mode, modes interleaved in a random order (QE's quarters are contiguous). */
function drawSamples(seed: number): [number[], number[], number[]] {
  const random = mulberry32(seed);
  const modes = shuffled(
    MODES.flatMap((_, y) => new Array<number>(SAMPLES_PER_MODE).fill(y)),
    random,
  );
  const x1: number[] = [];
  const x2: number[] = [];
  for (const y of modes) {
    const cell = drawIndex(MODES[y], random);
    x1.push(Math.floor(cell / LEVELS));
    x2.push(cell % LEVELS);
  }
  return [x1, x2, modes];
}

interface Summary {
  bias: number;
  sd: number;
  rmse: number;
}

function summarize(errors: readonly number[]): Summary {
  const n = errors.length;
  const bias = errors.reduce((a, b) => a + b, 0) / n;
  const variance = errors.reduce((a, e) => a + (e - bias) ** 2, 0) / (n - 1);
  const rmse = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / n);
  return { bias, sd: Math.sqrt(variance), rmse };
}

describe('bias of the joint information I(X1,X2;Y) at 50 samples per mode, 2 modes, 3 levels', () => {
  const truth = trueJointInformation();
  const summaries = new Map<EstimatorName, Summary>();
  let plugin: Summary;

  beforeAll(() => {
    const errors = new Map<EstimatorName, number[]>(ESTIMATORS.map((e) => [e, []]));
    for (let seed = 0; seed < SEEDS; seed++) {
      // The alphabet is declared so that Panzeri–Treves sees 3 levels even when one is unobserved.
      const data = estimationData(discretize(drawSamples(seed), [LEVELS, LEVELS, MODES.length]));
      for (const estimator of ESTIMATORS) {
        const value = estimate(data, (s) => mutualInformation(s, [0, 1], [2]), { estimator, seed });
        errors.get(estimator)!.push(value - truth);
      }
    }
    for (const estimator of ESTIMATORS) summaries.set(estimator, summarize(errors.get(estimator)!));
    plugin = summaries.get('plugin')!;
  });

  it('the true information is in the realistic range for a pair of spike counts', () => {
    expect(truth).toBeGreaterThan(0.05);
    expect(truth).toBeLessThan(0.2);
  });

  it('prints the bias table', () => {
    const rows = ESTIMATORS.map((e) => {
      const { bias, sd, rmse } = summaries.get(e)!;
      const se = sd / Math.sqrt(SEEDS);
      return `${e.padEnd(15)} ${bias.toFixed(5).padStart(9)} ± ${se.toFixed(5)}  ${sd.toFixed(5).padStart(8)}  ${rmse.toFixed(5).padStart(8)}  ${(Math.abs(bias) / Math.abs(plugin.bias)).toFixed(3).padStart(6)}`;
    });
    console.log(
      [
        `I(X1,X2;Y) true = ${truth.toFixed(5)} bits; ${SEEDS} seeds, ${SAMPLES_PER_MODE} samples per mode`,
        `${'estimator'.padEnd(15)} ${'bias'.padStart(9)} ± s.e.     ${'sd'.padStart(8)}  ${'rmse'.padStart(8)}  |b|/|b_plugin|`,
        ...rows,
      ].join('\n'),
    );
    expect(summaries.size).toBe(ESTIMATORS.length);
  });

  it('plug-in overestimates the information', () => {
    expect(plugin.bias).toBeGreaterThan(0);
  });

  it.each(CORRECTED.map((e) => [e]))('|bias(%s)| ≤ |bias(plugin)| / 2', (estimator) => {
    expect(Math.abs(summaries.get(estimator)!.bias)).toBeLessThanOrEqual(0.5 * Math.abs(plugin.bias));
  });
});
