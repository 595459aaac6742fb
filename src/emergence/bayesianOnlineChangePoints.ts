import { logGamma } from '../math/chiSquared.ts';

/**
 * Bayesian online change-point detection (Adams & MacKay 2007, "Bayesian
 * Online Changepoint Detection", arXiv:0710.3742) for a series that is
 * piecewise Gaussian with unknown mean and variance in each regime.
 *
 * Model: the series is cut into regimes; each observation after the first
 * starts a new regime with probability `hazard` = 1/λ (a constant hazard:
 * regime lengths are geometric with mean λ observations). Within a regime
 * the observations are i.i.d. N(μ, 1/τ), with (μ, τ) drawn afresh for each
 * regime from the Normal–Gamma prior τ ~ Gamma(α₀, rate β₀),
 * μ | τ ~ N(μ₀, 1/(κ₀τ)) (Murphy 2007, "Conjugate Bayesian analysis of the
 * Gaussian distribution", §3).
 *
 * The run length r_t is the number of the latest observations, x_t
 * included, that belong to the current regime (1 ≤ r_t ≤ t; r_t = 1: the
 * regime began at x_t). The recursion (Adams & MacKay eq. 3–5), with the
 * new regime's first observation predicted by the prior:
 *
 *   P(r_t = 1,     x_1..t) = H · π₀(x_t) · Σ_r P(r_{t−1} = r, x_1..t−1)
 *   P(r_t = r + 1, x_1..t) = (1 − H) · π(x_t | last r observations) · P(r_{t−1} = r, x_1..t−1)
 *
 * where π is the Student-t posterior predictive of the Normal–Gamma model
 * (ν = 2αₙ degrees of freedom, location μₙ, scale² = βₙ(κₙ + 1)/(αₙκₙ)) and
 * π₀ the prior predictive. Without truncation this is exact: P(r_t | x_1..t)
 * equals the sum over all segmentations (test/emergence checks it against
 * that enumeration to 1e-12). Masses are kept as logarithms and the
 * distribution is renormalized at each step, so long series neither
 * underflow nor overflow.
 *
 * Bounded memory and time: the run length is capped at R = `maxRunLength`.
 * The hypotheses r ≥ R are merged into one, whose predictive conditions on
 * the last R observations only (a regime older than R observations is
 * described by its latest R); as all those hypotheses predict alike from
 * then on, the merge is exact for that model. The state is three
 * Float64Arrays of R entries (log mass, mean and sum of squared deviations
 * of the last r observations), plus a table of R + 1 Student-t constants
 * shared by detectors with the same α₀ and R; each `push` costs O(R): one
 * Student-t log-density per hypothesis with mass at least `pruneBelow`
 * (hypotheses that fall below it are dropped for good and not evaluated
 * again; the statistics of the last r observations, a few additions each,
 * are kept for every r because the merged hypothesis needs them).
 *
 * Example (prior μ₀ = 0, κ₀ = 1, α₀ = 1, β₀ = 1; hazard 0.1): x₁ = 0 has the
 * prior predictive t₂(0, scale² 2), density 0.25. Then x₂ = 5: the prior
 * predictive gives it π₀(5) = 0.0128066, the run {0} (κ = 2, α = 1.5,
 * β = 1: t₃(0, scale² 1)) π(5 | 0) = 0.0042194, so
 * P(r₂ = 1) = 0.1·0.0128066 / (0.1·0.0128066 + 0.9·0.0042194) = 0.252193.
 */

/** The Normal–Gamma prior of each regime's mean and precision. */
export interface NormalGammaPrior {
  /** μ₀: the prior mean of the regime mean. */
  mean: number;
  /** κ₀ > 0: how many observations the prior mean is worth (the regime mean has prior sd σ/√κ₀). */
  meanStrength: number;
  /** α₀ > 0: the shape of the Gamma prior on the precision (2α₀ observations' worth of variance). */
  shape: number;
  /** β₀ > 0: the rate of the Gamma prior on the precision (prior mean variance β₀/(α₀ − 1) when α₀ > 1; β₀/α₀ is the prior's typical variance). */
  rate: number;
}

export interface BayesianOnlineChangePointsOptions {
  prior: NormalGammaPrior;
  /** H = 1/λ in (0, 1): the prior probability that an observation starts a new regime. */
  hazard: number;
  /** R ≥ 2: run lengths from R on are merged into one hypothesis (see above). */
  maxRunLength: number;
  /** Run-length hypotheses whose posterior mass falls below this are dropped. Default 1e-10; 0 keeps every one. */
  pruneBelow?: number;
  /** k in [1, R − 1]: `changeProbability` is P(r_t ≤ k, r_t < t), the mass of "a new regime began within the last k observations". Default 1. */
  recentRunLength?: number;
}

