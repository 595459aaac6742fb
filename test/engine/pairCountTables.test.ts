import { describe, expect, it } from 'vitest';
import { PairCountTables } from '../../src/engine/pairCountTables.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

/** One labeled bin: its index (quarter = bin mod 4), mode, and every unit's symbol (0 … levels − 1). */
interface Bin {
  bin: number;
  mode: number;
  symbol: number[];
}

function randomBin(random: SeededRandom, bin: number, units: number, modes: number, levels: number): Bin {
  // Mostly silent, as at short bins: about a third of the units fire.
  const symbol = Array.from({ length: units }, () => (random.next() < 0.65 ? 0 : 1 + random.nextInt(levels - 1)));
  return { bin, mode: random.nextInt(modes), symbol };
}

/** The fired units of a bin (ascending) and their symbols, as updateBin takes them. */
function fired(bin: Bin): { units: Uint32Array; symbols: Uint8Array } {
  const units: number[] = [];
  const symbols: number[] = [];
  bin.symbol.forEach((s, u) => {
    if (s > 0) units.push(u), symbols.push(s);
  });
  return { units: Uint32Array.from(units), symbols: Uint8Array.from(symbols) };
}

/** Counts from scratch, independent of the tables: pair cells [q][m][x_i][x_j], unit cells [q][m][x]. */
function countPair(bins: readonly Bin[], i: number, j: number, quarters: number, modes: number, levels: number): number[] {
  const out = new Array<number>(quarters * modes * levels * levels).fill(0);
  for (const bin of bins) {
    const q = quarters === 4 ? bin.bin % 4 : 0;
    out[((q * modes + bin.mode) * levels + (bin.symbol[i] ?? 0)) * levels + (bin.symbol[j] ?? 0)]++;
  }
  return out;
}

function countUnit(bins: readonly Bin[], u: number, quarters: number, modes: number, levels: number): number[] {
  const out = new Array<number>(quarters * modes * levels).fill(0);
  for (const bin of bins) {
    const q = quarters === 4 ? bin.bin % 4 : 0;
    out[(q * modes + bin.mode) * levels + (bin.symbol[u] ?? 0)]++;
  }
  return out;
}

function expectTablesEqual(tables: PairCountTables, window: readonly Bin[], units: number, modes: number, levels: number, where: string): void {
  const quarters = tables.quarters;
  const pairOut = new Float64Array(quarters * modes * levels * levels);
  for (let j = 1; j < units; j++) {
    for (let i = 0; i < j; i++) {
      tables.fillPairCells(i, j, modes, pairOut);
      expect(Array.from(pairOut), `${where}: pair (${i}, ${j})`).toEqual(countPair(window, i, j, quarters, modes, levels));
    }
  }
  const unitOut = new Float64Array(quarters * modes * levels);
  for (let u = 0; u < units; u++) {
    tables.fillUnitCells(u, modes, unitOut);
    expect(Array.from(unitOut), `${where}: unit ${u}`).toEqual(countUnit(window, u, quarters, modes, levels));
  }
  for (let m = 0; m < modes; m++) expect(tables.modeTotal(m), `${where}: mode ${m}`).toBe(window.filter((bin) => bin.mode === m).length);
}

