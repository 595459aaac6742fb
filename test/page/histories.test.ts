import { describe, expect, it } from 'vitest';
import { AlertLog } from '../../src/page/alertLog.ts';
import { MatrixFrameHistory } from '../../src/page/frameHistory.ts';
import { decodeMatrixFrame, encodeMatrixFrame } from '../../src/page/matrixFrame.ts';
import { ModeTimeline } from '../../src/page/modeTimeline.ts';
import { pairCount } from '../../src/page/pairIndex.ts';
import { PairRecordHistory } from '../../src/page/pairRecords.ts';
import { mergePairSeries } from '../../src/page/pairSeries.ts';
import type { AlertEvent, PairRecord } from '../../src/page/protocol.ts';
import { SourceHealth } from '../../src/page/sourceHealth.ts';

const frameAt = (t: number, units: number[], value: (k: number) => number, flag = (_k: number) => 0) => {
  const pairs = pairCount(units.length);
  return decodeMatrixFrame(encodeMatrixFrame({ source: null, t, units, alpha: 0.05, significant: 0, modes: [] }, Array.from({ length: pairs }, (_, k) => value(k)), Array.from({ length: pairs }, (_, k) => flag(k))));
};
const record = (a: number, b: number, synergy: number, p_fwer?: number): PairRecord => ({ a, b, joint: synergy + 0.1, ia: 0.05, ib: 0.05, synergy, p_fwer, p: p_fwer });

describe('recent matrix frames', () => {
  it('give any pair its past at once, across a change of units', () => {
    const history = new MatrixFrameHistory();
    history.push(frameAt(1, [0, 1, 2], (k) => k / 10, (k) => (k === 2 ? 1 : 0)));
    history.push(frameAt(2, [0, 1, 2], (k) => k / 10 + 1));
    // Unit 5 first seen: pair (1, 2) is at index 3 of 4 units now, not 2 of 3.
    history.push(frameAt(3, [0, 1, 2, 5], (k) => k / 10 + 2));
    history.push(frameAt(3, [0, 1, 2], () => 9)); // not newer: ignored
    const series = history.pairSeries(2, 1);
    expect(series.t).toEqual([1, 2, 3]);
    expect(series.synergy.map((x) => Math.round(x * 10) / 10)).toEqual([0.2, 1.2, 2.3]);
    expect(series.significant).toEqual([true, false, false]);
    expect(history.pairSeries(1, 5).t).toEqual([3]);
    expect(history.pairSeries(2, 1, 2).t).toEqual([2, 3]);
  });

  it('keep within the memory budget, the oldest leaving first, and share one unit index across frames', () => {
    const units = Array.from({ length: 64 }, (_, i) => i);
    const bytes = frameAt(0, units, () => 0).byteLength;
    const history = new MatrixFrameHistory(10 * bytes + 1, 1000);
    for (let t = 1; t <= 25; t++) history.push(frameAt(t, units, () => t));
    expect(history.length).toBe(10);
    expect(history.byteLength).toBeLessThanOrEqual(10 * bytes + 1);
    expect(history.firstT).toBe(16);
    expect(history.indexFor([...units])).toBe(history.indexFor(units));
    const capped = new MatrixFrameHistory(1e12, 3);
    for (let t = 1; t <= 5; t++) capped.push(frameAt(t, [0, 1], () => t));
    expect(capped.pairSeries(0, 1).t).toEqual([3, 4, 5]);
  });
});

describe('pair records and series', () => {
  it('keep each listed pair’s numbers, ignore an update seen again, and merge with the frames on one time axis', () => {
    const records = new PairRecordHistory();
    expect(records.add({ t: 1, pairs: [record(0, 5, 0.1, 0.2)] })).toBe(true);
    expect(records.add({ t: 2, pairs: [record(3, 11, 0.3)] })).toBe(true);
    expect(records.add({ t: 2, pairs: [record(0, 5, 9)] })).toBe(false);
    expect(records.add({ t: 3, pairs: [record(0, 5, 0.12, 0.01)] })).toBe(true);
    const series = records.series(5, 0)!;
    expect(series.t).toEqual([1, 3]);
    expect(series.p_fwer).toEqual([0.2, 0.01]);
    const frames = { t: [2, 3, 4], synergy: [0.11, 0.125, 0.13], significant: [false, true, true] };
    const merged = mergePairSeries(series, frames);
    expect(merged.t).toEqual([1, 2, 3, 4]);
    // The record's number where there is one (full precision), the frame's elsewhere.
    expect(merged.synergy).toEqual([0.1, 0.11, 0.12, 0.13]);
    expect(merged.joint.map((x) => (x === null ? null : Math.round(x * 100) / 100))).toEqual([0.2, null, 0.22, null]);
    expect(merged.p_fwer).toEqual([0.2, null, 0.01, null]);
    expect(merged.significant).toEqual([null, false, true, true]);
    expect(mergePairSeries(undefined, undefined).t).toEqual([]);
    // From a time on: the sparkline's stretch.
    expect(mergePairSeries(series, frames, 3).t).toEqual([3, 4]);
    expect(mergePairSeries(series, frames, 2.5).synergy).toEqual([0.12, 0.13]);
    // A missing p is null, not NaN (uPlot draws a gap).
    expect(mergePairSeries(records.series(3, 11), undefined).p).toEqual([null]);
  });

  it('take a history that arrives after a live update: older updates go in their place', () => {
    const records = new PairRecordHistory();
    records.add({ t: 21, pairs: [record(0, 5, 0.21)] });
    for (const t of [19, 20, 21]) records.add({ t, pairs: [record(0, 5, t / 100)] });
    const series = records.series(0, 5)!;
    expect(series.t).toEqual([19, 20, 21]);
    expect(series.synergy).toEqual([0.19, 0.2, 0.21]);
  });

  it('are bounded: points per pair and pairs', () => {
    const records = new PairRecordHistory(10, 20);
    for (let t = 1; t <= 100; t++) records.add({ t, pairs: [record(0, 1, t), record(t + 1, t + 2, t)] });
    expect(records.series(0, 1)!.t.length).toBeLessThanOrEqual(13);
    expect(records.series(0, 1)!.t.at(-1)).toBe(100);
    expect(records.size).toBeLessThanOrEqual(20);
    // The pair listed at every update stays; pairs listed long ago left.
    expect(records.series(2, 3)).toBeUndefined();
  });
});

