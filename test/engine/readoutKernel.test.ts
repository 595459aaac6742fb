import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairCountTables } from '../../src/engine/pairCountTables.ts';
import { PairKernel } from '../../src/engine/pairKernel.ts';
import { ReadoutKernel, type PairSums } from '../../src/engine/readoutKernel.ts';
import { BiasCorrectedSource } from '../../src/estimators/biasCorrectedSource.ts';
import type { EstimatorName } from '../../src/estimators/estimate.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';

/**
 * The readout kernel (ReadoutKernel: pairSums, quadraticJoints) against the
 * dense reference: each pair's dense cells [q][m][x_i][x_j] from
 * PairCountTables.fillPairCells, summed here with T computed from
 * Math.log2 (not the kernel's tables), and PairKernel's qe joint; and
 * PairKernel.unitTerms against the pair terms it stands in for.
 */

const TOLERANCE = 1e-9;
const LN2 = Math.LN2;

/** f(n) = n·log2 n (0 for n ≤ 1). */
function nLog2n(n: number): number {
  return n <= 1 ? 0 : n * Math.log2(n);
}

/** g(n) = n·[f(n − 1) − f(n)]: the jackknife's leave-one-out term of a cell of n. */
function leaveOneOut(n: number): number {
  return n <= 1 ? 0 : n * (nLog2n(n - 1) - nLog2n(n));
}

const TERMS = { plugin: nLog2n, jackknife: leaveOneOut } as const;
type TableName = keyof typeof TERMS;

/** One bin: index (quarter = index mod 4), mode, every unit's symbol (0 … levels − 1). */
interface Bin {
  index: number;
  mode: number;
  symbol: number[];
}

/** The fired units of a bin (ascending) and their symbols, as updateBin and updateCrossPairs take them. */
function fired(bin: Bin): { units: Uint32Array; symbols: Uint8Array } {
  const units: number[] = [];
  const symbols: number[] = [];
  bin.symbol.forEach((s, u) => {
    if (s > 0) {
      units.push(u);
      symbols.push(s);
    }
  });
  return { units: Uint32Array.from(units), symbols: Uint8Array.from(symbols) };
}

function apply(tables: PairCountTables, bin: Bin, delta: 1 | -1): void {
  const { units, symbols } = fired(bin);
  tables.updateBin(tables.quarters === 4 ? bin.index % 4 : 0, bin.mode, units, symbols, 0, units.length, delta);
}

/** Pair index p = j(j−1)/2 + i. */
function pairIndex(i: number, j: number): number {
  return (j * (j - 1)) / 2 + i;
}

function newSums(size: number): PairSums {
  // NaN and −1 everywhere: every pair's entry must be written.
  return {
    within: new Float64Array(size).fill(Number.NaN),
    across: new Float64Array(size).fill(Number.NaN),
    occupiedAcross: new Int32Array(size).fill(-1),
    occupiedWithin: new Int32Array(size).fill(-1),
  };
}

/** The dense reference of one pair's PairSums, from cells [m][c] (one quarter). */
function denseSums(cells: Float64Array, modes: number, levels: number, T: (n: number) => number) {
  const d = levels * levels;
  let within = 0;
  let occupiedWithin = 0;
  let across = 0;
  let occupiedAcross = 0;
  for (let c = 0; c < d; c++) {
    let n = 0;
    for (let m = 0; m < modes; m++) {
      const cell = cells[m * d + c];
      if (!(cell >= 0)) throw new Error(`a dense cell is ${cell}`);
      within += T(cell);
      if (cell > 0) occupiedWithin++;
      n += cell;
    }
    across += T(n);
    if (n > 0) occupiedAcross++;
  }
  return { within, across, occupiedAcross, occupiedWithin };
}

/**
 * pairSums (both tables T) of every pair equals the dense sums of
 * fillPairCells (with `rows`, the shuffled rows, when given).
 */
