import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { analyzeTrials, trialSession } from '../helpers/trialSessions.ts';

describe('significance on trials: permutations of the conditions within the window', () => {
  const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 19, top: undefined, alpha: 0.05, latenessSeconds: 0 };

  it('null: in 5% of windows (not more) some pair reaches p_fwer ≤ 0.05, and 5% of pairs reach p ≤ 0.05 (shared, drifting gain)', () => {
    // 400 disjoint windows of 60 trials: independent tests.
    const updates = analyzeTrials(trialSession(21, 24_000, 8), options, { count: 60, hop: 60 });
    expect(updates).toHaveLength(400);
    for (const update of updates) {
      expect(update.surrogates).toBe(19);
      expect(update.effective_surrogates).toBe(19);
    }
    const familyErrors = updates.filter((update) => update.significant! > 0).length / updates.length;
    const pairs = updates.flatMap((update) => update.pairs);
    const ownErrors = pairs.filter((pair) => pair.p! <= 0.05).length / pairs.length;
    // Exact tests: 0.05 in expectation (less with ties); the bounds are ±3 standard errors of 400 windows.
    expect(familyErrors).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / 400));
    expect(familyErrors).toBeGreaterThan(0.01);
    expect(ownErrors).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / pairs.length));
    expect(ownErrors).toBeGreaterThan(0.02);
  });

  it('a planted synergistic pair is family-wise significant in nearly every window, and alone', () => {
    const updates = analyzeTrials(trialSession(22, 3_000, 8, true), options, { count: 100, hop: 100 });
    const found = updates.filter((update) => update.pairs.some((pair) => pair.a === 'u0' && pair.b === 'u1' && pair.p_fwer! <= 0.05 && pair.synergy > 0));
    expect(found.length / updates.length).toBeGreaterThan(0.9);
    const others = updates.flatMap((update) => update.pairs.filter((pair) => !(pair.a === 'u0' && pair.b === 'u1') && pair.p_fwer! <= 0.05));
    expect(others.length).toBeLessThanOrEqual(3);
  });

  it('every trial so far (--trial-count all): the growing window is tested too', () => {
    const session = trialSession(23, 600, 6, true);
    const updates = analyzeTrials(session, options, { count: 600, hop: 100 });
    expect(updates).toHaveLength(6);
    for (const update of updates) expect(update.surrogates).toBe(19);
    const last = updates[updates.length - 1].pairs.find((pair) => pair.a === 'u0' && pair.b === 'u1')!;
    expect(last.p_fwer).toBe(0.05);
  });

  it("'lag' keeps the order of conditions: no test before the window has earlier trials to shift against", () => {
    const session = trialSession(24, 400, 6, true);
    const updates = analyzeTrials(session, { ...options, surrogateScheme: 'lag', lagStepSeconds: 2 }, { count: 100, hop: 100 });
    expect(updates[0].surrogates).toBe(0);
    expect(updates[3].surrogates).toBeGreaterThan(0);
  });
});
