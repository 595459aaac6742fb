/**
 * O-information Ω(X_S) and its gradient ∂_YΩ(X_S) = Ω(X_S, Y) − Ω(X_S) of
 * one multiplet S of k units, plug-in and Miller–Madow, in bits, from the
 * samples' word codes (SCIENCE.md, "Groups of k units"):
 *
 *   Ω    = (k − 2) H(S) + Σ_j [H(X_j) − H(S−j)]                       (Rosas et al. 2019)
 *   ∂_YΩ = Σ_j I(S−j; Y) − (k − 1) I(S; Y)
 *        = Σ_j [H(S−j) − H(S−j, Y)] + H(Y) − (k − 1) [H(S) − H(S, Y)]
 *
 * (the second line is Ω(S, Y) − Ω(S) written out; e.g. Y = X1 ⊕ X2 ⊕ X3 with
 * fair inputs gives ∂_YΩ = 0 − 2·1 = −2). Every term comes from one joint
 * count table of (word of S, Y): H(S) and H(Y) are its margins, H(S−j, Y)
 * the table with unit j summed out through a precomputed cell → cell map.
 * Counts live in preallocated Int32Arrays and entropies use a table of
 * n log2 n, so an evaluation allocates nothing (the uPlot habit of
 * STYLE.md): the search evaluates thousands a hop.
 *
 * Words: unit i of the multiplet (in the order given) is digit i of a
 * base-`levels` number, unit 0 most significant; the table cell of a sample
 * is word · modes + mode.
 */
export interface MultipletScore {
  /** Plug-in Ω(X_S), bits. */
  oinfo: number;
  /** Plug-in ∂_YΩ(X_S), bits. */
  doinfoY: number;
  /** Miller–Madow Ω and ∂_YΩ: each entropy term + (R − 1)/(2N ln 2), R its occupied cells. */
  oinfoMillerMadow: number;
  doinfoYMillerMadow: number;
  /** Samples counted (those with a mode ≥ 0). */
  samples: number;
}

export function emptyScore(): MultipletScore {
  return { oinfo: 0, doinfoY: 0, oinfoMillerMadow: 0, doinfoYMillerMadow: 0, samples: 0 };
}

/** The largest joint table (words × modes) a scorer keeps: beyond it use the Gaussian estimators. */
export const MAX_MULTIPLET_CELLS = 1 << 20;

/** Cell maps of one order: with unit j summed out, and unit j's digit alone. */
interface OrderMaps {
  /** leaveOut[j][word · modes + mode] = cell of (S − j, Y). */
  leaveOut: Int32Array[];
  /** leaveOutWords[j][word] = word of S − j. */
  leaveOutWords: Int32Array[];
  /** digit[j][word] = the symbol of unit j. */
  digit: Uint8Array[];
}

export class MultipletScorer {
  readonly levels: number;
  readonly modes: number;
  readonly maxOrder: number;
  /** Joint (word, mode) counts. */
  private readonly table: Int32Array;
  /** Words alone (the table summed over modes). */
  private readonly wordTable: Int32Array;
  /** The cells made non-zero by the last fill, of the joint table and of the word table. */
  private readonly cells: Int32Array;
  private readonly wordCells: Int32Array;
  /** Scratch of a marginal (one unit summed out) and its occupied cells. */
  private readonly marginal: Int32Array;
  private readonly marginalCells: Int32Array;
  private readonly modeCounts: Int32Array;
  private readonly single: Int32Array;
  private readonly maps: (OrderMaps | undefined)[] = [];
  /** nLogN[n] = n log2 n. */
  private nLogN = new Float64Array(1);
  /** levels^i. */
  private readonly powers: Int32Array;
  /** Label surrogates last summarized: their arrays, range, kept samples and H(Y). */
  private surrogateArrays: readonly Int32Array[] = [];
  private surrogateFrom = -1;
  private surrogateCount = -1;
  private surrogateSamples = new Int32Array(0);
  private surrogateModeEntropy = new Float64Array(0);
  private readonly lagScratch = new Int32Array(16);
  private readonly offsetScratch = new Int32Array(16);
  private readonly breakScratch = new Int32Array(16);

