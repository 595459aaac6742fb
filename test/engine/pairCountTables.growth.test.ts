import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairCountTables } from '../../src/engine/pairCountTables.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

/**
 * PairCountTables beyond the sliding window of pairCountTables.test.ts: bins
 * removed in any order (not only the oldest), units past the first
 * allocation (16 units) and mode capacity grown from 1 while the tables hold
 * counts, the 16/32-bit cell boundary at its exact limits, and the
 * within-mode shuffled words (updateCrossPairs) of a random permutation per
 * mode read back through the main tables' marginals, as the shuffle estimator
 * reads them. Every expected table is counted here from the bins, by a loop
 * that shares nothing with the class.
 */

/** One labeled bin: its index (quarter = index mod 4), mode, and the symbol (0 … levels − 1) of every unit. */
interface Bin {
  index: number;
  mode: number;
  symbol: number[];
}

/** The symbol of unit u in a bin; units added after the bin was made never fired in it. */
const symbolOf = (bin: Bin, u: number): number => bin.symbol[u] ?? 0;

function fired(bin: Bin): { units: number[]; symbols: number[] } {
  const units: number[] = [];
  const symbols: number[] = [];
  for (let u = 0; u < bin.symbol.length; u++) {
    if (bin.symbol[u] > 0) {
      units.push(u);
      symbols.push(bin.symbol[u]);
    }
  }
  return { units, symbols };
}

function apply(tables: PairCountTables, bin: Bin, delta: 1 | -1): void {
  const { units, symbols } = fired(bin);
  tables.updateBin(tables.quarters === 4 ? bin.index % 4 : 0, bin.mode, Uint32Array.from(units), Uint8Array.from(symbols), 0, units.length, delta);
}

/** Dense pair cells [q][m][x_i][x_j] counted from the bins. */
function countPair(bins: readonly Bin[], i: number, j: number, quarters: number, modes: number, levels: number): number[] {
  const cells = new Array<number>(quarters * modes * levels * levels).fill(0);
  for (const bin of bins) {
    const q = quarters === 4 ? bin.index % 4 : 0;
    cells[((q * modes + bin.mode) * levels + symbolOf(bin, i)) * levels + symbolOf(bin, j)] += 1;
  }
  return cells;
}

function countUnit(bins: readonly Bin[], u: number, quarters: number, modes: number, levels: number): number[] {
  const cells = new Array<number>(quarters * modes * levels).fill(0);
  for (const bin of bins) {
    const q = quarters === 4 ? bin.index % 4 : 0;
    cells[(q * modes + bin.mode) * levels + symbolOf(bin, u)] += 1;
  }
  return cells;
}

/** Every pair, every unit and every mode total equal the count from scratch. */
function expectCounts(tables: PairCountTables, bins: readonly Bin[], units: number, modes: number, where: string): void {
  const levels = tables.levels;
  const quarters = tables.quarters;
  const pairCells = new Float64Array(quarters * modes * levels * levels);
  for (let j = 1; j < units; j++) {
    for (let i = 0; i < j; i++) {
      tables.fillPairCells(i, j, modes, pairCells);
      expect(Array.from(pairCells), `${where}: pair (${i}, ${j})`).toEqual(countPair(bins, i, j, quarters, modes, levels));
    }
  }
  const unitCells = new Float64Array(quarters * modes * levels);
  for (let u = 0; u < units; u++) {
    tables.fillUnitCells(u, modes, unitCells);
    expect(Array.from(unitCells), `${where}: unit ${u}`).toEqual(countUnit(bins, u, quarters, modes, levels));
  }
  for (let m = 0; m < modes; m++) {
    expect(tables.modeTotal(m), `${where}: bins of mode ${m}`).toBe(bins.filter((bin) => bin.mode === m).length);
  }
}

function randomBin(random: SeededRandom, index: number, units: number, modes: number, levels: number, silence: number): Bin {
  const symbol = Array.from({ length: units }, () => (random.next() < silence ? 0 : 1 + random.nextInt(levels - 1)));
  return { index, mode: random.nextInt(modes), symbol };
}

