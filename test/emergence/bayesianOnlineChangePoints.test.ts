import { describe, expect, it } from 'vitest';
import {
  BayesianOnlineChangePoints,
  ChangePointOptionError,
  ObservationRangeError,
  type NormalGammaPrior,
} from '../../src/emergence/bayesianOnlineChangePoints.ts';
import { logGamma } from '../../src/math/chiSquared.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

/**
 * ln p(x) of one regime under the Normal–Gamma prior, in closed form
 * (Murphy 2007, eq. 95): Γ(αₙ)/Γ(α₀) · β₀^α₀/βₙ^αₙ · (κ₀/κₙ)^½ · (2π)^(−n/2).
 * Written from the marginal likelihood, not from the predictive the module
 * chains, so that the comparison checks the recursion.
 */
function logRegimeEvidence(values: readonly number[], prior: NormalGammaPrior): number {
  const n = values.length;
  if (n === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const squares = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  const strength = prior.meanStrength + n;
  const shape = prior.shape + n / 2;
  const rate = prior.rate + squares / 2 + (prior.meanStrength * n * (mean - prior.mean) ** 2) / (2 * strength);
  return (
    logGamma(shape) - logGamma(prior.shape) + prior.shape * Math.log(prior.rate) - shape * Math.log(rate) + 0.5 * Math.log(prior.meanStrength / strength) - (n / 2) * Math.log(2 * Math.PI)
  );
}

/**
 * P(r_t = r | x_1..t) for r = 1 … t by enumerating every segmentation of
 * x_1..t (2^(t−1) of them): each observation after the first starts a
 * regime with probability H; regimes are independent draws from the prior.
 * Also returns ln p(x_1..t).
 */
function enumeratedRunLengths(values: readonly number[], prior: NormalGammaPrior, hazard: number): { distribution: number[]; logEvidence: number } {
  const t = values.length;
  const logJoint: number[] = new Array(t).fill(-Infinity);
  for (let mask = 0; mask < 1 << (t - 1); mask++) {
    // Bit k set: observation k + 2 (1-based) starts a regime.
    let logWeight = 0;
    let start = 0;
    for (let k = 1; k <= t; k++) {
      const breaks = k < t && (mask >> (k - 1)) & 1;
      if (k < t) logWeight += breaks ? Math.log(hazard) : Math.log1p(-hazard);
      if (k === t || breaks) {
        logWeight += logRegimeEvidence(values.slice(start, k), prior);
        if (k < t) start = k;
      }
    }
    const last = t - start;
    logJoint[last - 1] = logAdd(logJoint[last - 1], logWeight);
  }
  const logEvidence = logJoint.reduce(logAdd, -Infinity);
  return { distribution: logJoint.map((value) => Math.exp(value - logEvidence)), logEvidence };
}

/**
 * The run-length recursion written plainly, every run length kept, where a
 * run of r observations predicts from its last min(r, R) only; the masses
 * of r ≥ R are then added up. This is the model the capped detector claims
 * to follow exactly.
 */
function windowedRunLengths(values: readonly number[], prior: NormalGammaPrior, hazard: number, cap: number): number[][] {
  const predictive = (history: readonly number[], x: number) => Math.exp(logRegimeEvidence([...history, x], prior) - logRegimeEvidence(history, prior));
  let mass: number[] = [];
  const out: number[][] = [];
  values.forEach((x, t) => {
    if (t === 0) mass = [1];
    else {
      const next: number[] = [hazard * predictive([], x)];
      mass.forEach((m, i) => {
        const r = i + 1;
        next.push(m * (1 - hazard) * predictive(values.slice(t - Math.min(r, cap), t), x));
      });
      const total = next.reduce((a, b) => a + b, 0);
      mass = next.map((m) => m / total);
    }
    const folded = mass.slice(0, cap);
    folded[cap - 1] = mass.slice(cap - 1).reduce((a, b) => a + b, 0);
    out.push(folded.slice(0, Math.min(t + 1, cap)));
  });
  return out;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

function gaussian(random: SeededRandom): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

const unitPrior: NormalGammaPrior = { mean: 0, meanStrength: 1, shape: 1, rate: 1 };

describe('BayesianOnlineChangePoints', () => {
  it('gives the closed form of the first two steps (the example of its doc comment)', () => {
    const detector = new BayesianOnlineChangePoints({ prior: unitPrior, hazard: 0.1, maxRunLength: 10, pruneBelow: 0 });
    const first = detector.push(0);
    // Prior predictive t₂(0, scale² 2) at its centre: Γ(3/2)/(Γ(1)·√(2π·2)) = 1/4.
    expect(first.logPredictive).toBeCloseTo(Math.log(0.25), 14);
    expect(first.mapRunLength).toBe(1);
    // The first observation begins the first regime: no change yet.
    expect(first.changeProbability).toBe(0);
    expect(first.changeRunLength).toBe(0);
    const second = detector.push(5);
    // π₀(5) = ¼·(1 + 25/4)^(−3/2); π(5 | {0}) = Γ(2)/(Γ(3/2)·√(3π))·(1 + 25/3)^(−2).
    const prior5 = 0.25 * Math.pow(1 + 25 / 4, -1.5);
    const run5 = (1 / (Math.exp(logGamma(1.5)) * Math.sqrt(3 * Math.PI))) * Math.pow(1 + 25 / 3, -2);
    expect(prior5).toBeCloseTo(0.0128066, 7);
    expect(run5).toBeCloseTo(0.0042194, 7);
    const changed = (0.1 * prior5) / (0.1 * prior5 + 0.9 * run5);
    expect(changed).toBeCloseTo(0.252193, 6);
    expect(second.changeProbability).toBeCloseTo(changed, 13);
    expect(detector.runLengthProbability(2)).toBeCloseTo(1 - changed, 13);
    expect(second.logPredictive).toBeCloseTo(Math.log(0.1 * prior5 + 0.9 * run5), 13);
    expect(second.mapRunLength).toBe(2);
  });

  it('equals the enumeration of every segmentation to 1e-12 when nothing is truncated', () => {
    const random = new SeededRandom(11, 'enumeration');
    const normal = gaussian(random);
    const cases: { prior: NormalGammaPrior; hazard: number; values: number[] }[] = [
      { prior: unitPrior, hazard: 0.1, values: [0.3, -0.2, 0.1, 3.9, 4.2, 4.4, 3.7, -1.2, -0.8, -1.1] },
      { prior: { mean: 2, meanStrength: 0.05, shape: 2.5, rate: 0.3 }, hazard: 0.01, values: Array.from({ length: 10 }, (_, i) => (i < 5 ? 0 : 1.5) + 0.4 * normal()) },
      { prior: { mean: -1, meanStrength: 3, shape: 0.5, rate: 2 }, hazard: 0.5, values: Array.from({ length: 9 }, () => 2 * normal()) },
    ];
    for (const { prior, hazard, values } of cases) {
      const detector = new BayesianOnlineChangePoints({ prior, hazard, maxRunLength: values.length, pruneBelow: 0, recentRunLength: 3 });
      values.forEach((x, index) => {
        const step = detector.push(x);
        const reference = enumeratedRunLengths(values.slice(0, index + 1), prior, hazard);
        const got = detector.runLengthDistribution();
        expect(got.length).toBe(index + 1);
        for (let r = 0; r <= index; r++) expect(Math.abs(got[r] - reference.distribution[r])).toBeLessThan(1e-12);
        expect(Math.abs(detector.logEvidence - reference.logEvidence)).toBeLessThan(1e-11);
        const recent = reference.distribution.slice(0, Math.min(3, index)).reduce((a, b) => a + b, 0);
        expect(Math.abs(step.changeProbability - recent)).toBeLessThan(1e-12);
        const mean = reference.distribution.reduce((a, p, r) => a + (r + 1) * p, 0);
        expect(Math.abs(step.runLengthMean - mean)).toBeLessThan(1e-11);
      });
    }
  });

  it('caps the run length by merging r ≥ R, exactly as the model that predicts from the last R observations', () => {
    const random = new SeededRandom(12, 'cap');
    const normal = gaussian(random);
    const values = Array.from({ length: 40 }, (_, i) => (i < 25 ? 1 : -1) + 0.5 * normal());
    const prior: NormalGammaPrior = { mean: 0, meanStrength: 0.1, shape: 1, rate: 0.5 };
    const cap = 7;
    const reference = windowedRunLengths(values, prior, 0.05, cap);
    const detector = new BayesianOnlineChangePoints({ prior, hazard: 0.05, maxRunLength: cap, pruneBelow: 0 });
    values.forEach((x, t) => {
      const step = detector.push(x);
      expect(step.hypotheses).toBeLessThanOrEqual(cap);
      const got = detector.runLengthDistribution();
      expect(got.length).toBe(reference[t].length);
      for (let r = 0; r < got.length; r++) expect(Math.abs(got[r] - reference[t][r])).toBeLessThan(1e-12);
    });
  });

  it('drops only negligible mass when pruning at 1e-10', () => {
    const random = new SeededRandom(13, 'prune');
    const normal = gaussian(random);
    const values = Array.from({ length: 400 }, (_, i) => (i < 150 ? 0 : i < 300 ? 4 : 1) + normal());
    const options = { prior: unitPrior, hazard: 1 / 200, maxRunLength: 120 };
    const exact = new BayesianOnlineChangePoints({ ...options, pruneBelow: 0 });
    const pruned = new BayesianOnlineChangePoints(options);
    let largest = 0;
    let fewest = Infinity;
    for (const x of values) {
      exact.push(x);
      fewest = Math.min(fewest, pruned.push(x).hypotheses);
      const a = exact.runLengthDistribution();
      const b = pruned.runLengthDistribution();
      for (let r = 0; r < a.length; r++) largest = Math.max(largest, Math.abs(a[r] - b[r]));
    }
    expect(largest).toBeLessThan(1e-8);
    // Pruning did drop hypotheses after the clear changes.
    expect(fewest).toBeLessThan(120);
  });

  it('sees a step at once and counts the new run from it', () => {
    const random = new SeededRandom(14, 'step');
    const normal = gaussian(random);
    const detector = new BayesianOnlineChangePoints({ prior: { mean: 0, meanStrength: 0.01, shape: 1, rate: 1 }, hazard: 1 / 1000, maxRunLength: 100, recentRunLength: 3 });
    for (let i = 0; i < 300; i++) expect(detector.push(normal()).changeProbability).toBeLessThan(0.5);
    const steps = Array.from({ length: 50 }, () => detector.push(8 + normal()));
    expect(steps[1].changeProbability).toBeGreaterThan(0.99);
    expect(steps[1].changeRunLength).toBe(2);
    expect(steps[49].mapRunLength).toBe(50);
    expect(detector.meanOfLast(50)).toBeCloseTo(8, 0);
  });

  it('stays finite on long series far from zero (log-space masses, Welford statistics)', () => {
    const random = new SeededRandom(15, 'offset');
    const normal = gaussian(random);
    const detector = new BayesianOnlineChangePoints({ prior: { mean: 1e6, meanStrength: 0.01, shape: 1, rate: 1e-6 }, hazard: 1 / 10_000, maxRunLength: 100, recentRunLength: 12 });
    let last = detector.push(1e6);
    for (let i = 0; i < 20_000; i++) {
      last = detector.push(1e6 + 1e-3 * normal() + (i >= 19_990 ? 0.02 : 0));
      expect(Number.isFinite(last.changeProbability) && Number.isFinite(last.logPredictive)).toBe(true);
    }
    expect(last.changeProbability).toBeGreaterThan(0.99);
    expect(last.changeRunLength).toBe(10);
    // An extreme but finite value is a change, not a NaN.
    expect(detector.push(1e90).changeProbability).toBeCloseTo(1, 12);
  });

  it('refuses NaN, infinities and values beyond ±1e100, and keeps its state', () => {
    const detector = new BayesianOnlineChangePoints({ prior: unitPrior, hazard: 0.1, maxRunLength: 5 });
    detector.push(1);
    const before = detector.runLengthDistribution();
    for (const bad of [Number.NaN, Infinity, -Infinity, 1e101, -1e101]) {
      let caught: unknown;
      try {
        detector.push(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ObservationRangeError);
      expect(caught).toBeInstanceOf(RangeError);
      expect((caught as ObservationRangeError).code).toBe('OBSERVATION_RANGE');
      expect((caught as Error).message).toContain('observation 2');
    }
    expect(detector.observations).toBe(1);
    expect(detector.runLengthDistribution()).toEqual(before);
    expect(detector.push(1.1).observations).toBe(2);
  });

  it('refuses options outside their domain with a code', () => {
    const ok = { prior: unitPrior, hazard: 0.1, maxRunLength: 10 };
    const bad = [
      { ...ok, hazard: 0 },
      { ...ok, hazard: 1 },
      { ...ok, hazard: Number.NaN },
      { ...ok, maxRunLength: 1 },
      { ...ok, maxRunLength: 2.5 },
      { ...ok, pruneBelow: -1 },
      { ...ok, recentRunLength: 0 },
      { ...ok, recentRunLength: 10 },
      { ...ok, prior: { ...unitPrior, rate: 0 } },
      { ...ok, prior: { ...unitPrior, shape: -1 } },
      { ...ok, prior: { ...unitPrior, meanStrength: Infinity } },
      { ...ok, prior: { ...unitPrior, mean: Number.NaN } },
    ];
    for (const options of bad) {
      expect(() => new BayesianOnlineChangePoints(options)).toThrow(ChangePointOptionError);
      try {
        new BayesianOnlineChangePoints(options);
      } catch (error) {
        expect((error as ChangePointOptionError).code).toBe('CHANGE_POINT_OPTION');
      }
    }
    const detector = new BayesianOnlineChangePoints(ok);
    detector.push(0);
    expect(() => detector.meanOfLast(2)).toThrow(ChangePointOptionError);
  });
});
