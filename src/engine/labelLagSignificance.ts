import type { LabelHistory } from './labelHistory.ts';
import { availableLags, effectiveSurrogates, surrogatePValue } from './labelLagSchedule.ts';
import { PairCountTables } from './pairCountTables.ts';
import type { WindowBin } from './windowReadout.ts';

/** The significance of every pair at one emission (DESIGN §4, SCIENCE.md "Calibration and multiplicity"). */
export interface PairSignificance {
  /** Lags whose shifted window lies in the history: the surrogates used. */
  available: number;
  /** Of those, effectively independent (span of lags / mode dwell). */
  effective: number;
  /** The smallest p the surrogates allow: 1 / (1 + effective). */
  minP: number;
  /** Per pair, index j(j−1)/2 + i for i < j: the plug-in synergy the test is on, bits. */
  statistic: Float64Array;
  /**
   * p and p_fwer of pair `index`, one-sided: upward (synergy) or downward
   * (redundancy). p: the share of surrogates at or beyond the observed
   * statistic; p_fwer (Westfall–Young max-T): the share whose maximum over
   * all pairs (minimum, downward) reaches it.
   */
  test(index: number, upward: boolean): { p: number; pFwer: number };
  /** Pairs with p_fwer ≤ alpha in the direction of their statistic's sign. */
  significant(alpha: number): number;
}

/** Slack for ties: surrogates within 1e-12 bits of the observation count as reaching it. */
const TIE_BITS = 1e-12;

/**
 * Label-lag surrogates for every pair, kept incrementally (SCIENCE.md,
 * "Calibration and multiplicity"; docs/MEASURES.md, "Significance").
 *
 * Surrogate k tabulates each window bin's spikes against the mode of bin −
 * lag_k, in count tables of its own that bins enter and leave like the
 * real ones; a second set of tables holds the real alignment. The test
 * statistic is the plug-in synergy (bias cancels between observation and
 * surrogates, and it is the cheapest to read out), whatever estimator
 * reports the value. At an emission every pair's statistic is read out for
 * the observation and for every usable surrogate:
 * - p (one-sided, SCIENCE.md): the share of surrogates at or beyond the
 *   observation in the direction of its sign;
 * - p_fwer (Westfall–Young max-T): the share of surrogates whose maximum
 *   over all pairs (minimum, for a negative observation) reaches it;
 * both as coarse as the effectively independent surrogates allow
 * (surrogatePValue).
 *
 * Memory: one table set per surrogate (the cells of PairCountTables). When
 * the units seen would take the surrogates past `maxCells`, the longest lags
 * are dropped and `capped` says how many remain.
 */
export class LabelLagSignificance {
  private readonly observed: PairCountTables;
  private surrogates: PairCountTables[];
  private nLog2n = new Float64Array(1);
  private statistic = new Float64Array(0);
  private scratch = new Float64Array(0);
  private unitTerms = new Float64Array(0);
  private unitMarginals = new Float64Array(0);
  /** Surrogates kept within the memory bound (≤ lags.length). */
  capped: number;

  constructor(
    readonly levels: number,
    readonly windowBins: number,
    readonly lags: Int32Array,
    readonly history: LabelHistory,
    /** The spacing of the lags (labelLags), bins. */
    readonly stepBins: number,
    readonly maxCells = 2 ** 28,
  ) {
    this.observed = new PairCountTables(levels, false, windowBins);
    this.surrogates = Array.from(lags, () => new PairCountTables(levels, false, windowBins));
    this.capped = lags.length;
    this.ensureSamples(windowBins);
  }

  /** The bins the history must hold: a window and the longest lag, and a hop of slack. */
  static historyBins(windowBins: number, lags: Int32Array): number {
    return windowBins + (lags.length === 0 ? 0 : lags[lags.length - 1]) + 1;
  }

