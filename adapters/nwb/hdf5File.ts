import { open as openFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Dataset, Group, Metadata } from 'h5wasm';
import { InputFormatError } from '../../src/errors.ts';

type H5wasm = typeof import('h5wasm/node');

/** The 8-byte HDF5 format signature (HDF5 File Format Specification, §II.A "Superblock"). */
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5 datatype classes (H5T_class_t) as h5wasm reports them in `metadata.type`. */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_REFERENCE = 7;
const H5T_ENUM = 8;

/** Bytes read from the start of a file to find its superblock's end-of-file address (version 0–3 superblocks need at most 76). */
const SUPERBLOCK_BYTES = 96;

/**
 * The file size an HDF5 superblock declares (base address + end-of-file
 * address; HDF5 File Format Specification, §II.A, superblock versions 0–3),
 * 'short' when the bytes end before that field, or undefined for a version
 * this does not know (the library then judges the file itself).
 */
export function superblockEndOfFile(head: Buffer): number | 'short' | undefined {
  if (head.length <= 8) return 'short';
  const version = head[8];
  let offsetBytes: number;
  let baseAt: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    if (head.length <= 13) return 'short';
    offsetBytes = head[13];
    baseAt = version === 0 ? 24 : 28;
    eofAt = baseAt + 2 * offsetBytes;
  } else if (version === 2 || version === 3) {
    if (head.length <= 9) return 'short';
    offsetBytes = head[9];
    baseAt = 12;
    eofAt = baseAt + 2 * offsetBytes;
  } else {
    return undefined;
  }
  if (offsetBytes !== 2 && offsetBytes !== 4 && offsetBytes !== 8) return undefined;
  if (head.length < eofAt + offsetBytes) return 'short';
  const read = (at: number) => {
    let value = 0;
    for (let i = offsetBytes - 1; i >= 0; i--) value = value * 256 + head[at + i];
    return value;
  };
  const base = read(baseAt);
  const eof = read(eofAt);
  // An undefined address (all bits set) or a value past 2^53 says nothing usable.
  if (!Number.isSafeInteger(base + eof)) return undefined;
  return base + eof;
}

/** The largest integer a float64 holds exactly. */
const MAX_EXACT_INTEGER = 2 ** 53 - 1;

let loading: Promise<H5wasm> | undefined;

/**
 * The last lines h5wasm's runtime wrote for stderr (an abort, "Cannot
 * enlarge memory"), kept for error messages instead of being printed: a
 * failure must reach the user as one line naming the file.
 */
const runtimeMessages: string[] = [];

/**
 * h5wasm, loaded once per process. Its HDF5 library is switched to the
 * throwing error handler: a failing HDF5 call throws an Error carrying the
 * HDF5 error stack (which `hdf5Reason` reads) instead of printing that stack
 * on stderr and returning a bad id. The Emscripten runtime binds its stderr
 * printer to `console.error` while the module starts; for that moment
 * console.error is a collector, so that the runtime's messages (printed
 * just before it aborts on corrupt data) land in `runtimeMessages`.
 */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    const original = console.error;
    console.error = (...parts: unknown[]) => {
      runtimeMessages.push(parts.map(String).join(' '));
      if (runtimeMessages.length > 8) runtimeMessages.shift();
    };
    try {
      const h5wasm = await import('h5wasm/node');
      const module = await h5wasm.ready;
      module.activate_throwing_error_handler();
      return h5wasm;
    } finally {
      console.error = original;
    }
  })();
  return loading;
}

/** What one dataset holds, in the terms a reader needs. */
export interface DatasetInfo {
  /** 'uint' and 'int' are integers (of `bytes` bytes); 'enum' is an HDF5 enumeration (h5py's booleans). */
  kind: 'float' | 'int' | 'uint' | 'string' | 'enum' | 'reference' | 'other';
  bytes: number;
  /** Dimensions (empty for a scalar). */
  shape: number[];
  /** Enumeration members by value (for kind 'enum'). */
  enumNames?: Map<number, string>;
}

/**
 * An HDF5 file opened read-only with h5wasm. Every failure of the library
 * (a corrupt object header, a truncated file, a chunk that cannot be read)
 * becomes an InputFormatError that names the file, the object read and the
 * HDF5 library's own reason; a missing object is named with its path.
 *
 * Datasets are read in slices (`readNumbers(path, start, end)`): h5wasm's
 * Node build reads the host file through NODERAWFS, so only the slice's
 * bytes (and the HDF5 chunks under them) are read, never the whole file.
 */
