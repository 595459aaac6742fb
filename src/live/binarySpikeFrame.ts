import { endianness } from 'node:os';
import { ProtocolError } from './ingestMessages.ts';

/**
 * The binary spike frame of the ingest protocol (docs/PROTOCOL.md): a batch
 * of spikes in one WebSocket binary message, 12 bytes a spike, no parsing.
 * All numbers little-endian.
 *
 * | offset   | bytes | field                                                        |
 * |----------|-------|--------------------------------------------------------------|
 * | 0        | 4     | magic 'SSPK' (0x53 0x53 0x50 0x4B)                           |
 * | 4        | 1     | version, 1                                                   |
 * | 5        | 1     | clock: 0 = times in seconds, 1 = sample numbers (hello's rate) |
 * | 6        | 2     | reserved, 0                                                  |
 * | 8        | 8     | seq, float64 holding a whole number (the connection's sequence) |
 * | 16       | 4     | n, uint32: spikes in the frame                               |
 * | 20       | 4     | reserved, 0                                                  |
 * | 24       | 8·n   | times, float64 (seconds, or whole sample numbers)            |
 * | 24 + 8n  | 4·n   | units, uint32: index into the connection's declared unit table |
 *
 * The times start at byte 24 so that they are 8-byte aligned in the frame.
 */
export const SPIKE_FRAME_MAGIC = 0x4b505353; // 'SSPK' read as a little-endian uint32
export const SPIKE_FRAME_VERSION = 1;
export const SPIKE_FRAME_HEADER_BYTES = 24;
export const SPIKE_FRAME_BYTES_PER_SPIKE = 12;

export type SpikeFrameClock = 'seconds' | 'samples';

export interface SpikeFrame {
  seq: number;
  clock: SpikeFrameClock;
  /** Seconds or sample numbers, by `clock`. */
  times: Float64Array;
  /** Indices into the connection's declared unit table. */
  units: Uint32Array;
}

const littleEndianHost = endianness() === 'LE';

/** Encodes a spike frame (what a rig or bridge sends). */
export function encodeSpikeFrame(seq: number, times: ArrayLike<number>, units: ArrayLike<number>, clock: SpikeFrameClock = 'seconds'): Buffer {
  const n = times.length;
  if (units.length !== n) throw new RangeError(`times (${n}) and units (${units.length}) must be as long`);
  const buffer = Buffer.alloc(SPIKE_FRAME_HEADER_BYTES + SPIKE_FRAME_BYTES_PER_SPIKE * n);
  buffer.writeUInt32LE(SPIKE_FRAME_MAGIC, 0);
  buffer.writeUInt8(SPIKE_FRAME_VERSION, 4);
  buffer.writeUInt8(clock === 'samples' ? 1 : 0, 5);
  buffer.writeDoubleLE(seq, 8);
  buffer.writeUInt32LE(n, 16);
  for (let i = 0; i < n; i++) buffer.writeDoubleLE(times[i], SPIKE_FRAME_HEADER_BYTES + 8 * i);
  const unitsAt = SPIKE_FRAME_HEADER_BYTES + 8 * n;
  for (let i = 0; i < n; i++) buffer.writeUInt32LE(units[i], unitsAt + 4 * i);
  return buffer;
}

/**
 * Decodes a spike frame; throws ProtocolError ('bad-binary-frame') naming
 * what is wrong. The returned arrays are the frame's own (copied when the
 * frame's bytes are not aligned for a typed-array view).
 */
export function decodeSpikeFrame(frame: Uint8Array): SpikeFrame {
  const bad = (what: string): never => {
    throw new ProtocolError('bad-binary-frame', `binary frame: ${what}`);
  };
  if (frame.length < SPIKE_FRAME_HEADER_BYTES) bad(`${frame.length} bytes is shorter than the ${SPIKE_FRAME_HEADER_BYTES}-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== SPIKE_FRAME_MAGIC) bad("bad magic at byte 0: expected 'SSPK'");
  const version = view.getUint8(4);
  if (version !== SPIKE_FRAME_VERSION) bad(`version ${version} at byte 4 is not supported (expected ${SPIKE_FRAME_VERSION})`);
  const clockByte = view.getUint8(5);
  if (clockByte > 1) bad(`clock ${clockByte} at byte 5 must be 0 (seconds) or 1 (samples)`);
  const seq = view.getFloat64(8, true);
  if (!Number.isSafeInteger(seq) || seq < 0) bad(`seq ${seq} at byte 8 must be a whole number ≥ 0`);
  const n = view.getUint32(16, true);
  const expected = SPIKE_FRAME_HEADER_BYTES + SPIKE_FRAME_BYTES_PER_SPIKE * n;
  if (frame.length !== expected) {
    throw new ProtocolError('bad-binary-frame', `binary frame: ${n} spikes need ${expected} bytes, the frame has ${frame.length}`, seq);
  }
  const unitsAt = SPIKE_FRAME_HEADER_BYTES + 8 * n;
  let times: Float64Array;
  let units: Uint32Array;
  if (littleEndianHost && (frame.byteOffset + SPIKE_FRAME_HEADER_BYTES) % 8 === 0) {
    times = new Float64Array(frame.buffer, frame.byteOffset + SPIKE_FRAME_HEADER_BYTES, n);
    units = new Uint32Array(frame.buffer, frame.byteOffset + unitsAt, n);
  } else {
    times = new Float64Array(n);
    units = new Uint32Array(n);
    for (let i = 0; i < n; i++) times[i] = view.getFloat64(SPIKE_FRAME_HEADER_BYTES + 8 * i, true);
    for (let i = 0; i < n; i++) units[i] = view.getUint32(unitsAt + 4 * i, true);
  }
  return { seq, clock: clockByte === 1 ? 'samples' : 'seconds', times, units };
}
