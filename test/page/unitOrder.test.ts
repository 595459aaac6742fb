import { describe, expect, it } from 'vitest';
import { carryOrder, orderById, orderByRegion, rowsOf, runGroupUnits } from '../../src/page/unitOrder.ts';

describe('unit orders', () => {
  it("reads the run header's groups where the commands write them (options.groupUnits, [{name, units}]) or as a record", () => {
    const written = { options: { groupUnits: [{ name: 'CA1', units: ['3', '7'] }, { name: 'PFC', units: ['12'] }] } };
    expect(runGroupUnits(written)).toEqual({ CA1: ['3', '7'], PFC: ['12'] });
    expect(runGroupUnits({ groupUnits: { CA1: [3, 7] } })).toEqual({ CA1: [3, 7] });
    expect(runGroupUnits({ options: {} })).toBeUndefined();
    expect(runGroupUnits(undefined)).toBeUndefined();
    // Text ids of the header meet the frame's numeric ids.
    const { order } = orderByRegion([3, 7, 12], runGroupUnits({ options: { groupUnits: [{ name: 'PFC', units: ['12'] }, { name: 'CA1', units: ['3', '7'] }] } })!);
    expect([...order]).toEqual([2, 0, 1]);
  });

  it('by id is the units as they come', () => {
    expect([...orderById(4).order]).toEqual([0, 1, 2, 3]);
  });

  it('by region: each region in turn (its units by id), a unit in two groups in the first, the rest last as "other"', () => {
    const units = [1, 2, 3, 5, 8, 13, 'x'];
    const { order, regions } = orderByRegion(units, { PFC: [13, 2, 99], CA1: [5, 1, 2] });
    expect([...order].map((i) => units[i])).toEqual([2, 13, 1, 5, 3, 8, 'x']);
    expect(regions).toEqual([
      { name: 'PFC', start: 0, end: 2 },
      { name: 'CA1', start: 2, end: 4 },
      { name: 'other', start: 4, end: 7 },
    ]);
    // Ids given as text meet the numbers of the frame.
    expect([...orderByRegion([1, 2], { A: ['2'] }).order]).toEqual([1, 0]);
  });

  it('inverts an order, and carries one across a new unit', () => {
    const order = Int32Array.from([2, 0, 1]);
    expect([...rowsOf(order)]).toEqual([1, 2, 0]);
    // Units a, b, c ordered c, a, b; then d arrives between them in id order.
    expect([...carryOrder(['a', 'b', 'c'], order, ['a', 'b', 'bb', 'c'])]).toEqual([3, 0, 1, 2]);
  });
});
