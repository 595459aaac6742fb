import type { GroupMeasures } from '../measures/groupMeasures.ts';

/**
 * Plug-in GroupMeasures (bits) of k discrete units about the mode from a
 * dense count table `counts[m · words + w]`, w the group's word (unit 0 the
 * slowest digit, base `levels`), m the mode: the statistic the group
 * surrogates are compared on, computed with flat arrays and an n·log2 n
 * table instead of the library's JointTable (equal to the library's plug-in
 * value; test/groups/discreteGroupStatistics.test.ts).
 *
 * Entropies H = log2 N − (1/N) Σ n log2 n (SCIENCE.md); I(A;Y) = H(A) + H(Y) − H(A,Y).
 */
export class DiscreteGroupStatistics {
  readonly words: number;
  /** For each word, each unit's digit: digits[w · k + j]. */
  private readonly digits: Uint8Array;
  /** For each word and unit j, the code of the word without unit j (base levels, k − 1 digits). */
  private readonly without: Int32Array;
  private readonly subWords: number;
  private nLog2n = new Float64Array(1);
  private joint: Float64Array;
  private withoutTables: Float64Array;
  private singleTables: Float64Array;

  constructor(
    readonly k: number,
    readonly levels: number,
  ) {
    this.words = levels ** k;
    this.subWords = levels ** (k - 1);
    this.digits = new Uint8Array(this.words * k);
    this.without = new Int32Array(this.words * k);
    for (let w = 0; w < this.words; w++) {
      let rest = w;
      for (let j = k - 1; j >= 0; j--) {
        this.digits[w * k + j] = rest % levels;
        rest = Math.floor(rest / levels);
      }
      for (let j = 0; j < k; j++) {
        let code = 0;
        for (let i = 0; i < k; i++) if (i !== j) code = code * levels + this.digits[w * k + i];
        this.without[w * k + j] = code;
      }
    }
    this.joint = new Float64Array(0);
    this.withoutTables = new Float64Array(0);
    this.singleTables = new Float64Array(0);
  }

  /** Σ n log2 n of an entropy's cells, so H = log2 N − S / N. */
  private ensure(samples: number, modes: number): void {
    if (this.nLog2n.length <= samples) {
      const table = new Float64Array(Math.max(samples + 1, 2 * this.nLog2n.length));
      for (let n = 2; n < table.length; n++) table[n] = n * Math.log2(n);
      this.nLog2n = table;
    }
    const need = (modes + 1) * this.k * this.subWords;
    if (this.withoutTables.length < need) this.withoutTables = new Float64Array(need);
    if (this.singleTables.length < (modes + 1) * this.k * this.levels) this.singleTables = new Float64Array((modes + 1) * this.k * this.levels);
    if (this.joint.length < this.words) this.joint = new Float64Array(this.words);
  }

  /** Σ n log2 n and the occupied cells of `tables` tables of `size` cells, `stride` apart from `from`. */
  private tableEntropy(cells: Float64Array, from: number, size: number, tables: number, stride: number): { sum: number; occupied: number } {
    let sum = 0;
    let occupied = 0;
    for (let t = 0; t < tables; t++) {
      const base = from + t * stride;
      for (let c = 0; c < size; c++) {
        const n = cells[base + c];
        if (n === 0) continue;
        sum += this.sumLog(n);
        occupied++;
      }
    }
    return { sum, occupied };
  }

  private sumLog(n: number): number {
    return n < this.nLog2n.length ? this.nLog2n[n] : n * Math.log2(n);
  }

  /**
   * The plug-in GroupMeasures of `counts` (modes × words, mode-major, at
   * `offset`); `samples` is the table's total. Undefined when it is empty.
   * With `millerMadow`, every entropy gets (R − 1)/(2N ln 2), R its table's
   * occupied cells (SCIENCE.md), as the library's `miller-madow` source gives.
   */
  measures(counts: Int32Array | Float64Array, offset: number, modes: number, millerMadow = false): GroupMeasures | undefined {
    const { k, words, subWords, levels } = this;
    let total = 0;
    for (let c = 0; c < modes * words; c++) total += counts[offset + c];
    if (total === 0) return undefined;
    this.ensure(total, modes);
    const joint = this.joint;
    joint.fill(0, 0, words);
    // Slot m (< modes) holds the tables within mode m, slot `modes` the tables over all modes.
    const withoutTables = this.withoutTables;
    const singleTables = this.singleTables;
    withoutTables.fill(0, 0, (modes + 1) * k * subWords);
    singleTables.fill(0, 0, (modes + 1) * k * levels);
    let sumJointY = 0;
    let sumY = 0;
    let occupiedJointY = 0;
    let occupiedY = 0;
    const allSlot = modes;
    for (let m = 0; m < modes; m++) {
      let modeTotal = 0;
      const base = offset + m * words;
      for (let w = 0; w < words; w++) {
        const n = counts[base + w];
        if (n === 0) continue;
        modeTotal += n;
        joint[w] += n;
        sumJointY += this.sumLog(n);
        occupiedJointY++;
        for (let j = 0; j < k; j++) {
          withoutTables[(m * k + j) * subWords + this.without[w * k + j]] += n;
          withoutTables[(allSlot * k + j) * subWords + this.without[w * k + j]] += n;
          singleTables[(m * k + j) * levels + this.digits[w * k + j]] += n;
          singleTables[(allSlot * k + j) * levels + this.digits[w * k + j]] += n;
        }
      }
      sumY += this.sumLog(modeTotal);
      if (modeTotal > 0) occupiedY++;
    }
    const log2N = Math.log2(total);
    const correction = millerMadow ? 1 / (2 * total * Math.LN2) : 0;
    const entropy = (sum: number, occupied: number) => log2N - sum / total + (occupied - 1) * correction;
    let sumJoint = 0;
    let occupiedJoint = 0;
    for (let w = 0; w < words; w++) {
      if (joint[w] === 0) continue;
      sumJoint += this.sumLog(joint[w]);
      occupiedJoint++;
    }
    const hS = entropy(sumJoint, occupiedJoint);
    const hY = entropy(sumY, occupiedY);
    const hSY = entropy(sumJointY, occupiedJointY);
    const informationS = hS + hY - hSY;
    let sumSingleEntropy = 0;
    let sumWithoutEntropy = 0;
    let sumSingleInformation = 0;
    let sumWithoutInformation = 0;
    for (let j = 0; j < k; j++) {
      const without = this.tableEntropy(withoutTables, (allSlot * k + j) * subWords, subWords, 1, 0);
      const withoutY = this.tableEntropy(withoutTables, j * subWords, subWords, modes, k * subWords);
      const single = this.tableEntropy(singleTables, (allSlot * k + j) * levels, levels, 1, 0);
      const singleY = this.tableEntropy(singleTables, j * levels, levels, modes, k * levels);
      const hWithout = entropy(without.sum, without.occupied);
      const hSingle = entropy(single.sum, single.occupied);
      sumSingleEntropy += hSingle;
      sumWithoutEntropy += hWithout;
      sumSingleInformation += hSingle + hY - entropy(singleY.sum, singleY.occupied);
      sumWithoutInformation += hWithout + hY - entropy(withoutY.sum, withoutY.occupied);
    }
    const tc = sumSingleEntropy - hS;
    const dtc = sumWithoutEntropy - (k - 1) * hS;
    return {
      oinfo: tc - dtc,
      tc,
      dtc,
      sinfo: tc + dtc,
      synergy: informationS - sumSingleInformation,
      doinfo_y: sumWithoutInformation - (k - 1) * informationS,
    };
  }
}
