import type { InformationSource } from '../measures/informationSource.ts';
import type { JointTable } from '../measures/jointTable.ts';
import { pluginEntropyFromCounts } from './entropyFromCounts.ts';

/**
 * Plug-in (maximum-likelihood) estimates: the window's frequencies taken as
 * probabilities. Biased upward for mutual information, far more for the
 * pair's joint term than for single units (SCIENCE.md, "Bias corrections").
 */
export class PluginSource implements InformationSource {
  private readonly entropyCache = new Map<string, number>();
  constructor(readonly table: JointTable) {}

  entropy(vars: readonly number[]): number {
    if (vars.length === 0) return 0;
    const key = vars.join(',');
    let h = this.entropyCache.get(key);
    if (h === undefined) {
      h = pluginEntropyFromCounts(this.table.marginal(vars).values());
      this.entropyCache.set(key, h);
    }
    return h;
  }

  conditionalEntropy(vars: readonly number[], given: readonly number[]): number {
    if (given.length === 0) return this.entropy(vars);
    return this.entropy([...vars, ...given]) - this.entropy(given);
  }

  mutualInformation(a: readonly number[], b: readonly number[]): number {
    return this.entropy(a) - this.conditionalEntropy(a, b);
  }
}
