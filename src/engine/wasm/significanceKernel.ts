import { CELLS_BYTE, type LaggedPairTables } from '../laggedPairTables.ts';
import type { PairRowsShape, ReadOutResult } from '../significanceRows.ts';
import { kernelInstances } from './kernelInstances.ts';
import { SIGNIFICANCE_KERNEL_WASM } from './significanceKernelWasm.ts';

type Rows = (...args: number[]) => void;
interface Kernel {
  rows16: Rows;
  rows32: Rows;
}

/** The kernel bound to one memory (compiled once per process, instantiated once per memory). */
const kernelFor = kernelInstances<Kernel>(SIGNIFICANCE_KERNEL_WASM);

/**
 * The significance read-out of every pair (levels = 3) in the WebAssembly
 * kernel, on the tables' cells where they lie: the per-unit inputs are
 * copied to scratch space after the cells, the kernel runs over all rows,
 * and its results are copied into `out`. The same bits as pairRowsJs.
 */
export function runKernel(
  tables: LaggedPairTables,
  units: number,
  shape: PairRowsShape,
  f: Float64Array,
  fired: Int32Array,
  unitTerms: Float64Array,
  constant: Float64Array,
  total: Float64Array,
  out: ReadOutResult,
): void {
  const { count } = shape;
  const pairs = tables.pairsHeld(units);
  const unitCounts = tables.unitCounts.subarray(0, units * shape.perUnit);
  let next = tables.cellsEndByte;
  const place = (bytes: number): number => {
    const at = next;
    next += Math.ceil(bytes / 8) * 8;
    return at;
  };
  const at = {
    f: place(f.byteLength),
    unitCounts: place(unitCounts.byteLength),
    modeCounts: place(tables.modeCounts.byteLength),
    fired: place(fired.byteLength),
    unitTerms: place(unitTerms.byteLength),
    constant: place(constant.byteLength),
    total: place(total.byteLength),
    statistic: place(pairs * 8),
    excess: place(pairs * 8),
    beyond: place(pairs * 4),
    maxima: place(count * 8),
    sums: place(count * 8),
    values: place(count * 8),
    joint: place(9 * count * 4),
  };
  tables.reserve(next);
  const buffer = tables.memory.buffer;
  new Float64Array(buffer, at.f, f.length).set(f);
  new Int32Array(buffer, at.unitCounts, unitCounts.length).set(unitCounts);
  new Int32Array(buffer, at.modeCounts, tables.modeCounts.length).set(tables.modeCounts);
  new Int32Array(buffer, at.fired, fired.length).set(fired);
  new Float64Array(buffer, at.unitTerms, unitTerms.length).set(unitTerms);
  new Float64Array(buffer, at.constant, count).set(constant);
  new Float64Array(buffer, at.total, count).set(total);
  new Float64Array(buffer, at.maxima, out.maxima.length).set(out.maxima);
  const kernel = kernelFor(tables.memory);
  (tables.wide ? kernel.rows32 : kernel.rows16)(
    CELLS_BYTE,
    shape.perPair,
    shape.perUnit,
    shape.mK,
    shape.K,
    shape.modes,
    count,
    shape.allLabeled ? 1 : 0,
    shape.available,
    Math.max(1, tables.firstRow),
    units,
    shape.firstPair,
    at.f,
    at.unitCounts,
    at.modeCounts,
    at.fired,
    at.unitTerms,
    at.constant,
    at.total,
    at.statistic,
    at.excess,
    at.beyond,
    at.maxima,
    at.sums,
    at.values,
    at.joint,
  );
  out.statistic.set(new Float64Array(buffer, at.statistic, pairs));
  out.excess.set(new Float64Array(buffer, at.excess, pairs));
  out.beyond.set(new Uint32Array(buffer, at.beyond, pairs));
  out.maxima.set(new Float64Array(buffer, at.maxima, out.maxima.length));
}