  constructor(levels: number, modes: number, maxOrder: number) {
    if (!Number.isInteger(levels) || levels < 2 || levels > 255) throw new RangeError(`levels must be an integer 2…255, got ${levels}`);
    if (!Number.isInteger(modes) || modes < 1) throw new RangeError(`modes must be a positive integer, got ${modes}`);
    if (!Number.isInteger(maxOrder) || maxOrder < 2 || maxOrder > 12) throw new RangeError(`the largest multiplet must be 2 … 12 units, got ${maxOrder}`);
    const cells = levels ** maxOrder * modes;
    if (cells > MAX_MULTIPLET_CELLS) {
      throw new RangeError(`multiplets of ${maxOrder} units at ${levels} levels and ${modes} modes need ${cells} table cells, more than ${MAX_MULTIPLET_CELLS}`);
    }
    this.levels = levels;
    this.modes = modes;
    this.maxOrder = maxOrder;
    this.table = new Int32Array(cells);
    this.wordTable = new Int32Array(levels ** maxOrder);
    this.cells = new Int32Array(cells);
    this.wordCells = new Int32Array(levels ** maxOrder);
    this.marginal = new Int32Array(levels ** (maxOrder - 1) * modes);
    this.marginalCells = new Int32Array(levels ** (maxOrder - 1) * modes);
    this.modeCounts = new Int32Array(modes);
    this.single = new Int32Array(levels);
    this.powers = new Int32Array(maxOrder + 1);
    for (let i = 0, p = 1; i <= maxOrder; i++, p *= levels) this.powers[i] = p;
  }

  /** Makes n log2 n available for every count up to `samples`. */
  reserve(samples: number): void {
    if (samples < this.nLogN.length) return;
    const size = Math.max(samples + 1, 2 * this.nLogN.length);
    const table = new Float64Array(size);
    for (let n = 2; n < size; n++) table[n] = n * Math.log2(n);
    this.nLogN = table;
  }

  /** words[i] = the word of `units` (indices into `columns`) in sample from + i, for i < count. */
  wordsOf(columns: readonly Uint8Array[], units: ArrayLike<number>, from: number, count: number, words: Int32Array): void {
    const lags = this.lagScratch;
    lags.fill(0, 0, units.length);
    this.shiftedWordsOf(columns, units, lags, from, count, words);
  }

  /**
   * The words when each unit's column is read circularly shifted inside the
   * range [from, from + count): unit units[u] at sample i reads sample
   * from + (i + lags[lagOffset + u]) mod count. Lags in 0 … count − 1. One
   * pass over the samples, in stretches where no unit wraps around.
   */
  shiftedWordsOf(columns: readonly Uint8Array[], units: ArrayLike<number>, lags: ArrayLike<number>, from: number, count: number, words: Int32Array, lagOffset = 0): void {
    this.shiftedStretches(columns, units, lags, lagOffset, from, count, words);
  }

  /**
   * Runs over the stretches of [0, count) in which no unit wraps around,
   * with each unit's offset: into `words` when given, else counting the
   * words straight into the word table (the shift surrogates' path).
   */
  private shiftedStretches(columns: readonly Uint8Array[], units: ArrayLike<number>, lags: ArrayLike<number>, lagOffset: number, from: number, count: number, words: Int32Array | undefined): void {
    const order = units.length;
    if (order < 1 || order > this.maxOrder) throw new RangeError(`a multiplet of ${order} units, outside 1 … ${this.maxOrder}`);
    const breaks = this.breakScratch;
    // Where each unit wraps, sorted (insertion sort of ≤ 12).
    let stops = 0;
    for (let u = 0; u < order; u++) {
      const at = count - lags[lagOffset + u];
      if (at >= count) continue;
      let i = stops++;
      while (i > 0 && breaks[i - 1] > at) {
        breaks[i] = breaks[i - 1];
        i--;
      }
      breaks[i] = at;
    }
    breaks[stops] = count;
    let start = 0;
    const offsets = this.offsetScratch;
    for (let s = 0; s <= stops; s++) {
      const end = breaks[s];
      if (end <= start) continue;
      for (let u = 0; u < order; u++) {
        const lag = lags[lagOffset + u];
        offsets[u] = from + lag - (start >= count - lag ? count : 0);
      }
      if (words !== undefined) this.wordStretch(columns, units, offsets, start, end, words);
      else this.countStretch(columns, units, offsets, start, end);
      start = end;
    }
  }

