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
 * - rows[j][i][a−1][b−1][m][k] for pairs i < j.
 * The mode count M grows as modes appear (the tables are laid out anew).
 */
export class LaggedPairTables {
  readonly symbols: number;
  units = 0;
  modes = 1;
  modeCounts: Int32Array;
  unitCounts: Int32Array;
  rows: (Uint16Array | Int32Array)[] = [];
  private readonly wide: boolean;

  constructor(
    readonly levels: number,
    /** Alignments: 1 (real) + the surrogates. */
    public alignments: number,
    /** The most bins a window can hold (chooses 16- or 32-bit pair cells). */
    maxBins: number,
  ) {
    if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`levels must be an integer ≥ 2, got ${levels}`);
    this.symbols = levels - 1;
    this.wide = maxBins > 0xffff;
    this.modeCounts = new Int32Array(this.modes * alignments);
    this.unitCounts = new Int32Array(0);
  }

  /** Cells of one pair: s² × modes × alignments. */
  get cellsPerPair(): number {
    return this.symbols * this.symbols * this.modes * this.alignments;
  }

  /** Cells of one unit: s × modes × alignments. */
  get cellsPerUnit(): number {
    return this.symbols * this.modes * this.alignments;
  }

  /** Cells held for `units` units: what the memory bound is checked against. */
  cellsFor(units: number, modes = this.modes, alignments = this.alignments): number {
    const s = this.symbols;
    return ((units * (units - 1)) / 2) * s * s * modes * alignments + units * s * modes * alignments + modes * alignments;
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
    for (let j = this.units; j < count; j++) this.rows.push(this.newRow(j * this.cellsPerPair));
    this.units = count;
  }

  /**
   * Lays the tables out for `modes` modes and `alignments` alignments (the
   * first ones kept): more modes as they appear, fewer alignments when the
   * memory bound drops the longest lags.
   */
  relayout(modes: number, alignments: number): void {
    if (modes === this.modes && alignments === this.alignments) return;
    const oldModes = this.modes;
    const oldK = this.alignments;
    const keepModes = Math.min(oldModes, modes);
    const keepK = Math.min(oldK, alignments);
    // Each block is [m][k]; copy the kept part of it.
    const move = <T extends Uint16Array | Int32Array>(old: T, blocks: number, make: (n: number) => T): T => {
      const grown = make(blocks * modes * alignments);
      for (let block = 0; block < blocks; block++) {
        for (let m = 0; m < keepModes; m++) {
          const from = (block * oldModes + m) * oldK;
          grown.set(old.subarray(from, from + keepK), (block * modes + m) * alignments);
        }
      }
      return grown;
    };
    const s = this.symbols;
    this.modeCounts = move(this.modeCounts, 1, (n) => new Int32Array(n));
    // Blocks of [m][k]: s per unit held.
    const unitBlocks = this.unitCounts.length / (oldModes * oldK);
    this.unitCounts = move(this.unitCounts, unitBlocks, (n) => new Int32Array(n));
    this.rows = this.rows.map((row, j) => move(row, j * s * s, (n) => (this.wide ? new Int32Array(n) : new Uint16Array(n)) as typeof row));
    this.modes = modes;
    this.alignments = alignments;
  }

  /**
   * Adds (delta = +1) or removes (−1) one bin: `units` (ascending) fired
   * with `symbols` (≥ 1); under alignment `aligned[v]` the bin's mode is
   * `modeOf[v]` (v < count; alignments whose mode is unknown are left out).
   */
  updateBin(units: ArrayLike<number>, symbols: ArrayLike<number>, aligned: Int32Array, modeOf: Int32Array, count: number, delta: 1 | -1): void {
    if (count === 0) return;
    const s = this.symbols;
    const K = this.alignments;
    const mK = this.modes * K;
    // Offsets of each alignment's cell inside a [m][k] block.
    const offsets = this.offsets(count);
    for (let v = 0; v < count; v++) {
      offsets[v] = modeOf[v] * K + aligned[v];
      this.modeCounts[offsets[v]] += delta;
    }
    const unitStride = this.cellsPerUnit;
    const pairStride = this.cellsPerPair;
    for (let x = 0; x < units.length; x++) {
      const j = units[x];
      const bj = symbols[x] - 1;
      const unitBase = j * unitStride + bj * mK;
      for (let v = 0; v < count; v++) this.unitCounts[unitBase + offsets[v]] += delta;
      const row = this.rows[j];
      for (let l = 0; l < x; l++) {
        const base = units[l] * pairStride + ((symbols[l] - 1) * s + bj) * mK;
        for (let v = 0; v < count; v++) row[base + offsets[v]] += delta;
      }
    }
  }

  private offsetScratch = new Int32Array(0);
  private offsets(count: number): Int32Array {
    if (this.offsetScratch.length < count) this.offsetScratch = new Int32Array(Math.max(count, 2 * this.offsetScratch.length));
    return this.offsetScratch;
  }

  private newRow(length: number): Uint16Array | Int32Array {
    return this.wide ? new Int32Array(length) : new Uint16Array(length);
  }
}