describe('PairCountTables: incremental counts equal a count from scratch', () => {
  for (const { levels, quarters, maxBins } of [
    { levels: 2, quarters: false, maxBins: 1000 },
    { levels: 3, quarters: false, maxBins: 1000 },
    { levels: 4, quarters: true, maxBins: 1000 },
    { levels: 3, quarters: true, maxBins: 70_000 },
  ]) {
    it(`levels ${levels}, ${quarters ? 'four quarters' : 'one quarter'}, ${maxBins > 0xffff ? '32' : '16'}-bit pair cells: a sliding window, units and modes added on the way, emptied at the end`, () => {
      const random = new SeededRandom(levels * 100 + (quarters ? 1 : 0), 'pairCountTables');
      const tables = new PairCountTables(levels, quarters, maxBins, 2);
      let units = 3;
      let modes = 2;
      tables.ensureUnits(units);
      tables.ensureModes(modes);
      const window: Bin[] = [];
      const windowBins = 40;
      for (let bin = 0; bin < 300; bin++) {
        // New units and modes appear on the way (the tables grow, and re-lay out for modes past the capacity).
        if (bin === 90) tables.ensureUnits((units = 6));
        if (bin === 150) tables.ensureModes((modes = 5));
        if (bin === 210) tables.ensureUnits((units = 9));
        const entering = randomBin(random, bin, units, modes, levels);
        const add = fired(entering);
        tables.updateBin(tables.quarters === 4 ? bin % 4 : 0, entering.mode, add.units, add.symbols, 0, add.units.length, 1);
        window.push(entering);
        if (window.length > windowBins) {
          const leaving = window.shift()!;
          const remove = fired(leaving);
          tables.updateBin(tables.quarters === 4 ? leaving.bin % 4 : 0, leaving.mode, remove.units, remove.symbols, 0, remove.units.length, -1);
        }
        if (bin % 37 === 0 || bin === 89 || bin === 91 || bin === 151) expectTablesEqual(tables, window, units, modes, levels, `bin ${bin}`);
      }
      expectTablesEqual(tables, window, units, modes, levels, 'full');
      while (window.length > 0) {
        const leaving = window.shift()!;
        const remove = fired(leaving);
        tables.updateBin(tables.quarters === 4 ? leaving.bin % 4 : 0, leaving.mode, remove.units, remove.symbols, 0, remove.units.length, -1);
      }
      expectTablesEqual(tables, [], units, modes, levels, 'empty');
      expect(Array.from(tables.unitCounts).every((n) => n === 0)).toBe(true);
      expect(tables.rows.every((row) => row.every((n) => n === 0))).toBe(true);
    });
  }

  it('updateBin on a sub-range [from, to) counts only those units', () => {
    const tables = new PairCountTables(3, false, 100);
    tables.ensureUnits(4);
    tables.ensureModes(1);
    // Units 0, 1, 2, 3 fired; only [1, 3) (units 1 and 2) are counted.
    tables.updateBin(0, 0, [0, 1, 2, 3], [1, 2, 1, 2], 1, 3, 1);
    const out = new Float64Array(9);
    tables.fillPairCells(1, 2, 1, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0]); // x1 = 2, x2 = 1
    tables.fillPairCells(0, 3, 1, out);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]); // both silent in this bin
  });

  it('updateCrossPairs counts the words of one bin with another (the shuffled tables), and removes them again', () => {
    const tables = new PairCountTables(3, false, 100);
    tables.ensureUnits(4);
    tables.ensureModes(2);
    // x_p from one bin (units 0, 2 fired with 1, 2), x_q from another (units 1, 3 with 2, 1), mode 1.
    tables.updateCrossPairs(1, [0, 2], [1, 2], [1, 3], [2, 1], 1);
    const expected = new Map<string, [number, number]>([
      ['0,1', [1, 2]],
      ['0,3', [1, 1]],
      ['2,3', [2, 1]],
    ]);
    for (let q = 1; q < 4; q++) {
      for (let p = 0; p < q; p++) {
        const row = tables.rows[q];
        const cells = Array.from(row.subarray(p * tables.cellsPerPair + 1 * 4, p * tables.cellsPerPair + 2 * 4));
        const word = expected.get(`${p},${q}`);
        const want = [0, 0, 0, 0];
        if (word !== undefined) want[(word[0] - 1) * 2 + (word[1] - 1)] = 1;
        expect(cells, `pair (${p}, ${q}), mode 1`).toEqual(want);
        // Mode 0 untouched.
        expect(Array.from(row.subarray(p * tables.cellsPerPair, p * tables.cellsPerPair + 4))).toEqual([0, 0, 0, 0]);
      }
    }
    tables.updateCrossPairs(1, [0, 2], [1, 2], [1, 3], [2, 1], -1);
    expect(tables.rows.every((row) => row.every((n) => n === 0))).toBe(true);
  });

  it('refuses fewer than two levels', () => {
    expect(() => new PairCountTables(1, false, 10)).toThrow(/levels must be an integer ≥ 2/);
    expect(() => new PairCountTables(2.5, false, 10)).toThrow(/levels/);
  });
});
