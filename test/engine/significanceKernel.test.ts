import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabelHistory } from '../../src/engine/labelHistory.ts';
import { labelLags } from '../../src/engine/labelLagSchedule.ts';
import { LabelLagSignificance, type PairSignificance } from '../../src/engine/labelLagSignificance.ts';
import type { WindowBin } from '../../src/engine/windowReadout.ts';
import { compileKernel, KERNEL_MODULE, kernelModuleText } from '../../src/engine/wasm/buildKernel.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

interface Stream {
  units: number;
  modes: number;
  windowBins: number;
  bins: number;
  lagCount: number;
  stepBins: number;
  unlabeled: number;
  rate: number;
  maxCells?: number;
  /** Units appear one every this many bins (the tables grow while bins are held). */
  appearEvery: number;
}

/** Random bins and labels: units appearing as the stream goes, modes in runs, a share unlabeled. */
function* bins(seed: number, s: Stream): Generator<WindowBin> {
  const random = new SeededRandom(seed, 'kernel');
  let label = 0;
  for (let bin = 0; bin < s.bins; bin++) {
    if (random.next() < 0.2) label = random.nextInt(Math.min(s.modes, 1 + Math.floor(bin / 50)));
    const units: number[] = [];
    const symbols: number[] = [];
    for (let u = 0; u < s.units; u++) {
      if (bin >= u * s.appearEvery && random.next() < s.rate) {
        units.push(u);
        symbols.push(random.next() < 0.8 ? 1 : 2);
      }
    }
    yield { bin, label: random.next() < s.unlabeled ? -1 : label, units: Uint32Array.from(units), symbols: Uint8Array.from(symbols) };
  }
}

/** Runs the stream through one significance per kernel, evaluating every `every` bins; hands each pair of results over. */
function run(seed: number, s: Stream, every: number, check: (wasm: PairSignificance, js: PairSignificance, at: number) => void): LabelLagSignificance[] {
  const lags = labelLags(s.lagCount, s.stepBins, seed);
  const make = (kernel: 'wasm' | 'js') => {
    const history = new LabelHistory(LabelLagSignificance.historyBins(s.windowBins, lags));
    const significance = new LabelLagSignificance(3, s.windowBins, lags, history, s.stepBins, s.maxCells);
    significance.kernel = kernel;
    return { history, significance };
  };
  const both = [make('wasm'), make('js')];
  const ring: WindowBin[] = [];
  let units = 2;
  let modes = 1;
  for (const entry of bins(seed, s)) {
    if (entry.units.length > 0) units = Math.max(units, entry.units[entry.units.length - 1] + 1);
    modes = Math.max(modes, entry.label + 1);
    for (const { history, significance } of both) {
      history.record(entry.bin, entry.label);
      if (ring.length === s.windowBins) significance.update(ring[0], -1, units, modes);
      significance.update(entry, 1, units, modes);
    }
    if (ring.length === s.windowBins) ring.shift();
    ring.push(entry);
    if (entry.bin % every === every - 1) {
      const start = entry.bin + 1 - s.windowBins;
      check(both[0].significance.evaluate(start, units, modes), both[1].significance.evaluate(start, units, modes), entry.bin);
    }
  }
  return both.map(({ significance }) => significance);
}

function expectSameBits(wasm: PairSignificance, js: PairSignificance, pairs: number): void {
  expect(wasm.available).toBe(js.available);
  expect(Array.from(wasm.statistic)).toEqual(Array.from(js.statistic));
  expect(Array.from(wasm.excess)).toEqual(Array.from(js.excess));
  for (let q = 0; q < pairs; q++) expect(wasm.test(q)).toEqual(js.test(q));
}

