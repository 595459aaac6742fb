import { PAIR_CELLS_BYTE, type PairCountTables } from '../pairCountTables.ts';
import type { PairRows, PairSums } from '../pairSums.ts';
import { kernelFor } from './readoutKernelInstance.ts';

/**
 * The readout kernel for levels = 3 in WebAssembly (assembly/readoutKernel.ts,
 * the twin of ReadoutKernel's pairSums3, quadraticJoints3 and
 * synergyBoundsJs, the same bits), run on the count tables' own memory: the
 * pair cells are read where they lie (PairCountTables keeps them in a
 * WebAssembly memory); the units' counts, the lookup table and the results
 * go in scratch space after the cells, and the results are copied out into
 * the caller's arrays. (Reading typed arrays in JavaScript pays a check per
 * access once any buffer of the process has been detached — as a growing
 * WebAssembly memory does — and the kernel reads nine table entries per mode
 * and pair; here there are none.)
 */
export class WasmReadout {
  /**
   * Lays out, after the tables' cells: the table, the units' counts and
   * firings, the mode counts, and other tables' rows to read (`otherRows`,
   * copied: the shuffled rows); then `extraBytes(next)` more. Returns the
   * addresses, the kernel and the first free byte.
   */
  private place(tables: PairCountTables, otherRows: PairRows | undefined, units: number, table: Float64Array, unit: Int32Array, fired: Int32Array, extraBytes: (next: number) => number) {
    const slots = units * tables.quarters * tables.modeCapacity;
    const perPair = tables.cellsPerPair;
    const pairs = tables.pairsHeld(units);
    const wide = tables.wide;
    let next = tables.cellsEndByte;
    const take = (bytes: number): number => {
      const at = next;
      next += Math.ceil(bytes / 8) * 8;
      return at;
    };
    const at = {
      table: take(table.byteLength),
      unit: take(slots * tables.symbols * 4),
      fired: take(slots * 4),
      modeCounts: take(tables.modeCounts.length * 4),
      cells: PAIR_CELLS_BYTE,
      otherCells: otherRows === undefined ? 0 : take(pairs * perPair * tables.cellBytes),
    };
    tables.reserve(extraBytes(next));
    const buffer = tables.memory.buffer;
    new Float64Array(buffer, at.table, table.length).set(table);
    new Int32Array(buffer, at.unit, slots * tables.symbols).set(unit.subarray(0, slots * tables.symbols));
    new Int32Array(buffer, at.fired, slots).set(fired.subarray(0, slots));
    new Int32Array(buffer, at.modeCounts, tables.modeCounts.length).set(tables.modeCounts);
    if (otherRows !== undefined) {
      const cells = wide ? new Uint32Array(buffer, at.otherCells, pairs * perPair) : new Uint16Array(buffer, at.otherCells, pairs * perPair);
      const first = tables.firstPair;
      for (let j = Math.max(1, tables.firstRow); j < units; j++) cells.set(otherRows[j].subarray(0, j * perPair), ((j * (j - 1)) / 2 - first) * perPair);
    }
    // The rows the tables hold (a tile's band), and the first pair's index: results go to p − firstPair.
    const rows = { from: Math.max(1, tables.firstRow), firstPair: tables.firstPair };
    return { at, wide, perPair, pairs, rows, kernel: kernelFor(tables.memory) };
  }

  /** ReadoutKernel.pairSums for levels = 3, into `out`. */
  pairSums(tables: PairCountTables, rows: PairRows, units: number, modes: number, table: Float64Array, unit: Int32Array, fired: Int32Array, out: PairSums): void {
    let outputs = 0;
    const pairs = tables.pairsHeld(units);
    const own = rows === tables.rows;
    const { at, wide, perPair, rows: band, kernel } = this.place(tables, own ? undefined : rows, units, table, unit, fired, (next) => {
      outputs = next;
      return next + pairs * 24;
    });
    const within = outputs;
    const across = within + pairs * 8;
    const occupiedWithin = across + pairs * 8;
    const occupiedAcross = occupiedWithin + pairs * 4;
    (wide ? kernel.sums32 : kernel.sums16)(
      own ? at.cells : at.otherCells, perPair, tables.modeCapacity, modes, band.from, units, band.firstPair,
      at.unit, at.fired, at.modeCounts, at.table,
      within, across, occupiedWithin, occupiedAcross,
    );
    const buffer = tables.memory.buffer;
    out.within.set(new Float64Array(buffer, within, pairs));
    out.across.set(new Float64Array(buffer, across, pairs));
    out.occupiedWithin.set(new Int32Array(buffer, occupiedWithin, pairs));
    out.occupiedAcross.set(new Int32Array(buffer, occupiedAcross, pairs));
  }