/** What one observation told the detector. */
export interface ChangePointStep {
  /** Observations seen so far (t). */
  observations: number;
  /** P(r_t ≤ k, r_t < t | x_1..t), k = recentRunLength: the posterior mass of a new regime that began within the last k observations (the first regime, r_t = t, is no change). */
  changeProbability: number;
  /** The most probable run length among r ≤ min(k, t − 1): where the recent regime most probably began (0 at t = 1). */
  changeRunLength: number;
  /** argmax_r P(r_t = r | x_1..t) (R stands for "R or more"). */
  mapRunLength: number;
  /** E[r_t | x_1..t], with the merged hypothesis counted as R. */
  runLengthMean: number;
  /** ln p(x_t | x_1..t−1), in nats: how surprising x_t was. */
  logPredictive: number;
  /** Run-length hypotheses with mass (at most R). */
  hypotheses: number;
}

/** An option outside its domain. */
export class ChangePointOptionError extends RangeError {
  readonly code = 'CHANGE_POINT_OPTION';

  constructor(message: string) {
    super(message);
    this.name = 'ChangePointOptionError';
  }
}

/** The largest |x| taken: its square, summed over R observations, stays far from overflow. */
export const MAX_OBSERVATION_MAGNITUDE = 1e100;

/** An observation that is NaN, infinite or beyond ±MAX_OBSERVATION_MAGNITUDE (the detector's state is left as it was). */
export class ObservationRangeError extends RangeError {
  readonly code = 'OBSERVATION_RANGE';

  constructor(message: string) {
    super(message);
    this.name = 'ObservationRangeError';
  }
}

const LOG_PI = Math.log(Math.PI);

export class BayesianOnlineChangePoints {
  readonly maxRunLength: number;
  readonly hazard: number;
  readonly pruneBelow: number;
  readonly recentRunLength: number;
  private readonly prior: NormalGammaPrior;
  private readonly logHazard: number;
  private readonly logContinue: number;
  private readonly logPruneBelow: number;
  /** ln P(r_t = i + 1 | x_1..t); −∞ for no mass. */
  private readonly logMass: Float64Array;
  /** Mean and sum of squared deviations (Welford) of the last i + 1 observations. */
  private readonly runMean: Float64Array;
  private readonly runSquares: Float64Array;
  /** For n = 0 … R observations: ln Γ(αₙ + ½) − ln Γ(αₙ) − ½ ln(2αₙπ), the Student-t constant. */
  private readonly studentConstant: Float64Array;
  private count = 0;
  private logEvidenceSum = 0;
  /** ln of the mass kept after the last pruning (0 when nothing was dropped). */
  private logRetained = 0;

  constructor(options: BayesianOnlineChangePointsOptions) {
    const { prior, hazard, maxRunLength } = options;
    const pruneBelow = options.pruneBelow ?? 1e-10;
    const recentRunLength = options.recentRunLength ?? 1;
    if (!Number.isFinite(prior.mean)) throw new ChangePointOptionError(`the prior mean must be finite, got ${prior.mean}`);
    for (const [name, value] of [['meanStrength', prior.meanStrength], ['shape', prior.shape], ['rate', prior.rate]] as const) {
      if (!(value > 0 && Number.isFinite(value))) throw new ChangePointOptionError(`the prior ${name} must be finite and > 0, got ${value}`);
    }
    if (!(hazard > 0 && hazard < 1)) throw new ChangePointOptionError(`the hazard must lie in (0, 1), got ${hazard}`);
    if (!Number.isInteger(maxRunLength) || maxRunLength < 2) throw new ChangePointOptionError(`the maximum run length must be a whole number ≥ 2, got ${maxRunLength}`);
    if (!(pruneBelow >= 0 && pruneBelow < 1)) throw new ChangePointOptionError(`pruneBelow must lie in [0, 1), got ${pruneBelow}`);
    if (!Number.isInteger(recentRunLength) || recentRunLength < 1 || recentRunLength >= maxRunLength) {
      throw new ChangePointOptionError(`the recent run length must be a whole number in [1, ${maxRunLength - 1}], got ${recentRunLength}`);
    }
    this.prior = { ...prior };
    this.hazard = hazard;
    this.maxRunLength = maxRunLength;
    this.pruneBelow = pruneBelow;
    this.recentRunLength = recentRunLength;
    this.logHazard = Math.log(hazard);
    this.logContinue = Math.log1p(-hazard);
    this.logPruneBelow = pruneBelow > 0 ? Math.log(pruneBelow) : -Infinity;
    this.logMass = new Float64Array(maxRunLength).fill(-Infinity);
    this.runMean = new Float64Array(maxRunLength);
    this.runSquares = new Float64Array(maxRunLength);
    this.studentConstant = studentConstants(prior.shape, maxRunLength);
  }

