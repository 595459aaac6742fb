/** The acceptance checks shared by the subnetworkDetection* and subnetworkNull* test files. */
import { expect } from 'vitest';
import type { SelectionSplit } from '../../src/subnetworks/subnetworkSearch.ts';
import { nullRateSummary } from './nullRate.ts';
import { detect, hops, quadruplet, triplet, windowHops } from './plantedStream.ts';

/** Both planted multiplets reported with p ≤ 0.01 before hop 120, each under one id from its first report on. */
export function expectDetected(split: SelectionSplit): void {
  const { first, idsSeen, lastReport, cycle } = detect(split);
  console.log(`${split.kind}: first reported at hop ${JSON.stringify(first)} (sweep of ${cycle} subsets)`);
  for (const planted of [triplet, quadruplet]) {
    const key = planted.join(',');
    expect(first[key], key).toBeLessThan(hops);
    expect(idsSeen[key].size, key).toBe(1);
    const last = lastReport.subnetworks.find((s) => s.units.join(',') === key)!;
    expect(last.p).toBeLessThanOrEqual(0.01);
    // Reported every hop since it was first: hops counts them.
    expect(last.hops).toBe(hops - first[key]);
    expect(last.since).toBe(first[key]);
  }
  // The triplet is among the first subsets swept: found within a few hops (plus a window for 'previous-window').
  expect(first[triplet.join(',')]).toBeLessThanOrEqual((split.kind === 'halves' ? 0 : windowHops) + 8);
}

/** The null rate is 5 % within 3 standard errors, both ways (a test that can fail). */
export function expectCalibrated(name: string, measured: { alarms: number; tested: number; rate: number }): void {
  const standardError = Math.sqrt((0.05 * 0.95) / measured.tested);
  console.log(nullRateSummary(name, measured));
  expect(measured.tested).toBeGreaterThanOrEqual(200);
  expect(measured.rate).toBeLessThanOrEqual(0.05 + 3 * standardError);
  expect(measured.rate).toBeGreaterThanOrEqual(Math.max(0, 0.05 - 3 * standardError));
}
