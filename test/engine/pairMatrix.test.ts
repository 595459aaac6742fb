import { describe, expect, it } from 'vitest';
import type { LabeledFrame } from '../../src/engine/countFrame.ts';
import { modeStretches } from '../../src/engine/modeStretches.ts';
import { matrixPairIndex, MATRIX_SIGNIFICANT, pairMatrixOf } from '../../src/engine/pairMatrix.ts';
import { SlidingWindowAnalyzer } from '../../src/engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { planTiles, type TileRows } from '../../src/engine/tiles.ts';
import type { EstimatorName } from '../../src/estimators/estimate.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { compareUnitIds } from '../../src/stream/unitIds.ts';
import { randomFrames } from '../helpers/randomFrames.ts';

const BINS = 2000;
const UNITS = 13;
const base: AnalysisOptions = {
  ...DEFAULT_ANALYSIS_OPTIONS,
  binSeconds: 0.02,
  windowSeconds: 3,
  hopSeconds: 1,
  surrogates: 19,
  top: undefined,
  pairMatrix: true,
};

/** Frames whose unit ids are not in registry order (so the matrix must reorder them), some not numbers. */
function scrambledFrames(): LabeledFrame[] {
  const rename = (id: string) => {
    const u = Number(id) - 100;
    return u % 5 === 4 ? `tet${u}` : String((u * 37) % 101);
  };
  return randomFrames({ seed: 3, units: UNITS, modes: 3, bins: BINS, maxFrameBins: 40 }).map((frame) => ({ ...frame, unitIds: frame.unitIds.map(rename) }));
}

function run(options: AnalysisOptions, frames: readonly LabeledFrame[], tiles?: readonly TileRows[]): SynergyUpdate[] {
  const analyzer = new SlidingWindowAnalyzer(options, undefined, tiles);
  const updates = frames.flatMap((frame) => analyzer.push(frame, 0, 0));
  return [...updates, ...analyzer.finish(BINS * options.binSeconds, 0)];
}

describe('the pair matrix of each update', () => {
  const frames = scrambledFrames();
  for (const estimator of ['jackknife', 'plugin', 'miller-madow'] as EstimatorName[]) {
    it(`holds every pair's synergy and family-wise significance, in canonical unit order (${estimator})`, () => {
      const updates = run({ ...base, estimator }, frames);
      expect(updates.length).toBeGreaterThan(30);
      let flagged = 0;
      for (const update of updates) {
        const matrix = pairMatrixOf(update);
        if (update.samples === 0 || update.units < 2) {
          expect(matrix).toBeUndefined();
          continue;
        }
        expect(matrix, `update at ${update.t}`).toBeDefined();
        const units = matrix!.units;
        expect(units.length).toBe(update.units);
        expect([...units].sort(compareUnitIds)).toEqual(units);
        expect(matrix!.synergy.length).toBe(update.pairsComputed);
        // top undefined: the update names every pair, with its own p_fwer.
        expect(update.pairs.length).toBe(update.pairsComputed);
        const rank = new Map(units.map((id, r) => [String(id), r]));
        let significant = 0;
        for (const pair of update.pairs) {
          const i = rank.get(String(pair.a))!;
          const j = rank.get(String(pair.b))!;
          expect(i).toBeLessThan(j);
          const index = matrixPairIndex(i, j, units.length);
          expect(matrix!.synergy[index]).toBe(Math.fround(pair.synergy));
          const isSignificant = (matrix!.flags[index] & MATRIX_SIGNIFICANT) !== 0;
          expect(isSignificant, `${pair.a}–${pair.b} at ${update.t}: p_fwer ${pair.p_fwer}`).toBe(pair.p_fwer! <= update.alpha!);
          if (isSignificant) significant++;
        }
        expect(significant).toBe(update.significant);
        flagged += significant;
      }
      // The planted pairs are found: the flags are not all zero.
      expect(flagged).toBeGreaterThan(10);
    });
  }

  it('is the same whatever the tiles, and absent from the JSON', () => {
    const single = run(base, frames);
    for (const count of [2, 5]) {
      const tiled = run(base, frames, planTiles(count, 9));
      expect(tiled).toEqual(single);
      tiled.forEach((update, k) => expect(pairMatrixOf(update), `update ${k}`).toEqual(pairMatrixOf(single[k])));
    }
    const last = single.at(-1)!;
    expect(pairMatrixOf(last)).toBeDefined();
    expect(JSON.stringify(last)).not.toContain('pairMatrix');
    expect(Object.keys(last)).not.toContain('modes');
  });

  it('is not made without the option, nor under estimators that settle only the top pairs', () => {
    expect(run({ ...base, pairMatrix: false }, frames).some((update) => pairMatrixOf(update) !== undefined)).toBe(false);
    const topOnly = run({ ...base, estimator: 'panzeri-treves', top: 10 }, frames);
    expect(topOnly.length).toBeGreaterThan(30);
    expect(topOnly.some((update) => pairMatrixOf(update) !== undefined)).toBe(false);
  });

  it("gives the last hop's mode stretches, bin for bin as the frames labeled them", () => {
    const updates = run(base, frames);
    const modeOfBin = new Map<number, string>();
    for (const frame of frames) for (let b = 0; b < frame.binCount; b++) if (frame.label[b] >= 0) modeOfBin.set(frame.firstBin + b, frame.labelNames[frame.label[b]]);
    const hopBins = 50;
    let stretches = 0;
    for (const update of updates) {
      const modes = pairMatrixOf(update)?.modes;
      if (modes === undefined) continue;
      const endBin = Math.round(update.t / base.binSeconds);
      const seen = new Map<number, string>();
      let previousEnd = -Infinity;
      for (const [start, end, mode] of modes) {
        expect(start).toBeLessThan(end);
        expect(start).toBeGreaterThanOrEqual(previousEnd);
        previousEnd = end;
        for (let bin = Math.round(start / base.binSeconds); bin < Math.round(end / base.binSeconds); bin++) seen.set(bin, mode);
        stretches++;
      }
      for (let bin = endBin - hopBins; bin < endBin; bin++) expect(seen.get(bin), `bin ${bin}`).toBe(modeOfBin.get(bin));
    }
    expect(stretches).toBeGreaterThan(updates.length);
  });

  it('merges consecutive bins of one mode and leaves unlabeled ones out', () => {
    const modes = [0, 0, -1, 1, 1, 1, 0];
    expect(modeStretches(10, 17, (bin) => modes[bin - 10], ['go', 'stop'], 0.5)).toEqual([
      [5, 6, 'go'],
      [6.5, 8, 'stop'],
      [8, 8.5, 'go'],
    ]);
    expect(modeStretches(0, 3, () => -1, ['go'], 1)).toEqual([]);
  });
});
