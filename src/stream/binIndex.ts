/**
 * Bin k covers [k·bin, (k+1)·bin); a time on a boundary belongs to the later
 * bin. Boundaries are compared with a tolerance of 1e-9 bin so that decimal
 * times land where a person expects: 4397.1 s with 0.1 s bins opens bin
 * 43971, although 4397.1/0.1 is 43970.99999999999 in floating point
 * (DESIGN §3).
 */
export const BIN_TOLERANCE = 1e-9;

/**
 * The latest time any event may have: 2^32 s, about 136 years. Seconds from
 * the Unix epoch still fit (a rig clock that counts from 1970); anything
 * later is a corrupt value, not a recording. Readers refuse or drop such
 * times, and the binner counts them as invalid, so that no time span is ever
 * sized from a garbage number.
 */
export const MAX_EVENT_SECONDS = 2 ** 32;

/** Whether `t` is an event time the analysis takes: finite, ≥ 0 and ≤ MAX_EVENT_SECONDS (NaN is not). */
export function isValidEventTime(t: number): boolean {
  return t >= 0 && t <= MAX_EVENT_SECONDS;
}

/** The bin holding time `t`. */
export function binOf(t: number, binSeconds: number): number {
  return Math.floor(t / binSeconds + BIN_TOLERANCE);
}

/** How many whole bins make `seconds`; throws if it is not a whole multiple. */
export function wholeBins(seconds: number, binSeconds: number, name: string): number {
  const bins = Math.round(seconds / binSeconds);
  if (bins < 1 || Math.abs(bins * binSeconds - seconds) > BIN_TOLERANCE * binSeconds * Math.max(1, bins)) {
    throw new RangeError(`${name} (${seconds} s) must be a whole multiple of the bin (${binSeconds} s)`);
  }
  return bins;
}