  private ensureSamples(n: number): void {
    if (this.nLog2n.length > n) return;
    const table = new Float64Array(n + 1);
    for (let k = 1; k <= n; k++) table[k] = k * Math.log2(k);
    this.nLog2n = table;
  }

  private ensure(units: number, modes: number): void {
    this.observed.ensureUnits(units);
    this.observed.ensureModes(modes);
    const perTable = ((units * (units - 1)) / 2) * this.observed.cellsPerPair + units * this.observed.cellsPerUnit;
    const allowed = Math.max(0, Math.floor(this.maxCells / Math.max(1, perTable)) - 1);
    if (allowed < this.surrogates.length) {
      this.surrogates.length = allowed;
      this.capped = allowed;
    }
    for (const tables of this.surrogates) {
      tables.ensureUnits(units);
      tables.ensureModes(modes);
    }
  }

  /**
   * A bin entered (+1) or left (−1) the window. The history must hold the
   * bin's own mode and the modes `lag` bins before it (record a bin in the
   * history before it enters).
   */
  update(entry: WindowBin, delta: 1 | -1, units: number, modes: number): void {
    this.ensure(units, modes);
    const count = entry.units.length;
    if (entry.label >= 0) this.observed.updateBin(0, entry.label, entry.units, entry.symbols, 0, count, delta);
    for (let k = 0; k < this.surrogates.length; k++) {
      const label = this.history.labelAt(entry.bin - this.lags[k]);
      if (label >= 0) this.surrogates[k].updateBin(0, label, entry.units, entry.symbols, 0, count, delta);
    }
  }

  /** Every pair's statistic, p and p_fwer for the window that starts at `windowStartBin`. */
  evaluate(windowStartBin: number, units: number, modes: number): PairSignificance {
    this.ensure(units, modes);
    const pairs = (units * (units - 1)) / 2;
    if (this.statistic.length < pairs) {
      this.statistic = new Float64Array(pairs);
      this.scratch = new Float64Array(pairs);
    }
    const statistic = this.statistic.subarray(0, pairs);
    this.pluginSynergies(this.observed, units, modes, statistic);
    const first = this.history.firstBin;
    const available = first === undefined ? 0 : Math.min(this.surrogates.length, availableLags(this.lags, windowStartBin, first));
    const effective = effectiveSurrogates(available, this.stepBins, this.history.meanDwellBins);
    const up = new Uint32Array(pairs);
    const down = new Uint32Array(pairs);
    const maxima = new Float64Array(available);
    const minima = new Float64Array(available);
    const surrogate = this.scratch.subarray(0, pairs);
    for (let k = 0; k < available; k++) {
      this.pluginSynergies(this.surrogates[k], units, modes, surrogate);
      let max = -Infinity;
      let min = Infinity;
      for (let q = 0; q < pairs; q++) {
        const value = surrogate[q];
        if (value > max) max = value;
        if (value < min) min = value;
        const observed = statistic[q];
        if (value >= observed - TIE_BITS) up[q]++;
        if (value <= observed + TIE_BITS) down[q]++;
      }
      maxima[k] = max;
      minima[k] = min;
    }
    const observedValues = Float64Array.from(statistic);
    const test = (index: number, upward: boolean) => {
      const observed = observedValues[index];
      let family = 0;
      for (let k = 0; k < available; k++) if (upward ? maxima[k] >= observed - TIE_BITS : minima[k] <= observed + TIE_BITS) family++;
      return { p: surrogatePValue(upward ? up[index] : down[index], available, effective), pFwer: surrogatePValue(family, available, effective) };
    };
    return {
      available,
      effective,
      minP: 1 / (1 + effective),
      statistic: observedValues,
      test,
      significant(alpha: number): number {
        if (available === 0 || 1 / (1 + effective) > alpha) return 0;
        // p_fwer ≤ alpha ⇔ at most c surrogate extremes reach the statistic.
        let count = 0;
        for (let q = 0; q < pairs; q++) if (test(q, observedValues[q] >= -TIE_BITS).pFwer <= alpha) count++;
        return count;
      },
    };
  }

