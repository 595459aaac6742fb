import { Command, Option } from 'commander';
import { measureReport } from '../src/batch/measureReport.ts';
import { readSamplesCsv } from '../src/batch/readSamplesCsv.ts';
import { InputFormatError, UsageError } from '../src/errors.ts';
import { ESTIMATORS, type EstimatorName } from '../src/estimators/estimate.ts';
import { QUARTER_SPLITS, type QuarterSplit } from '../src/estimators/quarterSplit.ts';
import { discretize } from '../src/measures/discreteSamples.ts';
import { parseInteger } from './parseOptions.ts';

interface MeasureOptions {
  target?: string;
  estimator: EstimatorName;
  seed: number;
  qeSplit: QuarterSplit;
  levels?: number;
  pretty?: boolean;
}

export function measureCommand(write: (text: string) => void): Command {
  return new Command('measure')
    .summary('information measures of pre-binned samples (batch, exact)')
    .description(
      `Reads a CSV (or TSV) whose header names the columns, one row per sample of
integer symbols (e.g. spike counts per bin, and the bin's mode as an integer).
The target column is the behavioral mode Y; every other column is a source X_i.
Prints one JSON object, all values in bits:

  samples, estimator, target, sources
  qe_split    under qe: contiguous or shuffled; seed: under shuffle, or a
              shuffled qe split
  single      I(X_i;Y) for each source, by column name
  joint       I(X_1..X_k;Y)
  synergy     group synergy I(X;Y) - sum_i I(X_i;Y) (Gat-Tishby for two sources)
  entropy     H of all columns
  oinfo, tc, dtc, sinfo
              O-information (TC - DTC; >0 redundancy, <0 synergy), total and
              dual total correlation, S-information, over all columns
  oinfo_sources  O-information of the sources alone
  doinfo_y    gradient of O-information w.r.t. Y: oinfo - oinfo_sources
For exactly two sources, also:
  ia, ib      I(X_1;Y), I(X_2;Y)
  normalized  synergy / joint, or null unless joint > normalized_floor
              (a convenience, not Gat-Tishby's; not bounded by 1)
  normalized_floor
              (|X1||X2| - 1)(|Y| - 1) / (N ln 2) bits: twice the plug-in
              bias of the joint term; below it the joint is noise
  coinfo      co-information I(X1;X2;Y) = -synergy (positive = redundancy)
  pid         {imin, mmi}: {redundancy, unique1, unique2, synergy}
              (Williams-Beer I_min and minimum-MI redundancy)
  breakdown   Pola et al. 2003: {lin, sig_sim, cor_ind, cor_dep}, summing to
              joint
Always:
  chi2        analytic screen of the plug-in joint information: {statistic,
              df, p, assumes: "independent samples"} - bins of a spike train
              are not independent, so treat p as a screen, not a test
With a correcting estimator, "plugin" holds the same measures uncorrected.

Estimators (bias corrections, see docs/MEASURES.md):
  plugin          frequencies as probabilities (biased toward synergy)
  miller-madow    + (R-1)/(2N ln2) per table, R = occupied cells
  panzeri-treves  same form, R = Bayesian count of relevant cells
  qe              quadratic extrapolation from the data, its halves and
                  quarters; --qe-split contiguous (default: in row order)
                  or shuffled (pyentropy's: rows in a random order from
                  --seed, N mod 4 rows left out, then contiguous)
  shuffle         shuffled-response estimator I_sh for the joint term
                  (Montemurro et al. 2007), Panzeri-Treves on every term;
                  reproducible with --seed
  jackknife       leave-one-out jackknife of the plug-in values

Bad input (missing column, non-integer cell, ragged row, empty file) exits
with status 1 and a one-line message naming the file, line and column.

Examples:
  synergy measure pairs.csv
  synergy measure pairs.csv --target mode --estimator panzeri-treves
  synergy measure counts.tsv --estimator shuffle --seed 7 --levels 3
  synergy measure counts.csv --estimator qe --qe-split shuffled --seed 7`,
    )
    .argument('<samples.csv>', 'CSV/TSV file: header of column names, one row per sample of integer symbols')
    .option('-t, --target <column>', 'the mode column, by name (or 1-based position); default: the last column')
    .addOption(
      new Option('-e, --estimator <name>', 'bias correction').choices(ESTIMATORS).default('plugin'),
    )
    .option(
      '-s, --seed <integer>',
      'seed of the shuffle estimator and of the shuffled qe split',
      parseInteger('--seed'),
      0,
    )
    .addOption(
      new Option('--qe-split <split>', 'how qe splits the rows into halves and quarters')
        .choices(QUARTER_SPLITS)
        .default('contiguous'),
    )
    .option(
      '-l, --levels <integer>',
      'sources hold symbols 0..levels-1 (e.g. spike counts clipped to levels); fixes the alphabet size the Panzeri-Treves correction uses. Default: the distinct values seen in each column',
      parseInteger('--levels', 1),
    )
    .option('--pretty', 'indent the JSON output')
    .action(async (file: string, options: MeasureOptions) => {
      const table = await readSamplesCsv(file);
      const target = resolveTarget(table.names, options.target, file);
      if (table.names.length < 2) {
        throw new InputFormatError('needs at least two columns: one or more sources and the target', file, 1);
      }
      const alphabet = table.names.map((_, c) => (c === target ? undefined : options.levels));
      if (options.levels !== undefined) {
        const levels = options.levels;
        table.columns.forEach((column, c) => {
          if (c === target) return;
          const row = column.findIndex((x) => x < 0 || x >= levels);
          if (row >= 0) {
            throw new InputFormatError(
              `symbol ${column[row]} is outside 0..${levels - 1} (--levels ${levels})`,
              file,
              undefined,
              table.names[c],
            );
          }
        });
      }
      const samples = discretize(table.columns, alphabet);
      const report = measureReport(samples, {
        names: table.names,
        target,
        estimator: options.estimator,
        seed: options.seed,
        qeSplit: options.qeSplit,
      });
      write(`${JSON.stringify(report, null, options.pretty ? 2 : undefined)}\n`);
    });
}

function resolveTarget(names: readonly string[], target: string | undefined, file: string): number {
  if (target === undefined) return names.length - 1;
  const byName = names.indexOf(target);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(target)) {
    const position = Number(target);
    if (position >= 1 && position <= names.length) return position - 1;
  }
  throw new UsageError(`${file}: no column '${target}' (the header names: ${names.join(', ')})`);
}
