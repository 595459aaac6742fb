/** Pairs among `units` units (rows 0 … units − 1 of the pair triangle): pair (i, j), i < j, has index j(j−1)/2 + i. */
export function pairsBelow(units: number): number {
  return (units * (units - 1)) / 2;
}
