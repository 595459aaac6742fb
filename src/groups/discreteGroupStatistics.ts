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

  private sumLog(n: number): number {
    return n < this.nLog2n.length ? this.nLog2n[n] : n * Math.log2(n);
  }

  /**
   * The plug-in GroupMeasures of `counts` (modes × words, mode-major, at
   * `offset`); `samples` is the table's total. Undefined when it is empty.
   */
  measures(counts: Int32Array | Float64Array, offset: number, modes: number): GroupMeasures | undefined {
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
        for (let j = 0; j < k; j++) {
          withoutTables[(m * k + j) * subWords + this.without[w * k + j]] += n;
          withoutTables[(allSlot * k + j) * subWords + this.without[w * k + j]] += n;
          singleTables[(m * k + j) * levels + this.digits[w * k + j]] += n;
          singleTables[(allSlot * k + j) * levels + this.digits[w * k + j]] += n;
        }
      }
      sumY += this.sumLog(modeTotal);
    }
    const log2N = Math.log2(total);
    const entropy = (sum: number) => log2N - sum / total;
    let sumJoint = 0;
    for (let w = 0; w < words; w++) sumJoint += this.sumLog(joint[w]);
    const hS = entropy(sumJoint);
    const hY = entropy(sumY);
    const hSY = entropy(sumJointY);
    const informationS = hS + hY - hSY;
    let sumSingleEntropy = 0;
    let sumWithoutEntropy = 0;
    let sumSingleInformation = 0;
    let sumWithoutInformation = 0;
    for (let j = 0; j < k; j++) {
      let sumWithout = 0;
      let sumWithoutY = 0;
      for (let c = 0; c < subWords; c++) sumWithout += this.sumLog(withoutTables[(allSlot * k + j) * subWords + c]);
      for (let m = 0; m < modes; m++) for (let c = 0; c < subWords; c++) sumWithoutY += this.sumLog(withoutTables[(m * k + j) * subWords + c]);
      let sumSingle = 0;
      let sumSingleY = 0;
      for (let a = 0; a < levels; a++) sumSingle += this.sumLog(singleTables[(allSlot * k + j) * levels + a]);
      for (let m = 0; m < modes; m++) for (let a = 0; a < levels; a++) sumSingleY += this.sumLog(singleTables[(m * k + j) * levels + a]);
      const hWithout = entropy(sumWithout);
      const hSingle = entropy(sumSingle);
      sumSingleEntropy += hSingle;
      sumWithoutEntropy += hWithout;
      sumSingleInformation += hSingle + hY - entropy(sumSingleY);
      sumWithoutInformation += hWithout + hY - entropy(sumWithoutY);
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
