import { BadDataError } from '../errors.ts';
import { pluginEntropyFromCounts } from '../estimators/entropyFromCounts.ts';
import type { InformationSource } from './informationSource.ts';
import { mutualInformation } from './mutualInformation.ts';

/** The Pola et al. (2003) terms of I(R;S), in bits. */
export type InformationBreakdown = {
  /** I_lin = Σ_c I(R_c;S): the information if the units were independent. */
  lin: number;
  /** I_sig-sim = H_ind(R) − H_lin: loss from similar tuning (≤ 0). */
  sig_sim: number;
  /** I_cor-ind = χ(R) − H_ind(R): stimulus-independent correlations. */
  cor_ind: number;
  /** I_cor-dep = H(R) − H(R|S) − χ(R) + H_ind(R|S): stimulus-dependent correlations. */
  cor_dep: number;
};

/** Words of the product space above which the breakdown refuses to enumerate. */
const MAX_PRODUCT_WORDS = 1 << 22;

/**
 * Information breakdown of a population response R = (X_c) about the mode S
 * (Pola, Thiele, Hoffmann & Panzeri 2003, Network 14:35–60). With
 * P_ind(r|s) = Π_c p(r_c|s), P_ind(r) = Σ_s p(s) P_ind(r|s),
 * H_lin = Σ_c H(R_c), H_ind(R|S) = Σ_c H(R_c|S), H_ind(R) the entropy of
 * P_ind(r) and χ(R) = −Σ_r p(r) log2 P_ind(r):
 *   I_lin = H_lin − H_ind(R|S), I_sig-sim = H_ind(R) − H_lin,
 *   I_cor-ind = χ(R) − H_ind(R), I_cor-dep = H(R) − H(R|S) − χ(R) + H_ind(R|S).
 * The terms sum to I(R;S) and, for a pair, the last three sum to the
 * Gat–Tishby synergy.
 *
 * H_ind(R) and χ(R) are not entropies of a count table, so they come from the
 * plug-in distribution; I_lin and I(R;S) come from the source (corrected
 * under a correcting estimator) and I_cor-dep is the remainder
 * I(R;S) − I_lin − I_sig-sim − I_cor-ind, which under plug-in is exactly
 * the formula above.
 */
export function informationBreakdown(
  source: InformationSource,
  responses: readonly number[],
  stimulus: number,
): InformationBreakdown {
  const table = source.table;
  const total = table.total;
  let lin = 0;
  for (const c of responses) lin += mutualInformation(source, [c], [stimulus]);
  const information = mutualInformation(source, responses, [stimulus]);
  if (total === 0) return { lin, sig_sim: 0, cor_ind: 0, cor_dep: information - lin };

  const words = table.alphabetOf(responses);
  if (words > MAX_PRODUCT_WORDS) {
    // Reached from data (sources with many distinct values): not a programming error.
    throw new BadDataError(
      `the information breakdown of ${responses.length} units enumerates ${words} words, more than ${MAX_PRODUCT_WORDS}: the units take too many distinct values`,
      'ALPHABET_TOO_LARGE',
    );
  }
  // p(r_c | s) for every unit c, as dense arrays per stimulus value.
  const stimulusCounts = table.marginal([stimulus]);
  const perUnit = responses.map((c) => table.conditional([c], [stimulus]));
  const alphabets = responses.map((c) => table.alphabet[c]);
  const independentByWord = new Float64Array(words);
  for (const [s, ns] of stimulusCounts) {
    const ps = ns / total;
    const marginals = perUnit.map((byStimulus, i) => {
      const probabilities = new Float64Array(alphabets[i]);
      for (const [symbol, n] of byStimulus.get(s) ?? []) probabilities[symbol] = n / ns;
      return probabilities;
    });
    // Enumerate words in the same mixed radix as JointTable.subCode(…, responses).
    for (let word = 0; word < words; word++) {
      let rest = word;
      let p = ps;
      for (let i = responses.length - 1; i >= 0 && p > 0; i--) {
        p *= marginals[i][rest % alphabets[i]];
        rest = Math.floor(rest / alphabets[i]);
      }
      independentByWord[word] += p;
    }
  }
  let independentEntropy = 0;
  for (const p of independentByWord) if (p > 0) independentEntropy -= p * Math.log2(p);
  let crossEntropy = 0;
  for (const [word, n] of table.marginal(responses)) {
    crossEntropy -= (n / total) * Math.log2(independentByWord[word]);
  }
  let linearEntropy = 0;
  // Plug-in H(R_c) whatever the estimator, to pair with the plug-in H_ind(R).
  for (const c of responses) linearEntropy += pluginEntropyFromCounts(table.marginal([c]).values());
  const sig_sim = independentEntropy - linearEntropy;
  const cor_ind = crossEntropy - independentEntropy;
  return { lin, sig_sim, cor_ind, cor_dep: information - lin - sig_sim - cor_ind };
}