  /** words[i] for i in [start, end), unit u reading sample i + offsets[u]: written out for orders 3–5, the search's. */
  private wordStretch(columns: readonly Uint8Array[], units: ArrayLike<number>, offsets: Int32Array, start: number, end: number, words: Int32Array): void {
    const levels = this.levels;
    const order = units.length;
    const a = columns[units[0]];
    const oa = offsets[0];
    if (order === 3) {
      const b = columns[units[1]];
      const c = columns[units[2]];
      const ob = offsets[1];
      const oc = offsets[2];
      for (let i = start; i < end; i++) words[i] = (a[i + oa] * levels + b[i + ob]) * levels + c[i + oc];
    } else if (order === 4) {
      const b = columns[units[1]];
      const c = columns[units[2]];
      const d = columns[units[3]];
      const ob = offsets[1];
      const oc = offsets[2];
      const od = offsets[3];
      for (let i = start; i < end; i++) words[i] = ((a[i + oa] * levels + b[i + ob]) * levels + c[i + oc]) * levels + d[i + od];
    } else if (order === 5) {
      const b = columns[units[1]];
      const c = columns[units[2]];
      const d = columns[units[3]];
      const e = columns[units[4]];
      const ob = offsets[1];
      const oc = offsets[2];
      const od = offsets[3];
      const oe = offsets[4];
      for (let i = start; i < end; i++) words[i] = (((a[i + oa] * levels + b[i + ob]) * levels + c[i + oc]) * levels + d[i + od]) * levels + e[i + oe];
    } else {
      for (let i = start; i < end; i++) words[i] = a[i + oa];
      for (let u = 1; u < order; u++) {
        const column = columns[units[u]];
        const offset = offsets[u];
        for (let i = start; i < end; i++) words[i] = words[i] * levels + column[i + offset];
      }
    }
  }

  /** Counts the words of [start, end) into the word table (listing new cells), unit u reading sample i + offsets[u]. */
  private countStretch(columns: readonly Uint8Array[], units: ArrayLike<number>, offsets: Int32Array, start: number, end: number): void {
    const levels = this.levels;
    const order = units.length;
    const table = this.wordTable;
    const cells = this.wordCells;
    let occupied = this.occupiedWords;
    const a = columns[units[0]];
    const oa = offsets[0];
    const b = columns[units[1]];
    const ob = offsets[1];
    if (order === 3) {
      const c = columns[units[2]];
      const oc = offsets[2];
      for (let i = start; i < end; i++) {
        const w = (a[i + oa] * levels + b[i + ob]) * levels + c[i + oc];
        if (table[w]++ === 0) cells[occupied++] = w;
      }
    } else if (order === 4) {
      const c = columns[units[2]];
      const d = columns[units[3]];
      const oc = offsets[2];
      const od = offsets[3];
      for (let i = start; i < end; i++) {
        const w = ((a[i + oa] * levels + b[i + ob]) * levels + c[i + oc]) * levels + d[i + od];
        if (table[w]++ === 0) cells[occupied++] = w;
      }
    } else if (order === 5) {
      const c = columns[units[2]];
      const d = columns[units[3]];
      const e = columns[units[4]];
      const oc = offsets[2];
      const od = offsets[3];
      const oe = offsets[4];
      for (let i = start; i < end; i++) {
        const w = (((a[i + oa] * levels + b[i + ob]) * levels + c[i + oc]) * levels + d[i + od]) * levels + e[i + oe];
        if (table[w]++ === 0) cells[occupied++] = w;
      }
    } else {
      for (let i = start; i < end; i++) {
        let w = 0;
        for (let u = 0; u < order; u++) w = w * levels + columns[units[u]][i + offsets[u]];
        if (table[w]++ === 0) cells[occupied++] = w;
      }
    }
    this.occupiedWords = occupied;
  }

  /** prefixAndMode[i] = words[i] · levels · modes + labels[from + i], for `scoreWithLastUnit` (every mode ≥ 0). */
  prefixAndModes(words: Int32Array, labels: Int32Array, from: number, count: number, prefixAndMode: Int32Array): void {
    const scale = this.levels * this.modes;
    for (let i = 0; i < count; i++) prefixAndMode[i] = words[i] * scale + labels[from + i];
  }

