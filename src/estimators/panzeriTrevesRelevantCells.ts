/**
 * Bayesian estimate of the number of relevant cells R of a response table
 * (Panzeri & Treves 1996, Network 7:87–107), as implemented in pyentropy's
 * `pt_bayescount` and the Information Breakdown ToolBox.
 *
 * With R_seen occupied cells out of an alphabet of D and N samples: if every
 * cell is seen, R = R_seen. Otherwise candidate counts x = 0, 1, 2, … of
 * unseen-but-relevant cells are scored by how well they predict the number of
 * occupied cells. For x = 0, E_0 = Σ_seen (1 − (1 − n/N)^N); for x ≥ 1,
 * γ = x·(1 − (N/(N + R_seen))^(1/N)), each seen cell gets probability
 * P = (1 − γ)(n + 1)/(N + R_seen), each of the x unseen cells γ/x, and
 * E_x = Σ_cells (1 − (1 − P)^N). The scan goes upward while |R_seen − E_x|
 * keeps decreasing and R_seen + x ≤ D; R = R_seen + the best x.
 *
 * Example: counts [5, 3] in an alphabet of 3 (N = 8) give R = 2
 * (E_0 ≈ 1.90 is already closer to 2 than E_1).
 */
export function panzeriTrevesRelevantCells(counts: ArrayLike<number>, alphabetSize: number): number {
  let seen = 0;
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      seen++;
      total += counts[i];
    }
  }
  if (seen >= alphabetSize || total === 0) return seen;

  let expected = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) expected += 1 - Math.pow(1 - counts[i] / total, total);
  }
  let previousDistance = Infinity;
  let distance = Math.abs(seen - expected);
  let extra = 0;
  const gammaPerCell = 1 - Math.pow(total / (total + seen), 1 / total);
  while (distance < previousDistance && seen + extra < alphabetSize) {
    extra++;
    const gamma = extra * gammaPerCell;
    expected = 0;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        const p = ((1 - gamma) * (counts[i] + 1)) / (total + seen);
        expected += 1 - Math.pow(1 - p, total);
      }
    }
    expected += extra * (1 - Math.pow(1 - gamma / extra, total));
    previousDistance = distance;
    distance = Math.abs(seen - expected);
  }
  // The loop stops one step past the best x, unless it ran into the alphabet size
  // while still improving.
  return distance < previousDistance ? seen + extra : seen + extra - 1;
}
