import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import type { WindowBin } from '../../src/engine/windowReadout.ts';
import type { EstimatorName } from '../../src/estimators/estimate.ts';
import { spikeBatch } from '../../src/stream/events.ts';
import { compareUnitIds, outputUnitId } from '../../src/stream/unitIds.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { TrialAnalyzer } from '../../src/trials/trialAnalysis.ts';
import type { TrialOnset } from '../../src/trials/trialBinner.ts';
import { mulberry32 } from '../helpers/randomTables.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const WINDOW = { from: 0, to: 0.05 };
const UNITS = 8;

/** Trials every 0.2–0.4 s with one of 3 sounds; units 0 and 1 respond together to even sounds, apart to odd ones. */
function session(seed: number) {
  const random = mulberry32(seed);
  const trials: TrialOnset[] = [];
  const t: number[] = [];
  const unit: string[] = [];
  let onset = 0.1;
  for (let k = 0; k < 240; k++) {
    const sound = Math.floor(random() * 3);
    trials.push({ onset, label: random() < 0.03 ? null : `sound ${sound}` });
    const first = random() < 0.5;
    const fires = [first, sound % 2 === 0 ? first : !first];
    for (let u = 0; u < UNITS; u++) {
      const n = u < 2 ? (fires[u] ? 1 + Math.floor(random() * 2) : 0) : Math.floor(random() * random() * 4);
      for (let s = 0; s < n; s++) {
        t.push(onset + random() * 0.06 - 0.005);
        unit.push(String(10 + u));
      }
    }
    // Background spikes between trials.
    t.push(onset + 0.1 + random() * 0.05);
    unit.push(String(10 + Math.floor(random() * UNITS)));
    onset += 0.2 + random() * 0.2;
  }
  const order = t.map((_, i) => i).sort((a, b) => t[a] - t[b]);
  return { trials, t: order.map((i) => t[i]), unit: order.map((i) => unit[i]) };
}

/** The per-trial counts, built here: each unit's spikes with onset + from ≤ t < onset + to; units in the order of their first spike in a trial (the analysis' order: the shuffle estimator's pairing depends on it). */
function countTable(s: ReturnType<typeof session>, levels: number) {
  const inTrial = (time: number) => s.trials.some((trial) => trial.onset + WINDOW.from <= time && time < trial.onset + WINDOW.to);
  const ids = [...new Set(s.unit.filter((_, i) => inTrial(s.t[i])))];
  return s.trials.map((trial) => {
    const symbols = new Map<string, number>(ids.map((id) => [id, 0]));
    s.t.forEach((time, i) => {
      if (trial.onset + WINDOW.from <= time && time < trial.onset + WINDOW.to) symbols.set(s.unit[i], symbols.get(s.unit[i])! + 1);
    });
    for (const [id, n] of symbols) symbols.set(id, Math.min(n, levels - 1));
    return { label: trial.label, symbols };
  });
}

