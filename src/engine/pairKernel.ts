import type { EstimatorName } from '../estimators/estimate.ts';
import { PanzeriTrevesTables } from './panzeriTrevesTables.ts';
import { countTerms, QUARTER_SET_WEIGHTS, QUARTER_SETS } from './readoutKernel.ts';

/** I(X_a,X_b;Y), I(X_a;Y), I(X_b;Y) of one pair, in bits. */
export interface PairTerms {
  joint: number;
  ia: number;
  ib: number;
}

const LN2 = Math.LN2;

/**
 * The information terms of a pair from its dense count cells, for every
 * streaming estimator but `shuffle`: the same numbers the batch library
 * gives for a JointTable of (X_a, X_b, Y) with alphabets (levels, levels, ·),
 * computed with flat arrays and an n·log2 n lookup instead of Maps.
 *
 * Cells are laid out [quarter][mode][x_a][x_b]. Plug-in entropies use
 * H = log2 N − (1/N) Σ n log2 n; conditional ones are weighted per mode, and
 * the first-order corrections (R − 1)/(2N ln 2) go per table (SCIENCE.md).
 */
export class PairKernel {
  readonly levels: number;
  private nLog2n: Float64Array;
  /** n·[(n − 1) log2(n − 1) − n log2 n]: what one table cell of n adds to the jackknife's leave-one-out sum. */
  private leaveOneOut: Float64Array;
  /** Scratch: per-mode pair table (quarters summed) [m][x_a][x_b], its marginals, overall tables. */
  private table: Float64Array;
  private marginalA: Float64Array;
  private marginalB: Float64Array;
  private overall: Float64Array;
  private overallA: Float64Array;
  private overallB: Float64Array;
  private modeTotals: Float64Array;
  private modes = 0;
  private unitScratch = new Float64Array(0);
  private readonly panzeriTreves = new PanzeriTrevesTables();

  constructor(levels: number, maxSamples: number, modes: number) {
    this.levels = levels;
    this.nLog2n = new Float64Array(0);
    this.leaveOneOut = new Float64Array(0);
    this.ensureSamples(maxSamples);
    this.table = new Float64Array(0);
    this.marginalA = new Float64Array(0);
    this.marginalB = new Float64Array(0);
    this.overall = new Float64Array(levels * levels);
    this.overallA = new Float64Array(levels);
    this.overallB = new Float64Array(levels);
    this.modeTotals = new Float64Array(0);
    this.ensureModes(modes);
  }

  ensureSamples(maxSamples: number): void {
    if (maxSamples + 1 <= this.nLog2n.length) return;
    ({ nLog2n: this.nLog2n, leaveOneOut: this.leaveOneOut } = countTerms(maxSamples));
  }

  ensureModes(modes: number): void {
    if (modes <= this.modes) return;
    const l = this.levels;
    this.table = new Float64Array(modes * l * l);
    this.marginalA = new Float64Array(modes * l);
    this.marginalB = new Float64Array(modes * l);
    this.modeTotals = new Float64Array(modes);
    this.modes = modes;
  }

  /**
   * The pair's terms under `estimator` from `cells` ([quarter][mode][x_a][x_b],
   * `modes` modes per quarter). `qe` uses the four quarters; every other
   * estimator their sum.
   */
  terms(cells: Float64Array, quarters: number, modes: number, estimator: EstimatorName): PairTerms {
    this.ensureModes(modes);
    if (estimator === 'qe') {
      if (quarters !== 4) throw new RangeError('the qe estimator needs four quarter tables');
      const full = this.termsOf(cells, modes, 0b1111, 'plugin');
      const halves = [this.termsOf(cells, modes, 0b0011, 'plugin'), this.termsOf(cells, modes, 0b1100, 'plugin')];
      const quarterTerms = [0, 1, 2, 3].map((q) => this.termsOf(cells, modes, 1 << q, 'plugin'));
      // I∞ = (8/3) I(N) − 2 mean I(N/2) + (1/3) mean I(N/4) (Strong et al. 1998), as in quadraticExtrapolation.ts.
      const combine = (key: keyof PairTerms) =>
        (8 / 3) * full[key] - halves[0][key] - halves[1][key] + quarterTerms.reduce((s, t) => s + t[key], 0) / 12;
      return { joint: combine('joint'), ia: combine('ia'), ib: combine('ib') };
    }
    return this.termsOf(cells, modes, quarters === 4 ? 0b1111 : 0b1, estimator);
  }

