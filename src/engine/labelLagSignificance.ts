import type { LabelHistory } from './labelHistory.ts';
import { availableLags, effectiveSurrogates, surrogatePValue } from './labelLagSchedule.ts';
import { LaggedPairTables } from './laggedPairTables.ts';
import type { WindowBin } from './windowReadout.ts';

/** The significance of every pair at one emission (DESIGN §4, SCIENCE.md "Calibration and multiplicity"). */
export interface PairSignificance {
  /** Lags whose shifted window lies in the history: the surrogates used. */
  available: number;
  /** Of those, effectively independent (span of lags / mode dwell). */
  effective: number;
  /** The smallest p the surrogates allow: 1 / (1 + effective). */
  minP: number;
  /** Per pair, index j(j−1)/2 + i for i < j: the plug-in synergy, bits. */
  statistic: Float64Array;
  /**
   * Per pair: the plug-in synergy minus its mean over the real alignment and
   * the surrogates, bits — synergy (> 0) or redundancy (< 0) beyond what the
   * spikes give by chance (0 when no surrogate is available).
   */
  excess: Float64Array;
  /**
   * p and p_fwer of pair `index`, two-sided on |excess|: p, the share of
   * surrogates at least as far from the mean; p_fwer (Westfall–Young max-T),
   * the share whose largest |excess| over all pairs reaches this pair's.
   */
  test(index: number): { p: number; pFwer: number; pFwerTail: number };
  /** Pairs with p_fwer ≤ alpha. */
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
  /** Alignment 0: the real labels; k ≥ 1: lag k − 1 of `lags`. */
  private readonly tables: LaggedPairTables;
  private nLog2n = new Float64Array(1);
  private readonly aligned: Int32Array;
  private readonly modeOf: Int32Array;
  /** Surrogates kept within the memory bound (≤ lags.length). */
  capped: number;
  /** Bins in the tables (labeled or not): an alignment that labels them all sees the same pair joint as every other such. */
  private binsIn = 0;

  constructor(
    readonly levels: number,
    readonly windowBins: number,
    readonly lags: Int32Array,
    readonly history: LabelHistory,
    /** The spacing of the lags (labelLags), bins. */
    readonly stepBins: number,
    readonly maxCells = 2 ** 28,
  ) {
    this.tables = new LaggedPairTables(levels, 1 + lags.length, windowBins);
    this.aligned = new Int32Array(1 + lags.length);
    this.modeOf = new Int32Array(1 + lags.length);
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
    const tables = this.tables;
    if (units <= tables.units && modes <= tables.modes) return;
    const wantModes = Math.max(modes, tables.modes);
    let alignments = tables.alignments;
    // The memory bound drops the longest lags first.
    while (alignments > 1 && tables.cellsFor(Math.max(units, tables.units), wantModes, alignments) > this.maxCells) alignments--;
    tables.relayout(wantModes, alignments);
    tables.ensureUnits(units);
    this.capped = alignments - 1;
  }

  /**
   * A bin entered (+1) or left (−1) the window. The history must hold the
   * bin's own mode and the modes `lag` bins before it (record a bin in the
   * history before it enters).
   */
  update(entry: WindowBin, delta: 1 | -1, units: number, modes: number): void {
    this.ensure(units, modes);
    this.binsIn += delta;
    const K = this.tables.alignments;
    let count = 0;
    if (entry.label >= 0) {
      this.aligned[count] = 0;
      this.modeOf[count++] = entry.label;
    }
    for (let k = 1; k < K; k++) {
      const label = this.history.labelAt(entry.bin - this.lags[k - 1]);
      if (label >= 0) {
        this.aligned[count] = k;
        this.modeOf[count++] = label;
      }
    }
    this.tables.updateBin(entry.units, entry.symbols, this.aligned, this.modeOf, count, delta);
  }

