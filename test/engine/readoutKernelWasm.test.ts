import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PairCountTables } from '../../src/engine/pairCountTables.ts';
import { ReadoutKernel, type PairSums } from '../../src/engine/readoutKernel.ts';
import { compileKernel, kernelModuleText, READOUT_KERNEL } from '../../src/engine/wasm/buildKernel.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

/**
 * The WebAssembly readout kernel (levels = 3) gives the same bits as its
 * JavaScript reference, ReadoutKernel's pairSums3 and quadraticJoints3, on
 * tables that bins entered and left, with units and modes added on the way,
 * in 16- and 32-bit cells.
 */
interface Case {
  seed: number;
  units: number;
  modes: number;
  quarters: boolean;
  /** The most bins a window can hold: above 65,535 the cells are 32-bit. */
  maxBins: number;
  bins: number;
  window: number;
  rate: number;
}

function tablesOf(c: Case): { tables: PairCountTables; shuffled: PairCountTables } {
  const random = new SeededRandom(c.seed, 'readout-wasm');
  const tables = new PairCountTables(3, c.quarters, c.maxBins);
  const shuffled = new PairCountTables(3, false, c.maxBins);
  const held: { bin: number; label: number; units: Uint32Array; symbols: Uint8Array }[] = [];
  for (let bin = 0; bin < c.bins; bin++) {
    // Units and modes appear as the stream goes on.
    const units = Math.max(2, Math.min(c.units, 2 + Math.floor((bin * c.units) / (c.bins / 2))));
    const modes = Math.max(1, Math.min(c.modes, 1 + Math.floor((bin * c.modes) / (c.bins / 3))));
    for (const t of [tables, shuffled]) {
      t.ensureUnits(units);
      t.ensureModes(modes);
    }
    const fired: number[] = [];
    const symbols: number[] = [];
    for (let u = 0; u < units; u++) {
      if (random.next() < c.rate) {
        fired.push(u);
        symbols.push(1 + random.nextInt(2));
      }
    }
    const entry = { bin, label: random.nextInt(modes), units: Uint32Array.from(fired), symbols: Uint8Array.from(symbols) };
    tables.updateBin(c.quarters ? entry.bin % 4 : 0, entry.label, entry.units, entry.symbols, 0, entry.units.length, 1);
    held.push(entry);
    if (held.length > c.window) {
      const leaving = held.shift()!;
      tables.updateBin(c.quarters ? leaving.bin % 4 : 0, leaving.label, leaving.units, leaving.symbols, 0, leaving.units.length, -1);
    }
  }
  // Cross words, as the shuffle estimator's tables hold them: within each mode, each held bin's x_i with the next one's x_j (a cycle).
  for (let m = 0; m < c.modes; m++) {
    const inMode = held.filter((e) => e.label === m);
    inMode.forEach((from, k) => {
      const to = inMode[(k + 1) % inMode.length];
      shuffled.updateCrossPairs(m, from.units, from.symbols, to.units, to.symbols, 1);
    });
  }
  return { tables, shuffled };
}

function sumsFor(pairs: number): PairSums {
  return { within: new Float64Array(pairs), across: new Float64Array(pairs), occupiedAcross: new Int32Array(pairs), occupiedWithin: new Int32Array(pairs) };
}

function kernels(c: Case): { wasm: ReadoutKernel; js: ReadoutKernel } {
  const wasm = new ReadoutKernel(3, c.window);
  const js = new ReadoutKernel(3, c.window);
  js.kernel = 'js';
  return { wasm, js };
}

function expectSameBits(wasm: ArrayLike<number>, js: ArrayLike<number>, count: number, what: string): void {
  let differing = 0;
  let first = -1;
  for (let p = 0; p < count; p++) {
    if (!Object.is(wasm[p], js[p])) {
      differing++;
      if (first < 0) first = p;
    }
  }
  expect(differing, `${what}: ${differing} pairs differ, first ${first}: ${wasm[first]} vs ${js[first]}`).toBe(0);
}

const CASES: Case[] = [
  { seed: 1, units: 40, modes: 3, quarters: false, maxBins: 300, bins: 700, window: 300, rate: 0.2 },
  { seed: 2, units: 23, modes: 6, quarters: false, maxBins: 70_000, bins: 500, window: 200, rate: 0.3 },
  { seed: 3, units: 2, modes: 1, quarters: false, maxBins: 50, bins: 80, window: 50, rate: 0.5 },
];