  /**
   * I(X_u;Y) of one unit from its cells [quarter][mode][x] (quarters summed),
   * for the term-wise estimators (plugin, miller-madow, panzeri-treves).
   */
  singleInformation(unitCells: Float64Array, quarters: number, modes: number, estimator: EstimatorName): number {
    this.ensureModes(modes);
    const l = this.levels;
    const perMode = this.marginalA;
    perMode.fill(0, 0, modes * l);
    for (let q = 0; q < quarters; q++) {
      for (let c = 0; c < modes * l; c++) perMode[c] += unitCells[q * modes * l + c];
    }
    this.overallA.fill(0);
    let total = 0;
    for (let m = 0; m < modes; m++) {
      let modeTotal = 0;
      for (let x = 0; x < l; x++) {
        modeTotal += perMode[m * l + x];
        this.overallA[x] += perMode[m * l + x];
      }
      this.modeTotals[m] = modeTotal;
      total += modeTotal;
    }
    return total === 0 ? 0 : this.information(this.overallA, perMode, l, modes, total, estimator);
  }

  /**
   * A unit's own terms in every pair it is part of, from its cells
   * [quarter][mode][x]: `information`, I(X_u;Y) under `estimator` (a pair's
   * table has the unit's counts as its margin, so this is the pair's ia or
   * ib); and for `shuffle`, `conditional`, the Panzeri–Treves H(X_u|Y) the
   * shuffle estimator subtracts (0 otherwise).
   */
  unitTerms(unitCells: Float64Array, quarters: number, modes: number, estimator: EstimatorName): { information: number; conditional: number } {
    this.ensureModes(modes);
    const l = this.levels;
    if (estimator === 'jackknife') {
      const summed = this.sumQuarters(unitCells, quarters, modes, 0b1111);
      return { information: this.jackknifeInformation(summed, modes, l), conditional: 0 };
    }
    if (estimator === 'qe') {
      if (quarters !== 4) throw new RangeError('the qe estimator needs four quarter tables');
      let information = 0;
      QUARTER_SETS.forEach((mask, set) => {
        information += QUARTER_SET_WEIGHTS[set] * this.singleInformation(this.sumQuarters(unitCells, 4, modes, mask), 1, modes, 'plugin');
      });
      return { information, conditional: 0 };
    }
    const correcting = estimator === 'shuffle' ? 'panzeri-treves' : estimator;
    const information = this.singleInformation(unitCells, quarters, modes, correcting);
    if (estimator !== 'shuffle') return { information, conditional: 0 };
    // singleInformation left the unit's per-mode table in marginalA and the mode totals set.
    let total = 0;
    for (let m = 0; m < modes; m++) total += this.modeTotals[m];
    return { information, conditional: total === 0 ? 0 : this.conditionalEntropy(this.marginalA, l, modes, total, correcting) };
  }

  /** The quarters of `mask` summed: a unit's cells [mode][x] (scratch, valid until the next call). */
  private sumQuarters(unitCells: Float64Array, quarters: number, modes: number, mask: number): Float64Array {
    const size = modes * this.levels;
    if (this.unitScratch.length < size) this.unitScratch = new Float64Array(size);
    const out = this.unitScratch;
    out.fill(0, 0, size);
    for (let q = 0; q < quarters; q++) {
      if ((mask & (1 << q)) === 0) continue;
      for (let c = 0; c < size; c++) out[c] += unitCells[q * size + c];
    }
    return out;
  }

  /** I(X_a,X_b;Y) alone, for the term-wise estimators (the single-unit terms known already). */
  jointInformation(cells: Float64Array, quarters: number, modes: number, estimator: EstimatorName): number {
    this.ensureModes(modes);
    const total = this.gather(cells, modes, quarters === 4 ? 0b1111 : 0b1);
    if (total === 0) return 0;
    return this.information(this.overall, this.table, this.levels * this.levels, modes, total, estimator);
  }