  /**
   * ReadoutKernel.quadraticJoints for levels = 3, into `joints`; `constants`
   * holds per quarter set N, Σ_m f(N_m) and the weight (7 each);
   * `unitQuarters` per unit and quarter its counts of symbols 1 and 2 and its
   * firings over the modes, `modeQuarters` the bins per quarter.
   */
  quadraticJoints(
    tables: PairCountTables,
    units: number,
    modes: number,
    f: Float64Array,
    unit: Int32Array,
    fired: Int32Array,
    constants: Float64Array,
    unitQuarters: Int32Array,
    modeQuarters: Int32Array,
    joints: Float64Array,
  ): void {
    let extra = 0;
    const pairs = tables.pairsHeld(units);
    const { at, wide, perPair, rows: band, kernel } = this.place(tables, undefined, units, f, unit, fired, (next) => {
      extra = next;
      return next + 21 * 8 + 52 * 4 + 7 * 8 + units * 12 * 4 + 16 + pairs * 8;
    });
    const constantsAt = extra;
    const scratch = constantsAt + 21 * 8;
    const unitQuartersAt = scratch + 52 * 4 + 7 * 8;
    const modeQuartersAt = unitQuartersAt + units * 12 * 4;
    const jointsAt = modeQuartersAt + 16;
    const buffer = tables.memory.buffer;
    new Float64Array(buffer, constantsAt, 21).set(constants);
    new Int32Array(buffer, unitQuartersAt, units * 12).set(unitQuarters.subarray(0, units * 12));
    new Int32Array(buffer, modeQuartersAt, 4).set(modeQuarters);
    (wide ? kernel.quadratic32 : kernel.quadratic16)(
      at.cells, perPair, tables.modeCapacity, modes, band.from, units, band.firstPair,
      at.unit, at.fired, at.modeCounts, at.table, constantsAt, scratch, jointsAt,
      unitQuartersAt, modeQuartersAt,
    );
    joints.set(new Float64Array(tables.memory.buffer, jointsAt, pairs));
  }

  /**
   * ReadoutKernel.synergyBounds for levels = 3: every pair's bracket of its
   * Panzeri–Treves (with `shuffledRows`, shuffle) synergy into `low` and
   * `high`; `constants` as the kernel's (N, Σ_m f(N_m), modes present, D,
   * 1/(2N ln 2), f(N)).
   */
  synergyBounds(
    tables: PairCountTables,
    shuffledRows: PairRows | undefined,
    units: number,
    modes: number,
    f: Float64Array,
    unit: Int32Array,
    fired: Int32Array,
    constants: Float64Array,
    singles: Float64Array,
    conditionals: Float64Array,
    low: Float64Array,
    high: Float64Array,
  ): void {
    let extra = 0;
    const pairs = tables.pairsHeld(units);
    const { at, wide, perPair, rows: band, kernel } = this.place(tables, shuffledRows, units, f, unit, fired, (next) => {
      extra = next;
      return next + 8 * 8 + 2 * units * 8 + 2 * pairs * 8 + 2 * pairs * 24;
    });
    const constantsAt = extra;
    const singlesAt = constantsAt + 8 * 8;
    const conditionalsAt = singlesAt + units * 8;
    const lowAt = conditionalsAt + units * 8;
    const highAt = lowAt + pairs * 8;
    const sumsAt = highAt + pairs * 8;
    const buffer = tables.memory.buffer;
    new Float64Array(buffer, constantsAt, constants.length).set(constants);
    new Float64Array(buffer, singlesAt, units).set(singles.subarray(0, units));
    new Float64Array(buffer, conditionalsAt, units).set(conditionals.subarray(0, units));
    (wide ? kernel.bounds32 : kernel.bounds16)(
      at.cells, shuffledRows === undefined ? 0 : at.otherCells, perPair, tables.modeCapacity, modes, band.from, units, band.firstPair,
      at.unit, at.fired, at.modeCounts, at.table, constantsAt, singlesAt, conditionalsAt,
      lowAt, highAt, sumsAt,
    );
    low.set(new Float64Array(buffer, lowAt, pairs));
    high.set(new Float64Array(buffer, highAt, pairs));
  }
}

/**
 * The machine's rates for the benchmark's limit estimate, in the kernel's
 * own code: ns per lookup of a table of `tableLength` doubles at random
 * places, and bytes per ns streaming 16-bit cells; best of `repeats`.
 */
export function measureKernelRates(tableLength: number, lookups: number, streamBytes: number, repeats: number): { nsPerLookup: number; bytesPerNs: number; checksum: number } {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const kernel = kernelFor(memory);
  const tableAt = 65536;
  const indexAt = tableAt + tableLength * 8;
  const cellsAt = indexAt + lookups * 4;
  const end = cellsAt + streamBytes;
  memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const table = new Float64Array(memory.buffer, tableAt, tableLength);
  for (let k = 2; k < tableLength; k++) table[k] = k * Math.log2(k);
  const index = new Int32Array(memory.buffer, indexAt, lookups);
  let seed = 12345;
  for (let k = 0; k < lookups; k++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    index[k] = (seed >>> 8) % tableLength;
  }
  new Uint16Array(memory.buffer, cellsAt, streamBytes / 2).fill(1);
  let checksum = 0;
  const best = (run: () => number): number => {
    let fastest = Infinity;
    for (let k = 0; k < repeats + 2; k++) {
      const start = performance.now();
      checksum += run();
      if (k >= 2) fastest = Math.min(fastest, performance.now() - start);
    }
    return fastest;
  };
  const lookupMs = best(() => kernel.lookupSum(tableAt, indexAt, lookups));
  const streamMs = best(() => kernel.streamSum(cellsAt, streamBytes / 2));
  return { nsPerLookup: (lookupMs * 1e6) / lookups, bytesPerNs: streamBytes / (streamMs * 1e6), checksum };
}
