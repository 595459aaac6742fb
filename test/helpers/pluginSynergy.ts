import { estimate } from '../../src/estimators/estimate.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';

/** Plug-in synergy of two symbol columns against modes, through the batch library. */
export function pluginSynergy(xa: number[], xb: number[], mode: number[], levels: number, modes: number): number {
  const data = estimationData(discretize([xa, xb, mode], [levels, levels, modes]));
  return estimate(data, (source) => pairSynergy(source, 0, 1, 2), { estimator: 'plugin' }).synergy;
}
