import { describe, expect, it } from 'vitest';
import type { LabeledFrame } from '../../src/engine/countFrame.ts';
import type { LabelHistorySnapshot } from '../../src/engine/labelHistory.ts';
import { SlidingWindowAnalyzer } from '../../src/engine/slidingWindowAnalyzer.ts';
import { TileAnalyzer } from '../../src/engine/tileAnalyzer.ts';
import { ALL_ROWS, planTiles, tilePairs, type TileEmission, type TileFrame, type TileRows } from '../../src/engine/tiles.ts';
import type { EstimatorName } from '../../src/estimators/estimate.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { randomFrames } from '../helpers/randomFrames.ts';

function run(options: AnalysisOptions, tiles: readonly TileRows[] | undefined, seed: number, units: number) {
  const analyzer = new SlidingWindowAnalyzer(options, undefined, tiles);
  const frames = randomFrames({ seed, units, modes: 3, bins: BINS, maxFrameBins: 60 });
  const updates = frames.flatMap((frame) => analyzer.push(frame, 0, 0));
  return [...updates, ...analyzer.finish(BINS * options.binSeconds, 0)];
}

const BINS = 2500;
const base: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, binSeconds: 0.02, windowSeconds: 3, hopSeconds: 1, surrogates: 19, lagStepSeconds: 'auto', top: 15 };

describe('tiles', () => {
  it('plans bands of about equal pairs that cover every row once', () => {
    for (const count of [1, 2, 3, 7, 16]) {
      const plan = planTiles(count, 1024);
      expect(plan).toHaveLength(count);
      expect(plan[0].first).toBe(0);
      expect(plan[count - 1].end).toBe(Infinity);
      for (let k = 1; k < count; k++) expect(plan[k].first).toBe(plan[k - 1].end);
      const pairs = plan.map((rows) => tilePairs(rows, 1024));
      expect(pairs.reduce((a, b) => a + b, 0)).toBe((1024 * 1023) / 2);
      for (const p of pairs) expect(Math.abs(p - (1024 * 1023) / 2 / count)).toBeLessThan(1024 + 1);
    }
    // More tiles than units: every tile still has a row of its own.
    expect(planTiles(5, 2).map((rows) => rows.first)).toEqual([0, 1, 2, 3, 4]);
  });

  // Every field of every update equal to one tile's (which the stream tests hold equal to the batch library).
  const estimators: EstimatorName[] = ['plugin', 'miller-madow', 'jackknife', 'panzeri-treves', 'qe', 'shuffle'];
  for (const estimator of estimators) {
    it(`with 1, 2, 3 and 7 tiles every update equals one process's: ${estimator}, surrogates and p included`, () => {
      const options = { ...base, estimator };
      const single = run(options, undefined, 11, 14);
      expect(single.length).toBeGreaterThan(10);
      expect(single.at(-1)!.significant).toBeGreaterThan(0);
      for (const count of [1, 2, 3, 7]) {
        // Planned for fewer units than come (the last tile takes the rest) and for more (tiles empty for a while).
        for (const expected of [9, 20]) {
          expect(run(options, planTiles(count, expected), 11, 14), `${count} tiles for ${expected} units`).toEqual(single);
        }
      }
    });
  }

  it('keeps the surrogates one process keeps under the memory bound, at levels 2 and 4, with a fixed lag step and every pair emitted', () => {
    for (const levels of [2, 4]) {
      const options = { ...base, levels, lagStepSeconds: 0.2, top: undefined, maxSurrogateCells: levels === 2 ? 2000 : 18_000 };
      const single = run(options, undefined, 5, 12);
      expect(single.at(-1)!.surrogates).toBeLessThan(19);
      expect(single.at(-1)!.surrogates).toBeGreaterThan(0);
      for (const count of [2, 3, 7]) expect(run(options, planTiles(count, 12), 5, 12), `${count} tiles, levels ${levels}`).toEqual(single);
    }
  });
});

describe('a tile resumed mid-stream (a Redis worker taking over)', () => {
  // Frames of one bin each, so that the history can be taken just before any bin.
  function singleBins(frames: readonly LabeledFrame[]): TileFrame[] {
    const out: TileFrame[] = [];
    for (const frame of frames) {
      for (let b = 0; b < frame.binCount; b++) {
        const from = frame.offsets[b];
        const to = frame.offsets[b + 1];
        out.push({
          firstBin: frame.firstBin + b,
          binCount: 1,
          offsets: Uint32Array.of(0, to - from),
          unit: frame.unit.slice(from, to),
          count: frame.count.slice(from, to),
          label: frame.label.slice(b, b + 1),
          units: frame.unitIds.length,
          modes: frame.labelNames.length,
          startTime: 0,
        });
      }
    }
    return out;
  }

  for (const estimator of ['jackknife', 'shuffle'] as const) {
    it(`emits from its first emission on exactly what a tile that ran from the start emits: ${estimator}`, () => {
      const options = { ...base, estimator };
      const bins = singleBins(randomFrames({ seed: 21, units: 12, modes: 3, bins: BINS, maxFrameBins: 60 }));
      const windowBins = Math.round(options.windowSeconds / options.binSeconds);
      const hopBins = Math.round(options.hopSeconds / options.binSeconds);
      const starts = [windowBins + 7 * hopBins, 30 * hopBins, BINS - windowBins - 2 * hopBins].map((e) => e - windowBins);
      for (const rows of [ALL_ROWS, ...planTiles(3, 12)]) {
        const whole = new TileAnalyzer(options, rows);
        const emissions: TileEmission[] = [];
        const snapshots = new Map<number, LabelHistorySnapshot>();
        const stepAfter = new Map<number, number | undefined>();
        for (const frame of bins) {
          if (starts.includes(frame.firstBin)) snapshots.set(frame.firstBin, whole.labelHistory!.snapshot());
          for (const emission of whole.push(frame)) {
            emissions.push(emission);
            stepAfter.set(emission.endBin, whole.stepBins);
          }
        }
        for (const fromBin of starts) {
          const nextEmissionBin = fromBin + windowBins;
          const resumed = new TileAnalyzer(options, rows, 0, undefined, {
            fromBin,
            nextEmissionBin,
            history: snapshots.get(fromBin),
            stepBins: stepAfter.get(nextEmissionBin - hopBins),
          });
          const again = bins.flatMap((frame) => resumed.push(frame));
          expect(again[0].endBin).toBe(nextEmissionBin);
          expect(again, `resumed at bin ${fromBin}`).toEqual(emissions.filter((emission) => emission.endBin >= nextEmissionBin));
        }
      }
    });
  }
});
