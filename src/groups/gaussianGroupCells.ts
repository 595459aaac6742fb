import { normalQuantile } from '../math/normalQuantile.ts';
import type { SampleCovariance } from '../measures/gaussian/gaussianGroupMeasures.ts';

/**
 * The count cells from which a group's Gaussian-copula covariances are
 * built, kept incrementally as bins enter and leave the window.
 *
 * For k units with symbols 0 … levels − 1 (s = levels − 1 non-zero ones) a
 * table set holds, per mode m: N_m, each unit's count of each non-zero
 * symbol, and each pair's count of each pair of non-zero symbols —
 * [m][1 + k·s + P·s²] Int32, P = k(k−1)/2. Silent bins touch nothing but N_m,
 * so a bin costs (active units)² / 2, not k².
 *
 * With the copula scores z_u[a] of each symbol (the normal score of its
 * mid-rank, as copulaNormalize gives tied samples), every sum the covariance
 * needs follows from the cells: writing d_u[a] = z_u[a] − z_u[0],
 * Σ_t z_p z_q = z_p[0]·S_q + z_q[0]·S_p − N·z_p[0]·z_q[0] + Σ_{a,b≥1} n_pq(a,b)·d_p[a]·d_q[b],
 * S_u = Σ_a n_u(a)·z_u[a]. So each hop's covariance costs P·s² per mode,
 * whatever the window's length, and equals the batch covariance of the
 * copula-normalized samples (copulaGroupMeasures) to rounding.
 */
export class GaussianGroupCells {
  readonly symbols: number;
  readonly pairs: number;
  /** Int32 values per mode in a table set. */
  readonly modeStride: number;
  private readonly unitBase = 1;
  private readonly pairBase: number;
  /** pairIndex[p · k + q] for p < q. */
  private readonly pairIndex: Int32Array;

