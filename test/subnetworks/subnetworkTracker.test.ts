import { describe, expect, it } from 'vitest';
import type { TestedMultiplet } from '../../src/subnetworks/subnetworkSearch.ts';
import { SubnetworkTracker } from '../../src/subnetworks/subnetworkTracker.ts';

function tested(units: number[], p = 0.01, criterion: TestedMultiplet['criterion'] = 'doinfo_y'): TestedMultiplet {
  return { units, order: units.length, criterion, oinfo: -0.1, doinfo_y: -0.5, p };
}

const ids = (update: ReturnType<SubnetworkTracker['update']>) => Object.fromEntries(update.subnetworks.map((s) => [s.units.join(','), s.id]));

describe('SubnetworkTracker', () => {
  it('keeps the id of a unit set while it is reported, whatever the order of its units', () => {
    const tracker = new SubnetworkTracker();
    const first = tracker.update(10, [tested([3, 1, 2]), tested([4, 5, 6, 7])]);
    expect(first.subnetworks.map((s) => [s.id, s.units, s.order, s.since, s.hops])).toEqual([
      [1, [1, 2, 3], 3, 10, 1],
      [2, [4, 5, 6, 7], 4, 10, 1],
    ]);
    const second = tracker.update(11, [tested([7, 6, 5, 4]), tested([2, 3, 1])]);
    expect(ids(second)).toEqual({ '4,5,6,7': 2, '1,2,3': 1 });
    expect(second.subnetworks.find((s) => s.id === 1)).toMatchObject({ since: 10, hops: 2 });
    expect(second.left).toEqual([]);
  });

  it('keeps the id across a gap of at most graceHops hops, and gives a new one after a longer gap; ids are never reused', () => {
    const tracker = new SubnetworkTracker({ graceHops: 2 });
    tracker.update(0, [tested([1, 2, 3])]);
    tracker.update(1, []);
    tracker.update(2, []);
    // Absent 2 hops: back with its id, its hop count going on.
    const back = tracker.update(3, [tested([1, 2, 3])]);
    expect(back.subnetworks[0]).toMatchObject({ id: 1, since: 0, hops: 2 });
    tracker.update(4, []);
    tracker.update(5, []);
    const expired = tracker.update(6, []);
    expect(expired.dissolved).toEqual([1]);
    const again = tracker.update(7, [tested([1, 2, 3]), tested([4, 5, 6])]);
    expect(ids(again)).toEqual({ '1,2,3': 2, '4,5,6': 3 });
    expect(again.subnetworks[0]).toMatchObject({ since: 7, hops: 1 });
  });

  it('says which ids left the report at this hop and which dissolved for good', () => {
    const tracker = new SubnetworkTracker({ graceHops: 1 });
    tracker.update(0, [tested([1, 2, 3]), tested([4, 5, 6])]);
    const one = tracker.update(1, [tested([4, 5, 6])]);
    expect(one.left).toEqual([1]);
    expect(one.dissolved).toEqual([]);
    const two = tracker.update(2, [tested([4, 5, 6])]);
    expect(two.left).toEqual([]);
    expect(two.dissolved).toEqual([1]);
  });

  it('with graceHops 0, a multiplet absent for one hop comes back with a new id', () => {
    const tracker = new SubnetworkTracker({ graceHops: 0 });
    tracker.update(0, [tested([1, 2, 3])]);
    expect(tracker.update(1, []).dissolved).toEqual([1]);
    expect(tracker.update(2, [tested([1, 2, 3])]).subnetworks[0].id).toBe(2);
  });

  it('reports only p ≤ maxP, once per unit set (the smaller p)', () => {
    const tracker = new SubnetworkTracker({ maxP: 0.05 });
    const update = tracker.update(0, [tested([1, 2, 3], 0.2), tested([4, 5, 6], 0.04, 'oinfo'), tested([6, 5, 4], 0.01)]);
    expect(update.subnetworks).toHaveLength(1);
    expect(update.subnetworks[0]).toMatchObject({ units: [4, 5, 6], p: 0.01, criterion: 'doinfo_y' });
  });

  it('refuses a negative grace and a maxP outside (0, 1]', () => {
    expect(() => new SubnetworkTracker({ graceHops: -1 })).toThrow(RangeError);
    expect(() => new SubnetworkTracker({ maxP: 0 })).toThrow(RangeError);
  });
});