describe('the WebAssembly significance kernel', () => {
  it.each([
    { name: 'every bin labeled', seed: 1, unlabeled: 0, windowBins: 60 },
    { name: 'some bins unlabeled', seed: 2, unlabeled: 0.1, windowBins: 60 },
    { name: 'sparse (n_22 = 0 for most pairs)', seed: 3, unlabeled: 0, windowBins: 60, rate: 0.05 },
    // A window of more than 65,535 bins: 32-bit cells (the window never fills here).
    { name: '32-bit cells', seed: 4, unlabeled: 0, windowBins: 70000 },
    { name: '32-bit cells, some unlabeled', seed: 5, unlabeled: 0.1, windowBins: 70000 },
  ])('gives the same bits as the JavaScript reference: $name', ({ seed, unlabeled, windowBins, rate = 0.3 }) => {
    const stream: Stream = { units: 12, modes: 3, windowBins, bins: 400, lagCount: 8, stepBins: 5, unlabeled, rate, appearEvery: 8 };
    let checked = 0;
    run(seed, stream, 20, (wasm, js) => {
      expectSameBits(wasm, js, wasm.statistic.length);
      checked++;
    });
    expect(checked).toBe(20);
  });

  it('the tables grow in place (units and modes appearing, the memory growing) and keep every count: equal to tables built at their final size', () => {
    // 70 units, 3 modes, 25 alignments: the cells outgrow the first pages several times while bins are held.
    const stream: Stream = { units: 70, modes: 3, windowBins: 80, bins: 600, lagCount: 24, stepBins: 4, unlabeled: 0.02, rate: 0.15, appearEvery: 6 };
    const grown = run(7, stream, 100, (wasm, js) => expectSameBits(wasm, js, wasm.statistic.length));
    // The same window, into tables that had room for every unit and mode from the start.
    const lags = labelLags(stream.lagCount, stream.stepBins, 7);
    const history = new LabelHistory(LabelLagSignificance.historyBins(stream.windowBins, lags));
    const fresh = new LabelLagSignificance(3, stream.windowBins, lags, history, stream.stepBins);
    const all = [...bins(7, stream)];
    fresh.update({ bin: -1, label: -1, units: new Uint32Array(0), symbols: new Uint8Array(0) }, 1, stream.units, stream.modes);
    fresh.update({ bin: -1, label: -1, units: new Uint32Array(0), symbols: new Uint8Array(0) }, -1, stream.units, stream.modes);
    for (const entry of all) history.record(entry.bin, entry.label);
    for (const entry of all.slice(-stream.windowBins)) fresh.update(entry, 1, stream.units, stream.modes);
    const start = stream.bins - stream.windowBins;
    const expected = fresh.evaluate(start, stream.units, stream.modes);
    for (const significance of grown) expectSameBits(significance.evaluate(start, stream.units, stream.modes), expected, expected.statistic.length);
  });

  it('the memory bound drops the longest lags in place and keeps the rest', () => {
    const stream: Stream = { units: 30, modes: 3, windowBins: 60, bins: 500, lagCount: 20, stepBins: 5, unlabeled: 0.02, rate: 0.2, appearEvery: 10, maxCells: 30000 };
    const [wasm] = run(8, stream, 50, (a, b) => expectSameBits(a, b, a.statistic.length));
    expect(wasm.capped).toBeLessThan(20);
    expect(wasm.capped).toBeGreaterThan(0);
  });

  it('the committed module is the build of the committed source (npm run build:wasm)', async () => {
    expect(readFileSync(KERNEL_MODULE, 'utf8')).toBe(kernelModuleText(await compileKernel()));
  }, 60_000);
});

describe('moving to other lags (the automatic lag step)', () => {
  it('after relag the surrogates are exactly those of tables that had the new lags from the start', () => {
    const windowBins = 60;
    const stream: Stream = { units: 14, modes: 3, windowBins, bins: 500, lagCount: 12, stepBins: 5, unlabeled: 0.05, rate: 0.25, appearEvery: 5 };
    const first = labelLags(12, 5, 3);
    const second = labelLags(12, 9, 3);
    const history = new LabelHistory(LabelLagSignificance.historyBins(windowBins, second));
    const moved = new LabelLagSignificance(3, windowBins, first, history, 5);
    const direct = new LabelLagSignificance(3, windowBins, second, history, 9);
    const ring: WindowBin[] = [];
    let units = 2;
    let modes = 1;
    let compared = 0;
    for (const entry of bins(3, stream)) {
      if (entry.units.length > 0) units = Math.max(units, entry.units[entry.units.length - 1] + 1);
      modes = Math.max(modes, entry.label + 1);
      history.record(entry.bin, entry.label);
      for (const significance of [moved, direct]) {
        if (ring.length === windowBins) significance.update(ring[0], -1, units, modes);
        significance.update(entry, 1, units, modes);
      }
      if (ring.length === windowBins) ring.shift();
      ring.push(entry);
      if (entry.bin === 250) moved.relag(second, 9, ring, units, modes);
      if (entry.bin >= 250 && entry.bin % 25 === 0) {
        const start = entry.bin + 1 - windowBins;
        const a = moved.evaluate(start, units, modes);
        expect(a.available).toBeGreaterThan(0);
        expectSameBits(a, direct.evaluate(start, units, modes), a.statistic.length);
        compared++;
      }
    }
    expect(moved.stepBins).toBe(9);
    expect(compared).toBe(10);
  });
});