  /** Every pair's statistic, p and p_fwer for the window that starts at `windowStartBin`. */
  evaluate(windowStartBin: number, units: number, modes: number): PairSignificance {
    this.ensure(units, modes);
    const pairs = (units * (units - 1)) / 2;
    const first = this.history.firstBin;
    const available = first === undefined ? 0 : Math.min(this.capped, availableLags(this.lags, windowStartBin, first));
    const effective = effectiveSurrogates(available, this.stepBins, this.history.meanDwellBins);
    const statistic = new Float64Array(pairs);
    const excess = new Float64Array(pairs);
    const beyond = new Uint32Array(pairs);
    const maxima = new Float64Array(available).fill(-Infinity);
    const count = 1 + available;
    this.readOut(units, modes, count, (pair, values) => {
      // The pair's values under every alignment: centre them on their mean (a symmetric function of all of them,
      // so that under the null the real alignment is exchangeable with the surrogates), then compare distances.
      let sum = 0;
      for (let v = 0; v < count; v++) sum += values[v];
      const mean = sum / count;
      const observed = values[0] - mean;
      statistic[pair] = values[0];
      excess[pair] = available === 0 ? 0 : observed;
      const reach = Math.abs(observed) - TIE_BITS;
      let atLeast = 0;
      for (let v = 1; v < count; v++) {
        const distance = Math.abs(values[v] - mean);
        if (distance > maxima[v - 1]) maxima[v - 1] = distance;
        if (distance >= reach) atLeast++;
      }
      beyond[pair] = atLeast;
    });
    // Sorted maxima: a pair's family count is a binary search.
    const sortedMaxima = Float64Array.from(maxima).sort();
    // The tail is fitted only to enough independent maxima; before, p_fwer_tail is p_fwer.
    const tail = effective >= MIN_TAIL_SURROGATES ? gumbelTail(maxima) : undefined;
    const test = (index: number) => {
      const distance = Math.abs(excess[index]);
      const family = available - lowerBound(sortedMaxima, distance - TIE_BITS);
      const pFwer = surrogatePValue(family, available, effective);
      return { p: surrogatePValue(beyond[index], available, effective), pFwer, pFwerTail: tail === undefined ? pFwer : Math.min(pFwer, tail(distance)) };
    };
    return {
      available,
      effective,
      minP: 1 / (1 + effective),
      statistic,
      excess,
      test,
      significant(alpha: number): number {
        if (available === 0 || 1 / (1 + effective) > alpha) return 0;
        let significant = 0;
        for (let q = 0; q < pairs; q++) if (test(q).pFwer <= alpha) significant++;
        return significant;
      },
    };
  }

