/**
 * synergy-stream as a library: the discrete information measures, their
 * estimators, and the Gaussian / Gaussian-copula estimators. All values in bits.
 */
export * from './measures/index.ts';
export * from './estimators/index.ts';
export * from './measures/gaussian/index.ts';
export { mutualInformationChiSquared, type ChiSquaredScreen } from './estimators/chiSquaredPValue.ts';
export { measureReport, type MeasureReportOptions } from './batch/measureReport.ts';
export { SynergyError, BadDataError, InputFormatError, UsageError, EXIT_STATUS, type ExitStatus } from './errors.ts';
export { SeededRandom } from './math/seededRandom.ts';