  /**
   * Ω and ∂_YΩ of a multiplet of `order` units whose word in sample from + i
   * is words[i], with modes labels[from + i] (samples with a mode < 0 left
   * out, as a label surrogate may leave them).
   */
  score(order: number, words: Int32Array, labels: Int32Array, from: number, count: number, out: MultipletScore): void {
    this.reserve(count);
    const table = this.table;
    const cells = this.cells;
    const modes = this.modes;
    let occupied = 0;
    let samples = 0;
    for (let i = 0; i < count; i++) {
      const y = labels[from + i];
      if (y < 0) continue;
      const c = words[i] * modes + y;
      if (table[c]++ === 0) cells[occupied++] = c;
      samples++;
    }
    this.occupiedCells = occupied;
    this.fromJointTable(order, samples, out);
  }

  /**
   * The search's inner loop: the multiplet is a prefix (order − 1 units)
   * plus one unit, prefixAndMode from `prefixAndModes`: one read per sample.
   */
  scoreWithLastUnit(order: number, prefixAndMode: Int32Array, column: Uint8Array, from: number, count: number, out: MultipletScore): void {
    this.reserve(count);
    const table = this.table;
    const cells = this.cells;
    const modes = this.modes;
    let occupied = 0;
    for (let i = 0; i < count; i++) {
      const c = prefixAndMode[i] + column[from + i] * modes;
      if (table[c]++ === 0) cells[occupied++] = c;
    }
    this.occupiedCells = occupied;
    this.fromJointTable(order, count, out);
  }

  /**
   * Plug-in ∂_YΩ under each label surrogate: out[k] for surrogateLabels[k].
   * Only the pairing of samples and modes moves: a surrogate that keeps
   * every sample reuses the entropies of the words alone.
   */
  doinfoYUnderLabels(order: number, words: Int32Array, surrogateLabels: readonly Int32Array[], from: number, count: number, out: Float64Array): void {
    this.reserve(count);
    this.summarizeSurrogates(surrogateLabels, from, count);
    const table = this.table;
    const cells = this.cells;
    const modes = this.modes;
    // H(S) and Σ_j H(S − j) over every sample of the range.
    this.fillWords(words, count);
    this.wordEntropies(order, count);
    this.clearWords();
    const allWords = this.hWords;
    const allLeaveOneOut = this.sumLeaveOneOut;
    const maps = this.mapsOf(order);
    const size = this.powers[order] * modes;
    const subSize = size / this.levels;
    for (let k = 0; k < surrogateLabels.length; k++) {
      const labels = surrogateLabels[k];
      const samples = this.surrogateSamples[k];
      if (samples === 0) {
        out[k] = 0;
        continue;
      }
      let occupied = 0;
      if (samples === count) {
        for (let i = 0; i < count; i++) {
          const c = words[i] * modes + labels[from + i];
          if (table[c]++ === 0) cells[occupied++] = c;
        }
      } else {
        for (let i = 0; i < count; i++) {
          const y = labels[from + i];
          if (y < 0) continue;
          const c = words[i] * modes + y;
          if (table[c]++ === 0) cells[occupied++] = c;
        }
      }
      this.occupiedCells = occupied;
      let hWords = allWords;
      let sumLeaveOneOut = allLeaveOneOut;
      if (samples !== count) {
        this.wordsOfJointTable(order);
        this.wordEntropies(order, samples);
        this.clearWords();
        hWords = this.hWords;
        sumLeaveOneOut = this.sumLeaveOneOut;
      }
      const log2N = Math.log2(samples);
      let sumNLogN = 0;
      for (let t = 0; t < occupied; t++) sumNLogN += this.nLogN[table[cells[t]]];
      const hJoint = log2N - sumNLogN / samples;
      let sumLeaveOneOutJoint = 0;
      for (let j = 0; j < order; j++) {
        sumLeaveOneOutJoint += log2N - this.marginalNLogN(table, cells, occupied, size, maps.leaveOut[j], subSize) / samples;
      }
      this.clearTable(size);
      out[k] = sumLeaveOneOut - sumLeaveOneOutJoint + this.surrogateModeEntropy[k] - (order - 1) * (hWords - hJoint);
    }
  }