describe('the mode timeline', () => {
  it('merges frames’ segments, and shows per-update modes only before the first frame', () => {
    const timeline = new ModeTimeline();
    timeline.addUpdate({ t: 1, labels: { go: 30, rest: 20 } }, 1);
    timeline.addUpdate({ t: 2, labels: { go: 10, rest: 40 } }, 1);
    timeline.addUpdate({ t: 3, labels: { rest: 50 } }, 1);
    timeline.addFrameModes([[2.5, 2.8, 'rest'], [2.8, 3, 'go']]);
    timeline.addFrameModes([[3, 3.5, 'go'], [3.6, 4, 'rest']]);
    timeline.addFrameModes([[3, 3.5, 'go']]); // a hop seen again
    expect(timeline.segments()).toEqual([
      { start: 0, end: 1, label: 'go' },
      { start: 1, end: 2.5, label: 'rest' },
      { start: 2.5, end: 2.8, label: 'rest' },
      { start: 2.8, end: 3.5, label: 'go' },
      { start: 3.6, end: 4, label: 'rest' },
    ]);
    expect(timeline.labels()).toEqual(['go', 'rest']);
  });

  it('takes older updates after newer ones (a history after a live update), merging what touches', () => {
    const timeline = new ModeTimeline();
    timeline.addUpdate({ t: 5, labels: { go: 50 } }, 1);
    for (const t of [1, 2, 3, 4, 5]) timeline.addUpdate({ t, labels: t <= 2 ? { rest: 50 } : { go: 50 } }, 1);
    expect(timeline.segments()).toEqual([
      { start: 0, end: 2, label: 'rest' },
      { start: 2, end: 5, label: 'go' },
    ]);
    expect(timeline.colorOf('go')).not.toBe(timeline.colorOf('rest'));
  });
});

describe('source health', () => {
  it('derives the spike rate from consecutive statuses', () => {
    const health = new SourceHealth();
    const status = (wallMs: number, spikes: number, missing = 0) => ({ type: 'status' as const, wallMs, sources: [{ name: 'rig', connected: true, lost: false, ended: false, messages: 10, spikes, missing, rejected: 0, latestTime: 4 }] });
    expect(health.update(status(1000, 500))[0].spikesPerSecond).toBeNull();
    expect(health.update(status(2000, 1700))[0].spikesPerSecond).toBe(1200);
    expect(health.update(status(2000, 1700))[0].spikesPerSecond).toBe(1200);
    const row = health.update(status(2500, 1800, 3))[0];
    expect(row.spikesPerSecond).toBe(200);
    expect(row.missingSinceOpened).toBe(3);
  });
});

describe('the alert log', () => {
  const alert = (t: number, state: 'raised' | 'cleared', a?: number, b?: number): AlertEvent => ({ type: 'alert', state, kind: a === undefined ? 'sequence-gap' : 'synergy', t, a, b, message: `at ${t}` });

  it('lists newest first, knows the raised pairs, and is replaced by a history', () => {
    const log = new AlertLog(5);
    log.add(alert(1, 'raised', 0, 5));
    log.add(alert(2, 'raised'));
    log.add(alert(3, 'raised', 3, 11));
    log.add(alert(4, 'cleared', 0, 5));
    expect(log.newestFirst().map((a) => a.t)).toEqual([4, 3, 2, 1]);
    expect(log.raisedFor(5, 0, null)).toBeUndefined();
    expect(log.raisedFor(11, 3, null)?.t).toBe(3);
    expect(log.forPair(5, 0, null).map((a) => a.state)).toEqual(['raised', 'cleared']);
    log.replace([alert(1, 'raised', 0, 5)]);
    expect(log.length).toBe(1);
    expect(log.raisedFor(0, 5, null)?.t).toBe(1);
    for (let t = 10; t < 30; t++) log.add(alert(t, 'raised'));
    expect(log.newestFirst(3).map((a) => a.t)).toEqual([29, 28, 27]);
    expect(log.length).toBeLessThanOrEqual(7);
  });
});
