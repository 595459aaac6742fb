import { JointTable } from './jointTable.ts';

/**
 * Samples of discrete variables, one column of dense symbols per variable,
 * with the original value of each symbol. Measures are invariant to renaming
 * symbols, so any integers (or labels) can be mapped to 0 … m − 1.
 */
export interface DiscreteSamples {
  columns: Int32Array[];
  alphabet: number[];
  /** values[v][symbol] = the original value behind a symbol of variable v. */
  values: number[][];
}

/**
 * Maps each column's distinct integer values, sorted, to symbols 0 … m − 1.
 * Where `alphabet[v]` is given, column v must already hold symbols
 * 0 … alphabet[v] − 1 (e.g. spike counts clipped to `levels`), and the
 * alphabet size is the declared one even if some symbols never occur, as the
 * Panzeri–Treves correction needs.
 */
export function discretize(
  columns: readonly ArrayLike<number>[],
  alphabet?: readonly (number | undefined)[],
): DiscreteSamples {
  const n = columns.length === 0 ? 0 : columns[0].length;
  const result: DiscreteSamples = { columns: [], alphabet: [], values: [] };
  columns.forEach((column, v) => {
    if (column.length !== n) throw new RangeError(`column ${v} holds ${column.length} samples, column 0 holds ${n}`);
    const declared = alphabet?.[v];
    const symbols = new Int32Array(n);
    if (declared !== undefined) {
      for (let i = 0; i < n; i++) {
        const x = column[i];
        if (!Number.isInteger(x) || x < 0 || x >= declared) {
          throw new RangeError(`sample ${i} of column ${v} is ${x}, outside 0…${declared - 1}`);
        }
        symbols[i] = x;
      }
      result.values.push(Array.from({ length: declared }, (_, s) => s));
      result.alphabet.push(declared);
    } else {
      const distinct = [...new Set(Array.from(column))].sort((a, b) => a - b);
      for (const x of distinct) if (!Number.isFinite(x)) throw new RangeError(`column ${v} holds ${x}`);
      const index = new Map(distinct.map((x, s) => [x, s]));
      for (let i = 0; i < n; i++) symbols[i] = index.get(column[i])!;
      result.values.push(distinct);
      result.alphabet.push(Math.max(1, distinct.length));
    }
    result.columns.push(symbols);
  });
  return result;
}

/** What the estimators need: the table of all samples and, for QE, its four quarters. */
export interface EstimationData {
  table: JointTable;
  /**
   * Four tables of the samples (quarters for quadratic extrapolation). They
   * sum to `table`, or to a part of it when some samples are in no quarter
   * (the `shuffled` split leaves out N mod 4): QE then extrapolates from
   * their sum.
   */
  quarters?: readonly JointTable[];
  /** The samples in order, where the estimator needs more than counts (a given pairing of the shuffle estimator). */
  samples?: DiscreteSamples;
}

/**
 * Tables of the samples and of four quarters. Quarters are contiguous in
 * sample order (sample i of N goes to quarter ⌊4i/N⌋), as in Strong et al.
 * (1998), unless `quarterOf` assigns each sample a quarter 0–3 or −1 (in
 * no quarter): the streaming engine's bin index mod 4, or pyentropy's
 * shuffled split (quarterAssignment in src/estimators/quarterSplit.ts).
 */
export function estimationData(samples: DiscreteSamples, quarterOf?: ArrayLike<number>): EstimationData {
  const n = samples.columns.length === 0 ? 0 : samples.columns[0].length;
  const all = new Map<number, number>();
  const quarters = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  if (quarterOf !== undefined && quarterOf.length !== n) {
    throw new RangeError(`quarterOf has ${quarterOf.length} entries for ${n} samples`);
  }
  for (let i = 0; i < n; i++) {
    let code = 0;
    for (let v = 0; v < samples.columns.length; v++) code = code * samples.alphabet[v] + samples.columns[v][i];
    all.set(code, (all.get(code) ?? 0) + 1);
    const q = quarterOf === undefined ? Math.floor((4 * i) / n) : quarterOf[i];
    if (q === -1) continue;
    if (!(q >= 0 && q <= 3 && Number.isInteger(q))) throw new RangeError(`quarter ${q} of sample ${i} is not 0–3 or −1`);
    quarters[q].set(code, (quarters[q].get(code) ?? 0) + 1);
  }
  return {
    table: new JointTable(samples.alphabet, all),
    quarters: quarters.map((counts) => new JointTable(samples.alphabet, counts)),
    samples,
  };
}
