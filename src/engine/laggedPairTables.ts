import { BadDataError } from '../errors.ts';
import { pairsBelow } from './pairIndex.ts';

/**
 * Count tables of every pair against K alignments of the label stream at
 * once: alignment 0 is the real one, alignment k ≥ 1 pairs each bin's spikes
 * with the mode lag_k bins earlier (the label-lag surrogates). Like
 * PairCountTables only the non-zero symbols are stored (the zero cells
 * follow from the unit marginals and the mode counts), but the alignment is
 * the innermost index: a bin's co-firing pair touches its K cells in one
 * short stretch of memory, and a pair's read-out of all K alignments stays
 * in the first-level cache. (STYLE: a hot path written for the machine.)
 *
 * Layout, with s = levels − 1 non-zero symbols and M modes:
 * - modeCounts[m][k];
 * - unitCounts[u][a−1][m][k];
 * - cells[pair][a−1][b−1][m][k], pair = j(j−1)/2 + i for i < j: the pairs
 *   one after another, in a WebAssembly memory from byte CELLS_BYTE (the
 *   significance kernel reads them where they lie). A new unit appends its
 *   pairs; the memory grows in place by at least an eighth.
 * The mode count M grows as modes appear, and K shrinks when the memory
 * bound drops the longest lags: the cells are laid out anew in place.
 *
 * A tile's tables (`firstRow` > 0) hold the pairs of rows firstRow … units − 1
 * only, pair p at index p − pairsBelow(firstRow) (tiles.ts).
 */
export class LaggedPairTables {
  readonly symbols: number;
  units = 0;
  modes = 1;
  modeCounts: Int32Array;
  unitCounts: Int32Array;
  /** Where the pair cells live (and the significance kernel's scratch after them). */
  readonly memory = new WebAssembly.Memory({ initial: 2 });
  /** 32-bit cells (a window of more than 65,535 bins), else 16-bit. */
  readonly wide: boolean;
  private view: Uint16Array | Int32Array;
  private viewBuffer: ArrayBuffer;
  /** Cells in the view (a view whose memory grew is detached and reads as empty). */
  private length = 0;

