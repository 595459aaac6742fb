/**
 * The null rates of significance on trials (docs/MEASURES.md, "Significance
 * on trials and snapshots"): trials whose counts ignore the condition (a
 * gain shared by every unit, varying from trial to trial and drifting over
 * the session), analyzed in disjoint windows with the default 99
 * permutation surrogates; prints the share of windows where some pair
 * reaches p_fwer ≤ alpha (the family-wise error rate) and the share of
 * pairs with p ≤ alpha, with 95% intervals.
 *
 *   npm run bench:trial-null [-- windows [trialsPerWindow [units]]]
 */
import { DEFAULT_ANALYSIS_OPTIONS } from '../src/stream/options.ts';
import { analyzeTrials, trialSession } from '../test/helpers/trialSessions.ts';

const windows = Number(process.argv[2] ?? 2000);
const perWindow = Number(process.argv[3] ?? 60);
const units = Number(process.argv[4] ?? 8);
const started = performance.now();
for (const surrogates of [19, 99]) {
  const updates = analyzeTrials(trialSession(1000 + surrogates, windows * perWindow, units), { ...DEFAULT_ANALYSIS_OPTIONS, surrogates, top: undefined, latenessSeconds: 0 }, { count: perWindow, hop: perWindow });
  const rate = (hits: number, n: number) => {
    const p = hits / n;
    const half = 1.96 * Math.sqrt((p * (1 - p)) / n);
    return `${(100 * p).toFixed(2)}% (95% CI ${(100 * Math.max(0, p - half)).toFixed(2)}–${(100 * (p + half)).toFixed(2)}%, ${hits}/${n})`;
  };
  const family = updates.filter((update) => update.significant! > 0).length;
  const pairs = updates.flatMap((update) => update.pairs);
  const own = pairs.filter((pair) => pair.p! <= 0.05).length;
  const discoveries = updates.filter((update) => update.discoveries! > 0).length;
  console.log(`${surrogates} permutation surrogates, ${updates.length} disjoint windows of ${perWindow} trials × ${units} units, alpha 0.05:`);
  console.log(`  windows with a pair at p_fwer ≤ 0.05: ${rate(family, updates.length)}`);
  console.log(`  windows with a discovery at q ≤ 0.05: ${rate(discoveries, updates.length)}`);
  console.log(`  pairs with p ≤ 0.05:                  ${rate(own, pairs.length)}`);
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