  /** Observations seen so far. */
  get observations(): number {
    return this.count;
  }

  /** ln p(x_1..t) under the model (with truncation, an approximation), in nats. */
  get logEvidence(): number {
    return this.logEvidenceSum;
  }

  /** Takes x_t and returns what the run-length posterior says now. Throws ObservationRangeError on NaN, ±∞ or |x| > 1e100. */
  push(x: number): ChangePointStep {
    if (!(Math.abs(x) <= MAX_OBSERVATION_MAGNITUDE)) {
      throw new ObservationRangeError(`observation ${this.count + 1} must be a finite number within ±${MAX_OBSERVATION_MAGNITUDE}, got ${x}`);
    }
    const R = this.maxRunLength;
    const logMass = this.logMass;
    const previous = Math.min(this.count, R);
    let logPredictive: number;

    if (previous === 0) {
      logMass[0] = 0;
      logPredictive = this.logStudent(x, 0, this.prior.mean, this.prior.rate);
    } else {
      const logPrior = this.logStudent(x, 0, this.prior.mean, this.prior.rate);
      // Growth, from the top so that each slot is read before it is overwritten; at the cap, R − 1 and R merge into R.
      let capped = -Infinity;
      if (previous === R && logMass[R - 1] !== -Infinity) capped = this.logContinue + logMass[R - 1] + this.logPredictiveOfRun(x, R);
      for (let i = Math.min(previous, R - 1) - 1; i >= 0; i--) {
        logMass[i + 1] = logMass[i] === -Infinity ? -Infinity : this.logContinue + logMass[i] + this.logPredictiveOfRun(x, i + 1);
      }
      if (previous === R) logMass[R - 1] = logAddExp(logMass[R - 1], capped);
      // The old distribution sums to the mass the last pruning kept, so the change term is H · π₀(x_t) · that.
      logMass[0] = this.logHazard + logPrior + this.logRetained;
      const next = Math.min(previous + 1, R);
      const logTotal = logSumExp(logMass, next);
      logPredictive = logTotal - this.logRetained;
      let pruned = 0;
      for (let i = 0; i < next; i++) {
        const normalized = logMass[i] - logTotal;
        if (normalized < this.logPruneBelow) {
          if (normalized !== -Infinity) pruned += Math.exp(normalized);
          logMass[i] = -Infinity;
        } else logMass[i] = normalized;
      }
      this.logRetained = Math.log1p(-pruned);
    }
    this.updateStatistics(x);
    this.count++;
    this.logEvidenceSum += logPredictive;
    return this.summary(logPredictive);
  }

  /** P(r_t = r | x_1..t) for r = 1 … R (R: "R or more"); 0 outside. */
  runLengthProbability(runLength: number): number {
    if (!Number.isInteger(runLength) || runLength < 1 || runLength > Math.min(this.count, this.maxRunLength)) return 0;
    return Math.exp(this.logMass[runLength - 1]);
  }

  /** P(first ≤ r_t ≤ last | x_1..t). */
  runLengthProbabilityBetween(first: number, last: number): number {
    let total = 0;
    const top = Math.min(last, this.count, this.maxRunLength);
    for (let r = Math.max(1, first); r <= top; r++) total += Math.exp(this.logMass[r - 1]);
    return Math.min(1, total);
  }

  /** The run-length posterior, P(r_t = i + 1) at index i, as a new array of min(t, R) entries. */
  runLengthDistribution(): Float64Array {
    const n = Math.min(this.count, this.maxRunLength);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.exp(this.logMass[i]);
    return out;
  }

  /** The sample mean of the last `observations` (1 … min(t, R)) observations. */
  meanOfLast(observations: number): number {
    if (!Number.isInteger(observations) || observations < 1 || observations > Math.min(this.count, this.maxRunLength)) {
      throw new ChangePointOptionError(`meanOfLast needs a whole number in [1, ${Math.min(this.count, this.maxRunLength)}], got ${observations}`);
    }
    return this.runMean[observations - 1];
  }