  constructor(
    readonly levels: number,
    /** Alignments: 1 (real) + the surrogates. */
    public alignments: number,
    /** The most bins a window can hold (chooses 16- or 32-bit pair cells). */
    maxBins: number,
    /** The first row held (a tile's band; 0: every pair). */
    readonly firstRow = 0,
  ) {
    if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`levels must be an integer ≥ 2, got ${levels}`);
    if (!Number.isInteger(firstRow) || firstRow < 0) throw new RangeError(`firstRow must be a whole number, got ${firstRow}`);
    this.symbols = levels - 1;
    this.wide = maxBins > 0xffff;
    this.modeCounts = new Int32Array(this.modes * alignments);
    this.unitCounts = new Int32Array(0);
    this.viewBuffer = this.memory.buffer;
    this.view = this.makeView(0);
  }

  /** The first pair held (pairs of rows below firstRow are another tile's). */
  get firstPair(): number {
    return pairsBelow(this.firstRow);
  }

  /** Pairs held for `units` units: rows firstRow … units − 1. */
  pairsHeld(units = this.units): number {
    return units <= this.firstRow ? 0 : pairsBelow(units) - this.firstPair;
  }

  /** Bytes of one cell. */
  get cellBytes(): number {
    return this.wide ? 4 : 2;
  }

  /** Cells of one pair: s² × modes × alignments. */
  get cellsPerPair(): number {
    return this.symbols * this.symbols * this.modes * this.alignments;
  }

  /** Cells of one unit: s × modes × alignments. */
  get cellsPerUnit(): number {
    return this.symbols * this.modes * this.alignments;
  }

  /** The pair cells of the units held (a view on the memory, renewed when the memory grows). */
  get cells(): Uint16Array | Int32Array {
    if (this.viewBuffer !== this.memory.buffer) {
      this.viewBuffer = this.memory.buffer;
      this.view = this.makeView(this.length);
    }
    return this.view;
  }

  /** The first byte after the pair cells, 8-aligned: where scratch space may start. */
  get cellsEndByte(): number {
    return CELLS_BYTE + Math.ceil((this.length * this.cellBytes) / 8) * 8;
  }

  /**
   * Cells of every pair of `units` units (all tiles together, as one process
   * holds them): what the memory bound is checked against, so that tiles
   * keep the surrogates one process would.
   */
  cellsFor(units: number, modes = this.modes, alignments = this.alignments): number {
    const s = this.symbols;
    return ((units * (units - 1)) / 2) * s * s * modes * alignments + units * s * modes * alignments + modes * alignments;
  }

  /** Makes the memory hold at least `bytes` bytes (growing by at least an eighth); views are renewed on use. */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const want = Math.max(bytes, have + Math.floor(have / 8));
    const pages = Math.ceil((want - have) / PAGE_BYTES);
    if (have / PAGE_BYTES + pages > MAX_PAGES) {
      // Reached from data (a recording of very many units): the memory bound keeps one alignment at least.
      throw new BadDataError(
        `the surrogates' count tables of ${this.units} units would need ${(want / 2 ** 30).toFixed(2)} GiB, more than WebAssembly's 4 GiB: select fewer units, or turn the surrogates off`,
        'MEMORY_LIMIT',
      );
    }
    this.memory.grow(pages);
  }

  /** Makes room for units 0 … count − 1 (new units have been silent so far). */
  ensureUnits(count: number): void {
    if (count <= this.units) return;
    const perUnit = this.cellsPerUnit;
    if (this.unitCounts.length < count * perUnit) {
      const grown = new Int32Array(Math.max(count, this.units * 2, 16) * perUnit);
      grown.set(this.unitCounts);
      this.unitCounts = grown;
    }
    const length = this.pairsHeld(count) * this.cellsPerPair;
    this.reserve(CELLS_BYTE + length * this.cellBytes);
    const old = this.length;
    this.setView(length);
    // Memory past the old cells may hold an earlier layout's or the kernel's scratch: the new pairs start at 0.
    this.view.fill(0, old);
    this.units = count;
  }

  /** Every count back to 0 (the layout kept): a tumbling window's tables before its bins enter. */
  clear(): void {
    this.modeCounts.fill(0);
    this.unitCounts.fill(0);
    this.cells.fill(0);
  }

  /**
   * Lays the tables out for `modes` modes and `alignments` alignments (the
   * first ones kept): more modes as they appear, fewer alignments when the
   * memory bound drops the longest lags. The pair cells move in place: first
   * towards the start (fewer alignments), then towards the end (more modes),
   * each pass in the order that never overwrites a block before it moved.
   */
  relayout(modes: number, alignments: number): void {
    if (modes === this.modes && alignments === this.alignments) return;
    const oldModes = this.modes;
    const oldK = this.alignments;
    const keepModes = Math.min(oldModes, modes);
    const keepK = Math.min(oldK, alignments);
    // Each block is [m][k]; copy the kept part of it.
    const move = (old: Int32Array, blocks: number): Int32Array => {
      const grown = new Int32Array(blocks * modes * alignments);
      for (let block = 0; block < blocks; block++) {
        for (let m = 0; m < keepModes; m++) {
          const from = (block * oldModes + m) * oldK;
          grown.set(old.subarray(from, from + keepK), (block * modes + m) * alignments);
        }
      }
      return grown;
    };
    const s = this.symbols;
    this.modeCounts = move(this.modeCounts, 1);
    // Blocks of [m][k]: s per unit held.
    this.unitCounts = move(this.unitCounts, this.unitCounts.length / (oldModes * oldK));
    const blocks = this.pairsHeld() * s * s;
    if (alignments < oldK) {
      this.moveCells(blocks, oldModes, oldK, oldModes, alignments);
      this.modes = oldModes;
      this.alignments = alignments;
    }
    if (modes > this.modes || alignments > this.alignments) this.moveCells(blocks, this.modes, this.alignments, modes, alignments);
    this.modes = modes;
    this.alignments = alignments;
  }

  /** Moves `blocks` blocks [m][k] of the pair cells from (modes, K) to (modes', K'), in place; new cells are 0. */
  private moveCells(blocks: number, oldModes: number, oldK: number, modes: number, alignments: number): void {
    const oldBlock = oldModes * oldK;
    const newBlock = modes * alignments;
    const keepModes = Math.min(oldModes, modes);
    const keepK = Math.min(oldK, alignments);
    if (newBlock > oldBlock) this.reserve(CELLS_BYTE + blocks * newBlock * this.cellBytes);
    const cells = this.makeView(Math.max(blocks * oldBlock, blocks * newBlock));
    const one = (block: number, m: number): void => {
      const to = block * newBlock + m * alignments;
      if (m < keepModes) {
        cells.copyWithin(to, block * oldBlock + m * oldK, block * oldBlock + m * oldK + keepK);
        cells.fill(0, to + keepK, to + alignments);
      } else cells.fill(0, to, to + alignments);
    };
    if (newBlock <= oldBlock) {
      // Towards the start: each block lands at or before where it was, in ascending order.
      for (let block = 0; block < blocks; block++) for (let m = 0; m < modes; m++) one(block, m);
    } else {
      // Towards the end: descending order.
      for (let block = blocks - 1; block >= 0; block--) for (let m = modes - 1; m >= 0; m--) one(block, m);
    }
    this.setView(blocks * newBlock);
  }

  /**
   * Adds (delta = +1) or removes (−1) one bin: `units` (ascending) fired
   * with `symbols` (≥ 1); under alignment `aligned[v]` the bin's mode is
   * `modeOf[v]` (v < count; alignments whose mode is unknown are left out).
   */
  updateBin(units: ArrayLike<number>, symbols: ArrayLike<number>, aligned: Int32Array, modeOf: Int32Array, count: number, delta: 1 | -1): void {
    if (count === 0) return;
    const K = this.alignments;
    // Offsets of each alignment's cell inside a [m][k] block.
    const offsets = this.offsets(count);
    for (let v = 0; v < count; v++) {
      offsets[v] = modeOf[v] * K + aligned[v];
      this.modeCounts[offsets[v]] += delta;
    }
    // One element type per call site: the loop stays monomorphic (a bin costs a pass over its pairs × alignments).
    const cells = this.cells;
    if (cells instanceof Uint16Array) updatePairs(cells, this, units, symbols, offsets, count, delta);
    else updatePairs(cells, this, units, symbols, offsets, count, delta);
  }

  /**
   * Moves one bin from mode `from` to mode `to` under one alignment (a
   * permutation surrogate gave it another label): what updateBin(−1, from)
   * then updateBin(+1, to) give, in one pass over its pairs.
   */
  moveBin(units: Uint32Array, symbols: Uint8Array, alignment: number, from: number, to: number): void {
    const K = this.alignments;
    const off = from * K + alignment;
    const on = to * K + alignment;
    this.modeCounts[off]--;
    this.modeCounts[on]++;
    const cells = this.cells;
    if (cells instanceof Uint16Array) movePairs(cells, this, units, symbols, off, on);
    else movePairs(cells, this, units, symbols, off, on);
  }

  /**
   * Adds bins under every alignment at once, each with its own mode per
   * alignment: bin x's mode under alignment k is `modes[k·n + x]` (k <
   * alignments). What updateBin(…, +1) for each bin gives, for tables
   * filled a window at a time (tumbling permutation surrogates). One
   * alignment at a time, the bins are counted into a compact [pair][ab][m]
   * table that stays in cache, then added to the alignment's cells: the
   * cells of one pair under all alignments span kilobytes, so counting
   * bin by bin under every alignment misses the cache at almost every add.
   */
  addBins(bins: readonly { units: Uint32Array; symbols: Uint8Array }[], modes: Int32Array): void {
    const n = bins.length;
    const K = this.alignments;
    const M = this.modes;
    const s = this.symbols;
    const ab = s * s;
    const pairs = this.pairsHeld();
    const local = n <= 0xffff ? new Uint16Array(pairs * ab * M) : new Int32Array(pairs * ab * M);
    const cells = this.cells;
    // Per bin, each unit's place in `local` as the pair's lower unit (column) and as its upper unit (row, mode 0).
    const columns: Int32Array[] = [];
    const rows: Int32Array[] = [];
    const unitCells: Int32Array[] = [];
    const mK = M * K;
    for (const { units, symbols } of bins) {
      const column = new Int32Array(units.length);
      const row = new Int32Array(units.length);
      const unitCell = new Int32Array(units.length);
      for (let x = 0; x < units.length; x++) {
        const j = units[x];
        const symbol = symbols[x] - 1;
        column[x] = (j * ab + symbol * s) * M;
        row[x] = j < this.firstRow ? -1 : ((((j * (j - 1)) >>> 1) - this.firstPair) * ab + symbol) * M;
        unitCell[x] = j * this.cellsPerUnit + symbol * mK;
      }
      columns.push(column);
      rows.push(row);
      unitCells.push(unitCell);
    }
    for (let k = 0; k < K; k++) {
      if (k > 0) local.fill(0);
      for (let x = 0; x < n; x++) {
        const m = modes[k * n + x];
        this.modeCounts[m * K + k]++;
        if (local instanceof Uint16Array) countPairs(local, this.unitCounts, columns[x], rows[x], unitCells[x], m, m * K + k);
        else countPairs(local, this.unitCounts, columns[x], rows[x], unitCells[x], m, m * K + k);
      }
      if (cells instanceof Uint16Array) {
        if (local instanceof Uint16Array) addAlignment(cells, local, pairs * ab, M, K, k);
        else addAlignment(cells, local, pairs * ab, M, K, k);
      } else if (local instanceof Uint16Array) addAlignment(cells, local, pairs * ab, M, K, k);
      else addAlignment(cells, local, pairs * ab, M, K, k);
    }
  }

  private offsetScratch = new Int32Array(0);
  private offsets(count: number): Int32Array {
    if (this.offsetScratch.length < count) this.offsetScratch = new Int32Array(Math.max(count, 2 * this.offsetScratch.length));
    return this.offsetScratch;
  }

  private setView(length: number): void {
    this.length = length;
    this.viewBuffer = this.memory.buffer;
    this.view = this.makeView(length);
  }

  private makeView(length: number): Uint16Array | Int32Array {
    return this.wide ? new Int32Array(this.memory.buffer, CELLS_BYTE, length) : new Uint16Array(this.memory.buffer, CELLS_BYTE, length);
  }
}

