import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSnapshotFrame,
  encodeSnapshotFrame,
  isSnapshotFrame,
  snapshotFrameBytes,
  snapshotFrameValuesOffset,
} from '../../src/snapshots/binarySnapshotFrame.ts';
import { checkSnapshot } from '../../src/snapshots/snapshot.ts';

/** A frame of rows × cols with codes 0,1,…,-1 and values i + 0.5, float32 or float64. */
function sampleFrame(rows: number, cols: number, float32 = false): Uint8Array {
  const labels = Int32Array.from({ length: rows }, (_, i) => (i === rows - 1 ? -1 : i % 3));
  const numbers = Array.from({ length: rows * cols }, (_, i) => i + 0.5);
  const values = float32 ? Float32Array.from(numbers) : Float64Array.from(numbers);
  return encodeSnapshotFrame(7, 1200, labels, values, rows, cols);
}

/** A copy of `frame` with `edit` applied to its DataView. */
function edited(frame: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = frame.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

describe('binary snapshot frame', () => {
  it('lays the frame out as the table says (odd rows: 4 bytes of padding before the values)', () => {
    const frame = sampleFrame(3, 2);
    expect(frame.length).toBe(32 + 12 + 4 + 8 * 6);
    expect(snapshotFrameValuesOffset(3)).toBe(48);
    expect(snapshotFrameValuesOffset(2)).toBe(40);
    const view = new DataView(frame.buffer);
    expect(String.fromCharCode(...frame.subarray(0, 4))).toBe('SSNP');
    expect(view.getUint8(4)).toBe(1);
    expect(view.getUint8(5)).toBe(1);
    expect(view.getUint16(6, true)).toBe(0);
    expect(view.getFloat64(8, true)).toBe(7);
    expect(view.getFloat64(16, true)).toBe(1200);
    expect(view.getUint32(24, true)).toBe(3);
    expect(view.getUint32(28, true)).toBe(2);
    expect([0, 1, 2].map((i) => view.getInt32(32 + 4 * i, true))).toEqual([0, 1, -1]);
    expect(view.getUint32(44, true)).toBe(0);
    expect(view.getFloat64(48, true)).toBe(0.5);
    expect(view.getFloat64(48 + 8 * 5, true)).toBe(5.5);
    const single = sampleFrame(2, 3, true);
    expect(single.length).toBe(snapshotFrameBytes(2, 3, 4));
    expect(single[5]).toBe(0);
  });

  it('decodes what it encodes: codes as decimal text, −1 as null, float32 widened exactly', () => {
    const { seq, snapshot } = decodeSnapshotFrame(sampleFrame(3, 2, true));
    expect(seq).toBe(7);
    expect(snapshot).toEqual({ step: 1200, samples: 3, neurons: 2, values: Float64Array.from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]), labels: ['0', '1', null] });
  });

  it('round-trips any frame, float32 or float64, from any byte offset', () => {
    const finite32 = fc.float({ noNaN: true, noDefaultInfinity: true });
    const finite64 = fc.double({ noNaN: true, noDefaultInfinity: true });
    const frameArbitrary = fc
      .record({ rows: fc.integer({ min: 1, max: 9 }), cols: fc.integer({ min: 1, max: 7 }), float32: fc.boolean() })
      .chain(({ rows, cols, float32 }) =>
        fc.record({
          rows: fc.constant(rows),
          cols: fc.constant(cols),
          float32: fc.constant(float32),
          seq: fc.maxSafeNat(),
          step: finite64,
          labels: fc.array(fc.integer({ min: -1, max: 2 ** 31 - 1 }), { minLength: rows, maxLength: rows }),
          values: fc.array(float32 ? finite32 : finite64, { minLength: rows * cols, maxLength: rows * cols }),
          shift: fc.integer({ min: 0, max: 7 }),
        }),
      );
    fc.assert(
      fc.property(frameArbitrary, ({ rows, cols, float32, seq, step, labels, values, shift }) => {
        const typed = float32 ? Float32Array.from(values) : Float64Array.from(values);
        const frame = encodeSnapshotFrame(seq, step, Int32Array.from(labels), typed, rows, cols);
        // The same bytes at an odd place in a larger buffer (as a WebSocket library may hand them).
        const holder = new Uint8Array(frame.length + shift);
        holder.set(frame, shift);
        const { seq: seqBack, snapshot } = decodeSnapshotFrame(holder.subarray(shift));
        expect(seqBack).toBe(seq);
        expect(Object.is(snapshot.step, step)).toBe(true);
        expect(snapshot.samples).toBe(rows);
        expect(snapshot.neurons).toBe(cols);
        expect(Array.from(snapshot.values)).toEqual(Array.from(typed));
        expect(snapshot.labels).toEqual(labels.map((code) => (code === -1 ? null : String(code))));
        expect(isSnapshotFrame(frame)).toBe(true);
        checkSnapshot(snapshot, 'frame');
      }),
    );
  });

  it('refuses every malformed frame with a RangeError that says what is wrong', () => {
    const frame = sampleFrame(3, 2);
    const cases: [string, Uint8Array, RegExp][] = [
      ['short', frame.subarray(0, 20), /20 bytes is shorter than the 32-byte header/],
      ['magic', edited(frame, (v) => v.setUint8(3, 0x4b)), /bad magic at byte 0: expected 'SSNP'/],
      ['version', edited(frame, (v) => v.setUint8(4, 2)), /version 2 at byte 4/],
      ['dtype', edited(frame, (v) => v.setUint8(5, 2)), /dtype 2 at byte 5 must be 0 \(float32\) or 1 \(float64\)/],
      ['reserved', edited(frame, (v) => v.setUint16(6, 1, true)), /reserved bytes 6–7 hold 1/],
      ['fractional seq', edited(frame, (v) => v.setFloat64(8, 1.5, true)), /seq 1.5 at byte 8 must be a whole number/],
      ['negative seq', edited(frame, (v) => v.setFloat64(8, -1, true)), /seq -1 at byte 8/],
      ['NaN seq', edited(frame, (v) => v.setFloat64(8, NaN, true)), /seq NaN at byte 8/],
      ['NaN step', edited(frame, (v) => v.setFloat64(16, NaN, true)), /step NaN at byte 16 must be finite/],
      ['infinite step', edited(frame, (v) => v.setFloat64(16, -Infinity, true)), /step -Infinity at byte 16/],
      ['rows 0', edited(frame, (v) => v.setUint32(24, 0, true)), /rows \(byte 24\) is 0/],
      ['cols 0', edited(frame, (v) => v.setUint32(28, 0, true)), /cols \(byte 28\) is 0/],
      ['rows too many', edited(frame, (v) => v.setUint32(24, 4, true)), /4 rows × 2 cols of float64 need 112 bytes, the frame has 96/],
      ['truncated', frame.subarray(0, frame.length - 1), /need 96 bytes, the frame has 95/],
      ['trailing byte', Uint8Array.from([...frame, 0]), /need 96 bytes, the frame has 97/],
      ['dtype mismatch', edited(frame, (v) => v.setUint8(5, 0)), /of float32 need 72 bytes, the frame has 96/],
      ['label below −1', edited(frame, (v) => v.setInt32(36, -2, true)), /label code -2 of row 1 \(byte 36\) is below −1/],
      ['NaN value', edited(frame, (v) => v.setFloat64(48 + 8 * 3, NaN, true)), /value NaN at row 1, col 1 \(byte 72\) is not finite/],
      ['infinite value', edited(frame, (v) => v.setFloat64(48, Infinity, true)), /value Infinity at row 0, col 0/],
    ];
    for (const [name, bytes, message] of cases) {
      expect(() => decodeSnapshotFrame(bytes), name).toThrow(RangeError);
      expect(() => decodeSnapshotFrame(bytes), name).toThrow(message);
    }
    const float32 = sampleFrame(1, 1, true);
    expect(() => decodeSnapshotFrame(edited(float32, (v) => v.setFloat32(40, NaN, true)))).toThrow(/value NaN at row 0, col 0 \(byte 40\)/);
  });

  it('tells its magic from other frames', () => {
    expect(isSnapshotFrame(new TextEncoder().encode('SSPK0000'))).toBe(false);
    expect(isSnapshotFrame(new TextEncoder().encode('SSN'))).toBe(false);
    expect(isSnapshotFrame(new TextEncoder().encode('SSNP'))).toBe(true);
  });

  it('refuses to encode what no decoder would take', () => {
    const labels = Int32Array.from([0, 1]);
    const values = Float64Array.from([1, 2]);
    expect(() => encodeSnapshotFrame(1.5, 0, labels, values, 2, 1)).toThrow(/seq 1.5/);
    expect(() => encodeSnapshotFrame(0, NaN, labels, values, 2, 1)).toThrow(/step NaN/);
    expect(() => encodeSnapshotFrame(0, 0, labels, values, 0, 1)).toThrow(/rows 0/);
    expect(() => encodeSnapshotFrame(0, 0, labels.subarray(1), values, 2, 1)).toThrow(/1 labels for 2 rows/);
    expect(() => encodeSnapshotFrame(0, 0, labels, values, 1, 1)).toThrow(/2 labels for 1 rows/);
    expect(() => encodeSnapshotFrame(0, 0, Int32Array.from([0, -2]), values, 2, 1)).toThrow(/label code -2 of row 1/);
    expect(() => encodeSnapshotFrame(0, 0, labels, Float64Array.from([1, Infinity]), 2, 1)).toThrow(/value Infinity at row 1, col 0/);
  });
});
