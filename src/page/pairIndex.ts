/**
 * The pair order of a matrix frame (the page contract): pairs (i, j), i < j,
 * over the frame's units in canonical order, row by row, so that row i holds
 * U − i − 1 pairs and begins at i(2U − i − 1)/2.
 */

/** Pairs among `units` units: U(U − 1)/2. */
export function pairCount(units: number): number {
  return (units * (units - 1)) / 2;
}

/** The index of pair (i, j) (either order, i ≠ j) among `units` units: i(2U − i − 1)/2 + (j − i − 1) with i < j. */
export function pairIndex(i: number, j: number, units: number): number {
  if (i > j) [i, j] = [j, i];
  return (i * (2 * units - i - 1)) / 2 + (j - i - 1);
}

/** The first index of each row: `rowStarts[i]` = pairIndex(i, i + 1), with `rowStarts[U − 1]` = P. */
export function rowStarts(units: number): Float64Array {
  const starts = new Float64Array(Math.max(units, 1));
  for (let i = 0; i < units; i++) starts[i] = (i * (2 * units - i - 1)) / 2;
  return starts;
}

/** The pair (i, j) of an index, by a binary search over the row starts. */
export function pairOfIndex(index: number, starts: Float64Array): [number, number] {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= index) low = middle;
    else high = middle - 1;
  }
  return [low, low + 1 + (index - starts[low])];
}
