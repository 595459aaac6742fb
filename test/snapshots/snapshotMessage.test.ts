import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../../src/errors.ts';
import { checkSnapshot, type Snapshot } from '../../src/snapshots/snapshot.ts';
import { parseSnapshotMessage, parseSnapshotRecord } from '../../src/snapshots/snapshotMessage.ts';

const message = {
  type: 'snapshot',
  seq: 5,
  step: 1200,
  labels: ['cat', 3, null],
  values: [
    [0.1, 0.7],
    [0.3, 0.2],
    [0.9, 0.4],
  ],
  neurons: ['n0', 7],
};

describe('snapshot JSON message', () => {
  it('reads the documented form: numeric labels and neuron names as decimal text, null unlabeled', () => {
    const { seq, snapshot, warnings } = parseSnapshotMessage(message);
    expect(seq).toBe(5);
    expect(warnings).toEqual([]);
    expect(snapshot).toEqual({
      step: 1200,
      samples: 3,
      neurons: 2,
      values: Float64Array.from([0.1, 0.7, 0.3, 0.2, 0.9, 0.4]),
      labels: ['cat', '3', null],
      neuronIds: ['n0', '7'],
    });
    expect(checkSnapshot(snapshot, 'msg')).toBe(snapshot);
  });

  it('lists unknown fields as warnings instead of refusing the message', () => {
    const { warnings } = parseSnapshotMessage({ ...message, colour: 'red', epoch: 3 });
    expect(warnings).toEqual([
      'snapshot: field "colour" is not part of the snapshot form and was ignored',
      'snapshot: field "epoch" is not part of the snapshot form and was ignored',
    ]);
  });

  it('refuses every other defect with a RangeError naming the field', () => {
    const cases: [string, unknown, RegExp][] = [
      ['not an object', [1], /expected a JSON object, got an array/],
      ['null', null, /expected a JSON object, got null/],
      ['type', { ...message, type: 'spikes' }, /"type" is "spikes"; expected "snapshot"/],
      ['no type', { ...message, type: undefined }, /"type" is missing/],
      ['no seq', { ...message, seq: undefined }, /"seq" is missing; expected a whole number ≥ 0/],
      ['fractional seq', { ...message, seq: 1.5 }, /"seq" is 1.5/],
      ['no step', { ...message, step: undefined }, /"step" is missing; expected a finite number/],
      ['text step', { ...message, step: '12' }, /"step" is "12"/],
      ['no values', { ...message, values: undefined }, /"values" is missing; expected an array of rows/],
      ['empty values', { ...message, values: [] }, /"values" is \[\]; expected an array of rows/],
      ['empty row', { ...message, values: [[]] }, /"values" row 0 is \[\]/],
      ['flat values', { ...message, values: [1, 2, 3] }, /"values" row 0 is 1/],
      ['ragged', { ...message, values: [[1, 2], [3], [4, 5]] }, /"values" row 1 has 1 entries, row 0 has 2/],
      ['not a row', { ...message, values: [[1, 2], 'x', [4, 5]] }, /"values" row 1 is "x"/],
      ['text value', { ...message, values: [[1, 2], [3, '4'], [4, 5]] }, /"values" row 1, column 1 is "4"; expected a finite number/],
      ['null value', { ...message, values: [[1, null], [3, 4], [4, 5]] }, /"values" row 0, column 1 is null/],
      ['no labels', { ...message, labels: undefined }, /"labels" is missing; expected an array of 3 labels/],
      ['short labels', { ...message, labels: ['a'] }, /"labels" has 1 entries for 3 rows of "values"/],
      ['object label', { ...message, labels: ['a', {}, null] }, /"labels" entry 1 is \{\}/],
      ['empty label', { ...message, labels: ['a', '', null] }, /"labels" entry 1 is ""/],
      ['neurons length', { ...message, neurons: ['a'] }, /"neurons" is \["a"\]; expected 2 names/],
      ['neurons twice', { ...message, neurons: ['a', 'a'] }, /"neurons" names 'a' twice \(entries 0 and 1\)/],
      ['neuron null', { ...message, neurons: ['a', null] }, /"neurons" entry 1 is null/],
    ];
    for (const [name, input, expected] of cases) {
      expect(() => parseSnapshotMessage(input), name).toThrow(RangeError);
      expect(() => parseSnapshotMessage(input), name).toThrow(expected);
    }
  });

  it('reads a JSONL record without type or seq, and checks them when present', () => {
    const { seq, snapshot } = parseSnapshotRecord({ step: 1, labels: [0], values: [[2]] });
    expect(seq).toBeUndefined();
    expect(snapshot.labels).toEqual(['0']);
    expect(parseSnapshotRecord({ seq: 3, step: 1, labels: [0], values: [[2]] }).seq).toBe(3);
    expect(() => parseSnapshotRecord({ type: 'label', step: 1, labels: [0], values: [[2]] })).toThrow(/"type" is "label"/);
  });
});

describe('checkSnapshot', () => {
  const good = (): Snapshot => ({ step: 3, samples: 2, neurons: 2, values: Float64Array.from([1, 2, 3, 4]), labels: ['a', null], neuronIds: ['x', 'y'] });

  it('passes a good snapshot through', () => {
    const s = good();
    expect(checkSnapshot(s, 'here')).toBe(s);
  });

  it('throws InputFormatError naming where and what for each defect', () => {
    const cases: [string, Partial<Snapshot>, RegExp][] = [
      ['step', { step: NaN }, /^here: snapshot: step NaN is not a finite number/],
      ['samples', { samples: 0, values: new Float64Array(0), labels: [] }, /samples is 0; expected a whole number ≥ 1/],
      ['neurons', { neurons: 0, values: new Float64Array(0), neuronIds: undefined }, /neurons is 0/],
      ['values length', { values: Float64Array.from([1, 2, 3]) }, /values holds 3 numbers; 2 samples × 2 neurons need 4/],
      ['values finite', { values: Float64Array.from([1, 2, Infinity, 4]) }, /the value of sample 1, neuron 0 is Infinity/],
      ['labels length', { labels: ['a'] }, /labels holds 1 labels for 2 samples/],
      ['label type', { labels: ['a', 3 as unknown as string] }, /label of sample 1 is number/],
      ['ids length', { neuronIds: ['x'] }, /neuronIds holds 1 names for 2 neurons/],
      ['ids twice', { neuronIds: ['x', 'x'] }, /neuron id 'x' names both column 0 and column 1/],
    ];
    for (const [name, change, expected] of cases) {
      const s = { ...good(), ...change };
      expect(() => checkSnapshot(s, 'here'), name).toThrow(InputFormatError);
      expect(() => checkSnapshot(s, 'here'), name).toThrow(expected);
    }
  });
});
