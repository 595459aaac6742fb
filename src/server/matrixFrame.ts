import type { PairMatrix } from '../engine/pairMatrix.ts';
import type { UnitId } from '../stream/unitIds.ts';

/**
 * The binary frame that carries an update's pair matrix to subscribers of
 * the `matrix` topic (docs/PROTOCOL.md, "Matrix frames"), little-endian:
 *
 * | offset | bytes | field |
 * |---|---|---|
 * | 0 | 4 | magic `SSMX` |
 * | 4 | 4 | H, uint32: bytes of the header |
 * | 8 | H | header, UTF-8 JSON: {source, t, units, alpha, significant, modes} |
 * | 8 + H padded to a multiple of 4 | 4·P | float32 synergy of every pair, bits |
 * | then | P | uint8 flags (bit 0: family-wise significant) |
 *
 * P = U(U − 1)/2 for the header's U units; pair (i, j), i < j, is at
 * i·(2U − i − 1)/2 + (j − i − 1). At 1,024 units a frame is 2.6 MB.
 */
export const MATRIX_MAGIC = 'SSMX';

export interface MatrixFrameHeader {
  source: string | null;
  t: number;
  units: UnitId[];
  alpha: number | null;
  /** Pairs flagged significant. */
  significant: number;
  modes: Array<[number, number, string]>;
}

export interface MatrixFrame {
  header: MatrixFrameHeader;
  synergy: Float32Array;
  flags: Uint8Array;
}

export function encodeMatrixFrame(matrix: PairMatrix, source: string | undefined, t: number): Buffer {
  let significant = 0;
  for (let k = 0; k < matrix.flags.length; k++) significant += matrix.flags[k] & 1;
  const header: MatrixFrameHeader = { source: source ?? null, t, units: matrix.units, alpha: matrix.alpha, significant, modes: matrix.modes };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const valuesAt = align4(8 + headerBytes.length);
  const pairs = matrix.synergy.length;
  const frame = Buffer.alloc(valuesAt + 4 * pairs + pairs);
  frame.write(MATRIX_MAGIC, 0, 'ascii');
  frame.writeUInt32LE(headerBytes.length, 4);
  headerBytes.copy(frame, 8);
  new Float32Array(frame.buffer, frame.byteOffset + valuesAt, pairs).set(matrix.synergy);
  frame.set(matrix.flags, valuesAt + 4 * pairs);
  return frame;
}

/** Reads a frame (for tests and Node clients); throws saying what is wrong. */
export function decodeMatrixFrame(bytes: Uint8Array): MatrixFrame {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== MATRIX_MAGIC) throw new Error('not a matrix frame: it does not start with SSMX');
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.byteLength) throw new Error(`matrix frame: the header says ${headerLength} bytes, the frame has ${bytes.byteLength - 8} after the magic`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as MatrixFrameHeader;
  const units = header.units.length;
  const pairs = (units * (units - 1)) / 2;
  const valuesAt = align4(8 + headerLength);
  if (valuesAt + 5 * pairs !== bytes.byteLength) throw new Error(`matrix frame: ${units} units need ${valuesAt + 5 * pairs} bytes, the frame has ${bytes.byteLength}`);
  // A copy (aligned: a Buffer's slice would be a view at any offset).
  const copy = new Uint8Array(bytes.subarray(valuesAt));
  return { header, synergy: new Float32Array(copy.buffer, copy.byteOffset, pairs), flags: copy.subarray(4 * pairs, 5 * pairs) };
}

function align4(offset: number): number {
  return (offset + 3) & ~3;
}