  /** Sums the quarters in `mask` into the scratch tables; returns N. */
  private gather(cells: Float64Array, modes: number, mask: number): number {
    const l = this.levels;
    const perMode = l * l;
    const table = this.table;
    table.fill(0, 0, modes * perMode);
    for (let q = 0; q < 4; q++) {
      if ((mask & (1 << q)) === 0) continue;
      const base = q * modes * perMode;
      for (let c = 0; c < modes * perMode; c++) table[c] += cells[base + c];
    }
    this.overall.fill(0);
    this.overallA.fill(0);
    this.overallB.fill(0);
    let total = 0;
    for (let m = 0; m < modes; m++) {
      let modeTotal = 0;
      for (let a = 0; a < l; a++) {
        let rowSum = 0;
        for (let b = 0; b < l; b++) {
          const n = table[m * perMode + a * l + b];
          rowSum += n;
          this.overall[a * l + b] += n;
        }
        this.marginalA[m * l + a] = rowSum;
        this.overallA[a] += rowSum;
        modeTotal += rowSum;
      }
      for (let b = 0; b < l; b++) {
        let columnSum = 0;
        for (let a = 0; a < l; a++) columnSum += table[m * perMode + a * l + b];
        this.marginalB[m * l + b] = columnSum;
        this.overallB[b] += columnSum;
      }
      this.modeTotals[m] = modeTotal;
      total += modeTotal;
    }
    return total;
  }

  private termsOf(cells: Float64Array, modes: number, mask: number, estimator: EstimatorName): PairTerms {
    const total = this.gather(cells, modes, mask);
    if (total === 0) return { joint: 0, ia: 0, ib: 0 };
    const l = this.levels;
    if (estimator === 'jackknife') {
      return {
        joint: this.jackknifeInformation(this.table, modes, l * l),
        ia: this.jackknifeInformation(this.marginalA, modes, l),
        ib: this.jackknifeInformation(this.marginalB, modes, l),
      };
    }
    const joint = this.information(this.overall, this.table, l * l, modes, total, estimator);
    const ia = this.information(this.overallA, this.marginalA, l, modes, total, estimator);
    const ib = this.information(this.overallB, this.marginalB, l, modes, total, estimator);
    return { joint, ia, ib };
  }

  /**
   * Jackknife of the plug-in I(X;Y) (as jackknife.ts: N·Î − ((N−1)/N) Σ_k Î_−k)
   * from dense cells [mode][x], `symbols` cells per mode, in closed form.
   * With f(n) = n log2 n and S_T = Σ_cells f(n) of a table T,
   * Î = log2 N − (S_X + S_Y − S_XY)/N; leaving out a sample of cell (x, y)
   * lowers N and one cell of each of X, Y and XY by one, so summed over the
   * samples the S terms cancel and
   *   J = f(N) − f(N − 1) + (G_X + G_Y − G_XY)/N,  G_T = Σ_cells n·[f(n − 1) − f(n)]
   * (one table lookup per cell, `leaveOneOut`). Below two samples the
   * jackknife is the plug-in value, 0.
   */
  jackknifeInformation(cells: Float64Array, modes: number, symbols: number): number {
    const leaveOneOut = this.leaveOneOut;
    let total = 0;
    let sum = 0;
    for (let m = 0; m < modes; m++) {
      const base = m * symbols;
      let modeTotal = 0;
      for (let x = 0; x < symbols; x++) {
        const n = cells[base + x];
        modeTotal += n;
        sum -= leaveOneOut[n];
      }
      total += modeTotal;
      sum += leaveOneOut[modeTotal];
    }
    if (total < 2) return 0;
    for (let x = 0; x < symbols; x++) {
      let n = 0;
      for (let m = 0; m < modes; m++) n += cells[m * symbols + x];
      sum += leaveOneOut[n];
    }
    return this.nLog2n[total] - this.nLog2n[total - 1] + sum / total;
  }

