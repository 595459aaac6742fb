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
 * The shuffle is drawn from the per-mode counts alone, with a generator seeded
 * by `seed`, the variables involved and the mode's count profile: the result
 * is reproducible and depends neither on the order of the samples nor on the
 * names of symbols and modes.
 */
export type ShufflePairing = 'random' | 'next-in-mode';

export class ShuffleSource extends BiasCorrectedSource {
  constructor(
    table: JointTable,
    readonly seed: number,
    readonly pairing: ShufflePairing = 'random',
    /** The samples in order; required by the `next-in-mode` pairing. */
    readonly samples?: DiscreteSamples,
  ) {
    super(table, 'panzeri-treves');
    if (pairing === 'next-in-mode' && samples === undefined) {
      throw new RangeError('the next-in-mode shuffle pairing needs the samples in order, not only their counts');
    }
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
    if (this.pairing === 'next-in-mode') return this.nextInModeConditionalEntropy(responses, given);
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

  /**
   * H_sh(R|S) under the next-in-mode pairing: within each value of S, the
   * samples s_0 < s_1 < … < s_{n−1} in sample order, and unit c of R read c
   * places later, cyclically: word_k = (x_0[s_k], x_1[s_{k+1 mod n}], …).
   * Each unit keeps its per-mode values exactly (a permutation within the
   * mode), while the units' within-sample correlations are broken. A bin
   * entering or leaving a window changes O(1) words, so the streaming engine
   * maintains this table incrementally.
   */
  private nextInModeConditionalEntropy(responses: readonly number[], given: readonly number[]): number {
    const table = this.table;
    const { columns } = this.samples!;
    const groups = new Map<number, number[]>();
    const n = columns.length === 0 ? 0 : columns[0].length;
    for (let i = 0; i < n; i++) {
      let g = 0;
      for (const v of given) g = g * table.alphabet[v] + columns[v][i];
      let group = groups.get(g);
      if (group === undefined) {
        group = [];
        groups.set(g, group);
      }
      group.push(i);
    }
    const alphabetSize = table.alphabetOf(responses);
    let h = 0;
    for (const group of groups.values()) {
      const words = new Map<number, number>();
      for (let k = 0; k < group.length; k++) {
        let code = 0;
        responses.forEach((v, c) => {
          code = code * table.alphabet[v] + columns[v][group[(k + c) % group.length]];
        });
        words.set(code, (words.get(code) ?? 0) + 1);
      }
      h += (group.length / table.total) * this.correctedEntropyOf([...words.values()], alphabetSize);
    }
    return h;
  }
}