  constructor(
    readonly k: number,
    readonly levels: number,
  ) {
    this.symbols = levels - 1;
    this.pairs = (k * (k - 1)) / 2;
    this.pairBase = 1 + k * this.symbols;
    this.modeStride = this.pairBase + this.pairs * this.symbols * this.symbols;
    this.pairIndex = new Int32Array(k * k).fill(-1);
    let index = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) this.pairIndex[p * k + q] = index++;
  }

  /**
   * One sample of mode `mode` enters (+1) or leaves (−1) the table set at
   * `base`: its non-zero units are positions[0 … count) (ascending) with
   * symbols[…] ≥ 1.
   */
  add(table: Int32Array, base: number, mode: number, positions: Int32Array, symbols: Uint8Array, count: number, delta: number): void {
    const s = this.symbols;
    const at = base + mode * this.modeStride;
    table[at] += delta;
    const k = this.k;
    for (let x = 0; x < count; x++) {
      const p = positions[x];
      const a = symbols[x] - 1;
      table[at + this.unitBase + p * s + a] += delta;
      for (let y = x + 1; y < count; y++) {
        const q = positions[y];
        table[at + this.pairBase + this.pairIndex[p * k + q] * s * s + a * s + symbols[y] - 1] += delta;
      }
    }
  }

  /** Samples of the table set (over `modes` modes). */
  samples(table: Int32Array, base: number, modes: number): number {
    let n = 0;
    for (let m = 0; m < modes; m++) n += table[base + m * this.modeStride];
    return n;
  }

  /**
   * Each unit's count of each symbol over all modes: out[u · levels + a].
   */
  marginals(table: Int32Array, base: number, modes: number, out: Float64Array): void {
    const { k, levels, symbols: s } = this;
    out.fill(0, 0, k * levels);
    for (let m = 0; m < modes; m++) {
      const at = base + m * this.modeStride;
      const n = table[at];
      for (let u = 0; u < k; u++) {
        let fired = 0;
        for (let a = 1; a <= s; a++) {
          const c = table[at + this.unitBase + u * s + a - 1];
          out[u * levels + a] += c;
          fired += c;
        }
        out[u * levels] += n - fired;
      }
    }
  }

  /**
   * The copula scores of each unit's symbols from its counts (`marginals`):
   * z_u[a] = Φ⁻¹(r̄ / (N + 1)), r̄ the mid-rank a tied run of symbol a takes
   * among N samples (copulaNormalize). Symbols that never occur get 0
   * (unused). Returns the units whose samples are not all one symbol.
   */
  scores(marginals: Float64Array, out: Float64Array): boolean[] {
    const { k, levels } = this;
    const varying: boolean[] = [];
    for (let u = 0; u < k; u++) {
      let n = 0;
      let present = 0;
      for (let a = 0; a < levels; a++) {
        n += marginals[u * levels + a];
        if (marginals[u * levels + a] > 0) present++;
      }
      let below = 0;
      for (let a = 0; a < levels; a++) {
        const c = marginals[u * levels + a];
        out[u * levels + a] = c > 0 ? normalQuantile((below + (c + 1) / 2) / (n + 1)) : 0;
        below += c;
      }
      varying.push(present > 1);
    }
    return varying;
  }

  private readonly scratchArrays: Float64Array[] = [];

  /** Scratch array `index` of at least `size` values (kept between calls). */
  private scratch(index: number, size: number): Float64Array {
    if (this.scratchArrays[index] === undefined || this.scratchArrays[index].length < size) this.scratchArrays[index] = new Float64Array(size);
    return this.scratchArrays[index];
  }

  /** The within-mode covariances of `covariances` alone (a label surrogate's statistic needs no overall one). */
  classCovariances(table: Int32Array, base: number, modes: number, scores: Float64Array, chosen: readonly number[]): SampleCovariance[] {
    return this.covariances(table, base, modes, scores, chosen, false).classes;
  }

  /**
   * The covariances of the copula scores over the units `chosen` (positions,
   * ascending): over all samples of the table set, and within each mode
   * (class means removed; modes with fewer than 2 samples left out of the
   * classes). Normalized by N − 1, as sampleCovariance.
   */
  covariances(
    table: Int32Array,
    base: number,
    modes: number,
    scores: Float64Array,
    chosen: readonly number[],
    withTotal = true,
  ): { total: SampleCovariance; classes: SampleCovariance[] } {
    const { k, levels, symbols: s } = this;
    const c = chosen.length;
    const totalFirst = new Float64Array(c);
    const totalSecond = new Float64Array(c * c);
    let totalSamples = 0;
    const classes: SampleCovariance[] = [];
    const first = new Float64Array(c);
    const second = new Float64Array(c * c);
    for (let m = 0; m < modes; m++) {
      const at = base + m * this.modeStride;
      const n = table[at];
      if (n === 0) continue;
      for (let x = 0; x < c; x++) {
        const u = chosen[x];
        let fired = 0;
        let sum = 0;
        let squares = 0;
        for (let a = 1; a <= s; a++) {
          const count = table[at + this.unitBase + u * s + a - 1];
          const z = scores[u * levels + a];
          fired += count;
          sum += count * z;
          squares += count * z * z;
        }
        const z0 = scores[u * levels];
        sum += (n - fired) * z0;
        squares += (n - fired) * z0 * z0;
        first[x] = sum;
        second[x * c + x] = squares;
      }
      if (s === 2) {
        // Three levels (the default): the four cells of a pair unrolled, each unit's score steps precomputed.
        const d1 = this.scratch(0, c);
        const d2 = this.scratch(1, c);
        const z0 = this.scratch(2, c);
        for (let x = 0; x < c; x++) {
          const u = chosen[x];
          z0[x] = scores[u * levels];
          d1[x] = scores[u * levels + 1] - z0[x];
          d2[x] = scores[u * levels + 2] - z0[x];
        }
        const pairBase = at + this.pairBase;
        for (let x = 0; x < c; x++) {
          const p = chosen[x];
          const rowP = p * k;
          for (let y = x + 1; y < c; y++) {
            const cells = pairBase + this.pairIndex[rowP + chosen[y]] * 4;
            const cross = d1[x] * (table[cells] * d1[y] + table[cells + 1] * d2[y]) + d2[x] * (table[cells + 2] * d1[y] + table[cells + 3] * d2[y]);
            second[x * c + y] = second[y * c + x] = z0[x] * first[y] + z0[y] * first[x] - n * z0[x] * z0[y] + cross;
          }
        }
      } else for (let x = 0; x < c; x++) {
        const p = chosen[x];
        const zp0 = scores[p * levels];
        for (let y = x + 1; y < c; y++) {
          const q = chosen[y];
          const zq0 = scores[q * levels];
          const cells = at + this.pairBase + this.pairIndex[p * k + q] * s * s;
          let cross = 0;
          for (let a = 1; a <= s; a++) {
            const dp = scores[p * levels + a] - zp0;
            for (let b = 1; b <= s; b++) {
              const count = table[cells + (a - 1) * s + b - 1];
              if (count !== 0) cross += count * dp * (scores[q * levels + b] - zq0);
            }
          }
          second[x * c + y] = second[y * c + x] = zp0 * first[y] + zq0 * first[x] - n * zp0 * zq0 + cross;
        }
      }
      totalSamples += n;
      if (withTotal) {
        for (let x = 0; x < c; x++) totalFirst[x] += first[x];
        for (let e = 0; e < c * c; e++) totalSecond[e] += second[e];
      }
      if (n >= 2) classes.push({ matrix: covarianceFromSums(first, second, n, c), samples: n });
    }
    const total = withTotal ? covarianceFromSums(totalFirst, totalSecond, totalSamples, c) : new Float64Array(0);
    return { total: { matrix: total, samples: totalSamples }, classes };
  }
}

function covarianceFromSums(first: Float64Array, second: Float64Array, n: number, c: number): Float64Array {
  const matrix = new Float64Array(c * c);
  for (let x = 0; x < c; x++) {
    for (let y = 0; y <= x; y++) {
      matrix[x * c + y] = matrix[y * c + x] = (second[x * c + y] - (first[x] * first[y]) / n) / (n - 1);
    }
  }
  return matrix;
}