  /**
   * Plug-in synergy of every pair under alignments 0 … count − 1, handed to
   * `take` pair by pair (pair index j(j−1)/2 + i; values[k] for alignment
   * k). With f(n) = n log2 n and N labeled bins,
   * N·Syn = Σ f(n_abm) − Σ f(n_ab) + U_a + U_b + Σ_m f(n_m) − f(N), where
   * U_u = Σ_x f(n_x) − Σ_{x,m} f(n_xm) is the unit's own part.
   */
  private readOut(units: number, modes: number, count: number, take: (pair: number, values: Float64Array) => void): void {
    const f = this.nLog2n;
    const t = this.tables;
    const s = t.symbols;
    const levels = t.levels;
    const K = t.alignments;
    const mK = t.modes * K;
    const total = new Float64Array(count);
    const constant = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      let n = 0;
      let modeTerm = 0;
      for (let m = 0; m < modes; m++) {
        const c = t.modeCounts[m * K + k];
        n += c;
        modeTerm += f[c];
      }
      total[k] = n;
      constant[k] = n === 0 ? 0 : modeTerm - f[n];
    }
    // Each unit's own term per alignment, and how often it fired per mode: [u][m][k].
    const unitTerms = new Float64Array(units * count);
    const fired = new Int32Array(units * modes * count);
    const overall = new Float64Array(levels);
    const perUnit = t.cellsPerUnit;
    for (let u = 0; u < units; u++) {
      for (let k = 0; k < count; k++) {
        overall.fill(0);
        let term = 0;
        for (let m = 0; m < modes; m++) {
          let firedHere = 0;
          for (let a = 1; a <= s; a++) {
            const n = t.unitCounts[u * perUnit + (a - 1) * mK + m * K + k];
            overall[a] += n;
            firedHere += n;
            term -= f[n];
          }
          const silent = t.modeCounts[m * K + k] - firedHere;
          overall[0] += silent;
          term -= f[silent];
          fired[(u * modes + m) * count + k] = firedHere;
        }
        for (let a = 0; a < levels; a++) term += f[overall[a]];
        unitTerms[u * count + k] = term;
      }
    }
    // Every bin labeled under every alignment (the steady state of a fully labeled recording): a pair's table summed
    // over the modes is the same under all of them, Σ f(n_ab) is read once per pair (readOutFull).
    let allLabeled = this.binsIn > 0;
    for (let k = 0; k < count; k++) if (total[k] !== this.binsIn) allLabeled = false;
    const values = new Float64Array(count);
    const sums = new Float64Array(count);
    const joint = new Int32Array(9 * count);
    const perPair = t.cellsPerPair;
    const unitCounts = t.unitCounts;
    const modeCounts = t.modeCounts;
    let index = 0;
    for (let j = 1; j < units; j++) {
      const row = t.rows[j];
      const unitJ = j * perUnit;
      for (let i = 0; i < j; i++, index++) {
        const pairBase = i * perPair;
        const unitI = i * perUnit;
        if (s === 2 && allLabeled) {
          take(index, this.readOutFull(row, pairBase, unitI, unitJ, i, j, modes, count, unitTerms, constant, total, fired, values, sums));
          continue;
        }
        if (s !== 2) {
          for (let k = 0; k < count; k++) {
            const n = total[k];
            values[k] = n === 0 ? 0 : (this.pairTermAnySymbols(row, pairBase, unitI, unitJ, i, j, k, modes, count, fired) + unitTerms[i * count + k] + unitTerms[j * count + k] + constant[k]) / n;
          }
          take(index, values);
          continue;
        }
        // Levels = 3 (the default), written out, mode by mode with the alignments innermost (stride-1 loads):
        // Σ f(n_abm) − Σ f(n_ab) over the nine cells of each mode.
        sums.fill(0, 0, count);
        joint.fill(0, 0, 9 * count);
        const firedI = i * modes * count;
        const firedJ = j * modes * count;
        for (let m = 0; m < modes; m++) {
          const base = pairBase + m * K;
          const baseI = unitI + m * K;
          const baseJ = unitJ + m * K;
          const firedIm = firedI + m * count;
          const firedJm = firedJ + m * count;
          const modeBase = m * K;
          for (let k = 0; k < count; k++) {
            const c11 = row[base + k];
            const c12 = row[base + mK + k];
            const c21 = row[base + 2 * mK + k];
            const c22 = row[base + 3 * mK + k];
            const i1 = unitCounts[baseI + k] - c11 - c12;
            const i2 = unitCounts[baseI + mK + k] - c21 - c22;
            const b1 = unitCounts[baseJ + k] - c11 - c21;
            const b2 = unitCounts[baseJ + mK + k] - c12 - c22;
            const none = modeCounts[modeBase + k] - fired[firedIm + k] - fired[firedJm + k] + c11 + c12 + c21 + c22;
            sums[k] += f[c11] + f[c12] + f[c21] + f[c22] + f[i1] + f[i2] + f[b1] + f[b2] + f[none];
            const cell = 9 * k;
            joint[cell] += none;
            joint[cell + 1] += b1;
            joint[cell + 2] += b2;
            joint[cell + 3] += i1;
            joint[cell + 4] += c11;
            joint[cell + 5] += c12;
            joint[cell + 6] += i2;
            joint[cell + 7] += c21;
            joint[cell + 8] += c22;
          }
        }
        for (let k = 0; k < count; k++) {
          const n = total[k];
          if (n === 0) {
            values[k] = 0;
            continue;
          }
          const cell = 9 * k;
          const sum =
            sums[k] -
            (f[joint[cell]] + f[joint[cell + 1]] + f[joint[cell + 2]] + f[joint[cell + 3]] + f[joint[cell + 4]] + f[joint[cell + 5]] + f[joint[cell + 6]] + f[joint[cell + 7]] + f[joint[cell + 8]]);
          values[k] = (sum + unitTerms[i * count + k] + unitTerms[j * count + k] + constant[k]) / n;
        }
        take(index, values);
      }
    }
  }

  /**
   * readOut's levels = 3 case when every bin in the window is labeled under
   * every alignment: Σ f(n_ab) (the pair's table over all modes) is the same
   * under every alignment and is read once, from alignment 0; and when no bin
   * has both units at the top level (n_22 = 0 over the window, hence under
   * every alignment) that cell is not read. Exactly the general sum, term for
   * term.
   */
  private readOutFull(
    row: Uint16Array | Int32Array,
    pairBase: number,
    unitI: number,
    unitJ: number,
    i: number,
    j: number,
    modes: number,
    count: number,
    unitTerms: Float64Array,
    constant: Float64Array,
    total: Float64Array,
    fired: Int32Array,
    values: Float64Array,
    sums: Float64Array,
  ): Float64Array {
    const f = this.nLog2n;
    const t = this.tables;
    const K = t.alignments;
    const mK = t.modes * K;
    const unitCounts = t.unitCounts;
    const modeCounts = t.modeCounts;
    // The pair's table over the window, from alignment 0.
    let j11 = 0;
    let j12 = 0;
    let j21 = 0;
    let j22 = 0;
    let jI1 = 0;
    let jI2 = 0;
    let jJ1 = 0;
    let jJ2 = 0;
    let jNone = 0;
    for (let m = 0; m < modes; m++) {
      const base = pairBase + m * K;
      j11 += row[base];
      j12 += row[base + mK];
      j21 += row[base + 2 * mK];
      j22 += row[base + 3 * mK];
      jI1 += unitCounts[unitI + m * K];
      jI2 += unitCounts[unitI + mK + m * K];
      jJ1 += unitCounts[unitJ + m * K];
      jJ2 += unitCounts[unitJ + mK + m * K];
      jNone += modeCounts[m * K] - fired[(i * modes + m) * count] - fired[(j * modes + m) * count];
    }
    jNone += j11 + j12 + j21 + j22;
    jI1 -= j11 + j12;
    jI2 -= j21 + j22;
    jJ1 -= j11 + j21;
    jJ2 -= j12 + j22;
    const jointTerm = f[jNone] + f[jJ1] + f[jJ2] + f[jI1] + f[j11] + f[j12] + f[jI2] + f[j21] + f[j22];
    sums.fill(0, 0, count);
    const firedI = i * modes * count;
    const firedJ = j * modes * count;
    for (let m = 0; m < modes; m++) {
      const base = pairBase + m * K;
      const baseI = unitI + m * K;
      const baseJ = unitJ + m * K;
      const firedIm = firedI + m * count;
      const firedJm = firedJ + m * count;
      const modeBase = m * K;
      if (j22 === 0) {
        for (let k = 0; k < count; k++) {
          const c11 = row[base + k];
          const c12 = row[base + mK + k];
          const c21 = row[base + 2 * mK + k];
          sums[k] +=
            f[c11] +
            f[c12] +
            f[c21] +
            f[unitCounts[baseI + k] - c11 - c12] +
            f[unitCounts[baseI + mK + k] - c21] +
            f[unitCounts[baseJ + k] - c11 - c21] +
            f[unitCounts[baseJ + mK + k] - c12] +
            f[modeCounts[modeBase + k] - fired[firedIm + k] - fired[firedJm + k] + c11 + c12 + c21];
        }
      } else {
        for (let k = 0; k < count; k++) {
          const c11 = row[base + k];
          const c12 = row[base + mK + k];
          const c21 = row[base + 2 * mK + k];
          const c22 = row[base + 3 * mK + k];
          sums[k] +=
            f[c11] +
            f[c12] +
            f[c21] +
            f[c22] +
            f[unitCounts[baseI + k] - c11 - c12] +
            f[unitCounts[baseI + mK + k] - c21 - c22] +
            f[unitCounts[baseJ + k] - c11 - c21] +
            f[unitCounts[baseJ + mK + k] - c12 - c22] +
            f[modeCounts[modeBase + k] - fired[firedIm + k] - fired[firedJm + k] + c11 + c12 + c21 + c22];
        }
      }
    }
    for (let k = 0; k < count; k++) values[k] = (sums[k] - jointTerm + unitTerms[i * count + k] + unitTerms[j * count + k] + constant[k]) / total[k];
    return values;
  }

  private jointScratch = new Float64Array(0);
  private columnScratch = new Float64Array(0);

  /** Σ f(n_abm) − Σ f(n_ab) of one pair under alignment k, any number of levels. */
  private pairTermAnySymbols(row: Uint16Array | Int32Array, pairBase: number, unitI: number, unitJ: number, i: number, j: number, k: number, modes: number, count: number, fired: Int32Array): number {
    const f = this.nLog2n;
    const t = this.tables;
    const s = t.symbols;
    const levels = t.levels;
    const K = t.alignments;
    const mK = t.modes * K;
    if (this.jointScratch.length < levels * levels) {
      this.jointScratch = new Float64Array(levels * levels);
      this.columnScratch = new Float64Array(levels);
    }
    const joint = this.jointScratch;
    const columnSums = this.columnScratch;
    joint.fill(0);
    let sum = 0;
    for (let m = 0; m < modes; m++) {
      const slot = m * K + k;
      let both = 0;
      columnSums.fill(0);
      for (let a = 1; a <= s; a++) {
        let rowSum = 0;
        for (let b = 1; b <= s; b++) {
          const n = row[pairBase + ((a - 1) * s + (b - 1)) * mK + slot];
          sum += f[n];
          joint[a * levels + b] += n;
          rowSum += n;
          columnSums[b] += n;
        }
        const onlyI = t.unitCounts[unitI + (a - 1) * mK + slot] - rowSum;
        sum += f[onlyI];
        joint[a * levels] += onlyI;
        both += rowSum;
      }
      for (let b = 1; b <= s; b++) {
        const onlyJ = t.unitCounts[unitJ + (b - 1) * mK + slot] - columnSums[b];
        sum += f[onlyJ];
        joint[b] += onlyJ;
      }
      const neither = t.modeCounts[slot] - fired[(i * modes + m) * count + k] - fired[(j * modes + m) * count + k] + both;
      sum += f[neither];
      joint[0] += neither;
    }
    for (let c = 0; c < levels * levels; c++) sum -= f[joint[c]];
    return sum;
  }
}