function expectPairSums(kernel: ReadoutKernel, tables: PairCountTables, units: number, modes: number, where: string, rows?: PairCountTables['rows']): void {
  const pairCount = (units * (units - 1)) / 2;
  const cells = new Float64Array(modes * tables.levels * tables.levels);
  for (const table of ['plugin', 'jackknife'] as const) {
    const sums = newSums(pairCount + 3);
    if (rows === undefined) kernel.pairSums(tables, units, modes, table, sums);
    else kernel.pairSums(tables, units, modes, table, sums, rows);
    // Plain comparisons (an expect per value would dominate the run time), the mismatches listed.
    const mismatches: string[] = [];
    for (let j = 1; j < units; j++) {
      for (let i = 0; i < j; i++) {
        tables.fillPairCells(i, j, modes, cells, rows);
        const expected = denseSums(cells, modes, tables.levels, TERMS[table]);
        const p = pairIndex(i, j);
        const at = `${where}, ${table}, pair (${i}, ${j})`;
        if (!(Math.abs(sums.within[p] - expected.within) < TOLERANCE)) mismatches.push(`${at}: within ${sums.within[p]} vs ${expected.within}`);
        if (!(Math.abs(sums.across[p] - expected.across) < TOLERANCE)) mismatches.push(`${at}: across ${sums.across[p]} vs ${expected.across}`);
        if (sums.occupiedWithin[p] !== expected.occupiedWithin) mismatches.push(`${at}: occupied within ${sums.occupiedWithin[p]} vs ${expected.occupiedWithin}`);
        if (sums.occupiedAcross[p] !== expected.occupiedAcross) mismatches.push(`${at}: occupied across ${sums.occupiedAcross[p]} vs ${expected.occupiedAcross}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Nothing written past the last pair.
    for (let p = pairCount; p < pairCount + 3; p++) {
      expect(Number.isNaN(sums.within[p]) && Number.isNaN(sums.across[p]), `${where}, ${table}: entry ${p} past the pairs`).toBe(true);
      expect([sums.occupiedAcross[p], sums.occupiedWithin[p]]).toEqual([-1, -1]);
    }
  }
}

/** quadraticJoints of every pair equals PairKernel's qe joint on the dense cells (four quarters). */
function expectQuadraticJoints(kernel: ReadoutKernel, tables: PairCountTables, units: number, modes: number, maxSamples: number, where: string): void {
  const pairCount = (units * (units - 1)) / 2;
  const joints = new Float64Array(pairCount + 2).fill(Number.NaN);
  kernel.quadraticJoints(tables, units, modes, joints);
  const reference = new PairKernel(tables.levels, maxSamples, 4);
  const cells = new Float64Array(4 * modes * tables.levels * tables.levels);
  const mismatches: string[] = [];
  for (let j = 1; j < units; j++) {
    for (let i = 0; i < j; i++) {
      tables.fillPairCells(i, j, modes, cells);
      const expected = reference.terms(cells, 4, modes, 'qe').joint;
      const p = pairIndex(i, j);
      if (!(Math.abs(joints[p] - expected) < TOLERANCE)) mismatches.push(`${where}: pair (${i}, ${j}) qe joint ${joints[p]} vs ${expected}`);
    }
  }
  expect(mismatches).toEqual([]);
  expect(Number.isNaN(joints[pairCount]) && Number.isNaN(joints[pairCount + 1]), `${where}: nothing past the pairs`).toBe(true);
}

interface Scenario {
  levels: number;
  quarters: boolean;
  /** Units and modes at the end (they grow from fewer on the way). */
  units: number;
  modes: number;
  /** The modes bins are drawn from (the others are declared but absent). */
  used: readonly number[];
  seed: string;
}

/**
 * A sliding window over random bins: units fire at rates from rare to most
 * bins, every 6th unit (5, 11, 17, …) never fires, unit 1 often copies
 * unit 0 and unit 2 follows the mode; bin indices have gaps (uneven
 * quarters); units and modes are added on the way (tables from one mode of
 * capacity, so they are re-laid out), and the window is checked by `check`
 * at three points: early (fewer units and modes), after the growth, and at
 * the end, counts having gone up and down.
 */
function slidingWindow(scenario: Scenario, check: (tables: PairCountTables, window: readonly Bin[], units: number, modes: number, where: string) => void): void {
  const { levels, quarters, used, seed } = scenario;
  const random = new SeededRandom(levels * 10 + (quarters ? 1 : 0), seed);
  const tables = new PairCountTables(levels, quarters, 1000, 1);
  const windowBins = 70;
  let units = Math.min(3, scenario.units);
  let modes = Math.min(2, scenario.modes);
  let usedNow = used.filter((m) => m < modes);
  if (usedNow.length === 0) usedNow = [used[0]];
  modes = Math.max(modes, usedNow[0] + 1);
  tables.ensureUnits(units);
  tables.ensureModes(modes);
  const window: Bin[] = [];
  const rate = [0.08, 0.35, 0.6, 0.9];
  let index = 0;
  for (let step = 0; step < 200; step++) {
    if (step === 100) {
      units = scenario.units;
      modes = scenario.modes;
      usedNow = [...used];
      tables.ensureUnits(units);
      tables.ensureModes(modes);
    }
    index += 1 + random.nextInt(2);
    const mode = usedNow[random.nextInt(usedNow.length)];
    const symbol = Array.from({ length: units }, (_, u) => {
      if (u % 6 === 5) return 0;
      return random.next() < rate[u % 4] ? 1 + random.nextInt(levels - 1) : 0;
    });
    if (units > 1 && random.next() < 0.5) symbol[1] = symbol[0];
    if (units > 2 && random.next() < 0.7) symbol[2] = Math.min(mode, levels - 1);
    const bin: Bin = { index, mode, symbol };
    apply(tables, bin, 1);
    window.push(bin);
    if (window.length > windowBins) apply(tables, window.shift()!, -1);
    if (step === 60 || step === 140 || step === 199) check(tables, window, units, modes, `step ${step} (${units} units, ${modes} modes)`);
  }
}

/**
 * Shuffled rows as the shuffle estimator keeps them: each bin's x_i with a
 * bin of its mode's x_j (a random permutation within each mode), written by
 * updateCrossPairs; a first pairing is added and removed again on the way.
 */
function shuffledRows(tables: PairCountTables, window: readonly Bin[], units: number, modes: number, random: SeededRandom): PairCountTables {
  const shuffled = new PairCountTables(tables.levels, false, 1000, 1);
  shuffled.ensureUnits(units);
  shuffled.ensureModes(modes);
  expect(shuffled.modeCapacity, 'the shuffled rows are laid out as the tables').toBe(tables.modeCapacity);
  const pairing = () => {
    const partner = new Array<number>(window.length);
    for (let m = 0; m < modes; m++) {
      const members = window.flatMap((bin, k) => (bin.mode === m ? [k] : []));
      const image = random.shuffle([...members]);
      members.forEach((k, n) => (partner[k] = image[n]));
    }
    return partner;
  };
  const cross = (partner: number[], delta: 1 | -1) =>
    window.forEach((bin, k) => {
      const from = fired(bin);
      const to = fired(window[partner[k]]);
      shuffled.updateCrossPairs(bin.mode, from.units, from.symbols, to.units, to.symbols, delta);
    });
  const first = pairing();
  const second = pairing();
  cross(first, 1);
  cross(second, 1);
  cross(first, -1);
  return shuffled;
}

describe('ReadoutKernel.pairSums equals the dense sums of fillPairCells (one quarter)', () => {
  for (const levels of [2, 3, 4, 6]) {
    it(`levels ${levels}: 19 units (silent ones among them), 5 modes (2 and 4 absent), a sliding window; the tables' own rows and shuffled rows`, () => {
      // One kernel for the whole run, made for 4 samples: its tables and scratch grow with the window, units and modes.
      const kernel = new ReadoutKernel(levels, 4);
      const random = new SeededRandom(levels, 'shuffled-rows');
      let checks = 0;
      slidingWindow({ levels, quarters: false, units: 19, modes: 5, used: [0, 1, 3], seed: 'pair-sums' }, (tables, window, units, modes, where) => {
        expectPairSums(kernel, tables, units, modes, where);
        const shuffled = shuffledRows(tables, window, units, modes, random);
        expectPairSums(kernel, tables, units, modes, `${where}, shuffled rows`, shuffled.rows);
        checks++;
      });
      expect(checks).toBe(3);
    });
  }

  it('units = 2 (one pair), levels 3 and 4', () => {
    for (const levels of [3, 4]) {
      const kernel = new ReadoutKernel(levels, 10);
      slidingWindow({ levels, quarters: false, units: 2, modes: 3, used: [0, 2], seed: 'two-units' }, (tables, window, units, modes, where) => {
        expect(units).toBe(2);
        expectPairSums(kernel, tables, units, modes, `levels ${levels}, ${where}`);
        const shuffled = shuffledRows(tables, window, units, modes, new SeededRandom(levels, 'two-units'));
        expectPairSums(kernel, tables, units, modes, `levels ${levels}, ${where}, shuffled rows`, shuffled.rows);
      });
    }
  });

  it('a single mode', () => {
    for (const levels of [2, 3, 5]) {
      const kernel = new ReadoutKernel(levels, 10);
      slidingWindow({ levels, quarters: false, units: 8, modes: 1, used: [0], seed: 'one-mode' }, (tables, _window, units, modes, where) => {
        expect(modes).toBe(1);
        expectPairSums(kernel, tables, units, modes, `levels ${levels}, ${where}`);
      });
    }
  });

  it('the kernel reads one quarter only, and quadraticJoints four', () => {
    const one = new PairCountTables(3, false, 100);
    const four = new PairCountTables(3, true, 100);
    for (const tables of [one, four]) tables.ensureUnits(3);
    const kernel = new ReadoutKernel(3, 100);
    expect(() => kernel.pairSums(four, 3, 2, 'plugin', newSums(3))).toThrow(RangeError);
    expect(() => kernel.quadraticJoints(one, 3, 2, new Float64Array(3))).toThrow(RangeError);
  });
});

