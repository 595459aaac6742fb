import { describe, expect, it } from 'vitest';
import { alertLevel, PairAlerts } from '../../src/alerts/pairAlerts.ts';
import type { PairUpdate, SynergyUpdate } from '../../src/engine/synergyUpdate.ts';

type Pair = Partial<PairUpdate> & { a: string; b: string; synergy: number };

function update(t: number, pairs: Pair[], options: { samples?: number; computed?: number; significant?: number } = {}): SynergyUpdate {
  const listed = pairs.filter((pair) => pair.p_fwer !== undefined && pair.p_fwer <= 0.05).length;
  return {
    type: 'synergy',
    t,
    window: [t - 10, t],
    samples: options.samples ?? 500,
    labels: {},
    estimator: 'plugin',
    levels: 3,
    dropped: { unlabeled: 0, late: 0 },
    units: 10,
    pairsComputed: options.computed ?? 45,
    surrogates: 99,
    effective_surrogates: 99,
    min_p: 0.01,
    alpha: 0.05,
    significant: options.significant ?? listed,
    // A pair at the smallest p_fwer is beyond every surrogate; its tail p is far smaller unless given.
    pairs: pairs.map((pair) => ({ joint: 0, ia: 0, ib: 0, normalized: 0, excess: pair.synergy, ...(pair.p_fwer === undefined ? {} : { p_fwer_tail: pair.p_fwer <= 0.01 ? 1e-9 : pair.p_fwer }), ...pair })),
  };
}

/** Alerts that have seen an update at t = 0 (the first update raises nothing: it has no hop to spend). */
function primed(options: ConstructorParameters<typeof PairAlerts>[0]): PairAlerts {
  const alerts = new PairAlerts(options);
  expect(alerts.next(update(0, [{ a: 'x', b: 'y', synergy: 0.9, p_fwer: 0.01 }]))).toEqual([]);
  return alerts;
}

