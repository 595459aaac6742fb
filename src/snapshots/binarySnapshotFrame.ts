import type { Snapshot } from './snapshot.ts';

/**
 * The binary snapshot frame: one snapshot (samples × neurons values, a class
 * code per sample, the training step) in one WebSocket binary message, so
 * that a training loop sends its activations without writing JSON. All
 * numbers little-endian.
 *
 * | offset                        | bytes             | field                                              |
 * |-------------------------------|-------------------|----------------------------------------------------|
 * | 0                             | 4                 | magic 'SSNP' (0x53 0x53 0x4E 0x50)                  |
 * | 4                             | 1                 | version, 1                                         |
 * | 5                             | 1                 | dtype: 0 = float32, 1 = float64                    |
 * | 6                             | 2                 | reserved, 0                                        |
 * | 8                             | 8                 | seq, float64 holding a whole number ≥ 0            |
 * | 16                            | 8                 | step, float64 (finite)                             |
 * | 24                            | 4                 | rows (samples), uint32 ≥ 1                         |
 * | 28                            | 4                 | cols (neurons), uint32 ≥ 1                         |
 * | 32                            | 4·rows            | labels, int32 class codes; −1 = unlabeled          |
 * | 32 + 4·rows, padded up to ×8  | itemsize·rows·cols | values, row-major, finite                          |
 *
 * The values start at a multiple of 8 (the padding, 4 bytes when rows is
 * odd, is zero) so that they are aligned for a typed-array view. A label's
 * name is the decimal text of its code ('3'); −1 becomes null. A frame must
 * be exactly as long as its rows and cols say.
 */
export const SNAPSHOT_FRAME_MAGIC = 0x504e5353; // 'SSNP' read as a little-endian uint32
export const SNAPSHOT_FRAME_VERSION = 1;
export const SNAPSHOT_FRAME_HEADER_BYTES = 32;
/** The label code of an unlabeled sample. */
export const UNLABELED_CODE = -1;

/** Dtype byte → bytes per value. */
const ITEM_BYTES = [4, 8] as const;

/** Where the values start: after the labels, rounded up to a multiple of 8. */
export function snapshotFrameValuesOffset(rows: number): number {
  return Math.ceil((SNAPSHOT_FRAME_HEADER_BYTES + 4 * rows) / 8) * 8;
}

/** The exact length of a frame of `rows` × `cols` values of `itemBytes` each. */
export function snapshotFrameBytes(rows: number, cols: number, itemBytes: 4 | 8): number {
  return snapshotFrameValuesOffset(rows) + itemBytes * rows * cols;
}

/** True when `bytes` starts with the snapshot frame's magic 'SSNP' (what a server checks to tell it from a spike frame). */
export function isSnapshotFrame(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x53 && bytes[1] === 0x53 && bytes[2] === 0x4e && bytes[3] === 0x50;
}

/**
 * Encodes a snapshot frame (what a training loop or bridge sends). The
 * dtype byte follows `values`' type (Float32Array → 0, Float64Array → 1).
 * Throws RangeError for input no decoder would accept: seq not a whole
 * number ≥ 0, a step or value not finite, rows or cols not 1 to 2^32 − 1,
 * arrays of the wrong length, a label code below −1.
 */
export function encodeSnapshotFrame(
  seq: number,
  step: number,
  labels: Int32Array,
  values: Float32Array | Float64Array,
  rows: number,
  cols: number,
): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`snapshot frame: seq ${seq} must be a whole number ≥ 0`);
  if (!Number.isFinite(step)) throw new RangeError(`snapshot frame: step ${step} must be finite`);
  for (const [name, n] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError(`snapshot frame: ${name} ${n} must be a whole number from 1 to 2^32 − 1`);
  }
  if (labels.length !== rows) throw new RangeError(`snapshot frame: ${labels.length} labels for ${rows} rows; expected one per row`);
  if (values.length !== rows * cols) throw new RangeError(`snapshot frame: ${values.length} values for ${rows} rows × ${cols} cols (${rows * cols})`);
  const itemBytes = values instanceof Float32Array ? 4 : 8;
  const frame = new Uint8Array(snapshotFrameBytes(rows, cols, itemBytes));
  const view = new DataView(frame.buffer);
  view.setUint32(0, SNAPSHOT_FRAME_MAGIC, true);
  view.setUint8(4, SNAPSHOT_FRAME_VERSION);
  view.setUint8(5, itemBytes === 4 ? 0 : 1);
  view.setFloat64(8, seq, true);
  view.setFloat64(16, step, true);
  view.setUint32(24, rows, true);
  view.setUint32(28, cols, true);
  for (let i = 0; i < rows; i++) {
    if (labels[i] < UNLABELED_CODE) throw new RangeError(`snapshot frame: label code ${labels[i]} of row ${i} is below −1 (−1 = unlabeled)`);
    view.setInt32(SNAPSHOT_FRAME_HEADER_BYTES + 4 * i, labels[i], true);
  }
  const at = snapshotFrameValuesOffset(rows);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) throw new RangeError(`snapshot frame: value ${value} at row ${Math.floor(i / cols)}, col ${i % cols} is not finite`);
    if (itemBytes === 4) view.setFloat32(at + 4 * i, value, true);
    else view.setFloat64(at + 8 * i, value, true);
  }
  return frame;
}

