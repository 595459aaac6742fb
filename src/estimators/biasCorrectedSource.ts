import type { InformationSource } from '../measures/informationSource.ts';
import type { JointTable } from '../measures/jointTable.ts';
import { firstOrderBias, pluginEntropyFromCounts } from './entropyFromCounts.ts';
import { panzeriTrevesRelevantCells } from './panzeriTrevesRelevantCells.ts';

/** How a first-order correction counts the cells R of a table. */
export type RelevantCellRule = 'miller-madow' | 'panzeri-treves';

/**
 * Entropies with the first-order bias correction H + (R − 1)/(2N ln 2)
 * applied to every table (SCIENCE.md): R is the number of occupied cells
 * (Miller 1955) or the Bayesian count of relevant cells (Panzeri & Treves
 * 1996). Conditional entropies are corrected per value of the condition, with
 * that value's N_g, and weighted by p(g), so I(X;Y) = H(X) − H(X|Y) carries
 * one correction per mode as pyentropy does.
 */
export class BiasCorrectedSource implements InformationSource {
  private readonly cache = new Map<string, number>();
  constructor(
    readonly table: JointTable,
    readonly rule: RelevantCellRule,
  ) {}

  entropy(vars: readonly number[]): number {
    if (vars.length === 0) return 0;
    return this.cached(`H:${vars.join(',')}`, () =>
      this.correctedEntropyOf([...this.table.marginal(vars).values()], this.table.alphabetOf(vars)),
    );
  }

  conditionalEntropy(vars: readonly number[], given: readonly number[]): number {
    if (given.length === 0) return this.entropy(vars);
    if (vars.length === 0) return 0;
    return this.cached(`C:${vars.join(',')}|${given.join(',')}`, () => {
      const total = this.table.total;
      if (total === 0) return 0;
      const alphabet = this.table.alphabetOf(vars);
      let h = 0;
      for (const group of this.table.conditional(vars, given).values()) {
        const counts = [...group.values()];
        let groupTotal = 0;
        for (const n of counts) groupTotal += n;
        h += (groupTotal / total) * this.correctedEntropyOf(counts, alphabet);
      }
      return h;
    });
  }

  mutualInformation(a: readonly number[], b: readonly number[]): number {
    return this.entropy(a) - this.conditionalEntropy(a, b);
  }

  /** The number of cells R the correction uses for a table of counts. */
  relevantCells(counts: readonly number[], alphabetSize: number): number {
    if (this.rule === 'panzeri-treves') return panzeriTrevesRelevantCells(counts, alphabetSize);
    let occupied = 0;
    for (const n of counts) if (n > 0) occupied++;
    return occupied;
  }

  protected correctedEntropyOf(counts: readonly number[], alphabetSize: number): number {
    let total = 0;
    for (const n of counts) total += n;
    return pluginEntropyFromCounts(counts) + firstOrderBias(this.relevantCells(counts, alphabetSize), total);
  }

  private cached(key: string, compute: () => number): number {
    let value = this.cache.get(key);
    if (value === undefined) {
      value = compute();
      this.cache.set(key, value);
    }
    return value;
  }
}