export class Hdf5File {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly h5wasm: H5wasm,
    private readonly file: InstanceType<H5wasm['File']>,
  ) {}

  static async open(path: string): Promise<Hdf5File> {
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      throw new InputFormatError('no such file (or it cannot be read)', path);
    }
    const head = Buffer.alloc(SUPERBLOCK_BYTES);
    const handle = await openFile(path, 'r');
    let headBytes: number;
    try {
      ({ bytesRead: headBytes } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
    // HDF5 also looks for its signature after a user block (at 512, 1024, 2048, … bytes); NWB files have none.
    if (headBytes < HDF5_SIGNATURE.length || !head.subarray(0, HDF5_SIGNATURE.length).equals(HDF5_SIGNATURE)) {
      const what = size < HDF5_SIGNATURE.length ? `the file has only ${size} bytes` : 'bad magic at byte 0';
      throw new InputFormatError(`not an HDF5 file (${what}: expected the HDF5 signature \\x89HDF\\r\\n\\x1a\\n)`, path);
    }
    // A truncated file is named as such before the library reads it (and fails on a checksum or an address beyond the end).
    const declared = superblockEndOfFile(head.subarray(0, headBytes));
    if (declared === 'short') throw new InputFormatError(`truncated: the file has ${size} bytes, too few for its HDF5 superblock`, path);
    if (declared !== undefined && size < declared) throw new InputFormatError(`truncated: the file has ${size} bytes, its HDF5 superblock says ${declared}`, path);
    const h5wasm = await loadH5wasm();
    const file = guard(path, 'the HDF5 superblock and root group', () => {
      const opened = new h5wasm.File(resolve(path), 'r');
      if (opened.file_id < 0n) throw new Error('H5Fopen failed');
      return opened;
    });
    return new Hdf5File(path, h5wasm, file);
  }

  /** Whether an object (group or dataset) exists at this path. */
  has(objectPath: string): boolean {
    return this.guard(objectPath, () => this.file.get(objectPath) !== null);
  }

  isGroup(objectPath: string): boolean {
    return this.guard(objectPath, () => this.file.get(objectPath) instanceof this.h5wasm.Group);
  }

  isDataset(objectPath: string): boolean {
    return this.guard(objectPath, () => this.file.get(objectPath) instanceof this.h5wasm.Dataset);
  }

  /** Names of a group's members (sorted by name, as HDF5 lists them). */
  members(groupPath: string): string[] {
    return this.guard(groupPath, () => this.group(groupPath).keys());
  }

  /** An attribute's value (strings, numbers, or typed arrays; a one-element array for a scalar reference), or undefined. */
  attribute(objectPath: string, name: string): unknown {
    return this.guard(`attribute '${name}' of ${objectPath}`, () => {
      const entity = this.file.get(objectPath) as Dataset | Group | null;
      if (entity === null || !(name in entity.attrs)) return undefined;
      return entity.get_attribute(name, false);
    });
  }

  /** A text attribute, or undefined when it is missing or not text. */
  textAttribute(objectPath: string, name: string): string | undefined {
    const value = this.attribute(objectPath, name);
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
    return undefined;
  }

  /**
   * The path of the object an object-reference attribute points to (such
   * as a DynamicTableRegion's `table`), or undefined when the attribute is
   * missing, is not an object reference, or points nowhere.
   */
  referencedPath(objectPath: string, name: string): string | undefined {
    const value = this.attribute(objectPath, name);
    const reference = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (!(reference instanceof this.h5wasm.Reference) || reference instanceof this.h5wasm.RegionReference) return undefined;
    return this.guard(`the object attribute '${name}' of ${objectPath} refers to`, () => {
      const target = this.file.dereference(reference);
      return target !== null && 'path' in target && typeof target.path === 'string' ? target.path : undefined;
    });
  }

  /** Datatype and shape of a dataset (which must exist). */
  info(datasetPath: string): DatasetInfo {
    return this.guard(datasetPath, () => describeMetadata(this.dataset(datasetPath).metadata));
  }

  /** Elements of a dataset (which must exist) along its first dimension. */
  length(datasetPath: string): number {
    const { shape } = this.info(datasetPath);
    return shape.length === 0 ? 1 : shape[0];
  }

  /**
   * Elements [start, end) of a one-dimensional numeric dataset as float64.
   * 64-bit integers (BigInt arrays in h5wasm) beyond 2^53 cannot be held
   * exactly: they are an InputFormatError naming the dataset and element.
   */
  readNumbers(datasetPath: string, start: number, end: number): Float64Array {
    const values = this.guard(`${datasetPath} [${start}, ${end})`, () => {
      if (end <= start) return new Float64Array(0);
      return this.dataset(datasetPath).slice([[start, end]]);
    });
    if (values instanceof Float64Array) return values;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const out = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const value = Number(values[i]);
        if (Math.abs(value) > MAX_EXACT_INTEGER) {
          throw new InputFormatError(`${datasetPath}[${start + i}] is ${values[i]}, beyond 2^53: it cannot be used as an index or time exactly`, this.path);
        }
        out[i] = value;
      }
      return out;
    }
    if (ArrayBuffer.isView(values) && !(values instanceof DataView)) return Float64Array.from(values as unknown as ArrayLike<number>);
    throw new InputFormatError(`${datasetPath} does not hold numbers`, this.path);
  }

  /**
   * A one-dimensional dataset as text, one string per element: strings as
   * stored, numbers in their shortest exact decimal form (float32 values as
   * the float32 they are: 0.1, not 0.10000000149011612), h5py booleans
   * (enum FALSE/TRUE) as 'false'/'true', other enumerations by member name.
   */
  readText(datasetPath: string): string[] {
    const info = this.info(datasetPath);
    const values = this.guard(datasetPath, () => this.dataset(datasetPath).value);
    return valuesAsText(values, info, `${datasetPath}`, this.path);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.file.close();
    } catch {
      // A file whose metadata could not be read may not close cleanly; nothing is left to save.
    }
  }

  private group(groupPath: string): Group {
    const entity = this.file.get(groupPath);
    if (!(entity instanceof this.h5wasm.Group)) throw new InputFormatError(`missing group ${groupPath}`, this.path);
    return entity;
  }

  private dataset(datasetPath: string): Dataset {
    const entity = this.file.get(datasetPath);
    if (!(entity instanceof this.h5wasm.Dataset)) throw new InputFormatError(`missing dataset ${datasetPath}`, this.path);
    return entity;
  }

  private guard<T>(what: string, read: () => T): T {
    if (this.closed) throw new InputFormatError(`cannot read ${what}: the file is closed`, this.path);
    return guard(this.path, what, read);
  }
}

