import { describe, expect, it } from 'vitest';
import type { LabeledFrame } from '../../src/engine/countFrame.ts';
import { availableLags, effectiveSurrogates, surrogatePValue } from '../../src/engine/labelLagSchedule.ts';
import { estimate } from '../../src/estimators/estimate.ts';
import { GAUSSIAN_STATISTIC_RIDGE, GroupAnalyzer } from '../../src/groups/groupAnalyzer.ts';
import type { AnalysisGroup, GroupUpdate } from '../../src/groups/groupUpdate.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { copulaNormalize } from '../../src/measures/gaussian/gaussianCopula.ts';
import { COPULA_MINIMUM_VARIANCE, copulaGroupMeasures, gaussianGroupMeasuresFromCovariances, type SampleCovariance } from '../../src/measures/gaussian/gaussianGroupMeasures.ts';
import { groupMeasures, type GroupMeasures } from '../../src/measures/groupMeasures.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { randomFrames } from '../helpers/randomFrames.ts';

const KEYS = ['oinfo', 'tc', 'dtc', 'sinfo', 'synergy', 'doinfo_y'] as const;

/** Every bin's symbols by unit id and its label, from the frames (an independent dense copy). */
function denseStream(frames: readonly LabeledFrame[], levels: number) {
  const symbols = new Map<string, number[]>();
  const labels: number[] = [];
  for (const frame of frames) {
    for (let b = 0; b < frame.binCount; b++) {
      const bin = frame.firstBin + b;
      labels[bin] = frame.label[b];
      for (let e = frame.offsets[b]; e < frame.offsets[b + 1]; e++) {
        const id = frame.unitIds[frame.unit[e]];
        if (!symbols.has(id)) symbols.set(id, []);
        symbols.get(id)![bin] = Math.min(frame.count[e], levels - 1);
      }
    }
  }
  const at = (id: string, bin: number) => (bin < 0 ? 0 : (symbols.get(id)?.[bin] ?? 0));
  const labelAt = (bin: number) => (bin < 0 || bin >= labels.length ? -1 : labels[bin]);
  return { at, labelAt, bins: labels.length };
}

function covarianceOf(columns: readonly Float64Array[], rows: readonly number[]): SampleCovariance {
  const c = columns.length;
  const n = rows.length;
  const means = columns.map((column) => rows.reduce((sum, r) => sum + column[r], 0) / n);
  const matrix = new Float64Array(c * c);
  for (let x = 0; x < c; x++) for (let y = 0; y < c; y++) matrix[x * c + y] = rows.reduce((sum, r) => sum + (columns[x][r] - means[x]) * (columns[y][r] - means[y]), 0) / (n - 1);
  return { matrix, samples: n };
}

/**
 * Uncorrected Gaussian measures of score columns with classes (−1 left out); X-only when classes is undefined.
 * `overall` (a label surrogate's) replaces the covariance of the kept rows as the entropies of all samples and the
 * ridge's scale: only the pairing of samples and modes moves between surrogates.
 */
function gaussianStatistic(scores: readonly Float64Array[], classes: readonly number[] | undefined, overall?: SampleCovariance): GroupMeasures {
  const rows = [...Array(scores[0].length).keys()].filter((r) => classes === undefined || classes[r] >= 0);
  const byClass = new Map<number, number[]>();
  if (classes !== undefined) for (const r of rows) byClass.set(classes[r], [...(byClass.get(classes[r]) ?? []), r]);
  const order = [...byClass.keys()].sort((a, b) => a - b);
  const total = overall ?? covarianceOf(scores, rows);
  const k = scores.length;
  const classCovariances = order.map((m) => covarianceOf(scores, byClass.get(m)!)).filter((c) => c.samples >= 2);
  for (const c of classCovariances) for (let j = 0; j < k; j++) c.matrix[j * k + j] += GAUSSIAN_STATISTIC_RIDGE * total.matrix[j * k + j];
  return gaussianGroupMeasuresFromCovariances(total, classCovariances, k, false, COPULA_MINIMUM_VARIANCE);
}

function twoSided(observed: number, surrogates: number[], effective: number): number {
  const center = (observed + surrogates.reduce((a, b) => a + b, 0)) / (surrogates.length + 1);
  const distance = Math.abs(observed - center) - 1e-12;
  return surrogatePValue(surrogates.filter((v) => Math.abs(v - center) >= distance).length, surrogates.length, Math.max(1, effective));
}

function greater(observed: number, surrogates: number[]): number {
  return (1 + surrogates.filter((v) => v >= observed - 1e-12).length) / (1 + surrogates.length);
}

