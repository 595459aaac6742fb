export { ESTIMATORS, estimate, isEstimatorName, type EstimateOptions, type EstimatorName } from './estimate.ts';
export { PluginSource } from './pluginSource.ts';
export { BiasCorrectedSource, type RelevantCellRule } from './biasCorrectedSource.ts';
export { ShuffleSource } from './shuffleSource.ts';
export { panzeriTrevesRelevantCells } from './panzeriTrevesRelevantCells.ts';
export { quadraticExtrapolation, EstimatorInputError } from './quadraticExtrapolation.ts';
export { jackknife } from './jackknife.ts';
export { linearCombination, type NumericTree } from './numericTree.ts';
export { pluginEntropyFromCounts, firstOrderBias } from './entropyFromCounts.ts';
