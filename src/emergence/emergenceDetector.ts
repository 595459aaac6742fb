import { BayesianOnlineChangePoints, MAX_OBSERVATION_MAGNITUDE, type NormalGammaPrior } from './bayesianOnlineChangePoints.ts';

/**
 * Emergence alerts (docs/EMERGENCE.md): one detector watches one series of
 * a measure that the analyzer emits every hop — the O-information Ω of the
 * population or of a group, a synergy — and raises an `emergence` alert when
 * the series changes regime, with the estimated change time, the means
 * before and after, and whether the change crossed from redundancy- to
 * synergy-dominated or back (learning as a phase transition: Clauw et al.).
 *
 * Change points: Bayesian online change-point detection (Adams & MacKay
 * 2007, arXiv:0710.3742; bayesianOnlineChangePoints.ts), which assumes
 * independent observations within a regime. Values of overlapping windows
 * are not independent: with a window of W hops, consecutive values share
 * W − 1 of their W hops (lag-1 correlation 1 − 1/W, 0.98 at W = 60), and a
 * BOCPD fed every hop takes each slow wander for a change. So the detector
 * runs W change-point detectors side by side, phase p fed only the hops
 * h ≡ p (mod W): each phase sees disjoint windows (independent when the
 * measure adds up over the window's hops), and some phase sees a fresh
 * window at every hop. A change at hop c reaches the phases one after
 * another as the window slides over it; the window ending at hop h holds
 * clamp(h − c, 0, W) hops of the new regime, all W from hop c + W on.
 * W = 1 (tumbling windows, training snapshots) is one plain BOCPD.
 *
 * Alert rule:
 * 1. A hop sees a change when its phase puts posterior mass ≥ `threshold`
 *    on a regime that began within the phase's last `recentObservations`
 *    observations, and that regime began after the last alerted change +
 *    `refractoryHops` (the refractory rule: every phase's first window of a
 *    regime that began at hop c ends by c + 2W − 1, so the default 3W hops
 *    never alerts one change twice; two changes closer than that give one
 *    alert).
 * 2. `confirmHops` consecutive hops that see a change confirm it (a lone
 *    outlier of a tumbling series does not).
 * 3. The change time, `before` and `after` are the least-squares fit of the
 *    shape the series must have — a window ending at hop h has mean
 *    before + (after − before)·clamp(h − c, 0, W)/W, a ramp over W hops (a
 *    step when W = 1) — over the hops since the last change, at most
 *    `baselineHops` before the candidates. A confirmed change is raised
 *    once the window lies wholly after the fitted change (hop ≥ c + W),
 *    the fitted c has stayed within ⌈W/20⌉ hops for ⌊W/6⌋ hops, and the
 *    mean of the last ⌊W/6⌋ values lies within 2 residual sds of `after`:
 *    the ramp of a change and a wander of the noise look alike until the
 *    series has levelled off (without this wait `after` was a mid-ramp
 *    value and one crossing in ten was missed at W = 60); at the latest 2W
 *    hops after the confirmation. With W = 1 it is raised at once.
 *
 * The prior of each regime (Normal–Gamma, per window value): mean at the
 * warm-up median, with sd 10 noise sds; precision with shape 1 (worth two
 * observations) and typical variance (2·noise)², deliberately wide because
 * an underestimated noise makes short runs of similar values look like a
 * new regime. The noise sd is `noiseScale` when given (then no warm-up; the
 * prior mean is the first value), else estimated after `warmupHops` values
 * from disjoint windows: 1.4826 · median |v(h) − v(h − W)| / √2, floored at
 * `noiseFloor`. Hazard per phase observation: W·hop / `meanRegimeSeconds`.
 *
 * Input: NaN or ±∞ values (an empty window), and any beyond ±1e100, are
 * skipped and counted in `skippedValues`. A time that is not finite, or
 * not at least one hop after the previous one, throws EmergenceTimeError (a
 * restarted clock needs a new detector). Missing hops are fine.
 *
 * Cost: one phase is updated per push, O(maxRunLength): about 6 µs at the
 * default 100. A confirmed change adds a fit, O(history), at each hop until
 * it is raised (about ⌊W/6⌋ + a few hops). Memory: 3·maxRunLength doubles
 * per phase and 2·history, history = max(warmupHops, baselineHops +
 * (recentObservations + 3)·W + confirmHops) + 1 entries: about 200 kB at
 * W = 60 and 5 kB at W = 1 (measured, bench/emergence.ts).
 *
 * Example: Ω = +0.05 bits, then from some hop on −0.05 bits, per-window
 * noise sd 0.015 bits, W = 60, 1 s hop: one alert about 66 s after the
 * switch (median), change_t within about 6 s of it, before ≈ 0.05,
 * after ≈ −0.05, crossing 'redundancy-to-synergy' (docs/EMERGENCE.md has
 * the measured rates and delays).
 */