/** Effectively independent surrogates the Gumbel tail is fitted to at least (p_fwer ≤ 0.05 possible without it). */
export const MIN_TAIL_SURROGATES = 19;

/** Euler–Mascheroni constant. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * The tail of the surrogates' maxima beyond what they sample: a Gumbel
 * distribution fitted to them by moments (the largest of many weakly
 * dependent values; Gumbel 1958), P(T ≥ x) = 1 − exp(−exp(−(x − μ)/β)),
 * β = s·√6/π, μ = mean − γβ. It gives p_fwer below 1 / (1 + M) for an
 * observation far beyond every surrogate. 1 with fewer than 2 maxima.
 */
export function gumbelTail(maxima: ArrayLike<number>): (x: number) => number {
  const n = maxima.length;
  if (n < 2) return () => 1;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += maxima[k];
  const mean = sum / n;
  let squares = 0;
  for (let k = 0; k < n; k++) squares += (maxima[k] - mean) ** 2;
  const beta = (Math.sqrt(squares / (n - 1)) * Math.sqrt(6)) / Math.PI;
  const mu = mean - EULER_GAMMA * beta;
  if (!(beta > 0)) return (x) => (x > mu + TIE_BITS ? 0 : 1);
  return (x) => -Math.expm1(-Math.exp(-(x - mu) / beta));
}

/** The first index whose value is ≥ x (values ascending). */
function lowerBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
