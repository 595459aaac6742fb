import type { PairCountTables } from '../pairCountTables.ts';
import type { PairRows, PairSums } from '../readoutKernel.ts';
import { READOUT_KERNEL_WASM } from './readoutKernelWasm.ts';

type Entry = (...args: number[]) => void;
interface Exports {
  sums16: Entry;
  sums32: Entry;
  bounds16: Entry;
  bounds32: Entry;
  quadratic16: Entry;
  quadratic32: Entry;
}

let compiled: WebAssembly.Module | undefined;

const PAGE = 65536;

/**
 * The readout kernel for levels = 3 in WebAssembly (assembly/readoutKernel.ts,
 * the twin of ReadoutKernel's pairSums3 and quadraticJoints3, the same bits).
 * It has a memory of its own: each call copies the pair rows, the units'
 * counts and the lookup table in, runs over every pair, and copies the
 * results out into the caller's arrays. (Reading typed arrays in JavaScript
 * pays a check per access once any buffer of the process has been detached —
 * as a growing WebAssembly memory does — and the kernel reads nine table
 * entries per mode and pair; here there are none.)
 */
export class WasmReadout {
  private readonly memory = new WebAssembly.Memory({ initial: 2 });
  private readonly kernel: Exports;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(READOUT_KERNEL_WASM, 'base64'));
    this.kernel = new WebAssembly.Instance(compiled, { env: { memory: this.memory } }).exports as unknown as Exports;
  }

  /** Makes the memory hold at least `bytes` bytes (growing by at least a quarter). */
  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((Math.max(bytes, have * 1.25) - have) / PAGE);
    this.memory.grow(pages);
  }

  /**
   * Lays out the inputs common to both passes: the table, the units' counts
   * and firings, the mode counts and the pair rows (pair p at p·perPair);
   * returns their addresses and the first free byte.
   */
  private place(tables: PairCountTables, rowSets: readonly PairRows[], units: number, table: Float64Array, unit: Int32Array, fired: Int32Array, extraBytes: (next: number) => number) {
    const rows = rowSets[0];
    const slots = units * tables.quarters * tables.modeCapacity;
    const perPair = tables.cellsPerPair;
    const pairs = (units * (units - 1)) / 2;
    const wide = units > 1 && rows[1] instanceof Uint32Array;
    const cellBytes = wide ? 4 : 2;
    // The first page is the module's own (AssemblyScript's static area), as in the significance kernel.
    let next = PAGE;
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
      cells: rowSets.map(() => take(pairs * perPair * cellBytes)),
    };
    const end = extraBytes(next);
    this.reserve(end);
    const buffer = this.memory.buffer;
    new Float64Array(buffer, at.table, table.length).set(table);
    new Int32Array(buffer, at.unit, slots * tables.symbols).set(unit.subarray(0, slots * tables.symbols));
    new Int32Array(buffer, at.fired, slots).set(fired.subarray(0, slots));
    new Int32Array(buffer, at.modeCounts, tables.modeCounts.length).set(tables.modeCounts);
    rowSets.forEach((set, k) => {
      const cells = wide ? new Uint32Array(buffer, at.cells[k], pairs * perPair) : new Uint16Array(buffer, at.cells[k], pairs * perPair);
      for (let j = 1; j < units; j++) cells.set(set[j].subarray(0, j * perPair), ((j * (j - 1)) / 2) * perPair);
    });
    return { at, wide, perPair, pairs };
  }

  /** ReadoutKernel.pairSums for levels = 3, into `out`. */
  pairSums(tables: PairCountTables, rows: PairRows, units: number, modes: number, table: Float64Array, unit: Int32Array, fired: Int32Array, out: PairSums): void {
    let outputs = 0;
    const pairs = (units * (units - 1)) / 2;
    const { at, wide, perPair } = this.place(tables, [rows], units, table, unit, fired, (next) => {
      outputs = next;
      return next + pairs * 24;
    });
    const within = outputs;
    const across = within + pairs * 8;
    const occupiedWithin = across + pairs * 8;
    const occupiedAcross = occupiedWithin + pairs * 4;
    (wide ? this.kernel.sums32 : this.kernel.sums16)(
      at.cells[0], perPair, tables.modeCapacity, modes, 1, units,
      at.unit, at.fired, at.modeCounts, at.table,
      within, across, occupiedWithin, occupiedAcross,
    );
    const buffer = this.memory.buffer;
    out.within.set(new Float64Array(buffer, within, pairs));
    out.across.set(new Float64Array(buffer, across, pairs));
    out.occupiedWithin.set(new Int32Array(buffer, occupiedWithin, pairs));
    out.occupiedAcross.set(new Int32Array(buffer, occupiedAcross, pairs));
  }

  /**
   * ReadoutKernel.quadraticJoints for levels = 3, into `joints`; `constants`
   * holds per quarter set N, Σ_m f(N_m) and the weight (7 each);
   * `unitQuarters` per unit and quarter its counts of symbols 1 and 2 and its
   * firings over the modes, `modeQuarters` the bins per quarter, `small` the
   * weighted parts of cells whose quarters count below 8.
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
    small: Float64Array,
    joints: Float64Array,
  ): void {
    let extra = 0;
    const pairs = (units * (units - 1)) / 2;
    const { at, wide, perPair } = this.place(tables, [tables.rows], units, f, unit, fired, (next) => {
      extra = next;
      return next + 4096 * 8 + 21 * 8 + 52 * 4 + 7 * 8 + units * 12 * 4 + 16 + pairs * 8;
    });
    const smallAt = extra;
    const constantsAt = smallAt + 4096 * 8;
    const scratch = constantsAt + 21 * 8;
    const unitQuartersAt = scratch + 52 * 4 + 7 * 8;
    const modeQuartersAt = unitQuartersAt + units * 12 * 4;
    const jointsAt = modeQuartersAt + 16;
    const buffer = this.memory.buffer;
    new Float64Array(buffer, constantsAt, 21).set(constants);
    new Float64Array(buffer, smallAt, 4096).set(small);
    new Int32Array(buffer, unitQuartersAt, units * 12).set(unitQuarters.subarray(0, units * 12));
    new Int32Array(buffer, modeQuartersAt, 4).set(modeQuarters);
    (wide ? this.kernel.quadratic32 : this.kernel.quadratic16)(
      at.cells[0], perPair, tables.modeCapacity, modes, 1, units,
      at.unit, at.fired, at.modeCounts, at.table, constantsAt, scratch, jointsAt,
      unitQuartersAt, modeQuartersAt, smallAt,
    );
    joints.set(new Float64Array(this.memory.buffer, jointsAt, pairs));
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
    const pairs = (units * (units - 1)) / 2;
    const rowSets = shuffledRows === undefined ? [tables.rows] : [tables.rows, shuffledRows];
    const { at, wide, perPair } = this.place(tables, rowSets, units, f, unit, fired, (next) => {
      extra = next;
      return next + 8 * 8 + 2 * units * 8 + 2 * pairs * 8;
    });
    const constantsAt = extra;
    const singlesAt = constantsAt + 8 * 8;
    const conditionalsAt = singlesAt + units * 8;
    const lowAt = conditionalsAt + units * 8;
    const highAt = lowAt + pairs * 8;
    const buffer = this.memory.buffer;
    new Float64Array(buffer, constantsAt, constants.length).set(constants);
    new Float64Array(buffer, singlesAt, units).set(singles.subarray(0, units));
    new Float64Array(buffer, conditionalsAt, units).set(conditionals.subarray(0, units));
    (wide ? this.kernel.bounds32 : this.kernel.bounds16)(
      at.cells[0], at.cells[1] ?? 0, perPair, tables.modeCapacity, modes, 1, units,
      at.unit, at.fired, at.modeCounts, at.table, constantsAt, singlesAt, conditionalsAt,
      lowAt, highAt,
    );
    low.set(new Float64Array(buffer, lowAt, pairs));
    high.set(new Float64Array(buffer, highAt, pairs));
  }
}