/** The pair cells start after the first page (the kernel's own data, if any, lies before). */
export const CELLS_BYTE = 65536;
const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;

/**
 * One bin in mode m: its units' counts (at unitCell + cell in the tables)
 * and its pairs in `local` ([pair][ab][m]): the pair of units x > l is at
 * row[x] + column[l] + m (row −1: a unit below the tile's rows).
 */
function countPairs(local: Uint16Array | Int32Array, unitCounts: Int32Array, column: Int32Array, row: Int32Array, unitCell: Int32Array, m: number, cell: number): void {
  for (let x = 0; x < column.length; x++) {
    unitCounts[unitCell[x] + cell]++;
    if (row[x] < 0) continue;
    const base = row[x] + m;
    for (let l = 0; l < x; l++) local[base + column[l]]++;
  }
}

/** Adds `local` ([pair·ab][m], `blocks` blocks) to alignment k of the cells ([pair·ab][m][k]). */
function addAlignment(cells: Uint16Array | Int32Array, local: Uint16Array | Int32Array, blocks: number, M: number, K: number, k: number): void {
  for (let block = 0; block < blocks; block++) {
    const from = block * M;
    const to = block * M * K + k;
    for (let m = 0; m < M; m++) {
      const v = local[from + m];
      if (v !== 0) cells[to + m * K] += v;
    }
  }
}