describe('PairCountTables: bins removed in any order', () => {
  it('random adds, removals of any bin held, and growth of units and modes between them: every table equals the count from scratch (fast-check)', () => {
    // An operation: add a new bin, remove the held bin at a position, or grow units or modes by some amount.
    const operation = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), seed: fc.integer({ min: 0, max: 1 << 30 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), position: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('units' as const), more: fc.integer({ min: 1, max: 4 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('modes' as const), more: fc.integer({ min: 1, max: 3 }) }) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(operation, { minLength: 1, maxLength: 60 }),
        (levels, quarters, initialModes, operations) => {
          const tables = new PairCountTables(levels, quarters, 500, initialModes);
          let units = 2;
          let modes = 1;
          tables.ensureUnits(units);
          tables.ensureModes(modes);
          const held: Bin[] = [];
          let index = 0;
          for (const op of operations) {
            if (op.kind === 'add') {
              const bin = randomBin(new SeededRandom(op.seed, 'bin'), index++, units, modes, levels, 0.5);
              apply(tables, bin, 1);
              held.push(bin);
            } else if (op.kind === 'remove') {
              if (held.length === 0) continue;
              const [bin] = held.splice(op.position % held.length, 1);
              apply(tables, bin, -1);
            } else if (op.kind === 'units') {
              tables.ensureUnits((units += op.more));
            } else {
              tables.ensureModes((modes += op.more));
            }
          }
          expectCounts(tables, held, units, modes, 'after the operations');
          // Removing everything left, newest first, leaves every table empty.
          while (held.length > 0) apply(tables, held.pop()!, -1);
          expectCounts(tables, [], units, modes, 'emptied');
          expect(tables.unitCounts.every((n) => n === 0)).toBe(true);
          expect(tables.modeCounts.every((n) => n === 0)).toBe(true);
          expect(tables.rows.every((row) => row.every((n) => n === 0))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('PairCountTables: growth while the tables hold counts', () => {
  it('units past the first allocation (16, then 40) and modes from a capacity of 1 to 9, with four quarters: counts kept, new units silent, new modes empty', () => {
    const levels = 3;
    const random = new SeededRandom(2024, 'growth');
    const tables = new PairCountTables(levels, true, 1000, 1);
    let units = 5;
    let modes = 1;
    tables.ensureUnits(units);
    tables.ensureModes(modes);
    const held: Bin[] = [];
    let index = 0;
    const addBins = (count: number) => {
      for (let k = 0; k < count; k++) {
        const bin = randomBin(random, index++, units, modes, levels, 0.6);
        apply(tables, bin, 1);
        held.push(bin);
      }
    };
    addBins(30);
    expectCounts(tables, held, units, modes, '5 units, 1 mode');
    // Past the 16 units the first allocation holds: the unit counts are copied into a larger array.
    tables.ensureUnits((units = 17));
    expectCounts(tables, held, units, modes, 'grown to 17 units, before any new bin');
    tables.ensureModes((modes = 3));
    expect(tables.modeCapacity).toBeGreaterThanOrEqual(3);
    expectCounts(tables, held, units, modes, 'grown to 3 modes, before any new bin');
    addBins(40);
    tables.ensureUnits((units = 40));
    addBins(20);
    tables.ensureModes((modes = 9));
    expect(tables.modeCapacity).toBeGreaterThanOrEqual(9);
    addBins(30);
    expectCounts(tables, held, units, modes, '40 units, 9 modes');
    // The oldest half leaves (some were made when there were 5 units and 1 mode).
    for (const bin of held.splice(0, 60)) apply(tables, bin, -1);
    expectCounts(tables, held, units, modes, 'oldest 60 removed');
    for (const bin of held.splice(0)) apply(tables, bin, -1);
    expectCounts(tables, [], units, modes, 'emptied');
  });

  it('ensureUnits and ensureModes never shrink, and asking for what is already there changes nothing', () => {
    const tables = new PairCountTables(3, false, 100, 8);
    tables.ensureUnits(6);
    tables.ensureModes(3);
    const bin: Bin = { index: 0, mode: 2, symbol: [1, 0, 2, 2, 0, 1] };
    apply(tables, bin, 1);
    const capacity = tables.modeCapacity;
    const rows = tables.rows;
    tables.ensureUnits(3);
    tables.ensureModes(2);
    tables.ensureModes(8);
    expect(tables.units).toBe(6);
    expect(tables.modeCapacity).toBe(capacity);
    expect(tables.rows).toBe(rows);
    expectCounts(tables, [bin], 6, 3, 'after asking for less');
  });

  it('the cells of a unit and of a pair: quarters × modes × (levels − 1) and × (levels − 1)²', () => {
    const tables = new PairCountTables(4, true, 100, 3);
    expect(tables.symbols).toBe(3);
    expect(tables.quarters).toBe(4);
    expect(tables.cellsPerUnit).toBe(4 * 3 * 3);
    expect(tables.cellsPerPair).toBe(4 * 3 * 9);
    tables.ensureUnits(5);
    // rows[j] holds the pairs (i, j), i < j: j pairs of cellsPerPair cells.
    expect(tables.rows.map((row) => row.length)).toEqual([0, 108, 216, 324, 432]);
    const single = new PairCountTables(2, false, 100, 2);
    expect(single.cellsPerUnit).toBe(2);
    expect(single.cellsPerPair).toBe(2);
  });
});

describe('PairCountTables: pair cells of 16 or 32 bits by the window size', () => {
  /** The same bin — units 0 and 1 both at symbol 1 — added `times` times, then read back. */
  function fillSameBin(maxBins: number, times: number): { tables: PairCountTables; cells: number[] } {
    const tables = new PairCountTables(2, false, maxBins, 1);
    tables.ensureUnits(2);
    tables.ensureModes(1);
    const units = Uint32Array.of(0, 1);
    const symbols = Uint8Array.of(1, 1);
    for (let k = 0; k < times; k++) tables.updateBin(0, 0, units, symbols, 0, 2, 1);
    const out = new Float64Array(4);
    tables.fillPairCells(0, 1, 1, out);
    return { tables, cells: Array.from(out) };
  }

  it('a window of at most 65,535 bins has 16-bit pair cells, and a cell holding every one of them is exact', () => {
    const { tables, cells } = fillSameBin(0xffff, 0xffff);
    expect(tables.rows[1]).toBeInstanceOf(Uint16Array);
    // [x0 = 0, x1 = 0], [0, 1], [1, 0], [1, 1]
    expect(cells).toEqual([0, 0, 0, 65_535]);
  });

  it('a window of 65,536 bins has 32-bit pair cells, exact at 65,536 (one past what 16 bits hold)', () => {
    const { tables, cells } = fillSameBin(0x10000, 0x10000);
    expect(tables.rows[1]).toBeInstanceOf(Uint32Array);
    expect(cells).toEqual([0, 0, 0, 65_536]);
  });

  it('the 32-bit cells stay 32-bit when modes are re-laid out and units added', () => {
    const tables = new PairCountTables(3, false, 100_000, 1);
    tables.ensureUnits(3);
    tables.ensureModes(5);
    tables.ensureUnits(20);
    expect(tables.rows.slice(1).every((row) => row instanceof Uint32Array)).toBe(true);
    const narrow = new PairCountTables(3, false, 1000, 1);
    narrow.ensureUnits(3);
    narrow.ensureModes(5);
    narrow.ensureUnits(20);
    expect(narrow.rows.slice(1).every((row) => row instanceof Uint16Array)).toBe(true);
  });
});

describe('PairCountTables: within-mode shuffled words (updateCrossPairs), read through the main tables', () => {
  it('a random permutation of each mode\'s bins: pair (i, j) counts (x_i of a bin, x_j of its partner); derived zero cells are right; removing the words empties the rows', () => {
    for (const levels of [2, 3, 4]) {
      const random = new SeededRandom(levels, 'cross-pairs');
      const units = 7;
      const modes = 3;
      const main = new PairCountTables(levels, false, 1000, 2);
      const shuffled = new PairCountTables(levels, false, 1000, 2);
      for (const tables of [main, shuffled]) {
        tables.ensureUnits(units);
        tables.ensureModes(modes);
      }
      const bins = Array.from({ length: 90 }, (_, index) => randomBin(random, index, units, modes, levels, 0.55));
      for (const bin of bins) apply(main, bin, 1);
      // partner[b]: a bin of the same mode; a permutation within each mode.
      const partner = new Array<number>(bins.length);
      for (let m = 0; m < modes; m++) {
        const members = bins.filter((bin) => bin.mode === m).map((bin) => bin.index);
        const image = [...members];
        random.shuffle(image);
        members.forEach((b, k) => (partner[b] = image[k]));
      }
      const cross = (bin: Bin, delta: 1 | -1) => {
        const from = fired(bin);
        const to = fired(bins[partner[bin.index]]);
        shuffled.updateCrossPairs(bin.mode, from.units, from.symbols, to.units, to.symbols, delta);
      };
      for (const bin of bins) cross(bin, 1);
      const out = new Float64Array(modes * levels * levels);
      for (let j = 1; j < units; j++) {
        for (let i = 0; i < j; i++) {
          const expected = new Array<number>(modes * levels * levels).fill(0);
          for (const bin of bins) expected[(bin.mode * levels + symbolOf(bin, i)) * levels + symbolOf(bins[partner[bin.index]], j)] += 1;
          main.fillPairCells(i, j, modes, out, shuffled.rows);
          expect(Array.from(out), `levels ${levels}, shuffled pair (${i}, ${j})`).toEqual(expected);
        }
      }
      // The main tables are untouched by the shuffled words.
      expectCounts(main, bins, units, modes, `levels ${levels}, main tables beside the shuffled ones`);
      for (const bin of bins) cross(bin, -1);
      expect(shuffled.rows.every((row) => row.every((n) => n === 0))).toBe(true);
    }
  });
});

describe('PairCountTables: what it refuses', () => {
  it('levels must be an integer of at least 2 (RangeError naming the value)', () => {
    for (const levels of [0, 1, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new PairCountTables(levels, false, 100), `levels ${levels}`).toThrow(RangeError);
      expect(() => new PairCountTables(levels, true, 100), `levels ${levels}`).toThrow(`levels must be an integer ≥ 2, got ${levels}`);
    }
    expect(() => new PairCountTables(2, false, 100)).not.toThrow();
  });
});
