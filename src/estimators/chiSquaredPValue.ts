import { chiSquaredSurvival } from '../math/chiSquared.ts';
import type { JointTable } from '../measures/jointTable.ts';
import { PluginSource } from './pluginSource.ts';

/** The analytic screen of a plug-in mutual information. */
export interface ChiSquaredScreen {
  /** The statistic 2N ln2 · I_plugin. */
  statistic: number;
  /** (|X| − 1)(|Y| − 1), counting the symbols that occur. */
  df: number;
  /** P(χ²_df ≥ statistic). */
  p: number;
  /** What the p-value takes for granted. */
  assumes: 'independent samples';
}

/**
 * Analytic p-value of a plug-in mutual information: under independence,
 * 2N ln2 · Î(X;Y) is asymptotically χ² with (|X| − 1)(|Y| − 1) degrees of
 * freedom (the G-test; Miller 1955). It assumes independent samples: time
 * bins of a spike train are autocorrelated, so it overstates significance
 * there; use it as a fast screen and the circular-shift surrogates for the
 * real test (SCIENCE.md, "Significance").
 */
export function mutualInformationChiSquared(
  table: JointTable,
  x: readonly number[],
  y: readonly number[],
): ChiSquaredScreen {
  const information = new PluginSource(table).mutualInformation(x, y);
  const statistic = Math.max(0, 2 * table.total * Math.LN2 * information);
  const df = (table.marginal(x).size - 1) * (table.marginal(y).size - 1);
  const p = df < 1 ? 1 : chiSquaredSurvival(statistic, df);
  return { statistic, df, p, assumes: 'independent samples' };
}