export interface EmergenceAlert {
  type: 'alert';
  kind: 'emergence';
  state: 'raised';
  /** Stream time of the hop that raised the alert, seconds. */
  t: number;
  /** Which series: 'population', 'group:CA1', 'subnetwork:7', … */
  series: string;
  /** Which measure: 'oinfo', 'doinfo_y', 'synergy', … */
  measure: string;
  /** Estimated change time, seconds: the hops after it belong to the new regime (a hop's window is (t − W·hop, t]). */
  change_t: number;
  /** The measure's mean in the regime before the change, in its unit (bits for information measures). */
  before: number;
  /** The measure's mean in the new regime. */
  after: number;
  /** A change of dominance: `before` on one side of zero and `after` on the other, each by more than `crossingMargin`. */
  crossing: 'redundancy-to-synergy' | 'synergy-to-redundancy' | null;
  /** The posterior mass of the recent change at the hop that confirmed it. */
  probability: number;
}

export interface EmergenceDetectorOptions {
  /** Which series, copied into the alerts: 'population', 'group:CA1', … */
  series: string;
  /** Which measure, copied into the alerts: 'oinfo', 'synergy', … */
  measure: string;
  /** true for 'oinfo' and 'doinfo_y' (negative: synergy-dominated); false for 'synergy' (positive: synergistic). */
  synergyIsNegative: boolean;
  /** The time between values, seconds. */
  hopSeconds: number;
  /** W: hops per window (window / hop); 1 for tumbling windows. */
  windowHops: number;
  /** The prior mean duration of a regime, seconds; the hazard per phase observation is W·hop / this. Default 3600. */
  meanRegimeSeconds?: number;
  /** Posterior mass of a recent change for a hop to see it. Default 0.7. */
  threshold?: number;
  /** "Recent": the regime began within this many of the phase's own observations. Default 6. */
  recentObservations?: number;
  /** Consecutive hops that must see a change to confirm it. Default 2. */
  confirmHops?: number;
  /** Values before the prior is set and alerts can be raised, when `noiseScale` is not given. Default max(10·W, 30). */
  warmupHops?: number;
  /** The per-window noise sd of the measure, if known (no warm-up then). */
  noiseScale?: number;
  /** The smallest noise sd the warm-up may estimate (a constant series would otherwise alert on any wobble). Default 1e-3. */
  noiseFloor?: number;
  /** Run lengths each phase tracks (R of bayesianOnlineChangePoints.ts). Default 100. */
  maxRunLength?: number;
  /** A regime that began within this many hops after the last alerted change is that change. Default 3·W. */
  refractoryHops?: number;
  /** Hops of the old regime the fit of `before` uses, at most. Default max(10·W, 60). */
  baselineHops?: number;
  /** |before| and |after| must exceed this for a crossing. Default 0. */
  crossingMargin?: number;
  /**
   * A change is alerted only when |after − before| is at least this many
   * noise sds. Default 3: the series of the stream's estimators have heavier
   * tails than a Gaussian (kurtosis 4–7 measured for discrete groups of
   * independent units), and runs of two or three large values then look like
   * short regimes of 2–2.7 sds; without the floor a stationary recording
   * raised 2.5 alerts an hour over 10 series (docs/EMERGENCE.md).
   */
  minShiftNoise?: number;
}

/** An option outside its domain. */
export class EmergenceOptionError extends RangeError {
  readonly code = 'EMERGENCE_OPTION';

  constructor(message: string) {
    super(message);
    this.name = 'EmergenceOptionError';
  }
}

/** A time that is not finite or not at least one hop after the previous value's. */
export class EmergenceTimeError extends RangeError {
  readonly code = 'EMERGENCE_TIME';

  constructor(message: string) {
    super(message);
    this.name = 'EmergenceTimeError';
  }
}

/** The prior sd of a regime mean, in noise sds. */
const PRIOR_MEAN_SPREAD = 10;
/** The prior's typical noise sd, in noise sds (see above: wide on purpose). */
const PRIOR_NOISE_INFLATION = 2;
/** Shape of the precision prior: two observations' worth. */
const PRIOR_SHAPE = 1;
/** 1.4826 · MAD estimates a Gaussian sd. */
const MAD_TO_SD = 1.4826;