/**
 * What the passes over a bin's pairs read of the tables. moveBin's pass and
 * updateBin's are two loops on purpose: one loop with a delta per offset
 * made trials with permutation surrogates 35 % slower (10.1 → 6.6 trials/s
 * at 256 units).
 */
interface PairLayout {
  readonly symbols: number;
  readonly modes: number;
  readonly alignments: number;
  readonly cellsPerUnit: number;
  readonly cellsPerPair: number;
  readonly firstRow: number;
  readonly firstPair: number;
  readonly unitCounts: Int32Array;
}

/** moveBin's pass: the bin's unit cells and pair cells at offset `off` (in each [m][k] block) less one, at `on` one more. */
function movePairs(
  cells: Uint16Array | Int32Array,
  t: PairLayout,
  units: Uint32Array,
  symbols: Uint8Array,
  off: number,
  on: number,
): void {
  const s = t.symbols;
  const mK = t.modes * t.alignments;
  const unitStride = t.cellsPerUnit;
  const pairStride = t.cellsPerPair;
  const firstPair = t.firstPair;
  const firstRow = t.firstRow;
  const unitCounts = t.unitCounts;
  for (let x = 0; x < units.length; x++) {
    const j = units[x];
    const bj = symbols[x] - 1;
    const unitBase = j * unitStride + bj * mK;
    unitCounts[unitBase + off]--;
    unitCounts[unitBase + on]++;
    if (j < firstRow) continue;
    const rowStart = ((j * (j - 1)) >>> 1) - firstPair;
    for (let l = 0; l < x; l++) {
      const base = (rowStart + units[l]) * pairStride + ((symbols[l] - 1) * s + bj) * mK;
      cells[base + off]--;
      cells[base + on]++;
    }
  }
}

/** updateBin's pass over the bin's units and pairs: each cell at offsets[v] (v < count) of its [m][k] block changed by delta. */
function updatePairs(
  cells: Uint16Array | Int32Array,
  t: PairLayout,
  units: ArrayLike<number>,
  symbols: ArrayLike<number>,
  offsets: Int32Array,
  count: number,
  delta: number,
): void {
  const s = t.symbols;
  const mK = t.modes * t.alignments;
  const unitStride = t.cellsPerUnit;
  const pairStride = t.cellsPerPair;
  const firstPair = t.firstPair;
  const firstRow = t.firstRow;
  const unitCounts = t.unitCounts;
  for (let x = 0; x < units.length; x++) {
    const j = units[x];
    const bj = symbols[x] - 1;
    const unitBase = j * unitStride + bj * mK;
    for (let v = 0; v < count; v++) unitCounts[unitBase + offsets[v]] += delta;
    if (j < firstRow) continue;
    const rowStart = ((j * (j - 1)) >>> 1) - firstPair;
    for (let l = 0; l < x; l++) {
      const base = (rowStart + units[l]) * pairStride + ((symbols[l] - 1) * s + bj) * mK;
      for (let v = 0; v < count; v++) cells[base + offsets[v]] += delta;
    }
  }
}
