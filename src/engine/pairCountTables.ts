import { pairsBelow } from './pairIndex.ts';
import { kernelFor } from './wasm/readoutKernelInstance.ts';

/**
 * The incremental count tables of a sliding window (STYLE: a hot path written
 * for the machine — flat typed arrays, no object per spike or per bin).
 *
 * Symbols are X = min(count, levels − 1). At 10–50 ms bins most units are
 * silent in most bins, so only non-zero symbols are stored:
 * - per unit u, quarter q, mode m and symbol a ≥ 1: how many window bins had it;
 * - per pair (i < j), q, m and symbols a, b ≥ 1: how many bins had both.
 * Every cell with a zero follows from those and the mode counts
 * (n(a,0) = n_i(a) − Σ_b n(a,b), n(0,0) = n_m − Σ_a n_i(a) − Σ_b n_j(b) + Σ n(a,b)),
 * so a bin costs in proportion to the units that fired and the pairs among
 * them; a silent pair is never touched.
 *
 * Quarters (bin index mod 4) are kept only for quadratic extrapolation;
 * otherwise there is one quarter.
 *
 * The pair cells lie in a WebAssembly memory of their own, pair p =
 * j(j−1)/2 + i after pair p − 1 from byte PAIR_CELLS_BYTE, so that the
 * readout kernel reads them where they are; `rows[j]` is the view of row j.
 * Views are renewed when the memory grows (which detaches the old ones):
 * read `rows` afresh after ensureUnits, ensureModes or reserve.
 *
 * A tile's tables (`firstRow` > 0) hold the pairs of rows firstRow … units − 1
 * only (pair p at p − firstPair), and the unit marginals of units 0 … units − 1:
 * the caller passes only units below the tile's end (tiles.ts).
 */
export class PairCountTables {
  /** Non-zero symbols per unit: levels − 1. */
  readonly symbols: number;
  readonly quarters: number;
  units = 0;
  modeCapacity: number;
  /** Window bins per quarter and mode: [q][m]. */
  modeCounts: Uint32Array;
  /** [u][q][m][a−1] */
  unitCounts: Uint32Array;
  /** rows[j][i][q][m][a−1][b−1] for pairs i < j (j ≥ firstRow; empty below): views of `memory`. */
  rows: (Uint16Array | Uint32Array)[] = [];
  /** Where the pair cells lie (from PAIR_CELLS_BYTE); the readout kernel's scratch may follow cellsEndByte. */
  readonly memory = new WebAssembly.Memory({ initial: 2 });
  /** 32-bit cells (a window of more than 65,535 bins), else 16-bit. */
  readonly wide: boolean;
  /** The memory's buffer the views were made on. */
  private viewBuffer: ArrayBuffer | undefined;
  /** A view of the unit lists the update kernels read, after the cells. */
  private listView: Int32Array | undefined;