  /** ln π(x | the last n observations): the Normal–Gamma posterior predictive, a Student-t. */
  private logPredictiveOfRun(x: number, n: number): number {
    const { mean: priorMean, meanStrength } = this.prior;
    const sampleMean = this.runMean[n - 1];
    const strength = meanStrength + n;
    const mean = (meanStrength * priorMean + n * sampleMean) / strength;
    const deviation = sampleMean - priorMean;
    const rate = this.prior.rate + 0.5 * this.runSquares[n - 1] + (meanStrength * n * deviation * deviation) / (2 * strength);
    return this.logStudent(x, n, mean, rate);
  }

  /**
   * ln of the Student-t predictive after n observations with posterior
   * location `mean` and rate `rate` (κₙ = κ₀ + n, αₙ = α₀ + n/2):
   * ν = 2αₙ, s² = βₙ(κₙ + 1)/(αₙκₙ),
   * ln t = ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπs²) − (ν+1)/2 · ln(1 + (x−μ)²/(νs²)).
   */
  private logStudent(x: number, n: number, mean: number, rate: number): number {
    const strength = this.prior.meanStrength + n;
    const shape = this.prior.shape + n / 2;
    const scaleSquared = (rate * (strength + 1)) / (shape * strength);
    const d = x - mean;
    return this.studentConstant[n] - 0.5 * Math.log(scaleSquared) - (shape + 0.5) * Math.log1p((d * d) / (2 * shape * scaleSquared));
  }

  /** Shifts the per-run statistics one slot up and adds x to each (Welford's update); slot 0 becomes {x}. */
  private updateStatistics(x: number): void {
    const top = Math.min(this.count + 1, this.maxRunLength);
    const mean = this.runMean;
    const squares = this.runSquares;
    for (let i = top - 1; i >= 1; i--) {
      const n = i + 1;
      const oldMean = mean[i - 1];
      const delta = x - oldMean;
      const newMean = oldMean + delta / n;
      mean[i] = newMean;
      squares[i] = squares[i - 1] + delta * (x - newMean);
    }
    mean[0] = x;
    squares[0] = 0;
  }

  private summary(logPredictive: number): ChangePointStep {
    const n = Math.min(this.count, this.maxRunLength);
    let map = 1;
    let best = -Infinity;
    let meanRunLength = 0;
    let recent = 0;
    let recentBest = -Infinity;
    let recentRunLength = 0;
    const recentLimit = Math.min(this.recentRunLength, this.count - 1);
    for (let i = 0; i < n; i++) {
      const lm = this.logMass[i];
      if (lm === -Infinity) continue;
      const p = Math.exp(lm);
      meanRunLength += (i + 1) * p;
      if (lm > best) {
        best = lm;
        map = i + 1;
      }
      if (i < recentLimit) {
        recent += p;
        if (lm > recentBest) {
          recentBest = lm;
          recentRunLength = i + 1;
        }
      }
    }
    let hypotheses = 0;
    for (let i = 0; i < n; i++) if (this.logMass[i] !== -Infinity) hypotheses++;
    return {
      observations: this.count,
      changeProbability: Math.min(1, recent),
      changeRunLength: recentRunLength,
      mapRunLength: map,
      runLengthMean: meanRunLength,
      logPredictive,
      hypotheses,
    };
  }
}

/** The Student-t constants by prior shape and cap, shared by detectors built alike (the W phases of one series). */
const studentConstantsCache = new Map<string, Float64Array>();

/** For n = 0 … R: ln Γ(αₙ + ½) − ln Γ(αₙ) − ½ ln(2αₙπ), αₙ = α₀ + n/2. */
function studentConstants(priorShape: number, maxRunLength: number): Float64Array {
  const key = `${priorShape}:${maxRunLength}`;
  let table = studentConstantsCache.get(key);
  if (table === undefined) {
    table = new Float64Array(maxRunLength + 1);
    for (let n = 0; n <= maxRunLength; n++) {
      const shape = priorShape + n / 2;
      table[n] = logGamma(shape + 0.5) - logGamma(shape) - 0.5 * (Math.log(2 * shape) + LOG_PI);
    }
    if (studentConstantsCache.size >= 16) studentConstantsCache.clear();
    studentConstantsCache.set(key, table);
  }
  return table;
}

/** ln(eᵃ + eᵇ) without overflow. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln Σ exp(values[i]) over the first n entries, shifted by the maximum. */
function logSumExp(values: Float64Array, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}
