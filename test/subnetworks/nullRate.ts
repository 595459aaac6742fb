/**
 * The family-wise null rate of the search (docs/SUBNETWORKS.md,
 * "Calibration"): 24 units independent of each other and of the modes
 * (i.i.d. binary), windows of 2,000 samples, 2 modes in blocks, 99 label
 * surrogates by circular shifts; consecutive windows do not overlap, so each
 * hop's test is independent evidence. A hop is a false alarm when any tested
 * multiplet has p ≤ 0.05.
 */
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { SubnetworkSearch, type SelectionSplit } from '../../src/subnetworks/subnetworkSearch.ts';
import { plantedRecording, windowOf } from './plantedRecording.ts';

export function measureNullRate(split: SelectionSplit, windows: number, seed: number): { alarms: number; tested: number; rate: number } {
  const windowSamples = 2000;
  const recording = plantedRecording({ units: 24, bins: windowSamples * (windows + 1), seed });
  const search = new SubnetworkSearch({ split, budget: 600, seed });
  const random = new SeededRandom(seed, 'null-surrogates');
  let alarms = 0;
  let tested = 0;
  for (let hop = 0; hop <= windows; hop++) {
    const { multiplets } = search.step(windowOf(recording, hop * windowSamples, windowSamples, 99, random));
    if (multiplets.length === 0) continue;
    tested++;
    if (multiplets.some((m) => m.p <= 0.05 + 1e-12)) alarms++;
  }
  return { alarms, tested, rate: alarms / tested };
}

/** The rate as printed: alarms/tested, percent, and the 3-standard-error band around 5 %. */
export function nullRateSummary(name: string, { alarms, tested, rate }: { alarms: number; tested: number; rate: number }): string {
  const standardError = Math.sqrt((0.05 * 0.95) / tested);
  return `${name}: ${alarms}/${tested} null hops with a multiplet at p ≤ 0.05 (${(100 * rate).toFixed(1)} %, 5 % ± ${(300 * standardError).toFixed(1)} % at 3 SE)`;
}
