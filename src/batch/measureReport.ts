import { estimate, type EstimatorName } from '../estimators/estimate.ts';
import { mutualInformationChiSquared } from '../estimators/chiSquaredPValue.ts';
import type { NumericTree } from '../estimators/numericTree.ts';
import { quarterAssignment, type QuarterSplit } from '../estimators/quarterSplit.ts';
import { coInformation } from '../measures/coInformation.ts';
import type { DiscreteSamples, EstimationData } from '../measures/discreteSamples.ts';
import { estimationData } from '../measures/discreteSamples.ts';
import { dualTotalCorrelation } from '../measures/dualTotalCorrelation.ts';
import { entropy } from '../measures/entropy.ts';
import { groupSynergy } from '../measures/groupSynergy.ts';
import { informationBreakdown } from '../measures/informationBreakdown.ts';
import type { InformationSource } from '../measures/informationSource.ts';
import { mutualInformation } from '../measures/mutualInformation.ts';
import { normalizedSynergy, normalizedSynergyFloorBits } from '../measures/normalizedSynergy.ts';
import { oInformation } from '../measures/oInformation.ts';
import { oInformationGradient } from '../measures/oInformationGradient.ts';
import { pairSynergy } from '../measures/pairSynergy.ts';
import { pidMinimumMutualInformation } from '../measures/pidMinimumMutualInformation.ts';
import { pidWilliamsBeer } from '../measures/pidWilliamsBeer.ts';
import { sInformation } from '../measures/sInformation.ts';
import { totalCorrelation } from '../measures/totalCorrelation.ts';

export interface MeasureReportOptions {
  /** Column names, one per column of the samples. */
  names: readonly string[];
  /** Index of the target (mode) column. */
  target: number;
  estimator: EstimatorName;
  /** Seed of the `shuffle` estimator and of the `shuffled` QE split (default 0). */
  seed?: number;
  /** How `qe` splits the rows into halves and quarters (default `contiguous`, in row order). */
  qeSplit?: QuarterSplit;
}

/**
 * Every measure of `synergy measure` for samples of sources and one target,
 * as one JSON-ready object (bits). For each source its information about the
 * target; the joint information and group synergy; O-information, TC, DTC and
 * S-information over all columns (sources and target) and ∂_Y Ω; and for two
 * sources the pair measures, both PIDs and the Pola breakdown. Under a
 * correcting estimator the plug-in values are reported beside the corrected
 * ones, with the χ² screen of the plug-in joint information.
 */
export function measureReport(samples: DiscreteSamples, options: MeasureReportOptions): Record<string, unknown> {
  const { names, target } = options;
  const columns = samples.columns.length;
  if (names.length !== columns) throw new RangeError(`${names.length} names for ${columns} columns`);
  if (!(target >= 0 && target < columns)) throw new RangeError(`target column ${target} does not exist`);
  const sources = [...Array(columns).keys()].filter((v) => v !== target);
  const all = [...sources, target];
  const qeSplit = options.qeSplit ?? 'contiguous';
  const data: EstimationData = estimationData(
    samples,
    quarterAssignment(qeSplit, samples.columns[0]?.length ?? 0, options.seed ?? 0),
  );

  const measures = (source: InformationSource) => {
    // Own properties whatever the column names (one may be called "__proto__").
    const single: Record<string, number> = Object.fromEntries(sources.map((v) => [names[v], mutualInformation(source, [v], [target])]));
    const result: Record<string, NumericTree> = {
      single,
      joint: mutualInformation(source, sources, [target]),
      synergy: groupSynergy(source, sources, target),
      entropy: entropy(source, all),
      oinfo: oInformation(source, all),
      tc: totalCorrelation(source, all),
      dtc: dualTotalCorrelation(source, all),
      sinfo: sInformation(source, all),
      oinfo_sources: oInformation(source, sources),
      doinfo_y: oInformationGradient(source, sources, target),
    };
    if (sources.length === 2) {
      const [a, b] = sources;
      const pair = pairSynergy(source, a, b, target);
      result.ia = pair.ia;
      result.ib = pair.ib;
      result.coinfo = coInformation(source, a, b, target);
      result.pid = {
        imin: { ...pidWilliamsBeer(source, a, b, target) },
        mmi: { ...pidMinimumMutualInformation(source, a, b, target) },
      };
      result.breakdown = { ...informationBreakdown(source, sources, target) };
    }
    return result;
  };

  const estimated = estimate(data, measures, options) as Record<string, NumericTree>;
  const report: Record<string, unknown> = {
    samples: data.table.total,
    estimator: options.estimator,
    ...(options.estimator === 'qe' ? { qe_split: qeSplit } : {}),
    ...(options.estimator === 'shuffle' || (options.estimator === 'qe' && qeSplit === 'shuffled')
      ? { seed: options.seed ?? 0 }
      : {}),
    target: names[target],
    sources: sources.map((v) => names[v]),
    ...estimated,
  };
  if (sources.length === 2) {
    const [a, b] = sources;
    const modesPresent = new Set(samples.columns[target]).size;
    const floorBits = normalizedSynergyFloorBits(data.table.total, samples.alphabet[a], samples.alphabet[b], modesPresent);
    report.normalized = normalizedSynergy(estimated.synergy as number, estimated.joint as number, floorBits);
    report.normalized_floor = floorBits;
  }
  const plugin = options.estimator === 'plugin' ? estimated : (estimate(data, measures, { estimator: 'plugin' }) as Record<string, NumericTree>);
  if (options.estimator !== 'plugin') report.plugin = plugin;
  report.chi2 = mutualInformationChiSquared(data.table, sources, [target]);
  return report;
}