describe('ReadoutKernel.quadraticJoints equals PairKernel\'s qe joint (four quarters)', () => {
  for (const levels of [2, 3, 4, 6]) {
    it(`levels ${levels}: 19 units, 5 modes (2 and 4 absent), a sliding window with gaps in the bin indices`, () => {
      const kernel = new ReadoutKernel(levels, 4);
      let checks = 0;
      slidingWindow({ levels, quarters: true, units: 19, modes: 5, used: [0, 1, 3], seed: 'qe' }, (tables, _window, units, modes, where) => {
        expectQuadraticJoints(kernel, tables, units, modes, 1000, where);
        checks++;
      });
      expect(checks).toBe(3);
    });
  }

  it('units = 2 and a single mode', () => {
    for (const levels of [2, 3, 4]) {
      const kernel = new ReadoutKernel(levels, 4);
      slidingWindow({ levels, quarters: true, units: 2, modes: 3, used: [1, 2], seed: 'qe-two' }, (tables, _window, units, modes, where) =>
        expectQuadraticJoints(kernel, tables, units, modes, 1000, `levels ${levels}, two units, ${where}`),
      );
      slidingWindow({ levels, quarters: true, units: 7, modes: 1, used: [0], seed: 'qe-one-mode' }, (tables, _window, units, modes, where) =>
        expectQuadraticJoints(kernel, tables, units, modes, 1000, `levels ${levels}, one mode, ${where}`),
      );
    }
  });
});

