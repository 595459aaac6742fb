/**
 * The detection acceptance test (subnetworkDetection*.test.ts,
 * docs/SUBNETWORKS.md, "Detection"): a planted synergistic triplet and
 * quadruplet must be reported with p ≤ 0.01 within 120 hops of a stream at
 * 1 s hops. The stream: 32 i.i.d. binary units, 20 ms bins, a 60 s
 * window (3,000 samples) moving 50 samples (1 s) a hop, 2 modes in blocks
 * (mean 0.8 s), 99 label surrogates by circular shifts of the window's
 * labels. Planted: the parity of {3, 11, 20} and of {24, 26, 29, 31} each
 * equal the mode with probability 0.9; every proper subset is independent
 * of the mode and of each other, so pairs and sub-triplets show nothing and
 * only the sweep can find them. The quadruplet sits near the end of the
 * sweep's order: the worst case.
 *
 * Assumption on the sweep: budget 1,000 evaluations a hop, of which the
 * sweep gets ~850, covers the C(32,3) + C(32,4) = 40,920 subsets in 48
 * hops; 'previous-window' then reports a window (60 hops) later, 'halves' at
 * once. Hops count from the first full window.
 */
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { SubnetworkSearch, type SelectionSplit } from '../../src/subnetworks/subnetworkSearch.ts';
import { SubnetworkTracker } from '../../src/subnetworks/subnetworkTracker.ts';
import { plantedRecording, windowOf } from './plantedRecording.ts';

export const windowSamples = 3000;
const hopSamples = 50;
export const windowHops = windowSamples / hopSamples;
export const hops = 120;
export const triplet = [3, 11, 20];
export const quadruplet = [24, 26, 29, 31];
const recording = plantedRecording({ units: 32, bins: windowSamples + hops * hopSamples, seed: 21, modeParities: [triplet, quadruplet] });

/** Runs the stream under `split`: the first hop each planted multiplet is reported (criterion doinfo_y, p ≤ 0.01), its ids, the last report. */
export function detect(split: SelectionSplit) {
  const search = new SubnetworkSearch({ split, budget: 1000, seed: 5 });
  const tracker = new SubnetworkTracker({ maxP: 0.01 });
  const random = new SeededRandom(22, 'detection');
  const first: Record<string, number> = {};
  const idsSeen: Record<string, Set<number>> = { [triplet.join(',')]: new Set(), [quadruplet.join(',')]: new Set() };
  let lastReport: ReturnType<SubnetworkTracker['update']> | undefined;
  for (let hop = 0; hop < hops; hop++) {
    const step = search.step(windowOf(recording, hop * hopSamples, windowSamples, 99, random));
    lastReport = tracker.update(hop, step.multiplets);
    for (const subnetwork of lastReport.subnetworks) {
      const key = subnetwork.units.join(',');
      if (!(key in idsSeen) || subnetwork.criterion !== 'doinfo_y') continue;
      first[key] ??= hop;
      idsSeen[key].add(subnetwork.id);
    }
  }
  return { first, idsSeen, lastReport: lastReport!, cycle: search.sweepProgress.evaluationsPerCycle };
}

