import { parse } from 'npyjs';
import { InputFormatError } from '../errors.ts';

/**
 * One NumPy array held whole in memory (an `.npy` file, or a member of an
 * `.npz`), in C order, as numbers (float64) or strings. npyjs reads the
 * header and numeric data; this file adds what npyjs does not do:
 *
 * - unicode strings (`<U…`): npyjs decodes them with one call spread over
 *   every code point, which overflows the stack past about 100,000
 *   characters (10,000 labels of 10 characters), so they are decoded here;
 *   byte strings (`|S…`) likewise, as Latin-1;
 * - Fortran order (`np.asfortranarray`, or a transposed array saved as is):
 *   npyjs hands back the data in file order, so 2-D arrays are transposed here;
 * - 64-bit integers come back as BigInt: converted, and an error beyond 2^53.
 *
 * A 0-d array (`np.save(f, 5)`) has shape [] and one element.
 * Errors are InputFormatErrors naming `file` and, for an .npz, the member:
 * not an .npy, a malformed header, a dtype that is not numbers or strings
 * (objects, complex numbers, big-endian, structured), data shorter or longer
 * than the shape says.
 */
export type NpyContents =
  | { kind: 'numbers'; descr: string; shape: number[]; data: Float64Array; integers: boolean }
  | { kind: 'strings'; descr: string; shape: number[]; data: string[] };

const NUMERIC_ITEM_BYTES: Readonly<Record<string, number>> = { b1: 1, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f2: 2, f4: 4, f8: 8 };

/** Reads the array in `bytes`; `file` and `member` (an .npz member, or undefined) name it in errors. */
export function parseNpyArray(bytes: Uint8Array, file: string, member?: string): NpyContents {
  const where = member === undefined ? '' : `member '${member}': `;
  const bad = (message: string): never => {
    throw new InputFormatError(`${where}${message}`, file);
  };
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== '\x93NUMPY') bad('not a NumPy .npy array (bad magic at byte 0: expected \\x93NUMPY)');
  const major = bytes[6];
  if (major < 1 || major > 3) bad(`unknown .npy format version ${major}.${bytes[7]} (byte 6)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerOffset = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = headerOffset + headerLength;
  if (dataOffset > bytes.length) bad(`truncated .npy header: it says ${headerLength} bytes from byte ${headerOffset}, there are ${bytes.length} bytes`);
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + headerOffset, headerLength).toString('latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(headerText)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(headerText)?.[1];
  if (descr === undefined || shapeText === undefined) {
    bad(/'descr'\s*:\s*\[/.test(headerText) ? 'a structured dtype (record array) cannot be read; save each field as an array of its own' : `malformed .npy header: ${headerText.trim().slice(0, 80)}`);
  }
  const fortranOrder = /'fortran_order'\s*:\s*True/.test(headerText);
  const shape = shapeText!
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) bad(`malformed shape (${shapeText}) in the .npy header`);
  const count = shape.reduce((product, n) => product * n, 1);
  const order = descr![0];
  const code = '<|>='.includes(order) ? descr!.slice(1) : descr!;
  const dataBytes = bytes.length - dataOffset;
  const checkLength = (itemBytes: number) => {
    if (dataBytes !== count * itemBytes) {
      bad(`the header says shape (${shape.join(', ')}) of ${itemBytes}-byte '${descr}' items (${count * itemBytes} bytes of data), the array holds ${dataBytes}`);
    }
  };

  const strings = /^([US])(\d+)$/.exec(code);
  if (strings !== null) {
    if (order === '>') bad(`dtype '${descr}' is big-endian; save it little-endian (arr.astype('<U${strings[2]}'))`);
    const width = Number(strings[2]);
    const unicode = strings[1] === 'U';
    const itemBytes = width * (unicode ? 4 : 1);
    checkLength(itemBytes);
    const data: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const start = dataOffset + i * itemBytes;
      let text = '';
      for (let c = 0; c < width; c++) {
        const point = unicode ? view.getUint32(start + 4 * c, true) : bytes[start + c];
        if (point === 0) break;
        if (point > 0x10ffff) bad(`string ${i} holds code point ${point}, beyond Unicode`);
        text += String.fromCodePoint(point);
      }
      data[i] = text;
    }
    return { kind: 'strings', descr: descr!, shape, data: toCOrder(data, shape, fortranOrder) };
  }

  const itemBytes = NUMERIC_ITEM_BYTES[code];
  if (itemBytes === undefined || (order === '>' && itemBytes > 1)) {
    const why =
      code === 'O'
        ? 'objects (pickled Python values) cannot be read; save labels as fixed-width strings (np.array(labels, dtype=str)) or integers'
        : code.startsWith('c')
          ? 'complex numbers cannot be read'
          : order === '>'
            ? 'big-endian data cannot be read; save it little-endian (arr.astype(arr.dtype.newbyteorder("<")))'
            : 'expected numbers (integers, floats, booleans) or strings (<U…)';
    bad(`dtype '${descr}': ${why}`);
  }
  checkLength(itemBytes);
  // npyjs reads the data from a copy that starts its own buffer, so that the items are aligned for typed arrays.
  const copy = new Uint8Array(dataOffset + dataBytes);
  copy.set(bytes);
  if (dataOffset % itemBytes !== 0) bad(`data at byte ${dataOffset} is not aligned to its ${itemBytes}-byte items (NumPy pads its header so that they are)`);
  let raw: ArrayLike<number | bigint | boolean>;
  try {
    raw = parse(copy.buffer).data as unknown as ArrayLike<number | bigint | boolean>;
  } catch (error) {
    return bad(`malformed .npy array: ${(error as Error).message}`);
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const value = raw[i];
    if (typeof value === 'bigint') {
      if (value > 9007199254740991n || value < -9007199254740991n) bad(`integer ${value} at index ${i} is beyond 2^53 and cannot be held exactly`);
      data[i] = Number(value);
    } else data[i] = typeof value === 'boolean' ? Number(value) : value;
  }
  const integers = code[0] === 'i' || code[0] === 'u' || code === 'b1';
  return { kind: 'numbers', descr: descr!, shape, data: toCOrder(data, shape, fortranOrder), integers };
}

/** `data` (in file order) in C order: a Fortran-ordered 2-D array transposed (1-D and 0-d are the same in both). */
function toCOrder<T extends Float64Array | string[]>(data: T, shape: readonly number[], fortranOrder: boolean): T {
  if (!fortranOrder || shape.length < 2) return data;
  if (shape.length > 2) return data; // callers refuse arrays of more than two dimensions
  const [rows, cols] = shape;
  const out = (data instanceof Float64Array ? new Float64Array(data.length) : new Array<string>(data.length)) as T;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = data[j * rows + i];
  return out;
}
