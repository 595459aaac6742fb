import { SeededRandom } from '../math/seededRandom.ts';

/**
 * The label-lag surrogates (SCIENCE.md, "Calibration and multiplicity";
 * docs/MEASURES.md, "Significance"): surrogate k pairs each window bin's
 * spikes with the mode the recording had lag_k bins earlier. Spikes and
 * modes keep their own autocorrelation; only their alignment is broken.
 * Unlike circular shifts inside one window, the lags reach back over the
 * history seen so far, so long modes still give many different label
 * streams.
 *
 * Lag k (k = 0 … count − 1) lies in [(k + 1)·step, (k + 2)·step): one lag per
 * step, placed at a seeded offset inside it so that a task with a fixed
 * period cannot line all lags up with itself. The lags ascend.
 */
export function labelLags(count: number, stepBins: number, seed: number): Int32Array {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`surrogates must be a whole number ≥ 0, got ${count}`);
  if (!Number.isInteger(stepBins) || stepBins < 1) throw new RangeError(`the lag step must be at least one bin, got ${stepBins}`);
  const random = new SeededRandom(seed, 'label-lags');
  const lags = new Int32Array(count);
  for (let k = 0; k < count; k++) lags[k] = (k + 1) * stepBins + random.nextInt(stepBins);
  return lags;
}

/** The longest step the automatic lag spacing takes, seconds (99 lags then reach back 50 minutes). */
export const AUTO_LAG_STEP_MAX_SECONDS = 30;

/** Mode stretches the automatic lag step waits for before it trusts the mean dwell. */
export const AUTO_LAG_MIN_RUNS = 10;

/** The automatic lag step is this many mean dwells (a margin, so that the dwell estimate can grow a little before lags count as dependent). */
export const AUTO_LAG_DWELLS = 1.1;

/**
 * The automatic lag step (`--lag-step auto`): lags a mean mode dwell apart,
 * so that every surrogate counts as an independent draw of the label
 * stream (effectiveSurrogates = available) however long the modes last.
 * AUTO_LAG_DWELLS mean dwells rounded up to whole bins, within [minBins,
 * maxBins], once AUTO_LAG_MIN_RUNS mode stretches have been seen (minBins
 * before); the step in use is kept while the dwell lies within [step / 1.5,
 * step], so that the tables are not rebuilt at every wobble of the
 * estimate, and moved as soon as the dwell passes it.
 */
export function autoLagStep(dwellBins: number, runs: number, currentBins: number, minBins: number, maxBins: number): number {
  if (runs < AUTO_LAG_MIN_RUNS) return currentBins;
  const want = Math.min(maxBins, Math.max(minBins, Math.ceil(AUTO_LAG_DWELLS * dwellBins - 1e-9)));
  if (want === currentBins) return currentBins;
  if (dwellBins <= currentBins && dwellBins >= currentBins / 1.5) return currentBins;
  return want;
}

/**
 * How many lags a window can use: those whose shifted window lies wholly in
 * the history (windowStart − lag ≥ firstBin). Lags ascend, so they are a
 * prefix.
 */
export function availableLags(lags: Int32Array, windowStartBin: number, firstBin: number): number {
  const reach = windowStartBin - firstBin;
  let count = 0;
  while (count < lags.length && lags[count] <= reach) count++;
  return count;
}

/**
 * Effectively independent surrogates among `available` lags one `stepBins`
 * apart when modes last `dwellBins` on average: lags closer than a dwell
 * give nearly the same label stream, so about span / dwell of them are
 * independent (at least 1 when any lag is available, at most `available`).
 */
export function effectiveSurrogates(available: number, stepBins: number, dwellBins: number): number {
  if (available === 0) return 0;
  const perDwell = Math.max(stepBins, dwellBins) / stepBins;
  return Math.max(1, Math.min(available, Math.floor(available / perDwell + 1e-9)));
}

/**
 * The p-value of an observation that `exceeding` of `available` surrogates
 * reached, with `effective` of them independent:
 * p = (1 + effective · exceeding / available) / (1 + effective). With
 * independent surrogates (effective = available) this is the usual
 * (1 + #) / (1 + M); with dependent ones it is as coarse as their number of
 * independent draws allows, never smaller than 1 / (1 + effective).
 */
export function surrogatePValue(exceeding: number, available: number, effective: number): number {
  if (available === 0) return 1;
  return (1 + (effective * exceeding) / available) / (1 + effective);
}
