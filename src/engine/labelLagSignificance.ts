import type { LabelHistory } from './labelHistory.ts';
import { benjaminiHochbergLevels } from './benjaminiHochberg.ts';
import { availableLags, effectiveSurrogates, surrogatePValue } from './labelLagSchedule.ts';
import { LaggedPairTables } from './laggedPairTables.ts';
import type { LabelPermutations } from './labelPermutations.ts';
import { finishPair, pairRowsJs, TIE_BITS, type PairRowsShape, type ReadOutResult } from './significanceRows.ts';
import { runKernel } from './wasm/significanceKernel.ts';
import { ALL_ROWS, type TileRows } from './tiles.ts';
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
  /** Per pair: surrogates at least as far from the mean as the observation. */
  beyond: Uint32Array;
  /** Per surrogate: the largest |excess| over the pairs (−Infinity without pairs). */
  maxima: Float64Array;
  /** Pairs per count of surrogates beyond (length available + 1). */
  beyondCounts: Uint32Array;
  /** p_fwer of a pair at |excess| = distance. */
  familyP(distance: number): number;
  /**
   * p and p_fwer of pair `index`, two-sided on |excess|: p, the share of
   * surrogates at least as far from the mean; p_fwer (Westfall–Young max-T),
   * the share whose largest |excess| over all pairs reaches this pair's.
   */
  test(index: number): { p: number; pFwer: number; pFwerTail: number };
  /** Pairs with p_fwer ≤ alpha. */
  significant(alpha: number): number;
  /**
   * Benjamini–Hochberg q of pair `index`: its own p adjusted over all pairs
   * (the false discovery rate at which it would just be a discovery).
   */
  q(index: number): number;
  /** Pairs with q ≤ alpha: the discoveries at false discovery rate alpha. */
  discoveries(alpha: number): number;
}


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
  private tables: LaggedPairTables;
  private nLog2n = new Float64Array(1);
  private readonly aligned: Int32Array;
  private readonly modeOf: Int32Array;
  /** Surrogates kept within the memory bound (≤ lags.length). */
  capped: number;
  /**
   * Where levels = 3 is read out: 'wasm', the WebAssembly kernel (the
   * default), or 'js', its JavaScript reference (the same bits).
   */
  kernel: 'wasm' | 'js' = 'wasm';
  /** Bins in the tables (labeled or not): an alignment that labels them all sees the same pair joint as every other such. */
  private binsIn = 0;

  constructor(
    readonly levels: number,
    readonly windowBins: number,
    public lags: Int32Array,
    readonly history: LabelHistory,
    /** The spacing of the lags (labelLags), bins. */
    public stepBins: number,
    readonly maxCells = 2 ** 28,
    /** The pairs held: a tile's band of rows (tiles.ts), or all. */
    readonly rows: TileRows = ALL_ROWS,
    /**
     * Permutation surrogates instead of label lags (trials, snapshots):
     * surrogate k pairs each bin with the label σ_k gives it (labelPermutations.ts);
     * `lags` then only counts the surrogates.
     */
    readonly permutations?: LabelPermutations,
    /**
     * With permutations, windows that do not overlap (hop = window: the
     * rows of snapshots): the tables are filled once per emission from the
     * window's bins with fresh Fisher–Yates permutations of their labels,
     * instead of kept bin by bin (no moves of other bins, no bins leaving).
     */
    tumbling = false,
  ) {
    if (tumbling && permutations !== undefined) this.tumbling = [];
    this.tables = new LaggedPairTables(levels, 1 + lags.length, windowBins, rows.first);
    this.aligned = new Int32Array(1 + lags.length);
    this.modeOf = new Int32Array(1 + lags.length);
    this.capped = lags.length;
    this.ensureSamples(windowBins);
  }

  /**
   * Moves to other lags (the automatic lag step changed): the surrogates'
   * tables start anew and `entries`, the bins now in the window (oldest
   * first), enter them again; the history must hold their lagged modes.
   * Afterwards everything is as if these lags had been used from the start.
   */
  relag(lags: Int32Array, stepBins: number, entries: readonly WindowBin[], units: number, modes: number): void {
    if (lags.length !== this.lags.length) throw new Error(`internal: relag from ${this.lags.length} to ${lags.length} lags`);
    this.lags = lags;
    this.stepBins = stepBins;
    this.tables = new LaggedPairTables(this.levels, 1 + lags.length, this.windowBins, this.rows.first);
    this.capped = lags.length;
    this.binsIn = 0;
    this.unitsKnown = 0;
    for (const entry of entries) this.update(entry, 1, units, modes);
  }

  /** Bytes of the surrogates' count tables (their WebAssembly memory included). */
  memoryBytes(): number {
    const t = this.tables;
    return t.memory.buffer.byteLength + t.unitCounts.byteLength + t.modeCounts.byteLength + this.nLog2n.byteLength;
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

  /**
   * Room for `units` units (all the analysis knows; a tile holds those
   * below its end) and `modes` modes. The memory bound is on the cells of
   * every pair, as one process holds them, so that tiles keep the
   * surrogates one process keeps. Returns the units held.
   */
  private ensure(units: number, modes: number): number {
    const tables = this.tables;
    const held = Math.min(units, this.rows.end);
    if (units <= this.unitsKnown && held <= tables.units && modes <= tables.modes) return held;
    this.unitsKnown = Math.max(units, this.unitsKnown);
    const wantModes = Math.max(modes, tables.modes);
    let alignments = tables.alignments;
    // The memory bound drops the longest lags first.
    while (alignments > 1 && tables.cellsFor(this.unitsKnown, wantModes, alignments) > this.maxCells) alignments--;
    tables.relayout(wantModes, alignments);
    tables.ensureUnits(held);
    this.capped = alignments - 1;
    return held;
  }

  /** The most units seen (what the memory bound is checked against). */
  private unitsKnown = 0;

  /**
   * A bin entered (+1) or left (−1) the window. The history must hold the
   * bin's own mode and the modes `lag` bins before it (record a bin in the
   * history before it enters). A tile's entries hold only units below its end.
   */
  update(entry: WindowBin, delta: 1 | -1, units: number, modes: number): void {
    this.ensure(units, modes);
    this.binsIn += delta;
    if (this.permutations !== undefined) {
      if (this.tumbling !== undefined) {
        // Tumbling windows: the bins of the next window wait for its emission (fillTumbling); leaving ones are cleared then.
        if (delta === 1) this.tumbling.push(entry);
        return;
      }
      this.updatePermuted(entry, delta);
      return;
    }
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

  /** Tumbling windows: the bins entered since the last emission (oldest first). */
  private readonly tumbling: WindowBin[] | undefined;
  /** Labeled bins of the window last filled. */
  private tumblingLabeled = 0;

  /**
   * Tumbling windows: the tables hold exactly the bins entered since the
   * last emission, the real alignment with their own labels and surrogate
   * k with a uniformly random permutation of them (Fisher–Yates, drawn
   * from the permutations' seeded stream for every surrogate, held or not).
   */
  private fillTumbling(): void {
    const entries = this.tumbling!;
    const permutations = this.permutations!;
    this.tables.clear();
    const labeled = entries.filter((entry) => entry.label >= 0);
    const n = labeled.length;
    const K = this.tables.alignments;
    const assigned = permutations.drawPermutations(Int32Array.from(labeled, (entry) => entry.label));
    // Alignment 0 the real labels, k ≥ 1 surrogate k − 1's (those held within the memory bound).
    const modes = new Int32Array(K * n);
    for (let x = 0; x < n; x++) modes[x] = labeled[x].label;
    modes.set(assigned.subarray(0, (K - 1) * n), n);
    this.tables.addBins(labeled, modes);
    this.binsIn = entries.length;
    this.tumblingLabeled = n;
    entries.length = 0;
  }

  private permutedLabels = new Int32Array(0);

  /**
   * update() under permutation surrogates: the bin enters (leaves) the real
   * alignment with its own label and surrogate k's with the label σ_k gives
   * it; the bins whose labels the permutations moved change modes in their
   * surrogates' tables. Surrogates beyond the memory bound are drawn but
   * not tabulated (every tile draws alike).
   */
  /** A bin the permutations gave another label under surrogate k moves between modes in that surrogate's tables (if held). */
  private readonly relabel = (k: number, other: WindowBin, from: number, to: number): void => {
    if (k + 1 < this.tables.alignments) this.tables.moveBin(other.units, other.symbols, k + 1, from, to);
  };

  private updatePermuted(entry: WindowBin, delta: 1 | -1): void {
    if (entry.label < 0) return;
    const permutations = this.permutations!;
    if (this.permutedLabels.length < permutations.count) this.permutedLabels = new Int32Array(permutations.count);
    const labels = this.permutedLabels;
    const K = this.tables.alignments;
    if (delta === 1) permutations.enter(entry, labels, this.relabel);
    else permutations.leave(entry, labels, this.relabel);
    let count = 0;
    this.aligned[count] = 0;
    this.modeOf[count++] = entry.label;
    for (let k = 1; k < K; k++) {
      this.aligned[count] = k;
      this.modeOf[count++] = labels[k - 1];
    }
    this.tables.updateBin(entry.units, entry.symbols, this.aligned, this.modeOf, count, delta);
  }

  /**
   * Every held pair's statistic, p and p_fwer for the window that starts at
   * `windowStartBin`; a tile's (rows) pairs are indexed from its first pair,
   * and its tests are against its own maxima (TileAnalyzer sends what the
   * coordinator needs to test against all tiles').
   */
  evaluate(windowStartBin: number, allUnits: number, modes: number): PairSignificance {
    const units = this.ensure(allUnits, modes);
    if (this.tumbling !== undefined) this.fillTumbling();
    const pairs = this.tables.pairsHeld(units);
    const first = this.history.firstBin;
    let available: number;
    let effective: number;
    if (this.permutations !== undefined) {
      // Every permutation of the window's labels is an independent draw.
      available = (this.tumbling === undefined ? this.permutations.size : this.tumblingLabeled) === 0 ? 0 : this.capped;
      effective = available;
    } else {
      available = first === undefined ? 0 : Math.min(this.capped, availableLags(this.lags, windowStartBin, first));
      effective = effectiveSurrogates(available, this.stepBins, this.history.meanDwellBins);
    }
    const statistic = new Float64Array(pairs);
    const excess = new Float64Array(pairs);
    const beyond = new Uint32Array(pairs);
    const maxima = new Float64Array(available).fill(-Infinity);
    const count = 1 + available;
    this.readOut(units, modes, count, available, { statistic, excess, beyond, maxima });
    const beyondCounts = new Uint32Array(available + 1);
    for (let q = 0; q < pairs; q++) beyondCounts[beyond[q]]++;
    const family = familyTests(available, effective, maxima, beyondCounts);
    return {
      available,
      effective,
      minP: 1 / (1 + effective),
      statistic,
      excess,
      beyond,
      maxima,
      beyondCounts,
      familyP: family.familyP,
      test: (index: number) => family.test(excess[index], beyond[index]),
      significant(alpha: number): number {
        let significant = 0;
        if (family.canReach(alpha)) for (let q = 0; q < pairs; q++) if (family.familyP(Math.abs(excess[q])) <= alpha) significant++;
        return significant;
      },
      q: (index: number) => family.q(beyond[index]),
      discoveries: family.discoveries,
    };
  }

  /**
   * Every pair's plug-in synergy under alignments 0 … count − 1, and from
   * those its statistic, excess, own count of surrogates at least as far
   * from the mean (`beyond`) and the surrogates' maxima. With f(n) = n log2 n
   * and N labeled bins,
   * N·Syn = Σ f(n_abm) − Σ f(n_ab) + U_a + U_b + Σ_m f(n_m) − f(N), where
   * U_u = Σ_x f(n_x) − Σ_{x,m} f(n_xm) is the unit's own part. Levels = 3
   * (the default) runs in the WebAssembly kernel (kernel 'wasm'), or in
   * pairRowsJs, its reference; other levels in readOutAnySymbols.
   */
  private readOut(units: number, modes: number, count: number, available: number, out: ReadOutResult): void {
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
    // Every bin labeled under every alignment (the steady state of a fully labeled recording): a pair's table
    // summed over the modes is the same under all of them, and Σ f(n_ab) is read once per pair.
    let allLabeled = this.binsIn > 0;
    for (let k = 0; k < count; k++) if (total[k] !== this.binsIn) allLabeled = false;
    const shape: PairRowsShape = { perPair: t.cellsPerPair, perUnit, mK, K, modes, count, allLabeled, available, firstPair: t.firstPair };
    if (s !== 2) {
      this.readOutAnySymbols(units, shape, f, unitTerms, constant, total, fired, out);
      return;
    }
    if (this.kernel === 'js') {
      const scratch = { sums: new Float64Array(count), values: new Float64Array(count), joint: new Int32Array(9 * count) };
      pairRowsJs(t.cells, Math.max(1, t.firstRow), units, shape, f, t.unitCounts, t.modeCounts, fired, unitTerms, constant, total, out, scratch);
      return;
    }
    runKernel(t, units, shape, f, fired, unitTerms, constant, total, out);
  }

  /** readOut for levels other than 3: the general sum, alignment by alignment. */
  private readOutAnySymbols(units: number, shape: PairRowsShape, f: Float64Array, unitTerms: Float64Array, constant: Float64Array, total: Float64Array, fired: Int32Array, out: ReadOutResult): void {
    const { count, modes, perPair, perUnit } = shape;
    const values = new Float64Array(count);
    const cells = this.tables.cells;
    let index = 0;
    for (let j = Math.max(1, this.tables.firstRow); j < units; j++) {
      for (let i = 0; i < j; i++, index++) {
        for (let k = 0; k < count; k++) {
          const n = total[k];
          values[k] = n === 0 ? 0 : (this.pairTermAnySymbols(cells, index * perPair, i * perUnit, j * perUnit, i, j, k, modes, count, fired) + unitTerms[i * count + k] + unitTerms[j * count + k] + constant[k]) / n;
        }
        finishPair(index, values, count, shape.available, out);
      }
    }
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

/** The family-wise and false-discovery tests of pairs against the surrogates of all pairs. */
export interface FamilyTests {
  /** p_fwer of a pair at `distance` = |excess|: the share of surrogates whose maximum reaches it. */
  familyP(distance: number): number;
  /** Whether any pair can reach p_fwer ≤ alpha (1 / (1 + effective) ≤ alpha, a surrogate at least). */
  canReach(alpha: number): boolean;
  /** p, p_fwer and p_fwer_tail of a pair with this excess and count of surrogates beyond. */
  test(excess: number, beyond: number): { p: number; pFwer: number; pFwerTail: number };
  /** Benjamini–Hochberg q of a pair with this count of surrogates beyond. */
  q(beyond: number): number;
  /** Pairs with q ≤ alpha. */
  discoveries(alpha: number): number;
}

/**
 * The tests of every pair from what they need of all pairs: the surrogates'
 * maxima of |excess| (per surrogate, over all pairs) and the pairs per count
 * of surrogates beyond (Benjamini–Hochberg's input). One implementation for
 * one process and for tiles merged (tileMerge.ts): the maxima of all tiles
 * are the per-surrogate maxima of theirs, and the counts their sums.
 */
export function familyTests(available: number, effective: number, maxima: Float64Array, beyondCounts: Uint32Array): FamilyTests {
  // Sorted maxima: a pair's family count is a binary search.
  const sortedMaxima = Float64Array.from(maxima).sort();
  // The tail is fitted only to enough independent maxima; before, p_fwer_tail is p_fwer.
  const tail = effective >= MIN_TAIL_SURROGATES ? gumbelTail(maxima) : undefined;
  // Benjamini–Hochberg over the pairs' own p: p rises with the count of surrogates beyond, so a counting sort.
  let qOfCount: Float64Array | undefined;
  const bhLevels = (): Float64Array => (qOfCount ??= benjaminiHochbergLevels(beyondCounts, (c) => surrogatePValue(c, available, effective)));
  const familyP = (distance: number) => surrogatePValue(available - lowerBound(sortedMaxima, distance - TIE_BITS), available, effective);
  return {
    familyP,
    canReach: (alpha) => available > 0 && 1 / (1 + effective) <= alpha,
    test(excess, beyond) {
      const distance = Math.abs(excess);
      const pFwer = familyP(distance);
      return { p: surrogatePValue(beyond, available, effective), pFwer, pFwerTail: tail === undefined ? pFwer : Math.min(pFwer, tail(distance)) };
    },
    q: (beyond) => bhLevels()[beyond],
    discoveries(alpha) {
      const q = bhLevels();
      let found = 0;
      for (let c = 0; c < q.length; c++) if (q[c] <= alpha + 1e-12) found += beyondCounts[c];
      return found;
    },
  };
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