  constructor(
    readonly levels: number,
    quarters: boolean,
    /** The most bins a window can hold (chooses 16- or 32-bit pair cells). */
    maxBins: number,
    initialModes = 4,
    /** The first row held (a tile's band; 0: every pair). */
    readonly firstRow = 0,
  ) {
    if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`levels must be an integer ≥ 2, got ${levels}`);
    // The capacity doubles as modes appear: from 0 it never would.
    if (!Number.isInteger(initialModes) || initialModes < 1) throw new RangeError(`initialModes must be an integer ≥ 1, got ${initialModes}`);
    this.symbols = levels - 1;
    this.quarters = quarters ? 4 : 1;
    this.modeCapacity = initialModes;
    this.wide = maxBins > 0xffff;
    this.modeCounts = new Uint32Array(this.quarters * this.modeCapacity);
    this.unitCounts = new Uint32Array(0);
    if (!Number.isInteger(firstRow) || firstRow < 0) throw new RangeError(`firstRow must be a whole number, got ${firstRow}`);
  }

  /** The first pair held: pairs before it (rows below firstRow) are another tile's. */
  get firstPair(): number {
    return pairsBelow(this.firstRow);
  }

  /** Pairs held for `units` units: rows firstRow … units − 1. */
  pairsHeld(units = this.units): number {
    return units <= this.firstRow ? 0 : pairsBelow(units) - this.firstPair;
  }

  /** Cells of one pair: quarters × modes × symbols². */
  get cellsPerPair(): number {
    return this.quarters * this.modeCapacity * this.symbols * this.symbols;
  }

  /** Cells of one unit: quarters × modes × symbols. */
  get cellsPerUnit(): number {
    return this.quarters * this.modeCapacity * this.symbols;
  }

  /** Makes room for units 0 … count − 1 (new units have been silent so far). */
  ensureUnits(count: number): void {
    if (count <= this.units) return;
    if (this.unitCounts.length < count * this.cellsPerUnit) {
      const grown = new Uint32Array(Math.max(count, this.units * 2, 16) * this.cellsPerUnit);
      grown.set(this.unitCounts);
      this.unitCounts = grown;
    }
    const held = this.pairsHeld() * this.cellsPerPair;
    const wanted = this.pairsHeld(count) * this.cellsPerPair;
    this.reserve(PAIR_CELLS_BYTE + wanted * this.cellBytes);
    this.units = count;
    const cells = this.cellView(wanted);
    // The new pairs' cells may hold what a kernel left after the cells: they start at zero.
    cells.fill(0, held, wanted);
    this.renewRows(cells);
  }

  /** Bytes per pair cell. */
  get cellBytes(): number {
    return this.wide ? 4 : 2;
  }

  /** The first byte after the pair cells (8-aligned): a kernel's scratch may start there. */
  get cellsEndByte(): number {
    return PAIR_CELLS_BYTE + Math.ceil((this.pairsHeld() * this.cellsPerPair * this.cellBytes) / 8) * 8;
  }

  /** Makes the memory hold at least `bytes` bytes (growing by at least an eighth); the views are renewed. */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((Math.max(bytes, have * 1.125) - have) / 65536));
    if (this.viewBuffer !== this.memory.buffer) this.renewRows(this.cellView(this.pairsHeld() * this.cellsPerPair));
  }

  /** A view of the first `length` pair cells. */
  private cellView(length: number): Uint16Array | Uint32Array {
    return this.wide ? new Uint32Array(this.memory.buffer, PAIR_CELLS_BYTE, length) : new Uint16Array(this.memory.buffer, PAIR_CELLS_BYTE, length);
  }

  /** rows[j] for every unit j (empty below firstRow), on `cells`. */
  private renewRows(cells: Uint16Array | Uint32Array): void {
    const perPair = this.cellsPerPair;
    const first = this.firstPair;
    const rows: (Uint16Array | Uint32Array)[] = [];
    for (let j = 0; j < this.units; j++) rows.push(j < this.firstRow ? cells.subarray(0, 0) : cells.subarray((pairsOf(j) - first) * perPair, (pairsOf(j + 1) - first) * perPair));
    this.rows = rows;
    this.viewBuffer = this.memory.buffer;
  }

  /** Makes room for modes 0 … count − 1, re-laying out every table if needed. */
  ensureModes(count: number): void {
    if (count <= this.modeCapacity) return;
    const oldCapacity = this.modeCapacity;
    let capacity = oldCapacity;
    while (capacity < count) capacity *= 2;
    const relayout = <T extends Uint16Array | Uint32Array>(old: T, blocks: number, inner: number, make: (n: number) => T): T => {
      // Each block is [q][m][inner]; widen m from oldCapacity to capacity.
      const grown = make(blocks * this.quarters * capacity * inner);
      for (let block = 0; block < blocks; block++) {
        for (let q = 0; q < this.quarters; q++) {
          const from = (block * this.quarters + q) * oldCapacity * inner;
          const to = (block * this.quarters + q) * capacity * inner;
          grown.set(old.subarray(from, from + oldCapacity * inner), to);
        }
      }
      return grown;
    };
    const unitBlocks = this.unitCounts.length / this.cellsPerUnit;
    this.modeCounts = relayout(this.modeCounts, 1, 1, (n) => new Uint32Array(n));
    this.unitCounts = relayout(this.unitCounts, unitBlocks, this.symbols, (n) => new Uint32Array(n));
    // The pair cells, every pair a block: laid out anew in a copy, then written back.
    const pairs = this.pairsHeld();
    const old = this.cellView(pairs * this.cellsPerPair).slice();
    const pairInner = this.symbols * this.symbols;
    const grown = relayout(old, pairs, pairInner, (n) => (this.wide ? new Uint32Array(n) : new Uint16Array(n)) as typeof old);
    this.modeCapacity = capacity;
    this.reserve(PAIR_CELLS_BYTE + grown.length * this.cellBytes);
    const cells = this.cellView(grown.length);
    cells.set(grown);
    this.renewRows(cells);
  }

  /**
   * Adds (delta = +1) or removes (−1) one labeled bin: `units[from…to)`,
   * ascending, fired with symbols `symbols[from…to)` (each ≥ 1), all below
   * `units`; of the pairs among them, those of rows ≥ firstRow.
   */
  updateBin(
    quarter: number,
    mode: number,
    units: ArrayLike<number>,
    symbols: ArrayLike<number>,
    from: number,
    to: number,
    delta: 1 | -1,
  ): void {
    const s = this.symbols;
    const modeSlot = quarter * this.modeCapacity + mode;
    this.modeCounts[modeSlot] += delta;
    const unitStride = this.cellsPerUnit;
    const unitOffset = modeSlot * s;
    for (let k = from; k < to; k++) this.unitCounts[units[k] * unitStride + unitOffset + symbols[k] - 1] += delta;
    const count = to - from;
    if (count < 2 || units[to - 1] < this.firstRow) return;
    // The first of the list whose row is held.
    let kFrom = 0;
    while (units[from + kFrom] < this.firstRow) kFrom++;
    // The pairs among the units that fired, in the kernel: their cells lie in its memory.
    const list = this.list(2 * count);
    for (let k = 0; k < count; k++) {
      list.values[k] = units[from + k];
      list.values[count + k] = symbols[from + k];
    }
    const kernel = kernelFor(this.memory);
    (this.wide ? kernel.updatePairs32 : kernel.updatePairs16)(PAIR_CELLS_BYTE, this.cellsPerPair, s, modeSlot * s * s, list.at, count, delta, this.firstPair, kFrom);
  }

  /**
   * Room for `length` int32 after the pair cells (where the update kernels
   * read their unit lists): its address and a view of it.
   */
  private list(length: number): { at: number; values: Int32Array } {
    const at = this.cellsEndByte;
    let view = this.listView;
    if (view === undefined || view.buffer !== this.memory.buffer || view.byteOffset !== at || view.length < length) {
      const room = Math.max(length, 1024);
      this.reserve(at + room * 4);
      view = new Int32Array(this.memory.buffer, at, room);
      this.listView = view;
    }
    return { at, values: view };
  }

  /**
   * Dense cells of pair (i, j), i < j, into `out` laid out [q][m][x_i][x_j]
   * for modes 0 … modes − 1, zero symbols derived from the marginals.
   */
  fillPairCells(i: number, j: number, modes: number, out: Float64Array, rows: readonly (Uint16Array | Uint32Array)[] = this.rows): void {
    const s = this.symbols;
    const l = this.levels;
    const row = rows[j];
    const pairBase = i * this.cellsPerPair;
    const unitStride = this.cellsPerUnit;
    for (let q = 0; q < this.quarters; q++) {
      for (let m = 0; m < modes; m++) {
        const slot = q * this.modeCapacity + m;
        const outBase = (q * modes + m) * l * l;
        const cellBase = pairBase + slot * s * s;
        const unitI = i * unitStride + slot * s;
        const unitJ = j * unitStride + slot * s;
        let bothSum = 0;
        let firedI = 0;
        let firedJ = 0;
        for (let a = 1; a <= s; a++) {
          let rowSum = 0;
          for (let b = 1; b <= s; b++) {
            const n = row[cellBase + (a - 1) * s + (b - 1)];
            out[outBase + a * l + b] = n;
            rowSum += n;
          }
          const marginal = this.unitCounts[unitI + a - 1];
          out[outBase + a * l] = marginal - rowSum;
          firedI += marginal;
          bothSum += rowSum;
        }
        for (let b = 1; b <= s; b++) {
          let columnSum = 0;
          for (let a = 1; a <= s; a++) columnSum += out[outBase + a * l + b];
          const marginal = this.unitCounts[unitJ + b - 1];
          out[outBase + b] = marginal - columnSum;
          firedJ += marginal;
        }
        out[outBase] = this.modeCounts[slot] - firedI - firedJ + bothSum;
      }
    }
  }

  /**
   * Adds (+1) or removes (−1) the words (x_p from one bin, x_q from another)
   * of every pair p < q with p among `unitsFrom` and q among `unitsTo` (both
   * ascending, symbols ≥ 1), in mode m: the within-mode shuffled tables of
   * the shuffle estimator, whose words pair one bin with another. Only the
   * held rows (q ≥ firstRow) are touched.
   */
  updateCrossPairs(
    mode: number,
    unitsFrom: ArrayLike<number>,
    symbolsFrom: ArrayLike<number>,
    unitsTo: ArrayLike<number>,
    symbolsTo: ArrayLike<number>,
    delta: 1 | -1,
  ): void {
    const fromCount = unitsFrom.length;
    // The rows held: `unitsTo` from the first ≥ firstRow.
    let toFirst = 0;
    while (toFirst < unitsTo.length && unitsTo[toFirst] < this.firstRow) toFirst++;
    const toCount = unitsTo.length - toFirst;
    if (fromCount === 0 || toCount === 0) return;
    const list = this.list(2 * (fromCount + toCount));
    const values = list.values;
    for (let k = 0; k < fromCount; k++) {
      values[k] = unitsFrom[k];
      values[fromCount + k] = symbolsFrom[k];
    }
    const toAt = 2 * fromCount;
    for (let k = 0; k < toCount; k++) {
      values[toAt + k] = unitsTo[toFirst + k];
      values[toAt + toCount + k] = symbolsTo[toFirst + k];
    }
    const s = this.symbols;
    const kernel = kernelFor(this.memory);
    (this.wide ? kernel.updateCross32 : kernel.updateCross16)(PAIR_CELLS_BYTE, this.cellsPerPair, s, mode * s * s, list.at, fromCount, list.at + toAt * 4, toCount, delta, this.firstPair);
  }

  /** Dense cells of unit u into `out` laid out [q][m][x], the zero symbol derived. */
  fillUnitCells(u: number, modes: number, out: Float64Array): void {
    const s = this.symbols;
    const l = this.levels;
    for (let q = 0; q < this.quarters; q++) {
      for (let m = 0; m < modes; m++) {
        const slot = q * this.modeCapacity + m;
        const outBase = (q * modes + m) * l;
        let fired = 0;
        for (let a = 1; a <= s; a++) {
          const n = this.unitCounts[u * this.cellsPerUnit + slot * s + a - 1];
          out[outBase + a] = n;
          fired += n;
        }
        out[outBase] = this.modeCounts[slot] - fired;
      }
    }
  }

  /** Window bins of mode m (all quarters). */
  modeTotal(m: number): number {
    let total = 0;
    for (let q = 0; q < this.quarters; q++) total += this.modeCounts[q * this.modeCapacity + m];
    return total;
  }
}

/** Byte where the pair cells start: the first page is left to the kernel module's own data. */
export const PAIR_CELLS_BYTE = 65536;

/** Pairs among `units` units. */
function pairsOf(units: number): number {
  return (units * (units - 1)) / 2;
}
