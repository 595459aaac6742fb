/**
 * The significance read-out of pairs at levels = 3, in plain JavaScript: the
 * reference that the WebAssembly kernel (wasm/assembly/significanceKernel.ts)
 * mirrors operation for operation, so that both give the same bits
 * (test/engine/significanceKernel.test.ts). Layouts as in LaggedPairTables;
 * f[n] = n log2 n.
 */

/** What the read-out of all pairs produces, per pair index j(j−1)/2 + i − firstPair (PairRowsShape), and per surrogate. */
export interface ReadOutResult {
  /** The plug-in synergy under the real alignment, bits. */
  statistic: Float64Array;
  /** It minus its mean over the real alignment and the surrogates (0 without surrogates). */
  excess: Float64Array;
  /** Surrogates at least as far from that mean as the real alignment (less 1e-12 bits). */
  beyond: Uint32Array;
  /** Per surrogate, the largest distance from the mean over all pairs (start at −Infinity). */
  maxima: Float64Array;
}

/** The shape of the tables and of the read-out. */
export interface PairRowsShape {
  perPair: number;
  perUnit: number;
  /** modes × alignments of the tables. */
  mK: number;
  /** Alignments of the tables. */
  K: number;
  /** Modes read (≤ the tables' modes). */
  modes: number;
  /** Alignments read: the real one and the available surrogates. */
  count: number;
  /** Every bin of the window labeled under every alignment read. */
  allLabeled: boolean;
  /** Surrogates available (count − 1). */
  available: number;
  /** The first pair the tables hold (a tile's band of rows; 0: all pairs): pair p is at index p − firstPair. */
  firstPair: number;
}

/** Slack for ties: surrogates within 1e-12 bits of the observation count as reaching it. */
export const TIE_BITS = 1e-12;

/**
 * The pair's values under every alignment, `values[k]`, centred on their
 * mean (a symmetric function of all of them, so that under the null the
 * real alignment is exchangeable with the surrogates): its statistic,
 * excess and `beyond` count, and the surrogates' maxima.
 */
export function finishPair(index: number, values: Float64Array, count: number, available: number, out: ReadOutResult): void {
  let sum = 0;
  for (let v = 0; v < count; v++) sum += values[v];
  const mean = sum / count;
  const observed = values[0] - mean;
  out.statistic[index] = values[0];
  out.excess[index] = available === 0 ? 0 : observed;
  const reach = Math.abs(observed) - TIE_BITS;
  const maxima = out.maxima;
  let atLeast = 0;
  for (let v = 1; v < count; v++) {
    const distance = Math.abs(values[v] - mean);
    if (distance > maxima[v - 1]) maxima[v - 1] = distance;
    if (distance >= reach) atLeast++;
  }
  out.beyond[index] = atLeast;
}

/**
 * Rows jFrom … jTo − 1 (every pair i < j of them), levels = 3: per mode and
 * alignment the nine cells of the pair's table (four stored, the rest from
 * the unit and mode counts), Σ f(n_abm) − Σ f(n_ab), and finishPair.
 * When every bin is labeled under every alignment, Σ f(n_ab) is the same
 * under all of them and is read once, from alignment 0; and when no bin has
 * both units at the top level there (n_22 = 0 over the window, so under
 * every alignment), that cell is not read.
 */