  /**
   * Plug-in Ω under unit shifts: out[k] with unit units[u] read circularly
   * shifted by lags[k · order + u] inside [from, from + count). The
   * single-unit entropies do not move with a shift.
   */
  oinfoUnderShifts(columns: readonly Uint8Array[], units: ArrayLike<number>, lags: Int32Array, from: number, count: number, out: Float64Array): void {
    const order = units.length;
    if (count === 0) {
      out.fill(0);
      return;
    }
    this.reserve(count);
    let sumSingles = -1;
    for (let k = 0; k < out.length; k++) {
      this.occupiedWords = 0;
      this.shiftedStretches(columns, units, lags, k * order, from, count, undefined);
      this.wordEntropies(order, count);
      if (sumSingles < 0) sumSingles = this.singles(order, count);
      this.clearWords();
      out[k] = (order - 2) * this.hWords + sumSingles - this.sumLeaveOneOut;
    }
  }

  /** Plug-in Ω of words alone (no mode). */
  oinfoOfWords(order: number, words: Int32Array, count: number): number {
    if (count === 0) return 0;
    this.reserve(count);
    this.fillWords(words, count);
    this.wordEntropies(order, count);
    const sumSingles = this.singles(order, count);
    this.clearWords();
    return (order - 2) * this.hWords + sumSingles - this.sumLeaveOneOut;
  }

  // ---- entropies -----------------------------------------------------------
  //
  // The joint table and the word table are kept all zero between calls: a
  // fill records the cells it makes non-zero (cells, words lists), every
  // sum walks those only, and a clear zeroes those only. Spike counts in
  // short bins are mostly 0, so a multiplet's table is sparse.

  /** Occupied cells of the joint table, in `cells`, and of the word table, in `wordCells`. */
  private occupiedCells = 0;
  private occupiedWords = 0;
  // Results of the last wordEntropies (plug-in and Miller–Madow).
  private hWords = 0;
  private mmWords = 0;
  private sumLeaveOneOut = 0;
  private mmLeaveOneOut = 0;
  private mmSingles = 0;

  private fillWords(words: Int32Array, count: number): void {
    const wordTable = this.wordTable;
    const wordCells = this.wordCells;
    let occupied = 0;
    for (let i = 0; i < count; i++) {
      const w = words[i];
      if (wordTable[w]++ === 0) wordCells[occupied++] = w;
    }
    this.occupiedWords = occupied;
  }

  /** The word table as the joint table summed over modes. */
  private wordsOfJointTable(order: number): void {
    const table = this.table;
    const cells = this.cells;
    const wordTable = this.wordTable;
    const wordCells = this.wordCells;
    const modes = this.modes;
    const words = this.powers[order];
    let occupied = 0;
    if (2 * this.occupiedCells < words * modes) {
      for (let t = 0; t < this.occupiedCells; t++) {
        const c = cells[t];
        const w = (c / modes) | 0;
        if (wordTable[w] === 0) wordCells[occupied++] = w;
        wordTable[w] += table[c];
      }
    } else {
      for (let w = 0, c = 0; w < words; w++) {
        let sum = 0;
        for (let y = 0; y < modes; y++, c++) sum += table[c];
        if (sum > 0) {
          wordTable[w] = sum;
          wordCells[occupied++] = w;
        }
      }
    }
    this.occupiedWords = occupied;
  }

  /** Zeroes the joint table: its listed cells, or all of it when most are occupied. */
  private clearTable(size: number): void {
    if (2 * this.occupiedCells < size) for (let t = 0; t < this.occupiedCells; t++) this.table[this.cells[t]] = 0;
    else this.table.fill(0, 0, size);
    this.occupiedCells = 0;
  }

  private clearWords(): void {
    for (let t = 0; t < this.occupiedWords; t++) this.wordTable[this.wordCells[t]] = 0;
    this.occupiedWords = 0;
  }