describe('trials: event-locked counts analyzed as they complete', () => {
  const s = session(4);
  const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 0, top: 6, latenessSeconds: 0.1 };
  const estimators: EstimatorName[] = ['plugin', 'miller-madow', 'panzeri-treves', 'qe', 'jackknife', 'shuffle'];

  for (const estimator of estimators) {
    it(`every update equals the batch library on the per-trial count table of its trials: ${estimator}`, () => {
      const analyzer = new TrialAnalyzer(s.trials, WINDOW, { ...options, estimator }, { count: 80, hop: 20 });
      const updates = [];
      // Batches of 50 spikes, as a replay hands them over.
      for (let i = 0; i < s.t.length; i += 50) updates.push(...analyzer.push(spikeBatch(s.t.slice(i, i + 50), s.unit.slice(i, i + 50))));
      updates.push(...analyzer.finish());
      expect(updates.map((update) => update.trials)).toEqual(Array.from({ length: 12 }, (_, k) => [Math.max(0, 20 * (k + 1) - 80), 20 * (k + 1)]));
      const table = countTable(s, options.levels);
      const ids = [...table[0].symbols.keys()];
      const labels = [...new Set(s.trials.map((trial) => trial.label).filter((label): label is string => label !== null))];
      for (const update of updates) {
        const [first, end] = update.trials;
        expect(update.t).toBeCloseTo(s.trials[end - 1].onset + WINDOW.to, 12);
        // The window's trials as bins for the batch readout (the batch library: discretize → estimate).
        const entries: WindowBin[] = [];
        for (let k = first; k < end; k++) {
          const units: number[] = [];
          const symbols: number[] = [];
          ids.forEach((id, u) => {
            const x = table[k].symbols.get(id)!;
            if (x > 0) {
              units.push(u);
              symbols.push(x);
            }
          });
          entries.push({ bin: k, label: table[k].label === null ? -1 : labels.indexOf(table[k].label!), units: Uint32Array.from(units), symbols: Uint8Array.from(symbols) });
        }
        const batch = new BatchReadout({ ...options, estimator, binSeconds: 1 }).rank(entries, ids.length, labels.length, 6);
        expect(update.samples).toBe(entries.filter((entry) => entry.label >= 0).length);
        expect(update.pairs).toHaveLength(batch.length);
        update.pairs.forEach((pair, k) => {
          const want = batch[k];
          const a = outputUnitId(ids[want.i]);
          const b = outputUnitId(ids[want.j]);
          expect([pair.a, pair.b]).toEqual(compareUnitIds(a, b) <= 0 ? [a, b] : [b, a]);
          expect(pair.synergy).toBeCloseTo(want.synergy, 9);
          expect(pair.joint).toBeCloseTo(want.joint, 9);
        });
      }
      // The planted pair leads once enough trials are in.
      expect(updates.at(-1)!.pairs[0]).toMatchObject({ a: 10, b: 11 });
      expect(updates.at(-1)!.pairs[0].synergy).toBeGreaterThan(0.3);
    });
  }

  it('equals `synergy measure` on the count table of the last window (plug-in and jackknife)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'synergy-trials-'));
    for (const estimator of ['plugin', 'jackknife'] as const) {
      const analyzer = new TrialAnalyzer(s.trials, WINDOW, { ...options, estimator }, { count: 80, hop: 20 });
      const updates = [...analyzer.push(spikeBatch(s.t, s.unit)), ...analyzer.finish()];
      const last = updates.at(-1)!;
      const [first, end] = last.trials;
      const table = countTable(s, options.levels);
      const labels = [...new Set(s.trials.map((trial) => trial.label).filter((label): label is string => label !== null))];
      for (const pair of last.pairs.slice(0, 3)) {
        const rows = ['a,b,mode'];
        for (let k = first; k < end; k++) {
          if (table[k].label === null) continue;
          rows.push(`${table[k].symbols.get(String(pair.a))},${table[k].symbols.get(String(pair.b))},${labels.indexOf(table[k].label!)}`);
        }
        const file = join(folder, `${estimator}-${pair.a}-${pair.b}.csv`);
        writeFileSync(file, `${rows.join('\n')}\n`);
        const result = await runCliHere(['measure', file, '--estimator', estimator, '--levels', String(options.levels)]);
        expect(result.code, result.stderr).toBe(0);
        const measured = JSON.parse(result.stdout);
        expect(pair.synergy).toBeCloseTo(measured.synergy, 9);
        expect(pair.joint).toBeCloseTo(measured.joint, 9);
        expect(pair.ia).toBeCloseTo(measured.single.a, 9);
      }
    }
  });

  it('drops and counts spikes whose trials are complete, and counts a spike in every overlapping window', () => {
    const trials: TrialOnset[] = [
      { onset: 1, label: 'x' },
      { onset: 1.02, label: 'y' },
    ];
    const analyzer = new TrialAnalyzer(trials, WINDOW, { ...options, surrogates: 0, top: undefined }, { count: 2, hop: 1 });
    // Trial 0 ([1, 1.05)) is complete at 1.15 (lateness 0.1), trial 1 ([1.02, 1.07)) at 1.17.
    expect(analyzer.push(spikeBatch([1.03, 1.16], ['a', 'b'])).map((update) => update.trials)).toEqual([[0, 1]]);
    // 1.04 is in trial 1's window too: counted there; 1.01 only in trial 0's: late.
    analyzer.push(spikeBatch([1.04, 1.01], ['a', 'b']));
    expect(analyzer.lateSpikes).toBe(1);
    const last = analyzer.finish();
    expect(last.map((update) => update.trials)).toEqual([[0, 2]]);
    // Unit a fired in both trials (1.03 in both windows, 1.04 in trial 1): a pair needs two units, and b's one spike was late.
    expect(last[0].units).toBe(1);
    expect(last[0].dropped.late).toBe(1);
  });
});