export function pairRowsJs(
  cells: Uint16Array | Int32Array,
  jFrom: number,
  jTo: number,
  shape: PairRowsShape,
  f: Float64Array,
  unitCounts: Int32Array,
  modeCounts: Int32Array,
  fired: Int32Array,
  unitTerms: Float64Array,
  constant: Float64Array,
  total: Float64Array,
  out: ReadOutResult,
  scratch: { sums: Float64Array; values: Float64Array; joint: Int32Array },
): void {
  const { perPair, perUnit, mK, K, modes, count, allLabeled, available, firstPair } = shape;
  const { sums, values, joint } = scratch;
  for (let j = jFrom; j < jTo; j++) {
    const unitJ = j * perUnit;
    const firedJ = j * modes * count;
    for (let i = 0; i < j; i++) {
      const index = (j * (j - 1)) / 2 + i - firstPair;
      const pairBase = index * perPair;
      const unitI = i * perUnit;
      const firedI = i * modes * count;
      sums.fill(0, 0, count);
      if (allLabeled) {
        // The pair's table over the window, from alignment 0.
        let j11 = 0;
        let j12 = 0;
        let j21 = 0;
        let j22 = 0;
        let jI1 = 0;
        let jI2 = 0;
        let jJ1 = 0;
        let jJ2 = 0;
        let jNone = 0;
        for (let m = 0; m < modes; m++) {
          const base = pairBase + m * K;
          j11 += cells[base];
          j12 += cells[base + mK];
          j21 += cells[base + 2 * mK];
          j22 += cells[base + 3 * mK];
          jI1 += unitCounts[unitI + m * K];
          jI2 += unitCounts[unitI + mK + m * K];
          jJ1 += unitCounts[unitJ + m * K];
          jJ2 += unitCounts[unitJ + mK + m * K];
          jNone += modeCounts[m * K] - fired[firedI + m * count] - fired[firedJ + m * count];
        }
        jNone += j11 + j12 + j21 + j22;
        jI1 -= j11 + j12;
        jI2 -= j21 + j22;
        jJ1 -= j11 + j21;
        jJ2 -= j12 + j22;
        const jointTerm = f[jNone] + f[jJ1] + f[jJ2] + f[jI1] + f[j11] + f[j12] + f[jI2] + f[j21] + f[j22];
        for (let m = 0; m < modes; m++) {
          const base = pairBase + m * K;
          const baseI = unitI + m * K;
          const baseJ = unitJ + m * K;
          const firedIm = firedI + m * count;
          const firedJm = firedJ + m * count;
          const modeBase = m * K;
          if (j22 === 0) {
            for (let k = 0; k < count; k++) {
              const c11 = cells[base + k];
              const c12 = cells[base + mK + k];
              const c21 = cells[base + 2 * mK + k];
              sums[k] +=
                f[c11] +
                f[c12] +
                f[c21] +
                f[unitCounts[baseI + k] - c11 - c12] +
                f[unitCounts[baseI + mK + k] - c21] +
                f[unitCounts[baseJ + k] - c11 - c21] +
                f[unitCounts[baseJ + mK + k] - c12] +
                f[modeCounts[modeBase + k] - fired[firedIm + k] - fired[firedJm + k] + c11 + c12 + c21];
            }
          } else {
            for (let k = 0; k < count; k++) {
              const c11 = cells[base + k];
              const c12 = cells[base + mK + k];
              const c21 = cells[base + 2 * mK + k];
              const c22 = cells[base + 3 * mK + k];
              sums[k] +=
                f[c11] +
                f[c12] +
                f[c21] +
                f[c22] +
                f[unitCounts[baseI + k] - c11 - c12] +
                f[unitCounts[baseI + mK + k] - c21 - c22] +
                f[unitCounts[baseJ + k] - c11 - c21] +
                f[unitCounts[baseJ + mK + k] - c12 - c22] +
                f[modeCounts[modeBase + k] - fired[firedIm + k] - fired[firedJm + k] + c11 + c12 + c21 + c22];
            }
          }
        }
        for (let k = 0; k < count; k++) values[k] = (sums[k] - jointTerm + unitTerms[i * count + k] + unitTerms[j * count + k] + constant[k]) / total[k];
      } else {
        // Some bin unlabeled under some alignment: Σ f(n_ab) alignment by alignment.
        joint.fill(0, 0, 9 * count);
        for (let m = 0; m < modes; m++) {
          const base = pairBase + m * K;
          const baseI = unitI + m * K;
          const baseJ = unitJ + m * K;
          const firedIm = firedI + m * count;
          const firedJm = firedJ + m * count;
          const modeBase = m * K;
          for (let k = 0; k < count; k++) {
            const c11 = cells[base + k];
            const c12 = cells[base + mK + k];
            const c21 = cells[base + 2 * mK + k];
            const c22 = cells[base + 3 * mK + k];
            const i1 = unitCounts[baseI + k] - c11 - c12;
            const i2 = unitCounts[baseI + mK + k] - c21 - c22;
            const b1 = unitCounts[baseJ + k] - c11 - c21;
            const b2 = unitCounts[baseJ + mK + k] - c12 - c22;
            const none = modeCounts[modeBase + k] - fired[firedIm + k] - fired[firedJm + k] + c11 + c12 + c21 + c22;
            sums[k] += f[c11] + f[c12] + f[c21] + f[c22] + f[i1] + f[i2] + f[b1] + f[b2] + f[none];
            const cell = 9 * k;
            joint[cell] += none;
            joint[cell + 1] += b1;
            joint[cell + 2] += b2;
            joint[cell + 3] += i1;
            joint[cell + 4] += c11;
            joint[cell + 5] += c12;
            joint[cell + 6] += i2;
            joint[cell + 7] += c21;
            joint[cell + 8] += c22;
          }
        }
        for (let k = 0; k < count; k++) {
          const n = total[k];
          if (n === 0) {
            values[k] = 0;
            continue;
          }
          const cell = 9 * k;
          const sum =
            sums[k] -
            (f[joint[cell]] + f[joint[cell + 1]] + f[joint[cell + 2]] + f[joint[cell + 3]] + f[joint[cell + 4]] + f[joint[cell + 5]] + f[joint[cell + 6]] + f[joint[cell + 7]] + f[joint[cell + 8]]);
          values[k] = (sum + unitTerms[i * count + k] + unitTerms[j * count + k] + constant[k]) / n;
        }
      }
      finishPair(index, values, count, available, out);
    }
  }
}