/** Columns of a unit's symbols and the modes, for the batch library. */
function unitColumns(window: readonly Bin[], u: number): Int32Array[] {
  return [Int32Array.from(window, (bin) => bin.symbol[u] ?? 0), Int32Array.from(window, (bin) => bin.mode)];
}

describe('PairKernel.unitTerms: a unit\'s own terms equal the pair terms they stand in for', () => {
  const estimators: EstimatorName[] = ['plugin', 'miller-madow', 'panzeri-treves', 'qe', 'jackknife', 'shuffle'];
  for (const estimator of estimators) {
    it(`${estimator}: every pair's ia and ib${estimator === 'shuffle' ? ' (PT), and the conditional entropies shuffleTerms subtracts' : ''}`, () => {
      const levels = estimator === 'qe' ? 4 : 3;
      const quarters = estimator === 'qe';
      const kernel = new PairKernel(levels, 1000, 4);
      let checks = 0;
      slidingWindow({ levels, quarters, units: 9, modes: 4, used: [0, 1, 3], seed: `unit-terms-${estimator}` }, (tables, window, units, modes, where) => {
        const q = tables.quarters;
        const unitCells = new Float64Array(q * modes * levels);
        const unitTerms = Array.from({ length: units }, (_, u) => {
          tables.fillUnitCells(u, modes, unitCells);
          return kernel.unitTerms(unitCells, q, modes, estimator);
        });
        const cells = new Float64Array(q * modes * levels * levels);
        const shuffledCells = new Float64Array(modes * levels * levels);
        const shuffled = estimator === 'shuffle' ? shuffledRows(tables, window, units, modes, new SeededRandom(units, where)) : undefined;
        for (let j = 1; j < units; j++) {
          for (let i = 0; i < j; i++) {
            tables.fillPairCells(i, j, modes, cells);
            const at = `${where}, pair (${i}, ${j})`;
            const terms = kernel.terms(cells, q, modes, estimator === 'shuffle' ? 'panzeri-treves' : estimator);
            expect(Math.abs(unitTerms[i].information - terms.ia), `${at}: ia ${unitTerms[i].information} vs ${terms.ia}`).toBeLessThan(TOLERANCE);
            expect(Math.abs(unitTerms[j].information - terms.ib), `${at}: ib ${unitTerms[j].information} vs ${terms.ib}`).toBeLessThan(TOLERANCE);
            if (shuffled !== undefined) {
              tables.fillPairCells(i, j, modes, shuffledCells, shuffled.rows);
              const shuffleTerms = kernel.shuffleTerms(cells, shuffledCells, modes);
              expect(Math.abs(shuffleTerms.ia - terms.ia) + Math.abs(shuffleTerms.ib - terms.ib), `${at}: shuffle's single terms are PT`).toBeLessThan(TOLERANCE);
              // shuffleTerms' joint = I_PT(X_i,X_j;Y) + H_sh(R|Y) − [H(X_i|Y) + H(X_j|Y)]: the bracket is what it subtracts.
              const subtracted = terms.joint + kernel.conditionalEntropyOfPairs(shuffledCells, modes, 'panzeri-treves') - shuffleTerms.joint;
              const conditionals = unitTerms[i].conditional + unitTerms[j].conditional;
              expect(Math.abs(conditionals - subtracted), `${at}: H(X_i|Y) + H(X_j|Y) ${conditionals} vs ${subtracted}`).toBeLessThan(TOLERANCE);
            }
          }
        }
        for (let u = 0; u < units; u++) {
          if (estimator !== 'shuffle') {
            expect(unitTerms[u].conditional, `${where}: unit ${u}: no conditional term but under shuffle`).toBe(0);
            continue;
          }
          // Each unit's own: the batch library's Panzeri–Treves H(X_u|Y) over the declared alphabets.
          const table = estimationData(discretize(unitColumns(window, u), [levels, modes])).table;
          const batch = new BiasCorrectedSource(table, 'panzeri-treves').conditionalEntropy([0], [1]);
          expect(Math.abs(unitTerms[u].conditional - batch), `${where}: unit ${u}: H_PT(X_u|Y) ${unitTerms[u].conditional} vs batch ${batch}`).toBeLessThan(TOLERANCE);
        }
        checks++;
      });
      expect(checks).toBe(3);
    });
  }
});