/**
 * Decodes a snapshot frame into its seq and a Snapshot (values as float64,
 * copied out of the frame; labels as the decimal text of their codes, −1 as
 * null). Throws RangeError naming the byte and what is wrong: a frame shorter
 * than the header, bad magic, version, dtype or reserved bytes, seq not a
 * whole number ≥ 0, a step that is not finite, rows or cols 0, a length that
 * does not match rows and cols, a label code below −1, a value that is not
 * finite.
 */
export function decodeSnapshotFrame(bytes: Uint8Array): { seq: number; snapshot: Snapshot } {
  const bad = (what: string): never => {
    throw new RangeError(`snapshot frame: ${what}`);
  };
  if (bytes.length < SNAPSHOT_FRAME_HEADER_BYTES) bad(`${bytes.length} bytes is shorter than the ${SNAPSHOT_FRAME_HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== SNAPSHOT_FRAME_MAGIC) bad("bad magic at byte 0: expected 'SSNP'");
  const version = view.getUint8(4);
  if (version !== SNAPSHOT_FRAME_VERSION) bad(`version ${version} at byte 4 is not supported (expected ${SNAPSHOT_FRAME_VERSION})`);
  const dtype = view.getUint8(5);
  if (dtype > 1) bad(`dtype ${dtype} at byte 5 must be 0 (float32) or 1 (float64)`);
  const reserved = view.getUint16(6, true);
  if (reserved !== 0) bad(`reserved bytes 6–7 hold ${reserved}; they must be 0`);
  const seq = view.getFloat64(8, true);
  if (!Number.isSafeInteger(seq) || seq < 0) bad(`seq ${seq} at byte 8 must be a whole number ≥ 0`);
  const step = view.getFloat64(16, true);
  if (!Number.isFinite(step)) bad(`step ${step} at byte 16 must be finite`);
  const rows = view.getUint32(24, true);
  const cols = view.getUint32(28, true);
  if (rows === 0) bad('rows (byte 24) is 0; a snapshot needs at least one sample');
  if (cols === 0) bad('cols (byte 28) is 0; a snapshot needs at least one neuron');
  const itemBytes = ITEM_BYTES[dtype];
  const expected = snapshotFrameBytes(rows, cols, itemBytes);
  if (bytes.length !== expected) {
    bad(`${rows} rows × ${cols} cols of ${dtype === 0 ? 'float32' : 'float64'} need ${expected} bytes, the frame has ${bytes.length}`);
  }
  const labels: (string | null)[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const code = view.getInt32(SNAPSHOT_FRAME_HEADER_BYTES + 4 * i, true);
    if (code < UNLABELED_CODE) bad(`label code ${code} of row ${i} (byte ${SNAPSHOT_FRAME_HEADER_BYTES + 4 * i}) is below −1 (−1 = unlabeled)`);
    labels[i] = code === UNLABELED_CODE ? null : String(code);
  }
  const at = snapshotFrameValuesOffset(rows);
  const n = rows * cols;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = itemBytes === 4 ? view.getFloat32(at + 4 * i, true) : view.getFloat64(at + 8 * i, true);
    if (!Number.isFinite(value)) bad(`value ${value} at row ${Math.floor(i / cols)}, col ${i % cols} (byte ${at + itemBytes * i}) is not finite`);
    values[i] = value;
  }
  return { seq, snapshot: { step, samples: rows, neurons: cols, values, labels } };
}