  /**
   * I(X;Y) = H(X) − Σ_m p(m) H(X|m) from the overall table and the per-mode
   * tables (`cellsPerTable` cells each), with the estimator's correction.
   */
  private information(
    overall: Float64Array,
    perMode: Float64Array,
    cellsPerTable: number,
    modes: number,
    total: number,
    estimator: EstimatorName,
  ): number {
    const nLog2n = this.nLog2n;
    let sumOverall = 0;
    for (let c = 0; c < cellsPerTable; c++) sumOverall += nLog2n[overall[c]];
    let entropy = Math.log2(total) - sumOverall / total;
    if (estimator === 'miller-madow' || estimator === 'panzeri-treves') {
      entropy += (this.relevantCells(overall, 0, cellsPerTable, estimator) - 1) / (2 * total * LN2);
    }
    return entropy - this.conditionalEntropy(perMode, cellsPerTable, modes, total, estimator);
  }

  /** Σ_m p(m) H(X|m) from per-mode tables, each corrected with its own N_m under MM and PT. */
  private conditionalEntropy(
    perMode: Float64Array,
    cellsPerTable: number,
    modes: number,
    total: number,
    estimator: EstimatorName,
  ): number {
    const nLog2n = this.nLog2n;
    const correcting = estimator === 'miller-madow' || estimator === 'panzeri-treves';
    let conditional = 0;
    for (let m = 0; m < modes; m++) {
      const modeTotal = this.modeTotals[m];
      if (modeTotal === 0) continue;
      let sumMode = 0;
      const base = m * cellsPerTable;
      for (let c = 0; c < cellsPerTable; c++) sumMode += nLog2n[perMode[base + c]];
      let modeEntropy = Math.log2(modeTotal) - sumMode / modeTotal;
      if (correcting) {
        modeEntropy += (this.relevantCells(perMode, base, cellsPerTable, estimator) - 1) / (2 * modeTotal * LN2);
      }
      conditional += (modeTotal / total) * modeEntropy;
    }
    return conditional;
  }

  /**
   * The shuffle estimator's terms (as ShuffleSource given the engine's
   * random within-mode cycles as its pairing): I_sh = I_PT(X_a,X_b;Y) +
   * H_sh(R|Y) − H(X_a|Y) − H(X_b|Y), all Panzeri–Treves-corrected, from
   * the pair's cells and the cells of its within-mode shuffled responses
   * (one quarter each); single-unit terms PT.
   */
  shuffleTerms(cells: Float64Array, shuffledCells: Float64Array, modes: number): PairTerms {
    this.ensureModes(modes);
    const total = this.gather(cells, modes, 0b1);
    if (total === 0) return { joint: 0, ia: 0, ib: 0 };
    const l = this.levels;
    const estimator = 'panzeri-treves';
    const joint = this.information(this.overall, this.table, l * l, modes, total, estimator);
    const ia = this.information(this.overallA, this.marginalA, l, modes, total, estimator);
    const ib = this.information(this.overallB, this.marginalB, l, modes, total, estimator);
    const independent =
      this.conditionalEntropy(this.marginalA, l, modes, total, estimator) +
      this.conditionalEntropy(this.marginalB, l, modes, total, estimator);
    this.gather(shuffledCells, modes, 0b1);
    const shuffled = this.conditionalEntropy(this.table, l * l, modes, total, estimator);
    return { joint: joint + shuffled - independent, ia, ib };
  }

  /**
   * Σ_m p(m) H(X_a,X_b|m) of a pair from its cells [mode][x_a][x_b] (one
   * quarter), each mode's entropy corrected under `estimator`: the shuffle
   * estimator's H_sh(R|Y) when the cells are the within-mode shuffled ones.
   */
  conditionalEntropyOfPairs(cells: Float64Array, modes: number, estimator: EstimatorName): number {
    this.ensureModes(modes);
    const total = this.gather(cells, modes, 0b1);
    return total === 0 ? 0 : this.conditionalEntropy(this.table, this.levels * this.levels, modes, total, estimator);
  }

  private relevantCells(counts: Float64Array, from: number, length: number, estimator: EstimatorName): number {
    if (estimator === 'panzeri-treves') return this.panzeriTreves.relevantCells(counts, from, length, length);
    let occupied = 0;
    for (let c = from; c < from + length; c++) if (counts[c] > 0) occupied++;
    return occupied;
  }
}
