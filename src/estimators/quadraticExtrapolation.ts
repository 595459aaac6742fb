import { UsageError } from '../errors.ts';
import type { InformationSource } from '../measures/informationSource.ts';
import { JointTable } from '../measures/jointTable.ts';
import type { EstimationData } from '../measures/discreteSamples.ts';
import { linearCombination, type NumericTree } from './numericTree.ts';
import { PluginSource } from './pluginSource.ts';

/**
 * Raised when an estimator is asked of input that lacks what it needs: qe
 * and a given shuffle pairing need the samples in order, not only a count
 * table. A usage error: the request, not the data, is at fault.
 */
export class EstimatorInputError extends UsageError {
  constructor(message: string) {
    super(message, 'ESTIMATOR_INPUT');
  }
}

/**
 * Quadratic extrapolation (Strong, Koberle, de Ruyter van Steveninck &
 * Bialek 1998, Phys Rev Lett 80:197): the plug-in estimate is taken to
 * behave as I(N) ≈ I∞ + a/N + b/N² and fitted through the full data (N), the
 * mean of the two halves (N/2) and the mean of the four quarters (N/4).
 * Through those three points the value at 1/N → 0 is
 *   I∞ = (8/3)·I(N) − 2·mean I(N/2) + (1/3)·mean I(N/4),
 * the Lagrange weights at x = 1/N, 2/N, 4/N. Halves are quarters {0,1} and
 * {2,3}; how samples are assigned to quarters is the caller's choice
 * (estimationData; quarterSplit.ts): contiguous in sample order, bin index
 * mod 4 in the stream, or pyentropy's shuffled split, which leaves out
 * N mod 4 samples — then the full-data term is the sum of the quarters, as
 * in pyentropy's `_qe_ent`.
 */
export function quadraticExtrapolation<T extends NumericTree>(
  data: EstimationData,
  measure: (source: InformationSource) => T,
): T {
  const quarters = data.quarters;
  if (quarters === undefined || quarters.length !== 4) {
    throw new EstimatorInputError('the qe estimator needs the samples in order (four quarter tables), not only their counts');
  }
  const halves = [JointTable.sum([quarters[0], quarters[1]]), JointTable.sum([quarters[2], quarters[3]])];
  // Quarters that cover every sample sum to data.table: use it as is, so
  // that the value does not depend on summing tables.
  const quarterTotal = quarters.reduce((total, table) => total + table.total, 0);
  const fullTable = quarterTotal === data.table.total ? data.table : JointTable.sum(quarters);
  const full = measure(new PluginSource(fullTable));
  const halfValues = halves.map((table) => measure(new PluginSource(table)));
  const quarterValues = quarters.map((table) => measure(new PluginSource(table)));
  return linearCombination(
    [full, ...halfValues, ...quarterValues],
    [8 / 3, -1, -1, 1 / 12, 1 / 12, 1 / 12, 1 / 12],
  );
}
