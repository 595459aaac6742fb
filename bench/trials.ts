/**
 * Trials (`npm run bench:trials`): 10,000 trials × 256 units through the
 * trial analysis with the default estimator and significance (jackknife, 99
 * permutation surrogates of the conditions within the window, top 100; `--scheme lag` for
 * label lags over the trial sequence), the last 1,000
 * trials every 100. Spikes are generated up front (0–50 ms windows, about
 * one spike per unit per window, one planted synergistic pair), then fed in
 * batches of one trial each; the analysis alone is timed. Prints one JSON
 * line: trials per second, ms per update, and how that compares with trials
 * arriving every 0.5 s.
 *
 *   tsx bench/trials.ts [--trials 10000] [--units 256] [--count 1000] [--hop 100] [--surrogates 99] [--scheme permutation|lag]
 */
import { performance } from 'node:perf_hooks';
import { spikeBatch, type SpikeBatch } from '../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../src/stream/options.ts';
import { TrialAnalyzer } from '../src/trials/trialAnalysis.ts';
import type { TrialOnset } from '../src/trials/trialBinner.ts';
import { flag } from './flags.ts';

const trialsWanted = Number(flag('trials', '10000'));
const units = Number(flag('units', '256'));
const count = Number(flag('count', '1000'));
const hop = Number(flag('hop', '100'));
const surrogates = Number(flag('surrogates', String(DEFAULT_ANALYSIS_OPTIONS.surrogates)));
const scheme = flag('scheme', 'permutation') as 'permutation' | 'lag';
const SPACING = 0.5;
const WINDOW = { from: 0, to: 0.05 };

let seed = 12345;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  return (seed >>> 8) / 16777216;
};
const trials: TrialOnset[] = [];
const batches: SpikeBatch[] = [];
for (let k = 0; k < trialsWanted; k++) {
  const onset = 1 + k * SPACING;
  const sound = Math.floor(random() * 8);
  trials.push({ onset, label: `sound ${sound}` });
  const t: number[] = [];
  const unit: string[] = [];
  const together = random() < 0.5;
  for (let u = 0; u < units; u++) {
    // Units 0 and 1: synergistic (together for even sounds, apart for odd); the rest Poisson at 20 Hz.
    let n: number;
    if (u === 0) n = together ? 1 : 0;
    else if (u === 1) n = (sound % 2 === 0) === together ? 1 : 0;
    else {
      n = 0;
      let p = Math.exp(-1);
      let cumulative = p;
      const x = random();
      while (x > cumulative && n < 8) {
        n++;
        p /= n;
        cumulative += p;
      }
    }
    for (let s = 0; s < n; s++) {
      t.push(onset + random() * WINDOW.to);
      unit.push(String(u));
    }
  }
  const order = t.map((_, i) => i).sort((a, b) => t[a] - t[b]);
  batches.push(spikeBatch(order.map((i) => t[i]), order.map((i) => unit[i])));
}

const analyzer = new TrialAnalyzer(trials, WINDOW, { ...DEFAULT_ANALYSIS_OPTIONS, surrogates, top: 100, surrogateScheme: scheme }, { count, hop });
let updates = 0;
let surrogatesUsed = 0;
let last: { a: unknown; b: unknown; synergy: number; p_fwer?: number } | undefined;
const start = performance.now();
for (const batch of batches) {
  for (const update of analyzer.push(batch)) {
    updates++;
    surrogatesUsed = update.surrogates ?? 0;
    last = update.pairs[0];
  }
}
for (const update of analyzer.finish()) {
  updates++;
  last = update.pairs[0];
}
const ms = performance.now() - start;
process.stdout.write(
  `${JSON.stringify({
    name: `trials/${units}-units`,
    trials: trialsWanted,
    units,
    pairs: (units * (units - 1)) / 2,
    window: `last ${count} trials every ${hop}`,
    updates,
    surrogatesUsed,
    scheme,
    seconds: ms / 1000,
    trialsPerSecond: trialsWanted / (ms / 1000),
    msPerUpdate: ms / updates,
    // A trial every 0.5 s in practice: how many times faster than they come.
    realtimeFactor: (trialsWanted * SPACING) / (ms / 1000),
    topPair: last,
  })}\n`,
);
