/**
 * Plug-in entropy of a table of counts, in bits:
 * H = log2 N − (1/N) Σ n log2 n (SCIENCE.md, "Entropies from counts").
 */
export function pluginEntropyFromCounts(counts: Iterable<number>): number {
  let total = 0;
  let sumNLogN = 0;
  for (const n of counts) {
    if (n > 0) {
      total += n;
      sumNLogN += n * Math.log2(n);
    }
  }
  return total === 0 ? 0 : Math.log2(total) - sumNLogN / total;
}

/** Number of occupied cells and samples of a table of counts. */
export function occupancy(counts: Iterable<number>): { occupied: number; total: number } {
  let occupied = 0;
  let total = 0;
  for (const n of counts) {
    if (n > 0) {
      occupied++;
      total += n;
    }
  }
  return { occupied, total };
}

/** The first-order bias term (R − 1)/(2N ln 2) of Miller (1955) and Panzeri & Treves (1996), in bits. */
export function firstOrderBias(relevantCells: number, samples: number): number {
  return samples === 0 ? 0 : (relevantCells - 1) / (2 * samples * Math.LN2);
}
