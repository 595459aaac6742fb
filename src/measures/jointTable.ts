import { BadDataError } from '../errors.ts';

/**
 * A joint count table: how many samples showed each word of symbols over k
 * discrete variables (sources and, usually, the behavioral mode).
 *
 * Every discrete measure in this package is computed from such a table, so a
 * measure gives the same number whether the table was filled from sample
 * arrays (batch) or maintained incrementally (streaming). Symbols are dense
 * indices 0 … alphabet[v] − 1; a word is stored as one mixed-radix integer
 * code, variable 0 varying slowest.
 */
export class JointTable {
  /** Alphabet size of each variable (the number of symbols it may take). */
  readonly alphabet: readonly number[];
  /** Samples per word code; only occupied words are present. */
  readonly counts: ReadonlyMap<number, number>;
  /** Number of samples (sum of counts). */
  readonly total: number;
  private readonly strides: number[];
  private readonly marginalCache = new Map<string, Map<number, number>>();

  constructor(alphabet: readonly number[], counts: ReadonlyMap<number, number>) {
    for (const size of alphabet) {
      if (!Number.isInteger(size) || size < 1) {
        throw new RangeError(`alphabet sizes must be positive integers, got ${size}`);
      }
    }
    const strides = new Array<number>(alphabet.length);
    let product = 1;
    for (let v = alphabet.length - 1; v >= 0; v--) {
      strides[v] = product;
      product *= alphabet[v];
    }
    if (product > Number.MAX_SAFE_INTEGER) {
      // Reached from data (a file of many columns, or of many values each): not a programming error.
      throw new BadDataError(
        `the joint alphabet (${alphabet.join('×')} words) is too large for a discrete table; use the Gaussian estimators for large groups`,
        'ALPHABET_TOO_LARGE',
      );
    }
    let total = 0;
    for (const [code, count] of counts) {
      if (!Number.isInteger(code) || code < 0 || code >= product) {
        throw new RangeError(`word code ${code} is outside the alphabet ${alphabet.join('×')}`);
      }
      if (!Number.isInteger(count) || count < 0) {
        throw new RangeError(`counts must be non-negative integers, got ${count}`);
      }
      total += count;
    }
    this.alphabet = [...alphabet];
    this.counts = counts;
    this.total = total;
    this.strides = strides;
  }

  /** Number of variables. */
  get size(): number {
    return this.alphabet.length;
  }

  /**
   * Tabulates samples given as one array of dense symbols per variable
   * (all of one length). `alphabet` defaults to max symbol + 1 per variable.
   */
  static fromColumns(columns: readonly ArrayLike<number>[], alphabet?: readonly number[]): JointTable {
    const sizes = alphabet ?? columns.map((column) => maxSymbol(column) + 1);
    if (sizes.length !== columns.length) {
      throw new RangeError(`${columns.length} columns but ${sizes.length} alphabet sizes`);
    }
    const n = columns.length === 0 ? 0 : columns[0].length;
    for (const column of columns) {
      if (column.length !== n) throw new RangeError('all columns must hold the same number of samples');
    }
    const builder = new JointTableBuilder(sizes);
    for (let i = 0; i < n; i++) {
      builder.add(columns.map((column) => column[i]));
    }
    return builder.build();
  }

  /** A table from explicit (word, count) entries, as the test vectors list them. */
  static fromWords(alphabet: readonly number[], entries: Iterable<readonly [readonly number[], number]>): JointTable {
    const builder = new JointTableBuilder(alphabet);
    for (const [word, count] of entries) builder.add(word, count);
    return builder.build();
  }

  /** The symbol of variable v in the word with this code. */
  symbolOf(code: number, v: number): number {
    return Math.floor(code / this.strides[v]) % this.alphabet[v];
  }

  /** Code of the sub-word over `vars` (in the order given) of a full word code. */
  subCode(code: number, vars: readonly number[]): number {
    let sub = 0;
    for (const v of vars) sub = sub * this.alphabet[v] + this.symbolOf(code, v);
    return sub;
  }

  /** Number of possible words over `vars` (the alphabet of their joint). */
  alphabetOf(vars: readonly number[]): number {
    let product = 1;
    for (const v of vars) product *= this.alphabet[v];
    return product;
  }

  /** Counts of the marginal over `vars` (sub-word code → count), cached. */
  marginal(vars: readonly number[]): Map<number, number> {
    const key = vars.join(',');
    let table = this.marginalCache.get(key);
    if (table === undefined) {
      table = new Map();
      for (const [code, count] of this.counts) {
        if (count === 0) continue;
        const sub = this.subCode(code, vars);
        table.set(sub, (table.get(sub) ?? 0) + count);
      }
      this.marginalCache.set(key, table);
    }
    return table;
  }

  /**
   * Counts of `vars` within each value of `given`: given-code → (vars-code → count).
   * The per-mode tables of SCIENCE.md when `given` is the mode.
   */
  conditional(vars: readonly number[], given: readonly number[]): Map<number, Map<number, number>> {
    const groups = new Map<number, Map<number, number>>();
    for (const [code, count] of this.counts) {
      if (count === 0) continue;
      const g = this.subCode(code, given);
      let table = groups.get(g);
      if (table === undefined) {
        table = new Map();
        groups.set(g, table);
      }
      const sub = this.subCode(code, vars);
      table.set(sub, (table.get(sub) ?? 0) + count);
    }
    return groups;
  }

  /** A copy with one sample of the word `code` removed (for leave-one-out estimates). */
  withoutOne(code: number): JointTable {
    const count = this.counts.get(code) ?? 0;
    if (count < 1) throw new RangeError(`no sample with word code ${code} to remove`);
    const counts = new Map(this.counts);
    if (count === 1) counts.delete(code);
    else counts.set(code, count - 1);
    return new JointTable(this.alphabet, counts);
  }

  /** The sum of several tables over the same alphabet (e.g. two quarters make a half). */
  static sum(tables: readonly JointTable[]): JointTable {
    if (tables.length === 0) throw new RangeError('cannot sum zero tables');
    const alphabet = tables[0].alphabet;
    const counts = new Map<number, number>();
    for (const table of tables) {
      if (table.alphabet.join() !== alphabet.join()) throw new RangeError('tables differ in alphabet');
      for (const [code, count] of table.counts) counts.set(code, (counts.get(code) ?? 0) + count);
    }
    return new JointTable(alphabet, counts);
  }
}

/** Accumulates words into a JointTable. */
export class JointTableBuilder {
  private readonly counts = new Map<number, number>();
  constructor(readonly alphabet: readonly number[]) {}

  add(word: ArrayLike<number>, count = 1): void {
    if (word.length !== this.alphabet.length) {
      throw new RangeError(`word of ${word.length} symbols for ${this.alphabet.length} variables`);
    }
    let code = 0;
    for (let v = 0; v < word.length; v++) {
      const symbol = word[v];
      if (!Number.isInteger(symbol) || symbol < 0 || symbol >= this.alphabet[v]) {
        throw new RangeError(`symbol ${symbol} of variable ${v} is outside 0…${this.alphabet[v] - 1}`);
      }
      code = code * this.alphabet[v] + symbol;
    }
    this.counts.set(code, (this.counts.get(code) ?? 0) + count);
  }

  build(): JointTable {
    return new JointTable(this.alphabet, new Map(this.counts));
  }
}

function maxSymbol(column: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < column.length; i++) if (column[i] > max) max = column[i];
  return max;
}
