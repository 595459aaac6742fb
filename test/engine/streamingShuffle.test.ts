import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { BiasCorrectedSource } from '../../src/estimators/biasCorrectedSource.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { slowGainNull } from '../helpers/slowGainNull.ts';

const LEVELS = 3;
const BIN_SECONDS = 0.02;

/**
 * The shuffle estimator's synergy of one pair over one window, written out
 * from SCIENCE.md with Panzeri–Treves terms:
 *   Syn = I(a,b;Y) + H_sh(a,b|Y) − H(a|Y) − H(b|Y) − I(a;Y) − I(b;Y),
 * H_sh the entropy of the words (shuffledA[s], shuffledB[s]) given the mode:
 * the units' values re-paired within each mode.
 */
function shuffleSynergy(a: number[], b: number[], shuffledA: number[], shuffledB: number[], mode: number[], modes: number): number {
  const source = (x: number[], y: number[]) =>
    new BiasCorrectedSource(estimationData(discretize([x, y, mode], [LEVELS, LEVELS, modes])).table, 'panzeri-treves');
  const real = source(a, b);
  const shuffled = source(shuffledA, shuffledB);
  return (
    real.mutualInformation([0, 1], [2]) +
    shuffled.conditionalEntropy([0, 1], [2]) -
    real.conditionalEntropy([0], [2]) -
    real.conditionalEntropy([1], [2]) -
    real.mutualInformation([0], [2]) -
    real.mutualInformation([1], [2])
  );
}

interface NullMeans {
  pairWindows: number;
  /** Mean synergy of the streaming `shuffle` estimator, bits. */
  streaming: number;
  /** Mean synergy with a fresh uniform random permutation of each unit within each mode, bits. */
  randomShuffle: number;
  /** Mean synergy with each bin's b read at the next bin of its mode in time, cyclically, bits. */
  nextInMode: number;
}

/**
 * The streaming shuffle on the slow-gain null (8 units, shared gain τ = 2 s,
 * modes independent of the spikes, 20 ms bins, 600 s, hop = window / 2),
 * and, over the same windows and pairs, the two batch pairings.
 */
async function nullMeans(windowSeconds: number): Promise<NullMeans> {
  const recording = slowGainNull({ seed: 1, units: 8, seconds: 600, binSeconds: BIN_SECONDS, gainTauSeconds: 2 });
  const options: AnalysisOptions = {
    binSeconds: BIN_SECONDS,
    windowSeconds,
    hopSeconds: windowSeconds / 2,
    levels: LEVELS,
    estimator: 'shuffle',
    surrogates: 0,
    seed: 3,
    latenessSeconds: 0,
    top: undefined,
  };
  const updates: SynergyUpdate[] = await lastValueFrom(from(recording.events).pipe(analyzeStream(options), toArray()));
  const random = new SeededRandom(17, 'within-mode permutations');
  const windowBins = Math.round(windowSeconds / BIN_SECONDS);
  const sums = { streaming: 0, randomShuffle: 0, nextInMode: 0 };
  let pairWindows = 0;
  for (const update of updates) {
    const end = Math.round(update.t / BIN_SECONDS);
    const start = end - windowBins;
    if (start < 0) continue;
    expect(update.samples).toBe(windowBins);
    const mode = Array.from(recording.mode.subarray(start, end));
    const positionsByMode = new Map<number, number[]>();
    mode.forEach((m, w) => {
      const positions = positionsByMode.get(m) ?? [];
      positions.push(w);
      positionsByMode.set(m, positions);
    });
    for (const pair of update.pairs) {
      const column = (unit: number) => mode.map((_, w) => Math.min(LEVELS - 1, recording.counts[start + w][unit]));
      const a = column(Number(pair.a));
      const b = column(Number(pair.b));
      const permutedA = a.slice();
      const permutedB = b.slice();
      const nextB = b.slice();
      for (const positions of positionsByMode.values()) {
        const orderA = random.shuffle(Int32Array.from(positions));
        const orderB = random.shuffle(Int32Array.from(positions));
        positions.forEach((w, k) => {
          permutedA[w] = a[orderA[k]];
          permutedB[w] = b[orderB[k]];
          nextB[w] = b[positions[(k + 1) % positions.length]];
        });
      }
      sums.streaming += pair.synergy;
      sums.randomShuffle += shuffleSynergy(a, b, permutedA, permutedB, mode, recording.modes);
      sums.nextInMode += shuffleSynergy(a, b, a, nextB, mode, recording.modes);
      pairWindows++;
    }
  }
  return {
    pairWindows,
    streaming: sums.streaming / pairWindows,
    randomShuffle: sums.randomShuffle / pairWindows,
    nextInMode: sums.nextInMode / pairWindows,
  };
}

/**
 * SCIENCE.md: the shuffle is a random permutation of each mode's samples per
 * unit; a fixed pairing of bins close in time is not (under a slow shared
 * gain it keeps part of the correlation the shuffle removes, biasing I_sh).
 * On a null recording the streaming estimator's mean synergy must be that of
 * a random within-mode shuffle of the same windows, within 1 mbit; the
 * next-in-mode pairing, computed here too, is farther than 3 mbit from it.
 */
describe('the streaming shuffle on a slow-gain null', () => {
  it.each([30, 60])('%i s windows: mean synergy within 1 mbit of a random within-mode shuffle', async (windowSeconds) => {
    const means = await nullMeans(windowSeconds);
    const mbit = (bits: number) => (1000 * bits).toFixed(2);
    console.log(
      `${windowSeconds} s windows, ${means.pairWindows} pair-windows: mean synergy streaming ${mbit(means.streaming)} mbit, ` +
        `random shuffle ${mbit(means.randomShuffle)} mbit, next-in-mode ${mbit(means.nextInMode)} mbit`,
    );
    expect(means.pairWindows).toBeGreaterThanOrEqual(500);
    // The test tells a time-local pairing apart from a shuffle.
    expect(Math.abs(means.nextInMode - means.randomShuffle)).toBeGreaterThan(0.003);
    expect(Math.abs(means.streaming - means.randomShuffle)).toBeLessThan(0.001);
  });
});

describe('the streaming shuffle equals the batch readout', () => {
  it('over 30 s windows of 20 ms bins, with surrogates (each a fresh random cycle)', async () => {
    const recording = slowGainNull({ seed: 4, units: 5, seconds: 90, binSeconds: BIN_SECONDS, segmentSeconds: [0.3, 2] });
    const options: AnalysisOptions = {
      binSeconds: BIN_SECONDS,
      windowSeconds: 30,
      hopSeconds: 10,
      levels: LEVELS,
      estimator: 'shuffle',
      surrogates: 9,
      seed: 8,
      latenessSeconds: 0,
      top: undefined,
    };
    const run = (batch: boolean) =>
      lastValueFrom(from(recording.events).pipe(analyzeStream(options, batch ? (o) => new BatchReadout(o) : undefined), toArray()));
    const incremental = await run(false);
    const batch = await run(true);
    expect(incremental.map((u) => u.t)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(batch.map((u) => u.t)).toEqual(incremental.map((u) => u.t));
    incremental.forEach((update, n) => {
      expect(update.pairs.length).toBe(10);
      update.pairs.forEach((pair, k) => {
        const other = batch[n].pairs[k];
        expect([pair.a, pair.b]).toEqual([other.a, other.b]);
        for (const key of ['joint', 'ia', 'ib', 'synergy'] as const) expect(Math.abs(pair[key] - other[key])).toBeLessThan(1e-9);
        expect(pair.p).toBe(other.p);
      });
    });
  });
});
