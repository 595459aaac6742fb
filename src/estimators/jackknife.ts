import type { InformationSource } from '../measures/informationSource.ts';
import type { JointTable } from '../measures/jointTable.ts';
import { linearCombination, type NumericTree } from './numericTree.ts';
import { PluginSource } from './pluginSource.ts';

/**
 * Jackknife bias correction (Quenouille 1956; Efron & Stein 1981) of the
 * plug-in estimate: N·Î − ((N − 1)/N) Σ_k Î_−k, Î_−k being the estimate with
 * sample k left out. All samples in one cell of the joint table give the same
 * leave-one-out value, so the sum runs over occupied cells weighted by their
 * counts: no pass over the samples is needed.
 */
export function jackknife<T extends NumericTree>(table: JointTable, measure: (source: InformationSource) => T): T {
  const n = table.total;
  const full = measure(new PluginSource(table));
  if (n < 2) return full;
  const trees: T[] = [full];
  const weights: number[] = [n];
  for (const [code, count] of table.counts) {
    if (count === 0) continue;
    trees.push(measure(new PluginSource(table.withoutOne(code))));
    weights.push((-(n - 1) / n) * count);
  }
  return linearCombination(trees, weights);
}