  /** H(S) and Σ_j H(S − j) from the word table, plug-in and Miller–Madow. */
  private wordEntropies(order: number, samples: number): void {
    if (samples === 0) {
      this.hWords = this.mmWords = this.sumLeaveOneOut = this.mmLeaveOneOut = 0;
      return;
    }
    const wordTable = this.wordTable;
    const wordCells = this.wordCells;
    const occupied = this.occupiedWords;
    const size = this.powers[order];
    const log2N = Math.log2(samples);
    // Miller–Madow's first-order term per occupied cell beyond the first (SCIENCE.md, "Bias corrections").
    const bias = 1 / (2 * samples * Math.LN2);
    let sumNLogN = 0;
    for (let t = 0; t < occupied; t++) sumNLogN += this.nLogN[wordTable[wordCells[t]]];
    this.hWords = log2N - sumNLogN / samples;
    this.mmWords = this.hWords + (occupied - 1) * bias;
    const maps = this.mapsOf(order);
    let sum = 0;
    let sumMillerMadow = 0;
    for (let j = 0; j < order; j++) {
      const h = log2N - this.marginalNLogN(wordTable, wordCells, occupied, size, maps.leaveOutWords[j], size / this.levels) / samples;
      sum += h;
      sumMillerMadow += h + (this.marginalOccupied - 1) * bias;
    }
    this.sumLeaveOneOut = sum;
    this.mmLeaveOneOut = sumMillerMadow;
  }

  /** Σ_j H(X_j) from the word table (and mmSingles). */
  private singles(order: number, samples: number): number {
    const wordTable = this.wordTable;
    const wordCells = this.wordCells;
    const occupied = this.occupiedWords;
    const single = this.single;
    const levels = this.levels;
    const nLogN = this.nLogN;
    const log2N = Math.log2(samples);
    const bias = 1 / (2 * samples * Math.LN2);
    const maps = this.mapsOf(order);
    let sum = 0;
    let sumMillerMadow = 0;
    for (let j = 0; j < order; j++) {
      const digit = maps.digit[j];
      for (let t = 0; t < occupied; t++) {
        const w = wordCells[t];
        single[digit[w]] += wordTable[w];
      }
      let sumNLogN = 0;
      let seen = 0;
      for (let x = 0; x < levels; x++) {
        const n = single[x];
        if (n > 0) {
          seen++;
          sumNLogN += nLogN[n];
        }
        single[x] = 0;
      }
      const h = log2N - sumNLogN / samples;
      sum += h;
      sumMillerMadow += h + (seen - 1) * bias;
    }
    this.mmSingles = sumMillerMadow;
    return sum;
  }

  /** Occupied cells of the last marginal summed by `marginalNLogN`. */
  private marginalOccupied = 0;

  /**
   * Σ n log2 n of the marginal target[map[c]] += source[c] (source of
   * `size` cells, `occupied` of them listed in `cells`, into `targetSize`
   * cells); leaves the marginal scratch zero again. A sparse source is
   * walked by its list, a dense one in order.
   */
  private marginalNLogN(source: Int32Array, cells: Int32Array, occupied: number, size: number, map: Int32Array, targetSize: number): number {
    const target = this.marginal;
    const nLogN = this.nLogN;
    let seen = 0;
    let sum = 0;
    if (2 * occupied < size) {
      const targetCells = this.marginalCells;
      for (let t = 0; t < occupied; t++) {
        const c = cells[t];
        const m = map[c];
        if (target[m] === 0) targetCells[seen++] = m;
        target[m] += source[c];
      }
      for (let t = 0; t < seen; t++) {
        const m = targetCells[t];
        sum += nLogN[target[m]];
        target[m] = 0;
      }
    } else {
      for (let c = 0; c < size; c++) target[map[c]] += source[c];
      for (let m = 0; m < targetSize; m++) {
        const n = target[m];
        if (n > 0) {
          seen++;
          sum += nLogN[n];
          target[m] = 0;
        }
      }
    }
    this.marginalOccupied = seen;
    return sum;
  }