interface ChangeFit {
  changeHop: number;
  before: number;
  after: number;
  /** Root mean square of the residuals. */
  residualSd: number;
}

interface PendingChange {
  /** The first hop of the new regime in the confirming hop's phase (its first window of the regime ends there). */
  runStart: number;
  confirmedHop: number;
  probability: number;
  /** The fitted change hop the estimate has stayed near, and since when. */
  anchorHop: number;
  anchoredAt: number;
}

export class EmergenceDetector {
  readonly series: string;
  readonly measure: string;
  readonly synergyIsNegative: boolean;
  readonly hopSeconds: number;
  readonly windowHops: number;
  readonly meanRegimeSeconds: number;
  readonly threshold: number;
  readonly recentObservations: number;
  readonly confirmHops: number;
  readonly warmupHops: number;
  readonly noiseFloor: number;
  readonly maxRunLength: number;
  readonly refractoryHops: number;
  readonly baselineHops: number;
  readonly crossingMargin: number;
  readonly minShiftNoise: number;
  private readonly givenNoise: number | undefined;
  private readonly settleHops: number;
  private readonly settleToleranceHops: number;
  private noise: number | undefined;
  private phases: BayesianOnlineChangePoints[] = [];
  /** Recent values by hop: a ring of `capacity` entries in ascending hop order. */
  private readonly capacity: number;
  private readonly historyHop: Float64Array;
  private readonly historyValue: Float64Array;
  private historyStart = 0;
  private historyLength = 0;
  private firstTime: number | undefined;
  private lastHop = -1;
  private skipped = 0;
  private streak = 0;
  private streakLastHop = -Infinity;
  private pending: PendingChange | undefined;
  private lastChangeHop: number | undefined;
  private alerts = 0;

  constructor(options: EmergenceDetectorOptions) {
    const W = options.windowHops;
    if (!Number.isInteger(W) || W < 1) throw new EmergenceOptionError(`windowHops must be a whole number ≥ 1, got ${W}`);
    if (!(options.hopSeconds > 0 && Number.isFinite(options.hopSeconds))) throw new EmergenceOptionError(`hopSeconds must be finite and > 0, got ${options.hopSeconds}`);
    if (typeof options.synergyIsNegative !== 'boolean') throw new EmergenceOptionError(`synergyIsNegative must be true or false, got ${options.synergyIsNegative}`);
    this.series = options.series;
    this.measure = options.measure;
    this.synergyIsNegative = options.synergyIsNegative;
    this.hopSeconds = options.hopSeconds;
    this.windowHops = W;
    this.meanRegimeSeconds = options.meanRegimeSeconds ?? 3600;
    this.threshold = options.threshold ?? 0.7;
    this.recentObservations = options.recentObservations ?? 6;
    this.confirmHops = options.confirmHops ?? 2;
    this.givenNoise = options.noiseScale;
    this.warmupHops = options.noiseScale === undefined ? (options.warmupHops ?? Math.max(10 * W, 30)) : 0;
    this.noiseFloor = options.noiseFloor ?? 1e-3;
    this.maxRunLength = options.maxRunLength ?? 100;
    this.refractoryHops = options.refractoryHops ?? 3 * W;
    this.baselineHops = options.baselineHops ?? Math.max(10 * W, 60);
    this.crossingMargin = options.crossingMargin ?? 0;
    this.minShiftNoise = options.minShiftNoise ?? 3;
    this.settleHops = Math.floor(W / 6);
    this.settleToleranceHops = Math.ceil(W / 20);

    const hazard = (W * this.hopSeconds) / this.meanRegimeSeconds;
    if (!(hazard > 0 && hazard < 1)) throw new EmergenceOptionError(`meanRegimeSeconds must be finite and longer than one window (${W * this.hopSeconds} s), got ${this.meanRegimeSeconds}`);
    if (!(this.threshold > 0 && this.threshold < 1)) throw new EmergenceOptionError(`threshold must lie in (0, 1), got ${this.threshold}`);
    const wholeAtLeast = (name: string, value: number, least: number) => {
      if (!Number.isInteger(value) || value < least) throw new EmergenceOptionError(`${name} must be a whole number ≥ ${least}, got ${value}`);
    };
    wholeAtLeast('recentObservations', this.recentObservations, 1);
    wholeAtLeast('confirmHops', this.confirmHops, 1);
    wholeAtLeast('maxRunLength', this.maxRunLength, this.recentObservations + 1);
    wholeAtLeast('refractoryHops', this.refractoryHops, 0);
    wholeAtLeast('baselineHops', this.baselineHops, 1);
    if (options.noiseScale === undefined) wholeAtLeast('warmupHops', this.warmupHops, W + 2);
    else if (!(options.noiseScale > 0 && Number.isFinite(options.noiseScale))) throw new EmergenceOptionError(`noiseScale must be finite and > 0, got ${options.noiseScale}`);
    if (!(this.noiseFloor > 0 && Number.isFinite(this.noiseFloor))) throw new EmergenceOptionError(`noiseFloor must be finite and > 0, got ${this.noiseFloor}`);
    if (!(this.minShiftNoise >= 0 && Number.isFinite(this.minShiftNoise))) throw new EmergenceOptionError(`minShiftNoise must be finite and ≥ 0, got ${this.minShiftNoise}`);
    if (!(this.crossingMargin >= 0 && Number.isFinite(this.crossingMargin))) throw new EmergenceOptionError(`crossingMargin must be finite and ≥ 0, got ${this.crossingMargin}`);

    // The fit reaches back baselineHops before its first candidate, 2W before the confirming phase's run start, which is at most
    // (recentObservations − 1)·W + confirmHops before the confirmation, and a change is raised at most 2W after it.
    this.capacity = Math.max(this.warmupHops, this.baselineHops + (this.recentObservations + 3) * W + this.confirmHops) + 1;
    this.historyHop = new Float64Array(this.capacity);
    this.historyValue = new Float64Array(this.capacity);
  }

