export {
  InvalidSamplesError,
  SingularCovarianceError,
  allVariables,
  covarianceLog2Determinant,
  sampleCovariance,
} from './covariance.ts';
export { gaussianEntropy, gaussianEntropyFromCovariance } from './gaussianEntropy.ts';
export {
  gaussianEntropyBiasBits,
  type GaussianCovarianceOptions,
  type GaussianSampleOptions,
} from './gaussianEntropyBias.ts';
export {
  gaussianMutualInformation,
  gaussianMutualInformationFromCovariance,
} from './gaussianMutualInformation.ts';
export {
  gaussianTotalCorrelation,
  gaussianTotalCorrelationFromCovariance,
} from './gaussianTotalCorrelation.ts';
export {
  gaussianDualTotalCorrelation,
  gaussianDualTotalCorrelationFromCovariance,
} from './gaussianDualTotalCorrelation.ts';
export { gaussianOInformation, gaussianOInformationFromCovariance } from './gaussianOInformation.ts';
export {
  copulaDualTotalCorrelation,
  copulaEntropy,
  copulaMutualInformation,
  copulaNormalize,
  copulaOInformation,
  copulaTotalCorrelation,
} from './gaussianCopula.ts';