describe('ReadoutKernel.synergyBounds brackets every pair\'s exact synergy (what lets the readout skip the relevant-cell search)', () => {
  for (const levels of [2, 3, 4]) {
    it(`levels ${levels}: Panzeri–Treves, and shuffle on shuffled rows, on a sliding window`, () => {
      const kernel = new ReadoutKernel(levels, 4);
      const random = new SeededRandom(levels, 'bounds');
      let checks = 0;
      slidingWindow({ levels, quarters: false, units: 12, modes: 4, used: [0, 1, 3], seed: 'bounds' }, (tables, window, units, modes, where) => {
        const pairKernel = new PairKernel(levels, window.length + 2, modes);
        const shuffled = shuffledRows(tables, window, units, modes, random);
        const singles = new Float64Array(units);
        const conditionals = new Float64Array(units);
        const unitCells = new Float64Array(modes * levels);
        for (let u = 0; u < units; u++) {
          tables.fillUnitCells(u, modes, unitCells);
          const terms = pairKernel.unitTerms(unitCells, 1, modes, 'shuffle');
          singles[u] = terms.information;
          conditionals[u] = terms.conditional;
        }
        const pairs = (units * (units - 1)) / 2;
        const cells = new Float64Array(modes * levels * levels);
        const shuffledCells = new Float64Array(modes * levels * levels);
        for (const rows of [undefined, shuffled.rows]) {
          const low = new Float64Array(pairs);
          const high = new Float64Array(pairs);
          kernel.synergyBounds(tables, units, modes, rows, singles, conditionals, low, high);
          for (let j = 1; j < units; j++) {
            for (let i = 0; i < j; i++) {
              tables.fillPairCells(i, j, modes, cells);
              let exact: number;
              if (rows === undefined) {
                exact = pairKernel.terms(cells, 1, modes, 'panzeri-treves').joint - singles[i] - singles[j];
              } else {
                tables.fillPairCells(i, j, modes, shuffledCells, rows);
                const terms = pairKernel.shuffleTerms(cells, shuffledCells, modes);
                exact = terms.joint - terms.ia - terms.ib;
              }
              const p = pairIndex(i, j);
              const what = `${where}, ${rows === undefined ? 'PT' : 'shuffle'}, pair ${i}-${j}`;
              expect(low[p], `${what}: low ${low[p]} ≤ ${exact}`).toBeLessThanOrEqual(exact + 1e-12);
              expect(high[p], `${what}: high ${high[p]} ≥ ${exact}`).toBeGreaterThanOrEqual(exact - 1e-12);
            }
          }
        }
        checks++;
      });
      expect(checks).toBe(3);
    });
  }
});

