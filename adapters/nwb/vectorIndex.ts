import { InputFormatError } from '../../src/errors.ts';
import type { Hdf5File } from './hdf5File.ts';

/**
 * A VectorIndex (hdmf-common table.yaml): entry i is the exclusive end of
 * row i's elements in the target VectorData, so row i holds target
 * elements [index[i−1], index[i]) (from 0 for the first row). Any integer
 * width is accepted (hdmf writes the smallest unsigned type that fits,
 * other writers int64); 64-bit entries are read exactly up to 2^53.
 *
 * Returns the ends as float64 after checking that they can index the
 * target: whole numbers, not negative, non-decreasing, none beyond the
 * target's length. Each failure is an InputFormatError naming both
 * datasets and the entry.
 */
export function readVectorIndex(file: Hdf5File, indexPath: string, targetPath: string): Float64Array {
  if (!file.isDataset(indexPath)) throw new InputFormatError(`missing dataset ${indexPath} (the index of ${targetPath})`, file.path);
  if (!file.isDataset(targetPath)) throw new InputFormatError(`missing dataset ${targetPath} (indexed by ${indexPath})`, file.path);
  const info = file.info(indexPath);
  if (info.kind !== 'int' && info.kind !== 'uint') {
    throw new InputFormatError(`${indexPath} must hold integers (a VectorIndex), it holds ${info.kind} values`, file.path);
  }
  if (info.shape.length !== 1) throw new InputFormatError(`${indexPath} must be one-dimensional, it has shape (${info.shape.join(', ')})`, file.path);
  const targetLength = file.length(targetPath);
  const ends = file.readNumbers(indexPath, 0, info.shape[0]);
  let previous = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i];
    if (end < previous) {
      const what = i === 0 ? 'is negative' : `is below entry ${i - 1} (${previous})`;
      throw new InputFormatError(`${indexPath} is not non-decreasing: entry ${i} (${end}) ${what}`, file.path);
    }
    if (end > targetLength) {
      throw new InputFormatError(`${indexPath} entry ${i} is ${end}, beyond the ${targetLength} values of ${targetPath}`, file.path);
    }
    previous = end;
  }
  return ends;
}

/** Where row i's elements start in the target: 0 for the first row, else the previous row's end. */
export function rowStart(ends: Float64Array, row: number): number {
  return row === 0 ? 0 : ends[row - 1];
}