  /** Whether the prior is set and alerts can be raised. */
  get ready(): boolean {
    return this.noise !== undefined;
  }

  /** The per-window noise sd the prior rests on (given or estimated); undefined during the warm-up. */
  get noiseScale(): number | undefined {
    return this.noise;
  }

  /** Values skipped because they were NaN, infinite or beyond ±1e100. */
  get skippedValues(): number {
    return this.skipped;
  }

  /** Alerts raised so far. */
  get alertCount(): number {
    return this.alerts;
  }

  /**
   * Takes the value of the window ending at `t` (seconds; the window spans
   * (t − W·hop, t]) and returns an alert when a new regime change is raised
   * at this hop.
   */
  push(t: number, value: number): EmergenceAlert | undefined {
    if (!Number.isFinite(t)) throw new EmergenceTimeError(`${this.series} ${this.measure}: the time must be finite, got ${t}`);
    if (this.firstTime === undefined) this.firstTime = t;
    const hop = Math.round((t - this.firstTime) / this.hopSeconds);
    if (hop <= this.lastHop) {
      throw new EmergenceTimeError(`${this.series} ${this.measure}: t = ${t} s is not at least one hop (${this.hopSeconds} s) after the previous value's`);
    }
    this.lastHop = hop;
    if (!(Math.abs(value) <= MAX_OBSERVATION_MAGNITUDE)) {
      this.skipped++;
      return undefined;
    }
    if (this.noise === undefined && this.givenNoise !== undefined) this.startPhases(this.givenNoise, value);
    this.remember(hop, value);
    if (this.noise === undefined) {
      if (this.historyLength >= this.warmupHops) this.startPhases(this.warmupNoise(), this.historyMedian());
      return undefined;
    }
    return this.observe(hop, value, t);
  }

  private observe(hop: number, value: number, t: number): EmergenceAlert | undefined {
    const W = this.windowHops;
    const step = this.phases[hop % W].push(value);
    const runStart = hop - (step.changeRunLength - 1) * W;
    const seen = step.changeProbability >= this.threshold && (this.lastChangeHop === undefined || runStart > this.lastChangeHop + this.refractoryHops);
    if (!seen) this.streak = 0;
    else {
      this.streak = this.streakLastHop === hop - 1 ? this.streak + 1 : 1;
      this.streakLastHop = hop;
      if (this.streak >= this.confirmHops && this.pending === undefined) {
        this.pending = { runStart, confirmedHop: hop, probability: step.changeProbability, anchorHop: -Infinity, anchoredAt: hop };
        this.streak = 0;
      }
    }
    const pending = this.pending;
    if (pending === undefined) return undefined;

    const fit = this.fitChange(pending.runStart - 2 * W, hop - 1, hop);
    if (fit !== undefined && Math.abs(fit.changeHop - pending.anchorHop) > this.settleToleranceHops) {
      pending.anchorHop = fit.changeHop;
      pending.anchoredAt = hop;
    }
    const settled = fit !== undefined && hop >= fit.changeHop + W && hop - pending.anchoredAt >= this.settleHops && this.levelledOff(fit, hop);
    if (!settled && hop < pending.confirmedHop + 2 * W) return undefined;
    this.pending = undefined;
    if (fit === undefined) return undefined;
    // A fit that put the change too early must not let the phases' later views of it through the refractory rule.
    this.lastChangeHop = Math.max(fit.changeHop, pending.runStart - 1);
    // Too small a shift for the series' tails (minShiftNoise): not alerted, and not looked at again (the refractory rule).
    if (Math.abs(fit.after - fit.before) < this.minShiftNoise * this.noise!) return undefined;
    this.alerts++;
    return {
      type: 'alert',
      kind: 'emergence',
      state: 'raised',
      t,
      series: this.series,
      measure: this.measure,
      change_t: this.firstTime! + fit.changeHop * this.hopSeconds,
      before: fit.before,
      after: fit.after,
      crossing: this.crossing(fit.before, fit.after),
      probability: pending.probability,
    };
  }

