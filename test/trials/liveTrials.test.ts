import { describe, expect, it } from 'vitest';
import type { LabeledFrame } from '../../src/engine/countFrame.ts';
import type { EstimatorName } from '../../src/estimators/estimate.ts';
import { spikeBatch } from '../../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { TrialAnalyzer, type TrialUpdate } from '../../src/trials/trialAnalysis.ts';
import { TrialBinner, type TrialWindow } from '../../src/trials/trialBinner.ts';
import { mulberry32 } from '../helpers/randomTables.ts';
import { trialSession } from '../helpers/trialSessions.ts';

const WINDOW: TrialWindow = { from: 0, to: 0.05 };

/** The frames' trials as plain rows: each trial's condition and its unit → count cells, by unit id. */
function trialRows(frames: ReadonlyArray<LabeledFrame | undefined>) {
  return frames
    .filter((frame): frame is LabeledFrame => frame !== undefined)
    .flatMap((frame) =>
      Array.from({ length: frame.binCount }, (_, b) => {
        const cells: Record<string, number> = {};
        for (let i = frame.offsets[b]; i < frame.offsets[b + 1]; i++) cells[frame.unitIds[frame.unit[i]]] = frame.count[i];
        return { trial: frame.firstBin + b, label: frame.label[b] < 0 ? null : frame.labelNames[frame.label[b]], cells };
      }),
    );
}

describe('TrialBinner: trials announced as they come', () => {
  it('trials announced ahead of their spikes give the frames of the same trials given up front', () => {
    const trials = [
      { onset: 1, label: 'x' },
      { onset: 2, label: 'y' },
      { onset: 3, label: 'x' },
    ];
    const batches = [spikeBatch([1.01, 1.02, 1.5], ['a', 'b', 'a']), spikeBatch([2.03, 2.2, 3.01, 3.04], ['b', 'a', 'a', 'a']), spikeBatch([3.5], ['b'])];
    const upFront = new TrialBinner(trials, WINDOW, 0.1);
    const live = new TrialBinner(undefined, WINDOW, 0.1);
    for (const trial of trials) expect(live.addTrial(trial.onset, trial.label)).toBe(true);
    const frames = (binner: TrialBinner) => [...batches.map((batch) => binner.push(batch)), binner.finish()];
    const expected = frames(upFront);
    expect(frames(live)).toEqual(expected);
    expect(trialRows(expected)).toEqual([
      { trial: 0, label: 'x', cells: { a: 1, b: 1 } },
      { trial: 1, label: 'y', cells: { b: 1 } },
      { trial: 2, label: 'x', cells: { a: 2 } },
    ]);
    expect(live.lateTrials).toBe(0);
  });

  it('spikes that came before their trial was announced count for it, if it is announced before its window closes', () => {
    // A window that starts before the onset: spikes at 0.99 and 1.01 come before the trial at 1 is announced.
    const binner = new TrialBinner(undefined, { from: -0.02, to: 0.05 }, 0.1);
    expect(binner.push(spikeBatch([0.99, 1.01, 1.03], ['a', 'b', 'a']))).toBeUndefined();
    expect(binner.countedSpikes).toBe(0);
    // Time is at 1.14: the trial closes at 1 + 0.05 + 0.1 = 1.15, so it is still in time.
    expect(binner.push(spikeBatch([1.14], ['c']))).toBeUndefined();
    expect(binner.addTrial(1, 'go')).toBe(true);
    expect(binner.countedSpikes).toBe(3);
    // A spike after the announcement counts as usual; then time passes the trial's end plus the lateness.
    binner.push(spikeBatch([1.04], ['c']));
    const frame = binner.push(spikeBatch([1.2], ['c']));
    expect(trialRows([frame])).toEqual([{ trial: 0, label: 'go', cells: { a: 2, b: 1, c: 1 } }]);
    // Units are numbered in the order their first spike was counted: the buffered ones in arrival order.
    expect(frame!.unitIds).toEqual(['a', 'b', 'c']);
    expect(binner.lateSpikes).toBe(0);
  });

  it('a trial announced after its window closed is refused and counted, not a crash; later ones are taken', () => {
    const binner = new TrialBinner(undefined, WINDOW, 0.1);
    binner.push(spikeBatch([1.01, 1.16], ['a', 'b']));
    // 1 + 0.05 + 0.1 ≤ 1.16: too late.
    expect(binner.addTrial(1, 'x')).toBe(false);
    expect(binner.lateTrials).toBe(1);
    expect(binner.trials).toBe(0);
    // One whose window is still open is taken, and counts the spike at 1.16 it holds.
    expect(binner.addTrial(1.12, 'y')).toBe(true);
    const frame = binner.finish();
    expect(trialRows([frame])).toEqual([{ trial: 0, label: 'y', cells: { b: 1 } }]);
    // After the end every trial is late.
    expect(binner.addTrial(5, 'z')).toBe(false);
    expect(binner.lateTrials).toBe(2);
    // The spike at 1.01 lay in no trial taken: not late, just outside every window.
    expect(binner.lateSpikes).toBe(0);
  });

  it('refuses onsets that go backwards or are not finite (a RangeError naming both times)', () => {
    const binner = new TrialBinner([{ onset: 2, label: 'x' }], WINDOW, 0.1);
    expect(() => binner.addTrial(1.5, 'y')).toThrow(/trial onsets must not go backwards: a trial at 1.5 s was announced after one at 2 s/);
    expect(() => binner.addTrial(Number.NaN, 'y')).toThrow(/a trial onset must be a finite time, got NaN/);
    // The same onset again is fine (two trials at one time).
    expect(binner.addTrial(2, 'y')).toBe(true);
    expect(binner.trials).toBe(2);
  });

  it('a late spike is counted once no trial announced later could hold it', () => {
    const binner = new TrialBinner(undefined, WINDOW, 0);
    binner.addTrial(1, 'x');
    binner.push(spikeBatch([1.01, 1.2], ['a', 'a']));
    // 1.03 is in trial 0's window, complete since 1.05; a trial announced now at 1.03 … 1.15 (after 1.2 − 0.05) could not hold it.
    binner.push(spikeBatch([1.03], ['b']));
    expect(binner.lateSpikes).toBe(1);
    // 1.18 is in no trial yet; a trial at 1.16 announced now would hold it.
    binner.push(spikeBatch([1.18], ['b']));
    expect(binner.addTrial(1.16, 'y')).toBe(true);
    expect(trialRows([binner.finish()])).toEqual([{ trial: 1, label: 'y', cells: { b: 1, a: 1 } }]);
    expect(binner.lateSpikes).toBe(1);
  });
});

