import type { FileHandle } from 'node:fs/promises';
import { parse } from 'npyjs';
import { InputFormatError } from '../../src/errors.ts';
import { openReadable } from './openReadable.ts';

/** Bytes of the fixed prefix: magic (6), version (2), header length (2 in v1, 4 in v2/v3). */
const PREFIX_BYTES = 12;
/** A header longer than this is not a NumPy header (NumPy writes a few hundred bytes). */
const MAX_HEADER_BYTES = 1 << 20;

/** Numeric dtypes (little-endian or byte-sized) a spike array can hold, with their item sizes. */
const NUMERIC_DTYPES: Readonly<Record<string, number>> = {
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
  f4: 4,
  f8: 8,
};

type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/**
 * One NumPy `.npy` array on disk, read in slices so that memory does not
 * grow with the file (a Kilosort `spike_times.npy` of 50 million spikes is
 * 400 MB). npyjs interprets the header and the dtype; this class only reads
 * the byte range of each slice and checks the file against its header.
 *
 * Only one-dimensional numeric arrays are read (shape `(n,)`, or `(n, 1)`
 * and `(1, n)` as some Kilosort versions write them), little-endian or
 * byte-sized. Anything else is an InputFormatError naming the file: not an
 * .npy file (bad magic), a malformed header, a dtype that cannot hold spike
 * data, a file shorter than its header says (truncated).
 *
 * @example
 * const times = await NpyFile.open('kilosort/spike_times.npy');
 * for (let i = 0; i < times.length; i += 65536) use(await times.readNumbers(i, i + 65536));
 * await times.close();
 */
export class NpyFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** dtype without its byte-order character, e.g. 'u8', 'f8'. */
    readonly dtype: string,
    readonly shape: readonly number[],
    /** Number of elements. */
    readonly length: number,
    readonly itemBytes: number,
    private readonly header: Uint8Array,
  ) {}

  static async open(path: string): Promise<NpyFile> {
    const handle = await openReadable(path);
    try {
      return await NpyFile.readHeader(path, handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private static async readHeader(path: string, handle: FileHandle): Promise<NpyFile> {
    const size = (await handle.stat()).size;
    const prefix = Buffer.alloc(PREFIX_BYTES);
    const { bytesRead } = await handle.read(prefix, 0, PREFIX_BYTES, 0);
    if (bytesRead < 10 || prefix.toString('latin1', 0, 6) !== '\x93NUMPY') {
      throw new InputFormatError('not a NumPy .npy file (bad magic at byte 0: expected \\x93NUMPY)', path);
    }
    const major = prefix[6];
    if (major < 1 || major > 3) throw new InputFormatError(`unknown .npy format version ${major}.${prefix[7]} (byte 6)`, path);
    const headerOffset = major === 1 ? 10 : 12;
    const headerLength = major === 1 ? prefix.readUInt16LE(8) : prefix.readUInt32LE(8);
    const dataOffset = headerOffset + headerLength;
    if (headerLength > MAX_HEADER_BYTES || dataOffset > size) {
      throw new InputFormatError(`truncated .npy header: it says ${headerLength} bytes from byte ${headerOffset}, the file has ${size} bytes`, path);
    }
    const header = new Uint8Array(dataOffset);
    await handle.read(header, 0, dataOffset, 0);
    let parsed;
    try {
      // npyjs reads the header's dict; with no data bytes it yields an empty array of the dtype.
      parsed = parse(header.slice().buffer);
    } catch (error) {
      const message = (error as Error).message;
      const dtype = /^Unsupported dtype: (.*)$/.exec(message)?.[1];
      if (dtype !== undefined) throw new InputFormatError(`dtype '${dtype}' cannot hold spike data: expected little-endian integers or floats (e.g. '<u8', '<i4', '<f8')`, path);
      throw new InputFormatError(`malformed .npy header: ${message}`, path);
    }
    const descr = /'descr'\s*:\s*'([^']+)'/.exec(Buffer.from(header).toString('latin1'))?.[1] ?? parsed.dtype;
    const byteOrder = descr[0];
    const itemBytes = NUMERIC_DTYPES[parsed.dtype];
    if (itemBytes === undefined || byteOrder === '>') {
      throw new InputFormatError(`dtype '${descr}' cannot hold spike data: expected little-endian integers or floats (e.g. '<u8', '<i4', '<f8')`, path);
    }
    const shape = parsed.shape;
    const length = shape.reduce((product, n) => product * n, 1);
    const oneDimensional = shape.length === 1 || (shape.length === 2 && (shape[0] === 1 || shape[1] === 1));
    if (!oneDimensional) throw new InputFormatError(`expected a one-dimensional array, the header says shape (${shape.join(', ')})`, path);
    if (dataOffset % itemBytes !== 0) throw new InputFormatError(`data at byte ${dataOffset} is not aligned to its ${itemBytes}-byte items`, path);
    const dataBytes = size - dataOffset;
    if (dataBytes < length * itemBytes) {
      throw new InputFormatError(
        `truncated: the header says ${length} values of ${itemBytes} bytes (${length * itemBytes} bytes of data), the file holds ${dataBytes}`,
        path,
      );
    }
    return new NpyFile(path, handle, parsed.dtype, shape, length, itemBytes, header);
  }

  /** Elements [start, end) in the file's own dtype (64-bit integers as BigInt arrays). */
  async read(start: number, end: number): Promise<NumericArray> {
    const from = Math.max(0, Math.min(start, this.length));
    const to = Math.max(from, Math.min(end, this.length));
    const bytes = (to - from) * this.itemBytes;
    // A copy of the header, then the slice's bytes read straight behind it, parsed by npyjs as one array.
    const buffer = new ArrayBuffer(this.header.length + bytes);
    const view = new Uint8Array(buffer);
    view.set(this.header);
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await this.handle.read(view, this.header.length + done, bytes - done, this.header.length + from * this.itemBytes + done);
      if (bytesRead === 0) throw new InputFormatError(`truncated while reading values ${from}–${to} (the file shrank?)`, this.path);
      done += bytesRead;
    }
    return parse(buffer).data as NumericArray;
  }

  /**
   * Elements [start, end) as float64. 64-bit integers beyond 2^53 cannot be
   * held exactly: they are an InputFormatError naming the element.
   */
  async readNumbers(start: number, end: number): Promise<Float64Array> {
    const values = await this.read(start, end);
    if (values instanceof Float64Array) return values;
    const out = new Float64Array(values.length);
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (value > 9007199254740991n || value < -9007199254740991n) {
          throw new InputFormatError(`value ${value} at index ${start + i} is beyond 2^53 and cannot be converted exactly`, this.path);
        }
        out[i] = Number(value);
      }
      return out;
    }
    out.set(values);
    return out;
  }

  /** The whole array as float64 (for small arrays: cluster ids, event states). */
  readAllNumbers(): Promise<Float64Array> {
    return this.readNumbers(0, this.length);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Opens, reads whole and closes a small .npy array, as float64. */
export async function readNpyNumbers(path: string): Promise<Float64Array> {
  const file = await NpyFile.open(path);
  try {
    return await file.readAllNumbers();
  } finally {
    await file.close();
  }
}