describe('PairAlerts: family-wise significant pairs', () => {
  it('raises when a pair is beyond every surrogate and its tail p_fwer ≤ alpha · hop / 1 h, whatever the size of the effect; clears with hysteresis (p_fwer > 2·alpha)', () => {
    const alerts = primed({ alpha: 0.05 });
    const run = (synergy: number, pFwer: number, tail: number, t: number) => alerts.next(update(t, [{ a: 'x', b: 'y', synergy, p: 0.001, p_fwer: pFwer, p_fwer_tail: tail }]));
    // 1 s hops: the level is 0.05 · 1 / 3600 = 1.4e-5; 10 s hops: 1.4e-4; no hop: nothing raises.
    expect(alertLevel(0.05, 1)).toBeCloseTo(0.05 / 3600, 15);
    expect(alertLevel(0.05, 10)).toBeCloseTo(0.05 / 360, 15);
    expect(alertLevel(0.05, 7200)).toBe(0.05);
    expect(alertLevel(0.05, 0)).toBe(0);
    expect(alertLevel(0.05, -5)).toBe(0);
    expect(run(0.2, 0.02, 1e-9, 1)).toEqual([]); // not beyond every surrogate (min p 0.01)
    expect(run(0.2, 0.01, 2e-5, 2)).toEqual([]); // beyond them, but the tail is above the level
    // A hop of 10 s spends ten times the level: 1e-4 passes.
    const raised = run(0.004, 0.01, 1e-4, 12);
    expect(raised).toEqual([expect.objectContaining({ type: 'alert', state: 'raised', kind: 'synergy', t: 12, a: 'x', b: 'y', value: 0.004, p: 0.001, p_fwer: 0.01, p_fwer_tail: 1e-4 })]);
    expect(raised[0].message).toMatch(/beyond every surrogate and below 0\.00014 \(alpha 0\.05 an hour\)/);
    // Up to twice alpha: stays raised.
    for (let t = 13; t < 16; t++) expect(run(0.004, 0.09, 0.09, t)).toEqual([]);
    expect(run(0.004, 0.11, 0.11, 16)).toEqual([expect.objectContaining({ state: 'cleared', kind: 'synergy', t: 16 })]);
    expect(alerts.raised()).toEqual([]);
  });

  it('the first update, and one after the clock went back, raise nothing: they have no hop to spend', () => {
    const alerts = new PairAlerts({ alpha: 0.05 });
    const strong = (t: number) => alerts.next(update(t, [{ a: 'x', b: 'y', synergy: 0.9, p_fwer: 0.01, p_fwer_tail: 1e-12 }]));
    expect(strong(100)).toEqual([]);
    expect(strong(50)).toEqual([]); // clock reset
    expect(strong(51)).toEqual([expect.objectContaining({ state: 'raised', t: 51 })]);
  });

  it('raises redundancy alerts for negative synergy, and clears when the sign turns', () => {
    const alerts = primed({ alpha: 0.05 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: -0.3, p_fwer: 0.01 }]))).toEqual([expect.objectContaining({ kind: 'redundancy', state: 'raised', value: -0.3 })]);
    expect(alerts.raised()).toEqual([{ a: 'x', b: 'y', kind: 'redundancy' }]);
    expect(alerts.next(update(2, [{ a: 'x', b: 'y', synergy: 0.01, p_fwer: 0.04 }]))).toEqual([expect.objectContaining({ kind: 'redundancy', state: 'cleared' })]);
    expect(alerts.next(update(3, [{ a: 'x', b: 'y', synergy: 0.01, p_fwer: 0.01 }]))).toEqual([expect.objectContaining({ kind: 'synergy', state: 'raised' })]);
  });

  it('no p, no alert: an update without p_fwer raises nothing, however strong', () => {
    const alerts = primed({ alpha: 0.05 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: 0.9 }]))).toEqual([]);
    expect(alerts.next(update(2, [{ a: 'x', b: 'y', synergy: 0.9, p: 0.001 }]))).toEqual([]);
  });

  it('an effect size, when asked for, must be reached too', () => {
    const alerts = primed({ alpha: 0.05, minEffectBits: 0.05 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: 0.04, p_fwer: 0.01 }]))).toEqual([]);
    expect(alerts.next(update(2, [{ a: 'x', b: 'y', synergy: 0.06, p_fwer: 0.01 }]))).toHaveLength(1);
    // Clears under half the effect size.
    expect(alerts.next(update(3, [{ a: 'x', b: 'y', synergy: 0.03, p_fwer: 0.01 }]))).toEqual([]);
    expect(alerts.next(update(4, [{ a: 'x', b: 'y', synergy: 0.02, p_fwer: 0.01 }]))).toEqual([expect.objectContaining({ state: 'cleared' })]);
  });

  it('with forUpdates, the condition must hold that many updates in a row', () => {
    const alerts = primed({ alpha: 0.05, forUpdates: 3 });
    const run = (pFwer: number, t: number) => alerts.next(update(t, [{ a: 'x', b: 'y', synergy: 0.1, p_fwer: pFwer }]));
    expect(run(0.01, 1)).toEqual([]);
    expect(run(0.01, 2)).toEqual([]);
    expect(run(0.2, 3)).toEqual([]); // streak broken
    expect(run(0.01, 4)).toEqual([]);
    expect(run(0.01, 5)).toEqual([]);
    expect(run(0.01, 6)).toEqual([expect.objectContaining({ state: 'raised', message: expect.stringMatching(/for 3 updates/) })]);
  });

  it('clears a raised pair missing from an update only when the update says no other pair is significant', () => {
    const alerts = primed({ alpha: 0.05 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: 0.3, p_fwer: 0.01 }]))).toHaveLength(1);
    // Missing, and 2 pairs significant of which 1 listed: x–y may be the other.
    expect(alerts.next(update(2, [{ a: 'p', b: 'q', synergy: 0.2, p_fwer: 0.01 }], { significant: 2 }))).toEqual([expect.objectContaining({ state: 'raised', a: 'p' })]);
    expect(alerts.next(update(3, [{ a: 'p', b: 'q', synergy: 0.2, p_fwer: 0.01 }], { significant: 1 }))).toEqual([
      expect.objectContaining({ state: 'cleared', a: 'x', b: 'y', message: expect.stringMatching(/no longer among the significant/) }),
    ]);
  });

  it('ignores updates with too few labeled bins', () => {
    const alerts = primed({ alpha: 0.05, minSamples: 100 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: 0.3, p_fwer: 0.01 }], { samples: 99 }))).toEqual([]);
    expect(alerts.next(update(2, [{ a: 'x', b: 'y', synergy: 0.3, p_fwer: 0.01 }]))).toHaveLength(1);
  });

  it('refuses meaningless options', () => {
    expect(() => new PairAlerts({ alpha: 0 })).toThrow(/alpha/);
    expect(() => new PairAlerts({ alpha: 1 })).toThrow(/alpha/);
    expect(() => new PairAlerts({ alpha: 0.05, minEffectBits: -1 })).toThrow(/effect/);
    expect(() => new PairAlerts({ alpha: 0.05, forUpdates: 0 })).toThrow(/alert-for/);
  });
});