describe('TrialAnalyzer: trials announced live give exactly the updates of the same trials given up front', () => {
  const session = trialSession(31, 900, 6, true);
  const lateness = 0.03;

  /** The spikes in random batches of 1–40; before each, the trials that would otherwise be late are announced (`justInTime`), or every trial up to the batch's end plus a random lead. */
  function liveRun(options: AnalysisOptions, window: TrialWindow, justInTime: boolean, seed: number) {
    const random = mulberry32(seed);
    const analyzer = new TrialAnalyzer(undefined, window, { ...options, latenessSeconds: lateness }, { count: 120, hop: 30 });
    const updates: TrialUpdate[] = [];
    let next = 0;
    for (let i = 0; i < session.t.length; ) {
      const end = Math.min(session.t.length, i + 1 + Math.floor(random() * 40));
      const reach = session.t[end - 1];
      // The binner's own test for late (onset ≤ latest − lateness − to), so that no trial is announced a hair too late.
      const due = (onset: number) => (justInTime ? onset <= reach - lateness - window.to : onset <= reach + random() * 0.3);
      while (next < session.onsets.length && due(session.onsets[next].onset)) {
        expect(analyzer.addTrial(session.onsets[next].onset, session.onsets[next].label)).toBe(true);
        next++;
      }
      updates.push(...analyzer.push(spikeBatch(session.t.slice(i, end), session.unit.slice(i, end))));
      i = end;
    }
    for (; next < session.onsets.length; next++) analyzer.addTrial(session.onsets[next].onset, session.onsets[next].label);
    updates.push(...analyzer.finish());
    expect(analyzer.lateTrials).toBe(0);
    return updates;
  }

  function upFrontRun(options: AnalysisOptions, window: TrialWindow) {
    const analyzer = new TrialAnalyzer(session.onsets, window, { ...options, latenessSeconds: lateness }, { count: 120, hop: 30 });
    return [...analyzer.push(spikeBatch(session.t, session.unit)), ...analyzer.finish()];
  }

  const cases: Array<[EstimatorName, 'permutation' | 'lag']> = [
    ['jackknife', 'permutation'],
    ['plugin', 'permutation'],
    ['shuffle', 'lag'],
  ];
  for (const [estimator, surrogateScheme] of cases) {
    it(`${estimator}, ${surrogateScheme} surrogates: announced ahead, and just in time (spikes before their trial), overlapping windows too`, () => {
      const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, estimator, surrogates: 19, surrogateScheme, top: 8 };
      // Windows of 0.14 s around onsets 0.1 s apart overlap, and start before the onset.
      for (const window of [WINDOW, { from: -0.02, to: 0.12 }]) {
        const expected = upFrontRun(options, window);
        expect(expected.length).toBeGreaterThan(20);
        expect(expected.some((update) => update.pairs.some((pair) => pair.p !== undefined && pair.p < 1))).toBe(true);
        expect(liveRun(options, window, false, 5)).toEqual(expected);
        expect(liveRun(options, window, true, 6)).toEqual(expected);
      }
    });
  }
});
