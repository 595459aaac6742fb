/**
 * Benjamini–Hochberg (1995) step-up adjusted p-values (q): the false
 * discovery rate at which each hypothesis would just be rejected. With m
 * p-values sorted p_(1) ≤ … ≤ p_(m), q_(r) = min over r' ≥ r of
 * min(1, p_(r') · m / r'); the hypotheses with q ≤ alpha are the
 * discoveries at FDR alpha (valid under independence and under positive
 * regression dependence).
 */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const m = p.length;
  const order = Array.from({ length: m }, (_, k) => k).sort((x, y) => p[x] - p[y]);
  const q = new Float64Array(m);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const index = order[r - 1];
    running = Math.min(running, (p[index] * m) / r);
    q[index] = running;
  }
  return q;
}

/**
 * The same for p-values that take few distinct values, given as how many
 * hypotheses sit at each level: `counts[c]` hypotheses have p = `pOfLevel(c)`,
 * p rising with c. Returns q per level (ties share the rank of the last of
 * them, as the step-up rule does). A counting sort: O(levels), whatever m.
 */
export function benjaminiHochbergLevels(counts: ArrayLike<number>, pOfLevel: (level: number) => number): Float64Array {
  const levels = counts.length;
  let m = 0;
  for (let c = 0; c < levels; c++) m += counts[c];
  const q = new Float64Array(levels).fill(1);
  let rank = m;
  let running = 1;
  for (let c = levels - 1; c >= 0; c--) {
    if (counts[c] > 0) running = Math.min(running, (pOfLevel(c) * m) / rank);
    q[c] = running;
    rank -= counts[c];
  }
  return q;
}