describe('ReadoutKernel: edge cases', () => {
  it('an empty window (bins came and went, and tables never filled): every sum, count and qe joint is exactly +0, and every unit term too', () => {
    for (const levels of [2, 3, 4]) {
      for (const quarters of [false, true]) {
        const units = 18;
        const modes = 3;
        const filled = new PairCountTables(levels, quarters, 1000, 1);
        const fresh = new PairCountTables(levels, quarters, 1000, 1);
        for (const tables of [filled, fresh]) {
          tables.ensureUnits(units);
          tables.ensureModes(modes);
        }
        const random = new SeededRandom(levels, 'empty');
        const bins: Bin[] = Array.from({ length: 40 }, (_, index) => ({
          index,
          mode: random.nextInt(modes),
          symbol: Array.from({ length: units }, () => (random.next() < 0.5 ? 0 : 1 + random.nextInt(levels - 1))),
        }));
        for (const bin of bins) apply(filled, bin, 1);
        for (const bin of bins) apply(filled, bin, -1);
        const pairCount = (units * (units - 1)) / 2;
        for (const [name, tables] of [
          ['drained', filled],
          ['fresh', fresh],
        ] as const) {
          const where = `levels ${levels}, ${quarters ? 'four quarters' : 'one quarter'}, ${name}`;
          const kernel = new ReadoutKernel(levels, 50);
          if (quarters) {
            const joints = new Float64Array(pairCount).fill(Number.NaN);
            kernel.quadraticJoints(tables, units, modes, joints);
            for (let p = 0; p < pairCount; p++) expect(Object.is(joints[p], 0), `${where}: qe joint ${p} is ${joints[p]}`).toBe(true);
          } else {
            for (const table of ['plugin', 'jackknife'] as const) {
              const sums = newSums(pairCount);
              kernel.pairSums(tables, units, modes, table, sums);
              for (let p = 0; p < pairCount; p++) {
                const values = [sums.within[p], sums.across[p], sums.occupiedAcross[p], sums.occupiedWithin[p]];
                expect(values.every((v) => Object.is(v, 0)), `${where}, ${table}: pair ${p}: ${values.join(', ')}`).toBe(true);
              }
            }
          }
          const pairKernel = new PairKernel(levels, 50, 4);
          const unitCells = new Float64Array(tables.quarters * modes * levels);
          for (const estimator of quarters ? (['qe'] as const) : (['plugin', 'miller-madow', 'panzeri-treves', 'jackknife', 'shuffle'] as const)) {
            for (let u = 0; u < units; u++) {
              tables.fillUnitCells(u, modes, unitCells);
              const { information, conditional } = pairKernel.unitTerms(unitCells, tables.quarters, modes, estimator);
              expect(Object.is(information, 0) && Object.is(conditional, 0), `${where}, ${estimator}: unit ${u}: ${information}, ${conditional}`).toBe(true);
            }
          }
        }
      }
    }
  });

  it("every cell of a pair occupied in every mode: occupancy is the alphabet, and the Panzeri–Treves joint is the readout's bound formula (R = D)", () => {
    for (const levels of [2, 3, 4]) {
      const d = levels * levels;
      const units = 4;
      const modes = 3;
      const tables = new PairCountTables(levels, false, 1000, 1);
      tables.ensureUnits(units);
      tables.ensureModes(modes);
      const random = new SeededRandom(levels, 'occupied');
      let index = 0;
      // Units 0 and 1 go through every word (a, b) in every mode, some words more often; unit 2 at random, unit 3 silent.
      for (let m = 0; m < modes; m++) {
        for (let a = 0; a < levels; a++) {
          for (let b = 0; b < levels; b++) {
            const repeats = 1 + ((a + 2 * b + m) % 3);
            for (let r = 0; r < repeats; r++) apply(tables, { index: index++, mode: m, symbol: [a, b, random.nextInt(levels), 0] }, 1);
          }
        }
      }
      const kernel = new ReadoutKernel(levels, 4);
      expectPairSums(kernel, tables, units, modes, `levels ${levels}, full pair`);
      const sums = newSums(6);
      kernel.pairSums(tables, units, modes, 'plugin', sums);
      expect(sums.occupiedAcross[0], `levels ${levels}: the pair (0, 1) fills its alphabet`).toBe(d);
      expect(sums.occupiedWithin[0], `levels ${levels}: and each mode's`).toBe(modes * d);
      // The readout's joint from the sums with R = D overall and per mode, against the dense PT joint.
      let n = 0;
      let modeTerm = 0;
      for (let m = 0; m < modes; m++) {
        n += tables.modeCounts[m];
        modeTerm += nLog2n(tables.modeCounts[m]);
      }
      const plugin = (nLog2n(n) - modeTerm + sums.within[0] - sums.across[0]) / n;
      const fromSums = plugin + (d - 1 - modes * (d - 1)) / (2 * n * LN2);
      const pairKernel = new PairKernel(levels, 1000, 4);
      const cells = new Float64Array(modes * d);
      tables.fillPairCells(0, 1, modes, cells);
      const pt = pairKernel.terms(cells, 1, modes, 'panzeri-treves').joint;
      expect(Math.abs(fromSums - pt), `levels ${levels}: PT joint ${pt} vs ${fromSums}`).toBeLessThan(TOLERANCE);
      // The readout's bracket of the pair's PT synergy closes on it.
      const singles = new Float64Array(units);
      const unitCells = new Float64Array(modes * levels);
      for (let u = 0; u < units; u++) {
        tables.fillUnitCells(u, modes, unitCells);
        singles[u] = pairKernel.unitTerms(unitCells, 1, modes, 'panzeri-treves').information;
      }
      const low = new Float64Array(6);
      const high = new Float64Array(6);
      kernel.synergyBounds(tables, units, modes, undefined, singles, new Float64Array(units), low, high);
      const synergy = pt - singles[0] - singles[1];
      expect(Math.abs(low[0] - synergy) + Math.abs(high[0] - synergy), `levels ${levels}: the bounds close on the value`).toBeLessThan(1e-12);
      // Its plug-in and Miller–Madow joints from the same sums.
      expect(Math.abs(plugin - pairKernel.terms(cells, 1, modes, 'plugin').joint)).toBeLessThan(TOLERANCE);
      expect(Math.abs(fromSums - pairKernel.terms(cells, 1, modes, 'miller-madow').joint)).toBeLessThan(TOLERANCE);
    }
  });
});