describe('the WebAssembly readout kernel gives the bits of its JavaScript reference', () => {
  for (const c of CASES) {
    it(`pairSums, ${c.units} units, ${c.modes} modes, ${c.maxBins > 0xffff ? 32 : 16}-bit cells, plug-in and jackknife tables, own and cross rows`, () => {
      const { tables, shuffled } = tablesOf(c);
      const units = tables.units;
      const pairs = (units * (units - 1)) / 2;
      const { wasm, js } = kernels(c);
      for (const table of ['plugin', 'jackknife'] as const) {
        for (const [name, rows] of [['own rows', tables.rows], ['cross rows', shuffled.rows]] as const) {
          const a = sumsFor(pairs);
          const b = sumsFor(pairs);
          wasm.pairSums(tables, units, c.modes, table, a, rows);
          js.pairSums(tables, units, c.modes, table, b, rows);
          for (const key of ['within', 'across', 'occupiedWithin', 'occupiedAcross'] as const) expectSameBits(a[key], b[key], pairs, `${table}, ${name}, ${key}`);
          // Not all zero: the case exercises the kernel.
          expect(a.within.some((value) => value !== 0)).toBe(true);
        }
      }
    });
  }

  for (const c of [
    { seed: 4, units: 30, modes: 3, quarters: true, maxBins: 400, bins: 900, window: 400, rate: 0.25 },
    { seed: 5, units: 17, modes: 5, quarters: true, maxBins: 80_000, bins: 600, window: 300, rate: 0.3 },
  ]) {
    it(`quadraticJoints (qe), ${c.units} units, ${c.modes} modes, ${c.maxBins > 0xffff ? 32 : 16}-bit cells`, () => {
      const { tables } = tablesOf(c);
      const units = tables.units;
      const pairs = (units * (units - 1)) / 2;
      const { wasm, js } = kernels(c);
      const a = new Float64Array(pairs);
      const b = new Float64Array(pairs);
      wasm.quadraticJoints(tables, units, c.modes, a);
      js.quadraticJoints(tables, units, c.modes, b);
      expectSameBits(a, b, pairs, 'qe joints');
      expect(a.some((value) => value !== 0)).toBe(true);
    });
  }

  for (const c of CASES) {
    it(`synergyBounds (PT, and shuffle with cross rows), ${c.units} units, ${c.modes} modes, ${c.maxBins > 0xffff ? 32 : 16}-bit cells`, () => {
      const { tables, shuffled } = tablesOf(c);
      const units = tables.units;
      const pairs = (units * (units - 1)) / 2;
      const { wasm, js } = kernels(c);
      const random = new SeededRandom(c.seed, 'unit terms');
      const singles = Float64Array.from({ length: units }, () => random.next());
      const conditionals = Float64Array.from({ length: units }, () => random.next());
      for (const rows of [undefined, shuffled.rows]) {
        const a = { low: new Float64Array(pairs), high: new Float64Array(pairs) };
        const b = { low: new Float64Array(pairs), high: new Float64Array(pairs) };
        wasm.synergyBounds(tables, units, c.modes, rows, singles, conditionals, a.low, a.high);
        js.synergyBounds(tables, units, c.modes, rows, singles, conditionals, b.low, b.high);
        const what = rows === undefined ? 'PT' : 'shuffle';
        expectSameBits(a.low, b.low, pairs, `${what} low`);
        expectSameBits(a.high, b.high, pairs, `${what} high`);
        for (let p = 0; p < pairs; p++) expect(a.low[p], `${what} pair ${p}: a bracket`).toBeLessThanOrEqual(a.high[p]);
      }
    });
  }

  it("the kernel's scratch after the cells never reaches them: units added afterwards start silent", () => {
    const c: Case = { seed: 9, units: 12, modes: 3, quarters: false, maxBins: 300, bins: 400, window: 300, rate: 0.3 };
    const { tables, shuffled } = tablesOf(c);
    const units = tables.units;
    const before = (units * (units - 1)) / 2;
    const kernel = new ReadoutKernel(3, c.window);
    // Every call writes its inputs and results after the cells (the shuffled rows copied there too).
    kernel.pairSums(tables, units, c.modes, 'plugin', sumsFor(before), shuffled.rows);
    const low = new Float64Array(before);
    kernel.synergyBounds(tables, units, c.modes, shuffled.rows, new Float64Array(units), new Float64Array(units), low, new Float64Array(before));
    const cellsBefore = tables.rows.map((row) => Array.from(row));
    tables.ensureUnits(units + 6);
    expect(tables.rows.slice(0, units).map((row) => Array.from(row))).toEqual(cellsBefore);
    for (let j = units; j < units + 6; j++) expect(tables.rows[j].every((n) => n === 0), `row ${j}`).toBe(true);
    // The memory grows (views renewed) and every count is kept.
    const grownBefore = tables.memory.buffer.byteLength;
    tables.reserve(grownBefore + (1 << 20));
    expect(tables.memory.buffer.byteLength).toBeGreaterThan(grownBefore);
    expect(tables.rows.slice(0, units).map((row) => Array.from(row))).toEqual(cellsBefore);
  });

  it('the committed module is the build of the committed source (npm run build:wasm)', async () => {
    expect(readFileSync(READOUT_KERNEL.module, 'utf8')).toBe(kernelModuleText(await compileKernel(READOUT_KERNEL), READOUT_KERNEL));
  }, 60_000);
});