  /**
   * Plug-in synergy of every pair from one table set, into `out` (pair index
   * j(j−1)/2 + i). With f(n) = n log2 n and N labeled bins,
   * N·Syn = Σ f(n_abm) − Σ f(n_ab) + U_a + U_b + Σ_m f(n_m) − f(N), where
   * U_u = Σ_x f(n_x) − Σ_{x,m} f(n_xm) is the unit's own part.
   */
  private pluginSynergies(tables: PairCountTables, units: number, modes: number, out: Float64Array): void {
    const f = this.nLog2n;
    const s = tables.symbols;
    const levels = tables.levels;
    let total = 0;
    let modeTerm = 0;
    for (let m = 0; m < modes; m++) {
      const n = tables.modeCounts[m];
      total += n;
      modeTerm += f[n];
    }
    if (total === 0) {
      out.fill(0);
      return;
    }
    const constant = modeTerm - f[total];
    // Unit marginals [u][m][a−1] (symbols ≥ 1) and each unit's own term.
    if (this.unitTerms.length < units) this.unitTerms = new Float64Array(units);
    if (this.unitMarginals.length < units * modes * s) this.unitMarginals = new Float64Array(units * modes * s);
    const marginals = this.unitMarginals;
    const unitStride = tables.cellsPerUnit;
    const overall = new Float64Array(levels);
    for (let u = 0; u < units; u++) {
      overall.fill(0);
      let term = 0;
      for (let m = 0; m < modes; m++) {
        let fired = 0;
        for (let a = 1; a <= s; a++) {
          const n = tables.unitCounts[u * unitStride + m * s + a - 1];
          marginals[(u * modes + m) * s + a - 1] = n;
          overall[a] += n;
          fired += n;
          term -= f[n];
        }
        const silent = tables.modeCounts[m] - fired;
        overall[0] += silent;
        term -= f[silent];
      }
      for (let a = 0; a < levels; a++) term += f[overall[a]];
      this.unitTerms[u] = term;
    }
    const cellsPerPair = tables.cellsPerPair;
    const joint = new Float64Array(levels * levels);
    const rowSums = new Float64Array(levels);
    let index = 0;
    for (let j = 1; j < units; j++) {
      const row = tables.rows[j];
      for (let i = 0; i < j; i++, index++) {
        joint.fill(0);
        let sum = 0;
        const base = i * cellsPerPair;
        for (let m = 0; m < modes; m++) {
          const cells = base + m * s * s;
          const mi = (i * modes + m) * s;
          const mj = (j * modes + m) * s;
          let both = 0;
          let firedI = 0;
          let firedJ = 0;
          rowSums.fill(0);
          for (let a = 1; a <= s; a++) {
            let rowSum = 0;
            for (let b = 1; b <= s; b++) {
              const n = row[cells + (a - 1) * s + (b - 1)];
              sum += f[n];
              joint[a * levels + b] += n;
              rowSum += n;
              rowSums[b] += n;
            }
            const onlyI = marginals[mi + a - 1] - rowSum;
            sum += f[onlyI];
            joint[a * levels] += onlyI;
            firedI += marginals[mi + a - 1];
            both += rowSum;
          }
          for (let b = 1; b <= s; b++) {
            const onlyJ = marginals[mj + b - 1] - rowSums[b];
            sum += f[onlyJ];
            joint[b] += onlyJ;
            firedJ += marginals[mj + b - 1];
          }
          const neither = tables.modeCounts[m] - firedI - firedJ + both;
          sum += f[neither];
          joint[0] += neither;
        }
        for (let c = 0; c < joint.length; c++) sum -= f[joint[c]];
        out[index] = (sum + this.unitTerms[i] + this.unitTerms[j] + constant) / total;
      }
    }
  }
}
