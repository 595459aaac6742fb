import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { spikeBatch } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { TrialAnalyzer, type TrialSliding } from '../../src/trials/trialAnalysis.ts';
import type { TrialOnset } from '../../src/trials/trialBinner.ts';
import { mulberry32 } from './randomTables.ts';

const WINDOW = { from: 0, to: 0.05 };

/**
 * Trials 0.1 s apart, 3 conditions drawn at random. Under the null the
 * counts ignore the condition but are far from independent: a gain shared by
 * every unit varies from trial to trial and drifts slowly over the session.
 * With `planted`, units 0 and 1 fire together under even conditions and
 * apart under odd ones (synergy: each alone says nothing).
 */
export function trialSession(seed: number, trials: number, units: number, planted = false) {
  const random = mulberry32(seed);
  const onsets: TrialOnset[] = [];
  const t: number[] = [];
  const unit: string[] = [];
  const poisson = (mean: number): number => {
    let n = 0;
    for (let p = random(); p > Math.exp(-mean); p *= random()) n++;
    return n;
  };
  for (let k = 0; k < trials; k++) {
    const onset = 0.1 * (k + 1);
    const condition = Math.floor(random() * 3);
    onsets.push({ onset, label: `c${condition}` });
    const gain = Math.exp(0.6 * (random() - 0.5) + 0.5 * Math.sin(k / 200));
    const first = random() < 0.5;
    for (let u = 0; u < units; u++) {
      let n = poisson(0.6 * gain);
      if (planted && u < 2) n = (u === 0 ? first : condition % 2 === 0 ? first : !first) ? 1 : 0;
      for (let s = 0; s < n; s++) {
        t.push(onset + random() * 0.05);
        unit.push(`u${u}`);
      }
    }
  }
  const order = t.map((_, i) => i).sort((a, b) => t[a] - t[b]);
  return { onsets, t: order.map((i) => t[i]), unit: order.map((i) => unit[i]) };
}

export function analyzeTrials(session: ReturnType<typeof trialSession>, options: AnalysisOptions, sliding: TrialSliding): SynergyUpdate[] {
  const analyzer = new TrialAnalyzer(session.onsets, WINDOW, options, sliding);
  const updates: SynergyUpdate[] = [];
  for (let i = 0; i < session.t.length; i += 500) updates.push(...analyzer.push(spikeBatch(session.t.slice(i, i + 500), session.unit.slice(i, i + 500))));
  updates.push(...analyzer.finish());
  return updates;
}