/** Runs an h5wasm call, turning any failure into an InputFormatError naming the file and what was being read. */
function guard<T>(file: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputFormatError) throw error;
    const reason = hdf5Reason(error);
    // A truncated or foreign file is wrong as a whole, not in the object being read.
    throw new InputFormatError(/^(truncated|not an HDF5 file)/.test(reason) ? reason : `cannot read ${what}: ${reason}`, file);
  }
}

/**
 * The innermost cause in an HDF5 error stack (the last "#NNN: … in
 * function(): reason" line), in words a user can act on where the cause is
 * a common one.
 */
export function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const causes = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)$/gm)].map((match) => match[1].trim());
  const cause = causes.at(-1);
  if (cause !== undefined) {
    const truncated = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(cause);
    if (truncated !== null) return `truncated: the file has ${truncated[1]} bytes, its HDF5 superblock says ${truncated[2]}`;
    if (/file signature not found/.test(cause)) return 'not an HDF5 file (no HDF5 signature)';
    return `corrupt or unreadable HDF5 data (HDF5: ${cause})`;
  }
  if ((error instanceof Error && error.name === 'RuntimeError') || /^Aborted\(/.test(text)) {
    const memory = runtimeMessages.find((message) => /Cannot enlarge memory/.test(message));
    runtimeMessages.length = 0;
    if (memory !== undefined) {
      const bytes = /requested (\d+) bytes/.exec(memory)?.[1];
      return `corrupt HDF5 data: the library was asked for ${bytes === undefined ? 'more memory than it has' : `${(Number(bytes) / 1e9).toFixed(1)} GB`} and stopped`;
    }
    return `corrupt HDF5 data: the library stopped (${text.split('\n')[0].slice(0, 200)})`;
  }
  return `corrupt or unreadable HDF5 data (${text.split('\n')[0].slice(0, 200)})`;
}

function describeMetadata(metadata: Metadata): DatasetInfo {
  const shape = metadata.shape ?? [];
  const bytes = metadata.size;
  switch (metadata.type) {
    case H5T_FLOAT:
      return { kind: 'float', bytes, shape };
    case H5T_INTEGER:
      return { kind: metadata.signed ? 'int' : 'uint', bytes, shape };
    case H5T_STRING:
      return { kind: 'string', bytes, shape };
    case H5T_REFERENCE:
      return { kind: 'reference', bytes, shape };
    case H5T_ENUM: {
      const enumNames = new Map<number, string>();
      for (const [name, value] of Object.entries(metadata.enum_type?.members ?? {})) enumNames.set(Number(value), name);
      return { kind: 'enum', bytes, shape, enumNames };
    }
    default:
      return { kind: 'other', bytes, shape };
  }
}

/** Values read by h5wasm (strings, typed arrays, scalars) as text, per DatasetInfo. */
export function valuesAsText(values: unknown, info: DatasetInfo, datasetPath: string, file: string): string[] {
  const list: unknown[] = typeof values === 'string' || typeof values === 'number' || typeof values === 'bigint' ? [values] : ArrayBuffer.isView(values) ? Array.from(values as unknown as ArrayLike<unknown>) : Array.isArray(values) ? values : [];
  if (info.kind === 'string') return list.map((value) => String(value));
  if (info.kind === 'enum') {
    const names = info.enumNames ?? new Map<number, string>();
    const isBoolean = names.size === 2 && names.get(0) === 'FALSE' && names.get(1) === 'TRUE';
    return list.map((value) => {
      const name = names.get(Number(value));
      if (name === undefined) return String(value);
      return isBoolean ? name.toLowerCase() : name;
    });
  }
  if (info.kind === 'int' || info.kind === 'uint') return list.map((value) => String(value));
  if (info.kind === 'float') return list.map((value) => (info.bytes === 4 ? float32Text(Number(value)) : String(value)));
  throw new InputFormatError(`${datasetPath} holds ${info.kind} values, which cannot be read as text or numbers`, file);
}

/** The shortest decimal that reads back as the same float32. */
export function float32Text(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(value);
}
