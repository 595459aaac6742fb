import { describe, expect, it } from 'vitest';
import { decodeMatrixFrame, encodeMatrixFrame, MatrixFrameError, type MatrixFrameHeader } from '../../src/page/matrixFrame.ts';

/** A frame of 3 units written byte by byte from the contract's table, not by the encoder. */
function handBuiltFrame(): { bytes: Uint8Array<ArrayBuffer>; header: MatrixFrameHeader } {
  const header: MatrixFrameHeader = { source: 'rig-1', t: 12, units: [2, 7, 'x'], alpha: 0.05, significant: 1, modes: [[11, 11.5, 'go'], [11.5, 12, 'rest']] };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 4) * 4;
  const bytes = new Uint8Array(padded + 3 * 4 + 3);
  bytes.set([0x53, 0x53, 0x4d, 0x58], 0);
  bytes[4] = json.length & 0xff;
  bytes[5] = (json.length >> 8) & 0xff;
  bytes.set(json, 8);
  const view = new DataView(bytes.buffer);
  // Pairs (0,1), (0,2), (1,2): synergy 0.5, −0.25, 0; the first flagged significant.
  view.setFloat32(padded, 0.5, true);
  view.setFloat32(padded + 4, -0.25, true);
  view.setFloat32(padded + 8, 0, true);
  bytes.set([1, 0, 0], padded + 12);
  return { bytes, header };
}

describe('matrix frames', () => {
  it('decodes a frame built by hand from the contract: header, synergy in pair order, flags', () => {
    const { bytes, header } = handBuiltFrame();
    const frame = decodeMatrixFrame(bytes.buffer);
    expect(frame.header).toEqual(header);
    expect([...frame.synergy]).toEqual([0.5, -0.25, 0]);
    expect([...frame.flags]).toEqual([1, 0, 0]);
    // A view of the WebSocket's buffer, not a copy.
    expect(frame.synergy.buffer).toBe(bytes.buffer);
  });

  it('decodes from a view at an odd offset of a larger buffer (copying only then)', () => {
    const { bytes } = handBuiltFrame();
    const larger = new Uint8Array(bytes.length + 3);
    larger.set(bytes, 3);
    const frame = decodeMatrixFrame(larger.subarray(3));
    expect([...frame.synergy]).toEqual([0.5, -0.25, 0]);
    expect([...frame.flags]).toEqual([1, 0, 0]);
  });

  it('round-trips through the encoder, at 1,024 units too', () => {
    const units = Array.from({ length: 1024 }, (_, i) => i);
    const pairs = (1024 * 1023) / 2;
    const synergy = new Float32Array(pairs).map((_, k) => Math.fround(Math.sin(k) * 0.1));
    const flags = new Uint8Array(pairs).map((_, k) => (k % 97 === 0 ? 1 : 0));
    const header: MatrixFrameHeader = { source: null, t: 3, units, alpha: 0.05, significant: 5400, modes: [] };
    const frame = decodeMatrixFrame(encodeMatrixFrame(header, synergy, flags));
    expect(frame.header.units.length).toBe(1024);
    // Compared as bytes: a deep equality of half a million elements takes seconds.
    expect(Buffer.from(frame.synergy.buffer, frame.synergy.byteOffset, frame.synergy.byteLength).equals(Buffer.from(synergy.buffer))).toBe(true);
    expect(Buffer.from(frame.flags).equals(Buffer.from(flags))).toBe(true);
  });

  it('fills absent optional header fields', () => {
    const frame = decodeMatrixFrame(encodeMatrixFrame({ t: 1, units: ['a', 'b'] } as MatrixFrameHeader, [0.1], [0]));
    expect(frame.header).toMatchObject({ source: null, alpha: null, significant: 0, modes: [] });
  });

  it('refuses what is not a frame, saying which part is wrong', () => {
    const { bytes } = handBuiltFrame();
    const code = (data: Uint8Array) => {
      try {
        decodeMatrixFrame(data);
      } catch (error) {
        expect(error).toBeInstanceOf(MatrixFrameError);
        return (error as MatrixFrameError).code;
      }
      return 'none';
    };
    expect(code(bytes.subarray(0, 5))).toBe('truncated');
    expect(code(new Uint8Array([0x53, 0x53, 0x4d, 0x59, 0, 0, 0, 0]))).toBe('bad-magic');
    expect(code(bytes.subarray(0, bytes.length - 1))).toBe('bad-length');
    const broken = bytes.slice();
    broken[8] = 0x7b + 1;
    expect(code(broken)).toBe('bad-header');
    const tooLong = bytes.slice();
    tooLong[5] = 0xff;
    expect(code(tooLong)).toBe('truncated');
  });
});
