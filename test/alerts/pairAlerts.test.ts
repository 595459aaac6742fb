import { describe, expect, it } from 'vitest';
import { PairAlerts } from '../../src/alerts/pairAlerts.ts';
import type { PairUpdate, SynergyUpdate } from '../../src/engine/synergyUpdate.ts';

function update(t: number, pairs: Array<Partial<PairUpdate> & { a: string; b: string; synergy: number }>, options: { samples?: number; computed?: number } = {}): SynergyUpdate {
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
    pairs: pairs.map((pair) => ({ joint: 0, ia: 0, ib: 0, normalized: 0, ...pair })),
  };
}

const options = { thresholdBits: 0.1, maxP: 0.01, forUpdates: 3 };

describe('PairAlerts', () => {
  it('raises after forUpdates consecutive updates above threshold with p ≤ maxP, and clears with hysteresis', () => {
    const alerts = new PairAlerts(options);
    const run = (synergy: number, p: number, t: number) => alerts.next(update(t, [{ a: 'x', b: 'y', synergy, p }]));
    expect(run(0.2, 0.01, 1)).toEqual([]);
    expect(run(0.2, 0.01, 2)).toEqual([]);
    expect(run(0.2, 0.05, 3)).toEqual([]); // p too large: streak broken
    expect(run(0.2, 0.01, 4)).toEqual([]);
    expect(run(0.2, 0.01, 5)).toEqual([]);
    const raised = run(0.15, 0.01, 6);
    expect(raised).toEqual([expect.objectContaining({ type: 'alert', state: 'raised', kind: 'synergy', t: 6, a: 'x', b: 'y', value: 0.15, p: 0.01 })]);
    // Between the clear level (0.05) and the threshold: stays raised.
    for (let t = 7; t < 12; t++) expect(run(0.07, 0.01, t)).toEqual([]);
    expect(run(0.01, 0.01, 12)).toEqual([]);
    expect(run(0.2, 0.01, 13)).toEqual([]); // streak of "below" broken
    expect(run(0.01, 0.01, 14)).toEqual([]);
    expect(run(0.2, 0.5, 15)).toEqual([]); // p above twice maxP counts as below
    expect(run(0.04, 0.01, 16)).toEqual([expect.objectContaining({ state: 'cleared', kind: 'synergy', t: 16 })]);
    expect(alerts.raised()).toEqual([]);
  });

  it('raises redundancy alerts for negative synergy', () => {
    const alerts = new PairAlerts({ ...options, forUpdates: 1 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: -0.3, p: 0.01 }]))).toEqual([expect.objectContaining({ kind: 'redundancy', state: 'raised', value: -0.3 })]);
    expect(alerts.raised()).toEqual([{ a: 'x', b: 'y', kind: 'redundancy' }]);
  });

  it('clears a pair missing from an update only when the weakest listed pair is below the clear level', () => {
    const alerts = new PairAlerts({ ...options, forUpdates: 1 });
    alerts.next(update(1, [{ a: 'x', b: 'y', synergy: 0.3, p: 0.01 }]));
    // Missing, but listed pairs are all strong: nothing is known of x–y.
    expect(alerts.next(update(2, [{ a: 'p', b: 'q', synergy: 0.2, p: 0.5 }]))).toEqual([]);
    expect(alerts.next(update(3, [{ a: 'p', b: 'q', synergy: 0.01, p: 0.5 }]))).toEqual([
      expect.objectContaining({ state: 'cleared', a: 'x', b: 'y', message: expect.stringMatching(/no longer among the strongest/) }),
    ]);
  });

  it('ignores updates with too few labeled bins, and works without p-values', () => {
    const alerts = new PairAlerts({ ...options, forUpdates: 1, minSamples: 100 });
    expect(alerts.next(update(1, [{ a: 'x', b: 'y', synergy: 0.3 }], { samples: 99 }))).toEqual([]);
    const raised = alerts.next(update(2, [{ a: 'x', b: 'y', synergy: 0.3 }]));
    expect(raised).toHaveLength(1);
    expect(raised[0].p).toBeUndefined();
  });

  it('refuses meaningless options', () => {
    expect(() => new PairAlerts({ ...options, thresholdBits: 0 })).toThrow(/threshold/);
    expect(() => new PairAlerts({ ...options, maxP: 2 })).toThrow(/alert p/);
    expect(() => new PairAlerts({ ...options, forUpdates: 0 })).toThrow(/alert-for/);
  });
});