describe('ReadoutKernel: a property over random small tables', () => {
  const scenario = fc
    .record({
      levels: fc.integer({ min: 2, max: 5 }),
      modes: fc.integer({ min: 1, max: 4 }),
      units: fc.integer({ min: 2, max: 7 }),
    })
    .chain(({ levels, modes, units }) =>
      fc.record({
        levels: fc.constant(levels),
        modes: fc.constant(modes),
        units: fc.constant(units),
        bins: fc.array(
          fc.record({
            mode: fc.integer({ min: 0, max: modes - 1 }),
            quarter: fc.integer({ min: 0, max: 3 }),
            // Half the draws silent: symbols 1 … levels − 1 from the upper half.
            raw: fc.array(fc.integer({ min: 0, max: 2 * levels - 3 }), { minLength: units, maxLength: units }),
            leaves: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
      }),
    );

  it('pairSums equals the dense sums, and quadraticJoints PairKernel\'s qe joint', () => {
    fc.assert(
      fc.property(scenario, ({ levels, modes, units, bins }) => {
        const one = new PairCountTables(levels, false, 1000, 1);
        const four = new PairCountTables(levels, true, 1000, 1);
        const window: Bin[] = bins.map(({ mode, quarter, raw }, k) => ({
          index: 4 * k + quarter,
          mode,
          symbol: raw.map((r) => Math.max(0, r - (levels - 2))),
        }));
        for (const tables of [one, four]) {
          tables.ensureUnits(units);
          tables.ensureModes(modes);
          for (const bin of window) apply(tables, bin, 1);
          // Some bins leave again: counts up and down.
          window.forEach((bin, k) => {
            if (bins[k].leaves) apply(tables, bin, -1);
          });
        }
        const kernel = new ReadoutKernel(levels, 2);
        expectPairSums(kernel, one, units, modes, `levels ${levels}, ${modes} modes, ${units} units`);
        expectQuadraticJoints(kernel, four, units, modes, 64, `levels ${levels}, ${modes} modes, ${units} units`);
      }),
      { numRuns: 150 },
    );
  });
});