describe('GroupAnalyzer: streaming equals batch over the same bins', () => {
  const options: AnalysisOptions = {
    binSeconds: 0.1,
    windowSeconds: 20,
    hopSeconds: 5,
    levels: 3,
    estimator: 'jackknife',
    surrogates: 7,
    lagStepSeconds: 1,
    seed: 3,
    latenessSeconds: 0,
    groupDiscreteMaxUnits: 3,
  };
  const groups: AnalysisGroup[] = [
    { name: 'small', units: ['100', '101', '102'] },
    { name: 'pair', units: ['104', '109'] },
    { name: 'wide', units: ['100', '101', '102', '103', '104', '105'] },
    { name: 'with-a-silent-unit', units: ['106', '107', '108', 'never-seen', '109'] },
  ];
  const frames = randomFrames({ seed: 21, units: 10, modes: 3, bins: 1200, maxFrameBins: 37, rate: 0.3 });
  const analyzer = new GroupAnalyzer(options, groups);
  const emissions = frames.flatMap((frame) => analyzer.push(frame, 0));
  emissions.push(...analyzer.finish(frames.reduce((end, f) => Math.max(end, (f.firstBin + f.binCount) * options.binSeconds), 0)));
  const stream = denseStream(frames, options.levels);
  const windowBins = 200;

  it('emits at every hop, as the pair tiles do', () => {
    expect(emissions.map((e) => e.endBin)).toEqual(Array.from({ length: 24 }, (_, m) => 50 * (m + 1)));
  });

  it('gives each group the batch library’s value (discrete: the estimator; large: the Gaussian copula) to 1e-9', () => {
    let checked = 0;
    for (const emission of emissions) {
      const bins: number[] = [];
      for (let bin = Math.max(0, emission.endBin - windowBins); bin < Math.min(emission.endBin, stream.bins); bin++) if (stream.labelAt(bin) >= 0) bins.push(bin);
      groups.forEach((group, g) => {
        const update = emission.groups[g];
        expect(update.samples).toBe(bins.length);
        if (bins.length < 2) return;
        const columns = group.units.map((id) => Float64Array.from(bins, (bin) => stream.at(id, bin)));
        const classes = Int32Array.from(bins, (bin) => stream.labelAt(bin));
        let expected: GroupMeasures;
        if (group.units.length <= 3) {
          const samples = discretize([...columns, classes], [...group.units.map(() => 3), 3]);
          expected = estimate(estimationData(samples, bins.map((bin) => bin % 4)), (s) => groupMeasures(s, [...group.units.keys()], group.units.length), { estimator: 'jackknife' });
          expect(update.method).toBe('discrete');
        } else {
          const varying = columns.filter((column) => new Set(column).size > 1);
          expect(update.measured).toBe(varying.length);
          if (varying.length < 2) {
            expect(update.oinfo).toBeNull();
            return;
          }
          try {
            expected = copulaGroupMeasures(varying, classes);
          } catch {
            // A unit constant within a mode: the measures of X only, and no information about the mode.
            expected = gaussianStatistic(varying.map((column) => copulaNormalize(column)), undefined);
            const corrected = gaussianGroupMeasuresFromCovariances(covarianceOf(varying.map((column) => copulaNormalize(column)), [...bins.keys()]), [], varying.length, true, COPULA_MINIMUM_VARIANCE);
            for (const key of ['oinfo', 'tc', 'dtc', 'sinfo'] as const) expect(update[key]).toBeCloseTo(corrected[key], 9);
            expect(update.synergy).toBeNull();
            expect(update.doinfo_y).toBeNull();
            return;
          }
          expect(update.method).toBe('gaussian-copula');
        }
        for (const key of KEYS) expect(update[key]).toBeCloseTo(expected[key], 9);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(80);
    expect(emissions.at(-1)!.groups[3].measured).toBe(4);
  });

  it('gives p values that equal surrogates rebuilt from the bins (label lags for synergy and ∂_YΩ, unit shifts for Ω, TC, DTC, S)', () => {
    const lags = analyzer.labelLags;
    let checked = 0;
    for (const emission of emissions) {
      const windowStart = emission.endBin - windowBins;
      const inWindow: number[] = [];
      for (let bin = Math.max(0, windowStart); bin < Math.min(emission.endBin, stream.bins); bin++) inWindow.push(bin);
      const labeled = inWindow.filter((bin) => stream.labelAt(bin) >= 0);
      if (labeled.length < 2) continue;
      const available = availableLags(lags, windowStart, 0);
      // Mean dwell over the bins recorded up to the emission (the label history's).
      let runs = 0;
      let labeledBins = 0;
      let previous = -1;
      for (let bin = 0; bin < Math.min(emission.endBin, stream.bins); bin++) {
        const label = stream.labelAt(bin);
        if (label >= 0) {
          labeledBins++;
          if (label !== previous) runs++;
        }
        previous = label;
      }
      const effective = effectiveSurrogates(available, 10, runs === 0 ? 0 : labeledBins / runs);
      groups.forEach((group, g) => {
        const update: GroupUpdate = emission.groups[g];
        const discrete = group.units.length <= 3;
        const unitsMeasured = discrete ? group.units : group.units.filter((id) => new Set(labeled.map((bin) => stream.at(id, bin))).size > 1);
        if (unitsMeasured.length < 2) return;
        let observed: GroupMeasures;
        const labelStatistics: GroupMeasures[] = [];
        const unitStatistics: GroupMeasures[] = [];
        const shiftedOk = (r: number) => windowStart - Math.max(...group.units.map((id) => analyzer.unitShift(r, id))) >= 0;
        if (discrete) {
          const plugin = (bins: number[], symbol: (id: string, bin: number) => number, label: (bin: number) => number) => {
            const columns = [...group.units.map((id) => Int32Array.from(bins, (bin) => symbol(id, bin))), Int32Array.from(bins, label)];
            return estimate(estimationData(discretize(columns, [...group.units.map(() => 3), 3])), (s) => groupMeasures(s, [...group.units.keys()], group.units.length), { estimator: 'plugin' });
          };
          observed = plugin(labeled, stream.at, stream.labelAt);
          for (let k = 0; k < available; k++) {
            const bins = inWindow.filter((bin) => stream.labelAt(bin - lags[k]) >= 0);
            if (bins.length > 0) labelStatistics.push(plugin(bins, stream.at, (bin) => stream.labelAt(bin - lags[k])));
          }
          for (let r = 0; r < options.surrogates; r++) {
            if (!shiftedOk(r)) continue;
            unitStatistics.push(plugin(labeled, (id, bin) => stream.at(id, bin - analyzer.unitShift(r, id)), () => 0));
          }
        } else {
          // Scores from the real window's labeled samples, applied to any bin by symbol.
          const scoreOf = new Map<string, Map<number, number>>();
          for (const id of unitsMeasured) {
            const values = Float64Array.from(labeled, (bin) => stream.at(id, bin));
            const z = copulaNormalize(values);
            scoreOf.set(id, new Map([...values].map((v, s) => [v, z[s]])));
          }
          const columnsFor = (bins: number[]) => unitsMeasured.map((id) => Float64Array.from(bins, (bin) => scoreOf.get(id)!.get(stream.at(id, bin))!));
          observed = gaussianStatistic(columnsFor(labeled), update.synergy === null ? undefined : labeled.map((bin) => stream.labelAt(bin)));
          const realOverall = covarianceOf(columnsFor(labeled), [...labeled.keys()]);
          if (update.synergy !== null) {
            for (let k = 0; k < available; k++) {
              const bins = inWindow.filter((bin) => stream.labelAt(bin - lags[k]) >= 0);
              try {
                labelStatistics.push(gaussianStatistic(columnsFor(bins), bins.map((bin) => stream.labelAt(bin - lags[k])), realOverall));
              } catch {
                // A unit constant within a mode of this surrogate: left out, as the analyzer does.
              }
            }
          }
          for (let r = 0; r < options.surrogates; r++) {
            if (!shiftedOk(r)) continue;
            const shifted = unitsMeasured.map((id) => copulaNormalize(Float64Array.from(labeled, (bin) => stream.at(id, bin - analyzer.unitShift(r, id)))));
            try {
              unitStatistics.push(gaussianStatistic(shifted, undefined));
            } catch {
              // A unit constant in the shifted window: left out.
            }
          }
        }
        expect(update.surrogates).toEqual({ label: labelStatistics.length, effective: Math.min(effective, labelStatistics.length), unit: unitStatistics.length });
        for (const key of KEYS) {
          if (update[key] === null) continue;
          const expected =
            key === 'synergy' || key === 'doinfo_y'
              ? twoSided(observed[key], labelStatistics.map((s) => s[key]), Math.min(effective, labelStatistics.length))
              : key === 'oinfo'
                ? twoSided(observed[key], unitStatistics.map((s) => s[key]), unitStatistics.length)
                : greater(observed[key], unitStatistics.map((s) => s[key]));
          expect(update.p![key]).toBeCloseTo(expected, 12);
        }
        if (labelStatistics.length > 0 && unitStatistics.length > 0) checked++;
      });
    }
    expect(checked).toBeGreaterThan(20);
  });
});
