import { describe, expect, it } from 'vitest';
import { measureReport } from '../../src/batch/measureReport.ts';
import { estimate } from '../../src/estimators/estimate.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { normalizedSynergy, normalizedSynergyFloorBits } from '../../src/measures/normalizedSynergy.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';

describe('normalizedSynergyFloorBits', () => {
  it('is (|Xa||Xb| − 1)(|Y| − 1) / (N ln 2): twice the Miller–Madow bias of the plug-in joint', () => {
    expect(normalizedSynergyFloorBits(1500, 3, 3, 3)).toBeCloseTo(16 / (1500 * Math.LN2), 15);
    expect(normalizedSynergyFloorBits(1500, 3, 3, 3)).toBeCloseTo(0.0153887, 6);
    expect(normalizedSynergyFloorBits(4, 2, 2, 2)).toBeCloseTo(3 / (4 * Math.LN2), 15);
    // Miller–Madow bias of I(X1X2;Y) for an uninformative pair: (cells − 1)(modes − 1)/(2N ln 2).
    expect(normalizedSynergyFloorBits(1000, 4, 2, 5)).toBeCloseTo((2 * (7 * 4)) / (2 * 1000 * Math.LN2), 15);
  });
  it('is 0 with a single mode and +∞ without samples', () => {
    expect(normalizedSynergyFloorBits(100, 3, 3, 1)).toBe(0);
    expect(normalizedSynergyFloorBits(0, 3, 3, 3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('normalizedSynergy', () => {
  const floor = 0.01;
  it('is synergy / joint above the floor', () => {
    expect(normalizedSynergy(0.046, 0.084, floor)).toBe(0.046 / 0.084);
    expect(normalizedSynergy(-0.12, 0.151, floor)).toBe(-0.12 / 0.151);
  });
  it('is null for a negative joint, a zero joint and a joint at or below the floor', () => {
    expect(normalizedSynergy(0.004, -0.003, floor)).toBeNull();
    expect(normalizedSynergy(0, 0, 0)).toBeNull();
    expect(normalizedSynergy(0.001, 0.009, floor)).toBeNull();
    expect(normalizedSynergy(0.001, floor, floor)).toBeNull();
  });
  it('is not bounded by 1 in magnitude under a correction (nothing claims it is)', () => {
    expect(normalizedSynergy(-0.05, 0.02, floor)).toBe(-2.5);
  });
});

describe('measureReport: normalized', () => {
  const names = ['a', 'b', 'y'];

  /** Two units that carry nothing about a three-mode label. */
  function independentColumns(seed: number, n: number): number[][] {
    const random = new SeededRandom(seed, 'independent');
    const y = Array.from({ length: n }, (_, i) => Math.floor(i / 50) % 3);
    const a = y.map(() => Math.min(2, random.nextInt(4)));
    const b = y.map(() => Math.min(2, random.nextInt(4)));
    return [a, b, y];
  }

  it('is null for a pair whose corrected joint is negative (it used to flip the sign)', () => {
    // The first seed whose Panzeri–Treves joint comes out negative: about half of them do.
    let seed = 0;
    let columns = independentColumns(seed, 600);
    const jointOf = (c: number[][]) =>
      estimate(estimationData(discretize(c, [3, 3, undefined])), (s) => pairSynergy(s, 0, 1, 2), { estimator: 'panzeri-treves' });
    while (jointOf(columns).joint >= 0) columns = independentColumns(++seed, 600);
    expect(seed).toBeLessThan(20);
    const terms = jointOf(columns);
    expect(terms.joint).toBeLessThan(0);
    const report = measureReport(discretize(columns, [3, 3, undefined]), { names, target: 2, estimator: 'panzeri-treves' });
    expect(report.joint).toBe(terms.joint);
    expect(report.normalized).toBeNull();
    expect(report.normalized_floor).toBeCloseTo(16 / (600 * Math.LN2), 15);
    // JSON carries it as null.
    expect(JSON.parse(JSON.stringify(report)).normalized).toBeNull();
  });

  it('is synergy / joint for a healthy synergistic pair', () => {
    const random = new SeededRandom(3, 'xor');
    const y = Array.from({ length: 2000 }, (_, i) => Math.floor(i / 40) % 2);
    const a = y.map(() => random.nextInt(2));
    const b = a.map((x, i) => (random.next() < 0.8 ? x ^ y[i] : random.nextInt(2)));
    const report = measureReport(discretize([a, b, y]), { names, target: 2, estimator: 'panzeri-treves' });
    expect(report.joint as number).toBeGreaterThan(10 * (report.normalized_floor as number));
    expect(report.normalized).toBe((report.synergy as number) / (report.joint as number));
    expect(report.normalized as number).toBeGreaterThan(0.9);
  });
});