  /**
   * The least-squares fit of value(h) = before + (after − before)·clamp((h − c)/W, 0, 1)
   * over the remembered hops in [from, now], from = `first` − baselineHops
   * (not before the last change's window has passed), for every change hop
   * c in [first, last]; the c with the smallest residual wins. Prefix sums
   * make each candidate O(1): the window's share of the new regime, g, is
   * 0 before c, (h − c)/W on the ramp and 1 after it.
   */
  private fitChange(first: number, last: number, now: number): ChangeFit | undefined {
    const W = this.windowHops;
    let from = first - this.baselineHops;
    if (this.lastChangeHop !== undefined) from = Math.max(from, this.lastChangeHop + W);
    first = Math.max(first, from);
    if (first > last) return undefined;
    // Local coordinates (hops since `from`, values less their mean) keep the sums exact enough.
    const [localHop, sumX, sumXX, sumY, sumXY, sumYY] = fitScratch(this.capacity + 1);
    const hops = this.historyHop;
    let n = 0;
    let offset = 0;
    for (let k = 0; k < this.historyLength; k++) {
      const index = (this.historyStart + k) % this.capacity;
      if (hops[index] >= from && hops[index] <= now) {
        offset += this.historyValue[index];
        n++;
      }
    }
    if (n < 2) return undefined;
    offset /= n;
    let i = 0;
    for (let k = 0; k < this.historyLength; k++) {
      const index = (this.historyStart + k) % this.capacity;
      const h = hops[index];
      if (h < from || h > now) continue;
      const x = h - from;
      const y = this.historyValue[index] - offset;
      localHop[i] = x;
      sumX[i + 1] = sumX[i] + x;
      sumXX[i + 1] = sumXX[i] + x * x;
      sumY[i + 1] = sumY[i] + y;
      sumXY[i + 1] = sumXY[i] + x * y;
      sumYY[i + 1] = sumYY[i] + y * y;
      i++;
    }
    const totalYY = sumYY[n];
    let best: ChangeFit | undefined;
    let bestResidual = Infinity;
    let rampStart = 0;
    let rampEnd = 0;
    for (let c = first; c <= last; c++) {
      const local = c - from;
      while (rampStart < n && localHop[rampStart] <= local) rampStart++;
      while (rampEnd < n && localHop[rampEnd] < local + W) rampEnd++;
      const oldCount = rampStart;
      const newCount = n - rampEnd;
      const rampCount = rampEnd - rampStart;
      const rampX = sumX[rampEnd] - sumX[rampStart];
      const rampXX = sumXX[rampEnd] - sumXX[rampStart];
      const rampY = sumY[rampEnd] - sumY[rampStart];
      const rampXY = sumXY[rampEnd] - sumXY[rampStart];
      const g = (rampX - local * rampCount) / W;
      const gg = (rampXX - 2 * local * rampX + local * local * rampCount) / (W * W);
      const gy = (rampXY - local * rampY) / W;
      const s00 = oldCount + rampCount - 2 * g + gg;
      const s01 = g - gg;
      const s11 = gg + newCount;
      const r0 = sumY[rampStart] + rampY - gy;
      const r1 = gy + (sumY[n] - sumY[rampEnd]);
      const determinant = s00 * s11 - s01 * s01;
      if (!(determinant > 1e-9 * s00 * s11)) continue;
      const before = (r0 * s11 - r1 * s01) / determinant;
      const after = (r1 * s00 - r0 * s01) / determinant;
      const residual = totalYY - before * r0 - after * r1;
      if (residual < bestResidual) {
        bestResidual = residual;
        best = { changeHop: c, before: before + offset, after: after + offset, residualSd: 0 };
      }
    }
    if (best !== undefined) best.residualSd = Math.sqrt(Math.max(0, bestResidual) / n);
    return best;
  }

