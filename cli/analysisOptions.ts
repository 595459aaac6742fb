import { Command, InvalidArgumentError, Option } from 'commander';
import { ESTIMATORS, type EstimatorName } from '../src/estimators/estimate.ts';
import { UsageError } from '../src/errors.ts';
import { wholeBins } from '../src/stream/binIndex.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { parseInteger } from './parseOptions.ts';

/** The surrogates' default memory bound, cells (LabelLagSignificance's). */
export const DEFAULT_MAX_SURROGATE_CELLS = 2 ** 28;

/** Raw values of the shared analysis options, as commander parses them. */
export interface AnalysisFlags {
  bin: number;
  window: number;
  hop: number;
  levels: number;
  estimator: EstimatorName;
  surrogates: number;
  lagStep: number | 'auto';
  seed: number;
  lateness: number;
  top: number | 'all';
  /** The surrogates' memory bound, cells over all tiles (the longest lags are dropped beyond it). */
  maxSurrogateCells: number;
  /** From the alert options (--alert-alpha), where the command has them. */
  alertAlpha: number;
}

function parseSeconds(option: string): (value: string) => number {
  return (value: string) => {
    const seconds = Number(value);
    if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
      throw new InvalidArgumentError(`${option} takes a number of seconds ≥ 0, got '${value}'`);
    }
    return seconds;
  };
}

function parseLagStep(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  return parseSeconds('--lag-step')(value);
}

function parseTop(value: string): number | 'all' {
  if (value === 'all' || value === '0') return 'all';
  return parseInteger('--top', 1)(value);
}

/** Adds the options every analyzing command shares (DESIGN §5); `defaults` overrides the usual defaults (live commands turn surrogates on). */
export function addAnalysisOptions(command: Command, defaults: Partial<AnalysisOptions> = {}): Command {
  const d = { ...DEFAULT_ANALYSIS_OPTIONS, ...defaults };
  return command
    .option('--bin <seconds>', 'bin width', parseSeconds('--bin'), d.binSeconds)
    .option('--window <seconds>', 'sliding window length (a whole number of bins)', parseSeconds('--window'), d.windowSeconds)
    .option('--hop <seconds>', 'time between updates (a whole number of bins)', parseSeconds('--hop'), d.hopSeconds)
    .option('--levels <n>', 'spike counts are quantized to min(count, levels-1)', parseInteger('--levels', 2), d.levels)
    .addOption(
      new Option('--estimator <name>', 'bias correction (see docs/MEASURES.md)')
        .choices(ESTIMATORS)
        .default(d.estimator),
    )
    .option('--surrogates <n>', 'surrogates for p and p_fwer of every pair (0: none): label lags over time bins, permutations of the labels over trials and snapshots', parseInteger('--surrogates', 0), d.surrogates)
    .option('--lag-step <seconds|auto>', "spacing of the surrogates' label lags (a whole number of bins), or 'auto': 1.1 times the mean mode dwell so far, 1-30 s", parseLagStep, d.lagStepSeconds ?? 'auto')
    .option('--seed <n>', 'seed of the surrogates and of the shuffle estimator', parseInteger('--seed'), d.seed)
    .option('--lateness <seconds>', 'how far out of order spikes and labels may arrive', parseSeconds('--lateness'), d.latenessSeconds)
    .option('--top <n>', "emit the strongest n pairs by |synergy| ('all' for every pair); all pairs are computed", parseTop, d.top ?? 'all')
    .option(
      '--max-surrogate-cells <n>',
      "memory bound of the surrogates' count tables, in cells (2 bytes, 4 for windows of 65,536 bins or more) over all tiles; the longest lags are dropped beyond it (docs/SCALING.md)",
      parseInteger('--max-surrogate-cells', 1),
      d.maxSurrogateCells ?? DEFAULT_MAX_SURROGATE_CELLS,
    );
}

/** Checks the flags against each other and turns them into AnalysisOptions. */
export function analysisOptionsFrom(flags: AnalysisFlags): AnalysisOptions {
  if (!(flags.bin > 0)) throw new UsageError(`--bin must be positive, got ${flags.bin}`);
  try {
    wholeBins(flags.window, flags.bin, '--window');
    wholeBins(flags.hop, flags.bin, '--hop');
    if (flags.surrogates > 0 && flags.lagStep !== 'auto') wholeBins(flags.lagStep, flags.bin, '--lag-step');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.levels > 255) throw new UsageError(`--levels must be at most 255, got ${flags.levels}`);
  return {
    binSeconds: flags.bin,
    windowSeconds: flags.window,
    hopSeconds: flags.hop,
    levels: flags.levels,
    estimator: flags.estimator,
    surrogates: flags.surrogates,
    lagStepSeconds: flags.lagStep,
    alpha: flags.alertAlpha,
    seed: flags.seed,
    latenessSeconds: flags.lateness,
    top: flags.top === 'all' ? undefined : flags.top,
    maxSurrogateCells: flags.maxSurrogateCells,
  };
}
