import type { DiscreteSamples } from '../measures/discreteSamples.ts';
import type { JointTable } from '../measures/jointTable.ts';
import { SeededRandom } from '../math/seededRandom.ts';
import { BiasCorrectedSource } from './biasCorrectedSource.ts';

/**
 * The shuffle estimator (Montemurro, Senatore & Panzeri 2007, Neural Comput
 * 19:2913–2957) for the information a multi-unit response R carries about S:
 *   I_sh = H(R) − H_ind(R|S) + H_sh(R|S) − H(R|S),
 * with H_ind(R|S) = Σ_c H(R_c|S) and H_sh(R|S) the conditional entropy of
 * responses whose units were shuffled independently among the samples of the
 * same S. The shuffle removes within-mode correlations, so H_sh − H_ind
 * cancels most of the bias of H(R|S) while keeping the units' tuning. Every
 * entropy term is itself corrected with Panzeri–Treves, and so is every other
 * term a measure asks for (single-unit informations, entropies, TC, …).
 *
 * By default the shuffle is drawn from the per-mode counts alone, with a
 * generator seeded by `seed`, the variables involved and the mode's count
 * profile: the result is reproducible and depends neither on the order of the
 * samples nor on the names of symbols and modes.
 *
 * Or the caller gives the pairing (`partner`, a permutation of the samples
 * within each value of S): unit c of R is read `c` partner steps away,
 * word(s) = (x_0[s], x_1[partner(s)], x_2[partner(partner(s))], …). The
 * streaming engine pairs each bin with the next bin of its mode in a random
 * cyclic order (withinModeCycles.ts) and the batch readout passes that σ here.
 */
export interface ShufflePairing {
  /** partner[s]: the sample whose next unit is read with sample s. */
  partner: Int32Array;
  /** The samples the partners index. */
  samples: DiscreteSamples;
}

export class ShuffleSource extends BiasCorrectedSource {
  constructor(
    table: JointTable,
    readonly seed: number,
    /** A given within-mode pairing; without one, a seeded random permutation per unit. */
    readonly pairing?: ShufflePairing,
  ) {
    super(table, 'panzeri-treves');
    if (pairing !== undefined) checkPermutation(pairing);
  }

  override mutualInformation(a: readonly number[], b: readonly number[]): number {
    if (a.length < 2 || b.length === 0) return super.mutualInformation(a, b);
    let independentConditional = 0;
    for (const c of a) independentConditional += this.conditionalEntropy([c], b);
    return (
      this.entropy(a) -
      independentConditional +
      this.shuffledConditionalEntropy(a, b) -
      this.conditionalEntropy(a, b)
    );
  }

  /** H_sh(R|S): Panzeri–Treves-corrected entropy of within-mode shuffled responses. */
  shuffledConditionalEntropy(responses: readonly number[], given: readonly number[]): number {
    const table = this.table;
    if (table.total === 0) return 0;
    if (this.pairing !== undefined) return this.pairedConditionalEntropy(responses, given, this.pairing);
    const alphabetSize = table.alphabetOf(responses);
    const perUnit = responses.map((c) => table.conditional([c], given));
    let h = 0;
    for (const [g, groupTotal] of table.marginal(given)) {
      // Each unit's symbols within this mode, laid out by decreasing count. The layout
      // and the generator's stream depend only on the counts, never on what the symbols
      // or modes are called, so renaming symbols and reordering samples leave I_sh
      // unchanged for a seed (tied counts swap blocks of equal size: the same table up
      // to renaming).
      const blocks = perUnit.map((byGroup) =>
        [...(byGroup.get(g) ?? new Map<number, number>()).entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]),
      );
      const profile = blocks.map((unit) => unit.map(([, n]) => n).join('.')).join('|');
      const random = new SeededRandom(this.seed, `shuffle:${responses.join(',')}|${given.join(',')}|${profile}`);
      const symbolLists = blocks.map((unit, i) => {
        const symbols = new Int32Array(groupTotal);
        let k = 0;
        for (const [symbol, n] of unit) symbols.fill(symbol, k, (k += n));
        return i === 0 ? symbols : random.shuffle(symbols);
      });
      const words = new Map<number, number>();
      for (let s = 0; s < groupTotal; s++) {
        let code = 0;
        for (let i = 0; i < responses.length; i++) code = code * table.alphabet[responses[i]] + symbolLists[i][s];
        words.set(code, (words.get(code) ?? 0) + 1);
      }
      h += (groupTotal / table.total) * this.correctedEntropyOf([...words.values()], alphabetSize);
    }
    return h;
  }

  /** H_sh(R|S) with the given pairing: within each value of S, word(s) reads unit c at partner^c(s). */
  private pairedConditionalEntropy(responses: readonly number[], given: readonly number[], pairing: ShufflePairing): number {
    const table = this.table;
    const { columns } = pairing.samples;
    const { partner } = pairing;
    const n = partner.length;
    const groupOf = new Int32Array(n);
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      let g = 0;
      for (const v of given) g = g * table.alphabet[v] + columns[v][i];
      groupOf[i] = g;
      let group = groups.get(g);
      if (group === undefined) {
        group = [];
        groups.set(g, group);
      }
      group.push(i);
    }
    for (let i = 0; i < n; i++) {
      if (groupOf[partner[i]] !== groupOf[i]) {
        throw new RangeError(`the shuffle pairs sample ${i} with sample ${partner[i]}, of another value of the condition`);
      }
    }
    const alphabetSize = table.alphabetOf(responses);
    let h = 0;
    for (const group of groups.values()) {
      const words = new Map<number, number>();
      for (const s of group) {
        let code = 0;
        let at = s;
        for (const v of responses) {
          code = code * table.alphabet[v] + columns[v][at];
          at = partner[at];
        }
        words.set(code, (words.get(code) ?? 0) + 1);
      }
      h += (group.length / table.total) * this.correctedEntropyOf([...words.values()], alphabetSize);
    }
    return h;
  }
}

/** A pairing must be a permutation of the samples it indexes. */
function checkPermutation({ partner, samples }: ShufflePairing): void {
  const n = samples.columns.length === 0 ? 0 : samples.columns[0].length;
  if (partner.length !== n) throw new RangeError(`the shuffle pairing has ${partner.length} partners for ${n} samples`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = partner[i];
    if (!(Number.isInteger(j) && j >= 0 && j < n) || seen[j] === 1) {
      throw new RangeError(`the shuffle pairing is not a permutation of the samples: partner of sample ${i} is ${j}`);
    }
    seen[j] = 1;
  }
}