  /** Whether the mean of the last ⌊W/6⌋ values lies within 2 residual sds of the fitted `after` (always, when W < 6). */
  private levelledOff(fit: ChangeFit, now: number): boolean {
    if (this.settleHops === 0) return true;
    let sum = 0;
    let count = 0;
    for (let k = this.historyLength - 1; k >= 0; k--) {
      const index = (this.historyStart + k) % this.capacity;
      if (this.historyHop[index] <= now - this.settleHops) break;
      sum += this.historyValue[index];
      count++;
    }
    return count === 0 || Math.abs(sum / count - fit.after) <= 2 * fit.residualSd;
  }

  private crossing(before: number, after: number): EmergenceAlert['crossing'] {
    // Oriented so that positive means synergy-dominated.
    const sign = this.synergyIsNegative ? -1 : 1;
    const margin = this.crossingMargin;
    if (sign * before < -margin && sign * after > margin) return 'redundancy-to-synergy';
    if (sign * before > margin && sign * after < -margin) return 'synergy-to-redundancy';
    return null;
  }

  private remember(hop: number, value: number): void {
    let index: number;
    if (this.historyLength < this.capacity) {
      index = (this.historyStart + this.historyLength) % this.capacity;
      this.historyLength++;
    } else {
      index = this.historyStart;
      this.historyStart = (this.historyStart + 1) % this.capacity;
    }
    this.historyHop[index] = hop;
    this.historyValue[index] = value;
  }

  /** The noise sd of one window from disjoint windows: 1.4826 · median |v(h) − v(h − W)| / √2 (robust to a change among them). */
  private warmupNoise(): number {
    const W = this.windowHops;
    const differences: number[] = [];
    for (let k = 0; k < this.historyLength; k++) {
      const index = (this.historyStart + k) % this.capacity;
      const want = this.historyHop[index] - W;
      // Hops ascend by at least one, so hop − W lies at most W entries back.
      for (let j = k - 1; j >= Math.max(0, k - W); j--) {
        const other = (this.historyStart + j) % this.capacity;
        if (this.historyHop[other] === want) differences.push(Math.abs(this.historyValue[index] - this.historyValue[other]));
        if (this.historyHop[other] <= want) break;
      }
    }
    if (differences.length === 0) return this.noiseFloor;
    return Math.max(this.noiseFloor, (MAD_TO_SD * median(differences)) / Math.SQRT2);
  }

  private historyMedian(): number {
    const values: number[] = [];
    for (let k = 0; k < this.historyLength; k++) values.push(this.historyValue[(this.historyStart + k) % this.capacity]);
    return median(values);
  }

  /** Builds the W phases on the prior for `noise` centred on `center`, and feeds them what the history holds (no alerts from it). */
  private startPhases(noise: number, center: number): void {
    const W = this.windowHops;
    this.noise = noise;
    const typicalSd = PRIOR_NOISE_INFLATION * noise;
    const prior: NormalGammaPrior = {
      mean: center,
      meanStrength: (PRIOR_NOISE_INFLATION / PRIOR_MEAN_SPREAD) ** 2,
      shape: PRIOR_SHAPE,
      rate: PRIOR_SHAPE * typicalSd * typicalSd,
    };
    const hazard = (W * this.hopSeconds) / this.meanRegimeSeconds;
    this.phases = [];
    for (let p = 0; p < W; p++) {
      this.phases.push(new BayesianOnlineChangePoints({ prior, hazard, maxRunLength: this.maxRunLength, recentRunLength: this.recentObservations }));
    }
    for (let k = 0; k < this.historyLength; k++) {
      const index = (this.historyStart + k) % this.capacity;
      this.phases[this.historyHop[index] % W].push(this.historyValue[index]);
    }
  }
}

/** The change fit's scratch (local hops, then prefix sums), shared by all detectors: fits run one at a time. Grown on demand. */
let fitArrays: Float64Array[] = [];

function fitScratch(length: number): Float64Array[] {
  if (fitArrays.length === 0 || fitArrays[0].length < length) fitArrays = Array.from({ length: 6 }, () => new Float64Array(length));
  return fitArrays;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}