  /** Ω and ∂_YΩ from the filled joint table; clears it. */
  private fromJointTable(order: number, samples: number, out: MultipletScore): void {
    out.samples = samples;
    const table = this.table;
    const cells = this.cells;
    const occupied = this.occupiedCells;
    if (samples === 0) {
      out.oinfo = out.doinfoY = out.oinfoMillerMadow = out.doinfoYMillerMadow = 0;
      return;
    }
    this.wordsOfJointTable(order);
    this.wordEntropies(order, samples);
    const sumSingles = this.singles(order, samples);
    this.clearWords();
    const modes = this.modes;
    const modeCounts = this.modeCounts;
    const nLogN = this.nLogN;
    const log2N = Math.log2(samples);
    const bias = 1 / (2 * samples * Math.LN2);
    let sumNLogN = 0;
    for (let t = 0; t < occupied; t++) {
      const c = cells[t];
      const n = table[c];
      sumNLogN += nLogN[n];
      modeCounts[c % modes] += n;
    }
    const hJoint = log2N - sumNLogN / samples;
    const mmJoint = hJoint + (occupied - 1) * bias;
    let modeNLogN = 0;
    let modesSeen = 0;
    for (let y = 0; y < modes; y++) {
      const n = modeCounts[y];
      if (n > 0) {
        modesSeen++;
        modeNLogN += nLogN[n];
      }
      modeCounts[y] = 0;
    }
    const hModes = log2N - modeNLogN / samples;
    const mmModes = hModes + (modesSeen - 1) * bias;
    const maps = this.mapsOf(order);
    const size = this.powers[order] * modes;
    let sumLeaveOneOutJoint = 0;
    let mmLeaveOneOutJoint = 0;
    for (let j = 0; j < order; j++) {
      const h = log2N - this.marginalNLogN(table, cells, occupied, size, maps.leaveOut[j], size / this.levels) / samples;
      sumLeaveOneOutJoint += h;
      mmLeaveOneOutJoint += h + (this.marginalOccupied - 1) * bias;
    }
    this.clearTable(size);
    out.doinfoY = this.sumLeaveOneOut - sumLeaveOneOutJoint + hModes - (order - 1) * (this.hWords - hJoint);
    out.doinfoYMillerMadow = this.mmLeaveOneOut - mmLeaveOneOutJoint + mmModes - (order - 1) * (this.mmWords - mmJoint);
    out.oinfo = (order - 2) * this.hWords + sumSingles - this.sumLeaveOneOut;
    out.oinfoMillerMadow = (order - 2) * this.mmWords + this.mmSingles - this.mmLeaveOneOut;
  }

  /** Kept samples and H(Y) of each label surrogate over the range, once per set of surrogates. */
  private summarizeSurrogates(surrogateLabels: readonly Int32Array[], from: number, count: number): void {
    const same =
      from === this.surrogateFrom &&
      count === this.surrogateCount &&
      surrogateLabels.length === this.surrogateArrays.length &&
      surrogateLabels.every((labels, k) => labels === this.surrogateArrays[k]);
    if (same) return;
    const surrogates = surrogateLabels.length;
    this.surrogateArrays = [...surrogateLabels];
    this.surrogateFrom = from;
    this.surrogateCount = count;
    this.surrogateSamples = new Int32Array(surrogates);
    this.surrogateModeEntropy = new Float64Array(surrogates);
    const modeCounts = this.modeCounts;
    for (let k = 0; k < surrogates; k++) {
      const labels = surrogateLabels[k];
      let samples = 0;
      for (let i = 0; i < count; i++) {
        const y = labels[from + i];
        if (y >= 0) {
          modeCounts[y]++;
          samples++;
        }
      }
      let sumNLogN = 0;
      for (let y = 0; y < this.modes; y++) {
        sumNLogN += this.nLogN[modeCounts[y]];
        modeCounts[y] = 0;
      }
      this.surrogateSamples[k] = samples;
      this.surrogateModeEntropy[k] = samples === 0 ? 0 : Math.log2(samples) - sumNLogN / samples;
    }
  }

  private mapsOf(order: number): OrderMaps {
    let maps = this.maps[order];
    if (maps !== undefined) return maps;
    const levels = this.levels;
    const modes = this.modes;
    const words = this.powers[order];
    maps = { leaveOut: [], leaveOutWords: [], digit: [] };
    for (let j = 0; j < order; j++) {
      // Unit j is digit j from the most significant: word = (high · levels + digit) · stride + low.
      const stride = this.powers[order - 1 - j];
      const leaveOutWords = new Int32Array(words);
      const digit = new Uint8Array(words);
      for (let w = 0; w < words; w++) {
        const low = w % stride;
        const high = Math.floor(w / (stride * levels));
        leaveOutWords[w] = high * stride + low;
        digit[w] = Math.floor(w / stride) % levels;
      }
      const leaveOut = new Int32Array(words * modes);
      for (let w = 0; w < words; w++) for (let y = 0; y < modes; y++) leaveOut[w * modes + y] = leaveOutWords[w] * modes + y;
      maps.leaveOut.push(leaveOut);
      maps.leaveOutWords.push(leaveOutWords);
      maps.digit.push(digit);
    }
    this.maps[order] = maps;
    return maps;
  }
}
