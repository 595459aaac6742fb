import { pairCount } from './pairIndex.ts';
import type { UnitId } from './protocol.ts';

/**
 * A matrix frame (topic `matrix`, one binary WebSocket message per update):
 * the synergy of every pair and its family-wise significance, little-endian:
 *
 *     0        4 bytes  "SSMX"
 *     4        4 bytes  uint32 H, the header's length
 *     8        H bytes  UTF-8 JSON header {source, t, units, alpha, significant, modes}
 *     8 + H    zeros up to a multiple of 4
 *     then     4·P bytes Float32 synergy (bits), P = U(U − 1)/2, in pairIndex order
 *     then     P bytes  Uint8 flags, bit 0 = p_fwer ≤ alpha
 *
 * Decoding copies nothing when the synergy starts 4-aligned in its buffer
 * (always, for a WebSocket's ArrayBuffer): the arrays are views.
 */

export interface MatrixFrameHeader {
  source: string | null;
  /** The update's time T, seconds. */
  t: number;
  /** The units, in canonical order: pair (i, j) is units[i], units[j]. */
  units: UnitId[];
  alpha: number | null;
  /** Pairs with p_fwer ≤ alpha. */
  significant: number;
  /** The mode segments of the last hop: [start s, end s, mode], in time order. */
  modes: Array<[number, number, string]>;
}

export interface MatrixFrame {
  header: MatrixFrameHeader;
  synergy: Float32Array;
  flags: Uint8Array;
  /** Bytes the frame holds on to (its buffer's length when decoded without a copy). */
  byteLength: number;
}

/** The frame's first four bytes, "SSMX". */
const MAGIC = [0x53, 0x53, 0x4d, 0x58];

export const SIGNIFICANT_FLAG = 1;

export type MatrixFrameErrorCode = 'bad-magic' | 'truncated' | 'bad-header' | 'bad-length';

/** A binary message that is not a matrix frame; `code` says which part is wrong. */
export class MatrixFrameError extends Error {
  constructor(
    readonly code: MatrixFrameErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MatrixFrameError';
  }
}

const align4 = (bytes: number) => (bytes + 3) & ~3;

/** Reads a frame from a WebSocket message (an ArrayBuffer) or any byte view of one. */
export function decodeMatrixFrame(data: ArrayBuffer | ArrayBufferView): MatrixFrame {
  let bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 8) throw new MatrixFrameError('truncated', `matrix frame: ${bytes.length} bytes, fewer than the 8 of magic and header length`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new MatrixFrameError('bad-magic', `matrix frame: the first 4 bytes are not "SSMX"`);
  }
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (8 + headerBytes > bytes.length) throw new MatrixFrameError('truncated', `matrix frame: a header of ${headerBytes} bytes in a frame of ${bytes.length}`);
  let header: MatrixFrameHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerBytes))) as MatrixFrameHeader;
  } catch (error) {
    throw new MatrixFrameError('bad-header', `matrix frame: the header is not JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.units) || typeof header.t !== 'number') {
    throw new MatrixFrameError('bad-header', 'matrix frame: the header needs "t" (a number) and "units" (a list)');
  }
  header.modes ??= [];
  header.source ??= null;
  header.alpha ??= null;
  header.significant ??= 0;
  const pairs = pairCount(header.units.length);
  const dataStart = align4(8 + headerBytes);
  const expected = dataStart + 5 * pairs;
  if (bytes.length !== expected) {
    throw new MatrixFrameError('bad-length', `matrix frame: ${bytes.length} bytes, expected ${expected} for ${header.units.length} units (${pairs} pairs)`);
  }
  let byteLength = bytes.buffer.byteLength;
  if ((bytes.byteOffset + dataStart) % 4 !== 0) {
    // A Float32Array view must start 4-aligned: only a view into a larger buffer (Node's pooled Buffers) needs the copy.
    bytes = bytes.slice();
    byteLength = bytes.length;
  }
  // Little-endian on the wire, and in every browser and Node this page runs on.
  const synergy = new Float32Array(bytes.buffer, bytes.byteOffset + dataStart, pairs);
  const flags = new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart + 4 * pairs, pairs);
  return { header, synergy, flags, byteLength };
}

/** Writes a frame (the benchmark's and the tests' side of the wire). */
export function encodeMatrixFrame(header: MatrixFrameHeader, synergy: ArrayLike<number>, flags: ArrayLike<number>): ArrayBuffer {
  const pairs = pairCount(header.units.length);
  if (synergy.length !== pairs || flags.length !== pairs) {
    throw new MatrixFrameError('bad-length', `matrix frame: ${synergy.length} synergies and ${flags.length} flags for ${header.units.length} units (${pairs} pairs)`);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(8 + json.length);
  const buffer = new ArrayBuffer(dataStart + 5 * pairs);
  const bytes = new Uint8Array(buffer);
  bytes.set(MAGIC, 0);
  new DataView(buffer).setUint32(4, json.length, true);
  bytes.set(json, 8);
  new Float32Array(buffer, dataStart, pairs).set(synergy);
  bytes.set(flags, dataStart + 4 * pairs);
  return buffer;
}
