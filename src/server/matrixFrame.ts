import type { PairMatrix } from '../engine/pairMatrix.ts';
import { encodeMatrixFrame as encodeFrame, type MatrixFrameHeader } from '../page/matrixFrame.ts';

export { decodeMatrixFrame, MatrixFrameError, type MatrixFrame, type MatrixFrameHeader } from '../page/matrixFrame.ts';

/**
 * The binary frame that carries an update's pair matrix to subscribers of
 * the `matrix` topic (docs/PROTOCOL.md, "Matrix frames"). The wire format
 * has one implementation, src/page/matrixFrame.ts, which the page decodes
 * with and the server encodes with (it needs no browser): magic `SSMX`, the
 * header's length, a JSON header {source, t, units, alpha, significant,
 * modes}, then float32 synergy and uint8 flags of every pair, pair (i, j),
 * i < j, at i·(2U − i − 1)/2 + (j − i − 1). At 1,024 units a frame is 2.6 MB.
 */
export function encodeMatrixFrame(matrix: PairMatrix, source: string | undefined, t: number): Buffer {
  let significant = 0;
  for (let k = 0; k < matrix.flags.length; k++) significant += matrix.flags[k] & 1;
  const header: MatrixFrameHeader = { source: source ?? null, t, units: matrix.units, alpha: matrix.alpha, significant, modes: matrix.modes };
  // A view of the frame's buffer, not a copy.
  return Buffer.from(encodeFrame(header, matrix.synergy, matrix.flags));
}
